/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the network sensor and the policy engine share, both maps the
 * agent creates: the addresses DNS answers named, per network namespace
 * (struct hornet_dns_addr), which the network sensor learns from the
 * answers it sees (bpf/net.bpf.c) and policies' DNSName operators read
 * (gen_match.bpf.h); and the workload scopes of container cgroups.
 */
#ifndef HORNET_DNS_BPF_H
#define HORNET_DNS_BPF_H

#include <hornet/net.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HORNET_DNS_ADDRS);
	__type(key, struct hornet_dns_addr_key);
	__type(value, struct hornet_dns_addr);
} hornet_dns_addrs SEC(".maps");

/* container cgroup id -> the workload scopes it is in; any other cgroup
 * is the host's (agent/scope.c fills it; policies' selectors and TLS rules
 * read it) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HORNET_SCOPE_CGROUPS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct hornet_scope_bits);
} hornet_scope_cg SEC(".maps");

#endif
