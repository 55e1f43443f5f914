// SPDX-License-Identifier: GPL-2.0
/*
 * store/db.h on SQLite: one file in WAL mode (readers never wait for the
 * writer), synchronous=NORMAL (a crash loses at most the last batches, never
 * the file's consistency), a busy timeout for the moments two writers meet
 * (the writer thread and a saved exclusion), and a cache of prepared
 * statements per connection, since the writer and the queries run the same
 * few statements again and again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db_impl.h"

#define STMT_CACHE 96
#define BUSY_TIMEOUT_MS 5000
#ifndef HORNET_SQLITE_WRITER_CACHE_KB
#define HORNET_SQLITE_WRITER_CACHE_KB "16384"
#endif

struct stmt_slot {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *stmt;
	uint64_t used; /* for eviction: the least recently used goes */
};

struct sqlite_db {
	struct hornet_db base;
	sqlite3 *h;
	char path[PATH_MAX];
	struct stmt_slot cache[STMT_CACHE];
	uint64_t tick;
};

static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_INTERRUPT:
		return -EINTR;
	case SQLITE_ERROR:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int fail(struct sqlite_db *d, int rc, char *err, size_t err_size)
{
	snprintf(err, err_size, "%s", d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
	return errno_of(rc);
}

static uint64_t hash_sql(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The prepared statement for @sql, from the cache or newly prepared (then cached). */
static int prepare(struct sqlite_db *d, const char *sql, sqlite3_stmt **out, char *err,
		   size_t err_size)
{
	uint64_t h = hash_sql(sql);
	struct stmt_slot *victim = &d->cache[0];
	sqlite3_stmt *st;
	char *copy;
	int rc, i;

	for (i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &d->cache[i];

		if (s->stmt && s->hash == h && !strcmp(s->sql, sql)) {
			s->used = ++d->tick;
			*out = s->stmt;
			return 0;
		}
		if (!s->stmt || (victim->stmt && s->used < victim->used))
			victim = s;
	}
	rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(d, rc, err, err_size);
	copy = strdup(sql);
	if (!copy) {
		sqlite3_finalize(st);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (victim->stmt) {
		sqlite3_finalize(victim->stmt);
		free(victim->sql);
	}
	victim->hash = h;
	victim->sql = copy;
	victim->stmt = st;
	victim->used = ++d->tick;
	*out = st;
	return 0;
}

static int bind(sqlite3_stmt *st, const struct hornet_db_value *v, int n)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		switch (v[i].type) {
		case HORNET_DB_NULL:
			rc = sqlite3_bind_null(st, i + 1);
			break;
		case HORNET_DB_INT:
			rc = sqlite3_bind_int64(st, i + 1, v[i].i);
			break;
		case HORNET_DB_TEXT:
			rc = sqlite3_bind_text64(st, i + 1, v[i].s ? v[i].s : "",
						 v[i].s ? v[i].len : 0, SQLITE_STATIC, SQLITE_UTF8);
			break;
		}
	}
	return rc;
}

/* mkdir -p of @path's directory, mode 0700 for what it creates. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static void sqlite_close(struct hornet_db *db)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	int i;

	for (i = 0; i < STMT_CACHE; i++) {
		if (d->cache[i].stmt)
			sqlite3_finalize(d->cache[i].stmt);
		free(d->cache[i].sql);
	}
	sqlite3_close_v2(d->h);
	free(d);
}

static int sqlite_exec(struct hornet_db *db, const char *sql, char *err, size_t err_size)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	char *msg = NULL;
	int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return errno_of(rc);
	}
	return 0;
}

static int sqlite_open(const char *url, bool read_only, struct hornet_db **out, char *err,
		       size_t err_size)
{
	static const char pragmas[] = "PRAGMA page_size=16384; PRAGMA journal_mode=WAL;"
				      "PRAGMA synchronous=NORMAL;"
				      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-4096;";
	/*
	 * The writer's indexes (by process, by time) and rollups are updated all
	 * over the file: a larger cache keeps their pages between batches, and
	 * rarer checkpoints write a page changed by many batches once.
	 */
	static const char writer_pragmas[] = "PRAGMA cache_size=-" HORNET_SQLITE_WRITER_CACHE_KB
					     "; PRAGMA wal_autocheckpoint=4000;"
					     "PRAGMA journal_size_limit=67108864;";
	struct sqlite_db *d;
	int rc, fd, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (!strncmp(url, "file:", 5) || !url[0]) {
		snprintf(err, err_size, "'%s' is not a file path", url);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	d->base.ops = &hornet_db_sqlite_ops;
	if (snprintf(d->path, sizeof(d->path), "%s", url) >= (int)sizeof(d->path)) {
		free(d);
		snprintf(err, err_size, "path too long");
		return -ENAMETOOLONG;
	}
	if (!read_only) {
		rc = make_parent(url);
		if (rc) {
			free(d);
			snprintf(err, err_size, "cannot create its directory: %s", strerror(-rc));
			return rc;
		}
		/* created here, so it is 0600 from the start; SQLite gives its -wal and -shm the same mode */
		fd = open(url, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			rc = -errno;
			free(d);
			snprintf(err, err_size, "%s", strerror(-rc));
			return rc;
		}
		close(fd);
	}
	rc = sqlite3_open_v2(url, &d->h, flags, NULL);
	if (rc != SQLITE_OK && read_only) {
		/* `hornet ui` as a user who may only read the agent's file: queries still work */
		sqlite3_close_v2(d->h);
		d->h = NULL;
		rc = sqlite3_open_v2(url, &d->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_extended_result_codes(d->h, 0);
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	/* reading the schema is what tells a database from any other file */
	rc = sqlite3_exec(d->h, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if (!sqlite3_db_readonly(d->h, "main")) {
		rc = sqlite3_exec(d->h, pragmas, NULL, NULL, NULL);
		if (rc == SQLITE_OK && !read_only)
			rc = sqlite3_exec(d->h, writer_pragmas, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}
	*out = &d->base;
	return 0;
fail:
	rc = fail(d, rc, err, err_size);
	sqlite3_close_v2(d->h);
	free(d);
	return rc;
}

static bool sqlite_broken(const struct hornet_db *db)
{
	return false;
}

static int sqlite_query(struct hornet_db *db, const char *sql, const struct hornet_db_value *params,
			int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	struct hornet_db_value cols[32];
	sqlite3_stmt *st;
	int rc, i, ncols, ret = 0;

	rc = prepare(d, sql, &st, err, err_size);
	if (rc)
		return rc;
	rc = bind(st, params, n);
	if (rc != SQLITE_OK) {
		ret = fail(d, rc, err, err_size);
		goto out;
	}
	ncols = sqlite3_column_count(st);
	if (ncols > (int)(sizeof(cols) / sizeof(cols[0]))) {
		snprintf(err, err_size, "too many result columns");
		ret = -E2BIG;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!row)
			continue;
		for (i = 0; i < ncols; i++) {
			struct hornet_db_value *c = &cols[i];

			memset(c, 0, sizeof(*c));
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				c->type = HORNET_DB_NULL;
				break;
			case SQLITE_INTEGER:
			case SQLITE_FLOAT:
				c->type = HORNET_DB_INT;
				c->i = sqlite3_column_int64(st, i);
				break;
			default:
				c->type = HORNET_DB_TEXT;
				c->s = (const char *)sqlite3_column_text(st, i);
				c->len = sqlite3_column_bytes(st, i);
				if (!c->s)
					c->s = "";
				break;
			}
		}
		ret = row(ctx, cols, ncols);
		if (ret)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = fail(d, rc, err, err_size);
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static int sqlite_insert(struct hornet_db *db, const char *table, const char *const *cols,
			 int ncols, const struct hornet_db_value *values, size_t nrows,
			 const char *conflict, char *err, size_t err_size)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	char sql[4096];
	size_t len;
	sqlite3_stmt *st;
	size_t r;
	int i, rc;

	len = snprintf(sql, sizeof(sql), "INSERT INTO %s (", table);
	for (i = 0; i < ncols && len < sizeof(sql); i++)
		len += snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? ", " : "", cols[i]);
	if (len < sizeof(sql))
		len += snprintf(sql + len, sizeof(sql) - len, ") VALUES (");
	for (i = 0; i < ncols && len < sizeof(sql); i++)
		len += snprintf(sql + len, sizeof(sql) - len, "%s?", i ? ", " : "");
	if (len < sizeof(sql))
		len += snprintf(sql + len, sizeof(sql) - len, ")%s%s", conflict ? " " : "",
				conflict ? conflict : "");
	if (len >= sizeof(sql)) {
		snprintf(err, err_size, "insert into %s: statement too long", table);
		return -E2BIG;
	}
	rc = prepare(d, sql, &st, err, err_size);
	if (rc)
		return rc;
	for (r = 0; r < nrows; r++) {
		rc = bind(st, values + r * ncols, ncols);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE && rc != SQLITE_OK) {
			rc = fail(d, rc, err, err_size);
			sqlite3_clear_bindings(st);
			return rc;
		}
	}
	sqlite3_clear_bindings(st);
	return 0;
}

static int run(struct sqlite_db *d, const char *sql, char *err, size_t err_size)
{
	return sqlite_query(&d->base, sql, NULL, 0, NULL, NULL, err, err_size);
}

static int sqlite_begin(struct hornet_db *db, char *err, size_t err_size)
{
	/* IMMEDIATE: take the write lock now, so a second writer waits instead of deadlocking */
	return run((struct sqlite_db *)db, "BEGIN IMMEDIATE", err, err_size);
}

static int sqlite_commit(struct hornet_db *db, char *err, size_t err_size)
{
	return run((struct sqlite_db *)db, "COMMIT", err, err_size);
}

static void sqlite_rollback(struct hornet_db *db)
{
	struct sqlite_db *d = (struct sqlite_db *)db;

	if (!sqlite3_get_autocommit(d->h))
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
}

static uint64_t sqlite_size(struct hornet_db *db)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	char wal[PATH_MAX + 8];
	struct stat st;
	uint64_t n = 0;

	if (!stat(d->path, &st))
		n += st.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", d->path);
	if (!stat(wal, &st))
		n += st.st_size;
	return n;
}

const struct hornet_db_ops hornet_db_sqlite_ops = {
	.name = "sqlite",
	.kind = HORNET_DB_SQLITE,
	.open = sqlite_open,
	.close = sqlite_close,
	.broken = sqlite_broken,
	.exec = sqlite_exec,
	.query = sqlite_query,
	.insert = sqlite_insert,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.size = sqlite_size,
};
