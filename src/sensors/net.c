// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
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
	free(s);
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
