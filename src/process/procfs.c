// SPDX-License-Identifier: GPL-2.0
/*
 * What hornet learns of a process from /proc (proc(5)), for the processes
 * that were already running when the agent started. The parsers take the
 * content of a file as untrusted bytes: a process chooses its own comm, and
 * a fake proc root can hold anything.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "process/procfs.h"
#include "vocab/vocab.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

#define PROCFS_FILE_MAX (1U << 20) /* cmdline can be as long as the process likes */
#define PROCFS_SMALL_MAX (64U << 10) /* stat, status, cgroup, loginuid */
#define PROCFS_LINK_MAX (64U << 10)
#define STAT_STARTTIME_FIELD 22

/*
 * Parses the unsigned decimal number at buf[*pos] (at least one digit, at
 * most @max) and moves *pos past it. Returns false on no digit or overflow.
 */
static bool parse_u64(const char *buf, size_t len, size_t *pos, uint64_t max, uint64_t *val)
{
	size_t i = *pos;
	uint64_t v = 0;

	if (i >= len || buf[i] < '0' || buf[i] > '9')
		return false;
	while (i < len && buf[i] >= '0' && buf[i] <= '9') {
		unsigned int d = (unsigned int)(buf[i] - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
		i++;
	}
	*pos = i;
	*val = v;
	return true;
}

/* Like parse_u64, for 1 to 16 hex digits. */
static bool parse_hex64(const char *buf, size_t len, size_t *pos, uint64_t *val)
{
	size_t i = *pos;
	uint64_t v = 0;
	int d;

	for (; i < len; i++) {
		char c = buf[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (i - *pos >= 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (i == *pos)
		return false;
	*pos = i;
	*val = v;
	return true;
}

/* The end of the space-separated field at @pos; false if it is empty. */
static bool skip_field(const char *buf, size_t len, size_t *pos)
{
	size_t i = *pos;

	while (i < len && buf[i] != ' ' && buf[i] != '\n')
		i++;
	if (i == *pos)
		return false;
	*pos = i;
	return true;
}

int hornet_procfs_parse_stat(const char *buf, size_t len, pid_t *ppid, uint64_t *starttime,
			     unsigned int *flags)
{
	const char *rparen;
	uint64_t pid, v_ppid = 0, v_flags = 0, v_start = 0;
	size_t pos = 0;
	int field;

	if (!buf)
		return -EINVAL;
	/* "pid (comm) state ppid ...": comm is free text, so it ends at the last ')' */
	if (!parse_u64(buf, len, &pos, INT_MAX, &pid))
		return -EINVAL;
	if (pos + 1 >= len || buf[pos] != ' ' || buf[pos + 1] != '(')
		return -EINVAL;
	rparen = memrchr(buf + pos + 2, ')', len - pos - 2);
	if (!rparen)
		return -EINVAL;
	pos = (size_t)(rparen - buf) + 1;

	/* Fields 3 (state) to 22 (starttime), each after one space. */
	for (field = 3; field <= STAT_STARTTIME_FIELD; field++) {
		if (pos >= len || buf[pos] != ' ')
			return -EINVAL;
		pos++;
		switch (field) {
		case 4:
			if (!parse_u64(buf, len, &pos, INT_MAX, &v_ppid))
				return -EINVAL;
			break;
		case 9:
			if (!parse_u64(buf, len, &pos, UINT_MAX, &v_flags))
				return -EINVAL;
			break;
		case STAT_STARTTIME_FIELD:
			if (!parse_u64(buf, len, &pos, UINT64_MAX, &v_start))
				return -EINVAL;
			break;
		default:
			if (!skip_field(buf, len, &pos))
				return -EINVAL;
			break;
		}
	}
	/* A number must not run into the next field ("12x"). */
	if (pos < len && buf[pos] != ' ' && buf[pos] != '\n')
		return -EINVAL;

	if (ppid)
		*ppid = (pid_t)v_ppid;
	if (starttime)
		*starttime = v_start;
	if (flags)
		*flags = (unsigned int)v_flags;
	return 0;
}

/* Skips blanks (the kernel uses tabs; spaces are accepted too). */
static void skip_blanks(const char *buf, size_t len, size_t *pos)
{
	while (*pos < len && (buf[*pos] == '\t' || buf[*pos] == ' '))
		(*pos)++;
}

static bool at_line_end(const char *buf, size_t len, size_t pos)
{
	return pos == len || buf[pos] == '\n';
}

/* "\t<real>\t<effective>\t<saved>\t<fs>" of the Uid: and Gid: lines */
static bool parse_ids(const char *buf, size_t len, size_t pos, __u32 *ids[4])
{
	uint32_t v[4];
	uint64_t n;
	int i;

	for (i = 0; i < 4; i++) {
		size_t start = pos;

		skip_blanks(buf, len, &pos);
		if (pos == start)
			return false;
		if (!parse_u64(buf, len, &pos, UINT32_MAX, &n))
			return false;
		v[i] = (uint32_t)n;
	}
	skip_blanks(buf, len, &pos);
	if (!at_line_end(buf, len, pos))
		return false;
	for (i = 0; i < 4; i++)
		*ids[i] = v[i];
	return true;
}

static bool parse_cap(const char *buf, size_t len, size_t pos, __u64 *cap)
{
	size_t start = pos;
	uint64_t v;

	skip_blanks(buf, len, &pos);
	if (pos == start || !parse_hex64(buf, len, &pos, &v))
		return false;
	skip_blanks(buf, len, &pos);
	if (!at_line_end(buf, len, pos))
		return false;
	*cap = v;
	return true;
}

enum {
	STATUS_UID = 1 << 0,
	STATUS_GID = 1 << 1,
	STATUS_CAPINH = 1 << 2,
	STATUS_CAPPRM = 1 << 3,
	STATUS_CAPEFF = 1 << 4,
	STATUS_ALL = (1 << 5) - 1,
};

static bool line_has_key(const char *line, size_t n, const char *key, size_t *after)
{
	size_t kn = strlen(key);

	if (n < kn || memcmp(line, key, kn))
		return false;
	*after = kn;
	return true;
}

int hornet_procfs_parse_status(const char *buf, size_t len, struct hornet_creds *creds,
			       struct hornet_caps *caps)
{
	struct hornet_creds c = { 0 };
	struct hornet_caps k = { 0 };
	__u32 *uids[4] = { &c.uid, &c.euid, &c.suid, &c.fsuid };
	__u32 *gids[4] = { &c.gid, &c.egid, &c.sgid, &c.fsgid };
	unsigned int seen = 0;
	size_t pos = 0;

	if (!buf)
		return -EINVAL;
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, after;
		bool ok = true;
		unsigned int bit = 0;

		/* Each parser stops at the line's end: pass it the line alone. */
		if (line_has_key(line, n, "Uid:", &after)) {
			bit = STATUS_UID;
			ok = parse_ids(line, n, after, uids);
		} else if (line_has_key(line, n, "Gid:", &after)) {
			bit = STATUS_GID;
			ok = parse_ids(line, n, after, gids);
		} else if (line_has_key(line, n, "CapInh:", &after)) {
			bit = STATUS_CAPINH;
			ok = parse_cap(line, n, after, &k.inheritable);
		} else if (line_has_key(line, n, "CapPrm:", &after)) {
			bit = STATUS_CAPPRM;
			ok = parse_cap(line, n, after, &k.permitted);
		} else if (line_has_key(line, n, "CapEff:", &after)) {
			bit = STATUS_CAPEFF;
			ok = parse_cap(line, n, after, &k.effective);
		}
		if (!ok)
			return -EINVAL;
		seen |= bit;
		pos += n + 1;
	}
	if (seen != STATUS_ALL)
		return -EINVAL;
	if (creds)
		*creds = c;
	if (caps)
		*caps = k;
	return 0;
}

int hornet_procfs_parse_nspid(const char *buf, size_t len, uint32_t *nspid)
{
	size_t pos = 0, after, i;
	uint64_t v;

	if (!buf || !nspid)
		return -EINVAL;
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + 1;
		if (!line_has_key(line, n, "NSpid:", &after))
			continue;
		/* the last whitespace-separated number of the line */
		for (i = n; i > after && (line[i - 1] == ' ' || line[i - 1] == '\t'); i--)
			;
		n = i;
		while (i > after && line[i - 1] >= '0' && line[i - 1] <= '9')
			i--;
		if (i == n || n - i > 10)
			return -EINVAL;
		for (v = 0; i < n; i++)
			v = v * 10 + (uint64_t)(line[i] - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
		*nspid = (uint32_t)v;
		return 0;
	}
	return -ENOENT;
}

int hornet_procfs_parse_cgroup(const char *buf, size_t len, char **path)
{
	size_t pos = 0;

	if (!buf || !path)
		return -EINVAL;
	/*
	 * "hierarchy-ID:controllers:path" lines; "0::" is the unified (v2)
	 * hierarchy. cgroup_mkdir() refuses names with '\n', so a path cannot
	 * fake a line of its own.
	 */
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		char *p;

		pos += n + 1;
		if (n < 3 || memcmp(line, "0::", 3))
			continue;
		if (memchr(line + 3, '\0', n - 3))
			return -EINVAL;
		p = malloc(n - 3 + 1);
		if (!p)
			return -ENOMEM;
		memcpy(p, line + 3, n - 3);
		p[n - 3] = '\0';
		*path = p;
		return 0;
	}
	return -ENOENT;
}

/*
 * Reads the file @name under @dirfd whole, up to @max bytes (more is cut),
 * into a malloc'd, NUL-terminated *buf. Files in /proc report a size of 0,
 * so this reads until EOF rather than trusting fstat().
 */
static int read_file_at(int dirfd, const char *name, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b, *nb;
	int fd, err;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	b = malloc(cap + 1);
	if (!b) {
		err = -ENOMEM;
		goto out_close;
	}
	while (n < max) {
		ssize_t r;

		if (n == cap) {
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				goto out_free;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out_free;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;

out_free:
	free(b);
out_close:
	close(fd);
	return err;
}

/* The target of the symlink @name under @dirfd, malloc'd; -errno on failure. */
static int read_link_at(int dirfd, const char *name, char **target)
{
	size_t cap = 256;
	char *b = NULL, *nb;
	ssize_t r;

	for (;;) {
		nb = realloc(b, cap);
		if (!nb) {
			free(b);
			return -ENOMEM;
		}
		b = nb;
		r = readlinkat(dirfd, name, b, cap);
		if (r < 0) {
			int err = -errno;

			free(b);
			return err;
		}
		/* readlink() does not say when it cut: a full buffer may have been. */
		if ((size_t)r < cap)
			break;
		if (cap >= PROCFS_LINK_MAX) {
			free(b);
			return -ENAMETOOLONG;
		}
		cap *= 2;
	}
	b[r] = '\0';
	/* held for the whole /proc scan: its length, not the buffer's */
	*target = realloc(b, r + 1) ?: b;
	return 0;
}

int hornet_procfs_parse_ns_link(const char *buf, size_t len, uint32_t *inum)
{
	const char *open = buf ? memchr(buf, '[', len) : NULL;
	size_t pos;
	uint64_t v;

	if (!open || open == buf)
		return -EINVAL;
	pos = open - buf + 1;
	if (!parse_u64(buf, len, &pos, UINT32_MAX, &v) || pos + 1 != len || buf[pos] != ']')
		return -EINVAL;
	*inum = (uint32_t)v;
	return 0;
}

/*
 * A namespace's inode number from its /proc link's text. stat() of the link
 * would follow it into nsfs, which finds or makes a dentry and an inode for
 * the namespace: 42 % of the CPU of a scan of 50,000 processes (bench/scale),
 * where the text costs a format of the number.
 */
static uint32_t read_ns_at(int dirfd, const char *name)
{
	char buf[64];
	uint32_t inum;
	ssize_t r = readlinkat(dirfd, name, buf, sizeof(buf));

	if (r <= 0 || r >= (ssize_t)sizeof(buf) || hornet_procfs_parse_ns_link(buf, r, &inum))
		return 0;
	return inum;
}

static uint32_t read_loginuid(int dirfd)
{
	uint64_t v;
	size_t len, pos = 0;
	char *buf;

	if (read_file_at(dirfd, "loginuid", PROCFS_SMALL_MAX, &buf, &len))
		return UINT32_MAX;
	if (!parse_u64(buf, len, &pos, UINT32_MAX, &v) || !at_line_end(buf, len, pos))
		v = UINT32_MAX;
	free(buf);
	return (uint32_t)v;
}

/* A process that exits while we read makes its files vanish or fail with ESRCH. */
static int gone_to_enoent(int err)
{
	return err == -ESRCH ? -ENOENT : err;
}

int hornet_procfs_read(const char *proc_root, pid_t pid, struct hornet_procfs_entry *e)
{
	char dir[PATH_MAX], name[64];
	unsigned int flags = 0;
	struct stat st;
	size_t len;
	char *buf;
	int dirfd, err, i;

	if (!proc_root || !e || pid <= 0)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->auid = UINT32_MAX;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%d", proc_root, (int)pid) >= sizeof(dir))
		return -ENAMETOOLONG;
	/*
	 * Everything is read relative to this one directory: if the process
	 * exits and its pid is reused meanwhile, the reads fail rather than
	 * mixing two processes.
	 */
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return gone_to_enoent(-errno);

	err = read_file_at(dirfd, "stat", PROCFS_SMALL_MAX, &buf, &len);
	if (err)
		goto fail;
	err = hornet_procfs_parse_stat(buf, len, &e->ppid, &e->starttime, &flags);
	free(buf);
	if (err)
		goto fail;
	e->kthread = flags & PF_KTHREAD;
	/* nothing runs there to report: the ~20 reads below are a kernel
	 * thread's for naught, and most of the pids of a small host are theirs */
	if (e->kthread) {
		close(dirfd);
		return 0;
	}

	err = read_file_at(dirfd, "status", PROCFS_SMALL_MAX, &buf, &len);
	if (err)
		goto fail;
	err = hornet_procfs_parse_status(buf, len, &e->creds, &e->caps);
	if (!err && hornet_procfs_parse_nspid(buf, len, &e->nspid))
		e->nspid = 0; /* kernels before 4.1 have no NSpid: line */
	free(buf);
	if (err)
		goto fail;

	/* The rest may be unreadable (kernel threads, zombies, ptrace access): left empty. */
	if (!read_file_at(dirfd, "cmdline", PROCFS_FILE_MAX, &buf, &len)) {
		if (len) {
			/*
			 * Kept until the whole scan is done: the 4 KiB read buffer
			 * of every process made 200 MB at the start of a host with
			 * 50,000 processes (bench/scale); its length is enough.
			 */
			e->args = realloc(buf, len + 1) ?: buf;
			e->args_len = len;
		} else {
			free(buf);
		}
	}
	if (read_link_at(dirfd, "exe", &e->binary))
		e->binary = NULL;
	if (read_link_at(dirfd, "cwd", &e->cwd))
		e->cwd = NULL;
	e->auid = read_loginuid(dirfd);

	if (!read_file_at(dirfd, "cgroup", PROCFS_SMALL_MAX, &buf, &len)) {
		if (hornet_procfs_parse_cgroup(buf, len, &e->cgroup))
			e->cgroup = NULL;
		free(buf);
	}

	for (i = 0; i < HORNET_NS_COUNT; i++) {
		snprintf(name, sizeof(name), "ns/%s", hornet_vocab_name(HORNET_VOCAB_NS_PROC, i));
		e->ns.inum[i] = read_ns_at(dirfd, name);
	}
	/* Follows the link to the executed file itself (even when unlinked). */
	if (!fstatat(dirfd, "exe", &st, 0)) {
		e->ino = st.st_ino;
		e->nlink = (uint32_t)st.st_nlink;
	}

	close(dirfd);
	return 0;

fail:
	close(dirfd);
	return gone_to_enoent(err);
}

int hornet_procfs_read_environ(const char *proc_root, pid_t pid, uint64_t starttime, size_t max,
			       char **env, size_t *len, bool *truncated)
{
	char dir[PATH_MAX], *buf, *stat;
	uint64_t start = 0;
	unsigned int flags;
	size_t n, slen;
	pid_t ppid;
	int dirfd, err;

	if (!proc_root || pid <= 0 || !env || !len || !truncated)
		return -EINVAL;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%d", proc_root, (int)pid) >= sizeof(dir))
		return -ENAMETOOLONG;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return gone_to_enoent(-errno);
	/* one byte more than kept tells a longer environment from one of exactly @max */
	err = read_file_at(dirfd, "environ", max + 1, &buf, &n);
	if (err)
		goto out;
	/* the process scanned, not one that took its pid since */
	err = read_file_at(dirfd, "stat", PROCFS_SMALL_MAX, &stat, &slen);
	if (!err) {
		err = hornet_procfs_parse_stat(stat, slen, &ppid, &start, &flags);
		free(stat);
	}
	if (!err && start != starttime)
		err = -ENOENT;
	if (err) {
		free(buf);
		goto out;
	}
	*truncated = n > max;
	*len = n > max ? max : n;
	*env = buf;
out:
	close(dirfd);
	return gone_to_enoent(err);
}

void hornet_procfs_entry_free(struct hornet_procfs_entry *e)
{
	if (!e)
		return;
	free(e->binary);
	free(e->cwd);
	free(e->args);
	free(e->cgroup);
	e->binary = NULL;
	e->cwd = NULL;
	e->args = NULL;
	e->args_len = 0;
	e->cgroup = NULL;
}

/* A pid directory name: decimal digits, no leading zero, within pid_t. */
static bool parse_pid_name(const char *name, pid_t *pid)
{
	size_t len = strlen(name), pos = 0;
	uint64_t v;

	if (name[0] == '0')
		return false;
	if (!parse_u64(name, len, &pos, INT_MAX, &v) || pos != len)
		return false;
	*pid = (pid_t)v;
	return true;
}

long hornet_procfs_list(const char *proc_root, pid_t **pids)
{
	size_t n = 0, cap = 0;
	pid_t *list = NULL, *nl, pid;
	struct dirent *de;
	DIR *d;
	int err;

	if (!proc_root || !pids)
		return -EINVAL;
	d = opendir(proc_root);
	if (!d)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				err = -errno;
				goto fail;
			}
			break;
		}
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!parse_pid_name(de->d_name, &pid))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nl = reallocarray(list, cap, sizeof(*list));
			if (!nl) {
				err = -ENOMEM;
				goto fail;
			}
			list = nl;
		}
		list[n++] = pid;
	}
	closedir(d);
	*pids = list;
	return (long)n;

fail:
	closedir(d);
	free(list);
	return err;
}
