#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Prometheus metrics, end to end: a real agent with --metrics-server (and
--http-listen) on free loopback ports, scraped without a token and read by a
strict parser of the text format; counters that move by exactly the events
of the test's own processes; a binary with a hostile name; the label filter;
BPF program run counts from bpf_stats; and every metric the Grafana
dashboard uses present in a real scrape."""
import ctypes
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HORNET, Agent, check, free_port, host_only, policy_doc, run,  # noqa: E402
                    skip, test)
import containers  # noqa: E402

try:    # the Prometheus client's own parser, a second reader (python3-prometheus-client)
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    text_string_to_metric_families = None

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "hornet-dashboard.json")
TRUE = os.path.realpath("/bin/true")
CAT = os.path.realpath("/bin/cat")


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"' % r"[a-zA-Z_][a-zA-Z0-9_]*")


def unescape(v):
    return re.sub(r"\\([\\\"n])", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse(text):
    """The text format, strictly: every line a HELP, a TYPE or a sample; one
    HELP and TYPE per family, before its samples, which come together; only
    the three escapes in label values; no series twice. Returns
    {(name, ((label, value), ...)): value} and {family: type}."""
    check(text.endswith("\n"), "the page does not end with a newline")
    samples, types, helps, family, done = {}, {}, set(), None, set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = re.fullmatch(r"# (HELP|TYPE) (%s) (.*)" % NAME, line)
        if m:
            kind, name, rest = m.groups()
            if kind == "HELP":
                check(name not in helps, "line %d: HELP of %s twice" % (n, name))
                helps.add(name)
            else:
                check(name not in types, "line %d: TYPE of %s twice" % (n, name))
                check(rest in ("counter", "gauge"), "line %d: type %r" % (n, rest))
                types[name] = rest
                if family:
                    done.add(family)
                family = name
            continue
        m = re.fullmatch(r"(%s)(?:\{(.*)\})? (\S+)" % NAME, line)
        check(m, "line %d is not a sample: %r" % (n, line))
        name, labels, value = m.groups()
        check(name == family and name not in done,
              "line %d: sample of %s outside its family (%s)" % (n, name, family))
        pairs = []
        if labels:
            rest = labels
            while rest:
                lm = LABEL.match(rest)
                check(lm, "line %d: bad label at %r" % (n, rest[:60]))
                pairs.append((lm.group(1), unescape(lm.group(2))))
                rest = rest[lm.end():]
                check(rest == "" or rest.startswith(","), "line %d: after label %r" % (n, rest))
                rest = rest[1:]
        key = (name, tuple(pairs))
        check(key not in samples, "line %d: series twice: %r" % (n, line))
        samples[key] = float(value)
        if name.endswith("_total"):
            check(types[name] == "counter", "%s is a %s" % (name, types[name]))
    return samples, types


def scrape(port, path="/metrics"):
    r = urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=30)
    ctype = r.headers.get("Content-Type", "")
    check(ctype.startswith("text/plain; version=0.0.4"), "Content-Type %r" % ctype)
    body = r.read()
    # strict UTF-8: a scraper rejects the page over one bad byte
    text = body.decode("utf-8")
    samples, types = parse(text)
    check(text_string_to_metric_families,
          "python3-prometheus-client is missing: scripts/deps.sh installs it")
    theirs = {(s.name, tuple(sorted(s.labels.items()))): s.value
              for f in text_string_to_metric_families(text) for s in f.samples}
    ours = {(n, tuple(sorted(ls))): v for (n, ls), v in samples.items()}
    check(theirs == ours, "the Prometheus client reads the page otherwise: %r" %
          sorted(set(theirs.items()) ^ set(ours.items()))[:3])
    return samples, types


def value(samples, name, **labels):
    """The sum of @name's series whose labels include @labels."""
    return sum(v for (n, ls), v in samples.items()
               if n == name and all(dict(ls).get(k) == w for k, w in labels.items()))


def series(samples, name):
    return [dict(ls) for (n, ls), _ in samples.items() if n == name]


def own_binary(d, name, src=TRUE):
    path = os.path.join(d, name)
    shutil.copy(src, path)
    os.chmod(path, 0o755)
    return path


class Metrics:
    """An agent with --metrics-server on a free port and a policy on our own file."""

    def __init__(self, *args):
        host_only("the metrics server")
        self.dir = tempfile.mkdtemp(prefix="hornet-metrics-")
        self.port = free_port()
        self.policy = "metrics-%d" % os.getpid()
        self.watched = os.path.join(self.dir, "watched")
        with open(self.watched, "w") as f:
            f.write("x\n")
        path = os.path.join(self.dir, "policy.yaml")
        with open(path, "w") as f:
            f.write(policy_doc("prefix-open", name=self.policy, prefix=self.watched))
        self.agent = Agent("--metrics-server", "127.0.0.1:%d" % self.port, "--policy", path,
                           *args)

    def close(self):
        # the agent first: it writes its store (which may be in a directory of the test's)
        # as it stops
        self.agent.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@test("metrics_count_the_tests_own_events_with_tetragon_names_and_no_token")
def _():
    m = Metrics()
    try:
        mine = own_binary(m.dir, "metrics-true-%d" % os.getpid())
        reader = own_binary(m.dir, "metrics-cat-%d" % os.getpid(), CAT)
        before, types = scrape(m.port)
        check(types.get("tetragon_events_total") == "counter", "no tetragon_events_total")
        check(value(before, "tetragon_tracingpolicy_loaded", state="enabled") >= 1,
              "policy not counted as loaded")
        check(value(before, "hornet_policy_info", policy=m.policy, state="enabled") == 1,
              "hornet_policy_info lacks %s" % m.policy)
        check(value(before, "tetragon_build_info") == 1, "no tetragon_build_info")
        for _ in range(5):
            subprocess.run([mine], check=True)
        for _ in range(3):
            subprocess.run([reader, m.watched], check=True, capture_output=True)
        subprocess.run([mine], check=True)
        # the counters move as the events are exported: wait for the last exit
        deadline = time.monotonic() + 10
        while True:
            after, _ = scrape(m.port)
            if value(after, "tetragon_events_total", type="PROCESS_EXIT", binary=mine) >= 6 \
                    or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        check(value(before, "tetragon_events_total", binary=mine) == 0, "counted before")
        for t in ("PROCESS_EXEC", "PROCESS_EXIT"):
            got = value(after, "tetragon_events_total", type=t, binary=mine)
            check(got == 6, "%s of %s: %s, not 6" % (t, mine, got))
        got = value(after, "tetragon_policy_events_total", policy=m.policy, binary=reader)
        check(got >= 3, "policy events of %s: %s, not >= 3" % (reader, got))
        hooks = {s["hook"] for s in series(after, "tetragon_policy_events_total")
                 if s["policy"] == m.policy}
        check(all(h.startswith("kprobe:") and "openat" in h for h in hooks), "hooks %r" % hooks)
        check(value(after, "hornet_policy_events_posted_total", policy=m.policy) >= 3,
              "hornet_policy_events_posted_total did not move")
        check(value(after, "tetragon_events_exported_total") >
              value(before, "tetragon_events_exported_total"), "exported total did not move")
        check(value(after, "tetragon_events_exported_bytes_total") >
              value(before, "tetragon_events_exported_bytes_total"), "bytes did not move")
        # the labels Tetragon has, node_name blank by default
        labels = series(after, "tetragon_events_total")[0]
        check(sorted(labels) == ["binary", "namespace", "node_name", "pod", "type", "workload"],
              "labels %r" % sorted(labels))
        check(all(s["node_name"] == "" for s in series(after, "tetragon_events_total")),
              "node_name not blank")
        # the metrics server serves /metrics alone
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/api/v1/status" % m.port, timeout=10)
            check(False, "/api/v1/status answered on --metrics-server")
        except urllib.error.HTTPError as e:
            check(e.code == 404, "/api/v1/status on --metrics-server: %d" % e.code)
    finally:
        m.close()


@test("metrics_hostile_binary_name_is_escaped_and_repaired")
def _():
    m = Metrics()
    try:
        name = b'metrics-"q\\b\nl\xff-' + str(os.getpid()).encode()
        path = os.path.join(m.dir.encode(), name)
        shutil.copy(TRUE, path)
        os.chmod(path, 0o755)
        subprocess.run([path], check=True)
        want = path.decode("utf-8", "replace")
        deadline = time.monotonic() + 10
        while True:
            samples, _ = scrape(m.port)
            got = value(samples, "tetragon_events_total", type="PROCESS_EXEC", binary=want)
            if got or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        check(got == 1, "the hostile binary's exec: %s (want %r)" % (got, want))
        check("\ufffd" in want, "test broken: nothing to repair")
    finally:
        m.close()


@test("metrics_on_http_listen_without_token_follow_the_label_filter")
def _():
    host_only("the metrics server")
    port = free_port()
    d = tempfile.mkdtemp(prefix="hornet-metrics-")
    try:
        a = Agent("--http-listen", "127.0.0.1:%d" % port, "--metrics-label-filter", "namespace")
        mine = own_binary(d, "metrics-filter-%d" % os.getpid())
        subprocess.run([mine], check=True)
        a.wait_for(lambda e: "process_exec" in e and e["process_exec"]["process"]["binary"] == mine)
        samples, _ = scrape(port)
        check(value(samples, "hornet_agent_up") == 1, "agent not up")
        bins = {s["binary"] for s in series(samples, "tetragon_events_total")}
        check(bins == {""}, "binary label kept despite the filter: %r" % sorted(bins)[:5])
        check(value(samples, "tetragon_events_total", type="PROCESS_EXEC") >= 1, "no exec")
        # the API still needs the token
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/api/v1/status" % port, timeout=10)
            check(False, "/api/v1/status answered without a token")
        except urllib.error.HTTPError as e:
            check(e.code == 401, "/api/v1/status without token: %d" % e.code)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def need_runc():
    if not containers.runtime_available("runc"):
        skip("needs runc and busybox-static")


def pod_execs_counted(m, c, at_least):
    """tetragon_events_total of @c's pod must equal the exec events exported
    with its pod (once both settle), and be at least @at_least."""
    def in_pod(ev):
        body = ev.get("process_exec")
        return body and body["process"].get("pod", {}).get("name") == c.pod_name

    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.3)
        exported = len([ev for ev in m.agent.events() if in_pod(ev)])
        samples, _ = scrape(m.port)
        got = value(samples, "tetragon_events_total", type="PROCESS_EXEC",
                    namespace=c.namespace, pod=c.pod_name)
        if (got == exported and got >= at_least) or time.monotonic() > deadline:
            break
    check(exported >= at_least and got == exported,
          "pod %s: %s execs counted, %d exported" % (c.pod_name, got, exported))


def with_pod_agent(fn):
    """fn(metrics agent, its OCI hook's argv), with runc; the agent stopped after."""
    need_runc()
    m = Metrics()
    try:
        fn(m, [HORNET, "oci-hook", "--socket", m.agent.socket])
    finally:
        m.close()


@test("metrics_label_a_pods_events_with_its_namespace_and_pod")
def _():
    def pod(m, hook):
        with containers.Container(name="web", namespace="metrics-%d" % os.getpid(),
                                  hook=hook) as c:
            check(c.start().returncode == 0, "runc run: %s" % c.output())
            for _ in range(3):
                e = c.exec(["sh", "-c", "cat /etc/hostname; true"])
                check(e.returncode == 0, "exec: %r" % (e,))
            pod_execs_counted(m, c, 6)
    with_pod_agent(pod)


@test("metrics_count_an_event_that_waited_for_its_pod_under_the_pod")
def _():
    # the agent counts a line that waited from the line itself: its pod spliced in
    def late_pod(m, hook):
        with containers.Container(hook=hook) as known:   # now the agent expects pods
            check(known.start().returncode == 0, "runc run: %s" % known.output())
        with containers.Container(name="late", namespace="late-%d" % os.getpid()) as c:
            started = time.monotonic()
            check(c.start().returncode == 0, "runc run: %s" % c.output())
            took = time.monotonic() - started
            if took > 0.7:
                skip("runc needs %.1f s to start a container: its pod would come after the "
                     "agent's 2 s wait" % took)
            c.exec(["cat", "/etc/hostname"])
            r = subprocess.run(hook, input=c.hook_state(), capture_output=True, text=True,
                               timeout=30)
            check(r.returncode == 0 and not r.stderr, "hook: %r" % (r,))
            pod_execs_counted(m, c, 1)
            check(m.agent.status()["workloads"]["events_waited_for_pod"] >= 1, "nothing waited")
    with_pod_agent(late_pod)


def enable_bpf_stats():
    """bpf(BPF_ENABLE_STATS): run-time stats on while the fd is open, so the
    test leaves the sysctl as it found it."""
    nr = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
    if nr is None:
        skip("bpf syscall number unknown on %s" % platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint32 * 2)(0, 0)   # BPF_STATS_RUN_TIME
    fd = libc.syscall(nr, 32, attr, 4)   # BPF_ENABLE_STATS
    if fd < 0:
        skip("BPF_ENABLE_STATS: %s" % os.strerror(ctypes.get_errno()))
    return fd


@test("metrics_bpf_program_runs_move_with_bpf_stats")
def _():
    m = Metrics()
    fd = enable_bpf_stats()
    try:
        mine = own_binary(m.dir, "metrics-stats-%d" % os.getpid())
        subprocess.run([mine], check=True)
        before, _ = scrape(m.port)
        check(value(before, "hornet_bpf_stats_enabled") == 1, "stats not seen as enabled")
        for _ in range(20):
            subprocess.run([mine], check=True)
        subprocess.run([CAT, m.watched], check=True, capture_output=True)
        after, _ = scrape(m.port)
        for sensor in ("exec", "generic"):
            b = value(before, "tetragon_overhead_program_runs_total", sensor=sensor)
            a = value(after, "tetragon_overhead_program_runs_total", sensor=sensor)
            check(a > b, "%s programs' runs did not move: %s -> %s" % (sensor, b, a))
            b = value(before, "tetragon_overhead_program_seconds_total", sensor=sensor)
            a = value(after, "tetragon_overhead_program_seconds_total", sensor=sensor)
            check(a > b, "%s programs' run time did not move: %s -> %s" % (sensor, b, a))
        exec_at = {s["attach"] for s in series(after, "tetragon_overhead_program_runs_total")
                   if s["sensor"] == "exec"}
        check("sched_process_exec" in exec_at, "exec programs attached at %r" % exec_at)
        mine = [s for s in series(after, "tetragon_overhead_program_runs_total")
                if s["sensor"] == "generic" and s["policy"] == m.policy]
        check(mine and all("openat" in s["attach"] for s in mine),
              "the policy's programs: %r" % mine)
    finally:
        os.close(fd)
        m.close()


def dashboard_metrics():
    with open(DASHBOARD) as f:
        dash = json.load(f)
    exprs = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "expr" and isinstance(v, str):
                    exprs.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(dash)
    names = set()
    for e in exprs:
        names |= set(re.findall(r"\b((?:tetragon|hornet)_[a-zA-Z0-9_]+)", e))
    return dash, exprs, names


@test("metrics_grafana_dashboard_uses_only_served_metrics")
def _():
    dash, exprs, names = dashboard_metrics()
    check(dash.get("panels") and exprs, "dashboard without panels or queries")
    check(len(names) >= 10, "dashboard uses only %d metrics" % len(names))
    # what Grafana's import needs: unique ids, the data source variable used everywhere,
    # queries with a refId and balanced brackets
    ids = [p["id"] for p in dash["panels"]]
    check(len(ids) == len(set(ids)), "panel ids twice: %r" % ids)
    check(any(v["name"] == "datasource" and v["type"] == "datasource"
              for v in dash["templating"]["list"]), "no datasource variable")
    for p in dash["panels"]:
        check(set(p["gridPos"]) == {"h", "w", "x", "y"}, "panel %r: gridPos" % p["title"])
        for t in p.get("targets", []):
            check(t.get("refId") and p["datasource"]["uid"] == "${datasource}",
                  "panel %r: refId or data source" % p["title"])
            e = re.sub(r'"[^"]*"', "", t["expr"])
            for o, c in ("()", "{}", "[]"):
                check(e.count(o) == e.count(c), "panel %r: unbalanced %s" % (p["title"], o + c))
    d = tempfile.mkdtemp(prefix="hornet-metrics-store-")
    m = Metrics("--http-listen", "127.0.0.1:%d" % free_port(),
                "--store", os.path.join(d, "hornet.db"))
    try:
        subprocess.run([CAT, m.watched], check=True, capture_output=True)
        samples, types = scrape(m.port)
        missing = sorted(n for n in names if n not in types)
        check(not missing, "the dashboard uses metrics not served: %s" % missing)
        check(value(samples, "hornet_store_up", backend="sqlite") == 1, "store not up")
    finally:
        m.close()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    run()
