// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "export/api.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: hornet status [OPTIONS]\n\n"
		     "Asks the running agent for its health, uptime, event counts, loss counters\n"
		     "and the mechanism each sensor uses. Exits 0 when the agent is ready (all\n"
		     "sensors attached), 1 when no agent answers or it is not ready. While it\n"
		     "starts, it says what it is loading (\"loading policies: 5 of 14\").\n\n"
		     "  -o, --output FORMAT   text (default) or json (the agent's reply as is)\n"
		     "      --socket PATH     the agent's API socket (default: $HORNET_SOCKET or\n"
		     "                        /run/hornet/hornet.sock)\n"
		     "      --wait SECONDS    wait up to SECONDS for the agent to be ready\n"
		     "  -h, --help            show this help\n");
}

/* Sends one request and reads the one-line reply; NULL with *err = errno. */
static json_t *request(const char *socket, const char *req, int *err, char *why, size_t why_size)
{
	json_error_t jerr;
	char *line = NULL;
	size_t cap = 0;
	json_t *reply;
	FILE *f;
	int fd;

	fd = hornet_api_connect(socket, req);
	if (fd < 0) {
		*err = -fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*err = errno;
		close(fd);
		return NULL;
	}
	if (getline(&line, &cap, f) < 0) {
		*err = EPROTO;
		snprintf(why, why_size, "the agent closed the connection without a reply");
		free(line);
		fclose(f);
		return NULL;
	}
	fclose(f);
	reply = json_loads(line, 0, &jerr);
	free(line);
	if (!reply) {
		*err = EPROTO;
		snprintf(why, why_size, "the agent's reply is not JSON: %s", jerr.text);
	}
	return reply;
}

static unsigned long long num(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_integer_value(json_object_get(o, path));
}

/* The HTTP server and the event history, when the agent runs them. */
static void print_web(json_t *h, json_t *s)
{
	const char *listen = json_string_value(json_object_get(h, "listen"));

	if (listen && listen[0])
		printf("http:     %s%s, %llu requests (%llu errors, %llu unauthorized), %llu live "
		       "clients (%llu lines dropped)\n",
		       json_is_true(json_object_get(h, "tls")) ? "https://" : "http://", listen,
		       num(h, "requests"), num(h, "errors"), num(h, "unauthorized"),
		       num(h, "live_clients"), num(h, "live_dropped"));
	if (s) {
		bool ok = json_is_true(json_object_get(s, "ok"));

		printf("store:    %s (%s), %s%s; %llu events written, %llu waiting, %llu dropped, "
		       "%llu bytes\n",
		       json_string_value(json_object_get(s, "url")) ?: "?",
		       json_string_value(json_object_get(s, "backend")) ?: "?",
		       ok ? "ok" : "broken: ",
		       ok ? "" : json_string_value(json_object_get(s, "error")) ?: "?",
		       num(s, "written"), num(s, "queued") + num(s, "held"), num(s, "dropped"),
		       num(s, "bytes"));
	}
}

/* With --enable-k8s-api: the policies from the cluster, and each kind not watched, why. */
static void print_k8s_policies(json_t *k)
{
	json_t *res = json_object_get(k, "resources"), *w;
	size_t i, synced = 0;

	if (!k)
		return;
	json_array_foreach(res, i, w)
	{
		synced += json_is_true(json_object_get(w, "synced"));
	}
	printf("k8s:      policies: %llu applied, %llu failed, %llu in conflict; %zu of %zu kinds "
	       "watched\n",
	       num(k, "applied"), num(k, "failed"), num(k, "conflicts"), synced,
	       json_array_size(res));
	json_array_foreach(res, i, w)
	{
		const char *e = json_string_value(json_object_get(w, "last_error"));

		if (e && e[0])
			printf("          %s: %s\n", json_string_value(json_object_get(w, "path")),
			       e);
	}
}

static void print_text(json_t *r)
{
	json_t *sensors = json_object_get(r, "sensors"), *s, *events = json_object_get(r, "events"),
	       *v;
	const char *key;
	size_t i;
	int first = 1;

	printf("health:   %s%s\n", json_string_value(json_object_get(r, "health")),
	       json_is_true(json_object_get(r, "ready")) ? " (ready)" : " (not ready)");
	printf("version:  %s\n", json_string_value(json_object_get(r, "version")));
	printf("node:     %s (agent pid %llu)\n",
	       json_string_value(json_object_get(r, "node_name")), num(r, "pid"));
	if (json_object_get(r, "loading")) {
		/* starting: the rest is not there yet */
		printf("uptime:   %.1f s\n",
		       json_number_value(json_object_get(r, "uptime_seconds")));
		printf("starting: %s\n", json_string_value(json_object_get(r, "progress")) ?: "?");
		return;
	}
	printf("uptime:   %.1f s (ready after %.0f ms)\n",
	       json_number_value(json_object_get(r, "uptime_seconds")),
	       json_number_value(json_object_get(r, "startup_seconds")) * 1000);
	json_array_foreach(sensors, i, s)
	{
		json_t *hooks = json_object_get(s, "hooks"), *h;
		const char *hook, *mech = json_string_value(json_object_get(s, "mechanism"));
		const char *why = mech ?: json_string_value(json_object_get(s, "error"));

		printf("sensor:   %s: %s (%s", json_string_value(json_object_get(s, "name")) ?: "?",
		       json_string_value(json_object_get(s, "state")) ?: "?", why ?: "");
		json_object_foreach(hooks, hook, h)
		{
			if (json_is_string(h) && (!mech || strcmp(json_string_value(h), mech)))
				printf("; %s: %s", hook, json_string_value(h));
		}
		printf(")\n");
	}
	printf("events:  ");
	json_object_foreach(events, key, v)
	{
		printf("%s %s %lld", first ? "" : ",", key, (long long)json_integer_value(v));
		first = 0;
	}
	printf("\n");
	printf("lost:     ring buffer: exec %llu, fork %llu, exit %llu, policy events %llu, "
	       "network events %llu, enforcement records %llu; API queue %llu; malformed "
	       "records %llu; export errors %llu\n",
	       num(r, "lost.ringbuf.process_exec"), num(r, "lost.ringbuf.process_fork"),
	       num(r, "lost.ringbuf.process_exit"), num(r, "lost.ringbuf.policy_events"),
	       num(r, "lost.ringbuf.network_events"), num(r, "lost.ringbuf.enforcement_events"),
	       num(r, "lost.api_queue"), num(r, "lost.malformed_records"),
	       num(r, "lost.export_errors"));
	if (json_object_get(r, "user_actions"))
		printf("actions:  GetUrl/DnsLookup done %llu, failed %llu, dropped %llu\n",
		       num(r, "user_actions.done"), num(r, "user_actions.failed"),
		       num(r, "user_actions.dropped"));
	printf("errors:   process table full %llu, kernel read errors %llu\n",
	       num(r, "errors.process_table_full"), num(r, "errors.kernel_read_errors"));
	printf("cache:    %llu of %llu processes (%llu live), %llu evictions; kernel table %llu\n",
	       num(r, "process_cache.size"), num(r, "process_cache.capacity"),
	       num(r, "process_cache.live"), num(r, "process_cache.evictions"),
	       num(r, "process_table_size"));
	if (json_object_get(r, "binary_hash"))
		printf("hashes:   %llu from the cache, %llu files hashed (%llu bytes), %llu "
		       "errors\n",
		       num(r, "binary_hash.hits"), num(r, "binary_hash.hashed"),
		       num(r, "binary_hash.bytes_hashed"), num(r, "binary_hash.errors"));
	if (json_object_get(r, "cgroup_rate"))
		printf("throttle: %llu cgroups throttled now; %llu starts, %llu stops, %llu events "
		       "dropped\n",
		       num(r, "cgroup_rate.throttled_cgroups"),
		       num(r, "cgroup_rate.throttle_starts"), num(r, "cgroup_rate.throttle_stops"),
		       num(r, "cgroup_rate.events_dropped"));
	if (json_is_true(json_object_get(json_object_get(r, "k8s"), "enabled"))) {
		json_t *k = json_object_get(r, "k8s");
		const char *e = json_string_value(json_object_get(k, "last_error"));

		printf("k8s:      %s, %llu pods, resourceVersion %s; %llu errors, %llu relists "
		       "(410), %llu refused%s%s\n",
		       json_is_true(json_object_get(k, "synced")) ? "synced" : "not synced",
		       num(r, "k8s.pods"),
		       json_string_value(json_object_get(k, "resource_version")),
		       num(r, "k8s.errors"), num(r, "k8s.gone"), num(r, "k8s.refused"),
		       e && e[0] ? "; last error: " : "", e ?: "");
	}
	if (json_object_get(r, "workloads"))
		printf("pods:     %llu pods, %llu containers; OCI hook requests %llu "
		       "(%llu refused); events waiting for their pod %llu, without it %llu\n",
		       num(r, "workloads.pods"), num(r, "workloads.containers"),
		       num(r, "workloads.hook_requests"), num(r, "workloads.hook_errors"),
		       num(r, "workloads.events_waiting_for_pod"),
		       num(r, "workloads.events_without_pod"));
	printf("export:   %s (%llu rotations), %llu API clients\n",
	       json_string_value(json_object_get(json_object_get(r, "export"), "file")),
	       num(r, "export.rotations"), num(r, "export.api_clients"));
	if (json_object_get(json_object_get(r, "export"), "error"))
		printf("export:   FAILING: %s (%llu events not written)\n",
		       json_string_value(json_object_get(json_object_get(r, "export"), "error")),
		       num(r, "lost.export_errors"));
	print_web(json_object_get(r, "http"), json_object_get(r, "store"));
	print_k8s_policies(json_object_get(r, "k8s_policies"));
}

int hornet_cmd_status(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fmt = "text", *sock = NULL;
	double wait = 0, waited = 0;
	char why[256] = "", *end;
	json_t *reply = NULL;
	int c, err = 0, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			fmt = optarg;
			if (!hornet_cli_text_or_json("status", fmt))
				return 2;
			break;
		case 's':
			sock = optarg;
			break;
		case 'w':
			wait = strtod(optarg, &end);
			if (*end || wait < 0 || wait > 3600) {
				fprintf(stderr,
					"hornet status: --wait '%s': not a number of seconds from "
					"0 to 3600\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hornet status: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	sock = hornet_cli_socket(sock);
	for (;;) {
		json_decref(reply);
		reply = request(sock, "{\"command\":\"status\"}\n", &err, why, sizeof(why));
		if (reply && json_is_true(json_object_get(reply, "ready")))
			break;
		if (waited >= wait)
			break;
		/* a try is one request on the socket, ~0.1 ms of the agent's: a
		 * short period, so that the wait ends near the agent's ready */
		usleep(10000);
		waited += 0.01;
	}
	if (!reply) {
		if (why[0])
			fprintf(stderr, "hornet status: %s\n", why);
		else
			hornet_cli_no_agent("status", sock, err);
		return 1;
	}
	if (json_object_get(reply, "error")) {
		fprintf(stderr, "hornet status: the agent says: %s\n",
			json_string_value(json_object_get(reply, "error")));
		json_decref(reply);
		return 1;
	}
	if (!strcmp(fmt, "json")) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		printf("\n");
	} else {
		print_text(reply);
	}
	ret = json_is_true(json_object_get(reply, "ready")) ? 0 : 1;
	if (ret)
		fprintf(stderr, "hornet status: the agent is not ready yet\n");
	json_decref(reply);
	return ret;
}
