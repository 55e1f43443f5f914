#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/http: what the network sensor and the default policy pack cost a
loopback HTTP server under load.

A small C HTTP server (build/bench/http/httpload) on 127.0.0.1 and clients
on the same machine making one TCP connection per request. Alternated
rounds: bare; the agent with the network sensor and packet inspection
(connect/accept/close events, HTTP request lines) and the full default
policy pack (policies/). Prints requests per second, the ratio, and the
agent's CPU per 10,000 requests.
Environment: BENCH_REQUESTS (per client, default 20000), BENCH_ROUNDS
(default 5), BENCH_CLIENTS (default 2), BENCH_SERVERS (default 2).
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from benchagent import Agent, BUILD, ROOT  # noqa: E402

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


def main():
    if os.geteuid() != 0:
        sys.exit("bench/http: needs root")
    load(2000)  # warm up
    bare, full, agent_cpu, events, lost = [], [], [], [], []
    for _ in range(ROUNDS):
        bare.append(load())
        a = Agent(extra=["--policy-dir", PACK])
        c0 = sum(a.cpu())
        full.append(load())
        agent_cpu.append(sum(a.cpu()) - c0)
        st = a.status()
        events.append(sum(st["events"].values()))
        lost.append(sum(v for k, v in st["lost"].get("ringbuf", {}).items()))
        npol = len(st.get("policies", [])) if isinstance(st.get("policies"), list) else st.get("policies")
        a.stop()
    b = statistics.median(x[0] for x in bare)
    f = statistics.median(x[0] for x in full)
    print("loopback HTTP, one connection per request, %d clients, %d server processes:" %
          (CLIENTS, SERVERS))
    print("  requests/s: bare %.0f, with the agent (network sensor, packet inspection, default "
          "pack: %s policies) %.0f; ratio %.3f slower (target <= 1.05)" % (b, npol, f, b / f))
    print("  rounds (req/s): bare %s; agent %s" % ([round(x[0]) for x in bare],
                                                   [round(x[0]) for x in full]))
    bc = statistics.median(x[1] for x in bare)
    fc = statistics.median(x[1] for x in full)
    print("  CPU of clients and servers per request: bare %.1f us, with the agent %.1f us, "
          "ratio %.3f" % (bc / 1e3, fc / 1e3, fc / bc))
    per10k = statistics.median(c / (N * CLIENTS) * 10000 for c in agent_cpu)
    print("  agent CPU: %.0f ms per 10,000 requests; %d events per round (median), lost %d" %
          (per10k * 1e3, statistics.median(events), max(lost)))


main()
