#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Unrelated activity for checking that the e2e tests hold on a busy machine:
short-lived processes, file opens and reads, and DNS queries, in a loop until
killed. The queries go to loopback only (127.0.0.53 and 127.0.0.1:5353, where
nothing needs to answer).

Usage: tests/lib/noise.py [SECONDS]    (beside `tests/run e2e`, as root or not)
"""
import os
import socket
import struct
import subprocess
import sys
import time


def query(name, server):
    q = struct.pack(">HHHHHH", os.getpid() & 0xffff, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(q, server)


def main():
    end = time.monotonic() + (float(sys.argv[1]) if len(sys.argv) > 1 else 1e9)
    i = 0
    while time.monotonic() < end:
        i += 1
        subprocess.run(["/bin/true"])
        subprocess.run(["/bin/sh", "-c", "cat /etc/hostname /etc/passwd > /dev/null; ls /etc > /dev/null"])
        for path in ("/etc/hostname", "/etc/os-release", "/proc/self/status"):
            with open(path, "rb") as f:
                f.read(64)
        query("noise%d.example.org" % i, ("127.0.0.53", 53))
        query("noise%d.example.net" % i, ("127.0.0.1", 5353))
        time.sleep(0.05)


if __name__ == "__main__":
    main()
