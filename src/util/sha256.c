// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 as FIPS 180-4 describes it, section 6.2; files are hashed with
 * libcrypto's instead where the machine has libcrypto.so.3 (loaded at the
 * first file: its SHA extensions make it ten times as fast on a CPU that has
 * them), so that the static build needs no OpenSSL.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/dlib.h"
#include "util/sha256.h"

/* libcrypto's EVP digest calls, declared here (their ABI is stable since 1.1) */
struct evp_md_ctx_st;
struct evp_md_st;
struct engine_st;
struct evp_md_ctx_st *EVP_MD_CTX_new(void);
void EVP_MD_CTX_free(struct evp_md_ctx_st *ctx);
const struct evp_md_st *EVP_sha256(void);
int EVP_DigestInit_ex(struct evp_md_ctx_st *ctx, const struct evp_md_st *type,
		      struct engine_st *impl);
int EVP_DigestUpdate(struct evp_md_ctx_st *ctx, const void *d, size_t cnt);
int EVP_DigestFinal_ex(struct evp_md_ctx_st *ctx, unsigned char *md, unsigned int *s);

#define HORNET_CRYPTO_FNS(X) \
	X(EVP_MD_CTX_new)    \
	X(EVP_MD_CTX_free)   \
	X(EVP_sha256)        \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate)  \
	X(EVP_DigestFinal_ex)

struct hornet_crypto_fns {
	HORNET_CRYPTO_FNS(HORNET_DLIB_FN)
};
HORNET_DLIB_DEFINE(crypto, "libcrypto.so.3", HORNET_CRYPTO_FNS);

static const uint32_t k[64] = {
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

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10)) + w[i - 7] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 16];
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	f = h[5];
	g = h[6];
	hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] +
		     w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void hornet_sha256_init(struct hornet_sha256 *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->used = 0;
}

void hornet_sha256_update(struct hornet_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	c->bytes += len;
	if (c->used) {
		n = 64 - c->used < len ? 64 - c->used : len;
		memcpy(c->block + c->used, p, n);
		c->used += n;
		p += n;
		len -= n;
		if (c->used < 64)
			return;
		compress(c->h, c->block);
		c->used = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(c->h, p);
	memcpy(c->block, p, len);
	c->used = len;
}

void hornet_sha256_final(struct hornet_sha256 *c, uint8_t out[HORNET_SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;
	unsigned int i;

	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		compress(c->h, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = bits >> (56 - 8 * i);
	compress(c->h, c->block);
	for (i = 0; i < 8; i++) {
		out[4 * i] = c->h[i] >> 24;
		out[4 * i + 1] = c->h[i] >> 16;
		out[4 * i + 2] = c->h[i] >> 8;
		out[4 * i + 3] = c->h[i];
	}
}

void hornet_sha256_hex(const uint8_t digest[HORNET_SHA256_LEN], char out[HORNET_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < HORNET_SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * HORNET_SHA256_LEN] = '\0';
}

/* 1: done with libcrypto; 0: not there (or it failed), use ours; -errno: read error */
static int crypto_fd(int fd, uint8_t out[HORNET_SHA256_LEN])
{
	const struct hornet_crypto_fns *f = &hornet_crypto_fns;
	struct evp_md_ctx_st *ctx;
	uint8_t buf[65536];
	unsigned int len = 0;
	int ok, ret = 0;
	ssize_t n;

	if (hornet_dlib_load(&hornet_crypto_lib))
		return 0;
	ctx = f->EVP_MD_CTX_new();
	if (!ctx)
		return 0;
	ok = f->EVP_DigestInit_ex(ctx, f->EVP_sha256(), NULL);
	while (ok) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n) {
			ok = f->EVP_DigestFinal_ex(ctx, out, &len) && len == HORNET_SHA256_LEN;
			ret = ok;
			break;
		}
		ok = f->EVP_DigestUpdate(ctx, buf, n);
	}
	f->EVP_MD_CTX_free(ctx);
	/* a libcrypto failure after reads: the file is read again, from its start */
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return ret;
}

int hornet_sha256_fd(int fd, uint8_t out[HORNET_SHA256_LEN])
{
	struct hornet_sha256 c;
	uint8_t buf[65536];
	ssize_t n;
	int ret;

	ret = crypto_fd(fd, out);
	if (ret)
		return ret < 0 ? ret : 0;
	hornet_sha256_init(&c);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		hornet_sha256_update(&c, buf, n);
	}
	hornet_sha256_final(&c, out);
	return 0;
}

int hornet_sha256_file_hex(const char *path, char hex[HORNET_SHA256_HEX])
{
	uint8_t digest[HORNET_SHA256_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = hornet_sha256_fd(fd, digest);
	close(fd);
	if (!ret)
		hornet_sha256_hex(digest, hex);
	return ret;
}
