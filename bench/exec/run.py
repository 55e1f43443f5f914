#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/exec: what the process lifecycle sensor costs.

1. fork+exec of /bin/true, bare and with the agent running, alternated in one
   run (ROUNDS short rounds of N runs each, a bare round before and after
   each agent round; the exec sensor cannot be switched off, so the agent is
   started for each round, outside the timing); the loop on CPU 0, the agent
   on CPU 1. Prints the ratio to the bare rounds beside each with its 95%
   interval, the mean per run and the foreign CPU load.
2. The agent's time from launch to ready (as measured from outside, and as the
   agent reports it), median of 5 starts.
3. The agent's RSS and CPU per process after 100,000 short-lived processes
   (the CPU both with the start-up and from ready to the end).
4. With BENCH_PARTS=1: the steady-state CPU per process again without the
   export file (--export-file "") and with the store (--store FILE), so that
   the export's and the store's parts show beside the third part's row.
Environment: BENCH_N (default 1000), BENCH_ROUNDS (default 10), BENCH_PROCS
(default 100000), BENCH_PARTS (default 0), BENCH_AGENT_ARGS (flags for every agent started,
e.g. "--enable-binary-hash", to measure what a flag costs).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import Meter, fmt_ratio, pin, pinned, ratios, table  # noqa: E402
# the agent as the tests start it (tests/lib/hornet.py)
from hornet import Agent, bench_agent, BUILD, HORNET  # noqa: E402

FORKEXEC = os.path.join(BUILD, "bench", "exec", "forkexec")
TRUE = os.path.realpath("/bin/true")
N = int(os.environ.get("BENCH_N", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
PROCS = int(os.environ.get("BENCH_PROCS", "100000"))
PARTS = os.environ.get("BENCH_PARTS", "0") == "1"
EXTRA = os.environ.get("BENCH_AGENT_ARGS", "").split()


def forkexec(n, par=1):
    """(wall ns, cpu ns) per fork+exec+wait"""
    argv = [FORKEXEC, "-p", str(par), str(n), TRUE]
    out = subprocess.run(pinned(argv) if par == 1 else argv, capture_output=True, check=True)
    wall, cpu = out.stdout.split()
    return int(wall), int(cpu)


def storm():
    """PROCS short-lived processes, four at a time, then a second for the
    agent to drain them."""
    done = 0
    while done < PROCS:
        forkexec(min(10000, PROCS - done), par=4)
        done += min(10000, PROCS - done)
    time.sleep(1)


def main():
    if os.geteuid() != 0:
        sys.exit("bench/exec: needs root")
    benchlib.need(HORNET, FORKEXEC)
    benchlib.header("bench/exec", "what the process lifecycle sensor costs")
    forkexec(200)  # warm the page cache
    bare, agent, load = [forkexec(N)], [], []
    for r in range(ROUNDS):
        a = bench_agent(*EXTRA)
        pin(a.proc.pid)
        m = Meter(a.proc.pid)
        agent.append(forkexec(N))
        load.append(m.foreign())
        a.stop()
        m = Meter()
        bare.append(forkexec(N))
        load.append(m.foreign())
    rows = []
    for i, what in ((0, "wall time"), (1, "CPU time of the workload")):
        rows.append([what, fmt_ratio(ratios([x[i] for x in bare], [x[i] for x in agent])),
                     "%.1f us" % (statistics.median(x[i] for x in bare) / 1e3),
                     "%.1f us" % (statistics.median(x[i] for x in agent) / 1e3)])
    table("fork+exec /bin/true, with the agent vs bare (%d rounds of %d, alternated; "
          "target <= 1.03)" % (ROUNDS, N), ["measure", "ratio (95% CI)", "bare", "with agent"],
          rows, ["foreign CPU load: median %.2f cores, %d of %d rounds above %.2f"
                 % (statistics.median(load), sum(x > benchlib.BUSY for x in load), len(load),
                    benchlib.BUSY)])

    starts, inside = [], []
    for _ in range(5):
        a = bench_agent(*EXTRA)
        starts.append(a.ready_seconds * 1000)
        inside.append(a.first_status["startup_seconds"] * 1000)
        a.stop()
    print("launch to ready: %.0f ms measured outside (median of 5), %.0f ms as the agent reports "
          "(target < 500 ms)" % (statistics.median(starts), statistics.median(inside)))

    a = bench_agent(*EXTRA)
    pin(a.proc.pid)
    rss0, _ = a.rss_kb()
    # the CPU the start took: what follows is what each process costs once running
    time.sleep(1)
    ev0 = status(a)["events"]
    ready_cpu = a.cpu()
    t0 = time.monotonic()
    storm()
    rss, hwm = a.rss_kb()
    cpu = a.cpu()
    a.cpu = lambda: cpu
    st = status(a)
    a.stop()
    print("agent CPU: %.1f us per process (user %.1f, system %.1f), start-up included" % (
        (a.cpu()[0] + a.cpu()[1]) / PROCS * 1e6, a.cpu()[0] / PROCS * 1e6, a.cpu()[1] / PROCS * 1e6))
    run = [a.cpu()[i] - ready_cpu[i] for i in (0, 1)]
    print("agent CPU from ready to the end: %.1f us per process (user %.1f, system %.1f; "
          "target <= 8 us); load %s" % ((run[0] + run[1]) / PROCS * 1e6, run[0] / PROCS * 1e6,
                                        run[1] / PROCS * 1e6, benchlib.loadavg()))
    # the agent traces the whole host: what other work on the machine ran
    # in the window is in its CPU too, and shows here as more events
    delta = {k: v - ev0.get(k, 0) for k, v in st["events"].items()}
    execs = max(delta.get("process_exec", 0), 1)
    other = sum(delta.values()) - execs - delta.get("process_exit", 0)
    print("events exported in that window: %d process_exec for %d processes, %d others; "
          "agent CPU per exported exec and exit: %.1f us" % (execs, PROCS, other,
                                                              (run[0] + run[1]) / execs * 1e6))
    print("RSS: %.1f MB at start, %.1f MB after %d processes (peak %.1f MB; target < 40 MB); "
          "%.0f processes/s; cache %d entries, %d evictions; lost %s"
          % (rss0 / 1024, rss / 1024, PROCS, hwm / 1024, PROCS / (time.monotonic() - t0),
             st["process_cache"]["size"], st["process_cache"]["evictions"],
             json.dumps(st["lost"])))
    if PARTS:
        parts()


def status(a):
    return json.loads(subprocess.run([HORNET, "status", "-o", "json", "--socket", a.socket],
                                     capture_output=True).stdout)


def steady_cpu(a):
    """(user, system) us of the agent's CPU per process, from ready + 1 s to
    the end of PROCS short-lived processes (the third part's row)."""
    pin(a.proc.pid)
    time.sleep(1)
    c0 = a.cpu()
    storm()
    c1 = a.cpu()
    a.stop()
    return (c1[0] - c0[0]) / PROCS * 1e6, (c1[1] - c0[1]) / PROCS * 1e6


def parts():
    """The steady-state row without the export file and with the store."""
    same = ("--export-file-max-size-mb", "64", "--export-file-max-backups", "1")
    u, s = steady_cpu(Agent(*same, export=False, poll=0.005))
    print("agent CPU from ready to the end, no export file: %.1f us per process (user %.1f, "
          "system %.1f); load %s" % (u + s, u, s, benchlib.loadavg()))
    with tempfile.TemporaryDirectory(prefix="bench-exec-") as d:
        u, s = steady_cpu(bench_agent("--store", os.path.join(d, "store.db")))
    print("agent CPU from ready to the end, export file and store: %.1f us per process "
          "(user %.1f, system %.1f); load %s" % (u + s, u, s, benchlib.loadavg()))


main()
