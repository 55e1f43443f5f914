// SPDX-License-Identifier: GPL-2.0
/*
 * Export filters (export/filter.h): Tetragon's Filter message read from
 * JSON, compiled once, evaluated per event on the rendered line. Which
 * process a field looks at follows Tetragon's pkg/filters: "process" of the
 * event, "parent", the "ancestors" array.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "export/filter.h"
#include "export/jscan.h"

#define FILTER_MAX 256
#define FILTER_MAX_VALUES 256
#define FILTER_MAX_REGEX 4096
/* a pattern that backtracks a lot must not stall the loop: it fails to match */
#define FILTER_MATCH_LIMIT 1000000

enum cond_kind {
	C_EVENT_SET,
	C_BINARY,
	C_PARENT_BINARY,
	C_ANCESTOR_BINARY,
	C_NAMESPACE,
	C_NAMESPACE_RE,
	C_POD_RE,
	C_CONTAINER_NAME_RE,
	C_CONTAINER_ID,
	C_ARGS,
	C_PARENT_ARGS,
	C_LABELS,
	C_POLICY,
	C_PID,
	C_HEALTH,
	C_CAPS,
};

enum sel_op { S_EQ, S_NE, S_IN, S_NOTIN, S_EXISTS, S_NOT_EXISTS };

struct sel_req {
	char *key;
	enum sel_op op;
	char **vals;
	size_t nr_vals;
};

/* one label selector: requirements, all of which must hold */
struct selector {
	struct sel_req *req;
	size_t nr;
};

/* a capability set's test: any, all, exactly, none of these names */
struct cap_test {
	const char *set; /* "permitted", "effective", "inheritable" */
	const char *how; /* "any", "all", "exactly", "none" */
	char **names;
	size_t nr;
};

struct cond {
	enum cond_kind kind;
	pcre2_code **re;
	char **str;
	uint32_t *num;
	struct selector *sel;
	struct cap_test *caps;
	size_t n;
	bool flag;
};

struct filter {
	struct cond *c;
	size_t n;
};

struct hornet_export_filter {
	struct filter *f;
	size_t n;
	bool needs_event;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

/* Tetragon's EventType names and the keys of hornet's events */
static const struct {
	const char *name;
	int num;
	const char *key;
} event_types[] = {
	{ "PROCESS_EXEC", 1, "process_exec" },
	{ "PROCESS_EXIT", 5, "process_exit" },
	{ "PROCESS_KPROBE", 9, "process_kprobe" },
	{ "PROCESS_TRACEPOINT", 10, "process_tracepoint" },
	{ "PROCESS_LOADER", 11, "process_loader" },
	{ "PROCESS_UPROBE", 12, "process_uprobe" },
	{ "PROCESS_THROTTLE", 27, "process_throttle" },
	{ "PROCESS_LSM", 28, "process_lsm" },
	{ "PROCESS_USDT", 29, "process_usdt" },
	{ "RATE_LIMIT_INFO", 40001, "rate_limit_info" },
	/* hornet's own events, no number in Tetragon's enum */
	{ "PROCESS_DNS", -1, "process_dns" },
	{ "PROCESS_HTTP", -1, "process_http" },
	{ "PROCESS_TLS", -1, "process_tls" },
};

#define NR_EVENT_TYPES (sizeof(event_types) / sizeof(event_types[0]))

const char *hornet_export_event_key(json_t *v)
{
	size_t t;

	for (t = 0; t < NR_EVENT_TYPES; t++) {
		if (json_is_string(v) && !strcmp(json_string_value(v), event_types[t].name))
			return event_types[t].key;
		if (json_is_integer(v) && event_types[t].num >= 0 &&
		    json_integer_value(v) == event_types[t].num)
			return event_types[t].key;
	}
	return NULL;
}

static void cond_free(struct cond *c)
{
	size_t i, j, k;

	for (i = 0; i < c->n; i++) {
		if (c->re)
			pcre2_code_free(c->re[i]);
		if (c->str)
			free(c->str[i]);
		if (c->sel) {
			for (j = 0; j < c->sel[i].nr; j++) {
				free(c->sel[i].req[j].key);
				for (k = 0; k < c->sel[i].req[j].nr_vals; k++)
					free(c->sel[i].req[j].vals[k]);
				free(c->sel[i].req[j].vals);
			}
			free(c->sel[i].req);
		}
		if (c->caps) {
			for (j = 0; j < c->caps[i].nr; j++)
				free(c->caps[i].names[j]);
			free(c->caps[i].names);
		}
	}
	free(c->re);
	free(c->str);
	free(c->num);
	free(c->sel);
	free(c->caps);
}

void hornet_export_filter__free(struct hornet_export_filter *f)
{
	size_t i, j;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < f->f[i].n; j++)
			cond_free(&f->f[i].c[j]);
		free(f->f[i].c);
	}
	free(f->f);
	pcre2_match_data_free(f->md);
	pcre2_match_context_free(f->mctx);
	free(f);
}

bool hornet_export_filter__needs_event(const struct hornet_export_filter *f)
{
	return f && f->needs_event;
}

/* --- parsing ----------------------------------------------------------- */

static int compile(const char *re, size_t len, pcre2_code **out, const char *what, char *err,
		   size_t err_size)
{
	/* as process/redact.c: RE2's meaning where PCRE2's default differs */
	uint32_t opts = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int code_err;

	if (len > FILTER_MAX_REGEX) {
		snprintf(err, err_size, "%s: longer than %d bytes", what, FILTER_MAX_REGEX);
		return -EINVAL;
	}
	*out = pcre2_compile((PCRE2_SPTR)re, len, opts, &code_err, &off, NULL);
	if (!*out) {
		if (pcre2_get_error_message(code_err, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code_err);
		snprintf(err, err_size, "%s: %s at offset %zu in '%.80s'", what, (char *)msg,
			 (size_t)off, re);
		return code_err == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EINVAL;
	}
	pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
	return 0;
}

/* A list (a lone value is read as a list of one, as protobuf's JSON does not, but kindly). */
static int list_of(json_t *v, const char *what, size_t *n, char *err, size_t err_size)
{
	*n = json_is_array(v) ? json_array_size(v) : 1;
	if (json_is_object(v) || json_is_null(v)) {
		snprintf(err, err_size, "%s: expected a list", what);
		return -EINVAL;
	}
	if (*n > FILTER_MAX_VALUES) {
		snprintf(err, err_size, "%s: more than %d values", what, FILTER_MAX_VALUES);
		return -EINVAL;
	}
	return 0;
}

static json_t *item(json_t *v, size_t i)
{
	return json_is_array(v) ? json_array_get(v, i) : v;
}

static int parse_selector(struct selector *s, const char *text, const char *what, char *err,
			  size_t err_size);

/* One value @s of a list field, named @w in errors; c->n counts it once it must be freed. */
static int parse_item(struct cond *c, json_t *s, const char *w, char *err, size_t err_size)
{
	const char *key;

	switch (c->kind) {
	case C_EVENT_SET:
		key = hornet_export_event_key(s);
		if (!key) {
			snprintf(err, err_size, "%s: %s", w, HORNET_EVENT_SET_HELP);
			return -EINVAL;
		}
		/* a static string: freed with the others, so copied */
		c->str[c->n] = strdup(key);
		if (!c->str[c->n])
			return -ENOMEM;
		break;
	case C_PID:
		if (!json_is_integer(s) || json_integer_value(s) < 0 ||
		    json_integer_value(s) > UINT32_MAX) {
			snprintf(err, err_size, "%s: expected a process id", w);
			return -EINVAL;
		}
		c->num[c->n] = (uint32_t)json_integer_value(s);
		break;
	default:
		if (!json_is_string(s)) {
			snprintf(err, err_size, "%s: expected a string", w);
			return -EINVAL;
		}
		if (c->kind == C_LABELS) {
			c->n++; /* its requirements are freed even when it fails half-way */
			return parse_selector(&c->sel[c->n - 1], json_string_value(s), w, err,
					      err_size);
		}
		if (c->kind == C_NAMESPACE || c->kind == C_POLICY) {
			c->str[c->n] = strdup(json_string_value(s));
			if (!c->str[c->n])
				return -ENOMEM;
			break;
		}
		if (compile(json_string_value(s), json_string_length(s), &c->re[c->n], w, err,
			    err_size))
			return -EINVAL;
		break;
	}
	c->n++;
	return 0;
}

/* A list field: strings, regexes, event types, process ids or label selectors. */
static int parse_list(struct cond *c, json_t *v, const char *what, char *err, size_t err_size)
{
	size_t i, n, one;
	char w[256];
	void **arr;
	int ret = list_of(v, what, &n, err, err_size);

	if (ret)
		return ret;
	switch (c->kind) {
	case C_EVENT_SET:
	case C_NAMESPACE:
	case C_POLICY:
		arr = (void **)&c->str;
		one = sizeof(*c->str);
		break;
	case C_PID:
		arr = (void **)&c->num;
		one = sizeof(*c->num);
		break;
	case C_LABELS:
		arr = (void **)&c->sel;
		one = sizeof(*c->sel);
		break;
	default:
		arr = (void **)&c->re;
		one = sizeof(*c->re);
		break;
	}
	*arr = calloc(n ? n : 1, one);
	if (!*arr)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%s[%zu]", what, i);
		ret = parse_item(c, item(v, i), w, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

static bool sel_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.' || ch == '/';
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A word of label characters at *@p, copied. */
static char *sel_word(const char **p)
{
	const char *s = *p = skip_ws(*p);

	while (sel_key_char(**p))
		(*p)++;
	return *p > s ? strndup(s, *p - s) : NULL;
}

static int sel_add_val(struct sel_req *r, char *v)
{
	char **vals;

	if (!v)
		return -EINVAL;
	vals = realloc(r->vals, (r->nr_vals + 1) * sizeof(*vals));
	if (!vals) {
		free(v);
		return -ENOMEM;
	}
	r->vals = vals;
	r->vals[r->nr_vals++] = v;
	return 0;
}

/*
 * A Kubernetes label selector: requirements joined by commas, each "k",
 * "!k", "k=v", "k==v", "k!=v", "k in (a,b)" or "k notin (a,b)".
 */
static int parse_selector(struct selector *s, const char *text, const char *what, char *err,
			  size_t err_size)
{
	const char *p = skip_ws(text);
	struct sel_req *r, *req;
	bool neg;
	char *w;

	while (*p) {
		req = realloc(s->req, (s->nr + 1) * sizeof(*req));
		if (!req)
			return -ENOMEM;
		s->req = req;
		r = &s->req[s->nr];
		memset(r, 0, sizeof(*r));
		neg = *p == '!';
		if (neg)
			p++;
		r->key = sel_word(&p);
		if (!r->key)
			goto bad;
		s->nr++;
		p = skip_ws(p);
		if (neg) {
			r->op = S_NOT_EXISTS;
		} else if (*p == ',' || !*p) {
			r->op = S_EXISTS;
		} else if (p[0] == '!' && p[1] == '=') {
			r->op = S_NE;
			p += 2;
		} else if (p[0] == '=') {
			r->op = S_EQ;
			p += p[1] == '=' ? 2 : 1;
		} else if (!strncmp(p, "in", 2) || !strncmp(p, "notin", 5)) {
			r->op = p[0] == 'i' ? S_IN : S_NOTIN;
			p = skip_ws(p + (r->op == S_IN ? 2 : 5));
			if (*p++ != '(')
				goto bad;
			for (;;) {
				w = sel_word(&p);
				/* an empty value is allowed: "k in (a,)" */
				if (sel_add_val(r, w ? w : strdup("")))
					return -ENOMEM;
				p = skip_ws(p);
				if (*p == ')')
					break;
				if (*p++ != ',')
					goto bad;
			}
			p++;
		} else {
			goto bad;
		}
		if (r->op == S_EQ || r->op == S_NE) {
			w = sel_word(&p);
			if (sel_add_val(r, w ? w : strdup("")))
				return -ENOMEM;
		}
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	snprintf(err, err_size,
		 "%s: '%.120s' is not a label selector (near offset %zu; write k=v, k!=v, "
		 "k in (a,b), k notin (a,b), k or !k, joined by commas)",
		 what, text, (size_t)(p - text));
	return -EINVAL;
}

static int parse_caps(struct cond *c, json_t *v, const char *what, char *err, size_t err_size)
{
	static const char *const sets[] = { "permitted", "effective", "inheritable" };
	static const char *const hows[] = { "any", "all", "exactly", "none" };
	const char *key, *key2;
	struct cap_test *t, *tests;
	size_t i, k, n;
	json_t *inner, *val;
	char w[256];
	int ret;

	if (!json_is_object(v)) {
		snprintf(err, err_size,
			 "%s: expected an object like {\"effective\": {\"any\": "
			 "[\"CAP_SYS_ADMIN\"]}}",
			 what);
		return -EINVAL;
	}
	json_object_foreach(v, key, inner)
	{
		for (i = 0; i < 3 && strcmp(key, sets[i]); i++)
			;
		if (i == 3 || !json_is_object(inner)) {
			snprintf(err, err_size,
				 "%s: '%.64s': expected permitted, effective or inheritable, each "
				 "an object of any, all, exactly or none",
				 what, key);
			return -EINVAL;
		}
		json_object_foreach(inner, key2, val)
		{
			for (k = 0; k < 4 && strcmp(key2, hows[k]); k++)
				;
			snprintf(w, sizeof(w), "%s.%s.%.32s", what, sets[i], key2);
			if (k == 4) {
				snprintf(err, err_size, "%s: expected any, all, exactly or none",
					 w);
				return -EINVAL;
			}
			ret = list_of(val, w, &n, err, err_size);
			if (ret)
				return ret;
			tests = realloc(c->caps, (c->n + 1) * sizeof(*tests));
			if (!tests)
				return -ENOMEM;
			c->caps = tests;
			t = &c->caps[c->n++];
			memset(t, 0, sizeof(*t));
			t->set = sets[i];
			t->how = hows[k];
			t->names = calloc(n ? n : 1, sizeof(*t->names));
			if (!t->names)
				return -ENOMEM;
			for (size_t j = 0; j < n; j++) {
				json_t *s = item(val, j);

				if (!json_is_string(s) ||
				    strncmp(json_string_value(s), "CAP_", 4)) {
					snprintf(err, err_size,
						 "%s[%zu]: expected a capability name like "
						 "CAP_SYS_ADMIN",
						 w, j);
					return -EINVAL;
				}
				t->names[t->nr] = strdup(json_string_value(s));
				if (!t->names[t->nr])
					return -ENOMEM;
				t->nr++;
			}
		}
	}
	return 0;
}

static const struct {
	const char *name;
	enum cond_kind kind;
	const char *refused; /* why hornet cannot evaluate it, or NULL */
} fields[] = {
	{ "event_set", C_EVENT_SET, NULL },
	{ "binary_regex", C_BINARY, NULL },
	{ "parent_binary_regex", C_PARENT_BINARY, NULL },
	{ "ancestor_binary_regex", C_ANCESTOR_BINARY, NULL },
	{ "namespace", C_NAMESPACE, NULL },
	{ "namespace_regex", C_NAMESPACE_RE, NULL },
	{ "pod_regex", C_POD_RE, NULL },
	{ "container_name_regex", C_CONTAINER_NAME_RE, NULL },
	{ "container_id", C_CONTAINER_ID, NULL },
	{ "arguments_regex", C_ARGS, NULL },
	{ "parent_arguments_regex", C_PARENT_ARGS, NULL },
	{ "labels", C_LABELS, NULL },
	{ "policy_names", C_POLICY, NULL },
	{ "pid", C_PID, NULL },
	{ "health_check", C_HEALTH, NULL },
	{ "capabilities", C_CAPS, NULL },
	{ "cel_expression", 0,
	  "hornet has no CEL evaluator; write the condition with the other fields" },
	{ "pid_set", 0,
	  "hornet does not track descendants for filters (Tetragon keeps it for testing "
	  "only); use ancestor_binary_regex or pid" },
	{ "in_init_tree", 0, "hornet's process objects have no in_init_tree to test" },
};

#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

static int parse_filter(struct filter *f, json_t *o, const char *where, unsigned int flags,
			bool *needs_event, char *err, size_t err_size)
{
	char what[192];
	const char *key;
	struct cond *c;
	json_t *v;
	size_t i;
	int ret;

	if (!json_is_object(o)) {
		snprintf(err, err_size, "%s: expected an object like {\"binary_regex\": [...]}",
			 where);
		return -EINVAL;
	}
	f->c = calloc(json_object_size(o) ? json_object_size(o) : 1, sizeof(*f->c));
	if (!f->c)
		return -ENOMEM;
	json_object_foreach(o, key, v)
	{
		for (i = 0; i < NR_FIELDS && strcmp(fields[i].name, key); i++)
			;
		snprintf(what, sizeof(what), "%s: %.64s", where, key);
		if (i == NR_FIELDS) {
			snprintf(err, err_size,
				 "%s: not a filter field (known: event_set, binary_regex, "
				 "parent_binary_regex, ancestor_binary_regex, namespace, "
				 "namespace_regex, pod_regex, container_name_regex, container_id, "
				 "arguments_regex, parent_arguments_regex, labels, policy_names, "
				 "pid, health_check, capabilities)",
				 what);
			return -EINVAL;
		}
		if (fields[i].refused) {
			snprintf(err, err_size, "%s: not supported: %s", what, fields[i].refused);
			return -EINVAL;
		}
		/* protobuf's JSON reads null as the field's absence */
		if (json_is_null(v))
			continue;
		c = &f->c[f->n++];
		c->kind = fields[i].kind;
		if (c->kind != C_EVENT_SET)
			*needs_event = true;
		switch (c->kind) {
		case C_HEALTH:
			ret = 0;
			if (!json_is_boolean(v)) {
				snprintf(err, err_size, "%s: expected true or false", what);
				ret = -EINVAL;
			}
			c->flag = json_is_true(v);
			break;
		case C_CAPS:
			ret = parse_caps(c, v, what, err, err_size);
			break;
		case C_ANCESTOR_BINARY:
			if (!(flags & HORNET_FILTER_ANCESTORS)) {
				/* as Tetragon: it would never match */
				snprintf(err, err_size,
					 "%s: events carry no ancestors: start the agent with "
					 "--enable-ancestors",
					 what);
				return -EINVAL;
			}
			/* fallthrough */
		default:
			ret = parse_list(c, v, what, err, err_size);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static size_t line_of(const char *text, size_t off)
{
	size_t line = 1, i;

	for (i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

int hornet_json_each(const char *text, const char *noun, size_t max,
		     int (*fn)(void *ctx, json_t *o, const char *where, char *err, size_t err_size),
		     void *ctx, char *err, size_t err_size)
{
	size_t len = strlen(text), off = 0, n = 0;
	json_error_t jerr;
	char where[96];
	json_t *o;
	int ret;

	for (;;) {
		while (off < len && strchr(" \t\r\n", text[off]))
			off++;
		if (off == len)
			break;
		snprintf(where, sizeof(where), "%s %zu (line %zu)", noun, n + 1,
			 line_of(text, off));
		if (n == max) {
			snprintf(err, err_size, "more than %zu %ss", max, noun);
			return -EINVAL;
		}
		o = json_loadb(text + off, len - off,
			       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
		if (!o) {
			snprintf(err, err_size, "%s: not JSON: %s (at line %zu, column %d)", where,
				 jerr.text, line_of(text, off) + jerr.line - 1, jerr.column);
			return -EINVAL;
		}
		off += jerr.position;
		n++;
		ret = fn(ctx, o, where, err, err_size);
		json_decref(o);
		if (ret)
			return ret;
	}
	if (!n) {
		snprintf(err, err_size, "no %s (write one JSON object a line)", noun);
		return -EINVAL;
	}
	return 0;
}

struct parse_ctx {
	struct hornet_export_filter *f;
	unsigned int flags;
};

static int add_filter(void *ctx, json_t *o, const char *where, char *err, size_t err_size)
{
	struct parse_ctx *pc = ctx;
	struct hornet_export_filter *f = pc->f;
	struct filter *fs = realloc(f->f, (f->n + 1) * sizeof(*fs));

	if (!fs)
		return -ENOMEM;
	f->f = fs;
	memset(&f->f[f->n], 0, sizeof(*fs));
	f->n++;
	return parse_filter(&f->f[f->n - 1], o, where, pc->flags, &f->needs_event, err, err_size);
}

struct hornet_export_filter *hornet_export_filter__new(const char *text, unsigned int flags,
						       char *err, size_t err_size)
{
	struct parse_ctx pc = { .f = calloc(1, sizeof(*pc.f)), .flags = flags };
	int ret = -ENOMEM;

	snprintf(err, err_size, "out of memory");
	if (!pc.f)
		goto fail;
	ret = hornet_json_each(text, "filter", FILTER_MAX, add_filter, &pc, err, err_size);
	if (ret)
		goto fail;
	ret = -ENOMEM;
	pc.f->md = pcre2_match_data_create(1, NULL);
	pc.f->mctx = pcre2_match_context_create(NULL);
	if (!pc.f->md || !pc.f->mctx)
		goto fail;
	pcre2_set_match_limit(pc.f->mctx, FILTER_MATCH_LIMIT);
	return pc.f;
fail:
	hornet_export_filter__free(pc.f);
	errno = -ret;
	return NULL;
}

/* --- matching ---------------------------------------------------------- */

/* room for a string with escapes, decoded (a binary path, an argument list) */
#define STR_BUF 4096

static bool re_match(struct hornet_export_filter *f, const struct cond *c, struct hornet_jv v)
{
	char buf[STR_BUF];
	const char *s;
	size_t i, len;

	s = hornet_jv_str(v, buf, sizeof(buf), &len);
	if (!s)
		return false;
	for (i = 0; i < c->n; i++)
		if (pcre2_match(c->re[i], (PCRE2_SPTR)s, len, 0, 0, f->md, f->mctx) >= 0)
			return true;
	return false;
}

static struct hornet_jv get2(struct hornet_jv o, const char *a, const char *b)
{
	o = hornet_jv_get(o, a);
	return b ? hornet_jv_get(o, b) : o;
}

/* Whether string @v is one of @vals (@n of them). */
static bool str_in(char *const *vals, size_t n, struct hornet_jv v)
{
	char buf[STR_BUF];
	size_t i, len;
	const char *s = hornet_jv_str(v, buf, sizeof(buf), &len);

	for (i = 0; s && i < n; i++)
		if (strlen(vals[i]) == len && !memcmp(vals[i], s, len))
			return true;
	return false;
}

static bool sel_matches(const struct selector *s, struct hornet_jv labels)
{
	const struct sel_req *r;
	struct hornet_jv v;
	bool in;
	size_t i;

	for (i = 0; i < s->nr; i++) {
		r = &s->req[i];
		v = hornet_jv_get(labels, r->key);
		in = v.p && str_in(r->vals, r->nr_vals, v);
		switch (r->op) {
		case S_EXISTS:
			if (!v.p)
				return false;
			break;
		case S_NOT_EXISTS:
			if (v.p)
				return false;
			break;
		case S_EQ:
		case S_IN:
			if (!in)
				return false;
			break;
		case S_NE:
		case S_NOTIN:
			/* as Kubernetes: true for an object without the label */
			if (in)
				return false;
			break;
		}
	}
	return true;
}

static bool cap_test(const struct cap_test *t, struct hornet_jv cap)
{
	struct hornet_jv set = hornet_jv_get(cap, t->set), e;
	const char *it = NULL;
	size_t i, have = 0, size = 0;

	while ((e = hornet_jv_next(set, &it, NULL)).p)
		size++;
	for (i = 0; i < t->nr; i++) {
		it = NULL;
		while ((e = hornet_jv_next(set, &it, NULL)).p)
			if (str_in(&t->names[i], 1, e)) {
				have++;
				break;
			}
	}
	switch (t->how[0]) {
	case 'a':
		if (t->how[1] == 'n') /* any */
			return have > 0;
		return have == t->nr; /* all */
	case 'e':
		return have == t->nr && size == t->nr;
	default: /* none */
		return have == 0;
	}
}

/* Tetragon's health check: the process or its parent may be an exec probe. */
static bool maybe_probe(struct hornet_jv proc)
{
	return hornet_jv_is_true(get2(get2(proc, "pod", "container"), "maybe_exec_probe", NULL));
}

static bool cond_matches(struct hornet_export_filter *f, const struct cond *c, const char *type,
			 struct hornet_jv body)
{
	struct hornet_jv proc = hornet_jv_get(body, "process"), parent, pod, v, e;
	const char *it = NULL;
	int64_t pid;
	size_t i;

	pod = hornet_jv_get(proc, "pod");
	switch (c->kind) {
	case C_EVENT_SET:
		for (i = 0; i < c->n; i++)
			if (!strcmp(c->str[i], type))
				return true;
		return false;
	case C_BINARY:
		return re_match(f, c, hornet_jv_get(proc, "binary"));
	case C_PARENT_BINARY:
		return re_match(f, c, get2(body, "parent", "binary"));
	case C_ANCESTOR_BINARY:
		v = hornet_jv_get(body, "ancestors");
		while ((e = hornet_jv_next(v, &it, NULL)).p)
			if (re_match(f, c, hornet_jv_get(e, "binary")))
				return true;
		return false;
	case C_NAMESPACE:
		if (!proc.p)
			return false;
		/* "" names the processes outside any pod */
		if (!pod.p) {
			for (i = 0; i < c->n; i++)
				if (!c->str[i][0])
					return true;
			return false;
		}
		return str_in(c->str, c->n, hornet_jv_get(pod, "namespace"));
	case C_NAMESPACE_RE:
		return re_match(f, c, hornet_jv_get(pod, "namespace"));
	case C_POD_RE:
		return re_match(f, c, hornet_jv_get(pod, "name"));
	case C_CONTAINER_NAME_RE:
		return re_match(f, c, get2(pod, "container", "name"));
	case C_CONTAINER_ID:
		return re_match(f, c, hornet_jv_get(proc, "docker"));
	case C_ARGS:
		return re_match(f, c, hornet_jv_get(proc, "arguments"));
	case C_PARENT_ARGS:
		return re_match(f, c, get2(body, "parent", "arguments"));
	case C_LABELS:
		if (!pod.p)
			return false;
		v = hornet_jv_get(pod, "pod_labels");
		for (i = 0; i < c->n; i++)
			if (sel_matches(&c->sel[i], v))
				return true;
		return false;
	case C_POLICY:
		v = hornet_jv_get(body, "policy_name");
		return str_in(c->str, c->n, v);
	case C_PID:
		if (!hornet_jv_int(hornet_jv_get(proc, "pid"), &pid))
			return false;
		for (i = 0; i < c->n; i++)
			if ((int64_t)c->num[i] == pid)
				return true;
		return false;
	case C_HEALTH:
		parent = hornet_jv_get(body, "parent");
		if (c->flag)
			return maybe_probe(proc) || maybe_probe(parent);
		return !maybe_probe(proc) && !maybe_probe(parent);
	case C_CAPS:
		v = hornet_jv_get(proc, "cap");
		if (!v.p)
			return false;
		for (i = 0; i < c->n; i++)
			if (!cap_test(&c->caps[i], v))
				return false;
		return true;
	}
	return false;
}

bool hornet_export_filter__match(struct hornet_export_filter *f, const char *type, const char *line,
				 size_t len)
{
	struct hornet_jv body = { NULL, NULL };
	size_t i, j;

	if (f->needs_event)
		body = hornet_jv_get(hornet_jv_of(line, line + len), type);
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < f->f[i].n; j++)
			if (!cond_matches(f, &f->f[i].c[j], type, body))
				break;
		if (j == f->f[i].n)
			return true;
	}
	return false;
}

bool hornet_export_filter_pass(struct hornet_export_filter *allow,
			       struct hornet_export_filter *deny, const char *type,
			       const char *line, size_t len)
{
	if (allow && !hornet_export_filter__match(allow, type, line, len))
		return false;
	return !(deny && hornet_export_filter__match(deny, type, line, len));
}
