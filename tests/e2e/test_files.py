#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""File observability end to end: examples/files/file-operations.yaml on a
temporary directory, a real workload doing each operation with relative
names, and the exported events: operation, full path, result."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import ROOT, Agent, check, run, test  # noqa: E402

PY = "/usr/bin/python3"
EXAMPLE = os.path.join(ROOT, "examples", "files", "file-operations.yaml")

# Every operation, relative to the cwd (the watched directory); prints
# nothing. Failing calls are part of it: their result is -errno.
WORKLOAD = r"""
import os
fd = os.open("a.txt", os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, b"0123456789" * 5)
os.close(fd)
fd = os.open("a.txt", os.O_RDONLY)
os.read(fd, 100)
os.pread(fd, 4, 1)
os.close(fd)
os.truncate("a.txt", 7)
fd = os.open("a.txt", os.O_RDWR)
os.ftruncate(fd, 3)
os.pwrite(fd, b"xy", 0)
os.fchmod(fd, 0o640)
os.fchown(fd, 4321, 4321)
os.close(fd)
os.chmod("a.txt", 0o600)
os.chown("a.txt", 1234, 1234)
os.link("a.txt", "b.txt")
os.symlink("/etc/hostname", "c.lnk")
os.rename("b.txt", "sub/d.txt")
os.unlink("sub/d.txt")
try:
    os.open("missing.txt", os.O_RDONLY)
except FileNotFoundError:
    pass
try:
    os.unlink("missing.txt")
except FileNotFoundError:
    pass
"""


def path_of(arg):
    if "string_arg" in arg:
        return arg["string_arg"]
    if "file_arg" in arg:
        return arg["file_arg"]["path"]
    return None


def operations(a, pid):
    """[(message, syscall base, [paths], return)] of @pid, in order."""
    out = []
    for ev in a.events():
        b = ev.get("process_kprobe")
        if not b or b.get("policy_name") != "file-operations" or b["process"]["pid"] != pid:
            continue
        fn = b["function_name"].split("sys_", 1)[-1]
        paths = [p for p in map(path_of, b.get("args", [])) if p is not None]
        out.append((b.get("message"), fn, paths, b.get("return", {}).get("int_arg")))
    return out


def find(ops, message, path, ret=None):
    for op in ops:
        if op[0] == message and path in op[2] and (ret is None or op[3] == ret):
            return op
    raise AssertionError


@test("file_operations_with_full_paths_and_results")
def _():
    d = tempfile.mkdtemp(prefix="hornet-files-", dir="/var/tmp")
    os.mkdir(os.path.join(d, "sub"))
    try:
        a = Agent()
        with open(EXAMPLE) as f:
            a.add_policy(f.read().replace("/srv/data/", d + "/"))
        w = subprocess.Popen([PY, "-c", WORKLOAD], cwd=d, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        _, err = w.communicate(timeout=30)
        check(w.returncode == 0, "workload failed: %s" % err.decode()[-300:])
        # the workload's own events: another process may work under /var/tmp too
        pid = w.pid
        deadline = time.time() + 10
        f = os.path.join(d, "a.txt")
        want = [("open", f, None), ("write", f, 50), ("read", f, 50), ("read", f, 4),
                ("truncate", f, 0), ("write", f, 2), ("chmod", f, 0), ("chown", f, 0),
                ("link", os.path.join(d, "b.txt"), 0), ("symlink", os.path.join(d, "c.lnk"), 0),
                ("rename", os.path.join(d, "sub", "d.txt"), 0),
                ("unlink", os.path.join(d, "sub", "d.txt"), 0),
                ("open", os.path.join(d, "missing.txt"), -2),
                ("unlink", os.path.join(d, "missing.txt"), -2)]
        while True:
            ops = operations(a, pid)
            missing = []
            for w in want:
                try:
                    find(ops, *w)
                except AssertionError:
                    missing.append(w)
            if not missing or time.time() > deadline:
                break
            time.sleep(0.2)
        check(not missing, "not reported: %r; got %r" % (missing, ops))
        # two truncates (by path, by fd), three chmod/chown by fd and by name
        check(sum(1 for o in ops if o[0] == "truncate" and o[3] == 0) == 2, "truncates %r" %
              [o for o in ops if o[0] == "truncate"])
        check(sum(1 for o in ops if o[0] in ("chmod", "chown") and o[3] == 0) == 4,
              "chmod/chown %r" % [o for o in ops if o[0] in ("chmod", "chown")])
        # the new fd of a successful open is its result
        opens = [o for o in ops if o[0] == "open" and f in o[2]]
        check(all(o[3] >= 0 for o in opens) and len(opens) == 3, "opens %r" % opens)
        # nothing outside the directory: the workload's python reads its own modules
        outside = [o for o in ops if not any(p.startswith(d + "/") for p in o[2])]
        check(not outside, "events for other paths: %r" % outside[:3])
    finally:
        shutil.rmtree(d)


run()
