// SPDX-License-Identifier: GPL-2.0
/*
 * hornet cleanup: removes what an agent left pinned on the BPF file system
 * (util/bpffs.h): the programs --keep-enforcement keeps enforcing while no
 * agent runs, and the process table. Refuses while an agent runs with the
 * directory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/bpffs.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet cleanup [OPTIONS]\n\n"
		"Removes what a stopped or killed agent left pinned on the BPF file system:\n"
		"the programs that --keep-enforcement keeps killing and denying while no\n"
		"agent runs, and the process table the next agent reads exec_ids from.\n"
		"Root only; refuses while an agent runs with the directory. Exit status 0\n"
		"when nothing of hornet's is left pinned there (nothing to do included).\n\n"
		"      --bpffs-dir DIR   the agent's --bpffs-dir (default: " HORNET_BPFFS_DIR ")\n"
		"  -h, --help            show this help\n");
}

int hornet_cmd_cleanup(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "bpffs-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = HORNET_BPFFS_DIR;
	struct hornet_bpffs_removed rm;
	int c, fd, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "hornet cleanup: see 'hornet cleanup --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"hornet cleanup: unexpected argument '%s'; see 'hornet cleanup "
			"--help'\n",
			argv[optind]);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "hornet cleanup: must run as root (pins on the BPF file system are "
				"root's); try 'sudo hornet cleanup'\n");
		return 1;
	}
	fd = hornet_bpffs_lock(dir, false);
	if (fd == -ENOENT) {
		printf("hornet cleanup: nothing pinned ('%s' does not exist)\n", dir);
		return 0;
	}
	if (fd == -EWOULDBLOCK) {
		fprintf(stderr,
			"hornet cleanup: an agent is running with '%s'; stop it first (it "
			"removes its pins itself when it starts again)\n",
			dir);
		return 1;
	}
	if (fd == -ENOTDIR) {
		fprintf(stderr,
			"hornet cleanup: '%s' is not on a BPF file system: not hornet's; "
			"give the agent's --bpffs-dir\n",
			dir);
		return 1;
	}
	if (fd < 0) {
		fprintf(stderr, "hornet cleanup: '%s': %s\n", dir, strerror(-fd));
		return 1;
	}
	err = hornet_bpffs_clear(fd, &rm);
	/* locked until removed: an agent starting now waits for nothing and
	 * makes the directory again */
	if (!err && rmdir(dir) && errno != ENOENT)
		err = -errno;
	close(fd);
	if (err) {
		fprintf(stderr,
			"hornet cleanup: '%s': %s (removed %u links and %u other pins before it)\n",
			dir, strerror(-err), rm.links, rm.other);
		return 1;
	}
	if (!rm.links && !rm.other)
		printf("hornet cleanup: nothing was pinned in '%s'; removed it\n", dir);
	else
		printf("hornet cleanup: removed %u pinned link%s (programs that enforced while no "
		       "agent ran) and %u pinned map%s (the process table) from '%s'\n",
		       rm.links, rm.links == 1 ? "" : "s", rm.other, rm.other == 1 ? "" : "s", dir);
	return 0;
}
