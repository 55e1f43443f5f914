// SPDX-License-Identifier: GPL-2.0
/*
 * The process cache: lookups by (pid, ktime), parent links, the capacity
 * bound and the eviction order, and the references that keep an evicted
 * parent readable. Run it under valgrind too: every process and interned
 * string must be freed once the cache and its users let go.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "unit.h"
#include "process/cache.h"
#include "util/intern.h"

/* A process keyed (@pid, @ktime) whose parent is (@ppid, @pktime). */
static struct hornet_process *proc(uint32_t pid, uint64_t ktime, uint32_t ppid, uint64_t pktime)
{
	struct hornet_process *p = hornet_process__new();
	char bin[32];

	if (!p) {
		perror("hornet_process__new");
		exit(2);
	}
	p->pid = pid;
	p->ktime = ktime;
	p->ppid = ppid;
	p->pktime = pktime;
	/* a distinct interned string each, so a leak shows in hornet_intern_count() */
	snprintf(bin, sizeof(bin), "/bin/p%u-%llu", pid, (unsigned long long)ktime);
	p->binary = hornet_intern(bin, strlen(bin));
	return p;
}

static struct hornet_proc_cache_stats stats(struct hornet_proc_cache *c)
{
	struct hornet_proc_cache_stats s;

	memset(&s, 0xff, sizeof(s));
	hornet_proc_cache__stats(c, &s);
	return s;
}

/* The rule of cache.c: an eighth of the capacity, but never fewer than 64. */
static size_t dead_max(size_t capacity)
{
	return capacity / 8 > 64 ? capacity / 8 : 64;
}

int main(void)
{
	struct hornet_proc_cache *c;
	struct hornet_proc_cache_stats s;
	struct hornet_process *p, *q, *parent;
	uint32_t i;

	UNIT_CASE("cache_new_zero_capacity")
	{
		errno = 0;
		CHECK(!hornet_proc_cache__new(0));
		CHECK_INT(errno, EINVAL);
		hornet_proc_cache__free(NULL);
		hornet_process__put(NULL);
		CHECK(!hornet_process__get(NULL));
	}

	UNIT_CASE("cache_insert_lookup")
	{
		c = hornet_proc_cache__new(16);
		CHECK(c);
		p = proc(10, 100, 1, 0);
		p->key.pad = 0xdead; /* whatever the caller left there */
		hornet_proc_cache__insert(c, p);
		CHECK(hornet_proc_cache__lookup(c, 10, 100) == p);
		CHECK(!hornet_proc_cache__lookup(c, 10, 101));
		CHECK(!hornet_proc_cache__lookup(c, 11, 100));
		CHECK(!hornet_proc_cache__lookup(c, 0, 0));
		CHECK(p->cached);
		CHECK(!p->exited);
		CHECK_INT(p->refs, 1);
		/* the same pid at another time is another process */
		q = proc(10, 200, 1, 0);
		hornet_proc_cache__insert(c, q);
		CHECK(hornet_proc_cache__lookup(c, 10, 100) == p);
		CHECK(hornet_proc_cache__lookup(c, 10, 200) == q);
		/* a ktime that differs only in the high bits */
		q = proc(10, 100 | 1ULL << 40, 1, 0);
		hornet_proc_cache__insert(c, q);
		CHECK(hornet_proc_cache__lookup(c, 10, 100) == p);
		CHECK(hornet_proc_cache__lookup(c, 10, 100 | 1ULL << 40) == q);
		s = stats(c);
		CHECK_INT(s.size, 3);
		CHECK_INT(s.live, 3);
		CHECK_INT(s.capacity, 16);
		CHECK_INT(s.evictions, 0);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_parent_link")
	{
		c = hornet_proc_cache__new(16);
		parent = proc(1, 50, 0, 0);
		hornet_proc_cache__insert(c, parent);
		p = proc(2, 60, 1, 50);
		hornet_proc_cache__insert(c, p);
		CHECK(p->parent == parent);
		CHECK_INT(parent->refs, 2);
		/* a parent key that does not match exactly links nothing */
		q = proc(3, 70, 1, 51);
		hornet_proc_cache__insert(c, q);
		CHECK(!q->parent);
		q = proc(4, 80, 9, 50);
		hornet_proc_cache__insert(c, q);
		CHECK(!q->parent);
		/* no parent key at all */
		q = proc(5, 90, 1, 0);
		hornet_proc_cache__insert(c, q);
		CHECK(!q->parent);
		CHECK_INT(parent->refs, 2);
		/* a child seen before its parent is not linked later */
		q = proc(7, 110, 6, 100);
		hornet_proc_cache__insert(c, q);
		hornet_proc_cache__insert(c, proc(6, 100, 1, 50));
		CHECK(!q->parent);
		/* a parent the caller set already is kept */
		q = proc(8, 120, 1, 50);
		q->parent = hornet_process__get(p);
		hornet_proc_cache__insert(c, q);
		CHECK(q->parent == p);
		CHECK_INT(p->refs, 2);
		CHECK_INT(parent->refs, 3); /* p and (6, 100) */
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_replace_same_key")
	{
		c = hornet_proc_cache__new(16);
		p = proc(5, 7, 0, 0);
		hornet_proc_cache__insert(c, p);
		hornet_process__get(p); /* keep the old one readable */
		q = proc(5, 7, 0, 0);
		hornet_proc_cache__insert(c, q);
		CHECK(hornet_proc_cache__lookup(c, 5, 7) == q);
		CHECK(!p->cached);
		CHECK(q->cached);
		CHECK_INT(p->refs, 1);
		s = stats(c);
		CHECK_INT(s.size, 1);
		CHECK_INT(s.live, 1);
		CHECK_INT(s.evictions, 0);
		/* the old entry is no longer on a list: exiting it changes nothing */
		hornet_proc_cache__exited(c, p);
		s = stats(c);
		CHECK_INT(s.size, 1);
		CHECK_INT(s.live, 1);
		hornet_process__put(p);
		/* an exited entry replaced by a live one */
		hornet_proc_cache__exited(c, q);
		p = proc(5, 7, 0, 0);
		hornet_proc_cache__insert(c, p);
		s = stats(c);
		CHECK_INT(s.size, 1);
		CHECK_INT(s.live, 1);
		CHECK(hornet_proc_cache__lookup(c, 5, 7) == p);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_capacity_bound")
	{
		size_t cap = 100;

		c = hornet_proc_cache__new(cap);
		for (i = 1; i <= 10 * cap; i++) {
			hornet_proc_cache__insert(c, proc(i, i * 10ULL, 0, 0));
			s = stats(c);
			if (s.size > cap || s.live > s.size) {
				UNIT_FAIL("after %u inserts: size %zu, live %zu", i, s.size,
					  s.live);
				break;
			}
		}
		s = stats(c);
		CHECK_INT(s.size, cap);
		CHECK_INT(s.live, cap);
		CHECK_INT(s.evictions, 9 * cap);
		CHECK_INT(s.live_evictions, 9 * cap);
		/* the least recently used went: the last @cap are there */
		for (i = 1; i <= 10 * cap; i++) {
			bool want = i > 9 * cap;

			if (!!hornet_proc_cache__lookup(c, i, i * 10ULL) != want) {
				UNIT_FAIL("pid %u: cached %d", i, !want);
				break;
			}
		}
		CHECK_INT(hornet_intern_count(), cap);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_lookup_refreshes_lru")
	{
		c = hornet_proc_cache__new(64);
		for (i = 1; i <= 64; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		/* 1 is used again, so 2 is now the least recent */
		CHECK(hornet_proc_cache__lookup(c, 1, 1));
		hornet_proc_cache__insert(c, proc(65, 65, 0, 0));
		CHECK(hornet_proc_cache__lookup(c, 1, 1));
		CHECK(!hornet_proc_cache__lookup(c, 2, 2));
		CHECK(hornet_proc_cache__lookup(c, 3, 3));
		hornet_proc_cache__insert(c, proc(66, 66, 0, 0));
		/* 3 was just looked up; 4 goes */
		CHECK(!hornet_proc_cache__lookup(c, 4, 4));
		CHECK(hornet_proc_cache__lookup(c, 3, 3));
		s = stats(c);
		CHECK_INT(s.size, 64);
		CHECK_INT(s.evictions, 2);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_exited_evicted_first")
	{
		size_t cap = 256;

		c = hornet_proc_cache__new(cap);
		for (i = 1; i <= cap; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		/* 10 processes exit, the most recently used among them included */
		for (i = 100; i < 110; i++)
			hornet_proc_cache__exited(c, hornet_proc_cache__lookup(c, i, i));
		s = stats(c);
		CHECK_INT(s.size, cap);
		CHECK_INT(s.live, cap - 10);
		/* a full cache makes room with exited processes, in the order they exited */
		for (i = 1; i <= 10; i++) {
			hornet_proc_cache__insert(c, proc(1000 + i, 1000 + i, 0, 0));
			CHECK(!hornet_proc_cache__lookup(c, 99 + i, 99 + i));
		}
		s = stats(c);
		CHECK_INT(s.size, cap);
		CHECK_INT(s.live, cap);
		CHECK_INT(s.evictions, 10);
		CHECK_INT(s.live_evictions, 0);
		/* every live process is still there, the oldest included */
		for (i = 1; i <= cap; i++) {
			if ((i < 100 || i >= 110) && !hornet_proc_cache__lookup(c, i, i)) {
				UNIT_FAIL("live pid %u evicted", i);
				break;
			}
		}
		/* with no exited process left, a live one goes */
		hornet_proc_cache__insert(c, proc(2000, 2000, 0, 0));
		s = stats(c);
		CHECK_INT(s.live_evictions, 1);
		/* exiting twice, or after eviction, changes nothing */
		p = hornet_proc_cache__lookup(c, 2000, 2000);
		hornet_proc_cache__exited(c, p);
		hornet_proc_cache__exited(c, p);
		s = stats(c);
		CHECK_INT(s.live, cap - 1);
		CHECK_INT(s.size, cap);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_exited_bound")
	{
		static const size_t caps[] = { 64, 100, 512, 1024, 4000 };
		size_t k, cap, max, exits;

		for (k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
			cap = caps[k];
			max = dead_max(cap);
			exits = cap < max + 50 ? cap : max + 50;
			c = hornet_proc_cache__new(cap);
			for (i = 1; i <= cap; i++)
				hornet_proc_cache__insert(c, proc(i, i, 0, 0));
			for (i = 1; i <= exits; i++) {
				hornet_proc_cache__exited(c, hornet_proc_cache__lookup(c, i, i));
				s = stats(c);
				if (s.size - s.live > max) {
					UNIT_FAIL("capacity %zu: %zu exited kept, at most %zu", cap,
						  s.size - s.live, max);
					break;
				}
			}
			s = stats(c);
			CHECK_INT(s.size - s.live, exits < max ? exits : max);
			CHECK_INT(s.live, cap - exits);
			CHECK_INT(s.live_evictions, 0);
			CHECK_INT(s.evictions, exits > max ? exits - max : 0);
			/* the ones kept are those that exited last */
			if (exits > max) {
				CHECK(!hornet_proc_cache__lookup(c, exits - max, exits - max));
				CHECK(hornet_proc_cache__lookup(c, exits - max + 1,
								exits - max + 1));
			}
			hornet_proc_cache__free(c);
		}
		/* for a large cache the bound is an eighth of the capacity */
		CHECK_INT(dead_max(4000), 500);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_evicted_parent_stays_readable")
	{
		c = hornet_proc_cache__new(64);
		parent = proc(1, 1, 0, 0);
		hornet_proc_cache__insert(c, parent);
		p = proc(2, 2, 1, 1);
		hornet_proc_cache__insert(c, p);
		CHECK(p->parent == parent);
		hornet_process__get(p); /* as an event in flight would */
		hornet_proc_cache__exited(c, parent);
		/* fill the cache: the exited parent is the first to go */
		for (i = 3; i <= 65; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		CHECK(!hornet_proc_cache__lookup(c, 1, 1));
		CHECK(!parent->cached);
		CHECK(p->cached);
		CHECK(p->parent == parent);
		CHECK_INT(parent->refs, 1);
		CHECK_INT(parent->pid, 1);
		CHECK_STR(parent->binary, "/bin/p1-1");
		CHECK_INT(hornet_intern_count(), 65);
		/* the child goes too; its parent is still reached through it */
		for (i = 66; i <= 200; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		CHECK(!hornet_proc_cache__lookup(c, 2, 2));
		CHECK(!p->cached);
		CHECK_INT(p->refs, 1);
		CHECK_STR(p->binary, "/bin/p2-2");
		CHECK_STR(p->parent->binary, "/bin/p1-1");
		/* 64 cached, plus the child and the parent */
		CHECK_INT(hornet_intern_count(), 66);
		/* the last reference to the child frees both */
		hornet_process__put(p);
		CHECK_INT(hornet_intern_count(), 64);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_long_chain_freed")
	{
		/* each process the parent of the next: evicted ones live on through the chain */
		c = hornet_proc_cache__new(64);
		hornet_proc_cache__insert(c, proc(1, 1, 0, 0));
		for (i = 2; i <= 200000; i++) {
			hornet_proc_cache__insert(c, proc(i, i, i - 1, i - 1));
			hornet_proc_cache__exited(c, hornet_proc_cache__lookup(c, i - 1, i - 1));
		}
		CHECK_INT(hornet_intern_count(), 200000);
		p = hornet_proc_cache__lookup(c, 200000, 200000);
		CHECK(p && p->parent && p->parent->parent && p->parent->parent->pid == 199998);
		/* dropping the last entry frees 200000 levels without recursing */
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_stats")
	{
		c = hornet_proc_cache__new(64);
		s = stats(c);
		CHECK_INT(s.size, 0);
		CHECK_INT(s.capacity, 64);
		CHECK_INT(s.live, 0);
		CHECK_INT(s.evictions, 0);
		CHECK_INT(s.live_evictions, 0);
		for (i = 1; i <= 80; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		for (i = 40; i <= 49; i++)
			hornet_proc_cache__exited(c, hornet_proc_cache__lookup(c, i, i));
		s = stats(c);
		CHECK_INT(s.size, 64);
		CHECK_INT(s.capacity, 64);
		CHECK_INT(s.live, 54);
		CHECK_INT(s.evictions, 16);
		CHECK_INT(s.live_evictions, 16);
		for (i = 81; i <= 85; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		s = stats(c);
		CHECK_INT(s.size, 64);
		CHECK_INT(s.live, 59);
		CHECK_INT(s.evictions, 21);
		CHECK_INT(s.live_evictions, 16);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_reserve_keeps_every_live_process")
	{
		/* 50,000 processes at start against a default-sized cache of 32,768 */
		c = hornet_proc_cache__new(32768);
		hornet_proc_cache__reserve(c, 2 * 50000);
		s = stats(c);
		CHECK_INT(s.capacity, 100000);
		/* a chain: each one the child of the one before */
		for (i = 1; i <= 50000; i++)
			hornet_proc_cache__insert(c, proc(i, i, i - 1, i - 1));
		s = stats(c);
		CHECK_INT(s.size, 50000);
		CHECK_INT(s.live, 50000);
		CHECK_INT(s.evictions, 0);
		CHECK_INT(s.live_evictions, 0);
		/* the first process is still there, and its child still links to it */
		p = hornet_proc_cache__lookup(c, 2, 2);
		CHECK(p && p->parent && p->parent->pid == 1);
		/* the exited keep their own bound: an eighth of the new capacity */
		for (i = 1; i <= 20000; i++)
			hornet_proc_cache__exited(c, hornet_proc_cache__lookup(c, i, i));
		s = stats(c);
		CHECK_INT(s.live, 30000);
		CHECK_INT(s.evictions, 20000 - dead_max(100000));
		CHECK_INT(s.live_evictions, 0);
		/* never lowered */
		hornet_proc_cache__reserve(c, 10);
		s = stats(c);
		CHECK_INT(s.capacity, 100000);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_without_reserve_evicts_live_processes")
	{
		/* what the reserve avoids: the same start without it loses the oldest */
		c = hornet_proc_cache__new(32768);
		for (i = 1; i <= 50000; i++)
			hornet_proc_cache__insert(c, proc(i, i, 0, 0));
		s = stats(c);
		CHECK_INT(s.size, 32768);
		CHECK_INT(s.live_evictions, 50000 - 32768);
		CHECK(!hornet_proc_cache__lookup(c, 1, 1));
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("cache_index_survives_churn")
	{
		/*
		 * Evictions take entries out of the index's runs at random
		 * places: every key still cached must stay findable, every
		 * evicted one gone. Few pids, so that keys differ by ktime only
		 * and runs are long; pids whose slots lie at the table's end,
		 * so that runs wrap around it.
		 */
		enum { CAP = 1000, N = 30000 };
#define PID(i) (500 + (i) % 37)
		static uint64_t kt[N];
		uint64_t x = 88172645463325252ULL;
		uint32_t j;

		c = hornet_proc_cache__new(CAP);
		for (i = 0; i < N && !unit_case_failed; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			kt[i] = x | 1;
			hornet_proc_cache__insert(c, proc(PID(i), kt[i], 0, 0));
			if (i % 211 && i != N - 1)
				continue;
			for (j = i >= CAP ? i - CAP + 1 : 0; j <= i; j++)
				if (!hornet_proc_cache__lookup(c, PID(j), kt[j])) {
					UNIT_FAIL("after %u inserts: %u lost", i + 1, j);
					break;
				}
			for (j = i >= 2 * CAP ? i - 2 * CAP : 0; j + CAP <= i; j++)
				if (hornet_proc_cache__lookup(c, PID(j), kt[j])) {
					UNIT_FAIL("after %u inserts: %u still found", i + 1, j);
					break;
				}
		}
#undef PID
		CHECK_INT(stats(c).size, CAP);
		hornet_proc_cache__free(c);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_EXIT();
}
