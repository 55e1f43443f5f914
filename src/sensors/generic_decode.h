/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the generic sensor's records into typed policy events
 * (export/types.h). Everything decoding needs of a policy hook is copied
 * into a hornet_render_hook, so events queued before a policy was deleted
 * or changed are still read with the layout they were made with.
 */
#ifndef HORNET_SENSORS_GENERIC_DECODE_H
#define HORNET_SENSORS_GENERIC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/generic.h>

#include "export/types.h"
#include "policy/compile.h"
#include "policy/policy.h"

struct hornet_render_arg {
	uint8_t spec; /* the spec its data comes from */
	enum hornet_arg_type type; /* as the policy wrote it */
	char *label;
};

struct hornet_render_user_action {
	enum hornet_action action; /* GetUrl or DnsLookup */
	char *arg; /* NULL: none */
};

struct hornet_render_hook {
	char *policy_name;
	char *shadow_of; /* a shadow's: the policy it shadows */
	char *shadow_name; /* a shadowed policy's: its shadow */
	/* a shadow's metadata.name: its events once it is promoted (it acts
	 * before its point is rebuilt without its policy), as after */
	char *promoted_name;
	enum hornet_hook_kind kind;
	char *function_name;
	char *subsys;
	char *event;
	char *path;
	char *symbol;
	char *message;
	char **tags;
	size_t nr_tags;
	struct hornet_render_arg args[2 * HORNET_POLICY_MAX_ARGS];
	size_t nr_args;
	struct hornet_render_arg ret;
	bool has_ret;
	enum hornet_action return_action;
	struct hornet_render_user_action user_actions[HORNET_POLICY_MAX_SELECTORS]
						     [HORNET_POLICY_MAX_ACTIONS];
	bool ima_hash[HORNET_POLICY_MAX_SELECTORS]; /* a Post with imaHash: true */
};

int hornet_render_hook_init(struct hornet_render_hook *r, const struct hornet_point_user *u,
			    const uint8_t *arg_spec, uint8_t ret_spec);
void hornet_render_hook_free(struct hornet_render_hook *r);

/*
 * Decodes one policy event of hook @r into @out (kind HORNET_EV_POLICY,
 * without process and stacks); @data holds the event's argument records,
 * which @out points into. Returns 0, or -EINVAL when they are malformed.
 */
int hornet_gen_decode(struct hornet_event *out, const struct hornet_render_hook *r,
		      const struct hornet_gen_event *e, const char *data, size_t len);

#endif
