/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GetUrl and DnsLookup, the policy actions that user space carries out: an
 * HTTP GET of a URL, a DNS query for a name (typically to alert an outside
 * system). They block on the network, so they run on one worker thread fed
 * by a bounded queue: the event loop never waits for them, and when the
 * queue is full the action is dropped and counted.
 */
#ifndef HORNET_AGENT_ACTIONS_H
#define HORNET_AGENT_ACTIONS_H

#include <stdint.h>

#include "policy/policy.h"

struct hornet_actions;

/* @dns_server: "IP" or "IP:PORT"; NULL takes the first nameserver of /etc/resolv.conf. */
struct hornet_actions *hornet_actions__new(const char *dns_server);
void hornet_actions__free(struct hornet_actions *a);

/* Queues one action; never blocks. */
void hornet_actions__queue(struct hornet_actions *a, enum hornet_action action, const char *arg);

struct hornet_actions_stats {
	uint64_t done;
	uint64_t failed;
	uint64_t dropped;
};

void hornet_actions__stats(struct hornet_actions *a, struct hornet_actions_stats *s);

/* Builds a DNS query for @name (type A) into @buf; returns its length or -EINVAL. */
int hornet_dns_query(const char *name, uint16_t id, unsigned char *buf, size_t size);

#endif
