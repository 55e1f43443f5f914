// SPDX-License-Identifier: GPL-2.0
/*
 * The hook plan, table-driven: a policy (YAML, through the real parser) and
 * a kernel described by hand (policy_fixture.h) in, the plan out: each
 * hook's mechanism, point, function, and the spec of each argument; or the
 * exact refusal. The rows of docs/policies.md's table of the two kernels
 * this project runs on come first.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "unit.h"
#include "policy_fixture.h"
#include "util/cgroup2.h"

/* Options of a row's kernel beyond its features. */
#define K_FTRACE (1 << 0) /* available_filter_functions readable, without do_unlinkat */
#define K_NO_CGROUP2 (1 << 1) /* the row's result needs a cgroup v2 mount */
#define K_OVERRIDE_RETURN (1 << 2) /* bpf_override_return() works */

struct plan_case {
	const char *name;
	enum fx_kernel kernel;
	unsigned int feats; /* ~0u: the kernel's own */
	unsigned int opts;
	const char *spec; /* the policy's spec, indented by two */
	/* the plan as plan_text() writes it, or the refusal; "{cgroup}" stands for the
	 * cgroup v2 mount, "{n}" for a number that depends on the build machine */
	const char *want;
	int want_ret;
};

#define ALL_BUT(f) (HORNET_FEAT_ALL & ~(f))
#define F(x) HORNET_FEAT_BIT(HORNET_FEAT_##x)

/* Pieces of the rows' policies. */
#define OVERRIDE \
	"    selectors:\n    - matchActions:\n      - action: Override\n        argError: -1\n"
#define KPROBE_SFP "  kprobes:\n  - call: security_file_permission\n"
#define KPROBE_OPENAT "  kprobes:\n  - call: sys_openat\n    syscall: true\n"
#define TP_EXEC "  tracepoints:\n  - subsystem: sched\n    event: sched_process_exec\n"
#define RAW_EXEC TP_EXEC "    raw: true\n"

static const struct plan_case cases[] = {
	/* docs/policies.md, "On the two kernels this project tests on" */
	{ "host618/syscall_openat", FX_HOST_618, ~0u, 0,
	  KPROBE_OPENAT "    args:\n    - index: 1\n      type: string\n",
	  "tracepoint syscalls/sys_enter_openat -> syscalls/sys_exit_openat fn=" FX_SYS
	  "openat syscall n=1\n"
	  "  a: tp:string@24/8+uF dirfd=0 fs=8" },
	{ "host618/syscall_openat_return", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: sys_openat\n    syscall: true\n    return: true\n"
	  "    args:\n    - index: 1\n      type: string\n"
	  "    returnArg:\n      index: 0\n      type: int\n",
	  "tracepoint+ret syscalls/sys_enter_openat -> syscalls/sys_exit_openat fn=" FX_SYS
	  "openat syscall n=1\n"
	  "  a: tp:string@24/8+uF dirfd=0 fs=8\n"
	  "  ret: ret:int@0/4+s" },
	{ "host618/security_file_permission", FX_HOST_618, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: file\n",
	  "spec.kprobes[0] 'security_file_permission': kernel function "
	  "'security_file_permission' needs fentry or kprobes; this kernel has neither (fentry: "
	  "program load: Operation not supported; kprobe: kprobe PMU absent (CONFIG_KPROBES not "
	  "set?))",
	  -EOPNOTSUPP },
	{ "host618/lsm_override", FX_HOST_618, ~0u, 0,
	  "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: "
	  "file\n" OVERRIDE,
	  "spec.lsmhooks[0] 'file_open': Override on LSM hook 'file_open' needs BPF LSM; this "
	  "kernel has none (lsm not in the kernel's lsm= list)",
	  -EOPNOTSUPP },
	{ "host618/lsm_observe", FX_HOST_618, ~0u, 0,
	  "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n",
	  "spec.lsmhooks[0] 'file_open': LSM hook 'file_open' needs BPF LSM, fentry or kprobes; "
	  "this kernel has none (lsm: lsm not in the kernel's lsm= list)",
	  -EOPNOTSUPP },
	{ "host618/override_openat", FX_HOST_618, ~0u, 0, KPROBE_OPENAT OVERRIDE,
	  "spec.kprobes[0] 'sys_openat': Override on '" FX_SYS "openat' needs fmod_ret or "
	  "bpf_override_return on an error-injectable function; this kernel has neither (use an "
	  "lsmhooks hook to deny, or Sigkill)",
	  -EOPNOTSUPP },
	{ "host618/override_security_file_open", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: security_file_open\n" OVERRIDE,
	  "spec.kprobes[0] 'security_file_open': Override on 'security_file_open' needs fmod_ret "
	  "or bpf_override_return on an error-injectable function; this kernel has neither (use "
	  "an lsmhooks hook to deny, or Sigkill)",
	  -EOPNOTSUPP },
	{ "host618/raw_sched_process_exec", FX_HOST_618, ~0u, 0,
	  RAW_EXEC "    args:\n    - index: 2\n      type: linux_binprm\n",
	  "tp_btf sched_process_exec n=3\n"
	  "  a: arg:binprm@2/8" },
	{ "debian61/syscall_openat", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_OPENAT "    args:\n    - index: 1\n      type: string\n",
	  "fentry " FX_SYS "openat syscall n=1\n"
	  "  a: sys:string@1/8+uF dirfd=0" },
	{ "debian61/syscall_openat_return", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_openat\n    syscall: true\n    return: true\n"
	  "    args:\n    - index: 1\n      type: string\n"
	  "    returnArg:\n      index: 0\n      type: int\n",
	  "fexit " FX_SYS "openat syscall n=1\n"
	  "  a: sys:string@1/8+uF dirfd=0\n"
	  "  ret: ret:int@0/4+s" },
	{ "debian61/security_file_permission", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP
	  "    args:\n    - index: 0\n      type: file\n    - index: 1\n      type: int\n",
	  "fentry security_file_permission n=2\n"
	  "  a: arg:file@0/8\n"
	  "  a: arg:int@1/4+s" },
	{ "debian61/lsm_override", FX_DEBIAN_61, ~0u, 0,
	  "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: "
	  "file\n" OVERRIDE,
	  "lsm file_open fn=security_file_open n=1\n"
	  "  a: arg:file@0/8" },
	{ "debian61/lsm_observe", FX_DEBIAN_61, ~0u, 0, "  lsmhooks:\n  - hook: file_open\n",
	  "lsm file_open fn=security_file_open n=1" },
	{ "debian61/override_openat", FX_DEBIAN_61, ~0u, 0, KPROBE_OPENAT OVERRIDE,
	  "spec.kprobes[0] 'sys_openat': Override on '" FX_SYS "openat' needs fmod_ret or "
	  "bpf_override_return on an error-injectable function; this kernel has neither (use an "
	  "lsmhooks hook to deny, or Sigkill)",
	  -EOPNOTSUPP },
	{ "debian61/override_security_file_open", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: security_file_open\n"
	  "    args:\n    - index: 0\n      type: file\n" OVERRIDE,
	  "lsm file_open fn=security_file_open n=1\n"
	  "  a: arg:file@0/8" },
	{ "debian61/raw_sched_process_exec", FX_DEBIAN_61, ~0u, 0,
	  RAW_EXEC "    args:\n    - index: 2\n      type: linux_binprm\n",
	  "tp_btf sched_process_exec n=3\n"
	  "  a: arg:binprm@2/8" },

	/* kprobes and fentries: the next best mechanism, and refusals */
	{ "kprobe/no_fentry", FX_DEBIAN_61, ALL_BUT(F(FENTRY) | F(FMOD_RET)), 0,
	  "  kprobes:\n  - call: security_file_permission\n    return: true\n"
	  "    args:\n    - index: 1\n      type: int\n"
	  "    returnArg:\n      index: 0\n      type: int\n",
	  "kretprobe security_file_permission n=2\n"
	  "  a: arg:int@1/4+s\n"
	  "  ret: ret:int@0/4+s" },
	{ "kprobe/syscall_without_btf_is_kprobe", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_write\n    syscall: true\n"
	  "    args:\n    - index: 1\n      type: char_buf\n      sizeArgIndex: 3\n"
	  "    - index: 2\n      type: size_t\n",
	  "kprobe " FX_SYS "write syscall n=6\n"
	  "  a: sys:buf@1/8+u sz=1\n"
	  "  a: sys:int@2/8" },
	/* char_iovec: the count of segments in its size spec; sockaddr_un and bpf_cmd */
	{ "kprobe/syscall_char_iovec", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_writev\n    syscall: true\n"
	  "    args:\n    - index: 1\n      type: char_iovec\n      sizeArgIndex: 3\n"
	  "    - index: 2\n      type: sint32\n",
	  "fentry " FX_SYS "writev syscall n=1\n"
	  "  a: sys:iovec@1/8+u sz=1\n"
	  "  a: sys:int@2/4+s" },
	{ "kprobe/syscall_sockaddr_un_bpf_cmd", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_connect\n    syscall: true\n"
	  "    args:\n    - index: 1\n      type: sockaddr_un\n"
	  "    - index: 0\n      type: bpf_cmd\n    - index: 2\n      type: unsigned long\n",
	  "fentry " FX_SYS "connect syscall n=1\n"
	  "  a: sys:sockaddr_un@1/8+u\n"
	  "  a: sys:int@0/4+s\n"
	  "  a: sys:int@2/8" },
	{ "kprobe/fentries_need_fentry", FX_DEBIAN_61, ALL_BUT(F(FENTRY) | F(FMOD_RET)), 0,
	  "  fentries:\n  - call: security_file_permission\n",
	  "spec.fentries[0] 'security_file_permission': fentries need fentry (BPF trampolines) "
	  "on 'security_file_permission': program load: Operation not supported",
	  -EOPNOTSUPP },
	{ "kprobe/fentries", FX_DEBIAN_61, ~0u, 0,
	  "  fentries:\n  - call: do_unlinkat\n    args:\n    - index: 1\n      type: filename\n",
	  "fentry do_unlinkat n=2\n"
	  "  a: arg:filename@1/8" },
	{ "kprobe/missing_function", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: no_such_function\n",
	  "spec.kprobes[0] 'no_such_function': kernel function 'no_such_function' does not "
	  "exist on this kernel",
	  -ENOENT },
	{ "kprobe/missing_function_ignored", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: no_such_function\n    ignore:\n      callNotFound: true\n"
	  "  - call: do_unlinkat\n",
	  "fentry do_unlinkat n=2\n"
	  "skipped 1" },
	/* no way to trace it here: skipped as absent, unless it would deny */
	{ "kprobe/untraceable_ignored", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: security_file_open\n    ignore:\n      callNotFound: true\n"
	  "  - call: sys_openat\n    syscall: true\n",
	  "tracepoint syscalls/sys_enter_openat -> syscalls/sys_exit_openat fn=" FX_SYS
	  "openat syscall n=1\n"
	  "skipped 1" },
	{ "kprobe/untraceable_override_refused", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: security_file_open\n    ignore:\n      callNotFound: true\n"
	  "    selectors:\n    - matchActions:\n      - action: Override\n        argError: -1\n",
	  "spec.kprobes[0] 'security_file_open': Override on 'security_file_open' needs "
	  "fmod_ret or bpf_override_return on an error-injectable function; this kernel has "
	  "neither (use an lsmhooks hook to deny, or Sigkill)",
	  -EOPNOTSUPP },
	{ "kprobe/all_ignored", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: no_such_function\n    ignore:\n      callNotFound: true\n",
	  "no hook of the policy exists on this kernel (all were skipped by "
	  "ignore.callNotFound or ignore.digestVerificationFailure)",
	  -ENOENT },
	{ "kprobe/not_a_syscall", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_no_such_call\n    syscall: true\n",
	  "spec.kprobes[0] 'sys_no_such_call': 'sys_no_such_call' is not a syscall of this "
	  "kernel",
	  -ENOENT },
	/* the running kernel's syscalls, whatever the headers hornet was built with knew */
	{ "kprobe/syscall_newer_than_the_headers", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_fchmodat2\n    syscall: true\n",
	  "fentry " FX_SYS "fchmodat2 syscall n=1" },
	{ "kprobe/syscall_the_kernel_lacks", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_cachestat\n    syscall: true\n",
	  "spec.kprobes[0] 'sys_cachestat': 'sys_cachestat' is a syscall this kernel does not "
	  "have (older than it, or left out of its configuration)",
	  -ENOENT },
	{ "kprobe/syscall_the_kernel_lacks_ignored", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_cachestat\n    syscall: true\n"
	  "    ignore:\n      callNotFound: true\n"
	  "  - call: sys_openat\n    syscall: true\n",
	  "fentry " FX_SYS "openat syscall n=1\nskipped 1" },
	{ "kprobe/not_in_available_filter_functions", FX_DEBIAN_61, ~0u, K_FTRACE,
	  "  kprobes:\n  - call: do_unlinkat\n",
	  "spec.kprobes[0] 'do_unlinkat': kernel function 'do_unlinkat' cannot be traced on "
	  "this kernel (it is not in available_filter_functions: inlined, or a static copy)",
	  -ENOENT },
	{ "kprobe/in_available_filter_functions", FX_DEBIAN_61, ~0u, K_FTRACE, KPROBE_SFP,
	  "fentry security_file_permission n=2" },
	{ "kprobe/syscall_tracepoint_missing", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: sys_unlinkat\n    syscall: true\n",
	  "spec.kprobes[0] 'sys_unlinkat': '" FX_SYS "unlinkat': no kprobes or fentry on this "
	  "kernel, and no tracepoint syscalls/sys_enter_unlinkat to use instead",
	  -ENOENT },
	{ "kprobe/index_past_prototype", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: security_file_open\n    args:\n    - index: 1\n      type: int\n",
	  "spec.kprobes[0] 'security_file_open': args index 1: security_file_open has 1 "
	  "arguments",
	  -EINVAL },
	{ "kprobe/override_not_injectable", FX_DEBIAN_61, HORNET_FEAT_ALL, 0,
	  "  kprobes:\n  - call: do_unlinkat\n" OVERRIDE,
	  "spec.kprobes[0] 'do_unlinkat': Override on 'do_unlinkat' needs fmod_ret or "
	  "bpf_override_return on an error-injectable function; this kernel has them, but not "
	  "for this function (use an lsmhooks hook to deny, or Sigkill)",
	  -EOPNOTSUPP },

	/* spec.enforcers: the signal by the syscall's tracepoints, the error by a kprobe */
	{ "enforcer/signal_by_tracepoints", FX_HOST_618, ~0u, 0,
	  "  enforcers:\n  - calls: [sys_openat, __x64_sys_openat, openat]\n" KPROBE_OPENAT
	  "    selectors:\n    - matchActions:\n      - action: NotifyEnforcer\n"
	  "        argSig: 9\n",
	  "tracepoint syscalls/sys_enter_openat -> syscalls/sys_exit_openat fn=" FX_SYS
	  "openat syscall n=1\n"
	  "enforcer openat: syscalls/sys_enter_openat, syscalls/sys_exit_openat" },
	{ "enforcer/error_by_kprobe_override", FX_DEBIAN_61, ~0u, K_OVERRIDE_RETURN,
	  "  enforcers:\n  - calls: [sys_openat]\n" KPROBE_OPENAT
	  "    selectors:\n    - matchActions:\n      - action: NotifyEnforcer\n"
	  "        argError: -1\n",
	  "fentry " FX_SYS "openat syscall n=1\n"
	  "enforcer openat: " FX_SYS "openat, syscalls/sys_exit_openat" },
	{ "enforcer/error_without_override", FX_DEBIAN_61, HORNET_FEAT_ALL, 0,
	  "  enforcers:\n  - calls: [sys_openat]\n" KPROBE_OPENAT
	  "    selectors:\n    - matchActions:\n      - action: NotifyEnforcer\n"
	  "        argError: -1\n        argSig: 9\n",
	  "spec.enforcers[0].calls[0]: NotifyEnforcer's argError needs bpf_override_return() on "
	  "'" FX_SYS "openat' (kprobes, CONFIG_BPF_KPROBE_OVERRIDE, the function on the "
	  "error-injection list); this kernel has no bpf_override_return(): use argSig alone, or "
	  "Override on an lsmhooks hook",
	  -EOPNOTSUPP },
	{ "enforcer/error_without_kprobes", FX_HOST_618, ~0u, K_OVERRIDE_RETURN,
	  "  lists:\n  - name: calls\n    values: [sys_openat]\n"
	  "  enforcers:\n  - calls: [\"list:calls\"]\n" KPROBE_OPENAT
	  "    selectors:\n    - matchActions:\n      - action: NotifyEnforcer\n"
	  "        argError: -1\n",
	  "spec.enforcers[0].calls[0]: NotifyEnforcer's argError needs bpf_override_return() on "
	  "'" FX_SYS "openat' (kprobes, CONFIG_BPF_KPROBE_OVERRIDE, the function on the "
	  "error-injection list); this kernel has no kprobes: use argSig alone, or Override on "
	  "an lsmhooks hook",
	  -EOPNOTSUPP },
	{ "enforcer/not_a_syscall", FX_HOST_618, ~0u, 0,
	  "  enforcers:\n  - calls: [sys_openat, sys_no_such_call]\n" KPROBE_OPENAT,
	  "spec.enforcers[0].calls[1]: 'sys_no_such_call' is not a syscall of this kernel",
	  -ENOENT },

	/* Override on error-injectable functions */
	{ "override/fmod_ret", FX_DEBIAN_61, HORNET_FEAT_ALL, 0, KPROBE_OPENAT OVERRIDE,
	  "fmod_ret " FX_SYS "openat syscall n=1" },
	{ "override/override_return", FX_DEBIAN_61, ~0u, K_OVERRIDE_RETURN, KPROBE_OPENAT OVERRIDE,
	  "kprobe " FX_SYS "openat syscall n=1 override" },
	{ "override/with_return", FX_DEBIAN_61, HORNET_FEAT_ALL, 0,
	  "  kprobes:\n  - call: sys_openat\n    syscall: true\n    return: true\n" OVERRIDE,
	  "spec.kprobes[0] 'sys_openat': Override and return: true cannot be combined", -EINVAL },
	{ "override/lsm_before_fmod_ret", FX_DEBIAN_61, HORNET_FEAT_ALL, 0,
	  "  kprobes:\n  - call: security_file_open\n" OVERRIDE,
	  "lsm file_open fn=security_file_open n=1" },
	{ "override/connect_as_cgroup_program", FX_DEBIAN_61, ~0u, K_NO_CGROUP2,
	  "  kprobes:\n  - call: sys_connect\n    syscall: true\n"
	  "    args:\n    - index: 1\n      type: sockaddr\n" OVERRIDE,
	  "cgroup/connect {cgroup} fn=" FX_SYS "connect path={cgroup} syscall n=6 override\n"
	  "  a: sys:sockaddr@1/8+u" },
	{ "override/connect_injected_where_it_can", FX_DEBIAN_61, HORNET_FEAT_ALL, 0,
	  "  kprobes:\n  - call: sys_connect\n    syscall: true\n" OVERRIDE,
	  "fmod_ret " FX_SYS "connect syscall n=1" },

	/* resolve: BTF field paths, through the fixture's struct file */
	{ "resolve/pointer_at_the_end", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP
	  "    args:\n    - index: 0\n      type: dentry\n      resolve: f_path.dentry\n",
	  "fentry security_file_permission n=2\n"
	  "  a: arg:dentry@0/8 res=24" },
	{ "resolve/three_pointers", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: uint64\n"
		     "      resolve: f_path.dentry.d_inode.i_ino\n",
	  "fentry security_file_permission n=2\n"
	  "  a: arg:int@0/8 res=24,8,8" },
	{ "resolve/six_pointers", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: dentry\n"
		     "      resolve: f_path.dentry.d_parent.d_parent.d_parent.d_parent.d_parent\n",
	  "fentry security_file_permission n=2\n"
	  "  a: arg:dentry@0/8 res=24,16,16,16,16,16" },
	{ "resolve/seven_reads", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: int\n"
		     "      resolve: f_path.dentry.d_parent.d_parent.d_parent.d_parent.d_parent."
		     "d_flags\n",
	  "spec.kprobes[0] 'security_file_permission': resolve "
	  "'f_path.dentry.d_parent.d_parent.d_parent.d_parent.d_parent.d_flags': more than 6 "
	  "pointers",
	  -E2BIG },
	{ "resolve/seven_pointers", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: int\n"
		     "      resolve: f_path.dentry.d_parent.d_parent.d_parent.d_parent.d_parent."
		     "d_parent.d_flags\n",
	  "spec.kprobes[0] 'security_file_permission': resolve "
	  "'f_path.dentry.d_parent.d_parent.d_parent.d_parent.d_parent.d_parent.d_flags': more "
	  "than 6 pointers",
	  -E2BIG },
	{ "resolve/unnamed_union_member", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: uint32\n      resolve: f_flags\n",
	  "fentry security_file_permission n=2\n"
	  "  a: arg:int@0/4 res=4" },
	{ "resolve/embedded_struct", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: path\n      resolve: f_path\n",
	  "fentry security_file_permission n=2\n"
	  "  a: arg:path@0/8 res=+16" },
	{ "resolve/no_such_field", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: int\n      resolve: f_path.nope\n",
	  "spec.kprobes[0] 'security_file_permission': resolve 'f_path.nope': no field 'nope' "
	  "in struct path",
	  -EINVAL },
	{ "resolve/not_inside_a_struct", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 0\n      type: int\n      resolve: f_mode.x\n",
	  "spec.kprobes[0] 'security_file_permission': resolve 'f_mode.x': 'x' is not inside a "
	  "struct",
	  -EINVAL },
	{ "resolve/not_a_pointer", FX_DEBIAN_61, ~0u, 0,
	  KPROBE_SFP "    args:\n    - index: 1\n      type: int\n      resolve: f_mode\n",
	  "spec.kprobes[0] 'security_file_permission': resolve 'f_mode': argument 1 is not a "
	  "pointer to a struct",
	  -EINVAL },
	{ "resolve/needs_btf", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: sys_write\n    syscall: true\n"
	  "    args:\n    - index: 0\n      type: int\n      resolve: f_mode\n",
	  "spec.kprobes[0] 'sys_write': resolve 'f_mode': needs the kernel's BTF for the "
	  "function",
	  -EOPNOTSUPP },

	/* lsmhooks */
	{ "lsm/unknown_hook", FX_DEBIAN_61, ~0u, 0, "  lsmhooks:\n  - hook: no_such_hook\n",
	  "spec.lsmhooks[0] 'no_such_hook': 'no_such_hook' is not an LSM hook of this kernel",
	  -ENOENT },
	{ "lsm/observe_with_fentry", FX_DEBIAN_61, ALL_BUT(F(LSM) | F(FMOD_RET)), 0,
	  "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n",
	  "fentry security_file_open n=1\n"
	  "  a: arg:file@0/8" },
	{ "lsm/observe_with_kprobe", FX_DEBIAN_61, ALL_BUT(F(LSM) | F(FENTRY) | F(FMOD_RET)), 0,
	  "  lsmhooks:\n  - hook: file_open\n", "kprobe security_file_open n=1" },
	{ "lsm/without_btf", FX_BARE, F(LSM) | F(TRACEPOINT), 0,
	  "  lsmhooks:\n  - hook: file_open\n", "lsm file_open fn=security_file_open n=6" },

	/* tracepoints: fields from the format file */
	{ "tracepoint/auto_types", FX_HOST_618, ~0u, 0,
	  "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n"
	  "    args:\n    - index: 5\n    - index: 6\n    - index: 7\n      type: int\n",
	  "tracepoint syscalls/sys_enter_openat fn=sys_enter_openat n=9\n"
	  "  a: tp:int@16/8 fs=8\n"
	  "  a: tp:string@24/8+u fs=8\n"
	  "  a: tp:int@32/4+s fs=8" },
	{ "tracepoint/small_signed_field", FX_HOST_618, ~0u, 0,
	  TP_EXEC "    args:\n    - index: 5\n",
	  "tracepoint sched/sched_process_exec fn=sched_process_exec n=7\n"
	  "  a: tp:int@12/4+s fs=4" },
	/* a __data_loc string: its 4-byte locator, made an address in the kernel */
	{ "tracepoint/data_loc", FX_HOST_618, ~0u, 0, TP_EXEC "    args:\n    - index: 4\n",
	  "tracepoint sched/sched_process_exec fn=sched_process_exec n=7\n"
	  "  a: tp:data_loc@8/8 fs=4" },
	{ "tracepoint/data_loc_as_string", FX_HOST_618, ~0u, 0,
	  TP_EXEC "    args:\n    - index: 4\n      type: string\n",
	  "tracepoint sched/sched_process_exec fn=sched_process_exec n=7\n"
	  "  a: tp:data_loc@8/8 fs=4" },
	{ "tracepoint/data_loc_as_int", FX_HOST_618, ~0u, 0,
	  TP_EXEC "    args:\n    - index: 4\n      type: int\n",
	  "spec.tracepoints[0] 'sched/sched_process_exec': argument 4: tracepoint field "
	  "'__data_loc char[] filename' is a __data_loc string; read it as type string (or "
	  "leave the type out)",
	  -EINVAL },
	{ "tracepoint/data_loc_elsewhere", FX_HOST_618, ~0u, 0,
	  TP_EXEC "    args:\n    - index: 5\n      type: data_loc\n",
	  "spec.tracepoints[0] 'sched/sched_process_exec': argument 5: type data_loc is for the "
	  "__data_loc fields of tracepoints",
	  -EINVAL },
	{ "tracepoint/index_past_fields", FX_HOST_618, ~0u, 0,
	  TP_EXEC "    args:\n    - index: 9\n",
	  "spec.tracepoints[0] 'sched/sched_process_exec': args index 9: the tracepoint has 7 "
	  "fields (0 to 6)",
	  -EINVAL },
	{ "tracepoint/missing", FX_HOST_618, ~0u, 0,
	  "  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n",
	  "spec.tracepoints[0] 'sched/no_such_event': no tracepoint sched/no_such_event on this "
	  "kernel",
	  -ENOENT },
	{ "tracepoint/missing_ignored", FX_HOST_618, ~0u, 0,
	  "  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n"
	  "    ignore:\n      callNotFound: true\n"
	  "  - subsystem: sched\n    event: sched_process_exec\n",
	  "tracepoint sched/sched_process_exec fn=sched_process_exec n=7\nskipped 1" },
	{ "tracepoint/all_missing_ignored", FX_HOST_618, ~0u, 0,
	  "  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n"
	  "    ignore:\n      callNotFound: true\n",
	  "no hook of the policy exists on this kernel (all were skipped by "
	  "ignore.callNotFound or ignore.digestVerificationFailure)",
	  -ENOENT },
	{ "tracepoint/no_tracefs", FX_BARE, ~0u, 0, TP_EXEC,
	  "spec.tracepoints[0] 'sched/sched_process_exec': no tracepoint sched/sched_process_exec "
	  "on this kernel (tracefs is not mounted)",
	  -ENOENT },
	{ "tracepoint/override", FX_HOST_618, ~0u, 0, TP_EXEC OVERRIDE,
	  "spec.tracepoints[0] 'sched/sched_process_exec': Override does not apply to "
	  "tracepoints (use Sigkill)",
	  -EINVAL },
	{ "raw_tracepoint/raw_tp", FX_HOST_618, F(RAW_TP) | F(TRACEPOINT), 0,
	  RAW_EXEC "    args:\n    - index: 1\n      type: int\n",
	  "raw_tp sched_process_exec n=3\n"
	  "  a: arg:int@1/4+s" },
	{ "raw_tracepoint/none", FX_HOST_618, F(TRACEPOINT), 0, RAW_EXEC,
	  "spec.tracepoints[0] 'sched/sched_process_exec': raw tracepoints do not work on this "
	  "kernel (program load: Invalid argument)",
	  -EOPNOTSUPP },
	{ "raw_tracepoint/no_btf", FX_HOST_618, ~0u, 0,
	  "  tracepoints:\n  - subsystem: sched\n    event: no_such_event\n    raw: true\n",
	  "spec.tracepoints[0] 'sched/no_such_event': no BTF tracepoint 'no_such_event' on this "
	  "kernel",
	  -ENOENT },
	{ "raw_tracepoint/index_past_arguments", FX_HOST_618, ~0u, 0,
	  RAW_EXEC "    args:\n    - index: 3\n      type: int\n",
	  "spec.tracepoints[0] 'sched/sched_process_exec': args index 3: tracepoint "
	  "sched_process_exec has 3 arguments",
	  -EINVAL },

	/* lists: one hook per function */
	{ "list/syscalls", FX_DEBIAN_61, ~0u, 0,
	  "  lists:\n  - name: opens\n    type: syscalls\n    values: [sys_openat, sys_dup]\n"
	  "  kprobes:\n  - call: list:opens\n    args:\n    - index: 1\n      type: string\n",
	  "fentry " FX_SYS "openat syscall n=1\n"
	  "  a: sys:string@1/8+uF dirfd=0\n"
	  "kprobe " FX_SYS "dup syscall n=6\n"
	  "  a: sys:string@1/8+u" },
	{ "list/missing_values_ignored", FX_DEBIAN_61, ~0u, 0,
	  "  lists:\n  - name: fns\n    type: syscalls\n"
	  "    values: [sys_no_such_call, sys_openat]\n"
	  "  kprobes:\n  - call: list:fns\n    ignore:\n      callNotFound: true\n",
	  "fentry " FX_SYS "openat syscall n=1" },
	{ "list/nothing_exists", FX_DEBIAN_61, ~0u, 0,
	  "  lists:\n  - name: fns\n    type: syscalls\n    values: [sys_no_such_call]\n"
	  "  kprobes:\n  - call: list:fns\n    ignore:\n      callNotFound: true\n",
	  "spec.kprobes[0] 'list:fns': list 'fns' has no function that exists on this kernel",
	  -ENOENT },
	/* generated lists: the running kernel's syscalls (its tracepoints say which),
	 * the traceable functions a pattern matches, one program each */
	{ "list/generated_syscalls", FX_DEBIAN_61, ~0u, 0,
	  "  lists:\n  - name: all\n    type: generated_syscalls\n"
	  "  kprobes:\n  - call: list:all\n",
	  "kprobe " FX_SYS "dup syscall n=6\n"
	  "fentry " FX_SYS "openat syscall n=1\n"
	  "kprobe " FX_SYS "write syscall n=6" },
	{ "list/generated_syscalls_on_tracepoints", FX_HOST_618, ~0u, 0,
	  "  lists:\n  - name: all\n    type: generated_syscalls\n"
	  "  kprobes:\n  - call: list:all\n",
	  "tracepoint syscalls/sys_enter_dup -> syscalls/sys_exit_dup fn=" FX_SYS "dup syscall "
	  "n=6\n"
	  "tracepoint syscalls/sys_enter_openat -> syscalls/sys_exit_openat fn=" FX_SYS
	  "openat syscall n=1\n"
	  "tracepoint syscalls/sys_enter_write -> syscalls/sys_exit_write fn=" FX_SYS
	  "write syscall n=6" },
	{ "list/generated_ftrace_unreadable", FX_DEBIAN_61, ~0u, 0,
	  "  lists:\n  - name: vfs\n    type: generated_ftrace\n    pattern: \"^vfs_*\"\n"
	  "  kprobes:\n  - call: list:vfs\n",
	  "spec.kprobes[0] 'list:vfs': list 'vfs' (generated_ftrace) needs "
	  "available_filter_functions, which this kernel does not let us read",
	  -EOPNOTSUPP },
	{ "list/generated_ftrace", FX_DEBIAN_61, ~0u, K_FTRACE,
	  "  lists:\n  - name: sec\n    type: generated_ftrace\n    pattern: "
	  "\"^(security|vfs)_*\"\n"
	  "  kprobes:\n  - call: list:sec\n",
	  "fentry security_file_permission n=2" },
	{ "list/generated_ftrace_no_match", FX_DEBIAN_61, ~0u, K_FTRACE,
	  "  lists:\n  - name: none\n    type: generated_ftrace\n    pattern: \"^nothing_\"\n"
	  "  kprobes:\n  - call: list:none\n",
	  "spec.kprobes[0] 'list:none': list 'none' has no function that exists on this kernel",
	  -ENOENT },

	/* uprobes */
	{ "uprobe/symbols_and_offsets", FX_HOST_618, ~0u, 0,
	  "  uprobes:\n  - path: /proc/self/exe\n    symbols: [main, helper]\n"
	  "    offsets: [4096]\n    args:\n    - index: 0\n      type: string\n",
	  "uprobe main path=/proc/self/exe n=6\n"
	  "  a: arg:string@0/8+u\n"
	  "uprobe helper path=/proc/self/exe n=6\n"
	  "  a: arg:string@0/8+u\n"
	  "uprobe 0x1000 path=/proc/self/exe n=6\n"
	  "  a: arg:string@0/8+u" },
	{ "uprobe/return", FX_DEBIAN_61, ~0u, 0,
	  "  uprobes:\n  - path: /proc/self/exe\n    symbols: [main]\n    return: true\n",
	  "uretprobe main path=/proc/self/exe n=6" },
	{ "uprobe/unreadable_binary", FX_HOST_618, ~0u, 0,
	  "  uprobes:\n  - path: /nonexistent/bin\n    symbols: [main]\n",
	  "spec.uprobes[0] 'main': uprobe binary '/nonexistent/bin': No such file or directory",
	  -ENOENT },
	{ "uprobe/no_uprobes", FX_HOST_618, F(TRACEPOINT), 0,
	  "  uprobes:\n  - path: /proc/self/exe\n    symbols: [main]\n",
	  "spec.uprobes[0] 'main': uprobes do not work on this kernel (uprobe PMU absent)",
	  -EOPNOTSUPP },

	/* connect(2) as a cgroup program where nothing else fits */
	{ "cgroup_connect/tcp_connect", FX_HOST_618, ~0u, K_NO_CGROUP2,
	  "  kprobes:\n  - call: tcp_connect\n    args:\n    - index: 0\n      type: sock\n",
	  "cgroup/connect {cgroup} fn=tcp_connect path={cgroup} n=6\n"
	  "  a: arg:sock@0/8" },
	/* a datagram sent without connect: its destination from the program's context */
	{ "cgroup_sendmsg/security_socket_sendmsg", FX_HOST_618, ~0u, K_NO_CGROUP2,
	  "  kprobes:\n  - call: security_socket_sendmsg\n    args:\n    - index: 1\n"
	  "      type: sockaddr\n      resolve: msg_name\n"
	  "    selectors:\n    - matchActions:\n      - action: Override\n        argError: -1\n",
	  "cgroup/sendmsg {cgroup} fn=security_socket_sendmsg path={cgroup} n=6 override\n"
	  "  a: arg:sockaddr@1/8" },
	{ "cgroup_sendmsg/lsm_where_the_kernel_has_it", FX_DEBIAN_61, ~0u, 0,
	  "  kprobes:\n  - call: security_socket_sendmsg\n    args:\n    - index: 1\n"
	  "      type: sockaddr\n      resolve: msg_name\n"
	  "    selectors:\n    - matchActions:\n      - action: Override\n        argError: -1\n",
	  "lsm socket_sendmsg fn=security_socket_sendmsg n=3\n"
	  "  a: arg:sockaddr@1/8 res=0" },
	{ "cgroup_connect/no_cgroup", FX_HOST_618, F(TRACEPOINT), 0,
	  "  kprobes:\n  - call: tcp_connect\n",
	  "spec.kprobes[0] 'tcp_connect': 'tcp_connect' needs kprobes, fentry or cgroup programs "
	  "(attach: Operation not permitted)",
	  -EOPNOTSUPP },
	{ "cgroup_connect/unfit_argument", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: tcp_connect\n    args:\n    - index: 0\n      type: string\n",
	  "spec.kprobes[0] 'tcp_connect': 'tcp_connect' runs here as a cgroup/connect program "
	  "(this kernel has no kprobes or fentry), and its arguments can only be sock, socket, "
	  "sockaddr or int",
	  -EOPNOTSUPP },
	{ "cgroup_connect/unfit_action", FX_HOST_618, ~0u, 0,
	  "  kprobes:\n  - call: tcp_connect\n"
	  "    selectors:\n    - matchActions:\n      - action: Sigkill\n",
	  "spec.kprobes[0] 'tcp_connect': 'tcp_connect' runs here as a cgroup/connect program "
	  "(this kernel has no kprobes or fentry), and its actions can only be Post, NoPost and "
	  "Override (no signals)",
	  -EOPNOTSUPP },

	/* USDT probes: the binary's notes are read when the policy is planned */
	{ "policy/usdt_missing", FX_DEBIAN_61, ~0u, 0,
	  "  usdts:\n  - path: /proc/self/exe\n    provider: p\n    name: n\n",
	  "spec.usdts[0] 'p:n': USDT binary '/proc/self/exe': no USDT probes in the file (no "
	  ".note.stapsdt section)",
	  -ENOENT },
	{ "policy/usdt_override", FX_DEBIAN_61, ~0u, 0,
	  "  usdts:\n  - path: /proc/self/exe\n    provider: p\n    name: n\n"
	  "    selectors:\n    - matchActions:\n      - action: Override\n        argError: -1\n",
	  "spec.usdts[0] 'p:n': Override does not apply to USDT probes", -EINVAL },
	/* scoped in the kernel per cgroup: the hooks are planned as for any policy */
	{ "policy/pod_selector", FX_DEBIAN_61, ~0u, 0,
	  "  podSelector:\n    matchLabels:\n      app: web\n"
	  "  kprobes:\n  - call: do_unlinkat\n",
	  "fentry do_unlinkat n=2", 0 },
	/* no hook: the agent's loader sensor runs while the policy is loaded */
	{ "policy/loader", FX_DEBIAN_61, ~0u, 0, "  loader: true\n", "", 0 },
};

/* The plan as text: one line per hook, then one per argument spec. */
static void plan_text(const struct hornet_plan *plan, char *buf, size_t size)
{
	size_t i, j;

	buf[0] = '\0';
	for (i = 0; i < plan->nr_hooks; i++) {
		const struct hornet_plan_hook *ph = &plan->hooks[i];

		fx_cat(buf, size, "%s%s %s", i ? "\n" : "",
		       ph->mech == HORNET_MECH_TP_RET ? "tracepoint+ret"
						      : hornet_mech_name(ph->mech),
		       ph->target);
		if (ph->target2[0])
			fx_cat(buf, size, " -> %s", ph->target2);
		if (strcmp(ph->function_name, ph->target))
			fx_cat(buf, size, " fn=%s", ph->function_name);
		if (ph->path[0])
			fx_cat(buf, size, " path=%s", ph->path);
		if (ph->syscall)
			fx_cat(buf, size, " syscall");
		fx_cat(buf, size, " n=%u", ph->nr_fn_args);
		if (ph->override)
			fx_cat(buf, size, " override");
		for (j = 0; j < ph->nr_args; j++) {
			fx_cat(buf, size, "\n  a: ");
			fx_spec(buf, size, &ph->args[j].spec);
		}
		if (ph->has_ret) {
			fx_cat(buf, size, "\n  ret: ");
			fx_spec(buf, size, &ph->ret.spec);
		}
	}
	if (plan->nr_skipped)
		fx_cat(buf, size, "\nskipped %zu", plan->nr_skipped);
	for (i = 0; i < plan->nr_enforcers; i++) {
		char at[512];

		hornet_plan_enforcer_points(&plan->enforcers[i], at, sizeof(at));
		fx_cat(buf, size, "\nenforcer %s: %s", plan->enforcers[i].syscall, at);
	}
}

/* @want with "{cgroup}" filled in. */
static void expand(const char *want, const char *cgroup, char *out, size_t size)
{
	out[0] = '\0';
	while (*want) {
		if (!strncmp(want, "{cgroup}", 8)) {
			fx_cat(out, size, "%s", cgroup);
			want += 8;
		} else {
			fx_cat(out, size, "%c", *want++);
		}
	}
}

static void run_case(const struct plan_case *c, struct btf *btf)
{
	static char *const ftrace[] = { "do_filp_open", "security_file_permission", "vfs_read" };
	char yaml[4096], err[1024] = "", got[8192], want[8192], cgroup[4096] = "";
	struct hornet_kernel k;
	struct hornet_plan plan;
	struct hornet_policy *p;
	int ret;

	if ((c->opts & K_NO_CGROUP2) && hornet_cgroup2_root(cgroup, sizeof(cgroup))) {
		UNIT_SKIP(c->name, "no cgroup v2 hierarchy is mounted");
		return;
	}
	UNIT_CASE(c->name)
	{
		snprintf(yaml, sizeof(yaml),
			 "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
			 "metadata:\n  name: plan-test\nspec:\n%s",
			 c->spec);
		p = fx_policy(yaml);
		CHECK(p != NULL);
		if (!p)
			continue;
		fx_kernel(&k, c->kernel, c->feats, btf);
		k.override_return = c->opts & K_OVERRIDE_RETURN;
		if (c->opts & K_FTRACE) {
			k.ftrace_funcs = (char **)ftrace;
			k.nr_ftrace_funcs = sizeof(ftrace) / sizeof(ftrace[0]);
		}
		expand(c->want, cgroup, want, sizeof(want));
		ret = hornet_plan_policy(p, &k, &plan, err, sizeof(err));
		CHECK_INT(ret, c->want_ret);
		if (!ret) {
			plan_text(&plan, got, sizeof(got));
			CHECK_STR(got, want);
			hornet_plan_free(&plan);
		} else {
			if (!fx_matches(err, want))
				CHECK_STR(err, want);
			CHECK_INT(plan.nr_hooks, 0);
		}
		hornet_policy_free(p);
	}
}

int main(void)
{
	struct btf *btf = fx_btf();
	size_t i;

	if (!btf || fx_tracefs_create()) {
		printf("FAIL plan/fixture: cannot build the test kernel's BTF or tracefs\n");
		fx_tracefs_remove();
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], btf);

	UNIT_CASE("plan/mech_names")
	{
		CHECK_STR(hornet_mech_name(HORNET_MECH_LSM), "lsm");
		CHECK_STR(hornet_mech_name(HORNET_MECH_TP_RET), "tracepoint");
		CHECK_STR(hornet_mech_name(HORNET_MECH_CGROUP_CONNECT), "cgroup/connect");
		CHECK_STR(hornet_mech_name(HORNET_MECH_COUNT), "?");
	}
	UNIT_CASE("plan/syscall_nr")
	{
		CHECK(hornet_syscall_nr("openat") >= 0);
		CHECK_INT(hornet_syscall_nr("sys_openat"), hornet_syscall_nr("openat"));
		CHECK_INT(hornet_syscall_nr("__x64_sys_openat"), hornet_syscall_nr("openat"));
		CHECK_INT(hornet_syscall_nr("__arm64_sys_openat"), hornet_syscall_nr("openat"));
		CHECK_INT(hornet_syscall_nr("no_such_call"), -1);
	}
	UNIT_CASE("plan/without_bpf_loop")
	{
		static const char doc[] =
			"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n"
			"  name: t\nspec:\n  tracepoints:\n  - subsystem: syscalls\n"
			"    event: sys_enter_getpid\n    args:\n    - index: 0\n      type: "
			"string\n"
			"    selectors:\n    - matchArgs:\n      - index: 0\n        operator: %s\n"
			"        values: [\"x\"]\n";
		const char *ops[] = { "SubString", "SubStringIgnCase", "Prefix" };
		struct hornet_kernel k;
		struct hornet_plan plan;
		char err[512], text[1024];

		fx_kernel(&k, FX_HOST_618, ~0u, btf);
		/* 5.10: probed, and missing; the bounded engine runs policies,
		 * but not a string search */
		k.features.has[HORNET_FEAT_BPF_LOOP] = false;
		k.features.probed[HORNET_FEAT_BPF_LOOP] = true;
		snprintf(k.features.detail[HORNET_FEAT_BPF_LOOP], HORNET_FEAT_DETAIL_LEN,
			 "bpf_loop() not allowed in raw_tracepoint programs");
		for (int i = 0; i < 3; i++) {
			struct hornet_policy *p;

			snprintf(text, sizeof(text), doc, ops[i]);
			p = fx_policy(text);
			CHECK(p);
			err[0] = '\0';
			if (i < 2) {
				CHECK_INT(hornet_plan_policy(p, &k, &plan, err, sizeof(err)),
					  -EOPNOTSUPP);
				CHECK(strstr(err, "spec.tracepoints[0]") &&
				      strstr(err,
					     "selectors[0]: SubString and SubStringIgnCase need "
					     "bpf_loop() (Linux 5.17)") &&
				      strstr(err, "not allowed in raw_tracepoint"));
				CHECK_INT(plan.nr_hooks, 0);
			} else {
				hornet_plan_policy(p, &k, &plan, err, sizeof(err));
				CHECK(!strstr(err, "bpf_loop"));
			}
			hornet_plan_free(&plan);
			hornet_policy_free(p);
		}
	}
	fx_tracefs_remove();
	btf__free(btf);
	UNIT_EXIT();
}
