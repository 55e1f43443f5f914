// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli/cli.h"

int hornet_cmd_version(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fmt = "text";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			fmt = optarg;
			break;
		case 'h':
			printf("Usage: hornet version [-o text|json]\n\n"
			       "Prints hornet's version, the git revision it was built from and "
			       "the\n"
			       "libbpf it runs with.\n\n"
			       "  -o, --output FORMAT   text (default) or json\n"
			       "  -h, --help            show this help\n");
			return 0;
		default:
			fprintf(stderr, "hornet version: see 'hornet version --help'\n");
			return 2;
		}
	}
	if (!hornet_cli_text_or_json("version", fmt))
		return 2;
	if (!strcmp(fmt, "json")) {
		printf("{\"version\":\"%s\",\"git\":\"%s\",\"libbpf\":\"%s\"}\n", HORNET_VERSION,
		       HORNET_GIT_REV, libbpf_version_string());
	} else {
		printf("hornet %s (git %s, libbpf %s)\n", HORNET_VERSION, HORNET_GIT_REV,
		       libbpf_version_string());
	}
	return 0;
}
