#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The C sources follow .clang-format (the kernel's style), and every file
starts with an SPDX line."""
import os
import subprocess
import sys

ROOT = os.environ.get("HORNET_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def sources():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.c", "*.h"],
                         cwd=ROOT, capture_output=True)
    if out.returncode == 0 and out.stdout.strip():
        return sorted(set(out.stdout.decode().split()))
    found = []
    for top in ("src", "bpf", "include", "tests", "bench"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            found += [os.path.relpath(os.path.join(d, f), ROOT) for f in files
                      if f.endswith((".c", ".h"))]
    return sorted(found)


def main():
    files = [f for f in sources() if os.path.exists(os.path.join(ROOT, f))]
    if subprocess.run(["which", "clang-format"], capture_output=True).returncode:
        print("SKIP clang_format: clang-format is not installed")
    else:
        r = subprocess.run(["clang-format", "--dry-run", "--Werror"] + files, cwd=ROOT,
                           capture_output=True)
        bad = sorted({line.split(":")[0] for line in r.stderr.decode().splitlines()
                      if ": error:" in line})
        if r.returncode == 0:
            print("PASS clang_format")
        else:
            print("FAIL clang_format: not formatted: %s (run clang-format -i on them)" %
                  ", ".join(bad))
    missing = []
    for f in files:
        with open(os.path.join(ROOT, f), errors="replace") as fh:
            if "SPDX-License-Identifier" not in fh.readline():
                missing.append(f)
    if missing:
        print("FAIL spdx_first_line: %s" % ", ".join(missing))
    else:
        print("PASS spdx_first_line")


main()
sys.exit(0)
