/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Field filters in Tetragon's format (--field-filters): JSON objects, one a
 * line, each {"event_set": [...], "fields": "process.binary,parent",
 * "action": "INCLUDE"|"EXCLUDE", "invert_event_set": false}. For an event
 * of the set (every event when event_set is empty; every event not in it
 * when inverted), INCLUDE keeps only the listed fields of the event's object
 * ("process_exec": {...}), EXCLUDE removes them; node_name and time stay.
 * Paths go through objects and through arrays of objects (ancestors.binary).
 * Filters apply one after another, in their order.
 */
#ifndef HORNET_EXPORT_FIELDFILTER_H
#define HORNET_EXPORT_FIELDFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct hornet_field_filters;

/* NULL with errno set; on EINVAL @err says what and where. */
struct hornet_field_filters *hornet_field_filters__new(const char *text, char *err,
						       size_t err_size);
void hornet_field_filters__free(struct hornet_field_filters *ff);

/* Whether a filter applies to events of @type ("process_exec"). */
bool hornet_field_filters__applies(const struct hornet_field_filters *ff, const char *type);

/*
 * The event line @line (@len bytes, no newline) of @type through the
 * filters: a new NUL-terminated string (its length in *@out_len), read and
 * written as text (export/jscan.h), the other members as they were. NULL
 * when out of memory.
 */
char *hornet_field_filters__apply(const struct hornet_field_filters *ff, const char *type,
				  const char *line, size_t len, size_t *out_len);

#endif
