// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "cli/cli.h"
#include "export/api.h"

const char *hornet_cli_socket(const char *flag)
{
	const char *env = getenv("HORNET_SOCKET");

	if (flag)
		return flag;
	return env && env[0] ? env : HORNET_DEFAULT_SOCKET;
}

bool hornet_cli_text_or_json(const char *cmd, const char *fmt)
{
	if (!strcmp(fmt, "text") || !strcmp(fmt, "json"))
		return true;
	fprintf(stderr, "hornet %s: unknown output format '%s' (valid: text, json)\n", cmd, fmt);
	return false;
}

int hornet_cli_basic_opts(int argc, char **argv, const char *cmd, void (*usage)(FILE *out),
			  const char **sock, const char **fmt)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			*fmt = optarg;
			if (!hornet_cli_text_or_json(cmd, *fmt))
				return 2;
			break;
		case 's':
			*sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

void hornet_cli_no_agent(const char *cmd, const char *socket, int err)
{
	if (err == ENOENT || err == ECONNREFUSED)
		fprintf(stderr,
			"hornet %s: no agent answers at '%s' (%s); start one with 'sudo hornet "
			"agent' or point --socket at its socket\n",
			cmd, socket, strerror(err));
	else if (err == EACCES || err == EPERM)
		/* the socket is 0600 in a directory of root's (docs/cli.md) */
		fprintf(stderr,
			"hornet %s: %s: permission denied: the agent's socket is root-only "
			"(run hornet %s as root, for example with sudo)\n",
			cmd, socket, cmd);
	else
		fprintf(stderr, "hornet %s: cannot connect to '%s': %s\n", cmd, socket,
			strerror(err));
}

json_t *hornet_cli_call(const char *cmd, const char *sock, json_t *req)
{
	char *text = json_dumps(req, JSON_COMPACT), *line = NULL;
	json_error_t jerr;
	size_t cap = 0;
	json_t *reply;
	FILE *f;
	int fd;

	if (!text || asprintf(&line, "%s\n", text) < 0) {
		free(text);
		return NULL;
	}
	free(text);
	fd = hornet_api_connect(sock, line);
	free(line);
	line = NULL;
	if (fd < 0) {
		hornet_cli_no_agent(cmd, sock, -fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	if (getline(&line, &cap, f) < 0) {
		fprintf(stderr, "hornet %s: the agent closed the connection without a reply\n",
			cmd);
		free(line);
		fclose(f);
		return NULL;
	}
	fclose(f);
	reply = json_loads(line, 0, &jerr);
	free(line);
	if (!reply) {
		fprintf(stderr, "hornet %s: the agent's reply is not JSON: %s\n", cmd, jerr.text);
		return NULL;
	}
	if (json_object_get(reply, "error")) {
		fprintf(stderr, "hornet %s: %s\n", cmd,
			json_string_value(json_object_get(reply, "error")));
		json_decref(reply);
		return NULL;
	}
	return reply;
}
