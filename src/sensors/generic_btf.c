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
 * type of such a name whole, with everything it contains, and makes every
 * other named struct or union it reaches a forward declaration: members
 * keep their offsets (a member's offset and its struct's size are written
 * in the BTF, not derived), and the program reads none of theirs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* Gives kernel type @id a place in the cut, once. */
static void take(struct cut *c, __u32 id)
{
	const struct btf_type *t;

	if (!id || c->new_id[id])
		return;
	c->new_id[id] = ++c->nr;
	c->order[c->nr - 1] = id;
	t = btf__type_by_id(c->src, id);
	if (btf_is_composite(t) && !wanted(c, btf__name_by_offset(c->src, t->name_off)) &&
	    t->name_off)
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
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		take(c, t->type);
		break;
	case BTF_KIND_ARRAY:
		take(c, btf_array(t)->index_type);
		take(c, btf_array(t)->type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++)
			take(c, btf_members(t)[i].type);
		break;
	case BTF_KIND_FUNC_PROTO:
		take(c, t->type);
		for (i = 0; i < vlen; i++)
			take(c, btf_params(t)[i].type);
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

static int write_memfd(const struct btf *b)
{
	__u32 size = 0;
	const char *raw = btf__raw_data(b, &size);
	ssize_t n;
	int fd;

	if (!raw)
		return -ENOMEM;
	fd = memfd_create("hornet-core-btf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (size) {
		n = write(fd, raw, size);
		if (n <= 0) {
			close(fd);
			return n < 0 ? -errno : -EIO;
		}
		raw += n;
		size -= n;
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
	ret = c.new_id && c.order && c.fwd ? local_names(&c, local) : -ENOMEM;
	if (ret)
		goto out;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(vmlinux, i);

		if (named_kind(t) && !btf_is_fwd(t) &&
		    wanted(&c, btf__name_by_offset(vmlinux, t->name_off)))
			take(&c, i);
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
	return ret;
}
