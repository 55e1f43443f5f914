#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Evasion, network: an outbound connection to loopback by every road there is, against the
network sensor (its connect and send events, with the owner process), the default pack's
hornet-raw-sockets (policies/raw-sockets.yaml, loaded alone into a real agent), and a
connect deny policy (tests/e2e/policies/deny-connect.yaml: 127.0.0.0/8 and the test's port,
for the helper binary alone). The outcome of each road: reported, denied or missed.

Each road runs in a process of its own (tests/helpers/attack_net), and its events are
selected by that process's pid (for a socket passed over a unix socket, by the pid of the
child that connects it). Only loopback and a network namespace of the test's own are used.
The outcome each road should have on a kernel comes from ROADS below, keyed by the
mechanism of the kernel's hooks (kprobes where the kernel has them, tracepoints and cgroup
programs where it has not); a road whose outcome differs FAILs, so that docs/security.md
never says what is no longer true. Each PASS line carries the outcome."""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HELPERS, ROOT, Agent, check, features, policy_doc, run, skip, test  # noqa: E402
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

RAW_POLICY_FILE = os.path.join(ROOT, "policies", "raw-sockets.yaml")
RAW_POLICY = "hornet-raw-sockets"
HELPER = os.path.join(HELPERS, "attack_net")
PY = "/usr/bin/python3"
DENY = "attack-deny-connect"
# the tests' names: PREFIX + a road of ROADS (scripts/security-table.py pairs them)
PREFIX = "connect_out_by_"

R, D, M = "reported", "denied", "missed"

# road: (what it does, {mechanism: expected outcome}, why it is missed and what would catch
# it). The mechanism: "kprobe" (6.1) or "tracepoint" (6.18 here: no kprobes, fentry nor BPF
# LSM; connect denials are cgroup connect programs).
ROADS = {
    "connect4": ("TCP connect(2) to 127.0.0.1", {"tracepoint": R, "kprobe": R}, ""),
    "connect6": ("TCP connect(2) to ::1", {"tracepoint": R, "kprobe": R}, ""),
    "mapped": ("TCP connect(2) on an AF_INET6 socket to ::ffff:127.0.0.1 (reported with "
               "that address)", {"tracepoint": R, "kprobe": R}, ""),
    "sendto": ("UDP sendto(2) to 127.0.0.1, no connect", {"tracepoint": R, "kprobe": R}, ""),
    "sendmsg": ("UDP sendmsg(2) to 127.0.0.1, no connect", {"tracepoint": R, "kprobe": R}, ""),
    "sendmmsg": ("UDP sendmmsg(2) of two datagrams to 127.0.0.1, no connect",
                 {"tracepoint": R, "kprobe": R}, ""),
    "scm_rights": ("a TCP socket passed over a unix socket (SCM_RIGHTS) to a child that "
                   "connects it", {"tracepoint": R, "kprobe": R}, ""),
    "raw": ("an AF_INET SOCK_RAW ICMP socket, an echo request to 127.0.0.1 "
            "(hornet-raw-sockets)", {"tracepoint": R, "kprobe": R}, ""),
    "packet": ("an AF_PACKET socket (hornet-raw-sockets)", {"tracepoint": R, "kprobe": R}, ""),
    # missed until the packet programs read TCP segments of port 53 (each message after a
    # 2-byte length, RFC 7766) as they read UDP datagrams
    "dns_tcp": ("a DNS query over TCP to a server on 127.0.0.1:53 in a network namespace of "
                "the test's own (process_dns)", {"tracepoint": R, "kprobe": R}, ""),
    "deny_connect4": ("TCP connect(2) to 127.0.0.1 under a deny of 127.0.0.0/8",
                      {"tracepoint": D, "kprobe": D}, ""),
    # missed on every kernel until IPv4-mapped addresses matched IPv4 CIDRs (match_addr)
    "deny_mapped": ("TCP connect(2) to ::ffff:127.0.0.1 under a deny of 127.0.0.0/8",
                    {"tracepoint": D, "kprobe": D}, ""),
    "deny_scm_rights": ("a TCP socket passed over SCM_RIGHTS, connected by the receiver, "
                        "under a deny of 127.0.0.0/8", {"tracepoint": D, "kprobe": D}, ""),
    # missed until the policy had the same rule on security_socket_sendmsg (a cgroup
    # sendmsg4/sendmsg6 program where the kernel has no BPF LSM)
    "deny_sendto": ("UDP sendto(2) to 127.0.0.1 without connect, under a deny of UDP "
                    "connects and sends to 127.0.0.0/8 (tests/e2e/policies/deny-udp.yaml: "
                    "security_socket_connect and security_socket_sendmsg)",
                    {"tracepoint": D, "kprobe": D}, ""),
}


def mechanism():
    return "kprobe" if features().get("kprobe") else "tracepoint"


def agent():
    check(os.path.exists(HELPER), "%s is missing: make build-tests (or make static)" % HELPER)
    return Agent.with_pack_policy(RAW_POLICY_FILE, RAW_POLICY)


def events_of(a, pid):
    """(kind, body) of the events of process @pid."""
    out = []
    for ev in a.events():
        for k, b in ev.items():
            if k.startswith("process_") and isinstance(b, dict) and \
                    b.get("process", {}).get("pid") == pid and k != "process_exit" and \
                    k != "process_exec":
                out.append((k, b))
    return out


def sock(b):
    return ((b.get("args") or [{}])[0]).get("sock_arg") or {}


def matches(road, dest, port):
    """Whether the event (kind, body) is the road's report."""
    def pred(kb):
        k, b = kb
        if road in ("raw", "packet"):
            return b.get("policy_name") == RAW_POLICY
        if road == "dns_tcp":
            return k == "process_dns" and \
                (b.get("question") or {}).get("name") == "hornet.example.org"
        if road.startswith("deny_"):
            return b.get("policy_name") in (DENY, "deny-udp")
        fn = "udp_sendmsg" if road.startswith("send") else "tcp_connect"
        s = sock(b)
        # an AF_INET6 socket that talks IPv4 has its destination as ::ffff:a.b.c.d
        return b.get("function_name") == fn and s.get("dport") == port and \
            s.get("daddr") in (dest, "::ffff:" + dest)
    return pred


def attempt(road, dest="127.0.0.1", port=0, prefix=(), a=None):
    """Runs the road in a process of its own; checks the outcome against ROADS and
    returns it, the note of the PASS line."""
    a = a or agent()
    addr = "::1" if road == "connect6" else "127.0.0.1"
    argv = list(prefix) + [HELPER, road.replace("deny_", ""), addr, str(port)]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=60)
    said = (out + err).decode(errors="replace").strip()
    if p.returncode == 3:
        skip("the kernel lacks this road: %s" % said)
    check(p.returncode in (0, 4), "%s exited with %d: %s" % (road, p.returncode, said))
    owner = p.pid
    if p.returncode == 0:
        owner = json.loads(said.splitlines()[0])["owner"]
    pred = matches(road, dest, port)
    deadline = time.monotonic() + 5
    while not any(pred(x) for x in events_of(a, owner)) and time.monotonic() < deadline:
        time.sleep(0.05)
    a.settle()
    evs = events_of(a, owner)
    mine = [x for x in evs if pred(x)]
    got = D if p.returncode == 4 else R if mine else M
    want = ROADS[road][1][mechanism()]
    seen = sorted({"%s %s %s:%s" % (k, b.get("function_name", b.get("policy_name", "")),
                                   sock(b).get("daddr", ""), sock(b).get("dport", ""))
                   for k, b in evs})
    check(got == want, "%s: expected %s, got %s: update docs/security.md (%s; events of pid "
          "%d: %r)" % (road, want, got, said, owner, seen))
    if road == "mapped" and got == R:
        return "%s (as %s)" % (got, sock(mine[0][1]).get("daddr"))
    if road == "scm_rights" and got == R:
        return "%s (owner: the receiver)" % got
    return got


def listener(family=socket.AF_INET, addr="127.0.0.1", kind=socket.SOCK_STREAM):
    s = socket.socket(family, kind)
    s.bind((addr, 0))
    if kind == socket.SOCK_STREAM:
        s.listen(16)
    return s


def tcp_road(road, family=socket.AF_INET, addr="127.0.0.1", dest="127.0.0.1"):
    @test(PREFIX + road)
    def _():
        s = listener(family, addr)
        try:
            return attempt(road, dest, s.getsockname()[1])
        finally:
            s.close()


tcp_road("connect4")
tcp_road("connect6", socket.AF_INET6, "::1", "::1")
tcp_road("mapped")
tcp_road("scm_rights")


def udp_road(road):
    @test(PREFIX + road)
    def _():
        s = listener(kind=socket.SOCK_DGRAM)
        try:
            return attempt(road, port=s.getsockname()[1])
        finally:
            s.close()


for _road in ("sendto", "sendmsg", "sendmmsg"):
    udp_road(_road)


def raw_road(road):
    @test(PREFIX + road)
    def _():
        return attempt(road)


raw_road("raw")
raw_road("packet")


DNS_TCP_SERVER = """
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 53))
s.listen(1)
print('ready', flush=True)
c, _ = s.accept()
n = struct.unpack('>H', c.recv(2))[0]
q = b''
while len(q) < n:
    q += c.recv(n - len(q))
ans = q[:2] + b'\\x81\\x80' + q[4:6] + b'\\x00\\x01\\x00\\x00\\x00\\x00' + q[12:] + \\
    b'\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x01\\x2c\\x00\\x04\\x0a\\x01\\x02\\x03'
c.sendall(struct.pack('>H', len(ans)) + ans)
c.close()
"""


@test(PREFIX + "dns_tcp")
def _():
    a = agent()
    name = "hornet-attack-%d" % os.getpid()
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True)
    if r.returncode:
        skip("ip netns add: %s" % r.stderr.decode().strip())
    srv = None
    try:
        ns = ["ip", "netns", "exec", name]
        subprocess.run(ns + ["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
        srv = subprocess.Popen(ns + [PY, "-c", DNS_TCP_SERVER], stdout=subprocess.PIPE)
        check(srv.stdout.readline().strip() == b"ready", "dns server did not start")
        return attempt("dns_tcp", port=53, prefix=ns, a=a)
    finally:
        if srv:
            srv.kill()
            srv.wait()
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def deny_road(road):
    @test(PREFIX + "deny_" + road)
    def _():
        a = agent()
        s = listener()
        port = s.getsockname()[1]
        try:
            a.add_policy(policy_doc("deny-connect", name=DENY, cidr="127.0.0.0/8", options="",
                                    extra="""      - index: 0
        operator: "DPort"
        values: ["%d"]
      matchBinaries:
      - operator: In
        values: ["%s"]
""" % (port, os.path.realpath(HELPER))))
            return attempt("deny_" + road, port=port, a=a)
        finally:
            s.close()


for _road in ("connect4", "mapped", "scm_rights"):
    deny_road(_road)


@test(PREFIX + "deny_sendto")
def _():
    a = agent()
    s = listener(kind=socket.SOCK_DGRAM)
    try:
        a.add_policy(policy_doc("deny-udp", binary=os.path.realpath(HELPER)))
        return attempt("deny_sendto", port=s.getsockname()[1], a=a)
    finally:
        s.close()


if __name__ == "__main__":
    run()
