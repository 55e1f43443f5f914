// SPDX-License-Identifier: GPL-2.0
/*
 * The streaming JSON writer. Every output is also read back with jansson,
 * so the escaping is proven by a real parser, not only by comparing text.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "unit.h"
#include "export/json.h"

/* A string literal as (pointer, length), embedded NULs included. */
#define B(s) (s), (sizeof(s) - 1)

/* Parses the writer's buffer; NULL (with the reason printed) if it is not JSON. */
static json_t *parse(const struct hornet_json *j, size_t flags)
{
	json_error_t e;
	json_t *v;

	if (j->failed || !j->buf) {
		printf("    writer failed or empty\n");
		return NULL;
	}
	if (strlen(j->buf) != j->len) {
		printf("    buffer length %zu, strlen %zu\n", j->len, strlen(j->buf));
		return NULL;
	}
	v = json_loadb(j->buf, j->len, flags | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &e);
	if (!v) {
		unit_print_bytes("not JSON", j->buf, j->len);
		printf("    jansson: %s (line %d, column %d)\n", e.text, e.line, e.column);
	}
	return v;
}

/*
 * Writes {"s": <@in>} and checks both the text (the escaped form @esc between
 * the quotes) and what jansson decodes (@want, @want_len bytes).
 */
static bool str_is(const char *in, size_t n, const char *esc, const char *want, size_t want_len)
{
	struct hornet_json j;
	char *text = NULL;
	json_t *root = NULL, *s;
	bool ok = false;

	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	hornet_json_strn(&j, "s", in, n);
	hornet_json_obj_end(&j);
	if (j.failed)
		goto out;
	if (esc) {
		if (asprintf(&text, "{\"s\":\"%s\"}", esc) < 0)
			goto out;
		if (strcmp(j.buf, text)) {
			unit_print_bytes("input", in, n);
			unit_print_bytes("want", text, strlen(text));
			unit_print_bytes("got", j.buf, j.len);
			goto out;
		}
	}
	root = parse(&j, 0);
	if (!root)
		goto out;
	s = json_object_get(root, "s");
	if (!json_is_string(s) || json_object_size(root) != 1) {
		printf("    no string \"s\"\n");
		goto out;
	}
	if (json_string_length(s) != want_len || memcmp(json_string_value(s), want, want_len)) {
		unit_print_bytes("input", in, n);
		unit_print_bytes("decoded, want", want, want_len);
		unit_print_bytes("decoded, got", json_string_value(s), json_string_length(s));
		goto out;
	}
	ok = true;
out:
	json_decref(root);
	free(text);
	hornet_json_free(&j);
	return ok;
}

/* Invalid UTF-8 that decodes to @want (each bad byte a U+FFFD); the text is the same. */
static bool repaired_is(const char *in, size_t n, const char *want)
{
	return str_is(in, n, want, want, strlen(want));
}

/* The writer's buffer must be exactly @want. */
static bool text_is(const struct hornet_json *j, const char *want)
{
	if (j->failed) {
		printf("    writer failed\n");
		return false;
	}
	if (!j->buf || strcmp(j->buf, want) || j->len != strlen(want)) {
		unit_print_bytes("want", want, strlen(want));
		if (j->buf)
			unit_print_bytes("got", j->buf, j->len);
		return false;
	}
	return true;
}

/* A random byte string, biased to UTF-8 lead and continuation bytes. */
static size_t random_bytes(unsigned char *p, size_t max)
{
	static const unsigned char special[] = {
		0x00, 0x08, 0x0a, 0x0c, 0x0d, 0x1f, '"',  '\\', '/',  0x7f, 0x80,
		0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed,
		0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xfe, 0xff, 'a',	'Z',  ' ',
	};
	size_t len = unit_rng() % (max + 1), i;

	for (i = 0; i < len; i++) {
		uint64_t r = unit_rng();

		switch (r % 3) {
		case 0:
			p[i] = special[(r >> 8) % sizeof(special)];
			break;
		case 1:
			p[i] = (unsigned char)(r >> 8);
			break;
		default:
			/* continuation bytes make (in)valid sequences likely */
			p[i] = (unsigned char)(0x80 | ((r >> 8) & 0x3f));
			break;
		}
	}
	return len;
}

int main(void)
{
	struct hornet_json j;
	json_t *root;

	unit_rng_seed(0x2545f4914f6cdd1dULL);

	UNIT_CASE("json_nesting_and_commas")
	{
		hornet_json_init(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_str(&j, "a", "x");
		hornet_json_arr_begin(&j, "list");
		hornet_json_obj_begin(&j, NULL);
		hornet_json_u64(&j, "n", 1);
		hornet_json_obj_end(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_obj_end(&j);
		hornet_json_arr_begin(&j, NULL);
		hornet_json_bool(&j, NULL, true);
		hornet_json_bool(&j, NULL, false);
		hornet_json_arr_end(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_arr_begin(&j, "e");
		hornet_json_arr_end(&j);
		hornet_json_i64(&j, "m", -2);
		hornet_json_obj_end(&j);
		hornet_json_arr_end(&j);
		hornet_json_obj_begin(&j, "o");
		hornet_json_obj_begin(&j, "p");
		hornet_json_str(&j, "q", NULL);
		hornet_json_obj_end(&j);
		hornet_json_raw(&j, "r", B("[1,2]"));
		hornet_json_obj_end(&j);
		hornet_json_u64(&j, "z", 0);
		hornet_json_obj_end(&j);
		CHECK(text_is(&j, "{\"a\":\"x\",\"list\":[{\"n\":1},{},[true,false],"
				  "{\"e\":[],\"m\":-2}],\"o\":{\"p\":{\"q\":\"\"},\"r\":[1,2]},"
				  "\"z\":0}"));
		CHECK_INT(j.depth, 0);
		root = parse(&j, 0);
		CHECK(root);
		if (root) {
			json_t *list = json_object_get(root, "list");

			CHECK_INT(json_object_size(root), 4);
			CHECK_INT(json_array_size(list), 4);
			CHECK_INT(json_integer_value(json_object_get(json_array_get(list, 0), "n")),
				  1);
			CHECK(json_is_false(json_array_get(json_array_get(list, 2), 1)));
			CHECK_INT(json_integer_value(json_object_get(json_array_get(list, 3), "m")),
				  -2);
			CHECK_STR(json_string_value(json_object_get(
					  json_object_get(json_object_get(root, "o"), "p"), "q")),
				  "");
			json_decref(root);
		}
		hornet_json_free(&j);
		CHECK(!j.buf);
	}

	UNIT_CASE("json_top_level_values_and_append")
	{
		hornet_json_init(&j);
		hornet_json_arr_begin(&j, NULL);
		hornet_json_str(&j, NULL, "a");
		hornet_json_u64(&j, NULL, 2);
		hornet_json_arr_end(&j);
		hornet_json_append(&j, B("\n"));
		CHECK(text_is(&j, "[\"a\",2]\n"));
		hornet_json_free(&j);
	}

	UNIT_CASE("json_control_bytes_escaped")
	{
		static const char *const short_esc[0x20] = {
			['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n",
			['\f'] = "\\f", ['\r'] = "\\r",
		};
		char in[3], esc[16];
		unsigned int c;

		for (c = 0; c < 0x20; c++) {
			in[0] = 'a';
			in[1] = (char)c;
			in[2] = 'z';
			if (short_esc[c])
				snprintf(esc, sizeof(esc), "a%sz", short_esc[c]);
			else
				snprintf(esc, sizeof(esc), "a\\u%04xz", c);
			if (!str_is(in, 3, esc, in, 3))
				UNIT_FAIL("byte 0x%02x", c);
		}
		/* a whole string of them, NUL first */
		{
			char all[0x20];

			for (c = 0; c < 0x20; c++)
				all[c] = (char)c;
			CHECK(str_is(all, sizeof(all),
				     "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
				     "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
				     "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
				     "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f",
				     all, sizeof(all)));
		}
		/* DEL and '/' need no escape */
		CHECK(str_is(B("\x7f/"), "\x7f/", B("\x7f/")));
	}

	UNIT_CASE("json_escape_at_every_place_of_a_word")
	{
		/* each byte that matters, at each place of the eight-byte scan and its tail */
		static const unsigned char special[] = { 0x01, 0x1f, 0x20, 0x7f,
							 0x80, '"',  '\\', 0xff };
		static const char *const want[] = { "\\u0001", "\\u001f",      " ",
						    "\x7f",    "\xef\xbf\xbd", "\\\"",
						    "\\\\",    "\xef\xbf\xbd" };
		char in[41], expect[128];
		struct hornet_json j;
		size_t at, k;

		for (k = 0; k < sizeof(special); k++) {
			for (at = 0; at < sizeof(in); at++) {
				memset(in, 'a', sizeof(in));
				in[at] = special[k];
				snprintf(expect, sizeof(expect), "{\"k\":\"%.*s%s%.*s\"}", (int)at,
					 in, want[k], (int)(sizeof(in) - at - 1), in + at + 1);
				hornet_json_init(&j);
				hornet_json_obj_begin(&j, NULL);
				hornet_json_strn(&j, "k", in, sizeof(in));
				hornet_json_obj_end(&j);
				CHECK_STR(j.buf, expect);
				hornet_json_free(&j);
			}
		}
	}

	UNIT_CASE("json_quote_and_backslash")
	{
		CHECK(str_is(B("\""), "\\\"", B("\"")));
		CHECK(str_is(B("\\"), "\\\\", B("\\")));
		CHECK(str_is(B("say \"hi\" \\o/"), "say \\\"hi\\\" \\\\o/", B("say \"hi\" \\o/")));
		CHECK(str_is(B("\\\"\\\""), "\\\\\\\"\\\\\\\"", B("\\\"\\\"")));
		CHECK(str_is(B("\\u0041"), "\\\\u0041", B("\\u0041")));
	}

	UNIT_CASE("json_valid_utf8_kept")
	{
		CHECK(str_is(B("caf\xc3\xa9"), "caf\xc3\xa9", B("caf\xc3\xa9")));
		CHECK(str_is(B("\xf0\x9f\x9a\x80 go"), "\xf0\x9f\x9a\x80 go",
			     B("\xf0\x9f\x9a\x80 go")));
		/* the edges: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF */
		CHECK(str_is(B("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"),
			     "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf",
			     B("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf")));
		CHECK(str_is(B("\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
			     "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
			     B("\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf")));
		/* U+FFFD itself is valid and passes through */
		CHECK(str_is(B(FFFD), FFFD, B(FFFD)));
	}

	UNIT_CASE("json_invalid_utf8_repaired")
	{
		/* a lone continuation byte, and bytes that never occur in UTF-8 */
		CHECK(repaired_is(B("\x80"), FFFD));
		CHECK(repaired_is(B("a\x80z"), "a" FFFD "z"));
		CHECK(repaired_is(B("\xff"), FFFD));
		CHECK(repaired_is(B("\xfe\xf5\xf8"), FFFD FFFD FFFD));
		CHECK(repaired_is(B("\xbf\xbf"), FFFD FFFD));
		/* truncated sequences: at the end, or cut by another byte */
		CHECK(repaired_is(B("\xc3"), FFFD));
		CHECK(repaired_is(B("\xe2\x82"), FFFD FFFD));
		CHECK(repaired_is(B("\xe2\x82z"), FFFD FFFD "z"));
		CHECK(repaired_is(B("\xf0\x9f\x9a"), FFFD FFFD FFFD));
		CHECK(str_is(B("\xf0\x9f\x9a\""), FFFD FFFD FFFD "\\\"", B(FFFD FFFD FFFD "\"")));
		CHECK(str_is(B("\xc3\n"), FFFD "\\n", B(FFFD "\n")));
		/* overlong forms of '/' and of U+0000 */
		CHECK(repaired_is(B("\xc0\xaf"), FFFD FFFD));
		CHECK(repaired_is(B("\xc1\xbf"), FFFD FFFD));
		CHECK(repaired_is(B("\xc0\x80"), FFFD FFFD));
		CHECK(repaired_is(B("\xe0\x80\xaf"), FFFD FFFD FFFD));
		CHECK(repaired_is(B("\xe0\x9f\xbf"), FFFD FFFD FFFD));
		CHECK(repaired_is(B("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD));
		CHECK(repaired_is(B("\xf0\x8f\xbf\xbf"), FFFD FFFD FFFD FFFD));
		/* UTF-16 surrogates U+D800 and U+DFFF */
		CHECK(repaired_is(B("\xed\xa0\x80"), FFFD FFFD FFFD));
		CHECK(repaired_is(B("\xed\xbf\xbf"), FFFD FFFD FFFD));
		/* past U+10FFFF */
		CHECK(repaired_is(B("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD));
		CHECK(repaired_is(B("\xf7\xbf\xbf\xbf"), FFFD FFFD FFFD FFFD));
		/* valid text around a bad byte is kept */
		CHECK(repaired_is(B("\xc3\xa9\xff\xc3\xa9"), "\xc3\xa9" FFFD "\xc3\xa9"));
		CHECK(repaired_is(B("\x80\xf0\x9f\x9a\x80\x80"), FFFD "\xf0\x9f\x9a\x80" FFFD));
	}

	UNIT_CASE("json_long_string_grows_buffer")
	{
		char *in = malloc(100000), *want = malloc(300000);
		size_t i, wn = 0;

		CHECK(in && want);
		if (in && want) {
			for (i = 0; i < 100000; i++) {
				if (i % 7 == 0)
					in[i] = '\n';
				else if (i % 11 == 0)
					in[i] = (char)0xff;
				else
					in[i] = (char)('a' + i % 26);
				if (in[i] == '\n') {
					want[wn++] = '\n';
				} else if (in[i] == (char)0xff) {
					memcpy(want + wn, FFFD, 3);
					wn += 3;
				} else {
					want[wn++] = in[i];
				}
			}
			CHECK(str_is(in, 100000, NULL, want, wn));
		}
		free(in);
		free(want);
	}

	UNIT_CASE("json_integers")
	{
		hornet_json_init(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_u64(&j, "u0", 0);
		hornet_json_u64(&j, "u", UINT64_MAX);
		hornet_json_i64(&j, "i0", 0);
		hornet_json_i64(&j, "imin", INT64_MIN);
		hornet_json_i64(&j, "imax", INT64_MAX);
		hornet_json_i64(&j, "m1", -1);
		hornet_json_u64(&j, "big", 1ULL << 63);
		hornet_json_u64_str(&j, "s0", 0);
		hornet_json_u64_str(&j, "smax", UINT64_MAX);
		hornet_json_obj_end(&j);
		CHECK(text_is(&j, "{\"u0\":0,\"u\":18446744073709551615,\"i0\":0,"
				  "\"imin\":-9223372036854775808,\"imax\":9223372036854775807,"
				  "\"m1\":-1,\"big\":9223372036854775808,\"s0\":\"0\","
				  "\"smax\":\"18446744073709551615\"}"));
		/* jansson's integers are signed 64-bit: read it all as reals to check syntax */
		root = parse(&j, JSON_DECODE_INT_AS_REAL);
		CHECK(root);
		if (root) {
			CHECK(json_real_value(json_object_get(root, "u")) ==
			      18446744073709551615.0);
			CHECK(json_real_value(json_object_get(root, "imin")) ==
			      -9223372036854775808.0);
			json_decref(root);
		}
		hornet_json_free(&j);

		/* those that fit are read back exactly */
		hornet_json_init(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_i64(&j, "imin", INT64_MIN);
		hornet_json_i64(&j, "imax", INT64_MAX);
		hornet_json_u64(&j, "u", INT64_MAX);
		hornet_json_u64(&j, "u0", 0);
		hornet_json_obj_end(&j);
		root = parse(&j, 0);
		CHECK(root);
		if (root) {
			CHECK(json_integer_value(json_object_get(root, "imin")) == INT64_MIN);
			CHECK(json_integer_value(json_object_get(root, "imax")) == INT64_MAX);
			CHECK(json_integer_value(json_object_get(root, "u")) == INT64_MAX);
			CHECK(json_is_integer(json_object_get(root, "u0")));
			CHECK_INT(json_integer_value(json_object_get(root, "u0")), 0);
			json_decref(root);
		}
		hornet_json_free(&j);
	}

	UNIT_CASE("json_bool_and_f64")
	{
		hornet_json_init(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_bool(&j, "t", true);
		hornet_json_bool(&j, "f", false);
		hornet_json_f64(&j, "nan", NAN);
		hornet_json_f64(&j, "inf", INFINITY);
		hornet_json_f64(&j, "ninf", -INFINITY);
		hornet_json_f64(&j, "half", 0.5);
		hornet_json_f64(&j, "neg", -2.25);
		hornet_json_f64(&j, "huge", 1e300);
		hornet_json_f64(&j, "tiny", 1e-300);
		hornet_json_obj_end(&j);
		root = parse(&j, 0);
		CHECK(root);
		if (root) {
			CHECK(json_is_true(json_object_get(root, "t")));
			CHECK(json_is_false(json_object_get(root, "f")));
			CHECK(json_is_number(json_object_get(root, "nan")));
			CHECK(json_number_value(json_object_get(root, "nan")) == 0);
			CHECK(json_number_value(json_object_get(root, "inf")) == 0);
			CHECK(json_number_value(json_object_get(root, "ninf")) == 0);
			CHECK(json_number_value(json_object_get(root, "half")) == 0.5);
			CHECK(json_number_value(json_object_get(root, "neg")) == -2.25);
			CHECK(json_number_value(json_object_get(root, "huge")) == 1e300);
			CHECK(fabs(json_number_value(json_object_get(root, "tiny")) - 1e-300) <
			      1e-305);
			json_decref(root);
		}
		CHECK(j.buf && strstr(j.buf, "\"nan\":0,\"inf\":0,\"ninf\":0,\"half\":0.5,"));
		hornet_json_free(&j);
	}

	UNIT_CASE("json_reset_reuse")
	{
		char *before;

		hornet_json_init(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_str(&j, "first", "a long enough value to be noticed");
		hornet_json_obj_end(&j);
		before = j.buf;
		hornet_json_reset(&j);
		CHECK_INT(j.len, 0);
		CHECK(!j.failed);
		CHECK(j.buf == before); /* the buffer is kept */
		/* no comma may leak from the previous document */
		hornet_json_obj_begin(&j, NULL);
		hornet_json_u64(&j, "n", 7);
		hornet_json_obj_end(&j);
		CHECK(text_is(&j, "{\"n\":7}"));

		/* reset in the middle of a document */
		hornet_json_reset(&j);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_arr_begin(&j, "a");
		hornet_json_u64(&j, NULL, 1);
		hornet_json_reset(&j);
		CHECK_INT(j.depth, 0);
		hornet_json_arr_begin(&j, NULL);
		hornet_json_u64(&j, NULL, 2);
		hornet_json_arr_end(&j);
		CHECK(text_is(&j, "[2]"));
		hornet_json_free(&j);
	}

	UNIT_CASE("json_depth_limit")
	{
		int i;

		/* the deepest nesting allowed: HORNET_JSON_MAX_DEPTH - 1 containers */
		hornet_json_init(&j);
		for (i = 0; i < HORNET_JSON_MAX_DEPTH - 1; i++)
			hornet_json_arr_begin(&j, NULL);
		hornet_json_u64(&j, NULL, 1);
		hornet_json_u64(&j, NULL, 2);
		for (i = 0; i < HORNET_JSON_MAX_DEPTH - 1; i++)
			hornet_json_arr_end(&j);
		CHECK(!j.failed);
		root = parse(&j, 0);
		CHECK(root);
		json_decref(root);

		/* one more fails the writer, and nothing after it crashes */
		hornet_json_reset(&j);
		for (i = 0; i < HORNET_JSON_MAX_DEPTH * 3; i++) {
			if (i % 2)
				hornet_json_obj_begin(&j, NULL);
			else
				hornet_json_obj_begin(&j, "k");
			CHECK(j.depth < HORNET_JSON_MAX_DEPTH);
		}
		CHECK(j.failed);
		hornet_json_str(&j, "s", "after");
		hornet_json_u64(&j, "u", 1);
		for (i = 0; i < HORNET_JSON_MAX_DEPTH * 4; i++)
			hornet_json_obj_end(&j);
		CHECK(j.failed);
		CHECK(j.depth >= 0);

		/* a reset makes it usable again */
		hornet_json_reset(&j);
		CHECK(!j.failed);
		hornet_json_obj_begin(&j, NULL);
		hornet_json_bool(&j, "ok", true);
		hornet_json_obj_end(&j);
		CHECK(text_is(&j, "{\"ok\":true}"));
		hornet_json_free(&j);
	}

	UNIT_CASE("json_random_strings_property")
	{
		unsigned char in[80];
		char want[80 * 3];
		int iter, failures = 0;

		for (iter = 0; iter < 10000 && failures < 5; iter++) {
			size_t n = random_bytes(in, sizeof(in)), wn = ref_utf8_repair(in, n, want);

			if (!str_is((const char *)in, n, NULL, want, wn)) {
				UNIT_FAIL("iteration %d", iter);
				failures++;
			}
		}
		CHECK_INT(iter, 10000);
	}

	UNIT_EXIT();
}
