// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/config.h"
#include "cli/cli.h"

int hornet_cmd_agent(int argc, char **argv)
{
	struct hornet_config cfg;
	char err[1024] = "";
	int ret;

	if (hornet_config_init(&cfg)) {
		fprintf(stderr, "hornet agent: out of memory\n");
		return 1;
	}
	ret = hornet_config_load(&cfg, argc, argv, err, sizeof(err));
	if (ret) {
		hornet_config_free(&cfg);
		if (ret > 0)
			return 0;
		fprintf(stderr, "hornet agent: %s\n", err);
		return 2;
	}
	if (geteuid() != 0)
		fprintf(stderr, "hornet agent: not running as root; loading BPF programs will "
				"likely fail (run with sudo)\n");
	ret = hornet_agent_run(&cfg);
	hornet_config_free(&cfg);
	return ret ? 1 : 0;
}
