// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/policies.h"
#include "policy/compile.h"
#include "policy/guard.h"
#include "policy/scope.h"
#include "sensors/enforcer.h"
#include "util/log.h"

#define MAX_POLICY_ID 4095

enum state {
	STATE_ENABLED,
	STATE_ERROR,
};

struct managed {
	struct managed *next;
	char name[HORNET_PM_MAX_NAME + 1];
	char source[512];
	uint32_t id; /* 0 when it never loaded */
	enum state state;
	char error[1024];
	char update_error[1024]; /* the last replace that failed; this version runs on */
	struct hornet_policy *policy;
	struct hornet_plan plan;
	bool monitor;
	bool disabled; /* `hornet policy disable`: loaded, but neither posts nor acts */
	uint64_t follow_bits;
	uint32_t scope; /* 1 + its workload scope index; 0: every process */
	struct hornet_policy_enforcer *enforcer; /* spec.enforcers, attached */
	time_t added;
	/* `policy add --shadow-of`: a shadow decides on the hooks of the policy
	 * it shadows but acts on nothing, until promoted in its place */
	struct managed *shadow_of;
	struct managed *shadow; /* this policy's shadow, if any */
	char *text; /* a shadow's YAML or JSON, for the agent to keep once promoted */
	size_t text_len;
	char warning[1024]; /* a shadow's: where its calls are not compared one by one */
};

struct hornet_pm {
	struct hornet_gen_sensor *gen;
	const struct hornet_kernel *kernel;
	uint32_t host_ns[HORNET_NS_COUNT];
	struct hornet_guard guard; /* init and the agent: never aimed at */
	struct managed *list; /* in the order added */
	uint64_t follow_used;
	unsigned char ids[MAX_POLICY_ID + 1];
	unsigned char scopes[HORNET_MAX_SCOPES];
	void (*scope_changed)(void *ctx);
	void *scope_ctx;
	struct managed *loading; /* in load(), not in the list yet */
	/* between begin_batch and end_batch: policies whose points wait */
	bool batching;
	struct managed **batch;
	size_t nr_batch;
	int (*progress)(void *ctx, const struct hornet_pm_progress *p);
	void *progress_ctx;
	const char *no_names; /* why no DNS answer is learned; NULL: they are */
};

void hornet_pm__set_no_names(struct hornet_pm *pm, const char *why)
{
	pm->no_names = why;
}

struct hornet_pm *hornet_pm__new(struct hornet_gen_sensor *gen, const struct hornet_kernel *kernel,
				 const struct hornet_ns *host_ns)
{
	struct hornet_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->gen = gen;
	pm->kernel = kernel;
	memcpy(pm->host_ns, host_ns->inum, sizeof(pm->host_ns));
	hornet_guard_init(&pm->guard);
	pm->ids[0] = 1; /* 0 means "none" */
	return pm;
}

/* The agent stops (or @m never loaded): pins of --keep-enforcement stay. */
static void managed_free(struct managed *m)
{
	free(m->text);
	hornet_policy_enforcer__free(m->enforcer, false);
	hornet_plan_free(&m->plan);
	hornet_policy_free(m->policy);
	free(m);
}

void hornet_pm__free(struct hornet_pm *pm)
{
	struct managed *m, *next;

	if (!pm)
		return;
	free(pm->batch);
	for (m = pm->list; m; m = next) {
		next = m->next;
		managed_free(m);
	}
	free(pm);
}

static struct managed *find(const struct hornet_pm *pm, const char *name)
{
	struct managed *m;

	for (m = pm->list; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

static uint32_t hook_id(const struct managed *m, size_t plan_index)
{
	return m->id << 12 | (uint32_t)plan_index;
}

/*
 * The users of point @key: every enabled policy's planned hooks that name
 * it, in policy order. @skip leaves one policy out (for rollbacks), @extra
 * adds one that is not enabled yet. Returns the count or -ENOMEM.
 */
static long point_users(struct hornet_pm *pm, const char *key, const struct managed *skip,
			const struct managed *extra, struct hornet_point_user **out)
{
	struct hornet_point_user *users = NULL, *n;
	const struct managed *m;
	char k[512];
	size_t count = 0, i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (m = pass ? extra : pm->list; m; m = pass ? NULL : m->next) {
			if (m == skip || (!pass && (m->state != STATE_ENABLED || m == extra)))
				continue;
			for (i = 0; i < m->plan.nr_hooks; i++) {
				hornet_plan_point_key(&m->plan.hooks[i], k, sizeof(k));
				if (strcmp(k, key))
					continue;
				n = realloc(users, (count + 1) * sizeof(*users));
				if (!n) {
					free(users);
					return -ENOMEM;
				}
				users = n;
				memset(&users[count], 0, sizeof(users[count]));
				users[count].policy_id = m->id;
				users[count].hook_id = hook_id(m, i);
				users[count].policy = m->policy;
				users[count].ph = &m->plan.hooks[i];
				memcpy(users[count].host_ns, pm->host_ns, sizeof(pm->host_ns));
				users[count].follow_bits = m->follow_bits;
				users[count].scope = m->scope;
				if (m->shadow_of) {
					users[count].shadow_of = m->shadow_of->id;
					users[count].shadow_of_name = m->shadow_of->name;
					users[count].name = m->name;
				}
				if (m->shadow)
					users[count].shadow_name = m->shadow->name;
				count++;
			}
		}
	}
	*out = users;
	return count;
}

/*
 * Compiles @users of point @key into the configuration of a new program
 * instance and hands it to the sensor, which loads, fills, attaches and
 * switches to it (none removes the point). On error the point keeps its
 * previous users and instance.
 */
static int set_point(struct hornet_pm *pm, const char *key, const struct hornet_point_user *users,
		     size_t n, char *err, size_t err_size)
{
	struct hornet_point_config cfg;
	int ret;

	if (!n)
		return hornet_gen_sensor__set_point(pm->gen, key, NULL, 0, NULL, err, err_size);
	ret = hornet_point_compile(users, n, &cfg, err, err_size);
	if (ret)
		return ret;
	ret = hornet_gen_sensor__set_point(pm->gen, key, users, n, &cfg, err, err_size);
	hornet_point_config_free(&cfg);
	return ret;
}

/* Rebuilds the points of @m's plan: with @m when @with, else without it. */
static int rebuild_points(struct hornet_pm *pm, struct managed *m, bool with, size_t upto,
			  char *err, size_t err_size)
{
	struct hornet_point_user *users;
	char key[512], prev[512];
	size_t i, j;
	long n;
	int ret = 0;

	for (i = 0; i < upto && i < m->plan.nr_hooks; i++) {
		hornet_plan_point_key(&m->plan.hooks[i], key, sizeof(key));
		/* each point once */
		for (j = 0; j < i; j++) {
			hornet_plan_point_key(&m->plan.hooks[j], prev, sizeof(prev));
			if (!strcmp(prev, key))
				break;
		}
		if (j < i)
			continue;
		n = point_users(pm, key, with ? NULL : m, with ? m : NULL, &users);
		if (n < 0)
			return n;
		ret = set_point(pm, key, users, n, err, err_size);
		free(users);
		if (ret) {
			/* put back the points done so far */
			if (with)
				rebuild_points(pm, m, false, i, NULL, 0);
			return ret;
		}
	}
	return 0;
}

static uint32_t alloc_id(struct hornet_pm *pm)
{
	uint32_t i;

	for (i = 1; i <= MAX_POLICY_ID; i++) {
		if (!pm->ids[i]) {
			pm->ids[i] = 1;
			return i;
		}
	}
	return 0;
}

/*
 * A scope index for @m when it is scoped. The kernel map may still hold the
 * bits of the policy that had the index before: the agent recomputes them
 * (scope_changed) here, before @m's programs are built, so @m never applies
 * to another policy's workloads.
 */
static int alloc_scope(struct hornet_pm *pm, struct managed *m)
{
	uint32_t i;

	m->scope = 0;
	if (!hornet_policy_scoped(m->policy))
		return 0;
	for (i = 0; i < HORNET_MAX_SCOPES; i++) {
		if (!pm->scopes[i]) {
			pm->scopes[i] = 1;
			m->scope = i + 1;
			if (pm->scope_changed)
				pm->scope_changed(pm->scope_ctx);
			return 0;
		}
	}
	return -E2BIG;
}

static void free_scope(struct hornet_pm *pm, struct managed *m)
{
	if (!m->scope)
		return;
	/*
	 * No recomputation: no program tests the index any more, its bits go
	 * at the next one, and a replaced policy's successor is not in the
	 * list yet (it would lose its own bits).
	 */
	pm->scopes[m->scope - 1] = 0;
	m->scope = 0;
}

void hornet_pm__on_scope_change(struct hornet_pm *pm, void (*fn)(void *ctx), void *ctx)
{
	pm->scope_changed = fn;
	pm->scope_ctx = ctx;
}

bool hornet_pm__wants_loader(const struct hornet_pm *pm)
{
	const struct managed *m;

	for (m = pm ? pm->list : NULL; m; m = m->next)
		if (m->state == STATE_ENABLED && m->policy && m->policy->loader)
			return true;
	return false;
}

int hornet_pm__each_tls(const struct hornet_pm *pm,
			int (*fn)(const struct hornet_policy *p, uint32_t scope, bool monitor,
				  void *ctx),
			void *ctx)
{
	const struct managed *m;
	int ret;

	for (m = pm ? pm->list : NULL; m; m = m->next) {
		if (m->state != STATE_ENABLED || !m->policy || !m->policy->nr_tls)
			continue;
		ret = fn(m->policy, m->scope, m->monitor, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int hornet_pm__each_scope(const struct hornet_pm *pm,
			  int (*fn)(const struct hornet_policy *p, uint32_t index, void *ctx),
			  void *ctx)
{
	const struct managed *m;
	int ret;

	for (m = pm->list; m; m = m->next) {
		if (!m->scope)
			continue;
		ret = fn(m->policy, m->scope - 1, ctx);
		if (ret)
			return ret;
	}
	/* a policy being loaded is not in the list yet */
	if (pm->loading && pm->loading->scope)
		return fn(pm->loading->policy, pm->loading->scope - 1, ctx);
	return 0;
}

static uint64_t alloc_follow(struct hornet_pm *pm, unsigned int n)
{
	uint64_t bits = 0;
	unsigned int b;

	for (b = 0; b < 64 && n; b++) {
		if (!(pm->follow_used & (1ULL << b))) {
			bits |= 1ULL << b;
			n--;
		}
	}
	if (n)
		return (uint64_t)-1; /* not enough */
	pm->follow_used |= bits;
	return bits;
}

static void append(struct hornet_pm *pm, struct managed *m)
{
	struct managed **p = &pm->list;

	while (*p)
		p = &(*p)->next;
	*p = m;
}

static void set_error(struct managed *m, const char *why)
{
	m->state = STATE_ERROR;
	snprintf(m->error, sizeof(m->error), "%s", why);
}

static void release_ids(struct hornet_pm *pm, struct managed *m);

/*
 * The programs of spec.enforcers, attached before any hook of the policy
 * can leave them a notification.
 */
static int attach_enforcer(struct hornet_pm *pm, struct managed *m, char *err, size_t err_size)
{
	struct hornet_enforcer_opts o = { .policy_id = m->id };
	int bad;

	if (!m->plan.nr_enforcers)
		return 0;
	o.notify_fd = hornet_gen_sensor__map_fd(pm->gen, "hornet_notify");
	o.stats_fd = hornet_gen_sensor__map_fd(pm->gen, "hornet_policy_stats");
	o.pin_dir = hornet_gen_sensor__pin_dir(pm->gen);
	bad = o.notify_fd < 0 ? o.notify_fd : o.stats_fd;
	if (bad < 0) {
		snprintf(err, err_size, "enforcer: the policy engine's maps: %s", strerror(-bad));
		return bad;
	}
	m->enforcer = hornet_policy_enforcer__attach(m->plan.enforcers, m->plan.nr_enforcers, &o,
						     err, err_size);
	return m->enforcer ? 0 : -errno;
}

/*
 * Plans @m and gives it an id and its follow slots, enabled in the kernel
 * before any program of it runs, so no event is missed.
 */
/* The first DNSName or NotDNSName of @p, or NULL. */
static const struct hornet_hook *uses_names(const struct hornet_policy *p)
{
	for (size_t i = 0; i < p->nr_hooks; i++)
		for (size_t s = 0; s < p->hooks[i].nr_selectors; s++) {
			const struct hornet_selector *sel = &p->hooks[i].selectors[s];

			for (size_t a = 0; a < sel->nr_args; a++)
				if (sel->args[a].op == HORNET_OP_DNS_NAME ||
				    sel->args[a].op == HORNET_OP_NOT_DNS_NAME)
					return &p->hooks[i];
		}
	return NULL;
}

static int prepare(struct hornet_pm *pm, struct managed *m, char *err, size_t err_size)
{
	const struct hornet_hook *named;
	unsigned int slots = 0;
	size_t i;
	int ret;

	named = pm->no_names ? uses_names(m->policy) : NULL;
	if (named) {
		snprintf(err, err_size,
			 "spec.%s[%u] '%s': DNSName needs the names DNS answers give, and this "
			 "agent learns none (%s)",
			 hornet_hook_kind_name(named->kind), named->index, named->call,
			 pm->no_names);
		return -EOPNOTSUPP;
	}
	if (pm->no_names && m->policy->nr_tls) {
		snprintf(err, err_size,
			 "spec.tlsServerNames needs the network sensor's packet inspection, and "
			 "this agent has none (%s)",
			 pm->no_names);
		return -EOPNOTSUPP;
	}
	ret = hornet_guard_check(m->policy, &pm->guard, err, err_size)
		      ?: hornet_plan_policy(m->policy, pm->kernel, &m->plan, err, err_size);
	if (ret)
		return ret;
	if (m->plan.nr_hooks > 4095) {
		snprintf(err, err_size, "more than 4095 hooks");
		return -E2BIG;
	}
	for (i = 0; i < m->policy->nr_hooks; i++)
		slots += hornet_hook_follow_slots(&m->policy->hooks[i]);
	m->follow_bits = slots ? alloc_follow(pm, slots) : 0;
	if (m->follow_bits == (uint64_t)-1) {
		m->follow_bits = 0;
		snprintf(err, err_size,
			 "needs %u followChildren/followForks slots; fewer are left (64 in all)",
			 slots);
		return -E2BIG;
	}
	m->id = alloc_id(pm);
	if (!m->id) {
		snprintf(err, err_size, "more than %d policies", MAX_POLICY_ID);
		return -E2BIG;
	}
	pm->loading = m;
	ret = alloc_scope(pm, m);
	pm->loading = NULL;
	if (ret) {
		pm->ids[m->id] = 0;
		m->id = 0;
		pm->follow_used &= ~m->follow_bits;
		m->follow_bits = 0;
		snprintf(err, err_size, "more than %d policies scoped to workloads",
			 HORNET_MAX_SCOPES);
		return ret;
	}
	hornet_gen_sensor__policy_reset(pm->gen, m->id);
	hornet_gen_sensor__policy_state(pm->gen, m->id, !m->disabled, m->monitor);
	ret = attach_enforcer(pm, m, err, err_size);
	if (ret)
		release_ids(pm, m);
	return ret;
}

/* Takes back the id, follow slots and scope of prepare(). */
static void release_ids(struct hornet_pm *pm, struct managed *m)
{
	hornet_policy_enforcer__free(m->enforcer, true);
	m->enforcer = NULL;
	if (m->id) {
		hornet_gen_sensor__policy_state(pm->gen, m->id, false, false);
		pm->ids[m->id] = 0;
	}
	m->id = 0;
	pm->follow_used &= ~m->follow_bits;
	m->follow_bits = 0;
	free_scope(pm, m);
}

/* Loads @m (parsed, named, not in the list yet); fills m->state. */
static int load(struct hornet_pm *pm, struct managed *m, char *err, size_t err_size)
{
	int ret;

	ret = prepare(pm, m, err, err_size);
	if (ret)
		return ret;
	if (pm->batching) {
		struct managed **b = realloc(pm->batch, (pm->nr_batch + 1) * sizeof(*b));

		if (b) {
			/* its points are built once, with the others', at end_batch */
			pm->batch = b;
			pm->batch[pm->nr_batch++] = m;
			m->state = STATE_ENABLED;
			return 0;
		}
	}
	ret = rebuild_points(pm, m, true, (size_t)-1, err, err_size);
	if (ret) {
		release_ids(pm, m);
		return ret;
	}
	m->state = STATE_ENABLED;
	return 0;
}

/* Takes back what load() gave @m, before it is loaded again. */
static void unload_ids(struct hornet_pm *pm, struct managed *m)
{
	release_ids(pm, m);
	m->state = STATE_ERROR;
}

void hornet_pm__begin_batch(struct hornet_pm *pm)
{
	pm->batching = true;
}

/* Every distinct point key of the plans of @ms (NULLs skipped); NULL on no memory. */
static char (*point_keys(struct managed *const *ms, size_t nr_ms, size_t *count))[512]
{
	char(*keys)[512] = NULL, (*n)[512], key[512];
	size_t nr = 0, b, i, k;

	for (b = 0; b < nr_ms; b++) {
		const struct managed *m = ms[b];

		if (!m)
			continue;
		for (i = 0; i < m->plan.nr_hooks; i++) {
			hornet_plan_point_key(&m->plan.hooks[i], key, sizeof(key));
			for (k = 0; k < nr && strcmp(keys[k], key); k++)
				;
			if (k < nr)
				continue;
			n = realloc(keys, (nr + 1) * sizeof(*keys));
			if (!n) {
				free(keys);
				return NULL;
			}
			keys = n;
			memcpy(keys[nr++], key, sizeof(key));
		}
	}
	*count = nr;
	return keys;
}

void hornet_pm__on_progress(struct hornet_pm *pm,
			    int (*fn)(void *ctx, const struct hornet_pm_progress *p), void *ctx)
{
	pm->progress = fn;
	pm->progress_ctx = ctx;
}

/* Tells the progress callback that point @k of @keys is next; nonzero: stop. */
static int report(struct hornet_pm *pm, char (*keys)[512], size_t nr_keys, size_t k)
{
	struct hornet_pm_progress p = {
		.points_done = k,
		.points_total = nr_keys,
		.policies_total = pm->nr_batch,
		.point = k < nr_keys ? keys[k] : "",
		.policy = "",
	};
	char key[512];
	size_t b, i, j;

	if (!pm->progress)
		return 0;
	/* a policy is done when each of its points is among the first @k */
	for (b = 0; b < pm->nr_batch; b++) {
		const struct managed *m = pm->batch[b];
		bool done = true;

		for (i = 0; i < m->plan.nr_hooks; i++) {
			hornet_plan_point_key(&m->plan.hooks[i], key, sizeof(key));
			for (j = 0; j < nr_keys && strcmp(keys[j], key); j++)
				;
			if (j >= k)
				done = false;
			if (j == k && !p.policy[0])
				p.policy = m->name;
		}
		p.policies_done += done;
	}
	return pm->progress(pm->progress_ctx, &p);
}

/*
 * Points on capability checks go last: the verifier checks a capability
 * for each helper call it meets, and a program attached there runs on every
 * check (with the default pack, 9 % of the start's CPU went to the
 * cap_capable policy running while the points after it were verified).
 */
static void capable_last(char (*keys)[512], size_t nr)
{
	char tmp[512];
	size_t i, last = nr;

	for (i = nr; i-- > 0;) {
		if (!strstr(keys[i], "capable"))
			continue;
		/* to the end of the non-capable ones, the others' order kept */
		memcpy(tmp, keys[i], sizeof(tmp));
		memmove(keys[i], keys[i + 1], (--last - i) * sizeof(*keys));
		memcpy(keys[last], tmp, sizeof(tmp));
	}
}

int hornet_pm__end_batch(struct hornet_pm *pm)
{
	struct hornet_point_user *users;
	char(*keys)[512], why[1024];
	size_t nr_keys = 0, k, b;
	int ret = 0, failed = 0;
	long n;

	pm->batching = false;
	keys = point_keys(pm->batch, pm->nr_batch, &nr_keys);
	capable_last(keys, nr_keys);
	if (!keys && pm->nr_batch)
		ret = -ENOMEM;
	/* each point once, with every policy of the batch that uses it */
	for (k = 0; k < nr_keys && !ret; k++) {
		if (report(pm, keys, nr_keys, k)) {
			ret = -ECANCELED;
			break;
		}
		n = point_users(pm, keys[k], NULL, NULL, &users);
		if (n < 0) {
			ret = n;
			break;
		}
		ret = set_point(pm, keys[k], users, n, why, sizeof(why));
		free(users);
		/* a load the stop interrupted is no policy's fault */
		if (ret && report(pm, keys, nr_keys, k))
			ret = -ECANCELED;
	}
	if (ret == -ECANCELED) {
		for (b = 0; b < pm->nr_batch; b++) {
			unload_ids(pm, pm->batch[b]);
			set_error(pm->batch[b], "not loaded: the agent stopped");
		}
		failed = -ECANCELED;
	} else if (ret) {
		/*
		 * Some policy spoils a point it shares: take the batch back and
		 * load it one policy at a time, so the error lands on that one.
		 */
		pr_warn("loading %zu policies together failed (%s); loading them one by one",
			pm->nr_batch, ret == -ENOMEM ? "out of memory" : why);
		for (b = 0; b < pm->nr_batch; b++)
			unload_ids(pm, pm->batch[b]);
		for (size_t done = 0; done < k && keys; done++) {
			n = point_users(pm, keys[done], NULL, NULL, &users);
			if (n >= 0) {
				set_point(pm, keys[done], users, n, NULL, 0);
				free(users);
			}
		}
		for (b = 0; b < pm->nr_batch; b++) {
			struct managed *m = pm->batch[b];

			why[0] = '\0';
			if (load(pm, m, why, sizeof(why))) {
				set_error(m, why);
				pr_err("policy '%s': %s", m->name, why);
				failed++;
			}
		}
	}
	free(keys);
	free(pm->batch);
	pm->batch = NULL;
	pm->nr_batch = 0;
	if (failed == -ECANCELED)
		return failed;
	return failed ? -EINVAL : 0;
}

/* The mode a policy starts in: @mode, or its own policy-mode option. */
static bool monitor_mode(enum hornet_pm_mode mode, const struct hornet_policy *p)
{
	return mode == HORNET_PM_MODE_POLICY ? p->mode == HORNET_MODE_MONITOR
					     : mode == HORNET_PM_MODE_MONITOR;
}

/* Lists @name in state error, with no policy behind it. */
static void add_error_entry(struct hornet_pm *pm, const char *name, const char *source,
			    const char *why)
{
	struct managed *m;

	if (find(pm, name))
		return;
	m = calloc(1, sizeof(*m));
	if (!m)
		return;
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->source, sizeof(m->source), "%s", source);
	set_error(m, why);
	m->added = time(NULL);
	append(pm, m);
}

static void add_unparsed(struct hornet_pm *pm, const char *source, const char *why)
{
	const char *base = strrchr(source, '/');
	char name[256];
	char *dot;

	snprintf(name, sizeof(name), "%s", base ? base + 1 : source);
	dot = strrchr(name, '.');
	if (dot)
		*dot = '\0';
	add_error_entry(pm, name, source, why);
}

int hornet_pm__add(struct hornet_pm *pm, const char *buf, size_t len, const char *source,
		   enum hornet_pm_mode mode, char *err, size_t err_size, char *name_out,
		   size_t name_size)
{
	struct hornet_policy *p;
	struct managed *m;
	char why[1024];
	int ret;

	p = hornet_policy_parse(buf, len, source, err, err_size);
	if (!p) {
		ret = errno ? -errno : -EINVAL;
		/* a file that does not parse is still listed, by its file name */
		if (strcmp(source, "api"))
			add_unparsed(pm, source, err);
		return ret;
	}
	if (name_out)
		snprintf(name_out, name_size, "%s", p->name);
	if (find(pm, p->name)) {
		snprintf(err, err_size,
			 "policy '%s' already exists (delete it first, or change "
			 "metadata.name)",
			 p->name);
		hornet_policy_free(p);
		return -EEXIST;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		hornet_policy_free(p);
		return -ENOMEM;
	}
	m->policy = p;
	snprintf(m->name, sizeof(m->name), "%s", p->name);
	snprintf(m->source, sizeof(m->source), "%s", source);
	m->monitor = monitor_mode(mode, p);
	m->added = time(NULL);
	why[0] = '\0';
	ret = load(pm, m, why, sizeof(why));
	if (ret) {
		set_error(m, why);
		snprintf(err, err_size, "policy '%s': %s", p->name, why);
	}
	append(pm, m);
	return ret;
}

/*
 * Moves every point of @old's and @new's plans from @old to @new, one
 * program switch per point, so no event is lost or doubled between them. On
 * error the points done so far get @old back.
 */
static int switch_points(struct hornet_pm *pm, struct managed *old, struct managed *new,
			 void (*undo)(struct managed *old, struct managed *new), char *err,
			 size_t err_size)
{
	struct managed *const both[] = { old, new };
	struct hornet_point_user *users;
	char(*keys)[512];
	size_t nr = 0, k, d;
	int ret = 0;
	long n;

	keys = point_keys(both, 2, &nr);
	if (!keys && (old->plan.nr_hooks || new->plan.nr_hooks))
		return -ENOMEM;
	for (k = 0; k < nr; k++) {
		n = point_users(pm, keys[k], old, new, &users);
		if (n < 0) {
			ret = n;
			snprintf(err, err_size, "out of memory");
			break;
		}
		ret = set_point(pm, keys[k], users, n, err, err_size);
		free(users);
		if (ret)
			break;
	}
	/* the list as it was before, for the points to go back to */
	if (ret && undo)
		undo(old, new);
	for (d = 0; ret && d < k; d++) {
		n = point_users(pm, keys[d], NULL, NULL, &users);
		if (n >= 0) {
			set_point(pm, keys[d], users, n, NULL, 0);
			free(users);
		}
	}
	free(keys);
	return ret;
}

int hornet_pm__replace(struct hornet_pm *pm, const char *key, const char *buf, size_t len,
		       const char *source, enum hornet_pm_mode mode, char *err, size_t err_size)
{
	struct managed *old = find(pm, key), *m, **pp;
	struct hornet_policy *p;
	char why[1024];
	int ret;

	if (old && (old->shadow || old->shadow_of)) {
		snprintf(err, err_size,
			 "policy '%s' %s '%s': promote or delete the shadow before replacing", key,
			 old->shadow ? "has a shadow," : "is the shadow of",
			 old->shadow ? old->shadow->name : old->shadow_of->name);
		return -EBUSY;
	}
	p = hornet_policy_parse(buf, len, source, why, sizeof(why));
	if (!p) {
		ret = errno ? -errno : -EINVAL;
		snprintf(err, err_size, "%s", why);
		if (old && old->state == STATE_ENABLED) {
			snprintf(old->update_error, sizeof(old->update_error), "%s", why);
			return ret;
		}
		if (old)
			hornet_pm__delete(pm, key, NULL, 0);
		add_error_entry(pm, key, source, why);
		return ret;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		hornet_policy_free(p);
		return -ENOMEM;
	}
	m->policy = p;
	snprintf(m->name, sizeof(m->name), "%s", key);
	snprintf(m->source, sizeof(m->source), "%s", source);
	m->monitor = monitor_mode(mode, p);
	m->added = time(NULL);
	/* a new version of a disabled policy stays disabled until enabled */
	m->disabled = old && old->state == STATE_ENABLED && old->disabled;
	why[0] = '\0';
	if (!old || old->state != STATE_ENABLED) {
		/* nothing runs under @key: a plain add */
		if (old)
			hornet_pm__delete(pm, key, NULL, 0);
		ret = load(pm, m, why, sizeof(why));
		if (ret) {
			set_error(m, why);
			snprintf(err, err_size, "policy '%s': %s", key, why);
		}
		append(pm, m);
		return ret;
	}
	ret = prepare(pm, m, why, sizeof(why));
	if (!ret)
		ret = switch_points(pm, old, m, NULL, why, sizeof(why));
	if (ret) {
		release_ids(pm, m);
		managed_free(m);
		snprintf(old->update_error, sizeof(old->update_error), "%s", why);
		snprintf(err, err_size, "policy '%s': %s (the previous version runs on)", key, why);
		return ret;
	}
	m->state = STATE_ENABLED;
	/* the old version's programs are gone: its id can go */
	release_ids(pm, old);
	for (pp = &pm->list; *pp != old; pp = &(*pp)->next)
		;
	m->next = old->next;
	*pp = m;
	managed_free(old);
	return 0;
}

#define SHADOW_SUFFIX ".shadow"

/*
 * The first hook of shadow @s that lands on another hook point than the
 * policy's hook of the same function (a Post alone and an Override take
 * different mechanisms): there the two are not compared call by call.
 */
static void shadow_warning(const struct managed *s, const struct managed *base, char *out,
			   size_t size)
{
	char key[512], bkey[512];
	size_t i, j;
	bool same;

	out[0] = '\0';
	for (i = 0; i < s->plan.nr_hooks; i++) {
		const struct hornet_plan_hook *ph = &s->plan.hooks[i], *other = NULL;

		hornet_plan_point_key(ph, key, sizeof(key));
		for (j = 0, same = false; j < base->plan.nr_hooks && !same; j++) {
			hornet_plan_point_key(&base->plan.hooks[j], bkey, sizeof(bkey));
			same = !strcmp(key, bkey);
			if (!other && ph->function_name[0] &&
			    !strcmp(ph->function_name, base->plan.hooks[j].function_name))
				other = &base->plan.hooks[j];
		}
		if (same || !other)
			continue;
		hornet_plan_point_key(other, bkey, sizeof(bkey));
		/* a long key cuts the message short, after where it is */
		if (snprintf(out, size,
			     "spec.%s[%u] '%s' runs on %s, and '%s' on %s: their decisions there "
			     "are not compared call by call (each call the shadow matches counts "
			     "as shadow_only)",
			     hornet_hook_kind_name(ph->hook->kind), ph->hook->index,
			     ph->function_name, key, base->name, bkey) >= (int)size)
			out[size - 1] = '\0';
		return;
	}
}

int hornet_pm__add_shadow(struct hornet_pm *pm, const char *of, const char *buf, size_t len,
			  const char *source, enum hornet_pm_mode mode, char *err, size_t err_size,
			  char *name_out, size_t name_size)
{
	struct managed *base = find(pm, of), *m;
	struct hornet_policy *p;
	char why[1024];
	int ret;

	if (!base) {
		snprintf(err, err_size,
			 "--shadow-of '%s': no such policy (see 'hornet policy list')", of);
		return -ENOENT;
	}
	if (base->shadow_of) {
		snprintf(err, err_size,
			 "--shadow-of '%s': a shadow itself (of '%s'); shadow that policy instead",
			 of, base->shadow_of->name);
		return -EINVAL;
	}
	if (base->shadow) {
		snprintf(err, err_size,
			 "--shadow-of '%s': it has a shadow already, '%s' (promote or delete it "
			 "first)",
			 of, base->shadow->name);
		return -EEXIST;
	}
	if (base->state != STATE_ENABLED) {
		snprintf(err, err_size, "--shadow-of '%s': it did not load (%s)", of, base->error);
		return -EINVAL;
	}
	if (strlen(of) + strlen(SHADOW_SUFFIX) > HORNET_PM_MAX_NAME) {
		snprintf(err, err_size, "--shadow-of '%s': the name is too long for a shadow's",
			 of);
		return -ENAMETOOLONG;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	snprintf(m->name, sizeof(m->name), "%s%s", of, SHADOW_SUFFIX);
	if (find(pm, m->name)) {
		snprintf(err, err_size, "--shadow-of '%s': a policy is named '%s' already", of,
			 m->name);
		free(m);
		return -EEXIST;
	}
	p = hornet_policy_parse(buf, len, source, err, err_size);
	if (!p) {
		ret = errno ? -errno : -EINVAL;
		free(m);
		return ret;
	}
	m->text = malloc(len + 1);
	if (!m->text) {
		hornet_policy_free(p);
		free(m);
		return -ENOMEM;
	}
	memcpy(m->text, buf, len);
	m->text[len] = '\0';
	m->text_len = len;
	m->policy = p;
	snprintf(m->source, sizeof(m->source), "%s", source);
	m->monitor = monitor_mode(mode, p);
	m->added = time(NULL);
	/* paired before its points are built: they compile the pair in */
	m->shadow_of = base;
	base->shadow = m;
	why[0] = '\0';
	ret = load(pm, m, why, sizeof(why));
	if (ret) {
		base->shadow = NULL;
		snprintf(err, err_size, "shadow of '%s': %s", of, why);
		managed_free(m);
		return ret;
	}
	if (name_out)
		snprintf(name_out, name_size, "%s", m->name);
	shadow_warning(m, base, m->warning, sizeof(m->warning));
	append(pm, m);
	return 0;
}

const char *hornet_pm__warning(const struct hornet_pm *pm, const char *name)
{
	const struct managed *m = find(pm, name);

	return m && m->warning[0] ? m->warning : NULL;
}

/* Pairs or unpairs @base and @shadow, and names the shadow accordingly. */
static void shadow_pair(struct managed *base, struct managed *shadow, bool paired)
{
	size_t n = strlen(base->name);

	base->shadow = paired ? shadow : NULL;
	shadow->shadow_of = paired ? base : NULL;
	memcpy(shadow->name, base->name, n + 1);
	/* add_shadow() made sure the suffix fits */
	if (paired && n + sizeof(SHADOW_SUFFIX) <= sizeof(shadow->name))
		memcpy(shadow->name + n, SHADOW_SUFFIX, sizeof(SHADOW_SUFFIX));
}

static void shadow_repair(struct managed *base, struct managed *shadow)
{
	shadow_pair(base, shadow, true);
}

int hornet_pm__promote(struct hornet_pm *pm, const char *name, char *err, size_t err_size,
		       char *name_out, size_t name_size)
{
	struct managed *m = find(pm, name), *s, *b, **pp;
	char why[1024] = "";
	int ret;

	if (!m) {
		snprintf(err, err_size, "no policy '%s' (see 'hornet policy list')", name);
		return -ENOENT;
	}
	s = m->shadow_of ? m : m->shadow;
	if (!s) {
		snprintf(err, err_size,
			 "policy '%s' has no shadow and is none (add one with 'hornet policy add "
			 "--shadow-of %s FILE')",
			 name, name);
		return -EINVAL;
	}
	b = s->shadow_of;
	/*
	 * The switch: one map update, which every call reads once, on every
	 * point where the two are paired (all of them, unless the shadow's
	 * hooks landed on other points: add's warning), so no call is decided
	 * by both or by neither. Then the shadow, under the policy's name,
	 * takes the policy's place on every point either uses, one program
	 * switch per point, which leaves the policy out.
	 */
	ret = hornet_gen_sensor__policy_promoted(pm->gen, s->id, true);
	if (ret) {
		snprintf(err, err_size, "promoting '%s': %s (nothing changed)", s->name,
			 strerror(-ret));
		return ret;
	}
	shadow_pair(b, s, false);
	ret = switch_points(pm, b, s, shadow_repair, why, sizeof(why));
	if (ret) {
		hornet_gen_sensor__policy_promoted(pm->gen, s->id, false);
		snprintf(err, err_size, "promoting '%s': %s (nothing changed)", s->name, why);
		return ret;
	}
	release_ids(pm, b);
	for (pp = &pm->list; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	for (pp = &pm->list; *pp != b; pp = &(*pp)->next)
		;
	s->next = b->next;
	*pp = s;
	managed_free(b);
	if (name_out)
		snprintf(name_out, name_size, "%s", s->name);
	return 0;
}

bool hornet_pm__text(const struct hornet_pm *pm, const char *name, const char **text, size_t *len)
{
	const struct managed *m = find(pm, name);

	if (!m || !m->text)
		return false;
	*text = m->text;
	*len = m->text_len;
	return true;
}

const char *hornet_pm__source(const struct hornet_pm *pm, const char *name)
{
	const struct managed *m = find(pm, name);

	return m ? m->source : NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path, size_t *len, char *err, size_t err_size)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > HORNET_POLICY_MAX_FILE) {
		snprintf(err, err_size, "%s: %s", path,
			 S_ISREG(st.st_mode) ? "larger than 4 MiB" : "not a regular file");
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

int hornet_pm__add_dir(struct hornet_pm *pm, const char *dir, char *err, size_t err_size)
{
	char **names = NULL, path[4096], msg[4608], name[256];
	struct dirent *de;
	size_t n = 0, i, len;
	int failed = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		snprintf(err, err_size, "policy directory '%s': %s", dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		char **nn;

		if (!dot || (strcmp(dot, ".yaml") && strcmp(dot, ".yml") && strcmp(dot, ".json")))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *buf;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		buf = read_file(path, &len, msg, sizeof(msg));
		if (buf) {
			if (hornet_pm__add(pm, buf, len, path, HORNET_PM_MODE_POLICY, msg,
					   sizeof(msg), name, sizeof(name))) {
				pr_err("%s", msg);
				failed++;
			} else {
				pr_info("policy '%s' loaded from %s", name, path);
			}
			free(buf);
		} else {
			pr_err("%s", msg);
			failed++;
		}
		free(names[i]);
	}
	free(names);
	if (failed)
		snprintf(err, err_size, "%d of %zu policies in '%s' failed to load", failed, n,
			 dir);
	return failed ? -EINVAL : 0;
}

int hornet_pm__delete(struct hornet_pm *pm, const char *name, char *err, size_t err_size)
{
	struct managed **pp, *m;
	int ret = 0;

	for (pp = &pm->list; *pp && strcmp((*pp)->name, name); pp = &(*pp)->next)
		;
	m = *pp;
	if (!m) {
		snprintf(err, err_size, "no policy '%s' (see 'hornet policy list')", name);
		return -ENOENT;
	}
	if (m->shadow) {
		snprintf(err, err_size,
			 "policy '%s' has a shadow, '%s': promote it or delete it first", name,
			 m->shadow->name);
		return -EBUSY;
	}
	if (m->state == STATE_ENABLED) {
		hornet_gen_sensor__policy_state(pm->gen, m->id, false, false);
		ret = rebuild_points(pm, m, false, (size_t)-1, err, err_size);
		if (ret) {
			/* still attached through a point that would not rebuild: keep it,
			 * disabled in the kernel */
			set_error(m, err);
			return ret;
		}
	}
	hornet_policy_enforcer__free(m->enforcer, true);
	m->enforcer = NULL;
	if (m->id)
		pm->ids[m->id] = 0;
	pm->follow_used &= ~m->follow_bits;
	if (m->shadow_of)
		m->shadow_of->shadow = NULL;
	*pp = m->next;
	free_scope(pm, m);
	managed_free(m);
	return 0;
}

int hornet_pm__set_mode(struct hornet_pm *pm, const char *name, enum hornet_pm_mode mode, char *err,
			size_t err_size)
{
	struct managed *m = find(pm, name);

	if (!m) {
		snprintf(err, err_size, "no policy '%s' (see 'hornet policy list')", name);
		return -ENOENT;
	}
	if (mode == HORNET_PM_MODE_POLICY) {
		snprintf(err, err_size, "mode must be enforce or monitor");
		return -EINVAL;
	}
	m->monitor = mode == HORNET_PM_MODE_MONITOR;
	if (m->state == STATE_ENABLED)
		return hornet_gen_sensor__policy_state(pm->gen, m->id, !m->disabled, m->monitor);
	return 0;
}

int hornet_pm__set_enabled(struct hornet_pm *pm, const char *name, bool enabled, char *err,
			   size_t err_size)
{
	struct managed *m = find(pm, name);
	int ret;

	if (!m) {
		snprintf(err, err_size, "no policy '%s' (see 'hornet policy list')", name);
		return -ENOENT;
	}
	if (m->state != STATE_ENABLED) {
		snprintf(err, err_size,
			 "policy '%s' did not load (%s): fix it and add it again, or delete it",
			 name, m->error);
		return -EINVAL;
	}
	/* its programs stay attached: the kernel's per-policy flag stops it at once */
	ret = hornet_gen_sensor__policy_state(pm->gen, m->id, enabled, m->monitor);
	if (ret) {
		snprintf(err, err_size, "policy '%s': %s", name, strerror(-ret));
		return ret;
	}
	m->disabled = !enabled;
	return 0;
}

const char *hornet_pm__mode_name(const struct hornet_pm *pm, const char *name)
{
	const struct managed *m = find(pm, name);

	return m ? (m->monitor ? "monitor" : "enforce") : NULL;
}

bool hornet_pm__is_disabled(const struct hornet_pm *pm, const char *name)
{
	const struct managed *m = find(pm, name);

	return m && m->disabled;
}

void hornet_pm__list(const struct hornet_pm *pm, struct hornet_json *j)
{
	const struct managed *m;
	struct hornet_policy_stats st;
	char scope[512];
	size_t i;

	hornet_json_arr_begin(j, "policies");
	for (m = pm->list; m; m = m->next) {
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "name", m->name);
		hornet_json_u64(j, "id", m->id);
		hornet_json_str(j, "state",
				m->state != STATE_ENABLED ? "error"
				: m->disabled		  ? "disabled"
							  : "enabled");
		if (m->state == STATE_ERROR)
			hornet_json_str(j, "error", m->error);
		if (m->update_error[0])
			hornet_json_str(j, "update_error", m->update_error);
		hornet_json_str(j, "mode", m->monitor ? "monitor" : "enforce");
		hornet_json_str(j, "source", m->source);
		if (m->shadow_of)
			hornet_json_str(j, "shadow_of", m->shadow_of->name);
		if (m->shadow_of && m->warning[0])
			hornet_json_str(j, "warning", m->warning);
		if (m->shadow)
			hornet_json_str(j, "shadow", m->shadow->name);
		if (m->policy && m->policy->namespaced)
			hornet_json_str(j, "namespace",
					m->policy->namespace ? m->policy->namespace : "");
		if (m->policy) {
			hornet_policy_scope_str(m->policy, scope, sizeof(scope));
			hornet_json_str(j, "scope", scope);
		}
		hornet_json_arr_begin(j, "hooks");
		for (i = 0; i < m->plan.nr_hooks; i++) {
			const struct hornet_plan_hook *ph = &m->plan.hooks[i];

			hornet_json_obj_begin(j, NULL);
			hornet_json_str(j, "kind", hornet_hook_kind_name(ph->hook->kind));
			hornet_json_str(j, "hook", ph->hook->call ? ph->hook->call : "");
			hornet_json_str(j, "mechanism", hornet_mech_name(ph->mech));
			hornet_json_str(j, "attached_to", ph->target);
			if (ph->mech == HORNET_MECH_TP_RET)
				hornet_json_str(j, "attached_to_return", ph->target2);
			if (ph->hook->syscall &&
			    (ph->mech == HORNET_MECH_TRACEPOINT || ph->mech == HORNET_MECH_TP_RET))
				hornet_json_str(
					j, "note",
					"syscall kprobe run through the syscall tracepoints: "
					"this kernel has neither fentry nor kprobes");
			hornet_json_obj_end(j);
		}
		hornet_json_arr_end(j);
		if (m->plan.nr_enforcers) {
			char at[512];

			hornet_json_arr_begin(j, "enforcer");
			for (i = 0; i < m->plan.nr_enforcers; i++) {
				const struct hornet_plan_enforcer *pe = &m->plan.enforcers[i];

				hornet_plan_enforcer_points(pe, at, sizeof(at));
				hornet_json_obj_begin(j, NULL);
				hornet_json_str(j, "syscall", pe->syscall);
				hornet_json_str(j, "mechanism", hornet_plan_enforcer_mech(pe));
				hornet_json_str(j, "attached_to", at);
				hornet_json_obj_end(j);
			}
			hornet_json_arr_end(j);
		}
		if (m->state == STATE_ENABLED &&
		    !hornet_gen_sensor__policy_stats(pm->gen, m->id, &st)) {
			hornet_json_obj_begin(j, "stats");
			hornet_json_u64(j, "events_posted", st.posted);
			hornet_json_u64(j, "matches", st.runs);
			hornet_json_u64(j, "actions_taken", st.actions);
			hornet_json_u64(j, "actions_skipped_monitor", st.actions_skipped);
			hornet_json_u64(j, "actions_refused_init", st.refused);
			hornet_json_u64(j, "rate_limited", st.rate_limited);
			hornet_json_u64(j, "events_lost", st.lost);
			if (m->plan.nr_enforcers) {
				hornet_json_u64(j, "enforcer_actions", st.enforced);
				hornet_json_u64(j, "enforcer_missed_overwritten",
						st.notify_overwritten);
				hornet_json_u64(j, "enforcer_missed_no_action", st.notify_unused);
			}
			if (m->shadow_of) {
				hornet_json_obj_begin(j, "shadow_differences");
				hornet_json_u64(j, "shadow_only", st.shadow_only);
				hornet_json_u64(j, "current_only", st.shadow_current_only);
				hornet_json_u64(j, "changed", st.shadow_changed);
				hornet_json_obj_end(j);
			}
			hornet_json_obj_end(j);
			hornet_json_u64(j, "kernel_memory_bytes",
					hornet_gen_sensor__policy_memory(pm->gen, m->id));
		}
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
}

void hornet_pm__stats(const struct hornet_pm *pm, struct hornet_pm_stats *s)
{
	const struct managed *m;

	memset(s, 0, sizeof(*s));
	for (m = pm->list; m; m = m->next) {
		if (m->state != STATE_ENABLED)
			s->errors++;
		else if (m->disabled)
			s->disabled++;
		else
			s->enabled++;
		if (m->update_error[0])
			s->update_errors++;
	}
}
