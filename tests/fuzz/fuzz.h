/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers share. The protocol parsers see messages cut short by the
 * capture limit, so their fuzzers feed every prefix of an input that parses
 * and check that the cut never turns the message into something else.
 */
#ifndef HORNET_TESTS_FUZZ_H
#define HORNET_TESTS_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Inputs up to this size are cut at every byte, longer ones at FUZZ_CUTS places. */
#define FUZZ_CUT_ALL 96
#define FUZZ_CUTS 24

/*
 * Calls @fn(@ctx, prefix, length) for the prefixes of @data shorter than
 * @size, shortest first. Each prefix is a copy of its exact length, so that
 * ASan reports a read past the cut as the capture limit would make it.
 */
static inline void fuzz_each_cut(const uint8_t *data, size_t size,
				 void (*fn)(void *ctx, const uint8_t *p, size_t n), void *ctx)
{
	size_t cut, step = size <= FUZZ_CUT_ALL ? 1 : size / FUZZ_CUTS;
	uint8_t *copy;

	for (cut = 0; cut < size; cut += step) {
		copy = malloc(cut ? cut : 1);
		if (!copy)
			abort();
		memcpy(copy, data, cut);
		fn(ctx, copy, cut);
		free(copy);
	}
}

#endif
