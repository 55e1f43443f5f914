# SPDX-License-Identifier: GPL-2.0
"""The agent as the benchmarks run it: started in a temporary directory,
ready when its API answers, and always stopped, even when the benchmark is
interrupted (the agent gets SIGTERM if the benchmark process dies, and the
benchmark stops it on SIGINT/SIGTERM and at exit)."""
import atexit
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
HORNET = os.path.join(BUILD, "hornet")
PR_SET_PDEATHSIG = 1

_running = set()


def _stop_all(*_):
    for a in list(_running):
        a.stop()


def _on_signal(signum, frame):
    _stop_all()
    sys.exit(128 + signum)


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Agent:
    def __init__(self, extra=(), export=True, policies=()):
        self.dir = tempfile.mkdtemp(prefix="hornet-bench-")
        self.sock = os.path.join(self.dir, "s.sock")
        self.export = os.path.join(self.dir, "events.json") if export else ""
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([HORNET, "agent", "--socket", self.sock,
                                      "--export-file", self.export,
                                      "--export-file-max-size-mb", "64",
                                      "--export-file-max-backups", "1"] + list(extra),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)
        _running.add(self)
        while True:
            r = subprocess.run([HORNET, "status", "-o", "json", "--socket", self.sock],
                               capture_output=True)
            if r.returncode == 0:
                self.ready_outside = time.monotonic() - self.t0
                self.first_status = json.loads(r.stdout)
                break
            if self.proc.poll() is not None:
                self.stop()
                sys.exit("agent failed to start")
            time.sleep(0.005)
        for p in policies:
            self.add(p)

    def add(self, text):
        r = subprocess.run([HORNET, "policy", "add", "-", "--socket", self.sock],
                           input=text.encode(), capture_output=True)
        if r.returncode:
            self.stop()
            sys.exit("policy add failed: %s" % r.stderr.decode())

    def status(self):
        return json.loads(subprocess.run([HORNET, "status", "-o", "json", "--socket", self.sock],
                                         capture_output=True).stdout)

    def rss_kb(self):
        """(current, peak) resident set in KiB"""
        with open("/proc/%d/status" % self.proc.pid) as f:
            d = dict(line.split(":", 1) for line in f)
        return int(d["VmRSS"].split()[0]), int(d["VmHWM"].split()[0])

    def cpu(self):
        """(user, system) seconds of CPU the agent used so far"""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tck = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tck, int(fields[12]) / tck

    def stop(self):
        if self not in _running:
            return
        _running.discard(self)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["rm", "-rf", self.dir])
