/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader sensor: process_loader events, one for each file a process
 * maps executable (the binary, the dynamic loader, each shared library),
 * as Tetragon's spec.loader. The kernel reports such mappings as perf
 * PERF_RECORD_MMAP2 records, with the file's build id where it has one
 * (Linux 5.12), on a dummy software event per CPU: no kprobe, so it works
 * on every kernel hornet runs on. Running only while a policy asks for it.
 */
#ifndef HORNET_SENSORS_LOADER_H
#define HORNET_SENSORS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "export/types.h"
#include "process/cache.h"
#include "sensors/shared.h"

struct hornet_loader_sensor;

struct hornet_loader_opts {
	const struct hornet_shared_maps *maps; /* the agent's: the process table */
	struct hornet_proc_cache *cache;
	/* each decoded event; returns 0 or -errno */
	int (*emit)(void *ctx, const struct hornet_event *ev);
	void *ctx;
};

/* Opens the per-CPU perf events; NULL with errno set, and the reason in @err. */
struct hornet_loader_sensor *hornet_loader_sensor__new(const struct hornet_loader_opts *opts,
						       char *err, size_t err_size);
void hornet_loader_sensor__free(struct hornet_loader_sensor *s);

/* The fd to poll (an epoll fd over every CPU's buffer). */
int hornet_loader_sensor__fd(const struct hornet_loader_sensor *s);

/* Reads what the buffers hold and emits it. */
void hornet_loader_sensor__drain(struct hornet_loader_sensor *s);

/* Records lost by the kernel (a full buffer) and records that failed validation. */
uint64_t hornet_loader_sensor__lost(const struct hornet_loader_sensor *s);

/* One PERF_RECORD_MMAP2 record, validated. */
struct hornet_loader_record {
	uint32_t pid, tid;
	uint64_t ktime; /* CLOCK_MONOTONIC, as the BPF side's */
	const char *path; /* in the record, NUL-terminated */
	uint8_t build_id[20];
	uint8_t build_id_size;
};

/*
 * Decodes a perf record of @size bytes (with sample_id_all and
 * PERF_SAMPLE_TIME). 0 and @out for an MMAP2 record, -ENOENT for another
 * kind, -EINVAL when malformed.
 */
int hornet_loader_decode(const void *rec, size_t size, struct hornet_loader_record *out);

#endif
