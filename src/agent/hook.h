/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's side of the OCI hook (`hornet oci-hook`, cli/ocihook.c): the
 * "container" request, which describes a container the runtime is creating,
 * checked and put into the workload store.
 *
 *   {"command": "container", "id": "<runtime's id>", "pid": 1234,
 *    "cgroup_path": "/kubepods/besteffort/pod<uid>/<id>", "cgroup_id": 5678,
 *    "pod_uid": "...", "pod_namespace": "...", "pod_name": "...",
 *    "container_name": "...", "image": "...", "runtime": "containerd",
 *    "annotations": {"io.kubernetes.cri.container-type": "container", ...}}
 *
 * Containers the hook reported leave the store when the hook runs again at
 * poststop, or (in a pod) when the API deletes their pod.
 */
#ifndef HORNET_AGENT_HOOK_H
#define HORNET_AGENT_HOOK_H

#include <stddef.h>
#include <jansson.h>

#include "process/pods.h"

/* Longest string field the request may carry (names, image, paths). */
#define HORNET_HOOK_FIELD_MAX 4096

struct hornet_hook_result {
	char id[HORNET_CONTAINER_ID_LEN + 1]; /* the id processes will carry */
	char pod_uid[HORNET_POD_UID_LEN + 1]; /* empty: not in a pod */
	uint64_t cgroup_id;
};

/*
 * Checks @req and puts its container into @store. Returns 0, or -errno with
 * a message in @err naming the field.
 */
int hornet_hook_container(struct hornet_pod_store *store, json_t *req,
			  struct hornet_hook_result *res, char *err, size_t err_size);

/*
 * The "container_gone" request (the hook at poststop: {"command":
 * "container_gone", "id": ..., "cgroup_path": ...}): the container leaves
 * the store, and its pod with it when only the hook knew that pod. A
 * container the store does not know is no error.
 */
int hornet_hook_container_gone(struct hornet_pod_store *store, json_t *req,
			       struct hornet_hook_result *res, char *err, size_t err_size);

#endif
