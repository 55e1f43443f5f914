// SPDX-License-Identifier: GPL-2.0
/*
 * Live events where there is no agent (`hornet ui`): the store is asked
 * every second for the events of the last WINDOW seconds, and those not seen
 * before go to the live clients, oldest first. The window, not the newest
 * time seen, decides what is asked for: the agents' writers commit in
 * batches, and a cluster's nodes each at their own pace, so a line may land
 * with a time older than lines already shown.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "export/json.h"
#include "store/store.h"
#include "util/clock.h"
#include "web/live.h"
#include "web/store_feed.h"

#define POLL_MS 1000
#define WINDOW "-30s"
#define ROWS "1000"
/* Lines remembered (by hash) for longer than the window, so none comes twice. */
#define SEEN_SLOTS 65536
#define SEEN_NS (90ULL * 1000000000ULL)

struct seen {
	uint64_t hash; /* 0: free */
	uint64_t at;
};

struct web_store_feed {
	struct hornet_store *store;
	struct web_live *live;
	int stop_fd;
	pthread_t thread;
	struct seen *seen, *next;
	unsigned int nseen;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* Adds @h to @t; true when it was there already. */
static bool seen_add(struct seen *t, unsigned int *n, uint64_t h, uint64_t at)
{
	size_t i = h % SEEN_SLOTS;

	for (; t[i].hash; i = (i + 1) % SEEN_SLOTS)
		if (t[i].hash == h)
			return true;
	/* full enough: forget rather than loop (a line may then come twice) */
	if (*n >= SEEN_SLOTS / 2)
		return false;
	t[i].hash = h;
	t[i].at = at;
	(*n)++;
	return false;
}

/* Keeps the entries younger than SEEN_NS, in a fresh table. */
static void seen_prune(struct web_store_feed *f, uint64_t now)
{
	struct seen *old = f->seen;
	unsigned int n = 0;
	size_t i;

	memset(f->next, 0, SEEN_SLOTS * sizeof(*f->next));
	for (i = 0; i < SEEN_SLOTS; i++)
		if (old[i].hash && now - old[i].at < SEEN_NS)
			seen_add(f->next, &n, old[i].hash, old[i].at);
	f->seen = f->next;
	f->next = old;
	f->nseen = n;
}

static const char *param(void *ctx, const char *name)
{
	static const char *const v[][2] = {
		{ "since", WINDOW },
		{ "limit", ROWS },
		{ "format", "jsonl" },
		{ "exclusions", "off" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!strcmp(v[i][0], name))
			return v[i][1];
	return NULL;
}

/* One look at the store; @publish false: only remember what is there. */
static void poll_store(struct web_store_feed *f, struct hornet_json *out, bool publish)
{
	uint64_t now = hornet_clock_ns(CLOCK_MONOTONIC);
	char *end, *line, *prev;

	hornet_json_reset(out);
	if (hornet_store__query(f->store, "GET", "events", param, NULL, NULL, 0, out) != 200 ||
	    out->failed || !out->len)
		return;
	seen_prune(f, now);
	/* newest first: walk the lines from the end, oldest first */
	end = out->buf + out->len;
	while (end > out->buf) {
		if (end[-1] == '\n')
			end--;
		prev = memrchr(out->buf, '\n', end - out->buf);
		line = prev ? prev + 1 : out->buf;
		if (end > line && !seen_add(f->seen, &f->nseen, hash(line, end - line), now) &&
		    publish)
			web_live__publish(f->live, line, end - line);
		end = line;
	}
}

static void *feed_thread(void *arg)
{
	struct web_store_feed *f = arg;
	struct pollfd pfd = { .fd = f->stop_fd, .events = POLLIN };
	struct hornet_json out;
	bool primed = false;

	int n;

	hornet_json_init(&out);
	for (;;) {
		n = poll(&pfd, 1, POLL_MS);
		if (n > 0 || (n < 0 && errno != EINTR))
			break;
		if (!web_live__clients(f->live)) {
			primed = false;
			continue;
		}
		/* the first look after clients came only learns what is old */
		poll_store(f, &out, primed);
		primed = true;
	}
	hornet_json_free(&out);
	return NULL;
}

struct web_store_feed *web_store_feed__start(struct hornet_store *store, struct web_live *live)
{
	struct web_store_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->store = store;
	f->live = live;
	f->seen = calloc(SEEN_SLOTS, sizeof(*f->seen));
	f->next = calloc(SEEN_SLOTS, sizeof(*f->next));
	f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!f->seen || !f->next || f->stop_fd < 0 ||
	    pthread_create(&f->thread, NULL, feed_thread, f)) {
		if (f->stop_fd >= 0)
			close(f->stop_fd);
		free(f->seen);
		free(f->next);
		free(f);
		return NULL;
	}
	return f;
}

void web_store_feed__stop(struct web_store_feed *f)
{
	uint64_t one = 1;
	ssize_t n;

	if (!f)
		return;
	/* fails only when the counter is full: readable then, as wanted */
	n = write(f->stop_fd, &one, sizeof(one));
	(void)n;
	pthread_join(f->thread, NULL);
	close(f->stop_fd);
	free(f->seen);
	free(f->next);
	free(f);
}
