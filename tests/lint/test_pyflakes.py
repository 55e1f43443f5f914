#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The Python of the tests, benchmarks and scripts has no unused imports or
names, no undefined names and no format strings that do not match their
arguments (pyflakes)."""
import os
import subprocess
import sys

ROOT = os.environ.get("HORNET_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def python_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                         capture_output=True)
    found = []
    for f in out.stdout.decode().split():
        path = os.path.join(ROOT, f)
        if not os.path.isfile(path):
            continue
        if f.endswith(".py"):
            found.append(f)
            continue
        with open(path, "rb") as fh:
            if fh.readline().startswith((b"#!/usr/bin/python3", b"#!/usr/bin/env python3")):
                found.append(f)
    return sorted(found)


def main():
    if subprocess.run([sys.executable, "-c", "import pyflakes"], capture_output=True).returncode:
        print("SKIP pyflakes: python3-pyflakes is not installed")
        return
    files = python_files()
    r = subprocess.run([sys.executable, "-m", "pyflakes"] + files, cwd=ROOT, capture_output=True)
    found = r.stdout.decode().strip().splitlines() + r.stderr.decode().strip().splitlines()
    if r.returncode == 0 and not found:
        print("PASS pyflakes (%d files)" % len(files))
    else:
        print("FAIL pyflakes: %s" % "; ".join(found[:20]))


main()
sys.exit(0)
