// SPDX-License-Identifier: GPL-2.0
/*
 * From exported event lines to the store's rows: one raw row per event, and
 * the rollups (processes, file access and egress per hour, timeline counts),
 * summed in memory over the whole batch first, so a batch of thousands of
 * events costs one upsert per distinct key instead of one per event. What
 * joins events that arrive apart (a DNS answer and the connection to the
 * address it gave, the HTTP request or TLS hello and the close that carries
 * the byte counts) is kept here, bounded, across batches.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_impl.h"

#define CHUNK_SIZE (1 << 20)
#define JOIN_MAX 65536 /* entries of each cross-batch map before it starts over */
#define INSERT_ROWS 500 /* rows per insert call: under PostgreSQL's 65535 parameters */

/* ---- time ---- */

static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date */
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int hornet_store_parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
	int y, mo, d, h, mi, sec, oh, om;
	int64_t frac = 0, t;
	size_t i = 19;
	int fd = 0;

	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -EINVAL;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (fd < 9) {
				frac = frac * 10 + (s[i] - '0');
				fd++;
			}
		}
		if (!fd)
			return -EINVAL;
		for (; fd < 9; fd++)
			frac *= 10;
	}
	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	if (i == len - 1 && (s[i] == 'Z' || s[i] == 'z')) {
		/* UTC */
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
		   !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om) && oh < 24 && om < 60) {
		t += (s[i] == '+' ? -1 : 1) * (oh * 3600 + om * 60);
	} else {
		return -EINVAL;
	}
	*ns = t * HORNET_STORE_NS + frac;
	return 0;
}

void hornet_store_format_time(int64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns >= 0 ? ns / HORNET_STORE_NS
				      : (ns - HORNET_STORE_NS + 1) / HORNET_STORE_NS);
	long frac = (long)(ns - (int64_t)sec * HORNET_STORE_NS);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

int hornet_store_parse_duration(const char *s, int64_t *ns)
{
	char *end;
	double v;
	int64_t unit;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -EINVAL;
	}
	/* a hundred years at most: no overflow in ns */
	if (end[1] || v * unit > 100.0 * 365 * 86400)
		return -EINVAL;
	*ns = (int64_t)(v * unit * HORNET_STORE_NS);
	return 0;
}

int64_t hornet_store_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * HORNET_STORE_NS + ts.tv_nsec;
}

/* ---- memory for one batch ---- */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct arena {
	struct chunk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static const char *arena_strn(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (!n)
		return "";
	p = arena_alloc(a, n + 1);
	if (!p)
		return "";
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Frees every chunk but the newest, which is kept for the next batch. */
static void arena_reset(struct arena *a, bool all)
{
	struct chunk *c = a->head, *next;

	if (!c)
		return;
	next = c->next;
	c->next = NULL;
	c->used = 0;
	for (; next; next = c) {
		c = next->next;
		free(next);
	}
	if (all) {
		free(a->head);
		a->head = NULL;
	}
}

/* ---- string-keyed maps ---- */

struct hent {
	uint64_t hash;
	char *key; /* NULL: free slot */
	size_t klen;
	void *val;
};

struct hmap {
	struct hent *slots;
	size_t cap, n;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct hent *hmap_slot(struct hmap *m, const char *key, size_t klen, uint64_t h)
{
	size_t i = h & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct hent *e = &m->slots[i];

		if (!e->key || (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen)))
			return e;
	}
}

static int hmap_grow(struct hmap *m)
{
	struct hmap bigger = { .cap = m->cap ? m->cap * 2 : 1024 };
	size_t i;

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		struct hent *e = &m->slots[i];

		if (e->key)
			*hmap_slot(&bigger, e->key, e->klen, e->hash) = *e;
	}
	free(m->slots);
	m->slots = bigger.slots;
	m->cap = bigger.cap;
	return 0;
}

static void *hmap_get(struct hmap *m, const char *key, size_t klen)
{
	struct hent *e;

	if (!m->n)
		return NULL;
	e = hmap_slot(m, key, klen, hash_bytes(key, klen));
	return e->key ? e->val : NULL;
}

/*
 * The entry for @key, created with a zeroed value of @vsize bytes when new
 * (*@created set). Key and value live in @a when given, else are malloc'ed.
 */
static void *hmap_put(struct hmap *m, struct arena *a, const char *key, size_t klen, size_t vsize,
		      bool *created)
{
	uint64_t h = hash_bytes(key, klen);
	struct hent *e;
	char *k;
	void *v;

	if ((m->n + 1) * 2 > m->cap && hmap_grow(m))
		return NULL;
	e = hmap_slot(m, key, klen, h);
	if (e->key) {
		*created = false;
		return e->val;
	}
	k = a ? arena_alloc(a, klen + 1) : malloc(klen + 1);
	v = a ? arena_alloc(a, vsize) : calloc(1, vsize);
	if (!k || !v) {
		if (!a) {
			free(k);
			free(v);
		}
		return NULL;
	}
	if (a)
		memset(v, 0, vsize);
	memcpy(k, key, klen);
	k[klen] = '\0';
	e->hash = h;
	e->key = k;
	e->klen = klen;
	e->val = v;
	m->n++;
	*created = true;
	return v;
}

static void hmap_del(struct hmap *m, const char *key, size_t klen, bool owned)
{
	struct hent *e;
	size_t i, j;

	if (!m->n)
		return;
	e = hmap_slot(m, key, klen, hash_bytes(key, klen));
	if (!e->key)
		return;
	if (owned) {
		free(e->key);
		free(e->val);
	}
	e->key = NULL;
	m->n--;
	/* re-place the entries after it, so no probe chain is broken */
	i = e - m->slots;
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
		struct hent moved = m->slots[j];

		m->slots[j].key = NULL;
		*hmap_slot(m, moved.key, moved.klen, moved.hash) = moved;
	}
}

static void hmap_clear(struct hmap *m, bool owned)
{
	size_t i;

	if (owned) {
		for (i = 0; i < m->cap; i++) {
			if (m->slots[i].key) {
				free(m->slots[i].key);
				free(m->slots[i].val);
			}
		}
	}
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}

static void hmap_free(struct hmap *m, bool owned)
{
	hmap_clear(m, owned);
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
}

/* ---- rows ---- */

enum { RAW_COLS = 16 };
static const char *const raw_cols[RAW_COLS] = {
	"ts",  "node",	  "type",	    "policy", "action", "ns",	 "pod", "container",
	"bin", "exec_id", "parent_exec_id", "path",   "daddr",	"dport", "dns", "line"
};

struct proc_row {
	const char *exec_id, *parent_exec_id, *node, *bin, *args, *cwd, *ns, *pod, *container,
		*signal;
	int64_t pid, uid, start_ns, exit_ns, status, last_ns;
	bool has_exit, has_status;
	int64_t files, network, policy, killed;
};

/* the process's place, as the rollups keep it beside each row for filtering */
struct who {
	const char *node, *ns, *pod, *container, *bin;
};

struct file_row {
	const char *path, *exec_id, *hook, *access, *action, *policy;
	struct who who;
	int64_t hour, n, first_ns, last_ns;
};

struct egress_row {
	const char *exec_id, *daddr, *protocol, *dns, *http_host, *tls;
	struct who who;
	int64_t dport, hour, connections, bytes_sent, bytes_received, first_ns, last_ns;
};

struct timeline_row {
	const char *node, *type, *ns, *pod;
	int64_t bucket, n;
};

/* what one socket's first payload said, until its close */
struct sock_info {
	char http_host[256];
	char tls[256];
};

struct hornet_ingest {
	struct arena arena;
	struct hornet_db_value *raw; /* RAW_COLS values per event */
	size_t nraw, raw_cap;
	struct hmap procs, files, egress, timeline;
	struct hmap dns; /* "exec_id|addr" and "ns/pod|addr" -> name, across batches */
	struct hmap socks; /* cookie -> struct sock_info, across batches */
};

struct hornet_ingest *hornet_ingest__new(void)
{
	return calloc(1, sizeof(struct hornet_ingest));
}

void hornet_ingest__free(struct hornet_ingest *g)
{
	if (!g)
		return;
	hmap_free(&g->procs, false);
	hmap_free(&g->files, false);
	hmap_free(&g->egress, false);
	hmap_free(&g->timeline, false);
	hmap_free(&g->dns, true);
	hmap_free(&g->socks, true);
	arena_reset(&g->arena, true);
	free(g->raw);
	free(g);
}

void hornet_ingest__reset(struct hornet_ingest *g)
{
	hmap_clear(&g->procs, false);
	hmap_clear(&g->files, false);
	hmap_clear(&g->egress, false);
	hmap_clear(&g->timeline, false);
	arena_reset(&g->arena, false);
	g->nraw = 0;
}

size_t hornet_ingest__rows(const struct hornet_ingest *g)
{
	return g->nraw;
}

/* ---- reading one line ---- */

struct ev {
	int64_t ts;
	const char *type, *node, *policy, *action, *hook, *path, *daddr, *dns, *protocol, *access;
	int64_t dport; /* -1: none */
	json_t *body, *proc, *parent;
	const char *exec_id, *parent_exec_id, *bin, *ns, *pod, *container;
	bool network, killed;
};

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int64_t jint(json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

static const char *astr(struct hornet_ingest *g, const char *s)
{
	return arena_strn(&g->arena, s, strlen(s));
}

static void workload_of(json_t *proc, const char **ns, const char **pod, const char **container)
{
	json_t *p = json_object_get(proc, "pod");

	if (p) {
		*ns = jstr(p, "namespace");
		*pod = jstr(p, "name");
		*container = jstr(json_object_get(p, "container"), "name");
	} else {
		*ns = "";
		*pod = "";
		*container = jstr(json_object_get(proc, "container"), "name");
	}
}

static bool contains(const char *s, const char *word)
{
	return strstr(s, word) != NULL;
}

/*
 * read, write, exec or other, from the hook's name and what its arguments say:
 * the permission mask of security_file_permission (MAY_EXEC 1, MAY_WRITE 2,
 * MAY_READ 4), the open flags of open-like calls.
 */
static const char *access_of(const char *hook, json_t *args, const char *flags, int64_t first_int)
{
	if (contains(hook, "exec") || contains(hook, "bprm"))
		return "exec";
	if (contains(hook, "file_permission") || contains(hook, "inode_permission")) {
		if (first_int < 0)
			return "other";
		if (first_int & 2 || first_int & 8)
			return "write";
		if (first_int & 4)
			return "read";
		if (first_int & 1)
			return "exec";
		return "other";
	}
	if (contains(hook, "write") || contains(hook, "truncate") || contains(hook, "unlink") ||
	    contains(hook, "rename") || contains(hook, "chmod") || contains(hook, "chown") ||
	    contains(hook, "mkdir") || contains(hook, "rmdir") || contains(hook, "link") ||
	    contains(hook, "setattr") || contains(hook, "mknod"))
		return "write";
	if (contains(hook, "read"))
		return "read";
	if (contains(hook, "open")) {
		if (flags && flags[0])
			return contains(flags, "O_WRONLY") || contains(flags, "O_RDWR") ? "write"
											: "read";
		if (first_int >= 0)
			return first_int & 3 ? "write" : "read";
		return "read";
	}
	return "other";
}

/* The path, connection and bytes the arguments of a policy event carry. */
static void read_args(struct ev *e, json_t *args, int64_t *sent, int64_t *received,
		      const char **cookie, const char **state)
{
	const char *flags = NULL, *string_path = NULL;
	int64_t first_int = -1;
	size_t i;
	json_t *a;

	json_array_foreach(args, i, a)
	{
		json_t *v;
		const char *label = jstr(a, "label");

		if ((v = json_object_get(a, "file_arg")) || (v = json_object_get(a, "path_arg")) ||
		    (v = json_object_get(a, "linux_binprm_arg"))) {
			if (!e->path[0] && jstr(v, "path")[0]) {
				e->path = jstr(v, "path");
				flags = jstr(v, "flags");
			}
		} else if ((v = json_object_get(a, "string_arg"))) {
			const char *s = json_string_value(v);

			if (s && s[0] == '/' && !string_path)
				string_path = s;
		} else if ((v = json_object_get(a, "int_arg"))) {
			if (first_int < 0 && json_is_integer(v))
				first_int = json_integer_value(v);
		} else if ((v = json_object_get(a, "sock_arg"))) {
			if (!e->daddr[0]) {
				e->daddr = jstr(v, "daddr");
				e->dport = jint(v, "dport", -1);
				e->protocol = jstr(v, "protocol");
				*cookie = jstr(v, "cookie");
				*state = jstr(v, "state");
			}
		} else if ((v = json_object_get(a, "sockaddr_arg"))) {
			if (!e->daddr[0] && jstr(v, "addr")[0]) {
				e->daddr = jstr(v, "addr");
				e->dport = jint(v, "port", -1);
			}
		} else if ((v = json_object_get(a, "size_arg"))) {
			if (!strcmp(label, "bytes_sent"))
				*sent = json_integer_value(v);
			else if (!strcmp(label, "bytes_received"))
				*received = json_integer_value(v);
		}
	}
	if (!e->path[0] && string_path)
		e->path = string_path;
	if (e->path[0])
		e->access = access_of(e->hook, args, flags, first_int);
}

static void split_hostport(struct hornet_ingest *g, const char *dest, const char **addr,
			   int64_t *port)
{
	const char *colon = strrchr(dest, ':');
	size_t n;

	if (!colon)
		return;
	n = colon - dest;
	if (dest[0] == '[' && n >= 2 && dest[n - 1] == ']') {
		*addr = arena_strn(&g->arena, dest + 1, n - 2);
	} else {
		*addr = arena_strn(&g->arena, dest, n);
	}
	*port = strtol(colon + 1, NULL, 10);
}

static size_t join_key(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, size, "%s\x1f%s\x1f%s", a, b, c);

	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

static void dns_remember(struct hornet_ingest *g, const struct ev *e, json_t *answers)
{
	char key[1024];
	size_t i, klen;
	json_t *a;

	json_array_foreach(answers, i, a)
	{
		const char *type = jstr(a, "type"), *data = jstr(a, "data");
		const char *name = jstr(json_object_get(e->body, "question"), "name");
		bool created;
		char *v;
		int w;

		if ((strcmp(type, "A") && strcmp(type, "AAAA")) || !data[0] || !name[0])
			continue;
		for (w = 0; w < 2; w++) {
			if (w == 0)
				klen = join_key(key, sizeof(key), "p", e->exec_id, data);
			else if (e->pod[0])
				klen = join_key(key, sizeof(key), e->ns, e->pod, data);
			else
				continue;
			if (g->dns.n >= JOIN_MAX)
				hmap_clear(&g->dns, true);
			v = hmap_put(&g->dns, NULL, key, klen, 256, &created);
			if (v)
				snprintf(v, 256, "%s", name);
		}
	}
}

static const char *dns_lookup(struct hornet_ingest *g, const struct ev *e)
{
	char key[1024];
	const char *v;

	if (!e->daddr[0])
		return "";
	v = hmap_get(&g->dns, key, join_key(key, sizeof(key), "p", e->exec_id, e->daddr));
	if (!v && e->pod[0])
		v = hmap_get(&g->dns, key, join_key(key, sizeof(key), e->ns, e->pod, e->daddr));
	return v ? astr(g, v) : "";
}

static struct sock_info *sock_get(struct hornet_ingest *g, const char *cookie, bool create)
{
	bool created;

	if (!cookie || !cookie[0] || !strcmp(cookie, "0"))
		return NULL;
	if (!create)
		return hmap_get(&g->socks, cookie, strlen(cookie));
	if (g->socks.n >= JOIN_MAX)
		hmap_clear(&g->socks, true);
	return hmap_put(&g->socks, NULL, cookie, strlen(cookie), sizeof(struct sock_info),
			&created);
}

/* The batch's process row for @p (creating it), with what @p says about the process. */
static struct proc_row *proc_touch(struct hornet_ingest *g, json_t *p, const struct ev *e)
{
	const char *exec_id = jstr(p, "exec_id");
	const char *ns, *pod, *container, *start;
	struct proc_row *r;
	bool created;
	int64_t t;

	if (!exec_id[0])
		return NULL;
	r = hmap_put(&g->procs, &g->arena, exec_id, strlen(exec_id), sizeof(*r), &created);
	if (!r)
		return NULL;
	if (created) {
		r->exec_id = astr(g, exec_id);
		r->parent_exec_id = r->node = r->bin = r->args = r->cwd = r->ns = r->pod =
			r->container = "";
		r->pid = jint(p, "pid", 0);
	}
	if (e->ts > r->last_ns)
		r->last_ns = e->ts;
	if (!jstr(p, "binary")[0])
		return r;
	/* a process object with a binary is a full record: it wins over what the batch had */
	workload_of(p, &ns, &pod, &container);
	r->parent_exec_id = astr(g, jstr(p, "parent_exec_id"));
	r->node = e->node;
	r->bin = astr(g, jstr(p, "binary"));
	r->args = astr(g, jstr(p, "arguments"));
	r->cwd = astr(g, jstr(p, "cwd"));
	r->ns = astr(g, ns);
	r->pod = astr(g, pod);
	r->container = astr(g, container);
	r->pid = jint(p, "pid", r->pid);
	r->uid = jint(p, "uid", r->uid);
	start = jstr(p, "start_time");
	if (start[0] && !hornet_store_parse_rfc3339(start, strlen(start), &t))
		r->start_ns = t;
	return r;
}

/* The batch's entry of @m under the key made from @fmt (zeroed when new: *@created). */
static void *rollup_entry(struct hornet_ingest *g, struct hmap *m, size_t size, bool *created,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void *rollup_entry(struct hornet_ingest *g, struct hmap *m, size_t size, bool *created,
			  const char *fmt, ...)
{
	char key[8192];
	va_list ap;
	int klen;

	va_start(ap, fmt);
	klen = vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	if (klen < 0 || klen >= (int)sizeof(key))
		return NULL;
	return hmap_put(m, &g->arena, key, klen, size, created);
}

static void seen_at(int64_t *first, int64_t *last, int64_t ts)
{
	if (!*first || ts < *first)
		*first = ts;
	if (ts > *last)
		*last = ts;
}

static struct who who_of(const struct ev *e)
{
	return (struct who){ e->node, e->ns, e->pod, e->container, e->bin };
}

static void file_add(struct hornet_ingest *g, const struct ev *e)
{
	int64_t hour = e->ts / (3600 * HORNET_STORE_NS) * 3600;
	struct file_row *r;
	bool created;

	r = rollup_entry(g, &g->files, sizeof(*r), &created,
			 "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld", e->path, e->exec_id, e->hook,
			 e->access, e->action, e->policy, (long long)hour);
	if (!r)
		return;
	if (created) {
		r->path = astr(g, e->path);
		r->exec_id = e->exec_id;
		r->hook = astr(g, e->hook);
		r->access = e->access;
		r->action = e->action;
		r->policy = e->policy;
		r->who = who_of(e);
		r->hour = hour;
	}
	r->n++;
	seen_at(&r->first_ns, &r->last_ns, e->ts);
}

static void egress_add(struct hornet_ingest *g, const struct ev *e, const struct sock_info *si,
		       int64_t sent, int64_t received)
{
	int64_t hour = e->ts / (3600 * HORNET_STORE_NS) * 3600;
	const char *http = si ? si->http_host : "", *tls = si ? si->tls : "";
	struct egress_row *r;
	bool created;

	r = rollup_entry(g, &g->egress, sizeof(*r), &created,
			 "%s\x1f%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld", e->exec_id, e->daddr,
			 (long long)e->dport, e->protocol, e->dns, http, tls, (long long)hour);
	if (!r)
		return;
	if (created) {
		r->exec_id = e->exec_id;
		r->daddr = e->daddr;
		r->dport = e->dport;
		r->protocol = e->protocol;
		r->dns = e->dns;
		r->http_host = astr(g, http);
		r->tls = astr(g, tls);
		r->who = who_of(e);
		r->hour = hour;
	}
	r->connections++;
	r->bytes_sent += sent > 0 ? sent : 0;
	r->bytes_received += received > 0 ? received : 0;
	seen_at(&r->first_ns, &r->last_ns, e->ts);
}

static void timeline_add(struct hornet_ingest *g, const struct ev *e)
{
	int64_t sec = e->ts / HORNET_STORE_NS;
	int64_t bucket = sec - sec % HORNET_STORE_TIMELINE_STEP;
	struct timeline_row *r;
	bool created;

	r = rollup_entry(g, &g->timeline, sizeof(*r), &created, "%s\x1f%s\x1f%s\x1f%s\x1f%lld",
			 e->node, e->type, e->ns, e->pod, (long long)bucket);
	if (!r)
		return;
	if (created) {
		r->node = e->node;
		r->type = e->type;
		r->ns = e->ns;
		r->pod = e->pod;
		r->bucket = bucket;
	}
	r->n++;
}

static struct hornet_db_value text(const char *s)
{
	return (struct hornet_db_value){ .type = HORNET_DB_TEXT, .s = s, .len = strlen(s) };
}

static struct hornet_db_value integer(int64_t i)
{
	return (struct hornet_db_value){ .type = HORNET_DB_INT, .i = i };
}

static struct hornet_db_value null(void)
{
	return (struct hornet_db_value){ .type = HORNET_DB_NULL };
}

static int raw_add(struct hornet_ingest *g, const struct ev *e, const char *line, size_t len)
{
	struct hornet_db_value *v;

	if (g->nraw == g->raw_cap) {
		size_t cap = g->raw_cap ? g->raw_cap * 2 : 1024;
		void *p = realloc(g->raw, cap * RAW_COLS * sizeof(*g->raw));

		if (!p)
			return -ENOMEM;
		g->raw = p;
		g->raw_cap = cap;
	}
	v = g->raw + g->nraw++ * RAW_COLS;
	v[0] = integer(e->ts);
	v[1] = text(e->node);
	v[2] = text(e->type);
	v[3] = text(e->policy);
	v[4] = text(e->action);
	v[5] = text(e->ns);
	v[6] = text(e->pod);
	v[7] = text(e->container);
	v[8] = text(e->bin);
	v[9] = text(e->exec_id);
	v[10] = text(e->parent_exec_id);
	v[11] = text(e->path);
	v[12] = text(e->daddr);
	v[13] = e->dport >= 0 ? integer(e->dport) : null();
	v[14] = text(e->dns);
	v[15] = (struct hornet_db_value){ .type = HORNET_DB_TEXT, .s = line, .len = len };
	return 0;
}

bool hornet_ingest__add(struct hornet_ingest *g, const char *line, size_t len)
{
	struct ev e = { .dport = -1 };
	const char *key, *cookie = NULL, *state = "", *t;
	int64_t sent = -1, received = -1;
	struct proc_row *pr;
	struct sock_info *si;
	json_t *root, *v;
	bool ok = false;

	root = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	if (!json_is_object(root))
		goto out;
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "node_name") && strcmp(key, "time") && json_is_object(v)) {
			e.type = key;
			e.body = v;
			break;
		}
	}
	t = jstr(root, "time");
	if (!e.body || hornet_store_parse_rfc3339(t, strlen(t), &e.ts))
		goto out;
	e.type = astr(g, e.type);
	e.node = astr(g, jstr(root, "node_name"));
	e.proc = json_object_get(e.body, "process");
	e.parent = json_object_get(e.body, "parent");
	e.exec_id = astr(g, jstr(e.proc, "exec_id"));
	e.parent_exec_id = astr(g, jstr(e.proc, "parent_exec_id"));
	e.bin = astr(g, jstr(e.proc, "binary"));
	workload_of(e.proc, &e.ns, &e.pod, &e.container);
	e.ns = astr(g, e.ns);
	e.pod = astr(g, e.pod);
	e.container = astr(g, e.container);
	e.policy = astr(g, jstr(e.body, "policy_name"));
	e.action = astr(g, jstr(e.body, "action"));
	e.hook = jstr(e.body, "function_name");
	if (!e.hook[0])
		e.hook = jstr(e.body, "event");
	if (!e.hook[0])
		e.hook = jstr(e.body, "symbol");
	e.path = e.daddr = e.dns = e.protocol = e.access = "";
	e.network = !strcmp(e.policy, "hornet-network");
	e.killed = !strcmp(e.action, "KPROBE_ACTION_SIGKILL") &&
		   strcmp(jstr(e.body, "policy_mode"), "monitor");

	if (json_is_array(json_object_get(e.body, "args")))
		read_args(&e, json_object_get(e.body, "args"), &sent, &received, &cookie, &state);

	if (!strcmp(e.type, "process_dns")) {
		e.network = true;
		e.dns = jstr(json_object_get(e.body, "question"), "name");
		split_hostport(g, jstr(e.body, "server"), &e.daddr, &e.dport);
		if (!strcmp(jstr(e.body, "direction"), "answer"))
			dns_remember(g, &e, json_object_get(e.body, "answers"));
	} else if (!strcmp(e.type, "process_http") || !strcmp(e.type, "process_tls")) {
		bool http = e.type[8] == 'h';
		json_t *sock = json_object_get(json_object_get(e.body, "socket"), "sock_arg");

		e.network = true;
		split_hostport(g, jstr(e.body, "destination"), &e.daddr, &e.dport);
		e.dns = jstr(e.body, http ? "host" : "sni");
		si = sock_get(g, jstr(sock, "cookie"), true);
		if (si)
			snprintf(http ? si->http_host : si->tls, sizeof(si->http_host), "%s",
				 e.dns);
	} else if (e.network && e.daddr[0]) {
		e.dns = dns_lookup(g, &e);
	}
	e.path = astr(g, e.path);
	e.daddr = astr(g, e.daddr);
	e.dns = astr(g, e.dns);
	e.protocol = !strcmp(e.protocol, "IPPROTO_UDP") || !strcmp(e.hook, "udp_sendmsg") ? "UDP"
											  : "TCP";

	/* rollups */
	pr = e.proc ? proc_touch(g, e.proc, &e) : NULL;
	if (e.parent)
		proc_touch(g, e.parent, &e);
	if (pr) {
		if (!strcmp(e.type, "process_exit")) {
			json_t *st = json_object_get(e.body, "status");

			pr->has_exit = true;
			pr->exit_ns = e.ts;
			if (json_is_integer(st)) {
				pr->status = json_integer_value(st);
				pr->has_status = true;
			}
			if (jstr(e.body, "signal")[0])
				pr->signal = astr(g, jstr(e.body, "signal"));
		}
		pr->files += e.path[0] && !e.network;
		pr->network += e.network;
		pr->policy += e.policy[0] && !e.network;
		pr->killed += e.killed;
	}
	if (e.path[0] && !e.network && e.exec_id[0] && strcmp(e.type, "process_uprobe"))
		file_add(g, &e);
	if (e.network && e.exec_id[0] && e.daddr[0]) {
		if (!strcmp(e.hook, "tcp_close")) {
			egress_add(g, &e, sock_get(g, cookie, false), sent, received);
			if (cookie)
				hmap_del(&g->socks, cookie, strlen(cookie), true);
		} else if (!strcmp(e.hook, "udp_sendmsg")) {
			egress_add(g, &e, NULL, 0, 0);
		}
	}
	timeline_add(g, &e);
	ok = !raw_add(g, &e, line, len);
out:
	json_decref(root);
	return ok;
}

/* ---- writing the batch ---- */

static int insert_chunks(struct hornet_db *db, const char *table, const char *const *cols,
			 int ncols, const struct hornet_db_value *v, size_t nrows,
			 const char *conflict, char *err, size_t err_size)
{
	size_t done, n;
	int rc;

	for (done = 0; done < nrows; done += n) {
		n = nrows - done < INSERT_ROWS ? nrows - done : INSERT_ROWS;
		rc = hornet_db_insert(db, table, cols, ncols, v + done * ncols, n, conflict, err,
				      err_size);
		if (rc)
			return rc;
	}
	return 0;
}

/* One row's values from a rollup entry. */
typedef void (*fill_fn)(struct hornet_db_value *row, const void *entry);

/* Every entry of @m as a row of @table, upserted with @conflict. */
static int write_map(struct hmap *m, struct hornet_db *db, const char *table,
		     const char *const *cols, int ncols, const char *conflict, fill_fn fill,
		     char *err, size_t err_size)
{
	struct hornet_db_value *v;
	size_t i, n = 0;
	int rc;

	if (!m->n)
		return 0;
	v = malloc(m->n * ncols * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key)
			fill(v + n++ * ncols, m->slots[i].val);
	}
	rc = insert_chunks(db, table, cols, ncols, v, n, conflict, err, err_size);
	free(v);
	return rc;
}

static const char *const proc_cols[] = {
	"exec_id",   "parent_exec_id", "node",	  "pid",    "uid",
	"bin",	     "args",	       "cwd",	  "ns",	    "pod",
	"container", "start_ns",       "exit_ns", "status", "signal",
	"last_ns",   "files",	       "network", "policy", "killed"
};

static void proc_fill(struct hornet_db_value *row, const void *entry)
{
	const struct proc_row *r = entry;

	row[0] = text(r->exec_id);
	row[1] = text(r->parent_exec_id);
	row[2] = text(r->node);
	row[3] = integer(r->pid);
	row[4] = integer(r->uid);
	row[5] = text(r->bin);
	row[6] = text(r->args);
	row[7] = text(r->cwd);
	row[8] = text(r->ns);
	row[9] = text(r->pod);
	row[10] = text(r->container);
	row[11] = integer(r->start_ns);
	row[12] = r->has_exit ? integer(r->exit_ns) : null();
	row[13] = r->has_status ? integer(r->status) : null();
	row[14] = r->signal ? text(r->signal) : null();
	row[15] = integer(r->last_ns);
	row[16] = integer(r->files);
	row[17] = integer(r->network);
	row[18] = integer(r->policy);
	row[19] = integer(r->killed);
}

static void who_fill(struct hornet_db_value *row, const struct who *w)
{
	row[0] = text(w->node);
	row[1] = text(w->ns);
	row[2] = text(w->pod);
	row[3] = text(w->container);
	row[4] = text(w->bin);
}

static const char *const file_cols[] = { "path",      "exec_id", "hook", "access",   "action",
					 "policy",    "hour",	 "node", "ns",	     "pod",
					 "container", "bin",	 "n",	 "first_ns", "last_ns" };

static void file_fill(struct hornet_db_value *row, const void *entry)
{
	const struct file_row *r = entry;

	row[0] = text(r->path);
	row[1] = text(r->exec_id);
	row[2] = text(r->hook);
	row[3] = text(r->access);
	row[4] = text(r->action);
	row[5] = text(r->policy);
	row[6] = integer(r->hour);
	who_fill(row + 7, &r->who);
	row[12] = integer(r->n);
	row[13] = integer(r->first_ns);
	row[14] = integer(r->last_ns);
}

static const char *const egress_cols[] = {
	"exec_id",  "daddr",	   "dport",	 "protocol",
	"dns",	    "http_host",   "tls",	 "hour",
	"node",	    "ns",	   "pod",	 "container",
	"bin",	    "connections", "bytes_sent", "bytes_received",
	"first_ns", "last_ns"
};

static void egress_fill(struct hornet_db_value *row, const void *entry)
{
	const struct egress_row *r = entry;

	row[0] = text(r->exec_id);
	row[1] = text(r->daddr);
	row[2] = integer(r->dport);
	row[3] = text(r->protocol);
	row[4] = text(r->dns);
	row[5] = text(r->http_host);
	row[6] = text(r->tls);
	row[7] = integer(r->hour);
	who_fill(row + 8, &r->who);
	row[13] = integer(r->connections);
	row[14] = integer(r->bytes_sent);
	row[15] = integer(r->bytes_received);
	row[16] = integer(r->first_ns);
	row[17] = integer(r->last_ns);
}

static const char *const timeline_cols[] = { "bucket", "node", "type", "ns", "pod", "n" };

static void timeline_fill(struct hornet_db_value *row, const void *entry)
{
	const struct timeline_row *r = entry;

	row[0] = integer(r->bucket);
	row[1] = text(r->node);
	row[2] = text(r->type);
	row[3] = text(r->ns);
	row[4] = text(r->pod);
	row[5] = integer(r->n);
}

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* a process field: what a full record (one with a binary) says, else what was there */
#define KEEP(c) c " = CASE WHEN excluded.bin <> '' THEN excluded." c " ELSE processes." c " END, "

int hornet_ingest__write(struct hornet_ingest *g, struct hornet_db *db, char *err, size_t err_size)
{
	/* the one word the two databases spell differently here */
	const char *lo = hornet_db_kind(db) == HORNET_DB_POSTGRES ? "LEAST" : "MIN";
	const char *hi = hornet_db_kind(db) == HORNET_DB_POSTGRES ? "GREATEST" : "MAX";
	char procs[2048], files[512], egress[768];
	int rc;

	snprintf(
		procs, sizeof(procs),
		"ON CONFLICT (exec_id) DO UPDATE SET " KEEP("parent_exec_id") KEEP("node") KEEP(
			"pid") KEEP("uid") KEEP("bin") KEEP("args") KEEP("cwd") KEEP("ns")
			KEEP("pod") KEEP("container") KEEP(
				"start_ns") "exit_ns = COALESCE(excluded.exit_ns, "
					    "processes.exit_ns), "
					    "status = COALESCE(excluded.status, processes.status), "
					    "signal = COALESCE(excluded.signal, processes.signal), "
					    "last_ns = %s(processes.last_ns, excluded.last_ns), "
					    "files = processes.files + excluded.files, "
					    "network = processes.network + excluded.network, "
					    "policy = processes.policy + excluded.policy, "
					    "killed = processes.killed + excluded.killed",
		hi);
	snprintf(files, sizeof(files),
		 "ON CONFLICT (path, exec_id, hook, access, action, policy, hour) DO UPDATE SET "
		 "n = files.n + excluded.n, first_ns = %s(files.first_ns, excluded.first_ns), "
		 "last_ns = %s(files.last_ns, excluded.last_ns)",
		 lo, hi);
	snprintf(egress, sizeof(egress),
		 "ON CONFLICT (exec_id, daddr, dport, protocol, dns, http_host, tls, hour) DO "
		 "UPDATE SET connections = egress.connections + excluded.connections, "
		 "bytes_sent = egress.bytes_sent + excluded.bytes_sent, "
		 "bytes_received = egress.bytes_received + excluded.bytes_received, "
		 "first_ns = %s(egress.first_ns, excluded.first_ns), "
		 "last_ns = %s(egress.last_ns, excluded.last_ns)",
		 lo, hi);
	rc = insert_chunks(db, "events", raw_cols, RAW_COLS, g->raw, g->nraw, NULL, err, err_size);
	if (!rc)
		rc = write_map(&g->procs, db, "processes", proc_cols, NCOLS(proc_cols), procs,
			       proc_fill, err, err_size);
	if (!rc)
		rc = write_map(&g->files, db, "files", file_cols, NCOLS(file_cols), files,
			       file_fill, err, err_size);
	if (!rc)
		rc = write_map(&g->egress, db, "egress", egress_cols, NCOLS(egress_cols), egress,
			       egress_fill, err, err_size);
	if (!rc)
		rc = write_map(&g->timeline, db, "timeline", timeline_cols, NCOLS(timeline_cols),
			       "ON CONFLICT (bucket, node, type, ns, pod) DO UPDATE SET "
			       "n = timeline.n + excluded.n",
			       timeline_fill, err, err_size);
	return rc;
}
