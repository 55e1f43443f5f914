// SPDX-License-Identifier: GPL-2.0
/*
 * The workload store (process/pods.h). Two hash tables: pods by UID, and
 * every known container by id, pointing at its pod (or at nothing, for a
 * container outside Kubernetes) and at its entry in that pod's array. The
 * container index is rebuilt for a pod whenever the pod changes: pods change
 * far less often than events look them up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "process/pods.h"

struct pod_entry {
	struct hornet_pod pod;
	bool stale; /* marked by __mark(), not put again since */
	UT_hash_handle hh;
};

struct ctr_entry {
	char id[HORNET_CONTAINER_ID_LEN + 1];
	struct pod_entry *pod; /* NULL: a container outside any pod */
	struct hornet_container_info *c; /* in pod->pod.containers, or &own */
	struct hornet_container_info own;
	UT_hash_handle hh;
};

struct hornet_pod_store {
	struct pod_entry *pods;
	struct ctr_entry *ctrs;
	uint64_t generation;
};

struct hornet_pod_store *hornet_pod_store__new(void)
{
	return calloc(1, sizeof(struct hornet_pod_store));
}

void hornet_container_info_fini(struct hornet_container_info *c)
{
	char **p;

	free(c->name);
	free(c->image_name);
	free(c->image_id);
	for (p = c->exec_probe_cmds; p && *p; p++)
		free(*p);
	free(c->exec_probe_cmds);
	memset(c, 0, sizeof(*c));
}

void hornet_pod_fini(struct hornet_pod *pod)
{
	size_t i;

	free(pod->namespace);
	free(pod->name);
	for (i = 0; i < pod->nr_labels; i++) {
		free(pod->labels[i].key);
		free(pod->labels[i].value);
	}
	free(pod->labels);
	free(pod->workload);
	free(pod->workload_kind);
	for (i = 0; i < pod->nr_containers; i++)
		hornet_container_info_fini(&pod->containers[i]);
	free(pod->containers);
	memset(pod, 0, sizeof(*pod));
}

static void ctr_drop(struct hornet_pod_store *s, struct ctr_entry *e)
{
	HASH_DEL(s->ctrs, e);
	if (!e->pod)
		hornet_container_info_fini(&e->own);
	free(e);
}

/* A new index entry for @id, replacing any there was. */
static struct ctr_entry *ctr_replace(struct hornet_pod_store *s, const char *id)
{
	struct ctr_entry *e;

	HASH_FIND_STR(s->ctrs, id, e);
	if (e)
		ctr_drop(s, e);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->id, id, sizeof(e->id));
	HASH_ADD_STR(s->ctrs, id, e);
	return e;
}

/* Removes the index entries of @pe's containers. */
static void unindex_pod(struct hornet_pod_store *s, struct pod_entry *pe)
{
	struct ctr_entry *e;
	size_t i;

	for (i = 0; i < pe->pod.nr_containers; i++) {
		HASH_FIND_STR(s->ctrs, pe->pod.containers[i].id, e);
		if (e && e->pod == pe)
			ctr_drop(s, e);
	}
}

/* Indexes @pe's containers; one that was standalone joins the pod. */
static int index_pod(struct hornet_pod_store *s, struct pod_entry *pe)
{
	struct hornet_container_info *c;
	struct ctr_entry *e;
	size_t i;

	for (i = 0; i < pe->pod.nr_containers; i++) {
		c = &pe->pod.containers[i];
		if (!c->id[0])
			continue; /* not started yet: the API has no id for it */
		HASH_FIND_STR(s->ctrs, c->id, e);
		if (e && !e->pod) {
			/* known from the hook before the API named its pod */
			c->cgroup_id = c->cgroup_id ? c->cgroup_id : e->own.cgroup_id;
			c->init_pid = c->init_pid ? c->init_pid : e->own.init_pid;
		}
		e = ctr_replace(s, c->id);
		if (!e)
			return -ENOMEM;
		e->pod = pe;
		e->c = c;
	}
	return 0;
}

static const struct hornet_container_info *find_in(const struct hornet_pod *pod, const char *id)
{
	size_t i;

	for (i = 0; i < pod->nr_containers; i++)
		if (pod->containers[i].id[0] && !strcmp(pod->containers[i].id, id))
			return &pod->containers[i];
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/*
 * What the API does not know but an earlier version had (from the hook):
 * the cgroup id and host pid of a container it lists, and the containers it
 * does not list yet (a pod's status names a container only once it runs,
 * which is after the hook has described it).
 */
static int carry_over(struct hornet_pod *new, const struct hornet_pod *old)
{
	const struct hornet_container_info *o;
	struct hornet_container_info *c, *grown;
	size_t i, extra = 0;

	for (i = 0; i < new->nr_containers; i++) {
		c = &new->containers[i];
		o = c->id[0] ? find_in(old, c->id) : NULL;
		if (!o)
			continue;
		if (!c->cgroup_id)
			c->cgroup_id = o->cgroup_id;
		if (!c->init_pid)
			c->init_pid = o->init_pid;
		if (!c->start_ns)
			c->start_ns = o->start_ns;
		if (!c->name && o->name && !(c->name = strdup(o->name)))
			return -ENOMEM;
		if (!c->image_name && o->image_name && !(c->image_name = strdup(o->image_name)))
			return -ENOMEM;
	}
	for (i = 0; i < old->nr_containers; i++)
		if (old->containers[i].cgroup_id && !find_in(new, old->containers[i].id))
			extra++;
	if (!extra)
		return 0;
	grown = realloc(new->containers, (new->nr_containers + extra) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	new->containers = grown;
	for (i = 0; i < old->nr_containers; i++) {
		o = &old->containers[i];
		if (!o->cgroup_id || find_in(new, o->id))
			continue;
		c = &new->containers[new->nr_containers++];
		*c = *o;
		c->name = dup_or_null(o->name);
		c->image_name = dup_or_null(o->image_name);
		c->image_id = dup_or_null(o->image_id);
		c->exec_probe_cmds = NULL; /* only the API knows the probes */
		c->maybe_exec_probe_cmds = false;
	}
	return 0;
}

int hornet_pod_store__put(struct hornet_pod_store *s, struct hornet_pod *pod)
{
	struct pod_entry *pe, *old;
	int err;

	if (!pod->uid[0])
		return -EINVAL;
	pe = calloc(1, sizeof(*pe));
	if (!pe)
		return -ENOMEM;
	HASH_FIND_STR(s->pods, pod->uid, old);
	if (old && (err = carry_over(pod, &old->pod))) {
		free(pe);
		return err;
	}
	pe->pod = *pod;
	memset(pod, 0, sizeof(*pod));
	pe->pod.generation = ++s->generation;
	if (old) {
		unindex_pod(s, old);
		HASH_DEL(s->pods, old);
		hornet_pod_fini(&old->pod);
		free(old);
	}
	HASH_ADD_STR(s->pods, pod.uid, pe);
	return index_pod(s, pe);
}

static void drop_pod(struct hornet_pod_store *s, struct pod_entry *pe)
{
	unindex_pod(s, pe);
	HASH_DEL(s->pods, pe);
	hornet_pod_fini(&pe->pod);
	free(pe);
	s->generation++;
}

int hornet_pod_store__delete(struct hornet_pod_store *s, const char *uid)
{
	struct pod_entry *pe;

	HASH_FIND_STR(s->pods, uid, pe);
	if (!pe)
		return -ENOENT;
	drop_pod(s, pe);
	return 0;
}

void hornet_pod_store__mark(struct hornet_pod_store *s)
{
	struct pod_entry *pe, *tmp;

	HASH_ITER(hh, s->pods, pe, tmp)
	pe->stale = pe->pod.from_api;
}

size_t hornet_pod_store__sweep(struct hornet_pod_store *s)
{
	struct pod_entry *pe, *tmp;
	size_t n = 0;

	HASH_ITER(hh, s->pods, pe, tmp)
	{
		if (!pe->stale)
			continue;
		drop_pod(s, pe);
		n++;
	}
	return n;
}

/* Adds or replaces @c (taken over) in the pod @pe, and indexes it. */
static int pod_add_container(struct hornet_pod_store *s, struct pod_entry *pe,
			     struct hornet_container_info *c)
{
	struct hornet_container_info *grown;
	size_t i;

	unindex_pod(s, pe);
	for (i = 0; i < pe->pod.nr_containers; i++)
		if (!strcmp(pe->pod.containers[i].id, c->id))
			break;
	if (i == pe->pod.nr_containers) {
		grown = realloc(pe->pod.containers, (i + 1) * sizeof(*grown));
		if (!grown) {
			index_pod(s, pe);
			return -ENOMEM;
		}
		pe->pod.containers = grown;
		pe->pod.nr_containers++;
	} else {
		/* The API's view of a known container wins; the hook adds what it lacks. */
		struct hornet_container_info *o = &pe->pod.containers[i];

		if (!o->name)
			o->name = dup_or_null(c->name);
		if (!o->image_name)
			o->image_name = dup_or_null(c->image_name);
		if (!o->start_ns)
			o->start_ns = c->start_ns;
		o->cgroup_id = c->cgroup_id ? c->cgroup_id : o->cgroup_id;
		o->init_pid = c->init_pid ? c->init_pid : o->init_pid;
		hornet_container_info_fini(c);
		pe->pod.generation = ++s->generation;
		return index_pod(s, pe);
	}
	pe->pod.containers[i] = *c;
	memset(c, 0, sizeof(*c));
	pe->pod.generation = ++s->generation;
	return index_pod(s, pe);
}

int hornet_pod_store__put_container(struct hornet_pod_store *s, const char *pod_uid,
				    const char *pod_namespace, const char *pod_name,
				    struct hornet_container_info *c)
{
	struct pod_entry *pe;
	struct ctr_entry *e;

	if (strlen(c->id) != HORNET_CONTAINER_ID_LEN)
		return -EINVAL;
	if (!pod_uid || !pod_uid[0]) {
		e = ctr_replace(s, c->id);
		if (!e)
			return -ENOMEM;
		e->own = *c;
		e->c = &e->own;
		memset(c, 0, sizeof(*c));
		s->generation++;
		return 0;
	}
	if (strlen(pod_uid) > HORNET_POD_UID_LEN)
		return -EINVAL;
	HASH_FIND_STR(s->pods, pod_uid, pe);
	if (!pe) {
		pe = calloc(1, sizeof(*pe));
		if (!pe)
			return -ENOMEM;
		strcpy(pe->pod.uid, pod_uid);
		pe->pod.namespace = dup_or_null(pod_namespace);
		pe->pod.name = dup_or_null(pod_name);
		if ((pod_namespace && !pe->pod.namespace) || (pod_name && !pe->pod.name)) {
			hornet_pod_fini(&pe->pod);
			free(pe);
			return -ENOMEM;
		}
		HASH_ADD_STR(s->pods, pod.uid, pe);
	}
	return pod_add_container(s, pe, c);
}

int hornet_pod_store__delete_container(struct hornet_pod_store *s, const char *id)
{
	struct pod_entry *pe;
	struct ctr_entry *e;
	size_t i;

	HASH_FIND_STR(s->ctrs, id, e);
	if (!e)
		return -ENOENT;
	pe = e->pod;
	if (!pe) {
		ctr_drop(s, e);
		s->generation++;
		return 0;
	}
	unindex_pod(s, pe);
	for (i = 0; i < pe->pod.nr_containers; i++) {
		if (strcmp(pe->pod.containers[i].id, id))
			continue;
		hornet_container_info_fini(&pe->pod.containers[i]);
		memmove(&pe->pod.containers[i], &pe->pod.containers[i + 1],
			(pe->pod.nr_containers - i - 1) * sizeof(pe->pod.containers[0]));
		pe->pod.nr_containers--;
		break;
	}
	pe->pod.generation = ++s->generation;
	if (!pe->pod.from_api && !pe->pod.nr_containers) {
		HASH_DEL(s->pods, pe);
		hornet_pod_fini(&pe->pod);
		free(pe);
		return 0;
	}
	return index_pod(s, pe);
}

const struct hornet_pod *hornet_pod_store__by_uid(const struct hornet_pod_store *s, const char *uid)
{
	struct pod_entry *pe;

	HASH_FIND_STR(s->pods, uid, pe);
	return pe ? &pe->pod : NULL;
}

const struct hornet_pod *hornet_pod_store__by_container(const struct hornet_pod_store *s,
							const char *container_id,
							const struct hornet_container_info **c_out)
{
	struct ctr_entry *e;

	HASH_FIND_STR(s->ctrs, container_id, e);
	if (c_out)
		*c_out = e ? e->c : NULL;
	return e && e->pod ? &e->pod->pod : NULL;
}

const struct hornet_container_info *hornet_pod_store__container(const struct hornet_pod_store *s,
								const char *container_id)
{
	const struct hornet_container_info *c;

	hornet_pod_store__by_container(s, container_id, &c);
	return c;
}

int hornet_pod_store__each(const struct hornet_pod_store *s,
			   int (*fn)(const struct hornet_pod *pod, void *ctx), void *ctx)
{
	struct pod_entry *pe, *tmp;
	int ret;

	HASH_ITER(hh, s->pods, pe, tmp)
	{
		ret = fn(&pe->pod, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t hornet_pod_store__generation(const struct hornet_pod_store *s)
{
	return s->generation;
}

static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static size_t container_bytes(const struct hornet_container_info *c)
{
	size_t n = str_bytes(c->name) + str_bytes(c->image_name) + str_bytes(c->image_id);
	char **p;

	for (p = c->exec_probe_cmds; p && *p; p++)
		n += str_bytes(*p) + sizeof(*p);
	return n + (c->exec_probe_cmds ? sizeof(char *) : 0);
}

void hornet_pod_store__stats(const struct hornet_pod_store *s, struct hornet_pod_store_stats *st)
{
	struct pod_entry *pe, *ptmp;
	struct ctr_entry *e, *ctmp;
	size_t i;

	memset(st, 0, sizeof(*st));
	HASH_ITER(hh, s->pods, pe, ptmp)
	{
		st->pods++;
		st->bytes += sizeof(*pe) + str_bytes(pe->pod.namespace) + str_bytes(pe->pod.name) +
			     str_bytes(pe->pod.workload) + str_bytes(pe->pod.workload_kind) +
			     pe->pod.nr_labels * sizeof(pe->pod.labels[0]) +
			     pe->pod.nr_containers * sizeof(pe->pod.containers[0]);
		for (i = 0; i < pe->pod.nr_labels; i++)
			st->bytes += str_bytes(pe->pod.labels[i].key) +
				     str_bytes(pe->pod.labels[i].value);
		for (i = 0; i < pe->pod.nr_containers; i++)
			st->bytes += container_bytes(&pe->pod.containers[i]);
	}
	HASH_ITER(hh, s->ctrs, e, ctmp)
	{
		st->containers++;
		st->bytes += sizeof(*e) + (e->pod ? 0 : container_bytes(&e->own));
	}
}

void hornet_pod_store__free(struct hornet_pod_store *s)
{
	struct pod_entry *pe, *ptmp;
	struct ctr_entry *e, *ctmp;

	if (!s)
		return;
	HASH_ITER(hh, s->ctrs, e, ctmp)
	ctr_drop(s, e);
	HASH_ITER(hh, s->pods, pe, ptmp)
	{
		HASH_DEL(s->pods, pe);
		hornet_pod_fini(&pe->pod);
		free(pe);
	}
	free(s);
}
