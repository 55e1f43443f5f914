// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "util/log.h"

enum hornet_log_level hornet_log_level = HORNET_LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int hornet_log_level_parse(const char *s, enum hornet_log_level *level)
{
	unsigned int i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(s, level_names[i])) {
			*level = i;
			return 0;
		}
	}
	if (!strcmp(s, "warning")) {
		*level = HORNET_LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

static void vlog(enum hornet_log_level level, const char *fmt, va_list ap)
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	/* one line at a time: the Kubernetes watch threads log too */
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ %-5s ", ts, now.tv_nsec / 1000000, level_names[level]);
	vfprintf(stderr, fmt, ap);
	n = strlen(fmt);
	if (!n || fmt[n - 1] != '\n')
		fputc('\n', stderr);
	funlockfile(stderr);
}

void hornet_log(enum hornet_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > hornet_log_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum hornet_log_level l = level == LIBBPF_WARN ? HORNET_LOG_WARN : HORNET_LOG_DEBUG;

	if (l > hornet_log_level)
		return 0;
	vlog(l, fmt, ap);
	return 0;
}

void hornet_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
