// SPDX-License-Identifier: GPL-2.0
/*
 * store/db.h on PostgreSQL, with libpq. Every statement is prepared once per
 * connection and SQL text ('?' turned into $1..), parameters go as text and
 * results come back as text, typed by their column's type. A batch of rows
 * is one COPY, or multi-row INSERTs for an upsert, split so that no statement
 * holds one key twice, which PostgreSQL refuses ("ON CONFLICT DO UPDATE
 * command cannot affect row a second time") where SQLite, row by row, adds
 * them up. A lost connection marks the handle broken; the store's writer then
 * opens a new one and writes the batch again.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpq-fe.h>

#include "store/db_impl.h"
#include "store/db_pg.h"
#include "store/pq_dl.h"
#include "util/utf8.h"

HORNET_DLIB_DEFINE(pq, "libpq.so.5", HORNET_PQ_FNS);

/* How long a connection attempt may take, in seconds (libpq's connect_timeout). */
#define PG_CONNECT_TIMEOUT "5"
/* Prepared statements kept per connection; past that they are all dropped. */
#define PG_STMT_MAX 256
#define PG_STMT_SLOTS (2 * PG_STMT_MAX)
/* The protocol counts a statement's parameters in 16 bits. */
#define PG_MAX_PARAMS 65535
/* Rows per INSERT at most: larger statements gain little and cost memory. */
#define PG_INSERT_ROWS 512

/* The advisory lock that serialises hornet's schema changes: "hornet" in ASCII. */
#define PG_SCHEMA_LOCK 0x686f726e6574LL

/* The type oids of pg_type.h that come back as numbers. */
#define PG_BOOLOID 16
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_TEXTOID 25
#define PG_OIDOID 26
#define PG_FLOAT4OID 700
#define PG_FLOAT8OID 701
#define PG_NUMERICOID 1700

struct pg_stmt {
	char *sql; /* the caller's text; NULL: free slot */
	uint64_t hash;
	unsigned int id; /* prepared as "hN" */
};

struct hornet_pg {
	struct hornet_db base; /* first: db.c sees this */
	PGconn *conn;
	bool broken;
	char where[200]; /* user@host:port/db for messages: never the password */
	struct pg_stmt stmts[PG_STMT_SLOTS];
	unsigned int nstmts, next_id;
	/* scratch, reused from call to call (one thread at a time) */
	char *buf; /* parameters as NUL-terminated text */
	size_t buf_size;
	const char **vals; /* a batch's parameters, row by row */
	size_t vals_cap;
	const char **chunk; /* one statement's parameters */
	size_t chunk_cap;
	char *sql; /* an INSERT being built */
	size_t sql_size;
	struct hornet_db_value *cols; /* one result row */
	int cols_cap;
};

static void pg_err(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pg_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!err || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	/* libpq's messages span lines ("...failed: ...\n\tIs the server running"): one line */
	for (p = err; *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	while (p > err && p[-1] == ' ')
		*--p = '\0';
}

static bool pg_grow(void **p, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (want <= *cap)
		return true;
	while (n < want)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static uint64_t pg_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* -errno for a failed statement, from its SQLSTATE; marks the handle broken on a lost link. */
static int pg_fail(struct hornet_pg *pg, PGresult *res, const char *what, char *err,
		   size_t err_size)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	int ret = -EIO;

	if (!msg || !*msg)
		msg = PQerrorMessage(pg->conn);
	if (!state)
		state = "";
	/* 08: connection exception; 57P01..57P03: the server is shutting down or starting */
	if (PQstatus(pg->conn) == CONNECTION_BAD || !strncmp(state, "08", 2) ||
	    !strncmp(state, "57P0", 4))
		pg->broken = true;
	if (pg->broken)
		ret = -ENOTCONN;
	else if (!strcmp(state, "53100"))
		ret = -ENOSPC;
	else if (!strcmp(state, "53200"))
		ret = -ENOMEM;
	else if (!strncmp(state, "23", 2))
		ret = -EEXIST;
	else if (!strncmp(state, "42", 2) || !strncmp(state, "22", 2))
		ret = -EINVAL;
	pg_err(err, err_size, "PostgreSQL %s: %s: %s%s%s", pg->where, what, msg,
	       *state ? " SQLSTATE " : "", state);
	return ret;
}

static void pg_notice(void *arg, const char *message)
{
	/* "relation ... already exists, skipping" and the like: not for the agent's log */
}

static int pg_connect_errno(const char *msg)
{
	if (strstr(msg, "Connection refused") || strstr(msg, "the database system is"))
		return -ECONNREFUSED;
	if (strstr(msg, "timeout expired") || strstr(msg, "timed out"))
		return -ETIMEDOUT;
	if (strstr(msg, "could not translate host name"))
		return -EHOSTUNREACH;
	if (strstr(msg, "authentication") || strstr(msg, "pg_hba.conf") || strstr(msg, "password"))
		return -EACCES;
	if (strstr(msg, "does not exist"))
		return -ENOENT;
	return -ECONNREFUSED;
}

/* user@host:port/db of a connection string, for messages. */
static void pg_where(const char *url, char *out, size_t size)
{
	const char *user = "", *host = "", *port = "", *db = "";
	PQconninfoOption *opts, *o;

	snprintf(out, size, "server");
	if (hornet_dlib_load(&hornet_pq_lib))
		return;
	opts = PQconninfoParse(url, NULL);
	if (!opts)
		return;
	for (o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (!strcmp(o->keyword, "user"))
			user = o->val;
		else if (!strcmp(o->keyword, "host") || (!*host && !strcmp(o->keyword, "hostaddr")))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "dbname"))
			db = o->val;
	}
	snprintf(out, size, "%s%s%s%s%s/%s", user, *user ? "@" : "", *host ? host : "localhost",
		 *port ? ":" : "", port, db);
	PQconninfoFree(opts);
}

static void pg_stmts_clear(struct hornet_pg *pg)
{
	unsigned int i;

	for (i = 0; i < PG_STMT_SLOTS; i++) {
		free(pg->stmts[i].sql);
		pg->stmts[i].sql = NULL;
	}
	pg->nstmts = 0;
}

static void pg_free(struct hornet_pg *pg)
{
	if (!pg)
		return;
	if (pg->conn)
		PQfinish(pg->conn);
	pg_stmts_clear(pg);
	free(pg->buf);
	free(pg->vals);
	free(pg->chunk);
	free(pg->sql);
	free(pg->cols);
	free(pg);
}

static int pg_open(const char *url, bool read_only, struct hornet_db **out, char *err,
		   size_t err_size)
{
	/*
	 * Ours first, the URL's after: libpq keeps the last value of a keyword, so
	 * postgres://...?connect_timeout=30 wins. Keepalives find a peer that is
	 * gone without a word (a node cut off) in about a minute instead of hours.
	 */
	static const char *const keys[] = {
		"connect_timeout",  "application_name", "client_encoding",
		"keepalives",	    "keepalives_idle",	"keepalives_interval",
		"keepalives_count", "dbname",		NULL
	};
	const char *vals[] = {
		PG_CONNECT_TIMEOUT, "hornet", "UTF8", "1", "30", "10", "3", url, NULL
	};
	struct hornet_pg *pg;
	char *perr = NULL;
	PQconninfoOption *opts;

	*out = NULL;
	if (hornet_dlib_load(&hornet_pq_lib)) {
		pg_err(err, err_size, "%s", hornet_pq_lib.error);
		return -ELIBACC;
	}
	opts = PQconninfoParse(url, &perr);
	if (!opts) {
		pg_err(err, err_size, "invalid PostgreSQL URL: %s", perr ? perr : "out of memory");
		PQfreemem(perr);
		return perr ? -EINVAL : -ENOMEM;
	}
	PQconninfoFree(opts);
	pg = calloc(1, sizeof(*pg));
	if (!pg) {
		pg_err(err, err_size, "out of memory");
		return -ENOMEM;
	}
	pg_where(url, pg->where, sizeof(pg->where));
	pg->conn = PQconnectdbParams(keys, vals, 1);
	if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
		const char *msg = pg->conn ? PQerrorMessage(pg->conn) : "out of memory";
		int ret = pg->conn ? pg_connect_errno(msg) : -ENOMEM;

		pg_err(err, err_size, "PostgreSQL %s: %s", pg->where, msg);
		pg_free(pg);
		return ret;
	}
	if (PQserverVersion(pg->conn) < 90500) {
		/* INSERT ... ON CONFLICT came with 9.5 */
		pg_err(err, err_size, "PostgreSQL %s: server version %d is older than 9.5",
		       pg->where, PQserverVersion(pg->conn));
		pg_free(pg);
		return -EPROTONOSUPPORT;
	}
	PQsetNoticeProcessor(pg->conn, pg_notice, NULL);
	pg->base.ops = &hornet_db_pg_ops;
	*out = &pg->base;
	return 0;
}

static bool pg_broken(const struct hornet_pg *pg)
{
	return !pg || pg->broken || PQstatus(pg->conn) == CONNECTION_BAD;
}

static int pg_check_link(struct hornet_pg *pg, char *err, size_t err_size)
{
	if (!pg_broken(pg))
		return 0;
	if (pg)
		pg->broken = true;
	pg_err(err, err_size, "PostgreSQL %s: connection lost", pg ? pg->where : "server");
	return -ENOTCONN;
}

/*
 * A schema change that may run in a transaction: CREATE DATABASE, VACUUM
 * and CREATE INDEX CONCURRENTLY may not, so they go as they are.
 */
static bool pg_changes_schema(const char *sql)
{
	if (strcasestr(sql, "DATABASE") || strcasestr(sql, "CONCURRENTLY") ||
	    strcasestr(sql, "VACUUM"))
		return false;
	return strcasestr(sql, "CREATE ") || strcasestr(sql, "ALTER ") || strcasestr(sql, "DROP ");
}

static int pg_exec(struct hornet_pg *pg, const char *sql, char *err, size_t err_size)
{
	PGresult *res;
	char *locked = NULL;
	int ret = pg_check_link(pg, err, err_size);

	if (ret)
		return ret;
	if (pg_changes_schema(sql)) {
		/*
		 * Agents of several nodes that start together all create the schema;
		 * CREATE ... IF NOT EXISTS is not safe against a concurrent twin
		 * (a unique violation in pg_type). One at a time, under a lock held
		 * to the end of this (implicit or caller's) transaction.
		 */
		if (asprintf(&locked, "SELECT pg_advisory_xact_lock(%lld); %s", PG_SCHEMA_LOCK,
			     sql) < 0) {
			pg_err(err, err_size, "out of memory");
			return -ENOMEM;
		}
	}
	res = PQexec(pg->conn, locked ? locked : sql);
	free(locked);
	if (res &&
	    (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)) {
		PQclear(res);
		return 0;
	}
	ret = pg_fail(pg, res, "statement failed", err, err_size);
	PQclear(res);
	return ret;
}

char *hornet_pg_placeholders(const char *sql, int *n_out)
{
	size_t len = strlen(sql), i = 0, o = 0, marks = 0;
	char *out;
	int n = 0;

	for (i = 0; i < len; i++)
		marks += sql[i] == '?';
	out = malloc(len + marks * 6 + 1);
	if (!out)
		return NULL;
	i = 0;
	while (i < len) {
		char c = sql[i];
		size_t start = i;

		if (c == '\'') {
			/* E'..' takes backslash escapes; in '..' only '' is one */
			bool esc = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
				   (i < 2 ||
				    !(isalnum((unsigned char)sql[i - 2]) || sql[i - 2] == '_'));

			for (i++; i < len; i++) {
				if (esc && sql[i] == '\\' && i + 1 < len) {
					i++;
				} else if (sql[i] == '\'') {
					if (i + 1 < len && sql[i + 1] == '\'')
						i++;
					else
						break;
				}
			}
			i = i < len ? i + 1 : len;
		} else if (c == '"') {
			for (i++; i < len; i++) {
				if (sql[i] == '"') {
					if (i + 1 < len && sql[i + 1] == '"')
						i++;
					else
						break;
				}
			}
			i = i < len ? i + 1 : len;
		} else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
			while (i < len && sql[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
			int depth = 0; /* PostgreSQL's block comments nest */

			while (i < len) {
				if (sql[i] == '/' && i + 1 < len && sql[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (sql[i] == '*' && i + 1 < len && sql[i + 1] == '/') {
					i += 2;
					if (--depth == 0)
						break;
				} else {
					i++;
				}
			}
		} else if (c == '$' && (i == 0 || !(isalnum((unsigned char)sql[i - 1]) ||
						    sql[i - 1] == '_' || sql[i - 1] == '$'))) {
			/* $tag$...$tag$ (the tag does not start with a digit: $1 is a parameter) */
			size_t t = i + 1;

			while (t < len && (isalnum((unsigned char)sql[t]) || sql[t] == '_'))
				t++;
			if (t < len && sql[t] == '$' && !isdigit((unsigned char)sql[i + 1])) {
				size_t tag = t + 1 - i;
				const char *end = strstr(sql + t + 1, "$");

				while (end && strncmp(end, sql + i, tag))
					end = strchr(end + 1, '$');
				i = end ? (size_t)(end - sql) + tag : len;
			} else {
				i++;
			}
		} else if (c == '?') {
			o += sprintf(out + o, "$%d", ++n);
			i++;
			continue;
		} else {
			i++;
		}
		memcpy(out + o, sql + start, i - start);
		o += i - start;
	}
	out[o] = '\0';
	*n_out = n;
	return out;
}

void hornet_db_url_shown(const char *url, char *out, size_t size)
{
	const char *auth, *end, *at, *colon, *q;
	size_t o = 0;

	if (!size)
		return;
	if (!url || !hornet_db_url_is_postgres(url)) {
		snprintf(out, size, "%s", url ? url : "");
		return;
	}
	auth = strstr(url, "://") + 3;
	end = auth + strcspn(auth, "/?");
	at = memrchr(auth, '@', end - auth);
	colon = at ? memchr(auth, ':', at - auth) : NULL;
	if (colon)
		o = snprintf(out, size, "%.*s:***%.*s", (int)(colon - url), url, (int)(end - at),
			     at);
	else
		o = snprintf(out, size, "%.*s", (int)(end - url), url);
	/* the database as it is, then each parameter, password=VALUE hidden */
	q = end + strcspn(end, "?");
	if (o < size)
		o += snprintf(out + o, size - o, "%.*s", (int)(q - end), end);
	while (*q && o < size) {
		size_t n = strcspn(q + 1, "&") + 1;

		if (!strncasecmp(q + 1, "password=", 9))
			o += snprintf(out + o, size - o, "%c%.9s***", *q, q + 1);
		else
			o += snprintf(out + o, size - o, "%.*s", (int)n, q);
		q += n;
	}
}

/* The prepared statement for @sql (made if new): its name in @name. */
static int pg_prepare(struct hornet_pg *pg, const char *sql, bool rewrite,
		      const struct hornet_db_value *types, int n, char name[16], char *err,
		      size_t err_size)
{
	size_t len = strlen(sql);
	uint64_t h = pg_hash(sql, len);
	unsigned int slot = h % PG_STMT_SLOTS;
	char *text = (char *)sql;
	PGresult *res;
	int np = n, ret;
	bool in_tx;

	while (pg->stmts[slot].sql) {
		if (pg->stmts[slot].hash == h && !strcmp(pg->stmts[slot].sql, sql)) {
			snprintf(name, 16, "h%u", pg->stmts[slot].id);
			return 0;
		}
		slot = (slot + 1) % PG_STMT_SLOTS;
	}
	if (pg->nstmts >= PG_STMT_MAX) {
		/* a few statements per query shape: this many means texts that vary; start over */
		res = PQexec(pg->conn, "DEALLOCATE ALL");
		PQclear(res);
		pg_stmts_clear(pg);
		slot = h % PG_STMT_SLOTS;
	}
	if (rewrite) {
		text = hornet_pg_placeholders(sql, &np);
		if (!text) {
			pg_err(err, err_size, "out of memory");
			return -ENOMEM;
		}
		if (np != n) {
			pg_err(err, err_size, "statement has %d placeholders but %d values: %.200s",
			       np, n, sql);
			free(text);
			return -EINVAL;
		}
	}
	snprintf(name, 16, "h%u", pg->next_id);
	/* in a transaction, a failed PREPARE would abort it: try it under a savepoint */
	in_tx = types && PQtransactionStatus(pg->conn) == PQTRANS_INTRANS;
	if (in_tx)
		PQclear(PQexec(pg->conn, "SAVEPOINT hornet_prepare"));
	res = PQprepare(pg->conn, name, text, 0, NULL);
	if (res && PQresultStatus(res) != PGRES_COMMAND_OK && types &&
	    !strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ?: "", "42P18")) {
		/*
		 * "could not determine data type of parameter": `? IS NULL` and the
		 * like, which SQLite takes untyped. Type them by this call's values
		 * (NULL as text, which any comparison with NULL accepts).
		 */
		Oid oids[n > 0 ? n : 1];
		int i;

		for (i = 0; i < n; i++)
			oids[i] = types[i].type == HORNET_DB_INT ? PG_INT8OID : PG_TEXTOID;
		PQclear(res);
		if (in_tx)
			PQclear(PQexec(pg->conn, "ROLLBACK TO SAVEPOINT hornet_prepare"));
		res = PQprepare(pg->conn, name, text, n, oids);
	}
	if (in_tx) {
		PGresult *r = PQexec(pg->conn, res && PQresultStatus(res) == PGRES_COMMAND_OK
						       ? "RELEASE SAVEPOINT hornet_prepare"
						       : "ROLLBACK TO SAVEPOINT hornet_prepare");
		PQclear(r);
	}
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		ret = pg_fail(pg, res, "prepare failed", err, err_size);
		if (err && err_size && strlen(err) + 8 < err_size)
			snprintf(err + strlen(err), err_size - strlen(err), " in: %.*s",
				 (int)(err_size - strlen(err) - 6), sql);
		PQclear(res);
		if (text != sql)
			free(text);
		return ret;
	}
	PQclear(res);
	if (text != sql)
		free(text);
	pg->stmts[slot].sql = strdup(sql);
	if (!pg->stmts[slot].sql)
		return 0; /* prepared, just not remembered: it is made again next time */
	pg->stmts[slot].hash = h;
	pg->stmts[slot].id = pg->next_id++;
	pg->nstmts++;
	return 0;
}

/*
 * Copies @len bytes of text to @dst as PostgreSQL takes them: NUL and bytes
 * that are not UTF-8 each become U+FFFD, since a text value can hold neither
 * and one such value would fail the whole batch. With @copy, also escapes
 * what COPY's text format gives a meaning (backslash, newline, CR, tab).
 * Returns the bytes written.
 */
static size_t pg_text(char *dst, const char *s, size_t len, bool copy)
{
	size_t i = 0, o = 0, n;

	while (i < len) {
		unsigned char c = s[i];

		if (copy && (c == '\\' || c == '\n' || c == '\r' || c == '\t')) {
			dst[o++] = '\\';
			dst[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '\\';
			i++;
			continue;
		}
		n = c ? hornet_utf8_len((const unsigned char *)s + i, len - i) : 0;
		if (n) {
			memcpy(dst + o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(dst + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	return o;
}

/* Turns @n values into NUL-terminated texts in pg->buf, pointed to by pg->vals. */
static int pg_params(struct hornet_pg *pg, const struct hornet_db_value *v, size_t n)
{
	size_t need = 0, i, o = 0;

	for (i = 0; i < n; i++)
		need += v[i].type == HORNET_DB_INT    ? 24
			: v[i].type == HORNET_DB_TEXT ? 3 * v[i].len + 1
						      : 0;
	if (!pg_grow((void **)&pg->buf, &pg->buf_size, need + 1, 1) ||
	    !pg_grow((void **)&pg->vals, &pg->vals_cap, n + 1, sizeof(*pg->vals)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case HORNET_DB_INT:
			pg->vals[i] = pg->buf + o;
			o += sprintf(pg->buf + o, "%lld", (long long)v[i].i) + 1;
			break;
		case HORNET_DB_TEXT:
			pg->vals[i] = pg->buf + o;
			o += v[i].s ? pg_text(pg->buf + o, v[i].s, v[i].len, false) : 0;
			pg->buf[o++] = '\0';
			break;
		default:
			pg->vals[i] = NULL;
			break;
		}
	}
	return 0;
}

static int64_t pg_int(const char *s, Oid type)
{
	if (type == PG_BOOLOID)
		return *s == 't';
	if ((type == PG_NUMERICOID || type == PG_FLOAT4OID || type == PG_FLOAT8OID) &&
	    strpbrk(s, ".eEIN")) {
		/* AVG() and the like: db.h has no real numbers, so the nearest integer */
		double d = strtod(s, NULL);

		if (d != d)
			return 0;
		if (d >= 9.2e18 || d <= -9.2e18)
			return d > 0 ? INT64_MAX : INT64_MIN;
		return (int64_t)(d < 0 ? d - 0.5 : d + 0.5);
	}
	return strtoll(s, NULL, 10);
}

static bool pg_is_number(Oid type)
{
	return type == PG_INT8OID || type == PG_INT4OID || type == PG_INT2OID ||
	       type == PG_OIDOID || type == PG_BOOLOID || type == PG_NUMERICOID ||
	       type == PG_FLOAT4OID || type == PG_FLOAT8OID;
}

/*
 * Hands each row to @row. Numbers (SUM() of a bigint is numeric here, an
 * integer in SQLite) come as INT, with their text in s as well.
 */
static int pg_rows(struct hornet_pg *pg, PGresult *res, hornet_db_row_fn row, void *ctx)
{
	int nrows = PQntuples(res), ncols = PQnfields(res), r, c, ret;

	if (!row || !nrows)
		return 0;
	if (!pg_grow((void **)&pg->cols, (size_t *)&pg->cols_cap, ncols + 1, sizeof(*pg->cols)))
		return -ENOMEM;
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			struct hornet_db_value *v = &pg->cols[c];
			Oid t = PQftype(res, c);

			memset(v, 0, sizeof(*v));
			if (PQgetisnull(res, r, c))
				continue;
			v->s = PQgetvalue(res, r, c);
			v->len = PQgetlength(res, r, c);
			v->type = pg_is_number(t) ? HORNET_DB_INT : HORNET_DB_TEXT;
			if (v->type == HORNET_DB_INT)
				v->i = pg_int(v->s, t);
		}
		ret = row(ctx, pg->cols, ncols);
		if (ret)
			return ret;
	}
	return 0;
}

static int pg_run(struct hornet_pg *pg, const char *name, const char **vals, int n,
		  hornet_db_row_fn row, void *ctx, const char *sql, char *err, size_t err_size)
{
	PGresult *res = PQexecPrepared(pg->conn, name, n, vals, NULL, NULL, 0);
	int ret;

	if (res &&
	    (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK)) {
		ret = pg_rows(pg, res, row, ctx);
		if (ret == -ENOMEM)
			pg_err(err, err_size, "out of memory");
		PQclear(res);
		return ret;
	}
	ret = pg_fail(pg, res, "query failed", err, err_size);
	if (err && err_size && strlen(err) + 8 < err_size)
		snprintf(err + strlen(err), err_size - strlen(err), " in: %.*s",
			 (int)(err_size - strlen(err) - 6), sql);
	PQclear(res);
	return ret;
}

static int pg_query(struct hornet_pg *pg, const char *sql, const struct hornet_db_value *params,
		    int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size)
{
	char name[16];
	int ret = pg_check_link(pg, err, err_size);

	if (ret)
		return ret;
	if (n < 0 || n > PG_MAX_PARAMS) {
		pg_err(err, err_size, "%d parameters: at most %d", n, PG_MAX_PARAMS);
		return -EINVAL;
	}
	ret = pg_prepare(pg, sql, true, params, n, name, err, err_size);
	if (ret)
		return ret;
	if (pg_params(pg, params, n)) {
		pg_err(err, err_size, "out of memory");
		return -ENOMEM;
	}
	return pg_run(pg, name, pg->vals, n, row, ctx, sql, err, err_size);
}

/*
 * The key columns of "ON CONFLICT (a, b) DO UPDATE ...", as indexes into
 * @cols; -1 when the clause is no upsert (DO NOTHING allows a key twice),
 * 0 when its target cannot be read (then every row goes alone).
 */
static int pg_conflict_keys(const char *conflict, const char *const *cols, int ncols, int *keys)
{
	const char *p, *q;
	int nkeys = 0, c;
	size_t len;
	bool update = false;

	if (!conflict)
		return -1;
	for (p = conflict; *p; p++)
		if (!strncasecmp(p, "DO UPDATE", 9))
			update = true;
	if (!update)
		return -1;
	p = conflict;
	while (*p && strncasecmp(p, "CONFLICT", 8))
		p++;
	if (!*p)
		return 0;
	p += 8;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (*p++ != '(')
		return 0;
	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		q = p;
		if (*q == '"') {
			q = strchr(p + 1, '"');
			if (!q)
				return 0;
			p++;
			len = q - p;
			q++;
		} else {
			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			len = q - p;
		}
		if (!len)
			return 0;
		for (c = 0; c < ncols; c++)
			if (strlen(cols[c]) == len && !strncasecmp(cols[c], p, len))
				break;
		if (c == ncols || nkeys == ncols)
			return 0;
		keys[nkeys++] = c;
		p = q;
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == ')')
			return nkeys;
		if (*p++ != ',')
			return 0;
	}
}

/*
 * Which statement each row of an upsert batch goes in: a row's layer is how
 * many rows before it have its key, so no statement has a key twice and the
 * rows of one key still apply in their order. NULL keys never conflict.
 * Returns the number of layers, or -ENOMEM.
 */
static int pg_layers(const char **vals, size_t nrows, int ncols, const int *keys, int nkeys,
		     int *layer)
{
	size_t size = 16, r, s;
	struct {
		size_t first; /* the key's first row + 1; 0: free */
		int seen; /* rows with the key so far */
	} * slot;
	int max = 0, k;

	if (nkeys == 0) {
		for (r = 0; r < nrows; r++)
			layer[r] = r;
		return nrows;
	}
	while (size < 2 * nrows)
		size *= 2;
	slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (r = 0; r < nrows; r++) {
		const char **row = vals + r * ncols;
		uint64_t h = 0xcbf29ce484222325ULL;

		layer[r] = 0;
		for (k = 0; k < nkeys && row[keys[k]]; k++)
			h = (h ^ pg_hash(row[keys[k]], strlen(row[keys[k]]))) * 0x100000001b3ULL;
		if (k < nkeys)
			continue;
		for (s = h & (size - 1); slot[s].first; s = (s + 1) & (size - 1)) {
			const char **other = vals + (slot[s].first - 1) * ncols;

			for (k = 0; k < nkeys; k++)
				if (strcmp(row[keys[k]], other[keys[k]]))
					break;
			if (k == nkeys)
				break;
		}
		if (!slot[s].first)
			slot[s].first = r + 1;
		layer[r] = slot[s].seen++;
		if (layer[r] > max)
			max = layer[r];
	}
	free(slot);
	return max + 1;
}

static int pg_insert_sql(struct hornet_pg *pg, const char *table, const char *const *cols,
			 int ncols, size_t rows, const char *conflict)
{
	size_t need = strlen(table) + 64 + (conflict ? strlen(conflict) : 0), o, r;
	int c, p = 0;

	for (c = 0; c < ncols; c++)
		need += strlen(cols[c]) + 2;
	need += rows * ncols * 8 + rows * 4;
	if (!pg_grow((void **)&pg->sql, &pg->sql_size, need, 1))
		return -ENOMEM;
	o = sprintf(pg->sql, "INSERT INTO %s (", table);
	for (c = 0; c < ncols; c++)
		o += sprintf(pg->sql + o, "%s%s", c ? ", " : "", cols[c]);
	o += sprintf(pg->sql + o, ") VALUES ");
	for (r = 0; r < rows; r++) {
		pg->sql[o++] = r ? ',' : '(';
		if (r)
			pg->sql[o++] = '(';
		for (c = 0; c < ncols; c++)
			o += sprintf(pg->sql + o, "%s$%d", c ? "," : "", ++p);
		pg->sql[o++] = ')';
	}
	if (conflict)
		o += sprintf(pg->sql + o, " %s", conflict);
	pg->sql[o] = '\0';
	return 0;
}

/* Rows @idx[0..n) of the batch, in INSERTs of at most @per rows (a power of two for the rest). */
static int pg_insert_rows(struct hornet_pg *pg, const char *table, const char *const *cols,
			  int ncols, const size_t *idx, size_t n, size_t per, const char *conflict,
			  char *err, size_t err_size)
{
	char name[16];
	size_t done = 0, k, r;
	int ret;

	while (done < n) {
		k = n - done;
		if (k > per) {
			k = per;
		} else {
			/* a few shapes of statement, not one per batch size */
			while (k & (k - 1))
				k &= k - 1;
		}
		ret = pg_insert_sql(pg, table, cols, ncols, k, conflict);
		if (ret) {
			pg_err(err, err_size, "out of memory");
			return ret;
		}
		ret = pg_prepare(pg, pg->sql, false, NULL, k * ncols, name, err, err_size);
		if (ret)
			return ret;
		if (!pg_grow((void **)&pg->chunk, &pg->chunk_cap, k * ncols, sizeof(*pg->chunk))) {
			pg_err(err, err_size, "out of memory");
			return -ENOMEM;
		}
		for (r = 0; r < k; r++)
			memcpy(pg->chunk + r * ncols, pg->vals + idx[done + r] * ncols,
			       ncols * sizeof(*pg->chunk));
		ret = pg_run(pg, name, pg->chunk, k * ncols, NULL, NULL, table, err, err_size);
		if (ret)
			return ret;
		done += k;
	}
	return 0;
}

/*
 * Plain rows (no upsert) go in with one COPY: no statement to parse or plan,
 * no parameter to bind, about half the server's work of a multi-row INSERT.
 */
static int pg_copy(struct hornet_pg *pg, const char *table, const char *const *cols, int ncols,
		   const struct hornet_db_value *v, size_t nrows, char *err, size_t err_size)
{
	size_t need = strlen(table) + 32, o = 0, i, n = nrows * ncols;
	PGresult *res;
	int c, ret = 0;

	for (c = 0; c < ncols; c++)
		need += strlen(cols[c]) + 2;
	for (i = 0; i < n; i++)
		need += v[i].type == HORNET_DB_TEXT ? 3 * v[i].len + 1 : 24;
	if (!pg_grow((void **)&pg->buf, &pg->buf_size, need, 1)) {
		pg_err(err, err_size, "out of memory");
		return -ENOMEM;
	}
	o = sprintf(pg->buf, "COPY %s (", table);
	for (c = 0; c < ncols; c++)
		o += sprintf(pg->buf + o, "%s%s", c ? ", " : "", cols[c]);
	sprintf(pg->buf + o, ") FROM STDIN");
	res = PQexec(pg->conn, pg->buf);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		ret = pg_fail(pg, res, "COPY failed", err, err_size);
		PQclear(res);
		return ret;
	}
	PQclear(res);
	for (i = 0, o = 0; i < n; i++) {
		if (v[i].type == HORNET_DB_INT)
			o += sprintf(pg->buf + o, "%lld", (long long)v[i].i);
		else if (v[i].type == HORNET_DB_TEXT && v[i].s)
			o += pg_text(pg->buf + o, v[i].s, v[i].len, true);
		else if (v[i].type != HORNET_DB_TEXT)
			o += sprintf(pg->buf + o, "\\N");
		pg->buf[o++] = (i + 1) % ncols ? '\t' : '\n';
	}
	if (PQputCopyData(pg->conn, pg->buf, o) != 1)
		PQputCopyEnd(pg->conn, "hornet: sending the rows failed");
	else
		PQputCopyEnd(pg->conn, NULL);
	/* the command's result, then NULL */
	while ((res = PQgetResult(pg->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !ret)
			ret = pg_fail(pg, res, "COPY failed", err, err_size);
		PQclear(res);
	}
	if (!ret && PQstatus(pg->conn) == CONNECTION_BAD)
		ret = pg_fail(pg, NULL, "COPY failed", err, err_size);
	return ret;
}

static int pg_insert(struct hornet_pg *pg, const char *table, const char *const *cols, int ncols,
		     const struct hornet_db_value *values, size_t nrows, const char *conflict,
		     char *err, size_t err_size)
{
	int keys[ncols > 0 ? ncols : 1], nkeys, nlayers, l, ret;
	size_t per, r, n;
	size_t *idx = NULL;
	int *layer = NULL;

	ret = pg_check_link(pg, err, err_size);
	if (ret)
		return ret;
	if (ncols <= 0 || ncols > PG_MAX_PARAMS) {
		pg_err(err, err_size, "table %s: %d columns", table, ncols);
		return -EINVAL;
	}
	if (!nrows)
		return 0;
	if (!conflict)
		return pg_copy(pg, table, cols, ncols, values, nrows, err, err_size);
	per = PG_MAX_PARAMS / ncols;
	if (per > PG_INSERT_ROWS)
		per = PG_INSERT_ROWS;
	if (pg_params(pg, values, nrows * ncols))
		goto nomem;
	idx = malloc(nrows * sizeof(*idx));
	layer = malloc(nrows * sizeof(*layer));
	if (!idx || !layer)
		goto nomem;
	nkeys = pg_conflict_keys(conflict, cols, ncols, keys);
	if (nkeys < 0) {
		for (r = 0; r < nrows; r++)
			idx[r] = r;
		ret = pg_insert_rows(pg, table, cols, ncols, idx, nrows, per, conflict, err,
				     err_size);
		goto out;
	}
	nlayers = pg_layers(pg->vals, nrows, ncols, keys, nkeys, layer);
	if (nlayers < 0)
		goto nomem;
	for (l = 0; l < nlayers && !ret; l++) {
		for (r = 0, n = 0; r < nrows; r++)
			if (layer[r] == l)
				idx[n++] = r;
		ret = pg_insert_rows(pg, table, cols, ncols, idx, n, per, conflict, err, err_size);
	}
out:
	free(idx);
	free(layer);
	return ret;
nomem:
	free(idx);
	free(layer);
	pg_err(err, err_size, "out of memory");
	return -ENOMEM;
}

static int pg_begin(struct hornet_pg *pg, char *err, size_t err_size)
{
	return pg_exec(pg, "BEGIN", err, err_size);
}

static int pg_commit(struct hornet_pg *pg, char *err, size_t err_size)
{
	return pg_exec(pg, "COMMIT", err, err_size);
}

static void pg_rollback(struct hornet_pg *pg)
{
	if (!pg_broken(pg))
		PQclear(PQexec(pg->conn, "ROLLBACK"));
}

static int pg_size_row(void *ctx, const struct hornet_db_value *cols, int ncols)
{
	*(uint64_t *)ctx = ncols > 0 && cols[0].type == HORNET_DB_INT ? (uint64_t)cols[0].i : 0;
	return 0;
}

static uint64_t pg_size(struct hornet_pg *pg)
{
	/* the tables (with their indexes and TOAST) of the schema the store writes into */
	static const char sql[] =
		"SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
		"JOIN pg_namespace n ON n.oid = c.relnamespace "
		"WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = current_schema()";
	uint64_t size = 0;

	if (pg_query(pg, sql, NULL, 0, pg_size_row, &size, NULL, 0))
		return 0;
	return size;
}

/* db.h's calls, through db.c's table: the handle is the first member of struct hornet_pg. */
#define PG(db) ((struct hornet_pg *)(db))

static void op_close(struct hornet_db *db)
{
	pg_free(PG(db));
}

static bool op_broken(const struct hornet_db *db)
{
	return pg_broken((const struct hornet_pg *)db);
}

static int op_exec(struct hornet_db *db, const char *sql, char *err, size_t err_size)
{
	return pg_exec(PG(db), sql, err, err_size);
}

static int op_query(struct hornet_db *db, const char *sql, const struct hornet_db_value *params,
		    int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size)
{
	return pg_query(PG(db), sql, params, n, row, ctx, err, err_size);
}

static int op_insert(struct hornet_db *db, const char *table, const char *const *cols, int ncols,
		     const struct hornet_db_value *values, size_t nrows, const char *conflict,
		     char *err, size_t err_size)
{
	return pg_insert(PG(db), table, cols, ncols, values, nrows, conflict, err, err_size);
}

static int op_begin(struct hornet_db *db, char *err, size_t err_size)
{
	return pg_begin(PG(db), err, err_size);
}

static int op_commit(struct hornet_db *db, char *err, size_t err_size)
{
	return pg_commit(PG(db), err, err_size);
}

static void op_rollback(struct hornet_db *db)
{
	pg_rollback(PG(db));
}

static uint64_t op_size(struct hornet_db *db)
{
	return pg_size(PG(db));
}

const struct hornet_db_ops hornet_db_pg_ops = {
	.name = "postgres",
	.kind = HORNET_DB_POSTGRES,
	.open = pg_open,
	.close = op_close,
	.broken = op_broken,
	.exec = op_exec,
	.query = op_query,
	.insert = op_insert,
	.begin = op_begin,
	.commit = op_commit,
	.rollback = op_rollback,
	.size = op_size,
};
