// SPDX-License-Identifier: GPL-2.0
/*
 * Connection settings for the Kubernetes API: a kubeconfig file (the
 * cluster and user of its current-context) or the in-cluster environment
 * (the service's address in KUBERNETES_SERVICE_HOST/_PORT, the service
 * account's token, CA and namespace in a directory).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "k8s/client.h"
#include "util/base64.h"

/* A kubeconfig with embedded certificates is a few KiB; this is generous. */
#define KUBECONFIG_MAX (4 << 20)

struct kc {
	yaml_document_t doc;
	const char *path;
	char *err;
	size_t err_size;
};

__attribute__((format(printf, 3, 4))) static int kc_fail(struct kc *k, int error, const char *fmt,
							 ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(k->err, k->err_size, "kubeconfig '%s': %s", k->path, msg);
	return error;
}

static yaml_node_t *kc_get(struct kc *k, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *kn;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		kn = yaml_document_get_node(&k->doc, p->key);
		if (kn && kn->type == YAML_SCALAR_NODE && kn->data.scalar.length == strlen(key) &&
		    !memcmp(kn->data.scalar.value, key, kn->data.scalar.length))
			return yaml_document_get_node(&k->doc, p->value);
	}
	return NULL;
}

/* The scalar at @key of @map, NUL-terminated by libyaml; NULL when absent or empty. */
static const char *kc_str(struct kc *k, yaml_node_t *map, const char *key)
{
	yaml_node_t *n = kc_get(k, map, key);

	if (!n || n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* The entry of the list @list (clusters, users, contexts) named @name, its @inner map. */
static yaml_node_t *kc_named(struct kc *k, const char *list, const char *name, const char *inner)
{
	yaml_node_t *l = kc_get(k, yaml_document_get_root_node(&k->doc), list);
	yaml_node_item_t *it;
	yaml_node_t *e;
	const char *n;

	if (!l || l->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
		e = yaml_document_get_node(&k->doc, *it);
		n = kc_str(k, e, "name");
		if (n && !strcmp(n, name))
			return kc_get(k, e, inner);
	}
	return NULL;
}

/* A file named in the kubeconfig: relative paths are relative to the kubeconfig's directory. */
static int kc_path(struct kc *k, const char *field, const char *v, char **out)
{
	const char *slash = strrchr(k->path, '/');
	if (v[0] == '/' || !slash)
		*out = strdup(v);
	else if (asprintf(out, "%.*s/%s", (int)(slash - k->path), k->path, v) < 0)
		*out = NULL;
	if (!*out)
		return kc_fail(k, -ENOMEM, "%s: out of memory", field);
	return 0;
}

/* Embedded PEM data: base64 of the PEM text. */
static int kc_data(struct kc *k, const char *field, const char *v, char **out)
{
	size_t len = strlen(v), size = len / 4 * 3 + 1;
	long n;

	*out = malloc(size);
	if (!*out)
		return kc_fail(k, -ENOMEM, "%s: out of memory", field);
	n = hornet_base64_decode(v, len, *out, size);
	if (n < 0) {
		free(*out);
		*out = NULL;
		return kc_fail(k, -EINVAL, "%s: not valid base64 (%zu characters)", field, len);
	}
	(*out)[n] = '\0';
	if (!strstr(*out, "-----BEGIN ")) {
		free(*out);
		*out = NULL;
		return kc_fail(k, -EINVAL, "%s: the decoded data is not PEM (no '-----BEGIN')",
			       field);
	}
	return 0;
}

/* A PEM field: embedded as @field-data, or a file named by @field. */
static int kc_pem(struct kc *k, yaml_node_t *map, const char *field, char **data, char **file)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "%s-data", field);
	if ((v = kc_str(k, map, key)))
		return kc_data(k, key, v, data);
	if ((v = kc_str(k, map, field)))
		return kc_path(k, field, v, file);
	return 0;
}

static int kc_load(struct kc *k, const char *path)
{
	yaml_parser_t parser;
	unsigned char *buf;
	struct stat st;
	size_t len;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return kc_fail(k, -errno, "cannot open: %s", strerror(errno));
	if (fstat(fileno(f), &st) || st.st_size >= KUBECONFIG_MAX) {
		fclose(f);
		return kc_fail(k, -EFBIG, "larger than %d MiB", KUBECONFIG_MAX >> 20);
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		fclose(f);
		return kc_fail(k, -ENOMEM, "out of memory");
	}
	len = fread(buf, 1, st.st_size, f);
	if (ferror(f))
		ret = kc_fail(k, -EIO, "read error");
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &k->doc)) {
		ret = kc_fail(k, -EINVAL, "line %zu: %s", parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		free(buf);
		return ret;
	}
	yaml_parser_delete(&parser);
	free(buf);
	if (!yaml_document_get_root_node(&k->doc) ||
	    yaml_document_get_root_node(&k->doc)->type != YAML_MAPPING_NODE) {
		yaml_document_delete(&k->doc);
		return kc_fail(k, -EINVAL, "not a kubeconfig (no mapping at the top)");
	}
	return 0;
}

static int kc_fill(struct kc *k, struct hornet_k8s_conn *c)
{
	yaml_node_t *root = yaml_document_get_root_node(&k->doc), *ctx, *cl, *user;
	const char *cur, *cname, *uname, *v;
	size_t len;
	int ret;

	cur = kc_str(k, root, "current-context");
	if (!cur)
		return kc_fail(k, -EINVAL, "no current-context");
	ctx = kc_named(k, "contexts", cur, "context");
	if (!ctx)
		return kc_fail(k, -EINVAL, "current-context '%s': no such entry in contexts", cur);
	cname = kc_str(k, ctx, "cluster");
	if (!cname)
		return kc_fail(k, -EINVAL, "context '%s': no cluster", cur);
	cl = kc_named(k, "clusters", cname, "cluster");
	if (!cl)
		return kc_fail(k, -EINVAL, "context '%s': cluster '%s' not in clusters", cur,
			       cname);
	v = kc_str(k, cl, "server");
	if (!v)
		return kc_fail(k, -EINVAL, "cluster '%s': no server", cname);
	if (strncmp(v, "https://", 8) && strncmp(v, "http://", 7))
		return kc_fail(k, -EINVAL, "cluster '%s': server '%.200s' is not an http(s) URL",
			       cname, v);
	c->server = strdup(v);
	if (!c->server)
		return -ENOMEM;
	len = strlen(c->server);
	while (len > 0 && c->server[len - 1] == '/')
		c->server[--len] = '\0';
	v = kc_str(k, cl, "insecure-skip-tls-verify");
	c->insecure = v && !strcmp(v, "true");
	ret = kc_pem(k, cl, "certificate-authority", &c->ca_data, &c->ca_file);
	if (ret)
		return ret;
	v = kc_str(k, ctx, "namespace");
	if (v && !(c->namespace = strdup(v)))
		return -ENOMEM;

	uname = kc_str(k, ctx, "user");
	if (!uname)
		return 0; /* anonymous */
	user = kc_named(k, "users", uname, "user");
	if (!user)
		return kc_fail(k, -EINVAL, "context '%s': user '%s' not in users", cur, uname);
	if (kc_get(k, user, "exec") || kc_get(k, user, "auth-provider"))
		return kc_fail(k, -EOPNOTSUPP,
			       "user '%s': exec and auth-provider credentials are not supported; "
			       "use a token, tokenFile or client certificate",
			       uname);
	if ((v = kc_str(k, user, "token")) && !(c->token = strdup(v)))
		return -ENOMEM;
	if ((v = kc_str(k, user, "tokenFile"))) {
		ret = kc_path(k, "tokenFile", v, &c->token_file);
		if (ret)
			return ret;
	}
	ret = kc_pem(k, user, "client-certificate", &c->cert_data, &c->cert_file);
	ret = ret ?: kc_pem(k, user, "client-key", &c->key_data, &c->key_file);
	if (ret)
		return ret;
	if (!!(c->cert_data || c->cert_file) != !!(c->key_data || c->key_file))
		return kc_fail(k, -EINVAL,
			       "user '%s': a client certificate needs both client-certificate"
			       "[-data] and client-key[-data]",
			       uname);
	return 0;
}

int hornet_k8s_conn_kubeconfig(struct hornet_k8s_conn *c, const char *path, char *err,
			       size_t err_size)
{
	struct kc k = { .path = path, .err = err, .err_size = err_size };
	int ret;

	memset(c, 0, sizeof(*c));
	ret = kc_load(&k, path);
	if (ret)
		return ret;
	ret = kc_fill(&k, c);
	yaml_document_delete(&k.doc);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, err_size, "kubeconfig '%s': out of memory", path);
		hornet_k8s_conn_fini(c);
	}
	return ret;
}

/* The first line of a small file, without its newline; NULL with errno set. */
static char *read_small(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

int hornet_k8s_conn_in_cluster(struct hornet_k8s_conn *c, const char *sa_dir, char *err,
			       size_t err_size)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	char path[PATH_MAX];
	FILE *f;
	int n;

	memset(c, 0, sizeof(*c));
	if (!host || !host[0] || !port || !port[0]) {
		snprintf(err, err_size,
			 "not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
			 "are not set (give --k8s-kubeconfig-path outside a pod)");
		return -ENOENT;
	}
	if (strlen(host) > 253 || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port)) {
		snprintf(err, err_size,
			 "KUBERNETES_SERVICE_HOST/_PORT: '%.64s:%.16s' is not an "
			 "address",
			 host, port);
		return -EINVAL;
	}
	/* an IPv6 service address needs brackets in a URL */
	n = asprintf(&c->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
		     port);
	if (n < 0) {
		c->server = NULL;
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/token", sa_dir);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, err_size, "service account token '%s': %s", path, strerror(errno));
		n = -errno;
		hornet_k8s_conn_fini(c);
		return n;
	}
	fclose(f);
	c->token_file = strdup(path);
	snprintf(path, sizeof(path), "%s/ca.crt", sa_dir);
	c->ca_file = strdup(path);
	snprintf(path, sizeof(path), "%s/namespace", sa_dir);
	c->namespace = read_small(path); /* optional */
	if (!c->token_file || !c->ca_file) {
		hornet_k8s_conn_fini(c);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void hornet_k8s_conn_fini(struct hornet_k8s_conn *c)
{
	if (!c)
		return;
	free(c->server);
	free(c->ca_file);
	free(c->ca_data);
	free(c->token);
	free(c->token_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->cert_data);
	free(c->key_data);
	free(c->namespace);
	memset(c, 0, sizeof(*c));
}
