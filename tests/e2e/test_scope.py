#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Policies scoped to workloads, end to end: podSelector, containerSelector,
hostSelector and TracingPolicyNamespaced decided in the kernel per cgroup,
with real runc containers (tests/lib/containers.py) announced by
`hornet oci-hook`, the real agent, and Sigkill as the proof: a process the
policy selects dies on its open of a file no one else opens."""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, ROOT, Agent, check, run, skip, test  # noqa: E402
import containers  # noqa: E402
from containers import Container  # noqa: E402
import kube  # noqa: E402

NS_LABEL = "k8s:io.kubernetes.pod.namespace"
KILLED = (137, -9)


def need_runc():
    if not containers.runtime_available("runc"):
        skip("needs runc and busybox-static")


def hook(a):
    return [HORNET, "oci-hook", "--socket", a.socket]


def target(tag):
    """A path only this test opens (it need not exist: the open is the trigger)."""
    return "/hornet-scope-%s-%d" % (tag, os.getpid())


def policy(name, path, scope="", kind="TracingPolicy", namespace=None, action="Sigkill"):
    md = '  name: "%s"\n' % name
    if namespace:
        md += '  namespace: "%s"\n' % namespace
    actions = "      matchActions:\n      - action: %s\n" % action if action else ""
    return ("apiVersion: cilium.io/v1alpha1\nkind: %s\nmetadata:\n%sspec:\n%s"
            "  kprobes:\n  - call: sys_openat\n    syscall: true\n    args:\n"
            "    - {index: 0, type: int}\n    - {index: 1, type: string}\n"
            "    selectors:\n    - matchArgs:\n      - {index: 1, operator: Equal, values: [\"%s\"]}\n"
            "%s" % (kind, md, scope, path, actions))


def expect(rc, killed, what):
    """@rc of a cat of a missing file: 137 when killed, 1 when it ran to its error."""
    if killed:
        check(rc in KILLED, "%s: not killed (exit %d)" % (what, rc))
    else:
        check(rc == 1, "%s: exit %d (want 1: no such file, not killed)" % (what, rc))


def start(*cs):
    for c in cs:
        p = c.start()
        check(p.returncode == 0, "runc run: %s" % c.output())


def opens_in(c, path):
    """`cat PATH` in running container @c: its exit status (137: killed)."""
    return c.exec(["cat", path]).returncode


def settles(c, path, killed, what, timeout=10):
    """Opens in @c until the outcome is @killed (the agent applies a change
    after it reads it), then checks it."""
    deadline = time.monotonic() + timeout
    while True:
        rc = opens_in(c, path)
        if (rc in KILLED) == killed or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect(rc, killed, what)


def opens_on_host(path):
    return subprocess.run(["cat", path], capture_output=True, timeout=30).returncode


def agent_with(name, tag, scope="", **kw):
    """A new agent with policy @name on a path of its own; (agent, path)."""
    need_runc()
    a = Agent()
    path = target(tag)
    a.add_policy(policy(name, path, scope, **kw))
    return a, path


def in_namespace(ns):
    return ("  podSelector:\n    matchExpressions:\n"
            "    - {key: \"%s\", operator: In, values: [\"%s\"]}\n" % (NS_LABEL, ns))


def scope_of(a, name):
    return a.policies()[name].get("scope")


@test("a_pod_scoped_sigkill_kills_in_the_selected_pod_only")
def _():
    ns_in, ns_out = "scope-in-%d" % os.getpid(), "scope-out-%d" % os.getpid()
    a, path = agent_with("kill-in-pod", "pod", in_namespace(ns_in))
    check(scope_of(a, "kill-in-pod") == "pods %s=%s" % (NS_LABEL, ns_in),
          "policy list scope: %r" % scope_of(a, "kill-in-pod"))
    with Container(namespace=ns_in, hook=hook(a)) as cin, \
            Container(namespace=ns_out, hook=hook(a)) as cout:
        start(cin, cout)
        expect(opens_in(cin, path), True, "the selected pod's cat")
        expect(opens_in(cout, path), False, "another pod's cat")
        expect(opens_on_host(path), False, "the host's cat")
        st = a.policies()["kill-in-pod"]["stats"]
        check(st["actions_taken"] == 1, "actions taken: %r" % st)


@test("from_the_first_exec_of_a_container_started_through_the_hook")
def _():
    ns = "scope-first-%d" % os.getpid()
    a, path = agent_with("kill-first", "first", in_namespace(ns))
    # the container's own process is the cat: its very first exec
    with Container(namespace=ns, hook=hook(a), args=["cat", path]) as c:
        expect(c.run().returncode, True, "the container's first process")
    with Container(namespace=ns + "-x", hook=hook(a), args=["cat", path]) as c:
        expect(c.run().returncode, False, "a pod of another namespace's first process")


@test("a_tracing_policy_namespaced_fires_only_in_its_namespace")
def _():
    ns = "scope-nsd-%d" % os.getpid()
    a, path = agent_with("nsd-post", "nsd", kind="TracingPolicyNamespaced", namespace=ns,
                         action=None)
    check(scope_of(a, "nsd-post") == "namespace %s" % ns, "scope %r" % scope_of(a, "nsd-post"))
    with Container(namespace=ns, hook=hook(a)) as cin, \
            Container(namespace=ns + "-other", hook=hook(a)) as cout:
        start(cin, cout)
        opens_in(cout, path)
        opens_on_host(path)
        opens_in(cin, path)

        def ours(ev):
            body = ev.get("process_kprobe")
            return body and body.get("policy_name") == "nsd-post"
        ev = a.wait_for(ours, what="the namespaced policy's event")
        pod = ev["process_kprobe"]["process"].get("pod", {})
        check(pod.get("namespace") == ns, "event outside the namespace: %r" % pod)
        # the other pod's and the host's opens came first: none was reported
        n = len([e for e in a.events() if ours(e)])
        check(n == 1, "%d events of the namespaced policy (want 1)" % n)
    bad = subprocess.run([HORNET, "policy", "--socket", a.socket, "add", "-"],
                         input=policy("nsd-none", path, kind="TracingPolicyNamespaced",
                                      action=None).encode(), capture_output=True, timeout=60)
    check(bad.returncode != 0 and b"metadata.namespace" in bad.stdout + bad.stderr,
          "a namespaced policy without namespace: %r" % (bad,))


@test("a_container_selector_picks_containers_by_name")
def _():
    a, path = agent_with("kill-by-name", "ctr",
                         "  containerSelector:\n    matchExpressions:\n"
                         "    - {key: name, operator: In, values: [victim]}\n"
                         "    - {key: repo, operator: In, values: [docker.io/library/busybox]}\n")
    with Container(name="victim", hook=hook(a)) as cv:
        with Container(name="bystander", pod_uid=cv.pod_uid, pod_name=cv.pod_name,
                       hook=hook(a)) as cb:
            start(cv, cb)
            expect(opens_in(cv, path), True, "container 'victim'")
            expect(opens_in(cb, path), False, "container 'bystander' of the same pod")
            expect(opens_on_host(path), False, "the host's cat")


@test("a_host_selector_applies_outside_every_container")
def _():
    a, path = agent_with("kill-on-host", "host", "  hostSelector: {}\n")
    check(scope_of(a, "kill-on-host") == "host", "scope %r" % scope_of(a, "kill-on-host"))
    with Container(hook=hook(a)) as c:
        start(c)
        expect(opens_in(c, path), False, "a container's cat")
        expect(opens_on_host(path), True, "the host's cat")


@test("an_unscoped_policy_beside_a_scoped_one_applies_everywhere")
def _():
    ns = "scope-mix-%d" % os.getpid()
    a, path = agent_with("mix-scoped", "mix", in_namespace(ns))
    other = target("mix-all")
    # same hook point, same program instance: one scoped user, one not
    a.add_policy(policy("mix-all", other, action=None))
    check(scope_of(a, "mix-all") == "all", "scope %r" % scope_of(a, "mix-all"))
    with Container(namespace=ns + "-x", hook=hook(a)) as c:
        start(c)
        expect(opens_in(c, path), False, "the scoped policy outside its pods")
        opens_in(c, other)
        opens_on_host(other)
        for in_pod in (True, False):
            a.wait_for(lambda ev: ev.get("process_kprobe", {}).get("policy_name") == "mix-all"
                       and bool(ev["process_kprobe"]["process"].get("pod")) == in_pod,
                       what="the unscoped policy's event %s" % ("in the pod" if in_pod
                                                                 else "on the host"))



DENY_CONNECT = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "%s"
spec:
%s  kprobes:
  - call: "tcp_connect"
    syscall: false
    args:
    - index: 0
      type: "sock"
    selectors:
    - matchArgs:
      - index: 0
        operator: "DAddr"
        values: ["127.0.0.0/8"]
      matchActions:
      - action: Override
        argError: -1
"""


@test("a_network_deny_obeys_the_scope")
def _():
    need_runc()
    a = Agent()
    ns = "scope-net-%d" % os.getpid()
    a.add_policy(DENY_CONNECT % ("deny-in-pod", in_namespace(ns)))
    mech = a.policies()["deny-in-pod"]["hooks"][0]["mechanism"]
    with Container(namespace=ns, hook=hook(a)) as cin, \
            Container(namespace=ns + "-x", hook=hook(a)) as cout:
        start(cin, cout)
        # each container has its own loopback, with nothing listening on port 1
        for c, want in ((cin, "Operation not permitted"), (cout, "Connection refused")):
            r = c.exec(["nc", "-w", "1", "127.0.0.1", "1"])
            check(want in r.stderr, "%s (%s): %r, want %r" % (c.namespace, mech, r.stderr, want))
        r = subprocess.run([sys.executable, "-c",
                            "import socket\ntry:\n socket.create_connection(('127.0.0.1', 1), 2)"
                            "\nexcept OSError as e:\n print(e.errno)"],
                           capture_output=True, text=True, timeout=30)
        check(r.stdout.strip() == "111", "the host's connect (%s): %r" % (mech, r.stdout))

class RealAPI:
    """A pod in a real kube-apiserver (tests/lib/kube.py), for the label test."""

    def __init__(self):
        self.k = kube.Kube()

    def create(self, ns, name, node, labels, cname):
        self.k.create_namespace(ns)
        return self.k.create_pod(ns, name, node, labels=labels, containers=(cname,))[
            "metadata"]["uid"]

    def running(self, ns, name, uid, cname, cid):
        self.k.set_running(ns, name, [(cname, cid)])

    def relabel(self, ns, name, uid, labels):
        self.k.set_labels(ns, name, labels)

    def kubeconfig(self):
        return self.k.kubeconfig()

    def stop(self):
        self.k.stop()


class FakeAPI:
    """The same through the fake API server (tests/lib/fakeapi.py)."""

    def __init__(self):
        import fakeapi
        self.fakeapi = fakeapi
        self.api = fakeapi.FakeAPI()
        self.pods = {}

    def create(self, ns, name, node, labels, cname):
        import uuid
        uid = str(uuid.uuid4())
        self.pods[uid] = (ns, name, node, dict(labels))
        return uid

    def running(self, ns, name, uid, cname, cid):
        ns, name, node, labels = self.pods[uid]
        self.api.add_pod(self.fakeapi.make_pod(ns, name, node, labels=labels,
                                               containers=[(cname, cid)], uid=uid))

    def relabel(self, ns, name, uid, labels):
        def fn(pod):
            for k, v in labels.items():
                if v is None:
                    pod["metadata"]["labels"].pop(k, None)
                else:
                    pod["metadata"]["labels"][k] = v
        self.api.modify_pod(uid, fn)

    def kubeconfig(self):
        return self.api.kubeconfig()

    def stop(self):
        self.api.stop()


class PodWorld:
    """An API server (@backend) with one pod of labels @labels on this test's
    node, an agent watching it, and a pod-scoped Sigkill on app=payments."""

    def __init__(self, backend, tag, labels):
        need_runc()
        self.api = backend()
        try:
            self.node = "scope-node-%d" % os.getpid()
            self.ns, self.name, self.cname = "scope-%s-%d" % (tag, os.getpid()), "pay-0", "main"
            self.path = target(tag)
            self.uid = self.api.create(self.ns, self.name, self.node, labels, self.cname)
            self.a = Agent("--enable-k8s-api", "--k8s-kubeconfig-path", self.api.kubeconfig(),
                           node=self.node)
            self.a.add_policy(policy("kill-payments", self.path,
                                     "  podSelector:\n    matchLabels:\n      app: payments\n"))
        except BaseException:
            self.api.stop()
            raise

    def container(self, **kw):
        return Container(name=self.cname, pod_name=self.name, namespace=self.ns,
                         pod_uid=self.uid, **kw)

    def running(self, c):
        self.api.running(self.ns, self.name, self.uid, self.cname, c.id)

    def relabel(self, labels):
        self.api.relabel(self.ns, self.name, self.uid, labels)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.api.stop()


def labels_switch_enforcement(backend):
    """One policy loaded throughout: the pod's labels, as the API reports
    them, move it into and out of the podSelector."""
    with PodWorld(backend, "lbl", {"app": "shop"}) as w, \
            w.container(hook=hook(w.a)) as c:
        start(c)
        w.running(c)
        # the API's change reaches the agent's store, then the kernel map
        settles(c, w.path, False, "labelled app=shop")
        w.relabel({"app": "payments"})
        settles(c, w.path, True, "relabelled app=payments")
        w.relabel({"app": None})
        settles(c, w.path, False, "label app removed")
        expect(opens_on_host(w.path), False, "the host's cat")


@test("pod_labels_from_a_real_api_server_switch_enforcement")
def _():
    labels_switch_enforcement(RealAPI)


@test("pod_labels_from_the_fake_api_switch_enforcement")
def _():
    labels_switch_enforcement(FakeAPI)


@test("without_the_hook_a_container_is_learned_from_its_first_exec")
def _():
    # no hook: the API names the container, its cgroup comes from its exec
    with PodWorld(FakeAPI, "learn", {"app": "payments"}) as w, w.container() as c:
        w.running(c)
        start(c)
        settles(c, w.path, True, "the pod's cat, once its first exec was seen")
        st = w.a.status()["workloads"]
        check(st["scope_containers_named"] >= 1 and st["hook_requests"] == 0,
              "workloads %r" % st)
        expect(opens_on_host(w.path), False, "the host's cat")



def write(text):
    """@text in a temporary file, removed at exit; its path."""
    f = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="hornet-scope-", delete=False)
    f.write(text)
    f.close()
    atexit.register(os.unlink, f.name)
    return f.name


def crd_cluster():
    """A real API server with the policy CRDs of deploy/kubernetes installed."""
    if not shutil.which("kubectl"):
        skip("needs kubectl")
    k = kube.Kube()
    try:
        k.kubectl("apply", "--validate=false", "-f", os.path.join(ROOT, "deploy", "kubernetes",
                                                                  "crds"))
        deadline = time.monotonic() + 60
        # a CRD just created has no conditions yet: ask again
        while k.kubectl("wait", "--for=condition=Established", "--timeout=30s", "crd", "--all",
                        check=False, timeout=60) == "" and time.monotonic() < deadline:
            time.sleep(0.2)
    except BaseException:
        k.stop()
        raise
    return k


@test("a_namespaced_policy_from_the_cluster_keeps_its_scope_through_a_change")
def _():
    need_runc()
    k = crd_cluster()
    try:
        ns = "scope-crd-%d" % os.getpid()
        k.create_namespace(ns)
        a = Agent("--enable-k8s-api", "--k8s-kubeconfig-path", k.kubeconfig(),
                  "--network=false")
        key = "%s/kill-here" % ns

        def apply(path):
            # no metadata.namespace in the text: kubectl -n sets it, as users do
            k.kubectl("apply", "--validate=false", "-n", ns, "-f",
                      write(policy("kill-here", path, kind="TracingPolicyNamespaced")))

        def version(pred, what):
            deadline = time.monotonic() + 30
            while True:
                p = a.policies().get(key)
                if p and pred(p):
                    return p
                check(time.monotonic() < deadline, "policy %s: no %s: %r" % (key, what, p))
                time.sleep(0.1)
        first, second = target("crd1"), target("crd2")
        apply(first)
        p = version(lambda p: p["state"] == "enabled", "enabled")
        check(p.get("scope") == "namespace %s" % ns, "scope %r" % p.get("scope"))
        with Container(namespace=ns, hook=hook(a)) as cin, \
                Container(namespace=ns + "-x", hook=hook(a)) as cout:
            start(cin, cout)
            expect(opens_in(cin, first), True, "v1 in its namespace")
            expect(opens_in(cout, first), False, "v1 in another namespace")
            # the new version replaces the old in place, with a scope index of its own
            apply(second)
            version(lambda q: q["id"] != p["id"] and q["state"] == "enabled", "new version")
            expect(opens_in(cin, second), True, "v2 in its namespace")
            expect(opens_in(cin, first), False, "v1's file after the change")
            expect(opens_in(cout, second), False, "v2 in another namespace")
            expect(opens_on_host(second), False, "v2 on the host")
    finally:
        k.stop()


if __name__ == "__main__":
    run()
