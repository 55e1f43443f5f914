// SPDX-License-Identifier: GPL-2.0
/*
 * The store's one-pass reader of event lines (store/line.h) on any bytes:
 * no read outside the line, every span inside it, a decoded span never
 * longer than its text, and on what jansson reads as a JSON object (nested
 * no deeper than the reader's 32 levels), the same verdict and the same
 * node_name.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "store/line.h"

static void check_span(const struct hornet_span *sp, const char *line, size_t len)
{
	char *buf;
	size_t n;

	if (!sp->s)
		return;
	if (sp->s < line || sp->s + sp->n > line + len)
		abort();
	buf = malloc(sp->n + 1);
	if (!buf)
		abort();
	n = hornet_span_copy(sp, buf);
	if (n > sp->n || buf[n])
		abort();
	free(buf);
}

/* Does @sp decode to jansson's string @v (one without NUL)? */
static bool same(const struct hornet_span *sp, json_t *v)
{
	size_t n = json_string_length(v);
	char *buf;
	bool eq;

	if (!sp->s)
		return false;
	buf = malloc(sp->n + 1);
	if (!buf)
		abort();
	eq = hornet_span_copy(sp, buf) == n && !memcmp(buf, json_string_value(v), n);
	free(buf);
	return eq;
}

static void scan(void *ctx, const uint8_t *p, size_t n)
{
	struct hornet_line *l = ctx;
	const char *line = (const char *)p;
	int i, rc;

	rc = hornet_line_scan(line, n, l);
	check_span(&l->type, line, n);
	check_span(&l->node, line, n);
	check_span(&l->time, line, n);
	check_span(&l->policy, line, n);
	check_span(&l->question, line, n);
	check_span(&l->proc.binary, line, n);
	check_span(&l->proc.exec_id, line, n);
	check_span(&l->parent.arguments, line, n);
	for (i = 0; i < l->nargs; i++) {
		check_span(&l->args[i].str, line, n);
		check_span(&l->args[i].label, line, n);
		check_span(&l->args[i].cookie, line, n);
	}
	for (i = 0; i < l->nanswers; i++)
		check_span(&l->answers[i].data, line, n);
	(void)rc;
}

/* Opening brackets: an upper bound of the nesting depth. */
static size_t brackets(const uint8_t *data, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < size; i++)
		n += data[i] == '{' || data[i] == '[';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hornet_line *l = malloc(sizeof(*l));
	json_t *root, *node;
	int rc;

	if (!l)
		abort();
	fuzz_each_cut(data, size, scan, l);
	rc = hornet_line_scan((const char *)data, size, l);
	root = json_loadb((const char *)data, size, 0, NULL);
	if (json_is_object(root) && brackets(data, size) <= 32) {
		if (rc)
			abort(); /* jansson reads it, the store must too */
		node = json_object_get(root, "node_name");
		if (json_is_string(node) && !same(&l->node, node))
			abort();
	}
	json_decref(root);
	free(l);
	return 0;
}
