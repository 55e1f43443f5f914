/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_UTIL_BASE64_H
#define HORNET_UTIL_BASE64_H

#include <stddef.h>

/* Bytes needed to encode @len bytes, with the terminating NUL. */
#define HORNET_BASE64_SIZE(len) ((((len) + 2) / 3) * 4 + 1)

/*
 * Standard base64 (RFC 4648, with padding) of @src into @dst, NUL-terminated.
 * Returns the encoded length, or 0 when @dst_size is too small (then @dst is
 * left empty if it has room for the NUL).
 */
size_t hornet_base64_encode(const void *src, size_t len, char *dst, size_t dst_size);

/*
 * Decodes standard base64 (padding required); returns the decoded length,
 * or -1 on malformed input or when @dst_size is too small.
 */
long hornet_base64_decode(const char *src, size_t len, void *dst, size_t dst_size);

#endif
