// SPDX-License-Identifier: GPL-2.0
/*
 * `hornet oci-hook`: an OCI createRuntime hook. The runtime (runc, crun,
 * containerd's shim, CRI-O, podman) runs it after the container's init has
 * been put into its cgroup and before it execs the workload, with the
 * container's state on stdin and the bundle as working directory. It tells
 * the agent which container this is (cgroup, pod, name, image) and waits for
 * the reply, so that the agent knows the container before its first process
 * runs. Time-bounded; fail-open unless --fail-closed, when the runtime then
 * refuses to start the container.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "export/api.h"
#include "util/cgroup2.h"
#include "util/clock.h"

#define DEFAULT_TIMEOUT_MS 2000
#define MAX_STATE (1U << 20)
#define MAX_CONFIG (16U << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet oci-hook [OPTIONS] < STATE\n\n"
		"An OCI createRuntime hook: reads the container's state (stdin) and its\n"
		"bundle's config.json, and tells the agent the container's cgroup, pod, name\n"
		"and image before its first process runs (docs/kubernetes.md, deploy/oci-hooks/).\n"
		"Exits 0 when the agent took it; when the agent is not there or does not answer\n"
		"in time, exits 0 all the same (fail-open) unless --fail-closed is given.\n\n"
		"      --socket PATH    the agent's API socket (default: $HORNET_SOCKET or\n"
		"                       /run/hornet/hornet.sock)\n"
		"      --timeout MS     how long to wait for the agent (default %d)\n"
		"      --fail-closed    exit 1 when the agent did not take the container: the\n"
		"                       runtime then refuses to start it\n"
		"  -h, --help           show this help\n",
		DEFAULT_TIMEOUT_MS);
}

/* To stderr (the runtime shows it when the hook fails) and to syslog. */
static void say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hornet oci-hook: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

static int alarm_status;

/*
 * The last resort of the time bound: a step that blocks where poll() does
 * not reach (stdin never closed, a connect to an agent whose backlog is
 * full) ends the hook as a timeout would.
 */
static void on_alarm(int sig)
{
	static const char msg[] = "hornet oci-hook: out of time (--timeout)\n";
	ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)n;
	_exit(alarm_status);
}

static json_t *load_bounded(FILE *f, size_t max, const char *what, char *why, size_t why_size)
{
	json_error_t jerr;
	char *buf = malloc(max + 1);
	size_t n = 0, r;
	json_t *v;

	if (!buf) {
		snprintf(why, why_size, "%s: out of memory", what);
		return NULL;
	}
	while (n <= max && (r = fread(buf + n, 1, max + 1 - n, f)) > 0)
		n += r;
	if (n > max) {
		snprintf(why, why_size, "%s: larger than %zu bytes", what, max);
		free(buf);
		return NULL;
	}
	v = json_loadb(buf, n, 0, &jerr);
	free(buf);
	if (!json_is_object(v)) {
		snprintf(why, why_size, "%s: not a JSON object (line %d: %s)", what, jerr.line,
			 v ? "not an object" : jerr.text);
		json_decref(v);
		return NULL;
	}
	return v;
}

static const char *ann(json_t *a, const char *key)
{
	const char *v = json_string_value(json_object_get(a, key));

	return v && v[0] ? v : NULL;
}

/* The first of @keys the annotations have */
static const char *ann_any(json_t *a, const char *const *keys)
{
	const char *v;

	for (; *keys; keys++)
		if ((v = ann(a, *keys)))
			return v;
	return NULL;
}

/*
 * The container's cgroup as the kernel has it: its init (the state's pid)
 * is already there when createRuntime hooks run. "0::<path>" is its line in
 * the cgroup2 hierarchy.
 */
static bool cgroup_of_pid(long pid, char *out, size_t size)
{
	char path[64], line[PATH_MAX + 8];
	bool found = false;
	FILE *f;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = snprintf(out, size, "%s", line + 3) < (int)size && line[3] == '/';
	}
	fclose(f);
	return found;
}

/* systemd's "a-b.slice": "/a.slice/a-b.slice" (each '-' opens a nested slice); "-.slice": the root */
static bool expand_slice(const char *s, size_t n, char *out, size_t size)
{
	size_t len = 0, i;
	int w;

	out[0] = '\0';
	if (!n || (n == 7 && !strncmp(s, "-.slice", 7)))
		return true;
	if (n <= 6 || strncmp(s + n - 6, ".slice", 6))
		return false;
	n -= 6;
	for (i = 1; i <= n; i++) {
		if (i < n && s[i] != '-')
			continue;
		w = snprintf(out + len, size - len, "/%.*s.slice", (int)i, s);
		if (w < 0 || (size_t)w >= size - len)
			return false;
		len += w;
	}
	return true;
}

/*
 * linux.cgroupsPath of the spec, as a path under the cgroup root: a path
 * as it is; systemd's "slice:prefix:name" as the unit runc makes of it,
 * "<slice's path>/prefix-name.scope" (or the name itself when it is a slice).
 */
static bool cgroup_of_spec(const char *cp, char *out, size_t size)
{
	const char *c1, *c2, *name;
	size_t len, nl;
	int n;

	if (!cp || !cp[0])
		return false;
	if (strchr(cp, '/')) {
		n = snprintf(out, size, "%s%s", cp[0] == '/' ? "" : "/", cp);
		return n > 0 && (size_t)n < size;
	}
	c1 = strchr(cp, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || !c2[1])
		return false;
	if (!expand_slice(cp, c1 - cp, out, size))
		return false;
	len = strlen(out);
	name = c2 + 1;
	nl = strlen(name);
	if (nl > 6 && !strcmp(name + nl - 6, ".slice"))
		n = snprintf(out + len, size - len, "/%s", name);
	else
		n = snprintf(out + len, size - len, "/%.*s%s%s.scope", (int)(c2 - c1 - 1), c1 + 1,
			     c2 - c1 > 1 ? "-" : "", name);
	return n > 0 && (size_t)n < size - len;
}

/* The annotations worth the agent's while: Kubernetes', podman's, nerdctl's. */
static json_t *annotations_subset(json_t *a)
{
	static const char *const prefixes[] = { "io.kubernetes.", "io.podman.", "nerdctl/",
						"io.container.manager" };
	json_t *out = json_object(), *v;
	const char *k;
	size_t i;

	json_object_foreach(a, k, v)
	{
		if (!json_is_string(v) || json_string_length(v) > 1024)
			continue;
		for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (!strncmp(k, prefixes[i], strlen(prefixes[i])))
				json_object_set(out, k, v);
	}
	return out;
}

/* Which runtime made the container, by the annotations only it sets. */
static const char *runtime_of(json_t *a)
{
	const char *k;
	json_t *v;

	json_object_foreach(a, k, v)
	{
		if (!strncmp(k, "io.kubernetes.cri-o.", 20))
			return "crio";
		if (!strncmp(k, "io.kubernetes.cri.", 18) || !strncmp(k, "nerdctl/", 8))
			return "containerd";
	}
	/* podman's and CRI-O's own mark of their containers */
	k = ann(a, "io.container.manager");
	if (k && !strcmp(k, "libpod"))
		return "podman";
	if (k && !strcmp(k, "cri-o"))
		return "crio";
	return NULL;
}

static json_t *build_request(json_t *state, json_t *spec, char *why, size_t why_size)
{
	static const char *const uid_keys[] = { "io.kubernetes.cri.sandbox-uid",
						"io.kubernetes.pod.uid", NULL };
	static const char *const ns_keys[] = { "io.kubernetes.cri.sandbox-namespace",
					       "io.kubernetes.pod.namespace", NULL };
	static const char *const pod_keys[] = { "io.kubernetes.cri.sandbox-name",
						"io.kubernetes.pod.name", NULL };
	static const char *const name_keys[] = { "io.kubernetes.cri.container-name",
						 "io.kubernetes.container.name", "nerdctl/name",
						 NULL };
	static const char *const image_keys[] = { "io.kubernetes.cri.image-name",
						  "io.kubernetes.cri-o.ImageName", NULL };
	static const char *const image_id_keys[] = { "io.kubernetes.cri-o.ImageRef", NULL };
	char cg[PATH_MAX], root[PATH_MAX], dir[PATH_MAX * 2];
	json_t *a = json_object_get(spec, "annotations"), *req;
	const char *id = json_string_value(json_object_get(state, "id"));
	long pid = json_integer_value(json_object_get(state, "pid"));
	struct stat st;
	bool have_cg;

	/* the spec's annotations are the runtime's; the state repeats them */
	if (!json_is_object(a))
		a = json_object_get(state, "annotations");
	if (!id || !id[0]) {
		snprintf(why, why_size, "the state on stdin has no container \"id\"");
		return NULL;
	}
	have_cg = cgroup_of_pid(pid, cg, sizeof(cg)) ||
		  cgroup_of_spec(json_string_value(json_object_get(json_object_get(spec, "linux"),
								   "cgroupsPath")),
				 cg, sizeof(cg));
	req = json_object();
	json_object_set_new(req, "command", json_string("container"));
	json_object_set_new(req, "id", json_string(id));
	if (pid > 0)
		json_object_set_new(req, "pid", json_integer(pid));
	if (have_cg) {
		json_object_set_new(req, "cgroup_path", json_string(cg));
		if (!hornet_cgroup2_root(root, sizeof(root))) {
			snprintf(dir, sizeof(dir), "%s%s", root, cg);
			/* a cgroup2 directory's inode number is the cgroup's id */
			if (!stat(dir, &st))
				json_object_set_new(req, "cgroup_id", json_integer(st.st_ino));
		}
	}
#define SET(key, v)                                                     \
	do {                                                            \
		const char *s_ = (v);                                   \
		if (s_)                                                 \
			json_object_set_new(req, key, json_string(s_)); \
	} while (0)
	SET("pod_uid", ann_any(a, uid_keys));
	SET("pod_namespace", ann_any(a, ns_keys));
	SET("pod_name", ann_any(a, pod_keys));
	SET("container_name", ann_any(a, name_keys));
	SET("image", ann_any(a, image_keys));
	SET("image_id", ann_any(a, image_id_keys));
	SET("runtime", runtime_of(a));
#undef SET
	json_object_set_new(req, "annotations", annotations_subset(a));
	return req;
}

static bool str_is(json_t *obj, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v && !strcmp(v, want);
}

static json_t *gone_request(json_t *state, json_t *spec, char *why, size_t why_size)
{
	const char *id = json_string_value(json_object_get(state, "id"));
	char cg[PATH_MAX];
	json_t *req;

	if (!id || !id[0]) {
		snprintf(why, why_size, "the state on stdin has no container \"id\"");
		return NULL;
	}
	req = json_object();
	json_object_set_new(req, "command", json_string("container_gone"));
	json_object_set_new(req, "id", json_string(id));
	/* the cgroup is gone by now: only the spec still says where it was */
	if (cgroup_of_spec(json_string_value(
				   json_object_get(json_object_get(spec, "linux"), "cgroupsPath")),
			   cg, sizeof(cg)))
		json_object_set_new(req, "cgroup_path", json_string(cg));
	return req;
}

/* Sends @req and waits up to @deadline for the reply; 0, or -errno with @why. */
static int ask_agent(const char *socket, json_t *req, uint64_t deadline, char *why, size_t why_size)
{
	char *line = json_dumps(req, JSON_COMPACT), reply[4096];
	struct pollfd pfd = { .events = POLLIN };
	size_t n = 0;
	json_t *r;
	ssize_t got;
	int fd, ret;

	if (!line)
		return -ENOMEM;
	/* one line: the request, then its newline */
	line = realloc(line, strlen(line) + 2);
	if (!line)
		return -ENOMEM;
	strcat(line, "\n");
	fd = hornet_api_connect(socket, line);
	free(line);
	if (fd < 0) {
		snprintf(why, why_size, "cannot reach the agent at '%s': %s", socket,
			 strerror(-fd));
		return fd;
	}
	pfd.fd = fd;
	for (;;) {
		uint64_t now = hornet_mono_ms();

		if (now >= deadline) {
			ret = -ETIMEDOUT;
			snprintf(why, why_size, "the agent at '%s' did not answer in time", socket);
			goto out;
		}
		ret = poll(&pfd, 1, (int)(deadline - now));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			continue;
		got = read(fd, reply + n, sizeof(reply) - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || memchr(reply + n, '\n', got) || n + got == sizeof(reply) - 1) {
			n += got > 0 ? got : 0;
			break;
		}
		n += got;
	}
	reply[n] = '\0';
	r = json_loads(reply, JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_object(r)) {
		ret = -EPROTO;
		snprintf(why, why_size, "the agent's reply is not JSON");
	} else if (json_object_get(r, "error")) {
		ret = -EINVAL;
		snprintf(why, why_size, "the agent refused the container: %s",
			 json_string_value(json_object_get(r, "error")));
	} else {
		ret = 0;
	}
	json_decref(r);
out:
	close(fd);
	return ret;
}

int hornet_cmd_oci_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "fail-closed", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *socket = NULL, *bundle;
	long timeout = DEFAULT_TIMEOUT_MS;
	json_t *state = NULL, *spec = NULL, *req = NULL;
	char why[4352], path[PATH_MAX], *end;
	bool fail_closed = false;
	uint64_t deadline;
	int c, ret = -EINVAL;
	FILE *f;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			socket = optarg;
			break;
		case 't':
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || *end || timeout <= 0 || timeout > 600000) {
				fprintf(stderr,
					"hornet oci-hook: --timeout '%s': milliseconds, 1 to "
					"600000\n",
					optarg);
				return 2;
			}
			break;
		case 'f':
			fail_closed = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	deadline = hornet_mono_ms() + timeout;
	alarm_status = fail_closed ? 1 : 0;
	signal(SIGALRM, on_alarm);
	/* poll() keeps to the deadline; this only catches what blocks elsewhere */
	setitimer(ITIMER_REAL,
		  &(struct itimerval){ .it_value = { .tv_sec = (timeout + 250) / 1000,
						     .tv_usec = (timeout + 250) % 1000 * 1000 } },
		  NULL);
	openlog("hornet-oci-hook", LOG_PID, LOG_DAEMON);
	socket = hornet_cli_socket(socket);
	state = load_bounded(stdin, MAX_STATE, "container state (stdin)", why, sizeof(why));
	if (!state)
		goto out;
	/* the runtime runs the hook in the bundle; the state names it too */
	bundle = json_string_value(json_object_get(state, "bundle"));
	snprintf(path, sizeof(path), "%s/config.json", bundle && bundle[0] ? bundle : ".");
	f = fopen(path, "re");
	if (f) {
		spec = load_bounded(f, MAX_CONFIG, path, why, sizeof(why));
		fclose(f);
	}
	if (!spec) /* the state alone still names the container */
		spec = json_object();
	/* the same hook at poststop: the container is gone */
	if (str_is(state, "status", "stopped"))
		req = gone_request(state, spec, why, sizeof(why));
	else
		req = build_request(state, spec, why, sizeof(why));
	if (!req)
		goto out;
	ret = ask_agent(socket, req, deadline, why, sizeof(why));
out:
	if (ret) {
		say(fail_closed ? LOG_ERR : LOG_WARNING, "container '%s': %s; %s",
		    state ? json_string_value(json_object_get(state, "id")) ?: "?" : "?", why,
		    fail_closed ? "failing (--fail-closed): the container does not start"
				: "the container starts unseen by the agent (fail-open)");
	}
	json_decref(req);
	json_decref(spec);
	json_decref(state);
	closelog();
	return ret && fail_closed ? 1 : 0;
}
