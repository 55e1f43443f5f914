// SPDX-License-Identifier: GPL-2.0
/*
 * Export filters, field filters and the rate limit (--export-allowlist,
 * --export-denylist, --field-filters, --export-rate-limit): what matches as
 * in Tetragon's pkg/filters, and the messages for filters that are wrong.
 */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "export/fieldfilter.h"
#include "export/filter.h"
#include "export/gate.h"

static char err[512];

/* The message for @text, which must be refused with EINVAL. */
static const char *refused(const char *text, unsigned int flags)
{
	struct hornet_export_filter *f = hornet_export_filter__new(text, flags, err, sizeof(err));

	if (f) {
		hornet_export_filter__free(f);
		return "(accepted)";
	}
	return errno == EINVAL ? err : "(not EINVAL)";
}

static const char *ff_refused(const char *text)
{
	struct hornet_field_filters *f = hornet_field_filters__new(text, err, sizeof(err));

	if (f) {
		hornet_field_filters__free(f);
		return "(accepted)";
	}
	return errno == EINVAL ? err : "(not EINVAL)";
}

static const char *EXEC_HOST =
	"{\"process_exec\":{\"process\":{\"pid\":42,\"binary\":\"/usr/bin/curl\","
	"\"arguments\":\"-s https://x\",\"cap\":{\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
	"\"effective\":[\"CAP_CHOWN\"]}},\"parent\":{\"binary\":\"/bin/bash\",\"arguments\":\"-c "
	"x\"}},"
	"\"node_name\":\"n\",\"time\":\"t\"}";
static const char *EXEC_POD =
	"{\"process_exec\":{\"process\":{\"pid\":7,\"binary\":\"/bin/sh\",\"docker\":\"abc123\","
	"\"pod\":{\"namespace\":\"prod\",\"name\":\"web-1\",\"container\":{\"name\":\"nginx\","
	"\"maybe_exec_probe\":true},\"pod_labels\":{\"app\":\"web\",\"tier\":\"front\"}}},"
	"\"ancestors\":[{\"binary\":\"/usr/bin/containerd-shim\"},{\"binary\":\"/sbin/init\"}]},"
	"\"node_name\":\"n\",\"time\":\"t\"}";
static const char *KPROBE =
	"{\"process_kprobe\":{\"process\":{\"pid\":9,\"binary\":\"/usr/bin/cat\"},"
	"\"policy_name\":\"files\"},\"node_name\":\"n\",\"time\":\"t\"}";

/* Whether the allowlist @allow (NULL none) and denylist @deny let @line of @type pass. */
static bool passes(const char *allow, const char *deny, const char *type, const char *line)
{
	struct hornet_export_filter *a = NULL, *d = NULL;
	bool pass;

	if (allow)
		a = hornet_export_filter__new(allow, HORNET_FILTER_ANCESTORS, err, sizeof(err));
	if (deny)
		d = hornet_export_filter__new(deny, HORNET_FILTER_ANCESTORS, err, sizeof(err));
	if ((allow && !a) || (deny && !d)) {
		printf("# refused: %s\n", err);
		hornet_export_filter__free(a);
		hornet_export_filter__free(d);
		return false;
	}
	pass = hornet_export_filter_pass(a, d, type, line, strlen(line));
	hornet_export_filter__free(a);
	hornet_export_filter__free(d);
	return pass;
}

/* @line after the field filters @text, in a static buffer */
static const char *fields(const char *text, const char *type, const char *line)
{
	static char out[2048];
	struct hornet_field_filters *ff = hornet_field_filters__new(text, err, sizeof(err));
	size_t len;
	char *s;

	if (!ff) {
		snprintf(out, sizeof(out), "(refused: %s)", err);
		return out;
	}
	s = hornet_field_filters__apply(ff, type, line, strlen(line), &len);
	snprintf(out, sizeof(out), "%s", s && strlen(s) == len ? s : "(null)");
	free(s);
	hornet_field_filters__free(ff);
	return out;
}

int main(void)
{
	UNIT_CASE("export_filter_malformed_json_says_where")
	{
		CHECK_STR(refused("{\"binary_regex\": [\"a\"]}\n{\"pid\": [1,}", 0),
			  "filter 2 (line 2): not JSON: unexpected token near '}' (at line 2, "
			  "column 12)");
		CHECK_STR(refused("   \n\n", 0), "no filter (write one JSON object a line)");
		CHECK_STR(refused("[{\"pid\": [1]}]", 0),
			  "filter 1 (line 1): expected an object like {\"binary_regex\": [...]}");
		CHECK_STR(
			refused("{\"pid\": [1], \"pid\": [2]}", 0),
			"filter 1 (line 1): not JSON: duplicate object key near '\"pid\"' (at line "
			"1, column 18)");
	}

	UNIT_CASE("export_filter_unknown_field_named")
	{
		CHECK_STR(refused("{\"event_set\": [\"PROCESS_EXEC\"]}\n{\"binary\": [\"x\"]}", 0),
			  "filter 2 (line 2): binary: not a filter field (known: event_set, "
			  "binary_regex, parent_binary_regex, ancestor_binary_regex, namespace, "
			  "namespace_regex, pod_regex, container_name_regex, container_id, "
			  "arguments_regex, parent_arguments_regex, labels, policy_names, pid, "
			  "health_check, capabilities)");
		CHECK(strstr(refused("{\"event_set\": [\"PROCESS_FOO\"]}", 0),
			     "filter 1 (line 1): event_set[0]: not an event type (PROCESS_EXEC"));
		CHECK_STR(refused("{\"cel_expression\": [\"process_exec.process.pid > 1\"]}", 0),
			  "filter 1 (line 1): cel_expression: not supported: hornet has no CEL "
			  "evaluator; write the condition with the other fields");
		CHECK(strstr(refused("{\"in_init_tree\": true}", 0),
			     "in_init_tree: not supported"));
		CHECK(strstr(refused("{\"pid_set\": [1]}", 0), "pid_set: not supported"));
		CHECK_STR(refused("{\"ancestor_binary_regex\": [\"sh\"]}", 0),
			  "filter 1 (line 1): ancestor_binary_regex: events carry no ancestors: "
			  "start the agent with --enable-ancestors");
		CHECK_STR(refused("{\"pid\": [\"1\"]}", 0),
			  "filter 1 (line 1): pid[0]: expected a process id");
		CHECK_STR(refused("{\"health_check\": \"yes\"}", 0),
			  "filter 1 (line 1): health_check: expected true or false");
	}

	UNIT_CASE("export_filter_bad_regex_says_which")
	{
		CHECK_STR(refused("{\"pid\": [1]}\n\n{\"binary_regex\": [\"^/bin/\", \"a(b\"]}", 0),
			  "filter 2 (line 3): binary_regex[1]: missing closing parenthesis at "
			  "offset 3 in 'a(b'");
		CHECK(strstr(
			refused("{\"labels\": [\"app in (web\"]}", 0),
			"filter 1 (line 1): labels[0]: 'app in (web' is not a label selector"));
		CHECK(strstr(refused("{\"capabilities\": {\"bounding\": {\"any\": []}}}", 0),
			     "capabilities: 'bounding': expected permitted, effective or "
			     "inheritable"));
	}

	UNIT_CASE("export_filter_matches_as_tetragon")
	{
		/* fields AND, values OR, filters OR */
		CHECK(passes("{\"binary_regex\": [\"curl$\", \"wget$\"]}", NULL, "process_exec",
			     EXEC_HOST));
		CHECK(!passes("{\"binary_regex\": [\"curl$\"], \"event_set\": [\"PROCESS_EXIT\"]}",
			      NULL, "process_exec", EXEC_HOST));
		CHECK(passes("{\"pid\": [1]}\n{\"event_set\": [1]}", NULL, "process_exec",
			     EXEC_HOST));
		/* the denylist wins */
		CHECK(!passes("{\"event_set\": [\"PROCESS_EXEC\"]}", "{\"pid\": [42]}",
			      "process_exec", EXEC_HOST));
		CHECK(passes(NULL, "{\"pid\": [43]}", "process_exec", EXEC_HOST));
		/* namespace "" is the host's processes */
		CHECK(passes("{\"namespace\": [\"\"]}", NULL, "process_exec", EXEC_HOST));
		CHECK(!passes("{\"namespace\": [\"\"]}", NULL, "process_exec", EXEC_POD));
		CHECK(passes("{\"namespace\": [\"prod\"]}", NULL, "process_exec", EXEC_POD));
		CHECK(passes("{\"namespace_regex\": [\"^pr\"], \"pod_regex\": [\"^web-\"], "
			     "\"container_name_regex\": [\"nginx\"], \"container_id\": [\"^abc\"]}",
			     NULL, "process_exec", EXEC_POD));
		CHECK(passes("{\"parent_binary_regex\": [\"bash\"], \"arguments_regex\": "
			     "[\"https://\"], \"parent_arguments_regex\": [\"^-c\"]}",
			     NULL, "process_exec", EXEC_HOST));
		CHECK(passes("{\"ancestor_binary_regex\": [\"containerd\"]}", NULL, "process_exec",
			     EXEC_POD));
		CHECK(!passes("{\"ancestor_binary_regex\": [\"containerd\"]}", NULL, "process_exec",
			      EXEC_HOST));
		CHECK(passes("{\"policy_names\": [\"files\"]}", NULL, "process_kprobe", KPROBE));
		CHECK(!passes("{\"policy_names\": [\"files\"]}", NULL, "process_exec", EXEC_HOST));
		CHECK(passes("{\"health_check\": true}", NULL, "process_exec", EXEC_POD));
		CHECK(passes("{\"health_check\": false}", NULL, "process_exec", EXEC_HOST));
	}

	UNIT_CASE("export_filter_reads_escaped_and_nested_values")
	{
		/* the line is read in place: escapes decoded, other members skipped whole */
		static const char *line =
			"{\"process_exec\":{\"x\":[{\"binary\":\"/no\"},\"]}\\\"\",[[]]],"
			"\"process\":{\"pid\":12,\"binary\":\"/tmp/a\\\"b\\u00e9\\n\"}},"
			"\"node_name\":\"n\"}";

		CHECK(passes("{\"binary_regex\": [\"^/tmp/a\\\"b\u00e9\\n$\"]}", NULL,
			     "process_exec", line));
		CHECK(passes("{\"pid\": [12]}", NULL, "process_exec", line));
		CHECK(!passes("{\"binary_regex\": [\"^/no$\"]}", NULL, "process_exec", line));
		/* a line cut short matches nothing and reads nothing past its end */
		CHECK(!passes("{\"pid\": [12]}", NULL, "process_exec", "{\"process_exec\":{\"pro"));
	}

	UNIT_CASE("export_filter_labels_and_capabilities")
	{
		CHECK(passes("{\"labels\": [\"app=web,tier in (front, back)\"]}", NULL,
			     "process_exec", EXEC_POD));
		CHECK(!passes("{\"labels\": [\"app=web,tier notin (front)\"]}", NULL,
			      "process_exec", EXEC_POD));
		CHECK(passes("{\"labels\": [\"app!=db,!missing,app\"]}", NULL, "process_exec",
			     EXEC_POD));
		/* never a host process, as Tetragon's */
		CHECK(!passes("{\"labels\": [\"!app\"]}", NULL, "process_exec", EXEC_HOST));
		CHECK(passes("{\"capabilities\": {\"permitted\": {\"all\": [\"CAP_KILL\", "
			     "\"CAP_CHOWN\"]}, \"effective\": {\"exactly\": [\"CAP_CHOWN\"]}}}",
			     NULL, "process_exec", EXEC_HOST));
		CHECK(!passes("{\"capabilities\": {\"effective\": {\"any\": [\"CAP_KILL\"]}}}",
			      NULL, "process_exec", EXEC_HOST));
		CHECK(passes("{\"capabilities\": {\"effective\": {\"none\": [\"CAP_KILL\"]}}}",
			     NULL, "process_exec", EXEC_HOST));
	}

	UNIT_CASE("field_filters_include_exclude")
	{
		CHECK_STR(fields("{\"fields\": \"process.binary,parent\", \"action\": \"INCLUDE\"}",
				 "process_exec", EXEC_HOST),
			  "{\"process_exec\":{\"process\":{\"binary\":\"/usr/bin/curl\"},"
			  "\"parent\":{\"binary\":\"/bin/bash\",\"arguments\":\"-c x\"}},"
			  "\"node_name\":\"n\",\"time\":\"t\"}");
		CHECK_STR(fields("{\"fields\": \"process.cap, parent.arguments\", \"action\": "
				 "\"EXCLUDE\"}",
				 "process_exec", EXEC_HOST),
			  "{\"process_exec\":{\"process\":{\"pid\":42,\"binary\":\"/usr/bin/curl\","
			  "\"arguments\":\"-s https://x\"},\"parent\":{\"binary\":\"/bin/bash\"}},"
			  "\"node_name\":\"n\",\"time\":\"t\"}");
		/* through arrays; and another event type is left alone */
		CHECK(strstr(
			fields("{\"fields\": \"ancestors.binary,process.pid\"}", "process_exec",
			       EXEC_POD),
			"{\"process_exec\":{\"process\":{\"pid\":7},\"ancestors\":[{\"binary\""));
		CHECK_STR(fields("{\"event_set\": [\"PROCESS_EXIT\"], \"fields\": \"process.pid\"}",
				 "process_kprobe", KPROBE),
			  KPROBE);
		CHECK_STR(fields("{\"event_set\": [\"PROCESS_EXIT\"], \"invert_event_set\": true, "
				 "\"fields\": \"policy_name\"}",
				 "process_kprobe", KPROBE),
			  "{\"process_kprobe\":{\"policy_name\":\"files\"},\"node_name\":\"n\","
			  "\"time\":\"t\"}");
	}

	UNIT_CASE("field_filters_refused_with_reason")
	{
		CHECK_STR(ff_refused("{\"fields\": \"process.binary\", \"action\": \"DROP\"}"),
			  "field filter 1 (line 1): action: expected INCLUDE or EXCLUDE");
		CHECK_STR(
			ff_refused("{\"fields\": \"process..binary\"}"),
			"field filter 1 (line 1): fields: 'process..binary': bad path at offset 8 "
			"(write field names joined by dots, paths by commas: "
			"process.binary,parent)");
		CHECK_STR(ff_refused("{\"action\": \"INCLUDE\"}"),
			  "field filter 1 (line 1): no \"fields\"");
		CHECK(strstr(ff_refused("{\"fields\": \"a\", \"redact\": [\"x\"]}"),
			     "redact: not a field filter key"));
		CHECK(strstr(ff_refused("{\"fields\": \"a\"}\n{\"fields\": "),
			     "field filter 2 (line 2): not JSON"));
	}

	UNIT_CASE("export_rate_limit_drops_and_reports")
	{
		struct hornet_export_gate *g = hornet_export_gate__new(&(
			struct hornet_export_gate_opts){ .rate_per_min = 3, .node_name = "n\"1" });
		uint64_t t0 = 1000000000ULL;
		const char *line = "{\"process_exec\":{}}\n", *r;
		size_t len = strlen(line), out;
		unsigned int i, passed = 0;

		CHECK(g);
		if (g) {
			/* a burst of a minute's worth, then one every 20 s */
			for (i = 0; i < 10; i++)
				passed += !!hornet_export_gate__line(g, "process_exec", line, len,
								     &out, t0 + i);
			CHECK_INT(passed, 3);
			CHECK(!hornet_export_gate__report(g, t0 + 10, 0, false, &out));
			CHECK(hornet_export_gate__line(g, "process_exec", line, len, &out,
						       t0 + 21000000000ULL));
			r = hornet_export_gate__report(g, t0 + 61000000000ULL, 0, false, &out);
			CHECK_STR(r,
				  "{\"rate_limit_info\":{\"number_of_dropped_process_events\":7},"
				  "\"node_name\":\"n\\\"1\",\"time\":\"1970-01-01T00:00:00."
				  "000000000Z\"}\n");
			CHECK(!hornet_export_gate__report(g, t0 + 200000000000ULL, 0, true, &out));
			hornet_export_gate__free(g);
		}
	}

	UNIT_EXIT();
}
