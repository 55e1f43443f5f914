// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <bpf/libbpf.h>

#include "util/links.h"

/* enough for the waits to overlap; each thread takes the next link left */
#define LINKS_THREADS 16
#define LINKS_STACK (64 * 1024) /* the threads only call close() */

struct detach {
	struct bpf_link **links;
	size_t n;
	size_t next; /* the next link to take, atomically */
};

static void *detach_main(void *arg)
{
	struct detach *d = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&d->next, 1, __ATOMIC_RELAXED)) < d->n) {
		bpf_link__destroy(d->links[i]);
		d->links[i] = NULL;
	}
	return NULL;
}

void hornet_links_destroy(struct bpf_link **links, size_t n)
{
	struct detach d = { .links = links, .n = n };
	pthread_t threads[LINKS_THREADS];
	size_t i, started = 0, want = n < LINKS_THREADS ? n : LINKS_THREADS;
	pthread_attr_t attr;

	/* one link, or none: no thread to wait for */
	if (want > 1 && !pthread_attr_init(&attr)) {
		pthread_attr_setstacksize(&attr, LINKS_STACK);
		/* this thread takes a share too, so one fewer */
		while (started + 1 < want &&
		       !pthread_create(&threads[started], &attr, detach_main, &d))
			started++;
		pthread_attr_destroy(&attr);
	}
	detach_main(&d);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}
