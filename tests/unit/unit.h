/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit-test harness. Each test binary prints one line per check
 * group, "PASS name", "FAIL name: why" or "SKIP name: why", which tests/run
 * counts, and exits 1 when anything failed.
 */
#ifndef HORNET_TESTS_UNIT_H
#define HORNET_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static int unit_failed;
static int unit_case_failed;
static const char *unit_case;

#define UNIT_CASE(name)                                           \
	for (unit_case = (name), unit_case_failed = 0; unit_case; \
	     unit_case_failed ? 0 : printf("PASS %s\n", unit_case), unit_case = NULL)

#define UNIT_FAIL(fmt, ...)                                                                        \
	do {                                                                                       \
		printf("FAIL %s: %s:%d: " fmt "\n", unit_case, __FILE__, __LINE__, ##__VA_ARGS__); \
		unit_case_failed = 1;                                                              \
		unit_failed = 1;                                                                   \
	} while (0)

#define CHECK(cond)                             \
	do {                                    \
		if (!(cond))                    \
			UNIT_FAIL("%s", #cond); \
	} while (0)

#define CHECK_STR(got, want)                                                           \
	do {                                                                           \
		const char *g_ = (got), *w_ = (want);                                  \
		if (!g_ || !w_ || strcmp(g_, w_))                                      \
			UNIT_FAIL("%s: got '%s', want '%s'", #got, g_ ? g_ : "(null)", \
				  w_ ? w_ : "(null)");                                 \
	} while (0)

#define CHECK_INT(got, want)                                                \
	do {                                                                \
		long long g_ = (long long)(got), w_ = (long long)(want);    \
		if (g_ != w_)                                               \
			UNIT_FAIL("%s: got %lld, want %lld", #got, g_, w_); \
	} while (0)

#define UNIT_SKIP(name, why) printf("SKIP %s: %s\n", (name), (why))

#define UNIT_EXIT() return unit_failed ? 1 : 0

#endif
