// SPDX-License-Identifier: GPL-2.0
/*
 * hornet_tls_parse_client_hello() on any bytes: it returns 0, -EINVAL or
 * -ENODATA and leaves its strings terminated. Cutting a hello, as the
 * capture limit does, never turns it into a lie: a hello that parses or is
 * cut gives, cut shorter, -ENODATA until its SNI is known and 0 with the
 * same SNI from there on, and the same ALPN protocol or none.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/parse.h"

static void check_hello(const struct hornet_tls_hello *h, int ret)
{
	if (!memchr(h->sni, '\0', sizeof(h->sni)) || !memchr(h->alpn, '\0', sizeof(h->alpn)))
		abort();
	if (ret && ret != -EINVAL && ret != -ENODATA)
		abort();
}

static struct hornet_tls_hello full, part;

struct cuts {
	int full_ret;
	bool seen_ok;
};

static void check_cut(void *ctx, const uint8_t *p, size_t n)
{
	struct cuts *c = ctx;
	int ret = hornet_tls_parse_client_hello(p, n, &part);

	check_hello(&part, ret);
	if (ret == -ENODATA) {
		if (c->seen_ok)
			abort(); /* a shorter cut knew the SNI */
		return;
	}
	if (ret || c->full_ret)
		abort();
	c->seen_ok = true;
	if (part.version != full.version || strcmp(part.sni, full.sni))
		abort();
	if (part.alpn[0] && strcmp(part.alpn, full.alpn))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cuts c = { 0 };

	c.full_ret = hornet_tls_parse_client_hello(data, size, &full);
	check_hello(&full, c.full_ret);
	if (c.full_ret != -EINVAL)
		fuzz_each_cut(data, size, check_cut, &c);
	return 0;
}
