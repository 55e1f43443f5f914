/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy's enforcer (bpf/enforcer.bpf.c) in user space: the programs that
 * act on its NotifyEnforcer notifications, attached to the syscalls its plan
 * lists (struct hornet_plan_enforcer), with the policy engine's maps of
 * notifications and counters.
 */
#ifndef HORNET_SENSORS_ENFORCER_H
#define HORNET_SENSORS_ENFORCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/plan.h"

struct hornet_policy_enforcer;

struct hornet_enforcer_opts {
	uint32_t policy_id;
	int notify_fd; /* hornet_notify */
	int stats_fd; /* hornet_policy_stats */
	/* --keep-enforcement: the links are pinned there (link_enf_<pid>_<policy>_<n>)
	 * and enforce on after the agent; NULL: they go with it */
	const char *pin_dir;
};

/*
 * Loads and attaches the enforcer of a policy for @pe[@n]. Returns it, or
 * NULL with errno set and a message in @err naming the syscall that failed.
 */
struct hornet_policy_enforcer *
hornet_policy_enforcer__attach(const struct hornet_plan_enforcer *pe, size_t n,
			       const struct hornet_enforcer_opts *opts, char *err, size_t err_size);

/*
 * Detaches and frees @e (NULL is no error). @unpin: its pins go too (the
 * policy is gone); else they stay and enforce on (the agent stops).
 */
void hornet_policy_enforcer__free(struct hornet_policy_enforcer *e, bool unpin);

#endif
