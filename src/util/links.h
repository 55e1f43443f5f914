/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detaching many BPF links at once. Closing a tracepoint's perf event waits
 * for an RCU grace period in close() (30-70 ms here): one link after another,
 * the default pack's 40 took 2 s to stop. On threads of their own the waits
 * overlap, and the whole set takes about one grace period.
 */
#ifndef HORNET_UTIL_LINKS_H
#define HORNET_UTIL_LINKS_H

#include <stddef.h>

struct bpf_link;

/*
 * Destroys the @n links of @links (NULL entries are skipped) and sets each
 * entry to NULL; returns once every one is detached. Falls back to one after
 * another when no thread can be started.
 */
void hornet_links_destroy(struct bpf_link **links, size_t n);

#endif /* HORNET_UTIL_LINKS_H */
