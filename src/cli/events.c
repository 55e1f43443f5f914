// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "export/api.h"
#include "export/compact.h"
#include "util/suggest.h"

#define MAX_TYPES 16
#define READ_SIZE (64 << 10)
#define FOLLOW_WAIT_MS 200

static const char *const known_types[] = {
	"process_exec",
	"process_exit",
	"process_kprobe",
	"process_tracepoint",
	"process_lsm",
	"process_uprobe",
	"process_usdt",
	"process_loader",
	"process_throttle",
	"process_dns",
	"process_http",
	"process_tls",
	NULL,
};

struct filters {
	const char *types[MAX_TYPES];
	int nr_types;
	bool has_binary;
	regex_t binary;
	long long pid;
	const char *namespace; /* the pod's namespace, exactly */
	bool has_pod;
	regex_t pod; /* the pod's name */
	const char *container; /* the container's name, exactly */
	bool compact;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet events [OPTIONS]\n\n"
		"Prints events as they happen, from the running agent, or from a JSON lines\n"
		"file the agent exported (--input). Filters are ANDed.\n\n"
		"  -o, --output FORMAT   json (default: one JSON object per line, as exported)\n"
		"                        or compact (one readable line per event)\n"
		"      --types LIST      only these event types, comma-separated: exec, exit,\n"
		"                        kprobe, tracepoint, lsm, uprobe, throttle, dns,\n"
		"                        http, tls (or the full names, process_exec, ...)\n"
		"      --binary REGEX    only events whose process binary matches REGEX (POSIX\n"
		"                        extended regular expression)\n"
		"      --pid N           only events of process N\n"
		"      --namespace NS    only events of processes in pods of namespace NS\n"
		"      --pod REGEX       only events of processes in pods whose name matches\n"
		"                        REGEX (POSIX extended)\n"
		"      --container NAME  only events of processes in containers named NAME\n"
		"                        (in a pod or not)\n"
		"      --allowlist JSON  from the agent: only events one of these filters\n"
		"                        matches (Tetragon's syntax, as --export-allowlist)\n"
		"      --denylist JSON   from the agent: no event these filters match\n"
		"      --field-filters JSON  from the agent: include or exclude fields\n"
		"                        (Tetragon's syntax, as the agent's --field-filters)\n"
		"      --input FILE      read FILE (- for stdin) instead of the agent\n"
		"  -f, --follow          with --input FILE: go on reading what the agent\n"
		"                        appends to FILE, across rotations (as tail -F)\n"
		"      --socket PATH     the agent's API socket (default: $HORNET_SOCKET or\n"
		"                        /run/hornet/hornet.sock)\n"
		"  -h, --help            show this help\n");
}

static int parse_types(struct filters *f, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL, full[64];
	const char *best;
	int i, ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "process_", 8))
			snprintf(full, sizeof(full), "process_%s", tok);
		else
			snprintf(full, sizeof(full), "%s", tok);
		for (i = 0; known_types[i]; i++)
			if (!strcmp(full, known_types[i]))
				break;
		if (!known_types[i]) {
			best = hornet_suggest(full, known_types);
			fprintf(stderr, "hornet events: --types: unknown event type '%s'%s%s%s\n",
				tok,
				best ? " (did you mean '"
				     : " (valid: exec, exit, kprobe, tracepoint, lsm, uprobe, "
				       "throttle, dns, http, tls)",
				best ? best + 8 : "", best ? "'?)" : "");
			ret = -EINVAL;
			break;
		}
		if (f->nr_types == MAX_TYPES) {
			fprintf(stderr, "hornet events: --types: too many types\n");
			ret = -EINVAL;
			break;
		}
		f->types[f->nr_types++] = known_types[i];
	}
	free(copy);
	if (!ret && !f->nr_types) {
		fprintf(stderr, "hornet events: --types: empty list\n");
		ret = -EINVAL;
	}
	return ret;
}

static bool str_is(json_t *obj, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v && !strcmp(v, want);
}

/* --namespace, --pod, --container against the process's pod or container */
static bool workload_matches(const struct filters *f, json_t *proc)
{
	json_t *pod = json_object_get(proc, "pod");
	json_t *ctr = pod ? json_object_get(pod, "container") : json_object_get(proc, "container");
	const char *name;

	if (f->namespace && !str_is(pod, "namespace", f->namespace))
		return false;
	if (f->has_pod) {
		name = json_string_value(json_object_get(pod, "name"));
		if (!name || regexec(&f->pod, name, 0, NULL, 0))
			return false;
	}
	return !f->container || str_is(ctr, "name", f->container);
}

static bool matches(const struct filters *f, json_t *ev)
{
	const char *type = hornet_event_type(ev), *binary;
	json_t *proc;
	int i;

	if (!type)
		return false;
	if (f->nr_types) {
		for (i = 0; i < f->nr_types; i++)
			if (!strcmp(type, f->types[i]))
				break;
		if (i == f->nr_types)
			return false;
	}
	proc = json_object_get(json_object_get(ev, type), "process");
	if (f->pid >= 0 && json_integer_value(json_object_get(proc, "pid")) != f->pid)
		return false;
	if (f->has_binary) {
		binary = json_string_value(json_object_get(proc, "binary"));
		if (!binary || regexec(&f->binary, binary, 0, NULL, 0))
			return false;
	}
	return workload_matches(f, proc);
}

/* A stream of JSON lines and where it stands. */
struct input {
	const char *name; /* for messages */
	const char *follow; /* the file to go on reading at its end, or NULL */
	int fd;
	char *buf; /* what was read and not handed out: at most an unfinished line */
	size_t len, cap;
	long lineno, bad;
	bool rotated; /* the path names a new file: read the old one to its end first */
};

/* Handles one line; returns -1 when the stream says to stop. */
static int handle_line(const struct filters *f, struct input *in, char *line, size_t len)
{
	json_error_t jerr;
	char *compact;
	json_t *ev;

	in->lineno++;
	while (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (!len)
		return 0;
	ev = json_loadb(line, len, 0, &jerr);
	if (!ev || !json_is_object(ev)) {
		if (in->bad++ < 10)
			fprintf(stderr, "hornet events: %s:%ld: not a JSON object: %s\n", in->name,
				in->lineno, ev ? "another JSON value" : jerr.text);
		json_decref(ev);
		return 0;
	}
	if (json_object_get(ev, "error") && !hornet_event_type(ev)) {
		fprintf(stderr, "hornet events: the agent says: %s\n",
			json_string_value(json_object_get(ev, "error")));
		json_decref(ev);
		in->bad++;
		return -1;
	}
	if (matches(f, ev)) {
		if (f->compact) {
			compact = hornet_compact(ev);
			if (compact)
				printf("%s\n", compact);
			free(compact);
		} else {
			fwrite(line, 1, len, stdout);
			fputc('\n', stdout);
		}
		fflush(stdout);
	}
	json_decref(ev);
	return 0;
}

/*
 * At the end of a followed file: waits for the agent to write more. When the
 * agent rotated the file (renamed it and opened a new one), the old file is
 * read to its end once more and then the new one from its start; when it
 * started the file over (no backups), reading starts over too.
 */
static void follow_wait(struct input *in)
{
	struct timespec ts = { 0, FOLLOW_WAIT_MS * 1000000L };
	struct stat now, cur;
	int fd;

	if (in->rotated) {
		fd = open(in->follow, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(in->fd);
			in->fd = fd;
			in->len = 0; /* a whole-line writer leaves none, but never glue two files */
			in->rotated = false;
			return;
		}
	} else if (!fstat(in->fd, &cur)) {
		if (!stat(in->follow, &now) &&
		    (now.st_ino != cur.st_ino || now.st_dev != cur.st_dev)) {
			in->rotated = true;
			return;
		}
		if (cur.st_size < lseek(in->fd, 0, SEEK_CUR)) {
			lseek(in->fd, 0, SEEK_SET);
			in->len = 0;
			return;
		}
	}
	nanosleep(&ts, NULL);
}

/*
 * Filters and prints every whole line of @in; returns the number of bad
 * lines. The last line of a file the agent is writing may be unfinished:
 * with --follow it waits for the rest; otherwise it is left alone unless it
 * is a whole JSON object that only lacks its newline.
 */
static long pump(const struct filters *f, struct input *in)
{
	char *p, *nl, *grown;
	ssize_t n;

	for (;;) {
		if (in->cap - in->len < READ_SIZE) {
			grown = realloc(in->buf, in->cap + READ_SIZE);
			if (!grown) {
				fprintf(stderr, "hornet events: %s: out of memory\n", in->name);
				return in->bad + 1;
			}
			in->buf = grown;
			in->cap += READ_SIZE;
		}
		n = read(in->fd, in->buf + in->len, in->cap - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "hornet events: %s: %s\n", in->name, strerror(errno));
			return in->bad + 1;
		}
		if (n == 0) {
			if (!in->follow)
				break;
			follow_wait(in);
			continue;
		}
		in->len += n;
		for (p = in->buf; (nl = memchr(p, '\n', in->buf + in->len - p)); p = nl + 1) {
			*nl = '\0';
			if (handle_line(f, in, p, nl - p))
				goto out;
		}
		in->len -= p - in->buf;
		memmove(in->buf, p, in->len);
	}
	if (in->len) {
		json_t *ev = json_loadb(in->buf, in->len, 0, NULL);

		if (json_is_object(ev))
			handle_line(f, in, in->buf, in->len);
		json_decref(ev);
	}
out:
	if (in->bad > 10)
		fprintf(stderr, "hornet events: %s: %ld lines were not JSON objects\n", in->name,
			in->bad);
	return in->bad;
}

/* A regex flag's value, replacing an earlier one; says what is wrong with it. */
static int set_regex(regex_t *re, bool *set, const char *flag, const char *arg)
{
	char msg[256];
	int err;

	if (*set)
		regfree(re);
	*set = false;
	err = regcomp(re, arg, REG_EXTENDED | REG_NOSUB);
	if (err) {
		regerror(err, re, msg, sizeof(msg));
		fprintf(stderr, "hornet events: %s '%s': %s\n", flag, arg, msg);
		return -EINVAL;
	}
	*set = true;
	return 0;
}

/* @text, filter objects one after another, appended to @req's list @key. */
static int add_filters(json_t *req, const char *key, const char *text)
{
	size_t off = 0, len = strlen(text);
	json_error_t jerr;
	json_t *list = json_object_get(req, key), *o;

	if (!list) {
		list = json_array();
		if (!list || json_object_set_new(req, key, list))
			return -ENOMEM;
	}
	for (;;) {
		while (off < len && strchr(" \t\r\n", text[off]))
			off++;
		if (off == len)
			return 0;
		o = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
		if (!o) {
			fprintf(stderr, "hornet events: --%s: not JSON: %s (near byte %zu)\n",
				!strcmp(key, "allow_list")  ? "allowlist"
				: !strcmp(key, "deny_list") ? "denylist"
							    : "field-filters",
				jerr.text, off + jerr.position);
			return -EINVAL;
		}
		off += jerr.position;
		json_array_append_new(list, o);
	}
}

static char *append_nl(char *s)
{
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);

	if (!t) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

int hornet_cmd_events(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "types", required_argument, NULL, 't' },
		{ "binary", required_argument, NULL, 'b' },
		{ "pid", required_argument, NULL, 'p' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "pod", required_argument, NULL, 'P' },
		{ "container", required_argument, NULL, 'c' },
		{ "input", required_argument, NULL, 'i' },
		{ "allowlist", required_argument, NULL, 'A' },
		{ "denylist", required_argument, NULL, 'D' },
		{ "field-filters", required_argument, NULL, 'F' },
		{ "follow", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct filters f = { .pid = -1 };
	struct input in = { 0 };
	json_t *req = NULL; /* with the stream's own filters */
	char *req_text = NULL;
	const char *input = NULL, *sock = NULL;
	char *end;
	bool follow = false;
	long bad;
	int c, ret = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fh", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "compact")) {
				f.compact = true;
			} else if (strcmp(optarg, "json")) {
				fprintf(stderr,
					"hornet events: unknown output format '%s' (valid: json, "
					"compact)\n",
					optarg);
				goto out;
			}
			break;
		case 't':
			if (parse_types(&f, optarg))
				goto out;
			break;
		case 'b':
			if (set_regex(&f.binary, &f.has_binary, "--binary", optarg))
				goto out;
			break;
		case 'p':
			errno = 0;
			f.pid = strtoll(optarg, &end, 10);
			if (!optarg[0] || *end || errno || f.pid < 0 || f.pid > INT_MAX) {
				fprintf(stderr, "hornet events: --pid '%s': not a process id\n",
					optarg);
				goto out;
			}
			break;
		case 'n':
			f.namespace = optarg;
			break;
		case 'P':
			if (set_regex(&f.pod, &f.has_pod, "--pod", optarg))
				goto out;
			break;
		case 'c':
			f.container = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		case 'A':
		case 'D':
		case 'F':
			if (!req)
				req = json_pack("{s:s}", "command", "events");
			if (!req || add_filters(req,
						c == 'A'   ? "allow_list"
						: c == 'D' ? "deny_list"
							   : "field_filters",
						optarg))
				goto out;
			break;
		case 'f':
			follow = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hornet events: unexpected argument '%s'\n", argv[optind]);
		goto out;
	}

	if (input && strcmp(input, "-")) {
		in.fd = open(input, O_RDONLY | O_CLOEXEC);
		if (in.fd < 0) {
			fprintf(stderr, "hornet events: --input '%s': %s\n", input,
				strerror(errno));
			ret = 1;
			goto out;
		}
		in.name = input;
		in.follow = follow ? input : NULL;
	} else if (input) {
		/* a pipe ends when its writer is done: nothing to follow */
		in.fd = STDIN_FILENO;
		in.name = "stdin";
	} else {
		sock = hornet_cli_socket(sock);
		req_text = req ? json_dumps(req, JSON_COMPACT) : NULL;
		if (req && (!req_text || !(req_text = append_nl(req_text)))) {
			fprintf(stderr, "hornet events: out of memory\n");
			goto out;
		}
		in.fd = hornet_api_connect(sock,
					   req_text ? req_text : "{\"command\":\"events\"}\n");
		if (in.fd < 0) {
			hornet_cli_no_agent("events", sock, -in.fd);
			ret = 1;
			goto out;
		}
		/* until the agent stops or we are interrupted */
		in.name = sock;
	}
	bad = pump(&f, &in);
	if (in.fd != STDIN_FILENO)
		close(in.fd);
	free(in.buf);
	ret = bad ? 1 : 0;
out:
	json_decref(req);
	free(req_text);
	if (f.has_binary)
		regfree(&f.binary);
	if (f.has_pod)
		regfree(&f.pod);
	return ret;
}
