// SPDX-License-Identifier: GPL-2.0
/*
 * Field filters (export/fieldfilter.h): each filter's paths become a small
 * tree (process -> binary, pod), applied to the event's object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/fieldfilter.h"
#include "export/filter.h"
#include "export/jscan.h"

#define FF_MAX 64
#define FF_MAX_PATHS 256
#define FF_MAX_DEPTH 8

struct node {
	char *name;
	struct node *kids;
	size_t n;
	bool leaf; /* the whole field: its children do not matter */
};

struct ff {
	const char **types; /* static keys; none: every event */
	size_t nr_types;
	bool invert;
	bool include;
	struct node root;
};

struct hornet_field_filters {
	struct ff *f;
	size_t n;
};

static void node_free(struct node *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	free(n->name);
}

void hornet_field_filters__free(struct hornet_field_filters *ff)
{
	size_t i;

	if (!ff)
		return;
	for (i = 0; i < ff->n; i++) {
		free(ff->f[i].types);
		node_free(&ff->f[i].root);
	}
	free(ff->f);
	free(ff);
}

static struct node *node_child(struct node *n, const char *name, size_t len)
{
	struct node *k;
	size_t i;

	for (i = 0; i < n->n; i++)
		if (strlen(n->kids[i].name) == len && !strncmp(n->kids[i].name, name, len))
			return &n->kids[i];
	k = realloc(n->kids, (n->n + 1) * sizeof(*k));
	if (!k)
		return NULL;
	n->kids = k;
	k = &n->kids[n->n];
	memset(k, 0, sizeof(*k));
	k->name = strndup(name, len);
	if (!k->name)
		return NULL;
	n->n++;
	return k;
}

static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* "process.binary, parent" into the tree under @root */
static int parse_paths(struct node *root, const char *s, const char *what, char *err,
		       size_t err_size)
{
	const char *p = s, *w;
	size_t paths = 0, depth;
	struct node *n;

	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		if (++paths > FF_MAX_PATHS) {
			snprintf(err, err_size, "%s: more than %d paths", what, FF_MAX_PATHS);
			return -EINVAL;
		}
		n = root;
		for (depth = 0;; depth++) {
			w = p;
			while (path_char(*p))
				p++;
			if (p == w || depth == FF_MAX_DEPTH) {
				snprintf(err, err_size,
					 "%s: '%.120s': bad path at offset %zu (write field names "
					 "joined by dots, paths by commas: process.binary,parent)",
					 what, s, (size_t)(p - s));
				return -EINVAL;
			}
			n = node_child(n, w, p - w);
			if (!n)
				return -ENOMEM;
			if (*p != '.')
				break;
			p++;
		}
		n->leaf = true;
		while (*p == ' ')
			p++;
		if (*p && *p != ',') {
			snprintf(err, err_size, "%s: '%.120s': unexpected '%c' at offset %zu", what,
				 s, *p, (size_t)(p - s));
			return -EINVAL;
		}
	}
	if (!paths) {
		snprintf(err, err_size, "%s: no field", what);
		return -EINVAL;
	}
	return 0;
}

static int parse_one(struct ff *f, json_t *o, const char *where, char *err, size_t err_size)
{
	char what[192];
	const char *key, *k;
	bool have_fields = false;
	json_t *v;
	size_t i;
	int ret;

	if (!json_is_object(o)) {
		snprintf(err, err_size,
			 "%s: expected an object like {\"fields\": \"process.binary\", "
			 "\"action\": \"INCLUDE\"}",
			 where);
		return -EINVAL;
	}
	f->include = true; /* INCLUDE is 0, protobuf's default */
	json_object_foreach(o, key, v)
	{
		snprintf(what, sizeof(what), "%s: %.64s", where, key);
		if (!strcmp(key, "event_set")) {
			if (!json_is_array(v) || json_array_size(v) > 64) {
				snprintf(err, err_size, "%s: expected a list of event types", what);
				return -EINVAL;
			}
			f->types = calloc(json_array_size(v) + 1, sizeof(*f->types));
			if (!f->types)
				return -ENOMEM;
			for (i = 0; i < json_array_size(v); i++) {
				k = hornet_export_event_key(json_array_get(v, i));
				if (!k) {
					snprintf(err, err_size, "%s[%zu]: %s", what, i,
						 HORNET_EVENT_SET_HELP);
					return -EINVAL;
				}
				f->types[f->nr_types++] = k;
			}
		} else if (!strcmp(key, "fields")) {
			if (!json_is_string(v)) {
				snprintf(
					err, err_size,
					"%s: expected a string of paths, \"process.binary,parent\"",
					what);
				return -EINVAL;
			}
			ret = parse_paths(&f->root, json_string_value(v), what, err, err_size);
			if (ret)
				return ret;
			have_fields = true;
		} else if (!strcmp(key, "action")) {
			if ((json_is_string(v) && !strcmp(json_string_value(v), "INCLUDE")) ||
			    (json_is_integer(v) && json_integer_value(v) == 0)) {
				f->include = true;
			} else if ((json_is_string(v) &&
				    !strcmp(json_string_value(v), "EXCLUDE")) ||
				   (json_is_integer(v) && json_integer_value(v) == 1)) {
				f->include = false;
			} else {
				snprintf(err, err_size, "%s: expected INCLUDE or EXCLUDE", what);
				return -EINVAL;
			}
		} else if (!strcmp(key, "invert_event_set")) {
			if (!json_is_boolean(v)) {
				snprintf(err, err_size, "%s: expected true or false", what);
				return -EINVAL;
			}
			f->invert = json_is_true(v);
		} else {
			snprintf(err, err_size,
				 "%s: not a field filter key (known: event_set, fields, action, "
				 "invert_event_set)",
				 what);
			return -EINVAL;
		}
	}
	if (!have_fields) {
		/* Tetragon's empty mask includes or excludes nothing: say so instead */
		snprintf(err, err_size, "%s: no \"fields\"", where);
		return -EINVAL;
	}
	return 0;
}

static int add_one(void *ctx, json_t *o, const char *where, char *err, size_t err_size)
{
	struct hornet_field_filters *ff = ctx;
	struct ff *fs = realloc(ff->f, (ff->n + 1) * sizeof(*fs));

	if (!fs)
		return -ENOMEM;
	ff->f = fs;
	memset(&ff->f[ff->n], 0, sizeof(*fs));
	ff->n++;
	return parse_one(&ff->f[ff->n - 1], o, where, err, err_size);
}

struct hornet_field_filters *hornet_field_filters__new(const char *text, char *err, size_t err_size)
{
	struct hornet_field_filters *ff = calloc(1, sizeof(*ff));
	int ret = -ENOMEM;

	snprintf(err, err_size, "out of memory");
	if (ff)
		ret = hornet_json_each(text, "field filter", FF_MAX, add_one, ff, err, err_size);
	if (!ret)
		return ff;
	hornet_field_filters__free(ff);
	errno = -ret;
	return NULL;
}

static bool ff_applies(const struct ff *f, const char *type)
{
	size_t i;
	bool in = false;

	if (!f->nr_types)
		return true;
	for (i = 0; i < f->nr_types; i++)
		in |= !strcmp(f->types[i], type);
	return in != f->invert;
}

bool hornet_field_filters__applies(const struct hornet_field_filters *ff, const char *type)
{
	size_t i;

	for (i = 0; ff && i < ff->n; i++)
		if (ff_applies(&ff->f[i], type))
			return true;
	return false;
}

static const struct node *kid(const struct node *n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (strlen(n->kids[i].name) == len && !memcmp(n->kids[i].name, name, len))
			return &n->kids[i];
	return NULL;
}

static size_t copy(char *out, struct hornet_jv v)
{
	memcpy(out, v.p, v.end - v.p);
	return v.end - v.p;
}

static size_t mask(struct hornet_jv o, const struct node *n, bool keep, char *out);

/* Array @a with mask(@n) applied to each object in it. */
static size_t mask_array(struct hornet_jv a, const struct node *n, bool keep, char *out)
{
	const char *it = NULL;
	struct hornet_jv e;
	size_t w = 0;

	out[w++] = '[';
	while ((e = hornet_jv_next(a, &it, NULL)).p) {
		if (w > 1)
			out[w++] = ',';
		w += *e.p == '{' ? mask(e, n, keep, out + w) : copy(out + w, e);
	}
	out[w++] = ']';
	return w;
}

/*
 * Object @o into @out (as many bytes at most): INCLUDE (@keep) drops the
 * members the tree does not name, EXCLUDE those it names whole; either
 * goes down into objects and arrays of objects the tree names in part.
 * Returns the bytes written. (The keys the tree names need no escapes.)
 */
static size_t mask(struct hornet_jv o, const struct node *n, bool keep, char *out)
{
	const struct node *k;
	struct hornet_jv key, v;
	const char *it = NULL;
	size_t w = 0;

	out[w++] = '{';
	while ((v = hornet_jv_next(o, &it, &key)).p) {
		k = kid(n, key.p + 1, key.end - key.p - 2);
		if (k ? k->leaf && !keep : keep)
			continue;
		if (w > 1)
			out[w++] = ',';
		w += copy(out + w, key);
		out[w++] = ':';
		if (k && !k->leaf && *v.p == '{')
			w += mask(v, k, keep, out + w);
		else if (k && !k->leaf && *v.p == '[')
			w += mask_array(v, k, keep, out + w);
		else
			w += copy(out + w, v);
	}
	out[w++] = '}';
	return w;
}

/* @line's members into @out, the one named @type through filter @f. */
static size_t apply_one(const struct ff *f, const char *type, const char *line, size_t len,
			char *out)
{
	struct hornet_jv top = hornet_jv_of(line, line + len), key, v;
	const char *it = NULL;
	size_t w = 0, n = strlen(type);

	out[w++] = '{';
	while ((v = hornet_jv_next(top, &it, &key)).p) {
		if (w > 1)
			out[w++] = ',';
		w += copy(out + w, key);
		out[w++] = ':';
		if ((size_t)(key.end - key.p) == n + 2 && !memcmp(key.p + 1, type, n) &&
		    *v.p == '{')
			w += mask(v, &f->root, f->include, out + w);
		else
			w += copy(out + w, v);
	}
	out[w++] = '}';
	return w;
}

char *hornet_field_filters__apply(const struct hornet_field_filters *ff, const char *type,
				  const char *line, size_t len, size_t *out_len)
{
	char *a = malloc(len + 1), *b;
	struct hornet_jv top;
	size_t i, n = len;

	if (!a)
		return NULL;
	memcpy(a, line, len);
	for (i = 0; i < ff->n; i++) {
		top = hornet_jv_of(a, a + n);
		if (!ff_applies(&ff->f[i], type) || !top.p || *top.p != '{')
			continue;
		/*
		 * A pass writes at most what it reads, but on text that is not JSON
		 * it adds a comma where one was missing (at most one per member or
		 * element, each at least two bytes long): twice is room enough.
		 */
		b = malloc(2 * n + 3);
		if (!b) {
			free(a);
			return NULL;
		}
		n = apply_one(&ff->f[i], type, a, n, b);
		free(a);
		a = b;
	}
	a[n] = '\0';
	*out_len = n;
	return a;
}
