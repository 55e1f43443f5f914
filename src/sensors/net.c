// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <dirent.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <hornet/net.h>

#include "net.skel.h"
#include "net/parse.h"
#include "sensors/net.h"
#include "util/cgroup2.h"
#include "util/log.h"
#include "vocab/vocab.h"

struct hornet_net_sensor {
	struct hornet_net *skel;
	struct hornet_net_opts opts;
	char cgroup[4096];
	int cgroup_fd;
	bool btf; /* socket states through tp_btf (else raw_tp) */
	struct bpf_link *links[16];
	unsigned int nr_links;
	struct hornet_tls_rule_set tls; /* what the kernel has; tls.hash and tls.bits owned */
};

static int attach(struct hornet_net_sensor *s, struct bpf_program *p, bool cgroup)
{
	struct bpf_link *l;

	if (s->nr_links == sizeof(s->links) / sizeof(s->links[0]))
		return -E2BIG;
	l = cgroup ? bpf_program__attach_cgroup(p, s->cgroup_fd) : bpf_program__attach(p);
	if (!l)
		return -errno;
	s->links[s->nr_links++] = l;
	return 0;
}

struct hornet_net_sensor *hornet_net_sensor__new(const struct hornet_features *features,
						 const struct hornet_net_opts *opts)
{
	struct hornet_net_sensor *s = calloc(1, sizeof(*s));
	bool btf = hornet_has(features, HORNET_FEAT_TP_BTF);
	struct bpf_program *cg[7];
	unsigned int i;
	int err;

	if (!s)
		return NULL;
	s->opts = *opts;
	s->cgroup_fd = -1;
	s->btf = btf;
	err = hornet_cgroup2_root(s->cgroup, sizeof(s->cgroup));
	if (err) {
		err = -ENOENT;
		pr_err("sensor 'network': no cgroup v2 hierarchy is mounted");
		goto fail;
	}
	s->cgroup_fd = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->cgroup_fd < 0) {
		err = -errno;
		pr_err("sensor 'network': %s: %s", s->cgroup, strerror(-err));
		goto fail;
	}
	s->skel = hornet_net__open();
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	bpf_program__set_autoload(s->skel->progs.hornet_tcp_state, btf);
	bpf_program__set_autoload(s->skel->progs.hornet_tcp_state_raw, !btf);
	s->skel->rodata->hornet_inspect = opts->inspect;
	s->skel->rodata->hornet_flow = opts->flow;
	s->skel->rodata->hornet_tp_cookie = hornet_has(features, HORNET_FEAT_TRACING_COOKIE);
	s->skel->rodata->hornet_wakeup_bytes = hornet_shared_maps__wakeup_bytes(opts->maps);
	s->skel->rodata->hornet_dns_seed = opts->maps->dns_seed;
	/* names are read with bpf_loop(): agent/policies.c takes no policy that needs them without */
	s->skel->rodata->hornet_names = hornet_has(features, HORNET_FEAT_BPF_LOOP);
	err = hornet_shared_maps__reuse(opts->maps, s->skel->obj);
	if (err)
		goto fail;
	err = hornet_net__load(s->skel);
	if (err) {
		pr_err("sensor 'network': load failed: %s (--log-level debug shows the verifier's "
		       "log)",
		       strerror(-err));
		goto fail;
	}
	err = attach(s, btf ? s->skel->progs.hornet_tcp_state : s->skel->progs.hornet_tcp_state_raw,
		     false);
	if (!err)
		err = attach(s, s->skel->progs.hornet_accept, false);
	if (!err)
		err = attach(s, s->skel->progs.hornet_accept4, false);
	if (err) {
		pr_err("sensor 'network': attach: %s", strerror(-err));
		goto fail;
	}
	cg[0] = s->skel->progs.hornet_udp_sendmsg4;
	cg[1] = s->skel->progs.hornet_udp_sendmsg6;
	cg[2] = s->skel->progs.hornet_udp_connect4;
	cg[3] = s->skel->progs.hornet_udp_connect6;
	/* packet inspection's: without it they would run on every socket
	 * and packet of the machine only to return */
	cg[4] = s->skel->progs.hornet_sock_create;
	cg[5] = s->skel->progs.hornet_skb_egress;
	cg[6] = s->skel->progs.hornet_skb_ingress;
	for (i = 0; i < (opts->inspect ? 7 : 4) && !err; i++)
		err = attach(s, cg[i], true);
	if (err) {
		pr_err("sensor 'network': attach to cgroup '%s': %s", s->cgroup, strerror(-err));
		goto fail;
	}
	return s;
fail:
	hornet_net_sensor__free(s);
	errno = -err;
	return NULL;
}

void hornet_net_sensor__free(struct hornet_net_sensor *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->nr_links; i++)
		bpf_link__destroy(s->links[i]);
	hornet_net__destroy(s->skel);
	if (s->cgroup_fd >= 0)
		close(s->cgroup_fd);
	free(s->tls.hash);
	free(s->tls.bits);
	free(s);
}

static const struct hornet_tls_bits *tls_bits_of(const struct hornet_tls_rule_set *r, uint64_t h)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->hash[i] == h)
			return &r->bits[i];
	return NULL;
}

int hornet_net_sensor__set_tls(struct hornet_net_sensor *s, const struct hornet_tls_rule_set *r)
{
	int names = bpf_map__fd(s->skel->maps.hornet_tls_names);
	int cfg = bpf_map__fd(s->skel->maps.hornet_tls_cfg);
	uint64_t *hash = NULL;
	struct hornet_tls_bits *bits = NULL;
	__u32 zero = 0;
	size_t i;

	if (r->n) {
		hash = malloc(r->n * sizeof(*hash));
		bits = malloc(r->n * sizeof(*bits));
		if (!hash || !bits) {
			free(hash);
			free(bits);
			return -ENOMEM;
		}
		memcpy(hash, r->hash, r->n * sizeof(*hash));
		memcpy(bits, r->bits, r->n * sizeof(*bits));
	}
	/* 1. the new names, with the rules that list them now or did (the
	 * kernel counts only the rules of cfg: a new rule is not yet one) */
	for (i = 0; i < r->n; i++) {
		const struct hornet_tls_bits *old = tls_bits_of(&s->tls, r->hash[i]);
		struct hornet_tls_bits b = r->bits[i];

		if (old) {
			b.in |= old->in;
			b.not_in |= old->not_in;
		}
		if (bpf_map_update_elem(names, &r->hash[i], &b, BPF_ANY))
			goto fail;
	}
	/* 2. the rules */
	if (bpf_map_update_elem(cfg, &zero, &r->cfg, BPF_ANY))
		goto fail;
	/* 3. the names as they are now; those no rule lists any more, gone */
	for (i = 0; i < r->n; i++)
		if (bpf_map_update_elem(names, &r->hash[i], &r->bits[i], BPF_ANY))
			goto fail;
	for (i = 0; i < s->tls.n; i++)
		if (!tls_bits_of(r, s->tls.hash[i]))
			bpf_map_delete_elem(names, &s->tls.hash[i]);
	free(s->tls.hash);
	free(s->tls.bits);
	s->tls = *r;
	s->tls.hash = hash;
	s->tls.bits = bits;
	return 0;
fail:
	free(hash);
	free(bits);
	return -errno;
}

const char *hornet_net_sensor__cgroup(const struct hornet_net_sensor *s)
{
	return s->cgroup;
}

const char *hornet_net_sensor__mechanism(const struct hornet_net_sensor *s)
{
	return s->btf ? "tp_btf, tracepoint, cgroup" : "raw_tp, tracepoint, cgroup";
}

/* process and parent objects, as in policy events */
static struct hornet_process *owner(struct hornet_net_sensor *s, const struct hornet_net_event *e,
				    struct hornet_process **tmp)
{
	struct hornet_process *p = NULL;

	*tmp = NULL;
	if (e->proc_ktime)
		p = hornet_proc_cache__lookup(s->opts.cache, e->pid, e->proc_ktime);
	if (p)
		return p;
	*tmp = hornet_process__new();
	if (!*tmp)
		return NULL;
	(*tmp)->pid = (*tmp)->tid = e->pid;
	(*tmp)->ktime = e->proc_ktime;
	(*tmp)->flags = HORNET_PF_NO_PARENT;
	(*tmp)->auid = (uint32_t)-1;
	return *tmp;
}

/* Parses the captured message; a message that does not parse is no event. */
static int decode_message(const struct hornet_net_event *e, struct hornet_event *ev,
			  struct hornet_dns_msg **dns, struct hornet_http_req *http,
			  struct hornet_tls_hello *tls)
{
	const uint8_t *payload = (const uint8_t *)e->payload;

	ev->msg.sock = &e->sock;
	ev->msg.ingress = e->flags & HORNET_NETF_INGRESS;
	switch (e->kind) {
	case HORNET_NET_DNS:
		*dns = calloc(1, sizeof(**dns));
		if (!*dns)
			return -ENOMEM;
		ev->kind = HORNET_EV_DNS;
		ev->msg.dns = *dns;
		if (e->sock.protocol == IPPROTO_TCP)
			return hornet_dns_parse_tcp(payload, e->payload_len, *dns);
		return hornet_dns_parse(payload, e->payload_len, *dns);
	case HORNET_NET_HTTP:
		ev->kind = HORNET_EV_HTTP;
		ev->msg.http = http;
		return hornet_http_parse(payload, e->payload_len, http);
	default:
		ev->kind = HORNET_EV_TLS;
		ev->msg.tls = tls;
		return hornet_tls_parse_client_hello(payload, e->payload_len, tls);
	}
}

/*
 * Aborts the TCP connection @sk of process @pid, in its network namespace:
 * SOCK_DESTROY of sock_diag (CONFIG_INET_DIAG_DESTROY), as `ss -K` does.
 * The kernel sends the peer a RST and the socket's owner gets ECONNABORTED.
 */
static int tcp_abort(uint32_t pid, const struct hornet_sock_data *sk)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg),
			 .nlmsg_type = SOCK_DESTROY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		.req = { .sdiag_family = sk->family,
			 .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = ~0U },
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	char path[64], reply[512];
	int ns, self, fd = -1, ret;
	struct nlmsghdr *h;
	ssize_t n;

	msg.req.id.idiag_sport = htons(sk->sport);
	msg.req.id.idiag_dport = htons(sk->dport);
	memcpy(msg.req.id.idiag_src, sk->saddr, sizeof(msg.req.id.idiag_src));
	memcpy(msg.req.id.idiag_dst, sk->daddr, sizeof(msg.req.id.idiag_dst));
	msg.req.id.idiag_cookie[0] = (uint32_t)sk->cookie;
	msg.req.id.idiag_cookie[1] = (uint32_t)(sk->cookie >> 32);
	/* the socket is found in the namespace the netlink socket is made in */
	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns < 0 || self < 0 || setns(ns, CLONE_NEWNET)) {
		ret = -errno;
		goto out;
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ret = fd < 0 ? -errno : 0;
	if (setns(self, CLONE_NEWNET))
		pr_err("sensor 'network': back to the agent's network namespace: %s",
		       strerror(errno));
	if (ret)
		goto out;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	h = (struct nlmsghdr *)reply;
	if (n < (ssize_t)sizeof(*h))
		ret = n < 0 ? -errno : -EIO;
	else if (h->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
out:
	if (fd >= 0)
		close(fd);
	if (ns >= 0)
		close(ns);
	if (self >= 0)
		close(self);
	return ret;
}

/* The inode of @sk in /proc/PID/net/tcp or tcp6 (its network namespace's), 0 if none. */
static unsigned long tcp_inode(uint32_t pid, const struct hornet_sock_data *sk)
{
	char path[64], line[512], want_l[64], want_r[64];
	const uint8_t *l = sk->saddr, *r = sk->daddr;
	unsigned long inode = 0, ino;
	char la[64], ra[64];
	FILE *f;

	/* the kernel prints each 32-bit word of the address as the host's %08X */
	if (sk->family == AF_INET6) {
		snprintf(path, sizeof(path), "/proc/%u/net/tcp6", pid);
		snprintf(want_l, sizeof(want_l), "%08X%08X%08X%08X:%04X", ((const uint32_t *)l)[0],
			 ((const uint32_t *)l)[1], ((const uint32_t *)l)[2],
			 ((const uint32_t *)l)[3], sk->sport);
		snprintf(want_r, sizeof(want_r), "%08X%08X%08X%08X:%04X", ((const uint32_t *)r)[0],
			 ((const uint32_t *)r)[1], ((const uint32_t *)r)[2],
			 ((const uint32_t *)r)[3], sk->dport);
	} else {
		snprintf(path, sizeof(path), "/proc/%u/net/tcp", pid);
		snprintf(want_l, sizeof(want_l), "%08X:%04X", *(const uint32_t *)l, sk->sport);
		snprintf(want_r, sizeof(want_r), "%08X:%04X", *(const uint32_t *)r, sk->dport);
	}
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %63s %63s %*s %*s %*s %*s %*s %*s %lu", la, ra, &ino) == 3 &&
		    !strcmp(la, want_l) && !strcmp(ra, want_r))
			inode = ino;
	fclose(f);
	return inode;
}

/*
 * Where the kernel has no SOCK_DESTROY (no CONFIG_INET_DIAG_DESTROY, or
 * sock_diag a module it cannot load): the socket, taken from one of the
 * process's descriptors (pidfd_getfd(), 5.6), shut down both ways. The
 * process's reads end at once; the peer gets a FIN, not a RST.
 */
static int tcp_shut(uint32_t pid, const struct hornet_sock_data *sk)
{
	unsigned long inode = tcp_inode(pid, sk);
	char dir[64], link[340], want[64], target[96];
	int pidfd, fd = -1, ret = -ENOENT;
	struct dirent *d;
	ssize_t n;
	DIR *fds;

	if (!inode)
		return -ENOENT;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	snprintf(dir, sizeof(dir), "/proc/%u/fd", pid);
	fds = opendir(dir);
	if (!fds)
		return -errno;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	while (pidfd >= 0 && fd < 0 && (d = readdir(fds))) {
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, want))
			continue;
		fd = syscall(SYS_pidfd_getfd, pidfd, atoi(d->d_name), 0);
		ret = fd < 0 ? -errno : 0;
	}
	if (pidfd < 0)
		ret = -errno;
	closedir(fds);
	if (fd >= 0) {
		if (shutdown(fd, SHUT_RDWR))
			ret = -errno;
		close(fd);
	}
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

/* A ClientHello a TLS rule matched: its policy on the event, and the reset. */
static void tls_rule(struct hornet_net_sensor *s, const struct hornet_net_event *e,
		     struct hornet_event *ev)
{
	unsigned int rule = (e->flags >> HORNET_NETF_TLS_RULE_SHIFT) & (HORNET_TLS_RULES - 1);
	int err;

	ev->msg.tls_policy = s->tls.policy[rule][0] ? s->tls.policy[rule] : "(removed)";
	ev->msg.tls_reset = e->flags & HORNET_NETF_TLS_RESET;
	if (!ev->msg.tls_reset)
		return;
	/* the hello was dropped in the kernel, and all the connection sends
	 * after it: the abort is what tells the process at once */
	err = tcp_abort(e->pid, &e->sock);
	if (err)
		err = tcp_shut(e->pid, &e->sock);
	if (err && err != -ENOENT)
		pr_warn("sensor 'network': TLS rule of policy '%s': reset of the connection of "
			"pid %u: %s (its packets stay dropped)",
			ev->msg.tls_policy, e->pid, strerror(-err));
}

int hornet_net_sensor__handle(struct hornet_net_sensor *s, const void *data, size_t size)
{
	const struct hornet_net_event *e = data;
	struct hornet_event ev = { .ktime = e->hdr.ktime };
	struct hornet_dns_msg *dns = NULL;
	struct hornet_http_req http;
	struct hornet_tls_hello tls;
	struct hornet_process *tmp;
	int ret = 0;

	if (size < sizeof(*e) || e->payload_len > size - sizeof(*e) ||
	    e->payload_len >= HORNET_NET_PAYLOAD)
		return -EINVAL;
	ev.process_unknown = e->flags & HORNET_NETF_NO_OWNER;
	ev.process = owner(s, e, &tmp);
	if (!ev.process)
		return -ENOMEM;
	switch (e->kind) {
	case HORNET_NET_CONNECT:
	case HORNET_NET_ACCEPT:
	case HORNET_NET_LISTEN:
	case HORNET_NET_CLOSE:
	case HORNET_NET_UDP_SEND:
		ev.kind = HORNET_EV_CONN;
		ev.conn.kind = e->kind;
		ev.conn.sock = &e->sock;
		ev.conn.bytes_sent = e->bytes_sent;
		ev.conn.bytes_received = e->bytes_received;
		ev.conn.flow = e->kind == HORNET_NET_CLOSE && (e->flags & HORNET_NETF_FLOW);
		ev.conn.incoming = e->flags & HORNET_NETF_INCOMING;
		ev.conn.duration_ns = e->duration_ns;
		break;
	case HORNET_NET_DNS:
	case HORNET_NET_HTTP:
	case HORNET_NET_TLS:
		ret = decode_message(e, &ev, &dns, &http, &tls);
		if (e->kind == HORNET_NET_TLS && (e->flags & HORNET_NETF_TLS_RULE))
			tls_rule(s, e, &ev);
		break;
	default:
		ret = -EINVAL;
	}
	if (!ret)
		ret = s->opts.emit(s->opts.ctx, &ev);
	free(dns);
	hornet_process__put(tmp);
	/* a message that does not parse is not what it seemed: no event */
	return ret == -EINVAL || ret == -ENODATA ? 0 : ret;
}
