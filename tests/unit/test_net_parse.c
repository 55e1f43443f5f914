// SPDX-License-Identifier: GPL-2.0
/*
 * The network message parsers: DNS messages built byte by byte here or
 * captured from dig and dnsmasq, HTTP requests, and TLS ClientHellos built
 * here or produced by Python's ssl module (OpenSSL 3.0).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "unit.h"
#include "net/parse.h"

/* A string literal as (pointer, length), embedded NULs included. */
#define B(s) (const uint8_t *)(s), (sizeof(s) - 1)

/*
 * Captured on 127.0.0.1 between dig 9.18 and dnsmasq 2.90 (--no-resolv
 * --local=/example.test/ --local-ttl=300, a hosts file giving web.example.test
 * 192.0.2.10, 192.0.2.11 and 2001:db8::1:2, and --cname=www.example.test,
 * web.example.test). The queries carry an EDNS OPT record with a cookie.
 */
static const uint8_t dig_query_www_a[] = {
	0xb7, 0x11, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x77, 0x77,
	0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00,
	0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c,
	0x00, 0x0a, 0x00, 0x08, 0xf2, 0x9b, 0x28, 0x7b, 0xcc, 0xf2, 0x5d, 0x81
};

static const uint8_t dnsmasq_answer_www_a[] = {
	0xb7, 0x11, 0x85, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x03, 0x77,
	0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73,
	0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00,
	0x01, 0x2c, 0x00, 0x12, 0x03, 0x77, 0x65, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70,
	0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x2e, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x0b, 0x00, 0x00,
	0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static const uint8_t dnsmasq_answer_web_aaaa[] = {
	0x53, 0x57, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x03, 0x77, 0x65,
	0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00,
	0x00, 0x1c, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00,
	0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x02, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static const uint8_t dnsmasq_answer_nope_a[] = { 0xec, 0xec, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00,
						 0x00, 0x00, 0x00, 0x01, 0x04, 0x6e, 0x6f, 0x70,
						 0x65, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
						 0x65, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00,
						 0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0,
						 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

static const uint8_t dnsmasq_answer_ptr[] = {
	0xe6, 0x47, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0x31,
	0x30, 0x01, 0x32, 0x01, 0x30, 0x03, 0x31, 0x39, 0x32, 0x07, 0x69, 0x6e, 0x2d, 0x61,
	0x64, 0x64, 0x72, 0x04, 0x61, 0x72, 0x70, 0x61, 0x00, 0x00, 0x0c, 0x00, 0x01, 0xc0,
	0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x12, 0x03, 0x77, 0x65,
	0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x04, 0x74, 0x65, 0x73, 0x74,
	0x00, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static const uint8_t python_client_hello[] = {
	0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xd4, 0x4c, 0x9f, 0xef,
	0x7f, 0x88, 0x0d, 0xac, 0x17, 0x95, 0x2b, 0x5e, 0x87, 0xf4, 0x16, 0x27, 0x06, 0x9b, 0x53,
	0x86, 0x3c, 0xdb, 0x4b, 0x60, 0x2e, 0x3f, 0xc5, 0xc9, 0x25, 0x9c, 0x26, 0x5f, 0x20, 0x51,
	0xf9, 0xdf, 0x50, 0x09, 0xee, 0xad, 0xe7, 0x59, 0xd4, 0xd8, 0xd7, 0x94, 0x73, 0x3b, 0xfc,
	0x4e, 0x31, 0xec, 0x61, 0x76, 0xb7, 0x74, 0xa7, 0x0a, 0x9b, 0xf7, 0x11, 0x99, 0xe5, 0xb9,
	0x18, 0x00, 0x24, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0xc0, 0x2b,
	0xc0, 0x2f, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x24, 0xc0, 0x28, 0xc0, 0x23, 0xc0, 0x27, 0x00,
	0x9f, 0x00, 0x9e, 0x00, 0x6b, 0x00, 0x67, 0x00, 0xff, 0x01, 0x00, 0x01, 0x8f, 0x00, 0x00,
	0x00, 0x11, 0x00, 0x0f, 0x00, 0x00, 0x0c, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e,
	0x74, 0x65, 0x73, 0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00,
	0x16, 0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00,
	0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31,
	0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04,
	0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b,
	0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03,
	0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x05, 0x04, 0x03,
	0x04, 0x03, 0x03, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24,
	0x00, 0x1d, 0x00, 0x20, 0x59, 0x81, 0x9f, 0xef, 0x9b, 0x5b, 0xfe, 0x64, 0x6b, 0x43, 0x04,
	0x21, 0x23, 0x9e, 0x1f, 0xc8, 0xae, 0x17, 0x7e, 0x26, 0xd4, 0xf7, 0x26, 0x32, 0x69, 0xae,
	0xac, 0x63, 0xe4, 0x8c, 0x23, 0x66, 0x00, 0x15, 0x00, 0xcf, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

/* A message being built, with lengths patched in once their contents are known. */
struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, unsigned int v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned int v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v);
}

static void put_raw(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* Opens a length field of @width bytes; close_len() fills it in. */
static size_t open_len(struct msg *m, int width)
{
	size_t at = m->n;

	while (width--)
		put8(m, 0);
	return at;
}

static void close_len(struct msg *m, size_t at, int width)
{
	size_t len = m->n - at - (size_t)width;
	int i;

	for (i = width - 1; i >= 0; i--, len >>= 8)
		m->b[at + (size_t)i] = (uint8_t)len;
}

/* ---- DNS ---- */

static void dns_header(struct msg *m, unsigned int id, unsigned int flags, unsigned int qd,
		       unsigned int an)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* The labels of @dotted ("" for none), then the root label if @root. */
static void put_labels(struct msg *m, const char *dotted, bool root)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);

		put8(m, (unsigned int)n);
		put_raw(m, dotted, n);
		dotted += n + (dot ? 1 : 0);
	}
	if (root)
		put8(m, 0);
}

static void put_ptr(struct msg *m, size_t off)
{
	put16(m, 0xc000 | (unsigned int)off);
}

static void put_question(struct msg *m, const char *name, unsigned int type)
{
	put_labels(m, name, true);
	put16(m, type);
	put16(m, 1);
}

/* type, class IN, ttl; returns where rdlength is, for close_len(m, at, 2) */
static size_t put_rr(struct msg *m, unsigned int type, uint32_t ttl)
{
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	return open_len(m, 2);
}

static void put_a(struct msg *m, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	size_t at = put_rr(m, 1, 60);

	put8(m, a);
	put8(m, b);
	put8(m, c);
	put8(m, d);
	close_len(m, at, 2);
}

/* Every string of @m ends within its array, and the counts agree. */
static bool dns_sane(const struct hornet_dns_msg *m)
{
	unsigned int i;

	if (!memchr(m->qname, '\0', sizeof(m->qname)))
		return false;
	if (m->nr_parsed > HORNET_DNS_MAX_ANSWERS || m->nr_parsed > m->nr_answers)
		return false;
	for (i = 0; i < HORNET_DNS_MAX_ANSWERS; i++) {
		if (!memchr(m->answers[i].name, '\0', sizeof(m->answers[i].name)) ||
		    !memchr(m->answers[i].data, '\0', sizeof(m->answers[i].data)))
			return false;
	}
	return true;
}

/* Names and data are printable: every other byte is escaped. */
static bool printable(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

static struct hornet_dns_msg dm;

/* Parses into the static dm (it is 8 KiB) after filling it with junk. */
static int dns(const uint8_t *buf, size_t len)
{
	int ret;

	memset(&dm, 0xa5, sizeof(dm));
	ret = hornet_dns_parse(buf, len, &dm);
	if (!dns_sane(&dm)) {
		UNIT_FAIL("parse of %zu bytes left an unterminated string or bad count", len);
		return -1000;
	}
	return ret;
}

/* The question www.example.com A, an answer section of CNAME cdn.example.com, two As. */
static void build_cname_response(struct msg *m, size_t *ends)
{
	size_t q, cname, at;

	dns_header(m, 0xbeef, 0x8180, 1, 3);
	q = m->n;
	put_question(m, "www.example.com", 1);
	ends[0] = m->n;
	/* www.example.com CNAME cdn.example.com, both compressed */
	put_ptr(m, q);
	at = put_rr(m, 5, 3600);
	cname = m->n;
	put_labels(m, "cdn", false);
	put_ptr(m, q + 4); /* "example.com" inside the question */
	close_len(m, at, 2);
	ends[1] = m->n;
	/* cdn.example.com A 192.0.2.1 and 198.51.100.7: a pointer to a pointer */
	put_ptr(m, cname);
	put_a(m, 192, 0, 2, 1);
	ends[2] = m->n;
	put_ptr(m, cname);
	put_a(m, 198, 51, 100, 7);
	ends[3] = m->n;
}

static void test_dns(void)
{
	struct msg m;

	UNIT_CASE("dns_query_a")
	{
		dns_header(&m, 0x1234, 0x0100, 1, 0);
		put_question(&m, "example.com", 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.id, 0x1234);
		CHECK(!dm.response);
		CHECK_INT(dm.opcode, 0);
		CHECK_INT(dm.rcode, 0);
		CHECK_STR(dm.qname, "example.com");
		CHECK_INT(dm.qtype, 1);
		CHECK_INT(dm.nr_questions, 1);
		CHECK_INT(dm.nr_answers, 0);
		CHECK_INT(dm.nr_parsed, 0);
		CHECK_STR(hornet_dns_type_name(dm.qtype), "A");
	}

	UNIT_CASE("dns_over_tcp")
	{
		struct msg t;

		dns_header(&m, 0x1234, 0x0100, 1, 0);
		put_question(&m, "example.com", 1);
		t.n = 0;
		put8(&t, m.n >> 8);
		put8(&t, m.n & 0xff);
		memcpy(t.b + 2, m.b, m.n);
		t.n = m.n + 2;
		memset(&dm, 0xa5, sizeof(dm));
		CHECK_INT(hornet_dns_parse_tcp(t.b, t.n, &dm), 0);
		CHECK_INT(dm.id, 0x1234);
		CHECK_STR(dm.qname, "example.com");
		/* a length past the segment: what is there; a length too short: error */
		t.b[0] = 0xff;
		CHECK_INT(hornet_dns_parse_tcp(t.b, t.n, &dm), 0);
		t.b[0] = 0;
		t.b[1] = 5;
		CHECK(hornet_dns_parse_tcp(t.b, t.n, &dm) < 0);
		CHECK(hornet_dns_parse_tcp(t.b, 1, &dm) < 0);
	}

	UNIT_CASE("dns_response_cname_and_two_a")
	{
		size_t ends[4];

		build_cname_response(&m, ends);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.id, 0xbeef);
		CHECK(dm.response);
		CHECK_INT(dm.rcode, 0);
		CHECK_STR(dm.qname, "www.example.com");
		CHECK_INT(dm.nr_answers, 3);
		CHECK_INT(dm.nr_parsed, 3);
		CHECK_STR(dm.answers[0].name, "www.example.com");
		CHECK_INT(dm.answers[0].type, 5);
		CHECK_INT(dm.answers[0].ttl, 3600);
		CHECK_STR(dm.answers[0].data, "cdn.example.com");
		CHECK_STR(dm.answers[1].name, "cdn.example.com");
		CHECK_INT(dm.answers[1].type, 1);
		CHECK_INT(dm.answers[1].ttl, 60);
		CHECK_STR(dm.answers[1].data, "192.0.2.1");
		CHECK_STR(dm.answers[2].name, "cdn.example.com");
		CHECK_STR(dm.answers[2].data, "198.51.100.7");
	}

	UNIT_CASE("dns_response_aaaa_ns_ptr_mx")
	{
		static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
		size_t at;

		dns_header(&m, 7, 0x8180, 1, 4);
		put_question(&m, "v6.example.org", 28);
		put_ptr(&m, 12);
		at = put_rr(&m, 28, 0xffffffff);
		put_raw(&m, v6, 16);
		close_len(&m, at, 2);
		put_ptr(&m, 15); /* example.org */
		at = put_rr(&m, 2, 5);
		put_labels(&m, "ns1.example.org", true);
		close_len(&m, at, 2);
		put_labels(&m, "1.2.0.192.in-addr.arpa", true);
		at = put_rr(&m, 12, 6);
		put_ptr(&m, 12);
		close_len(&m, at, 2);
		put_ptr(&m, 15);
		at = put_rr(&m, 15, 7); /* MX: no data shown */
		put16(&m, 10);
		put_labels(&m, "mx", false);
		put_ptr(&m, 15);
		close_len(&m, at, 2);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_STR(dm.qname, "v6.example.org");
		CHECK_INT(dm.qtype, 28);
		CHECK_INT(dm.nr_parsed, 4);
		CHECK_INT(dm.answers[0].type, 28);
		CHECK_INT(dm.answers[0].ttl, 0xffffffff);
		CHECK_STR(dm.answers[0].data, "2001:db8::1");
		CHECK_STR(dm.answers[1].name, "example.org");
		CHECK_STR(dm.answers[1].data, "ns1.example.org");
		CHECK_STR(dm.answers[2].name, "1.2.0.192.in-addr.arpa");
		CHECK_STR(dm.answers[2].data, "v6.example.org");
		CHECK_INT(dm.answers[3].type, 15);
		CHECK_STR(dm.answers[3].data, "");
		CHECK_STR(hornet_dns_type_name(dm.answers[3].type), "MX");
	}

	UNIT_CASE("dns_nxdomain")
	{
		dns_header(&m, 0x4242, 0x8183, 1, 0);
		put_question(&m, "nope.example.com", 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK(dm.response);
		CHECK_INT(dm.rcode, 3);
		CHECK_STR(dm.qname, "nope.example.com");
		CHECK_INT(dm.nr_parsed, 0);
		/* opcode 2 (STATUS), rcode 5 (REFUSED) */
		dns_header(&m, 1, 0x9005, 1, 0);
		put_question(&m, "x", 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.opcode, 2);
		CHECK_INT(dm.rcode, 5);
	}

	UNIT_CASE("dns_root_and_no_question")
	{
		dns_header(&m, 1, 0x0000, 1, 0);
		put_question(&m, "", 2); /* ". NS", the priming query */
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_STR(dm.qname, ".");
		CHECK_STR(hornet_dns_type_name(dm.qtype), "NS");
		/* no question: the answers follow the header */
		dns_header(&m, 1, 0x8180, 0, 1);
		put_labels(&m, "a.b", true);
		put_a(&m, 10, 0, 0, 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_STR(dm.qname, "");
		CHECK_INT(dm.nr_parsed, 1);
		CHECK_STR(dm.answers[0].data, "10.0.0.1");
	}

	UNIT_CASE("dns_query_has_no_answers")
	{
		/* a query claiming an answer: not read */
		dns_header(&m, 1, 0x0100, 1, 1);
		put_question(&m, "q.example", 1);
		put_ptr(&m, 12);
		put_a(&m, 1, 2, 3, 4);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.nr_answers, 1);
		CHECK_INT(dm.nr_parsed, 0);
	}

	UNIT_CASE("dns_second_question_skipped")
	{
		dns_header(&m, 1, 0x8180, 2, 1);
		put_question(&m, "first.example", 1);
		put_ptr(&m, 12 + 6); /* "example" */
		put16(&m, 28);
		put16(&m, 1);
		put_ptr(&m, 12);
		put_a(&m, 1, 2, 3, 4);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_STR(dm.qname, "first.example");
		CHECK_INT(dm.qtype, 1);
		CHECK_INT(dm.nr_parsed, 1);
		CHECK_STR(dm.answers[0].name, "first.example");
	}

	UNIT_CASE("dns_pointer_loops")
	{
		size_t at;

		/* the question's name points at itself */
		dns_header(&m, 1, 0x0100, 1, 0);
		put_ptr(&m, 12);
		put16(&m, 1);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* a label, then back to the start of the same name */
		dns_header(&m, 1, 0x0100, 1, 0);
		put_labels(&m, "a", false);
		put_ptr(&m, 12);
		put16(&m, 1);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* two pointers pointing at each other, in an answer */
		dns_header(&m, 1, 0x8180, 1, 1);
		put_question(&m, "x", 1);
		at = m.n;
		put_ptr(&m, at + 2);
		put_ptr(&m, at);
		put_a(&m, 1, 2, 3, 4);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/*
		 * A cycle through two places: a NULL record holds "b" and a
		 * pointer to the next answer's name, which is "a" and a pointer
		 * back into the NULL record.
		 */
		dns_header(&m, 1, 0x8180, 1, 2);
		put_question(&m, "x", 1);
		put_ptr(&m, 12);
		at = put_rr(&m, 10, 1);
		put_labels(&m, "b", false);
		put_ptr(&m, m.n + 2);
		close_len(&m, at, 2);
		put_labels(&m, "a", false);
		put_ptr(&m, at + 2);
		put_a(&m, 1, 2, 3, 4);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		CHECK_INT(dm.nr_parsed, 1);
	}

	UNIT_CASE("dns_pointer_past_end")
	{
		dns_header(&m, 1, 0x0100, 1, 0);
		put_ptr(&m, 0x3fff);
		put16(&m, 1);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* in an answer's data */
		dns_header(&m, 1, 0x8180, 1, 1);
		put_question(&m, "x", 1);
		put_ptr(&m, 12);
		{
			size_t at = put_rr(&m, 5, 1);

			put_ptr(&m, m.n + 40);
			close_len(&m, at, 2);
		}
		CHECK_INT(dns(m.b, m.n), -EINVAL);
	}

	UNIT_CASE("dns_jump_limit")
	{
		int k;

		/*
		 * A NULL record holds "a" and a chain of pointers, each to the
		 * one before; the next answer's name enters the chain at link k:
		 * 1 + k jumps in all.
		 */
		for (k = 14; k <= 17; k++) {
			size_t at, start, link[20];
			int i;

			dns_header(&m, 1, 0x8180, 1, 2);
			put_question(&m, "x", 1);
			put_ptr(&m, 12);
			at = put_rr(&m, 10, 1);
			start = m.n;
			put_labels(&m, "a", true);
			for (i = 0; i < 17; i++) {
				link[i] = m.n;
				put_ptr(&m, i ? link[i - 1] : start);
			}
			close_len(&m, at, 2);
			put_ptr(&m, link[k - 1]);
			put_a(&m, 1, 2, 3, 4);
			if (1 + k <= 16) {
				CHECK_INT(dns(m.b, m.n), 0);
				CHECK_STR(dm.answers[1].name, "a");
			} else {
				CHECK_INT(dns(m.b, m.n), -EINVAL);
			}
		}
	}

	UNIT_CASE("dns_label_too_long")
	{
		char label[65];

		memset(label, 'x', 64);
		label[64] = '\0';
		dns_header(&m, 1, 0x0100, 1, 0);
		put_question(&m, label, 1); /* 64 = 0x40, an extended label type */
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		label[63] = '\0';
		dns_header(&m, 1, 0x0100, 1, 0);
		put_question(&m, label, 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(strlen(dm.qname), 63);
		/* 0x80, the other reserved label type */
		dns_header(&m, 1, 0x0100, 1, 0);
		put8(&m, 0x81);
		put8(&m, 'x');
		put8(&m, 0);
		put16(&m, 1);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
	}

	UNIT_CASE("dns_name_length_limit")
	{
		char name[300];

		/* 3 x 63 + 61: 3 x 64 + 62 + 1 = 255 bytes on the wire, the most */
		memset(name, 'a', sizeof(name));
		name[63] = name[127] = name[191] = '.';
		name[253] = '\0';
		dns_header(&m, 1, 0x0100, 1, 0);
		put_question(&m, name, 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_STR(dm.qname, name);
		CHECK_INT(strlen(dm.qname), 253);
		/* one byte more */
		name[253] = 'a';
		name[254] = '\0';
		dns_header(&m, 1, 0x0100, 1, 0);
		put_question(&m, name, 1);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* the same through a pointer: the length counts what is followed */
		dns_header(&m, 1, 0x8180, 1, 1);
		put_question(&m, name + 64, 1); /* 63 + 63 + 62: 192 bytes on the wire */
		name[63] = '\0';
		put_labels(&m, name, false); /* 64 more */
		put_ptr(&m, 12);
		put_a(&m, 1, 2, 3, 4);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
	}

	UNIT_CASE("dns_name_escapes")
	{
		static const uint8_t odd[] = { 5, 'a',	'.',  'b', ' ', '\\', 3,
					       0, 0x7f, 0xff, 2,   'O', 'k',  0 };
		uint8_t binary[64];
		int i;

		dns_header(&m, 1, 0x0100, 1, 0);
		put_raw(&m, odd, sizeof(odd));
		put16(&m, 16);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), 0);
		/* case kept, '.', space, '\' and non-printable bytes as \DDD */
		CHECK_STR(dm.qname, "a\\046b\\032\\092.\\000\\127\\255.Ok");
		CHECK_STR(hornet_dns_type_name(dm.qtype), "TXT");

		/* four labels of 63 binary bytes escape to ~1000 characters: cut, marked */
		memset(binary, 1, sizeof(binary));
		binary[0] = 63;
		dns_header(&m, 1, 0x0100, 1, 0);
		for (i = 0; i < 3; i++)
			put_raw(&m, binary, 64);
		binary[0] = 61;
		put_raw(&m, binary, 62);
		put8(&m, 0);
		put16(&m, 1);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK(strlen(dm.qname) <= HORNET_DNS_NAME_MAX - 1);
		CHECK(strlen(dm.qname) >= HORNET_DNS_NAME_MAX - 8);
		CHECK(!strncmp(dm.qname, "\\001\\001", 8));
		CHECK(!strcmp(dm.qname + strlen(dm.qname) - 7, "\\001..."));
		CHECK(printable(dm.qname));
		/* a cut right after a dot: the dot goes, "...." would be ambiguous */
		dns_header(&m, 1, 0x0100, 1, 0);
		binary[0] = 62;
		put_raw(&m, binary, 63);
		binary[0] = 63;
		put_raw(&m, binary, 64);
		put8(&m, 0);
		put16(&m, 1);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(strlen(dm.qname), 62 * 4 + 3);
		CHECK(!strcmp(dm.qname + strlen(dm.qname) - 7, "\\001..."));
	}

	UNIT_CASE("dns_truncated_answers")
	{
		size_t ends[4], len;

		build_cname_response(&m, ends);
		for (len = 0; len <= m.n; len++) {
			unsigned int want = len >= ends[3]   ? 3
					    : len >= ends[2] ? 2
							     : len >= ends[1];
			int ret = dns(m.b, len);

			if (len < ends[0]) {
				if (ret != -EINVAL)
					UNIT_FAIL("cut at %zu in the question: %d", len, ret);
				continue;
			}
			if (ret || dm.nr_parsed != want || dm.nr_answers != 3 ||
			    strcmp(dm.qname, "www.example.com"))
				UNIT_FAIL("cut at %zu: ret %d, %u answers, want %u", len, ret,
					  dm.nr_parsed, want);
			/* nothing of the cut answer is left behind */
			if (want < 3 && (dm.answers[want].name[0] || dm.answers[want].type))
				UNIT_FAIL("cut at %zu: answer %u partly filled", len, want);
		}
		/* rdlength past the end: a cut too */
		build_cname_response(&m, ends);
		m.b[ends[3] - 5] = 0xff;
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.nr_parsed, 2);
		/* a header claiming more answers than there are */
		build_cname_response(&m, ends);
		m.b[7] = 200;
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.nr_answers, 200);
		CHECK_INT(dm.nr_parsed, 3);
	}

	UNIT_CASE("dns_answers_past_the_limit")
	{
		int i;

		dns_header(&m, 1, 0x8180, 1, 20);
		put_question(&m, "many.example", 1);
		for (i = 0; i < 20; i++) {
			put_ptr(&m, 12);
			put_a(&m, 10, 0, 0, (uint8_t)i);
		}
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.nr_answers, 20);
		CHECK_INT(dm.nr_parsed, HORNET_DNS_MAX_ANSWERS);
		CHECK_STR(dm.answers[15].data, "10.0.0.15");
	}

	UNIT_CASE("dns_malformed_records")
	{
		size_t at;

		/* a CNAME whose name runs past its rdlength */
		dns_header(&m, 1, 0x8180, 1, 1);
		put_question(&m, "x", 1);
		put_ptr(&m, 12);
		at = put_rr(&m, 5, 1);
		put_labels(&m, "abc", true);
		close_len(&m, at, 2);
		m.b[at + 1] -= 2;
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* ... or stops before it */
		m.b[at + 1] += 3;
		put8(&m, 0);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* an empty CNAME */
		dns_header(&m, 1, 0x8180, 1, 1);
		put_question(&m, "x", 1);
		put_ptr(&m, 12);
		at = put_rr(&m, 5, 1);
		close_len(&m, at, 2);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
		/* an A record of 5 bytes: kept, without data */
		dns_header(&m, 1, 0x8180, 1, 1);
		put_question(&m, "x", 1);
		put_ptr(&m, 12);
		at = put_rr(&m, 1, 1);
		put32(&m, 0x01020304);
		put8(&m, 5);
		close_len(&m, at, 2);
		CHECK_INT(dns(m.b, m.n), 0);
		CHECK_INT(dm.nr_parsed, 1);
		CHECK_STR(dm.answers[0].data, "");
	}

	UNIT_CASE("dns_short_input")
	{
		uint8_t zeros[12] = { 0 };
		size_t len;

		CHECK_INT(dns(NULL, 0), -EINVAL);
		CHECK_INT(dns(NULL, 100), -EINVAL);
		CHECK_INT(dns(zeros, 0), -EINVAL);
		for (len = 1; len < 12; len++)
			CHECK_INT(dns(zeros, len), -EINVAL);
		/* a bare header with no question */
		CHECK_INT(dns(zeros, 12), 0);
		CHECK_STR(dm.qname, "");
		CHECK_INT(hornet_dns_parse(zeros, 12, NULL), -EINVAL);
		/* a question missing its type and class */
		dns_header(&m, 1, 0x0100, 1, 0);
		put_labels(&m, "example.com", true);
		put16(&m, 1);
		CHECK_INT(dns(m.b, m.n), -EINVAL);
	}

	UNIT_CASE("dns_captured_dig_dnsmasq")
	{
		CHECK_INT(dns(dig_query_www_a, sizeof(dig_query_www_a)), 0);
		CHECK_INT(dm.id, 0xb711);
		CHECK(!dm.response);
		CHECK_STR(dm.qname, "www.example.test");
		CHECK_INT(dm.qtype, 1);

		CHECK_INT(dns(dnsmasq_answer_www_a, sizeof(dnsmasq_answer_www_a)), 0);
		CHECK_INT(dm.id, 0xb711);
		CHECK(dm.response);
		CHECK_INT(dm.rcode, 0);
		CHECK_STR(dm.qname, "www.example.test");
		CHECK_INT(dm.nr_answers, 3);
		CHECK_INT(dm.nr_parsed, 3);
		CHECK_STR(dm.answers[0].name, "www.example.test");
		CHECK_STR(hornet_dns_type_name(dm.answers[0].type), "CNAME");
		CHECK_INT(dm.answers[0].ttl, 300);
		CHECK_STR(dm.answers[0].data, "web.example.test");
		CHECK_STR(dm.answers[1].name, "web.example.test");
		CHECK_STR(dm.answers[1].data, "192.0.2.10");
		CHECK_STR(dm.answers[2].name, "web.example.test");
		CHECK_STR(dm.answers[2].data, "192.0.2.11");

		CHECK_INT(dns(dnsmasq_answer_web_aaaa, sizeof(dnsmasq_answer_web_aaaa)), 0);
		CHECK_STR(dm.qname, "web.example.test");
		CHECK_STR(hornet_dns_type_name(dm.qtype), "AAAA");
		CHECK_INT(dm.nr_parsed, 1);
		CHECK_STR(dm.answers[0].data, "2001:db8::1:2");

		CHECK_INT(dns(dnsmasq_answer_nope_a, sizeof(dnsmasq_answer_nope_a)), 0);
		CHECK_STR(dm.qname, "nope.example.test");
		CHECK_INT(dm.rcode, 3);
		CHECK_INT(dm.nr_parsed, 0);

		CHECK_INT(dns(dnsmasq_answer_ptr, sizeof(dnsmasq_answer_ptr)), 0);
		CHECK_STR(dm.qname, "10.2.0.192.in-addr.arpa");
		CHECK_STR(hornet_dns_type_name(dm.qtype), "PTR");
		CHECK_INT(dm.nr_parsed, 1);
		CHECK_STR(dm.answers[0].data, "web.example.test");
	}

	UNIT_CASE("dns_type_names")
	{
		static const struct {
			uint16_t type;
			const char *name;
		} types[] = {
			{ 1, "A" },	{ 2, "NS" },	{ 5, "CNAME" },	 { 6, "SOA" },
			{ 12, "PTR" },	{ 15, "MX" },	{ 16, "TXT" },	 { 28, "AAAA" },
			{ 33, "SRV" },	{ 64, "SVCB" }, { 65, "HTTPS" }, { 255, "ANY" },
			{ 257, "CAA" }, { 43, "DS" },	{ 41, "OPT" },
		};
		size_t i;

		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			CHECK_STR(hornet_dns_type_name(types[i].type), types[i].name);
		CHECK(!hornet_dns_type_name(0));
		CHECK(!hornet_dns_type_name(65280));
	}
}

/* Random bytes, and valid messages with random bytes changed. */
static void test_dns_random(void)
{
	UNIT_CASE("dns_random_bytes")
	{
		static uint8_t buf[1100];
		struct msg m;
		size_t ends[4];
		int iter, bad = 0;

		build_cname_response(&m, ends);
		for (iter = 0; iter < 20000 && bad < 5; iter++) {
			size_t len, i;
			int ret;

			if (iter % 2) {
				len = unit_rng() % sizeof(buf);
				for (i = 0; i < len; i++)
					buf[i] = (uint8_t)unit_rng();
				/* often a plausible header */
				if (len > 12 && iter % 4 == 1) {
					buf[2] = 0x81;
					buf[4] = 0;
					buf[5] = 1;
					buf[6] = 0;
				}
			} else {
				len = m.n;
				memcpy(buf, m.b, len);
				for (i = unit_rng() % 4 + 1; i; i--)
					buf[unit_rng() % len] = (uint8_t)unit_rng();
				len -= unit_rng() % 8;
			}
			ret = dns(buf, len);
			if (ret == -1000) {
				bad++;
			} else if (ret && ret != -EINVAL) {
				UNIT_FAIL("iteration %d: %d", iter, ret);
				bad++;
			} else if (!ret) {
				unsigned int a;

				if (dm.qname[0] && !printable(dm.qname)) {
					UNIT_FAIL("iteration %d: qname not printable", iter);
					bad++;
				}
				for (a = 0; a < dm.nr_parsed; a++) {
					if (!printable(dm.answers[a].name) ||
					    (dm.answers[a].data[0] &&
					     !printable(dm.answers[a].data))) {
						UNIT_FAIL("iteration %d: answer %u", iter, a);
						bad++;
					}
				}
			}
		}
	}
}

/* ---- HTTP ---- */

static int http(const uint8_t *buf, size_t len, struct hornet_http_req *r)
{
	int ret;

	memset(r, 0xa5, sizeof(*r));
	ret = hornet_http_parse(buf, len, r);
	if (!memchr(r->method, 0, sizeof(r->method)) || !memchr(r->target, 0, sizeof(r->target)) ||
	    !memchr(r->version, 0, sizeof(r->version)) || !memchr(r->host, 0, sizeof(r->host))) {
		UNIT_FAIL("parse of %zu bytes left an unterminated string", len);
		return -1000;
	}
	return ret;
}

static void test_http(void)
{
	struct hornet_http_req r;

	UNIT_CASE("http_get_with_host")
	{
		CHECK_INT(http(B("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n"
				 "User-Agent: curl/8.0\r\nAccept: */*\r\n\r\n"),
			       &r),
			  0);
		CHECK_STR(r.method, "GET");
		CHECK_STR(r.target, "/index.html?q=1");
		CHECK_STR(r.version, "HTTP/1.1");
		CHECK_STR(r.host, "example.com");
		CHECK(!r.truncated);
	}

	UNIT_CASE("http_host_case_and_spaces")
	{
		CHECK_INT(http(B("GET / HTTP/1.1\r\nAccept: */*\r\nhost:  \t example.com:8080 \t "
				 "\r\n\r\n"),
			       &r),
			  0);
		CHECK_STR(r.host, "example.com:8080");
		CHECK_INT(http(B("HEAD / HTTP/1.0\r\nHOST:x.test\r\n\r\n"), &r), 0);
		CHECK_STR(r.method, "HEAD");
		CHECK_STR(r.version, "HTTP/1.0");
		CHECK_STR(r.host, "x.test");
		/* whitespace before the colon: not a Host field; the first Host wins */
		CHECK_INT(http(B("GET / HTTP/1.1\r\nHost : evil\r\nX-Host: no\r\nHost: a\r\n"
				 "Host: b\r\n\r\n"),
			       &r),
			  0);
		CHECK_STR(r.host, "a");
		/* an empty value */
		CHECK_INT(http(B("GET / HTTP/1.1\r\nHost:   \r\n\r\n"), &r), 0);
		CHECK_STR(r.host, "");
		CHECK(!r.truncated);
	}

	UNIT_CASE("http_post_and_methods")
	{
		static const char *const methods[] = { "GET",	  "HEAD",   "POST",
						       "PUT",	  "DELETE", "CONNECT",
						       "OPTIONS", "TRACE",  "PATCH" };
		char req[64];
		size_t i;

		CHECK_INT(http(B("POST /api/v1 HTTP/1.1\r\nContent-Length: 3\r\nHost: api.test\r\n"
				 "\r\nabc"),
			       &r),
			  0);
		CHECK_STR(r.method, "POST");
		CHECK_STR(r.target, "/api/v1");
		CHECK_STR(r.host, "api.test");
		CHECK(!r.truncated);
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
			snprintf(req, sizeof(req), "%s * HTTP/1.1\r\n\r\n", methods[i]);
			CHECK_INT(http((const uint8_t *)req, strlen(req), &r), 0);
			CHECK_STR(r.method, methods[i]);
		}
		CHECK_INT(
			http(B("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
			     &r),
			0);
		CHECK_STR(r.target, "example.com:443");
	}

	UNIT_CASE("http_missing_host")
	{
		CHECK_INT(http(B("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), &r), 0);
		CHECK_STR(r.host, "");
		CHECK(!r.truncated);
		CHECK_INT(http(B("GET / HTTP/1.0\r\n\r\n"), &r), 0);
		CHECK_STR(r.host, "");
		CHECK(!r.truncated);
	}

	UNIT_CASE("http_absolute_form")
	{
		CHECK_INT(http(B("GET http://example.com:81/a?b=c HTTP/1.1\r\n\r\n"), &r), 0);
		CHECK_STR(r.target, "http://example.com:81/a?b=c");
		/* the host is the Host field's, never taken from the target */
		CHECK_STR(r.host, "");
	}

	UNIT_CASE("http_bare_lf")
	{
		CHECK_INT(http(B("GET /x HTTP/1.1\nHost: lf.test\n\n"), &r), 0);
		CHECK_STR(r.target, "/x");
		CHECK_STR(r.host, "lf.test");
		CHECK(!r.truncated);
	}

	UNIT_CASE("http_truncated")
	{
		CHECK_INT(http(B("GET /very/long/pa"), &r), 0);
		CHECK_STR(r.method, "GET");
		CHECK_STR(r.target, "/very/long/pa");
		CHECK_STR(r.version, "");
		CHECK(r.truncated);
		CHECK_INT(http(B("GET "), &r), 0);
		CHECK_STR(r.target, "");
		CHECK(r.truncated);
		CHECK_INT(http(B("GET /x HTTP/1."), &r), 0);
		CHECK_STR(r.version, "HTTP/1.");
		CHECK(r.truncated);
		CHECK_INT(http(B("GET /x HTTP/1.1\r"), &r), 0);
		CHECK_STR(r.version, "HTTP/1.1");
		CHECK(r.truncated);
		CHECK_INT(http(B("GET / HTTP/1.1\r\nHost: exa"), &r), 0);
		CHECK_STR(r.host, "exa");
		CHECK(r.truncated);
		CHECK_INT(http(B("GET / HTTP/1.1\r\nHost: a.test\r\nAccept: x\r\n"), &r), 0);
		CHECK_STR(r.host, "a.test");
		CHECK(r.truncated);
		CHECK_INT(http(B("GET / HTTP/1.1\r\nHost: a.test\r"), &r), 0);
		CHECK_STR(r.host, "a.test");
		CHECK(r.truncated);
		/* not even a method yet */
		CHECK_INT(http(B(""), &r), -ENODATA);
		CHECK_INT(http(NULL, 0, &r), -ENODATA);
		CHECK_INT(http(NULL, 10, &r), -EINVAL);
		CHECK_INT(http(B("G"), &r), -ENODATA);
		CHECK_INT(http(B("OPTIONS"), &r), -ENODATA);
	}

	UNIT_CASE("http_every_prefix")
	{
		static const char req[] =
			"PATCH /p?x=1 HTTP/1.1\r\nAccept: */*\r\nHost: h.test\r\n\r\n";
		size_t len, full = strlen(req);

		for (len = 0; len <= full; len++) {
			int ret = http((const uint8_t *)req, len, &r);

			if (len < 6) {
				if (ret != -ENODATA)
					UNIT_FAIL("prefix %zu: %d", len, ret);
				continue;
			}
			if (ret || strcmp(r.method, "PATCH") ||
			    strncmp(r.target, "/p?x=1", strlen(r.target)) ||
			    strncmp(r.version, "HTTP/1.1", strlen(r.version)) ||
			    strncmp(r.host, "h.test", strlen(r.host)) ||
			    r.truncated != (len < full))
				UNIT_FAIL(
					"prefix %zu: ret %d target '%s' version '%s' host '%s' %d",
					len, ret, r.target, r.version, r.host, r.truncated);
		}
	}

	UNIT_CASE("http_long_fields_cut")
	{
		static uint8_t req[2200];
		size_t n = 0;

		memcpy(req, "GET /", 5);
		n = 5;
		memset(req + n, 'a', 1500);
		n += 1500;
		memcpy(req + n, " HTTP/1.1\r\nHost: ", 17);
		n += 17;
		memset(req + n, 'h', 300);
		n += 300;
		memcpy(req + n, "\r\n\r\n", 4);
		n += 4;
		CHECK_INT(http(req, n, &r), 0);
		CHECK_INT(strlen(r.target), sizeof(r.target) - 1);
		CHECK_INT(strlen(r.host), sizeof(r.host) - 1);
		CHECK_STR(r.version, "HTTP/1.1");
		CHECK(r.truncated);
	}

	UNIT_CASE("http_control_bytes_kept")
	{
		CHECK_INT(http(B("GET /a\tb\x01\x1b[31m\x7f\xff HTTP/1.1\r\nHost: h\x1bx\r\n\r\n"),
			       &r),
			  0);
		CHECK_STR(r.target, "/a\tb\x01\x1b[31m\x7f\xff");
		CHECK_STR(r.host, "h\x1bx");
	}

	UNIT_CASE("http_rejects")
	{
		static const struct {
			const char *s;
			size_t n;
		} bad[] = {
#define BAD(s) { (s), sizeof(s) - 1 }
			BAD("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), /* TLS */
			BAD("garbage that is not http"),
			BAD("get / HTTP/1.1\r\n\r\n"), /* methods are case-sensitive */
			BAD("FOO / HTTP/1.1\r\n\r\n"),
			BAD("GETT / HTTP/1.1\r\n\r\n"),
			BAD("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), /* HTTP/2 preface */
			BAD(" GET / HTTP/1.1\r\n\r\n"),
			BAD("GET  / HTTP/1.1\r\n\r\n"), /* empty target */
			BAD("GET / HTTP/1.1 \r\n\r\n"),
			BAD("GET / HTTX/1.1\r\n\r\n"),
			BAD("GET / HTTP/1.x\r\n\r\n"),
			BAD("GET / HTTP/11\r\n\r\n"),
			BAD("GET / HTTP/1.1x\r\n\r\n"),
			BAD("GET / HTTP/1.1\rX\r\n\r\n"),
			BAD("GET / HTTP/1.1 extra\r\n"),
			BAD("GET /a\0b HTTP/1.1\r\n\r\n"), /* NUL in the target */
			BAD("GET /a\rb HTTP/1.1\r\n\r\n"),
			BAD("GET /a\nb HTTP/1.1\r\n\r\n"),
			BAD("GET /a\r\n"),
			BAD("GET /\0"),
			BAD("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"), /* NUL in Host */
			BAD("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"),
			BAD("\0\0\0\0\0\0\0\0\0\0"),
			BAD("GE\0"),
#undef BAD
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int ret = http((const uint8_t *)bad[i].s, bad[i].n, &r);

			if (ret != -EINVAL)
				UNIT_FAIL("bad[%zu] gave %d, want -EINVAL", i, ret);
		}
		CHECK_INT(hornet_http_parse(B("GET / HTTP/1.1\r\n\r\n"), NULL), -EINVAL);
	}

	UNIT_CASE("http_random_bytes")
	{
		static const char base[] = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
		uint8_t buf[256];
		int iter;

		for (iter = 0; iter < 20000; iter++) {
			size_t len, i;
			int ret;

			if (iter % 2) {
				len = unit_rng() % sizeof(buf);
				for (i = 0; i < len; i++)
					buf[i] = (uint8_t)unit_rng();
			} else {
				len = strlen(base);
				memcpy(buf, base, len);
				for (i = unit_rng() % 3 + 1; i; i--)
					buf[unit_rng() % len] =
						(uint8_t)(unit_rng() % 4
								  ? (uint8_t)unit_rng()
								  : "\0\r\n :"[unit_rng() % 5]);
			}
			ret = http(buf, len, &r);
			if (ret == -1000)
				break;
			if (ret && ret != -EINVAL && ret != -ENODATA) {
				UNIT_FAIL("iteration %d: %d", iter, ret);
				break;
			}
			if (!ret && (strpbrk(r.target, "\r\n") || strpbrk(r.host, "\r\n"))) {
				UNIT_FAIL("iteration %d: CR or LF kept", iter);
				break;
			}
		}
	}
}

/* ---- TLS ---- */

/* An extension: type, then contents as given */
struct ext {
	unsigned int type;
	const uint8_t *data;
	size_t len;
};

/* server_name with one host_name @name (length @n) */
static size_t sni_ext(uint8_t *out, const char *name, size_t n)
{
	struct msg m = { .n = 0 };
	size_t list;

	list = open_len(&m, 2);
	put8(&m, 0);
	put16(&m, (unsigned int)n);
	put_raw(&m, name, n);
	close_len(&m, list, 2);
	memcpy(out, m.b, m.n);
	return m.n;
}

/* application_layer_protocol_negotiation with @protos, "h2,http/1.1" */
static size_t alpn_ext(uint8_t *out, const char *protos)
{
	struct msg m = { .n = 0 };
	size_t list = open_len(&m, 2);

	while (*protos) {
		const char *comma = strchr(protos, ',');
		size_t n = comma ? (size_t)(comma - protos) : strlen(protos);

		put8(&m, (unsigned int)n);
		put_raw(&m, protos, n);
		protos += n + (comma ? 1 : 0);
	}
	close_len(&m, list, 2);
	memcpy(out, m.b, m.n);
	return m.n;
}

/*
 * A record holding a ClientHello with @nr extensions (@nr < 0: no extension
 * block at all). Returns the offset of the extension block.
 */
static size_t build_hello(struct msg *m, const struct ext *exts, int nr)
{
	size_t rec, hs, block, at, start;
	int i;

	m->n = 0;
	put8(m, 22);
	put16(m, 0x0301);
	rec = open_len(m, 2);
	put8(m, 1);
	hs = open_len(m, 3);
	put16(m, 0x0303);
	for (i = 0; i < 32; i++)
		put8(m, (unsigned int)i);
	put8(m, 32); /* session id */
	for (i = 0; i < 32; i++)
		put8(m, 0xee);
	put16(m, 6); /* three cipher suites */
	put16(m, 0x1301);
	put16(m, 0x1302);
	put16(m, 0xc02f);
	put8(m, 1); /* compression: null */
	put8(m, 0);
	start = m->n;
	if (nr >= 0) {
		block = open_len(m, 2);
		for (i = 0; i < nr; i++) {
			put16(m, exts[i].type);
			at = open_len(m, 2);
			put_raw(m, exts[i].data, exts[i].len);
			close_len(m, at, 2);
		}
		close_len(m, block, 2);
	}
	close_len(m, hs, 3);
	close_len(m, rec, 2);
	return start;
}

static int tls(const uint8_t *buf, size_t len, struct hornet_tls_hello *h)
{
	int ret;

	memset(h, 0xa5, sizeof(*h));
	ret = hornet_tls_parse_client_hello(buf, len, h);
	if (!memchr(h->sni, 0, sizeof(h->sni)) || !memchr(h->alpn, 0, sizeof(h->alpn))) {
		UNIT_FAIL("parse of %zu bytes left an unterminated string", len);
		return -1000;
	}
	return ret;
}

static const uint8_t grease_data[] = { 0 };
static const uint8_t groups_data[] = { 0, 4, 0, 0x1d, 0, 0x17 };

static void test_tls(void)
{
	struct hornet_tls_hello h;
	uint8_t sni[300], alpn[64];
	struct msg m;

	UNIT_CASE("tls_python_client_hello")
	{
		const uint8_t *name;
		size_t sni_end, len;

		CHECK_INT(tls(python_client_hello, sizeof(python_client_hello), &h), 0);
		CHECK_INT(h.version, 0x0303);
		CHECK_STR(h.sni, "example.test");
		CHECK_STR(h.alpn, "h2");
		/* every cut: the SNI as soon as its extension is whole, never a lie */
		name = memmem(python_client_hello, sizeof(python_client_hello), "example.test", 12);
		CHECK(name != NULL);
		sni_end = name ? (size_t)(name - python_client_hello) + 12 : 0;
		for (len = 0; name && len < sizeof(python_client_hello); len++) {
			int ret = tls(python_client_hello, len, &h);

			if (len < sni_end ? ret != -ENODATA : ret || strcmp(h.sni, "example.test"))
				UNIT_FAIL("cut at %zu: %d '%s'", len, ret, h.sni);
			if (!ret && h.alpn[0] && strcmp(h.alpn, "h2"))
				UNIT_FAIL("cut at %zu: alpn '%s'", len, h.alpn);
		}
	}

	UNIT_CASE("tls_no_sni")
	{
		struct ext e[] = { { 10, groups_data, sizeof(groups_data) },
				   { 0x0a0a, grease_data, 0 } };

		build_hello(&m, e, 2);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_INT(h.version, 0x0303);
		CHECK_STR(h.sni, "");
		CHECK_STR(h.alpn, "");
		/* no extension block at all, as before TLS 1.2 */
		build_hello(&m, NULL, -1);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_STR(h.sni, "");
		/* a server_name extension with no host_name entry */
		{
			static const uint8_t other[] = { 0, 5, 7, 0, 2, 'a', 'b' };
			struct ext o[2] = { { 0, other, sizeof(other) },
					    { 10, groups_data, sizeof(groups_data) } };

			build_hello(&m, o, 2);
			CHECK_INT(tls(m.b, m.n, &h), 0);
			CHECK_STR(h.sni, "");
			/* known to be absent before a cut: 0 still */
			CHECK_INT(tls(m.b, m.n - 9, &h), 0);
			CHECK_STR(h.sni, "");
		}
	}

	UNIT_CASE("tls_sni_and_alpn")
	{
		struct ext e[3] = { { 0x1a1a, grease_data, 0 } };

		e[1] = (struct ext){ 16, alpn, alpn_ext(alpn, "http/1.1,h2") };
		e[2] = (struct ext){ 0, sni, sni_ext(sni, "www.example.com", 15) };
		build_hello(&m, e, 3);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_STR(h.sni, "www.example.com");
		CHECK_STR(h.alpn, "http/1.1");
		/* ALPN only */
		build_hello(&m, e, 2);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_STR(h.sni, "");
		CHECK_STR(h.alpn, "http/1.1");
		/* the record's version may be anything from TLS 1.0 to 1.3 */
		build_hello(&m, e, 3);
		m.b[2] = 4;
		CHECK_INT(tls(m.b, m.n, &h), 0);
		m.b[2] = 3;
		CHECK_INT(tls(m.b, m.n, &h), 0);
	}

	UNIT_CASE("tls_truncated_in_extensions")
	{
		struct ext e[3];
		size_t start, sni_end, len;

		/* SNI, then ALPN: a cut in the ALPN still gives the SNI */
		e[0] = (struct ext){ 10, groups_data, sizeof(groups_data) };
		e[1] = (struct ext){ 0, sni, sni_ext(sni, "cut.example", 11) };
		e[2] = (struct ext){ 16, alpn, alpn_ext(alpn, "h2") };
		start = build_hello(&m, e, 3);
		sni_end = start + 2 + 4 + sizeof(groups_data) + 4 + e[1].len;
		for (len = 0; len <= m.n; len++) {
			int ret = tls(m.b, len, &h);

			if (len < sni_end) {
				if (ret != -ENODATA)
					UNIT_FAIL("cut at %zu before the SNI: %d", len, ret);
			} else if (ret || strcmp(h.sni, "cut.example") ||
				   strcmp(h.alpn, len == m.n ? "h2" : "")) {
				UNIT_FAIL("cut at %zu: %d '%s' '%s'", len, ret, h.sni, h.alpn);
			}
		}
		/* ALPN first, SNI after the cut: not known, -ENODATA */
		e[1] = (struct ext){ 16, alpn, alpn_ext(alpn, "h2") };
		e[2] = (struct ext){ 0, sni, sni_ext(sni, "late.example", 12) };
		build_hello(&m, e, 3);
		CHECK_INT(tls(m.b, m.n - 3, &h), -ENODATA);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_STR(h.sni, "late.example");
	}

	UNIT_CASE("tls_fragmented_hello")
	{
		struct ext e[2];

		/* the hello goes on in a second record: the first ends the view */
		e[0] = (struct ext){ 0, sni, sni_ext(sni, "frag.example", 12) };
		e[1] = (struct ext){ 10, groups_data, sizeof(groups_data) };
		build_hello(&m, e, 2);
		m.b[3] = 0;
		m.b[4] = (uint8_t)(m.n - 5 - 6); /* the record stops 6 bytes early */
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_STR(h.sni, "frag.example");
		m.b[4] = (uint8_t)(m.n - 5 - 30); /* ... in the middle of the SNI */
		CHECK_INT(tls(m.b, m.n, &h), -ENODATA);
	}

	UNIT_CASE("tls_lying_lengths")
	{
		struct ext e[2];
		size_t start, ext0;

		e[0] = (struct ext){ 0, sni, sni_ext(sni, "liar.example", 12) };
		e[1] = (struct ext){ 16, alpn, alpn_ext(alpn, "h2") };
		start = build_hello(&m, e, 2);
		ext0 = start + 2;
		CHECK_INT(tls(m.b, m.n, &h), 0);

		/* each length one more than what holds it */
#define LIE(off, delta)                                \
	do {                                           \
		struct msg l = m;                      \
		l.b[(off)] += (delta);                 \
		CHECK_INT(tls(l.b, l.n, &h), -EINVAL); \
	} while (0)
		LIE(start + 1, 1); /* the extension block, past the hello */
		LIE(ext0 + 3, 30); /* the server_name extension, past the block */
		LIE(ext0 + 5, 1); /* the server name list, past the extension */
		LIE(ext0 + 8, 1); /* the host name, past the list */
		LIE(ext0 + 4 + e[0].len + 3, 1); /* ALPN extension, past the block */
		LIE(ext0 + 4 + e[0].len + 5, 1); /* ALPN list, past the extension */
		LIE(ext0 + 4 + e[0].len + 6, 2); /* the protocol, past the list */
		LIE(43, 1); /* session id of 33 */
		LIE(77, 1); /* cipher suites: odd */
		LIE(76, 1); /* cipher suites past the hello */
		LIE(0, 1); /* record type 23, application data */
		LIE(5, 1); /* a ServerHello */
		LIE(1, 1); /* record version 4.1 */
		LIE(9, 1); /* legacy_version 4.3 */
#undef LIE
		/* the record: 0x0300 (SSL 3) and 0x0305 are refused, so are 0 and > 2^14 bytes */
		m.b[2] = 0;
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		m.b[2] = 5;
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		m.b[2] = 1;
		m.b[3] = 0x40;
		m.b[4] = 1;
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		m.b[3] = m.b[4] = 0;
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		/* a handshake shorter than the hello in it */
		build_hello(&m, e, 2);
		m.b[8] -= 1;
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		m.b[8] = 10; /* ... than its random */
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		/* empty host_name, empty protocol */
		{
			static const uint8_t empty_name[] = { 0, 3, 0, 0, 0 };
			static const uint8_t empty_proto[] = { 0, 2, 0, 0 };
			struct ext x = { 0, empty_name, sizeof(empty_name) };

			build_hello(&m, &x, 1);
			CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
			x = (struct ext){ 16, empty_proto, sizeof(empty_proto) };
			build_hello(&m, &x, 1);
			CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		}
	}

	UNIT_CASE("tls_odd_names")
	{
		char long_name[300];
		struct ext e;

		/* a NUL would hide the rest of the name */
		e = (struct ext){ 0, sni, sni_ext(sni, "good.test\0evil", 14) };
		build_hello(&m, &e, 1);
		CHECK_INT(tls(m.b, m.n, &h), -EINVAL);
		/* too long for sni[]: cut */
		memset(long_name, 'n', sizeof(long_name));
		e = (struct ext){ 0, sni, sni_ext(sni, long_name, 280) };
		build_hello(&m, &e, 1);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_INT(strlen(h.sni), sizeof(h.sni) - 1);
		/* control bytes are kept for the JSON writer to escape */
		e = (struct ext){ 0, sni, sni_ext(sni, "a\x1b[0m", 5) };
		build_hello(&m, &e, 1);
		CHECK_INT(tls(m.b, m.n, &h), 0);
		CHECK_STR(h.sni, "a\x1b[0m");
	}

	UNIT_CASE("tls_short_and_garbage")
	{
		CHECK_INT(tls(NULL, 0, &h), -ENODATA);
		CHECK_INT(tls(NULL, 10, &h), -EINVAL);
		CHECK_INT(tls(B("\x16"), &h), -ENODATA);
		CHECK_INT(tls(B("\x16\x03\x01\x02"), &h), -ENODATA);
		CHECK_INT(tls(B("\x16\x03\x01\x02\x00"), &h), -ENODATA);
		CHECK_INT(tls(B("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03"), &h), -ENODATA);
		CHECK_INT(tls(B("GET / HTTP/1.1\r\n"), &h), -EINVAL);
		CHECK_INT(tls(B("\x80\x2e\x01\x03\x01"), &h), -EINVAL); /* SSL 2 hello */
		CHECK_INT(tls(B("\x16\x02"), &h), -EINVAL);
		CHECK_INT(tls(B("\x16\x03\x07"), &h), -EINVAL);
		CHECK_INT(hornet_tls_parse_client_hello(python_client_hello, 100, NULL), -EINVAL);
	}

	UNIT_CASE("tls_random_bytes")
	{
		uint8_t buf[600];
		int iter;

		for (iter = 0; iter < 20000; iter++) {
			size_t len, i;
			int ret;

			if (iter % 2) {
				len = unit_rng() % sizeof(buf);
				for (i = 0; i < len; i++)
					buf[i] = (uint8_t)unit_rng();
				if (len > 5 && iter % 4 == 1) {
					buf[0] = 22;
					buf[1] = 3;
					buf[2] = 1;
					buf[5] = 1;
				}
			} else {
				len = sizeof(python_client_hello);
				memcpy(buf, python_client_hello, len);
				for (i = unit_rng() % 3 + 1; i; i--)
					buf[unit_rng() % 200] = (uint8_t)unit_rng();
				len -= unit_rng() % 300;
			}
			ret = tls(buf, len, &h);
			if (ret == -1000)
				break;
			if (ret && ret != -EINVAL && ret != -ENODATA) {
				UNIT_FAIL("iteration %d: %d", iter, ret);
				break;
			}
		}
	}
}

int main(void)
{
	unit_rng_seed(0x9e3779b97f4a7c15ULL);
	test_dns();
	test_dns_random();
	test_http();
	test_tls();
	UNIT_EXIT();
}
