// SPDX-License-Identifier: GPL-2.0
/*
 * hornet bugtool: what a bug report needs, in one .tar.gz (mode 0600: the
 * status and the log name processes and paths): the agent's status, its
 * policies, its BPF maps (name, type, sizes, entries), the tail of its log,
 * the kernel's features (hornet probe), and versions. What cannot be had
 * (no agent) is said in the archive's file of that part, and the rest is
 * still gathered.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include <zlib.h>

#include "cli/cli.h"
#include "export/api.h"

#define TAR_BLOCK 512
/* keys walked to count a hash map's entries, at most */
#define COUNT_MAX (1u << 22)

struct archive {
	gzFile gz;
	char dir[64]; /* the folder in the archive */
	time_t now;
	int err;
};

/* A growing text buffer. */
struct text {
	char *s;
	size_t len, cap;
};

static void addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void addf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->s && t->len + n < t->cap) {
			t->len += n;
			return;
		}
		p = realloc(t->s, t->cap + n + 4096);
		if (!p)
			return;
		t->s = p;
		t->cap += n + 4096;
	}
}

/* One file of @len bytes into the archive (ustar). */
static void put(struct archive *a, const char *name, const char *data, size_t len)
{
	unsigned char h[TAR_BLOCK] = { 0 };
	static const char zeros[TAR_BLOCK];
	unsigned int sum = 0, i;

	if (a->err)
		return;
	snprintf((char *)h, 100, "%s/%s", a->dir, name);
	snprintf((char *)h + 100, 8, "%07o", 0600);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", len);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)a->now);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (gzwrite(a->gz, h, TAR_BLOCK) != TAR_BLOCK ||
	    (len && gzwrite(a->gz, data, len) != (int)len) ||
	    (len % TAR_BLOCK && gzwrite(a->gz, zeros, TAR_BLOCK - len % TAR_BLOCK) !=
					(int)(TAR_BLOCK - len % TAR_BLOCK)))
		a->err = -EIO;
}

static void put_text(struct archive *a, const char *name, struct text *t)
{
	put(a, name, t->s ? t->s : "", t->len);
	free(t->s);
	memset(t, 0, sizeof(*t));
}

/* The agent's reply to @command as indented JSON, or why there is none. */
static json_t *ask(const char *sock, const char *command, struct text *t)
{
	char req[128];
	json_error_t jerr;
	json_t *reply;
	FILE *f;
	int fd;

	snprintf(req, sizeof(req), "{\"command\":\"%s\"}\n", command);
	fd = hornet_api_connect(sock, req);
	if (fd < 0) {
		addf(t, "no answer from the agent at %s: %s\n", sock, strerror(-fd));
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	reply = json_loadf(f, JSON_DISABLE_EOF_CHECK, &jerr);
	fclose(f);
	if (!reply)
		addf(t, "the agent's reply is not JSON: %s\n", jerr.text);
	return reply;
}

static void put_reply(struct archive *a, const char *name, const char *sock, const char *command)
{
	struct text t = { 0 };
	json_t *reply = ask(sock, command, &t);
	char *s = reply ? json_dumps(reply, JSON_INDENT(2)) : NULL;

	if (s)
		addf(&t, "%s\n", s);
	free(s);
	json_decref(reply);
	put_text(a, name, &t);
}

static const char *map_type(unsigned int type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown";
}

/* Entries in @fd: walked for hash-like maps, max_entries for arrays, -1 where neither means it. */
static long long count_entries(int fd, const struct bpf_map_info *info)
{
	char key[512], next[512];
	long long n = 0;
	void *prev = NULL;

	switch (info->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return info->max_entries;
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_USER_RINGBUF:
		return -1;
	default:
		break;
	}
	if (info->key_size > sizeof(key))
		return -1;
	while (n < COUNT_MAX && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, info->key_size);
		prev = key;
		n++;
	}
	return n;
}

/* The maps the agent (@pid) holds, from its fds' fdinfo: one line each. */
static void list_maps(long pid, struct text *t)
{
	char path[64], line[256], name[NAME_MAX + 80];
	unsigned long long total = 0, bytes;
	struct bpf_map_info info;
	__u32 len, id, seen[4096];
	unsigned int nr_seen = 0, k;
	struct dirent *de;
	long long n;
	FILE *f;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/fdinfo", pid);
	d = opendir(path);
	if (!d) {
		addf(t, "%s: %s\n", path, strerror(errno));
		return;
	}
	addf(t, "%-8s %-24s %-20s %6s %8s %10s %10s %12s\n", "id", "name", "type", "key", "value",
	     "max", "entries", "bytes");
	while ((de = readdir(d))) {
		snprintf(name, sizeof(name), "%s/%s", path, de->d_name);
		f = fopen(name, "re");
		if (!f)
			continue;
		id = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "map_id: %u", &id) == 1)
				break;
		fclose(f);
		for (k = 0; k < nr_seen && seen[k] != id; k++)
			;
		if (!id || k < nr_seen || nr_seen == sizeof(seen) / sizeof(seen[0]))
			continue;
		seen[nr_seen++] = id;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		n = count_entries(fd, &info);
		close(fd);
		/* its size, roughly: keys and values of every slot; a ring's bytes */
		bytes = info.type == BPF_MAP_TYPE_RINGBUF || info.type == BPF_MAP_TYPE_USER_RINGBUF
				? info.max_entries
				: (unsigned long long)(info.key_size + info.value_size) *
					  info.max_entries;
		total += bytes;
		addf(t, "%-8u %-24s %-20s %6u %8u %10u ", info.id, info.name, map_type(info.type),
		     info.key_size, info.value_size, info.max_entries);
		if (n < 0)
			addf(t, "%10s ", "-");
		else
			addf(t, "%10lld ", n);
		addf(t, "%12llu\n", bytes);
	}
	closedir(d);
	addf(t, "%u maps, %llu bytes (keys and values of every slot, rings' sizes)\n", nr_seen,
	     total);
}

/* The output of `hornet ARGS` (this binary), with its exit status. */
static void run_self(const char *args, struct text *t)
{
	char cmd[PATH_MAX + 64], self[PATH_MAX], buf[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t got;
	FILE *p;
	int st;

	if (n < 0) {
		addf(t, "/proc/self/exe: %s\n", strerror(errno));
		return;
	}
	self[n] = '\0';
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", self, args);
	p = popen(cmd, "re");
	if (!p) {
		addf(t, "hornet %s: %s\n", args, strerror(errno));
		return;
	}
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0)
		addf(t, "%.*s", (int)got, buf);
	st = pclose(p);
	if (st)
		addf(t, "(hornet %s: exit status %d)\n", args, WEXITSTATUS(st));
}

static void put_file(struct archive *a, const char *name, const char *path)
{
	struct text t = { 0 };
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		addf(&t, "%s: %s\n", path, strerror(errno));
	} else {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			addf(&t, "%.*s", (int)n, buf);
		fclose(f);
	}
	put_text(a, name, &t);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: hornet bugtool [OPTIONS]\n\n"
		     "Writes one .tar.gz for a bug report: the agent's status, its policies, its\n"
		     "BPF maps (name, type, sizes, entries), the last lines it logged, this\n"
		     "kernel's features (hornet probe) and versions. Needs root; the file is\n"
		     "mode 0600 (it names processes and paths: read it before you share it).\n\n"
		     "  -O, --output FILE   where (default: hornet-bugtool-DATE.tar.gz here)\n"
		     "      --socket PATH   the agent's API socket (default: $HORNET_SOCKET or\n"
		     "                      /run/hornet/hornet.sock)\n"
		     "  -h, --help          show this help\n");
}

int hornet_cmd_bugtool(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'O' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *out = NULL;
	struct archive a = { .now = time(NULL) };
	char def[96], stamp[32];
	struct text t = { 0 };
	struct utsname u;
	json_t *st, *log;
	struct tm tm;
	long pid = 0;
	int c, fd;

	optind = 1;
	while ((c = getopt_long(argc, argv, "O:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			out = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hornet bugtool: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "hornet bugtool: needs root: it reads the agent's socket and BPF "
				"maps (run it with sudo)\n");
		return 1;
	}
	sock = hornet_cli_socket(sock);
	gmtime_r(&a.now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(a.dir, sizeof(a.dir), "hornet-bugtool-%s", stamp);
	snprintf(def, sizeof(def), "%s.tar.gz", a.dir);
	out = out ? out : def;
	/* a new file, never one already there (nor a link to one) */
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fprintf(stderr, "hornet bugtool: '%s': %s%s\n", out, strerror(errno),
			errno == EEXIST ? " (remove it, or name another with -O)" : "");
		return 1;
	}
	a.gz = gzdopen(fd, "wb6");
	if (!a.gz) {
		close(fd);
		unlink(out);
		fprintf(stderr, "hornet bugtool: out of memory\n");
		return 1;
	}

	uname(&u);
	addf(&t, "hornet %s (git %s, libbpf %s)\nkernel: %s %s %s %s\n", HORNET_VERSION,
	     HORNET_GIT_REV, libbpf_version_string(), u.sysname, u.release, u.version, u.machine);
	st = ask(sock, "status", &t);
	if (st)
		addf(&t, "agent: %s, pid %lld\n",
		     json_string_value(json_object_get(st, "version")) ?: "?",
		     json_integer_value(json_object_get(st, "pid")));
	pid = st ? (long)json_integer_value(json_object_get(st, "pid")) : 0;
	put_text(&a, "version.txt", &t);
	put_file(&a, "os-release", "/etc/os-release");
	if (st) {
		char *s = json_dumps(st, JSON_INDENT(2));

		addf(&t, "%s\n", s ? s : "");
		free(s);
		put_text(&a, "status.json", &t);
	} else {
		put_reply(&a, "status.json", sock, "status");
	}
	json_decref(st);
	put_reply(&a, "policies.json", sock, "policy_list");
	if (pid > 0)
		list_maps(pid, &t);
	else
		addf(&t, "no agent: no maps to list\n");
	put_text(&a, "maps.txt", &t);
	log = ask(sock, "log_tail", &t);
	if (log)
		addf(&t, "%s", json_string_value(json_object_get(log, "log")) ?: "");
	json_decref(log);
	put_text(&a, "agent.log", &t);
	run_self("probe -o json", &t);
	put_text(&a, "probe.json", &t);
	put_file(&a, "bpf_jit_enable", "/proc/sys/net/core/bpf_jit_enable");
	put_file(&a, "unprivileged_bpf_disabled", "/proc/sys/kernel/unprivileged_bpf_disabled");

	if (!a.err) {
		static const char end[2 * TAR_BLOCK];

		if (gzwrite(a.gz, end, sizeof(end)) != (int)sizeof(end))
			a.err = -EIO;
	}
	if (gzclose(a.gz) != Z_OK && !a.err)
		a.err = -EIO;
	if (a.err) {
		fprintf(stderr, "hornet bugtool: '%s': write failed\n", out);
		unlink(out);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
