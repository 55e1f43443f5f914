// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "agent/podwait.h"
#include "process/cgroup.h"

#define WAIT_NS ((uint64_t)HORNET_POD_WAIT_MS * 1000000ULL)
/* pods waited for, and for how long: the oldest entry goes first */
#define WAITED_PODS 256
/* past these, a line goes out at once without its pod (counted) */
#define MAX_HELD_LINES 65536
#define MAX_HELD_BYTES (16U << 20)

struct held {
	struct held *next;
	const char *type; /* a static string */
	uint64_t deadline;
	struct hornet_pod_pending pending;
	size_t len;
	char line[];
};

struct waited_pod {
	char uid[HORNET_POD_UID_LEN + 1];
	uint64_t deadline;
};

struct hornet_pod_wait {
	struct held *head; /* in arrival order */
	size_t nr_held, held_bytes;
	uint64_t next_deadline; /* the earliest of the held lines' */
	uint64_t gen; /* the store's generation at the last look */
	struct waited_pod pods[WAITED_PODS];
	struct hornet_pod_wait_stats st;
};

struct hornet_pod_wait *hornet_pod_wait__new(void)
{
	return calloc(1, sizeof(struct hornet_pod_wait));
}

void hornet_pod_wait__free(struct hornet_pod_wait *w)
{
	struct held *h, *tmp;

	if (!w)
		return;
	LL_FOREACH_SAFE(w->head, h, tmp)
	{
		hornet_pod_pending_release(&h->pending);
		free(h);
	}
	free(w);
}

/* The deadline of @uid's wait: set on first sight, kept after. */
static uint64_t pod_deadline(struct hornet_pod_wait *w, const char *uid, uint64_t now)
{
	struct waited_pod *oldest = &w->pods[0];
	unsigned int i;

	for (i = 0; i < WAITED_PODS; i++) {
		if (!strcmp(w->pods[i].uid, uid))
			return w->pods[i].deadline;
		if (w->pods[i].deadline < oldest->deadline)
			oldest = &w->pods[i];
	}
	strcpy(oldest->uid, uid);
	oldest->deadline = now + WAIT_NS;
	return oldest->deadline;
}

bool hornet_pod_wait__hold(struct hornet_pod_wait *w, const char *type, const char *line,
			   size_t len, struct hornet_pod_pending *pending, uint64_t now_ns)
{
	char uid[HORNET_POD_UID_LEN + 1];
	uint64_t deadline = 0, d;
	struct hornet_process *p;
	struct held *h;
	size_t i;

	for (i = 0; i < pending->n; i++) {
		p = pending->at[i].p;
		if (!p->cgroup || hornet_pod_uid(p->cgroup, strlen(p->cgroup), uid))
			continue;
		d = pod_deadline(w, uid, now_ns);
		if (d > now_ns && d > deadline)
			deadline = d;
	}
	if (!deadline)
		return false;
	if (w->nr_held >= MAX_HELD_LINES || w->held_bytes + len > MAX_HELD_BYTES)
		goto full;
	h = malloc(sizeof(*h) + len);
	if (!h)
		goto full;
	h->next = NULL;
	h->type = type;
	h->deadline = deadline;
	h->pending = *pending;
	h->len = len;
	memcpy(h->line, line, len);
	pending->n = 0;
	pending->overflow = false;
	LL_APPEND(w->head, h);
	if (!w->nr_held || deadline < w->next_deadline)
		w->next_deadline = deadline;
	w->nr_held++;
	w->held_bytes += len;
	w->st.waited++;
	return true;
full:
	w->st.dropped++;
	return false;
}

bool hornet_pod_wait__busy(const struct hornet_pod_wait *w)
{
	return w->head != NULL;
}

static bool ready(const struct held *h, const struct hornet_render_ctx *ctx, uint64_t now)
{
	size_t i;

	if (now >= h->deadline)
		return true;
	for (i = 0; i < h->pending.n; i++)
		if (hornet_workload_pending(h->pending.at[i].p, ctx))
			return false;
	return true;
}

void hornet_pod_wait__release(struct hornet_pod_wait *w, const struct hornet_render_ctx *ctx,
			      uint64_t now_ns,
			      void (*out)(void *octx, const char *type, const char *line,
					  size_t len, size_t missing),
			      void *octx)
{
	uint64_t gen = ctx->pods ? hornet_pod_store__generation(ctx->pods) : 0;
	struct hornet_json line;
	struct held *h, *tmp;
	size_t missing;

	if (!w->head || (gen == w->gen && now_ns < w->next_deadline))
		return;
	w->gen = gen;
	w->next_deadline = UINT64_MAX;
	hornet_json_init(&line);
	LL_FOREACH_SAFE(w->head, h, tmp)
	{
		if (!ready(h, ctx, now_ns)) {
			if (h->deadline < w->next_deadline)
				w->next_deadline = h->deadline;
			continue;
		}
		hornet_json_reset(&line);
		missing = hornet_splice_pods(&line, h->line, h->len, &h->pending, ctx);
		if (line.failed) /* out of memory: the line as it was */
			out(octx, h->type, h->line, h->len, missing ? missing : 1);
		else
			out(octx, h->type, line.buf, line.len, missing);
		if (missing)
			w->st.released_without_pod++;
		else
			w->st.released_with_pod++;
		LL_DELETE(w->head, h);
		w->nr_held--;
		w->held_bytes -= h->len;
		free(h);
	}
	hornet_json_free(&line);
}

void hornet_pod_wait__stats(const struct hornet_pod_wait *w, struct hornet_pod_wait_stats *st)
{
	*st = w->st;
	st->held = w->nr_held;
}
