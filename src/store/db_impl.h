/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a database backend of store/db.h provides: one table of operations,
 * chosen by hornet_db_open() from the URL (db.c), so a backend is one file
 * that defines its table and the functions in it. A backend's connection
 * struct starts with struct hornet_db.
 */
#ifndef HORNET_STORE_DB_IMPL_H
#define HORNET_STORE_DB_IMPL_H

#include "store/db.h"

struct hornet_db_ops {
	const char *name; /* "sqlite", "postgres" */
	enum hornet_db_kind kind;
	int (*open)(const char *url, bool read_only, struct hornet_db **out, char *err,
		    size_t err_size);
	void (*close)(struct hornet_db *db);
	bool (*broken)(const struct hornet_db *db);
	int (*exec)(struct hornet_db *db, const char *sql, char *err, size_t err_size);
	int (*query)(struct hornet_db *db, const char *sql, const struct hornet_db_value *params,
		     int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size);
	int (*insert)(struct hornet_db *db, const char *table, const char *const *cols, int ncols,
		      const struct hornet_db_value *values, size_t nrows, const char *conflict,
		      char *err, size_t err_size);
	int (*begin)(struct hornet_db *db, char *err, size_t err_size);
	int (*commit)(struct hornet_db *db, char *err, size_t err_size);
	void (*rollback)(struct hornet_db *db);
	uint64_t (*size)(struct hornet_db *db);
};

struct hornet_db {
	const struct hornet_db_ops *ops;
};

extern const struct hornet_db_ops hornet_db_sqlite_ops;
extern const struct hornet_db_ops hornet_db_pg_ops;

#endif
