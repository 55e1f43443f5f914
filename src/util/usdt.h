/* SPDX-License-Identifier: GPL-2.0 */
/*
 * USDT probes of an ELF file: the SystemTap notes (.note.stapsdt) that
 * sys/sdt.h's STAP_PROBE macros leave, each one probe site with its provider,
 * name, semaphore and argument specs. The file is untrusted input: every
 * offset and size is checked, and a malformed note is an error, never a crash.
 */
#ifndef HORNET_UTIL_USDT_H
#define HORNET_UTIL_USDT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <hornet/generic.h>

#define HORNET_USDT_MAX_ARGS 12 /* sys/sdt.h's STAP_PROBE12 */

/* One probe site: where the uprobe goes and how each argument is read. */
struct hornet_usdt_site {
	uint64_t offset; /* file offset of the probe's instruction */
	uint64_t ref_ctr; /* file offset of the semaphore; 0: none */
	unsigned int nr_args;
	struct hornet_usdt_arg args[HORNET_USDT_MAX_ARGS];
	/* why args[i] has kind HORNET_USDT_NONE ("" when it is readable) */
	char bad[HORNET_USDT_MAX_ARGS][48];
};

/*
 * The argument specs of a note ("-4@%edi 8@-8(%rbp) 4@$3"), for x86-64.
 * An argument hornet cannot read (a symbol-relative or indexed address)
 * gets kind HORNET_USDT_NONE with the reason in @bad; a malformed string
 * is an error. Returns 0 or -EINVAL (with @err), -EOPNOTSUPP on other
 * architectures.
 */
int hornet_usdt_parse_args(const char *spec, struct hornet_usdt_site *site, char *err,
			   size_t err_size);

/*
 * The sites of probe @provider:@name in the ELF image @img of @size bytes
 * (hornet_usdt_find_mem) or in the file @path: *@sites (free() it), *@nr.
 * No such probe: -ENOENT. Malformed input: -EINVAL. Both with @err.
 */
int hornet_usdt_find_mem(const void *img, size_t size, const char *provider, const char *name,
			 struct hornet_usdt_site **sites, size_t *nr, char *err, size_t err_size);
int hornet_usdt_find(const char *path, const char *provider, const char *name,
		     struct hornet_usdt_site **sites, size_t *nr, char *err, size_t err_size);

#endif
