#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The event history with a real agent: real processes read /etc/passwd under
a file policy and resolve and call an HTTP server over a DNS server of the
test's own (in a network namespace of its own, so port 53 is free), and the
HTTP API's files and egress answers name them; the history outlives a
restart; a full disk and a corrupted file leave the agent exporting, the
store reported broken and then writing again."""
import contextlib
import glob
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, Agent, check, policy_doc, run, skip, test  # noqa: E402

PY = os.path.realpath("/usr/bin/python3")
CAT = os.path.realpath("/bin/cat")
TRUE = os.path.realpath("/bin/true")


def host_only():
    # the store is user space: the host's run covers it, the VMs add nothing
    if os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm") or \
            os.environ.get("HORNET_VM"):
        skip("user space only: the store is tested on the host")


@contextlib.contextmanager
def scratch():
    """A temporary directory of the test's own (host only), removed after it."""
    host_only()
    d = tempfile.mkdtemp(prefix="hornet-store-")
    try:
        yield d
    finally:
        remove(d)


def remove(d):
    """Removes @d once the test's agents are stopped: a running store would make its file
    again."""
    Agent.stop_all(keep_shared=True)
    shutil.rmtree(d, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class History:
    """An agent with --store FILE and its HTTP API on a free loopback port."""

    def __init__(self, db, *args):
        self.db = db
        self.port = free_port()
        self.agent = Agent("--http-listen", "127.0.0.1:%d" % self.port, "--store", db, *args)
        with open(os.path.join(self.agent.dir, "http.token")) as f:
            self.token = f.read().strip()

    def get(self, what, expect=200, **params):
        path = "/api/v1/%s?%s" % (what, urllib.parse.urlencode(params))
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("GET", path, headers={"Host": "127.0.0.1:%d" % self.port,
                                        "Authorization": "Bearer " + self.token})
        r = c.getresponse()
        body = r.read()
        c.close()
        check(r.status == expect, "GET %s: %d, not %d: %r" % (path, r.status, expect, body[:400]))
        return json.loads(body)

    def until(self, what, pred, timeout=15, **params):
        """The answer to @what once pred(answer) holds (the writer batches, ~150 ms)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.get(what, **params)
            if pred(got) or time.monotonic() > deadline:
                return got
            time.sleep(0.2)

    def store(self):
        return self.agent.status()["store"]

    def store_until(self, pred, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            st = self.store()
            if pred(st) or time.monotonic() > deadline:
                return st
            time.sleep(0.2)


def own_binary(d, src, name):
    path = os.path.join(d, name)
    shutil.copy(src, path)
    os.chmod(path, 0o755)
    return path


def read_passwd(h, d):
    """Two runs of a cat of the test's own over /etc/passwd, under an openat policy."""
    cat = own_binary(d, CAT, "store-cat-%d" % os.getpid())
    h.agent.add_policy(policy_doc("openat", name="store-passwd", operator="Equal",
                                  values='\n        - "/etc/passwd"', extra="", actions=""))
    pids = []
    for _ in range(2):
        p = subprocess.Popen([cat, "/etc/passwd"], stdout=subprocess.DEVNULL)
        p.wait()
        pids.append(p.pid)
    return cat, pids


def files_of(h, cat, n):
    got = h.until("files", lambda a: len(a["files"]) >= n, path="/etc/passwd", binary=cat,
                  since="-1h")
    return got["files"]


@test("store_files_answer_who_read_etc_passwd")
def _():
    with scratch() as d:
        h = History(os.path.join(d, "sub", "h.db"))
        cat, pids = read_passwd(h, d)
        rows = files_of(h, cat, 2)
        check(len(rows) == 2, "files rows %r" % rows)
        for r in rows:
            check(r["path"] == "/etc/passwd" and r["binary"] == cat and r["count"] >= 1 and
                  r["arguments"] == "/etc/passwd" and r["access"] == "read" and
                  r["policy"] == "store-passwd" and r["action"] == "KPROBE_ACTION_POST",
                  "row %r" % r)
            check(r["parents"] and r["parents"][0]["binary"] == os.path.realpath(sys.executable),
                  "parents %r" % r["parents"][:1])
        # the process behind a row, with its exit
        p = h.until("processes/" + urllib.parse.quote(rows[0]["exec_id"], safe=""),
                    lambda a: a["process"]["exit_time"] is not None)
        check(p["process"]["pid"] in pids and p["process"]["status"] == 0, "process %r" %
              p["process"])
        check(any("process_kprobe" in e for e in p["events"]), "its events %r" % p["events"])
        mode = os.stat(os.path.join(d, "sub", "h.db")).st_mode & 0o777
        check(mode == 0o600, "store file mode %o" % mode)
        st = h.store()
        check(st["ok"] and st["backend"] == "sqlite" and st["written"] > 0, "status %r" % st)
        err = h.get("files", expect=400)["error"]
        check("'path'" in err, "files without path: %r" % err)


class Netns:
    """A network namespace of the test's own, with loopback up."""

    def __init__(self):
        self.name = "hornet-store-%d" % os.getpid()
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        self.run(["ip", "link", "set", "lo", "up"])

    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + argv

    def run(self, argv):
        return subprocess.run(self.cmd(argv), check=True, capture_output=True)

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


# answers any A question with 127.0.0.1, twice (the client asks once; a retry is fine)
DNS_SERVER = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 53))
s.settimeout(20)
print('ready', flush=True)
q, peer = s.recvfrom(512)
ans = q[:2] + b'\\x81\\x80' + q[4:6] + b'\\x00\\x01\\x00\\x00\\x00\\x00' + q[12:] + \\
    b'\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x01\\x2c\\x00\\x04\\x7f\\x00\\x00\\x01'
s.sendto(ans, peer)
"""

HTTP_SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'z' * 2000
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.handle_request()
"""

# resolves NAME at 127.0.0.1:53 by hand, then GETs / from the address with Host: NAME
CLIENT = """
import http.client, socket, struct, sys
name, port = sys.argv[1], int(sys.argv[2])
q = struct.pack('>HHHHHH', 0x5151, 0x0100, 1, 0, 0, 0) + \\
    b''.join(bytes([len(x)]) + x.encode() for x in name.split('.')) + b'\\x00' + \\
    struct.pack('>HH', 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ('127.0.0.1', 53))
addr = socket.inet_ntoa(s.recv(512)[-4:])
c = http.client.HTTPConnection(addr, port)
c.request('GET', '/', headers={'Host': name})
print(addr, len(c.getresponse().read()))
c.close()
"""


@test("store_egress_joins_dns_http_and_bytes_of_a_connection")
def _():
    host_only()
    d = tempfile.mkdtemp(prefix="hornet-store-")
    ns = None
    try:
        h = History(os.path.join(d, "h.db"))
        ns = Netns()
        name = "svc-%d.store.test" % os.getpid()
        dns = subprocess.Popen(ns.cmd([PY, "-c", DNS_SERVER]), stdout=subprocess.PIPE)
        check(dns.stdout.readline().strip() == b"ready", "dns server did not start")
        web = subprocess.Popen(ns.cmd([PY, "-c", HTTP_SERVER]), stdout=subprocess.PIPE)
        port = int(web.stdout.readline())
        cli = subprocess.run(ns.cmd([PY, "-c", CLIENT, name, str(port)]), capture_output=True,
                             timeout=30)
        check(cli.stdout.split() == [b"127.0.0.1", b"2000"], "client: %r %r" % (cli.stdout,
                                                                          cli.stderr[-500:]))
        web.wait(timeout=10)
        dns.wait(timeout=10)
        got = h.until("egress", lambda a: a["egress"], dest=name, since="-1h")["egress"]
        check(len(got) == 1, "egress rows %r" % got)
        e = got[0]
        check(e["daddr"] == "127.0.0.1" and e["dport"] == port and e["protocol"] == "TCP" and
              e["dns_name"] == name and e["http_host"] == name and
              e["tls_server_name"] is None and e["connections"] == 1, "row %r" % e)
        # the request head went out, the 2000-byte body came back
        check(e["bytes_sent"] > 30 and e["bytes_received"] > 2000, "bytes %r" % e)
        check(e["binary"] == PY, "binary %r" % e["binary"])
        # the server's side of the same connection is not egress (the agent sees the
        # whole machine: only the test's own server is looked at)
        srv = h.get("egress", since="-1h", dest="127.0.0.1", limit=1000)["egress"]
        srv = [(r["protocol"], r["dport"]) for r in srv if "HTTPServer" in r["arguments"]]
        check(not srv, "the HTTP server's accepted connection counted as egress: %r" % srv)
        ev = h.get("events", dest=name, since="-1h", type="process_http")["events"]
        check(len(ev) == 1 and ev[0]["process_http"]["host"] == name, "http events %r" % ev)
    finally:
        if ns:
            ns.close()
        remove(d)


@test("store_history_outlives_a_restart")
def _():
    with scratch() as d:
        db = os.path.join(d, "h.db")
        h = History(db)
        cat, _ = read_passwd(h, d)
        before = files_of(h, cat, 2)
        check(len(before) == 2, "before %r" % before)
        h.agent.stop()
        h2 = History(db)
        after = h2.get("files", path="/etc/passwd", binary=cat, since="-1h")["files"]
        check(sorted(r["exec_id"] for r in after) == sorted(r["exec_id"] for r in before),
              "after the restart %r" % after)
        ev = h2.get("events", binary=cat, type="process_exec", since="-1h")["events"]
        check(len(ev) == 2, "exec events after the restart: %d" % len(ev))


@test("store_path_that_cannot_be_made_stops_the_start")
def _():
    with scratch() as d:
        r = subprocess.run([HORNET, "agent", "--socket", os.path.join(d, "s.sock"),
                            "--export-file", "", "--http-listen", "", "--policy-dir", "",
                            "--store", "/proc/hornet-no/h.db"],
                           capture_output=True, timeout=60)
        out = (r.stdout + r.stderr).decode("utf-8", "replace")
        check(r.returncode != 0 and "--store '/proc/hornet-no/h.db'" in out, "%d %r" %
              (r.returncode, out[-500:]))


def run_marker(d, name):
    """A process of its own binary: (its pid, its binary)."""
    b = own_binary(d, TRUE, name)
    p = subprocess.Popen([b])
    p.wait()
    return p.pid, b


def exported(h, binary, timeout=10):
    """The agent kept exporting: the exec of @binary is in its export file."""
    h.agent.wait_for(lambda ev: ev.get("process_exec", {}).get("process", {}).get("binary") ==
                     binary, timeout=timeout, what="the export of %s" % binary)


@test("store_disk_full_reported_and_recovered_while_the_agent_exports")
def _():
    host_only()
    d = tempfile.mkdtemp(prefix="hornet-store-")
    mnt = os.path.join(d, "small")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mnt],
                       capture_output=True)
    if r.returncode:
        shutil.rmtree(d, ignore_errors=True)
        skip("cannot mount a tmpfs: %s" % r.stderr.decode().strip())
    try:
        h = History(os.path.join(mnt, "h.db"))
        pid0, b0 = run_marker(d, "store-before-%d" % os.getpid())
        h.until("events", lambda a: a["events"], binary=b0, since="-1h")
        # fill what is left of the tmpfs
        fd = os.open(os.path.join(mnt, "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 65536):
                pass
        except OSError:
            pass
        os.close(fd)
        # a burst of events for the writer to fail on
        for i in range(30):
            run_marker(d, "store-full-%d-%d" % (os.getpid(), i))
        pid1, b1 = run_marker(d, "store-during-%d" % os.getpid())
        st = h.store_until(lambda s: not s["ok"])
        check(not st["ok"] and st["write_errors"] > 0, "not reported broken: %r" % st)
        check("full" in st.get("error", "").lower() or "space" in st.get("error", "").lower(),
              "error %r" % st.get("error"))
        exported(h, b1)
        os.unlink(os.path.join(mnt, "filler"))
        st = h.store_until(lambda s: s["ok"])
        check(st["ok"] and st["retries"] > 0, "not recovered: %r" % st)
        # what waited in the queue while the disk was full is written now
        got = h.until("events", lambda a: a["events"], binary=b1, since="-1h")["events"]
        check(len(got) >= 1, "the event of the full disk's time is lost")
        pid2, b2 = run_marker(d, "store-after-%d" % os.getpid())
        exported(h, b2)
        got = h.until("events", lambda a: a["events"], binary=b2, since="-1h",
                      type="process_exec")["events"]
        check(got and got[0]["process_exec"]["process"]["pid"] == pid2, "after: %r" % got)
        h.agent.stop()
    finally:
        for a in list(Agent.running):
            a.stop()
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


@test("store_corrupted_file_moved_aside_and_recreated_while_the_agent_exports")
def _():
    with scratch() as d:
        db = os.path.join(d, "h.db")
        h = History(db)
        _, b0 = run_marker(d, "store-before-%d" % os.getpid())
        h.until("events", lambda a: a["events"], binary=b0, since="-1h")
        written = h.store()["written"]
        # a file that is no database put in its place: overwriting it in place races
        # with the checkpoint thread, which may write page 1 (the header) back first
        junk = os.path.join(d, "junk")
        with open(junk, "wb") as f:
            f.write(b"this is no longer a database" * 200)
        os.replace(junk, db)
        pid1, b1 = run_marker(d, "store-after-%d" % os.getpid())
        exported(h, b1)
        st = h.store_until(lambda s: s["write_errors"] > 0 and s["ok"])
        check(st["write_errors"] > 0 and st["ok"], "not broken then recreated: %r" % st)
        aside = glob.glob(db + ".corrupt-*")
        check(len([x for x in aside if not x.endswith(("-wal", "-shm"))]) == 1,
              "moved aside: %r" % aside)
        got = h.until("events", lambda a: a["events"], binary=b1, since="-1h",
                      type="process_exec")["events"]
        check(got and got[0]["process_exec"]["process"]["pid"] == pid1,
              "the new file's events: %r" % got)
        # what came before lives in the file moved aside, not in the new one
        check(not h.get("events", binary=b0, since="-1h")["events"], "old events in the new file")
        check(h.store()["written"] > written, "nothing written since")
        check("moved aside" in h.agent.log_text(), "no warning in the log")


if __name__ == "__main__":
    run()
