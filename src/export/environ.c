// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "export/json.h"
#include "export/environ.h"
#include "process/redact.h"

static bool kept(char *const *keep, const char *s, size_t klen)
{
	for (; *keep; keep++)
		if (strlen(*keep) == klen && !memcmp(*keep, s, klen))
			return true;
	return false;
}

char *hornet_environ_json(const char *env, size_t len, bool truncated, char *const *keep,
			  struct hornet_redact *r, const char *binary)
{
	const char *s = env, *end = env + len, *nul, *eq;
	struct hornet_json j;
	char *one;

	hornet_json_init(&j);
	hornet_json_arr_begin(&j, NULL);
	for (; s < end; s = nul + 1) {
		nul = memchr(s, '\0', end - s);
		if (!nul) {
			if (truncated)
				break;
			nul = end;
		}
		if (nul == s)
			continue;
		eq = memchr(s, '=', nul - s);
		if (keep && (!eq || !kept(keep, s, eq - s)))
			continue;
		one = strndup(s, nul - s);
		if (one && r)
			one = hornet_redact__args(r, binary, one);
		if (!one) {
			j.failed = true;
			break;
		}
		hornet_json_obj_begin(&j, NULL);
		eq = strchr(one, '=');
		if (eq) {
			hornet_json_strn(&j, "Key", one, eq - one);
			hornet_json_str(&j, "Value", eq + 1);
		} else {
			hornet_json_str(&j, "Key", "invalid");
			hornet_json_str(&j, "Value", one);
		}
		hornet_json_obj_end(&j);
		free(one);
	}
	hornet_json_arr_end(&j);
	if (j.failed) {
		hornet_json_free(&j);
		return NULL;
	}
	return j.buf; /* the caller keeps the buffer */
}

char **hornet_environ_keep_list(const char *text)
{
	size_t n = 1, i, tlen;
	const char *p;
	char **list, *copy, *tok, *save;

	if (!text || !text[0])
		return NULL;
	for (p = text; *p; p++)
		n += *p == ',';
	tlen = strlen(text);
	/* the pointers, then a copy of the text they point into */
	list = malloc((n + 1) * sizeof(*list) + tlen + 1);
	if (!list)
		return NULL;
	copy = (char *)(list + n + 1);
	memcpy(copy, text, tlen + 1);
	i = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		list[i++] = tok;
	list[i] = NULL;
	return list;
}
