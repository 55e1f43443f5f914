#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpora of the fuzzers into tests/fuzz/corpus/<fuzzer>/.

The seeds are checked in; this script says what each one is and makes them
again (`tests/fuzz/seeds.py`). A seed is a small, valid (or nearly valid)
input of the parser, so that a few seconds of fuzzing start deep inside it:
the policies of policies/ and examples/, real DNS messages, HTTP requests,
TLS ClientHellos, /proc files, cgroup paths, agent config files, argv blocks
and strings for the JSON writer. The TLS hellos come from Python's ssl module,
so their random fields change each time the script runs.
"""
import glob
import json
import os
import shutil
import ssl
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(fuzzer, name, data):
    d = os.path.join(CORPUS, fuzzer)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def put_all(fuzzer, seeds):
    for name, data in seeds.items():
        put(fuzzer, name, data)


def policy():
    files = sorted(glob.glob(os.path.join(ROOT, "policies", "**", "*.yaml"), recursive=True) +
                   glob.glob(os.path.join(ROOT, "examples", "**", "*.yaml"), recursive=True))
    for path in files:
        rel = os.path.relpath(path, ROOT).replace("/", "-")
        shutil.copyfile(path, os.path.join(CORPUS, "fuzz_policy", rel))
    policy_json()
    put("fuzz_policy", "argtypes.yaml", ARGTYPES)


# The argument types and lists of issue 13: iovecs, sockaddr_un, bpf_cmd, the
# sint names, a __data_loc field, generated lists with a pattern.
ARGTYPES = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: argtypes
spec:
  lists:
  - name: ksys
    type: generated_ftrace
    pattern: "^(ksys|vfs)_[a-z]+$"
  - name: all
    type: generated_syscalls
  kprobes:
  - call: sys_writev
    syscall: true
    args:
    - {index: 1, type: char_iovec, sizeArgIndex: 3, maxData: true}
    - {index: 2, type: sint32}
  - call: sys_connect
    syscall: true
    args:
    - {index: 1, type: sockaddr_un, sizeArgIndex: 3}
    - {index: 2, type: "unsigned long"}
    selectors:
    - matchArgs:
      - {index: 1, operator: Prefix, values: ["@", "/run/"]}
  - call: sys_bpf
    syscall: true
    args:
    - {index: 0, type: bpf_cmd}
    selectors:
    - matchArgs:
      - {index: 0, operator: Equal, values: [BPF_PROG_LOAD, "36"]}
  - call: security_socket_sendmsg
    args:
    - {index: 1, type: iov_iter, resolve: msg_iter}
  - call: "list:ksys"
  tracepoints:
  - subsystem: sched
    event: sched_process_exec
    ignore: {callNotFound: true}
    args:
    - {index: 4, type: data_loc}
    - {index: 5, type: sint64}
"""


# Policies as JSON (the API and the HTTP API take them so): the same parser, JSON's
# flow syntax, escapes and numbers instead of YAML's blocks.
JSON_POLICIES = ["policies/reverse-shell.yaml", "policies/ptrace.yaml",
                 "tests/e2e/policies/mkdir-tp.yaml", "tests/e2e/policies/protect-file.yaml"]


def policy_json():
    import yaml     # PyYAML, to turn the YAML seeds into JSON
    for rel in JSON_POLICIES:
        with open(os.path.join(ROOT, rel)) as f:
            doc = yaml.safe_load(f)
        name = os.path.basename(rel)[:-5] + ".json"
        put("fuzz_policy", "json-" + name, json.dumps(doc, indent=1) + "\n")
    put("fuzz_policy", "json-escapes.json", json.dumps({
        "apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
        "metadata": {"name": "esc\u00e9"},
        "spec": {"tracepoints": [{"subsystem": "syscalls", "event": "sys_enter_openat",
                                  "args": [{"index": 6, "type": "string"}],
                                  "selectors": [{"matchArgs": [{
                                      "index": 0, "operator": "Prefix",
                                      "values": ["/etc/\n\t\"x\"", "/\u0000"]}]}]}]}},
        ensure_ascii=True) + "\n")
    # the selectors of issue 13: matchParentBinaries, SubString, matchData,
    # isNamespaceCapability
    put("fuzz_policy", "json-selectors.json", json.dumps({
        "apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
        "metadata": {"name": "selectors"},
        "spec": {"kprobes": [{"call": "sys_openat", "syscall": True,
                              "args": [{"index": 1, "type": "string"}],
                              "data": [{"index": 2, "type": "int"}],
                              "selectors": [{
                                  "matchData": [{"index": 0, "operator": "Mask",
                                                 "values": ["0x40"]}],
                                  "matchArgs": [{"index": 1, "operator": "SubStringIgnCase",
                                                 "values": ["/ETC/", "shadow"]}],
                                  "matchParentBinaries": [{"operator": "Prefix",
                                                           "followChildren": True,
                                                           "values": ["/usr/bin/"]}],
                                  "matchCapabilities": [{"operator": "In",
                                                         "isNamespaceCapability": True,
                                                         "values": ["CAP_SYS_ADMIN"]}]}]}]}},
        indent=1) + "\n")


def api_seeds():
    """Request lines of the agent's socket API (docs/cli.md), with a policy in each
    of its two languages and one the guard refuses."""
    with open(os.path.join(ROOT, "tests", "e2e", "policies", "mkdir-tp.yaml")) as f:
        pol = f.read()
    import yaml
    kill_init = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
                 "metadata": {"name": "kill-init"},
                 "spec": {"tracepoints": [{"subsystem": "syscalls", "event": "sys_enter_getpid",
                                           "selectors": [{
                                               "matchPIDs": [{"operator": "In", "values": [1]}],
                                               "matchActions": [{"action": "Sigkill"}]}]}]}}
    # found by fuzz_api: a tracepoint without args, a matchArgs entry without index
    no_index = {"apiVersion": "cilium.io/v1alpha1", "kind": "TracingPolicy",
                "metadata": {"name": "no-index"},
                "spec": {"tracepoints": [{"subsystem": "syscalls", "event": "sys_enter_getpid",
                                          "selectors": [{"matchArgs": [
                                              {"operator": "Equal", "values": [2]}]}]}]}}
    lines = {
        "status": {"command": "status"},
        "regress-matchargs-no-index": {"command": "policy_add", "policy": json.dumps(no_index)},
        "events": {"command": "events"},
        "events-filters": {"command": "events",
                           "allow_list": [{"event_set": ["PROCESS_EXEC"],
                                           "binary_regex": ["^/usr/bin/"]}],
                           "deny_list": [{"labels": ["app in (a,b)"]}],
                           "field_filters": [{"fields": "process.binary", "action": "INCLUDE"}]},
        "events-bad-filter": {"command": "events", "allow_list": [{"pod_regex": ["(x"]}]},
        "unknown": {"command": "nope"},
        "policy-delete": {"command": "policy_delete", "name": "shadow-reads"},
        "policy-mode": {"command": "policy_mode", "name": "protect-file", "mode": "monitor"},
        "policy-add-yaml": {"command": "policy_add", "policy": pol, "source": "mkdir-tp.yaml",
                            "mode": "monitor"},
        "policy-add-json": {"command": "policy_add", "policy": json.dumps(yaml.safe_load(pol))},
        "policy-add-guard": {"command": "policy_add", "policy": json.dumps(kill_init)},
    }
    put_all("fuzz_api", {k: json.dumps(v) + "\n" for k, v in lines.items()})
    put("fuzz_api", "no-newline", '{"command":"status"}')


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"


def dns(qid, flags, qname, qtype, answers=(), nr_answers=None):
    """A message with one question; answers are (name or pointer, type, ttl, rdata)."""
    m = struct.pack(">HHHHHH", qid, flags, 1, len(answers) if nr_answers is None else nr_answers,
                    0, 0)
    m += dns_name(qname) + struct.pack(">HH", qtype, 1)
    for name, rtype, ttl, rdata in answers:
        m += name + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata
    return m


def dns_seeds():
    q = 0xc00c  # a pointer to the question's name
    ptr = struct.pack(">H", q)
    put("fuzz_dns", "query-a", dns(0x1234, 0x0100, "example.com", 1))
    put("fuzz_dns", "query-aaaa", dns(0x1235, 0x0100, "www.example.org", 28))
    put("fuzz_dns", "answer-a", dns(0x1234, 0x8180, "example.com", 1,
                                    [(ptr, 1, 300, bytes([93, 184, 216, 34])),
                                     (ptr, 1, 300, bytes([93, 184, 216, 35]))]))
    put("fuzz_dns", "answer-aaaa", dns(0x1235, 0x8180, "www.example.org", 28,
                                       [(ptr, 28, 60, bytes.fromhex("20010db8" + "00" * 11 +
                                                                    "01"))]))
    # CNAME then A for the CNAME's target, which points into the first answer
    cname = dns_name("edge.cdn.test")
    msg = dns(7, 0x8180, "www.shop.test", 1, [(ptr, 5, 120, cname)])
    target = len(msg) - len(cname)
    to_target = struct.pack(">H", 0xc000 | target)
    msg = dns(7, 0x8180, "www.shop.test", 1,
              [(ptr, 5, 120, cname), (to_target, 1, 30, b"\xc0\x00\x02\x0a")])
    put("fuzz_dns", "answer-cname-a", msg)
    put("fuzz_dns", "answer-ptr", dns(9, 0x8180, "4.3.2.1.in-addr.arpa", 12,
                                      [(ptr, 12, 3600, dns_name("host.example.net"))]))
    put("fuzz_dns", "answer-txt-mx", dns(10, 0x8180, "mail.test", 16,
                                         [(ptr, 16, 60, b"\x0bv=spf1 -all"),
                                          (ptr, 15, 60, b"\x00\x0a" + dns_name("mx.mail.test"))]))
    put("fuzz_dns", "nxdomain", dns(11, 0x8183, "nope.invalid", 1))
    put("fuzz_dns", "truncated-answers", dns(12, 0x8380, "big.test", 1,
                                             [(ptr, 1, 5, b"\x0a\x00\x00\x01")], nr_answers=9))


def http_seeds():
    seeds = {
        "get": "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n",
        "get-query": "GET /search?q=a%20b&x=1 HTTP/1.1\r\nhost: Example.COM:8080\r\n\r\n",
        "post": "POST /api/v1/items HTTP/1.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 13\r\nHost: api.test\r\n\r\n{\"name\":\"x\"}",
        "head-10": "HEAD /index.html HTTP/1.0\r\n\r\n",
        "connect": "CONNECT proxy.test:443 HTTP/1.1\r\nHost: proxy.test:443\r\n\r\n",
        "options": "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "delete-lf": "DELETE /x/1 HTTP/1.1\nHost: b.test\n\n",
        "cut": "PATCH /very/long/target/that/the/capture/limit/cuts HTTP/1.",
    }
    put_all("fuzz_http", seeds)


def web_seeds():
    exec_line = ('{"process_exec":{"process":{"exec_id":"a","pid":7,"binary":"/usr/bin/curl",'
                 '"arguments":"<script>x</script>","pod":{"namespace":"shop","name":"web-1",'
                 '"container":{"name":"app"}}}},"node_name":"n1","time":"2026-12-04T10:00:00Z"}')
    kprobe_line = ('{"process_kprobe":{"process":{"binary":"/usr/bin/cat"},"args":[{"file_arg":'
                   '{"path":"/etc/passwd"}},{"sock_arg":{"daddr":"10.1.2.3","dport":443}}],'
                   '"action":"KPROBE_ACTION_SIGKILL","policy_name":"p"},"time":"x"}')
    seeds = {
        "filters": "type=process_exec,process_exit&binary=*%2Fcurl&namespace=shop&pod=web-1\n" +
                   exec_line,
        "path-dest": "path=/etc/*&dest=10.1.2.3:443&policy=p&action=KPROBE_ACTION_SIGKILL\n" +
                     kprobe_line,
        "text": "q=%3Cscript%3E&container=app\n" + exec_line,
        "host": "localhost:2113\n" + exec_line,
        "host-v6": "[::1]:2113\n{}",
        # a port with a leading zero: refused (the fuzzer found it was let through)
        "host-zero-port": "[::1]:02113\n{}",
        "path": "js/app.js\n[]",
        "traversal": "js/%2e%2e/%2E%2E/secret%00.js\n",
        "bad-glob": "binary=[&path=[[&dest=*[\n" + kprobe_line,
    }
    put_all("fuzz_web", seeds)


def client_hello(sni, alpn=None, maximum=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if maximum:
        ctx.maximum_version = maximum
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    conn = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    try:
        conn.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def tls_seeds():
    put("fuzz_tls", "hello-sni-alpn", client_hello("www.example.com", ["h2", "http/1.1"]))
    put("fuzz_tls", "hello-sni", client_hello("api.test"))
    put("fuzz_tls", "hello-tls12", client_hello("old.example.org", ["http/1.1"],
                                                ssl.TLSVersion.TLSv1_2))
    put("fuzz_tls", "hello-no-sni", client_hello(None))


def procfs_seeds():
    for f in ("stat", "status", "cgroup"):
        with open("/proc/self/" + f, "rb") as src:
            put("fuzz_procfs", "self-" + f, src.read())
    put("fuzz_procfs", "stat-odd-comm",
        "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 "
        "1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
    put("fuzz_procfs", "status-root",
        "Name:\tsshd\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t812\nPid:\t812\nPPid:\t1\n"
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\n"
        "CapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
        "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\n")
    put("fuzz_procfs", "cgroup-v1-v2",
        "12:pids:/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
        "1:name=systemd:/\n0::/system.slice/docker-"
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n")


def passwd_seeds():
    put("fuzz_passwd", "debian",
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    put("fuzz_passwd", "hostile",
        "+nis:x:0:0::/:\n:x:1:1::/:\nbig:x:4294967296:0::/:\nesc\x1b:x:0:0::/:\n"
        "crlf\r:x:1:1::/:\r\nroot:x:0")
    put("fuzz_passwd", "environ", "PATH=/bin\0HOME=/root\0NOEQ\0\0A=b=c\0")


def cgroup_seeds():
    cid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    uid = "1f8c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8"
    seeds = {
        "docker-systemd": "/system.slice/docker-%s.scope" % cid,
        "docker-cgroupfs": "/docker/%s" % cid,
        "containerd-systemd": "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-"
                              "pod%s.slice/cri-containerd-%s.scope" % (uid.replace("-", "_"), cid),
        "kubepods-cgroupfs": "/kubepods/burstable/pod%s/%s" % (uid, cid),
        "crio": "/kubepods.slice/kubepods-pod%s.slice/crio-%s.scope" % (uid.replace("-", ""), cid),
        "libpod": "/machine.slice/libpod-%s.scope/container" % cid,
        "user": "/user.slice/user-1000.slice/session-2.scope",
        "root": "/",
    }
    put_all("fuzz_cgroup", seeds)


def hook_seeds():
    import json
    cid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    uid = "1f8c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8"
    seeds = {
        "containerd-pod": {"command": "container", "id": cid, "pid": 4242,
                           "cgroup_path": "/kubepods/besteffort/pod%s/%s" % (uid, cid),
                           "cgroup_id": 1234, "pod_uid": uid, "pod_namespace": "shop",
                           "pod_name": "web-0", "container_name": "nginx",
                           "image": "docker.io/library/nginx:1.25", "runtime": "containerd",
                           "annotations": {"io.kubernetes.cri.container-type": "container"}},
        "crio-systemd": {"command": "container", "id": cid,
                         "cgroup_path": "/kubepods.slice/kubepods-pod%s.slice/crio-%s.scope" % (
                             uid.replace("-", "_"), cid),
                         "image_id": "quay.io/x@sha256:00", "runtime": "crio"},
        "plain-runc": {"command": "container", "id": cid, "cgroup_path": "/hornet-test/" + cid},
        "hostile": {"command": "container", "id": cid, "pod_uid": uid,
                    "pod_namespace": "ns\"\u0001<b>", "pod_name": "\u00ff\\",
                    "container_name": "<script>"},
    }
    put_all("fuzz_hook", {k: json.dumps(v) for k, v in seeds.items()})


def config_seeds():
    seeds = {
        "full": "node-name: worker-1\nexport-file: /var/log/hornet/events.json\n"
                "export-file-max-size-mb: 100\nexport-file-max-backups: 5\n"
                "socket: /run/hornet/hornet.sock\nenable-ancestors: true\nnetwork: yes\n"
                "inspect-packets: off\nprocess-cache-size: 65536\nringbuf-size-mb: 16\n"
                "log-level: debug\nstdout: compact\npolicy-dir: /etc/hornet/policies\n"
                "dns-server: 10.0.0.53:53\nexec-creds-hook: auto\n",
        "policy-list": "policy:\n  - /etc/hornet/a.yaml\n  - /etc/hornet/b.yaml\n",
        "policy-flow": "policy: [a.yaml, b.yaml]\nstdout: none\n",
        "comments": "# hornet agent\n---\nnode-name: \"n\"  # quoted\n...\n",
        "bad-value": "ringbuf-size-mb: 4096\n",
        "unknown-key": "exprt-file: /x\n",
        "redaction-filters": "redaction-filters: |\n"
                             "  {\"redact\": [\"(?:--password|-p)(?:\\\\s+|=)(\\\\S*)\"]}\n"
                             "  {\"match\": {\"binary_regex\": [\"psql$\"]}, "
                             "\"redact\": [\"-W\\\\s+(\\\\S+)\"]}\n",
        "redaction-filters-bad": "redaction-filters: '[{\"redact\": [\"(?:--password\"]}]'\n",
    }
    put_all("fuzz_config", seeds)


def args_seeds():
    seeds = {
        "plain": b"ls\0-l\0/tmp\0",
        "spaces-quotes": b"sh\0-c\0echo 'a b' \"c\\\"d\"\0$HOME\0",
        "utf8": "grep\0caf\u00e9\0\U0001f680\0".encode(),
        "invalid-utf8": b"cat\0\xff\xfe\0a\xc3(b\0",
        "control": b"printf\0a\tb\nc\x1b[0m\0\x7f\0",
        "empty-args": b"prog\0\0\0x\0",
        "unterminated": b"python3\0-c\0print(1)",
        "string": b"'it''s' \"q\\\\\" \\x41 a\\ b",
    }
    put_all("fuzz_args", seeds)


def json_seeds():
    seeds = {
        "ascii": b"/usr/bin/true --flag=value",
        "escapes": b"quote\" backslash\\ slash/ \b\f\n\r\t\x00\x01\x1f\x7f",
        "utf8": "caf\u00e9 \u20ac \U0001f680 \u00ff\ufffd".encode(),
        "invalid": b"\x80\xbf\xc0\xc1\xc3(\xe2\x82\xed\xa0\x80\xf4\x90\x80\x80\xf5\xfe\xff",
        "split-sequence": b"\x05ab\xe2\x82\xacde",
        "surrogate-overlong": b"\xed\xbf\xbf\xe0\x80\xaf\xf0\x8f\xbf\xbf",
    }
    put_all("fuzz_json", seeds)


def k8s_seeds():
    cid = "7b" * 32
    pod = {"kind": "Pod", "apiVersion": "v1",
           "metadata": {"name": "web-5d8f9-abcde", "namespace": "shop",
                        "uid": "0b7c8a4e-1111-2222-3333-444455556666",
                        "labels": {"app": "web", "pod-template-hash": "5d8f9"},
                        "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d8f9",
                                             "controller": True}]},
           "spec": {"nodeName": "n1", "containers": [
               {"name": "app", "image": "nginx:1.25",
                "livenessProbe": {"exec": {"command": ["/bin/check", "-q"]}}}],
               "initContainers": [{"name": "init", "image": "busybox"}]},
           "status": {"containerStatuses": [
               {"name": "app", "containerID": "containerd://" + cid, "image": "nginx:1.25",
                "imageID": "docker.io/library/nginx@sha256:" + "00" * 32,
                "state": {"running": {"startedAt": "2024-05-01T10:00:00Z"}}}],
               "initContainerStatuses": [{"name": "init", "containerID": "cri-o://" + cid}]}}
    seeds = {
        "pod": json.dumps(pod),
        "pod-no-owner": json.dumps(dict(pod, metadata={"name": "p", "namespace": "n",
                                                       "uid": "u", "labels": {"a": "b"}})),
        "kubeconfig": "apiVersion: v1\ncurrent-context: c\ncontexts:\n- name: c\n"
                      "  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster:\n"
                      "    server: https://10.0.0.1:6443\n    certificate-authority-data: "
                      "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\nusers:\n- name: u\n"
                      "  user: {tokenFile: token, client-certificate: a.crt, client-key: a.key}\n",
    }
    put_all("fuzz_k8s", seeds)


def store_line_seeds():
    """Exported event lines, as the store reads them."""
    proc = {"exec_id": "bjE6MTox", "pid": 7, "uid": 0, "cwd": "/", "binary": "/usr/bin/cat",
            "arguments": "/etc/passwd \"a b\"", "start_time": "2026-12-01T00:00:00Z",
            "pod": {"namespace": "shop", "name": "web-1", "container": {"name": "nginx"}},
            "parent_exec_id": "bjE6MTow"}
    seeds = {
        "exec": {"process_exec": {"process": proc, "parent": dict(proc, exec_id="bjE6MTow")}},
        "kprobe-file": {"process_kprobe": {"process": proc, "function_name": "security_file_permission",
                                           "args": [{"path_arg": {"path": "/etc/passwd"}}, {"int_arg": 4}],
                                           "action": "KPROBE_ACTION_POST", "policy_name": "p"}},
        "tcp-close": {"process_kprobe": {"process": proc, "function_name": "tcp_close", "args": [
            {"sock_arg": {"protocol": "IPPROTO_TCP", "daddr": "10.0.0.1", "sport": 40000,
                          "dport": 443, "cookie": "18446744073709551615"}},
            {"size_arg": 79, "label": "bytes_sent"}, {"size_arg": 101, "label": "bytes_received"}],
            "policy_name": "hornet-network"}},
        "dns-answer": {"process_dns": {"process": proc, "server": "[::1]:53", "direction": "answer",
                                       "question": {"name": "a\\032b.example", "type": "A"},
                                       "answers": [{"name": "x", "type": "A", "data": "10.1.2.3"}]}},
        "exit-unicode": {"process_exit": {"process": dict(proc, binary="/tmp/\u00e9\ud83d\ude00"),
                                          "signal": "SIGKILL"}},
    }
    put_all("fuzz_store_line", {k: json.dumps(dict(v, node_name="n1",
                                                   time="2026-12-04T10:00:00.123456789Z"))
                                for k, v in seeds.items()})


def metrics_seeds():
    status = {"health": "ok", "ready": True, "version": "0.1.0", "node_name": "n1",
              "uptime_seconds": 3.5, "events": {"process_exec": 4, "process_kprobe": 1},
              "lost": {"ringbuf": {"process_exec": 0, "policy_events": 2}, "api_queue": 0},
              "errors": {"process_table_full": 0},
              "sensors": [{"name": "generic", "state": "attached", "hook_points": 1}],
              "process_cache": {"size": 9, "capacity": 100},
              "k8s": {"enabled": True, "pods": 1, "events": 3},
              "metrics": {"events": [
                  {"type": "process_exec", "namespace": "shop", "workload": "web",
                   "pod": "web-1", "binary": "/bin/cat", "count": 3},
                  {"type": "process_exec", "binary": "/bin/a\"b\\c\nd", "count": 1},
                  {"type": "process_exec", "overflow": True, "count": 2}],
                  "policy_events": [{"policy": "p", "hook": "kprobe:f", "count": 1}],
                  "bpf_stats": {"enabled": True, "programs": [
                      {"name": "hornet_gen_kprobe", "sensor": "generic", "attach": "kprobe:f",
                       "policy_ids": [1], "run_cnt": 5, "run_time_ns": 900}]}},
              "policy_list": {"policies": [
                  {"name": "p", "id": 1, "state": "enabled", "mode": "monitor",
                   "stats": {"events_posted": 1}, "kernel_memory_bytes": 4096}]}}
    put_all("fuzz_metrics", {"status": json.dumps(status),
                             "hostile": json.dumps({"metrics": {"events": [
                                 {"type": "x" * 80, "binary": "\udcff\u0000", "count": 1e30},
                                 {"type": "x" * 81, "count": -1}]}})})


def redact_seeds():
    # the filter text, a NUL, the arguments of a process
    password = json.dumps({"redact": [r"(?:--password|-p)(?:\s+|=)(\S*)"]})
    seeds = {
        "password": password + "\0--user=bob --password=hunter2 -p hunter3 -v",
        "binary-array": json.dumps([{"binary_regex": [r"(?:^|/)mysql$"], "redact": [r"(\w+):(\w+)@"]},
                                    {"match": {"binary_regex": ["x"]}, "redact": "(x*)"}]) +
                        "\0/usr/bin/mysql https://u:p@h x",
        "utf8-nested": json.dumps({"redact": [r"(foo(bar))qux", "(?i)(\u00e9t\u00e9)"]}) +
                       "\0foobarqux \u00c9T\u00c9 \"a b\"",
        "bad": '{"redact": ["(?:--password"]}\0x',
    }
    put_all("fuzz_redact", seeds)


def export_filter_seeds():
    # the filters' text, a NUL, an event line
    exec_line = json.dumps({"process_exec": {
        "process": {"pid": 7, "binary": "/bin/sh", "arguments": "-c x", "docker": "abc",
                    "cap": {"permitted": ["CAP_KILL"]},
                    "pod": {"namespace": "prod", "name": "web-1", "pod_labels": {"app": "web"},
                            "container": {"name": "nginx", "maybe_exec_probe": True}}},
        "parent": {"binary": "/bin/bash"}, "ancestors": [{"binary": "/sbin/init"}]},
        "node_name": "n", "time": "t"})
    seeds = {
        "allow": json.dumps({"event_set": ["PROCESS_EXEC", 5], "binary_regex": ["^/bin/"],
                             "namespace": ["", "prod"], "pid": [7]}) + "\n" +
                 json.dumps({"labels": ["app in (web, db),!x,tier!=a"],
                             "capabilities": {"permitted": {"any": ["CAP_KILL"]}},
                             "ancestor_binary_regex": ["init"], "health_check": True}) +
                 "\0" + exec_line,
        "fields": json.dumps({"fields": "process.pod.container,ancestors.binary",
                              "action": "INCLUDE", "event_set": ["PROCESS_EXEC"]}) + "\n" +
                  json.dumps({"fields": "parent", "action": "EXCLUDE",
                              "invert_event_set": True}) + "\0" + exec_line,
        "bad": '{"pod_regex": ["(x"]}\n{"fields": "a..b"}\0{}',
    }
    put_all("fuzz_export_filter", seeds)


def usdt_elf(args):
    """A minimal ELF64 file with one loadable segment and one probe hornet:tick."""
    desc = struct.pack("<QQQ", 0x401000, 0, 0x402000) + b"hornet\0tick\0" + args + b"\0"
    desc += b"\0" * (-len(desc) % 4)
    note = struct.pack("<III", 8, len(desc), 3) + b"stapsdt\0" + desc
    shstr = b"\0.note.stapsdt\0.shstrtab\0"
    note_off = 64 + 56
    shstr_off = note_off + len(note)
    sh_off = shstr_off + len(shstr)
    sh_off += -sh_off % 8
    eh = (b"\x7fELF\x02\x01\x01" + b"\0" * 9 +
          struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 64, sh_off, 0, 64, 56, 1, 64, 3, 2))
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 0x3000, 0x3000, 0x1000)
    body = eh + ph + note + shstr
    body += b"\0" * (sh_off - len(body))
    shdrs = b"\0" * 64
    shdrs += struct.pack("<IIQQQQIIQQ", 1, 7, 2, 0, note_off, len(note), 0, 0, 4, 0)
    shdrs += struct.pack("<IIQQQQIIQQ", 15, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
    return body + shdrs


def usdt_seeds():
    put_all("fuzz_usdt", {
        "elf": usdt_elf(b"-4@%edi 8@%rsi -4@$-7 -4@12(%rsp)"),
        "elf-noargs": usdt_elf(b""),
        "args": "-4@%edi 8@%rbp -4@$-7 -4@12(%rsp) 8@-0x10(%r8)",
        "args-unreadable": "8@foo(%rip) 4@(%rax,%rbx,4) 2@%xmm0",
    })


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    os.makedirs(os.path.join(CORPUS, "fuzz_policy"))
    policy()
    dns_seeds()
    http_seeds()
    tls_seeds()
    procfs_seeds()
    passwd_seeds()
    cgroup_seeds()
    hook_seeds()
    config_seeds()
    args_seeds()
    redact_seeds()
    export_filter_seeds()
    json_seeds()
    k8s_seeds()
    store_line_seeds()
    web_seeds()
    metrics_seeds()
    api_seeds()
    usdt_seeds()


if __name__ == "__main__":
    main()
