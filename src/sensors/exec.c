// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "exec.skel.h"
#include "export/environ.h"
#include "process/procfs.h"
#include "sensors/exec.h"
#include "util/args.h"
#include "util/bpffs.h"
#include "util/intern.h"
#include "util/log.h"

const char *const hornet_event_type_names[HORNET_EVENT_TYPES] = {
	[HORNET_EVENT_EXEC] = "process_exec",
	[HORNET_EVENT_EXIT] = "process_exit",
};

struct hornet_exec_prep {
	pthread_t thread;
	pthread_mutex_t lock;
	struct hornet_exec *skel;
	bool done; /* the thread ended its part */
	bool abandoned; /* nobody waits: the thread frees it all */
};

static void prep_destroy(struct hornet_exec_prep *p)
{
	hornet_exec__destroy(p->skel);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static void *prep_main(void *arg)
{
	struct hornet_exec_prep *p = arg;
	struct hornet_exec *skel = hornet_exec__open();
	bool abandoned;

	/*
	 * Setting the target makes libbpf parse the kernel's BTF into the
	 * object now; its load finds it there. Without BTF (no tp_btf either)
	 * there is nothing to parse early, and libbpf would only warn.
	 */
	if (skel && !access("/sys/kernel/btf/vmlinux", R_OK))
		bpf_program__set_attach_target(skel->progs.hornet_exec_btf, 0,
					       "sched_process_exec");
	pthread_mutex_lock(&p->lock);
	p->skel = skel;
	p->done = true;
	abandoned = p->abandoned;
	pthread_mutex_unlock(&p->lock);
	if (abandoned)
		prep_destroy(p);
	return NULL;
}

struct hornet_exec_prep *hornet_exec_prep__start(void)
{
	struct hornet_exec_prep *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	if (pthread_create(&p->thread, NULL, prep_main, p)) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void hornet_exec_prep__free(struct hornet_exec_prep *p)
{
	bool done;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	done = p->done;
	p->abandoned = !done;
	pthread_mutex_unlock(&p->lock);
	if (done) {
		pthread_join(p->thread, NULL);
		prep_destroy(p);
	} else {
		pthread_detach(p->thread);
	}
}

/* Waits for the preparation and takes its object (NULL if it failed to open). */
static struct hornet_exec *prep_take(struct hornet_exec_prep *p)
{
	struct hornet_exec *skel;

	if (!p)
		return NULL;
	pthread_join(p->thread, NULL);
	skel = p->skel;
	p->skel = NULL;
	prep_destroy(p);
	return skel;
}

/* environments kept with their JSON: most execs have one of a few (their parents') */
#define ENV_MEMO 8

struct hornet_exec_sensor {
	struct hornet_exec *skel;
	bool skel_fresh; /* opened and not loaded yet: the first load() takes it */
	const char *mechanism;
	const char *creds_mechanism;
	struct hornet_exec_sensor_opts opts;
	long clk_tck;
	uint64_t self_mntns; /* the agent's own mount namespace (binary hashes) */
	struct env_memo {
		const char *binary; /* interned, a reference: redaction depends on it */
		char *raw; /* the kernel side's block */
		size_t len;
		bool truncated;
		const char *json; /* interned, a reference */
	} env_memo[ENV_MEMO];
	unsigned int env_memo_next;
};

static void env_memo_clear(struct env_memo *m)
{
	hornet_intern_put(m->binary);
	hornet_intern_put(m->json);
	free(m->raw);
	memset(m, 0, sizeof(*m));
}

static const struct {
	enum hornet_creds_hook hook;
	const char *name;
	enum hornet_feature feature;
	const char *why; /* what the kernel lacks, for the error */
} creds_hooks[] = {
	{ HORNET_CREDS_LSM, "lsm", HORNET_FEAT_LSM, "BPF LSM" },
	{ HORNET_CREDS_FENTRY, "fentry", HORNET_FEAT_FENTRY, "fentry (BPF trampolines)" },
	{ HORNET_CREDS_KPROBE, "kprobe", HORNET_FEAT_KPROBE, "kprobes" },
};

static void set_creds_autoload(struct hornet_exec *skel, enum hornet_creds_hook hook)
{
	bpf_program__set_autoload(skel->progs.hornet_creds_lsm, hook == HORNET_CREDS_LSM);
	bpf_program__set_autoload(skel->progs.hornet_creds_fentry, hook == HORNET_CREDS_FENTRY);
	bpf_program__set_autoload(skel->progs.hornet_creds_kprobe, hook == HORNET_CREDS_KPROBE);
}

static void set_autoload(struct hornet_exec *skel, bool btf)
{
	bpf_program__set_autoload(skel->progs.hornet_exec_btf, btf);
	bpf_program__set_autoload(skel->progs.hornet_fork_btf, btf);
	bpf_program__set_autoload(skel->progs.hornet_exit_btf, btf);
	bpf_program__set_autoload(skel->progs.hornet_exec_raw, !btf);
	bpf_program__set_autoload(skel->progs.hornet_fork_raw, !btf);
	bpf_program__set_autoload(skel->progs.hornet_exit_raw, !btf);
}

/* Opens, loads and attaches the sensor with one choice of creds hook. */
static int load(struct hornet_exec_sensor *s, bool btf, enum hornet_creds_hook hook)
{
	int err;

	if (!s->skel_fresh) {
		hornet_exec__destroy(s->skel);
		s->skel = hornet_exec__open();
	}
	s->skel_fresh = false;
	if (!s->skel)
		return -errno;
	set_autoload(s->skel, btf);
	set_creds_autoload(s->skel, hook);
	err = hornet_shared_maps__reuse(s->opts.maps, s->skel->obj);
	if (err)
		return err;
	s->skel->rodata->hornet_wakeup_bytes = hornet_shared_maps__wakeup_bytes(s->opts.maps);
	s->skel->rodata->hornet_exec_env = s->opts.env;
	err = hornet_exec__load(s->skel);
	if (err)
		return err;
	return hornet_exec__attach(s->skel);
}

/* The sensor, starting from @pre (a prepared object, taken) when there is one. */
static struct hornet_exec_sensor *sensor_new(const struct hornet_features *features,
					     const struct hornet_exec_sensor_opts *opts,
					     struct hornet_exec **pre)
{
	struct hornet_exec_sensor *s;
	struct stat st;
	unsigned int i;
	bool btf;
	int err;

	if (!hornet_has(features, HORNET_FEAT_RINGBUF)) {
		pr_err("sensor 'exec': the kernel lacks the BPF ring buffer (%s); hornet needs "
		       "Linux 5.8 or later",
		       features->detail[HORNET_FEAT_RINGBUF]);
		errno = EOPNOTSUPP;
		return NULL;
	}
	if (hornet_has(features, HORNET_FEAT_TP_BTF)) {
		btf = true;
	} else if (hornet_has(features, HORNET_FEAT_RAW_TP)) {
		btf = false;
	} else {
		pr_err("sensor 'exec': neither BTF nor raw tracepoints work on this kernel (%s)",
		       features->detail[HORNET_FEAT_RAW_TP]);
		errno = EOPNOTSUPP;
		return NULL;
	}
	/* an explicit choice of creds hook must be there */
	for (i = 0; i < sizeof(creds_hooks) / sizeof(creds_hooks[0]); i++) {
		if (opts->creds_hook == creds_hooks[i].hook &&
		    !hornet_has(features, creds_hooks[i].feature)) {
			pr_err("sensor 'exec': exec-creds-hook '%s': this kernel has no %s (%s)",
			       creds_hooks[i].name, creds_hooks[i].why,
			       features->detail[creds_hooks[i].feature]);
			errno = EOPNOTSUPP;
			return NULL;
		}
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->opts = *opts;
	s->opts.prep = NULL;
	s->skel = *pre;
	s->skel_fresh = *pre != NULL;
	*pre = NULL;
	s->mechanism = btf ? "tp_btf" : "raw_tp";
	if (!stat("/proc/self/ns/mnt", &st))
		s->self_mntns = st.st_ino;
	s->clk_tck = sysconf(_SC_CLK_TCK);
	if (s->clk_tck <= 0)
		s->clk_tck = 100;

	/*
	 * The creds hook in order of preference: LSM, fentry, kprobe. A hook
	 * the probe found but that fails here (say, the function is inlined
	 * away on this kernel) is skipped for the next; without any, the
	 * sensor infers privilege changes from the file's mode.
	 */
	s->creds_mechanism = "none";
	for (i = 0; i < sizeof(creds_hooks) / sizeof(creds_hooks[0]); i++) {
		if (opts->creds_hook != HORNET_CREDS_AUTO &&
		    opts->creds_hook != creds_hooks[i].hook)
			continue;
		if (!hornet_has(features, creds_hooks[i].feature))
			continue;
		err = load(s, btf, creds_hooks[i].hook);
		if (!err) {
			s->creds_mechanism = creds_hooks[i].name;
			return s;
		}
		if (opts->creds_hook != HORNET_CREDS_AUTO) {
			pr_err("sensor 'exec': exec-creds-hook '%s': %s", creds_hooks[i].name,
			       strerror(-err));
			goto fail;
		}
		pr_warn("sensor 'exec': bprm_committing_creds through %s failed (%s); trying the "
			"next",
			creds_hooks[i].name, strerror(-err));
	}
	err = load(s, btf, HORNET_CREDS_NONE);
	if (err) {
		pr_err("sensor 'exec': load and attach (%s) failed: %s (run with --log-level debug "
		       "for libbpf's log)",
		       s->mechanism, strerror(-err));
		goto fail;
	}
	return s;
fail:
	hornet_exec_sensor__free(s);
	errno = -err;
	return NULL;
}

/* Pins every link of the sensor under @dir: link_exec_<pid>_<program>. */
static int pin_links(struct hornet_exec_sensor *s, const char *dir)
{
	const struct bpf_object_skeleton *sk = s->skel->skeleton;
	char name[96], path[PATH_MAX];
	struct bpf_link *l;
	int i, err;

	for (i = 0; i < sk->prog_cnt; i++) {
		l = *sk->progs[i].link;
		if (!l)
			continue;
		snprintf(name, sizeof(name), HORNET_BPFFS_LINK_PREFIX "exec_%d_%s", getpid(),
			 sk->progs[i].name);
		err = hornet_bpffs_path(path, sizeof(path), dir, name);
		if (!err)
			err = bpf_link__pin(l, path);
		if (err)
			goto undo;
	}
	return 0;
undo:
	/* a pinned link would stay attached past the sensor's free */
	while (i-- > 0)
		if (*sk->progs[i].link && bpf_link__pin_path(*sk->progs[i].link))
			bpf_link__unpin(*sk->progs[i].link);
	return err;
}

struct hornet_exec_sensor *hornet_exec_sensor__new(const struct hornet_features *features,
						   const struct hornet_exec_sensor_opts *opts)
{
	struct hornet_exec *pre = prep_take(opts->prep);
	struct hornet_exec_sensor *s = sensor_new(features, opts, &pre);
	int err = errno;

	/* not taken: the sensor failed before its first load */
	hornet_exec__destroy(pre);
	if (s && opts->pin_dir) {
		err = -pin_links(s, opts->pin_dir);
		if (err) {
			pr_err("sensor 'exec': --keep-enforcement: pin in '%s': %s", opts->pin_dir,
			       strerror(err));
			hornet_exec_sensor__free(s);
			s = NULL;
		}
	}
	errno = err;
	return s;
}

void hornet_exec_sensor__free(struct hornet_exec_sensor *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < ENV_MEMO; i++)
		env_memo_clear(&s->env_memo[i]);
	hornet_exec__destroy(s->skel);
	free(s);
}

const char *hornet_exec_sensor__mechanism(const struct hornet_exec_sensor *s)
{
	return s->mechanism;
}

const char *hornet_exec_sensor__creds_mechanism(const struct hornet_exec_sensor *s)
{
	return s->creds_mechanism;
}

static uint64_t wall_ns(const struct hornet_exec_sensor *s, uint64_t boot_ns)
{
	return boot_ns + s->opts.render->boot_to_wall_ns;
}

static void emit(struct hornet_exec_sensor *s, enum hornet_event_kind kind,
		 struct hornet_process *p, uint64_t ktime, uint32_t code)
{
	struct hornet_event ev = { .kind = kind, .ktime = ktime, .process = p };

	if (kind == HORNET_EV_EXIT)
		ev.exit_code = code;
	s->opts.emit(s->opts.emit_ctx, &ev);
}

/* Interns a non-terminated kernel string; NULL only when out of memory. */
static const char *intern_bytes(const char *p, size_t n, const char *suffix)
{
	char buf[HORNET_PATH_MAX + 16];
	size_t sl;

	if (!suffix)
		return hornet_intern(p, n);
	sl = strlen(suffix);
	if (n + sl > sizeof(buf))
		n = sizeof(buf) - sl;
	memcpy(buf, p, n);
	memcpy(buf + n, suffix, sl);
	return hornet_intern(buf, n + sl);
}

/* Interns a malloc'd string and frees it. */
static const char *intern_owned(char *s)
{
	const char *r = s ? hornet_intern(s, strlen(s)) : NULL;

	free(s);
	return r;
}

static void set_container(struct hornet_process *p)
{
	p->runtime = HORNET_RUNTIME_NONE;
	p->container_id[0] = '\0';
	if (p->cgroup)
		p->runtime = hornet_container_id(p->cgroup, strlen(p->cgroup), p->container_id);
}

/* A new cache entry with the identity every record carries. */
static struct hornet_process *new_process(const struct hornet_exec_sensor *s, uint32_t pid,
					  uint32_t tid, uint32_t ppid, uint64_t ktime,
					  uint64_t pktime, uint32_t flags)
{
	struct hornet_process *p = hornet_process__new();

	if (!p)
		return NULL;
	p->pid = pid;
	p->tid = tid;
	p->ppid = ppid;
	p->ktime = ktime;
	p->pktime = pktime;
	p->flags = flags;
	p->start_ns = wall_ns(s, ktime);
	return p;
}

/*
 * The environment's JSON (a reference to an interned string), made once for
 * each of the last few environments and binaries: formatting and interning
 * 4 KB was most of what the flag cost per exec.
 */
static const char *env_json(struct hornet_exec_sensor *s, const char *raw, size_t len,
			    bool truncated, const char *binary)
{
	struct env_memo *m;
	unsigned int i;
	const char *json;

	for (i = 0; i < ENV_MEMO; i++) {
		m = &s->env_memo[i];
		if (m->json && m->binary == binary && m->len == len && m->truncated == truncated &&
		    !memcmp(m->raw, raw, len))
			return hornet_intern_get(m->json);
	}
	json = intern_owned(
		hornet_environ_json(raw, len, truncated, s->opts.env_keep, s->opts.redact, binary));
	if (!json)
		return NULL;
	m = &s->env_memo[s->env_memo_next++ % ENV_MEMO];
	env_memo_clear(m);
	m->raw = malloc(len ? len : 1);
	if (!m->raw)
		return json;
	memcpy(m->raw, raw, len);
	m->len = len;
	m->truncated = truncated;
	m->binary = hornet_intern_get(binary);
	m->json = hornet_intern_get(json);
	return json;
}

/*
 * What flags add to a new process object (exec or /proc scan): its user's
 * name and its binary's hash. A failure leaves the field out, never the
 * event (binary hashes count theirs in hornet status).
 */
static void add_metadata(struct hornet_exec_sensor *s, struct hornet_process *p)
{
	const struct hornet_ns *host = &s->opts.render->host_ns;
	char name[HORNET_USER_NAME_MAX], hash[HORNET_BINHASH_LEN];
	struct timespec now;

	/*
	 * The uid is the kernel's, as the host sees it: a process in a user
	 * namespace of its own has other ids in its files, and gets no name.
	 */
	if (s->opts.userdb && (!p->ns.inum[HORNET_NS_USER] ||
			       p->ns.inum[HORNET_NS_USER] == host->inum[HORNET_NS_USER])) {
		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
		if (!hornet_userdb__lookup(s->opts.userdb, p->pid, p->ns.inum[HORNET_NS_MNT],
					   p->creds.uid, now.tv_sec, name))
			p->user = hornet_intern(name, strlen(name));
	}
	/* a path is the agent's own when their mount namespaces are the same */
	if (s->opts.binhash && p->binary &&
	    !hornet_binhash__process(s->opts.binhash, p->pid, p->binary, p->ino,
				     p->ns.inum[HORNET_NS_MNT] == s->self_mntns, hash))
		p->hash = hornet_intern(hash, strlen(hash));
}

static int handle_exec(struct hornet_exec_sensor *s, const struct hornet_exec_event *e, size_t size)
{
	const char *d = e->data;
	struct hornet_process *p, *old;
	size_t data_len =
		(size_t)e->binary_len + e->cwd_len + e->args_len + e->cgroup_len + e->env_len;

	if (size < sizeof(*e) || data_len > size - sizeof(*e))
		return -EINVAL;
	p = new_process(s, e->pid, e->tid, e->ppid, e->hdr.ktime, e->pktime, e->flags);
	if (!p)
		return -ENOMEM;
	p->privs = e->privs;
	p->nspid = e->nspid;
	p->creds = e->creds;
	p->auid = e->auid;
	p->caps = e->caps;
	p->ns = e->ns;
	p->cgroup_id = e->cgroup_id;
	p->ino = e->ino;
	p->nlink = e->nlink;
	/* d_path() marks an unlinked file the same way */
	p->binary = intern_bytes(d, e->binary_len,
				 (e->flags & HORNET_PF_DELETED) ? " (deleted)" : NULL);
	d += e->binary_len;
	p->cwd = intern_bytes(d, e->cwd_len, NULL);
	d += e->cwd_len;
	/* redacted here, once: forks share it, and every output renders this string */
	p->args = intern_owned(hornet_redact__args(s->opts.redact, p->binary,
						   hornet_args_format(d, e->args_len, true)));
	d += e->args_len;
	p->cgroup = intern_bytes(d, e->cgroup_len, NULL);
	d += e->cgroup_len;
	if (s->opts.env)
		p->env = env_json(s, d, e->env_len, e->flags & HORNET_PF_TRUNC_ENV, p->binary);
	if (!p->binary || !p->cwd || !p->args || !p->cgroup || (s->opts.env && !p->env)) {
		hornet_process__put(p);
		return -ENOMEM;
	}
	set_container(p);
	add_metadata(s, p);

	/* the clone (or earlier exec) this one replaces is gone */
	if (e->old_ktime) {
		old = hornet_proc_cache__lookup(s->opts.cache, e->pid, e->old_ktime);
		if (old)
			hornet_proc_cache__exited(s->opts.cache, old);
	}
	hornet_proc_cache__insert(s->opts.cache, p);

	emit(s, HORNET_EV_EXEC, p, e->hdr.ktime, 0);
	return 0;
}

static int handle_fork(struct hornet_exec_sensor *s, const struct hornet_fork_event *e, size_t size)
{
	struct hornet_process *p, *parent;

	if (size < sizeof(*e))
		return -EINVAL;
	p = new_process(s, e->pid, e->tid, e->ppid, e->hdr.ktime, e->pktime, e->flags);
	if (!p)
		return -ENOMEM;
	p->nspid = e->nspid;
	parent = e->pktime ? hornet_proc_cache__lookup(s->opts.cache, e->ppid, e->pktime) : NULL;
	if (parent) {
		/* a clone runs its parent's program until it execs */
		p->creds = parent->creds;
		p->auid = parent->auid;
		p->caps = parent->caps;
		p->ns = parent->ns;
		p->cgroup_id = parent->cgroup_id;
		p->binary = hornet_intern_get(parent->binary);
		p->cwd = hornet_intern_get(parent->cwd);
		p->args = hornet_intern_get(parent->args);
		p->cgroup = hornet_intern_get(parent->cgroup);
		p->user = hornet_intern_get(parent->user);
		p->env = hornet_intern_get(parent->env);
		p->runtime = parent->runtime;
		memcpy(p->container_id, parent->container_id, sizeof(p->container_id));
	}
	hornet_proc_cache__insert(s->opts.cache, p);
	return 0;
}

static int handle_exit(struct hornet_exec_sensor *s, const struct hornet_exit_event *e, size_t size)
{
	struct hornet_process *p, *tmp = NULL;

	if (size < sizeof(*e))
		return -EINVAL;
	p = e->ktime ? hornet_proc_cache__lookup(s->opts.cache, e->pid, e->ktime) : NULL;
	if (!p) {
		/* not seen start (lost record, or older than the agent): still report */
		tmp = new_process(s, e->pid, e->tid, 0, e->ktime, 0,
				  e->flags | HORNET_PF_NO_PARENT);
		if (!tmp)
			return -ENOMEM;
		tmp->start_ns = e->ktime ? tmp->start_ns : 0;
		tmp->auid = (uint32_t)-1;
		p = tmp;
	}
	emit(s, HORNET_EV_EXIT, p, e->hdr.ktime, e->code);
	if (tmp)
		hornet_process__put(tmp);
	else
		hornet_proc_cache__exited(s->opts.cache, p);
	return 0;
}

int hornet_exec_sensor__handle(struct hornet_exec_sensor *s, const void *data, size_t size)
{
	const struct hornet_hdr *h = data;

	if (size < sizeof(*h) || h->size != size || h->version != HORNET_ABI_VERSION)
		return -EINVAL;
	switch (h->op) {
	case HORNET_OP_EXEC:
		return handle_exec(s, data, size);
	case HORNET_OP_FORK:
		return handle_fork(s, data, size);
	case HORNET_OP_EXIT:
		return handle_exit(s, data, size);
	default:
		return -EINVAL;
	}
}

static int cmp_start(const void *a, const void *b)
{
	const struct hornet_procfs_entry *x = a, *y = b;

	if (x->starttime != y->starttime)
		return x->starttime < y->starttime ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct hornet_procfs_entry *const *x = a, *const *y = b;

	return (*x)->pid < (*y)->pid ? -1 : (*x)->pid > (*y)->pid;
}

static uint64_t ticks_to_ns(const struct hornet_exec_sensor *s, uint64_t ticks)
{
	return ticks * (1000000000ULL / s->clk_tck);
}

/*
 * The key of a process found in /proc: the exec time an earlier agent's
 * table (opts.old_procs) has for it when that entry is this process's, else
 * its start time, the fork's in clock ticks (for a process exec'd since, not
 * the key the kernel gave it). An entry of an earlier process with this pid
 * began before this one forked; one exec'd since with no agent to see it runs
 * another binary than the entry names.
 */
static uint64_t scan_ktime(const struct hornet_exec_sensor *s, const struct hornet_procfs_entry *pe)
{
	uint64_t start = ticks_to_ns(s, pe->starttime);
	struct hornet_proc old;
	uint32_t pid = pe->pid;
	size_t blen;

	if (s->opts.old_procs <= 0 || !pe->binary ||
	    bpf_map_lookup_elem(s->opts.old_procs, &pid, &old) || old.ktime < start)
		return start;
	blen = strlen(pe->binary);
	if (blen > HORNET_BINARY_KEY - 1)
		blen = HORNET_BINARY_KEY - 1;
	if (old.binary_len != blen || memcmp(old.binary, pe->binary, blen))
		return start;
	return old.ktime;
}

/*
 * With --enable-process-environment-variables, a process found in /proc gets
 * its environment as one exec'd meanwhile does: the same bytes (the start of
 * the environment given to execve), the same limit. Unreadable: left out.
 */
static void scanned_env(struct hornet_exec_sensor *s, const char *proc_root,
			const struct hornet_procfs_entry *pe, struct hornet_process *p)
{
	bool truncated;
	size_t len;
	char *raw;

	if (hornet_procfs_read_environ(proc_root, pe->pid, pe->starttime, HORNET_ENV_MAX, &raw,
				       &len, &truncated))
		return;
	p->env = env_json(s, raw, len, truncated, p->binary);
	if (truncated)
		p->flags |= HORNET_PF_TRUNC_ENV;
	free(raw);
}

/* The kernel table entry and the cache entry of one process found in /proc. */
static int add_scanned(struct hornet_exec_sensor *s, const char *proc_root,
		       struct hornet_procfs_entry *pe, const struct hornet_procfs_entry *parent,
		       uint64_t now_ktime)
{
	int fd = s->opts.maps->procs;
	struct hornet_proc kp = {};
	struct hornet_process *p;
	uint32_t pid = pe->pid;
	size_t blen;
	int err;

	/* the kernel saw this process start itself: its events are on the way */
	if (bpf_map_lookup_elem(fd, &pid, &kp) == 0)
		return 0;
	p = hornet_process__new();
	if (!p)
		return -ENOMEM;
	p->pid = p->tid = pe->pid;
	p->ktime = scan_ktime(s, pe);
	if (parent) {
		p->ppid = parent->pid;
		p->pktime = scan_ktime(s, parent);
	}
	p->flags = HORNET_PF_PROCFS;
	p->nspid = pe->nspid;
	p->creds = pe->creds;
	p->auid = pe->auid;
	p->caps = pe->caps;
	p->ns = pe->ns;
	p->ino = pe->ino;
	p->nlink = pe->nlink;
	p->start_ns = wall_ns(s, p->ktime);
	p->binary = hornet_intern(pe->binary, strlen(pe->binary));
	p->cwd = pe->cwd ? hornet_intern(pe->cwd, strlen(pe->cwd)) : NULL;
	if (!pe->cwd)
		p->flags |= HORNET_PF_ERROR_CWD;
	p->args = intern_owned(hornet_redact__args(
		s->opts.redact, p->binary,
		hornet_args_format(pe->args ? pe->args : "", pe->args ? pe->args_len : 0, true)));
	p->cgroup = pe->cgroup ? hornet_intern(pe->cgroup, strlen(pe->cgroup)) : NULL;
	if (!p->binary || !p->args || (pe->cwd && !p->cwd) || (pe->cgroup && !p->cgroup)) {
		hornet_process__put(p);
		return -ENOMEM;
	}
	if (s->opts.env)
		scanned_env(s, proc_root, pe, p);
	set_container(p);
	add_metadata(s, p);

	kp.ktime = p->ktime;
	kp.pktime = p->pktime;
	kp.ppid = p->ppid;
	/* the agent's own: its calls are never matched (gen_run()) */
	kp.flags = HORNET_PF_PROCFS | (pe->pid == getpid() ? HORNET_PF_AGENT : 0);
	kp.caps = p->caps;
	kp.ns = p->ns;
	kp.uid = p->creds.uid;
	kp.euid = p->creds.euid;
	blen = strlen(pe->binary);
	kp.binary_len = blen < HORNET_BINARY_KEY ? blen : HORNET_BINARY_KEY - 1;
	memcpy(kp.binary, pe->binary, kp.binary_len);
	/* BPF_NOEXIST: if the process exec'd since the lookup, the kernel's entry wins */
	err = bpf_map_update_elem(fd, &pid, &kp, BPF_NOEXIST);
	if (err && errno != EEXIST)
		pr_warn("process table: pid %u: %s", pid, strerror(errno));
	if (err) {
		hornet_process__put(p);
		return 0;
	}
	hornet_proc_cache__insert(s->opts.cache, p);
	emit(s, HORNET_EV_EXEC, p, now_ktime, 0);
	/* most found at the start never show up in an event again: ~2 KB each */
	hornet_process__drop_json(p);
	return 1;
}

/* Another thread sets the flag: read it anew each time. */
static bool stopping(const struct hornet_exec_sensor *s)
{
	return s->opts.stop && __atomic_load_n(s->opts.stop, __ATOMIC_RELAXED);
}

long hornet_exec_sensor__scan(struct hornet_exec_sensor *s, const char *proc_root)
{
	struct hornet_procfs_entry *entries = NULL, **by_pid = NULL, key, *kptr, **found;
	struct timespec now;
	pid_t *pids = NULL;
	long n, i, count = 0, used = 0;
	uint64_t now_ktime;
	int err;

	n = hornet_procfs_list(proc_root, &pids);
	if (n < 0)
		return n;
	/* room for all of them and as many again, so none is evicted while it runs */
	hornet_proc_cache__reserve(s->opts.cache, 2 * (size_t)n);
	entries = calloc(n ? n : 1, sizeof(*entries));
	by_pid = calloc(n ? n : 1, sizeof(*by_pid));
	if (!entries || !by_pid) {
		count = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (stopping(s)) {
			count = -ECANCELED;
			goto out;
		}
		err = hornet_procfs_read(proc_root, pids[i], &entries[used]);
		/* gone already, or a kernel thread: nothing runs there to report */
		if (err || entries[used].kthread || !entries[used].binary) {
			hornet_procfs_entry_free(&entries[used]);
			continue;
		}
		used++;
	}
	/* a parent always started before its children, so start time orders them */
	qsort(entries, used, sizeof(*entries), cmp_start);
	for (i = 0; i < used; i++)
		by_pid[i] = &entries[i];
	qsort(by_pid, used, sizeof(*by_pid), cmp_pid);
	clock_gettime(CLOCK_BOOTTIME, &now);
	now_ktime = now.tv_sec * 1000000000ULL + now.tv_nsec;
	for (i = 0; i < used; i++) {
		if (stopping(s)) {
			count = -ECANCELED;
			break;
		}
		key.pid = entries[i].ppid;
		kptr = &key;
		found = bsearch(&kptr, by_pid, used, sizeof(*by_pid), cmp_pid);
		err = add_scanned(s, proc_root, &entries[i], found ? *found : NULL, now_ktime);
		if (err < 0) {
			count = err;
			break;
		}
		count += err;
	}
out:
	for (i = 0; i < used; i++)
		hornet_procfs_entry_free(&entries[i]);
	free(entries);
	free(by_pid);
	free(pids);
	return count;
}
