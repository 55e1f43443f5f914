/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The generic sensor's one path from an event to its decision, for every
 * entry program. Offers:
 *  gen_run()  capture the arguments, find the filter slots that hold, walk
 *             the selectors; returns the errno to override with, or 0.
 *             The entry program has filled h->raw[] (tracing) or h->cg
 *             (cgroup/connect), and h->ret, h->has_ret.
 * @tracing is a constant of each entry program: false for the cgroup
 * programs, which read no kernel memory, have no task, signals or stacks;
 * each step below takes it and leaves out what they cannot do.
 */
#ifndef HORNET_GEN_PIPELINE_BPF_H
#define HORNET_GEN_PIPELINE_BPF_H

#include "gen_maps.bpf.h"
#include "gen_args.bpf.h"
#include "gen_match.bpf.h"
#include "gen_select.bpf.h"

/* The current process's entry in the process table, copied into the heap. */
static __always_inline struct hornet_proc *load_proc(struct gen_heap *h, const bool tracing)
{
	struct hornet_proc *proc = bpf_map_lookup_elem(&hornet_procs, &h->pid);

	h->has_proc = proc != NULL;
	if (proc) {
		h->proc_ktime = proc->ktime;
		h->proc_follow = proc->follow;
		if (tracing) {
			h->proc_caps = proc->caps;
			h->proc_ns = proc->ns;
		}
	}
	return proc;
}

/*
 * The workload scopes of the current cgroup into the heap: one lookup per
 * run, and only once a selector may match. A cgroup the agent does not know
 * as a container's is the host's: the selectors say themselves whether
 * their scope holds it.
 */
static __always_inline void load_scope(struct gen_heap *h)
{
	__u64 cg = bpf_get_current_cgroup_id();
	struct hornet_scope_bits *b = bpf_map_lookup_elem(&hornet_scope_cg, &cg);

	h->scope_host = !b;
	if (!b)
		return;
	for (int w = 0; w < HORNET_SCOPE_WORDS; w++)
		h->scope.w[w] = b->w[w];
}

/* @tgid is the agent that loaded this program, not a process that has
 * its pid since the agent exited: the exit hook deletes the agent's entry,
 * and the fork and exec hooks never copy HORNET_PF_AGENT */
static __always_inline bool is_agent(__u32 tgid)
{
	struct hornet_proc *p = bpf_map_lookup_elem(&hornet_procs, &tgid);

	return !p || (p->flags & HORNET_PF_AGENT);
}

/* 1 + the spec of the point's first sock or socket argument, 0 none: set by
 * user space, so that points without one pay nothing for TrackSock */
const volatile __u8 hornet_sock_spec = 0;

/*
 * TrackSock: the events of a tracked socket name the process that tracked
 * it (hornet_socks), as Tetragon's do, whoever the current task is (a
 * child that inherited the socket, a softirq's interrupted task).
 */
static __always_inline struct hornet_proc *sock_owner(struct gen_heap *h, struct hornet_proc *proc)
{
	__u64 sk = h->val[(hornet_sock_spec - 1) & (HORNET_GEN_MAX_SPECS - 1)];
	__u32 *owner = bpf_map_lookup_elem(&hornet_socks, &sk);

	if (!owner || *owner == h->pid)
		return proc;
	h->pid = *owner;
	h->tid = *owner;
	return load_proc(h, true);
}

static __always_inline __s32 gen_run(void *ctx, struct gen_heap *h, const bool tracing)
{
	__u32 lookups = hornet_cfg.lookups, key = hornet_cfg.point_id;
	struct sel_ctx sc = { .h = h, .ctx = ctx };
	struct hctx hc = { .h = h };
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct hornet_proc *proc = NULL;
	__u64 any = 0, nz = 0;
	__u32 *gen, *self, zero = 0;

	/* the agent's own bpf(), open() and capability checks would feed
	 * back into the policies watching them; the table's flag tells it
	 * from a process that reuses its pid once it is gone and pinned
	 * programs run on (--keep-enforcement) */
	self = bpf_map_lookup_elem(&hornet_self, &zero);
	if (self && pid_tgid >> 32 == *self && is_agent(pid_tgid >> 32))
		return 0;
	gen = bpf_map_lookup_elem(&hornet_gen_active, &key);
	if (!gen || *gen != hornet_cfg.generation)
		return 0;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
#ifdef HORNET_BOUNDED_LOOPS
	/* bpf_get_current_task_btf() is 5.11; every read of it is CO-RE's */
	h->task = tracing ? (struct task_struct *)bpf_get_current_task() : NULL;
#else
	h->task = tracing ? bpf_get_current_task_btf() : NULL;
#endif
	h->has_proc = 0;
	/* cgroup programs always want the entry: their posts carry its key;
	 * tracing programs only for the binary or a filter that reads it
	 * (post() finds the key itself on a match) */
	if (!tracing ||
	    (lookups & (HORNET_LOOKUP_BINARY | HORNET_LOOKUP_PROC | HORNET_LOOKUP_PARENT)))
		proc = load_proc(h, tracing);
	h->pos = 0;
	h->nr_args = 0;
	h->override = 0;
	h->set.pending = 0;
	h->args_hash = 0;
	__builtin_memset(&h->hits, 0, sizeof(h->hits));
	if (tracing) {
		__builtin_memset(h->str_len, 0, sizeof(h->str_len));
		__builtin_memset(h->val, 0, sizeof(h->val));
	}

	hornet_loop(hornet_loop_steps(hornet_cfg.nr_specs, HORNET_GEN_MAX_SPECS),
		    tracing ? capture_one : capture_cg, &hc);
	if (tracing && hornet_sock_spec)
		proc = sock_owner(h, proc);
	hornet_loop(hornet_loop_steps(hornet_cfg.nr_specs, HORNET_GEN_MAX_SPECS),
		    tracing ? match_spec : match_cg, &hc);
	if (lookups & HORNET_LOOKUP_BINARY)
		match_binary(h, proc, HORNET_KEY_BINARY, lookups, tracing);
	if (lookups & HORNET_LOOKUP_PARENT)
		match_parent(h, proc, lookups, tracing);
	if (lookups & HORNET_LOOKUP_PID)
		match_int(h, HORNET_KEY_PID, 0, h->pid);
	if (tracing && (lookups & HORNET_LOOKUP_NSPID)) {
		/* a local copy: CO-RE relocates the whole expression */
		struct task_struct *task = h->task;
		struct pid *p = BPF_CORE_READ(task, thread_pid);
		unsigned int level = BPF_CORE_READ(p, level);
		struct upid upid = {};

		bpf_core_read(&upid, sizeof(upid), &p->numbers[level & 31]);
		match_int(h, HORNET_KEY_NSPID, 0, upid.nr);
	}
	if (tracing && hornet_cfg.ns_lookups)
		hornet_loop(HORNET_NS_COUNT, match_ns, &hc);
	if (tracing && hornet_cfg.ret_spec)
		match_int(h, HORNET_KEY_RET, 0, h->ret);
	if (hornet_cfg.nr_filters &&
	    !(lookups & (HORNET_LOOKUP_PARENT | HORNET_LOOKUP_SUBSTR | HORNET_LOOKUP_CEL))) {
		hornet_loop(hornet_loop_steps(hornet_cfg.nr_filters, HORNET_GEN_MAX_FILTERS),
			    tracing ? eval_filter : filter_cg, &hc);
	} else if (hornet_cfg.nr_filters) {
		hornet_loop(hornet_loop_steps(hornet_cfg.nr_filters, HORNET_GEN_MAX_FILTERS),
			    tracing ? eval_filter_later : filter_cg_later, &hc);
		/* two calls, not one with a chosen callback: the verifier
		 * drops the callback of the branch the rodata rules out, and
		 * a load of its address left in the one call is a
		 * "verifier bug: No program to jit" (6.18) */
		barrier();
	}

	/*
	 * The common case, an event no selector wants: when every selector
	 * needs at least one positive filter slot to hold, nothing holding
	 * means nothing matches. Else only the selectors listed under an index
	 * slot that holds, and those with no positive slot, are walked: with
	 * many policies on the point, their number stays that of the few that
	 * can match.
	 */
	for (int w = 0; w < HORNET_GEN_WORDS; w++)
		any |= h->hits.w[w];
	if (!any && !hornet_cfg.always)
		return 0;
	for (int w = 0; w < HORNET_GEN_WORDS; w++) {
		__u64 m = h->hits.w[w] & hornet_cfg.index[w], top = m | -m;

		h->slot_m[w] = m;
		/* without the barrier clang tests m, and the verifier follows
		 * both sides of each word: 2^words paths */
		barrier_var(top);
		nz |= (top >> 63) << w;
	}
	if (!nz && !hornet_cfg.always)
		return 0;
	for (int w = 0; w < HORNET_GEN_SEL_WORDS; w++)
		h->cand.w[w] = hornet_cfg.always_sels.w[w];
	h->cand.words = hornet_cfg.always_sels.words;
	h->walk.nz = nz;
	h->walk.x = 0;
	/* a step per index slot that holds, and one to see there is none left */
	hornet_loop(hornet_loop_steps(hornet_cfg.nr_index + 1, HORNET_GEN_MAX_SLOTS), gather_sels,
		    &sc);
	if (!h->cand.words)
		return 0;
	if (hornet_cfg.scoped)
		load_scope(h);
	if (hornet_cfg.nr_shadows) {
		__builtin_memset(h->shd, 0, sizeof(h->shd));
		shadow_promoted(h);
	}
	h->walk.nz = h->cand.words;
	h->walk.x = 0;
	hornet_loop(hornet_loop_steps(hornet_cfg.nr_sels + 1, HORNET_GEN_MAX_SELS),
		    tracing ? eval_sel : eval_sel_cg, &sc);
	if (hornet_cfg.nr_shadows)
		hornet_loop(hornet_loop_steps(hornet_cfg.nr_shadows, HORNET_GEN_MAX_SHADOWS),
			    tracing ? shadow_step : shadow_step_cg, &sc);
	return h->override;
}

#endif /* HORNET_GEN_PIPELINE_BPF_H */
