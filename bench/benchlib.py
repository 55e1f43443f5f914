# SPDX-License-Identifier: GPL-2.0
"""What bench/*/run.py share.

A benchmark that judges a few percent on a shared 2-core machine cannot take
one long round per configuration: whatever else runs moves a round by 10-20%.
So they run many short rounds, bare and measured alternated, the load pinned
to one CPU and the agent (or the tool) to the other, and they report the
ratio of each measured round to the bare rounds beside it, with its spread:
the median of those ratios and a 95% confidence interval of that median
(bootstrap), and the foreign CPU load (what else used the machine meanwhile).
"""
import os
import random
import resource
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

# the load on one CPU, the agent or tool on the other; nothing pinned on one CPU
LOAD_CPU, AGENT_CPU = ("0", "1") if os.cpu_count() and os.cpu_count() >= 2 else (None, None)
# foreign CPU (cores) above which a round counts as measured while something else ran
BUSY = 0.25


def need(*paths):
    """Builds what the benchmark runs (the agent and the helpers under build/)
    when `make bench` has not, or says what to run."""
    missing = [p for p in paths if not os.path.exists(p)]
    if not missing:
        return
    targets = [os.path.relpath(p, ROOT) for p in missing]
    print("building %s (make %s)" % (", ".join(targets), " ".join(targets)), flush=True)
    out = subprocess.run(["make", "--no-print-directory", "-C", ROOT] + targets,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if out.returncode or any(not os.path.exists(p) for p in missing):
        sys.exit("%s: could not build %s; run `make all build-tests` (or `make bench`) in %s "
                 "first:\n%s" % (os.path.basename(os.path.dirname(sys.argv[0])) or "bench",
                                 ", ".join(targets), ROOT, out.stderr.decode()[-2000:]))


def pinned(argv, cpu=LOAD_CPU):
    """@argv run on @cpu (taskset), as is on a single CPU."""
    return argv if cpu is None else ["taskset", "-c", cpu] + list(argv)


def pin(pid, cpu=AGENT_CPU):
    """Moves every thread of a running @pid (an agent, a tool) to @cpu."""
    if cpu is not None:
        subprocess.run(["taskset", "-a", "-p", "-c", cpu, str(pid)], stdout=subprocess.DEVNULL,
                       check=False)


def proc_cpu(pid):
    """CPU seconds (user + system) of @pid so far, 0 once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _busy():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: all but idle and iowait
    return (sum(cpu[:8]) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")


def _children():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Meter:
    """The foreign CPU load during a round: the machine's busy time less what
    the round's own processes used (waited-for children of this script, and
    the pids given, e.g. the agent), in cores."""

    def __init__(self, *pids):
        self.pids = pids
        self.own0 = _children() + sum(proc_cpu(p) for p in pids) + _self()
        self.busy0 = _busy()
        self.t0 = os.times().elapsed

    def foreign(self, extra=0.0):
        """Cores used by others since the start; @extra: own CPU not seen
        otherwise (a process that ended and was not waited for)."""
        own = _children() + sum(proc_cpu(p) for p in self.pids) + _self() + extra - self.own0
        wall = os.times().elapsed - self.t0
        return max(0.0, (_busy() - self.busy0 - own) / wall) if wall > 0 else 0.0


def _self():
    t = os.times()
    return t.user + t.system


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def ratios(bare, other):
    """Ratios of each measured round to the bare rounds beside it: @bare has one
    round before each of @other's and one after (len(other) + 1), or one per
    round (then the round before)."""
    out = []
    for i, v in enumerate(other):
        near = bare[i:i + 2] if len(bare) > len(other) else bare[i:i + 1]
        out.append(v / statistics.mean(near))
    return out


def spread(rs, n=2000):
    """(median, low, high): the median of the ratios @rs and its 95% bootstrap
    confidence interval."""
    if len(rs) < 3:
        return statistics.median(rs), min(rs), max(rs)
    rng = random.Random(1)
    meds = sorted(statistics.median(rng.choices(rs, k=len(rs))) for _ in range(n))
    return statistics.median(rs), meds[int(n * 0.025)], meds[int(n * 0.975) - 1]


def spread_of_medians(bare, other, n=2000):
    """(ratio, low, high): median(@other) / median(@bare) and its 95% bootstrap
    interval, for rounds that could not be paired (not alternated)."""
    r = statistics.median(other) / statistics.median(bare)
    rng = random.Random(1)
    rs = sorted(statistics.median(rng.choices(other, k=len(other))) /
                statistics.median(rng.choices(bare, k=len(bare))) for _ in range(n))
    return r, rs[int(n * 0.025)], rs[int(n * 0.975) - 1]


def fmt_ratio(rs):
    """"1.032 (1.010-1.055)": median ratio and its 95% interval."""
    m, lo, hi = spread(rs)
    return "%.3f (%.3f-%.3f)" % (m, lo, hi)


def table(title, headers, rows, notes=()):
    """Prints one table for people: a title, aligned columns, notes below."""
    cells = [[str(c) for c in r] for r in rows]
    width = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
             for i, h in enumerate(headers)]
    print(title)
    line = "  ".join("-" * w for w in width)
    print("  " + "  ".join(h.ljust(w) for h, w in zip(headers, width)))
    print("  " + line)
    for r in cells:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r, width)))
    for n in notes:
        print("  " + n)
    print(flush=True)


def header(name, what):
    """The first line of a benchmark's output: what, where, under which load."""
    print("%s: %s; load on CPU %s, agent on CPU %s; load average %s at start"
          % (name, what, LOAD_CPU or "any", AGENT_CPU or "any", loadavg()), flush=True)
