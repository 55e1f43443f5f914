// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <bpf/btf.h>

#include "util/kbtf.h"

static pthread_mutex_t kbtf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct btf *kbtf;
static unsigned int kbtf_refs;
static bool kbtf_kept;

struct btf *hornet_kbtf_get(void)
{
	struct btf *b;
	int err = 0;

	pthread_mutex_lock(&kbtf_lock);
	if (!kbtf) {
		kbtf = btf__load_vmlinux_btf();
		err = kbtf ? 0 : errno;
	}
	if (kbtf)
		kbtf_refs++;
	b = kbtf;
	pthread_mutex_unlock(&kbtf_lock);
	if (!b)
		errno = err ? err : ENOENT;
	return b;
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
