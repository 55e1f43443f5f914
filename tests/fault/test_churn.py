#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Process-table churn: a process of the test's own lives while tens of
thousands of short-lived processes (1,000,000 with HORNET_SOAK=1) come and go,
more than the agent's process cache holds (32768 by default). The churn must
not push the long-lived process out of the agent's cache nor out of the
kernel's process table (hornet_procs): its child, exec'd after the churn,
names it as its parent with the exec_id of its exec event, and its exit
carries that exec_id too. Every churned process's exec has its exit, the
kernel's table is back to its size before, and the agent's RSS, sampled
through the churn after a warm-up of 5,000 processes has filled the caches,
stays flat. The PASS line carries the numbers."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import BUILD, HELPERS, Agent, check, run, test  # noqa: E402

IN_VM = os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm")
SOAK = os.environ.get("HORNET_SOAK") == "1"
# about 35 s on the host (2 cores shared with other tests); TCG is about 10 times slower
# HORNET_CHURN=N: another number of processes
N = int(os.environ.get("HORNET_CHURN") or (1000000 if SOAK else 5000 if IN_VM else 80000))
# run first, unsampled: the cache fills with its share of exited processes (an eighth of
# its 32768 entries), and the agent's buffers reach their working size
WARMUP = 5000
JOBS = 2
SH = os.path.realpath("/bin/sh")
TRUE = os.path.realpath("/bin/true")
# RSS growth allowed from the end of the warm-up to the end of the churn: what grows
# after the caches are full is a leak
RSS_SLACK_KB = 2048


def nop():
    """The cheapest program to exec: the static nop (make static), or the dynamic one."""
    static = os.path.join(BUILD, "static", "helpers", "nop")
    return static if os.path.exists(static) else os.path.join(HELPERS, "nop")


def scan(path, churn_bin, pids):
    """Reads the export file once: (exec_ids of the churned execs, of the churned
    exits, the events of @pids)."""
    execs, exits, mine = set(), set(), []
    needle = churn_bin.encode()
    keys = [(b'"pid":%d,' % p) for p in pids]
    with open(path, "rb") as f:
        for line in f:
            if needle in line:
                ev = json.loads(line)
                if "process_exec" in ev:
                    p = ev["process_exec"]["process"]
                    if p.get("binary") == churn_bin:
                        execs.add(p["exec_id"])
                elif "process_exit" in ev:
                    p = ev["process_exit"]["process"]
                    if p.get("binary") == churn_bin:
                        exits.add(p["exec_id"])
            if any(k in line for k in keys):
                mine.append(json.loads(line))
    return execs, exits, mine


def lost_total(st):
    lost = st["lost"]
    return sum(lost["ringbuf"].values()) + lost["malformed_records"] + lost["export_errors"]


@test("churn")
def churn():
    d = tempfile.mkdtemp(prefix="hornet-churn-")
    long_lived = None
    try:
        # a name no other process has: its events are the churn's
        churn_bin = os.path.join(d, "hornet-churn-%d" % os.getpid())
        shutil.copy(nop(), churn_bin)
        a = Agent()
        # the long-lived process: waits for a line, then runs a child and exits
        long_lived = subprocess.Popen([SH, "-c", "read x; %s hornet-churn-child; read y" % TRUE],
                                      stdin=subprocess.PIPE)
        ll_exec = a.wait_for(lambda e: "process_exec" in e and
                             e["process_exec"]["process"]["pid"] == long_lived.pid,
                             what="exec of the long-lived process")["process_exec"]["process"]
        rss0 = a.rss_kb()[0]
        r = subprocess.run([os.path.join(HELPERS, "churn"), str(WARMUP), str(JOBS), churn_bin],
                           capture_output=True, timeout=3600)
        check(r.returncode == 0, "warm-up: %s" % r.stderr.decode().strip())
        a.settle(timeout=300)
        st0 = a.status()
        table0 = st0["process_table_size"]
        rss = []        # (seconds since the start, KiB)
        done = threading.Event()

        def sample():
            t0 = time.monotonic()
            while not done.is_set():
                rss.append((time.monotonic() - t0, a.rss_kb()[0]))
                done.wait(0.5)
        sampler = threading.Thread(target=sample)
        sampler.start()
        t0 = time.monotonic()
        try:
            r = subprocess.run([os.path.join(HELPERS, "churn"), str(N), str(JOBS), churn_bin],
                               capture_output=True, timeout=3600)
        finally:
            elapsed = time.monotonic() - t0
            a.settle(timeout=300)
            done.set()
            sampler.join()
        check(r.returncode == 0, "churn: %s %s" % (r.stdout.decode().strip(),
                                                   r.stderr.decode().strip()))
        check(a.proc.poll() is None, "the agent exited: %s" % a.log_text())

        # the long-lived process after the churn: a child, then its exit
        long_lived.stdin.write(b"go\n")
        long_lived.stdin.flush()
        child = a.wait_for(lambda e: "process_exec" in e and
                           e["process_exec"]["process"].get("binary") == TRUE and
                           e["process_exec"]["process"].get("arguments") == "hornet-churn-child"
                           and e["process_exec"]["parent"].get("pid") == long_lived.pid,
                           timeout=30, what="exec of the long-lived process's child")
        long_lived.stdin.write(b"end\n")
        long_lived.stdin.close()
        long_lived.wait()
        ll_exit = a.wait_for(lambda e: "process_exit" in e and
                             e["process_exit"]["process"]["pid"] == long_lived.pid,
                             timeout=30, what="exit of the long-lived process")
        st = a.status()
        parent = child["process_exec"]["parent"]
        for k in ("exec_id", "binary", "arguments", "pid", "parent_exec_id", "start_time"):
            check(parent.get(k) == ll_exec.get(k),
                  "the child's parent after the churn: %s %r, its exec said %r"
                  % (k, parent.get(k), ll_exec.get(k)))
        check(child["process_exec"]["process"]["parent_exec_id"] == ll_exec["exec_id"],
              "the child's parent_exec_id is not the long-lived process's exec_id")
        ll_exit = ll_exit["process_exit"]["process"]
        check(ll_exit["exec_id"] == ll_exec["exec_id"] and ll_exit.get("binary") == SH,
              "exit of the long-lived process: exec_id %s binary %s, its exec said %s %s"
              % (ll_exit["exec_id"], ll_exit.get("binary"), ll_exec["exec_id"], SH))

        execs, exits, _ = scan(a.export, churn_bin, [])
        missing = execs - exits
        check(len(execs) == WARMUP + N, "%d execs of the %d churned processes exported"
              % (len(execs), WARMUP + N))
        check(not missing, "%d churned execs without their exit (e.g. %s)"
              % (len(missing), sorted(missing)[:3]))
        # the churn's own events are all there (above); what other tests' processes cost this
        # agent meanwhile is only reported
        lost = lost_total(st) - lost_total(st0)
        check(st["errors"]["process_table_full"] == 0, "kernel process table full: %d times"
              % st["errors"]["process_table_full"])
        table = st["process_table_size"]
        # the churn's processes have all gone (a leak would be one entry each); other tests'
        # may come and go
        check(table <= table0 + max(1000, N // 100),
              "the kernel's process table: %d entries before, %d after" % (table0, table))
        cache = st["process_cache"]
        check(cache["live_evictions"] == 0, "live processes evicted from the cache: %s" % cache)

        check(len(rss) >= 4, "only %d RSS samples" % len(rss))
        base, end = rss[0][1], rss[-1][1]
        peak = max(kb for _, kb in rss)
        curve = "/".join(str(rss[min(len(rss) - 1, i * (len(rss) - 1) // 4)][1])
                         for i in range(5))
        check(end - base <= RSS_SLACK_KB,
              "RSS grew from %d KiB (after the warm-up) to %d KiB (peak %d; at 0/25/50/75/100 "
              "%%: %s)" % (base, end, peak, curve))
        return ("%d processes after %d of warm-up (RSS %d -> %d KiB) in %.1f s (%.0f/s); RSS KiB "
                "at 0/25/50/75/100 %%: %s, peak %d; "
                "cache %d/%d, %d evicted, 0 live; kernel table %d -> %d; %d other events lost; "
                "long-lived process kept in both"
                % (N, WARMUP, rss0, base, elapsed, N / elapsed, curve, peak, cache["size"],
                   cache["capacity"], cache["evictions"], table0, table, lost))
    finally:
        if long_lived and long_lived.poll() is None:
            long_lived.kill()
            long_lived.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    run()
