// SPDX-License-Identifier: GPL-2.0
/*
 * The workload store: pods from the API and containers from the hook meet
 * in one entry whichever comes first; what the API cannot know (cgroup ids)
 * survives its updates; a relist removes exactly the pods it no longer
 * names; every change moves the generation.
 */
#include <errno.h>
#include <stdio.h>

#include "unit.h"
#include "process/pods.h"

static void make_id(char id[HORNET_CONTAINER_ID_LEN + 1], int n)
{
	snprintf(id, HORNET_CONTAINER_ID_LEN + 1, "%064x", n);
}

static void api_pod(struct hornet_pod *p, const char *uid, const char *name, int ctr,
		    const char *label)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->uid, sizeof(p->uid), "%s", uid);
	p->namespace = strdup("default");
	p->name = strdup(name);
	p->from_api = true;
	p->labels = calloc(1, sizeof(*p->labels));
	p->labels[0].key = strdup("app");
	p->labels[0].value = strdup(label);
	p->nr_labels = 1;
	if (ctr) {
		p->containers = calloc(1, sizeof(*p->containers));
		make_id(p->containers[0].id, ctr);
		p->containers[0].name = strdup("main");
		p->nr_containers = 1;
	}
}

static void hook_ctr(struct hornet_container_info *c, int n, uint64_t cgid)
{
	memset(c, 0, sizeof(*c));
	make_id(c->id, n);
	c->name = strdup("from-hook");
	c->image_name = strdup("busybox:latest");
	c->cgroup_id = cgid;
	c->init_pid = 42;
}

int main(void)
{
	const struct hornet_container_info *c;
	const struct hornet_pod *pod;
	struct hornet_pod_store_stats st;
	struct hornet_container_info hc;
	struct hornet_pod p;
	char id[HORNET_CONTAINER_ID_LEN + 1];
	uint64_t gen;

	UNIT_CASE("api_then_hook_keeps_api_names_and_adds_cgroup")
	{
		struct hornet_pod_store *s = hornet_pod_store__new();

		api_pod(&p, "uid-1", "web-1", 1, "web");
		CHECK_INT(hornet_pod_store__put(s, &p), 0);
		CHECK(p.name == NULL); /* taken over */
		hook_ctr(&hc, 1, 777);
		CHECK_INT(hornet_pod_store__put_container(s, "uid-1", "default", "web-1", &hc), 0);
		make_id(id, 1);
		pod = hornet_pod_store__by_container(s, id, &c);
		CHECK(pod && c);
		if (pod && c) {
			CHECK_STR(pod->name, "web-1");
			CHECK_STR(c->name, "main");
			CHECK_STR(c->image_name, "busybox:latest");
			CHECK_INT(c->cgroup_id, 777);
		}
		hornet_pod_store__free(s);
	}

	UNIT_CASE("hook_then_api_keeps_the_cgroup_and_unlisted_containers")
	{
		struct hornet_pod_store *s = hornet_pod_store__new();

		hook_ctr(&hc, 2, 900);
		CHECK_INT(hornet_pod_store__put_container(s, "uid-2", "ns2", "db-0", &hc), 0);
		make_id(id, 2);
		pod = hornet_pod_store__by_container(s, id, NULL);
		CHECK(pod && !pod->from_api && !strcmp(pod->namespace, "ns2"));
		/* the API's first version lists no container yet */
		api_pod(&p, "uid-2", "db-0", 0, "db");
		CHECK_INT(hornet_pod_store__put(s, &p), 0);
		pod = hornet_pod_store__by_container(s, id, &c);
		CHECK(pod && pod->from_api && c && c->cgroup_id == 900);
		/* then names it, without a cgroup id */
		api_pod(&p, "uid-2", "db-0", 2, "db2");
		CHECK_INT(hornet_pod_store__put(s, &p), 0);
		pod = hornet_pod_store__by_container(s, id, &c);
		CHECK(pod && c && c->cgroup_id == 900 && !strcmp(c->name, "main"));
		CHECK(pod && pod->nr_containers == 1 && !strcmp(pod->labels[0].value, "db2"));
		hornet_pod_store__free(s);
	}

	UNIT_CASE("standalone_container_joins_its_pod")
	{
		struct hornet_pod_store *s = hornet_pod_store__new();

		hook_ctr(&hc, 3, 55);
		CHECK_INT(hornet_pod_store__put_container(s, NULL, NULL, NULL, &hc), 0);
		make_id(id, 3);
		CHECK(hornet_pod_store__by_container(s, id, &c) == NULL);
		CHECK(c && c->cgroup_id == 55 && !strcmp(c->name, "from-hook"));
		api_pod(&p, "uid-3", "x", 3, "x");
		CHECK_INT(hornet_pod_store__put(s, &p), 0);
		pod = hornet_pod_store__by_container(s, id, &c);
		CHECK(pod && c && c->cgroup_id == 55);
		hornet_pod_store__stats(s, &st);
		CHECK_INT(st.containers, 1);
		hornet_pod_store__free(s);
	}

	UNIT_CASE("relist_sweeps_only_what_it_did_not_name")
	{
		struct hornet_pod_store *s = hornet_pod_store__new();

		api_pod(&p, "a", "a", 10, "a");
		hornet_pod_store__put(s, &p);
		api_pod(&p, "b", "b", 11, "b");
		hornet_pod_store__put(s, &p);
		hook_ctr(&hc, 12, 1);
		hornet_pod_store__put_container(s, "c", "ns", "c", &hc); /* hook-only: kept */
		hornet_pod_store__mark(s);
		api_pod(&p, "a", "a", 10, "a2");
		hornet_pod_store__put(s, &p);
		gen = hornet_pod_store__generation(s);
		CHECK_INT(hornet_pod_store__sweep(s), 1);
		CHECK(hornet_pod_store__generation(s) > gen);
		CHECK(hornet_pod_store__by_uid(s, "a") && !hornet_pod_store__by_uid(s, "b"));
		CHECK(hornet_pod_store__by_uid(s, "c") != NULL);
		make_id(id, 11);
		CHECK(hornet_pod_store__container(s, id) == NULL);
		hornet_pod_store__stats(s, &st);
		CHECK_INT(st.pods, 2);
		CHECK_INT(st.containers, 2);
		CHECK(st.bytes > 0);
		hornet_pod_store__free(s);
	}

	UNIT_CASE("deletes_and_bad_input")
	{
		struct hornet_pod_store *s = hornet_pod_store__new();

		hook_ctr(&hc, 20, 3);
		hornet_pod_store__put_container(s, "d", "ns", "d", &hc);
		make_id(id, 20);
		gen = hornet_pod_store__generation(s);
		CHECK_INT(hornet_pod_store__delete_container(s, id), 0);
		CHECK(hornet_pod_store__generation(s) > gen);
		CHECK(hornet_pod_store__by_uid(s, "d") == NULL); /* hook-only pod, now empty */
		CHECK_INT(hornet_pod_store__delete_container(s, id), -ENOENT);
		CHECK_INT(hornet_pod_store__delete(s, "nope"), -ENOENT);
		memset(&hc, 0, sizeof(hc));
		strcpy(hc.id, "short");
		CHECK_INT(hornet_pod_store__put_container(s, NULL, NULL, NULL, &hc), -EINVAL);
		memset(&p, 0, sizeof(p));
		CHECK_INT(hornet_pod_store__put(s, &p), -EINVAL);
		hornet_pod_store__free(s);
	}

	UNIT_EXIT();
}
