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

#endif /* HORNET_COMPAT_BPF_H */
