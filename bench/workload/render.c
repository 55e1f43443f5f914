// SPDX-License-Identifier: GPL-2.0
/*
 * What pod identity costs the renderer: the exec line of one process,
 * rendered N times, for a host process with and without the workload store,
 * for a process in a pod the store knows (its cached object reused), and
 * for both re-rendered every time (what a change of the store costs a
 * process in a pod, once per change). Prints ns per line.
 *
 * Usage: render [N]   (default 2000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/event.h"
#include "util/intern.h"

#define CID "4f1d0c2b9a8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeedd"
#define UID "0d0c1b9e-5a6b-4c7d-8e9f-a0b1c2d3e4f5"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static struct hornet_process *process(const char *cgroup, const char *cid)
{
	struct hornet_process *p = hornet_process__new();

	if (!p)
		exit(1);
	p->pid = p->tid = 42;
	p->ktime = 7;
	p->flags = HORNET_PF_EXECVE;
	p->binary = hornet_intern("/bin/cat", 8);
	p->cwd = hornet_intern("/", 1);
	p->args = hornet_intern("/etc/passwd", 11);
	p->cgroup = hornet_intern(cgroup, strlen(cgroup));
	if (cid)
		strcpy(p->container_id, cid);
	return p;
}

/* ns per line; @fresh: drop the cached process object before each */
static double run(struct hornet_render_ctx *ctx, struct hornet_process *p, long n, bool fresh)
{
	struct hornet_json j;
	double t0;
	long i;

	hornet_json_init(&j);
	t0 = now();
	for (i = 0; i < n; i++) {
		if (fresh) {
			free(p->json);
			p->json = NULL;
		}
		hornet_json_reset(&j);
		hornet_render_exec(&j, ctx, p, 1000);
	}
	t0 = (now() - t0) / n * 1e9;
	hornet_json_free(&j);
	return t0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct hornet_render_ctx bare = { .node_name = "node-1" }, pods = bare;
	struct hornet_pod_pending pending = {};
	struct hornet_pod_store *s = hornet_pod_store__new();
	struct hornet_container_info c = {};
	struct hornet_process *host = process("/user.slice/user-0.slice/session-1.scope", NULL);
	struct hornet_process *in_pod = process("/kubepods/besteffort/pod" UID "/" CID, CID);

	strcpy(c.id, CID);
	c.name = strdup("nginx");
	c.image_name = strdup("docker.io/library/nginx:1.25");
	if (!s || hornet_pod_store__put_container(s, UID, "shop", "web-0", &c))
		return 1;
	pods.pods = s;
	pods.pending = &pending;
	printf("host process, no store:         %6.1f ns/line\n", run(&bare, host, n, false));
	printf("host process, store:            %6.1f ns/line\n", run(&pods, host, n, false));
	printf("process in a known pod:         %6.1f ns/line\n", run(&pods, in_pod, n, false));
	printf("host process, re-rendered:      %6.1f ns/line\n", run(&bare, host, n / 10, true));
	printf("process in a pod, re-rendered:  %6.1f ns/line\n", run(&pods, in_pod, n / 10, true));
	hornet_process__put(host);
	hornet_process__put(in_pod);
	hornet_pod_store__free(s);
	return 0;
}
