/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PostgreSQL side of store/db.h, on libpq: the same functions on a
 * connection of its own, which db.h's functions call when the URL is
 * postgres:// or postgresql://. Only store/ includes this header.
 */
#ifndef HORNET_STORE_DB_PG_H
#define HORNET_STORE_DB_PG_H

#include "store/db.h"

struct hornet_pg;

int hornet_pg_open(const char *url, bool read_only, struct hornet_pg **out, char *err,
		   size_t err_size);
void hornet_pg_close(struct hornet_pg *pg);
bool hornet_pg_broken(const struct hornet_pg *pg);
int hornet_pg_exec(struct hornet_pg *pg, const char *sql, char *err, size_t err_size);
int hornet_pg_query(struct hornet_pg *pg, const char *sql, const struct hornet_db_value *params,
		    int n, hornet_db_row_fn row, void *ctx, char *err, size_t err_size);
int hornet_pg_insert(struct hornet_pg *pg, const char *table, const char *const *cols, int ncols,
		     const struct hornet_db_value *values, size_t nrows, const char *conflict,
		     char *err, size_t err_size);
int hornet_pg_begin(struct hornet_pg *pg, char *err, size_t err_size);
int hornet_pg_commit(struct hornet_pg *pg, char *err, size_t err_size);
void hornet_pg_rollback(struct hornet_pg *pg);
uint64_t hornet_pg_size(struct hornet_pg *pg);

/*
 * @sql with each '?' outside string literals, quoted names and comments
 * replaced by $1, $2, ... (malloc'd, or NULL without memory); @n_out gets
 * the number of parameters. Exposed for the unit test.
 */
char *hornet_pg_placeholders(const char *sql, int *n_out);

#endif
