#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/export: what Tetragon's export filters cost on the export path.

1. filterbench: the lines of a real export file (exec and exit events of /bin/true and of
   tests/helpers/nop, as the agent wrote them) through the filters and into an export file,
   in one process, the configurations alternated over rounds: events/s and ns per event with
   no filter, an event_set allowlist, a binary_regex allowlist, a binary_regex denylist and
   an INCLUDE field filter.
2. The agent's CPU per exported event over BENCH_PROCS short-lived processes, with no filter
   and with a binary_regex allowlist, alternated BENCH_ROUNDS times.
Environment: BENCH_PROCS (default 20000), BENCH_ROUNDS (default 3).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import header, loadavg  # noqa: E402
from hornet import BUILD, HELPERS, bench_agent  # noqa: E402

FORKEXEC = os.path.join(BUILD, "bench", "exec", "forkexec")
FILTERBENCH = os.path.join(BUILD, "bench", "export", "filterbench")
TRUE = os.path.realpath("/bin/true")
NOP = os.path.join(HELPERS, "nop")
PROCS = int(os.environ.get("BENCH_PROCS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ALLOW = '{"binary_regex":["^/usr/bin/","/nop$"]}'


def storm(n):
    for binary in (TRUE, NOP):
        subprocess.run([FORKEXEC, "-p", "4", str(n // 2), binary], check=True,
                       capture_output=True)


def agent_cpu(args):
    """(agent CPU seconds, events exported) over PROCS processes"""
    a = bench_agent(*args)
    try:
        before = sum(a.cpu())
        storm(PROCS)
        a.settle()
        cpu = sum(a.cpu()) - before
        with open(a.export, "rb") as f:
            n = sum(1 for _ in f)
        return cpu, n
    finally:
        a.stop()
        a.cleanup()


def main():
    benchlib.need(FORKEXEC, FILTERBENCH, NOP)
    header("bench/export", "export filters")
    d = tempfile.mkdtemp(prefix="hornet-bench-export-")
    try:
        a = bench_agent()
        storm(4000)
        a.settle()
        a.stop()
        shutil.copy(a.export, os.path.join(d, "events.json"))
        a.cleanup()
        print("load average before filterbench: %s" % loadavg(), flush=True)
        subprocess.run(benchlib.pinned([FILTERBENCH, os.path.join(d, "events.json"),
                                        os.path.join(d, "out.json"), "9", "5"]), check=True)
        print("load average after: %s" % loadavg(), flush=True)
        rows = {"none": [], "allowlist binary_regex": []}
        for _ in range(ROUNDS):
            for name, args in (("none", ()), ("allowlist binary_regex",
                                              ("--export-allowlist", ALLOW))):
                cpu, n = agent_cpu(args)
                rows[name].append(cpu * 1e9 / max(n, 1))
        for name, v in rows.items():
            if not v:
                continue   # BENCH_ROUNDS=0: filterbench alone
            v.sort()
            print("agent CPU per exported event, %-24s median %6.0f ns (rounds: %s)"
                  % (name, v[len(v) // 2], ", ".join("%.0f" % x for x in v)))
        print("load average at end: %s" % loadavg())
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
