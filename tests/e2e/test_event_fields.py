#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fields that flags add to events, as Tetragon's flags of the same names: ancestors in policy
events (--enable-ancestors), environment variables (--enable-process-environment-variables,
--filter-environment-variables, redacted by --redaction-filters), user names from the
process's own /etc/passwd (--username-metadata unix), and the SHA-256 of executed binaries
(--enable-binary-hash). Each test selects its own events by its own pid, binary or marker."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HELPERS, Agent, check, host_only, is_exec, policy_doc,  # noqa: E402
                    remove_cgroup, run, skip, test)


SH = os.path.realpath("/bin/sh")
NOP = os.path.join(HELPERS, "nop")
SLEEP = shutil.which("sleep") or "/bin/sleep"
MARK = "made-by-event-fields-%d" % os.getpid()
# mkdirat(2) of a name ending in MARK, reported as fields-mkdir
MKDIR_POLICY = policy_doc("mkdir-tp").replace("made-by-tracepoint-test", MARK).replace(
    "name: mkdir-tp", "name: fields-mkdir")
MKDIRAT = "import os, sys; os.mkdir(sys.argv[2], dir_fd=os.open(sys.argv[1], os.O_RDONLY))"


def mkdir_in_a_chain(a):
    """outer sh -> inner sh -> python, which makes a directory the policy reports: the
    outer shell's Popen and the policy event."""
    a.add_policy(MKDIR_POLICY)
    d = tempfile.mkdtemp(prefix="hornet-fields-")
    try:
        outer = subprocess.Popen([SH, "-c", "%s -c '%s -c \"%s\" %s %s; true'; true"
                                  % (SH, sys.executable, MKDIRAT, d, MARK)])
        outer.wait()
        ev = a.wait_for(lambda e: "process_tracepoint" in e and
                        e["process_tracepoint"].get("policy_name") == "fields-mkdir",
                        what="the mkdir policy event")["process_tracepoint"]
    finally:
        shutil.rmtree(d, True)
    return outer, ev


@test("policy_events_carry_ancestors_with_enable_ancestors")
def _():
    a = Agent("--enable-ancestors")
    outer, ev = mkdir_in_a_chain(a)
    anc = ev.get("ancestors")
    check(anc, "no ancestors in %s" % json.dumps(ev)[:600])
    check(anc[0]["pid"] == outer.pid, "first ancestor %s, not the outer shell %d"
          % (anc[0].get("pid"), outer.pid))
    check(anc[0]["exec_id"] == ev["parent"]["parent_exec_id"],
          "the first ancestor is not the parent's parent")
    # lean, as process and parent are without --policy-events-full-process
    check("cap" not in anc[0] and "environment_variables" not in anc[0],
          "ancestor not lean: %s" % sorted(anc[0]))


@test("enable_ancestors_takes_tetragon_list_of_event_types")
def _():
    # exec and exit events only ("base"): none in the tracepoint's
    a = Agent("--enable-ancestors=base")
    outer, ev = mkdir_in_a_chain(a)
    check("ancestors" not in ev, "ancestors in a tracepoint event with 'base'")
    py = a.wait_for(lambda e: "process_exec" in e and
                    e["process_exec"]["process"]["pid"] == ev["process"]["pid"],
                    what="exec of python")
    check(py["process_exec"].get("ancestors", [{}])[0].get("pid") == outer.pid,
          "exec event without the outer shell as ancestor")


@test("environment_variables_filtered_and_redacted")
def _():
    host_only("the environment's formatting")
    a = Agent("--enable-process-environment-variables",
              "--filter-environment-variables", "FIELDS_A,FIELDS_TOKEN,FIELDS_EMPTY",
              "--redaction-filters", json.dumps([{"redact": [r"FIELDS_TOKEN=(\S+)"]},
                                                 {"binary_regex": ["(?:^|/)nop$"],
                                                  "redact": [r"FIELDS_A=(hello)"]}]))
    env = {"FIELDS_A": "hello world=1", "FIELDS_TOKEN": "hunter9", "FIELDS_EMPTY": "",
           "FIELDS_DROPPED": "not-kept"}
    # the same environment twice, for two binaries: the nop filter is nop's alone
    got = {}
    for exe in (NOP, os.path.realpath("/bin/true"), NOP):
        p = subprocess.Popen([exe, MARK], env=env)
        p.wait()
        ev = a.wait_for(is_exec(pid=p.pid), what="exec of " + exe)
        check("hunter9" not in json.dumps(ev), "the secret is in the event")
        env_vars = ev["process_exec"]["process"].get("environment_variables")
        check(env_vars is not None, "no environment_variables")
        got[os.path.basename(exe)] = {v["Key"]: v["Value"] for v in env_vars}
    check(got == {"nop": {"FIELDS_A": "***** world=1", "FIELDS_TOKEN": "*****",
                          "FIELDS_EMPTY": ""},
                  "true": {"FIELDS_A": "hello world=1", "FIELDS_TOKEN": "*****",
                           "FIELDS_EMPTY": ""}},
          "environments: %s" % got)


@test("environment_is_bounded_and_off_by_default")
def _():
    # the kernel side reads the environment: run on every kernel
    a = Agent("--enable-process-environment-variables")
    big = {"FIELDS_BIG_%d" % i: "x" * 100 for i in range(100)}  # about 11 KB
    big["FIELDS_FIRST"] = "1"
    p = subprocess.Popen([NOP, MARK], env=big)
    p.wait()
    ev = a.wait_for(is_exec(pid=p.pid), what="exec of nop")
    got = ev["process_exec"]["process"]["environment_variables"]
    size = sum(len(v["Key"]) + len(v["Value"]) + 2 for v in got)
    check(0 < len(got) < 101 and size <= 4096, "%d variables, %d bytes" % (len(got), size))
    check(all(v["Value"] in ("1", "x" * 100) for v in got), "a cut variable was exported")
    a.stop()
    # without the flag: none
    b = Agent()
    p = subprocess.Popen([NOP, MARK], env={"FIELDS_A": "1"})
    p.wait()
    ev = b.wait_for(is_exec(pid=p.pid), what="exec of nop")
    check("environment_variables" not in ev["process_exec"]["process"], "exported unasked")


@test("environment_of_processes_found_in_proc_at_start")
def _():
    # started before the agent: its exec event comes from the /proc scan
    env = {"FIELDS_BEFORE": "found-in-proc", "FIELDS_SECRET": "hunter9"}
    p = subprocess.Popen([SLEEP, "1000"], env=env)
    try:
        a = Agent("--enable-process-environment-variables",
                  "--redaction-filters", json.dumps([{"redact": [r"FIELDS_SECRET=(\S+)"]}]))
        ev = a.wait_for(is_exec(pid=p.pid), what="the /proc scan's exec of sleep")
        proc = ev["process_exec"]["process"]
        check("procFS" in proc.get("flags", ""), "not from the scan: flags %r" % proc.get("flags"))
        got = {v["Key"]: v["Value"] for v in proc.get("environment_variables", [])}
        check(got == {"FIELDS_BEFORE": "found-in-proc", "FIELDS_SECRET": "*****"},
              "environment %r" % got)
    finally:
        p.kill()
        p.wait()


@test("username_from_the_process_own_root")
def _():
    host_only("user names")
    from containers import Container, rootfs, runtime_available
    a = Agent("--username-metadata", "unix")
    p = subprocess.Popen([NOP, MARK], preexec_fn=lambda: os.setuid(65534))
    p.wait()
    ev = a.wait_for(is_exec(pid=p.pid), what="exec of nop as 65534")
    proc = ev["process_exec"]["process"]
    import pwd
    check(proc.get("user") == {"name": pwd.getpwuid(65534).pw_name},
          "uid 65534: user %s" % proc.get("user"))
    p = subprocess.Popen([NOP, MARK])
    p.wait()
    ev = a.wait_for(is_exec(pid=p.pid), what="exec of nop as root")
    check(ev["process_exec"]["process"].get("user") == {"name": "root"},
          "uid 0: user %s" % ev["process_exec"]["process"].get("user"))
    if not runtime_available():
        skip("no container runtime: the container's own name is not tested")
    # the container's /etc/passwd names uid 0 otherwise than the host's
    with open(os.path.join(rootfs(), "etc", "passwd"), "w") as f:
        f.write("bogus line\n+nis:x:0:0::/:/bin/sh\ncroot:x:0:0:root:/root:/bin/sh\n")
    with Container(pod=False) as c:
        check(c.start().returncode == 0, "container: %s" % c.output())
        c.exec(["cat", "/in-container-" + MARK])
        # runc's own exec has the marker in its arguments too
        ev = a.wait_for(lambda e: "process_exec" in e and "in-container-" + MARK in
                        e["process_exec"]["process"].get("arguments", "") and
                        "runc" not in e["process_exec"]["process"]["binary"],
                        what="exec of cat in the container")
        check(ev["process_exec"]["process"].get("user") == {"name": "croot"},
              "in the container: user %s" % ev["process_exec"]["process"].get("user"))


@test("binary_hash_per_file_version")
def _():
    host_only("binary hashes")
    a = Agent("--enable-binary-hash")
    d = tempfile.mkdtemp(prefix="hornet-fields-")
    try:
        exe = os.path.join(d, "nop-copy")
        shutil.copy2(NOP, exe)
        want = []
        got = []
        for _ in range(2):
            with open(exe, "rb") as f:
                want.append("sha256:" + hashlib.sha256(f.read()).hexdigest())
            p = subprocess.Popen([exe, MARK])
            p.wait()
            ev = a.wait_for(is_exec(pid=p.pid), what="exec of the copy")
            got.append(ev["process_exec"]["process"].get("binary_properties", {}).get("hash"))
            # a new version of the file: an ELF runs with bytes appended
            with open(exe, "ab") as f:
                f.write(b"\0version 2")
        check(got == want, "hashes %s, want %s" % (got, want))
        check(want[0] != want[1], "the file did not change")
        st = a.status()["binary_hash"]
        check(st["hashed"] >= 2 and st["bytes_hashed"] > 0, "status %s" % st)
    finally:
        shutil.rmtree(d, True)


@test("cgroup_rate_throttles_a_cgroup_between_start_and_stop")
def _():
    host_only("the cgroup rate")
    from containers import unified_mount
    root = unified_mount()
    if not root:
        skip("no cgroup v2 hierarchy mounted")
    cg = os.path.join(root, "hornet-throttle-%d" % os.getpid())
    os.makedirs(cg)
    a = Agent("--cgroup-rate", "20,1s")
    try:
        # 60 processes at once in a cgroup of their own: past the 20th event, none
        sh = subprocess.Popen([SH, "-c", 'echo $$ > %s/cgroup.procs && for i in $(seq 60); do '
                               '%s %s; done' % (cg, NOP, MARK)])
        sh.wait()
        # (other cgroups of the machine may be throttled too)
        mine = os.path.basename(cg)
        start = a.wait_for(lambda e: e.get("process_throttle", {}).get("cgroup") == mine,
                           what="throttle start")
        check(start["process_throttle"]["type"] == "THROTTLE_START", "first: %s" % start)
        # the stop comes once the cgroup is quiet and 5 s have passed
        stop = a.wait_for(lambda e: e.get("process_throttle") ==
                          {"type": "THROTTLE_STOP", "cgroup": mine}, timeout=9,
                          what="throttle stop")
        check(stop["time"] > start["time"], "stop before start")
        execs = [e for e in a.events() if is_exec(binary=NOP)(e) and
                 e["process_exec"]["process"].get("arguments") == MARK]
        check(0 < len(execs) < 20, "%d execs of the 60 exported" % len(execs))
        # after the stop, the cgroup's events go out again
        p = subprocess.Popen([SH, "-c", 'echo $$ > %s/cgroup.procs && exec %s %s-after'
                              % (cg, NOP, MARK)])
        p.wait()
        a.wait_for(is_exec(pid=p.pid), what="an exec after the stop")
        st = a.status()["cgroup_rate"]
        check(st["throttle_starts"] >= 1 and st["throttle_stops"] >= 1 and
              st["events_dropped"] >= 90, "status %s" % st)
    finally:
        a.stop()
        remove_cgroup(cg)


run()
