#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/workload: what pod identity costs the renderer (bench/workload/render.c)
and the per-workload metrics (bench/workload/count.c).

One exec line rendered BENCH_N times (default 2,000,000) per case: a host
process without and with the workload store (the no-Kubernetes path: the
store must cost nothing there), a process in a pod the store knows, and both
with their process object rendered anew each time (what a change of the
store costs a process in a pod, once per change). Then BENCH_N events counted
for the metrics per case (agent/counters.c): one host process, a process in a
pod, 100 binaries in turn, policy events. Three runs, each printed.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import BUILD  # noqa: E402

RENDER = os.path.join(BUILD, "bench", "workload", "render")
COUNT = os.path.join(BUILD, "bench", "workload", "count")
N = os.environ.get("BENCH_N", "2000000")

for i in range(3):
    print("run %d:" % (i + 1), flush=True)
    subprocess.run([RENDER, N], check=True)
    subprocess.run([COUNT, N], check=True)
