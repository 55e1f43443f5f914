#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/insns: what the verifier and the JIT make of hornet's programs.

Starts the agent with the default policy pack (policies/), lists every BPF
program the agent holds (the prog_id lines of /proc/PID/fdinfo) with its
type, the instructions the verifier walked (verified_insns, which is what
load time grows with), and its translated and JIT-compiled sizes; then
prints the totals and the agent's start-up time (launch to the first
answer of `hornet status`), and stops the agent. It prints numbers; it
does not pass or fail.
Environment: BENCH_POLICY_DIR (default policies/).
"""
import ctypes
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "lib"))
from hornet import ROOT, bench_agent  # noqa: E402


def prog_ids(pid):
    ids = set()
    fddir = "/proc/%d/fdinfo" % pid
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass  # closed meanwhile
    return ids


# struct bpf_prog_info (include/uapi/linux/bpf.h): a stable layout; bpftool
# 7.1 does not print verified_insns, so read the fields here.
INFO_SIZE = 232
PROG_TYPES = {1: "socket_filter", 2: "kprobe", 5: "tracepoint", 8: "cgroup_skb",
              9: "cgroup_sock", 17: "raw_tracepoint", 18: "cgroup_sock_addr",
              26: "tracing", 29: "lsm"}
libbpf = ctypes.CDLL("libbpf.so.1", use_errno=True)


def prog_info(prog_id):
    """(id, name, type, verified_insns, xlated bytes, jited bytes), or None if gone"""
    fd = libbpf.bpf_prog_get_fd_by_id(ctypes.c_uint32(prog_id))
    if fd < 0:
        return None
    buf = ctypes.create_string_buffer(INFO_SIZE)
    size = ctypes.c_uint32(INFO_SIZE)
    try:
        if libbpf.bpf_obj_get_info_by_fd(fd, buf, ctypes.byref(size)):
            return None
    finally:
        os.close(fd)
    raw = buf.raw
    ptype, = struct.unpack_from("I", raw, 0)
    jited, xlated = struct.unpack_from("II", raw, 16)
    name = raw[64:80].split(b"\0", 1)[0].decode()
    verified, = struct.unpack_from("I", raw, 216)
    return prog_id, name, PROG_TYPES.get(ptype, str(ptype)), verified, xlated, jited


def main():
    if os.geteuid() != 0:
        sys.exit("bench/insns: needs root")
    policy_dir = os.environ.get("BENCH_POLICY_DIR", os.path.join(ROOT, "policies"))
    a = bench_agent("--policy-dir", policy_dir)
    try:
        ready = a.ready_seconds
        ids = prog_ids(a.proc.pid)
        rows = [r for r in map(prog_info, sorted(ids)) if r]
        # the kernel keeps 15 bytes of a name; bpftool reads the whole from BTF
        shown = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True).stdout
        full = {p["id"]: p.get("name", "") for p in json.loads(shown or b"[]")}
    finally:
        a.stop()
    rows = sorted((full.get(r[0]) or r[1],) + r[2:] for r in rows)
    print("%-24s %-16s %9s %8s %8s" % ("name", "type", "verified", "xlated", "jited"))
    tot = [0, 0, 0]
    for r in rows:
        print("%-24s %-16s %9d %8d %8d" % r)
        tot = [t + x for t, x in zip(tot, r[2:])]
    print("%-24s %-16s %9d %8d %8d" % ("total", "%d programs" % len(rows), *tot))
    print("start-up (launch to first status answer): %.2f s" % ready)
    left = [i for i in ids if prog_info(i)]
    if left:
        print("still loaded after the agent stopped: %s" % " ".join(map(str, left)))


if __name__ == "__main__":
    main()
