// SPDX-License-Identifier: GPL-2.0
/*
 * forkexec N PROG [ARG...]: runs PROG N times, one after the other (fork,
 * exec, wait), and prints the mean wall time per run and the mean CPU time
 * (user + system, this process and its children) per run, in nanoseconds.
 * With -p P, keeps P children running at once instead of one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n, i, par = 1, running = 0;
	long long start;
	int argi = 1;
	pid_t pid;

	if (argc > 3 && !strcmp(argv[1], "-p")) {
		par = strtol(argv[2], NULL, 10);
		argi = 3;
	}
	if (argc - argi < 2 || (n = strtol(argv[argi], NULL, 10)) <= 0 || par <= 0) {
		fprintf(stderr, "usage: forkexec [-p P] N PROG [ARG...]\n");
		return 2;
	}
	start = now_ns();
	for (i = 0; i < n; i++) {
		if (running == par) {
			if (wait(NULL) < 0)
				return 1;
			running--;
		}
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			execv(argv[argi + 1], argv + argi + 1);
			_exit(127);
		}
		running++;
	}
	while (running-- > 0)
		wait(NULL);
	{
		long long wall = (now_ns() - start) / n, cpu;
		struct rusage self, kids;

		getrusage(RUSAGE_SELF, &self);
		getrusage(RUSAGE_CHILDREN, &kids);
		cpu = (self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
		       kids.ru_stime.tv_sec) *
			      1000000000LL +
		      (self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
		       kids.ru_stime.tv_usec) *
			      1000LL;
		printf("%lld %lld\n", wall, cpu / n);
	}
	return 0;
}
