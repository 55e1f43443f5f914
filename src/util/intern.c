// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "util/intern.h"

struct istr {
	UT_hash_handle hh;
	unsigned int refs;
	char s[];
};

static struct istr *table;

static struct istr *istr_of(const char *s)
{
	return (struct istr *)(s - offsetof(struct istr, s));
}

const char *hornet_intern(const char *s, size_t n)
{
	struct istr *e;

	HASH_FIND(hh, table, s, n, e);
	if (e && e->hh.keylen == n) {
		e->refs++;
		return e->s;
	}
	e = malloc(sizeof(*e) + n + 1);
	if (!e)
		return NULL;
	e->refs = 1;
	memcpy(e->s, s, n);
	e->s[n] = '\0';
	HASH_ADD_KEYPTR(hh, table, e->s, n, e);
	return e->s;
}

const char *hornet_intern_get(const char *s)
{
	if (s)
		istr_of(s)->refs++;
	return s;
}

void hornet_intern_put(const char *s)
{
	struct istr *e;

	if (!s)
		return;
	e = istr_of(s);
	if (--e->refs)
		return;
	HASH_DEL(table, e);
	free(e);
}

size_t hornet_intern_count(void)
{
	return HASH_COUNT(table);
}
