#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/policy: what policies cost.

1. In-kernel filtering: open+close of a path that matches no selector, bare
   and with a file-monitoring policy (sys_openat, Prefix on the path, nine
   values), alternated; prints the workload's CPU per open and the ratio.
2. 1 policy vs 100 policies on the same hook (different Prefix values each),
   the same non-matching loop: the ratio of the cost the policies add.
3. Matched events: opens of a matching path, exported to the file; events per
   second of the agent's CPU (one core), and what was lost.
Environment: BENCH_OPENS (default 200000), BENCH_ROUNDS (default 5).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

# the agent as the tests start it (tests/lib/hornet.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import bench_agent, BUILD  # noqa: E402

OPENLOOP = os.path.join(BUILD, "bench", "policy", "openloop")
N = int(os.environ.get("BENCH_OPENS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

MONITOR = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "%s"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values:
%s
"""
SENSITIVE = ["/etc/shadow", "/etc/sudoers", "/root/.ssh", "/boot", "/etc/pam.conf",
             "/etc/profile", "/etc/bashrc", "/etc/csh.cshrc", "/etc/csh.login"]


def policy(name, values):
    return MONITOR % (name, "\n".join('        - "%s"' % v for v in values))


def openloop(path, n=N, procs=1):
    out = subprocess.run([OPENLOOP, str(n), path, str(procs)], capture_output=True, check=True)
    wall, cpu = out.stdout.split()
    return int(wall), int(cpu)


def main():
    if os.geteuid() != 0:
        sys.exit("bench/policy: needs root")
    path = tempfile.mkstemp(prefix="hornet-bench-open-")[1]
    try:
        openloop(path, 20000)
        bare, one = [], []
        for _ in range(ROUNDS):
            bare.append(openloop(path))
            a = bench_agent("--ringbuf-size-mb", "64")
            a.add_policy(policy("file-monitoring", SENSITIVE))
            one.append(openloop(path))
            a.stop()
        b = statistics.median(x[1] for x in bare)
        w = statistics.median(x[1] for x in one)
        print("open+close of a path no selector matches, workload CPU: bare %.2f us, with a "
              "file-monitoring policy %.2f us, ratio %.3f (target <= 1.05)" % (b / 1e3, w / 1e3, w / b))
        bw = statistics.median(x[0] for x in bare)
        ww = statistics.median(x[0] for x in one)
        print("  wall: bare %.2f us, with the policy %.2f us, ratio %.3f" % (bw / 1e3, ww / 1e3, ww / bw))

        hundred = []
        for _ in range(ROUNDS):
            a = bench_agent("--ringbuf-size-mb", "64")
            for i in range(100):
                a.add_policy(policy("mon-%03d" % i, ["/srv/app%03d/%s" % (i, v.lstrip("/")) for v in SENSITIVE]))
            hundred.append(openloop(path))
            a.stop()
        h = statistics.median(x[1] for x in hundred)
        print("100 policies on the same hook: %.2f us per open; cost added %.2f us vs %.2f us "
              "for one policy: ratio %.2f of the total (target <= 1.2), %.2f of the added cost"
              % (h / 1e3, (h - b) / 1e3, (w - b) / 1e3, h / w, (h - b) / max(w - b, 1)))

        a = bench_agent("--ringbuf-size-mb", "64")
        a.add_policy(policy("matched", [path]))
        c0 = sum(a.cpu())
        t0 = time.time()
        procs = 2
        openloop(path, N, procs)
        time.sleep(1)
        st = a.status()
        posted = st["events"].get("process_kprobe", 0)
        cpu = sum(a.cpu()) - c0
        lost = st["lost"]["ringbuf"]["policy_events"]
        print("matched events: %d exported in %.1f s; %.0f events per second of agent CPU "
              "(one core; target 500,000); lost %d (ring buffer)" %
              (posted, time.time() - t0, posted / cpu if cpu else 0, lost))
        a.stop()
    finally:
        os.unlink(path)


main()
