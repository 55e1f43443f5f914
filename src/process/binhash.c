// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process/binhash.h"

/* slots probed from a key's home before the home slot is reused */
#define PROBES 8

struct entry {
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
	bool used;
	char hash[HORNET_BINHASH_LEN];
};

struct hornet_binhash {
	struct entry *slots;
	size_t mask;
	uint64_t max_size;
	struct hornet_binhash_stats stats;
};

struct hornet_binhash *hornet_binhash__new(size_t capacity, uint64_t max_size)
{
	struct hornet_binhash *c = calloc(1, sizeof(*c));
	size_t n = PROBES;

	if (!c)
		return NULL;
	while (n < capacity)
		n <<= 1;
	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	c->max_size = max_size;
	return c;
}

void hornet_binhash__free(struct hornet_binhash *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

static void identity(struct entry *e, const struct stat *st)
{
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime_s = st->st_mtim.tv_sec;
	e->mtime_ns = st->st_mtim.tv_nsec;
	e->ctime_s = st->st_ctim.tv_sec;
	e->ctime_ns = st->st_ctim.tv_nsec;
}

static bool same(const struct entry *a, const struct entry *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns && a->ctime_s == b->ctime_s &&
	       a->ctime_ns == b->ctime_ns;
}

static size_t home(const struct hornet_binhash *c, const struct entry *k)
{
	uint64_t h = k->ino * 0x9e3779b97f4a7c15ULL ^ k->dev * 0xff51afd7ed558ccdULL;

	return (h ^ (h >> 29)) & c->mask;
}

/* @st: @fd's */
static int hash_fd(struct hornet_binhash *c, int fd, const struct stat *st,
		   char out[HORNET_BINHASH_LEN])
{
	uint8_t digest[HORNET_SHA256_LEN];
	char hex[HORNET_SHA256_HEX];
	struct entry key = {}, *e, *slot = NULL;
	size_t h, i;
	int err;

	if (!S_ISREG(st->st_mode)) {
		c->stats.errors++;
		return -EINVAL;
	}
	if ((uint64_t)st->st_size > c->max_size) {
		c->stats.errors++;
		return -EFBIG;
	}
	identity(&key, st);
	h = home(c, &key);
	for (i = 0; i < PROBES; i++) {
		e = &c->slots[(h + i) & c->mask];
		if (e->used && same(e, &key)) {
			c->stats.hits++;
			memcpy(out, e->hash, HORNET_BINHASH_LEN);
			return 0;
		}
		if (!e->used && !slot)
			slot = e;
	}
	err = hornet_sha256_fd(fd, digest);
	if (err) {
		c->stats.errors++;
		return err;
	}
	c->stats.hashed++;
	c->stats.bytes += st->st_size;
	hornet_sha256_hex(digest, hex);
	snprintf(out, HORNET_BINHASH_LEN, "sha256:%s", hex);
	/* all probed slots taken: the home slot's entry goes */
	if (!slot)
		slot = &c->slots[h];
	*slot = key;
	slot->used = true;
	memcpy(slot->hash, out, HORNET_BINHASH_LEN);
	return 0;
}

int hornet_binhash__fd(struct hornet_binhash *c, int fd, char out[HORNET_BINHASH_LEN])
{
	struct stat st;

	if (fstat(fd, &st)) {
		c->stats.errors++;
		return -errno;
	}
	return hash_fd(c, fd, &st, out);
}

static int try_open(const char *path, uint64_t ino, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) || (ino && st->st_ino != ino)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

int hornet_binhash__process(struct hornet_binhash *c, uint32_t pid, const char *binary,
			    uint64_t ino, bool host_root, char out[HORNET_BINHASH_LEN])
{
	char path[4200];
	struct stat st;
	int fd = -ENOENT, err;

	/*
	 * In the host's mount namespace, the path as it is: the process is
	 * often gone by now (a short one), and /proc/PID lookups that fail
	 * cost as much as the open that works.
	 */
	if (host_root && binary && binary[0] == '/')
		fd = try_open(binary, ino, &st);
	if (fd < 0 && binary && binary[0] == '/') {
		snprintf(path, sizeof(path), "/proc/%u/root%s", pid, binary);
		fd = try_open(path, ino, &st);
	}
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%u/exe", pid);
		fd = try_open(path, ino, &st);
	}
	if (fd < 0) {
		c->stats.errors++;
		return fd;
	}
	err = hash_fd(c, fd, &st, out);
	close(fd);
	return err;
}

void hornet_binhash__stats(const struct hornet_binhash *c, struct hornet_binhash_stats *s)
{
	*s = c->stats;
}
