/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PostgreSQL side of store/db.h (store/db_pg.c, on libpq): its table of
 * operations is hornet_db_pg_ops (store/db_impl.h), which db.c picks for a
 * postgres:// or postgresql:// URL. What else it shares, for its tests.
 */
#ifndef HORNET_STORE_DB_PG_H
#define HORNET_STORE_DB_PG_H

/*
 * @sql with each '?' outside string literals, quoted names, comments and
 * dollar quotes replaced by $1, $2, ... (malloc'd, or NULL without memory);
 * @n_out gets the number of parameters.
 */
char *hornet_pg_placeholders(const char *sql, int *n_out);

#endif
