// SPDX-License-Identifier: GPL-2.0
/*
 * The name tables of vocab.h. Within a table the first entry of a value
 * is its canonical name and later ones are aliases. Entries are listed
 * most common first, not by value: hornet_suggest() keeps the first of
 * equally close names, so "IPPROTO_TPC" should meet IPPROTO_TCP before
 * IPPROTO_IP.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <hornet/events.h>

#include "vocab/vocab.h"

struct entry {
	const char *name;
	int64_t value;
};

struct table {
	const char *what;
	const struct entry *e;
	size_t n;
	uint64_t max;
};

/* include/uapi/linux/capability.h */
static const struct entry caps[] = {
	{ "CAP_CHOWN", 0 },
	{ "CAP_DAC_OVERRIDE", 1 },
	{ "CAP_DAC_READ_SEARCH", 2 },
	{ "CAP_FOWNER", 3 },
	{ "CAP_FSETID", 4 },
	{ "CAP_KILL", 5 },
	{ "CAP_SETGID", 6 },
	{ "CAP_SETUID", 7 },
	{ "CAP_SETPCAP", 8 },
	{ "CAP_LINUX_IMMUTABLE", 9 },
	{ "CAP_NET_BIND_SERVICE", 10 },
	{ "CAP_NET_BROADCAST", 11 },
	{ "CAP_NET_ADMIN", 12 },
	{ "CAP_NET_RAW", 13 },
	{ "CAP_IPC_LOCK", 14 },
	{ "CAP_IPC_OWNER", 15 },
	{ "CAP_SYS_MODULE", 16 },
	{ "CAP_SYS_RAWIO", 17 },
	{ "CAP_SYS_CHROOT", 18 },
	{ "CAP_SYS_PTRACE", 19 },
	{ "CAP_SYS_PACCT", 20 },
	{ "CAP_SYS_ADMIN", 21 },
	{ "CAP_SYS_BOOT", 22 },
	{ "CAP_SYS_NICE", 23 },
	{ "CAP_SYS_RESOURCE", 24 },
	{ "CAP_SYS_TIME", 25 },
	{ "CAP_SYS_TTY_CONFIG", 26 },
	{ "CAP_MKNOD", 27 },
	{ "CAP_LEASE", 28 },
	{ "CAP_AUDIT_WRITE", 29 },
	{ "CAP_AUDIT_CONTROL", 30 },
	{ "CAP_SETFCAP", 31 },
	{ "CAP_MAC_OVERRIDE", 32 },
	{ "CAP_MAC_ADMIN", 33 },
	{ "CAP_SYSLOG", 34 },
	{ "CAP_WAKE_ALARM", 35 },
	{ "CAP_BLOCK_SUSPEND", 36 },
	{ "CAP_AUDIT_READ", 37 },
	{ "CAP_PERFMON", 38 },
	{ "CAP_BPF", 39 },
	{ "CAP_CHECKPOINT_RESTORE", 40 },
};

/* include/uapi/linux/in.h */
static const struct entry protocols[] = {
	{ "IPPROTO_TCP", 6 },	  { "IPPROTO_UDP", 17 },      { "IPPROTO_ICMP", 1 },
	{ "IPPROTO_ICMPV6", 58 }, { "IPPROTO_SCTP", 132 },    { "IPPROTO_RAW", 255 },
	{ "IPPROTO_IP", 0 },	  { "IPPROTO_IGMP", 2 },      { "IPPROTO_IPV6", 41 },
	{ "IPPROTO_GRE", 47 },	  { "IPPROTO_UDPLITE", 136 }, { "IPPROTO_MPTCP", 262 },
};

/* include/linux/socket.h */
static const struct entry families[] = {
	{ "AF_INET", 2 },     { "AF_INET6", 10 },  { "AF_UNIX", 1 },   { "AF_UNSPEC", 0 },
	{ "AF_NETLINK", 16 }, { "AF_PACKET", 17 }, { "AF_VSOCK", 40 }, { "AF_XDP", 44 },
};

/* include/net/tcp_states.h */
static const struct entry tcp_states[] = {
	{ "TCP_ESTABLISHED", 1 }, { "TCP_SYN_SENT", 2 },   { "TCP_SYN_RECV", 3 },
	{ "TCP_FIN_WAIT1", 4 },	  { "TCP_FIN_WAIT2", 5 },  { "TCP_TIME_WAIT", 6 },
	{ "TCP_CLOSE", 7 },	  { "TCP_CLOSE_WAIT", 8 }, { "TCP_LAST_ACK", 9 },
	{ "TCP_LISTEN", 10 },	  { "TCP_CLOSING", 11 },   { "TCP_NEW_SYN_RECV", 12 },
};

/* include/linux/net.h, enum sock_type */
static const struct entry sock_types[] = {
	{ "SOCK_STREAM", 1 },	 { "SOCK_DGRAM", 2 }, { "SOCK_RAW", 3 },     { "SOCK_RDM", 4 },
	{ "SOCK_SEQPACKET", 5 }, { "SOCK_DCCP", 6 },  { "SOCK_PACKET", 10 },
};

/* S_IFMT values (include/uapi/linux/stat.h) by the names Tetragon's FileType takes */
static const struct entry file_types[] = {
	{ "reg", 0100000 },    { "regular", 0100000 }, { "dir", 0040000 },  { "lnk", 0120000 },
	{ "link", 0120000 },   { "chr", 0020000 },     { "char", 0020000 }, { "blk", 0060000 },
	{ "block", 0060000 },  { "fifo", 0010000 },    { "pipe", 0010000 }, { "sock", 0140000 },
	{ "socket", 0140000 },
};

static const struct entry namespaces[] = {
	{ "Uts", HORNET_NS_UTS },
	{ "Ipc", HORNET_NS_IPC },
	{ "Mnt", HORNET_NS_MNT },
	{ "Pid", HORNET_NS_PID },
	{ "PidForChildren", HORNET_NS_PID_FOR_CHILDREN },
	{ "Net", HORNET_NS_NET },
	{ "Time", HORNET_NS_TIME },
	{ "TimeForChildren", HORNET_NS_TIME_FOR_CHILDREN },
	{ "Cgroup", HORNET_NS_CGROUP },
	{ "User", HORNET_NS_USER },
};

/* fs/nsfs.c and friends: the files of /proc/PID/ns */
static const struct entry ns_files[] = {
	{ "uts", HORNET_NS_UTS },
	{ "ipc", HORNET_NS_IPC },
	{ "mnt", HORNET_NS_MNT },
	{ "pid", HORNET_NS_PID },
	{ "pid_for_children", HORNET_NS_PID_FOR_CHILDREN },
	{ "net", HORNET_NS_NET },
	{ "time", HORNET_NS_TIME },
	{ "time_for_children", HORNET_NS_TIME_FOR_CHILDREN },
	{ "cgroup", HORNET_NS_CGROUP },
	{ "user", HORNET_NS_USER },
};

/* include/uapi/linux/bpf.h, enum bpf_prog_type */
static const struct entry bpf_prog_types[] = {
	{ "BPF_PROG_TYPE_UNSPEC", 0 },
	{ "BPF_PROG_TYPE_SOCKET_FILTER", 1 },
	{ "BPF_PROG_TYPE_KPROBE", 2 },
	{ "BPF_PROG_TYPE_SCHED_CLS", 3 },
	{ "BPF_PROG_TYPE_SCHED_ACT", 4 },
	{ "BPF_PROG_TYPE_TRACEPOINT", 5 },
	{ "BPF_PROG_TYPE_XDP", 6 },
	{ "BPF_PROG_TYPE_PERF_EVENT", 7 },
	{ "BPF_PROG_TYPE_CGROUP_SKB", 8 },
	{ "BPF_PROG_TYPE_CGROUP_SOCK", 9 },
	{ "BPF_PROG_TYPE_LWT_IN", 10 },
	{ "BPF_PROG_TYPE_LWT_OUT", 11 },
	{ "BPF_PROG_TYPE_LWT_XMIT", 12 },
	{ "BPF_PROG_TYPE_SOCK_OPS", 13 },
	{ "BPF_PROG_TYPE_SK_SKB", 14 },
	{ "BPF_PROG_TYPE_CGROUP_DEVICE", 15 },
	{ "BPF_PROG_TYPE_SK_MSG", 16 },
	{ "BPF_PROG_TYPE_RAW_TRACEPOINT", 17 },
	{ "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", 18 },
	{ "BPF_PROG_TYPE_LWT_SEG6LOCAL", 19 },
	{ "BPF_PROG_TYPE_LIRC_MODE2", 20 },
	{ "BPF_PROG_TYPE_SK_REUSEPORT", 21 },
	{ "BPF_PROG_TYPE_FLOW_DISSECTOR", 22 },
	{ "BPF_PROG_TYPE_CGROUP_SYSCTL", 23 },
	{ "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE", 24 },
	{ "BPF_PROG_TYPE_CGROUP_SOCKOPT", 25 },
	{ "BPF_PROG_TYPE_TRACING", 26 },
	{ "BPF_PROG_TYPE_STRUCT_OPS", 27 },
	{ "BPF_PROG_TYPE_EXT", 28 },
	{ "BPF_PROG_TYPE_LSM", 29 },
	{ "BPF_PROG_TYPE_SK_LOOKUP", 30 },
	{ "BPF_PROG_TYPE_SYSCALL", 31 },
};

/* include/uapi/linux/bpf.h, enum bpf_cmd (Tetragon's BpfCmd names them alike) */
static const struct entry bpf_cmds[] = {
	{ "BPF_MAP_CREATE", 0 },
	{ "BPF_MAP_LOOKUP_ELEM", 1 },
	{ "BPF_MAP_UPDATE_ELEM", 2 },
	{ "BPF_MAP_DELETE_ELEM", 3 },
	{ "BPF_MAP_GET_NEXT_KEY", 4 },
	{ "BPF_PROG_LOAD", 5 },
	{ "BPF_OBJ_PIN", 6 },
	{ "BPF_OBJ_GET", 7 },
	{ "BPF_PROG_ATTACH", 8 },
	{ "BPF_PROG_DETACH", 9 },
	{ "BPF_PROG_TEST_RUN", 10 },
	{ "BPF_PROG_GET_NEXT_ID", 11 },
	{ "BPF_MAP_GET_NEXT_ID", 12 },
	{ "BPF_PROG_GET_FD_BY_ID", 13 },
	{ "BPF_MAP_GET_FD_BY_ID", 14 },
	{ "BPF_OBJ_GET_INFO_BY_FD", 15 },
	{ "BPF_PROG_QUERY", 16 },
	{ "BPF_RAW_TRACEPOINT_OPEN", 17 },
	{ "BPF_BTF_LOAD", 18 },
	{ "BPF_BTF_GET_FD_BY_ID", 19 },
	{ "BPF_TASK_FD_QUERY", 20 },
	{ "BPF_MAP_LOOKUP_AND_DELETE_ELEM", 21 },
	{ "BPF_MAP_FREEZE", 22 },
	{ "BPF_BTF_GET_NEXT_ID", 23 },
	{ "BPF_MAP_LOOKUP_BATCH", 24 },
	{ "BPF_MAP_LOOKUP_AND_DELETE_BATCH", 25 },
	{ "BPF_MAP_UPDATE_BATCH", 26 },
	{ "BPF_MAP_DELETE_BATCH", 27 },
	{ "BPF_LINK_CREATE", 28 },
	{ "BPF_LINK_UPDATE", 29 },
	{ "BPF_LINK_GET_FD_BY_ID", 30 },
	{ "BPF_LINK_GET_NEXT_ID", 31 },
	{ "BPF_ENABLE_STATS", 32 },
	{ "BPF_ITER_CREATE", 33 },
	{ "BPF_LINK_DETACH", 34 },
	{ "BPF_PROG_BIND_MAP", 35 },
	{ "BPF_TOKEN_CREATE", 36 },
};

#define TABLE(what, t, max)                              \
	{                                                \
		what, t, sizeof(t) / sizeof((t)[0]), max \
	}

static const struct table tables[HORNET_VOCAB_COUNT] = {
	/* capability sets are 64 bits wide */
	[HORNET_VOCAB_CAP] = TABLE("capability", caps, 63),
	[HORNET_VOCAB_PROTOCOL] = TABLE("protocol", protocols, 255),
	[HORNET_VOCAB_FAMILY] = TABLE("address family", families, 65535),
	[HORNET_VOCAB_TCP_STATE] = TABLE("TCP state", tcp_states, 255),
	[HORNET_VOCAB_SOCK_TYPE] = TABLE("socket type", sock_types, 65535),
	[HORNET_VOCAB_FILE_TYPE] = TABLE("file type", file_types, 0170000),
	[HORNET_VOCAB_NAMESPACE] = TABLE("namespace", namespaces, HORNET_NS_COUNT - 1),
	[HORNET_VOCAB_NS_PROC] = TABLE("namespace", ns_files, HORNET_NS_COUNT - 1),
	[HORNET_VOCAB_BPF_PROG_TYPE] = TABLE("BPF program type", bpf_prog_types, UINT32_MAX),
	[HORNET_VOCAB_BPF_CMD] = TABLE("bpf command", bpf_cmds, INT32_MAX),
};

static const struct table *table(enum hornet_vocab v)
{
	return (unsigned int)v < HORNET_VOCAB_COUNT ? &tables[v] : NULL;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

int hornet_vocab_value(enum hornet_vocab v, const char *name, int64_t *value)
{
	const struct table *t = table(v);
	size_t len, i;

	if (!t || !name)
		return -ENOENT;
	while (is_blank(*name))
		name++;
	len = strlen(name);
	while (len && is_blank(name[len - 1]))
		len--;
	for (i = 0; i < t->n; i++) {
		if (strlen(t->e[i].name) == len && !strncasecmp(t->e[i].name, name, len)) {
			*value = t->e[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

const char *hornet_vocab_name(enum hornet_vocab v, int64_t value)
{
	const struct table *t = table(v);
	size_t i;

	if (!t)
		return NULL;
	/* renderers print every bit of three capability sets: where values are
	 * their own index (capabilities, namespaces, program types), no search */
	if (value >= 0 && (uint64_t)value < t->n && t->e[value].value == value)
		return t->e[value].name;
	for (i = 0; i < t->n; i++)
		if (t->e[i].value == value)
			return t->e[i].name;
	return NULL;
}

const char *hornet_vocab_what(enum hornet_vocab v)
{
	const struct table *t = table(v);

	return t ? t->what : "name";
}

uint64_t hornet_vocab_max(enum hornet_vocab v)
{
	const struct table *t = table(v);

	return t ? t->max : 0;
}

size_t hornet_vocab_names(enum hornet_vocab v, const char **out, size_t max)
{
	const struct table *t = table(v);
	size_t i;

	if (!max)
		return 0;
	for (i = 0; t && i < t->n && i + 1 < max; i++)
		out[i] = t->e[i].name;
	out[i] = NULL;
	return i;
}
