// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Feature probes: one trivial program per hook mechanism. None of them does
 * anything; user space (src/probe/features.c) turns on exactly one per
 * attempt, loads it, attaches it to a real hook and destroys it again, so a
 * success means the kernel really accepts that program type at that hook.
 *
 * Every name starts with "probe_" and fits in BPF_OBJ_NAME_LEN, so the tests
 * can check with bpftool that nothing was left loaded.
 *
 * Hooks given without a target (kprobe, kprobe.multi, uprobe) get theirs
 * from user space, which picks a function this kernel or binary has. The
 * BTF-based types (tp_btf, fentry, fmod_ret, lsm) are not here: features.c
 * loads a two-instruction program for each against one parse of the
 * kernel's BTF, where this object would cost a parse per attempt.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("raw_tp/sched_process_exec")
int BPF_PROG(probe_raw_tp)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int probe_tracept(void *ctx)
{
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(probe_kprobe)
{
	return 0;
}

SEC("kprobe.multi")
int BPF_KPROBE(probe_kp_multi)
{
	return 0;
}

/* libbpf 1.1 has no BPF_UPROBE; BPF_KPROBE reads the same pt_regs. */
SEC("uprobe")
int BPF_KPROBE(probe_uprobe)
{
	return 0;
}

/* 1 lets the connect() go ahead. */
SEC("cgroup/connect4")
int probe_cgroup(struct bpf_sock_addr *ctx)
{
	return 1;
}
