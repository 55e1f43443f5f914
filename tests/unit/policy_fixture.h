/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernels described by hand for the hook plan and the compiler tests, so
 * they check the plans of both kernels this project runs on (docs/policies.md,
 * "The hook plan") without probing, root or the running kernel:
 *
 * - a small BTF built here with libbpf's writer: the functions, LSM hooks,
 *   structs and the BTF tracepoint the test policies name, with known
 *   layouts so "resolve" paths have known offsets;
 * - a tracefs made of files in a temporary directory: the format files of
 *   syscalls/sys_enter_openat and sched/sched_process_exec, and beside it
 *   an error-injection list naming the openat and connect syscalls;
 * - the features of the host kernel 6.18 (no kprobes, fentry or BPF LSM)
 *   and of Debian's 6.1 (all but fmod_ret and error injection).
 */
#ifndef HORNET_TESTS_POLICY_FIXTURE_H
#define HORNET_TESTS_POLICY_FIXTURE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "policy/plan.h"
#include "policy/policy.h"

/* The wrapper prefix of the described kernels, whatever the build machine. */
#define FX_SYS "__x64_sys_"

enum fx_kernel {
	FX_HOST_618, /* tp_btf, raw_tp, tracepoints, uprobes, cgroup; no kprobes, fentry, lsm */
	FX_DEBIAN_61, /* kprobes, fentry, lsm, tracepoints; no fmod_ret, no error injection */
	FX_BARE, /* tracepoints only, no BTF, no tracefs */
};

static char fx_tracefs[64];
static char fx_error_injection[96];

static int fx_write(const char *dir, const char *subsys, const char *event, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/events", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s", dir, subsys);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s/%s", dir, subsys, event);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, subsys, event);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

#define FX_COMMON                                                                      \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"         \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"         \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

#define FX_EXIT(name, id)                                            \
	"name: sys_exit_" name "\nID: " #id "\nformat:\n" FX_COMMON  \
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n" \
	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n\n"      \
	"print fmt: \"0x%lx\", REC->ret\n"

/* A tracefs with two tracepoints, and an error-injection list, in a temporary directory. */
static int fx_tracefs_create(void)
{
	char path[256];
	FILE *f;

	snprintf(fx_tracefs, sizeof(fx_tracefs), "/tmp/hornet-unit-tracefs-XXXXXX");
	if (!mkdtemp(fx_tracefs))
		return -1;
	if (fx_write(fx_tracefs, "syscalls", "sys_enter_openat",
		     "name: sys_enter_openat\nID: 700\nformat:\n" FX_COMMON
		     "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		     "\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
		     "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
		     "\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
		     "\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n\n"
		     "print fmt: \"dfd: 0x%08lx\", ((unsigned long)(REC->dfd))\n"))
		return -1;
	/* syscalls whose wrappers the fixture's BTF lacks: their tracepoints say they exist */
	if (fx_write(fx_tracefs, "syscalls", "sys_enter_write",
		     "name: sys_enter_write\nID: 701\nformat:\n" FX_COMMON
		     "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		     "\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
		     "\tfield:const char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
		     "\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n\n"
		     "print fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n") ||
	    fx_write(fx_tracefs, "syscalls", "sys_enter_dup",
		     "name: sys_enter_dup\nID: 702\nformat:\n" FX_COMMON
		     "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		     "\tfield:unsigned int fildes;\toffset:16;\tsize:8;\tsigned:0;\n\n"
		     "print fmt: \"fildes: 0x%08lx\", ((unsigned long)(REC->fildes))\n"))
		return -1;
	/* the returns of two, which an enforcer needs */
	if (fx_write(fx_tracefs, "syscalls", "sys_exit_openat", FX_EXIT("openat", 800)) ||
	    fx_write(fx_tracefs, "syscalls", "sys_exit_dup", FX_EXIT("dup", 802)))
		return -1;
	snprintf(path, sizeof(path), "%s/error_injection", fx_tracefs);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fputs(FX_SYS "openat\tERRNO\n" FX_SYS "connect\tERRNO\nshould_failslab\tERRNO\n", f);
	if (fclose(f))
		return -1;
	return fx_write(fx_tracefs, "sched", "sched_process_exec",
			"name: sched_process_exec\nID: 300\nformat:\n" FX_COMMON
			"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
			"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
			"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n\n"
			"print fmt: \"filename=%s\", __get_str(filename)\n");
}

static void fx_tracefs_remove(void)
{
	static const char *const files[] = { "error_injection",
					     "events/syscalls/sys_enter_openat/format",
					     "events/syscalls/sys_enter_openat",
					     "events/syscalls/sys_enter_write/format",
					     "events/syscalls/sys_enter_write",
					     "events/syscalls/sys_enter_dup/format",
					     "events/syscalls/sys_enter_dup",
					     "events/syscalls/sys_exit_openat/format",
					     "events/syscalls/sys_exit_openat",
					     "events/syscalls/sys_exit_dup/format",
					     "events/syscalls/sys_exit_dup",
					     "events/syscalls",
					     "events/sched/sched_process_exec/format",
					     "events/sched/sched_process_exec",
					     "events/sched",
					     "events",
					     "" };
	char path[256];
	size_t i;

	if (!fx_tracefs[0])
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fx_tracefs, files[i]);
		if (unlink(path))
			rmdir(path);
	}
}

static int fx_func(struct btf *b, const char *name, int ret, int nr, ...)
{
	va_list ap;
	int proto = btf__add_func_proto(b, ret), i;

	va_start(ap, nr);
	for (i = 0; i < nr; i++) {
		const char *pname = va_arg(ap, const char *);
		int type = va_arg(ap, int);

		btf__add_func_param(b, pname, type);
	}
	va_end(ap);
	return name ? btf__add_func(b, name, BTF_FUNC_GLOBAL, proto) : proto;
}

/* A pointer to (const, when @is_const) a struct of one 8-byte field. */
static int fx_ptr_struct(struct btf *b, const char *name, const char *field, int type,
			 bool is_const)
{
	int s = btf__add_struct(b, name, 8);

	btf__add_field(b, field, type, 0, 0);
	return btf__add_ptr(b, is_const ? btf__add_const(b, s) : s);
}

/*
 * The BTF the test kernels describe. Layouts (byte offsets):
 *   struct inode  { umode_t i_mode @0; unsigned long i_ino @8; }
 *   struct dentry { unsigned int d_flags @0; struct inode *d_inode @8;
 *                   struct dentry *d_parent @16; }
 *   struct path   { void *mnt @0; struct dentry *dentry @8; }
 *   struct file   { unsigned int f_mode @0; union { unsigned int f_flags @0; }
 *                   @4; struct path f_path @16; struct inode *f_inode @32; }
 */
static struct btf *fx_btf(void)
{
	struct btf *b = btf__new_empty();
	int i32, u16, u32, u64, vp, inode, path, file, pinode, pdentry, pfile;
	int un, psock, pregs, ptask, pbprm, pfilename, pmsg, proto;

	if (!b)
		return NULL;
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u16 = btf__add_int(b, "short unsigned int", 2, 0);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	u64 = btf__add_int(b, "long unsigned int", 8, 0);
	vp = btf__add_ptr(b, 0);
	u16 = btf__add_typedef(b, "umode_t", u16);
	inode = btf__add_struct(b, "inode", 16);
	btf__add_field(b, "i_mode", u16, 0, 0);
	btf__add_field(b, "i_ino", u64, 64, 0);
	pinode = btf__add_ptr(b, inode);
	/* the pointer type first: struct dentry points to itself */
	pdentry = btf__add_ptr(b, btf__type_cnt(b) + 1);
	btf__add_struct(b, "dentry", 24);
	btf__add_field(b, "d_flags", u32, 0, 0);
	btf__add_field(b, "d_inode", pinode, 64, 0);
	btf__add_field(b, "d_parent", pdentry, 128, 0);
	path = btf__add_struct(b, "path", 16);
	btf__add_field(b, "mnt", vp, 0, 0);
	btf__add_field(b, "dentry", pdentry, 64, 0);
	un = btf__add_union(b, NULL, 4);
	btf__add_field(b, "f_flags", u32, 0, 0);
	file = btf__add_struct(b, "file", 40);
	btf__add_field(b, "f_mode", u32, 0, 0);
	btf__add_field(b, NULL, un, 32, 0);
	btf__add_field(b, "f_path", path, 128, 0);
	btf__add_field(b, "f_inode", pinode, 256, 0);
	pfile = btf__add_ptr(b, btf__add_const(b, file));
	psock = fx_ptr_struct(b, "sock", "sk_cookie", u64, false);
	pregs = fx_ptr_struct(b, "pt_regs", "di", u64, true);
	ptask = fx_ptr_struct(b, "task_struct", "pid", i32, false);
	pbprm = fx_ptr_struct(b, "linux_binprm", "file", pfile, false);
	pfilename = fx_ptr_struct(b, "filename", "name", vp, false);
	pmsg = fx_ptr_struct(b, "msghdr", "msg_name", vp, false);

	fx_func(b, "security_file_permission", i32, 2, "file", pfile, "mask", i32);
	fx_func(b, "security_file_open", i32, 1, "file", pfile);
	fx_func(b, "bpf_lsm_file_open", i32, 1, "file", pfile);
	fx_func(b, "bpf_lsm_file_permission", i32, 2, "file", pfile, "mask", i32);
	fx_func(b, "do_unlinkat", i32, 2, "dfd", i32, "name", pfilename);
	fx_func(b, "tcp_connect", i32, 1, "sk", psock);
	fx_func(b, "security_socket_sendmsg", i32, 3, "sock", psock, "msg", pmsg, "size", i32);
	fx_func(b, "bpf_lsm_socket_sendmsg", i32, 3, "sock", psock, "msg", pmsg, "size", i32);
	fx_func(b, FX_SYS "openat", u64, 1, "regs", pregs);
	fx_func(b, FX_SYS "connect", u64, 1, "regs", pregs);
	/* the kernel's syscalls, as its BTF names their wrappers (fchmodat2: newer
	 * than the build machine's headers; cachestat is left out; write and dup
	 * have only their tracepoints, as a wrapper without arguments has) */
	fx_func(b, FX_SYS "writev", u64, 1, "regs", pregs);
	fx_func(b, FX_SYS "unlinkat", u64, 1, "regs", pregs);
	fx_func(b, FX_SYS "fchmodat2", u64, 1, "regs", pregs);
	proto = fx_func(b, NULL, 0, 4, "__data", vp, "p", ptask, "old_pid", i32, "bprm", pbprm);
	btf__add_typedef(b, "btf_trace_sched_process_exec", btf__add_ptr(b, proto));
	return b;
}

static const char *const fx_missing[] = {
	[HORNET_FEAT_KPROBE] = "kprobe PMU absent (CONFIG_KPROBES not set?)",
	[HORNET_FEAT_KPROBE_MULTI] = "kprobe PMU absent (CONFIG_KPROBES not set?)",
	[HORNET_FEAT_FENTRY] = "program load: Operation not supported",
	[HORNET_FEAT_FMOD_RET] = "program load: Operation not supported",
	[HORNET_FEAT_LSM] = "lsm not in the kernel's lsm= list",
	[HORNET_FEAT_TP_BTF] = "program load: Invalid argument",
	[HORNET_FEAT_RAW_TP] = "program load: Invalid argument",
	[HORNET_FEAT_UPROBE] = "uprobe PMU absent",
	[HORNET_FEAT_CGROUP] = "attach: Operation not permitted",
};

/* @k described as kernel @which, with the features of mask @feats (~0u: the kernel's own). */
static void fx_kernel(struct hornet_kernel *k, enum fx_kernel which, unsigned int feats,
		      struct btf *btf)
{
	static const unsigned int own[] = {
		[FX_HOST_618] =
			HORNET_FEAT_BIT(HORNET_FEAT_TP_BTF) | HORNET_FEAT_BIT(HORNET_FEAT_RAW_TP) |
			HORNET_FEAT_BIT(HORNET_FEAT_TRACEPOINT) |
			HORNET_FEAT_BIT(HORNET_FEAT_UPROBE) | HORNET_FEAT_BIT(HORNET_FEAT_RINGBUF) |
			HORNET_FEAT_BIT(HORNET_FEAT_SEND_SIGNAL) |
			HORNET_FEAT_BIT(HORNET_FEAT_CGROUP) | HORNET_FEAT_BIT(HORNET_FEAT_BPF_LOOP),
		[FX_DEBIAN_61] = HORNET_FEAT_ALL & ~HORNET_FEAT_BIT(HORNET_FEAT_FMOD_RET),
		[FX_BARE] = HORNET_FEAT_BIT(HORNET_FEAT_TRACEPOINT),
	};
	unsigned int f;

	memset(k, 0, sizeof(*k));
	if (feats == ~0u)
		feats = own[which];
	for (f = 0; f < HORNET_FEAT_COUNT; f++) {
		k->features.probed[f] = true;
		k->features.has[f] = feats & HORNET_FEAT_BIT(f);
		if (!k->features.has[f] && f < sizeof(fx_missing) / sizeof(fx_missing[0]) &&
		    fx_missing[f])
			snprintf(k->features.detail[f], HORNET_FEAT_DETAIL_LEN, "%s",
				 fx_missing[f]);
	}
	/* planned as where the policy engine runs, unless a test probes its absence */
	k->features.probed[HORNET_FEAT_BPF_LOOP] = k->features.has[HORNET_FEAT_BPF_LOOP];
	if (which != FX_BARE) {
		k->btf = btf;
		k->tracefs = fx_tracefs;
		snprintf(fx_error_injection, sizeof(fx_error_injection), "%s/error_injection",
			 fx_tracefs);
		k->error_injection = fx_error_injection;
	}
	snprintf(k->syscall_prefix, sizeof(k->syscall_prefix), FX_SYS);
}

/* A policy from YAML text; NULL (and a FAIL line) when it does not parse. */
static struct hornet_policy *fx_policy(const char *yaml)
{
	char err[512] = "";
	struct hornet_policy *p =
		hornet_policy_parse(yaml, strlen(yaml), "test.yaml", err, sizeof(err));

	if (!p)
		printf("    policy does not parse: %s\n", err);
	return p;
}

/* Appends to a bounded string. */
static void fx_cat(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fx_cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= size - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static const char *fx_gen_type(unsigned int t)
{
	static const char *const names[HORNET_GT_COUNT] = {
		"nop",	     "int",	 "string",   "buf",	    "fd",	  "file",
		"path",	     "dentry",	 "filename", "binprm",	    "kiocb",	  "sock",
		"socket",    "skb",	 "sockaddr", "netdev",	    "cred",	  "caps",
		"user_ns",   "bpf_attr", "bpf_map",  "bpf_prog",    "perf_event", "module",
		"load_info", "iovec",	 "iov_iter", "sockaddr_un", "data_loc",
	};

	return t < HORNET_GT_COUNT ? names[t] : "?";
}

/*
 * One argument spec as text: "SRC:TYPE@INDEX/SIZE" then what is set of
 * "+FLAGS" (u user, s signed, c caps pointer, r returnCopy, S I N filtered
 * as string, integer, network, F full path), " sz=SPEC", " dirfd=N",
 * " fs=FIELD_SIZE", " max=N", " res=OFF,OFF+ADD".
 */
static void fx_spec(char *buf, size_t size, const struct hornet_gen_spec *sp)
{
	static const char *const srcs[] = { "arg", "sys", "tp", "ret", "proc" };
	static const char flag_chars[] = "uscrSINF"; /* bit 0 first */
	const char *src = sp->src < 5 ? srcs[sp->src] : "?";
	unsigned int i;

	fx_cat(buf, size, "%s:%s@%u/%u", src, fx_gen_type(sp->type), sp->index, sp->size);
	if (sp->flags)
		fx_cat(buf, size, "+");
	for (i = 0; i < 8; i++)
		if (sp->flags & (1u << i))
			fx_cat(buf, size, "%c", flag_chars[i]);
	if (sp->size_spec != 0xff)
		fx_cat(buf, size, " sz=%u", sp->size_spec);
	if (sp->dirfd_arg != 0xff)
		fx_cat(buf, size, " dirfd=%u", sp->dirfd_arg);
	if (sp->field_size)
		fx_cat(buf, size, " fs=%u", sp->field_size);
	if (sp->max_data)
		fx_cat(buf, size, " max=%u", sp->max_data);
	if (sp->nr_resolve || sp->resolve_add) {
		fx_cat(buf, size, " res=");
		for (i = 0; i < sp->nr_resolve && i < HORNET_GEN_MAX_RESOLVE; i++)
			fx_cat(buf, size, "%s%u", i ? "," : "", sp->resolve[i]);
		if (sp->resolve_add)
			fx_cat(buf, size, "+%u", sp->resolve_add);
	}
}

/* Does @got read as @want, where "{n}" in @want stands for a decimal number? */
static bool fx_matches(const char *got, const char *want)
{
	while (*want) {
		if (!strncmp(want, "{n}", 3)) {
			if (*got < '0' || *got > '9')
				return false;
			while (*got >= '0' && *got <= '9')
				got++;
			want += 3;
		} else if (*got++ != *want++) {
			return false;
		}
	}
	return !*got;
}

#endif
