/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_PROBE_FEATURES_H
#define HORNET_PROBE_FEATURES_H

#include <stdbool.h>

/*
 * Kernel BPF features, detected by trying: each probe loads a trivial
 * program of that type, attaches it to a real hook and destroys it again
 * (nothing stays attached or loaded). Kernel version numbers are never
 * looked at, because distributions backport and configure features freely.
 */
enum hornet_feature {
	HORNET_FEAT_TP_BTF, /* tp_btf/sched_process_exec */
	HORNET_FEAT_RAW_TP, /* raw_tp/sched_process_exec */
	HORNET_FEAT_TRACEPOINT, /* tracepoint/syscalls/sys_enter_getpid (needs tracefs) */
	HORNET_FEAT_KPROBE, /* kprobe on do_unlinkat */
	HORNET_FEAT_KPROBE_MULTI, /* kprobe.multi on two syscall entries */
	HORNET_FEAT_FENTRY, /* fentry/do_unlinkat */
	HORNET_FEAT_FMOD_RET, /* fmod_ret on the getpgid syscall: syscall results can be overridden */
	HORNET_FEAT_LSM, /* lsm/file_open */
	HORNET_FEAT_UPROBE, /* uprobe on a function of this binary */
	HORNET_FEAT_RINGBUF, /* BPF_MAP_TYPE_RINGBUF */
	HORNET_FEAT_SEND_SIGNAL, /* bpf_send_signal() in a tracepoint program */
	HORNET_FEAT_CGROUP, /* cgroup/connect4 on a new cgroup v2 directory */
	HORNET_FEAT_BPF_LOOP, /* bpf_loop() in a raw tracepoint program */
	HORNET_FEAT_TRACING_COOKIE, /* bpf_get_socket_cookie() in a tp_btf program (5.12) */
	HORNET_FEAT_WRITE_USER, /* bpf_probe_write_user() in a kprobe program (not locked down) */
	HORNET_FEAT_COUNT
};

#define HORNET_FEAT_BIT(f) (1u << (f))
#define HORNET_FEAT_ALL ((1u << HORNET_FEAT_COUNT) - 1)

#define HORNET_FEAT_DETAIL_LEN 160

struct hornet_features {
	bool probed[HORNET_FEAT_COUNT];
	bool has[HORNET_FEAT_COUNT];
	/*
	 * Why a feature is missing: the step that failed and the error, plus a
	 * hint when the cause is known, e.g. "program load: Operation not
	 * permitted" or "kprobe PMU absent (CONFIG_KPROBES not set?)". Empty
	 * when the feature is there or was not probed.
	 */
	char detail[HORNET_FEAT_COUNT][HORNET_FEAT_DETAIL_LEN];
};

/*
 * The feature's short name: "tp_btf", "raw_tp", "tracepoint", "kprobe",
 * "kprobe_multi", "fentry", "fmod_ret", "lsm", "uprobe", "ringbuf",
 * "send_signal", "cgroup", "bpf_loop", "tracing_cookie", "write_user"; NULL
 * for a value out of range.
 */
const char *hornet_feature_name(enum hornet_feature f);

/*
 * Probes the features whose bit (HORNET_FEAT_BIT()) is set in mask and fills
 * in *f; the others are left unprobed. A missing feature is a result, not an
 * error: the function returns -errno only when probing itself could not be
 * done: -EINVAL for a NULL f or a mask with bits beyond HORNET_FEAT_ALL, or
 * the error of opening the embedded probe object (-ENOMEM, ...).
 *
 * A non-NULL stop is read before each probe: once it is nonzero the function
 * gives up and returns -ECANCELED, leaving *f partly filled in. Under QEMU TCG
 * the probes take seconds, and a stop asked for meanwhile must not wait them out.
 *
 * libbpf's own log output is silenced while probing and the previous print
 * function is restored afterwards; since that setting is global, call this
 * from one thread at a time. The tracepoint and uprobe probes run last, one
 * after the other. The tracepoint probe mounts tracefs at /sys/kernel/tracing
 * when it is not mounted yet, and leaves it mounted. Needs CAP_BPF,
 * CAP_PERFMON and CAP_SYS_ADMIN.
 */
int hornet_features_probe(struct hornet_features *f, unsigned int mask, const int *stop);

/*
 * Probes feature @x alone, later than the rest: one the agent tries only
 * when a policy needs it (write_user, whose probe makes the kernel log a
 * warning). As hornet_features_probe(), one thread at a time.
 */
void hornet_features_probe_one(struct hornet_features *f, enum hornet_feature x);

/* What hornet does without the feature, in a short sentence; NULL out of range. */
const char *hornet_feature_loss(enum hornet_feature f);

static inline bool hornet_has(const struct hornet_features *f, enum hornet_feature x)
{
	return f->has[x];
}

#endif
