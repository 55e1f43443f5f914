// SPDX-License-Identifier: GPL-2.0
/*
 * The PostgreSQL side of store/db.h. The placeholder rewriting runs
 * anywhere; the rest needs a real server, whose URL tests/e2e/test_postgres.py
 * passes in HORNET_PG_URL after starting one (without it those cases skip).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "store/db.h"
#include "store/db_pg.h"

static void placeholders(const char *sql, const char *want, int want_n)
{
	int n = -1;
	char *got = hornet_pg_placeholders(sql, &n);

	CHECK_STR(got, want);
	CHECK_INT(n, want_n);
	free(got);
}

static void test_placeholders(void)
{
	UNIT_CASE("pg_placeholders")
	{
		placeholders("SELECT 1", "SELECT 1", 0);
		placeholders("SELECT a FROM t WHERE b = ? AND c > ?",
			     "SELECT a FROM t WHERE b = $1 AND c > $2", 2);
		/* in literals, quoted names and comments a '?' is a character */
		placeholders("SELECT '?', 'it''s ?', ? FROM \"a?b\" WHERE x = ?",
			     "SELECT '?', 'it''s ?', $1 FROM \"a?b\" WHERE x = $2", 2);
		placeholders("SELECT E'\\'?', ? -- what?\n, ? /* a /* nested? */ ? */ , ?",
			     "SELECT E'\\'?', $1 -- what?\n, $2 /* a /* nested? */ ? */ , $3", 3);
		/* a backslash ends nothing in a standard string */
		placeholders("SELECT 'a\\', ?", "SELECT 'a\\', $1", 1);
		placeholders("SELECT $x$ ? $x$, $$?$$, ?", "SELECT $x$ ? $x$, $$?$$, $1", 1);
		/* an unterminated literal swallows the rest rather than running past the end */
		placeholders("SELECT '?", "SELECT '?", 0);
		placeholders("SELECT ?, \"?", "SELECT $1, \"?", 1);
		placeholders("?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11", 11);
	}
}

static void shown(const char *url, const char *want)
{
	char out[256];

	hornet_db_url_shown(url, out, sizeof(out));
	CHECK_STR(out, want);
}

static void test_url_shown(void)
{
	UNIT_CASE("pg_url_shown")
	{
		shown("postgres://u:s3cret@db:5432/h", "postgres://u:***@db:5432/h");
		shown("postgresql://u:p%40ss@db/h?sslmode=require&password=x&a=b",
		      "postgresql://u:***@db/h?sslmode=require&password=***&a=b");
		shown("postgres://db/h?password=x", "postgres://db/h?password=***");
		shown("postgres://u@db", "postgres://u@db");
		shown("postgres://u:pw@", "postgres://u:***@");
		/* an '@' in the path or query is no user part */
		shown("postgres://db/h?application_name=a@b",
		      "postgres://db/h?application_name=a@b");
		shown("/var/lib/hornet/hornet.db", "/var/lib/hornet/hornet.db");
		{
			char small[12];

			hornet_db_url_shown("postgres://u:secret@host/db", small, sizeof(small));
			CHECK_STR(small, "postgres://");
		}
	}
}

struct rows {
	int n;
	int64_t ints[16];
	char text[16][64];
	int types[16];
	int stop_at;
};

static int collect(void *ctx, const struct hornet_db_value *cols, int ncols)
{
	struct rows *r = ctx;
	int c;

	for (c = 0; c < ncols && r->n < 16; c++, r->n++) {
		r->types[r->n] = cols[c].type;
		r->ints[r->n] = cols[c].i;
		snprintf(r->text[r->n], sizeof(r->text[0]), "%.*s", (int)cols[c].len,
			 cols[c].s ? cols[c].s : "");
	}
	return r->stop_at && r->n >= r->stop_at ? 7 : 0;
}

#define INT(v)                                  \
	{                                       \
		.type = HORNET_DB_INT, .i = (v) \
	}
#define TEXT(v)                                                        \
	{                                                              \
		.type = HORNET_DB_TEXT, .s = (v), .len = sizeof(v) - 1 \
	}
#define NUL                            \
	{                              \
		.type = HORNET_DB_NULL \
	}

static void test_server(const char *url)
{
	struct hornet_db *db = NULL;
	char err[512] = "";
	struct rows r;
	int ret;

	UNIT_CASE("pg_open_exec_query")
	{
		ret = hornet_db_open(url, false, &db, err, sizeof(err));
		CHECK_INT(ret, 0);
		if (ret) {
			printf("    %s\n", err);
			return;
		}
		CHECK(!hornet_db_broken(db));
		CHECK_INT(hornet_db_kind(db), HORNET_DB_POSTGRES);
		CHECK_INT(hornet_db_exec(db,
					 "DROP TABLE IF EXISTS t; "
					 "CREATE TABLE t (k TEXT, h BIGINT, n BIGINT, note TEXT, "
					 "PRIMARY KEY (k, h)); "
					 "CREATE TABLE IF NOT EXISTS t (k TEXT)",
					 err, sizeof(err)),
			  0);
		memset(&r, 0, sizeof(r));
		/* '?' in a literal stays; the two others are parameters; ints come back typed */
		{
			struct hornet_db_value p[] = { INT(41), TEXT("x?'y") };

			ret = hornet_db_query(db, "SELECT ? + 1, '?', ?, NULL, 2::int4 > 1", p, 2,
					      collect, &r, err, sizeof(err));
		}
		CHECK_INT(ret, 0);
		CHECK_INT(r.n, 5);
		CHECK_INT(r.types[0], HORNET_DB_INT);
		CHECK_INT(r.ints[0], 42);
		CHECK_STR(r.text[1], "?");
		CHECK_INT(r.types[2], HORNET_DB_TEXT);
		CHECK_STR(r.text[2], "x?'y");
		CHECK_INT(r.types[3], HORNET_DB_NULL);
		CHECK_INT(r.types[4], HORNET_DB_INT);
		CHECK_INT(r.ints[4], 1);
		/* a parameter PostgreSQL cannot type alone (SQLite would take it) */
		memset(&r, 0, sizeof(r));
		{
			struct hornet_db_value p[] = { NUL, INT(3) };

			/* in a transaction too, which the failed first try must not abort */
			CHECK_INT(hornet_db_begin(db, err, sizeof(err)), 0);
			ret = hornet_db_query(db, "SELECT CASE WHEN ? IS NULL THEN ? ELSE 0 END", p,
					      2, collect, &r, err, sizeof(err));
			CHECK_INT(hornet_db_commit(db, err, sizeof(err)), 0);
		}
		CHECK_INT(ret, 0);
		if (ret)
			printf("    %s\n", err);
		CHECK_INT(r.ints[0], 3);
		/* a wrong count of values is refused, not sent */
		CHECK_INT(hornet_db_query(db, "SELECT ?", NULL, 0, NULL, NULL, err, sizeof(err)),
			  -EINVAL);
		CHECK(strstr(err, "placeholders") != NULL);
		/* an error names the statement and leaves the connection usable */
		ret = hornet_db_query(db, "SELECT * FROM no_such_table", NULL, 0, NULL, NULL, err,
				      sizeof(err));
		CHECK_INT(ret, -EINVAL);
		CHECK(strstr(err, "no_such_table") != NULL);
		CHECK(!hornet_db_broken(db));
	}

	UNIT_CASE("pg_insert_upsert")
	{
		static const char *const cols[] = { "k", "h", "n", "note" };
		/* the same key three times in one batch: added up in order, as SQLite does */
		struct hornet_db_value v[] = {
			TEXT("/etc/passwd"), INT(1), INT(1),  TEXT("a"),
			TEXT("/etc/shadow"), INT(1), INT(10), TEXT("b"),
			TEXT("/etc/passwd"), INT(1), INT(2),  TEXT("c"),
			TEXT("/etc/passwd"), INT(2), INT(5),  NUL,
			TEXT("/etc/passwd"), INT(1), INT(4),  TEXT("d"),
		};
		const char *up = "ON CONFLICT (k, h) DO UPDATE SET n = t.n + excluded.n, "
				 "note = t.note || excluded.note";

		CHECK_INT(hornet_db_begin(db, err, sizeof(err)), 0);
		ret = hornet_db_insert(db, "t", cols, 4, v, 5, up, err, sizeof(err));
		CHECK_INT(ret, 0);
		if (ret)
			printf("    %s\n", err);
		CHECK_INT(hornet_db_commit(db, err, sizeof(err)), 0);
		memset(&r, 0, sizeof(r));
		CHECK_INT(hornet_db_query(db,
					  "SELECT k, h, SUM(n), MAX(note) FROM t GROUP BY k, h "
					  "ORDER BY k, h",
					  NULL, 0, collect, &r, err, sizeof(err)),
			  0);
		CHECK_INT(r.n, 12);
		CHECK_STR(r.text[0], "/etc/passwd");
		CHECK_INT(r.ints[2], 7);
		CHECK_STR(r.text[3], "acd");
		CHECK_INT(r.types[2], HORNET_DB_INT); /* SUM(bigint) is numeric in PostgreSQL */
		CHECK_INT(r.ints[6], 5);
		CHECK_INT(r.types[7], HORNET_DB_NULL);
		CHECK_INT(r.ints[10], 10);
		/* the callback's non-zero stops the rows and is returned */
		memset(&r, 0, sizeof(r));
		r.stop_at = 4;
		CHECK_INT(hornet_db_query(db, "SELECT k, h, n, note FROM t", NULL, 0, collect, &r,
					  err, sizeof(err)),
			  7);
		CHECK_INT(r.n, 4);
	}

	UNIT_CASE("pg_insert_hostile_text")
	{
		static const char *const cols[] = { "k", "h", "n", "note" };
		/* NUL and bytes that are not UTF-8 cannot be text in PostgreSQL: replaced */
		struct hornet_db_value v[] = {
			TEXT("a\0b"),  INT(9), INT(1), TEXT("<script>'\";--?"),
			TEXT("c\xff"), INT(9), INT(1), TEXT("\xc3\x28"),
			TEXT("c\xfe"), INT(9), INT(1), TEXT("x"),
		};

		ret = hornet_db_insert(db, "t", cols, 4, v, 3,
				       "ON CONFLICT (k, h) DO UPDATE SET n = t.n + excluded.n", err,
				       sizeof(err));
		CHECK_INT(ret, 0);
		if (ret)
			printf("    %s\n", err);
		memset(&r, 0, sizeof(r));
		CHECK_INT(hornet_db_query(db, "SELECT k, n, note FROM t WHERE h = 9 ORDER BY k",
					  NULL, 0, collect, &r, err, sizeof(err)),
			  0);
		CHECK_INT(r.n, 6);
		CHECK_STR(r.text[0], "a\xef\xbf\xbd"
				     "b");
		CHECK_STR(r.text[2], "<script>'\";--?");
		/* two keys that differ only in invalid bytes are one key once repaired */
		CHECK_STR(r.text[3], "c\xef\xbf\xbd");
		CHECK_INT(r.ints[4], 2);
		CHECK_STR(r.text[5], "\xef\xbf\xbd(");
		/* plain rows go by COPY, whose text format has its own escapes */
		{
			struct hornet_db_value p[] = {
				TEXT("tab\there\\N\nnew\rline\\"),
				INT(8),
				NUL,
				TEXT("\\."),
			};

			CHECK_INT(hornet_db_insert(db, "t", cols, 4, p, 1, NULL, err, sizeof(err)),
				  0);
		}
		memset(&r, 0, sizeof(r));
		CHECK_INT(hornet_db_query(db, "SELECT k, n, note FROM t WHERE h = 8", NULL, 0,
					  collect, &r, err, sizeof(err)),
			  0);
		CHECK_INT(r.n, 3);
		CHECK_STR(r.text[0], "tab\there\\N\nnew\rline\\");
		CHECK_INT(r.types[1], HORNET_DB_NULL);
		CHECK_STR(r.text[2], "\\.");
	}

	UNIT_CASE("pg_insert_large_batch")
	{
		static const char *const cols[] = { "k", "h", "n", "note" };
		size_t rows = 3001, i;
		struct hornet_db_value *v = calloc(rows * 4, sizeof(*v));
		char(*keys)[16] = calloc(rows, 16);

		CHECK(v && keys);
		for (i = 0; v && keys && i < rows; i++) {
			snprintf(keys[i], 16, "big%zu", i % 1000);
			v[i * 4] = (struct hornet_db_value){ .type = HORNET_DB_TEXT,
							     .s = keys[i],
							     .len = strlen(keys[i]) };
			v[i * 4 + 1] = (struct hornet_db_value){ .type = HORNET_DB_INT, .i = 100 };
			v[i * 4 + 2] = (struct hornet_db_value){ .type = HORNET_DB_INT, .i = 1 };
			v[i * 4 + 3] = (struct hornet_db_value){ .type = HORNET_DB_NULL };
		}
		CHECK_INT(hornet_db_begin(db, err, sizeof(err)), 0);
		ret = hornet_db_insert(db, "t", cols, 4, v, rows,
				       "ON CONFLICT (k, h) DO UPDATE SET n = t.n + excluded.n", err,
				       sizeof(err));
		CHECK_INT(ret, 0);
		/* and plain rows, in several statements */
		ret = hornet_db_insert(db, "t", cols, 4, v, 1000, NULL, err, sizeof(err));
		CHECK_INT(ret, -EEXIST); /* the keys are there: a unique violation, reported */
		hornet_db_rollback(db);
		CHECK(!hornet_db_broken(db));
		CHECK_INT(hornet_db_begin(db, err, sizeof(err)), 0);
		ret = hornet_db_insert(db, "t", cols, 4, v, rows,
				       "ON CONFLICT (k, h) DO UPDATE SET n = t.n + excluded.n", err,
				       sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_INT(hornet_db_commit(db, err, sizeof(err)), 0);
		memset(&r, 0, sizeof(r));
		CHECK_INT(hornet_db_query(db, "SELECT COUNT(*), SUM(n) FROM t WHERE h = 100", NULL,
					  0, collect, &r, err, sizeof(err)),
			  0);
		CHECK_INT(r.ints[0], 1000);
		CHECK_INT(r.ints[1], 3001);
		/* DO NOTHING takes a key twice in one statement */
		ret = hornet_db_insert(db, "t", cols, 4, v, rows, "ON CONFLICT DO NOTHING", err,
				       sizeof(err));
		CHECK_INT(ret, 0);
		CHECK(hornet_db_size(db) > 8192);
		free(v);
		free(keys);
	}

	UNIT_CASE("pg_broken_after_connection_loss")
	{
		/* the server ends this connection, as a restart does */
		ret = hornet_db_query(db, "SELECT pg_terminate_backend(pg_backend_pid())", NULL, 0,
				      NULL, NULL, err, sizeof(err));
		CHECK_INT(ret, -ENOTCONN);
		CHECK(hornet_db_broken(db));
		CHECK_INT(hornet_db_exec(db, "SELECT 1", err, sizeof(err)), -ENOTCONN);
		CHECK(strstr(err, "connection lost") != NULL);
		hornet_db_close(db);
		db = NULL;
		/* a new connection works, with a fresh set of prepared statements */
		CHECK_INT(hornet_db_open(url, false, &db, err, sizeof(err)), 0);
		memset(&r, 0, sizeof(r));
		CHECK_INT(hornet_db_query(db, "SELECT COUNT(*) FROM t WHERE h = ?",
					  (struct hornet_db_value[]){ INT(100) }, 1, collect, &r,
					  err, sizeof(err)),
			  0);
		CHECK_INT(r.ints[0], 1000);
		CHECK_INT(hornet_db_exec(db, "DROP TABLE t", err, sizeof(err)), 0);
		hornet_db_close(db);
	}
}

/* Agents that start together create the same schema at once: none may fail. */
static void test_schema_race(const char *url)
{
	enum { KIDS = 6, TABLES = 20 };
	pid_t kids[KIDS];
	int k, i, status, failed = 0;

	UNIT_CASE("pg_schema_race")
	{
		fflush(stdout); /* not printed twice by the children */
		for (k = 0; k < KIDS; k++) {
			kids[k] = fork();
			if (kids[k] == 0) {
				struct hornet_db *db;
				char err[512], sql[200];

				if (hornet_db_open(url, false, &db, err, sizeof(err)))
					_exit(2);
				for (i = 0; i < TABLES; i++) {
					snprintf(
						sql, sizeof(sql),
						"CREATE TABLE IF NOT EXISTS race%d (a BIGINT, b "
						"TEXT); "
						"CREATE INDEX IF NOT EXISTS race%d_a ON race%d (a)",
						i, i, i);
					if (hornet_db_exec(db, sql, err, sizeof(err))) {
						printf("    %s\n", err);
						fflush(stdout);
						_exit(1);
					}
				}
				hornet_db_close(db);
				_exit(0);
			}
		}
		for (k = 0; k < KIDS; k++) {
			if (kids[k] < 0 || waitpid(kids[k], &status, 0) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				failed++;
		}
		CHECK_INT(failed, 0);
		{
			struct hornet_db *db;
			char err[512], sql[64];

			CHECK_INT(hornet_db_open(url, false, &db, err, sizeof(err)), 0);
			for (i = 0; db && i < TABLES; i++) {
				snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS race%d", i);
				CHECK_INT(hornet_db_exec(db, sql, err, sizeof(err)), 0);
			}
			hornet_db_close(db);
		}
	}
}

static void test_bad_urls(const char *url)
{
	UNIT_CASE("pg_open_errors")
	{
		struct hornet_db *db = NULL;
		char err[512] = "", bad[512];
		const char *at = strrchr(url, '@'), *colon;

		CHECK_INT(hornet_db_open("postgres://a:b@127.0.0.1/x?no_such_option=1", false, &db,
					 err, sizeof(err)),
			  -EINVAL);
		CHECK(strstr(err, "invalid PostgreSQL URL") != NULL);
		CHECK(db == NULL);
		/* nothing listens on port 1 of loopback */
		CHECK_INT(hornet_db_open("postgresql://u:secretpw@127.0.0.1:1/db", false, &db, err,
					 sizeof(err)),
			  -ECONNREFUSED);
		CHECK(strstr(err, "127.0.0.1:1/db") != NULL);
		CHECK(strstr(err, "secretpw") == NULL);
		CHECK(strchr(err, '\n') == NULL);
		/* the test server with a wrong password */
		if (at && strncmp(url, "postgres://", 11) == 0) {
			colon = strchr(url + 11, ':');
			if (colon && colon < at) {
				snprintf(bad, sizeof(bad), "%.*s:wrongpass%s", (int)(colon - url),
					 url, at);
				CHECK_INT(hornet_db_open(bad, false, &db, err, sizeof(err)),
					  -EACCES);
				CHECK(strstr(err, "wrongpass") == NULL);
			}
		}
		hornet_db_close(db);
	}
}

int main(void)
{
	const char *url = getenv("HORNET_PG_URL");

	test_placeholders();
	test_url_shown();
	if (!url || !*url) {
		UNIT_SKIP("pg_server", "no HORNET_PG_URL: tests/e2e/test_postgres.py runs these "
				       "against a server it starts");
		UNIT_EXIT();
	}
	test_server(url);
	test_schema_race(url);
	test_bad_urls(url);
	UNIT_EXIT();
}
