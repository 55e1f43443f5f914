/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_UTIL_CGROUP2_H
#define HORNET_UTIL_CGROUP2_H

#include <stddef.h>

/* The mount point of the cgroup v2 hierarchy ("/sys/fs/cgroup", or
 * "/sys/fs/cgroup/unified" on hybrid hosts), from /proc/self/mountinfo.
 * Returns 0, or -ENOENT when none is mounted. */
int hornet_cgroup2_root(char *out, size_t size);

#endif
