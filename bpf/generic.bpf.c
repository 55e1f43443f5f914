// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The generic sensor: what a policy's hooks run. One object is loaded per
 * hook point (a kernel function, an LSM hook, a tracepoint, a user
 * function) with its configuration in rodata (hornet_cfg: which arguments
 * to read and how) and its selectors and filter values in its own maps.
 * One of the entry programs below is turned on, according to the hook plan.
 *
 * This file holds the entry programs only: each gets the raw arguments
 * its mechanism offers and hands them to gen_run(), the one pipeline:
 *  1. read each argument spec into the event heap (lib/gen_args.bpf.h);
 *  2. find the filter slots that hold: one map lookup per value kind,
 *     whatever the number of values or policies, plus the few filters that
 *     need arithmetic (lib/gen_match.bpf.h);
 *  3. walk the selectors in order: for each policy hook, the first selector
 *     whose slots all hold decides the actions (lib/gen_select.bpf.h).
 * The maps and the per-CPU heap are in lib/gen_maps.bpf.h.
 */
#include "lib/gen_pipeline.bpf.h"
#include "lib/regs.bpf.h"

/* The raw argument of each spec, from an array of function arguments. */
static __always_inline void raw_from_args(struct gen_heap *h, const __u64 *args)
{
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		const volatile struct hornet_gen_spec *sp = &hornet_cfg.specs[i];

		if (i >= hornet_cfg.nr_specs)
			break;
		if ((sp->src == HORNET_SRC_ARG || sp->src == HORNET_SRC_SYSCALL) && sp->index < 6)
			h->raw[i] = args[sp->index];
		else if (sp->src == HORNET_SRC_RET)
			h->raw[i] = h->ret;
	}
}

/* A kprobe's arguments: the function's, or for a syscall (its wrapper's
 * only argument is the user's registers) the syscall's. */
static __always_inline void kprobe_args(__u64 *args, struct pt_regs *ctx)
{
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL) {
		hornet_syscall_args(args, PT_REGS_SYSCALL_REGS(ctx));
		return;
	}
	hornet_fn_args(args, ctx);
}

/* Marks the process's own pid on the stash key so a return finds its entry. */
static __always_inline __u64 stash_key(void)
{
	return (bpf_get_current_pid_tgid() & 0xffffffff) << 32 | hornet_cfg.point_id;
}

SEC("kprobe")
int hornet_gen_kprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	kprobe_args(args, ctx);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

/* Override through a kprobe (bpf_override_return, on error-injectable
 * functions): loaded only on kernels that have it. */
SEC("kprobe")
int hornet_gen_kprobe_override(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];
	__s32 err;

	if (!h)
		return 0;
	kprobe_args(args, ctx);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	err = gen_run(ctx, h, true);
	if (err)
		bpf_override_return(ctx, err);
	return 0;
}

/* kprobe with return: the entry keeps the arguments for the return probe */
SEC("kprobe")
int hornet_gen_kprobe_entry(struct pt_regs *ctx)
{
	struct stash st = {};
	__u64 key = stash_key();

	kprobe_args(st.raw, ctx);
	bpf_map_update_elem(&hornet_stash, &key, &st, BPF_ANY);
	return 0;
}

SEC("kretprobe")
int hornet_gen_kretprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 key = stash_key();
	struct stash *st;

	if (!h)
		return 0;
	st = bpf_map_lookup_elem(&hornet_stash, &key);
	if (!st)
		return 0;
	h->has_ret = 1;
	h->ret = PT_REGS_RC(ctx);
	raw_from_args(h, st->raw);
	bpf_map_delete_elem(&hornet_stash, &key);
	gen_run(ctx, h, true);
	return 0;
}

#ifdef HORNET_BOUNDED_LOOPS
/*
 * Before 5.17 there is no bpf_get_func_arg(): the context is the array of
 * arguments, read at constant offsets. The verifier checks each read
 * against the function's prototype, and drops those the rodata's count of
 * arguments rules out, so one program still serves every function. Each
 * read is a load at a constant offset, in assembly: clang may otherwise add
 * to the context pointer first, which the verifier refuses ("modified ctx").
 */
#define FN_ARG(ctx, i)                                                                    \
	({                                                                                \
		__u64 v_;                                                                 \
                                                                                          \
		asm volatile("%0 = *(u64 *)(%1 + %2)" : "=r"(v_) : "r"(ctx), "i"((i)*8)); \
		v_;                                                                       \
	})
#define FN_ARG_INTO(ctx, i, dst) (*(dst) = FN_ARG(ctx, i))

/* fexit's return value follows the arguments */
static __always_inline __u64 fn_ret(__u64 *ctx)
{
	switch (hornet_nr_fn_args) {
	case 0:
		return FN_ARG(ctx, 0);
	case 1:
		return FN_ARG(ctx, 1);
	case 2:
		return FN_ARG(ctx, 2);
	case 3:
		return FN_ARG(ctx, 3);
	case 4:
		return FN_ARG(ctx, 4);
	case 5:
		return FN_ARG(ctx, 5);
	default:
		return FN_ARG(ctx, 6);
	}
}
#else
#define FN_ARG_INTO(ctx, i, dst) bpf_get_func_arg(ctx, i, dst)

static __always_inline __u64 fn_ret(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return ret;
}
#endif

#define FN_ARGS(args, ctx)                               \
	do {                                             \
		__builtin_memset(args, 0, sizeof(args)); \
		if (hornet_nr_fn_args > 0)               \
			FN_ARG_INTO(ctx, 0, &args[0]);   \
		if (hornet_nr_fn_args > 1)               \
			FN_ARG_INTO(ctx, 1, &args[1]);   \
		if (hornet_nr_fn_args > 2)               \
			FN_ARG_INTO(ctx, 2, &args[2]);   \
		if (hornet_nr_fn_args > 3)               \
			FN_ARG_INTO(ctx, 3, &args[3]);   \
		if (hornet_nr_fn_args > 4)               \
			FN_ARG_INTO(ctx, 4, &args[4]);   \
		if (hornet_nr_fn_args > 5)               \
			FN_ARG_INTO(ctx, 5, &args[5]);   \
	} while (0)

SEC("fentry")
int hornet_gen_fentry(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL)
		hornet_syscall_args(args, (struct pt_regs *)args[0]);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

SEC("fexit")
int hornet_gen_fexit(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL)
		hornet_syscall_args(args, (struct pt_regs *)args[0]);
	h->has_ret = 1;
	h->ret = fn_ret(ctx);
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

/* Override through fmod_ret: the function does not run when this returns non-zero. */
SEC("fmod_ret")
int hornet_gen_fmod_ret(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL)
		hornet_syscall_args(args, (struct pt_regs *)args[0]);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	return gen_run(ctx, h, true);
}

SEC("lsm")
int hornet_gen_lsm(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];
	__s32 err;

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	err = gen_run(ctx, h, true);
	/* a negative errno denies the operation */
	return err ? (err < 0 ? err : -err) : 0;
}

SEC("tp_btf")
int hornet_gen_tp_btf(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6] = {};

	if (!h)
		return 0;
	if (hornet_nr_fn_args > 0)
		args[0] = ctx[0];
	if (hornet_nr_fn_args > 1)
		args[1] = ctx[1];
	if (hornet_nr_fn_args > 2)
		args[2] = ctx[2];
	if (hornet_nr_fn_args > 3)
		args[3] = ctx[3];
	if (hornet_nr_fn_args > 4)
		args[4] = ctx[4];
	if (hornet_nr_fn_args > 5)
		args[5] = ctx[5];
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

SEC("raw_tp")
int hornet_gen_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6] = {};

	if (!h)
		return 0;
	bpf_probe_read_kernel(args, sizeof(__u64) * (hornet_nr_fn_args < 6 ? hornet_nr_fn_args : 6),
			      ctx->args);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

/* Tracepoint records: each spec reads its field at an offset. */
static __always_inline void raw_from_record(struct gen_heap *h, void *ctx)
{
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		const volatile struct hornet_gen_spec *sp = &hornet_cfg.specs[i];
		__u64 v = 0;

		if (i >= hornet_cfg.nr_specs)
			break;
		if (sp->src != HORNET_SRC_TP_FIELD)
			continue;
		bpf_probe_read_kernel(&v,
				      sp->field_size && sp->field_size <= 8 ? sp->field_size : 8,
				      ctx + sp->index);
		/* __data_loc: the low 16 bits are the string's offset in the record */
		if ((hornet_gen_types & (1 << HORNET_GT_DATALOC)) && sp->type == HORNET_GT_DATALOC)
			v = (__u64)ctx + (v & 0xffff);
		h->raw[i] = v;
	}
}

/* asm: clang would otherwise merge the cases into one load through a
 * pointer it computed, which the verifier refuses for the context */
#define RECORD_U64(o)                                                            \
	case o:                                                                  \
		asm volatile("%0 = *(u64 *)(%1 + " #o ")" : "=r"(p) : "r"(ctx)); \
		break

/* The 8 bytes of the record at @off: a load at a constant offset (the
 * verifier knows the rodata) for the offsets of a syscall's arguments and
 * of the first fields of other records, instead of a helper call. */
static __always_inline __u64 record_u64(void *ctx, __u16 off)
{
	__u64 p = 0;

	switch (off) {
		RECORD_U64(8);
		RECORD_U64(16);
		RECORD_U64(24);
		RECORD_U64(32);
		RECORD_U64(40);
		RECORD_U64(48);
		RECORD_U64(56);
	default:
		bpf_probe_read_kernel(&p, sizeof(p), ctx + off);
	}
	return p;
}
#undef RECORD_U64

/*
 * The integer gate (hornet/generic.h): true when no selector has all its
 * tests passed by the record's fields, and the call ends. Each test reads
 * its field (the word it lies in) and looks its first bytes up in a bit
 * mask or among a few values.
 */
static __always_inline bool int_gated_out(void *ctx)
{
	__u32 nt = hornet_cfg.nr_gate_tests, ns = hornet_cfg.nr_gate_sels, pass = 0;

	if (!ns)
		return false;
	for (int i = 0; i < HORNET_GATE_TESTS; i++) {
		const volatile struct hornet_gate_test *t = &hornet_cfg.gate_tests[i];
		__u16 off = t->off;
		__u32 sh = (off & 7) * 8;
		__u64 v;

		if (i >= nt)
			break;
		if ((off & 7) + t->field_size <= 8)
			v = record_u64(ctx, off & ~7) >> sh;
		else
			v = record_u64(ctx, off);
		v &= hornet_prefilter_mask(t->field_size) & hornet_prefilter_mask(t->size);
		if (v < 64) {
			if ((t->small >> v) & 1)
				pass |= 1u << i;
			continue;
		}
		for (int j = 0; j < HORNET_GATE_VALS; j++) {
			if (j >= t->nr_vals)
				break;
			if (v == t->vals[j]) {
				pass |= 1u << i;
				break;
			}
		}
	}
	for (int i = 0; i < HORNET_GATE_TESTS; i++) {
		__u32 need;

		if (i >= ns)
			break;
		need = hornet_cfg.gate_sels[i];
		if ((pass & need) == need)
			return false;
	}
	return true;
}

/* The gates: true when they end the call (int_gated_out(), gen_gate()). */
static __always_inline bool gated_out(void *ctx)
{
	__u32 s = hornet_cfg.gate_spec;

	if (int_gated_out(ctx))
		return true;
	if (!s)
		return false;
	return !gen_gate(
		record_u64(ctx, hornet_cfg.specs[(s - 1) & (HORNET_GEN_MAX_SPECS - 1)].index));
}

SEC("tracepoint")
int hornet_gen_tracepoint(void *ctx)
{
	struct gen_heap *h;

	if (gated_out(ctx))
		return 0;
	h = heap();
	if (!h)
		return 0;
	h->has_ret = 0;
	h->ret = 0;
	raw_from_record(h, ctx);
	gen_run(ctx, h, true);
	return 0;
}

/* sys_enter_* with a return: keep the arguments for sys_exit_* */
SEC("tracepoint")
int hornet_gen_tp_enter(void *ctx)
{
	struct stash st = {};
	__u64 key;

	key = stash_key();
	/* a call the gate ends has no return to wait for; an entry an
	 * earlier call left (one that never returned, a thread id reused)
	 * must not stand for it at the return */
	if (gated_out(ctx)) {
		bpf_map_delete_elem(&hornet_stash, &key);
		return 0;
	}
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		const volatile struct hornet_gen_spec *sp = &hornet_cfg.specs[i];

		if (i >= hornet_cfg.nr_specs)
			break;
		if (sp->src == HORNET_SRC_TP_FIELD)
			bpf_probe_read_kernel(&st.raw[i],
					      sp->field_size && sp->field_size <= 8 ? sp->field_size
										    : 8,
					      ctx + sp->index);
	}
	bpf_map_update_elem(&hornet_stash, &key, &st, BPF_ANY);
	return 0;
}

/* sys_exit_*: the return value is the record's "ret" field at offset 16 */
SEC("tracepoint")
int hornet_gen_tp_exit(void *ctx)
{
	struct gen_heap *h = heap();
	__u64 key = stash_key();
	struct stash *st;
	__s64 ret = 0;

	if (!h)
		return 0;
	st = bpf_map_lookup_elem(&hornet_stash, &key);
	if (!st)
		return 0;
	bpf_probe_read_kernel(&ret, sizeof(ret), ctx + 16);
	h->has_ret = 1;
	h->ret = ret;
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		if (i >= hornet_cfg.nr_specs)
			break;
		h->raw[i] = hornet_cfg.specs[i].src == HORNET_SRC_RET ? (__u64)ret : st->raw[i];
	}
	bpf_map_delete_elem(&hornet_stash, &key);
	gen_run(ctx, h, true);
	return 0;
}

SEC("uprobe")
int hornet_gen_uprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	hornet_fn_args(args, ctx);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

SEC("uretprobe")
int hornet_gen_uretprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6] = {};

	if (!h)
		return 0;
	h->has_ret = 1;
	h->ret = PT_REGS_RC(ctx);
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	return 0;
}

/* ---- USDT probes ---- */

/* Where each USDT argument of this site is (its note): set by user space. */
const volatile struct hornet_usdt_arg hornet_usdt_args[HORNET_USDT_BPF_ARGS];

/* The address of an argument kept in memory: its register plus the note's offset. */
static __always_inline __u64 usdt_mem_addr(struct pt_regs *ctx,
					   const volatile struct hornet_usdt_arg *a)
{
	__u64 v = 0;

	/* reg_off is not constant to the verifier: a read, not a ctx access */
	bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + (a->reg_off & 0x1ff));
	return v + a->val;
}

static __always_inline __u64 usdt_arg(struct pt_regs *ctx, int i)
{
	const volatile struct hornet_usdt_arg *a = &hornet_usdt_args[i];
	int size = a->size < 0 ? -a->size : a->size, shift;
	__u64 v = 0;

	switch (a->kind) {
	case HORNET_USDT_CONST:
		v = a->val;
		break;
	case HORNET_USDT_REG:
		/* reg_off is not constant to the verifier: a read, not a ctx access */
		bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + (a->reg_off & 0x1ff));
		break;
	case HORNET_USDT_REG_DEREF:
		if (bpf_probe_read_user(&v, sizeof(v), (void *)usdt_mem_addr(ctx, a)))
			v = 0;
		break;
	default:
		return 0;
	}
	/* keep the note's size, sign-extended when the note says it is signed */
	shift = size > 0 && size < 8 ? 64 - 8 * size : 0;
	if (a->size < 0)
		return (__u64)((__s64)(v << shift) >> shift);
	return (v << shift) >> shift;
}

/*
 * Set: @val into USDT argument @i, which the plan made sure is in memory at
 * this site (a register plus an offset), with the note's size. The traced
 * program reads it back after the probe. Registers stay as they are: a
 * uprobe may not write them on the kernels here.
 */
static __always_inline void usdt_set(struct pt_regs *ctx, __u32 i, __u64 val)
{
	const volatile struct hornet_usdt_arg *a;
	__u64 buf[1];
	__u32 size;

	if (i >= HORNET_USDT_BPF_ARGS)
		return;
	a = &hornet_usdt_args[i];
	if (a->kind != HORNET_USDT_REG_DEREF)
		return;
	/* 1, 2, 4 or 8 (the note parser takes no other); little-endian: the
	 * value's first bytes are its low ones. The verifier sees 1 to 8
	 * bytes, by construction rather than by a test clang may move. */
	size = (((a->size < 0 ? -a->size : a->size) - 1) & 7) + 1;
	buf[0] = val;
	bpf_probe_write_user((void *)usdt_mem_addr(ctx, a), buf, size);
}

SEC("uprobe")
int hornet_gen_usdt(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[HORNET_USDT_BPF_ARGS];

	if (!h)
		return 0;
	for (int i = 0; i < HORNET_USDT_BPF_ARGS; i++)
		args[i] = usdt_arg(ctx, i);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	gen_run(ctx, h, true);
	/* only in points whose selectors Set: the kernel warns at each load of
	 * a program that can call bpf_probe_write_user() */
	if (hornet_cfg.usdt_set && h->set.pending)
		usdt_set(ctx, h->set.idx, h->set.val);
	return 0;
}

/* ---- connections denied or reported through cgroup programs ---- */

/*
 * Where the kernel has no kprobes, fentry or LSM for connect(), the policy
 * hook runs as a cgroup/connect4 and connect6 program: every argument of a
 * socket type describes the destination from the program's context; the
 * filters are those that need no kernel memory reads (addresses, ports,
 * protocol, family, pids, binaries); Override refuses the connection with
 * EPERM. The hook plan refuses policies that ask for more. The pipeline is
 * the same as above, without what needs a task or kernel memory reads.
 */
static __always_inline int connect_cg(struct bpf_sock_addr *ctx, __u16 family)
{
	struct gen_heap *h = heap();

	if (!h)
		return 1;
	h->has_ret = 0;
	h->ret = 0;
	__builtin_memset(&h->cg, 0, sizeof(h->cg));
	h->cg.family = family;
	h->cg.type = ctx->type;
	h->cg.protocol = ctx->protocol;
	h->cg.dport = bpf_ntohs(ctx->user_port);
	if (hornet_cfg.lookups & HORNET_LOOKUP_DNS)
		h->netns = bpf_get_netns_cookie(ctx);
	if (family == AF_INET) {
		*(__u32 *)h->cg.daddr = ctx->user_ip4;
	} else {
		((__u32 *)h->cg.daddr)[0] = ctx->user_ip6[0];
		((__u32 *)h->cg.daddr)[1] = ctx->user_ip6[1];
		((__u32 *)h->cg.daddr)[2] = ctx->user_ip6[2];
		((__u32 *)h->cg.daddr)[3] = ctx->user_ip6[3];
	}
	/* Override: refuse the connection (connect(2) fails with EPERM) */
	return gen_run(ctx, h, false) ? 0 : 1;
}

SEC("cgroup/connect4")
int hornet_gen_connect4(struct bpf_sock_addr *ctx)
{
	return connect_cg(ctx, AF_INET);
}

SEC("cgroup/connect6")
int hornet_gen_connect6(struct bpf_sock_addr *ctx)
{
	return connect_cg(ctx, AF_INET6);
}

/* A UDP datagram's destination, connected or not: Override drops it (EPERM). */
SEC("cgroup/sendmsg4")
int hornet_gen_sendmsg4(struct bpf_sock_addr *ctx)
{
	return connect_cg(ctx, AF_INET);
}

SEC("cgroup/sendmsg6")
int hornet_gen_sendmsg6(struct bpf_sock_addr *ctx)
{
	return connect_cg(ctx, AF_INET6);
}
