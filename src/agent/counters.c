// SPDX-License-Identifier: GPL-2.0
/*
 * Per-workload event counters for the Prometheus metrics. This runs for
 * every exported event, so the common case is one probe of a small
 * direct-mapped cache keyed by pointers (the event's type, its interned
 * binary, its pod and the pod's generation) that leads straight to the
 * series; only a miss hashes the label strings. bench/workload/count.c measures it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "agent/counters.h"
#include "sensors/generic.h"
#include "util/intern.h"
#include "web/metrics.h"

#define BUCKETS 4096 /* of the label hash, a power of two */
#define SLOTS 1024 /* of the pointer cache, a power of two */
#define OVERFLOW "_overflow"
/* Overflow series of the policy table (one per policy and hook) at most;
 * beyond, one series whose policy and hook say "_overflow" too. */
#define OVERFLOW_KEYS_MAX 256
#define HOOK_MAX 512

enum { L_NAMESPACE, L_WORKLOAD, L_POD, L_BINARY, L_COUNT };

static const char *const label_names[L_COUNT] = { "namespace", "workload", "pod", "binary" };

struct series {
	struct series *next; /* in its hash bucket */
	uint32_t hash;
	bool overflow;
	uint64_t n;
	const char *key[2]; /* type (and ""); or policy and hook */
	const char *label[L_COUNT];
	char strings[]; /* what key and label point to */
};

struct table {
	struct series *bucket[BUCKETS];
	struct series **all; /* in the order they came */
	size_t n, cap;
	size_t nr_plain, nr_overflow_keys;
};

/* A cache entry: the pointers an event's series was found by. */
struct slot {
	const void *k[4];
	uint64_t gen;
	const char *binary; /* a reference, so k's binary stays this string */
	struct series *s;
};

/*
 * A program's name (from its BTF) and where it is attached (from its link):
 * found once, since reading the BTF took most of a status request.
 */
struct prog_label {
	uint32_t id;
	char name[64];
	char to[128];
};

#define PROG_LABELS_MAX 256

struct hornet_counters {
	bool keep[L_COUNT];
	struct table events, policy;
	struct slot event_slots[SLOTS], policy_slots[SLOTS];
	struct prog_label *labels; /* names of the agent's programs, by id */
	size_t nr_labels;
	uint64_t bytes; /* of the exported lines */
	uint64_t overflow; /* events counted in an overflow series */
};

struct hornet_counters *hornet_counters__new(const char *label_filter)
{
	struct hornet_counters *c = calloc(1, sizeof(*c));
	int i;

	if (!c)
		return NULL;
	for (i = 0; i < L_COUNT; i++)
		c->keep[i] = hornet_metrics_label_kept(label_filter, label_names[i]);
	return c;
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->all[i]);
	free(t->all);
}

void hornet_counters__free(struct hornet_counters *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < SLOTS; i++) {
		hornet_intern_put(c->event_slots[i].binary);
		hornet_intern_put(c->policy_slots[i].binary);
	}
	table_free(&c->events);
	table_free(&c->policy);
	free(c->labels);
	free(c);
}

static uint32_t fnv(uint32_t h, const char *s)
{
	/* the NUL too, so ("ab", "c") and ("a", "bc") differ */
	do
		h = (h ^ (unsigned char)*s) * 16777619u;
	while (*s++);
	return h;
}

static bool same(const struct series *s, const char *const key[2], const char *const label[L_COUNT])
{
	int i;

	for (i = 0; i < 2; i++)
		if (strcmp(s->key[i], key[i]))
			return false;
	for (i = 0; i < L_COUNT; i++)
		if (strcmp(s->label[i], label[i]))
			return false;
	return true;
}

static struct series *series_new(const char *const key[2], const char *const label[L_COUNT],
				 uint32_t hash)
{
	size_t len[2 + L_COUNT], total = 0;
	struct series *s;
	char *p;
	int i;

	for (i = 0; i < 2 + L_COUNT; i++) {
		len[i] = strlen(i < 2 ? key[i] : label[i - 2]) + 1;
		total += len[i];
	}
	s = calloc(1, sizeof(*s) + total);
	if (!s)
		return NULL;
	s->hash = hash;
	p = s->strings;
	for (i = 0; i < 2 + L_COUNT; i++) {
		memcpy(p, i < 2 ? key[i] : label[i - 2], len[i]);
		if (i < 2)
			s->key[i] = p;
		else
			s->label[i - 2] = p;
		p += len[i];
	}
	return s;
}

/* The series of these labels; a new one when @create allows (*@created says so). */
static struct series *lookup(struct table *t, const char *const key[2],
			     const char *const label[L_COUNT], bool overflow, bool create,
			     bool *created)
{
	uint32_t h = 2166136261u;
	struct series *s, **all;
	int i;

	*created = false;
	for (i = 0; i < 2; i++)
		h = fnv(h, key[i]);
	for (i = 0; i < L_COUNT; i++)
		h = fnv(h, label[i]);
	for (s = t->bucket[h & (BUCKETS - 1)]; s; s = s->next)
		if (s->hash == h && s->overflow == overflow && same(s, key, label))
			return s;
	if (!create)
		return NULL;
	if (t->n == t->cap) {
		all = realloc(t->all, (t->cap ? 2 * t->cap : 64) * sizeof(*all));
		if (!all)
			return NULL;
		t->all = all;
		t->cap = t->cap ? 2 * t->cap : 64;
	}
	s = series_new(key, label, h);
	if (!s)
		return NULL;
	s->overflow = overflow;
	s->next = t->bucket[h & (BUCKETS - 1)];
	t->bucket[h & (BUCKETS - 1)] = s;
	t->all[t->n++] = s;
	*created = true;
	return s;
}

/*
 * The series of these labels (the filtered ones blanked in @label). Once
 * the table holds HORNET_COUNTERS_SERIES_MAX, new label sets go to their
 * key's overflow series, and past OVERFLOW_KEYS_MAX of those to one that
 * says "_overflow" everywhere. NULL only when out of memory.
 */
static struct series *find(struct hornet_counters *c, struct table *t, const char *key[2],
			   const char *label[L_COUNT])
{
	static const char *const all_over[2] = { OVERFLOW, OVERFLOW };
	bool room = t->nr_plain < HORNET_COUNTERS_SERIES_MAX, created;
	const char *over[L_COUNT];
	struct series *s;
	int i;

	for (i = 0; i < L_COUNT; i++) {
		if (!c->keep[i])
			label[i] = "";
		over[i] = c->keep[i] ? OVERFLOW : "";
	}
	s = lookup(t, key, label, false, room, &created);
	t->nr_plain += created;
	if (s || room)
		return s;
	s = lookup(t, key, over, true, t->nr_overflow_keys < OVERFLOW_KEYS_MAX, &created);
	t->nr_overflow_keys += created;
	return s ? s : lookup(t, all_over, over, true, true, &created);
}

static void workload_labels(const struct hornet_process *p, const struct hornet_pod_store *pods,
			    const struct hornet_pod **pod_out, const char *label[L_COUNT])
{
	const struct hornet_pod *pod = NULL;

	if (p && p->container_id[0] && pods)
		pod = hornet_pod_store__by_container(pods, p->container_id, NULL);
	label[L_NAMESPACE] = pod && pod->namespace ? pod->namespace : "";
	label[L_WORKLOAD] = pod && pod->workload ? pod->workload : "";
	label[L_POD] = pod && pod->name ? pod->name : "";
	label[L_BINARY] = p && p->binary ? p->binary : "";
	*pod_out = pod;
}

static const char *const hook_kinds[] = {
	[HORNET_POLICY_KPROBE] = "kprobe:", [HORNET_POLICY_TRACEPOINT] = "tracepoint:",
	[HORNET_POLICY_LSM] = "lsm:",	    [HORNET_POLICY_UPROBE] = "uprobe:",
	[HORNET_POLICY_USDT] = "usdt:",
};

/* The two parts of a hook's name: tracepoints and uprobes have two. */
static void hook_parts(const struct hornet_policy_event *pe, const char **a, const char **b)
{
	*a = pe->kind == HORNET_POLICY_TRACEPOINT ? pe->subsys
	     : pe->kind == HORNET_POLICY_UPROBE	  ? pe->path
						  : pe->function_name;
	*b = pe->kind == HORNET_POLICY_TRACEPOINT ? pe->event
	     : pe->kind == HORNET_POLICY_UPROBE	  ? pe->symbol
						  : NULL;
	*a = *a ?: "";
}

/* Tetragon's hook label: "kprobe:fn", "tracepoint:sub/event", "uprobe:path/sym", ... */
static const char *hook_label(const struct hornet_policy_event *pe, char *buf, size_t size)
{
	const char *a, *b;

	hook_parts(pe, &a, &b);
	snprintf(buf, size, "%s%s%s%s", hook_kinds[pe->kind], a, b ? "/" : "", b ?: "");
	return buf;
}

/* Whether @hook is @pe's hook label, without making it. */
static bool hook_is(const char *hook, const struct hornet_policy_event *pe)
{
	const char *kind = hook_kinds[pe->kind], *a, *b;
	size_t n = strlen(kind), m;

	hook_parts(pe, &a, &b);
	if (strncmp(hook, kind, n))
		return false;
	hook += n;
	if (!b)
		return !strcmp(hook, a);
	m = strlen(a);
	return !strncmp(hook, a, m) && hook[m] == '/' && !strcmp(hook + m + 1, b);
}

static void count(struct hornet_counters *c, struct series *s)
{
	if (!s)
		return; /* out of memory: the event still went out */
	s->n++;
	if (s->overflow)
		c->overflow++;
}

static struct slot *slot_of(struct slot *slots, const void *const k[4])
{
	uintptr_t h = 0;
	int i;

	for (i = 0; i < 4; i++)
		h = (h ^ ((uintptr_t)k[i] >> 4)) * 0x9e3779b1u;
	return &slots[(h ^ (h >> 15)) & (SLOTS - 1)];
}

static bool slot_is(const struct slot *sl, const void *const k[4], uint64_t gen)
{
	return sl->s && sl->k[0] == k[0] && sl->k[1] == k[1] && sl->k[2] == k[2] &&
	       sl->k[3] == k[3] && sl->gen == gen;
}

static void slot_set(struct slot *sl, const void *const k[4], uint64_t gen,
		     const struct hornet_process *p, struct series *s)
{
	if (!s)
		return;
	hornet_intern_put(sl->binary);
	sl->binary = p && p->binary ? hornet_intern_get(p->binary) : NULL;
	memcpy(sl->k, k, sizeof(sl->k));
	sl->gen = gen;
	sl->s = s;
}

/*
 * The caches: none of their pointers can name another string or pod while a
 * slot holds it (binaries are interned and held by the slot; any change of
 * a pod changes its generation). A policy's name and hook are the sensor's
 * and go with the policy, so a hit is checked against the series' text.
 */
static void count_typed(struct hornet_counters *c, const char *type, const struct hornet_event *ev,
			const struct hornet_pod_store *pods)
{
	const struct hornet_policy_event *pe = &ev->policy;
	const char *label[L_COUNT], *work[L_COUNT], *key[2] = { type, "" }, *a, *b;
	const struct hornet_process *p = ev->process;
	const struct hornet_pod *pod;
	const void *k[4];
	char hook[HOOK_MAX];
	struct series *s;
	struct slot *sl;
	uint64_t gen;

	workload_labels(p, pods, &pod, label);
	gen = pod ? pod->generation : 0;
	k[0] = type;
	k[1] = label[L_BINARY];
	k[2] = pod;
	k[3] = NULL;
	sl = slot_of(c->event_slots, k);
	if (slot_is(sl, k, gen)) {
		count(c, sl->s);
	} else {
		memcpy(work, label, sizeof(work));
		s = find(c, &c->events, key, work);
		slot_set(sl, k, gen, p, s);
		count(c, s);
	}
	if (ev->kind != HORNET_EV_POLICY || !pe->policy_name ||
	    pe->kind >= sizeof(hook_kinds) / sizeof(hook_kinds[0]))
		return;
	hook_parts(pe, &a, &b);
	k[0] = pe->policy_name;
	k[1] = a;
	k[3] = label[L_BINARY];
	sl = slot_of(c->policy_slots, k);
	if (slot_is(sl, k, gen) && !strcmp(sl->s->key[0], pe->policy_name) &&
	    hook_is(sl->s->key[1], pe)) {
		count(c, sl->s);
		return;
	}
	key[0] = pe->policy_name;
	key[1] = hook_label(pe, hook, sizeof(hook));
	s = find(c, &c->policy, key, label);
	slot_set(sl, k, gen, p, s);
	count(c, s);
}

/* A line that waited for its pod: the labels as the line has them. */
static void count_line(struct hornet_counters *c, const char *type, const char *line, size_t len)
{
	json_t *root = json_loadb(line, len, 0, NULL), *ev, *p, *pod;
	const char *label[L_COUNT], *key[2] = { type, "" };
	const char *fn, *kind;
	char hook[HOOK_MAX];

	ev = json_object_get(root, type);
	p = json_object_get(ev, "process");
	pod = json_object_get(p, "pod");
	label[L_NAMESPACE] = json_string_value(json_object_get(pod, "namespace")) ?: "";
	label[L_WORKLOAD] = json_string_value(json_object_get(pod, "workload")) ?: "";
	label[L_POD] = json_string_value(json_object_get(pod, "name")) ?: "";
	label[L_BINARY] = json_string_value(json_object_get(p, "binary")) ?: "";
	count(c, find(c, &c->events, key, label));
	key[0] = json_string_value(json_object_get(ev, "policy_name"));
	if (key[0]) {
		fn = json_string_value(json_object_get(ev, "function_name"));
		kind = !strcmp(type, "process_lsm")    ? "lsm"
		       : !strcmp(type, "process_usdt") ? "usdt"
						       : "kprobe";
		if (json_object_get(ev, "subsys"))
			snprintf(hook, sizeof(hook), "tracepoint:%s/%s",
				 json_string_value(json_object_get(ev, "subsys")) ?: "",
				 json_string_value(json_object_get(ev, "event")) ?: "");
		else if (json_object_get(ev, "provider"))
			snprintf(hook, sizeof(hook), "usdt:%s/%s:%s",
				 json_string_value(json_object_get(ev, "path")) ?: "",
				 json_string_value(json_object_get(ev, "provider")) ?: "",
				 json_string_value(json_object_get(ev, "name")) ?: "");
		else if (json_object_get(ev, "symbol"))
			snprintf(hook, sizeof(hook), "uprobe:%s/%s",
				 json_string_value(json_object_get(ev, "path")) ?: "",
				 json_string_value(json_object_get(ev, "symbol")) ?: "");
		else
			snprintf(hook, sizeof(hook), "%s:%s", kind, fn ?: "");
		key[1] = hook;
		label[L_NAMESPACE] = json_string_value(json_object_get(pod, "namespace")) ?: "";
		label[L_WORKLOAD] = json_string_value(json_object_get(pod, "workload")) ?: "";
		label[L_POD] = json_string_value(json_object_get(pod, "name")) ?: "";
		label[L_BINARY] = json_string_value(json_object_get(p, "binary")) ?: "";
		count(c, find(c, &c->policy, key, label));
	}
	json_decref(root);
}

void hornet_counters__event(struct hornet_counters *c, const char *type,
			    const struct hornet_event *ev, const struct hornet_pod_store *pods,
			    const char *line, size_t len)
{
	if (!c)
		return;
	c->bytes += len;
	if (ev)
		count_typed(c, type, ev, pods);
	else
		count_line(c, type, line, len);
}

static void table_json(const struct table *t, const char *name, bool policy, struct hornet_json *j)
{
	const struct series *s;
	size_t i;
	int l;

	hornet_json_arr_begin(j, name);
	for (i = 0; i < t->n; i++) {
		s = t->all[i];
		if (!s->n)
			continue;
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, policy ? "policy" : "type", s->key[0]);
		if (policy)
			hornet_json_str(j, "hook", s->key[1]);
		for (l = 0; l < L_COUNT; l++)
			hornet_json_str(j, label_names[l], s->label[l]);
		if (s->overflow)
			hornet_json_bool(j, "overflow", true);
		hornet_json_u64(j, "count", s->n);
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
}

/* The sensor a program belongs to, by its name. */
static const char *sensor_of(const char *name)
{
	static const struct {
		const char *prefix, *sensor;
	} by_name[] = {
		{ "hornet_exec", "exec" },  { "hornet_fork", "exec" },	 { "hornet_exit", "exec" },
		{ "hornet_creds", "exec" }, { "hornet_gen", "generic" }, { "hornet_", "network" },
	};
	size_t i;

	for (i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (!strncmp(name, by_name[i].prefix, strlen(by_name[i].prefix)))
			return by_name[i].sensor;
	return "";
}

struct prog_walk {
	struct hornet_json *j;
	struct hornet_counters *c;
	bool links_read;
	struct btf *btf; /* of the last program named from its BTF */
	uint32_t btf_id;
	uint64_t runs; /* of all listed */
	uint32_t *ids; /* programs already listed */
	size_t nr_ids, cap_ids;
	struct {
		uint32_t prog_id;
		char to[128];
	} * links; /* where the agent's links attach programs */
	size_t nr_links;
};

/* Whether program @id was listed already (a program can have several fds). */
static bool listed(struct prog_walk *w, uint32_t id)
{
	uint32_t *ids;
	size_t i;

	for (i = 0; i < w->nr_ids; i++)
		if (w->ids[i] == id)
			return true;
	if (w->nr_ids == w->cap_ids) {
		ids = realloc(w->ids, (w->cap_ids * 2 + 64) * sizeof(*ids));
		if (!ids)
			return true; /* out of memory: left out rather than twice */
		w->ids = ids;
		w->cap_ids = w->cap_ids * 2 + 64;
	}
	w->ids[w->nr_ids++] = id;
	return false;
}

/*
 * The program's full name, from its BTF: the kernel keeps only 15 bytes of
 * it, which leaves hornet_udp_sendmsg and hornet_udp_sendpage alike.
 */
static const char *full_name(struct prog_walk *w, int fd, const struct bpf_prog_info *info)
{
	struct bpf_func_info fi = {};
	struct bpf_prog_info fn = {
		.nr_func_info = 1,
		.func_info_rec_size = sizeof(fi),
		.func_info = (uintptr_t)&fi,
	};
	uint32_t len = sizeof(fn);
	const struct btf_type *t;

	if (!info->btf_id || !info->nr_func_info || bpf_obj_get_info_by_fd(fd, &fn, &len))
		return NULL;
	if (w->btf_id != info->btf_id) {
		btf__free(w->btf);
		w->btf = btf__load_from_kernel_by_id(info->btf_id);
		w->btf_id = w->btf ? info->btf_id : 0;
	}
	t = w->btf ? btf__type_by_id(w->btf, fi.type_id) : NULL;
	return t ? btf__name_by_offset(w->btf, t->name_off) : NULL;
}

/*
 * Where link @fd attaches its program, when the link says: the tracepoint
 * of a tp_btf or raw_tp program, the hook of a cgroup program. (A
 * tracepoint's perf-event link names nothing before Linux 6.6.)
 */
static void link_target(struct prog_walk *w, int fd)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	const char *to = NULL;
	char tp[128] = "";
	void *links;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	if (info.type == BPF_LINK_TYPE_RAW_TRACEPOINT) {
		memset(&info, 0, sizeof(info));
		info.raw_tracepoint.tp_name = (uintptr_t)tp;
		info.raw_tracepoint.tp_name_len = sizeof(tp);
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			to = tp;
	} else if (info.type == BPF_LINK_TYPE_CGROUP) {
		to = libbpf_bpf_attach_type_str(info.cgroup.attach_type);
	}
	if (!to || !to[0])
		return;
	links = realloc(w->links, (w->nr_links + 1) * sizeof(*w->links));
	if (!links)
		return;
	w->links = links;
	w->links[w->nr_links].prog_id = info.prog_id;
	snprintf(w->links[w->nr_links++].to, sizeof(w->links[0].to), "%s", to);
}

/* Calls @fn for each of the agent's descriptors whose target is @what. */
static void each_fd(struct prog_walk *w, const char *what, void (*fn)(struct prog_walk *w, int fd))
{
	char target[64];
	struct dirent *d;
	ssize_t n;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		n = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (!strcmp(target, what))
			fn(w, atoi(d->d_name));
	}
	closedir(dir);
}

/* The name and place of the program @fd, found once and kept. NULL: out of memory. */
static const struct prog_label *prog_label(struct prog_walk *w, int fd,
					   const struct bpf_prog_info *info)
{
	static struct prog_label one; /* when the cache is full */
	struct hornet_counters *c = w->c;
	struct prog_label *l, *labels;
	const char *name;
	size_t i;

	for (i = 0; i < c->nr_labels; i++)
		if (c->labels[i].id == info->id)
			return &c->labels[i];
	if (c->nr_labels < PROG_LABELS_MAX) {
		labels = realloc(c->labels, (c->nr_labels + 1) * sizeof(*labels));
		if (!labels)
			return NULL;
		c->labels = labels;
		l = &c->labels[c->nr_labels++];
	} else {
		l = &one;
	}
	memset(l, 0, sizeof(*l));
	l->id = info->id;
	name = full_name(w, fd, info);
	snprintf(l->name, sizeof(l->name), "%s", name && name[0] ? name : info->name);
	if (!w->links_read) {
		each_fd(w, "anon_inode:bpf_link", link_target);
		w->links_read = true;
	}
	for (i = 0; i < w->nr_links; i++)
		if (w->links[i].prog_id == info->id)
			snprintf(l->to, sizeof(l->to), "%s", w->links[i].to);
	return l;
}

static int prog_json(void *ctx, int fd, const char *name, const char *key, const uint32_t *policies,
		     size_t nr_policies)
{
	const struct prog_label *label;
	struct prog_walk *w = ctx;
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || listed(w, info.id))
		return 0;
	if (!name) {
		label = prog_label(w, fd, &info);
		if (!label)
			return 0;
		name = label->name;
		key = label->to;
		/* a generic program that no hook point loaded: never runs */
		if (!strncmp(name, "hornet_gen", 10))
			return 0;
	}
	hornet_json_obj_begin(w->j, NULL);
	hornet_json_u64(w->j, "id", info.id);
	hornet_json_str(w->j, "name", name);
	hornet_json_str(w->j, "sensor", sensor_of(name));
	hornet_json_str(w->j, "attach", key ?: "");
	if (nr_policies) {
		size_t i;

		hornet_json_arr_begin(w->j, "policy_ids");
		for (i = 0; i < nr_policies; i++)
			hornet_json_u64(w->j, NULL, policies[i]);
		hornet_json_arr_end(w->j);
	}
	hornet_json_u64(w->j, "run_time_ns", info.run_time_ns);
	hornet_json_u64(w->j, "run_cnt", info.run_cnt);
	w->runs += info.run_cnt;
	hornet_json_u64(w->j, "recursion_misses", info.recursion_misses);
	hornet_json_obj_end(w->j);
	return 0;
}

static void own_program(struct prog_walk *w, int fd)
{
	prog_json(w, fd, NULL, NULL, NULL, 0);
}

static bool bpf_stats_enabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

void hornet_counters__status(struct hornet_counters *c, const struct hornet_gen_sensor *gen,
			     struct hornet_json *j)
{
	struct prog_walk *w;

	if (!c)
		return;
	hornet_json_obj_begin(j, "metrics");
	table_json(&c->events, "events", false, j);
	table_json(&c->policy, "policy_events", true, j);
	hornet_json_u64(j, "series_max", HORNET_COUNTERS_SERIES_MAX);
	hornet_json_u64(j, "overflow", c->overflow);
	hornet_json_u64(j, "exported_bytes", c->bytes);
	hornet_json_obj_begin(j, "bpf_stats");
	hornet_json_arr_begin(j, "programs");
	w = calloc(1, sizeof(*w));
	if (w) {
		w->j = j;
		w->c = c;
		/* the hook points' first: they have full names and a place */
		if (gen)
			hornet_gen_sensor__each_prog(gen, prog_json, w);
		/* then the agent's own: those it holds a descriptor of */
		each_fd(w, "anon_inode:bpf-prog", own_program);
		btf__free(w->btf);
		free(w->ids);
		free(w->links);
	}
	hornet_json_arr_end(j);
	/* on by the sysctl, or by a BPF_ENABLE_STATS descriptor (the sysctl
	 * does not show those): the counts move only while either holds */
	hornet_json_bool(j, "enabled", bpf_stats_enabled() || (w && w->runs));
	free(w);
	hornet_json_obj_end(j);
	hornet_json_obj_end(j);
}
