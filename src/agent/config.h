/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's settings: defaults, then the YAML config file, then flags.
 * One table describes every setting, so a flag and its config-file key are
 * checked the same way (docs/cli.md lists them).
 */
#ifndef HORNET_AGENT_CONFIG_H
#define HORNET_AGENT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include "sensors/exec.h"
#include "util/log.h"

#define HORNET_DEFAULT_CONFIG "/etc/hornet/hornet.yaml"
#define HORNET_DEFAULT_EXPORT_FILE "/var/log/hornet/events.json"
#define HORNET_DEFAULT_SOCKET "/run/hornet/hornet.sock"
#define HORNET_DEFAULT_POLICY_DIR "/etc/hornet/policies.d"
#define HORNET_DEFAULT_HTTP_LISTEN "127.0.0.1:2113"
#define HORNET_DEFAULT_STORE "/var/lib/hornet/hornet.db"

struct hornet_str_list {
	char **v;
	size_t n;
};

enum hornet_stdout_format {
	HORNET_STDOUT_NONE,
	HORNET_STDOUT_JSON,
	HORNET_STDOUT_COMPACT,
};

struct hornet_redact;
struct hornet_export_filter;
struct hornet_field_filters;

struct hornet_config {
	char *config_file;
	char *node_name;
	char *export_file; /* "" disables the file */
	unsigned int export_file_max_size_mb;
	unsigned int export_file_max_backups;
	/* Tetragon's export options, as text; compiled below by hornet_config_load() */
	char *export_rotation_interval; /* a duration, "" or "0" never */
	bool export_file_compress;
	char *export_rate_limit_text; /* events a minute; "-1" or "" no limit */
	char *export_allowlist, *export_denylist, *field_filters_text; /* JSON lines */
	uint64_t export_rotation_ns;
	long export_rate_limit; /* -1: none, 0: nothing exported */
	struct hornet_export_filter *export_allow, *export_deny; /* NULL: none */
	struct hornet_field_filters *field_filters; /* NULL: none */
	char *socket;
	bool enable_ancestors; /* in exec and exit events ("base") */
	unsigned int ancestors_policy; /* policy events too: a bit per hornet_policy_kind */
	bool policy_full_process;
	bool enable_process_cred;
	bool enable_process_ns;
	bool enable_process_env; /* environment_variables in process objects */
	char *filter_env; /* comma-separated names kept; NULL or "": all */
	int username_metadata; /* 0 disabled, 1 unix (/etc/passwd) */
	bool enable_binary_hash; /* binary_properties.hash in exec events */
	char *cgroup_rate; /* "EVENTS,INTERVAL" (export/throttle.h); NULL or "": off */
	bool network;
	bool inspect_packets;
	bool network_flow; /* one event per TCP connection, at close */
	unsigned int process_cache_size;
	unsigned int ringbuf_size_mb;
	unsigned int ringbuf_size_kb; /* 0: ringbuf_size_mb */
	enum hornet_log_level log_level;
	enum hornet_stdout_format stdout_format;
	enum hornet_creds_hook exec_creds_hook;
	bool keep_enforcement; /* enforcing links pinned: they run on when the agent is gone */
	char *bpffs_dir; /* what outlives the agent is pinned here (util/bpffs.h) */
	struct hornet_str_list policies; /* --policy FILE, repeatable */
	char *policy_dir;
	char *persist_policies; /* NULL or "": API policies are not kept */
	char *dns_server; /* "" for /etc/resolv.conf's */
	bool enable_k8s_api; /* the pod cache from the Kubernetes API */
	char *k8s_kubeconfig; /* "": in-cluster settings */
	char *k8s_sa_dir; /* the service account's token, ca.crt, namespace */
	unsigned int k8s_watch_timeout; /* seconds a silent watch lives */
	char *http_listen; /* ADDR:PORT of the page and /api/v1, "" for none */
	char *metrics_server; /* ADDR:PORT of /metrics alone, "" for none */
	char *http_token_file; /* "": http.token beside the socket, made at start */
	char *http_tls_cert; /* PEM files; both or neither */
	char *http_tls_key;
	char *ui_dir; /* "": the page embedded in the binary */
	char *store; /* SQLite path or postgres:// URL, "" for none */
	char *store_retention; /* raw events kept this long: "72h", "7d", "30m" */
	unsigned int store_max_size_mb; /* raw events trimmed above this */
	char *metrics_label_filter; /* labels kept on per-process metrics, comma-separated */
	struct hornet_redact *redact; /* --redaction-filters, compiled; NULL: none */
};

/* Fills @cfg with the defaults. Returns 0 or -errno. */
int hornet_config_init(struct hornet_config *cfg);
void hornet_config_free(struct hornet_config *cfg);

/*
 * Applies the command line of `hornet agent` (argv[0] is "agent"): first the
 * config file (--config, or the default one if it exists), then the flags.
 * On a bad setting writes a message naming it to @err and returns -EINVAL;
 * returns 1 when --help was given (the help is printed).
 */
int hornet_config_load(struct hornet_config *cfg, int argc, char **argv, char *err,
		       size_t err_size);

/* Applies a YAML config file; errors name the file, line and column. */
int hornet_config_load_file(struct hornet_config *cfg, const char *path, char *err,
			    size_t err_size);

void hornet_config_usage(FILE *out);

#endif
