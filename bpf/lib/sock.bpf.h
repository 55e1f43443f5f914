/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A socket's addresses and state, read through bpf_probe_read_kernel() (CO-RE):
 * for programs that hold a struct sock pointer without BTF type information
 * (kprobes, raw tracepoints, pointers found by walking kernel structures).
 */
#ifndef HORNET_SOCK_BPF_H
#define HORNET_SOCK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <hornet/generic.h>

static __always_inline void hornet_read_sock(struct hornet_sock_data *sd, const struct sock *sk)
{
	const struct sock_common *skc = (const void *)sk;

	sd->family = BPF_CORE_READ(skc, skc_family);
	sd->state = BPF_CORE_READ(skc, skc_state);
	sd->type = BPF_CORE_READ(sk, sk_type);
	sd->protocol = BPF_CORE_READ(sk, sk_protocol);
	sd->sport = BPF_CORE_READ(skc, skc_num);
	sd->dport = bpf_ntohs(BPF_CORE_READ(skc, skc_dport));
	if (sd->family == 10 /* AF_INET6 */) {
		BPF_CORE_READ_INTO(&sd->saddr, skc, skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&sd->daddr, skc, skc_v6_daddr.in6_u.u6_addr8);
	} else {
		BPF_CORE_READ_INTO((__u32 *)sd->saddr, skc, skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)sd->daddr, skc, skc_daddr);
	}
	sd->cookie = BPF_CORE_READ(skc, skc_cookie.counter);
}

#endif /* HORNET_SOCK_BPF_H */
