#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The table of docs/security.md from the attack suite's results on both kernels.

  security-table.py [HOST.json [VM.json]] [--write docs/security.md]

HOST.json and VM.json are tests/run's results (default build/test-results-host.json and
build/test-results-vm.json, which `make vmtest` reads back from the VM). Each attack test's
PASS line carries its outcome (reported, denied, missed); a FAIL says "expected X, got Y".
The roads, what they do and why a miss is missed come from the test files' ROADS tables.
Prints the markdown table, or with --write replaces the one between the markers
<!-- attack-table begin --> and <!-- attack-table end --> in the given file."""
import importlib.util
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("HORNET_BUILD", os.path.join(ROOT, "build"))
# test file of tests/attack: (its intent, the prefix of its tests' names)
CASES = [("test_files.py", "read /etc/shadow", "read_shadow_by_"),
         ("test_exec.py", "run from /dev/shm or memory", "exec_shm_by_"),
         ("test_exec.py", "run a binary a policy watches (matchBinaries)", "exec_watched_by_"),
         ("test_exec.py", "run a binary a policy kills (matchBinaries + Sigkill)",
          "exec_killed_by_"),
         ("test_agent.py", "read /etc/shadow hidden (PID namespace, renamed process)",
          "hide_by_"),
         ("test_network.py", "an outbound connection to loopback", "connect_out_by_")]
BEGIN, END = "<!-- attack-table begin -->", "<!-- attack-table end -->"


def roads(fname):
    spec = importlib.util.spec_from_file_location(
        "attack_" + fname[:-3], os.path.join(ROOT, "tests", "attack", fname))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.ROADS


def load(path):
    try:
        with open(path) as f:
            run = json.load(f)
    except (OSError, ValueError):
        return None, {}
    return run.get("kernel", "?"), {r["test"]: r for r in run.get("results", [])
                                    if r["suite"] == "attack"}


def outcome(r):
    if r is None:
        return "not run"
    why = r.get("why", "")
    if r["result"] == "PASS":
        return why.split()[0] if why else "passed"
    if r["result"] == "SKIP":
        return "skipped (%s)" % why
    m = re.search(r"expected (\w+), got (\w+)", why)
    return "**%s** (expected %s)" % (m.group(2), m.group(1)) if m else "failed (%s)" % why


def cell(s):
    return s.replace("|", "\\|").replace("\n", " ")


def table(host_path, vm_path):
    hk, host = load(host_path)
    vk, vm = load(vm_path)
    head = "| case | road | %s | %s | why missed, and what would catch it |" % (
        "host " + (hk.split("-")[0] if hk else "(no run)"),
        "VM " + (vk.split("-")[0] if vk else "(no run)"))
    lines = [head, "|---|---|---|---|---|"]
    for fname, intent, prefix in CASES:
        for road, (what, _, why) in roads(fname).items():
            name = prefix + road
            lines.append("| %s: `%s` | %s | %s | %s | %s |" % (
                intent, road, cell(what), outcome(host.get(name)), outcome(vm.get(name)),
                cell(why) or "-"))
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    out = None
    if "--write" in args:
        i = args.index("--write")
        if i + 1 >= len(args):
            print(__doc__, file=sys.stderr)
            return 2
        out = args[i + 1]
        del args[i:i + 2]
    host = args[0] if len(args) > 0 else os.path.join(BUILD, "test-results-host.json")
    vm = args[1] if len(args) > 1 else os.path.join(BUILD, "test-results-vm.json")
    t = table(host, vm)
    if not out:
        sys.stdout.write(t)
        return 0
    with open(out) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        print("%s: no %s ... %s markers" % (out, BEGIN, END), file=sys.stderr)
        return 1
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(out, "w") as f:
        f.write(head + BEGIN + "\n" + t + END + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
