/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Redaction filters (--redaction-filters), in Tetragon's format: JSON
 * objects, one after another or in an array, each
 *   {"binary_regex": ["..."], "redact": ["..."]}
 * (Tetragon's deprecated {"match": {"binary_regex": [...]}} is read too).
 * Where a redact regex matches a process's arguments, the text of each of
 * its capture groups becomes "*****"; binary_regex, when given, limits the
 * filter to processes whose binary path it matches. The regexes are PCRE2,
 * compiled (and JIT-compiled where PCRE2 can) once, at start; the syntax
 * Tetragon's users write for RE2 ((?:...), (?P<name>...), \d, \S, (?i)) means
 * the same here, and $ matches only at the very end, as in RE2.
 *
 * The agent applies the filters once per process, when its arguments are
 * formatted (util/args.h), so every output (file, API, store) gets the same
 * redacted string and the original is never kept.
 */
#ifndef HORNET_PROCESS_REDACT_H
#define HORNET_PROCESS_REDACT_H

#include <stddef.h>
#include <stdint.h>

#define HORNET_REDACTED "*****"

struct hornet_redact;

/*
 * Parses and compiles @text. NULL with errno set on failure; on EINVAL, @err
 * says what is wrong and where ("filter 2: redact[0]: missing closing
 * parenthesis at offset 7"). Text with no filter (only white space) is
 * EINVAL too: the caller decides whether "none" is allowed.
 */
struct hornet_redact *hornet_redact__new(const char *text, char *err, size_t err_size);
void hornet_redact__free(struct hornet_redact *r);

size_t hornet_redact__filters(const struct hornet_redact *r);

/*
 * Applies the filters to @args (a malloc'd string, taken over) of a process
 * running @binary (NULL: unknown; only filters without binary_regex apply).
 * Returns @args itself when nothing matched, else a new malloc'd string
 * (@args freed); NULL when out of memory (@args freed). A regex that fails
 * to complete (PCRE2's match limit, against adversarial arguments) makes the
 * whole string "*****": a secret is never let through for want of an answer.
 * @r NULL: @args is returned as is. Not thread-safe (one match buffer).
 */
char *hornet_redact__args(struct hornet_redact *r, const char *binary, char *args);

/* Matches that failed to complete and made a whole string "*****". */
uint64_t hornet_redact__failures(const struct hornet_redact *r);

#endif
