#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Enforcement of the four classic violations, and hostile file names, end to end.

Part 1 loads the example policies of examples/enforcement/ (capability, namespace,
exec, pid) into the real agent and checks that a process is killed from the
kernel the moment it uses a capability, creates or enters a namespace, executes
a forbidden binary, or runs with a forbidden PID or in a PID namespace; that an
unrelated process doing the same is untouched; and that monitor mode kills
nothing and says so.

The examples, as a user deploys them, act on the whole machine. Other people run
agents and tests on the machines these tests run on, so the tests never load them
as they are: every policy loaded here is generated from an example file and
restricted to this test's own processes (a matchPIDs filter on the test's
children added to every selector, or the forbidden directory replaced by the
test's temp dir), and the generated text is checked for that before it is loaded.

Part 2 opens files whose names hold newlines, control bytes, invalid UTF-8 and
more than 4,000 bytes, and reaches them through symlinks and "..", and checks
that the events give the real path, byte for byte after JSON decoding, that
every exported line is JSON, and that the compact form prints one line each.
"""
import json
import os
import platform
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HORNET, ROOT, Agent, Fail, check, features, policy_doc, run, skip,  # noqa: E402
                    test)
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

EXAMPLES = os.path.join(ROOT, "examples", "enforcement")
PYTHON = os.path.realpath("/usr/bin/python3")
PLACEHOLDER_PID = 4194304          # pid.yaml's "never matches" quarantine PID
CLONE_NEWUTS = 0x04000000
CLONE_NEWPID = 0x20000000

# What the test's processes do: wait for a line on stdin (so that the policy is
# loaded between their start and their act, and their pid is known to it), then
# do argv[1].
TRIGGER = r'''
import ctypes, os, socket, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CLONE_NEWUTS, CLONE_NEWPID, SIGCHLD = 0x04000000, 0x20000000, 17
what, args = sys.argv[1], sys.argv[2:]
sys.stdin.readline()
if what == "raw-socket":                 # needs CAP_NET_RAW
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
elif what == "exec":                     # the same process, another program
    os.execv(args[0], args)
elif what == "fexec":                    # execveat(fd, "", AT_EMPTY_PATH)
    fd = os.open(args[0], os.O_RDONLY)
    os.execve(fd, args, {})
elif what == "setns":
    fd = os.open("/proc/self/ns/uts", os.O_RDONLY)
    if libc.setns(fd, 0) != 0:
        sys.exit("setns: errno %d" % ctypes.get_errno())
elif what == "clone":                    # clone(CLONE_NEWUTS | SIGCHLD), like fork
    r = libc.syscall(56, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0)
    if r == 0:
        os.close(os.open(args[0], os.O_CREAT | os.O_WRONLY, 0o644))
        os._exit(0)
    if r < 0:
        sys.exit("clone: errno %d" % ctypes.get_errno())
    os.waitpid(r, 0)
elif what == "clone3":                   # clone3({flags: CLONE_NEWUTS, exit_signal: SIGCHLD})
    ca = struct.pack("<8Q", CLONE_NEWUTS, 0, 0, 0, SIGCHLD, 0, 0, 0)
    buf = ctypes.create_string_buffer(ca, len(ca))
    r = libc.syscall(435, buf, len(ca))
    if r == 0:                           # the child's first act: the marker
        os.close(os.open(args[0], os.O_CREAT | os.O_WRONLY, 0o644))
        os._exit(0)
    if r < 0:
        sys.exit("clone3: errno %d" % ctypes.get_errno())
    os.waitpid(r, 0)
elif what == "pidns":                    # unshare --pid --fork ARGS, with the child's status
    if libc.unshare(CLONE_NEWPID) != 0:
        sys.exit("unshare: errno %d" % ctypes.get_errno())
    pid = os.fork()
    if pid == 0:
        os.execv(args[0], args)
    _, st = os.waitpid(pid, 0)
    print("child %d status %d" % (pid, st), flush=True)
    sys.exit(0)
elif what == "loop":
    while True:
        time.sleep(0.05)
print("done", flush=True)
'''


class Procs:
    """The test's processes. A policy that names a pid must never outlive the
    process: once reaped, the pid can go to any other process on the machine
    (pid_max is 32768 here, and other tests fork fast). So the tests learn how
    their processes ended without reaping them (waitid WNOWAIT: the pid stays
    taken by the zombie), and close() reaps them only after the test's agents,
    and with them the policies, are gone."""

    def __init__(self):
        self.procs = []

    def trigger(self, what, *args):
        p = subprocess.Popen([PYTHON, "-c", TRIGGER, what] + list(args), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.procs.append(p)
        return p

    def start(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def close(self):
        """Stops the agents (so that no policy names these pids any more), then
        kills and reaps the processes."""
        Agent.stop_all()
        for p in self.procs:
            if ended(p) is None:
                p.kill()
            try:
                p.communicate(timeout=10)
            except (subprocess.TimeoutExpired, ValueError, OSError):
                pass


def ended(p):
    """How @p ended (a Popen returncode: -N for signal N), None while it runs;
    without reaping it."""
    if p.returncode is not None:
        return p.returncode
    info = os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if info is None or info.si_pid != p.pid:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def wait_ended(p, timeout):
    deadline = time.monotonic() + timeout
    while True:
        st = ended(p)
        if st is not None:
            return st
        if time.monotonic() > deadline:
            raise Fail("pid %d still runs after %d s" % (p.pid, timeout))
        time.sleep(0.02)


def output(f):
    """What is in the pipe @f now (its writer has exited; a child of it may
    still hold it open)."""
    os.set_blocking(f.fileno(), False)
    try:
        return (f.read() or b"").decode("utf-8", "replace")
    except BlockingIOError:
        return ""


def go(p, timeout=20):
    """Lets a trigger act and waits for it to end; returns (its status as a Popen
    returncode, stdout, stderr). It is not reaped (see Procs)."""
    p.stdin.write(b"go\n")
    p.stdin.close()
    st = wait_ended(p, timeout)
    return st, output(p.stdout), output(p.stderr)


def tmpdir():
    d = tempfile.mkdtemp(prefix="hornet-enf-", dir="/var/tmp")
    os.chmod(d, 0o755)
    return d


# --- the example policies, restricted to the test's processes ------------------

def example(name):
    path = os.path.join(EXAMPLES, name)
    if not os.path.exists(path):
        skip("%s is not here (the VM image copies tests/ only)" % os.path.relpath(path, ROOT))
    with open(path) as f:
        return f.read()


def scoped(text, pids, follow=True):
    """@text with `matchPIDs: In @pids` added as the first filter of every
    selector, so that the policy can only ever act on the test's processes (and,
    with @follow, on their descendants). Selectors that already start with a
    matchPIDs filter are left as they are; the caller has put the test's pids in
    them (assert_scoped checks it)."""
    out, n = [], 0
    key_ind = item_ind = None
    for line in text.split("\n"):
        body = line.lstrip(" ")
        ind = len(line) - len(body)
        if key_ind is not None and body and not body.startswith("#"):
            if item_ind is None:
                item_ind = ind
            if ind < item_ind or (ind == item_ind and not body.startswith("- ")):
                key_ind = item_ind = None          # the end of the selectors list
            elif ind == item_ind:                  # a selector
                if not re.match(r"- match[A-Za-z]+:", body):
                    raise Fail("cannot scope the selector %r" % line)
                n += 1
                if not body.startswith("- matchPIDs:"):
                    pad = " " * ind
                    out += [pad + "- matchPIDs:", pad + "  - operator: In",
                            pad + "    values: [%s]" % ", ".join(str(p) for p in pids)]
                    if follow:
                        out.append(pad + "    followForks: true")
                    out.append(pad + "  " + body[2:])
                    continue
        if re.match(r"selectors:\s*(#.*)?$", body):
            key_ind, item_ind = ind, None
        out.append(line)
    check(n > 0, "no selector to scope")
    text = "\n".join(out)
    assert_scoped(text, pids)
    return text


def assert_scoped(text, pids):
    """Refuses to go on unless every selector of @text starts with a matchPIDs
    filter whose values are among @pids (or pid.yaml's never-matching placeholder)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "selectors:" in line.split("#")[0]:
            check(re.match(r"\s*selectors:\s*(#.*)?$", line),
                  "selectors not in block style, cannot check their scope: %r" % line)
        if not re.match(r"\s*selectors:\s*(#.*)?$", line):
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or lines[j].lstrip().startswith("#")):
            j += 1
        ind = len(lines[j]) - len(lines[j].lstrip(" "))
        for k in range(j, len(lines)):
            body = lines[k].lstrip(" ")
            kind = len(lines[k]) - len(body)
            if body and not body.startswith("#") and (kind < ind or (kind == ind and
                                                                   not body.startswith("- "))):
                break
            if kind == ind and body.startswith("- "):
                check(body.startswith("- matchPIDs:") and
                      lines[k + 1].strip() == "- operator: In",
                      "unscoped selector in a generated policy: %r" % lines[k])
                vals = re.match(r"\s*values: \[([0-9, ]+)\]", lines[k + 2])
                check(vals, "matchPIDs values: %r" % lines[k + 2])
                got = {int(v) for v in vals.group(1).split(",")}
                check(got <= set(pids) | {PLACEHOLDER_PID},
                      "a generated policy names pids %r, not the test's %r" % (got, pids))


def monitor(text):
    """The example's own monitor variant: spec.options policy-mode monitor."""
    check(text.count("    value: enforce ") == 1, "no policy-mode option to switch")
    return text.replace("    value: enforce ", "    value: monitor ")


def policy_check(text):
    """`hornet policy check` of @text: (exit code, what it said)."""
    r = subprocess.run([HORNET, "policy", "check", "-"], input=text.encode(), capture_output=True,
                       timeout=60)
    return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace").strip()


def add(a, text, *args):
    """Adds a generated policy, after `hornet policy check` has accepted it."""
    rc, said = policy_check(text)
    check(rc == 0, "policy check: %s" % said)
    a.add_policy(text, *args)


def capability_policy(pids):
    """capability.yaml for @pids, on the capability:cap_capable tracepoint (Linux
    6.14+); on a kernel without it, in the kprobe form its comment gives for
    kernels with kprobes or fentry. Returns (text, which form)."""
    text = scoped(example("capability.yaml"), pids)
    rc, said = policy_check(text)
    if rc == 0 or "no tracepoint capability/cap_capable" not in said:
        return text, "tracepoint"
    if not features().get("kprobe") and not features().get("fentry"):
        skip("neither the capability:cap_capable tracepoint nor kprobes or fentry")
    head, tail = example("capability.yaml").split("  tracepoints:\n", 1)
    alt = tail.split("# The same on kernels without the tracepoint")[1]
    alt = "\n".join(ln[1:] for ln in alt.split("\n") if ln.startswith("#  "))
    return scoped(head + alt + "\n", pids), "kprobe"


def policy_events(a, policy, pid=None):
    out = []
    for ev in a.events():
        for key in ("process_kprobe", "process_tracepoint", "process_lsm"):
            body = ev.get(key)
            if body and body.get("policy_name") == policy and \
                    (pid is None or body["process"]["pid"] == pid):
                out.append(body)
    return out


def wait_events(a, policy, pid=None, n=1, timeout=10, pred=lambda e: True):
    deadline = time.monotonic() + timeout
    while True:
        evs = [e for e in policy_events(a, policy, pid) if pred(e)]
        if len(evs) >= n or time.monotonic() > deadline:
            return evs
        time.sleep(0.05)


def exit_event(a, pid, timeout=10):
    ev = a.wait_for(lambda e: "process_exit" in e and e["process_exit"]["process"]["pid"] == pid,
                    timeout=timeout, what="exit event of %d" % pid)
    return ev["process_exit"]


def check_killed(a, policy, status, pid, what):
    """The process @pid was killed by SIGKILL (wait status @status) and the event
    says so, with the policy's name. Returns its events."""
    check(status == -signal.SIGKILL, "%s: wait status %r, not SIGKILL" % (what, status))
    evs = wait_events(a, policy, pid)
    check(evs, "%s: no event of %s for pid %d" % (what, policy, pid))
    check(evs[0]["action"] == "KPROBE_ACTION_SIGKILL" and "policy_mode" not in evs[0],
          "%s: event %r" % (what, evs[0]))
    check(exit_event(a, pid).get("signal") == "SIGKILL", "%s: exit event without SIGKILL" % what)
    return evs


def stats(a, policy):
    return a.policies()[policy]["stats"]


def marker_elf(path, marker):
    """Writes @path: a static x86-64 program whose first instructions create the
    file @marker (open(marker, O_WRONLY|O_CREAT, 0644)), then exit(0). If @marker
    does not exist after an exec of @path, not one instruction of it ran."""
    name = marker.encode() + b"\0"
    code = (b"\xb8\x02\x00\x00\x00"                 # mov eax, SYS_open
            b"\x48\x8d\x3d\x15\x00\x00\x00"         # lea rdi, [rip + 21]: the name
            b"\xbe\x41\x00\x00\x00"                 # mov esi, O_WRONLY | O_CREAT
            b"\xba\xa4\x01\x00\x00"                 # mov edx, 0644
            b"\x0f\x05"                             # syscall
            b"\xb8\x3c\x00\x00\x00"                 # mov eax, SYS_exit
            b"\x31\xff"                             # xor edi, edi
            b"\x0f\x05")                            # syscall
    base, hdrs = 0x400000, 64 + 56
    size = hdrs + len(code) + len(name)
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 0x3e, 1,
                       base + hdrs, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    with open(path, "wb") as f:
        f.write(ehdr + phdr + code + name)
    os.chmod(path, 0o755)


# --- 1. capabilities ------------------------------------------------------------

@test("capability_use_is_killed_in_the_kernel")
def _():
    procs = Procs()
    try:
        a = Agent.shared()
        victim = procs.trigger("raw-socket")
        other = procs.trigger("raw-socket")
        text, form = capability_policy([victim.pid])
        add(a, text)
        status, out, _ = go(victim)
        ostatus, oout, oerr = go(other)
        evs = check_killed(a, "enforce-capability", status, victim.pid, "raw socket")
        check("done" not in out, "the process ran on after the capability check: %r" % out)
        ev = evs[0]
        cap = {"capability_arg": {"value": 13, "name": "CAP_NET_RAW"}}
        if form == "tracepoint":
            check(ev["subsys"] == "capability" and ev["event"] == "cap_capable", "event %r" % ev)
            check(ev["args"] == [cap, {"int_arg": 0}], "args %r" % ev["args"])
        else:
            check(ev["function_name"] == "cap_capable" and ev["args"] == [cap] and
                  ev["return"] == {"int_arg": 0}, "event %r" % ev)
        check(ev["process"]["binary"] == PYTHON, "binary %r" % ev["process"]["binary"])
        check(ev["message"] == "capability used outside the allowlist", "message %r" % ev)
        check(ostatus == 0 and "done" in oout, "the process outside the policy's scope was hurt: "
              "%r %r %r" % (ostatus, oout, oerr[-300:]))
        check(not policy_events(a, "enforce-capability", other.pid), "the other one was reported")
        st = stats(a, "enforce-capability")
        check(st["actions_taken"] >= 1 and st["actions_skipped_monitor"] == 0, "stats %r" % st)
    finally:
        procs.close()


# --- 2. namespaces --------------------------------------------------------------



@test("namespace_creation_and_entry_are_killed_in_the_kernel")
def _():
    procs = Procs()
    d = tmpdir()
    try:
        a = Agent.shared()
        unshare = shutil.which("unshare") or skip("no unshare(1)")
        true = os.path.realpath("/bin/true")
        clone_marker = os.path.join(d, "clone-child")
        clone3_marker = os.path.join(d, "clone3-child")
        victims = {
            "unshare": procs.trigger("exec", unshare, "--uts", true),
            "setns": procs.trigger("setns"),
            "clone": procs.trigger("clone", clone_marker),
            "clone3": procs.trigger("clone3", clone3_marker),
        }
        others = {
            "unshare": procs.trigger("exec", unshare, "--uts", true),
            "setns": procs.trigger("setns"),
            "clone": procs.trigger("clone", clone_marker + "-other"),
            "clone3": procs.trigger("clone3", clone3_marker + "-other"),
        }
        pids = [p.pid for p in victims.values()]
        add(a, scoped(example("namespace.yaml"), pids))
        # not part of the example: what the interrupted calls returned
        a.add_policy(policy_doc("ns-returns", pids=", ".join(str(p) for p in pids)))
        res = {k: go(p) for k, p in victims.items()}
        ores = {k: go(p) for k, p in others.items()}
        pol = "enforce-namespaces"

        def ret(pid):
            evs = wait_events(a, "ns-returns", pid)
            check(evs and "return" in evs[0], "no return of pid %d's call" % pid)
            return evs[0]["return"]["int_arg"]

        # unshare(1): killed at unshare()'s entry; unshare() completed (the namespace
        # was created) and the process died as it returned: /bin/true never ran
        v = victims["unshare"].pid
        ev = check_killed(a, pol, res["unshare"][0], v, "unshare")[0]
        check(ev["function_name"].endswith("sys_unshare") and
              ev["args"][0]["size_arg"] & CLONE_NEWUTS, "unshare event %r" % ev)
        check(ev["process"]["binary"] == os.path.realpath(unshare), "binary %r" % ev["process"])
        check(ret(v) == 0, "unshare() returned %d" % ret(v))
        check(not [e for e in a.events() if "process_exec" in e and
                   e["process_exec"]["process"]["pid"] == v and
                   e["process_exec"]["process"]["binary"] == true], "true ran after unshare")
        # setns(): the same; it joined, then died
        v = victims["setns"].pid
        ev = check_killed(a, pol, res["setns"][0], v, "setns")[0]
        check(ev["function_name"].endswith("sys_setns") and ev["args"][1] == {"int_arg": 0},
              "setns event %r" % ev)
        check(ret(v) == 0, "setns() returned %d" % ret(v))
        check("done" not in res["setns"][1], "ran on after setns: %r" % (res["setns"],))
        # clone(): the pending SIGKILL made the clone fail: no child at all
        v = victims["clone"].pid
        ev = check_killed(a, pol, res["clone"][0], v, "clone")[0]
        check(ev["function_name"].endswith("sys_clone") and
              ev["args"][0]["size_arg"] & CLONE_NEWUTS, "clone event %r" % ev)
        check(ret(v) < 0, "clone() returned %d: a child was made" % ret(v))
        check(not [e for e in a.events() if "process_exit" in e and
                   e["process_exit"].get("parent", {}).get("pid") == v], "clone made a child")
        check(not os.path.exists(clone_marker), "the clone child ran")
        # clone3(): the parent is killed at task_newtask, when the child exists; the
        # child on its way out of clone3, before its first instruction
        v = victims["clone3"].pid
        ev = check_killed(a, pol, res["clone3"][0], v, "clone3")[0]
        check(ev["subsys"] == "task" and ev["event"] == "task_newtask" and
              ev["args"][1]["int_arg"] & CLONE_NEWUTS, "clone3 event %r" % ev)
        child = ev["args"][0]["int_arg"]
        cev = wait_events(a, pol, child)
        check(cev and cev[0]["event"] == "sys_exit_clone3" and cev[0]["args"] == [{"int_arg": 0}]
              and cev[0]["action"] == "KPROBE_ACTION_SIGKILL", "clone3 child events %r" % cev)
        check(exit_event(a, child).get("signal") == "SIGKILL", "the clone3 child was not killed")
        check(not os.path.exists(clone3_marker), "the clone3 child ran")
        # the same calls by processes outside the policy's scope
        for k, (st, out, err) in ores.items():
            check(st == 0, "%s outside the scope: status %r, %r" % (k, st, err[-300:]))
            check(not policy_events(a, pol, others[k].pid), "%s outside the scope reported" % k)
        check(os.path.exists(clone_marker + "-other") and os.path.exists(clone3_marker + "-other"),
              "the children outside the scope did not run")
        st = stats(a, pol)
        check(st["actions_taken"] == 5, "stats %r" % st)
    finally:
        procs.close()
        shutil.rmtree(d)


@test("namespace_allowlist_exempts_its_binaries")
def _():
    procs = Procs()
    try:
        a = Agent.shared()
        text = example("namespace.yaml")
        check(text.count('- "/usr/lib/systemd/systemd"\n') == 1, "allowlist not found")
        # the test's python on the allowlist, shared by every selector (&allowed)
        text = text.replace('- "/usr/lib/systemd/systemd"\n',
                            '- "/usr/lib/systemd/systemd"\n        - "%s"\n' % PYTHON)
        allowed = procs.trigger("setns")
        unshare = procs.trigger("exec", shutil.which("unshare") or skip("no unshare(1)"),
                                "--uts", os.path.realpath("/bin/true"))
        add(a, scoped(text, [allowed.pid, unshare.pid]))
        st, out, err = go(allowed)
        check(st == 0 and "done" in out, "an allowlisted binary was killed: %r %r" % (st, err))
        st, out, err = go(unshare)
        check(st == -signal.SIGKILL, "unshare(1), not on the allowlist: %r %r" % (st, err))
    finally:
        procs.close()


# --- 3. exec --------------------------------------------------------------------

def exec_policy(forbidden):
    """exec.yaml with its &forbidden list replaced by the test's directory."""
    text = example("exec.yaml")
    lines = [ln for ln in text.split("\n") if "&forbidden" in ln and not ln.startswith("#")]
    check(len(lines) == 1 and text.count("*forbidden") == 2, "the &forbidden list: %r" % lines)
    new = re.sub(r"&forbidden \[.*\]", '&forbidden ["%s/"]' % forbidden, lines[0])
    text = text.replace(lines[0], new)
    for v in ('"/tmp/"', '"/var/tmp/"', '"/dev/shm/"'):
        check(v not in text, "%s is still forbidden in the generated policy" % v)
    check(text.count('["%s/"]' % forbidden) == 1, "generated %r" % new)
    return text


@test("exec_from_a_forbidden_directory_is_killed_before_the_first_instruction")
def _():
    if platform.machine() != "x86_64":
        skip("the marker program is x86-64 code")
    procs = Procs()
    d = tmpdir()
    try:
        forbidden, allowed = os.path.join(d, "forbidden"), os.path.join(d, "allowed")
        os.mkdir(forbidden)
        os.mkdir(allowed)

        def marker(name):
            return os.path.join(d, "marker-" + name)
        # each case runs a program that creates its marker as its first act
        for name in ("direct", "symlink", "dotdot", "fexec"):
            marker_elf(os.path.join(forbidden, name), marker(name))
        marker_elf(os.path.join(allowed, "direct"), marker("allowed"))
        os.symlink(os.path.join(forbidden, "symlink"), os.path.join(allowed, "link"))
        script = os.path.join(forbidden, "script.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n: > %s\n" % marker("script"))
        os.chmod(script, 0o755)
        # name: (trigger, the hook that kills it, the file the kernel executes)
        cases = {
            "direct": (("exec", os.path.join(forbidden, "direct")), "execve", None),
            "script": (("exec", script), "execve", None),
            "symlink": (("exec", os.path.join(allowed, "link")), "exec",
                        os.path.join(forbidden, "symlink")),
            "dotdot": (("exec", os.path.join(allowed, "..", "forbidden", "dotdot")), "exec",
                       os.path.join(forbidden, "dotdot")),
            "fexec": (("fexec", os.path.join(forbidden, "fexec")), "any",
                      os.path.join(forbidden, "fexec")),
        }
        a = Agent.shared()
        victims = {k: procs.trigger(*c[0]) for k, c in cases.items()}
        other = procs.trigger("exec", os.path.join(allowed, "direct"))
        # the forbidden directory is the test's own; matchPIDs on top, to be sure
        add(a, scoped(exec_policy(forbidden), [v.pid for v in victims.values()] + [other.pid]))
        for k, (trig, hook, real) in cases.items():
            v = victims[k]
            st, out, err = go(v)
            ev = check_killed(a, "enforce-exec", st, v.pid, k)[0]
            check(not os.path.exists(marker(k)), "%s: the forbidden program ran" % k)
            if hook == "any":
                hook = "exec" if ev.get("event") == "sched_process_exec" else "execve"
            if hook == "exec":
                # killed as the new program, which had not run
                check(ev.get("event") == "sched_process_exec" and
                      ev["args"][0]["linux_binprm_arg"]["path"] == real and
                      ev["process"]["binary"] == real, "%s: event %r" % (k, ev))
            else:
                # killed at execve()'s entry: the exec was abandoned
                check(re.search(r"sys_execve(at)?$", ev.get("function_name", "")),
                      "%s: event %r" % (k, ev))
                if trig[0] == "exec":
                    check(ev["args"][0] == {"string_arg": trig[1]}, "%s: args %r" % (k, ev["args"]))
                check(not [e for e in a.events() if "process_exec" in e and
                           e["process_exec"]["process"]["pid"] == v.pid and
                           e["process_exec"]["process"]["binary"] != PYTHON], "%s: exec'd" % k)
        st, out, err = go(other)
        check(st == 0 and os.path.exists(marker("allowed")),
              "the same program outside the forbidden directory: %r %r" % (st, err))
        check(not policy_events(a, "enforce-exec", other.pid), "the allowed exec was reported")
        check(stats(a, "enforce-exec")["actions_taken"] == len(cases), "stats %r" %
              stats(a, "enforce-exec"))
    finally:
        procs.close()
        shutil.rmtree(d)


# --- 4. PIDs and PID namespaces ---------------------------------------------------

@test("quarantined_pid_is_killed_at_its_next_syscall")
def _():
    procs = Procs()
    try:
        a = Agent.shared()
        # two identical processes that do nothing but sleep in short steps
        loop = "import time\nwhile True: time.sleep(0.05)"
        victim = procs.start([PYTHON, "-c", loop])
        other = procs.start([PYTHON, "-c", loop])
        text = example("pid.yaml")
        check(text.count("values: [%d]" % PLACEHOLDER_PID) == 1, "no quarantine placeholder")
        text = text.replace("values: [%d]" % PLACEHOLDER_PID, "values: [%d]" % victim.pid)
        add(a, scoped(text, [victim.pid]))
        st = wait_ended(victim, 5)
        evs = check_killed(a, "enforce-pid", st, victim.pid, "quarantine")
        ev = evs[0]
        check(ev["subsys"] == "raw_syscalls" and ev["event"] == "sys_enter" and
              "syscall_id" in ev["args"][0], "event %r" % ev)
        check(len(evs) == 1, "%d events for one kill" % len(evs))
        time.sleep(0.3)
        check(ended(other) is None, "the process outside the policy's scope died: %r" %
              ended(other))
        check(not policy_events(a, "enforce-pid", other.pid), "the other one was reported")
    finally:
        procs.close()


@test("process_in_a_new_pid_namespace_is_killed_at_its_first_syscall")
def _():
    if platform.machine() != "x86_64":
        skip("the marker program is x86-64 code")
    procs = Procs()
    d = tmpdir()
    try:
        a = Agent.shared()
        unshare = shutil.which("unshare") or skip("no unshare(1)")
        # for each case, a program whose first act creates its marker
        m, prog = {}, {}
        for k in ("launcher", "other", "unshare", "unshare-other"):
            m[k], prog[k] = os.path.join(d, "marker-" + k), os.path.join(d, "prog-" + k)
            marker_elf(prog[k], m[k])
        # a launcher doing what `unshare --pid --fork PROG` does, reporting the
        # child's wait status; and the real unshare(1) started by a launcher
        launcher = procs.trigger("pidns", prog["launcher"])
        other = procs.trigger("pidns", prog["other"])
        via_unshare = procs.trigger("exec", unshare, "--pid", "--fork", prog["unshare"])
        # pid.yaml: the quarantine placeholder stays (it never matches); the
        # namespace selector gets the launchers and their descendants
        add(a, scoped(example("pid.yaml"), [launcher.pid, via_unshare.pid]))
        st, out, err = go(launcher)
        check(st == 0, "the launcher (in the host's PID namespace) was hurt: %r %r" % (st, err))
        got = re.search(r"child (\d+) status (\d+)", out)
        check(got, "launcher: %r %r" % (out, err[-300:]))
        child, status = int(got.group(1)), int(got.group(2))
        check(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
              "the child in the new PID namespace: wait status %#x" % status)
        check(not os.path.exists(m["launcher"]), "the child ran its program")
        evs = wait_events(a, "enforce-pid", child)
        check(evs and evs[0]["action"] == "KPROBE_ACTION_SIGKILL", "events %r" % evs)
        check(exit_event(a, child).get("signal") == "SIGKILL", "exit event of the child")
        check(not policy_events(a, "enforce-pid", launcher.pid), "the launcher was reported")
        # unshare(1) --pid --fork: its child dies the same way (unshare then exits
        # non-zero: util-linux cannot re-raise SIGKILL on itself)
        st, out, err = go(via_unshare)
        check(st != 0, "unshare --pid --fork: %r" % st)
        kids = wait_events(a, "enforce-pid", pred=lambda e: e.get("parent", {}).get("pid") ==
                           via_unshare.pid)
        check(kids and kids[0]["action"] == "KPROBE_ACTION_SIGKILL",
              "no kill of unshare's child: %r" % policy_events(a, "enforce-pid"))
        check(exit_event(a, kids[0]["process"]["pid"]).get("signal") == "SIGKILL",
              "exit of unshare's child")
        check(not os.path.exists(m["unshare"]), "unshare's child ran its program")
        # the same outside the policy's scope
        st, out, err = go(other)
        got = re.search(r"child (\d+) status (\d+)", out)
        check(st == 0 and got and int(got.group(2)) == 0 and os.path.exists(m["other"]),
              "outside the scope: %r %r %r" % (st, out, err[-300:]))
        r = subprocess.run([unshare, "--pid", "--fork", prog["unshare-other"]],
                           capture_output=True, timeout=30)
        check(r.returncode == 0 and os.path.exists(m["unshare-other"]),
              "unshare --pid --fork outside the scope: %r" % (r,))
    finally:
        procs.close()
        shutil.rmtree(d)


# --- monitor mode, all four ---------------------------------------------------------

@test("monitor_mode_kills_nothing_and_counts_what_it_would_have_killed")
def _():
    if platform.machine() != "x86_64":
        skip("the marker program is x86-64 code")
    procs = Procs()
    d = tmpdir()
    try:
        forbidden = os.path.join(d, "forbidden")
        os.mkdir(forbidden)
        marker_elf(os.path.join(forbidden, "prog"), os.path.join(d, "marker-exec"))
        unshare = shutil.which("unshare") or skip("no unshare(1)")
        a = Agent.shared()
        t = {
            "capability": procs.trigger("raw-socket"),
            "namespace": procs.trigger("exec", unshare, "--uts", os.path.realpath("/bin/true")),
            "exec": procs.trigger("exec", os.path.join(forbidden, "prog")),
            "pid": procs.trigger("pidns", os.path.realpath("/bin/true")),
        }
        # two through the policy's own option, two through `policy add --mode monitor`
        add(a, monitor(capability_policy([t["capability"].pid])[0]))
        add(a, scoped(example("namespace.yaml"), [t["namespace"].pid]), "--mode", "monitor")
        add(a, monitor(scoped(exec_policy(forbidden), [t["exec"].pid])))
        add(a, scoped(example("pid.yaml"), [t["pid"].pid]), "--mode", "monitor")
        res = {k: go(p) for k, p in t.items()}
        for k, (st, out, err) in res.items():
            check(st == 0, "%s: killed in monitor mode: %r %r" % (k, st, err[-300:]))
        check(os.path.exists(os.path.join(d, "marker-exec")), "the forbidden program did not run")
        child = re.search(r"child (\d+) status (\d+)", res["pid"][1])
        check(child and int(child.group(2)) == 0, "pid namespace child: %r" % (res["pid"],))
        pols = {"capability": "enforce-capability", "namespace": "enforce-namespaces",
                "exec": "enforce-exec", "pid": "enforce-pid"}
        for k, name in pols.items():
            pid = int(child.group(1)) if k == "pid" else t[k].pid
            evs = wait_events(a, name, pid)
            check(evs, "%s: no event" % k)
            check(all(e["action"] == "KPROBE_ACTION_SIGKILL" and e.get("policy_mode") == "monitor"
                      for e in evs), "%s: events %r" % (k, evs[:2]))
        listed = a.policies()
        for k, name in pols.items():
            p = listed[name]
            check(p["mode"] == "monitor", "%s: mode %r" % (k, p["mode"]))
            check(p["stats"]["actions_taken"] == 0 and p["stats"]["actions_skipped_monitor"] >= 1,
                  "%s: stats %r" % (k, p["stats"]))
    finally:
        procs.close()
        shutil.rmtree(d)


# --- part 2: hostile file names -------------------------------------------------------

def opens(name, selector):
    return policy_doc("opens-returning-fd", name=name, selector=selector)


def watch_dir_policy(name, directory):
    """Reports every successful open of a file under @directory, whatever path
    reached it: the returned fd is compared, as its real path."""
    return opens(name, 'matchReturnArgs:\n      - index: 0\n        operator: Prefix\n'
                          '        values: ["%s/"]' % directory)


def json_text(raw):
    """What a JSON string of hornet's holds for the bytes @raw (docs/events.md):
    the bytes as UTF-8, each byte that is not part of valid UTF-8 replaced by
    U+FFFD."""
    s = raw.decode("utf-8", "surrogateescape")
    return "".join("\ufffd" if 0xdc80 <= ord(c) <= 0xdcff else c for c in s)


def compact_text(raw):
    """The same in `hornet events -o compact`: control bytes shown as '?'."""
    return "".join("?" if ord(c) < 0x20 or ord(c) == 0x7f else c for c in json_text(raw))


def exported_lines(a):
    """Every exported line, checked: strict UTF-8, one JSON object, one event."""
    with open(a.export, "rb") as f:
        data = f.read()
    check(data.endswith(b"\n"), "the export does not end with a newline")
    lines = data[:-1].split(b"\n")
    out = []
    for i, line in enumerate(lines):
        try:
            ev = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise Fail("exported line %d is not JSON (%s): %r" % (i + 1, e, line[:300]))
        check(isinstance(ev, dict) and len([k for k in ev if k.startswith("process_")]) == 1,
              "line %d: %r" % (i + 1, line[:300]))
        out.append(ev)
    return out


# the opener: opens (creating) each path given, as bytes, from the cwd given
OPENER = r'''
import os, sys
os.chdir(os.fsencode(sys.argv[1]))
sys.stdin.readline()
for p in sys.argv[2:]:
    os.close(os.open(os.fsencode(p), os.O_RDWR | os.O_CREAT, 0o644))
print("done", flush=True)
'''


@test("hostile_file_names_are_reported_with_the_real_path")
def _():
    procs = Procs()
    d = tmpdir()
    a = None
    try:
        w, outside = os.path.join(d, "watched"), os.path.join(d, "outside")
        os.mkdir(w)
        os.mkdir(outside)
        wb, ob = os.fsencode(w), os.fsencode(outside)
        names = [b"new\nline", b"ctl\x01and\x1b[31mesc", b"bad\xff\xfeutf8", b"cut\xe2\x82",
                 b"overlong\xc0\xaf", b"surrogate\xed\xa0\x80", b"tab\tquote\"back\\slash",
                 b"del\x7f", b"bee\xf0\x9f\x90\x9d", b"-dash", b" space "]
        hostile_dir = wb + b"/dir\n\xff\x01"
        os.mkdir(hostile_dir)
        os.mkdir(wb + b"/sub")
        target = wb + b"/target"
        open(target, "w").close()
        os.symlink(target, ob + b"/link")                   # a file link into the watched dir
        os.symlink(wb, ob + b"/dirlink")                    # a directory link
        os.symlink(target, hostile_dir + b"/link\n")        # a hostile link inside
        # (path the opener passes, cwd-relative or not; the real path)
        opens = [(wb + b"/" + n, wb + b"/" + n) for n in names]
        opens += [(n, wb + b"/" + n) for n in names[:3]]                 # relative to the cwd
        opens += [(hostile_dir + b"/f\x1b\n", hostile_dir + b"/f\x1b\n"),
                  (ob + b"/link", target),
                  (ob + b"/dirlink/target", target),
                  (hostile_dir + b"/link\n", target),
                  (wb + b"/sub/../target", target),
                  (wb + b"/sub/../../watched/./sub/../target", target),
                  (b"sub/../target", target),
                  (b"../outside/link", target)]
        a = Agent()
        a.add_policy(watch_dir_policy("hostile-names", w))
        p = procs.start([PYTHON, "-c", OPENER, w] + [os.fsdecode(o[0]) for o in opens],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        out, _ = p.communicate(b"go\n", timeout=30)
        check(p.returncode == 0 and b"done" in out, "the opener failed: %r" % p.returncode)
        evs = wait_events(a, "hostile-names", p.pid, n=len(opens))
        want = []
        for given, real in opens:
            absolute = given if given.startswith(b"/") else wb + b"/" + given
            want.append((json_text(absolute), json_text(real)))
        got = [(e["args"][0].get("string_arg"), e["return"]["file_arg"].get("path")) for e in evs]
        for e in evs:
            check("truncated" not in e["return"]["file_arg"], "truncated: %r" % e["return"])
        missing, extra = Counter(want) - Counter(got), Counter(got) - Counter(want)
        check(not missing and not extra, "events: missing %r; unexpected %r" %
              (list(missing), list(extra)))
        # every line of the export is JSON; the policy events are in it
        lines = exported_lines(a)
        check(sum(1 for ev in lines if ev.get("process_kprobe", {}).get("policy_name") ==
                  "hostile-names") == len(opens), "export and events disagree")
        # the compact form: one line per event, control bytes as '?'
        a.stop()
        r = subprocess.run([HORNET, "events", "--input", a.export, "-o", "compact"],
                           capture_output=True, timeout=60)
        check(r.returncode == 0, "events -o compact: %r" % r.stderr[-300:])
        text = r.stdout.decode("utf-8")
        clines = text.split("\n")
        check(clines[-1] == "", "compact output does not end with a newline")
        clines = clines[:-1]
        check(len(clines) == len(exported_lines(a)),
              "%d compact lines for %d events" % (len(clines), len(exported_lines(a))))
        check(not re.search(r"[\x00-\x1f\x7f]", "".join(clines)), "control bytes in compact lines")
        opened = [ln for ln in clines if "__x64_sys_openat" in ln or "sys_openat" in ln]
        check(len(opened) == len(opens), "%d compact open lines for %d opens" %
              (len(opened), len(opens)))
        for given, real in opens:
            absolute = given if given.startswith(b"/") else wb + b"/" + given
            shown = compact_text(absolute)
            check(any(ln.endswith(" " + shown) or (" " + shown + " ") in ln for ln in opened),
                  "no compact line shows %r: %r" % (shown, opened[:3]))
    finally:
        procs.close()
        shutil.rmtree(d)
        if a:
            a.stop()        # stopped by hand above: run() no longer knows it
            a.cleanup()


@test("paths_of_more_than_4000_bytes")
def _():
    procs = Procs()
    d = tmpdir()
    try:
        w = os.path.join(d, "watched")
        os.mkdir(w)
        # directories of 200-byte names, deep enough for a 4,050-byte file path
        # and a 4,400-byte one (more than the 4,095 bytes hornet reads)
        comp = "d" * 200
        dirs, path = [], w
        while len(path) < 4400:
            path = path + "/" + comp
            dirs.append(path)
        fd = os.open(w, os.O_RDONLY)
        try:
            for _ in dirs:
                os.mkdir(comp, dir_fd=fd)
                nfd = os.open(comp, os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nfd
        finally:
            os.close(fd)
        near = max(x for x in dirs if len(x) < 4050 - 12)
        lname = "n" * (4050 - len(near) - 1)
        fits = near + "/" + lname                          # 4,050 bytes
        over = dirs[-1] + "/over"                          # more than 4,095
        check(len(fits) == 4050 and len(over) > 4095, "lengths %d %d" % (len(fits), len(over)))
        # the opener walks down with relative opens (no path it passes is long)
        walker = r'''
import os, sys
sys.stdin.readline()
for target in sys.argv[1:]:
    parent, leaf = target.rsplit("/", 1)
    fd = os.open("/", os.O_RDONLY)
    for c in parent.split("/")[1:]:
        n = os.open(c, os.O_RDONLY, dir_fd=fd); os.close(fd); fd = n
    os.close(os.open(leaf, os.O_RDWR | os.O_CREAT, 0o644, dir_fd=fd))
    os.close(fd)
print("done", flush=True)
'''
        a = b = Agent()
        p = procs.start([PYTHON, "-c", walker, fits, over], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE)
        # every open of the walker (matchPIDs), and those under the watched dir:
        # two policies on one hook point that read the same path share one copy
        # of it (two copies of 4,050 bytes would not fit in one event)
        a.add_policy(opens("walker-opens", "matchPIDs:\n      - operator: In\n"
                              "        values: [%d]" % p.pid))
        b.add_policy(watch_dir_policy("long-watched", w))
        out, _ = p.communicate(b"go\n", timeout=60)
        check(p.returncode == 0 and b"done" in out, "the walker failed")
        evs = wait_events(a, "walker-opens", p.pid, n=2, pred=lambda e: e["args"][0].get(
            "string_arg", "").endswith(("/" + lname, "/over")))
        check(len(evs) == 2, "%d events for the two files" % len(evs))
        ef = [e for e in evs if e["args"][0]["string_arg"].endswith("/" + lname)][0]
        eo = [e for e in evs if e["args"][0]["string_arg"].endswith("/over")][0]
        # 4,050 bytes: exact, in both the path argument and the opened file
        check(ef["args"][0] == {"string_arg": fits}, "string_arg of the 4,050-byte path: %d "
              "bytes" % len(ef["args"][0].get("string_arg", "")))
        check(ef["return"]["file_arg"].get("path") == fits and
              "truncated" not in ef["return"]["file_arg"], "file_arg of the 4,050-byte path")
        check(wait_events(b, "long-watched", p.pid, pred=lambda e: e["return"]["file_arg"].get(
            "path") == fits and e["args"][0] == {"string_arg": fits}),
              "the Prefix policy missed the 4,050-byte path")
        # more than 4,095: cut, and flagged; what is kept is part of the real path
        fa = eo["return"]["file_arg"]
        check(fa.get("truncated") is True, "file_arg of the %d-byte path not flagged truncated: "
              "%d bytes" % (len(over), len(fa.get("path", ""))))
        check(len(fa["path"]) <= 4095 and over.endswith(fa["path"]),
              "file_arg kept %r..." % fa["path"][:60])
        s = eo["args"][0]["string_arg"]
        check(eo["args"][0].get("truncated") is True, "string_arg of the %d-byte path not "
              "flagged truncated" % len(over))
        check(len(s) <= 4095 and (over.endswith(s) or over.startswith(s)),
              "string_arg of the %d-byte path: %r...%r" % (len(over), s[:40], s[-40:]))
        for agent in (a,):
            exported_lines(agent)
            # the compact form of what is exported so far (the agents still run)
            snap = os.path.join(d, "snapshot.json")
            with open(agent.export, "rb") as f:
                data = f.read()
            with open(snap, "wb") as f:
                f.write(data[:data.rfind(b"\n") + 1])
            n = data[:data.rfind(b"\n") + 1].count(b"\n")
            r = subprocess.run([HORNET, "events", "--input", snap, "-o", "compact"],
                               capture_output=True, timeout=60)
            check(r.returncode == 0 and r.stdout.count(b"\n") == n,
                  "compact: %d lines for %d events" % (r.stdout.count(b"\n"), n))
    finally:
        procs.close()
        shutil.rmtree(d)


run()
