// SPDX-License-Identifier: GPL-2.0
/*
 * attack_hide ROAD [PAYLOAD]: a process that tries to hide from hornet, then
 * reads /etc/shadow (tests/attack/test_agent.py).
 *
 *   pidns_read          unshare(CLONE_NEWPID), fork: the child, pid 1 of a
 *                       new PID namespace, reads /etc/shadow
 *   clone_read          the same with clone(CLONE_NEWPID)
 *   pidns_exec PAYLOAD  unshare(CLONE_NEWPID), fork: the child execs PAYLOAD
 *                       "plain" (a copy of this helper), which reads the file
 *   prctl PAYLOAD       execs PAYLOAD "renamed secret-arg", which renames
 *                       itself (PR_SET_NAME) before the read
 *   argv PAYLOAD        execs PAYLOAD "rewritten secret-arg", which
 *                       overwrites its argument strings before the read
 *
 * Prints "child PID" (the pid, as the host sees it, of the process that
 * reads) and exits 0 when the read was done, 3 when the kernel refuses the
 * road (no PID namespaces, no permission), 1 on any other error.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int read_shadow(void)
{
	char buf[64];
	int fd = open("/etc/shadow", O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "open /etc/shadow: %s\n", strerror(errno));
		return 1;
	}
	if (read(fd, buf, sizeof(buf)) < 0) {
		fprintf(stderr, "read /etc/shadow: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* Waits for @pid, printed first; its status becomes ours. */
static int reap(pid_t pid)
{
	int st;

	printf("child %d\n", pid);
	fflush(stdout);
	if (waitpid(pid, &st, 0) < 0)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* In the new namespace: pid 1, or the road did not do what it says. */
static int child_read(void)
{
	if (getpid() != 1) {
		fprintf(stderr, "pid %d in the new namespace, not 1\n", getpid());
		return 1;
	}
	return read_shadow();
}

static int unshare_pidns(void)
{
	if (unshare(CLONE_NEWPID) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWPID): %s\n", strerror(errno));
		return errno == EPERM || errno == EINVAL ? 3 : 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *road = argc > 1 ? argv[1] : "";
	pid_t pid;
	int rc;

	if (!strcmp(road, "plain")) {
		return read_shadow();
	} else if (!strcmp(road, "pidns_read") || !strcmp(road, "pidns_exec")) {
		if (!strcmp(road, "pidns_exec") && argc < 3)
			goto usage;
		rc = unshare_pidns();
		if (rc)
			return rc;
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (!strcmp(road, "pidns_read"))
				_exit(child_read());
			execl(argv[2], argv[2], "plain", (char *)NULL);
			_exit(127);
		}
		return reap(pid);
	} else if (!strcmp(road, "clone_read")) {
		pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
		if (pid < 0) {
			fprintf(stderr, "clone(CLONE_NEWPID): %s\n", strerror(errno));
			return errno == EPERM || errno == EINVAL ? 3 : 1;
		}
		if (pid == 0)
			_exit(child_read());
		return reap(pid);
	} else if ((!strcmp(road, "prctl") || !strcmp(road, "argv")) && argc == 3) {
		/* the first run: becomes the payload */
		printf("child %d\n", getpid());
		fflush(stdout);
		execl(argv[2], argv[2], !strcmp(road, "prctl") ? "renamed" : "rewritten",
		      "secret-arg", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", argv[2], strerror(errno));
		return 1;
	} else if (!strcmp(road, "renamed")) {
		if (prctl(PR_SET_NAME, "kworker/0:1", 0, 0, 0) < 0)
			return 1;
		return read_shadow();
	} else if (!strcmp(road, "rewritten")) {
		/* the strings are contiguous: make them one "[kworker/0:1]" */
		char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
		const char *fake = "[kworker/0:1]";

		memset(start, 0, end - start);
		if (strlen(fake) < (size_t)(end - start))
			memcpy(start, fake, strlen(fake));
		return read_shadow();
	}
usage:
	fprintf(stderr, "usage: attack_hide pidns_read|clone_read|pidns_exec PAYLOAD|"
			"prctl PAYLOAD|argv PAYLOAD\n");
	return 2;
}
