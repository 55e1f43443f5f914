// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "cli/cli.h"
#include "util/log.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: hornet loglevel [LEVEL] [OPTIONS]\n\n"
		     "Shows the running agent's log level, or sets it to LEVEL (error, warn,\n"
		     "info or debug) until the agent stops or it is set again.\n\n"
		     "      --socket PATH   the agent's API socket (default: $HORNET_SOCKET or\n"
		     "                      /run/hornet/hornet.sock)\n"
		     "  -o, --output FMT    text (default) or json\n"
		     "  -h, --help          show this help\n");
}

int hornet_cmd_loglevel(int argc, char **argv)
{
	const char *sock = NULL, *fmt = "text", *prev;
	enum hornet_log_level level;
	json_t *req, *reply;
	int ret;

	ret = hornet_cli_basic_opts(argc, argv, "loglevel", usage, &sock, &fmt);
	if (ret >= 0)
		return ret;
	/* Tetragon's spelling: tetra loglevel get, tetra loglevel set LEVEL */
	if (optind < argc && (!strcmp(argv[optind], "get") && argc - optind == 1))
		optind++;
	else if (optind < argc && !strcmp(argv[optind], "set") && argc - optind == 2)
		optind++;
	if (argc - optind > 1) {
		fprintf(stderr,
			"hornet loglevel: one level at most (see 'hornet loglevel --help')\n");
		return 2;
	}
	if (optind < argc && hornet_log_level_parse(argv[optind], &level)) {
		fprintf(stderr, "hornet loglevel: '%s': use error, warn, info or debug\n",
			argv[optind]);
		return 2;
	}
	req = optind < argc ? json_pack("{s:s, s:s}", "command", "log_level", "level", argv[optind])
			    : json_pack("{s:s}", "command", "log_level");
	reply = hornet_cli_call("loglevel", hornet_cli_socket(sock), req);
	json_decref(req);
	if (!reply)
		return 1;
	if (!strcmp(fmt, "json")) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		printf("\n");
	} else {
		prev = json_string_value(json_object_get(reply, "previous"));
		printf("log level: %s", json_string_value(json_object_get(reply, "level")));
		if (prev)
			printf(" (was %s)", prev);
		printf("\n");
	}
	json_decref(reply);
	return 0;
}
