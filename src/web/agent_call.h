/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP server's calls to the agent's socket API (export/api.h), from its
 * own threads. The agent's event loop answers them, so a call can wait on a
 * thread that is busy or gone: every call has a deadline, and one cancel wakes
 * them all (the server's stop, which the agent's thread itself may run).
 */
#ifndef HORNET_WEB_AGENT_CALL_H
#define HORNET_WEB_AGENT_CALL_H

#include <stdatomic.h>
#include <stddef.h>
#include <jansson.h>

struct web_agent {
	const char *socket; /* NULL: no agent */
	int cancel_fd; /* eventfd, readable once cancelled */
	_Atomic unsigned int inflight;
};

int web_agent__init(struct web_agent *a, const char *socket);
void web_agent__cancel(struct web_agent *a);
void web_agent__fini(struct web_agent *a);

/*
 * Sends @req (taken: freed here) and waits at most @timeout_ms for the reply.
 * Returns 200 with the reply in @reply; 400 or 404 with the agent's error in
 * @err; 503 when the agent does not answer (not running, busy, starting).
 */
int web_agent__call(struct web_agent *a, json_t *req, int timeout_ms, json_t **reply, char *err,
		    size_t err_size);

#endif
