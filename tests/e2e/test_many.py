#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Many policies on one hook point: a real agent started with 1,000 generated
policies in its --policy-dir (each watching its own path prefix on openat and
its own port on connect: 1,000 users of each hook point), real opens and
connects, assertions on which policy reported them."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import Agent, check, run, test  # noqa: E402

COUNT = 1000
PORT0 = 21000   # policy i watches connects to port PORT0 + i
CAT = os.path.realpath("/bin/cat")

POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: {name: "%(name)s"}
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    args: [{index: 1, type: string}]
    selectors:
    - matchArgs: [{index: 1, operator: Prefix, values: ["%(dir)s/"]}]
  - call: sys_connect
    syscall: true
    args: [{index: 1, type: sockaddr}]
    selectors:
    - matchArgs: [{index: 1, operator: SPort, values: ["%(port)d"]}]
"""


def name(i):
    return "many-%04d" % i


def reports(a, pid):
    """(policy, path or port) of every policy event of @pid"""
    out = []
    for ev in a.events():
        body = ev.get("process_kprobe") or ev.get("process_tracepoint")
        if not body or body["process"]["pid"] != pid:
            continue
        arg = (body.get("args") or [{}])[0]
        what = arg.get("string_arg")
        if what is None and "sockaddr_arg" in arg:
            what = arg["sockaddr_arg"].get("port")
        out.append((body.get("policy_name"), what))
    return out


def wait_reports(a, pid, timeout=10):
    deadline = time.time() + timeout
    while True:
        got = reports(a, pid)
        if got or time.time() > deadline:
            time.sleep(0.3)   # anything else it would report has arrived too
            return reports(a, pid)
        time.sleep(0.05)


@test("a_thousand_policies_on_one_hook_point_load_and_each_reports_only_its_own")
def _():
    top = tempfile.mkdtemp(prefix="hornet-many-", dir="/var/tmp")
    pdir = tempfile.mkdtemp(prefix="hornet-many-policies-")
    try:
        for i in range(COUNT):
            with open(os.path.join(pdir, name(i) + ".yaml"), "w") as f:
                f.write(POLICY % {"name": name(i), "dir": "%s/%04d" % (top, i),
                                  "port": PORT0 + i})
        t0 = time.monotonic()
        a = Agent("--policy-dir", pdir, ready_timeout=180)
        ready = time.monotonic() - t0
        t0 = time.monotonic()
        pols = a.policies()
        print("# policy list in %.1f s" % (time.monotonic() - t0))
        mine = [n for n in pols if n.startswith("many-")]
        check(len(mine) == COUNT, "%d of %d policies listed" % (len(mine), COUNT))
        bad = [n for n in mine if pols[n]["state"] != "enabled"]
        check(not bad, "not enabled: %s" % bad[:5])
        print("# %d policies ready in %.1f s, agent RSS %.1f MB" % (
            COUNT, ready, a.rss_kb()[0] / 1024))

        # an open under policy 537's directory: 537 reports it, no other does
        # (its neighbours' prefixes share all but the last digits with it)
        i = 537
        d = os.path.join(top, "%04d" % i)
        os.mkdir(d)
        path = os.path.join(d, "file")
        with open(path, "w") as f:
            f.write("x\n")
        p = subprocess.Popen([CAT, path], stdout=subprocess.DEVNULL)
        check(p.wait() == 0, "cat failed")
        got = wait_reports(a, p.pid)
        check((name(i), path) in got, "no event of %s for the open of %s: %s" % (
            name(i), path, got))
        check(all(g == (name(i), path) for g in got if g[0].startswith("many-")),
              "the open of %s was reported as %s" % (path, got))
        # and a path no policy watches, next to theirs, is reported by none
        p2 = subprocess.Popen([CAT, os.path.join(top, "file-of-none")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        p2.wait()
        time.sleep(0.5)
        got = [g for g in reports(a, p2.pid) if g[0].startswith("many-")]
        check(not got, "reported: %s" % got)

        # a connect to policy 999's port on loopback (nothing listens): 999 alone
        i = COUNT - 1
        code = ("import socket; s = socket.socket(); s.settimeout(2)\n"
                "try: s.connect(('127.0.0.1', %d))\nexcept OSError: pass\n" % (PORT0 + i))
        p3 = subprocess.Popen([sys.executable, "-c", code])
        p3.wait()
        got = wait_reports(a, p3.pid)
        check(got, "no event for the connect to port %d" % (PORT0 + i))
        ours = [g for g in got if g[0].startswith("many-")]
        check(ours and all(g == (name(i), PORT0 + i) for g in ours),
              "the connect to port %d was reported as %s" % (PORT0 + i, got))

        # status: the generic sensor counts them all enabled, none in error
        st = a.status()
        gen = [x for v in st.values() if isinstance(v, list) for x in v
               if isinstance(x, dict) and x.get("name") == "generic"]
        check(gen and gen[0]["policies_enabled"] >= COUNT and not gen[0]["policies_in_error"],
              "status: %r" % gen)
        t0 = time.monotonic()
        a.stop()
        print("# stopped in %.1f s" % (time.monotonic() - t0))
    finally:
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(pdir, ignore_errors=True)


if __name__ == "__main__":
    run()
