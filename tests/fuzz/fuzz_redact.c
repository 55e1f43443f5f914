// SPDX-License-Identifier: GPL-2.0
/*
 * Redaction filters: the input up to its first NUL is the text of
 * --redaction-filters, the rest a process's arguments (and its binary).
 * hornet_redact__new() either compiles the text or says why; the filters then
 * return a string for any arguments (PCRE2's match limit bounds the time a
 * pattern may take), and a string they changed has "*****" in it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "process/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - (const char *)data) : size;
	char *text = strndup((const char *)data, tlen), *args, *copy, *got;
	struct hornet_redact *r;
	char err[512];

	if (!text)
		return 0;
	memset(err, 'X', sizeof(err));
	r = hornet_redact__new(text, err, sizeof(err));
	free(text);
	if (!r) {
		if (errno == EINVAL && (!memchr(err, '\0', sizeof(err)) || !err[0]))
			abort(); /* a refusal always says why */
		return 0;
	}
	if (!hornet_redact__filters(r))
		abort();
	args = nul ? strndup(nul + 1, size - tlen - 1) : strdup("--password=x");
	if (!args)
		abort();
	copy = strdup(args);
	if (!copy)
		abort();
	/* the arguments as the binary's name too: binary_regex is fuzzed with them */
	got = hornet_redact__args(r, args, copy);
	if (!got)
		abort();
	if (strcmp(got, args) && !strstr(got, HORNET_REDACTED))
		abort();
	free(got);
	free(args);
	hornet_redact__free(r);
	return 0;
}
