// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "export/api.h"
#include "export/compact.h"
#include "util/suggest.h"

#define MAX_TYPES 16

static const char *const known_types[] = {
	"process_exec",	      "process_exit", "process_kprobe",
	"process_tracepoint", "process_lsm",  "process_uprobe",
	"process_throttle",   "process_dns",  "process_http",
	"process_tls",	      NULL,
};

struct filters {
	const char *types[MAX_TYPES];
	int nr_types;
	bool has_binary;
	regex_t binary;
	long long pid;
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
		"      --input FILE      read FILE (- for stdin) instead of the agent\n"
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
	return true;
}

/* Filters and prints every line of @in; returns the number of bad lines. */
static long pump(const struct filters *f, FILE *in, const char *name)
{
	json_error_t jerr;
	char *line = NULL, *compact;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, bad = 0;
	json_t *ev;

	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		ev = json_loadb(line, len, 0, &jerr);
		if (!ev || !json_is_object(ev)) {
			if (bad++ < 10)
				fprintf(stderr, "hornet events: %s:%ld: not a JSON object: %s\n",
					name, lineno, ev ? "another JSON value" : jerr.text);
			json_decref(ev);
			continue;
		}
		if (json_object_get(ev, "error") && !hornet_event_type(ev)) {
			fprintf(stderr, "hornet events: the agent says: %s\n",
				json_string_value(json_object_get(ev, "error")));
			json_decref(ev);
			bad++;
			break;
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
	}
	free(line);
	if (bad > 10)
		fprintf(stderr, "hornet events: %s: %ld lines were not JSON objects\n", name, bad);
	return bad;
}

int hornet_cmd_events(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "types", required_argument, NULL, 't' },
		{ "binary", required_argument, NULL, 'b' },
		{ "pid", required_argument, NULL, 'p' },
		{ "input", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct filters f = { .pid = -1 };
	const char *input = NULL, *sock = NULL;
	char *end, msg[256];
	long bad;
	FILE *in;
	int c, fd, err, ret = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
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
			if (f.has_binary)
				regfree(&f.binary);
			err = regcomp(&f.binary, optarg, REG_EXTENDED | REG_NOSUB);
			if (err) {
				regerror(err, &f.binary, msg, sizeof(msg));
				fprintf(stderr, "hornet events: --binary '%s': %s\n", optarg, msg);
				goto out;
			}
			f.has_binary = true;
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
		case 'i':
			input = optarg;
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

	if (input) {
		in = strcmp(input, "-") ? fopen(input, "re") : stdin;
		if (!in) {
			fprintf(stderr, "hornet events: --input '%s': %s\n", input,
				strerror(errno));
			ret = 1;
			goto out;
		}
		bad = pump(&f, in, strcmp(input, "-") ? input : "stdin");
		if (in != stdin)
			fclose(in);
		ret = bad ? 1 : 0;
		goto out;
	}

	sock = hornet_cli_socket(sock);
	fd = hornet_api_connect(sock, "{\"command\":\"events\"}\n");
	if (fd < 0) {
		hornet_cli_no_agent(sock, -fd);
		ret = 1;
		goto out;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		ret = 1;
		goto out;
	}
	/* until the agent stops or we are interrupted */
	bad = pump(&f, in, sock);
	fclose(in);
	ret = bad ? 1 : 0;
out:
	if (f.has_binary)
		regfree(&f.binary);
	return ret;
}
