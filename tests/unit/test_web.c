// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP server's checks of what requests bring (web/request.h) and the
 * live stream's filters (web/live.h), without a server.
 */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "web/live.h"
#include "web/request.h"

/* Query parameters as "name=value" strings, NULL-terminated. */
static const char *param(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	size_t n = strlen(name);

	for (; *kv; kv++)
		if (!strncmp(*kv, name, n) && (*kv)[n] == '=')
			return *kv + n + 1;
	return NULL;
}

static int match(const char *const *query, const char *line)
{
	char err[256];

	return web_live_match(param, (void *)query, line, strlen(line), err, sizeof(err));
}

static const char EXEC[] =
	"{\"process_exec\":{\"process\":{\"exec_id\":\"a\",\"pid\":7,\"binary\":\"/usr/bin/curl\","
	"\"arguments\":\"<script>alert(1)</script> \\u0001\",\"pod\":{\"namespace\":\"shop\","
	"\"name\":\"web-1\",\"container\":{\"name\":\"app\"}}}},\"node_name\":\"n1\","
	"\"time\":\"2026-12-04T10:00:00.000000001Z\"}";
static const char OPEN[] =
	"{\"process_kprobe\":{\"process\":{\"binary\":\"/usr/bin/cat\"},\"parent\":{\"binary\":"
	"\"/bin/bash\",\"arguments\":\"/etc/shadow\"},\"function_name\":\"security_file_open\","
	"\"args\":[{\"file_arg\":{\"path\":\"/etc/passwd\",\"flags\":\"O_RDONLY\"}}],"
	"\"action\":\"KPROBE_ACTION_SIGKILL\",\"policy_name\":\"sensitive-files\"},"
	"\"node_name\":\"n1\",\"time\":\"2026-12-04T10:00:00Z\"}";
static const char CONNECT[] =
	"{\"process_kprobe\":{\"process\":{\"binary\":\"/usr/bin/curl\"},\"function_name\":"
	"\"tcp_connect\",\"args\":[{\"sock_arg\":{\"family\":\"AF_INET\",\"saddr\":\"10.0.0.2\","
	"\"daddr\":\"10.1.2.3\",\"sport\":40000,\"dport\":443}}],\"action\":\"KPROBE_ACTION_POST\","
	"\"policy_name\":\"hornet-network\"},\"node_name\":\"n1\",\"time\":\"x\"}";
static const char DNS[] =
	"{\"process_dns\":{\"process\":{\"binary\":\"/usr/bin/curl\"},\"question\":{\"name\":"
	"\"svc.example.test\",\"type\":\"A\"},\"answers\":[{\"name\":\"svc.example.test\","
	"\"data\":\"10.1.2.3\"}]},\"node_name\":\"n1\",\"time\":\"x\"}";
static const char TLS[] = "{\"process_tls\":{\"process\":{\"binary\":\"/usr/bin/curl\"},"
			  "\"destination\":\"10.1.2.3:443\",\"sni\":\"api.example.test\"},"
			  "\"node_name\":\"n1\",\"time\":\"x\"}";

int main(void)
{
	UNIT_CASE("host_header_names_us_with_our_port")
	{
		struct web_hosts h = { .port = 2113 };

		web_hosts_add(&h, "127.0.0.1");
		web_hosts_add(&h, "LocalHost");
		web_hosts_add(&h, "localhost");
		web_hosts_add(&h, "[::1]");
		CHECK(h.n == 3);
		CHECK(web_host_ok(&h, "127.0.0.1:2113"));
		CHECK(web_host_ok(&h, "localhost:2113"));
		CHECK(web_host_ok(&h, "LOCALHOST:2113"));
		CHECK(web_host_ok(&h, "[::1]:2113"));
		CHECK(!web_host_ok(&h, NULL));
		CHECK(!web_host_ok(&h, ""));
		CHECK(!web_host_ok(&h, "127.0.0.1"));
		CHECK(!web_host_ok(&h, "127.0.0.1:2114"));
		CHECK(!web_host_ok(&h, "127.0.0.1:"));
		CHECK(!web_host_ok(&h, "127.0.0.1:+2113"));
		CHECK(!web_host_ok(&h, "127.0.0.1:2113x"));
		CHECK(!web_host_ok(&h, "[::1]:02113"));
		CHECK(!web_host_ok(&h, "127.0.0.1:18446744073709551617"));
		CHECK(!web_host_ok(&h, "evil.example:2113"));
		CHECK(!web_host_ok(&h, "localhost.evil.example:2113"));
		CHECK(!web_host_ok(&h, "[::1"));
		CHECK(!web_host_ok(&h, "[::1]x:2113"));
		CHECK(!web_host_ok(&h, ":2113"));
		h.port = 443;
		h.tls = true;
		CHECK(web_host_ok(&h, "localhost"));
		h.tls = false;
		CHECK(!web_host_ok(&h, "localhost"));
	}

	UNIT_CASE("token_compare")
	{
		CHECK(web_token_equal("abc", "abc"));
		CHECK(!web_token_equal("abc", "abd"));
		CHECK(!web_token_equal("ab", "abc"));
		CHECK(!web_token_equal("abcd", "abc"));
		CHECK(!web_token_equal("", "abc"));
		CHECK(!web_token_equal(NULL, "abc"));
	}

	UNIT_CASE("page_paths_stay_under_the_root")
	{
		CHECK(web_clean_path("index.html"));
		CHECK(web_clean_path("views/files.js"));
		CHECK(web_clean_path("a.b/c..d"));
		CHECK(!web_clean_path(""));
		CHECK(!web_clean_path(".."));
		CHECK(!web_clean_path("../secret"));
		CHECK(!web_clean_path("js/../../secret"));
		CHECK(!web_clean_path("js/.."));
		CHECK(!web_clean_path("./index.html"));
		CHECK(!web_clean_path(".hidden"));
		CHECK(!web_clean_path("js/.git/config"));
		CHECK(!web_clean_path("/etc/passwd"));
		CHECK(!web_clean_path("js//app.js"));
		CHECK(!web_clean_path("js/"));
		CHECK(!web_clean_path("..\\secret"));
		CHECK(!web_clean_path("a\x01"));
		CHECK(!web_clean_path("a\x7f"));
	}

	UNIT_CASE("unescape_keeps_percent_00")
	{
		char a[] = "/index.html%00.js", b[] = "/%2e%2E/x%41%4", c[] = "%", d[] = "%zz%2";

		CHECK(web_unescape(a) == strlen(a) && !strcmp(a, "/index.html%00.js"));
		CHECK(web_unescape(b) == strlen(b));
		CHECK_STR(b, "/../xA%4");
		CHECK(web_unescape(c) == 1 && !strcmp(c, "%"));
		CHECK(web_unescape(d) == 5 && !strcmp(d, "%zz%2"));
	}

	UNIT_CASE("content_types")
	{
		CHECK_STR(web_content_type("index.html"), "text/html; charset=utf-8");
		CHECK_STR(web_content_type("views/a.js"), "text/javascript; charset=utf-8");
		CHECK_STR(web_content_type("a.css"), "text/css; charset=utf-8");
		CHECK_STR(web_content_type("a.svg"), "image/svg+xml");
		CHECK_STR(web_content_type("js.html/x"), "application/octet-stream");
		CHECK_STR(web_content_type("noext"), "application/octet-stream");
	}

	UNIT_CASE("live_filters")
	{
		const char *none[] = { NULL };
		const char *exec[] = { "type=process_exec,process_exit", NULL };
		const char *kprobe[] = { "type=process_kprobe", NULL };
		const char *pod[] = { "namespace=shop", "pod=web-1", "container=app", NULL };
		const char *other_pod[] = { "namespace=shop", "pod=web-2", NULL };
		const char *bin[] = { "binary=*/curl", NULL };
		const char *bin_exact[] = { "binary=/usr/bin/cat", NULL };
		const char *path[] = { "path=/etc/*", NULL };
		const char *path_parent[] = { "path=/etc/shadow", NULL };
		const char *policy[] = { "policy=other,sensitive-files",
					 "action=KPROBE_ACTION_SIGKILL", NULL };
		const char *dest_ip[] = { "dest=10.1.2.3", NULL };
		const char *dest_port[] = { "dest=10.1.2.3:443", NULL };
		const char *dest_name[] = { "dest=*.example.test", NULL };
		const char *text[] = { "q=<SCRIPT>", NULL };
		const char *bad_glob[] = { "binary=[", NULL };
		char err[128], many[200] = "type=";
		const char *too_many[] = { many, NULL };
		int i;

		CHECK(match(none, EXEC) == 1);
		CHECK(match(exec, EXEC) == 1 && match(exec, OPEN) == 0);
		CHECK(match(kprobe, OPEN) == 1 && match(kprobe, DNS) == 0);
		CHECK(match(pod, EXEC) == 1 && match(pod, OPEN) == 0);
		CHECK(match(other_pod, EXEC) == 0);
		CHECK(match(bin, EXEC) == 1 && match(bin, OPEN) == 0);
		CHECK(match(bin_exact, OPEN) == 1 && match(bin_exact, EXEC) == 0);
		CHECK(match(path, OPEN) == 1 && match(path, EXEC) == 0);
		/* the parent's arguments are not a path the event touched */
		CHECK(match(path_parent, OPEN) == 0);
		CHECK(match(policy, OPEN) == 1 && match(policy, CONNECT) == 0);
		CHECK(match(dest_ip, CONNECT) == 1 && match(dest_ip, DNS) == 0);
		CHECK(match(dest_port, CONNECT) == 1 && match(dest_port, TLS) == 1);
		CHECK(match(dest_name, DNS) == 1 && match(dest_name, TLS) == 1);
		CHECK(match(dest_name, CONNECT) == 0);
		CHECK(match(text, EXEC) == 1 && match(text, OPEN) == 0);
		CHECK(match(bad_glob, EXEC) == 0);
		CHECK(match(none, "not json") == 1 && match(exec, "not json") == 0);
		CHECK(match(exec, "") == 0 && match(exec, "[1,{}]") == 0);
		for (i = 0; i < 20; i++)
			strcat(many, "t,");
		CHECK(web_live_match(param, (void *)too_many, EXEC, strlen(EXEC), err,
				     sizeof(err)) == -EINVAL);
		CHECK(strstr(err, "type") != NULL);
	}
	return unit_failed;
}
