/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_AGENT_AGENT_H
#define HORNET_AGENT_AGENT_H

#include "agent/config.h"

/*
 * Runs the agent until SIGINT or SIGTERM: opens the outputs, loads and
 * attaches the sensors, scans /proc, then serves the event loop. Everything
 * is detached and flushed before it returns 0, or -errno after logging why
 * it could not start.
 */
int hornet_agent_run(const struct hornet_config *cfg);

#endif
