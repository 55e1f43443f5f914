// SPDX-License-Identifier: GPL-2.0
/*
 * Another kernel, as its BTF describes it, for `hornet policy check --btf`:
 * the planner's view of a kernel (struct hornet_kernel) without running on
 * it. What BTF shows is taken from it; what it cannot show is assumed and
 * said (hornet_kernel_from_btf()'s @assumed).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "policy/plan.h"

static bool has_func(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* Whether enum @type (as "bpf_func_id") has the value named @value. */
static bool has_enum_value(const struct btf *btf, const char *type, const char *value)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;
	__u16 i;

	if (!t)
		return false;
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), value))
			return true;
	return false;
}

/*
 * The kernel's build configuration (Debian's /boot/config-VERSION), when
 * given: what BTF cannot show. Returns 0, or -errno when it cannot be read.
 */
struct kconfig {
	bool read;
	bool lsm_bpf; /* "bpf" in CONFIG_LSM, the LSMs enabled at boot by default */
	bool kprobe_override; /* CONFIG_BPF_KPROBE_OVERRIDE */
	bool error_injection; /* CONFIG_FUNCTION_ERROR_INJECTION */
};

static int read_config(const char *path, struct kconfig *c)
{
	char line[4096];
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	c->read = true;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CONFIG_LSM=\"", 12)) {
			char *v = line + 12, *tok, *save = NULL;

			v[strcspn(v, "\"")] = '\0';
			for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				c->lsm_bpf |= !strcmp(tok, "bpf");
		}
		c->kprobe_override |= !strcmp(line, "CONFIG_BPF_KPROBE_OVERRIDE=y\n");
		c->error_injection |= !strcmp(line, "CONFIG_FUNCTION_ERROR_INJECTION=y\n");
	}
	fclose(f);
	return 0;
}

static void set(struct hornet_features *f, enum hornet_feature x, bool has, const char *why)
{
	f->probed[x] = true;
	f->has[x] = has;
	if (!has)
		snprintf(f->detail[x], sizeof(f->detail[x]), "%s", why);
}

/*
 * The features this BTF shows, each by a function or value that exists only
 * with it, and what its configuration @c (when read) says beside: whether
 * BPF LSM is enabled at boot, function error injection.
 */
static void features_of(const struct btf *btf, const struct kconfig *c, bool injection,
			struct hornet_features *f)
{
	bool tramp = has_func(btf, "arch_prepare_bpf_trampoline");
	bool lsm = tramp && has_func(btf, "bpf_lsm_file_open");

	memset(f, 0, sizeof(*f));
	set(f, HORNET_FEAT_TP_BTF, true, "");
	set(f, HORNET_FEAT_RAW_TP, true, "");
	set(f, HORNET_FEAT_TRACEPOINT, true, "");
	set(f, HORNET_FEAT_KPROBE, has_func(btf, "register_kprobe"),
	    "no register_kprobe in its BTF (CONFIG_KPROBES not set)");
	set(f, HORNET_FEAT_KPROBE_MULTI, has_func(btf, "bpf_kprobe_multi_link_attach"),
	    "no bpf_kprobe_multi_link_attach in its BTF");
	set(f, HORNET_FEAT_FENTRY, tramp, "no BPF trampolines in its BTF");
	set(f, HORNET_FEAT_FMOD_RET, tramp && injection,
	    "no function error injection (CONFIG_FUNCTION_ERROR_INJECTION not set)");
	if (lsm && c->read && !c->lsm_bpf)
		set(f, HORNET_FEAT_LSM, false,
		    "built in, but not in CONFIG_LSM: not enabled at boot unless lsm= says");
	else
		set(f, HORNET_FEAT_LSM, lsm,
		    "no BPF LSM hooks in its BTF (CONFIG_BPF_LSM not set)");
	set(f, HORNET_FEAT_UPROBE, true, "");
	set(f, HORNET_FEAT_RINGBUF, has_enum_value(btf, "bpf_map_type", "BPF_MAP_TYPE_RINGBUF"),
	    "no BPF ring buffer (Linux 5.8)");
	set(f, HORNET_FEAT_SEND_SIGNAL, has_enum_value(btf, "bpf_func_id", "BPF_FUNC_send_signal"),
	    "no bpf_send_signal()");
	set(f, HORNET_FEAT_CGROUP, true, "");
	set(f, HORNET_FEAT_BPF_LOOP, has_enum_value(btf, "bpf_func_id", "BPF_FUNC_loop"),
	    "no bpf_loop() (Linux 5.17)");
	set(f, HORNET_FEAT_TRACING_COOKIE, has_func(btf, "bpf_get_socket_ptr_cookie"),
	    "no bpf_get_socket_cookie() for tracing programs (Linux 5.12)");
	set(f, HORNET_FEAT_WRITE_USER, true, "");
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static int event_dir(const char *root, const char *event, const char *format)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/events/syscalls/%s", root, event);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/events/syscalls/%s/format", root, event);
	return write_file(path, format);
}

#define COMMON_FIELDS                                                                  \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"         \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"         \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"                   \
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"

/*
 * What the syscall wrappers of the BTF (@prefix: "__x64_sys_") stand for, in
 * @k->tmpdir: with @events (CONFIG_FTRACE_SYSCALLS), their tracepoints
 * sys_enter_NAME and sys_exit_NAME in events/syscalls, with the layout
 * every such tracepoint has (the planner reads a syscall tracepoint's
 * arguments at 16 + 8i, whatever their names); with @injection
 * (CONFIG_FUNCTION_ERROR_INJECTION), the error-injection list as far as BTF
 * can tell: the wrappers, which SYSCALL_DEFINE puts on it.
 */
static int syscall_files(const struct btf *btf, struct hornet_kernel *k, bool events,
			 bool injection)
{
	const char *prefix = k->syscall_prefix;
	char enter[2048], ev[128], dir[160];
	size_t plen = strlen(prefix);
	__u32 id, n = btf__type_cnt(btf);
	FILE *inj = NULL;
	int i, err = 0;

	snprintf(dir, sizeof(dir), "%s/events/syscalls", k->tmpdir);
	if (events && mkdir(dir, 0755))
		return -errno;
	if (injection) {
		snprintf(k->injection_path, sizeof(k->injection_path), "%s/error_injection",
			 k->tmpdir);
		k->error_injection = k->injection_path;
		inj = fopen(k->injection_path, "we");
		if (!inj)
			return -errno;
	}
	snprintf(enter, sizeof(enter), COMMON_FIELDS);
	for (i = 0; i < 6; i++)
		snprintf(enter + strlen(enter), sizeof(enter) - strlen(enter),
			 "\tfield:unsigned long arg%d;\toffset:%d;\tsize:8;\tsigned:0;\n", i,
			 16 + 8 * i);
	for (id = 1; id < n && !err; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!btf_is_func(t) || strncmp(name, prefix, plen) || !name[plen])
			continue;
		if (inj)
			fprintf(inj, "%s\tERRNO\n", name);
		/*
		 * A wrapper outside the syscall table (adjtimex_time32) has no
		 * tracepoint. The table is not in BTF: hornet's names stand in,
		 * which miss a few (newstat is stat's, sendfile64 sendfile's).
		 */
		if (!events || hornet_syscall_nr(name + plen) < 0)
			continue;
		snprintf(ev, sizeof(ev), "sys_enter_%s", name + plen);
		err = event_dir(k->tmpdir, ev, enter);
		snprintf(ev, sizeof(ev), "sys_exit_%s", name + plen);
		if (!err)
			err = event_dir(k->tmpdir, ev,
					COMMON_FIELDS
					"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n");
	}
	if (inj && fclose(inj) && !err)
		err = -errno;
	return err;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int hornet_kernel_from_btf(struct hornet_kernel *k, const char *path, const char *config,
			   char *assumed, size_t assumed_size, char *err, size_t err_size)
{
	struct kconfig kc = {};
	static const char *const prefixes[] = { "__x64_sys_", "__arm64_sys_", NULL };
	libbpf_print_fn_t old_print = libbpf_set_print(NULL); /* its words: ours below */
	struct btf *btf = btf__parse(path, NULL);
	int i, ret, parse_err = btf ? 0 : -errno; /* before the configuration's reads */
	char fn[64], dir[160];
	bool injection;

	libbpf_set_print(old_print);
	memset(k, 0, sizeof(*k));
	ret = config ? read_config(config, &kc) : 0;
	if (ret) {
		btf__free(btf);
		snprintf(err, err_size, "'%s': %s", config, strerror(-ret));
		return ret;
	}
	if (!btf) {
		/* libbpf's own errors (LIBBPF_ERRNO__FORMAT, ...) are 4000 and up */
		snprintf(err, err_size, "'%s': not a kernel's BTF (%s)", path,
			 parse_err <= -4000 ? "neither raw BTF nor an ELF file with a .BTF section"
					    : strerror(-parse_err));
		return parse_err;
	}
	if (btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) <= 0) {
		btf__free(btf);
		snprintf(err, err_size, "'%s': BTF without struct task_struct: not a kernel's",
			 path);
		return -EINVAL;
	}
	k->btf = btf;
	k->btf_foreign = true;
	k->tp_from_btf = true;
	strcpy(k->syscall_prefix, "sys_");
	for (i = 0; prefixes[i]; i++) {
		snprintf(fn, sizeof(fn), "%sopenat", prefixes[i]);
		if (has_func(btf, fn))
			snprintf(k->syscall_prefix, sizeof(k->syscall_prefix), "%s", prefixes[i]);
	}
	injection = kc.read ? kc.error_injection : has_func(btf, "within_error_injection_list");
	features_of(btf, &kc, injection, &k->features);
	k->override_return = k->features.has[HORNET_FEAT_KPROBE] && injection &&
			     (kc.read ? kc.kprobe_override : has_func(btf, "bpf_override_return"));
	snprintf(k->tmpdir, sizeof(k->tmpdir), "/tmp/hornet-btf-kernel-XXXXXX");
	if (!mkdtemp(k->tmpdir)) {
		ret = -errno;
		k->tmpdir[0] = '\0';
		snprintf(err, err_size, "a temporary directory: %s", strerror(-ret));
		hornet_kernel_fini(k);
		return ret;
	}
	/*
	 * Tracepoints other than the syscalls' are read from BTF (plan.c:
	 * tp_fields()); those exist with CONFIG_FTRACE_SYSCALLS, whose record
	 * (struct syscall_trace_enter) BTF has: its functions are static, which
	 * 5.10's BTF leaves out.
	 */
	k->tracefs = k->tmpdir;
	snprintf(dir, sizeof(dir), "%s/events", k->tmpdir);
	ret = mkdir(dir, 0755) ? -errno : 0;
	if (!ret)
		ret = syscall_files(
			btf, k,
			btf__find_by_name_kind(btf, "syscall_trace_enter", BTF_KIND_STRUCT) > 0,
			injection);
	if (ret) {
		snprintf(err, err_size, "'%s': %s", k->tmpdir, strerror(-ret));
		hornet_kernel_fini(k);
		return ret;
	}
	snprintf(assumed, assumed_size,
		 "not in %s, assumed: %sfentry on every function, error "
		 "injection on syscalls only, bpf_probe_write_user() allowed",
		 kc.read ? "BTF or its configuration" : "BTF",
		 kc.read ? "lsm= as CONFIG_LSM, " : "BPF LSM enabled at boot where built in, ");
	return 0;
}

void hornet_kernel_btf_cleanup(struct hornet_kernel *k)
{
	if (k->tmpdir[0])
		nftw(k->tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	k->tmpdir[0] = '\0';
}
