// SPDX-License-Identifier: GPL-2.0
/*
 * sleepers N: forks N children that sleep until this process ends, prints
 * "ready N" once they all exist (N: how many it could fork), then waits for
 * its standard input to close (or for SIGTERM) and kills them all. A host
 * with many processes, for bench/scale: the agent's /proc scan at start.
 * The children die with it (PR_SET_PDEATHSIG) even if it is killed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	long n, i, made = 0;
	pid_t parent = getpid(), pid;
	char c;

	if (argc != 2 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: sleepers N\n");
		return 2;
	}
	/* the children are killed as one group at the end */
	setpgid(0, 0);
	/* no SA_RESTART: the read() below must end on SIGTERM */
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_term }, NULL);
	for (i = 0; i < n && !stop; i++) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "sleepers: fork %ld of %ld: %s\n", i + 1, n,
				strerror(errno));
			break;
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
		made++;
	}
	printf("ready %ld\n", made);
	fflush(stdout);
	while (!stop && read(0, &c, 1) > 0)
		;
	/* the group's children die of it, this process ignores it and reaps them */
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
