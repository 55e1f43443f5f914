// SPDX-License-Identifier: GPL-2.0
/*
 * Pod objects into the workload store. What a pod's identity is follows
 * Tetragon (api/v1/tetragon/tetragon.proto: Pod, Container, Image): the
 * workload is the controller owner, a ReplicaSet made by a Deployment (it
 * carries the pod-template-hash label) being reported as that Deployment;
 * containers come from the spec (names, images, exec probes) completed by
 * the status (runtime ids, resolved images, start times).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/pods.h"
#include "util/log.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int dup_to(char **out, const char *v)
{
	if (!v)
		return 0;
	*out = strdup(v);
	return *out ? 0 : -ENOMEM;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct hornet_kv *)a)->key, ((const struct hornet_kv *)b)->key);
}

static int parse_labels(json_t *labels, struct hornet_pod *pod, char *err, size_t err_size)
{
	const char *key;
	json_t *v;

	if (!labels || json_is_null(labels))
		return 0;
	if (!json_is_object(labels)) {
		snprintf(err, err_size, "metadata.labels: not an object");
		return -EINVAL;
	}
	pod->labels = calloc(json_object_size(labels) + 1, sizeof(*pod->labels));
	if (!pod->labels)
		return -ENOMEM;
	json_object_foreach(labels, key, v)
	{
		struct hornet_kv *kv = &pod->labels[pod->nr_labels];

		if (!json_is_string(v)) {
			snprintf(err, err_size, "metadata.labels.%.100s: not a string", key);
			return -EINVAL;
		}
		kv->key = strdup(key);
		kv->value = strdup(json_string_value(v));
		pod->nr_labels++;
		if (!kv->key || !kv->value)
			return -ENOMEM;
	}
	qsort(pod->labels, pod->nr_labels, sizeof(*pod->labels), cmp_kv);
	return 0;
}

static const char *label(const struct hornet_pod *pod, const char *key)
{
	size_t i;

	for (i = 0; i < pod->nr_labels; i++)
		if (!strcmp(pod->labels[i].key, key))
			return pod->labels[i].value;
	return NULL;
}

/* The controller owner; a ReplicaSet with the pod's pod-template-hash is its Deployment. */
static int parse_workload(json_t *md, struct hornet_pod *pod)
{
	const char *kind = NULL, *name = NULL, *hash;
	json_t *o;
	size_t i, nl, hl;

	json_array_foreach(json_object_get(md, "ownerReferences"), i, o)
	{
		if (json_is_true(json_object_get(o, "controller")) && str(o, "kind") &&
		    str(o, "name")) {
			kind = str(o, "kind");
			name = str(o, "name");
			break;
		}
	}
	if (!kind) {
		kind = "Pod";
		name = pod->name;
	}
	hash = label(pod, "pod-template-hash");
	nl = strlen(name);
	hl = hash ? strlen(hash) : 0;
	if (!strcmp(kind, "ReplicaSet") && hl && nl > hl + 1 && name[nl - hl - 1] == '-' &&
	    !strcmp(name + nl - hl, hash)) {
		pod->workload = strndup(name, nl - hl - 1);
		pod->workload_kind = strdup("Deployment");
	} else {
		pod->workload = strdup(name);
		pod->workload_kind = strdup(kind);
	}
	return pod->workload && pod->workload_kind ? 0 : -ENOMEM;
}

static struct hornet_container_info *find_container(struct hornet_pod *pod, const char *name)
{
	size_t i;

	for (i = 0; i < pod->nr_containers; i++)
		if (pod->containers[i].name && !strcmp(pod->containers[i].name, name))
			return &pod->containers[i];
	return NULL;
}

static struct hornet_container_info *add_container(struct hornet_pod *pod, const char *name,
						   size_t cap)
{
	struct hornet_container_info *c;

	if (pod->nr_containers >= cap)
		return NULL;
	c = &pod->containers[pod->nr_containers++];
	c->name = strdup(name);
	return c->name ? c : NULL;
}

/* argv[0] of each exec probe of a spec container. */
static int parse_probes(json_t *spec, struct hornet_container_info *c)
{
	static const char *const probes[] = { "livenessProbe", "readinessProbe", "startupProbe" };
	const char *argv0;
	size_t i, n = 0;

	for (i = 0; i < 3; i++) {
		argv0 = json_string_value(json_array_get(
			json_object_get(json_object_get(json_object_get(spec, probes[i]), "exec"),
					"command"),
			0));
		if (!argv0)
			continue;
		if (!c->exec_probe_cmds) {
			c->exec_probe_cmds = calloc(4, sizeof(char *));
			if (!c->exec_probe_cmds)
				return -ENOMEM;
		}
		c->exec_probe_cmds[n] = strdup(argv0);
		if (!c->exec_probe_cmds[n++])
			return -ENOMEM;
		c->maybe_exec_probe_cmds = true;
	}
	return 0;
}

/* RFC 3339 as the API writes it: "2024-05-01T10:00:00Z", maybe with a fraction. */
static uint64_t parse_time(const char *s)
{
	struct tm tm = {};
	const char *end;
	time_t t;

	if (!s)
		return 0;
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return 0;
	t = timegm(&tm);
	return t < 0 ? 0 : (uint64_t)t * 1000000000ULL;
}

static void parse_id(const char *cid, struct hornet_container_info *c)
{
	static const struct {
		const char *prefix;
		enum hornet_runtime rt;
	} rts[] = {
		{ "containerd://", HORNET_RUNTIME_CONTAINERD },
		{ "cri-o://", HORNET_RUNTIME_CRIO },
		{ "docker://", HORNET_RUNTIME_DOCKER },
	};
	const char *hex;
	size_t i;

	if (!cid)
		return;
	for (i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
		if (strncmp(cid, rts[i].prefix, strlen(rts[i].prefix)))
			continue;
		hex = cid + strlen(rts[i].prefix);
		if (strlen(hex) != HORNET_CONTAINER_ID_LEN ||
		    strspn(hex, "0123456789abcdef") != HORNET_CONTAINER_ID_LEN)
			return;
		memcpy(c->id, hex, HORNET_CONTAINER_ID_LEN + 1);
		c->runtime = rts[i].rt;
		return;
	}
}

static int parse_containers(json_t *spec, json_t *status, struct hornet_pod *pod, char *err,
			    size_t err_size)
{
	static const char *const specs[] = { "initContainers", "containers",
					     "ephemeralContainers" };
	static const char *const stats[] = { "initContainerStatuses", "containerStatuses",
					     "ephemeralContainerStatuses" };
	struct hornet_container_info *c;
	size_t i, j, cap = 0;
	const char *name;
	json_t *o;
	int ret;

	for (i = 0; i < 3; i++)
		cap += json_array_size(json_object_get(spec, specs[i])) +
		       json_array_size(json_object_get(status, stats[i]));
	if (!cap)
		return 0;
	pod->containers = calloc(cap, sizeof(*pod->containers));
	if (!pod->containers)
		return -ENOMEM;
	for (i = 0; i < 3; i++) {
		json_array_foreach(json_object_get(spec, specs[i]), j, o)
		{
			name = str(o, "name");
			if (!name) {
				snprintf(err, err_size, "spec.%s[%zu].name: missing", specs[i], j);
				return -EINVAL;
			}
			c = add_container(pod, name, cap);
			if (!c || dup_to(&c->image_name, str(o, "image")))
				return -ENOMEM;
			ret = parse_probes(o, c);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < 3; i++) {
		json_array_foreach(json_object_get(status, stats[i]), j, o)
		{
			const char *image = str(o, "image");

			name = str(o, "name");
			if (!name) {
				snprintf(err, err_size, "status.%s[%zu].name: missing", stats[i],
					 j);
				return -EINVAL;
			}
			c = find_container(pod, name) ?: add_container(pod, name, cap);
			if (!c)
				return -ENOMEM;
			parse_id(str(o, "containerID"), c);
			if (image && image[0]) {
				free(c->image_name);
				c->image_name = NULL;
				if (dup_to(&c->image_name, image))
					return -ENOMEM;
			}
			if (str(o, "imageID") && str(o, "imageID")[0] &&
			    dup_to(&c->image_id, str(o, "imageID")))
				return -ENOMEM;
			c->start_ns = parse_time(
				str(json_object_get(json_object_get(o, "state"), "running"),
				    "startedAt"));
		}
	}
	return 0;
}

int hornet_k8s_pod_parse(json_t *obj, struct hornet_pod *pod, char *err, size_t err_size)
{
	json_t *md = json_object_get(obj, "metadata");
	const char *uid = str(md, "uid");
	int ret;

	memset(pod, 0, sizeof(*pod));
	err[0] = '\0';
	if (!uid || !uid[0] || strlen(uid) > HORNET_POD_UID_LEN) {
		snprintf(err, err_size, "metadata.uid: %s", uid ? "not a pod UID" : "missing");
		return -EINVAL;
	}
	if (!str(md, "name") || !str(md, "namespace")) {
		snprintf(err, err_size, "metadata.%s: missing",
			 str(md, "name") ? "namespace" : "name");
		return -EINVAL;
	}
	strcpy(pod->uid, uid);
	pod->from_api = true;
	ret = dup_to(&pod->namespace, str(md, "namespace"));
	ret = ret ?: dup_to(&pod->name, str(md, "name"));
	ret = ret ?: parse_labels(json_object_get(md, "labels"), pod, err, err_size);
	ret = ret ?: parse_workload(md, pod);
	ret = ret
		      ?: parse_containers(json_object_get(obj, "spec"),
					  json_object_get(obj, "status"), pod, err, err_size);
	if (ret) {
		if (ret == -ENOMEM && !err[0])
			snprintf(err, err_size, "out of memory");
		hornet_pod_fini(pod);
		memset(pod, 0, sizeof(*pod));
	}
	return ret;
}

struct hornet_k8s_pods {
	struct hornet_k8s_watch *watch;
	struct hornet_pod_store *store;
	char *node;
	uint64_t malformed, puts, deletes, swept;
};

static void on_pod(void *ctx, enum hornet_k8s_ev ev, json_t *obj)
{
	struct hornet_k8s_pods *p = ctx;
	struct hornet_pod pod;
	char err[256];
	const char *uid;
	size_t n;
	int ret;

	switch (ev) {
	case HORNET_K8S_ADDED:
	case HORNET_K8S_MODIFIED:
		ret = hornet_k8s_pod_parse(obj, &pod, err, sizeof(err));
		if (!ret) {
			ret = hornet_pod_store__put(p->store, &pod);
			if (ret)
				hornet_pod_fini(&pod);
		}
		if (ret) {
			p->malformed++;
			pr_warn("k8s pod '%s/%s': left out: %s",
				str(json_object_get(obj, "metadata"), "namespace") ?: "?",
				str(json_object_get(obj, "metadata"), "name") ?: "?",
				ret == -EINVAL ? err : strerror(-ret));
			return;
		}
		p->puts++;
		return;
	case HORNET_K8S_DELETED:
		uid = str(json_object_get(obj, "metadata"), "uid");
		if (uid && !hornet_pod_store__delete(p->store, uid))
			p->deletes++;
		return;
	case HORNET_K8S_RELIST:
		hornet_pod_store__mark(p->store);
		return;
	case HORNET_K8S_SYNCED:
		n = hornet_pod_store__sweep(p->store);
		p->swept += n;
		/* a list of thousands of pods leaves freed pages in the watch
		 * thread's malloc arena: hand them back (tens of MB at 10,000 pods) */
		malloc_trim(0);
		pr_info("k8s: pods of node '%s' synced (%zu gone since the last list)", p->node, n);
		return;
	case HORNET_K8S_ERROR:
		return;
	}
}

struct hornet_k8s_pods *hornet_k8s_pods__start(const struct hornet_k8s_conn *conn, const char *node,
					       struct hornet_pod_store *store, int epfd,
					       unsigned int dead_timeout_ms)
{
	static const struct hornet_k8s_watch_ops ops = { .event = on_pod };
	struct hornet_k8s_watch_opts o = {
		.path = "/api/v1/pods",
		/* the cache needs no annotations: a pod of more than this is refused */
		.max_object_bytes = 256 << 10,
		.max_labels = 1024,
		.dead_timeout_ms = dead_timeout_ms,
	};
	struct hornet_k8s_pods *p;
	char sel[320];
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->store = store;
	p->node = strdup(node);
	if (!p->node) {
		free(p);
		return NULL;
	}
	snprintf(sel, sizeof(sel), "spec.nodeName=%s", node);
	o.field_selector = sel;
	p->watch = hornet_k8s_watch__start(conn, &o, &ops, p, epfd);
	if (!p->watch) {
		err = errno;
		free(p->node);
		free(p);
		errno = err;
		return NULL;
	}
	return p;
}

void hornet_k8s_pods__stop(struct hornet_k8s_pods *p)
{
	if (!p)
		return;
	hornet_k8s_watch__stop(p->watch);
	free(p->node);
	free(p);
}

void hornet_k8s_pods__stats(struct hornet_k8s_pods *p, struct hornet_k8s_pods_stats *s)
{
	memset(s, 0, sizeof(*s));
	hornet_k8s_watch__stats(p->watch, &s->watch);
	s->malformed = p->malformed;
	s->puts = p->puts;
	s->deletes = p->deletes;
	s->swept = p->swept;
}
