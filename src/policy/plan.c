// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "policy/plan.h"
#include "util/cgroup2.h"
#include "util/kbtf.h"
#include "util/sha256.h"
#include "util/usdt.h"

static const struct {
	const char *name;
	int nr;
} syscalls[] = {
#include "syscalls.h"
};

#define NR_SYSCALLS (sizeof(syscalls) / sizeof(syscalls[0]))

/*
 * Syscalls newer than the build machine's headers may know: since 5.1 a new
 * syscall has one number on every architecture (424 and up, the kernel's
 * scripts/syscall.tbl), so a kernel newer than the headers is served too.
 * Whether the running kernel has one is asked of the kernel itself
 * (kernel_has_syscall()); this table only gives the numbers.
 */
static const struct {
	const char *name;
	int nr;
} common_syscalls[] = {
	{ "pidfd_send_signal", 424 },
	{ "io_uring_setup", 425 },
	{ "io_uring_enter", 426 },
	{ "io_uring_register", 427 },
	{ "open_tree", 428 },
	{ "move_mount", 429 },
	{ "fsopen", 430 },
	{ "fsconfig", 431 },
	{ "fsmount", 432 },
	{ "fspick", 433 },
	{ "pidfd_open", 434 },
	{ "clone3", 435 },
	{ "close_range", 436 },
	{ "openat2", 437 },
	{ "pidfd_getfd", 438 },
	{ "faccessat2", 439 },
	{ "process_madvise", 440 },
	{ "epoll_pwait2", 441 },
	{ "mount_setattr", 442 },
	{ "quotactl_fd", 443 },
	{ "landlock_create_ruleset", 444 },
	{ "landlock_add_rule", 445 },
	{ "landlock_restrict_self", 446 },
	{ "memfd_secret", 447 },
	{ "process_mrelease", 448 },
	{ "futex_waitv", 449 },
	{ "set_mempolicy_home_node", 450 },
	{ "cachestat", 451 },
	{ "fchmodat2", 452 },
	{ "map_shadow_stack", 453 },
	{ "futex_wake", 454 },
	{ "futex_wait", 455 },
	{ "futex_requeue", 456 },
	{ "statmount", 457 },
	{ "listmount", 458 },
	{ "lsm_get_self_attr", 459 },
	{ "lsm_set_self_attr", 460 },
	{ "lsm_list_modules", 461 },
	{ "mseal", 462 },
	{ "setxattrat", 463 },
	{ "getxattrat", 464 },
	{ "listxattrat", 465 },
	{ "removexattrat", 466 },
	{ "open_tree_attr", 467 },
	{ "file_getattr", 468 },
	{ "file_setattr", 469 },
};

/* "openat", "sys_openat", "__x64_sys_openat", "__arm64_sys_openat" -> "openat" */
static const char *syscall_base(const char *name)
{
	const char *p = strstr(name, "sys_");

	if (p && (p == name || (name[0] == '_' && name[1] == '_')))
		return p + 4;
	return name;
}

int hornet_syscall_nr(const char *name)
{
	const char *base = syscall_base(name);
	size_t i;

	for (i = 0; i < NR_SYSCALLS; i++)
		if (!strcmp(syscalls[i].name, base))
			return syscalls[i].nr;
	for (i = 0; i < sizeof(common_syscalls) / sizeof(common_syscalls[0]); i++)
		if (!strcmp(common_syscalls[i].name, base))
			return common_syscalls[i].nr;
	return -1;
}

static const char *const mech_names[HORNET_MECH_COUNT] = {
	[HORNET_MECH_LSM] = "lsm",
	[HORNET_MECH_FENTRY] = "fentry",
	[HORNET_MECH_FEXIT] = "fexit",
	[HORNET_MECH_FMOD_RET] = "fmod_ret",
	[HORNET_MECH_KPROBE] = "kprobe",
	[HORNET_MECH_KRETPROBE] = "kretprobe",
	[HORNET_MECH_TRACEPOINT] = "tracepoint",
	[HORNET_MECH_TP_RET] = "tracepoint",
	[HORNET_MECH_TP_BTF] = "tp_btf",
	[HORNET_MECH_RAW_TP] = "raw_tp",
	[HORNET_MECH_UPROBE] = "uprobe",
	[HORNET_MECH_URETPROBE] = "uretprobe",
	[HORNET_MECH_USDT] = "usdt",
	[HORNET_MECH_CGROUP_CONNECT] = "cgroup/connect",
	[HORNET_MECH_CGROUP_SENDMSG] = "cgroup/sendmsg",
};

const char *hornet_mech_name(enum hornet_mech m)
{
	return m < HORNET_MECH_COUNT ? mech_names[m] : "?";
}

void hornet_plan_point_key(const struct hornet_plan_hook *ph, char *key, size_t size)
{
	/* each site of a probe is a point: its arguments are in other registers */
	if (ph->mech == HORNET_MECH_USDT) {
		snprintf(key, size, "usdt:%s@%s+0x%llx", ph->target, ph->path,
			 (unsigned long long)ph->offset);
		return;
	}
	snprintf(key, size, "%s:%s%s%s%s%s", hornet_mech_name(ph->mech), ph->target,
		 ph->mech == HORNET_MECH_TP_RET || ph->mech == HORNET_MECH_KRETPROBE ||
				 ph->mech == HORNET_MECH_FEXIT
			 ? ":ret"
			 : "",
		 ph->path[0] ? "@" : "", ph->path, ph->mech == HORNET_MECH_URETPROBE ? ":ret" : "");
}

static bool dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void load_ftrace_funcs(struct hornet_kernel *k);

int hornet_kernel_init(struct hornet_kernel *k, const struct hornet_features *features)
{
	memset(k, 0, sizeof(*k));
	k->features = *features;
	/* k->btf: parsed by the first plan (see hornet_kernel_drop_btf()) */
	k->btf_on_demand = true;
	if (!dir_exists("/sys/kernel/tracing/events"))
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (dir_exists("/sys/kernel/tracing/events"))
		k->tracefs = "/sys/kernel/tracing";
	else if (dir_exists("/sys/kernel/debug/tracing/events"))
		k->tracefs = "/sys/kernel/debug/tracing";
#if defined(__x86_64__)
	strcpy(k->syscall_prefix, "__x64_sys_");
#elif defined(__aarch64__)
	strcpy(k->syscall_prefix, "__arm64_sys_");
#else
	strcpy(k->syscall_prefix, "sys_");
#endif
	load_ftrace_funcs(k);
	k->error_injection = "/sys/kernel/debug/error_injection/list";
	k->override_return =
		hornet_has(features, HORNET_FEAT_KPROBE) &&
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_override_return, NULL) > 0;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The functions ftrace can patch (fentry, kprobe.multi), when the kernel
 * lets us read the list: a function missing there cannot take fentry. */
static void load_ftrace_funcs(struct hornet_kernel *k)
{
	char path[256], line[256];
	size_t cap = 0;
	FILE *f;

	if (!k->tracefs)
		return;
	snprintf(path, sizeof(path), "%s/available_filter_functions", k->tracefs);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char **n;

		line[strcspn(line, " \t\n")] = '\0'; /* drop " [module]" */
		if (k->nr_ftrace_funcs == cap) {
			cap = cap ? cap * 2 : 65536;
			n = realloc(k->ftrace_funcs, cap * sizeof(*n));
			if (!n)
				break;
			k->ftrace_funcs = n;
		}
		k->ftrace_funcs[k->nr_ftrace_funcs] = strdup(line);
		if (k->ftrace_funcs[k->nr_ftrace_funcs])
			k->nr_ftrace_funcs++;
	}
	fclose(f);
	if (k->ftrace_funcs)
		qsort(k->ftrace_funcs, k->nr_ftrace_funcs, sizeof(char *), cmp_str);
}

/* true when fentry can attach to @fn, or when the kernel does not say */
static bool ftrace_patchable(const struct hornet_kernel *k, const char *fn)
{
	if (!k->ftrace_funcs)
		return true;
	return bsearch(&fn, k->ftrace_funcs, k->nr_ftrace_funcs, sizeof(char *), cmp_str) != NULL;
}

void hornet_kernel_drop_btf(struct hornet_kernel *k)
{
	if (k->btf_foreign)
		return; /* another kernel's: kept until hornet_kernel_fini() */
	hornet_kbtf_put(k->btf);
	k->btf = NULL;
}

void hornet_kernel_fini(struct hornet_kernel *k)
{
	size_t i;

	if (k->btf_foreign)
		btf__free(k->btf);
	else
		hornet_kbtf_put(k->btf);
	k->btf = NULL;
	hornet_kernel_btf_cleanup(k);
	for (i = 0; i < k->nr_ftrace_funcs; i++)
		free(k->ftrace_funcs[i]);
	free(k->ftrace_funcs);
	k->ftrace_funcs = NULL;
	k->nr_ftrace_funcs = 0;
}

/* The BTF function prototype of @name, or NULL. */
static const struct btf_type *func_proto(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	int id;

	if (!btf)
		return NULL;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	return t ? btf__type_by_id(btf, t->type) : NULL;
}

/* The prototype of a BTF tracepoint: typedef btf_trace_X = void (*)(void *, args...) */
static const struct btf_type *tp_proto(const struct btf *btf, const char *event)
{
	char name[192];
	const struct btf_type *t;
	int id;

	if (!btf)
		return NULL;
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL; /* pointer */
	return t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
}

/* Is @fn on the kernel's error-injection list (bpf_override_return, fmod_ret)? */
static bool error_injectable(const struct hornet_kernel *k, const char *fn)
{
	char line[256];
	size_t n = strlen(fn);
	bool found = false;
	FILE *f;

	f = k->error_injection ? fopen(k->error_injection, "re") : NULL;
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, fn, n) && isspace((unsigned char)line[n]);
	fclose(f);
	return found;
}

static const char *feat_reason(const struct hornet_kernel *k, enum hornet_feature f)
{
	return k->features.detail[f][0] ? k->features.detail[f] : "not available";
}

/* ---- tracepoint format files ---- */

struct tp_field {
	char decl[128];
	unsigned int offset, size;
	bool is_signed;
};

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *out_id);

/* btf_dump's output, into the field being described (@ctx: a char ** to its decl) */
static void tp_decl(void *ctx, const char *fmt, va_list args)
{
	char *decl = *(char **)ctx;
	size_t len = strlen(decl), size = sizeof(((struct tp_field *)0)->decl);

	if (len < size - 1)
		vsnprintf(decl + len, size - len, fmt, args);
}

/* Member @m (at @offset bytes) of a trace_event_raw_ struct as its format file shows it. */
static void btf_tp_field(const struct btf *btf, struct btf_dump *d, char **cur,
			 const struct btf_member *m, const char *prefix, unsigned int offset,
			 struct tp_field *out)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, o);
	const char *name = btf__name_by_offset(btf, m->name_off);
	__s64 size = btf__resolve_size(btf, m->type);
	const struct btf_type *t;
	char field[96];
	__u32 id;

	out->decl[0] = '\0';
	out->offset = offset;
	out->size = size > 0 ? size : 0;
	t = skip_mods(btf, m->type, &id);
	out->is_signed = t && btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED);
	if (!strncmp(name, "__data_loc_", 11)) {
		snprintf(out->decl, sizeof(out->decl), "__data_loc char[] %s", name + 11);
		return;
	}
	snprintf(field, sizeof(field), "%s%s", prefix, name);
	o.field_name = field;
	*cur = out->decl;
	if (btf_dump__emit_type_decl(d, m->type, &o))
		snprintf(out->decl, sizeof(out->decl), "? %s", field);
}

/*
 * A tracepoint's fields from another kernel's BTF (policy check --btf):
 * struct trace_event_raw_@event, whose first member is the common header
 * (struct trace_entry, its fields named common_*) and whose last, __data,
 * holds the strings. The subsystem is not in BTF: the event's name alone.
 */
static int btf_tp_fields(const struct hornet_kernel *k, const char *event, struct tp_field *out,
			 int max)
{
	const struct btf_type *t, *ent;
	const struct btf_member *m;
	struct btf_dump *d;
	char name[192], *cur = NULL;
	int id, n = 0, i, j;

	snprintf(name, sizeof(name), "trace_event_raw_%s", event);
	id = btf__find_by_name_kind(k->btf, name, BTF_KIND_STRUCT);
	if (id <= 0)
		return -ENOENT;
	d = btf_dump__new(k->btf, tp_decl, &cur, NULL);
	if (!d)
		return -errno;
	t = btf__type_by_id(k->btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t) && n < max; i++) {
		const char *mname = btf__name_by_offset(k->btf, m[i].name_off);

		if (!strcmp(mname, "__data"))
			continue;
		ent = !strcmp(mname, "ent") ? btf__type_by_id(k->btf, m[i].type) : NULL;
		if (!ent || !btf_is_struct(ent)) {
			btf_tp_field(k->btf, d, &cur, &m[i], "", btf_member_bit_offset(t, i) / 8,
				     &out[n++]);
			continue;
		}
		for (j = 0; j < btf_vlen(ent) && n < max; j++)
			btf_tp_field(k->btf, d, &cur, &btf_members(ent)[j], "common_",
				     (btf_member_bit_offset(t, i) + btf_member_bit_offset(ent, j)) /
					     8,
				     &out[n++]);
	}
	btf_dump__free(d);
	return n;
}

/* Reads events/@subsys/@event/format; returns the number of fields or -errno. */
static int tp_fields(const struct hornet_kernel *k, const char *subsys, const char *event,
		     struct tp_field *out, int max)
{
	char path[512], line[512];
	int n = 0;
	FILE *f;

	if (!k->tracefs)
		return -ENOENT;
	if (strchr(subsys, '/') || strchr(event, '/') || strstr(subsys, "..") ||
	    strstr(event, ".."))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", k->tracefs, subsys, event);
	f = fopen(path, "re");
	if (!f && k->tp_from_btf && strcmp(subsys, "syscalls"))
		return btf_tp_fields(k, event, out, max);
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < max) {
		char *fld = strstr(line, "field:"), *semi;
		struct tp_field *t = &out[n];
		unsigned int s = 0;

		if (!fld)
			continue;
		fld += 6;
		semi = strchr(fld, ';');
		if (!semi)
			continue;
		snprintf(t->decl, sizeof(t->decl), "%.*s", (int)(semi - fld), fld);
		if (sscanf(semi, "; offset:%u; size:%u; signed:%u", &t->offset, &t->size, &s) != 3)
			continue;
		t->is_signed = s;
		n++;
	}
	fclose(f);
	return n;
}

/* ---- argument specs ---- */

static enum hornet_gen_type gen_type(enum hornet_arg_type t, uint16_t *size, uint8_t *flags)
{
	*size = 8;
	switch (t) {
	case HORNET_ARG_INT:
		*size = 4;
		*flags |= HORNET_SPEC_SIGNED;
		return HORNET_GT_INT;
	case HORNET_ARG_CAPABILITY:
	case HORNET_ARG_BPF_CMD:
		*size = 4;
		*flags |= HORNET_SPEC_SIGNED;
		return HORNET_GT_INT;
	case HORNET_ARG_UINT32:
		*size = 4;
		return HORNET_GT_INT;
	case HORNET_ARG_INT8:
		*size = 1;
		*flags |= HORNET_SPEC_SIGNED;
		return HORNET_GT_INT;
	case HORNET_ARG_UINT8:
		*size = 1;
		return HORNET_GT_INT;
	case HORNET_ARG_INT16:
		*size = 2;
		*flags |= HORNET_SPEC_SIGNED;
		return HORNET_GT_INT;
	case HORNET_ARG_UINT16:
		*size = 2;
		return HORNET_GT_INT;
	case HORNET_ARG_INT64:
		*flags |= HORNET_SPEC_SIGNED;
		return HORNET_GT_INT;
	case HORNET_ARG_UINT64:
	case HORNET_ARG_SIZE_T:
	case HORNET_ARG_SYSCALL64:
		return HORNET_GT_INT;
	case HORNET_ARG_STRING:
		return HORNET_GT_STRING;
	case HORNET_ARG_CHAR_BUF:
	case HORNET_ARG_CONST_BUF:
		return HORNET_GT_BUF;
	case HORNET_ARG_FD:
		return HORNET_GT_FD;
	case HORNET_ARG_FILE:
		return HORNET_GT_FILE;
	case HORNET_ARG_PATH:
		return HORNET_GT_PATH;
	case HORNET_ARG_DENTRY:
		return HORNET_GT_DENTRY;
	case HORNET_ARG_FILENAME:
		return HORNET_GT_FILENAME;
	case HORNET_ARG_LINUX_BINPRM:
		return HORNET_GT_BINPRM;
	case HORNET_ARG_KIOCB:
		return HORNET_GT_KIOCB;
	case HORNET_ARG_SOCK:
		return HORNET_GT_SOCK;
	case HORNET_ARG_SOCKET:
		return HORNET_GT_SOCKET;
	case HORNET_ARG_SKB:
		return HORNET_GT_SKB;
	case HORNET_ARG_SOCKADDR:
		return HORNET_GT_SOCKADDR;
	case HORNET_ARG_NET_DEVICE:
		return HORNET_GT_NETDEV;
	case HORNET_ARG_CRED:
		return HORNET_GT_CRED;
	case HORNET_ARG_KERNEL_CAP_T:
	case HORNET_ARG_CAP_INHERITABLE:
	case HORNET_ARG_CAP_PERMITTED:
	case HORNET_ARG_CAP_EFFECTIVE:
		return HORNET_GT_CAPS;
	case HORNET_ARG_USER_NAMESPACE:
		return HORNET_GT_USER_NS;
	case HORNET_ARG_BPF_ATTR:
		return HORNET_GT_BPF_ATTR;
	case HORNET_ARG_BPF_MAP:
		return HORNET_GT_BPF_MAP;
	case HORNET_ARG_BPF_PROG:
		return HORNET_GT_BPF_PROG;
	case HORNET_ARG_PERF_EVENT:
		return HORNET_GT_PERF_EVENT;
	case HORNET_ARG_MODULE:
		return HORNET_GT_MODULE;
	case HORNET_ARG_LOAD_INFO:
		return HORNET_GT_LOAD_INFO;
	case HORNET_ARG_CHAR_IOVEC:
		return HORNET_GT_IOVEC;
	case HORNET_ARG_IOV_ITER:
		return HORNET_GT_IOV_ITER;
	case HORNET_ARG_SOCKADDR_UN:
		return HORNET_GT_SOCKADDR_UN;
	case HORNET_ARG_DATA_LOC:
		return HORNET_GT_DATALOC;
	default:
		return HORNET_GT_NOP;
	}
}

/* Types whose raw value is a pointer into the caller's memory for a syscall. */
static bool user_pointer_type(enum hornet_gen_type t)
{
	return t == HORNET_GT_STRING || t == HORNET_GT_BUF || t == HORNET_GT_SOCKADDR ||
	       t == HORNET_GT_BPF_ATTR || t == HORNET_GT_IOVEC || t == HORNET_GT_SOCKADDR_UN;
}

/* Skips typedefs and qualifiers. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

/* A kernel without bpf_loop() (before 5.17), where the policy engine's
 * bounded build runs (bpf/lib/compat.bpf.h) */
static bool bounded_kernel(const struct hornet_kernel *k)
{
	return k->features.probed[HORNET_FEAT_BPF_LOOP] &&
	       !hornet_has(&k->features, HORNET_FEAT_BPF_LOOP);
}

/* Whether an fentry program of a kernel without bpf_get_func_arg() may read
 * a value of type @id from its context: see ctx_args_readable(). */
static bool ctx_type_readable(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = skip_mods(btf, id, NULL);

	if (!id || !t || btf_is_int(t) || btf_is_any_enum(t))
		return true;
	if (!btf_is_ptr(t))
		return false;
	if (!t->type) /* void * */
		return true;
	t = skip_mods(btf, t->type, NULL);
	if (t && btf_is_int(t) && t->size == 1) /* char * */
		return true;
	return t && btf_is_composite(t);
}

/*
 * Before 5.17 there is neither bpf_loop() (hornet then loads its bounded
 * programs, bpf/lib/compat.bpf.h) nor bpf_get_func_arg(): fentry, fexit and
 * fmod_ret programs read arguments and the return value straight from
 * their context, which those verifiers allow only for scalars, void and
 * char pointers and pointers to structs (btf_ctx_access()). A function
 * with another (a pointer to a struct BTF only declares, as some syscall
 * wrappers' struct pt_regs in 5.10, to an int, to a pointer), or a return
 * after more than 6 arguments, goes to a kprobe instead.
 */
static bool ctx_args_readable(const struct hornet_kernel *k, const struct btf_type *proto, bool ret)
{
	const struct btf_param *p;
	unsigned int i;

	if (!proto || !k->btf || !bounded_kernel(k))
		return true;
	if (ret && btf_vlen(proto) > 6) /* the return follows the 7th argument: read as the 7th */
		return false;
	p = btf_params(proto);
	for (i = 0; i < btf_vlen(proto) && i < 6; i++)
		if (!ctx_type_readable(k->btf, p[i].type))
			return false;
	return !ret || ctx_type_readable(k->btf, proto->type);
}

/*
 * Finds member @name in struct/union *@t, looking inside unnamed struct and
 * union members too (struct mm_struct keeps most of its fields in one);
 * adds its offset to *@off and moves *@t to its type.
 */
static bool find_member(const struct btf *btf, const struct btf_type **t, __u32 *id,
			const char *name, unsigned int *off)
{
	const struct btf_member *m = btf_members(*t);
	unsigned int i, inner;

	for (i = 0; i < btf_vlen(*t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt;
		__u32 mid;

		if (n && n[0]) {
			if (strcmp(n, name))
				continue;
			*off += btf_member_bit_offset(*t, i) / 8;
			*t = skip_mods(btf, m->type, id);
			return true;
		}
		mt = skip_mods(btf, m->type, &mid);
		if (!mt || !(btf_is_struct(mt) || btf_is_union(mt)))
			continue;
		inner = 0;
		if (find_member(btf, &mt, &mid, name, &inner)) {
			*off += btf_member_bit_offset(*t, i) / 8 + inner;
			*t = mt;
			*id = mid;
			return true;
		}
	}
	return false;
}

static int resolve_path(const struct hornet_kernel *k, const struct btf_type *t, __u32 id,
			const char *path, struct hornet_gen_spec *sp, char *err, size_t err_size);

/*
 * data[] with source current_task: @path from the calling task's struct
 * task_struct (cred.uid.val, loginuid.val), read in any tracing program.
 */
static int plan_task_data(const struct hornet_kernel *k, const struct hornet_arg *a,
			  struct hornet_gen_spec *sp, char *err, size_t err_size)
{
	__s32 id;

	if (!k->btf) {
		snprintf(err, err_size, "data source current_task: needs the kernel's BTF");
		return -EOPNOTSUPP;
	}
	id = btf__find_by_name_kind(k->btf, "task_struct", BTF_KIND_STRUCT);
	if (id < 0) {
		snprintf(err, err_size, "data source current_task: no struct task_struct in BTF");
		return -ENOENT;
	}
	sp->src = HORNET_SRC_TASK;
	sp->index = 0;
	return resolve_path(k, btf__type_by_id(k->btf, id), id, a->resolve, sp, err, err_size);
}

/*
 * "resolve": a BTF field path from the argument's struct, e.g.
 * "f_path.dentry" from a struct file *, into the spec's steps.
 */
static int plan_resolve(const struct hornet_kernel *k, const struct btf_type *proto,
			unsigned int index, const char *path, struct hornet_gen_spec *sp, char *err,
			size_t err_size)
{
	const struct btf_param *params;
	const struct btf_type *t;
	__u32 id;

	if (!k->btf || !proto) {
		snprintf(err, err_size, "resolve '%s': needs the kernel's BTF for the function",
			 path);
		return -EOPNOTSUPP;
	}
	if (index >= btf_vlen(proto)) {
		snprintf(err, err_size, "resolve '%s': the function has no argument %u", path,
			 index);
		return -EINVAL;
	}
	params = btf_params(proto);
	t = skip_mods(k->btf, params[index].type, &id);
	if (!t || !btf_is_ptr(t)) {
		snprintf(err, err_size, "resolve '%s': argument %u is not a pointer to a struct",
			 path, index);
		return -EINVAL;
	}
	t = skip_mods(k->btf, t->type, &id);
	return resolve_path(k, t, id, path, sp, err, err_size);
}

/* The steps of @path from struct @t (type @id) into @sp. */
static int resolve_path(const struct hornet_kernel *k, const struct btf_type *t, __u32 id,
			const char *path, struct hornet_gen_spec *sp, char *err, size_t err_size)
{
	char copy[256], *comp, *save = NULL;
	unsigned int off = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	sp->nr_resolve = 0;
	for (comp = strtok_r(copy, ".", &save); comp; comp = strtok_r(NULL, ".", &save)) {
		bool found, last;

		if (!t || !(btf_is_struct(t) || btf_is_union(t))) {
			snprintf(err, err_size, "resolve '%s': '%s' is not inside a struct", path,
				 comp);
			return -EINVAL;
		}
		found = find_member(k->btf, &t, &id, comp, &off);
		if (!found) {
			snprintf(
				err, err_size, "resolve '%s': no field '%s' in struct %s", path,
				comp,
				btf__name_by_offset(k->btf, btf__type_by_id(k->btf, id)->name_off));
			return -EINVAL;
		}
		last = !save || !*save;
		if (!last && t && btf_is_ptr(t)) {
			if (sp->nr_resolve == HORNET_GEN_MAX_RESOLVE) {
				snprintf(err, err_size, "resolve '%s': more than %d pointers", path,
					 HORNET_GEN_MAX_RESOLVE);
				return -E2BIG;
			}
			sp->resolve[sp->nr_resolve++] = off;
			off = 0;
			t = skip_mods(k->btf, t->type, &id);
		} else if (last) {
			if (t && (btf_is_struct(t) || btf_is_union(t))) {
				sp->resolve_add = off; /* the embedded struct's address */
			} else {
				if (sp->nr_resolve == HORNET_GEN_MAX_RESOLVE) {
					snprintf(err, err_size,
						 "resolve '%s': more than %d pointers", path,
						 HORNET_GEN_MAX_RESOLVE);
					return -E2BIG;
				}
				sp->resolve[sp->nr_resolve++] = off;
			}
		}
	}
	return 0;
}

/* The spec of one argument. @field is the tracepoint's field for it, if any. */
static int plan_arg(const struct hornet_kernel *k, struct hornet_plan_hook *ph,
		    const struct hornet_arg *a, const struct btf_type *proto,
		    const struct tp_field *field, bool user_memory, struct hornet_plan_arg *out,
		    char *err, size_t err_size)
{
	struct hornet_gen_spec *sp = &out->spec;
	enum hornet_arg_type type = a->type;

	memset(out, 0, sizeof(*out));
	out->arg = a;
	if (field && strstr(field->decl, "__data_loc")) {
		/* a string kept in the record, after its fixed fields: read as
		 * Tetragon does, as a string (type auto, string or data_loc) */
		if (type != HORNET_ARG_AUTO && type != HORNET_ARG_STRING &&
		    type != HORNET_ARG_DATA_LOC) {
			snprintf(err, err_size,
				 "argument %u: tracepoint field '%s' is a __data_loc string; "
				 "read it as type string (or leave the type out)",
				 a->index, field->decl);
			return -EINVAL;
		}
		type = HORNET_ARG_DATA_LOC;
	} else if (type == HORNET_ARG_DATA_LOC) {
		snprintf(err, err_size,
			 "argument %u: type data_loc is for the __data_loc fields of tracepoints",
			 a->index);
		return -EINVAL;
	}
	if (type == HORNET_ARG_AUTO && field) {
		/* from the format file: a char pointer is a string, the rest integers */
		if (strstr(field->decl, "char *") || strstr(field->decl, "char*"))
			type = HORNET_ARG_STRING;
		else if (field->size == 8)
			type = field->is_signed ? HORNET_ARG_INT64 : HORNET_ARG_UINT64;
		else if (field->size == 2)
			type = field->is_signed ? HORNET_ARG_INT16 : HORNET_ARG_UINT16;
		else if (field->size == 1)
			type = field->is_signed ? HORNET_ARG_INT8 : HORNET_ARG_UINT8;
		else
			type = field->is_signed ? HORNET_ARG_INT : HORNET_ARG_UINT32;
	}
	sp->type = gen_type(type, &sp->size, &sp->flags);
	sp->size_spec = 0xff;
	sp->dirfd_arg = 0xff;
	sp->max_data = a->max_data;
	if (a->return_copy)
		sp->flags |= HORNET_SPEC_RETCOPY;
	if (a->current_task)
		return plan_task_data(k, a, sp, err, err_size);
	if (field) {
		sp->src = HORNET_SRC_TP_FIELD;
		sp->index = field->offset;
		if (sp->type == HORNET_GT_INT && field->size < 8 && field->size > 0 &&
		    a->type == HORNET_ARG_AUTO)
			sp->size = field->size;
		/* the raw read takes the field's size; wider types see zero-extension */
		sp->field_size = field->size;
	} else {
		sp->src = ph->syscall && ph->mech != HORNET_MECH_TP_BTF &&
					  ph->mech != HORNET_MECH_RAW_TP
				  ? HORNET_SRC_SYSCALL
				  : HORNET_SRC_ARG;
		sp->index = a->index;
		if (a->index >= 6) {
			snprintf(err, err_size, "argument %u: hornet reads the first 6 arguments",
				 a->index);
			return -EINVAL;
		}
	}
	if (user_memory && user_pointer_type(sp->type))
		sp->flags |= HORNET_SPEC_USER;
	/* a cgroup/sendmsg program has the destination in its context */
	if (a->resolve && ph->mech != HORNET_MECH_CGROUP_SENDMSG)
		return plan_resolve(k, proto, a->index, a->resolve, sp, err, err_size);
	return 0;
}

/*
 * The path arguments of path syscalls, with the argument holding their
 * directory fd (-1: relative to the cwd). Their string is made absolute in
 * the kernel, so "cd /etc; cat shadow" is reported, and matched, as
 * /etc/shadow.
 */
static const struct {
	const char *name;
	signed char path, dirfd;
} path_args[] = {
	{ "open", 0, -1 },	  { "openat", 1, 0 },
	{ "openat2", 1, 0 },	  { "creat", 0, -1 },
	{ "unlink", 0, -1 },	  { "unlinkat", 1, 0 },
	{ "rmdir", 0, -1 },	  { "mkdir", 0, -1 },
	{ "mkdirat", 1, 0 },	  { "rename", 0, -1 },
	{ "rename", 1, -1 },	  { "renameat", 1, 0 },
	{ "renameat", 3, 2 },	  { "renameat2", 1, 0 },
	{ "renameat2", 3, 2 },	  { "link", 0, -1 },
	{ "link", 1, -1 },	  { "linkat", 1, 0 },
	{ "linkat", 3, 2 },	  { "symlink", 1, -1 },
	{ "symlinkat", 2, 1 },	  { "chmod", 0, -1 },
	{ "fchmodat", 1, 0 },	  { "fchmodat2", 1, 0 },
	{ "chown", 0, -1 },	  { "lchown", 0, -1 },
	{ "fchownat", 1, 0 },	  { "truncate", 0, -1 },
	{ "execve", 0, -1 },	  { "execveat", 1, 0 },
	{ "mknod", 0, -1 },	  { "mknodat", 1, 0 },
	{ "access", 0, -1 },	  { "faccessat", 1, 0 },
	{ "faccessat2", 1, 0 },	  { "chdir", 0, -1 },
	{ "chroot", 0, -1 },	  { "readlink", 0, -1 },
	{ "readlinkat", 1, 0 },	  { "utimensat", 1, 0 },
	{ "mount", 1, -1 },	  { "umount2", 0, -1 },
	{ "setxattr", 0, -1 },	  { "lsetxattr", 0, -1 },
	{ "removexattr", 0, -1 }, { "name_to_handle_at", 1, 0 },
	{ "statx", 1, 0 },	  { "newfstatat", 1, 0 },
};

static void mark_path_args(struct hornet_plan_hook *ph)
{
	const char *call = syscall_base(ph->function_name);
	size_t i, j;

	if (!ph->syscall)
		return;
	for (i = 0; i < sizeof(path_args) / sizeof(path_args[0]); i++) {
		if (strcmp(path_args[i].name, call))
			continue;
		for (j = 0; j < ph->nr_args; j++) {
			struct hornet_gen_spec *sp = &ph->args[j].spec;

			if (sp->type != HORNET_GT_STRING ||
			    (int)ph->args[j].arg->index != path_args[i].path)
				continue;
			sp->flags |= HORNET_SPEC_FULLPATH;
			/* the syscall argument number here; compile makes it a spec index */
			sp->dirfd_arg = path_args[i].dirfd < 0 ? 0xff : path_args[i].dirfd;
		}
	}
}

/* Fills the specs of every argument (and the return value) of @ph. */
static int plan_args(const struct hornet_kernel *k, struct hornet_plan_hook *ph,
		     const struct btf_type *proto, const struct tp_field *fields, int nr_fields,
		     bool syscall_tp, char *err, size_t err_size)
{
	const struct hornet_hook *h = ph->hook;
	struct tp_field sysfield = {};
	size_t i, j;
	int ret;

	ph->nr_args = 0;
	for (i = 0; i < h->nr_args + h->nr_data; i++) {
		const struct hornet_arg *a =
			i < h->nr_args ? &h->args[i] : &h->data[i - h->nr_args];
		const struct tp_field *field = NULL;
		bool user = ph->syscall || ph->mech == HORNET_MECH_UPROBE ||
			    ph->mech == HORNET_MECH_USDT;

		if (a->current_task) {
			/* no argument: the task's fields, whatever the hook */
		} else if (fields) {
			if (syscall_tp) {
				/* syscall N's argument i is the record's unsigned long at 16 + 8i */
				sysfield.offset = 16 + 8 * a->index;
				sysfield.size = 8;
				if (a->index >= 6) {
					snprintf(err, err_size,
						 "argument %u: syscalls have at most 6 arguments",
						 a->index);
					return -EINVAL;
				}
				field = &sysfield;
			} else {
				if ((int)a->index >= nr_fields) {
					snprintf(err, err_size,
						 "args index %u: the tracepoint has %d fields (0 "
						 "to %d)",
						 a->index, nr_fields, nr_fields - 1);
					return -EINVAL;
				}
				field = &fields[a->index];
				user = !strcmp(h->subsystem ? h->subsystem : "", "syscalls");
			}
		} else if (proto && a->index >= btf_vlen(proto) && !ph->syscall) {
			snprintf(err, err_size, "args index %u: %s has %u arguments", a->index,
				 ph->target, btf_vlen(proto));
			return -EINVAL;
		}
		ret = plan_arg(k, ph, a, proto, field, user, &ph->args[ph->nr_args], err, err_size);
		if (ret)
			return ret;
		ph->nr_args++;
	}
	/* char_buf sizes: sizeArgIndex is 1-based over the function's arguments */
	for (i = 0; i < ph->nr_args; i++) {
		const struct hornet_arg *a = ph->args[i].arg;

		if (!a->size_arg_index)
			continue;
		for (j = 0; j < ph->nr_args; j++)
			if (ph->args[j].arg->index == a->size_arg_index - 1)
				ph->args[i].spec.size_spec = j;
		if (ph->args[i].spec.size_spec == 0xff && !a->return_copy) {
			snprintf(err, err_size,
				 "args index %u: sizeArgIndex %u names no argument in args[] (add "
				 "it "
				 "with type int)",
				 a->index, a->size_arg_index);
			return -EINVAL;
		}
	}
	if (h->return_arg.type != HORNET_ARG_NONE) {
		ret = plan_arg(k, ph, &h->return_arg, NULL, NULL, false, &ph->ret, err, err_size);
		if (ret)
			return ret;
		ph->ret.spec.src = HORNET_SRC_RET;
		ph->has_ret = true;
	}
	mark_path_args(ph);
	return 0;
}

static bool wants_override(const struct hornet_hook *h)
{
	size_t s, a;

	for (s = 0; s < h->nr_selectors; s++)
		for (a = 0; a < h->selectors[s].nr_actions; a++)
			if (h->selectors[s].actions[a].action == HORNET_ACTION_OVERRIDE)
				return true;
	return false;
}

static int add_hook(struct hornet_plan *plan, const struct hornet_plan_hook *ph)
{
	struct hornet_plan_hook *n = realloc(plan->hooks, (plan->nr_hooks + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	plan->hooks = n;
	plan->hooks[plan->nr_hooks++] = *ph;
	return 0;
}

static bool substr_op(const struct hornet_match_arg *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].op == HORNET_OP_SUBSTRING || a[i].op == HORNET_OP_SUBSTRING_IGNCASE)
			return true;
	return false;
}

/*
 * What the bounded policy engine of kernels without bpf_loop() (before
 * 5.17) cannot run, as a message in @msg; 0 when @h fits. A SubString
 * search tries every place of a 255-byte string, a loop the verifier would
 * walk step by step past its limit.
 */
static int bounded_unfit(const struct hornet_kernel *k, const struct hornet_hook *h, char *msg,
			 size_t size)
{
	if (!bounded_kernel(k))
		return 0;
	for (size_t j = 0; j < h->nr_selectors; j++) {
		const struct hornet_selector *s = &h->selectors[j];

		if (substr_op(s->args, s->nr_args) || substr_op(s->data_args, s->nr_data_args) ||
		    substr_op(s->return_args, s->nr_return_args)) {
			snprintf(msg, size,
				 "selectors[%zu]: SubString and SubStringIgnCase need bpf_loop() "
				 "(Linux 5.17), which this kernel lacks (%s)",
				 j, feat_reason(k, HORNET_FEAT_BPF_LOOP));
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static const char *hook_where(const struct hornet_hook *h, char *buf, size_t size)
{
	snprintf(buf, size, "spec.%s[%u] '%s'", hornet_hook_kind_name(h->kind), h->index,
		 h->call ? h->call : "");
	return buf;
}

/* Functions on the connect(2) path: a cgroup/connect program sees the same calls. */
static bool connect_function(const char *fn)
{
	static const char *const names[] = {
		"tcp_connect",		 "tcp_v4_connect",
		"tcp_v6_connect",	 "security_socket_connect",
		"inet_stream_connect",	 "__sys_connect",
		"__inet_stream_connect",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(fn, names[i]))
			return true;
	return !strcmp(syscall_base(fn), "connect") && strstr(fn, "sys_");
}

/*
 * Functions a UDP datagram's sendmsg(2), sendto(2) or sendmmsg(2) goes
 * through: a cgroup/sendmsg program sees the same sends, with their
 * destination (an unconnected socket's never reaches connect).
 */
static bool sendmsg_function(const char *fn)
{
	return !strcmp(fn, "security_socket_sendmsg") || !strcmp(fn, "udp_sendmsg") ||
	       !strcmp(fn, "udpv6_sendmsg");
}

/*
 * What a cgroup/connect (or sendmsg) program can do: return why not, or
 * NULL. On sendmsg a sockaddr argument is the datagram's destination, which
 * a tracing hook reads from the msghdr (resolve: msg_name) and the program
 * from its context.
 */
static const char *cgroup_connect_unfit(const struct hornet_hook *h, bool sendmsg)
{
	size_t s, i, a;

	for (i = 0; i < h->nr_args; i++) {
		enum hornet_arg_type t = h->args[i].type;

		if (t != HORNET_ARG_SOCK && t != HORNET_ARG_SOCKET && t != HORNET_ARG_SOCKADDR &&
		    t != HORNET_ARG_INT && t != HORNET_ARG_NOP)
			return "its arguments can only be sock, socket, sockaddr or int";
		if (h->args[i].resolve && !(sendmsg && t == HORNET_ARG_SOCKADDR))
			return "resolve needs kernel memory reads";
	}
	for (i = 0; i < h->nr_data; i++)
		if (h->data[i].current_task)
			return "data from the current task needs a tracing hook";
	if (h->ret || h->return_arg.type != HORNET_ARG_NONE)
		return "it has no return value";
	for (s = 0; s < h->nr_selectors; s++) {
		const struct hornet_selector *sel = &h->selectors[s];

		for (i = 0; i < sel->nr_args; i++) {
			switch (sel->args[i].op) {
			case HORNET_OP_SADDR:
			case HORNET_OP_NOT_SADDR:
			case HORNET_OP_SPORT:
			case HORNET_OP_NOT_SPORT:
			case HORNET_OP_DADDR:
			case HORNET_OP_NOT_DADDR:
			case HORNET_OP_DPORT:
			case HORNET_OP_NOT_DPORT:
			case HORNET_OP_DPORT_PRIV:
			case HORNET_OP_NOT_DPORT_PRIV:
			case HORNET_OP_PROTOCOL:
			case HORNET_OP_FAMILY:
			case HORNET_OP_DNS_NAME:
			case HORNET_OP_NOT_DNS_NAME:
				break;
			default:
				return "its selectors can only match addresses, ports, protocol, "
				       "family and DNS names";
			}
		}
		if (sel->nr_data_args)
			return "matchData needs a tracing hook";
		if (sel->nr_ns || sel->nr_caps || sel->nr_ns_changes || sel->nr_cap_changes ||
		    sel->nr_return_args)
			return "namespaces, capabilities and return values need a tracing hook";
		for (i = 0; i < sel->nr_pids; i++)
			if (sel->pids[i].is_namespace_pid)
				return "isNamespacePID needs a tracing hook";
		for (i = 0; i < sel->nr_binaries; i++)
			if (sel->binaries[i].op == HORNET_OP_POSTFIX ||
			    sel->binaries[i].op == HORNET_OP_NOT_POSTFIX)
				return "matchBinaries Postfix needs a tracing hook";
		for (i = 0; i < sel->nr_parent_binaries; i++)
			if (sel->parent_binaries[i].op == HORNET_OP_POSTFIX ||
			    sel->parent_binaries[i].op == HORNET_OP_NOT_POSTFIX)
				return "matchParentBinaries Postfix needs a tracing hook";
		for (a = 0; a < sel->nr_actions; a++) {
			const struct hornet_match_action *ma = &sel->actions[a];

			if (ma->action != HORNET_ACTION_POST &&
			    ma->action != HORNET_ACTION_NOPOST &&
			    ma->action != HORNET_ACTION_OVERRIDE)
				return "its actions can only be Post, NoPost and Override (no "
				       "signals)";
			if (ma->kernel_stack || ma->user_stack)
				return "stack traces need a tracing hook";
		}
	}
	return NULL;
}

/* The cgroup the policy's option "cgroup" names (absolute, or relative to the
 * cgroup v2 mount), else the mount itself: every process. */
static int policy_cgroup(const struct hornet_policy *p, char *out, size_t size, char *err,
			 size_t err_size)
{
	char root[4096];
	struct stat st;
	size_t i;

	if (hornet_cgroup2_root(root, sizeof(root))) {
		snprintf(err, err_size, "no cgroup v2 hierarchy is mounted");
		return -ENOENT;
	}
	snprintf(out, size, "%s", root);
	for (i = 0; i < p->nr_options; i++) {
		if (strcmp(p->options_names[i], "cgroup"))
			continue;
		int n = p->options_values[i][0] == '/'
				? snprintf(out, size, "%s", p->options_values[i])
				: snprintf(out, size, "%.2048s/%.1024s", root,
					   p->options_values[i]);

		if (n < 0 || (size_t)n >= size) {
			snprintf(err, err_size, "option cgroup: path too long");
			return -ENAMETOOLONG;
		}
		if (strstr(out, "/../") || stat(out, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, err_size, "option cgroup: '%s' is not a cgroup directory",
				 p->options_values[i]);
			return -ENOENT;
		}
	}
	return 0;
}

/*
 * Whether the running kernel has syscall @name (its wrapper @fn): 1 when its
 * BTF or its traceable functions have the wrapper, or tracefs its
 * sys_enter_ tracepoint (a wrapper without arguments, SYSCALL_DEFINE0, is
 * not in BTF; umount2's is sys_umount); 0 when the kernel lets us look and
 * none has it; -1 when it lets us look nowhere (the build's table decides).
 */
static int kernel_has_syscall(const struct hornet_kernel *k, const char *name, const char *fn)
{
	char path[512];
	bool looked = false;

	if (k->btf) {
		if (func_proto(k->btf, fn))
			return 1;
		looked = true;
	}
	if (k->ftrace_funcs) {
		if (bsearch(&fn, k->ftrace_funcs, k->nr_ftrace_funcs, sizeof(char *), cmp_str))
			return 1;
		looked = true;
	}
	if (k->tracefs && !strchr(name, '/') && !strstr(name, "..")) {
		snprintf(path, sizeof(path), "%s/events/syscalls", k->tracefs);
		if (!access(path, F_OK)) {
			snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s", k->tracefs,
				 name);
			if (!access(path, F_OK))
				return 1;
			looked = true;
		}
	}
	return looked ? 0 : -1;
}

/* A kprobe (or fentry) hook on one function. */
static int plan_function(const struct hornet_kernel *k, const struct hornet_hook *h,
			 const char *call, struct hornet_plan_hook *ph, char *err, size_t err_size)
{
	const struct hornet_features *f = &k->features;
	const struct btf_type *proto;
	char fn[160], syscall[96], lsm_fn[192];
	bool override = wants_override(h);
	bool has_fentry = hornet_has(f, HORNET_FEAT_FENTRY);
	bool lsm_ok, inject_ok;
	int ret;

	ph->syscall = h->syscall;
	if (h->syscall) {
		snprintf(syscall, sizeof(syscall), "%s", syscall_base(call));
		snprintf(fn, sizeof(fn), "%s%s", k->syscall_prefix, syscall);
		ret = kernel_has_syscall(k, syscall, fn);
		if (ret < 0 ? hornet_syscall_nr(syscall) < 0 : !ret) {
			snprintf(
				err, err_size,
				hornet_syscall_nr(syscall) < 0
					? "'%s' is not a syscall of this kernel"
					: "'%s' is a syscall this kernel does not have (older than "
					  "it, or left out of its configuration)",
				call);
			return -ENOENT;
		}
	} else {
		snprintf(fn, sizeof(fn), "%s", call);
	}
	snprintf(ph->target, sizeof(ph->target), "%s", fn);
	snprintf(ph->function_name, sizeof(ph->function_name), "%s", fn);
	proto = func_proto(k->btf, fn);
	ph->nr_fn_args = proto ? btf_vlen(proto) : 6;
	if (k->btf && !proto && !h->syscall) {
		snprintf(err, err_size, "kernel function '%s' does not exist on this kernel", fn);
		return -ENOENT;
	}
	if (!ftrace_patchable(k, fn)) {
		/* a static or inlined copy: neither fentry nor kprobe attaches by name */
		snprintf(err, err_size,
			 "kernel function '%s' cannot be traced on this kernel (it is not in "
			 "available_filter_functions: inlined, or a static copy)",
			 fn);
		return -ENOENT;
	}

	/* a security_X function calls the LSM hooks of X: a BPF LSM program
	 * there denies the same way, on kernels without error injection */
	snprintf(lsm_fn, sizeof(lsm_fn), "bpf_lsm_%s", fn + (strncmp(fn, "security_", 9) ? 0 : 9));
	lsm_ok = !strncmp(fn, "security_", 9) && hornet_has(f, HORNET_FEAT_LSM) &&
		 func_proto(k->btf, lsm_fn) && !h->ret;
	inject_ok = error_injectable(k, fn) &&
		    ((hornet_has(f, HORNET_FEAT_FMOD_RET) && proto) || k->override_return);

	/*
	 * connect(2) and a UDP send: where the kernel has nothing better to
	 * observe it, or no way to deny it from a tracing hook, a cgroup/connect
	 * or cgroup/sendmsg program can.
	 */
	if ((connect_function(fn) || sendmsg_function(fn)) && k->policy &&
	    ((override && !lsm_ok && !inject_ok) ||
	     (!h->syscall && !has_fentry && !hornet_has(f, HORNET_FEAT_KPROBE)))) {
		bool sendmsg = sendmsg_function(fn);
		const char *why = cgroup_connect_unfit(h, sendmsg);

		if (!hornet_has(f, HORNET_FEAT_CGROUP)) {
			snprintf(err, err_size,
				 "'%s' needs kprobes, fentry or cgroup programs (%s)", fn,
				 feat_reason(k, HORNET_FEAT_CGROUP));
			return -EOPNOTSUPP;
		}
		if (why) {
			snprintf(err, err_size,
				 "'%s' runs here as a cgroup/%s program (this kernel has no "
				 "%s), "
				 "and %s",
				 fn, sendmsg ? "sendmsg" : "connect",
				 override ? "other way to deny it" : "kprobes or fentry", why);
			return -EOPNOTSUPP;
		}
		ph->mech = sendmsg ? HORNET_MECH_CGROUP_SENDMSG : HORNET_MECH_CGROUP_CONNECT;
		ph->override = override;
		ret = policy_cgroup(k->policy, ph->path, sizeof(ph->path), err, err_size);
		if (ret)
			return ret;
		snprintf(ph->target, sizeof(ph->target), "%.159s", ph->path);
		ph->nr_fn_args = 6;
		return plan_args(k, ph, NULL, NULL, 0, false, err, err_size);
	}
	if (override) {
		if (lsm_ok) {
			ph->mech = HORNET_MECH_LSM;
			snprintf(ph->target, sizeof(ph->target), "%s", fn + 9);
			proto = func_proto(k->btf, lsm_fn);
			ph->nr_fn_args = btf_vlen(proto);
			return plan_args(k, ph, proto, NULL, 0, false, err, err_size);
		}
		if (hornet_has(f, HORNET_FEAT_FMOD_RET) && error_injectable(k, fn) && proto &&
		    ctx_args_readable(k, proto, false)) {
			ph->mech = HORNET_MECH_FMOD_RET;
		} else if (k->override_return && error_injectable(k, fn)) {
			ph->mech = HORNET_MECH_KPROBE;
			ph->override = true;
		} else {
			snprintf(err, err_size,
				 "Override on '%s' needs fmod_ret or bpf_override_return on an "
				 "error-injectable function; this kernel has %s (use an lsmhooks "
				 "hook to deny, or Sigkill)",
				 fn,
				 !hornet_has(f, HORNET_FEAT_FMOD_RET) && !k->override_return
					 ? "neither"
					 : "them, but not for this function");
			return -EOPNOTSUPP;
		}
		if (h->ret) {
			snprintf(err, err_size, "Override and return: true cannot be combined");
			return -EINVAL;
		}
	} else if (has_fentry && proto &&
		   (ctx_args_readable(k, proto, h->ret) || !hornet_has(f, HORNET_FEAT_KPROBE))) {
		ph->mech = h->ret ? HORNET_MECH_FEXIT : HORNET_MECH_FENTRY;
	} else if (hornet_has(f, HORNET_FEAT_KPROBE)) {
		ph->mech = h->ret ? HORNET_MECH_KRETPROBE : HORNET_MECH_KPROBE;
	} else if (h->syscall && k->tracefs) {
		/* no fentry, no kprobes: the syscall's tracepoints do the same */
		struct tp_field fields[16];
		char ev[128];
		int n;

		snprintf(ev, sizeof(ev), "sys_enter_%s", syscall);
		n = tp_fields(k, "syscalls", ev, fields, 16);
		if (n < 0) {
			snprintf(err, err_size,
				 "'%s': no kprobes or fentry on this kernel, and no tracepoint "
				 "syscalls/%s to use instead",
				 fn, ev);
			return -ENOENT;
		}
		ph->mech = h->ret ? HORNET_MECH_TP_RET : HORNET_MECH_TRACEPOINT;
		snprintf(ph->target, sizeof(ph->target), "syscalls/%s", ev);
		snprintf(ph->target2, sizeof(ph->target2), "syscalls/sys_exit_%s", syscall);
		return plan_args(k, ph, NULL, fields, n, true, err, err_size);
	} else {
		snprintf(err, err_size,
			 "kernel function '%s' needs fentry or kprobes; this kernel has neither "
			 "(fentry: %s; kprobe: %s)",
			 fn, feat_reason(k, HORNET_FEAT_FENTRY),
			 feat_reason(k, HORNET_FEAT_KPROBE));
		return -EOPNOTSUPP;
	}
	if (h->kind == HORNET_HOOK_FENTRY && ph->mech != HORNET_MECH_FENTRY &&
	    ph->mech != HORNET_MECH_FEXIT && ph->mech != HORNET_MECH_FMOD_RET &&
	    ph->mech != HORNET_MECH_LSM) {
		snprintf(err, err_size, "fentries need fentry (BPF trampolines) on '%s': %s", fn,
			 !ftrace_patchable(k, fn) ? "it is not in available_filter_functions"
						  : feat_reason(k, HORNET_FEAT_FENTRY));
		return -EOPNOTSUPP;
	}
	/* a syscall wrapper's only argument is struct pt_regs *: its arguments are
	 * read from there, and BTF says nothing of them */
	return plan_args(k, ph, ph->syscall ? NULL : proto, NULL, 0, false, err, err_size);
}

static int plan_lsm(const struct hornet_kernel *k, const struct hornet_hook *h,
		    struct hornet_plan_hook *ph, char *err, size_t err_size)
{
	const struct hornet_features *f = &k->features;
	const struct btf_type *proto;
	char fn[192];

	snprintf(fn, sizeof(fn), "bpf_lsm_%s", h->call);
	proto = func_proto(k->btf, fn);
	if (k->btf && !proto) {
		snprintf(err, err_size, "'%s' is not an LSM hook of this kernel", h->call);
		return -ENOENT;
	}
	snprintf(ph->function_name, sizeof(ph->function_name), "security_%s", h->call);
	ph->nr_fn_args = proto ? btf_vlen(proto) : 6;
	if (hornet_has(f, HORNET_FEAT_LSM)) {
		ph->mech = HORNET_MECH_LSM;
		snprintf(ph->target, sizeof(ph->target), "%s", h->call);
	} else if (wants_override(h)) {
		snprintf(err, err_size,
			 "Override on LSM hook '%s' needs BPF LSM; this kernel has none (%s)",
			 h->call, feat_reason(k, HORNET_FEAT_LSM));
		return -EOPNOTSUPP;
	} else if (hornet_has(f, HORNET_FEAT_FENTRY) || hornet_has(f, HORNET_FEAT_KPROBE)) {
		/* observe only, on the security_ function that calls the hook */
		snprintf(ph->target, sizeof(ph->target), "security_%s", h->call);
		proto = func_proto(k->btf, ph->target);
		ph->mech = proto && hornet_has(f, HORNET_FEAT_FENTRY) ? HORNET_MECH_FENTRY
								      : HORNET_MECH_KPROBE;
		if (ph->mech == HORNET_MECH_KPROBE && !hornet_has(f, HORNET_FEAT_KPROBE)) {
			snprintf(err, err_size, "'%s' has no BTF for fentry and kprobes are absent",
				 ph->target);
			return -EOPNOTSUPP;
		}
	} else {
		snprintf(err, err_size,
			 "LSM hook '%s' needs BPF LSM, fentry or kprobes; this kernel has none "
			 "(lsm: %s)",
			 h->call, feat_reason(k, HORNET_FEAT_LSM));
		return -EOPNOTSUPP;
	}
	return plan_args(k, ph, proto, NULL, 0, false, err, err_size);
}

static int plan_tracepoint(const struct hornet_kernel *k, const struct hornet_hook *h,
			   struct hornet_plan_hook *ph, char *err, size_t err_size)
{
	const struct hornet_features *f = &k->features;
	struct tp_field fields[64];
	const struct btf_type *proto;
	int n;

	snprintf(ph->target, sizeof(ph->target), "%s/%s", h->subsystem, h->event);
	snprintf(ph->function_name, sizeof(ph->function_name), "%s", h->event);
	if (wants_override(h)) {
		snprintf(err, err_size, "Override does not apply to tracepoints (use Sigkill)");
		return -EINVAL;
	}
	if (h->raw) {
		proto = tp_proto(k->btf, h->event);
		if (!proto) {
			snprintf(err, err_size, "no BTF tracepoint '%s' on this kernel", h->event);
			return -ENOENT;
		}
		/* the first parameter is the tracepoint's own context */
		ph->nr_fn_args = btf_vlen(proto) - 1;
		if (hornet_has(f, HORNET_FEAT_TP_BTF) &&
		    (ctx_args_readable(k, proto, false) || !hornet_has(f, HORNET_FEAT_RAW_TP)))
			ph->mech = HORNET_MECH_TP_BTF;
		else if (hornet_has(f, HORNET_FEAT_RAW_TP))
			ph->mech = HORNET_MECH_RAW_TP;
		else {
			snprintf(err, err_size, "raw tracepoints do not work on this kernel (%s)",
				 feat_reason(k, HORNET_FEAT_RAW_TP));
			return -EOPNOTSUPP;
		}
		snprintf(ph->target, sizeof(ph->target), "%s", h->event);
		/* plan_args checks indexes against the prototype, shifted by one */
		for (size_t i = 0; i < h->nr_args; i++) {
			if (h->args[i].index >= ph->nr_fn_args) {
				snprintf(err, err_size,
					 "args index %u: tracepoint %s has %u arguments",
					 h->args[i].index, h->event, ph->nr_fn_args);
				return -EINVAL;
			}
		}
		return plan_args(k, ph, NULL, NULL, 0, false, err, err_size);
	}
	n = tp_fields(k, h->subsystem, h->event, fields, 64);
	if (n < 0) {
		snprintf(err, err_size, "no tracepoint %s/%s on this kernel%s", h->subsystem,
			 h->event, k->tracefs ? "" : " (tracefs is not mounted)");
		return -ENOENT;
	}
	ph->mech = HORNET_MECH_TRACEPOINT;
	ph->nr_fn_args = n;
	return plan_args(k, ph, NULL, fields, n, false, err, err_size);
}

/*
 * binaryDigests: the binary's sha256 must be one of them. 0: it is (or
 * there are none); 1: it is not, and the hook is skipped
 * (ignore.digestVerificationFailure); else -errno with the reason. The
 * file is hashed again at each plan: a binary replaced since is seen.
 */
static int check_digests(const struct hornet_hook *h, struct hornet_plan *plan, char *err,
			 size_t err_size)
{
	char hex[HORNET_SHA256_HEX];
	size_t i;
	int ret;

	if (!h->nr_digests)
		return 0;
	ret = hornet_sha256_file_hex(h->path, hex);
	if (ret) {
		snprintf(err, err_size, "binaryDigests: cannot read '%s': %s", h->path,
			 strerror(-ret));
		return ret;
	}
	for (i = 0; i < h->nr_digests; i++)
		if (!strcmp(h->digests[i], hex))
			return 0;
	if (h->ignore_digest) {
		plan->nr_skipped++;
		return 1;
	}
	snprintf(err, err_size,
		 "binaryDigests: '%s' has sha256:%s, which is none of binaryDigests (the hook "
		 "is skipped instead with ignore.digestVerificationFailure)",
		 h->path, hex);
	return -EPERM;
}

static int plan_uprobe(const struct hornet_kernel *k, const struct hornet_hook *h,
		       struct hornet_plan *plan, struct hornet_plan_hook *base, char *err,
		       size_t err_size)
{
	size_t i, n = h->nr_symbols + h->nr_offsets;
	int ret;

	if (!hornet_has(&k->features, HORNET_FEAT_UPROBE)) {
		snprintf(err, err_size, "uprobes do not work on this kernel (%s)",
			 feat_reason(k, HORNET_FEAT_UPROBE));
		return -EOPNOTSUPP;
	}
	if (access(h->path, R_OK)) {
		snprintf(err, err_size, "uprobe binary '%s': %s", h->path, strerror(errno));
		return -errno;
	}
	if (wants_override(h)) {
		/* the verifier of 6.1 and 6.18 refuses a store into a kprobe program's
		 * registers ("invalid bpf_context access"): no way to return early */
		snprintf(err, err_size,
			 "Override on uprobes is not supported: it needs a uprobe program that "
			 "changes the registers, which this kernel's verifier refuses (use "
			 "Sigkill)");
		return -EINVAL;
	}
	ret = check_digests(h, plan, err, err_size);
	if (ret)
		return ret > 0 ? 0 : ret;
	for (i = 0; i < n; i++) {
		struct hornet_plan_hook ph = *base;

		ph.mech = h->ret ? HORNET_MECH_URETPROBE : HORNET_MECH_UPROBE;
		snprintf(ph.path, sizeof(ph.path), "%s", h->path);
		if (i < h->nr_symbols) {
			snprintf(ph.target, sizeof(ph.target), "%s", h->symbols[i]);
		} else {
			ph.offset = h->offsets[i - h->nr_symbols];
			snprintf(ph.target, sizeof(ph.target), "0x%llx",
				 (unsigned long long)ph.offset);
		}
		snprintf(ph.function_name, sizeof(ph.function_name), "%s", ph.target);
		ph.nr_fn_args = 6;
		ret = plan_args(k, &ph, NULL, NULL, 0, false, err, err_size);
		if (!ret)
			ret = add_hook(plan, &ph);
		if (ret)
			return ret;
	}
	return 0;
}

/* Functions of one list at most: each is a program of its own (one link and
 * its fds each), so a list of every function of a subsystem stops here. */
#define MAX_LIST_HOOKS 1024

struct names {
	char **v;
	size_t n, cap;
};

static int names_add(struct names *ns, const char *name, size_t len)
{
	char **v;

	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 512;
		v = realloc(ns->v, ns->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ns->v = v;
	}
	ns->v[ns->n] = strndup(name, len);
	if (!ns->v[ns->n])
		return -ENOMEM;
	ns->n++;
	return 0;
}

static void names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/*
 * generated_syscalls: the running kernel's syscalls, from its syscalls
 * tracepoints (one sys_enter_ per syscall), else its BTF wrappers, else the
 * build's table.
 */
static int kernel_syscalls(const struct hornet_kernel *k, struct names *ns)
{
	size_t plen = strlen(k->syscall_prefix), i;
	char path[512];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/events/syscalls", k->tracefs ? k->tracefs : "");
	d = k->tracefs ? opendir(path) : NULL;
	if (d) {
		while (!ret && (de = readdir(d)))
			if (!strncmp(de->d_name, "sys_enter_", 10))
				ret = names_add(ns, de->d_name + 10, strlen(de->d_name + 10));
		closedir(d);
	} else if (k->btf) {
		for (i = 1; !ret && i < btf__type_cnt(k->btf); i++) {
			const struct btf_type *t = btf__type_by_id(k->btf, i);
			const char *n = btf__name_by_offset(k->btf, t->name_off);

			if (btf_is_func(t) && n && !strncmp(n, k->syscall_prefix, plen))
				ret = names_add(ns, n + plen, strlen(n + plen));
		}
	} else {
		for (i = 0; !ret && i < NR_SYSCALLS; i++)
			ret = names_add(ns, syscalls[i].name, strlen(syscalls[i].name));
	}
	if (ns->n)
		qsort(ns->v, ns->n, sizeof(char *), cmp_str);
	return ret;
}

/* generated_ftrace: the traceable functions whose names match @pattern. */
static int ftrace_matches(const struct hornet_kernel *k, const char *pattern, struct names *ns,
			  char *err, size_t err_size)
{
	regex_t re;
	size_t i;
	int ret = 0;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		snprintf(err, err_size, "pattern '%s' is not a regular expression", pattern);
		return -EINVAL;
	}
	for (i = 0; !ret && i < k->nr_ftrace_funcs; i++) {
		const char *f = k->ftrace_funcs[i];

		/* the list is sorted: a name listed twice (static copies) once */
		if (i && !strcmp(f, k->ftrace_funcs[i - 1]))
			continue;
		if (!regexec(&re, f, 0, NULL, 0))
			ret = names_add(ns, f, strlen(f));
	}
	regfree(&re);
	return ret;
}

/*
 * Set writes into the argument where the site's note says it is: only one
 * kept in memory (a register plus an offset) can be written, with
 * bpf_probe_write_user(); a uprobe may not change registers on the kernels
 * hornet runs on, and a constant is in the code.
 */
static int check_usdt_set(const struct hornet_kernel *k, const struct hornet_hook *h,
			  const struct hornet_usdt_site *s, char *err, size_t err_size)
{
	struct hornet_features *f = (struct hornet_features *)&k->features;
	size_t i, j;

	for (i = 0; i < h->nr_selectors; i++)
		for (j = 0; j < h->selectors[i].nr_actions; j++) {
			const struct hornet_match_action *a = &h->selectors[i].actions[j];
			unsigned int x = a->arg_index;

			if (a->action != HORNET_ACTION_SET)
				continue;
			if (x >= s->nr_args || x >= HORNET_USDT_BPF_ARGS) {
				snprintf(
					err, err_size,
					"selectors[%zu]: action Set: argIndex %u: the probe has %u "
					"arguments, and hornet writes the first %d",
					i, x, s->nr_args, HORNET_USDT_BPF_ARGS);
				return -EINVAL;
			}
			if (s->args[x].kind == HORNET_USDT_REG_DEREF) {
				/* probed only now: the kernel logs a warning at each try */
				if (!f->probed[HORNET_FEAT_WRITE_USER] && k->probe_one)
					k->probe_one(f, HORNET_FEAT_WRITE_USER);
				if (hornet_has(f, HORNET_FEAT_WRITE_USER))
					continue;
				snprintf(err, err_size,
					 "selectors[%zu]: action Set writes with "
					 "bpf_probe_write_user(), which this kernel refuses (%s)",
					 i, feat_reason(k, HORNET_FEAT_WRITE_USER));
				return -EOPNOTSUPP;
			}
			snprintf(
				err, err_size,
				"selectors[%zu]: action Set: argIndex %u: the site at 0x%llx keeps "
				"it %s; hornet writes only arguments kept in memory (a uprobe may "
				"not change registers on this kernel)",
				i, x, (unsigned long long)s->offset,
				s->args[x].kind == HORNET_USDT_REG     ? "in a register"
				: s->args[x].kind == HORNET_USDT_CONST ? "as a constant"
								       : s->bad[x]);
			return -EOPNOTSUPP;
		}
	return 0;
}

/*
 * A USDT probe: one uprobe per site of the probe in the binary (a probe in
 * an inlined function has several), each reading the arguments where its
 * note says they are, with the probe's semaphore counted up while attached.
 */
static int plan_usdt(const struct hornet_kernel *k, const struct hornet_hook *h,
		     struct hornet_plan *plan, struct hornet_plan_hook *base, char *err,
		     size_t err_size)
{
	struct hornet_usdt_site *sites = NULL;
	char provider[160], why[200], *colon;
	size_t i, j, nr = 0;
	int ret;

	if (!hornet_has(&k->features, HORNET_FEAT_UPROBE)) {
		snprintf(err, err_size,
			 "USDT probes need uprobes, which do not work on this kernel (%s)",
			 feat_reason(k, HORNET_FEAT_UPROBE));
		return -EOPNOTSUPP;
	}
	if (wants_override(h)) {
		snprintf(err, err_size, "Override does not apply to USDT probes");
		return -EINVAL;
	}
	snprintf(provider, sizeof(provider), "%s", h->call);
	colon = strchr(provider, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	ret = hornet_usdt_find(h->path, provider, colon + 1, &sites, &nr, why, sizeof(why));
	if (ret) {
		snprintf(err, err_size, "USDT binary '%s': %s", h->path, why);
		return ret;
	}
	for (i = 0; i < nr && !ret; i++) {
		struct hornet_plan_hook ph = *base;
		const struct hornet_usdt_site *s = &sites[i];

		ph.mech = HORNET_MECH_USDT;
		snprintf(ph.path, sizeof(ph.path), "%s", h->path);
		snprintf(ph.target, sizeof(ph.target), "%s", h->call);
		snprintf(ph.function_name, sizeof(ph.function_name), "%s", h->call);
		ph.offset = s->offset;
		ph.ref_ctr = s->ref_ctr;
		for (j = 0; j < h->nr_args + h->nr_data && !ret; j++) {
			const struct hornet_arg *a =
				j < h->nr_args ? &h->args[j] : &h->data[j - h->nr_args];

			if (a->current_task) {
				continue;
			} else if (a->index >= s->nr_args) {
				snprintf(err, err_size, "args index %u: the probe has %u arguments",
					 a->index, s->nr_args);
				ret = -EINVAL;
			} else if (a->index >= HORNET_USDT_BPF_ARGS) {
				snprintf(err, err_size,
					 "args index %u: hornet reads the first %d USDT arguments",
					 a->index, HORNET_USDT_BPF_ARGS);
				ret = -EINVAL;
			} else if (s->args[a->index].kind == HORNET_USDT_NONE) {
				snprintf(err, err_size,
					 "args index %u: the site at 0x%llx keeps it in %s",
					 a->index, (unsigned long long)s->offset, s->bad[a->index]);
				ret = -EOPNOTSUPP;
			}
		}
		if (!ret)
			ret = check_usdt_set(k, h, s, err, err_size);
		for (j = 0; j < HORNET_USDT_BPF_ARGS && j < s->nr_args; j++)
			ph.usdt_args[j] = s->args[j];
		ph.nr_fn_args = s->nr_args < 6 ? s->nr_args : 6;
		if (!ret)
			ret = plan_args(k, &ph, NULL, NULL, 0, false, err, err_size);
		if (!ret)
			ret = add_hook(plan, &ph);
	}
	free(sites);
	return ret;
}

/*
 * A "list:NAME" kprobe: one hook per function of the list. A list of type
 * syscalls names syscalls (as Tetragon, whatever the hook's own syscall
 * flag); generated_syscalls stands for every syscall of the running kernel,
 * generated_ftrace for every traceable function matching its pattern. Each
 * function is a program of its own (hornet has no kprobe.multi yet), up to
 * MAX_LIST_HOOKS; a function of a generated list that cannot be hooked here
 * is left out, as Tetragon's kprobe.multi leaves out what it cannot attach.
 */
static int plan_list(const struct hornet_kernel *k, const struct hornet_hook *h,
		     const struct hornet_list *list, struct hornet_plan *plan,
		     const struct hornet_plan_hook *base, char *err, size_t err_size)
{
	struct hornet_hook hk = *h;
	const char *type = list->type ? list->type : "syscalls";
	bool generated = !strncmp(type, "generated_", 10);
	struct names gen = {};
	char *const *values = list->values;
	size_t v, n = 0, nr = list->nr_values;
	int ret = 0;

	if (!strcmp(type, "generated_syscalls")) {
		ret = kernel_syscalls(k, &gen);
	} else if (!strcmp(type, "generated_ftrace")) {
		if (!k->ftrace_funcs) {
			snprintf(err, err_size,
				 "list '%s' (generated_ftrace) needs available_filter_functions, "
				 "which %s",
				 list->name,
				 k->btf_foreign ? "BTF does not carry: known on the kernel itself"
						: "this kernel does not let us read");
			return -EOPNOTSUPP;
		}
		ret = ftrace_matches(k, list->pattern, &gen, err, err_size);
	}
	if (ret == -ENOMEM)
		snprintf(err, err_size, "list '%s': out of memory", list->name);
	if (ret)
		goto out;
	if (generated) {
		values = gen.v;
		nr = gen.n;
	}
	if (nr > MAX_LIST_HOOKS) {
		snprintf(err, err_size,
			 "list '%s' has %zu functions; hornet attaches at most %d (one program "
			 "each)",
			 list->name, nr, MAX_LIST_HOOKS);
		ret = -E2BIG;
		goto out;
	}
	hk.syscall = !strcmp(type, "syscalls") || !strcmp(type, "generated_syscalls") || h->syscall;
	for (v = 0; v < nr; v++) {
		struct hornet_plan_hook lph = *base;

		ret = plan_function(k, &hk, values[v], &lph, err, err_size);
		if (ret == -ENOENT && (h->ignore_call_not_found || generated)) {
			ret = 0;
			continue;
		}
		if (ret)
			goto out;
		/* the plan keeps the policy's own hook, not the local copy */
		lph.hook = h;
		lph.syscall = hk.syscall;
		ret = add_hook(plan, &lph);
		if (ret)
			goto out;
		n++;
	}
	if (!n) {
		snprintf(err, err_size, "list '%s' has no function that exists on this kernel",
			 list->name);
		ret = -ENOENT;
	}
out:
	names_free(&gen);
	return ret;
}

const char *hornet_plan_enforcer_mech(const struct hornet_plan_enforcer *pe)
{
	return pe->override ? "kprobe+override" : "tracepoint";
}

void hornet_plan_enforcer_points(const struct hornet_plan_enforcer *pe, char *buf, size_t size)
{
	if (pe->override)
		snprintf(buf, size, "%s, syscalls/sys_exit_%s", pe->function, pe->syscall);
	else
		snprintf(buf, size, "syscalls/sys_enter_%s, syscalls/sys_exit_%s", pe->syscall,
			 pe->syscall);
}

/* The argError of the policy's first NotifyEnforcer that sets one, or 0. */
static int32_t notify_error(const struct hornet_policy *p)
{
	size_t i, s, a;

	for (i = 0; i < p->nr_hooks; i++)
		for (s = 0; s < p->hooks[i].nr_selectors; s++) {
			const struct hornet_selector *sel = &p->hooks[i].selectors[s];

			for (a = 0; a < sel->nr_actions; a++)
				if (sel->actions[a].action == HORNET_ACTION_NOTIFY_ENFORCER &&
				    sel->actions[a].arg_error)
					return sel->actions[a].arg_error;
		}
	return 0;
}

/* One call of spec.enforcers into plan->enforcers (once per syscall). */
static int plan_enforcer_call(const struct hornet_kernel *k, const char *call, bool override,
			      struct hornet_plan *plan, char *err, size_t err_size)
{
	const char *base = syscall_base(call);
	struct hornet_plan_enforcer pe = { .override = override }, *n;
	char path[512];
	size_t i;
	int has;

	if (!*base || strlen(base) >= sizeof(pe.syscall) || strchr(base, '/') ||
	    strstr(base, "..")) {
		snprintf(err, err_size, "'%s' is not a syscall name", call);
		return -EINVAL;
	}
	snprintf(pe.syscall, sizeof(pe.syscall), "%s", base);
	/* "__ia32_sys_dup" is its own function; "sys_dup", "dup": this arch's */
	if (call[0] == '_' && call[1] == '_')
		snprintf(pe.function, sizeof(pe.function), "%s", call);
	else
		snprintf(pe.function, sizeof(pe.function), "%s%s", k->syscall_prefix, base);
	has = kernel_has_syscall(k, base, pe.function);
	if (has == 0 || (has < 0 && hornet_syscall_nr(base) < 0)) {
		snprintf(err, err_size, "'%s' is not a syscall of this kernel", call);
		return -ENOENT;
	}
	if (override && !(hornet_has(&k->features, HORNET_FEAT_KPROBE) && k->override_return &&
			  error_injectable(k, pe.function))) {
		snprintf(err, err_size,
			 "NotifyEnforcer's argError needs bpf_override_return() on '%s' (kprobes, "
			 "CONFIG_BPF_KPROBE_OVERRIDE, the function on the error-injection list); "
			 "%s: use argSig alone, or Override on an lsmhooks hook",
			 pe.function,
			 !hornet_has(&k->features, HORNET_FEAT_KPROBE)
				 ? "this kernel has no kprobes"
			 : !k->override_return ? "this kernel has no bpf_override_return()"
					       : "the function is not on the list");
		return -EOPNOTSUPP;
	}
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_exit_%s", k->tracefs ? k->tracefs : "",
		 base);
	if (!k->tracefs || access(path, F_OK)) {
		snprintf(err, err_size,
			 "'%s': the enforcer needs the tracepoint syscalls/sys_exit_%s%s", call,
			 base, k->tracefs ? "; this kernel has none" : " (tracefs is not mounted)");
		return -ENOENT;
	}
	for (i = 0; i < plan->nr_enforcers; i++)
		if (!strcmp(plan->enforcers[i].syscall, pe.syscall) &&
		    (!override || !strcmp(plan->enforcers[i].function, pe.function)))
			return 0;
	n = realloc(plan->enforcers, (plan->nr_enforcers + 1) * sizeof(*n));
	if (!n) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	plan->enforcers = n;
	n[plan->nr_enforcers++] = pe;
	return 0;
}

/*
 * spec.enforcers: the syscalls whose calls act on NotifyEnforcer's
 * notifications, each checked against this kernel. The signal needs only
 * the syscall's tracepoints; an argError, a kprobe that may override it.
 */
static int plan_enforcers(const struct hornet_policy *p, const struct hornet_kernel *k,
			  struct hornet_plan *plan, char *err, size_t err_size)
{
	bool override = notify_error(p) != 0;
	char msg[512];
	size_t i, v;
	int ret = 0;

	for (i = 0; i < p->nr_enforcer_calls && !ret; i++) {
		const char *call = p->enforcer_calls[i];
		const struct hornet_list *l;

		msg[0] = '\0';
		if (strncmp(call, "list:", 5)) {
			ret = plan_enforcer_call(k, call, override, plan, msg, sizeof(msg));
		} else if (!(l = hornet_policy_list(p, call + 5))) {
			snprintf(msg, sizeof(msg), "no list '%s' in spec.lists", call + 5);
			ret = -EINVAL;
		} else {
			for (v = 0; v < l->nr_values && !ret; v++)
				ret = plan_enforcer_call(k, l->values[v], override, plan, msg,
							 sizeof(msg));
		}
		if (ret)
			snprintf(err, err_size, "spec.enforcers[0].calls[%zu]: %s", i, msg);
	}
	if (!ret && plan->nr_enforcers > HORNET_POLICY_MAX_ENFORCER_CALLS) {
		snprintf(err, err_size, "spec.enforcers[0]: %zu syscalls; at most %d",
			 plan->nr_enforcers, HORNET_POLICY_MAX_ENFORCER_CALLS);
		ret = -E2BIG;
	}
	return ret;
}

int hornet_plan_policy(const struct hornet_policy *p, const struct hornet_kernel *k,
		       struct hornet_plan *plan, char *err, size_t err_size)
{
	char msg[768], where[256];
	size_t i;
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	((struct hornet_kernel *)k)->policy = p; /* for options the planners read */
	if (!k->btf && k->btf_on_demand) /* NULL without BTF: planned without prototypes */
		((struct hornet_kernel *)k)->btf = hornet_kbtf_get();
	/*
	 * Kubernetes fills it from the object's namespace (kubectl apply -n), so
	 * a file may lack it; loaded without it, the policy would select no pod.
	 */
	if (p->namespaced && !p->namespace) {
		snprintf(err, err_size,
			 "metadata.namespace: missing: a TracingPolicyNamespaced applies to the "
			 "pods of its namespace (set it in the file, or apply it with kubectl -n)");
		return -EINVAL;
	}
	for (i = 0; i < p->nr_hooks && !ret; i++) {
		const struct hornet_hook *h = &p->hooks[i];
		struct hornet_plan_hook ph = { .hook = h, .hook_index = i };
		const struct hornet_list *list;

		msg[0] = '\0';
		ret = bounded_unfit(k, h, msg, sizeof(msg));
		if (ret) {
			snprintf(err, err_size, "%s: %s", hook_where(h, where, sizeof(where)), msg);
			break;
		}
		switch (h->kind) {
		case HORNET_HOOK_KPROBE:
		case HORNET_HOOK_FENTRY:
			if (!strncmp(h->call, "list:", 5)) {
				list = hornet_policy_list(p, h->call + 5);
				if (!list) {
					snprintf(msg, sizeof(msg), "no list '%s' in spec.lists",
						 h->call + 5);
					ret = -EINVAL;
					break;
				}
				ret = plan_list(k, h, list, plan, &ph, msg, sizeof(msg));
				break;
			}
			ret = plan_function(k, h, h->call, &ph, msg, sizeof(msg));
			/*
			 * A function this kernel has no way to trace (no kprobes
			 * nor fentry) is as absent as one it lacks, for a hook
			 * that only observes: a pack can add a hook that sees
			 * more where the kernel lets it. A denial never goes.
			 */
			if (h->ignore_call_not_found &&
			    (ret == -ENOENT || (ret == -EOPNOTSUPP && !wants_override(h)))) {
				plan->nr_skipped++;
				ret = 0;
				break;
			}
			if (!ret)
				ret = add_hook(plan, &ph);
			break;
		case HORNET_HOOK_LSM:
			ret = plan_lsm(k, h, &ph, msg, sizeof(msg));
			if (!ret)
				ret = add_hook(plan, &ph);
			break;
		case HORNET_HOOK_TRACEPOINT:
			ret = plan_tracepoint(k, h, &ph, msg, sizeof(msg));
			/* hornet's own: a tracepoint this kernel lacks is skipped */
			if (ret == -ENOENT && h->ignore_call_not_found) {
				plan->nr_skipped++;
				ret = 0;
				break;
			}
			if (!ret)
				ret = add_hook(plan, &ph);
			break;
		case HORNET_HOOK_UPROBE:
			ret = plan_uprobe(k, h, plan, &ph, msg, sizeof(msg));
			break;
		case HORNET_HOOK_USDT:
			ret = plan_usdt(k, h, plan, &ph, msg, sizeof(msg));
			break;
		}
		if (ret)
			snprintf(err, err_size, "%s: %s", hook_where(h, where, sizeof(where)), msg);
	}
	if (!ret && p->nr_enforcer_calls)
		ret = plan_enforcers(p, k, plan, err, err_size);
	if (!ret && !plan->nr_hooks && p->nr_hooks) {
		snprintf(err, err_size,
			 "no hook of the policy exists on this kernel "
			 "(all were skipped by ignore.callNotFound or "
			 "ignore.digestVerificationFailure)");
		ret = -ENOENT;
	}
	if (ret)
		hornet_plan_free(plan);
	return ret;
}

void hornet_plan_free(struct hornet_plan *plan)
{
	free(plan->hooks);
	free(plan->enforcers);
	memset(plan, 0, sizeof(*plan));
}
