// SPDX-License-Identifier: GPL-2.0
/*
 * What the per-workload metrics cost each exported event
 * (agent/counters.c): N events counted for one host process, for a process
 * in a pod, for 100 binaries in turn, and for policy events (which also
 * count by policy and hook). Prints ns per event.
 *
 * Usage: count [N]   (default 5000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/counters.h"
#include "util/intern.h"

#define CID "4f1d0c2b9a8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeedd"
#define UID "0d0c1b9e-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
#define BINARIES 100

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static struct hornet_process *process(const char *binary, const char *cid)
{
	struct hornet_process *p = hornet_process__new();

	if (!p)
		exit(1);
	p->binary = hornet_intern(binary, strlen(binary));
	if (cid)
		strcpy(p->container_id, cid);
	return p;
}

/* ns per event, the events' processes taken in turn from @procs */
static double run(struct hornet_event *ev, const char *type, struct hornet_process **procs,
		  size_t nr, const struct hornet_pod_store *pods, long n)
{
	struct hornet_counters *c = hornet_counters__new("namespace,workload,pod,binary");
	double t0;
	long i;

	if (!c)
		exit(1);
	t0 = now();
	for (i = 0; i < n; i++) {
		ev->process = procs[i % nr];
		hornet_counters__event(c, type, ev, pods, "", 300);
	}
	t0 = (now() - t0) * 1e9 / n;
	hornet_counters__free(c);
	return t0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	struct hornet_pod_store *pods = hornet_pod_store__new();
	struct hornet_container_info ci = { .id = CID };
	struct hornet_process *host, *pod, *many[BINARIES];
	struct hornet_event ev = { .kind = HORNET_EV_EXEC };
	char bin[32];
	int i;

	if (!pods || hornet_pod_store__put_container(pods, UID, "default", "web-1", &ci))
		return 1;
	host = process("/usr/bin/cat", NULL);
	pod = process("/usr/bin/cat", CID);
	for (i = 0; i < BINARIES; i++) {
		snprintf(bin, sizeof(bin), "/usr/bin/b%d", i);
		many[i] = process(bin, NULL);
	}
	printf("host process, one binary:     %6.1f ns/event\n",
	       run(&ev, "process_exec", &host, 1, pods, n));
	printf("process in a pod:             %6.1f ns/event\n",
	       run(&ev, "process_exec", &pod, 1, pods, n));
	printf("%d binaries in turn:         %6.1f ns/event\n", BINARIES,
	       run(&ev, "process_exec", many, BINARIES, pods, n));
	ev.kind = HORNET_EV_POLICY;
	ev.policy.kind = HORNET_POLICY_KPROBE;
	ev.policy.function_name = "security_file_open";
	ev.policy.policy_name = "block-shadow";
	printf("policy event, process in pod: %6.1f ns/event\n",
	       run(&ev, "process_kprobe", &pod, 1, pods, n));
	hornet_process__put(host);
	hornet_process__put(pod);
	for (i = 0; i < BINARIES; i++)
		hornet_process__put(many[i]);
	hornet_pod_store__free(pods);
	return 0;
}
