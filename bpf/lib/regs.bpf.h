/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Function and syscall arguments from a struct pt_regs, for any architecture
 * libbpf knows (-D__TARGET_ARCH_x86, _arm64, ...), through bpf_tracing.h:
 *  HORNET_PARM6_CORE(regs)      the sixth argument of a function
 *  hornet_fn_args(a, regs)      the six arguments of a function (kprobe,
 *                               uprobe)
 *  hornet_syscall_args(a, regs) the six arguments of a syscall, from the
 *                               pt_regs its wrapper received (the user's
 *                               registers: PT_REGS_SYSCALL_REGS())
 * libbpf 1.1 (Debian 12) has PT_REGS_PARM1..5 and their _CORE_SYSCALL forms
 * only; the sixth argument register is named here per architecture. The
 * sixth syscall argument is in the same register as a function's sixth on
 * both (x86: r9, arm64: x5).
 */
#ifndef HORNET_REGS_BPF_H
#define HORNET_REGS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#if defined(__TARGET_ARCH_x86)
#define HORNET_PARM6_CORE(x) BPF_CORE_READ((const struct pt_regs *)(x), r9)
#elif defined(__TARGET_ARCH_arm64)
#define HORNET_PARM6_CORE(x) BPF_CORE_READ((const struct user_pt_regs *)(x), regs[5])
#else
#error "hornet: the sixth argument register of this architecture is not known"
#endif

static __always_inline void hornet_fn_args(__u64 *args, struct pt_regs *regs)
{
	args[0] = PT_REGS_PARM1(regs);
	args[1] = PT_REGS_PARM2(regs);
	args[2] = PT_REGS_PARM3(regs);
	args[3] = PT_REGS_PARM4(regs);
	args[4] = PT_REGS_PARM5(regs);
	args[5] = HORNET_PARM6_CORE(regs);
}

static __always_inline void hornet_syscall_args(__u64 *args, const struct pt_regs *regs)
{
	args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	args[5] = HORNET_PARM6_CORE(regs);
}

#endif /* HORNET_REGS_BPF_H */
