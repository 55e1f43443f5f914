#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Evasion, files: /etc/shadow read by every road there is, against the default pack's
hornet-sensitive-file-reads (policies/sensitive-file-reads.yaml, loaded alone into a real
agent), and the outcome of each road: reported, denied or missed.

Each road runs in a process of its own (tests/helpers/attack_open), and its events are
selected by that process's pid: other processes on the machine read /etc/shadow too. The
outcome each road should have on a kernel comes from ROADS below, keyed by the mechanism the
pack's syscall hooks use there (kprobes where the kernel has them, the raw syscall
tracepoints where it has not); a road whose outcome differs FAILs, so that docs/security.md
(scripts/security-table.py makes its table from the results of tests/run) never says what is
no longer true. Each PASS line carries the outcome: "PASS read_shadow_by_openat: reported"."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HELPERS, ROOT, Agent, check, features, file_event_path, run, skip,  # noqa: E402
                    test)
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

POLICY_FILE = os.path.join(ROOT, "policies", "sensitive-file-reads.yaml")
POLICY = "hornet-sensitive-file-reads"
HELPER = os.path.join(HELPERS, "attack_open")
SHADOW = "/etc/shadow"
EVENT_KINDS = ("process_kprobe", "process_tracepoint", "process_lsm", "process_uprobe")

R, D, M = "reported", "denied", "missed"

# road: (what it does, {mechanism: expected outcome}, why it is missed and what would catch
# it). The mechanism is that of the pack's syscall hooks on this kernel: "kprobe" (6.1) or
# "tracepoint" (6.18 here: no kprobes, fentry nor BPF LSM).
ROADS = {
    "open": ("open(2), the raw syscall", {"tracepoint": R, "kprobe": R}, ""),
    "openat": ("openat(2), as libc's open() does it", {"tracepoint": R, "kprobe": R}, ""),
    "openat2": ("openat2(2) with struct open_how", {"tracepoint": R, "kprobe": R}, ""),
    "open_by_handle_at": (
        "name_to_handle_at(2), then open_by_handle_at(2) (CAP_DAC_READ_SEARCH)",
        {"tracepoint": R, "kprobe": R},
        ""),
    "uring_openat": (
        "io_uring IORING_OP_OPENAT (liburing)", {"tracepoint": M, "kprobe": R},
        "the open runs inside io_uring (inline or in an io-wq worker), with no open syscall: "
        "reported where the kernel can trace vfs_open (kprobes or fentry: the pack's hook "
        "there sees every open). Would catch here: nothing sees the path without kprobes, "
        "fentry or BPF LSM; the tracepoint io_uring:io_uring_submit_req sees the opcode only"),
    "uring_openat2": (
        "io_uring IORING_OP_OPENAT2 (liburing)", {"tracepoint": M, "kprobe": R},
        "as IORING_OP_OPENAT"),
    "proc_fd": (
        "open(\"/proc/self/fd/N\") of an O_PATH descriptor opened by the parent",
        {"tracepoint": R, "kprobe": R},
        ""),
    "hardlink": (
        "link(2) of /etc/shadow into a temporary directory on the same file system, then "
        "open(2) of the link",
        {"tracepoint": R, "kprobe": R},
        "watch: the open itself is missed (the link's own path, and the policy matches "
        "paths, not inodes); the link(2) is reported. A link made earlier, or from a "
        "descriptor (linkat AT_EMPTY_PATH), would be missed. Would catch: matching the "
        "inode (device and number) of the file opened"),
    "bind_mount": (
        "/etc bind-mounted on a temporary directory in a private mount namespace",
        {"tracepoint": M, "kprobe": R},
        "the path of the file is that of the bind mount (the mount itself is reported by "
        "the pack's hornet-mount); reported where vfs_open can be traced, matched by the "
        "dentry's path from its file system's root. Would catch here: that hook, which needs "
        "kprobes, fentry or BPF LSM"),
    "chroot": (
        "chroot(\"/etc\"), then open(\"/shadow\")", {"tracepoint": M, "kprobe": R},
        "paths are resolved up to the task's root, as d_path() does, so the file is "
        "\"/shadow\"; reported where vfs_open can be traced (the dentry's path from its "
        "file system's root). Would catch here: resolving up to the namespace's root "
        "instead of the task's, or a chroot(2) hook"),
    "dirfd": ("openat(dirfd of /etc, \"shadow\")", {"tracepoint": R, "kprobe": R}, ""),
    "dotdot": ("open(\"/etc/../etc/../etc/shadow\")", {"tracepoint": R, "kprobe": R}, ""),
    "slashes": ("open(\"//etc//shadow\")", {"tracepoint": R, "kprobe": R}, ""),
    "long_path": ("open() of a 4,000-byte path, \"/./././.../etc/shadow\"",
                  {"tracepoint": R, "kprobe": R}, ""),
    "sendfile": ("sendfile(2) from a descriptor opened before (the open is the event)",
                 {"tracepoint": R, "kprobe": R}, ""),
    "splice": ("splice(2) from a descriptor opened before (the open is the event)",
               {"tracepoint": R, "kprobe": R}, ""),
    "mmap": ("mmap(2) of a descriptor opened before (the open is the event)",
             {"tracepoint": R, "kprobe": R}, ""),
    "race": (
        "open(2) of a symbolic link that a thread swaps between a harmless file and "
        "/etc/shadow (check and use: %d opens)" % 2000,
        {"tracepoint": R, "kprobe": R},
        "watch: each open of /etc/shadow is reported once and as /etc/shadow, none of the "
        "harmless file: the path is that of the descriptor the open returned, not of the "
        "name it was given"),
    "newline": (
        "open(2) of a symbolic link to /etc/shadow whose name has a newline",
        {"tracepoint": R, "kprobe": R},
        "watch: the name asked for is exported escaped (\\n): the line stays one line of "
        "valid JSON"),
    "bad_utf8": (
        "open(2) of a symbolic link to /etc/shadow whose name has bytes that are not UTF-8",
        {"tracepoint": R, "kprobe": R},
        "watch: matched on the bytes in the kernel; exported as valid JSON with each byte "
        "that is not UTF-8 as U+FFFD (as Tetragon), so two names that differ only there "
        "look alike. Would make it unambiguous: exporting such a string's bytes beside it "
        "(base64)"),
    "scm_rights": (
        "open(2) of /etc/shadow, the descriptor passed over a unix socket (SCM_RIGHTS) to a "
        "child that reads it",
        {"tracepoint": R, "kprobe": R},
        "watch: the opener is reported, not the process that reads: no open happens there. "
        "Would catch the reader: a hook on read(2) or on the unix socket's SCM_RIGHTS "
        "(security_file_receive, 6.1)"),
}


def mechanism():
    return "kprobe" if features().get("kprobe") else "tracepoint"


def need_shadow():
    """The file is only read (scripts/vmtest.sh gives the VM one)."""
    if not os.path.exists(SHADOW):
        skip("%s does not exist" % SHADOW)


def agent():
    check(os.path.exists(HELPER), "%s is missing: make build-tests (or make static)" % HELPER)
    need_shadow()
    return Agent.with_pack_policy(POLICY_FILE, POLICY)


def events_of(a, pid):
    out = []
    for ev in a.events():
        for k in EVENT_KINDS:
            b = ev.get(k)
            if b and b.get("policy_name") == POLICY and b["process"]["pid"] == pid:
                out.append(b)
    return out


def attempt(road, arg=None, pass_fds=(), helper_road=None, more=None):
    """Runs the road in a process of its own; checks the outcome against ROADS and
    returns it, the note of the PASS line. more(said, events), if given, checks more."""
    a = agent()
    argv = [HELPER, helper_road or road] + ([arg] if arg is not None else [])
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         pass_fds=pass_fds)
    out, err = p.communicate(timeout=60)
    said = (out + err).decode(errors="replace").strip()
    if p.returncode == 3:
        skip("the kernel or the file system lacks this road: %s" % said)
    check(p.returncode in (0, 4), "%s exited with %d: %s" % (road, p.returncode, said))
    # an event comes within a moment; a miss is known once the agent has exported
    # everything made before a later process's exit
    deadline = time.monotonic() + 5
    while not events_of(a, p.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    a.settle()
    evs = events_of(a, p.pid)
    got = D if p.returncode == 4 else R if evs else M
    want = ROADS[road][1][mechanism()]
    paths = sorted({file_event_path(e) for e in evs})
    check(got == want, "%s: expected %s, got %s: update docs/security.md (%s; events for %r)" %
          (road, want, got, said, paths))
    if got == R:
        check(paths == [SHADOW], "%s: reported, but as %r" % (road, paths))
    if more:
        more(said, evs)
    return got


def same_fs_dir():
    """A new directory on /etc's file system: /var/tmp or /tmp where they are on it,
    else under / (removed by the caller)."""
    dev = os.stat("/etc").st_dev
    for base in ("/var/tmp", "/tmp", "/"):
        if os.path.isdir(base) and os.stat(base).st_dev == dev:
            return tempfile.mkdtemp(prefix="hornet-attack-", dir=base)
    skip("no directory on the file system of /etc")


def simple(road):
    @test("read_shadow_by_" + road)
    def _():
        return attempt(road)


for _road in ("open", "openat", "openat2", "open_by_handle_at", "uring_openat",
              "uring_openat2"):
    simple(_road)


@test("read_shadow_by_proc_fd")
def _():
    need_shadow()
    fd = os.open(SHADOW, os.O_PATH)
    try:
        return attempt("proc_fd", str(fd), pass_fds=(fd,))
    finally:
        os.close(fd)


@test("read_shadow_by_hardlink")
def _():
    need_shadow()
    d = same_fs_dir()
    try:
        return attempt("hardlink", os.path.join(d, "innocent"))
    finally:
        shutil.rmtree(d)


@test("read_shadow_by_bind_mount")
def _():
    d = tempfile.mkdtemp(prefix="hornet-attack-",
                         dir=next(b for b in ("/var/tmp", "/tmp", "/") if os.path.isdir(b)))
    try:
        got = attempt("bind_mount", d)
        # the bind lived in the helper's own mount namespace, gone with it
        with open("/proc/self/mountinfo") as f:
            check(d not in f.read(), "the bind mount on %s leaked into the test's namespace" % d)
        return got
    finally:
        os.rmdir(d)


for _road in ("chroot", "dirfd", "dotdot", "slashes", "long_path", "sendfile", "splice",
              "mmap"):
    simple(_road)


def syscall_events(evs):
    """The events of the open syscalls' hooks (the kprobe kernels add vfs_open's)."""
    return [e for e in evs if (e.get("return") or {}).get("file_arg")]


@test("read_shadow_by_race")
def _():
    need_shadow()
    d = tempfile.mkdtemp(prefix="hornet-attack-")
    try:
        with open(os.path.join(d, "harmless"), "w") as f:
            f.write("nothing to see\n")

        def counted(said, evs):
            n = json.loads(said.splitlines()[0])
            check(n["shadow"] > 0 and n["other"] > 0,
                  "the race was not run both ways: %r" % n)
            got = len(syscall_events(evs))
            check(got == n["shadow"], "%d opens of /etc/shadow, %d reported (%r)" %
                  (n["shadow"], got, n))
        return attempt("race", d, more=counted)
    finally:
        shutil.rmtree(d)


def odd_name(road, name):
    @test("read_shadow_by_" + road)
    def _():
        need_shadow()
        d = tempfile.mkdtemp(prefix="hornet-attack-")
        try:
            link = os.path.join(os.fsencode(d), name)
            os.symlink(SHADOW, link)

            def exported(said, evs):
                # events() parsed each line as strict UTF-8 JSON: a raw newline or a
                # bad byte would have split or broken it
                asked = {(e.get("args") or [{}])[0].get("string_arg")
                         for e in syscall_events(evs)}
                want = link.decode("utf-8", "replace")
                check(asked == {want}, "the name asked for: %r, want %r" % (asked, want))
            return attempt(road, link, helper_road="named", more=exported)
        finally:
            shutil.rmtree(d)


odd_name("newline", b"sha\ndow")
odd_name("bad_utf8", b"sha\xff\xfedow")


@test("read_shadow_by_scm_rights")
def _():
    def opener_only(said, evs):
        n = json.loads(said.splitlines()[0])
        a = agent()
        check(not events_of(a, n["reader"]), "the reader %d was reported" % n["reader"])
    return attempt("scm_rights", more=opener_only)


if __name__ == "__main__":
    run()
