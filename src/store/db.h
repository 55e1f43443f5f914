/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface over the two stores' databases, so the schema, the writer and
 * every query are written once: SQLite (store/db_sqlite.c) and PostgreSQL
 * (store/db_pg.c, libpq). SQL is written in the subset both accept, with '?'
 * placeholders (PostgreSQL's $1.. are made from them) and
 * INSERT ... ON CONFLICT (...) DO UPDATE for upserts; where the two differ
 * the caller asks hornet_db_kind() (GREATEST vs MAX, BIGSERIAL vs INTEGER
 * PRIMARY KEY, ...). A connection is used by one thread at a time.
 */
#ifndef HORNET_STORE_DB_H
#define HORNET_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hornet_db_kind {
	HORNET_DB_SQLITE,
	HORNET_DB_POSTGRES,
};

enum hornet_db_type {
	HORNET_DB_NULL,
	HORNET_DB_INT,
	HORNET_DB_TEXT,
};

/* A parameter or a column value. TEXT need not end with a NUL (len counts). */
struct hornet_db_value {
	enum hornet_db_type type;
	int64_t i;
	const char *s;
	size_t len;
};

struct hornet_db;

/* "postgres://..." or "postgresql://..." is PostgreSQL, anything else an SQLite file. */
bool hornet_db_url_is_postgres(const char *url);

/*
 * @url as logs, status and errors may show it: a postgres:// URL's password
 * (user:PASSWORD@ and ?password=) becomes "***"; anything else is copied.
 */
void hornet_db_url_shown(const char *url, char *out, size_t size);

/*
 * Connects. SQLite: creates the file (mode 0600) and its directory, WAL
 * mode, busy timeout; returns -EUCLEAN when the file is not a database or is
 * corrupt (the caller moves it aside). PostgreSQL: -ECONNREFUSED and the
 * like when the server cannot be reached. @err says what failed.
 */
int hornet_db_open(const char *url, bool read_only, struct hornet_db **out, char *err,
		   size_t err_size);
void hornet_db_close(struct hornet_db *db);
enum hornet_db_kind hornet_db_kind(const struct hornet_db *db);

/* True when the connection is gone (server restarted): reopen it. */
bool hornet_db_broken(const struct hornet_db *db);

/* Statements without parameters or results; may hold several, ';'-separated. */
int hornet_db_exec(struct hornet_db *db, const char *sql, char *err, size_t err_size);

/*
 * One statement with @n parameters; @row is called for each result row with
 * its @ncols values (valid during the call only) and stops the query by
 * returning non-zero (that value is returned). Statements are prepared once
 * per connection and SQL text, and reused.
 */
typedef int (*hornet_db_row_fn)(void *ctx, const struct hornet_db_value *cols, int ncols);
int hornet_db_query(struct hornet_db *db, const char *sql, const struct hornet_db_value *params,
		    int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size);

/*
 * Inserts @nrows rows of @ncols values each (@values row by row) into
 * @table's @cols, as one batch inside the caller's transaction: a prepared
 * statement per row on SQLite, multi-row INSERTs on PostgreSQL. With
 * @conflict (e.g. "ON CONFLICT (k) DO UPDATE SET n = t.n + excluded.n") each
 * row is an upsert.
 */
int hornet_db_insert(struct hornet_db *db, const char *table, const char *const *cols, int ncols,
		     const struct hornet_db_value *values, size_t nrows, const char *conflict,
		     char *err, size_t err_size);

int hornet_db_begin(struct hornet_db *db, char *err, size_t err_size);
int hornet_db_commit(struct hornet_db *db, char *err, size_t err_size);
void hornet_db_rollback(struct hornet_db *db);

/* Size of the database in bytes (file and WAL; tables and indexes), or 0. */
uint64_t hornet_db_size(struct hornet_db *db);

#endif
