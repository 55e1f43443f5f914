// SPDX-License-Identifier: GPL-2.0
/*
 * attack_open ROAD [ARG]: opens /etc/shadow for reading by one road and reads
 * from it, for tests/attack/test_files.py. Each road runs in its own process,
 * so that the test selects the agent's events by this process's pid.
 *
 * Prints one JSON line: {"road": ..., "fd": N, "bytes": N} on success,
 * {"road": ..., "errno": N, "what": ...} on failure. Exits 0 when the file was
 * read, 4 when the open was refused (EPERM, EACCES: an enforcing agent), 3
 * when the kernel or the file system lacks the road (ENOSYS, EOPNOTSUPP,
 * io_uring disabled), 1 on any other failure, 2 on a usage error.
 *
 * ARG: proc_fd takes an O_PATH descriptor of /etc/shadow inherited from the
 * parent (opened there, so that this process's only open is the re-open);
 * hardlink makes a hard link to /etc/shadow at the path it takes (on the same
 * file system), then opens the link; bind_mount an empty directory to bind /etc
 * on (in a mount namespace of this process's own: nothing leaks); named opens
 * the path it takes (a symbolic link to /etc/shadow with an odd name);
 * race takes a directory holding "harmless", and opens DIR/link while a thread
 * swaps it between harmless and /etc/shadow, printing how many opens got each;
 * scm_rights opens /etc/shadow and passes the descriptor over a unix socket to
 * a child that reads it, printing both pids.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"

#define SHADOW "/etc/shadow"
#define LONG_PATH_BYTES 4000

static const char *road;

static int fail(const char *what, int err)
{
	printf("{\"road\": \"%s\", \"errno\": %d, \"what\": \"%s\"}\n", road, err, what);
	if (err == EPERM || err == EACCES)
		return 4;
	if (err == ENOSYS || err == EOPNOTSUPP || err == EINVAL)
		return 3;
	return 1;
}

static int done(int fd, long bytes)
{
	printf("{\"road\": \"%s\", \"fd\": %d, \"bytes\": %ld}\n", road, fd, bytes);
	return 0;
}

/* reads what it can from fd, the last step of most roads */
static int read_fd(int fd)
{
	char buf[512];
	ssize_t n;

	if (fd < 0)
		return fail("open", errno);
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return fail("read", errno);
	return done(fd, n);
}

static int by_openat2(void)
{
	struct open_how how = { .flags = O_RDONLY };

	return read_fd(syscall(SYS_openat2, AT_FDCWD, SHADOW, &how, sizeof(how)));
}

static int by_handle(void)
{
	struct file_handle *fh;
	int mount_id, mfd;

	fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	if (!fh)
		return fail("malloc", errno);
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, SHADOW, fh, &mount_id, 0))
		return fail("name_to_handle_at", errno);
	/* any descriptor on the file system will do as the mount */
	mfd = open("/etc", O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return fail("open /etc", errno);
	return read_fd(open_by_handle_at(mfd, fh, O_RDONLY));
}

static int by_uring(int two)
{
	struct open_how how = { .flags = O_RDONLY };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(2, &ring, 0);
	if (ret < 0)
		/* ENOSYS without io_uring, EPERM with kernel.io_uring_disabled */
		return fail("io_uring_queue_init", -ret == EPERM ? ENOSYS : -ret);
	sqe = io_uring_get_sqe(&ring);
	if (two)
		io_uring_prep_openat2(sqe, AT_FDCWD, SHADOW, &how);
	else
		io_uring_prep_openat(sqe, AT_FDCWD, SHADOW, O_RDONLY, 0);
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret < 0)
		return fail("io_uring_submit_and_wait", -ret);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0)
		return fail("io_uring_wait_cqe", -ret);
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	if (ret < 0)
		return fail(two ? "IORING_OP_OPENAT2" : "IORING_OP_OPENAT", -ret);
	return read_fd(ret);
}

static int by_proc_fd(const char *arg)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", atoi(arg));
	return read_fd(open(path, O_RDONLY));
}

#define RACE_OPENS 2000

static char race_dir[3000];
static volatile int race_stop, race_swaps;

/* Points DIR/link at @target by renaming a new link over it: atomic. */
static void race_point(const char *target)
{
	char tmp[3100], link_path[3100];

	snprintf(tmp, sizeof(tmp), "%s/link.new", race_dir);
	snprintf(link_path, sizeof(link_path), "%s/link", race_dir);
	unlink(tmp);
	if (!symlink(target, tmp))
		rename(tmp, link_path);
}

static void *race_swap(void *arg)
{
	char harmless[3100];

	(void)arg;
	snprintf(harmless, sizeof(harmless), "%s/harmless", race_dir);
	while (!race_stop) {
		race_point(harmless);
		race_point(SHADOW);
		race_swaps++;
	}
	return NULL;
}

/* A symbolic link swapped between check and use: which file did each open get? */
static int by_race(const char *dir)
{
	char link_path[3100];
	struct stat sh, st;
	long shadow = 0, other = 0;
	pthread_t t;
	int i, fd;

	if (stat(SHADOW, &sh))
		return fail("stat /etc/shadow", errno);
	snprintf(race_dir, sizeof(race_dir), "%s", dir);
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	race_point(SHADOW);
	if (pthread_create(&t, NULL, race_swap, NULL))
		return fail("pthread_create", EAGAIN);
	/* on a busy machine the thread may start late: the opens begin once it
	 * swaps, and go on past RACE_OPENS (up to 50 times) until each file
	 * has been opened */
	while (!race_swaps)
		sched_yield();
	for (i = 0; i < RACE_OPENS || ((!shadow || !other) && i < 50 * RACE_OPENS); i++) {
		fd = open(link_path, O_RDONLY);
		if (fd < 0)
			continue; /* between unlink and rename: no link */
		if (!fstat(fd, &st) && st.st_ino == sh.st_ino && st.st_dev == sh.st_dev)
			shadow++;
		else
			other++;
		close(fd);
	}
	race_stop = 1;
	pthread_join(t, NULL);
	printf("{\"road\": \"%s\", \"shadow\": %ld, \"other\": %ld}\n", road, shadow, other);
	return 0;
}

/* The descriptor opened here, read by a child it was passed to (SCM_RIGHTS). */
static int by_scm_rights(void)
{
	int sock, fd, status;
	char buf[512];
	pid_t child;

	child = fdpass_fork(&sock);
	if (child < 0)
		return fail("socketpair and fork", errno);
	if (!child) {
		fd = fdpass_recv(sock);
		_exit(fd < 0 || read(fd, buf, sizeof(buf)) < 0 ? 1 : 0);
	}
	fd = open(SHADOW, O_RDONLY);
	if (fd < 0)
		return fail("open", errno);
	if (fdpass_send(sock, fd))
		return fail("sendmsg", errno);
	close(fd);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail("the child's read", EIO);
	printf("{\"road\": \"%s\", \"opener\": %d, \"reader\": %d}\n", road, (int)getpid(),
	       (int)child);
	return 0;
}

static int by_hardlink(const char *link_path)
{
	if (link(SHADOW, link_path))
		return fail("link /etc/shadow", errno);
	return read_fd(open(link_path, O_RDONLY));
}

static int by_bind_mount(const char *dir)
{
	char path[4096];

	if (unshare(CLONE_NEWNS))
		return fail("unshare(CLONE_NEWNS)", errno);
	/* private: the bind below stays in this namespace, gone with this process */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return fail("mount --make-rprivate /", errno);
	if (mount("/etc", dir, NULL, MS_BIND, NULL))
		return fail("mount --bind /etc", errno);
	snprintf(path, sizeof(path), "%s/shadow", dir);
	return read_fd(open(path, O_RDONLY));
}

static int by_chroot(void)
{
	if (chroot("/etc") || chdir("/"))
		return fail("chroot /etc", errno);
	return read_fd(open("/shadow", O_RDONLY));
}

static int by_dirfd(void)
{
	int dfd = open("/etc", O_RDONLY | O_DIRECTORY);

	if (dfd < 0)
		return fail("open /etc", errno);
	return read_fd(openat(dfd, "shadow", O_RDONLY));
}

static int by_long_path(void)
{
	static char path[LONG_PATH_BYTES + 1];
	size_t len = 0;

	/* "/./././.../etc/shadow", LONG_PATH_BYTES bytes in all (PATH_MAX is 4096) */
	path[len++] = '/';
	while (len + 2 + strlen("etc/shadow") <= LONG_PATH_BYTES) {
		path[len++] = '.';
		path[len++] = '/';
	}
	strcpy(path + len, "etc/shadow");
	return read_fd(open(path, O_RDONLY));
}

static int by_sendfile(void)
{
	int fd = open(SHADOW, O_RDONLY), out;
	ssize_t n;

	if (fd < 0)
		return fail("open", errno);
	out = open("/dev/null", O_WRONLY);
	n = sendfile(out, fd, NULL, 4096);
	if (n < 0)
		return fail("sendfile", errno);
	return done(fd, n);
}

static int by_splice(void)
{
	int fd = open(SHADOW, O_RDONLY), p[2];
	ssize_t n;

	if (fd < 0)
		return fail("open", errno);
	if (pipe(p))
		return fail("pipe", errno);
	n = splice(fd, NULL, p[1], NULL, 4096, 0);
	if (n < 0)
		return fail("splice", errno);
	return done(fd, n);
}

static int by_mmap(void)
{
	int fd = open(SHADOW, O_RDONLY);
	volatile const char *m;
	struct stat st;

	if (fd < 0)
		return fail("open", errno);
	if (fstat(fd, &st))
		return fail("fstat", errno);
	if (st.st_size == 0)
		return done(fd, 0);
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap", errno);
	/* the page is read now */
	(void)m[0];
	return done(fd, st.st_size);
}

int main(int argc, char **argv)
{
	const char *arg = argc > 2 ? argv[2] : NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: attack_open ROAD [ARG]\n");
		return 2;
	}
	road = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(road, "open"))
		return read_fd(syscall(SYS_open, SHADOW, O_RDONLY));
	if (!strcmp(road, "openat"))
		return read_fd(syscall(SYS_openat, AT_FDCWD, SHADOW, O_RDONLY));
	if (!strcmp(road, "openat2"))
		return by_openat2();
	if (!strcmp(road, "open_by_handle_at"))
		return by_handle();
	if (!strcmp(road, "uring_openat"))
		return by_uring(0);
	if (!strcmp(road, "uring_openat2"))
		return by_uring(1);
	if (!strcmp(road, "proc_fd") && arg)
		return by_proc_fd(arg);
	if (!strcmp(road, "hardlink") && arg)
		return by_hardlink(arg);
	if (!strcmp(road, "bind_mount") && arg)
		return by_bind_mount(arg);
	if (!strcmp(road, "chroot"))
		return by_chroot();
	if (!strcmp(road, "named") && arg)
		return read_fd(open(arg, O_RDONLY));
	if (!strcmp(road, "race") && arg)
		return by_race(arg);
	if (!strcmp(road, "scm_rights"))
		return by_scm_rights();
	if (!strcmp(road, "dirfd"))
		return by_dirfd();
	if (!strcmp(road, "dotdot"))
		return read_fd(open("/etc/../etc/../etc/shadow", O_RDONLY));
	if (!strcmp(road, "slashes"))
		return read_fd(open("//etc//shadow", O_RDONLY));
	if (!strcmp(road, "long_path"))
		return by_long_path();
	if (!strcmp(road, "sendfile"))
		return by_sendfile();
	if (!strcmp(road, "splice"))
		return by_splice();
	if (!strcmp(road, "mmap"))
		return by_mmap();
	fprintf(stderr, "attack_open: unknown road '%s' or missing argument\n", road);
	return 2;
}
