// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the policy model's enums as policies spell them, the
 * durations of rateLimit, and lists by name.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

static const char *const arg_type_names[HORNET_ARG_TYPE_COUNT] = {
	[HORNET_ARG_NONE] = "none",
	[HORNET_ARG_INT] = "int",
	[HORNET_ARG_UINT32] = "uint32",
	[HORNET_ARG_INT8] = "int8",
	[HORNET_ARG_UINT8] = "uint8",
	[HORNET_ARG_INT16] = "int16",
	[HORNET_ARG_UINT16] = "uint16",
	[HORNET_ARG_INT64] = "int64",
	[HORNET_ARG_UINT64] = "uint64",
	[HORNET_ARG_SIZE_T] = "size_t",
	[HORNET_ARG_SYSCALL64] = "syscall64",
	[HORNET_ARG_STRING] = "string",
	[HORNET_ARG_CHAR_BUF] = "char_buf",
	[HORNET_ARG_CHAR_IOVEC] = "char_iovec",
	[HORNET_ARG_CONST_BUF] = "const_buf",
	[HORNET_ARG_FD] = "fd",
	[HORNET_ARG_FILE] = "file",
	[HORNET_ARG_PATH] = "path",
	[HORNET_ARG_DENTRY] = "dentry",
	[HORNET_ARG_FILENAME] = "filename",
	[HORNET_ARG_LINUX_BINPRM] = "linux_binprm",
	[HORNET_ARG_KIOCB] = "kiocb",
	[HORNET_ARG_IOV_ITER] = "iov_iter",
	[HORNET_ARG_SOCK] = "sock",
	[HORNET_ARG_SOCKET] = "socket",
	[HORNET_ARG_SKB] = "skb",
	[HORNET_ARG_SOCKADDR] = "sockaddr",
	[HORNET_ARG_NET_DEVICE] = "net_device",
	[HORNET_ARG_SOCKADDR_UN] = "sockaddr_un",
	[HORNET_ARG_CRED] = "cred",
	[HORNET_ARG_CAPABILITY] = "capability",
	[HORNET_ARG_KERNEL_CAP_T] = "kernel_cap_t",
	[HORNET_ARG_CAP_INHERITABLE] = "cap_inheritable",
	[HORNET_ARG_CAP_PERMITTED] = "cap_permitted",
	[HORNET_ARG_CAP_EFFECTIVE] = "cap_effective",
	[HORNET_ARG_USER_NAMESPACE] = "user_namespace",
	[HORNET_ARG_BPF_ATTR] = "bpf_attr",
	[HORNET_ARG_BPF_MAP] = "bpf_map",
	[HORNET_ARG_BPF_PROG] = "bpf_prog",
	[HORNET_ARG_PERF_EVENT] = "perf_event",
	[HORNET_ARG_MODULE] = "module",
	[HORNET_ARG_LOAD_INFO] = "load_info",
	[HORNET_ARG_BPF_CMD] = "bpf_cmd",
	[HORNET_ARG_DATA_LOC] = "data_loc",
	[HORNET_ARG_NOP] = "nop",
	[HORNET_ARG_AUTO] = "auto",
};

static const char *const op_names[HORNET_OP_COUNT] = {
	[HORNET_OP_NONE] = "none",
	[HORNET_OP_EQUAL] = "Equal",
	[HORNET_OP_NOT_EQUAL] = "NotEqual",
	[HORNET_OP_PREFIX] = "Prefix",
	[HORNET_OP_NOT_PREFIX] = "NotPrefix",
	[HORNET_OP_POSTFIX] = "Postfix",
	[HORNET_OP_NOT_POSTFIX] = "NotPostfix",
	[HORNET_OP_MASK] = "Mask",
	[HORNET_OP_GT] = "GreaterThan",
	[HORNET_OP_LT] = "LessThan",
	[HORNET_OP_IN_RANGE] = "InRange",
	[HORNET_OP_NOT_IN_RANGE] = "NotInRange",
	[HORNET_OP_SADDR] = "SAddr",
	[HORNET_OP_NOT_SADDR] = "NotSAddr",
	[HORNET_OP_DADDR] = "DAddr",
	[HORNET_OP_NOT_DADDR] = "NotDAddr",
	[HORNET_OP_SPORT] = "SPort",
	[HORNET_OP_NOT_SPORT] = "NotSPort",
	[HORNET_OP_DPORT] = "DPort",
	[HORNET_OP_NOT_DPORT] = "NotDPort",
	[HORNET_OP_SPORT_PRIV] = "SPortPriv",
	[HORNET_OP_NOT_SPORT_PRIV] = "NotSPortPriv",
	[HORNET_OP_DPORT_PRIV] = "DPortPriv",
	[HORNET_OP_NOT_DPORT_PRIV] = "NotDPortPriv",
	[HORNET_OP_PROTOCOL] = "Protocol",
	[HORNET_OP_FAMILY] = "Family",
	[HORNET_OP_STATE] = "State",
	[HORNET_OP_IN_MAP] = "InMap",
	[HORNET_OP_NOT_IN_MAP] = "NotInMap",
	[HORNET_OP_FILE_TYPE] = "FileType",
	[HORNET_OP_NOT_FILE_TYPE] = "NotFileType",
	[HORNET_OP_CAPABILITIES_GAINED] = "CapabilitiesGained",
	[HORNET_OP_SUBSTRING] = "SubString",
	[HORNET_OP_SUBSTRING_IGNCASE] = "SubStringIgnCase",
	[HORNET_OP_CEL_EXPR] = "CelExpr",
	[HORNET_OP_DNS_NAME] = "DNSName",
	[HORNET_OP_NOT_DNS_NAME] = "NotDNSName",
	[HORNET_OP_IN] = "In",
	[HORNET_OP_NOT_IN] = "NotIn",
};

static const char *const action_names[HORNET_ACTION_COUNT] = {
	[HORNET_ACTION_POST] = "Post",
	[HORNET_ACTION_NOPOST] = "NoPost",
	[HORNET_ACTION_SIGKILL] = "Sigkill",
	[HORNET_ACTION_SIGNAL] = "Signal",
	[HORNET_ACTION_OVERRIDE] = "Override",
	[HORNET_ACTION_FOLLOWFD] = "FollowFD",
	[HORNET_ACTION_UNFOLLOWFD] = "UnfollowFD",
	[HORNET_ACTION_COPYFD] = "CopyFD",
	[HORNET_ACTION_TRACKSOCK] = "TrackSock",
	[HORNET_ACTION_UNTRACKSOCK] = "UntrackSock",
	[HORNET_ACTION_GETURL] = "GetUrl",
	[HORNET_ACTION_DNSLOOKUP] = "DnsLookup",
	[HORNET_ACTION_NOTIFY_ENFORCER] = "NotifyEnforcer",
	[HORNET_ACTION_CLEANUP_ENFORCER] = "CleanupEnforcerNotification",
	[HORNET_ACTION_SET] = "Set",
};

static const char *const hook_kind_names[] = {
	[HORNET_HOOK_KPROBE] = "kprobes",	  [HORNET_HOOK_FENTRY] = "fentries",
	[HORNET_HOOK_TRACEPOINT] = "tracepoints", [HORNET_HOOK_LSM] = "lsmhooks",
	[HORNET_HOOK_UPROBE] = "uprobes",	  [HORNET_HOOK_USDT] = "usdts",
};

const char *hornet_arg_type_name(enum hornet_arg_type t)
{
	return (unsigned int)t < HORNET_ARG_TYPE_COUNT ? arg_type_names[t] : "unknown";
}

const char *hornet_op_name(enum hornet_op op)
{
	return (unsigned int)op < HORNET_OP_COUNT ? op_names[op] : "unknown";
}

const char *hornet_action_name(enum hornet_action a)
{
	return (unsigned int)a < HORNET_ACTION_COUNT ? action_names[a] : "unknown";
}

const char *hornet_hook_kind_name(enum hornet_hook_kind k)
{
	return (unsigned int)k < sizeof(hook_kind_names) / sizeof(hook_kind_names[0])
		       ? hook_kind_names[k]
		       : "unknown";
}

const struct hornet_list *hornet_policy_list(const struct hornet_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr_lists; i++)
		if (!strcmp(p->lists[i].name, name))
			return &p->lists[i];
	return NULL;
}

int hornet_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {
		{ "", NSEC_PER_SEC }, /* a bare number counts seconds, as in Tetragon */
		{ "ms", NSEC_PER_MSEC },       { "s", NSEC_PER_SEC },
		{ "m", 60 * NSEC_PER_SEC },    { "h", 3600 * NSEC_PER_SEC },
		{ "d", 86400 * NSEC_PER_SEC },
	};
	uint64_t v = 0;
	size_t i;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL; /* empty, negative, or not a number */
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = *s - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].suffix))
			continue;
		if (v > UINT64_MAX / units[i].ns)
			return -ERANGE;
		*ns = v * units[i].ns;
		return 0;
	}
	return -EINVAL;
}

static const char *label_value(const char *const (*labels)[2], size_t nr, const char *key)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(labels[i][0], key))
			return labels[i][1];
	return NULL;
}

/* Kubernetes' rules: NotIn and DoesNotExist hold for a missing label. */
bool hornet_label_selector_matches(const struct hornet_label_selector *sel,
				   const char *const (*labels)[2], size_t nr)
{
	const struct hornet_label_req *r;
	const char *v;
	bool in;
	size_t i, j;

	if (!sel->present)
		return false;
	for (i = 0; i < sel->nr_reqs; i++) {
		r = &sel->reqs[i];
		v = label_value(labels, nr, r->key);
		in = false;
		for (j = 0; v && j < r->nr_values; j++)
			in |= !strcmp(r->values[j], v);
		switch (r->op) {
		case HORNET_LABEL_IN:
			if (!in)
				return false;
			break;
		case HORNET_LABEL_NOT_IN:
			if (in)
				return false;
			break;
		case HORNET_LABEL_EXISTS:
			if (!v)
				return false;
			break;
		case HORNET_LABEL_DOES_NOT_EXIST:
			if (v)
				return false;
			break;
		}
	}
	return true;
}
