#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/http: what the network sensor and the default policy pack cost a
loopback HTTP server under load.

A small C HTTP server (build/bench/http/httpload) on 127.0.0.1 and clients
on the same machine making one TCP connection per request, all on CPU 0, the
agent on CPU 1. Short rounds, each between two bare ones, alternated: the
agent with the network sensor and packet inspection (connect/accept/close
events, HTTP request lines); the same in flow mode (--network-flow: one
event per connection end, at close); the same with the whole default policy
pack (policies/); and the pack with the leanest network sensor (flow mode
without packet inspection: no socket or packet hooks, no HTTP lines). The agent is started for each round, outside the timing
(the sensor cannot be switched off). Prints the ratio of requests per
second and of CPU per request to bare with its 95% interval, the foreign
CPU load, and the agent's CPU per 10,000 requests with the pack.
The floor beside them: programs that do nothing (bench/policy/emptyprog) on
the network sensor's hooks (the TCP state tracepoint, accept's return, the
cgroup socket and packet hooks), in rounds of their own between bare ones:
what any program on those hooks costs before its first instruction.
Environment: BENCH_REQUESTS (per client and round, default 4000),
BENCH_ROUNDS (default 10), BENCH_CLIENTS (default 2), BENCH_SERVERS
(default 2).
"""
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import Meter, fmt_ratio, pin, pinned, ratios, table  # noqa: E402
# the agent as the tests start it (tests/lib/hornet.py)
from hornet import bench_agent, BUILD, HORNET, ROOT  # noqa: E402

HTTPLOAD = os.path.join(BUILD, "bench", "http", "httpload")
EMPTYPROG = os.path.join(BUILD, "bench", "policy", "emptyprog")
N = int(os.environ.get("BENCH_REQUESTS", "4000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "2"))
SERVERS = int(os.environ.get("BENCH_SERVERS", "2"))
PACK = os.path.join(ROOT, "policies")


def load(n=N):
    out = subprocess.run(pinned([HTTPLOAD, str(n), str(CLIENTS), str(SERVERS)]),
                         capture_output=True)
    if out.returncode:
        sys.exit("httpload failed: %s" % out.stderr.decode().strip())
    rps, cpu = out.stdout.split()
    return float(rps), int(cpu)


def policy_count(a):
    out = subprocess.run([os.path.join(BUILD, "hornet"), "policy", "--socket", a.socket, "list",
                          "-o", "json"], capture_output=True)
    return len(json.loads(out.stdout or b"{}").get("policies", [])) if out.returncode == 0 else 0


def measured(a, runs, foreign, agent_cpu=None):
    """One round under agent @a (None: bare), appended to @runs and @foreign."""
    m = Meter(*([a.proc.pid] if a else []))
    c0 = sum(a.cpu()) if a else 0
    runs.append(load())
    foreign.append(m.foreign())
    if agent_cpu is not None:
        agent_cpu.append(sum(a.cpu()) - c0)


def cgroup2_root():
    with open("/proc/self/mounts") as f:
        for line in f:
            dev, where, kind = line.split()[:3]
            if kind == "cgroup2":
                return where
    return None


def empty_hooks():
    """The network sensor's hooks (src/sensors/net.c), for emptyprog."""
    hooks = ["raw:inet_sock_set_state", "tp:syscalls/sys_exit_accept",
             "tp:syscalls/sys_exit_accept4"]
    root = cgroup2_root()
    if root:
        hooks += ["cgroup:%s:%s" % (t, root) for t in ("sock_create", "connect4", "connect6",
                                                        "sendmsg4", "sendmsg6", "egress",
                                                        "ingress")]
    return hooks


def empty_round(runs, foreign):
    """One round with empty programs on the sensor's hooks."""
    e = subprocess.Popen([EMPTYPROG] + empty_hooks(), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    if e.stdout.readline().strip() != "ready":
        e.wait()
        sys.exit("bench/http: emptyprog could not attach")
    measured(None, runs, foreign)
    e.stdin.close()
    e.wait()


def agent_round(args, runs, bare, foreign, agent_cpu=None, ready_timeout=120):
    """One round under a fresh agent with @args (started and stopped outside
    the timing), then a bare round appended to @bare."""
    a = bench_agent(*args, ready_timeout=ready_timeout)
    pin(a.proc.pid)
    measured(a, runs, foreign["agent"], agent_cpu)
    st = a.status()
    npol = policy_count(a)
    a.stop()
    measured(None, bare, foreign["bare"])
    return npol, st


def main():
    if os.geteuid() != 0:
        sys.exit("bench/http: needs root")
    benchlib.need(HORNET, HTTPLOAD, EMPTYPROG)
    benchlib.header("bench/http", "loopback HTTP under the network sensor and the pack")
    load(2000)  # warm up
    loads = {k: [] for k in ("bare", "net", "flow", "pack", "lean", "empty")}
    kinds = (("net", ()), ("flow", ("--network-flow",)),
             ("pack", ("--policy-dir", PACK)),
             ("lean", ("--network-flow", "--inspect-packets=false", "--policy-dir", PACK)))
    # per kind: its rounds, and the bare rounds around them (one before each, one after)
    runs = {k: [] for k, _ in kinds}
    bare = {k: [] for k in list(runs) + ["empty"]}
    empty, agent_cpu, npol, events, lost = [], [], 0, 0, 0
    measured(None, bare["net"], loads["bare"])
    for k in bare:
        if k != "net":
            bare[k].append(bare["net"][-1])
    for _ in range(ROUNDS):
        for k, args in kinds:
            # the whole pack takes long to verify on a busy machine
            n, st = agent_round(args, runs[k], bare[k], {"agent": loads[k], "bare": loads["bare"]},
                                agent_cpu if k == "pack" else None,
                                1200 if k in ("pack", "lean") else 120)
            if k == "pack":
                npol = n
                events += sum(st["events"].values())
                lost += sum(v for v in st["lost"].get("ringbuf", {}).values())
        empty_round(empty, loads["empty"])
        measured(None, bare["empty"], loads["bare"])
    rows = []
    names = {"net": "network sensor and packet inspection",
             "flow": "the same, flow mode (--network-flow)",
             "pack": "network sensor and the default pack (%d policies)" % npol,
             "lean": "the pack, flow mode without packet inspection"}
    for k, _ in kinds:
        rows.append([names[k],
                     fmt_ratio([1 / r for r in ratios([x[0] for x in bare[k]],
                                                      [x[0] for x in runs[k]])]),
                     fmt_ratio(ratios([x[1] for x in bare[k]], [x[1] for x in runs[k]])),
                     "%.0f" % statistics.median(x[0] for x in runs[k]),
                     "%.2f" % statistics.median(loads[k])])
    rows.append(["floor: empty programs on the sensor's hooks",
                 fmt_ratio([1 / r for r in ratios([x[0] for x in bare["empty"]],
                                                  [x[0] for x in empty])]),
                 fmt_ratio(ratios([x[1] for x in bare["empty"]], [x[1] for x in empty])),
                 "%.0f" % statistics.median(x[0] for x in empty),
                 "%.2f" % statistics.median(loads["empty"])])
    allbare = [x for v in bare.values() for x in v]
    rows.append(["bare", "1", "1", "%.0f" % statistics.median(x[0] for x in allbare),
                 "%.2f" % statistics.median(loads["bare"])])
    table("loopback HTTP, one connection per request, %d clients and %d servers on CPU %s, "
          "%d rounds of %d requests (target <= 1.05)" % (CLIENTS, SERVERS, benchlib.LOAD_CPU,
                                                         ROUNDS, N * CLIENTS),
          ["agent", "slower: bare/agent req/s (95% CI)", "CPU per request (95% CI)",
           "requests/s", "foreign load (cores)"], rows,
          ["agent CPU with the pack: %.0f ms per 10,000 requests; %d events, lost %d"
           % (statistics.median(agent_cpu) / (N * CLIENTS) * 1e7, events, lost),
           "rounds with foreign load above %.2f cores: %d of %d"
           % (benchlib.BUSY, sum(x > benchlib.BUSY for v in loads.values() for x in v),
              sum(len(v) for v in loads.values()))])


main()
