// SPDX-License-Identifier: GPL-2.0
/* SHA-256 as FIPS 180-4 gives it (see util/sha256.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(struct hornet_sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

void hornet_sha256_init(struct hornet_sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->n = 0;
}

void hornet_sha256_update(struct hornet_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t take;

	s->len += len;
	while (len) {
		if (!s->n && len >= 64) {
			block(s, p);
			p += 64;
			len -= 64;
			continue;
		}
		take = 64 - s->n < len ? 64 - s->n : len;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == 64) {
			block(s, s->buf);
			s->n = 0;
		}
	}
}

void hornet_sha256_final(struct hornet_sha256 *s, uint8_t out[HORNET_SHA256_LEN])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t n = (s->n < 56 ? 56 : 120) - s->n;
	int i;

	for (i = 0; i < 8; i++)
		pad[n + i] = bits >> (56 - 8 * i);
	hornet_sha256_update(s, pad, n + 8);
	for (i = 0; i < 32; i++)
		out[i] = s->h[i / 4] >> (24 - 8 * (i % 4));
}

/* The digest of the open file @fd as lowercase hex. */
static int fd_hex(int fd, char hex[HORNET_SHA256_HEX])
{
	struct hornet_sha256 s;
	uint8_t buf[16384], d[HORNET_SHA256_LEN];
	ssize_t n;
	int i;

	hornet_sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		hornet_sha256_update(&s, buf, n);
	if (n < 0)
		return -errno;
	hornet_sha256_final(&s, d);
	for (i = 0; i < HORNET_SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

int hornet_sha256_file_hex(const char *path, char hex[HORNET_SHA256_HEX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = fd_hex(fd, hex);
	close(fd);
	return ret;
}

#define CACHE_SLOTS 64

static struct {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec ctime;
	char hex[HORNET_SHA256_HEX];
} cache[CACHE_SLOTS];

int hornet_sha256_file_cached(const char *path, char hex[HORNET_SHA256_HEX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ret = 0;
	unsigned int slot;
	struct stat st;

	if (fd < 0)
		return -errno;
	/* the identity of what is read, not of what the path names later */
	if (fstat(fd, &st)) {
		ret = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
	} else {
		slot = (unsigned int)(st.st_ino ^ st.st_dev) % CACHE_SLOTS;
		if (cache[slot].ino == st.st_ino && cache[slot].dev == st.st_dev &&
		    cache[slot].size == st.st_size &&
		    cache[slot].ctime.tv_sec == st.st_ctim.tv_sec &&
		    cache[slot].ctime.tv_nsec == st.st_ctim.tv_nsec && cache[slot].hex[0]) {
			memcpy(hex, cache[slot].hex, HORNET_SHA256_HEX);
		} else {
			ret = fd_hex(fd, hex);
			if (!ret) {
				cache[slot].dev = st.st_dev;
				cache[slot].ino = st.st_ino;
				cache[slot].size = st.st_size;
				cache[slot].ctime = st.st_ctim;
				memcpy(cache[slot].hex, hex, HORNET_SHA256_HEX);
			}
		}
	}
	close(fd);
	return ret;
}
