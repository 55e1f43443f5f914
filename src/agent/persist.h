/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --persist-policies DIR: the policies added through the API (socket or
 * HTTP) are kept there, so that the next start loads them again. Each is
 * DIR/NAME.yaml, its text as it was given, and DIR/NAME.state, what was
 * changed on it since: {"name": ..., "disabled": bool, "mode": "monitor"}.
 * NAME is the policy's name with every byte outside [A-Za-z0-9_.-] (and a
 * leading dot) written %XX. Files are written whole (a temporary file
 * renamed over), mode 0600.
 */
#ifndef HORNET_AGENT_PERSIST_H
#define HORNET_AGENT_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

/* Writes DIR/NAME.yaml. Returns 0 or -errno with @err set. */
int hornet_persist_save(const char *dir, const char *name, const char *text, size_t len, char *err,
			size_t err_size);
/*
 * Writes DIR/NAME.state when the policy is kept there (its .yaml exists);
 * @mode NULL: the policy's own. Returns 0 (also when not kept) or -errno.
 */
int hornet_persist_state(const char *dir, const char *name, bool disabled, const char *mode,
			 char *err, size_t err_size);
/* Removes both files of @name, if there. */
void hornet_persist_remove(const char *dir, const char *name);

/*
 * Calls @fn for each DIR/ *.state file that parses; @why is called for one
 * that does not (with its path and the reason). Returns the count.
 */
int hornet_persist_each_state(
	const char *dir, void (*fn)(void *ctx, const char *name, bool disabled, const char *mode),
	void (*why)(void *ctx, const char *path, const char *reason), void *ctx);

#endif
