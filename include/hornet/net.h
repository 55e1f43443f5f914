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
/* HORNET_NET_TLS: the server name matched rule (flags >> 8) of
 * hornet_tls_cfg; RESET: the connection is being reset for it */
#define HORNET_NETF_TLS_RULE (1 << 4)
#define HORNET_NETF_TLS_RESET (1 << 5)
#define HORNET_NETF_TLS_RULE_SHIFT 8

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
	__u64 netns; /* the socket's network namespace cookie */
};

/* the first payload of this TCP connection was looked at */
#define HORNET_SOCKF_INSPECTED 1
/* a TLS rule resets it: nothing more of it goes out but its RST */
#define HORNET_SOCKF_RESET 2

/*
 * Names learned from DNS answers (bpf/net.bpf.c), for the DNSName and
 * NotDNSName operators of policies: per network namespace, each address an
 * answer gave for a question this namespace's socket asked, until the
 * answer's TTL runs out. The name itself is kept as hashes (a keyed 64-bit
 * hash, src/net/dnsname.c): of "" (any name: the value "*"), of each of its
 * shortest suffixes from a dot (".example.test": "*.example.test"), and of
 * the whole name. A selector's values are hashes of the same kinds.
 */
#define HORNET_DNS_ADDRS 16384 /* addresses, all namespaces together */
#define HORNET_DNS_SUFFIX_LABELS 8 /* a wildcard's suffix: at most this many labels */
#define HORNET_DNS_HASHES (HORNET_DNS_SUFFIX_LABELS + 2)
#define HORNET_DNS_ANSWERS 16 /* records of an answer looked at */
#define HORNET_DNS_MIN_TTL 1 /* seconds an answer counts for at least */

struct hornet_dns_addr_key {
	__u64 netns; /* network namespace cookie */
	__u16 family; /* AF_INET or AF_INET6; IPv4-mapped addresses as AF_INET */
	__u16 pad[3];
	__u8 addr[16];
};
_Static_assert(sizeof(struct hornet_dns_addr_key) == 32, "hornet_dns_addr_key size");

struct hornet_dns_addr {
	__u64 expires; /* CLOCK_MONOTONIC ns (bpf_ktime_get_ns()) */
	__u32 ttl; /* seconds, as the answer gave it */
	__u32 nr; /* hash[] used: "", the suffixes from the shortest, the name */
	__u64 hash[HORNET_DNS_HASHES];
};
_Static_assert(sizeof(struct hornet_dns_addr) == 96, "hornet_dns_addr size");

/*
 * Policies' spec.tlsServerNames, as the network sensor judges a ClientHello:
 * up to 64 rules, each a bit. hornet_tls_names maps the hash of a name or
 * pattern (as for DNSName) to the rules that list it; a ClientHello's server
 * name matches an In rule that lists one of its hashes, and a NotIn rule
 * that lists none (a ClientHello without a name matches every NotIn rule).
 */
#define HORNET_TLS_RULES 64
#define HORNET_TLS_NAMES 4096

struct hornet_tls_bits {
	__u64 in; /* In rules that list the name */
	__u64 not_in; /* NotIn rules that list it */
};

struct hornet_tls_cfg {
	__u64 rules; /* the rules in use */
	__u64 not_in; /* those of them that are NotIn */
	__u64 reset; /* those that reset (the others report) */
	__u64 scoped; /* the rules of policies with a workload scope */
	__u64 host; /* those whose scope holds the host's processes */
	/* per rule, its policy's workload scope (hornet_scope_cg) plus 1; 0:
	 * every process */
	__u16 scope[HORNET_TLS_RULES];
};

#endif /* HORNET_NET_H */
