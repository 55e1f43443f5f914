// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that picks a database backend from the store's URL; every
 * call of store/db.h goes through the backend's table of operations.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store/db_impl.h"

bool hornet_db_url_is_postgres(const char *url)
{
	return url &&
	       (!strncasecmp(url, "postgres://", 11) || !strncasecmp(url, "postgresql://", 13));
}

int hornet_db_open(const char *url, bool read_only, struct hornet_db **out, char *err,
		   size_t err_size)
{
	const struct hornet_db_ops *ops = &hornet_db_sqlite_ops;

	*out = NULL;
	if (hornet_db_url_is_postgres(url))
		ops = &hornet_db_pg_ops;
	return ops->open(url, read_only, out, err, err_size);
}

void hornet_db_close(struct hornet_db *db)
{
	if (db)
		db->ops->close(db);
}

enum hornet_db_kind hornet_db_kind(const struct hornet_db *db)
{
	return db->ops->kind;
}

bool hornet_db_broken(const struct hornet_db *db)
{
	return db->ops->broken(db);
}

int hornet_db_exec(struct hornet_db *db, const char *sql, char *err, size_t err_size)
{
	return db->ops->exec(db, sql, err, err_size);
}

int hornet_db_query(struct hornet_db *db, const char *sql, const struct hornet_db_value *params,
		    int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size)
{
	return db->ops->query(db, sql, params, n, row, ctx, err, err_size);
}

int hornet_db_insert(struct hornet_db *db, const char *table, const char *const *cols, int ncols,
		     const struct hornet_db_value *values, size_t nrows, const char *conflict,
		     char *err, size_t err_size)
{
	return db->ops->insert(db, table, cols, ncols, values, nrows, conflict, err, err_size);
}

int hornet_db_begin(struct hornet_db *db, char *err, size_t err_size)
{
	return db->ops->begin(db, err, err_size);
}

int hornet_db_commit(struct hornet_db *db, char *err, size_t err_size)
{
	return db->ops->commit(db, err, err_size);
}

void hornet_db_rollback(struct hornet_db *db)
{
	db->ops->rollback(db);
}

uint64_t hornet_db_size(struct hornet_db *db)
{
	return db->ops->size(db);
}
