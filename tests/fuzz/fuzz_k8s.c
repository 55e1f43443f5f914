// SPDX-License-Identifier: GPL-2.0
/*
 * Any bytes as a Pod object from the API and as a kubeconfig: the pod
 * parser either fills a well-formed struct hornet_pod or refuses with a
 * message, the kubeconfig parser either fills a connection or refuses with
 * a message naming the file; neither crashes or leaks (ASan checks at exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "k8s/client.h"
#include "k8s/pods.h"

static void check_pod(const struct hornet_pod *pod)
{
	size_t i;

	if (!pod->uid[0] || strlen(pod->uid) > HORNET_POD_UID_LEN || !pod->namespace ||
	    !pod->name || !pod->workload || !pod->workload_kind || !pod->from_api)
		abort();
	for (i = 0; i + 1 < pod->nr_labels; i++)
		if (strcmp(pod->labels[i].key, pod->labels[i + 1].key) > 0)
			abort();
	for (i = 0; i < pod->nr_containers; i++) {
		const struct hornet_container_info *c = &pod->containers[i];

		if (!c->name)
			abort();
		if (c->id[0] &&
		    (strlen(c->id) != HORNET_CONTAINER_ID_LEN || c->runtime == HORNET_RUNTIME_NONE))
			abort();
		if (c->maybe_exec_probe_cmds != !!c->exec_probe_cmds)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	struct hornet_k8s_conn conn;
	struct hornet_pod pod;
	char err[512];
	json_t *obj;
	int ret;

	obj = json_loadb((const char *)data, size, 0, NULL);
	if (obj) {
		err[0] = 'X';
		ret = hornet_k8s_pod_parse(obj, &pod, err, sizeof(err));
		if (ret == 0) {
			check_pod(&pod);
			hornet_pod_fini(&pod);
		} else if (ret != -EINVAL && ret != -ENOMEM) {
			abort();
		} else if (ret == -EINVAL && !err[0]) {
			abort();
		}
		json_decref(obj);
	}

	path = fuzz_file(data, size);
	err[0] = '\0';
	ret = hornet_k8s_conn_kubeconfig(&conn, path, err, sizeof(err));
	if (ret == 0) {
		if (!conn.server ||
		    (strncmp(conn.server, "https://", 8) && strncmp(conn.server, "http://", 7)))
			abort();
		hornet_k8s_conn_fini(&conn);
	} else if (!strstr(err, path)) {
		abort();
	}
	return 0;
}
