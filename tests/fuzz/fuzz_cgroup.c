// SPDX-License-Identifier: GPL-2.0
/*
 * Container id and pod uid extraction on arbitrary bytes. The path is not
 * NUL-terminated (libFuzzer's buffer is exactly @size bytes), and whatever
 * is found must be well-formed and come from the input.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "process/cgroup.h"

static int lower_hex_len(const char *s)
{
	int n = 0;

	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = (const char *)data;
	char id[HORNET_CONTAINER_ID_LEN + 1];
	char uid[37];
	enum hornet_runtime rt;
	size_t n;
	int err;

	rt = hornet_container_id(path, size, id);
	if (rt == HORNET_RUNTIME_NONE) {
		if (id[0] != '\0')
			abort();
	} else {
		if (rt > HORNET_RUNTIME_UNKNOWN || !*hornet_runtime_name(rt))
			abort();
		if (lower_hex_len(id) != HORNET_CONTAINER_ID_LEN || id[HORNET_CONTAINER_ID_LEN])
			abort();
		if (!memmem(path, size, id, HORNET_CONTAINER_ID_LEN))
			abort();
	}

	err = hornet_pod_uid(path, size, uid);
	if (err == 0) {
		n = strlen(uid);
		if (n == 32) {
			if (lower_hex_len(uid) != 32)
				abort();
		} else if (n == 36) {
			if (uid[8] != '-' || uid[13] != '-' || uid[18] != '-' || uid[23] != '-')
				abort();
		} else {
			abort();
		}
	} else if (err != -ENOENT || uid[0] != '\0') {
		abort();
	}
	return 0;
}
