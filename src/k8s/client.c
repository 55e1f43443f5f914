// SPDX-License-Identifier: GPL-2.0
/*
 * The list+watch client (see client.h). One thread per watch, driving one
 * libcurl easy handle through a multi handle: curl_multi_poll() also waits
 * on the stop eventfd, so hornet_k8s_watch__stop() interrupts a transfer
 * or a backoff at once, and its timeout lets the thread cut a silent watch.
 *
 * What the thread hands to the loop goes through a mutex-protected queue and
 * an eventfd in the loop's epoll set. Objects lose metadata.managedFields on
 * the way: nobody here reads it, and it is often the largest part of them.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "k8s/client.h"
#include "k8s/curl_dl.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/poll.h"

#define ERRBODY_MAX 4096
/* a watch event wraps its object in {"type":"MODIFIED","object":...} */
#define ENVELOPE_BYTES 256
#define LIST_BODY_MAX (256UL << 20)
#define CONNECT_TIMEOUT_MS 10000
#define RETRY_AFTER_MAX_S 300
/* objects queued for the loop before the thread waits for it */
#define QUEUE_MAX 1024
/* how long a watch's objects may wait for the loop: batches wake-ups */
#define WAKE_EVERY_MS 20
/* where the uid of an event too large to parse is looked for */
#define PREFIX_SCAN 65536
#define UID_MAX 64

enum { DONE = 0, FAILED = -EIO, GONE = -ESTALE, STOPPED = -ECANCELED };

struct qitem {
	struct qitem *next;
	enum hornet_k8s_ev ev;
	json_t *obj;
};

struct hornet_k8s_watch {
	struct hornet_poll poll; /* eventfd: something is queued */
	int epfd;
	int stop_fd; /* eventfd: stop now */
	int stop;
	pthread_t thread;
	bool started;
	struct hornet_k8s_conn conn;
	char *path, *field_selector, *label_selector;
	struct hornet_k8s_watch_opts opts;
	struct hornet_k8s_watch_ops ops;
	void *ctx;

	pthread_mutex_t lock; /* the queue and the stats */
	pthread_cond_t drained;
	struct qitem *head, **tail;
	size_t queued;
	struct qitem *done; /* handled by the loop, to be freed by the thread */
	struct hornet_k8s_watch_stats stats;

	/* the thread's own */
	CURLM *multi;
	CURL *curl;
	char curl_err[CURL_ERROR_SIZE];
	bool streaming; /* a watch: the body is JSON lines */
	long status;
	char errbody[ERRBODY_MAX + 1];
	size_t errbody_len;
	char *body; /* a list page */
	size_t body_len, body_cap;
	bool body_over;
	char *line; /* a watch line being assembled */
	size_t line_len, line_cap;
	bool skipping; /* the rest of an oversized line */
	bool gone, dead, bad_stream;
	uint64_t last_data_ms;
	bool wake_pending; /* queued since the loop was last woken */
	uint64_t last_wake_ms;
	unsigned int attempt;
	long retry_after_s;
	char rv[64];
};

static bool stopping(struct hornet_k8s_watch *w)
{
	return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE);
}

static void free_queue(struct qitem *q)
{
	struct qitem *next;

	for (; q; q = next) {
		next = q->next;
		json_decref(q->obj);
		free(q);
	}
}

/*
 * Frees what the loop has handled. Here rather than in the loop: objects
 * freed by the thread that allocated them go back to its malloc cache, and
 * the next parse reuses them (freed by the loop, each parse went to the
 * slow path of malloc: the most of the watch's CPU at 500 changes a second).
 */
static void free_done(struct hornet_k8s_watch *w)
{
	struct qitem *q;

	pthread_mutex_lock(&w->lock);
	q = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	free_queue(q);
}

/* Wakes the loop for what is queued, at most every WAKE_EVERY_MS unless @force. */
static void wake_loop(struct hornet_k8s_watch *w, bool force)
{
	uint64_t one = 1;
	ssize_t n;

	if (!w->wake_pending || (!force && hornet_mono_ms() - w->last_wake_ms < WAKE_EVERY_MS))
		return;
	w->wake_pending = false;
	w->last_wake_ms = hornet_mono_ms();
	n = write(w->poll.fd, &one, sizeof(one));
	(void)n; /* an eventfd at its maximum is readable anyway */
}

/*
 * Queues for the loop. Objects of a watch wake it in batches (see
 * request()): one wake-up per object costs more than the object at a few
 * hundred changes a second. The rest wakes it at once.
 */
static void enqueue(struct hornet_k8s_watch *w, enum hornet_k8s_ev ev, json_t *obj)
{
	struct qitem *q = calloc(1, sizeof(*q));

	if (!q) {
		json_decref(obj);
		return;
	}
	q->ev = ev;
	q->obj = obj;
	pthread_mutex_lock(&w->lock);
	/* a loop busy elsewhere must not let a large list pile up in memory */
	while (w->queued >= QUEUE_MAX && !stopping(w)) {
		wake_loop(w, true);
		pthread_cond_wait(&w->drained, &w->lock);
	}
	if (!w->head)
		w->wake_pending = true;
	*w->tail = q;
	w->tail = &q->next;
	w->queued++;
	pthread_mutex_unlock(&w->lock);
	if (!obj)
		wake_loop(w, true);
}

/* Records an error; logs it when it differs from the previous one. */
__attribute__((format(printf, 2, 3))) static void set_error(struct hornet_k8s_watch *w,
							    const char *fmt, ...)
{
	char msg[sizeof(w->stats.last_error)];
	bool changed;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&w->lock);
	w->stats.errors++;
	w->stats.synced = false;
	changed = strcmp(w->stats.last_error, msg);
	if (changed)
		snprintf(w->stats.last_error, sizeof(w->stats.last_error), "%s", msg);
	pthread_mutex_unlock(&w->lock);
	if (changed) {
		pr_warn("k8s watch '%s': %s; retrying", w->path, msg);
		enqueue(w, HORNET_K8S_ERROR, NULL);
	}
}

static void clear_error(struct hornet_k8s_watch *w)
{
	bool had;

	pthread_mutex_lock(&w->lock);
	had = w->stats.last_error[0];
	w->stats.last_error[0] = '\0';
	pthread_mutex_unlock(&w->lock);
	if (had)
		pr_info("k8s watch '%s': connected to %s again", w->path, w->conn.server);
}

static void set_rv(struct hornet_k8s_watch *w, json_t *obj)
{
	const char *rv = json_string_value(
		json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));

	if (!rv || !rv[0] || strlen(rv) >= sizeof(w->rv))
		return;
	strcpy(w->rv, rv);
}

static void count(struct hornet_k8s_watch *w, uint64_t *field)
{
	pthread_mutex_lock(&w->lock);
	(*field)++;
	pthread_mutex_unlock(&w->lock);
}

/* An object reduced to what names it: metadata's uid, namespace and name. */
static json_t *stub(json_t *md)
{
	static const char *const keys[] = { "uid", "namespace", "name" };
	json_t *o = json_object(), *m = json_object(), *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = json_object_get(md, keys[i]);
		if (json_is_string(v))
			json_object_set(m, keys[i], v);
	}
	json_object_set_new(o, "metadata", m);
	return o;
}

/*
 * Queues @obj (taking a reference) unless it is over the limits. A
 * MODIFIED object over them is announced as DELETED (with only its names):
 * what it was before is no longer true.
 */
static void deliver(struct hornet_k8s_watch *w, enum hornet_k8s_ev ev, json_t *obj, size_t size)
{
	json_t *md = json_object_get(obj, "metadata");
	json_t *labels = json_object_get(md, "labels");

	if (!json_is_object(obj) || !json_is_object(md)) {
		count(w, &w->stats.refused);
		pr_debug("k8s watch '%s': object without metadata refused", w->path);
		return;
	}
	if (size > w->opts.max_object_bytes || json_object_size(labels) > w->opts.max_labels) {
		count(w, &w->stats.refused);
		pr_warn("k8s watch '%s': object '%s/%s' refused: %zu bytes, %zu labels "
			"(limits %zu bytes, %u labels)",
			w->path, json_string_value(json_object_get(md, "namespace")) ?: "",
			json_string_value(json_object_get(md, "name")) ?: "?", size,
			json_object_size(labels), w->opts.max_object_bytes, w->opts.max_labels);
		/* an object that grew over the limits must not stay known as it was */
		if (ev == HORNET_K8S_MODIFIED)
			enqueue(w, HORNET_K8S_DELETED, stub(md));
		return;
	}
	json_object_del(md, "managedFields");
	count(w, &w->stats.events);
	enqueue(w, ev, json_incref(obj));
}

static void handle_line(struct hornet_k8s_watch *w, const char *buf, size_t len)
{
	json_t *ev, *obj;
	const char *type;
	json_error_t e;

	ev = json_loadb(buf, len, 0, &e);
	type = json_string_value(json_object_get(ev, "type"));
	obj = json_object_get(ev, "object");
	if (!type || !json_is_object(obj)) {
		set_error(w, "watch %s%s: malformed event (%s)", w->conn.server, w->path,
			  ev ? "no type or object" : e.text);
		w->bad_stream = true;
		json_decref(ev);
		return;
	}
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED") || !strcmp(type, "DELETED")) {
		set_rv(w, obj);
		deliver(w,
			type[0] == 'A'	 ? HORNET_K8S_ADDED
			: type[0] == 'M' ? HORNET_K8S_MODIFIED
					 : HORNET_K8S_DELETED,
			obj, len);
	} else if (!strcmp(type, "BOOKMARK")) {
		set_rv(w, obj);
		count(w, &w->stats.bookmarks);
	} else if (!strcmp(type, "ERROR")) {
		if (json_integer_value(json_object_get(obj, "code")) == 410) {
			w->gone = true;
		} else {
			set_error(w, "watch %s%s: %s", w->conn.server, w->path,
				  json_string_value(json_object_get(obj, "message"))
					  ?: "ERROR event");
			w->bad_stream = true;
		}
	}
	json_decref(ev);
}

/*
 * Refuses an event too large to parse. If it modifies an object, the
 * object's uid is at the start of its metadata (the API server writes the
 * fields in their declared order, uid before labels and annotations): it is
 * announced as DELETED, as deliver() does for a parsed one.
 */
static void refuse_line(struct hornet_k8s_watch *w, const char *pre, size_t len)
{
	static const char modified[] = "{\"type\":\"MODIFIED\"";
	const char *md, *u, *end;
	char uid[UID_MAX];
	json_t *o;

	count(w, &w->stats.refused);
	pr_warn("k8s watch '%s': event over %zu bytes refused", w->path,
		w->opts.max_object_bytes + ENVELOPE_BYTES);
	if (len > PREFIX_SCAN)
		len = PREFIX_SCAN;
	if (len < sizeof(modified) || memcmp(pre, modified, sizeof(modified) - 1))
		return;
	md = memmem(pre, len, "\"metadata\":{", 12);
	u = md ? memmem(md, pre + len - md, "\"uid\":\"", 7) : NULL;
	if (!u)
		return;
	u += 7;
	end = memchr(u, '"', pre + len - u);
	if (!end || end == u || (size_t)(end - u) >= sizeof(uid))
		return;
	memcpy(uid, u, end - u);
	uid[end - u] = '\0';
	o = json_pack("{s:{s:s}}", "metadata", "uid", uid);
	if (o)
		enqueue(w, HORNET_K8S_DELETED, o);
}

/* Splits the stream into lines; a line longer than the limit is skipped to its end. */
static void feed_lines(struct hornet_k8s_watch *w, const char *p, size_t len)
{
	size_t limit = w->opts.max_object_bytes + ENVELOPE_BYTES, chunk;
	const char *nl;

	while (len && !w->gone && !w->bad_stream) {
		nl = memchr(p, '\n', len);
		chunk = nl ? (size_t)(nl - p) : len;
		if (!w->skipping && w->line_len + chunk > limit) {
			refuse_line(w, w->line_len ? w->line : p,
				    w->line_len ? w->line_len : chunk);
			w->skipping = true;
			w->line_len = 0;
		}
		if (!w->skipping) {
			if (w->line_len + chunk > w->line_cap) {
				size_t cap = w->line_cap ? w->line_cap : 65536;
				char *n;

				while (cap < w->line_len + chunk)
					cap *= 2;
				n = realloc(w->line, cap);
				if (!n) {
					w->bad_stream = true;
					return;
				}
				w->line = n;
				w->line_cap = cap;
			}
			memcpy(w->line + w->line_len, p, chunk);
			w->line_len += chunk;
		}
		if (!nl)
			return;
		if (!w->skipping && w->line_len)
			handle_line(w, w->line, w->line_len);
		w->skipping = false;
		w->line_len = 0;
		p = nl + 1;
		len -= chunk + 1;
	}
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct hornet_k8s_watch *w = arg;
	size_t len = size * nmemb, n;

	w->last_data_ms = hornet_mono_ms();
	free_done(w);
	if (!w->status)
		curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &w->status);
	if (w->status != 200) {
		n = len < ERRBODY_MAX - w->errbody_len ? len : ERRBODY_MAX - w->errbody_len;
		memcpy(w->errbody + w->errbody_len, p, n);
		w->errbody_len += n;
		w->errbody[w->errbody_len] = '\0';
		return len;
	}
	if (w->streaming) {
		feed_lines(w, p, len);
		/* a 0 return aborts the transfer */
		return w->gone || w->bad_stream ? 0 : len;
	}
	if (w->body_len + len + 1 > w->body_cap) {
		size_t cap = w->body_cap ? w->body_cap : 65536;
		char *nb;

		while (cap < w->body_len + len + 1)
			cap *= 2;
		if (cap > LIST_BODY_MAX || !(nb = realloc(w->body, cap))) {
			w->body_over = true;
			return 0;
		}
		w->body = nb;
		w->body_cap = cap;
	}
	memcpy(w->body + w->body_len, p, len);
	w->body_len += len;
	return len;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct hornet_k8s_watch *w = arg;
	size_t len = size * nmemb;

	if (len > 12 && !strncasecmp(p, "Retry-After:", 12))
		w->retry_after_s = strtol(p + 12, NULL, 10);
	return len;
}

/* The bearer token, read again from its file on every request: projected tokens rotate. */
static int auth_header(struct hornet_k8s_watch *w, char *out, size_t size)
{
	char tok[8192];
	size_t n;
	FILE *f;

	out[0] = '\0';
	if (w->conn.token_file) {
		f = fopen(w->conn.token_file, "re");
		if (!f) {
			set_error(w, "token file '%s': %s", w->conn.token_file, strerror(errno));
			return -errno;
		}
		n = fread(tok, 1, sizeof(tok) - 1, f);
		fclose(f);
		tok[n] = '\0';
		tok[strcspn(tok, "\r\n")] = '\0';
		if (!tok[0]) {
			set_error(w, "token file '%s' is empty", w->conn.token_file);
			return -EINVAL;
		}
	} else if (w->conn.token) {
		snprintf(tok, sizeof(tok), "%s", w->conn.token);
	} else {
		return 0;
	}
	snprintf(out, size, "Authorization: Bearer %s", tok);
	return 0;
}

/* The Status message of an error answer, else its first bytes. */
static void status_message(struct hornet_k8s_watch *w, char *out, size_t size)
{
	json_t *st = json_loads(w->errbody, 0, NULL);
	const char *m = json_string_value(json_object_get(st, "message"));
	size_t i;

	snprintf(out, size, "%.*s", (int)size - 1, m ? m : w->errbody);
	json_decref(st);
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
}

static const char *credential(struct hornet_k8s_watch *w)
{
	if (w->conn.token_file)
		return "the token in tokenFile";
	if (w->conn.token)
		return "the token";
	if (w->conn.cert_file || w->conn.cert_data)
		return "the client certificate";
	return "anonymous access (no credentials configured)";
}

/*
 * One request. Returns DONE (a 200 answer, read to its end or cut by the
 * line handler), GONE, STOPPED or FAILED (with the error recorded).
 */
static int request(struct hornet_k8s_watch *w, const char *url, const char *what)
{
	char auth[8300], msg[200];
	struct curl_slist *hdrs = NULL;
	CURLcode rc = CURLE_OK;
	struct curl_waitfd wfd = { .fd = w->stop_fd, .events = CURL_WAIT_POLLIN };
	CURLMsg *m;
	int running = 1, left;
	uint64_t dead_ms = w->opts.dead_timeout_ms;

	if (auth_header(w, auth, sizeof(auth)))
		return FAILED;
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (auth[0])
		hdrs = curl_slist_append(hdrs, auth);
	w->status = 0;
	w->errbody_len = 0;
	w->errbody[0] = '\0';
	w->body_len = 0;
	w->body_over = false;
	w->line_len = 0;
	w->skipping = false;
	w->gone = w->dead = w->bad_stream = false;
	w->retry_after_s = 0;
	w->curl_err[0] = '\0';
	w->last_data_ms = hornet_mono_ms();
	curl_easy_setopt(w->curl, CURLOPT_URL, url);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_multi_add_handle(w->multi, w->curl);
	while (running) {
		uint64_t idle;

		if (curl_multi_perform(w->multi, &running) != CURLM_OK)
			break;
		wake_loop(w, false);
		if (!running)
			break;
		if (curl_multi_poll(w->multi, &wfd, 1, w->wake_pending ? WAKE_EVERY_MS : 500,
				    NULL) != CURLM_OK)
			break;
		if (stopping(w))
			break;
		idle = hornet_mono_ms() - w->last_data_ms;
		if (idle > dead_ms) {
			w->dead = true;
			break;
		}
	}
	while ((m = curl_multi_info_read(w->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			rc = m->data.result;
	if (running && !rc)
		rc = CURLE_ABORTED_BY_CALLBACK;
	if (!w->status)
		curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &w->status);
	curl_multi_remove_handle(w->multi, w->curl);
	curl_slist_free_all(hdrs);
	wake_loop(w, true);
	/* no copy of the token left on the stack */
	memset(auth, 0, sizeof(auth));

	if (stopping(w))
		return STOPPED;
	if (w->gone)
		return GONE;
	if (w->dead) {
		count(w, &w->stats.dead);
		pr_info("k8s watch '%s': nothing received for %llu ms; reconnecting", w->path,
			(unsigned long long)dead_ms);
		return FAILED;
	}
	if (w->bad_stream)
		return FAILED; /* recorded by the line handler */
	if (w->status == 200 && (rc == CURLE_OK || w->streaming)) {
		/* a watch the server or the network ended resumes from the last resourceVersion */
		return DONE;
	}
	if (w->status == 200 && w->body_over) {
		set_error(w, "%s %s%s: answer larger than %lu MiB", what, w->conn.server, w->path,
			  LIST_BODY_MAX >> 20);
		return FAILED;
	}
	/* no answer, or one cut short */
	if (rc != CURLE_OK && (!w->status || w->status == 200)) {
		if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
			set_error(w,
				  "%s %s: TLS: the server's certificate is not trusted by "
				  "%s%s (%s)",
				  what, w->conn.server,
				  w->conn.ca_file   ? "certificate-authority "
				  : w->conn.ca_data ? "certificate-authority-data"
						    : "the system's CAs",
				  w->conn.ca_file ?: "",
				  w->curl_err[0] ? w->curl_err : curl_easy_strerror(rc));
		else
			set_error(w, "%s %s: %s", what, w->conn.server,
				  w->curl_err[0] ? w->curl_err : curl_easy_strerror(rc));
		return FAILED;
	}
	status_message(w, msg, sizeof(msg));
	switch (w->status) {
	case 410:
		return GONE;
	case 401:
		set_error(w, "%s %s: 401 Unauthorized: the server refused %s", what, w->conn.server,
			  credential(w));
		break;
	case 403:
		set_error(w, "%s %s%s: 403 Forbidden: %s", what, w->conn.server, w->path, msg);
		break;
	case 429:
		count(w, &w->stats.throttled);
		set_error(w, "%s %s: 429 Too Many Requests (retry after %ld s)", what,
			  w->conn.server, w->retry_after_s);
		break;
	default:
		set_error(w, "%s %s%s: HTTP %ld: %s", what, w->conn.server, w->path, w->status,
			  msg);
		break;
	}
	return FAILED;
}

static int url_add(char *url, size_t size, const char *key, const char *value)
{
	size_t len = strlen(url);
	char *esc;
	int n;

	if (!value || !value[0])
		return 0;
	esc = curl_easy_escape(NULL, value, 0);
	if (!esc)
		return -ENOMEM;
	n = snprintf(url + len, size - len, "%c%s=%s", strchr(url, '?') ? '&' : '?', key, esc);
	curl_free(esc);
	return n < 0 || (size_t)n >= size - len ? -ENAMETOOLONG : 0;
}

static int build_url(struct hornet_k8s_watch *w, char *url, size_t size, const char *cont,
		     bool watch)
{
	char num[32];
	int ret;

	snprintf(url, size, "%s%s", w->conn.server, w->path);
	ret = url_add(url, size, "fieldSelector", w->field_selector);
	ret = ret ?: url_add(url, size, "labelSelector", w->label_selector);
	if (watch) {
		/* as client-go does: the server ends the watch after 5 to 10 minutes */
		snprintf(num, sizeof(num), "%d", 300 + rand() % 300);
		ret = ret ?: url_add(url, size, "watch", "1");
		ret = ret ?: url_add(url, size, "allowWatchBookmarks", "true");
		ret = ret ?: url_add(url, size, "resourceVersion", w->rv);
		ret = ret ?: url_add(url, size, "timeoutSeconds", num);
	} else {
		snprintf(num, sizeof(num), "%u", w->opts.page_size);
		ret = ret ?: url_add(url, size, "limit", num);
		ret = ret ?: url_add(url, size, "continue", cont);
	}
	return ret;
}

static int do_list(struct hornet_k8s_watch *w)
{
	char url[8192], *cont = NULL;
	json_t *list, *items, *item;
	json_error_t e;
	size_t i;
	int ret;

	w->streaming = false;
	enqueue(w, HORNET_K8S_RELIST, NULL);
	do {
		if (build_url(w, url, sizeof(url), cont, false)) {
			set_error(w, "list %s: URL too long", w->path);
			ret = FAILED;
			break;
		}
		ret = request(w, url, "list");
		if (ret == GONE) {
			/* the continue token expired: list again from the start */
			set_error(w, "list %s%s: 410 Gone (continue token expired)", w->conn.server,
				  w->path);
			ret = FAILED;
		}
		if (ret)
			break;
		list = json_loadb(w->body ?: "", w->body_len, 0, &e);
		items = json_object_get(list, "items");
		if (!json_is_array(items)) {
			set_error(w, "list %s%s: not a list (%s)", w->conn.server, w->path,
				  list ? "no items" : e.text);
			json_decref(list);
			ret = FAILED;
			break;
		}
		json_array_foreach(items, i, item)
		{
			deliver(w, HORNET_K8S_ADDED, item, json_dumpb(item, NULL, 0, JSON_COMPACT));
		}
		set_rv(w, list);
		free(cont);
		cont = NULL;
		item = json_object_get(json_object_get(list, "metadata"), "continue");
		if (json_string_length(item) && !(cont = strdup(json_string_value(item))))
			ret = FAILED;
		json_decref(list);
	} while (!ret && cont);
	free(cont);
	if (w->body_cap > (1 << 20)) {
		/* a large list happens once; its buffer need not stay */
		free(w->body);
		w->body = NULL;
		w->body_cap = 0;
	}
	if (ret)
		return ret;
	pthread_mutex_lock(&w->lock);
	w->stats.lists++;
	w->stats.synced = true;
	snprintf(w->stats.resource_version, sizeof(w->stats.resource_version), "%s", w->rv);
	pthread_mutex_unlock(&w->lock);
	clear_error(w);
	enqueue(w, HORNET_K8S_SYNCED, NULL);
	return DONE;
}

static int do_watch(struct hornet_k8s_watch *w)
{
	char url[8192];
	int ret;

	if (build_url(w, url, sizeof(url), NULL, true)) {
		set_error(w, "watch %s: URL too long", w->path);
		return FAILED;
	}
	w->streaming = true;
	count(w, &w->stats.watches);
	ret = request(w, url, "watch");
	pthread_mutex_lock(&w->lock);
	snprintf(w->stats.resource_version, sizeof(w->stats.resource_version), "%s", w->rv);
	if (ret == DONE)
		w->stats.synced = true;
	pthread_mutex_unlock(&w->lock);
	if (w->line_cap > (4 << 20)) {
		free(w->line);
		w->line = NULL;
		w->line_cap = 0;
	}
	if (ret == DONE)
		clear_error(w);
	return ret;
}

/* Sleeps @ms unless told to stop. */
static void pause_ms(struct hornet_k8s_watch *w, unsigned int ms)
{
	struct pollfd p = { .fd = w->stop_fd, .events = POLLIN };

	if (!stopping(w))
		poll(&p, 1, ms);
}

static void backoff(struct hornet_k8s_watch *w)
{
	unsigned int shift = w->attempt < 16 ? w->attempt : 16;
	uint64_t ms = (uint64_t)w->opts.backoff_min_ms << shift;

	if (ms > w->opts.backoff_max_ms)
		ms = w->opts.backoff_max_ms;
	/* jitter: agents of a whole cluster must not come back in step */
	ms = ms / 2 + (uint64_t)rand() % (ms / 2 + 1);
	if (w->retry_after_s > 0)
		ms = (uint64_t)(w->retry_after_s < RETRY_AFTER_MAX_S ? w->retry_after_s
								     : RETRY_AFTER_MAX_S) *
		     1000;
	w->attempt++;
	pause_ms(w, ms);
}

static void *watch_main(void *arg)
{
	struct hornet_k8s_watch *w = arg;
	bool need_list = true;
	uint64_t t0;
	int ret;

	while (!stopping(w)) {
		t0 = hornet_mono_ms();
		if (need_list) {
			ret = do_list(w);
			if (!ret)
				need_list = false;
		} else {
			ret = do_watch(w);
			if (ret == GONE) {
				count(w, &w->stats.gone);
				pr_info("k8s watch '%s': resourceVersion %s expired (410 "
					"Gone); "
					"listing again",
					w->path, w->rv);
				need_list = true;
				continue;
			}
		}
		if (ret == STOPPED)
			break;
		if (ret == DONE) {
			w->attempt = 0;
			/* a server that ends watches at once must not make us spin */
			if (hornet_mono_ms() - t0 < 1000 && !need_list)
				pause_ms(w, w->opts.backoff_min_ms);
			continue;
		}
		if (w->dead)
			continue; /* resume at once from the last resourceVersion */
		backoff(w);
	}
	return NULL;
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

static int setup_curl(struct hornet_k8s_watch *w)
{
	const struct hornet_k8s_conn *c = &w->conn;
	struct curl_blob b;

	w->multi = curl_multi_init();
	w->curl = curl_easy_init();
	if (!w->multi || !w->curl)
		return -ENOMEM;
	curl_easy_setopt(w->curl, CURLOPT_ERRORBUFFER, w->curl_err);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(w->curl, CURLOPT_HEADERDATA, w);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(w->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(w->curl, CURLOPT_USERAGENT, "hornet/" HORNET_VERSION);
	curl_easy_setopt(w->curl, CURLOPT_ACCEPT_ENCODING, "");
	if (c->insecure) {
		curl_easy_setopt(w->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(w->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->ca_data) {
		/* only this CA: not the system's as well */
		curl_easy_setopt(w->curl, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(w->curl, CURLOPT_CAPATH, NULL);
		b = (struct curl_blob){ c->ca_data, strlen(c->ca_data), CURL_BLOB_COPY };
		curl_easy_setopt(w->curl, CURLOPT_CAINFO_BLOB, &b);
	} else if (c->ca_file) {
		curl_easy_setopt(w->curl, CURLOPT_CAINFO, c->ca_file);
		curl_easy_setopt(w->curl, CURLOPT_CAPATH, NULL);
	}
	if (c->cert_data) {
		b = (struct curl_blob){ c->cert_data, strlen(c->cert_data), CURL_BLOB_COPY };
		curl_easy_setopt(w->curl, CURLOPT_SSLCERT_BLOB, &b);
		curl_easy_setopt(w->curl, CURLOPT_SSLCERTTYPE, "PEM");
	} else if (c->cert_file) {
		curl_easy_setopt(w->curl, CURLOPT_SSLCERT, c->cert_file);
	}
	if (c->key_data) {
		b = (struct curl_blob){ c->key_data, strlen(c->key_data), CURL_BLOB_COPY };
		curl_easy_setopt(w->curl, CURLOPT_SSLKEY_BLOB, &b);
		curl_easy_setopt(w->curl, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (c->key_file) {
		curl_easy_setopt(w->curl, CURLOPT_SSLKEY, c->key_file);
	}
	return 0;
}

static void on_queue(struct hornet_poll *p, uint32_t events)
{
	hornet_k8s_watch__drain((struct hornet_k8s_watch *)p);
}

static void watch_free(struct hornet_k8s_watch *w)
{
	if (w->curl)
		curl_easy_cleanup(w->curl);
	if (w->multi)
		curl_multi_cleanup(w->multi);
	free_queue(w->head);
	free_queue(w->done);
	if (w->poll.fd >= 0) {
		if (w->epfd >= 0)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->poll.fd, NULL);
		close(w->poll.fd);
	}
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->drained);
	hornet_k8s_conn_fini(&w->conn);
	free(w->path);
	free(w->field_selector);
	free(w->label_selector);
	free(w->body);
	free(w->line);
	free(w);
}

HORNET_DLIB_DEFINE(curl, "libcurl.so.4", HORNET_CURL_FNS);

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	srand(hornet_mono_ms() ^ getpid());
}

struct hornet_k8s_watch *hornet_k8s_watch__start(const struct hornet_k8s_conn *conn,
						 const struct hornet_k8s_watch_opts *opts,
						 const struct hornet_k8s_watch_ops *ops, void *ctx,
						 int epfd)
{
	struct hornet_k8s_watch *w;
	struct epoll_event ev = { .events = EPOLLIN };
	bool failed = false;
	int err;

	if (!conn || !conn->server || !opts || !opts->path || !ops || !ops->event) {
		errno = EINVAL;
		return NULL;
	}
	if (hornet_dlib_load(&hornet_curl_lib)) {
		pr_err("k8s: %s", hornet_curl_lib.error);
		errno = ELIBACC;
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->drained, NULL);
	w->tail = &w->head;
	w->epfd = epfd;
	w->ops = *ops;
	w->ctx = ctx;
	w->opts = *opts;
	w->opts.page_size = opts->page_size ?: 500;
	w->opts.dead_timeout_ms = opts->dead_timeout_ms ?: 5 * 60 * 1000;
	w->opts.backoff_min_ms = opts->backoff_min_ms ?: 250;
	w->opts.backoff_max_ms = opts->backoff_max_ms ?: 30000;
	if (w->opts.backoff_max_ms < w->opts.backoff_min_ms)
		w->opts.backoff_max_ms = w->opts.backoff_min_ms;
	w->opts.max_object_bytes = opts->max_object_bytes ?: 2 << 20;
	w->opts.max_labels = opts->max_labels ?: 1024;
	w->path = dup_or_null(opts->path, &failed);
	w->field_selector = dup_or_null(opts->field_selector, &failed);
	w->label_selector = dup_or_null(opts->label_selector, &failed);
	w->opts.path = w->path;
	w->opts.field_selector = w->field_selector;
	w->opts.label_selector = w->label_selector;
	w->conn.server = dup_or_null(conn->server, &failed);
	w->conn.ca_file = dup_or_null(conn->ca_file, &failed);
	w->conn.ca_data = dup_or_null(conn->ca_data, &failed);
	w->conn.token = dup_or_null(conn->token, &failed);
	w->conn.token_file = dup_or_null(conn->token_file, &failed);
	w->conn.cert_file = dup_or_null(conn->cert_file, &failed);
	w->conn.key_file = dup_or_null(conn->key_file, &failed);
	w->conn.cert_data = dup_or_null(conn->cert_data, &failed);
	w->conn.key_data = dup_or_null(conn->key_data, &failed);
	w->conn.namespace = dup_or_null(conn->namespace, &failed);
	w->conn.insecure = conn->insecure;
	w->poll.fn = on_queue;
	w->poll.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (failed) {
		err = ENOMEM;
		goto fail;
	}
	if (w->poll.fd < 0 || w->stop_fd < 0) {
		err = errno;
		goto fail;
	}
	err = -setup_curl(w);
	if (err)
		goto fail;
	ev.data.ptr = &w->poll;
	if (epfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, w->poll.fd, &ev)) {
		err = errno;
		goto fail;
	}
	err = pthread_create(&w->thread, NULL, watch_main, w);
	if (err)
		goto fail;
	w->started = true;
	return w;
fail:
	watch_free(w);
	errno = err;
	return NULL;
}

void hornet_k8s_watch__stop(struct hornet_k8s_watch *w)
{
	uint64_t one = 1;
	ssize_t n;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->drained);
	pthread_mutex_unlock(&w->lock);
	n = write(w->stop_fd, &one, sizeof(one));
	(void)n;
	if (w->started)
		pthread_join(w->thread, NULL);
	watch_free(w);
}

void hornet_k8s_watch__drain(struct hornet_k8s_watch *w)
{
	struct qitem *q, *last = NULL;
	uint64_t v;
	ssize_t n;

	n = read(w->poll.fd, &v, sizeof(v));
	(void)n;
	pthread_mutex_lock(&w->lock);
	q = w->head;
	w->head = NULL;
	w->tail = &w->head;
	w->queued = 0;
	pthread_cond_broadcast(&w->drained);
	pthread_mutex_unlock(&w->lock);
	if (!q)
		return;
	for (last = q;; last = last->next) {
		w->ops.event(w->ctx, last->ev, last->obj);
		if (!last->next)
			break;
	}
	pthread_mutex_lock(&w->lock);
	last->next = w->done;
	w->done = q;
	pthread_mutex_unlock(&w->lock);
}

void hornet_k8s_watch__stats(struct hornet_k8s_watch *w, struct hornet_k8s_watch_stats *s)
{
	pthread_mutex_lock(&w->lock);
	*s = w->stats;
	pthread_mutex_unlock(&w->lock);
}
