// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The enforcer of a policy's spec.enforcers (Tetragon's NotifyEnforcer):
 * a selector of the policy leaves a notification for the thread
 * (notify_put() in notify.bpf.h), and these programs, attached to the
 * listed syscalls, act on it at the thread's next such call: the signal,
 * and where the kernel lets a kprobe override a syscall, the error.
 *
 * One object per policy (enf_policy_id): a notification of another policy
 * is left to that policy's enforcer. The plan (policy/plan.c) attaches:
 *  hornet_enf_enter   syscalls/sys_enter_NAME: the signal, before the call
 *  hornet_enf_kprobe  the syscall's function, instead of hornet_enf_enter
 *                     where the error is overridden (bpf_override_return)
 *  hornet_enf_exit    syscalls/sys_exit_NAME: the signal, for a notification
 *                     made after the entry (a hook inside the call, or a
 *                     tracepoint program that ran after the enforcer's)
 *  hornet_enf_gone    sched/sched_process_exit: a thread's unused
 *                     notification goes with it
 */
#include "lib/notify.bpf.h"

const volatile __u32 enf_policy_id = 0;

/* Acts on the current thread's notification of this policy; returns the
 * error to override the call with, 0 for none. */
static __always_inline __s32 enforce(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct hornet_notify *n = bpf_map_lookup_elem(&hornet_notify, &id);
	struct hornet_policy_stats *st;
	__s32 sig, error;

	if (!n || n->policy_id != enf_policy_id)
		return 0;
	sig = n->sig;
	error = n->error;
	bpf_map_delete_elem(&hornet_notify, &id);
	if (sig > 0 && sig < 65)
		bpf_send_signal(sig);
	st = policy_stats(enf_policy_id);
	if (st)
		st->enforced++;
	return error;
}

SEC("tracepoint")
int hornet_enf_enter(void *ctx)
{
	enforce();
	return 0;
}

SEC("tracepoint")
int hornet_enf_exit(void *ctx)
{
	enforce();
	return 0;
}

SEC("kprobe")
int hornet_enf_kprobe(struct pt_regs *ctx)
{
	__s32 error = enforce();

	if (error)
		bpf_override_return(ctx, error);
	return 0;
}

/* any policy's: it is counted against its own policy whichever enforcer drops it */
SEC("tracepoint")
int hornet_enf_gone(void *ctx)
{
	notify_drop();
	return 0;
}
