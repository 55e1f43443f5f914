/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_UTIL_SUGGEST_H
#define HORNET_UTIL_SUGGEST_H

#include <stddef.h>

/*
 * The candidate closest to @word by edit distance (case-insensitive), or
 * NULL when none is close enough to be a likely typo. @candidates ends with
 * NULL.
 */
const char *hornet_suggest(const char *word, const char *const *candidates);

#endif
