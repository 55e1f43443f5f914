/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compact one-line form of an event, as `tetra getevents -o compact`
 * prints it: an icon, a verb, the pod when there is one, the binary and its
 * arguments, and the event's details (docs/events.md). The agent makes it
 * from the typed event; the CLI, which reads JSON lines, from the JSON
 * object. Both give the same line for the same event.
 */
#ifndef HORNET_EXPORT_COMPACT_H
#define HORNET_EXPORT_COMPACT_H

#include <jansson.h>

#include "export/types.h"
#include "process/pods.h"

/* Returns a malloc'd line without newline, or NULL for an unknown event. */
char *hornet_compact(json_t *event);

/* The same line from a typed event; NULL when out of memory. */
char *hornet_compact_event(const struct hornet_event *ev);
/* ... with the process's pod, as @pods knows it (NULL: none) */
char *hornet_compact_event_pods(const struct hornet_event *ev, const struct hornet_pod_store *pods);

/* The event's type key ("process_exec"), or NULL if it has none. */
const char *hornet_event_type(json_t *event);

#endif
