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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/line.h"
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

int64_t hornet_store_hash(const char *s, size_t n)
{
	/* splitmix64's finalizer over FNV-1a: the 64 bits spread well */
	uint64_t h = hash_bytes(s, n);

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return (int64_t)(h ^ (h >> 31));
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

enum { RAW_COLS = 17 };
static const char *const raw_cols[RAW_COLS] = {
	"ts",	   "node",	     "type", "policy", "action", "ns",	"pod",	"container", "bin",
	"exec_id", "parent_exec_id", "path", "daddr",  "dport",	 "dns", "line", "eh"
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

/* Each rollup row starts with its key's hash, the table's primary key. */
struct file_row {
	int64_t k;
	const char *path, *exec_id, *hook, *access, *action, *policy;
	struct who who;
	int64_t hour, n, first_ns, last_ns;
};

struct egress_row {
	int64_t k;
	const char *exec_id, *daddr, *protocol, *dns, *http_host, *tls;
	struct who who;
	int64_t dport, hour, connections, bytes_sent, bytes_received, first_ns, last_ns;
};

struct timeline_row {
	int64_t k;
	const char *node, *type, *ns, *pod;
	int64_t bucket, n;
};

/* what one socket's first payload said, until its close */
struct sock_info {
	char http_host[256];
	char tls[256];
	bool inbound; /* accepted or listening: its close is no egress */
};

struct hornet_ingest {
	struct arena arena; /* the batch's raw rows */
	struct arena roll; /* the rollups', which may span batches */
	struct hornet_db_value *raw; /* RAW_COLS values per event */
	size_t nraw, raw_cap;
	struct hmap procs, files, egress, timeline;
	struct hmap dns; /* "exec_id|addr" and "ns/pod|addr" -> name, across batches */
	struct hmap socks; /* cookie -> struct sock_info, across batches */
	struct hmap listens; /* "exec_id|port" a process listens or accepts on, across batches */
	struct hornet_line line; /* the line being read (too large for the stack of a loop) */
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
	hmap_free(&g->listens, true);
	arena_reset(&g->arena, true);
	arena_reset(&g->roll, true);
	free(g->raw);
	free(g);
}

void hornet_ingest__reset(struct hornet_ingest *g, bool rollups)
{
	if (rollups) {
		hmap_clear(&g->procs, false);
		hmap_clear(&g->files, false);
		hmap_clear(&g->egress, false);
		hmap_clear(&g->timeline, false);
		arena_reset(&g->roll, false);
	}
	arena_reset(&g->arena, false);
	g->nraw = 0;
}

size_t hornet_ingest__rollups(const struct hornet_ingest *g)
{
	return g->procs.n + g->files.n + g->egress.n + g->timeline.n;
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
	int64_t sport;
	const char *exec_id, *parent_exec_id, *bin, *ns, *pod, *container;
	bool network, killed;
};

/* A span of the line as a C string in @a ("" when absent). */
static const char *span_str(struct arena *a, const struct hornet_span *sp)
{
	char *p;

	if (!sp->s || !sp->n)
		return "";
	p = arena_alloc(a, sp->n + 1);
	if (!p)
		return "";
	hornet_span_copy(sp, p);
	return p;
}

/* in the batch's memory */
static const char *S(struct hornet_ingest *g, const struct hornet_span *sp)
{
	return span_str(&g->arena, sp);
}

/* in the rollups' memory */
static const char *R(struct hornet_ingest *g, const char *s)
{
	return s[0] ? arena_strn(&g->roll, s, strlen(s)) : "";
}

static bool span_is(const struct hornet_span *sp, const char *lit)
{
	size_t n = strlen(lit);

	return sp->s && !sp->esc && sp->n == n && !memcmp(sp->s, lit, n);
}

static const char *astr(struct hornet_ingest *g, const char *s)
{
	return arena_strn(&g->arena, s, strlen(s));
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
static const char *access_of(const char *hook, const char *flags, int64_t first_int)
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

/* The path, connection and bytes the arguments of a policy event carry;
 * @incoming: a flow-mode close (--network-flow) of an accepted connection. */
static void read_args(struct hornet_ingest *g, struct ev *e, const struct hornet_line *l,
		      int64_t *sent, int64_t *received, const char **cookie, bool *incoming)
{
	const struct hornet_line_arg *file = NULL, *str = NULL, *conn = NULL;
	/* the flags or mask: the first int after the path (openat's dirfd comes before it) */
	int64_t first_int = -1, flags_int = -1;
	int i;

	for (i = 0; i < l->nargs; i++) {
		const struct hornet_line_arg *a = &l->args[i];

		switch (a->kind) {
		case HORNET_ARG_FILE:
			if (!file && a->str.n)
				file = a;
			break;
		case HORNET_ARG_STRING:
			if (!str && a->str.n && a->str.s[0] == '/')
				str = a;
			if (span_is(&a->label, "direction") && span_is(&a->str, "incoming"))
				*incoming = true;
			break;
		case HORNET_ARG_INT:
			if (first_int < 0 && a->has_num)
				first_int = a->num;
			if (flags_int < 0 && a->has_num && (file || str))
				flags_int = a->num;
			break;
		case HORNET_ARG_SOCK:
		case HORNET_ARG_SOCKADDR:
			if (!conn && a->str.n)
				conn = a;
			break;
		case HORNET_ARG_SIZE:
			if (span_is(&a->label, "bytes_sent"))
				*sent = a->num;
			else if (span_is(&a->label, "bytes_received"))
				*received = a->num;
			break;
		default:
			break;
		}
	}
	if (file || str) {
		e->path = S(g, file ? &file->str : &str->str);
		e->access = access_of(e->hook, file ? S(g, &file->flags) : NULL,
				      flags_int >= 0 ? flags_int : first_int);
	}
	if (conn) {
		e->daddr = S(g, &conn->str);
		e->dport = conn->has_num ? conn->num : -1;
		e->sport = conn->sport;
		if (span_is(&conn->protocol, "IPPROTO_UDP"))
			e->protocol = "UDP";
		*cookie = S(g, &conn->cookie);
	}
}

static void split_hostport(struct hornet_ingest *g, const char *dest, const char **addr,
			   int64_t *port)
{
	const char *colon = strrchr(dest, ':');
	size_t n;

	if (!colon)
		return;
	n = colon - dest;
	if (dest[0] == '[' && n >= 2 && dest[n - 1] == ']')
		*addr = arena_strn(&g->arena, dest + 1, n - 2);
	else
		*addr = arena_strn(&g->arena, dest, n);
	*port = strtol(colon + 1, NULL, 10);
}

static size_t join_key(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, size, "%s\x1f%s\x1f%s", a, b, c);

	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* A DNS answer's addresses, remembered for the process and its pod. */
static void dns_remember(struct hornet_ingest *g, const struct ev *e, const struct hornet_line *l)
{
	char key[1024], data[256];
	size_t klen;
	int i, w;

	if (!e->dns[0])
		return;
	for (i = 0; i < l->nanswers; i++) {
		const struct hornet_span *d = &l->answers[i].data;
		bool created;
		char *v;

		if ((!span_is(&l->answers[i].type, "A") && !span_is(&l->answers[i].type, "AAAA")) ||
		    !d->n || d->n >= sizeof(data))
			continue;
		hornet_span_copy(d, data);
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
				snprintf(v, 256, "%s", e->dns);
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

/* Remembers (@add) or asks whether @e's process accepts connections on @e's local port. */
static bool listen_port(struct hornet_ingest *g, const struct ev *e, bool add)
{
	char key[1100];
	bool created;
	int klen;

	if (e->sport <= 0 || !e->exec_id[0])
		return false;
	klen = snprintf(key, sizeof(key), "%s\x1f%lld", e->exec_id, (long long)e->sport);
	if (klen < 0 || klen >= (int)sizeof(key))
		return false;
	if (!add)
		return hmap_get(&g->listens, key, klen) != NULL;
	if (g->listens.n >= JOIN_MAX)
		hmap_clear(&g->listens, true);
	return hmap_put(&g->listens, NULL, key, klen, 1, &created) != NULL;
}

/*
 * The process row for @p (creating it), with what @p says about the process.
 * Its strings are copied once, when the row is made or first learns the
 * process's binary or pod, not at each of the process's events.
 */
static struct proc_row *proc_touch(struct hornet_ingest *g, const struct hornet_line_proc *p,
				   const struct ev *e)
{
	struct arena *a = &g->roll;
	char key[1025], start[64];
	struct proc_row *r;
	bool created;
	size_t klen;
	int64_t t;

	if (!p->exec_id.n || p->exec_id.n >= sizeof(key))
		return NULL;
	klen = hornet_span_copy(&p->exec_id, key);
	r = hmap_put(&g->procs, a, key, klen, sizeof(*r), &created);
	if (!r)
		return NULL;
	if (created) {
		r->exec_id = arena_strn(a, key, klen);
		r->parent_exec_id = r->node = r->bin = r->args = r->cwd = r->ns = r->pod =
			r->container = "";
		r->pid = p->pid;
	}
	if (e->ts > r->last_ns)
		r->last_ns = e->ts;
	if (p->pod_name.n && !r->pod[0]) {
		r->ns = span_str(a, &p->pod_namespace);
		r->pod = span_str(a, &p->pod_name);
	}
	if (p->container.n && !r->container[0])
		r->container = span_str(a, &p->container);
	if (!p->binary.n || r->bin[0])
		return r;
	/* the first process object with a binary is a full record */
	r->parent_exec_id = span_str(a, &p->parent_exec_id);
	r->node = R(g, e->node);
	r->bin = span_str(a, &p->binary);
	r->args = span_str(a, &p->arguments);
	r->cwd = span_str(a, &p->cwd);
	if (p->has_pid)
		r->pid = p->pid;
	if (p->has_uid)
		r->uid = p->uid;
	if (p->start_time.n && p->start_time.n < sizeof(start)) {
		size_t n = hornet_span_copy(&p->start_time, start);

		if (!hornet_store_parse_rfc3339(start, n, &t))
			r->start_ns = t;
	}
	return r;
}

/* The batch's entry of @m under the key made from @fmt (zeroed when new: *@created). */
static void *rollup_entry(struct hornet_ingest *g, struct hmap *m, size_t size, bool *created,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void *rollup_entry(struct hornet_ingest *g, struct hmap *m, size_t size, bool *created,
			  const char *fmt, ...)
{
	char key[8192];
	int64_t *row;
	va_list ap;
	int klen;

	va_start(ap, fmt);
	klen = vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	if (klen < 0 || klen >= (int)sizeof(key))
		return NULL;
	row = hmap_put(m, &g->roll, key, klen, size, created);
	if (row && *created)
		*row = hornet_store_hash(key, klen);
	return row;
}

static void seen_at(int64_t *first, int64_t *last, int64_t ts)
{
	if (!*first || ts < *first)
		*first = ts;
	if (ts > *last)
		*last = ts;
}

static struct who who_of(struct hornet_ingest *g, const struct ev *e)
{
	return (struct who){ R(g, e->node), R(g, e->ns), R(g, e->pod), R(g, e->container),
			     R(g, e->bin) };
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
		r->path = R(g, e->path);
		r->exec_id = R(g, e->exec_id);
		r->hook = R(g, e->hook);
		r->access = e->access; /* a literal */
		r->action = R(g, e->action);
		r->policy = R(g, e->policy);
		r->who = who_of(g, e);
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
		r->exec_id = R(g, e->exec_id);
		r->daddr = R(g, e->daddr);
		r->dport = e->dport;
		r->protocol = e->protocol; /* a literal */
		r->dns = R(g, e->dns);
		r->http_host = R(g, http);
		r->tls = R(g, tls);
		r->who = who_of(g, e);
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
		r->node = R(g, e->node);
		r->type = R(g, e->type);
		r->ns = R(g, e->ns);
		r->pod = R(g, e->pod);
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
	v[16] = integer(hornet_store_hash(e->exec_id, strlen(e->exec_id)));
	return 0;
}

bool hornet_ingest__add(struct hornet_ingest *g, const char *line, size_t len)
{
	struct hornet_line *l = &g->line;
	struct ev e = { .dport = -1 };
	const char *cookie = NULL, *t;
	int64_t sent = -1, received = -1;
	bool incoming = false;
	struct proc_row *pr;
	struct sock_info *si;

	if (hornet_line_scan(line, len, l) || !l->type.s || !l->time.s)
		return false;
	t = S(g, &l->time);
	if (hornet_store_parse_rfc3339(t, strlen(t), &e.ts))
		return false;
	e.type = S(g, &l->type);
	e.node = S(g, &l->node);
	e.exec_id = S(g, &l->proc.exec_id);
	e.parent_exec_id = S(g, &l->proc.parent_exec_id);
	e.bin = S(g, &l->proc.binary);
	e.ns = S(g, &l->proc.pod_namespace);
	e.pod = S(g, &l->proc.pod_name);
	e.container = S(g, &l->proc.container);
	e.policy = S(g, &l->policy);
	e.action = S(g, &l->action);
	e.hook = S(g, l->function.s ? &l->function : l->event.s ? &l->event : &l->symbol);
	e.path = e.daddr = e.dns = e.access = "";
	e.protocol = "TCP";
	e.network = !strcmp(e.policy, "hornet-network");
	e.killed =
		!strcmp(e.action, "KPROBE_ACTION_SIGKILL") && !span_is(&l->policy_mode, "monitor");
	read_args(g, &e, l, &sent, &received, &cookie, &incoming);
	if (!strcmp(e.hook, "udp_sendmsg"))
		e.protocol = "UDP";

	if (!strcmp(e.type, "process_dns")) {
		e.network = true;
		e.protocol = "UDP";
		e.dns = S(g, &l->question);
		split_hostport(g, S(g, &l->server), &e.daddr, &e.dport);
		if (span_is(&l->direction, "answer"))
			dns_remember(g, &e, l);
	} else if (!strcmp(e.type, "process_http") || !strcmp(e.type, "process_tls")) {
		bool http = e.type[8] == 'h';

		e.network = true;
		split_hostport(g, S(g, &l->destination), &e.daddr, &e.dport);
		e.dns = S(g, http ? &l->host : &l->sni);
		si = sock_get(g, S(g, &l->socket_cookie), true);
		if (si)
			snprintf(http ? si->http_host : si->tls, sizeof(si->http_host), "%s",
				 e.dns);
	} else if (e.network && e.daddr[0]) {
		e.dns = dns_lookup(g, &e);
	}

	/* rollups */
	pr = l->proc.present ? proc_touch(g, &l->proc, &e) : NULL;
	if (l->parent.present)
		proc_touch(g, &l->parent, &e);
	if (pr) {
		if (!strcmp(e.type, "process_exit")) {
			pr->has_exit = true;
			pr->exit_ns = e.ts;
			if (l->has_status) {
				pr->status = l->status;
				pr->has_status = true;
			}
			if (l->signal.n)
				pr->signal = span_str(&g->roll, &l->signal);
		}
		pr->files += e.path[0] && !e.network;
		pr->network += e.network;
		pr->policy += e.policy[0] && !e.network;
		pr->killed += e.killed;
	}
	if (e.path[0] && !e.network && e.exec_id[0] && strcmp(e.type, "process_uprobe"))
		file_add(g, &e);
	if (e.network &&
	    (!strcmp(e.hook, "inet_csk_accept") || !strcmp(e.hook, "inet_csk_listen_start"))) {
		/*
		 * An accepted socket may have no cookie yet when accept returns: the
		 * port it was accepted on, per process, marks it too.
		 */
		si = sock_get(g, cookie, true);
		if (si)
			si->inbound = true;
		listen_port(g, &e, true);
	} else if (e.network && e.exec_id[0] && e.daddr[0] && e.dport > 0) {
		if (!strcmp(e.hook, "tcp_close")) {
			si = sock_get(g, cookie, false);
			if (!incoming && (!si || !si->inbound) && !listen_port(g, &e, false))
				egress_add(g, &e, si, sent, received);
			if (cookie && cookie[0])
				hmap_del(&g->socks, cookie, strlen(cookie), true);
		} else if (!strcmp(e.hook, "udp_sendmsg")) {
			egress_add(g, &e, NULL, 0, 0);
		}
	}
	timeline_add(g, &e);
	return !raw_add(g, &e, line, len);
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

static const char *const file_cols[] = { "k",	   "path",   "exec_id",	 "hook",
					 "access", "action", "policy",	 "hour",
					 "node",   "ns",     "pod",	 "container",
					 "bin",	   "n",	     "first_ns", "last_ns" };

static void file_fill(struct hornet_db_value *row, const void *entry)
{
	const struct file_row *r = entry;

	row[0] = integer(r->k);
	row[1] = text(r->path);
	row[2] = text(r->exec_id);
	row[3] = text(r->hook);
	row[4] = text(r->access);
	row[5] = text(r->action);
	row[6] = text(r->policy);
	row[7] = integer(r->hour);
	who_fill(row + 8, &r->who);
	row[13] = integer(r->n);
	row[14] = integer(r->first_ns);
	row[15] = integer(r->last_ns);
}

static const char *const egress_cols[] = { "k",
					   "exec_id",
					   "daddr",
					   "dport",
					   "protocol",
					   "dns",
					   "http_host",
					   "tls",
					   "hour",
					   "node",
					   "ns",
					   "pod",
					   "container",
					   "bin",
					   "connections",
					   "bytes_sent",
					   "bytes_received",
					   "first_ns",
					   "last_ns" };

static void egress_fill(struct hornet_db_value *row, const void *entry)
{
	const struct egress_row *r = entry;

	row[0] = integer(r->k);
	row[1] = text(r->exec_id);
	row[2] = text(r->daddr);
	row[3] = integer(r->dport);
	row[4] = text(r->protocol);
	row[5] = text(r->dns);
	row[6] = text(r->http_host);
	row[7] = text(r->tls);
	row[8] = integer(r->hour);
	who_fill(row + 9, &r->who);
	row[14] = integer(r->connections);
	row[15] = integer(r->bytes_sent);
	row[16] = integer(r->bytes_received);
	row[17] = integer(r->first_ns);
	row[18] = integer(r->last_ns);
}

static const char *const timeline_cols[] = { "k", "bucket", "node", "type", "ns", "pod", "n" };

static void timeline_fill(struct hornet_db_value *row, const void *entry)
{
	const struct timeline_row *r = entry;

	row[0] = integer(r->k);
	row[1] = integer(r->bucket);
	row[2] = text(r->node);
	row[3] = text(r->type);
	row[4] = text(r->ns);
	row[5] = text(r->pod);
	row[6] = integer(r->n);
}

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* a process field: what a full record (one with a binary) says, else what was there */
#define KEEP(c) c " = CASE WHEN excluded.bin <> '' THEN excluded." c " ELSE processes." c " END, "

int hornet_ingest__write(struct hornet_ingest *g, struct hornet_db *db, bool rollups, char *err,
			 size_t err_size)
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
		 "ON CONFLICT (k) DO UPDATE SET "
		 "n = files.n + excluded.n, first_ns = %s(files.first_ns, excluded.first_ns), "
		 "last_ns = %s(files.last_ns, excluded.last_ns)",
		 lo, hi);
	snprintf(egress, sizeof(egress),
		 "ON CONFLICT (k) DO UPDATE SET connections = egress.connections + "
		 "excluded.connections, "
		 "bytes_sent = egress.bytes_sent + excluded.bytes_sent, "
		 "bytes_received = egress.bytes_received + excluded.bytes_received, "
		 "first_ns = %s(egress.first_ns, excluded.first_ns), "
		 "last_ns = %s(egress.last_ns, excluded.last_ns)",
		 lo, hi);
	rc = insert_chunks(db, "events", raw_cols, RAW_COLS, g->raw, g->nraw, NULL, err, err_size);
	if (rc || !rollups)
		return rc;
	rc = write_map(&g->procs, db, "processes", proc_cols, NCOLS(proc_cols), procs, proc_fill,
		       err, err_size);
	if (!rc)
		rc = write_map(&g->files, db, "files", file_cols, NCOLS(file_cols), files,
			       file_fill, err, err_size);
	if (!rc)
		rc = write_map(&g->egress, db, "egress", egress_cols, NCOLS(egress_cols), egress,
			       egress_fill, err, err_size);
	if (!rc)
		rc = write_map(&g->timeline, db, "timeline", timeline_cols, NCOLS(timeline_cols),
			       "ON CONFLICT (k) DO UPDATE SET "
			       "n = timeline.n + excluded.n",
			       timeline_fill, err, err_size);
	return rc;
}
