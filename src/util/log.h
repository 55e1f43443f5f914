/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics to stderr, one line each, with a level; events never go here. */
#ifndef HORNET_UTIL_LOG_H
#define HORNET_UTIL_LOG_H

#include <stddef.h>

enum hornet_log_level {
	HORNET_LOG_ERROR,
	HORNET_LOG_WARN,
	HORNET_LOG_INFO,
	HORNET_LOG_DEBUG,
};

extern enum hornet_log_level hornet_log_level;

/* Parses "error", "warn", "info" or "debug"; returns 0 or -EINVAL. */
int hornet_log_level_parse(const char *s, enum hornet_log_level *level);
const char *hornet_log_level_name(enum hornet_log_level level);

/*
 * The agent keeps the last HORNET_LOG_TAIL_SIZE bytes it logged (every
 * level it writes) for `hornet bugtool`; hornet_log_tail() copies the whole
 * lines of them that fit in @size and returns their length.
 */
#define HORNET_LOG_TAIL_SIZE (64 << 10)
void hornet_log_keep_tail(void);
size_t hornet_log_tail(char *out, size_t size);

void hornet_log(enum hornet_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...) hornet_log(HORNET_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) hornet_log(HORNET_LOG_WARN, __VA_ARGS__)
#define pr_info(...) hornet_log(HORNET_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hornet_log(HORNET_LOG_DEBUG, __VA_ARGS__)

/* Routes libbpf's messages through hornet_log (warnings at "warn", the rest at "debug"). */
void hornet_log_libbpf(void);

#endif
