/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Selectors and actions for the generic sensor. Offers:
 *  gather_sels()  bpf_loop() step: the selectors listed under one index
 *                 slot that holds, into the candidates
 *  eval_sel()     bpf_loop() step: one candidate selector; for each policy hook, the
 *                 first selector whose slots all hold runs its actions
 *                 (post with rate limits and stacks, Sigkill/Signal,
 *                 Override, TrackSock/UntrackSock, user-space actions),
 *                 unless its policy is disabled, in monitor mode, or
 *                 scoped to workloads the current cgroup is not in
 *  eval_sel_cg()  the same for cgroup programs: no signals, no stacks
 *  post()         the event and its arguments into the ring buffer; those
 *                 of an enforcement taken into a ring of their own
 */
#ifndef HORNET_GEN_SELECT_BPF_H
#define HORNET_GEN_SELECT_BPF_H

#include "gen_maps.bpf.h"

/* how a matching selector's actions run (gen_actions()) */
#define GEN_MODE_MONITOR (1 << 0) /* its policy's: decided, not taken */
#define GEN_MODE_SHADOW (1 << 1) /* a shadow's: decided only, nothing done */

struct sel_ctx {
	struct gen_heap *h;
	void *ctx;
	__u32 done_hook; /* the policy hook already decided (+1), 0 none */
	__u32 done_policy;
};

/*
 * The next set bit of @words (32 of them) in the walk h->walk: false at the
 * end. One bit per call, whatever the empty words between: a bpf_loop()
 * step costs the same for every bit. The walk's state lives in the heap,
 * whose values the verifier does not track: a state on the stack would
 * differ at each step, and the verifier would follow the steps one by one.
 */
static __always_inline bool next_bit(struct gen_heap *h, const __u64 *words, __u32 *bit)
{
	__u64 b, x = h->walk.x;
	__u32 w = h->walk.w;

	if (!x) {
		if (!h->walk.nz)
			return false;
		b = h->walk.nz & -h->walk.nz;
		h->walk.nz ^= b;
		w = bit_index(b);
		h->walk.w = w;
		x = words[w & 31];
		if (!x)
			return false;
	}
	b = x & -x;
	h->walk.x = x ^ b;
	*bit = (w & 31) * 64 + bit_index(b);
	return true;
}

/*
 * bpf_loop() step: for one index slot that holds, adds the selectors listed
 * under it to the candidates (h->cand).
 */
HORNET_LOOP_STEP gather_sels(__u32 i, void *ctx)
{
	struct sel_ctx *c = ctx;
	struct gen_heap *h = c->h;
	struct hornet_sel_set *set;
	__u32 slot;

	if (!next_bit(h, h->slot_m, &slot))
		return 1;
	set = bpf_map_lookup_elem(&hornet_slot_sels, &slot);
	if (!set)
		return 0;
	for (int w = 0; w < HORNET_GEN_SEL_WORDS; w++)
		h->cand.w[w] |= set->w[w];
	h->cand.words |= set->words;
	return 0;
}

static __always_inline bool sel_matches(struct gen_heap *h, const struct hornet_gen_sel *s)
{
	for (int w = 0; w < HORNET_GEN_WORDS; w++)
		if (s->required.w[w] & ~(h->hits.w[w] ^ hornet_cfg.neg[w]))
			return false;
	return true;
}

struct hash_ctx {
	struct gen_heap *h;
	__u64 hash;
};

HORNET_LOOP_STEP hash_step(__u32 i, void *ctx)
{
	struct hash_ctx *hc = ctx;
	__u64 v;

	if (i * 8 >= hc->h->pos || i >= HORNET_GEN_DATA / 8)
		return 1;
	v = *(__u64 *)(hc->h->data + ((i * 8) & DATA_MASK));
	hc->hash = (hc->hash ^ v) * 0x100000001b3ULL;
	return 0;
}

/* true when the post goes ahead: not within the rate limit window */
static __always_inline bool rate_ok(struct gen_heap *h, const struct hornet_gen_sel *s,
				    const struct hornet_gen_act *a)
{
	struct rate_key key = {};
	__u64 now = bpf_ktime_get_ns(), *last;

	if (!a->rate_ns)
		return true;
	if (!h->args_hash) {
		/* per set of argument values, as Tetragon: computed only when needed */
		struct hash_ctx hsh = { .h = h, .hash = 0xcbf29ce484222325ULL };

		hornet_loop(hornet_loop_steps(HORNET_GEN_BOUNDED_HASH, HORNET_GEN_DATA / 8),
			    hash_step, &hsh);
		h->args_hash = hsh.hash | 1;
	}
	key.policy_id = s->policy_id;
	key.hook_id = s->hook_id;
	key.scope = a->scope == 0 ? h->tid : a->scope == 1 ? h->pid : 0;
	key.args = h->args_hash;
	last = bpf_map_lookup_elem(&hornet_rate, &key);
	if (last && now - *last < a->rate_ns)
		return false;
	bpf_map_update_elem(&hornet_rate, &key, &now, BPF_ANY);
	return true;
}

/* @stats_id: the policy whose counters the post goes to (a shadow's
 * difference counts on the shadow, whichever selector it shows) */
static __always_inline void post(struct sel_ctx *c, const struct hornet_gen_sel *s,
				 const bool tracing, __u8 action, __s32 action_arg, __u8 flags,
				 __u32 act_flags, __u8 other_action, __s32 other_arg,
				 __u32 stats_id)
{
	struct gen_heap *h = c->h;
	struct hornet_gen_event *e = &h->ev;
	struct hornet_policy_stats *st = policy_stats(stats_id);
	__u64 size, pos, blen = 0;
	long err;

	hornet_hdr_init(&e->hdr, HORNET_OP_GENERIC, 0);
	e->pid = h->pid;
	e->tid = h->tid;
	if (!h->has_proc) {
		struct hornet_proc *proc = bpf_map_lookup_elem(&hornet_procs, &h->pid);

		e->proc_ktime = proc ? proc->ktime : 0;
	} else {
		e->proc_ktime = h->proc_ktime;
	}
	e->policy_id = s->policy_id;
	e->hook_id = s->hook_id;
	e->point_id = hornet_cfg.point_id;
	e->generation = hornet_cfg.generation;
	e->sel = s->sel;
	e->action = action;
	e->flags = flags | (h->has_ret ? HORNET_GEN_EV_RET : 0);
	e->nr_args = h->nr_args;
	e->ret = h->ret;
	e->action_arg = action_arg;
	e->other_action = other_action;
	e->other_arg = other_arg;
	e->kstack_id = -1;
	e->ustack_id = -1;
	/* stack traces exist for tracing programs only */
	if (tracing && (act_flags & HORNET_ACT_KSTACK))
		e->kstack_id = bpf_get_stackid(c->ctx, &hornet_stacks, 0);
	if (tracing && (act_flags & HORNET_ACT_USTACK))
		e->ustack_id = bpf_get_stackid(c->ctx, &hornet_stacks, BPF_F_USER_STACK);
	/* locals: the verifier must see both bounds at the output below */
	pos = h->pos;
	if (pos > HORNET_GEN_DATA)
		return;
	e->data_len = pos;
	if (flags & HORNET_GEN_EV_ENFORCED) {
		/* data[] is twice HORNET_GEN_DATA: room after any arguments */
		struct hornet_proc *proc = bpf_map_lookup_elem(&hornet_procs, &h->pid);

		if (proc) {
			/* a helper call, not a 256-byte copy inlined in every instance */
			bpf_probe_read_kernel(h->data + (pos & DATA_MASK), HORNET_BINARY_KEY,
					      proc->binary);
			blen = proc->binary_len & (HORNET_BINARY_KEY - 1);
		}
	}
	e->binary_len = blen;
	size = sizeof(*e) + pos + blen;
	e->hdr.size = size;
	/* the event, its arguments and the binary are contiguous in the heap */
	if (flags & HORNET_GEN_EV_ENFORCED)
		err = bpf_ringbuf_output(&hornet_enforce, e, size, 0);
	else
		err = bpf_ringbuf_output(&hornet_events, e, size, hornet_rb_flags());
	if (err) {
		hornet_stat_inc(flags & HORNET_GEN_EV_ENFORCED ? HORNET_STAT_RB_LOST_ENFORCE
							       : HORNET_STAT_RB_LOST_GENERIC);
		if (st)
			st->lost++;
	} else if (st) {
		st->posted++;
	}
}

/*
 * The actions of one matching selector, into h->act. A global function (a
 * BTF-typed subprogram the verifier checks once, whatever its callers'
 * states) rather than inline code in eval_sel: inline, each of the three
 * actions' outcomes multiplied the states of the next, and the selector
 * walk cost the verifier hundreds of thousands of instructions per
 * instance. The heap and the selector may be NULL for the verifier.
 */
static __always_inline int actions_body(struct gen_heap *h, const struct hornet_gen_sel *s,
					__u32 mode, const bool tracing)
{
	struct hornet_policy_stats *st;

	/* not pruned by the rodata's nr_shadows: with it, 6.18's verifier fails
	 * ("verifier bug: backtracking call unexpected regs") at the signal */
	const bool shadow = mode & GEN_MODE_SHADOW;

	if (!h || !s)
		return 0;
	st = policy_stats(s->policy_id);
	if (st)
		st->runs++;
	h->act.action = HORNET_A_POST;
	h->act.arg = 0;
	h->act.flags = 0;
	h->act.act_flags = 0;
	h->act.do_post = 1;
	h->act.user = 0;
	for (int a = 0; a < HORNET_GEN_MAX_ACTIONS; a++) {
		const struct hornet_gen_act *act = &s->actions[a];

		if (a >= s->nr_actions)
			break;
		switch (act->action) {
		case HORNET_A_POST:
			h->act.act_flags |= act->flags;
			/* a shadow posts nothing: it leaves the rate map alone */
			if (!shadow && !rate_ok(h, s, act)) {
				h->act.do_post = 0;
				if (st)
					st->rate_limited++;
			}
			break;
		case HORNET_A_NOPOST:
			h->act.do_post = 0;
			break;
		case HORNET_A_SIGKILL:
		case HORNET_A_SIGNAL:
		case HORNET_A_OVERRIDE:
		case HORNET_A_NOTIFY: /* the enforcer acts, at the thread's listed call */
		case HORNET_A_SET: /* USDT: its program writes once the selectors are done */
			if (h->act.action == HORNET_A_POST) {
				h->act.action = act->action;
				h->act.arg = act->action == HORNET_A_SIGKILL ? SIGKILL : act->arg;
			}
			if (shadow)
				break;
			if (mode & GEN_MODE_MONITOR) {
				h->act.flags |= HORNET_GEN_EV_MONITOR;
				if (st)
					st->actions_skipped++;
				break;
			}
			/*
			 * The initial namespace's init: the kernel forces a BPF
			 * signal past SIGNAL_UNKILLABLE (send_signal_locked(),
			 * SEND_SIG_PRIV or SI_KERNEL), and init's death panics it.
			 * h->pid is the tgid in that namespace. The agent itself
			 * never gets here: gen_run() skips its calls.
			 */
			if ((act->action == HORNET_A_SIGKILL || act->action == HORNET_A_SIGNAL ||
			     (act->action == HORNET_A_NOTIFY && act->arg)) &&
			    h->pid == 1) {
				if (st)
					st->refused++;
				break;
			}
			if (act->action == HORNET_A_OVERRIDE) {
				h->override = act->arg;
			} else if (act->action == HORNET_A_NOTIFY) {
				if (tracing)
					notify_put(s->policy_id, s->hook_id, act->arg,
						   (__s32)act->value);
			} else if (act->action == HORNET_A_SET) {
				h->set.pending = 1;
				h->set.idx = act->arg_spec;
				h->set.val = act->value;
			} else if (tracing) {
				bpf_send_signal(act->action == HORNET_A_SIGKILL ? SIGKILL
										: act->arg);
			}
			h->act.flags |= HORNET_GEN_EV_ENFORCED;
			if (st)
				st->actions++;
			break;
		case HORNET_A_TRACKSOCK:
		case HORNET_A_UNTRACKSOCK: {
			__u64 sk = h->val[act->arg_spec & (HORNET_GEN_MAX_SPECS - 1)];

			if (shadow)
				break;
			if (act->action == HORNET_A_TRACKSOCK)
				bpf_map_update_elem(&hornet_socks, &sk, &h->pid, BPF_ANY);
			else
				bpf_map_delete_elem(&hornet_socks, &sk);
			break;
		}
		case HORNET_A_CLEANUP:
			if (tracing && !shadow)
				notify_drop();
			break;
		case HORNET_A_USER:
			if (shadow)
				break;
			h->act.user = 1;
			h->act.flags |= HORNET_GEN_EV_USER_ACTION;
			break;
		}
	}
	return 0;
}

/* The actions of selector @sel: by number, as a global function of 5.10
 * takes no pointer to a map value. */
__noinline int gen_actions(__u32 sel, __u32 mode)
{
	struct hornet_gen_sel *s = bpf_map_lookup_elem(&hornet_sels, &sel);
	struct gen_heap *h = heap();

	if (!h || !s)
		return 0;
	return actions_body(h, s, mode, true);
}

/* the cgroup programs' copy: no signals (the helper is not theirs) */
__noinline int gen_actions_cg(__u32 sel, __u32 mode)
{
	struct hornet_gen_sel *s = bpf_map_lookup_elem(&hornet_sels, &sel);
	struct gen_heap *h = heap();

	if (!h || !s)
		return 0;
	return actions_body(h, s, mode, false);
}

/*
 * A shadow pair's side that matched: what its first matching selector
 * decided, for shadow_body() to compare once the walk is done. Inline under
 * a rodata test, so that a point without pairs verifies none of it (a
 * global function is verified in every instance). A policy is in one pair
 * at most.
 */
static __always_inline void shadow_note(struct gen_heap *h, __u32 sel, __u32 policy, __u8 action,
					__s32 arg)
{
	__u32 side;

	for (int p = 0; p < HORNET_GEN_MAX_SHADOWS; p++) {
		if (p >= hornet_cfg.nr_shadows)
			break;
		if (hornet_cfg.shadow_base[p] == policy)
			side = 0;
		else if (hornet_cfg.shadow_pol[p] == policy)
			side = 1;
		else
			continue;
		if (!h->shd[p].action[side]) {
			h->shd[p].action[side] = action;
			h->shd[p].arg[side] = arg;
			h->shd[p].sel[side] = sel;
		}
		break;
	}
}

/*
 * The pairs whose shadow `hornet policy promote` promoted, read once per
 * call before the walk: every selector of the call sees the same, so the
 * one map update that promotes switches each call whole, from the policy
 * to its shadow (the point is rebuilt without the policy afterwards).
 */
static __always_inline void shadow_promoted(struct gen_heap *h)
{
	struct hornet_policy_state *ps;
	__u32 key;

	h->shd_promoted = 0;
	for (int p = 0; p < HORNET_GEN_MAX_SHADOWS; p++) {
		if (p >= hornet_cfg.nr_shadows)
			break;
		key = hornet_cfg.shadow_pol[p];
		ps = bpf_map_lookup_elem(&hornet_policy_state, &key);
		if (ps && (ps->flags & HORNET_POLICY_PROMOTED))
			h->shd_promoted |= 1U << p;
	}
}

/* @policy's part in a promoted pair: 1 the policy (it does nothing any
 * more), 2 the shadow (it acts), 0 none. */
static __always_inline int promoted_role(const struct gen_heap *h, __u32 policy)
{
	for (int p = 0; p < HORNET_GEN_MAX_SHADOWS; p++) {
		if (p >= hornet_cfg.nr_shadows)
			break;
		if (!(h->shd_promoted & (1U << p)))
			continue;
		if (hornet_cfg.shadow_base[p] == policy)
			return 1;
		if (hornet_cfg.shadow_pol[p] == policy)
			return 2;
	}
	return 0;
}

/*
 * bpf_loop() step, after the walk: shadow pair @p. When the policy and its
 * shadow decided differently, counts it on the shadow and posts the
 * shadow's selector (or, when the shadow did not match, the policy's) with
 * both decisions.
 */
static __always_inline long shadow_body(__u32 p, void *ctx, const bool tracing)
{
	struct sel_ctx *c = ctx;
	struct gen_heap *h = c->h;
	struct hornet_policy_stats *st;
	struct hornet_gen_sel *s;
	__u8 cur, shd, side;
	__u32 key, sel;

	if (p >= hornet_cfg.nr_shadows || p >= HORNET_GEN_MAX_SHADOWS)
		return 1;
	/* the compiler indexes with a copy the test above did not bound */
	barrier_var(p);
	p &= HORNET_GEN_MAX_SHADOWS - 1;
	/* promoted: the policy decides nothing, there is nothing to compare */
	if (h->shd_promoted & (1U << p))
		return 0;
	cur = h->shd[p].action[0];
	shd = h->shd[p].action[1];
	if (cur == shd && (!cur || h->shd[p].arg[0] == h->shd[p].arg[1]))
		return 0;
	key = hornet_cfg.shadow_pol[p];
	st = policy_stats(key);
	if (st) {
		if (!cur)
			st->shadow_only++;
		else if (!shd)
			st->shadow_current_only++;
		else
			st->shadow_changed++;
	}
	side = shd ? 1 : 0;
	sel = h->shd[p].sel[side];
	s = bpf_map_lookup_elem(&hornet_sels, &sel);
	if (!s)
		return 0;
	if (side)
		post(c, s, tracing, shd, h->shd[p].arg[1], HORNET_GEN_EV_SHADOW, 0, cur,
		     h->shd[p].arg[0], key);
	else
		post(c, s, tracing, cur, h->shd[p].arg[0],
		     HORNET_GEN_EV_SHADOW | HORNET_GEN_EV_SHADOW_CURRENT, 0, 0, 0, key);
	return 0;
}

HORNET_LOOP_STEP shadow_step(__u32 p, void *ctx)
{
	return shadow_body(p, ctx, true);
}

HORNET_LOOP_STEP shadow_step_cg(__u32 p, void *ctx)
{
	return shadow_body(p, ctx, false);
}

/* @tracing is a constant: the cgroup programs' copy has no signals or stacks */
static __always_inline long eval_sel_body(__u32 i, void *ctx, const bool tracing)
{
	struct sel_ctx *c = ctx;
	struct gen_heap *h = c->h;
	struct hornet_gen_sel *s;
	struct hornet_policy_state *ps;
	__u32 key = i, pkey, mode;
	bool shadow;

	if (i >= hornet_cfg.nr_sels)
		return 1;
	s = bpf_map_lookup_elem(&hornet_sels, &key);
	if (!s)
		return 1;
	/* outside its policy's workloads the selector does not exist: the
	 * policy neither posts nor acts there (checked before anything else) */
	if (hornet_cfg.scoped && s->scope) {
		__u32 idx = s->scope - 1;

		if (h->scope_host ? !(s->flags & HORNET_SEL_HOST)
				  : !(h->scope.w[(idx >> 6) & (HORNET_SCOPE_WORDS - 1)] &
				      (1ULL << (idx & 63))))
			return 0;
	}
	/* first match decides, per policy hook */
	if (c->done_hook == s->hook_id + 1 && c->done_policy == s->policy_id)
		return 0;
	pkey = s->policy_id;
	ps = bpf_map_lookup_elem(&hornet_policy_state, &pkey);
	if (!ps || !(ps->flags & HORNET_POLICY_ENABLED))
		return 0;
	shadow = hornet_cfg.nr_shadows && (s->flags & HORNET_SEL_SHADOW);
	if (hornet_cfg.nr_shadows && h->shd_promoted) {
		int role = promoted_role(h, s->policy_id);

		if (role == 1)
			return 0;
		if (role == 2)
			shadow = false;
	}
	if (!sel_matches(h, s))
		return 0;
	c->done_hook = s->hook_id + 1;
	c->done_policy = s->policy_id;
	mode = (ps->flags & HORNET_POLICY_MONITOR) ? GEN_MODE_MONITOR : 0;
	if (shadow)
		mode |= GEN_MODE_SHADOW;
	if (tracing)
		gen_actions(i, mode);
	else
		gen_actions_cg(i, mode);
	if (hornet_cfg.nr_shadows)
		shadow_note(h, i, s->policy_id, h->act.action, h->act.arg);
	/* a shadow's difference is posted after the walk (shadow_body()) */
	if (shadow)
		return 0;
	if (h->act.do_post || h->act.user)
		post(c, s, tracing, h->act.action, h->act.arg, h->act.flags, h->act.act_flags, 0, 0,
		     s->policy_id);
	return 0;
}

/* bpf_loop() steps over the candidates, in selector order: the first match
 * of each policy hook stays the first, as when every selector was walked */
HORNET_LOOP_STEP eval_sel(__u32 i, void *ctx)
{
	struct sel_ctx *c = ctx;
	__u32 sel;

	if (!next_bit(c->h, c->h->cand.w, &sel))
		return 1;
	return eval_sel_body(sel, ctx, true);
}

HORNET_LOOP_STEP eval_sel_cg(__u32 i, void *ctx)
{
	struct sel_ctx *c = ctx;
	__u32 sel;

	if (!next_bit(c->h, c->h->cand.w, &sel))
		return 1;
	return eval_sel_body(sel, ctx, false);
}

#endif /* HORNET_GEN_SELECT_BPF_H */
