// SPDX-License-Identifier: GPL-2.0
/*
 * Redaction filters: parsing (jansson), compiling (PCRE2) and applying them
 * to a process's arguments. What a match does follows Tetragon's redaction
 * (Go's ReplaceAllStringFunc): successive non-overlapping matches, an empty
 * match right where the previous match ended ignored; in each match every
 * capture group that took part is replaced, a group inside one already
 * replaced skipped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "process/redact.h"

#define REDACT_MAX_TEXT (64 * 1024)
#define REDACT_MAX_FILTERS 256
#define REDACT_MAX_REGEXES 256 /* of each kind in a filter */
#define REDACT_MAX_REGEX 4096
/*
 * The arguments are the process's to choose: a pattern that backtracks a lot
 * must not stall the event loop on them. 10^6 steps is a few milliseconds;
 * a match that hits it fails closed (see hornet_redact__args()).
 */
#define REDACT_MATCH_LIMIT 1000000
#define REDACT_DEPTH_LIMIT 100000

struct redact_filter {
	pcre2_code **bin;
	size_t nr_bin;
	pcre2_code **re;
	size_t nr_re;
};

struct hornet_redact {
	struct redact_filter *f;
	size_t nr;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	uint32_t max_groups;
	uint64_t failures;
};

static void filter_free(struct redact_filter *f)
{
	size_t i;

	for (i = 0; i < f->nr_bin; i++)
		pcre2_code_free(f->bin[i]);
	for (i = 0; i < f->nr_re; i++)
		pcre2_code_free(f->re[i]);
	free(f->bin);
	free(f->re);
}

void hornet_redact__free(struct hornet_redact *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr; i++)
		filter_free(&r->f[i]);
	free(r->f);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	free(r);
}

size_t hornet_redact__filters(const struct hornet_redact *r)
{
	return r ? r->nr : 0;
}

uint64_t hornet_redact__failures(const struct hornet_redact *r)
{
	/* the API's thread reads it while the event loop counts */
	return r ? __atomic_load_n(&r->failures, __ATOMIC_RELAXED) : 0;
}

/* Compiles one regex; @what names it in errors ("filter 2: redact[0]"). */
static int compile(struct hornet_redact *r, const char *re, size_t len, bool need_group,
		   pcre2_code **out, const char *what, char *err, size_t err_size)
{
	/*
	 * RE2's meaning where PCRE2's default differs: $ only at the very end;
	 * \C (one byte, even inside a character) refused. Arguments are valid
	 * UTF-8 (util/args.h escapes the rest). Not PCRE2_MATCH_INVALID_UTF: with
	 * it, PCRE2 10.42's JIT stops \S at the first non-ASCII character
	 * (--password=(\S*) kept "ässwort" of "pässwort"; test_redact checks).
	 */
	uint32_t opts = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	uint32_t groups = 0;
	pcre2_code *code;
	int code_err;

	if (len > REDACT_MAX_REGEX) {
		snprintf(err, err_size, "%s: longer than %d bytes", what, REDACT_MAX_REGEX);
		return -EINVAL;
	}
	code = pcre2_compile((PCRE2_SPTR)re, len, opts, &code_err, &off, NULL);
	if (!code) {
		if (pcre2_get_error_message(code_err, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code_err);
		snprintf(err, err_size, "%s: %s at offset %zu in '%.80s'", what, (char *)msg,
			 (size_t)off, re);
		return code_err == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EINVAL;
	}
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (need_group && !groups) {
		/* Tetragon takes it and redacts nothing: a secret let through unseen */
		snprintf(err, err_size,
			 "%s: '%.80s' has no capture group, so it would redact nothing (put what "
			 "to hide in parentheses, e.g. --password=(\\S*))",
			 what, re);
		pcre2_code_free(code);
		return -EINVAL;
	}
	/* the interpreter does the same work when the JIT is missing or refuses */
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	if (groups + 1 > r->max_groups)
		r->max_groups = groups + 1;
	*out = code;
	return 0;
}

/* A string or an array of strings, compiled into *@v. */
static int regex_list(struct hornet_redact *r, json_t *val, const char *name, const char *filter,
		      bool need_group, pcre2_code ***v, size_t *n, char *err, size_t err_size)
{
	char what[128];
	json_t *one = json_is_string(val) ? val : NULL;
	size_t i, count = one ? 1 : json_array_size(val);
	pcre2_code **codes;
	int ret;

	if (!one && !json_is_array(val)) {
		snprintf(err, err_size, "%s: %s: expected a list of regular expressions", filter,
			 name);
		return -EINVAL;
	}
	if (count > REDACT_MAX_REGEXES) {
		snprintf(err, err_size, "%s: %s: more than %d regular expressions", filter, name,
			 REDACT_MAX_REGEXES);
		return -EINVAL;
	}
	codes = realloc(*v, (*n + count + 1) * sizeof(*codes));
	if (!codes)
		return -ENOMEM;
	*v = codes;
	for (i = 0; i < count; i++) {
		json_t *s = one ? one : json_array_get(val, i);

		snprintf(what, sizeof(what), "%s: %s[%zu]", filter, name, i);
		if (!json_is_string(s)) {
			snprintf(err, err_size, "%s: not a string", what);
			return -EINVAL;
		}
		ret = compile(r, json_string_value(s), json_string_length(s), need_group,
			      &codes[*n], what, err, err_size);
		if (ret)
			return ret;
		(*n)++;
	}
	return 0;
}

/* Tetragon's deprecated form: match, an export filter (or a list of them). */
static int parse_match(struct hornet_redact *r, struct redact_filter *f, json_t *m,
		       const char *filter, char *err, size_t err_size)
{
	size_t i, count = json_is_array(m) ? json_array_size(m) : 1;
	const char *key;
	json_t *o, *v;
	int ret;

	for (i = 0; i < count; i++) {
		o = json_is_array(m) ? json_array_get(m, i) : m;
		if (!json_is_object(o)) {
			snprintf(err, err_size,
				 "%s: match: expected an object like "
				 "{\"binary_regex\": [...]}",
				 filter);
			return -EINVAL;
		}
		json_object_foreach(o, key, v)
		{
			if (strcmp(key, "binary_regex")) {
				snprintf(err, err_size,
					 "%s: match: '%.64s' is not supported (hornet reads "
					 "binary_regex alone; write it beside redact, as Tetragon "
					 "does since it deprecated match)",
					 filter, key);
				return -EINVAL;
			}
			ret = regex_list(r, v, "match.binary_regex", filter, false, &f->bin,
					 &f->nr_bin, err, err_size);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int parse_filter(struct hornet_redact *r, json_t *o, char *err, size_t err_size)
{
	struct redact_filter *f;
	char filter[32];
	const char *key;
	json_t *v;
	int ret = 0;

	snprintf(filter, sizeof(filter), "filter %zu", r->nr + 1);
	if (!json_is_object(o)) {
		snprintf(err, err_size, "%s: expected an object like {\"redact\": [...]}", filter);
		return -EINVAL;
	}
	if (r->nr >= REDACT_MAX_FILTERS) {
		snprintf(err, err_size, "more than %d filters", REDACT_MAX_FILTERS);
		return -EINVAL;
	}
	f = realloc(r->f, (r->nr + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	r->f = f;
	f = &r->f[r->nr++];
	memset(f, 0, sizeof(*f));
	json_object_foreach(o, key, v)
	{
		if (!strcmp(key, "redact"))
			ret = regex_list(r, v, "redact", filter, true, &f->re, &f->nr_re, err,
					 err_size);
		else if (!strcmp(key, "binary_regex"))
			ret = regex_list(r, v, "binary_regex", filter, false, &f->bin, &f->nr_bin,
					 err, err_size);
		else if (!strcmp(key, "match"))
			ret = parse_match(r, f, v, filter, err, err_size);
		else {
			snprintf(err, err_size,
				 "%s: unknown key '%.64s' (valid: redact, binary_regex, match)",
				 filter, key);
			ret = -EINVAL;
		}
		if (ret)
			return ret;
	}
	if (!f->nr_re) {
		snprintf(err, err_size, "%s: redact: missing or empty (what should it redact?)",
			 filter);
		return -EINVAL;
	}
	return 0;
}

/* Where byte @off of @text is, as jansson counts: line and column from 1. */
static void where(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int parse(struct hornet_redact *r, const char *text, char *err, size_t err_size)
{
	size_t off = 0, len = strlen(text), i;
	json_error_t jerr;
	int line, col, ret = 0;
	json_t *v;

	if (len > REDACT_MAX_TEXT) {
		snprintf(err, err_size, "longer than %d bytes", REDACT_MAX_TEXT);
		return -EINVAL;
	}
	for (;;) {
		off += strspn(text + off, " \t\r\n");
		if (off >= len)
			break;
		/* a stream of values, as Tetragon's json.Decoder reads them */
		v = json_loadb(text + off, len - off,
			       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
		if (!v) {
			where(text, off + (jerr.position > 0 ? (size_t)jerr.position : 0), &line,
			      &col);
			snprintf(err, err_size, "line %d, column %d: invalid JSON: %s", line, col,
				 jerr.text);
			return -EINVAL;
		}
		off += jerr.position;
		if (json_is_array(v)) {
			for (i = 0; !ret && i < json_array_size(v); i++)
				ret = parse_filter(r, json_array_get(v, i), err, err_size);
		} else {
			ret = parse_filter(r, v, err, err_size);
		}
		json_decref(v);
		if (ret)
			return ret;
	}
	if (!r->nr) {
		snprintf(err, err_size, "no filter (expected {\"redact\": [\"regex\", ...]})");
		return -EINVAL;
	}
	return 0;
}

struct hornet_redact *hornet_redact__new(const char *text, char *err, size_t err_size)
{
	struct hornet_redact *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return NULL;
	err[0] = '\0';
	ret = parse(r, text, err, err_size);
	if (!ret) {
		r->md = pcre2_match_data_create(r->max_groups, NULL);
		r->mctx = pcre2_match_context_create(NULL);
		if (!r->md || !r->mctx)
			ret = -ENOMEM;
	}
	if (!ret) {
		pcre2_set_match_limit(r->mctx, REDACT_MATCH_LIMIT);
		pcre2_set_depth_limit(r->mctx, REDACT_DEPTH_LIMIT);
		return r;
	}
	hornet_redact__free(r);
	errno = -ret;
	return NULL;
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* The byte after the UTF-8 character at @pos (a stray byte counts as one). */
static size_t next_char(const char *s, size_t len, size_t pos)
{
	pos++;
	while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

/*
 * One regex over @s. Returns 1 and the result in @out when it replaced
 * something, 0 when not, -EIO when a match failed to complete, -ENOMEM.
 */
static int redact_one(struct hornet_redact *r, const pcre2_code *re, const char *s, struct buf *out)
{
	size_t len = strlen(s), pos = 0, copied = 0, prev_end = SIZE_MAX, ms, me, gs, ge;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	bool replaced = false;
	int rc, g, ret;

	out->len = 0;
	while (pos <= len) {
		/* the first call checks the whole string is UTF-8; later ones start on a character */
		rc = pcre2_match(re, (PCRE2_SPTR)s, len, pos, pos ? PCRE2_NO_UTF_CHECK : 0, r->md,
				 r->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc <= 0)
			return -EIO;
		ms = ov[0];
		me = ov[1];
		if (me == pos) {
			/* empty: Go skips one that abuts the previous match */
			if (ms == prev_end)
				rc = 1;
			pos = pos < len ? next_char(s, len, pos) : len + 1;
		} else {
			pos = me;
		}
		prev_end = me;
		for (g = 1; g < rc; g++) {
			gs = ov[2 * g];
			ge = ov[2 * g + 1];
			/* unset, inside one already replaced, or reversed by \K */
			if (gs == PCRE2_UNSET || gs < copied || ge < gs || ge > len)
				continue;
			ret = buf_add(out, s + copied, gs - copied);
			ret = ret ?: buf_add(out, HORNET_REDACTED, sizeof(HORNET_REDACTED) - 1);
			if (ret)
				return ret;
			copied = ge;
			replaced = true;
		}
	}
	if (!replaced)
		return 0;
	return buf_add(out, s + copied, len - copied) ?: 1;
}

static bool binary_matches(struct hornet_redact *r, const struct redact_filter *f,
			   const char *binary)
{
	size_t i;
	int rc;

	if (!f->nr_bin)
		return true;
	if (!binary)
		return false;
	for (i = 0; i < f->nr_bin; i++) {
		rc = pcre2_match(f->bin[i], (PCRE2_SPTR)binary, strlen(binary), 0, 0, r->md,
				 r->mctx);
		/*
		 * an unanswered binary match (the match limit, a name that is not
		 * UTF-8) redacts rather than lets through
		 */
		if (rc > 0 || rc != PCRE2_ERROR_NOMATCH)
			return true;
	}
	return false;
}

char *hornet_redact__args(struct hornet_redact *r, const char *binary, char *args)
{
	struct buf out = {};
	size_t i, j;
	char *tmp;
	int ret = 0;

	if (!r || !args)
		return args;
	for (i = 0; i < r->nr && ret >= 0; i++) {
		if (!binary_matches(r, &r->f[i], binary))
			continue;
		for (j = 0; j < r->f[i].nr_re && ret >= 0; j++) {
			ret = redact_one(r, r->f[i].re[j], args, &out);
			if (ret <= 0)
				continue;
			/* the result is the next regex's input; @out keeps the old buffer */
			tmp = args;
			args = out.p;
			out.p = tmp;
			out.cap = strlen(tmp) + 1;
		}
	}
	free(out.p);
	if (ret == -EIO) {
		__atomic_fetch_add(&r->failures, 1, __ATOMIC_RELAXED);
		free(args);
		return strdup(HORNET_REDACTED);
	}
	if (ret < 0) {
		free(args);
		return NULL;
	}
	return args;
}
