/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hornet's directory on the BPF file system (/sys/fs/bpf/hornet by
 * default): what outlives the agent. The process table is pinned there
 * always (the next agent reads exec times from it); with
 * --keep-enforcement, the links of the exec sensor and of every enforcing
 * hook point too. An agent holds an flock(2) on the directory while it
 * runs: the next agent and `hornet cleanup` take it to know none runs.
 */
#ifndef HORNET_UTIL_BPFFS_H
#define HORNET_UTIL_BPFFS_H

#include <stdbool.h>
#include <stddef.h>

#define HORNET_BPFFS_DIR "/sys/fs/bpf/hornet"
#define HORNET_BPFFS_PROCS "procs" /* the process table's pin */

/* What a pin's name says it is: link pins start with "link_". */
#define HORNET_BPFFS_LINK_PREFIX "link_"

/*
 * Opens @dir and locks it (flock, without waiting); with @create, first
 * mounts a BPF file system on the parent when it is not one, and makes
 * @dir. Returns the descriptor, -EWOULDBLOCK when another process (an
 * agent) holds the lock, -ENOENT when @dir does not exist and !@create,
 * -ENOTDIR when @dir is not on a BPF file system, or another -errno.
 */
int hornet_bpffs_lock(const char *dir, bool create);

/* Counts of what hornet_bpffs_clear() removed. */
struct hornet_bpffs_removed {
	unsigned int links; /* pins named link_* */
	unsigned int other; /* maps and anything else */
};

/*
 * Removes every pin in @dir_fd (a directory hornet_bpffs_lock() opened), and
 * subdirectories with theirs. Returns 0 or the first -errno; counts in @out.
 */
int hornet_bpffs_clear(int dir_fd, struct hornet_bpffs_removed *out);

/* Writes "@dir/@name" into @buf; returns 0 or -ENAMETOOLONG. */
int hornet_bpffs_path(char *buf, size_t size, const char *dir, const char *name);

#endif /* HORNET_UTIL_BPFFS_H */
