/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the store reads from an exported event line, in one pass over its
 * bytes and without building a tree (jansson's tree cost more than all the
 * rest of ingest): the event's type, time and node, the process and parent,
 * the policy fields, the arguments, and the network fields. Strings are
 * spans into the line; hornet_span_copy() decodes their JSON escapes.
 */
#ifndef HORNET_STORE_LINE_H
#define HORNET_STORE_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HORNET_LINE_ARGS 16
#define HORNET_LINE_ANSWERS 16

struct hornet_span {
	const char *s; /* NULL: absent */
	uint32_t n;
	bool esc; /* holds JSON escapes */
};

struct hornet_line_proc {
	bool present;
	struct hornet_span exec_id, parent_exec_id, cwd, binary, arguments, start_time;
	struct hornet_span pod_namespace, pod_name,
		container; /* pod.container.name, or container.name */
	int64_t pid, uid;
	bool has_pid, has_uid;
};

enum hornet_line_arg_kind {
	HORNET_ARG_OTHER,
	HORNET_ARG_STRING,
	HORNET_ARG_INT,
	HORNET_ARG_SIZE,
	HORNET_ARG_FILE, /* file_arg, path_arg, linux_binprm_arg */
	HORNET_ARG_SOCK,
	HORNET_ARG_SOCKADDR,
};

struct hornet_line_arg {
	enum hornet_line_arg_kind kind;
	struct hornet_span str; /* string_arg, the file's path, sock daddr, sockaddr addr */
	struct hornet_span flags, label, protocol, cookie, state;
	int64_t num; /* int_arg, size_arg, sock dport, sockaddr port */
	int64_t sport; /* sock_arg */
	bool has_num;
};

struct hornet_line {
	struct hornet_span type, node, time;
	struct hornet_span policy, action, function, event, symbol, policy_mode, signal;
	struct hornet_span direction, server, destination, host, sni, question, socket_cookie;
	int64_t status;
	bool has_status;
	struct hornet_line_proc proc, parent;
	struct hornet_line_arg args[HORNET_LINE_ARGS];
	int nargs;
	struct {
		struct hornet_span type, data;
	} answers[HORNET_LINE_ANSWERS];
	int nanswers;
};

/* Fills @l from @line; -EINVAL when it is not one JSON object (what was read stays). */
int hornet_line_scan(const char *line, size_t len, struct hornet_line *l);

/* Decodes @sp into @dst (room for sp->n + 1 bytes: decoding never grows); returns the length. */
size_t hornet_span_copy(const struct hornet_span *sp, char *dst);

#endif
