#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Faults, the agent's own: killed with SIGKILL and started again; its export
directory removed while it runs; the disk under its export file full, or made
read-only. In each the agent must stay up, say what is wrong (its log and
`hornet status`: export.error, lost.export_errors), count what it could not
write, and write again once the fault is gone. Each test's PASS line carries
its numbers."""
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (BPFFS, HORNET, Agent, Fail, check, kernel_link_progs,  # noqa: E402
                    kernel_prog_ids, prog_ids_held, run, skip, test, unpin_dir)

NODE = "testnode"
TRUE = os.path.realpath("/bin/true")
SLEEP = os.path.realpath("/bin/sleep")
# The exec_id, after a restart, of a process exec'd while the first agent ran: its
# exec event's ktime is the kernel's clock at the exec, which /proc does not keep
# (field 22 is the fork's time, in 10 ms ticks). The process table the first agent
# pinned (--bpffs-dir) keeps it, and the next agent's /proc scan reads it there:
# "kept". Without it, the exec_id a process found in /proc gets ("rebuilt from /proc"),
# and the exit would not join the exec.
DURING_EXEC_ID = "kept"


def pinned(top):
    out = set()
    for d, _, files in os.walk(top):
        for n in files:
            out.add(os.path.relpath(os.path.join(d, n), top))
    return out


def pinned_map_id(path):
    """The id of the map pinned at @path; Fail when it is not a map."""
    r = subprocess.run(["bpftool", "map", "show", "pinned", path, "-j"], capture_output=True,
                       timeout=30)
    check(r.returncode == 0, "%s is not a pinned map: %s" % (path, r.stderr.decode().strip()))
    return json.loads(r.stdout)["id"]


def proc_start(pid):
    """/proc/PID/stat field 22, the start time in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def proc_exec_id_of(start, pid):
    """exec_id of a process found in /proc (docs/events.md): its start time in ns."""
    ns = start * (1000000000 // os.sysconf("SC_CLK_TCK"))
    return base64.b64encode(("%s:%d:%d" % (NODE, ns, pid)).encode()).decode()


def proc_exec_id(pid):
    return proc_exec_id_of(proc_start(pid), pid)


def exits_of(evs, pid):
    return [e["process_exit"]["process"] for e in evs
            if "process_exit" in e and e["process_exit"]["process"]["pid"] == pid]


def execs_of(evs, pid):
    return [e["process_exec"]["process"] for e in evs
            if "process_exec" in e and e["process_exec"]["process"]["pid"] == pid]


def wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise Fail("no %s within %d s" % (what, timeout))
        time.sleep(0.05)


def read_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    return [json.loads(x) for x in data[:data.rfind(b"\n") + 1].splitlines() if x]


def total_events(st):
    return sum(v for v in st["events"].values() if isinstance(v, int))


def alive(a):
    check(a.proc.poll() is None, "agent exited (%s): %s" % (a.proc.returncode, a.log_text()))


@test("sigkill_restart")
def sigkill_restart():
    """SIGKILL leaves no program or link in the kernel, only the process table
    pinned (a map); the next agent rebuilds its table from /proc and the pinned one:
    processes alive across the restart get one exit each, with the exec_id the
    first agent gave them."""
    procs = []
    pins = os.path.join(BPFFS, "hornet-fault-%d" % os.getpid())
    try:
        # found in /proc by both agents
        before = subprocess.Popen([SLEEP, "1000"])
        procs.append(before)
        a = Agent("--bpffs-dir", pins, node=NODE)
        # exec'd while the first agent runs: its exec_id comes from the kernel's clock
        during = subprocess.Popen([SLEEP, "1001"])
        procs.append(during)
        first = a.wait_for(lambda e: bool(execs_of([e], during.pid)), what="exec of the sleep")
        during_id = first["process_exec"]["process"]["exec_id"]
        during_stat = proc_start(during.pid)
        before_id = proc_exec_id(before.pid)
        held = prog_ids_held(a.proc.pid)
        check(held, "the agent holds no BPF program")
        a.proc.kill()
        a.proc.wait()
        a.stop()
        # the kernel frees programs after their links: give it time
        deadline = time.monotonic() + 30
        while True:
            left = held & kernel_prog_ids()
            links = held & kernel_link_progs()
            if not left and not links or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        check(not left, "programs left after SIGKILL: %s" % sorted(left))
        check(not links, "links left after SIGKILL: %s" % sorted(links))
        left_pinned = pinned(pins)
        check(left_pinned == {"procs"}, "pinned after SIGKILL: %s, want the process table "
              "alone" % sorted(left_pinned))
        pinned_map_id(os.path.join(pins, "procs"))
        check(not exits_of(a.events(), before.pid) and not exits_of(a.events(), during.pid),
              "an exit reported before the processes exited")

        b = Agent("--bpffs-dir", pins, node=NODE)
        for p in (before, during):
            p.kill()
            p.wait()
        for p in (before, during):
            b.wait_for(lambda e, pid=p.pid: bool(exits_of([e], pid)), what="exit of %d" % p.pid)
        time.sleep(1.0)     # a second exit would come now
        evs = b.events()
        got_before = exits_of(evs, before.pid)
        got_during = exits_of(evs, during.pid)
        check(len(got_before) == 1 and len(got_during) == 1,
              "exits: %d and %d, not one each" % (len(got_before), len(got_during)))
        check(got_before[0]["exec_id"] == before_id,
              "exit of the process started before both agents: exec_id %s, want %s"
              % (got_before[0]["exec_id"], before_id))
        kept = got_during[0]["exec_id"] == during_id
        rebuilt = got_during[0]["exec_id"] == proc_exec_id_of(during_stat, during.pid)
        check(kept or rebuilt, "exit of the process exec'd under the first agent: exec_id %s, "
              "neither the first agent's %s nor the one made from /proc"
              % (got_during[0]["exec_id"], during_id))
        outcome = "kept" if kept else "rebuilt from /proc"
        check(outcome == DURING_EXEC_ID,
              "exec_id of a process exec'd under the first agent: %s, the table says %s (%s "
              "vs the first agent's %s): update DURING_EXEC_ID and docs"
              % (outcome, DURING_EXEC_ID,
                 base64.b64decode(got_during[0]["exec_id"]).decode(),
                 base64.b64decode(during_id).decode()))
        return ("%d programs freed, 0 links, 1 pin (the process table, a map); 2 exits, one "
                "each; exec_id of the process started before: kept; of the one exec'd under "
                "the first agent: %s" % (len(held), outcome))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        Agent.stop_all()
        unpin_dir(pins)


def burst(n, binary=TRUE):
    """@n processes of @binary, one after the other: their pids."""
    pids = []
    for _ in range(n):
        p = subprocess.Popen([binary])
        p.wait()
        pids.append(p.pid)
    return pids


def writing_agent(path):
    """An agent exporting to @path, once its first events are there."""
    a = Agent("--export-file", path, node=NODE)
    pids = burst(3)
    wait(lambda: any(execs_of(read_lines(path), p) for p in pids), 10, "event in the file")
    return a


def written_again(path, after):
    """Waits for a new process's exec in @path, up to 10 s @after the fault."""
    deadline = time.monotonic() + 10
    while True:
        pids = burst(2)
        time.sleep(0.3)
        if any(execs_of(read_lines(path), p) for p in pids):
            return
        check(time.monotonic() < deadline, "nothing written 10 s after %s" % after)


def wait_log(a, text, timeout=10):
    wait(lambda: text in a.log_text(), timeout, "'%s' in the agent's log" % text)


@test("export_dir_removed")
def export_dir_removed():
    """The export directory removed, then made again: the agent notices within a
    second (the file it wrote to is gone), counts what it cannot write, says so,
    and writes into a new file once the directory is back."""
    d = tempfile.mkdtemp(prefix="hornet-fault-export-")
    path = os.path.join(d, "events.json")
    try:
        a = writing_agent(path)
        # what it writes into the removed file is read through this descriptor
        old = open(path, "rb")
        ev0 = total_events(a.status())
        # renamed first: the agent, which opens the file again by its path, may
        # make a new one in the directory while rmtree() empties it
        os.rename(d, d + ".gone")
        shutil.rmtree(d + ".gone")
        # into the removed file, or counted: the check runs once a second
        deadline = time.monotonic() + 10
        while "error" not in a.status()["export"] and time.monotonic() < deadline:
            burst(5)
            time.sleep(0.2)
        st = a.status()
        alive(a)
        check("error" in st["export"], "status says nothing is wrong: %s" % st["export"])
        wait_log(a, "export file '%s'" % path)
        text = subprocess.run([HORNET, "status", "--socket", a.socket], capture_output=True,
                              timeout=60).stdout.decode()
        check("export:   FAILING: %s" % os.strerror(2) in text,
              "`hornet status` does not say the export fails: %s" % text[-600:])
        lost0 = st["lost"]["export_errors"]
        check(lost0 > 0, "nothing counted as not written")
        burst(10)
        time.sleep(0.5)
        lost1 = a.status()["lost"]["export_errors"]
        # 10 execs and 10 exits at least, all lost
        check(lost1 - lost0 >= 20, "the 20 events of 10 processes: %d counted lost"
              % (lost1 - lost0))
        os.mkdir(d)
        written_again(path, "the directory is back")
        wait_log(a, "writing again", timeout=25)
        lb, ev, lost, la, st = accounting(a, path)
        old.seek(0)
        data = old.read()
        old.close()
        removed = data.count(b"\n")
        alive(a)
        check("error" not in st["export"], "status still says %s" % st["export"].get("error"))
        # the lines of the removed file from the start of this view: those before ev0 are
        # in it too
        check(removed + lb + lost <= ev <= removed + la + lost,
              "%d lines in the removed file + %d in the new + %d lost vs %d events (%d lines "
              "after)" % (removed, lb, lost, ev, la))
        return ("error '%s'; %d events = %d lines in the removed file (%d events before it) + "
                "%d (%d a moment later) in the new + %d counted lost"
                % (os.strerror(2), ev, removed, ev0, lb, la, lost))
    finally:
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(d + ".gone", ignore_errors=True)


def mount_tmpfs(d, size="8m"):
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size,
                        "hornet-fault", d], capture_output=True)
    if r.returncode != 0:
        skip("cannot mount a tmpfs: %s" % r.stderr.decode().strip())


def umount(d):
    subprocess.run(["umount", "-l", d], capture_output=True)


@contextlib.contextmanager
def tmpfs_dir(tag):
    """An 8 MiB tmpfs on a temporary directory; unmounted and removed at the end,
    the test's agents stopped first (they hold files on it)."""
    d = tempfile.mkdtemp(prefix="hornet-fault-%s-" % tag)
    mounted = False
    try:
        mount_tmpfs(d)
        mounted = True
        yield d
    finally:
        Agent.stop_all()
        if mounted:
            umount(d)
        shutil.rmtree(d, ignore_errors=True)


def fill(path):
    """Writes @path until the file system is full: the bytes written."""
    n = 0
    with open(path, "wb", buffering=0) as f:
        chunk = b"x" * 65536
        while True:
            try:
                n += f.write(chunk)
            except OSError:
                break
        for size in (4096, 256, 16, 1):
            while True:
                try:
                    n += f.write(b"x" * size)
                except OSError:
                    break
    return n


def accounting(a, path):
    """(file lines before, total events, lost, file lines after) around one status:
    lines before + lost <= events <= lines after + lost (what the agent had
    buffered when it answered is written, or counted, after)."""
    time.sleep(0.3)
    before = len(read_lines(path))
    st = a.status()
    time.sleep(0.3)
    after = len(read_lines(path))
    return before, total_events(st), st["lost"]["export_errors"], after, st


@test("disk_full")
def disk_full():
    """An 8 MiB tmpfs under the export file, filled: the agent stays up, counts
    every event it cannot write (events = lines in the file + counted lost),
    and writes again when the filler is deleted."""
    with tmpfs_dir("full") as d:
        path = os.path.join(d, "events.json")
        filler = os.path.join(d, "filler")
        a = writing_agent(path)
        filled = fill(filler)
        pids = burst(50)
        time.sleep(0.5)
        alive(a)
        lb, ev, lost, la, st = accounting(a, path)
        check(lost > 0, "nothing counted lost with the disk full (%d bytes filler)" % filled)
        check(lb + lost <= ev <= la + lost,
              "the counts do not add up: %d lines + %d lost vs %d events (%d lines after)"
              % (lb, lost, ev, la))
        lines = read_lines(path)
        mine = sum(len(execs_of(lines, p)) + len(exits_of(lines, p)) for p in pids)
        check(mine < 100, "all 100 events of the 50 processes written on a full disk")
        check(st["export"].get("error") == os.strerror(28),
              "status: export.error %r" % st["export"].get("error"))
        wait_log(a, os.strerror(28))
        os.unlink(filler)
        written_again(path, "space came back")
        wait_log(a, "writing again", timeout=25)
        lb2, ev2, lost2, la2, st2 = accounting(a, path)
        check(lb2 + lost2 <= ev2 <= la2 + lost2,
              "after: %d lines + %d lost vs %d events (%d lines after)" % (lb2, lost2, ev2, la2))
        check("error" not in st2["export"], "status still says %s" % st2["export"].get("error"))
        alive(a)
        a.stop()
        return ("full: %d events = %d lines (%d a moment later) + %d counted lost, %d of the "
                "test's 100 written; after: %d = %d (%d) + %d"
                % (ev, lb, la, lost, mine, ev2, lb2, la2, lost2))


@test("read_only")
def read_only():
    """The export file system remounted read-only while the agent writes: the
    kernel refuses it (the agent holds the file open for writing: EBUSY), or
    the agent counts what it cannot write and writes again when it is made
    writable."""
    with tmpfs_dir("ro") as d:
        path = os.path.join(d, "events.json")
        a = writing_agent(path)
        r = subprocess.run(["mount", "-o", "remount,ro", d], capture_output=True)
        if r.returncode != 0:
            err = r.stderr.decode().strip()
            check("busy" in err.lower(), "remount read-only failed otherwise: %s" % err)
            burst(3)
            time.sleep(0.3)
            alive(a)
            st = a.status()
            check(st["lost"]["export_errors"] == 0, "events lost: %d"
                  % st["lost"]["export_errors"])
            return "refused by the kernel (busy: the agent's file is open for writing)"
        burst(10)
        time.sleep(0.5)
        alive(a)
        lb, ev, lost, la, st = accounting(a, path)
        check(lost >= 20, "%d counted lost on a read-only file system" % lost)
        check(lb + lost <= ev <= la + lost, "%d lines + %d lost vs %d events" % (lb, lost, ev))
        subprocess.run(["mount", "-o", "remount,rw", d], check=True)
        written_again(path, "remount rw")
        return "read-only: %d lost; writes again" % lost


@test("read_only_at_start")
def read_only_at_start():
    """An export file on a read-only file system at the start: the agent refuses to
    start, saying why, rather than run without the export it was asked for."""
    with tmpfs_dir("rostart") as d:
        sock = d + ".sock"
        subprocess.run(["mount", "-o", "remount,ro", d], check=True)
        try:
            r = subprocess.run([HORNET, "agent", "--node-name", NODE, "--socket", sock,
                                "--export-file", os.path.join(d, "events.json"),
                                "--http-listen", "", "--store", ""],
                               capture_output=True, timeout=120)
        finally:
            if os.path.exists(sock):
                os.unlink(sock)
        out = (r.stdout + r.stderr).decode()
        check(r.returncode != 0, "started on a read-only export directory: %s" % out[-500:])
        check(os.strerror(30) in out, "does not say why: %s" % out[-500:])
        return "refuses to start: exit %d, '%s'" % (r.returncode, os.strerror(30))


if __name__ == "__main__":
    run()
