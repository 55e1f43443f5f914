// SPDX-License-Identifier: GPL-2.0
/*
 * Standard base64 (RFC 4648 section 4): the "+/" alphabet with '=' padding.
 * The decoder is strict: the length must be a multiple of 4, padding may only
 * end the input, and the bits that padding leaves over must be zero, so that
 * every byte string has exactly one encoding.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/base64.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t hornet_base64_encode(const void *src, size_t len, char *dst, size_t dst_size)
{
	const unsigned char *in = src;
	size_t need, i, o = 0;

	/* Reject lengths whose encoded size does not fit a size_t. */
	if (len > (SIZE_MAX - 1) / 4 * 3 - 2)
		goto too_small;
	need = HORNET_BASE64_SIZE(len);
	if (!dst || dst_size < need)
		goto too_small;

	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		dst[o++] = b64_alphabet[(v >> 18) & 0x3f];
		dst[o++] = b64_alphabet[(v >> 12) & 0x3f];
		dst[o++] = b64_alphabet[(v >> 6) & 0x3f];
		dst[o++] = b64_alphabet[v & 0x3f];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		dst[o++] = b64_alphabet[(v >> 18) & 0x3f];
		dst[o++] = b64_alphabet[(v >> 12) & 0x3f];
		dst[o++] = '=';
		dst[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		dst[o++] = b64_alphabet[(v >> 18) & 0x3f];
		dst[o++] = b64_alphabet[(v >> 12) & 0x3f];
		dst[o++] = b64_alphabet[(v >> 6) & 0x3f];
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;

too_small:
	if (dst && dst_size)
		dst[0] = '\0';
	return 0;
}

/* The 6-bit value of @c, or -1 when it is not in the alphabet. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long hornet_base64_decode(const char *src, size_t len, void *dst, size_t dst_size)
{
	const unsigned char *in = (const unsigned char *)src;
	unsigned char *out = dst;
	size_t i, o = 0, pad = 0, out_len;

	if (len % 4)
		return -1;
	if (len == 0)
		return 0;
	if (!src)
		return -1;
	if (in[len - 1] == '=')
		pad++;
	if (in[len - 2] == '=')
		pad++;
	out_len = len / 4 * 3 - pad;
	if (out_len > (unsigned long)LONG_MAX || out_len > dst_size || (out_len && !dst))
		return -1;

	for (i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);
		int c = b64_value(in[i + 2]), d = b64_value(in[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0)
			return -1;
		if (last && pad == 2) {
			/* "xx==": one byte, the low 4 bits of b unused */
			if (b & 0x0f)
				return -1;
			out[o++] = (unsigned char)(a << 2 | b >> 4);
			break;
		}
		if (c < 0)
			return -1;
		if (last && pad == 1) {
			/* "xxx=": two bytes, the low 2 bits of c unused */
			if (c & 0x03)
				return -1;
			v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			break;
		}
		if (d < 0)
			return -1;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	return (long)o;
}
