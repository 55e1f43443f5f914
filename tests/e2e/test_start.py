#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The agent's start, end to end: while it loads a set of policies it answers
`hornet status`, the socket API and the HTTP server with its progress, and a
SIGTERM at any moment of the start stops it within 2 s with nothing left in
the kernel."""
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (BPFFS, HORNET, Fail, check, free_port, hornet_progs, run,  # noqa: E402
                    skip, test, unpin_dir)
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

# Policies on distinct syscall tracepoints, each with a selector of its own:
# every one is a hook point of its own to verify, so the set takes a while.
NR_POLICIES = 6
TRACEFS = "/sys/kernel/tracing/events/syscalls"
STOP_WITHIN = 2.0


# calls no test makes, so the policies post nothing
QUIET_CALLS = ("acct", "swapon", "swapoff", "pivot_root", "sethostname", "setdomainname",
               "syslog", "vhangup", "quotactl")
# a ready agent with this many points stops within STOP_READY_WITHIN. Closing a
# syscall tracepoint's perf event unregisters it under the kernel's global
# event_mutex and waits for RCU grace periods there, so the detaches serialise
# whatever util/links.c overlaps: 3-70 ms each, by how busy the machine is (18
# points: 0.47-0.62 s at load 1-2, 0.8-0.9 s before the parallel detach; the pack:
# 0.12-0.25 s quiet, 1.3 s at load 1-2, 2.6 s before). These bounds catch a hang
# or a stop that waits on something else, not the grace periods' length.
NR_STOP_POINTS = 18
IN_VM = os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm")
# TCG is about 10 times slower
STOP_READY_WITHIN = 6.0 if IN_VM else 2.0
STOP_PACK_WITHIN = 20.0 if IN_VM else 4.0


@contextlib.contextmanager
def slow_policy_dir(tag, nr=NR_POLICIES, exits=False):
    if not os.path.isdir(TRACEFS):
        skip("no %s" % TRACEFS)
    calls = ["sys_enter_" + c for c in QUIET_CALLS] + \
        (["sys_exit_" + c for c in QUIET_CALLS] if exits else [])
    calls = [c for c in calls if os.path.isdir(os.path.join(TRACEFS, c))][:nr]
    if len(calls) < nr:
        skip("only %d of the syscall tracepoints it uses" % len(calls))
    d = tempfile.mkdtemp(prefix="hornet-start-")
    for i, call in enumerate(calls):
        with open(os.path.join(d, "p%02d.yaml" % i), "w") as f:
            f.write("""apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: start-%s-%d
spec:
  tracepoints:
  - subsystem: "syscalls"
    event: "%s"
    selectors:
    - matchBinaries:
      - operator: "In"
        values: ["/nonexistent/hornet-start-%s-%d"]
""" % (tag, i, call, tag, i))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Starting:
    """`hornet agent` launched without waiting for it to be ready."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="hornet-test-")
        self.socket = os.path.join(self.dir, "hornet.sock")
        self.log = os.path.join(self.dir, "agent.log")
        self.logf = open(self.log, "wb")
        self.bpffs = os.path.join(BPFFS, os.path.basename(self.dir))
        argv = [HORNET, "agent", "--node-name", "starttest", "--socket", self.socket,
                "--export-file", os.path.join(self.dir, "events.json"), "--store", "",
                "--bpffs-dir", self.bpffs]
        if "--http-listen" not in args:
            argv += ["--http-listen", ""]
        self.proc = subprocess.Popen(argv + list(args), stdout=self.logf,
                                     stderr=subprocess.STDOUT)

    def call(self, command):
        """The agent's reply to @command on its socket, or None before it listens."""
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(5)
                s.connect(self.socket)
                s.sendall(json.dumps({"command": command}).encode() + b"\n")
                data = b""
                while not data.endswith(b"\n"):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        except socket.timeout:
            raise Fail("the agent did not answer %r within 5 s" % command)
        check(data.endswith(b"\n"), "%s: the agent closed the connection without a reply"
              % command)
        return json.loads(data)

    def wait_loading(self, timeout=60, what=lambda r: True):
        """The first status that says it loads policies and satisfies @what."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fail("agent exited with %d: %s" % (self.proc.returncode, self.text()))
            r = self.call("status")
            if r and r.get("ready"):
                raise Fail("ready before a status said what it loads: %r" % r)
            if r and r.get("loading", {}).get("phase") == "loading policies" and what(r):
                return r
            time.sleep(0.01)
        raise Fail("no status with the policies' progress within %d s" % timeout)

    def wait_ready(self, timeout=300, poll=0.05):
        """Waits for a status that says ready (the agent must not exit meanwhile)."""
        deadline = time.monotonic() + timeout
        while not (st := self.call("status") or {}).get("ready"):
            check(time.monotonic() < deadline, "not ready after %d s: %s"
                  % (timeout, st.get("progress")))
            check(self.proc.poll() is None, "agent exited: %s" % self.text())
            time.sleep(poll)
        return st

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stop_timed(self):
        """Seconds from SIGTERM to its exit (at most 30: then it is killed)."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)
        took = time.monotonic() - t0
        check(self.proc.poll() is not None, "no stop within 30 s of SIGTERM: %s" % self.text())
        return took

    def stop_promptly(self, when, died_ok=False):
        """SIGTERM: it exits within STOP_WITHIN seconds, with status 0 (or, when
        @died_ok, of the signal itself: before it blocks it, nothing is loaded)."""
        took = self.stop_timed()
        ok = (0, -signal.SIGTERM) if died_ok else (0,)
        check(self.proc.returncode in ok, "SIGTERM %s: exit status %d: %s"
              % (when, self.proc.returncode, self.text()))
        check(took <= STOP_WITHIN, "SIGTERM %s: stopped %.2f s later (at most %.1f): %s"
              % (when, took, STOP_WITHIN, self.text()))

    def text(self):
        self.logf.flush()
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        unpin_dir(self.bpffs)


@test("status_answers_with_the_progress_while_policies_load")
def _():
    port = free_port()
    with slow_policy_dir("status") as d, \
            Starting("--policy-dir", d, "--network=false",
                     "--http-listen", "127.0.0.1:%d" % port) as a:
        r = a.wait_loading()
        ld = r["loading"]
        check(r["health"] == "starting" and r["ready"] is False, "status %r" % r)
        check(ld["policies_total"] == NR_POLICIES, "policies_total %r" % ld)
        check(ld["policies_done"] < NR_POLICIES and
              ld["hook_points_done"] < ld["hook_points_total"], "progress %r" % ld)
        check(ld["policy"].startswith("start-status-") and
              "tracepoint" in ld["hook_point"], "loading what? %r" % ld)
        check(r["progress"].startswith("loading policies: %d of %d" %
                                       (ld["policies_done"], NR_POLICIES)),
              "progress text %r" % r["progress"])
        # the other commands say why they wait, they do not hang
        pl = a.call("policy_list")
        if "error" in pl:
            check("starting" in pl["error"], "policy_list while starting: %r" % pl)
        # the CLI says the same, and that it is not ready yet (exit 1)
        cli = subprocess.run([HORNET, "status", "--socket", a.socket], capture_output=True,
                             timeout=30)
        out = cli.stdout.decode()
        if not a.call("status").get("ready"):
            check(cli.returncode == 1, "hornet status exited %d while starting" % cli.returncode)
            check("starting: " in out and "health:   starting" in out,
                  "hornet status while starting: %r %r" % (out, cli.stderr))
        # the HTTP server too: /readyz names the progress, /api/v1/status has it
        with open(os.path.join(a.dir, "http.token")) as f:
            token = f.read().strip()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/readyz", headers={"Host": "127.0.0.1:%d" % port})
        resp = c.getresponse()
        body = resp.read().decode()
        if not a.call("status").get("ready"):
            check(resp.status == 503 and "loading policies" in body,
                  "/readyz while starting: %d %r" % (resp.status, body))
        c.request("GET", "/api/v1/status", headers={"Host": "127.0.0.1:%d" % port,
                                                    "Authorization": "Bearer " + token})
        resp = c.getresponse()
        st = json.loads(resp.read())
        check(resp.status == 200 and (st.get("ready") or
                                      st.get("loading", {}).get("phase")),
              "/api/v1/status while starting: %d %r" % (resp.status, st))
        c.close()
        # and it gets ready, with every policy loaded
        a.wait_ready(poll=0.1)
        pols = a.call("policy_list")["policies"]
        check(sum(p["state"] == "enabled" for p in pols) == NR_POLICIES, "policies %r" % pols)
        a.stop_timed()


def check_nothing_left():
    left = hornet_progs()
    check(not left, "programs left in the kernel: %s" % left)


@test("sigterm_while_policies_load_stops_within_2_s_and_leaves_no_program")
def _():
    with slow_policy_dir("term") as d, Starting("--policy-dir", d) as a:
        # in the middle: a point loaded, the next one verifying
        a.wait_loading(what=lambda r: r["loading"]["hook_points_done"] >= 1)
        a.stop_promptly("while loading policies")
        check("stopped while starting" in a.text(), "log: %s" % a.text())
    check_nothing_left()


@test("a_ready_agent_with_many_points_stops_promptly_and_leaves_no_program")
def _():
    with slow_policy_dir("ready", nr=NR_STOP_POINTS, exits=True) as d, \
            Starting("--policy-dir", d, "--network=false") as a:
        a.wait_ready()
        pols = a.call("policy_list")["policies"]
        check(sum(p["state"] == "enabled" for p in pols) == NR_STOP_POINTS, "policies %r" % pols)
        took = a.stop_timed()
        check(a.proc.returncode == 0, "exit status %d: %s" % (a.proc.returncode, a.text()))
        print("  %d points stopped in %.3f s" % (NR_STOP_POINTS, took))
        check(took <= STOP_READY_WITHIN, "%d points: stopped %.2f s after SIGTERM (at most %.1f)"
              % (NR_STOP_POINTS, took, STOP_READY_WITHIN))
    check_nothing_left()


@test("the_default_pack_gets_ready_in_bounded_time")
def _():
    pack = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "policies")
    # the number issue 11 asks for: launch to ready with the pack (2 s here, 15 s under
    # TCG); bounded loosely, so a busy machine does not fail it, a regression does
    bound = 240 if IN_VM else 30
    # under TCG a status call of the test every 10 ms was a fifth of the
    # emulated CPU the start had (QEMU's CPU time: 14.3 s against 11.8 s with
    # 0.25 s between calls): the VM polls every 0.1 s, at most that late
    poll = 0.1 if IN_VM else 0.01
    t0 = time.monotonic()
    with Starting("--policy-dir", pack) as a:
        a.wait_ready(timeout=bound, poll=poll)
        took = time.monotonic() - t0
        pols = a.call("policy_list")["policies"]
        own = [line for line in a.text().splitlines() if "ready in" in line]
        print("  the default pack (%d policies, %d enabled) ready in %.2f s (%s)"
              % (len(pols), sum(p["state"] == "enabled" for p in pols), took,
                 own[0].split("info", 1)[-1].split(":")[0].strip() if own else "?"))
        check(len(pols) >= 10 and sum(p["state"] == "enabled" for p in pols) >= len(pols) - 1,
              "policies %r" % [(p["name"], p["state"], p.get("error")) for p in pols])
        took = a.stop_timed()
        print("  the default pack stopped in %.3f s" % took)
        check(took <= STOP_PACK_WITHIN, "the default pack: stopped %.2f s after SIGTERM "
              "(at most %.1f)" % (took, STOP_PACK_WITHIN))
    check_nothing_left()


@test("sigterm_at_any_moment_of_the_start_stops_within_2_s")
def _():
    with slow_policy_dir("early") as d:
        # right after the launch (sockets, sensors, the /proc scan) and a bit later
        for delay in (0.05, 0.2, 0.5):
            with Starting("--policy-dir", d) as a:
                time.sleep(delay)
                a.stop_promptly("%.2f s after the launch" % delay, died_ok=True)
    check_nothing_left()


run()
