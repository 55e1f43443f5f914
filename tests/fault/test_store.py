#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Faults under the event history (--store, SQLite): the disk under it full, or
read-only. The agent must stay up and keep exporting, say what is wrong (its log and
`hornet status`: store.ok, store.error), count what it could not write (store.queued
while it waits, store.dropped for what it gave up on), and write again once the fault
is gone: every event is then in the history or counted dropped. Each test's PASS line
carries its numbers."""
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import BUILD, HELPERS, HORNET, Agent, check, run, skip, test  # noqa: E402

NODE = "testnode"
IN_VM = os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm")
N = 300         # processes run while the fault lasts: 600 events of the test's own


def host_only():
    # the store is user space: the host's run covers it (tests/e2e/test_store.py too)
    if IN_VM or os.environ.get("HORNET_VM"):
        skip("user space only: the store is tested on the host")


@contextlib.contextmanager
def tmpfs_dir(tag):
    """An 8 MiB tmpfs on a temporary directory, and a directory of the test's own on the
    ordinary disk (its binaries); the test's agents are stopped before the unmount."""
    host_only()
    d = tempfile.mkdtemp(prefix="hornet-fault-store-%s-" % tag)
    mnt = os.path.join(d, "small")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "hornet-fault",
                        mnt], capture_output=True)
    if r.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        skip("cannot mount a tmpfs: %s" % r.stderr.decode().strip())
    try:
        yield d, mnt
    finally:
        Agent.stop_all()
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        got = pred()
        if got:
            return got
        check(time.monotonic() < deadline, "no %s within %d s" % (what, timeout))
        time.sleep(0.1)


def own_binary(d, name):
    """A copy of the static nop named for the test: its events are the test's."""
    src = os.path.join(BUILD, "static", "helpers", "nop")
    path = os.path.join(d, "%s-%d" % (name, os.getpid()))
    shutil.copy(src if os.path.exists(src) else os.path.join(HELPERS, "nop"), path)
    return path


def churn(binary, n=N):
    r = subprocess.run([os.path.join(HELPERS, "churn"), str(n), "1", binary],
                       capture_output=True, timeout=300)
    check(r.returncode == 0, "churn: %s" % r.stderr.decode())


def store_of(a):
    return a.status()["store"]


def events_total(st):
    return sum(v for v in st["events"].values() if isinstance(v, int))


def in_history(db, binary):
    """The history's events of @binary: {type: count}, read as another reader would."""
    import sqlite3      # here: the VM's Python, where the tests skip, has no _sqlite3
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return dict(c.execute("SELECT type, count(*) FROM events WHERE bin = ? GROUP BY type",
                              (binary,)).fetchall())
    finally:
        c.close()


def exported(a, binary):
    n = 0
    with open(a.export, "rb") as f:
        for line in f:
            if binary.encode() in line and b'"process_exec"' in line:
                n += json.loads(line)["process_exec"]["process"]["binary"] == binary
    return n


def fill(path):
    """Writes @path until the file system is full (tmpfs: to its last page): its size."""
    subprocess.run(["dd", "if=/dev/zero", "of=" + path, "bs=4k"], capture_output=True)
    return os.path.getsize(path)


def recovered(a, db, binary, shown):
    """Waits for the store to write again and to have written everything of @binary:
    (its status then, the history's events of @binary)."""
    wait(lambda: store_of(a)["ok"], 30, "recovery of the store")
    wait(lambda: "store '%s': writing again" % shown in a.log_text(), 10, "'writing again'")
    got = wait(lambda: (lambda h: h if sum(h.values()) >= 2 * N else None)(in_history(db, binary)),
               30, "the %d events of the fault's time in the history" % (2 * N))
    return store_of(a), got


@test("store_disk_full")
def disk_full():
    """The store's tmpfs filled: the agent keeps exporting, says the store is broken and
    why, holds what it cannot write (counted as queued) and writes all of it once the
    filler is gone."""
    with tmpfs_dir("full") as (d, mnt):
        db = os.path.join(mnt, "h.db")
        a = Agent("--store", db, node=NODE)
        wait(lambda: store_of(a)["written"] > 0, 30, "first write of the store")
        binary = own_binary(d, "hornet-store-full")
        filled = fill(os.path.join(mnt, "filler"))
        churn(binary)
        st = wait(lambda: (lambda s: s if not s["ok"] else None)(store_of(a)), 30,
                  "store reported broken")
        check(a.proc.poll() is None, "the agent exited: %s" % a.log_text())
        check(st["write_errors"] > 0 and "full" in st.get("error", ""),
              "store status: %s" % st)
        # the events not written are counted: waiting in the queue, or held by the writer
        full = a.status()
        fs = full["store"]
        pending = events_total(full) - fs["written"] - fs["dropped"]
        waiting = fs["queued"] + fs["held"]
        check(fs["held"] > 0 and waiting >= 2 * N and abs(pending - waiting) <= 64,
              "%d events not written, %d queued + %d held" % (pending, fs["queued"], fs["held"]))
        text = subprocess.run([HORNET, "status", "--socket", a.socket], capture_output=True,
                              timeout=60).stdout.decode()
        said = re.search(r"broken: (.*); \d+ events written, (\d+) waiting", text)
        check(said and said.group(1) == st["error"] and int(said.group(2)) >= 2 * N,
              "`hornet status` does not say: %s" % text[-800:])
        wait(lambda: "store '%s': %s; events wait until it recovers" % (db, st["error"])
             in a.log_text(), 10, "warning in the log")
        check(exported(a, binary) == N, "%d of the %d execs exported with the store full"
              % (exported(a, binary), N))
        os.unlink(os.path.join(mnt, "filler"))
        st2, got = recovered(a, db, binary, db)
        check(got == {"process_exec": N, "process_exit": N}, "in the history: %s" % got)
        check(st2["dropped"] == 0, "dropped: %d" % st2["dropped"])
        check(a.proc.poll() is None, "the agent exited: %s" % a.log_text())
        return ("full (%d bytes of filler): '%s', %d write errors; %d events not written = "
                "%d queued + %d held; after: every one of the test's %d written, 0 dropped, "
                "%d retries" % (filled, st["error"], st["write_errors"], pending, fs["queued"],
                                fs["held"], 2 * N, st2["retries"]))


@test("store_read_only")
def read_only():
    """The store's file system made read-only while the agent runs. A remount is refused
    by the kernel while the store's file is open for writing (EBUSY); a file system that
    the kernel turns read-only itself (errors=remount-ro) is played by a read-only tmpfs
    mounted over the store's directory: the writer finds its file gone, cannot make a new
    one (EROFS), holds and counts what it cannot write, and writes it all once the
    read-only mount is gone."""
    with tmpfs_dir("ro") as (d, mnt):
        db = os.path.join(mnt, "h.db")
        a = Agent("--store", db, node=NODE)
        wait(lambda: store_of(a)["written"] > 0, 30, "first write of the store")
        binary = own_binary(d, "hornet-store-ro")
        r = subprocess.run(["mount", "-o", "remount,ro", mnt], capture_output=True)
        if r.returncode == 0:
            subprocess.run(["mount", "-o", "remount,rw", mnt], check=True)
            remount = "allowed"
        else:
            err = r.stderr.decode().strip()
            check("busy" in err.lower(), "remount read-only failed otherwise: %s" % err)
            remount = "refused (busy)"
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "hornet-fault-ro", mnt],
                           capture_output=True)
        check(r.returncode == 0, "read-only tmpfs over the store: %s" % r.stderr.decode())
        try:
            churn(binary)
            st = wait(lambda: (lambda s: s if not s["ok"] else None)(store_of(a)), 30,
                      "store reported broken")
            check(a.proc.poll() is None, "the agent exited: %s" % a.log_text())
            check(os.strerror(30) in st.get("error", ""), "store status: %s" % st)
            text = subprocess.run([HORNET, "status", "--socket", a.socket],
                                  capture_output=True, timeout=60).stdout.decode()
            check("broken: %s" % st["error"] in text, "`hornet status` does not say: %s"
                  % text[-800:])
            check(exported(a, binary) == N, "%d of the %d execs exported with the store "
                  "read-only" % (exported(a, binary), N))
            wait(lambda: "store '%s': %s; events wait until it recovers" % (db, st["error"])
                 in a.log_text(), 10, "warning in the log")
        finally:
            subprocess.run(["umount", mnt], capture_output=True)
        st2, got = recovered(a, db, binary, db)
        check(got == {"process_exec": N, "process_exit": N}, "in the history: %s" % got)
        check(st2["dropped"] == 0, "dropped: %d" % st2["dropped"])
        return ("remount read-only %s; read-only file system under the store: '%s', %d "
                "write errors; after: every one of the %d written, 0 dropped"
                % (remount, st["error"], st["write_errors"], 2 * N))


@test("store_read_only_at_start")
def read_only_at_start():
    """A store on a read-only file system at the start: the agent refuses to start,
    saying why, rather than run without the history it was asked for."""
    with tmpfs_dir("rostart") as (d, mnt):
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        sock = os.path.join(d, "hornet.sock")
        r = subprocess.run([HORNET, "agent", "--node-name", NODE, "--socket", sock,
                            "--export-file", "", "--http-listen", "",
                            "--store", os.path.join(mnt, "h.db")],
                           capture_output=True, timeout=120)
        out = (r.stdout + r.stderr).decode()
        check(r.returncode != 0, "started on a read-only store directory: %s" % out[-500:])
        check(os.strerror(30) in out, "does not say why: %s" % out[-500:])
        return "refuses to start: exit %d, '%s'" % (r.returncode, out.strip().splitlines()[-1])


if __name__ == "__main__":
    run()
