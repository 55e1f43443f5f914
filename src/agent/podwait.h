/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events that wait for their pod. A process whose cgroup names a pod the
 * store does not know yet (the API has not listed it, the OCI hook has not
 * reported its container) has its events held, as rendered lines with the
 * places where the pod belongs, until the pod arrives or
 * HORNET_POD_WAIT_MS have passed since its pod was first waited for; then
 * they go out, with the pod spliced in or without it (counted).
 *
 * Per event, not one queue for the whole stream: the events of other
 * processes are not held behind them. The events of one process wait for
 * the same pods (its own and its parent's), so they become ready together
 * and leave in the order they came. A pod waited for in vain is not waited
 * for again: its later events go out at once.
 */
#ifndef HORNET_AGENT_PODWAIT_H
#define HORNET_AGENT_PODWAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export/event.h"

#define HORNET_POD_WAIT_MS 2000

struct hornet_pod_wait;

struct hornet_pod_wait *hornet_pod_wait__new(void);
void hornet_pod_wait__free(struct hornet_pod_wait *w);

/*
 * Holds the rendered @line (without newline) of an event of @type whose
 * process objects lack the pods in @pending, taking over its references.
 * Returns false (and takes nothing) when every pod it lacks has already been
 * waited for in vain: the line goes out as it is. @now_ns: CLOCK_MONOTONIC.
 */
bool hornet_pod_wait__hold(struct hornet_pod_wait *w, const char *type, const char *line,
			   size_t len, struct hornet_pod_pending *pending, uint64_t now_ns);

/* Whether any line is held. */
bool hornet_pod_wait__busy(const struct hornet_pod_wait *w);

/*
 * Sends, in the order they came, the held lines that are ready: every pod
 * they wait for is known now (@ctx->pods), or their time is up. @out gets
 * each finished line and how many of its processes still lack their pod.
 * Cheap when the store has not changed and no time is up.
 */
void hornet_pod_wait__release(struct hornet_pod_wait *w, const struct hornet_render_ctx *ctx,
			      uint64_t now_ns,
			      void (*out)(void *octx, const char *type, const char *line,
					  size_t len, size_t missing),
			      void *octx);

struct hornet_pod_wait_stats {
	size_t held; /* lines waiting now */
	uint64_t waited; /* lines that waited */
	uint64_t released_with_pod;
	uint64_t released_without_pod; /* their time was up */
	uint64_t dropped; /* lines that could not be held (out of memory): sent without pod */
};

void hornet_pod_wait__stats(const struct hornet_pod_wait *w, struct hornet_pod_wait_stats *st);

#endif
