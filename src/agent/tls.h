/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spec.tlsServerNames of the enabled policies, gathered into the rules the
 * network sensor's kernel side judges ClientHellos by (include/hornet/net.h).
 * Each rule keeps its number while its policy keeps it at the same place, so
 * a change elsewhere never leaves it out for an instant.
 */
#ifndef HORNET_AGENT_TLS_H
#define HORNET_AGENT_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "agent/policies.h"
#include "sensors/net.h"

/* which rule each number holds: "policy/index", empty when free */
struct hornet_tls_slots {
	char key[HORNET_TLS_RULES][HORNET_PM_MAX_NAME + 16];
};

/*
 * Builds @out (freed with hornet_tls_rule_set_free()) from @pm's policies,
 * numbering the rules by @slots, which it updates. Returns 0, or -E2BIG
 * with @err saying which rules or names did not fit (the others are in
 * @out), or -ENOMEM.
 */
int hornet_tls_rules_build(const struct hornet_pm *pm, struct hornet_tls_slots *slots,
			   struct hornet_tls_rule_set *out, char *err, size_t err_size);

/*
 * A hash of what the rules are built from (each policy with rules: its name,
 * scope, mode and rules): a rebuild is due when it changes.
 */
uint64_t hornet_tls_rules_signature(const struct hornet_pm *pm);

void hornet_tls_rule_set_free(struct hornet_tls_rule_set *r);

#endif
