/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every hornet sensor shares: the event ring buffer, the loss counters
 * and the in-kernel process table. Each sensor object declares these maps;
 * the agent loads the exec sensor first and hands the same map fds to the
 * others with bpf_map__reuse_fd(), so there is one table and one ring.
 */
#ifndef HORNET_COMMON_BPF_H
#define HORNET_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <hornet/events.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Sizes are set by the agent before load; these are the defaults. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} hornet_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HORNET_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hornet_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct hornet_proc);
} hornet_procs SEC(".maps");

/* Queued bytes above which a record wakes the reader; below it the reader's
 * own short poll timeout picks records up, so a busy system does not pay a
 * wakeup per event: measured here, a wakeup per record cost the traced
 * workload 7-9 us of its own CPU per event (docs/architecture.md). */
const volatile __u64 hornet_wakeup_bytes = 256 << 10;

static __always_inline void hornet_stat_inc(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&hornet_stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline __u64 hornet_rb_flags(void)
{
	if (bpf_ringbuf_query(&hornet_events, BPF_RB_AVAIL_DATA) >= hornet_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Copies a finished record into the ring buffer; counts it as lost if full. */
static __always_inline void hornet_output(void *rec, __u64 size, __u32 lost_stat)
{
	if (bpf_ringbuf_output(&hornet_events, rec, size, hornet_rb_flags()))
		hornet_stat_inc(lost_stat);
}

static __always_inline void hornet_hdr_init(struct hornet_hdr *h, __u16 op, __u32 size)
{
	h->op = op;
	h->version = HORNET_ABI_VERSION;
	h->size = size;
	h->ktime = bpf_ktime_get_boot_ns();
}

#endif /* HORNET_COMMON_BPF_H */
