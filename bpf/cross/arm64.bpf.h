/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * For `make check-arm64` on a machine of another architecture only: the
 * vmlinux.h generated from an x86 kernel has no struct user_pt_regs, which
 * libbpf's bpf_tracing.h reads arm64 registers through. This declares the
 * UAPI layout (arch/arm64/include/uapi/asm/ptrace.h); preserve_access_index
 * makes every access a CO-RE relocation, resolved against the arm64
 * kernel's own BTF at load time. A native arm64 build never includes it:
 * its vmlinux.h has the real one.
 */
#ifndef HORNET_CROSS_ARM64_BPF_H
#define HORNET_CROSS_ARM64_BPF_H

#include "vmlinux.h"

struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
} __attribute__((preserve_access_index));

#endif /* HORNET_CROSS_ARM64_BPF_H */
