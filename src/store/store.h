/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event history: every exported event line, kept for a bounded time and
 * size, with rollups (processes, file access per hour, egress per hour) that
 * stay longer and answer the web page's questions. One writer thread takes
 * lines from a bounded queue and writes them in batches; the event loop only
 * copies a line into the queue and never waits (a full queue drops, counted).
 * Queries come from the HTTP server's threads. The same schema and queries
 * run on SQLite (a file, WAL mode) and PostgreSQL (a postgres:// URL), through
 * store/db.h. docs/api.md describes the answers.
 */
#ifndef HORNET_STORE_STORE_H
#define HORNET_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export/json.h"

struct hornet_store;

struct hornet_store_opts {
	const char *url; /* a file path (SQLite) or postgres://... */
	const char *retention; /* raw events kept this long: "72h", "7d", "30m" */
	unsigned int max_size_mb; /* raw events trimmed above this */
	bool read_only; /* `hornet ui`: queries only, no writer thread (exclusions still saved) */
};

/*
 * Opens (creating the schema if needed) and starts the writer thread. A
 * corrupt SQLite file is moved aside as PATH.corrupt-TIME and recreated
 * (logged); an unreachable PostgreSQL server is retried by the writer, so it
 * is no error here. Returns NULL with a message naming the problem in @err.
 */
struct hornet_store *hornet_store__open(const struct hornet_store_opts *o, char *err,
					size_t err_size);

/* Flushes what is queued (bounded wait), stops the writer, closes. NULL is fine. */
void hornet_store__close(struct hornet_store *s);

/*
 * Event loop thread: queues one exported event line (@len without newline).
 * Never blocks and never fails loudly: returns false when the line was
 * dropped (queue full, store broken), which is counted.
 */
bool hornet_store__push(struct hornet_store *s, const char *line, size_t len);

/*
 * One API query, from any thread. @what is the path under /api/v1/ without
 * the leading slash ("events", "processes", "processes/EXEC_ID", "files",
 * "egress", "timeline", "profile", "exclusions", "exclusions/ID"), @method
 * "GET", "POST" or "DELETE", @body the request body (or NULL). @param returns
 * a query parameter's value, or NULL when absent. Writes one JSON object to
 * @out (on error: {"error": "what is wrong"}) and returns the HTTP status:
 * 200, 201, 400 (bad parameter, named in the error), 404, 405, 503 (store
 * unavailable).
 */
typedef const char *(*hornet_store_param_fn)(void *ctx, const char *name);
int hornet_store__query(struct hornet_store *s, const char *method, const char *what,
			hornet_store_param_fn param, void *ctx, const char *body, size_t body_len,
			struct hornet_json *out);

struct hornet_store_stats {
	bool ok; /* false: broken (disk full, corrupt, server down); see error */
	char error[256];
	char backend[16]; /* "sqlite" or "postgres" */
	uint64_t queued; /* lines waiting for the writer now */
	uint64_t held; /* lines the writer holds, trying again while the store is broken */
	uint64_t written; /* events stored */
	uint64_t dropped; /* lines not stored: queue full or store broken */
	uint64_t batches;
	uint64_t write_errors;
	uint64_t retries; /* batches written again after a fault */
	uint64_t trimmed; /* raw events removed by retention or size */
	uint64_t bytes; /* size on disk (SQLite) or of the tables (PostgreSQL) */
	uint64_t queries;
	uint64_t query_errors;
};

/* Thread-safe; the counters are read without stopping the writer. */
void hornet_store__stats(struct hornet_store *s, struct hornet_store_stats *st);

#endif
