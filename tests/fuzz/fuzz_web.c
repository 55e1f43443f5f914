// SPDX-License-Identifier: GPL-2.0
/*
 * Any bytes as what an HTTP client sends the server: the first line is a
 * query string (its parameters the live stream's filters), a Host header
 * and a page path at once; the rest an event line for the filters. Nothing
 * may crash or leak, unescaping never grows a string, a path the check
 * passes has no ".." segment, and the filters answer 0, 1 or -EINVAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "web/live.h"
#include "web/request.h"

#define MAX_PARAMS 32

struct query {
	char *name[MAX_PARAMS], *value[MAX_PARAMS];
	unsigned int n;
};

static const char *param(void *ctx, const char *name)
{
	const struct query *q = ctx;
	unsigned int i;

	for (i = 0; i < q->n; i++)
		if (!strcmp(q->name[i], name))
			return q->value[i];
	return NULL;
}

static void parse_query(struct query *q, char *s)
{
	char *save = NULL, *tok, *eq;

	for (tok = strtok_r(s, "&", &save); tok && q->n < MAX_PARAMS;
	     tok = strtok_r(NULL, "&", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		web_unescape(tok);
		web_unescape(eq + 1);
		q->name[q->n] = tok;
		q->value[q->n] = eq + 1;
		q->n++;
	}
}

/* A segment "." or "..", the way out of a directory. */
static bool dot_segment(const char *p)
{
	const char *seg = p, *end;
	size_t len;

	for (;;) {
		end = strchr(seg, '/');
		len = end ? (size_t)(end - seg) : strlen(seg);
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		if (!end)
			return false;
		seg = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_hosts hosts = { .port = 2113 };
	struct query q = { 0 };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t first = nl ? (size_t)(nl - data) : size, n;
	char *head = malloc(first + 1), *copy, err[256];
	const char *line = nl ? (const char *)nl + 1 : "";
	size_t line_len = nl ? size - first - 1 : 0;
	int ret;

	if (!head)
		return 0;
	memcpy(head, data, first);
	head[first] = '\0';
	copy = strdup(head);
	if (!copy) {
		free(head);
		return 0;
	}
	n = web_unescape(copy);
	if (n != strlen(copy) || n > strlen(head))
		abort();
	if (web_clean_path(copy) && (dot_segment(copy) || copy[0] == '/' || strchr(copy, '\\')))
		abort();
	web_content_type(copy);
	web_hosts_add(&hosts, "127.0.0.1");
	web_hosts_add(&hosts, "localhost");
	web_hosts_add(&hosts, "[::1]");
	if (web_host_ok(&hosts, head) && !strstr(head, ":2113"))
		abort();
	parse_query(&q, head);
	ret = web_live_match(param, &q, line, line_len, err, sizeof(err));
	if (ret != 0 && ret != 1 && ret != -EINVAL && ret != -ENOMEM)
		abort();
	if (ret == -EINVAL && !err[0])
		abort();
	free(copy);
	free(head);
	return 0;
}
