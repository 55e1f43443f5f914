#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""--keep-enforcement and `hornet cleanup`: an agent with a kill (or deny) policy
is killed with SIGKILL; the pinned programs go on killing (denying) while no
agent runs; the next agent removes them before it enforces with its own (one
kill record, nothing of the old agent left); `hornet cleanup` removes what a
killed agent left, refuses while an agent runs, and leaves no program, link or
map of hornet's in the kernel. Every test removes its pins even when it fails."""
import contextlib
import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (BPFFS, HORNET, Agent, Fail, check, policy_doc, run, test,  # noqa: E402
                    unpin_dir)
from hornet import bpftool, program_needs  # noqa: E402
from enforcer import Work, go, policy as enforcer_policy  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

TRUE = os.path.realpath("/bin/true")


# nothing listens on this address: a connect is refused (ECONNREFUSED) unless
# the policy denies it (EPERM)
DENY_ADDR = "127.0.0.77"
DENY_POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: keep-deny
spec:
  kprobes:
  - call: tcp_connect
    syscall: false
    args:
    - index: 0
      type: sock
    selectors:
    - matchArgs:
      - index: 0
        operator: DAddr
        values: ["%s/32"]
      matchActions:
      - action: Override
        argError: -1
""" % DENY_ADDR


def kernel_ids(kind):
    return {x["id"] for x in bpftool(kind, "show") or []}


def pinned_objects(d):
    """{name: (kind, id, prog_id or map id)} of the pins in @d."""
    out = {}
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        p = os.path.join(d, n)
        if n.startswith("link_"):
            ln = bpftool("link", "show", "pinned", p)
            out[n] = ("link", ln["id"], ln["prog_id"])
        else:
            m = bpftool("map", "show", "pinned", p)
            out[n] = ("map", m["id"], m["id"])
    return out


def gone(kind, ids, timeout=30):
    """Waits until none of @ids (programs, links or maps) is in the kernel; those left."""
    deadline = time.monotonic() + timeout
    while True:
        left = ids & kernel_ids(kind)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def cleanup(d, *extra):
    return subprocess.run([HORNET, "cleanup", "--bpffs-dir", d] + list(extra),
                          capture_output=True, timeout=60)


def killed(binary):
    """Runs @binary: True when SIGKILL ended it."""
    return subprocess.run([binary], timeout=30).returncode == -9


def sigkill(a):
    a.proc.kill()
    a.proc.wait()
    a.stop()


@contextlib.contextmanager
def keep_world(tag):
    """(a directory with a binary of the test's own, a --bpffs-dir); at the end, even
    on failure: every agent stopped, the pins removed (`hornet cleanup`, then by
    hand), the files removed."""
    work = tempfile.mkdtemp(prefix="hornet-keep-%s-" % tag, dir="/var/tmp")
    pins = os.path.join(BPFFS, "hornet-keep-%s-%d" % (tag, os.getpid()))
    try:
        yield work, pins
    finally:
        Agent.stop_all()
        cleanup(pins)
        unpin_dir(pins)
        shutil.rmtree(work, ignore_errors=True)


def kill_agent(work, pins):
    """An agent with the kill policy on @work's victim, and --keep-enforcement."""
    victim = os.path.join(work, "victim")
    if not os.path.exists(victim):
        shutil.copy(TRUE, victim)
    pol = os.path.join(work, "kill.yaml")
    with open(pol, "w") as f:
        f.write(policy_doc("kill-at-exit", name="keep-kill", binary=victim))
    return Agent("--keep-enforcement", "--bpffs-dir", pins, "--policy", pol), victim


def kills_of(a, pid):
    return [e for e in a.events() if "process_kprobe" in e and
            e["process_kprobe"].get("policy_name") == "keep-kill" and
            e["process_kprobe"]["process"]["pid"] == pid]


def run_victim(victim):
    p = subprocess.Popen([victim])
    p.wait(timeout=30)
    return p.pid, p.returncode == -9


@test("keep_kill_sigkill")
def keep_kill_sigkill():
    """A kill policy with --keep-enforcement: the victim is killed under the agent,
    after its SIGKILL, and under the next agent, which removed the old pins first
    (one kill record, the old programs gone); `hornet cleanup` refuses while that
    agent runs, and after its SIGKILL removes every pin: no program, link or map
    of either agent is left and the victim runs."""
    with keep_world("kill") as (work, pins):
        a, victim = kill_agent(work, pins)
        pid, k = run_victim(victim)
        check(k, "not killed under the agent")
        a.wait_for(lambda e: bool(kills_of_ev(e, pid)), what="kill record")
        first = pinned_objects(pins)
        links = {n for n, o in first.items() if o[0] == "link"}
        check(any(n.startswith("link_gen_") for n in links) and
              any(n.startswith("link_exec_") for n in links) and "procs" in first,
              "pins: %s" % sorted(first))
        sigkill(a)
        check(killed(victim), "not killed once the agent was SIGKILLed")
        check(not killed(TRUE), "%s killed: the policy reaches past its binary" % TRUE)
        # still enforcing with no agent: the old ones stay in the kernel
        old_progs = {o[2] for o in first.values() if o[0] == "link"}
        check(old_progs <= kernel_ids("prog"), "pinned programs gone with the agent")

        # the victim run again and again while the next agent starts: the old programs,
        # held by it until its own are attached, kill every run (no gap)
        runs, stop = [], threading.Event()

        def hammer():
            while not stop.is_set():
                runs.append(killed(victim))
        t = threading.Thread(target=hammer)
        t.start()
        try:
            b, _ = kill_agent(work, pins)
        finally:
            stop.set()
            t.join()
        check(runs and all(runs), "%d of %d runs during the next agent's start not killed"
              % (runs.count(False), len(runs)))
        log = b.log_text()
        check("took over the %d links an earlier agent pinned" % len(links) in log and
              "the %d links an earlier agent pinned, held while this agent loaded, let go"
              % len(links) in log,
              "the next agent does not say it took over the old pins: %s" % log[-800:])
        left = gone("prog", old_progs)
        check(not left, "old programs left after the restart: %s" % sorted(left))
        second = pinned_objects(pins)
        check(not {o[:2] for o in second.values()} & {o[:2] for o in first.values()},
              "the old pins are still there: %s (before: %s)" % (second, first))
        pid, k = run_victim(victim)
        check(k, "not killed under the next agent")
        b.wait_for(lambda e: bool(kills_of_ev(e, pid)), what="kill record")
        time.sleep(1.0)     # a second record would come now
        n = len(kills_of(b, pid))
        check(n == 1, "%d kill records for one kill" % n)

        r = cleanup(pins)
        check(r.returncode == 1 and b"an agent is running" in r.stderr,
              "cleanup while the agent runs: exit %d, %r" % (r.returncode, r.stderr))
        check(pinned_objects(pins) == second, "cleanup refused, but removed pins")
        r = subprocess.run(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
                            HORNET, "cleanup", "--bpffs-dir", pins], capture_output=True,
                           timeout=60)
        check(r.returncode == 1 and b"must run as root" in r.stderr,
              "cleanup as nobody: exit %d, %r" % (r.returncode, r.stderr))

        held = {o[2] for o in second.values() if o[0] == "link"}
        link_ids = {o[1] for o in second.values() if o[0] == "link"}
        map_ids = {o[1] for o in second.values() if o[0] == "map"}
        sigkill(b)
        check(killed(victim), "not killed after the second SIGKILL")
        r = cleanup(pins)
        check(r.returncode == 0, "cleanup: exit %d, %s" % (r.returncode, r.stderr.decode()))
        check(b"removed %d pinned links" % len(links) in r.stdout, "cleanup says %r" % r.stdout)
        check(not os.path.exists(pins), "%s still there" % pins)
        left = gone("prog", held) | gone("link", link_ids) | gone("map", map_ids)
        check(not left, "left in the kernel after cleanup: %s" % sorted(left))
        check(not killed(victim), "killed after cleanup")
        r = cleanup(pins)
        check(r.returncode == 0 and b"nothing pinned" in r.stdout,
              "cleanup with nothing pinned: exit %d, %r" % (r.returncode, r.stdout))
        return ("killed with the agent, after its SIGKILL, during the next one's start (%d "
                "runs, all killed: the old links held until its own were attached) and under "
                "it (1 kill record); %d links + the process table pinned; cleanup refused "
                "while an agent ran, then removed all: 0 programs, links, maps left"
                % (len(runs), len(links)))


def kills_of_ev(e, pid):
    b = e.get("process_kprobe")
    return b is not None and b.get("policy_name") == "keep-kill" and b["process"]["pid"] == pid


def connect_errno():
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((DENY_ADDR, 9))
        return 0
    except OSError as e:
        return e.errno
    finally:
        s.close()


@test("keep_deny_sigkill")
def keep_deny_sigkill():
    """A deny policy (Override on tcp_connect: a cgroup/connect program here, a kprobe
    on 6.1) with --keep-enforcement: connections to its address are refused with
    EPERM under the agent and after its SIGKILL; `hornet cleanup` removes it and they
    are only refused by the empty port (ECONNREFUSED)."""
    with keep_world("deny") as (work, pins):
        check(connect_errno() == errno.ECONNREFUSED, "before any agent: %s"
              % os.strerror(connect_errno()))
        pol = os.path.join(work, "deny.yaml")
        with open(pol, "w") as f:
            f.write(DENY_POLICY)
        a = Agent("--keep-enforcement", "--bpffs-dir", pins, "--policy", pol)
        e = connect_errno()
        check(e == errno.EPERM, "under the agent: %s" % os.strerror(e))
        first = pinned_objects(pins)
        gen = sorted(n for n in first if n.startswith("link_gen_"))
        check(gen, "no enforcing link pinned: %s" % sorted(first))
        sigkill(a)
        e = connect_errno()
        check(e == errno.EPERM, "after the agent's SIGKILL: %s" % os.strerror(e))
        r = cleanup(pins)
        check(r.returncode == 0, "cleanup: exit %d, %s" % (r.returncode, r.stderr.decode()))
        left = gone("prog", {o[2] for o in first.values() if o[0] == "link"})
        check(not left, "programs left after cleanup: %s" % sorted(left))
        e = connect_errno()
        check(e == errno.ECONNREFUSED, "after cleanup: %s" % os.strerror(e))
        return ("EPERM under the agent and after its SIGKILL (%d links pinned), "
                "ECONNREFUSED after cleanup" % len(gen))


@test("keep_notify_enforcer_sigkill")
def keep_notify_enforcer_sigkill():
    """A NotifyEnforcer policy with --keep-enforcement: its enforcer's links are
    pinned beside the policy engine's, and the test's python3 is killed at dup()
    under the agent and after its SIGKILL; `hornet cleanup` removes them all and
    the same run ends well."""
    with keep_world("enf") as (work, pins):
        w = Work()
        try:
            pol = os.path.join(work, "enforcer.yaml")
            with open(pol, "w") as f:
                f.write(enforcer_policy("keep-enforcer", w.python))
            a = Agent("--keep-enforcement", "--bpffs-dir", pins, "--policy", pol)
            status, out = go(w.start(w.python, "getppid", "dup"))
            check(status == -9, "not killed at dup() under the agent: %r %r" % (status, out))
            first = pinned_objects(pins)
            enf = sorted(n for n in first if n.startswith("link_enf_"))
            # sched_process_exit, then sys_enter_ and sys_exit_ of dup and dup2
            check(len(enf) == 5 and any(n.startswith("link_gen_") for n in first),
                  "pins: %s" % sorted(first))
            sigkill(a)
            status, out = go(w.start(w.python, "getppid", "dup"))
            check(status == -9, "not killed at dup() after the agent's SIGKILL: %r %r"
                  % (status, out))
            r = cleanup(pins)
            check(r.returncode == 0, "cleanup: exit %d, %s" % (r.returncode, r.stderr.decode()))
            left = gone("prog", {o[2] for o in first.values() if o[0] == "link"})
            check(not left, "programs left after cleanup: %s" % sorted(left))
            status, out = go(w.start(w.python, "getppid", "dup"))
            check(status == 0 and "done" in out, "hurt after cleanup: %r %r" % (status, out))
            return "%d enforcer links pinned; killed at dup() with the agent and after it" % len(enf)
        finally:
            w.close()


def run_as_pid(pid, argv, tries=200):
    """Runs @argv as process @pid (ns_last_pid, then a fork): its exit status, or
    None when other processes kept taking the pid first."""
    for _ in range(tries):
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(pid - 1))
        p = subprocess.Popen(argv)
        p.wait(timeout=30)
        if p.pid == pid:
            return p.returncode
    return None


@test("keep_pid_reuse")
def keep_pid_reuse():
    """The pinned programs skip the agent's own calls by its pid: once it is gone, a
    process that gets its pid is killed as any other (the exit hook removed the
    agent's entry from the process table, which flags the agent)."""
    with keep_world("pid") as (work, pins):
        a, victim = kill_agent(work, pins)
        check(killed(victim), "not killed under the agent")
        agent_pid = a.proc.pid
        sigkill(a)
        rc = run_as_pid(agent_pid, [victim])
        if rc is None:
            raise Fail("could not run a process as pid %d (taken first each time)" % agent_pid)
        check(rc == -9, "the process with the dead agent's pid %d was not killed (exit %d)"
              % (agent_pid, rc))
        return "the victim as pid %d (the SIGKILLed agent's) killed" % agent_pid


# kills what runs from hornet's own directory when it opens the kernel's BTF, as
# every agent does while it starts (libbpf): a policy that would kill the next agent
SPARE_POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: keep-spare
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    args:
    - index: 1
      type: string
    selectors:
    - matchBinaries:
      - operator: Prefix
        values:
        - %s/
      matchArgs:
      - index: 1
        operator: Equal
        values:
        - /sys/kernel/btf/vmlinux
      matchActions:
      - action: Sigkill
"""


@test("keep_spares_the_next_agent")
def keep_spares_the_next_agent():
    """The old programs, held while the next agent starts, spare it: it takes them
    over (its pid in their hornet_self map, the agent flag on its entry of their
    process table) before it loads, so a kept policy that kills what hornet does
    at its start does not kill the next agent."""
    with keep_world("spare") as (work, pins):
        # the agents run from a copy of hornet in @work, which the policy names: the
        # agents of other tests running meanwhile are not its targets
        binary = os.path.join(work, "hornet")
        shutil.copy(HORNET, binary)
        pol = os.path.join(work, "spare.yaml")
        with open(pol, "w") as f:
            f.write(SPARE_POLICY % work)
        a = Agent("--keep-enforcement", "--bpffs-dir", pins, "--policy", pol, binary=binary)
        sigkill(a)
        b = Agent("--keep-enforcement", "--bpffs-dir", pins, "--policy", pol, binary=binary)
        check(b.proc.poll() is None, "the next agent died: %s" % b.log_text()[-500:])
        check("held while this agent loaded, let go" in b.log_text(), "no takeover: %s"
              % b.log_text()[-500:])
        return "the next agent started under the old kill policy and runs"


@test("keep_failed_start")
def keep_failed_start():
    """A next agent that fails to start (a policy file that is not there) leaves the
    earlier agent's pins as they were, and none of its own: the victim is still
    killed, and the directory holds what it held."""
    with keep_world("failed") as (work, pins):
        a, victim = kill_agent(work, pins)
        sigkill(a)
        before = pinned_objects(pins)
        r = subprocess.run([HORNET, "agent", "--socket", os.path.join(work, "s.sock"),
                            "--export-file", "", "--http-listen", "", "--store", "",
                            "--policy-dir", "", "--keep-enforcement", "--bpffs-dir", pins,
                            "--policy", os.path.join(work, "missing.yaml")],
                           capture_output=True, timeout=120)
        out = (r.stdout + r.stderr).decode("utf-8", "replace")
        check(r.returncode != 0, "started without its policy file: %s" % out[-500:])
        after = pinned_objects(pins)
        check(set(after) == set(before) and
              {n: o[1] for n, o in after.items() if o[0] == "link"} ==
              {n: o[1] for n, o in before.items() if o[0] == "link"},
              "pins before %s, after %s" % (sorted(before), sorted(after)))
        check(killed(victim), "not killed after the failed start")
        return "exit %d; the %d pins as they were; the victim killed" % (r.returncode,
                                                                         len(after))


@test("keep_needs_a_dir")
def keep_needs_a_dir():
    """--keep-enforcement with --bpffs-dir "" (nothing may outlive the agent): the agent
    refuses to start, saying why, before it loads anything."""
    d = tempfile.mkdtemp(prefix="hornet-keep-nodir-")
    try:
        r = subprocess.run([HORNET, "agent", "--socket", os.path.join(d, "s.sock"),
                            "--export-file", "", "--http-listen", "", "--store", "",
                            "--policy-dir", "", "--keep-enforcement", "--bpffs-dir", ""],
                           capture_output=True, timeout=120)
        out = (r.stdout + r.stderr).decode("utf-8", "replace")
        check(r.returncode != 0, "started: %s" % out[-500:])
        check("--keep-enforcement needs a --bpffs-dir" in out, "does not say why: %s"
              % out[-500:])
        return "refuses to start: exit %d" % r.returncode
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("no_keep_no_links")
def no_keep_no_links():
    """Without --keep-enforcement the same kill policy pins no link: after a SIGKILL
    the victim runs and only the process table (a map) is left pinned."""
    with keep_world("nokeep") as (work, pins):
        victim = os.path.join(work, "victim")
        shutil.copy(TRUE, victim)
        pol = os.path.join(work, "kill.yaml")
        with open(pol, "w") as f:
            f.write(policy_doc("kill-at-exit", name="keep-kill", binary=victim))
        a = Agent("--bpffs-dir", pins, "--policy", pol)
        check(killed(victim), "not killed under the agent")
        sigkill(a)
        got = pinned_objects(pins)
        check(set(got) == {"procs"}, "pinned without --keep-enforcement: %s" % sorted(got))
        check(not killed(victim), "killed after the agent's SIGKILL without --keep-enforcement")
        return "killed under the agent; after SIGKILL it runs; pinned: the process table alone"


if __name__ == "__main__":
    run()
