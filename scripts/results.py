#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Test results across kernels.

  results.py summary FILE            counts of one run (tests/run's JSON), failures listed
  results.py matrix HOST VM [VM...]  test x kernel matrix, then the combined count line

The matrix lists the bpf, e2e, attack and fault tests (they depend on the kernel) with their
result on each kernel, and flags a test that ran on no kernel. Exit status 1
when a test failed anywhere, or when a test was skipped everywhere.
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"kernel": "?", "results": [], "error": str(e)}


def counts(results):
    c = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for r in results:
        c[r["result"]] += 1
    return c


def times(runs):
    """The time of each suite on each kernel, and of the whole run (make test
    passes it in HORNET_TEST_SECONDS)."""
    for name, run in runs:
        t = run.get("times")
        if not t:
            continue
        line = "time on %s: %s" % (name, ", ".join("%s %.0f s" % (s, v) for s, v in t.items()))
        if run.get("vm_seconds"):
            line += " (the VM from boot to shutdown: %d s)" % run["vm_seconds"]
        print(line)
    if os.environ.get("HORNET_TEST_SECONDS"):
        s = int(os.environ["HORNET_TEST_SECONDS"])
        print("time of the test run: %d s (%d min %02d s)" % (s, s // 60, s % 60))


def summary(path):
    run = load(path)
    if "error" in run:
        print("no results: %s" % run["error"])
        return 1
    where = "vm" if "-vm" in os.path.basename(path) else "host"
    times([("%s %s" % (where, run.get("kernel", "?")), run)])
    for r in run["results"]:
        if r["result"] == "FAIL":
            print("failed: %s/%s: %s" % (r["suite"], r["test"], r["why"]))
    c = counts(run["results"])
    print("%d passed, %d failed, %d skipped" % (c["PASS"], c["FAIL"], c["SKIP"]))
    return 1 if c["FAIL"] else 0


def matrix(host_path, *vm_paths):
    host = load(host_path)
    runs = [("host " + host.get("kernel", "?"), host)]
    for path in vm_paths:
        vm = load(path)
        runs.append(("vm " + vm.get("kernel", "?"), vm))
    # the column of a VM is named by its results file: vm (6.1), vm510 (5.10)
    cols = ["host"] + [os.path.basename(p)[len("test-results-"):-len(".json")] for p in vm_paths]
    table = {}
    order = []
    for col, (_, run) in enumerate(runs):
        for r in run["results"]:
            key = "%s/%s" % (r["suite"], r["test"])
            if key not in table:
                table[key] = ["-"] * len(runs)
                order.append(key)
            table[key][col] = r["result"].lower()
    shown = [k for k in order if k.split("/")[0] in ("bpf", "e2e", "attack", "fault")]
    width = max([len(k) for k in shown] + [20])
    print()
    print("%-*s  %s" % (width, "test x kernel", "  ".join("%-6s" % c for c in cols)))
    for k in shown:
        print("%-*s  %s" % (width, k, "  ".join("%-6s" % v for v in table[k])))
    others = [k for k in order if k not in shown]
    if others:
        c = counts([r for r in host["results"] if "%s/%s" % (r["suite"], r["test"]) in others])
        print("%-*s  %d pass, %d fail, %d skip (host only: they do not depend on the kernel)" %
              (width, "lint + unit (%d)" % len(others), c["PASS"], c["FAIL"], c["SKIP"]))
    for name, run in runs:
        if "error" in run:
            print("%s: no results (%s)" % (name, run["error"]))
    nowhere = [k for k in shown if "pass" not in table[k] and "fail" not in table[k]]
    for k in nowhere:
        print("runs on no kernel: %s" % k)
    for name, run in runs:
        for r in run["results"]:
            if r["result"] == "FAIL":
                print("failed on %s: %s/%s: %s" % (name, r["suite"], r["test"], r["why"]))
    times(runs)
    c = counts([r for _, run in runs for r in run["results"]])
    # a kernel that produced no results at all counts as one failure
    c["FAIL"] += sum(1 for _, r in runs if "error" in r)
    print("%d passed, %d failed, %d skipped" % (c["PASS"], c["FAIL"], c["SKIP"]))
    return 1 if c["FAIL"] or nowhere or any("error" in r for _, r in runs) else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "summary":
        return summary(sys.argv[2])
    if len(sys.argv) >= 4 and sys.argv[1] == "matrix":
        return matrix(*sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
