// SPDX-License-Identifier: GPL-2.0
/*
 * Workload scopes: podSelector, containerSelector and hostSelector as the
 * parser reads them (and refuses them), which workloads a policy selects
 * with Tetragon's rules, how `hornet policy list` shows it, and what the
 * compiler hands the kernel.
 */
#include "unit.h"

#include "policy/compile.h"
#include "policy/policy.h"
#include "policy/scope.h"

#define HDR "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n"
#define NSD                                                                          \
	"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nmetadata:\n" \
	"  name: t\n  namespace: prod\nspec:\n"
#define HOOK "  kprobes: [{call: f}]\n"

static struct hornet_policy *parse(const char *yaml, char *err, size_t size)
{
	err[0] = '\0';
	return hornet_policy_parse(yaml, strlen(yaml), "t.yaml", err, size);
}

static const struct {
	const char *name, *yaml, *err;
} bad[] = {
	{ "unknown operator",
	  HDR "  podSelector:\n    matchExpressions:\n    - {key: app, operator: Inn, values: "
	      "[a]}\n" HOOK,
	  "t.yaml:8:28: spec.podSelector.matchExpressions[0].operator: unknown operator 'Inn' "
	  "(did you mean 'In'?)" },
	{ "In without values",
	  HDR "  podSelector:\n    matchExpressions:\n    - {key: app, operator: In}\n" HOOK,
	  "t.yaml:8:7: spec.podSelector.matchExpressions[0]: missing 'values' (operator 'In' "
	  "needs at least one)" },
	{ "NotIn with no values",
	  HDR "  podSelector:\n    matchExpressions:\n    - {key: app, operator: NotIn, values: "
	      "[]}\n" HOOK,
	  "t.yaml:8:43: spec.podSelector.matchExpressions[0].values: operator 'NotIn' needs at "
	  "least one value" },
	{ "Exists with values",
	  HDR "  podSelector:\n    matchExpressions:\n    - {key: app, operator: Exists, values: "
	      "[a]}\n" HOOK,
	  "t.yaml:8:44: spec.podSelector.matchExpressions[0].values: operator 'Exists' takes no "
	  "values" },
	{ "missing key",
	  HDR "  podSelector:\n    matchExpressions:\n    - {operator: Exists}\n" HOOK,
	  "t.yaml:8:7: spec.podSelector.matchExpressions[0]: missing 'key'" },
	{ "bad label value", HDR "  podSelector:\n    matchLabels:\n      app: \"-web\"\n" HOOK,
	  "t.yaml:8:12: spec.podSelector.matchLabels.app: '-web' is not a label value (at most 63 "
	  "letters, digits, '-', '_' and '.', starting and ending with a letter or digit)" },
	{ "null label value", HDR "  podSelector:\n    matchLabels:\n      app:\n" HOOK,
	  "t.yaml:8:11: spec.podSelector.matchLabels.app: expected a string, found nothing" },
	{ "bad label key", HDR "  podSelector:\n    matchLabels:\n      \"a b\": x\n" HOOK,
	  "t.yaml:8:7: spec.podSelector.matchLabels.a b: 'a b' is not a label key (letters, "
	  "digits, '-', '_', '.', '/' and ':', at most 317 characters)" },
	{ "unknown selector key", HDR "  podSelector:\n    matchLabel: {app: x}\n" HOOK,
	  "t.yaml:7:5: spec.podSelector.matchLabel: unknown key (did you mean 'matchLabels'?)" },
	{ "container field",
	  HDR "  containerSelector:\n    matchExpressions:\n    - {key: image, operator: In, "
	      "values: [a]}\n" HOOK,
	  "t.yaml:8:13: spec.containerSelector.matchExpressions[0].key: unknown container field "
	  "'image' (valid: name, repo)" },
	{ "hostSelector with labels", HDR "  hostSelector:\n    matchLabels: {a: b}\n" HOOK,
	  "t.yaml:7:5: spec.hostSelector: takes only {} (every process outside a container) or "
	  "null (none), as Tetragon" },
	{ "matchLabels a list", HDR "  podSelector:\n    matchLabels: [a]\n" HOOK,
	  "t.yaml:7:18: spec.podSelector.matchLabels: expected a mapping, found a list" },
	{ "hostSelector when namespaced", NSD "  hostSelector: {}\n" HOOK,
	  "t.yaml:7:17: spec.hostSelector: not valid in a TracingPolicyNamespaced" },
};

static struct hornet_policy *must(const char *yaml)
{
	char err[1024];
	struct hornet_policy *p = parse(yaml, err, sizeof(err));

	if (!p)
		UNIT_FAIL("refused: %s", err);
	return p;
}

static void test_parse(void)
{
	struct hornet_policy *p;
	char err[1024];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UNIT_CASE(bad[i].name)
		{
			p = parse(bad[i].yaml, err, sizeof(err));
			CHECK(p == NULL);
			CHECK_STR(err, bad[i].err);
			hornet_policy_free(p);
		}
	}
	UNIT_CASE("typed selectors")
	{
		p = must(HDR "  podSelector:\n    matchLabels: {app: web, tier: \"\"}\n"
			     "    matchExpressions:\n"
			     "    - {key: env, operator: NotIn, values: [dev, test]}\n"
			     "    - {key: canary, operator: DoesNotExist}\n"
			     "  containerSelector:\n"
			     "    matchExpressions: [{key: repo, operator: In, values: "
			     "[docker.io/library/busybox]}]\n"
			     "  hostSelector: {}\n" HOOK);
		if (!p)
			continue;
		CHECK(p->pod_selector.present && p->container_selector.present &&
		      p->host_selector.present);
		CHECK_INT(p->pod_selector.nr_reqs, 4);
		CHECK_STR(p->pod_selector.reqs[0].key, "app");
		CHECK_INT(p->pod_selector.reqs[0].op, HORNET_LABEL_IN);
		CHECK_STR(p->pod_selector.reqs[1].values[0], "");
		CHECK_INT(p->pod_selector.reqs[2].op, HORNET_LABEL_NOT_IN);
		CHECK_INT(p->pod_selector.reqs[2].nr_values, 2);
		CHECK_INT(p->pod_selector.reqs[3].op, HORNET_LABEL_DOES_NOT_EXIST);
		CHECK_INT(p->pod_selector.reqs[3].pos.line, 10);
		CHECK_INT(p->host_selector.nr_reqs, 0);
		hornet_policy_free(p);
	}
	UNIT_CASE("null selectors are absent")
	{
		p = must(HDR "  podSelector: ~\n  hostSelector: null\n" HOOK);
		if (p)
			CHECK(!p->pod_selector.present && !p->host_selector.present &&
			      !hornet_policy_scoped(p));
		hornet_policy_free(p);
	}
}

static const char *const web[][2] = { { "app", "web" }, { "env", "prod" } };

static bool selects(const struct hornet_policy *p, const char *ns, const char *name,
		    const char *repo)
{
	struct hornet_workload w = {
		.pod_namespace = ns, .labels = web, .nr_labels = 2, .name = name, .repo = repo
	};

	return hornet_policy_selects(p, &w);
}

/* Tetragon's reading of absent and {} selectors (pkg/sensors/k8s.go). */
static const struct {
	const char *name, *yaml;
	bool scoped, host, prod, dev;
	const char *shown;
} reach[] = {
	{ "namespaced: its namespace only", NSD HOOK, true, false, true, false, "namespace prod" },
	{ "hostSelector alone: the host only", HDR "  hostSelector: {}\n" HOOK, true, true, false,
	  false, "host" },
	{ "all three {}: unscoped",
	  HDR "  podSelector: {}\n  containerSelector: {}\n  hostSelector: {}\n" HOOK, false, true,
	  true, true, "all" },
	{ "no selector: unscoped", HDR HOOK, false, true, true, true, "all" },
	{ "podSelector {} and hostSelector {}", HDR "  podSelector: {}\n  hostSelector: {}\n" HOOK,
	  true, true, true, true, "pods {}; host" },
};

static void test_match(void)
{
	struct hornet_policy *p;
	char s[256];

	UNIT_CASE("podSelector")
	{
		p = must(HDR
			 "  podSelector:\n    matchLabels: {app: web}\n"
			 "    matchExpressions:\n"
			 "    - {key: k8s:io.kubernetes.pod.namespace, operator: In, values: [a]}\n"
			 "    - {key: canary, operator: DoesNotExist}\n"
			 "    - {key: env, operator: NotIn, values: [dev]}\n" HOOK);
		if (!p)
			continue;
		CHECK(hornet_policy_scoped(p));
		CHECK(selects(p, "a", "c", NULL));
		CHECK(!selects(p, "b", "c", NULL)); /* namespace as a label */
		CHECK(!selects(p, NULL, "c", NULL)); /* not in a pod */
		CHECK(!hornet_policy_selects_host(p));
		hornet_policy_scope_str(p, s, sizeof(s));
		CHECK_STR(s, "pods app=web,k8s:io.kubernetes.pod.namespace=a,canary !exists,"
			     "env notin dev");
		hornet_policy_free(p);
	}
	UNIT_CASE("podSelector In misses")
	{
		p = must(HDR "  podSelector:\n    matchExpressions:\n"
			     "    - {key: app, operator: In, values: [db, cache]}\n" HOOK);
		if (p)
			CHECK(!selects(p, "a", "c", NULL));
		hornet_policy_free(p);
	}
	UNIT_CASE("containerSelector alone: every pod")
	{
		p = must(HDR "  containerSelector:\n    matchExpressions:\n"
			     "    - {key: name, operator: In, values: [main]}\n"
			     "    - {key: repo, operator: In, values: "
			     "[docker.io/library/busybox]}\n" HOOK);
		if (!p)
			continue;
		CHECK(selects(p, "a", "main", "docker.io/library/busybox"));
		CHECK(!selects(p, "a", "side", "docker.io/library/busybox"));
		CHECK(!selects(p, "a", "main", NULL));
		hornet_policy_free(p);
	}
	for (size_t i = 0; i < sizeof(reach) / sizeof(reach[0]); i++) {
		UNIT_CASE(reach[i].name)
		{
			p = must(reach[i].yaml);
			if (!p)
				continue;
			CHECK_INT(hornet_policy_scoped(p), reach[i].scoped);
			CHECK_INT(hornet_policy_selects_host(p), reach[i].host);
			CHECK_INT(selects(p, "prod", "c", NULL), reach[i].prod);
			CHECK_INT(selects(p, "dev", "c", NULL), reach[i].dev);
			hornet_policy_scope_str(p, s, sizeof(s));
			CHECK_STR(s, reach[i].shown);
			hornet_policy_free(p);
		}
	}
}

static void test_repo(void)
{
	static const char *const cases[][2] = {
		{ "docker.io/library/busybox:1.36", "docker.io/library/busybox" },
		{ "docker.io/library/busybox@sha256:ab", "docker.io/library/busybox" },
		{ "localhost:5000/busybox:1@sha256:ab", "localhost:5000/busybox" },
		{ "localhost:5000/busybox", "localhost:5000/busybox" },
		{ "busybox", "busybox" },
	};
	char out[128];
	size_t i;

	UNIT_CASE("image repo")
	{
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			hornet_image_repo(cases[i][0], out, sizeof(out));
			CHECK_STR(out, cases[i][1]);
		}
	}
}

/* The compiler marks the selectors of a scoped user and the point. */
static void test_compile(void)
{
	struct hornet_point_user u[2] = {};
	struct hornet_plan_hook ph = {};
	struct hornet_point_config cfg;
	struct hornet_policy *p, *host = NULL;
	char err[512];

	UNIT_CASE("compiled scope")
	{
		p = must(HDR "  podSelector: {matchLabels: {app: web}}\n" HOOK);
		host = must(HDR
			    "  podSelector: {matchLabels: {app: web}}\n  hostSelector: {}\n" HOOK);
		if (!p || !host)
			continue;
		ph.hook = &p->hooks[0];
		ph.mech = HORNET_MECH_KPROBE;
		ph.nr_fn_args = 6;
		u[0].policy_id = 1;
		u[0].policy = p;
		u[0].ph = &ph;
		u[0].scope = 8;
		u[1] = u[0];
		u[1].policy_id = 2;
		u[1].scope = 0;
		CHECK_INT(hornet_point_compile(u, 2, &cfg, err, sizeof(err)), 0);
		CHECK_INT(cfg.cfg.scoped, 1);
		CHECK_INT(cfg.cfg.nr_sels, 2);
		CHECK_INT(cfg.sels[0].scope, 8);
		CHECK_INT(cfg.sels[1].scope, 0);
		CHECK(!(cfg.sels[0].flags & HORNET_SEL_HOST));
		hornet_point_config_free(&cfg);
		/* a scope that holds the host says so in the selector */
		u[0].policy = host;
		CHECK_INT(hornet_point_compile(u, 1, &cfg, err, sizeof(err)), 0);
		CHECK(cfg.sels[0].flags & HORNET_SEL_HOST);
		hornet_point_config_free(&cfg);
		CHECK_INT(hornet_point_compile(&u[1], 1, &cfg, err, sizeof(err)), 0);
		CHECK_INT(cfg.cfg.scoped, 0);
		hornet_point_config_free(&cfg);
		hornet_policy_free(p);
		hornet_policy_free(host);
	}
}

int main(void)
{
	test_parse();
	test_match();
	test_repo();
	test_compile();
	UNIT_EXIT();
}
