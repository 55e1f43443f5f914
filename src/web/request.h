/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks the HTTP server makes of what a request brings: the Host
 * header, the token, the path of a page file, the unescaping of the URL.
 * Pure functions, apart from the server, for the unit tests and the fuzzer.
 */
#ifndef HORNET_WEB_REQUEST_H
#define HORNET_WEB_REQUEST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define WEB_MAX_HOSTS 64

struct web_hosts {
	char name[WEB_MAX_HOSTS][INET6_ADDRSTRLEN + 2]; /* lower case; IPv6 in brackets */
	unsigned int n;
	unsigned int port;
	bool tls;
};

/* Adds a name the Host header may give (once; longer names are ignored). */
void web_hosts_add(struct web_hosts *h, const char *name);

/*
 * DNS rebinding: a page from elsewhere that makes its name point at this
 * address still sends its own name as Host. True when @header (or NULL) is
 * one of our names with our port, or without a port when ours is the
 * scheme's default.
 */
bool web_host_ok(const struct web_hosts *h, const char *header);

/* Compares in a time that does not depend on where @a and @b differ. */
bool web_token_equal(const char *a, const char *b);

/* A path under the page's root: no "..", ".", empty or hidden segments,
 * backslashes or control bytes. */
bool web_clean_path(const char *p);

/* Decodes %XX in place but %00, which stays as it came (a NUL would end the
 * path early). Returns the new length. */
size_t web_unescape(char *s);

const char *web_content_type(const char *path);

#endif
