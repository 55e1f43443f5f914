// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "unit.h"
#include "util/args.h"

/* A string literal as (pointer, length), embedded NULs included. */
#define B(s) (s), (sizeof(s) - 1)

/* Formats @block and compares with @want; prints both when they differ. */
static bool format_is(const char *block, size_t len, bool skip, const char *want)
{
	char *got = hornet_args_format(block, len, skip);
	bool ok = got && !strcmp(got, want);

	if (!ok) {
		unit_print_bytes("block", block ? block : "", len);
		unit_print_bytes("want", want, strlen(want));
		if (got)
			unit_print_bytes("got", got, strlen(got));
		else
			printf("    got NULL (errno %d)\n", errno);
	}
	free(got);
	return ok;
}

/* Parses @s and compares the block with @want. */
static bool parse_is(const char *s, const char *want, size_t want_len)
{
	size_t len = 12345;
	char *got = hornet_args_parse(s, &len);
	bool ok = got && len == want_len && !memcmp(got, want, len);

	if (!ok) {
		unit_print_bytes("string", s, strlen(s));
		unit_print_bytes("want", want, want_len);
		if (got)
			unit_print_bytes("got", got, len);
		else
			printf("    got NULL (errno %d)\n", errno);
	}
	free(got);
	return ok;
}

static bool parse_fails(const char *s)
{
	size_t len = 0;
	char *got;

	errno = 0;
	got = hornet_args_parse(s, &len);
	if (got) {
		unit_print_bytes("accepted", s, strlen(s));
		free(got);
		return false;
	}
	return errno == EINVAL;
}

/* format(block) then parse, expecting @block back (plus a NUL if it had none). */
static bool round_trips(const char *block, size_t len)
{
	char *s = hornet_args_format(block, len, false), *back;
	bool terminated = !len || block[len - 1] == '\0';
	size_t want_len = terminated ? len : len + 1, back_len = 0;
	bool ok;

	if (!s)
		return false;
	/* the string itself is valid UTF-8 and never carries control bytes */
	if (!ref_utf8_printable(s)) {
		unit_print_bytes("not printable UTF-8", s, strlen(s));
		free(s);
		return false;
	}
	back = hornet_args_parse(s, &back_len);
	ok = back && back_len == want_len && !memcmp(back, block, len) &&
	     (terminated || back[len] == '\0');
	if (!ok) {
		unit_print_bytes("block", block, len);
		unit_print_bytes("string", s, strlen(s));
		if (back)
			unit_print_bytes("parsed", back, back_len);
		else
			printf("    parse failed (errno %d)\n", errno);
	}
	free(s);
	free(back);
	return ok;
}

/* A byte that is likely to exercise a rule of the format. */
static unsigned char random_byte(void)
{
	static const unsigned char special[] = {
		'\0', '\0', '\0', ' ',	'"',  '\\', '\n', '\t', '\r', 0x01, 0x1b,
		0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xc3, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
		0xf4, 0xf5, 0xff, 'x',	'a',  'Z',  '0',  '-',	'=',  '\'',
	};
	uint64_t r = unit_rng();

	switch (r % 4) {
	case 0:
		return special[(r >> 8) % sizeof(special)];
	case 1:
		return (unsigned char)(r >> 8);
	default:
		return (unsigned char)(0x21 + (r >> 8) % 0x5e);
	}
}

/* Appends a valid UTF-8 encoding of a random code point; returns its length. */
static size_t random_utf8(unsigned char *p)
{
	uint32_t cp;

	do {
		cp = (uint32_t)(unit_rng() % 0x110000);
	} while (cp >= 0xd800 && cp <= 0xdfff);
	if (cp < 0x80)
		cp += 0x80;
	if (cp < 0x800) {
		p[0] = (unsigned char)(0xc0 | cp >> 6);
		p[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (unsigned char)(0xe0 | cp >> 12);
		p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (unsigned char)(0xf0 | cp >> 18);
	p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

int main(void)
{
	unit_rng_seed(0x9e3779b97f4a7c15ULL);

	UNIT_CASE("args_plain")
	{
		CHECK(format_is(B("ls\0-l\0/tmp\0"), true, "-l /tmp"));
		CHECK(format_is(B("ls\0-l\0/tmp\0"), false, "ls -l /tmp"));
		CHECK(format_is(B("sh\0-c\0echo\0$HOME\0'x'\0"), true, "-c echo $HOME 'x'"));
		CHECK(parse_is("-l /tmp", B("-l\0/tmp\0")));
	}

	UNIT_CASE("args_no_args")
	{
		CHECK(format_is(B("ls\0"), true, ""));
		CHECK(format_is(B("ls"), true, ""));
		CHECK(format_is(NULL, 0, true, ""));
		CHECK(format_is(NULL, 0, false, ""));
		CHECK(format_is("", 0, false, ""));
		CHECK(parse_is("", "", 0));
		errno = 0;
		CHECK(!hornet_args_format(NULL, 3, false));
		CHECK_INT(errno, EINVAL);
	}

	UNIT_CASE("args_spaces_and_quotes")
	{
		CHECK(format_is(B("echo\0hello world\0"), true, "\"hello world\""));
		CHECK(format_is(B("echo\0 \0"), true, "\" \""));
		CHECK(format_is(B("echo\0say \"hi\"\0"), true, "\"say \\\"hi\\\"\""));
		CHECK(format_is(B("echo\0\"\0"), true, "\"\\\"\""));
		CHECK(parse_is("\"hello world\" x", B("hello world\0x\0")));
		CHECK(parse_is("\"say \\\"hi\\\"\"", B("say \"hi\"\0")));
	}

	UNIT_CASE("args_backslashes")
	{
		CHECK(format_is(B("x\0a\\b\0"), true, "\"a\\\\b\""));
		CHECK(format_is(B("x\0\\\0"), true, "\"\\\\\""));
		CHECK(format_is(B("x\0C:\\dir\\\0"), true, "\"C:\\\\dir\\\\\""));
		CHECK(parse_is("\"a\\\\b\"", B("a\\b\0")));
	}

	UNIT_CASE("args_control_bytes")
	{
		CHECK(format_is(B("x\0a\nb\0"), true, "\"a\\nb\""));
		CHECK(format_is(B("x\0a\tb\0"), true, "\"a\\tb\""));
		CHECK(format_is(B("x\0a\rb\0"), true, "\"a\\rb\""));
		CHECK(format_is(B("x\0\x01\x1b[0m\0"), true, "\"\\x01\\x1b[0m\""));
		CHECK(format_is(B("x\0del\x7f\0"), true, "\"del\\x7f\""));
		CHECK(parse_is("\"a\\nb\" \"\\t\\r\\x01\\x7F\"", B("a\nb\0\t\r\x01\x7f\0")));
	}

	UNIT_CASE("args_empty_argument")
	{
		CHECK(format_is(B("x\0\0"), true, "\"\""));
		CHECK(format_is(B("x\0\0y\0\0"), true, "\"\" y \"\""));
		CHECK(format_is(B("\0"), false, "\"\""));
		CHECK(format_is(B("\0\0\0"), false, "\"\" \"\" \"\""));
		CHECK(parse_is("\"\"", B("\0")));
		CHECK(parse_is("\"\" y \"\"", B("\0y\0\0")));
	}

	UNIT_CASE("args_invalid_utf8")
	{
		/* a lone continuation byte */
		CHECK(format_is(B("x\0\x80\0"), true, "\"\\x80\""));
		CHECK(format_is(B("x\0a\x80z\0"), true, "\"a\\x80z\""));
		/* bytes that never appear in UTF-8 */
		CHECK(format_is(B("x\0\xff\0"), true, "\"\\xff\""));
		CHECK(format_is(B("x\0\xfe\xf5\0"), true, "\"\\xfe\\xf5\""));
		/* a 3-byte sequence cut short, by the argument's end or another byte */
		CHECK(format_is(B("x\0\xe2\x82\0"), true, "\"\\xe2\\x82\""));
		CHECK(format_is(B("x\0\xe2\x82z\0"), true, "\"\\xe2\\x82z\""));
		/* overlong encodings of '/' */
		CHECK(format_is(B("x\0\xc0\xaf\0"), true, "\"\\xc0\\xaf\""));
		CHECK(format_is(B("x\0\xe0\x80\xaf\0"), true, "\"\\xe0\\x80\\xaf\""));
		CHECK(format_is(B("x\0\xf0\x80\x80\xaf\0"), true, "\"\\xf0\\x80\\x80\\xaf\""));
		CHECK(format_is(B("x\0\xc1\xbf\0"), true, "\"\\xc1\\xbf\""));
		/* UTF-16 surrogates U+D800 and U+DFFF */
		CHECK(format_is(B("x\0\xed\xa0\x80\0"), true, "\"\\xed\\xa0\\x80\""));
		CHECK(format_is(B("x\0\xed\xbf\xbf\0"), true, "\"\\xed\\xbf\\xbf\""));
		/* U+110000, past the last code point */
		CHECK(format_is(B("x\0\xf4\x90\x80\x80\0"), true, "\"\\xf4\\x90\\x80\\x80\""));
		/* valid UTF-8 around an invalid byte stays as is */
		CHECK(format_is(B("x\0\xc3\xa9\xff\xc3\xa9\0"), true, "\"\xc3\xa9\\xff\xc3\xa9\""));
		CHECK(parse_is("\"\\xc0\\xaf\" \"\\xed\\xa0\\x80\"",
			       B("\xc0\xaf\0\xed\xa0\x80\0")));
	}

	UNIT_CASE("args_valid_utf8")
	{
		CHECK(format_is(B("x\0h\xc3\xa9llo\0"), true, "h\xc3\xa9llo"));
		/* U+1F600, a 4-byte sequence */
		CHECK(format_is(B("x\0\xf0\x9f\x98\x80\0"), true, "\xf0\x9f\x98\x80"));
		/* the edges: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF */
		CHECK(format_is(B("x\0\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\0"), true,
				"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"));
		CHECK(format_is(B("x\0\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\0"),
				true, "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));
		/* quoted for the space, the UTF-8 itself is not escaped */
		CHECK(format_is(B("x\0h\xc3\xa9llo w\xc3\xb6rld\0"), true,
				"\"h\xc3\xa9llo w\xc3\xb6rld\""));
		CHECK(parse_is("h\xc3\xa9llo \xf0\x9f\x98\x80",
			       B("h\xc3\xa9llo\0\xf0\x9f\x98\x80\0")));
	}

	UNIT_CASE("args_truncated_block")
	{
		/* cut by the kernel side's limit: the last argument is partial */
		CHECK(format_is(B("prog\0abc\0de"), true, "abc de"));
		CHECK(format_is(B("prog\0abc\0d e"), true, "abc \"d e\""));
		/* cut inside a UTF-8 sequence */
		CHECK(format_is(B("prog\0\xc3"), true, "\"\\xc3\""));
		CHECK(format_is(B("prog\0\xf0\x9f\x98"), true, "\"\\xf0\\x9f\\x98\""));
		CHECK(round_trips(B("prog\0abc\0de")));
	}

	UNIT_CASE("args_parse_rejects_malformed")
	{
		static const char *const bad[] = {
			"\"abc", /* no closing quote */
			"\"abc\\\"", /* the quote is escaped */
			"a  b", /* empty argument between two spaces */
			" a", /* leading space */
			"a ", /* trailing space */
			" ", /* only a space */
			"\"a\"b", /* text right after a quoted argument */
			"a\"b\"", /* a quote inside a bare argument */
			"a\\b", /* a backslash outside quotes */
			"\"\\q\"", /* unknown escape */
			"\"\\x4\"", /* short \x */
			"\"\\xzz\"", /* not hex */
			"\"\\x00\"", /* a NUL would split the argument */
			"\"\\\"", /* backslash at the end */
			"a\nb", /* raw control bytes */
			"\"a\tb\"",
			"a\x7f",
			"\xff", /* raw invalid UTF-8 */
			"\"\xc0\xaf\"", /* raw overlong */
			"\"\xed\xa0\x80\"", /* raw surrogate */
			"\xe2\x82", /* raw truncated sequence */
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (!parse_fails(bad[i]))
				UNIT_FAIL("bad[%zu] not rejected with EINVAL", i);
		}
		CHECK(parse_fails(NULL));
	}

	UNIT_CASE("args_round_trip_fixed")
	{
		CHECK(round_trips(B("")));
		CHECK(round_trips(B("\0")));
		CHECK(round_trips(B("a\0\0b\0")));
		CHECK(round_trips(B("\"\\\n\t\r\x01\x7f\x80\xff\xc3\xa9 \0")));
		CHECK(round_trips(B("x")));
	}

	UNIT_CASE("args_round_trip_random")
	{
		unsigned char block[96];
		int iter, failures = 0;

		for (iter = 0; iter < 5000 && failures < 5; iter++) {
			size_t len = unit_rng() % (sizeof(block) - 4), i = 0;
			bool terminate = iter % 8 != 0;

			while (i < len) {
				if (unit_rng() % 6 == 0 && i + 4 <= len)
					i += random_utf8(block + i);
				else
					block[i++] = random_byte();
			}
			if (terminate && len)
				block[len - 1] = '\0';
			if (!round_trips((const char *)block, len)) {
				UNIT_FAIL("iteration %d", iter);
				failures++;
			}
		}
		CHECK_INT(iter, 5000);
	}

	UNIT_EXIT();
}
