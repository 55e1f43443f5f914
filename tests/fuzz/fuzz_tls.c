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

#include "net/parse.h"

static void check_hello(const struct hornet_tls_hello *h, int ret)
{
	if (!memchr(h->sni, '\0', sizeof(h->sni)) || !memchr(h->alpn, '\0', sizeof(h->alpn)))
		abort();
	if (ret && ret != -EINVAL && ret != -ENODATA)
		abort();
}

static struct hornet_tls_hello full, part;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut, step;
	bool seen_ok = false;
	int full_ret, ret;

	full_ret = hornet_tls_parse_client_hello(data, size, &full);
	check_hello(&full, full_ret);
	if (full_ret == -EINVAL)
		return 0;

	step = size <= 96 ? 1 : size / 24;
	for (cut = 0; cut < size; cut += step) {
		uint8_t *copy = malloc(cut ? cut : 1);

		if (!copy)
			return 0;
		memcpy(copy, data, cut);
		ret = hornet_tls_parse_client_hello(copy, cut, &part);
		free(copy);
		check_hello(&part, ret);
		if (ret == -ENODATA) {
			if (seen_ok)
				abort(); /* a shorter cut knew the SNI */
			continue;
		}
		if (ret || full_ret)
			abort();
		seen_ok = true;
		if (part.version != full.version || strcmp(part.sni, full.sni))
			abort();
		if (part.alpn[0] && strcmp(part.alpn, full.alpn))
			abort();
	}
	return 0;
}
