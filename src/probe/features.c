// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel BPF feature detection by trying. Each program probe opens the probe
 * object (bpf/probe.bpf.c) with exactly one program turned on, loads it,
 * attaches it to a real hook and destroys link and object again: BPF links
 * detach when their last fd is closed, so nothing outlives the attempt even
 * if the process dies in the middle. Map and helper support is asked with
 * libbpf's own probes, which load a map or a program and unload it at once.
 *
 * Cost (measured on 6.18): libbpf 1.1 parses the vmlinux BTF once per
 * object, 60 ms of CPU here (a 5.5 MB copy into fresh pages, which this
 * VM's page faults make dear). The four BTF-based probes (tp_btf, fentry,
 * fmod_ret, lsm) therefore do not go through the object: they parse the BTF
 * once between them and load a two-instruction program each themselves. Most of the time goes to
 * detaching the syscall tracepoint and the uprobe (80-120 ms each), where
 * the kernel waits for RCU grace periods; see slow_probe[] below. Every
 * other probe takes under 1 ms.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe/features.h"
#include "util/kbtf.h"
#include "probe.skel.h"

/* The prefix of the syscall entry points the kernel builds with SYSCALL_DEFINE. */
#if defined(__x86_64__)
#define SYSCALL_PREFIX "__x64_sys_"
#elif defined(__aarch64__)
#define SYSCALL_PREFIX "__arm64_sys_"
#elif defined(__s390x__)
#define SYSCALL_PREFIX "__s390x_sys_"
#else
#define SYSCALL_PREFIX "sys_"
#endif

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"
#define UPROBE_PMU "/sys/bus/event_source/devices/uprobe"
#define LSM_LIST "/sys/kernel/security/lsm"
#define CGROUP_DIR_PREFIX "hornet-probe."
/*
 * Our own buffer for the verifier log of a failed load: without one, libbpf
 * 1.1 retries the load with a 16 MiB buffer. The probe programs are two
 * instructions long, so their logs are short.
 */
#define VERIFIER_LOG_SIZE (64 * 1024)

static const char *const feature_names[HORNET_FEAT_COUNT] = {
	[HORNET_FEAT_TP_BTF] = "tp_btf",
	[HORNET_FEAT_RAW_TP] = "raw_tp",
	[HORNET_FEAT_TRACEPOINT] = "tracepoint",
	[HORNET_FEAT_KPROBE] = "kprobe",
	[HORNET_FEAT_KPROBE_MULTI] = "kprobe_multi",
	[HORNET_FEAT_FENTRY] = "fentry",
	[HORNET_FEAT_FMOD_RET] = "fmod_ret",
	[HORNET_FEAT_LSM] = "lsm",
	[HORNET_FEAT_UPROBE] = "uprobe",
	[HORNET_FEAT_RINGBUF] = "ringbuf",
	[HORNET_FEAT_SEND_SIGNAL] = "send_signal",
	[HORNET_FEAT_CGROUP] = "cgroup",
	[HORNET_FEAT_BPF_LOOP] = "bpf_loop",
	[HORNET_FEAT_TRACING_COOKIE] = "tracing_cookie",
	[HORNET_FEAT_WRITE_USER] = "write_user",
};

/* What hornet does on a kernel without the feature: `hornet probe` and the docs say it. */
static const char *const feature_losses[HORNET_FEAT_COUNT] = {
	[HORNET_FEAT_TP_BTF] = "raw tracepoints instead, with the same events",
	[HORNET_FEAT_RAW_TP] = "with tp_btf missing too, no process events: the agent cannot start",
	[HORNET_FEAT_TRACEPOINT] = "policies' tracepoint hooks are refused",
	[HORNET_FEAT_KPROBE] = "kprobe hooks attach as fentry where they can, else are refused",
	[HORNET_FEAT_KPROBE_MULTI] = "a list of functions loads one program per function",
	[HORNET_FEAT_FENTRY] = "kprobe hooks attach as kprobes where the kernel has them",
	[HORNET_FEAT_FMOD_RET] = "Override only where bpf_override_return() or an LSM hook serves",
	[HORNET_FEAT_LSM] = "lsm hooks observe through fentry or kprobes (Override refused)",
	[HORNET_FEAT_UPROBE] = "uprobe and USDT hooks are refused",
	[HORNET_FEAT_RINGBUF] = "the agent cannot start (Linux 5.8)",
	[HORNET_FEAT_SEND_SIGNAL] = "Sigkill and Signal actions are refused",
	[HORNET_FEAT_CGROUP] =
		"no DNS, HTTP or TLS inspection; connect hooks need kprobes or fentry",
	[HORNET_FEAT_BPF_LOOP] =
		("policies run bounded loops: loads verify longer, SubString is refused, rateLimit "
		 "keys on the first 512 bytes of arguments; paths stop at 64 components, not 256"),
	[HORNET_FEAT_TRACING_COOKIE] = "accepted TCP connections' events carry no socket cookie",
	[HORNET_FEAT_WRITE_USER] = "the Set action of USDT probes is refused",
};

const char *hornet_feature_loss(enum hornet_feature f)
{
	if ((unsigned int)f >= HORNET_FEAT_COUNT)
		return NULL;
	return feature_losses[f];
}

const char *hornet_feature_name(enum hornet_feature f)
{
	if ((unsigned int)f >= HORNET_FEAT_COUNT)
		return NULL;
	return feature_names[f];
}

/*
 * The uprobe probe's target: global, never inlined and never called, so it
 * has a symbol of its own in this binary's symbol table.
 */
void hornet_probe_uprobe_target(void);

__attribute__((noinline, used)) void hornet_probe_uprobe_target(void)
{
	asm volatile("" ::: "memory");
}

static int discard_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/*
 * Error text that also knows libbpf's own codes (LIBBPF_ERRNO__*). Returned
 * by value, so it lives until the end of the full expression that uses it.
 */
struct errtext {
	char s[64];
};

static struct errtext errstr(int err)
{
	struct errtext t;

	libbpf_strerror(err, t.s, sizeof(t.s));
	return t;
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void set_why(struct hornet_features *f, enum hornet_feature x, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_hint(struct hornet_features *f, enum hornet_feature x, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(struct hornet_features *f, enum hornet_feature x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->detail[x], sizeof(f->detail[x]), fmt, ap);
	va_end(ap);
}

/* Appends "; <hint>" to the detail, cut at its size. */
static void add_hint(struct hornet_features *f, enum hornet_feature x, const char *fmt, ...)
{
	size_t len = strlen(f->detail[x]);
	size_t room = sizeof(f->detail[x]) - len;
	va_list ap;

	if (room <= 3)
		return;
	if (len) {
		memcpy(f->detail[x] + len, "; ", 3);
		len += 2;
		room -= 2;
	}
	va_start(ap, fmt);
	vsnprintf(f->detail[x] + len, room, fmt, ap);
	va_end(ap);
}

static void set_result(struct hornet_features *f, enum hornet_feature x, bool has)
{
	f->has[x] = has;
	if (has)
		f->detail[x][0] = '\0';
}

/* One program of the probe object: opened, loaded, maybe attached. */
struct attempt {
	struct hornet_probe *skel;
	struct bpf_program *prog;
	struct bpf_link *link;
	char *log;
};

static void attempt_end(struct attempt *a)
{
	bpf_link__destroy(a->link);
	hornet_probe__destroy(a->skel);
	free(a->log);
	memset(a, 0, sizeof(*a));
}

/*
 * Says why the kernel refused a program: the verifier's last message, or
 * that the kernel refused it before the verifier ran (nothing in the log),
 * as 6.18 here does with fentry and lsm programs.
 */
static void add_log_hint(struct hornet_features *f, enum hornet_feature x, char *log)
{
	char *line, *last = NULL, *save;

	if (!log[0]) {
		add_hint(f, x, "refused before the verifier ran");
		return;
	}
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "processed ", 10))
			last = line;
	}
	if (last)
		add_hint(f, x, "verifier: %s", last);
}

/*
 * Opens the probe object with only the program `name` turned on, points it
 * at the kernel function `target` when one is given (BTF-based types) and
 * loads it. Returns 0 or -errno, and then the failed step is in the detail.
 * -ESRCH means the hook is not in the kernel's BTF (or there is no BTF).
 */
static int attempt_load(struct attempt *a, struct hornet_features *f, enum hornet_feature x,
			const char *name, const char *target)
{
	struct bpf_program *p;
	int err;

	memset(a, 0, sizeof(*a));
	a->skel = hornet_probe__open();
	if (!a->skel) {
		err = -errno;
		set_why(f, x, "object open: %s", errstr(err).s);
		return err;
	}
	for (p = bpf_object__next_program(a->skel->obj, NULL); p;
	     p = bpf_object__next_program(a->skel->obj, p)) {
		if (!strcmp(bpf_program__name(p), name))
			a->prog = p;
		bpf_program__set_autoload(p, false);
	}
	if (!a->prog) {
		set_why(f, x, "program '%s' missing from the probe object", name);
		return -ENOENT;
	}
	bpf_program__set_autoload(a->prog, true);
	/* Without a buffer of our own, libbpf allocates one: no need to fail. */
	a->log = malloc(VERIFIER_LOG_SIZE);
	if (a->log) {
		a->log[0] = '\0';
		bpf_program__set_log_buf(a->prog, a->log, VERIFIER_LOG_SIZE);
	}
	if (target) {
		err = bpf_program__set_attach_target(a->prog, 0, target);
		if (err) {
			set_why(f, x, "attach target '%s': %s", target, errstr(err).s);
			return err;
		}
	}
	err = hornet_probe__load(a->skel);
	if (err) {
		set_why(f, x, "program load: %s", errstr(err).s);
		if (a->log && err != -ESRCH)
			add_log_hint(f, x, a->log);
	}
	return err;
}

/* Explains an -ESRCH from attempt_load(). */
static void btf_hint(struct hornet_features *f, enum hornet_feature x, const char *hook)
{
	if (!path_exists(VMLINUX_BTF))
		add_hint(f, x, "kernel BTF absent (CONFIG_DEBUG_INFO_BTF not set?)");
	else
		add_hint(f, x, "'%s' not found in kernel BTF", hook);
}

static int attach_default(struct attempt *a, struct hornet_features *f, enum hornet_feature x)
{
	int err;

	a->link = bpf_program__attach(a->prog);
	if (!a->link) {
		err = -errno;
		set_why(f, x, "attach: %s", errstr(err).s);
		return err;
	}
	return 0;
}

/*
 * Load and attach with the section's own target, or with each of `targets`
 * in turn (BTF-based types) until one is found in the kernel's BTF.
 */
static int try_prog(struct hornet_features *f, enum hornet_feature x, const char *name,
		    const char *const *targets, int ntargets)
{
	struct attempt a;
	int err = -ENOENT;
	int i;

	for (i = 0; i < (ntargets ? ntargets : 1); i++) {
		err = attempt_load(&a, f, x, name, ntargets ? targets[i] : NULL);
		if (!err)
			err = attach_default(&a, f, x);
		attempt_end(&a);
		if (err != -ESRCH || !path_exists(VMLINUX_BTF))
			break;
	}
	set_result(f, x, !err);
	return err;
}

/* The kernel's BTF, parsed at the first BTF-based probe of a run; or why not. */
static struct btf *vmlinux_btf;
static int vmlinux_btf_err;

static int load_vmlinux_btf(void)
{
	if (!vmlinux_btf && !vmlinux_btf_err) {
		vmlinux_btf = hornet_kbtf_get();
		vmlinux_btf_err = vmlinux_btf ? 0 : -errno;
	}
	return vmlinux_btf_err;
}

/* One BTF-based program: its type, how it attaches, and what to (by kind and name). */
struct btf_probe {
	const char *name;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	int kind; /* BTF_KIND_FUNC or BTF_KIND_TYPEDEF (a tracepoint's btf_trace_*) */
};

/*
 * Loads "r0 = 0; exit" as @p against the first of @targets the kernel's BTF
 * has, and attaches it (through a raw tracepoint fd, as every kernel since
 * 5.5 takes for these types); both are closed again. Returns 0 or -errno,
 * -ESRCH when no target is in the BTF (or there is no BTF).
 */
static int try_btf_insns(struct hornet_features *f, enum hornet_feature x,
			 const struct btf_probe *p, const char *const *targets, int ntargets,
			 const struct bpf_insn *insns, size_t ninsns)
{
	int err, id = -ENOENT, i, fd, link;
	char *log;

	err = load_vmlinux_btf();
	if (err) {
		set_why(f, x, "kernel BTF: %s", errstr(err).s);
		set_result(f, x, false);
		return -ESRCH;
	}
	for (i = 0; i < ntargets && id < 0; i++)
		id = btf__find_by_name_kind(vmlinux_btf, targets[i], p->kind);
	if (id < 0) {
		set_why(f, x, "attach target '%s': %s", targets[ntargets - 1], errstr(-ESRCH).s);
		set_result(f, x, false);
		return -ESRCH;
	}
	log = calloc(1, VERIFIER_LOG_SIZE);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = p->attach, .attach_btf_id = id,
		    .log_buf = log, .log_size = log ? VERIFIER_LOG_SIZE : 0);
	fd = bpf_prog_load(p->type, p->name, "GPL", insns, ninsns, &o);
	if (fd < 0) {
		err = -errno;
		set_why(f, x, "program load: %s", errstr(err).s);
		if (log)
			add_log_hint(f, x, log);
	} else {
		link = bpf_raw_tracepoint_open(NULL, fd);
		err = link < 0 ? -errno : 0;
		if (err)
			set_why(f, x, "attach: %s", errstr(err).s);
		else
			close(link);
		close(fd);
	}
	free(log);
	set_result(f, x, !err);
	return err;
}

static int try_btf_prog(struct hornet_features *f, enum hornet_feature x, const struct btf_probe *p,
			const char *const *targets, int ntargets)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return try_btf_insns(f, x, p, targets, ntargets, insns, sizeof(insns) / sizeof(insns[0]));
}

static void probe_tp_btf(struct hornet_features *f)
{
	static const struct btf_probe p = { "probe_tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP,
					    BTF_KIND_TYPEDEF };
	static const char *const targets[] = { "btf_trace_sched_process_exec" };

	if (try_btf_prog(f, HORNET_FEAT_TP_BTF, &p, targets, 1) == -ESRCH)
		btf_hint(f, HORNET_FEAT_TP_BTF, targets[0]);
}

/*
 * bpf_get_socket_cookie() on the socket a tp_btf program is given: the
 * network sensor asks for the cookie of an accepted socket this way. Tracing
 * programs may call it since 5.12 (commit c5dbb89fc2ac "bpf: Expose
 * bpf_get_socket_cookie to tracing programs").
 */
static void probe_tracing_cookie(struct hornet_features *f)
{
	static const struct btf_probe p = { "probe_cookie", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP,
					    BTF_KIND_TYPEDEF };
	static const char *const targets[] = { "btf_trace_inet_sock_set_state" };
	const struct bpf_insn insns[] = {
		/* r1 = ctx[0], the socket; the cookie; return 0 */
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_1 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_socket_cookie },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (try_btf_insns(f, HORNET_FEAT_TRACING_COOKIE, &p, targets, 1, insns,
			  sizeof(insns) / sizeof(insns[0])) == -ESRCH)
		btf_hint(f, HORNET_FEAT_TRACING_COOKIE, targets[0]);
}

static void probe_raw_tp(struct hornet_features *f)
{
	int err = try_prog(f, HORNET_FEAT_RAW_TP, "probe_raw_tp", NULL, 0);

	if (err == -ENOENT)
		add_hint(f, HORNET_FEAT_RAW_TP, "no tracepoint sched_process_exec");
}

static void probe_fentry(struct hornet_features *f)
{
	static const struct btf_probe p = { "probe_fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
					    BTF_KIND_FUNC };
	static const char *const targets[] = { "do_unlinkat", SYSCALL_PREFIX "getpid" };

	if (try_btf_prog(f, HORNET_FEAT_FENTRY, &p, targets, 2) == -ESRCH)
		btf_hint(f, HORNET_FEAT_FENTRY, targets[1]);
}

static void probe_fmod_ret(struct hornet_features *f)
{
	static const struct btf_probe p = { "probe_fmod_ret", BPF_PROG_TYPE_TRACING,
					    BPF_MODIFY_RETURN, BTF_KIND_FUNC };
	static const char *const targets[] = { SYSCALL_PREFIX "getpgid" };
	int err = try_btf_prog(f, HORNET_FEAT_FMOD_RET, &p, targets, 1);

	/* -EINVAL is the verifier's "... is not modifiable": not error-injectable. */
	if (err == -ESRCH)
		btf_hint(f, HORNET_FEAT_FMOD_RET, targets[0]);
	else if (err == -EINVAL)
		add_hint(f, HORNET_FEAT_FMOD_RET, "CONFIG_FUNCTION_ERROR_INJECTION not set?");
}

/* True when the active LSM list is readable and does not name "bpf". */
static bool bpf_lsm_inactive(void)
{
	char buf[512];
	ssize_t n;
	char *tok, *save;
	int fd;

	fd = open(LSM_LIST, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
		if (!strcmp(tok, "bpf"))
			return false;
	}
	return true;
}

static void probe_lsm(struct hornet_features *f)
{
	static const struct btf_probe p = { "probe_lsm", BPF_PROG_TYPE_LSM, BPF_LSM_MAC,
					    BTF_KIND_FUNC };
	static const char *const targets[] = { "bpf_lsm_file_open" };
	int err = try_btf_prog(f, HORNET_FEAT_LSM, &p, targets, 1);

	if (err == -ESRCH) {
		btf_hint(f, HORNET_FEAT_LSM, "bpf_lsm_file_open");
	} else if (err && bpf_lsm_inactive()) {
		add_hint(f, HORNET_FEAT_LSM,
			 "BPF LSM not active (add bpf to the lsm= boot parameter)");
	} else if (!err && bpf_lsm_inactive()) {
		/*
		 * Debian 11's 5.10 (measured) loads and attaches LSM programs when the
		 * BPF LSM is built in but not active; they never run.
		 */
		set_why(f, HORNET_FEAT_LSM,
			"program loads and attaches, but the BPF LSM is "
			"not active (add bpf to the lsm= boot parameter)");
		set_result(f, HORNET_FEAT_LSM, false);
	}
}

/*
 * Perf-event tracepoints are found through tracefs. It is often not mounted
 * (container images, minimal VMs); the agent needs it as well, so it is
 * mounted where libbpf looks first and left mounted.
 */
static int ensure_tracefs(void)
{
	if (path_exists(TRACEFS "/events") || path_exists(DEBUGFS_TRACING "/events"))
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return -errno;
	return 0;
}

static void probe_tracepoint(struct hornet_features *f)
{
	enum hornet_feature x = HORNET_FEAT_TRACEPOINT;
	int err;

	err = ensure_tracefs();
	if (err) {
		set_why(f, x, "tracefs not mounted, and mounting it at " TRACEFS " failed: %s",
			errstr(err).s);
		set_result(f, x, false);
		return;
	}
	err = try_prog(f, x, "probe_tracept", NULL, 0);
	if (err == -ENOENT)
		add_hint(f, x,
			 "no syscalls:sys_enter_getpid event (CONFIG_FTRACE_SYSCALLS not set?)");
}

static void probe_kprobe(struct hornet_features *f)
{
	static const char *const targets[] = { "do_unlinkat", SYSCALL_PREFIX "getpid" };
	const int ntargets = sizeof(targets) / sizeof(targets[0]);
	enum hornet_feature x = HORNET_FEAT_KPROBE;
	struct attempt a;
	int err, i;

	err = attempt_load(&a, f, x, "probe_kprobe", NULL);
	for (i = 0; !err && i < ntargets; i++) {
		a.link = bpf_program__attach_kprobe(a.prog, false, targets[i]);
		if (a.link)
			break;
		err = -errno;
		if (i == 0)
			set_why(f, x, "attach to %s: %s", targets[i], errstr(err).s);
		/* Another function only helps when this one is missing. */
		if (i + 1 < ntargets && (err == -ENOENT || err == -EINVAL))
			err = 0;
	}
	attempt_end(&a);
	set_result(f, x, !err);
	if (err && !path_exists(KPROBE_PMU))
		add_hint(f, x, "kprobe PMU absent (CONFIG_KPROBES not set?)");
}

static void probe_kprobe_multi(struct hornet_features *f)
{
	static const char *syms[] = { SYSCALL_PREFIX "getpid", SYSCALL_PREFIX "getppid" };
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms, .cnt = 2);
	enum hornet_feature x = HORNET_FEAT_KPROBE_MULTI;
	struct attempt a;
	int err;

	err = attempt_load(&a, f, x, "probe_kp_multi", NULL);
	if (!err) {
		a.link = bpf_program__attach_kprobe_multi_opts(a.prog, NULL, &opts);
		if (!a.link) {
			err = -errno;
			set_why(f, x, "attach to %s,%s: %s", syms[0], syms[1], errstr(err).s);
			if (err == -EOPNOTSUPP)
				add_hint(f, x, "CONFIG_FPROBE not set?");
		}
	} else if (err == -EINVAL) {
		add_hint(f, x, "kernel does not know the kprobe.multi attach type");
	}
	attempt_end(&a);
	set_result(f, x, !err);
}

static void probe_uprobe(struct hornet_features *f)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	enum hornet_feature x = HORNET_FEAT_UPROBE;
	struct {
		const char *path;
		const char *func;
	} targets[2] = { { "/proc/self/exe", "hornet_probe_uprobe_target" } };
	int ntargets = 1;
	struct attempt a;
	Dl_info dl;
	int err, i;

	/*
	 * A stripped binary has no symbol for our own function: then libc's
	 * getpid() will do, in the library this process really maps. Either way
	 * only this process is traced (pid 0), so no other process that maps
	 * the file gets the breakpoint.
	 */
	if (dladdr((void *)getpid, &dl) && dl.dli_fname && strchr(dl.dli_fname, '/')) {
		targets[1].path = dl.dli_fname;
		targets[1].func = "getpid";
		ntargets = 2;
	}
	err = attempt_load(&a, f, x, "probe_uprobe", NULL);
	for (i = 0; !err && i < ntargets; i++) {
		opts.func_name = targets[i].func;
		a.link = bpf_program__attach_uprobe_opts(a.prog, 0, targets[i].path, 0, &opts);
		if (a.link)
			break;
		err = -errno;
		if (i == 0)
			set_why(f, x, "attach to %s:%s: %s", targets[i].path, targets[i].func,
				errstr(err).s);
		if (i + 1 < ntargets)
			err = 0;
	}
	attempt_end(&a);
	set_result(f, x, !err);
	if (err && !path_exists(UPROBE_PMU))
		add_hint(f, x, "uprobe PMU absent (CONFIG_UPROBE_EVENTS not set?)");
}

/* Undoes the octal escapes (\040 for a space) of a mountinfo field, in place. */
static void unescape_mount_field(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* Finds the first cgroup v2 mount point; returns 0, -ENOENT or -errno. */
static int find_cgroup2_mount(char *buf, size_t size)
{
	char *line = NULL, *sep, *mnt, *save;
	size_t cap = 0;
	int err = -ENOENT;
	FILE *fp;
	int i;

	fp = fopen("/proc/self/mountinfo", "re");
	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) > 0) {
		/* "id parent maj:min root mountpoint opts [optional...] - fstype src superopts" */
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		*sep = '\0';
		mnt = strtok_r(line, " ", &save);
		for (i = 0; mnt && i < 4; i++)
			mnt = strtok_r(NULL, " ", &save);
		if (!mnt)
			continue;
		unescape_mount_field(mnt);
		if (strlen(mnt) >= size) {
			err = -ENAMETOOLONG;
			continue;
		}
		strcpy(buf, mnt);
		err = 0;
		break;
	}
	free(line);
	fclose(fp);
	return err;
}

static void probe_cgroup(struct hornet_features *f)
{
	enum hornet_feature x = HORNET_FEAT_CGROUP;
	char root[PATH_MAX], dir[PATH_MAX + 32];
	const char *target = dir;
	struct attempt a;
	int err, cg_fd;

	err = find_cgroup2_mount(root, sizeof(root));
	if (err == -ENOENT)
		set_why(f, x, "no cgroup v2 mount in /proc/self/mountinfo");
	else if (err)
		set_why(f, x, "cgroup v2 mount from /proc/self/mountinfo: %s", errstr(err).s);
	if (err) {
		set_result(f, x, false);
		return;
	}
	/*
	 * An empty child cgroup of our own keeps the attempt away from every
	 * process. Where the hierarchy is read-only (a container) the root is
	 * used: an allow-all program in a multi-attach link changes no verdict.
	 */
	snprintf(dir, sizeof(dir), "%s/" CGROUP_DIR_PREFIX "%d", root, (int)getpid());
	if (mkdir(dir, 0700) && errno != EEXIST)
		target = root;

	cg_fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0) {
		err = -errno;
		set_why(f, x, "open %s: %s", target, errstr(err).s);
		goto out;
	}
	err = attempt_load(&a, f, x, "probe_cgroup", NULL);
	if (!err) {
		a.link = bpf_program__attach_cgroup(a.prog, cg_fd);
		if (!a.link) {
			err = -errno;
			set_why(f, x, "attach to %s: %s", target, errstr(err).s);
		}
	}
	attempt_end(&a);
	close(cg_fd);
out:
	if (target == dir)
		rmdir(dir);
	set_result(f, x, !err);
}

static void probe_ringbuf(struct hornet_features *f)
{
	enum hornet_feature x = HORNET_FEAT_RINGBUF;
	int ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	if (ret == 0)
		set_why(f, x, "map create: kernel does not know BPF_MAP_TYPE_RINGBUF");
	else if (ret < 0)
		set_why(f, x, "map create: %s", errstr(ret).s);
	set_result(f, x, ret == 1);
}

static void probe_helper(struct hornet_features *f, enum hornet_feature x, enum bpf_prog_type type,
			 const char *type_name, enum bpf_func_id id, const char *helper)
{
	int ret = libbpf_probe_bpf_helper(type, id, NULL);

	if (ret == 0)
		set_why(f, x, "%s() not allowed in %s programs", helper, type_name);
	else if (ret < 0)
		set_why(f, x, "%s program load: %s", type_name, errstr(ret).s);
	set_result(f, x, ret == 1);
}

static void probe_send_signal(struct hornet_features *f)
{
	probe_helper(f, HORNET_FEAT_SEND_SIGNAL, BPF_PROG_TYPE_TRACEPOINT, "tracepoint",
		     BPF_FUNC_send_signal, "bpf_send_signal");
}

/*
 * A kprobe program that calls it, loaded: libbpf's helper probe takes the
 * verifier's "program of this type cannot use helper" (6.x, under lockdown)
 * for a yes. The kernel logs a warning each time a program that may call it
 * loads, this one included: the agent probes it only for a policy with Set.
 */
static void probe_write_user(struct hornet_features *f)
{
	const struct bpf_insn insns[] = {
		/* *(u64 *)(fp - 8) = 0; bpf_probe_write_user(NULL, fp - 8, 1); return 0 */
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X,
		  .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 1 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_probe_write_user },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char *log = calloc(1, VERIFIER_LOG_SIZE);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = log ? VERIFIER_LOG_SIZE : 0,
		    .log_level = log ? 1 : 0);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "probe_write_user", "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), &o);

	if (fd < 0) {
		set_why(f, HORNET_FEAT_WRITE_USER, "kprobe program load: %s", errstr(-errno).s);
		if (log)
			add_log_hint(f, HORNET_FEAT_WRITE_USER, log);
		add_hint(f, HORNET_FEAT_WRITE_USER, "kernel lockdown?");
	} else {
		close(fd);
	}
	free(log);
	set_result(f, HORNET_FEAT_WRITE_USER, fd >= 0);
}

static void probe_bpf_loop(struct hornet_features *f)
{
	probe_helper(f, HORNET_FEAT_BPF_LOOP, BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint",
		     BPF_FUNC_loop, "bpf_loop");
}

static void (*const probes[HORNET_FEAT_COUNT])(struct hornet_features *f) = {
	[HORNET_FEAT_TP_BTF] = probe_tp_btf,
	[HORNET_FEAT_RAW_TP] = probe_raw_tp,
	[HORNET_FEAT_TRACEPOINT] = probe_tracepoint,
	[HORNET_FEAT_KPROBE] = probe_kprobe,
	[HORNET_FEAT_KPROBE_MULTI] = probe_kprobe_multi,
	[HORNET_FEAT_FENTRY] = probe_fentry,
	[HORNET_FEAT_FMOD_RET] = probe_fmod_ret,
	[HORNET_FEAT_LSM] = probe_lsm,
	[HORNET_FEAT_UPROBE] = probe_uprobe,
	[HORNET_FEAT_RINGBUF] = probe_ringbuf,
	[HORNET_FEAT_SEND_SIGNAL] = probe_send_signal,
	[HORNET_FEAT_CGROUP] = probe_cgroup,
	[HORNET_FEAT_BPF_LOOP] = probe_bpf_loop,
	[HORNET_FEAT_TRACING_COOKIE] = probe_tracing_cookie,
	[HORNET_FEAT_WRITE_USER] = probe_write_user,
};

/*
 * Ending a tracepoint or uprobe attempt waits in the kernel for RCU grace
 * periods (80-120 ms each on 6.18). Running these two on threads of their own
 * saved 40 ms of 260, but under QEMU TCG on 6.1 it once left both threads
 * spinning in the kernel for minutes (soft lockups on both CPUs: the uprobe
 * attempt writes a breakpoint into code this process runs). So they run one
 * after the other, last.
 */
static const bool slow_probe[HORNET_FEAT_COUNT] = {
	[HORNET_FEAT_TRACEPOINT] = true,
	[HORNET_FEAT_UPROBE] = true,
};

static bool stopped(const int *stop)
{
	return stop && __atomic_load_n(stop, __ATOMIC_RELAXED);
}

/* After probing: the kernel's BTF given back, libbpf's printing as it was. */
static void probes_end(libbpf_print_fn_t old_print)
{
	hornet_kbtf_put(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_err = 0;
	libbpf_set_print(old_print);
}

void hornet_features_probe_one(struct hornet_features *f, enum hornet_feature x)
{
	libbpf_print_fn_t old_print;

	if (!f || (unsigned int)x >= HORNET_FEAT_COUNT)
		return;
	old_print = libbpf_set_print(discard_print);
	f->probed[x] = true;
	f->has[x] = false;
	f->detail[x][0] = '\0';
	probes[x](f);
	probes_end(old_print);
}

int hornet_features_probe(struct hornet_features *f, unsigned int mask, const int *stop)
{
	libbpf_print_fn_t old_print;
	struct hornet_probe *skel;
	int err = 0;
	int i;

	if (!f || (mask & ~HORNET_FEAT_ALL))
		return -EINVAL;
	memset(f, 0, sizeof(*f));

	old_print = libbpf_set_print(discard_print);
	/* What would fail every program probe the same way is a failure to probe. */
	skel = hornet_probe__open();
	if (!skel) {
		err = -errno;
		goto out;
	}
	hornet_probe__destroy(skel);

	for (i = 0; i < HORNET_FEAT_COUNT; i++)
		f->probed[i] = mask & HORNET_FEAT_BIT(i);
	for (i = 0; i < 2 * HORNET_FEAT_COUNT && !err; i++) {
		int x = i % HORNET_FEAT_COUNT;

		/* the fast ones first, then the slow ones */
		if (!f->probed[x] || slow_probe[x] != (i >= HORNET_FEAT_COUNT))
			continue;
		if (stopped(stop))
			err = -ECANCELED;
		else
			probes[x](f);
	}
out:
	probes_end(old_print);
	return err;
}
