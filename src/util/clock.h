/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A clock read in nanoseconds, and the monotonic clock in milliseconds: what
 * the modules time deadlines, retries and phases with.
 */
#ifndef HORNET_UTIL_CLOCK_H
#define HORNET_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t hornet_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t hornet_mono_ms(void)
{
	return hornet_clock_ns(CLOCK_MONOTONIC) / 1000000;
}

#endif /* HORNET_UTIL_CLOCK_H */
