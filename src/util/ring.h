/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of one BPF ring buffer that looks at a record before taking it,
 * so that the agent can read two rings in the order of their records' times
 * and stop after a number of records: libbpf 1.1's ring_buffer__consume()
 * reads a ring until it stays empty (under a flood, never) and has no way
 * to look without consuming. The protocol is the kernel's
 * (kernel/bpf/ringbuf.c): a consumer page the reader writes, a producer
 * page and the data pages, mapped twice in a row so that a record that
 * wraps around reads as one.
 */
#ifndef HORNET_UTIL_RING_H
#define HORNET_UTIL_RING_H

#include <stdint.h>

struct hornet_ring;

/* Maps the ring buffer @map_fd; NULL with errno set on failure. */
struct hornet_ring *hornet_ring__new(int map_fd);
void hornet_ring__free(struct hornet_ring *r);

/*
 * The oldest committed record, its length in @size, or NULL when there is
 * none yet (empty, or the oldest is still being written). Discarded records
 * are stepped over. The record stays in the ring until hornet_ring__next().
 */
const void *hornet_ring__peek(struct hornet_ring *r, uint32_t *size);
/* Gives the record hornet_ring__peek() returned back to the kernel. */
void hornet_ring__next(struct hornet_ring *r);

#endif
