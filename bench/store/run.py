#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/store: what the event history costs and how fast it answers.

1. Ingest: synthetic event lines of the exported shapes (file access, connection closes,
   execs, exits of 2,000 processes in 50 pods) pushed into the store as the agent pushes
   them: paced at BENCH_STORE_RATE lines/s (default 100,000) for BENCH_SECONDS (default 10),
   then flat out; prints lines written and dropped and the writer thread's CPU time, and
   from it the events per second one core of writer sustains (target >= 100,000, no loss).
2. Queries: BENCH_STORE_EVENTS events (default 10,000,000) spread over the last 24 hours,
   then p50 and p99 of "who read /etc/passwd in the last 24 h" and "egress of pod X in the
   last 24 h" (target p99 <= 50 ms), through the same function the HTTP API calls.
3. The agent's peak RSS (VmHWM) after 20,000 processes, with the store and without.
Usage: bench/store/run.py [--url postgres://...] (default: SQLite files in a temporary
directory). With --url the tables of that database are dropped first.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import bench_agent, BUILD  # noqa: E402

LOAD = os.path.join(BUILD, "bench", "store", "storeload")
FORKEXEC = os.path.join(BUILD, "bench", "exec", "forkexec")
RATE = float(os.environ.get("BENCH_STORE_RATE", "100000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
EVENTS = int(os.environ.get("BENCH_STORE_EVENTS", "10000000"))


def load(*args):
    out = subprocess.run([LOAD] + [str(a) for a in args], capture_output=True, text=True)
    if out.returncode:
        sys.exit("bench/store: storeload %s: %s" % (args[0], out.stderr.strip()))
    return out.stdout


def fields(line):
    w = line.split()
    return {w[i]: float(w[i + 1]) for i in range(0, len(w) - 1, 2)}


def fresh(url, d, name):
    """A new, empty store: a file in @d, or the PostgreSQL database emptied."""
    if not url:
        return os.path.join(d, name)
    drop = "DROP TABLE IF EXISTS events, processes, files, egress, timeline, exclusions, meta"
    subprocess.run(["psql", url, "-q", "-c", drop], check=True, capture_output=True)
    return url


def ingest(url, d):
    for rate, label in ((RATE, "paced at %d lines/s" % RATE), (0, "flat out")):
        f = fields(load("ingest", fresh(url, d, "ingest.db"), SECONDS, rate))
        per_core = f["written"] / f["writer_cpu"] if f["writer_cpu"] else 0
        print("ingest %s for %.0f s: %d written, %d dropped%s, writer CPU %.2f s = %.0f "
              "events/s per core (target >= 100,000), wall %.1f s, %d batches, %.0f bytes/event"
              % (label, SECONDS, f["written"], f["dropped"],
                 " (refused, then pushed again)" if not rate else "",
                 f["writer_cpu"], per_core, f["wall"], f["batches"],
                 f["bytes"] / f["written"] if f["written"] else 0), flush=True)


def queries(url, d):
    target = fresh(url, d, "history.db")
    t0 = time.monotonic()
    load("fill", target, EVENTS)
    took = time.monotonic() - t0
    size = os.path.getsize(target) if not url else 0
    print("stored %d events over 24 h in %.0f s (%.0f events/s)%s" % (
        EVENTS, took, EVENTS / took, ", file %.1f GB" % (size / 1e9) if size else ""), flush=True)
    print(load("query", target, 200).strip(), "(target p99 <= 50 ms)", flush=True)


def rss(url, d):
    if not os.path.exists(FORKEXEC):
        print("rss: %s missing (make build-tests)" % FORKEXEC)
        return
    out = []
    for store in ("", fresh(url, d, "agent.db")):
        a = bench_agent("--store", store)
        for _ in range(4):
            subprocess.run([FORKEXEC, "-p", "4", "5000", "/bin/true"], check=True,
                           capture_output=True)
        time.sleep(1)
        out.append(a.rss_kb()[1])
        st = a.status().get("store")
        a.stop()
        if store:
            print("agent with the store: %d written, %d dropped" % (st["written"], st["dropped"]))
    print("agent peak RSS (VmHWM) after 20,000 processes: %.1f MB without the store, %.1f MB "
          "with it" % (out[0] / 1024, out[1] / 1024), flush=True)


def main():
    p = argparse.ArgumentParser(description="bench/store")
    p.add_argument("--url", default="", help="postgres://... (default: SQLite)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/store: needs root (the agent of part 3)")
    d = tempfile.mkdtemp(prefix="hornet-bench-store-")
    try:
        ingest(args.url, d)
        queries(args.url, d)
        rss(args.url, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


main()
