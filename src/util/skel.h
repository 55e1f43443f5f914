/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which build of a BPF object to open. The objects that call bpf_loop()
 * (Linux 5.17) are built twice (scripts/skel-bounded.sh); on a kernel without
 * the helper their skeleton opens the build with bounded loops.
 */
#ifndef HORNET_UTIL_SKEL_H
#define HORNET_UTIL_SKEL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when this kernel has no bpf_loop() (probed once, then remembered), or
 * when HORNET_BOUNDED_LOOPS=1 is in the environment, which tests use to run
 * the bounded build on a kernel that has the helper.
 */
bool hornet_skel_bounded(void);

/* The ELF bytes the skeleton should open: @main's or, per the above, @bounded's. */
const void *hornet_skel_elf(const void *(*main)(size_t *sz), const void *(*bounded)(size_t *sz),
			    size_t *sz);

#endif
