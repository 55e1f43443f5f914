/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_PROCESS_PROCFS_H
#define HORNET_PROCESS_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <hornet/events.h>

/* What hornet reads of one process in /proc (proc(5)). */
struct hornet_procfs_entry {
	pid_t pid;
	pid_t ppid;
	uint32_t nspid; /* status: the last NSpid: field, its pid in its own namespace */
	uint64_t starttime; /* field 22 of stat, clock ticks after boot */
	bool kthread; /* PF_KTHREAD in the stat flags */
	struct hornet_creds creds; /* status: Uid:, Gid: */
	uint32_t auid; /* loginuid; 4294967295 when unset or unreadable */
	struct hornet_caps caps; /* status: CapPrm, CapEff, CapInh */
	struct hornet_ns ns; /* ns/<name> links' inode numbers; 0 when unreadable */
	char *binary; /* exe link target; NULL when unreadable */
	char *cwd; /* cwd link target; NULL when unreadable */
	char *args; /* cmdline, NUL-separated, argv[0] included */
	size_t args_len;
	char *cgroup; /* the cgroup v2 path ("0::" line); NULL if none */
	uint64_t ino; /* exe's inode */
	uint32_t nlink; /* exe's link count */
};

/*
 * Pure parsers, each given the whole content of one file. They return 0 or
 * -EINVAL, and never read past @len.
 */
int hornet_procfs_parse_stat(const char *buf, size_t len, pid_t *ppid, uint64_t *starttime,
			     unsigned int *flags);
int hornet_procfs_parse_status(const char *buf, size_t len, struct hornet_creds *creds,
			       struct hornet_caps *caps);
/* The last number of status's "NSpid:" line. */
int hornet_procfs_parse_nspid(const char *buf, size_t len, uint32_t *nspid);
/* The inode number of a namespace link's text, "mnt:[4026531841]". */
int hornet_procfs_parse_ns_link(const char *buf, size_t len, uint32_t *inum);
/* The path of the "0::" line, malloc'd into *path; -ENOENT when there is none. */
int hornet_procfs_parse_cgroup(const char *buf, size_t len, char **path);

/*
 * Reads /proc/<pid> under @proc_root ("/proc" normally). Returns 0, or
 * -errno (-ENOENT when the process is gone). Fields that cannot be read are
 * left empty, as documented above; of a kernel thread only pid, ppid,
 * starttime and kthread are read.
 */
int hornet_procfs_read(const char *proc_root, pid_t pid, struct hornet_procfs_entry *e);

/*
 * The environment process @pid was started with (/proc/PID/environ,
 * NUL-separated), its first @max bytes in a malloc'd *@env, *@truncated when
 * there was more. @starttime is the one hornet_procfs_read() found: a process
 * that has it no more (gone, its pid taken since) is -ENOENT, as is a gone
 * one. -EACCES and the like when unreadable.
 */
int hornet_procfs_read_environ(const char *proc_root, pid_t pid, uint64_t starttime, size_t max,
			       char **env, size_t *len, bool *truncated);
void hornet_procfs_entry_free(struct hornet_procfs_entry *e);

/* The numeric entries of @proc_root, malloc'd; returns the count or -errno. */
long hornet_procfs_list(const char *proc_root, pid_t **pids);

#endif
