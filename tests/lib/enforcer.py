# SPDX-License-Identifier: GPL-2.0
"""A NotifyEnforcer policy and the processes it acts on, for the tests of
spec.enforcers (tests/e2e/test_enforcer.py, and test_bounded.py on kernels
without bpf_loop()). Each test runs a copy of python3 of its own, which the
policy's matchBinaries names, and the system's python3 as a control."""
import os
import platform
import shutil
import signal
import subprocess
import tempfile

from hornet import Fail, check

PYTHON = os.path.realpath("/usr/bin/python3")
DUP_NR = {"x86_64": 32, "aarch64": 23}

# Waits for a line on stdin (the policy loads meanwhile), then makes the calls
# of argv[1:] in order, printing each one's name after it returns.
TRIGGER = r'''
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
sys.stdin.readline()
for what in sys.argv[1:]:
    if what == "dup":
        fd = libc.dup(0)
        print("dup=%d errno=%d" % (fd, ctypes.get_errno()), flush=True)
        if fd >= 0:
            os.close(fd)
    elif what == "getppid":
        os.getppid()
        print("getppid", flush=True)
    elif what == "getpid":
        os.getpid()
        print("getpid", flush=True)
print("done", flush=True)
'''

POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: %(name)s
spec:
  lists:
  - name: "dups"
    type: "syscalls"
    values:
    - "sys_dup"
    - "sys_dup2"
  - name: "notify-on"
    type: "syscalls"
    values: [%(notify_on)s]
  - name: "clean-on"
    type: "syscalls"
    values: ["sys_getpid"]
  enforcers:
  - calls:
    - "list:dups"
  tracepoints:
  - subsystem: "raw_syscalls"
    event: "sys_enter"
    args:
    - index: 4
      type: "syscall64"
    selectors:
    - matchArgs:
      - index: 0
        operator: "InMap"
        values:
        - "list:notify-on"
      matchBinaries:
      - operator: "In"
        values:
        - "%(binary)s"
      matchActions:
      - action: "NotifyEnforcer"
%(args)s    - matchArgs:
      - index: 0
        operator: "InMap"
        values:
        - "list:clean-on"
      matchBinaries:
      - operator: "In"
        values:
        - "%(binary)s"
      matchActions:
      - action: "CleanupEnforcerNotification"
      - action: NoPost
"""


def policy(name, binary, notify_on='"sys_dup", "sys_dup2"', args="        argSig: 9\n"):
    return POLICY % {"name": name, "binary": binary, "notify_on": notify_on, "args": args}


class Work:
    """A directory with a copy of python3, and the processes started from it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hornet-enforcer-", dir="/var/tmp")
        os.chmod(self.dir, 0o755)
        self.python = os.path.join(self.dir, "python3")
        shutil.copy(PYTHON, self.python)
        self.procs = []

    def start(self, python, *calls):
        p = subprocess.Popen([python, "-c", TRIGGER] + list(calls), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.communicate(timeout=10)
            except (subprocess.TimeoutExpired, ValueError, OSError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def go(p, timeout=30):
    """Lets @p make its calls; returns (its returncode, what it printed)."""
    try:
        out, err = p.communicate(b"go\n", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail("pid %d still runs after %d s" % (p.pid, timeout))
    return p.returncode, out.decode("utf-8", "replace") + err.decode("utf-8", "replace")[-500:]




def check_notify_kills(a, name):
    """Loads the policy as @name into agent @a and checks that a process of the
    test's python3 is killed at dup() after its notification, before dup()
    returns, and that the system's python3 doing the same is spared. Returns
    the policy's event for the killed process."""
    w = Work()
    try:
        victim = w.start(w.python, "getppid", "dup")
        control = w.start(PYTHON, "dup")
        a.add_policy(policy(name, w.python))
        status, out = go(victim)
        check(status == -signal.SIGKILL, "wait status %r, not SIGKILL: %r" % (status, out))
        check("getppid" in out and "dup=" not in out and "done" not in out,
              "the process ran past dup(): %r" % out)
        cstatus, cout = go(control)
        check(cstatus == 0 and "dup=" in cout and "done" in cout,
              "the system's python3 was hurt: %r %r" % (cstatus, cout))

        def mine(e, pid):
            body = e.get("process_tracepoint", {})
            return body.get("policy_name") == name and body["process"]["pid"] == pid
        ev = a.wait_for(lambda e: mine(e, victim.pid),
                        what="the NotifyEnforcer event")["process_tracepoint"]
        check(ev["action"] == "KPROBE_ACTION_NOTIFYENFORCER" and ev["subsys"] == "raw_syscalls",
              "event %r" % ev)
        check(ev["args"][0]["syscall_id"]["id"] == DUP_NR.get(platform.machine()),
              "args %r" % ev["args"])
        check(not [e for e in a.events() if mine(e, control.pid)], "the control was reported")
        return ev
    finally:
        w.close()
