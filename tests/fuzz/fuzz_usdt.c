// SPDX-License-Identifier: GPL-2.0
/*
 * The USDT note reader (util/usdt.c) on arbitrary bytes: an input starting
 * with "\x7fELF" is an ELF image whose probe hornet:tick is looked up, any
 * other is a note's argument specs. Either gives sites or an error with a
 * message, never a crash or a read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/usdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hornet_usdt_site *sites = NULL, site;
	char err[256], *s;
	size_t nr = 0, i;
	int ret;

	err[0] = '\0';
	if (size >= 4 && !memcmp(data,
				 "\x7f"
				 "ELF",
				 4)) {
		ret = hornet_usdt_find_mem(data, size, "hornet", "tick", &sites, &nr, err,
					   sizeof(err));
		if (ret && !err[0])
			abort();
		for (i = 0; i < nr; i++)
			if (sites[i].nr_args > HORNET_USDT_MAX_ARGS)
				abort();
		free(sites);
		return 0;
	}
	s = strndup((const char *)data, size);
	if (!s)
		return 0;
	ret = hornet_usdt_parse_args(s, &site, err, sizeof(err));
	if (ret && !err[0])
		abort();
	if (!ret && site.nr_args > HORNET_USDT_MAX_ARGS)
		abort();
	free(s);
	return 0;
}
