/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiles the selectors of every policy hook placed on one hook point into
 * what the generic sensor's instance for that point needs: the argument
 * specs (one read serves every policy), the selectors in order, and the
 * filter values as map entries with, for each, the bitmap of filter slots
 * it satisfies. Prefix entries carry the bits of every shorter prefix they
 * extend (an LPM lookup returns only the longest match), so one lookup per
 * value kind answers for all policies at once.
 *
 * Pure user space: the unit tests check it without a kernel.
 */
#ifndef HORNET_POLICY_COMPILE_H
#define HORNET_POLICY_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/generic.h>

#include "policy/plan.h"
#include "policy/policy.h"

/* One policy hook on the point. */
struct hornet_point_user {
	uint32_t policy_id;
	uint32_t hook_id; /* global: names the policy and its planned hook */
	const struct hornet_policy *policy;
	const struct hornet_plan_hook *ph;
	uint32_t host_ns[HORNET_NS_COUNT]; /* for "host_ns" values */
	/* follow slots (bits of hornet_proc.follow) the user's followChildren and
	 * followForks filters take, lowest first: its policy owns them, so they
	 * stay the same when the point is rebuilt */
	uint64_t follow_bits;
	uint32_t scope; /* 1 + its policy's workload scope index; 0: every process */
	/* `policy add --shadow-of`: the policy this user's policy shadows (its
	 * selectors decide, never act), 0 none; and the names events show */
	uint32_t shadow_of;
	const char *name; /* the policy's name in events; NULL: its metadata.name */
	const char *shadow_of_name; /* a shadow's: the policy it shadows */
	const char *shadow_name; /* a shadowed policy's: its shadow */
};

struct hornet_str_entry {
	struct hornet_str_key key;
	struct hornet_bits bits;
};

struct hornet_lpm_str_entry {
	struct hornet_lpm_str_key key;
	struct hornet_bits bits;
};

struct hornet_int_entry {
	struct hornet_int_key key;
	struct hornet_bits bits;
};

struct hornet_addr_entry {
	struct hornet_lpm_addr_key key;
	struct hornet_bits bits;
};

/* followChildren binaries and followForks pids, for the process table */
struct hornet_follow_entry {
	bool prefix; /* a Prefix binary; else an exact binary, or a pid */
	bool pid;
	char value[HORNET_GEN_STR];
	uint32_t pid_value;
	uint64_t bit;
};

struct hornet_point_config {
	struct hornet_gen_cfg cfg;
	unsigned int nr_fn_args;
	/* per user (same order as the users given): the spec of each of its
	 * plan args, and of its return value (0xff none) */
	uint8_t (*arg_spec)[HORNET_POLICY_MAX_ARGS * 2];
	uint8_t *ret_spec;
	size_t nr_users;
	struct hornet_gen_sel *sels; /* cfg.nr_sels of them */
	struct hornet_gen_filter filters[HORNET_GEN_MAX_FILTERS];
	unsigned int nr_slots;
	/* per filter slot, the selectors listed under it (cfg.index): each
	 * selector under one positive slot of its own, a value map's rather
	 * than an arithmetic filter's where it has one (those hold more often) */
	struct hornet_sel_set *slot_sels; /* nr_slots of them */
	struct hornet_str_entry *str_eq;
	size_t nr_str_eq;
	struct hornet_lpm_str_entry *str_prefix;
	size_t nr_str_prefix;
	struct hornet_lpm_str_entry *str_postfix;
	size_t nr_str_postfix;
	struct hornet_int_entry *int_eq;
	size_t nr_int_eq;
	struct hornet_addr_entry *addr;
	size_t nr_addr;
	struct hornet_follow_entry *follow;
	size_t nr_follow;
	struct hornet_substr *substr; /* SubString values, by the filters' a */
	size_t nr_substr;
	struct hornet_cel_prog *cel; /* CelExpr programs, by the filters' a */
	size_t nr_cel;
	/* the string prefilter's words (HORNET_PREFILTER_ALL_WORDS), NULL when
	 * cfg.prefilter_len and cfg.postfilter_len are both 0 */
	uint64_t *prefilter;
	/* per filter slot: 1 + the argument of a string it compares (Equal,
	 * Prefix, Postfix), 0 for any other slot; for the gate (cfg.gate_spec) */
	uint8_t slot_str[HORNET_GEN_MAX_SLOTS];
};

/*
 * Compiles @users (in the order their events should be decided) into @out.
 * Returns 0, or -errno with a message naming the policy, hook and selector.
 */
int hornet_point_compile(const struct hornet_point_user *users, size_t nr_users,
			 struct hornet_point_config *out, char *err, size_t err_size);

/* How many follow slots the hook's selectors need. */
unsigned int hornet_hook_follow_slots(const struct hornet_hook *h);
void hornet_point_config_free(struct hornet_point_config *c);

#endif
