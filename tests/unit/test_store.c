// SPDX-License-Identifier: GPL-2.0
/*
 * The event history on a temporary SQLite file: events of every type in the
 * shapes of docs/events.md go in through the queue and the writer, and every
 * endpoint of docs/api.md answers from them; bad parameters get a 400 naming
 * them, SQL metacharacters in any field are only data, pages follow their
 * cursors, retention and the size limit trim, exclusions hide, a corrupt file
 * is moved aside and replaced, and a reopened store keeps its history.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "store/store.h"
#include "store/store_impl.h"

static char dir[64];
static char path[128];

struct kv {
	const char *k, *v;
};

static const char *kv_param(void *ctx, const char *name)
{
	const struct kv *p;

	for (p = ctx; p && p->k; p++) {
		if (!strcmp(p->k, name))
			return p->v;
	}
	return NULL;
}

/* One query; its JSON answer parsed (NULL when not JSON), the status in *@status. */
static json_t *ask(struct hornet_store *s, const char *method, const char *what,
		   const struct kv *params, const char *body, int *status)
{
	struct hornet_json out;
	json_t *root;

	hornet_json_init(&out);
	*status = hornet_store__query(s, method, what, kv_param, (void *)params, body,
				      body ? strlen(body) : 0, &out);
	root = json_loadb(out.buf ? out.buf : "", out.len, 0, NULL);
	if (!root && *status < 300)
		printf("    answer: %.300s\n", out.buf ? out.buf : "(empty)");
	hornet_json_free(&out);
	return root;
}

/* The raw text of an answer (jsonl, csv). */
static char *ask_text(struct hornet_store *s, const char *what, const struct kv *params,
		      int *status)
{
	struct hornet_json out;
	char *t;

	hornet_json_init(&out);
	*status = hornet_store__query(s, "GET", what, kv_param, (void *)params, NULL, 0, &out);
	t = strndup(out.buf ? out.buf : "", out.len);
	hornet_json_free(&out);
	return t;
}

static size_t arr_len(json_t *root, const char *key)
{
	return json_array_size(json_object_get(root, key));
}

static void push(struct hornet_store *s, const char *line)
{
	CHECK(hornet_store__push(s, line, strlen(line)));
}

/* Waits for the writer to have taken everything pushed so far. */
static void settle(struct hornet_store *s, uint64_t expect_written)
{
	struct hornet_store_stats st;
	int i;

	for (i = 0; i < 500; i++) {
		hornet_store__stats(s, &st);
		if (!st.queued && st.written + st.dropped >= expect_written)
			return;
		usleep(10000);
	}
}

static char now_s[48], old_s[48];

static void times(int64_t ago_ns)
{
	int64_t now = hornet_store_now_ns();

	hornet_store_format_time(now - 5 * HORNET_STORE_NS, now_s, sizeof(now_s));
	hornet_store_format_time(now - ago_ns, old_s, sizeof(old_s));
}

#define BASH                                                                                       \
	"{\"exec_id\":\"YmFzaA==\",\"pid\":100,\"uid\":0,\"cwd\":\"/root\",\"binary\":\"/usr/bin/" \
	"bash\","                                                                                  \
	"\"arguments\":\"-l\",\"flags\":\"procFS\",\"start_time\":\"2026-12-01T00:00:00Z\","       \
	"\"auid\":0,\"parent_exec_id\":\"aW5pdA==\",\"tid\":100}"
#define CAT                                                                                      \
	"{\"exec_id\":\"Y2F0\",\"pid\":200,\"uid\":1000,\"cwd\":\"/tmp\",\"binary\":\"/usr/bin/" \
	"cat\","                                                                                 \
	"\"arguments\":\"/etc/passwd\",\"flags\":\"execve\",\"start_time\":\"%s\",\"auid\":0,"   \
	"\"parent_exec_id\":\"YmFzaA==\",\"tid\":200}"
#define CURL                                                                                      \
	"{\"exec_id\":\"Y3VybA==\",\"pid\":300,\"uid\":0,\"cwd\":\"/\",\"binary\":\"/usr/bin/"    \
	"curl\","                                                                                 \
	"\"arguments\":\"http://svc.example.test:8081/\",\"start_time\":\"%s\",\"auid\":0,"       \
	"\"pod\":{\"namespace\":\"shop\",\"name\":\"web-1\",\"container\":{\"name\":\"nginx\"}}," \
	"\"parent_exec_id\":\"YmFzaA==\",\"tid\":300}"

/* Events of every type, of three processes: bash -> cat, bash -> curl (in pod shop/web-1). */
static int sample(struct hornet_store *s)
{
	char line[4096], cat[512], curl[600];
	const char *sock = "{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":"
			   "\"IPPROTO_TCP\",\"saddr\":\"127.0.0.1\",\"daddr\":\"127.0.0.1\","
			   "\"sport\":41736,\"dport\":8081,\"cookie\":\"4158\",\"state\":\"%s\"}";
	char sk[400];
	int n = 0;

	snprintf(cat, sizeof(cat), CAT, now_s);
	snprintf(curl, sizeof(curl), CURL, now_s);
#define EV(...)                                            \
	do {                                               \
		snprintf(line, sizeof(line), __VA_ARGS__); \
		push(s, line);                             \
		n++;                                       \
	} while (0)
	EV("{\"process_exec\":{\"process\":%s,\"parent\":%s},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   cat, BASH, now_s);
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":"
	   "\"security_file_permission\",\"args\":[{\"path_arg\":{\"path\":\"/etc/passwd\","
	   "\"permission\":\"-rw-r--r--\"}},{\"int_arg\":4}],\"action\":\"KPROBE_ACTION_POST\","
	   "\"policy_name\":\"sensitive-file-reads\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   cat, BASH, now_s);
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":"
	   "\"security_file_permission\",\"args\":[{\"path_arg\":{\"path\":\"/etc/passwd\","
	   "\"permission\":\"-rw-r--r--\"}},{\"int_arg\":4}],\"action\":\"KPROBE_ACTION_POST\","
	   "\"policy_name\":\"sensitive-file-reads\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   cat, BASH, now_s);
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":\"__x64_sys_"
	   "openat\","
	   "\"args\":[{\"string_arg\":\"/etc/shadow\"},{\"int_arg\":0}],\"action\":"
	   "\"KPROBE_ACTION_POST\",\"policy_name\":\"shadow-reads\"},\"node_name\":\"n1\","
	   "\"time\":\"%s\"}",
	   cat, BASH, now_s);
	EV("{\"process_lsm\":{\"process\":%s,\"parent\":%s,\"function_name\":\"security_file_"
	   "open\","
	   "\"args\":[{\"file_arg\":{\"path\":\"/secret/key\",\"flags\":\"O_WRONLY|O_LARGEFILE\","
	   "\"permission\":\"-rw-r--r--\"}}],\"action\":\"KPROBE_ACTION_OVERRIDE\","
	   "\"override_error\":-1,\"policy_name\":\"deny-open\"},\"node_name\":\"n1\",\"time\":\"%"
	   "s\"}",
	   cat, BASH, now_s);
	EV("{\"process_tracepoint\":{\"process\":%s,\"parent\":%s,\"subsys\":\"syscalls\","
	   "\"event\":"
	   "\"sys_enter_openat\",\"args\":[{\"string_arg\":\"/etc/hostname\"},{\"int_arg\":0}],"
	   "\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"tp-openat\"},\"node_name\":\"n1\","
	   "\"time\":\"%s\"}",
	   cat, BASH, now_s);
	EV("{\"process_uprobe\":{\"process\":%s,\"parent\":%s,\"path\":\"/usr/lib/libc.so.6\","
	   "\"symbol\":\"getpid\",\"args\":[],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":"
	   "\"uprobe-demo\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   cat, BASH, now_s);
	EV("{\"process_exit\":{\"process\":%s,\"parent\":%s,\"status\":0},\"node_name\":\"n1\","
	   "\"time\":\"%s\"}",
	   cat, BASH, now_s);

	EV("{\"process_exec\":{\"process\":%s,\"parent\":%s},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
	EV("{\"process_dns\":{\"process\":%s,\"parent\":%s,\"server\":\"127.0.0.1:53\","
	   "\"direction\":\"query\",\"id\":7,\"question\":{\"name\":\"svc.example.test\",\"type\":"
	   "\"A\"}},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
	EV("{\"process_dns\":{\"process\":%s,\"parent\":%s,\"server\":\"127.0.0.1:53\","
	   "\"direction\":\"answer\",\"id\":7,\"question\":{\"name\":\"svc.example.test\",\"type\":"
	   "\"A\"},\"rcode\":0,\"answers\":[{\"name\":\"svc.example.test\",\"type\":\"A\",\"ttl\":"
	   "300,\"data\":\"127.0.0.1\"}]},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
	snprintf(sk, sizeof(sk), sock, "TCP_ESTABLISHED");
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":\"tcp_connect\","
	   "\"args\":[{\"sock_arg\":%s}],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":"
	   "\"hornet-network\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, sk, now_s);
	EV("{\"process_http\":{\"process\":%s,\"parent\":%s,\"destination\":\"127.0.0.1:8081\","
	   "\"method\":\"GET\",\"target\":\"/\",\"version\":\"HTTP/1.1\",\"host\":"
	   "\"svc.example.test\",\"socket\":{\"sock_arg\":%s}},\"node_name\":\"n1\",\"time\":\"%"
	   "s\"}",
	   curl, BASH, sk, now_s);
	snprintf(sk, sizeof(sk), sock, "TCP_CLOSE");
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":\"tcp_close\","
	   "\"args\":[{\"sock_arg\":%s},{\"size_arg\":79,\"label\":\"bytes_sent\"},{\"size_arg\":"
	   "101,"
	   "\"label\":\"bytes_received\"}],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":"
	   "\"hornet-network\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, sk, now_s);
	EV("{\"process_tls\":{\"process\":%s,\"parent\":%s,\"destination\":\"127.0.0.1:8443\","
	   "\"sni\":\"api.example.test\",\"socket\":{\"sock_arg\":{\"daddr\":\"127.0.0.1\","
	   "\"dport\":8443,\"cookie\":\"99\"}}},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":\"tcp_close\","
	   "\"args\":[{\"sock_arg\":{\"protocol\":\"IPPROTO_TCP\",\"daddr\":\"127.0.0.1\","
	   "\"dport\":"
	   "8443,\"cookie\":\"99\",\"state\":\"TCP_CLOSE\"}},{\"size_arg\":10,\"label\":"
	   "\"bytes_sent\"},{\"size_arg\":20,\"label\":\"bytes_received\"}],\"action\":"
	   "\"KPROBE_ACTION_POST\",\"policy_name\":\"hornet-network\"},\"node_name\":\"n1\","
	   "\"time\":\"%s\"}",
	   curl, BASH, now_s);
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":\"udp_sendmsg\","
	   "\"args\":[{\"sock_arg\":{\"family\":\"AF_INET\",\"protocol\":\"IPPROTO_UDP\",\"daddr\":"
	   "\"10.0.0.53\",\"dport\":53,\"cookie\":\"5\"}}],\"action\":\"KPROBE_ACTION_POST\","
	   "\"policy_name\":\"hornet-network\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
	EV("{\"process_kprobe\":{\"process\":%s,\"parent\":%s,\"function_name\":\"__x64_sys_"
	   "write\","
	   "\"args\":[{\"file_arg\":{\"path\":\"/tmp/protected\",\"flags\":\"O_WRONLY\"}},"
	   "{\"size_arg\":2}],\"action\":\"KPROBE_ACTION_SIGKILL\",\"policy_name\":"
	   "\"protect-file\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
	EV("{\"process_exit\":{\"process\":%s,\"parent\":%s,\"signal\":\"SIGKILL\"},"
	   "\"node_name\":\"n1\",\"time\":\"%s\"}",
	   curl, BASH, now_s);
#undef EV
	return n;
}

static struct hornet_store *open_store(const char *retention, unsigned int mb)
{
	struct hornet_store_opts o = { .url = path, .retention = retention, .max_size_mb = mb };
	char err[256] = "";
	struct hornet_store *s = hornet_store__open(&o, err, sizeof(err));

	if (!s)
		printf("    open: %s\n", err);
	return s;
}

static int nevents;

static int64_t timeline_total(json_t *a)
{
	int64_t total = 0;
	const char *k;
	json_t *b, *c;
	size_t i;

	json_array_foreach(json_object_get(a, "buckets"), i, b)
	{
		json_object_foreach(json_object_get(b, "counts"), k, c) total +=
			json_integer_value(c);
	}
	return total;
}

static void test_ingest_and_query(void)
{
	struct hornet_store *s;
	struct hornet_store_stats st;
	json_t *a, *row;
	int status;

	UNIT_CASE("store_open_creates_file_0600")
	{
		struct stat sb;

		snprintf(path, sizeof(path), "%s/sub/dir/store.db", dir);
		s = open_store("72h", 1024);
		CHECK(s);
		if (!s)
			return;
		CHECK(!stat(path, &sb) && (sb.st_mode & 0777) == 0600);
		CHECK(!stat(path, &sb) && S_ISREG(sb.st_mode));
	}
	times(0);
	nevents = sample(s);
	settle(s, nevents);
	UNIT_CASE("store_stats")
	{
		hornet_store__stats(s, &st);
		CHECK(st.ok);
		CHECK_STR(st.backend, "sqlite");
		CHECK_INT(st.written, nevents);
		CHECK_INT(st.dropped, 0);
		CHECK(st.batches >= 1);
		CHECK(st.bytes > 0);
	}
	UNIT_CASE("store_push_rejects_non_events")
	{
		push(s, "not json");
		push(s, "{\"process_exec\":{},\"node_name\":\"n1\"}");
		settle(s, nevents + 2);
		hornet_store__stats(s, &st);
		CHECK_INT(st.dropped, 2);
		CHECK_INT(st.written, nevents);
		CHECK(!hornet_store__push(NULL, "x", 1));
	}
	UNIT_CASE("store_events")
	{
		struct kv p[] = { { "limit", "1000" }, { NULL } };
		struct kv t[] = { { "type", "process_exec,process_exit" }, { NULL } };
		struct kv f[] = { { "dest", "svc.example.test" }, { NULL } };
		struct kv q[] = { { "q", "shadow" }, { NULL } };
		struct kv pa[] = { { "path", "/etc/*" }, { NULL } };
		struct kv pl[] = { { "policy", "shadow-reads,deny-open" }, { NULL } };
		struct kv qi[] = { { "q", "SHADOW" }, { NULL } };
		struct kv dg[] = { { "dest", "*.example.test" }, { NULL } };

		a = ask(s, "GET", "events", p, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(arr_len(a, "events"), nevents);
		CHECK(json_is_null(json_object_get(a, "next_cursor")));
		row = json_array_get(json_object_get(a, "events"), 0);
		CHECK(json_object_get(row, "process_exit") != NULL); /* newest first */
		json_decref(a);
		a = ask(s, "GET", "events", t, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 4);
		json_decref(a);
		a = ask(s, "GET", "events", f, NULL, &status);
		/*
		 * the DNS query and answer, the HTTP request, and the connection events
		 * to the address the answer gave (8081 and 8443)
		 */
		CHECK_INT(arr_len(a, "events"), 6);
		json_decref(a);
		a = ask(s, "GET", "events", q, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 1);
		json_decref(a);
		a = ask(s, "GET", "events", pa, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 4);
		json_decref(a);
		a = ask(s, "GET", "events", pl, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 2);
		json_decref(a);
		a = ask(s, "GET", "events", qi, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 1);
		json_decref(a);
		/* the 6 of svc.example.test and the TLS hello to api.example.test */
		a = ask(s, "GET", "events", dg, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 7);
		json_decref(a);
	}
	UNIT_CASE("store_events_cursor_pages")
	{
		char cursor[64] = "";
		struct kv p[] = { { "limit", "3" }, { "cursor", NULL }, { NULL } };
		int seen = 0, pages = 0;

		do {
			p[1].v = cursor[0] ? cursor : NULL;
			a = ask(s, "GET", "events", p, NULL, &status);
			CHECK_INT(status, 200);
			seen += arr_len(a, "events");
			pages++;
			row = json_object_get(a, "next_cursor");
			if (json_is_string(row))
				snprintf(cursor, sizeof(cursor), "%s", json_string_value(row));
			else
				cursor[0] = '\0';
			json_decref(a);
		} while (cursor[0] && pages < 50);
		CHECK_INT(seen, nevents);
		CHECK_INT(pages, (nevents + 2) / 3);
	}
	UNIT_CASE("store_events_formats")
	{
		struct kv j[] = { { "format", "jsonl" }, { "type", "process_exec" }, { NULL } };
		struct kv c[] = { { "format", "csv" }, { "type", "process_exit" }, { NULL } };
		char *t = ask_text(s, "events", j, &status), *nl;

		CHECK_INT(status, 200);
		nl = strchr(t, '\n');
		CHECK(nl && strchr(nl + 1, '\n') && !strchr(strchr(nl + 1, '\n') + 1, '\n'));
		CHECK(!strncmp(t, "{\"process_exec\"", 15));
		free(t);
		t = ask_text(s, "events", c, &status);
		CHECK_INT(status, 200);
		CHECK(!strncmp(t, "\"time\",\"node\",\"type\"", 20));
		CHECK(strstr(t, "\"/usr/bin/curl\"") && strstr(t, "\"/usr/bin/cat\""));
		free(t);
	}
	UNIT_CASE("store_process")
	{
		a = ask(s, "GET", "processes/Y2F0", NULL, NULL, &status);
		CHECK_INT(status, 200);
		row = json_object_get(a, "process");
		CHECK_STR(json_string_value(json_object_get(row, "binary")), "/usr/bin/cat");
		CHECK_STR(json_string_value(json_object_get(row, "arguments")), "/etc/passwd");
		CHECK_INT(json_integer_value(json_object_get(row, "uid")), 1000);
		CHECK_INT(json_integer_value(json_object_get(row, "status")), 0);
		CHECK(json_is_string(json_object_get(row, "exit_time")));
		CHECK_INT(
			json_integer_value(json_object_get(json_object_get(row, "marks"), "files")),
			5);
		CHECK_INT(arr_len(a, "ancestors"), 1);
		CHECK_STR(json_string_value(json_object_get(
				  json_array_get(json_object_get(a, "ancestors"), 0), "binary")),
			  "/usr/bin/bash");
		CHECK_INT(arr_len(a, "events"), 8);
		json_decref(a);
		a = ask(s, "GET", "processes/YmFzaA==", NULL, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(arr_len(a, "children"), 2);
		json_decref(a);
		a = ask(s, "GET", "processes/Y3VybA==", NULL, NULL, &status);
		row = json_object_get(a, "process");
		CHECK_STR(json_string_value(json_object_get(row, "signal")), "SIGKILL");
		CHECK_STR(json_string_value(json_object_get(row, "pod")), "web-1");
		CHECK_INT(json_integer_value(
				  json_object_get(json_object_get(row, "marks"), "killed")),
			  1);
		json_decref(a);
		a = ask(s, "GET", "processes/bm9uZQ==", NULL, NULL, &status);
		CHECK_INT(status, 404);
		json_decref(a);
	}
	UNIT_CASE("store_process_tree")
	{
		struct kv h[] = { { "host", "1" }, { "since", "-1h" }, { NULL } };
		struct kv p[] = { { "namespace", "shop" }, { "pod", "web-1" }, { NULL } };

		a = ask(s, "GET", "processes", h, NULL, &status);
		CHECK_INT(status, 200);
		/* bash started long ago but has not exited: still in the tree */
		CHECK_INT(arr_len(a, "processes"), 2);
		json_decref(a);
		a = ask(s, "GET", "processes", p, NULL, &status);
		CHECK_INT(arr_len(a, "processes"), 1);
		json_decref(a);
	}
	UNIT_CASE("store_files")
	{
		struct kv p[] = { { "path", "/etc/passwd" }, { NULL } };
		struct kv g[] = { { "path", "/etc/*" }, { NULL } };
		struct kv k[] = { { "path", "/secret/key" }, { NULL } };

		a = ask(s, "GET", "files", p, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(arr_len(a, "files"), 1);
		row = json_array_get(json_object_get(a, "files"), 0);
		CHECK_STR(json_string_value(json_object_get(row, "binary")), "/usr/bin/cat");
		CHECK_STR(json_string_value(json_object_get(row, "arguments")), "/etc/passwd");
		CHECK_STR(json_string_value(json_object_get(row, "access")), "read");
		CHECK_STR(json_string_value(json_object_get(row, "call")),
			  "security_file_permission");
		CHECK_STR(json_string_value(json_object_get(row, "policy")),
			  "sensitive-file-reads");
		CHECK_INT(json_integer_value(json_object_get(row, "count")), 2);
		CHECK_STR(json_string_value(json_object_get(
				  json_array_get(json_object_get(row, "parents"), 0), "binary")),
			  "/usr/bin/bash");
		json_decref(a);
		a = ask(s, "GET", "files", g, NULL, &status);
		CHECK_INT(arr_len(a, "files"), 3); /* passwd, shadow, hostname */
		json_decref(a);
		a = ask(s, "GET", "files", k, NULL, &status);
		row = json_array_get(json_object_get(a, "files"), 0);
		CHECK_STR(json_string_value(json_object_get(row, "access")), "write");
		CHECK_STR(json_string_value(json_object_get(row, "action")),
			  "KPROBE_ACTION_OVERRIDE");
		json_decref(a);
	}
	UNIT_CASE("store_egress")
	{
		struct kv p[] = { { "namespace", "shop" }, { "pod", "web-1" }, { NULL } };
		struct kv d[] = { { "dest", "127.0.0.1:8081" }, { NULL } };
		json_t *e;
		size_t i;
		bool http = false, tls = false, udp = false;

		a = ask(s, "GET", "egress", p, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(arr_len(a, "egress"), 3);
		json_array_foreach(json_object_get(a, "egress"), i, e)
		{
			int64_t port = json_integer_value(json_object_get(e, "dport"));

			if (port == 8081) {
				http = true;
				CHECK_STR(json_string_value(json_object_get(e, "dns_name")),
					  "svc.example.test");
				CHECK_STR(json_string_value(json_object_get(e, "http_host")),
					  "svc.example.test");
				CHECK(json_is_null(json_object_get(e, "tls_server_name")));
				CHECK_INT(json_integer_value(json_object_get(e, "bytes_sent")), 79);
				CHECK_INT(json_integer_value(json_object_get(e, "bytes_received")),
					  101);
				CHECK_INT(json_integer_value(json_object_get(e, "connections")), 1);
				CHECK_STR(json_string_value(json_object_get(e, "protocol")), "TCP");
				CHECK_STR(json_string_value(json_object_get(e, "binary")),
					  "/usr/bin/curl");
			} else if (port == 8443) {
				tls = true;
				CHECK_STR(json_string_value(json_object_get(e, "tls_server_name")),
					  "api.example.test");
			} else if (port == 53) {
				udp = true;
				CHECK_STR(json_string_value(json_object_get(e, "protocol")), "UDP");
			}
		}
		CHECK(http && tls && udp);
		json_decref(a);
		a = ask(s, "GET", "egress", d, NULL, &status);
		CHECK_INT(arr_len(a, "egress"), 1);
		json_decref(a);
	}
	UNIT_CASE("store_timeline")
	{
		json_t *b, *c;
		const char *k;
		size_t i;
		int64_t total = 0, execs = 0;
		struct kv f[] = { { "binary", "/usr/bin/cat" }, { NULL } };

		a = ask(s, "GET", "timeline", NULL, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(json_integer_value(json_object_get(a, "step")), 30);
		json_array_foreach(json_object_get(a, "buckets"), i, b)
		{
			json_object_foreach(json_object_get(b, "counts"), k, c)
			{
				total += json_integer_value(c);
				if (!strcmp(k, "process_exec"))
					execs += json_integer_value(c);
			}
		}
		CHECK_INT(total, nevents);
		CHECK_INT(execs, 2);
		json_decref(a);
		a = ask(s, "GET", "timeline", f, NULL, &status);
		total = 0;
		json_array_foreach(json_object_get(a, "buckets"), i, b)
		{
			json_object_foreach(json_object_get(b, "counts"), k, c) total +=
				json_integer_value(c);
		}
		CHECK_INT(total, 8);
		json_decref(a);
	}
	UNIT_CASE("store_profile")
	{
		struct kv p[] = { { "binary", "/usr/bin/cat" }, { "new_since", "-1h" }, { NULL } };
		struct kv w[] = { { "namespace", "shop" }, { "pod", "web-1" }, { NULL } };

		a = ask(s, "GET", "profile", p, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(arr_len(a, "binaries"), 1);
		CHECK_INT(arr_len(a, "files"), 4);
		row = json_array_get(json_object_get(a, "binaries"), 0);
		CHECK(json_is_true(json_object_get(row, "new")));
		json_decref(a);
		a = ask(s, "GET", "profile", w, NULL, &status);
		CHECK_INT(arr_len(a, "destinations"), 3);
		CHECK_INT(arr_len(a, "files"), 1);
		json_decref(a);
	}
	UNIT_CASE("store_exclusions")
	{
		struct kv p[] = { { "path", "/etc/passwd" }, { NULL } };
		struct kv off[] = { { "path", "/etc/passwd" }, { "exclusions", "off" }, { NULL } };
		struct kv e[] = { { "limit", "1000" }, { NULL } };
		char id[32];

		a = ask(s, "POST", "exclusions", NULL,
			"{\"field\":\"binary\",\"value\":\"/usr/bin/cat\",\"note\":\"noise\"}",
			&status);
		CHECK_INT(status, 201);
		snprintf(id, sizeof(id), "exclusions/%lld",
			 (long long)json_integer_value(json_object_get(a, "id")));
		json_decref(a);
		a = ask(s, "POST", "exclusions", NULL,
			"{\"field\":\"dest\",\"value\":\"svc.example.test\"}", &status);
		CHECK_INT(status, 201);
		json_decref(a);
		a = ask(s, "GET", "exclusions", NULL, NULL, &status);
		CHECK_INT(arr_len(a, "exclusions"), 2);
		row = json_array_get(json_object_get(a, "exclusions"), 0);
		CHECK_STR(json_string_value(json_object_get(row, "note")), "noise");
		CHECK(json_is_string(json_object_get(row, "created")));
		json_decref(a);
		a = ask(s, "GET", "files", p, NULL, &status);
		CHECK_INT(arr_len(a, "files"), 0);
		json_decref(a);
		a = ask(s, "GET", "files", off, NULL, &status);
		CHECK_INT(arr_len(a, "files"), 1);
		json_decref(a);
		a = ask(s, "GET", "events", e, NULL, &status);
		/* cat's 8 events and curl's 6 named svc.example.test are hidden */
		CHECK_INT(arr_len(a, "events"), nevents - 14);
		json_decref(a);
		/* in the timeline too (from the raw events: the rollup has no binary) */
		a = ask(s, "GET", "timeline", NULL, NULL, &status);
		CHECK_INT(timeline_total(a), nevents - 14);
		json_decref(a);
		a = ask(s, "DELETE", id, NULL, NULL, &status);
		CHECK_INT(status, 200);
		json_decref(a);
		a = ask(s, "DELETE", id, NULL, NULL, &status);
		CHECK_INT(status, 404);
		json_decref(a);
		a = ask(s, "GET", "files", p, NULL, &status);
		CHECK_INT(arr_len(a, "files"), 1);
		json_decref(a);
		a = ask(s, "POST", "exclusions", NULL, "{\"field\":\"uid\",\"value\":\"0\"}",
			&status);
		CHECK_INT(status, 400);
		CHECK(strstr(json_string_value(json_object_get(a, "error")), "'field'"));
		json_decref(a);
		a = ask(s, "POST", "exclusions", NULL, "{\"field\":\"pod\"}", &status);
		CHECK_INT(status, 400);
		json_decref(a);
		a = ask(s, "POST", "exclusions", NULL, "[1,2", &status);
		CHECK_INT(status, 400);
		json_decref(a);
		a = ask(s, "POST", "exclusions", NULL,
			"{\"field\":\"pod\",\"value\":\"x\",\"note\":3}", &status);
		CHECK_INT(status, 400);
		json_decref(a);
		a = ask(s, "GET", "exclusions", NULL, NULL, &status);
		CHECK_INT(arr_len(a, "exclusions"), 1);
		json_decref(a);
	}
	UNIT_CASE("store_accepted_connections_are_no_egress")
	{
		struct kv p[] = { { "namespace", "shop" },
				  { "pod", "web-1" },
				  { "exclusions", "off" },
				  { NULL } };
		char curl[600], line[2048];
		int i;

		snprintf(curl, sizeof(curl), CURL, now_s);
		for (i = 0; i < 2; i++) {
			snprintf(line, sizeof(line),
				 "{\"process_kprobe\":{\"process\":%s,\"function_name\":\"%s\","
				 "\"args\":[{\"sock_arg\":{\"protocol\":\"IPPROTO_TCP\",\"daddr\":"
				 "\"127.0.0.1\",\"dport\":41000,\"cookie\":\"777\"}}],\"action\":"
				 "\"KPROBE_ACTION_POST\",\"policy_name\":\"hornet-network\"},"
				 "\"node_name\":\"n1\",\"time\":\"%s\"}",
				 curl, i ? "tcp_close" : "inet_csk_accept", now_s);
			push(s, line);
		}
		/* flow mode (--network-flow): no accept event, the close says
		 * that the connection was accepted */
		snprintf(line, sizeof(line),
			 "{\"process_kprobe\":{\"process\":%s,\"function_name\":\"tcp_close\","
			 "\"args\":[{\"sock_arg\":{\"protocol\":\"IPPROTO_TCP\",\"daddr\":"
			 "\"127.0.0.1\",\"dport\":41001,\"cookie\":\"778\"}},{\"size_arg\":5,"
			 "\"label\":\"duration_ns\"},{\"string_arg\":\"incoming\",\"label\":"
			 "\"direction\"}],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":"
			 "\"hornet-network\"},\"node_name\":\"n1\",\"time\":\"%s\"}",
			 curl, now_s);
		push(s, line);
		settle(s, nevents + 3);
		a = ask(s, "GET", "egress", p, NULL, &status);
		CHECK_INT(arr_len(a, "egress"), 3);
		json_decref(a);
	}
	hornet_store__close(s);
}

struct bad {
	const char *what, *k, *v, *named;
};

static void test_bad_params(void)
{
	static const struct bad bad[] = {
		{ "events", "since", "yesterday", "'since'" },
		{ "events", "until", "2026-13-01T00:00:00Z", "'until'" },
		{ "events", "until", "-2h", "'until'" },
		{ "events", "limit", "0", "'limit'" },
		{ "events", "limit", "1001", "'limit'" },
		{ "events", "limit", "5x", "'limit'" },
		{ "events", "cursor", "abc", "'cursor'" },
		{ "events", "format", "xml", "'format'" },
		{ "events", "type", "process_exec;drop", "'type'" },
		{ "events", "dest", "127.0.0.1:99999", "'dest'" },
		{ "events", "exclusions", "maybe", "'exclusions'" },
		{ "files", "limit", "-1", "'limit'" },
		{ "files", "cursor", "o:x", "'cursor'" },
		{ "timeline", "step", "0", "'step'" },
		{ "timeline", "step", "1", "'step'" }, /* 3600 buckets is fine: 1 s over -1h */
		{ "profile", "new_since", "soon", "'new_since'" },
		{ "processes", "host", "yes", "'host'" },
	};
	struct hornet_store *s = open_store("72h", 1024);
	json_t *a;
	size_t i;
	int status;

	if (!s)
		return;
	UNIT_CASE("store_bad_params_named")
	{
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct kv p[] = { { bad[i].k, bad[i].v }, { "path", "/x" }, { NULL } };
			const char *e;

			a = ask(s, "GET", bad[i].what, p, NULL, &status);
			if (!strcmp(bad[i].v, "1")) {
				CHECK_INT(status, 200);
				json_decref(a);
				continue;
			}
			e = json_string_value(json_object_get(a, "error"));
			if (status != 400 || !e || !strstr(e, bad[i].named))
				UNIT_FAIL("%s %s=%s: status %d, error '%s'", bad[i].what, bad[i].k,
					  bad[i].v, status, e ? e : "(none)");
			json_decref(a);
		}
	}
	UNIT_CASE("store_missing_and_wrong_requests")
	{
		struct kv pod[] = { { "namespace", "shop" }, { NULL } };

		a = ask(s, "GET", "files", NULL, NULL, &status);
		CHECK_INT(status, 400);
		CHECK(strstr(json_string_value(json_object_get(a, "error")), "'path'"));
		json_decref(a);
		a = ask(s, "GET", "processes", pod, NULL, &status);
		CHECK_INT(status, 400);
		json_decref(a);
		a = ask(s, "GET", "profile", NULL, NULL, &status);
		CHECK_INT(status, 400);
		json_decref(a);
		a = ask(s, "GET", "nothing", NULL, NULL, &status);
		CHECK_INT(status, 404);
		json_decref(a);
		a = ask(s, "POST", "events", NULL, "{}", &status);
		CHECK_INT(status, 405);
		json_decref(a);
		a = ask(s, "DELETE", "exclusions/abc", NULL, NULL, &status);
		CHECK_INT(status, 400);
		json_decref(a);
		a = ask(NULL, "GET", "events", NULL, NULL, &status);
		CHECK_INT(status, 503);
		json_decref(a);
	}
	hornet_store__close(s);
}

static void test_sql_metacharacters(void)
{
	static const char *const evil[] = { "x' OR '1'='1", "\"; DROP TABLE events; --", "%_*?[]\\",
					    "a\\'b", "😀 \\u0000 é" };
	struct hornet_store *s = open_store("72h", 1024);
	char line[4096], field[256];
	struct hornet_json esc;
	json_t *a;
	size_t i;
	int status;

	if (!s)
		return;
	times(0);
	hornet_json_init(&esc);
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		hornet_json_reset(&esc);
		hornet_json_escape(&esc, evil[i], strlen(evil[i]));
		snprintf(field, sizeof(field), "%s", esc.buf);
		snprintf(
			line, sizeof(line),
			"{\"process_kprobe\":{\"process\":{\"exec_id\":\"evil%zu\",\"pid\":9,"
			"\"binary\":\"/bin/%s\",\"arguments\":\"%s\",\"cwd\":\"/\",\"start_time\":"
			"\"%s\",\"pod\":{\"namespace\":\"%s\",\"name\":\"%s\"},\"parent_exec_id\":"
			"\"%s\"},\"function_name\":\"security_file_open\",\"args\":[{\"file_arg\":{"
			"\"path\":\"/evil/%s\"}}],\"action\":\"%s\",\"policy_name\":\"%s\"},"
			"\"node_name\":\"%s\",\"time\":\"%s\"}",
			i, field, field, now_s, field, field, field, field, field, field, field,
			now_s);
		push(s, line);
	}
	hornet_json_free(&esc);
	settle(s, 5);
	UNIT_CASE("store_sql_metacharacters_are_data")
	{
		for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
			char bin[300], p[300];
			struct kv q[] = { { "pod", evil[i] },
					  { "namespace", evil[i] },
					  { "node", evil[i] },
					  { "policy", evil[i] },
					  { "action", evil[i] },
					  { "q", evil[i] },
					  { NULL } };
			/* q is a substring of the line as stored: JSON-escaped */
			if (strpbrk(evil[i], "\\\""))
				q[5].k = NULL;
			struct kv fb[] = { { "binary", bin }, { "path", p }, { NULL } };

			a = ask(s, "GET", "events", q, NULL, &status);
			CHECK_INT(status, 200);
			/* a glob character in the value matches more; exact values match one */
			if (!strpbrk(evil[i], "*?[") && arr_len(a, "events") != 1)
				UNIT_FAIL("value '%s': %zu events", evil[i], arr_len(a, "events"));
			json_decref(a);
			snprintf(bin, sizeof(bin), "/bin/%s", evil[i]);
			snprintf(p, sizeof(p), "/evil/%s", evil[i]);
			a = ask(s, "GET", "files", fb, NULL, &status);
			CHECK_INT(status, 200);
			if (!strpbrk(evil[i], "*?["))
				CHECK_INT(arr_len(a, "files"), 1);
			json_decref(a);
			a = ask(s, "POST", "exclusions", NULL,
				"{\"field\":\"pod\",\"value\":\"x' OR 1=1; --\"}", &status);
			CHECK_INT(status, 201);
			json_decref(a);
		}
		a = ask(s, "GET", "events", NULL, NULL, &status);
		CHECK_INT(status, 200);
		CHECK_INT(arr_len(a, "events"), 5); /* the table is still there, whole */
		json_decref(a);
	}
	hornet_store__close(s);
}

static void test_restart_retention_size(void)
{
	struct hornet_store_stats st;
	struct hornet_store *s;
	char line[1024];
	json_t *a;
	int status, i;

	UNIT_CASE("store_restart_keeps_history")
	{
		s = open_store("72h", 1024);
		CHECK(s);
		if (!s)
			return;
		a = ask(s, "GET", "processes/Y2F0", NULL, NULL, &status);
		CHECK_INT(status, 200);
		json_decref(a);
		a = ask(s, "GET", "exclusions", NULL, NULL, &status);
		CHECK(arr_len(a, "exclusions") >= 1);
		json_decref(a);
		hornet_store__close(s);
	}
	UNIT_CASE("store_retention")
	{
		struct kv all[] = { { "since", "-3h" }, { "limit", "1000" }, { NULL } };
		struct kv f[] = { { "since", "-3h" }, { "path", "/old/file" }, { NULL } };

		snprintf(path, sizeof(path), "%s/retention.db", dir);
		s = open_store("72h", 1024);
		if (!s)
			return;
		times(2 * 3600 * HORNET_STORE_NS);
		for (i = 0; i < 10; i++) {
			snprintf(
				line, sizeof(line),
				"{\"process_kprobe\":{\"process\":{\"exec_id\":\"old%d\","
				"\"binary\":"
				"\"/bin/old\"},\"function_name\":\"security_file_open\",\"args\":[{"
				"\"file_arg\":{\"path\":\"/old/file\"}}],\"action\":"
				"\"KPROBE_ACTION_POST\",\"policy_name\":\"p\"},\"node_name\":"
				"\"n1\","
				"\"time\":\"%s\"}",
				i, i < 6 ? old_s : now_s);
			push(s, line);
		}
		settle(s, 10);
		hornet_store__close(s);
		s = open_store("1h", 1024); /* trims at open */
		if (!s)
			return;
		hornet_store__stats(s, &st);
		CHECK_INT(st.trimmed, 6);
		a = ask(s, "GET", "events", all, NULL, &status);
		CHECK_INT(arr_len(a, "events"), 4);
		json_decref(a);
		/* rollups stay 8 times as long */
		a = ask(s, "GET", "files", f, NULL, &status);
		CHECK_INT(arr_len(a, "files"), 10);
		json_decref(a);
		hornet_store__close(s);
	}
	UNIT_CASE("store_size_limit")
	{
		struct kv all[] = { { "limit", "1000" }, { NULL } };
		char pad[600];
		struct stat sb;

		snprintf(path, sizeof(path), "%s/size.db", dir);
		s = open_store("72h", 1024);
		if (!s)
			return;
		times(0);
		memset(pad, 'x', sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		for (i = 0; i < 6000; i++) {
			snprintf(line, sizeof(line),
				 "{\"process_kprobe\":{\"process\":{\"exec_id\":\"s%d\"},"
				 "\"message\":"
				 "\"%s\",\"policy_name\":\"p\"},\"node_name\":\"n1\",\"time\":\"%"
				 "s\"}",
				 i, pad, now_s);
			push(s, line);
		}
		settle(s, 6000);
		hornet_store__close(s);
		CHECK(!stat(path, &sb) && sb.st_size > 3 << 20);
		s = open_store("72h", 1);
		if (!s)
			return;
		hornet_store__stats(s, &st);
		CHECK(st.trimmed > 4000);
		a = ask(s, "GET", "events", all, NULL, &status);
		CHECK(arr_len(a, "events") > 0 && arr_len(a, "events") < 2000);
		json_decref(a);
		hornet_store__close(s);
	}
}

static void test_corrupt(void)
{
	struct hornet_store_stats st;
	struct hornet_store *s;
	char junk[8192], pattern[160];
	glob_t g;
	json_t *a;
	int fd, status;

	UNIT_CASE("store_corrupt_file_moved_aside")
	{
		snprintf(path, sizeof(path), "%s/corrupt.db", dir);
		memset(junk, 'J', sizeof(junk));
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
		close(fd);
		s = open_store("72h", 1024);
		CHECK(s);
		if (!s)
			return;
		snprintf(pattern, sizeof(pattern), "%s.corrupt-*", path);
		CHECK(!glob(pattern, 0, NULL, &g) && g.gl_pathc == 1);
		globfree(&g);
		times(0);
		nevents = sample(s);
		settle(s, nevents);
		hornet_store__stats(s, &st);
		CHECK(st.ok);
		CHECK_INT(st.written, nevents);
		a = ask(s, "GET", "events", NULL, NULL, &status);
		CHECK_INT(status, 200);
		json_decref(a);
		hornet_store__close(s);
	}
	UNIT_CASE("store_corrupted_while_open_recovers")
	{
		s = open_store("72h", 1024);
		if (!s)
			return;
		/* the header overwritten under the running store */
		fd = open(path, O_WRONLY);
		CHECK(fd >= 0 && pwrite(fd, junk, 4096, 0) == 4096);
		close(fd);
		times(0);
		nevents = sample(s);
		settle(s, nevents);
		hornet_store__stats(s, &st);
		CHECK(st.write_errors >= 1);
		CHECK(st.ok);
		CHECK_INT(st.written, nevents);
		a = ask(s, "GET", "processes/Y2F0", NULL, NULL, &status);
		CHECK_INT(status, 200);
		json_decref(a);
		hornet_store__close(s);
	}
	UNIT_CASE("store_unusable_path_is_an_error")
	{
		struct hornet_store_opts o = { .url = "/proc/self/nope/store.db" };
		char err[256] = "";

		s = hornet_store__open(&o, err, sizeof(err));
		CHECK(!s);
		CHECK(err[0]);
		hornet_store__close(s);
		o.url = path;
		o.retention = "forever";
		s = hornet_store__open(&o, err, sizeof(err));
		CHECK(!s && strstr(err, "--store-retention"));
	}
}

struct reader_arg {
	struct hornet_store *s;
	int bad;
};

static void *reader(void *arg)
{
	struct reader_arg *r = arg;
	struct kv p[] = { { "path", "/etc/*" }, { NULL } };
	int i, status;

	for (i = 0; i < 200; i++) {
		json_t *a = ask(r->s, "GET", i % 2 ? "files" : "events", p, NULL, &status);

		if (status != 200)
			r->bad++;
		json_decref(a);
	}
	return NULL;
}

static void test_threads(void)
{
	struct hornet_store *s = open_store("72h", 1024);
	struct reader_arg args[6];
	pthread_t t[6];
	int i, j, pushed = 0;

	if (!s)
		return;
	UNIT_CASE("store_queries_while_writing")
	{
		for (i = 0; i < 6; i++) {
			args[i] = (struct reader_arg){ s, 0 };
			pthread_create(&t[i], NULL, reader, &args[i]);
		}
		for (j = 0; j < 20; j++) {
			times(0);
			pushed += sample(s);
			usleep(5000);
		}
		for (i = 0; i < 6; i++) {
			pthread_join(t[i], NULL);
			CHECK_INT(args[i].bad, 0);
		}
		settle(s, pushed);
	}
	hornet_store__close(s);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/hornet-store-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_ingest_and_query();
	test_bad_params();
	snprintf(path, sizeof(path), "%s/evil.db", dir);
	test_sql_metacharacters();
	snprintf(path, sizeof(path), "%s/sub/dir/store.db", dir);
	test_restart_retention_size();
	test_corrupt();
	snprintf(path, sizeof(path), "%s/threads.db", dir);
	test_threads();
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd))
		return 1;
	UNIT_EXIT();
}
