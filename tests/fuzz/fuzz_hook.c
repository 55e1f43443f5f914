// SPDX-License-Identifier: GPL-2.0
/*
 * The OCI hook's "container" and "container_gone" requests (agent/hook.c)
 * on arbitrary bytes, and what the store then makes of them in an event:
 * a request is taken or refused with a message, never crashes the agent,
 * and the pod or container object rendered from whatever it carried is
 * valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "agent/hook.h"
#include "export/event.h"
#include "util/intern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hornet_pod_store *s = hornet_pod_store__new();
	struct hornet_render_ctx ctx = { .node_name = "n" };
	json_t *req = json_loadb((const char *)data, size, 0, NULL);
	struct hornet_process *p = hornet_process__new();
	struct hornet_hook_result res;
	const char *cg;
	struct hornet_json j;
	char err[512];
	json_t *back;

	if (!s || !p)
		abort();
	if (!json_is_object(req))
		goto out;
	err[0] = '\0';
	if (hornet_hook_container(s, req, &res, err, sizeof(err))) {
		if (!err[0])
			abort();
		goto out;
	}
	if (strlen(res.id) != HORNET_CONTAINER_ID_LEN)
		abort();
	/* a process of that container, in the cgroup the request named */
	cg = json_string_value(json_object_get(req, "cgroup_path"));
	p->cgroup = cg ? hornet_intern(cg, strlen(cg)) : NULL;
	strcpy(p->container_id, res.id);
	p->binary = hornet_intern("/bin/sh", 7);
	ctx.pods = s;
	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	if (!hornet_render_workload(&j, p, &ctx))
		abort(); /* the store has it: a pod or a container object */
	hornet_json_obj_end(&j);
	back = j.failed ? NULL : json_loadb(j.buf, j.len, 0, NULL);
	if (!j.failed && !json_is_object(back))
		abort();
	json_decref(back);
	hornet_json_free(&j);
	if (hornet_hook_container_gone(s, req, &res, err, sizeof(err)) ||
	    hornet_pod_store__container(s, res.id))
		abort();
out:
	json_decref(req);
	hornet_process__put(p);
	hornet_pod_store__free(s);
	return 0;
}
