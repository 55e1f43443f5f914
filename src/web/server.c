// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP server: libmicrohttpd with its own epoll thread pool, so a slow
 * client or a slow query never touches the agent's event loop. Requests that
 * change or read the agent's state go to its unix socket, where its own
 * thread answers them (web/agent_call.c), from two caller threads of ours
 * while the request's connection is suspended; history queries go to the
 * store; live events come from web/live.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <microhttpd.h>
#include <utlist.h>

#include "export/json.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "web/agent_call.h"
#include "web/assets.h"
#include "web/live.h"
#include "web/mhd_dl.h"
#include "web/metrics.h"
#include "web/request.h"
#include "web/store_feed.h"
#include "web/web.h"

/* Bodies the API takes; larger ones are read and thrown away up to
 * DISCARD_MAX (so the client reads its 413), beyond it the connection closes. */
#define BODY_MAX (1u << 20)
#define DISCARD_MAX (64u << 20)
#define POOL_THREADS 4
/* Threads that wait for the agent's socket, and the requests that may queue for them. */
#define CALLERS 2
#define QUEUE_MAX 64
#define CONNECTION_TIMEOUT_S 60
/* From the headers to the body's last byte: the idle timeout alone lets a body trickle for ever. */
#define BODY_TIMEOUT_MS 30000
/* From the connection, or the end of its last request, to the next request's whole headers. */
#define HEADER_TIMEOUT_MS (CONNECTION_TIMEOUT_S * 1000)
#define UI_FILE_MAX (16u << 20)

/* Time the agent gets to answer, per kind of request. */
#define READY_TIMEOUT_MS 1000
#define STATUS_TIMEOUT_MS 5000
#define CHANGE_TIMEOUT_MS 60000

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
			  "object-src 'none'; base-uri 'none'; form-action 'self'; "
			  "frame-ancestors 'none'";

struct listener {
	struct hornet_web *w;
	bool metrics_only;
};

/*
 * A connection, watched while it waits for a request's headers: libmicrohttpd
 * calls us only once they are whole, and its timeout is an idle one, so
 * headers trickled a byte at a time would hold the connection for ever.
 */
struct conn {
	struct conn *prev, *next;
	int fd;
	bool in_request; /* headers whole: the request's own limits apply */
	bool reaped;
	uint64_t since_ms;
};

struct hornet_web {
	struct MHD_Daemon *d, *md;
	/* the connections, and the thread that closes those too slow with their headers */
	pthread_mutex_t c_lock;
	pthread_cond_t c_cond;
	struct conn *conns;
	bool c_stop;
	bool reaper_started;
	pthread_t reaper;
	_Atomic uint64_t timeouts; /* closed: headers or body too slow */
	struct listener main_l, metrics_l;
	char token[65];
	/* hornet_token_PORT: cookies do not tell ports apart, and an agent and a
	 * `hornet ui` on one host would otherwise log each other out */
	char cookie[32];
	char url[320];
	char *socket, *node_name, *label_filter, *ui_dir;
	struct hornet_store *store;
	bool tls;
	unsigned int port;
	struct web_hosts hosts; /* the names the Host header may give */
	char *cert, *key;
	struct web_live *live;
	struct web_store_feed *feed; /* `hornet ui`: live events from the store */
	struct web_agent agent;
	/* requests for the agent, answered on threads of their own so that a slow
	 * agent (loading a policy, starting, stopping) holds no thread of the pool */
	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	struct request *q_head, *q_tail;
	unsigned int q_len;
	bool q_stop;
	pthread_t callers[CALLERS];
	unsigned int ncallers;
	_Atomic uint64_t requests, errors, unauthorized;
};

/* An answer made on a caller thread, sent when the connection resumes. */
struct prepared {
	unsigned int status;
	const char *ctype;
	char *body;
	size_t len;
};

enum job { JOB_CALL, JOB_READY, JOB_METRICS };

struct request {
	char *body;
	size_t len;
	size_t seen; /* body bytes received, kept or not */
	uint64_t body_deadline_ms;
	bool too_big;
	/* a request for the agent: suspended while a caller thread waits for it */
	enum { STAGE_NEW, STAGE_WAITING, STAGE_READY } stage;
	enum job job;
	json_t *call; /* JOB_CALL: the request for the agent's socket */
	int timeout_ms;
	unsigned int ok_status;
	struct prepared out;
	struct MHD_Connection *c;
	struct request *next; /* in the callers' queue */
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	pr_debug("http: %s", msg);
}

/* ---- answers ---- */

static enum MHD_Result answer(struct hornet_web *w, struct MHD_Connection *c, unsigned int status,
			      const char *ctype, const void *buf, size_t len,
			      enum MHD_ResponseMemoryMode mode, const char *cookie,
			      const char *location)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)buf, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	if (location)
		MHD_add_response_header(r, "Location", location);
	if (status >= 400)
		atomic_fetch_add(&w->errors, 1);
	if (status == 401)
		atomic_fetch_add(&w->unauthorized, 1);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void prep(struct prepared *p, unsigned int status, const char *ctype, char *body, size_t len)
{
	free(p->body);
	p->status = status;
	p->ctype = ctype;
	p->body = body;
	p->len = len;
}

/* {"error": "..."} as the answer to prepare. */
static void prep_error_v(struct prepared *p, unsigned int status, const char *fmt, va_list ap)
{
	struct hornet_json j;
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	hornet_json_str(&j, "error", msg);
	hornet_json_obj_end(&j);
	hornet_json_append(&j, "\n", 1);
	if (j.failed) {
		char *oom = strdup("{\"error\":\"out of memory\"}\n");

		hornet_json_free(&j);
		prep(p, 500, "application/json", oom, oom ? strlen(oom) : 0);
		return;
	}
	prep(p, status, "application/json", j.buf, j.len);
}

static void __attribute__((format(printf, 3, 4)))
prep_error(struct prepared *p, unsigned int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	prep_error_v(p, status, fmt, ap);
	va_end(ap);
}

static enum MHD_Result __attribute__((format(printf, 4, 5)))
error(struct hornet_web *w, struct MHD_Connection *c, unsigned int status, const char *fmt, ...)
{
	struct prepared p = { 0 };
	va_list ap;

	va_start(ap, fmt);
	prep_error_v(&p, status, fmt, ap);
	va_end(ap);
	return answer(w, c, p.status, p.ctype, p.body, p.len, MHD_RESPMEM_MUST_FREE, NULL, NULL);
}

/* ---- access ---- */

static bool authorized(struct hornet_web *w, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

	if (auth && !strncasecmp(auth, "Bearer ", 7))
		return web_token_equal(auth + 7, w->token);
	return web_token_equal(MHD_lookup_connection_value(c, MHD_COOKIE_KIND, w->cookie),
			       w->token);
}

static void cookie_for(struct hornet_web *w, char *buf, size_t n, bool clear)
{
	snprintf(buf, n, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", w->cookie,
		 clear ? "" : w->token, w->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

/* ---- query parameters ---- */

static const char *param(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- the agent's socket ---- */

static void prep_text(struct prepared *p, unsigned int status, const char *ctype, const char *s,
		      size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		prep_error(p, 500, "out of memory");
		return;
	}
	memcpy(copy, s, len);
	prep(p, status, ctype, copy, len);
}

/* JOB_CALL: the agent's reply, as it is, or its error. */
static void prep_call(struct hornet_web *w, struct request *r)
{
	char err[4096] = "", *text;
	json_t *reply = NULL;
	int status;

	status = web_agent__call(&w->agent, r->call, r->timeout_ms, &reply, err, sizeof(err));
	r->call = NULL; /* taken */
	if (status != 200) {
		prep_error(&r->out, status, "%s", err);
		return;
	}
	text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (!text)
		prep_error(&r->out, 500, "out of memory");
	else
		prep(&r->out, r->ok_status, "application/json", text, strlen(text));
}

static void prep_readyz(struct hornet_web *w, struct request *r)
{
	json_t *reply = NULL;
	char err[512];
	int status;

	status = web_agent__call(&w->agent, json_pack("{s:s}", "command", "status"),
				 READY_TIMEOUT_MS, &reply, err, sizeof(err));
	if (status == 200 && json_is_true(json_object_get(reply, "ready")))
		prep_text(&r->out, 200, "text/plain; charset=utf-8", "ok\n", 3);
	else if (status == 200 && json_string_value(json_object_get(reply, "progress")))
		prep_error(&r->out, 503, "not ready: the agent is starting: %s",
			   json_string_value(json_object_get(reply, "progress")));
	else
		prep_error(&r->out, 503, "not ready: %s",
			   status == 200 ? "the agent is starting" : err);
	json_decref(reply);
}

static void prep_metrics(struct hornet_web *w, struct request *r)
{
	struct hornet_metrics_src src = { .label_filter = w->label_filter };
	struct hornet_store_stats ss;
	struct hornet_web_stats ws;
	struct hornet_json out;
	char err[512];

	if (w->socket) {
		if (web_agent__call(&w->agent, json_pack("{s:s}", "command", "status"),
				    STATUS_TIMEOUT_MS, &src.status, err, sizeof(err)) != 200)
			src.status = NULL;
		if (web_agent__call(&w->agent, json_pack("{s:s}", "command", "policy_list"),
				    STATUS_TIMEOUT_MS, &src.policies, err, sizeof(err)) != 200)
			src.policies = NULL;
	}
	hornet_web__stats(w, &ws);
	src.web = &ws;
	if (w->store) {
		hornet_store__stats(w->store, &ss);
		src.store = &ss;
	}
	hornet_json_init(&out);
	if (hornet_metrics_render(&out, &src) || out.failed) {
		hornet_json_free(&out);
		prep_error(&r->out, 500, "metrics: out of memory");
	} else {
		prep(&r->out, 200, "text/plain; version=0.0.4; charset=utf-8", out.buf, out.len);
	}
	json_decref(src.status);
	json_decref(src.policies);
}

static void *caller_thread(void *arg)
{
	struct hornet_web *w = arg;
	struct request *r;

	for (;;) {
		pthread_mutex_lock(&w->q_lock);
		while (!w->q_head && !w->q_stop)
			pthread_cond_wait(&w->q_cond, &w->q_lock);
		r = w->q_head;
		if (!r) {
			/* stopping, and nothing left: every suspended request was resumed */
			pthread_mutex_unlock(&w->q_lock);
			return NULL;
		}
		w->q_head = r->next;
		if (!w->q_head)
			w->q_tail = NULL;
		w->q_len--;
		pthread_mutex_unlock(&w->q_lock);
		if (r->job == JOB_CALL)
			prep_call(w, r);
		else if (r->job == JOB_READY)
			prep_readyz(w, r);
		else
			prep_metrics(w, r);
		r->stage = STAGE_READY;
		MHD_resume_connection(r->c);
	}
}

/*
 * Hands @r to a caller thread and suspends its connection; the handler runs
 * again once the answer is made (stage READY). Suspended before it is queued,
 * so the resume always follows the suspend.
 */
static enum MHD_Result defer(struct hornet_web *w, struct MHD_Connection *c, struct request *r,
			     enum job job)
{
	pthread_mutex_lock(&w->q_lock);
	if (w->q_stop || w->q_len >= QUEUE_MAX) {
		bool stopping = w->q_stop;

		pthread_mutex_unlock(&w->q_lock);
		json_decref(r->call);
		r->call = NULL;
		return error(w, c, 503, "%s",
			     stopping ? "the server is stopping"
				      : "too many requests wait for the agent; try again");
	}
	r->job = job;
	r->c = c;
	r->stage = STAGE_WAITING;
	r->next = NULL;
	MHD_suspend_connection(c);
	if (w->q_tail)
		w->q_tail->next = r;
	else
		w->q_head = r;
	w->q_tail = r;
	w->q_len++;
	pthread_cond_signal(&w->q_cond);
	pthread_mutex_unlock(&w->q_lock);
	return MHD_YES;
}

static enum MHD_Result agent_answer(struct hornet_web *w, struct MHD_Connection *c,
				    struct request *r, json_t *req, int timeout_ms,
				    unsigned int ok_status)
{
	if (!w->socket) {
		json_decref(req);
		return error(w, c, 503,
			     "no agent: 'hornet ui' serves the history only; status and policies "
			     "are the agent's (its own --http-listen)");
	}
	if (!req)
		return error(w, c, 500, "out of memory");
	r->call = req;
	r->timeout_ms = timeout_ms;
	r->ok_status = ok_status;
	return defer(w, c, r, JOB_CALL);
}

static enum MHD_Result readyz(struct hornet_web *w, struct MHD_Connection *c, struct request *r)
{
	if (!w->socket)
		return answer(w, c, 200, "text/plain; charset=utf-8", "ok\n", 3,
			      MHD_RESPMEM_PERSISTENT, NULL, NULL);
	return defer(w, c, r, JOB_READY);
}

static const char *mode_of(struct hornet_web *w, struct MHD_Connection *c, json_t *body, bool *bad)
{
	const char *m = param(c, "mode");

	*bad = false;
	if (!m && body)
		m = json_string_value(json_object_get(body, "mode"));
	if (m && strcmp(m, "monitor") && strcmp(m, "enforce"))
		*bad = true;
	return m;
}

static enum MHD_Result policies(struct hornet_web *w, struct MHD_Connection *c, const char *rest,
				const char *method, struct request *r)
{
	const char *mode, *slash;
	char name[256];
	json_t *req, *body = NULL;
	json_error_t jerr;
	bool bad;

	if (!rest[0]) {
		if (!strcmp(method, "GET"))
			return agent_answer(w, c, r, json_pack("{s:s}", "command", "policy_list"),
					    STATUS_TIMEOUT_MS, 200);
		if (strcmp(method, "POST"))
			return error(w, c, 405, "%s /api/v1/policies: use GET or POST", method);
		if (!r->len)
			return error(w, c, 400,
				     "the body must be the policy (YAML or JSON); it is empty");
		mode = mode_of(w, c, NULL, &bad);
		if (bad)
			return error(w, c, 400, "mode: must be monitor or enforce, not '%.64s'",
				     mode);
		req = json_pack("{s:s, s:s%, s:s}", "command", "policy_add", "policy", r->body,
				r->len, "source", "http");
		if (!req)
			return error(w, c, 400, "the body is not valid UTF-8 text");
		if (mode)
			json_object_set_new(req, "mode", json_string(mode));
		/* ?shadow_of=NAME: the agent checks the name */
		if (param(c, "shadow_of"))
			json_object_set_new(req, "shadow_of", json_string(param(c, "shadow_of")));
		return agent_answer(w, c, r, req, CHANGE_TIMEOUT_MS, 201);
	}
	slash = strchr(rest, '/');
	if ((slash ? (size_t)(slash - rest) : strlen(rest)) >= sizeof(name))
		return error(w, c, 404, "no policy by that name (longer than 255 bytes)");
	snprintf(name, sizeof(name), "%.*s", slash ? (int)(slash - rest) : (int)strlen(rest), rest);
	if (!slash) {
		if (strcmp(method, "DELETE"))
			return error(w, c, 405, "%s /api/v1/policies/NAME: use DELETE", method);
		return agent_answer(
			w, c, r, json_pack("{s:s, s:s}", "command", "policy_delete", "name", name),
			CHANGE_TIMEOUT_MS, 200);
	}
	if (!strcmp(slash, "/enable") || !strcmp(slash, "/disable")) {
		if (strcmp(method, "PUT") && strcmp(method, "POST"))
			return error(w, c, 405, "%s /api/v1/policies/NAME%s: use PUT", method,
				     slash);
		return agent_answer(w, c, r,
				    json_pack("{s:s, s:s}", "command",
					      slash[1] == 'e' ? "policy_enable" : "policy_disable",
					      "name", name),
				    CHANGE_TIMEOUT_MS, 200);
	}
	if (!strcmp(slash, "/promote")) {
		if (strcmp(method, "PUT") && strcmp(method, "POST"))
			return error(w, c, 405, "%s /api/v1/policies/NAME/promote: use POST",
				     method);
		return agent_answer(
			w, c, r, json_pack("{s:s, s:s}", "command", "policy_promote", "name", name),
			CHANGE_TIMEOUT_MS, 200);
	}
	if (strcmp(slash, "/mode"))
		return error(w, c, 404, "no such resource: /api/v1/policies/NAME%s", slash);
	if (strcmp(method, "PUT") && strcmp(method, "POST"))
		return error(w, c, 405, "%s /api/v1/policies/NAME/mode: use PUT", method);
	if (r->len) {
		body = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(body)) {
			json_decref(body);
			return error(w, c, 400,
				     "the body must be {\"mode\": \"monitor\"|\"enforce\"}%s%s",
				     jerr.text[0] ? ": " : "", jerr.text);
		}
	}
	mode = mode_of(w, c, body, &bad);
	if (!mode || bad) {
		json_decref(body);
		return error(w, c, 400, "mode: must be monitor or enforce");
	}
	req = json_pack("{s:s, s:s, s:s}", "command", "policy_mode", "name", name, "mode", mode);
	json_decref(body);
	return agent_answer(w, c, r, req, CHANGE_TIMEOUT_MS, 200);
}

static enum MHD_Result login(struct hornet_web *w, struct MHD_Connection *c, struct request *r)
{
	char cookie[200];
	json_error_t jerr;
	json_t *body;
	bool ok;

	body = json_loadb(r->body ? r->body : "", r->len, 0, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		return error(w, c, 400, "the body must be {\"token\": \"...\"}");
	}
	ok = web_token_equal(json_string_value(json_object_get(body, "token")), w->token);
	json_decref(body);
	if (!ok)
		return error(w, c, 401, "wrong token");
	cookie_for(w, cookie, sizeof(cookie), false);
	return answer(w, c, 200, "application/json", "{\"ok\":true}\n", 12, MHD_RESPMEM_PERSISTENT,
		      cookie, NULL);
}

static enum MHD_Result live(struct hornet_web *w, struct MHD_Connection *c)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char err[256] = "";

	resp = web_live__response(w->live, c, param, c, err, sizeof(err));
	if (!resp)
		return error(w, c, strstr(err, "too many") ? 503 : 400, "%s", err);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static bool wants_stream(struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");

	return accept && strstr(accept, "text/event-stream");
}

static enum MHD_Result history(struct hornet_web *w, struct MHD_Connection *c, const char *what,
			       const char *method, struct request *r)
{
	const char *fmt = param(c, "format"), *ctype = "application/json";
	struct hornet_json out;
	enum MHD_Result ret;
	int status;

	if (!w->store)
		return error(w, c, 503, "no event history: the agent runs with --store \"\"");
	hornet_json_init(&out);
	status = hornet_store__query(w->store, method, what, param, c, r->body, r->len, &out);
	if (status == 200 && fmt && !strcmp(fmt, "csv"))
		ctype = "text/csv; charset=utf-8";
	else if (status == 200 && fmt && !strcmp(fmt, "jsonl"))
		ctype = "application/x-ndjson";
	if (out.failed)
		ret = error(w, c, 500, "out of memory");
	else
		ret = answer(w, c, status ? status : 500, ctype, out.buf, out.len,
			     MHD_RESPMEM_MUST_COPY, NULL, NULL);
	hornet_json_free(&out);
	return ret;
}

static enum MHD_Result api(struct hornet_web *w, struct MHD_Connection *c, const char *url,
			   const char *method, struct request *r)
{
	const char *p = url + strlen("/api/v1/");

	if (strncmp(url, "/api/v1/", 8))
		return error(w, c, 404, "no such endpoint: the API is under /api/v1/");
	if (!strcmp(p, "login")) {
		if (strcmp(method, "POST"))
			return error(w, c, 405, "%s /api/v1/login: use POST", method);
		return login(w, c, r);
	}
	if (!authorized(w, c))
		return error(w, c, 401,
			     "missing or wrong token: send 'Authorization: Bearer TOKEN' or open "
			     "the URL the agent printed (/?token=TOKEN)");
	if (!strcmp(p, "logout")) {
		char cookie[200];

		cookie_for(w, cookie, sizeof(cookie), true);
		return answer(w, c, 200, "application/json", "{\"ok\":true}\n", 12,
			      MHD_RESPMEM_PERSISTENT, cookie, NULL);
	}
	if (!strcmp(p, "status")) {
		if (strcmp(method, "GET"))
			return error(w, c, 405, "%s /api/v1/status: use GET", method);
		return agent_answer(w, c, r, json_pack("{s:s}", "command", "status"),
				    STATUS_TIMEOUT_MS, 200);
	}
	if (!strcmp(p, "policies") || !strncmp(p, "policies/", 9))
		return policies(w, c, p[8] ? p + 9 : "", method, r);
	if (!strcmp(p, "events/stream") || (!strcmp(p, "events") && wants_stream(c))) {
		if (strcmp(method, "GET"))
			return error(w, c, 405, "%s /api/v1/events/stream: use GET", method);
		return live(w, c);
	}
	return history(w, c, p, method, r);
}

/* ---- the page ---- */

/* Answers with the page's file @rel: 0, or -ENOENT when there is none (nothing sent). */
static int page_file(struct hornet_web *w, struct MHD_Connection *c, const char *rel,
		     enum MHD_Result *ret)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	size_t i, n;
	char *buf;
	int fd;

	if (!w->ui_dir) {
		for (i = 0; i < hornet_web_assets_count; i++) {
			if (strcmp(hornet_web_assets[i].path, rel))
				continue;
			*ret = answer(w, c, 200, web_content_type(rel), hornet_web_assets[i].data,
				      hornet_web_assets[i].len, MHD_RESPMEM_PERSISTENT, NULL, NULL);
			return 0;
		}
		return -ENOENT;
	}
	/* the resolved file must still be inside --ui-dir: symlinks out of it are refused */
	if (snprintf(path, sizeof(path), "%s/%s", w->ui_dir, rel) >= (int)sizeof(path) ||
	    !realpath(path, real) || strncmp(real, w->ui_dir, strlen(w->ui_dir)) ||
	    real[strlen(w->ui_dir)] != '/')
		return -ENOENT;
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > UI_FILE_MAX) {
		close(fd);
		return -ENOENT;
	}
	buf = malloc(st.st_size + 1);
	n = 0;
	while (buf && n < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + n, st.st_size - n);

		if (k <= 0)
			break;
		n += k;
	}
	close(fd);
	if (!buf)
		*ret = error(w, c, 500, "out of memory");
	else
		*ret = answer(w, c, 200, web_content_type(rel), buf, n, MHD_RESPMEM_MUST_FREE, NULL,
			      NULL);
	return 0;
}

static enum MHD_Result page(struct hornet_web *w, struct MHD_Connection *c, const char *url,
			    const char *method)
{
	const char *token = param(c, "token"), *rel = url + 1, *last;
	enum MHD_Result ret;
	char cookie[200];

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return error(w, c, 405, "%s %s: the page takes GET", method, url);
	if (token) {
		/* the link with the token: keep it in a cookie, and out of the address bar */
		if (!web_token_equal(token, w->token))
			return error(w, c, 401, "wrong token in the link");
		cookie_for(w, cookie, sizeof(cookie), false);
		return answer(w, c, 303, "text/plain; charset=utf-8", "", 0, MHD_RESPMEM_PERSISTENT,
			      cookie, "/");
	}
	if (!rel[0])
		rel = "index.html";
	if (!web_clean_path(rel))
		return error(w, c, 404, "no such file");
	if (!page_file(w, c, rel, &ret))
		return ret;
	/* the page's own routes (a view's permalink) get the page */
	last = strrchr(rel, '/');
	if (!strchr(last ? last : rel, '.') && !page_file(w, c, "index.html", &ret))
		return ret;
	return error(w, c, 404, "no such file: %s", url);
}

/* ---- requests ---- */

/*
 * libmicrohttpd's own unescaping turns %00 into a NUL that ends the path
 * early: web_unescape() leaves it as it came.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	return web_unescape(s);
}

static enum MHD_Result dispatch(struct hornet_web *w, struct MHD_Connection *c, bool metrics_only,
				const char *url, const char *method, struct request *r)
{
	if (r->stage == STAGE_READY) {
		/* the agent's answer, made on a caller thread */
		enum MHD_Result ret = answer(w, c, r->out.status, r->out.ctype, r->out.body,
					     r->out.len, MHD_RESPMEM_MUST_FREE, NULL, NULL);

		r->out.body = NULL;
		return ret;
	}
	atomic_fetch_add(&w->requests, 1);
	if (!strcmp(url, "/metrics"))
		return defer(w, c, r, JOB_METRICS);
	if (metrics_only)
		return error(w, c, 404, "only /metrics is served here");
	if (!strcmp(url, "/healthz"))
		return answer(w, c, 200, "text/plain; charset=utf-8", "ok\n", 3,
			      MHD_RESPMEM_PERSISTENT, NULL, NULL);
	if (!strcmp(url, "/readyz"))
		return readyz(w, c, r);
	if (!web_host_ok(&w->hosts, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
		return error(w, c, 421,
			     "the Host header must name this server (%s:%u, localhost:%u or the "
			     "node name)",
			     w->hosts.name[0], w->port, w->port);
	if (r->too_big)
		return error(w, c, 413, "the body is larger than 1 MiB");
	if (!strcmp(url, "/api") || !strncmp(url, "/api/", 5))
		return api(w, c, url, method, r);
	return page(w, c, url, method);
}

/* The request of @c has its headers (@in_request), or is over: the clock starts again. */
static void conn_mark(struct hornet_web *w, struct MHD_Connection *c, bool in_request)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;

	if (!k)
		return;
	pthread_mutex_lock(&w->c_lock);
	k->in_request = in_request;
	k->since_ms = hornet_mono_ms();
	pthread_mutex_unlock(&w->c_lock);
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct hornet_web *w = ((struct listener *)cls)->w;
	const union MHD_ConnectionInfo *ci;
	struct conn *k;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k = ci ? calloc(1, sizeof(*k)) : NULL;
		if (!k)
			return; /* unwatched: the idle timeout still holds */
		k->fd = ci->connect_fd;
		k->since_ms = hornet_mono_ms();
		pthread_mutex_lock(&w->c_lock);
		DL_APPEND(w->conns, k);
		pthread_mutex_unlock(&w->c_lock);
		*socket_context = k;
		return;
	}
	/* MHD_CONNECTION_NOTIFY_CLOSED comes before the close: the reaper, under the
	 * lock, never shuts a descriptor that another connection has reused */
	k = *socket_context;
	if (!k)
		return;
	pthread_mutex_lock(&w->c_lock);
	DL_DELETE(w->conns, k);
	pthread_mutex_unlock(&w->c_lock);
	free(k);
	*socket_context = NULL;
}

/* Once a second: a connection past its deadline for headers is shut down, and MHD closes it. */
static void *reaper_thread(void *arg)
{
	struct hornet_web *w = arg;
	struct timespec ts;
	struct conn *k;
	uint64_t now;

	pthread_mutex_lock(&w->c_lock);
	while (!w->c_stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&w->c_cond, &w->c_lock, &ts);
		now = hornet_mono_ms();
		DL_FOREACH(w->conns, k)
		{
			if (k->in_request || k->reaped || now - k->since_ms < HEADER_TIMEOUT_MS)
				continue;
			k->reaped = true;
			shutdown(k->fd, SHUT_RDWR);
			atomic_fetch_add(&w->timeouts, 1);
		}
	}
	pthread_mutex_unlock(&w->c_lock);
	return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct listener *l = cls;
	struct hornet_web *w = l->w;
	struct request *r = *con_cls;
	const char *cl;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		r->body_deadline_ms = hornet_mono_ms() + BODY_TIMEOUT_MS;
		conn_mark(w, c, true);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > DISCARD_MAX) {
			/* not worth reading: answer now, and the connection closes */
			r->too_big = true;
			atomic_fetch_add(&w->requests, 1);
			return error(w, c, 413, "the body is larger than 1 MiB");
		}
		return MHD_YES;
	}
	if (*upload_size) {
		r->seen += *upload_size;
		if (r->seen > DISCARD_MAX)
			return MHD_NO;
		/* libmicrohttpd takes no answer before the body's end: close */
		if (hornet_mono_ms() > r->body_deadline_ms) {
			atomic_fetch_add(&w->timeouts, 1);
			return MHD_NO;
		}
		if (!r->too_big && r->len + *upload_size > BODY_MAX) {
			r->too_big = true;
			free(r->body);
			r->body = NULL;
			r->len = 0;
		}
		if (!r->too_big) {
			char *p = realloc(r->body, r->len + *upload_size + 1);

			if (!p)
				return MHD_NO;
			memcpy(p + r->len, upload, *upload_size);
			r->body = p;
			r->len += *upload_size;
			r->body[r->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(w, c, l->metrics_only, url, method, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct listener *l = cls;
	struct request *r = *con_cls;

	conn_mark(l->w, c, false);
	if (r) {
		free(r->body);
		free(r->out.body);
		json_decref(r->call);
		free(r);
	}
	*con_cls = NULL;
}

/* ---- start ---- */

static int read_file(const char *path, char **out, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return -errno;
	buf = calloc(1, max + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int make_token(struct hornet_web *w, const struct hornet_web_opts *o, char *err,
		      size_t err_size)
{
	unsigned char raw[32];
	char path[PATH_MAX], tmp[PATH_MAX + 8], *text = NULL, *s, *e;
	const char *slash;
	size_t i;
	int fd, ret;

	if (o->token_file && o->token_file[0]) {
		ret = read_file(o->token_file, &text, 4096);
		if (ret) {
			snprintf(err, err_size, "--http-token-file '%s': %s", o->token_file,
				 strerror(-ret));
			return ret;
		}
		for (s = text; isspace((unsigned char)*s); s++)
			;
		for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		if (e - s < 16 || (size_t)(e - s) >= sizeof(w->token)) {
			snprintf(err, err_size,
				 "--http-token-file '%s': the token must be 16 to 64 characters "
				 "(it has %zu)",
				 o->token_file, (size_t)(e - s));
			free(text);
			return -EINVAL;
		}
		for (i = 0; s + i < e; i++) {
			if (!isgraph((unsigned char)s[i]) || s[i] == ';' || s[i] == ',') {
				snprintf(err, err_size,
					 "--http-token-file '%s': the token must be printable "
					 "ASCII without spaces, ';' or ','",
					 o->token_file);
				free(text);
				return -EINVAL;
			}
		}
		memcpy(w->token, s, e - s + 1);
		free(text);
		return 0;
	}
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
		snprintf(err, err_size, "http token: no random bytes: %s", strerror(errno));
		return -EIO;
	}
	for (i = 0; i < sizeof(raw); i++)
		sprintf(w->token + 2 * i, "%02x", raw[i]);
	if (!o->socket)
		return 0; /* `hornet ui`: the URL it prints is the only copy */
	slash = strrchr(o->socket, '/');
	snprintf(path, sizeof(path), "%.*s/http.token", slash ? (int)(slash - o->socket) : 1,
		 slash ? o->socket : ".");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) || write(fd, w->token, 64) != 64 ||
	    write(fd, "\n", 1) != 1 || close(fd) || rename(tmp, path)) {
		ret = -errno;
		snprintf(err, err_size, "http token file '%s': %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return ret ? ret : -EIO;
	}
	return 0;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static bool is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* ADDR:PORT, [V6]:PORT, :PORT (every address) or localhost:PORT. */
static int parse_listen(const char *flag, const char *s, struct sockaddr_storage *ss,
			socklen_t *len, char *host, size_t host_size, char *err, size_t err_size)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(s, ':');
	unsigned long port;
	char *e;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - s) >= host_size)
		goto bad;
	errno = 0;
	port = strtoul(colon + 1, &e, 10);
	if (errno || *e || e == colon + 1 || port > 65535)
		goto bad;
	if (s[0] == '[') {
		if (colon < s + 2 || colon[-1] != ']')
			goto bad;
		snprintf(host, host_size, "%.*s", (int)(colon - s - 2), s + 1);
	} else {
		snprintf(host, host_size, "%.*s", (int)(colon - s), s);
	}
	if (!host[0] || !strcmp(host, "localhost")) {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(host[0] ? INADDR_LOOPBACK : INADDR_ANY);
		in->sin_port = htons(port);
		*len = sizeof(*in);
		snprintf(host, host_size, "%s", host[0] ? "127.0.0.1" : "0.0.0.0");
		return 0;
	}
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
bad:
	snprintf(err, err_size,
		 "%s '%s': expected ADDR:PORT with an IP address (127.0.0.1:2113, [::1]:2113, "
		 ":2112 for every address)",
		 flag, s);
	return -EINVAL;
}

/* Listening on every address: every address of the machine is our name. */
static void add_local_hosts(struct hornet_web *w)
{
	char buf[INET6_ADDRSTRLEN + 2], addr[INET6_ADDRSTRLEN];
	struct ifaddrs *ifa, *i;
	const void *a;

	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		a = i->ifa_addr->sa_family == AF_INET
			    ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
			    : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (!inet_ntop(i->ifa_addr->sa_family, a, addr, sizeof(addr)))
			continue;
		if (i->ifa_addr->sa_family == AF_INET6)
			snprintf(buf, sizeof(buf), "[%s]", addr);
		else
			snprintf(buf, sizeof(buf), "%s", addr);
		web_hosts_add(&w->hosts, buf);
	}
	freeifaddrs(ifa);
}

static int bind_socket(const char *flag, const char *s, const struct sockaddr_storage *ss,
		       socklen_t len, char *err, size_t err_size)
{
	int fd, one = 1, ret;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 1024))
		goto fail;
	return fd;
fail:
	ret = -errno;
	snprintf(err, err_size, "%s '%s': %s%s", flag, s, strerror(errno),
		 errno == EADDRINUSE ? " (another program listens there: choose another port, "
				       "or \"\" to serve no HTTP)"
				     : "");
	if (fd >= 0)
		close(fd);
	return ret;
}

static unsigned int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* What the file descriptor limit leaves for connections (live clients hold theirs). */
static unsigned int connection_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return 1000;
	if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < r.rlim_max && r.rlim_cur < 65536) {
		r.rlim_cur = r.rlim_max < 65536 ? r.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &r);
		getrlimit(RLIMIT_NOFILE, &r);
	}
	if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur > 8192 + 256)
		return 8192;
	return r.rlim_cur > 512 ? r.rlim_cur - 256 : 256;
}

static struct MHD_Daemon *start_daemon(struct hornet_web *w, struct listener *l, int fd,
				       unsigned int threads)
{
	unsigned int flags =
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_LISTEN_SOCKET, fd, NULL },
		{ MHD_OPTION_THREAD_POOL_SIZE, threads, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, connection_limit(), NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, l },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, l },
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL },
		{ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL },
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (w->tls) {
		flags |= MHD_USE_TLS;
		opts[8] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, w->cert };
		opts[9] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, w->key };
	}
	return MHD_start_daemon(flags, 0, NULL, NULL, handle, l, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
}

static int start_listener(struct hornet_web *w, const char *flag, const char *s, bool main,
			  char *err, size_t err_size)
{
	char host[INET6_ADDRSTRLEN + 2];
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	socklen_t len;
	int fd, ret;

	ret = parse_listen(flag, s, &ss, &len, host, sizeof(host), err, err_size);
	if (ret)
		return ret;
	/* the token and the events would cross the network in clear */
	if (main && !is_loopback(&ss) && !w->tls) {
		snprintf(err, err_size,
			 "%s '%s': not a loopback address, so it needs HTTPS: give "
			 "--http-tls-cert and --http-tls-key (or listen on 127.0.0.1)",
			 flag, s);
		return -EPERM;
	}
	fd = bind_socket(flag, s, &ss, len, err, err_size);
	if (fd < 0)
		return fd;
	if (main) {
		w->port = bound_port(fd);
		w->hosts.port = w->port;
		w->hosts.tls = w->tls;
		snprintf(w->cookie, sizeof(w->cookie), "hornet_token_%u", w->port);
		if (is_any(&ss)) {
			web_hosts_add(&w->hosts, w->node_name);
			web_hosts_add(&w->hosts, "localhost");
			add_local_hosts(w);
		} else {
			char br[INET6_ADDRSTRLEN + 4];

			snprintf(br, sizeof(br), ss.ss_family == AF_INET6 ? "[%s]" : "%s", host);
			web_hosts_add(&w->hosts, br);
			web_hosts_add(&w->hosts, "localhost");
			web_hosts_add(&w->hosts, w->node_name);
		}
		snprintf(w->url, sizeof(w->url), "%s://%s:%u/?token=%s", w->tls ? "https" : "http",
			 is_any(&ss) ? (w->node_name ? w->node_name : "localhost")
				     : w->hosts.name[0],
			 w->port, w->token);
	}
	d = start_daemon(w, main ? &w->main_l : &w->metrics_l, fd, main ? POOL_THREADS : 1);
	if (!d) {
		close(fd);
		snprintf(err, err_size, "%s '%s': the HTTP server did not start%s", flag, s,
			 w->tls ? " (is the certificate or key of --http-tls-cert/--http-tls-key "
				  "valid PEM, and do they match?)"
				: "");
		return -EINVAL;
	}
	if (main)
		w->d = d;
	else
		w->md = d;
	return 0;
}

static int load_tls(struct hornet_web *w, const struct hornet_web_opts *o, char *err,
		    size_t err_size)
{
	bool cert = o->tls_cert && o->tls_cert[0], key = o->tls_key && o->tls_key[0];
	int ret;

	if (!cert && !key)
		return 0;
	if (!cert || !key) {
		snprintf(err, err_size,
			 "--http-tls-cert and --http-tls-key go together: %s is "
			 "missing",
			 cert ? "--http-tls-key" : "--http-tls-cert");
		return -EINVAL;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, err_size,
			 "--http-tls-cert: this libmicrohttpd was built without TLS support");
		return -ENOTSUP;
	}
	ret = read_file(o->tls_cert, &w->cert, 1 << 20);
	if (ret) {
		snprintf(err, err_size, "--http-tls-cert '%s': %s", o->tls_cert, strerror(-ret));
		return ret;
	}
	ret = read_file(o->tls_key, &w->key, 1 << 20);
	if (ret) {
		snprintf(err, err_size, "--http-tls-key '%s': %s", o->tls_key, strerror(-ret));
		return ret;
	}
	w->tls = true;
	return 0;
}

struct hornet_web *hornet_web__start(const struct hornet_web_opts *o, char *err, size_t err_size)
{
	pthread_condattr_t cattr;
	struct hornet_web *w;
	char real[PATH_MAX];
	int ret;

	err[0] = '\0';
	if (hornet_dlib_load(&hornet_mhd_lib)) {
		snprintf(err, err_size, "http server: %s", hornet_mhd_lib.error);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->q_lock, NULL);
	pthread_cond_init(&w->q_cond, NULL);
	pthread_mutex_init(&w->c_lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->c_cond, &cattr);
	pthread_condattr_destroy(&cattr);
	w->main_l.w = w;
	w->metrics_l.w = w;
	w->metrics_l.metrics_only = true;
	w->store = o->store;
	w->socket = o->socket ? strdup(o->socket) : NULL;
	w->node_name = o->node_name && o->node_name[0] ? strdup(o->node_name) : NULL;
	w->label_filter = strdup(o->metrics_label_filter ? o->metrics_label_filter : "");
	if (o->ui_dir && o->ui_dir[0]) {
		if (!realpath(o->ui_dir, real)) {
			snprintf(err, err_size, "--ui-dir '%s': %s", o->ui_dir, strerror(errno));
			goto fail;
		}
		w->ui_dir = strdup(real);
	}
	ret = web_agent__init(&w->agent, w->socket);
	if (ret) {
		snprintf(err, err_size, "http server: %s", strerror(-ret));
		goto fail;
	}
	if (load_tls(w, o, err, err_size))
		goto fail;
	if (pthread_create(&w->reaper, NULL, reaper_thread, w)) {
		snprintf(err, err_size, "http server: threads: %s", strerror(errno));
		goto fail;
	}
	w->reaper_started = true;
	for (; w->ncallers < CALLERS; w->ncallers++) {
		if (pthread_create(&w->callers[w->ncallers], NULL, caller_thread, w)) {
			snprintf(err, err_size, "http server: threads: %s", strerror(errno));
			goto fail;
		}
	}
	w->live = web_live__new();
	if (!w->live) {
		snprintf(err, err_size, "http server: live events: %s", strerror(errno));
		goto fail;
	}
	if (o->listen && o->listen[0]) {
		if (make_token(w, o, err, err_size) ||
		    start_listener(w, "--http-listen", o->listen, true, err, err_size))
			goto fail;
	}
	if (o->metrics_listen && o->metrics_listen[0] &&
	    start_listener(w, "--metrics-server", o->metrics_listen, false, err, err_size))
		goto fail;
	if (!w->socket && w->store) {
		w->feed = web_store_feed__start(w->store, w->live);
		if (!w->feed) {
			snprintf(err, err_size, "http server: live events: %s", strerror(errno));
			goto fail;
		}
	}
	return w;
fail:
	if (!err[0])
		snprintf(err, err_size, "http server: out of memory");
	hornet_web__stop(w);
	return NULL;
}

void hornet_web__stop(struct hornet_web *w)
{
	unsigned int i;

	if (!w)
		return;
	/* requests waiting on the agent's socket give up now (its thread may be ours),
	 * and the callers answer what is queued before they end: no request stays
	 * suspended, which MHD cannot stop with */
	web_agent__cancel(&w->agent);
	pthread_mutex_lock(&w->q_lock);
	w->q_stop = true;
	pthread_cond_broadcast(&w->q_cond);
	pthread_mutex_unlock(&w->q_lock);
	for (i = 0; i < w->ncallers; i++)
		pthread_join(w->callers[i], NULL);
	/* no more lines from the store; then the live streams end and no client stays
	 * suspended: MHD cannot stop with one */
	web_store_feed__stop(w->feed);
	web_live__shutdown(w->live);
	if (w->reaper_started) {
		pthread_mutex_lock(&w->c_lock);
		w->c_stop = true;
		pthread_cond_signal(&w->c_cond);
		pthread_mutex_unlock(&w->c_lock);
		pthread_join(w->reaper, NULL);
	}
	if (w->d)
		MHD_stop_daemon(w->d);
	if (w->md)
		MHD_stop_daemon(w->md);
	web_live__free(w->live);
	web_agent__fini(&w->agent);
	free(w->socket);
	free(w->node_name);
	free(w->label_filter);
	free(w->ui_dir);
	free(w->cert);
	free(w->key);
	pthread_mutex_destroy(&w->q_lock);
	pthread_cond_destroy(&w->q_cond);
	pthread_mutex_destroy(&w->c_lock);
	pthread_cond_destroy(&w->c_cond);
	explicit_bzero(w->token, sizeof(w->token));
	free(w);
}

const char *hornet_web__url(const struct hornet_web *w)
{
	return w && w->url[0] ? w->url : NULL;
}

void hornet_web__publish(struct hornet_web *w, const char *line, size_t len)
{
	if (w)
		web_live__publish(w->live, line, len);
}

void hornet_web__stats(struct hornet_web *w, struct hornet_web_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!w)
		return;
	st->requests = atomic_load(&w->requests);
	st->errors = atomic_load(&w->errors);
	st->unauthorized = atomic_load(&w->unauthorized);
	st->timeouts = atomic_load(&w->timeouts);
	st->live_clients = web_live__clients(w->live);
	st->live_dropped = web_live__dropped(w->live);
}
