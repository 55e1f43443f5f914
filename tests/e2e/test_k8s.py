#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The pod cache from the Kubernetes API, end to end: the real agent with
--enable-k8s-api against a real kube-apiserver with etcd (tests/lib/kube.py)
and against a fake API server (tests/lib/fakeapi.py) for the faults a real
one does not produce on request. What the cache holds is read with
`hornet pods -o json`, its state with `hornet status`. All of it is user space:
the host's run covers it, and the VMs skip it."""
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, Agent, Fail, check, host_only, run, skip, test  # noqa: E402
from fakeapi import FakeAPI, make_pod  # noqa: E402
from kube import KUBECTL, Kube, free_port, make_ca  # noqa: E402


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def k8s_agent(kubeconfig, node, *args):
    return Agent("--enable-k8s-api", "--k8s-kubeconfig-path", kubeconfig, "--network=false",
                 *args, node=node)


def pods(a):
    r = subprocess.run([HORNET, "pods", "--socket", a.socket, "-o", "json"], capture_output=True,
                       timeout=30)
    if r.returncode != 0:
        raise Fail("hornet pods: %s" % r.stderr.decode())
    return {"%s/%s" % (p["namespace"], p["name"]): p for p in json.loads(r.stdout)["pods"]}


def k8s(a):
    return a.status()["k8s"]


def wait(what, fn, timeout=20):
    """Polls @fn until it returns something true; Fail with @what and the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Fail("%s not seen in %d s (last: %s)" % (what, timeout, str(v)[:500]))
        time.sleep(0.1)


def wait_pods(a, fn, what, timeout=20):
    last = {}

    def probe():
        last["p"] = pods(a)
        return fn(last["p"])
    try:
        wait(what, probe, timeout)
        return last["p"]
    except Fail:
        raise Fail("%s not seen in %d s; the cache holds %s; status %s; log %s" % (
            what, timeout, sorted(last.get("p", {})), k8s(a), a.log_text()[-800:]))


def alive(a):
    check(a.proc.poll() is None, "agent exited: %s" % a.log_text())


# --- against the fake API server ---

@test("k8s_fake_pods_of_this_node")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        web = api.add_pod(make_pod("shop", "web-5d8f9-abcde", node,
                                   labels={"app": "web", "pod-template-hash": "5d8f9"},
                                   owner=("ReplicaSet", "web-5d8f9")))
        api.add_pod(make_pod("shop", "elsewhere", "other-" + node))
        a = k8s_agent(api.kubeconfig(), node)
        got = wait_pods(a, lambda p: "shop/web-5d8f9-abcde" in p, "the pod of this node")
        p = got["shop/web-5d8f9-abcde"]
        check(p["workload"] == "web" and p["workload_kind"] == "Deployment",
              "workload %s/%s" % (p["workload_kind"], p["workload"]))
        cid = web["status"]["containerStatuses"][0]["containerID"].split("//")[1]
        check(p["containers"][0]["id"] == cid and p["containers"][0]["runtime"] == "containerd",
              "container %s" % p["containers"])
        check("shop/elsewhere" not in got, "a pod of another node is in the cache")
        st = k8s(a)
        check(st["synced"] and st["pods"] == 1 and not st["last_error"], "status %s" % st)

        uid = web["metadata"]["uid"]
        api.modify_pod(uid, lambda pod: pod["metadata"]["labels"].update(app="web2"))
        wait_pods(a, lambda p: p["shop/web-5d8f9-abcde"]["labels"]["app"] == "web2",
                  "the label change")
        second = api.add_pod(make_pod("shop", "late", node))
        wait_pods(a, lambda p: "shop/late" in p, "a pod added after the list")
        api.delete_pod(uid)
        wait_pods(a, lambda p: "shop/web-5d8f9-abcde" not in p and "shop/late" in p,
                  "the deleted pod gone")
        check(second["metadata"]["uid"] == pods(a)["shop/late"]["uid"], "uid of shop/late")
        alive(a)
    finally:
        api.stop()


@test("k8s_fake_down_and_back_relists_on_410")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        keep = api.add_pod(make_pod("ns", "keep", node))
        gone = api.add_pod(make_pod("ns", "gone", node))
        a = k8s_agent(api.kubeconfig(), node)
        wait_pods(a, lambda p: {"ns/keep", "ns/gone"} <= set(p), "both pods")
        api.down()
        wait("the error while the API is down", lambda: k8s(a)["last_error"])
        # what changes meanwhile, the agent cannot see as events: the history is gone
        api.delete_pod(gone["metadata"]["uid"])
        api.add_pod(make_pod("ns", "new", node))
        api.modify_pod(keep["metadata"]["uid"],
                       lambda pod: pod["metadata"]["labels"].update(v="2"))
        api.compact()
        api.up()
        wait_pods(a, lambda p: set(p) == {"ns/keep", "ns/new"} and
                  p["ns/keep"]["labels"].get("v") == "2", "the cache right after a relist")
        st = wait("synced again", lambda: k8s(a)["synced"] and k8s(a))
        check(st["gone"] >= 1 and st["lists"] >= 2, "no 410 relist counted: %s" % st)
        check(not st["last_error"], "error still set: %s" % st)

        # an ERROR event with code 410 inside a watch relists too
        lists = st["lists"]
        api.next_watch("gone")
        api.kick()
        wait("a relist after an ERROR 410 event", lambda: k8s(a)["lists"] > lists)
        wait_pods(a, lambda p: set(p) == {"ns/keep", "ns/new"}, "the same cache")
        alive(a)
    finally:
        api.stop()


@test("k8s_fake_backoff_on_429_and_500")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        api.add_pod(make_pod("ns", "p1", node))
        a = k8s_agent(api.kubeconfig(), node)
        wait_pods(a, lambda p: "ns/p1" in p, "the pod")
        n = len(api.watch_times())
        api.fail_next(429, retry_after=2)
        api.kick()
        wait("the watch back after a 429", lambda: len(api.watch_times()) >= n + 2)
        t = api.watch_times()
        check(t[n + 1] - t[n] >= 1.9, "Retry-After 2 not honoured: %.2f s" % (t[n + 1] - t[n]))
        st = k8s(a)
        check(st["throttled"] >= 1, "429 not counted: %s" % st)

        n = len(api.watch_times())
        api.fail_next(500, n=3)
        api.kick()
        wait("the watch back after three 500s", lambda: len(api.watch_times()) >= n + 4)
        t = api.watch_times()[n:n + 4]
        gaps = [t[i + 1] - t[i] for i in range(3)]
        # 250 ms doubling, each drawn in [d/2, d]: the third is at least twice the first
        check(gaps[2] > gaps[0] and gaps[2] >= 0.45, "no exponential backoff: %s" % gaps)
        api.add_pod(make_pod("ns", "p2", node))
        wait_pods(a, lambda p: "ns/p2" in p, "a pod after the errors")
        check(k8s(a)["errors"] >= 4, "errors not counted: %s" % k8s(a))
        alive(a)
    finally:
        api.stop()


@test("k8s_fake_cut_mid_line_and_split_lines")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        a = k8s_agent(api.kubeconfig(), node)
        wait("synced", lambda: k8s(a)["synced"])
        api.next_watch("cut")
        api.kick()
        time.sleep(0.5)
        api.add_pod(make_pod("ns", "after-cut", node))
        wait_pods(a, lambda p: "ns/after-cut" in p, "the pod whose line was cut")
        api.split = True
        for i in range(5):
            api.add_pod(make_pod("ns", "split-%d" % i, node,
                                 labels={"k%d" % j: "v" * 40 for j in range(20)}))
        wait_pods(a, lambda p: all("ns/split-%d" % i in p for i in range(5)),
                  "pods whose lines came in pieces")
        check(len(pods(a)["ns/split-3"]["labels"]) == 20, "labels of a split line")
        alive(a)
    finally:
        api.stop()


@test("k8s_fake_huge_objects_refused")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        many = {"l%05d" % i: "v" for i in range(10000)}
        big = {"blob": "x" * (1 << 20)}
        # in the list ...
        api.add_pod(make_pod("ns", "labels-list", node, labels=many))
        api.add_pod(make_pod("ns", "annotations-list", node, annotations=big))
        api.add_pod(make_pod("ns", "fine", node))
        a = k8s_agent(api.kubeconfig(), node)
        wait_pods(a, lambda p: "ns/fine" in p, "the normal pod")
        # ... and in the watch
        api.add_pod(make_pod("ns", "labels-watch", node, labels=many))
        api.add_pod(make_pod("ns", "annotations-watch", node, annotations=big))
        api.add_pod(make_pod("ns", "fine2", node))
        got = wait_pods(a, lambda p: "ns/fine2" in p, "the normal pod after the huge ones")
        check(not [n for n in got if "labels-" in n or "annotations-" in n],
              "a huge pod is in the cache: %s" % sorted(got))
        st = k8s(a)
        check(st["refused"] == 4, "refused %d, want 4" % st["refused"])
        # a known pod that grows over the limits is no longer known as it was
        api.modify_pod(got["ns/fine"]["uid"], lambda pod: pod["metadata"].update(annotations=big))
        wait_pods(a, lambda p: "ns/fine" not in p and "ns/fine2" in p,
                  "the pod that grew too large forgotten")
        alive(a)
        check(a.rss_kb()[0] < 200 * 1024, "agent RSS %d KiB" % a.rss_kb()[0])
    finally:
        api.stop()


@test("k8s_fake_bad_token_then_fixed")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        api.add_pod(make_pod("ns", "p", node))
        tok = os.path.join(api.dir, "token")
        with open(tok, "w") as f:
            f.write("wrong-token\n")
        a = k8s_agent(api.kubeconfig(token_file=tok), node)
        err = wait("the 401 error", lambda: k8s(a)["last_error"])
        check("401" in err and api.server in err and "tokenFile" in err,
              "unclear error: %s" % err)
        check("401" in a.log_text(), "the error is not in the log: %s" % a.log_text())
        e1 = k8s(a)["errors"]
        wait("retries", lambda: k8s(a)["errors"] > e1)
        # the token file is read again on every connect: projected tokens rotate
        with open(tok, "w") as f:
            f.write(api.token + "\n")
        wait_pods(a, lambda p: "ns/p" in p, "the pod once the token is right", timeout=45)
        check(not k8s(a)["last_error"], "error not cleared: %s" % k8s(a))
        check("connected to %s again" % api.server in a.log_text(), "no recovery in the log")
    finally:
        api.stop()


@test("k8s_fake_bad_ca")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        other_ca, _ = make_ca(api.dir, "other")
        a = k8s_agent(api.kubeconfig(ca=other_ca), node)
        err = wait("the TLS error", lambda: k8s(a)["last_error"])
        check("TLS" in err and other_ca in err and api.server in err, "unclear error: %s" % err)
        e1 = k8s(a)["errors"]
        wait("retries", lambda: k8s(a)["errors"] > e1)
        alive(a)
    finally:
        api.stop()


@test("k8s_fake_unreachable_at_start")
def _():
    host_only("the Kubernetes API client")
    port = free_port()
    node = unique("node")
    probe = FakeAPI(port=port)     # only for its CA and kubeconfig
    kc = probe.kubeconfig()
    probe.down()
    a = k8s_agent(kc, node)
    try:
        err = wait("the connection error", lambda: k8s(a)["last_error"])
        check("127.0.0.1:%d" % port in err, "error does not name the server: %s" % err)
        check(k8s(a)["pods"] == 0 and not k8s(a)["synced"], "status %s" % k8s(a))
        probe.up()
        probe.add_pod(make_pod("ns", "p", node))
        wait_pods(a, lambda p: "ns/p" in p, "the pod once the server is up", timeout=45)
        alive(a)
    finally:
        probe.stop()


@test("k8s_stop_is_prompt")
def _():
    host_only("the Kubernetes API client")
    """SIGTERM ends the agent at once whether its watch sleeps in a backoff or streams."""
    port = free_port()
    node = unique("node")
    api = FakeAPI(port=port)
    kc = api.kubeconfig()
    api.down()
    try:
        a = k8s_agent(kc, node)
        # five failures: the backoff is now in seconds
        wait("a long backoff", lambda: k8s(a)["errors"] >= 5, timeout=30)
        t0 = time.monotonic()
        check(a.stop() == 0, "agent exit status %s" % a.proc.returncode)
        took = time.monotonic() - t0
        check(took < 1.5, "stop took %.2f s during a backoff" % took)
        api.up()
        b = k8s_agent(kc, node)
        wait("a streaming watch", lambda: k8s(b)["synced"] and api.watches_open)
        t0 = time.monotonic()
        check(b.stop() == 0, "agent exit status %s" % b.proc.returncode)
        took = time.monotonic() - t0
        check(took < 1.5, "stop took %.2f s during a watch" % took)
    finally:
        api.stop()


@test("k8s_fake_dead_watch_cut")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    try:
        a = k8s_agent(api.kubeconfig(), node, "--k8s-watch-timeout", "2")
        wait("synced", lambda: k8s(a)["synced"])
        api.next_watch("silent")
        api.kick()
        time.sleep(0.5)
        api.add_pod(make_pod("ns", "during-silence", node))
        wait_pods(a, lambda p: "ns/during-silence" in p, "the pod after the silent watch")
        check(k8s(a)["dead"] >= 1, "dead watch not counted: %s" % k8s(a))
    finally:
        api.stop()


@test("k8s_fake_in_cluster_token_rotates")
def _():
    host_only("the Kubernetes API client")
    api = FakeAPI()
    node = unique("node")
    sa = os.path.join(api.dir, "serviceaccount")
    env = {k: os.environ.get(k) for k in ("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT")}
    try:
        os.makedirs(sa)
        with open(api.ca) as f, open(os.path.join(sa, "ca.crt"), "w") as g:
            g.write(f.read())
        with open(os.path.join(sa, "namespace"), "w") as f:
            f.write("kube-system")
        with open(os.path.join(sa, "token"), "w") as f:
            f.write(api.token)
        api.add_pod(make_pod("ns", "p1", node))
        os.environ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1"
        os.environ["KUBERNETES_SERVICE_PORT"] = str(api.port)
        a = Agent("--enable-k8s-api", "--k8s-service-account-dir", sa, "--network=false",
                  node=node)
        wait_pods(a, lambda p: "ns/p1" in p, "the pod, in-cluster")
        # the kubelet rotates a projected token: the server takes only the new one
        api.token = "rotated-" + api.token
        with open(os.path.join(sa, "token"), "w") as f:
            f.write(api.token)
        api.kick()
        api.add_pod(make_pod("ns", "p2", node))
        wait_pods(a, lambda p: "ns/p2" in p, "a pod after the token rotated")
        check(not k8s(a)["last_error"], "error after rotation: %s" % k8s(a))
    finally:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        api.stop()


@test("k8s_fake_speaks_kubectl")
def _():
    host_only("the Kubernetes API client")
    if not os.access(KUBECTL, os.X_OK):
        skip("needs kubectl (%s)" % KUBECTL)
    api = FakeAPI()
    try:
        api.add_pod(make_pod("ns1", "web", "n1"))
        api.add_pod(make_pod("ns2", "db", "n2"))
        kc = api.kubeconfig()
        r = subprocess.run([KUBECTL, "--kubeconfig", kc, "get", "pods", "-A"],
                           capture_output=True, timeout=60)
        out = r.stdout.decode()
        check(r.returncode == 0 and "web" in out and "db" in out,
              "kubectl get: %s %s" % (out, r.stderr.decode()[-500:]))
        w = subprocess.Popen([KUBECTL, "--kubeconfig", kc, "get", "pods", "-A", "--watch",
                              "--output-watch-events", "--request-timeout=8s"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2)
        api.add_pod(make_pod("ns1", "added-while-watching", "n1"))
        time.sleep(2)
        w.terminate()
        out, err = w.communicate(timeout=20)
        check(b"added-while-watching" in out and b"ADDED" in out,
              "kubectl watch: %s %s" % (out.decode(), err.decode()[-500:]))
    finally:
        api.stop()


# --- against a real kube-apiserver ---

@test("k8s_real_pods_labels_delete")
def _():
    host_only("the Kubernetes API client")
    with Kube() as k:
        node, ns = unique("node"), unique("ns")
        k.create_namespace(ns)
        k.create_pod(ns, "web-6c9f-x1", node, labels={"app": "web", "pod-template-hash": "6c9f"},
                     owner=("ReplicaSet", "web-6c9f", str(uuid.uuid4())),
                     probes={"c1": ["/bin/health", "-q"]})
        k.create_pod(ns, "other", "other-" + node)
        cid = uuid.uuid4().hex * 2
        k.set_running(ns, "web-6c9f-x1", [("c1", cid)])
        a = k8s_agent(k.kubeconfig(), node)
        key = ns + "/web-6c9f-x1"
        got = wait_pods(a, lambda p: key in p and p[key]["containers"][0]["id"], "the pod")
        p = got[key]
        check(p["workload"] == "web" and p["workload_kind"] == "Deployment",
              "workload %s" % p)
        c = p["containers"][0]
        check(c["id"] == cid and c["name"] == "c1" and c["maybe_exec_probe"] and
              c["image_id"].startswith("docker.io/library/busybox@sha256:"), "container %s" % c)
        check(ns + "/other" not in got, "a pod of another node is in the cache")
        k.set_labels(ns, "web-6c9f-x1", {"app": "web-v2"})
        wait_pods(a, lambda p: p[key]["labels"].get("app") == "web-v2", "the label change")
        k.create_pod(ns, "second", node)
        wait_pods(a, lambda p: ns + "/second" in p, "a pod created after the list")
        k.delete_pod(ns, "web-6c9f-x1")
        wait_pods(a, lambda p: key not in p and ns + "/second" in p, "the pod deleted")
        st = k8s(a)
        check(st["synced"] and st["resource_version"] and not st["last_error"], "status %s" % st)
        k.delete_namespace(ns)


@test("k8s_real_many_labels_refused")
def _():
    host_only("the Kubernetes API client")
    with Kube() as k:
        node, ns = unique("node"), unique("ns")
        k.create_namespace(ns)
        k.create_pod(ns, "many", node, labels={"l%05d" % i: "v" for i in range(10000)})
        k.create_pod(ns, "fine", node)
        a = k8s_agent(k.kubeconfig(), node)
        wait_pods(a, lambda p: ns + "/fine" in p, "the normal pod")
        k.create_pod(ns, "many-later", node, labels={"m%05d" % i: "v" for i in range(2000)})
        k.create_pod(ns, "fine-later", node)
        got = wait_pods(a, lambda p: ns + "/fine-later" in p, "the normal pod after")
        check(ns + "/many" not in got and ns + "/many-later" not in got,
              "a pod with thousands of labels is in the cache")
        check(k8s(a)["refused"] == 2, "refused %d, want 2" % k8s(a)["refused"])
        alive(a)
        k.delete_namespace(ns)


@test("k8s_real_down_and_back")
def _():
    host_only("the Kubernetes API client")
    with Kube() as k:
        node, ns = unique("node"), unique("ns")
        k.create_namespace(ns)
        k.create_pod(ns, "p1", node)
        a = k8s_agent(k.kubeconfig(), node)
        wait_pods(a, lambda p: ns + "/p1" in p, "the pod")
        k.stop_apiserver()
        err = wait("the error while the API server is down", lambda: k8s(a)["last_error"])
        check(k.server in err, "error does not name the server: %s" % err)
        k.start_apiserver()
        k.create_pod(ns, "p2", node)
        k.delete_pod(ns, "p1")
        wait_pods(a, lambda p: set(p) == {ns + "/p2"}, "the cache right after the restart",
                  timeout=60)
        wait("the error cleared", lambda: not k8s(a)["last_error"], timeout=30)
        alive(a)
        k.delete_namespace(ns)


@test("k8s_real_bad_token_then_fixed")
def _():
    host_only("the Kubernetes API client")
    with Kube() as k:
        node, ns = unique("node"), unique("ns")
        k.create_namespace(ns)
        k.create_pod(ns, "p", node)
        tok = os.path.join(k.dir, "agent-token")
        with open(tok, "w") as f:
            f.write("not-the-token\n")
        a = k8s_agent(k.kubeconfig(path=os.path.join(k.dir, "agent.kubeconfig"),
                                   token_file=tok), node)
        err = wait("the 401 error", lambda: k8s(a)["last_error"])
        check("401 Unauthorized" in err and k.server in err, "unclear error: %s" % err)
        with open(tok, "w") as f:
            f.write(k.token + "\n")
        wait_pods(a, lambda p: ns + "/p" in p, "the pod once the token is right", timeout=45)
        k.delete_namespace(ns)


run()
