/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the policy engine (generic.bpf.c) and the enforcer (enforcer.bpf.c)
 * share, defined once so that user space can give both objects the same
 * maps: each policy's counters, and NotifyEnforcer's notifications.
 *  hornet_policy_stats            per policy, per CPU
 *  hornet_notify                  thread (pid_tgid) -> struct hornet_notify
 *  notify_put(), notify_drop()    NotifyEnforcer and CleanupEnforcerNotification
 */
#ifndef HORNET_NOTIFY_BPF_H
#define HORNET_NOTIFY_BPF_H

#include "common.bpf.h"
#include <hornet/generic.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct hornet_policy_stats);
} hornet_policy_stats SEC(".maps");

/* LRU: a thread notified that never makes a listed call ages out */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HORNET_NOTIFY_ENTRIES);
	__type(key, __u64);
	__type(value, struct hornet_notify);
} hornet_notify SEC(".maps");

static __always_inline struct hornet_policy_stats *policy_stats(__u32 id)
{
	return bpf_map_lookup_elem(&hornet_policy_stats, &id);
}

/*
 * The current thread's notification, replacing (and counting) an unused one.
 * Global functions, which the verifier checks once: inline in the actions'
 * switch, 6.18's verifier failed on the helper calls ("backtracking call
 * unexpected regs").
 */
__noinline int notify_put(__u32 policy_id, __u32 hook_id, __s32 sig, __s32 error)
{
	struct hornet_notify n = {
		.error = error, .sig = sig, .policy_id = policy_id, .hook_id = hook_id
	};
	__u64 id = bpf_get_current_pid_tgid();
	struct hornet_notify *old = bpf_map_lookup_elem(&hornet_notify, &id);
	struct hornet_policy_stats *st;

	if (old) {
		st = policy_stats(old->policy_id);
		if (st)
			st->notify_overwritten++;
	}
	bpf_map_update_elem(&hornet_notify, &id, &n, BPF_ANY);
	return 0;
}

/* Drops the current thread's notification, counted as unused. */
__noinline int notify_drop(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct hornet_notify *old = bpf_map_lookup_elem(&hornet_notify, &id);
	struct hornet_policy_stats *st;

	if (!old)
		return 0;
	st = policy_stats(old->policy_id);
	if (st)
		st->notify_unused++;
	bpf_map_delete_elem(&hornet_notify, &id);
	return 0;
}

#endif
