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
 * to user space, which parses them.
 */
#include "lib/common.bpf.h"
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
	if (own)
		owner_now(own);
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
					 const struct hornet_sock_owner *o)
{
	struct hornet_net_event *e;
	__u32 len;

	e = event(kind);
	if (!e)
		return;
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
			inspect_send(skb, &l, HORNET_NET_DNS, ingress, cookie, o);
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
		inspect_send(skb, &l, HORNET_NET_DNS, ingress, cookie, o);
		return 1;
	}
	/* TCP egress: the first payload of a connection a process opened;
	 * accepted sockets have no owner here and are left alone */
	o = skb_owner(skb);
	if (!o || (o->flags & HORNET_SOCKF_INSPECTED))
		return 1;
	o->flags |= HORNET_SOCKF_INSPECTED;
	cookie = bpf_get_socket_cookie(skb);
	if (load(skb, l.payload, head, sizeof(head)))
		return 1;
	if (head[0] == 0x16 && head[1] == 0x03 && head[5] == 0x01)
		/* handshake: ClientHello */
		inspect_send(skb, &l, HORNET_NET_TLS, false, cookie, o);
	else if ((head[0] == 'G' && head[1] == 'E' && head[2] == 'T' && head[3] == ' ') ||
		 (head[0] == 'P' && (head[1] == 'O' || head[1] == 'U' || head[1] == 'A')) ||
		 (head[0] == 'H' && head[1] == 'E' && head[2] == 'A' && head[3] == 'D') ||
		 (head[0] == 'D' && head[1] == 'E' && head[2] == 'L') ||
		 (head[0] == 'O' && head[1] == 'P' && head[2] == 'T') ||
		 (head[0] == 'C' && head[1] == 'O' && head[2] == 'N'))
		inspect_send(skb, &l, HORNET_NET_HTTP, false, cookie, o);
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
