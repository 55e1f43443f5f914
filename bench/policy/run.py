#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/policy: what policies cost.

1. In-kernel filtering: open+close of a path that matches no selector, bare
   and with a file-monitoring policy (sys_openat, Prefix on the path, nine
   values). One agent runs throughout; the policy is added and deleted
   between short rounds (its load is not timed), so bare ("off": the agent
   without the policy, nothing on openat) and "on" alternate; a few rounds
   without any agent before and after show that "off" is bare. The loop on
   CPU 0, the agent on CPU 1. Prints the ratios of the workload's CPU and
   wall time per open with their 95% interval and the foreign CPU load.
   The floor beside it: the same loop with a program that does nothing
   (bench/policy/emptyprog) on the same tracepoint, and on the syscall's
   entry and exit tracepoints (policies that read the return value hook
   both), alternated with bare rounds and with the policy; what a syscall
   policy cannot go below on a kernel where the syscall tracepoint is its
   only hook, and what hornet adds above it. And the programs alone: the
   ns of BPF per call (bpf_stats) of hornet's and of bpftrace's filter
   (bench/peers' quiet case), attached together, order alternated.
2. 1 policy vs 100 policies on the same hook (different Prefix values each),
   the same non-matching loop: the ratio of the cost the policies add.
3. Matched events: opens of a matching path, exported to the file; events per
   second of the agent's CPU (one core), and what was lost.
Environment: BENCH_OPENS (default 200000; part 1 runs rounds of a quarter of
it), BENCH_ROUNDS (default 5; part 1 runs twice as many), BENCH_PROGRAM_ONLY=1
(part 1's programs alone: hornet's and bpftrace's, bpf_stats), BENCH_FLOOR_ONLY=1
(part 1's floor alone).
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import Meter, fmt_ratio, pin, pinned, ratios, table  # noqa: E402
# the agent as the tests start it (tests/lib/hornet.py)
from hornet import bench_agent, BUILD, HORNET  # noqa: E402

OPENLOOP = os.path.join(BUILD, "bench", "policy", "openloop")
EMPTYPROG = os.path.join(BUILD, "bench", "policy", "emptyprog")
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
    argv = [OPENLOOP, str(n), path, str(procs)]
    out = subprocess.run(pinned(argv) if procs == 1 else argv, capture_output=True, check=True)
    wall, cpu = out.stdout.split()
    return int(wall), int(cpu)


def quiet_case(path):
    """Part 1: rounds with the policy off and on alternated in one agent;
    returns the (wall, cpu) of the off and the on rounds."""
    rounds, n = ROUNDS * 2, max(N // 4, 1000)
    none = [openloop(path, n) for _ in range(3)]
    a = bench_agent("--ringbuf-size-mb", "64")
    pin(a.proc.pid)
    off, on, load = [], [], {"off": [], "on": []}
    for r in range(rounds * 2 + 1):
        state = "on" if r % 2 else "off"
        if state == "on":
            a.add_policy(policy("file-monitoring", SENSITIVE))
        m = Meter(a.proc.pid)
        (on if state == "on" else off).append(openloop(path, n))
        load[state].append(m.foreign())
        if state == "on":
            a.policy("delete", "file-monitoring")
    a.stop()
    none += [openloop(path, n) for _ in range(3)]
    rows = []
    for i, what in ((1, "workload CPU per open+close"), (0, "wall time per open+close")):
        rows.append([what, fmt_ratio(ratios([x[i] for x in off], [x[i] for x in on])),
                     "%.2f us" % (statistics.median(x[i] for x in off) / 1e3),
                     "%.2f us" % (statistics.median(x[i] for x in on) / 1e3)])
    busy = sum(x > benchlib.BUSY for x in load["on"] + load["off"])
    table("open+close of a path no selector matches: a file-monitoring policy on vs off "
          "(%d rounds of %d each, alternated, target <= 1.05)" % (rounds, n),
          ["measure", "ratio on/off (95% CI)", "off", "on"], rows,
          ["foreign CPU load: median %.2f cores (off), %.2f (on); %d of %d rounds above %.2f"
           % (statistics.median(load["off"]), statistics.median(load["on"]), busy,
              len(load["on"]) + len(load["off"]), benchlib.BUSY),
           "agent running with the policy off vs no agent (3 rounds before and 3 after, "
           "workload CPU): %.3f" % (statistics.median(x[1] for x in off) /
                                   statistics.median(x[1] for x in none))])
    return off, on


class Empty:
    """Programs that do nothing on @hooks (bench/policy/emptyprog), held while
    the object lives."""

    def __init__(self, *hooks):
        self.proc = subprocess.Popen([EMPTYPROG] + list(hooks), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.proc.wait()
            sys.exit("bench/policy: emptyprog could not attach to %s" % ", ".join(hooks))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


FLOOR = [("empty program on sys_enter_openat (the floor)", ["tp:syscalls/sys_enter_openat"]),
         ("empty programs on sys_enter_openat and sys_exit_openat",
          ["tp:syscalls/sys_enter_openat", "tp:syscalls/sys_exit_openat"])]


def others_on_openat(own):
    """Processes other than @own with a program on openat's tracepoints: the
    bare rounds then pay the tracepoint's dispatch too, and the floor reads
    as the cost of one more program only."""
    out = subprocess.run(["bpftool", "-j", "perf"], capture_output=True, text=True)
    try:
        rows = json.loads(out.stdout or "[]")
    except ValueError:
        return set()
    return {r.get("pid") for r in rows if r.get("tracepoint") in ("sys_enter_openat",
                                                                    "sys_exit_openat")} - own


def floor_case(path):
    """Part 1, the floor: bare rounds between every measured round (an empty
    program on the tracepoint(s), hornet with the policy), the order of the
    measured rounds rotated each cycle; ratios of the workload's CPU."""
    n = max(N // 4, 1000)
    a = bench_agent("--ringbuf-size-mb", "64")
    pin(a.proc.pid)
    kinds = [k for k, _ in FLOOR] + ["hornet, the file-monitoring policy"]
    bare, got, load = [openloop(path, n)[1]], {k: [] for k in kinds}, []
    others = others_on_openat({a.proc.pid})
    for c in range(ROUNDS * 2):
        for k in kinds[c % len(kinds):] + kinds[:c % len(kinds)]:
            if k in dict(FLOOR):
                e = Empty(*dict(FLOOR)[k])
            else:
                a.add_policy(policy("file-monitoring", SENSITIVE))
            m = Meter(a.proc.pid)
            cpu = openloop(path, n)[1]
            load.append(m.foreign())
            others |= others_on_openat({a.proc.pid} | ({e.proc.pid} if k in dict(FLOOR) else set()))
            if k in dict(FLOOR):
                e.close()
            else:
                a.policy("delete", "file-monitoring")
            bare.append(openloop(path, n)[1])
            got[k].append(cpu / statistics.mean(bare[-2:]))
    a.stop()
    b = statistics.median(bare)
    rows = [[k, fmt_ratio(got[k]), "%.0f ns" % (statistics.median(got[k]) * b - b)]
            for k in kinds]
    floor = statistics.median(got[kinds[0]])
    table("the floor: open+close of the same path, workload CPU, bare rounds between every "
          "measured round (%d of each, %d opens; bare %.2f us per open+close)"
          % (ROUNDS * 2, n, b / 1e3),
          ["measure", "ratio to bare (95% CI)", "added per open+close"], rows,
          ["hornet above the floor (same tracepoint): ratio %.3f, %.0f ns per open+close"
           % (statistics.median(got[kinds[-1]]) / floor,
              (statistics.median(got[kinds[-1]]) - floor) * b),
           "foreign CPU load: median %.2f cores; %d of %d rounds above %.2f"
           % (statistics.median(load), sum(x > benchlib.BUSY for x in load), len(load),
              benchlib.BUSY)] +
          (["NOT THE FLOOR: other processes (pids %s) had programs on openat's tracepoints, "
            "so bare rounds paid the dispatch too" % ", ".join(map(str, sorted(others)))]
           if others else []))


def prog_stats():
    """run_time_ns and run_cnt of every BPF program, by id."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True)
    return {p["id"]: (p.get("run_time_ns", 0), p.get("run_cnt", 0))
            for p in json.loads(out.stdout or "[]")}


class Bpftrace:
    """bench/peers' quiet-case filter: the path compared in the kernel."""

    def __init__(self, watched):
        prog = ('tracepoint:syscalls:sys_enter_openat /str(args->filename) == "%s"/ '
                '{ printf("%%d %%s\\n", pid, str(args->filename)); }' % watched)
        self.proc = subprocess.Popen(["bpftrace", "-B", "full", "-e", prog],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.proc.stdout.readline()  # "Attaching 1 probe..."

    def close(self):
        # it may miss a SIGINT that comes while it sets up
        for sig in (signal.SIGINT, signal.SIGINT, signal.SIGKILL):
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass


def program_case(path):
    """Part 1, the programs alone: bpf_stats (ns of BPF per call) of hornet's
    instance with the policy and, where bpftrace is installed, bench/peers'
    bpftrace filter, attached together so that both see the same calls, in
    both orders (the first attached pays the path's cache misses for both)."""
    n = max(N // 4, 1000)
    tools = ["hornet"] + (["bpftrace"] if shutil.which("bpftrace") else [])
    got = {t: [] for t in tools}
    for r in range(ROUNDS * 2):
        held, ids = {}, {}
        for t in tools if r % 2 == 0 else tools[::-1]:
            before = set(prog_stats())
            if t == "hornet":
                held[t] = bench_agent("--network=false")
                held[t].add_policy(policy("file-monitoring", SENSITIVE))
            else:
                held[t] = Bpftrace(path + ".watched")
            ids[t] = set(prog_stats()) - before
        subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
        try:
            s0 = prog_stats()
            openloop(path, n)
            s1 = prog_stats()
        finally:
            subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"], check=True)
        for t in tools:
            got[t].append(sum(s1[i][0] - s0[i][0] for i in ids[t] if i in s0 and i in s1) / n)
            if t == "hornet":
                held[t].stop()
            else:
                held[t].close()
    rows = [[t, "%.0f ns" % statistics.median(got[t]),
             " ".join("%.0f" % x for x in got[t])] for t in tools]
    table("the programs alone: BPF ns per open+close (bpf_stats), attached together, "
          "order alternated (%d rounds of %d opens)" % (ROUNDS * 2, n),
          ["program", "median", "each round (hornet attached first in rounds 1, 3, ...)"], rows,
          ["load average %s" % open("/proc/loadavg").read().split()[0]])


def main():
    if os.geteuid() != 0:
        sys.exit("bench/policy: needs root")
    benchlib.need(HORNET, OPENLOOP, EMPTYPROG)
    benchlib.header("bench/policy", "the cost of policies on openat")
    path = tempfile.mkstemp(prefix="hornet-bench-open-")[1]
    try:
        openloop(path, 20000)
        if os.environ.get("BENCH_FLOOR_ONLY") == "1":
            floor_case(path)
            return
        if os.environ.get("BENCH_PROGRAM_ONLY") == "1":
            program_case(path)
            return
        bare, one = quiet_case(path)
        floor_case(path)
        program_case(path)
        b = statistics.median(x[1] for x in bare)
        w = statistics.median(x[1] for x in one)

        hundred = []
        for _ in range(ROUNDS):
            a = bench_agent("--ringbuf-size-mb", "64")
            pin(a.proc.pid)
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
