// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "util/skel.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool bounded;

static void decide(void)
{
	const char *force = getenv("HORNET_BOUNDED_LOOPS");

	if (force && !strcmp(force, "1")) {
		bounded = true;
		return;
	}
	/* 1: the helper is there; 0: it is not; <0: the probe itself failed,
	 * and the load that follows will say why better than a guess here.
	 * The probe prints nothing through libbpf's print function, which
	 * other threads may be changing meanwhile. */
	bounded = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, NULL) == 0;
}

bool hornet_skel_bounded(void)
{
	pthread_once(&once, decide);
	return bounded;
}

const void *hornet_skel_elf(const void *(*main)(size_t *sz), const void *(*bounded_elf)(size_t *sz),
			    size_t *sz)
{
	return hornet_skel_bounded() ? bounded_elf(sz) : main(sz);
}
