// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensors/shared.h"
#include "util/log.h"

static const struct {
	const char *name;
	size_t fd;
} shared[] = {
	{ "hornet_events", offsetof(struct hornet_shared_maps, events) },
	{ "hornet_enforce", offsetof(struct hornet_shared_maps, enforce) },
	{ "hornet_stats", offsetof(struct hornet_shared_maps, stats) },
	{ "hornet_procs", offsetof(struct hornet_shared_maps, procs) },
	{ "hornet_follow_eq", offsetof(struct hornet_shared_maps, follow_eq) },
	{ "hornet_follow_prefix", offsetof(struct hornet_shared_maps, follow_prefix) },
	{ "hornet_scope_cg", offsetof(struct hornet_shared_maps, scope_cg) },
	{ "hornet_dns_addrs", offsetof(struct hornet_shared_maps, dns_addrs) },
};

/*
 * bpf_map__reuse_fd() takes the shared map's definition over the object's
 * without comparing them; a map the BPF side declares differently would
 * then be read with the wrong layout, so the two are compared here. The
 * number of entries is the agent's to choose.
 */
static int check(const struct bpf_map *m, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != bpf_map__type(m) || info.key_size != bpf_map__key_size(m) ||
	    info.value_size != bpf_map__value_size(m) || info.map_flags != bpf_map__map_flags(m)) {
		pr_err("map '%s': declared as type %u, key %u, value %u, flags 0x%x; the shared "
		       "map is %u, %u, %u, 0x%x",
		       bpf_map__name(m), bpf_map__type(m), bpf_map__key_size(m),
		       bpf_map__value_size(m), bpf_map__map_flags(m), info.type, info.key_size,
		       info.value_size, info.map_flags);
		return -EINVAL;
	}
	return 0;
}

int hornet_shared_maps__reuse(const struct hornet_shared_maps *maps, struct bpf_object *obj)
{
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared[i].name);
		int fd = *(const int *)((const char *)maps + shared[i].fd);

		if (!m)
			continue;
		err = check(m, fd);
		if (!err)
			err = bpf_map__reuse_fd(m, fd);
		if (err)
			return err;
	}
	return 0;
}
