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

/* The cached entry of @key's file, or NULL with *@slot where it would go. */
static struct entry *lookup(struct hornet_binhash *c, const struct entry *key, struct entry **slot)
{
	size_t h = home(c, key), i;
	struct entry *e;

	*slot = NULL;
	for (i = 0; i < PROBES; i++) {
		e = &c->slots[(h + i) & c->mask];
		if (e->used && same(e, key))
			return e;
		if (!e->used && !*slot)
			*slot = e;
	}
	/* all probed slots taken: the home slot's entry goes */
	if (!*slot)
		*slot = &c->slots[h];
	return NULL;
}

/* Whether @key's hash is in the cache (then in @out); else *@slot is its place. */
static bool cached(struct hornet_binhash *c, const struct entry *key, struct entry **slot,
		   char out[HORNET_BINHASH_LEN])
{
	struct entry *e = lookup(c, key, slot);

	if (!e)
		return false;
	c->stats.hits++;
	memcpy(out, e->hash, HORNET_BINHASH_LEN);
	return true;
}

static int check_file(struct hornet_binhash *c, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if ((uint64_t)st->st_size > c->max_size)
		return -EFBIG;
	return 0;
}

/* Reads and hashes @fd (its identity @key) into @slot and @out. */
static int hash_into(struct hornet_binhash *c, int fd, const struct entry *key, struct entry *slot,
		     char out[HORNET_BINHASH_LEN])
{
	uint8_t digest[HORNET_SHA256_LEN];
	char hex[HORNET_SHA256_HEX];
	int err;

	err = hornet_sha256_fd(fd, digest);
	if (err)
		return err;
	c->stats.hashed++;
	c->stats.bytes += key->size;
	hornet_sha256_hex(digest, hex);
	snprintf(out, HORNET_BINHASH_LEN, "sha256:%s", hex);
	*slot = *key;
	slot->used = true;
	memcpy(slot->hash, out, HORNET_BINHASH_LEN);
	return 0;
}

/* stat(2) of @path, a regular file with inode @ino (0: any): 0 or -errno */
static int try_stat(struct hornet_binhash *c, const char *path, uint64_t ino, struct stat *st)
{
	if (stat(path, st))
		return -errno;
	if (ino && st->st_ino != ino)
		return -ESTALE;
	return check_file(c, st);
}

/*
 * The file at @path, found with stat(2) as @st: from the cache, else opened
 * and hashed when the file opened is still that version (not one put there
 * since).
 */
static int hash_found(struct hornet_binhash *c, const char *path, const struct stat *st,
		      char out[HORNET_BINHASH_LEN])
{
	struct entry key = {}, now = {}, *slot;
	struct stat ost;
	int err, fd;

	identity(&key, st);
	if (cached(c, &key, &slot, out))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	err = fstat(fd, &ost) ? -errno : 0;
	if (!err) {
		identity(&now, &ost);
		err = same(&now, &key) ? hash_into(c, fd, &key, slot, out) : -ESTALE;
	}
	close(fd);
	if (!err)
		return 0;
fail:
	c->stats.errors++;
	return err;
}

int hornet_binhash__process(struct hornet_binhash *c, uint32_t pid, const char *binary,
			    uint64_t ino, bool host_root, char out[HORNET_BINHASH_LEN])
{
	char path[4200];
	struct stat st;
	int err = -ENOENT, i;

	/*
	 * In the host's mount namespace, the path as it is: the process is
	 * often gone by now (a short one), and /proc/PID lookups that fail
	 * cost as much as the one that works. A stat(2) finds the file's
	 * version; the file is opened only to be hashed.
	 */
	for (i = host_root ? 0 : 1; i < 3; i++) {
		if (i < 2 && (!binary || binary[0] != '/'))
			continue;
		if (i == 0)
			snprintf(path, sizeof(path), "%s", binary);
		else if (i == 1)
			snprintf(path, sizeof(path), "/proc/%u/root%s", pid, binary);
		else
			snprintf(path, sizeof(path), "/proc/%u/exe", pid);
		err = try_stat(c, path, ino, &st);
		/* found, or found and not to be hashed (too large, not a file) */
		if (err != -ENOENT && err != -ESRCH && err != -ENOTDIR && err != -ESTALE &&
		    err != -EACCES)
			break;
	}
	if (err) {
		c->stats.errors++;
		return err;
	}
	return hash_found(c, path, &st, out);
}

int hornet_binhash__path(struct hornet_binhash *c, const char *path, char out[HORNET_BINHASH_LEN])
{
	struct stat st;
	int err = try_stat(c, path, 0, &st);

	if (err) {
		c->stats.errors++;
		return err;
	}
	return hash_found(c, path, &st, out);
}

void hornet_binhash__stats(const struct hornet_binhash *c, struct hornet_binhash_stats *s)
{
	*s = c->stats;
}
