// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "agent/actions.h"
#include "agent/agent.h"
#include "agent/core.h"
#include "agent/counters.h"
#include "agent/crd.h"
#include "agent/hook.h"
#include "agent/podwait.h"
#include "agent/persist.h"
#include "agent/policies.h"
#include "agent/scope.h"
#include "agent/tls.h"
#include "export/api.h"
#include "export/compact.h"
#include "export/environ.h"
#include "export/event.h"
#include "export/file.h"
#include "export/gate.h"
#include "export/throttle.h"
#include "k8s/pods.h"
#include "policy/plan.h"
#include "process/cache.h"
#include "process/pods.h"
#include "process/procfs.h"
#include "sensors/exec.h"
#include "sensors/generic.h"
#include "sensors/loader.h"
#include "sensors/net.h"
#include "util/bpffs.h"
#include "store/db.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/kbtf.h"
#include "util/log.h"
#include "util/poll.h"
#include "util/ring.h"
#include "util/skel.h"
#include "vocab/vocab.h"
#include "web/web.h"

/* Records left in the ring buffer are picked up at least this often. */
#define POLL_TIMEOUT_MS 50
/*
 * Records of the main ring read per round of the loop: under a flood the
 * ring never empties, and the loop must still answer the API, flush the
 * export and handle signals between rounds (a few ms of records).
 */
#define DRAIN_BUDGET 4096
/* The realtime-boottime offset drifts with NTP; re-read it this often. */
#define CLOCK_REFRESH_NS (10ULL * 1000000000ULL)
/*
 * Stopping while the loader verifies a program: the verifier gives up when
 * a signal is pending, but libbpf retries an -EAGAIN load (5 times, then
 * once more with a log), so the loader is signalled again this often until
 * it returns.
 */
#define WAKE_LOADER_MS 10
/* Sent to the loader thread only; blocked everywhere else. */
#define SIG_WAKE_LOADER SIGURG

struct hornet_agent {
	const struct hornet_config *cfg;
	int epfd;
	struct hornet_poll sig;
	struct hornet_poll ring; /* the main ring buffer's map fd */
	struct hornet_poll ring_enforce; /* the enforcement records' */
	struct hornet_ring *rb; /* hornet_events */
	struct hornet_ring *rb_enforce; /* hornet_enforce */
	struct hornet_loader_sensor *mmaps; /* process_loader, while a policy has spec.loader */
	struct hornet_poll mmaps_poll;
	char mmaps_err[256]; /* why it did not start, said once */
	struct hornet_tls_slots tls_slots; /* spec.tlsServerNames rules' numbers */
	uint64_t tls_sig; /* what the network sensor's TLS rules were built from */
	bool tls_set;
	uint64_t mmaps_lost; /* lost by the loader sensors stopped so far */
	bool rb_more; /* the last drain left records for the next round */
	struct hornet_features features;
	struct hornet_shared_maps maps; /* the ring buffer and what the sensors share */
	bool maps_open;
	int pin_fd; /* --bpffs-dir, opened and locked (util/bpffs.h), or -1 */
	int old_procs; /* the process table an earlier agent pinned, or -1 */
	int *old_links; /* the links it pinned, held until this agent's policies are in */
	char (*old_names)[NAME_MAX + 1]; /* their pins' names */
	unsigned int nr_old_links;
	bool procs_pinned; /* this agent's process table is pinned */
	struct hornet_exec_sensor *exec;
	struct hornet_kernel kernel;
	bool kernel_ready;
	struct hornet_gen_sensor *gen;
	struct hornet_net_sensor *net;
	int net_error; /* why the network sensor did not start (errno), or 0 */
	struct hornet_pm *pm;
	struct hornet_crd *crd; /* policies from the Kubernetes API */
	struct hornet_actions *actions;
	struct hornet_proc_cache *cache;
	/* what process objects carry when asked: user names, binary hashes,
	 * the environment variables kept (sensors/exec.h) */
	struct hornet_userdb *userdb;
	struct hornet_binhash *binhash;
	char **env_keep;
	struct hornet_throttle *throttle; /* --cgroup-rate; NULL: off */
	uint64_t throttle_tick_ns; /* the last look at throttled cgroups */
	uint64_t cgroup_scan_ns; /* the last walk of cgroupSelectors' cgroups */
	struct hornet_pod_store *pods; /* always there: the hook fills it without the API */
	struct hornet_k8s_pods *k8s; /* the pod watch, with --enable-k8s-api */
	struct hornet_export_file *file;
	struct hornet_export_gate *gate; /* filters and rate limit of the file's lines */
	struct hornet_api *api;
	struct hornet_web *web; /* the HTTP server, on its own threads */
	struct hornet_store *store; /* the event history, written by its own thread */
	struct hornet_scope *scope; /* the kernel's map of workload scopes per cgroup */
	uint64_t scope_gen; /* the store's generation the scope map was computed at */
	struct hornet_pod_wait *pod_wait; /* events waiting for their pod */
	struct hornet_pod_pending pending; /* of the line being rendered */
	bool pod_source; /* something tells the store about pods: wait for them */
	uint64_t events_without_pod; /* of processes in pods the store did not know */
	uint64_t hook_requests, hook_errors;
	struct hornet_render_ctx render;
	struct hornet_json json; /* the line being emitted */
	uint64_t started_ns; /* CLOCK_MONOTONIC */
	uint64_t ready_ns;
	uint64_t clock_read_ns;
	bool ready;
	bool stop;
	struct {
		const char *type;
		uint64_t n;
	} events[8]; /* exported, by type */
	uint64_t bad_records;
	/* the export file failed within EXPORT_QUIET_NS: its last error, when */
	bool export_failing;
	int export_err;
	uint64_t export_failed_ns;
	struct hornet_counters *counters; /* per workload, for the metrics */
	long scanned; /* processes found in /proc at the start */
	struct hornet_poll api_poll; /* the API's own epoll set, nested in the loop's */
	/*
	 * The start: sensors, the /proc scan and the policies load on a thread
	 * of their own while this one answers `hornet status` with the progress
	 * and stops the load on a signal. While @loading, @lock serializes the
	 * API between the two (the loader's scan emits events).
	 */
	pthread_t loader;
	bool loading;
	bool loaded; /* the loader said it ended */
	int load_err;
	int stop_load; /* set by the loop, read by the loader */
	struct hornet_poll load_done; /* an eventfd the loader writes at its end */
	pthread_mutex_t lock;
	struct {
		char phase[64];
		char text[768]; /* "loading policies: 5 of 14 (...)" */
		struct hornet_pm_progress pm;
		char point[512], policy[HORNET_PM_MAX_NAME + 1];
	} progress; /* under @lock */
};

static void refresh_clock(struct hornet_agent *a)
{
	/* bracket the realtime read by two boottime reads to halve the error */
	uint64_t b1 = hornet_clock_ns(CLOCK_BOOTTIME);
	uint64_t rt = hornet_clock_ns(CLOCK_REALTIME);
	uint64_t b2 = hornet_clock_ns(CLOCK_BOOTTIME);

	a->render.boot_to_wall_ns = (int64_t)rt - (int64_t)(b1 + (b2 - b1) / 2);
	a->clock_read_ns = b2;
}

static void count_event(struct hornet_agent *a, const char *type)
{
	unsigned int i;

	for (i = 0; i < sizeof(a->events) / sizeof(a->events[0]); i++) {
		if (!a->events[i].type)
			a->events[i].type = type;
		if (!strcmp(a->events[i].type, type)) {
			a->events[i].n++;
			return;
		}
	}
}

static uint64_t events_of(const struct hornet_agent *a, const char *type)
{
	unsigned int i;

	for (i = 0; i < sizeof(a->events) / sizeof(a->events[0]) && a->events[i].type; i++)
		if (!strcmp(a->events[i].type, type))
			return a->events[i].n;
	return 0;
}

/* One line to the export file, through the filters and the rate limit. */
static void export_line(struct hornet_agent *a, const char *type, const char *line, size_t len)
{
	if (a->gate) {
		line = hornet_export_gate__line(a->gate, type, line, len, &len,
						hornet_clock_ns(CLOCK_MONOTONIC));
		if (!line)
			return;
	}
	hornet_export_file__write(a->file, line, len);
}

/* The rate limit's report when due (@force: now, at the end), and rotation by time. */
static void export_tick(struct hornet_agent *a, bool force)
{
	uint64_t now = hornet_clock_ns(CLOCK_MONOTONIC);
	const char *line;
	size_t len;

	if (a->gate) {
		line = hornet_export_gate__report(a->gate, now, hornet_clock_ns(CLOCK_REALTIME),
						  force, &len);
		if (line)
			hornet_export_file__write(a->file, line, len);
	}
	hornet_export_file__tick(a->file, now);
}

/* One finished line (with its newline) to every output; @ev: NULL for a
 * line that waited for its pod (its compact form is made from the JSON). */
static void output(struct hornet_agent *a, const char *type, const char *line, size_t len,
		   const struct hornet_event *ev)
{
	char *compact = NULL;
	json_t *obj;

	/* from the loader's /proc scan, while the loop serves the API */
	if (a->loading)
		pthread_mutex_lock(&a->lock);
	count_event(a, type);
	hornet_counters__event(a->counters, type, ev, a->pods, line, len);
	/* the line with its newline, in one piece: rotation never splits it */
	/* a line it cannot write is counted in hornet_export_file__lost() */
	if (a->file)
		export_line(a, type, line, len);
	if (a->api)
		hornet_api__broadcast(a->api, type, line, len - 1);
	hornet_web__publish(a->web, line, len - 1);
	if (a->store)
		hornet_store__push(a->store, line, len - 1);
	switch (a->cfg->stdout_format) {
	case HORNET_STDOUT_NONE:
		break;
	case HORNET_STDOUT_JSON:
		fwrite(line, 1, len, stdout);
		break;
	case HORNET_STDOUT_COMPACT:
		if (ev) {
			compact = hornet_compact_event_pods(ev, a->pods);
		} else {
			obj = json_loadb(line, len, 0, NULL);
			compact = obj ? hornet_compact(obj) : NULL;
			json_decref(obj);
		}
		if (compact)
			printf("%s\n", compact);
		free(compact);
		break;
	}
	if (a->loading)
		pthread_mutex_unlock(&a->lock);
}

static void output_waited(void *ctx, const char *type, const char *line, size_t len, size_t missing)
{
	struct hornet_agent *a = ctx;

	if (missing)
		a->events_without_pod++;
	hornet_json_reset(&a->json);
	hornet_json_append(&a->json, line, len);
	hornet_json_append(&a->json, "\n", 1);
	if (!a->json.failed)
		output(a, type, a->json.buf, a->json.len, NULL);
}

/* The events that waited for their pod and need wait no more go out first. */
static void release_waiting(struct hornet_agent *a)
{
	if (a->pod_wait && hornet_pod_wait__busy(a->pod_wait))
		hornet_pod_wait__release(a->pod_wait, &a->render, hornet_clock_ns(CLOCK_MONOTONIC),
					 output_waited, a);
}

/* Updates the kernel's scope map: the store changed, or the scoped policies (@policies). */
#define CGROUP_SCAN_NS (2ULL * 1000000000ULL)

static void scope_update(struct hornet_agent *a, bool policies)
{
	int err;

	if (!a->scope)
		return;
	a->scope_gen = hornet_pod_store__generation(a->pods);
	err = hornet_scope__update(a->scope, a->pm, policies);
	if (err)
		pr_warn("workload scopes: %s (policies may miss containers)", strerror(-err));
}

/*
 * Every sensor's decoded events come here: rendered once as a JSON line for
 * the export file and the API, and for stdout as it is asked for. A line
 * whose process is in a pod the store does not know yet waits for it
 * (agent/podwait.h) once something feeds the store (the API or the OCI
 * hook); without such a source it goes out at once, counted.
 */
static void throttle_line(struct hornet_agent *a, bool start, const char *cgroup, uint64_t ktime)
{
	hornet_json_reset(&a->json);
	hornet_render_throttle(&a->json, &a->render, start, cgroup, ktime);
	hornet_json_append(&a->json, "\n", 1);
	if (!a->json.failed)
		output(a, "process_throttle", a->json.buf, a->json.len, NULL);
}

/* --cgroup-rate: whether @ev's cgroup has sent too many of late (export/throttle.h) */
static bool throttled(struct hornet_agent *a, const struct hornet_event *ev)
{
	const struct hornet_process *p = ev->process;

	if (!a->throttle || !p || ev->process_unknown ||
	    (ev->kind != HORNET_EV_EXEC && ev->kind != HORNET_EV_EXIT &&
	     ev->kind != HORNET_EV_POLICY))
		return false;
	switch (hornet_throttle__count(a->throttle, p->cgroup_id, p->cgroup, ev->ktime)) {
	case HORNET_THROTTLE_PASS:
		return false;
	case HORNET_THROTTLE_START:
		throttle_line(a, true, p->cgroup ? p->cgroup : "", ev->ktime);
		return true;
	default:
		return true;
	}
}

static void throttle_stop(void *ctx, const char *cgroup)
{
	struct hornet_agent *a = ctx;

	throttle_line(a, false, cgroup, hornet_clock_ns(CLOCK_BOOTTIME));
}

/* Once a second: the throttled cgroups that calmed down get their stop. */
static void throttle_tick(struct hornet_agent *a)
{
	uint64_t now = hornet_clock_ns(CLOCK_BOOTTIME);

	if (now - a->throttle_tick_ns < 1000000000ULL)
		return;
	a->throttle_tick_ns = now;
	hornet_throttle__tick(a->throttle, now, throttle_stop, a);
}

static int emit(void *ctx, const struct hornet_event *ev)
{
	struct hornet_agent *a = ctx;
	const char *type = hornet_event_type_name(ev);
	int err;

	if (throttled(a, ev))
		return 0;

	/* a container the hook did not announce: scoped policies apply from
	 * its first exec on, once its cgroup is known */
	if (ev->kind == HORNET_EV_EXEC && ev->process && ev->process->container_id[0] && a->scope &&
	    hornet_scope__learn(a->scope, ev->process->container_id, ev->process->cgroup_id))
		scope_update(a, false);
	release_waiting(a);
	hornet_json_reset(&a->json);
	err = hornet_render_event(&a->json, &a->render, ev);
	if (err) {
		hornet_pod_pending_release(&a->pending);
		if (err == -ENOMEM)
			pr_warn("event '%s' too large to render; dropped", type);
		return err;
	}
	if (a->pending.n || a->pending.overflow) {
		if (a->pod_source && !a->json.failed &&
		    hornet_pod_wait__hold(a->pod_wait, type, a->json.buf, a->json.len, &a->pending,
					  hornet_clock_ns(CLOCK_MONOTONIC)))
			return 0;
		hornet_pod_pending_release(&a->pending);
		a->events_without_pod++;
	}
	hornet_json_append(&a->json, "\n", 1);
	if (a->json.failed)
		return -ENOMEM;
	output(a, type, a->json.buf, a->json.len, ev);
	return 0;
}

static void user_action(void *ctx, const struct hornet_user_action *ua)
{
	struct hornet_agent *a = ctx;

	if (a->actions)
		hornet_actions__queue(a->actions, ua->action, ua->arg);
}

static void on_record(struct hornet_agent *a, const void *data, size_t size)
{
	const struct hornet_hdr *h = data;
	int err;

	if (size >= sizeof(*h) && h->op == HORNET_OP_GENERIC)
		err = a->gen ? hornet_gen_sensor__handle(a->gen, data, size) : -EINVAL;
	else if (size >= sizeof(*h) && h->op == HORNET_OP_NET)
		err = a->net ? hornet_net_sensor__handle(a->net, data, size) : -EINVAL;
	else
		err = hornet_exec_sensor__handle(a->exec, data, size);

	if (err == -EINVAL) {
		a->bad_records++;
		pr_debug("ring buffer: malformed record of %zu bytes dropped", size);
	}
}

/*
 * Says once when the export file starts failing, and once when it has written
 * without a failure for EXPORT_QUIET_NS: on a full disk a small flush may still
 * fit in the file's last block while a larger one does not, and the log must
 * not flap with every flush.
 */
#define EXPORT_QUIET_NS (10 * 1000000000ULL)

static void export_report(struct hornet_agent *a)
{
	int err = hornet_export_file__last_error(a->file);
	uint64_t now = hornet_clock_ns(CLOCK_MONOTONIC);

	if (err) {
		a->export_err = err;
		a->export_failed_ns = now;
		if (!a->export_failing)
			pr_warn("export file '%s': %s; events not written are counted in "
				"lost.export_errors",
				a->cfg->export_file, strerror(-err));
		a->export_failing = true;
	} else if (a->export_failing && now - a->export_failed_ns > EXPORT_QUIET_NS) {
		pr_info("export file '%s': writing again (%llu events lost)", a->cfg->export_file,
			(unsigned long long)hornet_export_file__lost(a->file));
		a->export_failing = false;
	}
}

/* A record's time, for the order of the two rings: 0 (first) when too short. */
static uint64_t record_ktime(const void *rec, uint32_t size)
{
	return size >= sizeof(struct hornet_hdr) ? ((const struct hornet_hdr *)rec)->ktime : 0;
}

/*
 * Both rings, oldest record first: a kill record comes after the exec of
 * the process it names, as when one ring held both, so that the process is
 * known when it is rendered. At most DRAIN_BUDGET records of the main ring
 * per round; the enforcement records older than what is left are read
 * within it, the others with the main ring's records of their time.
 */
static void drain_rings(struct hornet_agent *a)
{
	const void *m, *e;
	uint32_t msize = 0, esize = 0;
	unsigned int n = 0;

	a->rb_more = false;
	for (;;) {
		m = hornet_ring__peek(a->rb, &msize);
		e = hornet_ring__peek(a->rb_enforce, &esize);
		if (e && (!m || record_ktime(e, esize) <= record_ktime(m, msize))) {
			on_record(a, e, esize);
			hornet_ring__next(a->rb_enforce);
			continue;
		}
		if (!m)
			break;
		if (n++ == DRAIN_BUDGET) {
			a->rb_more = true;
			break;
		}
		on_record(a, m, msize);
		hornet_ring__next(a->rb);
	}
}

static void drain(struct hornet_agent *a)
{
	if (a->rb)
		drain_rings(a);
	/* after the rings: the exec events of the processes it names come first */
	if (a->mmaps)
		hornet_loader_sensor__drain(a->mmaps);
	if (a->file) {
		export_tick(a, false);
		hornet_export_file__flush(a->file);
		export_report(a);
	}
	if (a->api)
		hornet_api__flush(a->api);
	if (a->cfg->stdout_format != HORNET_STDOUT_NONE)
		fflush(stdout);
}

/* The loader's buffers are read by drain(), after the rings. */
static void on_loader(struct hornet_poll *p, uint32_t events)
{
}

/* The network sensor's TLS rules, from the enabled policies, when they changed. */
static void tls_update(struct hornet_agent *a)
{
	uint64_t sig = hornet_tls_rules_signature(a->pm);
	struct hornet_tls_rule_set r;
	char err[512] = "";
	int ret;

	if (!a->net || (a->tls_set && sig == a->tls_sig))
		return;
	ret = hornet_tls_rules_build(a->pm, &a->tls_slots, &r, err, sizeof(err));
	if (ret == -ENOMEM)
		return;
	if (ret)
		pr_warn("%s", err);
	ret = hornet_net_sensor__set_tls(a->net, &r);
	hornet_tls_rule_set_free(&r);
	if (ret) {
		pr_err("spec.tlsServerNames: the kernel's rules: %s", strerror(-ret));
		return;
	}
	a->tls_sig = sig;
	a->tls_set = true;
}

/* Starts the loader sensor when a policy asks for it, stops it when none does;
 * the TLS rules likewise follow the policies. */
static void loader_update(struct hornet_agent *a)
{
	struct hornet_loader_opts lo = {
		.maps = &a->maps, .cache = a->cache, .emit = emit, .ctx = a
	};
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &a->mmaps_poll };
	bool want = hornet_pm__wants_loader(a->pm);
	char err[256];

	tls_update(a);
	if (want && !a->mmaps) {
		a->mmaps = hornet_loader_sensor__new(&lo, err, sizeof(err));
		if (!a->mmaps) {
			if (strcmp(err, a->mmaps_err))
				pr_err("spec.loader: process_loader events: %s", err);
			snprintf(a->mmaps_err, sizeof(a->mmaps_err), "%s", err);
			return;
		}
		a->mmaps_poll.fn = on_loader;
		a->mmaps_poll.fd = hornet_loader_sensor__fd(a->mmaps);
		if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->mmaps_poll.fd, &ev)) {
			pr_err("spec.loader: epoll: %s", strerror(errno));
			hornet_loader_sensor__free(a->mmaps);
			a->mmaps = NULL;
			return;
		}
		a->mmaps_err[0] = '\0';
		pr_info("process_loader events: on");
	} else if (!want && a->mmaps) {
		epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->mmaps_poll.fd, NULL);
		a->mmaps_lost += hornet_loader_sensor__lost(a->mmaps);
		hornet_loader_sensor__free(a->mmaps);
		a->mmaps = NULL;
		pr_info("process_loader events: off");
	}
}

static void on_ring(struct hornet_poll *p, uint32_t events)
{
	/* drain() reads both rings after every round; nothing to do here */
}

static void on_signal(struct hornet_poll *p, uint32_t events)
{
	struct hornet_agent *a =
		(struct hornet_agent *)((char *)p - offsetof(struct hornet_agent, sig));
	struct signalfd_siginfo si;

	while (read(p->fd, &si, sizeof(si)) == sizeof(si)) {
		pr_info("signal %s received: stopping", strsignal(si.ssi_signo));
		a->stop = true;
	}
}

/* The API's sockets, in an epoll set of their own (one fd in the loop's). */
static void on_api(struct hornet_poll *p, uint32_t events)
{
	struct epoll_event evs[32];
	struct hornet_poll *q;
	int n, i;

	n = epoll_wait(p->fd, evs, 32, 0);
	for (i = 0; i < n; i++) {
		q = evs[i].data.ptr;
		q->fn(q, evs[i].events);
	}
}

static void on_load_done(struct hornet_poll *p, uint32_t events)
{
	struct hornet_agent *a =
		(struct hornet_agent *)((char *)p - offsetof(struct hornet_agent, load_done));
	uint64_t v;

	if (read(p->fd, &v, sizeof(v)) == sizeof(v))
		a->loaded = true;
}

/* The loader asks this between its steps: the loop was told to stop. */
static bool load_stopped(struct hornet_agent *a)
{
	return __atomic_load_n(&a->stop_load, __ATOMIC_RELAXED);
}

static void set_phase(struct hornet_agent *a, const char *phase)
{
	pthread_mutex_lock(&a->lock);
	snprintf(a->progress.phase, sizeof(a->progress.phase), "%s", phase);
	snprintf(a->progress.text, sizeof(a->progress.text), "%s", phase);
	pthread_mutex_unlock(&a->lock);
	/* where the start's time goes, with --log-level debug */
	pr_debug("start: %s at %.1f ms", phase,
		 (hornet_clock_ns(CLOCK_MONOTONIC) - a->started_ns) / 1e6);
}

/* The policy manager's, before each hook point of the start's batch. */
static int policy_progress(void *ctx, const struct hornet_pm_progress *p)
{
	struct hornet_agent *a = ctx;

	pthread_mutex_lock(&a->lock);
	a->progress.pm = *p;
	snprintf(a->progress.point, sizeof(a->progress.point), "%s", p->point);
	snprintf(a->progress.policy, sizeof(a->progress.policy), "%s", p->policy);
	snprintf(a->progress.phase, sizeof(a->progress.phase), "loading policies");
	snprintf(a->progress.text, sizeof(a->progress.text),
		 "loading policies: %zu of %zu (hook point %zu of %zu: %s, policy '%s')",
		 p->policies_done, p->policies_total, p->points_done + 1, p->points_total, p->point,
		 p->policy);
	pthread_mutex_unlock(&a->lock);
	return load_stopped(a);
}

/* Before the sensors and policies are loaded, only this is safe to read. */
/* "name": {key: value, ...}, four counters of a status section */
static void status_counters(struct hornet_json *j, const char *name, const char *const keys[4],
			    const uint64_t v[4])
{
	unsigned int i;

	hornet_json_obj_begin(j, name);
	for (i = 0; i < 4; i++)
		hornet_json_u64(j, keys[i], v[i]);
	hornet_json_obj_end(j);
}

static void loading_status(struct hornet_agent *a, struct hornet_json *j)
{
	hornet_json_str(j, "progress", a->progress.text);
	hornet_json_obj_begin(j, "loading");
	hornet_json_str(j, "phase", a->progress.phase);
	if (!strcmp(a->progress.phase, "loading policies")) {
		hornet_json_u64(j, "policies_done", a->progress.pm.policies_done);
		hornet_json_u64(j, "policies_total", a->progress.pm.policies_total);
		hornet_json_u64(j, "hook_points_done", a->progress.pm.points_done);
		hornet_json_u64(j, "hook_points_total", a->progress.pm.points_total);
		hornet_json_str(j, "hook_point", a->progress.point);
		hornet_json_str(j, "policy", a->progress.policy);
	}
	hornet_json_obj_end(j);
}

/*
 * The API's busy check: commands other than status wait for the start, the
 * loader owns what they touch.
 */
static bool starting(void *ctx, char *err, size_t err_size)
{
	const struct hornet_agent *a = ctx;

	if (a->loading)
		snprintf(err, err_size,
			 "the agent is starting (%s): try again once `hornet status` "
			 "says it is ready",
			 a->progress.text);
	return a->loading;
}

static void k8s_status(struct hornet_agent *a, struct hornet_json *j)
{
	struct hornet_pod_store_stats ps;
	struct hornet_k8s_pods_stats ks;

	hornet_pod_store__stats(a->pods, &ps);
	hornet_json_obj_begin(j, "k8s");
	hornet_json_bool(j, "enabled", a->k8s);
	hornet_json_u64(j, "pods", ps.pods);
	hornet_json_u64(j, "containers", ps.containers);
	hornet_json_u64(j, "store_bytes", ps.bytes);
	if (a->k8s) {
		hornet_k8s_pods__stats(a->k8s, &ks);
		hornet_json_bool(j, "synced", ks.watch.synced);
		hornet_json_str(j, "resource_version", ks.watch.resource_version);
		hornet_json_str(j, "last_error", ks.watch.last_error);
		hornet_json_u64(j, "errors", ks.watch.errors);
		hornet_json_u64(j, "lists", ks.watch.lists);
		hornet_json_u64(j, "watches", ks.watch.watches);
		hornet_json_u64(j, "events", ks.watch.events);
		hornet_json_u64(j, "bookmarks", ks.watch.bookmarks);
		hornet_json_u64(j, "gone", ks.watch.gone);
		hornet_json_u64(j, "throttled", ks.watch.throttled);
		hornet_json_u64(j, "refused", ks.watch.refused);
		hornet_json_u64(j, "dead", ks.watch.dead);
		hornet_json_u64(j, "malformed", ks.malformed);
	}
	hornet_json_obj_end(j);
}

static void web_status(struct hornet_agent *a, struct hornet_json *j)
{
	struct hornet_web_stats ws;

	hornet_web__stats(a->web, &ws);
	hornet_json_obj_begin(j, "http");
	hornet_json_str(j, "listen", a->cfg->http_listen);
	hornet_json_str(j, "metrics_server", a->cfg->metrics_server);
	hornet_json_bool(j, "tls", a->cfg->http_tls_cert[0] != '\0');
	hornet_json_u64(j, "requests", ws.requests);
	hornet_json_u64(j, "errors", ws.errors);
	hornet_json_u64(j, "unauthorized", ws.unauthorized);
	hornet_json_u64(j, "timeouts", ws.timeouts);
	hornet_json_u64(j, "live_clients", ws.live_clients);
	hornet_json_u64(j, "live_dropped", ws.live_dropped);
	hornet_json_obj_end(j);
}

static void store_status(struct hornet_agent *a, struct hornet_json *j)
{
	struct hornet_store_stats ss;
	char shown[512];

	if (!a->store)
		return;
	hornet_store__stats(a->store, &ss);
	hornet_db_url_shown(a->cfg->store, shown, sizeof(shown));
	hornet_json_obj_begin(j, "store");
	hornet_json_str(j, "url", shown);
	hornet_json_str(j, "backend", ss.backend);
	hornet_json_bool(j, "ok", ss.ok);
	if (!ss.ok)
		hornet_json_str(j, "error", ss.error);
	hornet_json_u64(j, "queued", ss.queued);
	hornet_json_u64(j, "held", ss.held);
	hornet_json_u64(j, "written", ss.written);
	hornet_json_u64(j, "dropped", ss.dropped);
	hornet_json_u64(j, "batches", ss.batches);
	hornet_json_u64(j, "write_errors", ss.write_errors);
	hornet_json_u64(j, "retries", ss.retries);
	hornet_json_u64(j, "trimmed", ss.trimmed);
	hornet_json_u64(j, "bytes", ss.bytes);
	hornet_json_u64(j, "queries", ss.queries);
	hornet_json_u64(j, "query_errors", ss.query_errors);
	hornet_json_obj_end(j);
}

static int status_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	struct hornet_agent *a = ctx;
	uint64_t stats[HORNET_STAT_COUNT] = {}, now = hornet_clock_ns(CLOCK_MONOTONIC);
	struct hornet_proc_cache_stats cs;
	struct hornet_api_stats as;
	int i;

	if (a->loading) {
		hornet_json_str(j, "health", "starting");
		hornet_json_bool(j, "ready", false);
		hornet_json_str(j, "version", HORNET_VERSION);
		hornet_json_str(j, "node_name", a->render.node_name);
		hornet_json_u64(j, "pid", getpid());
		hornet_json_f64(j, "uptime_seconds", (now - a->started_ns) / 1e9);
		loading_status(a, j);
		web_status(a, j);
		store_status(a, j);
		return 0;
	}
	hornet_core_stats(&a->maps, stats);
	hornet_proc_cache__stats(a->cache, &cs);
	hornet_api__stats(a->api, &as);

	hornet_json_str(j, "health", a->ready ? "ok" : "starting");
	hornet_json_bool(j, "ready", a->ready);
	hornet_json_str(j, "version", HORNET_VERSION);
	hornet_json_str(j, "node_name", a->render.node_name);
	hornet_json_u64(j, "pid", getpid());
	hornet_json_f64(j, "uptime_seconds", (now - a->started_ns) / 1e9);
	if (a->ready)
		hornet_json_f64(j, "startup_seconds", (a->ready_ns - a->started_ns) / 1e9);
	hornet_json_obj_begin(j, "events");
	for (i = 0; i < HORNET_EVENT_TYPES; i++)
		hornet_json_u64(j, hornet_event_type_names[i],
				events_of(a, hornet_event_type_names[i]));
	for (i = 0; i < (int)(sizeof(a->events) / sizeof(a->events[0])) && a->events[i].type; i++)
		if (strcmp(a->events[i].type, "process_exec") &&
		    strcmp(a->events[i].type, "process_exit"))
			hornet_json_u64(j, a->events[i].type, a->events[i].n);
	hornet_json_obj_end(j);
	hornet_json_obj_begin(j, "lost");
	hornet_json_obj_begin(j, "ringbuf");
	hornet_json_u64(j, "process_exec", stats[HORNET_STAT_RB_LOST_EXEC]);
	hornet_json_u64(j, "process_fork", stats[HORNET_STAT_RB_LOST_FORK]);
	hornet_json_u64(j, "process_exit", stats[HORNET_STAT_RB_LOST_EXIT]);
	hornet_json_u64(j, "policy_events", stats[HORNET_STAT_RB_LOST_GENERIC]);
	hornet_json_u64(j, "network_events", stats[HORNET_STAT_RB_LOST_NET]);
	hornet_json_u64(j, "enforcement_events", stats[HORNET_STAT_RB_LOST_ENFORCE]);
	hornet_json_obj_end(j);
	hornet_json_u64(j, "api_queue", as.dropped);
	hornet_json_u64(j, "malformed_records", a->bad_records);
	hornet_json_u64(j, "loader_records", a->mmaps_lost + hornet_loader_sensor__lost(a->mmaps));
	hornet_json_u64(j, "export_errors", a->file ? hornet_export_file__lost(a->file) : 0);
	hornet_json_obj_end(j);
	hornet_json_obj_begin(j, "errors");
	hornet_json_u64(j, "process_table_full", stats[HORNET_STAT_TABLE_FULL]);
	hornet_json_u64(j, "kernel_read_errors", stats[HORNET_STAT_READ_ERROR]);
	hornet_json_obj_end(j);
	/* DNS answers read for DNSName (bpf/net.bpf.c) */
	hornet_json_obj_begin(j, "dns_names");
	hornet_json_u64(j, "answers_learned", stats[HORNET_STAT_DNS_LEARNED]);
	hornet_json_u64(j, "answers_refused", stats[HORNET_STAT_DNS_REFUSED]);
	hornet_json_obj_end(j);
	hornet_json_arr_begin(j, "sensors");
	hornet_json_obj_begin(j, NULL);
	hornet_json_str(j, "name", "exec");
	hornet_json_str(j, "mechanism", hornet_exec_sensor__mechanism(a->exec));
	hornet_json_str(j, "state", "attached");
	hornet_json_obj_begin(j, "hooks");
	hornet_json_str(j, "sched_process_exec", hornet_exec_sensor__mechanism(a->exec));
	hornet_json_str(j, "sched_process_fork", hornet_exec_sensor__mechanism(a->exec));
	hornet_json_str(j, "sched_process_exit", hornet_exec_sensor__mechanism(a->exec));
	hornet_json_str(j, "bprm_committing_creds", hornet_exec_sensor__creds_mechanism(a->exec));
	hornet_json_obj_end(j);
	hornet_json_obj_end(j);
	if (a->net) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "name", "network");
		hornet_json_str(j, "mechanism", hornet_net_sensor__mechanism(a->net));
		hornet_json_str(j, "state", "attached");
		hornet_json_str(j, "cgroup", hornet_net_sensor__cgroup(a->net));
		hornet_json_bool(j, "packet_inspection", a->cfg->inspect_packets);
		hornet_json_bool(j, "flow", a->cfg->network_flow);
		hornet_json_obj_end(j);
	} else if (a->net_error) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "name", "network");
		hornet_json_str(j, "state", "failed");
		hornet_json_str(j, "error", strerror(a->net_error));
		hornet_json_obj_end(j);
	}
	if (a->gen) {
		struct hornet_generic_stats gs;
		struct hornet_pm_stats ps;

		hornet_gen_sensor__stats(a->gen, &gs);
		hornet_pm__stats(a->pm, &ps);
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "name", "generic");
		hornet_json_str(j, "mechanism", "per policy hook: see 'hornet policy list'");
		hornet_json_str(j, "state", "attached");
		hornet_json_u64(j, "hook_points", gs.points);
		hornet_json_u64(j, "policies_enabled", ps.enabled);
		hornet_json_u64(j, "policies_disabled", ps.disabled);
		hornet_json_u64(j, "policies_in_error", ps.errors);
		hornet_json_u64(j, "stale_events", gs.stale);
		hornet_json_u64(j, "policies_update_failed", ps.update_errors);
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
	if (a->crd)
		hornet_crd__status(a->crd, j);
	if (a->actions) {
		struct hornet_actions_stats st;

		hornet_actions__stats(a->actions, &st);
		hornet_json_obj_begin(j, "user_actions");
		hornet_json_u64(j, "done", st.done);
		hornet_json_u64(j, "failed", st.failed);
		hornet_json_u64(j, "dropped", st.dropped);
		hornet_json_obj_end(j);
	}
	hornet_json_obj_begin(j, "process_cache");
	hornet_json_u64(j, "size", cs.size);
	hornet_json_u64(j, "capacity", cs.capacity);
	hornet_json_u64(j, "live", cs.live);
	hornet_json_u64(j, "evictions", cs.evictions);
	hornet_json_u64(j, "live_evictions", cs.live_evictions);
	hornet_json_obj_end(j);
	if (a->throttle) {
		struct hornet_throttle_stats ts;

		hornet_throttle__stats(a->throttle, &ts);
		status_counters(
			j, "cgroup_rate",
			(const char *const[]){ "throttled_cgroups", "throttle_starts",
					       "throttle_stops", "events_dropped" },
			(const uint64_t[]){ ts.throttled, ts.starts, ts.stops, ts.dropped });
	}
	if (a->binhash) {
		struct hornet_binhash_stats bs;

		hornet_binhash__stats(a->binhash, &bs);
		status_counters(j, "binary_hash",
				(const char *const[]){ "hits", "hashed", "bytes_hashed", "errors" },
				(const uint64_t[]){ bs.hits, bs.hashed, bs.bytes, bs.errors });
	}
	if (a->cfg->redact) {
		hornet_json_obj_begin(j, "redaction");
		hornet_json_u64(j, "filters", hornet_redact__filters(a->cfg->redact));
		hornet_json_u64(j, "failures", hornet_redact__failures(a->cfg->redact));
		hornet_json_obj_end(j);
	}
	hornet_json_u64(j, "process_table_size", hornet_core_table_size(&a->maps));
	if (a->pods) {
		struct hornet_pod_wait_stats ws;
		struct hornet_pod_store_stats ps;

		hornet_pod_store__stats(a->pods, &ps);
		hornet_pod_wait__stats(a->pod_wait, &ws);
		hornet_json_obj_begin(j, "workloads");
		hornet_json_u64(j, "pods", ps.pods);
		hornet_json_u64(j, "containers", ps.containers);
		hornet_json_u64(j, "store_bytes", ps.bytes);
		hornet_json_u64(j, "hook_requests", a->hook_requests);
		hornet_json_u64(j, "hook_errors", a->hook_errors);
		hornet_json_u64(j, "events_waiting_for_pod", ws.held);
		hornet_json_u64(j, "events_waited_for_pod", ws.waited);
		hornet_json_u64(j, "events_without_pod", a->events_without_pod);
		if (a->scope) {
			struct hornet_scope_stats ss;

			hornet_scope__stats(a->scope, &ss);
			hornet_json_u64(j, "scope_cgroups", ss.cgroups);
			hornet_json_u64(j, "scope_containers_named", ss.learned);
			hornet_json_u64(j, "scope_updates", ss.updates);
			hornet_json_u64(j, "scope_map_writes", ss.writes);
			hornet_json_u64(j, "scope_map_errors", ss.errors);
		}
		hornet_json_obj_end(j);
	}
	k8s_status(a, j);
	hornet_counters__status(a->counters, a->gen, j);
	hornet_json_obj_begin(j, "export");
	hornet_json_str(j, "file", a->cfg->export_file);
	hornet_json_u64(j, "rotations", a->file ? hornet_export_file__rotations(a->file) : 0);
	if (a->gate) {
		struct hornet_export_gate_stats gs;

		hornet_export_gate__stats(a->gate, &gs);
		hornet_json_u64(j, "filtered", gs.filtered);
		hornet_json_u64(j, "rate_limited", gs.rate_limited);
	}
	if (a->file && hornet_export_file__compress_errors(a->file))
		hornet_json_u64(j, "compress_errors", hornet_export_file__compress_errors(a->file));
	if (a->export_failing)
		hornet_json_str(j, "error", strerror(-a->export_err));
	hornet_json_u64(j, "api_clients", as.clients);
	hornet_json_u64(j, "api_subscribers", as.subscribers);
	hornet_json_u64(j, "api_refused", as.refused);
	hornet_json_u64(j, "api_over_limit", as.over_limit);
	hornet_json_u64(j, "api_timeouts", as.timeouts);
	hornet_json_obj_end(j);
	web_status(a, j);
	store_status(a, j);
	return 0;
}

static enum hornet_pm_mode parse_mode(json_t *req, bool *bad)
{
	const char *m = json_string_value(json_object_get(req, "mode"));

	*bad = false;
	if (!m || !m[0])
		return HORNET_PM_MODE_POLICY;
	if (!strcmp(m, "enforce"))
		return HORNET_PM_MODE_ENFORCE;
	if (!strcmp(m, "monitor"))
		return HORNET_PM_MODE_MONITOR;
	*bad = true;
	return HORNET_PM_MODE_POLICY;
}

static bool persisting(const struct hornet_agent *a)
{
	return a->cfg->persist_policies && a->cfg->persist_policies[0];
}

static void persisted_state(void *ctx, const char *name, bool disabled, const char *mode)
{
	struct hornet_agent *a = ctx;
	char err[1024];

	if (mode && hornet_pm__set_mode(a->pm, name,
					strcmp(mode, "monitor") ? HORNET_PM_MODE_ENFORCE
								: HORNET_PM_MODE_MONITOR,
					err, sizeof(err)))
		pr_warn("--persist-policies: %s", err);
	if (disabled && hornet_pm__set_enabled(a->pm, name, false, err, sizeof(err)))
		pr_warn("--persist-policies: %s", err);
	else if (disabled)
		pr_info("policy '%s' disabled, as it was kept", name);
}

static void persisted_bad(void *ctx, const char *path, const char *why)
{
	pr_err("--persist-policies: '%s': %s (ignored)", path, why);
}

/*
 * The policies kept by --persist-policies, within the start's batch: one
 * that does not parse any more is logged and listed in error, and the
 * others load; a kept "disabled" applies before their programs are built.
 */
static void load_persisted(struct hornet_agent *a)
{
	const char *dir = a->cfg->persist_policies;
	char err[1024];

	if (mkdir(dir, 0700) && errno != EEXIST) {
		pr_err("--persist-policies '%s': %s", dir, strerror(errno));
		return;
	}
	if (hornet_pm__add_dir(a->pm, dir, err, sizeof(err)))
		pr_err("--persist-policies: %s", err);
	hornet_persist_each_state(dir, persisted_state, persisted_bad, a);
}

/* Keeps a change to policy @name in --persist-policies' DIR, if it is kept there. */
static void persist_change(struct hornet_agent *a, struct hornet_json *j, const char *name)
{
	char err[1024];

	if (persisting(a) &&
	    hornet_persist_state(a->cfg->persist_policies, name,
				 hornet_pm__is_disabled(a->pm, name),
				 hornet_pm__mode_name(a->pm, name), err, sizeof(err))) {
		pr_warn("%s", err);
		hornet_json_str(j, "persist_error", err);
	}
}

static int policy_add_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	struct hornet_agent *a = ctx;
	const char *text = json_string_value(json_object_get(req, "policy"));
	const char *source = json_string_value(json_object_get(req, "source"));
	json_t *of = json_object_get(req, "shadow_of");
	char name[HORNET_PM_MAX_NAME + 1] = "", where[512];
	enum hornet_pm_mode mode;
	bool bad;
	int ret;

	if (!text) {
		snprintf(err, err_size,
			 "policy_add needs \"policy\": the policy's YAML or JSON text");
		return -EINVAL;
	}
	if (of && (!json_is_string(of) || !json_string_length(of))) {
		snprintf(err, err_size, "policy_add: \"shadow_of\" must be a policy's name");
		return -EINVAL;
	}
	mode = parse_mode(req, &bad);
	if (bad) {
		snprintf(err, err_size, "mode must be \"enforce\" or \"monitor\"");
		return -EINVAL;
	}
	/* the client's file name, in messages only: the agent reads nothing from it */
	snprintf(where, sizeof(where), "%s",
		 source && source[0] && !strchr(source, '\n') ? source : "api");
	if (of) {
		/* a shadow is not kept: it is a trial, promoted or deleted */
		ret = hornet_pm__add_shadow(a->pm, json_string_value(of), text,
					    json_string_length(json_object_get(req, "policy")),
					    where, mode, err, err_size, name, sizeof(name));
		if (ret)
			return ret;
		pr_info("policy '%s' added, shadowing '%s' (%s)", name, json_string_value(of),
			where);
		hornet_json_str(j, "name", name);
		hornet_json_str(j, "state", "enabled");
		hornet_json_str(j, "shadow_of", json_string_value(of));
		if (hornet_pm__warning(a->pm, name)) {
			pr_warn("policy '%s': %s", name, hornet_pm__warning(a->pm, name));
			hornet_json_str(j, "warning", hornet_pm__warning(a->pm, name));
		}
		return 0;
	}
	ret = hornet_pm__add(a->pm, text, json_string_length(json_object_get(req, "policy")), where,
			     mode, err, err_size, name, sizeof(name));
	if (ret)
		return ret;
	/* on before the reply: the caller's next process is seen */
	loader_update(a);
	pr_info("policy '%s' added (%s)", name, where);
	hornet_json_str(j, "name", name);
	hornet_json_str(j, "state", "enabled");
	if (persisting(a)) {
		ret = hornet_persist_save(a->cfg->persist_policies, name, text,
					  json_string_length(json_object_get(req, "policy")), err,
					  err_size);
		if (ret) {
			pr_warn("%s", err);
			hornet_json_str(j, "persist_error", err);
		} else {
			hornet_json_bool(j, "persisted", true);
			if (mode != HORNET_PM_MODE_POLICY)
				persist_change(a, j, name);
		}
		err[0] = '\0';
	}
	return 0;
}

static int policy_delete_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			     size_t err_size)
{
	struct hornet_agent *a = ctx;
	const char *name = json_string_value(json_object_get(req, "name"));
	int ret;

	if (!name) {
		snprintf(err, err_size, "policy_delete needs \"name\"");
		return -EINVAL;
	}
	ret = hornet_pm__delete(a->pm, name, err, err_size);
	loader_update(a);
	if (!ret) {
		if (persisting(a))
			hornet_persist_remove(a->cfg->persist_policies, name);
		pr_info("policy '%s' deleted", name);
		hornet_json_str(j, "name", name);
		hornet_json_str(j, "state", "deleted");
	}
	return ret;
}

static int policy_promote_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			      size_t err_size)
{
	struct hornet_agent *a = ctx;
	const char *name = json_string_value(json_object_get(req, "name")), *text;
	char promoted[HORNET_PM_MAX_NAME + 1];
	size_t len;
	int ret;

	if (!name) {
		snprintf(err, err_size, "policy_promote needs \"name\": a policy or its shadow");
		return -EINVAL;
	}
	ret = hornet_pm__promote(a->pm, name, err, err_size, promoted, sizeof(promoted));
	loader_update(a);
	if (ret)
		return ret;
	pr_info("policy '%s': its shadow promoted", promoted);
	hornet_json_str(j, "name", promoted);
	hornet_json_str(j, "state", "enabled");
	hornet_json_str(j, "mode", hornet_pm__mode_name(a->pm, promoted));
	if (persisting(a) && hornet_pm__text(a->pm, promoted, &text, &len)) {
		char perr[1024];

		if (hornet_persist_save(a->cfg->persist_policies, promoted, text, len, perr,
					sizeof(perr))) {
			pr_warn("%s", perr);
			hornet_json_str(j, "persist_error", perr);
		} else {
			persist_change(a, j, promoted);
		}
	}
	return 0;
}

static int policy_mode_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			   size_t err_size)
{
	struct hornet_agent *a = ctx;
	const char *name = json_string_value(json_object_get(req, "name"));
	enum hornet_pm_mode mode;
	bool bad;
	int ret;

	mode = parse_mode(req, &bad);
	if (!name || bad || mode == HORNET_PM_MODE_POLICY) {
		snprintf(err, err_size,
			 "policy_mode needs \"name\" and \"mode\": \"enforce\" or \"monitor\"");
		return -EINVAL;
	}
	ret = hornet_pm__set_mode(a->pm, name, mode, err, err_size);
	if (!ret) {
		pr_info("policy '%s': mode %s", name,
			mode == HORNET_PM_MODE_MONITOR ? "monitor" : "enforce");
		hornet_json_str(j, "name", name);
		hornet_json_str(j, "mode", mode == HORNET_PM_MODE_MONITOR ? "monitor" : "enforce");
		persist_change(a, j, name);
	}
	return ret;
}

/* log_level: {"level": LEVEL} sets it; without, says it */
static int log_level_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	json_t *v = json_object_get(req, "level");
	enum hornet_log_level level, old = hornet_log_level;

	(void)ctx;
	if (v) {
		if (!json_is_string(v) || hornet_log_level_parse(json_string_value(v), &level)) {
			snprintf(err, err_size,
				 "log_level: \"level\" must be error, warn, info or debug");
			return -EINVAL;
		}
		/* other threads read it: a word written whole */
		__atomic_store_n(&hornet_log_level, level, __ATOMIC_RELAXED);
		if (level != old)
			hornet_log(level < HORNET_LOG_INFO ? level : HORNET_LOG_INFO,
				   "log level %s (was %s)", hornet_log_level_name(level),
				   hornet_log_level_name(old));
		hornet_json_str(j, "previous", hornet_log_level_name(old));
	}
	hornet_json_str(j, "level", hornet_log_level_name(hornet_log_level));
	return 0;
}

/* log_tail: the last lines the agent logged, for `hornet bugtool` */
static int log_tail_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	char *buf = malloc(HORNET_LOG_TAIL_SIZE);
	size_t n;

	(void)ctx;
	(void)req;
	if (!buf) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	n = hornet_log_tail(buf, HORNET_LOG_TAIL_SIZE);
	hornet_json_strn(j, "log", buf, n);
	free(buf);
	return 0;
}

/* policy_enable, policy_disable: {"name": NAME} */
static int policy_switch(struct hornet_agent *a, json_t *req, struct hornet_json *j, bool on,
			 char *err, size_t err_size)
{
	const char *name = json_string_value(json_object_get(req, "name"));
	int ret;

	if (!name) {
		snprintf(err, err_size, "policy_%s needs \"name\"", on ? "enable" : "disable");
		return -EINVAL;
	}
	ret = hornet_pm__set_enabled(a->pm, name, on, err, err_size);
	if (ret)
		return ret;
	pr_info("policy '%s' %s", name, on ? "enabled" : "disabled");
	hornet_json_str(j, "name", name);
	hornet_json_str(j, "state", on ? "enabled" : "disabled");
	persist_change(a, j, name);
	return 0;
}

static int policy_enable_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			     size_t err_size)
{
	return policy_switch(ctx, req, j, true, err, err_size);
}

static int policy_disable_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			      size_t err_size)
{
	return policy_switch(ctx, req, j, false, err, err_size);
}

static int policy_list_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			   size_t err_size)
{
	struct hornet_agent *a = ctx;

	hornet_pm__list(a->pm, j);
	return 0;
}

static void scope_policies_changed(void *ctx)
{
	scope_update(ctx, true);
}

/*
 * The pods and containers of the store changed. h-scope: updates the
 * kernel's scope map (cgroup id -> policies that select it) here, before the
 * hook's reply lets the container's first process run.
 */
static void workloads_changed(struct hornet_agent *a)
{
	scope_update(a, false);
}

/* The OCI hook's request: a container is being created (agent/hook.h). */
static int container_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	struct hornet_agent *a = ctx;
	struct hornet_hook_result res;
	int ret;

	a->hook_requests++;
	ret = hornet_hook_container(a->pods, req, &res, err, err_size);
	if (ret) {
		a->hook_errors++;
		pr_warn("oci hook: %s", err);
		return ret;
	}
	/* from now on events of processes in pods may wait for their pod */
	a->pod_source = true;
	if (a->scope)
		hornet_scope__learn(a->scope, res.id, res.cgroup_id);
	workloads_changed(a);
	pr_info("oci hook: container '%s' (cgroup id %llu%s%s)", res.id,
		(unsigned long long)res.cgroup_id, res.pod_uid[0] ? ", pod " : "", res.pod_uid);
	hornet_json_str(j, "id", res.id);
	hornet_json_u64(j, "cgroup_id", res.cgroup_id);
	if (res.pod_uid[0])
		hornet_json_str(j, "pod_uid", res.pod_uid);
	/* what waited for this container's pod goes out before the reply */
	release_waiting(a);
	return 0;
}

/* The OCI hook at poststop: the container is gone. */
static int container_gone_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			      size_t err_size)
{
	struct hornet_agent *a = ctx;
	struct hornet_hook_result res;
	int ret;

	a->hook_requests++;
	ret = hornet_hook_container_gone(a->pods, req, &res, err, err_size);
	if (ret) {
		a->hook_errors++;
		pr_warn("oci hook: %s", err);
		return ret;
	}
	if (a->scope)
		hornet_scope__forget(a->scope, res.id);
	workloads_changed(a);
	pr_info("oci hook: container '%s' gone", res.id);
	hornet_json_str(j, "id", res.id);
	return 0;
}

static int pod_json(const struct hornet_pod *pod, void *ctx)
{
	struct hornet_json *j = ctx;
	const struct hornet_container_info *c;
	size_t i;

	hornet_json_obj_begin(j, NULL);
	hornet_json_str(j, "namespace", pod->namespace ?: "");
	hornet_json_str(j, "name", pod->name ?: "");
	hornet_json_str(j, "uid", pod->uid);
	hornet_json_str(j, "workload", pod->workload ?: "");
	hornet_json_str(j, "workload_kind", pod->workload_kind ?: "");
	hornet_json_bool(j, "from_api", pod->from_api);
	hornet_json_obj_begin(j, "labels");
	for (i = 0; i < pod->nr_labels; i++)
		hornet_json_str_any_key(j, pod->labels[i].key, pod->labels[i].value);
	hornet_json_obj_end(j);
	hornet_json_arr_begin(j, "containers");
	for (i = 0; i < pod->nr_containers; i++) {
		c = &pod->containers[i];
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "id", c->id);
		hornet_json_str(j, "runtime", c->id[0] ? hornet_runtime_name(c->runtime) : "");
		hornet_json_str(j, "name", c->name ?: "");
		hornet_json_str(j, "image", c->image_name ?: "");
		hornet_json_str(j, "image_id", c->image_id ?: "");
		hornet_json_u64(j, "start_ns", c->start_ns);
		hornet_json_u64(j, "cgroup_id", c->cgroup_id);
		hornet_json_bool(j, "maybe_exec_probe", c->maybe_exec_probe_cmds);
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
	hornet_json_obj_end(j);
	return 0;
}

static int pods_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	struct hornet_agent *a = ctx;

	hornet_json_arr_begin(j, "pods");
	hornet_pod_store__each(a->pods, pod_json, j);
	hornet_json_arr_end(j);
	return 0;
}

static const struct hornet_api_command api_commands[] = {
	{ "status", status_cmd, .while_busy = true },
	{ "pods", pods_cmd },
	{ "policy_add", policy_add_cmd },
	{ "policy_delete", policy_delete_cmd },
	{ "policy_mode", policy_mode_cmd },
	{ "policy_promote", policy_promote_cmd },
	{ "policy_enable", policy_enable_cmd },
	{ "log_level", log_level_cmd, .while_busy = true },
	{ "log_tail", log_tail_cmd, .while_busy = true },
	{ "policy_disable", policy_disable_cmd },
	{ "policy_list", policy_list_cmd },
	/* the OCI hook's */
	{ "container", container_cmd },
	{ "container_gone", container_gone_cmd },
	{ NULL, NULL },
};

/* Creates the default directories; an explicit path's directory must exist. */
static int prepare_dir(const char *path, const char *default_path, const char *what)
{
	char dir[PATH_MAX];
	struct stat st;

	if (strlen(path) >= sizeof(dir)) {
		pr_err("%s '%s': path too long", what, path);
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	dirname(dir);
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			pr_err("%s '%s': '%s' is not a directory", what, path, dir);
			return -ENOTDIR;
		}
		return 0;
	}
	if (strcmp(path, default_path)) {
		pr_err("%s '%s': directory '%s' does not exist", what, path, dir);
		return -ENOENT;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		pr_err("%s '%s': cannot create '%s': %s", what, path, dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * The host's namespaces are those of kthreadd (pid 2): like every kernel
 * thread it lives in the initial namespaces, and unlike pid 1 it cannot be
 * a sandbox's non-dumpable init whose ns links are closed even to root.
 */
static void read_host_ns(struct hornet_ns *ns)
{
	static const char *const pids[] = { "2", "1" };
	char path[64];
	struct stat st;
	unsigned int p;
	int i;

	memset(ns, 0, sizeof(*ns));
	for (p = 0; p < sizeof(pids) / sizeof(pids[0]); p++) {
		for (i = 0; i < HORNET_NS_COUNT; i++) {
			snprintf(path, sizeof(path), "/proc/%s/ns/%s", pids[p],
				 hornet_vocab_name(HORNET_VOCAB_NS_PROC, i));
			if (!ns->inum[i] && stat(path, &st) == 0)
				ns->inum[i] = st.st_ino;
		}
	}
}

/* Sets the agent's tgid in the hornet_self map of @prog_id's program. */
static int spare_me(__u32 prog_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[16], i, zero = 0, self = getpid();
	int pfd, mfd, found = 0;

	pfd = bpf_prog_get_fd_by_id(prog_id);
	if (pfd < 0)
		return -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(pfd, &info, &len)) {
		close(pfd);
		return -errno;
	}
	close(pfd);
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);

		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &mlen) && !strcmp(mi.name, "hornet_self") &&
		    mi.value_size == sizeof(self) &&
		    !bpf_map_update_elem(mfd, &zero, &self, BPF_ANY))
			found = 1;
		close(mfd);
	}
	return found ? 0 : -ENOENT;
}

/*
 * Holds the links an earlier agent pinned in @dir_fd, so that its programs
 * enforce on while this agent loads its own (their pins go once this agent's
 * are in: release_old()), and tells its policy programs to spare this agent:
 * its hornet_self, and the agent flag on this agent's entry of its process
 * table. A link whose programs cannot be told is unpinned at once: better a
 * gap than programs that may kill the agent while it starts.
 */
static void take_over(struct hornet_agent *a, int dir_fd)
{
	struct dirent *de;
	struct hornet_proc p;
	__u32 pid = getpid();
	DIR *d;
	int fd, dfd;

	if (a->old_procs >= 0 && !bpf_map_lookup_elem(a->old_procs, &pid, &p)) {
		p.flags |= HORNET_PF_AGENT;
		bpf_map_update_elem(a->old_procs, &pid, &p, BPF_EXIST);
	}
	dfd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		char path[PATH_MAX];
		char(*names)[NAME_MAX + 1];
		int *more;

		if (strncmp(de->d_name, HORNET_BPFFS_LINK_PREFIX, strlen(HORNET_BPFFS_LINK_PREFIX)))
			continue;
		if (hornet_bpffs_path(path, sizeof(path), a->cfg->bpffs_dir, de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		/* the exec sensor's keep the old table current; a policy's must spare us */
		if (!strncmp(de->d_name, HORNET_BPFFS_LINK_PREFIX "gen_",
			     strlen(HORNET_BPFFS_LINK_PREFIX "gen_")) &&
		    (bpf_obj_get_info_by_fd(fd, &li, &len) || spare_me(li.prog_id))) {
			pr_warn("'%s': its programs cannot be told to spare this agent: unpinned",
				path);
			unlinkat(dir_fd, de->d_name, 0);
			close(fd);
			continue;
		}
		more = realloc(a->old_links, (a->nr_old_links + 1) * sizeof(*more));
		if (more)
			a->old_links = more;
		names = more ? realloc(a->old_names, (a->nr_old_links + 1) * sizeof(*names)) : NULL;
		if (!names) {
			/* held by its pin alone: it enforces on, as if no agent had come */
			close(fd);
			continue;
		}
		a->old_names = names;
		snprintf(a->old_names[a->nr_old_links], sizeof(*names), "%s", de->d_name);
		a->old_links[a->nr_old_links++] = fd;
	}
	closedir(d);
}

/*
 * The earlier agent's links: unpinned and let go once this agent's programs
 * are attached (@started); after a start that failed, left pinned, so that
 * they enforce on as if no agent had come.
 */
static void release_old(struct hornet_agent *a, bool started)
{
	unsigned int i;

	for (i = 0; i < a->nr_old_links; i++) {
		if (started)
			unlinkat(a->pin_fd, a->old_names[i], 0);
		close(a->old_links[i]);
	}
	if (a->nr_old_links && started)
		pr_info("'%s': the %u links an earlier agent pinned, held while this agent loaded, "
			"let go",
			a->cfg->bpffs_dir, a->nr_old_links);
	free(a->old_links);
	free(a->old_names);
	a->old_links = NULL;
	a->old_names = NULL;
	a->nr_old_links = 0;
}

static void agent_free(struct hornet_agent *a)
{
	/* first: its requests in flight wait on the socket this thread serves, and give up */
	hornet_web__stop(a->web);
	/* after the server, whose queries use it; what is queued is written first */
	hornet_store__close(a->store);
	/* the watch thread first: it queues into the loop's epoll set */
	hornet_k8s_pods__stop(a->k8s);
	hornet_ring__free(a->rb);
	hornet_ring__free(a->rb_enforce);
	hornet_crd__stop(a->crd);
	hornet_loader_sensor__free(a->mmaps);
	hornet_pm__free(a->pm);
	hornet_scope__free(a->scope);
	hornet_gen_sensor__free(a->gen);
	hornet_net_sensor__free(a->net);
	hornet_actions__free(a->actions);
	if (a->kernel_ready)
		hornet_kernel_fini(&a->kernel);
	hornet_exec_sensor__free(a->exec);
	hornet_userdb__free(a->userdb);
	hornet_throttle__free(a->throttle);
	hornet_binhash__free(a->binhash);
	free(a->env_keep);
	if (a->maps_open)
		hornet_core_maps_close(&a->maps);
	release_old(a, false);
	if (a->old_procs >= 0)
		close(a->old_procs);
	if (a->pin_fd >= 0) {
		if (a->cfg->keep_enforcement)
			pr_info("--keep-enforcement: the programs of enforcing policies stay "
				"pinned "
				"in '%s' and enforce on; the next start or `hornet cleanup "
				"--bpffs-dir "
				"%s` removes them",
				a->cfg->bpffs_dir, a->cfg->bpffs_dir);
		close(a->pin_fd); /* the lock goes with it */
	}
	hornet_api__free(a->api);
	if (a->api_poll.fd >= 0)
		close(a->api_poll.fd);
	if (a->load_done.fd >= 0)
		close(a->load_done.fd);
	pthread_mutex_destroy(&a->lock);
	if (a->file)
		export_tick(a, true); /* the drops not yet reported */
	hornet_export_gate__free(a->gate);
	hornet_export_file__close(a->file);
	hornet_proc_cache__free(a->cache);
	hornet_pod_pending_release(&a->pending);
	hornet_pod_wait__free(a->pod_wait);
	hornet_pod_store__free(a->pods);
	hornet_counters__free(a->counters);
	hornet_json_free(&a->json);
	if (a->sig.fd >= 0)
		close(a->sig.fd);
	if (a->epfd >= 0)
		close(a->epfd);
}

/* The generic sensor, the policy manager, and the policies of the command line. */
static int start_policies(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	struct hornet_generic_opts go = {};
	char err[4608], name[256];
	struct stat st;
	size_t i;
	int ret;

	/* uprobes cannot be told apart from their absence without trying */
	a->features.has[HORNET_FEAT_UPROBE] = true;
	a->features.has[HORNET_FEAT_TRACEPOINT] = true;
	hornet_kernel_init(&a->kernel, &a->features);
	a->kernel.probe_one = hornet_features_probe_one;
	a->kernel_ready = true;
	a->actions = hornet_actions__new(cfg->dns_server[0] ? cfg->dns_server : NULL);
	go.maps = &a->maps;
	go.kernel = &a->kernel;
	go.cache = a->cache;
	go.emit = emit;
	go.user_action = user_action;
	go.ctx = a;
	go.pin_dir = cfg->keep_enforcement ? cfg->bpffs_dir : NULL;
	a->gen = hornet_gen_sensor__new(&go);
	if (!a->gen)
		return -errno;
	a->pm = hornet_pm__new(a->gen, &a->kernel, &a->render.host_ns);
	if (!a->pm)
		return -ENOMEM;
	if (!cfg->network)
		hornet_pm__set_no_names(a->pm, "--network=false");
	else if (!cfg->inspect_packets)
		hornet_pm__set_no_names(a->pm, "--inspect-packets=false");
	else if (!hornet_has(&a->features, HORNET_FEAT_BPF_LOOP))
		hornet_pm__set_no_names(a->pm, "this kernel has no bpf_loop() (Linux 5.17), which "
					       "the network sensor reads names with");
	hornet_pm__on_scope_change(a->pm, scope_policies_changed, a);
	hornet_pm__on_progress(a->pm, policy_progress, a);
	set_phase(a, "reading policies");
	hornet_pm__begin_batch(a->pm);
	for (i = 0; i < cfg->policies.n && !load_stopped(a); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = fopen(cfg->policies.v[i], "re");

		if (!f) {
			ret = -errno;
			pr_err("policy file '%s': %s", cfg->policies.v[i], strerror(-ret));
			hornet_pm__end_batch(a->pm);
			return ret;
		}
		ret = getdelim(&buf, &len, '\0', f) < 0 ? -EIO : 0;
		fclose(f);
		if (!ret)
			ret = hornet_pm__add(a->pm, buf, strlen(buf), cfg->policies.v[i],
					     HORNET_PM_MODE_POLICY, err, sizeof(err), name,
					     sizeof(name));
		free(buf);
		if (ret) {
			/* listed with its error; the agent and the other policies run on */
			pr_err("%s", err);
			continue;
		}
		pr_info("policy '%s' loaded from %s", name, cfg->policies.v[i]);
	}
	if (cfg->policy_dir[0] && (strcmp(cfg->policy_dir, HORNET_DEFAULT_POLICY_DIR) ||
				   stat(cfg->policy_dir, &st) == 0)) {
		if (hornet_pm__add_dir(a->pm, cfg->policy_dir, err, sizeof(err)))
			pr_err("%s", err);
	}
	if (persisting(a))
		load_persisted(a);
	/* planned: the instances' loads need the parse no more, and one of
	 * them (tp_btf) has libbpf parse its own; one at a time is a lower peak */
	hornet_kernel_drop_btf(&a->kernel);
	hornet_kbtf_keep(false);
	ret = hornet_pm__end_batch(a->pm) == -ECANCELED ? -ECANCELED : 0;
	hornet_kernel_drop_btf(&a->kernel);
	return ret;
}

/* The API server's address and credentials, from the flags. */
static int k8s_conn(const struct hornet_config *cfg, struct hornet_k8s_conn *conn)
{
	char err[512];
	int ret;

	if (cfg->k8s_kubeconfig[0])
		ret = hornet_k8s_conn_kubeconfig(conn, cfg->k8s_kubeconfig, err, sizeof(err));
	else
		ret = hornet_k8s_conn_in_cluster(conn, cfg->k8s_sa_dir, err, sizeof(err));
	if (ret)
		pr_err("--enable-k8s-api: %s", err);
	return ret;
}

/*
 * The pod watch. Settings that cannot work (no kubeconfig, not in a pod)
 * stop the start; a server that cannot be reached does not: the watch
 * retries and says why in the log and `hornet status`.
 */
static int start_k8s(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	struct hornet_k8s_conn conn;
	int ret;

	ret = k8s_conn(cfg, &conn);
	if (ret)
		return ret;
	a->k8s = hornet_k8s_pods__start(&conn, cfg->node_name, a->pods, a->epfd,
					cfg->k8s_watch_timeout * 1000);
	ret = a->k8s ? 0 : -errno;
	if (ret)
		pr_err("k8s pod watch: %s", strerror(-ret));
	else
		pr_info("k8s: watching the pods of node '%s' at %s", cfg->node_name, conn.server);
	hornet_k8s_conn_fini(&conn);
	return ret;
}

/*
 * Policies from the cluster, once the policy manager runs. As for the pods,
 * a server that is down or a kind whose CRD is missing does not stop the
 * agent: the watches retry and say why.
 */
static int start_crd(struct hornet_agent *a)
{
	struct hornet_k8s_conn conn;
	int ret;

	ret = k8s_conn(a->cfg, &conn);
	if (ret)
		return ret;
	a->crd = hornet_crd__start(a->pm, &conn, a->epfd);
	ret = a->crd ? 0 : -errno;
	if (ret)
		pr_err("k8s policy watch: %s", strerror(-ret));
	else
		pr_info("k8s: watching TracingPolicy objects at %s", conn.server);
	hornet_k8s_conn_fini(&conn);
	return ret;
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* The event history: a path or server that cannot be used stops the start. */
static int start_store(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	struct hornet_store_opts so = {
		.url = cfg->store,
		.retention = cfg->store_retention,
		.max_size_mb = cfg->store_max_size_mb,
	};
	char err[1024], shown[512];

	if (!cfg->store[0])
		return 0;
	hornet_db_url_shown(cfg->store, shown, sizeof(shown));
	a->store = hornet_store__open(&so, err, sizeof(err));
	if (!a->store) {
		pr_err("--store '%s': %s", shown, err);
		return -EINVAL;
	}
	pr_info("event history: %s", shown);
	return 0;
}

/*
 * The HTTP server, once the socket it passes requests to exists and before
 * anything loads into the kernel: an address in use stops the start at once.
 */
static int start_web(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	struct hornet_web_opts wo = {
		.listen = cfg->http_listen,
		.metrics_listen = cfg->metrics_server,
		.token_file = cfg->http_token_file,
		.tls_cert = cfg->http_tls_cert,
		.tls_key = cfg->http_tls_key,
		.ui_dir = cfg->ui_dir,
		.socket = cfg->socket,
		.node_name = cfg->node_name,
		.metrics_label_filter = cfg->metrics_label_filter,
		.store = a->store,
	};
	char err[1024];

	if (!cfg->http_listen[0] && !cfg->metrics_server[0])
		return 0;
	a->web = hornet_web__start(&wo, err, sizeof(err));
	if (!a->web) {
		pr_err("%s", err);
		return -EINVAL;
	}
	if (hornet_web__url(a->web))
		pr_info("web page and API: %s", hornet_web__url(a->web));
	if (cfg->metrics_server[0])
		pr_info("metrics: http%s://%s/metrics", cfg->http_tls_cert[0] ? "s" : "",
			cfg->metrics_server);
	return 0;
}

/* The /proc scan: the running processes, into the cache and the outputs. */
static int scan_proc(struct hornet_agent *a)
{
	uint64_t scan_ns;
	long n;

	set_phase(a, "scanning /proc");
	scan_ns = hornet_clock_ns(CLOCK_MONOTONIC);
	n = hornet_exec_sensor__scan(a->exec, "/proc");
	if (n < 0) {
		if (n != -ECANCELED)
			pr_err("/proc scan: %s", strerror(-n));
		return n;
	}
	/* what a host with many processes adds to the start (bench/scale) */
	pr_info("/proc scan: %ld processes in %.1f ms", n,
		(hornet_clock_ns(CLOCK_MONOTONIC) - scan_ns) / 1e6);
	a->scanned = n;
	return 0;
}

/* The network sensor (loaded beside the exec sensor: see agent_load()). */
static void *load_net(void *arg)
{
	struct hornet_agent *a = arg;
	const struct hornet_config *cfg = a->cfg;
	struct hornet_net_opts no = {
		.maps = &a->maps,
		.cache = a->cache,
		.inspect = cfg->inspect_packets,
		.flow = cfg->network_flow,
		.emit = emit,
		.ctx = a,
	};

	if (load_stopped(a))
		return NULL;
	a->net = hornet_net_sensor__new(&a->features, &no);
	if (!a->net && !load_stopped(a)) {
		/* the rest of the agent is still worth running */
		a->net_error = errno;
		pr_warn("sensor 'network': not started (%s); the agent runs without it "
			"(--network=false says so on purpose)",
			strerror(a->net_error));
	} else if (a->net) {
		pr_info("sensor 'network': attached (%s; cgroup programs on %s%s%s)",
			hornet_net_sensor__mechanism(a->net), hornet_net_sensor__cgroup(a->net),
			cfg->inspect_packets ? "; DNS, HTTP and TLS inspection" : "",
			cfg->network_flow ? "; one event per connection" : "");
	}
	return NULL;
}

/* The process table an earlier agent pinned, if it is one this agent can read. */
static int old_table(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_HASH ||
	    info.key_size != sizeof(__u32) || info.value_size != sizeof(struct hornet_proc)) {
		pr_warn("'%s': not a process table of this version of hornet; not read", path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * hornet's directory on the BPF file system (util/bpffs.h), taken on the main
 * thread before anything loads (the loader's may be in a mount namespace of
 * its own then). What an earlier agent left there is taken over: its process
 * table is kept open for the /proc scan (exec_ids across a restart), and the
 * links it pinned with --keep-enforcement are held, their programs told to
 * spare this agent, until this agent's own are attached (release_old()).
 */
static int bpffs_start(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	char path[PATH_MAX];
	int fd;

	if (!cfg->bpffs_dir[0]) {
		if (!cfg->keep_enforcement)
			return 0; /* asked for: nothing outlives this agent */
		pr_err("--keep-enforcement needs a --bpffs-dir");
		return -EINVAL;
	}
	fd = hornet_bpffs_lock(cfg->bpffs_dir, true);
	if (fd < 0) {
		const char *why = fd == -EWOULDBLOCK ? "another agent runs with it (it is locked)"
						     : strerror(-fd);

		if (cfg->keep_enforcement) {
			pr_err("--keep-enforcement: BPF file system directory '%s': %s",
			       cfg->bpffs_dir, why);
			return fd;
		}
		pr_warn("BPF file system directory '%s': %s; the process table is not pinned, and "
			"exec_ids of processes exec'd now will not survive a restart",
			cfg->bpffs_dir, why);
		return 0;
	}
	a->pin_fd = fd;
	if (!hornet_bpffs_path(path, sizeof(path), cfg->bpffs_dir, HORNET_BPFFS_PROCS))
		a->old_procs = old_table(path);
	take_over(a, fd);
	if (a->nr_old_links)
		pr_info("'%s': took over the %u links an earlier agent pinned: its programs "
			"enforce until this agent's are attached",
			cfg->bpffs_dir, a->nr_old_links);
	return 0;
}

/* A start that failed leaves nothing of its own pinned (an earlier agent's
 * links enforce on): its process table is not worth reading. */
static void bpffs_failed(struct hornet_agent *a)
{
	char mine[3][64], path[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	DIR *d;
	int fd;

	if (a->pin_fd < 0)
		return;
	snprintf(mine[0], sizeof(mine[0]), HORNET_BPFFS_LINK_PREFIX "exec_%d_", getpid());
	snprintf(mine[1], sizeof(mine[1]), HORNET_BPFFS_LINK_PREFIX "gen_%d_", getpid());
	snprintf(mine[2], sizeof(mine[2]), HORNET_BPFFS_LINK_PREFIX "enf_%d_", getpid());
	if (a->procs_pinned) {
		unlinkat(a->pin_fd, HORNET_BPFFS_PROCS, 0);
		if (a->old_procs >= 0 &&
		    !hornet_bpffs_path(path, sizeof(path), a->cfg->bpffs_dir, HORNET_BPFFS_PROCS))
			bpf_obj_pin(a->old_procs, path);
	}
	fd = openat(a->pin_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		for (i = 0; i < 3; i++)
			if (!strncmp(de->d_name, mine[i], strlen(mine[i])))
				unlinkat(a->pin_fd, de->d_name, 0);
	closedir(d);
	/* taken while it is locked: fails when an earlier agent's pins are there */
	rmdir(a->cfg->bpffs_dir);
}

/* The process table, pinned for the next agent (it reads exec times from it). */
static void pin_procs(struct hornet_agent *a)
{
	char path[PATH_MAX];

	if (a->pin_fd < 0 ||
	    hornet_bpffs_path(path, sizeof(path), a->cfg->bpffs_dir, HORNET_BPFFS_PROCS))
		return;
	/* the earlier agent's, if any, is read from the descriptor bpffs_start()
	 * took (pinned again if this start fails: bpffs_failed()) */
	unlinkat(a->pin_fd, HORNET_BPFFS_PROCS, 0);
	if (bpf_obj_pin(a->maps.procs, path))
		pr_warn("'%s': process table not pinned: %s", path, strerror(errno));
	else
		a->procs_pinned = true;
}

/*
 * The loader thread's part of the start: what loads into the kernel, and the
 * /proc scan. Between steps it looks whether the loop was told to stop; a
 * load in progress is cut short by SIG_WAKE_LOADER (-ECANCELED, -EINTR or
 * -EAGAIN come back then). What it loaded, agent_free() unloads.
 */
static int agent_load(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	struct epoll_event ev = { .events = EPOLLIN };
	struct hornet_exec_sensor_opts eo = {};
	bool net_thread = false;
	unsigned int features;
	uint64_t ringbuf_size;
	pthread_t net;
	int err;

	/* everything the sensors and the hook plan choose between; not the slow
	 * uprobe/tracepoint/cgroup probes, which only say what the plan can
	 * find out by trying (an attach that fails is reported as such) */
	/* the exec sensor's object, and libbpf's BTF parse for it, beside the probes */
	eo.prep = hornet_exec_prep__start();
	set_phase(a, "probing kernel features");
	features = HORNET_FEAT_BIT(HORNET_FEAT_TP_BTF) | HORNET_FEAT_BIT(HORNET_FEAT_RAW_TP) |
		   HORNET_FEAT_BIT(HORNET_FEAT_RINGBUF) | HORNET_FEAT_BIT(HORNET_FEAT_BPF_LOOP) |
		   HORNET_FEAT_BIT(HORNET_FEAT_LSM) | HORNET_FEAT_BIT(HORNET_FEAT_FENTRY) |
		   HORNET_FEAT_BIT(HORNET_FEAT_FMOD_RET) | HORNET_FEAT_BIT(HORNET_FEAT_KPROBE) |
		   HORNET_FEAT_BIT(HORNET_FEAT_SEND_SIGNAL) | HORNET_FEAT_BIT(HORNET_FEAT_CGROUP) |
		   HORNET_FEAT_BIT(HORNET_FEAT_TRACING_COOKIE);
	err = hornet_features_probe(&a->features, features, &a->stop_load);
	if (err) {
		if (err != -ECANCELED)
			pr_err("probing kernel features: %s", strerror(-err));
		hornet_exec_prep__free(eo.prep);
		return err;
	}
	/* the agent's before any sensor's: each sensor's object uses these */
	ringbuf_size = cfg->ringbuf_size_kb ? (uint64_t)cfg->ringbuf_size_kb << 10
					    : (uint64_t)cfg->ringbuf_size_mb << 20;
	if (ringbuf_size < (uint64_t)sysconf(_SC_PAGESIZE))
		ringbuf_size = sysconf(_SC_PAGESIZE);
	err = hornet_core_maps_create(&a->maps, pow2_at_least(ringbuf_size));
	if (err) {
		pr_err("ring buffer and shared maps: %s%s", strerror(-err),
		       hornet_has(&a->features, HORNET_FEAT_RINGBUF)
			       ? ""
			       : " (this kernel has no BPF ring buffer; hornet needs Linux 5.8 "
				 "or later)");
		hornet_exec_prep__free(eo.prep);
		return err;
	}
	a->maps_open = true;
	pin_procs(a);
	a->scope = hornet_scope__new(a->maps.scope_cg, a->pods);
	if (!a->scope || load_stopped(a)) {
		hornet_exec_prep__free(eo.prep);
		return a->scope ? -ECANCELED : -ENOMEM;
	}
	/*
	 * The network sensor loads on a thread of its own while the exec sensor
	 * does: each has libbpf parse the kernel's BTF for its tp_btf program
	 * (60 ms of CPU here, seconds under TCG), and the parses overlap.
	 */
	net_thread = cfg->network && !pthread_create(&net, NULL, load_net, a);
	set_phase(a, "loading sensor 'exec'");
	eo.maps = &a->maps;
	eo.creds_hook = cfg->exec_creds_hook;
	eo.cache = a->cache;
	eo.render = &a->render;
	eo.emit = emit;
	eo.emit_ctx = a;
	eo.stop = &a->stop_load;
	eo.redact = cfg->redact;
	eo.env = cfg->enable_process_env;
	if (eo.env)
		a->env_keep = hornet_environ_keep_list(cfg->filter_env);
	/* a filter that could not be made does not let everything through */
	if (eo.env && cfg->filter_env && cfg->filter_env[0] && !a->env_keep)
		eo.env = false;
	eo.env_keep = a->env_keep;
	/* a namespace per container, a few hundred on a busy node */
	if (cfg->username_metadata)
		a->userdb = hornet_userdb__new(1024);
	eo.userdb = a->userdb;
	/* files up to 1 GiB: larger ones would hold the event loop for seconds */
	if (cfg->enable_binary_hash)
		a->binhash = hornet_binhash__new(4096, 1ULL << 30);
	eo.binhash = a->binhash;
	if ((cfg->username_metadata && !a->userdb) || (cfg->enable_binary_hash && !a->binhash) ||
	    (cfg->enable_process_env && !eo.env))
		pr_warn("user names, binary hashes or environment filter: %s: left out",
			strerror(ENOMEM));
	eo.pin_dir = cfg->keep_enforcement ? cfg->bpffs_dir : NULL;
	eo.old_procs = a->old_procs > 0 ? a->old_procs : 0;
	a->exec = hornet_exec_sensor__new(&a->features, &eo);
	err = a->exec ? 0 : -errno;
	if (a->exec)
		pr_info("sensor 'exec': attached (%s; bprm_committing_creds: %s%s)",
			hornet_exec_sensor__mechanism(a->exec),
			hornet_exec_sensor__creds_mechanism(a->exec),
			hornet_skel_bounded() ? "; no bpf_loop(): paths up to " HORNET_STR(
							HORNET_BOUNDED_PATH_DEPTH) " components"
					      : "");
	/* without a thread, one after the other */
	if (cfg->network && !err && !net_thread) {
		set_phase(a, "loading sensor 'network'");
		load_net(a);
	}
	/* the scan needs only the exec sensor: beside the network sensor's load */
	if (!err && !load_stopped(a))
		err = scan_proc(a);
	if (net_thread) {
		set_phase(a, "loading sensor 'network'");
		pthread_join(net, NULL);
	}
	if (err)
		return err;
	if (load_stopped(a))
		return -ECANCELED;

	/*
	 * Mapped after the sensors' loads (the records wait in the kernel until
	 * the loop reads them): libbpf maps its data pages twice, 16 MB of RSS
	 * for the default 8 MB, which would add to the peak of their BTF parses.
	 */
	a->rb = hornet_ring__new(a->maps.events);
	a->rb_enforce = a->rb ? hornet_ring__new(a->maps.enforce) : NULL;
	if (!a->rb || !a->rb_enforce) {
		err = -errno;
		pr_err("ring buffer '%s': %s", a->rb ? "hornet_enforce" : "hornet_events",
		       strerror(-err));
		return err;
	}
	/* the loop waits on another set until the load ends: no race on the rings */
	a->ring.fd = a->maps.events;
	a->ring.fn = on_ring;
	a->ring_enforce.fd = a->maps.enforce;
	a->ring_enforce.fn = on_ring;
	ev.data.ptr = &a->ring;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->ring.fd, &ev))
		return -errno;
	ev.data.ptr = &a->ring_enforce;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->ring_enforce.fd, &ev))
		return -errno;

	/* policies: after the scan, so followChildren finds running processes */
	if (load_stopped(a))
		return -ECANCELED;
	return start_policies(a);
}

static void wake_loader(int sig)
{
	/* only there to make the signal pending: the verifier gives up then */
}

static void *loader_main(void *arg)
{
	struct hornet_agent *a = arg;
	uint64_t one = 1;
	sigset_t wake;

	sigemptyset(&wake);
	sigaddset(&wake, SIG_WAKE_LOADER);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
	/* kept for the load: the probes, the generic sensor's cut and the
	 * planner share one parse of the kernel's BTF (util/kbtf.h) */
	hornet_kbtf_keep(true);
	hornet_kbtf_stop_on(&a->stop_load);
	a->load_err = agent_load(a);
	hornet_kbtf_stop_on(NULL);
	hornet_kbtf_keep(false);
	if (write(a->load_done.fd, &one, sizeof(one)) != sizeof(one))
		pr_warn("loader: cannot tell the loop it ended: %s", strerror(errno));
	return NULL;
}

/*
 * Runs the loader and, until it ends, answers the API (status with the
 * progress; other commands are refused for now) and the signals: a stop
 * tells the loader and interrupts its load until it gives up.
 */
static int load_and_serve(struct hornet_agent *a)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[16];
	struct hornet_poll *polls[] = { &a->sig, &a->api_poll, &a->load_done }, *p;
	unsigned int i;
	int ep, n, err;

	a->load_done.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->load_done.fn = on_load_done;
	if (a->load_done.fd < 0)
		return -errno;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	for (i = 0; i < sizeof(polls) / sizeof(polls[0]); i++) {
		ev.data.ptr = polls[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, polls[i]->fd, &ev)) {
			err = -errno;
			close(ep);
			return err;
		}
	}
	a->loading = true;
	err = -pthread_create(&a->loader, NULL, loader_main, a);
	if (err) {
		a->loading = false;
		close(ep);
		return err;
	}
	while (!a->loaded) {
		n = epoll_wait(ep, evs, sizeof(evs) / sizeof(evs[0]),
			       a->stop ? WAKE_LOADER_MS : -1);
		pthread_mutex_lock(&a->lock);
		for (i = 0; n > 0 && i < (unsigned int)n; i++) {
			p = evs[i].data.ptr;
			p->fn(p, evs[i].events);
		}
		pthread_mutex_unlock(&a->lock);
		if (a->api)
			hornet_api__flush(a->api);
		if (a->stop && !a->loaded) {
			__atomic_store_n(&a->stop_load, 1, __ATOMIC_RELAXED);
			pthread_kill(a->loader, SIG_WAKE_LOADER);
		}
	}
	close(ep);
	pthread_join(a->loader, NULL);
	a->loading = false;
	/* what the load freed (BTF, verifier logs, ELF copies) goes back to the kernel */
	malloc_trim(0);
	return a->load_err;
}

static int agent_start(struct hornet_agent *a)
{
	const struct hornet_config *cfg = a->cfg;
	struct epoll_event ev = { .events = EPOLLIN };
	struct sigaction sa = { .sa_handler = wake_loader }; /* no SA_RESTART */
	char msg[PATH_MAX + 256];
	sigset_t mask;
	int err;

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0)
		return -errno;

	/* blocked in every thread; the signalfd reads the first two, the
	 * loader unblocks the third */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIG_WAKE_LOADER);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigaction(SIG_WAKE_LOADER, &sa, NULL);
	sigdelset(&mask, SIG_WAKE_LOADER);
	a->sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	a->sig.fn = on_signal;
	ev.data.ptr = &a->sig;
	if (a->sig.fd < 0 || epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->sig.fd, &ev))
		return -errno;

	/* Outputs first: a bad path fails before anything touches the kernel. */
	if (cfg->export_file[0]) {
		err = prepare_dir(cfg->export_file, HORNET_DEFAULT_EXPORT_FILE, "export file");
		if (err)
			return err;
		a->file = hornet_export_file__open(cfg->export_file,
						   (uint64_t)cfg->export_file_max_size_mb << 20,
						   cfg->export_file_max_backups);
		if (!a->file) {
			pr_err("export file '%s': %s", cfg->export_file, strerror(errno));
			return -errno;
		}
		hornet_export_file__set_rotation(a->file, cfg->export_rotation_ns,
						 cfg->export_file_compress);
		if (cfg->export_allow || cfg->export_deny || cfg->field_filters ||
		    cfg->export_rate_limit >= 0) {
			a->gate = hornet_export_gate__new(&(struct hornet_export_gate_opts){
				.allow = cfg->export_allow,
				.deny = cfg->export_deny,
				.fields = cfg->field_filters,
				.rate_per_min = cfg->export_rate_limit,
				.node_name = cfg->node_name,
			});
			if (!a->gate)
				return -ENOMEM;
		}
	}
	err = prepare_dir(cfg->socket, HORNET_DEFAULT_SOCKET, "socket");
	if (err)
		return err;
	err = hornet_api_dir_check(cfg->socket, msg, sizeof(msg));
	if (err) {
		pr_err("socket '%s': %s", cfg->socket, msg);
		return err;
	}
	/* its own set, so that the start can wait on it without the ring's */
	a->api_poll.fd = epoll_create1(EPOLL_CLOEXEC);
	a->api_poll.fn = on_api;
	ev.data.ptr = &a->api_poll;
	if (a->api_poll.fd < 0 || epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->api_poll.fd, &ev))
		return -errno;
	a->api = hornet_api__new(cfg->socket, a->api_poll.fd, api_commands, a);
	if (!a->api) {
		err = -errno;
		if (err == -EADDRINUSE)
			pr_err("socket '%s': another agent is running and answers there",
			       cfg->socket);
		else
			pr_err("socket '%s': %s", cfg->socket, strerror(-err));
		return err;
	}
	hornet_api__set_busy(a->api, starting);

	err = start_store(a);
	if (!err)
		err = start_web(a);
	if (err)
		return err;

	a->cache = hornet_proc_cache__new(cfg->process_cache_size);
	if (!a->cache)
		return -errno;
	a->pods = hornet_pod_store__new();
	a->pod_wait = hornet_pod_wait__new();
	a->counters = hornet_counters__new(cfg->metrics_label_filter);
	if (!a->pods || !a->pod_wait || !a->counters)
		return -ENOMEM;
	a->render.pods = a->pods;
	a->render.pending = &a->pending;
	/* the API will tell the store about pods: events may wait for them */
	a->pod_source = cfg->enable_k8s_api;
	if (cfg->enable_k8s_api) {
		err = start_k8s(a);
		if (err)
			return err;
	}
	a->render.node_name = cfg->node_name;
	a->render.ancestors = cfg->enable_ancestors;
	a->render.ancestors_policy = cfg->ancestors_policy;
	if (cfg->cgroup_rate && cfg->cgroup_rate[0]) {
		uint64_t events, interval;

		/* checked when the flag was read */
		if (!hornet_cgroup_rate_parse(cfg->cgroup_rate, &events, &interval))
			a->throttle = hornet_throttle__new(events, interval);
		if (!a->throttle)
			return -ENOMEM;
		pr_info("cgroup rate: at most %llu events per %llu ms per cgroup",
			(unsigned long long)events, (unsigned long long)(interval / 1000000));
	}
	a->render.policy_full_process = cfg->policy_full_process;
	/* asking for the full object in policy events asks for all of it */
	a->render.process_cred = cfg->enable_process_cred || cfg->policy_full_process;
	a->render.process_ns = cfg->enable_process_ns || cfg->policy_full_process;
	if (cfg->redact)
		pr_info("redaction filters: %zu, applied to process arguments",
			hornet_redact__filters(cfg->redact));
	read_host_ns(&a->render.host_ns);
	refresh_clock(a);

	err = bpffs_start(a);
	if (err)
		return err;
	err = load_and_serve(a);
	release_old(a, !err && !a->stop);
	/* read by the scan; kept until here to be pinned again if the start failed */
	if (!err && a->old_procs >= 0) {
		close(a->old_procs);
		a->old_procs = -1;
	}
	if (a->stop) {
		/* asked to stop while loading: not an error; agent_free unloads */
		pr_info("stopped while starting (%s)", a->progress.text);
		return 0;
	}
	if (!err && cfg->enable_k8s_api)
		err = start_crd(a);
	if (err)
		return err;
	a->ready = true;
	a->ready_ns = hornet_clock_ns(CLOCK_MONOTONIC);
	pr_info("ready in %.0f ms: %ld processes found in /proc; export file '%s', API socket '%s'",
		(a->ready_ns - a->started_ns) / 1e6, a->scanned, cfg->export_file, cfg->socket);
	if (hornet_web__url(a->web))
		pr_info("web page: open %s", hornet_web__url(a->web));
	return 0;
}

/*
 * Every hook point holds a program, its maps and a link or perf event: a
 * few dozen policies need more than the 1024 descriptors services start
 * with. Raise both limits to 65536 when the hard one is lower (root may),
 * else the soft limit to the hard one.
 */
static void raise_nofile(void)
{
	struct rlimit r;
	rlim_t want = 65536;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < want) {
		struct rlimit up = { want, want };

		if (!setrlimit(RLIMIT_NOFILE, &up))
			return;
	}
	if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r))
			pr_warn("cannot raise the open files limit to %llu: %s",
				(unsigned long long)r.rlim_max, strerror(errno));
	}
}

/*
 * glibc's defaults cost the agent 15 MB of RSS for nothing: the start
 * parses the kernel's BTF (5.5 MB, several times) and big verifier logs,
 * and once such a block was freed, glibc raises its mmap threshold to its
 * size, so the next ones come from the heap and stay there, in an arena per
 * thread that allocated them. A fixed threshold (the default's value) keeps
 * big blocks in mmap, returned at free; two arenas are enough for a loop,
 * the store's writer and the HTTP threads, which allocate little.
 */
static void tune_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 2);
}

int hornet_agent_run(const struct hornet_config *cfg)
{
	struct hornet_agent a = {
		.cfg = cfg,
		.epfd = -1,
		.sig.fd = -1,
		.api_poll.fd = -1,
		.load_done.fd = -1,
		.pin_fd = -1,
		.old_procs = -1,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	struct epoll_event evs[32];
	struct hornet_poll *p;
	int n, i, err;

	a.started_ns = hornet_clock_ns(CLOCK_MONOTONIC);
	tune_malloc();
	hornet_log_level = cfg->log_level;
	hornet_log_keep_tail();
	hornet_log_libbpf();
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();

	err = agent_start(&a);
	if (err)
		bpffs_failed(&a);
	while (!err && !a.stop) {
		/* records left by the last round's budget: at once */
		n = epoll_wait(a.epfd, evs, 32, a.rb_more ? 0 : POLL_TIMEOUT_MS);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			pr_err("event loop: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			p = evs[i].data.ptr;
			p->fn(p, evs[i].events);
		}
		drain(&a);
		loader_update(&a);
		/* the API's pod changes of this round, at once */
		if (a.scope && hornet_pod_store__generation(a.pods) != a.scope_gen)
			scope_update(&a, false);
		release_waiting(&a);
		/* a policy change of this round planned with it: 6 MB until the next */
		if (a.kernel_ready && a.kernel.btf)
			hornet_kernel_drop_btf(&a.kernel);
		if (hornet_clock_ns(CLOCK_BOOTTIME) - a.clock_read_ns > CLOCK_REFRESH_NS)
			refresh_clock(&a);
		if (a.throttle)
			throttle_tick(&a);
		/* cgroups made under a cgroupSelector's path since the last walk */
		if (a.scope && hornet_scope__has_cgroups(a.scope) &&
		    hornet_clock_ns(CLOCK_MONOTONIC) - a.cgroup_scan_ns > CGROUP_SCAN_NS) {
			a.cgroup_scan_ns = hornet_clock_ns(CLOCK_MONOTONIC);
			scope_update(&a, false);
		}
	}
	if (!err) {
		/* what the kernel already queued still goes out, waiting or not; a
		 * ring that a flood keeps full, a ring's worth of rounds at most */
		for (i = 0; i == 0 || (a.rb_more && i < 64); i++)
			drain(&a);
		if (a.pod_wait)
			hornet_pod_wait__release(a.pod_wait, &a.render, UINT64_MAX, output_waited,
						 &a);
		drain(&a);
		pr_info("stopped: %llu exec and %llu exit events exported",
			(unsigned long long)events_of(&a, "process_exec"),
			(unsigned long long)events_of(&a, "process_exit"));
	}
	agent_free(&a);
	return err;
}
