// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <hornet/net.h>

#include "export/compact.h"
#include "export/event.h"
#include "export/json.h"
#include "vocab/vocab.h"
#include "util/utf8.h"

/*
 * The parts of a line are chosen and formatted by the functions below,
 * which take plain strings: the JSON reader (hornet_compact) and the typed
 * one (hornet_compact_event) only differ in where they find them.
 */

static const char *const rcodes[] = { "NOERROR",  "FORMERR", "SERVFAIL",
				      "NXDOMAIN", "NOTIMP",  "REFUSED" };

/* Control bytes would break the one-line form: show them as '?'. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static char *finish(char *line, int n)
{
	if (n < 0)
		return NULL;
	sanitize(line);
	return line;
}

/* process_exec, process_exit */
static char *process_line(const char *icon, const char *verb, const char *where, const char *binary,
			  const char *args, const char *detail)
{
	char *line = NULL;
	int n = asprintf(&line, "%s %s %s%s%s%s%s", icon, verb, where, binary, args[0] ? " " : "",
			 args, detail);

	return finish(line, n);
}

/* policy events: what was touched, not the process's own arguments */
static char *policy_line(const char *icon, const char *verb, const char *where, const char *binary,
			 const char *name, const char *what, const char *act)
{
	char *line = NULL;
	int n = asprintf(&line, "%s %s %s%s %s%s%s%s", icon, verb, where, binary, name,
			 what[0] ? " " : "", what, act);

	return finish(line, n);
}

/* process_dns, process_http, process_tls: what was asked, of whom */
static char *packet_line(const char *icon, const char *verb, const char *where, const char *binary,
			 const char *what)
{
	char *line = NULL;
	int n = asprintf(&line, "%s %s %s%s %s", icon, verb, where, binary, what);

	return finish(line, n);
}

/* " [SIGKILL, monitor]" for an action other than posting */
static void action_detail(const char *action, bool monitor, char *out, size_t size)
{
	out[0] = '\0';
	if (strcmp(action, "KPROBE_ACTION_POST") && action[0])
		snprintf(out, size, " [%s%s]", action + 14, monitor ? ", monitor" : "");
}

/* " [shadow of X: SIGKILL, now POST]": a shadow's difference; "none" where
 * one side did not match */
static void shadow_detail(const char *of, const char *action, const char *current, char *out,
			  size_t size)
{
	const size_t k = strlen("KPROBE_ACTION_");

	if (!strncmp(action, "KPROBE_ACTION_", k))
		action += k;
	if (!strncmp(current, "KPROBE_ACTION_", k))
		current += k;
	snprintf(out, size, " [shadow of %s: %s, now %s]", of, action, current);
}

static void sock_summary(char *out, size_t size, const char *protocol, const char *saddr,
			 long long sport, const char *daddr, long long dport)
{
	snprintf(out, size, "%s %s:%lld -> %s:%lld", protocol, saddr, sport, daddr, dport);
}

static size_t dns_question(char *out, size_t size, const char *direction, const char *name,
			   const char *type)
{
	return snprintf(out, size, "%s %s %s", direction, name, type);
}

static size_t dns_answer(char *out, size_t size, size_t len, size_t i, const char *shown)
{
	if (len >= size)
		return len;
	return len + snprintf(out + len, size - len, "%s%s", i ? ", " : " = ", shown);
}

static void dns_rcode(char *out, size_t size, size_t len, long long rcode)
{
	if (len < size && rcode > 0 && rcode < 6)
		snprintf(out + len, size - len, " (%s)", rcodes[rcode]);
	else if (len < size && rcode)
		snprintf(out + len, size - len, " (rcode %lld)", rcode);
}

static void http_summary(char *out, size_t size, const char *method, const char *host,
			 const char *target, const char *destination)
{
	snprintf(out, size, "%s %s%s -> %s", method, host, target, destination);
}

/* @policy: the spec.tlsServerNames that matched ("" none), @reset what it did */
static void tls_summary(char *out, size_t size, const char *sni, const char *destination,
			const char *policy, bool reset)
{
	snprintf(out, size, "%s -> %s%s%s%s", sni[0] ? sni : "(no SNI)", destination,
		 policy[0] ? (reset ? " (reset by " : " (reported by ") : "", policy,
		 policy[0] ? ")" : "");
}

#define ICON_DNS "\xf0\x9f\x93\x96" /* open book */
#define ICON_HTTP "\xf0\x9f\x8c\x8d" /* globe */
#define ICON_TLS "\xf0\x9f\x94\x90" /* closed lock with key */
#define ICON_EXEC "\xf0\x9f\x9a\x80" /* rocket */
#define ICON_EXIT "\xf0\x9f\x92\xa5" /* collision */
#define ICON_LOADER "\xf0\x9f\x93\x9a" /* books */

/* The icon and verb of a policy event, from the function it hooked. */
static void policy_verb(const char *type, const char *fn, const char **icon, const char **verb)
{
	if (!strcmp(type, "process_lsm")) {
		*icon = "\xf0\x9f\x94\x92"; /* lock */
		*verb = "LSM    ";
	} else if (!strcmp(type, "process_tracepoint")) {
		*icon = "\xe2\x81\x89\xef\xb8\x8f"; /* exclamation question mark */
		*verb = "tracepoint";
	} else if (!strcmp(type, "process_uprobe") || !strcmp(type, "process_usdt")) {
		*icon = "\xf0\x9f\x94\x8d"; /* magnifying glass */
		*verb = !strcmp(type, "process_usdt") ? "usdt   " : "uprobe ";
	} else if (strstr(fn, "open")) {
		*icon = "\xf0\x9f\x93\xac"; /* mailbox */
		*verb = "open   ";
	} else if (strstr(fn, "write")) {
		*icon = "\xf0\x9f\x93\x9d"; /* memo */
		*verb = "write  ";
	} else if (strstr(fn, "read")) {
		*icon = "\xf0\x9f\x93\x9a"; /* books */
		*verb = "read   ";
	} else if (strstr(fn, "connect")) {
		*icon = "\xf0\x9f\x94\x8c"; /* plug */
		*verb = "connect";
	} else if (strstr(fn, "accept")) {
		*icon = "\xf0\x9f\x93\xa5"; /* inbox tray */
		*verb = "accept ";
	} else if (strstr(fn, "listen")) {
		*icon = "\xf0\x9f\x91\x82"; /* ear */
		*verb = "listen ";
	} else if (!strcmp(fn, "tcp_close")) {
		*icon = "\xf0\x9f\xa7\xb9"; /* broom */
		*verb = "close  ";
	} else if (strstr(fn, "sendmsg")) {
		*icon = "\xf0\x9f\x93\xa4"; /* outbox tray */
		*verb = "sendmsg";
	} else if (strstr(fn, "setuid") || strstr(fn, "setgid") || strstr(fn, "setres") ||
		   strstr(fn, "capset") || strstr(fn, "cred")) {
		*icon = "\xf0\x9f\x94\x91"; /* key */
		*verb = "setid  ";
	} else if (strstr(fn, "setns") || strstr(fn, "unshare")) {
		*icon = "\xf0\x9f\x94\xa7"; /* wrench */
		*verb = "setns  ";
	} else {
		*icon = "\xe2\x9d\x93"; /* question mark */
		*verb = strstr(fn, "sys_") ? "syscall" : "kprobe ";
	}
}

/* From JSON */

const char *hornet_event_type(json_t *event)
{
	const char *key;
	json_t *v;

	json_object_foreach(event, key, v)
	{
		if (!strncmp(key, "process_", 8) && json_is_object(v))
			return key;
	}
	return NULL;
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static long long num(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* A short word for one argument: its path, string, or connection. */
static void arg_summary(json_t *args, char *out, size_t size)
{
	const char *key;
	json_t *a, *v;
	size_t i;

	out[0] = '\0';
	json_array_foreach(args, i, a)
	{
		json_object_foreach(a, key, v)
		{
			if (json_is_string(v) && !strcmp(key, "string_arg")) {
				snprintf(out, size, "%s", json_string_value(v));
				return;
			}
			if (json_is_object(v) && json_object_get(v, "path")) {
				snprintf(out, size, "%s", str(v, "path"));
				return;
			}
			if (json_is_object(v) && json_object_get(v, "daddr")) {
				sock_summary(out, size, str(v, "protocol"), str(v, "saddr"),
					     num(v, "sport"), str(v, "daddr"), num(v, "dport"));
				return;
			}
			if (json_is_object(v) && json_object_get(v, "addr")) {
				snprintf(out, size, "%s:%lld", str(v, "addr"), num(v, "port"));
				return;
			}
		}
	}
}

static char *packet_from_json(const char *type, json_t *body, const char *where, const char *binary)
{
	json_t *q = json_object_get(body, "question"), *a;
	char what[600];
	size_t i, len;

	if (!strcmp(type, "process_dns")) {
		len = dns_question(what, sizeof(what), str(body, "direction"), str(q, "name"),
				   str(q, "type"));
		json_array_foreach(json_object_get(body, "answers"), i, a)
		{
			len = dns_answer(what, sizeof(what), len, i,
					 str(a, "data")[0] ? str(a, "data") : str(a, "type"));
		}
		dns_rcode(what, sizeof(what), len, num(body, "rcode"));
		return packet_line(ICON_DNS, "dns    ", where, binary, what);
	}
	if (!strcmp(type, "process_http")) {
		http_summary(what, sizeof(what), str(body, "method"), str(body, "host"),
			     str(body, "target"), str(body, "destination"));
		return packet_line(ICON_HTTP, "http   ", where, binary, what);
	}
	tls_summary(what, sizeof(what), str(body, "sni"), str(body, "destination"),
		    str(body, "policy_name"), !strcmp(str(body, "action"), "TLS_ACTION_RESET"));
	return packet_line(ICON_TLS, "tls    ", where, binary, what);
}

char *hornet_compact(json_t *event)
{
	const char *type = hornet_event_type(event);
	char where[300] = "", detail[64] = "", what[320], act[320];
	const char *icon, *verb, *binary;
	json_t *body, *proc, *pod, *v;

	if (!type)
		return NULL;
	body = json_object_get(event, type);
	proc = json_object_get(body, "process");
	pod = json_object_get(proc, "pod");
	if (json_is_object(pod))
		snprintf(where, sizeof(where), "%s/%s ", str(pod, "namespace"), str(pod, "name"));
	binary = str(proc, "binary");

	if (!strcmp(type, "process_exec"))
		return process_line(ICON_EXEC, "process", where, binary, str(proc, "arguments"),
				    "");
	if (!strcmp(type, "process_exit")) {
		v = json_object_get(body, "signal");
		if (json_is_string(v))
			snprintf(detail, sizeof(detail), " %s", json_string_value(v));
		else
			snprintf(detail, sizeof(detail), " %lld", num(body, "status"));
		return process_line(ICON_EXIT, "exit   ", where, binary, str(proc, "arguments"),
				    detail);
	}
	if (!strcmp(type, "process_dns") || !strcmp(type, "process_http") ||
	    !strcmp(type, "process_tls"))
		return packet_from_json(type, body, where, binary);
	if (!strcmp(type, "process_loader"))
		return process_line(ICON_LOADER, "loader ", where, binary, str(body, "path"), "");

	policy_verb(type, str(body, "function_name"), &icon, &verb);
	arg_summary(json_object_get(body, "args"), what, sizeof(what));
	if (json_is_object(json_object_get(body, "shadow"))) {
		json_t *sh = json_object_get(body, "shadow");

		shadow_detail(str(sh, "of"), str(sh, "action"), str(sh, "current_action"), act,
			      sizeof(act));
	} else {
		action_detail(str(body, "action"), json_object_get(body, "policy_mode"), act,
			      sizeof(act));
	}
	return policy_line(icon, verb, where, binary,
			   !strcmp(type, "process_tracepoint") ? str(body, "event")
			   : !strcmp(type, "process_uprobe")   ? str(body, "symbol")
			   : !strcmp(type, "process_usdt")     ? str(body, "name")
							       : str(body, "function_name"),
			   what, act);
}

/* From a typed event */

/*
 * Strings as the JSON round trip hands them to the reader above: invalid
 * UTF-8 replaced by U+FFFD, as the JSON writer does, and cut at a NUL byte.
 * The copies live until the line is made.
 */
struct texts {
	char *v[24];
	unsigned int n;
};

static const char *text(struct texts *t, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct hornet_json b;
	size_t i = 0, l;

	if (!s || t->n == sizeof(t->v) / sizeof(t->v[0]))
		return "";
	hornet_json_init(&b);
	hornet_json_append(&b, "", 0);
	while (i < n && p[i]) {
		l = hornet_utf8_len(p + i, n - i);
		if (l) {
			hornet_json_append(&b, s + i, l);
			i += l;
		} else {
			hornet_json_append(&b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	if (b.failed) {
		hornet_json_free(&b);
		return "";
	}
	t->v[t->n++] = b.buf;
	return b.buf;
}

/* A NUL-terminated string: itself when it is valid UTF-8, the common case */
static const char *ctext(struct texts *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i, l;

	if (!s)
		return "";
	n = strlen(s);
	for (i = 0; i < n; i += l) {
		l = hornet_utf8_len(p + i, n - i);
		if (!l)
			return text(t, s, n);
	}
	return s;
}

static void texts_free(struct texts *t)
{
	while (t->n)
		free(t->v[--t->n]);
}

/* The protocol as the renderer writes it: its name, or (policy events
 * only) its number; connection events leave an unknown one out. */
static const char *protocol_text(uint16_t protocol, bool number, char *buf, size_t size)
{
	const char *name = hornet_protocol_name(protocol);

	if (name)
		return name;
	if (!number)
		return "";
	snprintf(buf, size, "%u", protocol);
	return buf;
}

static void typed_sock_summary(const struct hornet_sock_data *sd, bool number, char *out,
			       size_t size)
{
	char saddr[64], daddr[64], proto[16];

	hornet_addr_text(sd->family, sd->saddr, saddr, sizeof(saddr));
	hornet_addr_text(sd->family, sd->daddr, daddr, sizeof(daddr));
	sock_summary(out, size, protocol_text(sd->protocol, number, proto, sizeof(proto)), saddr,
		     sd->sport, daddr, sd->dport);
}

static void typed_arg_summary(struct texts *t, const struct hornet_policy_event *pe, char *out,
			      size_t size)
{
	const struct hornet_arg_val *v;
	char addr[64];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < pe->nr_args; i++) {
		v = &pe->args[i];
		switch (v->kind) {
		case HORNET_VAL_STRING:
			snprintf(out, size, "%s", text(t, v->str.s, v->str.len));
			return;
		case HORNET_VAL_FILE:
		case HORNET_VAL_PATH:
		case HORNET_VAL_BINPRM:
			if (!v->file.fd)
				break; /* rendered as {}: nothing to show */
			snprintf(out, size, "%s", text(t, v->file.path, v->file.path_len));
			return;
		case HORNET_VAL_SOCK:
		case HORNET_VAL_SKB:
			typed_sock_summary(v->sock, true, out, size);
			return;
		case HORNET_VAL_SOCKADDR:
			if (v->sockaddr->family != AF_INET && v->sockaddr->family != AF_INET6)
				break;
			hornet_addr_text(v->sockaddr->family, v->sockaddr->addr, addr,
					 sizeof(addr));
			snprintf(out, size, "%s:%lld", addr, (long long)v->sockaddr->port);
			return;
		case HORNET_VAL_SOCKADDR_UN: /* its path, as the JSON has it */
			if (!v->sockaddr_un->path[0])
				break;
			snprintf(out, size, "%s",
				 text(t, v->sockaddr_un->path,
				      hornet_sockaddr_un_path_len(v->sockaddr_un)));
			return;
		default:
			break;
		}
	}
}

static char *typed_packet(struct texts *t, const struct hornet_event *ev, const char *where,
			  const char *binary)
{
	const struct hornet_msg_event *me = &ev->msg;
	const struct hornet_dns_msg *m = me->dns;
	char what[600], peer[96];
	const char *type;
	size_t i, len;

	if (ev->kind == HORNET_EV_DNS) {
		type = hornet_dns_type_name(m->qtype);
		len = dns_question(what, sizeof(what), me->ingress ? "answer" : "query",
				   ctext(t, m->qname), type ? type : "");
		for (i = 0; m->response && i < m->nr_parsed && i < HORNET_DNS_MAX_ANSWERS; i++) {
			type = hornet_dns_type_name(m->answers[i].type);
			len = dns_answer(what, sizeof(what), len, i,
					 m->answers[i].data[0] ? ctext(t, m->answers[i].data)
					 : type		       ? type
							       : "");
		}
		dns_rcode(what, sizeof(what), len, m->response ? m->rcode : 0);
		return packet_line(ICON_DNS, "dns    ", where, binary, what);
	}
	hornet_sock_endpoint(me->sock, true, peer, sizeof(peer));
	if (ev->kind == HORNET_EV_HTTP) {
		http_summary(what, sizeof(what), ctext(t, me->http->method),
			     ctext(t, me->http->host), ctext(t, me->http->target), peer);
		return packet_line(ICON_HTTP, "http   ", where, binary, what);
	}
	tls_summary(what, sizeof(what), ctext(t, me->tls->sni), peer,
		    me->tls_policy ? ctext(t, me->tls_policy) : "", me->tls_reset);
	return packet_line(ICON_TLS, "tls    ", where, binary, what);
}

static char *typed_policy(struct texts *t, const struct hornet_event *ev, const char *where,
			  const char *binary)
{
	const struct hornet_policy_event *pe = &ev->policy;
	const char *type = hornet_event_type_name(ev), *icon, *verb, *name;
	char what[320], act[320];

	policy_verb(type, ctext(t, pe->function_name), &icon, &verb);
	typed_arg_summary(t, pe, what, sizeof(what));
	if (pe->shadow)
		shadow_detail(ctext(t, pe->shadow_of),
			      pe->action ? hornet_kprobe_action_name(pe->action) : "none",
			      pe->current_action ? hornet_kprobe_action_name(pe->current_action)
						 : "none",
			      act, sizeof(act));
	else
		action_detail(hornet_kprobe_action_name(pe->action), pe->monitor, act, sizeof(act));
	name = pe->kind == HORNET_POLICY_TRACEPOINT ? pe->event
	       : pe->kind == HORNET_POLICY_UPROBE || pe->kind == HORNET_POLICY_USDT
		       ? pe->symbol
		       : pe->function_name;
	/* a USDT event's symbol is "provider:name"; the JSON reader shows the name */
	if (pe->kind == HORNET_POLICY_USDT && name && strchr(name, ':'))
		name = strchr(name, ':') + 1;
	return policy_line(icon, verb, where, binary, ctext(t, name), what, act);
}

static char *typed_conn(const struct hornet_event *ev, const char *where, const char *binary)
{
	const char *fn = hornet_conn_function(ev->conn.kind), *icon, *verb;
	char what[320];

	policy_verb("process_kprobe", fn, &icon, &verb);
	typed_sock_summary(ev->conn.sock, false, what, sizeof(what));
	return policy_line(icon, verb, where, binary, fn, what, "");
}

/* "namespace/name " of the process's pod, as the JSON reader finds it */
static void typed_where(struct texts *t, const struct hornet_process *p,
			const struct hornet_pod_store *pods, char *out, size_t size)
{
	const struct hornet_pod *pod;
	char uid[HORNET_POD_UID_LEN + 1];

	out[0] = '\0';
	if (!p || !pods || !p->container_id[0])
		return;
	pod = hornet_pod_store__by_container(pods, p->container_id, NULL);
	if (!pod && p->cgroup && !hornet_pod_uid(p->cgroup, strlen(p->cgroup), uid))
		pod = hornet_pod_store__by_uid(pods, uid);
	if (pod)
		snprintf(out, size, "%s/%s ", ctext(t, pod->namespace), ctext(t, pod->name));
}

char *hornet_compact_event(const struct hornet_event *ev)
{
	return hornet_compact_event_pods(ev, NULL);
}

char *hornet_compact_event_pods(const struct hornet_event *ev, const struct hornet_pod_store *pods)
{
	const struct hornet_process *p = ev->process_unknown ? NULL : ev->process;
	struct texts t = {};
	char where[300];
	const char *binary = p ? ctext(&t, p->binary) : "";
	bool process_event = ev->kind == HORNET_EV_EXEC || ev->kind == HORNET_EV_EXIT;
	const char *args = p && process_event ? ctext(&t, p->args) : "";
	char detail[64], sig[24];
	char *line = NULL;

	typed_where(&t, p, pods, where, sizeof(where));
	switch (ev->kind) {
	case HORNET_EV_EXEC:
		line = process_line(ICON_EXEC, "process", where, binary, args, "");
		break;
	case HORNET_EV_EXIT:
		if (hornet_exit_signal(ev->exit_code, sig, sizeof(sig)))
			snprintf(detail, sizeof(detail), " %s", sig);
		else
			snprintf(detail, sizeof(detail), " %u", (ev->exit_code >> 8) & 0xff);
		line = process_line(ICON_EXIT, "exit   ", where, binary, args, detail);
		break;
	case HORNET_EV_POLICY:
		line = typed_policy(&t, ev, where, binary);
		break;
	case HORNET_EV_CONN:
		line = typed_conn(ev, where, binary);
		break;
	case HORNET_EV_DNS:
	case HORNET_EV_HTTP:
	case HORNET_EV_TLS:
		line = typed_packet(&t, ev, where, binary);
		break;
	case HORNET_EV_LOADER:
		line = process_line(ICON_LOADER, "loader ", where, binary,
				    ctext(&t, ev->loader.path), "");
		break;
	}
	texts_free(&t);
	return line;
}
