// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's BTF for the generic object's CO-RE relocations, cut down.
 *
 * libbpf 1.1 reads and parses the whole kernel BTF (several megabytes, some
 * 100,000 types) for every object it loads with CO-RE relocations, and frees
 * it after: with one object per hook point that was most of the start-up
 * time with the default pack (about 0.6 s per instance on a busy machine,
 * against 0.05 s of verification). An object opened with btf_custom_path
 * relocates against that BTF instead and does not read the kernel's unless
 * a program needs it to attach (fentry, LSM, BTF tracepoints).
 *
 * A relocation follows a chain of members from a type the program names to
 * a member it reads; each type on the chain is in the program's BTF under
 * its kernel name (or a "name___flavour"). So the cut keeps every kernel
 * type of such a name whole, with everything it contains (embedded types
 * whatever their names), and makes every other named struct or union it
 * points to a forward declaration: a read through a pointer is a relocation
 * of its own, from a type the program names, and CO-RE takes any pointer
 * member as compatible. Offsets and sizes are written in BTF, not derived.
 * Programs attached by BTF id use the cut too when their loading thread
 * can be shown a stand-in for the kernel's BTF (below), which libbpf reads
 * for their target; else the kernel's whole, for both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "sensors/generic_btf.h"

struct cut {
	const struct btf *src;
	char **names; /* sorted: the program's type names, flavours left out */
	size_t nr_names;
	__u32 *new_id; /* per kernel type: its id in the cut, 0 none yet */
	__u32 *order; /* kernel ids in the order of the cut */
	__u8 *fwd; /* per kernel type: written as a forward declaration */
	__u8 *by_ptr; /* per kernel type: reached through pointers only so far */
	__u32 nr;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool named_kind(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t) || btf_is_fwd(t);
}

/* The names of the program's types, without a CO-RE flavour's suffix. */
static int local_names(struct cut *c, const struct btf *local)
{
	__u32 i, n = btf__type_cnt(local);

	c->names = calloc(n, sizeof(*c->names));
	if (!c->names)
		return -ENOMEM;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(local, i);
		const char *name = btf__name_by_offset(local, t->name_off);
		char *s, *flavour;

		if (!named_kind(t) || !name || !name[0])
			continue;
		s = strdup(name);
		if (!s)
			return -ENOMEM;
		flavour = strstr(s, "___");
		if (flavour)
			*flavour = '\0';
		c->names[c->nr_names++] = s;
	}
	qsort(c->names, c->nr_names, sizeof(*c->names), cmp_name);
	return 0;
}

static bool wanted(const struct cut *c, const char *name)
{
	return name && name[0] &&
	       bsearch(&name, c->names, c->nr_names, sizeof(*c->names), cmp_name);
}

/*
 * Gives kernel type @id a place in the cut, once; @by_ptr when it is reached
 * through a pointer (or a function's prototype). A struct or union of
 * another name is kept whole when embedded: CO-RE checks the type of each
 * member on a chain of accesses, and a type embedded under another name in
 * one kernel (renamed, or anonymous in another) must still match. Through a
 * pointer it is a forward declaration: a read through a pointer is its own
 * relocation, from a type the program names, and pointers always match.
 */
static void take_refs(struct cut *c, __u32 id);

static void take(struct cut *c, __u32 id, bool by_ptr)
{
	const struct btf_type *t;

	if (!id)
		return;
	if (c->new_id[id]) {
		/* reached through a pointer first, embedded now: whole after all */
		if (!by_ptr && c->by_ptr[id]) {
			c->by_ptr[id] = 0;
			c->fwd[id] = 0;
			take_refs(c, id);
		}
		return;
	}
	c->new_id[id] = ++c->nr;
	c->order[c->nr - 1] = id;
	c->by_ptr[id] = by_ptr;
	t = btf__type_by_id(c->src, id);
	if (by_ptr && btf_is_composite(t) && t->name_off &&
	    !wanted(c, btf__name_by_offset(c->src, t->name_off)))
		c->fwd[id] = 1;
}

/* Takes what kernel type @id refers to (a forward declaration refers to nothing). */
static void take_refs(struct cut *c, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(c->src, id);
	__u16 i, vlen = btf_vlen(t);

	if (c->fwd[id])
		return;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		take(c, t->type, true);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		/* what a modifier or typedef reaches is reached as it was */
		take(c, t->type, c->by_ptr[id]);
		break;
	case BTF_KIND_ARRAY:
		take(c, btf_array(t)->index_type, false);
		take(c, btf_array(t)->type, false);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++)
			take(c, btf_members(t)[i].type, false);
		break;
	case BTF_KIND_FUNC_PROTO:
		take(c, t->type, true);
		for (i = 0; i < vlen; i++)
			take(c, btf_params(t)[i].type, true);
		break;
	default:
		break;
	}
}

/* Writes kernel type @id into @dst; returns its id there, or -errno. */
static int put(const struct cut *c, struct btf *dst, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(c->src, id);
	const char *name = btf__name_by_offset(c->src, t->name_off);
	__u16 i, vlen = btf_vlen(t);
	int ret, err = 0;

	if (c->fwd[id])
		return btf__add_fwd(dst, name, btf_is_union(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return btf__add_int(dst, name, t->size, btf_int_encoding(t));
	case BTF_KIND_FLOAT:
		return btf__add_float(dst, name, t->size);
	case BTF_KIND_PTR:
		return btf__add_ptr(dst, c->new_id[t->type]);
	case BTF_KIND_TYPEDEF:
		return btf__add_typedef(dst, name, c->new_id[t->type]);
	case BTF_KIND_VOLATILE:
		return btf__add_volatile(dst, c->new_id[t->type]);
	case BTF_KIND_CONST:
		return btf__add_const(dst, c->new_id[t->type]);
	case BTF_KIND_RESTRICT:
		return btf__add_restrict(dst, c->new_id[t->type]);
	case BTF_KIND_TYPE_TAG:
		return btf__add_type_tag(dst, name, c->new_id[t->type]);
	case BTF_KIND_FWD:
		return btf__add_fwd(dst, name, btf_kflag(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
	case BTF_KIND_ARRAY:
		return btf__add_array(dst, c->new_id[btf_array(t)->index_type],
				      c->new_id[btf_array(t)->type], btf_array(t)->nelems);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		ret = btf_is_struct(t) ? btf__add_struct(dst, name, t->size)
				       : btf__add_union(dst, name, t->size);
		for (i = 0; ret > 0 && !err && i < vlen; i++) {
			const struct btf_member *m = &btf_members(t)[i];

			err = btf__add_field(dst, btf__name_by_offset(c->src, m->name_off),
					     c->new_id[m->type], btf_member_bit_offset(t, i),
					     btf_member_bitfield_size(t, i));
		}
		return err ? err : ret;
	case BTF_KIND_ENUM:
		ret = btf__add_enum(dst, name, t->size);
		for (i = 0; ret > 0 && !err && i < vlen; i++)
			err = btf__add_enum_value(
				dst, btf__name_by_offset(c->src, btf_enum(t)[i].name_off),
				btf_enum(t)[i].val);
		return err ? err : ret;
	case BTF_KIND_ENUM64:
		ret = btf__add_enum64(dst, name, t->size, btf_kflag(t));
		for (i = 0; ret > 0 && !err && i < vlen; i++)
			err = btf__add_enum64_value(
				dst, btf__name_by_offset(c->src, btf_enum64(t)[i].name_off),
				btf_enum64_value(&btf_enum64(t)[i]));
		return err ? err : ret;
	case BTF_KIND_FUNC_PROTO:
		ret = btf__add_func_proto(dst, c->new_id[t->type]);
		for (i = 0; ret > 0 && !err && i < vlen; i++)
			err = btf__add_func_param(
				dst, btf__name_by_offset(c->src, btf_params(t)[i].name_off),
				c->new_id[btf_params(t)[i].type]);
		return err ? err : ret;
	default:
		/* functions, variables, sections and tags: no member leads there */
		return -EINVAL;
	}
}

/* 0, or -errno */
static int write_all(int fd, const void *buf, size_t size)
{
	const char *p = buf;
	ssize_t n;

	while (size) {
		n = write(fd, p, size);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		size -= n;
	}
	return 0;
}

static int write_memfd(const struct btf *b)
{
	__u32 size = 0;
	const char *raw = btf__raw_data(b, &size);
	int fd, ret;

	if (!raw)
		return -ENOMEM;
	fd = memfd_create("hornet-core-btf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, raw, size);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int hornet_gen_core_btf(const struct btf *vmlinux, const struct btf *local)
{
	__u32 i, n = btf__type_cnt(vmlinux);
	struct cut c = { .src = vmlinux };
	struct btf *dst = NULL;
	int ret;

	c.new_id = calloc(n, sizeof(*c.new_id));
	c.order = calloc(n, sizeof(*c.order));
	c.fwd = calloc(n, sizeof(*c.fwd));
	c.by_ptr = calloc(n, sizeof(*c.by_ptr));
	ret = c.new_id && c.order && c.fwd && c.by_ptr ? local_names(&c, local) : -ENOMEM;
	if (ret)
		goto out;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(vmlinux, i);

		if (named_kind(t) && !btf_is_fwd(t) &&
		    wanted(&c, btf__name_by_offset(vmlinux, t->name_off)))
			take(&c, i, false);
	}
	/* breadth first: the list grows behind the walk */
	for (i = 0; i < c.nr; i++)
		take_refs(&c, c.order[i]);
	dst = btf__new_empty();
	ret = dst ? 0 : -errno;
	for (i = 0; !ret && i < c.nr; i++) {
		int id = put(&c, dst, c.order[i]);

		/* written in order: each takes the id given to it above */
		if (id != (int)i + 1)
			ret = id < 0 ? id : -EINVAL;
	}
	if (!ret)
		ret = write_memfd(dst);
out:
	btf__free(dst);
	for (i = 0; i < c.nr_names; i++)
		free(c.names[i]);
	free(c.names);
	free(c.new_id);
	free(c.order);
	free(c.fwd);
	free(c.by_ptr);
	return ret;
}

/*
 * The stand-in for programs attached by BTF id (fentry, fexit, LSM, BTF
 * tracepoints). libbpf 1.1 needs the kernel's BTF for them only to find the
 * target's type id, but it reads and parses the whole of it, from
 * /sys/kernel/btf/vmlinux, once per object: 2-3 s each on an emulated
 * machine, where that was most of the start with the default pack. The
 * stand-in has every type at its kernel id, so the ids libbpf finds are the
 * kernel's, but keeps only what a target lookup reads: functions with their
 * names (and their prototypes, without parameters), the "btf_trace_"
 * typedefs of BTF tracepoints; any other type is an anonymous pointer to
 * void. The kernel checks the program against its own BTF, not this one.
 * About half the size and a fifth of the parse.
 */
struct standin {
	char *types;
	size_t types_len, types_cap;
	char *strs;
	size_t strs_len, strs_cap;
};

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	char *p;

	while (n < need)
		n *= 2;
	if (n == *cap)
		return 0;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* the name's offset in the stand-in's strings; 0 for none */
static int add_name(struct standin *s, const char *name, __u32 *off)
{
	size_t len = name ? strlen(name) : 0;

	*off = 0;
	if (!len)
		return 0;
	if (grow(&s->strs, &s->strs_cap, s->strs_len + len + 1))
		return -ENOMEM;
	*off = s->strs_len;
	memcpy(s->strs + s->strs_len, name, len + 1);
	s->strs_len += len + 1;
	return 0;
}

static int add_type(struct standin *s, __u32 name_off, __u32 kind, __u32 vlen, __u32 type)
{
	struct btf_type t = { .name_off = name_off, .info = kind << 24 | (vlen & 0xffff) };

	t.type = type;
	if (grow(&s->types, &s->types_cap, s->types_len + sizeof(t)))
		return -ENOMEM;
	memcpy(s->types + s->types_len, &t, sizeof(t));
	s->types_len += sizeof(t);
	return 0;
}

static int standin_build(const struct btf *vmlinux, struct standin *s)
{
	__u32 i, n = btf__type_cnt(vmlinux), off;
	int ret = 0;

	s->strs_len = 1; /* the empty name at offset 0 */
	if (grow(&s->strs, &s->strs_cap, 1 << 20) || grow(&s->types, &s->types_cap, n * 12))
		return -ENOMEM;
	s->strs[0] = '\0';
	for (i = 1; i < n && !ret; i++) {
		const struct btf_type *t = btf__type_by_id(vmlinux, i);
		const char *name = btf__name_by_offset(vmlinux, t->name_off);

		if (btf_is_func(t)) {
			/* its linkage in vlen, its prototype at the kernel's id */
			ret = add_name(s, name, &off);
			if (!ret)
				ret = add_type(s, off, BTF_KIND_FUNC, btf_vlen(t), t->type);
		} else if (btf_is_func_proto(t)) {
			ret = add_type(s, 0, BTF_KIND_FUNC_PROTO, 0, 0);
		} else if (btf_is_typedef(t) && name && !strncmp(name, "btf_trace_", 10)) {
			ret = add_name(s, name, &off);
			if (!ret)
				ret = add_type(s, off, BTF_KIND_TYPEDEF, 0, t->type);
		} else {
			ret = add_type(s, 0, BTF_KIND_PTR, 0, 0);
		}
	}
	return ret;
}

static int standin_memfd(const struct standin *s)
{
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(h),
		.type_off = 0,
		.type_len = s->types_len,
		.str_off = s->types_len,
		.str_len = s->strs_len,
	};
	int fd = memfd_create("hornet-btf-standin", MFD_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, &h, sizeof(h));
	if (!ret)
		ret = write_all(fd, s->types, s->types_len);
	if (!ret)
		ret = write_all(fd, s->strs, s->strs_len);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int hornet_gen_standin_btf(const struct btf *vmlinux)
{
	struct standin s = {};
	int ret = standin_build(vmlinux, &s);

	if (!ret)
		ret = standin_memfd(&s);
	free(s.types);
	free(s.strs);
	return ret;
}

/*
 * The stand-in cut for one lookup, of @name: the records before its id are
 * anonymous pointers, which a lookup by name and kind passes over, and
 * nothing follows it but its prototype. The target keeps its kernel id, and
 * libbpf parses and walks 12 bytes per type up to it, with one name, instead
 * of the whole stand-in with its 50,000 names. The first record of that
 * name and of the kind libbpf asks for is the one libbpf would find in the
 * whole. Returns the size in @buf (malloc'ed), 0 when @name is not there
 * (libbpf then reads the whole and looks in modules), or -errno.
 */
static ssize_t standin_one(const char *whole, size_t size, const char *name, char **buf)
{
	const struct btf_header *h = (const void *)whole;
	const struct btf_type *types, *t = NULL;
	size_t len = strlen(name), out;
	__u32 kind = strncmp(name, "btf_trace_", 10) ? BTF_KIND_FUNC : BTF_KIND_TYPEDEF;
	struct btf_header nh;
	struct btf_type *nt;
	__u32 i, nr;
	char *p;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > size ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > size)
		return -EINVAL;
	types = (const void *)(whole + h->hdr_len + h->type_off);
	nr = h->type_len / sizeof(*types);
	for (i = 0; i < nr && !t; i++) {
		const char *s = whole + h->hdr_len + h->str_off + types[i].name_off;

		if (types[i].name_off && types[i].name_off < h->str_len &&
		    btf_kind(&types[i]) == kind && !strcmp(s, name))
			t = &types[i];
	}
	if (!t)
		return 0;
	/* up to the target (id i), and for a function its prototype after it */
	out = sizeof(*h) + (i + 1) * sizeof(*types) + len + 2;
	p = calloc(1, out);
	if (!p)
		return -ENOMEM;
	nh = *h;
	nt = (void *)(p + sizeof(nh));
	nh.hdr_len = sizeof(nh);
	nh.type_off = 0;
	nh.type_len = (i + 1) * sizeof(*types);
	nh.str_off = nh.type_len;
	nh.str_len = len + 2;
	memcpy(p, &nh, sizeof(nh));
	for (nr = 0; nr + 1 < i; nr++)
		nt[nr].info = BTF_KIND_PTR << 24;
	nt[i - 1] = *t;
	nt[i - 1].name_off = 1;
	nt[i - 1].type = btf_is_func(t) ? i + 1 : 0;
	nt[i].info = BTF_KIND_FUNC_PROTO << 24;
	memcpy(p + sizeof(nh) + nh.type_len + 1, name, len + 1);
	*buf = p;
	return out;
}

/*
 * @size bytes of @buf in a file of this thread's mount namespace, named in
 * @path: a bind mount takes its source from the caller's namespace only (a
 * memory file's mount is the kernel's, a file opened before the unshare is
 * in the agent's namespace) and not from a file already removed. The caller
 * removes the name once mounted.
 */
static int write_here(const char *buf, size_t size, char *path, size_t path_size)
{
	static const char *const dirs[] = { "/dev/shm", "/run", "/tmp" };
	unsigned int i;
	int out = -ENOENT, ret;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && out < 0; i++) {
		snprintf(path, path_size, "%s/hornet-btf-XXXXXX", dirs[i]);
		out = mkostemp(path, O_CLOEXEC);
		if (out < 0)
			out = -errno;
	}
	if (out < 0)
		return out;
	ret = write_all(out, buf, size);
	if (ret) {
		close(out);
		unlink(path);
		return ret;
	}
	return out;
}

/*
 * The stand-in @fd, or its cut for @name (standin_one()), in a file of this
 * thread's namespace (write_here()).
 */
static int copy_here(int fd, const char *name, char *path, size_t path_size)
{
	struct stat st;
	char *whole, *one = NULL;
	ssize_t n = 0;
	int out;

	if (fstat(fd, &st))
		return -errno;
	whole = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (whole == MAP_FAILED)
		return -errno;
	if (name)
		n = standin_one(whole, st.st_size, name, &one);
	out = n < 0 ? n
	      : n   ? write_here(one, n, path, path_size)
		    : write_here(whole, st.st_size, path, path_size);
	free(one);
	munmap(whole, st.st_size);
	return out;
}

/*
 * This thread in a mount namespace of its own, once: a copy of the agent's,
 * which receives the host's mounts and sends none (MS_SLAVE), so the stand-in
 * mounted there is seen by this thread's reads only.
 */
static __thread int own_ns; /* 0 not yet, 1 done, -errno failed */

int hornet_gen_standin_enter_for(int fd, const char *name)
{
	char path[64];
	int copy, ret = 0;

	if (fd < 0)
		return -EBADF;
	if (!own_ns) {
		own_ns = 1;
		if (unshare(CLONE_NEWNS))
			own_ns = -errno;
		else if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
			own_ns = -errno; /* never mount with propagation on */
	}
	if (own_ns < 0)
		return own_ns;
	copy = copy_here(fd, name, path, sizeof(path));
	if (copy < 0)
		return copy;
	if (mount(path, HORNET_KERNEL_BTF, NULL, MS_BIND, NULL))
		ret = -errno;
	/* the mount holds the file: its name goes at once */
	unlink(path);
	close(copy);
	return ret;
}

void hornet_gen_standin_leave(void)
{
	umount2(HORNET_KERNEL_BTF, MNT_DETACH);
}
