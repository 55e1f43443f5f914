/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Matching for the generic sensor: which filter slots hold for this event.
 * Offers:
 *  match_string(), match_postfix(), match_int(), match_addr()
 *                 one map lookup per kind of value, ORing the slot bitmap
 *                 it finds into h->hits
 *  match_spec()   bpf_loop() step: the lookups of one captured argument
 *  match_binary() the process's binary against the string maps
 *  match_parent() the parent's binary (matchParentBinaries), the same way
 *  match_ns()     bpf_loop() step: one namespace of the current task
 *  eval_filter()  bpf_loop() step: one filter that needs arithmetic
 *                 (ranges, masks, ports, capabilities, namespaces changed,
 *                 file types, followChildren); eval_filter_later() with
 *                 the parent's followChildren and SubString too
 *  match_cg(), filter_cg()
 *                 the same steps for cgroup/connect programs
 */
#ifndef HORNET_GEN_MATCH_BPF_H
#define HORNET_GEN_MATCH_BPF_H

#include "gen_maps.bpf.h"
#include "compat.bpf.h"
#include "cred.bpf.h"

static __always_inline void lookup_bits(struct gen_heap *h, void *map, void *key)
{
	struct hornet_bits *b = bpf_map_lookup_elem(map, key);

	if (b)
		or_bits(&h->hits, b);
}

/* One bit of the prefilter map: whether some value of the point hashes to @hash */
static __always_inline int prefilter_bit(__u32 hash)
{
	__u32 word = hash >> 6;
	__u64 *w = bpf_map_lookup_elem(&hornet_str_pre, &word);

	return w && (*w & (1ULL << (hash & 63)));
}

/*
 * Whether a string of @len bytes in the heap's data, whose first (with
 * HORNET_PREFILTER_POSTFIX in @arg: last) @k bytes are at @off, may equal,
 * begin or end with a value of the point: one bit of the prefilter. A
 * global function, verified once: inlined, its code is walked again in
 * every state the argument loop reaches it with.
 */
__noinline int gen_prefilter(__u32 arg, __u32 off, __u32 k, __u32 len)
{
	struct gen_heap *h = heap();
	__u64 x;

	if (!h || len < k)
		return 0;
	__builtin_memcpy(&x, h->data + (off & DATA_MASK), sizeof(x));
	return prefilter_bit(hornet_prefilter_hash(arg, x & hornet_prefilter_mask(k)));
}

/*
 * The gate (hornet/generic.h): whether the user string at @p may equal,
 * begin or end with a value of the point's gate spec. 0 ends the call
 * before anything else is read or looked up: the quiet call of a file
 * policy costs this read and one or two array loads. A string it cannot
 * judge (unreadable, empty, longer than the compared bytes, a relative
 * path whose directory comes first) goes through. A global function,
 * verified once; the string on its own stack (a leaf: no call below it):
 * about 30 ns less per call than the per-CPU heap here.
 */
__noinline int gen_gate(__u64 p)
{
	char buf[HORNET_GEN_STR + 8]; /* + the 8 bytes a masked index may read past */
	__u32 arg = (hornet_cfg.gate_spec - 1) & (HORNET_GEN_MAX_SPECS - 1);
	__u32 k = hornet_cfg.prefilter_len, kp = hornet_cfg.postfilter_len, len, m, off;
	__u64 x;
	long n;

	*(__u64 *)(buf + HORNET_GEN_STR) = 0;
	n = bpf_probe_read_user_str(buf, HORNET_GEN_STR, (void *)p);
	if (n <= 1 || n >= HORNET_GEN_STR)
		return 1;
	if ((hornet_cfg.specs[arg].flags & HORNET_SPEC_FULLPATH) && buf[0] != '/')
		return 1;
	len = n - 1;
	if (k && len >= k) {
		__builtin_memcpy(&x, buf, sizeof(x));
		if (prefilter_bit(hornet_prefilter_hash(arg, x & hornet_prefilter_mask(k)))) {
			/* a Prefix value may match; an Equal one only with
			 * its length and last bytes */
			if (hornet_cfg.lookups & HORNET_LOOKUP_STR_PREFIX)
				return 1;
			m = len < 8 ? len : 8;
			off = len - m;
			if (off > HORNET_GEN_STR - 8)
				return 1;
			/* masked: the verifier wants the bound here */
			barrier_var(off);
			__builtin_memcpy(&x, buf + (off & STR_MASK), sizeof(x));
			if (prefilter_bit(hornet_prefilter_eq_hash(arg, len,
								   x & hornet_prefilter_mask(m))))
				return 1;
		}
	}
	if (kp && len >= kp) {
		off = len - kp;
		if (off > HORNET_GEN_STR - 8)
			return 1;
		barrier_var(off);
		__builtin_memcpy(&x, buf + (off & STR_MASK), sizeof(x));
		if (prefilter_bit(hornet_prefilter_hash(arg | HORNET_PREFILTER_POSTFIX,
							x & hornet_prefilter_mask(kp))))
			return 1;
	}
	return 0;
}

/* Exact, prefix and postfix matches of a string (@len bytes at @src). */
static __always_inline void match_string(struct gen_heap *h, __u8 arg, const char *src, __u32 len,
					 __u32 lookups)
{
	__u32 n = len < HORNET_GEN_STR - 1 ? len : HORNET_GEN_STR - 1, k = hornet_cfg.prefilter_len;

	/* every Equal and Prefix value is at least k bytes long; not for
	 * the binaries, matched in the main program, where the early return
	 * would be verified through the rest of it */
	if (k && arg < HORNET_GEN_MAX_SPECS && !gen_prefilter(arg, src - h->data, k, len))
		return;
	barrier_var(n); /* keep the masks below: the verifier needs the bound */
	if (lookups & HORNET_LOOKUP_STR_EQ && len < HORNET_GEN_STR) {
		__builtin_memset(&h->skey, 0, sizeof(h->skey));
		h->skey.arg = arg;
		bpf_probe_read_kernel(h->skey.s, n & STR_MASK, src);
		lookup_bits(h, &hornet_str_eq, &h->skey);
	}
	if (lookups & HORNET_LOOKUP_STR_PREFIX) {
		h->lkey.prefixlen = 8 + 8 * n;
		h->lkey.arg = arg;
		bpf_probe_read_kernel(h->lkey.s, n & STR_MASK, src);
		lookup_bits(h, &hornet_str_prefix, &h->lkey);
	}
}

struct rev_ctx {
	struct gen_heap *h;
	__u32 base; /* in h->data, or HORNET_GEN_DATA for h->tmp */
	__u32 len;
};

#ifndef HORNET_BOUNDED_LOOPS
static long rev_step(__u32 i, void *ctx)
{
	struct rev_ctx *r = ctx;
	struct gen_heap *h = r->h;
	__u32 at;
	char c;

	if (i >= r->len || i >= HORNET_GEN_STR - 1)
		return 1;
	barrier_var(i); /* the masks below bound the indexes for the verifier */
	at = r->base + r->len - 1 - i;
	/* indexes, not pointers: the verifier bounds a masked index */
	if (r->base == HORNET_GEN_DATA)
		c = h->tmp[(r->len - 1 - i) & STR_MASK];
	else
		c = h->data[at & DATA_MASK];
	h->lkey.s[i & 0xff] = c; /* i < 255 here: the mask is for the verifier */
	return 0;
}
#endif

/*
 * Postfix lookup of @len bytes at @base in the data, or in h->tmp (@base
 * HORNET_GEN_DATA): the last bytes, reversed, make the postfix a prefix.
 * Only as many as the longest Postfix value of the point are reversed: a
 * value can match no more than its own length, and the reversal costs a
 * bpf_loop() step per byte (up to 255 for a long path).
 */
static __always_inline void match_postfix(struct gen_heap *h, __u8 arg, __u32 base, __u32 len)
{
	__u32 most = hornet_cfg.postfix_len ? hornet_cfg.postfix_len : HORNET_GEN_STR - 1;
	__u32 k = hornet_cfg.postfilter_len;
	struct rev_ctx r = { .h = h };

	/* every Postfix value is at least k bytes long: its last k bytes */
	if (k && arg < HORNET_GEN_MAX_SPECS &&
	    !gen_prefilter(arg | HORNET_PREFILTER_POSTFIX, base + len - k, k, len))
		return;
	r.len = len < most ? len : most;
	r.base = base == HORNET_GEN_DATA ? base : base + len - r.len;
	h->lkey.arg = arg;
	h->lkey.prefixlen = 8 + 8 * r.len;
#ifdef HORNET_BOUNDED_LOOPS
	/*
	 * Bounded, each step of rev_step() would fork the verifier's walk at
	 * its ends; this loop has none: it always reverses the point's longest
	 * Postfix (rodata), and the bytes past the string's length, which the
	 * key's prefix length leaves out of the lookup, are whatever was there.
	 */
	if (r.base == HORNET_GEN_DATA) {
		for (__u32 i = 0; i < most && i < HORNET_GEN_STR - 1; i++)
			h->lkey.s[i & 0xff] = h->tmp[(r.len - 1 - i) & STR_MASK];
	} else {
		for (__u32 i = 0; i < most && i < HORNET_GEN_STR - 1; i++)
			h->lkey.s[i & 0xff] = h->data[(r.base + r.len - 1 - i) & DATA_MASK];
	}
#else
	hornet_loop(HORNET_GEN_STR - 1, rev_step, &r);
#endif
	lookup_bits(h, &hornet_str_postfix, &h->lkey);
}

static __always_inline void match_int(struct gen_heap *h, __u8 arg, __u8 sub, __u64 v)
{
	h->ikey.arg = arg;
	h->ikey.sub = sub;
	h->ikey.value = v;
	lookup_bits(h, &hornet_int_eq, &h->ikey);
}

/* Whether the IPv6 address @a is ::ffff:a.b.c.d (bytes: the map key's may be unaligned) */
static __always_inline bool v4_mapped(const __u8 *a)
{
	__u8 zero = 0;
	int i;

	for (i = 0; i < 10; i++)
		zero |= a[i];
	return !zero && a[10] == 0xff && a[11] == 0xff;
}

static __always_inline void match_addr(struct gen_heap *h, __u8 arg, __u8 which, __u16 family,
				       const __u8 *addr)
{
	__builtin_memset(&h->akey, 0, sizeof(h->akey));
	h->akey.arg = arg;
	h->akey.which = which;
	h->akey.family = family;
	if (family == AF_INET) {
		__builtin_memcpy(h->akey.addr, addr, 4);
		h->akey.prefixlen = 24 + 32;
	} else {
		__builtin_memcpy(h->akey.addr, addr, 16);
		h->akey.prefixlen = 24 + 128;
	}
	lookup_bits(h, &hornet_addr, &h->akey);
	/*
	 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d, an AF_INET6 socket that
	 * talks IPv4) matches the IPv4 CIDRs too: else connect() on an AF_INET6
	 * socket to ::ffff:127.0.0.1 evades a rule on 127.0.0.0/8.
	 */
	if (family == AF_INET6 && v4_mapped(addr)) {
		__builtin_memset(h->akey.addr, 0, sizeof(h->akey.addr));
		__builtin_memcpy(h->akey.addr, addr + 12, 4);
		h->akey.family = AF_INET;
		h->akey.prefixlen = 24 + 32;
		lookup_bits(h, &hornet_addr, &h->akey);
	}
}

/* struct net's cookie where it is a plain number (5.12 and later) */
struct net___cookie {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

/*
 * DNSName: the hashes of the names a DNS answer gave for the address, in
 * the caller's network namespace, while the answer's TTL lasts (the network
 * sensor learns them, bpf/net.bpf.c), against the selectors' values in the
 * integer map. An address no answer named matches no value: NotDNSName "*"
 * holds for it.
 */
static __always_inline void match_dns(struct gen_heap *h, __u8 arg, __u16 family, const __u8 *addr,
				      const bool tracing)
{
	struct hornet_dns_addr_key *key = &h->dkey;
	struct hornet_dns_addr *v;
	__u64 now;

	__builtin_memset(key, 0, sizeof(*key));
	if (tracing) {
		struct task_struct *task = (void *)bpf_get_current_task();
		struct net___cookie *net = (void *)BPF_CORE_READ(task, nsproxy, net_ns);

		if (!bpf_core_field_exists(net->net_cookie))
			return;
		key->netns = BPF_CORE_READ(net, net_cookie);
	} else {
		key->netns = h->netns;
	}
	if (family == AF_INET) {
		key->family = AF_INET;
		__builtin_memcpy(key->addr, addr, 4);
	} else if (family == AF_INET6 && v4_mapped(addr)) {
		key->family = AF_INET;
		__builtin_memcpy(key->addr, addr + 12, 4);
	} else if (family == AF_INET6) {
		key->family = AF_INET6;
		__builtin_memcpy(key->addr, addr, 16);
	} else {
		return;
	}
	v = bpf_map_lookup_elem(&hornet_dns_addrs, key);
	now = bpf_ktime_get_ns();
	if (!v || v->expires <= now)
		return;
	for (int i = 0; i < HORNET_DNS_HASHES; i++) {
		if (i >= v->nr)
			break;
		match_int(h, arg, HORNET_NET_DNS_NAME, v->hash[i]);
	}
}

/* @tracing is a constant: cgroup programs match the destination only (their
 * sockets have no source yet) and have no string or integer arguments. */
static __always_inline long match_body(__u32 i, void *ctx, const bool tracing)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	__u32 k = i & (HORNET_GEN_MAX_SPECS - 1), lookups = hornet_cfg.lookups;
	const volatile struct hornet_gen_spec *sp;
	__u32 so, sl;

	if (i >= hornet_cfg.nr_specs)
		return 1;
	sp = &hornet_cfg.specs[k];
	if (tracing && (sp->flags & HORNET_SPEC_FILTER_STR)) {
		so = h->str_off[k];
		sl = h->str_len[k];
		if (sp->type == HORNET_GT_MODULE || sp->type == HORNET_GT_LOAD_INFO ||
		    sp->type == HORNET_GT_NETDEV) {
			so = h->off[k];
			sl = 0;
			/* fixed-size name: its length */
			for (int c = 0; c < 63; c++) {
				if (!h->data[(so + c) & DATA_MASK])
					break;
				sl++;
			}
			/* through the heap, which the verifier does not track:
			 * each of the 64 exact lengths the loop leaves would
			 * be a state of its own for the lookups below */
			h->str_len[k] = sl;
			sl = h->str_len[k];
		}
		match_string(h, k, h->data + (so & DATA_MASK), sl, lookups);
		if (lookups & HORNET_LOOKUP_STR_POSTFIX)
			match_postfix(h, k, so & DATA_MASK, sl);
	}
	/* an integer compared only by arithmetic (Mask, GT, ranges) has no
	 * value in the map: no lookup for it */
	if (tracing && (sp->flags & HORNET_SPEC_FILTER_INT) && (lookups & HORNET_LOOKUP_INT_EQ))
		match_int(h, k, 0, h->val[k]);
	if (sp->flags & HORNET_SPEC_FILTER_NET) {
		struct hornet_sock_data *sd = (void *)(h->data + (h->off[k] & DATA_MASK));

		if (sp->type == HORNET_GT_SOCKADDR) {
			struct hornet_sockaddr_data *sa = (void *)sd;

			/* Tetragon's operators for a sockaddr: SAddr, SPort (its address) */
			if (lookups & HORNET_LOOKUP_ADDR)
				match_addr(h, k, HORNET_NET_SADDR, sa->family, sa->addr);
			if (lookups & HORNET_LOOKUP_PORT)
				match_int(h, k, HORNET_NET_SPORT, sa->port);
			if (lookups & HORNET_LOOKUP_NETINT)
				match_int(h, k, HORNET_NET_FAMILY, sa->family);
			if (lookups & HORNET_LOOKUP_DNS)
				match_dns(h, k, sa->family, sa->addr, tracing);
			return 0;
		}
		if (lookups & HORNET_LOOKUP_ADDR) {
			if (tracing)
				match_addr(h, k, HORNET_NET_SADDR, sd->family, sd->saddr);
			match_addr(h, k, HORNET_NET_DADDR, sd->family, sd->daddr);
		}
		if (lookups & HORNET_LOOKUP_PORT) {
			if (tracing)
				match_int(h, k, HORNET_NET_SPORT, sd->sport);
			match_int(h, k, HORNET_NET_DPORT, sd->dport);
		}
		if (lookups & HORNET_LOOKUP_NETINT) {
			match_int(h, k, HORNET_NET_PROTOCOL, sd->protocol);
			match_int(h, k, HORNET_NET_FAMILY, sd->family);
			if (tracing)
				match_int(h, k, HORNET_NET_STATE, sd->state);
		}
		if (lookups & HORNET_LOOKUP_DNS)
			match_dns(h, k, sd->family, sd->daddr, tracing);
	}
	return 0;
}

/* The lookups of one argument of a tracing program: a global function, so
 * the verifier checks them once, not once per state of the loop. */
__noinline int gen_match_spec(__u32 i)
{
	struct hctx hc = { .h = heap() };

	if (!hc.h)
		return 1;
	return match_body(i, &hc, true);
}

HORNET_LOOP_STEP match_spec(__u32 i, void *ctx)
{
	/* a callback returns 0 or 1: the verifier does not know the global's range */
	return gen_match_spec(i) ? 1 : 0;
}

HORNET_LOOP_STEP match_cg(__u32 i, void *ctx)
{
	return match_body(i, ctx, false);
}

/*
 * A process's binary against the string maps, under map key @arg
 * (HORNET_KEY_BINARY or HORNET_KEY_PARENT_BINARY). Tracing programs copy
 * its bytes with a read helper; cgroup programs, which have none, use the
 * whole zero-padded field of the process table as the key.
 */
static __always_inline void match_binary(struct gen_heap *h, const struct hornet_proc *proc,
					 __u8 arg, __u32 lookups, const bool tracing)
{
	if (!proc)
		return;
	if (tracing) {
		match_string(h, arg, proc->binary, proc->binary_len & STR_MASK, lookups);
		if (lookups & HORNET_LOOKUP_STR_POSTFIX) {
			__u32 n = proc->binary_len & STR_MASK, m = n;

			/* its last bytes only: match_postfix() reverses no more */
			if (hornet_cfg.postfix_len && m > hornet_cfg.postfix_len)
				m = hornet_cfg.postfix_len;
			bpf_probe_read_kernel(h->tmp, m & STR_MASK, proc->binary + (n - m));
			match_postfix(h, arg, HORNET_GEN_DATA, m);
		}
		return;
	}
	if (lookups & HORNET_LOOKUP_STR_EQ) {
		__builtin_memset(&h->skey, 0, sizeof(h->skey));
		h->skey.arg = arg;
		__builtin_memcpy(h->skey.s, proc->binary, HORNET_GEN_STR - 1);
		lookup_bits(h, &hornet_str_eq, &h->skey);
	}
	if (lookups & HORNET_LOOKUP_STR_PREFIX) {
		h->lkey.arg = arg;
		h->lkey.prefixlen = 8 + 8 * (proc->binary_len & STR_MASK);
		__builtin_memcpy(h->lkey.s, proc->binary, HORNET_GEN_STR - 1);
		lookup_bits(h, &hornet_str_prefix, &h->lkey);
	}
}

/*
 * matchParentBinaries: the parent's entry, while it is still the process
 * that forked this one (its exec time is the pktime this one keeps: a
 * parent that exec'd since, or a pid reused, is no longer it). An unknown
 * parent has no binary: no value matches it, a NotIn holds.
 */
static __always_inline void match_parent(struct gen_heap *h, const struct hornet_proc *proc,
					 __u32 lookups, const bool tracing)
{
	struct hornet_proc *parent;
	__u32 ppid;

	h->parent_follow = 0;
	if (!proc)
		return;
	ppid = proc->ppid;
	parent = bpf_map_lookup_elem(&hornet_procs, &ppid);
	if (!parent || parent->ktime != proc->pktime)
		return;
	h->parent_follow = parent->follow;
	match_binary(h, parent, HORNET_KEY_PARENT_BINARY, lookups, tracing);
}

static __always_inline __u32 current_ns(struct task_struct *task, __u32 t)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	switch (t) {
	case HORNET_NS_UTS:
		return BPF_CORE_READ(nsp, uts_ns, ns.inum);
	case HORNET_NS_IPC:
		return BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	case HORNET_NS_MNT:
		return BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	case HORNET_NS_PID: {
		struct pid *pid = BPF_CORE_READ(task, thread_pid);
		unsigned int level = BPF_CORE_READ(pid, level);
		struct upid upid = {};

		bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
		return BPF_CORE_READ(upid.ns, ns.inum);
	}
	case HORNET_NS_PID_FOR_CHILDREN:
		return BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	case HORNET_NS_NET:
		return BPF_CORE_READ(nsp, net_ns, ns.inum);
	case HORNET_NS_TIME:
		return BPF_CORE_READ(nsp, time_ns, ns.inum);
	case HORNET_NS_TIME_FOR_CHILDREN:
		return BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	case HORNET_NS_CGROUP:
		return BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	case HORNET_NS_USER:
		return BPF_CORE_READ(task, cred, user_ns, ns.inum);
	}
	return 0;
}

HORNET_LOOP_STEP match_ns(__u32 t, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;

	if (t >= HORNET_NS_COUNT)
		return 1;
	if (hornet_cfg.ns_lookups & (1U << t))
		match_int(h, HORNET_KEY_NS(t), 0, current_ns(h->task, t));
	return 0;
}

/* ASCII capitals of the 8 bytes of @x to small letters, in a few operations */
static __always_inline __u64 fold_word(__u64 x)
{
	__u64 low7 = x & 0x7f7f7f7f7f7f7f7fULL;
	__u64 ge_a = low7 + 0x3f3f3f3f3f3f3f3fULL; /* bit 7 set from 'A' (0x41) */
	__u64 gt_z = low7 + 0x2525252525252525ULL; /* bit 7 set from '[' (0x5b) */

	return x | ((ge_a & ~gt_z & ~x & 0x8080808080808080ULL) >> 2);
}

struct substr_ctx {
	struct gen_heap *h;
	struct hornet_substr *n;
	__u32 at; /* the string's start in the heap's data */
	__u32 end; /* the last byte where the value may start */
	__u32 words; /* of the value, the last one masked */
	__u64 last; /* mask of the last word's bytes */
	__u64 first, first_mask; /* the value's first word, as compared */
	__u32 fold;
	__u32 found;
};

/* 8 bytes of the string at @pos, folded for SubStringIgnCase */
static __always_inline __u64 substr_word(const struct substr_ctx *s, __u32 pos)
{
	/* masked: data[] is twice HORNET_GEN_DATA, 8 bytes past any index
	 * fit; one 8-byte load, unaligned (a copy would be 8 byte loads):
	 * the verifier allows it where the CPU does unaligned loads */
	__u64 x = *(__u64 *)(s->h->data + ((s->at + pos) & DATA_MASK));

	return s->fold ? fold_word(x) : x;
}

/* whether the value's words after the first are at byte @pos */
static __always_inline bool substr_rest(const struct substr_ctx *s, __u32 pos)
{
	__u64 m;

	for (__u32 w = 1; w < HORNET_SUBSTR_MAX / 8; w++) {
		if (w >= s->words)
			break;
		m = w + 1 == s->words ? s->last : ~0ULL;
		if ((substr_word(s, pos + w * 8) ^ *(__u64 *)(s->n->s + w * 8)) & m)
			return false;
	}
	return true;
}

/*
 * bpf_loop() step: the value's first word against the next 8 places of the
 * string; on a hit, the rest at that place, and the next step goes on from
 * the place after. A step costs more than the compares: 8 places a step
 * rather than one made the search 2x cheaper. The loops follow each other,
 * not nested: nested, the verifier walked past its limit.
 */
HORNET_LOOP_STEP substr_step(__u32 i, void *ctx)
{
	struct substr_ctx *s = ctx;
	/* in the heap, which the verifier does not track: on the stack, each
	 * step's position would be a state of its own */
	__u32 pos = s->h->substr_next;
	bool hit = false;

	for (__u32 j = 0; j < 8; j++) {
		if (pos > s->end)
			return 1;
		if (!((substr_word(s, pos) ^ s->first) & s->first_mask)) {
			hit = true;
			break;
		}
		pos++;
	}
	s->h->substr_next = hit ? pos + 1 : pos;
	if (hit && substr_rest(s, pos)) {
		s->found = 1;
		return 1;
	}
	return 0;
}

/*
 * SubString, SubStringIgnCase: whether spec @spec's string holds value
 * @idx, tried at every byte (a value of up to 13 words against the
 * string's first 255 bytes). Static, not global: kernels before 6.8
 * verify every global function of a program, reached or not, and every
 * generic program would pay for this one; a static one is verified only
 * where a point's filters reach it.
 */
static __noinline int gen_substr(__u32 spec, __u32 idx, __u32 fold)
{
	struct substr_ctx s = { .h = heap(), .fold = fold };
	__u32 k = spec & (HORNET_GEN_MAX_SPECS - 1), len, key = idx;

	if (!s.h)
		return 0;
	s.n = bpf_map_lookup_elem(&hornet_substr, &key);
	if (!s.n)
		return 0;
	len = s.h->str_len[k];
	/* the first 255 bytes, as the other string operators */
	if (len > HORNET_GEN_STR - 1)
		len = HORNET_GEN_STR - 1;
	if (s.n->len > len || s.n->len >= HORNET_SUBSTR_MAX)
		return 0;
	if (!s.n->len)
		return 1;
	s.at = s.h->str_off[k];
	s.end = len - s.n->len;
	s.words = (s.n->len + 7) / 8;
	s.last = s.n->len % 8 ? (1ULL << (8 * (s.n->len % 8))) - 1 : ~0ULL;
	s.first = *(__u64 *)s.n->s;
	s.first_mask = s.words == 1 ? s.last : ~0ULL;
	/* each step moves on by 1 to 8 places */
	s.h->substr_next = 0;
	hornet_loop(HORNET_GEN_STR, substr_step, &s);
	return s.found;
}

/*
 * CelExpr: runs program @idx (compiled by src/policy/cel.c, which has the
 * same evaluator for its tests) on the captured integer arguments; true
 * when it leaves a non-zero value. The stack is in the heap, so that each
 * step's branches meet again as one state. Static, as gen_substr().
 */
static __noinline int gen_cel(__u32 idx)
{
	struct gen_heap *h = heap();
	struct hornet_cel_prog *p;
	const struct hornet_cel_op *o;
	__u32 key = idx, sp;
	__u64 a, b, r;
	int ok = 1;

	if (!h)
		return 0;
	p = bpf_map_lookup_elem(&hornet_cel, &key);
	if (!p)
		return 0;
	h->cel_sp = 0;
	for (__u32 i = 0; i < HORNET_CEL_OPS; i++) {
		if (i >= p->len)
			break;
		o = &p->ops[i & (HORNET_CEL_OPS - 1)];
		/* read from the heap each step: kept in a register, its known
		 * value would make each step's states differ */
		sp = *(volatile __u32 *)&h->cel_sp;
		b = h->cel_st[(sp - 1) & (HORNET_CEL_STACK - 1)];
		a = h->cel_st[(sp - 2) & (HORNET_CEL_STACK - 1)];
		r = hornet_cel_apply(o, h->val[o->arg & (HORNET_GEN_MAX_SPECS - 1)], a, b, &ok);
		if (!ok)
			return 0;
		sp += hornet_cel_depth(o->op);
		h->cel_st[(sp - 1) & (HORNET_CEL_STACK - 1)] = r;
		h->cel_sp = sp;
	}
	return h->cel_st[(h->cel_sp - 1) & (HORNET_CEL_STACK - 1)] != 0;
}

static __always_inline __u64 current_caps(struct task_struct *task, __u32 set)
{
	return hornet_read_cred_set(BPF_CORE_READ(task, cred), set);
}

/* @tracing is a constant: cgroup programs have the destination port, the
 * process table and nothing of the task. @later is a constant too: whether
 * the point has kinds after HORNET_F_ALWAYS (matchParentBinaries with
 * followChildren, SubString): a point without has no code of theirs. */
static __always_inline long filter_body(__u32 i, void *ctx, const bool tracing, const bool later)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	struct hornet_gen_filter *f;
	__u32 key = i;
	bool ok = false;
	__u64 v = 0;

	if (i >= hornet_cfg.nr_filters)
		return 1;
	f = bpf_map_lookup_elem(&hornet_filters, &key);
	if (!f)
		return 1;
	if (!tracing)
		v = 0;
	else if (f->arg < HORNET_GEN_MAX_SPECS)
		v = h->val[f->arg & (HORNET_GEN_MAX_SPECS - 1)];
	else if (f->arg == HORNET_KEY_RET)
		v = h->ret;
	if (later && f->kind > HORNET_F_ALWAYS) {
		if (f->kind == HORNET_F_PARENT_FOLLOW)
			/* an ancestor above the process ran the binary */
			ok = h->parent_follow & f->a;
		else if (tracing && f->kind == HORNET_F_SUBSTR &&
			 (hornet_cfg.lookups & HORNET_LOOKUP_SUBSTR))
			ok = gen_substr(f->arg, f->a, f->sub);
		else if (tracing && f->kind == HORNET_F_CEL &&
			 (hornet_cfg.lookups & HORNET_LOOKUP_CEL))
			ok = gen_cel(f->a);
		goto out;
	}
	/* cgroup programs: the port filters and followChildren only (the
	 * hook plan allows no others there); `tracing` in the cases below
	 * leaves their task reads out of the cgroup programs' code */
	if (!tracing && f->kind != HORNET_F_PORT_RANGE && f->kind != HORNET_F_PORT_PRIV &&
	    f->kind != HORNET_F_FOLLOW && f->kind != HORNET_F_ALWAYS)
		return 0;
	switch (f->kind) {
	case HORNET_F_INT_GT:
		ok = (__s64)v > (__s64)f->a;
		break;
	case HORNET_F_INT_LT:
		ok = (__s64)v < (__s64)f->a;
		break;
	case HORNET_F_INT_RANGE:
		ok = (__s64)v >= (__s64)f->a && (__s64)v <= (__s64)f->b;
		break;
	case HORNET_F_INT_MASK:
		ok = (v & f->a) != 0;
		break;
	case HORNET_F_PORT_RANGE:
	case HORNET_F_PORT_PRIV: {
		struct hornet_sock_data *sd =
			(void *)(h->data +
				 (h->off[f->arg & (HORNET_GEN_MAX_SPECS - 1)] & DATA_MASK));
		__u16 port;

		if (!tracing)
			port = h->cg.dport;
		else if (hornet_cfg.specs[f->arg & (HORNET_GEN_MAX_SPECS - 1)].type ==
			 HORNET_GT_SOCKADDR)
			port = ((struct hornet_sockaddr_data *)sd)->port;
		else
			port = f->sub == HORNET_NET_SPORT ? sd->sport : sd->dport;
		if (f->kind == HORNET_F_PORT_PRIV)
			ok = port < 1024;
		else
			ok = port >= f->a && port <= f->b;
		break;
	}
	case HORNET_F_CAPS:
		ok = tracing && (current_caps(h->task, f->sub) & f->a) != 0;
		break;
	case HORNET_F_CAPS_ALL:
		ok = tracing && (current_caps(h->task, f->sub) & f->a) == f->a;
		break;
	case HORNET_F_CAPS_CHANGED: {
		__u64 now, then;

		if (!tracing || !h->has_proc)
			break;
		now = current_caps(h->task, f->sub);
		then = f->sub == HORNET_CAP_PERMITTED	  ? h->proc_caps.permitted
		       : f->sub == HORNET_CAP_INHERITABLE ? h->proc_caps.inheritable
							  : h->proc_caps.effective;
		ok = (now & ~then & f->a) != 0;
		break;
	}
	case HORNET_F_CAPS_GAINED: {
		/* the cred argument has capabilities the process does not */
		ok = tracing && (v & ~current_caps(h->task, HORNET_CAP_EFFECTIVE) & f->a) != 0;
		break;
	}
	case HORNET_F_NS_CHANGED:
		if (!tracing || !h->has_proc)
			break;
		for (int t = 0; t < HORNET_NS_COUNT; t++) {
			if ((f->a & (1ULL << t)) && current_ns(h->task, t) != h->proc_ns.inum[t])
				ok = true;
		}
		break;
	case HORNET_F_FILE_TYPE:
		ok = (v & S_IFMT) == f->a;
		break;
	case HORNET_F_FOLLOW:
		/* followChildren: an ancestor ran the binary */
		ok = h->has_proc && (h->proc_follow & f->a);
		break;
	case HORNET_F_ALWAYS:
		ok = true;
		break;
	}
out:
	if (ok)
		set_bit(&h->hits, f->slot);
	return 0;
}

HORNET_LOOP_STEP eval_filter(__u32 i, void *ctx)
{
	return filter_body(i, ctx, true, false);
}

HORNET_LOOP_STEP eval_filter_later(__u32 i, void *ctx)
{
	return filter_body(i, ctx, true, true);
}

HORNET_LOOP_STEP filter_cg(__u32 i, void *ctx)
{
	return filter_body(i, ctx, false, false);
}

HORNET_LOOP_STEP filter_cg_later(__u32 i, void *ctx)
{
	return filter_body(i, ctx, false, true);
}

#endif /* HORNET_GEN_MATCH_BPF_H */
