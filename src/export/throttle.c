// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "export/throttle.h"

/* a throttled cgroup stays so at least this long (Tetragon's aliveCnt) */
#define MIN_THROTTLE_NS (5 * 1000000000ULL)
/* a cgroup without an event for this long is forgotten */
#define FORGET_NS (60 * 1000000000ULL)

struct cgroup_rate {
	uint64_t id;
	uint64_t start; /* of the current interval */
	uint64_t curr, prev; /* events in the current and the last interval */
	uint64_t last; /* the last event */
	uint64_t throttled; /* since when; 0: not */
	char *name;
	UT_hash_handle hh;
};

struct hornet_throttle {
	uint64_t events, interval;
	struct cgroup_rate *by_id;
	struct hornet_throttle_stats stats;
};

int hornet_cgroup_rate_parse(const char *text, uint64_t *events, uint64_t *interval_ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ULL },
		{ "us", 1000ULL },
		{ "µs", 1000ULL },
		{ "ms", 1000000ULL },
		{ "s", 1000000000ULL },
		{ "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	const char *p;
	char *end;
	unsigned long long n;
	uint64_t total = 0;
	size_t i, best, blen;

	if (!text || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno || !n || *end != ',')
		return -EINVAL;
	*events = n;
	p = end + 1;
	if (!*p)
		return -EINVAL;
	/* one or more NUMBER UNIT, as Go's time.ParseDuration (whole numbers) */
	while (*p) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		n = strtoull(p, &end, 10);
		if (errno)
			return -EINVAL;
		/* the longest unit that matches: "ms" before "m" */
		best = sizeof(units) / sizeof(units[0]);
		blen = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (l > blen && !strncmp(end, units[i].unit, l)) {
				best = i;
				blen = l;
			}
		}
		if (!blen || n > UINT64_MAX / units[best].ns || total + n * units[best].ns < total)
			return -EINVAL;
		total += n * units[best].ns;
		p = end + blen;
	}
	if (!total)
		return -EINVAL;
	*interval_ns = total;
	return 0;
}

struct hornet_throttle *hornet_throttle__new(uint64_t events, uint64_t interval_ns)
{
	struct hornet_throttle *t;

	if (!events || !interval_ns) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->events = events;
	t->interval = interval_ns;
	return t;
}

static void forget(struct hornet_throttle *t, struct cgroup_rate *c)
{
	HASH_DEL(t->by_id, c);
	free(c->name);
	free(c);
}

void hornet_throttle__free(struct hornet_throttle *t)
{
	struct cgroup_rate *c, *tmp;

	if (!t)
		return;
	HASH_ITER(hh, t->by_id, c, tmp)
	forget(t, c);
	free(t);
}

/* Moves @c's window to @now; returns its rate there. */
static uint64_t rate_at(const struct hornet_throttle *t, struct cgroup_rate *c, uint64_t now)
{
	uint64_t delta = now > c->start ? now - c->start : 0, slide;

	if (delta >= 2 * t->interval) {
		c->prev = 0;
		c->curr = 0;
		c->start = now - now % t->interval;
	} else if (delta >= t->interval) {
		c->prev = c->curr;
		c->curr = 0;
		c->start += t->interval;
	}
	/* the part of the last interval the window [now - interval, now] covers */
	slide = t->interval - (now > c->start ? now - c->start : 0);
	return (uint64_t)((unsigned __int128)slide * c->prev / t->interval) + c->curr;
}

enum hornet_throttle_verdict hornet_throttle__count(struct hornet_throttle *t, uint64_t id,
						    const char *name, uint64_t now)
{
	struct cgroup_rate *c;
	uint64_t rate;

	HASH_FIND(hh, t->by_id, &id, sizeof(id), c);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return HORNET_THROTTLE_PASS; /* not counted, not lost */
		c->id = id;
		c->start = now - now % t->interval;
		HASH_ADD(hh, t->by_id, id, sizeof(c->id), c);
	}
	/* counted while throttled too: the stop waits for the offered rate to fall */
	rate = rate_at(t, c, now) + 1;
	c->curr++;
	c->last = now;
	if (c->throttled) {
		t->stats.dropped++;
		return HORNET_THROTTLE_DROP;
	}
	if (rate < t->events)
		return HORNET_THROTTLE_PASS;
	free(c->name);
	c->name = strdup(name ? name : "");
	c->throttled = now ? now : 1;
	t->stats.starts++;
	t->stats.throttled++;
	t->stats.dropped++;
	return HORNET_THROTTLE_START;
}

void hornet_throttle__tick(struct hornet_throttle *t, uint64_t now,
			   void (*stop)(void *ctx, const char *name), void *ctx)
{
	struct cgroup_rate *c, *tmp;

	HASH_ITER(hh, t->by_id, c, tmp)
	{
		if (c->throttled && now > c->throttled && now - c->throttled >= MIN_THROTTLE_NS &&
		    rate_at(t, c, now) < t->events) {
			c->throttled = 0;
			t->stats.stops++;
			t->stats.throttled--;
			stop(ctx, c->name ? c->name : "");
		}
		if (!c->throttled && now > c->last && now - c->last >= FORGET_NS)
			forget(t, c);
	}
}

void hornet_throttle__stats(const struct hornet_throttle *t, struct hornet_throttle_stats *s)
{
	*s = t->stats;
}

void hornet_render_throttle(struct hornet_json *j, const struct hornet_render_ctx *ctx, bool start,
			    const char *cgroup, uint64_t ktime)
{
	const char *leaf = strrchr(cgroup, '/');

	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, "process_throttle");
	hornet_json_str(j, "type", start ? "THROTTLE_START" : "THROTTLE_STOP");
	leaf = leaf ? leaf + 1 : cgroup;
	/* the root cgroup has no name of its own */
	hornet_json_str(j, "cgroup", leaf[0] ? leaf : "/");
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ktime);
}
