#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Shadow policies, end to end: `hornet policy add --shadow-of NAME FILE` runs a new
version beside the policy on the same program instances, deciding on every call but
acting on none; the calls where the two decided differently are posted and counted;
`hornet policy promote` puts the new version in the old one's place, acting.

Each test opens files of a directory of its own, from a process of its own."""
import http.client
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HORNET, Agent, check, free_port, run, test  # noqa: E402
from shadow import (KILL, PYTHON, bodies, check_shadow_and_promote, openat_policy,  # noqa: E402
                    path_of, tmpdir)

# Opens DIR/seq-N for N = 0, 1, ... every millisecond until DIR/stop exists; prints how
# many. (At full speed, about one call in 10^5 has its two program runs straddle the
# switch's map update: docs/architecture.md.)
SEQUENCE = r'''
import os, sys, time
d = sys.argv[1]
n = 0
while not os.path.exists(os.path.join(d, "stop")):
    try:
        open(os.path.join(d, "seq-%d" % n)).close()
    except OSError:
        pass
    n += 1
    time.sleep(0.001)
print(n, flush=True)
'''


@test("a_shadow_that_would_kill_more_acts_on_nothing_and_reports_each_difference")
def _():
    check_shadow_and_promote(Agent.shared())


@test("promote_switches_with_no_call_decided_by_both_versions_or_by_neither")
def _():
    d = tmpdir()
    a = Agent.shared()
    try:
        prefix = os.path.join(d, "seq-")
        a.add_policy(openat_policy("switch", [prefix]))
        # the same decisions under another metadata.name: no difference is posted, and the
        # events say which version made them
        a.policy("add", "--shadow-of", "switch", "-", text=openat_policy("switch-v2", [prefix]))
        p = subprocess.Popen([PYTHON, "-c", SEQUENCE, d], stdout=subprocess.PIPE)

        def decided_by(name):
            deadline = time.monotonic() + 60
            while not [b for b in bodies(a, p.pid, name) if path_of(b).startswith(prefix)]:
                check(time.monotonic() < deadline, "no open decided by %s" % name)
                time.sleep(0.05)
        # the old version decides some (a python under emulation takes a while to start),
        # then the new one some
        decided_by("switch")
        a.policy("promote", "switch")
        decided_by("switch-v2")
        open(os.path.join(d, "stop"), "w").close()
        n = int(p.communicate(timeout=60)[0])
        check(p.returncode == 0 and n > 20, "only %d opens" % n)
        deadline = time.monotonic() + 20
        while True:
            evs = bodies(a, p.pid)
            if len(evs) >= n or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        seen = {}
        for b in evs:
            if path_of(b).startswith(prefix):
                seen.setdefault(int(path_of(b)[len(prefix):]), []).append(b["policy_name"])
        doubled = {k: v for k, v in seen.items() if len(v) != 1}
        missing = [k for k in range(n) if k not in seen]
        check(not doubled and not missing, "%d opens: decided twice %r, by neither %r" %
              (n, list(doubled.items())[:5], missing[:10]))
        names = [seen[k][0] for k in range(n)]
        check(set(names) == {"switch", "switch-v2"} and
              names == sorted(names, key=lambda x: x != "switch"),
              "not one switch from the old version to the new: %r" % [
                  (k, len(list(g))) for k, g in itertools.groupby(names)])
        check(a.status()["lost"]["ringbuf"]["policy_events"] == 0, "ring buffer losses")
    finally:
        for name in ("switch.shadow", "switch"):
            a.policy("delete", name, check_ok=False)
        shutil.rmtree(d)


@test("shadows_refused_or_kept_apart_with_where_and_why")
def _():
    a = Agent.shared()
    text = openat_policy("apart", ["/nonexistent/hornet-shadow/"])
    a.add_policy(text)
    try:
        def refused(args, said, stdin=text):
            r = a.policy(*args, text=stdin, check_ok=False)
            check(r.returncode != 0 and said in r.stderr.decode(),
                  "hornet policy %s: %d %r" % (" ".join(args), r.returncode, r.stderr))

        refused(("add", "--shadow-of", "no-such", "-"),
                "--shadow-of 'no-such': no such policy")
        refused(("promote", "apart"), "policy 'apart' has no shadow and is none")
        refused(("add", "--shadow-of", "apart", "-"), "invalid YAML", stdin="a: [b\n")
        check("apart.shadow" not in a.policies(), "a shadow that did not parse is listed")
        a.policy("add", "--shadow-of", "apart", "-", text=text)
        refused(("add", "--shadow-of", "apart", "-"),
                "--shadow-of 'apart': it has a shadow already, 'apart.shadow'")
        refused(("add", "--shadow-of", "apart.shadow", "-"),
                "--shadow-of 'apart.shadow': a shadow itself (of 'apart')")
        refused(("delete", "apart"), "policy 'apart' has a shadow, 'apart.shadow'")
        r = subprocess.run([HORNET, "policy", "--shadow-of", "apart", "list"],
                           capture_output=True, timeout=30)
        check(r.returncode == 2 and b"--shadow-of is for 'add'" in r.stderr, "%r" % r.stderr)
        # deleting the shadow leaves the policy as it was
        a.policy("delete", "apart.shadow")
        pols = a.policies()
        check("apart.shadow" not in pols and pols["apart"]["state"] == "enabled" and
              "shadow" not in pols["apart"], "after the shadow's delete: %r" % pols)
        a.policy("delete", "apart")
    finally:
        for name in ("apart.shadow", "apart"):
            a.policy("delete", name, check_ok=False)


# UDP connects of one binary to loopback: reported, or (@action) answered with EPERM. A
# cgroup/connect program where the kernel has no BPF LSM.
UDP_CONNECT = """apiVersion: cilium.io/v1alpha1
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
      - index: 0
        operator: "Protocol"
        values: ["IPPROTO_UDP"]
      - index: 1
        operator: "SAddr"
        values: ["%(addr)s"]
      matchBinaries:
      - operator: In
        values: ["%(binary)s"]
%(actions)s"""

UDP_CLIENT = r'''
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.connect(("127.0.0.1", int(sys.argv[1])))
    print("ok")
except PermissionError:
    print("EPERM")
'''


@test("a_shadow_on_a_connect_hook_denies_nothing_until_promoted")
def _():
    d = tmpdir()
    a = Agent.shared()
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))
    port = str(srv.getsockname()[1])
    try:
        py = os.path.join(d, "udp-python")
        shutil.copy(PYTHON, py)
        deny = "      matchActions:\n      - action: Override\n        argError: -1\n"
        # both deny, so both land on the same hook point (a Post alone would take fentry or a
        # kprobe where there is one, an Override BPF LSM or the cgroup program): the policy
        # one address the test does not use, the shadow all of loopback
        a.add_policy(UDP_CONNECT % {"name": "udp-guard", "binary": py, "actions": deny,
                                    "addr": "127.0.0.2"})
        a.policy("add", "--shadow-of", "udp-guard", "-",
                 text=UDP_CONNECT % {"name": "udp-guard", "binary": py, "actions": deny,
                                     "addr": "127.0.0.0/8"})
        p = subprocess.Popen([py, "-c", UDP_CLIENT, port], stdout=subprocess.PIPE)
        out = p.communicate(timeout=90)[0]
        check(out == b"ok\n", "the shadow denied the connect: %r" % out)
        ev = a.wait_for(lambda e: e.get("process_kprobe", {}).get("policy_name") ==
                        "udp-guard.shadow" and e["process_kprobe"]["process"]["pid"] == p.pid,
                        timeout=30, what="the shadow's difference")["process_kprobe"]
        check(ev["shadow"] == {"of": "udp-guard", "action": "KPROBE_ACTION_OVERRIDE",
                               "current_action": "none"} and
              ev.get("override_error") == -1, "event %r" % ev)
        a.policy("promote", "udp-guard")
        p = subprocess.run([py, "-c", UDP_CLIENT, port], capture_output=True, timeout=90)
        check(p.stdout == b"EPERM\n", "the promoted version did not deny: %r" % p.stdout)
        # a Post alone may take another mechanism than an Override (fentry or a kprobe, where
        # the kernel has them): then the shadow says its calls there are not compared
        a.add_policy(UDP_CONNECT % {"name": "udp-post", "binary": py, "actions": "",
                                    "addr": "127.0.0.2"})
        r = a.policy("add", "--shadow-of", "udp-post", "-",
                     text=UDP_CONNECT % {"name": "udp-post", "binary": py, "actions": deny,
                                         "addr": "127.0.0.0/8"})
        pols = a.policies()
        at = [pols[n]["hooks"][0]["attached_to"] for n in ("udp-post", "udp-post.shadow")]
        said = r.stdout.decode()
        print("  the policy on %s, its shadow on %s" % tuple(at))
        if at[0] != at[1]:
            check("warning: spec.kprobes[0] 'security_socket_connect' runs on " in said and
                  "their decisions there are not compared call by call" in said and
                  pols["udp-post.shadow"].get("warning"), "%r %r" % (said, at))
        else:
            check("warning" not in said and "warning" not in pols["udp-post.shadow"],
                  "%r %r" % (said, at))
    finally:
        for name in ("udp-guard.shadow", "udp-guard", "udp-post.shadow", "udp-post"):
            a.policy("delete", name, check_ok=False)
        srv.close()
        shutil.rmtree(d)


@test("shadow_and_promote_through_the_http_api")
def _():
    port = free_port()
    kept = tmpdir()
    a = Agent("--http-listen", "127.0.0.1:%d" % port, "--persist-policies", kept)
    try:
        with open(os.path.join(a.dir, "http.token")) as f:
            token = f.read().strip()

        def call(method, path, body=b""):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request(method, path, body=body, headers={"Authorization": "Bearer " + token})
            resp = c.getresponse()
            data = json.loads(resp.read() or b"{}")
            c.close()
            return resp.status, data

        a.add_policy(openat_policy("web-guard", ["/nonexistent/hornet-shadow-web/"]))
        text = openat_policy("web-guard", ["/nonexistent/hornet-shadow-web/b"], KILL).encode()
        status, body = call("POST", "/api/v1/policies?shadow_of=no-such", text)
        check(status >= 400 and "no such policy" in json.dumps(body), "%d %r" % (status, body))
        status, body = call("POST", "/api/v1/policies?shadow_of=web-guard", text)
        check(status == 201 and body.get("name") == "web-guard.shadow" and
              body.get("shadow_of") == "web-guard", "%d %r" % (status, body))
        status, body = call("GET", "/api/v1/policies/web-guard/promote")
        check(status == 405, "GET promote: %d %r" % (status, body))
        status, body = call("POST", "/api/v1/policies/web-guard.shadow/promote")
        check(status == 200 and body.get("name") == "web-guard", "%d %r" % (status, body))
        pols = a.policies()
        check(set(pols) == {"web-guard"} and "shadow" not in pols["web-guard"], "%r" % pols)
        # the shadow was never kept; promoted, its text is the policy's
        with open(os.path.join(kept, "web-guard.yaml"), "rb") as f:
            check(f.read() == text, "the kept policy is not the promoted text")
        check(sorted(os.listdir(kept)) in (["web-guard.yaml"], ["web-guard.state",
                                                                 "web-guard.yaml"]),
              "kept: %r" % os.listdir(kept))
        status, body = call("POST", "/api/v1/policies/web-guard/promote")
        check(status >= 400 and "has no shadow" in json.dumps(body), "%d %r" % (status, body))
    finally:
        a.stop()
        shutil.rmtree(kept)


if __name__ == "__main__":
    run()
