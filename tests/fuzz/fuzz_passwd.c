// SPDX-License-Identifier: GPL-2.0
/*
 * hornet_passwd_lookup() on any /etc/passwd content a container may hold:
 * a name it gives is printable, without ':', shorter than the limit, and
 * starts a line of the input that names that uid; a copy of the input of its
 * exact length makes ASan catch a read past its end. Also the environment's
 * JSON (export/environ.h) of the same bytes as a NUL-separated block.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/environ.h"
#include "process/userdb.h"

static void check_uid(const char *buf, size_t len, uint32_t uid)
{
	const char *at = buf, *end = buf + len, *nl;
	char name[HORNET_USER_NAME_MAX];
	size_t n, i;

	if (hornet_passwd_lookup(buf, len, uid, name))
		return;
	n = strlen(name);
	if (!n || n >= HORNET_USER_NAME_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f || name[i] == ':')
			abort();
	/* "name:" at the start of a line of the input */
	for (;;) {
		if ((size_t)(end - at) > n && !memcmp(at, name, n) && at[n] == ':')
			return;
		nl = memchr(at, '\n', end - at);
		if (!nl)
			abort();
		at = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), *json;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	check_uid(copy, size, 0);
	check_uid(copy, size, 1);
	check_uid(copy, size, 65534);
	check_uid(copy, size, size ? copy[0] : 0);
	json = hornet_environ_json(copy, size, size & 1, NULL, NULL, "/bin/x");
	if (!json || json[0] != '[')
		abort();
	free(json);
	free(copy);
	return 0;
}
