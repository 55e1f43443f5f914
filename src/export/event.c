// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "export/event.h"
#include "process/procfs.h"
#include "util/base64.h"
#include "vocab/vocab.h"

/* Decimal digits of @v written at @p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*
 * Rendered twice for each process object (its own id and its parent's), so
 * the "node:ktime:pid" text is put together by hand rather than by
 * snprintf(), whose format parsing was a measurable share of the agent's
 * CPU per process.
 */
size_t hornet_exec_id(char *out, size_t size, const char *node, uint64_t ktime, uint32_t pid)
{
	char raw[300], *p;
	size_t nl = strlen(node);

	/* the node name, two colons and two numbers of at most 20 digits */
	if (nl + 2 + 20 + 10 >= sizeof(raw)) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	memcpy(raw, node, nl);
	p = raw + nl;
	*p++ = ':';
	p = put_u64(p, ktime);
	*p++ = ':';
	p = put_u64(p, pid);
	return hornet_base64_encode(raw, p - raw, out, size);
}

void hornet_format_time(char out[HORNET_TIME_MAX], uint64_t wall_ns)
{
	/* events come in bursts within the same second: keep its date and time */
	static time_t cached_sec = -1;
	static char cached[24];
	time_t sec = wall_ns / 1000000000ULL;
	unsigned int ns = wall_ns % 1000000000ULL;
	struct tm tm;
	int i;

	if (sec != cached_sec) {
		gmtime_r(&sec, &tm);
		/* the year is clamped so the output's length is fixed */
		snprintf(cached, sizeof(cached), "%04u-%02u-%02uT%02u:%02u:%02u.",
			 (unsigned int)(tm.tm_year + 1900) % 10000,
			 (unsigned int)(tm.tm_mon + 1) % 100, (unsigned int)tm.tm_mday % 100,
			 (unsigned int)tm.tm_hour % 100, (unsigned int)tm.tm_min % 100,
			 (unsigned int)tm.tm_sec % 100);
		cached_sec = sec;
	}
	memcpy(out, cached, 20);
	for (i = 28; i >= 20; i--) {
		out[i] = '0' + ns % 10;
		ns /= 10;
	}
	out[29] = 'Z';
	out[30] = '\0';
}

static void render_caps(struct hornet_json *j, const char *key, uint64_t set)
{
	char unknown[16];
	unsigned int bit;

	hornet_json_arr_begin(j, key);
	for (bit = 0; bit < 64; bit++) {
		if (!(set & (1ULL << bit)))
			continue;
		if (hornet_cap_name(bit)) {
			hornet_json_str(j, NULL, hornet_cap_name(bit));
		} else {
			snprintf(unknown, sizeof(unknown), "CAP_%u", bit);
			hornet_json_str(j, NULL, unknown);
		}
	}
	hornet_json_arr_end(j);
}

/*
 * The "cap" object is most of a process's JSON (40 names each for root's
 * permitted and effective sets) and few distinct capability sets occur, so
 * the last few renderings are kept and copied. Single-threaded, like the
 * agent's event loop that calls it.
 */
#define CAPS_MEMO 8

static struct caps_memo {
	struct hornet_caps caps;
	char *json;
	size_t len;
} caps_memo[CAPS_MEMO];
static unsigned int caps_memo_next;

static void render_cap_object(struct hornet_json *j, const struct hornet_caps *caps)
{
	struct hornet_json tmp;
	struct caps_memo *m;
	unsigned int i;

	for (i = 0; i < CAPS_MEMO; i++) {
		m = &caps_memo[i];
		if (m->json && !memcmp(&m->caps, caps, sizeof(*caps))) {
			hornet_json_raw(j, "cap", m->json, m->len);
			return;
		}
	}
	hornet_json_init(&tmp);
	hornet_json_obj_begin(&tmp, NULL);
	render_caps(&tmp, "permitted", caps->permitted);
	render_caps(&tmp, "effective", caps->effective);
	render_caps(&tmp, "inheritable", caps->inheritable);
	hornet_json_obj_end(&tmp);
	if (tmp.failed) {
		hornet_json_free(&tmp);
		j->failed = true;
		return;
	}
	hornet_json_raw(j, "cap", tmp.buf, tmp.len);
	m = &caps_memo[caps_memo_next++ % CAPS_MEMO];
	free(m->json);
	m->caps = *caps;
	m->len = tmp.len;
	m->json = tmp.buf; /* the memo keeps the buffer */
}

void hornet_process_flags(uint32_t flags, const char *cwd, char *out, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ HORNET_PF_EXECVE, "execve" },
		{ HORNET_PF_PROCFS, "procFS" },
		{ HORNET_PF_CLONE, "clone" },
		{ HORNET_PF_TRUNC_PATH, "truncFilename" },
		{ HORNET_PF_TRUNC_ARGS, "truncArgs" },
		{ HORNET_PF_TRUNC_CWD, "truncCWD" },
		{ HORNET_PF_ERROR_ARGS, "errorArgs" },
		{ HORNET_PF_ERROR_CWD, "errorCWD" },
		{ 0, "rootcwd" },
	};
	size_t len = 0, i, n;
	bool set;

	/* once per process object: appended by hand, no snprintf() per name */
	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		set = names[i].bit ? (flags & names[i].bit) : (cwd && !strcmp(cwd, "/"));
		if (!set)
			continue;
		n = strlen(names[i].name);
		/* as snprintf() did: a name that does not fit whole ends the list */
		if (len + !!len + n >= size) {
			if (len + !!len < size) {
				if (len)
					out[len++] = ' ';
				memcpy(out + len, names[i].name, size - 1 - len);
				out[size - 1] = '\0';
			}
			return;
		}
		if (len)
			out[len++] = ' ';
		memcpy(out + len, names[i].name, n + 1);
		len += n;
	}
}

/*
 * "/bin/ls" is a probe's "ls" or "/bin/ls" (Tetragon compares the binary to
 * the probe command's argv[0], directory or not).
 */
static bool maybe_exec_probe(const struct hornet_process *p, const struct hornet_container_info *c)
{
	const char *base;
	char **cmd;

	if (!c->maybe_exec_probe_cmds || !c->exec_probe_cmds || !p->binary)
		return false;
	base = strrchr(p->binary, '/');
	base = base ? base + 1 : p->binary;
	for (cmd = c->exec_probe_cmds; *cmd; cmd++)
		if (!strcmp(*cmd, p->binary) || (!strchr(*cmd, '/') && !strcmp(*cmd, base)))
			return true;
	return false;
}

/*
 * "containerd://<id>" as Kubernetes writes a container's id: the runtime the
 * store or the cgroup path names; kubelet's cgroupfs paths have none, and
 * containerd is then the runtime. A container outside a pod whose runtime is
 * unknown keeps its bare id rather than a guessed prefix.
 */
static void container_id(char *out, size_t size, const struct hornet_process *p,
			 const struct hornet_container_info *c, bool in_pod)
{
	enum hornet_runtime rt =
		c && c->runtime != HORNET_RUNTIME_NONE && c->runtime != HORNET_RUNTIME_UNKNOWN
			? c->runtime
			: p->runtime;

	if (rt == HORNET_RUNTIME_NONE || rt == HORNET_RUNTIME_UNKNOWN)
		rt = in_pod ? HORNET_RUNTIME_CONTAINERD : HORNET_RUNTIME_NONE;
	if (rt == HORNET_RUNTIME_NONE)
		snprintf(out, size, "%s", p->container_id);
	else
		snprintf(out, size, "%s://%s", hornet_runtime_name(rt), p->container_id);
}

/* Tetragon's Container message; "pid" is the process's pid in its own pid namespace. */
static void render_container(struct hornet_json *j, const struct hornet_process *p,
			     const struct hornet_container_info *c, bool in_pod)
{
	char id[HORNET_CONTAINER_ID_LEN + 32], ts[HORNET_TIME_MAX];

	hornet_json_obj_begin(j, "container");
	container_id(id, sizeof(id), p, c, in_pod);
	hornet_json_str(j, "id", id);
	if (c && c->name && c->name[0])
		hornet_json_str(j, "name", c->name);
	if (c && ((c->image_id && c->image_id[0]) || (c->image_name && c->image_name[0]))) {
		hornet_json_obj_begin(j, "image");
		if (c->image_id && c->image_id[0])
			hornet_json_str(j, "id", c->image_id);
		if (c->image_name && c->image_name[0])
			hornet_json_str(j, "name", c->image_name);
		hornet_json_obj_end(j);
	}
	if (c && c->start_ns) {
		hornet_format_time(ts, c->start_ns);
		hornet_json_str(j, "start_time", ts);
	}
	if (p->nspid)
		hornet_json_u64(j, "pid", p->nspid);
	if (c && maybe_exec_probe(p, c))
		hornet_json_bool(j, "maybe_exec_probe", true);
	hornet_json_obj_end(j);
}

static void render_pod(struct hornet_json *j, const struct hornet_process *p,
		       const struct hornet_pod *pod, const struct hornet_container_info *c)
{
	size_t i;

	/* known by its UID before the API or the hook named this container */
	for (i = 0; !c && i < pod->nr_containers; i++)
		if (!strcmp(pod->containers[i].id, p->container_id))
			c = &pod->containers[i];
	hornet_json_obj_begin(j, "pod");
	if (pod->namespace && pod->namespace[0])
		hornet_json_str(j, "namespace", pod->namespace);
	if (pod->name && pod->name[0])
		hornet_json_str(j, "name", pod->name);
	hornet_json_str(j, "uid", pod->uid);
	render_container(j, p, c, true);
	if (pod->nr_labels) {
		hornet_json_obj_begin(j, "pod_labels");
		for (i = 0; i < pod->nr_labels; i++)
			hornet_json_str_any_key(j, pod->labels[i].key, pod->labels[i].value);
		hornet_json_obj_end(j);
	}
	if (pod->workload && pod->workload[0])
		hornet_json_str(j, "workload", pod->workload);
	if (pod->workload_kind && pod->workload_kind[0])
		hornet_json_str(j, "workload_kind", pod->workload_kind);
	hornet_json_obj_end(j);
}

/*
 * Pod or container of @p; false when the store knows neither. @pending is
 * set when @p's cgroup names a pod the store does not know (yet).
 */
static bool render_workload(struct hornet_json *j, const struct hornet_process *p,
			    const struct hornet_render_ctx *ctx, bool *pending)
{
	const struct hornet_container_info *c = NULL;
	const struct hornet_pod *pod;
	char uid[HORNET_POD_UID_LEN + 1];

	*pending = false;
	if (!p->container_id[0] || !ctx->pods)
		return false;
	pod = hornet_pod_store__by_container(ctx->pods, p->container_id, &c);
	if (!pod && p->cgroup && !hornet_pod_uid(p->cgroup, strlen(p->cgroup), uid)) {
		pod = hornet_pod_store__by_uid(ctx->pods, uid);
		*pending = !pod && !c;
	}
	if (pod)
		render_pod(j, p, pod, c);
	else if (c)
		render_container(j, p, c, false);
	return pod || c;
}

bool hornet_workload_pending(const struct hornet_process *p, const struct hornet_render_ctx *ctx)
{
	const struct hornet_container_info *c = NULL;
	char uid[HORNET_POD_UID_LEN + 1];

	if (!p->container_id[0] || !ctx->pods)
		return false;
	if (hornet_pod_store__by_container(ctx->pods, p->container_id, &c) || c)
		return false;
	return p->cgroup && !hornet_pod_uid(p->cgroup, strlen(p->cgroup), uid) &&
	       !hornet_pod_store__by_uid(ctx->pods, uid);
}

bool hornet_render_workload(struct hornet_json *j, const struct hornet_process *p,
			    const struct hornet_render_ctx *ctx)
{
	bool pending;

	return render_workload(j, p, ctx, &pending);
}

/* exec events only: inserted into the kept object (insert_binary_properties()) */
static bool has_binary_properties(const struct hornet_process *p)
{
	return p->privs || (p->flags & HORNET_PF_DELETED) || p->hash;
}

/* The exec-only binary_properties member of @p, in Tetragon's field order. */
static void render_binary_properties(struct hornet_json *j, const struct hornet_process *p)
{
	hornet_json_obj_begin(j, "binary_properties");
	if (p->privs & HORNET_PRIV_SETUID)
		hornet_json_u64(j, "setuid", p->creds.euid);
	if (p->privs & HORNET_PRIV_SETGID)
		hornet_json_u64(j, "setgid", p->creds.egid);
	if (p->privs & (HORNET_PRIV_FILE_CAP | HORNET_PRIV_SETUID_ROOT)) {
		hornet_json_arr_begin(j, "privileges_changed");
		if (p->privs & HORNET_PRIV_FILE_CAP)
			hornet_json_str(j, NULL, "PRIVILEGES_RAISED_EXEC_FILE_CAP");
		if (p->privs & HORNET_PRIV_SETUID_ROOT)
			hornet_json_str(j, NULL, "PRIVILEGES_RAISED_EXEC_FILE_SETUID");
		hornet_json_arr_end(j);
	}
	if (p->flags & HORNET_PF_DELETED) {
		hornet_json_obj_begin(j, "file");
		hornet_json_obj_begin(j, "inode");
		hornet_json_u64(j, "number", p->ino);
		hornet_json_u64(j, "links", p->nlink);
		hornet_json_obj_end(j);
		hornet_json_str(j, "path", p->binary);
		hornet_json_obj_end(j);
	}
	/* hornet's own: Tetragon has the IMA hash only in policy events */
	if (p->hash)
		hornet_json_str(j, "hash", p->hash);
	hornet_json_obj_end(j);
}

/*
 * Puts ',"binary_properties":{...}' at @at in @j, inside the process object
 * that ends @j: the exec event's object is the process's kept one (made for
 * its exit and its children's events anyway) with this member added.
 */
static void insert_binary_properties(struct hornet_json *j, size_t at,
				     const struct hornet_process *p)
{
	struct hornet_json t;
	size_t n, tail;

	hornet_json_init(&t);
	hornet_json_obj_begin(&t, NULL);
	render_binary_properties(&t, p);
	hornet_json_obj_end(&t);
	if (t.failed || at > j->len) {
		j->failed = true;
		hornet_json_free(&t);
		return;
	}
	/* '{"binary_properties":{...}}' without its braces, after a comma */
	n = t.len - 1;
	tail = j->len - at;
	hornet_json_append(j, t.buf, n);
	if (!j->failed) {
		memmove(j->buf + at + n, j->buf + at, tail);
		j->buf[at] = ',';
		memcpy(j->buf + at + 1, t.buf + 1, n - 1);
	}
	hornet_json_free(&t);
}

/* @pod_off: where in @j the pod belongs that the store lacks, or 0 */
static void render_process_object(struct hornet_json *j, const char *key,
				  const struct hornet_process *p,
				  const struct hornet_render_ctx *ctx,
				  enum hornet_proc_detail detail, size_t *pod_off, size_t *bp_off)
{
	char id[HORNET_EXEC_ID_MAX], ts[HORNET_TIME_MAX], flags[160];
	unsigned int i;
	bool pending;

	*bp_off = 0;
	hornet_json_obj_begin(j, key);
	hornet_exec_id(id, sizeof(id), ctx->node_name, p->ktime, p->pid);
	hornet_json_str(j, "exec_id", id);
	hornet_json_u64(j, "pid", p->pid);
	hornet_json_u64(j, "uid", p->creds.uid);
	if (p->cwd)
		hornet_json_str(j, "cwd", p->cwd);
	if (p->binary)
		hornet_json_str(j, "binary", p->binary);
	if (p->args && p->args[0])
		hornet_json_str(j, "arguments", p->args);
	hornet_process_flags(p->flags, p->cwd, flags, sizeof(flags));
	hornet_json_str(j, "flags", flags);
	if (p->start_ns) {
		hornet_format_time(ts, p->start_ns);
		hornet_json_str(j, "start_time", ts);
	}
	hornet_json_u64(j, "auid", p->auid);
	*pod_off = 0;
	/* Tetragon's place for it: after auid, before docker */
	if (!render_workload(j, p, ctx, &pending) && pending)
		*pod_off = j->len;
	if (p->container_id[0])
		hornet_json_strn(j, "docker", p->container_id, HORNET_DOCKER_FIELD_LEN);
	if (p->pktime) {
		hornet_exec_id(id, sizeof(id), ctx->node_name, p->pktime, p->ppid);
		hornet_json_str(j, "parent_exec_id", id);
	}
	if (detail == HORNET_PROC_LEAN) {
		hornet_json_u64(j, "tid", p->tid ? p->tid : p->pid);
		goto out;
	}
	/*
	 * Off by default, as in Tetragon: with both, they are 80 % of the
	 * bytes of an exec and its exit (5.6 of 6.9 KB as root)
	 */
	if (ctx->process_cred)
		render_cap_object(j, &p->caps);
	if (ctx->process_ns) {
		hornet_json_obj_begin(j, "ns");
		for (i = 0; i < HORNET_NS_COUNT; i++) {
			if (!p->ns.inum[i])
				continue;
			hornet_json_obj_begin(j, hornet_vocab_name(HORNET_VOCAB_NS_PROC, i));
			hornet_json_u64(j, "inum", p->ns.inum[i]);
			hornet_json_bool(j, "is_host", p->ns.inum[i] == ctx->host_ns.inum[i]);
			hornet_json_obj_end(j);
		}
		hornet_json_obj_end(j);
	}
	hornet_json_u64(j, "tid", p->tid ? p->tid : p->pid);
	if (ctx->process_cred) {
		hornet_json_obj_begin(j, "process_credentials");
		hornet_json_u64(j, "uid", p->creds.uid);
		hornet_json_u64(j, "gid", p->creds.gid);
		hornet_json_u64(j, "euid", p->creds.euid);
		hornet_json_u64(j, "egid", p->creds.egid);
		hornet_json_u64(j, "suid", p->creds.suid);
		hornet_json_u64(j, "sgid", p->creds.sgid);
		hornet_json_u64(j, "fsuid", p->creds.fsuid);
		hornet_json_u64(j, "fsgid", p->creds.fsgid);
		hornet_json_obj_end(j);
	}
	if (p->cgroup_id)
		hornet_json_u64(j, "cgroup_id", p->cgroup_id);
	/* where the exec event's binary_properties go (see insert_binary_properties()) */
	*bp_off = j->len;
out:
	/* Tetragon's order: user (19), then environment_variables (21) */
	if (p->user) {
		hornet_json_obj_begin(j, "user");
		hornet_json_str(j, "name", p->user);
		hornet_json_obj_end(j);
	}
	if (p->env && detail != HORNET_PROC_LEAN)
		hornet_json_raw(j, "environment_variables", p->env, strlen(p->env));
	hornet_json_obj_end(j);
}

/*
 * A process is rendered in its exec, its exit, and as parent or ancestor of
 * every event of its children, always the same: the object (without the
 * exec-only binary_properties) is kept with the process after the first time.
 */
static void note_pending(const struct hornet_render_ctx *ctx, struct hornet_process *p, size_t off)
{
	struct hornet_pod_pending *pp = ctx->pending;

	if (!pp)
		return;
	if (pp->n == HORNET_POD_PENDING_MAX) {
		pp->overflow = true;
		return;
	}
	pp->at[pp->n].off = off;
	pp->at[pp->n].p = hornet_process__get(p);
	pp->n++;
}

void hornet_render_process(struct hornet_json *j, const char *key, struct hornet_process *p,
			   const struct hornet_render_ctx *ctx, enum hornet_proc_detail detail)
{
	bool lean = detail == HORNET_PROC_LEAN;
	char **cache = lean ? &p->json_lean : &p->json;
	size_t *cache_len = lean ? &p->json_lean_len : &p->json_len;
	size_t *pod_off = lean ? &p->json_lean_pod_off : &p->json_pod_off;
	size_t off, start, bp;
	uint64_t gen;
	char *obj;
	/* the pod's labels (or the pod itself) may have changed since */
	if (p->container_id[0] && ctx->pods) {
		gen = hornet_pod_store__generation(ctx->pods);
		if (p->json_gen != gen) {
			free(p->json);
			free(p->json_lean);
			p->json = p->json_lean = NULL;
			p->json_pod_off = p->json_lean_pod_off = 0;
			p->json_gen = gen;
		}
	}
	if (!*cache) {
		/*
		 * Rendered in place, then the object (from its '{': a key never
		 * holds one) copied once into a block of its size, kept for the
		 * process's life.
		 */
		start = j->len;
		render_process_object(j, key, p, ctx, lean ? HORNET_PROC_LEAN : HORNET_PROC_FULL,
				      &off, &bp);
		if (j->failed)
			return;
		obj = memchr(j->buf + start, '{', j->len - start);
		*cache_len = j->buf + j->len - obj;
		*cache = malloc(*cache_len + 1);
		if (!*cache) {
			j->failed = true;
			return;
		}
		memcpy(*cache, obj, *cache_len + 1);
		*pod_off = off ? off - (obj - j->buf) : 0;
		if (!lean)
			p->json_bp_off = bp - (obj - j->buf);
	} else {
		hornet_json_raw(j, key, *cache, *cache_len);
	}
	if (*pod_off)
		note_pending(ctx, p, j->len - *cache_len + *pod_off);
	/* after the pod's offset, which stays as it is */
	if (detail == HORNET_PROC_EXEC && has_binary_properties(p))
		insert_binary_properties(j, j->len - *cache_len + p->json_bp_off, p);
}

void hornet_pod_pending_release(struct hornet_pod_pending *pending)
{
	size_t i;

	for (i = 0; i < pending->n; i++)
		hornet_process__put(pending->at[i].p);
	pending->n = 0;
	pending->overflow = false;
}

size_t hornet_splice_pods(struct hornet_json *out, const char *line, size_t len,
			  struct hornet_pod_pending *pending, const struct hornet_render_ctx *ctx)
{
	size_t i, done = 0, missing = 0;
	struct hornet_json pod;

	hornet_json_init(&pod);
	/* offsets grow: process, parent, ancestors are rendered in that order */
	for (i = 0; i < pending->n; i++) {
		size_t off = pending->at[i].off;

		if (off < done || off > len)
			continue;
		hornet_json_append(out, line + done, off - done);
		done = off;
		hornet_json_reset(&pod);
		/* '{"pod":{...}}' without its braces is the member to insert */
		hornet_json_obj_begin(&pod, NULL);
		if (hornet_render_workload(&pod, pending->at[i].p, ctx) && !pod.failed) {
			hornet_json_obj_end(&pod);
			hornet_json_append(out, ",", 1);
			hornet_json_append(out, pod.buf + 1, pod.len - 2);
		} else {
			missing++;
		}
	}
	hornet_json_append(out, line + done, len - done);
	hornet_json_free(&pod);
	if (pending->overflow)
		missing++;
	hornet_pod_pending_release(pending);
	return missing;
}

void hornet_render_ancestors(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			     struct hornet_process *p, enum hornet_proc_detail detail)
{
	struct hornet_process *a;

	if (!p->parent || !p->parent->parent)
		return;
	hornet_json_arr_begin(j, "ancestors");
	for (a = p->parent->parent; a; a = a->parent)
		hornet_render_process(j, NULL, a, ctx, detail);
	hornet_json_arr_end(j);
}

/* process, parent and (when enabled) ancestors of one event */
static void render_lineage(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			   struct hornet_process *p, bool exec_properties)
{
	hornet_render_process(j, "process", p, ctx,
			      exec_properties ? HORNET_PROC_EXEC : HORNET_PROC_FULL);
	if (p->parent)
		hornet_render_process(j, "parent", p->parent, ctx, HORNET_PROC_FULL);
	else if (p->pktime || (p->flags & HORNET_PF_NO_PARENT))
		hornet_json_bool(j, "parent_unknown", true);
	if (ctx->ancestors)
		hornet_render_ancestors(j, ctx, p, HORNET_PROC_FULL);
}

void hornet_render_envelope(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			    uint64_t ktime)
{
	char ts[HORNET_TIME_MAX];

	hornet_json_str(j, "node_name", ctx->node_name);
	hornet_format_time(ts, ktime + ctx->boot_to_wall_ns);
	hornet_json_str(j, "time", ts);
	hornet_json_obj_end(j);
}

void hornet_render_exec(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			struct hornet_process *p, uint64_t ktime)
{
	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, "process_exec");
	render_lineage(j, ctx, p, true);
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ktime);
}

bool hornet_exit_signal(uint32_t code, char *out, size_t size)
{
	const char *abbrev;

	if (!(code & 0x7f))
		return false;
	abbrev = sigabbrev_np(code & 0x7f);
	if (abbrev)
		snprintf(out, size, "SIG%s", abbrev);
	else
		snprintf(out, size, "SIG%u", code & 0x7f);
	return true;
}

void hornet_render_exit(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			struct hornet_process *p, uint32_t code, uint64_t ktime)
{
	char ts[HORNET_TIME_MAX], sig[24];

	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, "process_exit");
	render_lineage(j, ctx, p, false);
	if (hornet_exit_signal(code, sig, sizeof(sig))) {
		hornet_json_str(j, "signal", sig);
	} else {
		hornet_json_u64(j, "status", (code >> 8) & 0xff);
	}
	hornet_format_time(ts, ktime + ctx->boot_to_wall_ns);
	hornet_json_str(j, "time", ts);
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ktime);
}

void hornet_render_lineage_lean(struct hornet_json *j, const struct hornet_render_ctx *ctx,
				const struct hornet_event *ev)
{
	enum hornet_proc_detail d = ctx->policy_full_process ? HORNET_PROC_FULL : HORNET_PROC_LEAN;
	struct hornet_process *p = ev->process;

	if (ev->process_unknown) {
		/* the socket predates the agent, or its owner was not seen */
		hornet_json_bool(j, "process_unknown", true);
		return;
	}
	hornet_render_process(j, "process", p, ctx, d);
	if (p->parent)
		hornet_render_process(j, "parent", p->parent, ctx, d);
}

const char *hornet_event_type_name(const struct hornet_event *ev)
{
	switch (ev->kind) {
	case HORNET_EV_EXEC:
		return "process_exec";
	case HORNET_EV_EXIT:
		return "process_exit";
	case HORNET_EV_POLICY:
		switch (ev->policy.kind) {
		case HORNET_POLICY_TRACEPOINT:
			return "process_tracepoint";
		case HORNET_POLICY_LSM:
			return "process_lsm";
		case HORNET_POLICY_UPROBE:
			return "process_uprobe";
		case HORNET_POLICY_USDT:
			return "process_usdt";
		default:
			return "process_kprobe";
		}
	case HORNET_EV_DNS:
		return "process_dns";
	case HORNET_EV_HTTP:
		return "process_http";
	case HORNET_EV_TLS:
		return "process_tls";
	case HORNET_EV_LOADER:
		return "process_loader";
	default:
		return "process_kprobe";
	}
}

int hornet_render_event(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			const struct hornet_event *ev)
{
	int ret = 0;

	switch (ev->kind) {
	case HORNET_EV_EXEC:
		hornet_render_exec(j, ctx, ev->process, ev->ktime);
		break;
	case HORNET_EV_EXIT:
		hornet_render_exit(j, ctx, ev->process, ev->exit_code, ev->ktime);
		break;
	case HORNET_EV_POLICY:
		ret = hornet_render_policy(j, ctx, ev);
		break;
	case HORNET_EV_CONN:
		hornet_render_conn(j, ctx, ev);
		break;
	case HORNET_EV_DNS:
	case HORNET_EV_HTTP:
	case HORNET_EV_TLS:
		hornet_render_msg(j, ctx, ev);
		break;
	case HORNET_EV_LOADER:
		hornet_render_loader(j, ctx, ev);
		break;
	}
	if (!ret && j->failed)
		ret = -ENOMEM;
	return ret;
}
