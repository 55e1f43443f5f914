#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/scope: what the workload scope check costs per hooked call.

The same 100 policies on one hook (sys_openat, the path Equal to the loop's
file, NoPost: every call satisfies every policy's filter and nothing is
exported), loaded at start in one batch, in three forms:
  unscoped     no selector: every policy's selector is walked
  pod-scoped   each policy with its own podSelector (100 scope indexes); the
               loop runs on the host, outside them: one map lookup per call,
               then one bit test per policy, which skips its selector
  host-scoped  each with hostSelector {}: the loop is inside the scope, so
               the selectors are walked as unscoped, after a lookup that
               misses (the host's cgroup is in no container)
  in-pod       each with its own podSelector that selects one pod (its
               namespace), and the loop inside that pod: a runc container
               started through `hornet oci-hook`, the loop moved into its
               cgroup v2; the lookup hits, the bitmap is copied, every
               selector is walked (skipped when runc is missing)
Rounds: bare, then each form (the agent started for it, outside the timing),
the loop on CPU 0 and the agent on CPU 1. Prints one table: the loop's CPU
per open+close, bare and with each form, the ratio to bare, and the ratio of
the cost each form adds to what the unscoped form adds in the same round
(target <= 1.1), each with its spread over the rounds.
Environment: BENCH_OPENS (default 200000), BENCH_ROUNDS (default 3).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import Meter, fmt_ratio, pin, pinned, table  # noqa: E402
from hornet import HORNET, bench_agent, BUILD  # noqa: E402
import containers  # noqa: E402
from containers import Container  # noqa: E402

OPENLOOP = os.path.join(BUILD, "bench", "policy", "openloop")
N = int(os.environ.get("BENCH_OPENS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
POLICIES = 100

POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "%s"
spec:
%s  kprobes:
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
        operator: "Equal"
        values: ["%s"]
      matchActions:
      - action: NoPost
"""

NS = "bench-scope-%d" % os.getpid()
FORMS = {
    "unscoped": lambda i: "",
    "pod-scoped": lambda i: "  podSelector:\n    matchLabels:\n      app: app-%03d\n" % i,
    "host-scoped": lambda i: "  hostSelector: {}\n",
    "in-pod": lambda i: ("  podSelector:\n    matchExpressions:\n"
                         "    - {key: \"k8s:io.kubernetes.pod.namespace\", operator: In, "
                         "values: [\"%s\"]}\n" % NS),
}


def openloop(path, n=N, cgroup=None):
    """CPU per open+close; in the cgroup v2 directory @cgroup when given."""
    argv = pinned([OPENLOOP, str(n), path])
    if cgroup:
        argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup] + argv
    out = subprocess.run(argv, capture_output=True, check=True)
    wall, cpu = out.stdout.split()
    return int(wall), int(cpu)


FOREIGN = []    # the foreign CPU load of each measured round


def with_policies(form, path):
    d = tempfile.mkdtemp(prefix="hornet-bench-scope-")
    try:
        for i in range(POLICIES):
            with open(os.path.join(d, "p%03d.yaml" % i), "w") as f:
                f.write(POLICY % ("scope-%03d" % i, FORMS[form](i), path))
        a = bench_agent("--ringbuf-size-mb", "64", "--policy-dir", d)
        pin(a.proc.pid)
        try:
            pol = a.policies()
            bad = [n for n, p in pol.items() if p["state"] != "enabled"]
            if len(pol) != POLICIES or bad:
                sys.exit("bench/scope: %s: policies not loaded: %r" % (form, bad[:3]))
            m = Meter(a.proc.pid)
            if form != "in-pod":
                res = openloop(path)
            else:
                hook = [HORNET, "oci-hook", "--socket", a.socket]
                with Container(namespace=NS, hook=hook) as c:
                    if c.start().returncode:
                        sys.exit("bench/scope: runc run: %s" % c.output())
                    res = openloop(path, cgroup=c.unified_dir())
            FOREIGN.append(m.foreign())
            # the form is what it says: selectors walked, or all skipped outside the scope
            runs = a.policies()["scope-000"]["stats"]["matches"]
            if (runs >= N) != (form != "pod-scoped"):
                sys.exit("bench/scope: %s: policy matched %d times in %d opens" % (form, runs, N))
            return res
        finally:
            a.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    if os.geteuid() != 0:
        sys.exit("bench/scope: needs root")
    benchlib.need(HORNET, OPENLOOP)
    benchlib.header("bench/scope", "the workload scope check per hooked call")
    path = tempfile.mkstemp(prefix="hornet-bench-scope-")[1]
    try:
        openloop(path, 20000)
        if not containers.runtime_available("runc"):
            print("bench/scope: no runc: the in-pod form is left out")
            del FORMS["in-pod"]
        runs = {k: [] for k in ["bare"] + list(FORMS)}
        for _ in range(ROUNDS):
            runs["bare"].append(openloop(path))
            for form in FORMS:
                runs[form].append(with_policies(form, path))
        cpu = {k: [x[1] for x in v] for k, v in runs.items()}
        bare = cpu["bare"]
        rows, b = [], statistics.median(bare)
        for form in FORMS:
            added = [(f - b) / max(u - b, 1) for f, b, u in zip(cpu[form], bare, cpu["unscoped"])]
            rows.append([form, "%.2f us" % (statistics.median(cpu[form]) / 1e3),
                         fmt_ratio([f / b for f, b in zip(cpu[form], bare)]),
                         "%.2f us" % ((statistics.median(cpu[form]) - b) / 1e3),
                         "%.2f (%.2f-%.2f)" % (statistics.median(added), min(added), max(added))])
        table("open+close, workload CPU per call, %d policies per form (median of %d rounds of "
              "%d; bare %.2f us)" % (POLICIES, ROUNDS, N, b / 1e3),
              ["form", "CPU per call", "ratio to bare (95% CI)", "adds",
               "of what unscoped adds (min-max; target <= 1.1)"], rows,
              ["foreign CPU load: median %.2f cores, %d of %d rounds above %.2f"
               % (statistics.median(FOREIGN), sum(x > benchlib.BUSY for x in FOREIGN),
                  len(FOREIGN), benchlib.BUSY)])
    finally:
        os.unlink(path)


main()
