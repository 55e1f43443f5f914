// SPDX-License-Identifier: GPL-2.0
/* hornet pods: the pods and containers in the agent's workload store. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: hornet pods [OPTIONS]\n\n"
		     "Lists the pods the agent knows (from the Kubernetes API with\n"
		     "--enable-k8s-api, and from the OCI hook) with their labels, workload and\n"
		     "containers.\n\n"
		     "  -o, --output FORMAT   text (default) or json\n"
		     "      --socket PATH     the agent's API socket (default: $HORNET_SOCKET or\n"
		     "                        /run/hornet/hornet.sock)\n"
		     "  -h, --help            show this help\n");
}

static void print_text(json_t *pods)
{
	json_t *p, *c, *v;
	const char *key;
	size_t i, k;

	printf("%-40s %-24s %s\n", "POD", "WORKLOAD", "LABELS");
	json_array_foreach(pods, i, p)
	{
		char pod[512], wl[512];
		int first = 1;

		snprintf(pod, sizeof(pod), "%s/%s",
			 json_string_value(json_object_get(p, "namespace")),
			 json_string_value(json_object_get(p, "name")));
		snprintf(wl, sizeof(wl), "%s/%s",
			 json_string_value(json_object_get(p, "workload_kind")),
			 json_string_value(json_object_get(p, "workload")));
		printf("%-40s %-24s ", pod, wl);
		json_object_foreach(json_object_get(p, "labels"), key, v)
		{
			printf("%s%s=%s", first ? "" : ",", key, json_string_value(v));
			first = 0;
		}
		printf("\n");
		json_array_foreach(json_object_get(p, "containers"), k, c)
		{
			const char *id = json_string_value(json_object_get(c, "id"));

			printf("    %-20s %.12s %s\n",
			       json_string_value(json_object_get(c, "name")),
			       id && id[0] ? id : "-",
			       json_string_value(json_object_get(c, "image")));
		}
	}
}

int hornet_cmd_pods(int argc, char **argv)
{
	const char *fmt = "text", *sock = NULL;
	json_t *req, *reply;
	int ret;

	ret = hornet_cli_basic_opts(argc, argv, "pods", usage, &sock, &fmt);
	if (ret >= 0)
		return ret;
	if (optind < argc) {
		fprintf(stderr, "hornet pods: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	req = json_pack("{s:s}", "command", "pods");
	reply = req ? hornet_cli_call("pods", hornet_cli_socket(sock), req) : NULL;
	json_decref(req);
	if (!reply)
		return 1;
	if (!strcmp(fmt, "json")) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		printf("\n");
	} else {
		print_text(json_object_get(reply, "pods"));
	}
	json_decref(reply);
	return 0;
}
