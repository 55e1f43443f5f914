/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live events for the HTTP server (text/event-stream). The event loop copies
 * each line into a bounded inbox and wakes one thread of ours, which parses
 * the line once (the facts the filters look at) and puts it in a ring that
 * every client reads at its own pace: a client that falls behind the ring
 * loses lines (counted) and costs nothing else. A client with nothing to read
 * is suspended in libmicrohttpd and resumed when lines arrive or a ping is
 * due, so a thousand idle clients cost no CPU.
 */
#ifndef HORNET_WEB_LIVE_H
#define HORNET_WEB_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
struct MHD_Response;
struct web_live;

/* Returns the value of the request's query parameter @name, or NULL. */
typedef const char *(*web_param_fn)(void *ctx, const char *name);

struct web_live *web_live__new(void);
/* Ends every stream and the thread; call before the daemon stops. */
void web_live__shutdown(struct web_live *l);
void web_live__free(struct web_live *l);

void web_live__publish(struct web_live *l, const char *line, size_t len);

/*
 * A response that streams the lines the query parameters select to @c, or
 * NULL with a message in @err (a bad filter, too many clients).
 */
struct MHD_Response *web_live__response(struct web_live *l, struct MHD_Connection *c,
					web_param_fn param, void *ctx, char *err, size_t err_size);

/*
 * Whether the event line @line passes the filters the query parameters
 * (@param) give a live client: 1 or 0, or -EINVAL with a message in @err.
 * For the tests: the clients' streams decide the same way.
 */
int web_live_match(web_param_fn param, void *ctx, const char *line, size_t len, char *err,
		   size_t err_size);

unsigned int web_live__clients(struct web_live *l);
uint64_t web_live__dropped(struct web_live *l);

#endif
