// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/hook.h"
#include "process/cgroup.h"

/* A string member: NULL when absent or empty; -EINVAL when not a string or too long. */
static int field(json_t *req, const char *key, const char **out, char *err, size_t err_size)
{
	json_t *v = json_object_get(req, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, err_size, "container: \"%s\" must be a string", key);
		return -EINVAL;
	}
	if (json_string_length(v) > HORNET_HOOK_FIELD_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, err_size, "container: \"%s\" is longer than %d bytes or holds a NUL",
			 key, HORNET_HOOK_FIELD_MAX);
		return -EINVAL;
	}
	if (json_string_length(v))
		*out = json_string_value(v);
	return 0;
}

static bool is_hex_id(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == HORNET_CONTAINER_ID_LEN;
}

static enum hornet_runtime runtime_named(const char *name)
{
	static const enum hornet_runtime all[] = {
		HORNET_RUNTIME_DOCKER,
		HORNET_RUNTIME_CONTAINERD,
		HORNET_RUNTIME_CRIO,
		HORNET_RUNTIME_PODMAN,
	};
	size_t i;

	for (i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(name, hornet_runtime_name(all[i])))
			return all[i];
	return HORNET_RUNTIME_NONE;
}

static int dup_field(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

/* The id the container's processes carry: the one in their cgroup path, else the runtime's. */
static int container_key(const char *id, const char *cg, char out[HORNET_CONTAINER_ID_LEN + 1],
			 enum hornet_runtime *rt, char *err, size_t err_size)
{
	*rt = HORNET_RUNTIME_NONE;
	out[0] = '\0';
	if (cg)
		*rt = hornet_container_id(cg, strlen(cg), out);
	if (out[0])
		return 0;
	if (!id || !is_hex_id(id)) {
		snprintf(err, err_size,
			 "container '%s': neither its cgroup path '%s' nor its id is a 64-hex "
			 "container id",
			 id ? id : "", cg ? cg : "");
		return -EINVAL;
	}
	strcpy(out, id);
	return 0;
}

int hornet_hook_container_gone(struct hornet_pod_store *store, json_t *req,
			       struct hornet_hook_result *res, char *err, size_t err_size)
{
	enum hornet_runtime rt;
	const char *id, *cg;
	int ret;

	memset(res, 0, sizeof(*res));
	if ((ret = field(req, "id", &id, err, err_size)) ||
	    (ret = field(req, "cgroup_path", &cg, err, err_size)) ||
	    (ret = container_key(id, cg, res->id, &rt, err, err_size)))
		return ret;
	ret = hornet_pod_store__delete_container(store, res->id);
	return ret == -ENOENT ? 0 : ret;
}

int hornet_hook_container(struct hornet_pod_store *store, json_t *req,
			  struct hornet_hook_result *res, char *err, size_t err_size)
{
	const char *id, *cg, *uid, *ns, *pod, *name, *image, *image_id, *rt;
	struct hornet_container_info c = {};
	enum hornet_runtime path_rt = HORNET_RUNTIME_NONE;
	json_t *v;
	struct timespec ts;
	int ret;

	memset(res, 0, sizeof(*res));
	if ((ret = field(req, "id", &id, err, err_size)) ||
	    (ret = field(req, "cgroup_path", &cg, err, err_size)) ||
	    (ret = field(req, "pod_uid", &uid, err, err_size)) ||
	    (ret = field(req, "pod_namespace", &ns, err, err_size)) ||
	    (ret = field(req, "pod_name", &pod, err, err_size)) ||
	    (ret = field(req, "container_name", &name, err, err_size)) ||
	    (ret = field(req, "image", &image, err, err_size)) ||
	    (ret = field(req, "image_id", &image_id, err, err_size)) ||
	    (ret = field(req, "runtime", &rt, err, err_size)))
		return ret;
	ret = container_key(id, cg, c.id, &path_rt, err, err_size);
	if (ret)
		return ret;
	strcpy(res->id, c.id);
	if (uid) {
		if (strlen(uid) > HORNET_POD_UID_LEN) {
			snprintf(err, err_size, "container '%s': pod_uid '%.64s' is longer than %d",
				 c.id, uid, HORNET_POD_UID_LEN);
			return -EINVAL;
		}
		strcpy(res->pod_uid, uid);
	} else if (cg && hornet_pod_uid(cg, strlen(cg), res->pod_uid)) {
		res->pod_uid[0] = '\0';
	}
	v = json_object_get(req, "cgroup_id");
	if (v && !json_is_integer(v)) {
		snprintf(err, err_size, "container '%s': \"cgroup_id\" must be an integer", c.id);
		return -EINVAL;
	}
	c.cgroup_id = res->cgroup_id = v ? (uint64_t)json_integer_value(v) : 0;
	v = json_object_get(req, "pid");
	c.init_pid = json_is_integer(v) && json_integer_value(v) > 0 &&
				     json_integer_value(v) <= 0x7fffffff
			     ? (uint32_t)json_integer_value(v)
			     : 0;
	c.runtime = runtime_named(rt);
	if (c.runtime == HORNET_RUNTIME_NONE && path_rt != HORNET_RUNTIME_UNKNOWN)
		c.runtime = path_rt;
	/* created now: the hook runs before its first process execs */
	clock_gettime(CLOCK_REALTIME, &ts);
	c.start_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (dup_field(&c.name, name) || dup_field(&c.image_name, image) ||
	    dup_field(&c.image_id, image_id)) {
		hornet_container_info_fini(&c);
		return -ENOMEM;
	}
	ret = hornet_pod_store__put_container(store, res->pod_uid[0] ? res->pod_uid : NULL, ns, pod,
					      &c);
	hornet_container_info_fini(&c);
	if (ret)
		snprintf(err, err_size, "container '%s': cannot store it: %s", res->id,
			 strerror(-ret));
	return ret;
}
