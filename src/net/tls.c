// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2) in the first
 * record of a connection: its legacy_version, the host_name of the
 * server_name extension (RFC 6066 3) and the first protocol of the
 * application_layer_protocol_negotiation extension (RFC 7301 3.1).
 *
 * Every length is checked twice: against the structure that holds it, where
 * a length that overflows is a lie (-EINVAL), and against the bytes the
 * capture kept, where it is a cut. A ClientHello may also be split over
 * several records (RFC 8446 5.1): the bytes past the first record's end are
 * then missing the same way. The parse returns 0 once the SNI is known:
 * found whole before the cut, or known absent because the extensions were
 * read to their end; a cut before that is -ENODATA, so that an empty sni
 * with 0 always means the client sent none. A NUL in the SNI or the ALPN
 * protocol, which could not be shown as a C string, fails with -EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "net/parse.h"

#define TLS_RECORD_HANDSHAKE 22
#define TLS_RECORD_HDR_LEN 5
#define TLS_RECORD_MAX 16384 /* 2^14, RFC 8446 5.1 */
#define TLS_HS_CLIENT_HELLO 1
#define TLS_RANDOM_LEN 32
#define TLS_SESSION_ID_MAX 32
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_ALPN 16
#define TLS_SNI_HOST_NAME 0

/* A structure inside the hello: its declared end, and where the capture ends */
struct tls_rd {
	const uint8_t *buf;
	size_t pos;
	size_t end; /* what the enclosing length says */
	size_t avail; /* min(end, the bytes we have) */
};

/* Can @n more bytes be read? -EINVAL past the structure, -ENODATA past the capture. */
static int rd_need(const struct tls_rd *r, size_t n)
{
	if (r->pos > r->end || n > r->end - r->pos)
		return -EINVAL;
	if (r->pos > r->avail || n > r->avail - r->pos)
		return -ENODATA;
	return 0;
}

static int rd_int(struct tls_rd *r, size_t n, uint32_t *v)
{
	int ret = rd_need(r, n);
	size_t i;

	if (ret)
		return ret;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = *v << 8 | r->buf[r->pos + i];
	r->pos += n;
	return 0;
}

/*
 * Splits the next @n bytes off @r into @sub. Only the declared size is
 * checked: the bytes may be past the capture, which @sub's reads tell.
 */
static int rd_sub(struct tls_rd *r, size_t n, struct tls_rd *sub)
{
	if (r->pos > r->end || n > r->end - r->pos)
		return -EINVAL;
	sub->buf = r->buf;
	sub->pos = r->pos;
	sub->end = r->pos + n;
	sub->avail = sub->end < r->avail ? sub->end : r->avail;
	r->pos += n;
	return 0;
}

/* A vector: a @width-byte length, then that many bytes, at least @min. */
static int rd_vec(struct tls_rd *r, size_t width, size_t min, struct tls_rd *sub)
{
	uint32_t n;
	int ret;

	ret = rd_int(r, width, &n);
	if (ret)
		return ret;
	if (n < min)
		return -EINVAL;
	return rd_sub(r, n, sub);
}

/* Copies the whole of @r into @dst (@size bytes, NUL-terminated), cut to fit. */
static int rd_string(struct tls_rd *r, char *dst, size_t size)
{
	size_t n = r->end - r->pos;
	int ret;

	ret = rd_need(r, n);
	if (ret)
		return ret;
	if (memchr(r->buf + r->pos, '\0', n))
		return -EINVAL;
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, r->buf + r->pos, n);
	dst[n] = '\0';
	r->pos = r->end;
	return 0;
}

/* server_name: the first entry of type host_name. */
static int tls_sni(struct tls_rd *ext, struct hornet_tls_hello *out)
{
	struct tls_rd list, name;
	uint32_t type;
	int ret;

	ret = rd_vec(ext, 2, 1, &list);
	if (ret)
		return ret;
	while (list.pos < list.end) {
		ret = rd_int(&list, 1, &type);
		if (!ret)
			ret = rd_vec(&list, 2, 1, &name);
		if (ret)
			return ret;
		if (type == TLS_SNI_HOST_NAME)
			return rd_string(&name, out->sni, sizeof(out->sni));
	}
	return 0;
}

/* application_layer_protocol_negotiation: the first protocol. */
static int tls_alpn(struct tls_rd *ext, struct hornet_tls_hello *out)
{
	struct tls_rd list, proto;
	int ret;

	ret = rd_vec(ext, 2, 2, &list);
	if (!ret)
		ret = rd_vec(&list, 1, 1, &proto);
	if (ret)
		return ret;
	return rd_string(&proto, out->alpn, sizeof(out->alpn));
}

/* Reads the hello in @h; sets *@sni_known once the server_name extension was read. */
static int tls_hello(struct tls_rd *h, struct hornet_tls_hello *out, bool *sni_known)
{
	struct tls_rd skip, exts, ext;
	bool have_alpn = false;
	uint32_t v, type;
	int ret;

	ret = rd_int(h, 2, &v);
	if (ret)
		return ret;
	if (v >> 8 != 3)
		return -EINVAL; /* SSL 3.0 and every TLS are 3.x */
	out->version = (uint16_t)v;

	ret = rd_sub(h, TLS_RANDOM_LEN, &skip);
	if (ret)
		return ret;
	ret = rd_vec(h, 1, 0, &skip); /* legacy_session_id */
	if (ret)
		return ret;
	if (skip.end - skip.pos > TLS_SESSION_ID_MAX)
		return -EINVAL;
	ret = rd_vec(h, 2, 2, &skip); /* cipher_suites */
	if (ret)
		return ret;
	if ((skip.end - skip.pos) % 2)
		return -EINVAL;
	ret = rd_vec(h, 1, 1, &skip); /* legacy_compression_methods */
	if (ret)
		return ret;
	/* before TLS 1.2 a hello may stop here: no extensions */
	if (h->pos == h->end)
		return 0;
	ret = rd_vec(h, 2, 0, &exts);
	if (ret)
		return ret;

	while (exts.pos < exts.end) {
		ret = rd_int(&exts, 2, &type);
		if (!ret)
			ret = rd_vec(&exts, 2, 0, &ext);
		if (ret)
			return ret;
		if (type == TLS_EXT_SERVER_NAME && !*sni_known) {
			ret = tls_sni(&ext, out);
			*sni_known = !ret;
		} else if (type == TLS_EXT_ALPN && !have_alpn) {
			ret = tls_alpn(&ext, out);
			have_alpn = true;
		}
		if (ret)
			return ret;
	}
	return 0;
}

int hornet_tls_parse_client_hello(const uint8_t *buf, size_t len, struct hornet_tls_hello *out)
{
	struct tls_rd rec, hello;
	uint32_t rec_len, type, hs_len;
	bool sni_known = false;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!len)
		return -ENODATA;
	if (!buf)
		return -EINVAL;

	/* the record header, checked as far as the capture goes */
	if (buf[0] != TLS_RECORD_HANDSHAKE)
		return -EINVAL;
	if (len > 1 && buf[1] != 3)
		return -EINVAL;
	if (len > 2 && (buf[2] < 1 || buf[2] > 4))
		return -EINVAL; /* TLS 1.0 to 1.3 */
	if (len < TLS_RECORD_HDR_LEN)
		return -ENODATA;
	rec_len = (uint32_t)buf[3] << 8 | buf[4];
	if (!rec_len || rec_len > TLS_RECORD_MAX)
		return -EINVAL;
	rec.buf = buf;
	rec.pos = TLS_RECORD_HDR_LEN;
	rec.end = TLS_RECORD_HDR_LEN + rec_len;
	rec.avail = rec.end < len ? rec.end : len;

	ret = rd_int(&rec, 1, &type);
	if (ret)
		return ret;
	if (type != TLS_HS_CLIENT_HELLO)
		return -EINVAL;
	ret = rd_int(&rec, 3, &hs_len);
	if (ret)
		return ret;
	/* a hello longer than its record goes on in the next: what we have ends here */
	hello.buf = buf;
	hello.pos = rec.pos;
	hello.end = rec.pos + hs_len;
	hello.avail = hello.end < rec.avail ? hello.end : rec.avail;

	ret = tls_hello(&hello, out, &sni_known);
	/* cut, but after the server_name extension */
	if (ret == -ENODATA && sni_known)
		return 0;
	return ret;
}
