// SPDX-License-Identifier: GPL-2.0
/*
 * Container and pod identity from a cgroup v2 path. Runtimes name the cgroup
 * of a container after its id, in one of two shapes depending on the cgroup
 * driver: systemd turns "<prefix>:<id>" into a "<prefix>-<id>.scope" unit,
 * cgroupfs uses the bare id (docker, containerd) or "<prefix>-<id>" (CRI-O,
 * podman) as a directory name. The kubelet puts each pod under "pod<uid>"
 * (cgroupfs) or "kubepods-<qos>-pod<uid>.slice" (systemd, which reserves '-'
 * as its hierarchy separator, so the uid's dashes become '_').
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "process/cgroup.h"

#define POD_UID_LEN 36 /* 8-4-4-4-12 hex digits */
#define POD_HASH_LEN 32 /* static pods: the manifest's md5, in hex */

struct runtime_prefix {
	const char *prefix;
	enum hornet_runtime rt;
};

/*
 * "crio-conmon-<id>" and "libpod-conmon-<id>" hold the runtime's monitor
 * process; they match "crio-" and "libpod-" but what follows is not a bare
 * id, so they are never taken for the container.
 */
static const struct runtime_prefix runtime_prefixes[] = {
	{ "docker-", HORNET_RUNTIME_DOCKER },	   { "cri-containerd-", HORNET_RUNTIME_CONTAINERD },
	{ "nerdctl-", HORNET_RUNTIME_CONTAINERD }, { "crio-", HORNET_RUNTIME_CRIO },
	{ "libpod-", HORNET_RUNTIME_PODMAN },
};

const char *hornet_runtime_name(enum hornet_runtime rt)
{
	switch (rt) {
	case HORNET_RUNTIME_NONE:
		return "";
	case HORNET_RUNTIME_DOCKER:
		return "docker";
	case HORNET_RUNTIME_CONTAINERD:
		return "containerd";
	case HORNET_RUNTIME_CRIO:
		return "crio";
	case HORNET_RUNTIME_PODMAN:
		return "podman";
	case HORNET_RUNTIME_UNKNOWN:
		break;
	}
	return "unknown";
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_container_id(const char *p, size_t n)
{
	size_t i;

	if (n != HORNET_CONTAINER_ID_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (!is_lower_hex(p[i]))
			return false;
	}
	return true;
}

static bool has_suffix(const char *p, size_t n, const char *suffix)
{
	size_t sn = strlen(suffix);

	return n >= sn && !memcmp(p + n - sn, suffix, sn);
}

static bool component_is(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && !memcmp(p, name, n);
}

/*
 * The runtime whose container the component @c (of @n bytes) names, its id
 * in *id; HORNET_RUNTIME_NONE if it names none. @parent is the component
 * above it (NULL at the top), which tells docker's "/docker/<id>" apart.
 */
static enum hornet_runtime match_component(const char *c, size_t n, const char *parent,
					   size_t parent_len, const char **id)
{
	size_t i;

	if (is_container_id(c, n)) {
		*id = c;
		if (parent && component_is(parent, parent_len, "docker"))
			return HORNET_RUNTIME_DOCKER;
		return HORNET_RUNTIME_UNKNOWN;
	}
	if (has_suffix(c, n, ".scope"))
		n -= strlen(".scope");
	for (i = 0; i < sizeof(runtime_prefixes) / sizeof(runtime_prefixes[0]); i++) {
		const struct runtime_prefix *rp = &runtime_prefixes[i];
		size_t pn = strlen(rp->prefix);

		if (n > pn && !memcmp(c, rp->prefix, pn) && is_container_id(c + pn, n - pn)) {
			*id = c + pn;
			return rp->rt;
		}
	}
	return HORNET_RUNTIME_NONE;
}

enum hornet_runtime hornet_container_id(const char *path, size_t len,
					char id[HORNET_CONTAINER_ID_LEN + 1])
{
	enum hornet_runtime found = HORNET_RUNTIME_NONE;
	const char *found_id = NULL, *parent = NULL;
	size_t parent_len = 0, pos = 0;

	id[0] = '\0';
	if (!path)
		return HORNET_RUNTIME_NONE;
	/* A NUL ends the path early: the buffer may be zero-padded. */
	len = strnlen(path, len);

	while (pos < len) {
		const char *c = path + pos, *slash = memchr(c, '/', len - pos);
		size_t n = slash ? (size_t)(slash - c) : len - pos;
		enum hornet_runtime rt;
		const char *cid;

		if (n) {
			rt = match_component(c, n, parent, parent_len, &cid);
			if (rt != HORNET_RUNTIME_NONE) {
				/* deeper components overwrite: the deepest wins */
				found = rt;
				found_id = cid;
			}
			parent = c;
			parent_len = n;
		}
		pos += n + 1;
	}
	if (found != HORNET_RUNTIME_NONE) {
		memcpy(id, found_id, HORNET_CONTAINER_ID_LEN);
		id[HORNET_CONTAINER_ID_LEN] = '\0';
	}
	return found;
}

/*
 * Copies the pod uid at @p (@n bytes) into @uid if it is one: 36 characters
 * in 8-4-4-4-12 groups separated by '-' or systemd's '_', or the 32 hex
 * digits of a static pod.
 */
static bool copy_pod_uid(const char *p, size_t n, char uid[37])
{
	size_t i;

	if (n != POD_UID_LEN && n != POD_HASH_LEN)
		return false;
	for (i = 0; i < n; i++) {
		bool sep = n == POD_UID_LEN && (i == 8 || i == 13 || i == 18 || i == 23);

		if (sep ? p[i] != '-' && p[i] != '_' : !is_lower_hex(p[i]))
			return false;
	}
	for (i = 0; i < n; i++)
		uid[i] = p[i] == '_' ? '-' : p[i];
	uid[n] = '\0';
	return true;
}

int hornet_pod_uid(const char *path, size_t len, char uid[37])
{
	size_t pos = 0;
	bool found = false;

	uid[0] = '\0';
	if (!path)
		return -ENOENT;
	len = strnlen(path, len);

	while (pos < len) {
		const char *c = path + pos, *slash = memchr(c, '/', len - pos);
		size_t n = slash ? (size_t)(slash - c) : len - pos;
		const char *dash;

		pos += n + 1;
		if (n > 3 && !memcmp(c, "pod", 3)) {
			/* cgroupfs: "pod<uid>" */
			if (copy_pod_uid(c + 3, n - 3, uid))
				found = true;
			continue;
		}
		/* systemd: "kubepods[-<qos>]-pod<uid>.slice", the uid has no '-' */
		if (!has_suffix(c, n, ".slice"))
			continue;
		n -= strlen(".slice");
		dash = memrchr(c, '-', n);
		if (dash && (size_t)(c + n - dash) > 4 && !memcmp(dash + 1, "pod", 3) &&
		    copy_pod_uid(dash + 4, (size_t)(c + n - dash) - 4, uid))
			found = true;
	}
	return found ? 0 : -ENOENT;
}
