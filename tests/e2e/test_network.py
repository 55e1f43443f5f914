#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The network sensor and connection policies, end to end: real sockets on
loopback and in network namespaces this test creates, real packets, the
exported events."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (Agent, Fail, bpftool, check, features, in_cgroup, policy_doc,  # noqa: E402
                    remove_cgroup, run, skip, test)

PY = "/usr/bin/python3"


def net_events(a, kind=None, function=None, pid=None):
    out = []
    for ev in a.events():
        for key, body in ev.items():
            if not key.startswith("process_") or not isinstance(body, dict):
                continue
            if kind and key != kind:
                continue
            if function and body.get("function_name") != function:
                continue
            if pid is not None and body.get("process", {}).get("pid") != pid:
                continue
            out.append((key, body))
    return out


def compact(a, types):
    """The agent's export file as `hornet events -o compact` prints it.

    The shared agent's file holds every event of the file's tests so far:
    under TCG, on a machine doing other work, reading it took over 20 s."""
    from hornet import HORNET
    r = subprocess.run([HORNET, "events", "--input", a.export, "-o", "compact", "--types", types],
                       capture_output=True, timeout=90)
    check(r.returncode == 0, "hornet events: %s" % r.stderr.decode())
    return r.stdout.decode().splitlines()


def wait_net(a, n=1, timeout=10, **kw):
    deadline = time.time() + timeout
    while True:
        evs = net_events(a, **kw)
        if len(evs) >= n or time.time() > deadline:
            return evs
        time.sleep(0.05)


SERVER = """
import socket, sys, time
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 0))
s.listen(5)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
got = 0
while got < 1234:
    got += len(c.recv(4096))
c.sendall(b'y' * 2500)
c.close()
s.close()
"""

CLIENT = """
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
c.sendall(b'x' * 1234)
n = 0
while True:
    d = c.recv(4096)
    if not d:
        break
    n += len(d)
c.close()
print(n)
"""


def tcp_roundtrip(a, addr, wait=0):
    """A connection from a client to a server on @addr; the server waits
    @wait seconds between the request and its answer."""
    server = SERVER.replace("c.sendall(", "time.sleep(%r)\nc.sendall(" % wait) if wait else SERVER
    srv = subprocess.Popen([PY, "-c", server, addr], stdout=subprocess.PIPE)
    port = int(srv.stdout.readline())
    cli = subprocess.Popen([PY, "-c", CLIENT, addr, str(port)], stdout=subprocess.PIPE)
    got = int(cli.communicate(timeout=20)[0])
    srv.wait(timeout=20)
    check(got == 2500, "client received %d bytes" % got)
    return srv.pid, cli.pid, port


def sock_of(body):
    return body["args"][0]["sock_arg"]


def tcp_lifecycle(addr, family):
    a = Agent.shared()
    srv, cli, port = tcp_roundtrip(a, addr)
    # the client closes one socket, the server two (the listener, the accepted one)
    wait_net(a, 1, function="tcp_close", pid=cli)
    wait_net(a, 2, function="tcp_close", pid=srv)
    listen = wait_net(a, function="inet_csk_listen_start", pid=srv)
    conn = wait_net(a, function="tcp_connect", pid=cli)
    acc = wait_net(a, function="inet_csk_accept", pid=srv)
    closes = net_events(a, function="tcp_close")
    check(listen and sock_of(listen[0][1])["sport"] == port, "listen %r" % listen[:1])
    check(conn, "no tcp_connect for the client")
    c = sock_of(conn[0][1])
    check(c["family"] == family and c["daddr"] == addr and c["dport"] == port and c["sport"] > 0,
          "connect tuple %r" % c)
    check(c["state"] == "TCP_ESTABLISHED", "connect state %r" % c)
    check(acc and sock_of(acc[0][1])["dport"] == c["sport"], "accept %r" % acc[:1])
    # closes fire in softirq as often as not: still the owners'
    cl = [b for _, b in closes if sock_of(b)["sport"] == c["sport"] and sock_of(b)["dport"] == port]
    sv = [b for _, b in closes if sock_of(b)["sport"] == port and sock_of(b)["dport"] == c["sport"]]
    check(cl and cl[0]["process"]["pid"] == cli, "client close %r" % [b["process"]["pid"] for b in cl])
    check(sv and sv[0]["process"]["pid"] == srv, "server close %r" % [b["process"]["pid"] for b in sv])
    # the socket's cookie follows it from connect (or accept) to close
    check(c.get("cookie") and sock_of(cl[0]).get("cookie") == c["cookie"], "client cookies")
    a_cookie = sock_of(acc[0][1]).get("cookie")
    if features().get("tracing_cookie"):
        check(a_cookie and a_cookie != c["cookie"] and sock_of(sv[0]).get("cookie") == a_cookie,
              "accepted socket's cookie %r, at close %r" % (a_cookie, sock_of(sv[0]).get("cookie")))
    else:
        # before 5.12 a tracing program may not ask for it: hornet probe says so
        check(not a_cookie and not sock_of(sv[0]).get("cookie"),
              "accepted socket's cookie %r without tracing_cookie" % a_cookie)
    sizes = {x["label"]: x["size_arg"] for x in cl[0]["args"][1:]}
    check(sizes.get("bytes_sent") == 1234 and sizes.get("bytes_received") >= 2500,
          "client bytes %r" % sizes)
    check(cl[0]["policy_name"] == "hornet-network", "policy_name %r" % cl[0]["policy_name"])
    return a


@test("network_sensor_attached")
def _():
    a = Agent.shared()
    net = [x for x in a.status()["sensors"] if x["name"] == "network"]
    check(net and net[0]["state"] == "attached", "network sensor: %r; agent log: %s" %
          (net, a.log_text()[-600:]))


@test("tcp_connect_accept_listen_close_ipv4_with_bytes_and_owners")
def _():
    tcp_lifecycle("127.0.0.1", "AF_INET")


@test("tcp_connect_accept_listen_close_ipv6")
def _():
    if not socket.has_ipv6:
        skip("no IPv6")
    tcp_lifecycle("::1", "AF_INET6")


@test("network_flow_one_event_per_connection_end_with_bytes_duration_owner")
def _():
    a = Agent("--network-flow")
    try:
        net = [x for x in a.status()["sensors"] if x["name"] == "network"]
        check(net and net[0].get("flow") is True, "network sensor status %r" % net)
        for addr, family in (("127.0.0.1", "AF_INET"), ("::1", "AF_INET6")):
            if family == "AF_INET6" and not socket.has_ipv6:
                continue
            srv, cli, port = tcp_roundtrip(a, addr, 0.3)
            # the client's socket, the server's accepted one, and its listener
            wait_net(a, 1, function="tcp_close", pid=cli)
            wait_net(a, 2, function="tcp_close", pid=srv)
            mine = [b for _, b in net_events(a, kind="process_kprobe")
                    if b["process"]["pid"] in (srv, cli)]
            fns = sorted(b["function_name"] for b in mine)
            check(fns == ["inet_csk_listen_start", "tcp_close", "tcp_close", "tcp_close"],
                  "%s: events %r" % (addr, fns))
            ends = {}
            for b in mine:
                if b["function_name"] != "tcp_close":
                    continue
                args = {x["label"]: x.get("size_arg", x.get("string_arg"))
                        for x in b["args"][1:]}
                ends[(b["process"]["pid"], sock_of(b)["sport"], sock_of(b)["dport"])] = \
                    (sock_of(b), args)
            cl = [v for (pid, _, _), v in ends.items() if pid == cli]
            sv = [v for (pid, _, dport), v in ends.items() if pid == srv and dport]
            ls = [v for (pid, _, dport), v in ends.items() if pid == srv and not dport]
            check(len(cl) == 1 and len(sv) == 1 and len(ls) == 1,
                  "%s: closes by owner %r" % (addr, ends))
            (cs, ca), (ss, sa), (_, la) = cl[0], sv[0], ls[0]
            check(cs["family"] == family and cs["saddr"] == addr and cs["daddr"] == addr and
                  cs["dport"] == port and ss["sport"] == port and ss["dport"] == cs["sport"],
                  "%s: tuples %r %r" % (addr, cs, ss))
            # the kernel counts the peer's FIN as a byte received
            check(ca.get("bytes_sent") == 1234 and ca.get("bytes_received") in (2500, 2501) and
                  ca.get("direction") == "outgoing", "%s: client flow %r" % (addr, ca))
            check(sa.get("bytes_sent") == 2500 and sa.get("bytes_received") in (1234, 1235) and
                  sa.get("direction") == "incoming", "%s: server flow %r" % (addr, sa))
            # the server waited 0.3 s between the request and the answer
            for what, f in (("client", ca), ("server", sa)):
                check(300000000 <= f.get("duration_ns", 0) < 20000000000,
                      "%s: %s duration %r" % (addr, what, f.get("duration_ns")))
            check("duration_ns" not in la and "direction" not in la,
                  "%s: the listener's close is no flow: %r" % (addr, la))
    finally:
        a.stop()


def attached_cgroup_progs(a):
    """Names of the agent's programs attached to a cgroup (bpftool link show)."""
    mine = {}
    d = "/proc/%d/fdinfo" % a.proc.pid
    for f in os.listdir(d):
        try:
            with open(os.path.join(d, f)) as fi:
                for line in fi:
                    if line.startswith("prog_id:"):
                        mine[int(line.split()[1])] = None
        except OSError:
            pass
    progs = bpftool("prog", "show") or []
    names = {p["id"]: p.get("name", "") for p in progs if p["id"] in mine}
    links = bpftool("link", "show") or []
    return sorted(names[x["prog_id"]] for x in links
                  if x.get("type") == "cgroup" and x.get("prog_id") in names)


@test("packet_programs_detached_without_inspection")
def _():
    on = attached_cgroup_progs(Agent.shared())
    check({"hornet_sock_create", "hornet_skb_egress", "hornet_skb_ingress"} <= set(on),
          "with inspection: %r" % on)
    a = Agent("--inspect-packets=false")
    try:
        off = attached_cgroup_progs(a)
        check(off == ["hornet_udp_connect4", "hornet_udp_connect6", "hornet_udp_sendmsg4",
                      "hornet_udp_sendmsg6"], "without inspection: %r" % off)
        # connections are still followed, with their owners
        srv, cli, port = tcp_roundtrip(a, "127.0.0.1")
        closes = wait_net(a, 1, function="tcp_close", pid=cli)
        check(closes and sock_of(closes[0][1])["dport"] == port, "client close %r" % closes[:1])
    finally:
        a.stop()


@test("udp_destinations")
def _():
    a = Agent.shared()
    code = ("import socket\n"
            "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "for i in range(5): u.sendto(b'x', ('127.0.0.9', 9999))\n"
            "v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
            "v.sendto(b'x', ('::1', 9998))\n")
    p = subprocess.Popen([PY, "-c", code])
    p.wait()
    evs = wait_net(a, 2, function="udp_sendmsg", pid=p.pid)
    dests = sorted((sock_of(b)["daddr"], sock_of(b)["dport"]) for _, b in evs)
    check(dests == [("127.0.0.9", 9999), ("::1", 9998)],
          "udp destinations %r (5 sends to one peer are one event)" % dests)


class Netns:
    """A network namespace of the test's own, with loopback up."""

    def __init__(self, tag="a"):
        self.name = "hornet-test-%d-%s" % (os.getpid(), tag)
        r = subprocess.run(["ip", "netns", "add", self.name], capture_output=True)
        if r.returncode:
            raise Fail("ip netns add: %s" % r.stderr.decode())
        self.run(["ip", "link", "set", "lo", "up"])

    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + argv

    def run(self, argv, **kw):
        return subprocess.run(self.cmd(argv), check=True, capture_output=True, **kw)

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


DNS_SERVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 53))
print('ready', flush=True)
q, peer = s.recvfrom(512)
# the answer: the question, then one A record for it, by compression pointer
ans = q[:2] + b'\\x81\\x80' + q[4:6] + b'\\x00\\x01\\x00\\x00\\x00\\x00' + q[12:] + \\
    b'\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x01\\x2c\\x00\\x04\\x0a\\x01\\x02\\x03'
s.sendto(ans, peer)
"""

DNS_CLIENT = """
import socket, struct
q = struct.pack('>HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0) + \\
    b'\\x06hornet\\x07example\\x03org\\x00' + struct.pack('>HH', 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ('127.0.0.1', 53))
print(len(s.recv(512)))
"""


@test("dns_query_and_answer_attributed_to_the_process")
def _():
    ns = Netns()
    try:
        a = Agent.shared()
        srv = subprocess.Popen(ns.cmd([PY, "-c", DNS_SERVER]), stdout=subprocess.PIPE)
        check(srv.stdout.readline().strip() == b"ready", "dns server did not start")
        cli = subprocess.Popen(ns.cmd([PY, "-c", DNS_CLIENT]), stdout=subprocess.PIPE)
        out = cli.communicate(timeout=20)[0]
        srv.wait(timeout=10)
        check(int(out) > 12, "no answer: %r" % out)
        # the client's own: other processes on the machine make DNS queries too
        evs = wait_net(a, 2, kind="process_dns", pid=cli.pid)
        q = [b for _, b in evs if b["direction"] == "query"]
        r = [b for _, b in evs if b["direction"] == "answer"]
        check(q and q[0]["question"] == {"name": "hornet.example.org", "type": "A"},
              "query %r" % q[:1])
        check(q[0]["process"]["binary"].startswith("/usr/bin/python3"), "query from %r" %
              q[0]["process"]["binary"])
        check(r and r[0]["answers"] == [{"name": "hornet.example.org", "type": "A", "ttl": 300,
                                         "data": "10.1.2.3"}], "answer %r" % r[:1])
        check(r[0]["process"]["pid"] == q[0]["process"]["pid"], "answer not the client's")
        check(q[0]["server"] == "127.0.0.1:53", "server %r" % q[0]["server"])
        lines = compact(a, "dns")
        check(any("query hornet.example.org A" in x for x in lines) and
              any("answer hornet.example.org A = 10.1.2.3" in x for x in lines),
              "compact %r" % lines)
    finally:
        ns.close()


@test("http_request_line_and_host")
def _():
    import http.server
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        a = Agent.shared()
        code = ("import http.client, sys\n"
                "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))\n"
                "c.request('GET', '/hornet/path?q=1', headers={'Host': 'shop.example.test'})\n"
                "c.getresponse().read()\n")
        p = subprocess.Popen([PY, "-c", code, str(httpd.server_address[1])])
        p.wait(timeout=20)
        check(seen == ["/hornet/path?q=1"], "server saw %r" % seen)
        evs = wait_net(a, kind="process_http", pid=p.pid)
        check(evs, "no process_http event")
        b = evs[0][1]
        check(b["method"] == "GET" and b["target"] == "/hornet/path?q=1" and
              b["host"] == "shop.example.test" and b["version"] == "HTTP/1.1", "event %r" % b)
        check(b["destination"] == "127.0.0.1:%d" % httpd.server_address[1], "dest %r" %
              b["destination"])
        lines = compact(a, "http")
        check(any(" http " in x and "GET shop.example.test/hornet/path?q=1 -> 127.0.0.1:" in x
                  for x in lines), "compact %r" % lines)
    finally:
        httpd.shutdown()


@test("tls_sni_of_an_outgoing_connection")
def _():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def accept_and_drop():
        c, _ = srv.accept()
        c.recv(4096)
        c.close()
    t = threading.Thread(target=accept_and_drop, daemon=True)
    t.start()
    try:
        a = Agent.shared()
        code = ("import socket, ssl, sys\n"
                "ctx = ssl.create_default_context()\n"
                "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                "try:\n"
                "    ctx.wrap_socket(s, server_hostname='secret.example.test')\n"
                "except (ssl.SSLError, OSError):\n"
                "    pass\n")
        p = subprocess.Popen([PY, "-c", code, str(srv.getsockname()[1])])
        p.wait(timeout=20)
        evs = wait_net(a, kind="process_tls", pid=p.pid)
        check(evs and evs[0][1].get("sni") == "secret.example.test", "events %r" %
              [b.get("sni") for _, b in evs])
    finally:
        srv.close()


def client_hello(sni, padding):
    """A TLS 1.3-style ClientHello with @padding bytes of extension before the
    SNI, as browsers send with post-quantum key shares (1.2 KiB and more)."""
    import struct
    name = sni.encode()
    sni_ext = struct.pack(">HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    pad_ext = struct.pack(">HH", 0x15, padding) + bytes(padding)
    exts = pad_ext + sni_ext
    body = b"\x03\x03" + os.urandom(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + \
        struct.pack(">H", len(exts)) + exts
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


@test("tls_sni_after_a_large_key_share")
def _():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    try:
        a = Agent.shared()
        code = ("import socket, sys, binascii\n"
                "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                "s.sendall(binascii.unhexlify(sys.argv[2]))\n"
                "s.close()\n")
        hello = client_hello("big.example.test", 1400)
        check(len(hello) > 1400, "hello of %d bytes" % len(hello))
        p = subprocess.Popen([PY, "-c", code, str(srv.getsockname()[1]), hello.hex()])
        c, _ = srv.accept()
        c.close()
        p.wait(timeout=20)
        evs = wait_net(a, kind="process_tls", pid=p.pid)
        check(evs and evs[0][1].get("sni") == "big.example.test", "events %r" %
              [b.get("sni") for _, b in evs])
    finally:
        srv.close()


def deny_connect(name, cidr, options="", extra=""):
    return policy_doc("deny-connect", name=name, cidr=cidr, options=options, extra=extra)


def try_connect(argv_prefix, addr, port, python=PY):
    code = ("import socket, sys\n"
            "try:\n"
            "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
            "    print('ok')\n"
            "except PermissionError:\n"
            "    print('EPERM')\n"
            "except OSError as e:\n"
            "    print('other %s' % e)\n")
    return subprocess.run(argv_prefix + [python, "-c", code, addr, str(port)], capture_output=True,
                          timeout=20).stdout.decode().strip()


@test("deny_connections_by_cidr_for_a_binary")
def _():
    d = tempfile.mkdtemp(prefix="hornet-net-", dir="/var/tmp")
    srv = socket.socket()
    srv.bind(("127.0.0.2", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    try:
        blocked = os.path.join(d, "blocked-python")
        shutil.copy(os.path.realpath(PY), blocked)
        a = Agent.shared()
        a.add_policy(deny_connect("deny-cidr", "127.0.0.0/30", extra="""      matchBinaries:
      - operator: In
        values: ["%s"]
""" % blocked))
        mech = a.policies()["deny-cidr"]["hooks"][0]["mechanism"]
        check(mech in ("cgroup/connect", "lsm", "fentry", "kprobe", "fmod_ret"), "mech %r" % mech)
        out = subprocess.run([blocked, "-c",
                              "import socket,sys\ntry:\n socket.create_connection(('127.0.0.2', %d), timeout=3); print('ok')\n"
                              "except PermissionError: print('EPERM')" % port],
                             capture_output=True, timeout=20).stdout.decode().strip()
        check(out == "EPERM", "the forbidden binary connected: %r" % out)
        check(try_connect([], "127.0.0.2", port) == "ok", "another binary was denied")
        evs = wait_net(a, kind="process_kprobe")
        evs = [b for _, b in evs if b.get("policy_name") == "deny-cidr"]
        check(evs and evs[0]["action"] == "KPROBE_ACTION_OVERRIDE" and
              evs[0]["process"]["binary"] == blocked, "events %r" % evs[:1])
    finally:
        srv.close()
        shutil.rmtree(d)


@test("deny_connections_by_port_for_a_cgroup")
def _():
    from hornet import Skip
    with open("/proc/self/mountinfo") as f:
        roots = [l.split()[4] for l in f if " - cgroup2 " in l]
    if not roots:
        raise Skip("no cgroup v2 hierarchy")
    cg = os.path.join(roots[0], "hornet-test-deny-%d" % os.getpid())
    os.mkdir(cg)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    try:
        a = Agent.shared()
        a.add_policy(deny_connect("deny-port-cgroup", "127.0.0.0/8",
                                  options="  options:\n  - name: cgroup\n    value: \"%s\"\n" % cg,
                                  extra="""      - index: 0
        operator: "DPort"
        values: ["%d"]
""" % port))
        inside = in_cgroup(cg)
        check(try_connect(inside, "127.0.0.1", port) == "EPERM", "the cgroup's process connected")
        check(try_connect([], "127.0.0.1", port) == "ok", "a process outside the cgroup was denied")
    finally:
        srv.close()
        remove_cgroup(cg)




@test("deny_connections_by_protocol")
def _():
    # the denial is scoped to a copy of python of this test's own: a UDP connect to loopback is
    # what a local DNS resolver gets (127.0.0.53), from every process on the machine
    d = tempfile.mkdtemp(prefix="hornet-net-", dir="/var/tmp")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    try:
        udp_py = os.path.join(d, "udp-python")
        shutil.copy(os.path.realpath(PY), udp_py)
        a = Agent.shared()
        a.add_policy(policy_doc("deny-udp", binary=udp_py))
        code = ("import socket, sys\n"
                "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                "try:\n"
                "    u.connect(('127.0.0.1', int(sys.argv[1])))\n"
                "    print('ok')\n"
                "except PermissionError:\n"
                "    print('EPERM')\n")
        p = subprocess.run([udp_py, "-c", code, str(port)], capture_output=True, timeout=90)
        out = p.stdout.decode().strip()
        check(out == "EPERM", "a UDP connect to loopback went through: %r" % out)
        check(try_connect([], "127.0.0.1", port, python=udp_py) == "ok", "TCP was denied too")
        # the TCP connect's own events may come first: wait for the policy's
        deadline = time.time() + 10
        while True:
            evs = [b for _, b in net_events(a, kind="process_kprobe")
                   if b.get("policy_name") == "deny-udp"]
            if evs or time.time() > deadline:
                break
            time.sleep(0.05)
        check(evs and evs[0]["action"] == "KPROBE_ACTION_OVERRIDE" and
              evs[0]["process"]["binary"] == udp_py, "events %r" % evs[:1])
    finally:
        srv.close()
        shutil.rmtree(d)


@test("connections_between_network_namespaces")
def _():
    """Two namespaces joined by a veth pair: the tuple is the namespaces' own
    addresses, and the owners are the processes inside them."""
    spaces = []
    veth = ("hnt%d" % (os.getpid() % 100000), "hnp%d" % (os.getpid() % 100000))
    try:
        spaces.append(Netns("a"))
        spaces.append(Netns("b"))
        r = subprocess.run(["ip", "link", "add", veth[0], "type", "veth", "peer", "name",
                            veth[1]], capture_output=True)
        if r.returncode:
            skip("no veth pairs on this kernel: %s" % r.stderr.decode().strip())
        for ns, dev, ip in zip(spaces, veth, ("10.199.0.1/24", "10.199.0.2/24")):
            subprocess.run(["ip", "link", "set", dev, "netns", ns.name], check=True)
            ns.run(["ip", "addr", "add", ip, "dev", dev])
            ns.run(["ip", "link", "set", dev, "up"])
        a = Agent.shared()
        srv = subprocess.Popen(spaces[0].cmd([PY, "-c", SERVER, "10.199.0.1"]),
                               stdout=subprocess.PIPE)
        port = int(srv.stdout.readline())
        cli = subprocess.Popen(spaces[1].cmd([PY, "-c", CLIENT, "10.199.0.1", str(port)]),
                               stdout=subprocess.PIPE)
        check(int(cli.communicate(timeout=20)[0]) == 2500, "no data across the veth")
        srv.wait(timeout=20)
        conn = [b for _, b in wait_net(a, function="tcp_connect", pid=cli.pid)]
        check(conn and sock_of(conn[0])["saddr"] == "10.199.0.2" and
              sock_of(conn[0])["daddr"] == "10.199.0.1" and sock_of(conn[0])["dport"] == port,
              "connect %r" % [sock_of(b) for b in conn])
        acc = [b for _, b in wait_net(a, function="inet_csk_accept", pid=srv.pid)]
        check(acc and sock_of(acc[0])["sport"] == port and
              sock_of(acc[0])["daddr"] == "10.199.0.2", "accept %r" % [sock_of(b) for b in acc])
        netns = acc[0]["process"].get("ns", {}).get("net", {})
        check(not netns or netns.get("is_host") is False, "server namespace %r" % netns)
    finally:
        for ns in spaces:
            ns.close()


run()
