/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire ABI of the network sensor (bpf/net.bpf.c): TCP connections
 * (connect, accept, listen, close with the bytes moved), UDP destinations,
 * and the first bytes of DNS messages and of outgoing HTTP requests and TLS
 * handshakes, each with the process that owns the socket.
 */
#ifndef HORNET_NET_H
#define HORNET_NET_H

#include <hornet/events.h>
#include <hornet/generic.h>

enum hornet_net_kind {
	HORNET_NET_CONNECT = 1,
	HORNET_NET_ACCEPT,
	HORNET_NET_LISTEN,
	HORNET_NET_CLOSE,
	HORNET_NET_UDP_SEND, /* a UDP destination, once per process and peer per interval */
	HORNET_NET_DNS, /* payload: a DNS message (query out, or answer in) */
	HORNET_NET_HTTP, /* payload: the start of an HTTP request */
	HORNET_NET_TLS, /* payload: the start of a TLS ClientHello */
};

#define HORNET_NET_PAYLOAD 2048 /* bytes of a message kept for user space to parse */

/* hornet_net_event.flags */
#define HORNET_NETF_INGRESS (1 << 0)
#define HORNET_NETF_NO_OWNER (1 << 1) /* the socket's process is not known */
/* HORNET_NET_CLOSE in flow mode (--network-flow): the connection's whole
 * flow, with duration_ns; INCOMING: it was accepted, else connected */
#define HORNET_NETF_FLOW (1 << 2)
#define HORNET_NETF_INCOMING (1 << 3)

/* HORNET_OP_NET */
struct hornet_net_event {
	struct hornet_hdr hdr;
	__u32 pid;
	__u32 tid;
	__u64 proc_ktime; /* the owner's process key (0 unknown) */
	__u16 kind; /* enum hornet_net_kind */
	__u16 flags;
	__u32 payload_len;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 duration_ns; /* HORNET_NETF_FLOW: from connect() or accept() to the close */
	struct hornet_sock_data sock;
	char payload[];
};
_Static_assert(sizeof(struct hornet_net_event) == 120, "hornet_net_event size");

/* Who owns a socket: recorded where the process is known (connect, accept,
 * listen, socket creation) and read where it is not (softirq, packets). */
struct hornet_sock_owner {
	__u32 pid;
	__u32 flags; /* HORNET_SOCKF_* (kernel side only) */
	__u64 ktime;
};

/* the first payload of this TCP connection was looked at */
#define HORNET_SOCKF_INSPECTED 1

#endif /* HORNET_NET_H */
