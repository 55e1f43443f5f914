// SPDX-License-Identifier: GPL-2.0
/*
 * attack_net ROAD [ADDR PORT]: one outbound connection or datagram to a
 * loopback destination by one road, for tests/attack/test_network.py. Each
 * road runs in its own process, so that the test selects the agent's events by
 * this process's pid.
 *
 * Roads: connect4 (TCP to ADDR, an IPv4 address), connect6 (TCP to an IPv6
 * address), mapped (TCP on an AF_INET6 socket to ::ffff:ADDR), sendto,
 * sendmsg, sendmmsg (UDP to ADDR without connect), scm_rights (a TCP socket
 * made here, passed over a unix socket pair to a child that connects it),
 * raw (an AF_INET SOCK_RAW ICMP socket, an echo request to ADDR), packet (an
 * AF_PACKET socket), dns_tcp (a DNS query for hornet.example.org over TCP to
 * ADDR PORT, and its answer read back).
 *
 * Prints one JSON line: {"road": ..., "pid": N, "owner": N} on success (owner:
 * the process that connected or sent), {"road": ..., "errno": N, "what": ...}
 * on failure. Exits 0 on success, 4 when refused (EPERM, EACCES: an enforcing
 * agent), 3 when the kernel lacks the road (EAFNOSUPPORT, EPROTONOSUPPORT), 1
 * on any other failure, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"

static const char *road;

static int fail(const char *what, int err)
{
	printf("{\"road\": \"%s\", \"errno\": %d, \"what\": \"%s\"}\n", road, err, what);
	if (err == EPERM || err == EACCES)
		return 4;
	if (err == EAFNOSUPPORT || err == EPROTONOSUPPORT || err == ESOCKTNOSUPPORT)
		return 3;
	return 1;
}

static int done(int owner)
{
	printf("{\"road\": \"%s\", \"pid\": %d, \"owner\": %d}\n", road, getpid(), owner);
	return 0;
}

static void addr4(struct sockaddr_in *sin, const char *addr, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin->sin_addr);
}

static int tcp(int family, const char *addr, int port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sin;
	char mapped[64];
	int fd;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (family == AF_INET) {
		addr4(&sin, addr, port);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			return fail("connect", errno);
	} else {
		if (strchr(addr, ':')) {
			snprintf(mapped, sizeof(mapped), "%s", addr);
		} else {
			snprintf(mapped, sizeof(mapped), "::ffff:%s", addr);
		}
		if (inet_pton(AF_INET6, mapped, &sin6.sin6_addr) != 1)
			return fail("address", EINVAL);
		if (connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)))
			return fail("connect", errno);
	}
	close(fd);
	return done(getpid());
}

static int udp(const char *addr, int port)
{
	struct sockaddr_in sin;
	char msg[] = "x";
	struct iovec iov = { msg, 1 };
	struct msghdr mh = {
		.msg_name = &sin, .msg_namelen = sizeof(sin), .msg_iov = &iov, .msg_iovlen = 1
	};
	struct mmsghdr mm[2] = { { .msg_hdr = mh }, { .msg_hdr = mh } };
	int fd, r;

	addr4(&sin, addr, port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (!strcmp(road, "sendto"))
		r = sendto(fd, msg, 1, 0, (struct sockaddr *)&sin, sizeof(sin));
	else if (!strcmp(road, "sendmsg"))
		r = sendmsg(fd, &mh, 0);
	else
		r = sendmmsg(fd, mm, 2, 0);
	if (r < 0)
		return fail(road, errno);
	close(fd);
	return done(getpid());
}

/* the socket is made here, connected by a child it is passed to */
static int scm_rights(const char *addr, int port)
{
	struct sockaddr_in sin;
	int sock, fd, st;
	pid_t child;

	child = fdpass_fork(&sock);
	if (child < 0)
		return fail("socketpair and fork", errno);
	if (!child) {
		fd = fdpass_recv(sock);
		if (fd < 0)
			_exit(1);
		addr4(&sin, addr, port);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			_exit(errno == EPERM || errno == EACCES ? 4 : 1);
		close(fd);
		_exit(0);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (fdpass_send(sock, fd))
		return fail("sendmsg", errno);
	close(fd);
	if (waitpid(child, &st, 0) < 0)
		return fail("waitpid", errno);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return fail("connect in the child",
			    WIFEXITED(st) && WEXITSTATUS(st) == 4 ? EPERM : EIO);
	return done(child);
}

static int raw(const char *addr)
{
	struct icmphdr h = { .type = ICMP_ECHO };
	struct sockaddr_in sin;
	int fd;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return fail("socket", errno);
	addr4(&sin, addr, 0);
	/* the checksum of an all-zero header but the type */
	h.checksum = htons(~(ICMP_ECHO << 8));
	if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return fail("sendto", errno);
	close(fd);
	return done(getpid());
}

static int packet(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0)
		return fail("socket", errno);
	close(fd);
	return done(getpid());
}

static int dns_tcp(const char *addr, int port)
{
	static const unsigned char q[] = {
		0,    35, /* the length of the message, for TCP */
		0x42, 0x43, 1,	 0,   0,   1,	0,   0, 0,   0,	  0,   0,
		6,    'h',  'o', 'r', 'n', 'e', 't', 7, 'e', 'x', 'a', 'm',
		'p',  'l',  'e', 3,   'o', 'r', 'g', 0, 0,   1,	  0,   1,
	};
	unsigned char buf[512];
	struct sockaddr_in sin;
	ssize_t n, got = 0;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	addr4(&sin, addr, port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return fail("connect", errno);
	if (write(fd, q, sizeof(q)) != sizeof(q))
		return fail("write", errno);
	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	if (got < 14)
		return fail("answer", EIO);
	close(fd);
	return done(getpid());
}

int main(int argc, char **argv)
{
	const char *addr = argc > 2 ? argv[2] : "127.0.0.1";
	int port = argc > 3 ? atoi(argv[3]) : 0;

	if (argc < 2) {
		fprintf(stderr, "usage: attack_net ROAD [ADDR PORT]\n");
		return 2;
	}
	road = argv[1];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(road, "connect4"))
		return tcp(AF_INET, addr, port);
	if (!strcmp(road, "connect6") || !strcmp(road, "mapped"))
		return tcp(AF_INET6, addr, port);
	if (!strcmp(road, "sendto") || !strcmp(road, "sendmsg") || !strcmp(road, "sendmmsg"))
		return udp(addr, port);
	if (!strcmp(road, "scm_rights"))
		return scm_rights(addr, port);
	if (!strcmp(road, "raw"))
		return raw(addr);
	if (!strcmp(road, "packet"))
		return packet();
	if (!strcmp(road, "dns_tcp"))
		return dns_tcp(addr, port);
	fprintf(stderr, "attack_net: unknown road %s\n", road);
	return 2;
}
