// SPDX-License-Identifier: GPL-2.0
/*
 * flood THREADS SECONDS: THREADS threads call getppid(2) as fast as they can
 * for SECONDS (tests/attack/test_flood.py, tests/fault/test_storm.py), each
 * counting its own calls. Prints "ready" once every thread runs, then, when
 * all have stopped, "calls N": the exact number of getppid(2) calls the
 * process made, what a policy on that syscall was offered.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256

static struct {
	unsigned long long calls;
	char pad[56]; /* one cache line each */
} counts[MAX_THREADS];
static struct timespec end;
static pthread_barrier_t go;

static int past_end(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec);
}

static void *worker(void *arg)
{
	unsigned long long *n = arg;

	pthread_barrier_wait(&go);
	while (!past_end()) {
		/* the raw syscall: glibc could answer getppid() without one */
		for (int i = 0; i < 256; i++)
			syscall(SYS_getppid);
		*n += 256;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tids[MAX_THREADS];
	unsigned long long total = 0;
	int threads, i;
	double secs;

	if (argc != 3 || (threads = atoi(argv[1])) < 1 || threads > MAX_THREADS ||
	    (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: flood THREADS SECONDS\n");
		return 2;
	}
	pthread_barrier_init(&go, NULL, threads + 1);
	for (i = 0; i < threads; i++)
		if (pthread_create(&tids[i], NULL, worker, &counts[i].calls)) {
			perror("pthread_create");
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)secs;
	end.tv_nsec += (long)((secs - (time_t)secs) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	printf("ready\n");
	fflush(stdout);
	pthread_barrier_wait(&go);
	for (i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		total += counts[i].calls;
	}
	printf("calls %llu\n", total);
	return 0;
}
