// SPDX-License-Identifier: GPL-2.0
/*
 * DNS messages (RFC 1035 section 4): the header, the first question and up
 * to HORNET_DNS_MAX_ANSWERS records of the answer section.
 *
 * Names are rendered in dotted form without the final dot ("." alone for the
 * root). A label byte is written as is when it is printable ASCII other than
 * '.' and '\'; any other byte, the space included, is written "\DDD" with
 * three decimal digits as dig does, so the text is unambiguous and never
 * holds a control byte. The text of a legal name (at most 255 bytes on the
 * wire) is at most 253 characters unless escapes lengthen it; a rendering
 * that would not fit HORNET_DNS_NAME_MAX is cut between two characters or
 * escapes and ends in "...", which no whole name can end in since a name
 * has no empty label.
 *
 * Compression pointers (4.1.4) may only point backwards: each jump must land
 * before the place the previous one landed (or where the name began), which
 * rules out loops; at most DNS_MAX_JUMPS of them are followed in one name.
 *
 * The capture keeps the first bytes of a message only, and the header and
 * question of a legal message always fit in them, so a message that ends
 * before the end of its questions, or whose header or question is
 * malformed, fails with -EINVAL. Answers are read while they fit: a message
 * that ends inside one returns 0 with nr_parsed below nr_answers. A
 * malformed answer (a bad label, a forward pointer, a name running past its
 * record) fails the whole message with -EINVAL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/parse.h"

#define DNS_HDR_LEN 12
#define DNS_MAX_JUMPS 16
#define DNS_MAX_WIRE_NAME 255 /* RFC 1035 2.3.4, length octets and the root included */
#define DNS_CUT_MARK "..."

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The text of a name being built, cut at a character or escape boundary. */
struct name_text {
	char *buf; /* HORNET_DNS_NAME_MAX bytes */
	size_t len;
	size_t keep; /* the longest prefix that leaves room for the cut mark */
	bool cut;
};

static void text_put(struct name_text *t, const char *s, size_t n)
{
	if (t->cut)
		return;
	if (t->len + n > HORNET_DNS_NAME_MAX - 1) {
		t->cut = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	if (t->len <= HORNET_DNS_NAME_MAX - 1 - strlen(DNS_CUT_MARK))
		t->keep = t->len;
}

static void text_finish(struct name_text *t)
{
	if (t->cut) {
		t->len = t->keep;
		/* "a." + "..." would read as one more empty label; drop the dot */
		if (t->len && t->buf[t->len - 1] == '.')
			t->len--;
		memcpy(t->buf + t->len, DNS_CUT_MARK, strlen(DNS_CUT_MARK));
		t->len += strlen(DNS_CUT_MARK);
	} else if (!t->len) {
		t->buf[t->len++] = '.';
	}
	t->buf[t->len] = '\0';
}

static void text_label(struct name_text *t, const uint8_t *label, size_t n)
{
	char esc[5];
	size_t i;

	if (t->len)
		text_put(t, ".", 1);
	for (i = 0; i < n; i++) {
		uint8_t c = label[i];

		if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
			text_put(t, (const char *)&c, 1);
		} else {
			snprintf(esc, sizeof(esc), "\\%03u", c);
			text_put(t, esc, 4);
		}
	}
}

/*
 * Reads the name at *@off into @out and moves *@off past it as it sits in
 * the message (past its first pointer, or its root label). @rec_end, when
 * not 0, is the end of the record holding the name: the bytes before the
 * first jump must lie before it. Returns 0, -ENODATA when the message ends
 * inside the name, or -EINVAL when the name is malformed.
 */
static int dns_read_name(const uint8_t *buf, size_t len, size_t *off, size_t rec_end, char *out)
{
	struct name_text t = { .buf = out };
	size_t pos = *off, floor = *off, wire = 0, end = 0;
	unsigned int jumps = 0;
	bool jumped = false;

	for (;;) {
		bool in_rec = rec_end && !jumped;
		size_t bound = in_rec ? rec_end : len;
		/* past a record's end is malformed, past the message's is a cut */
		int past = in_rec ? -EINVAL : -ENODATA;
		uint8_t c;

		if (pos >= bound)
			return past;
		c = buf[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (bound - pos < 2)
				return past;
			target = (size_t)(c & 0x3f) << 8 | buf[pos + 1];
			/* backwards only, and before the last landing: no loop */
			if (target >= floor || ++jumps > DNS_MAX_JUMPS)
				return -EINVAL;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			floor = target;
			pos = target;
			continue;
		}
		/* 0x40 and 0x80 are the extended label types (RFC 6891 5), not names */
		if (c & 0xc0)
			return -EINVAL;
		wire += 1 + c;
		if (wire > DNS_MAX_WIRE_NAME)
			return -EINVAL;
		if (!c) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		if (bound - pos - 1 < c)
			return past;
		text_label(&t, buf + pos + 1, c);
		pos += 1 + c;
	}
	text_finish(&t);
	*off = end;
	return 0;
}

/* The text of an A or AAAA record's data; left empty when its size is wrong. */
static void dns_addr_text(uint16_t type, const uint8_t *rdata, uint16_t rdlen, char *out)
{
	if (type == 1 && rdlen == 4)
		inet_ntop(AF_INET, rdata, out, HORNET_DNS_NAME_MAX);
	else if (type == 28 && rdlen == 16)
		inet_ntop(AF_INET6, rdata, out, HORNET_DNS_NAME_MAX);
}

/*
 * Reads one resource record at *@off into @a. Returns 0, -ENODATA when the
 * message ends inside it, or -EINVAL when it is malformed.
 */
static int dns_read_answer(const uint8_t *buf, size_t len, size_t *off, struct hornet_dns_answer *a)
{
	size_t pos = *off, rdata;
	uint16_t rdlen;
	int ret;

	ret = dns_read_name(buf, len, &pos, 0, a->name);
	if (ret)
		return ret;
	/* type, class, ttl, rdlength */
	if (len - pos < 10)
		return -ENODATA;
	a->type = get16(buf + pos);
	a->ttl = get32(buf + pos + 4);
	rdlen = get16(buf + pos + 8);
	rdata = pos + 10;
	if (len - rdata < rdlen)
		return -ENODATA;

	switch (a->type) {
	case 1: /* A */
	case 28: /* AAAA */
		dns_addr_text(a->type, buf + rdata, rdlen, a->data);
		break;
	case 2: /* NS */
	case 5: /* CNAME */
	case 12: /* PTR */
		pos = rdata;
		ret = dns_read_name(buf, len, &pos, rdata + rdlen, a->data);
		if (ret)
			return ret;
		if (pos != rdata + rdlen)
			return -EINVAL;
		break;
	default:
		break;
	}
	*off = rdata + rdlen;
	return 0;
}

int hornet_dns_parse(const uint8_t *buf, size_t len, struct hornet_dns_msg *out)
{
	uint16_t flags, i;
	size_t pos;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf || len < DNS_HDR_LEN)
		return -EINVAL;

	out->id = get16(buf);
	flags = get16(buf + 2);
	out->response = flags & 0x8000;
	out->opcode = (flags >> 11) & 0xf;
	out->rcode = flags & 0xf;
	out->nr_questions = get16(buf + 4);
	out->nr_answers = get16(buf + 6);
	pos = DNS_HDR_LEN;

	for (i = 0; i < out->nr_questions; i++) {
		char scratch[HORNET_DNS_NAME_MAX];

		ret = dns_read_name(buf, len, &pos, 0, i ? scratch : out->qname);
		if (ret)
			return -EINVAL;
		/* qtype, qclass */
		if (len - pos < 4)
			return -EINVAL;
		if (!i)
			out->qtype = get16(buf + pos);
		pos += 4;
	}

	if (!out->response)
		return 0;
	while (out->nr_parsed < out->nr_answers && out->nr_parsed < HORNET_DNS_MAX_ANSWERS) {
		struct hornet_dns_answer *a = &out->answers[out->nr_parsed];

		ret = dns_read_answer(buf, len, &pos, a);
		if (ret) {
			/* nothing of an answer not counted is left */
			memset(a, 0, sizeof(*a));
			/* cut by the capture: keep the answers before this one */
			if (ret == -ENODATA)
				break;
			return ret;
		}
		out->nr_parsed++;
	}
	return 0;
}

struct dns_type {
	uint16_t type;
	const char *name;
};

/* The IANA "Resource Record (RR) TYPEs" registry, the ones seen in practice */
static const struct dns_type dns_types[] = {
	{ 1, "A" },	   { 2, "NS" },		 { 5, "CNAME" },   { 6, "SOA" },
	{ 10, "NULL" },	   { 11, "WKS" },	 { 12, "PTR" },	   { 13, "HINFO" },
	{ 15, "MX" },	   { 16, "TXT" },	 { 17, "RP" },	   { 18, "AFSDB" },
	{ 24, "SIG" },	   { 25, "KEY" },	 { 28, "AAAA" },   { 29, "LOC" },
	{ 33, "SRV" },	   { 35, "NAPTR" },	 { 36, "KX" },	   { 37, "CERT" },
	{ 39, "DNAME" },   { 41, "OPT" },	 { 42, "APL" },	   { 43, "DS" },
	{ 44, "SSHFP" },   { 45, "IPSECKEY" },	 { 46, "RRSIG" },  { 47, "NSEC" },
	{ 48, "DNSKEY" },  { 49, "DHCID" },	 { 50, "NSEC3" },  { 51, "NSEC3PARAM" },
	{ 52, "TLSA" },	   { 53, "SMIMEA" },	 { 55, "HIP" },	   { 59, "CDS" },
	{ 60, "CDNSKEY" }, { 61, "OPENPGPKEY" }, { 62, "CSYNC" },  { 63, "ZONEMD" },
	{ 64, "SVCB" },	   { 65, "HTTPS" },	 { 99, "SPF" },	   { 108, "EUI48" },
	{ 109, "EUI64" },  { 249, "TKEY" },	 { 250, "TSIG" },  { 251, "IXFR" },
	{ 252, "AXFR" },   { 253, "MAILB" },	 { 254, "MAILA" }, { 255, "ANY" },
	{ 256, "URI" },	   { 257, "CAA" },
};

int hornet_dns_parse_tcp(const uint8_t *buf, size_t len, struct hornet_dns_msg *out)
{
	size_t n;

	if (!buf || len < 2)
		return hornet_dns_parse(NULL, 0, out);
	n = get16(buf);
	return hornet_dns_parse(buf + 2, n < len - 2 ? n : len - 2, out);
}

const char *hornet_dns_type_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++) {
		if (dns_types[i].type == type)
			return dns_types[i].name;
	}
	return NULL;
}
