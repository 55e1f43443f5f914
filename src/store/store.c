// SPDX-License-Identifier: GPL-2.0
/*
 * The event history's life: the bounded queue the event loop pushes lines
 * into, the writer thread that turns them into batches (one transaction
 * each), retention and size trimming, and recovery from what a disk does to
 * a file (full, corrupt, unwritable) without ever holding up the event loop:
 * while the store is broken, lines are dropped and counted, and the writer
 * keeps trying the batch it holds until the store takes it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store_impl.h"
#include "util/log.h"

/*
 * The queue absorbs what the writer cannot take at once: its checkpoints hold
 * it back for a second now and then, and at 100,000 events/s a second is
 * 70 MB of lines. A flood the writer cannot follow (it takes 10,000-20,000
 * lines a second on a busy host) is dropped whatever the bound, so the bound
 * is what such a flood costs in memory: 64 MB, and the writer gives the
 * freed lines back to the system once the queue is empty (TRIM_AFTER).
 */
#define RING_LINES (1 << 19)
#define QUEUE_BYTES (64u << 20)
#define TRIM_AFTER (8u << 20)
#define BATCH_MAX 10000
#define BATCH_WAKE 4096 /* queued lines that wake the writer before its timer */
#define BATCH_MS 150
#define MAINTAIN_EVERY_NS (10 * HORNET_STORE_NS)
#define RETRY_MAX_MS 5000
#define ROLLUP_MS 2000
#define WAL_MAX (256ull << 20)
#define ROLLUP_MAX 200000
#define SCHEMA_VERSION "2" /* 2: rollups keyed by hash, events.eh */

/*
 * The rollups are keyed by a 64-bit hash of their key columns (ingest.c), the
 * table's primary key: an upsert then looks up one integer instead of a
 * seven-column text index, and rows are still appended in rowid order.
 * %s is the type of an id the database makes.
 */
static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS events (id %s PRIMARY KEY, ts BIGINT NOT NULL,"
	" node TEXT NOT NULL, type TEXT NOT NULL, policy TEXT NOT NULL, action TEXT NOT NULL,"
	" ns TEXT NOT NULL, pod TEXT NOT NULL, container TEXT NOT NULL, bin TEXT NOT NULL,"
	" exec_id TEXT NOT NULL, parent_exec_id TEXT NOT NULL, path TEXT NOT NULL,"
	" daddr TEXT NOT NULL, dport INTEGER, dns TEXT NOT NULL, line TEXT NOT NULL,"
	" eh BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_ts ON events (ts);"
	/* by a hash of exec_id: a third of the cost of indexing the 40-byte text */
	"CREATE INDEX IF NOT EXISTS events_exec ON events (eh);"
	"CREATE TABLE IF NOT EXISTS processes (exec_id TEXT PRIMARY KEY,"
	" parent_exec_id TEXT NOT NULL, node TEXT NOT NULL, pid BIGINT NOT NULL,"
	" uid BIGINT NOT NULL, bin TEXT NOT NULL, args TEXT NOT NULL, cwd TEXT NOT NULL,"
	" ns TEXT NOT NULL, pod TEXT NOT NULL, container TEXT NOT NULL, start_ns BIGINT NOT NULL,"
	" exit_ns BIGINT, status BIGINT, signal TEXT, last_ns BIGINT NOT NULL,"
	" files BIGINT NOT NULL, network BIGINT NOT NULL, policy BIGINT NOT NULL,"
	" killed BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS processes_parent ON processes (parent_exec_id);"
	"CREATE INDEX IF NOT EXISTS processes_pod ON processes (pod, ns, last_ns);"
	"CREATE INDEX IF NOT EXISTS processes_last ON processes (last_ns);"
	"CREATE TABLE IF NOT EXISTS files (k BIGINT NOT NULL UNIQUE, path TEXT NOT NULL,"
	" exec_id TEXT NOT NULL, hook TEXT NOT NULL, access TEXT NOT NULL, action TEXT NOT NULL,"
	" policy TEXT NOT NULL, hour BIGINT NOT NULL, node TEXT NOT NULL, ns TEXT NOT NULL,"
	" pod TEXT NOT NULL, container TEXT NOT NULL, bin TEXT NOT NULL, n BIGINT NOT NULL,"
	" first_ns BIGINT NOT NULL, last_ns BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS files_path ON files (path, hour);"
	"CREATE INDEX IF NOT EXISTS files_pod ON files (pod, hour);"
	"CREATE TABLE IF NOT EXISTS egress (k BIGINT NOT NULL UNIQUE, exec_id TEXT NOT NULL,"
	" daddr TEXT NOT NULL, dport BIGINT NOT NULL, protocol TEXT NOT NULL, dns TEXT NOT NULL,"
	" http_host TEXT NOT NULL, tls TEXT NOT NULL, hour BIGINT NOT NULL, node TEXT NOT NULL,"
	" ns TEXT NOT NULL, pod TEXT NOT NULL, container TEXT NOT NULL, bin TEXT NOT NULL,"
	" connections BIGINT NOT NULL, bytes_sent BIGINT NOT NULL,"
	" bytes_received BIGINT NOT NULL, first_ns BIGINT NOT NULL, last_ns BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS egress_pod ON egress (pod, hour);"
	"CREATE INDEX IF NOT EXISTS egress_hour ON egress (hour);"
	"CREATE TABLE IF NOT EXISTS timeline (k BIGINT NOT NULL UNIQUE, bucket BIGINT NOT NULL,"
	" node TEXT NOT NULL, type TEXT NOT NULL, ns TEXT NOT NULL, pod TEXT NOT NULL,"
	" n BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS timeline_bucket ON timeline (bucket);"
	"CREATE TABLE IF NOT EXISTS exclusions (id %s PRIMARY KEY, field TEXT NOT NULL,"
	" value TEXT NOT NULL, note TEXT NOT NULL, created_ns BIGINT NOT NULL);";

static int schema_row(void *ctx, const struct hornet_db_value *cols, int ncols)
{
	if (ncols > 0 && cols[0].type == HORNET_DB_TEXT)
		snprintf(ctx, 16, "%.*s", (int)cols[0].len, cols[0].s);
	return 0;
}

int hornet_store__schema(struct hornet_db *db, char *err, size_t err_size)
{
	bool pg = hornet_db_kind(db) == HORNET_DB_POSTGRES;
	char sql[sizeof(schema_sql) + 64], version[16] = "";
	int rc;

	/*
	 * Already there: nothing to create, so `hornet ui` works with a role that
	 * may read the tables but not create any (a cluster's viewers), and
	 * agents that start together do not queue for the schema lock.
	 */
	if (!hornet_db_query(db, "SELECT v FROM meta WHERE k = 'schema'", NULL, 0, schema_row,
			     version, err, err_size) &&
	    !strcmp(version, SCHEMA_VERSION))
		return 0;
	snprintf(sql, sizeof(sql), schema_sql, pg ? "BIGSERIAL" : "INTEGER",
		 pg ? "BIGSERIAL" : "INTEGER");
	rc = hornet_db_exec(db, sql, err, err_size);
	if (rc)
		return rc;
	return hornet_db_exec(db,
			      "INSERT INTO meta (k, v) VALUES ('schema', '" SCHEMA_VERSION "') "
			      "ON CONFLICT (k) DO NOTHING",
			      err, err_size);
}

void hornet_store__set_broken(struct hornet_store *s, const char *fmt, ...)
{
	char msg[sizeof(s->error)];
	bool was;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->err_lock);
	was = s->broken;
	s->broken = true;
	snprintf(s->error, sizeof(s->error), "%s", msg);
	pthread_mutex_unlock(&s->err_lock);
	if (!was)
		pr_warn("store '%s': %s; events wait until it recovers (dropped, and counted, once "
			"its queue is full)",
			s->shown, msg);
}

void hornet_store__set_ok(struct hornet_store *s)
{
	bool was;

	pthread_mutex_lock(&s->err_lock);
	was = s->broken;
	s->broken = false;
	s->error[0] = '\0';
	pthread_mutex_unlock(&s->err_lock);
	if (was)
		pr_info("store '%s': writing again", s->shown);
}

/* A corrupt file (and its WAL) moved aside as PATH.corrupt-TIME, so a new one can start. */
static int move_aside(const char *path, char *err, size_t err_size)
{
	static const char *const tails[] = { "", "-wal", "-shm" };
	char from[4200], to[4200], aside[4200];
	long now = (long)time(NULL);
	size_t i;
	int k;

	/* never over an earlier one: each may be needed to see what went wrong */
	snprintf(aside, sizeof(aside), "%s.corrupt-%ld", path, now);
	for (k = 1; !access(aside, F_OK) && k < 1000; k++)
		snprintf(aside, sizeof(aside), "%s.corrupt-%ld.%d", path, now, k);
	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s%s", path, tails[i]);
		snprintf(to, sizeof(to), "%s%s", aside, tails[i]);
		if (rename(from, to) && errno != ENOENT) {
			snprintf(err, err_size, "cannot move the corrupt file aside: %s",
				 strerror(errno));
			return -errno;
		}
	}
	pr_warn("store '%s': not a database or corrupt; moved aside as '%s' and started anew", path,
		aside);
	return 0;
}

/* Opens the writer's connection and the schema; a corrupt SQLite file is replaced. */
static int open_writer(struct hornet_store *s, char *err, size_t err_size)
{
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		rc = hornet_db_open(s->url, s->read_only, &s->wdb, err, err_size);
		if (!rc) {
			rc = hornet_store__schema(s->wdb, err, err_size);
			/* the checkpointer thread copies the WAL back: commits never wait for it */
			if (!rc && !s->postgres && !s->read_only)
				rc = hornet_db_exec(s->wdb, "PRAGMA wal_autocheckpoint=0", err,
						    err_size);
			if (!rc)
				return 0;
			hornet_db_close(s->wdb);
			s->wdb = NULL;
		}
		if (rc != -EUCLEAN || s->postgres || s->read_only)
			return rc;
		rc = move_aside(s->url, err, err_size);
		if (rc)
			return rc;
		atomic_fetch_add(&s->generation, 1);
	}
	return rc;
}

static int int_row(void *ctx, const struct hornet_db_value *cols, int ncols)
{
	*(int64_t *)ctx = cols[0].type == HORNET_DB_INT ? cols[0].i : 0;
	return 0;
}

static int64_t one_int(struct hornet_db *db, const char *sql, const struct hornet_db_value *p,
		       int n)
{
	char err[256];
	int64_t v = 0;

	if (hornet_db_query(db, sql, p, n, int_row, &v, err, sizeof(err)))
		return -1;
	return v;
}

/* Bytes the database uses (SQLite: pages in use, not the free ones it will reuse). */
static int64_t used_bytes(struct hornet_db *db)
{
	/*
	 * PostgreSQL's files never shrink after a DELETE (the space is reused
	 * once vacuumed), so the raw events count by their rows, at the size of
	 * the newest ones with their share of the indexes. Rows are the span of
	 * ids (trimming removes the oldest; the statistics' count lags by
	 * seconds), known at once from the primary key.
	 */
	if (hornet_db_kind(db) == HORNET_DB_POSTGRES)
		return one_int(
			db,
			"SELECT pg_total_relation_size('processes') + "
			"pg_total_relation_size('files') + pg_total_relation_size('egress') + "
			"pg_total_relation_size('timeline') + COALESCE(("
			"(SELECT MAX(id) - MIN(id) + 1 FROM events) * "
			"(SELECT AVG(pg_column_size(e.*)) + 28 FROM "
			"(SELECT * FROM events ORDER BY id DESC LIMIT 100) e) * "
			"pg_total_relation_size('events') / "
			"GREATEST(pg_relation_size('events'), 1))::BIGINT, 0)",
			NULL, 0);
	return one_int(db,
		       "SELECT ((SELECT page_count FROM pragma_page_count()) - "
		       "(SELECT freelist_count FROM pragma_freelist_count())) * "
		       "(SELECT page_size FROM pragma_page_size())",
		       NULL, 0);
}

/* Statements of one integer parameter each, in one transaction. */
static int in_tx(struct hornet_db *db, const char *const *sql, const int64_t *arg, int n, char *err,
		 size_t err_size)
{
	int i, rc;

	rc = hornet_db_begin(db, err, err_size);
	for (i = 0; i < n && !rc; i++) {
		struct hornet_db_value v = { .type = HORNET_DB_INT, .i = arg[i] };

		rc = hornet_db_query(db, sql[i], &v, 1, NULL, NULL, err, err_size);
	}
	if (!rc)
		rc = hornet_db_commit(db, err, err_size);
	if (rc)
		hornet_db_rollback(db);
	return rc;
}

/* Retention (raw events, then rollups after 8 times as long) and the size limit. */
static int maintain(struct hornet_store *s, char *err, size_t err_size)
{
	static const char *const expire[] = { "DELETE FROM events WHERE ts < ?",
					      "DELETE FROM processes WHERE last_ns < ?",
					      "DELETE FROM files WHERE hour < ?",
					      "DELETE FROM egress WHERE hour < ?",
					      "DELETE FROM timeline WHERE bucket < ?" };
	static const char *const trim = "DELETE FROM events WHERE id < ?";
	struct hornet_db *db = s->wdb;
	int64_t now = hornet_store_now_ns();
	int64_t rcut = now - s->retention_ns * HORNET_STORE_ROLLUP_FACTOR;
	int64_t cuts[] = { now - s->retention_ns, rcut, rcut / HORNET_STORE_NS - 3600,
			   rcut / HORNET_STORE_NS - 3600, rcut / HORNET_STORE_NS };
	struct hornet_db_value v = { .type = HORNET_DB_INT, .i = cuts[0] };
	int64_t n, lo, hi, used;
	int rc, i;

	n = one_int(db, "SELECT count(*) FROM events WHERE ts < ?", &v, 1);
	rc = in_tx(db, expire, cuts, 5, err, err_size);
	if (rc)
		return rc;
	if (n > 0)
		atomic_fetch_add(&s->trimmed, n);

	/* the oldest tenth of the raw events at a time, until under the limit */
	for (i = 0; i < 20 && s->max_bytes; i++) {
		used = used_bytes(db);
		if (used < 0 || (uint64_t)used <= s->max_bytes)
			break;
		lo = one_int(db, "SELECT MIN(id) FROM events", NULL, 0);
		hi = one_int(db, "SELECT MAX(id) FROM events", NULL, 0);
		if (lo <= 0 || hi < lo)
			break;
		v.i = lo + (hi - lo) / 10 + 1;
		if (hornet_db_kind(db) == HORNET_DB_POSTGRES)
			/* the share over the limit (and a twentieth more) in one go: see below */
			v.i = lo + (int64_t)((hi - lo) * (1.05 - (double)s->max_bytes / used)) + 1;
		n = one_int(db, "SELECT count(*) FROM events WHERE id < ?", &v, 1);
		rc = in_tx(db, &trim, &v.i, 1, err, err_size);
		if (rc)
			return rc;
		if (n > 0)
			atomic_fetch_add(&s->trimmed, n);
		/* one cut reaches the limit on PostgreSQL */
		if (hornet_db_kind(db) == HORNET_DB_POSTGRES)
			break;
	}
	atomic_store(&s->bytes, hornet_db_size(db));
	return 0;
}

/* CLOCK_MONOTONIC now + @ms, for the condition variable's waits. */
static struct timespec deadline(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Up to BATCH_MAX lines from the queue, waiting up to BATCH_MS for them. */
static size_t pop(struct hornet_store *s, struct hornet_store_line *out)
{
	struct timespec until = deadline(BATCH_MS);
	size_t n = 0;

	pthread_mutex_lock(&s->qlock);
	while (s->count < BATCH_WAKE && !s->stopping &&
	       pthread_cond_timedwait(&s->qcond, &s->qlock, &until) != ETIMEDOUT)
		;
	while (n < BATCH_MAX && s->count) {
		out[n++] = s->ring[s->head];
		s->qbytes -= s->ring[s->head].len;
		s->head = (s->head + 1) % s->ring_cap;
		s->count--;
	}
	pthread_mutex_unlock(&s->qlock);
	return n;
}

/* Whether the store is closing; the lines queued now in @count when given. */
static bool queue_state(struct hornet_store *s, size_t *count)
{
	bool v;

	pthread_mutex_lock(&s->qlock);
	v = s->stopping;
	if (count)
		*count = s->count;
	pthread_mutex_unlock(&s->qlock);
	return v;
}

static bool stopping(struct hornet_store *s)
{
	return queue_state(s, NULL);
}

/* Sleeps @ms, or less when the store is closing. */
static void nap(struct hornet_store *s, int ms)
{
	struct timespec until = deadline(ms);

	pthread_mutex_lock(&s->qlock);
	while (!s->stopping && pthread_cond_timedwait(&s->qcond, &s->qlock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&s->qlock);
}

/*
 * SQLite in WAL mode reads the main file only on a cache miss and writes it
 * only at checkpoints, so a file overwritten under it (or removed) would go
 * unnoticed for long, and the checkpoint would then mix old and new pages.
 * Its 16-byte header is cheap to look at before each batch.
 */
static int check_file(struct hornet_store *s, char *err, size_t err_size)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	ssize_t n;
	int fd;

	if (s->postgres)
		return 0;
	fd = open(s->url, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "the file is gone: %s", strerror(errno));
		return -ENOENT;
	}
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n == 0)
		return 0; /* new, not written yet */
	if (n != (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(magic))) {
		snprintf(err, err_size, "the file is no longer an SQLite database");
		return -EUCLEAN;
	}
	return 0;
}

/* One try at writing the batch in one transaction; reopens the store first if needed. */
static int write_batch(struct hornet_store *s, bool rollups, char *err, size_t err_size)
{
	int rc;

	if (s->wdb) {
		rc = check_file(s, err, err_size);
		if (rc == -ENOENT) {
			/* removed: start a new file where it was */
			hornet_db_close(s->wdb);
			s->wdb = NULL;
			atomic_fetch_add(&s->generation, 1);
		} else if (rc) {
			return rc;
		}
	}

	if (s->wdb && hornet_db_broken(s->wdb)) {
		hornet_db_close(s->wdb);
		s->wdb = NULL;
	}
	if (!s->wdb) {
		rc = open_writer(s, err, err_size);
		if (rc)
			return rc;
	}
	rc = hornet_db_begin(s->wdb, err, err_size);
	if (!rc)
		rc = hornet_ingest__write(s->ingest, s->wdb, rollups, err, err_size);
	if (!rc)
		rc = hornet_db_commit(s->wdb, err, err_size);
	if (rc)
		hornet_db_rollback(s->wdb);
	return rc;
}

static size_t queued(struct hornet_store *s)
{
	size_t n;

	queue_state(s, &n);
	return n;
}

/*
 * Writes what the ingest holds, trying again (the same rows) until the store
 * takes it or the store closes. The rollups go along when the writer is
 * idle, when they have waited ROLLUP_MS or grown past ROLLUP_MAX: under load
 * the same keys then cost one upsert per interval instead of one per batch.
 */
static void write_held(struct hornet_store *s, int64_t *rollups_due)
{
	size_t rows = hornet_ingest__rows(s->ingest), pending = hornet_ingest__rollups(s->ingest);
	int64_t now = hornet_store_now_ns();
	bool roll = pending &&
		    (!queued(s) || now >= *rollups_due || pending > ROLLUP_MAX || stopping(s));
	char err[256];
	int rc, backoff;

	/* in no counter but this one while the store refuses them */
	atomic_store(&s->held, rows);
	for (backoff = 100; rows || roll;) {
		rc = write_batch(s, roll, err, sizeof(err));
		if (!rc) {
			atomic_fetch_add(&s->written, rows);
			atomic_fetch_add(&s->batches, 1);
			/* once a second: on PostgreSQL the size is a catalog query */
			if (now >= s->bytes_at) {
				atomic_store(&s->bytes, hornet_db_size(s->wdb));
				s->bytes_at = now + HORNET_STORE_NS;
			}
			hornet_store__set_ok(s);
			break;
		}
		atomic_fetch_add(&s->write_errors, 1);
		/* SQLite's message may already be the system's */
		if (strstr(err, strerror(-rc)))
			hornet_store__set_broken(s, "%s", err);
		else
			hornet_store__set_broken(s, "%s (%s)", err, strerror(-rc));
		if (rc == -EUCLEAN && s->wdb && !s->postgres) {
			/* corrupt under our feet: the next try starts a new file */
			hornet_db_close(s->wdb);
			s->wdb = NULL;
			if (move_aside(s->url, err, sizeof(err)))
				pr_warn("store '%s': %s", s->url, err);
			atomic_fetch_add(&s->generation, 1);
		}
		if (stopping(s)) {
			atomic_fetch_add(&s->dropped, rows);
			roll = true;
			break;
		}
		nap(s, backoff);
		backoff = backoff * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : backoff * 2;
		atomic_fetch_add(&s->retries, 1);
	}
	hornet_ingest__reset(s->ingest, roll);
	atomic_store(&s->held, 0);
	if (roll)
		*rollups_due = now + ROLLUP_MS * 1000000LL;
}

/*
 * The lines of a burst are freed here, but malloc keeps the pages: once the
 * queue that held more than TRIM_AFTER is empty, they go back to the system.
 */
static void give_back(struct hornet_store *s)
{
	bool trim;

	pthread_mutex_lock(&s->qlock);
	trim = !s->count && s->qbytes_high >= TRIM_AFTER;
	if (trim)
		s->qbytes_high = 0;
	pthread_mutex_unlock(&s->qlock);
	if (trim)
		malloc_trim(0);
}

static void *writer_main(void *arg)
{
	struct hornet_store *s = arg;
	struct hornet_store_line *lines = calloc(BATCH_MAX, sizeof(*lines));
	int64_t next_maintain = 0, rollups_due = 0;
	char err[256];
	size_t n, i;
	int rc;

	if (!lines)
		return NULL;
	/* so top, the benchmark and a reader of /proc can tell its CPU from the event loop's */
	pthread_setname_np(pthread_self(), "hornet-store");
	for (;;) {
		n = pop(s, lines);
		if (!n && stopping(s) && !hornet_ingest__rollups(s->ingest))
			break;
		for (i = 0; i < n; i++) {
			if (!hornet_ingest__add(s->ingest, lines[i].s, lines[i].len))
				atomic_fetch_add(&s->dropped, 1);
		}
		write_held(s, &rollups_due);
		for (i = 0; i < n; i++)
			free(lines[i].s);
		give_back(s);
		if (s->wdb && hornet_store_now_ns() >= next_maintain) {
			next_maintain = hornet_store_now_ns() + MAINTAIN_EVERY_NS;
			rc = maintain(s, err, sizeof(err));
			if (rc)
				pr_debug("store '%s': trimming: %s", s->shown, err);
		}
	}
	free(lines);
	return NULL;
}

static uint64_t wal_bytes(struct hornet_store *s)
{
	char wal[4200];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", s->url);
	return stat(wal, &st) ? 0 : (uint64_t)st.st_size;
}

/*
 * SQLite's checkpoint copies the WAL into the database file and fsyncs both;
 * made by the committing writer (the default), it holds the queue up for as
 * long as the disk takes. Here a thread of its own does it twice a second,
 * PASSIVE: it never waits for the writer or the readers, and what it could
 * not copy this time it copies the next. A writer that never pauses keeps a
 * PASSIVE checkpoint from ever reaching the end of the WAL, which then only
 * grows: past WAL_MAX a RESTART checkpoint holds the writer back until the
 * WAL can start over (journal_size_limit then cuts the file back).
 */
static void *checkpointer_main(void *arg)
{
	struct hornet_store *s = arg;
	struct hornet_db *db = NULL;
	unsigned int gen = 0;
	char err[256];

	pthread_setname_np(pthread_self(), "hornet-ckpt");
	while (!stopping(s)) {
		nap(s, 500);
		if (db && gen != atomic_load(&s->generation)) {
			hornet_db_close(db);
			db = NULL;
		}
		if (!db) {
			gen = atomic_load(&s->generation);
			if (hornet_db_open(s->url, true, &db, err, sizeof(err)))
				continue;
		}
		if (hornet_db_exec(db,
				   wal_bytes(s) > WAL_MAX ? "PRAGMA wal_checkpoint(RESTART)"
							  : "PRAGMA wal_checkpoint(PASSIVE)",
				   err, sizeof(err))) {
			hornet_db_close(db);
			db = NULL;
		}
	}
	hornet_db_close(db);
	return NULL;
}

struct hornet_store *hornet_store__open(const struct hornet_store_opts *o, char *err,
					size_t err_size)
{
	struct hornet_store *s;
	int i, rc;

	if (!o->url || !o->url[0]) {
		snprintf(err, err_size, "no store path or URL given");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->qlock, NULL);
	pthread_mutex_init(&s->err_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->qcond, &ca);
		pthread_condattr_destroy(&ca);
	}
	for (i = 0; i < HORNET_STORE_READERS; i++)
		pthread_mutex_init(&s->readers[i].lock, NULL);
	s->url = strdup(o->url);
	hornet_db_url_shown(o->url, s->shown, sizeof(s->shown));
	s->read_only = o->read_only;
	s->postgres = hornet_db_url_is_postgres(o->url);
	s->max_bytes = (uint64_t)o->max_size_mb << 20;
	s->retention_ns = 72 * 3600 * HORNET_STORE_NS;
	if (o->retention && o->retention[0] &&
	    (hornet_store_parse_duration(o->retention, &s->retention_ns) || !s->retention_ns)) {
		snprintf(err, err_size,
			 "--store-retention '%s': not a duration such as 72h, 7d or 30m",
			 o->retention);
		goto fail;
	}
	s->ring_cap = RING_LINES;
	s->qbytes_max = QUEUE_BYTES;
	s->ring = calloc(s->ring_cap, sizeof(*s->ring));
	s->ingest = hornet_ingest__new();
	if (!s->url || !s->ring || !s->ingest) {
		snprintf(err, err_size, "out of memory");
		goto fail;
	}
	rc = open_writer(s, err, err_size);
	if (rc && (!s->postgres || s->read_only))
		goto fail;
	if (rc) {
		/* the server may come later: the writer keeps trying */
		hornet_store__set_broken(s, "%s", err);
	}
	if (s->read_only) {
		/* queries only: the first reader is this connection */
		s->readers[0].db = s->wdb;
		s->wdb = NULL;
		return s;
	}
	if (s->wdb)
		maintain(s, err, err_size);
	if (pthread_create(&s->writer, NULL, writer_main, s)) {
		snprintf(err, err_size, "cannot start the writer thread");
		goto fail;
	}
	s->writer_started = true;
	if (!s->postgres && !pthread_create(&s->checkpointer, NULL, checkpointer_main, s))
		s->checkpointer_started = true;
	return s;
fail:
	hornet_store__close(s);
	return NULL;
}

void hornet_store__close(struct hornet_store *s)
{
	size_t i;

	if (!s)
		return;
	if (s->writer_started) {
		pthread_mutex_lock(&s->qlock);
		s->stopping = true;
		pthread_cond_broadcast(&s->qcond);
		pthread_mutex_unlock(&s->qlock);
		pthread_join(s->writer, NULL);
	}
	if (s->checkpointer_started)
		pthread_join(s->checkpointer, NULL);
	for (i = 0; s->ring && i < s->count; i++)
		free(s->ring[(s->head + i) % s->ring_cap].s);
	for (i = 0; i < HORNET_STORE_READERS; i++) {
		hornet_db_close(s->readers[i].db);
		pthread_mutex_destroy(&s->readers[i].lock);
	}
	hornet_db_close(s->wdb);
	hornet_ingest__free(s->ingest);
	free(s->ring);
	free(s->url);
	pthread_mutex_destroy(&s->qlock);
	pthread_mutex_destroy(&s->err_lock);
	pthread_cond_destroy(&s->qcond);
	free(s);
}

bool hornet_store__push(struct hornet_store *s, const char *line, size_t len)
{
	char *copy;
	bool wake;

	if (!s || s->read_only)
		return false;
	copy = malloc(len + 1);
	if (!copy) {
		atomic_fetch_add(&s->dropped, 1);
		return false;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	pthread_mutex_lock(&s->qlock);
	if (s->count == s->ring_cap || s->qbytes + len > s->qbytes_max || s->stopping) {
		pthread_mutex_unlock(&s->qlock);
		free(copy);
		atomic_fetch_add(&s->dropped, 1);
		return false;
	}
	s->ring[(s->head + s->count) % s->ring_cap] = (struct hornet_store_line){ copy, len };
	s->count++;
	s->qbytes += len;
	if (s->qbytes > s->qbytes_high)
		s->qbytes_high = s->qbytes;
	wake = s->count == BATCH_WAKE;
	pthread_mutex_unlock(&s->qlock);
	if (wake)
		pthread_cond_signal(&s->qcond);
	return true;
}

struct hornet_store_reader *hornet_store__reader_get(struct hornet_store *s, char *err,
						     size_t err_size)
{
	unsigned int gen = atomic_load(&s->generation);
	unsigned int i, start = atomic_fetch_add(&s->next_reader, 1);
	struct hornet_store_reader *r = NULL;
	int rc;

	/* a free connection if there is one, else wait for one in turn */
	for (i = 0; i < HORNET_STORE_READERS && !r; i++) {
		struct hornet_store_reader *c = &s->readers[(start + i) % HORNET_STORE_READERS];

		if (!pthread_mutex_trylock(&c->lock))
			r = c;
	}
	if (!r) {
		r = &s->readers[start % HORNET_STORE_READERS];
		pthread_mutex_lock(&r->lock);
	}
	if (r->db && (r->generation != gen || hornet_db_broken(r->db))) {
		hornet_db_close(r->db);
		r->db = NULL;
	}
	if (!r->db) {
		rc = hornet_db_open(s->url, true, &r->db, err, err_size);
		if (rc) {
			r->db = NULL;
			pthread_mutex_unlock(&r->lock);
			return NULL;
		}
		r->generation = gen;
	}
	return r;
}

void hornet_store__reader_put(struct hornet_store_reader *r, bool failed)
{
	if (failed && r->db && hornet_db_broken(r->db)) {
		hornet_db_close(r->db);
		r->db = NULL;
	}
	pthread_mutex_unlock(&r->lock);
}

void hornet_store__stats(struct hornet_store *s, struct hornet_store_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	pthread_mutex_lock(&s->err_lock);
	st->ok = !s->broken;
	snprintf(st->error, sizeof(st->error), "%s", s->error);
	pthread_mutex_unlock(&s->err_lock);
	snprintf(st->backend, sizeof(st->backend), "%s", s->postgres ? "postgres" : "sqlite");
	pthread_mutex_lock(&s->qlock);
	st->queued = s->count;
	pthread_mutex_unlock(&s->qlock);
	st->held = atomic_load(&s->held);
	st->written = atomic_load(&s->written);
	st->dropped = atomic_load(&s->dropped);
	st->batches = atomic_load(&s->batches);
	st->write_errors = atomic_load(&s->write_errors);
	st->retries = atomic_load(&s->retries);
	st->trimmed = atomic_load(&s->trimmed);
	st->bytes = atomic_load(&s->bytes);
	st->queries = atomic_load(&s->queries);
	st->query_errors = atomic_load(&s->query_errors);
}
