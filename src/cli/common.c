// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "cli/cli.h"

const char *hornet_cli_socket(const char *flag)
{
	const char *env = getenv("HORNET_SOCKET");

	if (flag)
		return flag;
	return env && env[0] ? env : HORNET_DEFAULT_SOCKET;
}

void hornet_cli_no_agent(const char *socket, int err)
{
	if (err == ENOENT || err == ECONNREFUSED)
		fprintf(stderr,
			"hornet: no agent answers at '%s' (%s); start one with 'sudo hornet agent' "
			"or point --socket at its socket\n",
			socket, strerror(err));
	else if (err == EACCES || err == EPERM)
		fprintf(stderr,
			"hornet: cannot connect to '%s': %s (the API socket is root's: use sudo)\n",
			socket, strerror(err));
	else
		fprintf(stderr, "hornet: cannot connect to '%s': %s\n", socket, strerror(err));
}
