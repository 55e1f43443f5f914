/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SHA-256 of executed binaries (--enable-binary-hash), computed in user
 * space once per file identity (device, inode, size, mtime, ctime) and kept
 * in a bounded cache: a host runs the same few binaries again and again, so
 * after the first exec of each, an exec costs a stat() and a lookup. A file rewritten in place changes its mtime and ctime, and is
 * hashed anew. Not thread-safe: the agent's event loop is the only user.
 */
#ifndef HORNET_PROCESS_BINHASH_H
#define HORNET_PROCESS_BINHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "util/sha256.h"

/* "sha256:" and the hex digest, as Tetragon writes IMA hashes */
#define HORNET_BINHASH_LEN (7 + HORNET_SHA256_HEX)

struct hornet_binhash;

struct hornet_binhash_stats {
	uint64_t hits; /* answered from the cache */
	uint64_t hashed; /* files read and hashed */
	uint64_t bytes; /* bytes hashed */
	uint64_t errors; /* no hash: not found, unreadable, too large, not a regular file */
};

/* A cache of @capacity entries (rounded up to a power of two); files larger
 * than @max_size are not hashed. NULL with errno set on failure. */
struct hornet_binhash *hornet_binhash__new(size_t capacity, uint64_t max_size);
void hornet_binhash__free(struct hornet_binhash *c);

/*
 * "sha256:<hex>" of the file at @path (in the agent's mount namespace),
 * found with stat(2), so that a file the cache has is not opened; opened only
 * to be hashed, when its identity then is still the one found. 0, or -errno:
 * -EFBIG over the size limit, -EINVAL not a regular file.
 */
int hornet_binhash__path(struct hornet_binhash *c, const char *path, char out[HORNET_BINHASH_LEN]);

/*
 * The hash of @binary as process @pid sees it: when @host_root (the
 * process shares the agent's mount namespace), the path itself first; then
 * its path under /proc/PID/root, else /proc/PID/exe (a deleted file). The
 * file is found with stat(2), and opened only to be hashed, when its
 * identity then is still the one found.
 * @ino, when not 0, is the executed file's inode: a file found by its path
 * with another inode (replaced since) is not taken.
 */
int hornet_binhash__process(struct hornet_binhash *c, uint32_t pid, const char *binary,
			    uint64_t ino, bool host_root, char out[HORNET_BINHASH_LEN]);

void hornet_binhash__stats(const struct hornet_binhash *c, struct hornet_binhash_stats *s);

#endif
