/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps several BPF objects share: the ring buffer every sensor posts
 * to, the generic sensor's ring of enforcement records, the loss counters,
 * the process table, the followChildren binary maps (read by the exec
 * programs, filled by the generic sensor), and the workload scopes of each
 * container cgroup (filled by the agent, read by the generic sensor), and
 * the addresses DNS answers named (filled by the network sensor, read by
 * the generic sensor's DNSName operators). The
 * agent creates them (agent/core.c) and hands their fds to every sensor,
 * which makes its object use them before loading it; no sensor owns them,
 * and none depends on another for them.
 */
#ifndef HORNET_SENSORS_SHARED_H
#define HORNET_SENSORS_SHARED_H

#include <stdint.h>

struct bpf_object;

/*
 * The ring of the records of enforcement (bpf/lib/gen_maps.bpf.h): a record
 * is 100 to 400 bytes, so this holds a thousand or more kills and denials
 * the agent has not read yet, whatever floods the main ring.
 */
#define HORNET_ENFORCE_RING_SIZE (256U << 10)

struct hornet_shared_maps {
	uint64_t ringbuf_size; /* bytes, a power of two */
	int events; /* hornet_events: the ring buffer */
	int enforce; /* hornet_enforce: the ring of enforcement records */
	int stats; /* hornet_stats: per-CPU loss counters (enum hornet_stat) */
	int procs; /* hornet_procs: the process table */
	int follow_eq; /* hornet_follow_eq: followChildren binaries, exact */
	int follow_prefix; /* hornet_follow_prefix: followChildren binaries, prefixes */
	int scope_cg; /* hornet_scope_cg: workload scopes per container cgroup (agent/scope.c) */
	int dns_addrs; /* hornet_dns_addrs: names DNS answers gave (filled by the network sensor) */
	uint64_t dns_seed; /* the key of the names' hash (src/net/dnsname.c) */
};

/*
 * Makes every map of @obj (opened, not loaded) that is one of @maps use
 * the shared map. Returns 0, or -EINVAL when the object declares one with
 * another type, key, value or flags than the shared map has (the BPF side
 * and include/hornet/ disagree), or another -errno.
 */
int hornet_shared_maps__reuse(const struct hornet_shared_maps *maps, struct bpf_object *obj);

/* The ring buffer's wakeup threshold (hornet_wakeup_bytes) for @maps. */
static inline uint64_t hornet_shared_maps__wakeup_bytes(const struct hornet_shared_maps *maps)
{
	return maps->ringbuf_size / 32;
}

#endif
