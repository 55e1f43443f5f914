#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Deny and report by name, end to end: a policy's DNSName and NotDNSName match the
names DNS answers gave for a connection's address, learned by the network sensor from
the answers themselves (per network namespace, for the answer's TTL, and only from the
server a socket asked); spec.tlsServerNames resets (or reports) a TLS connection by the
server name of its ClientHello, whatever its address.

Everything runs in network namespaces the tests create: a DNS server on 127.0.0.1:53
that answers from a table the test rewrites (and forges answers on request), an HTTP
server on port 8080 of every loopback address, and a client (a copy of python3 of the
test's own, which the policies name) that resolves names as a naive stub would (it takes
the first reply, from wherever it comes) and connects."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, Agent, Fail, check, run, test  # noqa: E402

PYTHON = os.path.realpath("/usr/bin/python3")

# Answers from the JSON table at argv[1], read again for each query:
# {"names": {NAME: [[ADDR, ...], TTL]}, "forge": {NAME: [ADDR, FROM, ID_DELTA]}}. A name
# in "forge" first gets a forged answer naming ADDR, sent from FROM:53 with the query's
# id plus ID_DELTA; the true answer follows 0.3 s later.
DNS_SERVER = r'''
import json, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
forgers = {}
print("ready", flush=True)

def name_of(q):
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    return ".".join(labels).lower(), i + 5

def answer(q, qid, end, addrs, ttl):
    flags = 0x8180 if addrs is not None else 0x8183
    out = struct.pack(">HHHHHH", qid, flags, 1, len(addrs or []), 0, 0) + q[12:end]
    for a in addrs or []:
        out += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, ttl, 4) + socket.inet_aton(a)
    return out

while True:
    q, peer = s.recvfrom(512)
    with open(sys.argv[1]) as f:
        table = json.load(f)
    name, end = name_of(q)
    qid = struct.unpack(">H", q[:2])[0]
    forge = table.get("forge", {}).get(name)
    if forge:
        src = forge[1]
        if src == "127.0.0.1":
            forgers[src] = s
        if src not in forgers:
            forgers[src] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            forgers[src].bind((src, 53))
        forgers[src].sendto(answer(q, (qid + forge[2]) & 0xffff, end, [forge[0]], 300), peer)
        time.sleep(0.3)
    addrs, ttl = table["names"].get(name, [None, 0])
    s.sendto(answer(q, qid, end, addrs, ttl), peer)
'''

# argv[1]: a JSON list of steps, each ["resolve", NAME] (the A records of the first reply
# to a query sent from an unconnected socket), ["connect", NAME or ADDR] (an HTTP GET to
# port 8080 of the address NAME resolved to last, or of ADDR), or ["sleep", SECONDS].
# Prints one JSON list: the addresses, or "ok", "EPERM" or the error of each step.
CLIENT = r'''
import json, socket, struct, sys, time
steps, out, known = json.loads(sys.argv[1]), [], {}

def resolve(name):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack(">HH", 1, 1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(10)
    u.sendto(q, ("127.0.0.1", 53))
    r = u.recvfrom(512)[0]
    u.close()
    count, i = struct.unpack(">H", r[6:8])[0], 12
    while r[i]:
        i += 1 + r[i]
    i += 5
    addrs = []
    for _ in range(count):
        i += 2 if r[i] & 0xc0 else 0
        rtype, _, _, rdlen = struct.unpack(">HHIH", r[i:i + 10])
        i += 10
        if rtype == 1:
            addrs.append(socket.inet_ntoa(r[i:i + 4]))
        i += rdlen
    return addrs

for step in steps:
    if step[0] == "sleep":
        time.sleep(step[1])
        out.append("slept")
    elif step[0] == "resolve":
        known[step[1]] = resolve(step[1])
        out.append(known[step[1]])
    else:
        addr = known[step[1]][0] if step[1] in known else step[1]
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(10)
        try:
            c.connect((addr, 8080))
            c.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            out.append("ok" if c.recv(64).startswith(b"HTTP/1") else "no answer")
        except PermissionError:
            out.append("EPERM")
        except OSError as e:
            out.append(str(e))
        c.close()
print(json.dumps(out), flush=True)
'''

POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "%(name)s"
spec:
  kprobes:
  - call: "security_socket_connect"
    syscall: false
    args:
    - index: 0
      type: "socket"
    - index: 1
      type: "sockaddr"
    selectors:
    - matchArgs:
      - index: 1
        operator: "%(op)s"
        values: %(values)s
      matchBinaries:
      - operator: In
        values: ["%(binary)s"]
      matchActions:
      - action: Override
        argError: -1
"""


class Netns:
    """A network namespace of the test's own, loopback up, with the DNS and HTTP servers."""

    def __init__(self, tag, table=None):
        self.name = "hornet-dns-%d-%s" % (os.getpid(), tag)
        self.procs = []
        r = subprocess.run(["ip", "netns", "add", self.name], capture_output=True)
        if r.returncode:
            raise Fail("ip netns add: %s" % r.stderr.decode())
        subprocess.run(self.cmd(["ip", "link", "set", "lo", "up"]), check=True)
        http = subprocess.Popen(self.cmd([PYTHON, "-m", "http.server", "--bind", "0.0.0.0",
                                          "8080"]), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.procs.append(http)
        if table:
            dns = subprocess.Popen(self.cmd([PYTHON, "-c", DNS_SERVER, table]),
                                   stdout=subprocess.PIPE)
            self.procs.append(dns)
            check(dns.stdout.readline().strip() == b"ready", "dns server did not start")
        # the HTTP server is up once it answers
        deadline = time.monotonic() + 30
        while subprocess.run(self.cmd([PYTHON, "-c", "import socket; socket.create_connection("
                                       "('127.0.0.1', 8080), 1)"]),
                             capture_output=True).returncode:
            if time.monotonic() > deadline:
                raise Fail("the HTTP server in %s did not start" % self.name)
            time.sleep(0.1)

    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + argv

    def close(self):
        for p in self.procs:
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Setup:
    """A directory with the client binary and the DNS table; one namespace with servers."""

    def __init__(self, names, forge=None):
        self.dir = tempfile.mkdtemp(prefix="hornet-dnsname-")
        self.client = os.path.join(self.dir, "dns-client")
        shutil.copy(PYTHON, self.client)
        self.table = os.path.join(self.dir, "table.json")
        self.set(names, forge)
        self.ns = []
        self.ns.append(Netns("a", self.table))

    def set(self, names, forge=None):
        with open(self.table + ".new", "w") as f:
            json.dump({"names": names, "forge": forge or {}}, f)
        os.rename(self.table + ".new", self.table)

    def run(self, steps, ns=0):
        r = subprocess.run(self.ns[ns].cmd([self.client, "-c", CLIENT, json.dumps(steps)]),
                           capture_output=True, timeout=120)
        if r.returncode:
            raise Fail("client: %s" % r.stderr.decode()[-500:])
        return json.loads(r.stdout), r

    def policy(self, name, op, values):
        return POLICY % {"name": name, "op": op, "values": json.dumps(values),
                         "binary": self.client}

    def close(self):
        for n in self.ns:
            n.close()
        shutil.rmtree(self.dir)


def dns_stats(a):
    return a.status()["dns_names"]


@test("dnsname_denies_connections_to_the_addresses_a_denied_name_resolved_to")
def _():
    a = Agent.shared()
    s = Setup({"a.blocked.test": [["127.0.0.10"], 300], "ok.test": [["127.0.0.11"], 300],
               "exact.test": [["127.0.0.12"], 300], "deep.x.exact.test": [["127.0.0.13"], 300]})
    try:
        a.add_policy(s.policy("deny-names", "DNSName", ["*.blocked.test", "EXACT.test."]))
        learned = dns_stats(a)["answers_learned"]
        out, _ = s.run([["resolve", "a.blocked.test"], ["connect", "a.blocked.test"],
                        ["resolve", "ok.test"], ["connect", "ok.test"],
                        ["resolve", "exact.test"], ["connect", "exact.test"],
                        ["resolve", "deep.x.exact.test"], ["connect", "deep.x.exact.test"],
                        ["connect", "127.0.0.14"]])
        check(out == [["127.0.0.10"], "EPERM", ["127.0.0.11"], "ok", ["127.0.0.12"], "EPERM",
                      ["127.0.0.13"], "ok", "ok"],
              "*.blocked.test and exact.test denied, nothing else: %r" % out)
        check(dns_stats(a)["answers_learned"] >= learned + 4, "%r" % dns_stats(a))
        # reported: the policy's event for the denied connect, with the address
        ev = a.wait_for(lambda e: e.get("process_kprobe", {}).get("policy_name") == "deny-names"
                        and e["process_kprobe"]["process"]["binary"] == s.client,
                        timeout=30, what="the denied connect's event")["process_kprobe"]
        addrs = [x.get("sockaddr_arg", {}).get("addr") for x in ev["args"]]
        check("127.0.0.10" in addrs or "127.0.0.12" in addrs, "event args %r" % ev["args"])
        # the names of another network namespace are its own: there the address is no name's
        s.ns.append(Netns("b"))
        out, _ = s.run([["connect", "127.0.0.10"]], ns=1)
        check(out == ["ok"], "a name learned in another namespace applied: %r" % out)
    finally:
        a.policy("delete", "deny-names", check_ok=False)
        s.close()


@test("notdnsname_star_allows_egress_only_to_addresses_some_answer_named")
def _():
    a = Agent.shared()
    s = Setup({"app.test": [["127.0.0.20"], 300]},
              forge={"forged.test": ["127.0.0.21", "127.0.0.2", 0],
                     "badid.test": ["127.0.0.22", "127.0.0.1", 1]})
    try:
        a.add_policy(s.policy("names-only", "NotDNSName", ["*"]))
        refused = dns_stats(a)["answers_refused"]
        out, _ = s.run([["connect", "127.0.0.20"], ["resolve", "app.test"],
                        ["connect", "app.test"],
                        # the stub takes the first reply: a forged one, from another source
                        # or with another id; the kernel learns neither
                        ["resolve", "forged.test"], ["connect", "forged.test"],
                        ["resolve", "badid.test"], ["connect", "badid.test"]])
        check(out == ["EPERM", ["127.0.0.20"], "ok", ["127.0.0.21"], "EPERM",
                      ["127.0.0.22"], "EPERM"],
              "only a named address may be reached, forged answers name none: %r" % out)
        check(dns_stats(a)["answers_refused"] >= refused + 2, "%r" % dns_stats(a))
    finally:
        a.policy("delete", "names-only", check_ok=False)
        s.close()


@test("dnsname_follows_answers_that_change_and_expire")
def _():
    a = Agent.shared()
    # 10 s: time for two clients to start under emulation while the first answer holds
    ttl = 10
    s = Setup({"svc.blocked.test": [["127.0.0.30"], ttl]})
    try:
        a.add_policy(s.policy("deny-changing", "DNSName", ["*.blocked.test"]))
        out, _ = s.run([["resolve", "svc.blocked.test"], ["connect", "127.0.0.30"]])
        answered = time.monotonic()  # the first answer came before this
        check(out == [["127.0.0.30"], "EPERM"], "first answer: %r" % out)
        # the name moves: the new address is denied, the old one still while its TTL lasts
        s.set({"svc.blocked.test": [["127.0.0.31"], 300]})
        out, _ = s.run([["resolve", "svc.blocked.test"], ["connect", "127.0.0.31"],
                        ["connect", "127.0.0.30"]])
        check(time.monotonic() - answered < ttl, "too slow to test: the first answer expired")
        check(out == [["127.0.0.31"], "EPERM", "EPERM"], "after the change: %r" % out)
        # past the first answer's TTL, its address is no longer the name's
        wait = max(0.0, answered + ttl + 1 - time.monotonic())
        out, _ = s.run([["sleep", wait], ["connect", "127.0.0.30"], ["connect", "127.0.0.31"]])
        check(out == ["slept", "ok", "EPERM"], "after the first answer expired: %r" % out)
    finally:
        a.policy("delete", "deny-changing", check_ok=False)
        s.close()


@test("dnsname_bad_values_are_refused_with_where_and_why")
def _():
    a = Agent.shared()
    cases = [
        (["*.*.test"], "a wildcard is '*' alone or '*.' before a name"),
        (["bad name.test"], "byte 0x20 at 3"),
        (["a..test"], "an empty label"),
        (["x" * 64 + ".test"], "a label longer than 63 bytes"),
        (["*.a.b.c.d.e.f.g.h.test"], "at most 8 labels"),
    ]
    for values, why in cases:
        pol = POLICY % {"name": "bad-dns", "op": "DNSName", "values": json.dumps(values),
                        "binary": "/nonexistent"}
        r = a.policy("add", "-", text=pol, check_ok=False)
        err = r.stderr.decode()
        check(r.returncode != 0 and why in err and "values[0]" in err, "%r: %r" % (values, err))
    # a DNSName on a string argument
    pol = ("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bad-dns\n"
           "spec:\n  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n"
           "    args:\n    - index: 1\n      type: string\n    selectors:\n    - matchArgs:\n"
           "      - index: 0\n        operator: DNSName\n        values: [\"a.test\"]\n")
    r = a.policy("add", "-", text=pol, check_ok=False)
    check(r.returncode != 0 and "operator 'DNSName' does not apply" in r.stderr.decode(),
          r.stderr.decode())
    check("bad-dns" not in a.policies(), "a refused policy is listed")


@test("dnsname_is_refused_by_an_agent_that_reads_no_dns_answers")
def _():
    a = Agent("--inspect-packets=false")
    try:
        pol = POLICY % {"name": "no-names", "op": "DNSName", "values": '["a.test"]',
                        "binary": "/nonexistent"}
        r = a.policy("add", "-", text=pol, check_ok=False)
        err = r.stderr.decode()
        check(r.returncode != 0 and "spec.kprobes[0] 'security_socket_connect'" in err and
              "--inspect-packets=false" in err, err)
    finally:
        a.stop()


# A TLS server on 127.0.0.1:8443 (certificate and key in argv[1], argv[2]): each
# handshake's server name (from the ClientHello) on a line, then "hello" to the client.
TLS_SERVER = r"""
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ctx.sni_callback = lambda sock, name, c: print("sni", name or "-", flush=True)
srv = socket.socket()
srv.bind(("127.0.0.1", 8443))
srv.listen(16)
print("ready", flush=True)

def serve(c):
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.sendall(b"hello")
        t.close()
    except (OSError, ssl.SSLError):
        c.close()

while True:
    c, _ = srv.accept()
    c.settimeout(30)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""

# A TLS client to 127.0.0.1:8443 naming argv[1] ("-": no name); prints what came of it
# and how long it took, as JSON.
TLS_CLIENT = r"""
import json, socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t0 = time.monotonic()
s = socket.create_connection(("127.0.0.1", 8443), timeout=20)
try:
    t = ctx.wrap_socket(s, server_hostname=None if sys.argv[1] == "-" else sys.argv[1])
    out = t.recv(16).decode()
except (OSError, ssl.SSLError) as e:
    out = type(e).__name__
print(json.dumps([out, time.monotonic() - t0]), flush=True)
"""

TLS_POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "%(name)s"
spec:
  tlsServerNames:
  - operator: %(op)s
    values: %(values)s
    action: %(action)s
"""


class TlsSetup(Setup):
    """Setup, with a TLS server in the namespace."""

    def __init__(self):
        Setup.__init__(self, {})
        cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "1", "-subj", "/CN=hornet-test"],
                       check=True, capture_output=True)
        self.server = subprocess.Popen(self.ns[0].cmd([PYTHON, "-u", "-c", TLS_SERVER, cert,
                                                       key]), stdout=subprocess.PIPE)
        self.ns[0].procs.append(self.server)
        check(self.server.stdout.readline().strip() == b"ready", "TLS server did not start")
        self.seen = []

    def hello(self, name):
        r = subprocess.run(self.ns[0].cmd([self.client, "-c", TLS_CLIENT, name]),
                           capture_output=True, timeout=60)
        if r.returncode:
            raise Fail("TLS client: %s" % r.stderr.decode()[-500:])
        return json.loads(r.stdout)

    def names_seen(self):
        """The server names of the handshakes the server has seen so far."""
        import select
        while select.select([self.server.stdout], [], [], 0.5)[0]:
            line = self.server.stdout.readline().decode().split()
            if line[:1] == ["sni"]:
                self.seen.append(line[1])
        return self.seen


def tls_events(a, policy, sni):
    return [e["process_tls"] for e in a.events() if "process_tls" in e and
            e["process_tls"].get("policy_name") == policy and
            e["process_tls"].get("sni", "-") == sni]


@test("tls_server_name_resets_the_connection_before_its_handshake")
def _():
    a = Agent.shared()
    s = TlsSetup()
    tag = "t%d" % os.getpid()
    try:
        a.add_policy(TLS_POLICY % {"name": "tls-reset", "op": "In", "action": "Reset",
                                   "values": json.dumps(["*.blocked-%s.test" % tag])})
        out, took = s.hello("www.blocked-%s.test" % tag)
        # aborted (SOCK_DESTROY), or shut down where the kernel cannot abort (the VMs'
        # kernels have sock_diag as modules they cannot load); at once, not at the
        # server's timeout (30 s)
        check(out in ("ConnectionAbortedError", "ConnectionResetError", "SSLEOFError",
                    "SSLZeroReturnError") and
              took < 10, "the hello naming a denied server: %r after %.1f s" % (out, took))
        out, _ = s.hello("ok-%s.test" % tag)
        check(out == "hello", "another name: %r" % out)
        seen = s.names_seen()
        check("ok-%s.test" % tag in seen and "www.blocked-%s.test" % tag not in seen,
              "the server saw the denied hello: %r" % seen)
        ev = a.wait_for(lambda e: tls_events(a, "tls-reset", "www.blocked-%s.test" % tag),
                        timeout=30, what="the reset's event")
        ev = tls_events(a, "tls-reset", "www.blocked-%s.test" % tag)[0]
        check(ev["action"] == "TLS_ACTION_RESET" and ev["destination"] == "127.0.0.1:8443" and
              ev["process"]["binary"] == s.client, "event %r" % ev)
        check(not tls_events(a, "tls-reset", "ok-%s.test" % tag), "the allowed hello posted")
    finally:
        a.policy("delete", "tls-reset", check_ok=False)
        s.close()


@test("tls_notin_reports_every_other_server_name_and_a_hello_without_one")
def _():
    a = Agent.shared()
    s = TlsSetup()
    tag = "t%d" % os.getpid()
    try:
        # reported only: a NotIn that reset would reset every other TLS connection of the
        # machine while the test runs
        a.add_policy(TLS_POLICY % {"name": "tls-only", "op": "NotIn", "action": "Post",
                                   "values": json.dumps(["ok-%s.test" % tag,
                                                         "*.ok-%s.test" % tag])})
        results = [s.hello(n)[0] for n in ("ok-%s.test" % tag, "api.ok-%s.test" % tag,
                                           "other-%s.test" % tag, "-")]
        check(results == ["hello"] * 4, "a reporting rule reset something: %r" % results)
        a.wait_for(lambda e: tls_events(a, "tls-only", "other-%s.test" % tag), timeout=30,
                   what="the report of another name")
        ev = tls_events(a, "tls-only", "other-%s.test" % tag)[0]
        check(ev["action"] == "TLS_ACTION_POST", "event %r" % ev)
        a.wait_for(lambda e: [x for x in tls_events(a, "tls-only", "-")
                              if x["process"]["binary"] == s.client],
                   timeout=30, what="the report of the hello without a name")
        check(not tls_events(a, "tls-only", "ok-%s.test" % tag) and
              not tls_events(a, "tls-only", "api.ok-%s.test" % tag),
              "an allowed name was reported")
    finally:
        a.policy("delete", "tls-only", check_ok=False)
        s.close()


@test("tls_server_names_bad_input_is_refused_with_where_and_why")
def _():
    a = Agent.shared()
    cases = [
        (TLS_POLICY % {"name": "bad-tls", "op": "Into", "action": "Reset", "values": '["a.test"]'},
         "spec.tlsServerNames[0].operator: unknown operator 'Into' (valid: In, NotIn)"),
        (TLS_POLICY % {"name": "bad-tls", "op": "In", "action": "Kill", "values": '["a.test"]'},
         "spec.tlsServerNames[0].action: unknown action 'Kill' (valid: Reset, Post)"),
        (TLS_POLICY % {"name": "bad-tls", "op": "In", "action": "Reset", "values": '["a b"]'},
         "spec.tlsServerNames[0].values[0]: 'a b' is not a DNS name"),
        (TLS_POLICY % {"name": "bad-tls", "op": "In", "action": "Reset", "values": "[]"},
         "spec.tlsServerNames[0].values: at least one server name is needed"),
    ]
    for text, why in cases:
        r = a.policy("add", "-", text=text, check_ok=False)
        check(r.returncode != 0 and why in r.stderr.decode(), "%r: %r" % (why, r.stderr))
    check("bad-tls" not in a.policies(), "a refused policy is listed")


@test("profile_record_allows_destinations_by_their_dns_names")
def _():
    """`hornet profile record` writes NotDNSName beside NotSAddr: enforced, the workload
    still reaches its name when the name moves to another address."""
    a = Agent.shared()
    s = Setup({"svc.profile.test": [["127.0.0.40"], 300]})
    out = os.path.join(s.dir, "profile.yaml")
    try:
        rec = subprocess.Popen([HORNET, "profile", "--socket", a.socket, "record", "--binary",
                                s.client, "--duration", "4", "--enforce", "-o", out],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = rec.stderr.readline().decode()
        check("recording " + s.client in line, "profile record said %r" % line)
        res, _ = s.run([["resolve", "svc.profile.test"], ["connect", "svc.profile.test"]])
        check(res == [["127.0.0.40"], "ok"], "the workload: %r" % res)
        stdout, stderr = rec.communicate(timeout=60)
        check(rec.returncode == 0, "profile record: %r %r" % (stdout, stderr))
        with open(out) as f:
            text = f.read()
        check('operator: "NotDNSName"\n        values:\n        - "svc.profile.test"\n' in text
              and '- "127.0.0.40"  # ("svc.profile.test") seen' in text,
              "the policy:\n%s" % text)
        # enforced: the name moves, and the workload follows it; an address no answer named
        # is refused
        s.set({"svc.profile.test": [["127.0.0.41"], 300]})
        check('  name: "profile-dns-client"\n' in text, "the policy's name:\n%s" % text)
        a.add_policy(text)
        res, _ = s.run([["resolve", "svc.profile.test"], ["connect", "svc.profile.test"],
                        ["connect", "127.0.0.42"]])
        check(res == [["127.0.0.41"], "ok", "EPERM"], "enforced: %r" % res)
    finally:
        a.policy("delete", "profile-dns-client", check_ok=False)
        s.close()


if __name__ == "__main__":
    run()
