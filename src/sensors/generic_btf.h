/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's BTF cut down to what the generic object's CO-RE relocations
 * can ask for, so that loading an instance does not parse the whole of
 * /sys/kernel/btf/vmlinux again (libbpf 1.1 parses it once per object, and
 * shares nothing between objects).
 */
#ifndef HORNET_SENSORS_GENERIC_BTF_H
#define HORNET_SENSORS_GENERIC_BTF_H

struct btf;

/*
 * Writes into a memory file the types of the kernel's BTF @vmlinux whose
 * names the object's BTF @local uses (a CO-RE flavour's "___suffix" left
 * out), whole, with what they contain, and every other named struct or
 * union they refer to as a forward declaration: a relocation only follows
 * members the program reads, and the program's BTF names each of their
 * types. Returns the memory file's descriptor (its /proc/self/fd path goes
 * to bpf_object_open_opts.btf_custom_path), or -errno.
 */
int hornet_gen_core_btf(const struct btf *vmlinux, const struct btf *local);

#endif /* HORNET_SENSORS_GENERIC_BTF_H */
