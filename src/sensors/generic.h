/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic sensor (bpf/generic.bpf.c) in user space: one program
 * instance per hook point, shared by every policy hook placed there. The
 * agent's policy manager gives it the users of a point and their compiled
 * configuration (policy/compile.h: data only, the sensor calls nothing of
 * the policy side); it loads a new instance, switches to it atomically (a
 * generation number in a map), then drops the old one: changing one
 * policy never loses or doubles another's events. It also turns the
 * instances' records into typed policy events (export/types.h), which
 * export/render_policy.c shows as process_kprobe / _tracepoint / _lsm /
 * _uprobe.
 */
#ifndef HORNET_SENSORS_GENERIC_H
#define HORNET_SENSORS_GENERIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/generic.h>

#include "export/event.h"
#include "policy/compile.h"
#include "policy/plan.h"
#include "process/cache.h"
#include "sensors/shared.h"

struct hornet_gen_sensor;

/* A user action (GetUrl, DnsLookup) that an event asks user space to do. */
struct hornet_user_action {
	enum hornet_action action;
	const char *arg; /* the URL or the name */
};

struct hornet_generic_opts {
	const struct hornet_shared_maps *maps; /* the agent's */
	const struct hornet_kernel *kernel;
	struct hornet_proc_cache *cache;
	/* each decoded event; returns 0 or -errno (-ENOMEM: not rendered) */
	int (*emit)(void *ctx, const struct hornet_event *ev);
	/* GetUrl / DnsLookup to carry out, off the event path */
	void (*user_action)(void *ctx, const struct hornet_user_action *a);
	void *ctx;
	/* --keep-enforcement: the links of every point with a Sigkill, Signal
	 * or Override action are pinned here, and stay when the sensor is
	 * freed (a point replaced or removed is unpinned); NULL: none */
	const char *pin_dir;
};

struct hornet_gen_sensor *hornet_gen_sensor__new(const struct hornet_generic_opts *opts);
void hornet_gen_sensor__free(struct hornet_gen_sensor *g);

/*
 * Makes @users (none removes the point) the users of hook point @key, whose
 * plan hooks all name it, with @cfg, their compiled configuration
 * (hornet_point_compile(), in the same order; NULL with no users). Returns
 * 0, or -errno with the reason in @err; on error the point keeps its
 * previous users and instance.
 */
int hornet_gen_sensor__set_point(struct hornet_gen_sensor *g, const char *key,
				 const struct hornet_point_user *users, size_t nr_users,
				 const struct hornet_point_config *cfg, char *err, size_t err_size);

/*
 * The fd of the shared map @name ("hornet_notify", "hornet_policy_stats")
 * for another object (a policy's enforcer) to reuse; loads the maps first
 * when no policy has. -errno on failure.
 */
int hornet_gen_sensor__map_fd(struct hornet_gen_sensor *g, const char *name);

/* --keep-enforcement's directory, or NULL: where a policy's enforcer pins too. */
const char *hornet_gen_sensor__pin_dir(const struct hornet_gen_sensor *g);

/* Enables, disables or switches the mode of a policy in the kernel. */
/*
 * Sets or clears HORNET_POLICY_PROMOTED on shadow @policy_id: one map
 * update, after which each call on a point where it is paired runs it
 * acting and its policy not at all. Returns 0 or -errno.
 */
int hornet_gen_sensor__policy_promoted(struct hornet_gen_sensor *g, uint32_t policy_id, bool on);

int hornet_gen_sensor__policy_state(struct hornet_gen_sensor *g, uint32_t policy_id, bool enabled,
				    bool monitor);
/* Zeroes a policy's counters (for a new policy taking a freed id). */
void hornet_gen_sensor__policy_reset(struct hornet_gen_sensor *g, uint32_t policy_id);
/* Sums a policy's per-CPU counters. */
int hornet_gen_sensor__policy_stats(const struct hornet_gen_sensor *g, uint32_t policy_id,
				    struct hornet_policy_stats *out);
/* Kernel memory of the maps of the points @policy_id uses, its share of each. */
uint64_t hornet_gen_sensor__policy_memory(const struct hornet_gen_sensor *g, uint32_t policy_id);

/*
 * The loaded programs of each hook point, for their bpf_stats: @fn gets the
 * program's fd, its full name, the point's key ("kprobe:security_file_open")
 * and the ids of the policies hooked there. Stops when @fn returns non-zero
 * and returns that.
 */
typedef int (*hornet_gen_prog_fn)(void *ctx, int fd, const char *name, const char *key,
				  const uint32_t *policies, size_t nr_policies);
int hornet_gen_sensor__each_prog(const struct hornet_gen_sensor *g, hornet_gen_prog_fn fn,
				 void *ctx);

/* Handles one HORNET_OP_GENERIC record; -EINVAL when it fails validation. */
int hornet_gen_sensor__handle(struct hornet_gen_sensor *g, const void *data, size_t size);

struct hornet_generic_stats {
	unsigned int points;
	uint64_t events;
	uint64_t stale; /* events of a policy or instance that is gone */
};

void hornet_gen_sensor__stats(const struct hornet_gen_sensor *g, struct hornet_generic_stats *s);

#endif
