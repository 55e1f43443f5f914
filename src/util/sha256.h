/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4), for the hash of executed binaries
 * (process/binhash.h) and anything else that needs a file's digest. Small
 * and self-contained, so that the static build needs no libcrypto.
 */
#ifndef HORNET_UTIL_SHA256_H
#define HORNET_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HORNET_SHA256_LEN 32
#define HORNET_SHA256_HEX (2 * HORNET_SHA256_LEN + 1)

struct hornet_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t used;
};

void hornet_sha256_init(struct hornet_sha256 *c);
void hornet_sha256_update(struct hornet_sha256 *c, const void *data, size_t len);
void hornet_sha256_final(struct hornet_sha256 *c, uint8_t out[HORNET_SHA256_LEN]);
/* Lower-case hex of @digest, NUL-terminated. */
void hornet_sha256_hex(const uint8_t digest[HORNET_SHA256_LEN], char out[HORNET_SHA256_HEX]);
/* The digest of what @fd reads from its start (a regular file) to its end: 0 or
 * -errno. With libcrypto's code where the machine has it. */
int hornet_sha256_fd(int fd, uint8_t out[HORNET_SHA256_LEN]);
/* The digest of the file @path as lower-case hex: 0 or -errno. */
int hornet_sha256_file_hex(const char *path, char hex[HORNET_SHA256_HEX]);

#endif
