// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The generic sensor: what a policy's hooks run. One object is loaded per
 * hook point (a kernel function, an LSM hook, a tracepoint, a user
 * function) with its configuration in rodata (hornet_cfg: which arguments
 * to read and how) and its selectors and filter values in its own maps.
 * One of the entry programs below is turned on, according to the hook plan.
 *
 * Per event:
 *  1. read the raw arguments, then each argument spec into the event heap
 *     (paths, strings, sockets, credentials, ...);
 *  2. find the filter slots that hold: one map lookup per value kind
 *     (strings: exact, prefix and postfix; integers; addresses; ports; the
 *     binary; pids; namespaces), whatever the number of values or policies,
 *     plus the few filters that need arithmetic (ranges, masks, caps);
 *  3. walk the selectors in order: for each policy hook, the first selector
 *     whose slots all hold decides the actions; post the event, signal,
 *     override the return value.
 */
#include "lib/common.bpf.h"
#include "lib/compat.bpf.h"
#include "lib/path.bpf.h"
#include "lib/sock.bpf.h"
#include <bpf/bpf_endian.h>
#include <hornet/generic.h>

/* libbpf 1.1 has no PT_REGS_PARM6 */
#if defined(__TARGET_ARCH_x86)
#define HORNET_PARM6(ctx) BPF_CORE_READ(ctx, r9)
#elif defined(__TARGET_ARCH_arm64)
#define HORNET_PARM6(ctx) BPF_CORE_READ((struct user_pt_regs *)(ctx), regs[5])
#endif

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define SIGKILL 9
#define EPERM 1

const volatile struct hornet_gen_cfg hornet_cfg = {};
/* how many function arguments the entry program may read (BTF says) */
const volatile __u32 hornet_nr_fn_args = 6;

/* ---- maps shared by every instance (user space reuses the fds) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} hornet_gen_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct hornet_policy_state);
} hornet_policy_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct hornet_policy_stats);
} hornet_policy_stats SEC(".maps");

struct rate_key {
	__u32 policy_id;
	__u32 hook_id;
	__u64 scope;
	__u64 args;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct rate_key);
	__type(value, __u64);
} hornet_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} hornet_stacks SEC(".maps");

/* sockets that TrackSock attached to a process: sock -> tgid */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} hornet_socks SEC(".maps");

/* raw arguments kept from the entry of a function to its return */
struct stash {
	__u64 raw[HORNET_GEN_MAX_SPECS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct stash);
} hornet_stash SEC(".maps");

/* ---- this instance's selectors and filter values ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HORNET_GEN_MAX_SELS);
	__type(key, __u32);
	__type(value, struct hornet_gen_sel);
} hornet_sels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HORNET_GEN_MAX_FILTERS);
	__type(key, __u32);
	__type(value, struct hornet_gen_filter);
} hornet_filters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_str_key);
	__type(value, struct hornet_bits);
} hornet_str_eq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_lpm_str_key);
	__type(value, struct hornet_bits);
} hornet_str_prefix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_lpm_str_key);
	__type(value, struct hornet_bits);
} hornet_str_postfix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_int_key);
	__type(value, struct hornet_bits);
} hornet_int_eq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hornet_lpm_addr_key);
	__type(value, struct hornet_bits);
} hornet_addr SEC(".maps");

/* ---- per-CPU scratch ---- */

struct gen_heap {
	struct hornet_gen_event ev;
	char data[2 * HORNET_GEN_DATA];
	__u64 raw[HORNET_GEN_MAX_SPECS];
	__u64 val[HORNET_GEN_MAX_SPECS]; /* integer value per spec, for filters */
	__u32 off[HORNET_GEN_MAX_SPECS]; /* where each spec's payload starts in data */
	__u32 len[HORNET_GEN_MAX_SPECS]; /* its length */
	__u32 str_off[HORNET_GEN_MAX_SPECS]; /* its string for filters (path, name) */
	__u32 str_len[HORNET_GEN_MAX_SPECS];
	__u32 pos;
	__u32 nr_args;
	struct hornet_bits hits;
	struct hornet_str_key skey;
	char tmp[HORNET_GEN_STR];
	struct hornet_lpm_str_key lkey;
	struct hornet_int_key ikey;
	struct hornet_lpm_addr_key akey;
	/* copies of the process table entry: a pointer kept in a map value
	 * would lose its type for the verifier */
	__u32 has_proc;
	__u64 proc_ktime;
	__u64 proc_follow;
	struct hornet_caps proc_caps;
	struct hornet_ns proc_ns;
	struct task_struct *task; /* only read through BPF_CORE_READ */
	struct {
		__u16 family, type, protocol, dport;
		__u8 daddr[16];
	} cg; /* the destination, in cgroup/connect programs */
	__u64 ret;
	__u32 has_ret;
	__s32 override; /* errno to return, 0 none */
	__u32 pid;
	__u32 tid;
	__u64 args_hash;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_heap);
} hornet_gen_heap SEC(".maps");

/* bpf_loop() wants its context on the stack: this carries the heap's address */
struct hctx {
	struct gen_heap *h;
};

#define DATA_MASK (HORNET_GEN_DATA - 1)
#define ARG_MASK (HORNET_GEN_ARG_MAX - 1)
#define STR_MASK (HORNET_GEN_STR - 1)

static __always_inline void set_bit(struct hornet_bits *b, __u32 slot)
{
	b->w[(slot >> 6) & (HORNET_GEN_WORDS - 1)] |= 1ULL << (slot & 63);
}

static __always_inline void or_bits(struct hornet_bits *dst, const struct hornet_bits *src)
{
	for (int w = 0; w < HORNET_GEN_WORDS; w++)
		dst->w[w] |= src->w[w];
}

/* ---- argument capture ---- */

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

/* Copies a path from scratch slot 0 after @fixed bytes at @at; returns the payload length. */
static __always_inline __u32 put_path(struct gen_heap *h, __u32 spec, __u32 at, __u32 fixed,
				      const struct path *path, struct dentry *dentry, __u32 *flags)
{
	__u32 off = 0, wflags = 0, len, max;
	char *s0 = hornet_scratch(0);

	if (!s0)
		return fixed;
	if (path)
		len = hornet_path_resolve(path, h->task, 0, &off, &wflags);
	else /* a dentry alone: up to its filesystem's root */
		len = hornet_dentry_resolve(dentry, 0, &off, &wflags);
	if (wflags & HORNET_WALK_TRUNCATED)
		*flags |= HORNET_ARG_TRUNCATED;
	max = room(h, at + fixed);
	if (len > max) {
		len = max; /* no room left in the event for all of it */
		*flags |= HORNET_ARG_TRUNCATED;
	}
	barrier_var(len);
	len &= HORNET_PATH_MASK;
	if (bpf_probe_read_kernel(h->data + ((at + fixed) & DATA_MASK), len,
				  s0 + (off & HORNET_PATH_MASK)))
		len = 0;
	h->str_off[spec & (HORNET_GEN_MAX_SPECS - 1)] = at + fixed;
	h->str_len[spec & (HORNET_GEN_MAX_SPECS - 1)] = len;
	return fixed + len;
}

static __always_inline __u32 put_file(struct gen_heap *h, __u32 spec, __u32 at, struct file *file,
				      __u32 *flags)
{
	struct hornet_file_data *fd = (void *)(h->data + (at & DATA_MASK));
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	if (!file) {
		*flags |= HORNET_ARG_ERROR;
		return 0;
	}
	fd->flags = BPF_CORE_READ(file, f_flags);
	fd->mode = BPF_CORE_READ(inode, i_mode);
	fd->ino = BPF_CORE_READ(inode, i_ino);
	h->val[spec & (HORNET_GEN_MAX_SPECS - 1)] = fd->mode;
	return put_path(h, spec, at, sizeof(*fd), &file->f_path, NULL, flags);
}

static __always_inline struct file *fd_file(struct task_struct *task, __u64 fd)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd >= max)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xffff]);
	return file;
}

static __always_inline void read_skb(struct hornet_sock_data *sd, struct sk_buff *skb)
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

static __always_inline void read_cred(struct hornet_cred_data *c, const struct cred *cred)
{
	struct user_namespace *ns = BPF_CORE_READ(cred, user_ns);

	c->uid = BPF_CORE_READ(cred, uid.val);
	c->gid = BPF_CORE_READ(cred, gid.val);
	c->euid = BPF_CORE_READ(cred, euid.val);
	c->egid = BPF_CORE_READ(cred, egid.val);
	c->suid = BPF_CORE_READ(cred, suid.val);
	c->sgid = BPF_CORE_READ(cred, sgid.val);
	c->fsuid = BPF_CORE_READ(cred, fsuid.val);
	c->fsgid = BPF_CORE_READ(cred, fsgid.val);
	c->securebits = BPF_CORE_READ(cred, securebits);
	c->permitted = hornet_read_caps(&cred->cap_permitted);
	c->effective = hornet_read_caps(&cred->cap_effective);
	c->inheritable = hornet_read_caps(&cred->cap_inheritable);
	c->user_ns_level = BPF_CORE_READ(ns, level);
	c->user_ns_uid = BPF_CORE_READ(ns, owner.val);
	c->user_ns_gid = BPF_CORE_READ(ns, group.val);
	c->user_ns_inum = BPF_CORE_READ(ns, ns.inum);
}

/*
 * A relative path of a path syscall is relative to the cwd (AT_FDCWD) or to
 * its directory fd: writes that directory and a '/' at @at and returns
 * their length, or 0 when the path is absolute (or unreadable).
 */
static __always_inline __u32 dir_prefix(struct gen_heap *h,
					const volatile struct hornet_gen_spec *sp, __u32 at,
					const void *upath, __u32 max, __u32 *flags)
{
	char first = 0, *s1 = hornet_scratch(1);
	struct task_struct *task = h->task; /* a local: CO-RE relocates the expression */
	__u32 off = 0, wflags = 0, len;
	struct fs_struct *fs;
	struct file *dir;
	__s32 dirfd = -100; /* AT_FDCWD */

	if (!s1 || bpf_probe_read_user(&first, 1, upath) || first == '/' || !first)
		return 0;
	if (sp->dirfd_arg < HORNET_GEN_MAX_SPECS)
		dirfd = (__s32)h->raw[sp->dirfd_arg & (HORNET_GEN_MAX_SPECS - 1)];
	if (dirfd == -100) {
		fs = BPF_CORE_READ(task, fs);
		len = hornet_path_resolve(&fs->pwd, task, 1, &off, &wflags);
	} else {
		dir = fd_file(task, (__u32)dirfd);
		if (!dir)
			return 0;
		len = hornet_path_resolve(&dir->f_path, task, 1, &off, &wflags);
	}
	/* a directory too deep to resolve whole: its end, flagged; one that
	 * leaves no room for the name: the name alone, flagged */
	if (wflags & HORNET_WALK_TRUNCATED)
		*flags |= HORNET_ARG_TRUNCATED;
	if (len + 2 >= max) {
		*flags |= HORNET_ARG_TRUNCATED;
		return 0;
	}
	len &= HORNET_PATH_MASK;
	bpf_probe_read_kernel(h->data + (at & DATA_MASK), len, s1 + (off & HORNET_PATH_MASK));
	/* "/" + "x" is "/x", not "//x" */
	if (len == 1)
		return 1;
	h->data[(at + len) & DATA_MASK] = '/';
	return len + 1;
}

/* Reads one spec into the event heap. */
static long capture_one(__u32 i, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	const volatile struct hornet_gen_spec *sp;
	__u32 k = i & (HORNET_GEN_MAX_SPECS - 1), flags = 0, len = 0, max;
	__u64 raw, v = 0;
	long at;
	void *p;

	if (i >= hornet_cfg.nr_specs)
		return 1;
	sp = &hornet_cfg.specs[k];
	raw = h->raw[k];
	/* resolve: follow a chain of pointers from the argument first */
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
	raw += sp->resolve_add;
	p = (void *)raw;

	at = arg_begin(h, k, sp->type);
	if (at < 0)
		return 1;

	switch (sp->type) {
	case HORNET_GT_NOP:
		break;
	case HORNET_GT_INT:
		v = raw;
		if (sp->size == 1)
			v = (sp->flags & HORNET_SPEC_SIGNED) ? (__u64)(__s64)(__s8)v : (__u8)v;
		else if (sp->size == 2)
			v = (sp->flags & HORNET_SPEC_SIGNED) ? (__u64)(__s64)(__s16)v : (__u16)v;
		else if (sp->size == 4)
			v = (sp->flags & HORNET_SPEC_SIGNED) ? (__u64)(__s64)(__s32)v : (__u32)v;
		h->val[k] = v;
		*(__u64 *)(h->data + (at & DATA_MASK)) = v;
		len = 8;
		break;
	case HORNET_GT_CAPS:
		v = raw;
		if (sp->flags & HORNET_SPEC_CAPS_PTR)
			bpf_probe_read_kernel(&v, 8, p);
		h->val[k] = v;
		*(__u64 *)(h->data + (at & DATA_MASK)) = v;
		len = 8;
		break;
	case HORNET_GT_STRING:
	case HORNET_GT_FILENAME: {
		__u32 dl = 0;
		long n;

		if (sp->type == HORNET_GT_FILENAME)
			p = (void *)BPF_CORE_READ((struct filename *)p, name);
		max = room(h, at);
		if (sp->max_data && sp->max_data < max)
			max = sp->max_data;
		barrier_var(max);
		max &= ARG_MASK;
		if (sp->flags & HORNET_SPEC_FULLPATH)
			dl = dir_prefix(h, sp, at, p, max, &flags);
		if (dl) {
			/* the relative path after its directory */
			max = max > dl ? max - dl : 0;
			barrier_var(max);
			max &= ARG_MASK;
			n = bpf_probe_read_user_str(h->data + ((at + dl) & DATA_MASK), max, p);
			if (n > 0)
				n += dl;
		} else if (sp->flags & HORNET_SPEC_USER)
			n = bpf_probe_read_user_str(h->data + (at & DATA_MASK), max, p);
		else
			n = bpf_probe_read_kernel_str(h->data + (at & DATA_MASK), max, p);
		if (n <= 0) {
			flags |= HORNET_ARG_ERROR;
			n = 1;
		} else if (n == max) {
			flags |= HORNET_ARG_TRUNCATED;
		}
		len = n - 1; /* without the NUL */
		h->str_off[k] = at;
		h->str_len[k] = len;
		break;
	}
	case HORNET_GT_BUF: {
		__u64 size = sp->max_data ? sp->max_data : HORNET_GEN_ARG_MAX;

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
				flags |= HORNET_ARG_TRUNCATED;
		}
		max = room(h, at + 8);
		if (size > max)
			size = max;
		*(__u64 *)(h->data + (at & DATA_MASK)) = v; /* the original size */
		barrier_var(size);
		size &= ARG_MASK;
		if (size &&
		    ((sp->flags & HORNET_SPEC_USER)
			     ? bpf_probe_read_user(h->data + ((at + 8) & DATA_MASK), size, p)
			     : bpf_probe_read_kernel(h->data + ((at + 8) & DATA_MASK), size, p))) {
			flags |= HORNET_ARG_ERROR;
			size = 0;
		}
		h->str_off[k] = at + 8;
		h->str_len[k] = size;
		len = 8 + size;
		break;
	}
	case HORNET_GT_FD:
		/* val keeps the file's mode, for FileType */
		len = put_file(h, k, at, fd_file(h->task, raw), &flags);
		break;
	case HORNET_GT_FILE:
		len = put_file(h, k, at, p, &flags);
		break;
	case HORNET_GT_KIOCB:
		len = put_file(h, k, at, BPF_CORE_READ((struct kiocb *)p, ki_filp), &flags);
		break;
	case HORNET_GT_BINPRM:
		len = put_file(h, k, at, BPF_CORE_READ((struct linux_binprm *)p, file), &flags);
		break;
	case HORNET_GT_PATH: {
		struct hornet_file_data *fd = (void *)(h->data + (at & DATA_MASK));
		struct inode *inode = BPF_CORE_READ((struct path *)p, dentry, d_inode);

		fd->flags = 0;
		fd->mode = BPF_CORE_READ(inode, i_mode);
		fd->ino = BPF_CORE_READ(inode, i_ino);
		h->val[k] = fd->mode;
		len = put_path(h, k, at, sizeof(*fd), p, NULL, &flags);
		break;
	}
	case HORNET_GT_DENTRY: {
		struct hornet_file_data *fd = (void *)(h->data + (at & DATA_MASK));
		struct inode *inode = BPF_CORE_READ((struct dentry *)p, d_inode);

		fd->flags = 0;
		fd->mode = BPF_CORE_READ(inode, i_mode);
		fd->ino = BPF_CORE_READ(inode, i_ino);
		h->val[k] = fd->mode;
		len = put_path(h, k, at, sizeof(*fd), NULL, p, &flags);
		break;
	}
	case HORNET_GT_SOCK:
	case HORNET_GT_SOCKET: {
		struct hornet_sock_data *sd = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(sd, 0, sizeof(*sd));
		if (sp->type == HORNET_GT_SOCKET)
			p = BPF_CORE_READ((struct socket *)p, sk);
		if (p)
			hornet_read_sock(sd, p);
		else
			flags |= HORNET_ARG_ERROR;
		h->val[k] = (__u64)p;
		len = sizeof(*sd);
		break;
	}
	case HORNET_GT_SKB: {
		struct hornet_sock_data *sd = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(sd, 0, sizeof(*sd));
		read_skb(sd, p);
		len = sizeof(*sd);
		break;
	}
	case HORNET_GT_SOCKADDR: {
		struct hornet_sockaddr_data *sa = (void *)(h->data + (at & DATA_MASK));
		__u16 fam = 0, port = 0;

		__builtin_memset(sa, 0, sizeof(*sa));
		if (sp->flags & HORNET_SPEC_USER) {
			bpf_probe_read_user(&fam, 2, p);
			bpf_probe_read_user(&port, 2, p + 2);
			if (fam == AF_INET)
				bpf_probe_read_user(sa->addr, 4, p + 4);
			else if (fam == AF_INET6)
				bpf_probe_read_user(sa->addr, 16, p + 8);
		} else {
			bpf_probe_read_kernel(&fam, 2, p);
			bpf_probe_read_kernel(&port, 2, p + 2);
			if (fam == AF_INET)
				bpf_probe_read_kernel(sa->addr, 4, p + 4);
			else if (fam == AF_INET6)
				bpf_probe_read_kernel(sa->addr, 16, p + 8);
		}
		sa->family = fam;
		sa->port = bpf_ntohs(port);
		len = sizeof(*sa);
		break;
	}
	case HORNET_GT_NETDEV: {
		struct hornet_name_data *nd = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(nd, 0, sizeof(*nd));
		bpf_probe_read_kernel_str(nd->name, 16, ((struct net_device *)p)->name);
		len = sizeof(*nd);
		break;
	}
	case HORNET_GT_CRED: {
		struct hornet_cred_data *c = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(c, 0, sizeof(*c));
		read_cred(c, p);
		h->val[k] = c->effective;
		len = sizeof(*c);
		break;
	}
	case HORNET_GT_USER_NS: {
		struct hornet_userns_data *u = (void *)(h->data + (at & DATA_MASK));
		struct user_namespace *ns = p;

		u->level = BPF_CORE_READ(ns, level);
		u->uid = BPF_CORE_READ(ns, owner.val);
		u->gid = BPF_CORE_READ(ns, group.val);
		u->inum = BPF_CORE_READ(ns, ns.inum);
		len = sizeof(*u);
		break;
	}
	case HORNET_GT_BPF_ATTR: {
		struct hornet_bpf_data *b = (void *)(h->data + (at & DATA_MASK));
		/* BPF_PROG_LOAD's fields of union bpf_attr: a stable UAPI layout */
		const __u32 name_off = __builtin_offsetof(union bpf_attr, prog_name);

		__builtin_memset(b, 0, sizeof(*b));
		if (sp->flags & HORNET_SPEC_USER) {
			bpf_probe_read_user(&b->type, 8, p);
			bpf_probe_read_user(b->name, 16, p + name_off);
		} else {
			bpf_probe_read_kernel(&b->type, 8, p);
			bpf_probe_read_kernel(b->name, 16, p + name_off);
		}
		len = sizeof(*b);
		break;
	}
	case HORNET_GT_BPF_MAP: {
		struct hornet_bpf_data *b = (void *)(h->data + (at & DATA_MASK));
		struct bpf_map *m = p;

		__builtin_memset(b, 0, sizeof(*b));
		b->type = BPF_CORE_READ(m, map_type);
		b->key_size = BPF_CORE_READ(m, key_size);
		b->value_size = BPF_CORE_READ(m, value_size);
		b->max_entries = BPF_CORE_READ(m, max_entries);
		bpf_probe_read_kernel_str(b->name, 16, m->name);
		len = sizeof(*b);
		break;
	}
	case HORNET_GT_BPF_PROG: {
		struct hornet_bpf_data *b = (void *)(h->data + (at & DATA_MASK));
		struct bpf_prog *prog = p;
		struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);

		__builtin_memset(b, 0, sizeof(*b));
		b->type = BPF_CORE_READ(prog, type);
		b->insn_cnt = BPF_CORE_READ(prog, len);
		bpf_probe_read_kernel_str(b->name, 16, aux->name);
		len = sizeof(*b);
		break;
	}
	case HORNET_GT_PERF_EVENT: {
		struct hornet_perf_data *pd = (void *)(h->data + (at & DATA_MASK));
		struct perf_event *ev = p;

		__builtin_memset(pd, 0, sizeof(*pd));
		pd->type = BPF_CORE_READ(ev, attr.type);
		pd->config = BPF_CORE_READ(ev, attr.config);
		pd->probe_offset = BPF_CORE_READ(ev, attr.probe_offset);
		bpf_probe_read_kernel_str(pd->func, sizeof(pd->func),
					  (void *)BPF_CORE_READ(ev, attr.kprobe_func));
		len = sizeof(*pd);
		break;
	}
	case HORNET_GT_MODULE:
	case HORNET_GT_LOAD_INFO: {
		struct hornet_name_data *nd = (void *)(h->data + (at & DATA_MASK));
		struct module *mod = p;

		__builtin_memset(nd, 0, sizeof(*nd));
		if (sp->type == HORNET_GT_LOAD_INFO) {
			/* struct load_info is private to the module loader and not in
			 * BTF; its first member has been "const char *name" since
			 * it was introduced (commit 40dd2560ec2d, 2.6.37) */
			const char *name = NULL;

			bpf_probe_read_kernel(&name, sizeof(name), p);
			bpf_probe_read_kernel_str(nd->name, sizeof(nd->name), name);
		} else {
			bpf_probe_read_kernel_str(nd->name, sizeof(nd->name), mod->name);
		}
		h->str_off[k] = at;
		h->str_len[k] = 0;
		len = sizeof(*nd);
		break;
	}
	default:
		break;
	}
	arg_end(h, k, len, flags);
	return 0;
}

/* ---- filters ---- */

static __always_inline void lookup_bits(struct gen_heap *h, void *map, void *key)
{
	struct hornet_bits *b = bpf_map_lookup_elem(map, key);

	if (b)
		or_bits(&h->hits, b);
}

/* Exact, prefix and postfix matches of a string (@len bytes at @src). */
static __always_inline void match_string(struct gen_heap *h, __u8 arg, const char *src, __u32 len,
					 __u32 lookups)
{
	__u32 n = len < HORNET_GEN_STR - 1 ? len : HORNET_GEN_STR - 1;

	barrier_var(n); /* keep the masks below: the verifier needs the bound */
	if (lookups & HORNET_LOOKUP_STR_EQ && len < HORNET_GEN_STR) {
		__builtin_memset(&h->skey, 0, sizeof(h->skey));
		h->skey.arg = arg;
		bpf_probe_read_kernel(h->skey.s, n & STR_MASK, src);
		lookup_bits(h, &hornet_str_eq, &h->skey);
	}
	if (lookups & HORNET_LOOKUP_STR_PREFIX) {
		h->lkey.prefixlen = 8 + 8 * n;
		h->lkey.arg = arg;
		bpf_probe_read_kernel(h->lkey.s, n & STR_MASK, src);
		lookup_bits(h, &hornet_str_prefix, &h->lkey);
	}
}

struct rev_ctx {
	struct gen_heap *h;
	__u32 base; /* in h->data, or HORNET_GEN_DATA for h->tmp */
	__u32 len;
};

static long rev_step(__u32 i, void *ctx)
{
	struct rev_ctx *r = ctx;
	struct gen_heap *h = r->h;
	__u32 at;
	char c;

	if (i >= r->len || i >= HORNET_GEN_STR - 1)
		return 1;
	barrier_var(i); /* the masks below bound the indexes for the verifier */
	at = r->base + r->len - 1 - i;
	/* indexes, not pointers: the verifier bounds a masked index */
	if (r->base == HORNET_GEN_DATA)
		c = h->tmp[(r->len - 1 - i) & STR_MASK];
	else
		c = h->data[at & DATA_MASK];
	h->lkey.s[i & 0xff] = c; /* i < 255 here: the mask is for the verifier */
	return 0;
}

/* Postfix lookup of @len bytes at @base in the data, or in h->tmp (@base
 * HORNET_GEN_DATA): the last bytes, reversed, make the postfix a prefix. */
static __always_inline void match_postfix(struct gen_heap *h, __u8 arg, __u32 base, __u32 len)
{
	struct rev_ctx r = { .h = h };

	r.len = len < HORNET_GEN_STR - 1 ? len : HORNET_GEN_STR - 1;
	r.base = base == HORNET_GEN_DATA ? base : base + len - r.len;
	h->lkey.arg = arg;
	h->lkey.prefixlen = 8 + 8 * r.len;
	bpf_loop(HORNET_GEN_STR - 1, rev_step, &r, 0);
	lookup_bits(h, &hornet_str_postfix, &h->lkey);
}

static __always_inline void match_int(struct gen_heap *h, __u8 arg, __u8 sub, __u64 v)
{
	h->ikey.arg = arg;
	h->ikey.sub = sub;
	h->ikey.value = v;
	lookup_bits(h, &hornet_int_eq, &h->ikey);
}

static __always_inline void match_addr(struct gen_heap *h, __u8 arg, __u8 which, __u16 family,
				       const __u8 *addr)
{
	__builtin_memset(&h->akey, 0, sizeof(h->akey));
	h->akey.arg = arg;
	h->akey.which = which;
	h->akey.family = family;
	if (family == AF_INET) {
		__builtin_memcpy(h->akey.addr, addr, 4);
		h->akey.prefixlen = 24 + 32;
	} else {
		__builtin_memcpy(h->akey.addr, addr, 16);
		h->akey.prefixlen = 24 + 128;
	}
	lookup_bits(h, &hornet_addr, &h->akey);
}

static long match_spec(__u32 i, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	__u32 k = i & (HORNET_GEN_MAX_SPECS - 1), lookups = hornet_cfg.lookups;
	const volatile struct hornet_gen_spec *sp;
	__u32 so, sl;

	if (i >= hornet_cfg.nr_specs)
		return 1;
	sp = &hornet_cfg.specs[k];
	if (sp->flags & HORNET_SPEC_FILTER_STR) {
		so = h->str_off[k];
		sl = h->str_len[k];
		if (sp->type == HORNET_GT_MODULE || sp->type == HORNET_GT_LOAD_INFO ||
		    sp->type == HORNET_GT_NETDEV) {
			so = h->off[k];
			sl = 0;
			/* fixed-size name: its length */
			for (int c = 0; c < 63; c++) {
				if (!h->data[(so + c) & DATA_MASK])
					break;
				sl++;
			}
		}
		match_string(h, k, h->data + (so & DATA_MASK), sl, lookups);
		if (lookups & HORNET_LOOKUP_STR_POSTFIX)
			match_postfix(h, k, so & DATA_MASK, sl);
	}
	if (sp->flags & HORNET_SPEC_FILTER_INT)
		match_int(h, k, 0, h->val[k]);
	if (sp->flags & HORNET_SPEC_FILTER_NET) {
		struct hornet_sock_data *sd = (void *)(h->data + (h->off[k] & DATA_MASK));

		if (sp->type == HORNET_GT_SOCKADDR) {
			struct hornet_sockaddr_data *sa = (void *)sd;

			/* Tetragon's operators for a sockaddr: SAddr, SPort (its address) */
			if (lookups & HORNET_LOOKUP_ADDR)
				match_addr(h, k, HORNET_NET_SADDR, sa->family, sa->addr);
			if (lookups & HORNET_LOOKUP_PORT)
				match_int(h, k, HORNET_NET_SPORT, sa->port);
			if (lookups & HORNET_LOOKUP_NETINT)
				match_int(h, k, HORNET_NET_FAMILY, sa->family);
			return 0;
		}
		if (lookups & HORNET_LOOKUP_ADDR) {
			match_addr(h, k, HORNET_NET_SADDR, sd->family, sd->saddr);
			match_addr(h, k, HORNET_NET_DADDR, sd->family, sd->daddr);
		}
		if (lookups & HORNET_LOOKUP_PORT) {
			match_int(h, k, HORNET_NET_SPORT, sd->sport);
			match_int(h, k, HORNET_NET_DPORT, sd->dport);
		}
		if (lookups & HORNET_LOOKUP_NETINT) {
			match_int(h, k, HORNET_NET_PROTOCOL, sd->protocol);
			match_int(h, k, HORNET_NET_FAMILY, sd->family);
			match_int(h, k, HORNET_NET_STATE, sd->state);
		}
	}
	return 0;
}

static __always_inline __u32 current_ns(struct task_struct *task, __u32 t)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	switch (t) {
	case HORNET_NS_UTS:
		return BPF_CORE_READ(nsp, uts_ns, ns.inum);
	case HORNET_NS_IPC:
		return BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	case HORNET_NS_MNT:
		return BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	case HORNET_NS_PID: {
		struct pid *pid = BPF_CORE_READ(task, thread_pid);
		unsigned int level = BPF_CORE_READ(pid, level);
		struct upid upid = {};

		bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
		return BPF_CORE_READ(upid.ns, ns.inum);
	}
	case HORNET_NS_PID_FOR_CHILDREN:
		return BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	case HORNET_NS_NET:
		return BPF_CORE_READ(nsp, net_ns, ns.inum);
	case HORNET_NS_TIME:
		return BPF_CORE_READ(nsp, time_ns, ns.inum);
	case HORNET_NS_TIME_FOR_CHILDREN:
		return BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	case HORNET_NS_CGROUP:
		return BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	case HORNET_NS_USER:
		return BPF_CORE_READ(task, cred, user_ns, ns.inum);
	}
	return 0;
}

static long match_ns(__u32 t, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;

	if (t >= HORNET_NS_COUNT)
		return 1;
	if (hornet_cfg.ns_lookups & (1U << t))
		match_int(h, HORNET_KEY_NS(t), 0, current_ns(h->task, t));
	return 0;
}

static __always_inline __u64 current_caps(struct task_struct *task, __u32 set)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);

	if (set == HORNET_CAP_PERMITTED)
		return hornet_read_caps(&cred->cap_permitted);
	if (set == HORNET_CAP_INHERITABLE)
		return hornet_read_caps(&cred->cap_inheritable);
	return hornet_read_caps(&cred->cap_effective);
}

static long eval_filter(__u32 i, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	struct hornet_gen_filter *f;
	__u32 key = i;
	bool ok = false;
	__u64 v = 0;

	if (i >= hornet_cfg.nr_filters)
		return 1;
	f = bpf_map_lookup_elem(&hornet_filters, &key);
	if (!f)
		return 1;
	if (f->arg < HORNET_GEN_MAX_SPECS)
		v = h->val[f->arg & (HORNET_GEN_MAX_SPECS - 1)];
	else if (f->arg == HORNET_KEY_RET)
		v = h->ret;
	switch (f->kind) {
	case HORNET_F_INT_GT:
		ok = (__s64)v > (__s64)f->a;
		break;
	case HORNET_F_INT_LT:
		ok = (__s64)v < (__s64)f->a;
		break;
	case HORNET_F_INT_RANGE:
		ok = (__s64)v >= (__s64)f->a && (__s64)v <= (__s64)f->b;
		break;
	case HORNET_F_INT_MASK:
		ok = (v & f->a) != 0;
		break;
	case HORNET_F_PORT_RANGE:
	case HORNET_F_PORT_PRIV: {
		struct hornet_sock_data *sd =
			(void *)(h->data +
				 (h->off[f->arg & (HORNET_GEN_MAX_SPECS - 1)] & DATA_MASK));
		__u16 port;

		if (hornet_cfg.specs[f->arg & (HORNET_GEN_MAX_SPECS - 1)].type ==
		    HORNET_GT_SOCKADDR)
			port = ((struct hornet_sockaddr_data *)sd)->port;
		else
			port = f->sub == HORNET_NET_SPORT ? sd->sport : sd->dport;
		if (f->kind == HORNET_F_PORT_PRIV)
			ok = port < 1024;
		else
			ok = port >= f->a && port <= f->b;
		break;
	}
	case HORNET_F_CAPS:
		ok = (current_caps(h->task, f->sub) & f->a) != 0;
		break;
	case HORNET_F_CAPS_ALL:
		ok = (current_caps(h->task, f->sub) & f->a) == f->a;
		break;
	case HORNET_F_CAPS_CHANGED: {
		__u64 now = current_caps(h->task, f->sub), then;

		if (!h->has_proc)
			break;
		then = f->sub == HORNET_CAP_PERMITTED	  ? h->proc_caps.permitted
		       : f->sub == HORNET_CAP_INHERITABLE ? h->proc_caps.inheritable
							  : h->proc_caps.effective;
		ok = (now & ~then & f->a) != 0;
		break;
	}
	case HORNET_F_CAPS_GAINED: {
		/* the cred argument has capabilities the process does not */
		ok = (v & ~current_caps(h->task, HORNET_CAP_EFFECTIVE) & f->a) != 0;
		break;
	}
	case HORNET_F_NS_CHANGED:
		if (!h->has_proc)
			break;
		for (int t = 0; t < HORNET_NS_COUNT; t++) {
			if ((f->a & (1ULL << t)) && current_ns(h->task, t) != h->proc_ns.inum[t])
				ok = true;
		}
		break;
	case HORNET_F_FILE_TYPE:
		ok = (v & S_IFMT) == f->a;
		break;
	case HORNET_F_FOLLOW:
		/* followChildren: an ancestor ran the binary */
		ok = h->has_proc && (h->proc_follow & f->a);
		break;
	case HORNET_F_ALWAYS:
		ok = true;
		break;
	}
	if (ok)
		set_bit(&h->hits, f->slot);
	return 0;
}

/* ---- selectors and actions ---- */

struct sel_ctx {
	struct gen_heap *h;
	void *ctx;
	__u32 done_hook; /* the policy hook already decided (+1), 0 none */
	__u32 done_policy;
};

static __always_inline bool sel_matches(struct gen_heap *h, const struct hornet_gen_sel *s)
{
	for (int w = 0; w < HORNET_GEN_WORDS; w++)
		if (s->required.w[w] & ~(h->hits.w[w] ^ hornet_cfg.neg[w]))
			return false;
	return true;
}

static __always_inline struct hornet_policy_stats *policy_stats(__u32 id)
{
	return bpf_map_lookup_elem(&hornet_policy_stats, &id);
}

struct hash_ctx {
	struct gen_heap *h;
	__u64 hash;
};

static long hash_step(__u32 i, void *ctx)
{
	struct hash_ctx *hc = ctx;
	__u64 v;

	if (i * 8 >= hc->h->pos || i >= HORNET_GEN_DATA / 8)
		return 1;
	v = *(__u64 *)(hc->h->data + ((i * 8) & DATA_MASK));
	hc->hash = (hc->hash ^ v) * 0x100000001b3ULL;
	return 0;
}

/* true when the post goes ahead: not within the rate limit window */
static __always_inline bool rate_ok(struct gen_heap *h, const struct hornet_gen_sel *s,
				    const struct hornet_gen_act *a)
{
	struct rate_key key = {};
	__u64 now = bpf_ktime_get_ns(), *last;

	if (!a->rate_ns)
		return true;
	if (!h->args_hash) {
		/* per set of argument values, as Tetragon: computed only when needed */
		struct hash_ctx hsh = { .h = h, .hash = 0xcbf29ce484222325ULL };

		bpf_loop(HORNET_GEN_DATA / 8, hash_step, &hsh, 0);
		h->args_hash = hsh.hash | 1;
	}
	key.policy_id = s->policy_id;
	key.hook_id = s->hook_id;
	key.scope = a->scope == 0 ? h->tid : a->scope == 1 ? h->pid : 0;
	key.args = h->args_hash;
	last = bpf_map_lookup_elem(&hornet_rate, &key);
	if (last && now - *last < a->rate_ns)
		return false;
	bpf_map_update_elem(&hornet_rate, &key, &now, BPF_ANY);
	return true;
}

static __always_inline void post(struct sel_ctx *c, const struct hornet_gen_sel *s,
				 const bool tracing, __u8 action, __s32 action_arg, __u8 flags,
				 __u32 act_flags)
{
	struct gen_heap *h = c->h;
	struct hornet_gen_event *e = &h->ev;
	struct hornet_policy_stats *st = policy_stats(s->policy_id);
	__u64 size;

	hornet_hdr_init(&e->hdr, HORNET_OP_GENERIC, 0);
	e->pid = h->pid;
	e->tid = h->tid;
	if (!h->has_proc) {
		struct hornet_proc *proc = bpf_map_lookup_elem(&hornet_procs, &h->pid);

		e->proc_ktime = proc ? proc->ktime : 0;
	} else {
		e->proc_ktime = h->proc_ktime;
	}
	e->policy_id = s->policy_id;
	e->hook_id = s->hook_id;
	e->point_id = hornet_cfg.point_id;
	e->generation = hornet_cfg.generation;
	e->sel = s->sel;
	e->action = action;
	e->flags = flags | (h->has_ret ? HORNET_GEN_EV_RET : 0);
	e->nr_args = h->nr_args;
	e->ret = h->ret;
	e->action_arg = action_arg;
	e->kstack_id = -1;
	e->ustack_id = -1;
	/* stack traces exist for tracing programs only */
	if (tracing && (act_flags & HORNET_ACT_KSTACK))
		e->kstack_id = bpf_get_stackid(c->ctx, &hornet_stacks, 0);
	if (tracing && (act_flags & HORNET_ACT_USTACK))
		e->ustack_id = bpf_get_stackid(c->ctx, &hornet_stacks, BPF_F_USER_STACK);
	e->data_len = h->pos;
	size = sizeof(*e) + h->pos;
	if (size > sizeof(*e) + HORNET_GEN_DATA)
		return;
	e->hdr.size = size;
	/* the event and its arguments are contiguous in the heap */
	if (bpf_ringbuf_output(&hornet_events, e, size, hornet_rb_flags())) {
		hornet_stat_inc(HORNET_STAT_RB_LOST_GENERIC);
		if (st)
			st->lost++;
	} else if (st) {
		st->posted++;
	}
}

/* @tracing is a constant: the cgroup programs' copy has no signals or stacks */
static __always_inline long eval_sel_body(__u32 i, void *ctx, const bool tracing)
{
	struct sel_ctx *c = ctx;
	struct gen_heap *h = c->h;
	struct hornet_gen_sel *s;
	struct hornet_policy_state *ps;
	struct hornet_policy_stats *st;
	__u32 key = i, pkey;
	bool monitor, do_post = true, enforced = false;
	__u8 action = HORNET_A_POST, flags = 0, user = 0;
	__s32 arg = 0;
	__u32 act_flags = 0;

	if (i >= hornet_cfg.nr_sels)
		return 1;
	s = bpf_map_lookup_elem(&hornet_sels, &key);
	if (!s)
		return 1;
	/* first match decides, per policy hook */
	if (c->done_hook == s->hook_id + 1 && c->done_policy == s->policy_id)
		return 0;
	pkey = s->policy_id;
	ps = bpf_map_lookup_elem(&hornet_policy_state, &pkey);
	if (!ps || !(ps->flags & HORNET_POLICY_ENABLED))
		return 0;
	if (!sel_matches(h, s))
		return 0;
	c->done_hook = s->hook_id + 1;
	c->done_policy = s->policy_id;
	monitor = ps->flags & HORNET_POLICY_MONITOR;
	st = policy_stats(s->policy_id);
	if (st)
		st->runs++;

	for (int a = 0; a < HORNET_GEN_MAX_ACTIONS; a++) {
		const struct hornet_gen_act *act = &s->actions[a];

		if (a >= s->nr_actions)
			break;
		switch (act->action) {
		case HORNET_A_POST:
			act_flags |= act->flags;
			if (!rate_ok(h, s, act)) {
				do_post = false;
				if (st)
					st->rate_limited++;
			}
			break;
		case HORNET_A_NOPOST:
			do_post = false;
			break;
		case HORNET_A_SIGKILL:
		case HORNET_A_SIGNAL:
		case HORNET_A_OVERRIDE:
			if (action == HORNET_A_POST) {
				action = act->action;
				arg = act->action == HORNET_A_SIGKILL ? SIGKILL : act->arg;
			}
			if (monitor) {
				flags |= HORNET_GEN_EV_MONITOR;
				if (st)
					st->actions_skipped++;
				break;
			}
			if (act->action == HORNET_A_OVERRIDE)
				h->override = act->arg;
			else if (tracing)
				bpf_send_signal(act->action == HORNET_A_SIGKILL ? SIGKILL
										: act->arg);
			enforced = true;
			if (st)
				st->actions++;
			break;
		case HORNET_A_TRACKSOCK:
		case HORNET_A_UNTRACKSOCK: {
			__u64 sk = h->val[act->arg_spec & (HORNET_GEN_MAX_SPECS - 1)];

			if (act->action == HORNET_A_TRACKSOCK)
				bpf_map_update_elem(&hornet_socks, &sk, &h->pid, BPF_ANY);
			else
				bpf_map_delete_elem(&hornet_socks, &sk);
			break;
		}
		case HORNET_A_USER:
			user = 1;
			break;
		}
	}
	if (enforced)
		flags |= HORNET_GEN_EV_ENFORCED;
	if (user)
		flags |= HORNET_GEN_EV_USER_ACTION;
	if (do_post || user)
		post(c, s, tracing, action, arg, flags, act_flags);
	return 0;
}

static long eval_sel(__u32 i, void *ctx)
{
	return eval_sel_body(i, ctx, true);
}

static long eval_sel_cg(__u32 i, void *ctx)
{
	return eval_sel_body(i, ctx, false);
}

/*
 * The common path of every entry program. h->raw[] is filled; @ctx is the
 * program's context (for stack traces). Returns the errno to override
 * with, or 0.
 */
static __always_inline __s32 process(void *ctx, struct gen_heap *h)
{
	__u32 lookups = hornet_cfg.lookups, key = hornet_cfg.point_id, zero = 0;
	struct sel_ctx sc = { .h = h, .ctx = ctx };
	struct hctx hc = { .h = h };
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct hornet_proc *proc;
	__u32 *gen;

	/* the agent's own bpf(), open() and capability checks would feed
	 * back into the policies watching them */
	if (pid_tgid >> 32 == hornet_cfg.self_tgid)
		return 0;
	gen = bpf_map_lookup_elem(&hornet_gen_active, &key);
	if (!gen || *gen != hornet_cfg.generation)
		return 0;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->task = bpf_get_current_task_btf();
	h->has_proc = 0;
	proc = NULL;
	if ((lookups & HORNET_LOOKUP_BINARY) || hornet_cfg.nr_filters) {
		proc = bpf_map_lookup_elem(&hornet_procs, &h->pid);
		h->has_proc = proc != NULL;
		if (proc) {
			h->proc_ktime = proc->ktime;
			h->proc_follow = proc->follow;
			h->proc_caps = proc->caps;
			h->proc_ns = proc->ns;
		}
	}
	h->pos = 0;
	h->nr_args = 0;
	h->override = 0;
	h->args_hash = 0;
	__builtin_memset(&h->hits, 0, sizeof(h->hits));
	__builtin_memset(h->str_len, 0, sizeof(h->str_len));
	__builtin_memset(h->val, 0, sizeof(h->val));

	bpf_loop(HORNET_GEN_MAX_SPECS, capture_one, &hc, 0);
	bpf_loop(HORNET_GEN_MAX_SPECS, match_spec, &hc, 0);
	if (lookups & HORNET_LOOKUP_BINARY && proc) {
		match_string(h, HORNET_KEY_BINARY, proc->binary, proc->binary_len & STR_MASK,
			     lookups);
		if (lookups & HORNET_LOOKUP_STR_POSTFIX) {
			__u32 n = proc->binary_len & STR_MASK;

			bpf_probe_read_kernel(h->tmp, n, proc->binary);
			match_postfix(h, HORNET_KEY_BINARY, HORNET_GEN_DATA, n);
		}
	}
	if (lookups & HORNET_LOOKUP_PID)
		match_int(h, HORNET_KEY_PID, 0, h->pid);
	if (lookups & HORNET_LOOKUP_NSPID) {
		/* a local copy: CO-RE relocates the whole expression */
		struct task_struct *task = h->task;
		struct pid *p = BPF_CORE_READ(task, thread_pid);
		unsigned int level = BPF_CORE_READ(p, level);
		struct upid upid = {};

		bpf_core_read(&upid, sizeof(upid), &p->numbers[level & 31]);
		match_int(h, HORNET_KEY_NSPID, 0, upid.nr);
	}
	if (hornet_cfg.ns_lookups)
		bpf_loop(HORNET_NS_COUNT, match_ns, &hc, 0);
	if (hornet_cfg.ret_spec)
		match_int(h, HORNET_KEY_RET, 0, h->ret);
	if (hornet_cfg.nr_filters)
		bpf_loop(HORNET_GEN_MAX_FILTERS, eval_filter, &hc, 0);
	(void)zero;

	/*
	 * The common case, an event no selector wants: when every selector
	 * needs at least one filter to hold and no filter is negated, nothing
	 * holding means nothing matches, and the selectors are not walked.
	 */
	if (!hornet_cfg.always) {
		__u64 any = 0;

		for (int w = 0; w < HORNET_GEN_WORDS; w++)
			any |= h->hits.w[w];
		if (!any)
			return 0;
	}
	bpf_loop(HORNET_GEN_MAX_SELS, eval_sel, &sc, 0);
	return h->override;
}

static __always_inline struct gen_heap *heap(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hornet_gen_heap, &zero);
}

/* ---- entry programs: one per mechanism ---- */

/* The raw argument of each spec, from an array of function arguments. */
static __always_inline void raw_from_args(struct gen_heap *h, const __u64 *args)
{
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		const volatile struct hornet_gen_spec *sp = &hornet_cfg.specs[i];

		if (i >= hornet_cfg.nr_specs)
			break;
		if ((sp->src == HORNET_SRC_ARG || sp->src == HORNET_SRC_SYSCALL) && sp->index < 6)
			h->raw[i] = args[sp->index];
		else if (sp->src == HORNET_SRC_RET)
			h->raw[i] = h->ret;
	}
}

/* Syscall arguments from the syscall wrapper's struct pt_regs. */
static __always_inline void syscall_args(__u64 *args, struct pt_regs *regs)
{
	args[0] = BPF_CORE_READ(regs, di);
	args[1] = BPF_CORE_READ(regs, si);
	args[2] = BPF_CORE_READ(regs, dx);
	args[3] = BPF_CORE_READ(regs, r10);
	args[4] = BPF_CORE_READ(regs, r8);
	args[5] = BPF_CORE_READ(regs, r9);
}

/* Marks the process's own pid on the stash key so a return finds its entry. */
static __always_inline __u64 stash_key(void)
{
	return (bpf_get_current_pid_tgid() & 0xffffffff) << 32 | hornet_cfg.point_id;
}

SEC("kprobe")
int hornet_gen_kprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL) {
		syscall_args(args, (struct pt_regs *)PT_REGS_PARM1(ctx));
	} else {
		args[0] = PT_REGS_PARM1(ctx);
		args[1] = PT_REGS_PARM2(ctx);
		args[2] = PT_REGS_PARM3(ctx);
		args[3] = PT_REGS_PARM4(ctx);
		args[4] = PT_REGS_PARM5(ctx);
		args[5] = HORNET_PARM6(ctx);
	}
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

/* Override through a kprobe (bpf_override_return, on error-injectable
 * functions): loaded only on kernels that have it. */
SEC("kprobe")
int hornet_gen_kprobe_override(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];
	__s32 err;

	if (!h)
		return 0;
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL) {
		syscall_args(args, (struct pt_regs *)PT_REGS_PARM1(ctx));
	} else {
		args[0] = PT_REGS_PARM1(ctx);
		args[1] = PT_REGS_PARM2(ctx);
		args[2] = PT_REGS_PARM3(ctx);
		args[3] = PT_REGS_PARM4(ctx);
		args[4] = PT_REGS_PARM5(ctx);
		args[5] = HORNET_PARM6(ctx);
	}
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	err = process(ctx, h);
	if (err)
		bpf_override_return(ctx, err);
	return 0;
}

/* kprobe with return: the entry keeps the arguments for the return probe */
SEC("kprobe")
int hornet_gen_kprobe_entry(struct pt_regs *ctx)
{
	struct stash st = {};
	__u64 key = stash_key();

	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL) {
		syscall_args(st.raw, (struct pt_regs *)PT_REGS_PARM1(ctx));
	} else {
		st.raw[0] = PT_REGS_PARM1(ctx);
		st.raw[1] = PT_REGS_PARM2(ctx);
		st.raw[2] = PT_REGS_PARM3(ctx);
		st.raw[3] = PT_REGS_PARM4(ctx);
		st.raw[4] = PT_REGS_PARM5(ctx);
		st.raw[5] = HORNET_PARM6(ctx);
	}
	bpf_map_update_elem(&hornet_stash, &key, &st, BPF_ANY);
	return 0;
}

SEC("kretprobe")
int hornet_gen_kretprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 key = stash_key();
	struct stash *st;

	if (!h)
		return 0;
	st = bpf_map_lookup_elem(&hornet_stash, &key);
	if (!st)
		return 0;
	h->has_ret = 1;
	h->ret = PT_REGS_RC(ctx);
	raw_from_args(h, st->raw);
	bpf_map_delete_elem(&hornet_stash, &key);
	process(ctx, h);
	return 0;
}

#define FN_ARGS(args, ctx)                                  \
	do {                                                \
		__builtin_memset(args, 0, sizeof(args));    \
		if (hornet_nr_fn_args > 0)                  \
			bpf_get_func_arg(ctx, 0, &args[0]); \
		if (hornet_nr_fn_args > 1)                  \
			bpf_get_func_arg(ctx, 1, &args[1]); \
		if (hornet_nr_fn_args > 2)                  \
			bpf_get_func_arg(ctx, 2, &args[2]); \
		if (hornet_nr_fn_args > 3)                  \
			bpf_get_func_arg(ctx, 3, &args[3]); \
		if (hornet_nr_fn_args > 4)                  \
			bpf_get_func_arg(ctx, 4, &args[4]); \
		if (hornet_nr_fn_args > 5)                  \
			bpf_get_func_arg(ctx, 5, &args[5]); \
	} while (0)

SEC("fentry")
int hornet_gen_fentry(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL)
		syscall_args(args, (struct pt_regs *)args[0]);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

SEC("fexit")
int hornet_gen_fexit(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL)
		syscall_args(args, (struct pt_regs *)args[0]);
	h->has_ret = 1;
	h->ret = 0;
	bpf_get_func_ret(ctx, &h->ret);
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

/* Override through fmod_ret: the function does not run when this returns non-zero. */
SEC("fmod_ret")
int hornet_gen_fmod_ret(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	if (hornet_cfg.specs[0].src == HORNET_SRC_SYSCALL)
		syscall_args(args, (struct pt_regs *)args[0]);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	return process(ctx, h);
}

SEC("lsm")
int hornet_gen_lsm(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];
	__s32 err;

	if (!h)
		return 0;
	FN_ARGS(args, ctx);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	err = process(ctx, h);
	/* a negative errno denies the operation */
	return err ? (err < 0 ? err : -err) : 0;
}

SEC("tp_btf")
int hornet_gen_tp_btf(__u64 *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6] = {};

	if (!h)
		return 0;
	if (hornet_nr_fn_args > 0)
		args[0] = ctx[0];
	if (hornet_nr_fn_args > 1)
		args[1] = ctx[1];
	if (hornet_nr_fn_args > 2)
		args[2] = ctx[2];
	if (hornet_nr_fn_args > 3)
		args[3] = ctx[3];
	if (hornet_nr_fn_args > 4)
		args[4] = ctx[4];
	if (hornet_nr_fn_args > 5)
		args[5] = ctx[5];
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

SEC("raw_tp")
int hornet_gen_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6] = {};

	if (!h)
		return 0;
	bpf_probe_read_kernel(args, sizeof(__u64) * (hornet_nr_fn_args < 6 ? hornet_nr_fn_args : 6),
			      ctx->args);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

/* Tracepoint records: each spec reads its field at an offset. */
static __always_inline void raw_from_record(struct gen_heap *h, void *ctx)
{
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		const volatile struct hornet_gen_spec *sp = &hornet_cfg.specs[i];
		__u64 v = 0;

		if (i >= hornet_cfg.nr_specs)
			break;
		if (sp->src != HORNET_SRC_TP_FIELD)
			continue;
		bpf_probe_read_kernel(&v,
				      sp->field_size && sp->field_size <= 8 ? sp->field_size : 8,
				      ctx + sp->index);
		h->raw[i] = v;
	}
}

SEC("tracepoint")
int hornet_gen_tracepoint(void *ctx)
{
	struct gen_heap *h = heap();

	if (!h)
		return 0;
	h->has_ret = 0;
	h->ret = 0;
	raw_from_record(h, ctx);
	process(ctx, h);
	return 0;
}

/* sys_enter_* with a return: keep the arguments for sys_exit_* */
SEC("tracepoint")
int hornet_gen_tp_enter(void *ctx)
{
	struct stash st = {};
	__u64 key = stash_key();

	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		const volatile struct hornet_gen_spec *sp = &hornet_cfg.specs[i];

		if (i >= hornet_cfg.nr_specs)
			break;
		if (sp->src == HORNET_SRC_TP_FIELD)
			bpf_probe_read_kernel(&st.raw[i],
					      sp->field_size && sp->field_size <= 8 ? sp->field_size
										    : 8,
					      ctx + sp->index);
	}
	bpf_map_update_elem(&hornet_stash, &key, &st, BPF_ANY);
	return 0;
}

/* sys_exit_*: the return value is the record's "ret" field at offset 16 */
SEC("tracepoint")
int hornet_gen_tp_exit(void *ctx)
{
	struct gen_heap *h = heap();
	__u64 key = stash_key();
	struct stash *st;
	__s64 ret = 0;

	if (!h)
		return 0;
	st = bpf_map_lookup_elem(&hornet_stash, &key);
	if (!st)
		return 0;
	bpf_probe_read_kernel(&ret, sizeof(ret), ctx + 16);
	h->has_ret = 1;
	h->ret = ret;
	for (int i = 0; i < HORNET_GEN_MAX_SPECS; i++) {
		if (i >= hornet_cfg.nr_specs)
			break;
		h->raw[i] = hornet_cfg.specs[i].src == HORNET_SRC_RET ? (__u64)ret : st->raw[i];
	}
	bpf_map_delete_elem(&hornet_stash, &key);
	process(ctx, h);
	return 0;
}

SEC("uprobe")
int hornet_gen_uprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6];

	if (!h)
		return 0;
	args[0] = PT_REGS_PARM1(ctx);
	args[1] = PT_REGS_PARM2(ctx);
	args[2] = PT_REGS_PARM3(ctx);
	args[3] = PT_REGS_PARM4(ctx);
	args[4] = PT_REGS_PARM5(ctx);
	args[5] = HORNET_PARM6(ctx);
	h->has_ret = 0;
	h->ret = 0;
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

SEC("uretprobe")
int hornet_gen_uretprobe(struct pt_regs *ctx)
{
	struct gen_heap *h = heap();
	__u64 args[6] = {};

	if (!h)
		return 0;
	h->has_ret = 1;
	h->ret = PT_REGS_RC(ctx);
	raw_from_args(h, args);
	process(ctx, h);
	return 0;
}

/* ---- connections denied or reported through cgroup programs ---- */

/*
 * Where the kernel has no kprobes, fentry or LSM for connect(), the policy
 * hook runs as a cgroup/connect4 and connect6 program: every argument of a
 * socket type describes the destination from the program's context; the
 * filters are those that need no kernel memory reads (addresses, ports,
 * protocol, family, pids, binaries); Override refuses the connection with
 * EPERM. The hook plan refuses policies that ask for more.
 */
static long capture_cg(__u32 i, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	__u32 k = i & (HORNET_GEN_MAX_SPECS - 1), len = 0;
	const volatile struct hornet_gen_spec *sp;
	long at;

	if (i >= hornet_cfg.nr_specs)
		return 1;
	sp = &hornet_cfg.specs[k];
	at = arg_begin(h, k, sp->type);
	if (at < 0)
		return 1;
	if (sp->type == HORNET_GT_SOCKADDR) {
		struct hornet_sockaddr_data *sa = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(sa, 0, sizeof(*sa));
		sa->family = h->cg.family;
		sa->port = h->cg.dport;
		__builtin_memcpy(sa->addr, h->cg.daddr, 16);
		len = sizeof(*sa);
	} else if (sp->type == HORNET_GT_SOCK || sp->type == HORNET_GT_SOCKET) {
		struct hornet_sock_data *sd = (void *)(h->data + (at & DATA_MASK));

		__builtin_memset(sd, 0, sizeof(*sd));
		sd->family = h->cg.family;
		sd->type = h->cg.type;
		sd->protocol = h->cg.protocol;
		sd->dport = h->cg.dport;
		__builtin_memcpy(sd->daddr, h->cg.daddr, 16);
		sd->state = 2; /* TCP_SYN_SENT: about to connect */
		len = sizeof(*sd);
	} else if (sp->type == HORNET_GT_INT) {
		*(__u64 *)(h->data + (at & DATA_MASK)) = 0;
		len = 8;
	}
	arg_end(h, k, len, 0);
	return 0;
}

static long match_cg(__u32 i, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	__u32 k = i & (HORNET_GEN_MAX_SPECS - 1), lookups = hornet_cfg.lookups;
	const volatile struct hornet_gen_spec *sp;

	if (i >= hornet_cfg.nr_specs)
		return 1;
	sp = &hornet_cfg.specs[k];
	if (!(sp->flags & HORNET_SPEC_FILTER_NET))
		return 0;
	/* a sockaddr's own address is its "source" for Tetragon's operators */
	if (sp->type == HORNET_GT_SOCKADDR) {
		if (lookups & HORNET_LOOKUP_ADDR)
			match_addr(h, k, HORNET_NET_SADDR, h->cg.family, h->cg.daddr);
		if (lookups & HORNET_LOOKUP_PORT)
			match_int(h, k, HORNET_NET_SPORT, h->cg.dport);
	} else {
		if (lookups & HORNET_LOOKUP_ADDR)
			match_addr(h, k, HORNET_NET_DADDR, h->cg.family, h->cg.daddr);
		if (lookups & HORNET_LOOKUP_PORT)
			match_int(h, k, HORNET_NET_DPORT, h->cg.dport);
		if (lookups & HORNET_LOOKUP_NETINT)
			match_int(h, k, HORNET_NET_PROTOCOL, h->cg.protocol);
	}
	if (lookups & HORNET_LOOKUP_NETINT)
		match_int(h, k, HORNET_NET_FAMILY, h->cg.family);
	return 0;
}

static long filter_cg(__u32 i, void *ctx)
{
	struct gen_heap *h = ((struct hctx *)ctx)->h;
	struct hornet_gen_filter *f;
	__u32 key = i;
	bool ok = false;

	if (i >= hornet_cfg.nr_filters)
		return 1;
	f = bpf_map_lookup_elem(&hornet_filters, &key);
	if (!f)
		return 1;
	if (f->kind == HORNET_F_PORT_RANGE)
		ok = h->cg.dport >= f->a && h->cg.dport <= f->b;
	else if (f->kind == HORNET_F_PORT_PRIV)
		ok = h->cg.dport < 1024;
	else if (f->kind == HORNET_F_FOLLOW)
		ok = h->has_proc && (h->proc_follow & f->a);
	else if (f->kind == HORNET_F_ALWAYS)
		ok = true;
	if (ok)
		set_bit(&h->hits, f->slot);
	return 0;
}

static __always_inline int process_cg(struct bpf_sock_addr *ctx, __u16 family)
{
	__u32 lookups = hornet_cfg.lookups, key = hornet_cfg.point_id;
	struct gen_heap *h = heap();
	struct sel_ctx sc = { .h = h, .ctx = ctx };
	struct hctx hc = { .h = h };
	struct hornet_proc *proc;
	__u32 *gen;

	if (!h || bpf_get_current_pid_tgid() >> 32 == hornet_cfg.self_tgid)
		return 1;
	gen = bpf_map_lookup_elem(&hornet_gen_active, &key);
	if (!gen || *gen != hornet_cfg.generation)
		return 1;
	h->pid = bpf_get_current_pid_tgid() >> 32;
	h->tid = (__u32)bpf_get_current_pid_tgid();
	h->task = NULL;
	h->has_ret = 0;
	h->ret = 0;
	h->pos = 0;
	h->nr_args = 0;
	h->override = 0;
	h->args_hash = 0;
	__builtin_memset(&h->hits, 0, sizeof(h->hits));
	__builtin_memset(&h->cg, 0, sizeof(h->cg));
	h->cg.family = family;
	h->cg.type = ctx->type;
	h->cg.protocol = ctx->protocol;
	h->cg.dport = bpf_ntohs(ctx->user_port);
	if (family == AF_INET) {
		*(__u32 *)h->cg.daddr = ctx->user_ip4;
	} else {
		((__u32 *)h->cg.daddr)[0] = ctx->user_ip6[0];
		((__u32 *)h->cg.daddr)[1] = ctx->user_ip6[1];
		((__u32 *)h->cg.daddr)[2] = ctx->user_ip6[2];
		((__u32 *)h->cg.daddr)[3] = ctx->user_ip6[3];
	}
	proc = bpf_map_lookup_elem(&hornet_procs, &h->pid);
	h->has_proc = proc != NULL;
	if (proc) {
		h->proc_ktime = proc->ktime;
		h->proc_follow = proc->follow;
	}

	bpf_loop(HORNET_GEN_MAX_SPECS, capture_cg, &hc, 0);
	bpf_loop(HORNET_GEN_MAX_SPECS, match_cg, &hc, 0);
	if ((lookups & HORNET_LOOKUP_BINARY) && proc) {
		/* the whole (zero-padded) binary field is the key: no read helper needed */
		if (lookups & HORNET_LOOKUP_STR_EQ) {
			__builtin_memset(&h->skey, 0, sizeof(h->skey));
			h->skey.arg = HORNET_KEY_BINARY;
			__builtin_memcpy(h->skey.s, proc->binary, HORNET_GEN_STR - 1);
			lookup_bits(h, &hornet_str_eq, &h->skey);
		}
		if (lookups & HORNET_LOOKUP_STR_PREFIX) {
			h->lkey.arg = HORNET_KEY_BINARY;
			h->lkey.prefixlen = 8 + 8 * (proc->binary_len & STR_MASK);
			__builtin_memcpy(h->lkey.s, proc->binary, HORNET_GEN_STR - 1);
			lookup_bits(h, &hornet_str_prefix, &h->lkey);
		}
	}
	if (lookups & HORNET_LOOKUP_PID)
		match_int(h, HORNET_KEY_PID, 0, h->pid);
	if (hornet_cfg.nr_filters)
		bpf_loop(HORNET_GEN_MAX_FILTERS, filter_cg, &hc, 0);
	if (!hornet_cfg.always) {
		__u64 any = 0;

		for (int w = 0; w < HORNET_GEN_WORDS; w++)
			any |= h->hits.w[w];
		if (!any)
			return 1;
	}
	bpf_loop(HORNET_GEN_MAX_SELS, eval_sel_cg, &sc, 0);
	/* Override: refuse the connection (connect(2) fails with EPERM) */
	return h->override ? 0 : 1;
}

SEC("cgroup/connect4")
int hornet_gen_connect4(struct bpf_sock_addr *ctx)
{
	return process_cg(ctx, AF_INET);
}

SEC("cgroup/connect6")
int hornet_gen_connect6(struct bpf_sock_addr *ctx)
{
	return process_cg(ctx, AF_INET6);
}
