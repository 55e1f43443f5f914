// SPDX-License-Identifier: GPL-2.0
/*
 * The loader sensor's record decoder (sensors/loader.c): a perf
 * PERF_RECORD_MMAP2 record with a build id and a time, and records that
 * lie about their size or lack the path's NUL, which must be refused.
 */
#include <errno.h>
#include <stdint.h>
#include <linux/perf_event.h>

#include "unit.h"
#include "sensors/loader.h"

/* header, pid, tid, addr, len, pgoff, build id part, prot, flags, name, time */
static size_t record(uint8_t *buf, const char *name, uint16_t misc)
{
	struct perf_event_header h = { .type = PERF_RECORD_MMAP2, .misc = misc };
	uint32_t pid = 42, tid = 43, prot = 5, flags = 2;
	uint64_t zero = 0, time = 123456789;
	size_t off = sizeof(h), n = strlen(name) + 1;

	n = (n + 7) & ~(size_t)7;
	memcpy(buf + off, &pid, 4);
	memcpy(buf + off + 4, &tid, 4);
	off += 8;
	memcpy(buf + off, &zero, 8);
	memcpy(buf + off + 8, &zero, 8);
	memcpy(buf + off + 16, &zero, 8);
	off += 24;
	memset(buf + off, 0, 24);
	buf[off] = 20; /* build id size */
	memset(buf + off + 4, 0xab, 20);
	off += 24;
	memcpy(buf + off, &prot, 4);
	memcpy(buf + off + 4, &flags, 4);
	off += 8;
	memset(buf + off, 0, n);
	memcpy(buf + off, name, strlen(name));
	off += n;
	memcpy(buf + off, &time, 8);
	off += 8;
	h.size = off;
	memcpy(buf, &h, sizeof(h));
	return off;
}

int main(void)
{
	struct hornet_loader_record r;
	uint8_t buf[256];
	size_t n;

	UNIT_CASE("loader_mmap2_record_with_build_id")
	{
		n = record(buf, "/usr/lib/libc.so.6", PERF_RECORD_MISC_MMAP_BUILD_ID);
		CHECK_INT(hornet_loader_decode(buf, n, &r), 0);
		CHECK_INT(r.pid, 42);
		CHECK_INT(r.tid, 43);
		CHECK_INT(r.ktime, 123456789);
		CHECK_STR(r.path, "/usr/lib/libc.so.6");
		CHECK_INT(r.build_id_size, 20);
		CHECK_INT(r.build_id[19], 0xab);
		n = record(buf, "/bin/x", 0); /* device and inode instead */
		CHECK_INT(hornet_loader_decode(buf, n, &r), 0);
		CHECK_INT(r.build_id_size, 0);
	}
	UNIT_CASE("loader_malformed_records_are_refused")
	{
		n = record(buf, "/bin/x", 0);
		CHECK_INT(hornet_loader_decode(buf, n - 1, &r), -EINVAL); /* size disagrees */
		CHECK_INT(hornet_loader_decode(buf, 4, &r), -EINVAL);
		memset(buf + n - 16, 'x', 8); /* the path's NUL gone */
		CHECK_INT(hornet_loader_decode(buf, n, &r), -EINVAL);
		((struct perf_event_header *)buf)->type = PERF_RECORD_COMM;
		CHECK_INT(hornet_loader_decode(buf, n, &r), -ENOENT);
	}
	UNIT_EXIT();
}
