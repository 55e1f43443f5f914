// SPDX-License-Identifier: GPL-2.0
/*
 * The history API's answers (docs/api.md) from the store's tables. Every
 * value from the request is checked first (a 400 names the parameter) and
 * then only ever bound as a statement parameter, never pasted into SQL; the
 * SQL text itself is assembled from fixed pieces only.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

#define MAX_PARAMS 96
#define VALUE_MAX 4096
#define PARENTS_MAX 4
#define ANCESTORS_MAX 64

/* ---- statement builder ---- */

struct qb {
	char sql[8192];
	size_t len;
	struct hornet_db_value p[MAX_PARAMS];
	int n;
	bool overflow;
	bool pg;
};

static void qb_sql(struct qb *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void qb_sql(struct qb *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->len >= sizeof(q->sql))
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->sql + q->len, sizeof(q->sql) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->sql) - q->len)
		q->overflow = true;
	else
		q->len += n;
}

static void qb_text(struct qb *q, const char *s)
{
	if (q->n == MAX_PARAMS) {
		q->overflow = true;
		return;
	}
	q->p[q->n++] = (struct hornet_db_value){ .type = HORNET_DB_TEXT, .s = s, .len = strlen(s) };
}

static void qb_int(struct qb *q, int64_t v)
{
	if (q->n == MAX_PARAMS) {
		q->overflow = true;
		return;
	}
	q->p[q->n++] = (struct hornet_db_value){ .type = HORNET_DB_INT, .i = v };
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A glob as a LIKE pattern (PostgreSQL has no GLOB): * and ? become % and _, the rest literal. */
static char *glob_to_like(const char *g)
{
	char *out = malloc(strlen(g) * 2 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *g; g++) {
		if (*g == '*')
			*p++ = '%';
		else if (*g == '?')
			*p++ = '_';
		else {
			if (*g == '%' || *g == '_' || *g == '\\')
				*p++ = '\\';
			*p++ = *g;
		}
	}
	*p = '\0';
	return out;
}

/* The strings a request made (LIKE patterns): freed with the request. */
struct req_mem {
	char *s[16];
	int n;
};

/* "AND col = ?" or, for a glob, "AND col GLOB ?" (SQLite) / "AND col LIKE ? ESCAPE" (PostgreSQL). */
static void qb_match(struct qb *q, struct req_mem *m, const char *neg, const char *col,
		     const char *v)
{
	if (!is_glob(v)) {
		qb_sql(q, " AND %s%s = ?", neg, col);
	} else if (!q->pg) {
		qb_sql(q, " AND %s%s GLOB ?", neg, col);
	} else {
		char *like = m->n < 16 ? glob_to_like(v) : NULL;

		if (!like) {
			q->overflow = true;
			return;
		}
		m->s[m->n++] = like;
		qb_sql(q, " AND %s%s LIKE ? ESCAPE '\\'", neg, col);
		v = like;
	}
	qb_text(q, v);
}

/* ---- answers ---- */

struct req {
	struct hornet_store *s;
	struct hornet_db *db;
	hornet_store_param_fn param;
	void *ctx;
	struct hornet_json *out;
	struct req_mem mem;
	char err[512];
	/* the common parameters */
	int64_t since, until;
	const char *node, *ns, *pod, *container, *bin, *exec_id;
	bool exclusions;
	int64_t limit;
	const char *cursor;
	/* saved exclusions, when they apply */
	struct rows *excl;
	/* a page's processes and their ancestors, fetched at once (rollup_answer) */
	struct rows *lineage;
};

static int answer_error(struct req *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int answer_error(struct req *r, int status, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hornet_json_reset(r->out);
	hornet_json_obj_begin(r->out, NULL);
	hornet_json_str(r->out, "error", msg);
	hornet_json_obj_end(r->out);
	return status;
}

static int db_error(struct req *r, int rc)
{
	return answer_error(r, 503, "store: %s", r->err[0] ? r->err : strerror(-rc));
}

static void put_time(struct hornet_json *j, const char *key, int64_t ns)
{
	char t[48];

	hornet_store_format_time(ns, t, sizeof(t));
	hornet_json_str(j, key, t);
}

static void put_null(struct hornet_json *j, const char *key)
{
	hornet_json_raw(j, key, "null", 4);
}

/* ---- rows kept in memory (so a connection runs one statement at a time) ---- */

struct rows {
	size_t n, cap;
	int ncols;
	struct hornet_db_value *v;
};

static int rows_add(void *ctx, const struct hornet_db_value *cols, int ncols)
{
	struct rows *rs = ctx;
	struct hornet_db_value *row;
	int i;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		void *p = realloc(rs->v, cap * ncols * sizeof(*rs->v));

		if (!p)
			return -ENOMEM;
		rs->v = p;
		rs->cap = cap;
	}
	rs->ncols = ncols;
	row = rs->v + rs->n * ncols;
	for (i = 0; i < ncols; i++) {
		row[i] = cols[i];
		if (cols[i].type == HORNET_DB_TEXT) {
			char *s = malloc(cols[i].len + 1);

			if (!s) {
				for (; i < ncols; i++)
					row[i].type = HORNET_DB_NULL;
				rs->n++;
				return -ENOMEM;
			}
			memcpy(s, cols[i].s, cols[i].len);
			s[cols[i].len] = '\0';
			row[i].s = s;
		}
	}
	rs->n++;
	return 0;
}

static void rows_free(struct rows *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n * rs->ncols; i++) {
		if (rs->v[i].type == HORNET_DB_TEXT)
			free((char *)rs->v[i].s);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

static const struct hornet_db_value *row_at(const struct rows *rs, size_t i)
{
	return rs->v + i * rs->ncols;
}

static const char *col_s(const struct hornet_db_value *v)
{
	return v->type == HORNET_DB_TEXT ? v->s : "";
}

static int64_t col_i(const struct hornet_db_value *v)
{
	return v->type == HORNET_DB_INT ? v->i : 0;
}

static int run(struct req *r, struct qb *q, struct rows *rs)
{
	if (q->overflow) {
		snprintf(r->err, sizeof(r->err), "query too large");
		return -E2BIG;
	}
	return hornet_db_query(r->db, q->sql, q->p, q->n, rows_add, rs, r->err, sizeof(r->err));
}

/* ---- parameters ---- */

static const char *param(struct req *r, const char *name)
{
	const char *v = r->param ? r->param(r->ctx, name) : NULL;

	return v && v[0] ? v : NULL;
}

static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* RFC 3339, Unix seconds, or relative to now (-1h, -30m, -7d, -10s). */
static int parse_time(const char *s, int64_t now, int64_t *ns)
{
	char *end;
	double v;

	if (s[0] == '-' || s[0] == '+') {
		if (hornet_store_parse_duration(s + 1, ns))
			return -EINVAL;
		*ns = now + (s[0] == '-' ? -*ns : *ns);
		return 0;
	}
	if (!strcmp(s, "now")) {
		*ns = now;
		return 0;
	}
	if (isdigit((unsigned char)s[0]) && strlen(s) < 20 && !strchr(s, '-')) {
		errno = 0;
		v = strtod(s, &end);
		if (errno || *end || v < 0 || v > 1e11)
			return -EINVAL;
		*ns = (int64_t)(v * HORNET_STORE_NS);
		return 0;
	}
	return hornet_store_parse_rfc3339(s, strlen(s), ns);
}

static int text_param(struct req *r, const char *name, const char **out)
{
	const char *v = param(r, name);

	*out = v;
	if (v && strlen(v) > VALUE_MAX)
		return answer_error(r, 400, "parameter '%s': longer than %d bytes", name,
				    VALUE_MAX);
	return 0;
}

/* The parameters every history endpoint takes; 0, or the status of the error answer. */
static int common_params(struct req *r, int64_t default_since, int64_t default_limit)
{
	int64_t now = hornet_store_now_ns();
	const char *v;
	int rc;

	r->since = default_since == INT64_MIN ? now - 3600 * HORNET_STORE_NS : default_since;
	r->until = now + HORNET_STORE_NS;
	if ((v = param(r, "since")) && parse_time(v, now, &r->since))
		return answer_error(r, 400,
				    "parameter 'since': '%.64s' is not a time (RFC 3339, Unix "
				    "seconds, or relative such as -1h)",
				    v);
	if ((v = param(r, "until")) && parse_time(v, now, &r->until))
		return answer_error(r, 400,
				    "parameter 'until': '%.64s' is not a time (RFC 3339, Unix "
				    "seconds, or relative such as -1h)",
				    v);
	if (r->until <= r->since)
		return answer_error(r, 400, "parameter 'until': must be after 'since'");
	if ((rc = text_param(r, "node", &r->node)) || (rc = text_param(r, "namespace", &r->ns)) ||
	    (rc = text_param(r, "pod", &r->pod)) ||
	    (rc = text_param(r, "container", &r->container)) ||
	    (rc = text_param(r, "binary", &r->bin)) ||
	    (rc = text_param(r, "exec_id", &r->exec_id)) ||
	    (rc = text_param(r, "cursor", &r->cursor)))
		return rc;
	r->exclusions = true;
	if ((v = param(r, "exclusions"))) {
		if (!strcmp(v, "off"))
			r->exclusions = false;
		else if (strcmp(v, "on"))
			return answer_error(r, 400, "parameter 'exclusions': 'on' or 'off'");
	}
	r->limit = default_limit;
	if ((v = param(r, "limit")) && parse_int(v, 1, 1000, &r->limit))
		return answer_error(r, 400, "parameter 'limit': a number from 1 to 1000");
	return 0;
}

/* An offset cursor "o:N" of the aggregated answers. */
static int offset_cursor(struct req *r, int64_t *off)
{
	*off = 0;
	if (r->cursor && (strncmp(r->cursor, "o:", 2) || parse_int(r->cursor + 2, 0, 1 << 30, off)))
		return answer_error(r, 400, "parameter 'cursor': not one this server gave");
	return 0;
}

static void next_offset(struct req *r, bool more, int64_t off)
{
	char c[32];

	if (!more) {
		put_null(r->out, "next_cursor");
		return;
	}
	snprintf(c, sizeof(c), "o:%lld", (long long)off);
	hornet_json_str(r->out, "next_cursor", c);
}

/* ---- filters ---- */

/* Which columns a table has for the common filters (NULL: it has none). */
struct cols {
	const char *node, *ns, *pod, *container, *bin, *exec_id, *path, *daddr, *dns;
};

static const struct cols events_cols = { "node",    "ns",   "pod",   "container", "bin",
					 "exec_id", "path", "daddr", "dns" };
static const struct cols files_cols = { "node",	   "ns",   "pod", "container", "bin",
					"exec_id", "path", NULL,  NULL };
static const struct cols egress_cols = { "node",    "ns", "pod",   "container", "bin",
					 "exec_id", NULL, "daddr", "dns" };
static const struct cols procs_cols = { "node",	   "ns", "pod", "container", "bin",
					"exec_id", NULL, NULL,	NULL };

static int load_exclusions(struct req *r)
{
	struct qb q = { .pg = hornet_db_kind(r->db) == HORNET_DB_POSTGRES };
	int rc;

	r->excl = calloc(1, sizeof(*r->excl));
	if (!r->excl)
		return -ENOMEM;
	qb_sql(&q, "SELECT id, field, value, note, created_ns FROM exclusions ORDER BY id");
	rc = run(r, &q, r->excl);
	return rc;
}

static void filters(struct req *r, struct qb *q, const struct cols *c)
{
	size_t i;

	if (r->node)
		qb_match(q, &r->mem, "", c->node, r->node);
	if (r->ns)
		qb_match(q, &r->mem, "", c->ns, r->ns);
	if (r->pod)
		qb_match(q, &r->mem, "", c->pod, r->pod);
	if (r->container)
		qb_match(q, &r->mem, "", c->container, r->container);
	if (r->bin)
		qb_match(q, &r->mem, "", c->bin, r->bin);
	if (r->exec_id)
		qb_match(q, &r->mem, "", c->exec_id, r->exec_id);
	if (!r->exclusions || !r->excl)
		return;
	for (i = 0; i < r->excl->n; i++) {
		const struct hornet_db_value *x = row_at(r->excl, i);
		const char *field = col_s(&x[1]), *value = col_s(&x[2]);
		const char *col = !strcmp(field, "namespace") ? c->ns
				  : !strcmp(field, "pod")     ? c->pod
				  : !strcmp(field, "binary")  ? c->bin
				  : !strcmp(field, "path")    ? c->path
							      : NULL;

		if (col) {
			qb_match(q, &r->mem, "NOT ", col, value);
		} else if (!strcmp(field, "dest") && c->daddr) {
			qb_sql(q, " AND NOT (%s = ? OR %s = ?)", c->daddr, c->dns);
			qb_text(q, value);
			qb_text(q, value);
		}
	}
}

/*
 * "AND col IN (?, ...)" for a comma list of up to 32 values (a single value may
 * be a glob). The list is copied into the request's memory, which outlives
 * the statement. 0, or the status of the error answer naming @name.
 */
static int in_list(struct req *r, struct qb *q, const char *col, const char *name, const char *list)
{
	char *copy, *save, *tok;
	int n = 0;

	if (!strchr(list, ',')) {
		qb_match(q, &r->mem, "", col, list);
		return 0;
	}
	copy = r->mem.n < 16 ? strdup(list) : NULL;
	if (!copy)
		return answer_error(r, 400, "parameter '%s': too many lists", name);
	r->mem.s[r->mem.n++] = copy;
	qb_sql(q, " AND %s IN (", col);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (++n > 32)
			return answer_error(r, 400, "parameter '%s': more than 32 values", name);
		qb_sql(q, n > 1 ? ", ?" : "?");
		qb_text(q, tok);
	}
	/* ",,," names nothing: NULL matches no row */
	qb_sql(q, "%s)", n ? "" : "NULL");
	return 0;
}

/* dest: an address, address:port, [v6]:port, or a name (DNS, HTTP host, TLS; a glob of one). */
static int dest_filter(struct req *r, struct qb *q, const char *dest, char *addr, size_t size)
{
	const char *colon = strrchr(dest, ':');
	unsigned char buf[16];
	int64_t port = -1;

	snprintf(addr, size, "%s", dest);
	if (dest[0] == '[' && colon && colon > dest && colon[-1] == ']') {
		snprintf(addr, size, "%.*s", (int)(colon - dest - 2), dest + 1);
		if (parse_int(colon + 1, 0, 65535, &port))
			return answer_error(r, 400, "parameter 'dest': bad port");
	} else if (colon && strchr(dest, ':') == colon) {
		snprintf(addr, size, "%.*s", (int)(colon - dest), dest);
		if (parse_int(colon + 1, 0, 65535, &port))
			return answer_error(r, 400, "parameter 'dest': bad port");
	}
	if (inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1) {
		qb_sql(q, " AND daddr = ?");
		qb_text(q, addr);
	} else {
		if (port >= 0 && strchr(addr, ':'))
			return answer_error(r, 400, "parameter 'dest': not an address or name");
		qb_match(q, &r->mem, "", "dns", addr);
	}
	if (port >= 0) {
		qb_sql(q, " AND dport = ?");
		qb_int(q, port);
	}
	return 0;
}

/* ---- processes ---- */

#define PROC_COLS                                                                       \
	"exec_id, parent_exec_id, node, pid, bin, args, cwd, uid, ns, pod, container, " \
	"start_ns, exit_ns, status, signal, files, network, policy, killed"

static void put_process(struct hornet_json *j, const char *key, const struct hornet_db_value *c)
{
	hornet_json_obj_begin(j, key);
	hornet_json_str(j, "exec_id", col_s(&c[0]));
	hornet_json_str(j, "parent_exec_id", col_s(&c[1]));
	hornet_json_str(j, "node", col_s(&c[2]));
	hornet_json_i64(j, "pid", col_i(&c[3]));
	hornet_json_str(j, "binary", col_s(&c[4]));
	hornet_json_str(j, "arguments", col_s(&c[5]));
	hornet_json_str(j, "cwd", col_s(&c[6]));
	hornet_json_i64(j, "uid", col_i(&c[7]));
	hornet_json_str(j, "namespace", col_s(&c[8]));
	hornet_json_str(j, "pod", col_s(&c[9]));
	hornet_json_str(j, "container", col_s(&c[10]));
	put_time(j, "start_time", col_i(&c[11]));
	if (c[12].type == HORNET_DB_INT)
		put_time(j, "exit_time", c[12].i);
	else
		put_null(j, "exit_time");
	if (c[13].type == HORNET_DB_INT)
		hornet_json_i64(j, "status", c[13].i);
	else
		put_null(j, "status");
	if (c[14].type == HORNET_DB_TEXT)
		hornet_json_str(j, "signal", c[14].s);
	else
		put_null(j, "signal");
	hornet_json_obj_begin(j, "marks");
	hornet_json_i64(j, "files", col_i(&c[15]));
	hornet_json_i64(j, "network", col_i(&c[16]));
	hornet_json_i64(j, "policy", col_i(&c[17]));
	hornet_json_i64(j, "killed", col_i(&c[18]));
	hornet_json_obj_end(j);
	hornet_json_obj_end(j);
}

static int process_row(struct req *r, const char *exec_id, struct rows *rs)
{
	struct qb q = { 0 };

	qb_sql(&q, "SELECT " PROC_COLS " FROM processes WHERE exec_id = ?");
	qb_text(&q, exec_id);
	return run(r, &q, rs);
}

/* A process's row: from the page's prefetched rows, else one query into @p. */
static const struct hornet_db_value *lineage_row(struct req *r, const char *exec_id, struct rows *p,
						 int *rc)
{
	size_t i;

	*rc = 0;
	if (r->lineage) {
		for (i = 0; i < r->lineage->n; i++)
			if (!strcmp(col_s(&row_at(r->lineage, i)[0]), exec_id))
				return row_at(r->lineage, i);
		return NULL;
	}
	rows_free(p);
	*rc = process_row(r, exec_id, p);
	return !*rc && p->n ? row_at(p, 0) : NULL;
}

/* "arguments" and "parents" of a rollup row's process. */
static int put_lineage(struct req *r, const char *exec_id)
{
	const struct hornet_db_value *c;
	struct rows p = { 0 };
	char parent[1024];
	int rc, depth;

	c = lineage_row(r, exec_id, &p, &rc);
	if (rc)
		goto out;
	hornet_json_str(r->out, "arguments", c ? col_s(&c[5]) : "");
	snprintf(parent, sizeof(parent), "%s", c ? col_s(&c[1]) : "");
	hornet_json_arr_begin(r->out, "parents");
	for (depth = 0; parent[0] && depth < PARENTS_MAX; depth++) {
		c = lineage_row(r, parent, &p, &rc);
		if (rc || !c)
			break;
		hornet_json_obj_begin(r->out, NULL);
		hornet_json_str(r->out, "exec_id", col_s(&c[0]));
		hornet_json_str(r->out, "binary", col_s(&c[4]));
		hornet_json_str(r->out, "arguments", col_s(&c[5]));
		hornet_json_obj_end(r->out);
		snprintf(parent, sizeof(parent), "%s", col_s(&c[1]));
	}
	hornet_json_arr_end(r->out);
out:
	rows_free(&p);
	return rc;
}

static bool lineage_has(const struct rows *cache, const char *const *ids, size_t n, const char *id)
{
	size_t i;

	if (!id[0])
		return true;
	for (i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	for (i = 0; i < cache->n; i++)
		if (!strcmp(col_s(&row_at(cache, i)[0]), id))
			return true;
	return false;
}

/*
 * The process rows of a page's processes (@ids) and of their ancestors, one
 * query per generation (64 processes each) into @cache: a page of 100 rows
 * costs a few round trips instead of a few hundred, which PostgreSQL, at a
 * tenth of a millisecond each, turned into most of an answer's time.
 */
static int prefetch_lineage(struct req *r, const char **ids, size_t n, struct rows *cache)
{
	size_t first = 0, done, i, k;
	int depth, rc;

	for (depth = 0; depth <= PARENTS_MAX && n; depth++) {
		for (done = 0; done < n; done += k) {
			struct qb q = { 0 };

			qb_sql(&q, "SELECT " PROC_COLS " FROM processes WHERE exec_id IN (");
			for (k = 0; k < 64 && done + k < n; k++) {
				qb_sql(&q, "%s?", k ? ", " : "");
				qb_text(&q, ids[done + k]);
			}
			qb_sql(&q, ")");
			rc = run(r, &q, cache);
			if (rc)
				return rc;
		}
		/* the next generation: parents not fetched yet (ids point into the cache) */
		for (n = 0, i = first; i < cache->n; i++) {
			const char *parent = col_s(&row_at(cache, i)[1]);

			if (n < 1024 && !lineage_has(cache, ids, n, parent))
				ids[n++] = parent;
		}
		first = cache->n;
	}
	return 0;
}

static int get_process(struct req *r, const char *exec_id)
{
	struct rows p = { 0 }, kids = { 0 }, evs = { 0 };
	char parent[1024];
	struct qb q = { 0 };
	int rc, depth;
	size_t i;

	if (!exec_id[0] || strlen(exec_id) > 512)
		return answer_error(r, 400, "exec_id: empty or longer than 512 bytes");
	rc = common_params(r, 0, 100);
	if (rc)
		return rc;
	rc = process_row(r, exec_id, &p);
	if (rc)
		goto fail;
	if (!p.n) {
		rows_free(&p);
		return answer_error(r, 404, "exec_id '%.128s': no such process in the store",
				    exec_id);
	}
	hornet_json_obj_begin(r->out, NULL);
	put_process(r->out, "process", row_at(&p, 0));
	snprintf(parent, sizeof(parent), "%s", col_s(&row_at(&p, 0)[1]));
	hornet_json_arr_begin(r->out, "ancestors");
	for (depth = 0; parent[0] && depth < ANCESTORS_MAX; depth++) {
		rows_free(&p);
		rc = process_row(r, parent, &p);
		if (rc)
			goto fail;
		if (!p.n || !strcmp(col_s(&row_at(&p, 0)[1]), parent))
			break;
		put_process(r->out, NULL, row_at(&p, 0));
		snprintf(parent, sizeof(parent), "%s", col_s(&row_at(&p, 0)[1]));
	}
	hornet_json_arr_end(r->out);

	qb_sql(&q, "SELECT " PROC_COLS " FROM processes WHERE parent_exec_id = ? "
		   "ORDER BY start_ns LIMIT 1000");
	qb_text(&q, exec_id);
	rc = run(r, &q, &kids);
	if (rc)
		goto fail;
	hornet_json_arr_begin(r->out, "children");
	for (i = 0; i < kids.n; i++)
		put_process(r->out, NULL, row_at(&kids, i));
	hornet_json_arr_end(r->out);

	q = (struct qb){ 0 };
	/* newest first by id (the index's own order), not by time: no sort of all its events */
	qb_sql(&q, "SELECT line FROM events WHERE eh = ? AND exec_id = ? ORDER BY id DESC LIMIT ?");
	qb_int(&q, hornet_store_hash(exec_id, strlen(exec_id)));
	qb_text(&q, exec_id);
	qb_int(&q, r->limit);
	rc = run(r, &q, &evs);
	if (rc)
		goto fail;
	hornet_json_arr_begin(r->out, "events");
	for (i = 0; i < evs.n; i++) {
		const struct hornet_db_value *c = row_at(&evs, i);

		hornet_json_raw(r->out, NULL, c[0].s, c[0].len);
	}
	hornet_json_arr_end(r->out);
	hornet_json_obj_end(r->out);
	rows_free(&p);
	rows_free(&kids);
	rows_free(&evs);
	return 200;
fail:
	rows_free(&p);
	rows_free(&kids);
	rows_free(&evs);
	return db_error(r, rc);
}

static int get_processes(struct req *r, struct qb *q)
{
	struct rows rs = { 0 };
	const char *host = param(r, "host");
	int64_t off;
	size_t i;
	int rc;

	rc = common_params(r, INT64_MIN, 1000);
	if (!rc)
		rc = offset_cursor(r, &off);
	if (rc)
		return rc;
	if (host && strcmp(host, "1") && strcmp(host, "0"))
		return answer_error(r, 400, "parameter 'host': 1 or 0");
	host = host && !strcmp(host, "1") ? host : NULL;
	if (!host && !r->pod)
		return answer_error(r, 400,
				    "parameter 'pod': give 'namespace' and 'pod', or 'host=1'");
	if (host && r->pod)
		return answer_error(r, 400, "parameter 'host': not with 'pod'");
	qb_sql(q, "SELECT " PROC_COLS " FROM processes WHERE start_ns < ? AND "
		  "(last_ns >= ? OR exit_ns IS NULL)");
	qb_int(q, r->until);
	qb_int(q, r->since);
	if (host)
		qb_sql(q, " AND pod = ''");
	filters(r, q, &procs_cols);
	qb_sql(q, " ORDER BY start_ns, exec_id LIMIT ? OFFSET ?");
	qb_int(q, r->limit + 1);
	qb_int(q, off);
	rc = run(r, q, &rs);
	if (rc) {
		rows_free(&rs);
		return db_error(r, rc);
	}
	hornet_json_obj_begin(r->out, NULL);
	hornet_json_arr_begin(r->out, "processes");
	for (i = 0; i < rs.n && i < (size_t)r->limit; i++)
		put_process(r->out, NULL, row_at(&rs, i));
	hornet_json_arr_end(r->out);
	next_offset(r, rs.n > (size_t)r->limit, off + r->limit);
	hornet_json_obj_end(r->out);
	rows_free(&rs);
	return 200;
}

/* ---- events ---- */

static bool list_ok(const char *s)
{
	for (; *s; s++) {
		if (!islower((unsigned char)*s) && *s != '_' && *s != ',')
			return false;
	}
	return true;
}

static void csv_field(struct hornet_json *j, const char *s, bool last)
{
	/* quoted always; a leading = + - @ is defused so a spreadsheet does not run it */
	hornet_json_append(j, "\"", 1);
	if (strchr("=+-@", s[0]) && s[0])
		hornet_json_append(j, "'", 1);
	for (; *s; s++) {
		if (*s == '"')
			hornet_json_append(j, "\"\"", 2);
		else
			hornet_json_append(j, s, 1);
	}
	hornet_json_append(j, last ? "\"\n" : "\",", 2);
}

static int get_events(struct req *r, struct qb *q)
{
	static const char *const csv_head[] = { "time",	  "node",      "type", "policy",
						"action", "namespace", "pod",  "container",
						"binary", "exec_id",   "path", "daddr",
						"dport",  "dns_name" };
	const char *type, *policy, *action, *path, *dest, *text, *format;
	int64_t cur_ts = 0, cur_id = 0;
	char addr[VALUE_MAX + 1];
	struct rows rs = { 0 };
	int rc, fmt = 0;
	size_t i, k;

	rc = common_params(r, INT64_MIN, 100);
	if (rc || (rc = text_param(r, "type", &type)) || (rc = text_param(r, "policy", &policy)) ||
	    (rc = text_param(r, "action", &action)) || (rc = text_param(r, "path", &path)) ||
	    (rc = text_param(r, "dest", &dest)) || (rc = text_param(r, "q", &text)) ||
	    (rc = text_param(r, "format", &format)))
		return rc;
	if (format && !strcmp(format, "jsonl"))
		fmt = 1;
	else if (format && !strcmp(format, "csv"))
		fmt = 2;
	else if (format && strcmp(format, "json"))
		return answer_error(r, 400, "parameter 'format': json, jsonl or csv");
	if (r->cursor && sscanf(r->cursor, "%" SCNd64 ".%" SCNd64, &cur_ts, &cur_id) != 2)
		return answer_error(r, 400, "parameter 'cursor': not one this server gave");
	if (type && !list_ok(type))
		return answer_error(r, 400,
				    "parameter 'type': event types such as "
				    "process_exec, separated by commas");

	qb_sql(q, "SELECT id, ts, line, node, type, policy, action, ns, pod, container, bin, "
		  "exec_id, path, daddr, dport, dns FROM events WHERE ts >= ? AND ts < ?");
	qb_int(q, r->since);
	qb_int(q, r->until);
	if (r->cursor) {
		qb_sql(q, " AND (ts < ? OR (ts = ? AND id < ?))");
		qb_int(q, cur_ts);
		qb_int(q, cur_ts);
		qb_int(q, cur_id);
	}
	if ((type && (rc = in_list(r, q, "type", "type", type))) ||
	    (policy && (rc = in_list(r, q, "policy", "policy", policy))) ||
	    (action && (rc = in_list(r, q, "action", "action", action))))
		return rc;
	if (path)
		qb_match(q, &r->mem, "", "path", path);
	if (dest && (rc = dest_filter(r, q, dest, addr, sizeof(addr))))
		return rc;
	if (text) {
		/* case-insensitive, as the live stream's q (ASCII letters on SQLite) */
		qb_sql(q, q->pg ? " AND strpos(lower(line), lower(?)) > 0"
				: " AND instr(lower(line), lower(?)) > 0");
		qb_text(q, text);
	}
	filters(r, q, &events_cols);
	if (r->exec_id && !is_glob(r->exec_id)) {
		/* lets the index by process serve a filter on one process */
		qb_sql(q, " AND eh = ?");
		qb_int(q, hornet_store_hash(r->exec_id, strlen(r->exec_id)));
	}
	qb_sql(q, " ORDER BY ts DESC, id DESC LIMIT ?");
	qb_int(q, r->limit + 1);
	rc = run(r, q, &rs);
	if (rc) {
		rows_free(&rs);
		return db_error(r, rc);
	}
	if (fmt == 2) {
		for (k = 0; k < 14; k++)
			csv_field(r->out, csv_head[k], k == 13);
	} else if (!fmt) {
		hornet_json_obj_begin(r->out, NULL);
		hornet_json_arr_begin(r->out, "events");
	}
	for (i = 0; i < rs.n && i < (size_t)r->limit; i++) {
		const struct hornet_db_value *c = row_at(&rs, i);
		char t[48], port[16];

		if (fmt == 1) {
			hornet_json_append(r->out, c[2].s, c[2].len);
			hornet_json_append(r->out, "\n", 1);
		} else if (fmt == 2) {
			hornet_store_format_time(col_i(&c[1]), t, sizeof(t));
			snprintf(port, sizeof(port), "%lld", (long long)col_i(&c[14]));
			csv_field(r->out, t, false);
			for (k = 3; k < 14; k++)
				csv_field(r->out, col_s(&c[k]), false);
			csv_field(r->out, c[14].type == HORNET_DB_INT ? port : "", false);
			csv_field(r->out, col_s(&c[15]), true);
		} else {
			hornet_json_raw(r->out, NULL, c[2].s, c[2].len);
		}
	}
	if (!fmt) {
		hornet_json_arr_end(r->out);
		if (rs.n > (size_t)r->limit) {
			const struct hornet_db_value *c = row_at(&rs, r->limit - 1);
			char cur[48];

			snprintf(cur, sizeof(cur), "%lld.%lld", (long long)col_i(&c[1]),
				 (long long)col_i(&c[0]));
			hornet_json_str(r->out, "next_cursor", cur);
		} else {
			put_null(r->out, "next_cursor");
		}
		hornet_json_obj_end(r->out);
	}
	rows_free(&rs);
	return 200;
}

/* ---- files and egress ---- */

static void hour_range(struct req *r, struct qb *q, const char *first, const char *last)
{
	qb_sql(q, " AND hour >= ? AND hour <= ? AND %s >= ? AND %s < ?", last, first);
	qb_int(q, r->since / HORNET_STORE_NS / 3600 * 3600);
	qb_int(q, r->until / HORNET_STORE_NS);
	qb_int(q, r->since);
	qb_int(q, r->until);
}

static void put_opt(struct hornet_json *j, const char *key, const char *s)
{
	if (s[0])
		hornet_json_str(j, key, s);
	else
		put_null(j, key);
}

/*
 * A rollup's answer: {"<key>": [rows], "next_cursor"}. Each row's first six
 * columns say who (node, ns, pod, container, exec_id, bin); @rest writes the others.
 */
static int rollup_answer(struct req *r, struct qb *q, int64_t off, const char *key,
			 void (*rest)(struct hornet_json *j, const struct hornet_db_value *c))
{
	struct rows rs = { 0 }, lineage = { 0 };
	const char **ids = NULL;
	size_t i, n = 0;
	int rc;

	qb_sql(q, " LIMIT ? OFFSET ?");
	qb_int(q, r->limit + 1);
	qb_int(q, off);
	rc = run(r, q, &rs);
	if (rc)
		goto fail;
	ids = calloc(1024, sizeof(*ids));
	if (ids) {
		for (i = 0; i < rs.n && i < (size_t)r->limit && n < 1024; i++) {
			const char *id = col_s(&row_at(&rs, i)[4]);

			if (!lineage_has(&lineage, ids, n, id))
				ids[n++] = id;
		}
		rc = prefetch_lineage(r, ids, n, &lineage);
		if (rc)
			goto fail;
		r->lineage = &lineage;
	}
	hornet_json_obj_begin(r->out, NULL);
	hornet_json_arr_begin(r->out, key);
	for (i = 0; i < rs.n && i < (size_t)r->limit; i++) {
		const struct hornet_db_value *c = row_at(&rs, i);

		hornet_json_obj_begin(r->out, NULL);
		hornet_json_str(r->out, "node", col_s(&c[0]));
		hornet_json_str(r->out, "namespace", col_s(&c[1]));
		hornet_json_str(r->out, "pod", col_s(&c[2]));
		hornet_json_str(r->out, "container", col_s(&c[3]));
		hornet_json_str(r->out, "exec_id", col_s(&c[4]));
		hornet_json_str(r->out, "binary", col_s(&c[5]));
		rc = put_lineage(r, col_s(&c[4]));
		if (rc)
			goto fail;
		rest(r->out, c + 6);
		hornet_json_obj_end(r->out);
	}
	hornet_json_arr_end(r->out);
	next_offset(r, rs.n > (size_t)r->limit, off + r->limit);
	hornet_json_obj_end(r->out);
	r->lineage = NULL;
	rows_free(&lineage);
	free(ids);
	rows_free(&rs);
	return 200;
fail:
	r->lineage = NULL;
	rows_free(&lineage);
	free(ids);
	rows_free(&rs);
	return db_error(r, rc);
}

static void file_rest(struct hornet_json *j, const struct hornet_db_value *c)
{
	hornet_json_str(j, "path", col_s(&c[0]));
	hornet_json_str(j, "call", col_s(&c[1]));
	hornet_json_str(j, "access", col_s(&c[2]));
	hornet_json_str(j, "action", col_s(&c[3]));
	hornet_json_str(j, "policy", col_s(&c[4]));
	hornet_json_i64(j, "count", col_i(&c[5]));
	put_time(j, "first_seen", col_i(&c[6]));
	put_time(j, "last_seen", col_i(&c[7]));
}

static int get_files(struct req *r, struct qb *q)
{
	const char *path;
	int64_t off;
	int rc;

	rc = common_params(r, INT64_MIN, 100);
	if (rc || (rc = offset_cursor(r, &off)) || (rc = text_param(r, "path", &path)))
		return rc;
	if (!path)
		return answer_error(r, 400,
				    "parameter 'path': required (a path, or a glob such "
				    "as /etc/*)");
	qb_sql(q, "SELECT node, ns, pod, container, exec_id, bin, path, hook, access, action, "
		  "policy, SUM(n), MIN(first_ns), MAX(last_ns) FROM files WHERE 1 = 1");
	qb_match(q, &r->mem, "", "path", path);
	hour_range(r, q, "first_ns", "last_ns");
	filters(r, q, &files_cols);
	qb_sql(q, " GROUP BY node, ns, pod, container, exec_id, bin, path, hook, access, "
		  "action, policy ORDER BY MAX(last_ns) DESC, path, exec_id");
	return rollup_answer(r, q, off, "files", file_rest);
}

static void egress_rest(struct hornet_json *j, const struct hornet_db_value *c)
{
	hornet_json_str(j, "daddr", col_s(&c[0]));
	hornet_json_i64(j, "dport", col_i(&c[1]));
	hornet_json_str(j, "protocol", col_s(&c[2]));
	put_opt(j, "dns_name", col_s(&c[3]));
	put_opt(j, "http_host", col_s(&c[4]));
	put_opt(j, "tls_server_name", col_s(&c[5]));
	hornet_json_i64(j, "connections", col_i(&c[6]));
	hornet_json_i64(j, "bytes_sent", col_i(&c[7]));
	hornet_json_i64(j, "bytes_received", col_i(&c[8]));
	put_time(j, "first_seen", col_i(&c[9]));
	put_time(j, "last_seen", col_i(&c[10]));
}

static int get_egress(struct req *r, struct qb *q)
{
	char addr[VALUE_MAX + 1];
	const char *dest;
	int64_t off;
	int rc;

	rc = common_params(r, INT64_MIN, 100);
	if (rc || (rc = offset_cursor(r, &off)) || (rc = text_param(r, "dest", &dest)))
		return rc;
	qb_sql(q, "SELECT node, ns, pod, container, exec_id, bin, daddr, dport, protocol, dns, "
		  "http_host, tls, SUM(connections), SUM(bytes_sent), SUM(bytes_received), "
		  "MIN(first_ns), MAX(last_ns) FROM egress WHERE 1 = 1");
	hour_range(r, q, "first_ns", "last_ns");
	if (dest && (rc = dest_filter(r, q, dest, addr, sizeof(addr))))
		return rc;
	filters(r, q, &egress_cols);
	qb_sql(q, " GROUP BY node, ns, pod, container, exec_id, bin, daddr, dport, protocol, dns, "
		  "http_host, tls ORDER BY MAX(last_ns) DESC, exec_id, daddr");
	return rollup_answer(r, q, off, "egress", egress_rest);
}

/* ---- timeline ---- */

static int get_timeline(struct req *r, struct qb *q)
{
	static const int64_t nice[] = { 10,   30,   60,	  120,	 300,	600,   900,
					1800, 3600, 7200, 10800, 21600, 43200, 86400 };
	const char *v, *type;
	struct rows rs = { 0 };
	int64_t step = 0, range_s, b, cur = INT64_MIN;
	bool raw;
	size_t i;
	int rc;

	rc = common_params(r, INT64_MIN, 100);
	if (rc || (rc = text_param(r, "type", &type)))
		return rc;
	if (type && !list_ok(type))
		return answer_error(r, 400, "parameter 'type': event types separated by commas");
	range_s = (r->until - r->since + HORNET_STORE_NS - 1) / HORNET_STORE_NS;
	if ((v = param(r, "step")) && parse_int(v, 1, 7 * 86400, &step))
		return answer_error(r, 400, "parameter 'step': seconds, from 1 to 604800");
	if (!step) {
		for (i = 0; i < sizeof(nice) / sizeof(nice[0]) && !step; i++)
			if (range_s / nice[i] <= 120)
				step = nice[i];
		if (!step)
			step = (range_s / 120 / 86400 + 1) * 86400;
	}
	if (range_s / step > 5000)
		return answer_error(r, 400,
				    "parameter 'step': more than 5000 buckets in the range");
	/* the rollup has 10 s buckets and no process columns: finer or narrower asks the raw events */
	raw = step % HORNET_STORE_TIMELINE_STEP || r->container || r->bin || r->exec_id;
	for (i = 0; r->exclusions && r->excl && i < r->excl->n; i++) {
		const char *field = col_s(&row_at(r->excl, i)[1]);

		/* the rollup has no binary, path or destination to hide rows by */
		raw |= strcmp(field, "namespace") && strcmp(field, "pod");
	}
	if (raw) {
		qb_sql(q,
		       "SELECT ts / ? AS b, type, count(*) FROM events WHERE ts >= ? AND ts < ?");
		qb_int(q, step * HORNET_STORE_NS);
		qb_int(q, r->since);
		qb_int(q, r->until);
		filters(r, q, &events_cols);
	} else {
		struct cols c = { .node = "node", .ns = "ns", .pod = "pod" };

		qb_sql(q,
		       "SELECT bucket / ? AS b, type, SUM(n) FROM timeline WHERE bucket >= ? AND "
		       "bucket < ?");
		qb_int(q, step);
		qb_int(q, r->since / HORNET_STORE_NS / step * step);
		qb_int(q, r->until / HORNET_STORE_NS);
		filters(r, q, &c);
	}
	if (type && (rc = in_list(r, q, "type", "type", type)))
		return rc;
	qb_sql(q, " GROUP BY b, type ORDER BY b, type");
	rc = run(r, q, &rs);
	if (rc) {
		rows_free(&rs);
		return db_error(r, rc);
	}
	hornet_json_obj_begin(r->out, NULL);
	hornet_json_i64(r->out, "step", step);
	hornet_json_arr_begin(r->out, "buckets");
	for (i = 0; i < rs.n; i++) {
		const struct hornet_db_value *c = row_at(&rs, i);

		b = col_i(&c[0]);
		if (b != cur) {
			if (cur != INT64_MIN) {
				hornet_json_obj_end(r->out);
				hornet_json_obj_end(r->out);
			}
			cur = b;
			hornet_json_obj_begin(r->out, NULL);
			put_time(r->out, "time", b * step * HORNET_STORE_NS);
			hornet_json_obj_begin(r->out, "counts");
		}
		hornet_json_i64(r->out, col_s(&c[1]), col_i(&c[2]));
	}
	if (cur != INT64_MIN) {
		hornet_json_obj_end(r->out);
		hornet_json_obj_end(r->out);
	}
	hornet_json_arr_end(r->out);
	hornet_json_obj_end(r->out);
	rows_free(&rs);
	return 200;
}

/* ---- profile ---- */

static int get_profile(struct req *r, struct qb *q)
{
	struct rows rs = { 0 };
	int64_t new_since = INT64_MAX;
	const char *v;
	size_t i;
	int rc, part;

	rc = common_params(r, 0, 1000);
	if (rc)
		return rc;
	if ((v = param(r, "new_since")) && parse_time(v, hornet_store_now_ns(), &new_since))
		return answer_error(r, 400, "parameter 'new_since': '%.64s' is not a time", v);
	if (!r->pod && !r->bin)
		return answer_error(r, 400,
				    "parameter 'pod': give 'namespace' and 'pod', or 'binary'");
	hornet_json_obj_begin(r->out, NULL);
	for (part = 0; part < 3; part++) {
		static const char *const names[] = { "binaries", "files", "destinations" };
		struct qb pq = { .pg = q->pg };

		if (part == 0) {
			qb_sql(&pq,
			       "SELECT bin, count(*), MIN(start_ns), MAX(last_ns) FROM processes "
			       "WHERE start_ns < ? AND last_ns >= ?");
			qb_int(&pq, r->until);
			qb_int(&pq, r->since);
			filters(r, &pq, &procs_cols);
			qb_sql(&pq, " GROUP BY bin ORDER BY MIN(start_ns) DESC LIMIT ?");
		} else if (part == 1) {
			qb_sql(&pq, "SELECT path, access, SUM(n), MIN(first_ns), MAX(last_ns) FROM "
				    "files WHERE 1 = 1");
			hour_range(r, &pq, "first_ns", "last_ns");
			filters(r, &pq, &files_cols);
			qb_sql(&pq, " GROUP BY path, access ORDER BY MIN(first_ns) DESC LIMIT ?");
		} else {
			qb_sql(&pq, "SELECT daddr, dport, dns, SUM(connections), MIN(first_ns), "
				    "MAX(last_ns) FROM egress WHERE 1 = 1");
			hour_range(r, &pq, "first_ns", "last_ns");
			filters(r, &pq, &egress_cols);
			qb_sql(&pq,
			       " GROUP BY daddr, dport, dns ORDER BY MIN(first_ns) DESC LIMIT ?");
		}
		qb_int(&pq, r->limit);
		rc = run(r, &pq, &rs);
		if (rc) {
			rows_free(&rs);
			return db_error(r, rc);
		}
		hornet_json_arr_begin(r->out, names[part]);
		for (i = 0; i < rs.n; i++) {
			const struct hornet_db_value *c = row_at(&rs, i);
			int k = part == 2 ? 3 : part == 1 ? 2 : 1;

			hornet_json_obj_begin(r->out, NULL);
			if (part == 0) {
				hornet_json_str(r->out, "binary", col_s(&c[0]));
			} else if (part == 1) {
				hornet_json_str(r->out, "path", col_s(&c[0]));
				hornet_json_str(r->out, "access", col_s(&c[1]));
			} else {
				hornet_json_str(r->out, "daddr", col_s(&c[0]));
				hornet_json_i64(r->out, "dport", col_i(&c[1]));
				put_opt(r->out, "dns_name", col_s(&c[2]));
			}
			hornet_json_i64(r->out, "count", col_i(&c[k]));
			put_time(r->out, "first_seen", col_i(&c[k + 1]));
			put_time(r->out, "last_seen", col_i(&c[k + 2]));
			hornet_json_bool(r->out, "new", col_i(&c[k + 1]) >= new_since);
			hornet_json_obj_end(r->out);
		}
		hornet_json_arr_end(r->out);
		rows_free(&rs);
	}
	hornet_json_obj_end(r->out);
	return 200;
}

/* ---- exclusions ---- */

static void put_exclusion(struct hornet_json *j, const struct hornet_db_value *c)
{
	hornet_json_obj_begin(j, NULL);
	hornet_json_i64(j, "id", col_i(&c[0]));
	hornet_json_str(j, "field", col_s(&c[1]));
	hornet_json_str(j, "value", col_s(&c[2]));
	hornet_json_str(j, "note", col_s(&c[3]));
	put_time(j, "created", col_i(&c[4]));
	hornet_json_obj_end(j);
}

static int get_exclusions(struct req *r)
{
	size_t i;
	int rc;

	rc = load_exclusions(r);
	if (rc)
		return db_error(r, rc);
	hornet_json_obj_begin(r->out, NULL);
	hornet_json_arr_begin(r->out, "exclusions");
	for (i = 0; i < r->excl->n; i++)
		put_exclusion(r->out, row_at(r->excl, i));
	hornet_json_arr_end(r->out);
	hornet_json_obj_end(r->out);
	return 200;
}

static int post_exclusion(struct req *r, struct qb *q, const char *body, size_t len)
{
	static const char *const fields[] = { "namespace", "binary", "dest", "pod", "path" };
	const char *field, *value, *note = "";
	struct rows rs = { 0 };
	json_error_t jerr;
	json_t *root, *v;
	bool known = false;
	size_t i;
	int rc;

	if (!body || !len)
		return answer_error(r, 400, "body: a JSON object {\"field\", \"value\", \"note\"}");
	root = json_loadb(body, len, 0, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return answer_error(r, 400, "body: not a JSON object (%s, line %d)", jerr.text,
				    jerr.line);
	}
	field = json_string_value(json_object_get(root, "field"));
	value = json_string_value(json_object_get(root, "value"));
	v = json_object_get(root, "note");
	for (i = 0; field && i < sizeof(fields) / sizeof(fields[0]); i++)
		known |= !strcmp(field, fields[i]);
	if (!known) {
		rc = answer_error(r, 400,
				  "field 'field': one of namespace, binary, dest, pod, path");
		goto out;
	}
	if (!value || !value[0] || strlen(value) > 1024) {
		rc = answer_error(r, 400, "field 'value': a string of 1 to 1024 bytes");
		goto out;
	}
	if (v && (!json_is_string(v) || strlen(json_string_value(v)) > 1024)) {
		rc = answer_error(r, 400, "field 'note': a string up to 1024 bytes");
		goto out;
	}
	if (v)
		note = json_string_value(v);
	qb_sql(q, "INSERT INTO exclusions (field, value, note, created_ns) VALUES (?, ?, ?, ?) "
		  "RETURNING id, field, value, note, created_ns");
	qb_text(q, field);
	qb_text(q, value);
	qb_text(q, note);
	qb_int(q, hornet_store_now_ns());
	rc = run(r, q, &rs);
	if (rc || !rs.n) {
		rc = db_error(r, rc ? rc : -EIO);
		goto out;
	}
	put_exclusion(r->out, row_at(&rs, 0));
	rc = 201;
out:
	rows_free(&rs);
	json_decref(root);
	return rc;
}

static int delete_exclusion(struct req *r, struct qb *q, const char *id_s)
{
	struct rows rs = { 0 };
	int64_t id;
	int rc;

	if (parse_int(id_s, 1, INT64_MAX, &id))
		return answer_error(r, 400, "exclusion id '%.32s': not a number", id_s);
	qb_sql(q, "DELETE FROM exclusions WHERE id = ? RETURNING id");
	qb_int(q, id);
	rc = run(r, q, &rs);
	if (rc) {
		rows_free(&rs);
		return db_error(r, rc);
	}
	if (!rs.n)
		return answer_error(r, 404, "exclusion %lld: no such exclusion", (long long)id);
	rows_free(&rs);
	hornet_json_obj_begin(r->out, NULL);
	hornet_json_i64(r->out, "id", id);
	hornet_json_obj_end(r->out);
	return 200;
}

/* ---- dispatch ---- */

static int route(struct req *r, const char *method, const char *what, const char *body,
		 size_t body_len)
{
	struct qb q = { .pg = hornet_db_kind(r->db) == HORNET_DB_POSTGRES };
	bool get = !strcmp(method, "GET");
	int rc;

	if (!strncmp(what, "exclusions", 10) && (!what[10] || what[10] == '/')) {
		if (!what[10] && get)
			return get_exclusions(r);
		if (!what[10] && !strcmp(method, "POST"))
			return post_exclusion(r, &q, body, body_len);
		if (what[10] == '/' && !strcmp(method, "DELETE"))
			return delete_exclusion(r, &q, what + 11);
		return answer_error(r, 405, "%s /api/v1/%.64s: method not allowed", method, what);
	}
	if (!get)
		return answer_error(r, 405, "%s /api/v1/%.64s: method not allowed", method, what);
	if (strcmp(what, "profile") && strcmp(what, "timeline") && strcmp(what, "events") &&
	    strcmp(what, "files") && strcmp(what, "egress") && strcmp(what, "processes") &&
	    strncmp(what, "processes/", 10))
		return answer_error(r, 404, "/api/v1/%.64s: no such endpoint", what);
	rc = load_exclusions(r);
	if (rc)
		return db_error(r, rc);
	if (!strcmp(what, "events"))
		return get_events(r, &q);
	if (!strcmp(what, "processes"))
		return get_processes(r, &q);
	if (!strncmp(what, "processes/", 10))
		return get_process(r, what + 10);
	if (!strcmp(what, "files"))
		return get_files(r, &q);
	if (!strcmp(what, "egress"))
		return get_egress(r, &q);
	if (!strcmp(what, "timeline"))
		return get_timeline(r, &q);
	return get_profile(r, &q);
}

int hornet_store__query(struct hornet_store *s, const char *method, const char *what,
			hornet_store_param_fn param, void *ctx, const char *body, size_t body_len,
			struct hornet_json *out)
{
	struct req r = { .s = s, .param = param, .ctx = ctx, .out = out };
	struct hornet_store_reader *rd;
	int status, i;

	hornet_json_reset(out);
	if (!s)
		return answer_error(&r, 503, "no store (the agent runs without --store)");
	atomic_fetch_add(&s->queries, 1);
	if (!method || !what) {
		status = answer_error(&r, 400, "no method or path");
		goto out;
	}
	rd = hornet_store__reader_get(s, r.err, sizeof(r.err));
	if (!rd) {
		status = answer_error(&r, 503, "store unavailable: %s", r.err);
		goto out;
	}
	r.db = rd->db;
	status = route(&r, method, what, body, body_len);
	hornet_store__reader_put(rd, status >= 500);
	rows_free(r.excl);
	free(r.excl);
	for (i = 0; i < r.mem.n; i++)
		free(r.mem.s[i]);
	if (out->failed)
		status = answer_error(&r, 503, "answer too large");
out:
	if (status >= 400)
		atomic_fetch_add(&s->query_errors, 1);
	return status;
}
