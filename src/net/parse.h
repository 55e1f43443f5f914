/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for the first bytes of network messages the network sensor hands
 * over: DNS messages, HTTP requests, TLS ClientHellos. Every input is
 * hostile: the parsers read only within @len, follow at most a bounded
 * number of DNS compression pointers, and fail cleanly on anything
 * truncated or malformed (-EINVAL), or on a message cut short by the
 * capture limit (-ENODATA) where nothing useful was found yet.
 */
#ifndef HORNET_NET_PARSE_H
#define HORNET_NET_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HORNET_DNS_NAME_MAX 256 /* a name in dotted form, with the NUL */
#define HORNET_DNS_MAX_ANSWERS 16 /* answers kept; the rest are counted */

struct hornet_dns_answer {
	char name[HORNET_DNS_NAME_MAX];
	uint16_t type; /* 1 A, 28 AAAA, 5 CNAME, ... */
	uint32_t ttl;
	/* A and AAAA: the address as text; CNAME, NS, PTR: the name; else empty */
	char data[HORNET_DNS_NAME_MAX];
};

struct hornet_dns_msg {
	uint16_t id;
	bool response;
	uint8_t opcode;
	uint8_t rcode;
	char qname[HORNET_DNS_NAME_MAX]; /* the first question's name, "" if none */
	uint16_t qtype;
	uint16_t nr_questions;
	uint16_t nr_answers; /* as the header says */
	struct hornet_dns_answer answers[HORNET_DNS_MAX_ANSWERS];
	unsigned int nr_parsed; /* answers[] filled */
};

/* Parses a DNS message (RFC 1035; UDP payload, no TCP length prefix). */
int hornet_dns_parse(const uint8_t *buf, size_t len, struct hornet_dns_msg *out);

/*
 * Parses a DNS message carried over TCP (RFC 1035 4.2.2, RFC 7766): a 2-byte
 * length, then the message; a segment that holds less parses what it holds.
 */
int hornet_dns_parse_tcp(const uint8_t *buf, size_t len, struct hornet_dns_msg *out);

/* "A", "AAAA", "CNAME", ... or NULL for an unknown type. */
const char *hornet_dns_type_name(uint16_t type);

struct hornet_http_req {
	char method[16];
	char target[1024]; /* the request target as sent, possibly cut */
	char version[16]; /* "HTTP/1.1" */
	char host[256]; /* the Host header's value, "" if absent */
	bool truncated; /* the request line or headers did not fit the capture */
};

/* Parses the start of an HTTP/1.x request. */
int hornet_http_parse(const uint8_t *buf, size_t len, struct hornet_http_req *out);

struct hornet_tls_hello {
	uint16_t version; /* the ClientHello's legacy_version (0x0303 for TLS 1.2 and 1.3) */
	char sni[256]; /* server_name (host_name) extension, "" if absent */
	char alpn[64]; /* first ALPN protocol, "" if absent */
};

/* Parses a TLS record holding a ClientHello (RFC 8446 4.1.2). */
int hornet_tls_parse_client_hello(const uint8_t *buf, size_t len, struct hornet_tls_hello *out);

#endif
