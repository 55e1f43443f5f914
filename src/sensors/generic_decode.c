// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/plan.h"
#include "sensors/generic_decode.h"

_Static_assert(HORNET_EVENT_MAX_ARGS >= 2 * HORNET_POLICY_MAX_ARGS,
	       "a typed policy event holds every argument a hook reads");

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
	r->policy_name = dup_or_null(u->name ? u->name : u->policy->name);
	r->shadow_of = dup_or_null(u->shadow_of_name);
	r->shadow_name = dup_or_null(u->shadow_name);
	r->promoted_name = dup_or_null(u->shadow_of_name ? u->policy->name : NULL);
	r->kind = h->kind;
	r->function_name = dup_or_null(ph->function_name);
	r->subsys = dup_or_null(h->subsystem);
	r->event = dup_or_null(h->event);
	/* a USDT probe's symbol is "provider:name" */
	r->path = dup_or_null(
		h->kind == HORNET_HOOK_UPROBE || h->kind == HORNET_HOOK_USDT ? ph->path : NULL);
	r->symbol = dup_or_null(
		h->kind == HORNET_HOOK_UPROBE || h->kind == HORNET_HOOK_USDT ? ph->target : NULL);
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
			r->ima_hash[i] |= ma->action == HORNET_ACTION_POST && ma->ima_hash;
		}
	}
	return 0;
}

void hornet_render_hook_free(struct hornet_render_hook *r)
{
	size_t i, a;

	free(r->promoted_name);
	free(r->policy_name);
	free(r->shadow_of);
	free(r->shadow_name);
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

/* An integer, shown by the type the policy gave it. */
static void decode_int(struct hornet_arg_val *v, enum hornet_arg_type type, int64_t i)
{
	v->i = i;
	switch (type) {
	case HORNET_ARG_CAPABILITY:
		v->kind = HORNET_VAL_CAPABILITY;
		break;
	case HORNET_ARG_UINT32:
	case HORNET_ARG_UINT16:
	case HORNET_ARG_UINT8:
		v->kind = HORNET_VAL_UINT;
		break;
	case HORNET_ARG_INT64:
		v->kind = HORNET_VAL_LONG;
		break;
	case HORNET_ARG_UINT64:
	case HORNET_ARG_SIZE_T:
		v->kind = HORNET_VAL_SIZE;
		break;
	case HORNET_ARG_SYSCALL64:
		v->kind = HORNET_VAL_SYSCALL_ID;
		break;
	case HORNET_ARG_BPF_CMD:
		v->kind = HORNET_VAL_BPF_CMD;
		break;
	default:
		v->kind = HORNET_VAL_INT;
		break;
	}
}

static enum hornet_val_kind caps_kind(enum hornet_arg_type type)
{
	switch (type) {
	case HORNET_ARG_CAP_PERMITTED:
		return HORNET_VAL_CAP_PERMITTED;
	case HORNET_ARG_CAP_INHERITABLE:
		return HORNET_VAL_CAP_INHERITABLE;
	case HORNET_ARG_CAP_EFFECTIVE:
		return HORNET_VAL_CAP_EFFECTIVE;
	default:
		return HORNET_VAL_KERNEL_CAP;
	}
}

/* The fixed part of a typed record, or NULL when the record is too short. */
#define FIXED(a, d, type) ((a)->len < sizeof(type) ? NULL : (const type *)(d))

static int decode_arg(struct hornet_arg_val *v, const struct hornet_render_arg *ra,
		      const struct hornet_gen_arg *a, const char *d)
{
	uint32_t len = a->len;
	uint64_t u;

	memset(v, 0, sizeof(*v));
	v->label = ra->label;
	v->truncated = a->flags & HORNET_ARG_TRUNCATED;
	switch (a->type) {
	case HORNET_GT_INT:
		if (len < 8)
			return -EINVAL;
		memcpy(&u, d, 8);
		decode_int(v, ra->type, (int64_t)u);
		return 0;
	case HORNET_GT_CAPS:
		if (len < 8)
			return -EINVAL;
		memcpy(&v->u, d, 8);
		v->kind = caps_kind(ra->type);
		return 0;
	case HORNET_GT_STRING:
	case HORNET_GT_FILENAME:
	case HORNET_GT_DATALOC:
		v->kind = HORNET_VAL_STRING;
		v->str.s = d;
		v->str.len = len;
		return 0;
	case HORNET_GT_BUF:
	case HORNET_GT_IOVEC: /* the segments' bytes, one after the other */
	case HORNET_GT_IOV_ITER:
		if (len < 8)
			return -EINVAL;
		v->kind = HORNET_VAL_BYTES;
		memcpy(&v->bytes.orig_size, d, 8);
		v->bytes.data = (const uint8_t *)d + 8;
		v->bytes.len = len - 8;
		return 0;
	case HORNET_GT_FD:
	case HORNET_GT_FILE:
	case HORNET_GT_KIOCB:
	case HORNET_GT_PATH:
	case HORNET_GT_DENTRY:
	case HORNET_GT_BINPRM:
		v->kind = a->type == HORNET_GT_PATH || a->type == HORNET_GT_DENTRY ? HORNET_VAL_PATH
			  : a->type == HORNET_GT_BINPRM ? HORNET_VAL_BINPRM
							: HORNET_VAL_FILE;
		/* shorter: the pointer was NULL or unreadable (fd stays NULL) */
		v->file.fd = FIXED(a, d, struct hornet_file_data);
		if (v->file.fd) {
			v->file.path = d + sizeof(struct hornet_file_data);
			v->file.path_len = len - sizeof(struct hornet_file_data);
		}
		return 0;
	case HORNET_GT_SOCK:
	case HORNET_GT_SOCKET:
	case HORNET_GT_SKB:
		v->kind = a->type == HORNET_GT_SKB ? HORNET_VAL_SKB : HORNET_VAL_SOCK;
		v->sock = FIXED(a, d, struct hornet_sock_data);
		return v->sock ? 0 : -EINVAL;
	case HORNET_GT_SOCKADDR:
		v->kind = HORNET_VAL_SOCKADDR;
		v->sockaddr = FIXED(a, d, struct hornet_sockaddr_data);
		return v->sockaddr ? 0 : -EINVAL;
	case HORNET_GT_SOCKADDR_UN:
		v->kind = HORNET_VAL_SOCKADDR_UN;
		v->sockaddr_un = FIXED(a, d, struct hornet_sockaddr_un_data);
		return v->sockaddr_un ? 0 : -EINVAL;
	case HORNET_GT_NETDEV:
	case HORNET_GT_MODULE:
	case HORNET_GT_LOAD_INFO: {
		const struct hornet_name_data *nd = FIXED(a, d, struct hornet_name_data);

		if (!nd)
			return -EINVAL;
		v->kind = a->type == HORNET_GT_NETDEV ? HORNET_VAL_NET_DEV : HORNET_VAL_MODULE;
		v->str.s = nd->name;
		v->str.len = strnlen(nd->name, sizeof(nd->name));
		return 0;
	}
	case HORNET_GT_CRED:
		v->kind = HORNET_VAL_CRED;
		v->cred = FIXED(a, d, struct hornet_cred_data);
		return v->cred ? 0 : -EINVAL;
	case HORNET_GT_USER_NS:
		v->kind = HORNET_VAL_USER_NS;
		v->userns = FIXED(a, d, struct hornet_userns_data);
		return v->userns ? 0 : -EINVAL;
	case HORNET_GT_BPF_ATTR:
	case HORNET_GT_BPF_PROG:
	case HORNET_GT_BPF_MAP:
		v->kind = a->type == HORNET_GT_BPF_ATTR	  ? HORNET_VAL_BPF_ATTR
			  : a->type == HORNET_GT_BPF_PROG ? HORNET_VAL_BPF_PROG
							  : HORNET_VAL_BPF_MAP;
		v->bpf = FIXED(a, d, struct hornet_bpf_data);
		return v->bpf ? 0 : -EINVAL;
	case HORNET_GT_PERF_EVENT:
		v->kind = HORNET_VAL_PERF_EVENT;
		v->perf = FIXED(a, d, struct hornet_perf_data);
		return v->perf ? 0 : -EINVAL;
	default:
		v->kind = HORNET_VAL_NONE; /* nothing to show (nop) */
		return 0;
	}
}

static int decode_one(struct hornet_arg_val *v, const struct hornet_render_arg *ra,
		      const char *data, size_t len, unsigned int nr)
{
	const struct hornet_gen_arg *a;
	const char *payload = NULL;

	a = find_arg(data, len, nr, ra->spec, &payload);
	if (!a)
		return -EINVAL;
	return decode_arg(v, ra, a, payload);
}

static enum hornet_policy_kind policy_kind(enum hornet_hook_kind k)
{
	switch (k) {
	case HORNET_HOOK_TRACEPOINT:
		return HORNET_POLICY_TRACEPOINT;
	case HORNET_HOOK_LSM:
		return HORNET_POLICY_LSM;
	case HORNET_HOOK_UPROBE:
		return HORNET_POLICY_UPROBE;
	case HORNET_HOOK_USDT:
		return HORNET_POLICY_USDT;
	default:
		return HORNET_POLICY_KPROBE;
	}
}

int hornet_gen_decode(struct hornet_event *out, const struct hornet_render_hook *r,
		      const struct hornet_gen_event *e, const char *data, size_t len)
{
	struct hornet_policy_event *pe = &out->policy;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	out->kind = HORNET_EV_POLICY;
	out->ktime = e->hdr.ktime;
	pe->kind = policy_kind(r->kind);
	pe->function_name = r->function_name;
	pe->subsys = r->subsys;
	pe->event = r->event;
	pe->path = r->path;
	pe->symbol = r->symbol;
	for (i = 0; i < r->nr_args; i++) {
		if (r->args[i].type == HORNET_ARG_NOP)
			continue;
		ret = decode_one(&pe->args[pe->nr_args], &r->args[i], data, len, e->nr_args);
		if (ret)
			return ret;
		pe->nr_args++;
	}
	if (r->has_ret && (e->flags & HORNET_GEN_EV_RET)) {
		pe->has_ret = true;
		if (r->ret.type == HORNET_ARG_INT || r->ret.type == HORNET_ARG_NONE) {
			pe->ret.kind = HORNET_VAL_INT;
			pe->ret.i = e->ret;
		} else {
			/* the return value's own type, read like an argument */
			ret = decode_one(&pe->ret, &r->ret, data, len, e->nr_args);
			if (ret)
				return ret;
		}
		pe->ret_nopost = r->return_action == HORNET_ACTION_NOPOST;
	}
	pe->action = e->action;
	pe->monitor = e->flags & HORNET_GEN_EV_MONITOR;
	pe->action_arg = e->action_arg;
	pe->policy_name = r->policy_name;
	/* a shadow's selector that acted: the shadow was promoted */
	if (r->promoted_name && !(e->flags & HORNET_GEN_EV_SHADOW))
		pe->policy_name = r->promoted_name;
	if (e->flags & HORNET_GEN_EV_SHADOW) {
		/* named for the shadow, whichever side's selector was posted */
		pe->shadow = true;
		if (e->flags & HORNET_GEN_EV_SHADOW_CURRENT) {
			pe->policy_name = r->shadow_name;
			pe->shadow_of = r->policy_name;
			pe->action = 0;
			pe->action_arg = 0;
			pe->current_action = e->action;
			pe->current_arg = e->action_arg;
		} else {
			pe->shadow_of = r->shadow_of;
			pe->current_action = e->other_action;
			pe->current_arg = e->other_arg;
		}
	}
	pe->message = r->message;
	pe->tags = r->tags;
	pe->nr_tags = r->nr_tags;
	return 0;
}
