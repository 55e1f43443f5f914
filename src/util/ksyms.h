/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols for stack traces: kernel addresses through /proc/kallsyms (read
 * on first use: only policies that ask for stack traces pay for it), user
 * addresses as the mapped file and the offset in it, through
 * /proc/PID/maps.
 */
#ifndef HORNET_UTIL_KSYMS_H
#define HORNET_UTIL_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hornet_ksyms;

struct hornet_ksyms *hornet_ksyms__load(void);
void hornet_ksyms__free(struct hornet_ksyms *k);
/* The symbol containing @addr and the offset into it, or NULL. */
const char *hornet_ksyms__find(const struct hornet_ksyms *k, uint64_t addr, uint64_t *offset);

/* The file mapped at @addr in process @pid and the offset in it; -ENOENT if none. */
int hornet_user_addr(pid_t pid, uint64_t addr, char *module, size_t size, uint64_t *offset);

#endif
