/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_PROCESS_CGROUP_H
#define HORNET_PROCESS_CGROUP_H

#include <stddef.h>

#define HORNET_CONTAINER_ID_LEN 64 /* full id: 64 hex digits */
#define HORNET_DOCKER_FIELD_LEN 31 /* Tetragon's "docker" field keeps this many */

enum hornet_runtime {
	HORNET_RUNTIME_NONE,
	HORNET_RUNTIME_DOCKER,
	HORNET_RUNTIME_CONTAINERD,
	HORNET_RUNTIME_CRIO,
	HORNET_RUNTIME_PODMAN,
	HORNET_RUNTIME_UNKNOWN, /* a 64-hex component with no runtime prefix */
};

const char *hornet_runtime_name(enum hornet_runtime rt);

/*
 * Finds the container id in a cgroup path, for the layouts of docker,
 * containerd (Kubernetes or not), CRI-O and podman, with the systemd and the
 * cgroupfs drivers:
 *   /system.slice/docker-<id>.scope            /docker/<id>
 *   /kubepods.slice/.../cri-containerd-<id>.scope
 *   /kubepods/besteffort/pod<uid>/<id>         /kubepods.slice/.../crio-<id>.scope
 *   /machine.slice/libpod-<id>.scope           /user.slice/.../libpod-<id>.scope
 * The deepest component that names a container wins; conmon scopes
 * (crio-conmon-<id>, libpod-conmon-<id>) are the runtime's monitor, not the
 * container, and are skipped. On success copies the 64-digit id, NUL-
 * terminated, into @id and returns the runtime; otherwise returns
 * HORNET_RUNTIME_NONE and leaves @id empty.
 */
enum hornet_runtime hornet_container_id(const char *path, size_t len,
					char id[HORNET_CONTAINER_ID_LEN + 1]);

/*
 * The pod UID in a Kubernetes cgroup path ("pod<uid>" components, with
 * systemd's '_' for '-' turned back), NUL-terminated into @uid (37 bytes).
 * Returns 0, or -ENOENT.
 */
int hornet_pod_uid(const char *path, size_t len, char uid[37]);

#endif
