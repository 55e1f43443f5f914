/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel version differences, in one place. Each is resolved with CO-RE
 * (bpf_core_field_exists / type flavors), never with version numbers.
 */
#ifndef HORNET_COMPAT_BPF_H
#define HORNET_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * Makes the verifier forget what it knows of @lval (a variable on the stack)
 * by copying it through a helper, at the cost of that call. In a loop the
 * verifier walks step by step, each step's state is compared with those seen
 * before at the same place, and pruned when it is within one seen; a value
 * whose known range differs at every step (a write offset, a count) keeps
 * that from ever happening. Where the code bounds the value itself (masks,
 * comparisons), forgetting loses nothing.
 */
#define hornet_forget(lval)                                      \
	({                                                       \
		typeof(lval) v_;                                 \
                                                                 \
		bpf_probe_read_kernel(&v_, sizeof(v_), &(lval)); \
		(lval) = v_;                                     \
	})

/*
 * bpf_loop() came in 5.17 (commit e6f2dd0f8067 "bpf: Add bpf_loop helper").
 * The objects named by LOOP_BPF in the Makefile (the exec sensor's and the
 * policy engine's) are built twice, the second time with
 * HORNET_BOUNDED_LOOPS, and user space loads that one where the kernel has
 * no bpf_loop() (src/util/skel.h): there the same callbacks run from a
 * bounded loop, which the verifier walks step by step (5.3 and later), so
 * its cost grows with the count. The policy engine's loops walk up to
 * thousands of selectors with bpf_loop(); bounded, each walks the count of
 * its own hook point instead (hornet_loop_steps(): the rodata's count,
 * which the verifier reads as a constant), so a point's cost follows its
 * policies; a point past the verifier's limit fails to load with its
 * message. hornet_loop() returns what bpf_loop() does: the steps run, the
 * one that returned 1 included.
 *
 * HORNET_LOOP_STEP declares a step (a bpf_loop() callback). Bounded, it is
 * not inlined: inlined, clang may jump into the middle of the loop's first
 * step, and before 5.12 the verifier refuses a loop whose cycle it first
 * enters there ("back-edge from insn N to N+1"). A call keeps each loop
 * one block with one entry.
 */
#ifdef HORNET_BOUNDED_LOOPS
#define HORNET_LOOP_STEP static __noinline long
#define hornet_loop(n, fn, ctx)                     \
	({                                          \
		__u32 i_;                           \
                                                    \
		for (i_ = 0; i_ < (__u32)(n); i_++) \
			if ((fn)(i_, (ctx))) {      \
				i_++;               \
				break;              \
			}                           \
		(long)i_;                           \
	})
#define hornet_loop_forget(lval) hornet_forget(lval)
/* the steps a loop walks: @count, which the verifier knows (rodata) */
#define hornet_loop_steps(count, max) (count)
#else
#define HORNET_LOOP_STEP static long
#define hornet_loop(n, fn, ctx) bpf_loop((n), (fn), (ctx), 0)
#define hornet_loop_forget(lval) ((void)0)
#define hornet_loop_steps(count, max) (max)
#endif

/*
 * kernfs_node.parent became __parent in 6.15 (commit 633488947ef6
 * "kernfs: Use RCU to access kernfs_node::parent"). The ___old flavor
 * describes the earlier layout.
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *hornet_kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___old *old = (void *)kn;

	if (bpf_core_field_exists(old->parent))
		return BPF_CORE_READ(old, parent);
	return BPF_CORE_READ(kn, __parent);
}

/*
 * kernel_cap_t was { __u32 cap[2]; } until 6.3 (commit f122a08b197d
 * "capability: just use a 'u64' instead of a 'u32[2]' array") and is
 * { u64 val; } since. Both are 8 bytes with bit N at the same place on
 * little-endian machines, so read the raw 8 bytes.
 */
static __always_inline __u64 hornet_read_caps(const kernel_cap_t *caps)
{
	__u64 v = 0;

	bpf_core_read(&v, sizeof(v), caps);
	return v;
}

/*
 * struct iov_iter's array of segments was "iov" until 6.4, when it became
 * "__iov" (commit de4f5fed3f23 "iov_iter: add iter_iovec() helper"); the
 * numbers of enum iter_type changed in 6.0 (ITER_UBUF, commit fcb14cb1bdac)
 * and after, so they are read from the kernel's BTF. Returns the address of
 * the segments (struct iovec or kvec, one layout) or, for ITER_UBUF, of the
 * buffer, with *@segs (0 for a buffer) and *@user; 0 for another kind.
 */
struct iov_iter___old {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

/* Before 5.14 ("iov_iter: separate direction from flavour") the kind and
 * the direction (bit 0) shared "type". */
struct iov_iter___pre514 {
	unsigned int type;
} __attribute__((preserve_access_index));

static __always_inline __u64 hornet_iter_segs(struct iov_iter *it, __u64 *segs, bool *user)
{
	struct iov_iter___old *old = (void *)it;
	struct iov_iter___pre514 *pre = (void *)it;
	__u32 type;

	if (bpf_core_field_exists(it->iter_type))
		type = BPF_CORE_READ(it, iter_type);
	else
		type = BPF_CORE_READ(pre, type) & ~1u;

	*segs = BPF_CORE_READ(it, nr_segs);
	*user = true;
	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) &&
	    type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		*segs = 0;
		return (__u64)BPF_CORE_READ(it, ubuf);
	}
	if (type == bpf_core_enum_value(enum iter_type, ITER_IOVEC)) {
		if (bpf_core_field_exists(old->iov))
			return (__u64)BPF_CORE_READ(old, iov);
		return (__u64)BPF_CORE_READ(it, __iov);
	}
	if (type == bpf_core_enum_value(enum iter_type, ITER_KVEC)) {
		*user = false;
		return (__u64)BPF_CORE_READ(it, kvec);
	}
	return 0;
}

#endif /* HORNET_COMPAT_BPF_H */
