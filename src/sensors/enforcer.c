// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "enforcer.skel.h"
#include "sensors/enforcer.h"
#include "util/bpffs.h"

struct hornet_policy_enforcer {
	struct hornet_enforcer *skel;
	struct bpf_link **links;
	size_t nr_links;
};

static int add_link(struct hornet_policy_enforcer *e, struct bpf_link *l)
{
	if (!l)
		return -errno;
	e->links[e->nr_links++] = l;
	return 0;
}

static bool any_override(const struct hornet_plan_enforcer *pe, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pe[i].override)
			return true;
	return false;
}

static int load(struct hornet_policy_enforcer *e, const struct hornet_plan_enforcer *pe, size_t n,
		const struct hornet_enforcer_opts *opts)
{
	int err;

	e->skel = hornet_enforcer__open();
	if (!e->skel)
		return -errno;
	e->skel->rodata->enf_policy_id = opts->policy_id;
	/* the override needs bpf_override_return(), which not every kernel has */
	bpf_program__set_autoload(e->skel->progs.hornet_enf_kprobe, any_override(pe, n));
	err = bpf_map__reuse_fd(e->skel->maps.hornet_notify, opts->notify_fd);
	if (!err)
		err = bpf_map__reuse_fd(e->skel->maps.hornet_policy_stats, opts->stats_fd);
	return err ?: hornet_enforcer__load(e->skel);
}

/* The thread-exit link first, then per syscall the entry's and the exit's. */
static int attach(struct hornet_policy_enforcer *e, const struct hornet_plan_enforcer *pe, size_t n,
		  char *err, size_t err_size)
{
	char ev[96];
	size_t i;
	int ret;

	ret = add_link(e, bpf_program__attach_tracepoint(e->skel->progs.hornet_enf_gone, "sched",
							 "sched_process_exit"));
	if (ret) {
		snprintf(err, err_size, "enforcer: attach to sched/sched_process_exit: %s",
			 strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (pe[i].override) {
			ret = add_link(e,
				       bpf_program__attach_kprobe(e->skel->progs.hornet_enf_kprobe,
								  false, pe[i].function));
		} else {
			snprintf(ev, sizeof(ev), "sys_enter_%s", pe[i].syscall);
			ret = add_link(e, bpf_program__attach_tracepoint(
						  e->skel->progs.hornet_enf_enter, "syscalls", ev));
		}
		if (!ret) {
			snprintf(ev, sizeof(ev), "sys_exit_%s", pe[i].syscall);
			ret = add_link(e, bpf_program__attach_tracepoint(
						  e->skel->progs.hornet_enf_exit, "syscalls", ev));
		}
		if (ret) {
			snprintf(err, err_size, "enforcer: attach to '%s'%s: %s", pe[i].syscall,
				 pe[i].override ? " (kprobe with override)" : "", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* --keep-enforcement: the agent's pid first, as the policy engine's pins. */
static int pin(struct hornet_policy_enforcer *e, const struct hornet_enforcer_opts *opts, char *err,
	       size_t err_size)
{
	char name[96], path[4096];
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < e->nr_links; i++) {
		snprintf(name, sizeof(name), HORNET_BPFFS_LINK_PREFIX "enf_%d_%u_%zu", getpid(),
			 opts->policy_id, i);
		ret = hornet_bpffs_path(path, sizeof(path), opts->pin_dir, name)
			      ?: bpf_link__pin(e->links[i], path);
	}
	if (ret)
		snprintf(err, err_size, "enforcer: --keep-enforcement: pin in '%s': %s",
			 opts->pin_dir, strerror(-ret));
	return ret;
}

struct hornet_policy_enforcer *
hornet_policy_enforcer__attach(const struct hornet_plan_enforcer *pe, size_t n,
			       const struct hornet_enforcer_opts *opts, char *err, size_t err_size)
{
	struct hornet_policy_enforcer *e = calloc(1, sizeof(*e));
	int ret;

	if (!e || !(e->links = calloc(2 * n + 1, sizeof(*e->links)))) {
		free(e);
		snprintf(err, err_size, "enforcer: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	ret = load(e, pe, n, opts);
	if (ret)
		snprintf(err, err_size, "enforcer: load: %s", strerror(-ret));
	else
		ret = attach(e, pe, n, err, err_size);
	if (!ret && opts->pin_dir)
		ret = pin(e, opts, err, err_size);
	if (!ret)
		return e;
	hornet_policy_enforcer__free(e, true);
	errno = -ret;
	return NULL;
}

void hornet_policy_enforcer__free(struct hornet_policy_enforcer *e, bool unpin)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nr_links; i++) {
		if (unpin && bpf_link__pin_path(e->links[i]))
			bpf_link__unpin(e->links[i]);
		bpf_link__destroy(e->links[i]);
	}
	free(e->links);
	hornet_enforcer__destroy(e->skel);
	free(e);
}
