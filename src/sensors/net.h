/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network sensor (bpf/net.bpf.c) in user space: attaches its tracing
 * programs and its cgroup programs (at the root of the cgroup v2 hierarchy,
 * next to any others there), and decodes its records into typed events
 * (export/types.h), which export/render_net.c shows as
 * process_kprobe events shaped like those of Tetragon's network policies
 * (tcp_connect, inet_csk_accept, inet_csk_listen_start, tcp_close,
 * udp_sendmsg, with a sock_arg), and process_dns, process_http and
 * process_tls from the messages it saw (docs/events.md).
 */
#ifndef HORNET_SENSORS_NET_H
#define HORNET_SENSORS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export/types.h"
#include "probe/features.h"
#include "process/cache.h"
#include "sensors/shared.h"
#include <hornet/net.h>

struct hornet_net_sensor;

struct hornet_net_opts {
	const struct hornet_shared_maps *maps; /* the agent's */
	struct hornet_proc_cache *cache;
	bool inspect; /* DNS, HTTP and TLS from the packets */
	bool flow; /* TCP: the close alone, with the whole flow (--network-flow) */
	/* each decoded event; returns 0 or -errno (-ENOMEM: not rendered) */
	int (*emit)(void *ctx, const struct hornet_event *ev);
	void *ctx;
};

/* Loads and attaches; returns NULL with errno set and the reason logged. */
struct hornet_net_sensor *hornet_net_sensor__new(const struct hornet_features *features,
						 const struct hornet_net_opts *opts);
void hornet_net_sensor__free(struct hornet_net_sensor *s);

/*
 * The TLS rules of policies (spec.tlsServerNames), as the kernel takes them
 * (include/hornet/net.h): cfg, and each name's hash with the rules that list
 * it; each rule's policy, for its events.
 */
struct hornet_tls_rule_set {
	struct hornet_tls_cfg cfg;
	char policy[HORNET_TLS_RULES][256];
	uint64_t *hash;
	struct hornet_tls_bits *bits;
	size_t n;
};

/*
 * Puts @r in the kernel's place of the rules there. A rule that keeps its
 * number keeps judging throughout (names are added before the rules are,
 * and taken away after). Returns 0 or -errno (the rules stay as they were,
 * or partly changed if a map update failed half way).
 */
int hornet_net_sensor__set_tls(struct hornet_net_sensor *s, const struct hornet_tls_rule_set *r);

/* Handles one HORNET_OP_NET record; -EINVAL when it fails validation. */
int hornet_net_sensor__handle(struct hornet_net_sensor *s, const void *data, size_t size);

/* Where the cgroup programs are attached ("/sys/fs/cgroup"). */
const char *hornet_net_sensor__cgroup(const struct hornet_net_sensor *s);

/* How socket states are followed, then accept, then the rest. */
const char *hornet_net_sensor__mechanism(const struct hornet_net_sensor *s);

#endif
