/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_UTIL_UTF8_H
#define HORNET_UTIL_UTF8_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at @s (1 to 4), or 0 when the bytes
 * there are not one: a stray continuation byte, a truncated sequence, an
 * overlong form, a surrogate (U+D800..U+DFFF) or a code point above
 * U+10FFFF (RFC 3629). @n is the number of bytes available; must be > 0.
 */
static inline size_t hornet_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0; /* continuation byte, overlong 2-byte lead, or beyond U+10FFFF */
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (c == 0xe0 && s[1] < 0xa0)
		return 0; /* overlong 3-byte form */
	if (c == 0xed && s[1] > 0x9f)
		return 0; /* surrogate */
	if (c == 0xf0 && s[1] < 0x90)
		return 0; /* overlong 4-byte form */
	if (c == 0xf4 && s[1] > 0x8f)
		return 0; /* above U+10FFFF */
	return len;
}

#endif
