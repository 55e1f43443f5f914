// SPDX-License-Identifier: GPL-2.0
/*
 * Export filters and field filters: the input up to its first NUL is the
 * text of --export-allowlist (and of --field-filters), the rest an event
 * line. Each parser either takes the text or says why; a filter then
 * answers for any line, and field filters leave a JSON object one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export/fieldfilter.h"
#include "export/filter.h"

static const char *const types[] = { "process_exec", "process_exit", "process_kprobe" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - (const char *)data) : size;
	char *text = strndup((const char *)data, tlen), err[512];
	const char *line = nul ? nul + 1 : "{}";
	size_t len = nul ? size - tlen - 1 : 2, i;
	struct hornet_export_filter *f;
	struct hornet_field_filters *ff;

	if (!text)
		return 0;
	memset(err, 'X', sizeof(err));
	f = hornet_export_filter__new(text, HORNET_FILTER_ANCESTORS, err, sizeof(err));
	if (!f && errno == EINVAL && (!memchr(err, '\0', sizeof(err)) || !err[0]))
		abort(); /* a refusal always says why */
	for (i = 0; f && i < 3; i++) {
		hornet_export_filter_pass(f, NULL, types[i], line, len);
		hornet_export_filter_pass(NULL, f, types[i], line, len);
	}
	hornet_export_filter__free(f);
	memset(err, 'X', sizeof(err));
	ff = hornet_field_filters__new(text, err, sizeof(err));
	free(text);
	if (!ff) {
		if (errno == EINVAL && (!memchr(err, '\0', sizeof(err)) || !err[0]))
			abort();
		return 0;
	}
	for (i = 0; i < 3; i++) {
		size_t n;
		char *out = hornet_field_filters__apply(ff, types[i], line, len, &n);
		json_t *in = json_loadb(line, len, 0, NULL), *o;

		if (!out)
			abort();
		/* a JSON object stays one */
		o = json_is_object(in) ? json_loadb(out, n, 0, NULL) : NULL;
		if (json_is_object(in) && !json_is_object(o))
			abort();
		json_decref(o);
		json_decref(in);
		free(out);
	}
	hornet_field_filters__free(ff);
	return 0;
}
