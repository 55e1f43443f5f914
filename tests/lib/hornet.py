# SPDX-License-Identifier: GPL-2.0
"""Shared pieces of hornet's BPF and end-to-end tests.

A test module defines functions decorated with @test("name") and ends with
run(). Each test prints "PASS name", "FAIL name: why" or "SKIP name: why";
tests/run counts those lines. Tests start the real agent (Agent) against
real processes and assert on the JSON it exports.
"""
import atexit
import base64
import ctypes
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.environ.get("HORNET_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("HORNET_BUILD", os.path.join(ROOT, "build"))
HORNET = os.environ.get("HORNET_BIN", os.path.join(BUILD, "hornet"))
HELPERS = os.path.join(BUILD, "tests", "helpers")
POLICIES = os.path.join(ROOT, "tests", "e2e", "policies")
PR_SET_PDEATHSIG = 1

_tests = []


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def test(name, needs=()):
    """Registers a test; @needs lists kernel features (hornet probe names). A test
    that returns a string has it printed on its PASS line."""
    def wrap(fn):
        _tests.append((name, fn, tuple(needs)))
        return fn
    return wrap


_program_needs = ()


def program_needs(*names):
    """Every test of this program needs these kernel features (hornet probe names),
    as if each listed them in test(needs=): a program of policy tests names
    bpf_loop, which hornet's policy engine needs (Linux 5.17)."""
    global _program_needs
    _program_needs = tuple(names)


def policy_doc(_file, **values):
    """The policy document tests/e2e/policies/FILE.yaml with its $placeholders
    filled in from @values."""
    with open(os.path.join(POLICIES, _file + ".yaml")) as f:
        return string.Template(f.read()).substitute(values)


def check(cond, why):
    if not cond:
        raise Fail(why)


def skip(why):
    raise Skip(why)


_features = None


def in_cgroup(cg):
    """The argv prefix that runs a command in cgroup v2 directory @cg."""
    return ["/bin/sh", "-c", 'echo $$ > %s/cgroup.procs && exec "$@"' % cg, "sh"]


def remove_cgroup(cg):
    """Removes a test's cgroup once its last process has left (exits are not instant)."""
    for _ in range(50):
        try:
            os.rmdir(cg)
            return
        except OSError:
            time.sleep(0.1)


def free_port():
    """A free TCP port on loopback (for --http-listen, --metrics-server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_only(what):
    """Skips in the VMs a test of user-space code the host's run covers."""
    if os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm"):
        skip("user space only: %s is tested on the host" % what)


_policies_everywhere = False


def policies_on_every_kernel():
    """This program's policy tests run on kernels without bpf_loop() too."""
    global _policies_everywhere
    _policies_everywhere = True


def needs_policies():
    """Skips where the kernel lacks bpf_loop() (before Linux 5.17), unless the
    program said policies_on_every_kernel(): hornet loads its bounded policy
    engine there, which verifies several times longer, minutes a policy under
    QEMU's emulation; tests/e2e/test_bounded.py is its own suite there."""
    if not _policies_everywhere and not features().get("bpf_loop", True):
        skip("policy tests run where the kernel has bpf_loop() (Linux 5.17); "
             "test_bounded.py covers the bounded engine here")


def features():
    """The kernel's BPF features as `hornet probe -o json` finds them."""
    global _features
    if _features is None:
        out = subprocess.run([HORNET, "probe", "-o", "json"], capture_output=True, timeout=60)
        _features = {}
        if out.returncode == 0:
            for k, v in json.loads(out.stdout)["features"].items():
                _features[k] = v.get("available", False)
    return _features


def run():
    only = set(sys.argv[1:]) or set(filter(None, os.environ.get("HORNET_TESTS", "").split(",")))
    failed = False
    for name, fn, needs in _tests:
        if only and name not in only:
            continue
        t0 = time.monotonic()
        try:
            if os.geteuid() == 0:
                _held_by_other_agents()     # what other agents hold as the test begins
            if os.geteuid() != 0:
                raise Skip("needs root")
            missing = [n for n in needs + _program_needs if not features().get(n)]
            if missing:
                raise Skip("needs %s" % ", ".join(
                    {"lsm": "BPF LSM", "kprobe": "kprobes", "fentry": "fentry (BPF trampolines)",
                     "bpf_loop": "bpf_loop() (Linux 5.17) for TracingPolicies"}
                    .get(n, n) for n in missing))
            # a test may return a note for its PASS line (tests/attack: the outcome), which
            # tests/run keeps in its results JSON
            note = fn()
            print("PASS %s%s" % (name, ": %s" % note if isinstance(note, str) else ""),
                  flush=True)
        except Skip as e:
            print("SKIP %s: %s" % (name, e), flush=True)
        except Fail as e:
            failed = True
            print("FAIL %s: %s" % (name, str(e).replace("\n", " | ")[:2000]), flush=True)
        except Exception as e:  # a bug in the test or a crash of what it drives
            failed = True
            tb = traceback.format_exc().strip().splitlines()
            print("FAIL %s: %s: %s (%s)" % (name, type(e).__name__, str(e).replace("\n", " | ")[:1000],
                                            tb[-3].strip() if len(tb) > 2 else ""), flush=True)
        finally:
            for a in list(Agent.running):
                if a.shared:
                    try:
                        a.reset()
                    except Exception:   # whatever it was, the next test gets a new agent
                        a.shared = False
            Agent.stop_all(keep_shared=True)
            if os.environ.get("HORNET_TEST_TIMES"):
                print("time %s %.2f s" % (name, time.monotonic() - t0), flush=True)
    sys.exit(1 if failed else 0)


def _progs():
    """(id, name) of the BPF programs loaded in the kernel now."""
    out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, timeout=30)
    if out.returncode != 0:
        return []
    return [(p["id"], p.get("name", "")) for p in json.loads(out.stdout or b"[]")]


_others_seen = set()


def _held_by_other_agents():
    """Program ids that other hornet processes hold (through an fd or a link),
    or held when we last looked, so that tests ignore agents that are not
    theirs: an agent that has just exited (the shared agent of the program
    that ran before in this lane, with the whole pack) leaves programs the
    kernel frees only after a while under TCG. Program ids are not reused."""
    held = _others_seen
    # the agents shared by several tests stay up: not a test's leftovers
    mine = {a.proc.pid for a in Agent.running if not a.shared}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in mine or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/comm" % pid) as f:
                if f.read().strip() != "hornet":
                    continue
            held |= prog_ids_held(int(pid))
        except OSError:
            continue
    return held


def prog_ids_held(pid):
    """The BPF programs process @pid holds through its descriptors (links included).
    OSError when the process has gone."""
    ids = set()
    for fd in os.listdir("/proc/%d/fdinfo" % pid):
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except FileNotFoundError:  # closed meanwhile
            continue
    return ids


def wait_stats(a, name, pred, timeout=10):
    """Policy @name's counters on agent @a once pred(counters) holds, or after @timeout s."""
    deadline = time.monotonic() + timeout
    while True:
        st = a.policies()[name].get("stats", {})
        if pred(st) or time.monotonic() > deadline:
            return st
        time.sleep(0.1)


def file_event_path(e):
    """The path a file policy's event matched: the file an open syscall returned, the
    dentry of vfs_open (args[0]), or the file a link(2) links to (a string argument)."""
    ret = (e.get("return") or {}).get("file_arg")
    if ret:
        return ret.get("path", "?")
    a = (e.get("args") or [{}])[0]
    return ((a.get("path_arg") or a.get("file_arg") or {}).get("path") or a.get("string_arg")
            or "?")


def bpftool(*args):
    """`bpftool ARGS -j`, parsed. A listing walks the kernel's ids one by one, and
    fails when an object goes away between two steps (other tests, other agents):
    tried again, up to five times, before it counts as a failure."""
    for attempt in range(5):
        r = subprocess.run(["bpftool"] + list(args) + ["-j"], capture_output=True, timeout=30)
        if r.returncode == 0:
            return json.loads(r.stdout or b"null")
        if "pinned" in args:
            break
        time.sleep(0.1)
    raise Fail("bpftool %s: exit %d: %s %s" % (" ".join(args), r.returncode,
                                               r.stderr.decode().strip()[-500:],
                                               r.stdout.decode().strip()[-500:]))


def kernel_prog_ids():
    """The ids of every BPF program in the kernel, whoever loaded it."""
    return {p["id"] for p in bpftool("prog", "show") or []}


def kernel_link_progs():
    """The ids of the programs a BPF link holds attached."""
    return {ln.get("prog_id") for ln in bpftool("link", "show") or []}


def opens_by_path(a, policy, index=1):
    """{path: [event body]} of what @policy reported of agent @a so far, keyed by
    its argument @index (the path of an open)."""
    out = {}
    for ev in a.events():
        body = ev.get("process_kprobe") or ev.get("process_tracepoint")
        if body and body.get("policy_name") == policy:
            out.setdefault(body["args"][index].get("string_arg"), []).append(body)
    return out


def wait_opens(a, policy, want, timeout=10):
    """opens_by_path() once every path of @want is among them (or time is up), after
    a moment more, in which what should not come has had its chance too."""
    deadline = time.time() + timeout
    while not set(want) <= set(opens_by_path(a, policy)) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    return opens_by_path(a, policy)


def check_cel_lseek(a, name):
    """Loads tests/e2e/policies/lseek-cel.yaml as @name into agent @a, makes
    lseek(2) calls from a child of its own, and checks that the policy's
    CelExpr values select the calls they hold for and no other."""
    a.add_policy(policy_doc("lseek-cel", name=name))
    calls = [(-1, 0, 4096, True), (-1, 0, 1000, False), (-1, 0, 1024, True),
             (5, 0, 4096, False), (-2, 77, 0, True), (-2, 78, 0, False)]
    code = ("import os\nfor fd, off, wh in %r:\n    try:\n        os.lseek(fd, off, wh)\n"
            "    except OSError:\n        pass\n" % [c[:3] for c in calls])
    child = subprocess.Popen([sys.executable, "-c", code])
    check(child.wait(timeout=30) == 0, "the lseek child failed")

    def seen():
        out = []
        for ev in a.events():
            body = ev.get("process_kprobe") or ev.get("process_tracepoint")
            if body and body.get("policy_name") == name and \
                    body["process"]["pid"] == child.pid:
                out.append(tuple(x.get("int_arg", x.get("long_arg")) for x in body["args"]))
        return out
    want = [(c[2], c[0], c[1]) for c in calls if c[3]]
    deadline = time.time() + 20
    while len(seen()) < len(want) and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    check(sorted(seen()) == sorted(want), "CelExpr selected %r, want %r" % (seen(), want))


def check_iov_iter_sendmsg(a, name):
    """Loads into agent @a, as @name, a kprobe on security_socket_sendmsg that
    reads its message's iov_iter, and checks the bytes of a sendmsg() of two
    buffers and of a send() of one, made by a child of its own."""
    a.add_policy("""apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: %s
spec:
  kprobes:
  - call: security_socket_sendmsg
    args:
    - index: 1
      type: iov_iter
      resolve: msg_iter
    - index: 2
      type: int
""" % name)
    p = subprocess.run([sys.executable, "-c", "import os, socket\na, b = socket.socketpair()\n"
                        "a.sendmsg([b'hornet-', b'iov-iter'])\na.send(b'single')\n"
                        "print(os.getpid())"], capture_output=True, timeout=60)
    check(p.returncode == 0, "the sendmsg child failed: %r" % p.stderr)
    pid = int(p.stdout)

    def got():
        out = []
        for ev in a.events():
            body = ev.get("process_kprobe")
            if body and body.get("policy_name") == name and body["process"]["pid"] == pid:
                out.append((base64.b64decode(body["args"][0]["bytes_arg"]),
                            body["args"][1]["int_arg"]))
        return out
    deadline = time.monotonic() + 20
    while len(got()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    check(got() == [(b"hornet-iov-iter", 15), (b"single", 6)], "args %r" % got())


def exec_dir(name, runs):
    """A fresh directory @name in /dev/shm, or /var/tmp where /dev/shm is
    mounted noexec, in which the program @runs(dir) puts there runs (it
    returns True): the attack suites' payloads are run from it."""
    for base in ("/dev/shm", "/var/tmp"):
        if os.path.isdir(base):
            d = os.path.join(base, name)
            shutil.rmtree(d, ignore_errors=True)
            os.mkdir(d)
            if runs(d):
                return d
            shutil.rmtree(d)
    skip("neither /dev/shm nor /var/tmp can run programs")


def bpf_prog_names():
    return [n for _, n in _progs()]


def hornet_progs(settle=True, prefix="hornet_"):
    """hornet's programs whose names start with @prefix in the kernel, but
    those of other running agents. The kernel frees a program only after its
    links are gone (a trampoline's detach waits for RCU tasks), so wait for the
    list to settle: up to 30 s, as long as a detach, or an agent of another
    test (another lane of tests/run, another test run on this machine) that is
    stopping at this moment or starting between the two looks, may take under
    TCG with three lanes on one host thread. The wait ends as soon as no
    program with @prefix is left: ask for the programs that should be gone
    (`prefix="hornet_gen"` while the agent's own base programs stay)."""
    def current():
        # the holders are looked up again after the listing: an agent starting in
        # another lane while bpftool lists has loaded programs the first look missed
        _held_by_other_agents()
        listed = _progs()
        others = _held_by_other_agents()
        return sorted(n for i, n in listed if n.startswith(prefix) and i not in others)
    deadline = time.monotonic() + (30 if settle else 0)
    progs = current()
    while progs and time.monotonic() < deadline:
        time.sleep(0.1)
        progs = current()
    return progs


BPFFS = "/sys/fs/bpf"


def unpin_dir(d):
    """Removes the pins in @d (an agent's --bpffs-dir), and @d."""
    try:
        names = os.listdir(d)
    except OSError:
        return
    for n in names:
        try:
            os.unlink(os.path.join(d, n))
        except OSError:
            pass
    try:
        os.rmdir(d)
    except OSError:
        pass


def _die_with_parent():
    """The agent gets SIGTERM when the process that started it dies, even by
    SIGKILL (tests/run's timeout, a benchmark interrupted): no agent outlives
    its test and keeps programs in the kernel."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Agent:
    """A real `hornet agent` with its own export file, socket and log in a
    temporary directory. The tests and the benchmarks (bench/*/run.py) both
    start the agent through this class.

    Agent(ARGS...) starts an agent for one test: it is stopped, and its
    directory removed, when the test ends. Agent.shared(ARGS...) returns one
    agent per argument list for all the tests of a file that only read what it
    exports (starting an agent costs seconds under TCG in the VM): each test
    then sees only the events exported after it asked for the agent, and
    selects its own by its processes."""
    running = []
    stopped = []
    _shared = {}

    def __init__(self, *args, node="testnode", export=True, ready_timeout=120, poll=0.05,
                 binary=None):
        self.shared = False
        self.added = False      # a policy was added (reset() deletes it from a shared agent)
        self.base_policies = None   # Agent.shared(): the policies it started with
        self.dir = tempfile.mkdtemp(prefix="hornet-test-")
        self.export = os.path.join(self.dir, "events.json")
        self.socket = os.path.join(self.dir, "hornet.sock")
        self.log = os.path.join(self.dir, "agent.log")
        self.node = node
        if any(a == "--policy-dir" or a.startswith("--policy-dir=") for a in args):
            needs_policies()
        argv = [binary or HORNET, "agent", "--node-name", node, "--socket", self.socket,
                "--export-file", self.export if export else ""] + list(args)
        # events() reads one file: no rotation unless a test asks for it
        if "--export-file-max-size-mb" not in args:
            argv += ["--export-file-max-size-mb", "0"]
        # no port or system file shared between agents of parallel lanes: a test that
        # wants the HTTP server or the store asks for it with its own port and file
        if not any(a == "--http-listen" or a.startswith("--http-listen=") for a in args):
            argv += ["--http-listen", ""]
        if not any(a == "--store" or a.startswith("--store=") for a in args):
            argv += ["--store", ""]
        # its own directory on the BPF file system (what it pins outlives it): agents of
        # parallel lanes do not take each other's; removed with the test's files
        self.bpffs = None
        if not any(a == "--bpffs-dir" or a.startswith("--bpffs-dir=") for a in args):
            self.bpffs = os.path.join(BPFFS, os.path.basename(self.dir))
            argv += ["--bpffs-dir", self.bpffs]
        self.logf = open(self.log, "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        Agent.running.append(self)
        self._lines = []
        self._offset = 0
        self._poll = poll
        self.first_status = self.wait_ready(ready_timeout)
        # launch to the first answer of its API, as a user sees it (bench/exec)
        self.ready_seconds = time.monotonic() - self.t0

    @classmethod
    def shared(cls, *args):
        """The agent with @args shared by the tests of this file (started at
        the first call), with a view that begins now: events() returns only
        what it exports from here on."""
        a = cls._shared.get(args)
        if a is None or a.proc.poll() is not None:
            a = cls(*args)
            a.shared = True
            a.base_policies = set(a.policies())
            cls._shared[args] = a
        a.skip_past()
        return a

    def reset(self):
        """After a test: deletes the policies it added to this shared agent, or
        lets it be stopped when that fails (the next test then gets a new one)."""
        if not self.added or self.base_policies is None or self.proc.poll() is not None:
            return
        self.added = False
        try:
            for name in set(self.policies()) - self.base_policies:
                self.policy("delete", name)
        except (Fail, subprocess.TimeoutExpired, ValueError):
            self.shared = False     # stop_all() stops it with the test's own

    def skip_past(self):
        """Forgets the events exported so far: what follows is this test's."""
        self.events()
        self._lines = []

    def wait_ready(self, timeout=120):
        """The agent's first status. Generous: under TCG, or on a loaded machine, an agent
        takes tens of seconds to verify its programs, and `hornet status` to answer.
        It asks the socket itself until the agent says it is ready, then runs `hornet
        status` once: a `hornet status` per poll (5-10 ms of exec and dynamic linking
        each) would compete for the CPUs with the start it waits for, and add its own
        time to the wait (bench/exec's launch to ready)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fail("agent exited with %d at start: %s" % (self.proc.returncode, self.log_text()))
            self._wait_loaded(deadline)
            if self.proc.poll() is not None:
                continue
            try:
                # the API answers once every policy given at start is loaded
                r = subprocess.run([HORNET, "status", "--socket", self.socket, "-o", "json"],
                                   capture_output=True,
                                   timeout=max(1, min(60, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                continue
            if r.returncode == 0:
                return json.loads(r.stdout)
            time.sleep(self._poll)
        raise Fail("agent not ready after %d s: %s" % (timeout, self.log_text()))

    def _wait_loaded(self, deadline):
        """Until the socket says the agent is ready (or it exits, or the deadline)."""
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(max(1, deadline - time.monotonic()))
                    s.connect(self.socket)
                    s.sendall(b'{"command":"status"}\n')
                    reply = s.makefile("rb").readline()
                if json.loads(reply or b"{}").get("ready"):
                    return
            except (OSError, ValueError):
                pass
            time.sleep(self._poll)

    def status(self):
        # a busy agent (loading a policy) answers when done: seconds under TCG
        r = subprocess.run([HORNET, "status", "--socket", self.socket, "-o", "json"],
                           capture_output=True, timeout=60)
        if r.returncode != 0:
            raise Fail("hornet status failed: %s" % r.stderr.decode())
        return json.loads(r.stdout)

    def policy(self, *args, text=None, check_ok=True):
        """Runs `hornet policy ARGS` against this agent; @text goes to stdin."""
        if args[:1] in (("add",), ("check",)):
            needs_policies()
        self.added |= args[:1] == ("add",)
        r = subprocess.run([HORNET, "policy", "--socket", self.socket] + list(args),
                           input=text.encode() if text is not None else None,
                           capture_output=True, timeout=900)
        if check_ok and r.returncode != 0:
            raise Fail("hornet policy %s failed: %s" % (" ".join(args), r.stderr.decode().strip()))
        return r

    def add_policy(self, text, *args):
        return self.policy("add", "-", *args, text=text)

    def policies(self):
        r = self.policy("list", "-o", "json")
        return {p["name"]: p for p in json.loads(r.stdout)["policies"]}

    def log_text(self):
        self.logf.flush()
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def events(self):
        """Every event exported so far (the export file is flushed every 50 ms)."""
        if os.path.exists(self.export):
            with open(self.export, "rb") as f:
                f.seek(self._offset)
                data = f.read()
            end = data.rfind(b"\n") + 1
            self._offset += end
            for line in data[:end].splitlines():
                if line:
                    self._lines.append(json.loads(line))
        return self._lines

    def wait_for(self, pred, timeout=10, what="event"):
        """The first event for which pred(event) is true, waiting for it."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            evs = self.events()
            for ev in evs[seen:]:
                if pred(ev):
                    return ev
            seen = len(evs)
            if time.monotonic() > deadline:
                raise Fail("no %s within %d s (%d events seen)" % (what, timeout, len(evs)))
            time.sleep(0.05)

    def settle(self, timeout=60):
        """Until the agent has exported what it had: the events of a process that has
        exited are there once the exit of a process started after it is (tests/attack)."""
        marker = subprocess.Popen([os.path.realpath("/bin/true")])
        marker.wait()
        self.wait_for(lambda e: "process_exit" in e and
                      e["process_exit"]["process"]["pid"] == marker.pid,
                      timeout=timeout, what="exit of the marker process")

    @classmethod
    def with_pack_policy(cls, policy_file, policy):
        """The shared agent with the pack's @policy_file alone, @policy enabled (tests/attack);
        skips where the file does not exist."""
        if not os.path.exists(policy_file):
            skip("%s does not exist" % policy_file)
        a = cls.shared("--policy", policy_file)
        pol = a.policies().get(policy)
        check(pol and pol["state"] == "enabled", "%s: %r" % (policy, pol))
        return a

    def rss_kb(self):
        """(current, peak) resident set of the agent in KiB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            d = dict(line.split(":", 1) for line in f if ":" in line)
        return int(d["VmRSS"].split()[0]), int(d["VmHWM"].split()[0])

    def cpu(self):
        """(user, system) seconds of CPU the agent used so far."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tck = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tck, int(fields[12]) / tck

    def stop(self):
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    raise Fail("agent did not stop within 20 s of SIGTERM")
        finally:
            self.logf.close()
            if self in Agent.running:
                Agent.running.remove(self)
                Agent.stopped.append(self)  # its files stay until the test ends
        return self.proc.returncode

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.bpffs:
            unpin_dir(self.bpffs)

    @classmethod
    def stop_all(cls, keep_shared=False):
        for a in list(cls.running):
            if keep_shared and a.shared and a.proc.poll() is None:
                continue
            try:
                a.stop()
            except Fail:
                pass
        for a in cls.stopped:
            a.cleanup()
        cls.stopped = []


def bench_agent(*args, ready_timeout=120):
    """An agent as bench/*/run.py run it: the export file rotated at 64 MiB as
    in production rather than growing for the whole run, and readiness polled
    every 5 ms so that Agent.ready_seconds measures the launch."""
    return Agent("--export-file-max-size-mb", "64", "--export-file-max-backups", "1", *args,
                 poll=0.005, ready_timeout=ready_timeout)


def _on_signal(signum, frame):
    Agent.stop_all()
    sys.exit(128 + signum)


atexit.register(Agent.stop_all)
# interrupted (^C, kill): the agents stop too
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def kind(ev):
    for k in ev:
        if k.startswith("process_"):
            return k
    return None


def proc_of(ev):
    return ev[kind(ev)]["process"]


def is_exec(pid=None, binary=None):
    def pred(ev):
        if "process_exec" not in ev:
            return False
        p = ev["process_exec"]["process"]
        return (pid is None or p["pid"] == pid) and (binary is None or p.get("binary") == binary)
    return pred


def is_exit(pid=None, exec_id=None):
    def pred(ev):
        if "process_exit" not in ev:
            return False
        p = ev["process_exit"]["process"]
        return (pid is None or p["pid"] == pid) and (exec_id is None or p["exec_id"] == exec_id)
    return pred


def parse_arguments(s):
    """Splits an "arguments" string back into argv bytes (docs/events.md)."""
    out, i, n = [], 0, len(s)
    while i < n:
        if s[i] == " ":
            i += 1
            continue
        if s[i] != '"':
            j = s.find(" ", i)
            j = n if j < 0 else j
            out.append(s[i:j].encode())
            i = j
            continue
        i += 1
        arg = bytearray()
        while True:
            if i >= n:
                raise ValueError("unterminated quote in %r" % s)
            c = s[i]
            if c == '"':
                i += 1
                break
            if c == "\\":
                e = s[i + 1]
                if e == "x":
                    arg.append(int(s[i + 2:i + 4], 16))
                    i += 4
                    continue
                arg += {"n": b"\n", "t": b"\t", "r": b"\r", '"': b'"', "\\": b"\\"}[e]
                i += 2
                continue
            arg += c.encode()
            i += 1
        out.append(bytes(arg))
    return out
