/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the kernel's small enums as policies write them and events
 * show them: capabilities, IP protocols, address families, TCP states,
 * socket types, file types, namespaces, BPF program types and commands. One table
 * per enum, read in both directions; the policy parser, the compiler, the
 * renderers and the CLI all ask here, so a name known to one is known to
 * all.
 *
 * Spelling rule, for every table: a name matches whatever its case, and
 * blanks around it are ignored ("cap_sys_admin ", "ipproto_tcp" and
 * "IPPROTO_TCP" are one name); the prefix is part of the name (CAP_,
 * IPPROTO_, AF_, TCP_, SOCK_, BPF_PROG_TYPE_), as in Tetragon, which
 * accepts "IPPROTO_TCP" but not "TCP". File types have no prefix and take
 * Tetragon's short names and their aliases ("reg" or "regular", "lnk" or
 * "link"). Printing gives the canonical name: the kernel's spelling
 * ("CAP_SYS_ADMIN", "AF_INET6"), the first name of a file type, the
 * policy's spelling of a namespace ("PidForChildren") or the kernel's
 * ("pid_for_children"). Numbers are not
 * names: callers that also take a number parse it themselves and check
 * it against hornet_vocab_max().
 *
 * Depends on libc only.
 */
#ifndef HORNET_VOCAB_VOCAB_H
#define HORNET_VOCAB_VOCAB_H

#include <stddef.h>
#include <stdint.h>

enum hornet_vocab {
	HORNET_VOCAB_CAP, /* capability bits: CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40) */
	HORNET_VOCAB_PROTOCOL, /* IPPROTO_*: sk_protocol */
	HORNET_VOCAB_FAMILY, /* AF_*: sk_family, sa_family */
	HORNET_VOCAB_TCP_STATE, /* TCP_*: sk_state (include/net/tcp_states.h) */
	HORNET_VOCAB_SOCK_TYPE, /* SOCK_*: sk_type */
	HORNET_VOCAB_FILE_TYPE, /* S_IFMT bits of i_mode, by Tetragon's FileType names */
	HORNET_VOCAB_NAMESPACE, /* matchNamespaces names: enum hornet_ns_index order */
	HORNET_VOCAB_NS_PROC, /* the same as /proc/PID/ns and events' "ns" keys name them */
	HORNET_VOCAB_BPF_PROG_TYPE, /* BPF_PROG_TYPE_*: enum bpf_prog_type */
	HORNET_VOCAB_BPF_CMD, /* BPF_*: enum bpf_cmd, the bpf(2) commands */
	HORNET_VOCAB_COUNT,
};

/* The value of @name in table @v (see the spelling rule above): 0, or -ENOENT. */
int hornet_vocab_value(enum hornet_vocab v, const char *name, int64_t *value);

/* The canonical name of @value in table @v, or NULL when it has none. */
const char *hornet_vocab_name(enum hornet_vocab v, int64_t value);

/* What the table names, for messages: "capability", "protocol", "address family", ... */
const char *hornet_vocab_what(enum hornet_vocab v);

/* The largest number a value of @v may be when given as a number. */
uint64_t hornet_vocab_max(enum hornet_vocab v);

/*
 * Every spelling of table @v (canonical names and aliases, most common
 * first) into @out, at most @max - 1 of them and a NULL after them, for
 * hornet_suggest() and "valid: ..." lists. Returns how many.
 */
size_t hornet_vocab_names(enum hornet_vocab v, const char **out, size_t max);

static inline const char *hornet_cap_name(unsigned int bit)
{
	return hornet_vocab_name(HORNET_VOCAB_CAP, bit);
}

static inline const char *hornet_protocol_name(unsigned int v)
{
	return hornet_vocab_name(HORNET_VOCAB_PROTOCOL, v);
}

static inline const char *hornet_family_name(unsigned int v)
{
	return hornet_vocab_name(HORNET_VOCAB_FAMILY, v);
}

static inline const char *hornet_tcp_state_name(unsigned int v)
{
	return hornet_vocab_name(HORNET_VOCAB_TCP_STATE, v);
}

#endif
