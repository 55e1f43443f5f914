// SPDX-License-Identifier: GPL-2.0
/*
 * hornet_args_format() and hornet_args_parse() are inverses: for any argv
 * block, parse(format(block)) gives the block back, and the string in
 * between is printable, valid UTF-8. The input is used both as a block and
 * as a string to parse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/args.h"

/* An independent UTF-8 check: decode each code point and test its range. */
static bool valid_utf8_text(const unsigned char *s)
{
	while (*s) {
		uint32_t cp, min;
		int n, i;

		if (*s < 0x20 || *s == 0x7f)
			return false;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 2;
			cp = *s & 0x1f;
			min = 0x80;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 3;
			cp = *s & 0x0f;
			min = 0x800;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 4;
			cp = *s & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false; /* also stops at the NUL */
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

/* format(block) then parse must give @want back. */
static void check(const char *block, size_t len, bool skip, const char *want, size_t want_len)
{
	char *s = hornet_args_format(block, len, skip), *back;
	bool terminated = !want_len || want[want_len - 1] == '\0';
	size_t back_len = 0;

	if (!s)
		abort();
	if (!valid_utf8_text((const unsigned char *)s))
		abort();
	back = hornet_args_parse(s, &back_len);
	if (!back)
		abort();
	if (back_len != (terminated ? want_len : want_len + 1))
		abort();
	if (memcmp(back, want, want_len))
		abort();
	if (!terminated && back[want_len] != '\0')
		abort();
	free(back);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *block = (const char *)data;
	const char *nul = memchr(block, '\0', size);
	size_t rest = nul ? (size_t)(nul - block) + 1 : size;
	char *str, *parsed, *again, *twice;
	size_t plen = 0, tlen = 0;

	check(block, size, false, block, size);
	check(block, size, true, block + rest, size - rest);

	/* as a string: whatever parses must survive another round */
	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	parsed = hornet_args_parse(str, &plen);
	if (parsed) {
		if (plen && parsed[plen - 1] != '\0')
			abort();
		if (plen > strlen(str) + 1)
			abort();
		again = hornet_args_format(parsed, plen, false);
		if (!again)
			abort();
		twice = hornet_args_parse(again, &tlen);
		if (!twice || tlen != plen || memcmp(twice, parsed, plen))
			abort();
		free(twice);
		free(again);
		free(parsed);
	}
	free(str);
	return 0;
}
