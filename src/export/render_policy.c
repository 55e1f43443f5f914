// SPDX-License-Identifier: GPL-2.0
/*
 * Policy events as JSON: process_kprobe, process_tracepoint, process_lsm
 * and process_uprobe, with args[] in Tetragon's *_arg shapes
 * (docs/events.md), from the typed event the generic sensor decoded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "export/event.h"
#include "util/base64.h"
#include "vocab/vocab.h"

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

static const char *caps_key(enum hornet_val_kind k)
{
	switch (k) {
	case HORNET_VAL_CAP_PERMITTED:
		return "cap_permitted_arg";
	case HORNET_VAL_CAP_INHERITABLE:
		return "cap_inheritable_arg";
	case HORNET_VAL_CAP_EFFECTIVE:
		return "cap_effective_arg";
	default:
		return "kernel_cap_t_arg";
	}
}

static void render_file(struct hornet_json *j, const struct hornet_arg_val *v)
{
	const char *key = v->kind == HORNET_VAL_PATH	 ? "path_arg"
			  : v->kind == HORNET_VAL_BINPRM ? "linux_binprm_arg"
							 : "file_arg";
	char buf[256], perm[11];

	hornet_json_obj_begin(j, key);
	if (!v->file.fd) {
		/* the pointer was NULL or unreadable */
		hornet_json_obj_end(j);
		return;
	}
	hornet_json_strn(j, "path", v->file.path, v->file.path_len);
	if (v->kind != HORNET_VAL_PATH) {
		hornet_open_flags(v->file.fd->flags, buf, sizeof(buf));
		hornet_json_str(j, "flags", buf);
	}
	hornet_permission(v->file.fd->mode, perm);
	hornet_json_str(j, "permission", perm);
	if (v->truncated)
		hornet_json_bool(j, "truncated", true);
	hornet_json_obj_end(j);
}

static void render_sock_arg(struct hornet_json *j, const struct hornet_arg_val *v)
{
	const struct hornet_sock_data *sd = v->sock;
	bool skb = v->kind == HORNET_VAL_SKB;
	char buf[64];

	hornet_json_obj_begin(j, skb ? "skb_arg" : "sock_arg");
	named_or_number(j, "family", hornet_family_name(sd->family), sd->family);
	if (!skb)
		named_or_number(j, "type", hornet_vocab_name(HORNET_VOCAB_SOCK_TYPE, sd->type),
				sd->type);
	named_or_number(j, "protocol", hornet_protocol_name(sd->protocol), sd->protocol);
	hornet_addr_text(sd->family, sd->saddr, buf, sizeof(buf));
	hornet_json_str(j, "saddr", buf);
	hornet_addr_text(sd->family, sd->daddr, buf, sizeof(buf));
	hornet_json_str(j, "daddr", buf);
	hornet_json_u64(j, "sport", sd->sport);
	hornet_json_u64(j, "dport", sd->dport);
	if (skb) {
		hornet_json_u64(j, "len", sd->len);
	} else {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sd->cookie);
		hornet_json_str(j, "cookie", buf);
		named_or_number(j, "state", hornet_tcp_state_name(sd->state), sd->state);
	}
	hornet_json_obj_end(j);
}

static void render_cred(struct hornet_json *j, const struct hornet_cred_data *c)
{
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
}

/* Renders one argument's value (the object key and its content). */
static int render_value(struct hornet_json *j, const struct hornet_arg_val *v)
{
	char buf[64];

	switch (v->kind) {
	case HORNET_VAL_NONE:
		break;
	case HORNET_VAL_INT:
		hornet_json_i64(j, "int_arg", v->i);
		break;
	case HORNET_VAL_UINT:
		hornet_json_u64(j, "uint_arg", v->u);
		break;
	case HORNET_VAL_LONG:
		hornet_json_i64(j, "long_arg", v->i);
		break;
	case HORNET_VAL_SIZE:
		hornet_json_u64(j, "size_arg", v->u);
		break;
	case HORNET_VAL_CAPABILITY:
		hornet_json_obj_begin(j, "capability_arg");
		hornet_json_i64(j, "value", v->i);
		if (v->i >= 0 && hornet_cap_name(v->i))
			hornet_json_str(j, "name", hornet_cap_name(v->i));
		hornet_json_obj_end(j);
		break;
	case HORNET_VAL_SYSCALL_ID:
		hornet_json_obj_begin(j, "syscall_id");
		hornet_json_u64(j, "id", v->u & 0x7fffffff);
		hornet_json_str(j, "abi", v->u & 0x80000000 ? "i386" : "x64");
		hornet_json_obj_end(j);
		break;
	case HORNET_VAL_CAP_PERMITTED:
	case HORNET_VAL_CAP_INHERITABLE:
	case HORNET_VAL_CAP_EFFECTIVE:
	case HORNET_VAL_KERNEL_CAP:
		render_caps_list(j, caps_key(v->kind), v->u);
		break;
	case HORNET_VAL_STRING:
		hornet_json_strn(j, "string_arg", v->str.s, v->str.len);
		/* beside it, as "label" is: a string cut at 4095 bytes, or a path
		 * whose directory did not fit (then it is the name as given) */
		if (v->truncated)
			hornet_json_bool(j, "truncated", true);
		break;
	case HORNET_VAL_BYTES: {
		size_t n = HORNET_BASE64_SIZE(v->bytes.len);
		char *b64 = malloc(n);

		if (!b64)
			return -ENOMEM;
		hornet_base64_encode(v->bytes.data, v->bytes.len, b64, n);
		if (v->truncated) {
			hornet_json_obj_begin(j, "truncated_bytes_arg");
			hornet_json_str(j, "bytes_arg", b64);
			hornet_json_u64(j, "orig_size", v->bytes.orig_size);
			hornet_json_obj_end(j);
		} else {
			hornet_json_str(j, "bytes_arg", b64);
		}
		free(b64);
		break;
	}
	case HORNET_VAL_FILE:
	case HORNET_VAL_PATH:
	case HORNET_VAL_BINPRM:
		render_file(j, v);
		break;
	case HORNET_VAL_SOCK:
	case HORNET_VAL_SKB:
		render_sock_arg(j, v);
		break;
	case HORNET_VAL_SOCKADDR: {
		const struct hornet_sockaddr_data *sa = v->sockaddr;

		hornet_json_obj_begin(j, "sockaddr_arg");
		named_or_number(j, "family", hornet_family_name(sa->family), sa->family);
		if (sa->family == AF_INET || sa->family == AF_INET6) {
			hornet_addr_text(sa->family, sa->addr, buf, sizeof(buf));
			hornet_json_str(j, "addr", buf);
			hornet_json_u64(j, "port", sa->port);
		}
		hornet_json_obj_end(j);
		break;
	}
	case HORNET_VAL_SOCKADDR_UN: {
		const struct hornet_sockaddr_un_data *su = v->sockaddr_un;

		hornet_json_obj_begin(j, "sockaddrun_arg");
		named_or_number(j, "family", hornet_family_name(su->family), su->family);
		hornet_json_strn(j, "path", su->path, hornet_sockaddr_un_path_len(su));
		hornet_json_obj_end(j);
		break;
	}
	case HORNET_VAL_BPF_CMD:
		/* as protojson writes an enum: its name, or a number it has none for */
		if (hornet_vocab_name(HORNET_VOCAB_BPF_CMD, v->i))
			hornet_json_str(j, "bpf_cmd_arg",
					hornet_vocab_name(HORNET_VOCAB_BPF_CMD, v->i));
		else
			hornet_json_i64(j, "bpf_cmd_arg", v->i);
		break;
	case HORNET_VAL_NET_DEV:
	case HORNET_VAL_MODULE:
		hornet_json_obj_begin(j,
				      v->kind == HORNET_VAL_NET_DEV ? "net_dev_arg" : "module_arg");
		hornet_json_strn(j, "name", v->str.s, v->str.len);
		hornet_json_obj_end(j);
		break;
	case HORNET_VAL_CRED:
		render_cred(j, v->cred);
		break;
	case HORNET_VAL_USER_NS:
		hornet_json_obj_begin(j, "user_ns_arg");
		hornet_json_u64(j, "level", v->userns->level);
		hornet_json_u64(j, "uid", v->userns->uid);
		hornet_json_u64(j, "gid", v->userns->gid);
		hornet_json_obj_begin(j, "ns");
		hornet_json_u64(j, "inum", v->userns->inum);
		hornet_json_obj_end(j);
		hornet_json_obj_end(j);
		break;
	case HORNET_VAL_BPF_ATTR:
	case HORNET_VAL_BPF_PROG: {
		const struct hornet_bpf_data *b = v->bpf;

		hornet_json_obj_begin(j, v->kind == HORNET_VAL_BPF_ATTR ? "bpf_attr_arg"
									: "bpf_prog_arg");
		named_or_number(j, "ProgType",
				hornet_vocab_name(HORNET_VOCAB_BPF_PROG_TYPE, b->type), b->type);
		hornet_json_u64(j, "InsnCnt", b->insn_cnt);
		hornet_json_strn(j, "ProgName", b->name, strnlen(b->name, sizeof(b->name)));
		hornet_json_obj_end(j);
		break;
	}
	case HORNET_VAL_BPF_MAP: {
		const struct hornet_bpf_data *b = v->bpf;

		hornet_json_obj_begin(j, "bpf_map_arg");
		hornet_json_u64(j, "MapType", b->type);
		hornet_json_u64(j, "KeySize", b->key_size);
		hornet_json_u64(j, "ValueSize", b->value_size);
		hornet_json_u64(j, "MaxEntries", b->max_entries);
		hornet_json_strn(j, "MapName", b->name, strnlen(b->name, sizeof(b->name)));
		hornet_json_obj_end(j);
		break;
	}
	case HORNET_VAL_PERF_EVENT: {
		const struct hornet_perf_data *pd = v->perf;

		hornet_json_obj_begin(j, "perf_event_arg");
		hornet_json_strn(j, "KprobeFunc", pd->func, strnlen(pd->func, sizeof(pd->func)));
		hornet_json_u64(j, "Type", pd->type);
		hornet_json_u64(j, "Config", pd->config);
		hornet_json_u64(j, "ProbeOffset", pd->probe_offset);
		hornet_json_obj_end(j);
		break;
	}
	}
	return 0;
}

/* One argument as an object: a member of args[] (key NULL) or "return". */
static int render_one(struct hornet_json *j, const char *key, const struct hornet_arg_val *v)
{
	int ret;

	hornet_json_obj_begin(j, key);
	ret = render_value(j, v);
	if (ret)
		return ret;
	if (v->label)
		hornet_json_str(j, "label", v->label);
	hornet_json_obj_end(j);
	return 0;
}

const char *hornet_kprobe_action_name(uint8_t a)
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
	case HORNET_A_SET:
		return "KPROBE_ACTION_SET";
	case HORNET_A_NOTIFY:
		return "KPROBE_ACTION_NOTIFYENFORCER";
	default:
		return "KPROBE_ACTION_POST";
	}
}

/* "shadow": what the shadow and the policy it shadows decided on this call */
static void render_shadow(struct hornet_json *j, const struct hornet_policy_event *pe)
{
	hornet_json_str(j, "policy_mode", "shadow");
	hornet_json_obj_begin(j, "shadow");
	hornet_json_str(j, "of", pe->shadow_of ? pe->shadow_of : "");
	hornet_json_str(j, "action", pe->action ? hornet_kprobe_action_name(pe->action) : "none");
	hornet_json_str(j, "current_action",
			pe->current_action ? hornet_kprobe_action_name(pe->current_action)
					   : "none");
	if (pe->current_action == HORNET_A_OVERRIDE)
		hornet_json_i64(j, "current_override_error", pe->current_arg);
	else if (pe->current_action == HORNET_A_SIGNAL)
		hornet_json_i64(j, "current_signal", pe->current_arg);
	hornet_json_obj_end(j);
}

static void render_stack(struct hornet_json *j, const char *key, const char *name_key,
			 const struct hornet_stack_frame *f, size_t n)
{
	size_t i;

	if (!n)
		return;
	hornet_json_arr_begin(j, key);
	for (i = 0; i < n; i++) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_u64(j, "address", f[i].address);
		if (f[i].name) {
			hornet_json_u64(j, "offset", f[i].offset);
			hornet_json_str(j, name_key, f[i].name);
		}
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
}

/* process_usdt, as Tetragon: the binary, the provider and the probe's name */
static void render_usdt(struct hornet_json *j, const struct hornet_policy_event *pe)
{
	const char *sym = pe->symbol ? pe->symbol : "", *colon = strchr(sym, ':');

	hornet_json_str(j, "path", pe->path);
	hornet_json_strn(j, "provider", sym, colon ? (size_t)(colon - sym) : 0);
	hornet_json_str(j, "name", colon ? colon + 1 : sym);
}

int hornet_render_policy(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			 const struct hornet_event *ev)
{
	const struct hornet_policy_event *pe = &ev->policy;
	size_t i;
	int ret;

	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, hornet_event_type_name(ev));
	/* lean by default: the exec event of the process has the rest (see
	 * --policy-events-full-process) */
	hornet_render_lineage_lean(j, ctx, ev);
	if (pe->kind == HORNET_POLICY_TRACEPOINT) {
		hornet_json_str(j, "subsys", pe->subsys);
		hornet_json_str(j, "event", pe->event);
	} else if (pe->kind == HORNET_POLICY_UPROBE) {
		hornet_json_str(j, "path", pe->path);
		hornet_json_str(j, "symbol", pe->symbol);
	} else if (pe->kind == HORNET_POLICY_USDT) {
		render_usdt(j, pe);
	} else {
		hornet_json_str(j, "function_name", pe->function_name);
	}
	hornet_json_arr_begin(j, "args");
	for (i = 0; i < pe->nr_args; i++) {
		ret = render_one(j, NULL, &pe->args[i]);
		if (ret)
			return ret;
	}
	hornet_json_arr_end(j);
	if (pe->has_ret) {
		ret = render_one(j, "return", &pe->ret);
		if (ret)
			return ret;
		hornet_json_str(j, "return_action",
				pe->ret_nopost ? "KPROBE_ACTION_NOPOST" : "KPROBE_ACTION_POST");
	}
	/* a shadow that did not match has no action: left out, as protojson
	 * leaves KPROBE_ACTION_UNKNOWN */
	if (!pe->shadow || pe->action)
		hornet_json_str(j, "action", hornet_kprobe_action_name(pe->action));
	if (pe->ima_hash)
		hornet_json_str(j, "ima_hash", pe->ima_hash);
	if (pe->monitor)
		hornet_json_str(j, "policy_mode", "monitor");
	if (pe->shadow)
		render_shadow(j, pe);
	if (pe->action == HORNET_A_OVERRIDE)
		hornet_json_i64(j, "override_error", pe->action_arg);
	else if (pe->action == HORNET_A_SIGNAL)
		hornet_json_i64(j, "signal", pe->action_arg);
	hornet_json_str(j, "policy_name", pe->policy_name);
	if (pe->message)
		hornet_json_str(j, "message", pe->message);
	if (pe->nr_tags) {
		hornet_json_arr_begin(j, "tags");
		for (i = 0; i < pe->nr_tags; i++)
			hornet_json_str(j, NULL, pe->tags[i]);
		hornet_json_arr_end(j);
	}
	render_stack(j, "kernel_stack_trace", "symbol", pe->kernel_stack, pe->nr_kernel_stack);
	render_stack(j, "user_stack_trace", "module", pe->user_stack, pe->nr_user_stack);
	/* after the stacks, as in Tetragon's messages (its field numbers) */
	if (!ev->process_unknown && (ctx->ancestors_policy & (1U << pe->kind)))
		hornet_render_ancestors(j, ctx, ev->process,
					ctx->policy_full_process ? HORNET_PROC_FULL
								 : HORNET_PROC_LEAN);
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ev->ktime);
	return 0;
}
