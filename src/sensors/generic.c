// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <uthash.h>

#include <hornet/generic.h>

#include "generic.skel.h"
#include "process/binhash.h"
#include "sensors/generic.h"
#include "sensors/generic_btf.h"
#include "sensors/generic_decode.h"
#include "util/bpffs.h"
#include "util/clock.h"
#include "util/intern.h"
#include "util/kbtf.h"
#include "util/ksyms.h"
#include "util/links.h"
#include "util/log.h"

/* What an event needs to be decoded, copied from the policy so that events
 * still in the ring buffer after a policy is gone can be recognized. */
struct gen_user {
	uint32_t policy_id;
	uint32_t hook_id;
	struct hornet_render_hook info;
};

/* One generation of a point: its users and how their arguments were read. */
struct gen_record {
	uint32_t generation;
	struct gen_user *users;
	size_t nr_users;
};

/* A program of an instance, kept past its skeleton (for each_prog()). */
struct gen_prog {
	int fd;
	char name[48];
};

struct gen_point {
	UT_hash_handle hh;
	char key[512];
	uint32_t point_id;
	uint32_t generation;
	struct hornet_generic *skel; /* until loaded and attached: see drop_skel() */
	struct bpf_link *links[2];
	struct gen_prog progs[2]; /* its loaded programs, once the skeleton is gone */
	unsigned int nr_progs;
	struct gen_record cur, prev;
	uint32_t *policies; /* policy ids of the users, for memory attribution */
	size_t nr_policies;
	uint64_t memory; /* bytes of the instance's own maps */
};

struct hornet_gen_sensor {
	struct hornet_generic_opts opts;
	struct hornet_generic *master; /* holds the shared maps */
	struct gen_point *points;
	uint32_t next_point_id;
	struct hornet_ksyms *ksyms; /* loaded when a stack trace first arrives */
	uint64_t events;
	uint64_t stale;
	int core_btf_fd; /* the kernel's BTF cut for CO-RE (generic_btf.h), or -1 */
	char core_btf_path[32];
	int standin_fd; /* the stand-in for BTF-id attach targets (generic_btf.h), or -1 */
	bool core_btf_cut; /* tried, with the master's load */
	struct hornet_binhash *ima; /* imaHash's file hashes, made at the first */
};

#define HORNET_STACK_DEPTH 127 /* the stack map's value: 127 addresses */

/* Shared by every instance (not by other sensors): the master's. */
static const char *const shared_gen_maps[] = {
	"hornet_gen_active",  "hornet_policy_state", "hornet_policy_stats", "hornet_rate",
	"hornet_stacks",      "hornet_socks",	     "hornet_stash",	    "hornet_gen_heap",
	"hornet_scratch_map", "hornet_self",	     "hornet_notify",
};

/* The types of @cfg's specs, bit per enum hornet_gen_type (hornet_gen_types). */
static __u32 spec_types(const struct hornet_gen_cfg *cfg)
{
	__u32 t = 0, i;

	for (i = 0; i < cfg->nr_specs && i < HORNET_GEN_MAX_SPECS; i++)
		t |= 1u << (cfg->specs[i].type & 31);
	return t;
}

static struct bpf_program *prog_for(struct hornet_generic *skel, const struct hornet_plan_hook *ph,
				    struct bpf_program **entry)
{
	enum hornet_mech m = ph->mech;

	*entry = NULL;
	switch (m) {
	case HORNET_MECH_LSM:
		return skel->progs.hornet_gen_lsm;
	case HORNET_MECH_FENTRY:
		return skel->progs.hornet_gen_fentry;
	case HORNET_MECH_FEXIT:
		return skel->progs.hornet_gen_fexit;
	case HORNET_MECH_FMOD_RET:
		return skel->progs.hornet_gen_fmod_ret;
	case HORNET_MECH_KPROBE:
		return ph->override ? skel->progs.hornet_gen_kprobe_override
				    : skel->progs.hornet_gen_kprobe;
	case HORNET_MECH_KRETPROBE:
		*entry = skel->progs.hornet_gen_kprobe_entry;
		return skel->progs.hornet_gen_kretprobe;
	case HORNET_MECH_TRACEPOINT:
		return skel->progs.hornet_gen_tracepoint;
	case HORNET_MECH_TP_RET:
		*entry = skel->progs.hornet_gen_tp_enter;
		return skel->progs.hornet_gen_tp_exit;
	case HORNET_MECH_TP_BTF:
		return skel->progs.hornet_gen_tp_btf;
	case HORNET_MECH_RAW_TP:
		return skel->progs.hornet_gen_raw_tp;
	case HORNET_MECH_UPROBE:
		return skel->progs.hornet_gen_uprobe;
	case HORNET_MECH_URETPROBE:
		return skel->progs.hornet_gen_uretprobe;
	case HORNET_MECH_USDT:
		return skel->progs.hornet_gen_usdt;
	case HORNET_MECH_CGROUP_CONNECT:
		*entry = skel->progs.hornet_gen_connect6; /* both families */
		return skel->progs.hornet_gen_connect4;
	case HORNET_MECH_CGROUP_SENDMSG:
		*entry = skel->progs.hornet_gen_sendmsg6;
		return skel->progs.hornet_gen_sendmsg4;
	default:
		return NULL;
	}
}

static void no_autoload(struct hornet_generic *skel)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(p, false);
}

static int reuse(struct hornet_generic *skel, const char *name, int fd)
{
	struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, name);

	return m ? bpf_map__reuse_fd(m, fd) : -ENOENT;
}

static int reuse_shared(struct hornet_gen_sensor *g, struct hornet_generic *skel, bool master)
{
	unsigned int i;
	int err;

	err = hornet_shared_maps__reuse(g->opts.maps, skel->obj);
	if (err || master)
		return err;
	for (i = 0; i < sizeof(shared_gen_maps) / sizeof(shared_gen_maps[0]); i++) {
		struct bpf_map *m =
			bpf_object__find_map_by_name(g->master->obj, shared_gen_maps[i]);

		err = m ? reuse(skel, shared_gen_maps[i], bpf_map__fd(m)) : -ENOENT;
		if (err)
			return err;
	}
	return 0;
}

/*
 * The kernel's BTF once, cut to what the instances' relocations need: each
 * instance then parses a few hundred types instead of the whole kernel's.
 * Without it (the cut failed) each instance reads the kernel's, as before.
 */
static void cut_core_btf(struct hornet_gen_sensor *g)
{
	/* the object's own BTF, from an open that is not loaded */
	struct hornet_generic *tmp = hornet_generic__open();
	struct btf *vmlinux = tmp ? hornet_kbtf_get() : NULL;
	int fd;

	g->core_btf_fd = -1;
	g->standin_fd = -1;
	fd = vmlinux ? hornet_gen_core_btf(vmlinux, bpf_object__btf(tmp->obj)) : -errno;
	if (fd >= 0) {
		/* of use only with the cut: the stand-in cannot serve CO-RE */
		g->standin_fd = hornet_gen_standin_btf(vmlinux);
		if (g->standin_fd < 0)
			pr_debug("sensor 'generic': no stand-in for the kernel's BTF (%s)",
				 strerror(-g->standin_fd));
	}
	hornet_kbtf_put(vmlinux);
	hornet_generic__destroy(tmp);
	if (fd < 0) {
		pr_debug("sensor 'generic': no cut of the kernel's BTF (%s): each instance "
			 "reads the whole",
			 strerror(-fd));
		return;
	}
	g->core_btf_fd = fd;
	snprintf(g->core_btf_path, sizeof(g->core_btf_path), "/proc/self/fd/%d", fd);
}

struct hornet_gen_sensor *hornet_gen_sensor__new(const struct hornet_generic_opts *opts)
{
	struct hornet_gen_sensor *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->opts = *opts;
	g->next_point_id = 1;
	/* cut with the master (load_master()): not for a start without policies */
	g->core_btf_fd = -1;
	g->standin_fd = -1;
	return g;
}

/*
 * The master object, which holds the maps the instances share, loaded with
 * the first policy: its maps (preallocated LRU hashes of 65,536 and 32,768
 * entries among them) and its load were some 50 ms of a start without
 * policies.
 */
static int load_master(struct hornet_gen_sensor *g)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	int err;

	if (g->master)
		return 0;
	/*
	 * The cut before the first instance: a start without policies has no
	 * use for it (13-17 ms of its ready time here). At a start with
	 * policies, and at a policy's add, the planner holds the kernel's BTF
	 * now (util/kbtf.h), so the cut parses nothing again. The master
	 * relocates against the cut too.
	 */
	if (!g->core_btf_cut) {
		g->core_btf_cut = true;
		cut_core_btf(g);
	}
	oo.btf_custom_path = g->core_btf_fd >= 0 ? g->core_btf_path : NULL;
	g->master = hornet_generic__open_opts(&oo);
	if (!g->master)
		return -errno;
	no_autoload(g->master);
	err = reuse_shared(g, g->master, true);
	if (!err)
		err = hornet_generic__load(g->master);
	if (!err) {
		__u32 zero = 0, self = getpid();

		if (bpf_map_update_elem(bpf_map__fd(g->master->maps.hornet_self), &zero, &self,
					BPF_ANY))
			err = -errno;
	}
	if (err) {
		pr_err("sensor 'generic': maps shared by its instances: %s", strerror(-err));
		hornet_generic__destroy(g->master);
		g->master = NULL;
	}
	return err;
}

static void record_free(struct gen_record *r)
{
	size_t i;

	for (i = 0; i < r->nr_users; i++)
		hornet_render_hook_free(&r->users[i].info);
	free(r->users);
	memset(r, 0, sizeof(*r));
}

static void point_free(struct gen_point *p)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		bpf_link__destroy(p->links[i]);
	hornet_generic__destroy(p->skel);
	for (i = 0; i < p->nr_progs; i++)
		close(p->progs[i].fd);
	record_free(&p->cur);
	record_free(&p->prev);
	free(p->policies);
	free(p);
}

/* Every point's links at once (util/links.h says why): the stop is then prompt. */
static void detach_all(struct hornet_gen_sensor *g)
{
	size_t n = 0, nr = 2 * HASH_COUNT(g->points);
	struct bpf_link **links = nr ? calloc(nr, sizeof(*links)) : NULL;
	struct gen_point *p, *tmp;
	unsigned int i;

	if (!links)
		return; /* point_free() detaches them one by one */
	HASH_ITER(hh, g->points, p, tmp)
	{
		for (i = 0; i < 2; i++) {
			links[n++] = p->links[i];
			p->links[i] = NULL;
		}
	}
	hornet_links_destroy(links, n);
	free(links);
}

void hornet_gen_sensor__free(struct hornet_gen_sensor *g)
{
	struct gen_point *p, *tmp;

	if (!g)
		return;
	detach_all(g);
	HASH_ITER(hh, g->points, p, tmp)
	{
		HASH_DEL(g->points, p);
		point_free(p);
	}
	hornet_generic__destroy(g->master);
	hornet_ksyms__free(g->ksyms);
	hornet_binhash__free(g->ima);
	if (g->core_btf_fd >= 0)
		close(g->core_btf_fd);
	if (g->standin_fd >= 0)
		close(g->standin_fd);
	free(g);
}

static int set_size(struct bpf_map *m, size_t n)
{
	return bpf_map__set_max_entries(m, n ? n : 1);
}

static int fill(int fd, const void *key, const void *val)
{
	return bpf_map_update_elem(fd, key, val, BPF_ANY) ? -errno : 0;
}

static int fill_maps(struct hornet_generic *skel, const struct hornet_point_config *c)
{
	uint32_t i;
	int err = 0;

	for (i = 0; i < c->cfg.nr_sels && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_sels), &i, &c->sels[i]);
	for (i = 0; i < c->nr_slots && !err; i++)
		if (c->slot_sels[i].words)
			err = fill(bpf_map__fd(skel->maps.hornet_slot_sels), &i, &c->slot_sels[i]);
	for (i = 0; i < c->cfg.nr_filters && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_filters), &i, &c->filters[i]);
	for (i = 0; i < c->nr_substr && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_substr), &i, &c->substr[i]);
	for (i = 0; i < c->nr_cel && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_cel), &i, &c->cel[i]);
	for (i = 0; i < c->nr_str_eq && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_str_eq), &c->str_eq[i].key,
			   &c->str_eq[i].bits);
	for (i = 0; i < c->nr_str_prefix && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_str_prefix), &c->str_prefix[i].key,
			   &c->str_prefix[i].bits);
	for (i = 0; i < c->nr_str_postfix && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_str_postfix), &c->str_postfix[i].key,
			   &c->str_postfix[i].bits);
	for (i = 0; i < c->nr_int_eq && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_int_eq), &c->int_eq[i].key,
			   &c->int_eq[i].bits);
	for (i = 0; i < c->nr_addr && !err; i++)
		err = fill(bpf_map__fd(skel->maps.hornet_addr), &c->addr[i].key, &c->addr[i].bits);
	for (i = 0; c->prefilter && i < HORNET_PREFILTER_ALL_WORDS && !err; i++)
		if (c->prefilter[i])
			err = fill(bpf_map__fd(skel->maps.hornet_str_pre), &i, &c->prefilter[i]);
	return err;
}

/* followChildren binaries go to the exec sensor; existing processes (and
 * their descendants) and followForks pids are marked in the table now. */
static void apply_follow(struct hornet_gen_sensor *g, const struct hornet_point_config *c)
{
	int eq = g->opts.maps->follow_eq;
	int pre = g->opts.maps->follow_prefix;
	int procs = g->opts.maps->procs;
	uint32_t key, next, *prev = NULL;
	struct hornet_proc proc;
	uint64_t v;
	size_t i;
	int pass;

	for (i = 0; i < c->nr_follow; i++) {
		const struct hornet_follow_entry *f = &c->follow[i];

		if (f->pid) {
			key = f->pid_value;
			if (!bpf_map_lookup_elem(procs, &key, &proc)) {
				proc.follow |= f->bit;
				bpf_map_update_elem(procs, &key, &proc, BPF_EXIST);
			}
		} else if (f->prefix) {
			struct hornet_lpm_str_key k = { .arg = HORNET_KEY_BINARY };

			memcpy(k.s, f->value, strnlen(f->value, sizeof(k.s)));
			k.prefixlen = 8 + 8 * strnlen(f->value, sizeof(k.s));
			v = 0;
			bpf_map_lookup_elem(pre, &k, &v);
			v |= f->bit;
			bpf_map_update_elem(pre, &k, &v, BPF_ANY);
		} else {
			struct hornet_str_key k = { .arg = HORNET_KEY_BINARY };

			memcpy(k.s, f->value, strnlen(f->value, sizeof(k.s) - 1));
			v = 0;
			bpf_map_lookup_elem(eq, &k, &v);
			v |= f->bit;
			bpf_map_update_elem(eq, &k, &v, BPF_ANY);
		}
	}
	if (!c->nr_follow)
		return;
	/* pass 0 marks running processes of the binaries; pass 1 their descendants */
	for (pass = 0; pass < 2; pass++) {
		prev = NULL;
		while (!bpf_map_get_next_key(procs, prev, &next)) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(procs, &key, &proc))
				continue;
			v = 0;
			for (i = 0; i < c->nr_follow; i++) {
				const struct hornet_follow_entry *f = &c->follow[i];
				size_t n = strlen(f->value);

				if (f->pid)
					continue;
				if (pass == 0 && (f->prefix ? !strncmp(proc.binary, f->value, n)
							    : !strcmp(proc.binary, f->value)))
					v |= f->bit;
			}
			if (pass == 1) {
				struct hornet_proc anc;
				uint32_t pp = proc.ppid;
				int depth;

				for (depth = 0; depth < 64 && pp > 1; depth++) {
					if (bpf_map_lookup_elem(procs, &pp, &anc))
						break;
					v |= anc.follow;
					pp = anc.ppid;
				}
			}
			if (v & ~proc.follow) {
				proc.follow |= v;
				bpf_map_update_elem(procs, &key, &proc, BPF_EXIST);
			}
		}
	}
}

/* 1 + the first sock or socket argument spec (TrackSock's owners), 0 none */
static uint8_t sock_spec(const struct hornet_gen_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_specs && i < HORNET_GEN_MAX_SPECS; i++)
		if ((cfg->specs[i].type == HORNET_GT_SOCK ||
		     cfg->specs[i].type == HORNET_GT_SOCKET) &&
		    cfg->specs[i].src != HORNET_SRC_RET)
			return i + 1;
	return 0;
}

static int attach(struct gen_point *p, const struct hornet_plan_hook *ph, struct bpf_program *prog,
		  struct bpf_program *entry)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	char sub[160], *ev;

	switch (ph->mech) {
	case HORNET_MECH_LSM:
		p->links[0] = bpf_program__attach_lsm(prog);
		break;
	case HORNET_MECH_FENTRY:
	case HORNET_MECH_FEXIT:
	case HORNET_MECH_FMOD_RET:
	case HORNET_MECH_TP_BTF:
		p->links[0] = bpf_program__attach_trace(prog);
		break;
	case HORNET_MECH_RAW_TP:
		p->links[0] = bpf_program__attach_raw_tracepoint(prog, ph->target);
		break;
	case HORNET_MECH_KPROBE:
		p->links[0] = bpf_program__attach_kprobe(prog, false, ph->target);
		break;
	case HORNET_MECH_KRETPROBE:
		p->links[1] = bpf_program__attach_kprobe(entry, false, ph->target);
		if (!p->links[1])
			return -errno;
		p->links[0] = bpf_program__attach_kprobe(prog, true, ph->target);
		break;
	case HORNET_MECH_TRACEPOINT:
	case HORNET_MECH_TP_RET:
		snprintf(sub, sizeof(sub), "%s", ph->target);
		ev = strchr(sub, '/');
		if (!ev)
			return -EINVAL;
		*ev++ = '\0';
		if (ph->mech == HORNET_MECH_TRACEPOINT) {
			p->links[0] = bpf_program__attach_tracepoint(prog, sub, ev);
			break;
		}
		p->links[1] = bpf_program__attach_tracepoint(entry, sub, ev);
		if (!p->links[1])
			return -errno;
		snprintf(sub, sizeof(sub), "%s", ph->target2);
		ev = strchr(sub, '/');
		if (!ev)
			return -EINVAL;
		*ev++ = '\0';
		p->links[0] = bpf_program__attach_tracepoint(prog, sub, ev);
		break;
	case HORNET_MECH_CGROUP_CONNECT:
	case HORNET_MECH_CGROUP_SENDMSG: {
		int fd = open(ph->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int err;

		if (fd < 0)
			return -errno;
		p->links[0] = bpf_program__attach_cgroup(prog, fd);
		p->links[1] = p->links[0] ? bpf_program__attach_cgroup(entry, fd) : NULL;
		err = p->links[1] ? 0 : -errno;
		close(fd);
		return err;
	}
	case HORNET_MECH_UPROBE:
	case HORNET_MECH_URETPROBE:
		uo.retprobe = ph->mech == HORNET_MECH_URETPROBE;
		if (!ph->offset)
			uo.func_name = ph->target;
		p->links[0] = bpf_program__attach_uprobe_opts(prog, -1, ph->path, ph->offset, &uo);
		break;
	case HORNET_MECH_USDT:
		/* the kernel counts the semaphore up in each process while attached */
		uo.ref_ctr_offset = ph->ref_ctr;
		p->links[0] = bpf_program__attach_uprobe_opts(prog, -1, ph->path, ph->offset, &uo);
		break;
	default:
		return -EINVAL;
	}
	return p->links[0] ? 0 : -errno;
}

static uint64_t maps_memory(struct hornet_generic *skel)
{
	static const char *const own[] = {
		"hornet_sels",	     "hornet_slot_sels",   "hornet_filters", "hornet_str_eq",
		"hornet_str_prefix", "hornet_str_postfix", "hornet_int_eq",  "hornet_addr",
		"hornet_str_pre",    "hornet_substr",	   "hornet_cel"
	};
	char path[64], line[128];
	uint64_t total = 0, v;
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(skel->obj, own[i]);

		if (!m)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", bpf_map__fd(m));
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %lu", &v) == 1)
				total += v;
		fclose(f);
	}
	return total;
}

static int build_record(struct gen_record *r, const struct hornet_point_user *users, size_t n,
			const struct hornet_point_config *c, uint32_t generation)
{
	size_t i;
	int err;

	r->generation = generation;
	r->users = calloc(n ? n : 1, sizeof(*r->users));
	if (!r->users)
		return -ENOMEM;
	r->nr_users = n;
	for (i = 0; i < n; i++) {
		r->users[i].policy_id = users[i].policy_id;
		r->users[i].hook_id = users[i].hook_id;
		err = hornet_render_hook_init(&r->users[i].info, &users[i], c->arg_spec[i],
					      c->ret_spec[i]);
		if (err)
			return err;
	}
	return 0;
}

/* A selector of @c kills, signals or denies: what --keep-enforcement pins. */
static bool enforces(const struct hornet_point_config *c)
{
	unsigned int i, j;

	for (i = 0; i < c->cfg.nr_sels; i++) {
		for (j = 0; j < c->sels[i].nr_actions && j < HORNET_GEN_MAX_ACTIONS; j++) {
			uint8_t a = c->sels[i].actions[j].action;

			if (a == HORNET_A_SIGKILL || a == HORNET_A_SIGNAL ||
			    a == HORNET_A_OVERRIDE || a == HORNET_A_NOTIFY)
				return true;
		}
	}
	return false;
}

/* Pins the links of @p under @dir: link_gen_<pid>_<point>_<generation>_<n>. */
static int point_pin(struct gen_point *p, const char *dir)
{
	char name[64], path[PATH_MAX];
	unsigned int i;
	int err;

	for (i = 0; i < 2; i++) {
		if (!p->links[i])
			continue;
		/* the agent's pid first: the next agent pins beside these until its own
		 * are attached (agent.c: take_over()) */
		snprintf(name, sizeof(name), HORNET_BPFFS_LINK_PREFIX "gen_%d_%u_%u_%u", getpid(),
			 p->point_id, p->generation, i);
		err = hornet_bpffs_path(path, sizeof(path), dir, name);
		if (!err)
			err = bpf_link__pin(p->links[i], path);
		if (err)
			return err;
	}
	return 0;
}

/* A point no longer in use: its pins go (a stop keeps them: not here). */
static void point_unpin(struct gen_point *p)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (p->links[i] && bpf_link__pin_path(p->links[i]))
			bpf_link__unpin(p->links[i]);
}

static void set_active(struct hornet_gen_sensor *g, uint32_t point_id, uint32_t generation)
{
	int fd = bpf_map__fd(g->master->maps.hornet_gen_active);

	bpf_map_update_elem(fd, &point_id, &generation, BPF_ANY);
}

static void remove_point(struct hornet_gen_sensor *g, struct gen_point *p)
{
	/* stop it first, so nothing runs between detach and free */
	set_active(g, p->point_id, 0);
	HASH_DEL(g->points, p);
	point_unpin(p);
	point_free(p);
}

/* how many instructions the verifier went through for @prog (5.16+) */
static unsigned int verified(const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.verified_insns;
}

/*
 * Opens, configures, loads, fills and attaches one instance. @standin: the
 * program attaches by BTF id and this thread sees the stand-in as the
 * kernel's BTF (generic_btf.h), so it relocates against the cut.
 */
static int load_one(struct hornet_gen_sensor *g, struct gen_point *np,
		    const struct hornet_plan_hook *ph, const struct hornet_point_config *c,
		    bool by_btf_id, bool standin, char *err, size_t err_size)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo,
		    .btf_custom_path = g->core_btf_fd >= 0 && (!by_btf_id || standin)
					       ? g->core_btf_path
					       : NULL);
	struct bpf_program *prog, *entry;
	struct hornet_generic *skel;
	unsigned long long t0, t1;
	int ret;

	skel = hornet_generic__open_opts(&oo);
	if (!skel) {
		ret = -errno;
		snprintf(err, err_size, "open: %s", strerror(-ret));
		return ret;
	}
	np->skel = skel;
	no_autoload(skel);
	prog = prog_for(skel, ph, &entry);
	if (!prog) {
		snprintf(err, err_size, "no program for hook point '%s'", np->key);
		return -EINVAL;
	}
	bpf_program__set_autoload(prog, true);
	if (entry)
		bpf_program__set_autoload(entry, true);
	switch (ph->mech) {
	case HORNET_MECH_LSM:
	case HORNET_MECH_FENTRY:
	case HORNET_MECH_FEXIT:
	case HORNET_MECH_FMOD_RET:
	case HORNET_MECH_TP_BTF:
		ret = bpf_program__set_attach_target(prog, 0, ph->target);
		if (ret) {
			snprintf(err, err_size, "attach target '%s': %s", ph->target,
				 strerror(-ret));
			return ret;
		}
		break;
	default:
		break;
	}
	skel->rodata->hornet_cfg = c->cfg;
	/* which point and generation this instance is, known here only */
	skel->rodata->hornet_cfg.point_id = np->point_id;
	skel->rodata->hornet_cfg.generation = np->generation;
	skel->rodata->hornet_cfg.self_tgid = getpid();
	skel->rodata->hornet_nr_fn_args = c->nr_fn_args < 6 ? c->nr_fn_args : 6;
	skel->rodata->hornet_gen_types = spec_types(&c->cfg);
	if (ph->mech == HORNET_MECH_USDT)
		memcpy(skel->rodata->hornet_usdt_args, ph->usdt_args, sizeof(ph->usdt_args));
	skel->rodata->hornet_sock_spec = sock_spec(&c->cfg);
	skel->rodata->hornet_wakeup_bytes = hornet_shared_maps__wakeup_bytes(g->opts.maps);
	ret = reuse_shared(g, skel, false);
	if (!ret)
		ret = set_size(skel->maps.hornet_str_pre,
			       c->prefilter ? HORNET_PREFILTER_ALL_WORDS : 1);
	if (!ret)
		ret = set_size(skel->maps.hornet_str_eq, c->nr_str_eq);
	if (!ret)
		ret = set_size(skel->maps.hornet_str_prefix, c->nr_str_prefix);
	if (!ret)
		ret = set_size(skel->maps.hornet_str_postfix, c->nr_str_postfix);
	if (!ret)
		ret = set_size(skel->maps.hornet_int_eq, c->nr_int_eq);
	if (!ret)
		ret = set_size(skel->maps.hornet_addr, c->nr_addr);
	/* arrays are allocated whole: to what the point has, not the maximum */
	if (!ret)
		ret = set_size(skel->maps.hornet_sels, c->cfg.nr_sels);
	if (!ret)
		ret = set_size(skel->maps.hornet_slot_sels, c->nr_slots);
	if (!ret)
		ret = set_size(skel->maps.hornet_substr, c->nr_substr);
	if (!ret)
		ret = set_size(skel->maps.hornet_cel, c->nr_cel);
	if (ret) {
		snprintf(err, err_size, "maps: %s", strerror(-ret));
		return ret;
	}
	t0 = (hornet_clock_ns(CLOCK_MONOTONIC) / 1000);
	ret = hornet_generic__load(skel);
	if (ret) {
		snprintf(err, err_size,
			 "load (%s): %s (--log-level debug shows the verifier's log)", np->key,
			 strerror(-ret));
		return ret;
	}
	t1 = (hornet_clock_ns(CLOCK_MONOTONIC) / 1000);
	ret = fill_maps(skel, c);
	if (ret) {
		snprintf(err, err_size, "filling maps: %s", strerror(-ret));
		return ret;
	}
	ret = attach(np, ph, prog, entry);
	if (ret)
		snprintf(err, err_size, "attach (%s): %s", np->key, strerror(-ret));
	else if (hornet_log_level >= HORNET_LOG_DEBUG)
		pr_debug("sensor 'generic': %s: loaded in %llu ms (%u+%u instructions "
			 "verified), attached in %llu ms",
			 np->key, (t1 - t0) / 1000, verified(prog), entry ? verified(entry) : 0,
			 ((hornet_clock_ns(CLOCK_MONOTONIC) / 1000) - t1) / 1000);
	return ret;
}

/* what libbpf puts before a BTF-id target's name to look it up */
static const char *btf_id_prefix(enum hornet_mech mech)
{
	if (mech == HORNET_MECH_LSM)
		return "bpf_lsm_";
	return mech == HORNET_MECH_TP_BTF ? "btf_trace_" : "";
}

static int load_instance(struct hornet_gen_sensor *g, struct gen_point *np,
			 const struct hornet_plan_hook *ph, const struct hornet_point_config *c,
			 char *err, size_t err_size)
{
	/* libbpf reads the kernel's BTF for a program attached by BTF id, to
	 * find its target: the stand-in, if this thread can have it, is read
	 * in a fifth of the time of the whole */
	bool by_btf_id = ph->mech == HORNET_MECH_LSM || ph->mech == HORNET_MECH_FENTRY ||
			 ph->mech == HORNET_MECH_FEXIT || ph->mech == HORNET_MECH_FMOD_RET ||
			 ph->mech == HORNET_MECH_TP_BTF;
	bool standin = false;
	char name[sizeof(ph->target) + 16];
	int ret;

	/* not on the main thread: the event loop stays in the agent's mount
	 * namespace, where a mount made on the host later shows (the loader
	 * thread of the start ends, and its namespace with it) */
	if (by_btf_id && g->core_btf_fd >= 0 && g->standin_fd >= 0 && gettid() != getpid()) {
		/* the name libbpf looks up for the target */
		snprintf(name, sizeof(name), "%s%s", btf_id_prefix(ph->mech), ph->target);
		ret = hornet_gen_standin_enter_for(g->standin_fd, name);
		standin = !ret;
		if (ret)
			pr_debug("sensor 'generic': %s reads the whole kernel BTF: %s", np->key,
				 strerror(-ret));
	}
	ret = load_one(g, np, ph, c, by_btf_id, standin, err, err_size);
	if (standin)
		hornet_gen_standin_leave();
	return ret;
}

/*
 * Once attached, an instance needs its skeleton no more: the links hold the
 * programs and they their maps. What libbpf keeps per object (its BTF and
 * BTF.ext copies, programs' instructions, about 0.3-0.6 MB) was most of the
 * agent's memory with the default pack; only the programs' descriptors and
 * names stay, for each_prog(). Kept whole when a descriptor cannot be copied.
 */
static void drop_skel(struct gen_point *p)
{
	struct bpf_program *prog;
	struct gen_prog progs[2];
	unsigned int i, n = 0;

	bpf_object__for_each_program(prog, p->skel->obj)
	{
		if (bpf_program__fd(prog) < 0)
			continue; /* not this point's: never loaded */
		if (n == 2)
			goto keep;
		progs[n].fd = fcntl(bpf_program__fd(prog), F_DUPFD_CLOEXEC, 0);
		if (progs[n].fd < 0)
			goto keep;
		snprintf(progs[n].name, sizeof(progs[n].name), "%s", bpf_program__name(prog));
		n++;
	}
	memcpy(p->progs, progs, sizeof(progs));
	p->nr_progs = n;
	hornet_generic__destroy(p->skel);
	p->skel = NULL;
	return;
keep:
	for (i = 0; i < n; i++)
		close(progs[i].fd);
}

int hornet_gen_sensor__set_point(struct hornet_gen_sensor *g, const char *key,
				 const struct hornet_point_user *users, size_t nr_users,
				 const struct hornet_point_config *cfg, char *err, size_t err_size)
{
	struct gen_point *p, *np;
	size_t i;
	int ret;

	HASH_FIND_STR(g->points, key, p);
	if (!nr_users) {
		if (p)
			remove_point(g, p);
		return 0;
	}
	ret = load_master(g);
	if (ret) {
		snprintf(err, err_size, "maps shared by the instances: %s", strerror(-ret));
		return ret;
	}
	np = calloc(1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	snprintf(np->key, sizeof(np->key), "%s", key);
	np->point_id = p ? p->point_id : g->next_point_id++;
	np->generation = p ? p->generation + 1 : 1;
	if (np->point_id >= 4096) {
		snprintf(err, err_size, "more than 4095 hook points");
		ret = -E2BIG;
		goto fail;
	}
	ret = build_record(&np->cur, users, nr_users, cfg, np->generation);
	if (ret) {
		snprintf(err, err_size, "out of memory");
		goto fail;
	}
	np->policies = calloc(nr_users, sizeof(*np->policies));
	if (!np->policies) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < nr_users; i++) {
		size_t k;

		for (k = 0; k < np->nr_policies; k++)
			if (np->policies[k] == users[i].policy_id)
				break;
		if (k == np->nr_policies)
			np->policies[np->nr_policies++] = users[i].policy_id;
	}
	ret = load_instance(g, np, users[0].ph, cfg, err, err_size);
	if (ret)
		goto fail;
	if (g->opts.pin_dir && enforces(cfg)) {
		ret = point_pin(np, g->opts.pin_dir);
		if (ret) {
			snprintf(err, err_size, "--keep-enforcement: pin in '%s': %s",
				 g->opts.pin_dir, strerror(-ret));
			goto fail;
		}
	}
	np->memory = maps_memory(np->skel);
	drop_skel(np);
	apply_follow(g, cfg);

	/* the switch: the new instance runs from now, the old one no more */
	set_active(g, np->point_id, np->generation);
	if (p) {
		/* events of the old generation may still be queued: keep how to read them */
		np->prev = p->cur;
		memset(&p->cur, 0, sizeof(p->cur));
		HASH_DEL(g->points, p);
		point_unpin(p);
		point_free(p);
	}
	HASH_ADD_STR(g->points, key, np);
	return 0;
fail:
	point_unpin(np);
	point_free(np);
	return ret;
}

int hornet_gen_sensor__policy_state(struct hornet_gen_sensor *g, uint32_t policy_id, bool enabled,
				    bool monitor)
{
	struct hornet_policy_state st = {
		.flags = (enabled ? HORNET_POLICY_ENABLED : 0) |
			 (monitor ? HORNET_POLICY_MONITOR : 0),
	};
	int fd, err = load_master(g);

	if (err)
		return err;
	if (policy_id >= 4096)
		return -E2BIG;
	fd = bpf_map__fd(g->master->maps.hornet_policy_state);
	return bpf_map_update_elem(fd, &policy_id, &st, BPF_ANY) ? -errno : 0;
}

int hornet_gen_sensor__policy_promoted(struct hornet_gen_sensor *g, uint32_t policy_id, bool on)
{
	struct hornet_policy_state st = {};
	int fd, err = load_master(g);

	if (err)
		return err;
	fd = bpf_map__fd(g->master->maps.hornet_policy_state);
	if (bpf_map_lookup_elem(fd, &policy_id, &st))
		return -errno;
	st.flags = on ? st.flags | HORNET_POLICY_PROMOTED : st.flags & ~HORNET_POLICY_PROMOTED;
	return bpf_map_update_elem(fd, &policy_id, &st, BPF_EXIST) ? -errno : 0;
}

const char *hornet_gen_sensor__pin_dir(const struct hornet_gen_sensor *g)
{
	return g->opts.pin_dir;
}

int hornet_gen_sensor__map_fd(struct hornet_gen_sensor *g, const char *name)
{
	struct bpf_map *m;
	int err = load_master(g);

	if (err)
		return err;
	m = bpf_object__find_map_by_name(g->master->obj, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}

int hornet_gen_sensor__policy_stats(const struct hornet_gen_sensor *g, uint32_t policy_id,
				    struct hornet_policy_stats *out)
{
	int ncpus = libbpf_num_possible_cpus(), c, fd;
	struct hornet_policy_stats *v;

	memset(out, 0, sizeof(*out));
	if (!g->master)
		return 0; /* no policy has run yet */
	if (ncpus <= 0)
		return -EINVAL;
	fd = bpf_map__fd(g->master->maps.hornet_policy_stats);
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &policy_id, v)) {
		free(v);
		return -errno;
	}
	for (c = 0; c < ncpus; c++) {
		out->posted += v[c].posted;
		out->actions += v[c].actions;
		out->actions_skipped += v[c].actions_skipped;
		out->rate_limited += v[c].rate_limited;
		out->lost += v[c].lost;
		out->runs += v[c].runs;
		out->refused += v[c].refused;
		out->enforced += v[c].enforced;
		out->notify_overwritten += v[c].notify_overwritten;
		out->notify_unused += v[c].notify_unused;
		out->shadow_only += v[c].shadow_only;
		out->shadow_current_only += v[c].shadow_current_only;
		out->shadow_changed += v[c].shadow_changed;
	}
	free(v);
	return 0;
}

uint64_t hornet_gen_sensor__policy_memory(const struct hornet_gen_sensor *g, uint32_t policy_id)
{
	struct gen_point *p, *tmp;
	uint64_t total = 0;
	size_t i;

	HASH_ITER(hh, g->points, p, tmp)
	{
		for (i = 0; i < p->nr_policies; i++)
			if (p->policies[i] == policy_id)
				total += p->memory / p->nr_policies;
	}
	return total;
}

int hornet_gen_sensor__each_prog(const struct hornet_gen_sensor *g, hornet_gen_prog_fn fn,
				 void *ctx)
{
	struct gen_point *p, *tmp;
	struct bpf_program *prog;
	unsigned int i;
	int ret = 0;

	HASH_ITER(hh, g->points, p, tmp)
	{
		for (i = 0; !ret && i < p->nr_progs; i++)
			ret = fn(ctx, p->progs[i].fd, p->progs[i].name, p->key, p->policies,
				 p->nr_policies);
		for (prog = p->skel ? bpf_object__next_program(p->skel->obj, NULL) : NULL;
		     !ret && prog; prog = bpf_object__next_program(p->skel->obj, prog)) {
			if (bpf_program__fd(prog) < 0)
				continue; /* not this point's: never loaded */
			ret = fn(ctx, bpf_program__fd(prog), bpf_program__name(prog), p->key,
				 p->policies, p->nr_policies);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Resets a policy's counters, so a new policy with a reused id starts at 0. */
void hornet_gen_sensor__policy_reset(struct hornet_gen_sensor *g, uint32_t policy_id)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hornet_policy_stats *v;
	int fd;

	if (ncpus <= 0 || !g->master)
		return; /* without a master, no counter yet */
	fd = bpf_map__fd(g->master->maps.hornet_policy_stats);
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return;
	bpf_map_update_elem(fd, &policy_id, v, BPF_ANY);
	free(v);
}

static const struct gen_user *find_user(const struct gen_point *p, uint32_t generation,
					uint32_t policy_id, uint32_t hook_id)
{
	const struct gen_record *r = p->cur.generation == generation	? &p->cur
				     : p->prev.generation == generation ? &p->prev
									: NULL;
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < r->nr_users; i++)
		if (r->users[i].policy_id == policy_id && r->users[i].hook_id == hook_id)
			return &r->users[i];
	return NULL;
}

/* Reads stack trace @id into @f and frees its slot (each trace is read once). */
static size_t take_stack(int fd, int32_t stack_id, struct hornet_stack_frame *f)
{
	uint64_t stack[HORNET_STACK_DEPTH] = {};
	uint32_t id = stack_id;
	size_t n = 0;

	if (!bpf_map_lookup_elem(fd, &id, stack))
		for (; n < HORNET_STACK_DEPTH && stack[n]; n++)
			f[n].address = stack[n];
	bpf_map_delete_elem(fd, &id);
	return n;
}

/* Reads the event's stack traces and resolves their frames. */
static void read_stacks(struct hornet_gen_sensor *g, const struct hornet_gen_event *e,
			struct hornet_stack_frame *kf, struct hornet_stack_frame *uf,
			struct hornet_policy_event *pe)
{
	int fd = bpf_map__fd(g->master->maps.hornet_stacks);
	char module[4096];
	size_t i;

	if (e->kstack_id >= 0) {
		if (!g->ksyms)
			g->ksyms = hornet_ksyms__load();
		memset(kf, 0, HORNET_STACK_DEPTH * sizeof(*kf));
		pe->kernel_stack = kf;
		pe->nr_kernel_stack = take_stack(fd, e->kstack_id, kf);
		for (i = 0; i < pe->nr_kernel_stack; i++)
			kf[i].name = hornet_ksyms__find(g->ksyms, kf[i].address, &kf[i].offset);
	}
	if (e->ustack_id >= 0) {
		memset(uf, 0, HORNET_STACK_DEPTH * sizeof(*uf));
		pe->user_stack = uf;
		pe->nr_user_stack = take_stack(fd, e->ustack_id, uf);
		/* the process may be gone already: then only the address */
		for (i = 0; i < pe->nr_user_stack; i++)
			if (!hornet_user_addr(e->pid, uf[i].address, module, sizeof(module),
					      &uf[i].offset))
				uf[i].name = strdup(module);
	}
}

/*
 * The kernel posts a record for a selector's GetUrl or DnsLookup even with
 * NoPost: user space takes the action, and with NoPost exports nothing. Decided
 * here from the selector, so that the programs pay no instruction for it.
 */
static bool user_only(const struct hornet_render_hook *r, const struct hornet_gen_event *e)
{
	unsigned int a;

	if (!(e->flags & HORNET_GEN_EV_USER_ACTION) || e->sel >= HORNET_POLICY_MAX_SELECTORS)
		return false;
	for (a = 0; a < HORNET_POLICY_MAX_ACTIONS; a++)
		if (r->user_actions[e->sel][a].action == HORNET_ACTION_NOPOST)
			return true;
	return false;
}

/*
 * Post with imaHash: the SHA-256 of the event's first file argument, which
 * hornet computes in user space (not the kernel's IMA, which needs a
 * sleepable BPF LSM program), by path, once per file version (the cache of
 * process/binhash.h): "sha256:<hex>", or NULL when there is no such argument
 * or the file cannot be read.
 */
static const char *file_hash(struct hornet_gen_sensor *g, const struct hornet_policy_event *pe,
			     char out[HORNET_BINHASH_LEN])
{
	char path[4096];
	size_t i;

	for (i = 0; i < pe->nr_args; i++) {
		const struct hornet_arg_val *v = &pe->args[i];

		if (v->kind != HORNET_VAL_FILE && v->kind != HORNET_VAL_PATH &&
		    v->kind != HORNET_VAL_BINPRM)
			continue;
		if (!v->file.path || !v->file.path_len || v->file.path_len >= sizeof(path) ||
		    v->file.path[0] != '/')
			return NULL;
		if (!g->ima && !(g->ima = hornet_binhash__new(256, 1ULL << 30)))
			return NULL;
		memcpy(path, v->file.path, v->file.path_len);
		path[v->file.path_len] = '\0';
		/* stat first: a file the cache has is not opened again */
		return hornet_binhash__path(g->ima, path, out) ? NULL : out;
	}
	return NULL;
}

int hornet_gen_sensor__handle(struct hornet_gen_sensor *g, const void *data, size_t size)
{
	char ima[HORNET_BINHASH_LEN];
	const struct hornet_gen_event *e = data;
	/* zeroed by read_stacks() when used: 6 KiB cleared per event was 4% of the agent's CPU */
	struct hornet_stack_frame kf[HORNET_STACK_DEPTH], uf[HORNET_STACK_DEPTH];
	struct hornet_process *proc, *tmp = NULL;
	const struct gen_user *u = NULL;
	struct gen_point *p, *ptmp;
	struct hornet_event ev;
	size_t i;
	int ret;

	if (size < sizeof(*e) || e->data_len > size - sizeof(*e) ||
	    e->binary_len > size - sizeof(*e) - e->data_len)
		return -EINVAL;
	HASH_ITER(hh, g->points, p, ptmp)
	{
		if (p->point_id == e->point_id) {
			u = find_user(p, e->generation, e->policy_id, e->hook_id);
			break;
		}
	}
	if (!u) {
		/* its policy or its instance is gone */
		g->stale++;
		return 0;
	}
	ret = hornet_gen_decode(&ev, &u->info, e, (const char *)data + sizeof(*e), e->data_len);
	/* read even for a malformed record: that frees the traces' slots */
	if (e->kstack_id >= 0 || e->ustack_id >= 0)
		read_stacks(g, e, kf, uf, &ev.policy);
	proc = ret	       ? NULL
	       : e->proc_ktime ? hornet_proc_cache__lookup(g->opts.cache, e->pid, e->proc_ktime)
			       : NULL;
	if (!ret && !proc) {
		tmp = hornet_process__new();
		if (tmp) {
			tmp->pid = e->pid;
			tmp->tid = e->tid;
			tmp->ktime = e->proc_ktime;
			tmp->flags = HORNET_PF_NO_PARENT;
			tmp->auid = (uint32_t)-1;
			/* an enforcement record of a process whose exec record was lost:
			 * the head of its binary's path, from the kernel's table */
			if (e->binary_len)
				tmp->binary =
					hornet_intern((const char *)data + sizeof(*e) + e->data_len,
						      e->binary_len);
		}
		proc = tmp;
		ret = tmp ? 0 : -ENOMEM;
	}
	ev.process = proc;
	if (!ret && e->sel < HORNET_POLICY_MAX_SELECTORS && u->info.ima_hash[e->sel])
		ev.policy.ima_hash = file_hash(g, &ev.policy, ima);
	if (!ret && !user_only(&u->info, e))
		ret = g->opts.emit(g->opts.ctx, &ev);
	for (i = 0; i < ev.policy.nr_user_stack; i++)
		free((char *)uf[i].name);
	hornet_process__put(tmp);
	if (ret)
		return ret;
	g->events++;
	if ((e->flags & HORNET_GEN_EV_USER_ACTION) && g->opts.user_action &&
	    e->sel < HORNET_POLICY_MAX_SELECTORS) {
		unsigned int a;

		for (a = 0; a < HORNET_POLICY_MAX_ACTIONS; a++) {
			const struct hornet_render_user_action *ua =
				&u->info.user_actions[e->sel][a];
			struct hornet_user_action act = { .action = ua->action, .arg = ua->arg };

			if (ua->arg)
				g->opts.user_action(g->opts.ctx, &act);
		}
	}
	return 0;
}

void hornet_gen_sensor__stats(const struct hornet_gen_sensor *g, struct hornet_generic_stats *s)
{
	s->points = HASH_COUNT(g->points);
	s->events = g->events;
	s->stale = g->stale;
}
