/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TracingPolicy: Tetragon's policy format (apiVersion cilium.io/v1alpha1,
 * kind TracingPolicy or TracingPolicyNamespaced; hornet.dev/v1alpha1 is an
 * alias), parsed from YAML or JSON with libyaml and validated into the
 * typed model below. docs/policies.md describes it for users.
 *
 * Parsing knows nothing about the kernel: it checks the policy's shape,
 * names, types and values. Which hooks exist on this kernel and how each is
 * attached is the hook plan's business (policy/plan.h).
 */
#ifndef HORNET_POLICY_POLICY_H
#define HORNET_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HORNET_POLICY_MAX_ARGS 8 /* args[] of one hook, returnArg not included */
#define HORNET_POLICY_MAX_ENFORCER_CALLS 512 /* spec.enforcers[0].calls, lists expanded */
#define HORNET_POLICY_MAX_SELECTORS 5 /* selectors[] of one hook */
#define HORNET_POLICY_MAX_ACTIONS 3 /* matchActions[] of one selector */
#define HORNET_POLICY_MAX_SUBSTR 99 /* bytes of a SubString value, as Tetragon */
#define HORNET_POLICY_MAX_FILE (4 << 20) /* bytes of one policy file */
#define HORNET_POLICY_MAX_DEPTH 64 /* nesting of YAML collections */
#define HORNET_POLICY_MAX_NODES 1000000 /* nodes visited, aliases expanded */

enum hornet_hook_kind {
	HORNET_HOOK_KPROBE, /* spec.kprobes[] */
	HORNET_HOOK_FENTRY, /* spec.fentries[] (same keys as kprobes) */
	HORNET_HOOK_TRACEPOINT, /* spec.tracepoints[] */
	HORNET_HOOK_LSM, /* spec.lsmhooks[] */
	HORNET_HOOK_UPROBE, /* spec.uprobes[] */
	HORNET_HOOK_USDT, /* spec.usdts[] (parsed; the plan refuses them) */
};

enum hornet_arg_type {
	HORNET_ARG_NONE,
	/* integers */
	HORNET_ARG_INT, /* "int", "int32" */
	HORNET_ARG_UINT32,
	HORNET_ARG_INT8,
	HORNET_ARG_UINT8,
	HORNET_ARG_INT16,
	HORNET_ARG_UINT16,
	HORNET_ARG_INT64, /* "int64", "long" */
	HORNET_ARG_UINT64, /* "uint64", "ulong" */
	HORNET_ARG_SIZE_T,
	HORNET_ARG_SYSCALL64, /* syscall number with 32-bit-compat bit */
	/* memory */
	HORNET_ARG_STRING,
	HORNET_ARG_CHAR_BUF,
	HORNET_ARG_CHAR_IOVEC,
	HORNET_ARG_CONST_BUF,
	/* files */
	HORNET_ARG_FD,
	HORNET_ARG_FILE,
	HORNET_ARG_PATH,
	HORNET_ARG_DENTRY,
	HORNET_ARG_FILENAME,
	HORNET_ARG_LINUX_BINPRM,
	HORNET_ARG_KIOCB,
	HORNET_ARG_IOV_ITER,
	/* network */
	HORNET_ARG_SOCK,
	HORNET_ARG_SOCKET,
	HORNET_ARG_SKB,
	HORNET_ARG_SOCKADDR,
	HORNET_ARG_NET_DEVICE,
	HORNET_ARG_SOCKADDR_UN, /* struct sockaddr_un *: family and path */
	/* credentials */
	HORNET_ARG_CRED,
	HORNET_ARG_CAPABILITY,
	HORNET_ARG_KERNEL_CAP_T,
	HORNET_ARG_CAP_INHERITABLE,
	HORNET_ARG_CAP_PERMITTED,
	HORNET_ARG_CAP_EFFECTIVE,
	HORNET_ARG_USER_NAMESPACE,
	/* bpf and modules */
	HORNET_ARG_BPF_ATTR,
	HORNET_ARG_BPF_MAP,
	HORNET_ARG_BPF_PROG,
	HORNET_ARG_PERF_EVENT,
	HORNET_ARG_MODULE,
	HORNET_ARG_LOAD_INFO,
	HORNET_ARG_BPF_CMD, /* an int shown by its BPF_* command name */
	/* other */
	HORNET_ARG_DATA_LOC, /* tracepoints: a __data_loc string field */
	HORNET_ARG_NOP, /* "nop": a placeholder, never read */
	HORNET_ARG_AUTO, /* tracepoints: the type from the format file */
	HORNET_ARG_TYPE_COUNT,
};

enum hornet_op {
	HORNET_OP_NONE,
	HORNET_OP_EQUAL,
	HORNET_OP_NOT_EQUAL,
	HORNET_OP_PREFIX,
	HORNET_OP_NOT_PREFIX,
	HORNET_OP_POSTFIX,
	HORNET_OP_NOT_POSTFIX,
	HORNET_OP_MASK,
	HORNET_OP_GT, /* "GreaterThan", "GT" */
	HORNET_OP_LT, /* "LessThan", "LT" */
	HORNET_OP_IN_RANGE,
	HORNET_OP_NOT_IN_RANGE,
	HORNET_OP_SADDR,
	HORNET_OP_NOT_SADDR,
	HORNET_OP_DADDR,
	HORNET_OP_NOT_DADDR,
	HORNET_OP_SPORT,
	HORNET_OP_NOT_SPORT,
	HORNET_OP_DPORT,
	HORNET_OP_NOT_DPORT,
	HORNET_OP_SPORT_PRIV,
	HORNET_OP_NOT_SPORT_PRIV,
	HORNET_OP_DPORT_PRIV,
	HORNET_OP_NOT_DPORT_PRIV,
	HORNET_OP_PROTOCOL,
	HORNET_OP_FAMILY,
	HORNET_OP_STATE,
	HORNET_OP_IN_MAP,
	HORNET_OP_NOT_IN_MAP,
	HORNET_OP_FILE_TYPE,
	HORNET_OP_NOT_FILE_TYPE,
	HORNET_OP_CAPABILITIES_GAINED,
	HORNET_OP_SUBSTRING, /* strings: contains a value */
	HORNET_OP_SUBSTRING_IGNCASE, /* the same, ASCII letters of any case */
	HORNET_OP_CEL_EXPR, /* integer arguments: a CEL expression holds */
	HORNET_OP_DNS_NAME, /* sock, sockaddr: a DNS answer named the address so */
	HORNET_OP_NOT_DNS_NAME,
	/* matchPIDs, matchNamespaces, matchCapabilities, matchBinaries */
	HORNET_OP_IN,
	HORNET_OP_NOT_IN,
	HORNET_OP_COUNT,
};

enum hornet_action {
	HORNET_ACTION_POST,
	HORNET_ACTION_NOPOST,
	HORNET_ACTION_SIGKILL,
	HORNET_ACTION_SIGNAL,
	HORNET_ACTION_OVERRIDE,
	HORNET_ACTION_FOLLOWFD,
	HORNET_ACTION_UNFOLLOWFD,
	HORNET_ACTION_COPYFD,
	HORNET_ACTION_TRACKSOCK,
	HORNET_ACTION_UNTRACKSOCK,
	HORNET_ACTION_GETURL,
	HORNET_ACTION_DNSLOOKUP,
	HORNET_ACTION_NOTIFY_ENFORCER,
	HORNET_ACTION_CLEANUP_ENFORCER,
	HORNET_ACTION_SET, /* usdt "Set": parsed, refused by the plan */
	HORNET_ACTION_COUNT,
};

enum hornet_ns_type {
	HORNET_NST_UTS,
	HORNET_NST_IPC,
	HORNET_NST_MNT,
	HORNET_NST_PID,
	HORNET_NST_PID_FOR_CHILDREN,
	HORNET_NST_NET,
	HORNET_NST_TIME,
	HORNET_NST_TIME_FOR_CHILDREN,
	HORNET_NST_CGROUP,
	HORNET_NST_USER,
	HORNET_NST_COUNT,
}; /* same order as enum hornet_ns_index in include/hornet/events.h */

enum hornet_cap_type {
	HORNET_CAPT_EFFECTIVE,
	HORNET_CAPT_INHERITABLE,
	HORNET_CAPT_PERMITTED,
};

enum hornet_rate_scope {
	HORNET_SCOPE_THREAD, /* the default */
	HORNET_SCOPE_PROCESS,
	HORNET_SCOPE_GLOBAL,
};

enum hornet_policy_mode {
	HORNET_MODE_ENFORCE,
	HORNET_MODE_MONITOR,
};

/* Where a node was in the file, for errors after parsing (1-based). */
struct hornet_pos {
	unsigned int line;
	unsigned int column;
};

/*
 * What a value of a selector's values[] is, as the parser read it for its
 * operator and argument type. The compiler takes these as they are and
 * parses no text again.
 */
enum hornet_value_kind {
	HORNET_VALUE_TEXT, /* a string, path or binary: str */
	HORNET_VALUE_INT, /* num: an integer, or a name resolved (CAP_*, IPPROTO_*, AF_*,
			 * TCP_*, file types; the bit of a capability, the mask of a set) */
	HORNET_VALUE_RANGE, /* num..hi, both included: InRange, InMap, port ranges */
	HORNET_VALUE_ADDR, /* SAddr, DAddr: addr, the first prefix_len bits of it */
	HORNET_VALUE_LIST, /* InMap "list:NAME": list, its index in spec.lists */
	HORNET_VALUE_HOST_NS, /* matchNamespaces "host_ns": the agent's own namespace */
	HORNET_VALUE_PLACEHOLDER, /* "${NAME}" where an address goes: a template not filled */
};

struct hornet_value {
	char *str; /* as written, for messages */
	enum hornet_value_kind kind;
	bool is_num; /* decimal, 0x hex or 0 octal, optionally negative; or a
		      * name resolved: AF_*, IPPROTO_*, TCP_* states, CAP_* */
	int64_t num;
	int64_t hi; /* RANGE: the upper end */
	uint8_t family; /* ADDR: AF_INET or AF_INET6 */
	uint8_t prefix_len; /* ADDR: 32 or 128 for a single address */
	uint8_t addr[16]; /* ADDR: network byte order */
	size_t list; /* LIST */
	struct hornet_pos pos;
};

struct hornet_values {
	struct hornet_value *v;
	size_t n;
};

struct hornet_arg {
	unsigned int index; /* the function's argument (0-based) */
	enum hornet_arg_type type;
	char *type_name; /* as written, for messages and events */
	unsigned int size_arg_index; /* char_buf: 1-based index of the size arg; 0 none */
	bool return_copy;
	unsigned int max_data; /* bytes to copy of a buffer; 0 = default */
	char *label;
	char *resolve; /* a BTF field path such as "f_path.dentry", or NULL */
	bool current_task; /* data[]: source current_task, resolve from the task */
	struct hornet_pos pos;
};

struct hornet_match_arg {
	/* Tetragon's "index": the index of one of the hook's args[]; when
	 * args_form, a position in the hook's args[] instead */
	unsigned int index;
	bool args_form; /* written as args: [i] (or, in tracepoints, a position) */
	enum hornet_op op;
	struct hornet_values values;
	uint64_t caps; /* CapabilitiesGained: the CAP_* bits of values[]; 0 any */
	/* CelExpr: one program per value, argX as the X-th of args[] (policy/cel.h) */
	struct hornet_cel_prog *cel;
	struct hornet_pos pos;
};

struct hornet_match_pids {
	enum hornet_op op; /* IN or NOT_IN */
	struct hornet_values values;
	bool follow_forks;
	bool is_namespace_pid;
	struct hornet_pos pos;
};

struct hornet_match_binaries {
	enum hornet_op op; /* IN, NOT_IN, PREFIX, NOT_PREFIX, POSTFIX, NOT_POSTFIX */
	struct hornet_values values;
	bool follow_children;
	struct hornet_pos pos;
};

struct hornet_match_ns {
	enum hornet_ns_type ns;
	enum hornet_op op; /* IN or NOT_IN */
	struct hornet_values values; /* inode numbers, or "host_ns" */
	struct hornet_pos pos;
};

struct hornet_match_caps {
	enum hornet_cap_type type;
	enum hornet_op op; /* IN or NOT_IN */
	bool is_namespace_capability;
	uint64_t caps; /* CAP_* bits of values[] */
	struct hornet_values values;
	struct hornet_pos pos;
};

struct hornet_match_ns_changes {
	enum hornet_op op; /* IN or NOT_IN */
	uint32_t ns_mask; /* bit per enum hornet_ns_type */
	struct hornet_pos pos;
};

struct hornet_match_cap_changes {
	enum hornet_cap_type type;
	enum hornet_op op;
	bool is_namespace_capability;
	uint64_t caps;
	struct hornet_pos pos;
};

struct hornet_match_action {
	enum hornet_action action;
	uint64_t rate_limit_ns; /* rateLimit ("1m", "30s", "500ms", "2h"); 0 none */
	enum hornet_rate_scope scope;
	bool kernel_stack;
	bool user_stack;
	bool ima_hash;
	int arg_error; /* Override: the errno, negative (argError: -1 -> -1) */
	int arg_sig; /* Signal */
	long long arg_value; /* Set */
	unsigned int arg_fd, arg_name, arg_sock, arg_index; /* FollowFD, TrackSock, ... */
	char *arg_url; /* GetUrl */
	char *arg_fqdn; /* DnsLookup */
	struct hornet_pos pos;
};

struct hornet_selector {
	struct hornet_match_arg *args;
	size_t nr_args;
	struct hornet_match_arg *data_args; /* matchData: index is a position in data[] */
	size_t nr_data_args;
	struct hornet_match_arg *return_args; /* matchReturnArgs */
	size_t nr_return_args;
	struct hornet_match_pids *pids;
	size_t nr_pids;
	struct hornet_match_binaries *binaries;
	size_t nr_binaries;
	struct hornet_match_binaries *parent_binaries; /* matchParentBinaries */
	size_t nr_parent_binaries;
	struct hornet_match_ns *ns;
	size_t nr_ns;
	struct hornet_match_caps *caps;
	size_t nr_caps;
	struct hornet_match_ns_changes *ns_changes;
	size_t nr_ns_changes;
	struct hornet_match_cap_changes *cap_changes;
	size_t nr_cap_changes;
	struct hornet_match_action actions[HORNET_POLICY_MAX_ACTIONS];
	size_t nr_actions; /* 0 means the default: Post */
	/* matchReturnActions: run at the function's return (hooks with return: true) */
	struct hornet_match_action return_actions[HORNET_POLICY_MAX_ACTIONS];
	size_t nr_return_actions;
	struct hornet_pos pos;
};

struct hornet_hook {
	enum hornet_hook_kind kind;
	unsigned int index; /* position in its spec list, for messages */
	/* kprobes/fentries: the function ("sys_openat", "security_file_open",
	 * or "list:NAME"); lsmhooks: the hook ("file_open"); tracepoints:
	 * "subsystem/event"; uprobes: the symbol or "0x<offset>" */
	char *call;
	char *subsystem, *event; /* tracepoints */
	bool raw; /* tracepoints: BTF-typed raw tracepoint */
	bool syscall; /* kprobes: call is a syscall */
	bool ret; /* kprobes, uprobes: also hook the return */
	struct hornet_arg return_arg; /* type NONE when absent */
	enum hornet_action return_arg_action; /* returnArgAction; POST when absent */
	bool ignore_call_not_found; /* ignore.callNotFound */
	char *path; /* uprobes: the binary */
	char **symbols; /* uprobes: symbols[] */
	size_t nr_symbols;
	uint64_t *offsets; /* uprobes: offsets[] */
	size_t nr_offsets;
	char **digests; /* uprobes: binaryDigests[], lowercase hex of sha256 */
	size_t nr_digests;
	bool ignore_digest; /* uprobes: ignore.digestVerificationFailure */
	struct hornet_arg args[HORNET_POLICY_MAX_ARGS];
	size_t nr_args;
	struct hornet_arg data[HORNET_POLICY_MAX_ARGS]; /* data[]: extra values to read */
	size_t nr_data;
	struct hornet_selector selectors[HORNET_POLICY_MAX_SELECTORS];
	size_t nr_selectors;
	char *message;
	char **tags;
	size_t nr_tags;
	struct hornet_pos pos;
};

struct hornet_list {
	char *name;
	char *type; /* "syscalls", "generated_syscalls", "generated_ftrace" */
	char **values;
	size_t nr_values;
	char *pattern;
	struct hornet_pos pos;
};

/* Label selectors (podSelector, containerSelector, hostSelector), as Kubernetes reads them. */
enum hornet_label_op {
	HORNET_LABEL_IN,
	HORNET_LABEL_NOT_IN,
	HORNET_LABEL_EXISTS,
	HORNET_LABEL_DOES_NOT_EXIST,
};

struct hornet_label_req {
	char *key;
	enum hornet_label_op op;
	char **values; /* In, NotIn: at least one; none for the others */
	size_t nr_values;
	struct hornet_pos pos;
};

/*
 * Absent (or null) selects nothing by itself; present without requirements
 * ({}) selects everything; else every requirement must hold (AND).
 * matchLabels entries come first, as In with one value.
 */
struct hornet_label_selector {
	bool present;
	struct hornet_label_req *reqs;
	size_t nr_reqs;
	struct hornet_pos pos;
};

/* The label a pod's namespace is matched as, as Tetragon does. */
#define HORNET_LABEL_POD_NAMESPACE "k8s:io.kubernetes.pod.namespace"

/*
 * spec.tlsServerNames[] (a hornet extension): TLS connections judged by the
 * server name their ClientHello carries, whatever their address, by the
 * network sensor (bpf/net.bpf.c). Names as DNSName takes them.
 */
#define HORNET_POLICY_MAX_TLS_RULES 8
#define HORNET_POLICY_MAX_TLS_NAMES 256
#define HORNET_POLICY_MAX_CGROUP_PATHS 16

struct hornet_tls_rule {
	bool not_in; /* operator NotIn: any name but these, and a ClientHello with none */
	bool post_only; /* action Post: report, do not reset */
	char **names;
	size_t nr_names;
};

struct hornet_policy {
	char *file; /* where it came from ("-" for the API) */
	char *api_version;
	bool namespaced; /* kind TracingPolicyNamespaced */
	char *name; /* metadata.name */
	char *namespace; /* metadata.namespace */
	enum hornet_policy_mode mode; /* from options policy-mode; enforce by default */
	bool mode_set;
	struct hornet_hook *hooks; /* every hook of every kind, in file order per kind */
	size_t nr_hooks;
	struct hornet_list *lists;
	size_t nr_lists;
	bool has_pod_selector, has_container_selector, has_host_selector;
	/* containerSelector keys: "name" and "repo" (the image without tag or
	 * digest); hostSelector: only {} (every process outside a container) */
	struct hornet_label_selector pod_selector, container_selector, host_selector;
	bool has_enforcers;
	/* spec.enforcers[0].calls (Tetragon takes one enforcer): syscall names
	 * or "list:NAME", as written; the plan resolves them */
	char **enforcer_calls;
	size_t nr_enforcer_calls;
	bool loader; /* spec.loader: true (may be the policy's only content) */
	char **options_names;
	char **options_values;
	size_t nr_options;
	struct hornet_tls_rule *tls; /* spec.tlsServerNames */
	size_t nr_tls;
	/* spec.cgroupSelector.paths (a hornet extension): cgroup v2 directories,
	 * from the hierarchy's root ("/system.slice/nginx.service"), whose
	 * processes (and their sub-cgroups') the policy applies to */
	char **cgroup_paths;
	size_t nr_cgroup_paths;
};

/*
 * Parses and validates a policy from @buf (@len bytes; YAML or JSON).
 * @file names it in messages. On success returns the policy; on error
 * returns NULL, sets errno (EINVAL for a bad policy, EFBIG, ENOMEM), and
 * writes one line to @err of the form
 *   FILE:LINE:COLUMN: spec.kprobes[0].selectors[1].matchArgs[0].operator:
 *   unknown operator 'Prefx' (did you mean 'Prefix'?)
 * naming the field and saying what would be valid. Never crashes on any
 * input; refuses files over HORNET_POLICY_MAX_FILE, nesting deeper than
 * HORNET_POLICY_MAX_DEPTH and alias expansion past HORNET_POLICY_MAX_NODES.
 */
struct hornet_policy *hornet_policy_parse(const char *buf, size_t len, const char *file, char *err,
					  size_t err_size);

/* The same, reading @path (bounded read; "-" is stdin). */
struct hornet_policy *hornet_policy_load(const char *path, char *err, size_t err_size);

void hornet_policy_free(struct hornet_policy *p);

/*
 * Whether @sel holds for @labels (@nr pairs of key, value; keys unique).
 * An absent selector holds for nothing, {} for everything.
 */
bool hornet_label_selector_matches(const struct hornet_label_selector *sel,
				   const char *const (*labels)[2], size_t nr);

/* Names as written in policies, for messages and events. */
const char *hornet_arg_type_name(enum hornet_arg_type t);
const char *hornet_op_name(enum hornet_op op);
const char *hornet_action_name(enum hornet_action a);
const char *hornet_hook_kind_name(enum hornet_hook_kind k); /* "kprobes", "tracepoints", ... */

/* The list @name of spec.lists, or NULL. */
const struct hornet_list *hornet_policy_list(const struct hornet_policy *p, const char *name);

/* Parses "1m", "30s", "500ms", "2h", "1d" (and a bare number of seconds). */
int hornet_parse_duration(const char *s, uint64_t *ns);

#endif
