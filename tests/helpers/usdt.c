// SPDX-License-Identifier: GPL-2.0
/*
 * A program with USDT probes for the e2e tests: usdt N WORD fires
 * hornet:tick N times with (i, WORD, -7, a stack value), and hornet:plain
 * once. hornet:tick has a semaphore: it prints "semaphore N" with the
 * count the tracer set, so a test can see the kernel counted it up. At the
 * end it prints "on_stack N": what the stack value is after the probes, which
 * a tracer's Set action may have changed.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>

unsigned short hornet_tick_semaphore __attribute__((section(".probes")));
unsigned short hornet_plain_semaphore __attribute__((section(".probes")));

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1, i;
	const char *word = argc > 2 ? argv[2] : "word";
	volatile int on_stack = 4242;

	printf("semaphore %u\n", (unsigned int)hornet_tick_semaphore);
	fflush(stdout);
	for (i = 0; i < n; i++)
		STAP_PROBE4(hornet, tick, i, word, -7, on_stack);
	STAP_PROBE(hornet, plain);
	printf("on_stack %d\n", on_stack);
	return 0;
}
