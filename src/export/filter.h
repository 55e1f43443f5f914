/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Export filters in Tetragon's format (--export-allowlist, --export-denylist,
 * and the "events" API command's allow_list / deny_list): JSON objects, one
 * after another (one a line, as Tetragon writes them), each a filter whose
 * fields must all match (AND); a field with a list matches when one of its
 * values does (OR). A list of filters matches an event when one of its
 * filters does; an event passes when the allowlist is empty or matches and
 * the denylist is empty or does not match, as Tetragon's filters.Apply.
 *
 * Fields: event_set, binary_regex, parent_binary_regex,
 * ancestor_binary_regex, namespace, namespace_regex, pod_regex,
 * container_name_regex, container_id, labels (Kubernetes label selectors),
 * policy_names, pid, health_check, arguments_regex, parent_arguments_regex,
 * capabilities. Refused with the reason: cel_expression, pid_set,
 * in_init_tree. Regexes are PCRE2 read as RE2 (process/redact.h says how).
 *
 * Filters are evaluated on the rendered event (a jansson object), so that an
 * event that waited for its pod is filtered on the pod it got.
 */
#ifndef HORNET_EXPORT_FILTER_H
#define HORNET_EXPORT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct hornet_export_filter;

/* the agent adds ancestors to events (--enable-ancestors) */
#define HORNET_FILTER_ANCESTORS (1u << 0)

/*
 * Parses and compiles @text. NULL with errno set; on EINVAL, @err says what
 * and where ("filter 2 (line 3): binary_regex[0]: missing closing
 * parenthesis at offset 4 in 'a(b'"). Text with no filter is EINVAL too.
 */
struct hornet_export_filter *hornet_export_filter__new(const char *text, unsigned int flags,
						       char *err, size_t err_size);
void hornet_export_filter__free(struct hornet_export_filter *f);

/* Whether matching needs more than the event's type. */
bool hornet_export_filter__needs_event(const struct hornet_export_filter *f);

/*
 * Whether one of the filters matches the event of @type ("process_exec")
 * whose line is @line (@len bytes): the fields are read from the text
 * (export/jscan.h), the line is not parsed whole. Not thread-safe (one
 * match buffer per list).
 */
bool hornet_export_filter__match(struct hornet_export_filter *f, const char *type, const char *line,
				 size_t len);

/* Tetragon's Apply: @allow (NULL: all) matches and @deny (NULL: none) does not. */
bool hornet_export_filter_pass(struct hornet_export_filter *allow,
			       struct hornet_export_filter *deny, const char *type,
			       const char *line, size_t len);

/*
 * Calls @fn on each JSON value of @text (objects one after another, as
 * Tetragon's flags take them), with @where naming it: "NOUN 2 (line 3)".
 * At most @max. Returns 0 or the first error (-EINVAL with @err set).
 */
int hornet_json_each(const char *text, const char *noun, size_t max,
		     int (*fn)(void *ctx, json_t *o, const char *where, char *err, size_t err_size),
		     void *ctx, char *err, size_t err_size);

/*
 * The key of hornet's events ("process_exec") for one of Tetragon's
 * EventType names ("PROCESS_EXEC") or numbers (1); NULL for none.
 */
const char *hornet_export_event_key(json_t *v);
#define HORNET_EVENT_SET_HELP                                                          \
	"not an event type (PROCESS_EXEC, PROCESS_EXIT, PROCESS_KPROBE, "              \
	"PROCESS_TRACEPOINT, PROCESS_UPROBE, PROCESS_LSM, PROCESS_USDT, "              \
	"PROCESS_LOADER, PROCESS_THROTTLE, RATE_LIMIT_INFO, or hornet's PROCESS_DNS, " \
	"PROCESS_HTTP, PROCESS_TLS)"

#endif
