// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

const char *hornet_log_level_name(enum hornet_log_level level)
{
	return (unsigned int)level < sizeof(level_names) / sizeof(level_names[0])
		       ? level_names[level]
		       : "unknown";
}

/*
 * The last lines logged, for `hornet bugtool`: a ring of bytes, off until
 * hornet_log_keep_tail(). Lines are cut at HORNET_LOG_LINE_MAX.
 */
#define HORNET_LOG_LINE_MAX 1024
static pthread_mutex_t tail_lock = PTHREAD_MUTEX_INITIALIZER;
static bool tail_on;
static char tail[HORNET_LOG_TAIL_SIZE];
static size_t tail_end; /* bytes written in all, the next goes at tail_end % size */

void hornet_log_keep_tail(void)
{
	tail_on = true;
}

static void tail_add(const char *line, size_t len)
{
	size_t i;

	pthread_mutex_lock(&tail_lock);
	for (i = 0; i < len; i++)
		tail[(tail_end + i) % sizeof(tail)] = line[i];
	tail_end += len;
	pthread_mutex_unlock(&tail_lock);
}

size_t hornet_log_tail(char *out, size_t size)
{
	size_t have, start, i, n;
	char *nl;

	pthread_mutex_lock(&tail_lock);
	have = tail_end < sizeof(tail) ? tail_end : sizeof(tail);
	n = have < size ? have : size;
	start = tail_end - n;
	for (i = 0; i < n; i++)
		out[i] = tail[(start + i) % sizeof(tail)];
	pthread_mutex_unlock(&tail_lock);
	/* bytes before these were dropped: the first line may be cut, so it goes */
	nl = start > 0 ? memchr(out, '\n', n) : NULL;
	if (nl) {
		i = nl - out + 1;
		memmove(out, nl + 1, n - i);
		n -= i;
	}
	return n;
}

static void vlog(enum hornet_log_level level, const char *fmt, va_list ap)
{
	char ts[32], line[HORNET_LOG_LINE_MAX];
	struct timespec now;
	struct tm tm;
	int n, m;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ %-5s ", ts, now.tv_nsec / 1000000,
		     level_names[level]);
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = m < 0 ? n : n + m >= (int)sizeof(line) - 1 ? (int)sizeof(line) - 2 : n + m;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	/* one write a line: the Kubernetes watch threads log too */
	flockfile(stderr);
	fwrite(line, 1, n, stderr);
	funlockfile(stderr);
	if (tail_on)
		tail_add(line, n);
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

#define VERIFIER_HEAD_LINES 20
#define VERIFIER_TAIL_LINES 60

/*
 * libbpf prints a verifier's log as one message, often megabytes long, and a
 * log line keeps its first kilobyte: the start of the walk, not the error,
 * which is at the end. A long message goes out line by line, its first
 * lines and its last, with the count of those left out between.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum hornet_log_level l = level == LIBBPF_WARN ? HORNET_LOG_WARN : HORNET_LOG_DEBUG;
	size_t lines = 0, i = 0;
	const char *p, *nl;
	char *msg;
	int n;

	if (l > hornet_log_level)
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	if (n < HORNET_LOG_LINE_MAX - 64) {
		hornet_log(l, "%s", msg);
		free(msg);
		return 0;
	}
	for (p = msg; *p; p = nl ? nl + 1 : p + strlen(p), lines++)
		nl = strchr(p, '\n');
	for (p = msg; *p; p = nl ? nl + 1 : p + strlen(p), i++) {
		nl = strchr(p, '\n');
		if (i < VERIFIER_HEAD_LINES || i + VERIFIER_TAIL_LINES >= lines)
			hornet_log(l, "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		else if (i == VERIFIER_HEAD_LINES)
			hornet_log(l, "... %zu lines left out ...",
				   lines - VERIFIER_HEAD_LINES - VERIFIER_TAIL_LINES);
	}
	free(msg);
	return 0;
}

void hornet_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
