// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/crd.h"
#include "util/log.h"

/* More objects than the manager has policy ids is a misconfiguration. */
#define MAX_OBJECTS 4096
/* A missing CRD (404) is retried this rarely at most; an outage is too. */
#define BACKOFF_MAX_MS 10000

struct resource {
	const char *path;
	const char *kind; /* qualified, as kubectl shows it, in sources */
	bool namespaced;
};

static const struct resource resources[] = {
	{ "/apis/cilium.io/v1alpha1/tracingpolicies", "TracingPolicy.cilium.io", false },
	{ "/apis/cilium.io/v1alpha1/tracingpoliciesnamespaced", "TracingPolicyNamespaced.cilium.io",
	  true },
	{ "/apis/hornet.dev/v1alpha1/tracingpolicies", "TracingPolicy.hornet.dev", false },
	{ "/apis/hornet.dev/v1alpha1/tracingpoliciesnamespaced",
	  "TracingPolicyNamespaced.hornet.dev", true },
};

#define NR_RESOURCES (sizeof(resources) / sizeof(resources[0]))

enum obj_state {
	OBJ_APPLIED,
	OBJ_FAILED,
	OBJ_CONFLICT,
};

struct object {
	struct object *next;
	unsigned int res;
	char key[320]; /* the manager's name: "name" or "namespace/name" */
	char source[400]; /* "k8s:<kind>/<namespace>/<name>" */
	char *text; /* the policy as given to the manager: compact JSON, sorted keys */
	enum obj_state state;
	bool stale; /* not announced again since a relist began */
};

struct crd_watch {
	struct hornet_crd *crd;
	unsigned int res;
	struct hornet_k8s_watch *w;
	char reported[256]; /* the last error logged, to log each change once */
	bool synced_once;
};

struct hornet_crd {
	struct hornet_pm *pm;
	struct crd_watch watches[NR_RESOURCES];
	struct object *objects;
	struct hornet_crd_stats st;
};

static struct object *find_obj(struct hornet_crd *c, unsigned int res, const char *key)
{
	struct object *o;

	for (o = c->objects; o; o = o->next)
		if (o->res == res && !strcmp(o->key, key))
			return o;
	return NULL;
}

/* Does the manager's policy @key come from this module, and from @o? */
static bool owns(struct hornet_crd *c, const struct object *o)
{
	const char *src = hornet_pm__source(c->pm, o->key);

	return src && !strcmp(src, o->source);
}

/* Hands @o to the manager, unless its key belongs to another policy. */
static void apply(struct hornet_crd *c, struct object *o)
{
	const char *src = hornet_pm__source(c->pm, o->key);
	char err[1024];
	int ret;

	if (src && strcmp(src, o->source)) {
		if (o->state != OBJ_CONFLICT)
			pr_err("policy '%s' from %s: a policy of that name is already loaded from "
			       "%s; this one waits until that one is deleted",
			       o->key, o->source, src);
		o->state = OBJ_CONFLICT;
		return;
	}
	c->st.applies++;
	ret = hornet_pm__replace(c->pm, o->key, o->text, strlen(o->text), o->source,
				 HORNET_PM_MODE_POLICY, err, sizeof(err));
	if (ret) {
		c->st.apply_failures++;
		o->state = OBJ_FAILED;
		pr_err("policy '%s' from %s: %s", o->key, o->source, err);
		return;
	}
	o->state = OBJ_APPLIED;
	pr_info("policy '%s' applied from %s", o->key, o->source);
}

/* A conflicting object that waited for @key: it goes in now. */
static void promote(struct hornet_crd *c, const char *key)
{
	struct object *o;

	if (hornet_pm__source(c->pm, key))
		return;
	for (o = c->objects; o; o = o->next) {
		if (o->state == OBJ_CONFLICT && !strcmp(o->key, key)) {
			apply(c, o);
			return;
		}
	}
}

static void remove_obj(struct hornet_crd *c, struct object *o)
{
	struct object **pp;
	char err[1024], key[sizeof(o->key)];

	if (owns(c, o)) {
		c->st.deletes++;
		if (hornet_pm__delete(c->pm, o->key, err, sizeof(err)))
			pr_err("policy '%s' from %s: deleting: %s", o->key, o->source, err);
		else
			pr_info("policy '%s' deleted (%s)", o->key, o->source);
	}
	for (pp = &c->objects; *pp != o; pp = &(*pp)->next)
		;
	*pp = o->next;
	snprintf(key, sizeof(key), "%s", o->key);
	free(o->text);
	free(o);
	promote(c, key);
}

static bool valid_name(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	size_t i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] == '/' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/*
 * The policy the manager parses: apiVersion, kind, metadata (name,
 * namespace) and spec. What the server adds (uid, resourceVersion,
 * managedFields, status), labels and annotations (kubectl's last-applied
 * configuration) are left out: the parser refuses keys it does not know,
 * none of them changes what the policy does, and a change to them alone
 * then reloads nothing.
 */
static char *policy_text(json_t *obj, json_t *md)
{
	json_t *out = json_object(), *m = json_object();
	static const char *const top[] = { "apiVersion", "kind", "spec" };
	static const char *const meta[] = { "name", "namespace" };
	char *text = NULL;
	size_t i;

	if (!out || !m)
		goto out;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (json_object_get(obj, top[i]))
			json_object_set(out, top[i], json_object_get(obj, top[i]));
	for (i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
		if (json_object_get(md, meta[i]))
			json_object_set(m, meta[i], json_object_get(md, meta[i]));
	json_object_set(out, "metadata", m);
	text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(m);
	json_decref(out);
	return text;
}

static void on_object(struct crd_watch *cw, enum hornet_k8s_ev ev, json_t *obj)
{
	const struct resource *r = &resources[cw->res];
	struct hornet_crd *c = cw->crd;
	json_t *md = json_object_get(obj, "metadata");
	const char *name = json_string_value(json_object_get(md, "name"));
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	char key[sizeof(((struct object *)0)->key)];
	struct object *o;
	char *text;

	/* the server checks names; a bad one here is a broken or hostile peer */
	if (!valid_name(name, 253) || (r->namespaced && !valid_name(ns, 63))) {
		c->st.refused++;
		pr_warn("%s: an object without a valid metadata.name%s: ignored", r->path,
			r->namespaced ? " and namespace" : "");
		return;
	}
	if (r->namespaced)
		snprintf(key, sizeof(key), "%s/%s", ns, name);
	else
		snprintf(key, sizeof(key), "%s", name);
	if (strlen(key) > HORNET_PM_MAX_NAME) {
		c->st.refused++;
		pr_err("policy '%s' from %s: namespace/name longer than %d characters: ignored",
		       key, r->path, HORNET_PM_MAX_NAME);
		return;
	}
	o = find_obj(c, cw->res, key);
	if (ev == HORNET_K8S_DELETED) {
		if (o)
			remove_obj(c, o);
		return;
	}
	text = policy_text(obj, md);
	if (!text) {
		pr_err("policy '%s' from %s: out of memory", key, r->path);
		return;
	}
	if (o) {
		o->stale = false;
		/* a relist, or a change to labels or status only: nothing to do */
		if (!strcmp(o->text, text) &&
		    (o->state != OBJ_CONFLICT || hornet_pm__source(c->pm, o->key))) {
			free(text);
			return;
		}
		free(o->text);
		o->text = text;
		apply(c, o);
		return;
	}
	if (c->st.objects >= MAX_OBJECTS) {
		c->st.refused++;
		pr_err("policy '%s' from %s: more than %d policy objects: ignored", key, r->path,
		       MAX_OBJECTS);
		free(text);
		return;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		free(text);
		return;
	}
	o->res = cw->res;
	o->text = text;
	snprintf(o->key, sizeof(o->key), "%s", key);
	if (r->namespaced)
		snprintf(o->source, sizeof(o->source), "k8s:%s/%s/%s", r->kind, ns, name);
	else
		snprintf(o->source, sizeof(o->source), "k8s:%s/%s", r->kind, name);
	o->next = c->objects;
	c->objects = o;
	apply(c, o);
}

/* The client logs every new error; a 404 gets the hint of what it means here. */
static void on_error(struct crd_watch *cw)
{
	struct hornet_k8s_watch_stats s;

	hornet_k8s_watch__stats(cw->w, &s);
	if (!s.last_error[0] || !strcmp(s.last_error, cw->reported))
		return;
	snprintf(cw->reported, sizeof(cw->reported), "%s", s.last_error);
	if (strstr(s.last_error, "HTTP 404"))
		pr_warn("%s: not served: the CRD of %s is not installed (deploy/kubernetes/crds); "
			"asking again every %d s; policies from it stay as they are",
			resources[cw->res].path, resources[cw->res].kind, BACKOFF_MAX_MS / 1000);
}

static void on_event(void *ctx, enum hornet_k8s_ev ev, json_t *obj)
{
	struct crd_watch *cw = ctx;
	struct hornet_crd *c = cw->crd;
	struct object *o, *next;

	switch (ev) {
	case HORNET_K8S_ADDED:
	case HORNET_K8S_MODIFIED:
	case HORNET_K8S_DELETED:
		if (obj)
			on_object(cw, ev, obj);
		break;
	case HORNET_K8S_RELIST:
		for (o = c->objects; o; o = o->next)
			if (o->res == cw->res)
				o->stale = true;
		break;
	case HORNET_K8S_SYNCED:
		/* what the list did not name again was deleted while we were away */
		for (o = c->objects; o; o = next) {
			next = o->next; /* remove_obj() frees @o only */
			if (o->res == cw->res && o->stale)
				remove_obj(c, o);
		}
		if (cw->reported[0] || !cw->synced_once)
			pr_info("%s: watching", resources[cw->res].path);
		cw->reported[0] = '\0';
		cw->synced_once = true;
		break;
	case HORNET_K8S_ERROR:
		on_error(cw);
		break;
	}
}

static const struct hornet_k8s_watch_ops watch_ops = {
	.event = on_event,
};

struct hornet_crd *hornet_crd__start(struct hornet_pm *pm, const struct hornet_k8s_conn *conn,
				     int epfd)
{
	struct hornet_k8s_watch_opts wo = { .backoff_max_ms = BACKOFF_MAX_MS };
	struct hornet_crd *c = calloc(1, sizeof(*c));
	unsigned int i;
	int err;

	if (!c)
		return NULL;
	c->pm = pm;
	for (i = 0; i < NR_RESOURCES; i++) {
		c->watches[i].crd = c;
		c->watches[i].res = i;
		wo.path = resources[i].path;
		c->watches[i].w =
			hornet_k8s_watch__start(conn, &wo, &watch_ops, &c->watches[i], epfd);
		if (!c->watches[i].w) {
			err = errno;
			hornet_crd__stop(c);
			errno = err;
			return NULL;
		}
	}
	return c;
}

void hornet_crd__stop(struct hornet_crd *c)
{
	struct object *o, *next;
	unsigned int i;

	if (!c)
		return;
	for (i = 0; i < NR_RESOURCES; i++)
		hornet_k8s_watch__stop(c->watches[i].w);
	for (o = c->objects; o; o = next) {
		next = o->next;
		free(o->text);
		free(o);
	}
	free(c);
}

void hornet_crd__stats(const struct hornet_crd *c, struct hornet_crd_stats *s)
{
	const struct object *o;

	*s = c->st;
	s->objects = s->applied = s->failed = s->conflicts = 0;
	for (o = c->objects; o; o = o->next) {
		s->objects++;
		if (o->state == OBJ_APPLIED)
			s->applied++;
		else if (o->state == OBJ_FAILED)
			s->failed++;
		else
			s->conflicts++;
	}
}

void hornet_crd__status(struct hornet_crd *c, struct hornet_json *j)
{
	struct hornet_k8s_watch_stats ws;
	struct hornet_crd_stats s;
	const struct object *o;
	unsigned int i, k;

	hornet_crd__stats(c, &s);
	const struct {
		const char *key;
		uint64_t v;
	} counts[] = {
		{ "objects", s.objects }, { "applied", s.applied },
		{ "failed", s.failed },	  { "conflicts", s.conflicts },
		{ "applies", s.applies }, { "apply_failures", s.apply_failures },
		{ "deletes", s.deletes }, { "refused", s.refused },
	};

	hornet_json_obj_begin(j, "k8s_policies");
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		hornet_json_u64(j, counts[k].key, counts[k].v);
	hornet_json_arr_begin(j, "conflicting");
	for (o = c->objects; o; o = o->next)
		if (o->state == OBJ_CONFLICT)
			hornet_json_str(j, NULL, o->source);
	hornet_json_arr_end(j);
	hornet_json_arr_begin(j, "resources");
	for (i = 0; i < NR_RESOURCES; i++) {
		hornet_k8s_watch__stats(c->watches[i].w, &ws);
		hornet_json_obj_begin(j, NULL);
		hornet_json_str(j, "path", resources[i].path);
		hornet_json_bool(j, "synced", ws.synced);
		hornet_json_u64(j, "lists", ws.lists);
		hornet_json_u64(j, "events", ws.events);
		hornet_json_u64(j, "errors", ws.errors);
		hornet_json_str(j, "resource_version", ws.resource_version);
		hornet_json_str(j, "last_error", ws.last_error);
		hornet_json_obj_end(j);
	}
	hornet_json_arr_end(j);
	hornet_json_obj_end(j);
}
