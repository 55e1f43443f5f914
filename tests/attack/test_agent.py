#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Evasion, the agent itself: a process that hides in a new PID namespace, or renames
itself after its exec (prctl(PR_SET_NAME), its argument strings overwritten), then reads
/etc/shadow (tests/helpers/attack_hide). Two policies in one agent (with
--enable-process-ns): the default pack's hornet-sensitive-file-reads, and
attack-hide-watch (tests/attack/policies/hide-watch.yaml: matchBinaries on the payload's
path, a copy of the helper, at exit_group).

A road is "reported" when the read is reported for the process that did it, by its host
pid, with its whole context: its binary and arguments as exec'd, its parent's exec_id
and binary (the helper's exec, whose parent is this test), and, for a process exec'd in
the new namespace, its exec event's ns.pid not the host's. The renaming roads must also be
reported by the matchBinaries policy, with the binary and arguments of the exec. Where
the outcome differs from ROADS, the test FAILs (docs/security.md's table)."""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HELPERS, ROOT, Agent, check, exec_dir, features, file_event_path,  # noqa: E402
                    run, skip, test)
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

SHADOW_FILE = os.path.join(ROOT, "policies", "sensitive-file-reads.yaml")
SHADOW_POLICY = "hornet-sensitive-file-reads"
WATCH_FILE = os.path.join(ROOT, "tests", "attack", "policies", "hide-watch.yaml")
WATCH = "attack-hide-watch"
HELPER = os.path.join(HELPERS, "attack_hide")
SHADOW = "/etc/shadow"
EVENT_KINDS = ("process_kprobe", "process_tracepoint", "process_lsm", "process_uprobe")

R, M = "reported", "missed"

# road: (what it does, {mechanism of the syscall hooks: outcome}, why missed and what would
# catch it)
ROADS = {
    "pidns_read": ("unshare(CLONE_NEWPID), fork: pid 1 of the new namespace reads the file",
                   {"tracepoint": R, "kprobe": R}, ""),
    "clone_read": ("clone(CLONE_NEWPID): pid 1 of the new namespace reads the file",
                   {"tracepoint": R, "kprobe": R}, ""),
    "pidns_exec": ("unshare(CLONE_NEWPID), fork, exec of a program that reads the file",
                   {"tracepoint": R, "kprobe": R}, ""),
    "prctl": ("exec, then prctl(PR_SET_NAME, \"kworker/0:1\"), then the read",
              {"tracepoint": R, "kprobe": R}, ""),
    "argv": ("exec, then its argument strings overwritten with \"[kworker/0:1]\", then the read",
             {"tracepoint": R, "kprobe": R}, ""),
}
# road: (the argument the payload is exec'd with, or None: no exec)
PAYLOAD_ARGS = {"pidns_read": None, "clone_read": None, "pidns_exec": "plain",
                "prctl": "renamed secret-arg", "argv": "rewritten secret-arg"}


def mechanism():
    return "kprobe" if features().get("kprobe") else "tracepoint"


def workdir():
    """The directory named in hide-watch.yaml, with the helper as its payload."""
    def runs(d):
        payload = os.path.join(d, "payload")
        shutil.copy(HELPER, payload)
        return subprocess.run([payload, "usage"], capture_output=True).returncode == 2
    return exec_dir("hornet-attack-hide", runs)


def agent():
    for f in (SHADOW_FILE, WATCH_FILE):
        if not os.path.exists(f):
            skip("%s does not exist" % f)
    if not os.path.exists(SHADOW):
        skip("%s does not exist" % SHADOW)
    check(os.path.exists(HELPER), "%s is missing: make build-tests (or make static)" % HELPER)
    a = Agent.shared("--policy", SHADOW_FILE, "--policy", WATCH_FILE, "--enable-process-ns")
    pols = a.policies()
    for name in (SHADOW_POLICY, WATCH):
        check(pols.get(name) and pols[name]["state"] == "enabled", "%s: %r" % (name, pols))
    return a


def policy_events(evs, policy, pid):
    out = []
    for e in evs:
        for k in EVENT_KINDS:
            b = e.get(k)
            if b and b.get("policy_name") == policy and b["process"]["pid"] == pid:
                out.append(b)
    return out


def execs(evs, pid):
    return [e["process_exec"] for e in evs if "process_exec" in e
            and e["process_exec"]["process"]["pid"] == pid]


def attempt(road):
    """Runs the road; checks what hornet reports and the outcome against ROADS; returns
    the note of the PASS line."""
    a = agent()
    d = workdir()
    try:
        payload = os.path.join(d, "payload")
        argv = [HELPER, road] + ([payload] if PAYLOAD_ARGS[road] is not None else [])
        a.skip_past()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.communicate(timeout=60)
        said = (out + err).decode(errors="replace").strip()
        if p.returncode == 3:
            skip("the kernel refuses this road: %s" % said)
        check(p.returncode == 0, "%s exited with %d: %s" % (road, p.returncode, said))
        child = int(out.decode().split("child ")[1].split()[0])
        deadline = time.monotonic() + 5
        while not policy_events(a.events(), SHADOW_POLICY, child) and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        a.settle()
        evs = a.events()
    finally:
        shutil.rmtree(d, ignore_errors=True)

    # the helper's exec: its parent is this test
    helper_ev = [x for x in execs(evs, p.pid) if x["process"]["binary"] == HELPER]
    check(len(helper_ev) == 1, "%d exec events of the helper (pid %d)" % (len(helper_ev), p.pid))
    helper = helper_ev[0]["process"]
    check(helper_ev[0]["parent"].get("pid") == os.getpid() and helper["parent_exec_id"] ==
          helper_ev[0]["parent"].get("exec_id"), "the helper's parent is not this test: %s"
          % helper_ev[0]["parent"])
    check(helper["arguments"].split()[0] == road, "the helper's arguments: %r"
          % helper["arguments"])
    reads = policy_events(evs, SHADOW_POLICY, child)
    got = R if reads else M
    want = ROADS[road][1][mechanism()]
    check(got == want, "%s: expected %s, got %s: update docs/security.md (%s)"
          % (road, want, got, said))
    if got == M:
        return got
    ev = reads[0]
    proc, parent = ev["process"], ev.get("parent", {})
    paths = sorted({file_event_path(e) for e in reads})
    check(paths == [SHADOW], "%s: reported, but as %r" % (road, paths))
    notes = []
    if PAYLOAD_ARGS[road] is None:
        # a clone that never exec'd: the helper's binary, its parent the helper's exec
        check(proc["binary"] == HELPER, "the reader's binary: %s" % proc["binary"])
        check(proc["parent_exec_id"] == helper["exec_id"] and
              parent.get("exec_id") == helper["exec_id"] and parent.get("pid") == p.pid,
              "the reader's parent: %s (pid %s), the helper's exec: %s (pid %d)"
              % (parent.get("exec_id"), parent.get("pid"), helper["exec_id"], p.pid))
        notes.append("host pid %d, clone of the helper (pid %d)" % (child, p.pid))
    else:
        ex = execs(evs, child)
        check(len(ex) >= 1, "no exec event of the payload (pid %d)" % child)
        ex = ex[-1]
        check(ex["process"]["binary"] == payload and
              ex["process"]["arguments"] == PAYLOAD_ARGS[road],
              "the exec event: %s %r" % (ex["process"]["binary"], ex["process"]["arguments"]))
        for k in ("binary", "arguments", "exec_id", "parent_exec_id"):
            check(proc.get(k) == ex["process"].get(k),
                  "%s: the read's process %s is %r, the exec said %r"
                  % (road, k, proc.get(k), ex["process"].get(k)))
        # the payload's parent: the helper (pidns_exec), or the helper's own exec replaced
        # by the payload's (prctl, argv: the same process), whose parent is this test
        want_parent = helper if road == "pidns_exec" else None
        if want_parent:
            check(ex["parent"].get("exec_id") == helper["exec_id"],
                  "the payload's parent: %s, the helper's exec: %s"
                  % (ex["parent"].get("exec_id"), helper["exec_id"]))
        else:
            check(ex["parent"].get("pid") == os.getpid(),
                  "the payload's parent: pid %s, not the test's %d"
                  % (ex["parent"].get("pid"), os.getpid()))
        ns = ex["process"].get("ns", {}).get("pid", {})
        host_ns = helper.get("ns", {}).get("pid", {})
        check(ns and host_ns, "no ns.pid in the exec events: %s / %s" % (ns, host_ns))
        if road == "pidns_exec":
            check(not ns.get("is_host") and ns.get("inum") != host_ns.get("inum"),
                  "the exec in the new namespace: ns.pid %s, the helper's %s" % (ns, host_ns))
            notes.append("host pid %d, ns.pid inum %s is_host false" % (child, ns.get("inum")))
        watched = policy_events(evs, WATCH, child)
        check(watched, "%s: %s did not see the payload's exit_group" % (road, WATCH))
        for k in ("binary", "arguments"):
            check(watched[0]["process"].get(k) == ex["process"].get(k),
                  "%s: %s's process %s is %r" % (road, WATCH, k, watched[0]["process"].get(k)))
        notes.append("binary %s, arguments %r; matchBinaries matched"
                     % (proc["binary"], proc["arguments"]))
    return "%s (%s)" % (got, "; ".join(notes))


def case(road):
    @test("hide_by_" + road)
    def _():
        return attempt(road)


for _road in ROADS:
    case(_road)


if __name__ == "__main__":
    run()
