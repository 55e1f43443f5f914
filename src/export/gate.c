// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "export/event.h"
#include "export/fieldfilter.h"
#include "export/filter.h"
#include "export/gate.h"

#define MINUTE_NS (60 * 1000000000ULL)

struct hornet_export_gate {
	struct hornet_export_gate_opts o;
	char *node_name;
	/* the bucket, in events times MINUTE_NS, so that it needs no floats */
	uint64_t tokens;
	uint64_t filled_ns;
	uint64_t dropped; /* since the last report */
	uint64_t report_ns; /* the next report is due */
	struct hornet_export_gate_stats stats;
	char *buf;
	char report[512];
};

struct hornet_export_gate *hornet_export_gate__new(const struct hornet_export_gate_opts *o)
{
	struct hornet_export_gate *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->o = *o;
	g->node_name = strdup(o->node_name ? o->node_name : "");
	if (!g->node_name) {
		free(g);
		return NULL;
	}
	if (o->rate_per_min > 0)
		g->tokens = (uint64_t)o->rate_per_min * MINUTE_NS; /* full at start */
	return g;
}

void hornet_export_gate__free(struct hornet_export_gate *g)
{
	if (!g)
		return;
	free(g->node_name);
	free(g->buf);
	free(g);
}

/* Tetragon's rate.Limiter: one event every minute/N, bursts of up to N. */
static bool rate_allows(struct hornet_export_gate *g, uint64_t now_ns)
{
	uint64_t cap, add, elapsed;

	if (g->o.rate_per_min < 0)
		return true;
	if (g->o.rate_per_min == 0)
		return false;
	/* the rate is at most HORNET_EXPORT_RATE_MAX: no product overflows */
	cap = (uint64_t)g->o.rate_per_min * MINUTE_NS;
	if (g->filled_ns && now_ns > g->filled_ns) {
		elapsed = now_ns - g->filled_ns;
		add = elapsed >= MINUTE_NS ? cap : elapsed * (uint64_t)g->o.rate_per_min;
		g->tokens = add >= cap - g->tokens ? cap : g->tokens + add;
	}
	g->filled_ns = now_ns;
	if (g->tokens < MINUTE_NS)
		return false;
	g->tokens -= MINUTE_NS;
	return true;
}

const char *hornet_export_gate__line(struct hornet_export_gate *g, const char *type,
				     const char *line, size_t len, size_t *out_len, uint64_t now_ns)
{
	bool fields = hornet_field_filters__applies(g->o.fields, type);
	const char *out = line;
	char *s;

	*out_len = len;
	if ((g->o.allow || g->o.deny) &&
	    !hornet_export_filter_pass(g->o.allow, g->o.deny, type, line, len)) {
		g->stats.filtered++;
		return NULL;
	}
	if (!rate_allows(g, now_ns)) {
		g->stats.rate_limited++;
		g->dropped++;
		if (!g->report_ns)
			g->report_ns = now_ns + MINUTE_NS;
		return NULL;
	}
	if (fields) {
		/* the line without its newline through the filters, then the newline back */
		s = hornet_field_filters__apply(g->o.fields, type, line, len - 1, out_len);
		if (!s)
			return out; /* out of memory: the whole line rather than none */
		free(g->buf);
		g->buf = s;
		g->buf[(*out_len)++] = '\n';
		out = g->buf;
	}
	return out;
}

const char *hornet_export_gate__report(struct hornet_export_gate *g, uint64_t now_ns,
				       uint64_t wall_ns, bool force, size_t *out_len)
{
	char t[HORNET_TIME_MAX], *quoted;
	json_t *name;
	int n;

	if (!g->dropped || (!force && now_ns < g->report_ns))
		return NULL;
	hornet_format_time(t, wall_ns);
	/* jansson escapes the node name where it needs it */
	name = json_string(g->node_name);
	quoted = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
	json_decref(name);
	n = snprintf(g->report, sizeof(g->report),
		     "{\"rate_limit_info\":{\"number_of_dropped_process_events\":%llu},"
		     "\"node_name\":%s,\"time\":\"%s\"}\n",
		     (unsigned long long)g->dropped, quoted ? quoted : "\"\"", t);
	free(quoted);
	g->dropped = 0;
	g->report_ns = 0;
	if (n < 0 || (size_t)n >= sizeof(g->report))
		return NULL;
	*out_len = n;
	return g->report;
}

void hornet_export_gate__stats(const struct hornet_export_gate *g,
			       struct hornet_export_gate_stats *s)
{
	*s = g->stats;
}
