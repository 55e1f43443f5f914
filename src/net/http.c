// SPDX-License-Identifier: GPL-2.0
/*
 * The start of an HTTP/1.x request (RFC 9112 section 3): the request line
 * "METHOD SP target SP HTTP/x.y CRLF" and the header fields up to the empty
 * line, of which only Host is kept.
 *
 * The request line is strict: a known method, single spaces, a non-empty
 * target, and no NUL, CR or LF inside a field, else -EINVAL. A line may end
 * in a bare LF, as RFC 9112 2.2 lets a recipient accept, so that a request
 * a lenient server would take is not missed. Other control bytes in the
 * target or the Host value are kept as sent: whoever prints them escapes
 * them. A Host value holding a NUL or a CR fails with -EINVAL (RFC 9110
 * 5.5); other header lines are not looked at beyond their name.
 *
 * A request cut by the capture fills what it has, a field possibly partial,
 * and sets truncated; so does a target or Host too long for its array. A
 * capture that ends before the method and its space is -ENODATA.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "net/parse.h"

static const char *const http_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
};

#define HTTP_METHOD_MAX 7 /* strlen("CONNECT"), strlen("OPTIONS") */
#define HTTP_VERSION_LEN 8 /* "HTTP/1.1" */

/* Copies @n bytes to the C string @dst of @size bytes; returns false if cut. */
static bool copy_field(char *dst, size_t size, const uint8_t *src, size_t n)
{
	bool fits = n < size;

	if (!fits)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return fits;
}

/* Is @s, @n bytes, a known method (exact) or the start of one (!exact)? */
static bool is_method(const uint8_t *s, size_t n, bool exact)
{
	size_t i;

	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		size_t mlen = strlen(http_methods[i]);

		if ((exact ? n == mlen : n <= mlen) && !memcmp(s, http_methods[i], n))
			return true;
	}
	return false;
}

/* Do the @n bytes at @s follow "HTTP/" DIGIT "." DIGIT as far as they go? */
static bool is_version_prefix(const uint8_t *s, size_t n)
{
	static const char pattern[] = "HTTP/0.0";
	size_t i;

	for (i = 0; i < n && i < HTTP_VERSION_LEN; i++) {
		if (pattern[i] == '0' ? s[i] < '0' || s[i] > '9' : s[i] != pattern[i])
			return false;
	}
	return n <= HTTP_VERSION_LEN;
}

static bool is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Keeps the value of the Host line @line, @n bytes without its line end. */
static int http_host(const uint8_t *line, size_t n, struct hornet_http_req *out)
{
	size_t start = strlen("host:"), end = n;

	while (start < end && is_ows(line[start]))
		start++;
	while (end > start && is_ows(line[end - 1]))
		end--;
	if (memchr(line + start, '\0', end - start) || memchr(line + start, '\r', end - start))
		return -EINVAL;
	if (!copy_field(out->host, sizeof(out->host), line + start, end - start))
		out->truncated = true;
	return 0;
}

/* The header fields from @pos: finds Host and the empty line. */
static int http_headers(const uint8_t *buf, size_t len, size_t pos, struct hornet_http_req *out)
{
	bool have_host = false;

	while (pos < len) {
		const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - pos;
		int ret;

		/* CRLF, or a CR whose LF the capture lost */
		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (!n && nl)
			return 0; /* the empty line: the end of the header section */
		/* "Host :" is not a Host field (RFC 9112 5.1) */
		if (!have_host && n >= strlen("host:") &&
		    !strncasecmp((const char *)buf + pos, "host:", 5)) {
			ret = http_host(buf + pos, n, out);
			if (ret)
				return ret;
			have_host = true;
		}
		if (!nl)
			break;
		pos = end + 1;
	}
	out->truncated = true;
	return 0;
}

int hornet_http_parse(const uint8_t *buf, size_t len, struct hornet_http_req *out)
{
	const uint8_t *sp;
	size_t pos, n, i;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!len)
		return -ENODATA;
	if (!buf)
		return -EINVAL;

	/* method SP */
	sp = memchr(buf, ' ', len < HTTP_METHOD_MAX + 1 ? len : HTTP_METHOD_MAX + 1);
	if (!sp) {
		if (len <= HTTP_METHOD_MAX && is_method(buf, len, false))
			return -ENODATA;
		return -EINVAL;
	}
	n = (size_t)(sp - buf);
	if (!is_method(buf, n, true))
		return -EINVAL;
	copy_field(out->method, sizeof(out->method), buf, n);
	pos = n + 1;

	/* target SP */
	for (i = pos; i < len && buf[i] != ' '; i++) {
		if (buf[i] == '\0' || buf[i] == '\r' || buf[i] == '\n')
			return -EINVAL;
	}
	if (i == pos && i < len)
		return -EINVAL; /* empty target, or two spaces */
	if (!copy_field(out->target, sizeof(out->target), buf + pos, i - pos))
		out->truncated = true;
	if (i == len) {
		out->truncated = true;
		return 0;
	}
	pos = i + 1;

	/* version, whole or as far as the capture goes */
	n = len - pos < HTTP_VERSION_LEN ? len - pos : HTTP_VERSION_LEN;
	if (!is_version_prefix(buf + pos, n))
		return -EINVAL;
	copy_field(out->version, sizeof(out->version), buf + pos, n);
	pos += n;
	if (n < HTTP_VERSION_LEN) {
		out->truncated = true;
		return 0;
	}

	/* CRLF or LF */
	if (pos < len && buf[pos] == '\r')
		pos++;
	if (pos == len) {
		out->truncated = true;
		return 0;
	}
	if (buf[pos] != '\n')
		return -EINVAL;
	return http_headers(buf, len, pos + 1, out);
}
