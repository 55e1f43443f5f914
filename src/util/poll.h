/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's one event loop is an epoll set; every source in it (the ring
 * buffer, signals, the API socket and its clients) embeds a hornet_poll and
 * is called back through it. Here, below every module, so that a module
 * with a source of its own (export/api.c) needs nothing of the agent.
 */
#ifndef HORNET_UTIL_POLL_H
#define HORNET_UTIL_POLL_H

#include <stdint.h>

struct hornet_poll {
	void (*fn)(struct hornet_poll *p, uint32_t events);
	int fd;
};

#endif
