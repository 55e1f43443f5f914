// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include <utlist.h>

#include "export/api.h"
#include "export/fieldfilter.h"
#include "export/filter.h"
#include "util/clock.h"
#include "util/poll.h"

/* One request line: a policy (4 MiB at most) with JSON's escaping on top. */
#define REQUEST_MAX (16 << 20)
#define REQUEST_CHUNK 65536
#define CLIENT_QUEUE_MAX (8 << 20) /* bytes queued for one subscriber */
#define CLIENTS_MAX 128
/* Fewer than the clients, so that a command still gets in when every stream is taken. */
#define SUBSCRIBERS_MAX 64
/*
 * Request lines being read beyond their first chunk, all clients together:
 * 128 clients of 16 MiB would be 2 GiB.
 */
#define INPUT_MAX (64 << 20)
/*
 * From accept to the whole request line, and from the reply to its last
 * byte written: a client that trickles its request (slowloris) or never reads
 * its reply holds a slot this long at most. A deadline, not an idle timeout,
 * which a byte every few seconds would keep alive.
 */
#define REQUEST_TIMEOUT_MS 10000

struct api_client {
	struct hornet_poll poll;
	struct hornet_api *api;
	struct api_client *prev, *next;
	bool subscribed;
	bool closing; /* close once the queue is written */
	bool want_out;
	char *in;
	size_t in_len, in_cap;
	size_t in_scanned; /* bytes of in known to hold no newline */
	uint64_t deadline_ms; /* 0 for a subscriber: it has none */
	char *out;
	size_t out_len, out_off, out_cap;
	uint64_t dropped;
	/* the stream's own filters, as Tetragon's GetEventsRequest: NULL none */
	struct hornet_export_filter *allow, *deny;
	struct hornet_field_filters *fields;
};

struct hornet_api {
	struct hornet_poll listen;
	struct hornet_poll timer; /* ticks while a client has a deadline */
	bool timer_armed;
	uint64_t last_tick_ms;
	int epfd;
	char *path;
	const struct hornet_api_command *commands;
	void *ctx;
	bool (*busy)(void *ctx, char *err, size_t err_size);
	struct api_client *clients;
	unsigned int nr_clients;
	unsigned int nr_subscribers;
	uint64_t dropped;
	uint64_t bad_requests;
	uint64_t refused;
	uint64_t over_limit;
	uint64_t timeouts;
	size_t in_total; /* in_cap summed over the clients */
};

static void client_free(struct api_client *c)
{
	struct hornet_api *api = c->api;

	epoll_ctl(api->epfd, EPOLL_CTL_DEL, c->poll.fd, NULL);
	close(c->poll.fd);
	DL_DELETE(api->clients, c);
	api->nr_clients--;
	if (c->subscribed)
		api->nr_subscribers--;
	api->in_total -= c->in_cap;
	hornet_export_filter__free(c->allow);
	hornet_export_filter__free(c->deny);
	hornet_field_filters__free(c->fields);
	free(c->in);
	free(c->out);
	free(c);
}

static void client_set_out(struct api_client *c, bool want)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0),
				  .data.ptr = &c->poll };

	if (c->want_out == want)
		return;
	c->want_out = want;
	epoll_ctl(c->api->epfd, EPOLL_CTL_MOD, c->poll.fd, &ev);
}

/* Writes what is queued; returns false when the client is gone (freed). */
static bool client_flush(struct api_client *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->poll.fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				client_set_out(c, true);
				return true;
			}
			client_free(c);
			return false;
		}
		c->out_off += n;
	}
	c->out_off = c->out_len = 0;
	client_set_out(c, false);
	if (c->closing) {
		client_free(c);
		return false;
	}
	return true;
}

/* Queues @len bytes plus a newline; false if the queue is full. */
static bool client_queue(struct api_client *c, const char *data, size_t len)
{
	size_t need;
	char *p;

	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	need = c->out_len + len + 1;
	if (need - c->out_off > CLIENT_QUEUE_MAX)
		return false;
	if (need > c->out_cap) {
		if (c->out_off) {
			/* reuse the space already written out */
			memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
			need = c->out_len + len + 1;
		}
		if (need > c->out_cap) {
			size_t cap = c->out_cap ? c->out_cap : 16384;

			while (cap < need)
				cap *= 2;
			p = realloc(c->out, cap);
			if (!p)
				return false;
			c->out = p;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, data, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	return true;
}

/* Drops the request buffer: after the first request, a client's input is ignored. */
static void client_drop_input(struct api_client *c)
{
	c->api->in_total -= c->in_cap;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = c->in_scanned = 0;
}

/* The reply is queued: the client gets the time to read it, then the connection closes. */
static void client_done(struct api_client *c)
{
	c->closing = true;
	c->deadline_ms = hornet_mono_ms() + REQUEST_TIMEOUT_MS;
}

static void reply_error(struct api_client *c, const char *msg)
{
	struct hornet_json j;

	c->api->bad_requests++;
	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	hornet_json_str(&j, "error", msg);
	hornet_json_obj_end(&j);
	if (!j.failed)
		client_queue(c, j.buf, j.len);
	hornet_json_free(&j);
	client_done(c);
}

/* A request's list of filter objects as the text the parsers read: one a line. */
static char *filter_text(json_t *list)
{
	size_t i, len = 0;
	char *text = NULL, *s, *t;

	for (i = 0; i < json_array_size(list); i++) {
		s = json_dumps(json_array_get(list, i), JSON_COMPACT | JSON_ENCODE_ANY);
		t = s ? realloc(text, len + strlen(s) + 2) : NULL;
		if (!t) {
			free(s);
			free(text);
			return NULL;
		}
		text = t;
		len += sprintf(text + len, "%s\n", s);
		free(s);
	}
	return text;
}

/*
 * The "events" request's allow_list, deny_list and field_filters (lists of
 * objects, as in Tetragon's GetEventsRequest), for this stream alone.
 * Returns 0, -EINVAL with @msg, or -ENOMEM.
 */
static int stream_filters(struct api_client *c, json_t *req, char *msg, size_t size)
{
	static const char *const keys[] = { "allow_list", "deny_list", "field_filters" };
	char err[448], *text;
	void *ok;
	json_t *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = json_object_get(req, keys[i]);
		if (!v || (json_is_array(v) && !json_array_size(v)))
			continue;
		if (!json_is_array(v)) {
			snprintf(msg, size, "%s: expected a list of filter objects", keys[i]);
			return -EINVAL;
		}
		text = filter_text(v);
		if (!text)
			return -ENOMEM;
		if (i == 2) {
			c->fields = hornet_field_filters__new(text, err, sizeof(err));
			ok = c->fields;
		} else {
			/* ancestors: a filter on them that finds none matches nothing */
			*(i ? &c->deny : &c->allow) = hornet_export_filter__new(
				text, HORNET_FILTER_ANCESTORS, err, sizeof(err));
			ok = i ? (void *)c->deny : (void *)c->allow;
		}
		free(text);
		if (!ok) {
			if (errno != EINVAL)
				return -errno;
			snprintf(msg, size, "%s: %s", keys[i], err);
			return -EINVAL;
		}
	}
	return 0;
}

static void handle_request(struct api_client *c, const char *line, size_t len)
{
	const struct hornet_api_command *cmd;
	char err[512] = "", msg[600];
	json_error_t jerr;
	struct hornet_json j;
	const char *name;
	json_t *req;
	int ret;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		snprintf(msg, sizeof(msg), "request is not valid JSON: %s (column %d)", jerr.text,
			 jerr.column);
		reply_error(c, msg);
		return;
	}
	name = json_string_value(json_object_get(req, "command"));
	if (!json_is_object(req) || !name) {
		reply_error(c, "request must be a JSON object with a string \"command\"");
		json_decref(req);
		return;
	}
	if (!strcmp(name, "events")) {
		ret = stream_filters(c, req, msg, sizeof(msg));
		json_decref(req);
		if (ret) {
			reply_error(c, ret == -ENOMEM ? "out of memory" : msg);
			return;
		}
		if (c->api->nr_subscribers >= SUBSCRIBERS_MAX) {
			c->api->over_limit++;
			snprintf(msg, sizeof(msg),
				 "too many event streams (%d): close one, or try again later",
				 SUBSCRIBERS_MAX);
			reply_error(c, msg);
			return;
		}
		c->subscribed = true;
		c->deadline_ms = 0;
		c->api->nr_subscribers++;
		return;
	}
	for (cmd = c->api->commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			break;
	if (!cmd->name) {
		snprintf(msg, sizeof(msg), "unknown command '%.64s'", name);
		reply_error(c, msg);
		json_decref(req);
		return;
	}
	if (!cmd->while_busy && c->api->busy && c->api->busy(c->api->ctx, err, sizeof(err))) {
		reply_error(c, err);
		json_decref(req);
		return;
	}
	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	ret = cmd->fn(c->api->ctx, req, &j, err, sizeof(err));
	hornet_json_obj_end(&j);
	json_decref(req);
	if (ret)
		reply_error(c, err[0] ? err : strerror(-ret));
	else if (j.failed || !client_queue(c, j.buf, j.len))
		reply_error(c, "reply too large");
	else
		client_done(c);
	hornet_json_free(&j);
}

/* Room for more of the request line; false when the client was answered (or freed). */
static bool client_grow(struct api_client *c)
{
	struct hornet_api *api = c->api;
	size_t cap = c->in_cap ? c->in_cap * 2 : REQUEST_CHUNK;
	char msg[128], *in;

	if (c->in_cap >= REQUEST_MAX) {
		snprintf(msg, sizeof(msg), "request line too long (at most %d MiB)",
			 REQUEST_MAX >> 20);
		reply_error(c, msg);
		client_drop_input(c);
		client_flush(c);
		return false;
	}
	/* the first chunk is always there: a small request is never refused for a big one */
	if (c->in_cap && api->in_total + (cap - c->in_cap) > INPUT_MAX) {
		api->over_limit++;
		snprintf(msg, sizeof(msg),
			 "agent busy: too many large requests at once (%d MiB in all); try "
			 "again",
			 INPUT_MAX >> 20);
		reply_error(c, msg);
		client_drop_input(c);
		client_flush(c);
		return false;
	}
	/* grown as it comes, so idle clients cost little */
	in = realloc(c->in, cap);
	if (!in) {
		client_free(c);
		return false;
	}
	api->in_total += cap - c->in_cap;
	c->in = in;
	c->in_cap = cap;
	return true;
}

/* Reads what the client sent; false when it is gone (freed). */
static bool client_read(struct api_client *c)
{
	char sink[4096], *nl;
	ssize_t n;

	for (;;) {
		if (c->subscribed || c->closing) {
			/* requests after the first are ignored */
			n = recv(c->poll.fd, sink, sizeof(sink), MSG_DONTWAIT);
		} else {
			if (c->in_len == c->in_cap && !client_grow(c))
				return false;
			n = recv(c->poll.fd, c->in + c->in_len, c->in_cap - c->in_len,
				 MSG_DONTWAIT);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			/* the peer is gone; a request without its newline still counts */
			if (!c->subscribed && !c->closing && c->in_len) {
				handle_request(c, c->in, c->in_len);
				client_drop_input(c);
				return client_flush(c);
			}
			client_free(c);
			return false;
		}
		if (c->subscribed || c->closing)
			continue;
		c->in_len += n;
		/* only the new bytes: a line trickled in small pieces costs no more than one */
		nl = memchr(c->in + c->in_scanned, '\n', c->in_len - c->in_scanned);
		c->in_scanned = c->in_len;
		if (nl) {
			handle_request(c, c->in, nl - c->in);
			client_drop_input(c);
			if (!client_flush(c))
				return false;
		}
	}
}

static void client_event(struct hornet_poll *p, uint32_t events)
{
	struct api_client *c = (struct api_client *)p;

	if ((events & EPOLLOUT) && !client_flush(c))
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		client_read(c);
}

static void timer_arm(struct hornet_api *api, bool on)
{
	struct itimerspec its = { 0 };

	if (api->timer_armed == on)
		return;
	if (on) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
		api->last_tick_ms = hornet_mono_ms();
	}
	if (!timerfd_settime(api->timer.fd, 0, &its, NULL))
		api->timer_armed = on;
}

/* Closes the clients past their deadline; the timer stops when no client has one. */
static void timer_event(struct hornet_poll *p, uint32_t events)
{
	struct hornet_api *api =
		(struct hornet_api *)((char *)p - offsetof(struct hornet_api, timer));
	uint64_t now = hornet_mono_ms(), ticks, stall = 0;
	struct api_client *c, *tmp;
	bool pending = false;
	char msg[128];

	(void)events;
	if (read(api->timer.fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	/* the loop was held up (a policy loading): that time is not the clients' fault */
	if (now - api->last_tick_ms > 2000)
		stall = now - api->last_tick_ms - 1000;
	api->last_tick_ms = now;
	DL_FOREACH_SAFE(api->clients, c, tmp)
	{
		if (!c->deadline_ms)
			continue;
		c->deadline_ms += stall;
		if (now < c->deadline_ms) {
			pending = true;
			continue;
		}
		api->timeouts++;
		if (c->closing) {
			/* it never read its reply */
			client_free(c);
			continue;
		}
		snprintf(msg, sizeof(msg), "request timed out: no whole line within %d s",
			 REQUEST_TIMEOUT_MS / 1000);
		reply_error(c, msg);
		c->deadline_ms = 0;
		client_drop_input(c);
		if (client_flush(c))
			client_free(c);
	}
	if (!pending)
		timer_arm(api, false);
}

/*
 * The socket's mode keeps others out; this holds even if its mode or its
 * directory's is loosened, or the fd is passed on. The uid is the peer's at
 * connect(2) (SO_PEERCRED, unix(7)).
 */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void listen_event(struct hornet_poll *p, uint32_t events)
{
	struct hornet_api *api = (struct hornet_api *)p;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct api_client *c;
	int fd;

	for (;;) {
		fd = accept4(api->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (api->nr_clients >= CLIENTS_MAX) {
			static const char msg[] =
				"{\"error\":\"too many clients (128 at once): try "
				"again later\"}\n";

			_Static_assert(CLIENTS_MAX == 128, "the message names the limit");
			send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			api->over_limit++;
			close(fd);
			continue;
		}
		if (!peer_allowed(fd)) {
			static const char msg[] = "{\"error\":\"permission denied: the agent's "
						  "socket is root-only\"}\n";

			/* a fresh socket's buffer takes it whole, or the peer learns nothing */
			send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			api->refused++;
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->poll.fn = client_event;
		c->poll.fd = fd;
		c->api = api;
		c->deadline_ms = hornet_mono_ms() + REQUEST_TIMEOUT_MS;
		ev.data.ptr = &c->poll;
		if (epoll_ctl(api->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		DL_APPEND(api->clients, c);
		api->nr_clients++;
		timer_arm(api, true);
	}
}

int hornet_api_dir_check(const char *path, char *err, size_t err_size)
{
	char buf[PATH_MAX], dir[PATH_MAX], *slash;
	uid_t me = geteuid();
	struct stat st;
	bool own = true; /* the socket's own directory */

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	if (!realpath(dirname(buf), dir)) {
		snprintf(err, err_size, "directory '%s': %s", buf, strerror(errno));
		return -errno;
	}
	for (;;) {
		if (stat(dir, &st)) {
			snprintf(err, err_size, "directory '%s': %s", dir, strerror(errno));
			return -errno;
		}
		if (st.st_uid != 0 && st.st_uid != me) {
			snprintf(err, err_size,
				 "directory '%s' belongs to uid %u: its owner could replace the "
				 "socket; use a directory of root's (such as /run/hornet)",
				 dir, (unsigned int)st.st_uid);
			return -EPERM;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (own || !(st.st_mode & S_ISVTX))) {
			snprintf(err, err_size,
				 "directory '%s' is writable by others (mode %04o): they could "
				 "replace the socket; use a directory only root can write (such as "
				 "/run/hornet)",
				 dir, (unsigned int)(st.st_mode & 07777));
			return -EPERM;
		}
		if (!strcmp(dir, "/"))
			return 0;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		own = false;
	}
}

/* A socket file that nobody answers on is left over from an agent that died. */
static int remove_stale(const char *path, const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	return unlink(path) ? -errno : 0;
}

struct hornet_api *hornet_api__new(const char *path, int epfd,
				   const struct hornet_api_command *commands, void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct hornet_api *api;
	mode_t old_umask;
	int err;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(addr.sun_path, path);
	api = calloc(1, sizeof(*api));
	if (!api)
		return NULL;
	api->epfd = epfd;
	api->commands = commands;
	api->ctx = ctx;
	api->listen.fn = listen_event;
	api->listen.fd = -1;
	api->timer.fn = timer_event;
	api->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (api->timer.fd < 0)
		goto fail;
	ev.data.ptr = &api->timer;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, api->timer.fd, &ev))
		goto fail;
	api->path = strdup(path);
	if (!api->path)
		goto fail;
	err = remove_stale(path, &addr);
	if (err) {
		errno = -err;
		goto fail;
	}
	api->listen.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (api->listen.fd < 0)
		goto fail;
	/* 0600 from the start: no window in which others could connect */
	old_umask = umask(0177);
	err = bind(api->listen.fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_umask);
	if (err)
		goto fail;
	if (listen(api->listen.fd, 64))
		goto fail_unlink;
	ev.data.ptr = &api->listen;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, api->listen.fd, &ev))
		goto fail_unlink;
	return api;

fail_unlink:
	err = errno;
	unlink(path);
	errno = err;
fail:
	err = errno;
	if (api->listen.fd >= 0)
		close(api->listen.fd);
	if (api->timer.fd >= 0)
		close(api->timer.fd);
	free(api->path);
	free(api);
	errno = err;
	return NULL;
}

void hornet_api__set_busy(struct hornet_api *api,
			  bool (*busy)(void *ctx, char *err, size_t err_size))
{
	api->busy = busy;
}

void hornet_api__free(struct hornet_api *api)
{
	if (!api)
		return;
	while (api->clients) {
		struct api_client *c = api->clients;

		/* give subscribers what is already queued, without blocking */
		c->closing = true;
		if (client_flush(c))
			client_free(c);
	}
	epoll_ctl(api->epfd, EPOLL_CTL_DEL, api->listen.fd, NULL);
	close(api->listen.fd);
	close(api->timer.fd);
	unlink(api->path);
	free(api->path);
	free(api);
}

void hornet_api__broadcast(struct hornet_api *api, const char *type, const char *line, size_t len)
{
	struct api_client *c, *tmp;
	char *own;
	size_t n;

	if (!api->nr_subscribers)
		return;
	DL_FOREACH_SAFE(api->clients, c, tmp)
	{
		if (!c->subscribed)
			continue;
		if ((c->allow || c->deny) &&
		    !hornet_export_filter_pass(c->allow, c->deny, type, line, len))
			continue;
		n = len;
		own = hornet_field_filters__applies(c->fields, type)
			      ? hornet_field_filters__apply(c->fields, type, line, len, &n)
			      : NULL;
		if (!client_queue(c, own ? own : line, own ? n : len)) {
			c->dropped++;
			api->dropped++;
		}
		free(own);
	}
}

void hornet_api__flush(struct hornet_api *api)
{
	struct api_client *c, *tmp;

	DL_FOREACH_SAFE(api->clients, c, tmp)
	{
		/* a client waiting for EPOLLOUT is written when the kernel says so */
		if (c->subscribed && !c->want_out && c->out_len > c->out_off)
			client_flush(c);
	}
}

void hornet_api__stats(const struct hornet_api *api, struct hornet_api_stats *s)
{
	s->clients = api->nr_clients;
	s->subscribers = api->nr_subscribers;
	s->dropped = api->dropped;
	s->bad_requests = api->bad_requests;
	s->refused = api->refused;
	s->over_limit = api->over_limit;
	s->timeouts = api->timeouts;
}

/* A peer that closed the connection early may have said why: keep its reply
 * readable after EPIPE by sending no more but not closing. */
int hornet_api_connect(const char *path, const char *request)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(request);
	ssize_t n;
	int fd, err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		goto fail;
	while (len) {
		n = send(fd, request, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return fd; /* the agent answered early: read its error */
			goto fail;
		}
		request += n;
		len -= n;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}
