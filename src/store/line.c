// SPDX-License-Identifier: GPL-2.0
/*
 * A one-pass reader of exported event lines for the store (store/line.h).
 * Each object is read in a context that says which of its keys matter;
 * everything else is stepped over without being looked at twice. Any bytes
 * are safe: a malformed line stops the scan with -EINVAL, nesting is bounded,
 * nothing is written outside @l.
 */
#include <errno.h>
#include <string.h>

#include "store/line.h"

#define DEPTH_MAX 32

enum ctx {
	C_SKIP,
	C_ROOT,
	C_BODY,
	C_PROC,
	C_POD,
	C_CONTAINER,
	C_ARGS,
	C_ARG,
	C_FILE,
	C_SOCK,
	C_SOCKADDR,
	C_QUESTION,
	C_ANSWERS,
	C_ANSWER,
	C_SOCKET,
	C_SOCKET_SOCK,
};

struct scan {
	const char *p, *end;
	struct hornet_line *l;
	int depth;
};

/* Where a member's value goes: a child context and target, or a string or number slot. */
struct slot {
	enum ctx ctx;
	void *t;
	struct hornet_span *str;
	int64_t *num;
	bool *has_num;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int string(struct scan *s, struct hornet_span *out)
{
	const char *start = ++s->p;
	bool esc = false;

	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\') {
			esc = true;
			s->p++;
		}
		s->p++;
	}
	if (s->p >= s->end)
		return -EINVAL;
	if (out) {
		out->s = start;
		out->n = (uint32_t)(s->p - start);
		out->esc = esc;
	}
	s->p++;
	return 0;
}

static int number(struct scan *s, int64_t *num, bool *has)
{
	bool neg = false, integer = true;
	uint64_t v = 0;
	const char *start;

	if (*s->p == '-') {
		neg = true;
		s->p++;
	}
	start = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			integer = false;
		v = v * 10 + (*s->p++ - '0');
	}
	if (s->p == start)
		return -EINVAL;
	while (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E' || *s->p == '+' ||
				 *s->p == '-' || (*s->p >= '0' && *s->p <= '9'))) {
		integer = false;
		s->p++;
	}
	if (num && integer) {
		/* socket cookies and stack addresses are u64: kept as their bits */
		*num = neg ? -(int64_t)v : (int64_t)v;
		if (has)
			*has = true;
	}
	return 0;
}

static int literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return -EINVAL;
	s->p += n;
	return 0;
}

#define KEY(lit) (kn == sizeof(lit) - 1 && !memcmp(k, lit, kn))

static void proc_member(struct hornet_line_proc *pr, const char *k, size_t kn, struct slot *o)
{
	if (KEY("exec_id"))
		o->str = &pr->exec_id;
	else if (KEY("parent_exec_id"))
		o->str = &pr->parent_exec_id;
	else if (KEY("binary"))
		o->str = &pr->binary;
	else if (KEY("arguments"))
		o->str = &pr->arguments;
	else if (KEY("cwd"))
		o->str = &pr->cwd;
	else if (KEY("start_time"))
		o->str = &pr->start_time;
	else if (KEY("pid"))
		o->num = &pr->pid, o->has_num = &pr->has_pid;
	else if (KEY("uid"))
		o->num = &pr->uid, o->has_num = &pr->has_uid;
	else if (KEY("pod"))
		o->ctx = C_POD, o->t = pr;
	else if (KEY("container"))
		o->ctx = C_CONTAINER, o->t = pr;
}

static void body_member(struct hornet_line *l, const char *k, size_t kn, struct slot *o)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{ "policy_name", offsetof(struct hornet_line, policy) },
		{ "action", offsetof(struct hornet_line, action) },
		{ "function_name", offsetof(struct hornet_line, function) },
		{ "event", offsetof(struct hornet_line, event) },
		{ "symbol", offsetof(struct hornet_line, symbol) },
		{ "policy_mode", offsetof(struct hornet_line, policy_mode) },
		{ "signal", offsetof(struct hornet_line, signal) },
		{ "direction", offsetof(struct hornet_line, direction) },
		{ "server", offsetof(struct hornet_line, server) },
		{ "destination", offsetof(struct hornet_line, destination) },
		{ "host", offsetof(struct hornet_line, host) },
		{ "sni", offsetof(struct hornet_line, sni) },
	};
	size_t i;

	if (KEY("process")) {
		o->ctx = C_PROC, o->t = &l->proc;
		l->proc.present = true;
	} else if (KEY("parent")) {
		o->ctx = C_PROC, o->t = &l->parent;
		l->parent.present = true;
	} else if (KEY("args")) {
		o->ctx = C_ARGS;
	} else if (KEY("question")) {
		o->ctx = C_QUESTION;
	} else if (KEY("answers")) {
		o->ctx = C_ANSWERS;
	} else if (KEY("socket")) {
		o->ctx = C_SOCKET;
	} else if (KEY("status")) {
		o->num = &l->status, o->has_num = &l->has_status;
	} else {
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
			if (kn == strlen(strs[i].key) && !memcmp(k, strs[i].key, kn)) {
				o->str = (struct hornet_span *)((char *)l + strs[i].off);
				return;
			}
		}
	}
}

static void arg_member(struct hornet_line_arg *a, const char *k, size_t kn, struct slot *o)
{
	if (KEY("string_arg")) {
		a->kind = HORNET_ARG_STRING, o->str = &a->str;
	} else if (KEY("int_arg")) {
		a->kind = HORNET_ARG_INT, o->num = &a->num, o->has_num = &a->has_num;
	} else if (KEY("size_arg")) {
		a->kind = HORNET_ARG_SIZE, o->num = &a->num, o->has_num = &a->has_num;
	} else if (KEY("label")) {
		o->str = &a->label;
	} else if (KEY("file_arg") || KEY("path_arg") || KEY("linux_binprm_arg")) {
		a->kind = HORNET_ARG_FILE, o->ctx = C_FILE, o->t = a;
	} else if (KEY("sock_arg")) {
		a->kind = HORNET_ARG_SOCK, o->ctx = C_SOCK, o->t = a;
	} else if (KEY("sockaddr_arg")) {
		a->kind = HORNET_ARG_SOCKADDR, o->ctx = C_SOCKADDR, o->t = a;
	}
}

/* Where the value of member @k of an object read in context @c goes. */
static void member(struct scan *s, enum ctx c, void *t, const char *k, size_t kn, char next,
		   struct slot *o)
{
	struct hornet_line *l = s->l;
	struct hornet_line_proc *pr = t;
	struct hornet_line_arg *a = t;

	memset(o, 0, sizeof(*o));
	switch (c) {
	case C_ROOT:
		if (KEY("node_name"))
			o->str = &l->node;
		else if (KEY("time"))
			o->str = &l->time;
		else if (next == '{' && !l->type.s) {
			l->type = (struct hornet_span){ k, (uint32_t)kn, false };
			o->ctx = C_BODY;
		}
		break;
	case C_BODY:
		body_member(l, k, kn, o);
		break;
	case C_PROC:
		proc_member(pr, k, kn, o);
		break;
	case C_POD:
		if (KEY("namespace"))
			o->str = &pr->pod_namespace;
		else if (KEY("name"))
			o->str = &pr->pod_name;
		else if (KEY("container"))
			o->ctx = C_CONTAINER, o->t = pr;
		break;
	case C_CONTAINER:
		if (KEY("name"))
			o->str = &pr->container;
		break;
	case C_ARG:
		arg_member(a, k, kn, o);
		break;
	case C_FILE:
		if (KEY("path"))
			o->str = &a->str;
		else if (KEY("flags"))
			o->str = &a->flags;
		break;
	case C_SOCK:
		if (KEY("daddr"))
			o->str = &a->str;
		else if (KEY("dport"))
			o->num = &a->num, o->has_num = &a->has_num;
		else if (KEY("sport"))
			o->num = &a->sport;
		else if (KEY("protocol"))
			o->str = &a->protocol;
		else if (KEY("cookie"))
			o->str = &a->cookie;
		else if (KEY("state"))
			o->str = &a->state;
		break;
	case C_SOCKADDR:
		if (KEY("addr"))
			o->str = &a->str;
		else if (KEY("port"))
			o->num = &a->num, o->has_num = &a->has_num;
		break;
	case C_QUESTION:
		if (KEY("name"))
			o->str = &l->question;
		break;
	case C_ANSWER:
		if (KEY("type"))
			o->str = &l->answers[l->nanswers - 1].type;
		else if (KEY("data"))
			o->str = &l->answers[l->nanswers - 1].data;
		break;
	case C_SOCKET:
		if (KEY("sock_arg"))
			o->ctx = C_SOCKET_SOCK;
		break;
	case C_SOCKET_SOCK:
		if (KEY("cookie"))
			o->str = &l->socket_cookie;
		break;
	default:
		break;
	}
}

static int value(struct scan *s, const struct slot *o);

/* After a member or element: 1 when another follows, 0 at @close, else -EINVAL. */
static int next_item(struct scan *s, char close)
{
	ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		return 1;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	return -EINVAL;
}

static int object(struct scan *s, enum ctx c, void *t)
{
	struct hornet_span key;
	struct slot o;
	int rc;

	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		ws(s);
		if (s->p >= s->end || *s->p != '"' || string(s, &key))
			return -EINVAL;
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -EINVAL;
		s->p++;
		ws(s);
		if (s->p >= s->end)
			return -EINVAL;
		if (c == C_SKIP)
			memset(&o, 0, sizeof(o));
		else
			member(s, c, t, key.s, key.n, *s->p, &o);
		rc = value(s, &o);
		if (!rc)
			rc = next_item(s, '}');
		if (rc <= 0)
			return rc;
	}
}

static int array(struct scan *s, enum ctx c)
{
	struct hornet_line *l = s->l;
	struct slot o;
	int rc;

	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		memset(&o, 0, sizeof(o));
		ws(s);
		if (c == C_ARGS && l->nargs < HORNET_LINE_ARGS) {
			o.ctx = C_ARG;
			o.t = &l->args[l->nargs++];
		} else if (c == C_ANSWERS && l->nanswers < HORNET_LINE_ANSWERS) {
			o.ctx = C_ANSWER;
			l->nanswers++;
		}
		rc = value(s, &o);
		if (!rc)
			rc = next_item(s, ']');
		if (rc <= 0)
			return rc;
	}
}

static int value(struct scan *s, const struct slot *o)
{
	int rc;

	if (s->p >= s->end)
		return -EINVAL;
	switch (*s->p) {
	case '"':
		return string(s, o->str);
	case '{':
	case '[':
		if (++s->depth > DEPTH_MAX)
			return -EINVAL;
		rc = *s->p == '{' ? object(s, o->ctx, o->t) : array(s, o->ctx);
		s->depth--;
		return rc;
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		return number(s, o->num, o->has_num);
	}
}

int hornet_line_scan(const char *line, size_t len, struct hornet_line *l)
{
	struct scan s = { .p = line, .end = line + len, .l = l };
	struct slot root = { .ctx = C_ROOT };

	memset(l, 0, sizeof(*l));
	ws(&s);
	if (s.p >= s.end || *s.p != '{' || value(&s, &root))
		return -EINVAL;
	ws(&s);
	return s.p == s.end ? 0 : -EINVAL;
}

static int hex4(const char *p, const char *end, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	if (end - p < 4)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* A \uXXXX escape (with its low surrogate) as UTF-8: at most 4 bytes for 6 or 12 read. */
static size_t unicode(const char **pp, const char *end, char *dst)
{
	const char *p = *pp;
	unsigned int cp, lo;

	if (hex4(p, end, &cp))
		return 0;
	p += 4;
	if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
	    !hex4(p + 2, end, &lo) && lo >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	} else if (cp >= 0xd800 && cp < 0xe000) {
		cp = 0xfffd; /* a lone surrogate */
	}
	*pp = p;
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | cp >> 6);
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | cp >> 12);
		dst[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | cp >> 18);
	dst[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	dst[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t hornet_span_copy(const struct hornet_span *sp, char *dst)
{
	const char *p = sp->s, *end = sp->s + sp->n;
	size_t n = 0, u;

	if (!sp->s) {
		dst[0] = '\0';
		return 0;
	}
	if (!sp->esc) {
		memcpy(dst, sp->s, sp->n);
		dst[sp->n] = '\0';
		return sp->n;
	}
	while (p < end) {
		if (*p != '\\' || p + 1 >= end) {
			dst[n++] = *p++;
			continue;
		}
		p += 2;
		switch (p[-1]) {
		case 'n':
			dst[n++] = '\n';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'u':
			u = unicode(&p, end, dst + n);
			if (!u)
				dst[n++] = 'u';
			n += u;
			break;
		default: /* \" \\ \/ and anything else: the character itself */
			dst[n++] = p[-1];
			break;
		}
	}
	dst[n] = '\0';
	return n;
}
