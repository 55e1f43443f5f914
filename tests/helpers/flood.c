// SPDX-License-Identifier: GPL-2.0
/*
 * flood THREADS SECONDS: THREADS threads write(2) one byte to /dev/null on
 * descriptor FLOOD_FD as fast as they can for SECONDS
 * (tests/attack/test_flood.py, tests/fault/test_storm.py), each counting its
 * own calls, or until SIGTERM. Prints "ready" once every thread runs, then,
 * when all have stopped, "calls N": the exact number of those calls, what a policy on
 * write(2) to descriptor FLOOD_FD was offered (its own output goes to
 * descriptor 1). write(2), not a cheaper syscall: Debian's 6.1 cannot kprobe
 * getppid(2) (not in available_filter_functions).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256
#define FLOOD_FD 100

static struct {
	unsigned long long calls;
	char pad[56]; /* one cache line each */
} counts[MAX_THREADS];
static struct timespec end;
static pthread_barrier_t go;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

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
	while (!stop && !past_end()) {
		for (int i = 0; i < 256; i++)
			if (write(FLOOD_FD, "", 1) != 1)
				abort();
		*n += 256;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tids[MAX_THREADS];
	unsigned long long total = 0;
	int threads, i, fd;
	double secs;

	if (argc != 3 || (threads = atoi(argv[1])) < 1 || threads > MAX_THREADS ||
	    (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: flood THREADS SECONDS\n");
		return 2;
	}
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, FLOOD_FD) != FLOOD_FD) {
		perror("/dev/null");
		return 1;
	}
	signal(SIGTERM, on_term);
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
