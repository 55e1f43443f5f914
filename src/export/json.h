/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for the event hot path: appends to one
 * growing buffer, tracks commas itself, escapes every byte below 0x20 and
 * replaces invalid UTF-8 with U+FFFD, so every line it makes is valid JSON
 * whatever bytes the kernel handed over. (jansson, used by the CLI to read
 * events, builds a tree per object first; at hundreds of thousands of events
 * a second that allocation is the cost to avoid.)
 */
#ifndef HORNET_EXPORT_JSON_H
#define HORNET_EXPORT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HORNET_JSON_MAX_DEPTH 32

struct hornet_json {
	char *buf;
	size_t len;
	size_t cap;
	int depth;
	bool need_comma[HORNET_JSON_MAX_DEPTH];
	bool failed; /* out of memory or nesting too deep: the buffer is unusable */
};

void hornet_json_init(struct hornet_json *j);
void hornet_json_free(struct hornet_json *j);
void hornet_json_reset(struct hornet_json *j);

/*
 * @key is NULL for array elements and the top-level value. Each call below
 * is an inline wrapper that passes the key's length, so that the length of
 * a literal key (nearly every one) is known at build time: strlen() per
 * member was 5 % of the agent's CPU under bench/exec.
 */
void hornet_json_obj_begin_n(struct hornet_json *j, const char *key, size_t klen);
void hornet_json_obj_end(struct hornet_json *j);
void hornet_json_arr_begin_n(struct hornet_json *j, const char *key, size_t klen);
void hornet_json_arr_end(struct hornet_json *j);
void hornet_json_strn_n(struct hornet_json *j, const char *key, size_t klen, const char *s,
			size_t n);
/* A member whose key comes from outside (a pod label): the key is escaped too. */
void hornet_json_str_any_key(struct hornet_json *j, const char *key, const char *s);
void hornet_json_u64_n(struct hornet_json *j, const char *key, size_t klen, uint64_t v);
void hornet_json_u64_str_n(struct hornet_json *j, const char *key, size_t klen, uint64_t v);
void hornet_json_i64_n(struct hornet_json *j, const char *key, size_t klen, int64_t v);
void hornet_json_bool_n(struct hornet_json *j, const char *key, size_t klen, bool v);
void hornet_json_f64_n(struct hornet_json *j, const char *key, size_t klen, double v);
void hornet_json_raw_n(struct hornet_json *j, const char *key, size_t klen, const char *raw,
		       size_t n);

#define HORNET_JSON_KLEN(key) ((key) ? strlen(key) : 0)

static inline void hornet_json_obj_begin(struct hornet_json *j, const char *key)
{
	hornet_json_obj_begin_n(j, key, HORNET_JSON_KLEN(key));
}

static inline void hornet_json_arr_begin(struct hornet_json *j, const char *key)
{
	hornet_json_arr_begin_n(j, key, HORNET_JSON_KLEN(key));
}

static inline void hornet_json_strn(struct hornet_json *j, const char *key, const char *s, size_t n)
{
	hornet_json_strn_n(j, key, HORNET_JSON_KLEN(key), s, n);
}

static inline void hornet_json_str(struct hornet_json *j, const char *key, const char *s)
{
	hornet_json_strn_n(j, key, HORNET_JSON_KLEN(key), s ? s : "", s ? strlen(s) : 0);
}

static inline void hornet_json_u64(struct hornet_json *j, const char *key, uint64_t v)
{
	hornet_json_u64_n(j, key, HORNET_JSON_KLEN(key), v);
}

/* the number as a JSON string, e.g. "18446744073709551615" (as Tetragon writes socket cookies) */
static inline void hornet_json_u64_str(struct hornet_json *j, const char *key, uint64_t v)
{
	hornet_json_u64_str_n(j, key, HORNET_JSON_KLEN(key), v);
}

static inline void hornet_json_i64(struct hornet_json *j, const char *key, int64_t v)
{
	hornet_json_i64_n(j, key, HORNET_JSON_KLEN(key), v);
}

static inline void hornet_json_bool(struct hornet_json *j, const char *key, bool v)
{
	hornet_json_bool_n(j, key, HORNET_JSON_KLEN(key), v);
}

static inline void hornet_json_f64(struct hornet_json *j, const char *key, double v)
{
	hornet_json_f64_n(j, key, HORNET_JSON_KLEN(key), v);
}

/* Appends @raw, already valid JSON, as the value of @key. */
static inline void hornet_json_raw(struct hornet_json *j, const char *key, const char *raw,
				   size_t n)
{
	hornet_json_raw_n(j, key, HORNET_JSON_KLEN(key), raw, n);
}

/* Appends bytes outside any value (a newline after a document). */
void hornet_json_append(struct hornet_json *j, const char *s, size_t n);

/* Escapes @n bytes of @s as the inside of a JSON string (no quotes). */
void hornet_json_escape(struct hornet_json *j, const char *s, size_t n);

#endif
