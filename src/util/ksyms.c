// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ksyms.h"

struct ksym {
	uint64_t addr;
	char *name;
};

struct hornet_ksyms {
	struct ksym *syms;
	size_t n;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct hornet_ksyms *hornet_ksyms__load(void)
{
	struct hornet_ksyms *k = calloc(1, sizeof(*k));
	char line[512], name[256], type;
	size_t cap = 0;
	uint64_t addr;
	FILE *f;

	if (!k)
		return NULL;
	f = fopen("/proc/kallsyms", "re");
	if (!f) {
		free(k);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (type != 't' && type != 'T' && type != 'W' && type != 'w')
			continue;
		if (k->n == cap) {
			struct ksym *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(k->syms, cap * sizeof(*n));
			if (!n)
				break;
			k->syms = n;
		}
		k->syms[k->n].addr = addr;
		k->syms[k->n].name = strdup(name);
		if (k->syms[k->n].name)
			k->n++;
	}
	fclose(f);
	qsort(k->syms, k->n, sizeof(*k->syms), cmp_addr);
	return k;
}

void hornet_ksyms__free(struct hornet_ksyms *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n; i++)
		free(k->syms[i].name);
	free(k->syms);
	free(k);
}

const char *hornet_ksyms__find(const struct hornet_ksyms *k, uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = k ? k->n : 0, mid;

	/* the last symbol at or below addr */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	*offset = addr - k->syms[lo - 1].addr;
	return k->syms[lo - 1].name;
}

int hornet_user_addr(pid_t pid, uint64_t addr, char *module, size_t size, uint64_t *offset)
{
	char path[64], line[4352];
	uint64_t start, end, off;
	int ret = -ENOENT, n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*s %n", &start, &end,
			   &off, &n) < 3)
			continue;
		if (addr < start || addr >= end)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(module, size, "%s", line + n);
		*offset = addr - start + off;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}
