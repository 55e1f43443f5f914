// SPDX-License-Identifier: GPL-2.0
/*
 * The renderers of typed events (export/render_policy.c, render_net.c,
 * compact.c): events built by hand, their JSON lines checked whole, and
 * for every event type the compact line made from the typed event checked
 * against the one the CLI makes from the rendered JSON.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <jansson.h>
#include <hornet/net.h>

#include "unit.h"
#include "export/compact.h"
#include "export/event.h"
#include "util/intern.h"

static const struct hornet_render_ctx ctx = {
	.node_name = "node-1",
	/* an event at ktime 1000000 happens at 2026-11-28T10:00:00.123456789Z */
	.boot_to_wall_ns = 1795860000123456789LL - 1000000,
	.process_cred = true,
	.process_ns = true,
};

static struct hornet_process *proc(const char *binary, const char *args)
{
	struct hornet_process *p = hornet_process__new();

	if (!p) {
		perror("hornet_process__new");
		exit(2);
	}
	p->pid = p->tid = 42;
	p->ktime = 7;
	p->flags = HORNET_PF_EXECVE;
	p->binary = binary ? hornet_intern(binary, strlen(binary)) : NULL;
	p->cwd = hornet_intern("/tmp", 4);
	p->args = args ? hornet_intern(args, strlen(args)) : NULL;
	return p;
}

/* The JSON line of @ev, malloc'd; NULL when the renderer failed. */
static char *json_line(const struct hornet_event *ev)
{
	struct hornet_json j;

	hornet_json_init(&j);
	if (hornet_render_event(&j, &ctx, ev)) {
		hornet_json_free(&j);
		return NULL;
	}
	return j.buf;
}

/* The line must be JSON, and both compact paths must agree on it. */
static bool same_compact(const struct hornet_event *ev, const char *want)
{
	char *line = json_line(ev), *from_json = NULL, *typed = hornet_compact_event(ev);
	json_t *v = line ? json_loads(line, 0, NULL) : NULL;
	bool ok;

	if (v)
		from_json = hornet_compact(v);
	ok = from_json && typed && !strcmp(from_json, typed) && (!want || !strcmp(typed, want));
	if (!ok)
		printf("    json:  %s\n    from json: %s\n    typed:     %s\n",
		       line ? line : "(none)", from_json ? from_json : "(null)",
		       typed ? typed : "(null)");
	json_decref(v);
	free(line);
	free(from_json);
	free(typed);
	return ok;
}

static bool line_is(const struct hornet_event *ev, const char *want)
{
	char *line = json_line(ev);
	bool ok = line && !strcmp(line, want);

	if (!ok)
		printf("    got:  %s\n    want: %s\n", line ? line : "(null)", want);
	free(line);
	return ok;
}

static struct hornet_sock_data sock4(uint16_t protocol, uint16_t state)
{
	struct hornet_sock_data sd = {
		.family = AF_INET,
		.type = SOCK_STREAM,
		.protocol = protocol,
		.state = state,
		.sport = 40000,
		.dport = 443,
		.cookie = 99,
	};

	inet_pton(AF_INET, "10.0.0.1", sd.saddr);
	inet_pton(AF_INET, "93.184.216.34", sd.daddr);
	return sd;
}

static struct hornet_event policy_event(struct hornet_process *p, enum hornet_policy_kind kind)
{
	struct hornet_event ev = { .kind = HORNET_EV_POLICY, .ktime = 1000000, .process = p };

	ev.policy.kind = kind;
	ev.policy.function_name = "security_file_open";
	ev.policy.subsys = "syscalls";
	ev.policy.event = "sys_enter_openat";
	ev.policy.path = "/usr/lib/libc.so.6";
	ev.policy.symbol = "getpid";
	ev.policy.action = HORNET_A_POST;
	ev.policy.policy_name = "p1";
	return ev;
}

#define PROC_LEAN                                                                              \
	"\"process\":{\"exec_id\":\"bm9kZS0xOjc6NDI=\",\"pid\":42,\"uid\":0,\"cwd\":\"/tmp\"," \
	"\"binary\":\"/bin/cat\",\"arguments\":\"/etc/passwd\",\"flags\":\"execve\","          \
	"\"auid\":0,\"tid\":42}"
#define ENVELOPE "\"node_name\":\"node-1\",\"time\":\"2026-11-28T10:00:00.123456789Z\"}"

int main(void)
{
	struct hornet_process *p = proc("/bin/cat", "/etc/passwd");
	struct hornet_sock_data sd = sock4(IPPROTO_TCP, 1), odd = sock4(200, 99);
	struct hornet_file_data fd = { .flags = O_RDONLY | O_CLOEXEC, .mode = 0100644 };
	struct hornet_sockaddr_data sa = { .family = AF_INET6, .port = 53 };
	struct hornet_cred_data cred = { .uid = 1, .euid = 2, .permitted = 1ULL << 21 };
	struct hornet_name_data mod = { .name = "nf_tables" };
	struct hornet_bpf_data bpf = { .type = 1, .insn_cnt = 3, .name = "prog" };
	struct hornet_stack_frame kstack[] = { { 0xffffffff81000010ULL, 0x10, "do_sys_open" },
					       { 0xffffffff81000020ULL, 0, NULL } };
	static char *const tags[] = { "fs", "t2" };
	static const char path[] = "/etc/shadow";
	struct hornet_event ev;
	unsigned int k;

	inet_pton(AF_INET6, "2001:db8::1", sa.addr);

	UNIT_CASE("render_policy_kprobe_file_open")
	{
		ev = policy_event(p, HORNET_POLICY_KPROBE);
		ev.policy.nr_args = 1;
		ev.policy.args[0] = (struct hornet_arg_val){
			.kind = HORNET_VAL_FILE,
			.label = "f",
			.file = { &fd, path, sizeof(path) - 1 },
		};
		ev.policy.has_ret = true;
		ev.policy.ret = (struct hornet_arg_val){ .kind = HORNET_VAL_INT, .i = -13 };
		ev.policy.action = HORNET_A_OVERRIDE;
		ev.policy.action_arg = -1;
		ev.policy.monitor = true;
		ev.policy.message = "shadow";
		ev.policy.tags = tags;
		ev.policy.nr_tags = 2;
		ev.policy.kernel_stack = kstack;
		ev.policy.nr_kernel_stack = 2;
		CHECK(line_is(
			&ev,
			"{\"process_kprobe\":{" PROC_LEAN
			",\"function_name\":\"security_file_open\",\"args\":[{\"file_arg\":"
			"{\"path\":\"/etc/shadow\",\"flags\":\"O_RDONLY|O_LARGEFILE|O_CLOEXEC\","
			"\"permission\":\"-rw-r--r--\"},\"label\":\"f\"}],\"return\":"
			"{\"int_arg\":-13},\"return_action\":\"KPROBE_ACTION_POST\","
			"\"action\":\"KPROBE_ACTION_OVERRIDE\",\"policy_mode\":\"monitor\","
			"\"override_error\":-1,\"policy_name\":\"p1\",\"message\":"
			"\"shadow\",\"tags\":[\"fs\",\"t2\"],\"kernel_stack_trace\":[{"
			"\"address\":18446744071578845200,\"offset\":16,\"symbol\":"
			"\"do_sys_open\"},{\"address\":18446744071578845216}]}," ENVELOPE));
		/* jansson reads no integer above INT64_MAX: the CLI cannot take kernel
		 * addresses, so the comparison is made without the stack */
		ev.policy.nr_kernel_stack = 0;
		CHECK(same_compact(&ev, "\xf0\x9f\x93\xac open    /bin/cat security_file_open "
					"/etc/shadow [OVERRIDE, monitor]"));
	}

	UNIT_CASE("render_a_shadows_difference")
	{
		ev = policy_event(p, HORNET_POLICY_KPROBE);
		ev.policy.policy_name = "guard.shadow";
		ev.policy.shadow = true;
		ev.policy.shadow_of = "guard";
		ev.policy.action = HORNET_A_SIGKILL;
		ev.policy.current_action = HORNET_A_OVERRIDE;
		ev.policy.current_arg = -13;
		CHECK(line_is(&ev,
			      "{\"process_kprobe\":{" PROC_LEAN
			      ",\"function_name\":\"security_file_open\",\"args\":[],"
			      "\"action\":\"KPROBE_ACTION_SIGKILL\",\"policy_mode\":\"shadow\","
			      "\"shadow\":{\"of\":\"guard\",\"action\":\"KPROBE_ACTION_SIGKILL\","
			      "\"current_action\":\"KPROBE_ACTION_OVERRIDE\","
			      "\"current_override_error\":-13},"
			      "\"policy_name\":\"guard.shadow\"}," ENVELOPE));
		CHECK(same_compact(&ev, "\xf0\x9f\x93\xac open    /bin/cat security_file_open "
					"[shadow of guard: SIGKILL, now OVERRIDE]"));
		/* the shadow did not match: no action of its own */
		ev.policy.action = 0;
		ev.policy.current_action = HORNET_A_POST;
		CHECK(line_is(&ev, "{\"process_kprobe\":{" PROC_LEAN
				   ",\"function_name\":\"security_file_open\",\"args\":[],"
				   "\"policy_mode\":\"shadow\","
				   "\"shadow\":{\"of\":\"guard\",\"action\":\"none\","
				   "\"current_action\":\"KPROBE_ACTION_POST\"},"
				   "\"policy_name\":\"guard.shadow\"}," ENVELOPE));
		CHECK(same_compact(&ev, "\xf0\x9f\x93\xac open    /bin/cat security_file_open "
					"[shadow of guard: none, now POST]"));
	}

	UNIT_CASE("render_policy_value_kinds")
	{
		ev = policy_event(p, HORNET_POLICY_KPROBE);
		ev.policy.function_name = "__x64_sys_setns";
		ev.policy.args[0] =
			(struct hornet_arg_val){ .kind = HORNET_VAL_CAPABILITY, .i = 21 };
		ev.policy.args[1] = (struct hornet_arg_val){ .kind = HORNET_VAL_SYSCALL_ID,
							     .u = 0x80000000 | 11 };
		ev.policy.args[2] =
			(struct hornet_arg_val){ .kind = HORNET_VAL_CAP_EFFECTIVE, .u = 3 };
		ev.policy.args[3] = (struct hornet_arg_val){ .kind = HORNET_VAL_MODULE,
							     .str = { mod.name, 9 } };
		ev.policy.args[4] =
			(struct hornet_arg_val){ .kind = HORNET_VAL_BPF_PROG, .bpf = &bpf };
		ev.policy.args[5] =
			(struct hornet_arg_val){ .kind = HORNET_VAL_NONE, .label = "n" };
		ev.policy.args[6] = (struct hornet_arg_val){ .kind = HORNET_VAL_UINT, .u = 5 };
		ev.policy.nr_args = 7;
		CHECK(line_is(
			&ev,
			"{\"process_kprobe\":{" PROC_LEAN
			",\"function_name\":\"__x64_sys_setns\",\"args\":[{\"capability_arg\":"
			"{\"value\":21,\"name\":\"CAP_SYS_ADMIN\"}},{\"syscall_id\":{\"id\":11,"
			"\"abi\":\"i386\"}},{\"cap_effective_arg\":[\"CAP_CHOWN\","
			"\"CAP_DAC_OVERRIDE\"]},{\"module_arg\":{\"name\":\"nf_tables\"}},"
			"{\"bpf_prog_arg\":{\"ProgType\":\"BPF_PROG_TYPE_SOCKET_FILTER\","
			"\"InsnCnt\":3,\"ProgName\":\"prog\"}},{\"label\":\"n\"},{\"uint_arg\":5}"
			"],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"p1\"}," ENVELOPE));
		CHECK(same_compact(&ev, NULL));
	}

	UNIT_CASE("render_policy_sock_and_sockaddr")
	{
		ev = policy_event(p, HORNET_POLICY_KPROBE);
		ev.policy.function_name = "tcp_connect";
		ev.policy.args[0] =
			(struct hornet_arg_val){ .kind = HORNET_VAL_SOCK, .sock = &odd };
		ev.policy.nr_args = 1;
		CHECK(line_is(
			&ev,
			"{\"process_kprobe\":{" PROC_LEAN
			",\"function_name\":\"tcp_connect\",\"args\":[{\"sock_arg\":{"
			"\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":"
			"\"200\",\"saddr\":\"10.0.0.1\",\"daddr\":\"93.184.216.34\","
			"\"sport\":40000,\"dport\":443,\"cookie\":\"99\",\"state\":\"99\"}}"
			"],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"p1\"}," ENVELOPE));
		CHECK(same_compact(&ev, "\xf0\x9f\x94\x8c connect /bin/cat tcp_connect "
					"200 10.0.0.1:40000 -> 93.184.216.34:443"));
		ev.policy.args[0] =
			(struct hornet_arg_val){ .kind = HORNET_VAL_SOCKADDR, .sockaddr = &sa };
		CHECK(same_compact(&ev, "\xf0\x9f\x94\x8c connect /bin/cat tcp_connect "
					"2001:db8::1:53"));
		ev.policy.args[0].kind = HORNET_VAL_SKB;
		ev.policy.args[0].sock = &sd;
		CHECK(same_compact(&ev, NULL));
	}

	UNIT_CASE("render_policy_sockaddr_un_and_bpf_cmd")
	{
		struct hornet_sockaddr_un_data su = { .family = 1, .path_len = 200 };

		memcpy(su.path, "@hornet\0junk", 12); /* a length past the NUL: up to it */
		ev = policy_event(p, HORNET_POLICY_KPROBE);
		ev.policy.function_name = "security_socket_connect";
		ev.policy.args[0] = (struct hornet_arg_val){ .kind = HORNET_VAL_SOCKADDR_UN,
							     .sockaddr_un = &su };
		ev.policy.args[1] = (struct hornet_arg_val){ .kind = HORNET_VAL_BPF_CMD, .i = 5 };
		ev.policy.args[2] = (struct hornet_arg_val){ .kind = HORNET_VAL_BPF_CMD, .i = 99 };
		ev.policy.nr_args = 3;
		CHECK(line_is(
			&ev,
			"{\"process_kprobe\":{" PROC_LEAN
			",\"function_name\":\"security_socket_connect\",\"args\":["
			"{\"sockaddrun_arg\":{\"family\":\"AF_UNIX\",\"path\":\"@hornet\"}},"
			"{\"bpf_cmd_arg\":\"BPF_PROG_LOAD\"},{\"bpf_cmd_arg\":99}"
			"],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"p1\"}," ENVELOPE));
		CHECK(same_compact(&ev, NULL));
	}

	UNIT_CASE("render_policy_every_kind_same_compact")
	{
		static const enum hornet_policy_kind kinds[] = {
			HORNET_POLICY_KPROBE, HORNET_POLICY_TRACEPOINT, HORNET_POLICY_LSM,
			HORNET_POLICY_UPROBE, HORNET_POLICY_USDT,
		};
		static const char bad[] = "/tmp/a\xff\tb\xe2\x82";
		static const uint8_t bytes[] = { 0, 1, 2, 3 };

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			ev = policy_event(p, kinds[k]);
			ev.policy.args[0] = (struct hornet_arg_val){ .kind = HORNET_VAL_BYTES,
								     .truncated = true,
								     .bytes = { bytes, 4, 9 } };
			ev.policy.args[1] =
				(struct hornet_arg_val){ .kind = HORNET_VAL_CRED, .cred = &cred };
			ev.policy.args[2] = (struct hornet_arg_val){ .kind = HORNET_VAL_PATH };
			ev.policy.args[3] = (struct hornet_arg_val){
				.kind = HORNET_VAL_STRING,
				.label = "s",
				.str = { bad, sizeof(bad) - 1 },
			};
			ev.policy.nr_args = 4;
			ev.policy.action = k == 1 ? HORNET_A_SIGKILL : HORNET_A_POST;
			CHECK(same_compact(&ev, NULL));
		}
		ev.policy.kind = HORNET_POLICY_TRACEPOINT;
		ev.policy.nr_args = 0;
		CHECK(same_compact(&ev, "\xe2\x81\x89\xef\xb8\x8f tracepoint /bin/cat "
					"sys_enter_openat"));
	}

	UNIT_CASE("render_exec_exit_same_compact")
	{
		struct hornet_process *q = proc("/bin/\xc3\x28sh\x01", "-c 'echo \xff'");

		ev = (struct hornet_event){ .kind = HORNET_EV_EXEC,
					    .ktime = 1000000,
					    .process = q };
		CHECK(same_compact(&ev, NULL));
		ev.kind = HORNET_EV_EXIT;
		ev.exit_code = 9;
		CHECK(same_compact(&ev, NULL));
		ev.exit_code = 3 << 8;
		ev.process = p;
		CHECK(same_compact(&ev, "\xf0\x9f\x92\xa5 exit    /bin/cat /etc/passwd 3"));
		hornet_process__put(q);
	}

	UNIT_CASE("render_loader_same_compact")
	{
		char *line;

		ev = (struct hornet_event){ .kind = HORNET_EV_LOADER,
					    .ktime = 1000000,
					    .process = p };
		ev.loader.path = "/usr/lib/libc.so.6";
		ev.loader.build_id_size = 3;
		memcpy(ev.loader.build_id, "abc", 3);
		CHECK(same_compact(&ev, "\xf0\x9f\x93\x9a loader  /bin/cat /usr/lib/libc.so.6"));
		line = json_line(&ev);
		CHECK(line &&
		      strstr(line, "\"path\":\"/usr/lib/libc.so.6\",\"buildid\":\"YWJj\"}"));
		free(line);
	}

	UNIT_CASE("render_process_cached_is_the_first_render")
	{
		struct hornet_process *q = proc("/bin/sh", "-c x");
		struct hornet_json a, b;

		/* the first render (in place, deep in a line) and the next (from the cache) */
		hornet_json_init(&a);
		hornet_json_init(&b);
		hornet_json_obj_begin(&a, NULL);
		hornet_json_arr_begin(&a, "ancestors");
		hornet_render_process(&a, NULL, q, &ctx, HORNET_PROC_FULL);
		CHECK(q->json && q->json_len == strlen(q->json));
		hornet_render_process(&a, NULL, q, &ctx, HORNET_PROC_FULL);
		hornet_json_arr_end(&a);
		hornet_render_process(&a, "process", q, &ctx, HORNET_PROC_LEAN);
		CHECK(q->json_lean && q->json_lean_len == strlen(q->json_lean));
		hornet_render_process(&a, "parent", q, &ctx, HORNET_PROC_LEAN);
		hornet_json_obj_end(&a);
		CHECK(!a.failed);
		hornet_json_obj_begin(&b, NULL);
		hornet_json_arr_begin(&b, "ancestors");
		hornet_json_raw(&b, NULL, q->json, q->json_len);
		hornet_json_raw(&b, NULL, q->json, q->json_len);
		hornet_json_arr_end(&b);
		hornet_json_raw(&b, "process", q->json_lean, q->json_lean_len);
		hornet_json_raw(&b, "parent", q->json_lean, q->json_lean_len);
		hornet_json_obj_end(&b);
		CHECK_STR(a.buf, b.buf);
		CHECK(q->json[0] == '{' && q->json[q->json_len - 1] == '}');
		CHECK(strstr(q->json, "\"exec_id\":\"") == q->json + 1);
		hornet_json_free(&a);
		hornet_json_free(&b);
		hornet_process__put(q);
	}

/* a tcp_close event's start, up to its bytes_received */
#define CLOSE_HEAD                                                            \
	"{\"process_kprobe\":{" PROC_LEAN                                     \
	",\"function_name\":\"tcp_close\",\"args\":[{\"sock_arg\":{"          \
	"\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":"       \
	"\"IPPROTO_TCP\",\"saddr\":\"10.0.0.1\",\"daddr\":\"93.184.216.34\"," \
	"\"sport\":40000,\"dport\":443,\"cookie\":\"99\",\"state\":"          \
	"\"TCP_ESTABLISHED\"}},{\"size_arg\":10,\"label\":\"bytes_sent\"},"   \
	"{\"size_arg\":20,\"label\":\"bytes_received\"}"
	UNIT_CASE("render_conn")
	{
		ev = (struct hornet_event){ .kind = HORNET_EV_CONN,
					    .ktime = 1000000,
					    .process = p };
		ev.conn.kind = HORNET_NET_CLOSE;
		ev.conn.sock = &sd;
		ev.conn.bytes_sent = 10;
		ev.conn.bytes_received = 20;
		CHECK(line_is(
			&ev, CLOSE_HEAD
			"],\"action\":"
			"\"KPROBE_ACTION_POST\",\"policy_name\":\"hornet-network\"}," ENVELOPE));
		/* flow mode: the duration and direction follow the bytes */
		ev.conn.flow = true;
		ev.conn.incoming = true;
		ev.conn.duration_ns = 1500;
		CHECK(line_is(
			&ev, CLOSE_HEAD
			",{\"size_arg\":1500,\"label\":\"duration_ns\"},"
			"{\"string_arg\":\"incoming\",\"label\":\"direction\"}],\"action\":"
			"\"KPROBE_ACTION_POST\",\"policy_name\":\"hornet-network\"}," ENVELOPE));
		ev.conn.flow = false;
		ev.conn.incoming = false;
		for (k = HORNET_NET_CONNECT; k <= HORNET_NET_UDP_SEND; k++) {
			ev.conn.kind = k;
			ev.conn.sock = k == HORNET_NET_UDP_SEND ? &odd : &sd;
			ev.process_unknown = k == HORNET_NET_ACCEPT;
			CHECK(same_compact(&ev, NULL));
		}
		ev.conn.kind = HORNET_NET_CONNECT;
		ev.conn.sock = &sd;
		ev.process_unknown = false;
		CHECK(same_compact(&ev, "\xf0\x9f\x94\x8c connect /bin/cat tcp_connect "
					"IPPROTO_TCP 10.0.0.1:40000 -> 93.184.216.34:443"));
	}

	UNIT_CASE("render_dns_http_tls")
	{
		struct hornet_dns_msg *m = calloc(1, sizeof(*m));
		struct hornet_http_req http = { .method = "GET",
						.target = "/x",
						.version = "HTTP/1.1",
						.host = "example.com" };
		struct hornet_tls_hello tls = { .sni = "example.com", .alpn = "h2" };

		if (!m)
			exit(2);
		ev = (struct hornet_event){ .kind = HORNET_EV_DNS, .ktime = 1000000, .process = p };
		ev.msg.sock = &sd;
		ev.msg.dns = m;
		m->id = 7;
		snprintf(m->qname, sizeof(m->qname), "example.com");
		m->qtype = 1;
		CHECK(line_is(&ev,
			      "{\"process_dns\":{" PROC_LEAN
			      ",\"server\":\"93.184.216.34:443\",\"direction\":\"query\",\"id\":7,"
			      "\"question\":{\"name\":\"example.com\",\"type\":\"A\"},\"socket\":{"
			      "\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","
			      "\"protocol\":\"IPPROTO_TCP\",\"saddr\":\"10.0.0.1\",\"daddr\":"
			      "\"93.184.216.34\",\"sport\":40000,\"dport\":443,\"cookie\":\"99\"}}}"
			      "," ENVELOPE));
		CHECK(same_compact(&ev, "\xf0\x9f\x93\x96 dns     /bin/cat query example.com A"));
		ev.msg.ingress = true;
		m->response = true;
		m->rcode = 3;
		m->nr_parsed = 3;
		m->answers[0].type = 1;
		snprintf(m->answers[0].data, sizeof(m->answers[0].data), "1.2.3.4");
		m->answers[1].type = 5;
		m->answers[2].type = 999;
		m->qtype = 999;
		CHECK(same_compact(&ev, "\xf0\x9f\x93\x96 dns     /bin/cat answer example.com  = "
					"1.2.3.4, CNAME,  (NXDOMAIN)"));
		m->rcode = 9;
		CHECK(same_compact(&ev, NULL));

		ev.kind = HORNET_EV_HTTP;
		ev.msg.http = &http;
		CHECK(same_compact(&ev, "\xf0\x9f\x8c\x8d http    /bin/cat GET example.com/x -> "
					"93.184.216.34:443"));
		http.host[0] = '\0';
		http.truncated = true;
		CHECK(same_compact(&ev, NULL));

		ev.kind = HORNET_EV_TLS;
		ev.msg.tls = &tls;
		ev.process_unknown = true;
		CHECK(line_is(&ev,
			      "{\"process_tls\":{\"process_unknown\":true,\"destination\":"
			      "\"93.184.216.34:443\",\"sni\":\"example.com\",\"alpn\":\"h2\","
			      "\"socket\":{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":"
			      "\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",\"saddr\":\"10.0.0.1\","
			      "\"daddr\":\"93.184.216.34\",\"sport\":40000,\"dport\":443,"
			      "\"cookie\":\"99\"}}}," ENVELOPE));
		CHECK(same_compact(&ev, "\xf0\x9f\x94\x90 tls      example.com -> "
					"93.184.216.34:443"));
		/* a spec.tlsServerNames rule that matched */
		ev.msg.tls_policy = "no-paste";
		ev.msg.tls_reset = true;
		CHECK(line_is(&ev,
			      "{\"process_tls\":{\"process_unknown\":true,\"destination\":"
			      "\"93.184.216.34:443\",\"sni\":\"example.com\",\"alpn\":\"h2\","
			      "\"policy_name\":\"no-paste\",\"action\":\"TLS_ACTION_RESET\","
			      "\"socket\":{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":"
			      "\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",\"saddr\":\"10.0.0.1\","
			      "\"daddr\":\"93.184.216.34\",\"sport\":40000,\"dport\":443,"
			      "\"cookie\":\"99\"}}}," ENVELOPE));
		CHECK(same_compact(&ev, "\xf0\x9f\x94\x90 tls      example.com -> "
					"93.184.216.34:443 (reset by no-paste)"));
		ev.msg.tls_reset = false;
		CHECK(same_compact(&ev, "\xf0\x9f\x94\x90 tls      example.com -> "
					"93.184.216.34:443 (reported by no-paste)"));
		ev.msg.tls_policy = NULL;
		tls.sni[0] = '\0';
		CHECK(same_compact(&ev, NULL));
		free(m);
	}

	hornet_process__put(p);
	UNIT_EXIT();
}
