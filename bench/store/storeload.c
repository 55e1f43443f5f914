// SPDX-License-Identifier: GPL-2.0
/*
 * bench/store's load generator: synthetic event lines in the shapes hornet
 * exports, pushed into a store as the agent would, and the history queries
 * timed from outside.
 *
 *   storeload ingest URL SECONDS RATE   push RATE lines/s for SECONDS (RATE 0: as fast as the
 *                                       queue takes them); prints pushed, dropped, written,
 *                                       the wall time and the writer thread's CPU seconds
 *   storeload fill URL N                N events spread over the last 24 hours, as fast as
 *                                       the writer takes them
 *   storeload query URL ROUNDS          p50 and p99 of the benchmark's two questions
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "store/store.h"

#define PROCS 2000
#define PODS 50
#define PATHS 1000

static int64_t now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fmt_time(int64_t ns, char *buf, size_t size)
{
	time_t sec = ns / 1000000000LL;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)(ns % 1000000000LL));
}

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* One event line of event number @i at time @ns: the mix of a busy node. */
static size_t make_line(char *buf, size_t size, uint64_t i, int64_t ns)
{
	static const char *const bins[] = { "/usr/bin/curl",   "/usr/bin/cat",
					    "/usr/sbin/nginx", "/usr/bin/python3.11",
					    "/bin/sh",	       "/usr/bin/ls" };
	unsigned int p = rng() % PROCS, pod = p % PODS, kind = i % 10;
	const char *bin = bins[p % 6];
	char t[48], proc[1024];
	int n;

	fmt_time(ns, t, sizeof(t));
	snprintf(proc, sizeof(proc),
		 "{\"exec_id\":\"bm9kZTE6MTIzNDU2Nzg5OjEyMzQ%04u\",\"pid\":%u,\"uid\":0,"
		 "\"cwd\":\"/app\",\"binary\":\"%s\",\"arguments\":\"--flag value %u\","
		 "\"flags\":\"execve clone\",\"start_time\":\"2026-12-01T00:00:00.000000000Z\","
		 "\"auid\":4294967295,\"pod\":{\"namespace\":\"shop\",\"name\":\"pod-%u\","
		 "\"container\":{\"id\":\"containerd://4f1d0c2b\",\"name\":\"main\"}},"
		 "\"docker\":\"4f1d0c2b\",\"parent_exec_id\":\"bm9kZTE6MTIzNDU2Nzg5OjEyMzQwMDAw\","
		 "\"tid\":%u}",
		 p, 1000 + p, bin, p, pod, 1000 + p);
	if (kind < 6) {
		/*
		 * file access: each process reads its own few files over and over (ten
		 * of a thousand); one process in a hundred reads /etc/passwd
		 */
		unsigned int path = (p * 7 + (unsigned int)(rng() % 10)) % PATHS;

		if (p % 100 == 0 && rng() % 10 == 0)
			path = 0;
		char file[64] = "/etc/passwd";

		if (path)
			snprintf(file, sizeof(file), "/var/lib/app/data/file-%u", path);
		n = snprintf(buf, size,
			     "{\"process_kprobe\":{\"process\":%s,\"function_name\":"
			     "\"security_file_permission\",\"args\":[{\"path_arg\":{\"path\":"
			     "\"%s\",\"permission\":\"-rw-r--r--\"}},{\"int_arg\":4}],"
			     "\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"file-reads\"},"
			     "\"node_name\":\"node1\",\"time\":\"%s\"}",
			     proc, file, t);
	} else if (kind < 8) {
		/* each process talks to three of two hundred destinations */
		unsigned int d = (p * 3 + (unsigned int)(rng() % 3)) % 200;

		n = snprintf(
			buf, size,
			"{\"process_kprobe\":{\"process\":%s,\"function_name\":\"tcp_close\","
			"\"args\":[{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":"
			"\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",\"saddr\":\"10.0.0.%u\","
			"\"daddr\":\"10.1.%u.%u\",\"sport\":%u,\"dport\":443,\"cookie\":\"%" PRIu64
			"\",\"state\":\"TCP_CLOSE\"}},{\"size_arg\":%u,\"label\":\"bytes_sent\"},"
			"{\"size_arg\":%u,\"label\":\"bytes_received\"}],\"action\":"
			"\"KPROBE_ACTION_POST\",\"policy_name\":\"hornet-network\"},"
			"\"node_name\":\"node1\",\"time\":\"%s\"}",
			proc, pod, d / 100, d % 100, 30000 + (unsigned int)(i % 30000), i,
			(unsigned int)(rng() % 5000), (unsigned int)(rng() % 50000), t);
	} else if (kind == 8) {
		n = snprintf(buf, size,
			     "{\"process_exec\":{\"process\":%s,\"parent\":{\"exec_id\":"
			     "\"bm9kZTE6MTIzNDU2Nzg5OjEyMzQwMDAw\",\"pid\":1,\"binary\":\"/sbin/"
			     "init\"}},"
			     "\"node_name\":\"node1\",\"time\":\"%s\"}",
			     proc, t);
	} else {
		n = snprintf(
			buf, size,
			"{\"process_exit\":{\"process\":%s,\"status\":0},\"node_name\":\"node1\","
			"\"time\":\"%s\"}",
			proc, t);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* CPU seconds of this process's thread named @name (the store's writer). */
static double thread_cpu(const char *name)
{
	char path[300], buf[1024], comm[64];
	struct dirent *d;
	double total = 0;
	DIR *dir = opendir("/proc/self/task");

	while (dir && (d = readdir(dir))) {
		unsigned long ut, st;
		FILE *f;
		char *p;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(comm, sizeof(comm), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", d->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(buf, sizeof(buf), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		p = strrchr(buf, ')');
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
				&st) == 2)
			total += (double)(ut + st) / sysconf(_SC_CLK_TCK);
	}
	if (dir)
		closedir(dir);
	return total;
}

static struct hornet_store *open_store(const char *url, bool ro)
{
	struct hornet_store_opts o = {
		.url = url, .retention = "30d", .max_size_mb = 1 << 20, .read_only = ro
	};
	char err[256];
	struct hornet_store *s = hornet_store__open(&o, err, sizeof(err));

	if (!s) {
		fprintf(stderr, "storeload: %s: %s\n", url, err);
		exit(1);
	}
	return s;
}

static void wait_written(struct hornet_store *s, uint64_t want)
{
	struct hornet_store_stats st;

	for (;;) {
		hornet_store__stats(s, &st);
		if (!st.queued && st.written + st.dropped >= want)
			return;
		usleep(20000);
	}
}

static int ingest(const char *url, double seconds, double rate)
{
	struct hornet_store *s = open_store(url, false);
	struct hornet_store_stats st;
	char line[4096];
	uint64_t i = 0, pushed = 0, refused = 0;
	int64_t t0 = now_ns(CLOCK_MONOTONIC), end = t0 + (int64_t)(seconds * 1e9), t1;
	double cpu0 = thread_cpu("hornet-store"), cpu;

	while (now_ns(CLOCK_MONOTONIC) < end) {
		int64_t due = t0 + (rate > 0 ? (int64_t)(i / rate * 1e9) : 0);
		size_t n;

		if (rate > 0 && now_ns(CLOCK_MONOTONIC) < due) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
			continue;
		}
		n = make_line(line, sizeof(line), i, now_ns(CLOCK_REALTIME));
		if (hornet_store__push(s, line, n)) {
			pushed++;
		} else if (rate > 0) {
			pushed++; /* paced: a refusal is a drop, as in the agent */
		} else {
			refused++; /* flat out: wait for room, count it */
			usleep(1000);
			continue;
		}
		i++;
	}
	wait_written(s, pushed);
	t1 = now_ns(CLOCK_MONOTONIC);
	cpu = thread_cpu("hornet-store") - cpu0;
	hornet_store__stats(s, &st);
	printf("pushed %" PRIu64 " written %" PRIu64 " dropped %" PRIu64 " refused %" PRIu64
	       " wall %.3f writer_cpu %.3f batches %" PRIu64 " bytes %" PRIu64 "\n",
	       pushed, st.written, st.dropped, refused, (t1 - t0) / 1e9, cpu, st.batches, st.bytes);
	hornet_store__close(s);
	return 0;
}

static int fill(const char *url, uint64_t n)
{
	struct hornet_store *s = open_store(url, false);
	int64_t start = now_ns(CLOCK_REALTIME) - 24 * 3600 * 1000000000LL;
	char line[4096];
	uint64_t i;

	for (i = 0; i < n;) {
		size_t len =
			make_line(line, sizeof(line), i, start + (int64_t)(i * (24 * 3600e9 / n)));

		if (!hornet_store__push(s, line, len)) {
			usleep(2000);
			continue;
		}
		i++;
	}
	wait_written(s, n);
	hornet_store__close(s);
	return 0;
}

struct kv {
	const char *k, *v;
};

static const char *kv_param(void *ctx, const char *name)
{
	const struct kv *p;

	for (p = ctx; p->k; p++) {
		if (!strcmp(p->k, name))
			return p->v;
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int query(const char *url, int rounds)
{
	struct hornet_store *s = open_store(url, true);
	struct kv files[] = { { "path", "/etc/passwd" }, { "since", "-24h" }, { NULL } };
	struct kv egress[] = {
		{ "namespace", "shop" }, { "pod", "pod-7" }, { "since", "-24h" }, { NULL }
	};
	const char *names[] = { "files /etc/passwd 24h", "egress of pod shop/pod-7 24h" };
	struct kv *params[] = { files, egress };
	int64_t *t = calloc(rounds, sizeof(*t));
	struct hornet_json out;
	int q, i, status = 0;

	hornet_json_init(&out);
	for (q = 0; q < 2; q++) {
		for (i = 0; i < rounds; i++) {
			int64_t t0 = now_ns(CLOCK_MONOTONIC);

			status = hornet_store__query(s, "GET", q ? "egress" : "files", kv_param,
						     params[q], NULL, 0, &out);
			t[i] = now_ns(CLOCK_MONOTONIC) - t0;
			if (status != 200) {
				fprintf(stderr, "storeload: %s: %d %s\n", names[q], status,
					out.buf);
				return 1;
			}
		}
		qsort(t, rounds, sizeof(*t), cmp_i64);
		printf("%s: p50 %.2f ms p99 %.2f ms (%d rounds, answer %zu bytes)\n", names[q],
		       t[rounds / 2] / 1e6, t[rounds * 99 / 100] / 1e6, rounds, out.len);
	}
	hornet_json_free(&out);
	free(t);
	hornet_store__close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "ingest"))
		return ingest(argv[2], atof(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], strtoull(argv[3], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "query"))
		return query(argv[2], atoi(argv[3]));
	fprintf(stderr,
		"usage: storeload ingest URL SECONDS RATE | fill URL N | query URL ROUNDS\n");
	return 2;
}
