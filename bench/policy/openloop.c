// SPDX-License-Identifier: GPL-2.0
/*
 * openloop N PATH [PROCS]: opens and closes PATH N times in each of PROCS
 * processes (default 1) and prints the mean wall time and CPU time (user +
 * system) per open+close, in nanoseconds, over all processes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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
	long n, procs = 1, p, i;
	long long start, wall, cpu;
	struct rusage ru;
	int fd;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: openloop N PATH [PROCS]\n");
		return 2;
	}
	if (argc > 3)
		procs = strtol(argv[3], NULL, 10);
	start = now_ns();
	for (p = 0; p < procs; p++) {
		if (fork() == 0) {
			for (i = 0; i < n; i++) {
				fd = open(argv[2], O_RDONLY);
				if (fd >= 0)
					close(fd);
			}
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	wall = now_ns() - start;
	getrusage(RUSAGE_CHILDREN, &ru);
	cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	printf("%lld %lld\n", wall / (n * procs), cpu / (n * procs));
	return 0;
}
