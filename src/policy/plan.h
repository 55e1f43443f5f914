/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook plan: for each hook of a policy, the hook point to attach to on
 * this kernel and the mechanism, the best there is (docs/policies.md, "The
 * hook plan"): LSM hook > fentry/fexit/fmod_ret > kprobe > tracepoint. A
 * syscall kprobe runs
 * through the syscall tracepoints where the kernel has neither fentry nor
 * kprobes, with the same argument indexes and event shape. Where nothing
 * fits, the hook (and so the policy) is refused with the reason.
 */
#ifndef HORNET_POLICY_PLAN_H
#define HORNET_POLICY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/generic.h>

#include "policy/policy.h"
#include "probe/features.h"

enum hornet_mech {
	HORNET_MECH_LSM,
	HORNET_MECH_FENTRY,
	HORNET_MECH_FEXIT,
	HORNET_MECH_FMOD_RET,
	HORNET_MECH_KPROBE,
	HORNET_MECH_KRETPROBE, /* with a kprobe at the entry that keeps the arguments */
	HORNET_MECH_TRACEPOINT,
	HORNET_MECH_TP_RET, /* sys_enter_X keeps the arguments, sys_exit_X evaluates */
	HORNET_MECH_TP_BTF,
	HORNET_MECH_RAW_TP,
	HORNET_MECH_UPROBE,
	HORNET_MECH_URETPROBE,
	HORNET_MECH_USDT, /* a uprobe at a USDT probe site, its arguments from the note */
	HORNET_MECH_CGROUP_CONNECT, /* cgroup/connect4 and connect6 on a cgroup v2 directory */
	HORNET_MECH_CGROUP_SENDMSG, /* cgroup/sendmsg4 and sendmsg6 (UDP), the same */
	HORNET_MECH_COUNT,
};

const char *hornet_mech_name(enum hornet_mech m); /* "lsm", "fentry", "tracepoint", ... */

/* How one argument of a hook is read at its point. */
struct hornet_plan_arg {
	struct hornet_gen_spec spec;
	const struct hornet_arg *arg; /* the policy's argument */
};

/* One hook of a policy, planned: a "list:" kprobe gives one per function. */
struct hornet_plan_hook {
	const struct hornet_hook *hook;
	unsigned int hook_index; /* in policy->hooks */
	enum hornet_mech mech;
	char target[160]; /* function, hook, "subsys/event" or symbol */
	char target2[160]; /* TP_RET: the sys_exit tracepoint */
	char path[4096]; /* uprobes: the binary */
	uint64_t offset; /* uprobes: offset (when no symbol); USDT: the site's */
	uint64_t ref_ctr; /* USDT: file offset of the probe's semaphore, 0 none */
	struct hornet_usdt_arg usdt_args[HORNET_USDT_BPF_ARGS]; /* USDT: the note's */
	char function_name[160]; /* for events: "__x64_sys_openat", "security_file_open" */
	bool syscall;
	unsigned int nr_fn_args; /* arguments the point has (BTF), 6 when unknown */
	struct hornet_plan_arg args[HORNET_POLICY_MAX_ARGS];
	size_t nr_args;
	struct hornet_plan_arg ret; /* spec.type NOP when the hook has no returnArg */
	bool has_ret;
	bool override; /* a selector overrides the return value */
};

/*
 * One syscall of spec.enforcers: its sys_enter_/sys_exit_ tracepoints carry
 * the signal; where a NotifyEnforcer sets argError, a kprobe on its function
 * (bpf_override_return) takes the entry's place.
 */
struct hornet_plan_enforcer {
	char syscall[64]; /* "dup": syscalls/sys_enter_dup, syscalls/sys_exit_dup */
	char function[160]; /* "__x64_sys_dup": the kprobe's, with override */
	bool override;
};

/* "syscalls/sys_enter_dup, syscalls/sys_exit_dup" or "__x64_sys_dup, syscalls/sys_exit_dup" */
void hornet_plan_enforcer_points(const struct hornet_plan_enforcer *pe, char *buf, size_t size);
/* "tracepoint", or "kprobe+override" where argError overrides the call */
const char *hornet_plan_enforcer_mech(const struct hornet_plan_enforcer *pe);

struct hornet_plan {
	struct hornet_plan_hook *hooks;
	size_t nr_hooks;
	size_t nr_skipped; /* hooks dropped by ignore.callNotFound */
	struct hornet_plan_enforcer *enforcers;
	size_t nr_enforcers;
};

/*
 * The key of the hook point @ph attaches to ("fentry:security_file_open"):
 * hooks with the same key share one program instance.
 */
void hornet_plan_point_key(const struct hornet_plan_hook *ph, char *key, size_t size);

/* What the planner knows of this kernel, probed once by the agent. */
struct hornet_kernel {
	struct hornet_features features;
	struct btf *btf; /* vmlinux BTF, or NULL (not parsed yet, or none) */
	bool btf_on_demand; /* hornet_kernel_init()'s: a plan parses it when NULL */
	const char *tracefs; /* "/sys/kernel/tracing", or NULL when not mounted */
	bool override_return; /* bpf_override_return() works (error injection) */
	const char *error_injection; /* debugfs's error_injection/list, or NULL */
	char **ftrace_funcs; /* available_filter_functions, sorted; NULL when unreadable */
	size_t nr_ftrace_funcs;
	char syscall_prefix[16]; /* "__x64_sys_" */
	const struct hornet_policy *policy; /* the policy being planned */
	/* probes a feature left unprobed at start (hornet_features_probe_one(),
	 * which the policy core does not link); NULL: it counts as missing */
	void (*probe_one)(struct hornet_features *f, enum hornet_feature x);
	/* another kernel, from its BTF (hornet_kernel_from_btf()): btf is its own,
	 * tracepoints come from it, tmpdir holds its syscall tracepoints' formats */
	bool btf_foreign;
	bool tp_from_btf;
	char tmpdir[64];
	char injection_path[96];
};

/* Fills @k: features (already probed by the caller), BTF, tracefs. */
int hornet_kernel_init(struct hornet_kernel *k, const struct hornet_features *features);
void hornet_kernel_fini(struct hornet_kernel *k);

/*
 * Fills @k with another kernel, as its BTF at @path describes it (a raw BTF
 * file such as a copy of /sys/kernel/btf/vmlinux, or a vmlinux ELF with
 * .BTF), for `hornet policy check --btf`: its features (kprobes where BTF has
 * register_kprobe, fentry where it has BPF trampolines, bpf_loop() where
 * enum bpf_func_id has it, ...), functions, LSM hooks, tracepoints (their
 * trace_event_raw_ structs) and syscalls. @config, when not NULL, is its
 * build configuration (Debian's /boot/config-VERSION), for what BTF cannot
 * show: whether BPF LSM is enabled at boot (CONFIG_LSM), kprobe override and
 * error injection. What neither shows goes to @assumed, one line. Returns 0, or -errno with a message in @err; free
 * with hornet_kernel_fini().
 */
int hornet_kernel_from_btf(struct hornet_kernel *k, const char *path, const char *config,
			   char *assumed, size_t assumed_size, char *err, size_t err_size);
/* hornet_kernel_fini()'s part for such a kernel: its temporary directory goes. */
void hornet_kernel_btf_cleanup(struct hornet_kernel *k);
/*
 * The vmlinux BTF is parsed by the first hornet_plan_policy() that needs it
 * and kept until this frees it: 6 MB of memory the agent does not hold
 * between policy changes (a plan costs a parse, 60 ms of CPU, then).
 */
void hornet_kernel_drop_btf(struct hornet_kernel *k);

/*
 * Plans every hook of @p for kernel @k. Returns 0, or -errno with a
 * message in @err naming the hook and why it cannot be placed, e.g.
 * "spec.lsmhooks[0] 'file_open': needs BPF LSM, fentry or kprobes; this
 * kernel has none (lsm: program load: Operation not permitted)".
 */
int hornet_plan_policy(const struct hornet_policy *p, const struct hornet_kernel *k,
		       struct hornet_plan *plan, char *err, size_t err_size);
void hornet_plan_free(struct hornet_plan *plan);

/* The syscall number of "openat" / "sys_openat" / "__x64_sys_openat", or -1. */
int hornet_syscall_nr(const char *name);

#endif
