// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "policy/plan.h"
#include "sensors/generic_render.h"
#include "util/base64.h"
#include "vocab/vocab.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int hornet_render_hook_init(struct hornet_render_hook *r, const struct hornet_point_user *u,
			    const uint8_t *arg_spec, uint8_t ret_spec)
{
	const struct hornet_plan_hook *ph = u->ph;
	const struct hornet_hook *h = ph->hook;
	size_t i, a;

	memset(r, 0, sizeof(*r));
	r->policy_name = dup_or_null(u->policy->name);
	r->kind = h->kind;
	r->function_name = dup_or_null(ph->function_name);
	r->subsys = dup_or_null(h->subsystem);
	r->event = dup_or_null(h->event);
	r->path = dup_or_null(h->kind == HORNET_HOOK_UPROBE ? ph->path : NULL);
	r->symbol = dup_or_null(h->kind == HORNET_HOOK_UPROBE ? ph->target : NULL);
	r->message = dup_or_null(h->message);
	if (h->nr_tags) {
		r->tags = calloc(h->nr_tags, sizeof(*r->tags));
		if (!r->tags)
			return -ENOMEM;
		for (i = 0; i < h->nr_tags; i++)
			r->tags[i] = dup_or_null(h->tags[i]);
		r->nr_tags = h->nr_tags;
	}
	/* data[] values are read but, as in Tetragon, not listed in args[] */
	for (i = 0; i < h->nr_args && i < ph->nr_args; i++) {
		r->args[i].spec = arg_spec[i];
		r->args[i].type = ph->args[i].arg->type;
		r->args[i].label = dup_or_null(ph->args[i].arg->label);
	}
	r->nr_args = i;
	if (ph->has_ret) {
		r->has_ret = true;
		r->ret.spec = ret_spec;
		r->ret.type = h->return_arg.type;
		r->ret.label = dup_or_null(h->return_arg.label);
	}
	r->return_action = h->return_arg_action;
	for (i = 0; i < h->nr_selectors; i++) {
		for (a = 0; a < h->selectors[i].nr_actions; a++) {
			const struct hornet_match_action *ma = &h->selectors[i].actions[a];

			if (ma->action == HORNET_ACTION_GETURL)
				r->user_actions[i][a].arg = dup_or_null(ma->arg_url);
			else if (ma->action == HORNET_ACTION_DNSLOOKUP)
				r->user_actions[i][a].arg = dup_or_null(ma->arg_fqdn);
			r->user_actions[i][a].action = ma->action;
		}
	}
	return 0;
}

void hornet_render_hook_free(struct hornet_render_hook *r)
{
	size_t i, a;

	free(r->policy_name);
	free(r->function_name);
	free(r->subsys);
	free(r->event);
	free(r->path);
	free(r->symbol);
	free(r->message);
	for (i = 0; i < r->nr_tags; i++)
		free(r->tags[i]);
	free(r->tags);
	for (i = 0; i < r->nr_args; i++)
		free(r->args[i].label);
	free(r->ret.label);
	for (i = 0; i < HORNET_POLICY_MAX_SELECTORS; i++)
		for (a = 0; a < HORNET_POLICY_MAX_ACTIONS; a++)
			free(r->user_actions[i][a].arg);
	memset(r, 0, sizeof(*r));
}

void hornet_open_flags(uint32_t flags, char *out, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ O_CREAT, "O_CREAT" },		{ O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" },	{ O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" },	{ O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" },		{ O_DIRECT, "O_DIRECT" },
		{ O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" },	{ O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" },	{ O_PATH, "O_PATH" },
		{ __O_TMPFILE, "O_TMPFILE" },
	};
	size_t len, i;

	len = snprintf(out, size, "%s",
		       (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
		       : (flags & O_ACCMODE) == O_RDWR ? "O_RDWR"
						       : "O_RDONLY");
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && len < size; i++)
		if ((flags & names[i].bit) == names[i].bit)
			len += snprintf(out + len, size - len, "|%s", names[i].name);
}

void hornet_permission(uint32_t mode, char out[11])
{
	static const char bits[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISDIR(mode)	  ? 'd'
		 : S_ISLNK(mode)  ? 'l'
		 : S_ISCHR(mode)  ? 'c'
		 : S_ISBLK(mode)  ? 'b'
		 : S_ISFIFO(mode) ? 'p'
		 : S_ISSOCK(mode) ? 's'
				  : '-';
	for (i = 0; i < 9; i++)
		out[1 + i] = mode & (0400 >> i) ? bits[i] : '-';
	if (mode & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

static void addr_str(uint16_t family, const uint8_t *addr, char *out, size_t size)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, out, size))
		snprintf(out, size, "?");
}

static void named_or_number(struct hornet_json *j, const char *key, const char *name,
			    unsigned int v)
{
	char buf[24];

	if (!name) {
		snprintf(buf, sizeof(buf), "%u", v);
		name = buf;
	}
	hornet_json_str(j, key, name);
}

static void render_caps_list(struct hornet_json *j, const char *key, uint64_t caps)
{
	unsigned int bit;

	hornet_json_arr_begin(j, key);
	for (bit = 0; bit < 64; bit++)
		if (caps & (1ULL << bit))
			hornet_json_str(j, NULL, hornet_cap_name(bit) ? hornet_cap_name(bit) : "?");
	hornet_json_arr_end(j);
}

/* Renders one argument's value (the object key and its content). */
static int render_arg(struct hornet_json *j, const struct hornet_render_arg *ra,
		      const struct hornet_gen_arg *a, const char *d)
{
	char buf[256], perm[11];
	uint32_t len = a->len;

	switch (a->type) {
	case HORNET_GT_INT: {
		int64_t v;

		if (len < 8)
			return -EINVAL;
		memcpy(&v, d, 8);
		switch (ra->type) {
		case HORNET_ARG_CAPABILITY:
			hornet_json_obj_begin(j, "capability_arg");
			hornet_json_i64(j, "value", v);
			if (v >= 0 && hornet_cap_name(v))
				hornet_json_str(j, "name", hornet_cap_name(v));
			hornet_json_obj_end(j);
			break;
		case HORNET_ARG_UINT32:
		case HORNET_ARG_UINT16:
		case HORNET_ARG_UINT8:
			hornet_json_u64(j, "uint_arg", (uint64_t)v);
			break;
		case HORNET_ARG_INT64:
			hornet_json_i64(j, "long_arg", v);
			break;
		case HORNET_ARG_UINT64:
		case HORNET_ARG_SIZE_T:
			hornet_json_u64(j, "size_arg", (uint64_t)v);
			break;
		case HORNET_ARG_SYSCALL64:
			hornet_json_obj_begin(j, "syscall_id");
			hornet_json_u64(j, "id", (uint64_t)v & 0x7fffffff);
			hornet_json_str(j, "abi", (uint64_t)v & 0x80000000 ? "i386" : "x64");
			hornet_json_obj_end(j);
			break;
		default:
			hornet_json_i64(j, "int_arg", v);
			break;
		}
		return 0;
	}
	case HORNET_GT_CAPS: {
		uint64_t v;

		if (len < 8)
			return -EINVAL;
		memcpy(&v, d, 8);
		render_caps_list(j,
				 ra->type == HORNET_ARG_CAP_PERMITTED	  ? "cap_permitted_arg"
				 : ra->type == HORNET_ARG_CAP_INHERITABLE ? "cap_inheritable_arg"
				 : ra->type == HORNET_ARG_CAP_EFFECTIVE	  ? "cap_effective_arg"
									  : "kernel_cap_t_arg",
				 v);
		return 0;
	}
	case HORNET_GT_STRING:
	case HORNET_GT_FILENAME:
		hornet_json_strn(j, "string_arg", d, len);
		/* beside it, as "label" is: a string cut at 4095 bytes, or a path
		 * whose directory did not fit (then it is the name as given) */
		if (a->flags & HORNET_ARG_TRUNCATED)
			hornet_json_bool(j, "truncated", true);
		return 0;
	case HORNET_GT_BUF: {
		uint64_t orig;
		char *b64;
		size_t n;

		if (len < 8)
			return -EINVAL;
		memcpy(&orig, d, 8);
		n = HORNET_BASE64_SIZE(len - 8);
		b64 = malloc(n);
		if (!b64)
			return -ENOMEM;
		hornet_base64_encode(d + 8, len - 8, b64, n);
		if (a->flags & HORNET_ARG_TRUNCATED) {
			hornet_json_obj_begin(j, "truncated_bytes_arg");
			hornet_json_str(j, "bytes_arg", b64);
			hornet_json_u64(j, "orig_size", orig);
			hornet_json_obj_end(j);
		} else {
			hornet_json_str(j, "bytes_arg", b64);
		}
		free(b64);
		return 0;
	}
	case HORNET_GT_FD:
	case HORNET_GT_FILE:
	case HORNET_GT_KIOCB:
	case HORNET_GT_PATH:
	case HORNET_GT_DENTRY:
	case HORNET_GT_BINPRM: {
		const struct hornet_file_data *fd = (const void *)d;
		const char *key = a->type == HORNET_GT_PATH || a->type == HORNET_GT_DENTRY
					  ? "path_arg"
				  : a->type == HORNET_GT_BINPRM ? "linux_binprm_arg"
								: "file_arg";

		if (len < sizeof(*fd)) {
			/* the pointer was NULL or unreadable */
			hornet_json_obj_begin(j, key);
			hornet_json_obj_end(j);
			return 0;
		}
		hornet_json_obj_begin(j, key);
		hornet_json_strn(j, "path", d + sizeof(*fd), len - sizeof(*fd));
		if (a->type != HORNET_GT_PATH && a->type != HORNET_GT_DENTRY) {
			hornet_open_flags(fd->flags, buf, sizeof(buf));
			hornet_json_str(j, "flags", buf);
		}
		hornet_permission(fd->mode, perm);
		hornet_json_str(j, "permission", perm);
		if (a->flags & HORNET_ARG_TRUNCATED)
			hornet_json_bool(j, "truncated", true);
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_SOCK:
	case HORNET_GT_SOCKET:
	case HORNET_GT_SKB: {
		const struct hornet_sock_data *sd = (const void *)d;

		if (len < sizeof(*sd))
			return -EINVAL;
		hornet_json_obj_begin(j, a->type == HORNET_GT_SKB ? "skb_arg" : "sock_arg");
		named_or_number(j, "family", hornet_family_name(sd->family), sd->family);
		if (a->type != HORNET_GT_SKB)
			named_or_number(j, "type",
					hornet_vocab_name(HORNET_VOCAB_SOCK_TYPE, sd->type),
					sd->type);
		named_or_number(j, "protocol", hornet_protocol_name(sd->protocol), sd->protocol);
		addr_str(sd->family, sd->saddr, buf, sizeof(buf));
		hornet_json_str(j, "saddr", buf);
		addr_str(sd->family, sd->daddr, buf, sizeof(buf));
		hornet_json_str(j, "daddr", buf);
		hornet_json_u64(j, "sport", sd->sport);
		hornet_json_u64(j, "dport", sd->dport);
		if (a->type == HORNET_GT_SKB) {
			hornet_json_u64(j, "len", sd->len);
		} else {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sd->cookie);
			hornet_json_str(j, "cookie", buf);
			named_or_number(j, "state", hornet_tcp_state_name(sd->state), sd->state);
		}
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_SOCKADDR: {
		const struct hornet_sockaddr_data *sa = (const void *)d;

		if (len < sizeof(*sa))
			return -EINVAL;
		hornet_json_obj_begin(j, "sockaddr_arg");
		named_or_number(j, "family", hornet_family_name(sa->family), sa->family);
		if (sa->family == AF_INET || sa->family == AF_INET6) {
			addr_str(sa->family, sa->addr, buf, sizeof(buf));
			hornet_json_str(j, "addr", buf);
			hornet_json_u64(j, "port", sa->port);
		}
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_NETDEV:
	case HORNET_GT_MODULE:
	case HORNET_GT_LOAD_INFO: {
		const struct hornet_name_data *nd = (const void *)d;

		if (len < sizeof(*nd))
			return -EINVAL;
		hornet_json_obj_begin(j,
				      a->type == HORNET_GT_NETDEV ? "net_dev_arg" : "module_arg");
		hornet_json_strn(j, "name", nd->name, strnlen(nd->name, sizeof(nd->name)));
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_CRED: {
		const struct hornet_cred_data *c = (const void *)d;

		if (len < sizeof(*c))
			return -EINVAL;
		hornet_json_obj_begin(j, "process_credentials_arg");
		hornet_json_u64(j, "uid", c->uid);
		hornet_json_u64(j, "gid", c->gid);
		hornet_json_u64(j, "euid", c->euid);
		hornet_json_u64(j, "egid", c->egid);
		hornet_json_u64(j, "suid", c->suid);
		hornet_json_u64(j, "sgid", c->sgid);
		hornet_json_u64(j, "fsuid", c->fsuid);
		hornet_json_u64(j, "fsgid", c->fsgid);
		hornet_json_u64(j, "securebits", c->securebits);
		hornet_json_obj_begin(j, "caps");
		render_caps_list(j, "permitted", c->permitted);
		render_caps_list(j, "effective", c->effective);
		render_caps_list(j, "inheritable", c->inheritable);
		hornet_json_obj_end(j);
		hornet_json_obj_begin(j, "user_ns");
		hornet_json_u64(j, "level", c->user_ns_level);
		hornet_json_u64(j, "uid", c->user_ns_uid);
		hornet_json_u64(j, "gid", c->user_ns_gid);
		hornet_json_obj_begin(j, "ns");
		hornet_json_u64(j, "inum", c->user_ns_inum);
		hornet_json_obj_end(j);
		hornet_json_obj_end(j);
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_USER_NS: {
		const struct hornet_userns_data *u = (const void *)d;

		if (len < sizeof(*u))
			return -EINVAL;
		hornet_json_obj_begin(j, "user_ns_arg");
		hornet_json_u64(j, "level", u->level);
		hornet_json_u64(j, "uid", u->uid);
		hornet_json_u64(j, "gid", u->gid);
		hornet_json_obj_begin(j, "ns");
		hornet_json_u64(j, "inum", u->inum);
		hornet_json_obj_end(j);
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_BPF_ATTR:
	case HORNET_GT_BPF_PROG: {
		const struct hornet_bpf_data *b = (const void *)d;

		if (len < sizeof(*b))
			return -EINVAL;
		hornet_json_obj_begin(j, a->type == HORNET_GT_BPF_ATTR ? "bpf_attr_arg"
								       : "bpf_prog_arg");
		named_or_number(j, "ProgType",
				hornet_vocab_name(HORNET_VOCAB_BPF_PROG_TYPE, b->type), b->type);
		hornet_json_u64(j, "InsnCnt", b->insn_cnt);
		hornet_json_strn(j, "ProgName", b->name, strnlen(b->name, sizeof(b->name)));
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_BPF_MAP: {
		const struct hornet_bpf_data *b = (const void *)d;

		if (len < sizeof(*b))
			return -EINVAL;
		hornet_json_obj_begin(j, "bpf_map_arg");
		hornet_json_u64(j, "MapType", b->type);
		hornet_json_u64(j, "KeySize", b->key_size);
		hornet_json_u64(j, "ValueSize", b->value_size);
		hornet_json_u64(j, "MaxEntries", b->max_entries);
		hornet_json_strn(j, "MapName", b->name, strnlen(b->name, sizeof(b->name)));
		hornet_json_obj_end(j);
		return 0;
	}
	case HORNET_GT_PERF_EVENT: {
		const struct hornet_perf_data *pd = (const void *)d;

		if (len < sizeof(*pd))
			return -EINVAL;
		hornet_json_obj_begin(j, "perf_event_arg");
		hornet_json_strn(j, "KprobeFunc", pd->func, strnlen(pd->func, sizeof(pd->func)));
		hornet_json_u64(j, "Type", pd->type);
		hornet_json_u64(j, "Config", pd->config);
		hornet_json_u64(j, "ProbeOffset", pd->probe_offset);
		hornet_json_obj_end(j);
		return 0;
	}
	default:
		return 1; /* nothing to show (nop) */
	}
}

/* Finds spec @spec's record among the event's arguments. */
static const struct hornet_gen_arg *find_arg(const char *data, size_t len, unsigned int nr,
					     uint8_t spec, const char **payload)
{
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct hornet_gen_arg *a = (const void *)(data + off);

		if (off + sizeof(*a) > len || a->len > len - off - sizeof(*a))
			return NULL;
		if (a->spec == spec) {
			*payload = data + off + sizeof(*a);
			return a;
		}
		off += sizeof(*a) + ((a->len + 7) & ~7U);
	}
	return NULL;
}

/* One argument as an object: a member of args[] (key NULL) or "return". */
static int render_one(struct hornet_json *j, const char *key, const struct hornet_render_arg *ra,
		      const char *data, size_t len, unsigned int nr)
{
	const struct hornet_gen_arg *a;
	const char *payload = NULL;
	int ret;

	a = find_arg(data, len, nr, ra->spec, &payload);
	if (!a)
		return -EINVAL;
	hornet_json_obj_begin(j, key);
	ret = render_arg(j, ra, a, payload);
	if (ret < 0)
		return ret;
	if (ra->label)
		hornet_json_str(j, "label", ra->label);
	hornet_json_obj_end(j);
	return 0;
}

static const char *action_name(uint8_t a)
{
	switch (a) {
	case HORNET_A_SIGKILL:
		return "KPROBE_ACTION_SIGKILL";
	case HORNET_A_SIGNAL:
		return "KPROBE_ACTION_SIGNAL";
	case HORNET_A_OVERRIDE:
		return "KPROBE_ACTION_OVERRIDE";
	case HORNET_A_NOPOST:
		return "KPROBE_ACTION_NOPOST";
	default:
		return "KPROBE_ACTION_POST";
	}
}

static void render_stacks(struct hornet_json *j, const struct hornet_gen_event *e,
			  const struct hornet_stack_in *st)
{
	char module[4096];
	uint64_t off;
	const char *sym;
	size_t i;

	if (st->nr_kernel) {
		hornet_json_arr_begin(j, "kernel_stack_trace");
		for (i = 0; i < st->nr_kernel; i++) {
			hornet_json_obj_begin(j, NULL);
			hornet_json_u64(j, "address", st->kernel[i]);
			sym = hornet_ksyms__find(st->ksyms, st->kernel[i], &off);
			if (sym) {
				hornet_json_u64(j, "offset", off);
				hornet_json_str(j, "symbol", sym);
			}
			hornet_json_obj_end(j);
		}
		hornet_json_arr_end(j);
	}
	if (st->nr_user) {
		hornet_json_arr_begin(j, "user_stack_trace");
		for (i = 0; i < st->nr_user; i++) {
			hornet_json_obj_begin(j, NULL);
			hornet_json_u64(j, "address", st->user[i]);
			/* the process may be gone already: then only the address */
			if (!hornet_user_addr(e->pid, st->user[i], module, sizeof(module), &off)) {
				hornet_json_u64(j, "offset", off);
				hornet_json_str(j, "module", module);
			}
			hornet_json_obj_end(j);
		}
		hornet_json_arr_end(j);
	}
}

const char *hornet_render_generic(struct hornet_json *j, const struct hornet_render_ctx *ctx,
				  struct hornet_process *p, const struct hornet_render_hook *r,
				  const struct hornet_gen_event *e, const char *data, size_t len,
				  const struct hornet_stack_in *stacks)
{
	const char *type;
	char ts[HORNET_TIME_MAX];
	size_t i;

	switch (r->kind) {
	case HORNET_HOOK_TRACEPOINT:
		type = "process_tracepoint";
		break;
	case HORNET_HOOK_LSM:
		type = "process_lsm";
		break;
	case HORNET_HOOK_UPROBE:
	case HORNET_HOOK_USDT:
		type = "process_uprobe";
		break;
	default:
		type = "process_kprobe";
		break;
	}
	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, type);
	/* lean by default: the exec event of the process has the rest (see
	 * --policy-events-full-process) */
	hornet_render_process(j, "process", p, ctx,
			      ctx->policy_full_process ? HORNET_PROC_FULL : HORNET_PROC_LEAN);
	if (p->parent)
		hornet_render_process(j, "parent", p->parent, ctx,
				      ctx->policy_full_process ? HORNET_PROC_FULL
							       : HORNET_PROC_LEAN);
	if (r->kind == HORNET_HOOK_TRACEPOINT) {
		hornet_json_str(j, "subsys", r->subsys);
		hornet_json_str(j, "event", r->event);
	} else if (r->kind == HORNET_HOOK_UPROBE) {
		hornet_json_str(j, "path", r->path);
		hornet_json_str(j, "symbol", r->symbol);
	} else {
		hornet_json_str(j, "function_name", r->function_name);
	}
	hornet_json_arr_begin(j, "args");
	for (i = 0; i < r->nr_args; i++) {
		if (r->args[i].type == HORNET_ARG_NOP)
			continue;
		if (render_one(j, NULL, &r->args[i], data, len, e->nr_args))
			return NULL;
	}
	hornet_json_arr_end(j);
	if (r->has_ret && (e->flags & HORNET_GEN_EV_RET)) {
		if (r->ret.type == HORNET_ARG_INT || r->ret.type == HORNET_ARG_NONE) {
			hornet_json_obj_begin(j, "return");
			hornet_json_i64(j, "int_arg", e->ret);
			hornet_json_obj_end(j);
		} else if (render_one(j, "return", &r->ret, data, len, e->nr_args)) {
			/* the return value's own type, read like an argument */
			return NULL;
		}
		hornet_json_str(j, "return_action",
				r->return_action == HORNET_ACTION_NOPOST ? "KPROBE_ACTION_NOPOST"
									 : "KPROBE_ACTION_POST");
	}
	hornet_json_str(j, "action", action_name(e->action));
	if (e->flags & HORNET_GEN_EV_MONITOR)
		hornet_json_str(j, "policy_mode", "monitor");
	if (e->action == HORNET_A_OVERRIDE)
		hornet_json_i64(j, "override_error", e->action_arg);
	else if (e->action == HORNET_A_SIGNAL)
		hornet_json_i64(j, "signal", e->action_arg);
	hornet_json_str(j, "policy_name", r->policy_name);
	if (r->message)
		hornet_json_str(j, "message", r->message);
	if (r->nr_tags) {
		hornet_json_arr_begin(j, "tags");
		for (i = 0; i < r->nr_tags; i++)
			hornet_json_str(j, NULL, r->tags[i]);
		hornet_json_arr_end(j);
	}
	if (stacks)
		render_stacks(j, e, stacks);
	hornet_json_obj_end(j);
	hornet_json_str(j, "node_name", ctx->node_name);
	hornet_format_time(ts, e->hdr.ktime + ctx->boot_to_wall_ns);
	hornet_json_str(j, "time", ts);
	hornet_json_obj_end(j);
	return type;
}
