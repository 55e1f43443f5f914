/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workload store: the pods on this node and the containers in them, as
 * the Kubernetes API (k8s/pods.c) and the OCI hook (agent) describe them,
 * and the containers that are not in a pod (containerd, podman, plain runc)
 * as their runtime describes them. Keyed by pod UID, container id and the
 * container's cgroup id. Plain C, no JSON and no threads: it is only ever
 * used from the agent's event loop.
 *
 * Every change bumps the store's generation; renderers compare it with the
 * generation a process's cached JSON was made at, so a label change shows in
 * the next event.
 */
#ifndef HORNET_PROCESS_PODS_H
#define HORNET_PROCESS_PODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "process/cgroup.h"

#define HORNET_POD_UID_LEN 36

struct hornet_kv {
	char *key;
	char *value;
};

struct hornet_container_info {
	char id[HORNET_CONTAINER_ID_LEN + 1]; /* 64 hex digits */
	enum hornet_runtime runtime; /* prefix of "containerd://<id>" */
	char *name; /* NULL: unknown */
	char *image_name; /* "docker.io/library/busybox:1.36" */
	char *image_id; /* "docker.io/library/busybox@sha256:..." */
	uint64_t start_ns; /* wall clock, ns since the epoch; 0: unknown */
	uint64_t cgroup_id; /* cgroup2 id of the container's cgroup; 0: unknown */
	uint32_t init_pid; /* host pid of its first process; 0: unknown */
	bool maybe_exec_probe_cmds; /* the pod spec has exec probes for it */
	char **exec_probe_cmds; /* argv[0] of each exec probe, NULL-terminated */
};

struct hornet_pod {
	char uid[HORNET_POD_UID_LEN + 1];
	char *namespace;
	char *name;
	struct hornet_kv *labels; /* sorted by key */
	size_t nr_labels;
	char *workload; /* owner: Deployment for a ReplicaSet with pod-template-hash */
	char *workload_kind;
	struct hornet_container_info *containers;
	size_t nr_containers;
	bool from_api; /* known to the Kubernetes API (else: only from the hook) */
	uint64_t generation; /* the store's generation at its last change */
};

struct hornet_pod_store;

struct hornet_pod_store *hornet_pod_store__new(void);
void hornet_pod_store__free(struct hornet_pod_store *s);

/*
 * Adds or replaces the pod with @pod->uid. The store takes over every
 * pointer in @pod (the caller's struct is zeroed). Containers of the old
 * version that the new one lacks but that have a cgroup id keep it (the
 * API does not know cgroup ids). Returns 0 or -errno.
 */
int hornet_pod_store__put(struct hornet_pod_store *s, struct hornet_pod *pod);
int hornet_pod_store__delete(struct hornet_pod_store *s, const char *uid);

/* Marks every pod from the API as stale; __sweep() deletes the stale ones
 * that were not put again meanwhile (a relist). */
void hornet_pod_store__mark(struct hornet_pod_store *s);
size_t hornet_pod_store__sweep(struct hornet_pod_store *s);

/*
 * A container outside any pod (or one the hook reports before the API
 * does): adds or replaces it by id. @pod_uid, when not NULL, ties it to
 * that pod (made from the hook's annotations if the API has not named it).
 */
int hornet_pod_store__put_container(struct hornet_pod_store *s, const char *pod_uid,
				    const char *pod_namespace, const char *pod_name,
				    struct hornet_container_info *c);
int hornet_pod_store__delete_container(struct hornet_pod_store *s, const char *id);

/* Lookups; NULL when unknown. @c_out, when not NULL, gets the container. */
const struct hornet_pod *hornet_pod_store__by_uid(const struct hornet_pod_store *s,
						  const char *uid);
const struct hornet_pod *hornet_pod_store__by_container(const struct hornet_pod_store *s,
							const char *container_id,
							const struct hornet_container_info **c_out);
const struct hornet_container_info *hornet_pod_store__container(const struct hornet_pod_store *s,
								const char *container_id);

/* Every pod, in no order; stops when @fn returns non-zero and returns that. */
int hornet_pod_store__each(const struct hornet_pod_store *s,
			   int (*fn)(const struct hornet_pod *pod, void *ctx), void *ctx);

uint64_t hornet_pod_store__generation(const struct hornet_pod_store *s);

struct hornet_pod_store_stats {
	size_t pods;
	size_t containers;
	size_t bytes; /* heap held by the store */
};

void hornet_pod_store__stats(const struct hornet_pod_store *s, struct hornet_pod_store_stats *st);

/* Frees what a struct hornet_pod holds (not the struct). */
void hornet_pod_fini(struct hornet_pod *pod);
void hornet_container_info_fini(struct hornet_container_info *c);

#endif
