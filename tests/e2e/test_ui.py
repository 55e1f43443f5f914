#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The web page in a real browser: Debian's Chromium driven by playwright-core
under `node --test` (tests/ui/), against a real agent with its HTTP server and
store, and real events: processes reading /etc/passwd on the host and in a
runc container, a DNS query to a loopback DNS server and an HTTP request to
a loopback server, files with hostile names (markup, quotes, control bytes,
invalid UTF-8, a 4 KB path). Screenshots of each view go to build/ui/."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import BUILD, HORNET, ROOT, check, run, test  # noqa: E402
import containers  # noqa: E402
from containers import Container  # noqa: E402
import uitest  # noqa: E402

PY = "/usr/bin/python3"
CAT = "/usr/bin/cat"

# openat: a syscall, which every kernel here can watch (its tracepoints at
# the least, where there are neither fentry nor kprobes)
POLICY = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "%(name)s"
spec:
  kprobes:
  - call: "sys_openat"
    syscall: true
    args:
    - index: 0
      type: "int"
    - index: 1
      type: "string"
    - index: 2
      type: "int"
    selectors:
    - matchArgs:
      - index: 1
        operator: "Prefix"
        values: ["/etc/passwd", "%(dir)s"]
"""

# A loopback DNS server (port 53, so the network sensor reads it as DNS) that
# answers 127.0.0.1, and an HTTP server; in a network namespace of the test's own.
SERVERS = r"""
import http.server, socket
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(('127.0.0.1', 53))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'hornet' * 100
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
httpd = http.server.HTTPServer(('127.0.0.1', 0), H)
print(httpd.server_address[1], flush=True)
q, peer = dns.recvfrom(512)
dns.sendto(q[:2] + b'\x81\x80' + q[4:6] + b'\x00\x01\x00\x00\x00\x00' + q[12:] +
           b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\x7f\x00\x00\x01', peer)
httpd.handle_request()
"""

CLIENT = r"""
import http.client, socket, struct, sys
name, port = sys.argv[1], int(sys.argv[2])
q = struct.pack('>HHHHHH', 0x5151, 0x0100, 1, 0, 0, 0) + \
    b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\x00' + \
    struct.pack('>HH', 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ('127.0.0.1', 53))
addr = socket.inet_ntoa(s.recv(512)[-4:])
c = http.client.HTTPConnection(addr, port, timeout=5)
c.request('GET', '/hornet-ui', headers={'Host': name})
print(len(c.getresponse().read()))
"""


def netns_run(ns, argv):
    return ["ip", "netns", "exec", ns] + argv


def egress_traffic(name):
    """The client's pid and the HTTP server's port."""
    ns = "hornet-ui-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True)
    try:
        subprocess.run(netns_run(ns, ["ip", "link", "set", "lo", "up"]), check=True)
        srv = subprocess.Popen(netns_run(ns, [PY, "-c", SERVERS]), stdout=subprocess.PIPE)
        port = int(srv.stdout.readline())
        cli = subprocess.Popen(netns_run(ns, [PY, "-c", CLIENT, name, str(port)]),
                               stdout=subprocess.PIPE)
        out = cli.communicate(timeout=20)[0]
        srv.wait(timeout=20)
        check(out.strip() == b"600", "HTTP client got %r" % out)
        return cli.pid, port
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def hostile_files(d):
    """Files whose names a page could mistake for markup, and a 4 KB path;
    read once each. Returns the names as the page must show them."""
    names = ["<img src=x onerror=window.__pwned=2>", "q\"uo'te`$(x)", "ctl\x01\x1b[31mred"]
    paths = [os.path.join(d, n).encode() for n in names]
    paths.append(os.path.join(d, "").encode() + b"bad\xff\xfeutf8")
    deep = os.path.join(d, *(["d" * 200] * 19))
    os.makedirs(deep)
    paths.append(os.path.join(deep, "f" * (4090 - len(deep) - 1)).encode())
    check(len(paths[-1]) > 4000, "long path %d bytes" % len(paths[-1]))
    for p in paths:
        with open(p, "wb") as f:
            f.write(b"x\n")
    subprocess.run([CAT] + paths, capture_output=True, check=True)
    # what the agent exports for invalid UTF-8: U+FFFD for each bad byte
    return names + ["bad\ufffd\ufffdutf8"]


def node_tests(u, modules, expect):
    shots = os.path.join(BUILD, "ui")
    os.makedirs(shots, exist_ok=True)
    files = sorted(os.path.join(ROOT, "tests", "ui", f) for f in os.listdir(
        os.path.join(ROOT, "tests", "ui")) if f.endswith(".test.mjs"))
    env = dict(os.environ, HORNET_UI_URL=u.url, HORNET_UI_TOKEN=u.token,
               HORNET_UI_EXPECT=json.dumps(expect), HORNET_UI_SHOTS=shots,
               HORNET_UI_MODULES=modules, HORNET_CHROMIUM=uitest.CHROMIUM)
    r = subprocess.run([uitest.NODE, "--test", "--test-reporter=tap"] + files, env=env,
                       capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    shown, failed, in_failure = [], [], False
    for line in out.splitlines():
        # a failure's TAP block (message, expected, actual, stack) runs to its "..."
        if line.startswith("not ok"):
            in_failure = True
        if in_failure:
            failed.append(line.strip())
            if line.strip() == "...":
                in_failure = False
        if in_failure or line.startswith(("ok", "not ok", "# ")) or "Error" in line:
            shown.append("  node: " + line + "\n")
    sys.stdout.write("".join(shown))
    check(r.returncode == 0, "node --test failed (%d): %s" % (
        r.returncode, " | ".join(failed or [line.strip() for line in out.splitlines()
                                            if "rror" in line])[:1500]))


@test("the_page_in_chromium_against_a_real_agent")
def _():
    modules = uitest.node_modules()
    d = tempfile.mkdtemp(prefix="hornet-ui-")
    os.chmod(d, 0o755)
    ctr = u = None
    try:
        u = uitest.UiAgent(d)
        a = u.agent
        policy = "ui-files-%d" % os.getpid()
        a.add_policy(POLICY % {"name": policy, "dir": d})
        mark = "hornet-ui-%d" % os.getpid()
        hostile_args = ["<script>window.__pwned=1</script>", "\"'><b>bold</b>"]
        host = subprocess.run([CAT, "/etc/passwd", "/nonexistent/" + mark] + hostile_args,
                              capture_output=True)
        check(b"root:" in host.stdout, "cat /etc/passwd on the host: %r" % host.stderr)
        names = hostile_files(d)
        container = None
        if containers.runtime_available("runc"):
            ctr = Container(name="ui", namespace="ui-%d" % os.getpid(),
                            hook=[HORNET, "oci-hook", "--socket", a.socket])
            check(ctr.start().returncode == 0, "runc run: %s" % ctr.output())
            e = ctr.exec(["cat", "/etc/passwd"])
            check(e.returncode == 0, "cat in the container: %r" % (e,))
            container = {"namespace": ctr.namespace, "pod": ctr.pod_name}
        dns_name = "ui-%d.hornet.test" % os.getpid()
        client_pid, http_port = egress_traffic(dns_name)

        # the store writes in batches: the rows are there before the browser looks
        files = u.wait_api("files?path=/etc/passwd&limit=1000", lambda r: any(
            mark in (x.get("arguments") or "") for x in r.get("files", [])) and (
            not container or any(x.get("pod") == container["pod"] for x in r["files"])))
        check(isinstance(files, dict) and any(mark in (x.get("arguments") or "")
                                              for x in files.get("files", [])),
              "GET /api/v1/files?path=/etc/passwd has no row of the host's cat: %r" %
              (str(files)[:500],))
        egress = u.wait_api("egress?limit=1000", lambda r: any(
            x.get("dport") == http_port for x in r.get("egress", [])))
        check(isinstance(egress, dict) and any(x.get("dport") == http_port
                                               for x in egress.get("egress", [])),
              "GET /api/v1/egress has no row for port %d: %r" % (http_port, str(egress)[:500]))
        expect = {"mark": mark, "policy": policy, "dir": d, "container": container,
                  "dns_name": dns_name, "http_port": http_port, "client_pid": client_pid,
                  "hostile_args": hostile_args, "hostile_names": names, "cat": CAT}
        node_tests(u, modules, expect)
        check(a.proc.poll() is None, "the agent exited: %s" % a.log_text())
    finally:
        if ctr:
            ctr.stop()
        # the agent first: its store would make its file again in @d
        if u:
            u.agent.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    run()
