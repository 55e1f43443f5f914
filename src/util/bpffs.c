// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util/bpffs.h"

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* The parent of @dir on a BPF file system: mounts one there if it is not. */
static int mount_parent(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent))
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -EINVAL;
	*slash = '\0';
	if (is_bpffs(parent))
		return 0;
	/* mode 0700 as systemd mounts it */
	if (mount("bpf", parent, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700"))
		return -errno;
	return 0;
}

int hornet_bpffs_lock(const char *dir, bool create)
{
	int fd, err;

	if (create) {
		err = mount_parent(dir);
		if (err)
			return err;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!is_bpffs(dir)) {
		close(fd);
		return -ENOTDIR;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		close(fd);
		return err == -EAGAIN ? -EWOULDBLOCK : err;
	}
	return fd;
}

static int clear_at(int dir_fd, struct hornet_bpffs_removed *out, int depth)
{
	struct dirent *de;
	int fd, sub, err = 0;
	DIR *d;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			/* hornet makes none; bounded in case someone nests many */
			sub = depth < 8 ? openat(dir_fd, de->d_name,
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
					: -1;
			if (sub < 0) {
				err = err ?: (depth < 8 ? -errno : -ELOOP);
				continue;
			}
			err = clear_at(sub, out, depth + 1) ?: err;
			close(sub);
			if (unlinkat(dir_fd, de->d_name, AT_REMOVEDIR) && !err)
				err = -errno;
			continue;
		}
		if (unlinkat(dir_fd, de->d_name, 0)) {
			err = err ?: -errno;
			continue;
		}
		if (!strncmp(de->d_name, HORNET_BPFFS_LINK_PREFIX,
			     strlen(HORNET_BPFFS_LINK_PREFIX)))
			out->links++;
		else
			out->other++;
	}
	closedir(d);
	return err;
}

int hornet_bpffs_clear(int dir_fd, struct hornet_bpffs_removed *out)
{
	memset(out, 0, sizeof(*out));
	return clear_at(dir_fd, out, 0);
}

int hornet_bpffs_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
