/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire ABI between hornet's BPF programs and the agent: the records that
 * travel through the ring buffer and the values of the maps both sides read.
 * Fixed-width types and fixed arrays only, explicit padding, and a size check
 * on every struct so that a change on one side cannot go unnoticed.
 */
#ifndef HORNET_EVENTS_H
#define HORNET_EVENTS_H

#ifdef __BPF__
/* vmlinux.h already defines __u8..__u64 */
#else
#include <linux/types.h>
#endif

#define HORNET_ABI_VERSION 1

/* Limits of what the kernel side copies; documented in docs/events.md. */
#define HORNET_PATH_MAX 4096 /* binary and cwd paths, bytes with the NUL */
#define HORNET_ARGS_MAX 8192 /* argv after argv[0], NUL-separated */
#define HORNET_CGROUP_MAX 1024 /* cgroup v2 path of the process */
#define HORNET_ENV_MAX 4096 /* environment, NUL-separated, when asked for */
#define HORNET_BINARY_KEY 256 /* head of the binary path kept in the process table */
#define HORNET_PATH_DEPTH 256 /* path components walked before giving up */
#define HORNET_BOUNDED_PATH_DEPTH 64 /* the same without bpf_loop() (before Linux 5.17) */
#define HORNET_XSTR(x) #x
#define HORNET_STR(x) HORNET_XSTR(x) /* a macro's value as a string literal */

enum hornet_record_op {
	HORNET_OP_EXEC = 1,
	HORNET_OP_FORK = 2,
	HORNET_OP_EXIT = 3,
	HORNET_OP_GENERIC = 4, /* a policy hook fired: include/hornet/generic.h */
	HORNET_OP_NET = 5, /* the network sensor: include/hornet/net.h */
	HORNET_OP_MAX,
};

/* Common header of every ring-buffer record. */
struct hornet_hdr {
	__u16 op; /* enum hornet_record_op */
	__u16 version; /* HORNET_ABI_VERSION */
	__u32 size; /* whole record, header included */
	__u64 ktime; /* boot-time clock (ns) when the record was made */
};
_Static_assert(sizeof(struct hornet_hdr) == 16, "hornet_hdr size");

struct hornet_creds {
	__u32 uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
};
_Static_assert(sizeof(struct hornet_creds) == 32, "hornet_creds size");

struct hornet_caps {
	__u64 permitted;
	__u64 effective;
	__u64 inheritable;
};
_Static_assert(sizeof(struct hornet_caps) == 24, "hornet_caps size");

enum hornet_ns_index {
	HORNET_NS_UTS,
	HORNET_NS_IPC,
	HORNET_NS_MNT,
	HORNET_NS_PID,
	HORNET_NS_PID_FOR_CHILDREN,
	HORNET_NS_NET,
	HORNET_NS_TIME,
	HORNET_NS_TIME_FOR_CHILDREN,
	HORNET_NS_CGROUP,
	HORNET_NS_USER,
	HORNET_NS_COUNT,
};

struct hornet_ns {
	__u32 inum[HORNET_NS_COUNT];
	__u32 pad[2];
};
_Static_assert(sizeof(struct hornet_ns) == 48, "hornet_ns size");

/* hornet_proc.flags and hornet_exec_event.flags */
#define HORNET_PF_EXECVE (1U << 0) /* the entry comes from an exec */
#define HORNET_PF_PROCFS (1U << 1) /* found in /proc at start-up */
#define HORNET_PF_CLONE (1U << 2) /* forked and has not exec'd since */
#define HORNET_PF_TRUNC_ARGS (1U << 3) /* argv longer than HORNET_ARGS_MAX */
#define HORNET_PF_TRUNC_PATH (1U << 4) /* binary path longer than HORNET_PATH_MAX */
#define HORNET_PF_TRUNC_CWD (1U << 5) /* cwd longer than HORNET_PATH_MAX */
#define HORNET_PF_ERROR_ARGS (1U << 6) /* argv could not be read */
#define HORNET_PF_ERROR_CWD (1U << 7) /* cwd could not be read */
#define HORNET_PF_DELETED (1U << 8) /* the executed file has no links (memfd, unlinked) */
#define HORNET_PF_SECUREEXEC (1U << 9) /* AT_SECURE exec (setuid, setgid, file caps) */
#define HORNET_PF_NO_PARENT (1U << 10) /* the parent was not in the process table */
#define HORNET_PF_TRUNC_CGROUP (1U << 11) /* cgroup path longer than HORNET_CGROUP_MAX */
#define HORNET_PF_TRUNC_ENV (1U << 13) /* environment longer than HORNET_ENV_MAX */
/* the agent's own entry in the process table: its calls are never matched
 * (the agent sets it; its exit deletes the entry, so a process that reuses
 * its pid while pinned programs run on is matched as any other) */
#define HORNET_PF_AGENT (1U << 12)

/* hornet_exec_event.privs: how the exec raised privileges */
#define HORNET_PRIV_SETUID (1U << 0) /* euid changed by a setuid file */
#define HORNET_PRIV_SETGID (1U << 1) /* egid changed by a setgid file */
#define HORNET_PRIV_FILE_CAP (1U << 2) /* capabilities raised by file capabilities */
#define HORNET_PRIV_SETUID_ROOT (1U << 3) /* capabilities raised by a setuid-root file */

/*
 * The in-kernel process table, keyed by TGID. Policy programs read it to
 * know who is acting; user space fills it for the processes found in /proc.
 */
struct hornet_proc {
	__u64 ktime; /* exec (or fork) time: the process's key with its pid */
	__u64 pktime; /* the parent's key */
	__u32 ppid;
	__u32 flags; /* HORNET_PF_* */
	struct hornet_caps caps; /* at exec */
	struct hornet_ns ns; /* at exec */
	__u32 uid;
	__u32 euid;
	__u16 binary_len; /* bytes in binary[], without the NUL */
	__u16 pad[3];
	__u64 follow; /* followChildren/followForks slots this process inherits */
	char binary[HORNET_BINARY_KEY]; /* the path's first HORNET_BINARY_KEY - 1 bytes */
};
_Static_assert(sizeof(struct hornet_proc) == 376, "hornet_proc size");

/* Entries of the process table and of each followChildren binary map: the
 * agent creates these maps with these sizes and every BPF object reuses
 * them, whatever its own declaration says. */
#define HORNET_PROC_TABLE_SIZE 65536
#define HORNET_FOLLOW_BINARIES 1024

/*
 * HORNET_OP_EXEC. The fixed part is followed by data[]: the binary path,
 * the cwd, the arguments (NUL-separated, argv[0] dropped) and the cgroup
 * path, in that order, each *_len bytes long with no terminator.
 */
struct hornet_exec_event {
	struct hornet_hdr hdr;
	__u32 pid; /* TGID */
	__u32 tid;
	__u32 ppid;
	__u32 flags; /* HORNET_PF_* */
	__u64 pktime;
	__u64 old_ktime; /* the key this tgid had before the exec; 0 if none */
	__u64 cgroup_id;
	struct hornet_creds creds;
	struct hornet_caps caps;
	struct hornet_ns ns;
	__u32 auid;
	__u32 privs; /* HORNET_PRIV_* */
	__u64 ino; /* inode of the executed file */
	__u32 nlink;
	__u32 args_size; /* bytes of argv in the process, before truncation */
	__u16 binary_len;
	__u16 cwd_len;
	__u16 args_len;
	__u16 cgroup_len;
	__u32 nspid; /* the TGID in the process's own pid namespace */
	__u16 env_len; /* after the cgroup path; 0 unless the environment is asked for */
	__u16 pad;
	char data[];
};
_Static_assert(sizeof(struct hornet_exec_event) == 200, "hornet_exec_event size");

#define HORNET_EXEC_DATA_MAX \
	(2 * HORNET_PATH_MAX + HORNET_ARGS_MAX + HORNET_CGROUP_MAX + HORNET_ENV_MAX)
#define HORNET_EXEC_EVENT_MAX (sizeof(struct hornet_exec_event) + HORNET_EXEC_DATA_MAX)

/* HORNET_OP_FORK: a new process (not a thread). */
struct hornet_fork_event {
	struct hornet_hdr hdr; /* hdr.ktime is the child's key */
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 flags;
	__u64 pktime;
	__u32 nspid; /* the child's pid in its own pid namespace */
	__u32 pad;
};
_Static_assert(sizeof(struct hornet_fork_event) == 48, "hornet_fork_event size");

/* HORNET_OP_EXIT: the last thread of a process exited. */
struct hornet_exit_event {
	struct hornet_hdr hdr;
	__u32 pid;
	__u32 tid; /* the thread that exited last */
	__u64 ktime; /* the process's key */
	__u32 code; /* wait status: exit code << 8 | signal */
	__u32 flags; /* HORNET_PF_NO_PARENT when the process was not in the table */
};
_Static_assert(sizeof(struct hornet_exit_event) == 40, "hornet_exit_event size");

/* Loss and error counters, one per-CPU array slot each; summed by user space. */
enum hornet_stat {
	HORNET_STAT_RB_LOST_EXEC, /* ring buffer full: exec record lost */
	HORNET_STAT_RB_LOST_FORK,
	HORNET_STAT_RB_LOST_EXIT,
	HORNET_STAT_TABLE_FULL, /* process table update failed */
	HORNET_STAT_READ_ERROR, /* a kernel or user read failed */
	HORNET_STAT_RB_LOST_GENERIC, /* ring buffer full: policy event lost */
	HORNET_STAT_RB_LOST_NET, /* ring buffer full: network event lost */
	HORNET_STAT_RB_LOST_ENFORCE, /* enforcement ring full: record of a kill or deny lost */
	HORNET_STAT_DNS_LEARNED, /* DNS answers whose addresses were learned */
	HORNET_STAT_DNS_REFUSED, /* answers to no query of the socket (source, id or name) */
	HORNET_STAT_COUNT,
};

#endif /* HORNET_EVENTS_H */
