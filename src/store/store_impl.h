/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the store's files share: the store object (store.c: queue, writer,
 * retention, recovery), the reading of an event line into table rows
 * (ingest.c) and the queries (query.c).
 */
#ifndef HORNET_STORE_STORE_IMPL_H
#define HORNET_STORE_STORE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "store/db.h"
#include "store/store.h"

#define HORNET_STORE_READERS 4
#define HORNET_STORE_NS 1000000000LL
/* rollups (processes, files, egress, timeline) are kept this many times the raw events' retention */
#define HORNET_STORE_ROLLUP_FACTOR 8
/* timeline rollup granularity, seconds */
#define HORNET_STORE_TIMELINE_STEP 10

struct hornet_store_line {
	char *s;
	size_t len;
};

struct hornet_store_reader {
	pthread_mutex_t lock;
	struct hornet_db *db;
	unsigned int generation; /* of the file it has open */
};

struct hornet_ingest;

struct hornet_store {
	char *url;
	char shown[512]; /* url without its password, for messages (db.h) */
	int64_t retention_ns;
	uint64_t max_bytes;
	bool read_only;
	bool postgres;

	/* the queue: a ring of line copies, bounded in lines and bytes */
	pthread_mutex_t qlock;
	pthread_cond_t qcond; /* the writer waits on it */
	struct hornet_store_line *ring;
	size_t ring_cap, head, count;
	size_t qbytes, qbytes_max;
	size_t qbytes_high; /* the most queued since the writer last gave memory back */
	bool stopping;
	pthread_t writer;
	bool writer_started;
	pthread_t checkpointer; /* SQLite: copies the WAL into the file, off the writer's path */
	bool checkpointer_started;

	struct hornet_db *wdb; /* the writer's connection */
	struct hornet_ingest *ingest;
	int64_t bytes_at; /* when the writer next reads the database's size */
	atomic_uint generation; /* bumped when the file is recreated: readers reopen */

	struct hornet_store_reader readers[HORNET_STORE_READERS];
	atomic_uint next_reader;

	pthread_mutex_t err_lock;
	bool broken;
	char error[256];

	atomic_uint_fast64_t written, dropped, batches, write_errors, retries, trimmed, bytes,
		queries, query_errors, held;
};

/* The schema, created if missing (kind decides the few words that differ). */
int hornet_store__schema(struct hornet_db *db, char *err, size_t err_size);

/* Line parsing and the batch's rows and rollups (ingest.c). */
struct hornet_ingest *hornet_ingest__new(void);
void hornet_ingest__free(struct hornet_ingest *g);
/* Adds one event line to the batch being built; false when it is not an event (counted as dropped). */
bool hornet_ingest__add(struct hornet_ingest *g, const char *line, size_t len);
/*
 * Writes the batch's raw rows and, with @rollups, the rollups summed since they
 * were last written (inside the caller's transaction); all stays until reset.
 */
int hornet_ingest__write(struct hornet_ingest *g, struct hornet_db *db, bool rollups, char *err,
			 size_t err_size);
size_t hornet_ingest__rows(const struct hornet_ingest *g);
/* Rollup rows waiting to be written. */
size_t hornet_ingest__rollups(const struct hornet_ingest *g);
/* Forgets the raw rows, and with @rollups the rollups too (after they were written). */
void hornet_ingest__reset(struct hornet_ingest *g, bool rollups);

/* RFC 3339 "2026-11-29T13:06:49.925038398Z" (or with an offset) to ns since the epoch; -EINVAL. */
int hornet_store_parse_rfc3339(const char *s, size_t len, int64_t *ns);
/* ns since the epoch to RFC 3339 with nanoseconds, UTC; @buf of at least 40 bytes. */
void hornet_store_format_time(int64_t ns, char *buf, size_t size);
int64_t hornet_store_now_ns(void);
/* A 64-bit hash of @n bytes: rollup keys and the events' exec_id index. */
int64_t hornet_store_hash(const char *s, size_t n);
/* "30s", "90m", "72h", "7d" (a decimal number and a unit) to ns; -EINVAL. */
int hornet_store_parse_duration(const char *s, int64_t *ns);

/*
 * A read connection for a query, locked for the caller (opened, or reopened
 * after the file was recreated); NULL with @err when the store cannot be read.
 * _put() unlocks it; @failed drops a connection that may be gone.
 */
struct hornet_store_reader *hornet_store__reader_get(struct hornet_store *s, char *err,
						     size_t err_size);
void hornet_store__reader_put(struct hornet_store_reader *r, bool failed);

/* Sets or clears the broken state shown in stats. */
void hornet_store__set_broken(struct hornet_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hornet_store__set_ok(struct hornet_store *s);

#endif
