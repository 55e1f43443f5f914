// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <string.h>

#include "util/suggest.h"

#define MAX_WORD 64

/* Levenshtein distance, in two rows of at most MAX_WORD + 1 cells. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, k;
	size_t prev[MAX_WORD + 1], cur[MAX_WORD + 1];

	if (la > MAX_WORD || lb > MAX_WORD)
		return (size_t)-1;
	for (k = 0; k <= lb; k++)
		prev[k] = k;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (k = 1; k <= lb; k++) {
			size_t sub = prev[k - 1] + (tolower((unsigned char)a[i - 1]) !=
						    tolower((unsigned char)b[k - 1]));
			size_t del = prev[k] + 1, ins = cur[k - 1] + 1;

			cur[k] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

const char *hornet_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, d, limit;

	for (; *candidates; candidates++) {
		d = distance(word, *candidates);
		if (d < best_d) {
			best_d = d;
			best = *candidates;
		}
	}
	/* a third of the word's length, at least 1 and at most 3 edits */
	limit = strlen(word) / 3;
	limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
	return best_d <= limit ? best : NULL;
}
