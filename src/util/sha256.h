/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4), for the digests of files: uprobe binaryDigests and
 * the hashes events carry where the kernel's IMA gives none. Small and
 * dependency-free; a file is hashed once per use, not on the event path.
 */
#ifndef HORNET_UTIL_SHA256_H
#define HORNET_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HORNET_SHA256_LEN 32
#define HORNET_SHA256_HEX (2 * HORNET_SHA256_LEN + 1)

struct hornet_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes so far */
	uint8_t buf[64];
	size_t n; /* bytes in buf */
};

void hornet_sha256_init(struct hornet_sha256 *s);
void hornet_sha256_update(struct hornet_sha256 *s, const void *data, size_t len);
void hornet_sha256_final(struct hornet_sha256 *s, uint8_t out[HORNET_SHA256_LEN]);

/* The digest of the file @path as lowercase hex; 0 or -errno. */
int hornet_sha256_file_hex(const char *path, char hex[HORNET_SHA256_HEX]);

/*
 * The same, remembered per file identity (device, inode, size, change time)
 * in a small table, so a file seen again is not read again; changed, it is.
 * Not thread-safe: for the agent's event loop.
 */
int hornet_sha256_file_cached(const char *path, char hex[HORNET_SHA256_HEX]);

#endif
