/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers share. The protocol parsers see messages cut short by the
 * capture limit, so their fuzzers feed every prefix of an input that parses
 * and check that the cut never turns the message into something else.
 */
#ifndef HORNET_TESTS_FUZZ_H
#define HORNET_TESTS_FUZZ_H

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* unused by the fuzzers that read no file */
static char fuzz_file_path[] __attribute__((unused)) = "/tmp/hornet-fuzz-XXXXXX";

static inline void fuzz_file_remove(void)
{
	unlink(fuzz_file_path);
}

/*
 * Writes @data to a temporary file, made at the first call and removed at
 * exit, for the parsers that read a file; returns its path.
 */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int ready;
	int fd;

	if (!ready) {
		fd = mkstemp(fuzz_file_path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(fuzz_file_remove);
		ready = 1;
	}
	fd = open(fuzz_file_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	return fuzz_file_path;
}

#endif
