// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "support.h"

size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len, i;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

size_t ref_utf8_repair(const unsigned char *in, size_t n, char *out)
{
	size_t i = 0, o = 0, l;

	while (i < n) {
		l = ref_utf8_len(in + i, n - i);
		if (l) {
			memcpy(out + o, in + i, l);
			o += l;
			i += l;
		} else {
			memcpy(out + o, FFFD, 3);
			o += 3;
			i++;
		}
	}
	return o;
}

bool ref_utf8_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), l;

	while (n) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		l = ref_utf8_len(p, n);
		if (!l)
			return false;
		p += l;
		n -= l;
	}
	return true;
}

void unit_print_bytes(const char *what, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	printf("    %s (%zu): \"", what, n);
	for (i = 0; i < n; i++) {
		if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\')
			putchar(b[i]);
		else
			printf("\\x%02x", b[i]);
	}
	printf("\"\n");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

void unit_rng_seed(uint64_t seed)
{
	rng_state = seed;
}

uint64_t unit_rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}
