// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "agent/config.h"
#include "export/fieldfilter.h"
#include "export/filter.h"
#include "export/gate.h"
#include "export/throttle.h"
#include "policy/policy.h"
#include "k8s/client.h"
#include "process/redact.h"
#include "util/bpffs.h"
#include "util/suggest.h"

#define CONFIG_FILE_MAX (1 << 20)

enum opt_type {
	OPT_STR,
	OPT_UINT,
	OPT_BOOL,
	OPT_LOG_LEVEL,
	OPT_ENUM, /* one of the NULL-terminated names in values; the field is their index */
	OPT_LIST, /* repeatable: a struct hornet_str_list, each use appends */
	OPT_REDACT, /* redaction filters, compiled when set (process/redact.h) */
};

struct opt {
	const char *name; /* the flag without "--", and the config file's key */
	enum opt_type type;
	size_t offset;
	unsigned int min, max;
	const char *arg;
	const char *help;
	const char *const *values;
};

static const char *const stdout_names[] = { "none", "json", "compact", NULL };
static const char *const username_names[] = { "disabled", "unix", NULL };
static const char *const creds_hook_names[] = { "auto", "lsm", "fentry", "kprobe", "none", NULL };

#define OFF(field) offsetof(struct hornet_config, field)

static const struct opt opts[] = {
	{ "node-name", OPT_STR, OFF(node_name), 0, 0, "NAME",
	  "name of this node in events, exec_ids and the pod watch (default: $NODE_NAME, else the "
	  "hostname)" },
	{ "export-file", OPT_STR, OFF(export_file), 0, 0, "PATH",
	  "JSON lines export file, \"\" for none (default: " HORNET_DEFAULT_EXPORT_FILE ")" },
	{ "export-file-max-size-mb", OPT_UINT, OFF(export_file_max_size_mb), 0, 1 << 20, "N",
	  "rotate the export file at N MiB, 0 never (default: 10)" },
	{ "export-file-max-backups", OPT_UINT, OFF(export_file_max_backups), 0, 1000, "N",
	  "rotated files to keep, FILE.1 the newest (default: 5)" },
	{ "export-file-rotation-interval", OPT_STR, OFF(export_rotation_interval), 0, 0, "DURATION",
	  "rotate the export file this often too, e.g. 1h, 30m (default: 0, by size only)" },
	{ "export-file-compress", OPT_BOOL, OFF(export_file_compress), 0, 0, NULL,
	  "gzip each rotated export file: FILE.1.gz (default: off)" },
	{ "export-rate-limit", OPT_STR, OFF(export_rate_limit_text), 0, 0, "N",
	  "export at most N events a minute to the file, -1 no limit, 0 none; a rate_limit_info "
	  "event counts the dropped (default: -1)" },
	{ "export-allowlist", OPT_STR, OFF(export_allowlist), 0, 0, "JSON",
	  "export only events one of these filters matches: Tetragon's filters, one JSON object "
	  "a line, e.g. {\"event_set\":[\"PROCESS_EXEC\"],\"binary_regex\":[\"^/usr/bin/\"]}" },
	{ "export-denylist", OPT_STR, OFF(export_denylist), 0, 0, "JSON",
	  "do not export events one of these filters matches (same syntax)" },
	{ "field-filters", OPT_STR, OFF(field_filters_text), 0, 0, "JSON",
	  "include or exclude fields of exported events: Tetragon's, one a line, "
	  "{\"event_set\":[...],\"fields\":\"process.binary,parent\",\"action\":\"INCLUDE\"}" },
	{ "socket", OPT_STR, OFF(socket), 0, 0, "PATH",
	  "API socket for hornet events/status (default: " HORNET_DEFAULT_SOCKET ")" },
	{ "enable-ancestors", OPT_BOOL, OFF(enable_ancestors), 0, 0, NULL,
	  "add every ancestor of the process to events: all of them, or Tetragon's list of "
	  "event types, e.g. base,kprobe,tracepoint (default: off)" },
	{ "network", OPT_BOOL, OFF(network), 0, 0, NULL,
	  "the network sensor: TCP connections, UDP destinations (default: on)" },
	{ "inspect-packets", OPT_BOOL, OFF(inspect_packets), 0, 0, NULL,
	  "DNS queries and answers, HTTP requests and TLS SNI from the packets (default: on)" },
	{ "network-flow", OPT_BOOL, OFF(network_flow), 0, 0, NULL,
	  "one event per TCP connection, at its close: addresses, bytes each way, duration, "
	  "direction (default: off)" },
	{ "enable-process-cred", OPT_BOOL, OFF(enable_process_cred), 0, 0, NULL,
	  "process objects carry cap and process_credentials (default: off, as Tetragon)" },
	{ "enable-process-ns", OPT_BOOL, OFF(enable_process_ns), 0, 0, NULL,
	  "process objects carry ns, the namespaces (default: off, as Tetragon)" },
	{ "enable-process-environment-variables", OPT_BOOL, OFF(enable_process_env), 0, 0, NULL,
	  "process objects carry environment_variables, the environment given to execve "
	  "(its first 4096 bytes), redacted by --redaction-filters (default: off, "
	  "as Tetragon)" },
	{ "filter-environment-variables", OPT_STR, OFF(filter_env), 0, 0, "NAME,...",
	  "with --enable-process-environment-variables: only these variables (default: all)" },
	{ "username-metadata", OPT_ENUM, OFF(username_metadata), 0, 0, "MODE",
	  "unix: process objects carry user.name, the uid's name in the /etc/passwd of the "
	  "process's own root; disabled (default: disabled, as Tetragon)",
	  username_names },
	{ "enable-binary-hash", OPT_BOOL, OFF(enable_binary_hash), 0, 0, NULL,
	  "exec events carry binary_properties.hash, the SHA-256 of the executed file, computed "
	  "once per file version (default: off)" },
	{ "cgroup-rate", OPT_STR, OFF(cgroup_rate), 0, 0, "EVENTS,INTERVAL",
	  "at most EVENTS exec, exit and policy events per INTERVAL (e.g. 1000,1s) from each "
	  "cgroup; past it they are dropped, between process_throttle events (default: off)" },
	{ "policy-events-full-process", OPT_BOOL, OFF(policy_full_process), 0, 0, NULL,
	  "policy events carry the full process object, and it has cap, ns and "
	  "process_credentials (default: off)" },
	{ "process-cache-size", OPT_UINT, OFF(process_cache_size), 64, 1 << 22, "N",
	  "processes kept in the user-space cache (default: 32768)" },
	{ "ringbuf-size-mb", OPT_UINT, OFF(ringbuf_size_mb), 1, 1024, "N",
	  "BPF ring buffer size in MiB, rounded up to a power of two (default: 8)" },
	{ "ringbuf-size-kb", OPT_UINT, OFF(ringbuf_size_kb), 0, 1 << 20, "N",
	  "BPF ring buffer size in KiB, rounded up to a power of two and a page; when not 0, "
	  "instead of --ringbuf-size-mb (default: 0)" },
	{ "log-level", OPT_LOG_LEVEL, OFF(log_level), 0, 0, "LEVEL",
	  "error, warn, info or debug (default: info)" },
	{ "stdout", OPT_ENUM, OFF(stdout_format), 0, 0, "FORMAT",
	  "also print events on stdout: none, json or compact (default: none)", stdout_names },
	{ "policy", OPT_LIST, OFF(policies), 0, 0, "FILE",
	  "load this TracingPolicy file at start (repeatable; a list in the config file)" },
	{ "policy-dir", OPT_STR, OFF(policy_dir), 0, 0, "DIR",
	  "load every *.yaml, *.yml and *.json policy in DIR at start "
	  "(default: " HORNET_DEFAULT_POLICY_DIR ", if it exists)" },
	{ "persist-policies", OPT_STR, OFF(persist_policies), 0, 0, "DIR",
	  "keep the policies added through the API (and their enable, disable and mode changes) "
	  "in DIR, and load them again at start; made 0700 if missing (default: \"\", none)" },
	{ "dns-server", OPT_STR, OFF(dns_server), 0, 0, "IP[:PORT]",
	  "where DnsLookup actions send their queries (default: /etc/resolv.conf's first)" },
	{ "exec-creds-hook", OPT_ENUM, OFF(exec_creds_hook), 0, 0, "HOOK",
	  "hook for credentials before exec: auto, lsm, fentry, kprobe or none (default: auto, the "
	  "best "
	  "the kernel has)",
	  creds_hook_names },
	{ "keep-enforcement", OPT_BOOL, OFF(keep_enforcement), 0, 0, NULL,
	  "pin the programs of policies that kill, signal or deny (and the process table's), so "
	  "that they go on enforcing while the agent is down; the next start or `hornet cleanup` "
	  "removes them (default: off)" },
	{ "bpffs-dir", OPT_STR, OFF(bpffs_dir), 0, 0, "DIR",
	  "directory on the BPF file system for what outlives the agent: the process table, and "
	  "the links of --keep-enforcement; \"\" for none (default: " HORNET_BPFFS_DIR ")" },
	{ "enable-k8s-api", OPT_BOOL, OFF(enable_k8s_api), 0, 0, NULL,
	  "watch the Kubernetes API: this node's pods for pod identity, and TracingPolicy "
	  "objects (default: off)" },
	{ "k8s-kubeconfig-path", OPT_STR, OFF(k8s_kubeconfig), 0, 0, "FILE",
	  "kubeconfig for the API (default: in-cluster: KUBERNETES_SERVICE_HOST/_PORT and the "
	  "service account)" },
	{ "k8s-service-account-dir", OPT_STR, OFF(k8s_sa_dir), 0, 0, "DIR",
	  "in-cluster token, ca.crt and namespace (default: " HORNET_K8S_SA_DIR ")" },
	{ "k8s-watch-timeout", OPT_UINT, OFF(k8s_watch_timeout), 1, 3600, "SECONDS",
	  "a watch that receives nothing, not even a bookmark, for this long is reconnected "
	  "(default: 300)" },
	{ "http-listen", OPT_STR, OFF(http_listen), 0, 0, "ADDR:PORT",
	  "serve the web page and the HTTP API here, \"\" for none; an address other than "
	  "loopback needs --http-tls-cert and --http-tls-key (default: " HORNET_DEFAULT_HTTP_LISTEN
	  ")" },
	{ "http-token-file", OPT_STR, OFF(http_token_file), 0, 0, "PATH",
	  "the HTTP API's bearer token is read from PATH (default: a new random token written to "
	  "http.token beside the socket at start)" },
	{ "http-tls-cert", OPT_STR, OFF(http_tls_cert), 0, 0, "PATH",
	  "PEM certificate for HTTPS on --http-listen and --metrics-server" },
	{ "http-tls-key", OPT_STR, OFF(http_tls_key), 0, 0, "PATH",
	  "PEM private key of --http-tls-cert" },
	{ "ui-dir", OPT_STR, OFF(ui_dir), 0, 0, "DIR",
	  "serve the page's files from DIR instead of the copy built in (for development)" },
	{ "metrics-server", OPT_STR, OFF(metrics_server), 0, 0, "ADDR:PORT",
	  "serve Prometheus metrics at /metrics here, e.g. :2112 (default: \"\", only on "
	  "--http-listen)" },
	{ "metrics-label-filter", OPT_STR, OFF(metrics_label_filter), 0, 0, "LABELS",
	  "labels kept on per-workload metrics, comma-separated from namespace, workload, pod, "
	  "binary (default: all four)" },
	{ "redaction-filters", OPT_REDACT, OFF(redact), 0, 0, "JSON",
	  "hide secrets in process arguments: Tetragon's filters, one JSON object a line or an "
	  "array, {\"binary_regex\": [RE...], \"redact\": [RE...]}; each capture group's text "
	  "becomes ***** (default: none)" },
	{ "store", OPT_STR, OFF(store), 0, 0, "PATH|URL",
	  "event history: an SQLite file or a postgres:// URL, \"\" for none "
	  "(default: " HORNET_DEFAULT_STORE ")" },
	{ "store-retention", OPT_STR, OFF(store_retention), 0, 0, "DURATION",
	  "keep raw events this long, e.g. 30m, 72h, 7d (default: 72h; rollups stay 8 times "
	  "longer)" },
	{ "store-max-size-mb", OPT_UINT, OFF(store_max_size_mb), 1, 1 << 20, "N",
	  "trim the oldest raw events when the store passes N MiB (default: 1024)" },
};

#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))
#define OPT_VAL_BASE 256

int hornet_config_init(struct hornet_config *cfg)
{
	char host[HOST_NAME_MAX + 1] = "";

	memset(cfg, 0, sizeof(*cfg));
	if (gethostname(host, sizeof(host)) || !host[0])
		strcpy(host, "localhost");
	host[HOST_NAME_MAX] = '\0';
	/* a DaemonSet passes the node's name through the downward API */
	if (getenv("NODE_NAME") && getenv("NODE_NAME")[0] && strlen(getenv("NODE_NAME")) <= 253 &&
	    !strchr(getenv("NODE_NAME"), ':'))
		cfg->node_name = strdup(getenv("NODE_NAME"));
	else
		cfg->node_name = strdup(host);
	cfg->k8s_kubeconfig = strdup("");
	cfg->k8s_sa_dir = strdup(HORNET_K8S_SA_DIR);
	cfg->k8s_watch_timeout = 300;
	cfg->export_file = strdup(HORNET_DEFAULT_EXPORT_FILE);
	cfg->socket = strdup(HORNET_DEFAULT_SOCKET);
	cfg->policy_dir = strdup(HORNET_DEFAULT_POLICY_DIR);
	cfg->bpffs_dir = strdup(HORNET_BPFFS_DIR);
	cfg->dns_server = strdup("");
	cfg->http_listen = strdup(HORNET_DEFAULT_HTTP_LISTEN);
	cfg->metrics_server = strdup("");
	cfg->http_token_file = strdup("");
	cfg->http_tls_cert = strdup("");
	cfg->http_tls_key = strdup("");
	cfg->ui_dir = strdup("");
	cfg->store = strdup(HORNET_DEFAULT_STORE);
	cfg->store_retention = strdup("72h");
	cfg->metrics_label_filter = strdup("namespace,workload,pod,binary");
	cfg->store_max_size_mb = 1024;
	cfg->export_file_max_size_mb = 10;
	cfg->export_file_max_backups = 5;
	cfg->export_rate_limit = -1;
	cfg->process_cache_size = 32768;
	cfg->network = true;
	cfg->inspect_packets = true;
	cfg->ringbuf_size_mb = 8;
	cfg->log_level = HORNET_LOG_INFO;
	cfg->stdout_format = HORNET_STDOUT_NONE;
	if (!cfg->node_name || !cfg->export_file || !cfg->socket || !cfg->policy_dir ||
	    !cfg->bpffs_dir || !cfg->dns_server || !cfg->k8s_kubeconfig || !cfg->k8s_sa_dir ||
	    !cfg->http_listen || !cfg->metrics_server || !cfg->http_token_file ||
	    !cfg->http_tls_cert || !cfg->http_tls_key || !cfg->ui_dir || !cfg->store ||
	    !cfg->store_retention || !cfg->metrics_label_filter) {
		hornet_config_free(cfg);
		return -ENOMEM;
	}
	return 0;
}

void hornet_config_free(struct hornet_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->policies.n; i++)
		free(cfg->policies.v[i]);
	free(cfg->policies.v);
	free(cfg->policy_dir);
	free(cfg->bpffs_dir);
	free(cfg->dns_server);
	free(cfg->k8s_kubeconfig);
	free(cfg->k8s_sa_dir);
	free(cfg->config_file);
	free(cfg->node_name);
	free(cfg->export_file);
	free(cfg->socket);
	free(cfg->http_listen);
	free(cfg->metrics_server);
	free(cfg->http_token_file);
	free(cfg->http_tls_cert);
	free(cfg->http_tls_key);
	free(cfg->ui_dir);
	free(cfg->store);
	free(cfg->store_retention);
	free(cfg->metrics_label_filter);
	free(cfg->filter_env);
	free(cfg->cgroup_rate);
	hornet_redact__free(cfg->redact);
	free(cfg->persist_policies);
	free(cfg->export_rotation_interval);
	free(cfg->export_rate_limit_text);
	free(cfg->export_allowlist);
	free(cfg->export_denylist);
	free(cfg->field_filters_text);
	hornet_export_filter__free(cfg->export_allow);
	hornet_export_filter__free(cfg->export_deny);
	hornet_field_filters__free(cfg->field_filters);
	memset(cfg, 0, sizeof(*cfg));
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	int i;

	for (i = 0; yes[i]; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * --enable-ancestors: a boolean (every event type), or Tetragon's list of
 * event types: base (exec and exit), kprobe, tracepoint, uprobe, lsm, usdt;
 * loader is accepted and means nothing here (no loader events); "" is none.
 */
static int set_ancestors(struct hornet_config *cfg, const char *v, const char *where, char *err,
			 size_t err_size)
{
	static const struct {
		const char *name;
		unsigned int bits;
	} types[] = {
		{ "kprobe", 1U << HORNET_POLICY_KPROBE },
		{ "tracepoint", 1U << HORNET_POLICY_TRACEPOINT },
		{ "uprobe", 1U << HORNET_POLICY_UPROBE },
		{ "lsm", 1U << HORNET_POLICY_LSM },
		{ "usdt", 1U << HORNET_POLICY_USDT },
		{ "loader", 0 },
	};
	const char *p = v, *end;
	bool all, base = false;
	unsigned int bits = 0;
	size_t i, n;

	if (!parse_bool(v, &all)) {
		cfg->enable_ancestors = all;
		cfg->ancestors_policy = all ? ~0U : 0;
		return 0;
	}
	for (; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		n = end - p;
		if (n == 4 && !strncmp(p, "base", 4)) {
			base = true;
			continue;
		}
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strlen(types[i].name) == n && !strncmp(p, types[i].name, n))
				break;
		if (i == sizeof(types) / sizeof(types[0])) {
			snprintf(
				err, err_size,
				"%senable-ancestors: '%.64s' is not a boolean (true or false) nor "
				"a "
				"list of event types (base, kprobe, tracepoint, uprobe, lsm, usdt, "
				"loader): '%.*s' is none",
				where, v, (int)(n > 64 ? 64 : n), p);
			return -EINVAL;
		}
		bits |= types[i].bits;
	}
	cfg->enable_ancestors = base;
	cfg->ancestors_policy = bits;
	return 0;
}

/* Sets one option from its text; @where says where it came from, for errors. */
static int set_opt(struct hornet_config *cfg, const struct opt *o, const char *v, const char *where,
		   char *err, size_t err_size)
{
	void *field = (char *)cfg + o->offset;
	uint64_t ev, ns;
	unsigned long n;
	char *end, *copy;

	switch (o->type) {
	case OPT_LIST: {
		struct hornet_str_list *l = field;
		char **n;

		if (strlen(v) >= PATH_MAX || !v[0]) {
			snprintf(err, err_size, "%s%s: '%.64s' is not a file name", where, o->name,
				 v);
			return -EINVAL;
		}
		n = realloc(l->v, (l->n + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->v = n;
		l->v[l->n] = strdup(v);
		if (!l->v[l->n])
			return -ENOMEM;
		l->n++;
		return 0;
	}
	case OPT_REDACT: {
		struct hornet_redact *r = NULL;
		char msg[448];

		/* only white space: none (so a flag can clear the config file's) */
		if (v[strspn(v, " \t\r\n")]) {
			r = hornet_redact__new(v, msg, sizeof(msg));
			if (!r && errno != EINVAL)
				return -errno;
			if (!r) {
				snprintf(err, err_size, "%s%s: %s", where, o->name, msg);
				return -EINVAL;
			}
		}
		hornet_redact__free(*(struct hornet_redact **)field);
		*(struct hornet_redact **)field = r;
		return 0;
	}
	case OPT_STR:
		if (strlen(v) >= PATH_MAX) {
			snprintf(err, err_size, "%s%s: value too long (%zu bytes, at most %d)",
				 where, o->name, strlen(v), PATH_MAX - 1);
			return -EINVAL;
		}
		if (!strcmp(o->name, "node-name") && (!v[0] || strlen(v) > 253 || strchr(v, ':'))) {
			snprintf(err, err_size,
				 "%snode-name: '%s' is not a valid node name (1 to 253 characters, "
				 "no ':')",
				 where, v);
			return -EINVAL;
		}
		if (!strcmp(o->name, "cgroup-rate") && v[0] &&
		    hornet_cgroup_rate_parse(v, &ev, &ns)) {
			snprintf(
				err, err_size,
				"%scgroup-rate: '%s' is not EVENTS,INTERVAL (a count above 0 and a "
				"duration: 1000,1s)",
				where, v);
			return -EINVAL;
		}
		copy = strdup(v);
		if (!copy)
			return -ENOMEM;
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	case OPT_UINT:
		errno = 0;
		n = strtoul(v, &end, 10);
		if (!v[0] || *end || errno || v[0] == '-' || n < o->min || n > o->max) {
			snprintf(err, err_size, "%s%s: '%s' is not a whole number from %u to %u",
				 where, o->name, v, o->min, o->max);
			return -EINVAL;
		}
		*(unsigned int *)field = n;
		return 0;
	case OPT_BOOL:
		if (!strcmp(o->name, "enable-ancestors"))
			return set_ancestors(cfg, v, where, err, err_size);
		if (parse_bool(v, field)) {
			snprintf(err, err_size, "%s%s: '%s' is not a boolean (true or false)",
				 where, o->name, v);
			return -EINVAL;
		}
		return 0;
	case OPT_LOG_LEVEL:
		if (hornet_log_level_parse(v, field)) {
			snprintf(err, err_size,
				 "%s%s: unknown level '%s' (valid: error, warn, info, debug)",
				 where, o->name, v);
			return -EINVAL;
		}
		return 0;
	case OPT_ENUM: {
		char valid[128] = "";
		int i;

		for (i = 0; o->values[i]; i++) {
			if (!strcmp(v, o->values[i])) {
				*(int *)field = i;
				return 0;
			}
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
				 i ? ", " : "", o->values[i]);
		}
		snprintf(err, err_size, "%s%s: unknown value '%s' (valid: %s)", where, o->name, v,
			 valid);
		return -EINVAL;
	}
	}
	return -EINVAL;
}

static const struct opt *find_opt(const char *key)
{
	char name[64];
	size_t i;

	/* config files may spell keys with '_' as well as '-' */
	if (strlen(key) >= sizeof(name))
		return NULL;
	for (i = 0; key[i]; i++)
		name[i] = key[i] == '_' ? '-' : key[i];
	name[i] = '\0';
	for (i = 0; i < NR_OPTS; i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

static void unknown_key(const char *key, const char *where, char *err, size_t err_size)
{
	const char *names[NR_OPTS + 2];
	const char *best;
	size_t i;

	for (i = 0; i < NR_OPTS; i++)
		names[i] = opts[i].name;
	names[i++] = "config";
	names[i] = NULL;
	best = hornet_suggest(key, names);
	if (best)
		snprintf(err, err_size, "%sunknown setting '%s' (did you mean '%s'?)", where, key,
			 best);
	else
		snprintf(err, err_size, "%sunknown setting '%s' (see 'hornet agent --help')", where,
			 key);
}

static int yaml_fail(const char *path, const yaml_mark_t *m, char *err, size_t err_size,
		     const char *what)
{
	snprintf(err, err_size, "%s:%zu:%zu: %s", path, m->line + 1, m->column + 1, what);
	return -EINVAL;
}

int hornet_config_load_file(struct hornet_config *cfg, const char *path, char *err, size_t err_size)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	const struct opt *o;
	char where[PATH_MAX + 64], msg[256], *key = NULL, *buf = NULL;
	size_t len = 0, cap = 0;
	bool in_map = false, in_list = false, done = false;
	struct stat st;
	int ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, err_size, "config file '%s': %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "config file '%s': not a regular file", path);
		fclose(f);
		return -EINVAL;
	}
	/* read it whole, bounded, so a huge file is refused before parsing */
	for (;;) {
		size_t n;

		if (len == cap) {
			char *p;

			cap = cap ? cap * 2 : 4096;
			p = realloc(buf, cap);
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0 && ferror(f)) {
			ret = -EIO;
			snprintf(err, err_size, "config file '%s': read error", path);
			break;
		}
		if (len > CONFIG_FILE_MAX) {
			snprintf(err, err_size, "config file '%s': larger than %d bytes", path,
				 CONFIG_FILE_MAX);
			ret = -EFBIG;
			break;
		}
		if (n == 0)
			break;
	}
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &ev)) {
			snprintf(msg, sizeof(msg), "invalid YAML: %s",
				 parser.problem ? parser.problem : "parse error");
			ret = yaml_fail(path, &parser.problem_mark, err, err_size, msg);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (in_map)
				ret = yaml_fail(
					path, &ev.start_mark, err, err_size,
					key ? "setting values must be plain values, not mappings"
					    : "keys must be plain strings");
			in_map = true;
			break;
		case YAML_MAPPING_END_EVENT:
			in_map = false;
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;

			if (!in_map) {
				/* an empty file is a null scalar document: allowed */
				if (ev.data.scalar.length)
					ret = yaml_fail(
						path, &ev.start_mark, err, err_size,
						"expected a mapping of settings (key: value)");
				break;
			}
			if (!key) {
				key = strdup(v);
				if (!key)
					ret = -ENOMEM;
				break;
			}
			o = find_opt(key);
			snprintf(where, sizeof(where), "%s:%zu:%zu: ", path, ev.start_mark.line + 1,
				 ev.start_mark.column + 1);
			if (!o) {
				unknown_key(key, where, err, err_size);
				ret = -EINVAL;
			} else {
				ret = set_opt(cfg, o, v, where, err, err_size);
			}
			if (!in_list) {
				free(key);
				key = NULL;
			}
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
			o = key ? find_opt(key) : NULL;
			if (o && o->type == OPT_LIST && !in_list) {
				in_list = true;
				break;
			}
			ret = yaml_fail(path, &ev.start_mark, err, err_size,
					key ? "setting values must be plain values, not lists"
					    : "expected a mapping of settings (key: value)");
			break;
		case YAML_SEQUENCE_END_EVENT:
			in_list = false;
			free(key);
			key = NULL;
			break;
		case YAML_ALIAS_EVENT:
			ret = yaml_fail(path, &ev.start_mark, err, err_size,
					"aliases are not allowed in the config file");
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	free(key);
	yaml_parser_delete(&parser);
	free(buf);
	return ret;
}

void hornet_config_usage(FILE *out)
{
	char flag[64];
	size_t i;

	fprintf(out, "Usage: hornet agent [OPTIONS]\n\n"
		     "Runs the agent in the foreground: loads the sensors, exports events to the\n"
		     "export file and the API socket, and stops cleanly on SIGINT or SIGTERM.\n\n"
		     "Options (each can also be a key of the YAML config file):\n");
	fprintf(out,
		"  --config PATH                  YAML config file (default: %s, if present)\n",
		HORNET_DEFAULT_CONFIG);
	for (i = 0; i < NR_OPTS; i++) {
		snprintf(flag, sizeof(flag), "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(out, "  %-30s %s\n", flag, opts[i].help);
	}
	fprintf(out, "  -h, --help                     show this help\n");
}

static bool blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

/* Compiles the export options once all are set (filters depend on --enable-ancestors). */
static int export_opts(struct hornet_config *cfg, char *err, size_t err_size)
{
	unsigned int flags = cfg->enable_ancestors ? HORNET_FILTER_ANCESTORS : 0;
	char msg[448], *end;
	long n;

	if (!blank(cfg->export_rotation_interval) && strcmp(cfg->export_rotation_interval, "0") &&
	    hornet_parse_duration(cfg->export_rotation_interval, &cfg->export_rotation_ns)) {
		snprintf(
			err, err_size,
			"--export-file-rotation-interval: '%.64s' is not a duration (e.g. 1h, 30m, "
			"90s)",
			cfg->export_rotation_interval);
		return -EINVAL;
	}
	if (!blank(cfg->export_rate_limit_text)) {
		errno = 0;
		n = strtol(cfg->export_rate_limit_text, &end, 10);
		if (errno || *end || n < -1 || n > HORNET_EXPORT_RATE_MAX) {
			snprintf(err, err_size,
				 "--export-rate-limit: '%.64s': expected events a minute, from -1 "
				 "(no limit) to %d",
				 cfg->export_rate_limit_text, HORNET_EXPORT_RATE_MAX);
			return -EINVAL;
		}
		cfg->export_rate_limit = n;
	}
	hornet_export_filter__free(cfg->export_allow);
	hornet_export_filter__free(cfg->export_deny);
	hornet_field_filters__free(cfg->field_filters);
	cfg->export_allow = cfg->export_deny = NULL;
	cfg->field_filters = NULL;
	if (!blank(cfg->export_allowlist)) {
		cfg->export_allow =
			hornet_export_filter__new(cfg->export_allowlist, flags, msg, sizeof(msg));
		if (!cfg->export_allow)
			goto fail_filter;
	}
	if (!blank(cfg->export_denylist)) {
		cfg->export_deny =
			hornet_export_filter__new(cfg->export_denylist, flags, msg, sizeof(msg));
		if (!cfg->export_deny) {
			snprintf(err, err_size, "--export-denylist: %s", msg);
			return errno == EINVAL ? -EINVAL : -errno;
		}
	}
	if (!blank(cfg->field_filters_text)) {
		cfg->field_filters =
			hornet_field_filters__new(cfg->field_filters_text, msg, sizeof(msg));
		if (!cfg->field_filters) {
			snprintf(err, err_size, "--field-filters: %s", msg);
			return errno == EINVAL ? -EINVAL : -errno;
		}
	}
	return 0;
fail_filter:
	snprintf(err, err_size, "--export-allowlist: %s", msg);
	return errno == EINVAL ? -EINVAL : -errno;
}

int hornet_config_load(struct hornet_config *cfg, int argc, char **argv, char *err, size_t err_size)
{
	struct option lopts[NR_OPTS + 3];
	const char *config = NULL;
	struct stat st;
	size_t i;
	int c, idx, ret, pass;

	for (i = 0; i < NR_OPTS; i++) {
		lopts[i].name = opts[i].name;
		lopts[i].has_arg = opts[i].type == OPT_BOOL ? optional_argument : required_argument;
		lopts[i].flag = NULL;
		/* distinct values: getopt_long then refuses an ambiguous abbreviation */
		lopts[i].val = OPT_VAL_BASE + i;
	}
	lopts[i++] = (struct option){ "config", required_argument, NULL, 'c' };
	lopts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[i] = (struct option){ NULL, 0, NULL, 0 };

	/* pass 0 finds --config and checks the flags; pass 1 applies them over the file */
	for (pass = 0; pass < 2; pass++) {
		optind = 1;
		opterr = 0;
		while ((c = getopt_long(argc, argv, ":h", lopts, &idx)) != -1) {
			switch (c) {
			case 'h':
				hornet_config_usage(stdout);
				return 1;
			case 'c':
				config = optarg;
				break;
			case OPT_VAL_BASE ... OPT_VAL_BASE + NR_OPTS - 1:
				if (pass == 0)
					break;
				ret = set_opt(cfg, &opts[c - OPT_VAL_BASE],
					      optarg ? optarg : "true", "--", err, err_size);
				if (ret)
					return ret;
				break;
			case ':':
				snprintf(err, err_size, "%s: needs a value", argv[optind - 1]);
				return -EINVAL;
			default: {
				const char *arg = argv[optind - 1];
				char key[64];
				const char *eq;

				if (strncmp(arg, "--", 2)) {
					snprintf(err, err_size,
						 "unknown option '%s' (see 'hornet agent --help')",
						 arg);
					return -EINVAL;
				}
				eq = strchr(arg, '=');
				snprintf(key, sizeof(key), "%.*s",
					 (int)(eq ? eq - arg - 2 : (long)strlen(arg) - 2), arg + 2);
				unknown_key(key, "", err, err_size);
				return -EINVAL;
			}
			}
		}
		if (pass == 0 && optind < argc) {
			snprintf(err, err_size,
				 "unexpected argument '%s' (see 'hornet agent --help')",
				 argv[optind]);
			return -EINVAL;
		}
		if (pass == 0) {
			if (!config && stat(HORNET_DEFAULT_CONFIG, &st) == 0)
				config = HORNET_DEFAULT_CONFIG;
			if (config) {
				free(cfg->config_file);
				cfg->config_file = strdup(config);
				ret = hornet_config_load_file(cfg, config, err, err_size);
				if (ret)
					return ret;
			}
		}
	}
	return export_opts(cfg, err, err_size);
}
