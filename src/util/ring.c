// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "util/ring.h"

struct hornet_ring {
	unsigned long *consumer; /* the consumer page: the reader's position */
	const unsigned long *producer; /* the producer page, then the data twice */
	const uint8_t *data;
	uint64_t mask; /* data bytes - 1 */
	size_t page;
	unsigned long pos; /* the reader's position, as written to *consumer */
	uint32_t step; /* bytes of the peeked record, header and padding included */
};

struct hornet_ring *hornet_ring__new(int map_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct hornet_ring *r;
	void *p;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return NULL;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->page = sysconf(_SC_PAGESIZE);
	r->mask = info.max_entries - 1;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		goto err;
	r->consumer = p;
	/* the kernel maps the data pages twice after the producer page */
	p = mmap(NULL, r->page + 2 * (size_t)info.max_entries, PROT_READ, MAP_SHARED, map_fd,
		 r->page);
	if (p == MAP_FAILED)
		goto err;
	r->producer = p;
	r->data = (const uint8_t *)p + r->page;
	r->pos = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	return r;
err:
	hornet_ring__free(r);
	return NULL;
}

void hornet_ring__free(struct hornet_ring *r)
{
	int saved = errno;

	if (!r)
		return;
	if (r->consumer)
		munmap(r->consumer, r->page);
	if (r->producer)
		munmap((void *)r->producer, r->page + 2 * (r->mask + 1));
	free(r);
	errno = saved;
}

const void *hornet_ring__peek(struct hornet_ring *r, uint32_t *size)
{
	for (;;) {
		unsigned long end = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		const uint32_t *hdr;
		uint32_t len;

		if (r->pos >= end)
			return NULL;
		hdr = (const uint32_t *)(r->data + (r->pos & r->mask));
		len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			return NULL;
		r->step = (len & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ;
		r->step = (r->step + 7) & ~7U;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			*size = len;
			return (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ;
		}
		hornet_ring__next(r);
	}
}

void hornet_ring__next(struct hornet_ring *r)
{
	r->pos += r->step;
	r->step = 0;
	/* the record's bytes are read: the kernel may write over them now */
	__atomic_store_n(r->consumer, r->pos, __ATOMIC_RELEASE);
}
