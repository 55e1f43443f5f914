#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Pod and container identity, end to end: real runc containers
(tests/lib/containers.py) in kubelet's cgroup layout, with `hornet oci-hook`
as their createRuntime hook, and the real agent's events about the
processes in them."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, ROOT, Agent, Fail, check, policy_doc, run, skip, test  # noqa: E402
import containers  # noqa: E402
from containers import Container  # noqa: E402


def need_runc():
    if not containers.runtime_available("runc"):
        skip("needs runc and busybox-static")


def hook(a, *extra):
    return [HORNET, "oci-hook", "--socket", a.socket] + list(extra)


def in_container(c, kind_key="process_exec", args=None):
    """Predicate: an event of @kind_key whose process is in container @c."""
    def pred(ev):
        body = ev.get(kind_key)
        if not body:
            return False
        p = body.get("process", {})
        return p.get("docker") == c.id[:31] and (args is None or p.get("arguments") == args)
    return pred


def check_pod(p, c, what):
    pod = p.get("pod")
    check(pod is not None, "%s has no pod: %r" % (what, p))
    check(pod.get("namespace") == c.namespace, "%s: namespace %r" % (what, pod))
    check(pod.get("name") == c.pod_name, "%s: name %r" % (what, pod))
    check(pod.get("uid") == c.pod_uid, "%s: uid %r" % (what, pod))
    ctr = pod.get("container", {})
    check(ctr.get("id") == "containerd://" + c.id, "%s: container id %r" % (what, ctr))
    check(ctr.get("name") == c.name, "%s: container name %r" % (what, ctr))
    check(ctr.get("image", {}).get("name") == c.image, "%s: image %r" % (what, ctr))
    check(ctr.get("start_time", "").endswith("Z"), "%s: start_time %r" % (what, ctr))
    # runc gives the container its own pid namespace: the pid there is not the host's
    check(isinstance(ctr.get("pid"), int) and 1 <= ctr["pid"] != p.get("pid"),
          "%s: pid in the container %r (host pid %r)" % (what, ctr.get("pid"), p.get("pid")))
    keys = list(p.keys())
    check(keys.index("pod") == keys.index("auid") + 1 and keys.index("docker") > keys.index("pod"),
          "%s: pod not between auid and docker: %r" % (what, keys))


@test("a_process_in_a_pod_carries_the_pod_the_oci_hook_reported")
def _():
    need_runc()
    a = Agent()
    a.add_policy(policy_doc("openat", name="ctr-passwd", operator="Equal",
                            values='\n        - "/etc/passwd"', extra="", actions=""))
    with Container(name="web", namespace="shop-%d" % os.getpid(), hook=hook(a)) as c:
        p = c.start()
        check(p.returncode == 0, "runc run: %s" % c.output())
        st = a.status()["workloads"]
        check(st["hook_requests"] >= 1 and st["containers"] >= 1, "workloads %r" % st)
        e = c.exec(["sh", "-c", "cat /etc/passwd; true"])
        check(e.returncode == 0 and "root:x:0:0" in e.stdout, "exec: %r" % (e,))
        ev = a.wait_for(in_container(c, args="/etc/passwd"), what="exec of cat in the container")
        body = ev["process_exec"]
        check_pod(body["process"], c, "process")
        # cat's parent is the container's sh: the same pod
        check_pod(body.get("parent", {}), c, "parent")
        ev = a.wait_for(lambda ev: in_container(c, "process_kprobe")(ev) and
                        ev["process_kprobe"].get("policy_name") == "ctr-passwd",
                        what="the policy event of the read of /etc/passwd")
        check_pod(ev["process_kprobe"]["process"], c, "policy event's process")
        # (no check of the global events_without_pod: other containers run on this machine)


@test("network_and_dns_events_of_a_pod_carry_it")
def _():
    need_runc()
    a = Agent()
    with Container(name="net", namespace="net-%d" % os.getpid(), hook=hook(a)) as c:
        check(c.start().returncode == 0, "runc run: %s" % c.output())
        # the container's own loopback: nothing listens, the attempts are what counts
        c.exec(["sh", "-c", "ip link set lo up; nc -w 1 127.0.0.1 9 </dev/null; "
                "nslookup -timeout=1 hornet-pod.example 127.0.0.1; true"])
        for what, pred in (
                ("tcp_connect", lambda ev: in_container(c, "process_kprobe")(ev) and
                 ev["process_kprobe"].get("function_name") == "tcp_connect"),
                ("process_dns", in_container(c, "process_dns"))):
            ev = a.wait_for(pred, what=what + " in the container")
            body = ev[[k for k in ev if k.startswith("process_")][0]]
            check_pod(body["process"], c, what + "'s process")


def hooks_d(a):
    """The hook as deploy/oci-hooks/hornet.json (CRI-O's and podman's hooks.d)
    gives it, with this build's binary and this agent's socket."""
    with open(os.path.join(ROOT, "deploy", "oci-hooks", "hornet.json")) as f:
        h = json.load(f)
    check(h["stages"] == ["createRuntime", "poststop"] and h["when"] == {"always": True}, "hooks.d %r" % h)
    args = h["hook"]["args"]
    check(args[:2] == ["hornet", "oci-hook"] and "--socket" in args, "args %r" % args)
    args[args.index("--socket") + 1] = a.socket
    return [HORNET] + args[1:]


@test("a_plain_runc_container_gets_container_identity_without_a_pod")
def _():
    need_runc()
    a = Agent()
    with Container(pod=False, hook=hooks_d(a), poststop=True) as c:
        p = c.start()
        check(p.returncode == 0, "runc run: %s" % c.output())
        c.exec(["cat", "/etc/passwd"])
        ev = a.wait_for(in_container(c, args="/etc/passwd"), what="exec in the container")
        proc = ev["process_exec"]["process"]
        check("pod" not in proc, "a pod for a container outside Kubernetes: %r" % proc.get("pod"))
        ctr = proc.get("container")
        check(ctr is not None, "no container object: %r" % proc)
        # no annotations: the id is all runc says, and its runtime is not guessed
        check(ctr == {"id": c.id} or (ctr.get("id") == c.id and "name" not in ctr),
              "container %r" % ctr)
        n = a.status()["workloads"]["containers"]
    # the hook at poststop: the agent forgets the container
    st = a.status()["workloads"]
    check(st["containers"] == n - 1, "containers %d before the stop, then %r" % (n, st))


class SilentAgent:
    """A socket that accepts and never answers: an agent that hangs. (The real
    agent never does this on request.)"""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hornet-silent-")
        self.path = os.path.join(self.dir, "hornet.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(8)
        self.conns = []
        self.stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        self.stop = True
        self.sock.close()
        for c in self.conns:
            c.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


@test("the_hook_fails_open_by_default_and_closed_when_asked")
def _():
    need_runc()
    gone = os.path.join(tempfile.gettempdir(), "hornet-no-agent-%d.sock" % os.getpid())
    with Container(hook=[HORNET, "oci-hook", "--socket", gone]) as c:
        p = c.start()
        check(p.returncode == 0, "fail-open: runc refused: %s" % c.output())
        check(c.pid() > 0, "fail-open: the container does not run")
    with Container(hook=[HORNET, "oci-hook", "--socket", gone, "--fail-closed"]) as c:
        p = c.start()
        check(p.returncode != 0, "fail-closed: the container started")
        check(c.pid() == 0, "fail-closed: the container runs")
    state = '{"ociVersion":"1.0.2","id":"x","status":"creating","pid":1,"bundle":"/nonexistent"}'
    for extra, rc in (([], 0), (["--fail-closed"], 1)):
        r = subprocess.run([HORNET, "oci-hook", "--socket", gone] + extra, input=state,
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == rc, "%r: exit %d: %s" % (extra, r.returncode, r.stderr))
        check(("fail-open" if rc == 0 else "--fail-closed") in r.stderr and gone in r.stderr,
              "what the hook said: %r" % r.stderr)
    # a runtime that never closes the hook's stdin: the same bound holds
    for extra, rc in (([], 0), (["--fail-closed"], 1)):
        p = subprocess.Popen([HORNET, "oci-hook", "--socket", gone, "--timeout", "300"] + extra,
                             stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Fail("%r: the hook still runs 3 s after a --timeout of 300 ms" % extra)
        finally:
            p.stdin.close()
            err = p.stderr.read().decode()
            p.stderr.close()
        check(p.returncode == rc and "out of time" in err, "%r: exit %r: %s" % (
            extra, p.returncode, err))
    # an agent that does not answer: the hook gives up after --timeout
    silent = SilentAgent()
    try:
        for extra, rc in (([], 0), (["--fail-closed"], 1)):
            t0 = time.monotonic()
            r = subprocess.run([HORNET, "oci-hook", "--socket", silent.path, "--timeout", "300"]
                               + extra, input=state, capture_output=True, text=True, timeout=30)
            took = time.monotonic() - t0
            check(r.returncode == rc, "%r: exit %d: %s" % (extra, r.returncode, r.stderr))
            check("did not answer in time" in r.stderr, "stderr %r" % r.stderr)
            check(took < 2.0, "%r: took %.2f s with --timeout 300" % (extra, took))
    finally:
        silent.close()


@test("the_hook_takes_the_container_from_a_systemd_cgroups_path")
def _():
    """CRI-O and containerd with the systemd cgroup driver write cgroupsPath as
    slice:prefix:name; the hook expands it as runc does. The state's pid is
    0, so the spec is all it has; its id "x" is no container id, so the
    agent takes the right one only from the expanded path."""
    a = Agent()
    cid = containers.new_container_id()
    uid = "1d2e3f40-1111-4222-8333-444455556666"
    d = tempfile.mkdtemp(prefix="hornet-bundle-", dir="/var/tmp")
    try:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump({"linux": {"cgroupsPath": "kubepods-besteffort-pod%s.slice:crio:%s" % (
                uid.replace("-", "_"), cid)},
                "annotations": {"io.kubernetes.pod.namespace": "sd-ns",
                                "io.kubernetes.pod.name": "sd-pod",
                                "io.kubernetes.container.name": "sd-ctr"}}, f)
        state = json.dumps({"ociVersion": "1.0.2", "id": "x", "status": "creating", "pid": 0,
                            "bundle": d})
        r = subprocess.run(hook(a, "--fail-closed"), input=state, capture_output=True,
                           text=True, timeout=30)
        check(r.returncode == 0 and not r.stderr, "hook: %r" % (r,))
        log = a.log_text()
        check("oci hook: container '%s' (cgroup id 0, pod %s)" % (cid, uid) in log,
              "agent log: %s" % log[-600:])
        r = subprocess.run([HORNET, "oci-hook", "--socket", a.socket], input=json.dumps(
            {"id": "x", "status": "stopped", "bundle": d}), capture_output=True, text=True,
            timeout=30)
        check(r.returncode == 0 and "container '%s' gone" % cid in a.log_text(),
              "poststop: %r" % (r,))
    finally:
        shutil.rmtree(d)


def expecting_pods(*args):
    """An agent that has heard from the hook once: it now expects to learn
    pods, and events of processes in unknown pods wait for them."""
    a = Agent(*args)
    with Container(hook=hook(a)) as known:
        check(known.start().returncode == 0, "runc run: %s" % known.output())
    return a


@test("events_of_a_pod_the_store_never_learns_go_out_without_it_and_are_counted")
def _():
    need_runc()
    a = expecting_pods()
    with Container() as c:
        # the pod is first waited for at the container's first exec, in start(): no
        # event of it can go out before 2 s after start() began, nor much later than
        # 2 s after start() returned (under QEMU's TCG, runc takes seconds to start)
        t0 = time.monotonic()
        check(c.start().returncode == 0, "runc run: %s" % c.output())
        t1 = time.monotonic()
        c.exec(["cat", "/etc/passwd"])
        ev = a.wait_for(in_container(c, args="/etc/passwd"), timeout=30,
                        what="the exec of a pod nobody knows")
        now = time.monotonic()
        proc = ev["process_exec"]["process"]
        check("pod" not in proc, "pod %r" % proc.get("pod"))
        check(now - t0 >= 1.9, "went out %.2f s after the start (the wait is 2 s)" % (now - t0))
        slack = max(3.0, 2 * (t1 - t0))
        check(now - t1 <= 2 + slack, "went out %.2f s after the container started (the wait "
              "is 2 s, %.1f s allowed for the machine)" % (now - t1, slack))
        st = a.status()["workloads"]
        check(st["events_without_pod"] >= 1 and st["events_waited_for_pod"] >= 1,
              "workloads %r" % st)
        # the pod was waited for in vain once: its next events go out at once (timed
        # from the end of runc exec, which under TCG alone takes seconds)
        c.exec(["cat", "/etc/group"])
        t0 = time.monotonic()
        a.wait_for(in_container(c, args="/etc/group"), what="the second exec")
        took = time.monotonic() - t0
        check(took < 1.5, "the second event waited %.2f s" % took)


@test("an_event_waiting_for_its_pod_goes_out_with_it_when_the_pod_arrives")
def _():
    need_runc()
    a = expecting_pods("--stdout", "compact")
    with Container(name="late", namespace="late-ns") as c:
        t0 = time.monotonic()
        check(c.start().returncode == 0, "runc run: %s" % c.output())
        if time.monotonic() - t0 > 0.7:
            # the hook must come within 2 s of the container's first exec, and the
            # test needs runc exec and a pause before it
            skip("runc took %.1f s to start a container here: too slow to bring the pod "
                 "within the 2 s wait" % (time.monotonic() - t0))
        pid = c.pid()
        c.exec(["cat", "/etc/passwd"])
        time.sleep(0.3)
        check(not [ev for ev in a.events() if in_container(c, args="/etc/passwd")(ev)],
              "the event did not wait for its pod")
        # what the runtime would have handed the hook
        state = '{"ociVersion":"1.0.2","id":"%s","status":"created","pid":%d,"bundle":"%s"}' % (
            c.id, pid, c.bundle)
        r = subprocess.run(hook(a), input=state, capture_output=True, text=True, timeout=30)
        check(r.returncode == 0 and not r.stderr, "hook: %r" % (r,))
        ev = a.wait_for(in_container(c, args="/etc/passwd"), timeout=3, what="the exec")
        check_pod(ev["process_exec"]["process"], c, "process")
        # events of one process keep their order: cat's exec, then its exit (which waited too)
        cat = ev["process_exec"]["process"]["exec_id"]
        a.wait_for(lambda e: e.get("process_exit", {}).get("process", {}).get("exec_id") == cat,
                   what="the exit of cat")
        seen = [list(e)[0] for e in a.events()
                if e.get(list(e)[0], {}).get("process", {}).get("exec_id") == cat]
        check(seen == ["process_exec", "process_exit"], "cat's events in the order %r" % seen)
        exit_ev = [e for e in a.events() if "process_exit" in e and
                   e["process_exit"]["process"]["exec_id"] == cat][0]
        check_pod(exit_ev["process_exit"]["process"], c, "exit's process")
        # the compact line of a line that waited is made from its JSON, pod included
        want = "process late-ns/%s /bin/busybox /etc/passwd" % c.pod_name
        def stdout():
            a.logf.flush()
            with open(a.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        deadline = time.monotonic() + 5
        while want not in stdout() and time.monotonic() < deadline:
            time.sleep(0.1)
        check(want in stdout(), "no %r on stdout: %s" % (want, stdout()[-800:]))
        check(a.status()["workloads"]["events_waited_for_pod"] >= 1, "nothing waited")


@test("pod_labels_from_a_real_api_server_show_in_events_and_follow_a_patch")
def _():
    need_runc()
    from kube import Kube
    with Kube() as k:
        ns = "lbl-%d" % os.getpid()
        k.create_namespace(ns)
        try:
            pod = k.create_pod(ns, "web-7d9c4f-x2x", node="testnode", containers=("app",),
                               labels={"app": "web", "tier": "front",
                                       "pod-template-hash": "7d9c4f"},
                               owner=("ReplicaSet", "web-7d9c4f", "6c1e2d3f-0000-4000-8000-"
                                      "000000000001"))
            a = Agent("--enable-k8s-api", "--k8s-kubeconfig-path", k.kubeconfig())
            # no hook: everything comes from the API
            with Container(name="app", namespace=ns, pod_name="web-7d9c4f-x2x",
                           pod_uid=pod["metadata"]["uid"]) as c:
                k.set_running(ns, "web-7d9c4f-x2x", [("app", c.id)])
                check(c.start().returncode == 0, "runc run: %s" % c.output())

                def labels_after(argv, want_tier):
                    deadline = time.monotonic() + 15
                    while True:
                        c.exec(argv)
                        ev = a.wait_for(in_container(c, args=argv[1]), what=" ".join(argv))
                        p = ev["process_exec"]["process"]
                        tier = p.get("pod", {}).get("pod_labels", {}).get("tier")
                        # the pod's labels can come with its creation, before the status
                        # that names its containers: wait for both
                        named = p.get("pod", {}).get("container", {}).get("name")
                        if (tier == want_tier and named) or time.monotonic() > deadline:
                            return p
                        argv = [argv[0], argv[1] + "/"]     # a new event to look for
                        time.sleep(0.3)
                p = labels_after(["cat", "/etc/passwd"], "front")
                check_pod(p, c, "process")
                pod_obj = p["pod"]
                check(pod_obj.get("pod_labels") == {"app": "web", "tier": "front",
                                                    "pod-template-hash": "7d9c4f"},
                      "labels %r" % pod_obj.get("pod_labels"))
                check(pod_obj.get("workload") == "web" and
                      pod_obj.get("workload_kind") == "Deployment", "workload %r" % pod_obj)
                k.set_labels(ns, "web-7d9c4f-x2x", {"tier": "back"})
                p = labels_after(["ls", "/etc"], "back")
                check(p["pod"]["pod_labels"].get("tier") == "back",
                      "after the patch: %r" % p["pod"].get("pod_labels"))
        finally:
            k.delete_namespace(ns)


run()
