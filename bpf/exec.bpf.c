// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The process lifecycle sensor: exec, fork and exit, and the in-kernel
 * process table keyed by TGID that every other sensor reads.
 *
 * Each hook exists twice, as a BTF tracepoint (tp_btf) and as a raw
 * tracepoint (raw_tp); the agent probes the kernel and turns one of the two
 * sets off before load. The bodies are shared.
 */
#include "lib/common.bpf.h"
#include "lib/compat.bpf.h"
#include "lib/cred.bpf.h"
#include "lib/path.bpf.h"
#include <hornet/generic.h>

#define S_ISUID 0004000
#define S_ISGID 0002000
#define S_IXGRP 00010
#define PF_KTHREAD 0x00200000

/* --enable-process-environment-variables: the environment follows the cgroup path */
const volatile bool hornet_exec_env = false;

struct hornet_exec_heap {
	char buf[HORNET_EXEC_EVENT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_exec_heap);
} hornet_exec_heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_proc);
} hornet_proc_heap SEC(".maps");

/*
 * matchBinaries with followChildren: binaries (exact paths, and prefixes)
 * whose processes and all their descendants carry follow slots. Filled by
 * the generic sensor's user space; the slots are bits of hornet_proc.follow.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_str_key);
	__type(value, __u64);
} hornet_follow_eq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_lpm_str_key);
	__type(value, __u64);
} hornet_follow_prefix SEC(".maps");

struct hornet_follow_keys {
	struct hornet_str_key eq;
	struct hornet_lpm_str_key prefix;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_follow_keys);
} hornet_follow_heap SEC(".maps");

static __always_inline __u64 hornet_follow_bits(const char *binary, __u32 len)
{
	struct hornet_follow_keys *k;
	__u32 zero = 0;
	__u64 bits = 0, *v;

	k = bpf_map_lookup_elem(&hornet_follow_heap, &zero);
	if (!k)
		return 0;
	__builtin_memset(k, 0, sizeof(*k));
	len = len < HORNET_GEN_STR - 1 ? len : HORNET_GEN_STR - 1;
	barrier_var(len); /* keep the masks below: the verifier needs the bound */
	k->eq.arg = HORNET_KEY_BINARY;
	bpf_probe_read_kernel(k->eq.s, len & 0xff, binary);
	v = bpf_map_lookup_elem(&hornet_follow_eq, &k->eq);
	if (v)
		bits |= *v;
	k->prefix.arg = HORNET_KEY_BINARY;
	k->prefix.prefixlen = 8 + 8 * len;
	bpf_probe_read_kernel(k->prefix.s, len & 0xff, binary);
	v = bpf_map_lookup_elem(&hornet_follow_prefix, &k->prefix);
	if (v)
		bits |= *v;
	return bits;
}

/*
 * The credentials a process had just before an exec replaced them, kept by
 * the bprm_committing_creds hook (where the kernel has one to attach to)
 * until sched_process_exec of the same process reads them. Keyed by TGID:
 * de_thread() has made the exec'ing thread the leader by then.
 */
struct hornet_old_creds {
	struct hornet_creds ids;
	__u64 permitted;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct hornet_old_creds);
} hornet_old_creds SEC(".maps");

static __always_inline void read_ns(struct task_struct *task, const struct cred *cred,
				    struct hornet_ns *ns)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	ns->inum[HORNET_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	ns->inum[HORNET_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	ns->inum[HORNET_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	ns->inum[HORNET_NS_PID_FOR_CHILDREN] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	ns->inum[HORNET_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	if (bpf_core_field_exists(nsp->time_ns)) {
		ns->inum[HORNET_NS_TIME] = BPF_CORE_READ(nsp, time_ns, ns.inum);
		ns->inum[HORNET_NS_TIME_FOR_CHILDREN] =
			BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	}
	ns->inum[HORNET_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	ns->inum[HORNET_NS_USER] = BPF_CORE_READ(cred, user_ns, ns.inum);
	/* task_active_pid_ns(): the namespace at the pid's own level */
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	ns->inum[HORNET_NS_PID] = BPF_CORE_READ(upid.ns, ns.inum);
}

/* Appends @len bytes of scratch slot @slot at @off to the record's data. */
static __always_inline __u32 append_scratch(char *data, __u32 pos, __u32 slot, __u32 off, __u32 len)
{
	char *buf = hornet_scratch(slot);

	if (!buf)
		return 0;
	len &= HORNET_PATH_MASK;
	if (bpf_probe_read_kernel(data + (pos & (2 * HORNET_PATH_MAX - 1)), len,
				  buf + (off & HORNET_PATH_MASK)))
		return 0;
	return len;
}

/*
 * How the exec changed privileges (capabilities(7), execve(2)). With the
 * credentials from before the exec (bprm_committing_creds) this is exact;
 * without them it is inferred from the file's mode and AT_SECURE: a
 * setuid-root file run by another user gets every capability, and an
 * AT_SECURE exec with no id change had its capabilities raised by the file.
 */
static __always_inline void set_privs(struct hornet_exec_event *e, struct inode *inode)
{
	struct hornet_old_creds *old = bpf_map_lookup_elem(&hornet_old_creds, &e->pid);
	__u16 mode = BPF_CORE_READ(inode, i_mode);
	bool raised;

	if (old) {
		if (e->creds.euid != old->ids.euid)
			e->privs |= HORNET_PRIV_SETUID;
		if (e->creds.egid != old->ids.egid)
			e->privs |= HORNET_PRIV_SETGID;
		raised = e->caps.permitted & ~old->permitted;
		if (raised && e->creds.euid == 0 && old->ids.euid != 0)
			e->privs |= HORNET_PRIV_SETUID_ROOT;
		else if (raised)
			e->privs |= HORNET_PRIV_FILE_CAP;
		bpf_map_delete_elem(&hornet_old_creds, &e->pid);
		return;
	}
	if ((mode & S_ISUID) && e->creds.euid == BPF_CORE_READ(inode, i_uid.val) &&
	    e->creds.euid != e->creds.uid)
		e->privs |= HORNET_PRIV_SETUID;
	if ((mode & S_ISGID) && (mode & S_IXGRP) &&
	    e->creds.egid == BPF_CORE_READ(inode, i_gid.val) && e->creds.egid != e->creds.gid)
		e->privs |= HORNET_PRIV_SETGID;
	if ((e->privs & HORNET_PRIV_SETUID) && e->creds.euid == 0 && e->caps.permitted)
		e->privs |= HORNET_PRIV_SETUID_ROOT;
	else if ((e->flags & HORNET_PF_SECUREEXEC) &&
		 !(e->privs & (HORNET_PRIV_SETUID | HORNET_PRIV_SETGID)) && e->caps.permitted &&
		 e->creds.uid != 0)
		e->privs |= HORNET_PRIV_FILE_CAP;
}

/*
 * The task's pid as its own pid namespace numbers it (what a container
 * shows as its pid): the last of struct pid's numbers, one per level.
 */
static __always_inline __u32 task_nspid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level;
	int nr = 0;

	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	if (level > 32) /* MAX_PID_NS_LEVEL */
		return 0;
	bpf_core_read(&nr, sizeof(nr), &pid->numbers[level].nr);
	return nr;
}

/*
 * The walks as global functions, which the verifier checks once each:
 * inlined, every state of handle_exec() that reached a walk (17 at the
 * cgroup's) made it walk the bpf_loop() callback to convergence again, 29,000
 * of the program's 38,000 instructions. They take kernel pointers as scalars
 * (a global function takes no BTF pointer on 6.1) and return
 * (flags << 48) | (len << 16) | off of the string in the scratch slot.
 */

/* The path of @path (a struct path *) as the exec'ing task, current, sees it. */
__noinline __u64 hornet_exec_path(__u64 path, __u32 slot)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 off, flags, len;

	len = hornet_path_resolve((const struct path *)path, task, slot & 1, &off, &flags);
	return (__u64)flags << 48 | (__u64)(len & 0xffff) << 16 | (off & 0xffff);
}

/* The path of the cgroup v2 node @kn into scratch slot 0. */
__noinline __u64 hornet_exec_cgroup(__u64 kn)
{
	__u32 off, flags, len;

	len = hornet_cgroup_resolve((struct kernfs_node *)kn, 0, &off, &flags);
	return (__u64)flags << 48 | (__u64)(len & 0xffff) << 16 | (off & 0xffff);
}

/*
 * The length of @name read into scratch slot 1, without the NUL, when it
 * names a script by an absolute path (not /dev/fd/N); else 0.
 */
static __always_inline __u32 script_name(const char *name)
{
	char *s1 = hornet_scratch(1);
	long n;

	if (!s1)
		return 0;
	n = bpf_probe_read_kernel_str(s1, HORNET_PATH_MAX, name);
	if (n < 2 || s1[0] != '/')
		return 0;
	if (n > 8 && hornet_dev_fd_name(s1))
		return 0;
	return n - 1;
}

static __always_inline int handle_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	struct hornet_exec_heap *heap;
	struct hornet_exec_event *e;
	struct hornet_proc *old, *proc, *pp;
	const struct cred *cred;
	struct file *file;
	struct inode *inode;
	struct mm_struct *mm;
	struct fs_struct *fs;
	char *s0;
	__u64 follow;
	__u32 zero = 0, pos, off, len, wflags, ppid, n, slot;
	const char *name;
	unsigned long arg_start, arg_end, asize;
	__u64 size;

	heap = bpf_map_lookup_elem(&hornet_exec_heap, &zero);
	proc = bpf_map_lookup_elem(&hornet_proc_heap, &zero);
	s0 = hornet_scratch(0);
	if (!heap || !proc || !s0)
		return 0;
	e = (struct hornet_exec_event *)heap->buf;
	hornet_hdr_init(&e->hdr, HORNET_OP_EXEC, 0);
	e->pid = BPF_CORE_READ(task, tgid);
	e->tid = BPF_CORE_READ(task, pid);
	e->nspid = task_nspid(task);
	e->flags = HORNET_PF_EXECVE;
	e->privs = 0;

	old = bpf_map_lookup_elem(&hornet_procs, &e->pid);
	e->old_ktime = old ? old->ktime : 0;
	if (old) {
		e->ppid = old->ppid;
		e->pktime = old->pktime;
		e->flags |= old->flags & (HORNET_PF_CLONE | HORNET_PF_NO_PARENT);
	} else {
		ppid = BPF_CORE_READ(task, real_parent, tgid);
		pp = bpf_map_lookup_elem(&hornet_procs, &ppid);
		e->ppid = ppid;
		e->pktime = pp ? pp->ktime : 0;
		if (!pp)
			e->flags |= HORNET_PF_NO_PARENT;
	}

	cred = BPF_CORE_READ(task, cred);
	hornet_read_ids(&e->creds, cred);
	hornet_read_cred_caps(&e->caps, cred);
	read_ns(task, cred, &e->ns);
	e->auid = (__u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		e->auid = BPF_CORE_READ(task, loginuid.val);
	e->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	if (BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		e->flags |= HORNET_PF_SECUREEXEC;

	file = BPF_CORE_READ(bprm, file);
	inode = BPF_CORE_READ(file, f_inode);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->nlink = BPF_CORE_READ(inode, i_nlink);
	if (!e->nlink)
		e->flags |= HORNET_PF_DELETED;
	set_privs(e, inode);

	/* binary */
	pos = 0;
	size = hornet_exec_path((__u64)&file->f_path, 0);
	wflags = size >> 48;
	len = (size >> 16) & 0xffff;
	off = size & 0xffff;
	if (wflags & HORNET_WALK_TRUNCATED)
		e->flags |= HORNET_PF_TRUNC_PATH;
	/*
	 * A script (#!) or a binfmt_misc program: bprm->file is now the
	 * interpreter's, and bprm->interp no longer the name given to
	 * execve(2). The binary is then that name, as Tetragon reports it, so
	 * that matchBinaries sees the script: when it is absolute and not
	 * /dev/fd/N (execveat of a descriptor), else the interpreter stays.
	 */
	slot = 0;
	name = BPF_CORE_READ(bprm, filename);
	n = name != BPF_CORE_READ(bprm, interp) ? script_name(name) : 0;
	if (n) {
		slot = 1;
		off = 0;
		len = n;
	}
	len = append_scratch(e->data, pos, slot, off, len);
	e->binary_len = len;
	pos += len;

	/*
	 * The process table keeps the binary's first HORNET_BINARY_KEY - 1
	 * bytes for policy programs (matchBinaries), and the followChildren
	 * slots: those it inherited, and those its new binary starts.
	 */
	follow = old ? old->follow : 0;
	__builtin_memset(proc, 0, sizeof(*proc));
	n = len < HORNET_BINARY_KEY ? len : HORNET_BINARY_KEY - 1;
	barrier_var(n); /* keep the mask below: the verifier needs the bound */
	bpf_probe_read_kernel(proc->binary, n & (HORNET_BINARY_KEY - 1), e->data);
	proc->binary_len = n;
	proc->follow = follow | hornet_follow_bits(proc->binary, n);

	/* cwd */
	fs = BPF_CORE_READ(task, fs);
	size = hornet_exec_path((__u64)&fs->pwd, 1);
	wflags = size >> 48;
	len = (size >> 16) & 0xffff;
	off = size & 0xffff;
	if (wflags & HORNET_WALK_TRUNCATED)
		e->flags |= HORNET_PF_TRUNC_CWD;
	if (wflags & HORNET_WALK_ERROR)
		e->flags |= HORNET_PF_ERROR_CWD;
	len = append_scratch(e->data, pos, 1, off, len);
	e->cwd_len = len;
	pos += len;

	/* arguments, straight from the new program's stack */
	mm = BPF_CORE_READ(task, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	asize = arg_end > arg_start ? arg_end - arg_start : 0;
	e->args_size = asize;
	if (asize > HORNET_ARGS_MAX) {
		asize = HORNET_ARGS_MAX;
		e->flags |= HORNET_PF_TRUNC_ARGS;
	}
	len = asize & (HORNET_ARGS_MAX - 1);
	if (asize == HORNET_ARGS_MAX)
		len = HORNET_ARGS_MAX;
	if (len && bpf_probe_read_user(e->data + (pos & (2 * HORNET_PATH_MAX - 1)), len,
				       (void *)arg_start)) {
		e->flags |= HORNET_PF_ERROR_ARGS;
		hornet_stat_inc(HORNET_STAT_READ_ERROR);
		len = 0;
	}
	e->args_len = len;
	pos += len;

	/* cgroup path */
	size = hornet_exec_cgroup((__u64)BPF_CORE_READ(task, cgroups, dfl_cgrp, kn));
	wflags = size >> 48;
	len = (size >> 16) & 0xffff;
	off = size & 0xffff;
	if (wflags & HORNET_WALK_TRUNCATED)
		e->flags |= HORNET_PF_TRUNC_CGROUP;
	len &= HORNET_CGROUP_MAX - 1;
	if (bpf_probe_read_kernel(e->data + (pos & (4 * HORNET_PATH_MAX - 1)), len,
				  s0 + (off & HORNET_PATH_MASK)))
		len = 0;
	e->cgroup_len = len;
	pos += len;

	/* the environment, as the arguments, when asked for (off: pruned at load) */
	e->env_len = 0;
	if (hornet_exec_env) {
		arg_start = BPF_CORE_READ(mm, env_start);
		arg_end = BPF_CORE_READ(mm, env_end);
		asize = arg_end > arg_start ? arg_end - arg_start : 0;
		if (asize > HORNET_ENV_MAX) {
			asize = HORNET_ENV_MAX;
			e->flags |= HORNET_PF_TRUNC_ENV;
		}
		len = asize & (HORNET_ENV_MAX - 1);
		if (asize == HORNET_ENV_MAX)
			len = HORNET_ENV_MAX;
		/* pos is at most the other parts' maxima: the verifier needs it said */
		barrier_var(pos);
		if (pos > HORNET_EXEC_DATA_MAX - HORNET_ENV_MAX)
			len = 0;
		if (len && bpf_probe_read_user(e->data + pos, len, (void *)arg_start)) {
			hornet_stat_inc(HORNET_STAT_READ_ERROR);
			len = 0;
		}
		e->env_len = len;
		pos += len;
	}

	/* The table entry: the new exec replaces whatever the tgid had. */
	proc->ktime = e->hdr.ktime;
	proc->pktime = e->pktime;
	proc->ppid = e->ppid;
	proc->flags = e->flags & (HORNET_PF_EXECVE | HORNET_PF_NO_PARENT);
	proc->caps = e->caps;
	proc->ns = e->ns;
	proc->uid = e->creds.uid;
	proc->euid = e->creds.euid;
	if (bpf_map_update_elem(&hornet_procs, &e->pid, proc, BPF_ANY))
		hornet_stat_inc(HORNET_STAT_TABLE_FULL);

	size = sizeof(*e) + pos;
	if (size > sizeof(*heap))
		return 0; /* cannot happen; keeps the verifier's size bound */
	e->hdr.size = size;
	hornet_output(e, size, HORNET_STAT_RB_LOST_EXEC);
	return 0;
}

static __always_inline int handle_fork(struct task_struct *parent, struct task_struct *child)
{
	struct hornet_fork_event e = {};
	struct hornet_proc *pp, *proc;
	__u32 zero = 0, ptgid;

	e.pid = BPF_CORE_READ(child, tgid);
	e.tid = BPF_CORE_READ(child, pid);
	if (e.pid != e.tid)
		return 0; /* a new thread, not a new process */
	e.nspid = task_nspid(child);
	proc = bpf_map_lookup_elem(&hornet_proc_heap, &zero);
	if (!proc)
		return 0;
	ptgid = BPF_CORE_READ(parent, tgid);
	pp = bpf_map_lookup_elem(&hornet_procs, &ptgid);
	if (pp) {
		__builtin_memcpy(proc, pp, sizeof(*proc));
		proc->flags = HORNET_PF_CLONE;
		proc->pktime = pp->ktime;
	} else {
		__builtin_memset(proc, 0, sizeof(*proc));
		proc->flags = HORNET_PF_CLONE | HORNET_PF_NO_PARENT;
	}
	hornet_hdr_init(&e.hdr, HORNET_OP_FORK, sizeof(e));
	proc->ktime = e.hdr.ktime;
	proc->ppid = ptgid;
	e.ppid = ptgid;
	e.pktime = proc->pktime;
	e.flags = proc->flags;
	if (bpf_map_update_elem(&hornet_procs, &e.pid, proc, BPF_ANY))
		hornet_stat_inc(HORNET_STAT_TABLE_FULL);
	hornet_output(&e, sizeof(e), HORNET_STAT_RB_LOST_FORK);
	return 0;
}

static __always_inline int handle_exit(struct task_struct *task)
{
	struct hornet_exit_event e = {};
	struct hornet_proc *p;

	/* Only the last thread of the group reports: signal->live has been
	 * decremented by do_exit() before this tracepoint fires. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	e.pid = BPF_CORE_READ(task, tgid);
	p = bpf_map_lookup_elem(&hornet_procs, &e.pid);
	if (!p) {
		if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
			return 0;
		e.flags = HORNET_PF_NO_PARENT;
	} else {
		e.ktime = p->ktime;
		e.flags = p->flags;
	}
	hornet_hdr_init(&e.hdr, HORNET_OP_EXIT, sizeof(e));
	e.tid = BPF_CORE_READ(task, pid);
	e.code = BPF_CORE_READ(task, exit_code);
	hornet_output(&e, sizeof(e), HORNET_STAT_RB_LOST_EXIT);
	if (p)
		bpf_map_delete_elem(&hornet_procs, &e.pid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(hornet_exec_btf, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(task, bprm);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(hornet_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(hornet_exit_btf, struct task_struct *task)
{
	return handle_exit(task);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(hornet_exec_raw, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(task, bprm);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(hornet_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(hornet_exit_raw, struct task_struct *task)
{
	return handle_exit(task);
}

/* Credentials before an exec commits its new ones; one of the three is loaded. */
static __always_inline int save_old_creds(void)
{
	/* not bpf_get_current_task_btf(): 5.11, and the reads are CO-RE's anyway */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct hornet_old_creds oc = {};
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	hornet_read_ids(&oc.ids, cred);
	oc.permitted = hornet_read_cred_set(cred, HORNET_CAP_PERMITTED);
	bpf_map_update_elem(&hornet_old_creds, &tgid, &oc, BPF_ANY);
	return 0;
}

SEC("lsm/bprm_committing_creds")
int BPF_PROG(hornet_creds_lsm, struct linux_binprm *bprm)
{
	return save_old_creds();
}

SEC("fentry/security_bprm_committing_creds")
int BPF_PROG(hornet_creds_fentry, struct linux_binprm *bprm)
{
	return save_old_creds();
}

SEC("kprobe/security_bprm_committing_creds")
int BPF_KPROBE(hornet_creds_kprobe, struct linux_binprm *bprm)
{
	return save_old_creds();
}
