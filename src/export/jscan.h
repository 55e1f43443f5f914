/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a few members of a JSON line without parsing all of it: a value
 * is a span of the text, and a member is found by skipping the others.
 * For the export filters (export/filter.c), which test a handful of fields
 * of every event: building the whole tree (jansson) cost ten times what
 * exporting the line did. The text must be valid JSON (the agent's own
 * lines); on anything else the spans are empty, never out of bounds.
 */
#ifndef HORNET_EXPORT_JSCAN_H
#define HORNET_EXPORT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A value's text; p NULL for none (a missing member). For an object or an
 * array found by hornet_jv_of() or hornet_jv_get(), end is only an upper
 * bound (its container's end): reading it stops at its closing bracket.
 */
struct hornet_jv {
	const char *p, *end;
};

/* The value at the start of @p (after white space), up to @end. */
struct hornet_jv hornet_jv_of(const char *p, const char *end);
/* Member @key of object @o (keys compared as written: no escapes in them). */
struct hornet_jv hornet_jv_get(struct hornet_jv o, const char *key);
/*
 * The next element of array @a, or member of object @a (its key in *@key,
 * quotes included, when @key): *@it starts NULL. p NULL at the end.
 */
struct hornet_jv hornet_jv_next(struct hornet_jv a, const char **it, struct hornet_jv *key);

bool hornet_jv_is_str(struct hornet_jv v);
bool hornet_jv_is_true(struct hornet_jv v);
/*
 * The string @v decoded: a pointer into the text when it has no escape,
 * else into @buf (@size bytes; a longer one is cut). *@len its length.
 * NULL when @v is not a string.
 */
const char *hornet_jv_str(struct hornet_jv v, char *buf, size_t size, size_t *len);
/* @v as an integer; false when it is not one */
bool hornet_jv_int(struct hornet_jv v, int64_t *out);

#endif
