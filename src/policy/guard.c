// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "policy/guard.h"

static void read_exe(const char *link, char *buf, size_t size)
{
	ssize_t n = readlink(link, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

void hornet_guard_init(struct hornet_guard *g)
{
	static char self[PATH_MAX], init[PATH_MAX];

	read_exe("/proc/self/exe", self, sizeof(self));
	/* readable by root only; a sandbox's init may hide it: then only pids guard */
	read_exe("/proc/1/exe", init, sizeof(init));
	g->self_pid = getpid();
	g->self_exe = self[0] ? self : NULL;
	g->init_exe = init[0] ? init : NULL;
}

static bool is_kill(const struct hornet_selector *s, const char **name)
{
	size_t i;

	/* matchActions, then matchReturnActions */
	for (i = 0; i < s->nr_actions + s->nr_return_actions; i++) {
		const struct hornet_match_action *a =
			i < s->nr_actions ? &s->actions[i] : &s->return_actions[i - s->nr_actions];

		switch (a->action) {
		case HORNET_ACTION_SIGKILL:
		case HORNET_ACTION_SIGNAL:
		case HORNET_ACTION_OVERRIDE:
			*name = hornet_action_name(a->action);
			return true;
		default:
			break;
		}
	}
	return false;
}

/*
 * A matchPIDs In whose every value is 1 or the agent. Namespace pids are
 * left alone: pid 1 there is each container's init, which a policy may
 * kill as Tetragon lets it, and the kernel side still spares the host's.
 */
static bool pids_only_guarded(const struct hornet_match_pids *m, const struct hornet_guard *g)
{
	size_t i;

	if (m->op != HORNET_OP_IN || m->is_namespace_pid || !m->values.n)
		return false;
	for (i = 0; i < m->values.n; i++)
		if (m->values.v[i].num != 1 && m->values.v[i].num != g->self_pid)
			return false;
	return true;
}

static bool bins_only_guarded(const struct hornet_match_binaries *m, const struct hornet_guard *g)
{
	const char *v;
	size_t i;

	if (m->op != HORNET_OP_IN || !m->values.n)
		return false;
	for (i = 0; i < m->values.n; i++) {
		v = m->values.v[i].str;
		if (!(g->self_exe && !strcmp(v, g->self_exe)) &&
		    !(g->init_exe && !strcmp(v, g->init_exe)))
			return false;
	}
	return true;
}

/* "[1, 4242]" of @vals, cut to fit. */
static void values_text(const struct hornet_values *vals, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < vals->n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "", vals->v[i].str);
}

/* "spec.KIND[N] 'CALL': selectors[I]: FILTER In [VALUES]: a ACTION aimed only at WHY" */
static int refuse(const struct hornet_hook *h, size_t sel, const char *filter,
		  const struct hornet_values *vals, const char *action, const char *why, char *err,
		  size_t err_size)
{
	char text[160];

	values_text(vals, text, sizeof(text));
	snprintf(err, err_size,
		 "spec.%s[%u] '%s': selectors[%zu]: %s In [%s]: %s %s aimed only at %s",
		 hornet_hook_kind_name(h->kind), h->index, h->call ? h->call : "", sel, filter,
		 text, strchr("AEIOU", action[0]) ? "an" : "a", action, why);
	return -EPERM;
}

int hornet_guard_check(const struct hornet_policy *p, const struct hornet_guard *g, char *err,
		       size_t err_size)
{
	const struct hornet_selector *s;
	const char *action;
	char why[160];
	size_t h, i, k;

	snprintf(why, sizeof(why),
		 "pid 1 (init: its death panics the kernel) or at the agent itself (pid %u: its "
		 "death ends every policy) is refused",
		 g->self_pid);
	for (h = 0; h < p->nr_hooks; h++) {
		for (i = 0; i < p->hooks[h].nr_selectors; i++) {
			s = &p->hooks[h].selectors[i];
			if (!is_kill(s, &action))
				continue;
			for (k = 0; k < s->nr_pids; k++)
				if (pids_only_guarded(&s->pids[k], g))
					return refuse(&p->hooks[h], i, "matchPIDs",
						      &s->pids[k].values, action, why, err,
						      err_size);
			for (k = 0; k < s->nr_binaries; k++)
				if (bins_only_guarded(&s->binaries[k], g))
					return refuse(
						&p->hooks[h], i, "matchBinaries",
						&s->binaries[k].values, action,
						"the agent's own binary or at init's is refused "
						"(the agent and pid 1 must not be killed)",
						err, err_size);
		}
	}
	return 0;
}
