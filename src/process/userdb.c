// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process/userdb.h"

/* seconds between two looks at a cached file */
#define RECHECK 5

static bool parse_uid(const char *s, size_t n, uint32_t *uid)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*uid = v;
	return true;
}

static bool good_name(const char *s, size_t n)
{
	size_t i;

	if (!n || n >= HORNET_USER_NAME_MAX || s[0] == '+' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int hornet_passwd_lookup(const char *buf, size_t len, uint32_t uid, char name[HORNET_USER_NAME_MAX])
{
	const char *line = buf, *end = buf + len, *eol, *c1, *c2, *c3;
	uint32_t v;

	for (; line < end; line = eol + 1) {
		eol = memchr(line, '\n', end - line);
		if (!eol)
			eol = end;
		c1 = memchr(line, ':', eol - line);
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', eol - c1 - 1);
		if (!c2)
			continue;
		c3 = memchr(c2 + 1, ':', eol - c2 - 1);
		/* the uid ends at the next ':' (a line must have the gid after it) */
		if (!c3 || !parse_uid(c2 + 1, c3 - c2 - 1, &v) || v != uid)
			continue;
		if (!good_name(line, c1 - line))
			continue;
		memcpy(name, line, c1 - line);
		name[c1 - line] = '\0';
		return 0;
	}
	return -ENOENT;
}

struct root {
	uint32_t mntns;
	uint64_t checked; /* when the file was last looked at */
	bool tried; /* checked is set */
	uint64_t used; /* for eviction: a counter, larger is newer */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	char *text; /* the file; NULL when it could not be read */
	size_t len;
};

struct hornet_userdb {
	struct root *roots;
	size_t n, max;
	uint64_t clock;
};

struct hornet_userdb *hornet_userdb__new(size_t max_roots)
{
	struct hornet_userdb *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->max = max_roots ? max_roots : 1;
	db->roots = calloc(db->max, sizeof(*db->roots));
	if (!db->roots) {
		free(db);
		return NULL;
	}
	return db;
}

void hornet_userdb__free(struct hornet_userdb *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < db->n; i++)
		free(db->roots[i].text);
	free(db->roots);
	free(db);
}

/*
 * etc/passwd under /proc/PID/root, every component (symlinks too) resolved
 * inside that root: an absolute symlink in a container must not reach the
 * agent's own files. O_NONBLOCK: a FIFO put there does not block the agent.
 */
static int open_passwd(uint32_t pid)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char path[32];
	int dir, fd;

	snprintf(path, sizeof(path), "/proc/%u/root", pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -ESRCH; /* the process is gone (or was never there) */
	fd = syscall(SYS_openat2, dir, "etc/passwd", &how, sizeof(how));
	if (fd < 0)
		fd = -errno;
	close(dir);
	return fd;
}

static bool same_file(const struct root *r, const struct stat *st)
{
	return r->dev == st->st_dev && r->ino == st->st_ino && r->size == st->st_size &&
	       r->mtime.tv_sec == st->st_mtim.tv_sec && r->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       r->ctime.tv_sec == st->st_ctim.tv_sec && r->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* (Re)reads @r's file through @pid when it changed; keeps what it had on error. */
static int refresh(struct root *r, uint32_t pid)
{
	struct stat st;
	ssize_t got;
	size_t len = 0;
	char *text;
	int fd, err = 0;

	fd = open_passwd(pid);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > HORNET_PASSWD_MAX) {
		err = -EINVAL;
		goto out;
	}
	if (r->text && same_file(r, &st))
		goto out;
	text = malloc(st.st_size + 1);
	if (!text) {
		err = -ENOMEM;
		goto out;
	}
	/* the size may change while read: what was read is taken, up to the limit */
	while (len < (size_t)st.st_size) {
		got = read(fd, text + len, st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	free(r->text);
	r->text = text;
	r->len = len;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->size = st.st_size;
	r->mtime = st.st_mtim;
	r->ctime = st.st_ctim;
out:
	close(fd);
	return err;
}

static struct root *find_root(struct hornet_userdb *db, uint32_t mntns)
{
	struct root *r, *old = NULL;
	size_t i;

	for (i = 0; i < db->n; i++) {
		r = &db->roots[i];
		if (r->mntns == mntns)
			return r;
		if (!old || r->used < old->used)
			old = r;
	}
	if (db->n < db->max) {
		r = &db->roots[db->n++];
	} else {
		/* full: the least recently used namespace goes */
		r = old;
		free(r->text);
	}
	memset(r, 0, sizeof(*r));
	r->mntns = mntns;
	return r;
}

int hornet_userdb__lookup(struct hornet_userdb *db, uint32_t pid, uint32_t mntns, uint32_t uid,
			  uint64_t now, char name[HORNET_USER_NAME_MAX])
{
	struct root tmp = {}, *r = &tmp;
	int err = 0;

	if (mntns) {
		r = find_root(db, mntns);
		r->used = ++db->clock;
	}
	if (!r->tried || now - r->checked >= RECHECK) {
		err = refresh(r, pid);
		/*
		 * A root without a readable file (distroless images have none)
		 * is asked again only after RECHECK; a process gone before its
		 * file was read is not an answer: the next one tries.
		 */
		if (err != -ESRCH) {
			r->checked = now;
			r->tried = true;
		}
	}
	if (r->text)
		err = hornet_passwd_lookup(r->text, r->len, uid, name);
	else if (!err)
		err = -ENOENT;
	if (r == &tmp)
		free(tmp.text);
	return err;
}
