/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The file behind a task's file descriptor: hornet_fd_file() walks
 * task->files->fdt as files_lookup_fd_raw() does. It cannot take the RCU
 * read lock the kernel's lookup holds; every read goes through
 * bpf_probe_read_kernel(), so a table replaced meanwhile gives a failed read
 * or a stale file pointer, never a fault.
 */
#ifndef HORNET_FD_BPF_H
#define HORNET_FD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* NULL for a negative, closed or out-of-range descriptor. */
static __always_inline struct file *hornet_fd_file(struct task_struct *task, __s64 fd)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	struct file *file = NULL, **fds;

	/* one unsigned compare refuses negative descriptors too */
	if ((__u64)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	/* the mask only bounds the index for the verifier: max_fds is checked above */
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xffff]);
	return file;
}

#endif /* HORNET_FD_BPF_H */
