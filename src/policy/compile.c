// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dnsname.h"
#include "policy/compile.h"
#include "policy/scope.h"

struct cc {
	struct hornet_point_config *out;
	const struct hornet_point_user *u;
	uint64_t follow_left; /* the user's follow slots not yet given out */
	char *err;
	size_t err_size;
	char where[256];
	/*
	 * What a union spec's size_spec and dirfd_arg stand for, independent of
	 * any one user: the function argument number of its size, and of its
	 * directory fd (0xffff: none). The fields themselves are rewritten to
	 * union indexes as users are added, so specs are compared by these.
	 */
	uint16_t size_id[HORNET_GEN_MAX_SPECS];
	uint16_t dirfd_id[HORNET_GEN_MAX_SPECS];
};

static int fail(struct cc *c, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct cc *c, int ret, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->err_size, "%s: %s", c->where, msg);
	return ret;
}

/* ---- map entries ---- */

#define GROW(arr, n)                                                   \
	({                                                             \
		void *p_ = realloc((arr), ((n) + 1) * sizeof(*(arr))); \
		if (p_)                                                \
			(arr) = p_;                                    \
		p_;                                                    \
	})

static void bit_set(struct hornet_bits *b, unsigned int slot)
{
	b->w[slot / 64] |= 1ULL << (slot % 64);
}

static int add_str_eq(struct cc *c, uint8_t arg, const char *s, unsigned int slot)
{
	struct hornet_point_config *o = c->out;
	struct hornet_str_key key = { .arg = arg };
	size_t i, n = strlen(s);

	if (n >= HORNET_GEN_STR)
		return fail(c, -E2BIG, "value '%.40s...' is longer than %d bytes", s,
			    HORNET_GEN_STR - 1);
	memcpy(key.s, s, n);
	for (i = 0; i < o->nr_str_eq; i++) {
		if (!memcmp(&o->str_eq[i].key, &key, sizeof(key))) {
			bit_set(&o->str_eq[i].bits, slot);
			return 0;
		}
	}
	if (!GROW(o->str_eq, o->nr_str_eq))
		return -ENOMEM;
	memset(&o->str_eq[o->nr_str_eq], 0, sizeof(o->str_eq[0]));
	o->str_eq[o->nr_str_eq].key = key;
	bit_set(&o->str_eq[o->nr_str_eq++].bits, slot);
	return 0;
}

static int add_lpm_str(struct cc *c, struct hornet_lpm_str_entry **arr, size_t *nr, uint8_t arg,
		       const char *s, bool reverse, unsigned int slot)
{
	struct hornet_lpm_str_key key = { .arg = arg };
	size_t i, n = strlen(s);

	if (n > HORNET_GEN_STR - 1)
		return fail(c, -E2BIG, "value '%.40s...' is longer than %d bytes", s,
			    HORNET_GEN_STR - 1);
	for (i = 0; i < n; i++)
		key.s[i] = reverse ? s[n - 1 - i] : s[i];
	key.prefixlen = 8 + 8 * n;
	/* the program reverses no more of a string than this */
	if (reverse && n > c->out->cfg.postfix_len)
		c->out->cfg.postfix_len = n;
	for (i = 0; i < *nr; i++) {
		if (!memcmp(&(*arr)[i].key, &key, sizeof(key))) {
			bit_set(&(*arr)[i].bits, slot);
			return 0;
		}
	}
	if (!GROW(*arr, *nr))
		return -ENOMEM;
	memset(&(*arr)[*nr], 0, sizeof((*arr)[0]));
	(*arr)[*nr].key = key;
	bit_set(&(*arr)[(*nr)++].bits, slot);
	return 0;
}

static int add_int(struct cc *c, uint8_t arg, uint8_t sub, uint64_t v, unsigned int slot)
{
	struct hornet_point_config *o = c->out;
	struct hornet_int_key key = { .arg = arg, .sub = sub, .value = v };
	size_t i;

	for (i = 0; i < o->nr_int_eq; i++) {
		if (!memcmp(&o->int_eq[i].key, &key, sizeof(key))) {
			bit_set(&o->int_eq[i].bits, slot);
			return 0;
		}
	}
	if (!GROW(o->int_eq, o->nr_int_eq))
		return -ENOMEM;
	memset(&o->int_eq[o->nr_int_eq], 0, sizeof(o->int_eq[0]));
	o->int_eq[o->nr_int_eq].key = key;
	bit_set(&o->int_eq[o->nr_int_eq++].bits, slot);
	return 0;
}

static int add_addr(struct cc *c, uint8_t arg, uint8_t which, const struct hornet_value *v,
		    unsigned int slot)
{
	struct hornet_point_config *o = c->out;
	struct hornet_lpm_addr_key key = { .arg = arg, .which = which };
	unsigned int bits = v->prefix_len;
	size_t i;

	/* a "${NAME}" the parser let through for templates: never filled in */
	if (v->kind != HORNET_VALUE_ADDR)
		return fail(c, -EINVAL, "'%s' is not an IP address or CIDR", v->str);
	key.family = v->family;
	memcpy(key.addr, v->addr, sizeof(key.addr));
	key.prefixlen = 24 + bits;
	/* bits past the prefix are not part of the key */
	for (i = bits; i < 128; i++)
		key.addr[i / 8] &= ~(0x80 >> (i % 8));
	for (i = 0; i < o->nr_addr; i++) {
		if (!memcmp(&o->addr[i].key, &key, sizeof(key))) {
			bit_set(&o->addr[i].bits, slot);
			return 0;
		}
	}
	if (!GROW(o->addr, o->nr_addr))
		return -ENOMEM;
	memset(&o->addr[o->nr_addr], 0, sizeof(o->addr[0]));
	o->addr[o->nr_addr].key = key;
	bit_set(&o->addr[o->nr_addr++].bits, slot);
	return 0;
}

static int add_filter(struct cc *c, unsigned int slot, enum hornet_filter_kind kind, uint8_t arg,
		      uint8_t sub, uint64_t a, uint64_t b)
{
	struct hornet_point_config *o = c->out;
	struct hornet_gen_filter *f;

	if (o->cfg.nr_filters >= HORNET_GEN_MAX_FILTERS)
		return fail(c, -E2BIG,
			    "more than %d range, mask or capability filters on one hook point",
			    HORNET_GEN_MAX_FILTERS);
	/* only these read the process table: the program looks it up for them */
	if (kind == HORNET_F_FOLLOW || kind == HORNET_F_CAPS_CHANGED || kind == HORNET_F_NS_CHANGED)
		o->cfg.lookups |= HORNET_LOOKUP_PROC;
	f = &o->filters[o->cfg.nr_filters++];
	memset(f, 0, sizeof(*f));
	f->slot = slot;
	f->kind = kind;
	f->arg = arg;
	f->sub = sub;
	f->a = a;
	f->b = b;
	return 0;
}

/* A SubString value (@fold: lowercased, for SubStringIgnCase) and its filter */
static int add_substr(struct cc *c, unsigned int slot, uint8_t arg, const char *s, bool fold)
{
	struct hornet_point_config *o = c->out;
	struct hornet_substr *e;
	size_t i, n = strlen(s);

	if (o->nr_substr >= HORNET_SUBSTR_VALUES)
		return fail(c, -E2BIG, "more than %d SubString values on one hook point",
			    HORNET_SUBSTR_VALUES);
	if (n >= HORNET_SUBSTR_MAX)
		return fail(c, -EINVAL, "SubString value longer than %d bytes",
			    HORNET_SUBSTR_MAX - 1);
	if (!GROW(o->substr, o->nr_substr))
		return -ENOMEM;
	e = &o->substr[o->nr_substr];
	memset(e, 0, sizeof(*e));
	e->len = n;
	for (i = 0; i < n; i++)
		e->s[i] = fold && s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 'a' - 'A' : s[i];
	o->cfg.lookups |= HORNET_LOOKUP_SUBSTR;
	return add_filter(c, slot, HORNET_F_SUBSTR, arg, fold, o->nr_substr++, 0);
}

static int add_follow(struct cc *c, bool prefix, bool pid, const char *s, uint32_t pid_value,
		      uint64_t bit)
{
	struct hornet_point_config *o = c->out;
	struct hornet_follow_entry *e;

	if (!GROW(o->follow, o->nr_follow))
		return -ENOMEM;
	e = &o->follow[o->nr_follow++];
	memset(e, 0, sizeof(*e));
	e->prefix = prefix;
	e->pid = pid;
	if (s)
		snprintf(e->value, sizeof(e->value), "%s", s);
	e->pid_value = pid_value;
	e->bit = bit;
	return 0;
}

static int new_slot(struct cc *c, struct hornet_gen_sel *sel, bool neg, unsigned int *slot)
{
	struct hornet_point_config *o = c->out;

	if (o->nr_slots >= HORNET_GEN_MAX_SLOTS)
		return fail(c, -E2BIG,
			    "policy '%s': more than %d filter values and ranges on hook point %s, "
			    "all policies together",
			    c->u->policy->name, HORNET_GEN_MAX_SLOTS, c->u->ph->target);
	*slot = o->nr_slots++;
	if (neg)
		o->cfg.neg[*slot / 64] |= 1ULL << (*slot % 64);
	bit_set(&sel->required, *slot);
	return 0;
}

/* The next of the user's follow slots (its policy owns them: see hornet_point_user). */
static uint64_t alloc_follow(struct cc *c)
{
	uint64_t bit = c->follow_left & -c->follow_left;

	c->follow_left &= ~bit;
	return bit;
}

/* ---- specs ---- */

static bool string_type(uint8_t t)
{
	switch (t) {
	case HORNET_GT_STRING:
	case HORNET_GT_BUF:
	case HORNET_GT_FD:
	case HORNET_GT_FILE:
	case HORNET_GT_PATH:
	case HORNET_GT_DENTRY:
	case HORNET_GT_FILENAME:
	case HORNET_GT_BINPRM:
	case HORNET_GT_KIOCB:
	case HORNET_GT_MODULE:
	case HORNET_GT_LOAD_INFO:
	case HORNET_GT_NETDEV:
	case HORNET_GT_SOCKADDR_UN: /* its path */
	case HORNET_GT_DATALOC:
		return true;
	}
	return false;
}

/*
 * The union's index of spec @sp (added if new). @size_id and @dirfd_id say
 * which function arguments its size and its directory fd come from (0xffff:
 * none); two specs are the same when they read the same way from the same
 * places.
 */
static int spec_index(struct cc *c, const struct hornet_gen_spec *sp, uint16_t size_id,
		      uint16_t dirfd_id)
{
	const __u8 filters =
		HORNET_SPEC_FILTER_STR | HORNET_SPEC_FILTER_INT | HORNET_SPEC_FILTER_NET;
	struct hornet_gen_cfg *cfg = &c->out->cfg;
	struct hornet_gen_spec a = *sp, b;
	unsigned int i;

	a.size_spec = 0xff; /* remapped by the caller */
	a.dirfd_arg = 0xff;
	a.flags &= ~filters;
	for (i = 0; i < cfg->nr_specs; i++) {
		b = cfg->specs[i];
		b.size_spec = 0xff;
		b.dirfd_arg = 0xff;
		b.flags &= ~filters;
		if (!memcmp(&a, &b, sizeof(a)) && c->size_id[i] == size_id &&
		    c->dirfd_id[i] == dirfd_id)
			return i;
	}
	if (cfg->nr_specs >= HORNET_GEN_MAX_SPECS)
		return fail(c, -E2BIG,
			    "the policies on this hook point read more than %d different arguments",
			    HORNET_GEN_MAX_SPECS);
	c->size_id[cfg->nr_specs] = size_id;
	c->dirfd_id[cfg->nr_specs] = dirfd_id;
	cfg->specs[cfg->nr_specs] = a;
	return cfg->nr_specs++;
}

/* ---- selectors ---- */

/* The number the parser read; values of tracepoint fields typed only by the format file
 * may have been any text */
static int values_int(struct cc *c, const struct hornet_value *v, int64_t *out)
{
	*out = 0;
	if (!v->is_num)
		return fail(c, -EINVAL, "value '%s' is not a number", v->str);
	*out = v->num;
	return 0;
}

/* The ends of a range, or a number as a range of one. */
static int range_of(struct cc *c, const struct hornet_value *v, int64_t *a, int64_t *b)
{
	*a = *b = 0;
	if (v->kind == HORNET_VALUE_RANGE) {
		*a = v->num;
		*b = v->hi;
		return 0;
	}
	if (v->kind != HORNET_VALUE_INT)
		return fail(c, -EINVAL, "'%s' is not a range (a:b)", v->str);
	*a = *b = v->num;
	return 0;
}

/* InMap values: numbers, ranges, or "list:NAME" of syscalls */
static int add_in_map(struct cc *c, uint8_t arg, const struct hornet_values *vals,
		      unsigned int slot)
{
	const struct hornet_policy *p = c->u->policy;
	int64_t a, b;
	uint64_t v;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < vals->n && !ret; i++) {
		const struct hornet_value *val = &vals->v[i];

		if (val->kind == HORNET_VALUE_LIST) {
			const struct hornet_list *l = &p->lists[val->list];

			for (j = 0; j < l->nr_values && !ret; j++) {
				int nr = hornet_syscall_nr(l->values[j]);

				if (nr < 0)
					return fail(c, -EINVAL, "list '%s': '%s' is not a syscall",
						    l->name, l->values[j]);
				ret = add_int(c, arg, 0, nr, slot);
			}
			continue;
		}
		ret = range_of(c, val, &a, &b);
		if (ret)
			return ret;
		/* compared as unsigned where the type is: b - a wraps the same */
		if ((uint64_t)b - (uint64_t)a > 65535)
			return fail(c, -E2BIG, "range '%s' spans more than 65536 values", val->str);
		for (v = a;; v++) {
			ret = add_int(c, arg, 0, (int64_t)v, slot);
			if (ret || v == (uint64_t)b)
				break;
		}
	}
	return ret;
}

static bool negated(enum hornet_op op)
{
	switch (op) {
	case HORNET_OP_NOT_EQUAL:
	case HORNET_OP_NOT_PREFIX:
	case HORNET_OP_NOT_POSTFIX:
	case HORNET_OP_NOT_IN_RANGE:
	case HORNET_OP_NOT_SADDR:
	case HORNET_OP_NOT_DADDR:
	case HORNET_OP_NOT_SPORT:
	case HORNET_OP_NOT_DPORT:
	case HORNET_OP_NOT_SPORT_PRIV:
	case HORNET_OP_NOT_DPORT_PRIV:
	case HORNET_OP_NOT_IN_MAP:
	case HORNET_OP_NOT_FILE_TYPE:
	case HORNET_OP_NOT_IN:
	case HORNET_OP_NOT_DNS_NAME:
		return true;
	default:
		return false;
	}
}

/* One matchArgs (or matchReturnArgs, arg HORNET_KEY_RET) filter. */
/*
 * CelExpr: each expression a filter of one slot (any that holds holds it),
 * its argX turned into the spec that reads the X-th of args[] (@arg_spec).
 */
static int compile_cel(struct cc *c, struct hornet_gen_sel *sel, const struct hornet_match_arg *m,
		       const uint8_t *arg_spec)
{
	struct hornet_point_config *o = c->out;
	struct hornet_cel_prog *p;
	unsigned int slot;
	size_t i, k;
	int ret;

	ret = new_slot(c, sel, false, &slot);
	for (i = 0; !ret && i < m->values.n; i++) {
		if (o->nr_cel >= HORNET_CEL_PROGS)
			return fail(c, -E2BIG, "more than %d CelExpr expressions on one hook point",
				    HORNET_CEL_PROGS);
		if (!GROW(o->cel, o->nr_cel))
			return -ENOMEM;
		p = &o->cel[o->nr_cel];
		*p = m->cel[i];
		for (k = 0; k < p->len; k++)
			if (p->ops[k].op == HORNET_CEL_ARG)
				p->ops[k].arg = arg_spec[p->ops[k].arg];
		o->cfg.lookups |= HORNET_LOOKUP_CEL;
		ret = add_filter(c, slot, HORNET_F_CEL, 0, 0, o->nr_cel++, 0);
	}
	return ret;
}

static int compile_match_arg(struct cc *c, struct hornet_gen_sel *sel, uint8_t arg, uint8_t type,
			     const struct hornet_match_arg *m)
{
	const struct hornet_values *vals = &m->values;
	enum hornet_op op = m->op;
	struct hornet_gen_cfg *cfg = &c->out->cfg;
	struct hornet_gen_spec *sp = arg < HORNET_GEN_MAX_SPECS ? &cfg->specs[arg] : NULL;
	unsigned int slot;
	int64_t a, b;
	size_t i;
	int ret;

	ret = new_slot(c, sel, negated(op), &slot);
	if (ret)
		return ret;
	if (sp && ((op == HORNET_OP_EQUAL && string_type(type)) || op == HORNET_OP_PREFIX ||
		   op == HORNET_OP_POSTFIX))
		c->out->slot_str[slot] = arg + 1;
	for (i = 0; i < vals->n || (i == 0 && !vals->n); i++) {
		const struct hornet_value *v = vals->n ? &vals->v[i] : NULL;

		switch (op) {
		case HORNET_OP_EQUAL:
		case HORNET_OP_NOT_EQUAL:
			if (string_type(type)) {
				ret = add_str_eq(c, arg, v->str, slot);
				cfg->lookups |= HORNET_LOOKUP_STR_EQ;
				if (sp)
					sp->flags |= HORNET_SPEC_FILTER_STR;
			} else {
				ret = values_int(c, v, &a);
				if (!ret)
					ret = add_int(c, arg, 0, a, slot);
				cfg->lookups |= HORNET_LOOKUP_INT_EQ;
				if (sp)
					sp->flags |= HORNET_SPEC_FILTER_INT;
			}
			break;
		case HORNET_OP_PREFIX:
		case HORNET_OP_NOT_PREFIX:
			ret = add_lpm_str(c, &c->out->str_prefix, &c->out->nr_str_prefix, arg,
					  v->str, false, slot);
			cfg->lookups |= HORNET_LOOKUP_STR_PREFIX;
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_STR;
			break;
		case HORNET_OP_POSTFIX:
		case HORNET_OP_NOT_POSTFIX:
			ret = add_lpm_str(c, &c->out->str_postfix, &c->out->nr_str_postfix, arg,
					  v->str, true, slot);
			cfg->lookups |= HORNET_LOOKUP_STR_POSTFIX;
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_STR;
			break;
		case HORNET_OP_MASK:
			ret = values_int(c, v, &a);
			if (!ret)
				ret = add_filter(c, slot, HORNET_F_INT_MASK, arg, 0, a, 0);
			break;
		case HORNET_OP_GT:
		case HORNET_OP_LT:
			ret = values_int(c, v, &a);
			if (!ret)
				ret = add_filter(c, slot,
						 op == HORNET_OP_GT ? HORNET_F_INT_GT
								    : HORNET_F_INT_LT,
						 arg, 0, a, 0);
			break;
		case HORNET_OP_IN_RANGE:
		case HORNET_OP_NOT_IN_RANGE:
			ret = range_of(c, v, &a, &b);
			if (!ret)
				ret = add_filter(c, slot, HORNET_F_INT_RANGE, arg, 0, a, b);
			break;
		case HORNET_OP_IN_MAP:
		case HORNET_OP_NOT_IN_MAP:
			cfg->lookups |= HORNET_LOOKUP_INT_EQ;
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_INT;
			return add_in_map(c, arg, vals, slot);
		case HORNET_OP_FILE_TYPE:
		case HORNET_OP_NOT_FILE_TYPE:
			ret = values_int(c, v, &a);
			if (ret)
				return ret;
			ret = add_filter(c, slot, HORNET_F_FILE_TYPE, arg, 0, a, 0);
			break;
		case HORNET_OP_SADDR:
		case HORNET_OP_NOT_SADDR:
		case HORNET_OP_DADDR:
		case HORNET_OP_NOT_DADDR:
			ret = add_addr(c, arg,
				       op == HORNET_OP_SADDR || op == HORNET_OP_NOT_SADDR
					       ? HORNET_NET_SADDR
					       : HORNET_NET_DADDR,
				       v, slot);
			cfg->lookups |= HORNET_LOOKUP_ADDR;
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_NET;
			break;
		case HORNET_OP_SPORT:
		case HORNET_OP_NOT_SPORT:
		case HORNET_OP_DPORT:
		case HORNET_OP_NOT_DPORT: {
			uint8_t which = op == HORNET_OP_SPORT || op == HORNET_OP_NOT_SPORT
						? HORNET_NET_SPORT
						: HORNET_NET_DPORT;

			ret = range_of(c, v, &a, &b);
			if (ret)
				return ret;
			if (a < 0 || b > 65535 || a > b)
				return fail(c, -EINVAL, "'%s' is not a port or port range", v->str);
			if (a == b) {
				ret = add_int(c, arg, which, a, slot);
				cfg->lookups |= HORNET_LOOKUP_PORT;
			} else {
				ret = add_filter(c, slot, HORNET_F_PORT_RANGE, arg, which, a, b);
			}
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_NET;
			break;
		}
		case HORNET_OP_DNS_NAME:
		case HORNET_OP_NOT_DNS_NAME:
			/* a "${NAME}" the parser let through for templates */
			if (v->kind == HORNET_VALUE_PLACEHOLDER)
				return fail(c, -EINVAL, "'%s' is not a DNS name", v->str);
			ret = add_int(c, arg, HORNET_NET_DNS_NAME,
				      (int64_t)hornet_dns_pattern_hash(hornet_dns_seed, v->str),
				      slot);
			cfg->lookups |= HORNET_LOOKUP_DNS;
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_NET;
			break;
		case HORNET_OP_SPORT_PRIV:
		case HORNET_OP_NOT_SPORT_PRIV:
		case HORNET_OP_DPORT_PRIV:
		case HORNET_OP_NOT_DPORT_PRIV:
			ret = add_filter(c, slot, HORNET_F_PORT_PRIV, arg,
					 op == HORNET_OP_SPORT_PRIV ||
							 op == HORNET_OP_NOT_SPORT_PRIV
						 ? HORNET_NET_SPORT
						 : HORNET_NET_DPORT,
					 0, 0);
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_NET;
			return ret;
		case HORNET_OP_PROTOCOL:
		case HORNET_OP_FAMILY:
		case HORNET_OP_STATE: {
			uint8_t sub = op == HORNET_OP_PROTOCOL ? HORNET_NET_PROTOCOL
				      : op == HORNET_OP_FAMILY ? HORNET_NET_FAMILY
							       : HORNET_NET_STATE;

			ret = values_int(c, v, &a);
			if (ret)
				return ret;
			ret = add_int(c, arg, sub, a, slot);
			cfg->lookups |= HORNET_LOOKUP_NETINT;
			if (sp)
				sp->flags |= HORNET_SPEC_FILTER_NET;
			break;
		}
		case HORNET_OP_CAPABILITIES_GAINED:
			return add_filter(c, slot, HORNET_F_CAPS_GAINED, arg, 0,
					  m->caps ? m->caps : ~0ULL, 0);
		case HORNET_OP_SUBSTRING:
		case HORNET_OP_SUBSTRING_IGNCASE:
			if (!sp || !string_type(type))
				return fail(c, -EINVAL, "operator '%s' needs a string argument",
					    hornet_op_name(op));
			ret = add_substr(c, slot, arg, v->str, op == HORNET_OP_SUBSTRING_IGNCASE);
			sp->flags |= HORNET_SPEC_FILTER_STR;
			break;
		default:
			return fail(c, -EINVAL, "operator '%s' is not supported here",
				    hornet_op_name(op));
		}
		if (ret)
			return ret;
	}
	if (sp && (op == HORNET_OP_MASK || op == HORNET_OP_GT || op == HORNET_OP_LT ||
		   op == HORNET_OP_IN_RANGE || op == HORNET_OP_NOT_IN_RANGE ||
		   op == HORNET_OP_FILE_TYPE || op == HORNET_OP_NOT_FILE_TYPE))
		sp->flags |= HORNET_SPEC_FILTER_INT;
	return 0;
}

/* matchBinaries (@key HORNET_KEY_BINARY) or matchParentBinaries
 * (HORNET_KEY_PARENT_BINARY): the same maps, under their own key */
static int compile_binaries(struct cc *c, struct hornet_gen_sel *sel,
			    const struct hornet_match_binaries *mb, uint8_t key)
{
	struct hornet_gen_cfg *cfg = &c->out->cfg;
	unsigned int slot;
	uint64_t bit = 0;
	size_t i;
	int ret;

	ret = new_slot(c, sel, negated(mb->op), &slot);
	if (ret)
		return ret;
	cfg->lookups |= key == HORNET_KEY_BINARY ? HORNET_LOOKUP_BINARY : HORNET_LOOKUP_PARENT;
	if (mb->follow_children) {
		if (mb->op == HORNET_OP_POSTFIX || mb->op == HORNET_OP_NOT_POSTFIX)
			return fail(c, -EOPNOTSUPP,
				    "followChildren works with In and Prefix, not Postfix");
		bit = alloc_follow(c);
		if (!bit)
			return fail(c, -E2BIG, "no followChildren slot left (64 in all policies)");
		ret = add_filter(c, slot,
				 key == HORNET_KEY_BINARY ? HORNET_F_FOLLOW
							  : HORNET_F_PARENT_FOLLOW,
				 key, 0, bit, 0);
		if (ret)
			return ret;
	}
	for (i = 0; i < mb->values.n; i++) {
		const char *v = mb->values.v[i].str;

		switch (mb->op) {
		case HORNET_OP_IN:
		case HORNET_OP_NOT_IN:
			ret = add_str_eq(c, key, v, slot);
			cfg->lookups |= HORNET_LOOKUP_STR_EQ;
			break;
		case HORNET_OP_PREFIX:
		case HORNET_OP_NOT_PREFIX:
			ret = add_lpm_str(c, &c->out->str_prefix, &c->out->nr_str_prefix, key, v,
					  false, slot);
			cfg->lookups |= HORNET_LOOKUP_STR_PREFIX;
			break;
		default:
			ret = add_lpm_str(c, &c->out->str_postfix, &c->out->nr_str_postfix, key, v,
					  true, slot);
			cfg->lookups |= HORNET_LOOKUP_STR_POSTFIX;
			break;
		}
		if (!ret && bit)
			ret = add_follow(
				c, mb->op == HORNET_OP_PREFIX || mb->op == HORNET_OP_NOT_PREFIX,
				false, v, 0, bit);
		if (ret)
			return ret;
	}
	return 0;
}

static int compile_pids(struct cc *c, struct hornet_gen_sel *sel,
			const struct hornet_match_pids *mp)
{
	uint8_t key = mp->is_namespace_pid ? HORNET_KEY_NSPID : HORNET_KEY_PID;
	unsigned int slot;
	uint64_t bit = 0;
	int64_t v;
	size_t i;
	int ret;

	ret = new_slot(c, sel, mp->op == HORNET_OP_NOT_IN, &slot);
	if (ret)
		return ret;
	c->out->cfg.lookups |= mp->is_namespace_pid ? HORNET_LOOKUP_NSPID : HORNET_LOOKUP_PID;
	if (mp->follow_forks && !mp->is_namespace_pid) {
		bit = alloc_follow(c);
		if (!bit)
			return fail(c, -E2BIG, "no followForks slot left (64 in all policies)");
		ret = add_filter(c, slot, HORNET_F_FOLLOW, HORNET_KEY_PID, 0, bit, 0);
		if (ret)
			return ret;
	}
	for (i = 0; i < mp->values.n; i++) {
		ret = values_int(c, &mp->values.v[i], &v);
		if (!ret)
			ret = add_int(c, key, 0, v, slot);
		if (!ret && bit)
			ret = add_follow(c, false, true, NULL, v, bit);
		if (ret)
			return ret;
	}
	return 0;
}

static int compile_ns(struct cc *c, struct hornet_gen_sel *sel, const struct hornet_match_ns *mn)
{
	unsigned int slot;
	int64_t v;
	size_t i;
	int ret;

	ret = new_slot(c, sel, mn->op == HORNET_OP_NOT_IN, &slot);
	if (ret)
		return ret;
	c->out->cfg.ns_lookups |= 1U << mn->ns;
	for (i = 0; i < mn->values.n; i++) {
		if (mn->values.v[i].kind == HORNET_VALUE_HOST_NS) {
			v = c->u->host_ns[mn->ns];
		} else {
			ret = values_int(c, &mn->values.v[i], &v);
			if (ret)
				return ret;
		}
		ret = add_int(c, HORNET_KEY_NS(mn->ns), 0, v, slot);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * isNamespaceCapability, as Tetragon: the capability filter holds only in
 * a user namespace other than the host's. One more slot, as matchNamespaces
 * User NotIn [host_ns] would add: in the host's, the selector does not
 * match, whatever the filter's operator.
 */
static int add_not_host_userns(struct cc *c, struct hornet_gen_sel *sel)
{
	uint32_t host = c->u->host_ns[HORNET_NS_USER];
	unsigned int slot = 0;
	int ret;

	/* host 0 (`hornet policy check` reads no namespace): the slot then
	 * always holds, and the policy compiles as it will in the agent */
	ret = new_slot(c, sel, true, &slot);
	if (ret)
		return ret;
	c->out->cfg.ns_lookups |= 1U << HORNET_NS_USER;
	return add_int(c, HORNET_KEY_NS(HORNET_NS_USER), 0, host, slot);
}

/* One action of matchActions (or, @ret, of matchReturnActions) into @g. */
static int compile_action(struct cc *c, struct hornet_gen_act *g,
			  const struct hornet_match_action *a, const uint8_t *arg_spec,
			  const struct hornet_plan_hook *ph, bool ret)
{
	size_t j;

	memset(g, 0, sizeof(*g));
	switch (a->action) {
	case HORNET_ACTION_POST:
		g->action = HORNET_A_POST;
		g->rate_ns = a->rate_limit_ns;
		g->scope = a->scope;
		g->flags = (a->kernel_stack ? HORNET_ACT_KSTACK : 0) |
			   (a->user_stack ? HORNET_ACT_USTACK : 0);
		break;
	case HORNET_ACTION_NOPOST:
		g->action = HORNET_A_NOPOST;
		break;
	case HORNET_ACTION_SIGKILL:
		g->action = HORNET_A_SIGKILL;
		break;
	case HORNET_ACTION_SIGNAL:
		g->action = HORNET_A_SIGNAL;
		g->arg = a->arg_sig;
		break;
	case HORNET_ACTION_OVERRIDE:
		if (ret)
			return fail(c, -EOPNOTSUPP,
				    "matchReturnActions: Override changes a call before it runs; "
				    "at its return there is nothing left to override");
		g->action = HORNET_A_OVERRIDE;
		g->arg = a->arg_error;
		break;
	case HORNET_ACTION_TRACKSOCK:
	case HORNET_ACTION_UNTRACKSOCK:
		g->action = a->action == HORNET_ACTION_TRACKSOCK ? HORNET_A_TRACKSOCK
								 : HORNET_A_UNTRACKSOCK;
		g->arg_spec = 0xff;
		for (j = 0; j < ph->nr_args; j++)
			if (ph->args[j].arg->index == a->arg_sock)
				g->arg_spec = arg_spec[j];
		if (g->arg_spec == 0xff)
			return fail(c, -EINVAL, "%s: argSock %u is not among args[].index",
				    hornet_action_name(a->action), a->arg_sock);
		break;
	case HORNET_ACTION_GETURL:
		if (a->arg_url && strncmp(a->arg_url, "http://", 7))
			return fail(c, -EOPNOTSUPP,
				    "GetUrl '%s': only http:// URLs are fetched (no TLS)",
				    a->arg_url);
		g->action = HORNET_A_USER;
		break;
	case HORNET_ACTION_DNSLOOKUP:
	case HORNET_ACTION_FOLLOWFD:
	case HORNET_ACTION_UNFOLLOWFD:
	case HORNET_ACTION_COPYFD:
		g->action = HORNET_A_USER;
		break;
	case HORNET_ACTION_NOTIFY_ENFORCER:
	case HORNET_ACTION_CLEANUP_ENFORCER:
		/* the notification is the calling thread's: a cgroup program has none */
		if (ph->mech == HORNET_MECH_CGROUP_CONNECT ||
		    ph->mech == HORNET_MECH_CGROUP_SENDMSG)
			return fail(c, -EOPNOTSUPP,
				    "action %s: a cgroup hook runs for a socket, not for a "
				    "thread the enforcer could act on",
				    hornet_action_name(a->action));
		if (a->action == HORNET_ACTION_CLEANUP_ENFORCER) {
			g->action = HORNET_A_CLEANUP;
			break;
		}
		g->action = HORNET_A_NOTIFY;
		g->arg = a->arg_sig;
		g->value = (uint64_t)(int64_t)a->arg_error;
		break;
	case HORNET_ACTION_SET:
		/* which arguments a site keeps in memory: checked by plan_usdt() */
		if (ph->mech != HORNET_MECH_USDT)
			return fail(c, -EOPNOTSUPP,
				    "action Set: only USDT probes (spec.usdts) take it, as in "
				    "Tetragon");
		g->action = HORNET_A_SET;
		g->arg_spec = a->arg_index;
		g->value = (uint64_t)a->arg_value;
		c->out->cfg.usdt_set = 1;
		break;
	default:
		return fail(c, -EOPNOTSUPP, "action %s is not supported",
			    hornet_action_name(a->action));
	}
	return 0;
}

/*
 * matchActions, then matchReturnActions: a hook with a return runs once,
 * at the return, so both lists are taken there, in that order.
 */
static int compile_actions(struct cc *c, struct hornet_gen_sel *sel,
			   const struct hornet_selector *s, const uint8_t *arg_spec,
			   const struct hornet_plan_hook *ph)
{
	size_t i, n = s->nr_actions ? s->nr_actions : 1;
	int ret;

	if (n + s->nr_return_actions > HORNET_GEN_MAX_ACTIONS)
		return fail(c, -E2BIG,
			    "more than %d actions in matchActions (Post when empty) and "
			    "matchReturnActions together",
			    HORNET_GEN_MAX_ACTIONS);
	sel->nr_actions = n + s->nr_return_actions;
	if (!s->nr_actions) {
		memset(&sel->actions[0], 0, sizeof(sel->actions[0]));
		sel->actions[0].action = HORNET_A_POST;
	}
	for (i = 0; i < s->nr_actions; i++) {
		ret = compile_action(c, &sel->actions[i], &s->actions[i], arg_spec, ph, false);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_return_actions; i++) {
		ret = compile_action(c, &sel->actions[n + i], &s->return_actions[i], arg_spec, ph,
				     true);
		if (ret)
			return ret;
	}
	return 0;
}

static int compile_selector(struct cc *c, size_t ui, const struct hornet_selector *s, size_t si)
{
	const struct hornet_point_user *u = c->u;
	const struct hornet_plan_hook *ph = u->ph;
	const struct hornet_hook *h = ph->hook;
	struct hornet_point_config *o = c->out;
	const uint8_t *arg_spec = o->arg_spec[ui];
	struct hornet_gen_sel *sel;
	size_t i, j;
	int ret;

	if (o->cfg.nr_sels >= HORNET_GEN_MAX_SELS)
		return fail(c, -E2BIG,
			    "policy '%s': more than %d selectors on hook point %s, "
			    "all policies together",
			    u->policy->name, HORNET_GEN_MAX_SELS, ph->target);
	if (!GROW(o->sels, o->cfg.nr_sels))
		return -ENOMEM;
	sel = &o->sels[o->cfg.nr_sels++];
	memset(sel, 0, sizeof(*sel));
	sel->policy_id = u->policy_id;
	sel->hook_id = u->hook_id;
	sel->sel = si;
	sel->scope = u->scope;
	if (u->scope)
		o->cfg.scoped = 1;
	/* whether the scope holds the host does not depend on the pods */
	if (u->scope && hornet_policy_selects_host(u->policy))
		sel->flags |= HORNET_SEL_HOST;
	if (si == 0)
		sel->flags |= HORNET_SEL_FIRST;
	if (u->shadow_of)
		sel->flags |= HORNET_SEL_SHADOW;

	for (i = 0; i < s->nr_args; i++) {
		const struct hornet_match_arg *m = &s->args[i];
		size_t pos = (size_t)-1;

		if (m->op == HORNET_OP_CEL_EXPR) {
			ret = compile_cel(c, sel, m, arg_spec);
			if (ret)
				return ret;
			continue;
		}
		if (h->kind == HORNET_HOOK_TRACEPOINT || m->args_form) {
			/* a position in args[] */
			pos = m->index < h->nr_args ? m->index : (size_t)-1;
		} else {
			for (j = 0; j < h->nr_args; j++) {
				if (ph->args[j].arg->index == m->index) {
					pos = j;
					break;
				}
			}
		}
		if (pos == (size_t)-1)
			return fail(c, -EINVAL,
				    "selectors[%zu].matchArgs[%zu]: index %u is not an argument of "
				    "the hook",
				    si, i, m->index);
		ret = compile_match_arg(c, sel, arg_spec[pos], o->cfg.specs[arg_spec[pos]].type, m);
		if (ret)
			return ret;
	}
	/* matchData: the plan reads data[] after args[], in its own order */
	for (i = 0; i < s->nr_data_args; i++) {
		const struct hornet_match_arg *m = &s->data_args[i];
		size_t pos = h->nr_args + m->index;

		if (m->index >= h->nr_data || pos >= ph->nr_args)
			return fail(
				c, -EINVAL,
				"selectors[%zu].matchData[%zu]: index %u is not an entry of data[]",
				si, i, m->index);
		ret = compile_match_arg(c, sel, arg_spec[pos], o->cfg.specs[arg_spec[pos]].type, m);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_return_args; i++) {
		const struct hornet_match_arg *m = &s->return_args[i];

		if (!ph->has_ret)
			return fail(c, -EINVAL,
				    "selectors[%zu].matchReturnArgs: the hook has no returnArg",
				    si);
		/* a return value read as a file (returnArg type fd: the file it opened) is
		 * compared as its path: the real one, after symlinks and ".." */
		if (string_type(o->cfg.specs[o->ret_spec[ui]].type)) {
			ret = compile_match_arg(c, sel, o->ret_spec[ui],
						o->cfg.specs[o->ret_spec[ui]].type, m);
			if (ret)
				return ret;
			continue;
		}
		o->cfg.ret_spec = o->ret_spec[ui] + 1;
		ret = compile_match_arg(c, sel, HORNET_KEY_RET, HORNET_GT_INT, m);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_pids; i++) {
		ret = compile_pids(c, sel, &s->pids[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_binaries; i++) {
		ret = compile_binaries(c, sel, &s->binaries[i], HORNET_KEY_BINARY);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_parent_binaries; i++) {
		ret = compile_binaries(c, sel, &s->parent_binaries[i], HORNET_KEY_PARENT_BINARY);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_ns; i++) {
		ret = compile_ns(c, sel, &s->ns[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_caps; i++) {
		const struct hornet_match_caps *mc = &s->caps[i];
		unsigned int slot;

		ret = new_slot(c, sel, mc->op == HORNET_OP_NOT_IN, &slot);
		if (!ret)
			ret = add_filter(c, slot, HORNET_F_CAPS, 0, mc->type, mc->caps, 0);
		if (!ret && mc->is_namespace_capability)
			ret = add_not_host_userns(c, sel);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_ns_changes; i++) {
		const struct hornet_match_ns_changes *mn = &s->ns_changes[i];
		unsigned int slot;

		ret = new_slot(c, sel, mn->op == HORNET_OP_NOT_IN, &slot);
		if (!ret)
			ret = add_filter(c, slot, HORNET_F_NS_CHANGED, 0, 0, mn->ns_mask, 0);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->nr_cap_changes; i++) {
		const struct hornet_match_cap_changes *mc = &s->cap_changes[i];
		unsigned int slot;

		ret = new_slot(c, sel, mc->op == HORNET_OP_NOT_IN, &slot);
		if (!ret)
			ret = add_filter(c, slot, HORNET_F_CAPS_CHANGED, 0, mc->type, mc->caps, 0);
		if (!ret && mc->is_namespace_capability)
			ret = add_not_host_userns(c, sel);
		if (ret)
			return ret;
	}
	return compile_actions(c, sel, s, arg_spec, ph);
}

/* An LPM lookup returns the longest match only: each entry carries the bits
 * of every shorter entry it extends. */
static void close_prefixes(struct hornet_lpm_str_entry *e, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			if (i == j || e[j].key.prefixlen >= e[i].key.prefixlen ||
			    e[j].key.arg != e[i].key.arg)
				continue;
			if (memcmp(e[j].key.s, e[i].key.s, (e[j].key.prefixlen - 8) / 8))
				continue;
			for (k = 0; k < HORNET_GEN_WORDS; k++)
				e[i].bits.w[k] |= e[j].bits.w[k];
		}
	}
}

static void prefilter_set(uint64_t *words, uint32_t arg, const char *first, unsigned int k)
{
	uint64_t x = 0;
	uint32_t hash;

	memcpy(&x, first, k);
	hash = hornet_prefilter_hash(arg, x & hornet_prefilter_mask(k));
	words[hash / 64] |= 1ULL << (hash % 64);
}

/* The gate's bit of an Equal value: its length and last bytes. */
static void prefilter_eq_set(uint64_t *words, uint32_t arg, const char *s)
{
	unsigned int n = strlen(s), m = n < 8 ? n : 8;
	uint64_t x = 0;
	uint32_t hash;

	memcpy(&x, s + n - m, m);
	hash = hornet_prefilter_eq_hash(arg, n, x);
	words[hash / 64] |= 1ULL << (hash % 64);
}

/*
 * The string prefilter (hornet/generic.h): K is the shortest value's length
 * (at most 8) of Equal and Prefix values, and of Postfix values; a value
 * of 0 bytes matches every string and leaves that side without one.
 */
static int build_prefilter(struct hornet_point_config *o)
{
	unsigned int pre = 8, post = 8, n, i;
	size_t e;
	char last[8];

	for (e = 0; e < o->nr_str_eq; e++)
		if ((n = strlen(o->str_eq[e].key.s)) < pre)
			pre = n;
	for (e = 0; e < o->nr_str_prefix; e++)
		if ((n = (o->str_prefix[e].key.prefixlen - 8) / 8) < pre)
			pre = n;
	for (e = 0; e < o->nr_str_postfix; e++)
		if ((n = (o->str_postfix[e].key.prefixlen - 8) / 8) < post)
			post = n;
	if (!o->nr_str_eq && !o->nr_str_prefix)
		pre = 0;
	if (!o->nr_str_postfix)
		post = 0;
	o->cfg.prefilter_len = pre;
	o->cfg.postfilter_len = post;
	if (!pre && !post)
		return 0;
	o->prefilter = calloc(HORNET_PREFILTER_ALL_WORDS, sizeof(*o->prefilter));
	if (!o->prefilter)
		return -ENOMEM;
	for (e = 0; pre && e < o->nr_str_eq; e++)
		prefilter_eq_set(o->prefilter, o->str_eq[e].key.arg, o->str_eq[e].key.s);
	for (e = 0; pre && e < o->nr_str_eq; e++)
		prefilter_set(o->prefilter, o->str_eq[e].key.arg, o->str_eq[e].key.s, pre);
	for (e = 0; pre && e < o->nr_str_prefix; e++)
		prefilter_set(o->prefilter, o->str_prefix[e].key.arg, o->str_prefix[e].key.s, pre);
	/* a Postfix key is the value reversed: its last bytes, in order, again */
	for (e = 0; post && e < o->nr_str_postfix; e++) {
		for (i = 0; i < post; i++)
			last[i] = o->str_postfix[e].key.s[post - 1 - i];
		prefilter_set(o->prefilter, o->str_postfix[e].key.arg | HORNET_PREFILTER_POSTFIX,
			      last, post);
	}
	return 0;
}

/* Whether every selector needs a string slot of spec @arg to hold. */
static bool every_sel_needs(const struct hornet_point_config *o, unsigned int arg)
{
	uint32_t i, w;

	for (i = 0; i < o->cfg.nr_sels; i++) {
		bool found = false;

		for (w = 0; w < HORNET_GEN_WORDS && !found; w++) {
			uint64_t pos = o->sels[i].required.w[w] & ~o->cfg.neg[w];

			for (; pos && !found; pos &= pos - 1)
				found = o->slot_str[w * 64 + __builtin_ctzll(pos)] == arg + 1;
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * The gate (hornet/generic.h): a tracepoint's point whose every selector
 * needs one user string argument to equal, start or end with a value; the
 * prefilter on each side that has values (a side without one, an empty
 * value, lets every string through: no gate); the string compared as read
 * (no byte limit below the compared length, no pointers followed).
 */
static void build_gate(struct hornet_point_config *o)
{
	unsigned int a;

	if (!o->cfg.nr_sels || !o->prefilter ||
	    ((o->nr_str_eq || o->nr_str_prefix) && !o->cfg.prefilter_len) ||
	    (o->nr_str_postfix && !o->cfg.postfilter_len))
		return;
	for (a = 0; a < o->cfg.nr_specs && a < HORNET_GEN_MAX_SPECS; a++) {
		const struct hornet_gen_spec *sp = &o->cfg.specs[a];

		if (sp->src != HORNET_SRC_TP_FIELD || sp->field_size != 8 ||
		    sp->type != HORNET_GT_STRING || !(sp->flags & HORNET_SPEC_USER) ||
		    sp->nr_resolve || sp->resolve_add ||
		    (sp->max_data && sp->max_data < HORNET_GEN_STR))
			continue;
		if (every_sel_needs(o, a)) {
			o->cfg.gate_spec = a + 1;
			return;
		}
	}
}

/* Whether spec @sp is a record's integer field, read as the gate reads it. */
static bool gate_field(const struct hornet_gen_spec *sp)
{
	return sp->src == HORNET_SRC_TP_FIELD && sp->type == HORNET_GT_INT && !sp->nr_resolve &&
	       !sp->resolve_add &&
	       (sp->field_size == 1 || sp->field_size == 2 || sp->field_size == 4 ||
		sp->field_size == 8) &&
	       (sp->size == 1 || sp->size == 2 || sp->size == 4 || sp->size == 8);
}

/*
 * The integer gate's test of slot @s into @t: false when the slot is not
 * only the Equal values of one integer field (an arithmetic filter, a
 * pseudo argument, a network sub-key) or has more values of 64 or more
 * than a test holds.
 */
static bool gate_test_of(const struct hornet_point_config *o, unsigned int s,
			 struct hornet_gate_test *t)
{
	uint64_t bit = 1ULL << (s % 64), v;
	int spec = -1;
	size_t e;
	unsigned int j;

	memset(t, 0, sizeof(*t));
	for (e = 0; e < o->cfg.nr_filters; e++)
		if (o->filters[e].slot == s)
			return false;
	for (e = 0; e < o->nr_int_eq; e++) {
		const struct hornet_int_key *k = &o->int_eq[e].key;

		if (!(o->int_eq[e].bits.w[s / 64] & bit))
			continue;
		if (k->sub || k->arg >= o->cfg.nr_specs || k->arg >= HORNET_GEN_MAX_SPECS ||
		    (spec >= 0 && k->arg != spec))
			return false;
		if (spec < 0) {
			const struct hornet_gen_spec *sp = &o->cfg.specs[k->arg];

			if (!gate_field(sp))
				return false;
			spec = k->arg;
			t->off = sp->index;
			t->field_size = sp->field_size;
			t->size = sp->size;
		}
		v = k->value & hornet_prefilter_mask(t->field_size) &
		    hornet_prefilter_mask(t->size);
		if (v < 64) {
			t->small |= 1ULL << v;
			continue;
		}
		for (j = 0; j < t->nr_vals && t->vals[j] != v; j++)
			;
		if (j < t->nr_vals)
			continue;
		if (t->nr_vals == HORNET_GATE_VALS)
			return false;
		t->vals[t->nr_vals++] = v;
	}
	return spec >= 0;
}

/*
 * The integer gate (hornet/generic.h): each selector's tests are those of
 * its positive slots that are integer fields' Equal values; a selector
 * without one, or more distinct tests or selectors than the gate holds,
 * leaves the point without a gate. Selectors with the same tests are one.
 */
static void build_int_gate(struct hornet_point_config *o)
{
	struct hornet_gen_cfg *cfg = &o->cfg;
	struct hornet_gate_test t;
	unsigned int i, j, w, nt = 0, ns = 0;

	for (i = 0; i < cfg->nr_sels; i++) {
		uint8_t need = 0;

		for (w = 0; w < HORNET_GEN_WORDS; w++) {
			uint64_t pos = o->sels[i].required.w[w] & ~cfg->neg[w];

			for (; pos; pos &= pos - 1) {
				if (!gate_test_of(o, w * 64 + __builtin_ctzll(pos), &t))
					continue;
				for (j = 0; j < nt && memcmp(&cfg->gate_tests[j], &t, sizeof(t));
				     j++)
					;
				if (j == HORNET_GATE_TESTS)
					continue;
				if (j == nt)
					cfg->gate_tests[nt++] = t;
				need |= 1u << j;
			}
		}
		for (j = 0; j < ns && cfg->gate_sels[j] != need; j++)
			;
		if (!need || j == HORNET_GATE_TESTS)
			goto none;
		if (j == ns)
			cfg->gate_sels[ns++] = need;
	}
	cfg->nr_gate_tests = nt;
	cfg->nr_gate_sels = ns;
	return;
none:
	memset(cfg->gate_tests, 0, sizeof(cfg->gate_tests));
	memset(cfg->gate_sels, 0, sizeof(cfg->gate_sels));
}

static bool addr_within(const struct hornet_lpm_addr_key *outer,
			const struct hornet_lpm_addr_key *inner)
{
	unsigned int bits = outer->prefixlen - 24, i;

	if (outer->arg != inner->arg || outer->which != inner->which ||
	    outer->family != inner->family || outer->prefixlen > inner->prefixlen)
		return false;
	for (i = 0; i < bits; i++) {
		uint8_t m = 0x80 >> (i % 8);

		if ((outer->addr[i / 8] & m) != (inner->addr[i / 8] & m))
			return false;
	}
	return true;
}

static void close_addrs(struct hornet_addr_entry *e, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j && e[j].key.prefixlen < e[i].key.prefixlen &&
			    addr_within(&e[j].key, &e[i].key))
				for (k = 0; k < HORNET_GEN_WORDS; k++)
					e[i].bits.w[k] |= e[j].bits.w[k];
}

/* The selector's index slot: a positive one, a value map's if it has one
 * (an arithmetic filter's slot holds on more calls); -1 when it has none. */
static int index_slot(const struct hornet_point_config *o, const struct hornet_gen_sel *sel,
		      const struct hornet_bits *filtered)
{
	int first = -1;
	unsigned int w;

	for (w = 0; w < HORNET_GEN_WORDS; w++) {
		uint64_t pos = sel->required.w[w] & ~o->cfg.neg[w];
		uint64_t val = pos & ~filtered->w[w];

		if (val)
			return w * 64 + __builtin_ctzll(val);
		if (pos && first < 0)
			first = w * 64 + __builtin_ctzll(pos);
	}
	return first;
}

/*
 * Lists each selector under its index slot, or among the always-walked ones:
 * the kernel walks only the selectors under the slots that hold (so the cost
 * of a call follows the selectors that can match, not all of them), and
 * skips the walk when no selector can match.
 */
static int index_sels(struct hornet_point_config *o)
{
	struct hornet_bits filtered = {};
	uint32_t i;
	int slot;

	o->slot_sels = calloc(o->nr_slots ? o->nr_slots : 1, sizeof(*o->slot_sels));
	if (!o->slot_sels)
		return -ENOMEM;
	for (i = 0; i < o->cfg.nr_filters; i++)
		bit_set(&filtered, o->filters[i].slot);
	for (i = 0; i < o->cfg.nr_sels; i++) {
		struct hornet_sel_set *set = &o->cfg.always_sels;

		slot = index_slot(o, &o->sels[i], &filtered);
		if (slot >= 0) {
			set = &o->slot_sels[slot];
			o->cfg.index[slot / 64] |= 1ULL << (slot % 64);
		} else {
			o->cfg.always = 1;
		}
		set->w[i / 64] |= 1ULL << (i % 64);
		set->words |= 1ULL << (i / 64);
	}
	for (i = 0; i < HORNET_GEN_WORDS; i++)
		o->cfg.nr_index += __builtin_popcountll(o->cfg.index[i]);
	return 0;
}

/* The point's shadow pairs: each shadow with the policy it shadows, which
 * need not hook the point (then every call the shadow matches differs). */
static int shadow_pairs(struct cc *c, const struct hornet_point_user *users, size_t nr_users)
{
	struct hornet_gen_cfg *cfg = &c->out->cfg;
	size_t ui, p;

	for (ui = 0; ui < nr_users; ui++) {
		const struct hornet_point_user *u = &users[ui];

		if (!u->shadow_of)
			continue;
		for (p = 0; p < cfg->nr_shadows; p++)
			if (cfg->shadow_pol[p] == u->policy_id)
				break;
		if (p < cfg->nr_shadows)
			continue;
		snprintf(c->where, sizeof(c->where), "spec.%s[%u]",
			 hornet_hook_kind_name(u->ph->hook->kind), u->ph->hook->index);
		if (p == HORNET_GEN_MAX_SHADOWS)
			return fail(c, -E2BIG,
				    "policy '%s': more than %d shadowed policies on hook point %s",
				    u->name ? u->name : u->policy->name, HORNET_GEN_MAX_SHADOWS,
				    u->ph->target);
		cfg->shadow_base[p] = u->shadow_of;
		cfg->shadow_pol[p] = u->policy_id;
		cfg->nr_shadows++;
	}
	return 0;
}

int hornet_point_compile(const struct hornet_point_user *users, size_t nr_users,
			 struct hornet_point_config *out, char *err, size_t err_size)
{
	struct cc c = { .out = out, .err = err, .err_size = err_size };
	size_t ui, j, s;
	int ret = 0, k;

	memset(out, 0, sizeof(*out));
	out->nr_users = nr_users;
	out->arg_spec = calloc(nr_users ? nr_users : 1, sizeof(*out->arg_spec));
	out->ret_spec = calloc(nr_users ? nr_users : 1, sizeof(*out->ret_spec));
	if (!out->arg_spec || !out->ret_spec) {
		hornet_point_config_free(out);
		return -ENOMEM;
	}
	if (nr_users)
		out->nr_fn_args = users[0].ph->nr_fn_args;

	/* the union of every user's argument specs */
	for (ui = 0; ui < nr_users && !ret; ui++) {
		const struct hornet_plan_hook *ph = users[ui].ph;

		c.u = &users[ui];
		snprintf(c.where, sizeof(c.where), "spec.%s[%u]",
			 hornet_hook_kind_name(ph->hook->kind), ph->hook->index);
		for (j = 0; j < ph->nr_args; j++) {
			const struct hornet_gen_spec *sp = &ph->args[j].spec;
			uint16_t size_id = 0xffff, dirfd_id = 0xffff;

			if (sp->size_spec != 0xff && sp->size_spec < ph->nr_args)
				size_id = ph->args[sp->size_spec].spec.index;
			if ((sp->flags & HORNET_SPEC_FULLPATH) && sp->dirfd_arg != 0xff)
				dirfd_id = sp->dirfd_arg;
			k = spec_index(&c, sp, size_id, dirfd_id);
			if (k < 0) {
				ret = k;
				break;
			}
			out->arg_spec[ui][j] = k;
		}
		/* full paths read their dirfd: a spec of its own, hidden from the event */
		for (j = 0; j < ph->nr_args && !ret; j++) {
			struct hornet_gen_spec *sp = &out->cfg.specs[out->arg_spec[ui][j]];
			struct hornet_gen_spec d = {};

			if (!(sp->flags & HORNET_SPEC_FULLPATH) ||
			    ph->args[j].spec.dirfd_arg == 0xff)
				continue;
			d.src = sp->src;
			d.type = HORNET_GT_INT;
			d.flags = HORNET_SPEC_SIGNED;
			d.size = 4;
			d.size_spec = 0xff;
			d.dirfd_arg = 0xff;
			d.field_size = sp->field_size;
			/* syscall argument N: in the record at 16 + 8N, else argument N */
			d.index = sp->src == HORNET_SRC_TP_FIELD
					  ? 16 + 8 * ph->args[j].spec.dirfd_arg
					  : ph->args[j].spec.dirfd_arg;
			k = spec_index(&c, &d, 0xffff, 0xffff);
			if (k < 0) {
				ret = k;
				break;
			}
			out->cfg.specs[out->arg_spec[ui][j]].dirfd_arg = k;
		}
		/* char_buf sizes point at the union's index of their size argument */
		for (j = 0; j < ph->nr_args && !ret; j++)
			if (ph->args[j].spec.size_spec != 0xff)
				out->cfg.specs[out->arg_spec[ui][j]].size_spec =
					out->arg_spec[ui][ph->args[j].spec.size_spec];
		out->ret_spec[ui] = 0xff;
		if (!ret && ph->has_ret) {
			k = spec_index(&c, &ph->ret.spec, 0xffff, 0xffff);
			if (k < 0)
				ret = k;
			else
				out->ret_spec[ui] = k;
		}
	}
	for (ui = 0; ui < nr_users && !ret; ui++) {
		const struct hornet_hook *h = users[ui].ph->hook;

		c.u = &users[ui];
		c.follow_left = users[ui].follow_bits;
		/* the policy's earlier hooks own the lowest of its slots: each hook its own */
		for (j = 0; j < users[ui].ph->hook_index; j++)
			for (k = hornet_hook_follow_slots(&users[ui].policy->hooks[j]); k > 0; k--)
				c.follow_left &= c.follow_left - 1;
		for (s = 0; s < h->nr_selectors && !ret; s++) {
			snprintf(c.where, sizeof(c.where), "spec.%s[%u].selectors[%zu]",
				 hornet_hook_kind_name(h->kind), h->index, s);
			ret = compile_selector(&c, ui, &h->selectors[s], s);
		}
		/* no selectors: every call is posted */
		if (!ret && !h->nr_selectors) {
			struct hornet_selector empty = {};

			snprintf(c.where, sizeof(c.where), "spec.%s[%u]",
				 hornet_hook_kind_name(h->kind), h->index);
			ret = compile_selector(&c, ui, &empty, 0);
		}
	}
	if (!ret)
		ret = shadow_pairs(&c, users, nr_users);
	if (ret) {
		hornet_point_config_free(out);
		return ret;
	}
	ret = index_sels(out);
	if (ret) {
		hornet_point_config_free(out);
		return ret;
	}
	close_prefixes(out->str_prefix, out->nr_str_prefix);
	close_prefixes(out->str_postfix, out->nr_str_postfix);
	close_addrs(out->addr, out->nr_addr);
	ret = build_prefilter(out);
	if (ret) {
		hornet_point_config_free(out);
		return ret;
	}
	build_gate(out);
	build_int_gate(out);
	return 0;
}

void hornet_point_config_free(struct hornet_point_config *c)
{
	free(c->prefilter);
	free(c->arg_spec);
	free(c->ret_spec);
	free(c->str_eq);
	free(c->str_prefix);
	free(c->str_postfix);
	free(c->int_eq);
	free(c->addr);
	free(c->follow);
	free(c->sels);
	free(c->slot_sels);
	free(c->substr);
	free(c->cel);
	memset(c, 0, sizeof(*c));
}

unsigned int hornet_hook_follow_slots(const struct hornet_hook *h)
{
	unsigned int n = 0;
	size_t s, i;

	for (s = 0; s < h->nr_selectors; s++) {
		for (i = 0; i < h->selectors[s].nr_binaries; i++)
			n += h->selectors[s].binaries[i].follow_children;
		for (i = 0; i < h->selectors[s].nr_parent_binaries; i++)
			n += h->selectors[s].parent_binaries[i].follow_children;
		for (i = 0; i < h->selectors[s].nr_pids; i++)
			n += h->selectors[s].pids[i].follow_forks &&
			     !h->selectors[s].pids[i].is_namespace_pid;
	}
	return n;
}
