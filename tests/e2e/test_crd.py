#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Policies from the cluster, end to end: a real kube-apiserver with etcd
(tests/lib/kube.py), the CRDs and manifests of deploy/kubernetes applied with
kubectl, and the real agent watching them with --enable-k8s-api. Each test
watches files of its own directory, so its events are its own."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, ROOT, Agent, Fail, check, hornet_progs, run, skip, test  # noqa: E402
import kube  # noqa: E402

CAT = os.path.realpath("/bin/cat")
DEPLOY = os.path.join(ROOT, "deploy", "kubernetes")
CRDS = os.path.join(DEPLOY, "crds")

OPENAT = """apiVersion: %(group)s/v1alpha1
kind: %(kind)s
metadata:
  name: %(name)s
%(namespace)sspec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
        - "%(path)s"
"""

_cluster = None
_kubeconfig = None


def cluster():
    """The API server of this file's tests, with every CRD of deploy/ installed."""
    global _cluster, _kubeconfig
    if _cluster is None:
        if not shutil.which("kubectl"):
            skip("needs kubectl")
        _cluster = kube.Kube()
        _kubeconfig = _cluster.kubeconfig()
        kubectl("apply", "-f", CRDS)
        established("crd", "--all")
    return _cluster


def established(*what):
    """Waits for CRDs to be served. A CRD just created has no conditions yet,
    which `kubectl wait` takes for an error: ask again."""
    deadline = time.monotonic() + 60
    while True:
        r = subprocess.run(["kubectl", "--kubeconfig", _kubeconfig, "wait",
                            "--for=condition=Established", "--timeout=60s"] + list(what),
                           capture_output=True, timeout=90)
        if r.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise Fail("CRDs not established: %s" % r.stderr.decode().strip())
        time.sleep(0.2)


def kubectl(*args, text=None, check_ok=True):
    # a 1.20 server has no OpenAPI v3 for the client to validate with
    extra = ["--validate=false"] if args[:1] in (("apply",), ("create",)) else []
    r = subprocess.run(["kubectl", "--kubeconfig", _kubeconfig] + list(args) + extra,
                       input=text.encode() if text is not None else None,
                       capture_output=True, timeout=60)
    if check_ok and r.returncode != 0:
        raise Fail("kubectl %s: %s" % (" ".join(args), r.stderr.decode().strip()))
    return r.stdout.decode()


def apply(text):
    kubectl("apply", "-f", "-", text=text)


def openat(name, path, group="cilium.io", namespace=None):
    kind = "TracingPolicyNamespaced" if namespace else "TracingPolicy"
    return OPENAT % {"group": group, "kind": kind, "name": name, "path": path,
                     "namespace": "  namespace: %s\n" % namespace if namespace else ""}


def unique(what):
    return "hornet-e2e-%s-%s" % (what, uuid.uuid4().hex[:8])


def agent():
    cluster()
    return Agent("--enable-k8s-api", "--k8s-kubeconfig-path", _kubeconfig,
                 "--network=false")


def k8s(a):
    return a.status()["k8s_policies"]


def wait_synced(a, timeout=30):
    """Until the four watches have listed: the agent has what the server has."""
    deadline = time.monotonic() + timeout
    while True:
        res = k8s(a)["resources"]
        if all(r["synced"] for r in res):
            return
        if time.monotonic() > deadline:
            raise Fail("watches not synced: %r" % res)
        time.sleep(0.1)


def wait_policy(a, name, pred, timeout=20, what="state"):
    deadline = time.monotonic() + timeout
    while True:
        p = a.policies().get(name)
        if pred(p):
            return p
        if time.monotonic() > deadline:
            raise Fail("policy %r: no %s within %d s: %r | %s" % (name, what, timeout, p,
                                                                  a.log_text()[-1500:]))
        time.sleep(0.05)


def opens(a, policy, path, timeout=10):
    """Opens @path with cat; the events of @policy for that cat, waited for up
    to @timeout (0: what is there after a short while)."""
    p = subprocess.Popen([CAT, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.wait()
    deadline = time.monotonic() + (timeout or 0.5)
    while True:
        evs = [e["process_kprobe"] for e in a.events()
               if "process_kprobe" in e and e["process_kprobe"].get("policy_name") == policy
               and e["process_kprobe"]["process"]["pid"] == p.pid]
        if (evs and timeout) or time.monotonic() > deadline:
            return evs
        time.sleep(0.05)


class Files:
    """A directory of its own with files a and b, under /var/tmp."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hornet-crd-", dir="/var/tmp")
        os.chmod(self.dir, 0o755)
        for n in ("a", "b"):
            with open(os.path.join(self.dir, n), "w") as f:
                f.write(n)

    def __getitem__(self, n):
        return os.path.join(self.dir, n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


@test("crd_manifests_are_accepted_by_a_real_api_server")
def _():
    cluster()
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "crds.py"), "--check"],
                       capture_output=True)
    check(r.returncode == 0, "deploy/kubernetes/crds out of date: %s" % r.stderr.decode())
    names = kubectl("get", "crd", "-o", "name").split()
    for plural in ("tracingpolicies", "tracingpoliciesnamespaced"):
        for group in ("cilium.io", "hornet.dev"):
            check("customresourcedefinition.apiextensions.k8s.io/%s.%s" % (plural, group)
                  in names, "%s.%s not installed: %r" % (plural, group, names))
    # every manifest, as the server itself validates it, then really created
    out = kubectl("apply", "--dry-run=server", "-k", DEPLOY, "-o", "name")
    for obj in ("serviceaccount/hornet", "clusterrole.rbac.authorization.k8s.io/hornet",
                "clusterrolebinding.rbac.authorization.k8s.io/hornet",
                "daemonset.apps/hornet"):
        check(obj in out, "%s not in the dry run: %s" % (obj, out))
    kubectl("apply", "-k", DEPLOY)
    try:
        ds = json.loads(kubectl("-n", "kube-system", "get", "daemonset", "hornet", "-o", "json"))
        c = ds["spec"]["template"]["spec"]["containers"][0]
        check(not c["securityContext"].get("privileged"), "privileged: %r" % c["securityContext"])
        check("BPF" in c["securityContext"]["capabilities"]["add"], "caps %r" % c)
        check(ds["spec"]["template"]["spec"].get("hostPID"), "no hostPID")
        env = {e["name"]: e for e in c["env"]}
        check(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName",
              "NODE_NAME %r" % env.get("NODE_NAME"))
        # the role lets the service account read what the agent watches, and write nothing
        sa = "system:serviceaccount:kube-system:hornet"
        for verb, res, want in (("watch", "tracingpolicies.cilium.io", "yes"),
                                ("list", "tracingpoliciesnamespaced.hornet.dev", "yes"),
                                ("list", "pods", "yes"),
                                ("create", "tracingpolicies.cilium.io", "no"),
                                ("get", "secrets", "no")):
            got = kubectl("auth", "can-i", verb, res, "--all-namespaces", "--as", sa,
                          check_ok=False).strip()
            check(got == want, "can-i %s %s: %r, wanted %r" % (verb, res, got, want))
        # a policy of the test suite's own is valid for the CRD schema of each kind
        for group in ("cilium.io", "hornet.dev"):
            kubectl("apply", "--dry-run=server", "-f", "-",
                    text=openat("schema-check", "/nonexistent", group=group, namespace="default"))
    finally:
        kubectl("delete", "-f", os.path.join(DEPLOY, "daemonset.yaml"), "-f",
                os.path.join(DEPLOY, "rbac.yaml"), "--ignore-not-found", check_ok=False)


@test("policy_from_the_api_is_added_changed_and_deleted_live")
def _():
    cluster()
    name = unique("live")
    with Files() as f:
        a = agent()
        wait_synced(a)
        apply(openat(name, f["a"]))
        try:
            p = wait_policy(a, name, lambda p: p and p["state"] == "enabled", what="enabled")
            check(p["source"] == "k8s:TracingPolicy.cilium.io/%s" % name, "source %r" % p)
            check(opens(a, name, f["a"]), "no event for the open of %s" % f["a"])
            check(not opens(a, name, f["b"], timeout=0), "%s reported by v1" % f["b"])
            first_id = p["id"]
            # changed: the new version's behaviour, the old one's gone
            apply(openat(name, f["b"]))
            wait_policy(a, name, lambda p: p and p["id"] != first_id, what="new version")
            check(opens(a, name, f["b"]), "no event for %s after the change" % f["b"])
            check(not opens(a, name, f["a"], timeout=0), "%s still reported" % f["a"])
            # a new version that does not load: the running one stays, and says so
            apply(openat(name, f["b"]).replace("Prefix", "NoSuchOperator"))
            p = wait_policy(a, name, lambda p: p and p.get("update_error"), what="update_error")
            check("NoSuchOperator" in p["update_error"] and p["state"] == "enabled",
                  "policy %r" % p)
            check(k8s(a)["failed"] == 1, "failed: %r" % k8s(a))
            check(opens(a, name, f["b"]), "the running version stopped at a failed update")
            apply(openat(name, f["b"]))
            wait_policy(a, name, lambda p: p and not p.get("update_error"), what="mended")
            # a change to labels only reloads nothing
            second_id = a.policies()[name]["id"]
            kubectl("label", "tracingpolicies.cilium.io", name, "team=e2e")
            time.sleep(1)
            check(a.policies()[name]["id"] == second_id, "reloaded by a label change")
            st = k8s(a)
            check(st["applied"] == 1 and st["applies"] == 4 and st["apply_failures"] == 1,
                  "counters %r" % st)
        finally:
            kubectl("delete", "tracingpolicies.cilium.io", name, "--ignore-not-found")
        wait_policy(a, name, lambda p: p is None, what="deletion")
        check(not opens(a, name, f["b"], timeout=0), "event after the deletion")
        left = hornet_progs(prefix="hornet_gen")
        check(not left, "programs left after the deletion: %r" % left)
        check(a.proc.poll() is None, "agent exited")


@test("a_change_loses_and_doubles_no_event")
def _():
    """A loop of cats opens one file while the policy that reports it is
    replaced: every open is reported once, by the old or the new version."""
    cluster()
    name = unique("switch")
    with Files() as f:
        a = agent()
        wait_synced(a)
        stop = os.path.join(f.dir, "stop")
        try:
            apply(openat(name, f["a"]))
            first_id = wait_policy(a, name, lambda p: p and p["state"] == "enabled")["id"]
            loop = subprocess.Popen(["/bin/sh", "-c", 'i=0; while [ ! -e "$1" ]; do "$2" "$3" '
                                     '>/dev/null; i=$((i+1)); done; echo $i', "sh", stop, CAT,
                                     f["a"]], stdout=subprocess.PIPE)
            time.sleep(0.3)
            # the new version watches the same file and one more: the same hook point
            apply(openat(name, f["a"]).replace('- "%s"' % f["a"],
                                               '- "%s"\n        - "%s"' % (f["a"], f["b"])))
            wait_policy(a, name, lambda p: p and p["id"] != first_id, what="new version")
            time.sleep(0.3)
            check(loop.poll() is None, "the loop ended before the switch")
        finally:
            open(stop, "w").close()
            kubectl("delete", "tracingpolicies.cilium.io", name, "--ignore-not-found",
                    check_ok=False)
        n = int(loop.communicate(timeout=30)[0])

        def reported():
            return [e for e in a.events() if "process_kprobe" in e
                    and e["process_kprobe"].get("policy_name") == name
                    and e["process_kprobe"]["process"].get("binary") == CAT
                    and e["process_kprobe"]["parent"]["pid"] == loop.pid]
        deadline = time.monotonic() + 10
        while len(reported()) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        got = reported()
        pids = [e["process_kprobe"]["process"]["pid"] for e in got]
        check(n > 20, "only %d opens" % n)
        check(len(got) == n and len(set(pids)) == n,
              "%d opens, %d events from %d processes" % (n, len(got), len(set(pids))))


@test("invalid_policy_object_is_reported_and_the_one_next_to_it_works")
def _():
    cluster()
    ns = unique("ns")
    bad, good = unique("bad"), unique("good")
    kubectl("create", "namespace", ns)
    with Files() as f:
        a = agent()
        wait_synced(a)
        try:
            # valid for the CRD's schema, not for hornet: a hook no kernel has
            apply("""apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: %s
  namespace: %s
spec:
  kprobes:
  - call: "hornet_e2e_no_such_function"
    syscall: false
""" % (bad, ns))
            apply(openat(good, f["a"], group="hornet.dev"))
            key = "%s/%s" % (ns, bad)
            p = wait_policy(a, key, lambda p: p and p["state"] == "error", what="error")
            check("hornet_e2e_no_such_function" in p["error"], "error %r" % p["error"])
            check(p["source"] == "k8s:TracingPolicyNamespaced.cilium.io/%s/%s" % (ns, bad),
                  "source %r" % p["source"])
            wait_policy(a, good, lambda p: p and p["state"] == "enabled", what="enabled")
            check(opens(a, good, f["a"]), "no event from the valid policy")
            st = a.status()
            check(st["k8s_policies"]["failed"] == 1, "failed: %r" % st["k8s_policies"])
            gen = [s for s in st["sensors"] if s["name"] == "generic"][0]
            check(gen["policies_in_error"] == 1, "policies_in_error: %r" % gen)
            check(key in a.log_text(), "not logged: %s" % a.log_text()[-1000:])
            # a namespace/name longer than the agent keeps: refused, counted, logged
            long = ("x" * 240 + unique("long"))[:253]
            ns_long = ("n" * 50 + unique("l"))[-63:]
            kubectl("create", "namespace", ns_long)
            try:
                apply(openat(long, f["b"], namespace=ns_long))
                deadline = time.monotonic() + 10
                while k8s(a)["refused"] != 1 and time.monotonic() < deadline:
                    time.sleep(0.1)
                check(k8s(a)["refused"] == 1, "refused: %r" % k8s(a))
                check("longer than 255 characters" in a.log_text(), "not logged")
            finally:
                kubectl("delete", "namespace", ns_long, "--wait=false", check_ok=False)
            # mended through the API: it runs, and the counter goes back
            apply(openat(bad, f["b"], namespace=ns))
            wait_policy(a, key, lambda p: p and p["state"] == "enabled", what="mended")
            check(k8s(a)["failed"] == 0, "failed: %r" % k8s(a))
        finally:
            kubectl("delete", "namespace", ns, "--wait=false", check_ok=False)
            kubectl("delete", "tracingpolicies.hornet.dev", good, "--ignore-not-found",
                    check_ok=False)


@test("same_name_in_both_groups_is_a_conflict_resolved_when_one_goes")
def _():
    cluster()
    name = unique("clash")
    with Files() as f:
        a = agent()
        wait_synced(a)
        try:
            apply(openat(name, f["a"], group="cilium.io"))
            wait_policy(a, name, lambda p: p and p["state"] == "enabled", what="enabled")
            apply(openat(name, f["b"], group="hornet.dev"))
            deadline = time.monotonic() + 10
            while not k8s(a)["conflicting"] and time.monotonic() < deadline:
                time.sleep(0.1)
            check(k8s(a)["conflicting"] == ["k8s:TracingPolicy.hornet.dev/%s" % name],
                  "conflicting %r" % k8s(a))
            check(a.policies()[name]["source"].startswith("k8s:TracingPolicy.cilium.io/"),
                  "the first one was replaced: %r" % a.policies()[name])
            kubectl("delete", "tracingpolicies.cilium.io", name)
            wait_policy(a, name, lambda p: p and p["source"].endswith("hornet.dev/" + name),
                        what="the other group's version")
            check(opens(a, name, f["b"]), "no event from the hornet.dev version")
        finally:
            for g in ("cilium.io", "hornet.dev"):
                kubectl("delete", "tracingpolicies." + g, name, "--ignore-not-found",
                        check_ok=False)


@test("api_server_going_away_and_back_leaves_the_policies_right")
def _():
    c = cluster()
    kept, gone, new = unique("kept"), unique("gone"), unique("new")
    with Files() as f:
        a = agent()
        wait_synced(a)
        try:
            apply(openat(kept, f["a"]))
            apply(openat(gone, f["b"]))
            ids = {}
            for n in (kept, gone):
                ids[n] = wait_policy(a, n, lambda p: p and p["state"] == "enabled")["id"]
            c.stop_apiserver()
            try:
                time.sleep(2)
                check(opens(a, kept, f["a"]), "no event while the API server is away")
                check(a.proc.poll() is None, "agent exited")
                # deleted behind the agent's back: no watch event will ever say so, the
                # relist after the return must (the new server's watch cache starts after
                # the agent's resourceVersion: 410 Gone, then a list)
                etcd_delete(c, "/registry/cilium.io/tracingpolicies/" + gone)
            finally:
                c.start_apiserver()
            # the watches come back (backoff at most 10 s) and change nothing
            deadline = time.monotonic() + 40
            while not all(r["synced"] and not r["last_error"] for r in k8s(a)["resources"]):
                if time.monotonic() > deadline:
                    raise Fail("not back: %r" % k8s(a)["resources"])
                time.sleep(0.2)
            check(a.policies()[kept]["id"] == ids[kept], "reloaded by the reconnect")
            wait_policy(a, gone, lambda p: p is None, what="deletion by the relist")
            apply(openat(new, f["b"]))
            wait_policy(a, new, lambda p: p and p["state"] == "enabled", what="enabled")
            check(opens(a, new, f["b"]), "no event from the policy added after the return")
            check(opens(a, kept, f["a"]), "no event from the policy kept across")
        finally:
            for n in (kept, gone, new):
                kubectl("delete", "tracingpolicies.cilium.io", n, "--ignore-not-found",
                        check_ok=False)


@test("a_kind_whose_crd_is_missing_is_reported_and_watched_once_installed")
def _():
    cluster()
    crd = os.path.join(CRDS, "hornet.dev_tracingpoliciesnamespaced.yaml")
    path = "/apis/hornet.dev/v1alpha1/tracingpoliciesnamespaced"
    ns, name = unique("ns"), unique("late")
    kubectl("delete", "-f", crd, "--wait=true")
    try:
        a = agent()
        deadline = time.monotonic() + 20
        while True:
            res = {r["path"]: r for r in k8s(a)["resources"]}
            others = [r for p, r in res.items() if p != path]
            if "404" in res[path]["last_error"] and all(r["synced"] for r in others):
                break
            if time.monotonic() > deadline:
                raise Fail("no 404 reported, or the other kinds not watched: %r" % res)
            time.sleep(0.1)
        check(not res[path]["synced"], "synced without its CRD: %r" % res[path])
        check("is not installed" in a.log_text(), "not logged: %s" % a.log_text()[-1000:])
        text = subprocess.run([HORNET, "status", "--socket", a.socket], capture_output=True,
                              timeout=60).stdout.decode()
        check("3 of 4 kinds watched" in text and path + ": " in text and "404" in text,
              "hornet status: %s" % text)
    finally:
        kubectl("apply", "-f", crd)
        established("-f", crd)
    kubectl("create", "namespace", ns)
    try:
        apply(openat(name, "/nonexistent/" + name, group="hornet.dev", namespace=ns))
        p = wait_policy(a, "%s/%s" % (ns, name), lambda p: p and p["state"] == "enabled",
                        timeout=40, what="the policy of the CRD installed late")
        check(p["source"] == "k8s:TracingPolicyNamespaced.hornet.dev/%s/%s" % (ns, name),
              "source %r" % p["source"])
        check(a.proc.poll() is None, "agent exited")
    finally:
        kubectl("delete", "namespace", ns, "--wait=false", check_ok=False)


def etcd_delete(c, key):
    """Deletes @key in etcd itself, through its JSON gateway (no etcdctl needed)."""
    body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/v3/kv/deleterange" % c.etcd_port,
                                 data=body, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        out = json.loads(r.read())
    check(out.get("deleted") == "1", "etcd: %s not deleted: %r" % (key, out))


def _stop_cluster():
    if _cluster is not None:
        _cluster.stop()


if __name__ == "__main__":
    try:
        run()
    finally:
        _stop_cluster()
