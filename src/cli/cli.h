/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands of the hornet binary. Each takes its own argv (argv[0] is
 * the subcommand's name) and returns the process exit status: 0 success,
 * 1 failure, 2 usage error.
 */
#ifndef HORNET_CLI_CLI_H
#define HORNET_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

int hornet_cmd_agent(int argc, char **argv);
int hornet_cmd_events(int argc, char **argv);
int hornet_cmd_status(int argc, char **argv);
int hornet_cmd_probe(int argc, char **argv);
int hornet_cmd_policy(int argc, char **argv);
int hornet_cmd_version(int argc, char **argv);
int hornet_cmd_oci_hook(int argc, char **argv);
int hornet_cmd_pods(int argc, char **argv);
int hornet_cmd_ui(int argc, char **argv);
int hornet_cmd_cleanup(int argc, char **argv);
int hornet_cmd_loglevel(int argc, char **argv);
int hornet_cmd_bugtool(int argc, char **argv);
int hornet_cmd_profile(int argc, char **argv);

/* The socket the CLI talks to: --socket, else $HORNET_SOCKET, else the default. */
const char *hornet_cli_socket(const char *flag);

/* -o of a command that prints text or JSON: true if @fmt is one of them, else
 * false after saying so on stderr, prefixed with "hornet @cmd". */
bool hornet_cli_text_or_json(const char *cmd, const char *fmt);

/*
 * The options of a command that takes --socket PATH, -o/--output text|json and
 * -h/--help only, into *@sock and *@fmt: -1 to go on, else the exit code (0
 * after --help, 2 after a bad option). Arguments are left from optind on.
 */
int hornet_cli_basic_opts(int argc, char **argv, const char *cmd, void (*usage)(FILE *out),
			  const char **sock, const char **fmt);

/* A message for a failed connection to the agent, on stderr, prefixed with "hornet @cmd". */
void hornet_cli_no_agent(const char *cmd, const char *socket, int err);

/*
 * Sends @req to the agent and returns its reply, or NULL after printing why
 * (no agent, the agent's error) prefixed with "hornet @cmd".
 */
json_t *hornet_cli_call(const char *cmd, const char *sock, json_t *req);

#endif
