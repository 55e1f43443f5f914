// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/compact.h"

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

/* Control bytes would break the one-line form: show them as '?'. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
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
				snprintf(out, size, "%s %s:%lld -> %s:%lld", str(v, "protocol"),
					 str(v, "saddr"),
					 json_integer_value(json_object_get(v, "sport")),
					 str(v, "daddr"),
					 json_integer_value(json_object_get(v, "dport")));
				return;
			}
			if (json_is_object(v) && json_object_get(v, "addr")) {
				snprintf(out, size, "%s:%lld", str(v, "addr"),
					 json_integer_value(json_object_get(v, "port")));
				return;
			}
		}
	}
}

/* The icon and verb of a policy event, from the function it hooked. */
static void policy_verb(const char *type, json_t *body, const char **icon, const char **verb)
{
	const char *fn = str(body, "function_name");

	if (!strcmp(type, "process_lsm")) {
		*icon = "\xf0\x9f\x94\x92"; /* lock */
		*verb = "LSM    ";
	} else if (!strcmp(type, "process_tracepoint")) {
		*icon = "\xe2\x81\x89\xef\xb8\x8f"; /* exclamation question mark */
		*verb = "tracepoint";
	} else if (!strcmp(type, "process_uprobe")) {
		*icon = "\xf0\x9f\x94\x8d"; /* magnifying glass */
		*verb = "uprobe ";
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

/* process_dns, process_http, process_tls: what was asked, of whom. */
static void packet_summary(const char *type, json_t *body, const char **icon, const char **verb,
			   char *out, size_t size)
{
	static const char *const rcodes[] = { "NOERROR",  "FORMERR", "SERVFAIL",
					      "NXDOMAIN", "NOTIMP",  "REFUSED" };
	json_t *q = json_object_get(body, "question"), *ans, *a;
	long long rcode;
	size_t i, len;

	if (!strcmp(type, "process_dns")) {
		*icon = "\xf0\x9f\x93\x96"; /* open book */
		*verb = "dns    ";
		len = snprintf(out, size, "%s %s %s", str(body, "direction"), str(q, "name"),
			       str(q, "type"));
		ans = json_object_get(body, "answers");
		json_array_foreach(ans, i, a)
		{
			if (len >= size)
				break;
			len += snprintf(out + len, size - len, "%s%s", i ? ", " : " = ",
					str(a, "data")[0] ? str(a, "data") : str(a, "type"));
		}
		rcode = json_integer_value(json_object_get(body, "rcode"));
		if (len < size && rcode > 0 && rcode < 6)
			snprintf(out + len, size - len, " (%s)", rcodes[rcode]);
		else if (len < size && rcode)
			snprintf(out + len, size - len, " (rcode %lld)", rcode);
	} else if (!strcmp(type, "process_http")) {
		*icon = "\xf0\x9f\x8c\x8d"; /* globe */
		*verb = "http   ";
		snprintf(out, size, "%s %s%s -> %s", str(body, "method"), str(body, "host"),
			 str(body, "target"), str(body, "destination"));
	} else {
		*icon = "\xf0\x9f\x94\x90"; /* closed lock with key */
		*verb = "tls    ";
		snprintf(out, size, "%s -> %s", str(body, "sni")[0] ? str(body, "sni") : "(no SNI)",
			 str(body, "destination"));
	}
}

char *hornet_compact(json_t *event)
{
	const char *type = hornet_event_type(event);
	json_t *body, *proc, *pod, *v;
	char where[300] = "", detail[64] = "", *line = NULL;
	const char *args, *icon, *verb;
	int n;

	if (!type)
		return NULL;
	body = json_object_get(event, type);
	proc = json_object_get(body, "process");
	pod = json_object_get(proc, "pod");
	if (json_is_object(pod))
		snprintf(where, sizeof(where), "%s/%s ", str(pod, "namespace"), str(pod, "name"));
	args = str(proc, "arguments");

	if (!strcmp(type, "process_exec")) {
		icon = "\xf0\x9f\x9a\x80"; /* rocket */
		verb = "process";
	} else if (!strcmp(type, "process_exit")) {
		icon = "\xf0\x9f\x92\xa5"; /* collision */
		verb = "exit   ";
		v = json_object_get(body, "signal");
		if (json_is_string(v))
			snprintf(detail, sizeof(detail), " %s", json_string_value(v));
		else
			snprintf(detail, sizeof(detail), " %lld",
				 (long long)json_integer_value(json_object_get(body, "status")));
	} else if (!strcmp(type, "process_dns") || !strcmp(type, "process_http") ||
		   !strcmp(type, "process_tls")) {
		char what[600];

		packet_summary(type, body, &icon, &verb, what, sizeof(what));
		n = asprintf(&line, "%s %s %s%s %s", icon, verb, where, str(proc, "binary"), what);
		if (n < 0)
			return NULL;
		sanitize(line);
		return line;
	} else {
		char what[320], act[64] = "";
		const char *action = str(body, "action");

		/* policy events: what was touched, not the process's own arguments */
		policy_verb(type, body, &icon, &verb);
		arg_summary(json_object_get(body, "args"), what, sizeof(what));
		if (strcmp(action, "KPROBE_ACTION_POST") && action[0])
			snprintf(act, sizeof(act), " [%s%s]", action + 14,
				 json_object_get(body, "policy_mode") ? ", monitor" : "");
		n = asprintf(&line, "%s %s %s%s %s%s%s%s", icon, verb, where, str(proc, "binary"),
			     !strcmp(type, "process_tracepoint") ? str(body, "event")
			     : !strcmp(type, "process_uprobe")	 ? str(body, "symbol")
								 : str(body, "function_name"),
			     what[0] ? " " : "", what, act);
		if (n < 0)
			return NULL;
		sanitize(line);
		return line;
	}
	n = asprintf(&line, "%s %s %s%s%s%s%s", icon, verb, where, str(proc, "binary"),
		     args[0] ? " " : "", args, detail);
	if (n < 0)
		return NULL;
	sanitize(line);
	return line;
}
