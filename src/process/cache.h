/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space process cache: every process hornet has seen, by its key
 * (pid, ktime), which is also what its exec_id encodes. Entries link to
 * their parent with a reference, so a process's ancestry stays readable
 * while any descendant lives. The cache is bounded: exited processes are
 * kept for records still in flight, at most an eighth of the capacity (at
 * least 64), the
 * least recently used going first; past the capacity, the least recently
 * used live process goes. A dropped entry's memory goes when its last
 * reference (a child's parent link) does.
 */
#ifndef HORNET_PROCESS_CACHE_H
#define HORNET_PROCESS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hornet/events.h>

#include "process/cgroup.h"

struct hornet_proc_key {
	uint64_t ktime;
	uint32_t pid;
	uint32_t pad;
};

struct hornet_process {
	struct hornet_proc_key key;
	struct hornet_process *prev, *next; /* LRU list: live or exited */
	struct hornet_process *parent; /* a reference, or NULL if unknown */
	unsigned int refs;
	bool cached; /* still findable in the cache */
	bool exited;

	uint32_t pid;
	uint32_t tid;
	uint32_t ppid;
	uint32_t nspid; /* pid in its own pid namespace; 0: unknown */
	uint64_t ktime;
	uint64_t pktime;
	uint32_t flags; /* HORNET_PF_* */
	uint32_t privs; /* HORNET_PRIV_* */
	struct hornet_creds creds;
	uint32_t auid;
	struct hornet_caps caps;
	struct hornet_ns ns;
	uint64_t cgroup_id;
	uint64_t ino;
	uint32_t nlink;
	uint64_t start_ns; /* wall clock, ns since the epoch */
	/* interned strings (util/intern.h), NULL when unknown */
	const char *binary;
	const char *cwd;
	const char *args; /* the formatted "arguments" string */
	const char *cgroup;
	/* asked for by flags, NULL when off or unknown: the uid's name
	 * (--username-metadata), the environment as its JSON array
	 * (--enable-process-environment-variables), "sha256:<hex>" of the
	 * executed file (--enable-binary-hash, exec events only) */
	const char *user;
	const char *env;
	const char *hash;
	char *json; /* the rendered "process" object, made on first use */
	size_t json_len;
	char *json_lean; /* the same without cap, ns and credentials */
	size_t json_lean_len;
	/* a process in a container: the pod store's generation both were made
	 * at, and where in each its pod belongs while the store lacks it (0:
	 * nowhere) */
	uint64_t json_gen;
	size_t json_pod_off, json_lean_pod_off;
	size_t json_bp_off; /* where in json an exec's binary_properties go */
	enum hornet_runtime runtime;
	char container_id[HORNET_CONTAINER_ID_LEN + 1];
};

struct hornet_proc_cache;

struct hornet_proc_cache *hornet_proc_cache__new(size_t capacity);
void hornet_proc_cache__free(struct hornet_proc_cache *c);

/*
 * Raises the capacity to at least @n (never lowers it): the /proc scan
 * asks for room for twice the processes it found, so a host with more
 * running processes than the configured size keeps every one of them
 * (an evicted live process's exit would lack its parent).
 */
void hornet_proc_cache__reserve(struct hornet_proc_cache *c, size_t n);

/* A new, unlinked process with one reference (the caller's). */
struct hornet_process *hornet_process__new(void);
struct hornet_process *hornet_process__get(struct hornet_process *p);
void hornet_process__put(struct hornet_process *p);
/* Frees the rendered JSON kept with @p; the next event that names it renders it anew. */
void hornet_process__drop_json(struct hornet_process *p);

/* Finds a process and marks it recently used; the cache keeps the reference. */
struct hornet_process *hornet_proc_cache__lookup(struct hornet_proc_cache *c, uint32_t pid,
						 uint64_t ktime);

/*
 * Adds @p, taking over the caller's reference, and links it to its parent
 * (ppid, pktime) when that is cached. An entry with the same key is
 * replaced. Evicts as needed to stay within capacity.
 */
void hornet_proc_cache__insert(struct hornet_proc_cache *c, struct hornet_process *p);

/* The process has exited (or exec'd into a new entry): it becomes the first
 * choice for eviction. */
void hornet_proc_cache__exited(struct hornet_proc_cache *c, struct hornet_process *p);

struct hornet_proc_cache_stats {
	size_t size;
	size_t capacity;
	size_t live;
	uint64_t evictions;
	uint64_t live_evictions; /* evictions of processes that had not exited */
};

void hornet_proc_cache__stats(const struct hornet_proc_cache *c, struct hornet_proc_cache_stats *s);

#endif
