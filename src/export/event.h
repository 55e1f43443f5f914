/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events as JSON lines in Tetragon's shape (docs/events.md): one object per
 * line with exactly one event key, node_name and time.
 */
#ifndef HORNET_EXPORT_EVENT_H
#define HORNET_EXPORT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/events.h>

#include "export/json.h"
#include "export/types.h"
#include "process/cache.h"
#include "process/pods.h"

/* "node:ktime:pid": a DNS name (253) + 2 colons + 20 + 10 digits, in base64 */
#define HORNET_EXEC_ID_MAX 400
#define HORNET_TIME_MAX 40

/*
 * Where the process objects of the line being rendered lack their pod
 * because the store does not know it yet (the process's cgroup names a pod
 * UID): the offset in the line where ',"pod":{...}' belongs, and the
 * process (a reference), so the line can wait for the pod and have it
 * spliced in (hornet_splice_pods()).
 */
#define HORNET_POD_PENDING_MAX 8

struct hornet_pod_pending {
	size_t n;
	bool overflow; /* more process objects lacked their pod than fit */
	struct {
		size_t off;
		struct hornet_process *p;
	} at[HORNET_POD_PENDING_MAX];
};

struct hornet_render_ctx {
	const char *node_name;
	const struct hornet_pod_store *pods; /* NULL: no pod or container identity */
	struct hornet_pod_pending *pending; /* NULL: nobody waits for pods */
	struct hornet_ns host_ns; /* the namespaces of pid 1, for is_host */
	int64_t boot_to_wall_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	bool ancestors; /* add the "ancestors" array to exec and exit events */
	unsigned int ancestors_policy; /* and to policy events: a bit per hornet_policy_kind */
	bool policy_full_process; /* policy events carry the full object too */
	/* what the full object carries, as Tetragon's --enable-process-cred/-ns */
	bool process_cred; /* "cap" and "process_credentials" */
	bool process_ns; /* "ns" */
};

/* base64("<node>:<ktime>:<pid>"); returns its length, 0 if @size is too small */
size_t hornet_exec_id(char *out, size_t size, const char *node, uint64_t ktime, uint32_t pid);

/* RFC 3339 UTC with nanoseconds: 2026-11-28T10:00:00.123456789Z */
void hornet_format_time(char out[HORNET_TIME_MAX], uint64_t wall_ns);

enum hornet_proc_detail {
	HORNET_PROC_FULL, /* with cgroup_id, and cap, ns and process_credentials as enabled */
	HORNET_PROC_EXEC, /* FULL, and the exec's binary_properties */
	HORNET_PROC_LEAN, /* without cap, ns and process_credentials */
};

/*
 * The "process" (or parent, ancestor) object of @p. Apart from the exec
 * event's binary_properties it never changes, so each variant is rendered
 * once and kept in p->json (FULL) or p->json_lean.
 */
void hornet_render_process(struct hornet_json *j, const char *key, struct hornet_process *p,
			   const struct hornet_render_ctx *ctx, enum hornet_proc_detail detail);

/*
 * The "pod" (a process in a Kubernetes pod) or "container" (in a container
 * outside any pod) member of @p's object as the store knows it now; nothing
 * when it knows neither. Returns true when it wrote one.
 */
bool hornet_render_workload(struct hornet_json *j, const struct hornet_process *p,
			    const struct hornet_render_ctx *ctx);

/* Whether @p's cgroup names a pod the store does not know (yet). */
bool hornet_workload_pending(const struct hornet_process *p, const struct hornet_render_ctx *ctx);

/*
 * Splices into @line (@len bytes) the pods of @pending as the store knows
 * them now, appending the result to @out. Processes whose pod is still
 * unknown stay without; returns how many. Drops the references.
 */
size_t hornet_splice_pods(struct hornet_json *out, const char *line, size_t len,
			  struct hornet_pod_pending *pending, const struct hornet_render_ctx *ctx);
void hornet_pod_pending_release(struct hornet_pod_pending *pending);

/* Whole lines, without the trailing newline. @ktime is the event's time. */
void hornet_render_exec(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			struct hornet_process *p, uint64_t ktime);
void hornet_render_exit(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			struct hornet_process *p, uint32_t code, uint64_t ktime);

/* "SIGKILL" when wait status @code says a signal ended the process */
bool hornet_exit_signal(uint32_t code, char *out, size_t size);

/* Process flags as Tetragon spells them, space-separated. */
void hornet_process_flags(uint32_t flags, const char *cwd, char *out, size_t size);

/*
 * Renders any typed event as one line (without newline). Returns 0, or
 * -ENOMEM (the writer failed too then).
 */
int hornet_render_event(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			const struct hornet_event *ev);

/* By family, for hornet_render_event(). */
int hornet_render_policy(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			 const struct hornet_event *ev);
void hornet_render_conn(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			const struct hornet_event *ev);
void hornet_render_msg(struct hornet_json *j, const struct hornet_render_ctx *ctx,
		       const struct hornet_event *ev);
void hornet_render_loader(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			  const struct hornet_event *ev);

/* Shared by the families: the process and parent of policy and network
 * events, and the node and time that close every line. */
void hornet_render_lineage_lean(struct hornet_json *j, const struct hornet_render_ctx *ctx,
				const struct hornet_event *ev);
void hornet_render_envelope(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			    uint64_t ktime);
/* The "ancestors" array (beyond the parent): the caller knows it is asked for. */
void hornet_render_ancestors(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			     struct hornet_process *p, enum hornet_proc_detail detail);

/* "O_RDONLY|O_CLOEXEC" */
void hornet_open_flags(uint32_t flags, char *out, size_t size);
/* "-rw-r--r--" */
void hornet_permission(uint32_t mode, char out[11]);
/* The kernel function a connection event is named after ("tcp_connect") */
const char *hornet_conn_function(uint16_t kind);
/* "KPROBE_ACTION_SIGKILL" for HORNET_A_SIGKILL, ... */
const char *hornet_kprobe_action_name(uint8_t action);
/* An address as text: dotted quad, or IPv6 for family AF_INET6 */
void hornet_addr_text(uint16_t family, const uint8_t *addr, char *out, size_t size);
/* "ip:port" of one end of a socket ("[ip]:port" for IPv6) */
void hornet_sock_endpoint(const struct hornet_sock_data *sd, bool dst, char *out, size_t size);

#endif
