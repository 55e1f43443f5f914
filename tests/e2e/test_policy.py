#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TracingPolicies, end to end: real policies loaded into the real agent, real
triggers, assertions on the exported events and the policies' counters."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (Agent, check, features, hornet_progs, policy_doc,  # noqa: E402
                    run, skip, test)

CAT = os.path.realpath("/bin/cat")
SH = os.path.realpath("/bin/sh")


def kprobe_events(a, policy, pid=None):
    out = []
    for ev in a.events():
        for key in ("process_kprobe", "process_lsm", "process_tracepoint", "process_uprobe"):
            body = ev.get(key)
            if body and body.get("policy_name") == policy and \
                    (pid is None or body["process"]["pid"] == pid):
                out.append(body)
    return out


def wait_events(a, policy, n, pid=None, timeout=10):
    deadline = time.time() + timeout
    while True:
        evs = kprobe_events(a, policy, pid)
        if len(evs) >= n or time.time() > deadline:
            return evs
        time.sleep(0.05)


def openat_policy(name, op, values, actions="", extra=""):
    return policy_doc("openat", name=name, operator=op, extra=extra, actions=actions,
                      values="".join("\n        - \"%s\"" % v for v in values))


def tmpdir():
    d = tempfile.mkdtemp(prefix="hornet-pol-", dir="/var/tmp")
    os.chmod(d, 0o755)
    return d


@test("read_of_etc_shadow_is_reported_and_unlisted_files_are_filtered_in_the_kernel")
def _():
    a = Agent()
    a.add_policy(openat_policy("shadow-reads", "Equal", ["/etc/shadow"]))
    pol = a.policies()["shadow-reads"]
    check(pol["state"] == "enabled", "policy %r" % pol)
    hooks = pol["hooks"][0]
    if not features().get("fentry") and not features().get("kprobe"):
        check(hooks["mechanism"] == "tracepoint" and "syscall tracepoints" in hooks.get("note", ""),
              "hook plan %r" % hooks)
    else:
        check(hooks["mechanism"] in ("fentry", "kprobe"), "hook plan %r" % hooks)
    p = subprocess.Popen([CAT, "/etc/shadow"], stdout=subprocess.DEVNULL)
    p.wait()
    q = subprocess.Popen([CAT, "/etc/hostname"], stdout=subprocess.DEVNULL)
    q.wait()
    evs = wait_events(a, "shadow-reads", 1, pid=p.pid)
    check(len(evs) == 1, "%d events for the read of /etc/shadow" % len(evs))
    ev = evs[0]
    check(ev["process"]["binary"] == CAT, "binary %r" % ev["process"]["binary"])
    check(ev["function_name"].endswith("sys_openat"), "function %r" % ev["function_name"])
    check(ev["args"][1] == {"string_arg": "/etc/shadow"}, "args %r" % ev["args"])
    check(ev["action"] == "KPROBE_ACTION_POST", "action %r" % ev["action"])
    check(ev["parent"]["pid"] == os.getpid(), "parent %r" % ev.get("parent", {}).get("pid"))
    time.sleep(0.3)
    check(not kprobe_events(a, "shadow-reads", q.pid), "the read of /etc/hostname was reported")
    # in-kernel filtering: what reached user space is what matched. Other processes may read
    # /etc/shadow meanwhile, and the network sensor's events are process_kprobe too: compare
    # the counts at a moment when neither of the agent's counters moved.
    def exported():
        return len([e for e in a.events() if "process_kprobe" in e])

    for _ in range(20):
        st = a.policies()["shadow-reads"]["stats"]
        counted = a.status()["events"].get("process_kprobe", 0)
        deadline = time.monotonic() + 2
        while (len(kprobe_events(a, "shadow-reads")) < st["events_posted"] or
               exported() < counted) and time.monotonic() < deadline:
            time.sleep(0.05)
        posted, total = len(kprobe_events(a, "shadow-reads")), exported()
        if a.policies()["shadow-reads"]["stats"]["events_posted"] == st["events_posted"] and \
                a.status()["events"].get("process_kprobe", 0) == counted:
            break
    check(st["events_posted"] == posted, "kernel posted %d, user space got %d" %
          (st["events_posted"], posted))
    check(counted == total, "status %r, %d process_kprobe events exported" %
          (a.status()["events"], total))


@test("sigkill_on_write_to_a_protected_file_kills_the_writer")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "protected")
        other = os.path.join(d, "other")
        open(target, "w").close()
        open(other, "w").close()
        a = Agent.shared()
        a.add_policy(policy_doc("protect-file", path=target))
        code = "import os,sys,time; f=os.open(sys.argv[1], os.O_WRONLY); time.sleep(0.2); " \
               "os.write(f, b'x'); time.sleep(5)"
        w = subprocess.Popen(["/usr/bin/python3", "-c", code, target])
        o = subprocess.Popen(["/usr/bin/python3", "-c", code.replace("time.sleep(5)", "0"), other])
        check(w.wait(timeout=20) == -signal.SIGKILL, "writer exit %r" % w.returncode)
        check(o.wait(timeout=20) == 0, "the other writer was hurt: %r" % o.returncode)
        evs = wait_events(a, "protect-file", 1, pid=w.pid)
        check(evs and evs[0]["action"] == "KPROBE_ACTION_SIGKILL", "events %r" % evs)
        check(evs[0]["args"][0]["file_arg"]["path"] == target, "args %r" % evs[0]["args"])
        check(a.policies()["protect-file"]["stats"]["actions_taken"] >= 1, "no action counted")
    finally:
        shutil.rmtree(d)


def lsm_override(path):
    return policy_doc("deny-open-lsm", path=path)


@test("override_on_lsm_file_open_denies_with_eperm", needs=("lsm",))
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "secret")
        with open(target, "w") as f:
            f.write("secret\n")
        a = Agent.shared()
        a.add_policy(lsm_override(target))
        check(a.policies()["deny-open"]["hooks"][0]["mechanism"] == "lsm", "not on BPF LSM")
        r = subprocess.run([CAT, target], capture_output=True)
        check(r.returncode != 0 and b"Operation not permitted" in r.stderr,
              "cat: %d %r" % (r.returncode, r.stderr))
        check(subprocess.run([CAT, "/etc/hostname"], capture_output=True).returncode == 0,
              "other files denied too")
        evs = wait_events(a, "deny-open", 1)
        check(evs and evs[0]["action"] == "KPROBE_ACTION_OVERRIDE", "events %r" % evs)
        a.policy("delete", "deny-open")
        check(subprocess.run([CAT, target], capture_output=True).returncode == 0,
              "still denied after delete")
    finally:
        shutil.rmtree(d)


@test("override_on_lsm_hook_is_refused_where_there_is_no_bpf_lsm")
def _():
    if features().get("lsm"):
        skip("this kernel has BPF LSM")
    a = Agent.shared()
    r = a.policy("add", "-", text=lsm_override("/nonexistent"), check_ok=False)
    check(r.returncode == 1, "exit %d" % r.returncode)
    check(b"Override on LSM hook 'file_open' needs BPF LSM" in r.stderr, "stderr %r" % r.stderr)
    pol = a.policies()["deny-open"]
    check(pol["state"] == "error" and "needs BPF LSM" in pol["error"], "list %r" % pol)
    check(a.status()["ready"], "agent not ready")


@test("kernel_function_hooks_through_kprobe_or_fentry", needs=("kprobe",))
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "watched")
        open(target, "w").close()
        a = Agent.shared()
        a.add_policy(policy_doc("file-permission", dir=d))
        mech = a.policies()["file-permission"]["hooks"][0]["mechanism"]
        check(mech in ("fentry", "kprobe"), "mechanism %r" % mech)
        p = subprocess.Popen([CAT, target], stdout=subprocess.DEVNULL)
        p.wait()
        evs = wait_events(a, "file-permission", 1, pid=p.pid)
        check(evs and evs[0]["args"][0]["file_arg"]["path"] == target, "events %r" % evs)
        check(evs[0]["function_name"] == "security_file_permission", "function %r" %
              evs[0]["function_name"])
    finally:
        shutil.rmtree(d)


@test("kernel_function_hooks_are_refused_without_kprobes_or_fentry")
def _():
    if features().get("kprobe") or features().get("fentry"):
        skip("this kernel has kprobes or fentry")
    a = Agent.shared()
    r = a.policy("add", "-", check_ok=False, text=policy_doc("needs-kprobes"))
    check(r.returncode == 1 and b"needs fentry or kprobes" in r.stderr, "stderr %r" % r.stderr)


@test("match_binaries_with_follow_children")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        open(target, "w").close()
        launcher = os.path.join(d, "launcher")
        shutil.copy(SH, launcher)
        a = Agent.shared()
        a.add_policy(openat_policy("follow", "Equal", [target], extra="""      matchBinaries:
      - operator: "In"
        values:
        - "%s"
        followChildren: true
""" % launcher))
        direct = subprocess.Popen([CAT, target], stdout=subprocess.DEVNULL)
        direct.wait()
        via = subprocess.Popen([launcher, "-c", "%s %s; true" % (CAT, target)],
                               stdout=subprocess.DEVNULL)
        via.wait()
        evs = wait_events(a, "follow", 1)
        pids = {e["process"]["pid"] for e in evs}
        check(evs and all(e["process"]["binary"] == CAT for e in evs), "events %r" % evs)
        check(direct.pid not in pids, "cat outside the launcher was reported")
        check(any(e["parent"]["pid"] == via.pid for e in evs), "the launcher's child missing")
    finally:
        shutil.rmtree(d)


@test("match_namespaces_with_a_new_namespace")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        open(target, "w").close()
        # full process objects: the event shows the namespace it matched on
        a = Agent("--policy-events-full-process")
        a.add_policy(openat_policy("in-new-uts", "Equal", [target], extra="""      matchNamespaces:
      - namespace: Uts
        operator: NotIn
        values:
        - "host_ns"
"""))
        host = subprocess.Popen([CAT, target], stdout=subprocess.DEVNULL)
        host.wait()
        inns = subprocess.Popen(["unshare", "--uts", CAT, target], stdout=subprocess.DEVNULL)
        inns.wait()
        evs = wait_events(a, "in-new-uts", 1)
        check(len(evs) == 1, "%d events: %r" % (len(evs), [e["process"]["pid"] for e in evs]))
        check(evs[0]["process"]["ns"]["uts"]["is_host"] is False, "ns %r" % evs[0]["process"]["ns"])
    finally:
        shutil.rmtree(d)


@test("match_capabilities")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        with open(target, "w") as f:
            f.write("x")
        os.chmod(target, 0o644)
        a = Agent.shared()
        a.add_policy(openat_policy("with-sys-admin", "Equal", [target], extra="""      matchCapabilities:
      - type: Effective
        operator: In
        values:
        - "CAP_SYS_ADMIN"
"""))
        root = subprocess.Popen([CAT, target], stdout=subprocess.DEVNULL)
        root.wait()
        nobody = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                   CAT, target], stdout=subprocess.DEVNULL)
        nobody.wait()
        evs = wait_events(a, "with-sys-admin", 1)
        pids = [e["process"]["pid"] for e in evs]
        check(root.pid in pids, "root's read missing: %r" % pids)
        check(nobody.pid not in pids, "nobody's read reported")
    finally:
        shutil.rmtree(d)


@test("rate_limit")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        open(target, "w").close()
        a = Agent.shared()
        a.add_policy(openat_policy("limited", "Equal", [target], actions="""      matchActions:
      - action: Post
        rateLimit: "1m"
        rateLimitScope: "process"
"""))
        code = "import sys\nfor i in range(5): open(sys.argv[1]).close()"
        p = subprocess.Popen(["/usr/bin/python3", "-c", code, target])
        p.wait()
        time.sleep(0.5)
        evs = kprobe_events(a, "limited", p.pid)
        check(len(evs) == 1, "%d events for 5 opens within the limit" % len(evs))
        st = a.policies()["limited"]["stats"]
        check(st["rate_limited"] == 4, "stats %r" % st)
    finally:
        shutil.rmtree(d)


@test("monitor_mode_counts_without_killing_then_enforce_kills")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        open(target, "w").close()
        a = Agent.shared()
        a.add_policy(openat_policy("kill-readers", "Equal", [target], actions="""      matchActions:
      - action: Sigkill
"""), "--mode", "monitor")
        check(a.policies()["kill-readers"]["mode"] == "monitor", "mode")
        p = subprocess.run([CAT, target])
        check(p.returncode == 0, "killed in monitor mode: %d" % p.returncode)
        evs = wait_events(a, "kill-readers", 1)
        check(evs and evs[0]["action"] == "KPROBE_ACTION_SIGKILL" and
              evs[0].get("policy_mode") == "monitor", "event %r" % (evs[:1],))
        st = a.policies()["kill-readers"]["stats"]
        check(st["actions_skipped_monitor"] >= 1 and st["actions_taken"] == 0, "stats %r" % st)
        a.policy("mode", "kill-readers", "enforce")
        p = subprocess.run([CAT, target])
        check(p.returncode == -signal.SIGKILL, "not killed in enforce mode: %d" % p.returncode)
        check(a.policies()["kill-readers"]["stats"]["actions_taken"] >= 1, "not counted")
    finally:
        shutil.rmtree(d)


@test("adding_and_deleting_policies_loses_no_event_of_another")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "steady")
        open(target, "w").close()
        a = Agent.shared()
        a.add_policy(openat_policy("steady", "Equal", [target]))
        stop = os.path.join(d, "stop")
        # opens the file until told to stop, then says how many times it did
        code = ("import os,sys,time\nn=0\nwhile not os.path.exists(sys.argv[2]):\n"
                " open(sys.argv[1]).close(); n+=1; time.sleep(0.005)\nprint(n)")
        p = subprocess.Popen(["/usr/bin/python3", "-c", code, target, stop],
                             stdout=subprocess.PIPE)
        time.sleep(0.2)
        for _ in range(3):
            a.add_policy(openat_policy("churn", "Prefix", ["/nonexistent/"]))
            a.policy("delete", "churn")
        open(stop, "w").close()
        n = int(p.communicate(timeout=60)[0])
        evs = wait_events(a, "steady", n, pid=p.pid, timeout=20)
        check(n > 10, "only %d opens happened" % n)
        check(len(evs) == n, "%d of %d events of the steady policy across 3 add/delete rounds" %
              (len(evs), n))
        check(a.status()["lost"]["ringbuf"]["policy_events"] == 0, "ring buffer losses")
    finally:
        shutil.rmtree(d)


BAD_POLICIES = [
    ("bad yaml", "a: [b\n", "invalid YAML"),
    ("unknown operator", openat_policy("x", "Prefx", ["/a"]), "did you mean 'Prefix'"),
    ("unknown function", """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: no-such-function
spec:
  kprobes:
  - call: "sys_no_such_call"
    syscall: true
""", "not a syscall"),
    ("no hooks", """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: empty
spec: {}
""", "no hooks"),
    ("wrong kind", """apiVersion: cilium.io/v1alpha1
kind: TracingPolcy
metadata:
  name: x
spec:
  kprobes:
  - call: sys_openat
    syscall: true
""", "kind"),
    ("bad name", """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "Not A Name"
spec:
  kprobes:
  - call: sys_openat
    syscall: true
""", "metadata.name"),
    ("index not in args", openat_policy("x", "Equal", ["a"]).replace("- index: 1\n        operator",
                                                                 "- index: 4\n        operator"),
     "matchArgs"),
    ("Override without argError", openat_policy("x", "Equal", ["/a"], actions="""      matchActions:
      - action: Override
"""), "argError"),
    ("binary garbage", "\x00\x01\x02\xff", ""),
]


@test("malformed_policies_get_their_errors_and_the_agent_stays_up")
def _():
    a = Agent.shared()
    a.add_policy(openat_policy("keeps-running", "Equal", ["/etc/shadow"]))
    for name, text, want in BAD_POLICIES:
        r = a.policy("add", "-", text=text, check_ok=False)
        check(r.returncode == 1, "%s: exit %d" % (name, r.returncode))
        check(want.encode() in r.stderr, "%s: stderr lacks %r: %r" % (name, want, r.stderr[-300:]))
        check(len(r.stderr.strip().splitlines()) == 1, "%s: not one line: %r" % (name, r.stderr))
    check(a.status()["ready"], "agent not ready")
    check(a.policies()["keeps-running"]["state"] == "enabled", "the good policy suffered")
    r = a.policy("delete", "no-such-policy", check_ok=False)
    check(r.returncode == 1 and b"no policy 'no-such-policy'" in r.stderr, "delete %r" % r.stderr)
    r = a.policy("add", "-", text=openat_policy("keeps-running", "Equal", ["/x"]), check_ok=False)
    check(r.returncode == 1 and b"already exists" in r.stderr, "duplicate %r" % r.stderr)


@test("policies_from_the_command_line_and_a_directory")
def _():
    d = tmpdir()
    try:
        with open(os.path.join(d, "a.yaml"), "w") as f:
            f.write(openat_policy("from-dir", "Equal", ["/etc/shadow"]))
        with open(os.path.join(d, "broken.yaml"), "w") as f:
            f.write("kind: [\n")
        single = os.path.join(d, "single.yaml.in")
        with open(single, "w") as f:
            f.write(openat_policy("from-flag", "Equal", ["/etc/shadow"]))
        a = Agent("--policy-dir", d, "--policy", single)
        pols = a.policies()
        check(pols["from-dir"]["state"] == "enabled", "from-dir %r" % pols.get("from-dir"))
        check(pols["from-flag"]["state"] == "enabled", "from-flag %r" % pols.get("from-flag"))
        check(pols["broken"]["state"] == "error" and "broken.yaml" in pols["broken"]["error"],
              "broken %r" % pols.get("broken"))
    finally:
        shutil.rmtree(d)


@test("stack_traces")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        open(target, "w").close()
        a = Agent.shared()
        a.add_policy(openat_policy("stacks", "Equal", [target], actions="""      matchActions:
      - action: Post
        kernelStackTrace: true
        userStackTrace: true
"""))
        # alive until the event is out: user frames are named from /proc/PID/maps (under
        # TCG in the VM the event can take more than a second)
        code = "import sys,time; open(sys.argv[1]).close(); time.sleep(60)"
        p = subprocess.Popen(["/usr/bin/python3", "-c", code, target])
        try:
            evs = wait_events(a, "stacks", 1, pid=p.pid)
        finally:
            p.kill()
            p.wait()
        check(evs, "no event")
        ks = evs[0].get("kernel_stack_trace", [])
        us = evs[0].get("user_stack_trace", [])
        check(len(ks) >= 2 and all("symbol" in f for f in ks[:2]), "kernel stack %r" % ks[:3])
        check(us and any("libc" in f.get("module", "") or "python" in f.get("module", "")
                         for f in us), "user stack %r" % us[:3])
    finally:
        shutil.rmtree(d)


@test("get_url_and_dns_lookup_actions_run_in_user_space")
def _():
    import http.server
    import socket
    hits, queries = [], []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    dns.settimeout(0.2)

    def dns_server():
        while not stop:
            try:
                data, peer = dns.recvfrom(512)
            except OSError:
                continue
            queries.append(data)
            # the answer: the question back, no records, NOERROR
            dns.sendto(data[:2] + b"\x81\x80" + data[4:6] + b"\x00\x00\x00\x00\x00\x00" +
                       data[12:], peer)
    stop = False
    threading.Thread(target=dns_server, daemon=True).start()
    d = tmpdir()
    try:
        target = os.path.join(d, "data")
        open(target, "w").close()
        a = Agent("--dns-server", "127.0.0.1:%d" % dns.getsockname()[1])
        a.add_policy(openat_policy("notify", "Equal", [target], actions="""      matchActions:
      - action: GetUrl
        argUrl: "http://127.0.0.1:%d/hornet-alert"
      - action: DnsLookup
        argFqdn: "alert.hornet.test"
""" % httpd.server_address[1]))
        subprocess.run([CAT, target], stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while (not hits or not queries) and time.time() < deadline:
            time.sleep(0.1)
        check(hits == ["/hornet-alert"], "GetUrl: %r" % hits)
        check(queries and b"\x05alert\x06hornet\x04test\x00" in queries[0], "DnsLookup: %r" %
              queries)
        ua = a.status()["user_actions"]
        check(ua["done"] >= 2 and ua["dropped"] == 0, "user actions %r" % ua)
    finally:
        stop = True
        httpd.shutdown()
        dns.close()
        shutil.rmtree(d)


@test("tracepoint_policy_with_format_file_arguments")
def _():
    d = tmpdir()
    try:
        target = os.path.join(d, "made-by-tracepoint-test")
        a = Agent.shared()
        a.add_policy(policy_doc("mkdir-tp"))
        dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.mkdir(target, 0o751, dir_fd=dfd)  # mkdirat(2): plain mkdir(2) is another call
        finally:
            os.close(dfd)
        evs = wait_events(a, "mkdir-tp", 1, pid=os.getpid())
        check(evs, "no event")
        ev = evs[0]
        check(ev["subsys"] == "syscalls" and ev["event"] == "sys_enter_mkdirat", "ev %r" % ev)
        check(ev["args"][1] == {"string_arg": target}, "args %r" % ev["args"])
        check(list(ev["args"][2].values())[0] == 0o751, "mode %r" % ev["args"][2])
    finally:
        shutil.rmtree(d)


@test("raw_tracepoint_policy")
def _():
    a = Agent.shared()
    a.add_policy(policy_doc("rawtp-exec"))
    mech = a.policies()["rawtp-exec"]["hooks"][0]["mechanism"]
    check(mech in ("tp_btf", "raw_tp"), "mechanism %r" % mech)
    p = subprocess.Popen([CAT, "/etc/hostname"], stdout=subprocess.DEVNULL)
    p.wait()
    evs = wait_events(a, "rawtp-exec", 1, pid=p.pid)
    check(evs and evs[0]["args"][0]["linux_binprm_arg"]["path"] == CAT, "events %r" % evs[:1])


@test("uprobe_policy")
def _():
    a = Agent.shared()
    libc = subprocess.run(["/usr/bin/python3", "-c",
                           "import ctypes.util,os; print(os.path.realpath('/lib/x86_64-linux-gnu/libc.so.6'))"],
                          capture_output=True).stdout.decode().strip()
    if not os.path.exists(libc):
        skip("no libc at %s" % libc)
    a.add_policy(policy_doc("uprobe-getpid", libc=libc, binary=os.path.realpath("/usr/bin/python3")))
    p = subprocess.Popen(["/usr/bin/python3", "-c", "import os; os.getpid(); os.getpid()"])
    p.wait()
    evs = wait_events(a, "uprobe-getpid", 1, pid=p.pid)
    check(evs and evs[0]["symbol"] == "getpid" and evs[0]["path"] == libc, "events %r" % evs[:1])


@test("json_policy_list_of_syscalls_and_return_values")
def _():
    import json as js
    d = tmpdir()
    try:
        target = os.path.join(d, "missing")
        a = Agent()
        pol = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
               "metadata": {"name": "failed-opens"},
               "spec": {"lists": [{"name": "opens", "type": "syscalls",
                                   "values": ["sys_openat", "sys_open"]}],
                        "kprobes": [{"call": "list:opens", "syscall": True, "return": True,
                                     "args": [{"index": 1, "type": "string"}],
                                     "returnArg": {"index": 0, "type": "int"},
                                     "selectors": [{"matchArgs": [{"index": 1, "operator": "Prefix",
                                                                   "values": [d]}],
                                                    "matchReturnArgs": [{"index": 0,
                                                                         "operator": "Equal",
                                                                         "values": ["-2"]}]}]}]}}
        a.add_policy(js.dumps(pol))
        check(len(a.policies()["failed-opens"]["hooks"]) == 2, "hooks %r" %
              a.policies()["failed-opens"]["hooks"])
        r = subprocess.run([CAT, target], capture_output=True)
        check(r.returncode != 0, "cat of a missing file succeeded")
        open(os.path.join(d, "present"), "w").close()
        subprocess.run([CAT, os.path.join(d, "present")], capture_output=True)
        evs = wait_events(a, "failed-opens", 1)
        time.sleep(0.3)
        evs = kprobe_events(a, "failed-opens")
        check(len(evs) == 1, "%d events: %r" % (len(evs), [e["args"] for e in evs]))
        check(evs[0]["return"] == {"int_arg": -2} and evs[0]["args"][0]["string_arg"] == target,
              "event %r" % evs[0])
    finally:
        shutil.rmtree(d)


@test("thousands_of_values_in_one_selector")
def _():
    d = tmpdir()
    try:
        values = ["%s/f%05d" % (d, i) for i in range(5000)]
        a = Agent.shared()
        a.add_policy(openat_policy("many", "Equal", values))
        last = values[-1]
        open(last, "w").close()
        p = subprocess.Popen([CAT, last], stdout=subprocess.DEVNULL)
        p.wait()
        evs = wait_events(a, "many", 1, pid=p.pid)
        check(evs and evs[0]["args"][1]["string_arg"] == last, "events %r" % evs[:1])
        check(a.policies()["many"]["kernel_memory_bytes"] > 5000 * 256,
              "values not in a map? %r" % a.policies()["many"]["kernel_memory_bytes"])
    finally:
        shutil.rmtree(d)


@test("policy_programs_are_detached_with_the_policy_and_the_agent")
def _():
    a = Agent()
    a.add_policy(openat_policy("transient", "Equal", ["/etc/shadow"]))
    check(hornet_progs(settle=False, prefix="hornet_gen"), "not loaded")
    a.policy("delete", "transient")
    left = hornet_progs(prefix="hornet_gen")
    check(not left, "left: %r" % left)
    a.add_policy(openat_policy("transient", "Equal", ["/etc/shadow"]))
    a.stop()
    left = hornet_progs()
    check(left == [], "left after stop: %r" % left)





@test("the_agent_never_matches_its_own_calls")
def _():
    """Policies watching bpf() or capability checks would see the agent's
    own work (loading the next policy, answering status) and feed on it."""
    a = Agent()
    a.add_policy(policy_doc("every-bpf-call"))
    a.add_policy(policy_doc("prefix-open", name="another", prefix="/nonexistent-hornet/"))  # loads programs
    a.status()
    p = subprocess.run(["bpftool", "prog", "show"], capture_output=True, timeout=60)
    check(p.returncode == 0, "bpftool failed")

    def bpftools(ev):
        b = ev.get("process_kprobe", {})
        return b.get("policy_name") == "every-bpf-call" and \
            b["process"]["binary"].endswith("/bpftool")
    a.wait_for(bpftools, what="bpftool's bpf() calls")
    own = [ev for ev in a.events() if ev.get("process_kprobe", {}).get("process", {}).get("pid")
           == a.proc.pid]
    check(not own, "%d events for the agent's own calls" % len(own))

@test("prefix_postfix_and_equal_on_long_absolute_and_relative_paths")
def _():
    """The string matches on paths longer than any value, opened by absolute
    and by relative path (the program reads the path first and its directory
    only when the path is relative), and Postfix on the binary: a Postfix
    looks at no more bytes than its longest value, which must still find
    every value and no near miss."""
    d = tmpdir()
    try:
        deep = os.path.join(d, "a" * 60, "b" * 60)
        os.makedirs(deep)
        for n in ("x.secret", "x.secretz", "y.secre", "tail.key"):
            open(os.path.join(deep, n), "w").close()
        head = os.path.realpath(shutil.which("head"))
        a = Agent.shared()
        a.add_policy(openat_policy("sm-post", "Postfix", [".secret", "/tail.key"]))
        a.add_policy(openat_policy("sm-pre", "Prefix", [deep + "/x."]))
        a.add_policy(openat_policy("sm-eq", "Equal", [deep + "/y.secre"]))
        a.add_policy(openat_policy("sm-bin-post", "Prefix", [deep + "/"], extra="""      matchBinaries:
      - operator: "Postfix"
        values:
        - "/%s"
""" % os.path.basename(CAT)))
        procs = []
        for n in ("x.secret", "x.secretz", "y.secre", "tail.key"):
            for cwd, arg in ((None, os.path.join(deep, n)), (deep, n)):
                for prog in (CAT, head):
                    p = subprocess.Popen([prog, arg], cwd=cwd, stdout=subprocess.DEVNULL)
                    p.wait()
                    procs.append((p.pid, prog, os.path.join(deep, n)))
        want = {
            "sm-post": {"x.secret", "tail.key"},
            "sm-pre": {"x.secret", "x.secretz"},
            "sm-eq": {"y.secre"},
            "sm-bin-post": {"x.secret", "x.secretz", "y.secre", "tail.key"},
        }
        for pol, names in want.items():
            exp = [(pid, path) for pid, prog, path in procs
                   if os.path.basename(path) in names and (pol != "sm-bin-post" or prog == CAT)]
            evs = wait_events(a, pol, len(exp))
            time.sleep(0.2)
            evs = [e for e in kprobe_events(a, pol) if e["process"]["pid"] in
                   {pid for pid, _, _ in procs}]
            got = sorted((e["process"]["pid"], e["args"][1]["string_arg"]) for e in evs)
            check(got == sorted(exp), "policy %s: events %r, expected %r" % (pol, got, sorted(exp)))
    finally:
        shutil.rmtree(d)


@test("prefilter_of_short_values_keeps_every_match_and_no_near_miss")
def _():
    """The string prefilter skips the map lookups of a string whose first
    (last) K bytes no value of the point has, K its shortest value's length:
    values of 3 and 2 bytes, strings shorter than K, equal to K, differing
    from a value in its K-th byte, and long ones. An agent of its own, so
    that no other test's values set K."""
    d = tmpdir()
    try:
        deep = os.path.join(d, "c" * 70)
        os.makedirs(deep)
        for n in ("x.secret", "y.secre", "tail.key"):
            open(os.path.join(deep, n), "w").close()
        a = Agent()
        a.add_policy(openat_policy("pf-pre", "Prefix", ["/bo", deep + "/x."]))
        a.add_policy(openat_policy("pf-eq", "Equal", ["/boot", deep + "/y.secre"]))
        a.add_policy(openat_policy("pf-post", "Postfix", ["et", "/tail.key"]))
        paths = ["/", "/b", "/bo", "/bi", "/boot", "/bin"] + \
            [os.path.join(deep, n) for n in ("x.secret", "y.secre", "tail.key")]
        procs = []
        for path in paths:
            p = subprocess.Popen([CAT, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            p.wait()
            procs.append((p.pid, path))
        want = {
            "pf-pre": {"/bo", "/boot", os.path.join(deep, "x.secret")},
            "pf-eq": {"/boot", os.path.join(deep, "y.secre")},
            "pf-post": {os.path.join(deep, "x.secret"), os.path.join(deep, "tail.key")},
        }
        pids = {pid for pid, _ in procs}
        for pol, names in want.items():
            exp = sorted((pid, path) for pid, path in procs if path in names)
            wait_events(a, pol, len(exp))
            time.sleep(0.2)
            got = sorted((e["process"]["pid"], e["args"][1]["string_arg"])
                         for e in kprobe_events(a, pol) if e["process"]["pid"] in pids)
            check(got == exp, "policy %s: events %r, expected %r" % (pol, got, exp))
    finally:
        shutil.rmtree(d)


@test("gate_of_equal_values_by_length_and_last_bytes")
def _():
    """When every selector of the openat point compares the path, the
    program reads the path alone first and ends a call no value can match;
    for Equal values by their length and last bytes. Files of one directory
    (the same first bytes): one of the value's length differing in its last
    byte, shorter and longer ones, a value shorter than 8 bytes, and the
    values opened by absolute and by relative path (the gate lets a
    relative path through, its directory comes first). An agent of its own,
    so that only these selectors are on the point."""
    d = tmpdir()
    try:
        names = ("watched", "watchee", "watche", "watchedx", "wa", "wb")
        for n in names:
            open(os.path.join(d, n), "w").close()
        a = Agent()
        a.add_policy(openat_policy("gate-eq", "Equal",
                                   [os.path.join(d, "watched"), os.path.join(d, "wa")]))
        procs = []
        for n in names:
            for cwd, arg in ((None, os.path.join(d, n)), (d, n)):
                p = subprocess.Popen([CAT, arg], cwd=cwd, stdout=subprocess.DEVNULL)
                p.wait()
                procs.append((p.pid, os.path.join(d, n)))
        exp = sorted((pid, path) for pid, path in procs
                     if os.path.basename(path) in ("watched", "wa"))
        wait_events(a, "gate-eq", len(exp))
        time.sleep(0.2)
        pids = {pid for pid, _ in procs}
        got = sorted((e["process"]["pid"], e["args"][1]["string_arg"])
                     for e in kprobe_events(a, "gate-eq") if e["process"]["pid"] in pids)
        check(got == exp, "events %r, expected %r" % (got, exp))
    finally:
        shutil.rmtree(d)


run()
