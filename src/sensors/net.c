// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	struct hornet_json json;
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
	hornet_json_init(&s->json);
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
	cg[0] = s->skel->progs.hornet_sock_create;
	cg[1] = s->skel->progs.hornet_udp_sendmsg4;
	cg[2] = s->skel->progs.hornet_udp_sendmsg6;
	cg[3] = s->skel->progs.hornet_udp_connect4;
	cg[4] = s->skel->progs.hornet_udp_connect6;
	cg[5] = s->skel->progs.hornet_skb_egress;
	cg[6] = s->skel->progs.hornet_skb_ingress;
	for (i = 0; i < 7 && !err; i++)
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
	hornet_json_free(&s->json);
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

/* Dotted quad by hand: glibc's inet_ntop formats IPv4 through sprintf, and
 * every network event prints two addresses. */
static void addr_text(uint16_t family, const uint8_t *a, char *out, size_t size)
{
	char *p = out;
	int i;

	if (family != 10 && size >= 16) {
		for (i = 0; i < 4; i++) {
			if (a[i] >= 100)
				*p++ = '0' + a[i] / 100;
			if (a[i] >= 10)
				*p++ = '0' + a[i] / 10 % 10;
			*p++ = '0' + a[i] % 10;
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (!inet_ntop(family == 10 ? AF_INET6 : AF_INET, a, out, size))
		snprintf(out, size, "?");
}

static void render_sock(struct hornet_json *j, const char *key, const struct hornet_sock_data *sd,
			bool with_state)
{
	char buf[64];
	const char *n;

	hornet_json_obj_begin(j, key);
	n = hornet_family_name(sd->family);
	if (n)
		hornet_json_str(j, "family", n);
	else
		hornet_json_u64(j, "family", sd->family);
	n = hornet_vocab_name(HORNET_VOCAB_SOCK_TYPE, sd->type);
	if (n)
		hornet_json_str(j, "type", n);
	n = hornet_protocol_name(sd->protocol);
	if (n)
		hornet_json_str(j, "protocol", n);
	addr_text(sd->family, sd->saddr, buf, sizeof(buf));
	hornet_json_str(j, "saddr", buf);
	addr_text(sd->family, sd->daddr, buf, sizeof(buf));
	hornet_json_str(j, "daddr", buf);
	hornet_json_u64(j, "sport", sd->sport);
	hornet_json_u64(j, "dport", sd->dport);
	if (sd->cookie)
		hornet_json_u64_str(j, "cookie", sd->cookie);
	if (with_state && hornet_tcp_state_name(sd->state))
		hornet_json_str(j, "state", hornet_tcp_state_name(sd->state));
	hornet_json_obj_end(j);
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

static void lineage(struct hornet_net_sensor *s, struct hornet_json *j, struct hornet_process *p,
		    bool known)
{
	const struct hornet_render_ctx *ctx = s->opts.render;
	enum hornet_proc_detail d = ctx->policy_full_process ? HORNET_PROC_FULL : HORNET_PROC_LEAN;

	if (!known) {
		/* the socket predates the agent, or its owner was not seen */
		hornet_json_bool(j, "process_unknown", true);
		return;
	}
	hornet_render_process(j, "process", p, ctx, d);
	if (p->parent)
		hornet_render_process(j, "parent", p->parent, ctx, d);
}

static void envelope(struct hornet_net_sensor *s, struct hornet_json *j, uint64_t ktime)
{
	char ts[HORNET_TIME_MAX];

	hornet_json_str(j, "node_name", s->opts.render->node_name);
	hornet_format_time(ts, ktime + s->opts.render->boot_to_wall_ns);
	hornet_json_str(j, "time", ts);
	hornet_json_obj_end(j);
}

static const char *kprobe_function(uint16_t kind)
{
	switch (kind) {
	case HORNET_NET_CONNECT:
		return "tcp_connect";
	case HORNET_NET_ACCEPT:
		return "inet_csk_accept";
	case HORNET_NET_LISTEN:
		return "inet_csk_listen_start";
	case HORNET_NET_CLOSE:
		return "tcp_close";
	default:
		return "udp_sendmsg";
	}
}

static void render_connection(struct hornet_net_sensor *s, struct hornet_json *j,
			      const struct hornet_net_event *e, struct hornet_process *p,
			      bool known)
{
	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, "process_kprobe");
	lineage(s, j, p, known);
	hornet_json_str(j, "function_name", kprobe_function(e->kind));
	hornet_json_arr_begin(j, "args");
	hornet_json_obj_begin(j, NULL);
	render_sock(j, "sock_arg", &e->sock, e->kind != HORNET_NET_UDP_SEND);
	hornet_json_obj_end(j);
	if (e->kind == HORNET_NET_CLOSE) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_u64(j, "size_arg", e->bytes_sent);
		hornet_json_str(j, "label", "bytes_sent");
		hornet_json_obj_end(j);
		hornet_json_obj_begin(j, NULL);
		hornet_json_u64(j, "size_arg", e->bytes_received);
		hornet_json_str(j, "label", "bytes_received");
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
	hornet_json_str(j, "action", "KPROBE_ACTION_POST");
	hornet_json_str(j, "policy_name", "hornet-network");
	hornet_json_obj_end(j);
	envelope(s, j, e->hdr.ktime);
}

/* "ip:port" of one end of the flow */
static void endpoint(const struct hornet_sock_data *sd, bool dst, char *out, size_t size)
{
	char a[64];

	addr_text(sd->family, dst ? sd->daddr : sd->saddr, a, sizeof(a));
	snprintf(out, size, sd->family == 10 ? "[%s]:%u" : "%s:%u", a, dst ? sd->dport : sd->sport);
}

static int render_message(struct hornet_net_sensor *s, struct hornet_json *j,
			  const struct hornet_net_event *e, struct hornet_process *p, bool known,
			  const char **type)
{
	const uint8_t *payload = (const uint8_t *)e->payload;
	bool in = e->flags & HORNET_NETF_INGRESS;
	char peer[96];
	unsigned int i;
	int ret;

	if (e->kind == HORNET_NET_DNS) {
		struct hornet_dns_msg *m = calloc(1, sizeof(*m));

		if (!m)
			return -ENOMEM;
		ret = hornet_dns_parse(payload, e->payload_len, m);
		if (ret) {
			free(m);
			return ret;
		}
		*type = "process_dns";
		hornet_json_obj_begin(j, NULL);
		hornet_json_obj_begin(j, "process_dns");
		lineage(s, j, p, known);
		/* the resolver is the far end: the destination of a query, the source of an answer */
		endpoint(&e->sock, !in, peer, sizeof(peer));
		hornet_json_str(j, "server", peer);
		hornet_json_str(j, "direction", in ? "answer" : "query");
		hornet_json_u64(j, "id", m->id);
		hornet_json_obj_begin(j, "question");
		hornet_json_str(j, "name", m->qname);
		if (hornet_dns_type_name(m->qtype))
			hornet_json_str(j, "type", hornet_dns_type_name(m->qtype));
		else
			hornet_json_u64(j, "type", m->qtype);
		hornet_json_obj_end(j);
		if (m->response) {
			hornet_json_u64(j, "rcode", m->rcode);
			hornet_json_arr_begin(j, "answers");
			for (i = 0; i < m->nr_parsed && i < HORNET_DNS_MAX_ANSWERS; i++) {
				const struct hornet_dns_answer *a = &m->answers[i];

				hornet_json_obj_begin(j, NULL);
				hornet_json_str(j, "name", a->name);
				if (hornet_dns_type_name(a->type))
					hornet_json_str(j, "type", hornet_dns_type_name(a->type));
				else
					hornet_json_u64(j, "type", a->type);
				hornet_json_u64(j, "ttl", a->ttl);
				if (a->data[0])
					hornet_json_str(j, "data", a->data);
				hornet_json_obj_end(j);
			}
			hornet_json_arr_end(j);
		}
		free(m);
	} else if (e->kind == HORNET_NET_HTTP) {
		struct hornet_http_req r;

		ret = hornet_http_parse(payload, e->payload_len, &r);
		if (ret)
			return ret;
		*type = "process_http";
		hornet_json_obj_begin(j, NULL);
		hornet_json_obj_begin(j, "process_http");
		lineage(s, j, p, known);
		endpoint(&e->sock, true, peer, sizeof(peer));
		hornet_json_str(j, "destination", peer);
		hornet_json_str(j, "method", r.method);
		hornet_json_str(j, "target", r.target);
		hornet_json_str(j, "version", r.version);
		if (r.host[0])
			hornet_json_str(j, "host", r.host);
		if (r.truncated)
			hornet_json_bool(j, "truncated", true);
	} else {
		struct hornet_tls_hello h;

		ret = hornet_tls_parse_client_hello(payload, e->payload_len, &h);
		if (ret)
			return ret;
		*type = "process_tls";
		hornet_json_obj_begin(j, NULL);
		hornet_json_obj_begin(j, "process_tls");
		lineage(s, j, p, known);
		endpoint(&e->sock, true, peer, sizeof(peer));
		hornet_json_str(j, "destination", peer);
		if (h.sni[0])
			hornet_json_str(j, "sni", h.sni);
		if (h.alpn[0])
			hornet_json_str(j, "alpn", h.alpn);
	}
	hornet_json_obj_begin(j, "socket");
	render_sock(j, "sock_arg", &e->sock, false);
	hornet_json_obj_end(j);
	hornet_json_obj_end(j);
	envelope(s, j, e->hdr.ktime);
	return 0;
}

int hornet_net_sensor__handle(struct hornet_net_sensor *s, const void *data, size_t size)
{
	const struct hornet_net_event *e = data;
	struct hornet_process *p, *tmp;
	const char *type = "process_kprobe";
	bool known;
	int ret = 0;

	if (size < sizeof(*e) || e->payload_len > size - sizeof(*e) ||
	    e->payload_len >= HORNET_NET_PAYLOAD)
		return -EINVAL;
	known = !(e->flags & HORNET_NETF_NO_OWNER);
	p = owner(s, e, &tmp);
	if (!p)
		return -ENOMEM;
	hornet_json_reset(&s->json);
	switch (e->kind) {
	case HORNET_NET_CONNECT:
	case HORNET_NET_ACCEPT:
	case HORNET_NET_LISTEN:
	case HORNET_NET_CLOSE:
	case HORNET_NET_UDP_SEND:
		render_connection(s, &s->json, e, p, known);
		break;
	case HORNET_NET_DNS:
	case HORNET_NET_HTTP:
	case HORNET_NET_TLS:
		/* a message that does not parse is not what it seemed: no event */
		ret = render_message(s, &s->json, e, p, known, &type);
		break;
	default:
		ret = -EINVAL;
	}
	hornet_process__put(tmp);
	if (ret)
		return ret == -EINVAL || ret == -ENODATA ? 0 : ret;
	hornet_json_append(&s->json, "\n", 1);
	if (s->json.failed)
		return -ENOMEM;
	s->opts.emit(s->opts.ctx, type, s->json.buf, s->json.len);
	return 0;
}
