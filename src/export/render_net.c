// SPDX-License-Identifier: GPL-2.0
/*
 * Network events as JSON: process_kprobe events shaped like those of
 * Tetragon's network policies (tcp_connect, inet_csk_accept,
 * inet_csk_listen_start, tcp_close, udp_sendmsg, with a sock_arg), and
 * process_dns, process_http and process_tls (docs/events.md).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <hornet/net.h>

#include "export/event.h"
#include "vocab/vocab.h"

/* Dotted quad by hand: glibc's inet_ntop formats IPv4 through sprintf, and
 * every network event prints two addresses. */
void hornet_addr_text(uint16_t family, const uint8_t *a, char *out, size_t size)
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
	hornet_addr_text(sd->family, sd->saddr, buf, sizeof(buf));
	hornet_json_str(j, "saddr", buf);
	hornet_addr_text(sd->family, sd->daddr, buf, sizeof(buf));
	hornet_json_str(j, "daddr", buf);
	hornet_json_u64(j, "sport", sd->sport);
	hornet_json_u64(j, "dport", sd->dport);
	if (sd->cookie)
		hornet_json_u64_str(j, "cookie", sd->cookie);
	if (with_state && hornet_tcp_state_name(sd->state))
		hornet_json_str(j, "state", hornet_tcp_state_name(sd->state));
	hornet_json_obj_end(j);
}

const char *hornet_conn_function(uint16_t kind)
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

void hornet_render_conn(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			const struct hornet_event *ev)
{
	const struct hornet_conn_event *c = &ev->conn;

	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, "process_kprobe");
	hornet_render_lineage_lean(j, ctx, ev);
	hornet_json_str(j, "function_name", hornet_conn_function(c->kind));
	hornet_json_arr_begin(j, "args");
	hornet_json_obj_begin(j, NULL);
	render_sock(j, "sock_arg", c->sock, c->kind != HORNET_NET_UDP_SEND);
	hornet_json_obj_end(j);
	if (c->kind == HORNET_NET_CLOSE) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_u64(j, "size_arg", c->bytes_sent);
		hornet_json_str(j, "label", "bytes_sent");
		hornet_json_obj_end(j);
		hornet_json_obj_begin(j, NULL);
		hornet_json_u64(j, "size_arg", c->bytes_received);
		hornet_json_str(j, "label", "bytes_received");
		hornet_json_obj_end(j);
	}
	if (c->kind == HORNET_NET_CLOSE && c->flow) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_u64(j, "size_arg", c->duration_ns);
		hornet_json_str(j, "label", "duration_ns");
		hornet_json_obj_end(j);
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "string_arg", c->incoming ? "incoming" : "outgoing");
		hornet_json_str(j, "label", "direction");
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
	hornet_json_str(j, "action", "KPROBE_ACTION_POST");
	hornet_json_str(j, "policy_name", "hornet-network");
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ev->ktime);
}

void hornet_sock_endpoint(const struct hornet_sock_data *sd, bool dst, char *out, size_t size)
{
	char a[64];

	hornet_addr_text(sd->family, dst ? sd->daddr : sd->saddr, a, sizeof(a));
	snprintf(out, size, sd->family == 10 ? "[%s]:%u" : "%s:%u", a, dst ? sd->dport : sd->sport);
}

static void dns_type(struct hornet_json *j, uint16_t type)
{
	if (hornet_dns_type_name(type))
		hornet_json_str(j, "type", hornet_dns_type_name(type));
	else
		hornet_json_u64(j, "type", type);
}

static void render_dns(struct hornet_json *j, const struct hornet_msg_event *me)
{
	const struct hornet_dns_msg *m = me->dns;
	char peer[96];
	unsigned int i;

	/* the resolver is the far end: the destination of a query, the source of an answer */
	hornet_sock_endpoint(me->sock, !me->ingress, peer, sizeof(peer));
	hornet_json_str(j, "server", peer);
	hornet_json_str(j, "direction", me->ingress ? "answer" : "query");
	hornet_json_u64(j, "id", m->id);
	hornet_json_obj_begin(j, "question");
	hornet_json_str(j, "name", m->qname);
	dns_type(j, m->qtype);
	hornet_json_obj_end(j);
	if (!m->response)
		return;
	hornet_json_u64(j, "rcode", m->rcode);
	hornet_json_arr_begin(j, "answers");
	for (i = 0; i < m->nr_parsed && i < HORNET_DNS_MAX_ANSWERS; i++) {
		const struct hornet_dns_answer *a = &m->answers[i];

		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "name", a->name);
		dns_type(j, a->type);
		hornet_json_u64(j, "ttl", a->ttl);
		if (a->data[0])
			hornet_json_str(j, "data", a->data);
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
}

void hornet_render_msg(struct hornet_json *j, const struct hornet_render_ctx *ctx,
		       const struct hornet_event *ev)
{
	const struct hornet_msg_event *me = &ev->msg;
	char peer[96];

	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, hornet_event_type_name(ev));
	hornet_render_lineage_lean(j, ctx, ev);
	if (ev->kind == HORNET_EV_DNS) {
		render_dns(j, me);
	} else if (ev->kind == HORNET_EV_HTTP) {
		hornet_sock_endpoint(me->sock, true, peer, sizeof(peer));
		hornet_json_str(j, "destination", peer);
		hornet_json_str(j, "method", me->http->method);
		hornet_json_str(j, "target", me->http->target);
		hornet_json_str(j, "version", me->http->version);
		if (me->http->host[0])
			hornet_json_str(j, "host", me->http->host);
		if (me->http->truncated)
			hornet_json_bool(j, "truncated", true);
	} else {
		hornet_sock_endpoint(me->sock, true, peer, sizeof(peer));
		hornet_json_str(j, "destination", peer);
		if (me->tls->sni[0])
			hornet_json_str(j, "sni", me->tls->sni);
		if (me->tls->alpn[0])
			hornet_json_str(j, "alpn", me->tls->alpn);
		/* spec.tlsServerNames: which policy, and what it did */
		if (me->tls_policy) {
			hornet_json_str(j, "policy_name", me->tls_policy);
			hornet_json_str(j, "action",
					me->tls_reset ? "TLS_ACTION_RESET" : "TLS_ACTION_POST");
		}
	}
	hornet_json_obj_begin(j, "socket");
	render_sock(j, "sock_arg", me->sock, false);
	hornet_json_obj_end(j);
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ev->ktime);
}
