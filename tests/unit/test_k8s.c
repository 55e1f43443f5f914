// SPDX-License-Identifier: GPL-2.0
/* Kubeconfig parsing and Pod objects into struct hornet_pod. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "k8s/client.h"
#include "k8s/pods.h"
#include "util/base64.h"

static char dir[] = "/tmp/hornet-test-k8s-XXXXXX";
static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

/* A kubeconfig with one context; @cluster and @user are the inner YAML maps' lines. */
static const char *kubeconfig(const char *cluster, const char *user)
{
	static char text[8192];

	snprintf(text, sizeof(text),
		 "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
		 "contexts:\n- name: other\n  context: {cluster: x, user: x}\n"
		 "- name: c\n  context:\n    cluster: k\n    user: u\n    namespace: ns1\n"
		 "clusters:\n- name: k\n  cluster:\n%s"
		 "users:\n- name: u\n  user:\n%s",
		 cluster, user);
	return write_file("config", text);
}

static int load(struct hornet_k8s_conn *c, const char *cluster, const char *user, char *err)
{
	return hornet_k8s_conn_kubeconfig(c, kubeconfig(cluster, user), err, 512);
}

static void test_kubeconfig(void)
{
	char b64[512], line[1024], err[512], want[1536];
	struct hornet_k8s_conn c;

	hornet_base64_encode(pem, strlen(pem), b64, sizeof(b64));
	UNIT_CASE("kubeconfig: token, CA file relative to the kubeconfig")
	{
		CHECK_INT(load(&c,
			       "    server: https://10.0.0.1:6443/\n"
			       "    certificate-authority: ca.crt\n",
			       "    token: abc.def\n", err),
			  0);
		CHECK_STR(c.server, "https://10.0.0.1:6443");
		snprintf(want, sizeof(want), "%s/ca.crt", dir);
		CHECK_STR(c.ca_file, want);
		CHECK_STR(c.token, "abc.def");
		CHECK_STR(c.namespace, "ns1");
		CHECK(!c.insecure && !c.token_file && !c.cert_data);
		hornet_k8s_conn_fini(&c);
	}
	UNIT_CASE("kubeconfig: tokenFile, embedded CA and client certificate")
	{
		snprintf(line, sizeof(line),
			 "    server: https://h:1\n    certificate-authority-data: %s\n", b64);
		snprintf(want, sizeof(want),
			 "    tokenFile: /var/run/tok\n    client-certificate-data: %s\n"
			 "    client-key-data: %s\n",
			 b64, b64);
		CHECK_INT(load(&c, line, want, err), 0);
		CHECK_STR(c.ca_data, pem);
		CHECK_STR(c.cert_data, pem);
		CHECK_STR(c.key_data, pem);
		CHECK_STR(c.token_file, "/var/run/tok");
		CHECK(!c.ca_file);
		hornet_k8s_conn_fini(&c);
	}
	UNIT_CASE("kubeconfig: client certificate files, insecure")
	{
		CHECK_INT(load(&c, "    server: https://h:1\n    insecure-skip-tls-verify: true\n",
			       "    client-certificate: /a.crt\n    client-key: /a.key\n", err),
			  0);
		CHECK(c.insecure);
		CHECK_STR(c.cert_file, "/a.crt");
		CHECK_STR(c.key_file, "/a.key");
		hornet_k8s_conn_fini(&c);
	}
	UNIT_CASE("kubeconfig: bad ones name the field")
	{
		CHECK_INT(load(&c, "    server: https://h:1\n    certificate-authority-data: abc*def\n",
			       "    token: t\n", err),
			  -EINVAL);
		CHECK(strstr(err, "certificate-authority-data: not valid base64") != NULL);
		hornet_base64_encode("hello", 5, b64, sizeof(b64));
		snprintf(line, sizeof(line), "    client-certificate-data: %s\n", b64);
		CHECK_INT(load(&c, "    server: https://h:1\n", line, err), -EINVAL);
		CHECK(strstr(err, "client-certificate-data: the decoded data is not PEM") != NULL);
		CHECK_INT(
			load(&c, "    server: https://h:1\n", "    client-certificate: /a\n", err),
			-EINVAL);
		CHECK(strstr(err, "client-key") != NULL);
		CHECK_INT(load(&c, "    certificate-authority: /ca\n", "    token: t\n", err),
			  -EINVAL);
		CHECK(strstr(err, "cluster 'k': no server") != NULL);
		CHECK_INT(load(&c, "    server: ftp://h\n", "    token: t\n", err), -EINVAL);
		CHECK(strstr(err, "not an http(s) URL") != NULL);
		CHECK_INT(load(&c, "    server: https://h\n", "    exec: {command: x}\n", err),
			  -EOPNOTSUPP);
		CHECK(strstr(err, "exec and auth-provider") != NULL);
		CHECK_INT(hornet_k8s_conn_kubeconfig(&c, write_file("bad", "a: [\n"), err, 512),
			  -EINVAL);
		CHECK(strstr(err, "/bad': line") != NULL);
		CHECK_INT(hornet_k8s_conn_kubeconfig(&c, write_file("nocur", "kind: Config\n"), err,
						     512),
			  -EINVAL);
		CHECK(strstr(err, "no current-context") != NULL);
		CHECK_INT(hornet_k8s_conn_kubeconfig(&c, "/nonexistent/kc", err, 512), -ENOENT);
		CHECK(strstr(err, "'/nonexistent/kc': cannot open") != NULL);
	}
	UNIT_CASE("in-cluster: environment and service-account directory")
	{
		setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
		setenv("KUBERNETES_SERVICE_PORT", "443", 1);
		write_file("token", "tok\n");
		write_file("namespace", "kube-system\n");
		CHECK_INT(hornet_k8s_conn_in_cluster(&c, dir, err, sizeof(err)), 0);
		CHECK_STR(c.server, "https://10.96.0.1:443");
		CHECK_STR(c.namespace, "kube-system");
		snprintf(want, sizeof(want), "%s/ca.crt", dir);
		CHECK_STR(c.ca_file, want);
		hornet_k8s_conn_fini(&c);
		setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
		CHECK_INT(hornet_k8s_conn_in_cluster(&c, dir, err, sizeof(err)), 0);
		CHECK_STR(c.server, "https://[fd00::1]:443");
		hornet_k8s_conn_fini(&c);
		CHECK_INT(hornet_k8s_conn_in_cluster(&c, "/nonexistent", err, sizeof(err)),
			  -ENOENT);
		CHECK(strstr(err, "/nonexistent/token") != NULL);
		unsetenv("KUBERNETES_SERVICE_HOST");
		CHECK_INT(hornet_k8s_conn_in_cluster(&c, dir, err, sizeof(err)), -ENOENT);
		CHECK(strstr(err, "KUBERNETES_SERVICE_HOST") != NULL);
	}
}

static json_t *pod_json(const char *owner, const char *labels)
{
	char text[4096];
	json_error_t e;

	snprintf(
		text, sizeof(text),
		"{\"metadata\":{\"name\":\"web-7d9c8-x2x\",\"namespace\":\"shop\","
		"\"uid\":\"0b7c8a4e-1111-2222-3333-444455556666\",\"labels\":%s%s},"
		"\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"busybox\","
		"\"livenessProbe\":{\"exec\":{\"command\":[\"/bin/check\",\"-q\"]}}},"
		"{\"name\":\"side\",\"image\":\"envoy\"}],"
		"\"initContainers\":[{\"name\":\"init\",\"image\":\"alpine\"}]},"
		"\"status\":{\"containerStatuses\":[{\"name\":\"app\",\"image\":"
		"\"docker.io/library/busybox:1.36\",\"imageID\":\"docker.io/library/busybox@sha256:"
		"00\",\"containerID\":\"containerd://%064d\",\"state\":{\"running\":{"
		"\"startedAt\":\"2024-05-01T10:00:00Z\"}}},"
		"{\"name\":\"side\",\"containerID\":\"cri-o://%064d\"}],"
		"\"initContainerStatuses\":[{\"name\":\"init\",\"containerID\":\"docker://"
		"short\"}]}}",
		labels, owner, 1, 2);
	return json_loads(text, 0, &e);
}

static void test_pod(void)
{
	struct hornet_pod pod;
	char err[256];
	json_t *o;

	UNIT_CASE("pod: fields, labels sorted, containers from spec and status")
	{
		o = pod_json(
			",\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"web-7d9c8\","
			"\"controller\":true}]",
			"{\"zz\":\"1\",\"app\":\"web\",\"pod-template-hash\":\"7d9c8\"}");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), 0);
		CHECK_STR(pod.uid, "0b7c8a4e-1111-2222-3333-444455556666");
		CHECK_STR(pod.namespace, "shop");
		CHECK_STR(pod.name, "web-7d9c8-x2x");
		CHECK(pod.from_api);
		CHECK_INT(pod.nr_labels, 3);
		CHECK_STR(pod.labels[0].key, "app");
		CHECK_STR(pod.labels[2].key, "zz");
		CHECK_STR(pod.workload, "web");
		CHECK_STR(pod.workload_kind, "Deployment");
		CHECK_INT(pod.nr_containers, 3);
		CHECK_STR(pod.containers[0].name, "init");
		CHECK_STR(pod.containers[0].id, ""); /* not a 64-hex id */
		CHECK_STR(pod.containers[1].name, "app");
		CHECK_INT(pod.containers[1].runtime, HORNET_RUNTIME_CONTAINERD);
		CHECK_STR(pod.containers[1].id,
			  "0000000000000000000000000000000000000000000000000000000000000001");
		CHECK_STR(pod.containers[1].image_name, "docker.io/library/busybox:1.36");
		CHECK_STR(pod.containers[1].image_id, "docker.io/library/busybox@sha256:00");
		CHECK_INT(pod.containers[1].start_ns, 1714557600ULL * 1000000000ULL);
		CHECK(pod.containers[1].maybe_exec_probe_cmds);
		CHECK_STR(pod.containers[1].exec_probe_cmds[0], "/bin/check");
		CHECK(!pod.containers[1].exec_probe_cmds[1]);
		CHECK_INT(pod.containers[2].runtime, HORNET_RUNTIME_CRIO);
		CHECK_STR(pod.containers[2].image_name, "envoy");
		CHECK(!pod.containers[2].maybe_exec_probe_cmds);
		hornet_pod_fini(&pod);
		json_decref(o);
	}
	UNIT_CASE("pod: workload rules")
	{
		/* a ReplicaSet without the hash label stays a ReplicaSet */
		o = pod_json(
			",\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"web-7d9c8\","
			"\"controller\":true}]",
			"{}");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), 0);
		CHECK_STR(pod.workload, "web-7d9c8");
		CHECK_STR(pod.workload_kind, "ReplicaSet");
		hornet_pod_fini(&pod);
		json_decref(o);
		/* only the controller counts */
		o = pod_json(",\"ownerReferences\":[{\"kind\":\"Node\",\"name\":\"n\"},"
			     "{\"kind\":\"Job\",\"name\":\"nightly-28000\",\"controller\":true}]",
			     "{}");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), 0);
		CHECK_STR(pod.workload, "nightly-28000");
		CHECK_STR(pod.workload_kind, "Job");
		hornet_pod_fini(&pod);
		json_decref(o);
		/* no owner: the pod itself */
		o = pod_json("", "{}");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), 0);
		CHECK_STR(pod.workload, "web-7d9c8-x2x");
		CHECK_STR(pod.workload_kind, "Pod");
		hornet_pod_fini(&pod);
		json_decref(o);
	}
	UNIT_CASE("pod: malformed objects are refused with the field")
	{
		o = pod_json("", "{\"app\":7}");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "metadata.labels.app: not a string");
		json_decref(o);
		o = json_pack("{s:{s:s,s:s}}", "metadata", "name", "x", "namespace", "y");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "metadata.uid: missing");
		json_decref(o);
		o = json_pack("{s:{s:s,s:s}}", "metadata", "uid", "u", "namespace", "y");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "metadata.name: missing");
		json_decref(o);
		o = json_pack("{s:{s:s,s:s,s:s},s:{s:[{}]}}", "metadata", "uid", "u", "name", "x",
			      "namespace", "y", "spec", "containers");
		CHECK_INT(hornet_k8s_pod_parse(o, &pod, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "spec.containers[0].name: missing");
		json_decref(o);
	}
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 1;
	test_kubeconfig();
	test_pod();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	UNIT_EXIT();
}
