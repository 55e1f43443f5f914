// SPDX-License-Identifier: GPL-2.0
/*
 * attack_exec ROAD PATH: runs PATH by one road (tests/attack/test_exec.py):
 *   execve    execve(2) of PATH
 *   execveat  execveat(fd of PATH, "", AT_EMPTY_PATH)
 *   memfd     PATH copied into a memfd_create(2) file, then fexecve(3) of it
 *   ld_so     the dynamic loader running PATH: ld-linux-x86-64.so.2 PATH
 *   sh        sh PATH (PATH is a script)
 *   vfork     vfork(2), then execve(2) of PATH in the child
 *   thread    execve(2) of PATH from a thread that is not the main one
 * Exit status: that of PATH (128 + the signal that killed it after vfork), 3 if the kernel lacks the road, 1 on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LD_SO "/lib64/ld-linux-x86-64.so.2"

extern char **environ;
static const char *path;

static int fail(const char *what)
{
	int lacks = errno == ENOSYS || errno == EINVAL;

	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	return lacks ? 3 : 1;
}

static void *exec_in_thread(void *arg)
{
	char *argv[] = { (char *)path, NULL };

	(void)arg;
	execve(path, argv, environ);
	_exit(fail("execve from a thread"));
}

static int by_memfd(void)
{
	char buf[65536], *argv[] = { "payload", NULL };
	int in, mfd;
	ssize_t n;

	mfd = memfd_create("payload", 0);
	if (mfd < 0)
		return fail("memfd_create");
	in = open(path, O_RDONLY);
	if (in < 0)
		return fail(path);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return fail("write");
	close(in);
	fexecve(mfd, argv, environ);
	return fail("fexecve");
}

int main(int argc, char **argv)
{
	char *args[] = { (char *)argv[2], NULL, NULL };
	const char *road = argv[1];

	if (argc != 3) {
		fprintf(stderr, "usage: attack_exec ROAD PATH\n");
		return 1;
	}
	path = argv[2];
	if (!strcmp(road, "execve")) {
		execve(path, args, environ);
		return fail("execve");
	}
	if (!strcmp(road, "execveat")) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			return fail(path);
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
		return fail("execveat");
	}
	if (!strcmp(road, "memfd"))
		return by_memfd();
	if (!strcmp(road, "ld_so") || !strcmp(road, "sh")) {
		const char *prog = road[0] == 'l' ? LD_SO : "/bin/sh";

		args[0] = (char *)prog;
		args[1] = (char *)path;
		execve(prog, args, environ);
		return fail(prog);
	}
	if (!strcmp(road, "vfork")) {
		int status;
		pid_t pid = vfork();

		if (pid < 0)
			return fail("vfork");
		if (!pid) {
			execve(path, args, environ);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			return fail("waitpid");
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (!strcmp(road, "thread")) {
		pthread_t t;

		if (pthread_create(&t, NULL, exec_in_thread, NULL))
			return fail("pthread_create");
		pthread_join(t, NULL);
		return 1;
	}
	fprintf(stderr, "unknown road %s\n", road);
	return 1;
}
