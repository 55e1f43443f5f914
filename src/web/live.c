// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <microhttpd.h>

#include "util/clock.h"
#include "web/live.h"
#include "web/mhd_dl.h"

/* The event loop's lines waiting for our thread; beyond either bound they are dropped. */
#define INBOX_LINES 16384
#define INBOX_BYTES (32u << 20)
/* What a client can be behind by before it loses lines. */
#define RING_SLOTS 4096
#define RING_BYTES (16u << 20)
#define MAX_CLIENTS 4096
/*
 * A live connection's kernel send buffer: fixed, so that a client that
 * stops reading holds this much kernel memory, not what TCP's autotuning
 * grows to (megabytes each on loopback), and falls behind the ring soon.
 */
#define LIVE_SNDBUF (256 * 1024)
#define PING_NS (15ULL * 1000000000ULL)
/* Lines that arrive together wake the clients once. */
#define BATCH_WAIT_MS 10
#define MAX_LIST 16
#define MAX_STRS 16

struct facts {
	char *type, *policy, *action, *ns, *pod, *container, *binary;
	char *paths[MAX_STRS], *dests[MAX_STRS];
	unsigned int npaths, ndests;
};

struct entry {
	char *line; /* NUL-terminated copy */
	size_t len;
	struct facts f;
};

struct filter {
	char *types[MAX_LIST], *policies[MAX_LIST], *actions[MAX_LIST];
	unsigned int ntypes, npolicies, nactions;
	char *ns, *pod, *container, *binary, *path, *dest, *q;
};

struct client {
	struct web_live *l;
	struct MHD_Connection *c;
	struct filter f;
	uint64_t next; /* sequence number of the next line to look at */
	uint64_t ping_gen;
	char *msg; /* the message being sent, and how much of it went */
	size_t msg_len, msg_off, msg_cap;
	bool suspended; /* under l->clients_lock */
	struct client *prev, *nextc;
};

struct web_live {
	pthread_mutex_t in_lock;
	struct {
		char *line;
		size_t len;
	} inbox[INBOX_LINES];
	unsigned int n_in;
	size_t in_bytes;
	int efd;
	pthread_t thread;
	bool thread_started;

	pthread_rwlock_t ring_lock;
	struct entry ring[RING_SLOTS];
	uint64_t tail; /* oldest sequence number kept */
	_Atomic uint64_t head; /* next sequence number */
	size_t ring_bytes;

	pthread_mutex_t clients_lock;
	struct client *clients;
	_Atomic unsigned int nclients;
	_Atomic uint64_t dropped;
	_Atomic uint64_t ping_gen;
	_Atomic bool stopping;
};

static void facts_free(struct facts *f)
{
	unsigned int i;

	free(f->type);
	free(f->policy);
	free(f->action);
	free(f->ns);
	free(f->pod);
	free(f->container);
	free(f->binary);
	for (i = 0; i < f->npaths; i++)
		free(f->paths[i]);
	for (i = 0; i < f->ndests; i++)
		free(f->dests[i]);
	memset(f, 0, sizeof(*f));
}

static char *dup_str(json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static void add_str(char **v, unsigned int *n, const char *s)
{
	if (*n < MAX_STRS && s && s[0] && (v[*n] = strdup(s)))
		(*n)++;
}

static void add_dest(struct facts *f, json_t *addr, json_t *port)
{
	char buf[300];

	if (!json_is_string(addr))
		return;
	add_str(f->dests, &f->ndests, json_string_value(addr));
	if (json_is_integer(port)) {
		snprintf(buf, sizeof(buf), "%s:%lld", json_string_value(addr),
			 (long long)json_integer_value(port));
		add_str(f->dests, &f->ndests, buf);
	}
}

/*
 * The paths and destinations of an event, wherever its kind keeps them: the
 * arguments' path members and absolute string arguments; socket addresses,
 * DNS questions, HTTP hosts, TLS names. process and parent are not walked:
 * their binary has a filter of its own.
 */
static void walk(struct facts *f, json_t *v, const char *key, int depth)
{
	const char *k;
	json_t *m;
	size_t i;

	if (depth > 8)
		return;
	if (json_is_object(v)) {
		add_dest(f, json_object_get(v, "daddr"), json_object_get(v, "dport"));
		add_dest(f, json_object_get(v, "addr"), json_object_get(v, "port"));
		json_object_foreach(v, k, m)
		{
			if (!strcmp(k, "process") || !strcmp(k, "parent") ||
			    !strcmp(k, "ancestors"))
				continue;
			walk(f, m, k, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			walk(f, m, key, depth + 1);
		}
	} else if (json_is_string(v) && key) {
		const char *s = json_string_value(v);

		if (!strcmp(key, "path") || (!strcmp(key, "string_arg") && s[0] == '/'))
			add_str(f->paths, &f->npaths, s);
		else if (!strcmp(key, "destination") || !strcmp(key, "host") ||
			 !strcmp(key, "sni") || !strcmp(key, "name"))
			add_str(f->dests, &f->ndests, s);
	}
}

static void facts_parse(struct facts *f, const char *line, size_t len)
{
	json_t *root = json_loadb(line, len, 0, NULL), *body, *proc, *pod;
	const char *k;

	memset(f, 0, sizeof(*f));
	if (!json_is_object(root))
		goto out;
	json_object_foreach(root, k, body)
	{
		if (json_is_object(body))
			break;
	}
	if (!k || !body)
		goto out;
	f->type = strdup(k);
	f->policy = dup_str(json_object_get(body, "policy_name"));
	f->action = dup_str(json_object_get(body, "action"));
	proc = json_object_get(body, "process");
	f->binary = dup_str(json_object_get(proc, "binary"));
	pod = json_object_get(proc, "pod");
	f->ns = dup_str(json_object_get(pod, "namespace"));
	f->pod = dup_str(json_object_get(pod, "name"));
	f->container = dup_str(json_object_get(json_object_get(pod, "container"), "name"));
	walk(f, body, NULL, 0);
out:
	json_decref(root);
}

static bool is_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

static bool glob_match(const char *pattern, const char *s)
{
	if (!s)
		return false;
	return is_glob(pattern) ? fnmatch(pattern, s, 0) == 0 : strcmp(pattern, s) == 0;
}

static bool list_match(char *const *list, unsigned int n, const char *s)
{
	unsigned int i;

	if (!n)
		return true;
	for (i = 0; s && i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static bool any_match(const char *pattern, char *const *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (glob_match(pattern, v[i]))
			return true;
	return false;
}

static bool filter_match(const struct filter *flt, const struct entry *e)
{
	const struct facts *f = &e->f;

	return list_match(flt->types, flt->ntypes, f->type) &&
	       list_match(flt->policies, flt->npolicies, f->policy) &&
	       list_match(flt->actions, flt->nactions, f->action) &&
	       (!flt->ns || (f->ns && !strcmp(flt->ns, f->ns))) &&
	       (!flt->pod || (f->pod && !strcmp(flt->pod, f->pod))) &&
	       (!flt->container || (f->container && !strcmp(flt->container, f->container))) &&
	       (!flt->binary || glob_match(flt->binary, f->binary)) &&
	       (!flt->path || any_match(flt->path, f->paths, f->npaths)) &&
	       (!flt->dest || any_match(flt->dest, f->dests, f->ndests)) &&
	       (!flt->q || strcasestr(e->line, flt->q));
}

static void filter_free(struct filter *f)
{
	unsigned int i;

	for (i = 0; i < f->ntypes; i++)
		free(f->types[i]);
	for (i = 0; i < f->npolicies; i++)
		free(f->policies[i]);
	for (i = 0; i < f->nactions; i++)
		free(f->actions[i]);
	free(f->ns);
	free(f->pod);
	free(f->container);
	free(f->binary);
	free(f->path);
	free(f->dest);
	free(f->q);
}

static int split_list(const char *name, const char *s, char **v, unsigned int *n, char *err,
		      size_t err_size)
{
	const char *p = s, *comma;
	size_t len;

	while (*p) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len) {
			if (*n == MAX_LIST) {
				snprintf(err, err_size, "%s: at most %d values", name, MAX_LIST);
				return -EINVAL;
			}
			v[*n] = strndup(p, len);
			if (!v[*n])
				return -ENOMEM;
			(*n)++;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int filter_parse(struct filter *f, web_param_fn param, void *ctx, char *err, size_t err_size)
{
	static const char *const single[] = { "namespace", "pod",  "container", "binary",
					      "path",	   "dest", "q" };
	char **slot[] = { &f->ns, &f->pod, &f->container, &f->binary, &f->path, &f->dest, &f->q };
	const char *v;
	unsigned int i;
	int ret = 0;

	if ((v = param(ctx, "type")))
		ret = split_list("type", v, f->types, &f->ntypes, err, err_size);
	if (!ret && (v = param(ctx, "policy")))
		ret = split_list("policy", v, f->policies, &f->npolicies, err, err_size);
	if (!ret && (v = param(ctx, "action")))
		ret = split_list("action", v, f->actions, &f->nactions, err, err_size);
	for (i = 0; !ret && i < sizeof(single) / sizeof(single[0]); i++) {
		v = param(ctx, single[i]);
		if (!v || !v[0])
			continue;
		if (strlen(v) > 4096) {
			snprintf(err, err_size, "%s: longer than 4096 bytes", single[i]);
			return -EINVAL;
		}
		*slot[i] = strdup(v);
		if (!*slot[i])
			return -ENOMEM;
	}
	return ret;
}

/*
 * Resumes the suspended clients that have something to send: a line their
 * filter selects (looked at here, so a thousand idle clients with narrow
 * filters are not woken for every line), a ping, or the end. Only this
 * thread writes the ring, so it reads it without the lock; a suspended
 * client's reader does not run, so its cursor is ours to move.
 */
static void wake_clients(struct web_live *l, bool all)
{
	uint64_t head = atomic_load(&l->head), s;
	struct client *c;
	bool wake;

	pthread_mutex_lock(&l->clients_lock);
	for (c = l->clients; c; c = c->nextc) {
		if (!c->suspended)
			continue;
		wake = all;
		if (!wake && c->next < l->tail) {
			atomic_fetch_add(&l->dropped, l->tail - c->next);
			c->next = l->tail;
		}
		for (s = c->next; !wake && s < head; s++)
			wake = filter_match(&c->f, &l->ring[s % RING_SLOTS]);
		if (!wake) {
			c->next = head;
			continue;
		}
		c->suspended = false;
		MHD_resume_connection(c->c);
	}
	pthread_mutex_unlock(&l->clients_lock);
}

static void ring_add(struct web_live *l, char *line, size_t len, struct facts *f)
{
	uint64_t head = atomic_load(&l->head);
	struct entry *e;

	/* room by count and by bytes, oldest first */
	while (l->tail < head &&
	       (head - l->tail >= RING_SLOTS || l->ring_bytes + len > RING_BYTES)) {
		e = &l->ring[l->tail % RING_SLOTS];
		l->ring_bytes -= e->len;
		free(e->line);
		facts_free(&e->f);
		e->line = NULL;
		l->tail++;
	}
	e = &l->ring[head % RING_SLOTS];
	e->line = line;
	e->len = len;
	e->f = *f;
	l->ring_bytes += len;
	atomic_store(&l->head, head + 1);
}

/*
 * The lines that left the ring before a client read them are lost to it:
 * counted now, under the ring's write lock (no reader is between lines), so
 * a client that never reads shows its losses at once.
 */
static void count_behind(struct web_live *l)
{
	struct client *c;

	pthread_mutex_lock(&l->clients_lock);
	for (c = l->clients; c; c = c->nextc) {
		if (c->next < l->tail) {
			atomic_fetch_add(&l->dropped, l->tail - c->next);
			c->next = l->tail;
		}
	}
	pthread_mutex_unlock(&l->clients_lock);
}

static void *live_thread(void *arg)
{
	struct web_live *l = arg;
	struct pollfd pfd = { .fd = l->efd, .events = POLLIN };
	uint64_t last_ping = hornet_clock_ns(CLOCK_MONOTONIC), v;
	unsigned int i, n;
	struct {
		char *line;
		size_t len;
	} *batch = calloc(INBOX_LINES, sizeof(*batch));
	struct facts *facts = calloc(INBOX_LINES, sizeof(*facts));

	while (batch && facts && !atomic_load(&l->stopping)) {
		if (poll(&pfd, 1, 1000) > 0 && read(l->efd, &v, sizeof(v)) < 0)
			v = 0;
		if (atomic_load(&l->stopping))
			break;
		pthread_mutex_lock(&l->in_lock);
		n = l->n_in;
		memcpy(batch, l->inbox, n * sizeof(*batch));
		l->n_in = 0;
		l->in_bytes = 0;
		pthread_mutex_unlock(&l->in_lock);
		/* parsed outside the lock: the clients go on reading meanwhile */
		for (i = 0; i < n; i++)
			facts_parse(&facts[i], batch[i].line, batch[i].len);
		if (n) {
			pthread_rwlock_wrlock(&l->ring_lock);
			for (i = 0; i < n; i++)
				ring_add(l, batch[i].line, batch[i].len, &facts[i]);
			count_behind(l);
			pthread_rwlock_unlock(&l->ring_lock);
		}
		if (hornet_clock_ns(CLOCK_MONOTONIC) - last_ping >= PING_NS) {
			last_ping = hornet_clock_ns(CLOCK_MONOTONIC);
			atomic_fetch_add(&l->ping_gen, 1);
			wake_clients(l, true);
		} else if (n) {
			wake_clients(l, false);
		} else {
			continue;
		}
		usleep(BATCH_WAIT_MS * 1000);
	}
	free(batch);
	free(facts);
	return NULL;
}

/* Nonblocking: a counter that is already set is set enough. */
static void kick(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) < 0)
		return;
}

struct web_live *web_live__new(void)
{
	struct web_live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	pthread_mutex_init(&l->in_lock, NULL);
	pthread_mutex_init(&l->clients_lock, NULL);
	pthread_rwlock_init(&l->ring_lock, NULL);
	l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->efd < 0 || pthread_create(&l->thread, NULL, live_thread, l)) {
		web_live__free(l);
		return NULL;
	}
	l->thread_started = true;
	return l;
}

void web_live__shutdown(struct web_live *l)
{
	if (!l || !l->thread_started)
		return;
	atomic_store(&l->stopping, true);
	kick(l->efd);
	pthread_join(l->thread, NULL);
	l->thread_started = false;
	/* the readers see stopping and end their streams instead of waiting again */
	wake_clients(l, true);
}

void web_live__free(struct web_live *l)
{
	unsigned int i;

	if (!l)
		return;
	web_live__shutdown(l);
	for (i = 0; i < l->n_in; i++)
		free(l->inbox[i].line);
	for (i = 0; i < RING_SLOTS; i++) {
		free(l->ring[i].line);
		facts_free(&l->ring[i].f);
	}
	if (l->efd >= 0)
		close(l->efd);
	pthread_mutex_destroy(&l->in_lock);
	pthread_mutex_destroy(&l->clients_lock);
	pthread_rwlock_destroy(&l->ring_lock);
	free(l);
}

void web_live__publish(struct web_live *l, const char *line, size_t len)
{
	char *copy;

	/* nobody listens: nothing to keep */
	if (!atomic_load(&l->nclients))
		return;
	copy = malloc(len + 1);
	if (!copy) {
		atomic_fetch_add(&l->dropped, 1);
		return;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	pthread_mutex_lock(&l->in_lock);
	if (l->n_in == INBOX_LINES || l->in_bytes + len > INBOX_BYTES) {
		pthread_mutex_unlock(&l->in_lock);
		free(copy);
		atomic_fetch_add(&l->dropped, 1);
		return;
	}
	l->inbox[l->n_in].line = copy;
	l->inbox[l->n_in].len = len;
	l->n_in++;
	l->in_bytes += len;
	pthread_mutex_unlock(&l->in_lock);
	kick(l->efd);
}

static bool msg_set(struct client *c, const char *a, size_t alen, const char *b, size_t blen,
		    const char *z, size_t zlen)
{
	size_t need = alen + blen + zlen;

	if (need > c->msg_cap) {
		char *p = realloc(c->msg, need);

		if (!p)
			return false;
		c->msg = p;
		c->msg_cap = need;
	}
	memcpy(c->msg, a, alen);
	memcpy(c->msg + alen, b, blen);
	memcpy(c->msg + alen + blen, z, zlen);
	c->msg_len = need;
	c->msg_off = 0;
	return true;
}

/* The next line for @c from the ring, as a message; false when there is none yet. */
static bool next_line(struct client *c)
{
	struct web_live *l = c->l;
	uint64_t head;
	bool found = false;
	struct entry *e;

	pthread_rwlock_rdlock(&l->ring_lock);
	head = atomic_load(&l->head);
	if (c->next < l->tail) {
		atomic_fetch_add(&l->dropped, l->tail - c->next);
		c->next = l->tail;
	}
	for (; c->next < head && !found; c->next++) {
		e = &l->ring[c->next % RING_SLOTS];
		if (filter_match(&c->f, e))
			found = msg_set(c, "data: ", 6, e->line, e->len, "\n\n", 2);
	}
	pthread_rwlock_unlock(&l->ring_lock);
	return found;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct client *c = cls;
	struct web_live *l = c->l;
	size_t n = 0, k;

	for (;;) {
		if (c->msg_off < c->msg_len) {
			k = c->msg_len - c->msg_off;
			if (k > max - n)
				k = max - n;
			memcpy(buf + n, c->msg + c->msg_off, k);
			c->msg_off += k;
			n += k;
			if (n == max)
				return n;
			continue;
		}
		if (atomic_load(&l->stopping))
			return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
		if (next_line(c))
			continue;
		if (c->ping_gen != atomic_load(&l->ping_gen)) {
			c->ping_gen = atomic_load(&l->ping_gen);
			if (msg_set(c, ": ping\n\n", 8, "", 0, "", 0))
				continue;
		}
		if (n)
			return n;
		/*
		 * Nothing to send: wait, suspended, for the thread's wake. Under
		 * the lock the thread takes to wake, so a line that came after
		 * the look above is either seen here or followed by a wake.
		 */
		pthread_mutex_lock(&l->clients_lock);
		if (c->next != atomic_load(&l->head) || atomic_load(&l->stopping) ||
		    c->ping_gen != atomic_load(&l->ping_gen)) {
			pthread_mutex_unlock(&l->clients_lock);
			continue;
		}
		c->suspended = true;
		MHD_suspend_connection(c->c);
		pthread_mutex_unlock(&l->clients_lock);
		return 0;
	}
}

static void client_free(void *cls)
{
	struct client *c = cls;
	struct web_live *l = c->l;

	pthread_mutex_lock(&l->clients_lock);
	if (c->prev)
		c->prev->nextc = c->nextc;
	else
		l->clients = c->nextc;
	if (c->nextc)
		c->nextc->prev = c->prev;
	pthread_mutex_unlock(&l->clients_lock);
	atomic_fetch_sub(&l->nclients, 1);
	filter_free(&c->f);
	free(c->msg);
	free(c);
}

struct MHD_Response *web_live__response(struct web_live *l, struct MHD_Connection *conn,
					web_param_fn param, void *ctx, char *err, size_t err_size)
{
	static const char hello[] = ": hornet live events\nretry: 2000\n\n";
	const union MHD_ConnectionInfo *ci;
	int sndbuf = LIVE_SNDBUF;
	struct MHD_Response *r;
	struct client *c;

	if (atomic_fetch_add(&l->nclients, 1) >= MAX_CLIENTS) {
		atomic_fetch_sub(&l->nclients, 1);
		snprintf(err, err_size, "too many live clients (at most %d)", MAX_CLIENTS);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || filter_parse(&c->f, param, ctx, err, err_size) ||
	    !msg_set(c, hello, sizeof(hello) - 1, "", 0, "", 0)) {
		if (c) {
			filter_free(&c->f);
			free(c->msg);
		}
		free(c);
		atomic_fetch_sub(&l->nclients, 1);
		if (!err[0])
			snprintf(err, err_size, "out of memory");
		return NULL;
	}
	c->l = l;
	c->c = conn;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->ping_gen = atomic_load(&l->ping_gen);
	/* from now on: no history, only what comes */
	c->next = atomic_load(&l->head);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, reader, c, client_free);
	if (!r) {
		filter_free(&c->f);
		free(c->msg);
		free(c);
		atomic_fetch_sub(&l->nclients, 1);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&l->clients_lock);
	c->nextc = l->clients;
	if (l->clients)
		l->clients->prev = c;
	l->clients = c;
	pthread_mutex_unlock(&l->clients_lock);
	return r;
}

int web_live_match(web_param_fn param, void *ctx, const char *line, size_t len, char *err,
		   size_t err_size)
{
	struct filter f = { 0 };
	struct entry e = { 0 };
	int ret;

	err[0] = '\0';
	ret = filter_parse(&f, param, ctx, err, err_size);
	e.line = strndup(line, len);
	if (!ret && !e.line)
		ret = -ENOMEM;
	if (!ret) {
		e.len = len;
		facts_parse(&e.f, line, len);
		ret = filter_match(&f, &e);
	}
	facts_free(&e.f);
	free(e.line);
	filter_free(&f);
	return ret;
}

unsigned int web_live__clients(struct web_live *l)
{
	return l ? atomic_load(&l->nclients) : 0;
}

uint64_t web_live__dropped(struct web_live *l)
{
	return l ? atomic_load(&l->dropped) : 0;
}
