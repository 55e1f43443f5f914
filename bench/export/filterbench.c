// SPDX-License-Identifier: GPL-2.0
/*
 * The export path's cost per event with Tetragon's filters: the lines of an
 * export file (real events) through hornet_export_gate__line() and into an
 * export file, for each configuration in turn, ROUNDS times alternated.
 * Prints, per configuration, the median events/s and ns/event.
 *
 * Usage: filterbench EVENTS.json OUT_FILE [ROUNDS] [PASSES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "export/fieldfilter.h"
#include "export/file.h"
#include "export/filter.h"
#include "export/gate.h"

struct line {
	char *s;
	size_t len;
	char type[32];
};

static const struct {
	const char *name;
	const char *allow, *deny, *fields;
} configs[] = {
	{ "no filter", NULL, NULL, NULL },
	{ "allowlist event_set", "{\"event_set\":[\"PROCESS_EXEC\"]}", NULL, NULL },
	{ "allowlist binary_regex", "{\"binary_regex\":[\"^/usr/bin/\",\"/nop$\"]}", NULL, NULL },
	{ "denylist binary_regex", NULL, "{\"binary_regex\":[\"^/usr/bin/\"]}", NULL },
	{ "field filter INCLUDE", NULL, NULL,
	  "{\"fields\":\"process.binary,process.pid,parent\"}" },
};

#define NR_CONFIGS (sizeof(configs) / sizeof(configs[0]))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct line *lines = NULL;
	size_t n = 0, cap = 0, i, len = 0, out_len;
	unsigned int rounds = argc > 3 ? atoi(argv[3]) : 7, passes = argc > 4 ? atoi(argv[4]) : 5;
	double rate[NR_CONFIGS][64], t;
	unsigned int r, c, p, kept[NR_CONFIGS] = { 0 };
	char *buf = NULL, err[512];
	FILE *f;

	if (argc < 3 || rounds > 64) {
		fprintf(stderr, "usage: filterbench EVENTS.json OUT_FILE [ROUNDS<=64] [PASSES]\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (getline(&buf, &len, f) > 0) {
		json_t *o = json_loads(buf, 0, NULL);
		const char *key;
		json_t *v;

		if (!o)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
		}
		lines[n].s = strdup(buf);
		lines[n].len = strlen(buf);
		lines[n].type[0] = '\0';
		json_object_foreach(o, key, v)
		{
			if (!strncmp(key, "process_", 8) || !strcmp(key, "rate_limit_info")) {
				snprintf(lines[n].type, sizeof(lines[n].type), "%s", key);
				break;
			}
		}
		json_decref(o);
		n++;
	}
	fclose(f);
	free(buf);
	if (!n) {
		fprintf(stderr, "%s: no events\n", argv[1]);
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < NR_CONFIGS; c++) {
			struct hornet_export_filter *allow = NULL, *deny = NULL;
			struct hornet_field_filters *ff = NULL;
			struct hornet_export_gate *g = NULL;
			struct hornet_export_file *out;

			if (configs[c].allow)
				allow = hornet_export_filter__new(configs[c].allow, 0, err,
								  sizeof(err));
			if (configs[c].deny)
				deny = hornet_export_filter__new(configs[c].deny, 0, err,
								 sizeof(err));
			if (configs[c].fields)
				ff = hornet_field_filters__new(configs[c].fields, err, sizeof(err));
			if (allow || deny || ff)
				g = hornet_export_gate__new(
					&(struct hornet_export_gate_opts){ .allow = allow,
									   .deny = deny,
									   .fields = ff,
									   .rate_per_min = -1 });
			remove(argv[2]);
			out = hornet_export_file__open(argv[2], 0, 0);
			if (!out) {
				perror(argv[2]);
				return 1;
			}
			kept[c] = 0;
			t = now();
			for (p = 0; p < passes; p++) {
				for (i = 0; i < n; i++) {
					const char *l = lines[i].s;

					out_len = lines[i].len;
					if (g)
						l = hornet_export_gate__line(g, lines[i].type, l,
									     out_len, &out_len, 0);
					if (!l)
						continue;
					kept[c]++;
					hornet_export_file__write(out, l, out_len);
				}
			}
			hornet_export_file__flush(out);
			rate[c][r] = n * passes / (now() - t);
			hornet_export_file__close(out);
			hornet_export_gate__free(g);
			hornet_export_filter__free(allow);
			hornet_export_filter__free(deny);
			hornet_field_filters__free(ff);
		}
	}
	remove(argv[2]);
	printf("%zu event lines x %u passes, %u rounds alternated; median of rounds\n", n, passes,
	       rounds);
	printf("%-26s %14s %10s %10s\n", "configuration", "events/s", "ns/event", "kept");
	for (c = 0; c < NR_CONFIGS; c++) {
		qsort(rate[c], rounds, sizeof(double), cmp);
		printf("%-26s %14.0f %10.0f %9.1f%%\n", configs[c].name, rate[c][rounds / 2],
		       1e9 / rate[c][rounds / 2], 100.0 * kept[c] / (n * passes));
	}
	return 0;
}
