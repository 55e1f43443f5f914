#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/http: what the network sensor and the default policy pack cost a
loopback HTTP server under load.

A small C HTTP server (build/bench/http/httpload) on 127.0.0.1 and clients
on the same machine making one TCP connection per request. Rounds in
alternating order (forwards, then backwards): bare; the agent with the
network sensor and packet inspection (connect/accept/close events, HTTP
request lines); the same and the full default policy pack (policies/).
Prints requests per second, the ratios, and the agent's CPU per 10,000
requests.
Environment: BENCH_REQUESTS (per client, default 20000), BENCH_ROUNDS
(default 5), BENCH_CLIENTS (default 2), BENCH_SERVERS (default 2).
"""
import json
import os
import statistics
import subprocess
import sys

# the agent as the tests start it (tests/lib/hornet.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import bench_agent, BUILD, ROOT  # noqa: E402

HTTPLOAD = os.path.join(BUILD, "bench", "http", "httpload")
N = int(os.environ.get("BENCH_REQUESTS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "2"))
SERVERS = int(os.environ.get("BENCH_SERVERS", "2"))
PACK = os.path.join(ROOT, "policies")


def load(n=N):
    out = subprocess.run([HTTPLOAD, str(n), str(CLIENTS), str(SERVERS)], capture_output=True)
    if out.returncode:
        sys.exit("httpload failed: %s" % out.stderr.decode().strip())
    rps, cpu = out.stdout.split()
    return float(rps), int(cpu)


CONFIGS = [
    ("bare", None),
    ("network sensor and packet inspection, no policies", []),
    ("network sensor, packet inspection and the default pack", ["--policy-dir", PACK]),
]


def policy_count(a):
    out = subprocess.run([os.path.join(BUILD, "hornet"), "policy", "--socket", a.socket, "list",
                          "-o", "json"], capture_output=True)
    return len(json.loads(out.stdout or b"{}").get("policies", [])) if out.returncode == 0 else 0


def main():
    if os.geteuid() != 0:
        sys.exit("bench/http: needs root")
    load(2000)  # warm up
    runs = {name: [] for name, _ in CONFIGS}
    agent_cpu, events, lost, npol = [], [], [], 0
    for r in range(ROUNDS):
        # forwards, then backwards: whatever drifts during the run weighs on every configuration
        for name, extra in (CONFIGS if r % 2 == 0 else CONFIGS[::-1]):
            if extra is None:
                runs[name].append(load())
                continue
            a = bench_agent(*extra)
            c0 = sum(a.cpu())
            runs[name].append(load())
            if extra:
                agent_cpu.append(sum(a.cpu()) - c0)
                st = a.status()
                events.append(sum(st["events"].values()))
                lost.append(sum(v for k, v in st["lost"].get("ringbuf", {}).items()))
                npol = policy_count(a)
            a.stop()
    print("loopback HTTP, one connection per request, %d clients, %d server processes, "
          "%d rounds of %d requests:" % (CLIENTS, SERVERS, ROUNDS, N * CLIENTS))
    b = statistics.median(x[0] for x in runs["bare"])
    bc = statistics.median(x[1] for x in runs["bare"])
    for name, extra in CONFIGS:
        f = statistics.median(x[0] for x in runs[name])
        fc = statistics.median(x[1] for x in runs[name])
        label = name + (" (%d policies)" % npol if extra else "")
        print("  %s: %.0f requests/s (rounds %s)" % (label, f, [round(x[0]) for x in runs[name]]))
        print("      CPU of clients and servers per request %.1f us" % (fc / 1e3) +
              ("" if extra is None else "; ratio to bare: requests/s %.3f slower (target <= 1.05), "
               "CPU %.3f" % (b / f, fc / bc)))
    per10k = statistics.median(c / (N * CLIENTS) * 10000 for c in agent_cpu)
    print("  agent CPU with the pack: %.0f ms per 10,000 requests; %d events per round (median), "
          "lost %d" % (per10k * 1e3, statistics.median(events), max(lost)))


main()
