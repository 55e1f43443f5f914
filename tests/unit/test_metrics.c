// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus exposition (web/metrics.c) and the per-workload counters
 * behind it (agent/counters.c). Every page is read back by a strict parser
 * of the text format, so escaping, duplicate series and stray lines are
 * caught by a reader, not by comparing text.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "unit.h"
#include "agent/counters.h"
#include "store/store.h"
#include "util/intern.h"
#include "util/utf8.h"
#include "web/metrics.h"
#include "web/web.h"

/* One sample as the parser read it: the label values unescaped. */
struct sample {
	char name[128];
	char labels[16][2][512];
	int nr_labels;
	double value;
};

struct page {
	struct sample *s;
	size_t n;
	char why[256];
};

static bool name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		      s[i] == ':' || (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/*
 * Strict: every line ends in \n, is a HELP, a TYPE or a sample; a family's
 * HELP and TYPE come once, before its samples, and its samples are
 * together; label values use only the three escapes; the text is UTF-8;
 * no series appears twice. Returns false with the reason in p->why.
 */
static bool parse(const char *buf, size_t len, struct page *p)
{
	char family[128] = "", types[512][128];
	size_t nr_types = 0, off = 0, i, k, l;
	const char *line, *end, *c;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < len; i += l ? l : 1) {
		l = hornet_utf8_len((const unsigned char *)buf + i, len - i);
		if (!l || !buf[i]) {
			snprintf(p->why, sizeof(p->why), "byte %zu: not UTF-8 or NUL", i);
			return false;
		}
	}
	if (len && buf[len - 1] != '\n') {
		snprintf(p->why, sizeof(p->why), "no newline at the end");
		return false;
	}
	p->s = calloc(len / 8 + 1, sizeof(*p->s));
	while (off < len) {
		line = buf + off;
		end = memchr(line, '\n', len - off);
		off = end - buf + 1;
		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			const char *n = line + 7, *sp = memchr(n, ' ', end - n);

			if (!sp || !name_ok(n, sp - n)) {
				snprintf(p->why, sizeof(p->why), "bad comment: %.*s",
					 (int)(end - line), line);
				return false;
			}
			if (line[2] == 'T') {
				if (strncmp(sp + 1, "counter\n", 8) &&
				    strncmp(sp + 1, "gauge\n", 6)) {
					snprintf(p->why, sizeof(p->why), "bad type: %.*s",
						 (int)(end - line), line);
					return false;
				}
				for (k = 0; k < nr_types; k++)
					if (strlen(types[k]) == (size_t)(sp - n) &&
					    !strncmp(types[k], n, sp - n)) {
						snprintf(p->why, sizeof(p->why), "TYPE twice: %.*s",
							 (int)(sp - n), n);
						return false;
					}
				snprintf(types[nr_types++], sizeof(types[0]), "%.*s", (int)(sp - n),
					 n);
				snprintf(family, sizeof(family), "%.*s", (int)(sp - n), n);
			}
			continue;
		}
		if (line[0] == '#' || line == end) {
			snprintf(p->why, sizeof(p->why), "stray line: %.*s", (int)(end - line),
				 line);
			return false;
		}
		{
			struct sample *s = &p->s[p->n];
			char *v;

			for (c = line; c < end && *c != '{' && *c != ' '; c++)
				;
			if (!name_ok(line, c - line) || (size_t)(c - line) >= sizeof(s->name)) {
				snprintf(p->why, sizeof(p->why), "bad name: %.*s",
					 (int)(end - line), line);
				return false;
			}
			snprintf(s->name, sizeof(s->name), "%.*s", (int)(c - line), line);
			if (strcmp(s->name, family)) {
				snprintf(p->why, sizeof(p->why), "sample %s outside its family %s",
					 s->name, family);
				return false;
			}
			if (*c == '{') {
				c++;
				while (*c != '}') {
					const char *eq = c;

					while (eq < end && *eq != '=')
						eq++;
					if (eq >= end || eq[1] != '"' || !name_ok(c, eq - c) ||
					    s->nr_labels >= 16) {
						snprintf(p->why, sizeof(p->why), "bad label: %.*s",
							 (int)(end - line), line);
						return false;
					}
					snprintf(s->labels[s->nr_labels][0], 512, "%.*s",
						 (int)(eq - c), c);
					v = s->labels[s->nr_labels][1];
					for (c = eq + 2; c < end && *c != '"'; c++) {
						if (*c == '\\') {
							c++;
							if (*c != '\\' && *c != '"' && *c != 'n') {
								snprintf(p->why, sizeof(p->why),
									 "bad escape \\%c", *c);
								return false;
							}
							*v++ = *c == 'n' ? '\n' : *c;
						} else {
							*v++ = *c;
						}
					}
					*v = 0;
					if (c >= end) {
						snprintf(p->why, sizeof(p->why),
							 "unterminated value");
						return false;
					}
					s->nr_labels++;
					c++;
					if (*c == ',')
						c++;
					else if (*c != '}') {
						snprintf(p->why, sizeof(p->why), "after label: %c",
							 *c);
						return false;
					}
				}
				c++;
			}
			if (*c != ' ') {
				snprintf(p->why, sizeof(p->why), "no value: %.*s",
					 (int)(end - line), line);
				return false;
			}
			s->value = strtod(c + 1, &v);
			if (v != end) {
				snprintf(p->why, sizeof(p->why), "bad value: %.*s",
					 (int)(end - line), line);
				return false;
			}
			for (k = 0; k < p->n; k++) {
				const struct sample *o = &p->s[k];
				int m;

				if (strcmp(o->name, s->name) || o->nr_labels != s->nr_labels)
					continue;
				for (m = 0; m < s->nr_labels; m++)
					if (strcmp(o->labels[m][0], s->labels[m][0]) ||
					    strcmp(o->labels[m][1], s->labels[m][1]))
						break;
				if (m == s->nr_labels) {
					snprintf(p->why, sizeof(p->why), "series twice: %.*s",
						 (int)(end - line), line);
					return false;
				}
			}
			p->n++;
		}
	}
	return true;
}

static const char *label(const struct sample *s, const char *name)
{
	int i;

	for (i = 0; i < s->nr_labels; i++)
		if (!strcmp(s->labels[i][0], name))
			return s->labels[i][1];
	return NULL;
}

/* The value of the sample of @name whose labels include @k1=@v1 (and @k2=@v2); -1: none. */
static double value(const struct page *p, const char *name, const char *k1, const char *v1,
		    const char *k2, const char *v2)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *a = k1 ? label(&p->s[i], k1) : NULL;
		const char *b = k2 ? label(&p->s[i], k2) : NULL;

		if (strcmp(p->s[i].name, name) || (k1 && (!a || strcmp(a, v1))) ||
		    (k2 && (!b || strcmp(b, v2))))
			continue;
		return p->s[i].value;
	}
	return -1;
}

static const struct sample *first(const struct page *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->s[i].name, name))
			return &p->s[i];
	return NULL;
}

static size_t count_of(const struct page *p, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += !strcmp(p->s[i].name, name);
	return n;
}

static double sum_of(const struct page *p, const char *name)
{
	double t = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->s[i].name, name))
			t += p->s[i].value;
	return t;
}

static const char *status_text =
	"{\"health\":\"ok\",\"ready\":true,\"version\":\"0.1.0\",\"node_name\":\"node-a\","
	"\"uptime_seconds\":12.5,"
	"\"events\":{\"process_exec\":7,\"process_exit\":6,\"process_kprobe\":3},"
	"\"lost\":{\"ringbuf\":{\"process_exec\":1,\"process_fork\":0,\"process_exit\":2,"
	"\"policy_events\":4,\"network_events\":0,\"enforcement_events\":3},\"api_queue\":5,"
	"\"malformed_records\":0,"
	"\"export_errors\":1},"
	"\"errors\":{\"process_table_full\":0,\"kernel_read_errors\":9},"
	"\"sensors\":[{\"name\":\"exec\",\"mechanism\":\"tp_btf\",\"state\":\"attached\"},"
	"{\"name\":\"generic\",\"state\":\"attached\",\"hook_points\":2,\"stale_events\":0}],"
	"\"user_actions\":{\"done\":1,\"failed\":0,\"dropped\":0},"
	"\"process_cache\":{\"size\":100,\"capacity\":65536,\"live\":40,\"evictions\":3,"
	"\"live_evictions\":0},\"process_table_size\":41,"
	"\"k8s\":{\"enabled\":false,\"pods\":2,\"containers\":3,\"store_bytes\":4096},"
	"\"export\":{\"file\":\"\",\"rotations\":0,\"api_clients\":1},"
	"\"metrics\":{\"events\":["
	"{\"type\":\"process_exec\",\"namespace\":\"ns1\",\"workload\":\"web\",\"pod\":\"web-1\","
	"\"binary\":\"/bin/cat\",\"count\":5},"
	"{\"type\":\"process_exec\",\"namespace\":\"ns1\",\"workload\":\"web\",\"pod\":\"web-2\","
	"\"binary\":\"/bin/cat\",\"count\":2},"
	"{\"type\":\"process_exit\",\"namespace\":\"\",\"workload\":\"\",\"pod\":\"\","
	"\"binary\":\"/bin/a\\\"b\\\\c\\nd\\u0001e\",\"count\":6}],"
	"\"policy_events\":[{\"policy\":\"p1\",\"hook\":\"kprobe:security_file_open\","
	"\"namespace\":\"ns1\",\"workload\":\"web\",\"pod\":\"web-1\",\"binary\":\"/bin/cat\","
	"\"count\":3}],"
	"\"overflow\":0,\"exported_bytes\":12345,"
	"\"bpf_stats\":{\"enabled\":true,\"programs\":[{\"id\":7,\"name\":\"hornet_exec_btf\","
	"\"sensor\":\"exec\",\"attach\":\"\",\"run_time_ns\":1500000000,\"run_cnt\":10},"
	"{\"id\":8,\"name\":\"hornet_gen_kprobe\",\"sensor\":\"generic\",\"attach\":\"k:f\","
	"\"policy_ids\":[2],\"run_cnt\":4},"
	"{\"id\":9,\"name\":\"hornet_gen_kprobe\",\"sensor\":\"generic\",\"attach\":\"k:g\","
	"\"policy_ids\":[1,2,1],\"run_cnt\":5}]}}}";

static const char *policies_text =
	"{\"policies\":[{\"name\":\"p1\",\"id\":1,\"state\":\"enabled\",\"mode\":\"enforce\","
	"\"stats\":{\"events_posted\":3,\"matches\":4,\"actions_taken\":0,"
	"\"actions_skipped_monitor\":0,\"rate_limited\":0,\"events_lost\":0,"
	"\"enforcer_actions\":7,\"enforcer_missed_overwritten\":2,"
	"\"enforcer_missed_no_action\":5},"
	"\"kernel_memory_bytes\":1000},"
	"{\"name\":\"p2\",\"id\":2,\"state\":\"error\",\"mode\":\"monitor\",\"namespace\":\"team\"}"
	","
	"{\"name\":\"p1.shadow\",\"id\":3,\"state\":\"enabled\",\"mode\":\"enforce\","
	"\"shadow_of\":\"p1\",\"stats\":{\"events_posted\":0,\"shadow_differences\":"
	"{\"shadow_only\":4,\"current_only\":1,\"changed\":2}}}"
	"]}";

/* Renders @st (and the sample policies, web and store stats) and parses the page. */
static bool render(json_t *st, const char *filter, struct page *p, struct hornet_json *out)
{
	json_t *pl = json_loads(policies_text, 0, NULL);
	struct hornet_web_stats ws = { .requests = 10, .errors = 2, .live_clients = 1 };
	struct hornet_store_stats ss = { .ok = true, .backend = "sqlite", .written = 99 };
	struct hornet_metrics_src src = {
		.status = st,
		.policies = pl,
		.web = &ws,
		.store = &ss,
		.label_filter = filter,
	};
	int ret;

	hornet_json_init(out);
	ret = hornet_metrics_render(out, &src);
	json_decref(pl);
	if (ret) {
		printf("    render: %d\n", ret);
		return false;
	}
	if (!parse(out->buf, out->len, p)) {
		printf("    %s\n", p->why);
		return false;
	}
	return true;
}

static void test_render(void)
{
	json_t *st = json_loads(status_text, 0, NULL);
	struct hornet_json out;
	struct page p;
	int i;

	UNIT_CASE("metrics_render_parses")
	{
		CHECK(st);
		CHECK(render(st, "namespace,workload,pod,binary", &p, &out));
		CHECK_INT(
			value(&p, "tetragon_events_total", "type", "PROCESS_EXEC", "pod", "web-1"),
			5);
		CHECK_INT(
			value(&p, "tetragon_events_total", "type", "PROCESS_EXEC", "pod", "web-2"),
			2);
		CHECK_INT(value(&p, "tetragon_policy_events_total", "policy", "p1", "hook",
				"kprobe:security_file_open"),
			  3);
		/* p1 and its shadow */
		CHECK_INT(
			value(&p, "tetragon_tracingpolicy_loaded", "state", "enabled", NULL, NULL),
			2);
		CHECK_INT(value(&p, "tetragon_tracingpolicy_loaded", "state", "error", NULL, NULL),
			  1);
		CHECK_INT(value(&p, "tetragon_bpf_missed_events_total", "msg_op", "13", NULL, NULL),
			  4);
		CHECK_INT(value(&p, "tetragon_bpf_missed_events_total", "msg_op", "enforcement",
				NULL, NULL),
			  3);
		CHECK_INT(value(&p, "tetragon_observer_ringbuf_events_lost_total", NULL, NULL, NULL,
				NULL),
			  10);
		CHECK_INT(value(&p, "tetragon_process_cache_size", NULL, NULL, NULL, NULL), 100);
		/* p1 has spec.enforcers; p2 none, and no sample */
		for (i = 0; i < 2; i++)
			CHECK_INT(value(&p, "tetragon_enforcer_missed_notifications_total",
					"policy", "p1", "reason", i ? "no_action" : "overwritten"),
				  i ? 5 : 2);
		CHECK_INT(value(&p, "hornet_policy_enforcer_actions_total", "policy", "p1", NULL,
				NULL),
			  7);
		CHECK(value(&p, "hornet_policy_enforcer_actions_total", "policy", "p2", NULL,
			    NULL) < 0);
		CHECK_INT(value(&p, "hornet_policy_shadow_differences_total", "policy", "p1.shadow",
				"difference", "shadow_only"),
			  4);
		CHECK_INT(value(&p, "hornet_policy_shadow_differences_total", "shadow_of", "p1",
				"difference", "changed"),
			  2);
		CHECK(value(&p, "hornet_policy_shadow_differences_total", "policy", "p1", NULL,
			    NULL) < 0);
		CHECK_INT(value(&p, "tetragon_errors_total", "error", "kernel_read_errors", NULL,
				NULL),
			  9);
		CHECK(value(&p, "tetragon_overhead_program_seconds_total", "section",
			    "hornet_exec_btf", NULL, NULL) == 1.5);
		/* the policies hooked where a program is attached */
		CHECK_INT(value(&p, "tetragon_overhead_program_runs_total", "attach", "k:f",
				"policy", "p2"),
			  4);
		CHECK_INT(value(&p, "tetragon_overhead_program_runs_total", "policy", "p2",
				"policy_namespace", "team"),
			  4);
		CHECK_INT(value(&p, "tetragon_overhead_program_runs_total", "attach", "k:g",
				"policy", "p1,p2"),
			  5);
		CHECK_INT(value(&p, "tetragon_events_exported_bytes_total", NULL, NULL, NULL, NULL),
			  12345);
		CHECK_INT(value(&p, "hornet_http_requests_total", NULL, NULL, NULL, NULL), 10);
		CHECK_INT(value(&p, "hornet_store_written_total", NULL, NULL, NULL, NULL), 99);
		CHECK_INT(value(&p, "hornet_policy_info", "policy_namespace", "team", "mode",
				"monitor"),
			  1);
		CHECK_INT(value(&p, "tetragon_build_info", "version", "0.1.0", NULL, NULL), 1);
		CHECK_INT(value(&p, "hornet_agent_up", NULL, NULL, NULL, NULL), 1);
		/* node_name is off by default, as in Tetragon: present and empty */
		CHECK_STR(label(first(&p, "tetragon_events_total"), "node_name"), "");
		hornet_json_free(&out);
		free(p.s);
	}

	UNIT_CASE("metrics_hostile_label_values")
	{
		/* quote, backslash, newline escaped; a control byte is fine as it is */
		CHECK(render(st, NULL, &p, &out));
		CHECK(strstr(out.buf, "binary=\"/bin/a\\\"b\\\\c\\nd\x01"
				      "e\""));
		CHECK_INT(value(&p, "tetragon_events_total", "binary",
				"/bin/a\"b\\c\nd\x01"
				"e",
				NULL, NULL),
			  6);
		hornet_json_free(&out);
		free(p.s);

		/* invalid UTF-8 (a lone continuation byte, a truncated sequence) is repaired */
		json_t *e = json_array_get(
			json_object_get(json_object_get(st, "metrics"), "events"), 0);
		json_t *bad = json_stringn_nocheck("/bin/\x80x\xe2\x82", 10);

		json_object_set_new(e, "binary", bad);
		json_object_set_new(e, "pod", json_string("}{\"\n# HELP x"));
		CHECK(render(st, NULL, &p, &out));
		CHECK_INT(value(&p, "tetragon_events_total", "binary",
				"/bin/\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd", NULL, NULL),
			  5);
		CHECK_INT(value(&p, "tetragon_events_total", "pod", "}{\"\n# HELP x", NULL, NULL),
			  5);
		hornet_json_free(&out);
		free(p.s);
	}

	UNIT_CASE("metrics_label_filter")
	{
		/* only namespace kept: the two web pods add up, the rest is "" */
		CHECK(render(st, "namespace", &p, &out));
		CHECK_INT(value(&p, "tetragon_events_total", "type", "PROCESS_EXEC", "namespace",
				"ns1"),
			  7);
		CHECK_STR(label(first(&p, "tetragon_events_total"), "pod"), "");
		CHECK_INT(count_of(&p, "tetragon_events_total"), 2);
		hornet_json_free(&out);
		free(p.s);
		/* unknown names ignored, spaces allowed, node_name on request */
		CHECK(hornet_metrics_label_kept(" pod , bogus,node_name", "node_name"));
		CHECK(hornet_metrics_label_kept(" pod , bogus,node_name", "pod"));
		CHECK(!hornet_metrics_label_kept(" pod , bogus,node_name", "binary"));
		CHECK(!hornet_metrics_label_kept("", "namespace"));
		CHECK(hornet_metrics_label_kept(NULL, "binary"));
		CHECK(!hornet_metrics_label_kept(NULL, "node_name"));
		CHECK(render(st, "node_name", &p, &out));
		CHECK_INT(value(&p, "tetragon_events_total", "node_name", "node-a", "type",
				"PROCESS_EXEC"),
			  7);
		hornet_json_free(&out);
		free(p.s);
	}

	UNIT_CASE("metrics_cardinality_cap")
	{
		json_t *big = json_deep_copy(st), *arr = json_array();
		char bin[64];
		int i;

		/* 5000 binaries: at most 2048 series and one overflow, nothing lost */
		for (i = 0; i < 5000; i++) {
			snprintf(bin, sizeof(bin), "/bin/b%d", i);
			json_array_append_new(arr,
					      json_pack("{s:s,s:s,s:I}", "type", "process_exec",
							"binary", bin, "count", (json_int_t)2));
		}
		json_object_set_new(json_object_get(big, "metrics"), "events", arr);
		CHECK(render(big, NULL, &p, &out));
		CHECK_INT(count_of(&p, "tetragon_events_total"), 2049);
		CHECK_INT(sum_of(&p, "tetragon_events_total"), 10000);
		CHECK_INT(value(&p, "tetragon_events_total", "binary", "_overflow", NULL, NULL),
			  2 * (5000 - 2048));
		hornet_json_free(&out);
		free(p.s);
		json_decref(big);
	}

	UNIT_CASE("metrics_odd_json_still_makes_a_valid_page")
	{
		/* whatever shape the replies have, the page stays valid: no series
		 * twice, no bad number */
		json_t *odd = json_loads(
			"{\"node_name\":[1],\"version\":7,\"events\":[1,2],\"lost\":\"x\","
			"\"errors\":null,\"sensors\":{\"a\":1},\"process_cache\":[],"
			"\"metrics\":{\"events\":[1,\"s\",{},{\"count\":\"x\"},{\"count\":-5},"
			"{\"count\":1e30,\"type\":\"t\"},"
			"{\"type\":"
			"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1\","
			"\"count\":1},"
			"{\"type\":"
			"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2\","
			"\"count\":1},"
			"{\"type\":\"t\",\"binary\":\"/b\",\"count\":1},"
			"{\"type\":\"t\",\"binary\":\"/c\",\"overflow\":true,\"count\":1}],"
			"\"policy_events\":{},\"bpf_stats\":{\"programs\":[1,{\"name\":3}]}}}",
			0, NULL);

		CHECK(odd);
		CHECK(render(odd, "namespace", &p, &out));
		/* 1e30 held at the largest count, and no wrap when added to */
		CHECK(value(&p, "tetragon_events_total", "type", "T", "namespace", "") >= 1.8e19);
		CHECK_INT(value(&p, "tetragon_events_total", "type", "T", "namespace", "_overflow"),
			  1);
		/* types alike in their first 63 bytes are one series */
		CHECK_INT(value(&p, "tetragon_events_total", "type",
				"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				NULL, NULL),
			  2);
		CHECK_INT(count_of(&p, "tetragon_events_total"), 4);
		hornet_json_free(&out);
		free(p.s);
		json_decref(odd);
	}

	UNIT_CASE("metrics_without_agent")
	{
		CHECK(render(NULL, NULL, &p, &out));
		CHECK_INT(value(&p, "hornet_agent_up", NULL, NULL, NULL, NULL), 0);
		CHECK_INT(count_of(&p, "tetragon_events_total"), 0);
		CHECK_INT(value(&p, "hornet_store_up", "backend", "sqlite", NULL, NULL), 1);
		hornet_json_free(&out);
		free(p.s);
	}
	json_decref(st);
}

static struct hornet_process *proc(const char *binary, const char *cid)
{
	struct hornet_process *p = hornet_process__new();

	p->binary = hornet_intern(binary, strlen(binary));
	if (cid)
		snprintf(p->container_id, sizeof(p->container_id), "%s", cid);
	return p;
}

/* The counters' "metrics" member, parsed. */
static json_t *counters_json(struct hornet_counters *c)
{
	struct hornet_json j;
	json_t *v, *m;

	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	hornet_counters__status(c, NULL, &j);
	hornet_json_obj_end(&j);
	v = json_loadb(j.buf, j.len, 0, NULL);
	hornet_json_free(&j);
	m = json_incref(json_object_get(v, "metrics"));
	json_decref(v);
	return m;
}

static json_int_t series(json_t *m, const char *table, const char *k, const char *v, const char *k2,
			 const char *v2)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(m, table), i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, k)) ?: "", v) &&
		    (!k2 || !strcmp(json_string_value(json_object_get(e, k2)) ?: "", v2)))
			return json_integer_value(json_object_get(e, "count"));
	}
	return -1;
}

static const char waited[] = "{\"process_exec\":{\"process\":{\"binary\":\"/bin/ls\",\"pod\":"
			     "{\"namespace\":\"ns2\",\"name\":\"db-0\",\"workload\":\"db\"}}}}";

/* Exec events of HORNET_COUNTERS_SERIES_MAX + 100 binaries, @times each. */
static void binaries(struct hornet_counters *c, const struct hornet_pod_store *pods, int times)
{
	struct hornet_event ev = { .kind = HORNET_EV_EXEC };
	char bin[64];
	int i, t;

	for (i = 0; i < HORNET_COUNTERS_SERIES_MAX + 100; i++) {
		snprintf(bin, sizeof(bin), "/bin/b%d", i);
		ev.process = proc(bin, NULL);
		for (t = 0; t < times; t++)
			hornet_counters__event(c, "process_exec", &ev, pods, "x\n", 2);
		hornet_process__put(ev.process);
	}
}

#define CID "4f1d0c2b9a8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeedd"

static void test_counters(void)
{
	struct hornet_pod_store *pods = hornet_pod_store__new();
	struct hornet_container_info ci = { .id = CID };
	struct hornet_process *cat = proc("/bin/cat", NULL), *sh = proc("/bin/sh", CID);
	struct hornet_event ev = { .kind = HORNET_EV_EXEC };
	struct hornet_counters *c;
	char name[16];
	json_t *m;
	int i;

	hornet_pod_store__put_container(pods, "0d0c1b9e-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "ns1",
					"web-1", &ci);

	UNIT_CASE("counters_by_workload")
	{
		c = hornet_counters__new("namespace,workload,pod,binary");
		ev.process = cat;
		for (i = 0; i < 3; i++)
			hornet_counters__event(c, "process_exec", &ev, pods, "x\n", 2);
		ev.process = sh;
		hornet_counters__event(c, "process_exec", &ev, pods, "y\n", 2);
		ev.kind = HORNET_EV_POLICY;
		ev.policy.kind = HORNET_POLICY_KPROBE;
		ev.policy.function_name = "security_file_open";
		ev.policy.policy_name = "p1";
		hornet_counters__event(c, "process_kprobe", &ev, pods, "z\n", 2);
		/* a line that waited for its pod: labels from the line */
		hornet_counters__event(c, "process_exec", NULL, pods, waited, strlen(waited));
		/* a policy's name reused at the same address after it went: not mixed up */
		strcpy(name, "p2");
		ev.policy.policy_name = name;
		hornet_counters__event(c, "process_kprobe", &ev, pods, "z\n", 2);
		strcpy(name, "p3");
		hornet_counters__event(c, "process_kprobe", &ev, pods, "z\n", 2);
		hornet_counters__event(c, "process_kprobe", &ev, pods, "z\n", 2);
		ev.policy.kind = HORNET_POLICY_TRACEPOINT;
		ev.policy.subsys = "syscalls";
		ev.policy.event = "sys_enter_openat";
		hornet_counters__event(c, "process_tracepoint", &ev, pods, "z\n", 2);
		m = counters_json(c);
		CHECK(m);
		CHECK_INT(series(m, "policy_events", "policy", "p2", NULL, NULL), 1);
		CHECK_INT(series(m, "policy_events", "policy", "p3", "hook",
				 "kprobe:security_file_open"),
			  2);
		CHECK_INT(series(m, "policy_events", "hook", "tracepoint:syscalls/sys_enter_openat",
				 "pod", "web-1"),
			  1);
		CHECK_INT(series(m, "events", "binary", "/bin/cat", "type", "process_exec"), 3);
		CHECK_INT(series(m, "events", "binary", "/bin/sh", "pod", "web-1"), 1);
		CHECK_INT(series(m, "events", "binary", "/bin/sh", "namespace", "ns1"), 1);
		CHECK_INT(series(m, "events", "binary", "/bin/ls", "workload", "db"), 1);
		CHECK_INT(series(m, "policy_events", "policy", "p1", "hook",
				 "kprobe:security_file_open"),
			  1);
		CHECK_INT(json_integer_value(json_object_get(m, "exported_bytes")),
			  18 + strlen(waited));
		json_decref(m);
		hornet_counters__free(c);
	}

	UNIT_CASE("counters_label_filter_and_cap")
	{
		c = hornet_counters__new("namespace");
		binaries(c, pods, 1);
		m = counters_json(c);
		/* binary filtered: one series for all */
		CHECK_INT(json_array_size(json_object_get(m, "events")), 1);
		CHECK_INT(series(m, "events", "binary", "", NULL, NULL),
			  HORNET_COUNTERS_SERIES_MAX + 100);
		json_decref(m);
		hornet_counters__free(c);

		c = hornet_counters__new(NULL);
		binaries(c, pods, 2);
		m = counters_json(c);
		CHECK_INT(json_array_size(json_object_get(m, "events")),
			  HORNET_COUNTERS_SERIES_MAX + 1);
		CHECK_INT(series(m, "events", "binary", "_overflow", NULL, NULL), 200);
		CHECK_INT(json_integer_value(json_object_get(m, "overflow")), 200);
		json_decref(m);
		hornet_counters__free(c);
	}
	hornet_process__put(cat);
	hornet_process__put(sh);
	hornet_pod_store__free(pods);
}

int main(void)
{
	test_render();
	test_counters();
	UNIT_EXIT();
}
