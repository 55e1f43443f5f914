/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's API on a unix socket (mode 0600, and a peer whose uid is
 * neither root nor the agent's is refused): newline-delimited JSON.
 * A client sends one request line, {"command": "<name>", ...}; the reply is
 * one JSON line and the connection closes, except for "events", after which
 * the agent streams every event as a JSON line until the client goes away.
 * A client that cannot keep up loses events (counted), never the agent's
 * memory. Every limit answers with an {"error": ...} line before the close:
 * too many clients or event streams, a line too long or too many large ones
 * at once, a request not whole (or a reply not read) within its deadline.
 * docs/cli.md describes the protocol and the limits.
 */
#ifndef HORNET_EXPORT_API_H
#define HORNET_EXPORT_API_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "export/json.h"

struct hornet_api;

/*
 * A command handler fills @resp (a JSON object is already open; add
 * members) and returns 0, or returns -errno with a message in @err.
 */
struct hornet_api_command {
	const char *name;
	int (*fn)(void *ctx, json_t *req, struct hornet_json *resp, char *err, size_t err_size);
	bool while_busy; /* answered even while the busy check says no (below) */
};

/*
 * Listens on @path (the directory must exist; a stale socket there is
 * replaced, a live one is an error: EADDRINUSE). @commands ends with a NULL
 * name. Returns NULL with errno set.
 */
struct hornet_api *hornet_api__new(const char *path, int epfd,
				   const struct hornet_api_command *commands, void *ctx);
void hornet_api__free(struct hornet_api *api);

/*
 * Asked before every command not marked while_busy: true (with the reason in
 * @err) refuses it, for example while the agent is still starting.
 */
void hornet_api__set_busy(struct hornet_api *api,
			  bool (*busy)(void *ctx, char *err, size_t err_size));

/*
 * Sends one event line (without its newline) of @type ("process_exec") to
 * every "events" client, through the client's own filters: the request's
 * allow_list, deny_list and field_filters, in Tetragon's syntax
 * (export/filter.h, export/fieldfilter.h).
 */
void hornet_api__broadcast(struct hornet_api *api, const char *type, const char *line, size_t len);

/* Writes queued event lines to the clients that can take them now. */
void hornet_api__flush(struct hornet_api *api);

struct hornet_api_stats {
	unsigned int clients;
	unsigned int subscribers;
	uint64_t dropped; /* event lines not sent to a slow client */
	uint64_t bad_requests;
	uint64_t refused; /* connections of another user's (SO_PEERCRED) */
	uint64_t over_limit; /* refused: too many clients, streams or large requests at once */
	uint64_t timeouts; /* closed: no whole request, or reply not read, within the deadline */
};

void hornet_api__stats(const struct hornet_api *api, struct hornet_api_stats *s);

/*
 * 0 when no one but root (or the agent's user) can replace the socket at
 * @path: its directory and every one above it are theirs, and none is
 * writable by others except a sticky one above the socket's own (like /tmp).
 * Else -EPERM (or the stat error) with @err naming the directory and why.
 */
int hornet_api_dir_check(const char *path, char *err, size_t err_size);

/* Connects to the agent at @path and sends @request (one line). Returns the
 * fd or -errno. Used by the CLI. */
int hornet_api_connect(const char *path, const char *request);

#endif
