#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/peers: hornet side by side with the tools users would pick instead.

Three workloads, each run bare and under each tool, alternated in one run (a
bare round before and after each tool's round; each tool started before its
round and stopped after, outside the timing), the workload on CPU 0 and the
tool on CPU 1:
  exec     fork+exec of /bin/true (build/bench/exec/forkexec); the tools
           report every exec
  quiet    open+close of a file no rule watches (build/bench/policy/openloop);
           the tools watch another file
  watched  open+close of the file the tools watch: every open an event
The tools, each in its tracepoint mode (this host has no kprobes or fentry):
  hornet     the agent (--network=false); for the opens its own policy on
             sys_openat, the path Equal to the watched file
  bpftrace   tracepoint:syscalls:sys_enter_execve / sys_enter_openat with the
             path compared in the kernel, one printf per event
  libbpf-tools  execsnoop; opensnoop (no path filter: it reports every open
             and the count keeps those of the watched file)
  auditd     an execve syscall rule; a watch (-w FILE -p r) on the file; its
             own log in a temporary directory; rules deleted and the daemon
             stopped after
  strace     --seccomp-bpf -f on the workload only (not system-wide)
Prints one table: wall-time ratio to bare (median and its 95% interval),
events delivered / expected, the tool's CPU per 1,000 events (its processes;
for auditd also kauditd), and the foreign CPU load during the tool's rounds
(marked * above 0.25 cores). A tool that is not installed is left out and
said so. Not a test: it prints numbers and does not fail on them.
Environment: BENCH_EXECS (default 1000), BENCH_OPENS (default 100000),
BENCH_ROUNDS (default 2), BENCH_TOOLS and BENCH_WORKLOADS (comma-separated
subsets).
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import AGENT_CPU, Meter, pin, pinned, proc_cpu, table  # noqa: E402
from hornet import Agent, BUILD, HORNET, policy_doc  # noqa: E402

FORKEXEC = os.path.join(BUILD, "bench", "exec", "forkexec")
OPENLOOP = os.path.join(BUILD, "bench", "policy", "openloop")
# the exec workload runs a copy of /bin/true in the work directory: its path
# tells the workload's execs from those of anything else on the machine
TRUE = os.path.realpath("/bin/true")
EXECS = int(os.environ.get("BENCH_EXECS", "1000"))
OPENS = int(os.environ.get("BENCH_OPENS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
KEY = "hornet-bench-peers"



def wait_for(pred, timeout=120, what="the tool"):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise RuntimeError("%s did not start in %d s" % (what, timeout))
        time.sleep(0.05)


def count(path, *marks):
    """Lines of the file @path that hold every one of @marks (bytes)."""
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if all(m in line for m in marks):
                n += 1
    return n


class Daemon:
    """A system-wide tool run as a process of its own, pinned to the agent's CPU,
    its output in a file of the work directory; ready once its BPF programs are
    attached (its links stop growing)."""

    def __init__(self, work, argv):
        self.out = os.path.join(work, "tool.out")
        self.f = open(self.out, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.f, stderr=subprocess.STDOUT,
                                     preexec_fn=os.setpgrp)
        try:
            last = [-1, time.monotonic()]

            def attached():
                n = links(self.proc.pid)
                if n != last[0]:
                    last[:] = [n, time.monotonic()]
                return n > 0 and time.monotonic() - last[1] > 0.5
            wait_for(lambda: self.proc.poll() is not None or attached(), what=argv[0])
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited: %s" % (argv[0], self.text()[-500:]))
        except BaseException:
            self.stop()
            raise
        pin(self.proc.pid)

    def text(self):
        with open(self.out, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def pids(self):
        return [self.proc.pid]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.f.close()


def links(pid):
    """BPF links and perf events (a tracepoint's attachment) @pid holds."""
    n = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            n += t in ("anon_inode:bpf_link", "anon_inode:[perf_event]")
    except OSError:
        pass
    return n


class Hornet:
    name = "hornet"

    def __init__(self, work, kind, watched):
        self.a = Agent("--network=false", poll=0.005)
        if kind == "open":
            # tests/e2e/policies/openat.yaml: sys_openat, the path Equal to the file
            self.a.add_policy(policy_doc("openat", name="bench-peers", operator="Equal",
                                         values=' ["%s"]' % watched, extra="", actions=""))
        pin(self.a.proc.pid)
        self.kind, self.watched = kind, watched

    def pids(self):
        return [self.a.proc.pid]

    def stop(self):
        self.a.stop()
        if self.kind == "exec":
            return count(self.a.export, b'"process_exec"', b'"binary":"%s"' % TRUE.encode())
        return count(self.a.export, b'"process_kprobe"', self.watched.encode())


class Bpftrace(Daemon):
    name = "bpftrace"

    def __init__(self, work, kind, watched):
        if kind == "exec":
            prog = ('tracepoint:syscalls:sys_enter_execve '
                    '{ printf("%d %s\\n", pid, str(args->filename)); }')
        else:
            prog = ('tracepoint:syscalls:sys_enter_openat /str(args->filename) == "%s"/ '
                    '{ printf("%%d %%s\\n", pid, str(args->filename)); }' % watched)
        super().__init__(work, ["bpftrace", "-B", "full", "-e", prog])
        self.kind, self.watched = kind, watched

    def stop(self):
        super().stop()
        return count(self.out, (TRUE if self.kind == "exec" else self.watched).encode() + b"\n")


class Snoop(Daemon):
    name = "execsnoop/opensnoop"

    def __init__(self, work, kind, watched):
        tool = "execsnoop" if kind == "exec" else "opensnoop"
        super().__init__(work, [tool])
        self.kind, self.watched = kind, watched

    def stop(self):
        super().stop()
        if self.kind == "open":
            return count(self.out, b" " + self.watched.encode())
        # PCOMM PID PPID RET ARGS: the exec of the copy, not taskset's or forkexec's with it
        # among their arguments
        with open(self.out, "rb") as f:
            return sum(ln.split()[4:5] == [TRUE.encode()] for ln in f)


def kauditd():
    for p in os.listdir("/proc"):
        try:
            with open("/proc/%s/comm" % p) as f:
                if p.isdigit() and f.read().strip() == "kauditd":
                    return int(p)
        except OSError:
            pass
    return None


class Auditd:
    """auditd with its own configuration and log in the work directory; the
    kernel's audit state (enabled, backlog limit) put back as it was after."""
    name = "auditd"

    def __init__(self, work, kind, watched):
        self.kind, self.watched = kind, watched
        self.log = os.path.join(work, "audit.log")
        conf = os.path.join(work, "auditd.conf")
        with open("/etc/audit/auditd.conf") as f:
            text = f.read()
        keep = {"log_file": self.log, "max_log_file_action": "ignore", "write_logs": "yes",
                "space_left_action": "ignore", "admin_space_left_action": "ignore",
                "disk_full_action": "ignore", "disk_error_action": "ignore",
                "local_events": "yes"}
        lines = [ln for ln in text.splitlines() if ln.split("=")[0].strip() not in keep]
        with open(conf, "w") as f:
            f.write("\n".join(lines + ["%s = %s" % kv for kv in keep.items()]) + "\n")
        self.status0 = audit_status()
        if self.status0.get("pid", "0") != "0":
            raise RuntimeError("an audit daemon already runs (pid %s): left alone"
                               % self.status0["pid"])
        self.proc = subprocess.Popen(["auditd", "-n", "-s", "enable", "-c", work],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=os.setpgrp)
        wait_for(lambda: self.proc.poll() is not None or
                 audit_status().get("pid") == str(self.proc.pid), what="auditd")
        if self.proc.poll() is not None:
            raise RuntimeError("auditd exited with %d" % self.proc.returncode)
        pin(self.proc.pid)
        # what Debian's audit.rules sets: the default 64 loses events at once
        auditctl("-b", "8192")
        if kind == "exec":
            auditctl("-a", "always,exit", "-F", "arch=b64", "-S", "execve", "-k", KEY)
        else:
            auditctl("-w", watched, "-p", "r", "-k", KEY)
        self.kaudit = kauditd()

    def pids(self):
        return [self.proc.pid] + ([self.kaudit] if self.kaudit else [])

    def stop(self):
        auditctl("-D")
        auditctl("-b", self.status0.get("backlog_limit", "64"))
        auditctl("-e", self.status0.get("enabled", "0"))
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        if not os.path.exists(self.log):
            return 0
        if self.kind == "exec":
            return count(self.log, b"type=SYSCALL", KEY.encode(), b'exe="%s"' % TRUE.encode())
        return count(self.log, b"type=SYSCALL", KEY.encode())


def auditctl(*args):
    subprocess.run(["auditctl"] + list(args), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)


def audit_status():
    out = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
    return dict(ln.split(" ", 1) for ln in out.splitlines() if " " in ln)


class Strace:
    """Not system-wide: strace runs the workload (-f: and its children)."""
    name = "strace"

    def __init__(self, work, kind, watched):
        self.out = os.path.join(work, "strace.out")
        self.kind, self.watched = kind, watched
        trace = ["-e", "trace=execve"] if kind == "exec" else ["-e", "trace=openat", "-P", watched]
        self.prefix = pinned(["strace", "-f", "-qq", "--seccomp-bpf", "-o", self.out] + trace,
                             AGENT_CPU)

    def pids(self):
        return []

    def stop(self):
        if self.kind == "exec":
            return count(self.out, b'execve("%s"' % TRUE.encode())
        return count(self.out, b'"%s"' % self.watched.encode())


TOOLS = [("hornet", Hornet, HORNET), ("bpftrace", Bpftrace, "bpftrace"),
         ("execsnoop/opensnoop", Snoop, "opensnoop"), ("auditd", Auditd, "auditd"),
         ("strace", Strace, "strace")]


def workload(name, quiet, watched, prefix=()):
    """(wall ns, cpu ns) per operation of workload @name."""
    if name == "exec":
        argv = [FORKEXEC, str(EXECS), TRUE]
    else:
        argv = [OPENLOOP, str(OPENS), quiet if name == "quiet" else watched]
    out = subprocess.run(list(prefix) + pinned(argv), capture_output=True, check=True)
    wall, cpu = out.stdout.split()[-2:]
    return int(wall), int(cpu)


def run_tool(cls, wl, work, quiet, watched):
    """One round of workload @wl under tool @cls: (wall, cpu), events, tool CPU s, foreign."""
    tool = cls(work, "exec" if wl == "exec" else "open", watched)
    try:
        pids = tool.pids()
        c0 = sum(proc_cpu(p) for p in pids)
        ch0 = benchlib._children()
        m = Meter(*pids)
        res = workload(wl, quiet, watched, getattr(tool, "prefix", ()))
        foreign = m.foreign()
        time.sleep(1)   # the tool reads what is still queued for it
        cpu = sum(proc_cpu(p) for p in pids) - c0
        if isinstance(tool, Strace):
            n = EXECS if wl == "exec" else OPENS
            cpu = max(0.0, benchlib._children() - ch0 - res[1] * n / 1e9)
    finally:
        events = tool.stop()
    return res, events, cpu, foreign


def main():
    global TRUE
    if os.geteuid() != 0:
        sys.exit("bench/peers: needs root")
    benchlib.need(HORNET, FORKEXEC, OPENLOOP)
    only = [t for t in os.environ.get("BENCH_TOOLS", "").split(",") if t]
    tools, missing = [], []
    for name, cls, binary in TOOLS:
        if only and name.split("/")[0] not in only and name not in only:
            continue
        if name != "hornet" and not shutil.which(binary):
            missing.append(name)
        else:
            tools.append((name, cls))
    benchlib.header("bench/peers", "hornet and its peers on three workloads")
    if missing:
        print("not installed, left out: %s (scripts/bench-deps.sh installs them)"
              % ", ".join(missing))
    work = tempfile.mkdtemp(prefix="hornet-bench-peers-")
    quiet = os.path.join(work, "quiet")
    watched = os.path.join(work, "watched")
    for p in (quiet, watched):
        open(p, "w").close()
    TRUE = os.path.join(work, "peers-true")
    shutil.copy2(os.path.realpath("/bin/true"), TRUE)
    expected = {"exec": EXECS, "quiet": 0, "watched": OPENS}
    wls = [w for w in os.environ.get("BENCH_WORKLOADS", "").split(",") if w in expected]
    expected = {w: n for w, n in expected.items() if not wls or w in wls}
    res = {}    # (workload, tool) -> list of (wall, events, tool cpu, foreign)
    bare = {wl: [] for wl in expected}
    failed = {}
    try:
        for wl in expected:
            workload(wl, quiet, watched)    # warm the page cache
        for r in range(ROUNDS):
            for wl in expected:
                order = tools[r % len(tools):] + tools[:r % len(tools)]
                bare[wl].append(workload(wl, quiet, watched)[0])
                for name, cls in order:
                    d = tempfile.mkdtemp(dir=work)
                    try:
                        (wall, _), ev, cpu, foreign = run_tool(cls, wl, d, quiet, watched)
                        # the bare rounds beside it: the one before and the one after
                        res.setdefault((wl, name), []).append(
                            (wall, ev, cpu, foreign, len(bare[wl]) - 1))
                    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
                        failed[name] = str(e).strip().splitlines()[0][:200]
                    finally:
                        shutil.rmtree(d, ignore_errors=True)
                    bare[wl].append(workload(wl, quiet, watched)[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(tools, res, bare, expected, failed)


def print_table(tools, res, bare, expected, failed):
    rows = []
    for wl in expected:
        rows.append([wl, "bare", "1", "-", "-", "%.2f us" % (statistics.median(bare[wl]) / 1e3),
                     ""])
        for name, _ in tools:
            runs = res.get((wl, name))
            if not runs:
                rows.append([wl, name, "did not run", "", "", "", ""])
                continue
            rs = [x[0] / statistics.mean(bare[wl][x[4]:x[4] + 2]) for x in runs]
            m, lo, hi = statistics.median(rs), min(rs), max(rs)
            ev = statistics.median(x[1] for x in runs)
            cpu = statistics.median(x[2] for x in runs)
            fl = max(x[3] for x in runs)
            rows.append([wl, name, "%.3f (%.3f-%.3f)" % (m, lo, hi),
                         "%d / %d" % (ev, expected[wl]),
                         "%.1f ms" % (cpu / ev * 1e6) if ev else "-",
                         "%.2f us" % (statistics.median(x[0] for x in runs) / 1e3),
                         "%.2f%s" % (fl, " *" if fl > benchlib.BUSY else "")])
    table("wall-time ratio to bare per workload (median of %d rounds and min-max), events "
          "delivered / expected (median), tool CPU per 1,000 events; load average %s at the end"
          % (ROUNDS, benchlib.loadavg()),
          ["workload", "tool", "ratio to bare", "events", "tool CPU/1k ev", "per op",
           "foreign load"], rows,
          ["foreign load: the most other processes used during the tool's rounds, in cores; "
           "* above %.2f" % benchlib.BUSY,
           "exec: %d fork+exec of a copy of /bin/true; quiet/watched: %d open+close"
          % (EXECS, OPENS)] +
          ["%s failed: %s" % kv for kv in failed.items()])


main()
