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
Prints the loop's CPU per open+close, bare and with each form, and the ratio
of the cost each form adds to what the unscoped form adds (target <= 1.1).
Environment: BENCH_OPENS (default 200000), BENCH_ROUNDS (default 3).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
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
    argv = [OPENLOOP, str(n), path]
    if cgroup:
        argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup] + argv
    out = subprocess.run(argv, capture_output=True, check=True)
    wall, cpu = out.stdout.split()
    return int(wall), int(cpu)


def with_policies(form, path):
    d = tempfile.mkdtemp(prefix="hornet-bench-scope-")
    try:
        for i in range(POLICIES):
            with open(os.path.join(d, "p%03d.yaml" % i), "w") as f:
                f.write(POLICY % ("scope-%03d" % i, FORMS[form](i), path))
        a = bench_agent("--ringbuf-size-mb", "64", "--policy-dir", d)
        try:
            pol = a.policies()
            bad = [n for n, p in pol.items() if p["state"] != "enabled"]
            if len(pol) != POLICIES or bad:
                sys.exit("bench/scope: %s: policies not loaded: %r" % (form, bad[:3]))
            if form != "in-pod":
                res = openloop(path)
            else:
                hook = [HORNET, "oci-hook", "--socket", a.socket]
                with Container(namespace=NS, hook=hook) as c:
                    if c.start().returncode:
                        sys.exit("bench/scope: runc run: %s" % c.output())
                    res = openloop(path, cgroup=c.unified_dir())
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
        cpu = {k: statistics.median(x[1] for x in v) for k, v in runs.items()}
        bare = cpu["bare"]
        added = cpu["unscoped"] - bare
        print("open+close, workload CPU per call (median of %d rounds of %d): bare %.2f us"
              % (ROUNDS, N, bare / 1e3))
        for form in FORMS:
            print("  %d policies %-11s %.2f us; adds %.2f us, %.2f of what the unscoped "
                  "policies add (target <= 1.1)"
                  % (POLICIES, form + ":", cpu[form] / 1e3, (cpu[form] - bare) / 1e3,
                     (cpu[form] - bare) / max(added, 1)))
    finally:
        os.unlink(path)


main()
