/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compact one-line form of an event, as `tetra getevents -o compact`
 * prints it: an icon, a verb, the pod when there is one, the binary and its
 * arguments, and the event's details (docs/events.md).
 */
#ifndef HORNET_EXPORT_COMPACT_H
#define HORNET_EXPORT_COMPACT_H

#include <jansson.h>

/* Returns a malloc'd line without newline, or NULL for an unknown event. */
char *hornet_compact(json_t *event);

/* The event's type key ("process_exec"), or NULL if it has none. */
const char *hornet_event_type(json_t *event);

#endif
