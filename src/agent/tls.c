// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tls.h"
#include "net/dnsname.h"
#include "policy/scope.h"

struct rule {
	char key[HORNET_PM_MAX_NAME + 16];
	const char *policy;
	const struct hornet_tls_rule *r;
	uint32_t scope;
	bool host, reset;
};

struct gather {
	struct rule rules[HORNET_TLS_RULES];
	unsigned int n;
	unsigned int dropped; /* past HORNET_TLS_RULES */
	const char *first_dropped;
};

static int gather_one(const struct hornet_policy *p, uint32_t scope, bool monitor, void *ctx)
{
	struct gather *g = ctx;

	for (size_t i = 0; i < p->nr_tls; i++) {
		struct rule *r;

		if (g->n == HORNET_TLS_RULES) {
			if (!g->dropped++)
				g->first_dropped = p->name;
			continue;
		}
		r = &g->rules[g->n++];
		snprintf(r->key, sizeof(r->key), "%s/%zu", p->name, i);
		r->policy = p->name;
		r->r = &p->tls[i];
		r->scope = scope;
		r->host = scope && hornet_policy_selects_host(p);
		/* monitor mode: the rule reports what it would reset */
		r->reset = !p->tls[i].post_only && !monitor;
	}
	return 0;
}

/* The entry of @hash in @out, added if new; NULL when the map is full. */
static struct hornet_tls_bits *entry(struct hornet_tls_rule_set *out, uint64_t hash)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->hash[i] == hash)
			return &out->bits[i];
	if (out->n == HORNET_TLS_NAMES)
		return NULL;
	out->hash[out->n] = hash;
	memset(&out->bits[out->n], 0, sizeof(out->bits[0]));
	return &out->bits[out->n++];
}

int hornet_tls_rules_build(const struct hornet_pm *pm, struct hornet_tls_slots *slots,
			   struct hornet_tls_rule_set *out, char *err, size_t err_size)
{
	struct gather g = { 0 };
	unsigned int i, b, slot[HORNET_TLS_RULES], names_lost = 0;
	bool taken[HORNET_TLS_RULES] = { false };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	hornet_pm__each_tls(pm, gather_one, &g);
	/* a rule keeps its number; the new ones take the numbers left free */
	for (i = 0; i < g.n; i++) {
		slot[i] = HORNET_TLS_RULES;
		for (b = 0; b < HORNET_TLS_RULES; b++)
			if (!taken[b] && !strcmp(slots->key[b], g.rules[i].key)) {
				slot[i] = b;
				taken[b] = true;
				break;
			}
	}
	for (i = 0; i < g.n; i++) {
		if (slot[i] != HORNET_TLS_RULES)
			continue;
		for (b = 0; b < HORNET_TLS_RULES && taken[b]; b++)
			;
		slot[i] = b;
		taken[b] = true;
	}
	for (b = 0; b < HORNET_TLS_RULES; b++)
		if (!taken[b])
			slots->key[b][0] = '\0';
	if (g.n) {
		out->hash = calloc(HORNET_TLS_NAMES, sizeof(*out->hash));
		out->bits = calloc(HORNET_TLS_NAMES, sizeof(*out->bits));
		if (!out->hash || !out->bits) {
			hornet_tls_rule_set_free(out);
			return -ENOMEM;
		}
	}
	for (i = 0; i < g.n; i++) {
		const struct rule *r = &g.rules[i];
		uint64_t bit = 1ULL << slot[i];

		snprintf(slots->key[slot[i]], sizeof(slots->key[0]), "%s", r->key);
		snprintf(out->policy[slot[i]], sizeof(out->policy[0]), "%s", r->policy);
		out->cfg.rules |= bit;
		if (r->r->not_in)
			out->cfg.not_in |= bit;
		if (r->reset)
			out->cfg.reset |= bit;
		if (r->scope) {
			out->cfg.scoped |= bit;
			out->cfg.scope[slot[i]] = r->scope;
			if (r->host)
				out->cfg.host |= bit;
		}
		for (size_t k = 0; k < r->r->nr_names; k++) {
			struct hornet_tls_bits *e = entry(
				out, hornet_dns_pattern_hash(hornet_dns_seed, r->r->names[k]));

			if (!e)
				names_lost++;
			else if (r->r->not_in)
				e->not_in |= bit;
			else
				e->in |= bit;
		}
	}
	if (g.dropped) {
		snprintf(err, err_size,
			 "spec.tlsServerNames: %u rules past the %d the kernel holds, from policy "
			 "'%s' on, are not applied",
			 g.dropped, HORNET_TLS_RULES, g.first_dropped);
		ret = -E2BIG;
	} else if (names_lost) {
		snprintf(err, err_size,
			 "spec.tlsServerNames: %u names past the %d the kernel holds are not "
			 "applied",
			 names_lost, HORNET_TLS_NAMES);
		ret = -E2BIG;
	}
	return ret;
}

static uint64_t sign_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static int sign_one(const struct hornet_policy *p, uint32_t scope, bool monitor, void *ctx)
{
	uint64_t *h = ctx;

	*h = sign_str(*h, p->name);
	*h = (*h ^ ((uint64_t)scope << 1 | monitor)) * 0x100000001b3ULL;
	for (size_t i = 0; i < p->nr_tls; i++) {
		*h = (*h ^ (p->tls[i].not_in << 1 | p->tls[i].post_only)) * 0x100000001b3ULL;
		for (size_t k = 0; k < p->tls[i].nr_names; k++)
			*h = sign_str(*h, p->tls[i].names[k]);
	}
	return 0;
}

uint64_t hornet_tls_rules_signature(const struct hornet_pm *pm)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	hornet_pm__each_tls(pm, sign_one, &h);
	return h;
}

void hornet_tls_rule_set_free(struct hornet_tls_rule_set *r)
{
	free(r->hash);
	free(r->bits);
	r->hash = NULL;
	r->bits = NULL;
	r->n = 0;
}
