// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's settings: defaults, the YAML config file, flags over the file,
 * and the messages that say what is wrong and where.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#include "unit.h"
#include "agent/config.h"
#include "process/redact.h"

static char tmp_paths[128][64];
static int nr_tmp;

/* A temporary file holding @len bytes of @text; its path (removed at exit). */
static const char *tmp_file(const char *text, size_t len)
{
	char *path;
	int fd;

	if (nr_tmp >= (int)(sizeof(tmp_paths) / sizeof(tmp_paths[0]))) {
		fprintf(stderr, "too many temporary files\n");
		exit(2);
	}
	path = tmp_paths[nr_tmp];
	snprintf(path, sizeof(tmp_paths[0]), "/tmp/hornet-test-config-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror("temporary config file");
		exit(2);
	}
	close(fd);
	nr_tmp++;
	return path;
}

static const char *yaml(const char *text)
{
	return tmp_file(text, strlen(text));
}

static void remove_tmp_files(void)
{
	int i;

	for (i = 0; i < nr_tmp; i++)
		unlink(tmp_paths[i]);
}

/* Loads @text as a config file on top of the defaults; returns the error (or 0). */
static int load_text(struct hornet_config *cfg, const char *text, const char **path, char *err,
		     size_t err_size)
{
	const char *p = yaml(text);
	int ret;

	if (path)
		*path = p;
	err[0] = '\0';
	if (hornet_config_init(cfg)) {
		fprintf(stderr, "hornet_config_init failed\n");
		exit(2);
	}
	ret = hornet_config_load_file(cfg, p, err, err_size);
	return ret;
}

/*
 * @text must be refused with -EINVAL and a message that starts with
 * "<file>:<@line>:" (or "<file>:<@line>:<@col>: " when @col > 0) and contains @want.
 */
static bool file_error(const char *text, int line, int col, const char *want)
{
	struct hornet_config cfg;
	char err[512], prefix[128];
	const char *path;
	int ret = load_text(&cfg, text, &path, err, sizeof(err));
	bool ok = true;

	if (col > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", path, line, col);
	else
		snprintf(prefix, sizeof(prefix), "%s:%d:", path, line);
	if (ret != -EINVAL) {
		printf("    returned %d, want -EINVAL\n", ret);
		ok = false;
	}
	if (strncmp(err, prefix, strlen(prefix))) {
		printf("    message '%s' does not start with '%s'\n", err, prefix);
		ok = false;
	}
	if (!strstr(err, want)) {
		printf("    message '%s' does not contain '%s'\n", err, want);
		ok = false;
	}
	hornet_config_free(&cfg);
	return ok;
}

/* Runs hornet_config_load() over @cfg (already initialized) with stdout muted. */
static int load_args(struct hornet_config *cfg, char **argv, char *err, size_t err_size)
{
	int argc = 0, saved, null, ret;

	while (argv[argc])
		argc++;
	err[0] = '\0';
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved < 0 || null < 0) {
		perror("/dev/null");
		exit(2);
	}
	dup2(null, STDOUT_FILENO);
	close(null);
	ret = hornet_config_load(cfg, argc, argv, err, err_size);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return ret;
}

/* A flag error: -EINVAL and a message containing @want. */
static bool flag_error(char **argv, const char *want)
{
	struct hornet_config cfg;
	char err[512];
	int ret;
	bool ok = true;

	hornet_config_init(&cfg);
	ret = load_args(&cfg, argv, err, sizeof(err));
	if (ret != -EINVAL) {
		printf("    returned %d, want -EINVAL (message '%s')\n", ret, err);
		ok = false;
	}
	if (!strstr(err, want)) {
		printf("    message '%s' does not contain '%s'\n", err, want);
		ok = false;
	}
	hornet_config_free(&cfg);
	return ok;
}

int main(void)
{
	struct hornet_config cfg;
	char err[512], host[HOST_NAME_MAX + 1] = "";
	const char *empty, *path;
	int ret;

	atexit(remove_tmp_files);
	empty = yaml("");

	UNIT_CASE("config_defaults")
	{
		CHECK_INT(hornet_config_init(&cfg), 0);
		gethostname(host, sizeof(host));
		CHECK_STR(cfg.node_name, host[0] ? host : "localhost");
		CHECK_STR(cfg.export_file, HORNET_DEFAULT_EXPORT_FILE);
		CHECK_STR(cfg.socket, HORNET_DEFAULT_SOCKET);
		CHECK(!cfg.config_file);
		CHECK_INT(cfg.export_file_max_size_mb, 10);
		CHECK_INT(cfg.export_file_max_backups, 5);
		CHECK(!cfg.enable_ancestors);
		CHECK_INT(cfg.process_cache_size, 32768);
		CHECK_INT(cfg.ringbuf_size_mb, 8);
		CHECK_INT(cfg.log_level, HORNET_LOG_INFO);
		CHECK_INT(cfg.stdout_format, HORNET_STDOUT_NONE);
		CHECK_INT(cfg.exec_creds_hook, HORNET_CREDS_AUTO);
		hornet_config_free(&cfg);
		CHECK(!cfg.node_name && !cfg.export_file && !cfg.socket);
		/* freeing twice is harmless */
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_flags")
	{
		char *argv[] = { "agent",
				 "--config",
				 (char *)empty,
				 "--node-name",
				 "worker-7",
				 "--export-file=",
				 "--export-file-max-size-mb=20",
				 "--export-file-max-backups",
				 "0",
				 "--socket",
				 "/tmp/h.sock",
				 "--enable-ancestors",
				 "--process-cache-size",
				 "64",
				 "--ringbuf-size-mb=1024",
				 "--log-level",
				 "debug",
				 "--stdout",
				 "compact",
				 "--exec-creds-hook=none",
				 NULL };

		hornet_config_init(&cfg);
		ret = load_args(&cfg, argv, err, sizeof(err));
		CHECK_INT(ret, 0);
		if (ret)
			printf("    %s\n", err);
		CHECK_STR(cfg.config_file, empty);
		CHECK_STR(cfg.node_name, "worker-7");
		CHECK_STR(cfg.export_file, "");
		CHECK_INT(cfg.export_file_max_size_mb, 20);
		CHECK_INT(cfg.export_file_max_backups, 0);
		CHECK_STR(cfg.socket, "/tmp/h.sock");
		CHECK(cfg.enable_ancestors);
		CHECK_INT(cfg.process_cache_size, 64);
		CHECK_INT(cfg.ringbuf_size_mb, 1024);
		CHECK_INT(cfg.log_level, HORNET_LOG_DEBUG);
		CHECK_INT(cfg.stdout_format, HORNET_STDOUT_COMPACT);
		CHECK_INT(cfg.exec_creds_hook, HORNET_CREDS_NONE);
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_bool_flag_values")
	{
		char *off[] = { "agent", "--config", (char *)empty, "--enable-ancestors=off",
				NULL };
		char *yes[] = { "agent", "--config", (char *)empty, "--enable-ancestors=YES",
				NULL };

		hornet_config_init(&cfg);
		cfg.enable_ancestors = true;
		CHECK_INT(load_args(&cfg, off, err, sizeof(err)), 0);
		CHECK(!cfg.enable_ancestors);
		CHECK_INT(load_args(&cfg, yes, err, sizeof(err)), 0);
		CHECK(cfg.enable_ancestors);
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_file_keys")
	{
		ret = load_text(&cfg,
				"# hornet\n"
				"node-name: from-file\n"
				"export_file: /tmp/events.json\n"
				"export-file-max-size-mb: 0\n"
				"export_file_max_backups: 1000\n"
				"socket: \"/tmp/quoted.sock\"\n"
				"enable_ancestors: true\n"
				"process_cache_size: 4194304\n"
				"ringbuf-size-mb: 1\n"
				"log_level: warn\n"
				"stdout: json\n"
				"exec_creds_hook: kprobe\n",
				NULL, err, sizeof(err));
		CHECK_INT(ret, 0);
		if (ret)
			printf("    %s\n", err);
		CHECK_STR(cfg.node_name, "from-file");
		CHECK_STR(cfg.export_file, "/tmp/events.json");
		CHECK_INT(cfg.export_file_max_size_mb, 0);
		CHECK_INT(cfg.export_file_max_backups, 1000);
		CHECK_STR(cfg.socket, "/tmp/quoted.sock");
		CHECK(cfg.enable_ancestors);
		CHECK_INT(cfg.process_cache_size, 4194304);
		CHECK_INT(cfg.ringbuf_size_mb, 1);
		CHECK_INT(cfg.log_level, HORNET_LOG_WARN);
		CHECK_INT(cfg.stdout_format, HORNET_STDOUT_JSON);
		CHECK_INT(cfg.exec_creds_hook, HORNET_CREDS_KPROBE);
		hornet_config_free(&cfg);

		/* a document marker, flow style, and bools spelled the other ways */
		ret = load_text(&cfg, "---\n{node-name: a, enable-ancestors: on}\n...\n", NULL, err,
				sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_STR(cfg.node_name, "a");
		CHECK(cfg.enable_ancestors);
		hornet_config_free(&cfg);
		ret = load_text(&cfg, "enable-ancestors: yes\nenable-ancestors: 0\n", NULL, err,
				sizeof(err));
		CHECK_INT(ret, 0);
		CHECK(!cfg.enable_ancestors);
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_file_then_flags")
	{
		const char *file = yaml("node-name: file-node\n"
					"socket: /tmp/file.sock\n"
					"log-level: error\n"
					"enable-ancestors: true\n");
		char *argv[] = { "agent",
				 "--node-name=flag-node",
				 "--config",
				 (char *)file,
				 "--log-level",
				 "debug",
				 "--enable-ancestors=false",
				 NULL };

		hornet_config_init(&cfg);
		ret = load_args(&cfg, argv, err, sizeof(err));
		CHECK_INT(ret, 0);
		if (ret)
			printf("    %s\n", err);
		/* a flag wins even when it comes before --config */
		CHECK_STR(cfg.node_name, "flag-node");
		CHECK_INT(cfg.log_level, HORNET_LOG_DEBUG);
		CHECK(!cfg.enable_ancestors);
		/* what only the file sets stays */
		CHECK_STR(cfg.socket, "/tmp/file.sock");
		CHECK_STR(cfg.config_file, file);
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_empty_file")
	{
		CHECK_INT(load_text(&cfg, "", NULL, err, sizeof(err)), 0);
		CHECK_INT(cfg.process_cache_size, 32768);
		hornet_config_free(&cfg);
		CHECK_INT(load_text(&cfg, "# only a comment\n\n", NULL, err, sizeof(err)), 0);
		hornet_config_free(&cfg);
		CHECK_INT(load_text(&cfg, "---\n", NULL, err, sizeof(err)), 0);
		hornet_config_free(&cfg);
		CHECK_INT(load_text(&cfg, "{}\n", NULL, err, sizeof(err)), 0);
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_unknown_key")
	{
		CHECK(file_error("export-fil: /tmp/x\n", 1, 0,
				 "unknown setting 'export-fil' (did you mean 'export-file'?)"));
		CHECK(file_error("node-name: a\nSOCKET_: /x\n", 2, 0,
				 "unknown setting 'SOCKET_' (did you mean 'socket'?)"));
		CHECK(file_error("log-levle: info\n", 1, 0, "(did you mean 'log-level'?)"));
		CHECK(file_error("colour: blue\n", 1, 0, "unknown setting 'colour'"));
		CHECK(file_error("colour: blue\n", 1, 0, "hornet agent --help"));
		/* a key too long to be a setting */
		CHECK(file_error("export-file-export-file-export-file-export-file-export-file-"
				 "export-file-export-file: 1\n",
				 1, 0, "unknown setting"));
	}

	UNIT_CASE("config_bad_values")
	{
		CHECK(file_error("process-cache-size: lots\n", 1, 21,
				 "process-cache-size: 'lots' is not a whole number from 64 to "
				 "4194304"));
		CHECK(file_error("process-cache-size: 12abc\n", 1, 21, "not a whole number"));
		CHECK(file_error("process-cache-size: 63\n", 1, 21, "from 64 to 4194304"));
		CHECK(file_error("process-cache-size: 4194305\n", 1, 21, "from 64 to 4194304"));
		CHECK(file_error("ringbuf-size-mb: 0\n", 1, 18, "from 1 to 1024"));
		CHECK(file_error("ringbuf-size-mb: 1025\n", 1, 18, "from 1 to 1024"));
		CHECK(file_error("export-file-max-backups: -1\n", 1, 26, "from 0 to 1000"));
		CHECK(file_error("export-file-max-size-mb: 99999999999999999999\n", 1, 26,
				 "not a whole number"));
		CHECK(file_error("export-file-max-size-mb: 4294967296\n", 1, 26,
				 "not a whole number"));
		CHECK(file_error("export-file-max-size-mb: \"\"\n", 1, 26, "not a whole number"));
		CHECK(file_error("enable-ancestors: maybe\n", 1, 19,
				 "enable-ancestors: 'maybe' is not a boolean"));
		CHECK(file_error("enable-ancestors: 2\n", 1, 19, "not a boolean"));
		CHECK(file_error("log-level: verbose\n", 1, 12,
				 "log-level: unknown level 'verbose' (valid: error, warn, info, "
				 "debug)"));
		CHECK(file_error("stdout: xml\n", 1, 9,
				 "stdout: unknown value 'xml' (valid: none, json, compact)"));
		CHECK(file_error("stdout: JSON\n", 1, 9, "unknown value 'JSON'"));
		CHECK(file_error("exec-creds-hook: ebpf\n", 1, 18,
				 "exec-creds-hook: unknown value 'ebpf' (valid: auto, lsm, fentry, "
				 "kprobe, none)"));
		CHECK(file_error("node-name: a:b\n", 1, 12, "not a valid node name"));
		CHECK(file_error("node-name: \"\"\n", 1, 12, "not a valid node name"));
	}

	UNIT_CASE("config_lists_and_mappings_refused")
	{
		CHECK(file_error("node-name: [a, b]\n", 1, 12, "not lists"));
		CHECK(file_error("socket: /x\nnode-name:\n  - a\n  - b\n", 3, 3, "not lists"));
		CHECK(file_error("node-name: {a: b}\n", 1, 12, "not mappings"));
		CHECK(file_error("node-name:\n  first: a\n", 2, 3, "not mappings"));
		CHECK(file_error("- node-name\n- socket\n", 1, 1, "expected a mapping"));
		CHECK(file_error("just a string\n", 1, 1, "expected a mapping"));
		CHECK(file_error("? {a: b}\n: c\n", 1, 3, "keys must be plain strings"));
	}

	UNIT_CASE("config_yaml_syntax_error")
	{
		CHECK(file_error("node-name: \"unclosed\n", 2, 0, "invalid YAML"));
		CHECK(file_error("node-name: a\n  socket: b\n: :\n", 2, 0, "invalid YAML"));
		CHECK(file_error("a: b\n\tc: d\n", 2, 0, "invalid YAML"));
	}

	UNIT_CASE("config_yaml_alias_refused")
	{
		CHECK(file_error("node-name: &n worker\nsocket: *n\n", 2, 9,
				 "aliases are not allowed"));
		/* the billion-laughs shape is refused at the first alias */
		CHECK(file_error("a: &a [x, x]\nb: [*a, *a]\n", 1, 4, "not lists"));
	}

	UNIT_CASE("config_file_size_limit")
	{
		size_t max = 1 << 20, i;
		char *big = malloc(max + 1);

		CHECK(big);
		if (big) {
			/* exactly 1 MiB of comments is read */
			for (i = 0; i < max; i++)
				big[i] = i % 64 == 63 ? '\n' : i % 64 == 0 ? '#' : 'x';
			path = tmp_file(big, max);
			hornet_config_init(&cfg);
			CHECK_INT(hornet_config_load_file(&cfg, path, err, sizeof(err)), 0);
			hornet_config_free(&cfg);
			/* one byte more is refused before parsing */
			big[max] = '\n';
			path = tmp_file(big, max + 1);
			hornet_config_init(&cfg);
			err[0] = '\0';
			CHECK_INT(hornet_config_load_file(&cfg, path, err, sizeof(err)), -EFBIG);
			CHECK(strstr(err, path) && strstr(err, "larger than 1048576 bytes"));
			hornet_config_free(&cfg);
			free(big);
		}
	}

	UNIT_CASE("config_missing_file")
	{
		char *argv[] = { "agent", "--config", "/nonexistent/hornet.yaml", NULL };

		hornet_config_init(&cfg);
		err[0] = '\0';
		CHECK_INT(
			hornet_config_load_file(&cfg, "/nonexistent/hornet.yaml", err, sizeof(err)),
			-ENOENT);
		CHECK_STR(err, "config file '/nonexistent/hornet.yaml': No such file or directory");
		CHECK_INT(load_args(&cfg, argv, err, sizeof(err)), -ENOENT);
		CHECK(strstr(err, "/nonexistent/hornet.yaml"));
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_directory_refused")
	{
		/* fopen() opens a directory; reading it fails with EISDIR, not an empty file */
		char *dir = strdup("/tmp/hornet-test-config-dir-XXXXXX");

		CHECK(dir && mkdtemp(dir));
		hornet_config_init(&cfg);
		err[0] = '\0';
		ret = hornet_config_load_file(&cfg, dir, err, sizeof(err));
		CHECK(ret < 0);
		CHECK(strstr(err, dir));
		hornet_config_free(&cfg);
		rmdir(dir);
		free(dir);
	}

	UNIT_CASE("config_flag_errors")
	{
		char *unknown[] = { "agent", "--config", (char *)empty, "--exprt-file=/x", NULL };
		char *unknown2[] = { "agent", "--config", (char *)empty, "--colour", NULL };
		char *shortopt[] = { "agent", "--config", (char *)empty, "-x", NULL };
		char *positional[] = { "agent", "--config", (char *)empty, "run", NULL };
		char *novalue[] = { "agent", "--config", (char *)empty, "--node-name", NULL };
		char *badnum[] = { "agent", "--config", (char *)empty, "--process-cache-size=10",
				   NULL };
		char *badbool[] = { "agent", "--config", (char *)empty, "--enable-ancestors=2",
				    NULL };
		char *badlevel[] = {
			"agent", "--config", (char *)empty, "--log-level", "loud", NULL
		};
		char *nocfg[] = { "agent", "--config", NULL };

		CHECK(flag_error(unknown, "unknown setting 'exprt-file' (did you mean "
					  "'export-file'?)"));
		CHECK(flag_error(unknown2, "unknown setting 'colour'"));
		CHECK(flag_error(shortopt, "unknown option '-x'"));
		CHECK(flag_error(positional, "unexpected argument 'run'"));
		CHECK(flag_error(novalue, "--node-name: needs a value"));
		CHECK(flag_error(badnum, "--process-cache-size: '10' is not a whole number"));
		CHECK(flag_error(badbool, "--enable-ancestors: '2' is not a boolean"));
		CHECK(flag_error(badlevel, "--log-level: unknown level 'loud'"));
		CHECK(flag_error(nocfg, "--config: needs a value"));
	}

	UNIT_CASE("config_unknown_flag_message")
	{
		/* names the flag as typed, not "--unknown setting ..." */
		char *unknown[] = { "agent", "--config", (char *)empty, "--sockt=/x", NULL };

		hornet_config_init(&cfg);
		CHECK_INT(load_args(&cfg, unknown, err, sizeof(err)), -EINVAL);
		if (!strncmp(err, "--unknown", 9))
			UNIT_FAIL("message '%s'", err);
		CHECK(strstr(err, "'socket'"));
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_ambiguous_flag_refused")
	{
		/*
		 * "--export-file-max" abbreviates two settings; getopt_long takes the
		 * first when the candidates' struct option entries look alike, so this
		 * checks that the flag is refused rather than silently applied to one.
		 */
		char *ambiguous[] = { "agent", "--config", (char *)empty, "--export-file-max=3",
				      NULL };

		hornet_config_init(&cfg);
		ret = load_args(&cfg, ambiguous, err, sizeof(err));
		CHECK_INT(ret, -EINVAL);
		CHECK_INT(cfg.export_file_max_size_mb, 10);
		CHECK_INT(cfg.export_file_max_backups, 5);
		hornet_config_free(&cfg);
	}

	UNIT_CASE("config_redaction_filters")
	{
		/* a block string in the file; a flag replaces it; white space clears it */
		char *argv[] = { "agent", "--config", NULL, "--redact", "{\"redact\": \"(x)\"}",
				 NULL };
		char *clear[] = { "agent", "--config", (char *)empty, "--redaction-filters",
				  " ",	   NULL };

		ret = load_text(&cfg,
				"redaction-filters: |\n  {\"redact\": [\"--password=(\\\\S*)\"]}\n"
				"  {\"redact\": [\"(a)\"]}\n",
				&path, err, sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_INT(hornet_redact__filters(cfg.redact), 2);
		hornet_config_free(&cfg);
		argv[2] = (char *)path;
		hornet_config_init(&cfg);
		CHECK_INT(load_args(&cfg, argv, err, sizeof(err)), 0);
		CHECK_INT(hornet_redact__filters(cfg.redact), 1);
		hornet_config_free(&cfg);
		hornet_config_init(&cfg);
		CHECK_INT(load_args(&cfg, clear, err, sizeof(err)), 0);
		CHECK(!cfg.redact);
		hornet_config_free(&cfg);
		CHECK(file_error(
			"node-name: n\nredaction-filters: '{\"redact\": [\"(?:x\"]}'\n", 2, 20,
			"redaction-filters: filter 1: redact[0]: missing closing parenthesis "
			"at offset 4 in '(?:x'"));
	}

	UNIT_CASE("config_help")
	{
		char *argv[] = { "agent", "--help", NULL };
		char *argv2[] = { "agent", "--config", (char *)empty, "-h", NULL };

		hornet_config_init(&cfg);
		CHECK_INT(load_args(&cfg, argv, err, sizeof(err)), 1);
		CHECK_INT(load_args(&cfg, argv2, err, sizeof(err)), 1);
		hornet_config_free(&cfg);
	}

	UNIT_EXIT();
}
