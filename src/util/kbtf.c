// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/btf.h>

#include "util/kbtf.h"

static pthread_mutex_t kbtf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct btf *kbtf;
static unsigned int kbtf_refs;
static bool kbtf_kept;

/* A parse under way on a thread of its own; freed by whoever sees it last. */
struct parse {
	struct btf *btf;
	int err;
	bool done;
	bool abandoned;
};

static pthread_cond_t kbtf_cond = PTHREAD_COND_INITIALIZER;
static struct parse *kbtf_parse; /* under way, or NULL */
static const int *kbtf_stop;

static void *parse_main(void *arg)
{
	struct parse *p = arg;
	struct btf *b = btf__load_vmlinux_btf();
	int err = b ? 0 : errno;

	pthread_mutex_lock(&kbtf_lock);
	if (p->abandoned) {
		pthread_mutex_unlock(&kbtf_lock);
		btf__free(b);
		free(p);
		return NULL;
	}
	p->btf = b;
	p->err = err;
	p->done = true;
	pthread_cond_broadcast(&kbtf_cond);
	pthread_mutex_unlock(&kbtf_lock);
	return NULL;
}

static bool stopped(void)
{
	return kbtf_stop && __atomic_load_n(kbtf_stop, __ATOMIC_RELAXED);
}

/*
 * Under kbtf_lock: the parse, on a thread of its own so that a stop
 * (hornet_kbtf_stop_on()) need not wait for it: 60 ms here, 2-3 s under
 * TCG, and nothing in it can be interrupted. Returns 0 or -errno.
 */
static int parse(void)
{
	pthread_attr_t attr;
	struct parse *p;
	pthread_t th;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = pthread_attr_init(&attr);
	if (!err) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		err = pthread_create(&th, &attr, parse_main, p);
		pthread_attr_destroy(&attr);
	}
	if (err) {
		/* no thread: here, then */
		free(p);
		kbtf = btf__load_vmlinux_btf();
		return kbtf ? 0 : -errno;
	}
	kbtf_parse = p;
	while (!p->done) {
		struct timespec ts;

		if (stopped()) {
			p->abandoned = true; /* parse_main() frees it */
			kbtf_parse = NULL;
			pthread_cond_broadcast(&kbtf_cond);
			return -ECANCELED;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&kbtf_cond, &kbtf_lock, &ts);
	}
	kbtf_parse = NULL;
	pthread_cond_broadcast(&kbtf_cond);
	kbtf = p->btf;
	err = p->err;
	free(p);
	return kbtf ? 0 : -err;
}

struct btf *hornet_kbtf_get(void)
{
	struct btf *b;
	int err = 0;

	pthread_mutex_lock(&kbtf_lock);
	/* another get's parse under way: wait for its end, then look again */
	while (kbtf_parse)
		pthread_cond_wait(&kbtf_cond, &kbtf_lock);
	if (!kbtf)
		err = parse();
	if (kbtf)
		kbtf_refs++;
	b = kbtf;
	pthread_mutex_unlock(&kbtf_lock);
	if (!b)
		errno = err ? -err : ENOENT;
	return b;
}

void hornet_kbtf_stop_on(const int *stop)
{
	pthread_mutex_lock(&kbtf_lock);
	kbtf_stop = stop;
	pthread_mutex_unlock(&kbtf_lock);
}

void hornet_kbtf_put(struct btf *btf)
{
	if (!btf)
		return;
	pthread_mutex_lock(&kbtf_lock);
	if (btf == kbtf) {
		if (!--kbtf_refs && !kbtf_kept) {
			btf__free(kbtf);
			kbtf = NULL;
		}
		btf = NULL;
	}
	pthread_mutex_unlock(&kbtf_lock);
	btf__free(btf);
}

void hornet_kbtf_keep(bool keep)
{
	struct btf *b = NULL;

	pthread_mutex_lock(&kbtf_lock);
	kbtf_kept = keep;
	if (!keep && !kbtf_refs) {
		b = kbtf;
		kbtf = NULL;
	}
	pthread_mutex_unlock(&kbtf_lock);
	btf__free(b);
}
