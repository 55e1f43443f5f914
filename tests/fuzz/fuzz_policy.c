// SPDX-License-Identifier: GPL-2.0
/*
 * Any bytes as a policy: hornet_policy_parse() either returns a model or
 * refuses with one line, and never crashes or leaks (ASan checks at exit).
 * A model it returns must hold together: every string readable and
 * NUL-terminated, every count within its bound, every matchArgs entry
 * naming an argument that exists.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static volatile size_t sink;

/* Reads @s to its end, so that ASan sees every byte. */
static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void touch_values(const struct hornet_values *vs)
{
	size_t i;

	if (vs->n && !vs->v)
		abort();
	for (i = 0; i < vs->n; i++) {
		if (!vs->v[i].str || !vs->v[i].pos.line || !vs->v[i].pos.column)
			abort();
		touch(vs->v[i].str);
	}
}

static void touch_arg(const struct hornet_arg *a, bool present)
{
	if (!present)
		return;
	if (a->type <= HORNET_ARG_NONE || a->type >= HORNET_ARG_TYPE_COUNT || !a->type_name)
		abort();
	touch(a->type_name);
	touch(a->label);
	touch(a->resolve);
}

static void check_match_args(const struct hornet_hook *h, const struct hornet_match_arg *m,
			     size_t n, bool ret)
{
	size_t i, k;

	if (n && !m)
		abort();
	for (i = 0; i < n; i++) {
		if (m[i].op <= HORNET_OP_NONE || m[i].op >= HORNET_OP_IN)
			abort();
		touch_values(&m[i].values);
		if (ret) {
			if (h->return_arg.type == HORNET_ARG_NONE)
				abort();
			continue;
		}
		if (m[i].args_form) {
			if (m[i].index >= h->nr_args)
				abort();
			continue;
		}
		for (k = 0; k < h->nr_args; k++)
			if (h->args[k].index == m[i].index)
				break;
		if (k == h->nr_args)
			abort();
	}
}

static void check_actions(const struct hornet_match_action *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i].action >= HORNET_ACTION_COUNT)
			abort();
		if (a[i].action == HORNET_ACTION_GETURL && !a[i].arg_url)
			abort();
		if (a[i].action == HORNET_ACTION_SIGNAL && (a[i].arg_sig < 1 || a[i].arg_sig > 64))
			abort();
		touch(a[i].arg_url);
		touch(a[i].arg_fqdn);
	}
}

static void check_selector(const struct hornet_hook *h, const struct hornet_selector *s)
{
	size_t i;

	check_match_args(h, s->args, s->nr_args, false);
	check_match_args(h, s->return_args, s->nr_return_args, true);
	for (i = 0; i < s->nr_data_args; i++) {
		/* matchData: a position in data[] */
		if (!s->data_args[i].args_form || s->data_args[i].index >= h->nr_data)
			abort();
		touch_values(&s->data_args[i].values);
	}
	for (i = 0; i < s->nr_pids; i++)
		touch_values(&s->pids[i].values);
	for (i = 0; i < s->nr_binaries; i++)
		touch_values(&s->binaries[i].values);
	for (i = 0; i < s->nr_parent_binaries; i++)
		touch_values(&s->parent_binaries[i].values);
	for (i = 0; i < s->nr_ns; i++) {
		if (s->ns[i].ns >= HORNET_NST_COUNT)
			abort();
		touch_values(&s->ns[i].values);
	}
	for (i = 0; i < s->nr_caps; i++)
		touch_values(&s->caps[i].values);
	for (i = 0; i < s->nr_ns_changes; i++)
		if (s->ns_changes[i].ns_mask >> HORNET_NST_COUNT)
			abort();
	if (s->nr_actions > HORNET_POLICY_MAX_ACTIONS ||
	    s->nr_return_actions > HORNET_POLICY_MAX_ACTIONS || (s->nr_return_actions && !h->ret))
		abort();
	check_actions(s->actions, s->nr_actions);
	check_actions(s->return_actions, s->nr_return_actions);
}

/* A label selector: keys and values readable, counts as the operator wants. */
static void touch_labels(const struct hornet_label_selector *sel)
{
	const struct hornet_label_req *r;
	size_t i, k;

	if (!sel->present && sel->nr_reqs)
		abort();
	for (i = 0; i < sel->nr_reqs; i++) {
		r = &sel->reqs[i];
		if (!r->key || r->op > HORNET_LABEL_DOES_NOT_EXIST)
			abort();
		if ((r->op <= HORNET_LABEL_NOT_IN) != (r->nr_values > 0))
			abort();
		touch(r->key);
		for (k = 0; k < r->nr_values; k++)
			touch(r->values[k]);
	}
}

static void check_policy(const struct hornet_policy *p)
{
	size_t i, k;

	if (!p->file || !p->api_version || !p->name || !p->name[0])
		abort();
	touch(p->file);
	touch(p->api_version);
	touch(p->name);
	touch(p->namespace);
	touch_labels(&p->pod_selector);
	touch_labels(&p->container_selector);
	touch_labels(&p->host_selector);
	if (p->host_selector.nr_reqs)
		abort();
	if (!p->nr_hooks && !p->loader)
		abort();
	for (i = 0; i < p->nr_lists; i++) {
		if (!p->lists[i].name)
			abort();
		touch(p->lists[i].name);
		touch(p->lists[i].type);
		touch(p->lists[i].pattern);
		for (k = 0; k < p->lists[i].nr_values; k++)
			touch(p->lists[i].values[k]);
	}
	for (i = 0; i < p->nr_options; i++) {
		if (!p->options_names[i] || !p->options_values[i])
			abort();
		touch(p->options_names[i]);
		touch(p->options_values[i]);
	}
	for (i = 0; i < p->nr_hooks; i++) {
		const struct hornet_hook *h = &p->hooks[i];

		if (!h->call || !h->call[0] || h->kind > HORNET_HOOK_USDT)
			abort();
		if (h->nr_args > HORNET_POLICY_MAX_ARGS || h->nr_data > HORNET_POLICY_MAX_ARGS ||
		    h->nr_selectors > HORNET_POLICY_MAX_SELECTORS)
			abort();
		touch(h->call);
		touch(h->subsystem);
		touch(h->event);
		touch(h->path);
		touch(h->message);
		touch_arg(&h->return_arg, h->return_arg.type != HORNET_ARG_NONE);
		for (k = 0; k < h->nr_args; k++)
			touch_arg(&h->args[k], true);
		for (k = 0; k < h->nr_data; k++)
			touch_arg(&h->data[k], true);
		for (k = 0; k < h->nr_symbols; k++)
			touch(h->symbols[k]);
		for (k = 0; k < h->nr_tags; k++)
			touch(h->tags[k]);
		for (k = 0; k < h->nr_selectors; k++)
			check_selector(h, &h->selectors[k]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hornet_policy *p;
	char err[512];

	memset(err, 'X', sizeof(err));
	errno = 0;
	p = hornet_policy_parse((const char *)data, size, "fuzz.yaml", err, sizeof(err));
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	if (!p) {
		if (errno != EINVAL && errno != EFBIG && errno != ENOMEM)
			abort();
		if (!err[0] || strncmp(err, "fuzz.yaml:", 10) || strchr(err, '\n'))
			abort(); /* a refusal is one line that says where */
		return 0;
	}
	if (err[0])
		abort();
	check_policy(p);
	hornet_policy_free(p);
	return 0;
}
