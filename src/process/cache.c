// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "process/cache.h"
#include "util/intern.h"

struct hornet_proc_cache {
	struct hornet_process *table; /* uthash head */
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
	set_capacity(c, capacity);
	return c;
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
	HASH_DEL(c->table, p);
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
	free(c);
}

struct hornet_process *hornet_proc_cache__lookup(struct hornet_proc_cache *c, uint32_t pid,
						 uint64_t ktime)
{
	struct hornet_proc_key key = { .ktime = ktime, .pid = pid };
	struct hornet_process *p;

	HASH_FIND(hh, c->table, &key, sizeof(key), p);
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

	memset(&p->key, 0, sizeof(p->key));
	p->key.pid = p->pid;
	p->key.ktime = p->ktime;
	HASH_FIND(hh, c->table, &p->key, sizeof(p->key), old);
	if (old) {
		unlink_entry(c, old);
		hornet_process__put(old);
	}
	if (!p->parent && p->pktime) {
		struct hornet_proc_key pkey = { .ktime = p->pktime, .pid = p->ppid };

		HASH_FIND(hh, c->table, &pkey, sizeof(pkey), old);
		p->parent = hornet_process__get(old);
	}
	while (c->size >= c->capacity)
		evict_one(c);
	HASH_ADD(hh, c->table, key, sizeof(p->key), p);
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
