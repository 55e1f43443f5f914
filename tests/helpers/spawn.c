// SPDX-License-Identifier: GPL-2.0
/*
 * spawn N PROG [ARG...]: starts N copies of PROG at once (all forked before
 * any is waited for), waits for them all, and prints each child's pid and
 * wait status, one "pid status" line per child. Exits 1 if a fork failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, i, started = 0;
	pid_t *pids;
	int *status;
	pid_t pid;
	int st;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: spawn N PROG [ARG...]\n");
		return 2;
	}
	pids = calloc(n, sizeof(*pids));
	status = calloc(n, sizeof(*status));
	if (!pids || !status)
		return 1;
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "spawn: fork %ld: %s\n", i, strerror(errno));
			break;
		}
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		pids[started++] = pid;
	}
	for (i = 0; i < started; i++) {
		pid = wait(&st);
		if (pid < 0)
			break;
		for (long k = 0; k < started; k++)
			if (pids[k] == pid)
				status[k] = st;
	}
	for (i = 0; i < started; i++)
		printf("%d %d\n", pids[i], status[i]);
	return started == n ? 0 : 1;
}
