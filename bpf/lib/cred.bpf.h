/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's credentials, the one reader of struct cred for every sensor:
 *  hornet_read_ids()       the eight uid/gid fields into struct hornet_creds
 *  hornet_read_cred_caps() permitted, effective and inheritable into struct hornet_caps
 *  hornet_read_cred_set()  one of those sets (HORNET_CAP_*)
 *  hornet_read_userns()    the user namespace's level, owner, group and inode
 * Each reads through BPF_CORE_READ, so it serves any program type that may
 * read kernel memory and any pointer, typed or not.
 */
#ifndef HORNET_CRED_BPF_H
#define HORNET_CRED_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <hornet/events.h>
#include <hornet/generic.h>
#include "compat.bpf.h"

static __always_inline void hornet_read_ids(struct hornet_creds *c, const struct cred *cred)
{
	c->uid = BPF_CORE_READ(cred, uid.val);
	c->gid = BPF_CORE_READ(cred, gid.val);
	c->euid = BPF_CORE_READ(cred, euid.val);
	c->egid = BPF_CORE_READ(cred, egid.val);
	c->suid = BPF_CORE_READ(cred, suid.val);
	c->sgid = BPF_CORE_READ(cred, sgid.val);
	c->fsuid = BPF_CORE_READ(cred, fsuid.val);
	c->fsgid = BPF_CORE_READ(cred, fsgid.val);
}

static __always_inline void hornet_read_cred_caps(struct hornet_caps *caps, const struct cred *cred)
{
	caps->permitted = hornet_read_caps(&cred->cap_permitted);
	caps->effective = hornet_read_caps(&cred->cap_effective);
	caps->inheritable = hornet_read_caps(&cred->cap_inheritable);
}

static __always_inline __u64 hornet_read_cred_set(const struct cred *cred, __u32 set)
{
	if (set == HORNET_CAP_PERMITTED)
		return hornet_read_caps(&cred->cap_permitted);
	if (set == HORNET_CAP_INHERITABLE)
		return hornet_read_caps(&cred->cap_inheritable);
	return hornet_read_caps(&cred->cap_effective);
}

static __always_inline void hornet_read_userns(struct hornet_userns_data *u,
					       const struct user_namespace *ns)
{
	u->level = BPF_CORE_READ(ns, level);
	u->uid = BPF_CORE_READ(ns, owner.val);
	u->gid = BPF_CORE_READ(ns, group.val);
	u->inum = BPF_CORE_READ(ns, ns.inum);
}

#endif /* HORNET_CRED_BPF_H */
