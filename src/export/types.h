/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed events: what the sensors decode ring-buffer records into, and what
 * export/ renders as JSON (export/event.h) or as one compact line
 * (export/compact.h). Strings and wire structs are pointers into the record
 * or the sensor's own state, valid while the event is being emitted; every
 * length has been checked by the sensor that decoded it.
 */
#ifndef HORNET_EXPORT_TYPES_H
#define HORNET_EXPORT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <hornet/generic.h>

#include "net/parse.h"
#include "process/cache.h"

/* The value of one policy event argument, by the key it is shown with. */
enum hornet_val_kind {
	HORNET_VAL_NONE, /* an argument the kernel did not read: its label only */
	HORNET_VAL_INT, /* int_arg */
	HORNET_VAL_UINT, /* uint_arg */
	HORNET_VAL_LONG, /* long_arg */
	HORNET_VAL_SIZE, /* size_arg */
	HORNET_VAL_CAPABILITY, /* capability_arg: one capability number */
	HORNET_VAL_SYSCALL_ID, /* syscall_id: id | 0x80000000 for i386 */
	HORNET_VAL_CAP_PERMITTED, /* capability sets */
	HORNET_VAL_CAP_INHERITABLE,
	HORNET_VAL_CAP_EFFECTIVE,
	HORNET_VAL_KERNEL_CAP,
	HORNET_VAL_STRING,
	HORNET_VAL_BYTES,
	HORNET_VAL_FILE, /* file_arg */
	HORNET_VAL_PATH, /* path_arg */
	HORNET_VAL_BINPRM, /* linux_binprm_arg */
	HORNET_VAL_SOCK,
	HORNET_VAL_SKB,
	HORNET_VAL_SOCKADDR,
	HORNET_VAL_NET_DEV,
	HORNET_VAL_MODULE,
	HORNET_VAL_CRED,
	HORNET_VAL_USER_NS,
	HORNET_VAL_BPF_ATTR,
	HORNET_VAL_BPF_PROG,
	HORNET_VAL_BPF_MAP,
	HORNET_VAL_PERF_EVENT,
	HORNET_VAL_SOCKADDR_UN, /* sockaddrun_arg */
	HORNET_VAL_BPF_CMD, /* bpf_cmd_arg: i, by its name */
};

struct hornet_arg_val {
	enum hornet_val_kind kind;
	const char *label; /* NULL: none */
	bool truncated;
	union {
		int64_t i; /* INT, LONG, CAPABILITY */
		uint64_t u; /* UINT, SIZE, SYSCALL_ID, capability sets */
		struct {
			const char *s;
			size_t len;
		} str; /* STRING, NET_DEV, MODULE (not NUL-terminated) */
		struct {
			const uint8_t *data;
			size_t len;
			uint64_t orig_size;
		} bytes;
		struct {
			const struct hornet_file_data *fd; /* NULL: the pointer was unreadable */
			const char *path;
			size_t path_len;
		} file; /* FILE, PATH, BINPRM */
		const struct hornet_sock_data *sock; /* SOCK, SKB */
		const struct hornet_sockaddr_data *sockaddr;
		const struct hornet_sockaddr_un_data *sockaddr_un;
		const struct hornet_cred_data *cred;
		const struct hornet_userns_data *userns;
		const struct hornet_bpf_data *bpf; /* BPF_ATTR, BPF_PROG, BPF_MAP */
		const struct hornet_perf_data *perf;
	};
};

/* A sockaddr_un record's path length: the kernel's, within the record and up to a NUL. */
static inline size_t hornet_sockaddr_un_path_len(const struct hornet_sockaddr_un_data *su)
{
	size_t max = su->path_len < sizeof(su->path) ? su->path_len : sizeof(su->path);

	return strnlen(su->path, max);
}

/* One frame of a stack trace, resolved by the sensor. */
struct hornet_stack_frame {
	uint64_t address;
	uint64_t offset;
	const char *name; /* kernel: the symbol; user: the module; NULL: unresolved */
};

enum hornet_policy_kind {
	HORNET_POLICY_KPROBE,
	HORNET_POLICY_TRACEPOINT,
	HORNET_POLICY_LSM,
	HORNET_POLICY_UPROBE,
	HORNET_POLICY_USDT, /* a process_uprobe that names its probe as function_name */
};

#define HORNET_EVENT_MAX_ARGS 16

/* process_kprobe, process_tracepoint, process_lsm, process_uprobe */
struct hornet_policy_event {
	enum hornet_policy_kind kind;
	const char *function_name; /* KPROBE, LSM, USDT */
	const char *subsys, *event; /* TRACEPOINT */
	const char *path, *symbol; /* UPROBE */
	struct hornet_arg_val args[HORNET_EVENT_MAX_ARGS];
	size_t nr_args;
	bool has_ret;
	struct hornet_arg_val ret;
	bool ret_nopost; /* the hook's returnArgAction is NoPost */
	uint8_t action; /* HORNET_A_* */
	bool monitor;
	int32_t action_arg; /* errno of Override, signal of Signal */
	const char *policy_name;
	/* a shadow's difference (`policy add --shadow-of`): policy_name is the
	 * shadow, action what it decided (0: it did not match), current_* what
	 * shadow_of, the policy running, decided (0: did not match) */
	bool shadow;
	const char *shadow_of;
	uint8_t current_action;
	int32_t current_arg;
	const char *message; /* NULL: none */
	char *const *tags;
	size_t nr_tags;
	const struct hornet_stack_frame *kernel_stack, *user_stack;
	size_t nr_kernel_stack, nr_user_stack;
	const char *ima_hash; /* "sha256:<hex>" of the file argument (Post imaHash); NULL none */
};

/* process_kprobe of the network sensor: tcp_connect, tcp_close, ... */
struct hornet_conn_event {
	uint16_t kind; /* HORNET_NET_CONNECT .. HORNET_NET_UDP_SEND */
	const struct hornet_sock_data *sock;
	uint64_t bytes_sent, bytes_received; /* HORNET_NET_CLOSE */
	/* HORNET_NET_CLOSE in flow mode: the connection's duration, and
	 * whether it was accepted (else connected) */
	bool flow, incoming;
	uint64_t duration_ns;
};

/* process_dns, process_http, process_tls: one parsed message of a socket */
struct hornet_msg_event {
	const struct hornet_sock_data *sock;
	bool ingress;
	/* TLS: the policy whose spec.tlsServerNames matched (NULL none), and
	 * whether the connection was reset for it (else reported) */
	const char *tls_policy;
	bool tls_reset;
	union {
		const struct hornet_dns_msg *dns;
		const struct hornet_http_req *http;
		const struct hornet_tls_hello *tls;
	};
};

/* process_loader: an executable mapping of a file (sensors/loader.c) */
struct hornet_loader_event {
	const char *path;
	uint8_t build_id[20];
	uint8_t build_id_size; /* 0: the kernel gave none */
};

enum hornet_event_kind {
	HORNET_EV_EXEC,
	HORNET_EV_EXIT,
	HORNET_EV_POLICY,
	HORNET_EV_CONN,
	HORNET_EV_DNS,
	HORNET_EV_HTTP,
	HORNET_EV_TLS,
	HORNET_EV_LOADER,
};

struct hornet_event {
	enum hornet_event_kind kind;
	uint64_t ktime; /* boot time of the event */
	struct hornet_process *process;
	bool process_unknown; /* network: the socket's owner was not seen */
	union {
		uint32_t exit_code; /* EXIT: wait status */
		struct hornet_policy_event policy;
		struct hornet_conn_event conn;
		struct hornet_msg_event msg; /* DNS, HTTP, TLS */
		struct hornet_loader_event loader;
	};
};

/* The event's type key: "process_exec", "process_kprobe", ... */
const char *hornet_event_type_name(const struct hornet_event *ev);

#endif
