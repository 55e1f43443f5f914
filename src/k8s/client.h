/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Kubernetes API client for list+watch, with libcurl and jansson.
 *
 * Connection settings come from a kubeconfig (server, CA file or embedded
 * CA data, a bearer token or token file, client certificate and key, files
 * or embedded) or from the in-cluster environment (KUBERNETES_SERVICE_HOST,
 * KUBERNETES_SERVICE_PORT and the service-account directory's token,
 * ca.crt and namespace). Token files are read again on every (re)connect:
 * projected service-account tokens rotate.
 *
 * A watch runs in its own thread: list (paginated with limit/continue),
 * then watch from the list's resourceVersion with allowWatchBookmarks,
 * keeping the latest resourceVersion of every object and bookmark; a 410
 * Gone (as a status or an ERROR event) relists; errors, 429 and 5xx back off
 * exponentially with jitter (Retry-After honoured); a watch that sends
 * nothing, not even a bookmark, for the dead-watch timeout is cut and
 * resumed. The thread never calls back into the agent: it queues what it
 * received and wakes the agent's event loop through an eventfd, and the loop
 * calls hornet_k8s_watch__drain(), which runs the callbacks on the loop's
 * thread. So nothing that the callbacks touch needs a lock.
 */
#ifndef HORNET_K8S_CLIENT_H
#define HORNET_K8S_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define HORNET_K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct hornet_k8s_conn {
	char *server; /* https://host:port, no trailing slash */
	char *ca_file; /* NULL: the system's CAs */
	char *ca_data; /* PEM, from certificate-authority-data */
	char *token; /* a fixed bearer token */
	char *token_file; /* read on every connect; wins over token */
	char *cert_file, *key_file; /* client certificate */
	char *cert_data, *key_data; /* PEM, from client-*-data */
	bool insecure; /* insecure-skip-tls-verify */
	char *namespace; /* in-cluster: the service account's namespace */
};

/* From a kubeconfig file (its current-context). Errors name the file and
 * the field. Returns 0 or -errno with a message in @err. */
int hornet_k8s_conn_kubeconfig(struct hornet_k8s_conn *c, const char *path, char *err,
			       size_t err_size);
/* From KUBERNETES_SERVICE_HOST/_PORT and @sa_dir (token, ca.crt, namespace). */
int hornet_k8s_conn_in_cluster(struct hornet_k8s_conn *c, const char *sa_dir, char *err,
			       size_t err_size);
void hornet_k8s_conn_fini(struct hornet_k8s_conn *c);

enum hornet_k8s_ev {
	HORNET_K8S_ADDED,
	HORNET_K8S_MODIFIED,
	HORNET_K8S_DELETED,
	HORNET_K8S_RELIST, /* a (re)list begins: objects not announced again before SYNCED are gone */
	HORNET_K8S_SYNCED, /* the list is complete; the watch follows */
	HORNET_K8S_ERROR, /* @obj is NULL; hornet_k8s_watch__stats() has the last error */
};

struct hornet_k8s_watch_ops {
	/* @obj is borrowed: valid during the call only. */
	void (*event)(void *ctx, enum hornet_k8s_ev ev, json_t *obj);
};

struct hornet_k8s_watch_opts {
	const char *path; /* "/api/v1/pods", "/apis/cilium.io/v1alpha1/tracingpolicies" */
	const char *field_selector; /* NULL: none; "spec.nodeName=node1" */
	const char *label_selector; /* NULL: none */
	unsigned int page_size; /* list limit; 0: 500 */
	unsigned int dead_timeout_ms; /* 0: 5 minutes */
	unsigned int backoff_min_ms, backoff_max_ms; /* 0: 250 ms, 30 s */
	/* An object over these limits is refused and counted; one MODIFIED over
	 * them is announced as DELETED with only metadata.uid, namespace, name. */
	size_t max_object_bytes; /* 0: 2 MiB */
	unsigned int max_labels; /* 0: 1024 */
};

struct hornet_k8s_watch;

/*
 * Starts the watch thread. @epfd: the loop's epoll set, to which the
 * watch's eventfd is added (its hornet_poll calls __drain()). @conn is
 * copied. Returns NULL with errno set.
 */
struct hornet_k8s_watch *hornet_k8s_watch__start(const struct hornet_k8s_conn *conn,
						 const struct hornet_k8s_watch_opts *opts,
						 const struct hornet_k8s_watch_ops *ops, void *ctx,
						 int epfd);
/* Stops the thread promptly (cancels a transfer in progress) and frees. */
void hornet_k8s_watch__stop(struct hornet_k8s_watch *w);
/* Runs the callbacks for everything queued. */
void hornet_k8s_watch__drain(struct hornet_k8s_watch *w);

struct hornet_k8s_watch_stats {
	bool synced; /* a list completed since the last error */
	uint64_t lists, watches, events, bookmarks, gone, errors, throttled;
	uint64_t refused; /* objects over the size or label limits */
	uint64_t dead; /* watches cut for silence */
	char resource_version[64];
	char last_error[256]; /* "" when none */
};

/* Safe from the loop's thread while the watch runs. */
void hornet_k8s_watch__stats(struct hornet_k8s_watch *w, struct hornet_k8s_watch_stats *s);

#endif
