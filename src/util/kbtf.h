/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's BTF (/sys/kernel/btf/vmlinux), parsed once for all who use
 * it at the same time. A parse costs 60 ms of CPU and 11 MB here (much more
 * on a busy or emulated machine); the start used to parse it for the feature
 * probes, the generic sensor's cut and the policy planner, one after another.
 * Whoever holds a reference shares the one parse; the last put frees it.
 */
#ifndef HORNET_UTIL_KBTF_H
#define HORNET_UTIL_KBTF_H

#include <stdbool.h>

struct btf;

/* The kernel's BTF, parsed at the first get; NULL (errno set) when there is none. */
struct btf *hornet_kbtf_get(void);
/*
 * Gives back a reference taken by hornet_kbtf_get(); frees the parse after
 * the last. Any other struct btf (or NULL) is freed as btf__free() would.
 */
void hornet_kbtf_put(struct btf *btf);
/*
 * While kept, the parse stays after the last put, for the next get; it is
 * still made by the first get, not here (a parse cannot be interrupted, and
 * a stop should not wait for one nobody asked for yet). Unkept, it is freed
 * when no one holds it.
 */
void hornet_kbtf_keep(bool keep);
/*
 * When *@stop becomes nonzero, a get waiting for the parse gives up at once
 * (NULL, errno ECANCELED); the parse ends on its thread and is dropped. NULL
 * (the default) waits.
 */
void hornet_kbtf_stop_on(const int *stop);

#endif /* HORNET_UTIL_KBTF_H */
