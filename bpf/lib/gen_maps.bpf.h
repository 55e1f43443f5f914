/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The generic sensor's state. Offers:
 *  hornet_cfg, hornet_nr_fn_args, hornet_gen_types
 *                                 this instance's rodata (set before load)
 *  shared maps                    one set for every instance (user space
 *                                 reuses the fds): active generations, policy
 *                                 states and counters, rate limits, stacks,
 *                                 tracked sockets, the entry-to-return stash,
 *                                 NotifyEnforcer's notifications (notify.bpf.h),
 *                                 the workload scopes of each cgroup
 *  per-instance maps              selectors, their index by filter slot,
 *                                 arithmetic filters, and the value maps
 *                                 filled from the selectors
 *  struct gen_heap, heap()        the per-CPU event being built, its argument
 *                                 data and every lookup key (never the stack)
 *  set_bit(), or_bits()           the slot bitmaps
 *  bit_index()                    the position of a word's only set bit
 */
#ifndef HORNET_GEN_MAPS_BPF_H
#define HORNET_GEN_MAPS_BPF_H

#include "common.bpf.h"
#include "dns.bpf.h"
#include "notify.bpf.h"
#include <hornet/generic.h>

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define SIGKILL 9

const volatile struct hornet_gen_cfg hornet_cfg = {};
/* how many function arguments the entry program may read (BTF says) */
const volatile __u32 hornet_nr_fn_args = 6;
/* bit t: a spec of this instance has type t (enum hornet_gen_type); the
 * readers of the rarer types are behind it, so that the verifier prunes
 * them where no spec needs them */
const volatile __u32 hornet_gen_types = ~0u;

/* ---- maps shared by every instance (user space reuses the fds) ---- */

/*
 * The records of enforcement (a Sigkill, Signal or Override taken) have a
 * ring of their own: a flood of ordinary matched events fills hornet_events
 * and loses its records there, counted, but cannot push these out. The
 * agent creates it (its size is the agent's) and reads both rings in time
 * order. Its records wake the reader at once: they are few.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} hornet_enforce SEC(".maps");

/* [0]: the agent's tgid, whose own calls are never matched. A map rather
 * than rodata: an agent that takes over the pinned programs of an earlier
 * one (--keep-enforcement) writes its own here, so that they spare it while
 * it loads its own programs */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} hornet_self SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} hornet_gen_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct hornet_policy_state);
} hornet_policy_state SEC(".maps");

struct rate_key {
	__u32 policy_id;
	__u32 hook_id;
	__u64 scope;
	__u64 args;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct rate_key);
	__type(value, __u64);
} hornet_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} hornet_stacks SEC(".maps");

/* sockets that TrackSock attached to a process: sock -> tgid */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} hornet_socks SEC(".maps");

/* raw arguments kept from the entry of a function to its return */
struct stash {
	__u64 raw[HORNET_GEN_MAX_SPECS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct stash);
} hornet_stash SEC(".maps");

/* ---- this instance's selectors and filter values ---- */

/* sized by user space before load to what the point has (an array is
 * allocated whole: at the maximum, 2048 selectors would cost 0.7 MB a point) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_gen_sel);
} hornet_sels SEC(".maps");

/* index slot -> the selectors listed under it (hornet_cfg.index); sized to
 * the point's slots by user space */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_sel_set);
} hornet_slot_sels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HORNET_GEN_MAX_FILTERS);
	__type(key, __u32);
	__type(value, struct hornet_gen_filter);
} hornet_filters SEC(".maps");

/* SubString values of the HORNET_F_SUBSTR filters; sized by user space */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_substr);
} hornet_substr SEC(".maps");

/* CelExpr programs of the HORNET_F_CEL filters; sized by user space */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_cel_prog);
} hornet_cel SEC(".maps");

/* A value map of one instance: each filter value maps to the bits of the
 * filter slots it satisfies. User space sizes it to its entries before load;
 * not preallocated, since most points use few values. */
#define HORNET_BITS_MAP(_name, _type, _key)           \
	struct {                                      \
		__uint(type, _type);                  \
		__uint(max_entries, 1);               \
		__uint(map_flags, BPF_F_NO_PREALLOC); \
		__type(key, _key);                    \
		__type(value, struct hornet_bits);    \
	} _name SEC(".maps")

HORNET_BITS_MAP(hornet_str_eq, BPF_MAP_TYPE_HASH, struct hornet_str_key);
HORNET_BITS_MAP(hornet_str_prefix, BPF_MAP_TYPE_LPM_TRIE, struct hornet_lpm_str_key);
HORNET_BITS_MAP(hornet_str_postfix, BPF_MAP_TYPE_LPM_TRIE, struct hornet_lpm_str_key);
HORNET_BITS_MAP(hornet_int_eq, BPF_MAP_TYPE_HASH, struct hornet_int_key);
HORNET_BITS_MAP(hornet_addr, BPF_MAP_TYPE_LPM_TRIE, struct hornet_lpm_addr_key);

/* The string prefilter (hornet_prefilter_hash() in hornet/generic.h): one
 * entry unless the point compares strings. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HORNET_PREFILTER_ALL_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} hornet_str_pre SEC(".maps");

/* ---- per-CPU scratch ---- */

struct gen_heap {
	struct hornet_gen_event ev;
	char data[2 * HORNET_GEN_DATA];
	__u64 raw[HORNET_GEN_MAX_SPECS];
	__u64 val[HORNET_GEN_MAX_SPECS]; /* integer value per spec, for filters */
	__u32 off[HORNET_GEN_MAX_SPECS]; /* where each spec's payload starts in data */
	__u32 len[HORNET_GEN_MAX_SPECS]; /* its length */
	__u32 str_off[HORNET_GEN_MAX_SPECS]; /* its string for filters (path, name) */
	__u32 str_len[HORNET_GEN_MAX_SPECS];
	__u32 pos;
	__u32 nr_args;
	struct hornet_bits hits;
	__u64 slot_m[HORNET_GEN_WORDS]; /* hits of index slots */
	struct hornet_sel_set cand; /* the selectors that can match */
	struct {
		__u64 nz; /* the words not yet begun that have bits */
		__u64 x; /* the bits left of the current word */
		__u32 w; /* the current word */
	} walk; /* over the set bits of slot_m, then cand (next_bit()) */
	struct hornet_str_key skey;
	char tmp[HORNET_GEN_STR];
	struct hornet_lpm_str_key lkey;
	struct hornet_int_key ikey;
	struct hornet_lpm_addr_key akey;
	struct hornet_dns_addr_key dkey;
	__u64 netns; /* cgroup programs: the socket's network namespace cookie */
	/* copies of the process table entry: a pointer kept in a map value
	 * would lose its type for the verifier */
	__u32 has_proc;
	__u64 proc_ktime;
	__u64 proc_follow;
	__u64 parent_follow; /* the parent's follow bits, when cfg.lookups has PARENT */
	__u32 substr_next; /* where gen_substr()'s next step looks */
	__u32 cel_sp; /* gen_cel()'s stack: its depth and values */
	__u64 cel_st[HORNET_CEL_STACK];
	struct hornet_caps proc_caps;
	struct hornet_ns proc_ns;
	struct task_struct *task; /* only read through BPF_CORE_READ */
	struct {
		__u16 family, type, protocol, dport;
		__u8 daddr[16];
	} cg; /* the destination, in cgroup/connect programs */
	__u64 ret;
	__u32 has_ret;
	__s32 override; /* errno to return, 0 none */
	struct {
		__u64 val;
		__u8 pending, idx; /* USDT Set: write val into argument idx */
	} set;
	__u32 pid;
	__u32 tid;
	__u64 args_hash;
	struct hornet_scope_bits scope; /* the current cgroup's, when cfg.scoped */
	__u32 scope_host; /* the current cgroup is no known container's */
	struct {
		__u32 act_flags; /* HORNET_ACT_* of the posts */
		__s32 arg;
		__u8 action, flags, do_post, user;
	} act; /* what the matching selector's actions decided (gen_actions()) */
	/* per shadow pair of the point (cfg.shadow_*): side 0 is the policy,
	 * side 1 its shadow; the first selector of each that matched */
	struct {
		__u32 sel[2];
		__s32 arg[2];
		__u8 action[2]; /* 0: did not match */
		__u8 pad[6];
	} shd[HORNET_GEN_MAX_SHADOWS];
	__u32 shd_promoted; /* the pairs whose shadow is promoted, read once per call */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_heap);
} hornet_gen_heap SEC(".maps");

/* bpf_loop() wants its context on the stack: this carries the heap's address */
struct hctx {
	struct gen_heap *h;
};

#define DATA_MASK (HORNET_GEN_DATA - 1)
#define ARG_MASK (HORNET_GEN_ARG_MAX - 1)
#define STR_MASK (HORNET_GEN_STR - 1)

static __always_inline void set_bit(struct hornet_bits *b, __u32 slot)
{
	b->w[(slot >> 6) & (HORNET_GEN_WORDS - 1)] |= 1ULL << (slot & 63);
}

static __always_inline void or_bits(struct hornet_bits *dst, const struct hornet_bits *src)
{
	for (int w = 0; w < HORNET_GEN_WORDS; w++)
		dst->w[w] |= src->w[w];
}

/* the position of the one set bit of @bit: the bits below it, counted
 * without branches (each branch would be a state for the verifier) */
static __always_inline __u32 bit_index(__u64 bit)
{
	__u64 v = bit - 1;

	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return ((v * 0x0101010101010101ULL) >> 56) & 63;
}

/*
 * The per-CPU heap. The global functions look it up again rather than use
 * their pointer argument: 6.1 types such an argument as plain memory, which
 * helpers refuse as a map key or value there (later kernels accept it); the
 * lookup gives a map value, and the same memory, since the program does not
 * leave its CPU.
 */
static __always_inline struct gen_heap *heap(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hornet_gen_heap, &zero);
}

#endif /* HORNET_GEN_MAPS_BPF_H */
