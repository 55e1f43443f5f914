/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User names for process objects (--username-metadata unix): the name of a
 * process's uid in the /etc/passwd of its own root, so that a process in a
 * container gets the container's name for its uid. Each mount namespace's
 * file is read once and kept, and looked at again (stat) at most every few
 * seconds; name services (NSS, LDAP) are not asked, as in Tetragon.
 */
#ifndef HORNET_PROCESS_USERDB_H
#define HORNET_PROCESS_USERDB_H

#include <stddef.h>
#include <stdint.h>

/* longest name taken; longer ones (useradd allows 32) are left out */
#define HORNET_USER_NAME_MAX 64
/* a larger file is not read */
#define HORNET_PASSWD_MAX (1 << 20)

/*
 * Finds @uid in @len bytes of /etc/passwd content, the first line that
 * names it, as getpwuid(3) does. Lines that are not "name:x:uid:..." with a
 * decimal uid, a name of at most HORNET_USER_NAME_MAX - 1 printable bytes
 * (no control byte, no ':'), or that start with '+' or '-' (NIS), are
 * skipped. 0 and @name set, or -ENOENT.
 */
int hornet_passwd_lookup(const char *buf, size_t len, uint32_t uid,
			 char name[HORNET_USER_NAME_MAX]);

struct hornet_userdb;

/* @max_roots: mount namespaces kept at once. NULL with errno set. */
struct hornet_userdb *hornet_userdb__new(size_t max_roots);
void hornet_userdb__free(struct hornet_userdb *db);

/*
 * The name of @uid for process @pid in mount namespace @mntns (0: unknown,
 * then the file is read for this call alone), read from /proc/PID/root's
 * etc/passwd with every symlink resolved inside that root. @now: seconds,
 * any monotonic clock. 0 and @name set, or -errno (-ENOENT: no such uid).
 */
int hornet_userdb__lookup(struct hornet_userdb *db, uint32_t pid, uint32_t mntns, uint32_t uid,
			  uint64_t now, char name[HORNET_USER_NAME_MAX]);

#endif
