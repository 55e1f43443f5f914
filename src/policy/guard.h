/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a policy's kill, signal or override must not be aimed at: pid 1 of
 * the initial PID namespace (its death panics the kernel) and the agent
 * itself (its death ends every policy). The kernel side never signals
 * either (bpf/lib/gen_select.bpf.h, gen_pipeline.bpf.h); this refuses at
 * load a selector that could match nothing else, so its author learns at
 * once that it would do nothing, or harm.
 */
#ifndef HORNET_POLICY_GUARD_H
#define HORNET_POLICY_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

struct hornet_guard {
	uint32_t self_pid; /* the agent, as matchPIDs names it */
	const char *self_exe; /* the agent's binary as matchBinaries names it; NULL unknown */
	const char *init_exe; /* pid 1's binary; NULL unknown */
};

/* Fills @g for this process (the strings are static buffers). */
void hornet_guard_init(struct hornet_guard *g);

/*
 * 0, or -EPERM with @err naming the hook, the selector, the filter and why:
 *   spec.kprobes[0] 'sys_getpid': selectors[1]: matchPIDs In [1]: a Sigkill
 *   aimed only at pid 1 (init: ...) or at the agent itself (...) is refused
 */
int hornet_guard_check(const struct hornet_policy *p, const struct hornet_guard *g, char *err,
		       size_t err_size);

#endif
