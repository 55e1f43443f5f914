// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <hornet/net.h>

#include "net/dnsname.h"

uint64_t hornet_dns_seed;

uint64_t hornet_dns_seed_new(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	/* no entropy yet at early boot: the clock is a key no policy knows */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
}

/* The steps of dns_mix() and dns_fin() in bpf/net.bpf.c: they must agree. */
static uint64_t mix(uint64_t h, unsigned char c)
{
	h ^= c;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static uint64_t fin(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* @v without a trailing dot and "*.": the part that is hashed */
static size_t body(const char *v, const char **start)
{
	size_t n = strlen(v);

	if (n > 1 && v[n - 1] == '.')
		n--;
	*start = v;
	if (n >= 2 && v[0] == '*' && v[1] == '.') {
		/* the suffix with its dot: ".example.test" */
		*start = v + 1;
		n--;
	}
	return n;
}

int hornet_dns_pattern_check(const char *value, char *why, size_t why_size)
{
	const char *b;
	size_t n, i, label = 0, labels = 1;

	if (!strcmp(value, "*"))
		return 0;
	n = body(value, &b);
	if (b != value)
		b++, n--; /* the labels after "*." */
	if (!n) {
		snprintf(why, why_size, "'%s' is not a DNS name: it is empty", value);
		return -EINVAL;
	}
	if (n > 253) {
		snprintf(why, why_size, "'%.40s...' is not a DNS name: longer than 253 bytes",
			 value);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = b[i];

		if (c == '.') {
			if (!label) {
				snprintf(why, why_size, "'%s' is not a DNS name: an empty label",
					 value);
				return -EINVAL;
			}
			label = 0;
			labels++;
			continue;
		}
		if (c == '*') {
			snprintf(why, why_size,
				 "'%s': a wildcard is '*' alone or '*.' before a name, as in "
				 "'*.example.com'",
				 value);
			return -EINVAL;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_')) {
			snprintf(why, why_size,
				 "'%s' is not a DNS name: byte 0x%02x at %zu (letters, digits, '-' "
				 "and '_' only)",
				 value, c, (size_t)(b - value) + i);
			return -EINVAL;
		}
		if (++label > 63) {
			snprintf(why, why_size,
				 "'%s' is not a DNS name: a label longer than 63 bytes", value);
			return -EINVAL;
		}
	}
	if (!label) {
		snprintf(why, why_size, "'%s' is not a DNS name: an empty label", value);
		return -EINVAL;
	}
	if (b != value && labels > HORNET_DNS_SUFFIX_LABELS) {
		snprintf(why, why_size,
			 "'%s': a wildcard's name may have at most %d labels (the kernel keeps "
			 "the %d shortest suffixes of each name)",
			 value, HORNET_DNS_SUFFIX_LABELS, HORNET_DNS_SUFFIX_LABELS);
		return -EINVAL;
	}
	return 0;
}

uint64_t hornet_dns_pattern_hash(uint64_t seed, const char *value)
{
	const char *b;
	uint64_t h = seed;
	size_t n;

	if (!strcmp(value, "*"))
		return fin(h);
	n = body(value, &b);
	/* from the end, as the kernel reads a name */
	while (n--) {
		unsigned char c = b[n];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = mix(h, c);
	}
	return fin(h);
}
