/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process lifecycle sensor (bpf/exec.bpf.c): loads and attaches the
 * exec/fork/exit programs with the best tracepoint flavor the kernel has,
 * keeps the process table (one of the agent's shared maps) current, turns
 * its ring-buffer records into process cache entries and typed process_exec
 * / process_exit events (export/types.h), and seeds the table from /proc.
 */
#ifndef HORNET_SENSORS_EXEC_H
#define HORNET_SENSORS_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/events.h>

#include "export/event.h"
#include "probe/features.h"
#include "process/binhash.h"
#include "process/cache.h"
#include "process/redact.h"
#include "process/userdb.h"
#include "sensors/shared.h"

enum hornet_event_type {
	HORNET_EVENT_EXEC,
	HORNET_EVENT_EXIT,
	HORNET_EVENT_TYPES,
};

extern const char *const hornet_event_type_names[HORNET_EVENT_TYPES];

struct hornet_exec_sensor;

/* Where the sensor reads the credentials a process had before exec
 * (--exec-creds-hook). */
enum hornet_creds_hook {
	HORNET_CREDS_AUTO,
	HORNET_CREDS_LSM,
	HORNET_CREDS_FENTRY,
	HORNET_CREDS_KPROBE,
	HORNET_CREDS_NONE,
};

struct hornet_exec_sensor_opts {
	const struct hornet_shared_maps *maps; /* the agent's */
	enum hornet_creds_hook creds_hook;
	struct hornet_proc_cache *cache;
	const struct hornet_render_ctx *render;
	/* each decoded event; returns 0 or -errno (-ENOMEM: not rendered) */
	int (*emit)(void *ctx, const struct hornet_event *ev);
	void *emit_ctx;
	/* --redaction-filters, applied to each process's arguments once; NULL: none */
	struct hornet_redact *redact;
	/* what process objects carry beyond the defaults, each NULL or false when off:
	 * user names (--username-metadata unix), the environment and the names
	 * kept of it (--enable-process-environment-variables,
	 * --filter-environment-variables), binary hashes (--enable-binary-hash) */
	struct hornet_userdb *userdb;
	bool env;
	char *const *env_keep;
	struct hornet_binhash *binhash;
	/* when set and nonzero, the /proc scan ends early with -ECANCELED (a stop) */
	const int *stop;
	/* hornet_exec_prep__start()'s, or NULL: hornet_exec_sensor__new() takes it */
	struct hornet_exec_prep *prep;
	/* --keep-enforcement: the sensor's links are pinned here, so that the
	 * process table stays current for the pinned policy programs; NULL: none */
	const char *pin_dir;
	/* the process table an earlier agent left pinned, or 0 (none): the /proc
	 * scan takes the exec times it kept, so exec_ids survive a restart */
	int old_procs;
};

/*
 * Opens the sensor's object and has libbpf parse the kernel's BTF for it, on
 * a thread of its own, so that the parse (12 ms here, seconds under TCG)
 * runs beside the caller's feature probes: libbpf 1.1 parses the whole BTF
 * for each object with BTF tracepoints and cannot be handed a parsed copy.
 * NULL when the thread cannot start (the sensor then opens its own).
 */
struct hornet_exec_prep *hornet_exec_prep__start(void);
/* Gives up a preparation not given to the sensor, without waiting for its parse. */
void hornet_exec_prep__free(struct hornet_exec_prep *p);

/* Opens, loads and attaches. Returns NULL with errno set; logs why. */
struct hornet_exec_sensor *hornet_exec_sensor__new(const struct hornet_features *features,
						   const struct hornet_exec_sensor_opts *opts);
void hornet_exec_sensor__free(struct hornet_exec_sensor *s);

/* "tp_btf" or "raw_tp": how the lifecycle tracepoints are attached */
const char *hornet_exec_sensor__mechanism(const struct hornet_exec_sensor *s);
/* "lsm", "fentry", "kprobe" or "none": the bprm_committing_creds hook */
const char *hornet_exec_sensor__creds_mechanism(const struct hornet_exec_sensor *s);

/*
 * Handles one ring-buffer record of this sensor. Returns 0, or -EINVAL for
 * a record that fails validation (counted by the caller).
 */
int hornet_exec_sensor__handle(struct hornet_exec_sensor *s, const void *data, size_t size);

/*
 * Emits a procFS process_exec for every process in @proc_root, parents
 * before children, and puts each in the kernel's process table (unless the
 * kernel already has it). Returns the number of processes or -errno.
 */
long hornet_exec_sensor__scan(struct hornet_exec_sensor *s, const char *proc_root);

#endif
