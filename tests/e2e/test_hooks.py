#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hooks and actions of Tetragon's policies beyond kprobes: USDT probes
(spec.usdts), process_loader events (spec.loader), and the uprobe and action
features of issue 13. Each test selects its own events by its own pid."""
import hashlib
import json
import os
import subprocess
import sys
import socket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HELPERS, Agent, Fail, check, features, run, skip, test  # noqa: E402

USDT = os.path.join(HELPERS, "usdt")


def bodies(a, key, pid):
    return [ev[key] for ev in a.events()
            if key in ev and ev[key].get("process", {}).get("pid") == pid]


def settled_bodies(a, key, pid):
    """The events of the exited process @pid, once the agent has exported them."""
    a.settle()
    return bodies(a, key, pid)


def usdt_policy(name, probe, args=(), selectors=None):
    hook = {"path": USDT, "provider": "hornet", "name": probe,
            "args": [{"index": i, "type": t} for i, t in args]}
    if selectors is not None:
        hook["selectors"] = selectors
    return json.dumps({"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
                       "metadata": {"name": name}, "spec": {"usdts": [hook]}})


def need_uprobes():
    if not features().get("uprobe"):
        skip("needs uprobes")


@test("usdt_arguments_from_registers_constants_and_the_stack")
def _():
    need_uprobes()
    a = Agent.shared()
    a.add_policy(usdt_policy("usdt-tick", "tick",
                             [(0, "int64"), (1, "string"), (2, "int"), (3, "int")]))
    p = subprocess.Popen([USDT, "3", "usdt-word"], stdout=subprocess.PIPE)
    out = p.communicate(timeout=10)[0]
    evs = settled_bodies(a, "process_usdt", p.pid)
    check(len(evs) == 3, "3 process_usdt events, got %r" % evs)
    e = evs[0]
    check(e["path"] == USDT and e["provider"] == "hornet" and e["name"] == "tick",
          "event %r" % e)
    got = sorted(ev["args"][0]["long_arg"] for ev in evs)
    check(got == [0, 1, 2], "loop counters %r" % got)
    check([x for x in e["args"][1:]] == [{"string_arg": "usdt-word"}, {"int_arg": -7},
                                         {"int_arg": 4242}], "args %r" % e["args"])
    # the kernel counted the semaphore up while the probe was attached
    check(out.startswith(b"semaphore 1"), "helper said %r" % out)


@test("usdt_selectors_filter_in_the_kernel")
def _():
    need_uprobes()
    a = Agent.shared()
    a.add_policy(usdt_policy("usdt-filter", "tick", [(1, "string")],
                             [{"matchArgs": [{"index": 1, "operator": "Equal",
                                              "values": ["wanted"]}]}]))
    other = run_usdt("1", "other")
    wanted = run_usdt("2", "wanted")
    evs = settled_bodies(a, "process_usdt", wanted)
    check(len(evs) == 2, "2 events of the wanted word, got %r" % evs)
    check(not bodies(a, "process_usdt", other), "an event of the other word")


@test("usdt_set_writes_an_argument_the_site_keeps_in_memory", needs=("uprobe", "write_user"))
def _():
    a = Agent.shared()
    # argument 3 of hornet:tick is a stack slot (-4@12(%rsp)), read back after the probe
    a.add_policy(usdt_policy("usdt-set", "tick", [(3, "int")],
                             [{"matchActions": [{"action": "Set", "argIndex": 3,
                                                 "argValue": 31337}]}]))
    p = subprocess.Popen([USDT, "2", "set-word"], stdout=subprocess.PIPE)
    out = p.communicate(timeout=10)[0]
    check(b"on_stack 31337" in out, "the program read back %r" % out)
    evs = settled_bodies(a, "process_usdt", p.pid)
    check(len(evs) == 2 and all(e.get("action") == "KPROBE_ACTION_SET" for e in evs),
          "events %r" % evs)
    # the event has the value the probe saw: the first 4242, the second what Set wrote
    check([e["args"][0] for e in evs] == [{"int_arg": 4242}, {"int_arg": 31337}],
          "args %r" % [e["args"] for e in evs])
    st = a.policies()["usdt-set"]["stats"]
    check(st["actions_taken"] == 2, "stats %r" % st)
    a.policy("delete", "usdt-set")
    # in monitor mode nothing is written, and the events say what would have been
    doc = json.loads(usdt_policy("usdt-set-monitor", "tick", [(3, "int")],
                                 [{"matchActions": [{"action": "Set", "argIndex": 3,
                                                     "argValue": 31337}]}]))
    doc["spec"]["options"] = [{"name": "policy-mode", "value": "monitor"}]
    a.add_policy(json.dumps(doc))
    p = subprocess.Popen([USDT, "1", "set-word"], stdout=subprocess.PIPE)
    out = p.communicate(timeout=10)[0]
    check(b"on_stack 4242" in out, "monitor mode wrote: %r" % out)
    evs = settled_bodies(a, "process_usdt", p.pid)
    check(len(evs) == 1 and evs[0].get("action") == "KPROBE_ACTION_SET" and
          evs[0].get("policy_mode") == "monitor", "events %r" % evs)
    a.policy("delete", "usdt-set-monitor")


@test("usdt_refusals_say_why")
def _():
    need_uprobes()
    a = Agent.shared()
    r = a.policy("add", "-", text=usdt_policy("usdt-missing", "nosuch"), check_ok=False)
    check(r.returncode != 0 and b"no USDT probe hornet:nosuch" in r.stderr, "stderr %r" % r.stderr)
    r = a.policy("add", "-", text=usdt_policy("usdt-args", "plain", [(0, "int")]),
                 check_ok=False)
    check(r.returncode != 0 and b"the probe has 0 arguments" in r.stderr, "stderr %r" % r.stderr)
    # Set: a register is not written (argument 0 is %rax here), nor a constant (2)
    for arg, where in ((0, b"keeps it in a register"), (2, b"keeps it as a constant")):
        r = a.policy("add", "-", text=usdt_policy("usdt-set-%d" % arg, "tick", [], [
            {"matchActions": [{"action": "Set", "argIndex": arg, "argValue": 1}]}]),
            check_ok=False)
        check(r.returncode != 0 and where in r.stderr, "stderr %r" % r.stderr)
    r = a.policy("add", "-", text=usdt_policy("usdt-set-far", "tick", [], [
        {"matchActions": [{"action": "Set", "argIndex": 4, "argValue": 1}]}]), check_ok=False)
    check(r.returncode != 0 and b"the probe has 4 arguments" in r.stderr, "stderr %r" % r.stderr)
    if not features().get("write_user"):
        # where the kernel refuses bpf_probe_write_user() (lockdown), Set says so
        r = a.policy("add", "-", text=usdt_policy("usdt-set-locked", "tick", [], [
            {"matchActions": [{"action": "Set", "argIndex": 3, "argValue": 1}]}]),
            check_ok=False)
        check(r.returncode != 0 and b"which this kernel refuses" in r.stderr,
              "stderr %r" % r.stderr)
    doc = json.loads(usdt_policy("usdt-notelf", "tick"))
    doc["spec"]["usdts"][0]["path"] = "/etc/hostname"
    r = a.policy("add", "-", text=json.dumps(doc), check_ok=False)
    check(r.returncode != 0 and b"not an ELF file" in r.stderr, "stderr %r" % r.stderr)


def digest_policy(name, digests, ignore=False):
    hook = {"path": USDT, "symbols": ["main"], "binaryDigests": digests}
    if ignore:
        hook["ignore"] = {"digestVerificationFailure": True}
    return json.dumps({"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
                       "metadata": {"name": name}, "spec": {"uprobes": [hook]}})


@test("uprobe_binary_digests_attach_only_to_the_listed_binary")
def _():
    need_uprobes()
    with open(USDT, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    wrong = "%064x" % (int(digest, 16) ^ 1)
    a = Agent.shared()
    r = a.policy("add", "-", text=digest_policy("digest-wrong", ["sha256:" + wrong]),
                 check_ok=False)
    check(r.returncode != 0 and ("has sha256:%s" % digest).encode() in r.stderr,
          "stderr %r" % r.stderr)
    a.add_policy(digest_policy("digest-ok", ["sha256:" + wrong, "SHA256:" + digest.upper()]))
    pid = run_usdt("1")
    evs = settled_bodies(a, "process_uprobe", pid)
    check(len(evs) == 1 and evs[0]["symbol"] == "main", "events %r" % evs)


@test("geturl_with_nopost_fetches_and_exports_nothing")
def _():
    need_uprobes()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(10)
    try:
        a = Agent.shared()
        path = "/nopost-%d" % os.getpid()
        a.add_policy(usdt_policy("geturl-nopost", "plain", selectors=[{"matchActions": [
            {"action": "GetUrl", "argUrl": "http://127.0.0.1:%d%s" % (srv.getsockname()[1], path)},
            {"action": "NoPost"}]}]))
        pid = run_usdt("1")
        try:
            conn = srv.accept()[0]
        except socket.timeout:
            raise Fail("no GET within 10 s")
        with conn:
            conn.settimeout(5)
            request = conn.recv(4096)
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
        check(request.startswith(("GET %s " % path).encode()), "request %r" % request[:200])
        check(not settled_bodies(a, "process_usdt", pid), "an event despite NoPost")
    finally:
        srv.close()


@test("ima_hash_is_the_sha256_of_the_file_argument")
def _():
    a = Agent.shared()
    a.add_policy(json.dumps({
        "apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
        "metadata": {"name": "ima-exec"},
        "spec": {"tracepoints": [{
            "subsystem": "sched", "event": "sched_process_exec", "raw": True,
            "args": [{"index": 2, "type": "linux_binprm"}],
            "selectors": [{"matchBinaries": [{"operator": "In", "values": [USDT]}],
                           "matchActions": [{"action": "Post", "imaHash": True}]}]}]}}))
    with open(USDT, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    pid = run_usdt("1")
    evs = [e for e in settled_bodies(a, "process_tracepoint", pid)
           if e.get("policy_name") == "ima-exec"]
    check(len(evs) == 1 and evs[0].get("ima_hash") == "sha256:" + digest,
          "want sha256:%s, events %r" % (digest, evs))


# connects, then a forked child writes on the socket: its pid, then the child's
TRACKED_WRITER = """
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
pid = os.fork()
if pid == 0:
    s.sendall(b"from the child")
    os._exit(0)
os.waitpid(pid, 0)
print(os.getpid(), pid)
"""


@test("tracksock_events_of_a_tracked_socket_name_its_owner")
def _():
    if not features().get("fentry") and not features().get("kprobe"):
        skip("needs kprobes or fentry (tcp_connect, tcp_sendmsg)")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    dport = [{"matchArgs": [{"index": 0, "operator": "DPort", "values": [str(port)]}]}]
    track = [dict(dport[0], matchActions=[{"action": "TrackSock", "argSock": 0}])]
    try:
        a = Agent.shared()
        a.add_policy(json.dumps({
            "apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
            "metadata": {"name": "track-owner"},
            "spec": {"kprobes": [
                {"call": "tcp_connect", "args": [{"index": 0, "type": "sock"}],
                 "selectors": track},
                {"call": "tcp_sendmsg", "args": [{"index": 0, "type": "sock"}],
                 "selectors": dport}]}}))
        out = subprocess.run([sys.executable, "-c", TRACKED_WRITER, str(port)],
                             capture_output=True, timeout=20).stdout.split()
        owner, child = int(out[0]), int(out[1])
        a.settle()
        sends = [ev["process_kprobe"] for ev in a.events()
                 if ev.get("process_kprobe", {}).get("policy_name") == "track-owner" and
                 ev["process_kprobe"].get("function_name", "").endswith("tcp_sendmsg")]
        check(sends, "no tcp_sendmsg event on port %d" % port)
        pids = {e["process"]["pid"] for e in sends}
        check(pids == {owner}, "tcp_sendmsg by %d named %r, want the owner %d" %
              (child, pids, owner))
    finally:
        srv.close()


def run_usdt(*args):
    p = subprocess.Popen([USDT] + list(args), stdout=subprocess.DEVNULL)
    p.wait(timeout=10)
    return p.pid


def loader_policy(name):
    return json.dumps({"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
                       "metadata": {"name": name}, "spec": {"loader": True}})


@test("loader_events_name_the_files_a_process_maps_executable")
def _():
    a = Agent.shared()
    a.add_policy(loader_policy("loader-on"))
    pid = run_usdt("1")
    evs = settled_bodies(a, "process_loader", pid)
    paths = {e["path"]: e for e in evs}
    own = os.path.realpath(USDT)
    check(own in paths, "the binary is not among the mappings of %d: %r" % (pid, sorted(paths)))
    check(paths[own].get("buildid"), "no build id: %r" % paths[own])
    # dynamically linked (on the host; the VM's helpers are static): libc too
    libc = [p for p in paths if os.path.basename(p).startswith("libc.so")]
    with open(own, "rb") as f:
        dynamic = b"/lib64/ld-linux" in f.read(4096)     # its .interp
    check(libc or not dynamic,
          "no libc among the mappings of %d: %r" % (pid, sorted(paths)))
    check(all(e["process"]["pid"] == pid for e in evs), "events %r" % evs[:2])
    # the policy gone, the sensor stops
    a.policy("delete", "loader-on")
    pid = run_usdt("1")
    check(not settled_bodies(a, "process_loader", pid), "events after the policy was deleted")


if __name__ == "__main__":
    run()
