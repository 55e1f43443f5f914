/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pods of this node from the Kubernetes API into the workload store
 * (process/pods.h): a list+watch of /api/v1/pods with
 * fieldSelector=spec.nodeName=<node>, each Pod object turned into a struct
 * hornet_pod in Tetragon's shape (namespace, name, uid, labels, workload and
 * its kind from the controller owner, containers from the status).
 */
#ifndef HORNET_K8S_PODS_H
#define HORNET_K8S_PODS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "k8s/client.h"
#include "process/pods.h"

/*
 * Fills @pod (zeroed first) from a Pod object. Returns 0, or -EINVAL with
 * the bad field named in @err (the object is then left out), or -ENOMEM.
 * On error @pod holds nothing to free.
 */
int hornet_k8s_pod_parse(json_t *obj, struct hornet_pod *pod, char *err, size_t err_size);

struct hornet_k8s_pods;

/*
 * Starts the pod watch for @node into @store; see hornet_k8s_watch__start().
 * @dead_timeout_ms: a watch silent this long is cut and resumed (0: 5 min).
 */
struct hornet_k8s_pods *hornet_k8s_pods__start(const struct hornet_k8s_conn *conn, const char *node,
					       struct hornet_pod_store *store, int epfd,
					       unsigned int dead_timeout_ms);
void hornet_k8s_pods__stop(struct hornet_k8s_pods *p);

struct hornet_k8s_pods_stats {
	struct hornet_k8s_watch_stats watch;
	uint64_t malformed; /* Pod objects that could not be read */
	uint64_t puts, deletes, swept;
};

void hornet_k8s_pods__stats(struct hornet_k8s_pods *p, struct hornet_k8s_pods_stats *s);

#endif
