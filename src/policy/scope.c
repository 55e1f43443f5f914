// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/scope.h"

static bool is_all(const struct hornet_label_selector *s)
{
	return s->present && !s->nr_reqs;
}

/*
 * Tetragon's reading (pkg/sensors/k8s.go): a podSelector alone means every
 * container of the selected pods, a containerSelector alone means those
 * containers in every pod, and a namespaced policy without either means
 * every container of its namespace.
 */
static void effective(const struct hornet_policy *p, const struct hornet_label_selector **pod,
		      const struct hornet_label_selector **ctr)
{
	static const struct hornet_label_selector all = { .present = true };

	*pod = &p->pod_selector;
	*ctr = &p->container_selector;
	if ((*pod)->present && !(*ctr)->present)
		*ctr = &all;
	else if ((*ctr)->present && !(*pod)->present)
		*pod = &all;
	else if (p->namespaced && !(*pod)->present && !(*ctr)->present)
		*pod = *ctr = &all;
}

bool hornet_policy_scoped(const struct hornet_policy *p)
{
	const struct hornet_label_selector *pod = &p->pod_selector, *ctr = &p->container_selector,
					   *host = &p->host_selector;

	if (p->namespaced || p->nr_cgroup_paths)
		return true;
	if (is_all(pod) && is_all(ctr) && is_all(host))
		return false;
	return pod->present || ctr->present || host->present;
}

bool hornet_policy_selects_host(const struct hornet_policy *p)
{
	return !hornet_policy_scoped(p) || (!p->namespaced && p->host_selector.present);
}

bool hornet_policy_selects(const struct hornet_policy *p, const struct hornet_workload *w)
{
	const struct hornet_label_selector *pod, *ctr;
	const char *(*labels)[2];
	const char *fields[2][2];
	size_t nr = 0, i;
	bool ok;

	if (!hornet_policy_scoped(p))
		return true;
	/* a cgroupSelector alone: its cgroups are found by their paths (agent/scope.c) */
	if (!p->namespaced && !p->pod_selector.present && !p->container_selector.present)
		return false;
	/* containers outside pods have no labels nor namespace: no pod selector holds */
	if (!w->pod_namespace)
		return false;
	if (p->namespaced && (!p->namespace || strcmp(p->namespace, w->pod_namespace)))
		return false;
	effective(p, &pod, &ctr);
	labels = calloc(w->nr_labels + 1, sizeof(*labels));
	if (!labels)
		return false;
	for (i = 0; i < w->nr_labels; i++) {
		if (!strcmp(w->labels[i][0], HORNET_LABEL_POD_NAMESPACE))
			continue;
		labels[nr][0] = w->labels[i][0];
		labels[nr++][1] = w->labels[i][1];
	}
	labels[nr][0] = HORNET_LABEL_POD_NAMESPACE;
	labels[nr++][1] = w->pod_namespace;
	ok = hornet_label_selector_matches(pod, (const char *const(*)[2])labels, nr);
	free(labels);
	if (!ok)
		return false;
	nr = 0;
	if (w->name) {
		fields[nr][0] = "name";
		fields[nr++][1] = w->name;
	}
	if (w->repo) {
		fields[nr][0] = "repo";
		fields[nr++][1] = w->repo;
	}
	return hornet_label_selector_matches(ctr, (const char *const(*)[2])fields, nr);
}

void hornet_image_repo(const char *image, char *out, size_t size)
{
	const char *end = strchr(image, '@'), *slash, *colon;
	size_t len;

	len = end ? (size_t)(end - image) : strlen(image);
	/* a tag is a ':' after the last '/' (a registry may have a port) */
	slash = memrchr(image, '/', len);
	colon = memchr(slash ? slash : image, ':', len - (slash ? slash - image : 0));
	if (colon)
		len = colon - image;
	snprintf(out, size, "%.*s", (int)len, image);
}

static const char *const op_names[] = { "in", "notin", "exists", "!exists" };

static size_t put_selector(const char *what, const struct hornet_label_selector *s, char *out,
			   size_t size, size_t n)
{
	const struct hornet_label_req *r;
	size_t i, j;

	if (!s->present || n >= size)
		return n;
	n += snprintf(out + n, size - n, "%s%s", n ? "; " : "", what);
	if (!s->nr_reqs && n < size)
		n += snprintf(out + n, size - n, " {}");
	for (i = 0; i < s->nr_reqs && n < size; i++) {
		r = &s->reqs[i];
		if (r->op == HORNET_LABEL_IN && r->nr_values == 1) {
			n += snprintf(out + n, size - n, "%s%s=%s", i ? "," : " ", r->key,
				      r->values[0]);
			continue;
		}
		n += snprintf(out + n, size - n, "%s%s %s", i ? "," : " ", r->key, op_names[r->op]);
		for (j = 0; j < r->nr_values && n < size; j++)
			n += snprintf(out + n, size - n, "%s%s", j ? "|" : " ", r->values[j]);
	}
	return n;
}

void hornet_policy_scope_str(const struct hornet_policy *p, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	out[0] = '\0';
	if (!hornet_policy_scoped(p)) {
		snprintf(out, size, "all");
		return;
	}
	if (p->namespaced)
		n += snprintf(out, size, "namespace %s", p->namespace ? p->namespace : "?");
	n = put_selector("pods", &p->pod_selector, out, size, n);
	n = put_selector("containers", &p->container_selector, out, size, n);
	if (!p->namespaced && p->host_selector.present && n < size)
		n += snprintf(out + n, size - n, "%shost", n ? "; " : "");
	for (size_t i = 0; i < p->nr_cgroup_paths && n < size; i++)
		n += snprintf(out + n, size - n, "%s%s",
			      i	  ? ","
			      : n ? "; cgroups "
				  : "cgroups ",
			      p->cgroup_paths[i]);
}
