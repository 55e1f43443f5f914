/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policies the agent runs: add (from a file, a directory or the API),
 * delete, switch between enforce and monitor, list. Each change rebuilds
 * only the hook points it touches; other policies keep running untouched.
 * A policy that cannot be loaded stays listed, with state "error" and why.
 *
 * The policy side (policy/) parses, plans and compiles; the generic sensor
 * loads what it is given. This module is the one that drives both, so
 * neither needs the other.
 */
#ifndef HORNET_AGENT_POLICIES_H
#define HORNET_AGENT_POLICIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export/json.h"
#include "policy/plan.h"
#include "policy/policy.h"
#include "sensors/generic.h"

struct hornet_pm;

/*
 * Calls @fn for each enabled policy with spec.tlsServerNames, in the order
 * added, with its workload scope (1 + index, 0 every process) and whether it
 * is in monitor mode; stops at @fn's first non-zero return, which it returns.
 */
int hornet_pm__each_tls(const struct hornet_pm *pm,
			int (*fn)(const struct hornet_policy *p, uint32_t scope, bool monitor,
				  void *ctx),
			void *ctx);

/*
 * Why the agent learns no names from DNS answers (a static string: the
 * network sensor or its packet inspection is off), or NULL when it does:
 * policies with DNSName or NotDNSName are refused while it is set.
 */
void hornet_pm__set_no_names(struct hornet_pm *pm, const char *why);

struct hornet_pm *hornet_pm__new(struct hornet_gen_sensor *gen, const struct hornet_kernel *kernel,
				 const struct hornet_ns *host_ns);
void hornet_pm__free(struct hornet_pm *pm);

enum hornet_pm_mode {
	HORNET_PM_MODE_POLICY = -1, /* what the policy's options say (enforce by default) */
	HORNET_PM_MODE_ENFORCE = HORNET_MODE_ENFORCE,
	HORNET_PM_MODE_MONITOR = HORNET_MODE_MONITOR,
};

/*
 * Adds a policy from @len bytes of YAML or JSON; @source names it in
 * messages (a path, or "api"). Returns 0 when it runs; -EEXIST when a policy
 * of that name exists; another -errno when it cannot be loaded: then @err
 * says why, and (unless it could not even be parsed or is a duplicate) it is
 * kept in the list with state "error". *@name_out, if given, receives the
 * policy's name.
 */
int hornet_pm__add(struct hornet_pm *pm, const char *buf, size_t len, const char *source,
		   enum hornet_pm_mode mode, char *err, size_t err_size, char *name_out,
		   size_t name_size);
/*
 * Between these, added policies are parsed, planned and enabled, and the
 * programs of their hook points are built once, at end_batch, with every
 * policy of the batch that shares them (at start-up, a point that several
 * policies hook is verified once, not once per policy). end_batch returns
 * -EINVAL when some policy then failed to load (it is logged, and listed
 * with its error).
 */
void hornet_pm__begin_batch(struct hornet_pm *pm);
int hornet_pm__end_batch(struct hornet_pm *pm);

/* Where end_batch is: for `hornet status` while the agent starts. */
struct hornet_pm_progress {
	size_t points_done, points_total;
	size_t policies_done, policies_total;
	const char *point; /* the key of the point being built */
	const char *policy; /* the first policy of the batch that uses it */
};

/*
 * @fn runs before end_batch builds each point, and again after a point
 * failed; a nonzero return stops the batch there (the agent is stopping):
 * end_batch then returns -ECANCELED, with the rest of the batch not loaded.
 */
void hornet_pm__on_progress(struct hornet_pm *pm,
			    int (*fn)(void *ctx, const struct hornet_pm_progress *p), void *ctx);
/* The longest name the manager keeps. */
#define HORNET_PM_MAX_NAME 255

/*
 * Adds the policy of @buf under the name @key (its metadata.name may differ:
 * namespaced policies from the API are "<namespace>/<name>"), or replaces
 * the one of that name. A running policy is replaced point by point, the new
 * version switched in where the old one ran, so no event is lost or doubled;
 * when the new version cannot be parsed or loaded, the old one keeps
 * running, listed with "update_error", and the error is returned. A policy
 * in error is simply replaced (a new version that fails too is listed with
 * its error, under @key). Returns 0 when the new version runs.
 */
int hornet_pm__replace(struct hornet_pm *pm, const char *key, const char *buf, size_t len,
		       const char *source, enum hornet_pm_mode mode, char *err, size_t err_size);
/*
 * `hornet policy add --shadow-of OF`: the policy of @buf runs beside OF,
 * listed as "OF.shadow", on the same program instances: its selectors decide
 * on every call but act on none (no post, signal, override, notification or
 * socket tracking), and the calls where it and OF decided differently are
 * posted and counted. OF must run and have no shadow yet. The shadow is not
 * persisted; OF cannot be replaced or deleted while it has one. *@name_out
 * gets the shadow's name.
 */
int hornet_pm__add_shadow(struct hornet_pm *pm, const char *of, const char *buf, size_t len,
			  const char *source, enum hornet_pm_mode mode, char *err, size_t err_size,
			  char *name_out, size_t name_size);
/*
 * Puts the shadow of @name (@name being either the policy or its shadow) in
 * the policy's place, under the policy's name, acting: every hook point
 * either uses switches in one step (docs/architecture.md says when a call
 * can still fall between). On error nothing changes. *@name_out gets the
 * name.
 */
int hornet_pm__promote(struct hornet_pm *pm, const char *name, char *err, size_t err_size,
		       char *name_out, size_t name_size);
/* What a shadow's user should know (a hook it cannot compare), or NULL. */
const char *hornet_pm__warning(const struct hornet_pm *pm, const char *name);
/* The text a shadow was added with (kept once promoted); false: none. */
bool hornet_pm__text(const struct hornet_pm *pm, const char *name, const char **text, size_t *len);
/* The source of policy @name, as given when it was added, or NULL. */
const char *hornet_pm__source(const struct hornet_pm *pm, const char *name);
/* Adds every *.yaml, *.yml and *.json file of @dir, in name order. */
int hornet_pm__add_dir(struct hornet_pm *pm, const char *dir, char *err, size_t err_size);
int hornet_pm__delete(struct hornet_pm *pm, const char *name, char *err, size_t err_size);

/*
 * Workload scopes: every scoped policy (podSelector, containerSelector,
 * hostSelector, TracingPolicyNamespaced) holds an index while it is loaded.
 * @fn runs when a policy takes one (before its programs are built);
 * __each_scope() visits every policy holding one.
 */
void hornet_pm__on_scope_change(struct hornet_pm *pm, void (*fn)(void *ctx), void *ctx);
/* A loaded policy has spec.loader: process_loader events are wanted. */
bool hornet_pm__wants_loader(const struct hornet_pm *pm);
int hornet_pm__each_scope(const struct hornet_pm *pm,
			  int (*fn)(const struct hornet_policy *p, uint32_t index, void *ctx),
			  void *ctx);
int hornet_pm__set_mode(struct hornet_pm *pm, const char *name, enum hornet_pm_mode mode, char *err,
			size_t err_size);
/*
 * `hornet policy enable|disable`: a disabled policy stays loaded (its
 * programs attached, its maps filled) but neither posts events nor acts,
 * from the next hook hit on; listed with state "disabled". A new version
 * (replace) of a disabled policy stays disabled. -ENOENT for no such
 * policy, -EINVAL for one in error.
 */
int hornet_pm__set_enabled(struct hornet_pm *pm, const char *name, bool enabled, char *err,
			   size_t err_size);
bool hornet_pm__is_disabled(const struct hornet_pm *pm, const char *name);
/* "monitor" or "enforce" as policy @name runs now; NULL for no such policy */
const char *hornet_pm__mode_name(const struct hornet_pm *pm, const char *name);

/* Appends "policies": [...] to @j. */
void hornet_pm__list(const struct hornet_pm *pm, struct hornet_json *j);

struct hornet_pm_stats {
	unsigned int enabled;
	unsigned int disabled; /* loaded, switched off by `hornet policy disable` */
	unsigned int errors;
	unsigned int update_errors; /* running, but their last replace failed */
};

void hornet_pm__stats(const struct hornet_pm *pm, struct hornet_pm_stats *s);

#endif
