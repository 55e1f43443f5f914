/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics in the text exposition format, made from the agent's
 * own status and policy list (the socket API's "status" and "policy_list"
 * replies), so the numbers of /metrics and `hornet status` are one and the
 * same. Tetragon's metric names and labels where the meaning is the same,
 * hornet_* for the rest. docs/metrics.md lists them.
 */
#ifndef HORNET_WEB_METRICS_H
#define HORNET_WEB_METRICS_H

#include <stdbool.h>
#include <jansson.h>

#include "export/json.h"

struct hornet_store_stats;
struct hornet_web_stats;

struct hornet_metrics_src {
	json_t *status; /* the "status" reply, or NULL when the agent did not answer */
	json_t *policies; /* the "policy_list" reply, or NULL */
	const struct hornet_web_stats *web;
	const struct hornet_store_stats *store; /* NULL without a store */
	const char *label_filter; /* --metrics-label-filter */
};

/*
 * Whether --metrics-label-filter @filter keeps process label @label
 * ("namespace", "workload", "pod", "binary", "node_name"); NULL: Tetragon's
 * default, all but node_name. Unknown names in @filter are ignored.
 */
bool hornet_metrics_label_kept(const char *filter, const char *label);

/* Appends the whole exposition to @out (a byte buffer). Returns 0 or -ENOMEM. */
int hornet_metrics_render(struct hornet_json *out, const struct hornet_metrics_src *src);

#endif
