// SPDX-License-Identifier: GPL-2.0
/*
 * Redaction filters (--redaction-filters): what a match replaces, as
 * Tetragon's redaction does it, and the messages for filters that are wrong.
 */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "process/redact.h"

static char err[512];

static struct hornet_redact *filters(const char *text)
{
	struct hornet_redact *r = hornet_redact__new(text, err, sizeof(err));

	if (!r)
		printf("# '%s': %s\n", text, err);
	return r;
}

/* @args through @r for @binary; a static copy of the result. */
static const char *apply(struct hornet_redact *r, const char *binary, const char *args)
{
	static char out[1024];
	char *s = hornet_redact__args(r, binary, strdup(args));

	snprintf(out, sizeof(out), "%s", s ? s : "(null)");
	free(s);
	return out;
}

/* @args through filters made from @text alone. */
static const char *once(const char *text, const char *args)
{
	struct hornet_redact *r = filters(text);
	const char *got = apply(r, NULL, args);

	hornet_redact__free(r);
	return got;
}

/* The message for @text, which must be refused. */
static const char *refused(const char *text)
{
	struct hornet_redact *r = hornet_redact__new(text, err, sizeof(err));

	if (r) {
		hornet_redact__free(r);
		return "(accepted)";
	}
	return errno == EINVAL ? err : "(not EINVAL)";
}

#define PASSWORD "{\"redact\": [\"(?:--password|-p)(?:\\\\s+|=)(\\\\S*)\"]}"

int main(void)
{
	struct hornet_redact *r;

	UNIT_CASE("redact_capture_group")
	{
		r = filters(PASSWORD);
		CHECK(r);
		CHECK_STR(apply(r, "/usr/bin/mysql", "--user=bob --password=hunter2 -p hunter3 -v"),
			  "--user=bob --password=***** -p ***** -v");
		/* an empty group still says that something was there */
		CHECK_STR(apply(r, "/bin/x", "--password= x"), "--password=***** x");
		CHECK_STR(apply(r, NULL, "--password=foo"), "--password=*****");
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_no_match_returns_the_same_string")
	{
		char *args = strdup("--user=bob --verbose"), *got;

		r = filters(PASSWORD);
		got = hornet_redact__args(r, "/bin/x", args);
		CHECK(got == args);
		CHECK_STR(got, "--user=bob --verbose");
		free(got);
		/* no filters: nothing to do */
		args = strdup("--password=x");
		CHECK(hornet_redact__args(NULL, "/bin/x", args) == args);
		free(args);
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_several_groups_nested_and_regexes_in_order")
	{
		CHECK_STR(
			once("{\"redact\": [\"(\\\\w+):(\\\\w+)@\"]}", "https://user:pass@host/x"),
			"https://*****:*****@host/x");
		/* the inner group is inside the outer one: replaced with it */
		CHECK_STR(once("{\"redact\": [\"(foo(bar))qux\"]}", "foobarqux foobarqu"),
			  "*****qux foobarqu");
		/* a group that takes no part is left alone */
		CHECK_STR(once("{\"redact\": [\"(?:(a)|(b))=(\\\\d+)\"]}", "b=12 a=3"),
			  "*****=***** *****=*****");
		/* Tetragon's own example: each regex reads the previous one's result */
		r = filters("{\"redact\": [\"(?:--password|-p)[\\\\s=]+(\\\\S+)\", "
			    "\"\\\\W(TOPSECRET)\\\\W\", \"(cheese)cake\"]}");
		CHECK_STR(apply(r, NULL,
				"--verbose=true --password ybx511!ackt544 --username foobar "
				"cheesecake TOPSECRET innocent"),
			  "--verbose=true --password ***** --username foobar *****cake ***** "
			  "innocent");
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_utf8")
	{
		r = filters("{\"redact\": [\"--password=(\\\\S*)\", \"(ö+)\", \"(?i)(ÉTÉ)\"]}");
		CHECK_STR(apply(r, NULL, "--password=pässwörd x"), "--password=***** x");
		CHECK_STR(apply(r, NULL, "aööb été"), "a*****b *****");
		/* not UTF-8 (util/args.h never makes that): nothing can be said, all hidden */
		CHECK_STR(apply(r, NULL, "--password=\xff"), "*****");
		hornet_redact__free(r);
		/* \w is ASCII as in RE2: the é stops it */
		CHECK_STR(once("{\"redact\": [\"k=(\\\\w+)\"]}", "k=abé"), "k=*****é");
	}

	UNIT_CASE("redact_regex_that_matches_empty")
	{
		/* as Go's ReplaceAll: every empty match but one right after a match */
		r = filters("{\"redact\": [\"(x*)\"]}");
		CHECK_STR(apply(r, NULL, "ab"), "*****a*****b*****");
		CHECK_STR(apply(r, NULL, "xab"), "*****a*****b*****");
		CHECK_STR(apply(r, NULL, "é"), "*****é*****");
		CHECK_STR(apply(r, NULL, ""), "*****");
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_binary_regex")
	{
		r = filters("{\"binary_regex\": [\"(?:^|/)mysql$\"], \"redact\": "
			    "[\"--password=(\\\\S+)\"]}\n"
			    "{\"match\": {\"binary_regex\": [\"psql$\"]}, \"redact\": [\"-W "
			    "(\\\\S+)\"]}");
		CHECK(hornet_redact__filters(r) == 2);
		CHECK_STR(apply(r, "/usr/bin/mysql", "--password=a -W b"), "--password=***** -W b");
		CHECK_STR(apply(r, "/usr/bin/psql", "--password=a -W b"), "--password=a -W *****");
		CHECK_STR(apply(r, "/usr/bin/mysqld", "--password=a"), "--password=a");
		CHECK_STR(apply(r, NULL, "--password=a"), "--password=a");
		/* a binary name that is not UTF-8 cannot be matched: the filter applies */
		CHECK_STR(apply(r, "/tmp/\xff/x", "--password=a"), "--password=*****");
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_a_list_and_an_array")
	{
		r = filters("[{\"redact\": [\"a=(\\\\S+)\"]}, {\"redact\": \"b=(\\\\S+)\"}]\n"
			    "  {\"redact\": [\"c=(\\\\S+)\"]}");
		CHECK(hornet_redact__filters(r) == 3);
		CHECK_STR(apply(r, NULL, "a=1 b=2 c=3 d=4"), "a=***** b=***** c=***** d=4");
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_match_that_does_not_finish_hides_everything")
	{
		char args[64];

		memset(args, 'a', 40);
		strcpy(args + 40, "!");
		r = filters("{\"redact\": [\"^(\\\\w+\\\\s?)+$\"]}");
		CHECK_STR(apply(r, NULL, args), "*****");
		CHECK_INT(hornet_redact__failures(r), 1);
		hornet_redact__free(r);
	}

	UNIT_CASE("redact_errors_say_what_and_where")
	{
		CHECK_STR(refused("{\"redact\": [\"(a)\"]}\n{\"redact\": [\"(?:--password\"]}"),
			  "filter 2: redact[0]: missing closing parenthesis at offset 13 in "
			  "'(?:--password'");
		CHECK_STR(refused("{\"redact\": [\"(a)\", \"--password=\\\\S+\"]}"),
			  "filter 1: redact[1]: '--password=\\S+' has no capture group, so it "
			  "would redact nothing (put what to hide in parentheses, e.g. "
			  "--password=(\\S*))");
		CHECK_STR(refused("{\"binary_regex\": [\"[a\"], \"redact\": [\"(a)\"]}"),
			  "filter 1: binary_regex[0]: missing terminating ] for character class at "
			  "offset 2 in '[a'");
		CHECK_STR(refused("{\"redcat\": [\"(a)\"]}"),
			  "filter 1: unknown key 'redcat' (valid: redact, binary_regex, match)");
		CHECK_STR(refused("{\"binary_regex\": [\"x\"]}"),
			  "filter 1: redact: missing or empty (what should it redact?)");
		CHECK_STR(refused("{\"redact\": [\"(a)\"]}\n{\"redact\": [\"(a)\",}"),
			  "line 2, column 20: invalid JSON: unexpected token near '}'");
		CHECK_STR(refused("{\"redact\": [7]}"), "filter 1: redact[0]: not a string");
		CHECK_STR(refused("[\"(a)\"]"),
			  "filter 1: expected an object like {\"redact\": [...]}");
		CHECK_STR(
			refused("{\"match\": {\"namespace\": [\"x\"]}, \"redact\": [\"(a)\"]}"),
			"filter 1: match: 'namespace' is not supported (hornet reads binary_regex "
			"alone; write it beside redact, as Tetragon does since it deprecated "
			"match)");
		CHECK_STR(refused("  \n "), "no filter (expected {\"redact\": [\"regex\", ...]})");
		CHECK_STR(
			refused("{\"redact\": [\"(a)\"], \"redact\": [\"(b)\"]}"),
			"line 1, column 29: invalid JSON: duplicate object key near '\"redact\"'");
	}

	UNIT_EXIT();
}
