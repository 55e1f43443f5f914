// SPDX-License-Identifier: GPL-2.0
/*
 * httpload N CLIENTS SERVERS: a small HTTP/1.1 server on 127.0.0.1 (SERVERS
 * processes accepting on one listening socket) and CLIENTS client processes
 * that each make N requests, one TCP connection per request (connect, GET,
 * read the whole response, close), like curl or a health checker would.
 *
 * Prints: requests per second, then the CPU time (user + system) of clients
 * and servers together per request, in nanoseconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char response[] = "HTTP/1.1 200 OK\r\n"
			       "Content-Type: text/plain\r\n"
			       "Content-Length: 13\r\n"
			       "Connection: close\r\n"
			       "\r\n"
			       "hello, world\n";

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Reads until the end of the request head (or EOF); false on error. */
static int read_head(int fd)
{
	char buf[2048];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return n == 0 && len > 0;
		len += n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 1;
	}
	return 1;
}

static void serve(int lfd)
{
	int fd;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		if (read_head(fd))
			(void)!write(fd, response, sizeof(response) - 1);
		close(fd);
	}
}

/*
 * One request from source address @src. Each request comes from another
 * address of 127.0.0.0/8: from one address, the closed connections waiting
 * in TIME_WAIT would crowd the ephemeral ports and slow every later connect
 * more than the last, whatever runs beside the benchmark.
 */
static int request(const struct sockaddr_in *addr, in_addr_t src, const char *req, size_t req_len)
{
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_addr.s_addr = src };
	char buf[512];
	ssize_t n;
	size_t got = 0;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)&from, sizeof(from)) ||
	    connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) ||
	    write(fd, req, req_len) != (ssize_t)req_len) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += n;
	close(fd);
	return got == sizeof(response) - 1 ? 0 : -1;
}

static void client(const struct sockaddr_in *addr, long n, long index)
{
	in_addr_t src;
	char req[256];
	int len;
	long i;

	len = snprintf(req, sizeof(req),
		       "GET /bench HTTP/1.1\r\nHost: bench.hornet.test:%u\r\n"
		       "User-Agent: httpload\r\nAccept: */*\r\n\r\n",
		       ntohs(addr->sin_port));
	for (i = 0; i < n; i++) {
		/* 127.<10 + client>.<i>: 65,000 addresses per client */
		src = htonl(127u << 24 | (uint32_t)(10 + index % 200) << 16 | (i % 65000 + 1));
		if (request(addr, src, req, len)) {
			usleep(1000);
			if (request(addr, src, req, len))
				_exit(1);
		}
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	long n, clients, servers, i, failed = 0;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	pid_t *spids;
	long long start, wall, cpu;
	struct rusage ru;
	int lfd, one = 1, status;

	if (argc != 4 || (n = strtol(argv[1], NULL, 10)) <= 0 ||
	    (clients = strtol(argv[2], NULL, 10)) <= 0 ||
	    (servers = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: httpload N CLIENTS SERVERS\n");
		return 2;
	}
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1024) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen)) {
		perror("httpload: listen on 127.0.0.1");
		return 1;
	}
	spids = calloc(servers, sizeof(*spids));
	if (!spids)
		return 1;
	for (i = 0; i < servers; i++) {
		spids[i] = fork();
		if (spids[i] == 0)
			serve(lfd);
	}
	start = now_ns();
	for (i = 0; i < clients; i++)
		if (fork() == 0)
			client(&addr, n, i);
	for (i = 0; i < clients; i++) {
		if (wait(&status) < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	wall = now_ns() - start;
	for (i = 0; i < servers; i++) {
		kill(spids[i], SIGKILL);
		waitpid(spids[i], NULL, 0);
	}
	if (failed) {
		fprintf(stderr, "httpload: %ld clients failed\n", failed);
		return 1;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	printf("%.0f %lld\n", n * clients * 1e9 / wall, cpu / (n * clients));
	return 0;
}
