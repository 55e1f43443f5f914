// SPDX-License-Identifier: GPL-2.0
/*
 * hornet profile record: watches what one workload does for a while (the
 * programs it runs, the files it opens, the capabilities it is checked for,
 * the addresses and ports it connects to, with the names DNS gave them) and
 * writes a TracingPolicy that reports, or with --enforce stops, anything
 * else. The recording is the running agent's: two policies of its own, scoped
 * to the workload (matchBinaries with followChildren), and the network
 * sensor's events. Recording again into the same file merges.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "export/api.h"
#include "policy/policy.h"
#include "util/cgroup2.h"

#define MAX_SECONDS (7 * 24 * 3600)
/* files in a directory this deep or deeper are allowed by their directory */
#define PREFIX_DEPTH 3

/* A set of strings, each with how often it was seen (0: an earlier recording's). */
struct strset {
	char **v;
	unsigned long *seen;
	size_t n;
};

struct profile {
	char binary[PATH_MAX]; /* --binary: the program; "" with --pod or --cgroup */
	char cgroup[PATH_MAX]; /* --cgroup: its path from the hierarchy's root */
	/* --pod: the pod, whose labels (and namespace) scope the policies */
	char pod_ns[256], pod_name[256];
	json_t *labels;
	char what[PATH_MAX + 8]; /* the workload in messages: PATH or pod NS/NAME */
	struct strset execs, files, caps, addrs, ports;
	struct strset dirs; /* an earlier recording's directories */
	struct strset names; /* "address name": what DNS answered */
	struct strset dnames; /* the names of addresses it connected to (DNSName) */
	struct strset exec_ids; /* the workload's processes */
	bool caps_recorded; /* the kernel has capability/cap_capable */
	bool merged;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet profile record --binary PATH|--pod [NAMESPACE/]NAME|--cgroup "
		"PATH|ID\n                             --duration D [OPTIONS]\n\n"
		"Records what a workload does and writes a TracingPolicy that allows exactly\n"
		"that: the programs it runs, the files it opens (by directory where they are\n"
		"deep enough), the capabilities it is checked for, and the addresses and ports it\n"
		"connects to (with the DNS names they came from). Anything else is reported, or\n"
		"with --enforce stopped: a program or file by SIGKILL, a connection by EPERM.\n"
		"Recording again into the same file merges. Needs the running agent.\n\n"
		"  --binary PATH       the workload: this program and every process it starts\n"
		"  --pod [NS/]NAME     the workload: the pod's processes (the policy selects the\n"
		"                      pods with its labels, in its namespace)\n"
		"  --cgroup PATH|ID    the workload: the processes of this cgroup v2 and those\n"
		"                      below it (a path from the hierarchy's root, as in\n"
		"                      /proc/PID/cgroup, or under its mount, or the cgroup's id)\n"
		"  --duration D        how long to record: seconds, or with s, m or h\n"
		"  -o, --output FILE   the policy to write (default: profile-NAME.yaml, NAME the\n"
		"                      binary's); an existing one is merged with\n"
		"  --name NAME         metadata.name of the policy (default: profile-NAME)\n"
		"  --enforce           kill or deny what the recording did not see (default:\n"
		"                      report it)\n"
		"  --socket PATH       the agent's API socket (default: $HORNET_SOCKET or\n"
		"                      /run/hornet/hornet.sock)\n"
		"  -h, --help          show this help\n");
}

/* ---- the cgroup ---- */

/* The directory under @dir (of the cgroup v2 hierarchy) whose inode is @id. */
static bool find_id(const char *dir, uint64_t id, char *out, size_t size, int depth)
{
	struct dirent *d;
	struct stat st;
	char sub[PATH_MAX];
	bool found = false;
	DIR *dp;

	if (!stat(dir, &st) && st.st_ino == id) {
		snprintf(out, size, "%s", dir);
		return true;
	}
	dp = depth < 32 ? opendir(dir) : NULL;
	while (dp && !found && (d = readdir(dp))) {
		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) < (int)sizeof(sub))
			found = find_id(sub, id, out, size, depth + 1);
	}
	if (dp)
		closedir(dp);
	return found;
}

/*
 * --cgroup: a path from the hierarchy's root ("/system.slice/x.service", as
 * /proc/PID/cgroup shows it), a path under its mount, or a cgroup id (its
 * directory's inode). @out: the path from the root, as cgroupSelector takes.
 */
static int find_cgroup(const char *arg, char *out, size_t size, char *err, size_t err_size)
{
	char root[PATH_MAX], path[PATH_MAX * 2], real[PATH_MAX];
	size_t rl;
	char *end;
	struct stat st;
	unsigned long long id;

	if (hornet_cgroup2_root(root, sizeof(root))) {
		snprintf(err, err_size, "no cgroup v2 hierarchy is mounted");
		return -ENOENT;
	}
	rl = strlen(root);
	id = strtoull(arg, &end, 10);
	if (*arg && !*end) {
		if (!find_id(root, id, path, sizeof(path), 0)) {
			snprintf(err, err_size, "no cgroup has id %llu under %s", id, root);
			return -ENOENT;
		}
	} else if (!strncmp(arg, root, rl) && (arg[rl] == '/' || !arg[rl])) {
		snprintf(path, sizeof(path), "%s", arg);
	} else if (arg[0] == '/') {
		snprintf(path, sizeof(path), "%s%s", root, arg);
	} else {
		snprintf(err, err_size, "not a cgroup: a path from the root starts with '/'");
		return -EINVAL;
	}
	if (!realpath(path, real) || stat(real, &st) || !S_ISDIR(st.st_mode) ||
	    strncmp(real, root, rl) || (real[rl] && real[rl] != '/')) {
		snprintf(err, err_size, "%.300s is not a cgroup under %.300s", path, root);
		return -ENOENT;
	}
	snprintf(out, size, "%s", real[rl] ? real + rl : "/");
	return 0;
}

/* ---- sets ---- */

static int set_add(struct strset *s, const char *v, unsigned long seen)
{
	char **nv;
	unsigned long *ns;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i], v)) {
			s->seen[i] += seen;
			return 0;
		}
	}
	nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->v = nv;
	ns = realloc(s->seen, (s->n + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	s->seen = ns;
	s->v[s->n] = strdup(v);
	if (!s->v[s->n])
		return -ENOMEM;
	s->seen[s->n++] = seen;
	return 0;
}

static bool set_has(const struct strset *s, const char *v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], v))
			return true;
	return false;
}

static void set_free(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->seen);
	memset(s, 0, sizeof(*s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, with the counts following their strings. */
static void set_sort(struct strset *s)
{
	size_t i, j;

	for (i = 1; i < s->n; i++) {
		for (j = i; j > 0 && cmp_str(&s->v[j - 1], &s->v[j]) > 0; j--) {
			char *t = s->v[j];
			unsigned long c = s->seen[j];

			s->v[j] = s->v[j - 1];
			s->seen[j] = s->seen[j - 1];
			s->v[j - 1] = t;
			s->seen[j - 1] = c;
		}
	}
}

/* ---- the policy text ---- */

/* @s as a YAML double-quoted scalar (JSON's escapes are YAML's): any file name is safe. */
static void put_quoted(FILE *f, const char *s)
{
	json_t *v = json_string(s);
	char *q = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;

	fputs(q ? q : "\"\"", f);
	free(q);
	json_decref(v);
}

/* A directory prefix for @path, or NULL to keep the path itself: the
 * directory when it is PREFIX_DEPTH or more levels deep. */
static char *prefix_of(const char *path)
{
	const char *slash = strrchr(path, '/'), *p;
	unsigned int depth = 0;

	if (path[0] != '/' || !slash || slash == path)
		return NULL;
	for (p = path; p < slash; p++)
		depth += *p == '/';
	if (depth < PREFIX_DEPTH)
		return NULL;
	return strndup(path, slash - path + 1);
}

/* The prefix of @dirs that holds @v (other than @v itself), or -1. */
static long covered(const struct strset *dirs, const char *v)
{
	size_t i, l;

	for (i = 0; i < dirs->n; i++) {
		l = strlen(dirs->v[i]);
		if (l < strlen(v) && !strncmp(v, dirs->v[i], l))
			return i;
	}
	return -1;
}

/* The files as the policy lists them: directories (with their '/', every
 * file under them allowed) and whole paths, without what a shorter
 * directory of the list already holds. */
static int file_values(const struct profile *p, struct strset *dirs, struct strset *paths)
{
	const struct strset *files = &p->files;
	struct strset all = { 0 };
	size_t i;
	long d;
	int ret = 0;

	for (i = 0; i < files->n && !ret; i++) {
		char *pre = prefix_of(files->v[i]);

		ret = set_add(pre ? dirs : &all, pre ? pre : files->v[i], files->seen[i]);
		free(pre);
	}
	for (i = 0; i < p->dirs.n && !ret; i++)
		ret = set_add(dirs, p->dirs.v[i], p->dirs.seen[i]);
	set_sort(dirs);
	for (i = 0; i < dirs->n && !ret; i++) {
		d = covered(dirs, dirs->v[i]);
		if (d < 0)
			continue;
		dirs->seen[d] += dirs->seen[i];
		free(dirs->v[i]);
		memmove(&dirs->v[i], &dirs->v[i + 1], (dirs->n - i - 1) * sizeof(*dirs->v));
		memmove(&dirs->seen[i], &dirs->seen[i + 1],
			(dirs->n - i - 1) * sizeof(*dirs->seen));
		dirs->n--;
		i = (size_t)-1; /* from the start: an earlier one may be held too */
	}
	for (i = 0; i < all.n && !ret; i++) {
		d = covered(dirs, all.v[i]);
		if (d >= 0)
			dirs->seen[d] += all.seen[i];
		else
			ret = set_add(paths, all.v[i], all.seen[i]);
	}
	set_sort(paths);
	set_free(&all);
	return ret;
}

static void put_seen(FILE *f, unsigned long seen)
{
	if (seen)
		fprintf(f, "  # seen %lu time%s\n", seen, seen == 1 ? "" : "s");
	else
		fprintf(f, "  # from an earlier recording\n");
}

static void put_values(FILE *f, const char *indent, const struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		fprintf(f, "%s- ", indent);
		put_quoted(f, s->v[i]);
		put_seen(f, s->seen[i]);
	}
}

/* A selector's scope: the binary and its children; a pod is scoped at spec level. */
static void put_binaries(FILE *f, const struct profile *p)
{
	if (p->labels || p->cgroup[0])
		return;
	fprintf(f, "      matchBinaries:\n      - operator: In\n        values:\n        - ");
	put_quoted(f, p->binary);
	fprintf(f, "\n        followChildren: true\n");
}

/* spec.podSelector for a pod: its labels, and its namespace's; spec.cgroupSelector
 * for a cgroup */
static void put_pod_scope(FILE *f, const struct profile *p)
{
	const char *key;
	json_t *v;

	if (p->cgroup[0]) {
		fprintf(f, "  cgroupSelector:\n    paths:\n    - ");
		put_quoted(f, p->cgroup);
		fprintf(f, "\n");
		return;
	}
	if (!p->labels)
		return;
	fprintf(f, "  podSelector:\n    matchLabels:\n");
	json_object_foreach(p->labels, key, v)
	{
		fprintf(f, "      ");
		put_quoted(f, key);
		fprintf(f, ": ");
		put_quoted(f, json_string_value(v) ?: "");
		fprintf(f, "\n");
	}
}

static void put_kill(FILE *f, bool enforce)
{
	if (enforce)
		fprintf(f, "      matchActions:\n      - action: Sigkill\n");
}

/* The names DNS gave @addr, for its comment. */
static void put_names(FILE *f, const struct profile *p, const char *addr)
{
	size_t i, l = strlen(addr);
	bool any = false;

	for (i = 0; i < p->names.n; i++) {
		if (strncmp(p->names.v[i], addr, l) || p->names.v[i][l] != ' ')
			continue;
		fprintf(f, "%s", any ? ", " : " (");
		put_quoted(f, p->names.v[i] + l + 1);
		any = true;
	}
	if (any)
		fprintf(f, ")");
}

static int write_policy(const struct profile *p, const char *name, bool enforce, double seconds,
			FILE *f)
{
	struct strset dirs = { 0 }, paths = { 0 }, dnames = { 0 };
	char when[64];
	time_t now = time(NULL);
	size_t i;
	int ret;

	ret = file_values(p, &dirs, &paths);
	if (ret) {
		set_free(&dirs);
		set_free(&paths);
		return ret;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "# Written by `hornet profile record`: what ");
	if (p->labels) {
		fprintf(f, "pod ");
		put_quoted(f, p->what + 4);
		fprintf(f, " did (the policy selects\n# the pods with its labels)");
	} else if (p->cgroup[0]) {
		fprintf(f, "the processes of cgroup ");
		put_quoted(f, p->cgroup);
		fprintf(f, " (and below) did\n#");
	} else {
		put_quoted(f, p->binary);
		fprintf(f, " and the processes it started did\n#");
	}
	fprintf(f, " in %.0f s up to %s%s. Anything else is %s.\n", seconds, when,
		p->merged ? ", merged with the earlier recordings of this file" : "",
		enforce ? "stopped: a program or a file by SIGKILL, a connection by EPERM"
			: "reported");
	fprintf(f, "# Each value says how often it was seen; record again into this file to add "
		   "what was\n# missed, and edit it as any policy.\n");
	fprintf(f, "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: ");
	put_quoted(f, name);
	fprintf(f, "\nspec:\n");
	put_pod_scope(f, p);
	fprintf(f, "  kprobes:\n");

	/* programs */
	fprintf(f, "  # 1. programs the workload runs (the path execve() is given)\n"
		   "  - call: \"sys_execve\"\n    syscall: true\n    args:\n    - index: 0\n"
		   "      type: \"string\"\n    selectors:\n    - matchArgs:\n      - index: 0\n"
		   "        operator: \"NotEqual\"\n        values:\n");
	if (!p->execs.n)
		fprintf(f, "        - \"\"  # it ran no program\n");
	put_values(f, "        ", &p->execs);
	put_binaries(f, p);
	put_kill(f, enforce);

	/* files */
	fprintf(f,
		"  # 2. files it opens: directories %d or more levels deep, whole paths above.\n"
		"  # Judged when openat() returns: a path whose page a new process has not\n"
		"  # touched yet cannot be read on the way in, and would look like none allowed.\n"
		"  - call: \"sys_openat\"\n    syscall: true\n    return: true\n"
		"    returnArg:\n      index: 0\n      type: \"int\"\n    args:\n    - index: 1\n"
		"      type: \"string\"\n    selectors:\n    - matchArgs:\n      - index: 1\n"
		"        operator: \"NotPrefix\"\n        values:\n",
		PREFIX_DEPTH);
	if (!dirs.n)
		fprintf(f, "        - \"\\u0001\"  # no directory\n");
	put_values(f, "        ", &dirs);
	fprintf(f, "      - index: 1\n        operator: \"NotEqual\"\n        values:\n");
	if (!paths.n)
		fprintf(f, "        - \"\\u0001\"  # no single file\n");
	put_values(f, "        ", &paths);
	put_binaries(f, p);
	put_kill(f, enforce);

	/* destinations: the names DNS gave the addresses it connected to */
	for (i = 0; i < p->names.n; i++) {
		const char *sp = strchr(p->names.v[i], ' ');
		char addr[256];

		if (!sp || (size_t)(sp - p->names.v[i]) >= sizeof(addr))
			continue;
		memcpy(addr, p->names.v[i], sp - p->names.v[i]);
		addr[sp - p->names.v[i]] = '\0';
		if (set_has(&p->addrs, addr) && set_add(&dnames, sp + 1, 1))
			goto oom;
	}
	for (i = 0; i < p->dnames.n; i++)
		if (!set_has(&dnames, p->dnames.v[i]) && set_add(&dnames, p->dnames.v[i], 0))
			goto oom;
	fprintf(f,
		"  # 3. where it connects: IPv4 and IPv6 addresses (or the DNS names they came\n"
		"  # from), and ports (a connection is stopped when either is new)\n"
		"  - call: \"security_socket_connect\"\n    syscall: false\n    args:\n"
		"    - index: 0\n      type: \"socket\"\n    - index: 1\n      type: \"sockaddr\"\n"
		"    selectors:\n");
	fprintf(f, "    - matchArgs:\n      - index: 1\n        operator: \"Family\"\n"
		   "        values: [\"AF_INET\", \"AF_INET6\"]\n      - index: 1\n"
		   "        operator: \"NotSAddr\"\n        values:\n");
	if (!p->addrs.n)
		fprintf(f, "        - \"0.0.0.0/32\"  # it connected nowhere\n");
	for (i = 0; i < p->addrs.n; i++) {
		fprintf(f, "        - ");
		put_quoted(f, p->addrs.v[i]);
		fprintf(f, "  #");
		put_names(f, p, p->addrs.v[i]);
		if (p->addrs.seen[i])
			fprintf(f, " seen %lu time%s\n", p->addrs.seen[i],
				p->addrs.seen[i] == 1 ? "" : "s");
		else
			fprintf(f, " from an earlier recording\n");
	}
	/* a name it reached keeps its new addresses allowed (what the kernel
	 * learned from DNS answers: docs/policies.md) */
	if (dnames.n) {
		fprintf(f, "      - index: 1\n        operator: \"NotDNSName\"\n        values:\n");
		for (i = 0; i < dnames.n; i++) {
			fprintf(f, "        - ");
			put_quoted(f, dnames.v[i]);
			fprintf(f, dnames.seen[i] ? "\n" : "  # from an earlier recording\n");
		}
	}
	put_binaries(f, p);
	if (enforce)
		fprintf(f, "      matchActions:\n      - action: Override\n        argError: -1\n");
	fprintf(f, "    - matchArgs:\n      - index: 1\n        operator: \"Family\"\n"
		   "        values: [\"AF_INET\", \"AF_INET6\"]\n      - index: 1\n"
		   "        operator: \"NotSPort\"\n        values:\n");
	if (!p->ports.n)
		fprintf(f, "        - \"0\"  # it connected nowhere\n");
	put_values(f, "        ", &p->ports);
	put_binaries(f, p);
	if (enforce)
		fprintf(f, "      matchActions:\n      - action: Override\n        argError: -1\n");

	/* capabilities */
	if (p->caps_recorded || p->caps.n) {
		fprintf(f, "  tracepoints:\n  # 4. capabilities the kernel checked it for\n"
			   "  - subsystem: \"capability\"\n    event: \"cap_capable\"\n    args:\n"
			   "    - index: 7\n      type: \"capability\"\n    selectors:\n"
			   "    - matchArgs:\n      - index: 0\n        operator: \"NotEqual\"\n"
			   "        values:\n");
		if (!p->caps.n)
			fprintf(f, "        - \"63\"  # it was checked for none (63: no such "
				   "capability)\n");
		put_values(f, "        ", &p->caps);
		put_binaries(f, p);
		put_kill(f, enforce);
	} else {
		fprintf(f, "# (capabilities were not recorded: this kernel has no tracepoint "
			   "capability/cap_capable)\n");
	}
	ret = ferror(f) ? -EIO : 0;
out:
	set_free(&dirs);
	set_free(&paths);
	set_free(&dnames);
	return ret;
oom:
	ret = -ENOMEM;
	goto out;
}

/* ---- merging an earlier recording ---- */

static const struct hornet_match_arg *find_arg(const struct hornet_hook *h, size_t sel,
					       enum hornet_op op)
{
	size_t i;

	if (sel >= h->nr_selectors)
		return NULL;
	for (i = 0; i < h->selectors[sel].nr_args; i++)
		if (h->selectors[sel].args[i].op == op)
			return &h->selectors[sel].args[i];
	return NULL;
}

static int take(struct strset *s, const struct hornet_match_arg *m, const char *skip)
{
	size_t i;
	int ret = 0;

	for (i = 0; m && i < m->values.n && !ret; i++)
		if (strcmp(m->values.v[i].str, skip))
			ret = set_add(s, m->values.v[i].str, 0);
	return ret;
}

/* The values of @path, a file this command wrote before; -ENOENT: none. */
static int merge_file(struct profile *p, const char *path, char *err, size_t err_size)
{
	struct hornet_policy *pol;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	if (getdelim(&buf, &len, '\0', f) < 0 && ferror(f))
		ret = -EIO;
	fclose(f);
	if (ret || !buf) {
		free(buf);
		snprintf(err, err_size, "cannot read it");
		return ret ? ret : -EIO;
	}
	pol = hornet_policy_parse(buf, strlen(buf), path, err, err_size);
	free(buf);
	if (!pol)
		return -EINVAL;
	for (i = 0; i < pol->nr_hooks && !ret; i++) {
		const struct hornet_hook *h = &pol->hooks[i];

		if (!h->call)
			continue;
		if (!strcmp(h->call, "sys_execve"))
			ret = take(&p->execs, find_arg(h, 0, HORNET_OP_NOT_EQUAL), "");
		else if (!strcmp(h->call, "sys_openat"))
			ret = take(&p->dirs, find_arg(h, 0, HORNET_OP_NOT_PREFIX), "\x01")
				      ?: take(&p->files, find_arg(h, 0, HORNET_OP_NOT_EQUAL),
					      "\x01");
		else if (!strcmp(h->call, "security_socket_connect"))
			ret = take(&p->addrs, find_arg(h, 0, HORNET_OP_NOT_SADDR), "0.0.0.0/32")
				      ?: take(&p->dnames, find_arg(h, 0, HORNET_OP_NOT_DNS_NAME), "")
				      ?: take(&p->ports, find_arg(h, 1, HORNET_OP_NOT_SPORT), "0");
		else if (!strcmp(h->call, "capability/cap_capable"))
			ret = take(&p->caps, find_arg(h, 0, HORNET_OP_NOT_EQUAL), "63");
	}
	hornet_policy_free(pol);
	p->merged = true;
	return ret;
}

/* ---- the recording ---- */

static const char *str_at(json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(b ? json_object_get(o, a) : o, b ? b : a));
}

/* The first args[] entry's value under @key ("string_arg", ...). */
static json_t *arg0(json_t *body, const char *key)
{
	return json_object_get(json_array_get(json_object_get(body, "args"), 0), key);
}

/* @proc (an event's process) is the workload's */
static bool in_workload(const struct profile *p, json_t *proc)
{
	json_t *pod = json_object_get(proc, "pod");

	if (!p->labels)
		return set_has(&p->exec_ids, str_at(proc, "exec_id", NULL) ?: "");
	return pod && !strcmp(str_at(pod, "namespace", NULL) ?: "", p->pod_ns) &&
	       !strcmp(str_at(pod, "name", NULL) ?: "", p->pod_name);
}

static int record_event(struct profile *p, json_t *ev, const char *rec, const char *rec_caps)
{
	json_t *body, *proc, *sock, *a;
	const char *id, *fn, *name, *v;
	char port[16];
	size_t i;
	int ret = 0;

	if ((body = json_object_get(ev, "process_exec"))) {
		proc = json_object_get(body, "process");
		id = str_at(proc, "exec_id", NULL);
		if (p->labels)
			return 0;
		if (id && (!strcmp(str_at(proc, "binary", NULL) ?: "", p->binary) ||
			   set_has(&p->exec_ids, str_at(proc, "parent_exec_id", NULL) ?: "")))
			ret = set_add(&p->exec_ids, id, 1);
		return ret;
	}
	if ((body = json_object_get(ev, "process_tracepoint"))) {
		if (!str_at(body, "policy_name", NULL) ||
		    strcmp(str_at(body, "policy_name", NULL), rec_caps))
			return 0;
		proc = json_object_get(body, "process");
		if (p->labels && json_object_get(proc, "pod") && !in_workload(p, proc))
			return 0;
		v = str_at(arg0(body, "capability_arg"), "name", NULL);
		return v ? set_add(&p->caps, v, 1) : 0;
	}
	if ((body = json_object_get(ev, "process_dns"))) {
		if (!in_workload(p, json_object_get(body, "process")))
			return 0;
		json_array_foreach(json_object_get(body, "answers"), i, a)
		{
			char pair[600];

			v = str_at(a, "type", NULL);
			name = str_at(a, "name", NULL);
			if (!v || !name || (strcmp(v, "A") && strcmp(v, "AAAA")) ||
			    !str_at(a, "data", NULL))
				continue;
			snprintf(pair, sizeof(pair), "%s %s", str_at(a, "data", NULL), name);
			ret = set_add(&p->names, pair, 1);
			if (ret)
				break;
		}
		return ret;
	}
	body = json_object_get(ev, "process_kprobe");
	if (!body)
		return 0;
	proc = json_object_get(body, "process");
	fn = str_at(body, "function_name", NULL) ?: "";
	name = str_at(body, "policy_name", NULL) ?: "";
	if (!strcmp(name, rec)) {
		/* a pod's labels may select its siblings too; a process the agent has
		 * not tied to a pod yet (runc's, before the exec) is the kernel's
		 * choice, by the pod's cgroup */
		if (p->labels && json_object_get(proc, "pod") && !in_workload(p, proc))
			return 0;
		ret = set_add(&p->exec_ids, str_at(proc, "exec_id", NULL) ?: "", 0);
		v = json_string_value(arg0(body, "string_arg"));
		if (!v || ret)
			return ret;
		if (strstr(fn, "sys_execve"))
			return set_add(&p->execs, v, 1);
		if (strstr(fn, "sys_openat"))
			return set_add(&p->files, v, 1);
		return 0;
	}
	if ((strcmp(fn, "tcp_connect") && strcmp(fn, "udp_sendmsg")) || !in_workload(p, proc))
		return 0;
	sock = arg0(body, "sock_arg");
	v = str_at(sock, "family", NULL);
	if (!v || (strcmp(v, "AF_INET") && strcmp(v, "AF_INET6")) || !str_at(sock, "daddr", NULL))
		return 0;
	snprintf(port, sizeof(port), "%lld",
		 (long long)json_integer_value(json_object_get(sock, "dport")));
	return set_add(&p->addrs, str_at(sock, "daddr", NULL), 1) ?: set_add(&p->ports, port, 1);
}

/*
 * The recording policies: execve and openat (at its return: see
 * write_policy()), or @caps the capability checks, of the workload.
 */
static char *rec_text(const struct profile *p, const char *name, bool caps)
{
	static const char *const hooks[] = {
		"  kprobes:\n  - call: \"sys_execve\"\n    syscall: true\n    args:\n"
		"    - index: 0\n      type: \"string\"\n",
		"  - call: \"sys_openat\"\n    syscall: true\n    return: true\n    returnArg:\n"
		"      index: 0\n      type: \"int\"\n    args:\n    - index: 1\n"
		"      type: \"string\"\n",
		"  tracepoints:\n  - subsystem: \"capability\"\n    event: \"cap_capable\"\n"
		"    args:\n    - index: 7\n      type: \"capability\"\n",
	};
	char *text = NULL;
	size_t len = 0, h;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: %s\n"
		"spec:\n",
		name);
	put_pod_scope(f, p);
	for (h = caps ? 2 : 0; h < (caps ? 3 : 2); h++) {
		fputs(hooks[h], f);
		if (!p->labels && !p->cgroup[0]) {
			fprintf(f, "    selectors:\n    - matchBinaries:\n      - operator: In\n"
				   "        values:\n        - ");
			put_quoted(f, p->binary);
			fprintf(f, "\n        followChildren: true\n");
		}
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* One request; @quiet: the agent's error is not printed (a refusal expected) */
static json_t *call(const char *sock, json_t *req, bool quiet)
{
	int saved = quiet ? dup(STDERR_FILENO) : -1;
	int null = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
	json_t *reply;

	if (null >= 0)
		dup2(null, STDERR_FILENO);
	reply = hornet_cli_call("profile", sock, req);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	return reply;
}

static json_t *add_policy(const char *sock, const struct profile *p, const char *name, bool caps)
{
	char *text = rec_text(p, name, caps);
	json_t *req, *reply;

	if (!text)
		return NULL;
	req = json_pack("{s:s, s:s, s:s}", "command", "policy_add", "policy", text, "source",
			"hornet profile record");
	free(text);
	if (!req)
		return NULL;
	/* the capability tracepoint may be missing: the file says so */
	reply = call(sock, req, caps);
	json_decref(req);
	return reply;
}

static void delete_policy(const char *sock, const char *name, bool quiet)
{
	json_t *req = json_pack("{s:s, s:s}", "command", "policy_delete", "name", name);

	if (req)
		json_decref(call(sock, req, quiet));
	json_decref(req);
}

/* Reads the agent's events until @deadline (CLOCK_MONOTONIC s) or a signal. */
static int read_events(struct profile *p, int fd, double deadline, const char *rec,
		       const char *rec_caps)
{
	char *buf = NULL, *nl, *line;
	size_t len = 0, cap = 0;
	struct timespec ts;
	int ret = 0;

	while (!stop && !ret) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double now;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec + ts.tv_nsec / 1e9;
		if (now >= deadline)
			break;
		if (poll(&pfd, 1, (int)((deadline - now) * 1000) + 1) <= 0)
			continue;
		if (cap - len < 65536) {
			char *g = realloc(buf, cap + 65536);

			if (!g) {
				ret = -ENOMEM;
				break;
			}
			buf = g;
			cap += 65536;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fprintf(stderr, "hornet profile: the agent closed the event stream\n");
			ret = -EPIPE;
			break;
		}
		len += n;
		for (line = buf; (nl = memchr(line, '\n', buf + len - line)); line = nl + 1) {
			json_t *ev = json_loadb(line, nl - line, 0, NULL);

			if (ev)
				ret = record_event(p, ev, rec, rec_caps);
			json_decref(ev);
			if (ret)
				break;
		}
		len -= line - buf;
		memmove(buf, line, len);
	}
	free(buf);
	return ret;
}

static int parse_duration(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v <= 0)
		return -EINVAL;
	if (!strcmp(end, "m"))
		v *= 60;
	else if (!strcmp(end, "h"))
		v *= 3600;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v > MAX_SECONDS)
		return -ERANGE;
	*out = v;
	return 0;
}

static int record(const char *sock, struct profile *p, const char *out, const char *name,
		  bool enforce, double seconds)
{
	char rec[64], rec_caps[80], tmp[PATH_MAX + 16];
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec ts;
	json_t *reply;
	FILE *f;
	int fd, ret;

	/* from here on a Ctrl-C ends the recording, and its policies are deleted */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	snprintf(rec, sizeof(rec), "hornet-profile-%d", (int)getpid());
	snprintf(rec_caps, sizeof(rec_caps), "%s-caps", rec);
	/* the stream first, so that nothing the policies report is missed; the
	 * agent leaves out the types the recording does not read */
	fd = hornet_api_connect(sock, "{\"command\":\"events\",\"allow_list\":[{\"event_set\":"
				      "[\"PROCESS_EXEC\",\"PROCESS_KPROBE\",\"PROCESS_TRACEPOINT\","
				      "\"PROCESS_DNS\"]}]}\n");
	if (fd < 0) {
		hornet_cli_no_agent("profile", sock, -fd);
		return 1;
	}
	reply = add_policy(sock, p, rec, false);
	if (!reply) {
		/* a Ctrl-C may have cut the reply short, not the add */
		delete_policy(sock, rec, true);
		close(fd);
		return 1;
	}
	json_decref(reply);
	reply = add_policy(sock, p, rec_caps, true);
	p->caps_recorded = reply != NULL;
	json_decref(reply);
	fprintf(stderr, "hornet profile: recording %s for %.0f s (Ctrl-C ends it early)\n", p->what,
		seconds);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ret = read_events(p, fd, ts.tv_sec + ts.tv_nsec / 1e9 + seconds, rec, rec_caps);
	/* what is still queued for the last calls: the agent flushes every 50 ms */
	if (!ret && !stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ret = read_events(p, fd, ts.tv_sec + ts.tv_nsec / 1e9 + 0.5, rec, rec_caps);
	}
	close(fd);
	delete_policy(sock, rec, false);
	/* one the kernel refused is listed all the same, in error */
	delete_policy(sock, rec_caps, !p->caps_recorded);
	if (ret) {
		fprintf(stderr, "hornet profile: %s; %s left as it was\n", strerror(-ret), out);
		return 1;
	}

	/* written whole beside it, then renamed: a failed write leaves the old one */
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "hornet profile: %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	set_sort(&p->execs);
	set_sort(&p->files);
	set_sort(&p->caps);
	set_sort(&p->addrs);
	set_sort(&p->ports);
	ret = write_policy(p, name, enforce, seconds, f);
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, out))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		fprintf(stderr, "hornet profile: %s: %s\n", out, strerror(-ret));
		return 1;
	}
	printf("%s: %zu programs, %zu files, %zu capabilities, %zu addresses and %zu ports "
	       "(%s)\n",
	       out, p->execs.n, p->files.n, p->caps.n, p->addrs.n, p->ports.n,
	       enforce ? "enforce: kill or deny the rest" : "report the rest");
	return 0;
}

static void profile_free(struct profile *p)
{
	set_free(&p->execs);
	set_free(&p->files);
	set_free(&p->dirs);
	set_free(&p->caps);
	set_free(&p->addrs);
	set_free(&p->ports);
	set_free(&p->names);
	set_free(&p->dnames);
	set_free(&p->exec_ids);
	json_decref(p->labels);
}

/* --pod [NAMESPACE/]NAME: the pod the agent knows, and its labels */
static int find_pod(const char *sock, struct profile *p, const char *arg)
{
	const char *slash = strchr(arg, '/');
	json_t *req = json_pack("{s:s}", "command", "pods"), *reply, *pod;
	size_t i;

	if (slash)
		snprintf(p->pod_ns, sizeof(p->pod_ns), "%.*s", (int)(slash - arg), arg);
	else
		snprintf(p->pod_ns, sizeof(p->pod_ns), "default");
	snprintf(p->pod_name, sizeof(p->pod_name), "%s", slash ? slash + 1 : arg);
	snprintf(p->what, sizeof(p->what), "pod %s/%s", p->pod_ns, p->pod_name);
	reply = req ? hornet_cli_call("profile", sock, req) : NULL;
	json_decref(req);
	if (!reply)
		return -1;
	json_array_foreach(json_object_get(reply, "pods"), i, pod)
	{
		if (strcmp(str_at(pod, "namespace", NULL) ?: "", p->pod_ns) ||
		    strcmp(str_at(pod, "name", NULL) ?: "", p->pod_name))
			continue;
		p->labels = json_deep_copy(json_object_get(pod, "labels"));
		if (!json_is_object(p->labels)) {
			json_decref(p->labels);
			p->labels = json_object();
		}
		/* its namespace too: labels alone would select other namespaces' pods */
		json_object_set_new(p->labels, "k8s:io.kubernetes.pod.namespace",
				    json_string(p->pod_ns));
		break;
	}
	json_decref(reply);
	if (!p->labels) {
		fprintf(stderr,
			"hornet profile record: --pod '%s': the agent knows no pod %s/%s (see "
			"'hornet pods')\n",
			arg, p->pod_ns, p->pod_name);
		return -1;
	}
	return 0;
}

int hornet_cmd_profile(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "binary", required_argument, NULL, 'b' },
		{ "pod", required_argument, NULL, 'P' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "enforce", no_argument, NULL, 'e' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *binary = NULL, *pod = NULL, *cgroup = NULL, *out = NULL, *name = NULL,
		   *sock = NULL, *base;
	char def_out[PATH_MAX], def_name[256], err[1024];
	struct profile p = { 0 };
	double seconds = 0;
	bool enforce = false;
	struct stat st;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			binary = optarg;
			break;
		case 'P':
			pod = optarg;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'd':
			ret = parse_duration(optarg, &seconds);
			if (ret) {
				fprintf(stderr,
					"hornet profile: --duration '%s': %s (seconds, or a number "
					"with s, m or h, up to 7 days)\n",
					optarg, ret == -ERANGE ? "too long" : "not a duration");
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'e':
			enforce = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || strcmp(argv[optind], "record") || optind + 1 != argc) {
		fprintf(stderr, "hornet profile: %s\n",
			optind >= argc ? "which command? (record)"
				       : "the only command is 'record', with options alone");
		return 2;
	}
	if (!!binary + !!pod + !!cgroup != 1 || !seconds) {
		fprintf(stderr,
			"hornet profile record: needs --binary PATH, --pod [NAMESPACE/]NAME or "
			"--cgroup PATH|ID (one of them), and --duration D\n");
		return 2;
	}
	sock = hornet_cli_socket(sock);
	if (cgroup) {
		ret = find_cgroup(cgroup, p.cgroup, sizeof(p.cgroup), err, sizeof(err));
		if (ret) {
			fprintf(stderr, "hornet profile record: --cgroup '%s': %s\n", cgroup, err);
			return 1;
		}
		snprintf(p.what, sizeof(p.what), "cgroup %s", p.cgroup);
		base = strrchr(p.cgroup, '/')[1] ? strrchr(p.cgroup, '/') + 1 : "root";
	} else if (pod) {
		if (find_pod(sock, &p, pod)) {
			profile_free(&p);
			return 1;
		}
		base = p.pod_name;
	} else {
		if (!realpath(binary, p.binary) || stat(p.binary, &st) || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "hornet profile record: --binary '%s': %s\n", binary,
				errno ? strerror(errno) : "not a regular file");
			return 1;
		}
		snprintf(p.what, sizeof(p.what), "%s", p.binary);
		base = strrchr(p.binary, '/') + 1;
	}
	snprintf(def_name, sizeof(def_name), "profile-%.200s", base);
	for (c = 0; def_name[c]; c++)
		if (!((def_name[c] >= 'a' && def_name[c] <= 'z') ||
		      (def_name[c] >= '0' && def_name[c] <= '9') || def_name[c] == '-' ||
		      def_name[c] == '.'))
			def_name[c] =
				def_name[c] >= 'A' && def_name[c] <= 'Z' ? def_name[c] + 32 : '-';
	snprintf(def_out, sizeof(def_out), "%s.yaml", def_name);
	out = out ?: def_out;
	name = name ?: def_name;
	ret = merge_file(&p, out, err, sizeof(err));
	if (ret && ret != -ENOENT) {
		fprintf(stderr,
			"hornet profile record: %s: not a profile to merge with: %s (left as it "
			"was)\n",
			out, ret == -EINVAL ? err : strerror(-ret));
		profile_free(&p);
		return 1;
	}
	ret = record(sock, &p, out, name, enforce, seconds);
	profile_free(&p);
	return ret;
}
