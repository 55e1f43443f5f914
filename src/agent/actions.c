// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "agent/actions.h"
#include "util/log.h"

#define QUEUE_MAX 256
#define TIMEOUT_MS 5000

struct job {
	enum hornet_action action;
	char arg[1024];
};

struct hornet_actions {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job queue[QUEUE_MAX];
	unsigned int head, count;
	bool stop;
	struct sockaddr_storage dns;
	socklen_t dns_len;
	uint64_t done, failed, dropped;
};

int hornet_dns_query(const char *name, uint16_t id, unsigned char *buf, size_t size)
{
	size_t pos = 12, n = strlen(name), label;
	const char *p = name, *dot;

	if (!n || n > 253 || size < 12 + n + 2 + 4)
		return -EINVAL;
	memset(buf, 0, 12);
	buf[0] = id >> 8;
	buf[1] = id & 0xff;
	buf[2] = 0x01; /* recursion desired */
	buf[5] = 1; /* one question */
	while (*p) {
		dot = strchr(p, '.');
		label = dot ? (size_t)(dot - p) : strlen(p);
		if (!label || label > 63)
			return -EINVAL;
		buf[pos++] = label;
		memcpy(buf + pos, p, label);
		pos += label;
		p += label;
		if (*p == '.')
			p++;
	}
	buf[pos++] = 0;
	buf[pos++] = 0;
	buf[pos++] = 1; /* A */
	buf[pos++] = 0;
	buf[pos++] = 1; /* IN */
	return pos;
}

static int dns_lookup(struct hornet_actions *a, const char *name)
{
	unsigned char q[512], r[512];
	struct pollfd pfd;
	int fd, n, ret = -EIO;
	uint16_t id = (uint16_t)random();

	n = hornet_dns_query(name, id, q, sizeof(q));
	if (n < 0 || !a->dns_len)
		return -EINVAL;
	fd = socket(a->dns.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, q, n, 0, (struct sockaddr *)&a->dns, a->dns_len) == n) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, TIMEOUT_MS) == 1 && recv(fd, r, sizeof(r), 0) >= 12 &&
		    r[0] == q[0] && r[1] == q[1])
			ret = (r[3] & 0x0f) == 0 ? 0 : -ENOENT; /* rcode */
		else
			ret = -ETIMEDOUT;
	}
	close(fd);
	return ret;
}

/* http://host[:port]/path: one GET, the status line read, then closed. */
static int get_url(const char *url)
{
	char host[256], port[8] = "80", req[1400], resp[64];
	const char *p, *path, *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000 };
	int fd, ret = -EIO;
	size_t hl;

	if (strncmp(url, "http://", 7))
		return -EPROTONOSUPPORT; /* https needs TLS: not done here */
	p = url + 7;
	path = strchr(p, '/');
	hl = path ? (size_t)(path - p) : strlen(p);
	if (!hl || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, p, hl);
	host[hl] = '\0';
	colon = strrchr(host, ':');
	if (colon && !strchr(host, ']')) {
		snprintf(port, sizeof(port), "%s", colon + 1);
		host[colon - host] = '\0';
	}
	if (getaddrinfo(host, port, &hints, &ai) || !ai)
		return -EHOSTUNREACH;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			int n = snprintf(
				req, sizeof(req),
				"GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: hornet\r\n\r\n",
				path ? path : "/", host);

			if (n > 0 && n < (int)sizeof(req) && send(fd, req, n, MSG_NOSIGNAL) == n &&
			    recv(fd, resp, sizeof(resp), 0) > 0)
				ret = 0;
		}
		close(fd);
	}
	freeaddrinfo(ai);
	return ret;
}

static void *worker(void *arg)
{
	struct hornet_actions *a = arg;
	struct job job;
	int ret;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (!a->count && !a->stop)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop) {
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		job = a->queue[a->head];
		a->head = (a->head + 1) % QUEUE_MAX;
		a->count--;
		pthread_mutex_unlock(&a->lock);

		ret = job.action == HORNET_ACTION_GETURL ? get_url(job.arg)
							 : dns_lookup(a, job.arg);
		pthread_mutex_lock(&a->lock);
		if (ret)
			a->failed++;
		else
			a->done++;
		pthread_mutex_unlock(&a->lock);
		if (ret)
			pr_debug("%s '%s': %s", hornet_action_name(job.action), job.arg,
				 strerror(-ret));
	}
}

static void set_dns(struct hornet_actions *a, const char *server)
{
	char buf[128], line[256], *colon;
	struct sockaddr_in6 *s6 = (void *)&a->dns;
	struct sockaddr_in *s4 = (void *)&a->dns;
	unsigned int port = 53;
	FILE *f;

	buf[0] = '\0';
	if (server) {
		snprintf(buf, sizeof(buf), "%s", server);
	} else if ((f = fopen("/etc/resolv.conf", "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "nameserver %127s", buf) == 1)
				break;
		fclose(f);
	}
	/* "IP:PORT" for IPv4; "[IPv6]:PORT" */
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (end) {
			*end = '\0';
			if (end[1] == ':')
				port = atoi(end + 2);
			memmove(buf, buf + 1, strlen(buf));
		}
	} else if ((colon = strchr(buf, ':')) && !strchr(colon + 1, ':')) {
		*colon = '\0';
		port = atoi(colon + 1);
	}
	if (inet_pton(AF_INET, buf, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		a->dns_len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a->dns_len = sizeof(*s6);
	}
}

struct hornet_actions *hornet_actions__new(const char *dns_server)
{
	struct hornet_actions *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	set_dns(a, dns_server);
	if (pthread_create(&a->thread, NULL, worker, a)) {
		free(a);
		return NULL;
	}
	return a;
}

void hornet_actions__free(struct hornet_actions *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	free(a);
}

void hornet_actions__queue(struct hornet_actions *a, enum hornet_action action, const char *arg)
{
	struct job *j;

	pthread_mutex_lock(&a->lock);
	if (a->count == QUEUE_MAX) {
		a->dropped++;
	} else {
		j = &a->queue[(a->head + a->count) % QUEUE_MAX];
		j->action = action;
		snprintf(j->arg, sizeof(j->arg), "%s", arg);
		a->count++;
		pthread_cond_signal(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
}

void hornet_actions__stats(struct hornet_actions *a, struct hornet_actions_stats *s)
{
	pthread_mutex_lock(&a->lock);
	s->done = a->done;
	s->failed = a->failed;
	s->dropped = a->dropped;
	pthread_mutex_unlock(&a->lock);
}
