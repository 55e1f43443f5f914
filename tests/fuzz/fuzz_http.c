// SPDX-License-Identifier: GPL-2.0
/*
 * hornet_http_parse() on any bytes: it returns 0, -EINVAL or -ENODATA,
 * leaves its strings terminated, and what it accepts has a known method, a
 * version that follows "HTTP/d.d" as far as it goes, and no CR or LF in the
 * target or Host. Cutting a request that parses, as the capture limit does,
 * gives -ENODATA before the method's space and from there on the same
 * method with a prefix of the target, version and Host, and truncated set.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/parse.h"

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
};

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void check_req(const struct hornet_http_req *r, int ret)
{
	static const char pattern[] = "HTTP/0.0";
	size_t i;
	bool known = false;

	if (!terminated(r->method, sizeof(r->method)) ||
	    !terminated(r->target, sizeof(r->target)) ||
	    !terminated(r->version, sizeof(r->version)) || !terminated(r->host, sizeof(r->host)))
		abort();
	if (ret && ret != -EINVAL && ret != -ENODATA)
		abort();
	if (ret)
		return;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		known |= !strcmp(r->method, methods[i]);
	if (!known)
		abort();
	if (strpbrk(r->target, "\r\n") || strpbrk(r->host, "\r\n"))
		abort();
	for (i = 0; r->version[i]; i++) {
		if (i >= 8 || (pattern[i] == '0' ? r->version[i] < '0' || r->version[i] > '9'
						 : r->version[i] != pattern[i]))
			abort();
	}
	if (!r->truncated && (!r->version[0] || !r->version[7]))
		abort(); /* a whole request line has a whole version */
}

static struct hornet_http_req full, part;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut, step;
	int ret;

	ret = hornet_http_parse(data, size, &full);
	check_req(&full, ret);
	if (ret)
		return 0;

	step = size <= 96 ? 1 : size / 24;
	for (cut = 0; cut < size; cut += step) {
		uint8_t *copy = malloc(cut ? cut : 1);

		if (!copy)
			return 0;
		memcpy(copy, data, cut);
		ret = hornet_http_parse(copy, cut, &part);
		free(copy);
		check_req(&part, ret);
		if (ret == -ENODATA && cut <= strlen(full.method))
			continue;
		if (ret)
			abort();
		if (strcmp(part.method, full.method) || !starts(full.target, part.target) ||
		    !starts(full.version, part.version) || !starts(full.host, part.host))
			abort();
		if (!part.truncated && (full.truncated || strcmp(part.target, full.target) ||
					strcmp(part.host, full.host)))
			abort();
	}
	return 0;
}
