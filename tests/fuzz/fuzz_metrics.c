// SPDX-License-Identifier: GPL-2.0
/*
 * hornet_metrics_render() on replies of any shape: the input, when it is
 * JSON, is the status reply and (its "policy_list" member, or itself) the
 * policy list. The page must be UTF-8 without NUL, every line a comment or
 * a sample ending in a newline, and no series (a sample's name and labels)
 * twice, since a scraper drops the whole page for any of these.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "support.h"
#include "web/metrics.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_page(char *buf, size_t len)
{
	char **series = NULL, *line, *end, *sp;
	size_t i, n = 0, l;

	for (i = 0; i < len; i += l) {
		l = ref_utf8_len((const unsigned char *)buf + i, len - i);
		if (!l || !buf[i])
			abort();
	}
	if (len && buf[len - 1] != '\n')
		abort();
	series = calloc(len / 2 + 1, sizeof(*series));
	if (!series)
		abort();
	for (line = buf; line < buf + len; line = end + 1) {
		end = memchr(line, '\n', buf + len - line);
		*end = 0;
		if (line[0] == '#') {
			if (strncmp(line, "# HELP ", 7) && strncmp(line, "# TYPE ", 7))
				abort();
			continue;
		}
		sp = strrchr(line, ' ');
		if (!sp || sp == line || !((line[0] >= 'a' && line[0] <= 'z') || line[0] == '_'))
			abort();
		*sp = 0; /* the series: name and labels, without the value */
		series[n++] = line;
	}
	qsort(series, n, sizeof(*series), cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(series[i - 1], series[i]))
			abort();
	free(series);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
	json_t *pl = json_object_get(root, "policy_list");
	struct hornet_metrics_src src = {
		.status = root,
		.policies = pl ? pl : root,
		.label_filter = size && data[0] & 1 ? "namespace,binary,node_name" : NULL,
	};
	struct hornet_json out;

	hornet_json_init(&out);
	if (hornet_metrics_render(&out, &src) && !out.failed)
		abort(); /* only memory can fail it */
	if (!out.failed)
		check_page(out.buf, out.len);
	hornet_json_free(&out);
	json_decref(root);
	return 0;
}
