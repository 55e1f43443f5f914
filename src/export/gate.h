/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What stands between the events and the export file, in Tetragon's order:
 * the allowlist and denylist (export/filter.h), the field filters
 * (export/fieldfilter.h), then the rate limit (--export-rate-limit, events
 * a minute, a bucket that holds a minute's worth). Events the limit drops
 * are counted and reported by one rate_limit_info line a minute (and at the
 * end), as Tetragon writes it: {"rate_limit_info":
 * {"number_of_dropped_process_events":N},"node_name":...,"time":...}.
 */
#ifndef HORNET_EXPORT_GATE_H
#define HORNET_EXPORT_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hornet_export_filter;
struct hornet_field_filters;

/* the highest --export-rate-limit: keeps the bucket's arithmetic in 64 bits */
#define HORNET_EXPORT_RATE_MAX 10000000

struct hornet_export_gate_opts {
	struct hornet_export_filter *allow; /* NULL: all; borrowed, like the two below */
	struct hornet_export_filter *deny; /* NULL: none */
	struct hornet_field_filters *fields; /* NULL: none */
	long rate_per_min; /* -1: no limit, 0: nothing exported */
	const char *node_name;
};

struct hornet_export_gate;

/* NULL (with errno) when out of memory. */
struct hornet_export_gate *hornet_export_gate__new(const struct hornet_export_gate_opts *o);
void hornet_export_gate__free(struct hornet_export_gate *g);

/*
 * The line to write for the event of @type whose line is @line (@len bytes
 * with its newline), or NULL to drop it. The result is @line itself or the
 * gate's own buffer (valid until the next call); *@out_len its length.
 * @now_ns: CLOCK_MONOTONIC.
 */
const char *hornet_export_gate__line(struct hornet_export_gate *g, const char *type,
				     const char *line, size_t len, size_t *out_len,
				     uint64_t now_ns);

/*
 * The rate_limit_info line (with its newline) when a minute has passed since
 * the last report (or @force) and events were dropped since; else NULL.
 * @wall_ns: CLOCK_REALTIME for its time.
 */
const char *hornet_export_gate__report(struct hornet_export_gate *g, uint64_t now_ns,
				       uint64_t wall_ns, bool force, size_t *out_len);

struct hornet_export_gate_stats {
	uint64_t filtered; /* by the allowlist or denylist */
	uint64_t rate_limited;
};

void hornet_export_gate__stats(const struct hornet_export_gate *g,
			       struct hornet_export_gate_stats *s);

#endif
