#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/ui: the web page's cost in a real browser (Chromium, playwright-core).

1. First view: from navigation to the view drawn, for the live, files
   (/etc/passwd), egress and health views (median of 5 cold loads).
2. The live view under about 1,000 events per second (one process opening
   files that a policy watches), for BENCH_UI_SECONDS (default 120): events
   received, drawn, skipped to keep up, frames per second and frames dropped
   as the page counts them, the longest frame.
3. The page's JS heap (CDP, after a collection) and DOM nodes every 10 s.
Environment: BENCH_UI_SECONDS, BENCH_UI_RATE (events per second, default 1000).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import ROOT, Skip  # noqa: E402
import uitest  # noqa: E402

RATE = int(os.environ.get("BENCH_UI_RATE", "1000"))

POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ui-bench
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 1
      type: "string"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values: ["%s"]
"""

# RATE opens per second of missing files under the watched prefix, in 10 ms steps.
LOAD = r"""
import os, sys, time
prefix, rate = sys.argv[1], int(sys.argv[2])
per = max(1, rate // 100)
t, i = time.monotonic(), 0
while True:
    for _ in range(per):
        i += 1
        try:
            os.open(prefix + str(i), os.O_RDONLY)
        except OSError:
            pass
    t += 0.01
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
"""


def main():
    if os.geteuid() != 0:
        sys.exit("bench/ui: needs root")
    try:
        modules = uitest.node_modules()
    except Skip as e:
        sys.exit("bench/ui: %s" % e)
    d = tempfile.mkdtemp(prefix="hornet-ui-bench-")
    u = uitest.UiAgent(d)
    prefix = os.path.join(d, "load-")
    u.agent.add_policy(POLICY % prefix)
    load = None
    try:
        env = dict(os.environ, HORNET_UI_URL=u.url, HORNET_UI_TOKEN=u.token,
                   HORNET_UI_MODULES=modules, BENCH_UI_FILTER="policy=ui-bench")
        node = subprocess.Popen([uitest.NODE, os.path.join(ROOT, "bench", "ui", "measure.mjs")],
                                env=env, stdout=subprocess.PIPE, text=True)
        # the first views without load, then the live view under it
        line = node.stdout.readline()
        if line.strip() == "LOAD":
            load = subprocess.Popen(["/usr/bin/python3", "-c", LOAD, prefix, str(RATE)])
        cpu0 = u.agent.cpu()
        t0 = time.monotonic()
        out = node.stdout.read()
        node.wait()
        wall = time.monotonic() - t0
        cpu1 = u.agent.cpu()
        if node.returncode or not out.strip():
            sys.exit("bench/ui: measure.mjs failed (%d)" % node.returncode)
        res = json.loads(out.strip().splitlines()[-1])
    finally:
        if load:
            load.kill()
            load.wait()
        u.agent.stop()
        shutil.rmtree(d, ignore_errors=True)
    print("bench/ui: the page in Chromium against a real agent")
    for k, v in res.items():
        if k.startswith("first_view_ms"):
            print("  first view, %-20s %6d ms (median of 5 cold loads)" % (k[14:] + ":", v))
    print("  live view at %d events/s for %.0f s (target rate %d):" %
          (res["events_per_s"], res["seconds"], RATE))
    print("    listed %d, skipped to keep up %d, rows drawn on screen %d" %
          (res["rendered"], res["skipped_to_keep_up"], res["rows"]))
    print("    frames %d (%.1f/s), dropped %d (%.1f%%), longest %d ms" %
          (res["frames"], res["frames_per_s"], res["dropped_frames"], res["dropped_frames_pct"],
           res["longest_frame_ms"]))
    print("    JS heap MB every 10 s: %s (start %.1f); DOM nodes at the end %d" %
          (" ".join("%.1f" % x for x in res["heap_mb_over_time"]), res["heap_start"]["js_heap_mb"],
           res["dom_nodes_end"]))
    print("  agent CPU during the run: %.1f%% of one core" %
          (100 * (sum(cpu1) - sum(cpu0)) / wall))


if __name__ == "__main__":
    main()
