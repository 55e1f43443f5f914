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

#include "support.h"
#include "util/args.h"

/* format(block) then parse must give @want back. */
static void check(const char *block, size_t len, bool skip, const char *want, size_t want_len)
{
	char *s = hornet_args_format(block, len, skip), *back;
	bool terminated = !want_len || want[want_len - 1] == '\0';
	size_t back_len = 0;

	if (!s)
		abort();
	if (!ref_utf8_printable(s))
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
