/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-cgroup rate limiting of events (--cgroup-rate EVENTS,INTERVAL), as
 * Tetragon's: the exec, exit and policy events of each cgroup are counted
 * over a sliding window of INTERVAL (this interval's count plus the share of
 * the last one's that the window still covers); once a cgroup reaches
 * EVENTS, its events are dropped and a process_throttle THROTTLE_START
 * event says so; THROTTLE_STOP follows once its rate is under the limit
 * again and at least 5 s have passed. Records are still read and the
 * process cache kept exact: only the events are not exported.
 */
#ifndef HORNET_EXPORT_THROTTLE_H
#define HORNET_EXPORT_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export/event.h"

struct hornet_throttle;

/* "1000,1s" into its parts: events > 0 and an interval of a Go duration
 * ("500ms", "1m30s"); 0 or -EINVAL. */
int hornet_cgroup_rate_parse(const char *text, uint64_t *events, uint64_t *interval_ns);

/* NULL with errno set. */
struct hornet_throttle *hornet_throttle__new(uint64_t events, uint64_t interval_ns);
void hornet_throttle__free(struct hornet_throttle *t);

enum hornet_throttle_verdict {
	HORNET_THROTTLE_PASS,
	HORNET_THROTTLE_DROP,
	HORNET_THROTTLE_START, /* dropped, and the cgroup is throttled from now on */
};

/* Counts an event of cgroup @id (@name: the cgroup's path) at @now (ns of
 * any clock that @tick uses too). */
enum hornet_throttle_verdict hornet_throttle__count(struct hornet_throttle *t, uint64_t id,
						    const char *name, uint64_t now);

/*
 * Ends the throttling of cgroups that calmed down, each with @stop(@ctx,
 * name); forgets cgroups silent for a minute. Call it about once a second.
 */
void hornet_throttle__tick(struct hornet_throttle *t, uint64_t now,
			   void (*stop)(void *ctx, const char *name), void *ctx);

struct hornet_throttle_stats {
	uint64_t starts, stops, dropped;
	size_t throttled; /* cgroups throttled now */
};
void hornet_throttle__stats(const struct hornet_throttle *t, struct hornet_throttle_stats *s);

/* The process_throttle line (no newline) for the cgroup path @cgroup: the
 * "cgroup" field is its last component, as Tetragon's. */
void hornet_render_throttle(struct hornet_json *j, const struct hornet_render_ctx *ctx, bool start,
			    const char *cgroup, uint64_t ktime);

#endif
