// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/request.h"

void web_hosts_add(struct web_hosts *h, const char *name)
{
	unsigned int i;

	if (!name || !name[0] || h->n == WEB_MAX_HOSTS || strlen(name) >= sizeof(h->name[0]))
		return;
	for (i = 0; i < h->n; i++)
		if (!strcasecmp(h->name[i], name))
			return;
	for (i = 0; name[i]; i++)
		h->name[h->n][i] = tolower((unsigned char)name[i]);
	h->name[h->n][i] = '\0';
	h->n++;
}

bool web_host_ok(const struct web_hosts *hs, const char *h)
{
	char name[INET6_ADDRSTRLEN + 2];
	const char *colon, *end;
	unsigned long port;
	unsigned int i;
	size_t len;

	if (!h || !h[0])
		return false;
	if (h[0] == '[') {
		end = strchr(h, ']');
		if (!end)
			return false;
		end++;
		colon = *end == ':' ? end : NULL;
		if (*end && !colon)
			return false;
	} else {
		colon = strrchr(h, ':');
		end = colon ? colon : h + strlen(h);
	}
	len = end - h;
	if (!len || len >= sizeof(name))
		return false;
	for (i = 0; i < len; i++)
		name[i] = tolower((unsigned char)h[i]);
	name[len] = '\0';
	if (colon) {
		char *e;

		/* the port as a browser writes it: digits, no leading zero */
		if (!isdigit((unsigned char)colon[1]) || colon[1] == '0')
			return false;
		errno = 0;
		port = strtoul(colon + 1, &e, 10);
		if (errno || *e || port != hs->port)
			return false;
	} else if (hs->port != (hs->tls ? 443u : 80u)) {
		return false;
	}
	for (i = 0; i < hs->n; i++)
		if (!strcmp(name, hs->name[i]))
			return true;
	return false;
}

bool web_token_equal(const char *a, const char *b)
{
	size_t la, lb, i;
	unsigned char d;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	/* same time whatever the first differing byte */
	d = la != lb;
	for (i = 0; i < lb; i++)
		d |= (unsigned char)b[i] ^ (unsigned char)(i < la ? a[i] : 0);
	return d == 0;
}

bool web_clean_path(const char *p)
{
	const char *seg = p;

	if (!p[0] || strlen(p) > 1024)
		return false;
	for (; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
			return false;
		if (*p == '/') {
			if (p == seg || seg[0] == '.')
				return false;
			seg = p + 1;
		}
	}
	return *seg && seg[0] != '.';
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "/index.html%00.js" stays so, and names no file. */
size_t web_unescape(char *s)
{
	char *r = s, *w = s;
	int h, l;

	while (*r) {
		if (r[0] == '%' && (h = hex(r[1])) >= 0 && (l = hex(r[2])) >= 0 && (h || l)) {
			*w++ = (char)(h << 4 | l);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return w - s;
}

const char *web_content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".map", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".md", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}
