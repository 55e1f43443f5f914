#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Who can do what, end to end.

A real non-root user (nobody, through setpriv) runs `hornet status`, `hornet
events`, `hornet policy add/delete` against a running agent: each fails with
a clear error and changes nothing, first at the socket's mode and then, with
the socket's mode loosened on purpose, at the agent's own check of the peer
(SO_PEERCRED). The same user gets 401 from the HTTP API without the token or
with a wrong one, and cannot read the token. An agent refuses a socket
directory that another user could write to.

A policy cannot make the agent kill itself or init: a Sigkill on every
syscall of the agent's pid and of a test process kills the test process and
leaves the agent answering; a Sigkill, Signal or Override aimed only at pid 1
or at the agent (by pid or by binary) is refused at load, naming the policy,
the selector and why. pid 1 of a PID namespace of the test's own (a
container's init) is killed as any other process, as Tetragon does.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HORNET, Agent, Fail, check, free_port, host_only, run, skip,  # noqa: E402
                    test)

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
PYTHON = os.path.realpath("/usr/bin/python3")
DENIED = "permission denied: the agent's socket is root-only"

MKDIR_POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: %s
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_mkdirat
    args:
    - index: 6
      type: string
    selectors:
    - matchArgs:
      - index: 0
        operator: Postfix
        values: ["made-by-access-test"]
"""


def as_nobody(argv, text=None, timeout=30):
    if not shutil.which("setpriv"):
        skip("needs setpriv (util-linux)")
    return subprocess.run(NOBODY + argv, input=text.encode() if text is not None else None,
                          capture_output=True, timeout=timeout)


def hornet_binary():
    """The hornet binary where nobody can run it (the build tree may be closed)."""
    r = as_nobody([HORNET, "version"])
    if r.returncode == 0:
        return HORNET, None
    d = tempfile.mkdtemp(prefix="hornet-access-")
    os.chmod(d, 0o755)
    shutil.copy(HORNET, os.path.join(d, "hornet"))
    return os.path.join(d, "hornet"), d


def refused_everything(a, binary, where):
    """Every command as nobody fails with the clear error and changes nothing."""
    before = set(a.policies())
    a.skip_past()
    name = "nobody-%d" % os.getpid()
    cases = [
        ("status", ["status"], None),
        ("events", ["events", "-o", "json"], None),
        ("policy", ["policy", "add", "-"], MKDIR_POLICY % name),
        ("policy", ["policy", "delete", sorted(before)[0] if before else "x"], None),
        ("policy", ["policy", "list"], None),
    ]
    for cmd, args, text in cases:
        argv = [binary] + args[:1] + ["--socket", a.socket] + args[1:]
        r = as_nobody(argv, text=text)
        err = r.stderr.decode("utf-8", "replace")
        check(r.returncode != 0, "%s: hornet %s as nobody succeeded: %r" % (where, args, r.stdout))
        check(err.startswith("hornet %s: " % cmd) and DENIED in err,
              "%s: hornet %s as nobody: stderr %r" % (where, " ".join(args), err))
        check(not r.stdout.strip(), "%s: hornet %s printed %r" % (where, args, r.stdout[:300]))
    # root sees the same policies, and the agent still serves
    after = set(a.policies())
    check(after == before, "%s: policies changed: %r -> %r" % (where, before, after))
    a.status()


@test("nonroot_user_can_neither_read_events_nor_change_policies")
def _():
    host_only("the API socket")
    binary, tmp = hornet_binary()
    a = Agent()
    try:
        a.add_policy(MKDIR_POLICY % "root-policy")
        check(os.stat(a.socket).st_mode & 0o777 == 0o600,
              "socket mode %o" % (os.stat(a.socket).st_mode & 0o777))
        # 1: the directory (0700) keeps nobody out
        refused_everything(a, binary, "socket in a 0700 directory")
        # 2: a directory others may enter: the socket's mode 0600 keeps them out
        os.chmod(a.dir, 0o755)
        refused_everything(a, binary, "socket 0600")
        # 3: the socket opened to all by mistake: the agent's peer check holds
        os.chmod(a.socket, 0o666)
        refused_everything(a, binary, "socket 0666")
        # an event while nobody's `hornet events` is connected reaches no one
        ev = subprocess.Popen(NOBODY + [binary, "events", "--socket", a.socket, "-o", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        d = tempfile.mkdtemp(prefix="hornet-access-ev-")
        fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        os.mkdir("made-by-access-test", dir_fd=fd)      # mkdirat(2)
        os.close(fd)
        a.wait_for(lambda e: e.get("process_tracepoint", {}).get("policy_name") ==
                   "root-policy", what="the root policy's mkdirat event")
        try:
            out, err = ev.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            ev.kill()
            ev.communicate()
            raise Fail("nobody's hornet events still runs: it was not refused")
        shutil.rmtree(d, ignore_errors=True)
        check(ev.returncode != 0 and not out.strip(), "events as nobody: %d %r" %
              (ev.returncode, out[:300]))
        check(DENIED.encode() in err, "events stderr %r" % err)
        refused = a.status()["export"]["api_refused"]
        check(refused == 6, "refusals counted: %r, not 6" % refused)
    finally:
        a.stop()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


@test("nonroot_user_gets_401_from_the_http_api_and_cannot_read_the_token")
def _():
    host_only("the HTTP server")
    port = free_port()
    a = Agent("--http-listen", "127.0.0.1:%d" % port)
    try:
        os.chmod(a.dir, 0o755)      # so that only the token file's own mode keeps it
        token_file = os.path.join(a.dir, "http.token")
        r = as_nobody(["cat", token_file])
        check(r.returncode != 0 and not r.stdout, "nobody read the token: %r" % r.stdout)
        before = set(a.policies())
        script = r'''
import http.client, json, sys
port, policy = int(sys.argv[1]), sys.argv[2]
out = []
for auth in (None, "Bearer " + "0" * 64, "Bearer wrong-token-of-nobody"):
    for method, path, body in (("GET", "/api/v1/status", None),
                               ("GET", "/api/v1/policies", None),
                               ("GET", "/api/v1/events?since=-1h", None),
                               ("GET", "/api/v1/events/stream", None),
                               ("POST", "/api/v1/policies", policy.encode()),
                               ("DELETE", "/api/v1/policies/root-http", None)):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        h = {"Host": "127.0.0.1:%d" % port, "Content-Type": "application/yaml"}
        if auth:
            h["Authorization"] = auth
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        out.append([method, path, auth is not None, r.status, r.read(300).decode("utf-8", "replace")])
        c.close()
print(json.dumps(out))
'''
        a.add_policy(MKDIR_POLICY % "root-http")
        before = set(a.policies())
        r = as_nobody([PYTHON, "-c", script, str(port), MKDIR_POLICY % "nobody-http"])
        check(r.returncode == 0, "client as nobody: %s" % r.stderr.decode()[-1000:])
        for method, path, auth, status, body in json.loads(r.stdout):
            check(status == 401 and "token" in body,
                  "%s %s (token %s) as nobody: %d %r" % (method, path, auth, status, body))
        after = set(a.policies())
        check(after == before, "policies changed: %r -> %r" % (before, after))
    finally:
        a.stop()


def agent_start_error(sockdir):
    r = subprocess.run([HORNET, "agent", "--socket", os.path.join(sockdir, "hornet.sock"),
                        "--export-file", "", "--store", "", "--policy-dir", "",
                        "--http-listen", ""], capture_output=True, timeout=120)
    return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")


@test("socket_directory_others_can_write_is_refused")
def _():
    host_only("the API socket")
    base = tempfile.mkdtemp(prefix="hornet-access-dir-")
    try:
        os.chmod(base, 0o755)
        cases = []
        d = os.path.join(base, "open")
        os.mkdir(d)
        os.chmod(d, 0o777)
        cases.append((d, "writable by others (mode 0777)"))
        d = os.path.join(base, "sticky")      # as /tmp: others cannot remove, but can squat
        os.mkdir(d)
        os.chmod(d, 0o1777)
        cases.append((d, "writable by others (mode 1777)"))
        d = os.path.join(base, "nobodys")
        os.mkdir(d, 0o700)
        os.chown(d, 65534, 65534)
        cases.append((d, "belongs to uid 65534"))
        up = os.path.join(base, "group")       # a directory above it, writable by a group
        os.mkdir(up)
        os.chmod(up, 0o775)
        d = os.path.join(up, "inner")
        os.mkdir(d, 0o700)
        cases.append((d, "'%s' is writable by others (mode 0775)" % up))
        for d, why in cases:
            code, out = agent_start_error(d)
            check(code != 0, "%s: the agent started: %s" % (d, out[-500:]))
            check(why in out and "could replace the socket" in out,
                  "%s: error %r" % (d, out[-800:]))
            check(not os.path.exists(os.path.join(d, "hornet.sock")), "%s: socket made" % d)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- a policy cannot kill the agent or init -----------------------------------

def every_syscall_policy(name, pid_filters):
    """Sigkill at every syscall of the processes that the matchPIDs filters pick."""
    return """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: %s
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    raw: true
    args:
    - index: 1
      type: syscall64
    selectors:
    - matchPIDs:
%s
      matchActions:
      - action: Sigkill
      - action: Post
        rateLimit: "1m"
        rateLimitScope: process
""" % (name, pid_filters)


def pids_filter(pids, ns=False):
    return ("      - operator: In\n        values: [%s]\n" % ", ".join(map(str, pids)) +
            ("        isNamespacePID: true\n" if ns else ""))


def killed_within(p, timeout):
    """The signal that ended @p within @timeout (0: it exited, None: it runs). Not
    reaped: its pid, named by a policy, goes to no other process while the agent
    runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is not None and info.si_pid == p.pid:
            return info.si_status if info.si_code != os.CLD_EXITED else 0
        time.sleep(0.02)
    return None


@test("a_sigkill_on_the_agents_own_syscalls_leaves_it_running")
def _():
    """Every syscall of the agent and of a test process, Sigkill: the test
    process dies at once, the agent (which makes syscalls all the time, and
    more to answer) runs on and answers status and policy list."""
    loop = "import time\nwhile True: time.sleep(0.05)"
    victim = subprocess.Popen([PYTHON, "-c", loop])
    a = Agent()
    try:
        a.add_policy(every_syscall_policy("kill-agent-too", pids_filter([a.proc.pid, victim.pid])))
        sig = killed_within(victim, 10)
        check(sig == signal.SIGKILL, "the test process was not killed: %r" % sig)
        for _ in range(5):
            a.status()
            check("kill-agent-too" in a.policies(), "policy gone")
            time.sleep(0.2)
        check(a.proc.poll() is None, "the agent died: %r" % a.proc.returncode)
        stats = a.policies()["kill-agent-too"].get("stats", {})
        check(stats.get("actions_taken", 0) >= 1, "no kill counted: %r" % stats)
        own = [e for e in a.events() if e.get("process_tracepoint", {}).get("process", {})
               .get("pid") == a.proc.pid]
        check(not own, "%d events for the agent's own syscalls" % len(own))
    finally:
        a.stop()
        if victim.poll() is None:
            victim.kill()
        victim.wait()


@test("a_kill_aimed_only_at_init_or_the_agent_is_refused_at_load")
def _():
    a = Agent()
    me = os.path.realpath(HORNET)
    before = set(a.policies())
    cases = [
        ("kill-init", every_syscall_policy("kill-init", pids_filter([1])),
         "matchPIDs In [1]: a Sigkill aimed only at pid 1"),
        ("kill-self", every_syscall_policy("kill-self", pids_filter([a.proc.pid])),
         "matchPIDs In [%d]: a Sigkill aimed only at pid 1" % a.proc.pid),
        ("kill-both", every_syscall_policy("kill-both", pids_filter([1, a.proc.pid])),
         "or at the agent itself (pid %d:" % a.proc.pid),
        ("kill-binary", """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-binary
spec:
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_getpid
    selectors:
    - matchBinaries:
      - operator: In
        values: [%s]
      matchActions:
      - action: Signal
        argSig: 10
""" % me, "matchBinaries In [%s]: a Signal aimed only at the agent's own binary" % me),
    ]
    try:
        for name, doc, want in cases:
            r = a.policy("add", "-", text=doc, check_ok=False)
            err = r.stderr.decode("utf-8", "replace")
            check(r.returncode != 0, "%s was loaded" % name)
            check(("policy '%s'" % name) in err and "selectors[0]" in err and want in err,
                  "%s: error %r" % (name, err))
        check(set(a.policies()) == before or all(
            a.policies()[n]["state"] == "error" for n in set(a.policies()) - before),
            "a refused policy runs: %r" % a.policies())
        check(a.proc.poll() is None, "the agent died")
    finally:
        a.stop()


@test("pid_1_of_a_pid_namespace_of_our_own_is_killed_as_a_containers_init")
def _():
    """Only the initial namespace's init is spared: a container's init is a
    process like others (Tetragon kills it too). The selector holds both
    matchPIDs: pid 1 in its namespace, and the test's process by its host pid,
    so nothing else on the machine can match."""
    if not shutil.which("unshare"):
        skip("needs unshare (util-linux)")
    wait = "import sys, time\nsys.stdin.readline()\nwhile True: time.sleep(0.05)"
    # not the test's stdout: a namespace left behind would hold it, and tests/run waits on it
    outer = subprocess.Popen(["unshare", "-pf", "--mount-proc", PYTHON, "-c", wait],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    a = None
    inner = None
    try:
        deadline = time.monotonic() + 10
        while inner is None and time.monotonic() < deadline:
            try:
                with open("/proc/%d/task/%d/children" % (outer.pid, outer.pid)) as f:
                    kids = f.read().split()
                inner = int(kids[0]) if kids else None
            except OSError:
                pass
            time.sleep(0.05)
        check(inner, "no process in the new namespace")
        with open("/proc/%d/status" % inner) as f:
            nspid = [ln.split()[1:] for ln in f if ln.startswith("NSpid:")][0]
        check(nspid[-1] == "1", "not pid 1 of its namespace: NSpid %r" % nspid)
        a = Agent()
        a.add_policy(every_syscall_policy("kill-ns-init", pids_filter([1], ns=True) +
                                          pids_filter([inner])))
        outer.stdin.write(b"go\n")
        outer.stdin.flush()
        outer.wait(timeout=10)      # its status: unshare's own, whatever its child's end
        ev = a.wait_for(lambda e: e.get("process_exit", {}).get("process", {}).get("pid") ==
                        inner, what="exit event of the namespace's init")
        check(ev["process_exit"].get("signal") == "SIGKILL", "exit %r" % ev["process_exit"])
        stats = a.policies()["kill-ns-init"]["stats"]
        check(stats["actions_taken"] >= 1 and stats["actions_refused_init"] == 0,
              "stats %r" % stats)
        check(a.proc.poll() is None, "the agent died")
    finally:
        if a:
            a.stop()
        # the namespace's init first: killing unshare alone would leave it running
        if inner:
            try:
                os.kill(inner, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if outer.poll() is None:
            outer.kill()
        outer.wait()


if __name__ == "__main__":
    run()
