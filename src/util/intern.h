/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interned strings: one shared, reference-counted copy of each distinct
 * string. Process entries hold binaries, working directories, arguments and
 * cgroup paths this way, because the same few values repeat across
 * thousands of processes (every clone copies its parent's). Not thread-safe:
 * the agent's event loop is the only user.
 */
#ifndef HORNET_UTIL_INTERN_H
#define HORNET_UTIL_INTERN_H

#include <stddef.h>

/* A shared copy of @n bytes of @s (NUL-terminated); NULL if out of memory. */
const char *hornet_intern(const char *s, size_t n);
/* Another reference to an interned string (NULL is passed through). */
const char *hornet_intern_get(const char *s);
/* Drops a reference (NULL is ignored); the copy goes with the last one. */
void hornet_intern_put(const char *s);
/* Distinct strings held now. */
size_t hornet_intern_count(void);

#endif
