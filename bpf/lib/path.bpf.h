/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Full paths from kernel structures, the way d_path() builds them: walk the
 * dentries up to the task's root, crossing mount points, writing each name
 * backwards into a per-CPU scratch buffer. bpf_d_path() would do this but is
 * only allowed in fentry/LSM programs, which not every kernel here has.
 *
 * hornet_path_resolve() returns the string's offset in the scratch buffer;
 * the string runs from there to HORNET_PATH_MAX, without a terminator.
 */
#ifndef HORNET_PATH_BPF_H
#define HORNET_PATH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <hornet/events.h>
#include "compat.bpf.h"

#define HORNET_PATH_MASK (HORNET_PATH_MAX - 1)
/*
 * Components walked. The bounded loop of kernels without bpf_loop() costs the
 * verifier about 1,600 instructions a component per walk, and more as the
 * states pile up (6.18: 101,000 for the exec program at 64, 283,000 at 128,
 * past the limit of 1,000,000 at 256): there a path stops at 64.
 */
#ifdef HORNET_BOUNDED_LOOPS
#define WALK_DEPTH HORNET_BOUNDED_PATH_DEPTH
#else
#define WALK_DEPTH HORNET_PATH_DEPTH
#endif

/* Twice the path size so that a masked offset plus a masked length always
 * stays inside the buffer, which is what the verifier needs to see. */
struct hornet_scratch {
	char buf[2 * HORNET_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct hornet_scratch);
} hornet_scratch_map SEC(".maps");

enum {
	HORNET_WALK_TRUNCATED = 1 << 0, /* ran out of room or depth */
	HORNET_WALK_ERROR = 1 << 1, /* a read failed */
};

struct hornet_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root;
	struct vfsmount *root_mnt;
	struct kernfs_node *kn;
	__u32 slot;
	__u32 off;
	__u32 flags;
};

/* The state of a walk, per scratch slot: what the global step works on. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct hornet_walk);
} hornet_walk_map SEC(".maps");

/* Does @s (8 bytes or more) start with "/dev/fd/", the name execveat(2) gives a descriptor? */
static __always_inline bool hornet_dev_fd_name(const char *s)
{
	return s[0] == '/' && s[1] == 'd' && s[2] == 'e' && s[3] == 'v' && s[4] == '/' &&
	       s[5] == 'f' && s[6] == 'd' && s[7] == '/';
}

static __always_inline char *hornet_scratch(__u32 slot)
{
	struct hornet_scratch *s = bpf_map_lookup_elem(&hornet_scratch_map, &slot);

	return s ? s->buf : NULL;
}

/* Prepends "/name" to the string at w->off. Returns 1 to stop the walk. */
static __always_inline long hornet_walk_prepend(struct hornet_walk *w, const unsigned char *name,
						__u32 len)
{
	char *buf = hornet_scratch(w->slot);

	if (!buf)
		return 1;
	if (len + 1 > w->off) {
		w->flags |= HORNET_WALK_TRUNCATED;
		return 1;
	}
	w->off -= len;
	if (bpf_probe_read_kernel(buf + (w->off & HORNET_PATH_MASK), len & HORNET_PATH_MASK, name))
		w->flags |= HORNET_WALK_ERROR;
	w->off -= 1;
	buf[w->off & HORNET_PATH_MASK] = '/';
	return 0;
}

/* One component of a walk; returns 1 to stop. */
static __always_inline long hornet_path_step(struct hornet_walk *w)
{
	/* Copies of the walk's pointers: CO-RE reads need plain locals, not
	 * fields of a struct the kernel's BTF does not know. */
	struct dentry *d = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct dentry *parent, *mnt_root;
	struct mount *mnt_parent;

	if (d == w->root && vfsmnt == w->root_mnt)
		return 1;
	parent = BPF_CORE_READ(d, d_parent);
	if (!vfsmnt) {
		/* a bare dentry: up to its filesystem's root, no mounts */
		if (d == parent || !d)
			return 1;
		if (hornet_walk_prepend(w, BPF_CORE_READ(d, d_name.name),
					BPF_CORE_READ(d, d_name.len)))
			return 1;
		w->dentry = parent;
		return 0;
	}
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	if (d == mnt_root) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt)
			return 1; /* the root of the mount tree, or outside the task's root */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->vfsmnt = &mnt_parent->mnt;
		return 0;
	}
	if (hornet_walk_prepend(w, BPF_CORE_READ(d, d_name.name), BPF_CORE_READ(d, d_name.len)))
		return 1;
	/* A dentry that is its own parent but no mount's root belongs to a
	 * pseudo filesystem (memfd, pipes, anonymous inodes): its name is all
	 * there is, as in d_path()'s "/memfd:name". */
	if (d == parent)
		return 1;
	w->dentry = parent;
	return 0;
}

/*
 * The step is a global function, which the verifier checks once: inline,
 * a bounded loop's step costs it some 1,600 instructions at each of the 64
 * steps of each walk in a program. The walk's state is in a per-CPU map
 * (a global function of 5.10 takes no pointer to the stack), one per
 * scratch slot.
 */
__noinline long hornet_path_step_slot(__u32 slot)
{
	struct hornet_walk *w = bpf_map_lookup_elem(&hornet_walk_map, &slot);

	return w ? hornet_path_step(w) : 1;
}

HORNET_LOOP_STEP hornet_path_step_call(__u32 i, void *ctx)
{
	/* a callback returns 0 or 1: the verifier does not know the global's range */
	return hornet_path_step_slot(*(__u32 *)ctx) ? 1 : 0;
}

static __always_inline long hornet_walk_loop(struct hornet_walk *w)
{
	__u32 slot = w->slot & 1;
	struct hornet_walk *m = bpf_map_lookup_elem(&hornet_walk_map, &slot);
	long n;

	if (!m)
		return 0;
	*m = *w;
	n = hornet_loop(WALK_DEPTH, hornet_path_step_call, &slot);
	*w = *m;
	return n;
}

/* Walks @w up, into its scratch slot; returns the length and sets *off. */
static __always_inline __u32 hornet_walk_run(struct hornet_walk *w, __u32 *off, __u32 *flags)
{
	char *buf;

	w->off = HORNET_PATH_MAX;
	if (hornet_walk_loop(w) == WALK_DEPTH)
		w->flags |= HORNET_WALK_TRUNCATED;
	if (w->off == HORNET_PATH_MAX) {
		buf = hornet_scratch(w->slot);
		if (buf) {
			w->off = HORNET_PATH_MAX - 1;
			buf[HORNET_PATH_MAX - 1] = '/';
		}
	}
	*off = w->off & HORNET_PATH_MASK;
	*flags = w->flags;
	return HORNET_PATH_MAX - w->off;
}

/* Resolves @path into scratch slot @slot; returns the length and sets *off. */
static __always_inline __u32 hornet_path_resolve(const struct path *path, struct task_struct *task,
						 __u32 slot, __u32 *off, __u32 *flags)
{
	struct hornet_walk w = {};

	w.dentry = BPF_CORE_READ(path, dentry);
	w.vfsmnt = BPF_CORE_READ(path, mnt);
	w.mnt = container_of(w.vfsmnt, struct mount, mnt);
	w.root = BPF_CORE_READ(task, fs, root.dentry);
	w.root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	w.slot = slot;
	return hornet_walk_run(&w, off, flags);
}

/* The path of a dentry within its filesystem, into scratch slot @slot. */
static __always_inline __u32 hornet_dentry_resolve(struct dentry *dentry, __u32 slot, __u32 *off,
						   __u32 *flags)
{
	struct hornet_walk w = {};

	w.dentry = dentry;
	w.slot = slot;
	return hornet_walk_run(&w, off, flags);
}

static long hornet_cgroup_step(__u32 i, void *ctx)
{
	struct hornet_walk *w = ctx;
	struct kernfs_node *kn = w->kn;
	struct kernfs_node *parent = hornet_kn_parent(kn);
	char *buf = hornet_scratch(w->slot);
	long len;

	hornet_loop_forget(w->off);
	hornet_loop_forget(w->flags);
	if (!parent || !buf)
		return 1; /* the hierarchy's root has no name of its own */
	/* kernfs names carry no length: read the name forward into the upper
	 * half of the buffer first, then prepend it from there. */
	len = bpf_probe_read_kernel_str(buf + HORNET_PATH_MAX, 256, BPF_CORE_READ(kn, name));
	if (len <= 1) {
		w->flags |= HORNET_WALK_ERROR;
		return 1;
	}
	if (hornet_walk_prepend(w, (const unsigned char *)buf + HORNET_PATH_MAX, len - 1))
		return 1;
	w->kn = parent;
	return 0;
}

/* Writes the path of the cgroup v2 node @kn into scratch slot @slot, as above. */
static __always_inline __u32 hornet_cgroup_resolve(struct kernfs_node *kn, __u32 slot, __u32 *off,
						   __u32 *flags)
{
	struct hornet_walk w = {};
	char *buf;

	w.kn = kn;
	w.slot = slot;
	w.off = HORNET_CGROUP_MAX;
	if (w.kn && hornet_loop(64, hornet_cgroup_step, &w) == 64)
		w.flags |= HORNET_WALK_TRUNCATED;
	if (w.off == HORNET_CGROUP_MAX) {
		buf = hornet_scratch(slot);
		if (buf) {
			w.off = HORNET_CGROUP_MAX - 1;
			buf[HORNET_CGROUP_MAX - 1] = '/';
		}
	}
	*off = w.off & HORNET_PATH_MASK;
	*flags = w.flags;
	return HORNET_CGROUP_MAX - w.off;
}

#endif /* HORNET_PATH_BPF_H */
