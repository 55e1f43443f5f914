// SPDX-License-Identifier: GPL-2.0
/*
 * The store's own tests (test_store.c: ingest, every API query, bad
 * parameters, SQL metacharacters, restart, retention, size, threads) run
 * again on PostgreSQL: one schema and one query layer for both databases,
 * so both must give the same answers. Each SQLite file the tests open under
 * their directory becomes a database of its own on the server whose URL
 * tests/e2e/test_postgres.py passes in HORNET_PG_URL (without it, this
 * program skips). The checks of the SQLite file itself (its mode, its size on
 * disk, a corrupt file moved aside) fail here by nature; the e2e test
 * expects exactly those and no other failure.
 */
#include "store/store.h"

static struct hornet_store *pg_store_open(const struct hornet_store_opts *o, char *err,
					  size_t err_size);

#define hornet_store__open pg_store_open
#define main test_store_main
#include "test_store.c"
#undef main
#undef hornet_store__open

#include "store/db.h"

static const char *pg_url;

/* postgres://.../DB for the file @path under the tests' directory; made on first use. */
static int pg_database_for(const char *path, char *url, size_t size, char *err, size_t err_size)
{
	const char *base = strrchr(path, '/') + 1, *slash = strrchr(pg_url, '/');
	size_t n = strcspn(base, ".");
	struct hornet_db *db;
	char sql[128];
	int rc;

	snprintf(url, size, "%.*s/hs_%.*s", (int)(slash - pg_url), pg_url, (int)n, base);
	rc = hornet_db_open(url, false, &db, err, err_size);
	if (!rc) {
		hornet_db_close(db);
		return 0;
	}
	rc = hornet_db_open(pg_url, false, &db, err, err_size);
	if (rc)
		return rc;
	snprintf(sql, sizeof(sql), "CREATE DATABASE hs_%.*s", (int)n, base);
	rc = hornet_db_exec(db, sql, err, err_size);
	hornet_db_close(db);
	return rc;
}

static struct hornet_store *pg_store_open(const struct hornet_store_opts *o, char *err,
					  size_t err_size)
{
	struct hornet_store_opts p = *o;
	char url[1024];

	/* paths elsewhere (/proc/self/nope/...) are the tests of bad paths: SQLite's */
	if (o->url && !strncmp(o->url, dir, strlen(dir))) {
		if (pg_database_for(o->url, url, sizeof(url), err, err_size))
			return NULL;
		p.url = url;
	}
	return hornet_store__open(&p, err, err_size);
}

int main(void)
{
	pg_url = getenv("HORNET_PG_URL");
	if (!pg_url || !strrchr(pg_url, '/')) {
		UNIT_SKIP("store_on_postgres", "no HORNET_PG_URL: tests/e2e/test_postgres.py runs "
					       "the store's tests against a server it starts");
		return 0;
	}
	return test_store_main();
}
