// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "process/cache.h"
#include "util/intern.h"

/*
 * The index: open addressing with linear probing, each slot the entry with
 * its pid and a tag of its ktime, so that a probe that misses (every insert
 * of a new process looks its key up first) reads slots and no entry. A
 * process's probe starts at a place set by its pid alone, PID_SLOTS slots
 * (a cache line) a pid: the kernel hands out pids in turn, so the next
 * process's slots lie beside the last one's, and the oldest exited ones,
 * evicted next, beside each other, which the CPU's prefetcher follows. A
 * hashed index (and uthash's chains before it) read a cold cache line per
 * insert and per eviction: 13-17 % of the agent's CPU under bench/exec.
 * Kept at most half full; deletion shifts the run back (no tombstones).
 */
struct slot {
	struct hornet_process *p; /* NULL: empty */
	uint32_t pid;
	uint32_t tag; /* of the ktime */
};

#define PID_SLOTS 4
#define MIN_SLOTS 1024

struct hornet_proc_cache {
	struct slot *slots;
	size_t mask; /* number of slots - 1 */
	struct hornet_process *live; /* LRU lists, least recent first */
	struct hornet_process *dead;
	size_t capacity;
	size_t size;
	size_t nr_live;
	size_t dead_max;
	uint64_t evictions;
	uint64_t live_evictions;
};

static void set_capacity(struct hornet_proc_cache *c, size_t capacity)
{
	c->capacity = capacity;
	/*
	 * An exited process is only looked up again by records already in
	 * flight, and its children hold their own references to it, so few
	 * are kept: an eighth of the capacity, and at least 64.
	 */
	c->dead_max = capacity / 8 > 64 ? capacity / 8 : 64;
}

static uint32_t ktime_tag(uint64_t ktime)
{
	return (uint32_t)ktime ^ (uint32_t)(ktime >> 32);
}

static size_t home(const struct hornet_proc_cache *c, uint32_t pid)
{
	return (size_t)pid * PID_SLOTS & c->mask;
}

static struct slot *alloc_slots(size_t n)
{
	struct slot *slots;

	/* a pid's slots in one cache line */
	if (posix_memalign((void **)&slots, PID_SLOTS * sizeof(*slots), n * sizeof(*slots)))
		return NULL;
	memset(slots, 0, n * sizeof(*slots));
	return slots;
}

/* The slot of (@pid, @ktime), or the empty one that ends its run. */
static struct slot *find_slot(const struct hornet_proc_cache *c, uint32_t pid, uint64_t ktime)
{
	uint32_t tag = ktime_tag(ktime);
	size_t i = home(c, pid);
	struct slot *s;

	for (;; i = (i + 1) & c->mask) {
		s = &c->slots[i];
		if (!s->p || (s->pid == pid && s->tag == tag && s->p->ktime == ktime))
			return s;
	}
}

/* Doubles the slots; on failure the table stays as it is, only fuller. */
static void grow(struct hornet_proc_cache *c)
{
	size_t n = (c->mask + 1) * 2, i, j;
	struct slot *slots = alloc_slots(n), *old = c->slots;

	if (!slots)
		return;
	c->slots = slots;
	c->mask = n - 1;
	for (i = 0; i < n / 2; i++) {
		if (!old[i].p)
			continue;
		for (j = home(c, old[i].pid); slots[j].p; j = (j + 1) & c->mask)
			;
		slots[j] = old[i];
	}
	free(old);
}

struct hornet_proc_cache *hornet_proc_cache__new(size_t capacity)
{
	struct hornet_proc_cache *c;

	if (!capacity) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slots = alloc_slots(MIN_SLOTS);
	if (!c->slots) {
		free(c);
		return NULL;
	}
	c->mask = MIN_SLOTS - 1;
	set_capacity(c, capacity);
	return c;
}

/* Empties @s and moves back the entries after it that belong before it. */
static void remove_slot(struct hornet_proc_cache *c, struct slot *s)
{
	size_t hole = s - c->slots, i = hole, at;

	for (;;) {
		i = (i + 1) & c->mask;
		if (!c->slots[i].p)
			break;
		at = home(c, c->slots[i].pid);
		/* stays if its home lies cyclically in (hole, i] */
		if (((i - at) & c->mask) < ((i - hole) & c->mask))
			continue;
		c->slots[hole] = c->slots[i];
		hole = i;
	}
	c->slots[hole].p = NULL;
}

void hornet_proc_cache__reserve(struct hornet_proc_cache *c, size_t n)
{
	if (n > c->capacity)
		set_capacity(c, n);
}

struct hornet_process *hornet_process__new(void)
{
	struct hornet_process *p = calloc(1, sizeof(*p));

	if (p)
		p->refs = 1;
	return p;
}

struct hornet_process *hornet_process__get(struct hornet_process *p)
{
	if (p)
		p->refs++;
	return p;
}

void hornet_process__put(struct hornet_process *p)
{
	struct hornet_process *parent;

	/* iterative, so a long chain of last references cannot overflow the stack */
	while (p && --p->refs == 0) {
		parent = p->parent;
		hornet_intern_put(p->binary);
		hornet_intern_put(p->cwd);
		hornet_intern_put(p->args);
		hornet_intern_put(p->cgroup);
		hornet_intern_put(p->user);
		hornet_intern_put(p->env);
		hornet_intern_put(p->hash);
		free(p->json);
		free(p->json_lean);
		free(p);
		p = parent;
	}
}

void hornet_process__drop_json(struct hornet_process *p)
{
	free(p->json);
	free(p->json_lean);
	p->json = p->json_lean = NULL;
	p->json_pod_off = p->json_lean_pod_off = 0;
}

static void unlink_entry(struct hornet_proc_cache *c, struct hornet_process *p)
{
	struct slot *s = find_slot(c, p->pid, p->ktime);

	if (s->p == p)
		remove_slot(c, s);
	if (p->exited) {
		DL_DELETE(c->dead, p);
	} else {
		DL_DELETE(c->live, p);
		c->nr_live--;
	}
	p->cached = false;
	c->size--;
}

static void evict_one(struct hornet_proc_cache *c)
{
	struct hornet_process *victim = c->dead ? c->dead : c->live;

	if (!victim)
		return;
	if (!victim->exited)
		c->live_evictions++;
	c->evictions++;
	unlink_entry(c, victim);
	hornet_process__put(victim);
}

void hornet_proc_cache__free(struct hornet_proc_cache *c)
{
	if (!c)
		return;
	while (c->size)
		evict_one(c);
	free(c->slots);
	free(c);
}

struct hornet_process *hornet_proc_cache__lookup(struct hornet_proc_cache *c, uint32_t pid,
						 uint64_t ktime)
{
	struct hornet_process *p = find_slot(c, pid, ktime)->p;

	if (!p)
		return NULL;
	if (p->exited) {
		DL_DELETE(c->dead, p);
		DL_APPEND(c->dead, p);
	} else {
		DL_DELETE(c->live, p);
		DL_APPEND(c->live, p);
	}
	return p;
}

void hornet_proc_cache__insert(struct hornet_proc_cache *c, struct hornet_process *p)
{
	struct hornet_process *old;
	struct slot *s;

	memset(&p->key, 0, sizeof(p->key));
	p->key.pid = p->pid;
	p->key.ktime = p->ktime;
	old = find_slot(c, p->pid, p->ktime)->p;
	if (old) {
		unlink_entry(c, old);
		hornet_process__put(old);
	}
	if (!p->parent && p->pktime)
		p->parent = hornet_process__get(find_slot(c, p->ppid, p->pktime)->p);
	while (c->size >= c->capacity)
		evict_one(c);
	if ((c->size + 1) * 2 > c->mask + 1)
		grow(c);
	/* a failed growth: an empty slot must remain, or probes never end */
	while (c->size && c->size + 1 > c->mask)
		evict_one(c);
	/* after the evictions and the growth, which move slots */
	s = find_slot(c, p->pid, p->ktime);
	s->p = p;
	s->pid = p->pid;
	s->tag = ktime_tag(p->ktime);
	p->cached = true;
	p->exited = false;
	DL_APPEND(c->live, p);
	c->nr_live++;
	c->size++;
}

void hornet_proc_cache__exited(struct hornet_proc_cache *c, struct hornet_process *p)
{
	if (!p->cached || p->exited)
		return;
	DL_DELETE(c->live, p);
	c->nr_live--;
	p->exited = true;
	/* rendered again only if a child's event still names it */
	hornet_process__drop_json(p);
	DL_APPEND(c->dead, p);
	if (c->size - c->nr_live > c->dead_max)
		evict_one(c);
}

void hornet_proc_cache__stats(const struct hornet_proc_cache *c, struct hornet_proc_cache_stats *s)
{
	s->size = c->size;
	s->capacity = c->capacity;
	s->live = c->nr_live;
	s->evictions = c->evictions;
	s->live_evictions = c->live_evictions;
}
