// SPDX-License-Identifier: GPL-2.0
/*
 * hornet: eBPF security observability and runtime enforcement.
 * One binary; the first argument names the subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "agent", hornet_cmd_agent, "run the agent (the daemon) in the foreground" },
	{ "events", hornet_cmd_events, "print events from the agent or from an exported file" },
	{ "status", hornet_cmd_status, "show the agent's health, counters and sensors" },
	{ "policy", hornet_cmd_policy, "add, delete, list, switch and check TracingPolicies" },
	{ "profile", hornet_cmd_profile,
	  "record what a workload does and write the policy that allows just that" },
	{ "oci-hook", hornet_cmd_oci_hook,
	  "OCI createRuntime hook: tell the agent of a new container" },
	{ "pods", hornet_cmd_pods, "list the pods and containers the agent knows" },
	{ "ui", hornet_cmd_ui, "serve the web page over an event store, without an agent" },
	{ "cleanup", hornet_cmd_cleanup,
	  "remove what an agent left pinned (--keep-enforcement's programs, the process table)" },
	{ "probe", hornet_cmd_probe, "show which BPF features this kernel has, by trying them" },
	{ "loglevel", hornet_cmd_loglevel, "show or change the running agent's log level" },
	{ "bugtool", hornet_cmd_bugtool,
	  "gather status, policies, maps, the log tail and kernel features in one archive" },
	{ "version", hornet_cmd_version, "print the version" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: hornet COMMAND [OPTIONS]\n\n"
		     "eBPF security observability and runtime enforcement.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nRun 'hornet COMMAND --help' for the options of one command.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return hornet_cmd_version(1, argv + 1);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hornet: unknown command '%s'; run 'hornet --help' for the list\n",
		argv[1]);
	return 2;
}
