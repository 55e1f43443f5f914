// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The network sensor. TCP connections are followed through the
 * inet_sock_set_state tracepoint, which fires in whatever context the state
 * changes (often softirq, where "current" is not the socket's process): so
 * each socket's owner is recorded where the process is known (connect and
 * listen in the tracepoint itself, accept at the syscall's return, every
 * socket at creation through a cgroup program) and read back everywhere
 * else. cgroup programs see UDP destinations and the packets: the first
 * bytes of DNS messages and of outgoing HTTP requests and TLS handshakes go
 * to user space, which parses them. DNS answers are also read here, for
 * the names of the addresses they give (see "names" below).
 */
#include "lib/common.bpf.h"
#include "lib/compat.bpf.h"
#include "lib/dns.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/sock.bpf.h"
#include <bpf/bpf_endian.h>
#include <hornet/net.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7
#define TCP_LISTEN 10

/* Repeated UDP sends to one peer by one process are reported once per this. */
const volatile __u64 hornet_udp_interval_ns = 10ULL * 1000000000ULL;
/* Packet inspection (DNS, HTTP, TLS) on or off. */
const volatile bool hornet_inspect = true;
/* Flow mode (--network-flow): a connection's one event is its close, with
 * its duration and direction; no connect and accept events. */
const volatile bool hornet_flow = false;
/* bpf_get_socket_cookie() may be called from tp_btf programs (5.12) */
const volatile bool hornet_tp_cookie = true;

/* A TCP socket followed from connect, listen or accept to close: its owner,
 * and its addresses as they were while it was connected (by close, the
 * kernel has already released the local port). */
struct tcp_track {
	struct hornet_sock_owner owner;
	struct hornet_sock_data tuple;
	__u64 start; /* ktime of connect(), listen() or accept() */
	__u32 flags; /* HORNET_NETF_INCOMING: accepted; TRACK_LISTEN: listening */
	__u32 pad;
};

#define TRACK_LISTEN (1 << 15) /* tcp_track.flags, beside HORNET_NETF_INCOMING */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcp_track);
} hornet_tcp_owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcp_track);
} hornet_track_heap SEC(".maps");

/*
 * Every socket made by a process since the agent started: its owner, for the
 * packet programs. Socket-local storage rather than a hash by cookie: the
 * packet programs find it through the socket they hold (no hash, no cookie
 * for packets that go nowhere), and it goes away with the socket (no delete
 * at close, no shared LRU list and its lock at creation). Sockets made by the
 * kernel for accept() have none, and their packets are not inspected.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hornet_sock_owner);
} hornet_sock_owners SEC(".maps");

struct udp_key {
	__u32 pid;
	__u16 port;
	__u16 family;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct udp_key);
	__type(value, __u64);
} hornet_udp_seen SEC(".maps");

struct net_heap {
	char buf[sizeof(struct hornet_net_event) + HORNET_NET_PAYLOAD];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_heap);
} hornet_net_heap SEC(".maps");

static __always_inline struct hornet_net_event *event(__u16 kind)
{
	__u32 zero = 0;
	struct net_heap *h = bpf_map_lookup_elem(&hornet_net_heap, &zero);
	struct hornet_net_event *e;

	if (!h)
		return NULL;
	e = (void *)h->buf;
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

static __always_inline void owner_now(struct hornet_sock_owner *o)
{
	struct hornet_proc *p;

	o->pid = bpf_get_current_pid_tgid() >> 32;
	p = bpf_map_lookup_elem(&hornet_procs, &o->pid);
	o->ktime = p ? p->ktime : 0;
}

static __always_inline void send(struct hornet_net_event *e, const struct hornet_sock_owner *o,
				 __u32 payload)
{
	__u64 size = sizeof(*e) + (payload & (HORNET_NET_PAYLOAD - 1));

	if (o) {
		e->pid = o->pid;
		e->proc_ktime = o->ktime;
	} else {
		e->flags |= HORNET_NETF_NO_OWNER;
	}
	e->payload_len = payload & (HORNET_NET_PAYLOAD - 1);
	hornet_hdr_init(&e->hdr, HORNET_OP_NET, size);
	hornet_output(e, size, HORNET_STAT_RB_LOST_NET);
}

/* struct sock_common's fields up to skc_cookie, copied in one read */
#define SKC_COPY 128

/* @o bytes into @b, @o a field's offset that read_skc() checked */
#define SKC_AT(b, o, type) (*(type *)((b) + (o)))

/*
 * hornet_read_sock() with one bpf_probe_read_kernel() of sock_common's head
 * instead of one per field (nine): accept's return, a syscall tracepoint
 * without a BTF pointer, reads a socket per connection. The offsets are
 * CO-RE constants, so a kernel whose skc_cookie lies beyond the copy takes
 * the field-by-field read, and the verifier sees only one of the two.
 */
static __always_inline void read_skc(struct hornet_sock_data *sd, const struct sock *sk)
{
	const struct sock_common *skc = (const void *)sk;
	__u32 end = bpf_core_field_offset(skc->skc_cookie) + sizeof(__u64);
	__u8 b[SKC_COPY];

	if (end > sizeof(b) || bpf_probe_read_kernel(b, end, skc)) {
		hornet_read_sock(sd, sk);
		return;
	}
	sd->family = SKC_AT(b, bpf_core_field_offset(skc->skc_family), __u16);
	sd->state = SKC_AT(b, bpf_core_field_offset(skc->skc_state), __u8);
	sd->type = BPF_CORE_READ(sk, sk_type);
	sd->protocol = BPF_CORE_READ(sk, sk_protocol);
	sd->sport = SKC_AT(b, bpf_core_field_offset(skc->skc_num), __u16);
	sd->dport = bpf_ntohs(SKC_AT(b, bpf_core_field_offset(skc->skc_dport), __u16));
	if (sd->family == AF_INET6) {
		__builtin_memcpy(sd->saddr, b + bpf_core_field_offset(skc->skc_v6_rcv_saddr), 16);
		__builtin_memcpy(sd->daddr, b + bpf_core_field_offset(skc->skc_v6_daddr), 16);
	} else {
		*(__u32 *)sd->saddr = SKC_AT(b, bpf_core_field_offset(skc->skc_rcv_saddr), __u32);
		*(__u32 *)sd->daddr = SKC_AT(b, bpf_core_field_offset(skc->skc_daddr), __u32);
	}
	sd->cookie = SKC_AT(b, bpf_core_field_offset(skc->skc_cookie), __u64);
}

/*
 * The socket's addresses and state. @btf: @sk is a BTF pointer (tp_btf), read
 * with plain loads; otherwise read_skc(). Callers pass a constant, so each
 * program keeps one of the two.
 */
static __always_inline void read_sock(struct hornet_sock_data *sd, const struct sock *sk, bool btf)
{
	const struct sock_common *skc = (const void *)sk;

	if (btf) {
		sd->family = skc->skc_family;
		sd->state = skc->skc_state;
		sd->type = sk->sk_type;
		sd->protocol = sk->sk_protocol;
		sd->sport = skc->skc_num;
		sd->dport = bpf_ntohs(skc->skc_dport);
		if (sd->family == AF_INET6) {
			__builtin_memcpy(sd->saddr, &skc->skc_v6_rcv_saddr, 16);
			__builtin_memcpy(sd->daddr, &skc->skc_v6_daddr, 16);
		} else {
			*(__u32 *)sd->saddr = skc->skc_rcv_saddr;
			*(__u32 *)sd->daddr = skc->skc_daddr;
		}
		sd->cookie = skc->skc_cookie.counter;
		return;
	}
	read_skc(sd, sk);
}

static __always_inline void read_bytes(struct hornet_net_event *e, const struct sock *sk, bool btf)
{
	const struct tcp_sock *tp = (const void *)sk;

	/* bytes_sent came in 5.6 (commit ba113c3aa79a "tcp: add
	 * TCP_INFO status for failed client TFO"); bytes_acked is older */
	if (btf) {
		/* the verifier knows @sk as a struct sock: ask it for the tcp_sock */
		struct tcp_sock *t = bpf_skc_to_tcp_sock((void *)sk);

		if (!t)
			return;
		if (bpf_core_field_exists(t->bytes_sent))
			e->bytes_sent = t->bytes_sent;
		else
			e->bytes_sent = t->bytes_acked;
		e->bytes_received = t->bytes_received;
		return;
	}
	if (bpf_core_field_exists(tp->bytes_sent))
		e->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	else
		e->bytes_sent = BPF_CORE_READ(tp, bytes_acked);
	e->bytes_received = BPF_CORE_READ(tp, bytes_received);
}

static __always_inline struct tcp_track *track_heap(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hornet_track_heap, &zero);
}

static __always_inline void emit_tcp(__u16 kind, const struct tcp_track *t, const struct sock *sk,
				     int state, bool btf)
{
	struct hornet_net_event *e = event(kind);

	if (!e)
		return;
	__builtin_memcpy(&e->sock, &t->tuple, sizeof(e->sock));
	e->sock.state = state;
	if (kind == HORNET_NET_CLOSE) {
		read_bytes(e, sk, btf);
		/* a listening socket's close is no flow */
		if (hornet_flow && !(t->flags & TRACK_LISTEN)) {
			e->flags |= HORNET_NETF_FLOW | (t->flags & HORNET_NETF_INCOMING);
			e->duration_ns = bpf_ktime_get_ns() - t->start;
		}
	}
	send(e, &t->owner, 0);
}

static __always_inline int state_change(const struct sock *sk, int oldstate, int newstate, bool btf)
{
	struct tcp_track *t, *heap;
	__u64 key = (__u64)sk;

	/* half of a connection's ten changes matter: the others leave at once */
	if (newstate != TCP_SYN_SENT && newstate != TCP_LISTEN && newstate != TCP_CLOSE &&
	    !(newstate == TCP_ESTABLISHED && oldstate == TCP_SYN_SENT))
		return 0;
	if ((btf ? sk->sk_protocol : BPF_CORE_READ(sk, sk_protocol)) != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT || newstate == TCP_LISTEN) {
		/* connect() and listen(): the process is current */
		heap = track_heap();
		if (!heap)
			return 0;
		owner_now(&heap->owner);
		read_sock(&heap->tuple, sk, btf);
		heap->start = bpf_ktime_get_ns();
		heap->flags = newstate == TCP_LISTEN ? TRACK_LISTEN : 0;
		bpf_map_update_elem(&hornet_tcp_owners, &key, heap, BPF_ANY);
		if (newstate == TCP_LISTEN)
			emit_tcp(HORNET_NET_LISTEN, heap, sk, newstate, btf);
		return 0;
	}
	t = bpf_map_lookup_elem(&hornet_tcp_owners, &key);
	if (!t)
		return 0; /* never connected, listened or accepted by a process we saw */
	if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED) {
		/* connected: now both ports are known (often in softirq: owner from the map) */
		read_sock(&t->tuple, sk, btf);
		if (!hornet_flow)
			emit_tcp(HORNET_NET_CONNECT, t, sk, newstate, btf);
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	if (oldstate == TCP_SYN_SENT)
		emit_tcp(HORNET_NET_CONNECT, t, sk, newstate, btf); /* a connect that failed */
	else
		emit_tcp(HORNET_NET_CLOSE, t, sk, newstate, btf);
	bpf_map_delete_elem(&hornet_tcp_owners, &key);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(hornet_tcp_state, struct sock *sk, int oldstate, int newstate)
{
	/*
	 * A socket made by the kernel for accept() has no cookie until
	 * someone asks for it: ask now (tracing programs may, with a BTF
	 * pointer, since 5.12), so accept and close events carry one. The
	 * raw_tp variant below and kernels before 5.12 cannot; there accepted
	 * sockets go without.
	 */
	if (hornet_tp_cookie && newstate == TCP_ESTABLISHED && oldstate == TCP_SYN_RECV)
		bpf_get_socket_cookie(sk);
	return state_change(sk, oldstate, newstate, true);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(hornet_tcp_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	return state_change(sk, oldstate, newstate, false);
}

/* accept(2) and accept4(2) returned a socket: its process is current. */
static __always_inline int accepted(long fd)
{
	struct tcp_track *heap = track_heap();
	struct socket *sock;
	struct sock *sk;
	__u64 key;

	/* a failed accept (EAGAIN on a non-blocking socket) costs nothing more */
	if (fd < 0)
		return 0;
	sock = BPF_CORE_READ(hornet_fd_file((void *)bpf_get_current_task(), fd), private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !heap || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	owner_now(&heap->owner);
	read_sock(&heap->tuple, sk, false);
	heap->start = bpf_ktime_get_ns();
	heap->flags = HORNET_NETF_INCOMING;
	key = (__u64)sk;
	bpf_map_update_elem(&hornet_tcp_owners, &key, heap, BPF_ANY);
	if (!hornet_flow)
		emit_tcp(HORNET_NET_ACCEPT, heap, sk, heap->tuple.state, false);
	return 0;
}

/* struct syscall_trace_exit: the return value follows the syscall number */
struct sys_exit_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

SEC("tracepoint/syscalls/sys_exit_accept4")
int hornet_accept4(struct sys_exit_ctx *ctx)
{
	return accepted(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int hornet_accept(struct sys_exit_ctx *ctx)
{
	return accepted(ctx->ret);
}

/* Every new socket: its owner, for the packet programs. */
SEC("cgroup/sock_create")
int hornet_sock_create(struct bpf_sock *ctx)
{
	struct hornet_sock_owner *own;

	if (!hornet_inspect)
		return 1;
	/* the cookie from the start: connect's event carries it, as its close does */
	bpf_get_socket_cookie(ctx);
	own = bpf_sk_storage_get(&hornet_sock_owners, ctx, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (own) {
		owner_now(own);
		own->netns = bpf_get_netns_cookie(ctx);
	}
	return 1;
}

/* A UDP destination: reported once per process and peer per interval. */
static __always_inline int udp_dest(struct bpf_sock_addr *ctx, __u16 family)
{
	struct hornet_sock_owner own = {};
	struct hornet_net_event *e;
	struct udp_key key = {};
	__u64 now = bpf_ktime_get_ns(), *last;

	if (ctx->type != 2 /* SOCK_DGRAM */)
		return 1;
	owner_now(&own);
	key.pid = own.pid;
	key.family = family;
	key.port = bpf_ntohs(ctx->user_port);
	if (family == AF_INET) {
		*(__u32 *)key.addr = ctx->user_ip4;
	} else {
		((__u32 *)key.addr)[0] = ctx->user_ip6[0];
		((__u32 *)key.addr)[1] = ctx->user_ip6[1];
		((__u32 *)key.addr)[2] = ctx->user_ip6[2];
		((__u32 *)key.addr)[3] = ctx->user_ip6[3];
	}
	last = bpf_map_lookup_elem(&hornet_udp_seen, &key);
	if (last && now - *last < hornet_udp_interval_ns)
		return 1;
	bpf_map_update_elem(&hornet_udp_seen, &key, &now, BPF_ANY);
	e = event(HORNET_NET_UDP_SEND);
	if (!e)
		return 1;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->sock.family = family;
	e->sock.type = ctx->type;
	e->sock.protocol = ctx->protocol;
	e->sock.dport = key.port;
	__builtin_memcpy(e->sock.daddr, key.addr, 16);
	e->sock.cookie = bpf_get_socket_cookie(ctx);
	send(e, &own, 0);
	return 1;
}

SEC("cgroup/sendmsg4")
int hornet_udp_sendmsg4(struct bpf_sock_addr *ctx)
{
	return udp_dest(ctx, AF_INET);
}

SEC("cgroup/sendmsg6")
int hornet_udp_sendmsg6(struct bpf_sock_addr *ctx)
{
	return udp_dest(ctx, AF_INET6);
}

SEC("cgroup/connect4")
int hornet_udp_connect4(struct bpf_sock_addr *ctx)
{
	return udp_dest(ctx, AF_INET);
}

SEC("cgroup/connect6")
int hornet_udp_connect6(struct bpf_sock_addr *ctx)
{
	return udp_dest(ctx, AF_INET6);
}

/* ---- packets ---- */

struct l4 {
	__u16 family;
	__u8 proto;
	__u16 sport, dport;
	__u32 payload; /* offset of the payload in the packet */
	__u8 saddr[16], daddr[16];
	__u8 tcp_flags;
};

/*
 * @len bytes at @off of the packet: straight from its linear part, where
 * the kernel has built the headers (a load, where bpf_skb_load_bytes() is a
 * helper call: these run for every packet), else through the helper. @len
 * is a constant of each caller.
 */
static __always_inline int load(struct __sk_buff *skb, __u32 off, void *to, const __u32 len)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	off &= 0xff; /* headers are within the first 256 bytes: the bound is for the verifier */
	if (data + off + len <= end) {
		__builtin_memcpy(to, data + off, len);
		return 0;
	}
	return bpf_skb_load_bytes(skb, off, to, len);
}

/*
 * IPv4/IPv6 and TCP/UDP headers of a packet that starts at the IP header,
 * read in as few copies as possible: this runs for every packet. @ingress:
 * only DNS answers matter there, so TCP stops after its ports unless they
 * come from port 53.
 */
static __always_inline int parse(struct __sk_buff *skb, struct l4 *l, bool ingress)
{
	__u8 ip[40], th[14];
	__u32 off;

	if (load(skb, 0, ip, 20))
		return -1;
	if ((ip[0] >> 4) == 4) {
		l->family = AF_INET;
		l->proto = ip[9];
		__builtin_memcpy(l->saddr, ip + 12, 4);
		__builtin_memcpy(l->daddr, ip + 16, 4);
		off = (ip[0] & 0xf) * 4;
	} else if ((ip[0] >> 4) == 6) {
		/* extension headers are left alone: TCP and UDP follow directly here */
		l->family = AF_INET6;
		l->proto = ip[6];
		if (l->proto != IPPROTO_TCP && l->proto != IPPROTO_UDP)
			return -1;
		if (load(skb, 20, ip + 20, 20))
			return -1;
		__builtin_memcpy(l->saddr, ip + 8, 16);
		__builtin_memcpy(l->daddr, ip + 24, 16);
		off = 40;
	} else {
		return -1;
	}
	if (l->proto != IPPROTO_UDP && l->proto != IPPROTO_TCP)
		return -1;
	if (l->proto == IPPROTO_UDP ? load(skb, off, th, 4) : load(skb, off, th, 14))
		return -1;
	l->sport = (th[0] << 8) | th[1];
	l->dport = (th[2] << 8) | th[3];
	if (l->proto == IPPROTO_UDP) {
		l->payload = off + 8;
		return 0;
	}
	if (ingress && l->sport != 53) /* over TCP, only DNS answers come in */
		return -1;
	l->tcp_flags = th[13];
	l->payload = off + (th[12] >> 4) * 4;
	return 0;
}

static __always_inline void inspect_send(struct __sk_buff *skb, const struct l4 *l, __u16 kind,
					 bool ingress, __u64 cookie,
					 const struct hornet_sock_owner *o, __u16 flags)
{
	struct hornet_net_event *e;
	__u32 len;

	e = event(kind);
	if (!e)
		return;
	e->flags |= flags;
	if (ingress)
		e->flags |= HORNET_NETF_INGRESS;
	e->sock.family = l->family;
	e->sock.protocol = l->proto;
	e->sock.sport = l->sport;
	e->sock.dport = l->dport;
	__builtin_memcpy(e->sock.saddr, l->saddr, 16);
	__builtin_memcpy(e->sock.daddr, l->daddr, 16);
	e->sock.cookie = cookie;
	len = skb->len > l->payload ? skb->len - l->payload : 0;
	if (len > HORNET_NET_PAYLOAD - 1)
		len = HORNET_NET_PAYLOAD - 1;
	barrier_var(len);
	len &= HORNET_NET_PAYLOAD - 1;
	barrier_var(len);
	/* a signed compare: older verifiers learn len >= 1 from it, not from != 0 */
	if ((__s32)len < 1 || bpf_skb_load_bytes(skb, l->payload, e->payload, len))
		return;
	send(e, o, len);
}

/* The owner of the packet's socket, if a process made it since we started. */
static __always_inline struct hornet_sock_owner *skb_owner(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return NULL;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return NULL;
	return bpf_sk_storage_get(&hornet_sock_owners, sk, NULL, 0);
}

/* ---- names: the addresses DNS answers gave, per network namespace ---- */

/*
 * Each answer is read here, in the packet's path, before the socket can
 * receive it: by the time the process has the address, the map has its
 * name, and its connect() is judged by it. Only an answer to a query the
 * socket sent is learned: from the server and port the query went to, with
 * its id and its question (an answer from elsewhere is refused, so spoofed
 * answers name nothing). Names are kept as keyed hashes (include/hornet/net.h).
 */

/* the hash's key, random per agent start; src/net/dnsname.c hashes alike */
const volatile __u64 hornet_dns_seed = 0;

/*
 * Names learned and TLS rules judged. The names are read with bpf_loop():
 * the agent turns this off where the kernel has none (and takes no policy
 * that needs names there), and the calls below are then never reached. The
 * bounded object (kernels before 5.17) still has the functions, whose
 * layout its skeleton shares, but their walks take no step: the kernel
 * verifies global functions whether they are reached or not, and bounded,
 * the walks would cost every start of the agent seconds of verification
 * under emulation.
 */
const volatile bool hornet_names = true;

#ifdef HORNET_BOUNDED_LOOPS
#define NAMES_STEPS(n) 0
#else
#define NAMES_STEPS(n) (n)
#endif

#define DNS_PENDING 4 /* queries in flight per socket: A and AAAA, and retries */

struct dns_query {
	__u64 hash; /* the question's name */
	__u8 server[16];
	__u16 port, id, family, used;
};

struct dns_pending {
	struct dns_query q[DNS_PENDING];
	__u32 next;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dns_pending);
} hornet_dns_pending SEC(".maps");

#define DNS_WIRE 256 /* a name's bytes on the wire: at most 255 */

struct dns_scratch {
	__u8 wire[DNS_WIRE + 8]; /* a TLS server name is read to wire + 1 */
	__u8 label[DNS_WIRE]; /* 1 where wire[] holds a label's length */
	struct hornet_dns_addr val;
	struct hornet_dns_addr_key key;
	__u32 end; /* where the name ends in the packet */
	__u32 pos; /* the walks: where the name's terminating zero is in wire[] */
	__u32 len; /* bytes in wire[] */
	__u32 bad;
	__u64 h; /* the hash of the name's last bytes */
	__u32 off; /* dns_skip_name(), tls_name(): where in the packet */
	__u32 ext_end; /* tls_name(): where the ClientHello's extensions end */
	__u32 sni_off, sni_len; /* tls_name(): the server name found */
	__u32 dotted; /* wire[] holds a dotted name (TLS), not labels (DNS) */
	__u64 hit; /* tls_judge(): the rules left to look at */
	__u32 pick; /* tls_judge(): its verdict */
	__u32 scope_host; /* the socket's cgroup is no container's */
	__u64 scopes[HORNET_SCOPE_WORDS]; /* else the scopes it is in */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_scratch);
} hornet_dns_scratch SEC(".maps");

/* spec.tlsServerNames, as the agent sets them (include/hornet/net.h) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HORNET_TLS_NAMES);
	__type(key, __u64);
	__type(value, struct hornet_tls_bits);
} hornet_tls_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hornet_tls_cfg);
} hornet_tls_cfg SEC(".maps");

static __always_inline struct dns_scratch *dns_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hornet_dns_scratch, &zero);
}

/* One byte more of a name, read from its end, and the end: the same steps
 * as mix() and fin() in src/net/dnsname.c. */
static __always_inline __u64 dns_mix(__u64 h, __u8 c)
{
	h ^= c;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static __always_inline __u64 dns_fin(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* The walks' state is in the scratch, which the verifier does not track:
 * in the loop's context on the stack, a position it knew would differ at
 * each step, and it would check the step again for each. */
struct name_walk {
	struct dns_scratch *s;
};

/* One label of the name: its length marked, pos moved past it; the end
 * (a zero length) stops the walk. A pointer or a name past the bytes read
 * is not learned. */
HORNET_LOOP_STEP dns_label_step(__u32 i, void *ctx)
{
	struct dns_scratch *s = ((struct name_walk *)ctx)->s;
	__u32 pos = s->pos;
	__u8 l;

	if (pos >= s->len) {
		s->bad = 1;
		return 1;
	}
	l = s->wire[pos & (DNS_WIRE - 1)];
	if (!l)
		return 1;
	if (l > 63) {
		s->bad = 1;
		return 1;
	}
	s->label[pos & (DNS_WIRE - 1)] = 1;
	s->pos = pos + l + 1;
	return 0;
}

/* Step n of the name's bytes, from its end: wire[1..pos-1], each label's
 * length a dot; the hash of each suffix from a dot noted, up to
 * HORNET_DNS_SUFFIX_LABELS of them. */
HORNET_LOOP_STEP dns_name_step(__u32 n, void *ctx)
{
	struct dns_scratch *s = ((struct name_walk *)ctx)->s;
	__u32 j, nr;
	__u8 c;

	n++;
	if (n >= s->pos)
		return 1;
	j = (s->pos - n) & (DNS_WIRE - 1);
	c = s->wire[j];
	if (s->label[j] || (s->dotted && c == '.')) {
		c = '.';
	} else if (c == '.' || !c) {
		s->bad = 1;
		return 1;
	} else if (c >= 'A' && c <= 'Z') {
		c += 'a' - 'A';
	}
	s->h = dns_mix(s->h, c);
	if (c != '.')
		return 0;
	/* read back from memory (volatile: the compiler would keep it): a
	 * count the verifier knew would be a state of each value at each step */
	nr = *(volatile __u32 *)&s->val.nr;
	if (nr <= HORNET_DNS_SUFFIX_LABELS) {
		s->val.hash[nr] = dns_fin(s->h);
		s->val.nr = nr + 1;
	}
	return 0;
}

/*
 * The hashes of the name in wire[1..pos-1] into s->val: "*", the suffixes
 * from a dot, the whole name. Returns 0, or -1 for a name not learned.
 */
static __always_inline int dns_hashes(struct dns_scratch *s)
{
	struct name_walk w = { .s = s };
	__u32 nr;
	__u64 h;

	s->val.hash[0] = dns_fin(hornet_dns_seed); /* "*" */
	s->val.nr = 1;
	s->h = hornet_dns_seed;
	s->bad = 0;
	hornet_loop(NAMES_STEPS(DNS_WIRE - 2), dns_name_step, &w);
	if (s->bad)
		return -1;
	h = s->h;
	nr = *(volatile __u32 *)&s->val.nr;
	if (nr >= HORNET_DNS_HASHES)
		return -1;
	s->val.hash[nr] = dns_fin(h);
	s->val.nr = nr + 1;
	return 0;
}

/*
 * The question's name at @off of the packet: its hashes into the scratch's
 * val (nr of them, the whole name's last), and where it ends. A global
 * function: verified once per program, its walks by bpf_loop(). Returns 0,
 * or -1 for a name that is not plain labels (a compression pointer, a label
 * with a dot or a NUL in it), which is not learned.
 */
__noinline int dns_name(struct __sk_buff *skb, __u32 off)
{
	struct dns_scratch *s = dns_scratch();
	__u32 len, pos;
	struct name_walk w;

	if (!s || skb->len <= off)
		return -1;
	len = skb->len - off;
	if (len > DNS_WIRE - 1)
		len = DNS_WIRE - 1;
	/* 1 to DNS_WIRE, as the verifier sees it (len is 1 to 255) */
	len = ((len - 1) & (DNS_WIRE - 1)) + 1;
	if (bpf_skb_load_bytes(skb, off, s->wire, len))
		return -1;
	__builtin_memset(s->label, 0, sizeof(s->label));
	w.s = s;
	s->pos = 0;
	s->len = len;
	s->bad = 0;
	if (hornet_loop(NAMES_STEPS(128), dns_label_step, &w) == 128 || s->bad)
		return -1;
	pos = s->pos;
	if (pos < 2 || pos > DNS_WIRE - 1)
		return -1;
	s->end = off + pos + 1;
	s->dotted = 0;
	return dns_hashes(s) ? -1 : 0;
}

/* The context of the packet walks' steps; their state is in the scratch. */
struct pkt_walk {
	struct __sk_buff *skb;
	struct dns_scratch *s;
	struct hornet_tls_cfg *cfg; /* tls_rule_step() */
};

/* One label of a record's name: s->off moved past it, or to 0 if bad. */
HORNET_LOOP_STEP dns_skip_step(__u32 i, void *ctx)
{
	struct pkt_walk *w = ctx;
	struct dns_scratch *s = w->s;
	__u8 b = 0;

	if (bpf_skb_load_bytes(w->skb, s->off, &b, 1)) {
		s->off = 0;
		return 1;
	}
	if ((b & 0xc0) == 0xc0) {
		s->off += 2;
		return 1;
	}
	if (b & 0xc0) {
		s->off = 0;
		return 1;
	}
	s->off += b + 1;
	return !b;
}

/* The offset past the record name at @off (labels, or a pointer), 0 if bad. */
__noinline __u32 dns_skip_name(struct __sk_buff *skb, __u32 off)
{
	struct dns_scratch *s = dns_scratch();
	struct pkt_walk w = { .skb = skb, .s = s };

	if (!s)
		return 0;
	s->off = off;
	if (hornet_loop(NAMES_STEPS(128), dns_skip_step, &w) == 128)
		return 0;
	return s->off;
}

/* The A and AAAA records from @off on: each learned for the scratch's
 * name in @netns, until its TTL runs out. Returns how many. */
__noinline int dns_records(struct __sk_buff *skb, __u32 off, __u32 count, __u64 netns)
{
	struct dns_scratch *s = dns_scratch();
	__u64 now = bpf_ktime_get_ns();
	int learned = 0;
	__u8 rr[10];

	if (!s)
		return 0;
	for (__u32 r = 0; r < HORNET_DNS_ANSWERS; r++) {
		__u16 type, class, rdlen;
		__u32 ttl;

		if (r >= count)
			break;
		off = dns_skip_name(skb, off);
		if (!off || bpf_skb_load_bytes(skb, off, rr, sizeof(rr)))
			break;
		type = (rr[0] << 8) | rr[1];
		class = (rr[2] << 8) | rr[3];
		ttl = ((__u32)rr[4] << 24) | (rr[5] << 16) | (rr[6] << 8) | rr[7];
		rdlen = (rr[8] << 8) | rr[9];
		off += sizeof(rr);
		if (class == 1 && ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16))) {
			__builtin_memset(&s->key, 0, sizeof(s->key));
			s->key.netns = netns;
			if (type == 1) {
				s->key.family = AF_INET;
				if (bpf_skb_load_bytes(skb, off, s->key.addr, 4))
					break;
			} else {
				s->key.family = AF_INET6;
				if (bpf_skb_load_bytes(skb, off, s->key.addr, 16))
					break;
			}
			if (ttl < HORNET_DNS_MIN_TTL || ttl > 0x7fffffff)
				ttl = ttl ? 0x7fffffff : HORNET_DNS_MIN_TTL;
			s->val.ttl = ttl;
			s->val.expires = now + ttl * 1000000000ULL;
			if (!bpf_map_update_elem(&hornet_dns_addrs, &s->key, &s->val, BPF_ANY))
				learned++;
		}
		off += rdlen;
	}
	return learned;
}

/* The whole name's hash, dns_name()'s last. */
static __always_inline bool dns_whole(struct dns_scratch *s, __u64 *hash)
{
	__u32 last = s->val.nr - 1;

	if (last >= HORNET_DNS_HASHES)
		return false;
	*hash = s->val.hash[last];
	return true;
}

static __always_inline bool same_addr(const __u8 *a, const __u8 *b)
{
	__u8 diff = 0;

	for (int i = 0; i < 16; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

static __always_inline struct bpf_sock *skb_fullsock(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	return sk ? bpf_sk_fullsock(sk) : NULL;
}

/* A query going out: noted on its socket, for its answer. */
static __always_inline void dns_query(struct __sk_buff *skb, const struct l4 *l)
{
	struct dns_pending *p;
	struct dns_query *q;
	struct dns_scratch *s;
	struct bpf_sock *sk;
	__u8 hdr[12];
	__u64 hash;

	if (load(skb, l->payload, hdr, sizeof(hdr)) || (hdr[2] & 0x80) || hdr[4] || hdr[5] != 1)
		return;
	sk = skb_fullsock(skb);
	if (!sk || dns_name(skb, l->payload + 12))
		return;
	s = dns_scratch();
	if (!s || !dns_whole(s, &hash))
		return;
	p = bpf_sk_storage_get(&hornet_dns_pending, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (!p)
		return;
	q = &p->q[p->next++ & (DNS_PENDING - 1)];
	q->hash = hash;
	__builtin_memcpy(q->server, l->daddr, 16);
	q->port = l->dport;
	q->id = (hdr[0] << 8) | hdr[1];
	q->family = l->family;
	q->used = 1;
}

/* An answer coming in: learned if it answers a query its socket sent. */
static __always_inline void dns_answer(struct __sk_buff *skb, const struct l4 *l,
				       const struct hornet_sock_owner *o)
{
	struct dns_pending *p;
	struct dns_scratch *s;
	struct bpf_sock *sk;
	__u16 id, count;
	__u64 hash;
	__u8 hdr[12];
	int k;

	/* a response, a standard query's, without error, to one question */
	if (load(skb, l->payload, hdr, sizeof(hdr)) || !(hdr[2] & 0x80) || (hdr[2] & 0x78) ||
	    (hdr[3] & 0xf) || hdr[4] || hdr[5] != 1)
		return;
	id = (hdr[0] << 8) | hdr[1];
	count = (hdr[6] << 8) | hdr[7];
	sk = skb_fullsock(skb);
	if (!sk || dns_name(skb, l->payload + 12))
		return;
	s = dns_scratch();
	if (!s || !dns_whole(s, &hash))
		return;
	p = bpf_sk_storage_get(&hornet_dns_pending, sk, NULL, 0);
	for (k = 0; p && k < DNS_PENDING; k++) {
		struct dns_query *q = &p->q[k];

		if (q->used && q->id == id && q->hash == hash && q->port == l->sport &&
		    q->family == l->family && same_addr(q->server, l->saddr))
			break;
	}
	if (!p || k == DNS_PENDING) {
		hornet_stat_inc(HORNET_STAT_DNS_REFUSED);
		return;
	}
	p->q[k & (DNS_PENDING - 1)].used = 0;
	if (o && dns_records(skb, s->end + 4, count, o->netns) > 0)
		hornet_stat_inc(HORNET_STAT_DNS_LEARNED);
}

/* ---- TLS: a ClientHello's server name against spec.tlsServerNames ---- */

/* One extension of the ClientHello at s->off: the server name's noted and
 * the walk stops, else s->off moves past it. */
HORNET_LOOP_STEP tls_ext_step(__u32 i, void *ctx)
{
	struct pkt_walk *w = ctx;
	struct dns_scratch *s = w->s;
	__u8 ext[9];

	if (s->off + 4 > s->ext_end || bpf_skb_load_bytes(w->skb, s->off, ext, 4))
		return 1;
	if (ext[0] || ext[1]) { /* not server_name (0) */
		s->off += 4 + ((ext[2] << 8) | ext[3]);
		return 0;
	}
	/* server_name_list: its length, then the first name's type (0: host) and length */
	if (bpf_skb_load_bytes(w->skb, s->off, ext, sizeof(ext)) || ext[6])
		return 1;
	s->sni_off = s->off + 9;
	s->sni_len = (ext[7] << 8) | ext[8];
	return 1;
}

/*
 * The server name of the ClientHello at @p (the TCP payload: record header,
 * handshake header, hello), hashed into the scratch as a DNS name is.
 * Returns 1 with a name, 0 without one (s->val.nr 0), -1 for a hello it
 * cannot read (cut short, malformed). A global function: verified once.
 */
__noinline int tls_name(struct __sk_buff *skb, __u32 p)
{
	struct dns_scratch *s = dns_scratch();
	struct pkt_walk w = { .skb = skb, .s = s };
	__u8 b[2];
	__u32 off, len;

	if (!s)
		return -1;
	s->val.nr = 0;
	s->sni_len = 0;
	/* 5 record, 4 handshake, 2 version, 32 random: the session id's length */
	if (bpf_skb_load_bytes(skb, p + 43, b, 1))
		return -1;
	off = p + 44 + b[0];
	if (bpf_skb_load_bytes(skb, off, b, 2)) /* cipher suites */
		return -1;
	off += 2 + ((b[0] << 8) | b[1]);
	if (bpf_skb_load_bytes(skb, off, b, 1)) /* compression methods */
		return -1;
	off += 1 + b[0];
	if (bpf_skb_load_bytes(skb, off, b, 2)) /* extensions */
		return 0; /* a hello may have none */
	s->off = off + 2;
	s->ext_end = s->off + ((b[0] << 8) | b[1]);
	if (s->ext_end > skb->len)
		s->ext_end = skb->len;
	hornet_loop(NAMES_STEPS(32), tls_ext_step, &w);
	len = s->sni_len;
	if (!len)
		return 0;
	if (len > 253)
		return -1;
	len = ((len - 1) & (DNS_WIRE - 1)) + 1;
	if (bpf_skb_load_bytes(skb, s->sni_off, s->wire + 1, len))
		return -1;
	__builtin_memset(s->label, 0, sizeof(s->label));
	s->pos = len + 1;
	s->dotted = 1;
	return dns_hashes(s) ? -1 : 1;
}

/* the position of a word's one set bit, by de Bruijn's sequence */
static const __u8 lowest_bit[64] = {
	0,  1,	48, 2,	57, 49, 28, 3,	61, 58, 50, 42, 38, 29, 17, 4,	62, 55, 59, 36, 53, 51,
	43, 22, 45, 39, 33, 30, 24, 18, 12, 5,	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
	44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,	13, 8,	7,  6,
};

/* One rule that the name matched, the lowest of s->hit: whether it holds
 * within its policy's workloads, and what it does there. */
HORNET_LOOP_STEP tls_rule_step(__u32 i, void *ctx)
{
	struct pkt_walk *w = ctx;
	struct dns_scratch *s = w->s;
	struct hornet_tls_cfg *cfg = w->cfg;
	__u64 hit = s->hit, bit;
	__u32 r, scope;

	if (!hit)
		return 1;
	bit = hit & -hit;
	s->hit = hit & ~bit;
	r = lowest_bit[(bit * 0x03f79d71b4cb0a89ULL) >> 58] & (HORNET_TLS_RULES - 1);
	scope = cfg->scope[r];
	if (scope && (s->scope_host ? !(cfg->host & bit)
				    : !(s->scopes[((scope - 1) >> 6) & (HORNET_SCOPE_WORDS - 1)] &
					(1ULL << ((scope - 1) & 63)))))
		return 0;
	if (cfg->reset & bit) {
		s->pick = (r + 1) | (HORNET_NETF_TLS_RESET << 16);
		return 1;
	}
	if (!s->pick)
		s->pick = r + 1;
	return 0;
}

/*
 * The TLS rules' verdict on the ClientHello at @p: 0 none, else the rule's
 * number plus 1, with HORNET_NETF_TLS_RESET << 16 when it resets (a
 * resetting rule before a reporting one).
 */
static __always_inline __u32 tls_judge(struct __sk_buff *skb, __u32 p)
{
	struct hornet_scope_bits *scopes;
	struct hornet_tls_bits *bits;
	struct hornet_tls_cfg *cfg;
	struct dns_scratch *s;
	struct pkt_walk w = { .skb = skb };
	__u64 in = 0, not_in = 0;
	__u32 zero = 0, nr;
	int named;

	cfg = bpf_map_lookup_elem(&hornet_tls_cfg, &zero);
	if (!cfg || !cfg->rules)
		return 0;
	named = tls_name(skb, p);
	s = dns_scratch();
	if (!s)
		return 0;
	nr = named > 0 ? s->val.nr : 0;
	for (__u32 i = 0; i < HORNET_DNS_HASHES; i++) {
		if (i >= nr)
			break;
		bits = bpf_map_lookup_elem(&hornet_tls_names, &s->val.hash[i]);
		if (bits) {
			in |= bits->in;
			not_in |= bits->not_in;
		}
	}
	/* a hello it could not read has no name it can vouch for */
	s->hit = (in & cfg->rules) | (cfg->not_in & ~not_in);
	s->pick = 0;
	if (!s->hit)
		return 0;
	if (s->hit & cfg->scoped) {
		__u64 cg = bpf_skb_cgroup_id(skb);

		scopes = bpf_map_lookup_elem(&hornet_scope_cg, &cg);
		s->scope_host = !scopes;
		if (scopes)
			__builtin_memcpy(s->scopes, scopes->w, sizeof(s->scopes));
	}
	w.s = s;
	w.cfg = cfg;
	hornet_loop(NAMES_STEPS(HORNET_TLS_RULES), tls_rule_step, &w);
	return s->pick;
}

static __always_inline int packet(struct __sk_buff *skb, bool ingress)
{
	struct hornet_sock_owner *o;
	struct l4 l = {};
	__u8 head[6] = {};
	__u64 cookie;

	if (!hornet_inspect || parse(skb, &l, ingress))
		return 1;
	if (l.proto == IPPROTO_UDP) {
		if ((!ingress && l.dport == 53) || (ingress && l.sport == 53)) {
			o = skb_owner(skb);
			cookie = bpf_get_socket_cookie(skb);
			if (hornet_names && ingress)
				dns_answer(skb, &l, o);
			else if (hornet_names)
				dns_query(skb, &l);
			inspect_send(skb, &l, HORNET_NET_DNS, ingress, cookie, o, 0);
		}
		return 1;
	}
	if (skb->len <= l.payload)
		return 1;
	/* DNS over TCP (RFC 7766): each message after a 2-byte length, which user
	 * space skips; every segment of port 53, the answers too */
	if (ingress || l.dport == 53) {
		o = skb_owner(skb);
		cookie = bpf_get_socket_cookie(skb);
		inspect_send(skb, &l, HORNET_NET_DNS, ingress, cookie, o, 0);
		return 1;
	}
	/* TCP egress: the first payload of a connection a process opened;
	 * accepted sockets have no owner here and are left alone */
	o = skb_owner(skb);
	if (!o)
		return 1;
	/* reset by a TLS rule: its RST goes out (the agent's abort sends one), nothing else */
	if (o->flags & HORNET_SOCKF_RESET)
		return l.tcp_flags & 0x04 ? 1 : 0;
	if (o->flags & HORNET_SOCKF_INSPECTED)
		return 1;
	o->flags |= HORNET_SOCKF_INSPECTED;
	cookie = bpf_get_socket_cookie(skb);
	if (load(skb, l.payload, head, sizeof(head)))
		return 1;
	if (head[0] == 0x16 && head[1] == 0x03 && head[5] == 0x01) {
		/* handshake: ClientHello */
		__u32 verdict = hornet_names ? tls_judge(skb, l.payload) : 0;
		__u16 flags = 0;

		if (verdict & 0xff)
			flags = HORNET_NETF_TLS_RULE |
				(((verdict & 0xff) - 1) << HORNET_NETF_TLS_RULE_SHIFT);
		if (verdict & (HORNET_NETF_TLS_RESET << 16))
			flags |= HORNET_NETF_TLS_RESET;
		inspect_send(skb, &l, HORNET_NET_TLS, false, cookie, o, flags);
		if (flags & HORNET_NETF_TLS_RESET) {
			/* the hello goes nowhere: the handshake cannot complete */
			o->flags |= HORNET_SOCKF_RESET;
			return 0;
		}
	} else if ((head[0] == 'G' && head[1] == 'E' && head[2] == 'T' && head[3] == ' ') ||
		   (head[0] == 'P' && (head[1] == 'O' || head[1] == 'U' || head[1] == 'A')) ||
		   (head[0] == 'H' && head[1] == 'E' && head[2] == 'A' && head[3] == 'D') ||
		   (head[0] == 'D' && head[1] == 'E' && head[2] == 'L') ||
		   (head[0] == 'O' && head[1] == 'P' && head[2] == 'T') ||
		   (head[0] == 'C' && head[1] == 'O' && head[2] == 'N'))
		inspect_send(skb, &l, HORNET_NET_HTTP, false, cookie, o, 0);
	return 1;
}

SEC("cgroup_skb/egress")
int hornet_skb_egress(struct __sk_buff *skb)
{
	return packet(skb, false);
}

SEC("cgroup_skb/ingress")
int hornet_skb_ingress(struct __sk_buff *skb)
{
	return packet(skb, true);
}
