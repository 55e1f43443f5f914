/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Argument capture for the generic sensor: each argument spec of the
 * instance's rodata becomes one record in the heap's data (struct
 * hornet_gen_arg and its payload, as include/hornet/generic.h describes).
 * Offers:
 *  capture_one()  the bpf_loop() step of tracing programs: follows the
 *                 spec's resolve chain, then calls the reader of its type
 *  capture_cg()   the same step for cgroup/connect programs, whose socket
 *                 arguments are the destination in the program's context
 *  read_*()       one reader per argument type (HORNET_GT_*), each writing
 *                 its payload at @at and returning the payload's length
 * A reader of memory that may be the user's or the kernel's takes `user` as
 * a compile-time constant: one copy in the source, and the compiler keeps
 * the two helper calls apart (the verifier wants to see which one it is).
 */
#ifndef HORNET_GEN_ARGS_BPF_H
#define HORNET_GEN_ARGS_BPF_H

#include "gen_maps.bpf.h"
#include "compat.bpf.h"
#include "cred.bpf.h"
#include "fd.bpf.h"
#include "path.bpf.h"
#include "sock.bpf.h"
#include <bpf/bpf_endian.h>

static __always_inline long read_mem(void *dst, __u32 size, const void *src, const bool user)
{
	return user ? bpf_probe_read_user(dst, size, src) : bpf_probe_read_kernel(dst, size, src);
}

static __always_inline long read_mem_str(void *dst, __u32 size, const void *src, const bool user)
{
	return user ? bpf_probe_read_user_str(dst, size, src)
		    : bpf_probe_read_kernel_str(dst, size, src);
}

/* Starts an argument record; returns where its payload goes, or -1 when full. */
static __always_inline long arg_begin(struct gen_heap *h, __u32 spec, __u32 type)
{
	struct hornet_gen_arg *a;
	__u32 pos = h->pos;

	if (pos + sizeof(*a) + 256 > HORNET_GEN_DATA)
		return -1;
	a = (void *)(h->data + (pos & DATA_MASK));
	a->spec = spec;
	a->type = type;
	a->flags = 0;
	a->pad = 0;
	a->len = 0;
	h->off[spec & (HORNET_GEN_MAX_SPECS - 1)] = pos + sizeof(*a);
	return pos + sizeof(*a);
}

static __always_inline void arg_end(struct gen_heap *h, __u32 spec, __u32 len, __u32 flags)
{
	struct hornet_gen_arg *a = (void *)(h->data + (h->pos & DATA_MASK));

	a->len = len;
	a->flags |= flags;
	h->len[spec & (HORNET_GEN_MAX_SPECS - 1)] = len;
	h->pos += sizeof(*a) + ((len + 7) & ~7U);
	h->nr_args++;
}

/* Room left for one payload, less than HORNET_GEN_ARG_MAX (so that masking
 * with ARG_MASK keeps it whole). */
static __always_inline __u32 room(struct gen_heap *h, __u32 at)
{
	__u32 left = at < HORNET_GEN_DATA ? HORNET_GEN_DATA - at : 0;

	return left < HORNET_GEN_ARG_MAX - 1 ? left : HORNET_GEN_ARG_MAX - 1;
}

/*
 * The path readers are global functions (BTF-typed subprograms, checked by
 * the verifier once each, whatever the number of their callers and of the
 * states they are called in); they return the payload length and, in the
 * upper 32 bits, the HORNET_ARG_* flags. Kernel pointers cross as scalars
 * (they are only read through probe reads) and the heap may be NULL for
 * the verifier.
 */
#define ARG_RET(len, flags) ((long)(flags) << 32 | (__u32)(len))
#define RET_LEN(r) ((__u32)(r))
#define RET_FLAGS(r) ((__u32)((__u64)(r) >> 32))

/* Copies the path of @path, or of a bare @dentry, to @at; returns ARG_RET(). */
__noinline long gen_put_path(__u32 spec, __u32 at, __u64 path, __u64 dentry)
{
	struct gen_heap *h = heap();
	__u32 off = 0, wflags = 0, flags = 0, len, max;
	char *s0 = hornet_scratch(0);

	if (!h || !s0)
		return 0;
	if (path)
		len = hornet_path_resolve((const struct path *)path, h->task, 0, &off, &wflags);
	else /* a dentry alone: up to its filesystem's root */
		len = hornet_dentry_resolve((struct dentry *)dentry, 0, &off, &wflags);
	if (wflags & HORNET_WALK_TRUNCATED)
		flags |= HORNET_ARG_TRUNCATED;
	max = room(h, at);
	if (len > max) {
		len = max; /* no room left in the event for all of it */
		flags |= HORNET_ARG_TRUNCATED;
	}
	barrier_var(len);
	len &= HORNET_PATH_MASK;
	if (bpf_probe_read_kernel(h->data + (at & DATA_MASK), len, s0 + (off & HORNET_PATH_MASK)))
		len = 0;
	h->str_off[spec & (HORNET_GEN_MAX_SPECS - 1)] = at;
	h->str_len[spec & (HORNET_GEN_MAX_SPECS - 1)] = len;
	return ARG_RET(len, flags);
}

/* Copies a path after @fixed bytes at @at; returns the payload length. */
static __always_inline __u32 put_path(struct gen_heap *h, __u32 spec, __u32 at, __u32 fixed,
				      const struct path *path, struct dentry *dentry, __u32 *flags)
{
	long r = gen_put_path(spec, at + fixed, (__u64)path, (__u64)dentry);

	*flags |= RET_FLAGS(r);
	return fixed + RET_LEN(r);
}

/* A file: its flags, mode and inode number, then its path; returns ARG_RET(). */
__noinline long gen_put_file(__u32 spec, __u32 at, __u64 f)
{
	struct gen_heap *h = heap();
	struct hornet_file_data *fd;
	struct file *file = (struct file *)f;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u32 flags = 0, len;

	if (!h)
		return 0;
	if (!file)
		return ARG_RET(0, HORNET_ARG_ERROR);
	fd = (void *)(h->data + (at & DATA_MASK));
	fd->flags = BPF_CORE_READ(file, f_flags);
	fd->mode = BPF_CORE_READ(inode, i_mode);
	fd->ino = BPF_CORE_READ(inode, i_ino);
	h->val[spec & (HORNET_GEN_MAX_SPECS - 1)] = fd->mode;
	len = put_path(h, spec, at, sizeof(*fd), &file->f_path, NULL, &flags);
	return ARG_RET(len, flags);
}

/*
 * A linux_binprm: its file, but for a script (#!) or a binfmt_misc program,
 * whose file is by now the interpreter's, the name given to execve(2)
 * (bprm->filename, as the exec event's binary) when it is absolute and not
 * /dev/fd/N. Returns ARG_RET().
 */
__noinline long gen_put_binprm(__u32 spec, __u32 at, __u64 b)
{
	struct linux_binprm *bprm = (struct linux_binprm *)b;
	const char *name = BPF_CORE_READ(bprm, filename);
	struct gen_heap *h = heap();
	long r = gen_put_file(spec, at, (__u64)BPF_CORE_READ(bprm, file));
	__u32 max, fixed = sizeof(struct hornet_file_data);
	char *dst, c[8] = {};
	long n;

	if (!h || name == BPF_CORE_READ(bprm, interp) || RET_LEN(r) < fixed)
		return r;
	bpf_probe_read_kernel(c, sizeof(c), name);
	if (c[0] != '/' || hornet_dev_fd_name(c))
		return r;
	max = room(h, at + fixed);
	if (max > HORNET_PATH_MAX)
		max = HORNET_PATH_MAX;
	if (max < 2)
		return r;
	dst = h->data + ((at + fixed) & DATA_MASK);
	n = bpf_probe_read_kernel_str(dst, max & (HORNET_PATH_MAX - 1), name);
	if (n < 2)
		return r;
	h->str_off[spec & (HORNET_GEN_MAX_SPECS - 1)] = at + fixed;
	h->str_len[spec & (HORNET_GEN_MAX_SPECS - 1)] = n - 1;
	return ARG_RET(fixed + n - 1, 0);
}

static __always_inline __u32 put_binprm(__u32 spec, __u32 at, __u64 bprm, __u32 *flags)
{
	long r = gen_put_binprm(spec, at, bprm);

	*flags |= RET_FLAGS(r);
	return RET_LEN(r);
}

static __always_inline __u32 put_file(struct gen_heap *h, __u32 spec, __u32 at, struct file *file,
				      __u32 *flags)
{
	long r = gen_put_file(spec, at, (__u64)file);

	*flags |= RET_FLAGS(r);
	return RET_LEN(r);
}

/* A packet's addresses and ports, from its headers. */
static __always_inline void skb_tuple(struct hornet_sock_data *sd, struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u8 v = 0, proto = 0;
	__u16 ports[2] = {};

	sd->len = BPF_CORE_READ(skb, len);
	bpf_probe_read_kernel(&v, 1, head + nh);
	if ((v >> 4) == 4) {
		sd->family = AF_INET;
		bpf_probe_read_kernel(&proto, 1, head + nh + 9);
		bpf_probe_read_kernel(sd->saddr, 4, head + nh + 12);
		bpf_probe_read_kernel(sd->daddr, 4, head + nh + 16);
	} else if ((v >> 4) == 6) {
		sd->family = AF_INET6;
		bpf_probe_read_kernel(&proto, 1, head + nh + 6);
		bpf_probe_read_kernel(sd->saddr, 16, head + nh + 8);
		bpf_probe_read_kernel(sd->daddr, 16, head + nh + 24);
	}
	sd->protocol = proto;
	if (proto == 6 || proto == 17) {
		bpf_probe_read_kernel(ports, sizeof(ports), head + th);
		sd->sport = bpf_ntohs(ports[0]);
		sd->dport = bpf_ntohs(ports[1]);
	}
}

/*
 * A relative path of a path syscall is relative to the cwd (AT_FDCWD) or to
 * its directory fd: writes that directory and a '/' at @at and returns
 * their length, or 0 when it cannot be resolved. The caller has read the
 * path and seen that it is relative.
 */
__noinline long gen_dir_prefix(__u32 k, __u32 at, __u32 max)
{
	struct gen_heap *h = heap();
	const volatile struct hornet_gen_spec *sp =
		&hornet_cfg.specs[k & (HORNET_GEN_MAX_SPECS - 1)];
	char *s1 = hornet_scratch(1);
	__u32 off = 0, wflags = 0, len, fl = 0;
	struct task_struct *task;
	struct fs_struct *fs;
	struct file *dir;
	__s32 dirfd = -100; /* AT_FDCWD */

	if (!h || !s1)
		return 0;
	task = h->task; /* a local: CO-RE relocates the expression */
	if (sp->dirfd_arg < HORNET_GEN_MAX_SPECS)
		dirfd = (__s32)h->raw[sp->dirfd_arg & (HORNET_GEN_MAX_SPECS - 1)];
	if (dirfd == -100) {
		fs = BPF_CORE_READ(task, fs);
		len = hornet_path_resolve(&fs->pwd, task, 1, &off, &wflags);
	} else {
		dir = hornet_fd_file(task, (__u32)dirfd);
		if (!dir)
			return 0;
		len = hornet_path_resolve(&dir->f_path, task, 1, &off, &wflags);
	}
	/* a directory too deep to resolve whole: its end, flagged; one that
	 * leaves no room for the name: the name alone, flagged */
	if (wflags & HORNET_WALK_TRUNCATED)
		fl |= HORNET_ARG_TRUNCATED;
	if (len + 2 >= max)
		return ARG_RET(0, fl | HORNET_ARG_TRUNCATED);
	len &= HORNET_PATH_MASK;
	bpf_probe_read_kernel(h->data + (at & DATA_MASK), len, s1 + (off & HORNET_PATH_MASK));
	/* "/" + "x" is "/x", not "//x" */
	if (len == 1)
		return ARG_RET(1, fl);
	h->data[(at + len) & DATA_MASK] = '/';
	return ARG_RET(len + 1, fl);
}

static __always_inline __u32 dir_prefix(struct gen_heap *h, __u32 k, __u32 at, __u32 max,
					__u32 *flags)
{
	long r = gen_dir_prefix(k, at, max);

	*flags |= RET_FLAGS(r);
	return RET_LEN(r);
}

/* ---- one reader per argument type ---- */

static __always_inline __u32 read_int(struct gen_heap *h, const volatile struct hornet_gen_spec *sp,
				      __u32 k, long at, __u64 v)
{
	if (sp->size == 1)
		v = (sp->flags & HORNET_SPEC_SIGNED) ? (__u64)(__s64)(__s8)v : (__u8)v;
	else if (sp->size == 2)
		v = (sp->flags & HORNET_SPEC_SIGNED) ? (__u64)(__s64)(__s16)v : (__u16)v;
	else if (sp->size == 4)
		v = (sp->flags & HORNET_SPEC_SIGNED) ? (__u64)(__s64)(__s32)v : (__u32)v;
	h->val[k] = v;
	*(__u64 *)(h->data + (at & DATA_MASK)) = v;
	return 8;
}

/* A capability set: the value itself, or what it points to. */
static __always_inline __u32 read_cap_set(struct gen_heap *h,
					  const volatile struct hornet_gen_spec *sp, __u32 k,
					  long at, __u64 raw)
{
	__u64 v = raw;

	if (sp->flags & HORNET_SPEC_CAPS_PTR)
		bpf_probe_read_kernel(&v, 8, (void *)raw);
	h->val[k] = v;
	*(__u64 *)(h->data + (at & DATA_MASK)) = v;
	return 8;
}

/* A NUL-terminated string (or a struct filename's), with its directory
 * first for a relative path of a path syscall (HORNET_SPEC_FULLPATH). */
static __always_inline __u32 read_string(struct gen_heap *h,
					 const volatile struct hornet_gen_spec *sp, __u32 k,
					 long at, void *p, __u32 *flags)
{
	__u32 dl = 0, max;
	long n;

	if (sp->type == HORNET_GT_FILENAME)
		p = (void *)BPF_CORE_READ((struct filename *)p, name);
	max = room(h, at);
	if (sp->max_data && sp->max_data < max)
		max = sp->max_data;
	barrier_var(max);
	max &= ARG_MASK;
	if (sp->flags & HORNET_SPEC_USER)
		n = read_mem_str(h->data + (at & DATA_MASK), max, p, true);
	else
		n = read_mem_str(h->data + (at & DATA_MASK), max, p, false);
	/* the path is read first and its directory only when it is relative:
	 * an absolute path, the common case, costs one read, not two */
	if ((sp->flags & HORNET_SPEC_FULLPATH) && n > 1 && h->data[at & DATA_MASK] != '/')
		dl = dir_prefix(h, k, at, max, flags);
	if (dl) {
		/* the relative path again, after its directory */
		max = max > dl ? max - dl : 0;
		barrier_var(max);
		max &= ARG_MASK;
		n = bpf_probe_read_user_str(h->data + ((at + dl) & DATA_MASK), max, p);
		if (n > 0)
			n += dl;
	}
	if (n <= 0) {
		*flags |= HORNET_ARG_ERROR;
		n = 1;
	} else if (n == max) {
		*flags |= HORNET_ARG_TRUNCATED;
	}
	h->str_off[k] = at;
	h->str_len[k] = n - 1; /* without the NUL */
	return n - 1;
}

/* A buffer: its original size (8 bytes), then as much of it as fits. */
static __always_inline __u32 read_buf(struct gen_heap *h, const volatile struct hornet_gen_spec *sp,
				      __u32 k, long at, void *p, __u32 *flags)
{
	__u64 size = sp->max_data ? sp->max_data : HORNET_GEN_ARG_MAX, v = 0;
	__u32 max;
	long err;

	if (sp->size_spec < HORNET_GEN_MAX_SPECS ||
	    (sp->flags & HORNET_SPEC_RETCOPY && h->has_ret)) {
		v = sp->size_spec < HORNET_GEN_MAX_SPECS
			    ? h->raw[sp->size_spec & (HORNET_GEN_MAX_SPECS - 1)]
			    : 0;
		/* returnCopy: the function returns how much it wrote */
		if (sp->flags & HORNET_SPEC_RETCOPY && h->has_ret)
			v = h->ret;
		if ((__s64)v < 0)
			v = 0;
		if (v < size)
			size = v;
		else if (v > size)
			*flags |= HORNET_ARG_TRUNCATED;
	}
	max = room(h, at + 8);
	if (size > max)
		size = max;
	*(__u64 *)(h->data + (at & DATA_MASK)) = v; /* the original size */
	barrier_var(size);
	size &= ARG_MASK;
	if (size) {
		if (sp->flags & HORNET_SPEC_USER)
			err = read_mem(h->data + ((at + 8) & DATA_MASK), size, p, true);
		else
			err = read_mem(h->data + ((at + 8) & DATA_MASK), size, p, false);
		if (err) {
			*flags |= HORNET_ARG_ERROR;
			size = 0;
		}
	}
	h->str_off[k] = at + 8;
	h->str_len[k] = size;
	return 8 + size;
}

#define HORNET_IOVEC_MAX 16 /* segments of an iovec array read at most */
#define IOV_USER_DATA (1 << 8) /* gen_put_iovec(): the bytes are the user's */
#define IOV_USER_ARRAY (1 << 9) /* and so is the array */

/* One segment's bytes, up to @n, at @dst; false when unreadable. */
static __always_inline bool put_seg(char *dst, __u32 n, __u64 base, const bool user)
{
	barrier_var(n);
	n &= ARG_MASK;
	return !n || !read_mem(dst, n, (void *)base, user);
}

/*
 * The bytes of an iovec array (char_iovec, iov_iter) as a char_buf's payload:
 * the bytes the segments hold (8 bytes), then as many of them as fit, the
 * segments one after the other, the first @skip bytes left out, @want bytes
 * at most. @iov is the array, or with @nr 0 the buffer itself (ITER_UBUF).
 * @uarr and @udata, constants, say whether the array and the bytes are in
 * user memory (a syscall's array is; the kernel copies an iov_iter's).
 * Returns ARG_RET().
 */
static __always_inline long put_iovec(struct gen_heap *h, __u32 k, __u32 at, __u64 iov, __u64 nr,
				      __u64 skip, __u64 want, const bool uarr, const bool udata)
{
	__u32 max = room(h, at + 8), n;
	/* what the steps count: bytes the segments hold, bytes kept, flags */
	struct {
		__u64 total;
		__u32 got, flags;
	} c = {};
	struct iovec v;

	for (int i = 0; i < HORNET_IOVEC_MAX; i++) {
		/* the counts differ at each step: without this no state was ever
		 * pruned, and 6.1 and 6.18 walked 610,000 instructions (73,000 now) */
		hornet_forget(c);
		if (nr == 0 && i == 0) {
			v.iov_base = (void *)iov; /* a single buffer */
			v.iov_len = want;
		} else if (i >= nr) {
			break;
		} else if (read_mem(&v, sizeof(v), (void *)(iov + i * sizeof(v)), uarr)) {
			c.flags |= HORNET_ARG_ERROR;
			break;
		}
		if (i == 0 && skip <= v.iov_len) {
			v.iov_base += skip;
			v.iov_len -= skip;
		}
		/* an iterator ends where its count says, maybe inside a segment */
		if (want && v.iov_len > want - c.total)
			v.iov_len = want - c.total;
		c.total += v.iov_len;
		n = v.iov_len < max - c.got ? v.iov_len : max - c.got;
		if (n < v.iov_len)
			c.flags |= HORNET_ARG_TRUNCATED;
		if (!put_seg(h->data + ((at + 8 + c.got) & DATA_MASK), n, (__u64)v.iov_base,
			     udata)) {
			c.flags |= HORNET_ARG_ERROR;
			break;
		}
		c.got += n & ARG_MASK;
		if (c.got >= max || (want && c.total >= want))
			break;
	}
	/* segments past the ones read: their bytes are not counted */
	if (nr > HORNET_IOVEC_MAX && !(want && c.total >= want))
		c.flags |= HORNET_ARG_TRUNCATED;
	*(__u64 *)(h->data + (at & DATA_MASK)) = c.total;
	h->str_off[k & (HORNET_GEN_MAX_SPECS - 1)] = at + 8;
	h->str_len[k & (HORNET_GEN_MAX_SPECS - 1)] = c.got;
	return ARG_RET(8 + c.got, c.flags);
}

/*
 * put_iovec() for spec @ku's low byte, with IOV_USER_DATA and IOV_USER_ARRAY
 * (five arguments at most; the skip in the high half of @skip_want). A global
 * function: the verifier walks each of its three loops once, each knowing
 * which memory it reads.
 */
__noinline long gen_put_iovec(__u32 ku, __u32 at, __u64 iov, __u64 nr, __u64 skip_want)
{
	struct gen_heap *h = heap();
	__u64 skip = skip_want >> 32, want = (__u32)skip_want;

	/*
	 * Kernels before 6.8 verify every global function of a program, called or
	 * not, and 6.1 walks the loop below at 600,000 instructions: the rodata
	 * test leaves it out of every program whose specs read no iovec.
	 */
	if (!(hornet_gen_types & (1 << HORNET_GT_IOVEC | 1 << HORNET_GT_IOV_ITER)))
		return 0;
	if (!h)
		return 0;
	if (ku & IOV_USER_ARRAY)
		return put_iovec(h, ku, at, iov, nr, skip, want, true, true);
	if (ku & IOV_USER_DATA)
		return put_iovec(h, ku, at, iov, nr, skip, want, false, true);
	return put_iovec(h, ku, at, iov, nr, skip, want, false, false);
}

/* char_iovec: the array and, in the size spec, its number of segments. */
static __always_inline __u32 read_iovec(struct gen_heap *h,
					const volatile struct hornet_gen_spec *sp, __u32 k, long at,
					__u64 raw, __u32 *flags)
{
	__u64 nr = 0, want = 0;
	long r;

	if (sp->size_spec < HORNET_GEN_MAX_SPECS)
		nr = h->raw[sp->size_spec & (HORNET_GEN_MAX_SPECS - 1)];
	/* returnCopy (readv): read at the return, as much as the call wrote */
	if (sp->flags & HORNET_SPEC_RETCOPY && h->has_ret) {
		if ((__s64)h->ret <= 0)
			nr = 0;
		want = h->ret > 0xffffffff ? 0xffffffff : h->ret;
	}
	if (!nr) { /* no segments: no bytes (and not the single-buffer form) */
		*(__u64 *)(h->data + (at & DATA_MASK)) = 0;
		return 8;
	}
	r = gen_put_iovec(k | (sp->flags & HORNET_SPEC_USER ? IOV_USER_DATA | IOV_USER_ARRAY : 0),
			  at, raw, nr, want);
	*flags |= RET_FLAGS(r);
	return RET_LEN(r);
}

/* iov_iter: the bytes it still holds, from where it stands. */
static __always_inline __u32 read_iov_iter(struct gen_heap *h, __u32 k, long at,
					   struct iov_iter *it, __u32 *flags)
{
	__u64 segs = 0, base, count = BPF_CORE_READ(it, count);
	bool user = true;
	long r;

	base = hornet_iter_segs(it, &segs, &user);
	if (!base || !count) {
		/* a pipe, a bio_vec, a folio queue: pages, not addresses */
		if (!base)
			*flags |= HORNET_ARG_ERROR;
		*(__u64 *)(h->data + (at & DATA_MASK)) = count;
		return 8;
	}
	/* an event holds far less than 4 GiB: 32 bits of each are enough */
	if (count > 0xffffffff)
		count = 0xffffffff;
	r = gen_put_iovec(k | (user ? IOV_USER_DATA : 0), at, base, segs,
			  (__u64)BPF_CORE_READ(it, iov_offset) << 32 | count);
	*flags |= RET_FLAGS(r);
	return RET_LEN(r);
}

/* A struct path or a bare dentry: its inode's mode and number, then the path. */
static __always_inline __u32 read_path(struct gen_heap *h, __u32 k, long at,
				       const struct path *path, struct dentry *dentry,
				       struct inode *inode, __u32 *flags)
{
	struct hornet_file_data *fd = (void *)(h->data + (at & DATA_MASK));

	fd->flags = 0;
	fd->mode = BPF_CORE_READ(inode, i_mode);
	fd->ino = BPF_CORE_READ(inode, i_ino);
	h->val[k] = fd->mode;
	return put_path(h, k, at, sizeof(*fd), path, dentry, flags);
}

/* A struct sock, or a struct socket's: val keeps the sock for TrackSock. */
static __always_inline __u32 read_sock(struct gen_heap *h,
				       const volatile struct hornet_gen_spec *sp, __u32 k, long at,
				       void *p, __u32 *flags)
{
	struct hornet_sock_data *sd = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(sd, 0, sizeof(*sd));
	if (sp->type == HORNET_GT_SOCKET)
		p = BPF_CORE_READ((struct socket *)p, sk);
	if (p)
		hornet_read_sock(sd, p);
	else
		*flags |= HORNET_ARG_ERROR;
	h->val[k] = (__u64)p;
	return sizeof(*sd);
}

static __always_inline __u32 read_skb(struct gen_heap *h, long at, void *p)
{
	struct hornet_sock_data *sd = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(sd, 0, sizeof(*sd));
	skb_tuple(sd, p);
	return sizeof(*sd);
}

/* struct sockaddr_in or _in6: the family and port are at the same places. */
static __always_inline void sockaddr_from(struct hornet_sockaddr_data *sa, void *p, const bool user)
{
	__u16 fam = 0, port = 0;

	read_mem(&fam, 2, p, user);
	read_mem(&port, 2, p + 2, user);
	if (fam == AF_INET)
		read_mem(sa->addr, 4, p + 4, user);
	else if (fam == AF_INET6)
		read_mem(sa->addr, 16, p + 8, user);
	sa->family = fam;
	sa->port = bpf_ntohs(port);
}

static __always_inline __u32 read_sockaddr(struct gen_heap *h,
					   const volatile struct hornet_gen_spec *sp, long at,
					   void *p)
{
	struct hornet_sockaddr_data *sa = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(sa, 0, sizeof(*sa));
	if (sp->flags & HORNET_SPEC_USER)
		sockaddr_from(sa, p, true);
	else
		sockaddr_from(sa, p, false);
	return sizeof(*sa);
}

/*
 * struct sockaddr_un: the family and the path; an abstract name (sun_path
 * starts with a NUL) as "@name", as Tetragon shows it. @len is the address
 * length when known (sizeArgIndex), else 0: the bytes past it are whatever
 * the caller's buffer held, and an abstract name has no NUL to end it, so
 * without it a path and a name end at their first NUL or at 108 bytes.
 */
static __always_inline void sockaddr_un_from(struct hornet_sockaddr_un_data *su, void *p, __u64 len,
					     const bool user)
{
	__u32 n = 108; /* sizeof(sun_path) */
	char first = 0;
	long r;

	read_mem(&su->family, 2, p, user);
	read_mem(&first, 1, p + 2, user);
	if (len)
		n = len > 2 ? (len - 2 < 108 ? len - 2 : 108) : 0;
	su->abstract = !first;
	if (first) {
		/* at most n bytes, and a NUL */
		r = n ? read_mem_str(su->path, (n + 1) & 127, p + 2, user) : 0;
		su->path_len = r > 1 ? r - 1 : 0;
		return;
	}
	if (n < 2)
		return; /* an unnamed (autobind) address: no path */
	su->path[0] = '@';
	if (len) {
		/* the name's bytes, NULs included, as the address length says */
		n = (n - 1) & 127;
		if (read_mem(su->path + 1, n, p + 3, user))
			n = 0;
		su->path_len = 1 + n;
	} else {
		r = read_mem_str(su->path + 1, 107, p + 3, user);
		su->path_len = r > 1 ? r : 0;
	}
	if (su->path_len < 2)
		su->path_len = su->path[0] = 0;
}

static __always_inline __u32 read_sockaddr_un(struct gen_heap *h,
					      const volatile struct hornet_gen_spec *sp, __u32 k,
					      long at, void *p)
{
	struct hornet_sockaddr_un_data *su = (void *)(h->data + (at & DATA_MASK));
	__u64 len = 0;

	__builtin_memset(su, 0, sizeof(*su));
	if (sp->size_spec < HORNET_GEN_MAX_SPECS)
		len = h->raw[sp->size_spec & (HORNET_GEN_MAX_SPECS - 1)] & 0xffffffff;
	if (sp->flags & HORNET_SPEC_USER)
		sockaddr_un_from(su, p, len, true);
	else
		sockaddr_un_from(su, p, len, false);
	h->str_off[k] = at + __builtin_offsetof(struct hornet_sockaddr_un_data, path);
	h->str_len[k] = su->path_len;
	return sizeof(*su);
}

static __always_inline __u32 read_netdev(struct gen_heap *h, long at, struct net_device *dev)
{
	struct hornet_name_data *nd = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(nd, 0, sizeof(*nd));
	bpf_probe_read_kernel_str(nd->name, 16, dev->name);
	return sizeof(*nd);
}

/* A struct cred: ids, capabilities and user namespace; val keeps the
 * effective set, for the capability filters. */
static __always_inline __u32 read_cred(struct gen_heap *h, __u32 k, long at,
				       const struct cred *cred)
{
	struct hornet_cred_data *c = (void *)(h->data + (at & DATA_MASK));
	struct user_namespace *ns = BPF_CORE_READ(cred, user_ns);

	__builtin_memset(c, 0, sizeof(*c));
	hornet_read_ids((struct hornet_creds *)&c->uid, cred);
	c->securebits = BPF_CORE_READ(cred, securebits);
	hornet_read_cred_caps((struct hornet_caps *)&c->permitted, cred);
	c->user_ns_level = BPF_CORE_READ(ns, level);
	c->user_ns_uid = BPF_CORE_READ(ns, owner.val);
	c->user_ns_gid = BPF_CORE_READ(ns, group.val);
	c->user_ns_inum = BPF_CORE_READ(ns, ns.inum);
	h->val[k] = c->effective;
	return sizeof(*c);
}

/* the wire layout keeps the ids and the capability sets in struct order */
_Static_assert(__builtin_offsetof(struct hornet_cred_data, fsgid) -
			       __builtin_offsetof(struct hornet_cred_data, uid) ==
		       __builtin_offsetof(struct hornet_creds, fsgid),
	       "hornet_cred_data ids");
_Static_assert(__builtin_offsetof(struct hornet_cred_data, inheritable) -
			       __builtin_offsetof(struct hornet_cred_data, permitted) ==
		       __builtin_offsetof(struct hornet_caps, inheritable),
	       "hornet_cred_data caps");

static __always_inline __u32 read_user_ns(struct gen_heap *h, long at,
					  const struct user_namespace *ns)
{
	hornet_read_userns((void *)(h->data + (at & DATA_MASK)), ns);
	return sizeof(struct hornet_userns_data);
}

/* BPF_PROG_LOAD's fields of union bpf_attr: a stable UAPI layout. */
static __always_inline void bpf_attr_from(struct hornet_bpf_data *b, void *p, const bool user)
{
	const __u32 name_off = __builtin_offsetof(union bpf_attr, prog_name);

	read_mem(&b->type, 8, p, user);
	read_mem(b->name, 16, p + name_off, user);
}

static __always_inline __u32 read_bpf_attr(struct gen_heap *h,
					   const volatile struct hornet_gen_spec *sp, long at,
					   void *p)
{
	struct hornet_bpf_data *b = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(b, 0, sizeof(*b));
	if (sp->flags & HORNET_SPEC_USER)
		bpf_attr_from(b, p, true);
	else
		bpf_attr_from(b, p, false);
	return sizeof(*b);
}

static __always_inline __u32 read_bpf_map(struct gen_heap *h, long at, struct bpf_map *m)
{
	struct hornet_bpf_data *b = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(b, 0, sizeof(*b));
	b->type = BPF_CORE_READ(m, map_type);
	b->key_size = BPF_CORE_READ(m, key_size);
	b->value_size = BPF_CORE_READ(m, value_size);
	b->max_entries = BPF_CORE_READ(m, max_entries);
	bpf_probe_read_kernel_str(b->name, 16, m->name);
	return sizeof(*b);
}

static __always_inline __u32 read_bpf_prog(struct gen_heap *h, long at, struct bpf_prog *prog)
{
	struct hornet_bpf_data *b = (void *)(h->data + (at & DATA_MASK));
	struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);

	__builtin_memset(b, 0, sizeof(*b));
	b->type = BPF_CORE_READ(prog, type);
	b->insn_cnt = BPF_CORE_READ(prog, len);
	bpf_probe_read_kernel_str(b->name, 16, aux->name);
	return sizeof(*b);
}

static __always_inline __u32 read_perf_event(struct gen_heap *h, long at, struct perf_event *ev)
{
	struct hornet_perf_data *pd = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(pd, 0, sizeof(*pd));
	pd->type = BPF_CORE_READ(ev, attr.type);
	pd->config = BPF_CORE_READ(ev, attr.config);
	pd->probe_offset = BPF_CORE_READ(ev, attr.probe_offset);
	bpf_probe_read_kernel_str(pd->func, sizeof(pd->func),
				  (void *)BPF_CORE_READ(ev, attr.kprobe_func));
	return sizeof(*pd);
}

/* A module's name, from a struct module or the loader's struct load_info. */
static __always_inline __u32 read_module(struct gen_heap *h,
					 const volatile struct hornet_gen_spec *sp, __u32 k,
					 long at, void *p)
{
	struct hornet_name_data *nd = (void *)(h->data + (at & DATA_MASK));

	__builtin_memset(nd, 0, sizeof(*nd));
	if (sp->type == HORNET_GT_LOAD_INFO) {
		/* struct load_info is private to the module loader and not in
		 * BTF; its first member has been "const char *name" since
		 * it was introduced (commit 40dd2560ec2d, 2.6.37) */
		const char *name = NULL;

		bpf_probe_read_kernel(&name, sizeof(name), p);
		bpf_probe_read_kernel_str(nd->name, sizeof(nd->name), name);
	} else {
		bpf_probe_read_kernel_str(nd->name, sizeof(nd->name), ((struct module *)p)->name);
	}
	h->str_off[k] = at;
	h->str_len[k] = 0;
	return sizeof(*nd);
}

/* ---- the capture step ---- */

/* Follows the spec's chain of pointers from the raw argument (resolve). */
static __always_inline __u64 resolve(const volatile struct hornet_gen_spec *sp, __u64 raw)
{
	if (sp->nr_resolve > 0)
		bpf_probe_read_kernel(&raw, 8, (void *)(raw + sp->resolve[0]));
	if (sp->nr_resolve > 1)
		bpf_probe_read_kernel(&raw, 8, (void *)(raw + sp->resolve[1]));
	if (sp->nr_resolve > 2)
		bpf_probe_read_kernel(&raw, 8, (void *)(raw + sp->resolve[2]));
	if (sp->nr_resolve > 3)
		bpf_probe_read_kernel(&raw, 8, (void *)(raw + sp->resolve[3]));
	if (sp->nr_resolve > 4)
		bpf_probe_read_kernel(&raw, 8, (void *)(raw + sp->resolve[4]));
	if (sp->nr_resolve > 5)
		bpf_probe_read_kernel(&raw, 8, (void *)(raw + sp->resolve[5]));
	return raw + sp->resolve_add;
}

/* The payload of one argument of a tracing program; returns its length. */
static __always_inline __u32 read_arg(struct gen_heap *h, const volatile struct hornet_gen_spec *sp,
				      __u32 k, long at, __u64 raw, __u32 *flags)
{
	void *p = (void *)raw;

	switch (sp->type) {
	case HORNET_GT_INT:
		return read_int(h, sp, k, at, raw);
	case HORNET_GT_CAPS:
		return read_cap_set(h, sp, k, at, raw);
	case HORNET_GT_STRING:
	case HORNET_GT_FILENAME:
		return read_string(h, sp, k, at, p, flags);
	case HORNET_GT_BUF:
		return read_buf(h, sp, k, at, p, flags);
	case HORNET_GT_FD:
		/* val keeps the file's mode, for FileType */
		return put_file(h, k, at, hornet_fd_file(h->task, raw), flags);
	case HORNET_GT_FILE:
		return put_file(h, k, at, p, flags);
	case HORNET_GT_KIOCB:
		return put_file(h, k, at, BPF_CORE_READ((struct kiocb *)p, ki_filp), flags);
	case HORNET_GT_BINPRM:
		return put_binprm(k, at, raw, flags);
	case HORNET_GT_PATH:
		return read_path(h, k, at, p, NULL,
				 BPF_CORE_READ((struct path *)p, dentry, d_inode), flags);
	case HORNET_GT_DENTRY:
		return read_path(h, k, at, NULL, p, BPF_CORE_READ((struct dentry *)p, d_inode),
				 flags);
	case HORNET_GT_SOCK:
	case HORNET_GT_SOCKET:
		return read_sock(h, sp, k, at, p, flags);
	case HORNET_GT_SKB:
		return read_skb(h, at, p);
	case HORNET_GT_SOCKADDR:
		return read_sockaddr(h, sp, at, p);
	case HORNET_GT_NETDEV:
		return read_netdev(h, at, p);
	case HORNET_GT_CRED:
		return read_cred(h, k, at, p);
	case HORNET_GT_USER_NS:
		return read_user_ns(h, at, p);
	case HORNET_GT_BPF_ATTR:
		return read_bpf_attr(h, sp, at, p);
	case HORNET_GT_BPF_MAP:
		return read_bpf_map(h, at, p);
	case HORNET_GT_BPF_PROG:
		return read_bpf_prog(h, at, p);
	case HORNET_GT_PERF_EVENT:
		return read_perf_event(h, at, p);
	case HORNET_GT_MODULE:
	case HORNET_GT_LOAD_INFO:
		return read_module(h, sp, k, at, p);
	}
	/* the rarer types, pruned where no spec has them */
	if ((hornet_gen_types & (1 << HORNET_GT_IOVEC)) && sp->type == HORNET_GT_IOVEC)
		return read_iovec(h, sp, k, at, raw, flags);
	if ((hornet_gen_types & (1 << HORNET_GT_IOV_ITER)) && sp->type == HORNET_GT_IOV_ITER)
		return read_iov_iter(h, k, at, p, flags);
	if ((hornet_gen_types & (1 << HORNET_GT_SOCKADDR_UN)) && sp->type == HORNET_GT_SOCKADDR_UN)
		return read_sockaddr_un(h, sp, k, at, p);
	/* the record's string: raw_from_record() made its offset an address */
	if ((hornet_gen_types & (1 << HORNET_GT_DATALOC)) && sp->type == HORNET_GT_DATALOC)
		return read_string(h, sp, k, at, p, flags);
	return 0; /* HORNET_GT_NOP */
}

/*
 * One argument of a tracing program, whatever its type: a global function,
 * so the verifier checks every reader once, not once per state of the
 * capture loop; returns ARG_RET().
 */
__noinline long gen_read_arg(__u32 k, __u32 at, __u64 raw)
{
	struct gen_heap *h = heap();
	__u32 flags = 0, len;

	if (!h)
		return 0;
	k &= HORNET_GEN_MAX_SPECS - 1;
	len = read_arg(h, &hornet_cfg.specs[k], k, at, raw, &flags);
	return ARG_RET(len, flags);
}

/*
 * The payload of one argument of a cgroup/connect program: every socket
 * argument describes the destination in the program's context (h->cg), an
 * int reads as 0; the hook plan allows no other type there.
 */
static __always_inline __u32 read_arg_cg(struct gen_heap *h,
					 const volatile struct hornet_gen_spec *sp, long at)
{
	if (sp->type == HORNET_GT_SOCKADDR) {
		struct hornet_sockaddr_data *sa = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(sa, 0, sizeof(*sa));
		sa->family = h->cg.family;
		sa->port = h->cg.dport;
		__builtin_memcpy(sa->addr, h->cg.daddr, 16);
		return sizeof(*sa);
	}
	if (sp->type == HORNET_GT_SOCK || sp->type == HORNET_GT_SOCKET) {
		struct hornet_sock_data *sd = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(sd, 0, sizeof(*sd));
		sd->family = h->cg.family;
		sd->type = h->cg.type;
		sd->protocol = h->cg.protocol;
		sd->dport = h->cg.dport;
		__builtin_memcpy(sd->daddr, h->cg.daddr, 16);
		sd->state = 2; /* TCP_SYN_SENT: about to connect */
		return sizeof(*sd);
	}
	if (sp->type == HORNET_GT_INT) {
		*(__u64 *)(h->data + (at & DATA_MASK)) = 0;
		return 8;
	}
	return 0;
}

/* @tracing is a constant: false in cgroup programs, which read no kernel memory. */
static __always_inline long capture_body(__u32 i, void *ctx, const bool tracing)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	__u32 k = i & (HORNET_GEN_MAX_SPECS - 1), flags = 0, len;
	const volatile struct hornet_gen_spec *sp;
	__u64 raw = 0;
	long at;

	if (i >= hornet_cfg.nr_specs)
		return 1;
	sp = &hornet_cfg.specs[k];
	if (tracing) {
		/* data[] with source current_task: the task is the start of resolve */
		if (sp->src == HORNET_SRC_TASK)
			h->raw[k] = bpf_get_current_task();
		raw = resolve(sp, h->raw[k]);
	}
	at = arg_begin(h, k, sp->type);
	if (at < 0)
		return 1;
	if (tracing) {
		long r = gen_read_arg(k, at, raw);

		len = RET_LEN(r);
		flags = RET_FLAGS(r);
	} else
		len = read_arg_cg(h, sp, at);
	arg_end(h, k, len, flags);
	return 0;
}

HORNET_LOOP_STEP capture_one(__u32 i, void *ctx)
{
	return capture_body(i, ctx, true);
}

HORNET_LOOP_STEP capture_cg(__u32 i, void *ctx)
{
	return capture_body(i, ctx, false);
}

#endif /* HORNET_GEN_ARGS_BPF_H */
