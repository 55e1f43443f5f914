/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's workload scope map (hornet_scope_cg): for every container
 * cgroup the agent knows, the scopes of the policies that select it (a
 * cgroup not in it is the host's; the compiled selectors say whether their
 * scope holds the host). Computed from the
 * workload store (pods, their labels and namespace, container name and
 * image) and the policy manager's scoped policies; written entry by entry,
 * only where a bitmap changed, so a change never blinks a policy off for a
 * cgroup it still selects.
 *
 * A container's cgroup id comes from the OCI hook (before its first
 * process runs) or, without the hook, from the first exec event of a
 * process in it (hornet_scope__learn).
 */
#ifndef HORNET_AGENT_SCOPE_H
#define HORNET_AGENT_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/policies.h"
#include "process/pods.h"

struct hornet_scope;

struct hornet_scope_stats {
	uint64_t updates; /* recomputations */
	uint64_t writes; /* map entries written or deleted */
	uint64_t errors; /* map writes that failed (the map is full) */
	size_t cgroups; /* container cgroups in the map */
	size_t learned; /* containers whose cgroup the hook or an exec event named */
};

/* @map_fd: hornet_scope_cg (not owned). Returns NULL with errno set. */
struct hornet_scope *hornet_scope__new(int map_fd, const struct hornet_pod_store *pods);
void hornet_scope__free(struct hornet_scope *s);

/*
 * Brings the map up to date with the store and @pm's scoped policies (@pm
 * may be NULL): the pods changed since the last update, or every one when
 * @policies (the scoped policies changed). Without scoped policies the map
 * is emptied and nothing is computed: no program reads it.
 */
int hornet_scope__update(struct hornet_scope *s, const struct hornet_pm *pm, bool policies);

/* Container @id runs in cgroup @cgroup_id; true when that is news (then update). */
bool hornet_scope__learn(struct hornet_scope *s, const char *id, uint64_t cgroup_id);

/* Container @id is gone (the hook at poststop): its cgroup goes at the next update. */
void hornet_scope__forget(struct hornet_scope *s, const char *id);

/*
 * Whether the last update found a policy with a cgroupSelector: cgroups
 * made under its paths since are found by updating again (the agent does
 * every few seconds while it is true).
 */
bool hornet_scope__has_cgroups(const struct hornet_scope *s);

void hornet_scope__stats(const struct hornet_scope *s, struct hornet_scope_stats *st);

#endif
