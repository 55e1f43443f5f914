// SPDX-License-Identifier: GPL-2.0
/*
 * CelExpr: a recursive-descent parser of the CEL subset Tetragon takes in
 * its CelExpr operator (integer arguments argX and literals; + and -;
 * comparisons; && || !; int32() uint32() int() uint(); and() or() xor()
 * not()), with CEL's typing: int, uint and bool do not mix without a
 * conversion. It emits the postfix program the kernel runs: each rule
 * below pushes its value.
 *
 *   or    := and { "||" and }
 *   and   := rel { "&&" rel }
 *   rel   := sum [ ("=="|"!="|"<"|"<="|">"|">=") sum ]
 *   sum   := unary { ("+"|"-") unary }
 *   unary := "!" unary | "-" unary | primary
 *   primary := INT | UINT | "true" | "false" | argN | "(" or ")" | NAME "(" args ")"
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/cel.h"

struct parser {
	const char *s;
	size_t pos;
	const enum hornet_cel_type *types;
	size_t nargs;
	struct hornet_cel_prog *out;
	unsigned int depth, max_depth;
	unsigned int nest; /* parse_unary() calls open now */
	char *err;
	size_t err_size;
	bool failed;
};

static const char *const type_names[] = { "?", "int", "uint", "bool" };

/* Parentheses, calls and unary operators open at once: a bound on the
 * parser's recursion, whatever the input ("((((..." or "!!!!..."). */
#define CEL_NEST_MAX 64

static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (p->failed)
		return -EINVAL;
	p->failed = true;
	n = (size_t)snprintf(p->err, p->err_size, "column %zu: ", at + 1);
	if (n < p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void skip_space(struct parser *p)
{
	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

/* Consumes @tok when it comes next (and, for a word, ends there). */
static bool take(struct parser *p, const char *tok)
{
	size_t n = strlen(tok);

	skip_space(p);
	if (strncmp(p->s + p->pos, tok, n))
		return false;
	if (isalpha((unsigned char)tok[0]) &&
	    (isalnum((unsigned char)p->s[p->pos + n]) || p->s[p->pos + n] == '_'))
		return false;
	/* "<" is not the start of "<=", nor "!" of "!=", nor "&" a whole "&&" */
	if (n == 1 && strchr("<>!=", tok[0]) && p->s[p->pos + 1] == '=')
		return false;
	p->pos += n;
	return true;
}

/* Appends op @code, which moves the stack's top by hornet_cel_depth(). */
static int emit(struct parser *p, enum hornet_cel_opcode code, uint8_t arg, int64_t imm)
{
	struct hornet_cel_op *o;

	if (p->failed)
		return -EINVAL;
	if (p->out->len >= HORNET_CEL_OPS)
		return fail(p, p->pos, "the expression is longer than the kernel runs (%d steps)",
			    HORNET_CEL_OPS);
	o = &p->out->ops[p->out->len++];
	o->op = code;
	o->arg = arg;
	o->imm = imm;
	p->depth += hornet_cel_depth(code);
	if (p->depth > p->max_depth)
		p->max_depth = p->depth;
	if (p->max_depth > HORNET_CEL_STACK)
		return fail(p, p->pos,
			    "the expression nests deeper than the kernel runs (%d values)",
			    HORNET_CEL_STACK);
	return 0;
}

static enum hornet_cel_type parse_or(struct parser *p);

static enum hornet_cel_type want(struct parser *p, size_t at, enum hornet_cel_type got,
				 enum hornet_cel_type t, const char *what)
{
	if (got && got != t)
		fail(p, at, "%s needs %s, not %s", what, type_names[t], type_names[got]);
	return t;
}

static enum hornet_cel_type want_int(struct parser *p, size_t at, enum hornet_cel_type got,
				     const char *what)
{
	if (got == HORNET_CEL_T_BOOL)
		fail(p, at, "%s needs an integer, not bool", what);
	return got;
}

/* NAME "(" x [, y] ")": conversions and bitwise functions */
static enum hornet_cel_type parse_call(struct parser *p, const char *name, size_t at)
{
	static const struct {
		const char *name;
		int nargs;
		enum hornet_cel_opcode code;
	} fns[] = {
		{ "int32", 1, HORNET_CEL_I32 }, { "uint32", 1, HORNET_CEL_U32 },
		{ "int", 1, HORNET_CEL_IMM },	{ "uint", 1, HORNET_CEL_IMM },
		{ "not", 1, HORNET_CEL_BNOT },	{ "and", 2, HORNET_CEL_BAND },
		{ "or", 2, HORNET_CEL_BOR },	{ "xor", 2, HORNET_CEL_BXOR },
	};
	enum hornet_cel_type a, b = HORNET_CEL_T_NONE;
	size_t i, bat = 0;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (!strcmp(fns[i].name, name))
			break;
	if (i == sizeof(fns) / sizeof(fns[0])) {
		fail(p, at,
		     "'%s' is not a function CelExpr has (int32, uint32, int, uint, and, or, xor, "
		     "not)",
		     name);
		return HORNET_CEL_T_NONE;
	}
	a = want_int(p, p->pos, parse_or(p), name);
	if (fns[i].nargs == 2) {
		if (!take(p, ",")) {
			fail(p, p->pos, "%s() takes two arguments", name);
			return HORNET_CEL_T_NONE;
		}
		skip_space(p);
		bat = p->pos;
		b = want_int(p, bat, parse_or(p), name);
		if (!p->failed && a != b)
			fail(p, bat, "%s() of %s and %s: convert one (int(), uint())", name,
			     type_names[a], type_names[b]);
	}
	if (!take(p, ")")) {
		fail(p, p->pos, "')' expected after the argument%s of %s()",
		     fns[i].nargs == 2 ? "s" : "", name);
		return HORNET_CEL_T_NONE;
	}
	switch (fns[i].code) {
	case HORNET_CEL_I32:
		emit(p, HORNET_CEL_I32, 0, 0);
		return HORNET_CEL_T_INT;
	case HORNET_CEL_U32:
		emit(p, HORNET_CEL_U32, 0, 0);
		return HORNET_CEL_T_UINT;
	case HORNET_CEL_IMM: /* int(), uint(): the same 64 bits, another type */
		return name[0] == 'u' ? HORNET_CEL_T_UINT : HORNET_CEL_T_INT;
	case HORNET_CEL_BNOT:
		emit(p, HORNET_CEL_BNOT, 0, 0);
		return a;
	default:
		emit(p, fns[i].code, 0, 0);
		return a;
	}
}

static enum hornet_cel_type parse_primary(struct parser *p)
{
	char name[32];
	size_t at, n = 0;
	unsigned long long v;
	char *end;
	enum hornet_cel_type t;

	skip_space(p);
	at = p->pos;
	if (take(p, "(")) {
		t = parse_or(p);
		if (!take(p, ")"))
			fail(p, p->pos, "')' expected");
		return t;
	}
	if (isdigit((unsigned char)p->s[at])) {
		errno = 0;
		if (p->s[at] == '0' && (p->s[at + 1] == 'x' || p->s[at + 1] == 'X'))
			v = strtoull(p->s + at + 2, &end, 16);
		else
			v = strtoull(p->s + at, &end, 10);
		if (errno || (isalnum((unsigned char)*end) && *end != 'u' && *end != 'U')) {
			fail(p, at, "not a number CelExpr takes");
			return HORNET_CEL_T_NONE;
		}
		p->pos = end - p->s;
		if (*end == 'u' || *end == 'U') {
			p->pos++;
			emit(p, HORNET_CEL_IMM, 0, (int64_t)v);
			return HORNET_CEL_T_UINT;
		}
		if (v > INT64_MAX) {
			fail(p, at, "%llu does not fit an int (add u for a uint)", v);
			return HORNET_CEL_T_NONE;
		}
		emit(p, HORNET_CEL_IMM, 0, (int64_t)v);
		return HORNET_CEL_T_INT;
	}
	if (!isalpha((unsigned char)p->s[at]) && p->s[at] != '_') {
		if (!p->s[at])
			fail(p, at, "the expression ends where a value is expected");
		else
			fail(p, at,
			     "'%c' is not something CelExpr takes (it has integers, argN, + -, "
			     "comparisons, && || !, int32() uint32() int() uint() and() or() xor() "
			     "not())",
			     p->s[at]);
		return HORNET_CEL_T_NONE;
	}
	while ((isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_') &&
	       n < sizeof(name) - 1)
		name[n++] = p->s[p->pos++];
	name[n] = '\0';
	if (!strcmp(name, "true") || !strcmp(name, "false")) {
		emit(p, HORNET_CEL_IMM, 0, name[0] == 't');
		return HORNET_CEL_T_BOOL;
	}
	if (take(p, "("))
		return parse_call(p, name, at);
	if (!strncmp(name, "arg", 3) && isdigit((unsigned char)name[3])) {
		v = strtoull(name + 3, &end, 10);
		if (*end || v >= p->nargs) {
			fail(p, at, "%s: the hook has %zu argument%s (arg0 to arg%zu)", name,
			     p->nargs, p->nargs == 1 ? "" : "s", p->nargs ? p->nargs - 1 : 0);
			return HORNET_CEL_T_NONE;
		}
		if (p->types[v] == HORNET_CEL_T_NONE) {
			fail(p, at, "%s is not an integer argument: CelExpr compares integers",
			     name);
			return HORNET_CEL_T_NONE;
		}
		emit(p, HORNET_CEL_ARG, (uint8_t)v, 0);
		return p->types[v];
	}
	fail(p, at, "'%s' is not a name CelExpr knows (argN, true, false)", name);
	return HORNET_CEL_T_NONE;
}

static enum hornet_cel_type parse_unary(struct parser *p);

static enum hornet_cel_type unary(struct parser *p)
{
	size_t at = p->pos;
	enum hornet_cel_type t;

	if (take(p, "!")) {
		t = want(p, at, parse_unary(p), HORNET_CEL_T_BOOL, "!");
		emit(p, HORNET_CEL_LNOT, 0, 0);
		return t;
	}
	if (take(p, "-")) {
		t = parse_unary(p);
		if (t == HORNET_CEL_T_UINT || t == HORNET_CEL_T_BOOL)
			fail(p, at, "- needs an int, not %s", type_names[t]);
		emit(p, HORNET_CEL_NEG, 0, 0);
		return HORNET_CEL_T_INT;
	}
	return parse_primary(p);
}

/* Every nesting of the grammar passes here: the recursion is bounded here. */
static enum hornet_cel_type parse_unary(struct parser *p)
{
	enum hornet_cel_type t = HORNET_CEL_T_NONE;

	skip_space(p);
	if (++p->nest > CEL_NEST_MAX)
		fail(p, p->pos, "the expression nests more than %d deep", CEL_NEST_MAX);
	else
		t = unary(p);
	p->nest--;
	return t;
}

static enum hornet_cel_type parse_sum(struct parser *p)
{
	enum hornet_cel_type a = parse_unary(p), b;
	bool add;
	size_t at;

	for (;;) {
		skip_space(p);
		at = p->pos;
		if (take(p, "+"))
			add = true;
		else if (take(p, "-"))
			add = false;
		else
			return a;
		b = parse_unary(p);
		want_int(p, at, a, add ? "+" : "-");
		if (!p->failed && a != b)
			fail(p, at, "%s of %s and %s: convert one (int(), uint())", add ? "+" : "-",
			     type_names[a], type_names[b]);
		emit(p, add ? HORNET_CEL_ADD : HORNET_CEL_SUB, 0, 0);
	}
}

static enum hornet_cel_type parse_rel(struct parser *p)
{
	static const struct {
		const char *tok;
		enum hornet_cel_opcode s, u;
	} ops[] = {
		{ "==", HORNET_CEL_EQ, HORNET_CEL_EQ },	 { "!=", HORNET_CEL_NE, HORNET_CEL_NE },
		{ "<=", HORNET_CEL_LE, HORNET_CEL_LEU }, { ">=", HORNET_CEL_GE, HORNET_CEL_GEU },
		{ "<", HORNET_CEL_LT, HORNET_CEL_LTU },	 { ">", HORNET_CEL_GT, HORNET_CEL_GTU },
	};
	enum hornet_cel_type a = parse_sum(p), b;
	size_t i, at;

	skip_space(p);
	at = p->pos;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (take(p, ops[i].tok))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return a;
	b = parse_sum(p);
	if (!p->failed && a != b)
		fail(p, at, "%s between %s and %s: convert one (int(), uint(), int32(), uint32())",
		     ops[i].tok, type_names[a], type_names[b]);
	if (!p->failed && a == HORNET_CEL_T_BOOL && i > 1)
		fail(p, at, "%s does not order bools", ops[i].tok);
	emit(p, a == HORNET_CEL_T_UINT ? ops[i].u : ops[i].s, 0, 0);
	return HORNET_CEL_T_BOOL;
}

/* @next { @tok @next }: && and ||, on bools */
static enum hornet_cel_type parse_logic(struct parser *p,
					enum hornet_cel_type (*next)(struct parser *),
					const char *tok, enum hornet_cel_opcode code)
{
	enum hornet_cel_type a = next(p);
	size_t at;

	for (;;) {
		skip_space(p);
		at = p->pos;
		if (!take(p, tok))
			return a;
		want(p, at, a, HORNET_CEL_T_BOOL, tok);
		want(p, at, next(p), HORNET_CEL_T_BOOL, tok);
		emit(p, code, 0, 0);
		a = HORNET_CEL_T_BOOL;
	}
}

static enum hornet_cel_type parse_and(struct parser *p)
{
	return parse_logic(p, parse_rel, "&&", HORNET_CEL_LAND);
}

static enum hornet_cel_type parse_or(struct parser *p)
{
	return parse_logic(p, parse_and, "||", HORNET_CEL_LOR);
}

int hornet_cel_compile(const char *expr, const enum hornet_cel_type *types, size_t nargs,
		       struct hornet_cel_prog *out, char *err, size_t err_size)
{
	struct parser p = { .s = expr,
			    .types = types,
			    .nargs = nargs,
			    .out = out,
			    .err = err,
			    .err_size = err_size };
	enum hornet_cel_type t;

	memset(out, 0, sizeof(*out));
	t = parse_or(&p);
	skip_space(&p);
	if (!p.failed && p.s[p.pos])
		fail(&p, p.pos, "'%s' after the expression: an operator is missing", p.s + p.pos);
	if (!p.failed && t != HORNET_CEL_T_BOOL)
		fail(&p, 0, "the expression is a%s %s, not a bool (compare it)",
		     t == HORNET_CEL_T_INT ? "n" : "", type_names[t]);
	return p.failed ? -EINVAL : 0;
}

/* The kernel's evaluator, gen_cel() in bpf/lib/gen_match.bpf.h, step for step. */
int hornet_cel_eval(const struct hornet_cel_prog *p, const uint64_t *args, size_t nargs)
{
	uint64_t st[HORNET_CEL_STACK] = { 0 }, a, b, r;
	uint32_t sp = 0, i;
	int ok = 1;

	for (i = 0; i < p->len && i < HORNET_CEL_OPS; i++) {
		const struct hornet_cel_op *o = &p->ops[i];

		b = st[(sp - 1) & (HORNET_CEL_STACK - 1)];
		a = st[(sp - 2) & (HORNET_CEL_STACK - 1)];
		r = hornet_cel_apply(o, o->arg < nargs ? args[o->arg] : 0, a, b, &ok);
		if (!ok)
			return 0;
		sp += hornet_cel_depth(o->op);
		st[(sp - 1) & (HORNET_CEL_STACK - 1)] = r;
	}
	return st[(sp - 1) & (HORNET_CEL_STACK - 1)] != 0;
}
