/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's HTTP server (libmicrohttpd, on its own threads, so no request
 * can stall the event loop): the web page, the JSON API under /api/v1/,
 * /healthz, /readyz and /metrics, on --http-listen; /metrics alone on
 * --metrics-server. Every path but /healthz, /readyz and /metrics needs the
 * token (cookie or Authorization: Bearer). Status and policy requests are
 * passed to the agent's socket API (export/api.h), so HTTP and `hornet
 * policy` share one implementation and the agent's state is only touched by
 * its own thread; history queries go to the store (store/store.h); live
 * events come from hornet_web__publish(). `hornet ui` runs the same server
 * with a store and no agent. docs/api.md describes the API.
 */
#ifndef HORNET_WEB_WEB_H
#define HORNET_WEB_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hornet_store;
struct hornet_web;

struct hornet_web_opts {
	const char *listen; /* ADDR:PORT, "" for none */
	const char *metrics_listen; /* ADDR:PORT, "" for none */
	const char *token_file; /* "": a new token in http.token beside @socket */
	const char *tls_cert, *tls_key; /* "" for plain HTTP (loopback only) */
	const char *ui_dir; /* "": the embedded page */
	const char *socket; /* the agent's API socket; NULL in `hornet ui` */
	const char *node_name;
	const char *metrics_label_filter;
	struct hornet_store *store; /* NULL: no history (those endpoints answer 503) */
};

/*
 * Binds and starts serving. Errors (address in use, non-loopback address
 * without TLS, unreadable token or certificate) are written to @err naming
 * the flag and value, and nothing is left running.
 */
struct hornet_web *hornet_web__start(const struct hornet_web_opts *o, char *err, size_t err_size);
void hornet_web__stop(struct hornet_web *w);

/* The URL to open, with the token (?token=...), for `make run` and the log. */
const char *hornet_web__url(const struct hornet_web *w);

/*
 * Event loop thread: one exported event line (@len without newline) for the
 * live (text/event-stream) clients. Never blocks: a client that falls behind
 * loses lines, counted.
 */
void hornet_web__publish(struct hornet_web *w, const char *line, size_t len);

struct hornet_web_stats {
	uint64_t requests;
	uint64_t errors; /* answers 4xx and 5xx */
	uint64_t unauthorized;
	uint64_t timeouts; /* connections closed: headers or body too slow */
	unsigned int live_clients;
	uint64_t live_dropped;
};

/* Thread-safe. */
void hornet_web__stats(struct hornet_web *w, struct hornet_web_stats *st);

#endif
