/* SPDX-License-Identifier: GPL-2.0 */
/* Passing one descriptor over a unix socket (SCM_RIGHTS), for the attack helpers. */
#ifndef HORNET_TESTS_FDPASS_H
#define HORNET_TESTS_FDPASS_H

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct fdpass {
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov;
	struct msghdr mh;
};

/* One byte and room for one descriptor. */
static struct msghdr *fdpass_init(struct fdpass *p)
{
	memset(p, 0, sizeof(*p));
	p->iov.iov_base = &p->byte;
	p->iov.iov_len = 1;
	p->mh.msg_iov = &p->iov;
	p->mh.msg_iovlen = 1;
	p->mh.msg_control = p->cbuf;
	p->mh.msg_controllen = sizeof(p->cbuf);
	return &p->mh;
}

/* Sends @fd over @sock with one byte; returns 0, or -1 with errno. */
static int fdpass_send(int sock, int fd)
{
	struct fdpass p;
	struct msghdr *mh = fdpass_init(&p);
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return sendmsg(sock, mh, 0) == 1 ? 0 : -1;
}

/* The descriptor received over @sock, or -1. */
static int fdpass_recv(int sock)
{
	struct fdpass p;
	struct msghdr *mh = fdpass_init(&p);
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, mh, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(mh);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/*
 * A child joined to its parent by a unix socket: as fork(), and *@sock is the
 * parent's end to send on, or the child's to receive on; -1 with errno when
 * the socket or the fork fails.
 */
static pid_t fdpass_fork(int *sock)
{
	int sv[2];
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	close(sv[child ? 1 : 0]);
	*sock = sv[child ? 0 : 1];
	return child;
}

#endif
