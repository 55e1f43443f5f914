#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""`hornet profile record`, end to end: record a small workload (a copy of python of the
test's own running a script that starts a program, writes a file under a directory with a
hostile name and connects to a server on loopback), enforce the policy it writes, and check
that the workload still runs and that each kind of deviation is stopped. Recording again
into the same file merges."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import containers  # noqa: E402
from hornet import HORNET, Agent, check, in_cgroup, remove_cgroup, run, skip, test  # noqa: E402

PYTHON = os.path.realpath("/usr/bin/python3")
TRUE = os.path.realpath("/bin/true")
DATE = os.path.realpath("/bin/date")

# argv: data directory, port, and what to do besides the usual
WORKLOAD = r'''
import os, socket, subprocess, sys
data, port, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3]
subprocess.run([%(true)r], check=True)
with open(os.path.join(data, "out.txt"), "w") as f:
    f.write("x")
try:
    socket.create_connection(("127.0.0.1", port), timeout=10).close()
    print("connected", flush=True)
except PermissionError:
    print("connect denied", flush=True)
if extra == "exec":
    r = subprocess.run([%(date)r], capture_output=True)
    print("date exit %%d" %% r.returncode, flush=True)
elif extra == "open":
    open("/etc/hostname").close()
print("done", flush=True)
''' % {"true": TRUE, "date": DATE}


class Server:
    """A TCP server on loopback that accepts and closes."""
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.close()

    def close(self):
        self.sock.close()


def record(a, py, out, seconds, *extra):
    """Starts `hornet profile record`; returns it once it says it records."""
    p = subprocess.Popen([HORNET, "profile", "--socket", a.socket, "record", "--binary", py,
                          "--duration", str(seconds), "-o", out] + list(extra),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stderr.readline().decode()
    check("recording " + py in line, "profile record said %r" % line)
    return p


def workload(py, script, data, port, extra="none"):
    p = subprocess.run([py, script, data, str(port), extra], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode()


@test("a_recorded_profile_enforced_lets_the_workload_run_and_stops_deviations")
def _():
    d = tempfile.mkdtemp(prefix="hornet-profile-", dir="/var/tmp")
    # a directory whose name a policy must quote: a quote, a newline, a backslash
    data = os.path.join(d, "da\"ta\n\\x", "deep")
    os.makedirs(data)
    os.chmod(d, 0o755)
    servers = [Server(), Server()]
    a = Agent.shared()
    try:
        # python looks for files beside its binary and one directory up: both under d/x/,
        # so that d/ itself is not a directory the workload used
        os.makedirs(os.path.join(d, "x", "bin"))
        py = os.path.join(d, "x", "bin", "work-python")
        shutil.copy(PYTHON, py)
        script = os.path.join(d, "x", "bin", "work.py")
        with open(script, "w") as f:
            f.write(WORKLOAD)
        out = os.path.join(d, "profile.yaml")

        rec = record(a, py, out, 4)
        status, said = workload(py, script, data, servers[0].port)
        check(status == 0 and "connected" in said, "the workload: %d %r" % (status, said))
        stdout, stderr = rec.communicate(timeout=60)
        check(rec.returncode == 0 and b"1 programs" in stdout,
              "profile record: %d %r %r" % (rec.returncode, stdout, stderr))
        with open(out) as f:
            text = f.read()
        check('# Written by `hornet profile record`' in text and
              '- "%s"  # seen 1 time' % TRUE in text and
              '"127.0.0.1"  # seen' in text and '- "%d"  # seen 1 time' % servers[0].port in text,
              "the policy:\n%s" % text)
        check('"%s/"' % data.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
              in text, "the hostile directory is not quoted as a value:\n%s" % text)
        check("- action: Sigkill" not in text, "report mode wrote Sigkill:\n%s" % text)
        r = subprocess.run([HORNET, "policy", "check", out], capture_output=True, timeout=60)
        check(r.returncode == 0, "policy check: %r" % (r.stdout + r.stderr))

        # again, connecting to the other server, in enforce mode: merged
        rec = record(a, py, out, 4, "--enforce")
        status, said = workload(py, script, data, servers[1].port)
        check(status == 0, "the second recording's workload: %d %r" % (status, said))
        stdout, stderr = rec.communicate(timeout=60)
        check(rec.returncode == 0, "profile record: %r %r" % (stdout, stderr))
        with open(out) as f:
            text = f.read()
        check("merged with the earlier recordings" in text and
              '- "%d"  # from an earlier recording' % servers[0].port in text and
              '- "%d"  # seen 1 time' % servers[1].port in text and
              "- action: Sigkill" in text and "argError: -1" in text,
              "the merged policy:\n%s" % text)

        a.policy("add", out)
        try:
            for port in (servers[0].port, servers[1].port):
                for _ in range(5):
                    status, said = workload(py, script, data, port)
                    check(status == 0 and "connected" in said and said.endswith("done\n"),
                          "the recorded workload under its policy: %d %r" % (status, said))
            status, said = workload(py, script, data, servers[0].port, "exec")
            check(status == 0 and "date exit %d" % -signal.SIGKILL in said,
                  "a program it never ran: %d %r" % (status, said))
            status, said = workload(py, script, data, servers[0].port, "open")
            check(status == -signal.SIGKILL and "done" not in said,
                  "a file it never opened: %d %r" % (status, said))
            third = Server()
            try:
                status, said = workload(py, script, data, third.port)
            finally:
                third.close()
            check(status == 0 and "connect denied" in said,
                  "a port it never connected to: %d %r" % (status, said))
            # the system's python, another binary, is not the workload
            r = subprocess.run([PYTHON, script, data, str(servers[0].port), "open"],
                               capture_output=True, timeout=60)
            check(r.returncode == 0, "another binary was stopped: %r" % r.stdout)
        finally:
            a.policy("delete", "profile-work-python")
        check(not [n for n in a.policies() if n.startswith("hornet-profile-")],
              "recording policies left: %r" % list(a.policies()))
    finally:
        for s in servers:
            s.close()
        shutil.rmtree(d)


@test("a_cgroups_recorded_profile_stops_deviations_in_that_cgroup_only")
def _():
    """--cgroup ID: the workload runs in a cgroup v2 of the test's own; the policy written
    selects that cgroup (cgroupSelector), and enforced it stops a deviation there while the
    same program outside the cgroup runs on."""
    root = containers.unified_mount()
    if not root:
        skip("no cgroup v2 hierarchy")
    d = tempfile.mkdtemp(prefix="hornet-profile-cg-", dir="/var/tmp")
    os.chmod(d, 0o755)
    cg = os.path.join(root, "hornet-test-profile-%d" % os.getpid())
    os.mkdir(cg)
    server = Server()
    a = Agent.shared()
    out = os.path.join(d, "cg.yaml")
    inside = in_cgroup(cg)
    try:
        script = os.path.join(d, "work.py")
        with open(script, "w") as f:
            f.write(WORKLOAD)
        data = os.path.join(d, "data", "deep", "er")
        os.makedirs(data)
        p = subprocess.Popen([HORNET, "profile", "--socket", a.socket, "record", "--cgroup",
                              str(os.stat(cg).st_ino), "--duration", "4", "--enforce", "-o",
                              out], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = p.stderr.readline().decode()
        check("recording cgroup /" + os.path.basename(cg) in line, "profile said %r" % line)
        r = subprocess.run(inside + [PYTHON, script, data, str(server.port), "none"],
                           capture_output=True, timeout=120)
        check(r.returncode == 0 and b"connected" in r.stdout, "the workload: %r" % r.stdout)
        stdout, stderr = p.communicate(timeout=60)
        check(p.returncode == 0, "profile record: %r %r" % (stdout, stderr))
        with open(out) as f:
            text = f.read()
        check('  cgroupSelector:\n    paths:\n    - "/%s"\n' % os.path.basename(cg) in text and
              "matchBinaries" not in text and '- "%s"  # seen' % TRUE in text,
              "the policy:\n%s" % text)
        a.policy("add", out)
        try:
            r = subprocess.run(inside + [PYTHON, script, data, str(server.port), "none"],
                               capture_output=True, timeout=120)
            check(r.returncode == 0 and r.stdout.endswith(b"done\n"),
                  "the recorded workload under its policy: %r" % r.stdout)
            r = subprocess.run(inside + [PYTHON, script, data, str(server.port), "exec"],
                               capture_output=True, timeout=120)
            check(b"date exit %d" % -signal.SIGKILL in r.stdout,
                  "a program it never ran, in the cgroup: %r" % r.stdout)
            # (the test VMs have no /bin/date: there the exec fails, and is not killed)
            r = subprocess.run([PYTHON, script, data, str(server.port), "exec"],
                               capture_output=True, timeout=120)
            check(r.returncode != -signal.SIGKILL and
                  b"date exit %d" % -signal.SIGKILL not in r.stdout and
                  (b"date exit 0" in r.stdout or b"No such file" in r.stderr),
                  "outside the cgroup: %d %r %r" % (r.returncode, r.stdout, r.stderr[-200:]))
            pol = a.policies()["profile-" + os.path.basename(cg)]
            check(pol["scope"] == "cgroups /" + os.path.basename(cg), "scope %r" % pol["scope"])
        finally:
            a.policy("delete", "profile-" + os.path.basename(cg), check_ok=False)
    finally:
        server.close()
        shutil.rmtree(d)
        remove_cgroup(cg)


@test("profile_record_refuses_a_cgroup_that_is_not_one")
def _():
    a = Agent.shared()
    for arg, why in (("relative/path", "a path from the root starts with '/'"),
                     ("/no-such-cgroup-%d" % os.getpid(), "is not a cgroup under"),
                     ("999999999999", "no cgroup has id 999999999999")):
        r = subprocess.run([HORNET, "profile", "--socket", a.socket, "record", "--cgroup", arg,
                            "--duration", "1"], capture_output=True, timeout=60)
        check(r.returncode == 1 and why in r.stderr.decode(), "%s: %r" % (arg, r.stderr))


@test("a_pods_recorded_profile_stops_what_the_pod_never_did")
def _():
    """--pod: a runc container the agent knows as a pod (through its OCI hook), recorded
    while `cat` reads /etc/group in it; enforced, the pod may do that again and nothing else,
    and the host is untouched."""
    if not containers.runtime_available("runc"):
        skip("needs runc and busybox-static")
    a = Agent.shared()
    ns = "profile-%d" % os.getpid()
    d = tempfile.mkdtemp(prefix="hornet-profile-", dir="/var/tmp")
    out = os.path.join(d, "pod.yaml")
    hook = [HORNET, "oci-hook", "--socket", a.socket]
    with containers.Container(namespace=ns, hook=hook) as c:
        try:
            p = c.start()
            check(p.returncode == 0, "runc run: %s" % c.output())
            pod = "%s/%s" % (ns, c.pod_name)
            rec = subprocess.Popen([HORNET, "profile", "--socket", a.socket, "record", "--pod",
                                    pod, "--duration", "15", "-o", out, "--enforce"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            line = rec.stderr.readline().decode()
            check("recording pod " + pod in line, "profile record said %r" % line)
            # runc's own setup of each exec varies (it opens "/" in some, not in others):
            # a few of them are recorded, within the recording's 15 s even under emulation
            for _ in range(6):
                r = c.exec(["cat", "/etc/group"])
                check(r.returncode == 0, "cat in the pod: %r" % (r.stdout + r.stderr))
            stdout, stderr = rec.communicate(timeout=60)
            check(rec.returncode == 0, "profile record: %r %r" % (stdout, stderr))
            with open(out) as f:
                text = f.read()
            check('podSelector:\n    matchLabels:\n' in text and
                  '"k8s:io.kubernetes.pod.namespace": "%s"' % ns in text and
                  '"/etc/group"  # seen' in text and "matchBinaries" not in text,
                  "the pod's policy:\n%s" % text)
            a.policy("add", out)
            try:
                # what the pod did runs again; runc's setup of an exec, which varies, may
                # now and then do something no recorded exec did, and runc then says the
                # exec failed (255, "init-p"): never cat itself killed (137)
                codes = []
                for _ in range(4):
                    r = c.exec(["cat", "/etc/group"])
                    codes.append(r.returncode)
                    check(r.returncode == 0 or (r.returncode == 255 and "init" in r.stderr),
                          "what the pod did, again: %d %r" % (r.returncode, r.stderr))
                check(codes.count(0) >= 2, "what the pod did, again: %r" % codes)
                # killed (137), or, when runc's setup of the exec did something the
                # recording did not see, runc reports the exec failed (255): either way the
                # deviation never ran
                r = c.exec(["cat", "/proc/version"])
                check(r.returncode in (137, 255) and "Linux" not in r.stdout,
                      "a file the pod never read: %d %r" % (r.returncode, r.stdout))
                r = c.exec(["ls", "/"])
                check(r.returncode in (137, 255) and "bin" not in r.stdout,
                      "a program the pod never ran: %d %r" % (r.returncode, r.stdout))
                r = subprocess.run([os.path.realpath("/bin/cat"), "/etc/passwd"],
                                   capture_output=True, timeout=30)
                check(r.returncode == 0, "the host was stopped: %d" % r.returncode)
            finally:
                a.policy("delete", "profile-" + c.pod_name)
        finally:
            shutil.rmtree(d)
    r = subprocess.run([HORNET, "profile", "--socket", a.socket, "record", "--pod",
                        "%s/no-such-pod" % ns, "--duration", "1"], capture_output=True,
                       timeout=30)
    check(r.returncode == 1 and b"the agent knows no pod %s/no-such-pod" % ns.encode()
          in r.stderr, "an unknown pod: %r" % r.stderr)


@test("ctrl_c_ends_a_recording_early_writes_it_and_deletes_the_recording_policies")
def _():
    a = Agent.shared()
    d = tempfile.mkdtemp(prefix="hornet-profile-", dir="/var/tmp")
    try:
        out = os.path.join(d, "p.yaml")
        rec = record(a, PYTHON, out, "1h")
        rec.send_signal(signal.SIGINT)
        stdout, stderr = rec.communicate(timeout=30)
        check(rec.returncode == 0 and os.path.exists(out),
              "after SIGINT: %d %r %r" % (rec.returncode, stdout, stderr))
        check(not [n for n in a.policies() if n.startswith("hornet-profile-")],
              "recording policies left: %r" % list(a.policies()))
        r = subprocess.run([HORNET, "policy", "check", out], capture_output=True, timeout=60)
        check(r.returncode == 0, "the early policy: %r" % (r.stdout + r.stderr))
    finally:
        shutil.rmtree(d)


@test("profile_record_refuses_bad_input_with_where_and_why")
def _():
    a = Agent.shared()
    d = tempfile.mkdtemp(prefix="hornet-profile-", dir="/var/tmp")
    try:
        bad = os.path.join(d, "not-a-profile.yaml")
        with open(bad, "w") as f:
            f.write("a: [b\n")
        cases = [
            (["record", "--binary", "/nonexistent/x", "--duration", "1"], 1,
             "--binary '/nonexistent/x': No such file or directory"),
            (["record", "--binary", PYTHON, "--duration", "soon"], 2,
             "--duration 'soon': not a duration"),
            (["record", "--binary", PYTHON, "--duration", "9999h"], 2,
             "--duration '9999h': too long"),
            (["record", "--duration", "1"], 2,
             "needs --binary PATH, --pod [NAMESPACE/]NAME or --cgroup PATH|ID"),
            (["record", "--binary", PYTHON, "--pod", "x", "--duration", "1"], 2,
             "(one of them)"),
            (["replay"], 2, "the only command is 'record'"),
            (["record", "--binary", PYTHON, "--duration", "1", "-o", bad], 1,
             "not-a-profile.yaml: not a profile to merge with: "),
        ]
        for args, code, said in cases:
            r = subprocess.run([HORNET, "profile", "--socket", a.socket] + args,
                               capture_output=True, timeout=60)
            check(r.returncode == code and said in r.stderr.decode(),
                  "hornet profile %s: %d %r" % (" ".join(args), r.returncode, r.stderr))
        with open(bad) as f:
            check(f.read() == "a: [b\n", "the file that did not parse was changed")
        r = subprocess.run([HORNET, "profile", "--socket", os.path.join(d, "no.sock"), "record",
                            "--binary", PYTHON, "--duration", "1", "-o",
                            os.path.join(d, "p.yaml")], capture_output=True, timeout=60)
        check(r.returncode == 1 and not os.path.exists(os.path.join(d, "p.yaml")),
              "without an agent: %d %r" % (r.returncode, r.stderr))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    run()
