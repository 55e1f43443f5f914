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
 * union they point to as a forward declaration (generic_btf.c says why
 * that is enough for a relocation). Returns the memory file's descriptor (its /proc/self/fd path goes
 * to bpf_object_open_opts.btf_custom_path), or -errno.
 */
int hornet_gen_core_btf(const struct btf *vmlinux, const struct btf *local);

#define HORNET_KERNEL_BTF "/sys/kernel/btf/vmlinux"

/*
 * A stand-in for the kernel's BTF @vmlinux, for libbpf's lookup of the
 * targets of programs attached by BTF id (generic_btf.c says what it keeps):
 * the descriptor of an unlinked file holding it, or -errno.
 */
int hornet_gen_standin_btf(const struct btf *vmlinux);
/*
 * Mounts the stand-in @fd over HORNET_KERNEL_BTF for the calling thread
 * only (in a mount namespace of its own, made at its first call, which
 * receives the host's mounts and sends none): 0, or -errno and nothing
 * mounted. hornet_gen_standin_leave() unmounts it. For a lookup of @name
 * alone (with libbpf's prefix: "bpf_lsm_" for LSM programs, "btf_trace_"
 * for BTF tracepoints), the stand-in cut after @name's id, with no other
 * name; the whole stand-in when @name is NULL or not in it.
 */
int hornet_gen_standin_enter_for(int fd, const char *name);
void hornet_gen_standin_leave(void);

#endif /* HORNET_SENSORS_GENERIC_BTF_H */
