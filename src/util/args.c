// SPDX-License-Identifier: GPL-2.0
/*
 * The "arguments" string of a process and its inverse. The format is
 * described in args.h; in short, an argument that is not plain printable
 * UTF-8 goes in double quotes with C-like escapes, so that the string shows
 * the exact argv and never carries control bytes or invalid UTF-8.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/args.h"

/*
 * The length of the well-formed UTF-8 sequence at @p (RFC 3629 section 4),
 * 1 to 4, or 0 when the bytes there are not one: a stray continuation byte,
 * C0, C1 and F5..FF, an overlong form, a surrogate (ED A0..BF), a code point
 * above U+10FFFF, or a sequence cut by the end of the @n bytes.
 */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* below is overlong */
		else if (c == 0xed)
			hi = 0x9f; /* above are the surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* below is overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above is past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return len;
}

/* An output buffer; with buf NULL it only counts. */
struct args_out {
	char *buf;
	size_t len;
};

static void out_put(struct args_out *o, char c)
{
	if (o->buf)
		o->buf[o->len] = c;
	o->len++;
}

static void out_write(struct args_out *o, const unsigned char *p, size_t n)
{
	if (o->buf)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static bool arg_needs_quotes(const unsigned char *a, size_t n)
{
	size_t i = 0, k;

	if (!n)
		return true;
	while (i < n) {
		unsigned char c = a[i];

		if (c <= ' ' || c == 0x7f || c == '"' || c == '\\')
			return true;
		k = utf8_seq_len(a + i, n - i);
		if (!k)
			return true;
		i += k;
	}
	return false;
}

static void out_escaped(struct args_out *o, const unsigned char *a, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, k;

	out_put(o, '"');
	while (i < n) {
		unsigned char c = a[i];

		switch (c) {
		case '"':
		case '\\':
			out_put(o, '\\');
			out_put(o, (char)c);
			i++;
			continue;
		case '\n':
			out_put(o, '\\');
			out_put(o, 'n');
			i++;
			continue;
		case '\t':
			out_put(o, '\\');
			out_put(o, 't');
			i++;
			continue;
		case '\r':
			out_put(o, '\\');
			out_put(o, 'r');
			i++;
			continue;
		}
		k = c < 0x20 || c == 0x7f ? 0 : utf8_seq_len(a + i, n - i);
		if (k) {
			out_write(o, a + i, k);
			i += k;
		} else {
			out_put(o, '\\');
			out_put(o, 'x');
			out_put(o, hex[c >> 4]);
			out_put(o, hex[c & 0xf]);
			i++;
		}
	}
	out_put(o, '"');
}

static void args_emit(struct args_out *o, const char *block, size_t len, size_t pos)
{
	const unsigned char *b = (const unsigned char *)block;
	bool first = true;

	/*
	 * Each argument ends at a NUL or, when the block was cut, at its end;
	 * pos then steps past len and the loop stops.
	 */
	while (pos < len) {
		const unsigned char *end = memchr(b + pos, '\0', len - pos);
		size_t n = end ? (size_t)(end - (b + pos)) : len - pos;

		if (!first)
			out_put(o, ' ');
		first = false;
		if (arg_needs_quotes(b + pos, n))
			out_escaped(o, b + pos, n);
		else
			out_write(o, b + pos, n);
		pos += n + 1;
	}
}

char *hornet_args_format(const char *block, size_t len, bool skip_argv0)
{
	struct args_out o = { 0 };
	size_t pos = 0;

	if (!block && len) {
		errno = EINVAL;
		return NULL;
	}
	/* Each byte takes at most 4 ("\xNN"), each argument 3 more ('"', '"', ' '). */
	if (len > (SIZE_MAX - 8) / 4) {
		errno = ENOMEM;
		return NULL;
	}
	if (skip_argv0 && len) {
		const char *nul = memchr(block, '\0', len);

		pos = nul ? (size_t)(nul - block) + 1 : len;
	}

	args_emit(&o, block, len, pos);
	o.buf = malloc(o.len + 1);
	if (!o.buf)
		return NULL;
	o.len = 0;
	args_emit(&o, block, len, pos);
	o.buf[o.len] = '\0';
	return o.buf;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Copies the raw (unescaped) character at s[*i] to out[*o], checking it is
 * printable, valid UTF-8 that may appear in the string: returns false if not.
 */
static bool parse_raw(const unsigned char *s, size_t n, size_t *i, char *out, size_t *o)
{
	size_t k;

	if (s[*i] < 0x20 || s[*i] == 0x7f)
		return false;
	k = utf8_seq_len(s + *i, n - *i);
	if (!k)
		return false;
	memcpy(out + *o, s + *i, k);
	*i += k;
	*o += k;
	return true;
}

/* Parses the quoted argument at s[*i] == '"'; false when it is malformed. */
static bool parse_quoted(const unsigned char *s, size_t n, size_t *i, char *out, size_t *o)
{
	(*i)++;
	for (;;) {
		unsigned char c = s[*i];
		int hi, lo;

		if (c == '\0')
			return false; /* no closing quote */
		if (c == '"') {
			(*i)++;
			return true;
		}
		if (c != '\\') {
			if (!parse_raw(s, n, i, out, o))
				return false;
			continue;
		}
		switch (s[*i + 1]) {
		case '"':
		case '\\':
			out[(*o)++] = (char)s[*i + 1];
			break;
		case 'n':
			out[(*o)++] = '\n';
			break;
		case 't':
			out[(*o)++] = '\t';
			break;
		case 'r':
			out[(*o)++] = '\r';
			break;
		case 'x':
			/* hex_value('\0') < 0, so this stops at the string's end */
			hi = hex_value(s[*i + 2]);
			if (hi < 0)
				return false;
			lo = hex_value(s[*i + 3]);
			if (lo < 0)
				return false;
			/* a NUL would split the argument in two */
			if (!hi && !lo)
				return false;
			out[(*o)++] = (char)(hi << 4 | lo);
			*i += 2;
			break;
		default:
			return false;
		}
		*i += 2;
	}
}

char *hornet_args_parse(const char *str, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, i = 0, o = 0;
	char *out;

	if (!str || !len) {
		errno = EINVAL;
		return NULL;
	}
	n = strlen(str);
	/* Every argument gives back at most its own bytes plus its NUL. */
	out = malloc(n + 1);
	if (!out)
		return NULL;

	while (i < n) {
		if (s[i] == '"') {
			if (!parse_quoted(s, n, &i, out, &o))
				goto bad;
		} else {
			size_t start = i;

			while (s[i] && s[i] != ' ') {
				if (s[i] == '"' || s[i] == '\\')
					goto bad;
				if (!parse_raw(s, n, &i, out, &o))
					goto bad;
			}
			if (i == start)
				goto bad; /* empty: a leading, trailing or doubled space */
		}
		out[o++] = '\0';
		if (!s[i])
			break;
		/* Arguments are separated by exactly one space. */
		if (s[i] != ' ' || !s[i + 1])
			goto bad;
		i++;
	}
	*len = o;
	return out;

bad:
	free(out);
	errno = EINVAL;
	return NULL;
}
