// SPDX-License-Identifier: GPL-2.0
/*
 * emptyprog HOOK...: attaches a program that does nothing (returns at its
 * first instruction) to each HOOK, prints "ready", and holds them until its
 * standard input closes. It measures the floor of a hook mechanism: what the
 * kernel pays to call any BPF program there, before a policy's first
 * instruction. HOOK is one of
 *   tp:CATEGORY/NAME          a tracepoint (perf event), e.g. tp:syscalls/sys_enter_openat
 *   raw:NAME                  a raw tracepoint, e.g. raw:inet_sock_set_state
 *   cgroup:TYPE:PATH          a cgroup program on the cgroup directory PATH, TYPE one of
 *                             egress, ingress, sock_create, connect4, connect6,
 *                             sendmsg4, sendmsg6
 * Raw bpf(2) calls: no object file, nothing to compile for the kernel. Every
 * attachment is held by a file descriptor, so it goes with the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* r0 = @ret; exit */
static int load(enum bpf_prog_type type, enum bpf_attach_type expected, int ret)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.expected_attach_type = expected;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	strncpy(attr.prog_name, "hornet_empty", sizeof(attr.prog_name) - 1);
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

static int tracepoint_id(const char *name)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char path[512], buf[32];
	size_t i;
	ssize_t n;
	int fd;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/id", roots[i], name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			break;
		buf[n] = 0;
		return atoi(buf);
	}
	return -ENOENT;
}

static int attach_tp(const char *name)
{
	struct perf_event_attr pe;
	int id = tracepoint_id(name), prog, fd;

	if (id < 0)
		return id;
	prog = load(BPF_PROG_TYPE_TRACEPOINT, 0, 0);
	if (prog < 0)
		return -errno;
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_TRACEPOINT;
	pe.size = sizeof(pe);
	pe.config = id;
	/* as libbpf does: the program hangs off the tracepoint, not the event's CPU */
	fd = syscall(__NR_perf_event_open, &pe, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 || ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0))
		return -errno;
	return 0;
}

static int attach_raw(const char *name)
{
	union bpf_attr attr;
	int prog = load(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0);

	if (prog < 0)
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = (unsigned long)name;
	attr.raw_tracepoint.prog_fd = prog;
	return sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr) < 0 ? -errno : 0;
}

static const struct {
	const char *name;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
} cgroup_types[] = {
	{ "egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS },
	{ "ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS },
	{ "sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ "connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	{ "connect6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT },
	{ "sendmsg4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG },
	{ "sendmsg6", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG },
};

/* @spec: TYPE:PATH. A cgroup program returns 1: let everything through. */
static int attach_cgroup(const char *spec)
{
	const char *path = strchr(spec, ':');
	union bpf_attr attr;
	size_t i;
	int prog, cg;

	if (!path)
		return -EINVAL;
	for (i = 0; i < sizeof(cgroup_types) / sizeof(cgroup_types[0]); i++)
		if (strlen(cgroup_types[i].name) == (size_t)(path - spec) &&
		    !strncmp(spec, cgroup_types[i].name, path - spec))
			break;
	if (i == sizeof(cgroup_types) / sizeof(cgroup_types[0]))
		return -EINVAL;
	prog = load(cgroup_types[i].type, cgroup_types[i].attach, 1);
	if (prog < 0)
		return -errno;
	cg = open(path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog;
	attr.link_create.target_fd = cg;
	attr.link_create.attach_type = cgroup_types[i].attach;
	return sys_bpf(BPF_LINK_CREATE, &attr) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	char buf[64];
	int i, err;

	if (argc < 2) {
		fprintf(stderr,
			"usage: emptyprog tp:CATEGORY/NAME | raw:NAME | cgroup:TYPE:PATH ...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "tp:", 3))
			err = attach_tp(argv[i] + 3);
		else if (!strncmp(argv[i], "raw:", 4))
			err = attach_raw(argv[i] + 4);
		else if (!strncmp(argv[i], "cgroup:", 7))
			err = attach_cgroup(argv[i] + 7);
		else
			err = -EINVAL;
		if (err) {
			fprintf(stderr, "emptyprog: %s: %s\n", argv[i], strerror(-err));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
