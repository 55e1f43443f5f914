#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Abuse of the agent's APIs: its unix socket (src/export/api.c) and its HTTP
server (src/web/server.c). A thousand clients at once, event subscribers that
never read, garbage, oversize requests, slowloris, and the same policy added
and deleted from many clients at once. Through all of it the agent must stay
up, answer the clients that behave, keep its memory bounded (RSS measured
before and after, in each PASS line) and go on exporting ordinary events."""
import http.client
import json
import os
import re
import resource
import selectors
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import hornet  # noqa: E402
from hornet import (HELPERS, Agent, check, free_port, host_only, kernel_link_progs,  # noqa: E402
                    kernel_prog_ids, prog_ids_held, test)
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

TRUE = os.path.realpath("/bin/true")
POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e", "policies",
                      "mkdir-tp.yaml")
# src/export/api.c
CLIENTS_MAX = 128
REQUEST_MAX = 16 << 20
INPUT_MAX = 64 << 20
CLIENT_QUEUE_MAX = 8 << 20
REQUEST_TIMEOUT = 10


def connect(a, timeout=30):
    s = socket.socket(socket.AF_UNIX)
    s.connect(a.socket)     # blocking: a unix socket's full backlog waits, not EAGAIN
    s.settimeout(timeout)
    return s


def read_reply(s, timeout=30, closes=False):
    """Everything the agent sends until it closes the connection (or @timeout;
    with @closes, the close must come)."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        check(not closes, "the agent did not close within %d s after %r" % (timeout,
                                                                              data[:200]))
    return data


def request(a, req, timeout=30):
    """One request line, its reply (a JSON object) and whether the agent closed after it."""
    if not isinstance(req, bytes):
        req = (json.dumps(req) + "\n").encode()
    s = connect(a, timeout)
    try:
        s.sendall(req)
        data = read_reply(s, timeout)
    finally:
        s.close()
    check(data.endswith(b"\n") and data.count(b"\n") == 1, "reply to %r: %r" % (req[:40],
                                                                             data[:300]))
    return json.loads(data)


def rss_mb(a):
    return a.rss_kb()[0] / 1024


def exports_ordinary_events(a, tag):
    """An exec after the abuse is exported: the agent's main work goes on."""
    p = subprocess.Popen([TRUE, "hornet-api-" + tag])
    p.wait()
    a.wait_for(lambda e: "process_exec" in e and e["process_exec"]["process"]["pid"] == p.pid,
               timeout=20, what="exec of true after the abuse (%s)" % tag)


def watch_stream(s, needle):
    """Reads the event stream @s in a thread until it ends: two Events, set when @needle
    has been seen and when the stream has ended."""
    found, ended = threading.Event(), threading.Event()

    def read():
        tail = b""
        s.settimeout(None)
        try:
            while True:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                if needle in tail + chunk:
                    found.set()
                tail = chunk[-len(needle):]
        except OSError:
            pass
        ended.set()
    threading.Thread(target=read, daemon=True).start()
    return found, ended


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(hard, n), 1 << 20),
                                                    max(hard, n)))


@test("api_thousand_clients_excess_refused_clearly_held_ones_served")
def _():
    host_only("the socket API")
    raise_nofile(4096)
    a = Agent()
    rss0 = rss_mb(a)
    sub = connect(a)
    sub.sendall(b'{"command":"events"}\n')
    time.sleep(0.2)
    socks, refused, held = [], 0, []
    try:
        for _ in range(1000):
            socks.append(connect(a))
        # the agent accepts every connection: the excess gets its line and is closed
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        answered = set()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                data = s.recv(4096)
                check(b"too many clients (128 at once)" in data, "refusal %r" % data)
                sel.unregister(s)
                answered.add(s)
                refused += 1
        sel.close()
        held = [s for s in socks if s not in answered]
        check(len(held) == CLIENTS_MAX - 1 and refused == 1000 - len(held),
              "%d held, %d refused of 1000 (limit %d, one subscriber)" % (len(held), refused,
                                                                         CLIENTS_MAX))
        # the held ones are served, each in its turn
        t0 = time.monotonic()
        for s in held:
            s.sendall(b'{"command":"status"}\n')
        for s in held:
            st = json.loads(read_reply(s, 30))
            check(st.get("ready") is True, "status %r" % str(st)[:200])
        served = time.monotonic() - t0
        for s in held:
            s.close()
        held = []
        # and the subscriber got its events all along; read as fast as it can: a storm of
        # another test on the machine may fill its queue (its losses are counted), so the
        # exec is run again until one arrives
        found, ended = watch_stream(sub, b"hornet-api-subscriber")
        deadline = time.monotonic() + 30
        while not found.is_set() and not ended.is_set() and time.monotonic() < deadline:
            subprocess.run([TRUE, "hornet-api-subscriber"])
            found.wait(1)
        check(not ended.is_set(), "the subscriber's stream ended")
        check(found.is_set(), "the subscriber got no exec of hornet-api-subscriber in 30 s")
        st = request(a, {"command": "status"})
        check(st["export"]["api_over_limit"] >= refused, "over_limit %r" % st["export"])
        exports_ordinary_events(a, "thousand")
        rss1 = rss_mb(a)
        return ("1000 clients: %d held, %d refused, the held ones' 127 status in %.2f s; "
                "RSS %.1f -> %.1f MB" % (CLIENTS_MAX - 1, refused, served, rss0, rss1))
    finally:
        for s in socks + [sub]:
            s.close()


@test("api_subscribers_that_never_read_lose_events_counted_memory_bounded")
def _():
    host_only("the socket API")
    a = Agent()
    rss0 = rss_mb(a)
    stuck = []
    for _ in range(4):
        s = socket.socket(socket.AF_UNIX)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(a.socket)
        s.sendall(b'{"command":"events"}\n')
        stuck.append(s)
    reader = connect(a)
    reader.sendall(b'{"command":"events"}\n')
    got = bytearray()
    stop = threading.Event()

    def read():
        reader.settimeout(0.5)
        while not stop.is_set():
            try:
                chunk = reader.recv(1 << 20)
            except socket.timeout:
                continue
            if not chunk:
                break
            got.extend(chunk)

    t = threading.Thread(target=read)
    t.start()
    try:
        time.sleep(0.2)
        # about 700 bytes an event, two events a process: 8 MiB each falls behind on
        rounds = 0
        while True:
            subprocess.run([os.path.join(HELPERS, "spawn"), "2000", os.path.join(HELPERS, "nop")],
                           stdout=subprocess.DEVNULL, check=True)
            rounds += 1
            time.sleep(0.5)
            st = request(a, {"command": "status"})
            if st["lost"]["api_queue"] > 0 and rounds >= 6 or rounds >= 30:
                break
        dropped = st["lost"]["api_queue"]
        check(dropped > 0, "nothing dropped for 4 stuck subscribers after %d processes" %
              (rounds * 2000))
        check(st["export"]["api_subscribers"] == 5, "subscribers %r" % st["export"])
        p = subprocess.Popen([TRUE, "hornet-api-reader"])
        p.wait()
        deadline = time.monotonic() + 20
        while b"hornet-api-reader" not in got and time.monotonic() < deadline:
            time.sleep(0.1)
        check(b"hornet-api-reader" in got, "the reading subscriber missed the exec")
        exports_ordinary_events(a, "stuck")
        rss1, peak = a.rss_kb()
        # each stuck subscriber holds its queue at most (8 MiB, allocated by doubling)
        bound = rss0 + 4 * CLIENT_QUEUE_MAX / 2**20 * 2 + 32
        check(rss1 / 1024 < bound, "RSS %.1f MB, bound %.1f MB" % (rss1 / 1024, bound))
        return ("4 stuck subscribers, %d processes: %d lines dropped (lost.api_queue); the reader "
                "got %d KB; RSS %.1f -> %.1f MB (peak %.1f)" % (
                    rounds * 2000, dropped, len(got) // 1024, rss0, rss1 / 1024, peak / 1024))
    finally:
        stop.set()
        t.join()
        for s in stuck + [reader]:
            s.close()


GARBAGE = [
    (b"\x00\x01\x02\xff\xfe\n", "not valid JSON"),
    (b"\xc3\x28 invalid utf-8\n", "not valid JSON"),
    (b"[" * 200000 + b"\n", "not valid JSON"),
    (b'{"command": "status", "command": "status"}\n', "not valid JSON"),
    (b'{"command": ["status"]}\n', "string \\\"command\\\""),
    (b'"status"\n', "not valid JSON"),
    (b'[{"command": "status"}]\n', "string \\\"command\\\""),
    (b'{"command": "policy_add"}\n', "policy"),
    (b'{"command": "policy_add", "policy": 7}\n', "policy"),
    (b'{"command": "policy_add", "policy": "\\u0000"}\n', ""),
    (b'{"command": "policy_delete", "name": {"a": 1}}\n', "name"),
    (b'{"command": "policy_mode", "name": "x", "mode": "kill-everything"}\n', ""),
    (b'{"command": "' + b"A" * 100000 + b'"}\n', "unknown command 'AAAA"),
    (b"\n", "not valid JSON"),
    (b'{"command":"status"}', ""),   # no newline, then EOF: still a request
]


@test("api_garbage_gets_one_error_line_then_the_connection_closes")
def _():
    host_only("the socket API")
    a = Agent.shared()
    rss0 = rss_mb(a)
    bad0 = a.status()["export"].get("api_over_limit", 0)
    for req, want in GARBAGE:
        s = connect(a)
        try:
            s.sendall(req)
            if not req.endswith(b"\n"):
                s.shutdown(socket.SHUT_WR)  # the end of the request
            data = read_reply(s, 30, closes=True)
        finally:
            s.close()
        check(data.endswith(b"\n") and data.count(b"\n") == 1, "reply to %r: %r" %
              (req[:40], data[:300]))
        r = json.loads(data)
        if req == b'{"command":"status"}':
            check(r.get("ready") is True, "status without its newline: %r" % str(r)[:200])
            continue
        check("error" in r and want.replace("\\", "") in r["error"],
              "reply to %r: %r (want %r)" % (req[:40], r, want))
    # a second request on the same connection is ignored: one reply, then the close
    s = connect(a)
    s.sendall(b'{"command":"status"}\n{"command":"policy_delete","name":"x"}\n')
    data = read_reply(s, closes=True)
    s.close()
    check(data.count(b"\n") == 1 and b'"ready"' in data, "two requests: %r" % data[:200])
    check(a.status()["export"].get("api_over_limit", 0) == bad0, "garbage counted as over limit")
    exports_ordinary_events(a, "garbage")
    return "%d kinds of garbage, each one error line; RSS %.1f -> %.1f MB" % (
        len(GARBAGE), rss0, rss_mb(a))


def send_no_newline(a, size):
    s = connect(a)
    chunk = b"x" * (1 << 20)
    try:
        while size > 0:
            s.sendall(chunk[:size])
            size -= len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass    # answered early: the reply is there to read
    return s


@test("api_oversize_requests_get_errors_and_memory_stays_bounded")
def _():
    host_only("the socket API")
    a = Agent()
    rss0 = rss_mb(a)
    s = send_no_newline(a, REQUEST_MAX + (1 << 20))
    data = read_reply(s, 30)
    s.close()
    check(b"request line too long (at most 16 MiB)" in data, "16 MiB + 1: %r" % data[:200])
    # many large requests at once: the agent holds 64 MiB of request lines in all
    socks = []
    lock = threading.Lock()

    def big():
        s = send_no_newline(a, 8 << 20)
        with lock:
            socks.append(s)

    ts = [threading.Thread(target=big) for _ in range(12)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    time.sleep(0.5)
    rss_full = rss_mb(a)
    st = request(a, {"command": "status"})
    busy = 0
    for s in socks:
        s.settimeout(0.2)
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if data:
            check(b"too many large requests at once (64 MiB in all)" in data, "reply %r" %
                  data[:200])
            busy += 1
    check(busy >= 12 - INPUT_MAX // (8 << 20), "%d of 12 told the agent is busy" % busy)
    check(st["export"]["api_over_limit"] >= busy, "over_limit %r" % st["export"])
    check(rss_full < rss0 + INPUT_MAX / 2**20 + 32, "RSS %.1f MB with 12 x 8 MiB requests"
          % rss_full)
    for s in socks:
        s.close()
    time.sleep(0.5)
    st = request(a, {"command": "status"})
    check(st["export"]["api_clients"] == 1, "clients left %r" % st["export"])
    exports_ordinary_events(a, "oversize")
    return ("16 MiB + 1 refused; 12 x 8 MiB at once: %d refused as busy; RSS %.1f -> %.1f MB "
            "(full) -> %.1f MB (after)" % (busy, rss0, rss_full, rss_mb(a)))


@test("api_slowloris_and_half_open_clients_time_out_others_are_served")
def _():
    host_only("the socket API")
    a = Agent()
    rss0 = rss_mb(a)
    half = connect(a)               # says nothing
    trickle = connect(a)
    req = b'{"command":"status"' + b" " * 1000 + b"}\n"
    t0 = time.monotonic()
    times, i = [], 0
    closed = None
    trickle.setblocking(False)
    while time.monotonic() - t0 < REQUEST_TIMEOUT + 5:
        try:
            trickle.send(req[i:i + 1])
            i += 1
        except (BrokenPipeError, ConnectionResetError):
            closed = time.monotonic() - t0  # closed since the last byte: its reply is there
            break
        except BlockingIOError:
            pass
        try:
            if trickle.recv(4096, socket.MSG_PEEK):
                closed = time.monotonic() - t0
                break
        except BlockingIOError:
            pass
        t = time.monotonic()
        st = request(a, {"command": "status"})
        check(st.get("ready"), "status %r" % str(st)[:200])
        times.append(time.monotonic() - t)
        time.sleep(0.2)
    check(closed is not None, "the trickling client was not answered within %d s" %
          (REQUEST_TIMEOUT + 5))
    data = read_reply(trickle, 5)
    trickle.close()
    check(b"request timed out: no whole line within 10 s" in data, "trickle %r" % data[:200])
    check(REQUEST_TIMEOUT - 1 <= closed <= REQUEST_TIMEOUT + 2.5, "closed after %.1f s" % closed)
    data = read_reply(half, 5)
    half.close()
    check(b"request timed out" in data, "half-open: %r" % data[:200])
    st = request(a, {"command": "status"})
    check(st["export"]["api_timeouts"] >= 2, "timeouts %r" % st["export"])
    # served while the two hung: were the agent waiting on them, every status of
    # those 10 s would be late; one late under a busy machine's load is not that
    slow = [t for t in times if t >= 1]
    check(times and len(slow) <= max(1, len(times) // 10),
          "%d of %d status requests took 1 s or more meanwhile (slowest %.2f s)"
          % (len(slow), len(times), max(times or [0])))
    exports_ordinary_events(a, "slowloris")
    return ("trickled (%d bytes sent) and half-open clients closed after %.1f s; %d status "
            "served meanwhile, slowest %.3f s; RSS %.1f -> %.1f MB" % (
                i, closed, len(times), max(times), rss0, rss_mb(a)))


@test("api_concurrent_add_and_delete_of_one_policy_leave_it_whole_or_gone")
def _():
    a = Agent()
    with open(POLICY) as f:
        text = f.read()
    name = "mkdir-tp"
    base = prog_ids_held(a.proc.pid)
    check(base <= kernel_prog_ids(), "held programs the kernel does not list")
    rss0 = rss_mb(a)
    counts = {"added": 0, "deleted": 0, "exists": 0, "absent": 0, "busy": 0, "other": []}
    lock = threading.Lock()

    rounds = 8

    def worker(k):
        for j in range(rounds):
            if (k + j) % 2:
                req = {"command": "policy_add", "policy": text, "source": "client-%d" % k}
            else:
                req = {"command": "policy_delete", "name": name}
            r = request(a, req, timeout=120)
            with lock:
                if r.get("state") == "enabled":
                    counts["added"] += 1
                elif r.get("state") == "deleted":
                    counts["deleted"] += 1
                elif "already exists" in r.get("error", ""):
                    counts["exists"] += 1
                elif re.search(r"no policy|not found|unknown policy", r.get("error", "")):
                    counts["absent"] += 1
                elif "busy" in r.get("error", "") or "starting" in r.get("error", ""):
                    counts["busy"] += 1
                else:
                    counts["other"].append(r)

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(600)
    elapsed = time.monotonic() - t0
    check(not counts["other"], "unexpected replies %r" % counts["other"][:3])
    check(counts["added"] > 0 and counts["deleted"] > 0, "counts %r" % counts)
    check(counts["added"] - counts["deleted"] in (0, 1), "added %d, deleted %d" %
          (counts["added"], counts["deleted"]))
    pols = a.policies()
    if counts["added"] == counts["deleted"]:
        check(name not in pols, "policy %r after as many deletes as adds" % pols.get(name))
        a.add_policy(text)
    else:
        check(pols.get(name, {}).get("state") == "enabled", "policy %r" % pols.get(name))
    loaded = prog_ids_held(a.proc.pid) - base
    check(loaded and loaded <= kernel_prog_ids(), "policy loaded, programs %r" % loaded)
    a.policy("delete", name)
    held = prog_ids_held(a.proc.pid)
    check(held == base, "programs left after the delete: %r" % (held - base))
    gone = loaded & kernel_prog_ids()
    check(not gone, "the policy's programs %r are still in the kernel" % gone)
    linked = loaded & kernel_link_progs()
    check(not linked, "links to the policy's programs %r are still in the kernel" % linked)
    exports_ordinary_events(a, "policies")
    return ("16 clients x %d: %d added, %d deleted, %d 'already exists', %d 'no such policy' in "
            "%.1f s; programs back to the %d the agent started with; RSS %.1f -> %.1f MB" % (
                rounds, counts["added"], counts["deleted"], counts["exists"],
                counts["absent"], elapsed, len(base), rss0, rss_mb(a)))


# The HTTP server (libmicrohttpd): the same abuses, where they apply.
HTTP_TIMEOUT = 60   # CONNECTION_TIMEOUT_S in src/web/server.c
HTTP_BODY_TIMEOUT = 30  # BODY_TIMEOUT_MS


def http_get(port, token, path="/api/v1/status", timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path, headers={"Host": "127.0.0.1:%d" % port,
                                    "Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def agent_sockets(a):
    n = 0
    for fd in os.listdir("/proc/%d/fd" % a.proc.pid):
        try:
            n += os.readlink("/proc/%d/fd/%s" % (a.proc.pid, fd)).startswith("socket:")
        except FileNotFoundError:
            pass
    return n


@test("http_connection_limit_timeouts_oversize_body_and_bad_token")
def _():
    host_only("the HTTP server")
    port = free_port()
    # a low descriptor limit gives a low connection limit: 1024 - 256 (connection_limit())
    # (in the agent alone: the test may lack CAP_SYS_RESOURCE to raise its own again)
    die_with_parent = hornet._die_with_parent

    def low_nofile():
        die_with_parent()
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    hornet._die_with_parent = low_nofile
    try:
        a = Agent("--http-listen", "127.0.0.1:%d" % port)
    finally:
        hornet._die_with_parent = die_with_parent
    raise_nofile(4096)
    with open(os.path.join(a.dir, "http.token")) as f:
        token = f.read().strip()
    rss0 = rss_mb(a)
    # slowloris: a half-open connection and one that trickles its headers
    half = socket.create_connection(("127.0.0.1", port))
    t_half = time.monotonic()
    socks = []
    try:
        limit = 1024 - 256
        fds0 = agent_sockets(a)
        for _ in range(limit + 100):
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        time.sleep(2)
        # libmicrohttpd accepts up to its limit; the excess waits in the listen backlog
        held = agent_sockets(a) - fds0
        check(limit - 10 <= held <= limit, "the agent holds %d connections (limit %d)" %
              (held, limit))
        get = ("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: "
               "Bearer %s\r\nConnection: close\r\n\r\n" % (port, token)).encode()
        # a held connection is served, a queued one waits...
        socks[0].sendall(get)
        data = read_reply(socks[0], 10)
        check(data.startswith(b"HTTP/1.1 200"), "a held connection: %r" % data[:100])
        socks[-1].sendall(get)
        socks[-1].settimeout(2)
        try:
            data = socks[-1].recv(100)
        except socket.timeout:
            data = None
        check(data is None, "a connection over the limit was served: %r" % data)
        # ...until connections close
        for x in socks[1:200]:
            x.close()
        data = read_reply(socks[-1], 10)
        check(data.startswith(b"HTTP/1.1 200"), "the queued connection: %r" % data[:100])
        for x in socks:
            x.close()
        socks = []
        time.sleep(0.5)
        status, body = http_get(port, token)
        check(status == 200, "status after the flood: %d %r" % (status, body[:200]))
        # bad tokens: each 401, the good one still works
        for i in range(200):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/api/v1/status", headers={"Host": "127.0.0.1:%d" % port,
                                                        "Authorization": "Bearer %064d" % i})
            r = c.getresponse()
            r.read()
            c.close()
            check(r.status == 401, "bad token %d: %d" % (i, r.status))
        # an oversize body announced, and one sent
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.putrequest("POST", "/api/v1/policies", skip_host=True)
        c.putheader("Host", "127.0.0.1:%d" % port)
        c.putheader("Authorization", "Bearer " + token)
        c.putheader("Content-Length", str(1 << 40))
        c.endheaders()
        r = c.getresponse()
        check(r.status == 413, "1 TiB announced: %d" % r.status)
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("POST", "/api/v1/policies", body=b"x" * (4 << 20),
                  headers={"Host": "127.0.0.1:%d" % port, "Authorization": "Bearer " + token})
        r = c.getresponse()
        check(r.status == 413, "4 MiB body: %d" % r.status)
        c.close()
        # a body trickled a byte every 2 s: closed at its deadline, whatever the idle timeout
        trickled = {}

        def trickle(key, first, rest, limit):
            """Sends @first at once, then @rest a byte every 2 s until the server closes."""
            b = socket.create_connection(("127.0.0.1", port))
            b.sendall(first)
            t0 = time.monotonic()
            b.settimeout(2)
            try:
                for i in range(len(rest)):
                    if time.monotonic() - t0 > limit + 20:
                        break
                    b.sendall(rest[i:i + 1])
                    try:
                        if b.recv(100) == b"":
                            break
                    except socket.timeout:
                        pass
            except OSError:
                pass
            trickled[key] = time.monotonic() - t0
            b.close()

        post = ("POST /api/v1/policies HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: "
                "Bearer %s\r\nContent-Length: 1000\r\n\r\n" % (port, token)).encode()
        head = ("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: %s\r\n" %
                (port, "x" * 200)).encode()
        tb = threading.Thread(target=trickle, daemon=True,
                              args=("closed", post, b"x" * 1000, HTTP_BODY_TIMEOUT))
        tb.start()
        th = threading.Thread(target=trickle, daemon=True,
                              args=("headers", b"", head, HTTP_TIMEOUT))
        th.start()
        # the half-open connection closes at the timeout; others are served meanwhile
        slowest = 0
        while True:
            half.settimeout(1)
            try:
                if half.recv(1) == b"":
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                break
            t = time.monotonic()
            status, _ = http_get(port, token, timeout=5)
            slowest = max(slowest, time.monotonic() - t)
            check(status == 200, "status meanwhile: %d" % status)
            check(time.monotonic() - t_half < HTTP_TIMEOUT + 10, "half-open not closed")
        waited = time.monotonic() - t_half
        check(waited >= HTTP_TIMEOUT - 5, "half-open closed after %.1f s" % waited)
        tb.join(HTTP_BODY_TIMEOUT + 30)
        body_closed = trickled.get("closed", 1e9)
        check(HTTP_BODY_TIMEOUT - 1 <= body_closed <= HTTP_BODY_TIMEOUT + 5,
              "the trickled body was closed after %.1f s" % body_closed)
        th.join(30)
        head_closed = trickled.get("headers", 1e9)
        check(HTTP_TIMEOUT - 1 <= head_closed <= HTTP_TIMEOUT + 5,
              "the trickled headers were closed after %.1f s" % head_closed)
        st = json.loads(http_get(port, token)[1])
        check(st["http"]["timeouts"] >= 2, "http.timeouts %r" % st["http"])
        st = json.loads(http_get(port, token)[1])
        check(st["ready"], "not ready")
        exports_ordinary_events(a, "http")
        return ("HTTP: %d of %d connections held (limit %d), the rest queued; 200 bad tokens 401; "
                "1 TiB and 4 MiB bodies 413; a trickled body closed after %.0f s, trickled "
                "headers after %.0f s, half-open after %.0f s, slowest status meanwhile %.2f s; "
                "RSS %.1f -> %.1f MB" % (held, limit + 100, limit, body_closed, head_closed,
                                         waited, slowest, rss0, rss_mb(a)))
    finally:
        for x in socks:
            x.close()
        half.close()


if __name__ == "__main__":
    from hornet import run
    run()
