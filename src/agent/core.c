// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <hornet/events.h>
#include <hornet/generic.h>
#include <hornet/net.h>

#include "agent/core.h"
#include "net/dnsname.h"

/* Every fd field, so that create and close go over the same list. */
static int *fds(struct hornet_shared_maps *m, unsigned int i)
{
	int *all[] = { &m->events,    &m->enforce,	 &m->stats,    &m->procs,
		       &m->follow_eq, &m->follow_prefix, &m->scope_cg, &m->dns_addrs };

	return i < sizeof(all) / sizeof(all[0]) ? all[i] : NULL;
}

static int create(int *fd, enum bpf_map_type type, const char *name, uint32_t key, uint32_t value,
		  uint32_t entries, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	/* the kernel keeps the first 15 bytes of the name: "hornet_follow_p" */
	*fd = bpf_map_create(type, name, key, value, entries, &o);
	return *fd < 0 ? -errno : 0;
}

int hornet_core_maps_create(struct hornet_shared_maps *m, uint64_t ringbuf_size)
{
	unsigned int i;
	int err;

	for (i = 0; fds(m, i); i++)
		*fds(m, i) = -1;
	m->ringbuf_size = ringbuf_size;
	err = create(&m->events, BPF_MAP_TYPE_RINGBUF, "hornet_events", 0, 0, ringbuf_size, 0);
	if (!err)
		err = create(&m->enforce, BPF_MAP_TYPE_RINGBUF, "hornet_enforce", 0, 0,
			     HORNET_ENFORCE_RING_SIZE, 0);
	if (!err)
		err = create(&m->stats, BPF_MAP_TYPE_PERCPU_ARRAY, "hornet_stats", sizeof(__u32),
			     sizeof(__u64), HORNET_STAT_COUNT, 0);
	if (!err)
		err = create(&m->procs, BPF_MAP_TYPE_HASH, "hornet_procs", sizeof(__u32),
			     sizeof(struct hornet_proc), HORNET_PROC_TABLE_SIZE, BPF_F_NO_PREALLOC);
	if (!err)
		err = create(&m->follow_eq, BPF_MAP_TYPE_HASH, "hornet_follow_eq",
			     sizeof(struct hornet_str_key), sizeof(__u64), HORNET_FOLLOW_BINARIES,
			     BPF_F_NO_PREALLOC);
	if (!err)
		err = create(&m->follow_prefix, BPF_MAP_TYPE_LPM_TRIE, "hornet_follow_prefix",
			     sizeof(struct hornet_lpm_str_key), sizeof(__u64),
			     HORNET_FOLLOW_BINARIES, BPF_F_NO_PREALLOC);
	if (!err)
		err = create(&m->scope_cg, BPF_MAP_TYPE_HASH, "hornet_scope_cg", sizeof(__u64),
			     sizeof(struct hornet_scope_bits), HORNET_SCOPE_CGROUPS,
			     BPF_F_NO_PREALLOC);
	if (!err)
		err = create(&m->dns_addrs, BPF_MAP_TYPE_LRU_HASH, "hornet_dns_addrs",
			     sizeof(struct hornet_dns_addr_key), sizeof(struct hornet_dns_addr),
			     HORNET_DNS_ADDRS, 0);
	if (!err) {
		/* the network sensor hashes names with it, the policies' values too */
		m->dns_seed = hornet_dns_seed_new();
		hornet_dns_seed = m->dns_seed;
	}
	if (err)
		hornet_core_maps_close(m);
	return err;
}

void hornet_core_maps_close(struct hornet_shared_maps *m)
{
	unsigned int i;

	for (i = 0; fds(m, i); i++) {
		if (*fds(m, i) >= 0)
			close(*fds(m, i));
		*fds(m, i) = -1;
	}
}

int hornet_core_stats(const struct hornet_shared_maps *m, uint64_t *out)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals;
	uint32_t k;
	int c;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < HORNET_STAT_COUNT; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(m->stats, &k, vals))
			continue;
		for (c = 0; c < ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

long hornet_core_table_size(const struct hornet_shared_maps *m)
{
	uint32_t key, next;
	long n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(m->procs, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}
