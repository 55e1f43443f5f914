/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire ABI of the generic sensor (bpf/generic.bpf.c): the programs that
 * policies' hooks run. One program instance serves one hook point (a kernel
 * function, LSM hook, tracepoint or user function) for every policy that
 * names it: it reads the arguments those policies need once, finds which
 * selectors match with a few map lookups (filter values live in hash maps
 * and LPM tries, so the cost does not grow with their number), and takes
 * the first matching selector's actions for each policy hook.
 */
#ifndef HORNET_GENERIC_H
#define HORNET_GENERIC_H

#include <hornet/events.h>

#define HORNET_GEN_MAX_SPECS 8 /* arguments read per hook point */
#define HORNET_GEN_WORDS 32 /* filter slots per hook point: 64 * this */
#define HORNET_GEN_MAX_SLOTS (64 * HORNET_GEN_WORDS)
#define HORNET_GEN_SEL_WORDS 32 /* selectors per hook point, all policies: 64 * this */
#define HORNET_GEN_MAX_SELS (64 * HORNET_GEN_SEL_WORDS)
#define HORNET_GEN_MAX_FILTERS 64 /* filters evaluated one by one (ranges, masks, caps) */
#define HORNET_GEN_STR 256 /* bytes of a string that selectors compare */
#define HORNET_GEN_DATA 8192 /* bytes of argument data in one event */
#define HORNET_GEN_ARG_MAX 4096 /* bytes of one argument's data */
#define HORNET_GEN_MAX_RESOLVE 6 /* steps of a "resolve" field path */
#define HORNET_GEN_MAX_ACTIONS 3
/* 8-byte words of argument data a rateLimit keys on without bpf_loop() (before 5.17) */
#define HORNET_GEN_BOUNDED_HASH 64

/*
 * CelExpr: a CEL expression over integer arguments, compiled by user space
 * (src/policy/cel.c) to a stack program the kernel runs (gen_cel()).
 */
#define HORNET_CEL_OPS 32 /* steps of one expression */
#define HORNET_CEL_STACK 8 /* its stack depth */
#define HORNET_CEL_PROGS 64 /* expressions on one hook point */

enum hornet_cel_opcode {
	HORNET_CEL_IMM, /* push imm */
	HORNET_CEL_ARG, /* push spec arg's value */
	HORNET_CEL_NEG, /* unary: -x, ~x, !x, the low 32 bits sign- or zero-extended */
	HORNET_CEL_BNOT,
	HORNET_CEL_LNOT,
	HORNET_CEL_I32,
	HORNET_CEL_U32,
	HORNET_CEL_ADD, /* binary: the two on top, replaced by the result */
	HORNET_CEL_SUB,
	HORNET_CEL_BAND,
	HORNET_CEL_BOR,
	HORNET_CEL_BXOR,
	HORNET_CEL_LAND,
	HORNET_CEL_LOR,
	HORNET_CEL_EQ,
	HORNET_CEL_NE,
	HORNET_CEL_LT, /* signed */
	HORNET_CEL_LE,
	HORNET_CEL_GT,
	HORNET_CEL_GE,
	HORNET_CEL_LTU, /* unsigned */
	HORNET_CEL_LEU,
	HORNET_CEL_GTU,
	HORNET_CEL_GEU,
};

struct hornet_cel_op {
	__u8 op; /* enum hornet_cel_opcode */
	__u8 arg;
	__u8 pad[6];
	__s64 imm;
};

struct hornet_cel_prog {
	__u32 len;
	__u32 pad;
	struct hornet_cel_op ops[HORNET_CEL_OPS];
};

/*
 * One step of an expression: the value it leaves on top, from @o, the
 * value of its argument @argv (HORNET_CEL_ARG), the value under the top
 * (@a) and the top (@b); *@ok is cleared for an unknown op. Both
 * evaluators use it: the kernel's (gen_cel()) and user space's, for tests
 * (src/policy/cel.c). hornet_cel_depth(): how it moves the stack's top.
 */
static inline int hornet_cel_depth(__u8 op)
{
	return op <= HORNET_CEL_ARG ? 1 : op >= HORNET_CEL_ADD ? -1 : 0;
}

static inline __u64 hornet_cel_apply(const struct hornet_cel_op *o, __u64 argv, __u64 a, __u64 b,
				     int *ok)
{
	switch (o->op) {
	case HORNET_CEL_IMM:
		return (__u64)o->imm;
	case HORNET_CEL_ARG:
		return argv;
	case HORNET_CEL_NEG:
		return -b;
	case HORNET_CEL_BNOT:
		return ~b;
	case HORNET_CEL_LNOT:
		return !b;
	case HORNET_CEL_I32:
		return (__u64)(__s64)(__s32)b;
	case HORNET_CEL_U32:
		return (__u32)b;
	case HORNET_CEL_ADD:
		return a + b;
	case HORNET_CEL_SUB:
		return a - b;
	case HORNET_CEL_BAND:
		return a & b;
	case HORNET_CEL_BOR:
		return a | b;
	case HORNET_CEL_BXOR:
		return a ^ b;
	case HORNET_CEL_LAND:
		return a && b;
	case HORNET_CEL_LOR:
		return a || b;
	case HORNET_CEL_EQ:
		return a == b;
	case HORNET_CEL_NE:
		return a != b;
	case HORNET_CEL_LT:
		return (__s64)a < (__s64)b;
	case HORNET_CEL_LE:
		return (__s64)a <= (__s64)b;
	case HORNET_CEL_GT:
		return (__s64)a > (__s64)b;
	case HORNET_CEL_GE:
		return (__s64)a >= (__s64)b;
	case HORNET_CEL_LTU:
		return a < b;
	case HORNET_CEL_LEU:
		return a <= b;
	case HORNET_CEL_GTU:
		return a > b;
	case HORNET_CEL_GEU:
		return a >= b;
	default:
		*ok = 0;
		return 0;
	}
}

/* Where a spec's raw value comes from. */
enum hornet_gen_src {
	HORNET_SRC_ARG, /* the function's argument N (kprobe, fentry, lsm, raw tp, uprobe) */
	HORNET_SRC_SYSCALL, /* syscall argument N, through the wrapper's pt_regs */
	HORNET_SRC_TP_FIELD, /* a tracepoint record field: offset, size */
	HORNET_SRC_RET, /* the return value */
	HORNET_SRC_PROC, /* nothing to read: process data only (nop) */
	HORNET_SRC_TASK, /* the current task_struct, then the resolve steps (data[] source) */
};

/* How a raw value is turned into event data. */
enum hornet_gen_type {
	HORNET_GT_NOP,
	HORNET_GT_INT, /* size and sign in the spec */
	HORNET_GT_STRING, /* NUL-terminated */
	HORNET_GT_BUF, /* char_buf: size from another spec */
	HORNET_GT_FD, /* int fd -> the file's path */
	HORNET_GT_FILE, /* struct file * */
	HORNET_GT_PATH, /* struct path * */
	HORNET_GT_DENTRY, /* struct dentry * */
	HORNET_GT_FILENAME, /* struct filename * */
	HORNET_GT_BINPRM, /* struct linux_binprm * */
	HORNET_GT_KIOCB, /* struct kiocb * */
	HORNET_GT_SOCK, /* struct sock * */
	HORNET_GT_SOCKET, /* struct socket * */
	HORNET_GT_SKB, /* struct sk_buff * */
	HORNET_GT_SOCKADDR, /* struct sockaddr * */
	HORNET_GT_NETDEV, /* struct net_device * */
	HORNET_GT_CRED, /* struct cred * */
	HORNET_GT_CAPS, /* kernel_cap_t, by value or pointer */
	HORNET_GT_USER_NS, /* struct user_namespace * */
	HORNET_GT_BPF_ATTR, /* union bpf_attr * */
	HORNET_GT_BPF_MAP, /* struct bpf_map * */
	HORNET_GT_BPF_PROG, /* struct bpf_prog * */
	HORNET_GT_PERF_EVENT, /* struct perf_event * */
	HORNET_GT_MODULE, /* struct module * */
	HORNET_GT_LOAD_INFO, /* struct load_info * */
	HORNET_GT_IOVEC, /* char_iovec: struct iovec *, count from another spec */
	HORNET_GT_IOV_ITER, /* struct iov_iter * */
	HORNET_GT_SOCKADDR_UN, /* struct sockaddr_un * */
	HORNET_GT_DATALOC, /* a tracepoint's __data_loc string */
	HORNET_GT_COUNT,
};

/*
 * A USDT argument, as its probe site's note describes it ("-4@%edi",
 * "8@-16(%rbp)", "4@$5"): read by the usdt program from the registers the
 * uprobe saw. Only the usdt program reads these (hornet_usdt_args).
 */
enum hornet_usdt_kind {
	HORNET_USDT_NONE, /* no such argument, or one hornet cannot read: 0 */
	HORNET_USDT_CONST, /* the value itself */
	HORNET_USDT_REG, /* a register */
	HORNET_USDT_REG_DEREF, /* memory at a register plus an offset */
};

#define HORNET_USDT_BPF_ARGS 6 /* USDT arguments the usdt program reads */

struct hornet_usdt_arg {
	__s64 val; /* CONST: the value; REG_DEREF: the offset added to the register */
	__u16 reg_off; /* the register's offset in struct pt_regs */
	__u8 kind; /* enum hornet_usdt_kind */
	__s8 size; /* bytes (1, 2, 4, 8); negative: signed */
	__u8 pad[4];
};
_Static_assert(sizeof(struct hornet_usdt_arg) == 16, "hornet_usdt_arg size");

/* hornet_gen_spec.flags */
#define HORNET_SPEC_USER (1 << 0) /* the pointer is into user memory */
#define HORNET_SPEC_SIGNED (1 << 1) /* INT: sign-extend */
#define HORNET_SPEC_CAPS_PTR (1 << 2) /* CAPS: a pointer to kernel_cap_t */
#define HORNET_SPEC_RETCOPY (1 << 3) /* BUF: read at return (returnCopy) */
#define HORNET_SPEC_FILTER_STR (1 << 4) /* selectors compare it as a string */
#define HORNET_SPEC_FILTER_INT (1 << 5) /* selectors compare it as an integer */
#define HORNET_SPEC_FILTER_NET (1 << 6) /* selectors compare its addresses, ports */
#define HORNET_SPEC_FULLPATH (1 << 7) /* STRING: a path, made absolute with the cwd or dirfd */

struct hornet_gen_spec {
	__u8 src; /* enum hornet_gen_src */
	__u8 type; /* enum hornet_gen_type */
	__u8 flags; /* HORNET_SPEC_* */
	__u8 size_spec; /* BUF: the spec holding the size; 0xff none */
	__u16 index; /* argument number, or tracepoint field offset */
	__u16 size; /* INT and tracepoint fields: bytes */
	__u32 max_data; /* BUF, STRING: bytes to copy at most */
	__u8 nr_resolve; /* steps of resolve[] to follow first */
	__u8 field_size; /* TP_FIELD: bytes of the record's field (1, 2, 4 or 8) */
	__u8 dirfd_arg; /* FULLPATH: the syscall argument with the dirfd; 0xff: the cwd */
	__u8 pad;
	__u16 resolve[HORNET_GEN_MAX_RESOLVE]; /* byte offsets; 8 bytes are read at each */
	__u16 resolve_add; /* then added: the offset of an embedded struct */
	__u16 pad2;
};
_Static_assert(sizeof(struct hornet_gen_spec) == 32, "hornet_gen_spec size");

/*
 * A set of selectors (bit i: selector i). Bit w of @words says that w[w] is
 * not zero, so that a walk over the set skips empty words without a loop.
 */
struct hornet_sel_set {
	__u64 words;
	__u64 w[HORNET_GEN_SEL_WORDS];
};
_Static_assert(HORNET_GEN_SEL_WORDS <= 64, "hornet_sel_set words");

/*
 * The integer gate: when every selector of a tracepoint's point needs an
 * integer field of the record to equal one of a few values (matchArgs
 * Equal, a syscall list, InMap), the entry program compares those fields
 * first, and a call that no selector's tests all pass ends there, before
 * the event is built: socket(AF_INET, SOCK_STREAM) under a policy on
 * SOCK_RAW and AF_PACKET. A test compares the field's first @size bytes
 * (the integer's own size): values below 64 as bits of @small, the others
 * one by one. Necessary, not sufficient: what passes is matched in full.
 */
#define HORNET_GATE_TESTS 8 /* tests, and selectors, of a gate at most */
#define HORNET_GATE_VALS 4 /* values of 64 or more per test */

struct hornet_gate_test {
	__u16 off; /* the field's offset in the record */
	__u8 field_size; /* the field's bytes (1, 2, 4 or 8) */
	__u8 size; /* bytes compared: the integer's */
	__u8 nr_vals;
	__u8 pad[3];
	__u64 small; /* bit v: value v, for v < 64 */
	__u64 vals[HORNET_GATE_VALS];
};
_Static_assert(sizeof(struct hornet_gate_test) == 48, "hornet_gate_test size");

/* shadowed policies on one hook point */
#define HORNET_GEN_MAX_SHADOWS 4

/* The rodata of one program instance. */
struct hornet_gen_cfg {
	__u32 point_id; /* this hook point, for the generation check */
	__u32 generation; /* runs only while hornet_gen_active[point_id] equals it */
	__u32 nr_specs;
	__u32 nr_sels;
	__u32 nr_filters;
	__u32 lookups; /* HORNET_LOOKUP_* this point's selectors need */
	__u32 ns_lookups; /* bit per namespace type that has In/NotIn values */
	__u32 ret_spec; /* 1 + the spec of the return value; 0 none */
	__u32 always; /* a selector has no positive filter slot: always evaluate */
	__u32 self_tgid; /* the agent that loaded it (hornet_self says whose calls to spare) */
	__u32 scoped; /* a selector has a workload scope: look the cgroup up */
	__u32 nr_index; /* the slots set in index[] */
	__u8 postfix_len; /* bytes of the longest Postfix value: the ones reversed */
	__u8 prefilter_len; /* K of the prefilter of Equal and Prefix values, 0 none */
	__u8 postfilter_len; /* K of the prefilter of Postfix values (last bytes), 0 none */
	__u8 gate_spec; /* 1 + the spec of the gate (hornet_prefilter_eq_hash()), 0 none */
	__u64 neg[HORNET_GEN_WORDS]; /* slots of negated filters */
	/* the selector index: each selector with a positive filter slot is
	 * listed (map hornet_slot_sels) under one of them, its index slot, and
	 * can match only when that slot holds; the others are always_sels */
	__u64 index[HORNET_GEN_WORDS]; /* the slots some selector is listed under */
	struct hornet_sel_set always_sels;
	struct hornet_gen_spec specs[HORNET_GEN_MAX_SPECS];
	/* the integer gate: nr_gate_sels 0 for none; gate_sels[i], the tests
	 * (bit t: gate_tests[t]) that one selector needs to pass */
	__u8 nr_gate_tests;
	__u8 nr_gate_sels;
	__u8 gate_sels[HORNET_GATE_TESTS];
	__u8 usdt_set; /* a selector has the Set action (USDT probes only) */
	__u8 nr_shadows; /* the pairs below */
	__u8 pad_gate[4];
	struct hornet_gate_test gate_tests[HORNET_GATE_TESTS];
	/* `policy add --shadow-of`: pair p is policy shadow_base[p] and its
	 * shadow shadow_pol[p], whose selectors (HORNET_SEL_SHADOW) decide but
	 * never act; the calls where the two decided differently are posted */
	__u32 shadow_base[HORNET_GEN_MAX_SHADOWS];
	__u32 shadow_pol[HORNET_GEN_MAX_SHADOWS];
};

#define HORNET_LOOKUP_STR_EQ (1 << 0)
#define HORNET_LOOKUP_STR_PREFIX (1 << 1)
#define HORNET_LOOKUP_STR_POSTFIX (1 << 2)
#define HORNET_LOOKUP_INT_EQ (1 << 3)
#define HORNET_LOOKUP_BINARY (1 << 4) /* matchBinaries: string maps, arg HORNET_KEY_BINARY */
#define HORNET_LOOKUP_PID (1 << 5)
#define HORNET_LOOKUP_NSPID (1 << 6)
#define HORNET_LOOKUP_ADDR (1 << 7)
#define HORNET_LOOKUP_PORT (1 << 8)
#define HORNET_LOOKUP_NETINT (1 << 9) /* protocol, family, state */
#define HORNET_LOOKUP_PROC (1 << 10) /* a filter reads the process table entry */
#define HORNET_LOOKUP_PARENT (1 << 11) /* matchParentBinaries: arg HORNET_KEY_PARENT_BINARY */
#define HORNET_LOOKUP_SUBSTR (1 << 12) /* SubString filters: the search is compiled in */
#define HORNET_LOOKUP_CEL (1 << 13) /* CelExpr filters: the evaluator is compiled in */
#define HORNET_LOOKUP_DNS (1 << 14) /* DNSName: the address's learned names (int_eq) */

/* Pseudo argument numbers in map keys, for values that are not arguments. */
#define HORNET_KEY_BINARY 0xff
#define HORNET_KEY_PID 0xfe
#define HORNET_KEY_NSPID 0xfd
#define HORNET_KEY_PARENT_BINARY 0xfc
#define HORNET_KEY_NS(t) (0xe0 + (t)) /* namespace type t (enum hornet_ns_index) */
#define HORNET_KEY_RET 0xd0 /* matchReturnArgs */
/* net sub-keys: spec k's protocol, family, state */
#define HORNET_NET_PROTOCOL 1
#define HORNET_NET_FAMILY 2
#define HORNET_NET_STATE 3
#define HORNET_NET_SADDR 1
#define HORNET_NET_DADDR 2
/* ports share the integer map with protocol, family and state: sub-keys of
 * their own, or port 10 would match AF_INET6 and port 6 IPPROTO_TCP */
#define HORNET_NET_SPORT 4
#define HORNET_NET_DPORT 5
/* a DNSName value's hash (struct hornet_dns_addr), in the integer map */
#define HORNET_NET_DNS_NAME 6

struct hornet_bits {
	__u64 w[HORNET_GEN_WORDS];
};

struct hornet_str_key {
	__u8 arg;
	__u8 pad[3];
	char s[HORNET_GEN_STR];
};

/* LPM trie key: prefixlen counts bits of arg and s together. */
struct hornet_lpm_str_key {
	__u32 prefixlen;
	__u8 arg;
	char s[HORNET_GEN_STR - 1];
};

struct hornet_int_key {
	__u8 arg;
	__u8 sub; /* HORNET_NET_* for network values, else 0 */
	__u8 pad[6];
	__u64 value;
};

struct hornet_lpm_addr_key {
	__u32 prefixlen; /* bits of arg, which, family (24) and the address */
	__u8 arg;
	__u8 which; /* HORNET_NET_SADDR or HORNET_NET_DADDR */
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 addr[16];
};

enum hornet_filter_kind {
	HORNET_F_INT_GT,
	HORNET_F_INT_LT,
	HORNET_F_INT_RANGE, /* a <= v <= b */
	HORNET_F_INT_MASK, /* v & a != 0 */
	HORNET_F_PORT_RANGE, /* sub: SPORT or DPORT */
	HORNET_F_PORT_PRIV, /* port < 1024 */
	HORNET_F_CAPS, /* (caps[sub] & a) != 0, sub = enum hornet_cap_set */
	HORNET_F_CAPS_ALL, /* (caps[sub] & a) == a */
	HORNET_F_NS_CHANGED, /* a namespace in mask a differs from exec time */
	HORNET_F_CAPS_CHANGED, /* capabilities in mask a gained since exec */
	HORNET_F_CAPS_GAINED, /* arg (cred) has caps in mask a the process had not */
	HORNET_F_FILE_TYPE, /* (i_mode & S_IFMT) == a */
	HORNET_F_FOLLOW, /* the process carries follow slot bits a (followChildren) */
	HORNET_F_ALWAYS, /* slot always true (e.g. In with host_ns resolved away) */
	HORNET_F_PARENT_FOLLOW, /* the parent carries follow slot bits a (matchParentBinaries) */
	HORNET_F_SUBSTR, /* string arg holds needle a (map hornet_substr); sub 1: any case */
	HORNET_F_CEL, /* CEL program a (map hornet_cel) is true */
};

struct hornet_gen_filter {
	__u16 slot;
	__u8 kind; /* enum hornet_filter_kind */
	__u8 arg; /* spec index, or HORNET_KEY_* */
	__u8 sub;
	__u8 pad[3];
	__u64 a;
	__u64 b;
};

/*
 * A SubString value (Tetragon's limit: under 100 bytes), lowercased for
 * SubStringIgnCase; whole words of s[] are compared, the last one masked.
 */
#define HORNET_SUBSTR_MAX 104
#define HORNET_SUBSTR_VALUES 64 /* of one hook point, all policies together */
struct hornet_substr {
	__u32 len;
	__u32 pad;
	char s[HORNET_SUBSTR_MAX];
};
_Static_assert(sizeof(struct hornet_substr) == 112, "hornet_substr size");

enum hornet_cap_set {
	HORNET_CAP_EFFECTIVE,
	HORNET_CAP_INHERITABLE,
	HORNET_CAP_PERMITTED,
};

/* Actions, as the kernel side takes them. */
enum hornet_gen_action {
	HORNET_A_POST = 1,
	HORNET_A_NOPOST,
	HORNET_A_SIGKILL,
	HORNET_A_SIGNAL,
	HORNET_A_OVERRIDE,
	HORNET_A_TRACKSOCK,
	HORNET_A_UNTRACKSOCK,
	HORNET_A_USER, /* done in user space from the event: GetUrl, DnsLookup, FollowFD */
	HORNET_A_SET, /* USDT Set: write value into argument arg_spec */
	HORNET_A_NOTIFY, /* NotifyEnforcer: arg the signal (0 none), value the error */
	HORNET_A_CLEANUP, /* CleanupEnforcerNotification */
};

/*
 * A NotifyEnforcer's notification, per thread (hornet_notify, keyed by
 * pid_tgid): the enforcer programs of its policy act on it at the thread's
 * next listed syscall (bpf/enforcer.bpf.c), then delete it.
 */
struct hornet_notify {
	__s32 error; /* 0: none; else the return value (needs an override) */
	__s32 sig; /* 0: none */
	__u32 policy_id;
	__u32 hook_id;
};
#define HORNET_NOTIFY_ENTRIES 16384

/* hornet_gen_act.flags */
#define HORNET_ACT_KSTACK (1 << 0)
#define HORNET_ACT_USTACK (1 << 1)

struct hornet_gen_act {
	__u8 action; /* enum hornet_gen_action */
	__u8 scope; /* rate limit: 0 thread, 1 process, 2 global */
	__u8 flags;
	__u8 arg_spec; /* TrackSock: the spec holding the sock; Set: the USDT argument */
	__s32 arg; /* Override: errno (negative); Signal: signal */
	union {
		__u64 rate_ns; /* Post: 0 for no rate limit */
		__u64 value; /* Set: the value written */
	};
};

/* hornet_gen_sel.flags */
#define HORNET_SEL_FIRST (1 << 0) /* first selector of its policy hook */
#define HORNET_SEL_FOLLOW (1 << 1) /* matchBinaries/matchPIDs follow children */
#define HORNET_SEL_HOST (1 << 2) /* scoped, and its scope holds the host */
#define HORNET_SEL_SHADOW (1 << 3) /* a shadow policy's: decides, never acts */

struct hornet_gen_sel {
	__u32 policy_id;
	__u32 hook_id; /* the policy hook (global id) */
	__u8 sel; /* the selector's index in its hook */
	__u8 flags;
	__u8 nr_actions;
	__u8 pad;
	__u32 scope; /* 1 + its policy's scope index; 0: every process */
	struct hornet_bits required; /* the slots of its filters */
	struct hornet_gen_act actions[HORNET_GEN_MAX_ACTIONS];
};

/*
 * Workload scopes (podSelector, containerSelector, hostSelector, a
 * TracingPolicyNamespaced's namespace). Each scoped policy has an index; the
 * shared map hornet_scope_cg gives, per container cgroup (cgroup2 id), the
 * bitmap of the scopes it is in. A cgroup not in the map is outside every
 * known container: the host, which a scope holds or not whatever the pods
 * (HORNET_SEL_HOST, compiled into the selector).
 */
#define HORNET_MAX_SCOPES 1024
#define HORNET_SCOPE_WORDS (HORNET_MAX_SCOPES / 64)
#define HORNET_SCOPE_CGROUPS 16384 /* container cgroups the map holds */

struct hornet_scope_bits {
	__u64 w[HORNET_SCOPE_WORDS];
};

/* Global per-policy state (hornet_policy_state map), keyed by policy id. */
#define HORNET_POLICY_ENABLED (1 << 0)
#define HORNET_POLICY_MONITOR (1 << 1)
/* a shadow promoted: on each point where it is paired, it acts and its
 * policy does nothing, from the next call on (each call reads it once) */
#define HORNET_POLICY_PROMOTED (1 << 2)

struct hornet_policy_state {
	__u32 flags;
	__u32 pad;
};

/* Per-policy counters (per-CPU, keyed by policy id). */
struct hornet_policy_stats {
	__u64 posted;
	__u64 actions; /* enforcement actions taken */
	__u64 actions_skipped; /* enforcement actions not taken: monitor mode */
	__u64 rate_limited;
	__u64 lost; /* events the ring buffer had no room for */
	__u64 runs; /* selector matches */
	__u64 refused; /* signals not sent: the target was the initial namespace's init */
	__u64 enforced; /* the enforcer acted on a notification of this policy */
	__u64 notify_overwritten; /* a notification replaced one not acted on yet */
	__u64 notify_unused; /* cleaned up (or the thread ended) before any listed syscall */
	/* a shadow's calls where it and its policy decided differently */
	__u64 shadow_only; /* the shadow matched, the policy did not */
	__u64 shadow_current_only; /* the policy matched, the shadow did not */
	__u64 shadow_changed; /* both matched, with different actions */
};

/* HORNET_OP_GENERIC record, followed by nr_args struct hornet_gen_arg. */
struct hornet_gen_event {
	struct hornet_hdr hdr;
	__u32 pid;
	__u32 tid;
	__u64 proc_ktime; /* the process's key (0 when it is not in the table) */
	__u32 policy_id;
	__u32 hook_id;
	__u32 point_id;
	__u8 sel;
	__u8 action; /* the first enforcement action, or POST */
	__u8 flags; /* HORNET_GEN_EV_* */
	__u8 nr_args;
	__s64 ret; /* return value, with HORNET_GEN_EV_RET */
	__s32 kstack_id; /* -1 none */
	__s32 ustack_id;
	__s32 action_arg; /* errno or signal of the action */
	__u32 data_len; /* bytes of arguments that follow */
	__u32 generation; /* of the instance that made it: its specs decode the args */
	/* enforcement records: bytes of the binary path's head (the process table's) after
	 * the arguments, for a process whose exec record a flood made the agent lose */
	__u32 binary_len;
	/* HORNET_GEN_EV_SHADOW: what the other policy of the pair decided
	 * (enum hornet_gen_action, 0: it did not match) */
	__u8 other_action;
	__u8 pad[3];
	__s32 other_arg;
};
_Static_assert(sizeof(struct hornet_gen_event) == 88, "hornet_gen_event size");

#define HORNET_GEN_EV_RET (1 << 0)
#define HORNET_GEN_EV_MONITOR (1 << 1) /* the enforcement action was not taken */
#define HORNET_GEN_EV_ENFORCED (1 << 2)
#define HORNET_GEN_EV_USER_ACTION (1 << 3) /* user space has something to do */
/* a shadow and its policy decided differently on this call: the selector
 * posted is the shadow's, or with SHADOW_CURRENT the policy's (the shadow
 * did not match) */
#define HORNET_GEN_EV_SHADOW (1 << 4)
#define HORNET_GEN_EV_SHADOW_CURRENT (1 << 5)

/* One argument in an event: header then len bytes, padded to 8. */
struct hornet_gen_arg {
	__u8 spec; /* which spec */
	__u8 type; /* enum hornet_gen_type */
	__u8 flags; /* HORNET_ARG_* */
	__u8 pad;
	__u32 len;
};
_Static_assert(sizeof(struct hornet_gen_arg) == 8, "hornet_gen_arg size");

#define HORNET_ARG_TRUNCATED (1 << 0)
#define HORNET_ARG_ERROR (1 << 1)

/* Fixed parts of typed argument data. */
struct hornet_file_data { /* FILE, PATH, DENTRY, FD, BINPRM, KIOCB; the path follows */
	__u32 flags; /* f_flags */
	__u32 mode; /* i_mode */
	__u64 ino;
};

struct hornet_sock_data { /* SOCK, SOCKET, SKB */
	__u16 family;
	__u16 type;
	__u16 protocol;
	__u16 state;
	__u16 sport;
	__u16 dport;
	__u32 len; /* SKB: bytes */
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 cookie;
};

struct hornet_sockaddr_data {
	__u16 family;
	__u16 port;
	__u32 pad;
	__u8 addr[16];
};

/* SOCKADDR_UN: the path as events show it, an abstract name after an '@' */
struct hornet_sockaddr_un_data {
	__u16 family;
	__u8 abstract;
	__u8 path_len; /* bytes of path[] before its NUL */
	__u32 pad;
	char path[112]; /* sun_path is 108 bytes */
};

struct hornet_cred_data {
	__u32 uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
	__u32 securebits;
	__u32 user_ns_level;
	__u64 permitted, effective, inheritable;
	__u32 user_ns_uid, user_ns_gid;
	__u32 user_ns_inum;
	__u32 pad;
};

struct hornet_userns_data {
	__u32 level;
	__u32 uid;
	__u32 gid;
	__u32 inum;
};

struct hornet_bpf_data { /* BPF_ATTR, BPF_MAP, BPF_PROG */
	__u32 type; /* prog type or map type */
	__u32 insn_cnt;
	__u32 key_size, value_size, max_entries;
	__u32 pad;
	char name[16];
};

struct hornet_perf_data {
	__u32 type;
	__u32 pad;
	__u64 config;
	__u64 probe_offset;
	char func[64]; /* kprobe function */
};

struct hornet_name_data { /* MODULE, LOAD_INFO, NETDEV */
	char name[64];
};

/*
 * The string prefilter: one bit per hash of the first K bytes (Equal and
 * Prefix values) or the last K bytes (Postfix) of every string value of a
 * hook point, K its shortest value's length, at most 8. A string whose
 * first (last) K bytes hash to a clear bit equals, starts (ends) with no
 * value, and skips the map lookups: one array load instead of a 260-byte
 * hash and an LPM trie walk for the common string no selector wants.
 * The K bytes are read as a little-endian 64-bit word, the rest masked.
 */
#define HORNET_PREFILTER_SHIFT 16 /* bits of the hash: a 64 Ki-bit map */
#define HORNET_PREFILTER_WORDS (1U << (HORNET_PREFILTER_SHIFT - 6))
#define HORNET_PREFILTER_POSTFIX 0x100 /* added to the arg of a Postfix value's hash */
/*
 * The gate: when every selector of a tracepoint's point needs one string
 * argument to equal, start or end with a value, the entry program reads that
 * string alone first, and a string that no prefilter lets through ends the
 * call there, before the event is built. For Equal values it also tests
 * their length and last bytes (most paths share their first ones): the
 * words from HORNET_PREFILTER_WORDS on hold one bit per
 * hornet_prefilter_eq_hash() of each Equal value.
 */
#define HORNET_PREFILTER_EQUAL 0x200
#define HORNET_PREFILTER_ALL_WORDS (2 * HORNET_PREFILTER_WORDS)

static inline __u64 hornet_prefilter_mask(__u32 k)
{
	return k >= 8 ? ~0ULL : (1ULL << (8 * k)) - 1;
}

static inline __u32 hornet_prefilter_hash(__u32 arg, __u64 bytes)
{
	return (((bytes * 0x9e3779b97f4a7c15ULL) ^ arg) * 0xff51afd7ed558ccdULL) >>
	       (64 - HORNET_PREFILTER_SHIFT);
}

/* An Equal value's (or a string's) length and its last min(8, length)
 * bytes, as a little-endian word: a bit of the upper half of the map. */
static inline __u32 hornet_prefilter_eq_hash(__u32 arg, __u32 len, __u64 last)
{
	return HORNET_PREFILTER_WORDS * 64 +
	       hornet_prefilter_hash(arg | HORNET_PREFILTER_EQUAL | len << 16, last);
}

#endif /* HORNET_GENERIC_H */
