#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/k8s-apply: from `kubectl apply` of a policy to the first event it
produces, against a real kube-apiserver with etcd (tests/lib/kube.py).

Each round applies a new TracingPolicy (sys_openat, Prefix on a path of its
own) while a loop opens that path every 2 ms; it prints, per round and as
median and max: when kubectl returned, when `hornet policy list` showed the
policy enabled, and when the first event of it was exported (its "time"
field, taken when the kernel saw the open), all from the moment kubectl was
started. For comparison, each round also times `hornet policy add` of the
same policy through the agent's socket: what loading it costs without the
API. The target is under 1 s.
Environment: BENCH_ROUNDS (default 10).
"""
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import ROOT, Skip, bench_agent, policy_doc  # noqa: E402
import kube  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
CAT = os.path.realpath("/bin/cat")


def policy(name, path):
    """sys_openat of paths under @path: the tests' openat policy document."""
    return policy_doc("openat", name=name, operator="Prefix", values='\n        - "%s"' % path,
                      extra="", actions="")


def event_time(ev):
    """The event's "time" (RFC 3339, nanoseconds) as seconds since the epoch."""
    t = ev["time"].rstrip("Z")
    whole, _, frac = t.partition(".")
    base = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    return base + float("0." + (frac or "0"))


def opener(path, stop):
    while not stop.is_set():
        try:
            with open(path):
                pass
        except OSError:
            pass
        time.sleep(0.002)


def main():
    if os.geteuid() != 0:
        sys.exit("bench/k8s-apply: needs root")
    try:
        c = kube.Kube()
    except Skip as e:
        sys.exit("bench/k8s-apply: %s" % e)
    kubeconfig = c.kubeconfig()
    d = tempfile.mkdtemp(prefix="hornet-bench-k8s-", dir="/var/tmp")
    a = None

    def kubectl(*args, text=None):
        subprocess.run(["kubectl", "--kubeconfig", kubeconfig] + list(args),
                       input=text.encode() if text else None, check=True,
                       capture_output=True, timeout=60)
    try:
        kubectl("apply", "--validate=false", "-f", os.path.join(ROOT, "deploy", "kubernetes",
                                                              "crds"))
        for _ in range(300):    # a CRD just created has no conditions yet: ask again
            try:
                kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        a = bench_agent("--enable-k8s-api", "--k8s-kubeconfig-path", kubeconfig,
                        "--network=false")
        while not all(r["synced"] for r in a.status()["k8s_policies"]["resources"]):
            time.sleep(0.1)
        rows = []
        for i in range(ROUNDS):
            name = "bench-apply-%d" % i
            path = os.path.join(d, name)
            open(path, "w").close()
            stop = threading.Event()
            t = threading.Thread(target=opener, args=(path, stop))
            t.start()
            a.skip_past()
            t0 = time.time()
            kubectl("apply", "--validate=false", "-f", "-", text=policy(name, path))
            returned = time.time() - t0
            enabled = None
            first = None
            while first is None and time.time() - t0 < 30:
                if enabled is None:
                    p = {x["name"]: x for x in json.loads(a.policy("list", "-o", "json").stdout)
                         ["policies"]}.get(name)
                    if p and p["state"] == "enabled":
                        enabled = time.time() - t0
                for ev in a.events():
                    k = ev.get("process_kprobe")
                    if k and k.get("policy_name") == name:
                        first = event_time(ev) - t0
                        break
                time.sleep(0.005)
            stop.set()
            t.join()
            kubectl("delete", "tracingpolicies.cilium.io", name)
            t1 = time.time()
            a.add_policy(policy(name + "-direct", path))
            direct = time.time() - t1
            a.policy("delete", name + "-direct")
            rows.append((returned, enabled, first, direct))
            print("round %2d: kubectl returned %5.0f ms, enabled %5.0f ms, first event %5.0f ms;"
                  " hornet policy add %5.0f ms" % (i, returned * 1e3, (enabled or 0) * 1e3,
                                                   (first or 0) * 1e3, direct * 1e3), flush=True)
        for col, what in ((0, "kubectl returned"), (1, "policy enabled"), (2, "first event"),
                          (3, "policy add alone")):
            vals = [r[col] * 1e3 for r in rows if r[col] is not None]
            print("%-17s median %6.0f ms  max %6.0f ms  (%d of %d rounds)" % (
                what, statistics.median(vals), max(vals), len(vals), len(rows)))
    finally:
        if a is not None:
            a.stop()
            a.cleanup()
        c.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
