// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc parsers on arbitrary bytes: they must not read past the buffer
 * (libFuzzer's copy of the input is exactly @size bytes, so ASan sees any
 * overread), and what they return must be consistent with the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "process/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct hornet_creds creds;
	struct hornet_caps caps;
	unsigned int flags;
	uint64_t start;
	pid_t ppid;
	char *path = NULL;
	uint32_t inum;
	int err;

	err = hornet_procfs_parse_stat(buf, size, &ppid, &start, &flags);
	if (err && err != -EINVAL)
		abort();
	if (!err && ppid < 0)
		abort();

	err = hornet_procfs_parse_status(buf, size, &creds, &caps);
	if (err && err != -EINVAL)
		abort();

	err = hornet_procfs_parse_ns_link(buf, size, &inum);
	if (err && err != -EINVAL)
		abort();
	/* the number ends the text, right before its ']' */
	if (!err && (size < 3 || buf[size - 1] != ']'))
		abort();

	err = hornet_procfs_parse_cgroup(buf, size, &path);
	if (!err) {
		/* a path is one line of the input, after "0::" */
		if (!path || strchr(path, '\n') || strlen(path) + 3 > size)
			abort();
		if (!memmem(buf, size, path, strlen(path)))
			abort();
		free(path);
	} else if (err != -ENOENT && err != -EINVAL && err != -ENOMEM) {
		abort();
	}
	return 0;
}
