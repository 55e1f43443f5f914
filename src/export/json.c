// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/json.h"
#include "util/utf8.h"

void hornet_json_init(struct hornet_json *j)
{
	memset(j, 0, sizeof(*j));
}

void hornet_json_free(struct hornet_json *j)
{
	free(j->buf);
	hornet_json_init(j);
}

void hornet_json_reset(struct hornet_json *j)
{
	j->len = 0;
	j->depth = 0;
	j->need_comma[0] = false;
	j->failed = false;
}

static bool reserve(struct hornet_json *j, size_t n)
{
	size_t cap;
	char *p;

	if (j->failed)
		return false;
	if (j->len + n + 1 <= j->cap)
		return true;
	cap = j->cap ? j->cap : 1024;
	while (cap < j->len + n + 1)
		cap *= 2;
	p = realloc(j->buf, cap);
	if (!p) {
		j->failed = true;
		return false;
	}
	j->buf = p;
	j->cap = cap;
	return true;
}

void hornet_json_append(struct hornet_json *j, const char *s, size_t n)
{
	if (!reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static inline void put(struct hornet_json *j, char c)
{
	if (!reserve(j, 1))
		return;
	j->buf[j->len++] = c;
	j->buf[j->len] = '\0';
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether any of the eight bytes of @w is zero (exact, no false positives). */
static inline uint64_t has_zero(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

/* Whether a byte of @w needs escaping: below 0x20, 0x80 and above, '"' or '\\'. */
static inline uint64_t needs_escape(uint64_t w)
{
	return ((w - ONES * 0x20) & ~w & HIGHS) | (w & HIGHS) | has_zero(w ^ (ONES * '"')) |
	       has_zero(w ^ (ONES * '\\'));
}

/* The end of the run from @i that needs no escaping: eight bytes at a time, then one. */
static size_t clean_run(const unsigned char *p, size_t i, size_t n)
{
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (needs_escape(w))
			break;
	}
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
}

void hornet_json_escape(struct hornet_json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, l;

	while (i < n) {
		/* copy the longest run that needs no escaping in one go */
		run = clean_run(p, i, n);
		if (run > i) {
			hornet_json_append(j, s + i, run - i);
			i = run;
			continue;
		}
		if (p[i] >= 0x80) {
			l = hornet_utf8_len(p + i, n - i);
			if (l) {
				hornet_json_append(j, s + i, l);
				i += l;
			} else {
				hornet_json_append(j, "\xef\xbf\xbd", 3); /* U+FFFD */
				i++;
			}
			continue;
		}
		switch (p[i]) {
		case '"':
			hornet_json_append(j, "\\\"", 2);
			break;
		case '\\':
			hornet_json_append(j, "\\\\", 2);
			break;
		case '\n':
			hornet_json_append(j, "\\n", 2);
			break;
		case '\r':
			hornet_json_append(j, "\\r", 2);
			break;
		case '\t':
			hornet_json_append(j, "\\t", 2);
			break;
		case '\b':
			hornet_json_append(j, "\\b", 2);
			break;
		case '\f':
			hornet_json_append(j, "\\f", 2);
			break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 15] };

			hornet_json_append(j, u, sizeof(u));
		}
		}
		i++;
	}
}

/*
 * Writes the comma and the key that come before a value. Keys are the
 * program's own string constants, never input, so they are not escaped.
 */
static void member(struct hornet_json *j, const char *key, size_t n)
{
	char *p;

	if (!reserve(j, n + 4))
		return;
	p = j->buf + j->len;
	if (j->need_comma[j->depth])
		*p++ = ',';
	j->need_comma[j->depth] = true;
	if (key) {
		*p++ = '"';
		memcpy(p, key, n);
		p += n;
		*p++ = '"';
		*p++ = ':';
	}
	*p = '\0';
	j->len = p - j->buf;
}

/* Decimal digits of @v at the end of buf[24]; returns where they start. */
static char *fmt_u64(char buf[24], uint64_t v)
{
	char *p = buf + 24;

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	return p;
}

static void open_container(struct hornet_json *j, const char *key, size_t klen, char c)
{
	member(j, key, klen);
	if (j->depth + 1 >= HORNET_JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	put(j, c);
	j->need_comma[++j->depth] = false;
}

static void close_container(struct hornet_json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	put(j, c);
}

void hornet_json_obj_begin_n(struct hornet_json *j, const char *key, size_t klen)
{
	open_container(j, key, klen, '{');
}

void hornet_json_obj_end(struct hornet_json *j)
{
	close_container(j, '}');
}

void hornet_json_arr_begin_n(struct hornet_json *j, const char *key, size_t klen)
{
	open_container(j, key, klen, '[');
}

void hornet_json_arr_end(struct hornet_json *j)
{
	close_container(j, ']');
}

void hornet_json_strn_n(struct hornet_json *j, const char *key, size_t k, const char *s, size_t n)
{
	char *p;

	/* most values need no escaping: the member in one piece */
	if (key && clean_run((const unsigned char *)s, 0, n) == n) {
		if (!reserve(j, k + n + 6))
			return;
		p = j->buf + j->len;
		if (j->need_comma[j->depth])
			*p++ = ',';
		j->need_comma[j->depth] = true;
		*p++ = '"';
		memcpy(p, key, k);
		p += k;
		*p++ = '"';
		*p++ = ':';
		*p++ = '"';
		memcpy(p, s, n);
		p += n;
		*p++ = '"';
		*p = '\0';
		j->len = p - j->buf;
		return;
	}
	member(j, key, k);
	put(j, '"');
	hornet_json_escape(j, s, n);
	put(j, '"');
}

void hornet_json_str_any_key(struct hornet_json *j, const char *key, const char *s)
{
	member(j, NULL, 0);
	put(j, '"');
	hornet_json_escape(j, key, strlen(key));
	hornet_json_append(j, "\":\"", 3);
	hornet_json_escape(j, s ? s : "", s ? strlen(s) : 0);
	put(j, '"');
}

void hornet_json_u64_n(struct hornet_json *j, const char *key, size_t klen, uint64_t v)
{
	char num[24], *p = fmt_u64(num, v);

	member(j, key, klen);
	hornet_json_append(j, p, num + sizeof(num) - p);
}

void hornet_json_u64_str_n(struct hornet_json *j, const char *key, size_t klen, uint64_t v)
{
	char num[26], *p = fmt_u64(num + 1, v);

	num[25] = '"';
	*--p = '"';
	member(j, key, klen);
	hornet_json_append(j, p, num + sizeof(num) - p);
}

void hornet_json_i64_n(struct hornet_json *j, const char *key, size_t klen, int64_t v)
{
	char num[25], *p = fmt_u64(num + 1, v < 0 ? -(uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	member(j, key, klen);
	hornet_json_append(j, p, num + sizeof(num) - p);
}

void hornet_json_f64_n(struct hornet_json *j, const char *key, size_t klen, double v)
{
	char num[32];
	int n;

	/* JSON has no NaN or infinity */
	if (!isfinite(v))
		v = 0;
	n = snprintf(num, sizeof(num), "%.6g", v);

	member(j, key, klen);
	hornet_json_append(j, num, n);
}

void hornet_json_bool_n(struct hornet_json *j, const char *key, size_t klen, bool v)
{
	member(j, key, klen);
	hornet_json_append(j, v ? "true" : "false", v ? 4 : 5);
}

void hornet_json_raw_n(struct hornet_json *j, const char *key, size_t klen, const char *raw,
		       size_t n)
{
	member(j, key, klen);
	hornet_json_append(j, raw, n);
}
