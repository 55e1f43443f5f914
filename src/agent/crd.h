/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policies from the cluster: list+watch of the TracingPolicy and
 * TracingPolicyNamespaced kinds of cilium.io/v1alpha1 and hornet.dev/v1alpha1,
 * fed to the policy manager as they are added, changed and deleted.
 *
 * A cluster policy is known to the manager by its name, a namespaced one as
 * "<namespace>/<name>" (two namespaces may use the same name, as Tetragon
 * allows); its events still carry its metadata.name as policy_name. The same
 * key from both groups, or the name of a policy loaded from a file or the
 * command line, is a conflict: the one there first is kept, the other is
 * reported (log, status) and applied if the first one goes away. Only
 * policies this module added are ever replaced or deleted by it.
 */
#ifndef HORNET_AGENT_CRD_H
#define HORNET_AGENT_CRD_H

#include <stdint.h>

#include "agent/policies.h"
#include "export/json.h"
#include "k8s/client.h"

struct hornet_crd;

/*
 * Starts the four watches on the loop of @epfd (their events are applied
 * on the loop's thread). A kind that the server does not have (its CRD is
 * not installed) is retried with backoff and reported, not fatal. Returns
 * NULL with errno set.
 */
struct hornet_crd *hornet_crd__start(struct hornet_pm *pm, const struct hornet_k8s_conn *conn,
				     int epfd);
/* Stops the watches; the policies they added stay with the manager. */
void hornet_crd__stop(struct hornet_crd *c);

struct hornet_crd_stats {
	unsigned int objects; /* policy objects known from the API */
	unsigned int applied; /* running as the object says */
	unsigned int failed; /* rejected by the parser or the kernel on this node */
	unsigned int conflicts; /* key already taken by another policy */
	uint64_t applies, apply_failures, deletes; /* since start */
	uint64_t refused; /* objects without a usable name or namespace */
};

void hornet_crd__stats(const struct hornet_crd *c, struct hornet_crd_stats *s);
/* Appends "k8s_policies": {...} (counts and each watched resource) to @j. */
void hornet_crd__status(struct hornet_crd *c, struct hornet_json *j);

#endif
