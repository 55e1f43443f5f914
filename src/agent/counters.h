/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the Prometheus metrics count per workload (web/metrics.h): exported
 * events by type, namespace, workload, pod and binary, and policy events by
 * policy and hook, as Tetragon's tetragon_events_total and
 * tetragon_policy_events_total do; and, at a status request, the run time
 * and run count of each of the agent's BPF programs (kernel.bpf_stats).
 * The tables are bounded: past the limit, events are added up in one
 * overflow series per type. Event loop only.
 */
#ifndef HORNET_AGENT_COUNTERS_H
#define HORNET_AGENT_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "export/json.h"
#include "export/types.h"
#include "process/pods.h"

/* Series per table (events, policy events) before the overflow series. */
#define HORNET_COUNTERS_SERIES_MAX 2048

struct hornet_counters;
struct hornet_gen_sensor;

/*
 * @label_filter: --metrics-label-filter; the labels it does not list are
 * counted as "" (so their series are added up). NULL with errno on error.
 */
struct hornet_counters *hornet_counters__new(const char *label_filter);
void hornet_counters__free(struct hornet_counters *c);

/*
 * One exported line of @len bytes. @ev is the typed event, or NULL for a
 * line that waited for its pod: its labels are read from the line then.
 */
void hornet_counters__event(struct hornet_counters *c, const char *type,
			    const struct hornet_event *ev, const struct hornet_pod_store *pods,
			    const char *line, size_t len);

/*
 * The "metrics" member of the status reply: both tables, the exported bytes
 * and the BPF programs' statistics (the agent's own programs, found by its
 * file descriptors; @gen, when not NULL, names the hook point of its ones).
 */
void hornet_counters__status(struct hornet_counters *c, const struct hornet_gen_sensor *gen,
			     struct hornet_json *j);

#endif
