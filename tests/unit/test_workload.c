// SPDX-License-Identifier: GPL-2.0
/*
 * Pod and container identity in events: the "pod" and "container" objects
 * of a process as the store knows them (hostile names and labels still make
 * valid JSON), a label change seen by the next event, a line rendered before
 * its pod was known with the pod spliced in afterwards (the same line as one
 * rendered after), the lines waiting for their pod (agent/podwait.c), the
 * OCI hook's request (agent/hook.c), the compact form's "namespace/pod", and
 * the CLI's --namespace, --pod and --container filters.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "unit.h"
#include "agent/hook.h"
#include "agent/podwait.h"
#include "cli/cli.h"
#include "export/compact.h"
#include "export/event.h"
#include "util/intern.h"

#define UID "0d0c1b9e-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
#define CID "4f1d0c2b9a8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeedd"
#define CID2 "1111111111111111111111111111111111111111111111111111111111111111"
#define CGROUP "/kubepods/besteffort/pod" UID "/" CID

static struct hornet_render_ctx ctx = {
	.node_name = "node-1",
	.boot_to_wall_ns = 1795860000123456789LL - 1000000,
};

static struct hornet_process *proc(const char *cgroup, const char *cid)
{
	struct hornet_process *p = hornet_process__new();

	if (!p)
		exit(2);
	p->pid = p->tid = 42;
	p->ktime = 7;
	p->flags = HORNET_PF_EXECVE;
	p->binary = hornet_intern("/bin/cat", 8);
	p->cwd = hornet_intern("/", 1);
	p->args = hornet_intern("/etc/passwd", 11);
	p->cgroup = hornet_intern(cgroup, strlen(cgroup));
	p->runtime = HORNET_RUNTIME_UNKNOWN;
	strcpy(p->container_id, cid);
	return p;
}

static int put_pod(struct hornet_pod_store *s, const char *ns, const char *name,
		   const char *const *labels)
{
	struct hornet_pod pod = {};
	size_t n = 0;

	strcpy(pod.uid, UID);
	pod.namespace = strdup(ns);
	pod.name = strdup(name);
	while (labels && labels[2 * n])
		n++;
	pod.labels = calloc(n + 1, sizeof(*pod.labels));
	for (pod.nr_labels = 0; pod.nr_labels < n; pod.nr_labels++) {
		pod.labels[pod.nr_labels].key = strdup(labels[2 * pod.nr_labels]);
		pod.labels[pod.nr_labels].value = strdup(labels[2 * pod.nr_labels + 1]);
	}
	pod.workload = strdup("web");
	pod.workload_kind = strdup("Deployment");
	pod.containers = calloc(1, sizeof(*pod.containers));
	pod.nr_containers = 1;
	strcpy(pod.containers[0].id, CID);
	pod.containers[0].name = strdup("nginx");
	pod.containers[0].image_name = strdup("docker.io/library/nginx:1.25");
	pod.containers[0].image_id = strdup("docker.io/library/nginx@sha256:00");
	pod.containers[0].start_ns = 1795860000000000000ULL;
	pod.containers[0].maybe_exec_probe_cmds = true;
	pod.containers[0].exec_probe_cmds = calloc(2, sizeof(char *));
	pod.containers[0].exec_probe_cmds[0] = strdup("cat");
	pod.from_api = true;
	return hornet_pod_store__put(s, &pod);
}

static char *exec_line(struct hornet_process *p)
{
	struct hornet_json j;

	hornet_json_init(&j);
	hornet_render_exec(&j, &ctx, p, 1000000);
	return j.buf;
}

static json_t *process_of(const char *line)
{
	json_t *v = json_loads(line, 0, NULL);
	json_t *p = json_incref(json_object_get(json_object_get(v, "process_exec"), "process"));

	json_decref(v);
	return p;
}

static const char *sget(json_t *o, const char *path)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		o = json_object_get(o, tok);
	return json_string_value(o);
}

static void out_line(void *octx, const char *type, const char *line, size_t len, size_t missing)
{
	json_t *seen = octx, *o = json_object();

	json_object_set_new(o, "line", json_stringn(line, len));
	json_object_set_new(o, "missing", json_integer(missing));
	json_array_append_new(seen, o);
}

/* `hornet events --input FILE ARGS...`: what it prints */
static char *cli_events(const char *file, const char *a1, const char *a2)
{
	char *argv[] = { "events", "--input", (char *)file, (char *)a1, (char *)a2, NULL };
	static char buf[65536];
	int fds[2], st, argc = a2 ? 5 : 3;
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe(fds))
		return NULL;
	pid = fork();
	if (!pid) {
		dup2(fds[1], 1);
		close(fds[0]);
		_exit(hornet_cmd_events(argc, argv));
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fds[0]);
	waitpid(pid, &st, 0);
	buf[len] = '\0';
	return buf;
}

int main(void)
{
	static const char *const hostile[] = {
		"app",	   "web",
		"q\"uote", "<script>alert(1)</script>",
		"ctl\x01", "line\nbreak\x1b[31m",
		"bad\xff", "utf8 \xc3\x28 \xe2\x82",
		NULL,
	};
	struct hornet_pod_store *s = hornet_pod_store__new();
	struct hornet_process *p = proc(CGROUP, CID);
	struct hornet_pod_pending pending = {};
	json_t *o;
	char *line;

	ctx.pods = s;
	UNIT_CASE("no_pod_object_without_a_store_or_a_container")
	{
		struct hornet_render_ctx bare = ctx;
		struct hornet_json j;

		bare.pods = NULL;
		hornet_json_init(&j);
		hornet_render_exec(&j, &bare, p, 1000000);
		CHECK(!strstr(j.buf, "\"pod\"") && !strstr(j.buf, "\"container\""));
		hornet_json_free(&j);
		free(p->json);
		p->json = NULL;
	}

	UNIT_CASE("pod_object_in_tetragons_shape_and_place")
	{
		CHECK_INT(put_pod(s, "shop", "web-7d9c-x2x",
				  (const char *const[]){ "app", "web", "tier", "front", NULL }),
			  0);
		line = exec_line(p);
		o = process_of(line);
		CHECK(o != NULL);
		CHECK_STR(sget(o, "pod.namespace"), "shop");
		CHECK_STR(sget(o, "pod.name"), "web-7d9c-x2x");
		CHECK_STR(sget(o, "pod.uid"), UID);
		CHECK_STR(sget(o, "pod.container.id"), "containerd://" CID);
		CHECK_STR(sget(o, "pod.container.name"), "nginx");
		CHECK_STR(sget(o, "pod.container.image.id"), "docker.io/library/nginx@sha256:00");
		CHECK_STR(sget(o, "pod.container.image.name"), "docker.io/library/nginx:1.25");
		CHECK_STR(sget(o, "pod.container.start_time"), "2026-11-28T10:00:00.000000000Z");
		CHECK_STR(sget(o, "pod.pod_labels.tier"), "front");
		CHECK_STR(sget(o, "pod.workload"), "web");
		CHECK_STR(sget(o, "pod.workload_kind"), "Deployment");
		/* the container's exec probe runs "cat": /bin/cat may be it */
		CHECK(json_is_true(
			json_object_get(json_object_get(json_object_get(o, "pod"), "container"),
					"maybe_exec_probe")));
		/* after auid, before docker; the fields in the proto's order */
		CHECK(strstr(line, "\"auid\":0,\"pod\":{\"namespace\":\"shop\",\"name\":") != NULL);
		CHECK(strstr(line, "\"workload_kind\":\"Deployment\"},\"docker\":") != NULL);
		CHECK(strstr(line, "\"container\":{\"id\":\"containerd://" CID
				   "\",\"name\":\"nginx\",\"image\":{\"id\":") != NULL);
		json_decref(o);
		free(line);
	}

	UNIT_CASE("a_label_change_shows_in_the_next_event")
	{
		CHECK_INT(put_pod(s, "shop", "web-7d9c-x2x",
				  (const char *const[]){ "app", "web", "tier", "back", NULL }),
			  0);
		line = exec_line(p);
		o = process_of(line);
		CHECK_STR(sget(o, "pod.pod_labels.tier"), "back");
		json_decref(o);
		free(line);
	}

	UNIT_CASE("hostile_names_and_labels_make_valid_json")
	{
		CHECK_INT(put_pod(s, "ns\"\x02<b>", "pod\\name\xc0\xaf", hostile), 0);
		line = exec_line(p);
		o = process_of(line);
		CHECK(o != NULL);
		CHECK_STR(sget(o, "pod.pod_labels.q\"uote"), "<script>alert(1)</script>");
		CHECK_STR(sget(o, "pod.pod_labels.ctl\x01"), "line\nbreak\x1b[31m");
		CHECK_STR(sget(o, "pod.namespace"), "ns\"\x02<b>");
		/* invalid UTF-8 is repaired, not passed on */
		CHECK(json_object_size(json_object_get(json_object_get(o, "pod"), "pod_labels")) ==
		      4);
		CHECK(strstr(line, "\xff") == NULL);
		json_decref(o);
		free(line);
	}

	UNIT_CASE("compact_shows_namespace_and_pod_and_both_paths_agree")
	{
		struct hornet_event ev = { .kind = HORNET_EV_EXEC, .ktime = 1000000, .process = p };
		char *typed, *from_json;
		json_t *v;

		CHECK_INT(put_pod(s, "shop", "web-0", NULL), 0);
		line = exec_line(p);
		v = json_loads(line, 0, NULL);
		typed = hornet_compact_event_pods(&ev, s);
		from_json = hornet_compact(v);
		CHECK_STR(typed, "\xf0\x9f\x9a\x80 process shop/web-0 /bin/cat /etc/passwd");
		CHECK_STR(from_json, typed);
		free(typed);
		free(from_json);
		json_decref(v);
		free(line);
	}

	UNIT_CASE("a_line_rendered_before_its_pod_gets_it_spliced_in")
	{
		/* a pod the store does not know: by the uid in the cgroup path */
		const char *cg = "/kubepods/pod00000000-0000-0000-0000-000000000001/" CID2;
		struct hornet_process *q = proc(cg, CID2);
		struct hornet_process *child = proc(cg, CID2);
		struct hornet_json spliced;
		char *before, *after;

		child->parent = hornet_process__get(q);
		child->pid = 43;
		ctx.pending = &pending;
		before = exec_line(child);
		CHECK_INT(pending.n, 2); /* the process and its parent */
		CHECK(!strstr(before, "\"pod\""));
		CHECK(hornet_workload_pending(child, &ctx));
		/* the hook reports the container of that pod */
		{
			struct hornet_container_info c = {};

			strcpy(c.id, CID2);
			c.name = strdup("late");
			CHECK_INT(hornet_pod_store__put_container(
					  s, "00000000-0000-0000-0000-000000000001", "late-ns",
					  "late-pod", &c),
				  0);
		}
		CHECK(!hornet_workload_pending(child, &ctx));
		hornet_json_init(&spliced);
		CHECK_INT(hornet_splice_pods(&spliced, before, strlen(before), &pending, &ctx), 0);
		CHECK_INT(pending.n, 0);
		ctx.pending = NULL;
		after = exec_line(child);
		CHECK_STR(spliced.buf, after);
		o = process_of(spliced.buf);
		CHECK_STR(sget(o, "pod.namespace"), "late-ns");
		CHECK_STR(sget(o, "pod.container.name"), "late");
		json_decref(o);
		free(before);
		free(after);
		hornet_json_free(&spliced);
		hornet_process__put(child);
		hornet_process__put(q);
	}

	UNIT_CASE("held_lines_leave_in_order_with_their_pod_or_when_time_is_up")
	{
		struct hornet_pod_wait *w = hornet_pod_wait__new();
		const char *uid3 = "00000000-0000-0000-0000-000000000003";
		char cg[200];
		struct hornet_process *r;
		json_t *seen = json_array();
		struct hornet_json j;
		uint64_t t0 = 1000000000ULL;
		int i;

		snprintf(cg, sizeof(cg), "/kubepods/pod%s/%064d", uid3, 3);
		r = proc(cg, "0000000000000000000000000000000000000000000000000000000000000003");
		ctx.pending = &pending;
		for (i = 0; i < 3; i++) {
			hornet_json_init(&j);
			r->pid = 100 + i; /* a new rendering each time */
			free(r->json);
			r->json = NULL;
			hornet_render_exec(&j, &ctx, r, 1000000);
			CHECK_INT(pending.n, 1);
			CHECK(hornet_pod_wait__hold(w, "process_exec", j.buf, j.len, &pending,
						    t0 + i));
			hornet_json_free(&j);
		}
		ctx.pending = NULL;
		hornet_pod_wait__release(w, &ctx, t0 + 1000, out_line, seen);
		CHECK_INT(json_array_size(seen), 0);
		/* time is up: all three, in order, without their pod */
		hornet_pod_wait__release(w, &ctx, t0 + HORNET_POD_WAIT_MS * 1000000ULL, out_line,
					 seen);
		CHECK_INT(json_array_size(seen), 3);
		for (i = 0; i < 3; i++) {
			o = process_of(sget(json_array_get(seen, i), "line"));
			CHECK_INT(json_integer_value(json_object_get(o, "pid")), 100 + i);
			CHECK(!json_object_get(o, "pod"));
			CHECK_INT(json_integer_value(
					  json_object_get(json_array_get(seen, i), "missing")),
				  1);
			json_decref(o);
		}
		/* the same pod again: not waited for a second time */
		ctx.pending = &pending;
		hornet_json_init(&j);
		free(r->json);
		r->json = NULL;
		hornet_render_exec(&j, &ctx, r, 1000000);
		CHECK(!hornet_pod_wait__hold(w, "process_exec", j.buf, j.len, &pending,
					     t0 + 3 * HORNET_POD_WAIT_MS * 1000000ULL));
		hornet_pod_pending_release(&pending);
		hornet_json_free(&j);
		ctx.pending = NULL;
		json_decref(seen);
		hornet_process__put(r);
		hornet_pod_wait__free(w);
	}

	UNIT_CASE("a_container_outside_any_pod_gets_a_container_object")
	{
		struct hornet_process *c = proc("/hornet-test/" CID2 "", CID2);
		json_t *req =
			json_pack("{s:s, s:s, s:s, s:s}", "command", "container", "id", CID2,
				  "cgroup_path", "/hornet-test/" CID2, "container_name", "plain");
		struct hornet_hook_result res;
		char err[256];

		/* CID2 is a pod's container above: a new store */
		ctx.pods = hornet_pod_store__new();
		CHECK_INT(hornet_hook_container((struct hornet_pod_store *)ctx.pods, req, &res, err,
						sizeof(err)),
			  0);
		CHECK_STR(res.id, CID2);
		CHECK_STR(res.pod_uid, "");
		line = exec_line(c);
		o = process_of(line);
		CHECK(!json_object_get(o, "pod"));
		CHECK_STR(sget(o, "container.id"), CID2);
		CHECK_STR(sget(o, "container.name"), "plain");
		json_decref(o);
		free(line);
		json_decref(req);
		hornet_pod_store__free((struct hornet_pod_store *)ctx.pods);
		ctx.pods = s;
		hornet_process__put(c);
	}

	UNIT_CASE("the_hooks_request_is_checked")
	{
		struct hornet_hook_result res;
		char err[256] = "";
		json_t *req;

		req = json_pack("{s:s}", "id", "not-hex");
		CHECK_INT(hornet_hook_container(s, req, &res, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "64-hex") != NULL);
		json_decref(req);
		req = json_pack("{s:s, s:i}", "id", CID2, "container_name", 5);
		CHECK_INT(hornet_hook_container(s, req, &res, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "container_name") != NULL);
		json_decref(req);
		req = json_pack("{s:s, s:s}", "id", CID2, "pod_uid",
				"0123456789012345678901234567890123456789");
		CHECK_INT(hornet_hook_container(s, req, &res, err, sizeof(err)), -EINVAL);
		json_decref(req);
		/* the pod uid from the cgroup path when the annotations lack it */
		req = json_pack("{s:s, s:s}", "id", "runc-name", "cgroup_path", CGROUP);
		CHECK_INT(hornet_hook_container(s, req, &res, err, sizeof(err)), 0);
		CHECK_STR(res.id, CID);
		CHECK_STR(res.pod_uid, UID);
		json_decref(req);
		/* poststop: the container leaves the store, and the pod only the hook knew */
		CHECK(hornet_pod_store__container(s, CID) != NULL);
		req = json_pack("{s:s, s:s}", "id", "runc-name", "cgroup_path", CGROUP);
		CHECK_INT(hornet_hook_container_gone(s, req, &res, err, sizeof(err)), 0);
		CHECK(hornet_pod_store__container(s, CID) == NULL);
		CHECK_INT(hornet_hook_container_gone(s, req, &res, err, sizeof(err)), 0);
		json_decref(req);
	}

	UNIT_CASE("cli_filters_namespace_pod_and_container")
	{
		char path[] = "/tmp/hornet-workload-XXXXXX";
		int fd = mkstemp(path);
		const char *lines =
			"{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/a\",\"pod\":{"
			"\"namespace\":\"shop\",\"name\":\"web-1\",\"container\":{\"name\":"
			"\"nginx\"}}}}}\n"
			"{\"process_exec\":{\"process\":{\"pid\":2,\"binary\":\"/b\",\"pod\":{"
			"\"namespace\":\"kube-system\",\"name\":\"dns-1\",\"container\":{\"name\":"
			"\"coredns\"}}}}}\n"
			"{\"process_exec\":{\"process\":{\"pid\":3,\"binary\":\"/"
			"c\",\"container\":{"
			"\"name\":\"nginx\"}}}}\n"
			"{\"process_exec\":{\"process\":{\"pid\":4,\"binary\":\"/d\"}}}\n";
		char *out;

		CHECK(fd >= 0 && write(fd, lines, strlen(lines)) == (ssize_t)strlen(lines));
		close(fd);
		out = cli_events(path, "--namespace", "shop");
		CHECK(strstr(out, "\"pid\":1") && !strstr(out, "\"pid\":2") &&
		      !strstr(out, "\"pid\":3") && !strstr(out, "\"pid\":4"));
		out = cli_events(path, "--pod", "^dns-");
		CHECK(strstr(out, "\"pid\":2") && !strstr(out, "\"pid\":1"));
		out = cli_events(path, "--container", "nginx");
		CHECK(strstr(out, "\"pid\":1") && strstr(out, "\"pid\":3") &&
		      !strstr(out, "\"pid\":2") && !strstr(out, "\"pid\":4"));
		out = cli_events(path, "-o", "compact");
		CHECK(strstr(out, "process shop/web-1 /a") && strstr(out, "process /d"));
		unlink(path);
	}

	hornet_process__put(p);
	hornet_pod_store__free(s);
	UNIT_EXIT();
}
