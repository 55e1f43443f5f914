/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C tests share: an independent reference for UTF-8 (decode each
 * sequence into its code point and check the range, rather than the lead-byte
 * table the code under test uses), a byte printer for failure messages and a
 * replayable random number generator. The unit tests and the fuzzers link
 * tests/unit/support.c.
 */
#ifndef HORNET_TESTS_SUPPORT_H
#define HORNET_TESTS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FFFD "\xef\xbf\xbd"

/* Length of the valid UTF-8 sequence at @s (of @n bytes), or 0. */
size_t ref_utf8_len(const unsigned char *s, size_t n);
/*
 * Writes @in to @out (room for 3 * @n bytes) with every byte that starts no
 * valid sequence replaced by U+FFFD; returns the length written.
 */
size_t ref_utf8_repair(const unsigned char *in, size_t n, char *out);
/* Is the string @s valid UTF-8 without control bytes (below 0x20, 0x7f)? */
bool ref_utf8_printable(const char *s);

/* Prints "    @what (n): "..."" with C escapes, for failure messages. */
void unit_print_bytes(const char *what, const void *p, size_t n);

/* xorshift64*: deterministic, so that a failure can be replayed. */
void unit_rng_seed(uint64_t seed);
uint64_t unit_rng(void);

#endif
