#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Secrets: --redaction-filters hides passwords given on a command line, in the export file and
the live API stream alike, and environment variables are never exported."""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HELPERS, HORNET, Agent, check, is_exec, is_exit, run, test  # noqa: E402

SH = os.path.realpath("/bin/sh")
NOP = os.path.join(HELPERS, "nop")
# Tetragon's documented example, -p added
PASSWORDS = json.dumps({"redact": [r"(?:--password|-p)(?:\s+|=)(\S*)"]})
SECRETS = (b"hunter2", b"hunter3", b"hunter4")
# a policy event for mkdir(2) of a name of the test's (coreutils' mkdir makes that call)
MKDIR_POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: redact-mkdir
spec:
  tracepoints:
  - subsystem: "syscalls"
    event: "sys_enter_mkdir"
    args:
    - index: 5
      type: "string"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Postfix"
        values: ["made-by-redact-test"]
"""


def stream(a):
    """`hornet events` on the agent's socket, once the agent counts it as a subscriber."""
    subs = a.status()["export"]["api_subscribers"]
    cli = subprocess.Popen([HORNET, "events", "--socket", a.socket], stdout=subprocess.PIPE)
    deadline = time.time() + 30
    while a.status()["export"]["api_subscribers"] <= subs and time.time() < deadline:
        time.sleep(0.1)
    return cli


def read_until(cli, pred, timeout=10):
    """Lines of the stream until one whose event satisfies @pred (or the timeout)."""
    lines = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not select.select([cli.stdout], [], [], 0.5)[0]:
            continue
        line = cli.stdout.readline()
        if not line:
            break
        lines.append(line)
        if pred(json.loads(line)):
            break
    return lines


@test("redaction_hides_passwords_in_the_file_and_the_live_stream")
def _():
    a = Agent("--redaction-filters", PASSWORDS)
    a.add_policy(MKDIR_POLICY)
    d = tempfile.mkdtemp(prefix="hornet-redact-")
    cli = stream(a)
    try:
        # the secrets in the shell's own arguments (the parent of nop, and of mkdir, whose
        # policy event carries it), in its script, in nop's arguments, and one in the
        # environment, which is never exported at all
        sh = subprocess.Popen([SH, "-c", "mkdir %s/made-by-redact-test; " % d + NOP +
                               " --password=hunter2 -p hunter3 keep-me; true",
                               "--password=hunter2", "-p", "hunter3", "sh-keep"],
                              env=dict(os.environ, HORNET_TEST_SECRET="hunter4"))
        sh.wait()
        tp = a.wait_for(lambda e: e.get("process_tracepoint", {}).get("parent", {})
                        .get("pid") == sh.pid, what="the policy event of mkdir under the sh")
        args = tp["process_tracepoint"]["parent"]["arguments"]
        check(args.endswith(" --password=***** -p ***** sh-keep"),
              "sh's arguments in the policy event: %r" % args)
        ex = a.wait_for(lambda e: is_exec(binary=NOP)(e) and
                        e["process_exec"].get("parent", {}).get("pid") == sh.pid,
                        what="exec of nop under the sh")
        p, parent = ex["process_exec"]["process"], ex["process_exec"]["parent"]
        check(p["arguments"] == "--password=***** -p ***** keep-me",
              "nop's arguments: %r" % p["arguments"])
        check(parent["arguments"] == '-c "mkdir %s/made-by-redact-test; %s --password=***** '
              '-p ***** keep-me; true" --password=***** -p ***** sh-keep' % (d, NOP),
              "sh's arguments: %r" % parent["arguments"])
        a.wait_for(is_exit(exec_id=p["exec_id"]), what="exit of nop")
        a.wait_for(is_exit(exec_id=parent["exec_id"]), what="exit of sh")
        lines = read_until(cli, is_exit(exec_id=parent["exec_id"]))
    finally:
        cli.kill()
        cli.wait()
        shutil.rmtree(d, ignore_errors=True)
    live = [json.loads(line) for line in lines]
    check(any(is_exit(exec_id=parent["exec_id"])(e) for e in live),
          "the live stream did not get sh's exit (%d lines)" % len(live))
    # the exit events carry the same redacted process objects
    mine = [e for e in a.events() + live
            if (e.get("process_exec") or e.get("process_exit") or {}).get("process", {})
            .get("exec_id") in (p["exec_id"], parent["exec_id"])]
    check(len(mine) == 8, "%d exec and exit events of sh and nop, want 4 in each output"
          % len(mine))
    for e in mine:
        args = list(e.values())[0]["process"]["arguments"]
        check("*****" in args and "keep-me" in args, "arguments %r" % args)
    with open(a.export, "rb") as f:
        exported = f.read()
    streamed = b"".join(lines)
    for secret in SECRETS:
        check(secret not in exported, "%r in the export file" % secret)
        check(secret not in streamed, "%r in the live stream" % secret)
    check(b"keep-me" in exported and b"sh-keep" in streamed, "the other arguments are gone")
    check(b"HORNET_TEST_SECRET" not in exported, "an environment variable was exported")
    red = a.status().get("redaction")
    check(red == {"filters": 1, "failures": 0}, "status redaction: %r" % red)


@test("redaction_binary_regex_limits_a_filter_to_its_binaries")
def _():
    # the first filter is for mysql alone: nop keeps its --password; the second is nop's
    filters = "\n".join(json.dumps(f) for f in (
        {"binary_regex": [r"(?:^|/)mysql$"], "redact": [r"--password=(\S*)"]},
        {"match": {"binary_regex": [r"/nop$"]}, "redact": [r"-p (\S*)"]}))
    a = Agent("--redaction-filters", filters)
    nop = subprocess.Popen([NOP, "--password=hunter2", "-p", "hunter3", "keep-me"])
    nop.wait()
    ev = a.wait_for(is_exec(pid=nop.pid, binary=NOP), what="exec of nop")
    args = ev["process_exec"]["process"]["arguments"]
    check(args == "--password=hunter2 -p ***** keep-me", "nop's arguments: %r" % args)


@test("redaction_malformed_filter_refuses_to_start")
def _():
    d = tempfile.mkdtemp(prefix="hornet-test-")
    try:
        # --redact: the name for it, a prefix getopt takes for --redaction-filters
        r = subprocess.run([HORNET, "agent", "--socket", os.path.join(d, "s"), "--export-file",
                            "", "--http-listen", "", "--store", "",
                            "--redact", '{"redact": ["(a)"]}\n{"redact": ["(?:--password"]}'],
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    err = r.stderr.decode()
    check(r.returncode == 2, "exit status %d: %s" % (r.returncode, err))
    check("hornet agent: --redaction-filters: filter 2: redact[0]: missing closing parenthesis "
          "at offset 13 in '(?:--password'" in err, "message: %r" % err)


if __name__ == "__main__":
    run()
