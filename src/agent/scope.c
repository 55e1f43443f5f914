// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <hornet/generic.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "agent/scope.h"
#include "policy/scope.h"
#include "util/cgroup2.h"

#define MAX_LEARNED 16384 /* as many as the kernel map holds */
#define MAX_CGROUP_WALK 4096 /* cgroups under one cgroupSelector path */
#define MAX_CGROUP_DEPTH 32

struct learned {
	char id[HORNET_CONTAINER_ID_LEN + 1];
	uint64_t cgroup_id;
	UT_hash_handle hh;
};

/* What the kernel map holds for one cgroup, as last written. */
struct entry {
	uint64_t cgroup_id;
	struct hornet_scope_bits bits;
	bool seen; /* in this recomputation */
	UT_hash_handle hh;
};

struct scoped {
	const struct hornet_policy *p;
	uint32_t index;
};

struct hornet_scope {
	int fd;
	const struct hornet_pod_store *pods;
	struct learned *learned; /* by container id, oldest first */
	struct entry *entries; /* by cgroup id */
	/* during an update */
	struct scoped *policies;
	size_t nr_policies;
	bool full; /* the policies changed: every cgroup is computed again */
	int err;
	uint64_t gen_done; /* the store's generation at the last complete update */
	bool policies_done; /* that update had scoped policies */
	bool cgroups; /* a scoped policy has a cgroupSelector */
	struct hornet_scope_stats st;
};

struct hornet_scope *hornet_scope__new(int map_fd, const struct hornet_pod_store *pods)
{
	struct hornet_scope *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = map_fd;
	s->pods = pods;
	return s;
}

void hornet_scope__free(struct hornet_scope *s)
{
	struct learned *l, *lt;
	struct entry *e, *et;

	if (!s)
		return;
	HASH_ITER(hh, s->learned, l, lt)
	{
		HASH_DEL(s->learned, l);
		free(l);
	}
	HASH_ITER(hh, s->entries, e, et)
	{
		HASH_DEL(s->entries, e);
		free(e);
	}
	free(s);
}

bool hornet_scope__learn(struct hornet_scope *s, const char *id, uint64_t cgroup_id)
{
	struct learned *l;

	if (!id[0] || !cgroup_id)
		return false;
	HASH_FIND_STR(s->learned, id, l);
	if (l) {
		if (l->cgroup_id == cgroup_id)
			return false;
		l->cgroup_id = cgroup_id;
		return true;
	}
	if (HASH_COUNT(s->learned) >= MAX_LEARNED) {
		/* the oldest: its container has most likely gone */
		l = s->learned;
		HASH_DEL(s->learned, l);
	} else {
		l = calloc(1, sizeof(*l));
		if (!l)
			return false;
	}
	snprintf(l->id, sizeof(l->id), "%s", id);
	l->cgroup_id = cgroup_id;
	HASH_ADD_STR(s->learned, id, l);
	s->st.learned = HASH_COUNT(s->learned);
	return true;
}

void hornet_scope__forget(struct hornet_scope *s, const char *id)
{
	struct learned *l;

	HASH_FIND_STR(s->learned, id, l);
	if (!l)
		return;
	HASH_DEL(s->learned, l);
	free(l);
	s->st.learned = HASH_COUNT(s->learned);
}

static int add_policy(const struct hornet_policy *p, uint32_t index, void *ctx)
{
	struct hornet_scope *s = ctx;
	struct scoped *n;

	if (index >= HORNET_MAX_SCOPES)
		return 0;
	n = realloc(s->policies, (s->nr_policies + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->policies = n;
	n[s->nr_policies].p = p;
	n[s->nr_policies++].index = index;
	return 0;
}

/* Writes @bits for @cgroup_id when they differ from what the kernel has;
 * @add: to what this update gave it already (a cgroupSelector's). */
static void put(struct hornet_scope *s, uint64_t cgroup_id, const struct hornet_scope_bits *bits,
		bool add)
{
	struct hornet_scope_bits sum;
	struct entry *e;

	HASH_FIND(hh, s->entries, &cgroup_id, sizeof(cgroup_id), e);
	if (e && e->seen && add) {
		for (int w = 0; w < HORNET_SCOPE_WORDS; w++)
			sum.w[w] = e->bits.w[w] | bits->w[w];
		if (!memcmp(&sum, &e->bits, sizeof(sum)))
			return;
		e->seen = false;
		bits = &sum;
	}
	if (e && e->seen)
		return; /* a container listed twice (hook and API): the first decides */
	if (e && !memcmp(&e->bits, bits, sizeof(*bits))) {
		e->seen = true;
		return;
	}
	if (bpf_map_update_elem(s->fd, &cgroup_id, bits, BPF_ANY)) {
		s->st.errors++;
		s->err = -errno;
		return;
	}
	s->st.writes++;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			s->err = -ENOMEM;
			return;
		}
		e->cgroup_id = cgroup_id;
		HASH_ADD(hh, s->entries, cgroup_id, sizeof(e->cgroup_id), e);
	}
	e->bits = *bits;
	e->seen = true;
}

static void set_bit(struct hornet_scope_bits *b, uint32_t index)
{
	b->w[index / 64] |= 1ULL << (index % 64);
}

/* An unchanged workload keeps its entry: marked, not computed again. */
static bool keep(struct hornet_scope *s, uint64_t cgroup_id)
{
	struct entry *e;

	HASH_FIND(hh, s->entries, &cgroup_id, sizeof(cgroup_id), e);
	if (e)
		e->seen = true;
	return e != NULL;
}

static void put_container(struct hornet_scope *s, const struct hornet_pod *pod,
			  const struct hornet_container_info *c, uint64_t cgroup_id)
{
	struct hornet_scope_bits bits = {};
	struct hornet_workload w = {};
	const char *(*labels)[2] = NULL;
	char repo[512];
	size_t i;

	if (pod && pod->nr_labels) {
		labels = calloc(pod->nr_labels, sizeof(*labels));
		if (!labels) {
			s->err = -ENOMEM;
			return;
		}
		for (i = 0; i < pod->nr_labels; i++) {
			labels[i][0] = pod->labels[i].key;
			labels[i][1] = pod->labels[i].value;
		}
	}
	w.pod_namespace = pod ? pod->namespace : NULL;
	w.labels = (const char *const(*)[2])labels;
	w.nr_labels = pod ? pod->nr_labels : 0;
	w.name = c ? c->name : NULL;
	/* Tetragon takes the repository from the image id (name@digest) */
	if (c && (c->image_id || c->image_name)) {
		hornet_image_repo(c->image_id ? c->image_id : c->image_name, repo, sizeof(repo));
		w.repo = repo;
	}
	for (i = 0; i < s->nr_policies; i++)
		if (hornet_policy_selects(s->policies[i].p, &w))
			set_bit(&bits, s->policies[i].index);
	free(labels);
	put(s, cgroup_id, &bits, false);
}

/*
 * The cgroup at @fd (a directory of the cgroup v2 hierarchy) and those below
 * it, down to MAX_CGROUP_DEPTH: each gets @bits added. A cgroup id is its
 * directory's inode number. Returns how many more it may visit.
 */
static int walk_cgroups(struct hornet_scope *s, int fd, const struct hornet_scope_bits *bits,
			int depth, int left)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (fstat(fd, &st) || left <= 0) {
		close(fd);
		return left;
	}
	put(s, st.st_ino, bits, true);
	left--;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return left;
	}
	while (depth < MAX_CGROUP_DEPTH && left > 0 && (d = readdir(dir))) {
		int sub;

		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		sub = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			left = walk_cgroups(s, sub, bits, depth + 1, left);
	}
	closedir(dir);
	return left;
}

/*
 * The cgroups of the policies' cgroupSelectors. A cgroup no container
 * holds leaves the host's class by getting an entry: it carries the bits
 * of the scoped policies that select the host, as the host would.
 */
static void put_cgroups(struct hornet_scope *s)
{
	struct hornet_scope_bits host = {};
	char root[4096], path[8192];
	size_t i, k;
	int fd;

	s->cgroups = false;
	for (i = 0; i < s->nr_policies; i++)
		s->cgroups |= s->policies[i].p->nr_cgroup_paths > 0;
	if (!s->cgroups || hornet_cgroup2_root(root, sizeof(root)))
		return;
	for (i = 0; i < s->nr_policies; i++)
		if (hornet_policy_selects_host(s->policies[i].p))
			set_bit(&host, s->policies[i].index);
	for (i = 0; i < s->nr_policies; i++) {
		const struct hornet_policy *p = s->policies[i].p;
		struct hornet_scope_bits bits = host;

		set_bit(&bits, s->policies[i].index);
		for (k = 0; k < p->nr_cgroup_paths; k++) {
			snprintf(path, sizeof(path), "%s%s", root, p->cgroup_paths[k]);
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0)
				walk_cgroups(s, fd, &bits, 0, MAX_CGROUP_WALK);
		}
	}
}

static uint64_t learned_cgroup(const struct hornet_scope *s, const char *id)
{
	struct learned *l;

	HASH_FIND_STR(s->learned, id, l);
	return l ? l->cgroup_id : 0;
}

static int put_pod(const struct hornet_pod *pod, void *ctx)
{
	struct hornet_scope *s = ctx;
	const struct hornet_container_info *c;
	bool changed = s->full || pod->generation > s->gen_done;
	uint64_t cg;
	size_t i;

	for (i = 0; i < pod->nr_containers; i++) {
		c = &pod->containers[i];
		cg = c->cgroup_id ? c->cgroup_id : learned_cgroup(s, c->id);
		if (cg && (changed || !keep(s, cg)))
			put_container(s, pod, c, cg);
	}
	return 0;
}

/*
 * Deletes the entries not seen in this update (@all: every entry, when no
 * scoped policy is left and no program reads the map): their cgroups are
 * the host's again.
 */
static void sweep(struct hornet_scope *s, bool all)
{
	struct entry *e, *et;

	HASH_ITER(hh, s->entries, e, et)
	{
		if (e->seen && !all)
			continue;
		if (bpf_map_delete_elem(s->fd, &e->cgroup_id) && errno != ENOENT) {
			s->st.errors++;
			continue;
		}
		s->st.writes++;
		HASH_DEL(s->entries, e);
		free(e);
	}
}

int hornet_scope__update(struct hornet_scope *s, const struct hornet_pm *pm, bool policies)
{
	const struct hornet_container_info *c;
	const struct hornet_pod *pod;
	struct learned *l, *lt;
	struct entry *e, *et;
	int ret;

	s->err = 0;
	s->nr_policies = 0;
	s->st.updates++;
	ret = pm ? hornet_pm__each_scope(pm, add_policy, s) : 0;
	if (ret)
		goto out;
	if (!s->nr_policies) {
		sweep(s, true);
		s->policies_done = false;
		goto out;
	}
	/*
	 * Pods the store changed since the last update are computed again;
	 * the others' entries stand, unless the policies changed.
	 */
	s->full = policies || !s->policies_done;
	HASH_ITER(hh, s->entries, e, et)
	{
		e->seen = false;
	}
	if (s->pods)
		hornet_pod_store__each(s->pods, put_pod, s);
	/* containers the hook or an exec named: in a pod, or outside any (never the host) */
	HASH_ITER(hh, s->learned, l, lt)
	{
		if (!s->full && keep(s, l->cgroup_id))
			continue;
		pod = s->pods ? hornet_pod_store__by_container(s->pods, l->id, &c) : NULL;
		if (!pod)
			c = s->pods ? hornet_pod_store__container(s->pods, l->id) : NULL;
		put_container(s, pod, c, l->cgroup_id);
	}
	put_cgroups(s);
	sweep(s, false);
	ret = s->err;
	if (!ret)
		s->policies_done = true;
out:
	if (!ret && s->pods)
		s->gen_done = hornet_pod_store__generation(s->pods);
	free(s->policies);
	s->policies = NULL;
	s->nr_policies = 0;
	s->st.cgroups = HASH_COUNT(s->entries);
	return ret;
}

bool hornet_scope__has_cgroups(const struct hornet_scope *s)
{
	return s->cgroups;
}

void hornet_scope__stats(const struct hornet_scope *s, struct hornet_scope_stats *st)
{
	*st = s->st;
}
