/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which workloads a policy applies to, from its podSelector,
 * containerSelector, hostSelector and TracingPolicyNamespaced namespace,
 * with Tetragon's rules for what an absent selector means. Pure user space:
 * the agent (agent/scope.c) applies it to the workload store and writes the
 * kernel's map; the unit tests check it without either.
 */
#ifndef HORNET_POLICY_SCOPE_H
#define HORNET_POLICY_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

/* A container as the scope sees it; @pod_namespace NULL: not in a pod. */
struct hornet_workload {
	const char *pod_namespace;
	const char *const (*labels)[2]; /* the pod's labels: key, value */
	size_t nr_labels;
	const char *name; /* container name; NULL unknown */
	const char *repo; /* image repository (no tag, no digest); NULL unknown */
};

/* false: the policy applies to every process (no selector, or all of them {}). */
bool hornet_policy_scoped(const struct hornet_policy *p);
/* Whether a scoped policy applies to the container @w. */
bool hornet_policy_selects(const struct hornet_policy *p, const struct hornet_workload *w);
/* Whether a scoped policy applies to processes outside every container. */
bool hornet_policy_selects_host(const struct hornet_policy *p);

/* "docker.io/library/busybox" of "docker.io/library/busybox:1.36@sha256:..." into @out. */
void hornet_image_repo(const char *image, char *out, size_t size);

/* One line for `hornet policy list`: "all", "host", "namespace prod, pods app=x, ...". */
void hornet_policy_scope_str(const struct hornet_policy *p, char *out, size_t size);

#endif
