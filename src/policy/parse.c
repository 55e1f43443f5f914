// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy files (YAML or JSON) into the model of policy/policy.h.
 *
 * Three passes, so that hostile input costs little:
 *  1. libyaml's event stream alone: syntax errors, nesting deeper than
 *     HORNET_POLICY_MAX_DEPTH and more than HORNET_POLICY_MAX_NODES nodes
 *     are refused before any tree is built.
 *  2. The document tree (yaml_parser_load) walked once in full, aliases
 *     expanded and every visit counted, so an alias bomb stops after
 *     HORNET_POLICY_MAX_NODES visits; it also refuses duplicate keys
 *     (which libyaml accepts) and keys that are not strings.
 *  3. The schema: every mapping's keys are checked against the keys that
 *     place allows, every value is checked and copied into the model.
 *     Errors name the field by its path of YAML keys and list indexes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "net/dnsname.h"
#include "policy/cel.h"
#include "policy/policy.h"
#include "util/suggest.h"
#include "util/utf8.h"
#include "vocab/vocab.h"

#define PATH_SIZE 1024
#define SHOW_MAX 64 /* bytes of a user's text quoted in a message */
#define MAX_HOOKS 4096 /* hooks of all kinds in one policy */
#define MAX_TAGS 16 /* tags[] of one hook, as in Tetragon */
#define MAX_SIGNAL 64
#define MAX_DATA_BYTES 327360 /* maxData: true: what Tetragon reads at most */
/*
 * libyaml's loader finds an alias's anchor, and checks a new anchor is not a
 * duplicate, by scanning the anchors before it: quadratic. This bounds the
 * scanning (some tens of milliseconds); policies use a few anchors if any.
 */
#define MAX_ALIAS_WORK 10000000ULL
/* text of scalars visited through aliases; without aliases it is < the file */
#define MAX_EXPANDED_BYTES (4 * (size_t)HORNET_POLICY_MAX_FILE)

struct ctx {
	const char *file;
	const char *buf;
	size_t len;
	yaml_document_t *doc;
	char *err;
	size_t err_size;
	int error; /* errno of the first failure */
	char path[PATH_SIZE];
	size_t path_len;
	size_t visits;
	size_t bytes;
	const struct hornet_list **lists; /* spec.lists by name */
	struct {
		const yaml_node_t *key; /* NULL: a list item */
		size_t idx;
	} frames[HORNET_POLICY_MAX_DEPTH]; /* where pass 2 is */
	unsigned char *checked; /* mappings whose keys were checked, by node */
	bool data; /* a matchData entry is parsed: its index is a position in data[] */
	struct hornet_policy *p;
};

/* ---- messages ---------------------------------------------------------- */

/* Makes @s one line of valid UTF-8: control bytes and broken sequences become '?'. */
static void sanitize(char *s)
{
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		unsigned char ch = s[i];

		if (ch < 0x20 || ch == 0x7f) {
			s[i++] = '?';
		} else if (ch < 0x80) {
			i++;
		} else {
			k = hornet_utf8_len((const unsigned char *)s + i, n - i);
			if (!k) {
				s[i++] = '?';
			} else {
				i += k;
			}
		}
	}
}

/* @s (@len bytes) to quote in a message: at most SHOW_MAX bytes, whole characters. */
static const char *show(const char *s, size_t len, char *out, size_t size)
{
	size_t i = 0, k, max = size - 4 < SHOW_MAX ? size - 4 : SHOW_MAX;

	while (i < len) {
		k = (unsigned char)s[i] < 0x80
			    ? 1
			    : hornet_utf8_len((const unsigned char *)s + i, len - i);
		if (!k)
			k = 1;
		if (i + k > max)
			break;
		memcpy(out + i, s + i, k);
		i += k;
	}
	out[i] = '\0';
	if (i < len)
		strcpy(out + i, "...");
	sanitize(out);
	return out;
}

static int vfail(struct ctx *c, unsigned long line, unsigned long col, int error, const char *fmt,
		 va_list ap)
{
	int n;

	if (c->error)
		return -c->error;
	c->error = error;
	if (!c->err || !c->err_size)
		return -error;
	if (c->path_len)
		n = snprintf(c->err, c->err_size, "%s:%lu:%lu: %s: ", c->file, line, col, c->path);
	else
		n = snprintf(c->err, c->err_size, "%s:%lu:%lu: ", c->file, line, col);
	if (n >= 0 && (size_t)n < c->err_size)
		vsnprintf(c->err + n, c->err_size - n, fmt, ap);
	sanitize(c->err);
	return -error;
}

__attribute__((format(printf, 4, 5))) static int fail_at(struct ctx *c, unsigned long line,
							 unsigned long col, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(c, line, col, EINVAL, fmt, ap);
	va_end(ap);
	return ret;
}

__attribute__((format(printf, 3, 4))) static int fail_node(struct ctx *c, const yaml_node_t *n,
							   const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(c, n->start_mark.line + 1, n->start_mark.column + 1, EINVAL, fmt, ap);
	va_end(ap);
	return ret;
}

static int oom(struct ctx *c)
{
	if (!c->error) {
		c->error = ENOMEM;
		if (c->err && c->err_size)
			snprintf(c->err, c->err_size, "%s: out of memory", c->file);
	}
	return -c->error;
}

/* ---- field paths ------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static size_t path_add(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->path_len;
	va_list ap;
	int n;

	if (old >= sizeof(c->path) - 1)
		return old;
	va_start(ap, fmt);
	n = vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	if (n < 0)
		c->path[old] = '\0';
	else
		c->path_len = old + n < sizeof(c->path) ? old + n : sizeof(c->path) - 1;
	return old;
}

static size_t path_key(struct ctx *c, const char *key)
{
	return path_add(c, c->path_len ? ".%s" : "%s", key);
}

static size_t path_idx(struct ctx *c, size_t i)
{
	return path_add(c, "[%zu]", i);
}

static void path_pop(struct ctx *c, size_t old)
{
	c->path_len = old;
	c->path[old] = '\0';
}

/* ---- nodes ------------------------------------------------------------- */

#define SVAL(n) ((const char *)(n)->data.scalar.value)
#define SLEN(n) ((n)->data.scalar.length)
#define NR_ITEMS(n) ((size_t)((n)->data.sequence.items.top - (n)->data.sequence.items.start))
#define NR_PAIRS(n) ((size_t)((n)->data.mapping.pairs.top - (n)->data.mapping.pairs.start))

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static yaml_node_t *item(struct ctx *c, const yaml_node_t *list, size_t i)
{
	return node(c, list->data.sequence.items.start[i]);
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n->type == YAML_SCALAR_NODE && SLEN(n) == strlen(s) && !memcmp(SVAL(n), s, SLEN(n));
}

/* A plain "", "~" or "null": what Kubernetes reads as an absent field. */
static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !SLEN(n) || scalar_is(n, "~") || scalar_is(n, "null") || scalar_is(n, "Null") ||
	       scalar_is(n, "NULL");
}

static const char *found(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return is_null(n) ? "nothing" : "a single value";
	default:
		return "nothing";
	}
}

static int want_map(struct ctx *c, const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE
		       ? 0
		       : fail_node(c, n, "expected a mapping, found %s", found(n));
}

static int want_list(struct ctx *c, const yaml_node_t *n)
{
	return n->type == YAML_SEQUENCE_NODE
		       ? 0
		       : fail_node(c, n, "expected a list, found %s", found(n));
}

/* The value of @key in @map; NULL when absent or null. */
static yaml_node_t *get(struct ctx *c, const yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pr;
	yaml_node_t *k, *v;

	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		k = node(c, pr->key);
		if (k && scalar_is(k, key)) {
			v = node(c, pr->value);
			return v && !is_null(v) ? v : NULL;
		}
	}
	return NULL;
}

/* "a, b, c" of @names (NULL-terminated) into @buf. */
static const char *join(const char *const *names, char *buf, size_t size)
{
	size_t n = 0;
	int k;

	buf[0] = '\0';
	for (; *names && n < size; names++) {
		k = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", *names);
		if (k < 0)
			break;
		n += k;
	}
	if (n >= size && size > 4)
		strcpy(buf + size - 4, "...");
	return buf;
}

/* "unknown WHAT 'x' (did you mean 'y'?)" or "... (valid: a, b)", at @n. */
static int fail_choice(struct ctx *c, const yaml_node_t *n, const char *what, const char *got,
		       const char *const *valid)
{
	char shown[SHOW_MAX + 4], list[512];
	const char *best = hornet_suggest(got, valid);

	show(got, strlen(got), shown, sizeof(shown));
	if (best)
		return fail_node(c, n, "unknown %s '%s' (did you mean '%s'?)", what, shown, best);
	return fail_node(c, n, "unknown %s '%s' (valid: %s)", what, shown,
			 join(valid, list, sizeof(list)));
}

/* Refuses keys of @map that are not in @keys (NULL-terminated). */
static int check_keys(struct ctx *c, const yaml_node_t *map, const char *const *keys)
{
	char shown[SHOW_MAX + 4], list[512];
	const char *const *k;
	yaml_node_pair_t *pr;
	yaml_node_t *kn;
	const char *best;
	size_t old;

	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		kn = node(c, pr->key);
		for (k = keys; *k; k++)
			if (scalar_is(kn, *k))
				break;
		if (*k)
			continue;
		old = path_key(c, show(SVAL(kn), SLEN(kn), shown, sizeof(shown)));
		best = memchr(SVAL(kn), '\0', SLEN(kn)) ? NULL : hornet_suggest(SVAL(kn), keys);
		if (best)
			fail_node(c, kn, "unknown key (did you mean '%s'?)", best);
		else
			fail_node(c, kn, "unknown key (valid: %s)", join(keys, list, sizeof(list)));
		path_pop(c, old);
		return -EINVAL;
	}
	return 0;
}

/* ---- scalars ----------------------------------------------------------- */

/* Copies the scalar @n; refuses NUL bytes inside it (trailing ones are dropped). */
static int read_str(struct ctx *c, const yaml_node_t *n, char **out)
{
	size_t len;
	char *s;

	if (n->type != YAML_SCALAR_NODE)
		return fail_node(c, n, "expected a string, found %s", found(n));
	len = SLEN(n);
	while (len && !SVAL(n)[len - 1])
		len--;
	if (memchr(SVAL(n), '\0', len))
		return fail_node(c, n, "contains a NUL byte");
	s = strndup(SVAL(n), len);
	if (!s)
		return oom(c);
	free(*out);
	*out = s;
	return 0;
}

static int read_bool(struct ctx *c, const yaml_node_t *n, bool *out)
{
	static const char *const t[] = { "true", "True", "TRUE" }, *const f[] = { "false", "False",
										  "FALSE" };
	char shown[SHOW_MAX + 4];
	size_t i;

	if (n->type != YAML_SCALAR_NODE)
		return fail_node(c, n, "expected true or false, found %s", found(n));
	for (i = 0; i < 3; i++) {
		if (scalar_is(n, t[i]) || scalar_is(n, f[i])) {
			*out = scalar_is(n, t[i]);
			return 0;
		}
	}
	return fail_node(c, n, "expected true or false, found '%s'",
			 show(SVAL(n), SLEN(n), shown, sizeof(shown)));
}

static int digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return 99;
}

/*
 * An integer: decimal, 0x hex or 0 octal, optionally negative, as a sign
 * and a magnitude. -EINVAL when @s is not one, -ERANGE beyond 64 bits.
 */
static int parse_num(const char *s, size_t len, bool *neg, uint64_t *mag)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0, k;

	*neg = len && s[0] == '-';
	i = *neg;
	if (i >= len)
		return -EINVAL;
	if (s[i] == '0' && i + 1 < len) {
		if (s[i + 1] == 'x' || s[i + 1] == 'X') {
			base = 16;
			i += 2;
		} else {
			base = 8;
			i++;
		}
		if (i >= len)
			return -EINVAL;
	}
	for (k = i; k < len; k++)
		if (digit(s[k]) >= (int)base)
			return -EINVAL;
	for (; i < len; i++) {
		unsigned int d = digit(s[i]);

		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*mag = v;
	return 0;
}

static int64_t num_value(bool neg, uint64_t mag)
{
	return neg ? (int64_t)(0 - mag) : (int64_t)mag;
}

/* An unsigned integer of at most @max. */
static int read_uint(struct ctx *c, const yaml_node_t *n, uint64_t max, uint64_t *out)
{
	char shown[SHOW_MAX + 4];
	uint64_t mag;
	bool neg;
	int ret;

	if (n->type != YAML_SCALAR_NODE)
		return fail_node(c, n, "expected an integer, found %s", found(n));
	ret = parse_num(SVAL(n), SLEN(n), &neg, &mag);
	show(SVAL(n), SLEN(n), shown, sizeof(shown));
	if (ret == -EINVAL)
		return fail_node(c, n, "expected an integer, found '%s'", shown);
	if (neg && mag)
		return fail_node(c, n, "%s is negative (valid: 0..%llu)", shown,
				 (unsigned long long)max);
	if (ret || mag > max)
		return fail_node(c, n, "%s is out of range (valid: 0..%llu)", shown,
				 (unsigned long long)max);
	*out = mag;
	return 0;
}

static int read_int(struct ctx *c, const yaml_node_t *n, int64_t min, int64_t max, int64_t *out)
{
	char shown[SHOW_MAX + 4];
	uint64_t mag;
	bool neg;
	int ret;

	if (n->type != YAML_SCALAR_NODE)
		return fail_node(c, n, "expected an integer, found %s", found(n));
	ret = parse_num(SVAL(n), SLEN(n), &neg, &mag);
	show(SVAL(n), SLEN(n), shown, sizeof(shown));
	if (ret == -EINVAL)
		return fail_node(c, n, "expected an integer, found '%s'", shown);
	if (ret || (neg && mag > 1ULL << 63) || (!neg && mag > INT64_MAX) ||
	    num_value(neg, mag) < min || num_value(neg, mag) > max)
		return fail_node(c, n, "%s is out of range (valid: %lld..%lld)", shown,
				 (long long)min, (long long)max);
	*out = num_value(neg, mag);
	return 0;
}

/* ---- fields: @key of @map, with the path extended while it is read ----- */

static int missing(struct ctx *c, const yaml_node_t *map, const char *key)
{
	return fail_node(c, map, "missing '%s'", key);
}

static int field_str(struct ctx *c, const yaml_node_t *map, const char *key, bool required,
		     char **out)
{
	yaml_node_t *n = get(c, map, key);
	size_t old;
	int ret;

	if (!n)
		return required ? missing(c, map, key) : 0;
	old = path_key(c, key);
	ret = read_str(c, n, out);
	if (!ret && required && !**out)
		ret = fail_node(c, n, "must not be empty");
	path_pop(c, old);
	return ret;
}

static int field_bool(struct ctx *c, const yaml_node_t *map, const char *key, bool *out)
{
	yaml_node_t *n = get(c, map, key);
	size_t old;
	int ret;

	if (!n)
		return 0;
	old = path_key(c, key);
	ret = read_bool(c, n, out);
	path_pop(c, old);
	return ret;
}

static int field_uint(struct ctx *c, const yaml_node_t *map, const char *key, uint64_t max,
		      unsigned int *out)
{
	yaml_node_t *n = get(c, map, key);
	uint64_t v;
	size_t old;
	int ret;

	if (!n)
		return 0;
	old = path_key(c, key);
	ret = read_uint(c, n, max, &v);
	if (!ret)
		*out = v;
	path_pop(c, old);
	return ret;
}

/* A list of strings (absent: none). */
static int field_strings(struct ctx *c, const yaml_node_t *map, const char *key, size_t max,
			 char ***out, size_t *nr)
{
	yaml_node_t *n = get(c, map, key);
	size_t old, i, o2;
	int ret;

	if (!n)
		return 0;
	old = path_key(c, key);
	ret = want_list(c, n);
	if (!ret && max && NR_ITEMS(n) > max) {
		o2 = path_idx(c, max);
		ret = fail_node(c, item(c, n, max), "too many entries (at most %zu)", max);
		path_pop(c, o2);
	}
	if (!ret && NR_ITEMS(n)) {
		*out = calloc(NR_ITEMS(n), sizeof(**out));
		if (!*out)
			ret = oom(c);
		else
			*nr = NR_ITEMS(n);
	}
	for (i = 0; !ret && i < NR_ITEMS(n); i++) {
		o2 = path_idx(c, i);
		ret = read_str(c, item(c, n, i), &(*out)[i]);
		path_pop(c, o2);
	}
	path_pop(c, old);
	return ret;
}

/* ---- pass 2: the whole tree, aliases expanded -------------------------- */

static int cmp_keys(const void *a, const void *b)
{
	const yaml_node_t *x = *(const yaml_node_t *const *)a, *y = *(const yaml_node_t *const *)b;

	if (SLEN(x) != SLEN(y))
		return SLEN(x) < SLEN(y) ? -1 : 1;
	return memcmp(SVAL(x), SVAL(y), SLEN(x));
}

static bool before(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->start_mark.index < b->start_mark.index;
}

/* The path of the node @depth collections down the walk, built only for a message. */
static void walk_path(struct ctx *c, unsigned int depth)
{
	char shown[SHOW_MAX + 4];
	unsigned int i;

	path_pop(c, 0);
	for (i = 0; i < depth; i++) {
		if (c->frames[i].key)
			path_key(c, show(SVAL(c->frames[i].key), SLEN(c->frames[i].key), shown,
					 sizeof(shown)));
		else
			path_idx(c, c->frames[i].idx);
	}
}

/* Keys must be strings, each once (libyaml keeps duplicates; Kubernetes refuses them). */
static int check_mapping(struct ctx *c, const yaml_node_t *map, unsigned int depth)
{
	char shown[SHOW_MAX + 4];
	size_t n = NR_PAIRS(map), i;
	const yaml_node_t **keys;
	const yaml_node_t *first, *second;

	for (i = 0; i < n; i++) {
		first = node(c, map->data.mapping.pairs.start[i].key);
		if (first->type != YAML_SCALAR_NODE) {
			walk_path(c, depth);
			return fail_node(c, first, "keys must be strings, found %s", found(first));
		}
	}
	if (n < 2)
		return 0;
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return oom(c);
	for (i = 0; i < n; i++)
		keys[i] = node(c, map->data.mapping.pairs.start[i].key);
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 1; i < n; i++) {
		if (cmp_keys(&keys[i - 1], &keys[i]))
			continue;
		first = before(keys[i - 1], keys[i]) ? keys[i - 1] : keys[i];
		second = first == keys[i] ? keys[i - 1] : keys[i];
		walk_path(c, depth);
		path_key(c, show(SVAL(second), SLEN(second), shown, sizeof(shown)));
		fail_node(c, second, "duplicate key (first at line %lu)",
			  (unsigned long)first->start_mark.line + 1);
		free(keys);
		return -EINVAL;
	}
	free(keys);
	return 0;
}

/* Visits @n, @depth collections down, and all below it, aliases expanded. */
static int walk(struct ctx *c, const yaml_node_t *n, unsigned int depth)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;
	size_t id;
	int ret;

	if (++c->visits > HORNET_POLICY_MAX_NODES) {
		walk_path(c, depth);
		return fail_node(c, n, "aliases expand the policy past %d nodes",
				 HORNET_POLICY_MAX_NODES);
	}
	if (n->type == YAML_SCALAR_NODE) {
		c->bytes += SLEN(n);
		if (c->bytes <= MAX_EXPANDED_BYTES)
			return 0;
		walk_path(c, depth);
		return fail_node(c, n, "aliases expand the policy past %zu bytes",
				 MAX_EXPANDED_BYTES);
	}
	if (depth >= HORNET_POLICY_MAX_DEPTH) {
		walk_path(c, depth);
		return fail_node(c, n, "nested deeper than %d levels (through aliases)",
				 HORNET_POLICY_MAX_DEPTH);
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			c->frames[depth].key = NULL;
			c->frames[depth].idx = it - n->data.sequence.items.start;
			ret = walk(c, node(c, *it), depth + 1);
			if (ret)
				return ret;
		}
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE)
		return 0;
	id = n - c->doc->nodes.start;
	if (!c->checked[id]) {
		c->checked[id] = 1;
		ret = check_mapping(c, n, depth);
		if (ret)
			return ret;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		c->frames[depth].key = node(c, pr->key);
		ret = walk(c, c->frames[depth].key, depth + 1);
		if (!ret)
			ret = walk(c, node(c, pr->value), depth + 1);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- names ------------------------------------------------------------- */

struct spelling {
	const char *name;
	int value;
};

/* matchArgs operators are spelled as hornet_op_name() has them, or as here */
static const struct spelling op_aliases[] = {
	{ "GT", HORNET_OP_GT },
	{ "LT", HORNET_OP_LT },
	/* Tetragon's older spellings, left out of messages */
	{ "eq", HORNET_OP_EQUAL },
	{ "neq", HORNET_OP_NOT_EQUAL },
	{ NULL, 0 },
};

/* The operators of matchPIDs, matchNamespaces, matchCapabilities and their changes */
static const enum hornet_op in_ops[] = { HORNET_OP_IN, HORNET_OP_NOT_IN, HORNET_OP_NONE };

static const enum hornet_op binary_ops[] = { HORNET_OP_IN,	HORNET_OP_NOT_IN,
					     HORNET_OP_PREFIX,	HORNET_OP_NOT_PREFIX,
					     HORNET_OP_POSTFIX, HORNET_OP_NOT_POSTFIX,
					     HORNET_OP_NONE };

static const struct spelling arg_type_aliases[] = {
	{ "int32", HORNET_ARG_INT },
	{ "long", HORNET_ARG_INT64 },
	{ "ulong", HORNET_ARG_UINT64 },
	/* Tetragon's names of the signed types */
	{ "sint8", HORNET_ARG_INT8 },
	{ "sint16", HORNET_ARG_INT16 },
	{ "sint32", HORNET_ARG_INT },
	{ "sint64", HORNET_ARG_INT64 },
	{ "unsigned long", HORNET_ARG_UINT64 },
	{ NULL, 0 },
};

static const struct spelling cap_types[] = {
	{ "Effective", HORNET_CAPT_EFFECTIVE },
	{ "Inheritable", HORNET_CAPT_INHERITABLE },
	{ "Permitted", HORNET_CAPT_PERMITTED },
	{ NULL, 0 },
};

static const struct spelling scopes[] = {
	{ "thread", HORNET_SCOPE_THREAD },
	{ "process", HORNET_SCOPE_PROCESS },
	{ "global", HORNET_SCOPE_GLOBAL },
	{ NULL, 0 },
};

static const char *const list_types[] = { "syscalls", "generated_syscalls", "generated_ftrace",
					  NULL };

/* The index of @s (@len bytes) in @t, case-insensitive; -1 when absent. */
static int spell_find(const struct spelling *t, const char *s, size_t len)
{
	int i;

	for (i = 0; t[i].name; i++)
		if (strlen(t[i].name) == len && !strncasecmp(t[i].name, s, len))
			return i;
	return -1;
}

/* @t's names, for hornet_suggest() and messages (at most 63). */
static void spell_names(const struct spelling *t, const char **out)
{
	int i;

	for (i = 0; t[i].name && i < 63; i++)
		out[i] = t[i].name;
	out[i] = NULL;
}

/* An enum field written as one of @t's names: its value, or an error naming @what. */
static int read_spelling(struct ctx *c, const yaml_node_t *n, const struct spelling *t,
			 const char *what, int *out)
{
	const char *names[64];
	char *s = NULL;
	int i, ret;

	ret = read_str(c, n, &s);
	if (ret)
		return ret;
	i = spell_find(t, s, strlen(s));
	if (i < 0) {
		spell_names(t, names);
		ret = fail_choice(c, n, what, s, names);
	} else {
		*out = t[i].value;
	}
	free(s);
	return ret;
}

static int field_spelling(struct ctx *c, const yaml_node_t *map, const char *key, bool required,
			  const struct spelling *t, const char *what, int *out)
{
	yaml_node_t *n = get(c, map, key);
	size_t old;
	int ret;

	if (!n)
		return required ? missing(c, map, key) : 0;
	old = path_key(c, key);
	ret = read_spelling(c, n, t, what, out);
	path_pop(c, old);
	return ret;
}

/* "operator": one of @ops (ending with HORNET_OP_NONE), spelled as hornet_op_name(). */
static int field_op(struct ctx *c, const yaml_node_t *map, const enum hornet_op *ops, int *out)
{
	yaml_node_t *n = get(c, map, "operator");
	const char *names[HORNET_OP_COUNT];
	char *s = NULL;
	size_t old;
	int i, ret;

	if (!n)
		return missing(c, map, "operator");
	old = path_key(c, "operator");
	ret = read_str(c, n, &s);
	for (i = 0; !ret && ops[i] != HORNET_OP_NONE; i++) {
		names[i] = hornet_op_name(ops[i]);
		if (!strcasecmp(s, names[i])) {
			*out = ops[i];
			break;
		}
	}
	if (!ret && ops[i] == HORNET_OP_NONE) {
		names[i] = NULL;
		ret = fail_choice(c, n, "operator", s, names);
	}
	free(s);
	path_pop(c, old);
	return ret;
}

/* An enum field written as a name of table @v: its value, or an error. */
static int field_vocab(struct ctx *c, const yaml_node_t *map, const char *key, bool required,
		       enum hornet_vocab v, int *out)
{
	yaml_node_t *n = get(c, map, key);
	const char *names[64];
	int64_t value;
	char *s = NULL;
	size_t old;
	int ret;

	if (!n)
		return required ? missing(c, map, key) : 0;
	old = path_key(c, key);
	ret = read_str(c, n, &s);
	if (!ret && hornet_vocab_value(v, s, &value)) {
		hornet_vocab_names(v, names, 64);
		ret = fail_choice(c, n, hornet_vocab_what(v), s, names);
	} else if (!ret) {
		*out = value;
	}
	free(s);
	path_pop(c, old);
	return ret;
}

/* ---- values[] ---------------------------------------------------------- */

/* values: copied, with their numbers; @nonempty refuses an absent or empty list. */
static int field_values(struct ctx *c, const yaml_node_t *map, bool nonempty,
			struct hornet_values *out)
{
	yaml_node_t *n = get(c, map, "values"), *v;
	uint64_t mag;
	size_t old, o2, i;
	bool neg;
	int ret;

	if (!n)
		return nonempty ? missing(c, map, "values") : 0;
	old = path_key(c, "values");
	ret = want_list(c, n);
	if (!ret && nonempty && !NR_ITEMS(n))
		ret = fail_node(c, n, "must not be empty");
	if (!ret && NR_ITEMS(n)) {
		out->v = calloc(NR_ITEMS(n), sizeof(*out->v));
		if (!out->v)
			ret = oom(c);
		else
			out->n = NR_ITEMS(n);
	}
	for (i = 0; !ret && i < out->n; i++) {
		v = item(c, n, i);
		o2 = path_idx(c, i);
		if (v->type == YAML_SCALAR_NODE && is_null(v))
			ret = fail_node(c, v, "expected a value, found nothing");
		else
			ret = read_str(c, v, &out->v[i].str);
		path_pop(c, o2);
		if (ret)
			break;
		out->v[i].pos.line = v->start_mark.line + 1;
		out->v[i].pos.column = v->start_mark.column + 1;
		if (!parse_num(out->v[i].str, strlen(out->v[i].str), &neg, &mag) &&
		    (!neg || mag <= (uint64_t)1 << 63)) {
			out->v[i].is_num = true;
			out->v[i].num = num_value(neg, mag);
		}
	}
	path_pop(c, old);
	return ret;
}

/* Pushes "values[i]" for an error about @out->v[i]; pop with path_pop(). */
static size_t path_value(struct ctx *c, size_t i)
{
	size_t old = path_key(c, "values");

	path_idx(c, i);
	return old;
}

static int fail_value(struct ctx *c, const struct hornet_values *vs, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_value(struct ctx *c, const struct hornet_values *vs, size_t i, const char *fmt, ...)
{
	size_t old = path_value(c, i);
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(c, vs->v[i].pos.line, vs->v[i].pos.column, EINVAL, fmt, ap);
	va_end(ap);
	path_pop(c, old);
	return ret;
}

static int fail_value_choice(struct ctx *c, const struct hornet_values *vs, size_t i,
			     enum hornet_vocab v)
{
	const char *names[64], *best;
	char shown[SHOW_MAX + 4], list[512];

	hornet_vocab_names(v, names, 64);
	best = hornet_suggest(vs->v[i].str, names);
	show(vs->v[i].str, strlen(vs->v[i].str), shown, sizeof(shown));
	if (best)
		return fail_value(c, vs, i, "unknown %s '%s' (did you mean '%s'?)",
				  hornet_vocab_what(v), shown, best);
	return fail_value(c, vs, i, "unknown %s '%s' (valid: %s or a number)", hornet_vocab_what(v),
			  shown, join(names, list, sizeof(list)));
}

/* The range of integers an argument of type @t holds: -neg_max..pos_max. */
static void type_range(enum hornet_arg_type t, uint64_t *neg_max, uint64_t *pos_max)
{
	*neg_max = 0;
	switch (t) {
	case HORNET_ARG_INT:
	case HORNET_ARG_BPF_CMD:
		*neg_max = 1ULL << 31;
		*pos_max = (1ULL << 31) - 1;
		break;
	case HORNET_ARG_UINT32:
		*pos_max = UINT32_MAX;
		break;
	case HORNET_ARG_INT8:
		*neg_max = 128;
		*pos_max = 127;
		break;
	case HORNET_ARG_UINT8:
		*pos_max = UINT8_MAX;
		break;
	case HORNET_ARG_INT16:
		*neg_max = 32768;
		*pos_max = 32767;
		break;
	case HORNET_ARG_UINT16:
		*pos_max = UINT16_MAX;
		break;
	case HORNET_ARG_INT64:
		*neg_max = 1ULL << 63;
		*pos_max = INT64_MAX;
		break;
	default: /* uint64, size_t, syscall64, auto and the capability sets: any 64 bits */
		*neg_max = t == HORNET_ARG_SYSCALL64 || t == HORNET_ARG_AUTO ? 1ULL << 63 : 0;
		*pos_max = UINT64_MAX;
		break;
	}
}

/* @s (@len bytes) as an integer of type @t; false with a reason in @why. */
static bool int_of_type(const char *s, size_t len, enum hornet_arg_type t, int64_t *out, char *why,
			size_t why_size)
{
	char shown[SHOW_MAX + 4];
	uint64_t neg_max, pos_max, mag;
	bool neg;
	int ret;

	show(s, len, shown, sizeof(shown));
	ret = parse_num(s, len, &neg, &mag);
	if (ret == -EINVAL) {
		snprintf(why, why_size, "'%s' is not an integer", shown);
		return false;
	}
	type_range(t, &neg_max, &pos_max);
	if (ret || (neg && mag > neg_max) || (!neg && mag > pos_max)) {
		if (neg_max)
			snprintf(why, why_size, "%s is out of range for type '%s' (-%llu..%llu)",
				 shown, hornet_arg_type_name(t), (unsigned long long)neg_max,
				 (unsigned long long)pos_max);
		else
			snprintf(why, why_size, "%s is out of range for type '%s' (0..%llu)", shown,
				 hornet_arg_type_name(t), (unsigned long long)pos_max);
		return false;
	}
	*out = num_value(neg, mag);
	return true;
}

/* Signed comparison where the type is signed, unsigned otherwise. */
static bool le(enum hornet_arg_type t, int64_t a, int64_t b)
{
	uint64_t neg_max, pos_max;

	type_range(t, &neg_max, &pos_max);
	return neg_max ? a <= b : (uint64_t)a <= (uint64_t)b;
}

static int check_int(struct ctx *c, struct hornet_values *vs, size_t i, enum hornet_arg_type t)
{
	char why[256];
	int64_t v;

	if (!int_of_type(vs->v[i].str, strlen(vs->v[i].str), t, &v, why, sizeof(why)))
		return fail_value(c, vs, i, "%s", why);
	vs->v[i].kind = HORNET_VALUE_INT;
	vs->v[i].is_num = true;
	vs->v[i].num = v;
	return 0;
}

/* "a:b" with a <= b, both of type @t. */
static int check_range(struct ctx *c, struct hornet_values *vs, size_t i, enum hornet_arg_type t)
{
	const char *s = vs->v[i].str, *colon = strchr(s, ':');
	char why[256];
	int64_t a, b;

	if (!colon)
		return fail_value(c, vs, i, "expected a range 'min:max', found '%s'", s);
	if (!int_of_type(s, colon - s, t, &a, why, sizeof(why)) ||
	    !int_of_type(colon + 1, strlen(colon + 1), t, &b, why, sizeof(why)))
		return fail_value(c, vs, i, "%s", why);
	if (!le(t, a, b))
		return fail_value(c, vs, i, "range '%s' is empty (min above max)", s);
	vs->v[i].kind = HORNET_VALUE_RANGE;
	vs->v[i].num = a;
	vs->v[i].hi = b;
	return 0;
}

static int cmp_list_name(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct hornet_list *const *)elem)->name);
}

/* The list @name of spec.lists, or NULL. */
static const struct hornet_list *list_of(struct ctx *c, const char *name)
{
	const struct hornet_list *const *l =
		c->lists ? bsearch(name, c->lists, c->p->nr_lists, sizeof(*c->lists), cmp_list_name)
			 : NULL;

	return l ? *l : NULL;
}

static int fail_no_list(struct ctx *c, const yaml_node_t *n, const struct hornet_values *vs,
			size_t i, const char *name)
{
	char shown[SHOW_MAX + 4], list[512];
	const char *names[64], *best;
	size_t k;

	for (k = 0; k < c->p->nr_lists && k < 63; k++)
		names[k] = c->p->lists[k].name;
	names[k] = NULL;
	best = hornet_suggest(name, names);
	show(name, strlen(name), shown, sizeof(shown));
	if (best && vs)
		return fail_value(c, vs, i, "list '%s' is not in spec.lists (did you mean '%s'?)",
				  shown, best);
	if (best)
		return fail_node(c, n, "list '%s' is not in spec.lists (did you mean '%s'?)", shown,
				 best);
	join(names, list, sizeof(list));
	if (vs)
		return fail_value(c, vs, i, "list '%s' is not in spec.lists (%s%s)", shown,
				  k ? "defined: " : "none defined", list);
	return fail_node(c, n, "list '%s' is not in spec.lists (%s%s)", shown,
			 k ? "defined: " : "none defined", list);
}

/* InMap: an integer, a range "a:b" or "list:NAME". */
static int check_in_map(struct ctx *c, struct hornet_values *vs, size_t i, enum hornet_arg_type t)
{
	const char *s = vs->v[i].str;
	const struct hornet_list *l;

	if (!strncmp(s, "list:", 5)) {
		l = list_of(c, s + 5);
		if (!l)
			return fail_no_list(c, NULL, vs, i, s + 5);
		vs->v[i].kind = HORNET_VALUE_LIST;
		vs->v[i].list = l - c->p->lists;
		return 0;
	}
	if (strchr(s, ':'))
		return check_range(c, vs, i, t);
	return check_int(c, vs, i, t);
}

/* ${NAME}: a template placeholder (the quickstart examples expect envsubst). */
static bool is_placeholder(const char *s)
{
	size_t len = strlen(s), i;

	if (len < 4 || strncmp(s, "${", 2) || s[len - 1] != '}')
		return false;
	for (i = 2; i < len - 1; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (i > 2 && s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* An IPv4 or IPv6 address, or a CIDR prefix of one. */
static int check_addr(struct ctx *c, struct hornet_values *vs, size_t i)
{
	const char *s = vs->v[i].str, *slash = strchr(s, '/');
	unsigned char addr[16] = { 0 };
	char host[64];
	size_t hlen = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t bits = 0;
	int family = 0;
	bool neg;

	if (is_placeholder(s)) {
		vs->v[i].kind = HORNET_VALUE_PLACEHOLDER;
		return 0;
	}
	if (hlen < sizeof(host)) {
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET, host, addr) == 1)
			family = 4;
		else if (inet_pton(AF_INET6, host, addr) == 1)
			family = 6;
	}
	if (!family)
		return fail_value(c, vs, i, "'%s' is not an IPv4 or IPv6 address or CIDR", s);
	if (slash) {
		const char *len = slash + 1;
		size_t k;

		for (k = 0; len[k]; k++)
			if (len[k] < '0' || len[k] > '9')
				break;
		if (!k || len[k] || k > 3 || parse_num(len, k, &neg, &bits) ||
		    bits > (family == 4 ? 32U : 128U))
			return fail_value(
				c, vs, i,
				"'%s' is not a valid CIDR (prefix length 0..%d for IPv%d)", s,
				family == 4 ? 32 : 128, family);
	}
	vs->v[i].kind = HORNET_VALUE_ADDR;
	vs->v[i].family = family == 4 ? AF_INET : AF_INET6;
	vs->v[i].prefix_len = slash ? bits : family == 4 ? 32 : 128;
	memcpy(vs->v[i].addr, addr, sizeof(vs->v[i].addr));
	return 0;
}

static bool port_of(const char *s, size_t len, int64_t *out)
{
	uint64_t mag;
	bool neg;

	if (parse_num(s, len, &neg, &mag) || (neg && mag) || mag > 65535)
		return false;
	*out = mag;
	return true;
}

/* A port, or a range "a:b" of ports. */
static int check_port(struct ctx *c, struct hornet_values *vs, size_t i)
{
	const char *s = vs->v[i].str, *colon = strchr(s, ':');
	int64_t a, b;

	if (!colon) {
		if (!port_of(s, strlen(s), &a))
			return fail_value(c, vs, i, "'%s' is not a port (0..65535)", s);
		vs->v[i].kind = HORNET_VALUE_INT;
		vs->v[i].is_num = true;
		vs->v[i].num = a;
		return 0;
	}
	if (!port_of(s, colon - s, &a) || !port_of(colon + 1, strlen(colon + 1), &b))
		return fail_value(c, vs, i, "'%s' is not a port range (0..65535 on each side)", s);
	if (a > b)
		return fail_value(c, vs, i, "port range '%s' is empty (min above max)", s);
	vs->v[i].kind = HORNET_VALUE_RANGE;
	vs->v[i].num = a;
	vs->v[i].hi = b;
	return 0;
}

/* A name of table @t (resolved into num) or, if @numbers, a number up to its maximum. */
static int check_named(struct ctx *c, struct hornet_values *vs, size_t i, enum hornet_vocab t,
		       bool numbers)
{
	struct hornet_value *v = &vs->v[i];
	uint64_t max = hornet_vocab_max(t);

	if (!hornet_vocab_value(t, v->str, &v->num)) {
		v->kind = HORNET_VALUE_INT;
		v->is_num = true;
		return 0;
	}
	if (numbers && v->is_num) {
		if (v->num < 0 || (uint64_t)v->num > max)
			return fail_value(c, vs, i, "%s %s is out of range (0..%llu)",
					  hornet_vocab_what(t), v->str, (unsigned long long)max);
		v->kind = HORNET_VALUE_INT;
		return 0;
	}
	v->num = 0;
	return fail_value_choice(c, vs, i, t);
}

/* A CAP_* name (the bit for a capability, the mask for sets) or an integer. */
static int check_cap_value(struct ctx *c, struct hornet_values *vs, size_t i,
			   enum hornet_arg_type t, bool names_only)
{
	struct hornet_value *v = &vs->v[i];
	const char *best, *names[65];
	char shown[SHOW_MAX + 4];
	int64_t bit;

	if (!hornet_vocab_value(HORNET_VOCAB_CAP, v->str, &bit)) {
		v->kind = HORNET_VALUE_INT;
		v->is_num = true;
		v->num = t == HORNET_ARG_CAPABILITY ? bit : (int64_t)(1ULL << bit);
		return 0;
	}
	if (!names_only && v->is_num && v->num >= 0) {
		v->kind = HORNET_VALUE_INT;
		return 0;
	}
	show(v->str, strlen(v->str), shown, sizeof(shown));
	hornet_vocab_names(HORNET_VOCAB_CAP, names, 65);
	best = hornet_suggest(v->str, names);
	if (best)
		return fail_value(c, vs, i, "unknown capability '%s' (did you mean '%s'?)", shown,
				  best);
	return fail_value(c, vs, i,
			  "unknown capability '%s' (valid: CAP_* names such as "
			  "CAP_SYS_ADMIN%s)",
			  shown, names_only ? "" : ", or a number");
}

/* ---- matchArgs --------------------------------------------------------- */

enum arg_class {
	CLASS_NONE,
	CLASS_INT,
	CLASS_STRING,
	CLASS_FILE,
	CLASS_SOCK,
	CLASS_SOCKADDR,
	CLASS_CAP,
	CLASS_AUTO,
};

static enum arg_class arg_class(enum hornet_arg_type t)
{
	switch (t) {
	case HORNET_ARG_INT:
	case HORNET_ARG_UINT32:
	case HORNET_ARG_INT8:
	case HORNET_ARG_UINT8:
	case HORNET_ARG_INT16:
	case HORNET_ARG_UINT16:
	case HORNET_ARG_INT64:
	case HORNET_ARG_UINT64:
	case HORNET_ARG_SIZE_T:
	case HORNET_ARG_SYSCALL64:
	case HORNET_ARG_BPF_CMD:
		return CLASS_INT;
	case HORNET_ARG_STRING:
	case HORNET_ARG_CHAR_BUF:
	case HORNET_ARG_FILENAME:
	case HORNET_ARG_NET_DEVICE:
	case HORNET_ARG_SOCKADDR_UN: /* its path, "@name" for an abstract one */
	case HORNET_ARG_DATA_LOC:
		return CLASS_STRING;
	case HORNET_ARG_FD:
	case HORNET_ARG_FILE:
	case HORNET_ARG_PATH:
	case HORNET_ARG_DENTRY:
	case HORNET_ARG_LINUX_BINPRM:
	case HORNET_ARG_KIOCB:
		return CLASS_FILE;
	case HORNET_ARG_SOCK:
	case HORNET_ARG_SOCKET:
	case HORNET_ARG_SKB:
		return CLASS_SOCK;
	case HORNET_ARG_SOCKADDR:
		return CLASS_SOCKADDR;
	case HORNET_ARG_CRED:
	case HORNET_ARG_CAPABILITY:
	case HORNET_ARG_KERNEL_CAP_T:
	case HORNET_ARG_CAP_INHERITABLE:
	case HORNET_ARG_CAP_PERMITTED:
	case HORNET_ARG_CAP_EFFECTIVE:
		return CLASS_CAP;
	case HORNET_ARG_AUTO:
		return CLASS_AUTO;
	default:
		return CLASS_NONE;
	}
}

static bool op_applies(enum hornet_arg_type t, enum hornet_op op)
{
	switch (arg_class(t)) {
	case CLASS_INT:
		return op == HORNET_OP_EQUAL || op == HORNET_OP_NOT_EQUAL || op == HORNET_OP_MASK ||
		       op == HORNET_OP_GT || op == HORNET_OP_LT || op == HORNET_OP_IN_RANGE ||
		       op == HORNET_OP_NOT_IN_RANGE || op == HORNET_OP_IN_MAP ||
		       op == HORNET_OP_NOT_IN_MAP;
	case CLASS_FILE:
		if (op == HORNET_OP_FILE_TYPE || op == HORNET_OP_NOT_FILE_TYPE)
			return true;
		/* fallthrough */
	case CLASS_STRING:
		return (op >= HORNET_OP_EQUAL && op <= HORNET_OP_NOT_POSTFIX) ||
		       op == HORNET_OP_SUBSTRING || op == HORNET_OP_SUBSTRING_IGNCASE;
	case CLASS_SOCK:
		return (op >= HORNET_OP_SADDR && op <= HORNET_OP_STATE) ||
		       op == HORNET_OP_DNS_NAME || op == HORNET_OP_NOT_DNS_NAME;
	case CLASS_SOCKADDR: /* what a sockaddr has: no destination, protocol or state */
		return op == HORNET_OP_SADDR || op == HORNET_OP_NOT_SADDR ||
		       op == HORNET_OP_DNS_NAME || op == HORNET_OP_NOT_DNS_NAME ||
		       op == HORNET_OP_SPORT || op == HORNET_OP_NOT_SPORT ||
		       op == HORNET_OP_SPORT_PRIV || op == HORNET_OP_NOT_SPORT_PRIV ||
		       op == HORNET_OP_FAMILY;
	case CLASS_CAP:
		return op == HORNET_OP_EQUAL || op == HORNET_OP_NOT_EQUAL || op == HORNET_OP_MASK ||
		       op == HORNET_OP_CAPABILITIES_GAINED;
	case CLASS_AUTO: /* the type comes from the format file: the plan checks */
		return op != HORNET_OP_NONE && op < HORNET_OP_IN;
	default:
		return false;
	}
}

static bool is_priv_op(enum hornet_op op)
{
	return op >= HORNET_OP_SPORT_PRIV && op <= HORNET_OP_NOT_DPORT_PRIV;
}

/* Checks and completes values[] of a matchArgs entry on an argument of type @t. */
static int check_arg_values(struct ctx *c, struct hornet_values *vs, enum hornet_arg_type t,
			    enum hornet_op op)
{
	enum arg_class cls = arg_class(t);
	enum hornet_arg_type it = cls == CLASS_INT ? t : HORNET_ARG_AUTO;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < vs->n; i++) {
		switch (op) {
		case HORNET_OP_EQUAL:
		case HORNET_OP_NOT_EQUAL:
			if (t == HORNET_ARG_BPF_CMD) /* BPF_PROG_LOAD or 5 */
				ret = check_named(c, vs, i, HORNET_VOCAB_BPF_CMD, true);
			else if (cls == CLASS_INT)
				ret = check_int(c, vs, i, t);
			else if (cls == CLASS_CAP)
				ret = check_cap_value(c, vs, i, t, false);
			break;
		case HORNET_OP_MASK:
		case HORNET_OP_GT:
		case HORNET_OP_LT:
			if (cls == CLASS_CAP)
				ret = check_cap_value(c, vs, i, t, false);
			else
				ret = check_int(c, vs, i, it);
			break;
		case HORNET_OP_IN_RANGE:
		case HORNET_OP_NOT_IN_RANGE:
			ret = check_range(c, vs, i, it);
			break;
		case HORNET_OP_IN_MAP:
		case HORNET_OP_NOT_IN_MAP:
			ret = check_in_map(c, vs, i, it);
			break;
		case HORNET_OP_FILE_TYPE:
		case HORNET_OP_NOT_FILE_TYPE:
			ret = check_named(c, vs, i, HORNET_VOCAB_FILE_TYPE, false);
			break;
		case HORNET_OP_SUBSTRING:
		case HORNET_OP_SUBSTRING_IGNCASE:
			/* Tetragon's bound: under 100 bytes */
			if (strlen(vs->v[i].str) > HORNET_POLICY_MAX_SUBSTR) {
				char shown[SHOW_MAX + 4];

				ret = fail_value(c, vs, i, "'%s' is longer than %d bytes",
						 show(vs->v[i].str, strlen(vs->v[i].str), shown,
						      sizeof(shown)),
						 HORNET_POLICY_MAX_SUBSTR);
			}
			break;
		case HORNET_OP_SADDR:
		case HORNET_OP_NOT_SADDR:
		case HORNET_OP_DADDR:
		case HORNET_OP_NOT_DADDR:
			ret = check_addr(c, vs, i);
			break;
		case HORNET_OP_SPORT:
		case HORNET_OP_NOT_SPORT:
		case HORNET_OP_DPORT:
		case HORNET_OP_NOT_DPORT:
			ret = check_port(c, vs, i);
			break;
		case HORNET_OP_DNS_NAME:
		case HORNET_OP_NOT_DNS_NAME: {
			char why[256];

			if (is_placeholder(vs->v[i].str))
				vs->v[i].kind = HORNET_VALUE_PLACEHOLDER;
			else if (hornet_dns_pattern_check(vs->v[i].str, why, sizeof(why)))
				ret = fail_value(c, vs, i, "%s", why);
			break;
		}
		case HORNET_OP_PROTOCOL:
			ret = check_named(c, vs, i, HORNET_VOCAB_PROTOCOL, true);
			break;
		case HORNET_OP_FAMILY:
			ret = check_named(c, vs, i, HORNET_VOCAB_FAMILY, true);
			break;
		case HORNET_OP_STATE:
			ret = check_named(c, vs, i, HORNET_VOCAB_TCP_STATE, true);
			break;
		case HORNET_OP_CAPABILITIES_GAINED:
			/* the bit, whatever the argument's type: the mask is the match's */
			ret = check_cap_value(c, vs, i, HORNET_ARG_CAPABILITY, true);
			break;
		default: /* strings: any text */
			break;
		}
	}
	return ret;
}

static void fmt_indexes(const struct hornet_hook *h, char *buf, size_t size)
{
	size_t i, n = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < h->nr_args && n < size; i++) {
		k = snprintf(buf + n, size - n, "%s%u", i ? ", " : "", h->args[i].index);
		if (k < 0)
			break;
		n += k;
	}
}

static void fmt_ops(enum hornet_arg_type t, char *buf, size_t size)
{
	size_t n = 0;
	int op, k;

	buf[0] = '\0';
	for (op = HORNET_OP_EQUAL; op < HORNET_OP_IN && n < size; op++) {
		if (!op_applies(t, op))
			continue;
		k = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", hornet_op_name(op));
		if (k < 0)
			break;
		n += k;
	}
}

/* An unknown operator of matchArgs: a suggestion, or the main spellings. */
static int fail_op(struct ctx *c, const yaml_node_t *n, const char *op)
{
	const char *names[HORNET_OP_COUNT + 8];
	char shown[SHOW_MAX + 4], list[512];
	const char *best;
	int i, k = 0;

	for (i = HORNET_OP_EQUAL; i < HORNET_OP_IN; i++)
		names[k++] = hornet_op_name(i);
	spell_names(op_aliases, names + k);
	best = hornet_suggest(op, names);
	show(op, strlen(op), shown, sizeof(shown));
	if (best)
		return fail_node(c, n, "unknown operator '%s' (did you mean '%s'?)", shown, best);
	for (i = k; names[i]; i++)
		if (!strcmp(names[i], "eq"))
			names[i] = NULL; /* the older spellings go unmentioned */
	return fail_node(c, n, "unknown operator '%s' (valid: %s)", shown,
			 join(names, list, sizeof(list)));
}

/* A matchArgs operator, any case: the operator or -1. */
static int arg_op_find(const char *s)
{
	int op;

	for (op = HORNET_OP_EQUAL; op < HORNET_OP_IN; op++)
		if (!strcasecmp(s, hornet_op_name(op)))
			return op;
	op = spell_find(op_aliases, s, strlen(s));
	return op < 0 ? -1 : op_aliases[op].value;
}

/* Which of @h's arguments entry @m of matchArgs (@ret: matchReturnArgs) names. */
static int match_arg_target(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h, bool ret,
			    struct hornet_match_arg *m, const struct hornet_arg **arg)
{
	yaml_node_t *idx = get(c, map, "index"), *args = get(c, map, "args"), *n = idx;
	char list[256];
	uint64_t v = 0;
	size_t old, i;
	int err = 0;

	if (idx && args)
		return fail_node(c, map, "give 'index' or 'args', not both");
	if (ret && h->return_arg.type == HORNET_ARG_NONE)
		return fail_node(c, map, "the hook has no returnArg to match");
	if (args) {
		old = path_key(c, "args");
		err = want_list(c, args);
		if (!err && !NR_ITEMS(args))
			err = fail_node(c, args, "must not be empty");
		if (!err) {
			n = item(c, args, 0);
			path_idx(c, 0);
			err = read_uint(c, n, UINT32_MAX, &v);
		}
		path_pop(c, old);
		m->args_form = true;
	} else if (idx) {
		old = path_key(c, "index");
		err = read_uint(c, idx, UINT32_MAX, &v);
		path_pop(c, old);
	}
	if (err)
		return err;
	m->index = v;
	old = path_key(c, args ? "args" : "index");
	if (ret) {
		if (!m->args_form && v)
			err = fail_node(c, n, "%llu is not the return value's index (0)",
					(unsigned long long)v);
		*arg = &h->return_arg;
		path_pop(c, old);
		return err;
	}
	/* tracepoints: Tetragon's matchArgs index is a position in args[] */
	if (h->kind == HORNET_HOOK_TRACEPOINT)
		m->args_form = true;
	if (m->args_form) {
		/* no "index" is index 0: then the entry itself is where to point */
		if (v >= h->nr_args)
			err = fail_node(
				c, n ? n : map, "%llu is past the end of %s[] (%zu entries)",
				(unsigned long long)v, c->data ? "data" : "args", h->nr_args);
		else
			*arg = &h->args[v];
		path_pop(c, old);
		return err;
	}
	for (i = 0; i < h->nr_args; i++) {
		if (h->args[i].index == v) {
			*arg = &h->args[i];
			path_pop(c, old);
			return 0;
		}
	}
	fmt_indexes(h, list, sizeof(list));
	if (h->nr_args)
		err = fail_node(c, n ? n : map, "%llu is not among args[].index (%s)",
				(unsigned long long)v, list);
	else
		err = fail_node(c, n ? n : map, "%llu names no argument (the hook has no args)",
				(unsigned long long)v);
	path_pop(c, old);
	return err;
}

/* An argument's CEL type: an integer that holds negative values is an int */
static enum hornet_cel_type cel_type(enum hornet_arg_type t)
{
	uint64_t neg_max, pos_max;

	if (arg_class(t) != CLASS_INT)
		return HORNET_CEL_T_NONE;
	type_range(t, &neg_max, &pos_max);
	/* a syscall number takes -1 (any) in values, but is read unsigned */
	return neg_max && t != HORNET_ARG_SYSCALL64 ? HORNET_CEL_T_INT : HORNET_CEL_T_UINT;
}

/*
 * CelExpr: no index (its expressions name the arguments, argX the X-th of
 * args[]), and each value an expression, compiled here so that an error
 * points into it. The values are alternatives, as any operator's.
 */
static int parse_cel(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h, bool ret,
		     struct hornet_match_arg *m)
{
	enum hornet_cel_type types[HORNET_POLICY_MAX_ARGS];
	yaml_node_t *vn;
	char msg[256];
	size_t i, old, o2;
	int err;

	if (ret || c->data)
		return fail_node(c, map, "operator 'CelExpr' applies to matchArgs only");
	if (get(c, map, "index") || get(c, map, "args"))
		return fail_node(c, map,
				 "operator 'CelExpr' takes no index: its expressions name the "
				 "arguments (argX, the X-th of args[])");
	for (i = 0; i < h->nr_args && i < HORNET_POLICY_MAX_ARGS; i++)
		types[i] = cel_type(h->args[i].type);
	err = field_values(c, map, true, &m->values);
	if (err)
		return err;
	m->cel = calloc(m->values.n, sizeof(*m->cel));
	if (!m->cel)
		return oom(c);
	vn = get(c, map, "values");
	for (i = 0; i < m->values.n; i++) {
		if (!hornet_cel_compile(m->values.v[i].str, types, h->nr_args, &m->cel[i], msg,
					sizeof(msg)))
			continue;
		old = path_key(c, "values");
		o2 = path_idx(c, i);
		err = fail_node(c, item(c, vn, i), "CelExpr '%s': %s", m->values.v[i].str, msg);
		path_pop(c, o2);
		path_pop(c, old);
		return err;
	}
	return 0;
}

static int parse_match_arg(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h, bool ret,
			   struct hornet_match_arg *m)
{
	static const char *const keys[] = { "index", "args", "operator", "values", NULL };
	const struct hornet_arg *arg = NULL;
	char list[512], what[64], *op = NULL;
	yaml_node_t *opn, *vn;
	size_t old;
	int i, err;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	m->pos.line = map->start_mark.line + 1;
	m->pos.column = map->start_mark.column + 1;
	opn = get(c, map, "operator");
	if (opn && opn->type == YAML_SCALAR_NODE &&
	    !strcasecmp((const char *)opn->data.scalar.value, "CelExpr")) {
		m->op = HORNET_OP_CEL_EXPR;
		return parse_cel(c, map, h, ret, m);
	}
	err = match_arg_target(c, map, h, ret, m, &arg);
	if (err)
		return err;
	opn = get(c, map, "operator");
	if (!opn)
		return missing(c, map, "operator");
	old = path_key(c, "operator");
	err = read_str(c, opn, &op);
	if (!err) {
		i = arg_op_find(op);
		if (i < 0 || i == HORNET_OP_CEL_EXPR)
			err = fail_op(c, opn, op);
		else
			m->op = i;
	}
	if (!err && !op_applies(arg->type, m->op)) {
		if (ret)
			snprintf(what, sizeof(what), "the return value");
		else if (c->data)
			snprintf(what, sizeof(what), "data entry %u", m->index);
		else
			snprintf(what, sizeof(what), "argument %u", arg->index);
		fmt_ops(arg->type, list, sizeof(list));
		if (list[0])
			err = fail_node(
				c, opn,
				"operator '%s' does not apply to %s of type '%s' (valid: %s)", op,
				what, arg->type_name, list);
		else
			err = fail_node(c, opn,
					"operator '%s' does not apply to %s of type '%s' (no "
					"operator applies to that type)",
					op, what, arg->type_name);
	}
	free(op);
	path_pop(c, old);
	if (err)
		return err;
	err = field_values(c, map, !is_priv_op(m->op), &m->values);
	if (err)
		return err;
	if (is_priv_op(m->op) && m->values.n) {
		vn = get(c, map, "values");
		old = path_key(c, "values");
		err = fail_node(c, vn, "operator '%s' takes no values", hornet_op_name(m->op));
		path_pop(c, old);
		return err;
	}
	err = check_arg_values(c, &m->values, arg->type, m->op);
	if (!err && m->op == HORNET_OP_CAPABILITIES_GAINED)
		for (i = 0; i < (int)m->values.n; i++)
			m->caps |= 1ULL << m->values.v[i].num;
	return err;
}

/* ---- selectors --------------------------------------------------------- */

/* A list under @key of @map, each entry parsed by @fn into an array of @size-byte entries. */
typedef int (*entry_fn)(struct ctx *c, const yaml_node_t *map, void *entry, void *arg);

static int field_entries(struct ctx *c, const yaml_node_t *map, const char *key, size_t size,
			 size_t max, const char *too_many, void **out, size_t *nr, entry_fn fn,
			 void *arg)
{
	yaml_node_t *n = get(c, map, key);
	size_t old, o2, i;
	int err;

	if (!n)
		return 0;
	old = path_key(c, key);
	err = want_list(c, n);
	if (!err && max && NR_ITEMS(n) > max) {
		o2 = path_idx(c, max);
		err = fail_node(c, item(c, n, max), "%s (at most %zu)", too_many, max);
		path_pop(c, o2);
	}
	if (!err && NR_ITEMS(n) && !*out) {
		*out = calloc(NR_ITEMS(n), size);
		if (!*out)
			err = oom(c);
	}
	if (!err)
		*nr = NR_ITEMS(n);
	for (i = 0; !err && i < NR_ITEMS(n); i++) {
		o2 = path_idx(c, i);
		err = fn(c, item(c, n, i), (char *)*out + i * size, arg);
		path_pop(c, o2);
	}
	path_pop(c, old);
	return err;
}

static void set_pos(struct hornet_pos *pos, const yaml_node_t *n)
{
	pos->line = n->start_mark.line + 1;
	pos->column = n->start_mark.column + 1;
}

static int match_arg_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	return parse_match_arg(c, map, arg, false, entry);
}

static int match_return_arg_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	return parse_match_arg(c, map, arg, true, entry);
}

/*
 * matchData: as matchArgs, on the entries of data[], which its index
 * names by position (as Tetragon, whatever the entries' own index says).
 */
static int match_data_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	const struct hornet_hook *h = arg;
	/* a hook whose args[] are the data[]: positions, as a tracepoint's */
	struct hornet_hook view;
	int err;

	memset(&view, 0, sizeof(view));
	view.kind = HORNET_HOOK_TRACEPOINT;
	memcpy(view.args, h->data, sizeof(view.args));
	view.nr_args = h->nr_data;
	c->data = true;
	err = parse_match_arg(c, map, &view, false, entry);
	c->data = false;
	return err;
}

static int match_pids_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "operator", "values", "followForks", "isNamespacePID",
					    NULL };
	struct hornet_match_pids *m = entry;
	int op = 0, err;
	size_t i;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&m->pos, map);
	err = field_op(c, map, in_ops, &op) ?:
		      field_values(c, map, true, &m->values) ?:
		      field_bool(c, map, "followForks", &m->follow_forks) ?:
		      field_bool(c, map, "isNamespacePID", &m->is_namespace_pid);
	m->op = op;
	for (i = 0; !err && i < m->values.n; i++) {
		if (!m->values.v[i].is_num || m->values.v[i].num < 0 ||
		    m->values.v[i].num > UINT32_MAX)
			err = fail_value(c, &m->values, i, "'%s' is not a process ID (0..%u)",
					 m->values.v[i].str, UINT32_MAX);
		else
			m->values.v[i].kind = HORNET_VALUE_INT;
	}
	return err;
}

static int match_binaries_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "operator", "values", "followChildren", NULL };
	struct hornet_match_binaries *m = entry;
	int op = 0, err;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&m->pos, map);
	err = field_op(c, map, binary_ops, &op) ?:
		      field_values(c, map, true, &m->values) ?:
		      field_bool(c, map, "followChildren", &m->follow_children);
	m->op = op;
	return err;
}

static int match_ns_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "namespace", "operator", "values", NULL };
	struct hornet_match_ns *m = entry;
	int ns = 0, op = 0, err;
	size_t i;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&m->pos, map);
	err = field_vocab(c, map, "namespace", true, HORNET_VOCAB_NAMESPACE, &ns) ?:
		      field_op(c, map, in_ops, &op) ?:
		      field_values(c, map, true, &m->values);
	m->ns = ns;
	m->op = op;
	for (i = 0; !err && i < m->values.n; i++) {
		struct hornet_value *v = &m->values.v[i];

		if (!strcmp(v->str, "host_ns"))
			v->kind = HORNET_VALUE_HOST_NS;
		else if (v->is_num && v->num >= 0)
			v->kind = HORNET_VALUE_INT;
		else
			err = fail_value(c, &m->values, i,
					 "'%s' is not a namespace inode number or 'host_ns'",
					 v->str);
	}
	return err;
}

static int caps_common(struct ctx *c, const yaml_node_t *map, enum hornet_cap_type *type,
		       enum hornet_op *op, bool *is_ns, uint64_t *caps, struct hornet_values *vs)
{
	static const char *const keys[] = { "type", "operator", "isNamespaceCapability", "values",
					    NULL };
	int t = HORNET_CAPT_EFFECTIVE, o = 0, err;
	size_t i;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	err = field_spelling(c, map, "type", false, cap_types, "capability type", &t) ?:
		      field_op(c, map, in_ops, &o) ?:
		      field_bool(c, map, "isNamespaceCapability", is_ns) ?:
		      field_values(c, map, true, vs);
	*type = t;
	*op = o;
	for (i = 0; !err && i < vs->n; i++) {
		err = check_cap_value(c, vs, i, HORNET_ARG_CAPABILITY, true);
		if (!err)
			*caps |= 1ULL << vs->v[i].num;
	}
	return err;
}

static int match_caps_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	struct hornet_match_caps *m = entry;

	set_pos(&m->pos, map);
	return caps_common(c, map, &m->type, &m->op, &m->is_namespace_capability, &m->caps,
			   &m->values);
}

static int match_cap_changes_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	struct hornet_match_cap_changes *m = entry;
	struct hornet_values vs = { 0 };
	size_t i;
	int err;

	set_pos(&m->pos, map);
	err = caps_common(c, map, &m->type, &m->op, &m->is_namespace_capability, &m->caps, &vs);
	for (i = 0; i < vs.n; i++)
		free(vs.v[i].str);
	free(vs.v);
	return err;
}

static int match_ns_changes_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "operator", "values", NULL };
	struct hornet_match_ns_changes *m = entry;
	struct hornet_values vs = { 0 };
	int op = 0, err;
	size_t i;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&m->pos, map);
	err = field_op(c, map, in_ops, &op) ?: field_values(c, map, true, &vs);
	m->op = op;
	for (i = 0; !err && i < vs.n; i++) {
		int64_t ns;

		if (hornet_vocab_value(HORNET_VOCAB_NAMESPACE, vs.v[i].str, &ns)) {
			const char *names[64], *best;
			char shown[SHOW_MAX + 4], list[256];

			hornet_vocab_names(HORNET_VOCAB_NAMESPACE, names, 64);
			best = hornet_suggest(vs.v[i].str, names);
			show(vs.v[i].str, strlen(vs.v[i].str), shown, sizeof(shown));
			if (best)
				err = fail_value(c, &vs, i,
						 "unknown namespace '%s' (did you mean '%s'?)",
						 shown, best);
			else
				err = fail_value(c, &vs, i, "unknown namespace '%s' (valid: %s)",
						 shown, join(names, list, sizeof(list)));
		} else {
			m->ns_mask |= 1U << ns;
		}
	}
	for (i = 0; i < vs.n; i++)
		free(vs.v[i].str);
	free(vs.v);
	return err;
}

/* ---- matchActions ------------------------------------------------------ */

enum {
	AA_ERROR = 1 << 0,
	AA_SIG = 1 << 1,
	AA_FD = 1 << 2,
	AA_NAME = 1 << 3,
	AA_SOCK = 1 << 4,
	AA_URL = 1 << 5,
	AA_FQDN = 1 << 6,
	AA_INDEX = 1 << 7,
	AA_VALUE = 1 << 8,
	AA_POST = 1 << 9, /* rateLimit, rateLimitScope, stack traces, imaHash */
};

static const unsigned int action_args[HORNET_ACTION_COUNT] = {
	[HORNET_ACTION_POST] = AA_POST,
	/* Tetragon ignores Sigkill's argError, and its examples set one: kept, unused */
	[HORNET_ACTION_SIGKILL] = AA_ERROR,
	[HORNET_ACTION_SIGNAL] = AA_SIG,
	[HORNET_ACTION_OVERRIDE] = AA_ERROR,
	[HORNET_ACTION_FOLLOWFD] = AA_FD | AA_NAME,
	[HORNET_ACTION_UNFOLLOWFD] = AA_FD | AA_NAME,
	[HORNET_ACTION_COPYFD] = AA_FD | AA_NAME,
	[HORNET_ACTION_TRACKSOCK] = AA_SOCK,
	[HORNET_ACTION_UNTRACKSOCK] = AA_SOCK,
	[HORNET_ACTION_GETURL] = AA_URL,
	[HORNET_ACTION_DNSLOOKUP] = AA_FQDN,
	[HORNET_ACTION_NOTIFY_ENFORCER] = AA_ERROR | AA_SIG,
	[HORNET_ACTION_CLEANUP_ENFORCER] = 0,
	[HORNET_ACTION_SET] = AA_INDEX | AA_VALUE,
};

static const struct {
	const char *key;
	unsigned int bit;
} action_keys[] = {
	{ "argError", AA_ERROR },
	{ "argSig", AA_SIG },
	{ "argFd", AA_FD },
	{ "argName", AA_NAME },
	{ "argSock", AA_SOCK },
	{ "argUrl", AA_URL },
	{ "argFqdn", AA_FQDN },
	{ "argIndex", AA_INDEX },
	{ "argValue", AA_VALUE },
	{ "rateLimit", AA_POST },
	{ "rateLimitScope", AA_POST },
	{ "kernelStackTrace", AA_POST },
	{ "userStackTrace", AA_POST },
	{ "imaHash", AA_POST },
};

static const char *const action_key_names[] = {
	"action",	    "argError",	      "argSig",	  "argFd",    "argName",   "argSock",
	"argUrl",	    "argFqdn",	      "argIndex", "argValue", "rateLimit", "rateLimitScope",
	"kernelStackTrace", "userStackTrace", "imaHash",  NULL
};

/* A Tetragon action name, any case: the action or -1. */
static int action_find(const char *s)
{
	int a;

	for (a = 0; a < HORNET_ACTION_COUNT; a++)
		if (!strcasecmp(s, hornet_action_name(a)))
			return a;
	return -1;
}

static int read_action(struct ctx *c, const yaml_node_t *n, const char *what, int *out)
{
	const char *names[HORNET_ACTION_COUNT + 1];
	char *s = NULL;
	int a, err;

	err = read_str(c, n, &s);
	if (err)
		return err;
	a = action_find(s);
	if (a < 0) {
		for (a = 0; a < HORNET_ACTION_COUNT; a++)
			names[a] = hornet_action_name(a);
		names[a] = NULL;
		err = fail_choice(c, n, what, s, names);
	} else {
		*out = a;
	}
	free(s);
	return err;
}

static bool is_url(const char *s)
{
	size_t skip;

	if (!strncasecmp(s, "http://", 7))
		skip = 7;
	else if (!strncasecmp(s, "https://", 8))
		skip = 8;
	else
		return false;
	if (!s[skip] || s[skip] == '/' || s[skip] == ':' || s[skip] == '?' || s[skip] == '#')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static bool is_fqdn(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (!len || len > 254 || (len == 254 && s[253] != '.'))
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (!label)
				return false;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static int match_action_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	struct hornet_match_action *m = entry;
	unsigned int allowed;
	char *rate = NULL, shown[SHOW_MAX + 4];
	yaml_node_t *n;
	int a = 0, scope = 0, err;
	int64_t v;
	size_t i, old;

	err = want_map(c, map) ?: check_keys(c, map, action_key_names);
	if (err)
		return err;
	set_pos(&m->pos, map);
	n = get(c, map, "action");
	if (!n)
		return missing(c, map, "action");
	old = path_key(c, "action");
	err = read_action(c, n, "action", &a);
	path_pop(c, old);
	if (err)
		return err;
	m->action = a;
	allowed = action_args[a];
	for (i = 0; i < sizeof(action_keys) / sizeof(action_keys[0]); i++) {
		n = get(c, map, action_keys[i].key);
		if (!n || (allowed & action_keys[i].bit))
			continue;
		old = path_key(c, action_keys[i].key);
		err = fail_node(c, n, "does not apply to action '%s'", hornet_action_name(a));
		path_pop(c, old);
		return err;
	}
	if (a == HORNET_ACTION_SIGNAL && !get(c, map, "argSig"))
		return missing(c, map, "argSig");
	if (a == HORNET_ACTION_OVERRIDE && !get(c, map, "argError"))
		return missing(c, map, "argError");
	if (a == HORNET_ACTION_NOTIFY_ENFORCER && !c->p->has_enforcers)
		return fail_node(c, map, "action NotifyEnforcer needs spec.enforcers");
	if (a == HORNET_ACTION_NOTIFY_ENFORCER && !get(c, map, "argSig") &&
	    !get(c, map, "argError"))
		return fail_node(c, map,
				 "action NotifyEnforcer needs argSig, argError or both: the "
				 "enforcer would do nothing");

	if ((n = get(c, map, "argError"))) {
		old = path_key(c, "argError");
		err = read_int(c, n, INT32_MIN, INT32_MAX, &v);
		m->arg_error = v;
		path_pop(c, old);
	}
	if (!err && (n = get(c, map, "argSig"))) {
		old = path_key(c, "argSig");
		err = read_int(c, n, 1, MAX_SIGNAL, &v);
		m->arg_sig = v;
		path_pop(c, old);
	}
	if (!err && (n = get(c, map, "argValue"))) {
		/* Set's value, written with the argument's size */
		old = path_key(c, "argValue");
		err = read_int(c, n, INT64_MIN, INT64_MAX, &v);
		m->arg_value = v;
		path_pop(c, old);
	}
	err = err ?: field_uint(c, map, "argFd", UINT32_MAX, &m->arg_fd) ?:
		      field_uint(c, map, "argName", UINT32_MAX, &m->arg_name) ?:
		      field_uint(c, map, "argSock", UINT32_MAX, &m->arg_sock) ?:
		      field_uint(c, map, "argIndex", UINT32_MAX, &m->arg_index) ?:
		      field_str(c, map, "argUrl", a == HORNET_ACTION_GETURL, &m->arg_url) ?:
		      field_str(c, map, "argFqdn", a == HORNET_ACTION_DNSLOOKUP, &m->arg_fqdn) ?:
		      field_bool(c, map, "kernelStackTrace", &m->kernel_stack) ?:
		      field_bool(c, map, "userStackTrace", &m->user_stack) ?:
		      field_bool(c, map, "imaHash", &m->ima_hash) ?:
		      field_str(c, map, "rateLimit", false, &rate) ?:
		      field_spelling(c, map, "rateLimitScope", false, scopes, "rateLimitScope",
				     &scope);
	m->scope = scope;
	if (!err && m->arg_url && !is_url(m->arg_url)) {
		old = path_key(c, "argUrl");
		err = fail_node(c, get(c, map, "argUrl"), "'%s' is not an http:// or https:// URL",
				show(m->arg_url, strlen(m->arg_url), shown, sizeof(shown)));
		path_pop(c, old);
	}
	if (!err && m->arg_fqdn && !is_fqdn(m->arg_fqdn)) {
		old = path_key(c, "argFqdn");
		err = fail_node(c, get(c, map, "argFqdn"), "'%s' is not a domain name",
				show(m->arg_fqdn, strlen(m->arg_fqdn), shown, sizeof(shown)));
		path_pop(c, old);
	}
	if (!err && rate && hornet_parse_duration(rate, &m->rate_limit_ns)) {
		old = path_key(c, "rateLimit");
		err = fail_node(c, get(c, map, "rateLimit"),
				"invalid duration '%s' (a whole number with ms, s, m, h or d, "
				"e.g. \"1m\"; a bare number counts seconds)",
				show(rate, strlen(rate), shown, sizeof(shown)));
		path_pop(c, old);
	}
	if (!err && !rate && get(c, map, "rateLimitScope")) {
		old = path_key(c, "rateLimitScope");
		err = fail_node(c, get(c, map, "rateLimitScope"), "needs rateLimit");
		path_pop(c, old);
	}
	free(rate);
	return err;
}

static int selector_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "matchArgs",
					    "matchData",
					    "matchReturnArgs",
					    "matchPIDs",
					    "matchBinaries",
					    "matchParentBinaries",
					    "matchNamespaces",
					    "matchCapabilities",
					    "matchNamespaceChanges",
					    "matchCapabilityChanges",
					    "matchActions",
					    "matchReturnActions",
					    NULL };
	struct hornet_selector *s = entry;
	struct hornet_match_action *actions = s->actions, *ractions = s->return_actions;
	const struct hornet_hook *h = arg;
	yaml_node_t *n = get(c, map, "matchReturnActions");
	size_t old;
	int err;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&s->pos, map);
	/* hornet runs a hook with a return once, at the return: the
	 * selector's matchActions and matchReturnActions are both taken there */
	if (n && !h->ret) {
		old = path_key(c, "matchReturnActions");
		err = fail_node(c, n,
				"the hook has no return: matchReturnActions need a kprobe, "
				"fentry or uprobe with 'return: true'");
		path_pop(c, old);
		return err;
	}
	err = field_entries(c, map, "matchReturnActions", sizeof(*ractions),
			    HORNET_POLICY_MAX_ACTIONS, "too many actions", (void **)&ractions,
			    &s->nr_return_actions, match_action_entry, arg);
	if (err)
		return err;
	return field_entries(c, map, "matchArgs", sizeof(*s->args), 0, NULL, (void **)&s->args,
			     &s->nr_args, match_arg_entry, arg) ?:
		       field_entries(c, map, "matchData", sizeof(*s->data_args), 0, NULL,
				     (void **)&s->data_args, &s->nr_data_args, match_data_entry,
				     arg) ?:
		       field_entries(c, map, "matchReturnArgs", sizeof(*s->return_args), 0, NULL,
				     (void **)&s->return_args, &s->nr_return_args,
				     match_return_arg_entry, arg) ?:
		       field_entries(c, map, "matchPIDs", sizeof(*s->pids), 0, NULL,
				     (void **)&s->pids, &s->nr_pids, match_pids_entry, arg) ?:
		       field_entries(c, map, "matchBinaries", sizeof(*s->binaries), 0, NULL,
				     (void **)&s->binaries, &s->nr_binaries, match_binaries_entry,
				     arg) ?:
		       field_entries(c, map, "matchParentBinaries", sizeof(*s->parent_binaries), 0,
				     NULL, (void **)&s->parent_binaries, &s->nr_parent_binaries,
				     match_binaries_entry, arg) ?:
		       field_entries(c, map, "matchNamespaces", sizeof(*s->ns), 0, NULL,
				     (void **)&s->ns, &s->nr_ns, match_ns_entry, arg) ?:
		       field_entries(c, map, "matchCapabilities", sizeof(*s->caps), 0, NULL,
				     (void **)&s->caps, &s->nr_caps, match_caps_entry, arg) ?:
		       field_entries(c, map, "matchNamespaceChanges", sizeof(*s->ns_changes), 0,
				     NULL, (void **)&s->ns_changes, &s->nr_ns_changes,
				     match_ns_changes_entry, arg) ?:
		       field_entries(c, map, "matchCapabilityChanges", sizeof(*s->cap_changes), 0,
				     NULL, (void **)&s->cap_changes, &s->nr_cap_changes,
				     match_cap_changes_entry, arg) ?:
		       field_entries(c, map, "matchActions", sizeof(*actions),
				     HORNET_POLICY_MAX_ACTIONS, "too many actions",
				     (void **)&actions, &s->nr_actions, match_action_entry, arg);
}

/* ---- hooks ------------------------------------------------------------- */

static int read_arg_type(struct ctx *c, const yaml_node_t *n, bool allow_auto, struct hornet_arg *a)
{
	const char *names[HORNET_ARG_TYPE_COUNT + 4];
	char *s = NULL, *t;
	size_t len;
	int i, k, err;

	err = read_str(c, n, &s);
	if (err)
		return err;
	/* the corpus has "type:  string" with spaces inside the quotes */
	for (t = s; *t == ' ' || *t == '\t'; t++)
		;
	len = strlen(t);
	while (len && (t[len - 1] == ' ' || t[len - 1] == '\t'))
		len--;
	memmove(s, t, len);
	s[len] = '\0';
	a->type_name = s;
	for (i = HORNET_ARG_NONE + 1; i < HORNET_ARG_TYPE_COUNT; i++)
		if (!strcmp(s, hornet_arg_type_name(i)))
			break;
	if (i == HORNET_ARG_TYPE_COUNT) {
		k = spell_find(arg_type_aliases, s, len);
		if (k >= 0 && !strcmp(arg_type_aliases[k].name, s))
			i = arg_type_aliases[k].value;
	}
	if (i == HORNET_ARG_TYPE_COUNT) {
		for (k = 0, i = HORNET_ARG_NONE + 1; i < HORNET_ARG_TYPE_COUNT; i++)
			names[k++] = hornet_arg_type_name(i);
		names[k] = NULL;
		return fail_choice(c, n, "type", s, names);
	}
	if (i == HORNET_ARG_AUTO && !allow_auto)
		return fail_node(c, n, "type 'auto' is only valid in tracepoints");
	a->type = i;
	return 0;
}

struct arg_ctx {
	unsigned int max_index;
	bool tracepoint;
	bool data; /* data[] entries: they may have a source */
};

static int arg_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "index",	  "type",    "sizeArgIndex",
					    "returnCopy", "maxData", "label",
					    "resolve",	  "source",  NULL };
	struct arg_ctx *ac = arg;
	struct hornet_arg *a = entry;
	yaml_node_t *n;
	size_t old;
	int err;
	bool max = false;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&a->pos, map);
	if (!get(c, map, "index"))
		return missing(c, map, "index");
	err = field_uint(c, map, "index", ac->max_index, &a->index);
	if (err)
		return err;
	n = get(c, map, "type");
	if (n) {
		old = path_key(c, "type");
		err = read_arg_type(c, n, ac->tracepoint, a);
		path_pop(c, old);
	} else if (ac->tracepoint) {
		a->type = HORNET_ARG_AUTO;
		a->type_name = strdup("auto");
		if (!a->type_name)
			err = oom(c);
	} else {
		err = missing(c, map, "type");
	}
	err = err ?: field_uint(c, map, "sizeArgIndex", 64, &a->size_arg_index) ?:
		      field_bool(c, map, "returnCopy", &a->return_copy) ?:
		      field_str(c, map, "label", false, &a->label) ?:
		      field_str(c, map, "resolve", false, &a->resolve);
	n = get(c, map, "source");
	if (!err && n) {
		/* Tetragon's data[] source: the current task instead of an argument */
		old = path_key(c, "source");
		if (!ac->data)
			err = fail_node(c, n, "source is for data[] entries, not args");
		else if (n->type == YAML_SCALAR_NODE && scalar_is(n, "pt_regs"))
			err = fail_node(c, n,
					"source pt_regs (a register by name) is not supported; "
					"current_task is");
		else if (n->type != YAML_SCALAR_NODE || !scalar_is(n, "current_task"))
			err = fail_node(c, n, "the one source is current_task, found %s",
					n->type == YAML_SCALAR_NODE ? "another" : found(n));
		else if (!a->resolve)
			err = fail_node(c, n,
					"source current_task needs resolve, a field path in "
					"struct task_struct (cred.uid.val, loginuid.val, ...)");
		a->current_task = true;
		path_pop(c, old);
	}
	n = get(c, map, "maxData");
	if (!err && n) {
		/* Tetragon's maxData is a boolean; a byte count is accepted too */
		old = path_key(c, "maxData");
		if (scalar_is(n, "true") || scalar_is(n, "false") || scalar_is(n, "True") ||
		    scalar_is(n, "False") || scalar_is(n, "TRUE") || scalar_is(n, "FALSE")) {
			err = read_bool(c, n, &max);
			a->max_data = max ? MAX_DATA_BYTES : 0;
		} else {
			uint64_t v = 0;

			err = read_uint(c, n, MAX_DATA_BYTES, &v);
			a->max_data = v;
		}
		path_pop(c, old);
	}
	if (!err && a->type == HORNET_ARG_CHAR_BUF && !a->size_arg_index && !a->return_copy)
		err = fail_node(c, map,
				"char_buf needs sizeArgIndex (the 1-based index of its size "
				"argument) or returnCopy");
	if (!err && a->type == HORNET_ARG_CHAR_IOVEC && !a->size_arg_index)
		err = fail_node(c, map,
				"char_iovec needs sizeArgIndex (the 1-based index of the "
				"argument with its number of segments)");
	return err;
}

/* sizeArgIndex of each of @args names another argument (kprobes, uprobes, LSM hooks). */
static int check_size_args(struct ctx *c, const yaml_node_t *hook, const char *key,
			   const struct hornet_hook *h, const struct hornet_arg *args, size_t nr)
{
	yaml_node_t *list = get(c, hook, key), *n;
	char buf[256];
	size_t i, k, old;
	int err;

	for (i = 0; i < nr; i++) {
		if (!args[i].size_arg_index)
			continue;
		for (k = 0; k < h->nr_args; k++)
			if (&h->args[k] != &args[i] &&
			    h->args[k].index + 1 == args[i].size_arg_index)
				break;
		if (k < h->nr_args)
			continue;
		n = get(c, item(c, list, i), "sizeArgIndex");
		fmt_indexes(h, buf, sizeof(buf));
		old = path_key(c, key);
		path_idx(c, i);
		path_key(c, "sizeArgIndex");
		err = fail_node(c, n,
				"%u names argument index %u, which is not among args[].index "
				"(%s)",
				args[i].size_arg_index, args[i].size_arg_index - 1, buf);
		path_pop(c, old);
		return err;
	}
	return 0;
}

static int hook_args(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	struct arg_ctx ac = {
		.max_index =
			h->kind == HORNET_HOOK_TRACEPOINT || h->kind == HORNET_HOOK_USDT ? 63 : 7,
		.tracepoint = h->kind == HORNET_HOOK_TRACEPOINT,
	};
	struct arg_ctx dc = ac;
	struct hornet_arg *args = h->args, *data = h->data;
	yaml_node_t *n;
	size_t old;
	int err;

	dc.data = true;

	err = field_entries(c, map, "args", sizeof(*args), HORNET_POLICY_MAX_ARGS, "too many args",
			    (void **)&args, &h->nr_args, arg_entry, &ac)
		      ?: field_entries(c, map, "data", sizeof(*data), HORNET_POLICY_MAX_ARGS,
				       "too many data entries", (void **)&data, &h->nr_data,
				       arg_entry, &dc);
	if (err)
		return err;
	n = get(c, map, "returnArg");
	if (n) {
		old = path_key(c, "returnArg");
		err = arg_entry(c, n, &h->return_arg, &ac);
		path_pop(c, old);
		if (err)
			return err;
	}
	if (h->kind == HORNET_HOOK_TRACEPOINT)
		return 0; /* Tetragon reads a tracepoint's size field even when not in args[] */
	return check_size_args(c, map, "args", h, h->args, h->nr_args);
}

static int hook_common(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	struct hornet_selector *sels = h->selectors;

	return hook_args(c, map, h) ?:
		       field_entries(c, map, "selectors", sizeof(*sels), HORNET_POLICY_MAX_SELECTORS,
				     "too many selectors", (void **)&sels, &h->nr_selectors,
				     selector_entry, h) ?:
		       field_str(c, map, "message", false, &h->message) ?:
		       field_strings(c, map, "tags", MAX_TAGS, &h->tags, &h->nr_tags);
}

static int check_call_list(struct ctx *c, const yaml_node_t *map, const char *call)
{
	size_t old;
	int err;

	if (strncmp(call, "list:", 5) || list_of(c, call + 5))
		return 0;
	old = path_key(c, "call");
	err = fail_no_list(c, get(c, map, "call"), NULL, 0, call + 5);
	path_pop(c, old);
	return err;
}

/* The hook's "ignore" map, whose one key @key sets *@out. */
static int field_ignore(struct ctx *c, const yaml_node_t *map, const char *key, bool *out)
{
	const char *const keys[] = { key, NULL };
	yaml_node_t *n = get(c, map, "ignore");
	size_t old;
	int err;

	if (!n)
		return 0;
	old = path_key(c, "ignore");
	err = want_map(c, n) ?: check_keys(c, n, keys) ?: field_bool(c, n, key, out);
	path_pop(c, old);
	return err;
}

static int kprobe_hook(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	static const char *const keys[] = { "call", "syscall",	 "return",
					    "args", "returnArg", "returnArgAction",
					    "data", "selectors", "message",
					    "tags", "ignore",	 NULL };
	yaml_node_t *n;
	size_t old;
	int err, a = HORNET_ACTION_POST;

	err = check_keys(c, map, keys) ?: field_str(c, map, "call", true, &h->call) ?:
					   check_call_list(c, map, h->call) ?:
					   field_bool(c, map, "syscall", &h->syscall) ?:
					   field_bool(c, map, "return", &h->ret);
	if (err)
		return err;
	n = get(c, map, "returnArgAction");
	if (n) {
		old = path_key(c, "returnArgAction");
		err = read_action(c, n, "returnArgAction", &a);
		if (!err && a != HORNET_ACTION_POST && a != HORNET_ACTION_TRACKSOCK &&
		    a != HORNET_ACTION_UNTRACKSOCK)
			err = fail_node(c, n,
					"'%s' is not a return action (valid: Post, TrackSock, "
					"UntrackSock)",
					hornet_action_name(a));
		path_pop(c, old);
		if (err)
			return err;
		h->return_arg_action = a;
	}
	return field_ignore(c, map, "callNotFound", &h->ignore_call_not_found)
		       ?: hook_common(c, map, h);
}

static int tracepoint_hook(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	static const char *const keys[] = { "subsystem", "event", "raw",    "args", "selectors",
					    "message",	 "tags",  "ignore", NULL };
	int err;

	err = check_keys(c, map, keys) ?: field_str(c, map, "subsystem", true, &h->subsystem) ?:
					   field_str(c, map, "event", true, &h->event) ?:
					   field_bool(c, map, "raw", &h->raw) ?: field_ignore(c, map, "callNotFound", &h->ignore_call_not_found);
	if (err)
		return err;
	if (asprintf(&h->call, "%s/%s", h->subsystem, h->event) < 0) {
		h->call = NULL;
		return oom(c);
	}
	return hook_common(c, map, h);
}

static int lsm_hook(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	static const char *const keys[] = { "hook", "args", "selectors", "message", "tags", NULL };

	return check_keys(c, map, keys) ?: field_str(c, map, "hook", true, &h->call) ?:
					    hook_common(c, map, h);
}

/*
 * binaryDigests: "sha256:<64 hex digits>" (any case, as Tetragon), kept as
 * the lowercase hex; ignore.digestVerificationFailure skips the hook when
 * the binary matches none, which is otherwise an error.
 */
static int uprobe_digests(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	size_t i, j, old;
	char *d, *hex;
	int err;

	err = field_strings(c, map, "binaryDigests", 0, &h->digests, &h->nr_digests);
	for (i = 0; !err && i < h->nr_digests; i++) {
		d = h->digests[i];
		hex = strchr(d, ':');
		for (j = 0; hex && hex[1 + j] && isxdigit((unsigned char)hex[1 + j]); j++)
			;
		if (hex && hex - d == 6 && !strncasecmp(d, "sha256", 6) && j == 64 && !hex[65]) {
			memmove(d, hex + 1, 65);
			for (j = 0; d[j]; j++)
				d[j] = tolower((unsigned char)d[j]);
			continue;
		}
		old = path_key(c, "binaryDigests");
		path_idx(c, i);
		err = fail_node(c, item(c, get(c, map, "binaryDigests"), i),
				"'%s': a digest is \"sha256:\" and 64 hex digits (hornet checks "
				"sha256 only)",
				d);
		path_pop(c, old);
	}
	return err ?: field_ignore(c, map, "digestVerificationFailure", &h->ignore_digest);
}

static int uprobe_hook(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	static const char *const keys[] = { "path",	     "symbols",	  "offsets", "return",
					    "args",	     "selectors", "message", "tags",
					    "binaryDigests", "ignore",	  NULL };
	yaml_node_t *n;
	uint64_t v;
	size_t i, old, o2;
	int err;

	err = check_keys(c, map, keys) ?: field_str(c, map, "path", true, &h->path) ?:
					   field_strings(c, map, "symbols", 0, &h->symbols,
							 &h->nr_symbols) ?:
					   field_bool(c, map, "return", &h->ret) ?:
					   uprobe_digests(c, map, h);
	if (err)
		return err;
	for (i = 0; i < h->nr_symbols; i++) {
		if (h->symbols[i][0])
			continue;
		old = path_key(c, "symbols");
		path_idx(c, i);
		err = fail_node(c, item(c, get(c, map, "symbols"), i), "must not be empty");
		path_pop(c, old);
		return err;
	}
	n = get(c, map, "offsets");
	if (n) {
		old = path_key(c, "offsets");
		err = want_list(c, n);
		if (!err && NR_ITEMS(n)) {
			h->offsets = calloc(NR_ITEMS(n), sizeof(*h->offsets));
			if (!h->offsets)
				err = oom(c);
			else
				h->nr_offsets = NR_ITEMS(n);
		}
		for (i = 0; !err && i < h->nr_offsets; i++) {
			o2 = path_idx(c, i);
			err = read_uint(c, item(c, n, i), UINT64_MAX, &v);
			h->offsets[i] = v;
			path_pop(c, o2);
		}
		path_pop(c, old);
		if (err)
			return err;
	}
	if (!h->nr_symbols && !h->nr_offsets)
		return fail_node(c, map, "missing 'symbols' (or 'offsets')");
	if (h->nr_symbols)
		h->call = strdup(h->symbols[0]);
	else if (asprintf(&h->call, "0x%llx", (unsigned long long)h->offsets[0]) < 0)
		h->call = NULL;
	if (!h->call)
		return oom(c);
	return hook_common(c, map, h);
}

static int usdt_hook(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	static const char *const keys[] = { "path",	 "provider", "name", "args",
					    "selectors", "message",  "tags", NULL };
	char *provider = NULL, *name = NULL;
	int err;

	err = check_keys(c, map, keys) ?: field_str(c, map, "path", true, &h->path) ?:
					   field_str(c, map, "provider", true, &provider) ?:
					   field_str(c, map, "name", true, &name);
	if (!err && asprintf(&h->call, "%s:%s", provider, name) < 0) {
		h->call = NULL;
		err = oom(c);
	}
	free(provider);
	free(name);
	return err ?: hook_common(c, map, h);
}

static const char *const hook_keys[] = { "kprobes",  "fentries", "tracepoints",
					 "lsmhooks", "uprobes",	 "usdts" };
static const enum hornet_hook_kind hook_kinds[] = { HORNET_HOOK_KPROBE,	    HORNET_HOOK_FENTRY,
						    HORNET_HOOK_TRACEPOINT, HORNET_HOOK_LSM,
						    HORNET_HOOK_UPROBE,	    HORNET_HOOK_USDT };
#define NR_HOOK_KINDS (sizeof(hook_kinds) / sizeof(hook_kinds[0]))

static int parse_hook(struct ctx *c, const yaml_node_t *map, struct hornet_hook *h)
{
	int err;

	h->return_arg.type = HORNET_ARG_NONE;
	h->return_arg_action = HORNET_ACTION_POST;
	set_pos(&h->pos, map);
	err = want_map(c, map);
	if (err)
		return err;
	switch (h->kind) {
	case HORNET_HOOK_KPROBE:
	case HORNET_HOOK_FENTRY:
		return kprobe_hook(c, map, h);
	case HORNET_HOOK_TRACEPOINT:
		return tracepoint_hook(c, map, h);
	case HORNET_HOOK_LSM:
		return lsm_hook(c, map, h);
	case HORNET_HOOK_UPROBE:
		return uprobe_hook(c, map, h);
	default:
		return usdt_hook(c, map, h);
	}
}

static int parse_hooks(struct ctx *c, const yaml_node_t *spec)
{
	struct hornet_policy *p = c->p;
	yaml_node_t *n;
	size_t k, i, total = 0, old, o2;
	int err;

	for (k = 0; k < NR_HOOK_KINDS; k++) {
		n = get(c, spec, hook_keys[k]);
		if (!n)
			continue;
		old = path_key(c, hook_keys[k]);
		err = want_list(c, n);
		if (!err && total + NR_ITEMS(n) > MAX_HOOKS)
			err = fail_node(c, n, "too many hooks in one policy (at most %d)",
					MAX_HOOKS);
		path_pop(c, old);
		if (err)
			return err;
		total += NR_ITEMS(n);
	}
	if (!total) {
		if (p->loader || p->nr_tls)
			return 0;
		return fail_node(c, spec,
				 "no hooks (add kprobes, tracepoints, lsmhooks or uprobes)");
	}
	p->hooks = calloc(total, sizeof(*p->hooks));
	if (!p->hooks)
		return oom(c);
	p->nr_hooks = total;
	total = 0;
	for (k = 0; k < NR_HOOK_KINDS; k++) {
		n = get(c, spec, hook_keys[k]);
		if (!n)
			continue;
		old = path_key(c, hook_keys[k]);
		for (i = 0; i < NR_ITEMS(n); i++) {
			struct hornet_hook *h = &p->hooks[total++];

			h->kind = hook_kinds[k];
			h->index = i;
			o2 = path_idx(c, i);
			err = parse_hook(c, item(c, n, i), h);
			path_pop(c, o2);
			if (err) {
				path_pop(c, old);
				return err;
			}
		}
		path_pop(c, old);
	}
	return 0;
}

/* ---- spec, metadata, the document -------------------------------------- */

static int list_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = {
		"name", "type", "values", "pattern", "validated", NULL
	};
	struct hornet_list *l = entry;
	bool validated;
	const char **names = (const char **)list_types;
	yaml_node_t *n;
	size_t i, old;
	int err;

	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	set_pos(&l->pos, map);
	err = field_str(c, map, "name", true, &l->name) ?:
		      field_str(c, map, "type", false, &l->type) ?:
		      field_strings(c, map, "values", 0, &l->values, &l->nr_values) ?:
		      field_str(c, map, "pattern", false, &l->pattern) ?:
		      field_bool(c, map, "validated", &validated);
	if (err)
		return err;
	if (l->type) {
		for (i = 0; list_types[i]; i++)
			if (!strcmp(l->type, list_types[i]))
				break;
		if (!list_types[i]) {
			n = get(c, map, "type");
			old = path_key(c, "type");
			err = fail_choice(c, n, "list type", l->type, names);
			path_pop(c, old);
			return err;
		}
	}
	if (l->type && !strcmp(l->type, "generated_ftrace") && !l->pattern)
		return missing(c, map, "pattern");
	if (l->pattern) {
		regex_t re;

		/* POSIX extended, as the plan matches it (Go's RE2 in Tetragon: the
		 * patterns its lists use, anchors, classes, *, +, are alike) */
		if (regcomp(&re, l->pattern, REG_EXTENDED | REG_NOSUB)) {
			old = path_key(c, "pattern");
			err = fail_node(c, get(c, map, "pattern"),
					"'%s' is not a regular expression", l->pattern);
			path_pop(c, old);
			return err;
		}
		regfree(&re);
	}
	if ((!l->type || !strcmp(l->type, "syscalls")) && !l->nr_values)
		return missing(c, map, "values");
	return 0;
}

static int cmp_lists(const void *a, const void *b)
{
	const struct hornet_list *x = *(const struct hornet_list *const *)a,
				 *y = *(const struct hornet_list *const *)b;
	int d = strcmp(x->name, y->name);

	return d ? d : x < y ? -1 : x > y; /* the same name: in file order */
}

/* Sorts spec.lists by name for has_list(), refusing a name defined twice. */
static int index_lists(struct ctx *c, const yaml_node_t *spec)
{
	const struct hornet_list *first, *second;
	struct hornet_policy *p = c->p;
	yaml_node_t *n;
	size_t i, old;
	int err;

	if (!p->nr_lists)
		return 0;
	c->lists = malloc(p->nr_lists * sizeof(*c->lists));
	if (!c->lists)
		return oom(c);
	for (i = 0; i < p->nr_lists; i++)
		c->lists[i] = &p->lists[i];
	qsort(c->lists, p->nr_lists, sizeof(*c->lists), cmp_lists);
	for (i = 1; i < p->nr_lists; i++) {
		first = c->lists[i - 1];
		second = c->lists[i];
		if (strcmp(first->name, second->name))
			continue;
		n = item(c, get(c, spec, "lists"), second - p->lists);
		old = path_key(c, "lists");
		path_idx(c, second - p->lists);
		path_key(c, "name");
		err = fail_node(c, get(c, n, "name"),
				"list '%s' is defined twice (first at line %u)", second->name,
				first->pos.line);
		path_pop(c, old);
		return err;
	}
	return 0;
}

static int option_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "name", "value", NULL };
	struct hornet_policy *p = c->p;
	size_t i = (char **)entry - p->options_names, old;
	char *value = NULL;
	int err;

	err = want_map(c, map) ?: check_keys(c, map, keys) ?:
				  field_str(c, map, "name", true, &p->options_names[i]) ?:
				  field_str(c, map, "value", false, &value);
	if (err) {
		free(value);
		return err;
	}
	if (!value) {
		value = strdup("");
		if (!value)
			return oom(c);
	}
	p->options_values[i] = value;
	if (strcmp(p->options_names[i], "policy-mode"))
		return 0;
	p->mode_set = true;
	if (!strcasecmp(value, "enforce")) {
		p->mode = HORNET_MODE_ENFORCE;
	} else if (!strcasecmp(value, "monitor")) {
		p->mode = HORNET_MODE_MONITOR;
	} else {
		old = path_key(c, "value");
		err = fail_node(c, get(c, map, "value") ?: map,
				"unknown policy mode '%s' (valid: enforce, monitor)", value);
		path_pop(c, old);
	}
	return err;
}

static int parse_options(struct ctx *c, const yaml_node_t *spec)
{
	struct hornet_policy *p = c->p;
	yaml_node_t *n = get(c, spec, "options");
	size_t old;
	int err;

	if (!n)
		return 0;
	old = path_key(c, "options");
	err = want_list(c, n);
	path_pop(c, old);
	if (err || !NR_ITEMS(n))
		return err;
	p->options_names = calloc(NR_ITEMS(n), sizeof(char *));
	p->options_values = calloc(NR_ITEMS(n), sizeof(char *));
	if (!p->options_names || !p->options_values)
		return oom(c);
	p->nr_options = NR_ITEMS(n);
	return field_entries(c, spec, "options", sizeof(char *), 0, NULL,
			     (void **)&p->options_names, &p->nr_options, option_entry, NULL);
}

/* ---- podSelector, containerSelector, hostSelector ----------------------- */

static const char *const label_ops[] = { "In", "NotIn", "Exists", "DoesNotExist", NULL };
static const char *const container_keys[] = { "name", "repo", NULL };

/* A label key as Kubernetes (and Tetragon's "k8s:" prefix) spells them. */
static bool is_label_key(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len > 317)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("-_./:", ch)))
			return false;
	}
	return true;
}

/* A label value: at most 63 of [A-Za-z0-9-_.], letters or digits at both ends, or empty. */
static bool is_label_value(const char *s)
{
	size_t len = strlen(s), i;

	if (len > 63)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (!strchr("-_.", ch) || !i || i == len - 1))
			return false;
	}
	return true;
}

/* @n holds @key of @sel's kind: containerSelector knows two fields only. */
static int check_label_key(struct ctx *c, const yaml_node_t *n, const char *key, bool container)
{
	char shown[SHOW_MAX + 4];

	if (container && strcmp(key, "name") && strcmp(key, "repo"))
		return fail_choice(c, n, "container field", key, container_keys);
	if (!is_label_key(key))
		return fail_node(c, n,
				 "'%s' is not a label key (letters, digits, '-', '_', '.', '/' "
				 "and ':', at most 317 characters)",
				 show(key, strlen(key), shown, sizeof(shown)));
	return 0;
}

static int check_label_value(struct ctx *c, const yaml_node_t *n, const char *v, bool container)
{
	char shown[SHOW_MAX + 4];

	/* container names and image repositories are not label values */
	if (container || is_label_value(v))
		return 0;
	return fail_node(c, n,
			 "'%s' is not a label value (at most 63 letters, digits, '-', '_' and '.', "
			 "starting and ending with a letter or digit)",
			 show(v, strlen(v), shown, sizeof(shown)));
}

static int label_values(struct ctx *c, const yaml_node_t *map, struct hornet_label_req *r,
			bool container)
{
	yaml_node_t *n = get(c, map, "values");
	bool wants = r->op == HORNET_LABEL_IN || r->op == HORNET_LABEL_NOT_IN;
	size_t old, o2, i;
	int err;

	err = field_strings(c, map, "values", 0, &r->values, &r->nr_values);
	if (err)
		return err;
	if (wants && !n)
		return fail_node(c, map, "missing 'values' (operator '%s' needs at least one)",
				 label_ops[r->op]);
	if (!n)
		return 0;
	old = path_key(c, "values");
	if (wants && !r->nr_values)
		err = fail_node(c, n, "operator '%s' needs at least one value", label_ops[r->op]);
	else if (!wants && r->nr_values)
		err = fail_node(c, n, "operator '%s' takes no values", label_ops[r->op]);
	for (i = 0; !err && i < r->nr_values; i++) {
		o2 = path_idx(c, i);
		err = check_label_value(c, item(c, n, i), r->values[i], container);
		path_pop(c, o2);
	}
	path_pop(c, old);
	return err;
}

static int label_expr_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "key", "operator", "values", NULL };
	struct hornet_label_req *r = entry;
	bool container = *(const bool *)arg;
	char *op = NULL;
	size_t old, i;
	int err;

	err = want_map(c, map) ?: check_keys(c, map, keys) ?:
				  field_str(c, map, "key", true, &r->key) ?:
				  field_str(c, map, "operator", true, &op);
	if (err)
		goto out;
	set_pos(&r->pos, map);
	old = path_key(c, "key");
	err = check_label_key(c, get(c, map, "key"), r->key, container);
	path_pop(c, old);
	if (err)
		goto out;
	for (i = 0; label_ops[i] && strcmp(label_ops[i], op); i++)
		;
	if (!label_ops[i]) {
		old = path_key(c, "operator");
		err = fail_choice(c, get(c, map, "operator"), "operator", op, label_ops);
		path_pop(c, old);
		goto out;
	}
	r->op = i;
	err = label_values(c, map, r, container);
out:
	free(op);
	return err;
}

/* matchLabels: each pair is In with one value */
static int match_labels(struct ctx *c, const yaml_node_t *labels, bool container,
			struct hornet_label_selector *sel)
{
	yaml_node_pair_t *pr;
	struct hornet_label_req *r;
	yaml_node_t *k, *v;
	size_t old;
	int err = 0;

	for (pr = labels->data.mapping.pairs.start; pr < labels->data.mapping.pairs.top; pr++) {
		k = node(c, pr->key);
		v = node(c, pr->value);
		r = &sel->reqs[sel->nr_reqs++];
		r->op = HORNET_LABEL_IN;
		set_pos(&r->pos, k);
		r->values = calloc(1, sizeof(*r->values));
		if (!r->values)
			return oom(c);
		err = read_str(c, k, &r->key);
		if (err)
			return err;
		old = path_key(c, r->key);
		err = check_label_key(c, k, r->key, container);
		if (!err && is_null(v))
			err = fail_node(c, v, "expected a string, found nothing");
		if (!err)
			err = read_str(c, v, &r->values[0]);
		if (!err) {
			r->nr_values = 1;
			err = check_label_value(c, v, r->values[0], container);
		}
		path_pop(c, old);
		if (err)
			return err;
	}
	return 0;
}

static int parse_label_selector(struct ctx *c, const yaml_node_t *spec, const char *field,
				struct hornet_label_selector *sel)
{
	static const char *const keys[] = { "matchLabels", "matchExpressions", NULL };
	yaml_node_t *n = get(c, spec, field), *labels = NULL, *exprs = NULL;
	bool container = !strcmp(field, "containerSelector");
	size_t old, o2, nr_exprs = 0, nr = 0;
	struct hornet_label_req *r;
	int err;

	if (!n)
		return 0;
	old = path_key(c, field);
	sel->present = true;
	set_pos(&sel->pos, n);
	err = want_map(c, n) ?: check_keys(c, n, keys);
	if (!err && (labels = get(c, n, "matchLabels"))) {
		o2 = path_key(c, "matchLabels");
		err = want_map(c, labels);
		path_pop(c, o2);
		nr += err ? 0 : NR_PAIRS(labels);
	}
	if (!err && (exprs = get(c, n, "matchExpressions"))) {
		o2 = path_key(c, "matchExpressions");
		err = want_list(c, exprs);
		path_pop(c, o2);
		nr_exprs = err ? 0 : NR_ITEMS(exprs);
		nr += nr_exprs;
	}
	if (!err && nr) {
		sel->reqs = calloc(nr, sizeof(*sel->reqs));
		err = sel->reqs ? 0 : oom(c);
	}
	if (!err && labels && NR_PAIRS(labels)) {
		o2 = path_key(c, "matchLabels");
		err = match_labels(c, labels, container, sel);
		path_pop(c, o2);
	}
	if (!err && nr_exprs) {
		r = sel->reqs + sel->nr_reqs;
		sel->nr_reqs += nr_exprs;
		err = field_entries(c, n, "matchExpressions", sizeof(*r), 0, NULL, (void **)&r,
				    &nr_exprs, label_expr_entry, &container);
	}
	if (!err && !strcmp(field, "hostSelector") && sel->nr_reqs)
		err = fail_node(c, n,
				"takes only {} (every process outside a container) or null "
				"(none), as Tetragon");
	path_pop(c, old);
	return err;
}

/* spec.cgroupSelector: {paths: [...]}, each a cgroup v2 directory from the root. */
static int parse_cgroup_selector(struct ctx *c, const yaml_node_t *spec)
{
	static const char *const keys[] = { "paths", NULL };
	struct hornet_policy *p = c->p;
	yaml_node_t *n = get(c, spec, "cgroupSelector"), *v;
	size_t old, o2, i;
	int err;

	if (!n)
		return 0;
	old = path_key(c, "cgroupSelector");
	err = want_map(c, n) ?: check_keys(c, n, keys);
	if (!err && !get(c, n, "paths"))
		err = missing(c, n, "paths");
	if (!err)
		err = field_strings(c, n, "paths", HORNET_POLICY_MAX_CGROUP_PATHS, &p->cgroup_paths,
				    &p->nr_cgroup_paths);
	if (!err && !p->nr_cgroup_paths)
		err = fail_node(c, get(c, n, "paths"), "paths: at least one cgroup is needed");
	v = err ? NULL : get(c, n, "paths");
	o2 = path_key(c, "paths");
	for (i = 0; !err && i < p->nr_cgroup_paths; i++) {
		const char *s = p->cgroup_paths[i];
		size_t k = path_idx(c, i);

		if (s[0] != '/' || strstr(s, "/../") || strstr(s, "//") ||
		    (strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "/..")) || strlen(s) > 1024 ||
		    memchr(s, '\n', strlen(s)))
			err = fail_node(
				c, item(c, v, i),
				"'%s' is not a cgroup path: it starts with '/' at the "
				"hierarchy's root (as in /proc/PID/cgroup), without '..' or "
				"'//'",
				s);
		path_pop(c, k);
	}
	path_pop(c, o2);
	path_pop(c, old);
	return err;
}

static int parse_scope(struct ctx *c, const yaml_node_t *spec)
{
	struct hornet_policy *p = c->p;

	return parse_label_selector(c, spec, "podSelector", &p->pod_selector) ?:
		       parse_label_selector(c, spec, "containerSelector",
					    &p->container_selector) ?:
		       parse_label_selector(c, spec, "hostSelector", &p->host_selector) ?:
		       parse_cgroup_selector(c, spec);
}

/* spec.tlsServerNames[i]: operator (In, NotIn), values (names), action (Reset, Post). */
static int tls_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "operator", "values", "action", NULL };
	static const char *const ops[] = { "In", "NotIn", NULL };
	static const char *const actions[] = { "Reset", "Post", NULL };
	struct hornet_tls_rule *r = entry;
	char *op = NULL, *action = NULL, why[256];
	yaml_node_t *n;
	size_t i, old, o2;
	int err;

	(void)arg;
	err = want_map(c, map) ?: check_keys(c, map, keys) ?:
				  field_str(c, map, "operator", false, &op) ?:
				  field_str(c, map, "action", false, &action);
	if (!err && op && strcasecmp(op, "In") && strcasecmp(op, "NotIn")) {
		old = path_key(c, "operator");
		err = fail_node(c, get(c, map, "operator"), "unknown operator '%s' (valid: %s, %s)",
				op, ops[0], ops[1]);
		path_pop(c, old);
	}
	if (!err && action && strcasecmp(action, "Reset") && strcasecmp(action, "Post")) {
		old = path_key(c, "action");
		err = fail_node(c, get(c, map, "action"), "unknown action '%s' (valid: %s, %s)",
				action, actions[0], actions[1]);
		path_pop(c, old);
	}
	r->not_in = op && !strcasecmp(op, "NotIn");
	r->post_only = action && !strcasecmp(action, "Post");
	free(op);
	free(action);
	if (err)
		return err;
	n = get(c, map, "values");
	if (!n)
		return missing(c, map, "values");
	err = field_strings(c, map, "values", HORNET_POLICY_MAX_TLS_NAMES, &r->names, &r->nr_names);
	old = path_key(c, "values");
	if (!err && !r->nr_names)
		err = fail_node(c, n, "at least one server name is needed");
	for (i = 0; !err && i < r->nr_names; i++) {
		if (!hornet_dns_pattern_check(r->names[i], why, sizeof(why)))
			continue;
		o2 = path_idx(c, i);
		err = fail_node(c, item(c, n, i), "%s", why);
		path_pop(c, o2);
	}
	path_pop(c, old);
	return err;
}

/*
 * spec.enforcers: one entry, as Tetragon takes, whose calls are syscalls
 * ("sys_dup", "__x64_sys_dup", "dup") or "list:NAME" of spec.lists. The plan
 * checks them against the running kernel.
 */
static int enforcer_entry(struct ctx *c, const yaml_node_t *map, void *entry, void *arg)
{
	static const char *const keys[] = { "calls", NULL };
	struct hornet_policy *p = c->p;
	yaml_node_t *n;
	size_t i, old, o2;
	int err;

	(void)entry;
	(void)arg;
	err = want_map(c, map) ?: check_keys(c, map, keys);
	if (err)
		return err;
	n = get(c, map, "calls");
	if (!n)
		return missing(c, map, "calls");
	err = field_strings(c, map, "calls", HORNET_POLICY_MAX_ENFORCER_CALLS, &p->enforcer_calls,
			    &p->nr_enforcer_calls);
	if (err)
		return err;
	if (!p->nr_enforcer_calls)
		return fail_node(c, n, "calls: at least one syscall (or list:NAME) is needed");
	old = path_key(c, "calls");
	for (i = 0; !err && i < p->nr_enforcer_calls; i++) {
		const char *call = p->enforcer_calls[i];
		const struct hornet_list *l;

		o2 = path_idx(c, i);
		if (!strncmp(call, "list:", 5)) {
			l = list_of(c, call + 5);
			if (!l)
				err = fail_no_list(c, item(c, n, i), NULL, 0, call + 5);
			else if (l->type && strcmp(l->type, "syscalls"))
				err = fail_node(c, item(c, n, i),
						"list '%s' is of type %s; an enforcer takes "
						"syscalls",
						l->name, l->type);
		} else if (!*call || strchr(call, '/') || strlen(call) > 64) {
			err = fail_node(c, item(c, n, i), "'%s' is not a syscall name", call);
		}
		path_pop(c, o2);
	}
	path_pop(c, old);
	return err;
}

static int parse_spec(struct ctx *c, const yaml_node_t *spec)
{
	static const char *const keys[] = { "kprobes",	      "fentries",
					    "tracepoints",    "lsmhooks",
					    "uprobes",	      "usdts",
					    "lists",	      "options",
					    "podSelector",    "containerSelector",
					    "hostSelector",   "enforcers",
					    "loader",	      "tlsServerNames",
					    "cgroupSelector", NULL };
	struct hornet_policy *p = c->p;
	size_t old;
	int err;

	err = want_map(c, spec) ?: check_keys(c, spec, keys) ?:
				   field_bool(c, spec, "loader", &p->loader);
	if (err)
		return err;
	p->has_pod_selector = get(c, spec, "podSelector");
	p->has_container_selector = get(c, spec, "containerSelector");
	p->has_host_selector = get(c, spec, "hostSelector");
	p->has_enforcers = get(c, spec, "enforcers");
	if (p->namespaced && p->has_host_selector) {
		old = path_key(c, "hostSelector");
		err = fail_node(c, get(c, spec, "hostSelector"),
				"not valid in a TracingPolicyNamespaced");
		path_pop(c, old);
		return err;
	}
	err = parse_scope(c, spec);
	if (err)
		return err;
	/* lists first: hooks and selectors refer to them */
	err = field_entries(c, spec, "lists", sizeof(*p->lists), 0, NULL, (void **)&p->lists,
			    &p->nr_lists, list_entry, NULL) ?:
		      index_lists(c, spec) ?: parse_options(c, spec);
	if (!err && p->has_enforcers) {
		void *none = NULL;
		size_t nr = 0;

		err = field_entries(c, spec, "enforcers", 1, 1,
				    "more than one enforcer (Tetragon takes one)", &none, &nr,
				    enforcer_entry, NULL);
		free(none);
		if (!err && !nr) {
			old = path_key(c, "enforcers");
			err = fail_node(c, get(c, spec, "enforcers"),
					"empty: one entry with its calls is needed");
			path_pop(c, old);
		}
	}
	if (!err)
		err = field_entries(c, spec, "tlsServerNames", sizeof(*p->tls),
				    HORNET_POLICY_MAX_TLS_RULES, "too many entries",
				    (void **)&p->tls, &p->nr_tls, tls_entry, NULL);
	if (err)
		return err;
	return parse_hooks(c, spec);
}

/* A DNS-1123 subdomain, as Kubernetes names objects. */
static bool is_dns_subdomain(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		if (alnum)
			continue;
		if (ch != '-' && ch != '.')
			return false;
		/* every dot-separated label starts and ends with a letter or digit */
		if (!i || i == len - 1)
			return false;
		if (ch == '.' && (s[i - 1] == '-' || s[i - 1] == '.' || s[i + 1] == '-'))
			return false;
	}
	return true;
}

static int parse_metadata(struct ctx *c, const yaml_node_t *md)
{
	static const char *const keys[] = { "name", "namespace", "labels", "annotations", NULL };
	struct hornet_policy *p = c->p;
	char shown[SHOW_MAX + 4];
	size_t old;
	int err;

	err = want_map(c, md) ?: check_keys(c, md, keys) ?:
				 field_str(c, md, "name", true, &p->name) ?:
				 field_str(c, md, "namespace", false, &p->namespace);
	if (err)
		return err;
	if (!is_dns_subdomain(p->name)) {
		old = path_key(c, "name");
		err = fail_node(c, get(c, md, "name"),
				"'%s' is not a valid name (lowercase letters, digits, '-' and '.', "
				"starting and ending with a letter or digit, at most 253 "
				"characters)",
				show(p->name, strlen(p->name), shown, sizeof(shown)));
		path_pop(c, old);
	}
	return err;
}

static int parse_policy(struct ctx *c, const yaml_node_t *root)
{
	static const char *const keys[] = { "apiVersion", "kind", "metadata", "spec", NULL };
	static const char *const versions[] = { "cilium.io/v1alpha1", "hornet.dev/v1alpha1", NULL };
	static const char *const kinds[] = { "TracingPolicy", "TracingPolicyNamespaced", NULL };
	struct hornet_policy *p = c->p;
	char *kind = NULL;
	yaml_node_t *n;
	size_t old;
	int err;

	if (root->type != YAML_MAPPING_NODE)
		return fail_node(c, root,
				 "expected a mapping (apiVersion, kind, metadata, spec), found %s",
				 found(root));
	err = check_keys(c, root, keys) ?: field_str(c, root, "apiVersion", true, &p->api_version);
	if (err)
		return err;
	if (strcmp(p->api_version, versions[0]) && strcmp(p->api_version, versions[1])) {
		old = path_key(c, "apiVersion");
		err = fail_choice(c, get(c, root, "apiVersion"), "apiVersion", p->api_version,
				  versions);
		path_pop(c, old);
		return err;
	}
	err = field_str(c, root, "kind", true, &kind);
	if (!err && strcmp(kind, kinds[0]) && strcmp(kind, kinds[1])) {
		old = path_key(c, "kind");
		err = fail_choice(c, get(c, root, "kind"), "kind", kind, kinds);
		path_pop(c, old);
	}
	if (!err)
		p->namespaced = !strcmp(kind, kinds[1]);
	free(kind);
	if (err)
		return err;
	n = get(c, root, "metadata");
	if (!n)
		return missing(c, root, "metadata");
	old = path_key(c, "metadata");
	err = parse_metadata(c, n);
	path_pop(c, old);
	if (err)
		return err;
	n = get(c, root, "spec");
	if (!n)
		return missing(c, root, "spec");
	old = path_key(c, "spec");
	err = parse_spec(c, n);
	path_pop(c, old);
	return err;
}

/* ---- pass 1 and loading ------------------------------------------------ */

static int yaml_failed(struct ctx *c, const yaml_parser_t *y)
{
	unsigned long line = 1, col = 1;
	size_t i;

	if (y->error == YAML_MEMORY_ERROR)
		return oom(c);
	if (y->error == YAML_READER_ERROR) {
		/* the reader reports a byte offset, not a mark */
		for (i = 0; i < y->problem_offset && i < c->len; i++) {
			if (c->buf[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		if (y->problem_value >= 0)
			return fail_at(c, line, col, "invalid text: %s (byte 0x%02x)",
				       y->problem ?: "unreadable", (unsigned int)y->problem_value);
		return fail_at(c, line, col, "invalid text: %s", y->problem ?: "unreadable");
	}
	if (y->context)
		return fail_at(c, y->problem_mark.line + 1, y->problem_mark.column + 1,
			       "invalid YAML: %s (%s at line %lu)", y->problem ?: "syntax error",
			       y->context, (unsigned long)y->context_mark.line + 1);
	return fail_at(c, y->problem_mark.line + 1, y->problem_mark.column + 1, "invalid YAML: %s",
		       y->problem ?: "syntax error");
}

/* The event stream alone: syntax, depth and size, and how many documents. */
static int scan(struct ctx *c, size_t *nr_docs)
{
	unsigned long long work = 0;
	size_t nodes = 0, anchors = 0;
	yaml_parser_t y;
	yaml_event_t ev;
	int depth = 0, err = 0;
	bool done = false, anchor;

	if (!yaml_parser_initialize(&y))
		return oom(c);
	yaml_parser_set_input_string(&y, (const unsigned char *)c->buf, c->len);
	while (!done && !err) {
		if (!yaml_parser_parse(&y, &ev)) {
			err = yaml_failed(c, &y);
			break;
		}
		anchor = (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.anchor) ||
			 (ev.type == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.anchor) ||
			 (ev.type == YAML_MAPPING_START_EVENT && ev.data.mapping_start.anchor);
		if (anchor || ev.type == YAML_ALIAS_EVENT) {
			work += anchors;
			anchors += anchor;
			if (work > MAX_ALIAS_WORK)
				err = fail_at(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
					      "too many anchors and aliases (%zu anchors so far)",
					      anchors);
		}
		switch (err ? YAML_NO_EVENT : ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			(*nr_docs)++;
			anchors = 0; /* anchors belong to their document */
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > HORNET_POLICY_MAX_DEPTH)
				err = fail_at(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
					      "nested deeper than %d levels",
					      HORNET_POLICY_MAX_DEPTH);
			else if (++nodes > HORNET_POLICY_MAX_NODES)
				err = fail_at(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
					      "more than %d nodes", HORNET_POLICY_MAX_NODES);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			if (++nodes > HORNET_POLICY_MAX_NODES)
				err = fail_at(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
					      "more than %d nodes", HORNET_POLICY_MAX_NODES);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&y);
	return err;
}

static bool is_empty_doc(const yaml_node_t *root)
{
	return is_null(root);
}

/* In a stream of several documents, one of another API (a Pod next to the policy). */
static bool is_foreign(struct ctx *c, const yaml_node_t *root)
{
	yaml_node_t *v;

	if (root->type != YAML_MAPPING_NODE)
		return false;
	v = get(c, root, "apiVersion");
	if (!v || v->type != YAML_SCALAR_NODE)
		return false;
	return strncmp(SVAL(v), "cilium.io/", 10) && strncmp(SVAL(v), "hornet.dev/", 11);
}

/*
 * Loads the policy's document into @doc: the only one, or, in a stream of
 * several, the one policy among documents of other APIs.
 */
static int load(struct ctx *c, size_t nr_docs, yaml_document_t *doc)
{
	yaml_document_t d;
	yaml_parser_t y;
	yaml_node_t *root;
	bool have = false, have_foreign = false, foreign;
	int err = 0;

	if (!yaml_parser_initialize(&y))
		return oom(c);
	yaml_parser_set_input_string(&y, (const unsigned char *)c->buf, c->len);
	for (;;) {
		if (!yaml_parser_load(&y, &d)) {
			err = yaml_failed(c, &y);
			break;
		}
		root = yaml_document_get_root_node(&d);
		if (!root) {
			yaml_document_delete(&d);
			break;
		}
		c->doc = &d;
		foreign = nr_docs > 1 && is_foreign(c, root);
		c->doc = NULL;
		if (is_empty_doc(root) || (foreign && (have || have_foreign))) {
			yaml_document_delete(&d);
			continue;
		}
		if (have && !foreign && !have_foreign) {
			err = fail_at(c, d.start_mark.line + 1, d.start_mark.column + 1,
				      "a second policy starts here (one policy per file)");
			yaml_document_delete(&d);
			break;
		}
		if (have)
			yaml_document_delete(doc); /* a foreign one, kept only for its error */
		*doc = d;
		have = true;
		have_foreign = foreign;
	}
	yaml_parser_delete(&y);
	if (err && have)
		yaml_document_delete(doc);
	if (!err && !have)
		err = fail_at(c, 1, 1, "empty policy");
	return err ? err : 0;
}

struct hornet_policy *hornet_policy_parse(const char *buf, size_t len, const char *file, char *err,
					  size_t err_size)
{
	struct ctx c = {
		.file = file ? file : "-",
		.buf = buf,
		.len = len,
		.err = err,
		.err_size = err_size,
	};
	yaml_document_t doc;
	size_t nr_docs = 0, nr_nodes;
	int ret;

	if (err && err_size)
		err[0] = '\0';
	if (!buf && len) {
		fail_at(&c, 1, 1, "no input");
		errno = EINVAL;
		return NULL;
	}
	if (len > HORNET_POLICY_MAX_FILE) {
		c.error = EFBIG;
		if (err && err_size) {
			snprintf(err, err_size, "%s:1:1: policy is %zu bytes, larger than %d",
				 c.file, len, HORNET_POLICY_MAX_FILE);
			sanitize(err);
		}
		errno = EFBIG;
		return NULL;
	}
	ret = scan(&c, &nr_docs);
	if (!ret && !nr_docs)
		ret = fail_at(&c, 1, 1, "empty policy");
	if (!ret)
		ret = load(&c, nr_docs, &doc);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	c.doc = &doc;
	nr_nodes = doc.nodes.top - doc.nodes.start;
	c.checked = calloc(nr_nodes ? nr_nodes : 1, 1);
	c.p = calloc(1, sizeof(*c.p));
	if (!c.checked || !c.p) {
		ret = oom(&c);
	} else {
		c.p->file = strdup(c.file);
		c.p->mode = HORNET_MODE_ENFORCE;
		ret = c.p->file ? walk(&c, yaml_document_get_root_node(&doc), 0) : oom(&c);
		path_pop(&c, 0);
		if (!ret)
			ret = parse_policy(&c, yaml_document_get_root_node(&doc));
	}
	free(c.checked);
	free(c.lists);
	yaml_document_delete(&doc);
	if (ret) {
		hornet_policy_free(c.p);
		errno = -ret;
		return NULL;
	}
	return c.p;
}

struct hornet_policy *hornet_policy_load(const char *path, char *err, size_t err_size)
{
	struct hornet_policy *p;
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int fd, e;

	if (err && err_size)
		err[0] = '\0';
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		e = errno;
		if (err && err_size)
			snprintf(err, err_size, "%s: cannot open: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	/* read at most one byte past the limit: enough to know it is too big */
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16384;
			if (cap > (size_t)HORNET_POLICY_MAX_FILE + 1)
				cap = (size_t)HORNET_POLICY_MAX_FILE + 1;
			if (len == cap)
				break;
			nb = realloc(buf, cap);
			if (!nb) {
				e = ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			goto fail;
		}
		if (!n)
			break;
		len += n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	p = hornet_policy_parse(buf, len, path, err, err_size);
	e = errno;
	free(buf);
	errno = e;
	return p;
fail:
	if (err && err_size)
		snprintf(err, err_size, "%s: cannot read: %s", path, strerror(e));
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	errno = e;
	return NULL;
}

/* ---- freeing ----------------------------------------------------------- */

static void free_values(struct hornet_values *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		free(vs->v[i].str);
	free(vs->v);
}

static void free_arg(struct hornet_arg *a)
{
	free(a->type_name);
	free(a->label);
	free(a->resolve);
}

static void free_strings(char **s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

static void free_selector(struct hornet_selector *s)
{
	size_t i;

	for (i = 0; i < s->nr_args; i++) {
		free_values(&s->args[i].values);
		free(s->args[i].cel);
	}
	free(s->args);
	for (i = 0; i < s->nr_data_args; i++)
		free_values(&s->data_args[i].values);
	free(s->data_args);
	for (i = 0; i < s->nr_return_args; i++)
		free_values(&s->return_args[i].values);
	free(s->return_args);
	for (i = 0; i < s->nr_pids; i++)
		free_values(&s->pids[i].values);
	free(s->pids);
	for (i = 0; i < s->nr_binaries; i++)
		free_values(&s->binaries[i].values);
	free(s->binaries);
	for (i = 0; i < s->nr_parent_binaries; i++)
		free_values(&s->parent_binaries[i].values);
	free(s->parent_binaries);
	for (i = 0; i < s->nr_ns; i++)
		free_values(&s->ns[i].values);
	free(s->ns);
	for (i = 0; i < s->nr_caps; i++)
		free_values(&s->caps[i].values);
	free(s->caps);
	free(s->ns_changes);
	free(s->cap_changes);
	for (i = 0; i < s->nr_actions; i++) {
		free(s->actions[i].arg_url);
		free(s->actions[i].arg_fqdn);
	}
}

static void free_hook(struct hornet_hook *h)
{
	size_t i;

	free(h->call);
	free(h->subsystem);
	free(h->event);
	free(h->path);
	free_arg(&h->return_arg);
	free_strings(h->symbols, h->nr_symbols);
	free(h->offsets);
	free_strings(h->digests, h->nr_digests);
	for (i = 0; i < h->nr_args; i++)
		free_arg(&h->args[i]);
	for (i = 0; i < h->nr_data; i++)
		free_arg(&h->data[i]);
	for (i = 0; i < h->nr_selectors; i++)
		free_selector(&h->selectors[i]);
	free(h->message);
	free_strings(h->tags, h->nr_tags);
}

static void free_label_selector(struct hornet_label_selector *sel)
{
	size_t i;

	for (i = 0; i < sel->nr_reqs; i++) {
		free(sel->reqs[i].key);
		free_strings(sel->reqs[i].values, sel->reqs[i].nr_values);
	}
	free(sel->reqs);
}

void hornet_policy_free(struct hornet_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_hooks; i++)
		free_hook(&p->hooks[i]);
	free(p->hooks);
	for (i = 0; i < p->nr_lists; i++) {
		free(p->lists[i].name);
		free(p->lists[i].type);
		free_strings(p->lists[i].values, p->lists[i].nr_values);
		free(p->lists[i].pattern);
	}
	free(p->lists);
	free_strings(p->enforcer_calls, p->nr_enforcer_calls);
	for (i = 0; i < p->nr_tls; i++)
		free_strings(p->tls[i].names, p->tls[i].nr_names);
	free(p->tls);
	free_strings(p->cgroup_paths, p->nr_cgroup_paths);
	free_strings(p->options_names, p->nr_options);
	free_strings(p->options_values, p->nr_options);
	free_label_selector(&p->pod_selector);
	free_label_selector(&p->container_selector);
	free_label_selector(&p->host_selector);
	free(p->file);
	free(p->api_version);
	free(p->name);
	free(p->namespace);
	free(p);
}
