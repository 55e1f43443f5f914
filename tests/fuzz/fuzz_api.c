// SPDX-License-Identifier: GPL-2.0
/*
 * Any bytes as what a client sends the agent's socket: the real API
 * (export/api.c) on a real unix socket, with the agent's commands as far as
 * they go without a kernel: "policy_add" parses the policy and checks its
 * guard (policy/parse.c, policy/guard.c) as the agent does before it plans
 * and loads. Whatever comes, the agent answers with exactly one line, a JSON
 * object, and closes (an "events" client gets the stream instead, nothing
 * here), never crashes or leaks, and never holds a client once it is gone.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>

#include "export/api.h"
#include "policy/guard.h"
#include "policy/policy.h"
#include "util/poll.h"

/* Inputs beyond this are cut: the limits of a 16 MiB line are the e2e test's. */
#define INPUT_MAX (256 << 10)

static struct hornet_api *api;
static struct hornet_guard guard;
static int epfd = -1;
static char dir[] = "/tmp/hornet-fuzz-api-XXXXXX";
static char path[128];

static int status_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	hornet_json_bool(j, "ready", true);
	return 0;
}

/* As the agent's: the text, a source for messages, a mode; then parse and guard. */
static int policy_add_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err, size_t err_size)
{
	json_t *text = json_object_get(req, "policy");
	const char *source = json_string_value(json_object_get(req, "source"));
	const char *mode = json_string_value(json_object_get(req, "mode"));
	struct hornet_policy *p;
	char where[512];
	int ret;

	if (!json_is_string(text)) {
		snprintf(err, err_size, "policy_add needs \"policy\"");
		return -EINVAL;
	}
	if (json_object_get(req, "mode") &&
	    (!mode || (strcmp(mode, "enforce") && strcmp(mode, "monitor")))) {
		snprintf(err, err_size, "mode must be \"enforce\" or \"monitor\"");
		return -EINVAL;
	}
	snprintf(where, sizeof(where), "%s",
		 source && source[0] && !strchr(source, '\n') ? source : "api");
	p = hornet_policy_parse(json_string_value(text), json_string_length(text), where, err,
				err_size);
	if (!p)
		return -errno;
	ret = hornet_guard_check(p, &guard, err, err_size);
	if (!ret)
		hornet_json_str(j, "name", p->name);
	hornet_policy_free(p);
	return ret;
}

static int policy_name_cmd(void *ctx, json_t *req, struct hornet_json *j, char *err,
			   size_t err_size)
{
	const char *name = json_string_value(json_object_get(req, "name"));

	if (!name) {
		snprintf(err, err_size, "needs \"name\"");
		return -EINVAL;
	}
	snprintf(err, err_size, "policy '%.64s' does not exist", name);
	return -ENOENT;
}

static const struct hornet_api_command commands[] = {
	{ "status", status_cmd, .while_busy = true },
	{ "policy_add", policy_add_cmd },
	{ "policy_delete", policy_name_cmd },
	{ "policy_mode", policy_name_cmd },
	{ NULL, NULL },
};

/* Nothing left behind in /tmp: the API unlinks its socket. */
static void cleanup(void)
{
	hornet_api__free(api);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	api = hornet_api__new(path, epfd, commands, NULL);
	if (!api)
		abort();
	atexit(cleanup);
	hornet_guard_init(&guard);
	return 0;
}

/* One round of the agent's loop, without waiting. */
static void serve(int timeout_ms)
{
	struct epoll_event evs[8];
	struct hornet_poll *p;
	int i, n;

	n = epoll_wait(epfd, evs, 8, timeout_ms);
	for (i = 0; i < n; i++) {
		p = evs[i].data.ptr;
		p->fn(p, evs[i].events);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct hornet_api_stats st;
	static char reply[1 << 16];
	size_t sent = 0, got = 0;
	json_error_t jerr;
	const uint8_t *nl;
	json_t *r;
	ssize_t n;
	int fd;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		abort();
	serve(0);
	if (!size)
		shutdown(fd, SHUT_WR);
	for (;;) {
		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else if (n < 0 && errno != EAGAIN)
				sent = size; /* answered early, and closed */
			if (sent == size)
				shutdown(fd, SHUT_WR);
		}
		n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n == 0)
			break;
		if (n > 0) {
			got += n;
			if (got == sizeof(reply) - 1)
				abort(); /* no reply here is that long */
			continue;
		}
		if (errno != EAGAIN)
			break;
		/* the agent's turn; the hang, if it never answers, is libFuzzer's -timeout */
		serve(sent < size ? 0 : 100);
	}
	close(fd);
	serve(0);
	hornet_api__stats(api, &st);
	if (st.clients)
		abort(); /* the client is gone: so is its state */
	reply[got] = '\0';
	if (!size)
		return 0; /* no request, no reply */
	if (!got) {
		/* only a subscriber goes without a reply */
		nl = memchr(data, '\n', size);
		r = json_loadb((const char *)data, nl ? (size_t)(nl - data) : size,
			       JSON_REJECT_DUPLICATES, NULL);
		if (!r || strcmp(json_string_value(json_object_get(r, "command")) ?: "", "events"))
			abort();
		json_decref(r);
		return 0;
	}
	if (reply[got - 1] != '\n' || memchr(reply, '\n', got - 1))
		abort(); /* one line */
	r = json_loadb(reply, got - 1, 0, &jerr);
	if (!json_is_object(r))
		abort();
	json_decref(r);
	return 0;
}
