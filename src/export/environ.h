/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's environment as Tetragon's process objects carry it
 * (--enable-process-environment-variables): the JSON array
 * [{"Key": "HOME", "Value": "/root"}, ...], made once per exec from the
 * NUL-separated "KEY=VALUE" strings the kernel side read.
 */
#ifndef HORNET_PROCESS_ENVIRON_H
#define HORNET_PROCESS_ENVIRON_H

#include <stdbool.h>
#include <stddef.h>

struct hornet_redact;

/*
 * The array's JSON text (malloc'd), or NULL when out of memory. @truncated:
 * the kernel side cut the environment at its limit, so the last string is
 * partial and left out. @keep (NULL: all): a NULL-terminated list of the
 * names kept (--filter-environment-variables), applied before the redaction
 * filters @r, which see each whole "KEY=VALUE" string, as in Tetragon; a
 * string without '=' has the key "invalid" and is the value.
 */
char *hornet_environ_json(const char *env, size_t len, bool truncated, char *const *keep,
			  struct hornet_redact *r, const char *binary);

/* @text split at commas into a NULL-terminated list (malloc'd, one block);
 * NULL when @text is NULL or empty, or out of memory. */
char **hornet_environ_keep_list(const char *text);

#endif
