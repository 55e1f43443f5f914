/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's own kernel state: the ring buffer and the maps that several
 * BPF objects share (sensors/shared.h), created here before any sensor
 * loads, and read here for the agent's status.
 */
#ifndef HORNET_AGENT_CORE_H
#define HORNET_AGENT_CORE_H

#include <stdint.h>

#include "sensors/shared.h"

/* Creates the maps, with a ring buffer of @ringbuf_size bytes (a power of
 * two). Returns 0 or -errno; on error nothing is left open. */
int hornet_core_maps_create(struct hornet_shared_maps *maps, uint64_t ringbuf_size);
/* Closes what hornet_core_maps_create() opened, even when it failed. */
void hornet_core_maps_close(struct hornet_shared_maps *maps);

/* Sums the kernel's per-CPU loss counters into @out[HORNET_STAT_COUNT]. */
int hornet_core_stats(const struct hornet_shared_maps *maps, uint64_t *out);
/* Entries in the kernel's process table (walks the map: for status only). */
long hornet_core_table_size(const struct hornet_shared_maps *maps);

#endif
