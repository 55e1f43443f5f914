#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Export and operations as Tetragon's: --export-allowlist/--export-denylist, --field-filters,
--export-rate-limit, rotation by time with compression, the API stream's own filters. All user
space: each test is host_only."""
import gzip
import http.client
import json
import os
import select
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HELPERS, HORNET, Agent, check, free_port, host_only, is_exec,  # noqa: E402
                    is_exit, policy_doc, run, test)

NOP = os.path.join(HELPERS, "nop")
TRUE = os.path.realpath("/bin/true")


def mkdir_policy(name):
    """A policy @name whose events are mkdir(2) of paths ending in -@name."""
    return policy_doc("mkdir-named", name=name, suffix="-" + name)


def mkdir_event(a, d, name, want=True):
    """mkdir d/name; with @want, waits for its policy event and returns it; else checks that
    none came once a process started after it has been exported."""
    path = os.path.join(d, name)
    subprocess.run(["mkdir", path], check=True)
    pred = (lambda e: "process_tracepoint" in e and
            any(x.get("string_arg") == path for x in e["process_tracepoint"].get("args", [])))
    if want:
        return a.wait_for(pred, what="the policy event of mkdir %s" % name)
    a.settle()
    check(not any(pred(e) for e in a.events()), "an event for mkdir %s" % name)
    return None


def lines(*filters):
    return "\n".join(json.dumps(f) for f in filters)


def spawn(path, *args):
    p = subprocess.Popen([path] + list(args))
    p.wait()
    return p.pid


def true_then_nop(a):
    """Runs true, then nop twice; returns true's pid and the events exported once the second
    nop's exec is (the first one's exit, and true's events, would be there by then)."""
    other = spawn(TRUE)
    spawn(NOP, "first")
    marker = spawn(NOP, "marker")
    a.wait_for(is_exec(pid=marker, binary=NOP), what="exec of the second nop")
    return other, a.events()


@test("export_allowlist_keeps_only_matching_events")
def _():
    host_only("export filters")
    a = Agent("--export-allowlist", lines({"event_set": ["PROCESS_EXEC"],
                                           "binary_regex": ["/nop$"]}))
    other, evs = true_then_nop(a)
    check(not any(is_exec(pid=other)(e) for e in evs), "true's exec was exported")
    check(not any("process_exit" in e for e in evs), "an exit was exported")
    check(all(e["process_exec"]["process"]["binary"].endswith("/nop") for e in evs),
          "an exec of another binary: %r" % [e["process_exec"]["process"]["binary"]
                                             for e in evs][:5])
    st = a.status()["export"]
    check(st.get("filtered", 0) >= 2, "status export.filtered: %r" % st)


@test("export_denylist_drops_matching_events")
def _():
    host_only("export filters")
    a = Agent("--export-denylist", lines({"event_set": ["PROCESS_EXIT"]},
                                         {"binary_regex": ["^/usr/bin/true$", "^/bin/true$"]}))
    other, evs = true_then_nop(a)
    check(not any(is_exec(pid=other)(e) for e in evs), "true's exec was exported")
    check(not any(is_exit()(e) for e in evs), "an exit was exported")


@test("field_filters_include_only_the_fields_asked")
def _():
    host_only("field filters")
    a = Agent("--field-filters", lines({"event_set": ["PROCESS_EXEC"],
                                        "fields": "process.binary,process.pid",
                                        "action": "INCLUDE"},
                                       {"event_set": ["PROCESS_EXIT"],
                                        "fields": "parent", "action": "EXCLUDE"}))
    mine = spawn(NOP, "fields")
    ev = a.wait_for(is_exec(pid=mine), what="exec of nop")
    check(ev["process_exec"] == {"process": {"pid": mine, "binary": NOP}},
          "exec event: %r" % ev["process_exec"])
    check(ev["node_name"] == "testnode" and ev["time"], "node_name/time: %r" % ev)
    ex = a.wait_for(is_exit(pid=mine), what="exit of nop")
    check("parent" not in ex["process_exit"] and ex["process_exit"]["process"]["exec_id"],
          "exit event: %r" % ex["process_exit"])


@test("export_rate_limit_drops_and_reports_rate_limit_info")
def _():
    host_only("the export rate limit")
    a = Agent("--export-rate-limit", "5")
    for i in range(15):
        spawn(NOP, "rate%d" % i)
    time.sleep(0.3)
    limited = a.status()["export"]["rate_limited"]
    check(a.stop() == 0, "agent exit status")
    evs = a.events()
    info = [e for e in evs if "rate_limit_info" in e]
    others = [e for e in evs if "rate_limit_info" not in e]
    # a minute's worth at most, plus what the bucket refilled during the test
    check(len(others) <= 6, "%d events exported with a limit of 5 a minute" % len(others))
    check(limited >= 24, "status export.rate_limited: %d" % limited)
    dropped = sum(e["rate_limit_info"]["number_of_dropped_process_events"] for e in info)
    check(info and dropped >= limited, "rate_limit_info events: %r (limited %d)" % (info, limited))
    check(info[-1]["node_name"] == "testnode", "rate_limit_info: %r" % info[-1])


@test("export_rotation_interval_compresses_rotated_files")
def _():
    host_only("export file rotation")
    a = Agent("--export-file-rotation-interval", "1s", "--export-file-compress",
              "--export-file-max-backups", "3")
    mine = spawn(NOP, "rotated-away")
    deadline = time.time() + 8
    gz = a.export + ".1.gz"
    found = None
    while time.time() < deadline and found is None:
        for i in (1, 2, 3):
            path = "%s.%d.gz" % (a.export, i)
            if os.path.exists(path):
                with gzip.open(path) as f:
                    evs = [json.loads(x) for x in f.read().splitlines() if x]
                if any(is_exec(pid=mine)(e) for e in evs):
                    found = path
        time.sleep(0.2)
    check(found, "nop's exec in no rotated .gz file: %r" %
          sorted(os.listdir(os.path.dirname(a.export))))
    check(os.stat(gz).st_mode & 0o777 == 0o600, "mode of %s: %o" % (gz, os.stat(gz).st_mode))
    check(not os.path.exists(a.export + ".1"), "the plain copy of FILE.1 stayed")
    check(a.status()["export"]["rotations"] >= 1, "no rotation in the status")


@test("export_bad_filters_refuse_to_start_naming_the_field")
def _():
    host_only("export filter parsing")
    d = tempfile.mkdtemp(prefix="hornet-test-")
    base = [HORNET, "agent", "--socket", os.path.join(d, "s"), "--export-file",
            os.path.join(d, "e.json"), "--http-listen", "", "--store", ""]
    cases = [
        (["--export-allowlist", '{"pid": [1]}\n{"cel_expression": ["true"]}'],
         "hornet agent: --export-allowlist: filter 2 (line 2): cel_expression: not supported: "
         "hornet has no CEL evaluator"),
        (["--export-denylist", '{"binary_regex": ["(x"]}'],
         "hornet agent: --export-denylist: filter 1 (line 1): binary_regex[0]: missing closing "
         "parenthesis at offset 2 in '(x'"),
        (["--export-allowlist", '{"binary": ["x"]}'],
         "hornet agent: --export-allowlist: filter 1 (line 1): binary: not a filter field"),
        (["--field-filters", '{"fields": "process.pid", "action": "KEEP"}'],
         "hornet agent: --field-filters: field filter 1 (line 1): action: expected INCLUDE "
         "or EXCLUDE"),
        (["--export-rate-limit", "-2"], "hornet agent: --export-rate-limit: '-2'"),
    ]
    try:
        for args, want in cases:
            r = subprocess.run(base + args, capture_output=True, timeout=60)
            err = r.stderr.decode()
            check(r.returncode == 2 and want in err,
                  "%r: exit %d: %r" % (args, r.returncode, err))
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("events_stream_applies_its_own_allowlist_and_field_filters")
def _():
    host_only("the API stream's filters")
    a = Agent()
    subs = a.status()["export"]["api_subscribers"]
    cli = subprocess.Popen([HORNET, "events", "--socket", a.socket, "--allowlist",
                            lines({"binary_regex": ["/nop$"], "event_set": ["PROCESS_EXEC"]}),
                            "--field-filters", lines({"fields": "process.pid,process.binary"})],
                           stdout=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while a.status()["export"]["api_subscribers"] <= subs and time.time() < deadline:
            time.sleep(0.05)
        other = spawn(TRUE)
        mine = spawn(NOP, "streamed")
        got = []
        deadline = time.time() + 10
        while time.time() < deadline and not any(is_exec(pid=mine)(e) for e in got):
            if select.select([cli.stdout], [], [], 0.5)[0]:
                line = cli.stdout.readline()
                if not line:
                    break
                got.append(json.loads(line))
    finally:
        cli.kill()
        cli.wait()
    check(any(is_exec(pid=mine)(e) for e in got), "nop's exec not streamed: %r" % got[:3])
    check(all(list(e) == ["process_exec", "node_name", "time"] and
              set(e["process_exec"]["process"]) == {"pid", "binary"} for e in got),
          "streamed: %r" % got[:3])
    check(not any(is_exec(pid=other)(e) for e in got), "true's exec streamed")
    # the export file has them all: the stream's filters are its own
    a.wait_for(is_exec(pid=other), what="true's exec in the export file")
    r = subprocess.run([HORNET, "events", "--socket", a.socket, "--denylist",
                        '{"event_set": ["PROCESS_EXEC"]}\n{"pod_regex": ["(x"]}'],
                       capture_output=True, timeout=30)
    check(r.returncode == 1 and "deny_list: filter 2 (line 2): pod_regex[0]: missing closing "
          "parenthesis" in r.stderr.decode(), "a bad stream filter: %r" % r.stderr)


@test("policy_disable_stops_events_enable_resumes")
def _():
    host_only("policy enable/disable")
    port = free_port()
    a = Agent("--http-listen", "127.0.0.1:%d" % port)
    a.add_policy(mkdir_policy("ops-switch"))
    d = tempfile.mkdtemp(prefix="hornet-ops-")
    try:
        mkdir_event(a, d, "1-ops-switch")
        r = a.policy("disable", "ops-switch")
        check(r.stdout.decode() == "policy 'ops-switch' disabled\n", "output %r" % r.stdout)
        pol = a.policies()["ops-switch"]
        check(pol["state"] == "disabled" and pol["hooks"], "listed: %r" % pol)
        out = subprocess.run([HORNET, "policy", "--socket", a.socket, "list"],
                             capture_output=True).stdout.decode()
        check("ops-switch: disabled" in out, "hornet policy list: %r" % out)
        mkdir_event(a, d, "2-ops-switch", want=False)
        # the HTTP API's PUT /api/v1/policies/NAME/enable, as `hornet policy enable`
        with open(os.path.join(a.dir, "http.token")) as f:
            token = f.read().strip()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("PUT", "/api/v1/policies/ops-switch/enable", body=b"",
                  headers={"Authorization": "Bearer " + token})
        resp = c.getresponse()
        body = json.loads(resp.read())
        c.close()
        check(resp.status == 200 and body.get("state") == "enabled", "HTTP: %d %r" %
              (resp.status, body))
        check(a.policies()["ops-switch"]["state"] == "enabled", "not enabled again")
        mkdir_event(a, d, "3-ops-switch")
        r = a.policy("disable", "no-such-policy", check_ok=False)
        check(r.returncode != 0 and "no policy 'no-such-policy'" in r.stderr.decode(),
              "disable of a missing policy: %r" % r.stderr)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("persist_policies_keeps_api_policies_and_their_state")
def _():
    host_only("--persist-policies")
    keep = tempfile.mkdtemp(prefix="hornet-persist-")
    d = tempfile.mkdtemp(prefix="hornet-ops-")
    try:
        a = Agent("--persist-policies", keep)
        a.add_policy(mkdir_policy("ops-kept"))
        a.add_policy(mkdir_policy("ops-kept-off"))
        a.policy("disable", "ops-kept-off")
        a.add_policy(mkdir_policy("ops-gone"))
        a.policy("delete", "ops-gone")
        check(a.stop() == 0, "agent exit status")
        files = sorted(os.listdir(keep))
        check(files == ["ops-kept-off.state", "ops-kept-off.yaml", "ops-kept.yaml"],
              "kept: %r" % files)
        check(all(os.stat(os.path.join(keep, f)).st_mode & 0o777 == 0o600 for f in files),
              "modes")
        # a kept file that no longer parses: its error, and the others load
        with open(os.path.join(keep, "broken.yaml"), "w") as f:
            f.write("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nspec: [\n")
        b = Agent("--persist-policies", keep)
        pols = b.policies()
        check(pols.get("ops-kept", {}).get("state") == "enabled", "ops-kept: %r" % pols)
        check(pols.get("ops-kept-off", {}).get("state") == "disabled", "off: %r" % pols)
        check(pols.get("broken", {}).get("state") == "error" and
              "broken.yaml" in pols["broken"].get("source", ""), "broken: %r" % pols.get("broken"))
        check("broken.yaml" in b.log_text(), "the log does not name broken.yaml")
        mkdir_event(b, d, "1-ops-kept")
        mkdir_event(b, d, "1-ops-kept-off", want=False)
    finally:
        shutil.rmtree(keep, ignore_errors=True)
        shutil.rmtree(d, ignore_errors=True)


@test("loglevel_changes_the_running_agents_level")
def _():
    host_only("hornet loglevel")
    a = Agent()

    def loglevel(*args):
        r = subprocess.run([HORNET, "loglevel", "--socket", a.socket] + list(args),
                           capture_output=True, timeout=30)
        return r.returncode, r.stdout.decode() + r.stderr.decode()

    check(loglevel() == (0, "log level: info\n"), "at first: %r" % (loglevel(),))
    check(loglevel("debug") == (0, "log level: debug (was info)\n"), "set debug")
    check("log level debug (was info)" in a.log_text(), "log: %r" % a.log_text()[-500:])
    rc, out = loglevel("-o", "json")
    check(rc == 0 and json.loads(out) == {"level": "debug"}, "json: %r" % out)
    rc, out = loglevel("verbose")
    check(rc == 2 and "'verbose': use error, warn, info or debug" in out, "bad level: %r" % out)
    check(loglevel("set", "error")[0] == 0 and loglevel("get") == (0, "log level: error\n"),
          "tetra's spelling: set error, get")


@test("bugtool_writes_one_archive_of_status_policies_maps_log_probe")
def _():
    host_only("hornet bugtool")
    a = Agent()
    a.add_policy(mkdir_policy("ops-bugtool"))
    out = os.path.join(a.dir, "bug.tar.gz")
    r = subprocess.run([HORNET, "bugtool", "--socket", a.socket, "-O", out],
                       capture_output=True, timeout=60)
    check(r.returncode == 0 and r.stdout.decode() == out + "\n",
          "exit %d: %r" % (r.returncode, r.stderr))
    check(os.stat(out).st_mode & 0o777 == 0o600, "mode %o" % os.stat(out).st_mode)
    with tarfile.open(out) as t:
        files = {m.name.split("/", 1)[1]: t.extractfile(m).read().decode() for m in t}
    for name in ("version.txt", "status.json", "policies.json", "maps.txt", "agent.log",
                 "probe.json"):
        check(files.get(name), "%s missing or empty: %r" % (name, sorted(files)))
    check(json.loads(files["status.json"])["pid"] == a.proc.pid, "status.json")
    check([p["name"] for p in json.loads(files["policies.json"])["policies"]] ==
          ["ops-bugtool"], "policies.json")
    procs = [x for x in files["maps.txt"].splitlines() if " hornet_procs " in x]
    check(procs and int(procs[0].split()[6]) > 0, "maps.txt: %r" % files["maps.txt"][:600])
    check("ready in" in files["agent.log"] and "policy 'ops-bugtool' added" in files["agent.log"],
          "agent.log: %r" % files["agent.log"][-400:])
    json.loads(files["probe.json"])
    check("hornet " in files["version.txt"] and "kernel: Linux" in files["version.txt"],
          "version.txt: %r" % files["version.txt"])
    # never over a file already there
    r = subprocess.run([HORNET, "bugtool", "--socket", a.socket, "-O", out],
                       capture_output=True, timeout=60)
    check(r.returncode == 1 and b"File exists" in r.stderr, "again: %r" % r.stderr)


if __name__ == "__main__":
    run()
