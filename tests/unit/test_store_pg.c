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

static int count_row(void *ctx, const struct hornet_db_value *cols, int ncols)
{
	*(int64_t *)ctx = cols[0].i;
	return 0;
}

/* Raw events in the database that @path maps to, or -1. */
static int64_t pg_events(void)
{
	char url[1024], err[256];
	struct hornet_db *db;
	int64_t n = -1;

	if (pg_database_for(path, url, sizeof(url), err, sizeof(err)) ||
	    hornet_db_open(url, true, &db, err, sizeof(err)))
		return -1;
	hornet_db_query(db, "SELECT count(*) FROM events", NULL, 0, count_row, &n, err,
			sizeof(err));
	hornet_db_close(db);
	return n;
}

/*
 * PostgreSQL's tables keep their size after a DELETE: trimming by the size of
 * the files would remove nearly every raw event, round after round.
 */
static void test_pg_size_limit(void)
{
	UNIT_CASE("store_pg_size_limit_keeps_what_fits")
	{
		struct hornet_store_stats st;
		struct hornet_store *s;
		char pad[1000], line[2048];
		int64_t n1, n2;
		int i;

		snprintf(path, sizeof(path), "%s/pgsize.db", dir);
		s = open_store("72h", 0);
		if (!s)
			return;
		times(0);
		memset(pad, 'x', sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		for (i = 0; i < 8000; i++) {
			snprintf(line, sizeof(line),
				 "{\"process_kprobe\":{\"process\":{\"exec_id\":\"z\"},\"n\":%d,"
				 "\"message\":\"%s\",\"policy_name\":\"p\"},\"node_name\":\"n1\","
				 "\"time\":\"%s\"}",
				 i, pad, now_s);
			push(s, line);
		}
		settle(s, 8000);
		hornet_store__close(s);
		CHECK_INT(pg_events(), 8000);
		/* 4 MiB holds about 3,000 of these rows with their indexes */
		s = open_store("72h", 4);
		if (!s)
			return;
		hornet_store__stats(s, &st);
		n1 = pg_events();
		CHECK(st.trimmed > 0);
		CHECK(n1 >= 1800 && n1 < 6000);
		/* the next round (every 10 s) sees the space the delete freed and leaves them */
		sleep(12);
		n2 = pg_events();
		CHECK(n2 >= n1 * 9 / 10);
		printf("    %lld of 8000 events kept under 4 MiB, %lld a round later\n",
		       (long long)n1, (long long)n2);
		hornet_store__close(s);
	}
}

int main(void)
{
	pg_url = getenv("HORNET_PG_URL");
	if (!pg_url || !strrchr(pg_url, '/')) {
		UNIT_SKIP("store_on_postgres", "no HORNET_PG_URL: tests/e2e/test_postgres.py runs "
					       "the store's tests against a server it starts");
		return 0;
	}
	if (test_store_main())
		unit_failed = 1;
	test_pg_size_limit();
	UNIT_EXIT();
}
