// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/compact.h"

const char *hornet_event_type(json_t *event)
{
	const char *key;
	json_t *v;

	json_object_foreach(event, key, v)
	{
		if (!strncmp(key, "process_", 8) && json_is_object(v))
			return key;
	}
	return NULL;
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* Control bytes would break the one-line form: show them as '?'. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

char *hornet_compact(json_t *event)
{
	const char *type = hornet_event_type(event);
	json_t *body, *proc, *pod, *v;
	char where[300] = "", detail[64] = "", *line = NULL;
	const char *args, *icon, *verb;
	int n;

	if (!type)
		return NULL;
	body = json_object_get(event, type);
	proc = json_object_get(body, "process");
	pod = json_object_get(proc, "pod");
	if (json_is_object(pod))
		snprintf(where, sizeof(where), "%s/%s ", str(pod, "namespace"), str(pod, "name"));
	args = str(proc, "arguments");

	if (!strcmp(type, "process_exec")) {
		icon = "\xf0\x9f\x9a\x80"; /* rocket */
		verb = "process";
	} else if (!strcmp(type, "process_exit")) {
		icon = "\xf0\x9f\x92\xa5"; /* collision */
		verb = "exit   ";
		v = json_object_get(body, "signal");
		if (json_is_string(v))
			snprintf(detail, sizeof(detail), " %s", json_string_value(v));
		else
			snprintf(detail, sizeof(detail), " %lld",
				 (long long)json_integer_value(json_object_get(body, "status")));
	} else {
		return NULL;
	}
	n = asprintf(&line, "%s %s %s%s%s%s%s", icon, verb, where, str(proc, "binary"),
		     args[0] ? " " : "", args, detail);
	if (n < 0)
		return NULL;
	sanitize(line);
	return line;
}
