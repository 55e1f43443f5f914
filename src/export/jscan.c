// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "export/jscan.h"

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string that starts at @p (a quote); @end when unterminated. */
static const char *skip_str(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

/* Past the value at @p. */
static const char *skip(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return end;
	if (*p == '"')
		return skip_str(p, end);
	if (*p != '{' && *p != '[') {
		/* a number or a literal: up to the next delimiter */
		while (p < end && *p && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			p = skip_str(p, end) - 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return end;
}

/*
 * The value at @p. @exact: its end found; else, for an object or an array,
 * @end stands for it (an upper bound): what reads it stops at its closing
 * bracket anyway, and finding that bracket first would read it twice.
 */
static struct hornet_jv value_at(const char *p, const char *end, bool exact)
{
	struct hornet_jv v = { NULL, NULL };

	p = ws(p, end);
	if (p < end) {
		v.p = p;
		v.end = !exact && (*p == '{' || *p == '[') ? end : skip(p, end);
	}
	return v;
}

struct hornet_jv hornet_jv_of(const char *p, const char *end)
{
	return value_at(p, end, false);
}

struct hornet_jv hornet_jv_next(struct hornet_jv a, const char **it, struct hornet_jv *key)
{
	struct hornet_jv v = { NULL, NULL }, k;
	const char *p = *it ? *it : a.p ? a.p + 1 : NULL;
	bool obj;

	if (!a.p || a.end - a.p < 2 || (*a.p != '{' && *a.p != '['))
		return v;
	obj = *a.p == '{';
	p = ws(p, a.end);
	if (p < a.end && *p == ',')
		p = ws(p + 1, a.end);
	if (p >= a.end || *p == '}' || *p == ']')
		return v;
	if (obj) {
		if (*p != '"')
			return v;
		k.p = p;
		k.end = skip_str(p, a.end);
		if (key)
			*key = k;
		p = ws(k.end, a.end);
		if (p >= a.end || *p != ':')
			return v;
		p++;
	}
	v = value_at(p, a.end, true);
	if (v.end == p) {
		/* not JSON (a NUL, a stray delimiter): nothing more to read */
		v.p = v.end = NULL;
		return v;
	}
	*it = v.end;
	return v;
}

/* As hornet_jv_next() for an object, but stops before the value of a member named @key. */
static const char *find_key(struct hornet_jv o, const char *key, size_t n)
{
	const char *p = o.p + 1, *k;

	for (;;) {
		p = ws(p, o.end);
		if (p < o.end && *p == ',')
			p = ws(p + 1, o.end);
		if (p >= o.end || *p != '"')
			return NULL;
		k = p;
		p = skip_str(p, o.end);
		if ((size_t)(p - k) == n + 2 && !memcmp(k + 1, key, n)) {
			p = ws(p, o.end);
			return p < o.end && *p == ':' ? p + 1 : NULL;
		}
		p = ws(p, o.end);
		if (p >= o.end || *p != ':')
			return NULL;
		k = ws(p + 1, o.end);
		p = skip(k, o.end);
		if (p == k)
			return NULL; /* not JSON: no value */
	}
}

struct hornet_jv hornet_jv_get(struct hornet_jv o, const char *key)
{
	struct hornet_jv none = { NULL, NULL };
	const char *p;

	if (!o.p || *o.p != '{')
		return none;
	p = find_key(o, key, strlen(key));
	return p ? value_at(p, o.end, false) : none;
}

bool hornet_jv_is_str(struct hornet_jv v)
{
	return v.p && *v.p == '"' && v.end - v.p >= 2 && v.end[-1] == '"';
}

bool hornet_jv_is_true(struct hornet_jv v)
{
	return v.p && v.end - v.p == 4 && !memcmp(v.p, "true", 4);
}

const char *hornet_jv_str(struct hornet_jv v, char *buf, size_t size, size_t *len)
{
	json_t *s;

	if (!hornet_jv_is_str(v))
		return NULL;
	if (!memchr(v.p + 1, '\\', v.end - v.p - 2)) {
		*len = v.end - v.p - 2;
		return v.p + 1;
	}
	/* escapes: rare (control bytes, quotes, backslashes); jansson decodes them */
	s = json_loadb(v.p, v.end - v.p, JSON_DECODE_ANY, NULL);
	if (!json_is_string(s)) {
		json_decref(s);
		return NULL;
	}
	*len = json_string_length(s) < size ? json_string_length(s) : size;
	memcpy(buf, json_string_value(s), *len);
	json_decref(s);
	return buf;
}

bool hornet_jv_int(struct hornet_jv v, int64_t *out)
{
	char num[24], *e;
	size_t n = v.p ? (size_t)(v.end - v.p) : 0;

	if (!n || n >= sizeof(num))
		return false;
	memcpy(num, v.p, n);
	num[n] = '\0';
	*out = strtoll(num, &e, 10);
	return *e == '\0' && e != num;
}
