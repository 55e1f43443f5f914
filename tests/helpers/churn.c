// SPDX-License-Identifier: GPL-2.0
/*
 * churn N J PROG: runs N short-lived processes of PROG, J at a time, each
 * with its index as its one argument (so that every process's arguments
 * differ), and prints the number that ran and exited with status 0. Exits 1
 * if a fork failed or a process did not exit with 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int start(const char *prog, long i)
{
	char arg[24];
	pid_t pid;

	snprintf(arg, sizeof(arg), "%ld", i);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "churn: fork %ld: %s\n", i, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execl(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n, j, i = 0, running = 0, ok = 0;
	int st;

	if (argc != 4 || (n = strtol(argv[1], NULL, 10)) <= 0 ||
	    (j = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: churn N J PROG\n");
		return 2;
	}
	while (i < n || running) {
		while (i < n && running < j) {
			if (start(argv[3], i) < 0)
				goto out;
			i++;
			running++;
		}
		if (wait(&st) < 0)
			break;
		running--;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
out:
	while (running && wait(&st) > 0) {
		running--;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	printf("%ld\n", ok);
	return ok == n ? 0 : 1;
}
