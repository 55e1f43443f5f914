// SPDX-License-Identifier: GPL-2.0
/*
 * One request to the agent's socket, as `hornet policy` makes it, but with
 * a deadline and a way out: hornet_api_connect() sends in blocking mode,
 * which is right for the CLI and wrong here, where the agent's thread may be
 * loading BPF programs (not reading) or stopping this server itself.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "web/agent_call.h"

/* Calls in flight at once: the others answer 503 at once, so a stuck agent
 * holds at most this many of the server's threads. */
#define MAX_INFLIGHT 2
#define REPLY_MAX (64u << 20)

int web_agent__init(struct web_agent *a, const char *socket)
{
	a->socket = socket;
	atomic_store(&a->inflight, 0);
	a->cancel_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return a->cancel_fd < 0 ? -errno : 0;
}

void web_agent__cancel(struct web_agent *a)
{
	uint64_t one = 1;

	if (a->cancel_fd >= 0 && write(a->cancel_fd, &one, sizeof(one)) < 0)
		return;
}

void web_agent__fini(struct web_agent *a)
{
	if (a->cancel_fd >= 0)
		close(a->cancel_fd);
	a->cancel_fd = -1;
}

/* Sends @req and reads one line back. 0, or -errno (-ETIMEDOUT, -ECANCELED). */
static int exchange(struct web_agent *a, const char *req, size_t req_len, int timeout_ms,
		    char **out, size_t *out_len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int64_t deadline = (int64_t)hornet_mono_ms() + timeout_ms;
	struct pollfd pfd[2];
	size_t sent = 0, len = 0, cap = 0;
	char *buf = NULL;
	int fd, ret, left;
	ssize_t n;

	if (strlen(a->socket) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, a->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* a unix socket connects at once or fails (EAGAIN: the backlog is full) */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		ret = -errno;
		goto out;
	}
	pfd[0].fd = fd;
	pfd[1].fd = a->cancel_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		pfd[0].events = sent < req_len ? POLLOUT : POLLIN;
		left = (int)(deadline - (int64_t)hornet_mono_ms());
		if (left <= 0) {
			ret = -ETIMEDOUT;
			goto out;
		}
		ret = poll(pfd, 2, left);
		if (ret < 0 && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		if (ret <= 0)
			continue;
		if (pfd[1].revents) {
			ret = -ECANCELED;
			goto out;
		}
		if (sent < req_len) {
			n = send(fd, req + sent, req_len - sent, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* the agent may have answered early (a request too long): read it */
				if (errno != EPIPE && errno != ECONNRESET) {
					ret = -errno;
					goto out;
				}
				sent = req_len;
			} else if (n > 0) {
				sent += n;
			}
			continue;
		}
		if (len + 65536 > cap) {
			char *p;

			if (cap >= REPLY_MAX) {
				ret = -EMSGSIZE;
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap + 1);
			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
			buf = p;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		len += n;
		if (!n || memchr(buf + len - n, '\n', n))
			break;
	}
	if (!len) {
		ret = -ECONNRESET;
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

int web_agent__call(struct web_agent *a, json_t *req, int timeout_ms, json_t **reply, char *err,
		    size_t err_size)
{
	char *text = NULL, *line = NULL;
	const char *msg;
	size_t len = 0;
	json_error_t jerr;
	json_t *r;
	int ret;

	*reply = NULL;
	if (!req) {
		snprintf(err, err_size, "out of memory");
		return 503;
	}
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text) {
		snprintf(err, err_size, "out of memory");
		return 503;
	}
	if (atomic_fetch_add(&a->inflight, 1) >= MAX_INFLIGHT) {
		atomic_fetch_sub(&a->inflight, 1);
		free(text);
		snprintf(err, err_size,
			 "the agent is busy with %d requests from this server; try again",
			 MAX_INFLIGHT);
		return 503;
	}
	len = strlen(text);
	text[len] = '\n'; /* over the NUL: the request is one line */
	ret = exchange(a, text, len + 1, timeout_ms, &line, &len);
	atomic_fetch_sub(&a->inflight, 1);
	free(text);
	if (ret) {
		if (ret == -ETIMEDOUT)
			snprintf(
				err, err_size,
				"the agent did not answer on '%s' within %d ms (starting, or busy)",
				a->socket, timeout_ms);
		else if (ret == -ECANCELED)
			snprintf(err, err_size, "the server is stopping");
		else
			snprintf(err, err_size, "the agent does not answer on '%s': %s", a->socket,
				 strerror(-ret));
		return 503;
	}
	r = json_loadb(line, len, 0, &jerr);
	free(line);
	if (!json_is_object(r)) {
		json_decref(r);
		snprintf(err, err_size, "the agent's reply is not a JSON object: %s", jerr.text);
		return 503;
	}
	msg = json_string_value(json_object_get(r, "error"));
	if (msg) {
		snprintf(err, err_size, "%s", msg);
		ret = !strncmp(msg, "no policy '", 11) ? 404 : 400;
		json_decref(r);
		return ret;
	}
	*reply = r;
	return 200;
}
