/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy events as JSON: process_kprobe, process_tracepoint, process_lsm
 * and process_uprobe, with args[] in Tetragon's *_arg shapes
 * (docs/events.md). Everything rendering needs of a policy hook is copied
 * into a hornet_render_hook, so events queued before a policy was deleted
 * or changed are still read with the layout they were made with.
 */
#ifndef HORNET_SENSORS_GENERIC_RENDER_H
#define HORNET_SENSORS_GENERIC_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/generic.h>

#include "export/event.h"
#include "export/json.h"
#include "policy/compile.h"
#include "policy/policy.h"
#include "util/ksyms.h"

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
};

int hornet_render_hook_init(struct hornet_render_hook *r, const struct hornet_point_user *u,
			    const uint8_t *arg_spec, uint8_t ret_spec);
void hornet_render_hook_free(struct hornet_render_hook *r);

/* Stack traces of an event, when its action asked for them. */
struct hornet_stack_in {
	const uint64_t *kernel; /* instruction pointers, innermost first */
	size_t nr_kernel;
	const uint64_t *user;
	size_t nr_user;
	const struct hornet_ksyms *ksyms;
};

/*
 * Renders one policy event (without newline); @data holds the event's
 * argument records. Returns the event's type key ("process_kprobe"), or
 * NULL when the records are malformed.
 */
const char *hornet_render_generic(struct hornet_json *j, const struct hornet_render_ctx *ctx,
				  struct hornet_process *p, const struct hornet_render_hook *r,
				  const struct hornet_gen_event *e, const char *data, size_t len,
				  const struct hornet_stack_in *stacks);

/* "O_RDONLY|O_CLOEXEC" */
void hornet_open_flags(uint32_t flags, char *out, size_t size);
/* "-rw-r--r--" */
void hornet_permission(uint32_t mode, char out[11]);

#endif
