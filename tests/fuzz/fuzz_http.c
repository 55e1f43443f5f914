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

#include "fuzz.h"
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

static void check_cut(void *ctx, const uint8_t *p, size_t n)
{
	int ret = hornet_http_parse(p, n, &part);

	check_req(&part, ret);
	if (ret == -ENODATA && n <= strlen(full.method))
		return;
	if (ret)
		abort();
	if (strcmp(part.method, full.method) || !starts(full.target, part.target) ||
	    !starts(full.version, part.version) || !starts(full.host, part.host))
		abort();
	if (!part.truncated &&
	    (full.truncated || strcmp(part.target, full.target) || strcmp(part.host, full.host)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret;

	ret = hornet_http_parse(data, size, &full);
	check_req(&full, ret);
	if (!ret)
		fuzz_each_cut(data, size, check_cut, NULL);
	return 0;
}
