// SPDX-License-Identifier: GPL-2.0
/*
 * process_loader events from perf's PERF_RECORD_MMAP2 records (see
 * sensors/loader.h). A dummy software event with attr.mmap (and without
 * mmap_data) reports executable file mappings only, system-wide on its
 * CPU; attr.build_id (Linux 5.12) has the record carry the file's build id
 * instead of its device and inode. libbpf's raw perf buffer opens one per
 * CPU and reads their rings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <hornet/events.h>

#include "sensors/loader.h"

#define PAGES_PER_CPU 16 /* 64 KiB: an exec maps a handful of files */

struct hornet_loader_sensor {
	struct hornet_loader_opts opts;
	int map_fd;
	struct perf_buffer *pb;
	uint32_t self;
	uint64_t lost, bad;
};

/* struct perf_record_mmap2 of the kernel's uapi, in its two forms */
struct mmap2_head {
	struct perf_event_header header;
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	union {
		struct {
			uint32_t maj, min;
			uint64_t ino, ino_generation;
		};
		struct {
			uint8_t build_id_size;
			uint8_t reserved1;
			uint16_t reserved2;
			uint8_t build_id[20];
		};
	};
	uint32_t prot, flags;
	char filename[];
};

int hornet_loader_decode(const void *rec, size_t size, struct hornet_loader_record *out)
{
	const struct mmap2_head *m = rec;
	const char *end;

	if (size < sizeof(struct perf_event_header))
		return -EINVAL;
	if (m->header.type != PERF_RECORD_MMAP2)
		return -ENOENT;
	/* the header's size is the record's; then sample_id: the time (8 bytes) */
	if (m->header.size != size || size < sizeof(*m) + 8)
		return -EINVAL;
	end = (const char *)rec + size - 8;
	if (!memchr(m->filename, '\0', end - m->filename))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->pid = m->pid;
	out->tid = m->tid;
	memcpy(&out->ktime, end, 8);
	out->path = m->filename;
	if (m->header.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
		out->build_id_size = m->build_id_size < sizeof(out->build_id)
					     ? m->build_id_size
					     : sizeof(out->build_id);
		memcpy(out->build_id, m->build_id, out->build_id_size);
	}
	return 0;
}

/* The process of @pid as the cache has it, or a stand-in with the pid only. */
static struct hornet_process *owner(struct hornet_loader_sensor *s, uint32_t pid,
				    struct hornet_process **tmp)
{
	struct hornet_proc proc;
	struct hornet_process *p = NULL;

	*tmp = NULL;
	if (!bpf_map_lookup_elem(s->opts.maps->procs, &pid, &proc))
		p = hornet_proc_cache__lookup(s->opts.cache, pid, proc.ktime);
	if (p)
		return p;
	*tmp = hornet_process__new();
	if (!*tmp)
		return NULL;
	(*tmp)->pid = (*tmp)->tid = pid;
	(*tmp)->flags = HORNET_PF_NO_PARENT;
	(*tmp)->auid = (uint32_t)-1;
	return *tmp;
}

static enum bpf_perf_event_ret on_record(void *ctx, int cpu, struct perf_event_header *h)
{
	struct hornet_loader_sensor *s = ctx;
	struct hornet_loader_record r;
	struct hornet_event ev = { .kind = HORNET_EV_LOADER };
	struct hornet_process *tmp;
	int ret;

	if (h->type == PERF_RECORD_LOST) {
		s->lost++;
		return LIBBPF_PERF_EVENT_CONT;
	}
	ret = hornet_loader_decode(h, h->size, &r);
	if (ret) {
		s->bad += ret == -EINVAL;
		return LIBBPF_PERF_EVENT_CONT;
	}
	/* files only (not "//anon" JIT code), and not the agent's own */
	if (r.path[0] != '/' || r.pid == s->self)
		return LIBBPF_PERF_EVENT_CONT;
	ev.ktime = r.ktime;
	ev.loader.path = r.path;
	ev.loader.build_id_size = r.build_id_size;
	memcpy(ev.loader.build_id, r.build_id, sizeof(r.build_id));
	ev.process = owner(s, r.pid, &tmp);
	if (ev.process)
		s->opts.emit(s->opts.ctx, &ev);
	hornet_process__put(tmp);
	return LIBBPF_PERF_EVENT_CONT;
}

static struct perf_buffer *open_buffers(struct hornet_loader_sensor *s, bool build_id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_DUMMY,
		.sample_type = PERF_SAMPLE_TIME,
		.sample_id_all = 1,
		.mmap = 1,
		.mmap2 = 1,
		.build_id = build_id,
		.use_clockid = 1,
		.clockid = CLOCK_MONOTONIC,
		.wakeup_events = 1,
	};

	return perf_buffer__new_raw(s->map_fd, PAGES_PER_CPU, &attr, on_record, s, NULL);
}

struct hornet_loader_sensor *hornet_loader_sensor__new(const struct hornet_loader_opts *opts,
						       char *err, size_t err_size)
{
	struct hornet_loader_sensor *s = calloc(1, sizeof(*s));
	int ncpu = libbpf_num_possible_cpus(), e;

	if (!s)
		return NULL;
	s->opts = *opts;
	s->self = getpid();
	s->map_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "hornet_loader", sizeof(int),
				   sizeof(int), ncpu > 0 ? ncpu : 1, NULL);
	if (s->map_fd < 0) {
		e = errno;
		snprintf(err, err_size, "perf event array: %s", strerror(e));
		free(s);
		errno = e;
		return NULL;
	}
	s->pb = open_buffers(s, true);
	/* before Linux 5.12, no build ids: the records carry the inode */
	if (!s->pb && errno == EINVAL)
		s->pb = open_buffers(s, false);
	if (!s->pb) {
		e = errno;
		snprintf(err, err_size, "perf mmap events: %s", strerror(e));
		hornet_loader_sensor__free(s);
		errno = e;
		return NULL;
	}
	return s;
}

void hornet_loader_sensor__free(struct hornet_loader_sensor *s)
{
	if (!s)
		return;
	perf_buffer__free(s->pb);
	if (s->map_fd >= 0)
		close(s->map_fd);
	free(s);
}

int hornet_loader_sensor__fd(const struct hornet_loader_sensor *s)
{
	return perf_buffer__epoll_fd(s->pb);
}

void hornet_loader_sensor__drain(struct hornet_loader_sensor *s)
{
	perf_buffer__consume(s->pb);
}

uint64_t hornet_loader_sensor__lost(const struct hornet_loader_sensor *s)
{
	return s ? s->lost + s->bad : 0;
}
