/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of policies' DNSName and NotDNSName operators: checked, and
 * hashed as the network sensor hashes the names of DNS answers
 * (bpf/net.bpf.c, include/hornet/net.h). A value is a name
 * ("api.example.test"), a wildcard over the names below a suffix
 * ("*.example.test": any number of labels before it, at least one), or "*"
 * (any name an answer gave: NotDNSName "*" is "no answer named this
 * address"). Case does not count; a trailing dot is allowed.
 */
#ifndef HORNET_NET_DNSNAME_H
#define HORNET_NET_DNSNAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * The hash's key: the agent makes one at start and gives it to the network
 * sensor; policies compiled after that hash their values with it. Until
 * then it is 0 (policy check, tests).
 */
extern uint64_t hornet_dns_seed;

uint64_t hornet_dns_seed_new(void);

/* 0, or -EINVAL with why @value is not a name or pattern in @why. */
int hornet_dns_pattern_check(const char *value, char *why, size_t why_size);

/* The hash of a value hornet_dns_pattern_check() accepted, under @seed. */
uint64_t hornet_dns_pattern_hash(uint64_t seed, const char *value);

#endif
