#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/k8s: what the pod cache costs.

A fake API server (tests/lib/fakeapi.py) holds BENCH_PODS pods (default
10,000) on the benchmark's node, each with three labels, an owner and one
container, as a kubelet leaves them.

1. Memory: the agent's VmRSS once it has listed them all, minus the VmRSS of
   the same agent watching a node with no pods (target: at most 20 MB).
2. Time from the agent's start to the cache synced with every pod.
3. CPU: BENCH_RATE pod changes a second (default 500; label changes of
   random pods) for BENCH_SECONDS (default 20): the agent's CPU in percent
   of one core, less its CPU for as long without changes (it follows every
   exec of the machine meanwhile) (target: under 5 %), and whether the cache
   kept up.
"""
import json
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import HORNET, Agent, bench_agent  # noqa: E402
from fakeapi import FakeAPI, make_pod  # noqa: E402

PODS = int(os.environ.get("BENCH_PODS", "10000"))
RATE = int(os.environ.get("BENCH_RATE", "500"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))


def k8s_status(a):
    return a.status()["k8s"]


def agent(api, node):
    a = bench_agent("--enable-k8s-api", "--k8s-kubeconfig-path", api.kubeconfig(),
                    "--network=false", "--node-name", node)
    t0 = a.t0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        st = k8s_status(a)
        if st["synced"] and st["lists"] >= 1:
            return a, time.monotonic() - t0, st
        time.sleep(0.05)
    sys.exit("bench/k8s: the agent did not sync in 300 s: %s" % k8s_status(a))


def settle_rss(a):
    """VmRSS once it stops moving (the list's buffers freed)."""
    last = None
    for _ in range(20):
        rss = a.rss_kb()[0]
        if last is not None and abs(rss - last) < 64:
            return rss
        last = rss
        time.sleep(0.25)
    return last


def churn(api, uids, rate, seconds, stop):
    """Label changes of random pods at @rate a second; returns how many were made."""
    n = 0
    t0 = time.monotonic()
    while not stop.is_set() and time.monotonic() - t0 < seconds:
        due = int((time.monotonic() - t0) * rate)
        while n < due:
            uid = random.choice(uids)
            api.modify_pod(uid, lambda p, v=str(n): p["metadata"]["labels"].update(rev=v))
            n += 1
        time.sleep(0.002)
    return n


def main():
    if os.geteuid() != 0:
        sys.exit("bench/k8s: needs root")
    node = "bench-node-%d" % os.getpid()
    api = FakeAPI(bookmark_every=10)
    try:
        uids = []
        for i in range(PODS):
            p = api.add_pod(make_pod("bench-%d" % (i % 50), "app-%d-7f9c8-%05d" % (i % 200, i),
                                     node, owner=("ReplicaSet", "app-%d-7f9c8" % (i % 200)),
                                     labels={"app": "app-%d" % (i % 200), "tier": "web",
                                             "pod-template-hash": "7f9c8"}))
            uids.append(p["metadata"]["uid"])
        api.compact()       # the setup's events are not the benchmark's

        base, _, _ = agent(api, "empty-" + node)
        base_rss = settle_rss(base)
        base.stop()

        a, sync_s, st = agent(api, node)
        rss = settle_rss(a)
        pods = k8s_status(a)["pods"]
        print("pods in the cache:         %d of %d (store %.1f MB by its own count)" %
              (pods, PODS, k8s_status(a)["store_bytes"] / 1e6))
        print("start to synced:           %.2f s" % sync_s)
        print("memory (VmRSS delta):      %.1f MB (agent %.1f MB, without pods %.1f MB; "
              "target <= 20 MB)" % ((rss - base_rss) / 1024, rss / 1024, base_rss / 1024))

        # the agent also follows every exec of the machine: its CPU without changes
        u0, s0 = a.cpu()
        time.sleep(SECONDS / 2)
        u1, s1 = a.cpu()
        idle = (u1 - u0 + s1 - s0) / (SECONDS / 2) * 100
        u0, s0 = a.cpu()
        ev0 = k8s_status(a)["events"]
        stop = threading.Event()
        t0 = time.monotonic()
        made = churn(api, uids, RATE, SECONDS, stop)
        wall = time.monotonic() - t0
        u1, s1 = a.cpu()
        deadline = time.monotonic() + 30
        while k8s_status(a)["events"] - ev0 < made and time.monotonic() < deadline:
            time.sleep(0.1)
        got = k8s_status(a)["events"] - ev0
        cpu = (u1 - u0 + s1 - s0) / wall * 100
        print("changes:                   %d in %.1f s (%.0f a second), %d received" %
              (made, wall, made / wall, got))
        print("agent CPU during changes:  %.2f %% of one core (user %.2f s, sys %.2f s)" %
              (cpu, u1 - u0, s1 - s0))
        print("agent CPU without changes: %.2f %% of one core" % idle)
        print("CPU of the changes:        %.2f %% of one core (target < 5 %%)" % (cpu - idle))
        r = subprocess.run([HORNET, "pods", "--socket", a.socket, "-o", "json"],
                           capture_output=True, check=True)
        n = len(json.loads(r.stdout)["pods"])
        print("hornet pods lists:         %d pods (%.2f MB of JSON)" % (n, len(r.stdout) / 1e6))
        print("rss after the changes:     %.1f MB" % (a.rss_kb()[0] / 1024))
        a.stop()
    finally:
        Agent.stop_all()
        api.stop()


if __name__ == "__main__":
    main()
