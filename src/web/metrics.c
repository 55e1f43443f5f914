// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition format (version 0.0.4) made from the
 * agent's "status" and "policy_list" replies and the server's and store's
 * own counters. Everything is read from JSON the agent wrote, so a field the
 * agent does not send (an older agent, `hornet ui` without one) only leaves
 * its metric out. docs/metrics.md lists every metric.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/utf8.h"
#include "web/metrics.h"
#include "web/web.h"

#ifndef HORNET_GIT_REV
#define HORNET_GIT_REV ""
#endif

/*
 * Series of one per-workload family at most; the rest are added up in one
 * series per type (or policy and hook) whose workload labels say
 * "_overflow", a value no pod name or binary path can have. The agent
 * bounds its own table likewise; this bound holds whatever the JSON says.
 */
#define SERIES_MAX 2048
#define OVERFLOW "_overflow"

/* The labels --metrics-label-filter may keep, in Tetragon's order. */
enum {
	L_NAMESPACE,
	L_WORKLOAD,
	L_POD,
	L_BINARY,
	L_NODE_NAME,
	L_PROCESS_COUNT,
};

static const char *const process_labels[L_PROCESS_COUNT] = {
	"namespace", "workload", "pod", "binary", "node_name",
};

struct writer {
	struct hornet_json *out;
	unsigned int keep; /* bit per process label that the filter keeps */
};

static void put(struct writer *w, const char *s)
{
	hornet_json_append(w->out, s, strlen(s));
}

/*
 * A label value: backslash, double quote and newline escaped as the format
 * requires; invalid UTF-8 replaced by U+FFFD, since the format is UTF-8 and
 * a scraper rejects the whole page over one bad byte.
 */
static void put_value(struct writer *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, l;

	while (i < n) {
		for (run = i; run < n && p[run] < 0x80 && p[run] && p[run] != '"' &&
			      p[run] != '\\' && p[run] != '\n';
		     run++)
			;
		if (run > i) {
			hornet_json_append(w->out, s + i, run - i);
			i = run;
			continue;
		}
		if (p[i] >= 0x80) {
			l = hornet_utf8_len(p + i, n - i);
			if (l)
				hornet_json_append(w->out, s + i, l);
			else
				hornet_json_append(w->out, "\xef\xbf\xbd", 3);
			i += l ? l : 1;
			continue;
		}
		if (p[i] == '"')
			put(w, "\\\"");
		else if (p[i] == '\\')
			put(w, "\\\\");
		else if (p[i] == '\n')
			put(w, "\\n");
		else
			put(w, "\xef\xbf\xbd"); /* NUL: from json_string_length() only */
		i++;
	}
}

static void family(struct writer *w, const char *name, const char *type, const char *help)
{
	put(w, "# HELP ");
	put(w, name);
	put(w, " ");
	put(w, help);
	put(w, "\n# TYPE ");
	put(w, name);
	put(w, " ");
	put(w, type);
	put(w, "\n");
}

/* A sample: @labels is NULL or pairs of name and value, ended by NULL; @v its value. */
static void sample_text(struct writer *w, const char *name, const char *const *labels,
			const char *v)
{
	size_t i;

	put(w, name);
	if (labels && labels[0]) {
		put(w, "{");
		for (i = 0; labels[i]; i += 2) {
			if (i)
				put(w, ",");
			put(w, labels[i]);
			put(w, "=\"");
			put_value(w, labels[i + 1], strlen(labels[i + 1]));
			put(w, "\"");
		}
		put(w, "}");
	}
	put(w, " ");
	put(w, v);
	put(w, "\n");
}

static void sample(struct writer *w, const char *name, const char *const *labels, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	sample_text(w, name, labels, num);
}

/* Seconds and the like; up to nanoseconds kept. */
static void sample_f(struct writer *w, const char *name, const char *const *labels, double v)
{
	char num[64];

	snprintf(num, sizeof(num), "%.9f", v);
	sample_text(w, name, labels, num);
}

/* One unlabelled metric: family and sample. */
static void one(struct writer *w, const char *name, const char *type, const char *help, uint64_t v)
{
	family(w, name, type, help);
	sample(w, name, NULL, v);
}

static json_t *path(json_t *o, const char *a, const char *b)
{
	o = json_object_get(o, a);
	return b ? json_object_get(o, b) : o;
}

static uint64_t num(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) < 0 ? 0 : (uint64_t)json_integer_value(v);
	if (json_is_real(v)) {
		if (!(json_real_value(v) >= 0)) /* NaN too */
			return 0;
		return json_real_value(v) >= 18446744073709551615.0 ? UINT64_MAX
								    : (uint64_t)json_real_value(v);
	}
	if (json_is_true(v))
		return 1;
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* One metric from @o's member @key, when the agent sent it. */
static void one_of(struct writer *w, json_t *o, const char *key, const char *name, const char *type,
		   const char *help)
{
	json_t *v = json_object_get(o, key);

	if (v)
		one(w, name, type, help, num(v));
}

static unsigned int parse_filter(const char *f)
{
	unsigned int keep = 0, i;
	const char *p = f, *end;
	size_t n;

	if (!f)
		return (1u << L_NODE_NAME) - 1; /* Tetragon's default */
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		end = p;
		while (*end && *end != ',')
			end++;
		n = end - p;
		while (n && p[n - 1] == ' ')
			n--;
		/* unknown labels are ignored, as Tetragon does */
		for (i = 0; i < L_PROCESS_COUNT; i++)
			if (n == strlen(process_labels[i]) && !strncmp(p, process_labels[i], n))
				keep |= 1u << i;
		p = end;
	}
	return keep;
}

bool hornet_metrics_label_kept(const char *filter, const char *label)
{
	unsigned int i;

	for (i = 0; i < L_PROCESS_COUNT; i++)
		if (!strcmp(label, process_labels[i]))
			return parse_filter(filter) & (1u << i);
	return false;
}

/*
 * Per-workload series: tetragon_events_total by type and
 * tetragon_policy_events_total by policy and hook, each with the process
 * labels. Filtered labels become "" (as Tetragon's flag does), so series
 * that differ only in them are added up here.
 */
struct series {
	const char *key[2]; /* type; or policy and hook */
	const char *label[L_PROCESS_COUNT];
	uint64_t n;
	bool overflow;
};

static int series_cmp(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int i, c;

	for (i = 0; i < 2; i++) {
		c = strcmp(x->key[i], y->key[i]);
		if (c)
			return c;
	}
	for (i = 0; i < L_PROCESS_COUNT; i++) {
		c = strcmp(x->label[i], y->label[i]);
		if (c)
			return c;
	}
	return 0;
}

/* Sorts and adds up equal series; returns how many are left. */
static size_t merge(struct series *s, size_t n)
{
	size_t i, out = 0;

	qsort(s, n, sizeof(*s), series_cmp);
	for (i = 0; i < n; i++) {
		if (out && !series_cmp(&s[out - 1], &s[i])) {
			/* equal labels: one series, whichever said overflow */
			s[out - 1].n =
				s[out - 1].n + s[i].n < s[i].n ? UINT64_MAX : s[out - 1].n + s[i].n;
			s[out - 1].overflow |= s[i].overflow;
		} else
			s[out++] = s[i];
	}
	return out;
}

/* Tetragon's type label: the event's key in upper case ("PROCESS_EXEC"). */
static void type_label(const char *type, char *out, size_t size)
{
	size_t i;

	for (i = 0; type[i] && i + 1 < size; i++)
		out[i] = type[i] >= 'a' && type[i] <= 'z' ? type[i] - 'a' + 'A' : type[i];
	out[i] = 0;
}

static int render_series(struct writer *w, json_t *arr, bool policy, const char *node)
{
	const char *name = policy ? "tetragon_policy_events_total" : "tetragon_events_total";
	size_t n = json_array_size(arr), i, k, kept;
	char(*type)[64] = NULL;
	struct series *s;
	json_t *e;

	if (!n)
		return 0;
	s = calloc(n, sizeof(*s));
	type = policy ? NULL : calloc(n, sizeof(*type));
	if (!s || (!policy && !type)) {
		free(s);
		free(type);
		return -ENOMEM;
	}
	for (i = 0; (e = json_array_get(arr, i)); i++) {
		s[i].key[0] = str(e, policy ? "policy" : "type");
		if (!policy) {
			/* before the merge: types that differ only past 63 bytes are one */
			type_label(s[i].key[0], type[i], sizeof(type[i]));
			s[i].key[0] = type[i];
		}
		s[i].key[1] = policy ? str(e, "hook") : "";
		for (k = 0; k < L_NODE_NAME; k++)
			s[i].label[k] = str(e, process_labels[k]);
		s[i].label[L_NODE_NAME] = node;
		s[i].overflow = json_is_true(json_object_get(e, "overflow"));
		for (k = 0; k < L_PROCESS_COUNT; k++)
			if (!(w->keep & (1u << k)))
				s[i].label[k] = "";
			else if (s[i].overflow && k != L_NODE_NAME)
				s[i].label[k] = OVERFLOW;
		s[i].n = num(json_object_get(e, "count"));
	}
	n = merge(s, n);
	for (i = 0, kept = 0; i < n; i++) {
		if (s[i].overflow || ++kept <= SERIES_MAX)
			continue;
		s[i].overflow = true;
		for (k = 0; k < L_NODE_NAME; k++)
			if (w->keep & (1u << k))
				s[i].label[k] = OVERFLOW;
	}
	if (kept > SERIES_MAX)
		n = merge(s, n);

	if (policy)
		family(w, name, "counter", "Policy events calls observed.");
	else
		family(w, name, "counter", "The total number of Tetragon events");
	for (i = 0; i < n; i++) {
		const char *labels[2 * (L_PROCESS_COUNT + 2) + 1];
		size_t l = 0;

		if (policy) {
			labels[l++] = "policy";
			labels[l++] = s[i].key[0];
			labels[l++] = "hook";
			labels[l++] = s[i].key[1];
		} else {
			labels[l++] = "type";
			labels[l++] = s[i].key[0];
		}
		for (k = 0; k < L_PROCESS_COUNT; k++) {
			labels[l++] = process_labels[k];
			labels[l++] = s[i].label[k];
		}
		labels[l] = NULL;
		sample(w, name, labels, s[i].n);
	}
	free(s);
	free(type);
	return 0;
}

/* Without the agent's per-workload table: the totals by type from "events". */
static int events_by_type(struct writer *w, json_t *events, const char *node)
{
	json_t *arr = json_array(), *e;
	int ret = 0;
	void *it;

	if (!arr)
		return -ENOMEM;
	for (it = json_object_iter(events); it; it = json_object_iter_next(events, it)) {
		e = json_pack("{s:s,s:I}", "type", json_object_iter_key(it), "count",
			      (json_int_t)num(json_object_iter_value(it)));
		if (!e || json_array_append_new(arr, e)) {
			ret = -ENOMEM;
			break;
		}
	}
	if (!ret)
		ret = render_series(w, arr, false, node);
	json_decref(arr);
	return ret;
}

/* The agent's counters that are one number each: status member, key, metric. */
static const struct {
	const char *obj, *key, *name, *type, *help;
} plain[] = {
	{ "metrics", "exported_bytes", "tetragon_events_exported_bytes_total", "counter",
	  "Number of bytes exported for events" },
	{ "metrics", "overflow", "hornet_metrics_overflow_events_total", "counter",
	  "Events counted in an overflow series: the per-workload table was full." },
	{ "export", "rotations", "hornet_export_file_rotations_total", "counter",
	  "Rotations of the export file." },
	{ "export", "api_clients", "hornet_api_clients", "gauge",
	  "Clients connected to the agent's socket." },
	{ "lost", "api_queue", "tetragon_notify_overflowed_events_total", "counter",
	  "The total number of events dropped because listener buffer was full" },
	{ "lost", "malformed_records", "hornet_ringbuf_malformed_records_total", "counter",
	  "Ring-buffer records dropped because they did not decode." },
	{ "lost", "loader_records", "hornet_loader_records_lost_total", "counter",
	  "Executable mappings (process_loader) the kernel or the agent dropped." },
	{ "process_cache", "size", "tetragon_process_cache_size", "gauge",
	  "The size of the process cache" },
	{ "process_cache", "capacity", "tetragon_process_cache_capacity", "gauge",
	  "The capacity of the process cache. Expected to be constant." },
	{ "process_cache", "evictions", "tetragon_process_cache_evictions_total", "counter",
	  "Number of process cache LRU evictions." },
	{ "process_cache", "live", "hornet_process_cache_live", "gauge",
	  "Processes in the cache that have not exited." },
	{ "process_cache", "live_evictions", "hornet_process_cache_live_evictions_total", "counter",
	  "Processes evicted from the cache while still running." },
	{ "redaction", "failures", "hornet_redaction_failures_total", "counter",
	  "Process arguments hidden whole because a redaction regex could not finish." },
	{ "k8s", "pods", "hornet_pod_cache_pods", "gauge", "Pods the agent knows on this node." },
	{ "k8s", "containers", "hornet_pod_cache_containers", "gauge",
	  "Containers the agent knows on this node." },
	{ "k8s", "store_bytes", "hornet_pod_cache_bytes", "gauge", "Heap held by the pod cache." },
	{ "workloads", "hook_requests", "hornet_oci_hook_requests_total", "counter",
	  "Requests of the OCI hook." },
	{ "workloads", "hook_errors", "hornet_oci_hook_errors_total", "counter",
	  "Requests of the OCI hook that failed." },
	{ "workloads", "events_waiting_for_pod", "hornet_events_waiting_for_pod", "gauge",
	  "Events held until their pod is known." },
	{ "workloads", "events_waited_for_pod", "hornet_events_waited_for_pod_total", "counter",
	  "Events that were held until their pod was known." },
	{ "workloads", "events_without_pod", "hornet_events_without_pod_total", "counter",
	  "Events of processes in pods that went out without their pod." },
	{ "k8s", "errors", "hornet_k8s_watch_errors_total", "counter",
	  "Errors of the pod watch on the Kubernetes API." },
	{ "k8s", "lists", "hornet_k8s_lists_total", "counter",
	  "Lists of the pods (the first and each relist)." },
	{ "k8s", "synced", "hornet_k8s_synced", "gauge",
	  "1 when the pod watch has listed every pod." },
};

static void render_plain(struct writer *w, json_t *st)
{
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		v = json_object_get(json_object_get(st, plain[i].obj), plain[i].key);
		if (v)
			one(w, plain[i].name, plain[i].type, plain[i].help, num(v));
	}
}

static void render_agent(struct writer *w, json_t *st)
{
	json_t *lost = json_object_get(st, "lost"), *rb = json_object_get(lost, "ringbuf");
	json_t *events = json_object_get(st, "events");
	uint64_t total = 0, rb_total = 0;
	void *it;

	/* Tetragon's message opcodes where one means the same; network events have none */
	static const struct {
		const char *key, *op;
	} ops[] = {
		{ "process_exec", "5" },	 { "process_exit", "7" },
		{ "policy_events", "13" },	 { "process_fork", "23" },
		{ "network_events", "network" }, { "enforcement_events", "enforcement" },
	};
	size_t i;

	for (it = json_object_iter(events); it; it = json_object_iter_next(events, it))
		total += num(json_object_iter_value(it));
	for (it = json_object_iter(rb); it; it = json_object_iter_next(rb, it))
		rb_total += num(json_object_iter_value(it));

	one(w, "tetragon_events_exported_total", "counter", "Total number of events exported",
	    total);

	if (rb) {
		family(w, "tetragon_bpf_missed_events_total", "counter",
		       "Number of Tetragon perf events that are failed to be sent from the "
		       "kernel.");
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			/* the ring buffer was full: bpf_ringbuf_reserve() found no room */
			const char *l[] = { "msg_op", ops[i].op, "error", "ENOSPC", NULL };

			if (json_object_get(rb, ops[i].key))
				sample(w, "tetragon_bpf_missed_events_total", l,
				       num(json_object_get(rb, ops[i].key)));
		}
		one(w, "tetragon_observer_ringbuf_events_lost_total", "counter",
		    "Number of perf events Tetragon ring buffer lost.", rb_total);
	}

	family(w, "tetragon_errors_total", "counter",
	       "The total number of Tetragon errors. For internal use only.");
	{
		const char *l1[] = { "error", "process_table_full", NULL };
		const char *l2[] = { "error", "kernel_read_errors", NULL };
		const char *l3[] = { "error", "export_errors", NULL };

		sample(w, "tetragon_errors_total", l1,
		       num(path(st, "errors", "process_table_full")));
		sample(w, "tetragon_errors_total", l2,
		       num(path(st, "errors", "kernel_read_errors")));
		sample(w, "tetragon_errors_total", l3, num(json_object_get(lost, "export_errors")));
	}
	if (json_object_get(st, "dns_names")) {
		const char *l1[] = { "result", "learned", NULL };
		const char *l2[] = { "result", "refused", NULL };

		family(w, "hornet_dns_answers_total", "counter",
		       "DNS answers the network sensor read for DNSName: learned (their "
		       "addresses named), or refused (no query of the socket asked it: another "
		       "source, id or question).");
		sample(w, "hornet_dns_answers_total", l1,
		       num(path(st, "dns_names", "answers_learned")));
		sample(w, "hornet_dns_answers_total", l2,
		       num(path(st, "dns_names", "answers_refused")));
	}
}

static void render_cache(struct writer *w, json_t *st)
{
	json_t *k8s = json_object_get(st, "k8s");

	if (json_object_get(st, "process_table_size")) {
		const char *l[] = { "map", "hornet_procs", NULL };

		family(w, "tetragon_map_entries", "gauge",
		       "The total number of in-use entries per map.");
		sample(w, "tetragon_map_entries", l,
		       num(json_object_get(st, "process_table_size")));
	}

	if (json_is_true(json_object_get(k8s, "enabled"))) {
		const char *l[] = { "watcher", "k8s", NULL };

		family(w, "tetragon_watcher_events_total", "counter",
		       "The total number of events for a given watcher type.");
		sample(w, "tetragon_watcher_events_total", l, num(json_object_get(k8s, "events")));
	}
}

/*
 * Whether an entry before @i of @arr has the same @keys (NULL-ended): its
 * series would come twice. The agent never sends such lists; a page with a
 * series twice is dropped whole, so it is checked anyway.
 */
static bool seen_before(json_t *arr, size_t i, const char *const *keys)
{
	json_t *a = json_array_get(arr, i), *b;
	size_t j, k;

	for (j = 0; j < i && (b = json_array_get(arr, j)); j++) {
		for (k = 0; keys[k] && !strcmp(str(a, keys[k]), str(b, keys[k])); k++)
			;
		if (!keys[k])
			return true;
	}
	return false;
}

static void render_sensors(struct writer *w, json_t *st)
{
	static const char *const sensor_keys[] = { "name", "state", "mechanism", NULL };
	json_t *sensors = json_object_get(st, "sensors"), *s, *ua;
	size_t i;

	if (sensors) {
		family(w, "hornet_sensor_info", "gauge",
		       "1 for each sensor, with its state and mechanism.");
		for (i = 0; (s = json_array_get(sensors, i)); i++) {
			const char *l[] = { "sensor",	 str(s, "name"),
					    "state",	 str(s, "state"),
					    "mechanism", str(s, "mechanism"),
					    NULL };

			if (!seen_before(sensors, i, sensor_keys))
				sample(w, "hornet_sensor_info", l, 1);
		}
		/* the first generic sensor: there is one */
		for (i = 0; (s = json_array_get(sensors, i)); i++)
			if (!strcmp(str(s, "name"), "generic"))
				break;
		one_of(w, s, "hook_points", "hornet_policy_hook_points", "gauge",
		       "Kernel hook points the policies use.");
		one_of(w, s, "stale_events", "hornet_policy_stale_events_total", "counter",
		       "Policy events of a policy removed meanwhile, dropped.");
	}
	ua = json_object_get(st, "user_actions");
	if (ua) {
		const char *r[] = { "done", "failed", "dropped" };

		family(w, "hornet_user_actions_total", "counter",
		       "GetUrl and DnsLookup actions, by result.");
		for (i = 0; i < 3; i++) {
			const char *l[] = { "result", r[i], NULL };

			sample(w, "hornet_user_actions_total", l, num(json_object_get(ua, r[i])));
		}
	}
}

/*
 * Per-program run time and count, from the kernel's bpf_stats. Programs
 * are added up by their labels (merge() of the series), so no two samples
 * share them whatever the reply says.
 */
/*
 * The policies hooked where a program is attached, by their ids in the
 * policy list: "name" (and its namespace), or "a,b" when several share
 * the hook point. Returns a string to free, or NULL.
 */
static char *policy_names(json_t *ids, json_t *pl, const char **ns)
{
	json_t *arr = json_object_get(pl, "policies"), *p, *id;
	size_t i, k, j, len = 0, found = 0;
	char *out = NULL, *tmp;
	const char *name;

	*ns = "";
	for (i = 0; (id = json_array_get(ids, i)); i++) {
		for (j = 0; j < i && !json_equal(json_array_get(ids, j), id); j++)
			;
		if (j < i)
			continue; /* the same policy at two of the point's hooks */
		for (k = 0; (p = json_array_get(arr, k)); k++) {
			if (!json_is_integer(json_object_get(p, "id")) ||
			    !json_equal(json_object_get(p, "id"), id))
				continue;
			name = str(p, "name");
			tmp = realloc(out, len + strlen(name) + 2);
			if (!tmp) {
				free(out);
				return NULL;
			}
			out = tmp;
			len += sprintf(out + len, "%s%s", len ? "," : "", name);
			/* a namespace only for one policy: it would say whose else */
			*ns = ++found == 1 ? str(p, "namespace") : "";
			break;
		}
	}
	return out;
}

static int render_programs(struct writer *w, json_t *bs, json_t *pl)
{
	static const char *const names[] = { "tetragon_overhead_program_runs_total",
					     "tetragon_overhead_program_seconds_total",
					     "hornet_bpf_program_recursion_misses_total" };
	static const char *const keys[] = { "run_cnt", "run_time_ns", "recursion_misses" };
	static const char *const helps[] = {
		"The total number of times BPF program was executed.",
		"The total time of BPF program running.",
		"Times a BPF program was not run because it would have recursed.",
	};
	json_t *progs = json_object_get(bs, "programs"), *p;
	size_t i, m, kept, n = json_array_size(progs);
	const char **ns = NULL;
	struct series *s;
	char **pol = NULL;
	int ret = 0;

	if (!bs)
		return 0;
	one(w, "hornet_bpf_stats_enabled", "gauge",
	    "1 when the kernel counts BPF program run time (kernel.bpf_stats_enabled or "
	    "BPF_ENABLE_STATS).",
	    json_is_true(json_object_get(bs, "enabled")));
	if (!n)
		return 0;
	s = calloc(n, sizeof(*s));
	pol = calloc(n, sizeof(*pol));
	ns = calloc(n, sizeof(*ns));
	if (!s || !pol || !ns) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; (p = json_array_get(progs, i)); i++)
		pol[i] = policy_names(json_object_get(p, "policy_ids"), pl, &ns[i]);
	for (m = 0; m < 3; m++) {
		for (i = 0; (p = json_array_get(progs, i)); i++) {
			memset(&s[i], 0, sizeof(s[i]));
			s[i].key[0] = str(p, "sensor");
			s[i].key[1] = str(p, "attach");
			s[i].label[0] = pol[i] ? pol[i] : "";
			s[i].label[1] = ns[i];
			s[i].label[2] = str(p, "name");
			s[i].label[3] = s[i].label[4] = "";
			s[i].n = num(json_object_get(p, keys[m]));
		}
		kept = merge(s, n);
		family(w, names[m], "counter", helps[m]);
		for (i = 0; i < kept; i++) {
			const char *l[] = {
				"sensor",	    s[i].key[0],   "policy", s[i].label[0],
				"policy_namespace", s[i].label[1], "attach", s[i].key[1],
				"section",	    s[i].label[2], NULL
			};

			if (m == 1)
				sample_f(w, names[m], l, s[i].n / 1e9);
			else
				sample(w, names[m], l, s[i].n);
		}
	}
out:
	for (i = 0; pol && i < n; i++)
		free(pol[i]);
	free(pol);
	free(ns);
	free(s);
	return ret;
}

/* The policies with spec.enforcers: what their enforcers did and missed (Tetragon's). */
static void render_enforcers(struct writer *w, json_t *arr)
{
	static const char *const policy_keys[] = { "name", "namespace", NULL };
	static const char *const missed[][2] = { { "no_action", "enforcer_missed_no_action" },
						 { "overwritten", "enforcer_missed_overwritten" } };
	json_t *p, *s;
	size_t i, k;
	bool any = false;

	for (i = 0; (p = json_array_get(arr, i)); i++)
		any |= json_object_get(json_object_get(p, "stats"), "enforcer_actions") != NULL;
	if (!any)
		return;
	family(w, "tetragon_enforcer_missed_notifications_total", "counter",
	       "The number of missed notifications by the enforcer.");
	for (i = 0; (p = json_array_get(arr, i)); i++) {
		s = json_object_get(p, "stats");
		if (!json_object_get(s, "enforcer_actions") || seen_before(arr, i, policy_keys))
			continue;
		for (k = 0; k < 2; k++) {
			const char *l[] = { "policy", str(p, "name"), "reason", missed[k][0],
					    NULL };

			sample(w, "tetragon_enforcer_missed_notifications_total", l,
			       num(json_object_get(s, missed[k][1])));
		}
	}
	family(w, "hornet_policy_enforcer_actions_total", "counter",
	       "Notifications the policy's enforcer acted on (signal sent, call overridden).");
	for (i = 0; (p = json_array_get(arr, i)); i++) {
		const char *l[] = { "policy", str(p, "name"), "policy_namespace",
				    str(p, "namespace"), NULL };

		s = json_object_get(p, "stats");
		if (json_object_get(s, "enforcer_actions") && !seen_before(arr, i, policy_keys))
			sample(w, "hornet_policy_enforcer_actions_total", l,
			       num(json_object_get(s, "enforcer_actions")));
	}
}

/* The shadows (`policy add --shadow-of`): the calls where each decided
 * otherwise than the policy it shadows, by how. */
static void render_shadows(struct writer *w, json_t *arr)
{
	static const char *const kinds[] = { "shadow_only", "current_only", "changed" };
	json_t *p, *d;
	size_t i, k;
	bool any = false;

	for (i = 0; (p = json_array_get(arr, i)); i++)
		any |= json_object_get(json_object_get(p, "stats"), "shadow_differences") != NULL;
	if (!any)
		return;
	family(w, "hornet_policy_shadow_differences_total", "counter",
	       "Calls on which a shadow policy decided otherwise than the policy it shadows.");
	for (i = 0; (p = json_array_get(arr, i)); i++) {
		d = json_object_get(json_object_get(p, "stats"), "shadow_differences");
		if (!d)
			continue;
		for (k = 0; k < 3; k++) {
			const char *l[] = { "policy",	  str(p, "name"),
					    "shadow_of",  str(p, "shadow_of"),
					    "difference", kinds[k],
					    NULL };

			sample(w, "hornet_policy_shadow_differences_total", l,
			       num(json_object_get(d, kinds[k])));
		}
	}
}

static void render_policies(struct writer *w, json_t *pl)
{
	static const char *const policy_keys[] = { "name", "namespace", NULL };
	static const char *const states[] = { "disabled",   "enabled",		 "error",
					      "load_error", "partially_enabled", "skipped" };
	static const struct {
		const char *key, *name, *help;
	} stats[] = {
		{ "events_posted", "hornet_policy_events_posted_total",
		  "Events the policy's hooks sent to user space." },
		{ "matches", "hornet_policy_matches_total",
		  "Times the policy's selectors matched." },
		{ "actions_taken", "hornet_policy_actions_total",
		  "Actions (kill, override, signal) the policy took." },
		{ "actions_skipped_monitor", "hornet_policy_actions_skipped_monitor_total",
		  "Actions not taken because the policy is in monitor mode." },
		{ "actions_refused_init", "hornet_policy_actions_refused_init_total",
		  "Signals not sent because the process was the initial namespace's init." },
		{ "rate_limited", "hornet_policy_rate_limited_total",
		  "Events the policy's rate limit suppressed." },
		{ "events_lost", "hornet_policy_events_lost_total",
		  "Events of the policy lost in the kernel (ring buffer full)." },
	};
	json_t *arr = json_object_get(pl, "policies"), *p;
	uint64_t count[6] = {};
	size_t i, k;

	for (i = 0; (p = json_array_get(arr, i)); i++)
		for (k = 0; k < 6; k++)
			if (!strcmp(str(p, "state"), states[k]))
				count[k]++;
	family(w, "tetragon_tracingpolicy_loaded", "gauge",
	       "The number of loaded tracing policy by state.");
	for (k = 0; k < 6; k++) {
		const char *l[] = { "state", states[k], NULL };

		sample(w, "tetragon_tracingpolicy_loaded", l, count[k]);
	}
	if (!json_array_size(arr))
		return;
	family(w, "hornet_policy_info", "gauge", "1 for each policy, with its state and mode.");
	for (i = 0; (p = json_array_get(arr, i)); i++) {
		const char *l[] = { "policy",
				    str(p, "name"),
				    "policy_namespace",
				    str(p, "namespace"),
				    "state",
				    str(p, "state"),
				    "mode",
				    str(p, "mode"),
				    NULL };

		if (!seen_before(arr, i, policy_keys))
			sample(w, "hornet_policy_info", l, 1);
	}
	family(w, "tetragon_tracingpolicy_kernel_memory_bytes", "gauge",
	       "The amount of kernel memory in bytes used by policy's sensors non-shared BPF "
	       "maps (memlock).");
	for (i = 0; (p = json_array_get(arr, i)); i++) {
		const char *l[] = { "policy", str(p, "name"), "policy_namespace",
				    str(p, "namespace"), NULL };

		if (json_object_get(p, "kernel_memory_bytes") && !seen_before(arr, i, policy_keys))
			sample(w, "tetragon_tracingpolicy_kernel_memory_bytes", l,
			       num(json_object_get(p, "kernel_memory_bytes")));
	}
	for (k = 0; k < sizeof(stats) / sizeof(stats[0]); k++) {
		family(w, stats[k].name, "counter", stats[k].help);
		for (i = 0; (p = json_array_get(arr, i)); i++) {
			const char *l[] = { "policy", str(p, "name"), "policy_namespace",
					    str(p, "namespace"), NULL };
			json_t *s = json_object_get(p, "stats");

			if (s && !seen_before(arr, i, policy_keys))
				sample(w, stats[k].name, l, num(json_object_get(s, stats[k].key)));
		}
	}
	render_enforcers(w, arr);
	render_shadows(w, arr);
}

static void render_web(struct writer *w, const struct hornet_web_stats *ws)
{
	one(w, "hornet_http_requests_total", "counter", "HTTP requests answered.", ws->requests);
	one(w, "hornet_http_errors_total", "counter", "HTTP answers with a 4xx or 5xx status.",
	    ws->errors);
	one(w, "hornet_http_unauthorized_total", "counter",
	    "HTTP requests refused for a missing or wrong token.", ws->unauthorized);
	one(w, "hornet_http_live_clients", "gauge", "Clients of the live event stream now.",
	    ws->live_clients);
	one(w, "hornet_http_live_dropped_total", "counter",
	    "Event lines a slow live client did not get.", ws->live_dropped);
}

static void render_store(struct writer *w, const struct hornet_store_stats *s)
{
	const char *l[] = { "backend", s->backend, NULL };

	family(w, "hornet_store_up", "gauge",
	       "1 while the event history is written, 0 when it is broken.");
	sample(w, "hornet_store_up", l, s->ok);
	one(w, "hornet_store_queued", "gauge", "Event lines waiting for the store's writer.",
	    s->queued);
	one(w, "hornet_store_held", "gauge",
	    "Event lines the store's writer holds, trying again while the store is broken.",
	    s->held);
	one(w, "hornet_store_written_total", "counter", "Events stored.", s->written);
	one(w, "hornet_store_dropped_total", "counter",
	    "Event lines not stored: queue full or store broken.", s->dropped);
	one(w, "hornet_store_batches_total", "counter", "Batches written.", s->batches);
	one(w, "hornet_store_write_errors_total", "counter", "Batches that failed.",
	    s->write_errors);
	one(w, "hornet_store_retries_total", "counter", "Batches written again after a fault.",
	    s->retries);
	one(w, "hornet_store_trimmed_total", "counter", "Raw events removed by retention or size.",
	    s->trimmed);
	one(w, "hornet_store_bytes", "gauge", "Size of the event history.", s->bytes);
	one(w, "hornet_store_queries_total", "counter", "History queries answered.", s->queries);
	one(w, "hornet_store_query_errors_total", "counter", "History queries that failed.",
	    s->query_errors);
}

int hornet_metrics_render(struct hornet_json *out, const struct hornet_metrics_src *src)
{
	struct writer w = { .out = out, .keep = parse_filter(src->label_filter) };
	json_t *st = src->status, *m = json_object_get(st, "metrics");
	const char *node = str(st, "node_name");
	int ret = 0;

	one(&w, "hornet_agent_up", "gauge",
	    "1 when the agent answered the scrape's status request.", st != NULL);
	if (st) {
		/* the agent is this binary: its build's commit */
		const char *l[] = { "version", str(st, "version"), "commit", HORNET_GIT_REV, NULL };

		family(&w, "tetragon_build_info", "gauge", "Build information about tetragon");
		sample(&w, "tetragon_build_info", l, 1);
		one(&w, "hornet_agent_ready", "gauge", "1 once every sensor is attached.",
		    json_is_true(json_object_get(st, "ready")));
		family(&w, "hornet_agent_uptime_seconds", "gauge",
		       "Seconds since the agent started.");
		sample_f(&w, "hornet_agent_uptime_seconds", NULL,
			 json_number_value(json_object_get(st, "uptime_seconds")));
		if (json_is_array(json_object_get(m, "events")))
			ret = render_series(&w, json_object_get(m, "events"), false, node);
		else
			ret = events_by_type(&w, json_object_get(st, "events"), node);
		if (!ret)
			ret = render_series(&w, json_object_get(m, "policy_events"), true, node);
		render_agent(&w, st);
		render_plain(&w, st);
		render_cache(&w, st);
		render_sensors(&w, st);
		if (!ret)
			ret = render_programs(&w, json_object_get(m, "bpf_stats"), src->policies);
	}
	if (src->policies)
		render_policies(&w, src->policies);
	if (src->web)
		render_web(&w, src->web);
	if (src->store)
		render_store(&w, src->store);
	if (ret)
		return ret;
	return out->failed ? -ENOMEM : 0;
}
