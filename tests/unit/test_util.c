// SPDX-License-Identifier: GPL-2.0
/* Small utilities: typo suggestions, interned strings, the UTF-8 validator. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "util/dlib.h"
#include "util/intern.h"
#include "util/suggest.h"
#include "util/utf8.h"

/* A string literal as (pointer, length), embedded NULs included. */
#define B(s) (s), (sizeof(s) - 1)

static const char *const settings[] = {
	"node-name", "export-file",	 "export-file-max-size-mb", "export-file-max-backups",
	"socket",    "enable-ancestors", "process-cache-size",	    "ringbuf-size-mb",
	"log-level", "stdout",		 "exec-creds-hook",	    "config",
	NULL,
};

static bool suggests(const char *word, const char *want)
{
	const char *got = hornet_suggest(word, settings);

	if (want ? !got || strcmp(got, want) : got != NULL) {
		printf("    '%s': got %s%s%s, want %s%s%s\n", word, got ? "'" : "",
		       got ? got : "NULL", got ? "'" : "", want ? "'" : "", want ? want : "NULL",
		       want ? "'" : "");
		return false;
	}
	return true;
}

static bool utf8_len_is(const char *s, size_t n, size_t want)
{
	size_t got = hornet_utf8_len((const unsigned char *)s, n);
	size_t i;

	if (got != want) {
		printf("    ");
		for (i = 0; i < n; i++)
			printf("%02x ", (unsigned char)s[i]);
		printf("(n %zu): got %zu, want %zu\n", n, got, want);
		return false;
	}
	return true;
}

int main(void)
{
	UNIT_CASE("suggest_typos")
	{
		CHECK(suggests("export-fil", "export-file"));
		CHECK(suggests("exprot-file", "export-file"));
		CHECK(suggests("sockt", "socket"));
		CHECK(suggests("sockets", "socket"));
		CHECK(suggests("node_name", "node-name"));
		CHECK(suggests("nodename", "node-name"));
		CHECK(suggests("log-levl", "log-level"));
		CHECK(suggests("loglevel", "log-level"));
		CHECK(suggests("stdot", "stdout"));
		CHECK(suggests("process-cache-sise", "process-cache-size"));
		CHECK(suggests("ringbuf-size", "ringbuf-size-mb"));
		CHECK(suggests("enable-ancestor", "enable-ancestors"));
		CHECK(suggests("export-file-max-backup", "export-file-max-backups"));
		CHECK(suggests("confg", "config"));
		/* an exact match is its own suggestion */
		CHECK(suggests("socket", "socket"));
	}

	UNIT_CASE("suggest_case_insensitive")
	{
		CHECK(suggests("SOCKET", "socket"));
		CHECK(suggests("Export-File", "export-file"));
		CHECK(suggests("LOG-LEVL", "log-level"));
	}

	UNIT_CASE("suggest_distant_words")
	{
		CHECK(suggests("banana", NULL));
		CHECK(suggests("colour", NULL));
		CHECK(suggests("x", NULL));
		CHECK(suggests("", NULL));
		CHECK(suggests("verbose", NULL));
		/* a third of the length: 10 letters allow 3 edits, not 4 */
		CHECK(suggests("socketxyz", "socket"));
		CHECK(suggests("socketwxyz", NULL));
		/* and at least one: 5 letters allow 1 edit, not 2 */
		CHECK(suggests("scket", "socket"));
		CHECK(suggests("sckt", NULL));
		/* words longer than the distance table are never matched */
		CHECK(suggests("export-file-export-file-export-file-export-file-export-file-export",
			       NULL));
		{
			static const char *const none[] = { NULL };
			static const char *const one[] = { "alpha", NULL };

			CHECK(!hornet_suggest("alpha", none));
			CHECK_STR(hornet_suggest("alpa", one), "alpha");
			CHECK(!hornet_suggest("alpah", one)); /* a swap is 2 edits */
			CHECK(!hornet_suggest("omega", one));
		}
	}

	UNIT_CASE("intern_same_string_same_pointer")
	{
		const char *a, *b, *c;

		CHECK_INT(hornet_intern_count(), 0);
		a = hornet_intern(B("/usr/bin/bash"));
		b = hornet_intern(B("/usr/bin/bash"));
		CHECK(a && a == b);
		CHECK_STR(a, "/usr/bin/bash");
		CHECK_INT(hornet_intern_count(), 1);
		/* only @n bytes count, from a longer buffer */
		c = hornet_intern("/usr/bin/bash --login", 13);
		CHECK(c == a);
		CHECK_INT(hornet_intern_count(), 1);
		CHECK(hornet_intern_get(a) == a);
		CHECK(!hornet_intern_get(NULL));
		/* four references: three interns and one get */
		hornet_intern_put(a);
		hornet_intern_put(b);
		hornet_intern_put(c);
		CHECK_INT(hornet_intern_count(), 1);
		CHECK_STR(a, "/usr/bin/bash");
		hornet_intern_put(a);
		CHECK_INT(hornet_intern_count(), 0);
		hornet_intern_put(NULL);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("intern_distinct_strings")
	{
		const char *s[8];
		int i, k;

		s[0] = hornet_intern(B("/bin/sh"));
		s[1] = hornet_intern(B("/bin/s"));
		s[2] = hornet_intern(B("/bin/sh2"));
		s[3] = hornet_intern(B("/BIN/SH"));
		s[4] = hornet_intern(B(""));
		s[5] = hornet_intern(B("a\0b"));
		s[6] = hornet_intern(B("a"));
		s[7] = hornet_intern(B("a\0c"));
		for (i = 0; i < 8; i++) {
			CHECK(s[i]);
			for (k = 0; k < i; k++)
				if (s[i] == s[k])
					UNIT_FAIL("strings %d and %d share a copy", k, i);
		}
		CHECK_INT(hornet_intern_count(), 8);
		CHECK_STR(s[1], "/bin/s");
		CHECK_STR(s[2], "/bin/sh2");
		CHECK_STR(s[4], "");
		CHECK(!memcmp(s[5], "a\0b", 4));
		CHECK(!memcmp(s[7], "a\0c", 4));
		/* the embedded-NUL strings are found again by their bytes */
		CHECK(hornet_intern(B("a\0b")) == s[5]);
		hornet_intern_put(s[5]);
		/* dropping one leaves the others intact */
		hornet_intern_put(s[0]);
		CHECK_STR(s[1], "/bin/s");
		CHECK_STR(s[2], "/bin/sh2");
		CHECK(hornet_intern(B("/bin/s")) == s[1]);
		hornet_intern_put(s[1]);
		for (i = 1; i < 8; i++)
			hornet_intern_put(s[i]);
		CHECK_INT(hornet_intern_count(), 0);
		/* a string interned again after its last put is a new copy, still correct */
		s[0] = hornet_intern(B("/bin/sh"));
		CHECK_STR(s[0], "/bin/sh");
		hornet_intern_put(s[0]);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("intern_many")
	{
		static const char *p[5000];
		char buf[32];
		int i, bad = 0;

		for (i = 0; i < 5000; i++) {
			snprintf(buf, sizeof(buf), "/proc/%d/exe", i % 2500);
			p[i] = hornet_intern(buf, strlen(buf));
		}
		CHECK_INT(hornet_intern_count(), 2500);
		for (i = 0; i < 2500; i++) {
			snprintf(buf, sizeof(buf), "/proc/%d/exe", i);
			if (p[i] != p[i + 2500] || strcmp(p[i], buf))
				bad++;
		}
		CHECK_INT(bad, 0);
		for (i = 0; i < 2500; i++)
			hornet_intern_put(p[i]);
		CHECK_INT(hornet_intern_count(), 2500);
		for (i = 2500; i < 5000; i++)
			hornet_intern_put(p[i]);
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_CASE("utf8_len_valid")
	{
		unsigned int c;

		for (c = 0; c < 0x80; c++) {
			char s[1] = { (char)c };

			if (!utf8_len_is(s, 1, 1))
				UNIT_FAIL("ASCII 0x%02x", c);
		}
		CHECK(utf8_len_is(B("\xc2\x80"), 2)); /* U+0080 */
		CHECK(utf8_len_is(B("\xc3\xa9"), 2)); /* é */
		CHECK(utf8_len_is(B("\xdf\xbf"), 2)); /* U+07FF */
		CHECK(utf8_len_is(B("\xe0\xa0\x80"), 3)); /* U+0800 */
		CHECK(utf8_len_is(B("\xe2\x82\xac"), 3)); /* € */
		CHECK(utf8_len_is(B("\xed\x9f\xbf"), 3)); /* U+D7FF */
		CHECK(utf8_len_is(B("\xee\x80\x80"), 3)); /* U+E000 */
		CHECK(utf8_len_is(B("\xef\xbf\xbd"), 3)); /* U+FFFD */
		CHECK(utf8_len_is(B("\xef\xbf\xbf"), 3)); /* U+FFFF */
		CHECK(utf8_len_is(B("\xf0\x90\x80\x80"), 4)); /* U+10000 */
		CHECK(utf8_len_is(B("\xf0\x9f\x9a\x80"), 4)); /* rocket */
		CHECK(utf8_len_is(B("\xf4\x8f\xbf\xbf"), 4)); /* U+10FFFF */
		/* only the first sequence counts */
		CHECK(utf8_len_is(B("\xc3\xa9\xff"), 2));
		CHECK(utf8_len_is(B("a\xff"), 1));
	}

	UNIT_CASE("utf8_len_invalid")
	{
		unsigned int c;

		/* continuation bytes alone, and bytes that are never UTF-8 */
		for (c = 0x80; c < 0xc0; c++) {
			char s[4] = { (char)c, (char)0x80, (char)0x80, (char)0x80 };

			if (!utf8_len_is(s, 4, 0))
				UNIT_FAIL("continuation 0x%02x", c);
		}
		for (c = 0xf5; c <= 0xff; c++) {
			char s[4] = { (char)c, (char)0x80, (char)0x80, (char)0x80 };

			if (!utf8_len_is(s, 4, 0))
				UNIT_FAIL("byte 0x%02x", c);
		}
		/* overlong forms */
		CHECK(utf8_len_is(B("\xc0\xaf"), 0));
		CHECK(utf8_len_is(B("\xc0\x80"), 0));
		CHECK(utf8_len_is(B("\xc1\xbf"), 0));
		CHECK(utf8_len_is(B("\xe0\x80\xaf"), 0));
		CHECK(utf8_len_is(B("\xe0\x9f\xbf"), 0));
		CHECK(utf8_len_is(B("\xf0\x80\x80\xaf"), 0));
		CHECK(utf8_len_is(B("\xf0\x8f\xbf\xbf"), 0));
		/* surrogates */
		CHECK(utf8_len_is(B("\xed\xa0\x80"), 0));
		CHECK(utf8_len_is(B("\xed\xaf\xbf"), 0));
		CHECK(utf8_len_is(B("\xed\xb0\x80"), 0));
		CHECK(utf8_len_is(B("\xed\xbf\xbf"), 0));
		/* above U+10FFFF */
		CHECK(utf8_len_is(B("\xf4\x90\x80\x80"), 0));
		CHECK(utf8_len_is(B("\xf4\xbf\xbf\xbf"), 0));
		/* a continuation byte missing or wrong */
		CHECK(utf8_len_is(B("\xc3("), 0));
		CHECK(utf8_len_is(B("\xc3\xc3"), 0));
		CHECK(utf8_len_is(B("\xe2\x82("), 0));
		CHECK(utf8_len_is(B("\xe2(\xac"), 0));
		CHECK(utf8_len_is(B("\xf0\x9f\x9a("), 0));
		CHECK(utf8_len_is(B("\xf0\x9f\xc0\x80"), 0));
		/* cut short by @n, whatever follows in memory */
		CHECK(utf8_len_is("\xc3\xa9", 1, 0));
		CHECK(utf8_len_is("\xe2\x82\xac", 2, 0));
		CHECK(utf8_len_is("\xe2\x82\xac", 1, 0));
		CHECK(utf8_len_is("\xf0\x9f\x9a\x80", 3, 0));
	}

	UNIT_CASE("utf8_len_every_two_byte_pair")
	{
		/* against the definition: lead C2..DF and a continuation byte */
		unsigned int a, b, bad = 0;

		for (a = 0x80; a < 0x100; a++) {
			for (b = 0; b < 0x100; b++) {
				unsigned char s[2] = { (unsigned char)a, (unsigned char)b };
				size_t want = a >= 0xc2 && a <= 0xdf && (b & 0xc0) == 0x80 ? 2 : 0;

				if (a >= 0xe0)
					continue; /* longer sequences need more bytes */
				if (hornet_utf8_len(s, 2) != want)
					bad++;
			}
		}
		CHECK_INT(bad, 0);
	}

	UNIT_CASE("dlib_loads_the_table")
	{
		/* the C library's, which every run has */
		static struct {
			HORNET_DLIB_FN(getpid) HORNET_DLIB_FN(strlen)
		} fns;
		static const char *const names[] = { "getpid", "strlen" };
		static struct hornet_dlib lib = {
			.soname = "libc.so.6",
			.names = names,
			.fns = (void **)&fns,
			.n = 2,
			.once = PTHREAD_ONCE_INIT,
		};

		CHECK_INT(hornet_dlib_load(&lib), 0);
		CHECK_STR(lib.error, "");
		CHECK(fns.getpid && fns.getpid() == getpid());
		CHECK(fns.strlen && fns.strlen("four") == 4);
		/* a second load finds it done */
		CHECK_INT(hornet_dlib_load(&lib), 0);
	}

	UNIT_CASE("dlib_says_what_is_missing")
	{
		static void *fns[1];
		static const char *const names[] = { "hornet_no_such_function" };
		static struct hornet_dlib nolib = {
			.soname = "libhornet-no-such-library.so.1",
			.names = names,
			.fns = fns,
			.n = 1,
			.once = PTHREAD_ONCE_INIT,
		};
		static struct hornet_dlib nosym = {
			.soname = "libc.so.6",
			.names = names,
			.fns = fns,
			.n = 1,
			.once = PTHREAD_ONCE_INIT,
		};

		CHECK_INT(hornet_dlib_load(&nolib), -ELIBACC);
		CHECK(strstr(nolib.error, "libhornet-no-such-library.so.1"));
		/* and again: the failure is kept */
		CHECK_INT(hornet_dlib_load(&nolib), -ELIBACC);
		CHECK_INT(hornet_dlib_load(&nosym), -ELIBACC);
		CHECK(strstr(nosym.error, "hornet_no_such_function"));
	}

	UNIT_EXIT();
}
