# SPDX-License-Identifier: GPL-2.0
"""A real Kubernetes API server for the tests: etcd and kube-apiserver on free
loopback ports in a temporary directory, with a CA and serving certificate
made by openssl, a static token file and service-account keys. No scheduler,
controller manager or kubelet: pods created with spec.nodeName stay Pending
until a test patches their status, which is what the agent's pod watch reads.

    with Kube() as k:                       # SKIPs if no API server can be had
        k.create_namespace("ns1")
        k.create_pod("ns1", "web", node="n1", labels={"app": "web"})
        k.set_running("ns1", "web", [("c1", "0123...64 hex")])
        k.kubeconfig()                       # path of a kubeconfig with the token

The kube-apiserver binary comes from scripts/kube-apiserver.sh (built once per
machine from Debian's source package, into /var/cache/hornet/k8s).
"""
import json
import os
import random
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from hornet import ROOT, Fail, Skip

CACHE = os.environ.get("HORNET_K8S_CACHE", "/var/cache/hornet/k8s")
ETCD = shutil.which("etcd") or "/usr/bin/etcd"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


def free_port():
    """A free port on loopback below the kernel's range of ephemeral ports: one
    from that range (bind to port 0) can be taken, before the API server binds
    it, as the source port of a connection (the API server's own to etcd did,
    in a CI run: 'bind: address already in use')."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(10000, max(low, 10001))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def apiserver_binary(build=True):
    """The kube-apiserver's path; builds it with scripts/kube-apiserver.sh when
    missing (minutes). Raises Skip when it cannot be had."""
    path = os.path.join(CACHE, "kube-apiserver")
    if os.access(path, os.X_OK):
        return path
    script = os.path.join(ROOT, "scripts", "kube-apiserver.sh")
    if not build or not os.path.exists(script):
        # the test VM (scripts/vmtest.sh) carries neither the 110 MB binary nor
        # the means to build it: the API's tests do not depend on the kernel
        raise Skip("no kube-apiserver in %s" % CACHE)
    r = subprocess.run([script],
                       capture_output=True, timeout=3600)
    out = r.stdout.decode().strip().splitlines()
    if r.returncode != 0 or not out or not os.access(out[-1], os.X_OK):
        raise Skip("kube-apiserver could not be built: %s" % r.stderr.decode()[-500:])
    return out[-1]


def make_ca(d, name="ca"):
    """A self-signed CA in @d: (cert path, key path)."""
    crt, key = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=hornet-test-" + name],
                   check=True, capture_output=True)
    return crt, key


def make_cert(d, ca, name, cn, server=True):
    """A certificate signed by @ca (cert, key) for 127.0.0.1 and localhost when
    @server, else a client certificate with CN @cn: (cert path, key path)."""
    crt, key = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    csr, ext = os.path.join(d, name + ".csr"), os.path.join(d, name + ".ext")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", csr, "-subj", "/CN=" + cn], check=True, capture_output=True)
    with open(ext, "w") as f:
        if server:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        else:
            f.write("extendedKeyUsage=clientAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
                    "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext],
                   check=True, capture_output=True)
    return crt, key


def write_kubeconfig(path, server, ca=None, token=None, token_file=None, insecure=False,
                     ca_data=None, cert=None, key=None):
    """A kubeconfig for one cluster and user, as kubectl reads it (JSON is YAML)."""
    cluster = {"server": server}
    if ca:
        cluster["certificate-authority"] = ca
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    if insecure:
        cluster["insecure-skip-tls-verify"] = True
    user = {}
    if token:
        user["token"] = token
    if token_file:
        user["tokenFile"] = token_file
    if cert:
        user["client-certificate"] = cert
        user["client-key"] = key
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "test",
           "clusters": [{"name": "test", "cluster": cluster}],
           "users": [{"name": "test", "user": user}],
           "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}]}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


class Kube:
    """etcd + kube-apiserver for one test (or one file's tests)."""

    def __init__(self, build=True, timeout=60):
        self.procs = []
        self.bin = apiserver_binary(build)
        self.dir = tempfile.mkdtemp(prefix="hornet-kube-")
        self.token = "hornet-test-" + os.urandom(8).hex()
        self.etcd_port, self.peer_port, self.port = free_port(), free_port(), free_port()
        self.server = "https://127.0.0.1:%d" % self.port
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout):
        d = self.dir
        self.ca, self.ca_key = make_ca(d)
        self.cert = make_cert(d, (self.ca, self.ca_key), "apiserver", "kube-apiserver")
        sa_key, sa_pub = os.path.join(d, "sa.key"), os.path.join(d, "sa.pub")
        subprocess.run(["openssl", "genrsa", "-out", sa_key, "2048"], check=True,
                       capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", sa_key, "-pubout", "-out", sa_pub], check=True,
                       capture_output=True)
        self.tokens = os.path.join(d, "tokens.csv")
        with open(self.tokens, "w") as f:
            f.write('%s,admin,admin-uid,"system:masters"\n' % self.token)
        self.etcd_log = open(os.path.join(d, "etcd.log"), "wb")
        self.procs.append(subprocess.Popen(
            [ETCD, "--data-dir", os.path.join(d, "etcd"), "--name", "hornet-test",
             "--listen-client-urls", "http://127.0.0.1:%d" % self.etcd_port,
             "--advertise-client-urls", "http://127.0.0.1:%d" % self.etcd_port,
             "--listen-peer-urls", "http://127.0.0.1:%d" % self.peer_port,
             "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % self.peer_port,
             "--initial-cluster", "hornet-test=http://127.0.0.1:%d" % self.peer_port],
            stdout=self.etcd_log, stderr=subprocess.STDOUT, start_new_session=True))
        self.start_apiserver(timeout)

    def start_apiserver(self, timeout=60):
        """(Re)starts the API server on the same port (tests stop it to see the
        agent reconnect)."""
        d = self.dir
        self.api_log = open(os.path.join(d, "apiserver.log"), "ab")
        self.api = subprocess.Popen(
            [self.bin, "--etcd-servers=http://127.0.0.1:%d" % self.etcd_port,
             "--secure-port=%d" % self.port, "--bind-address=127.0.0.1",
             "--advertise-address=127.0.0.1", "--cert-dir=" + os.path.join(d, "certs"),
             "--tls-cert-file=" + self.cert[0], "--tls-private-key-file=" + self.cert[1],
             "--client-ca-file=" + self.ca,
             "--token-auth-file=" + self.tokens, "--authorization-mode=RBAC",
             "--service-account-issuer=https://kubernetes.default.svc",
             "--service-account-key-file=" + os.path.join(d, "sa.pub"),
             "--service-account-signing-key-file=" + os.path.join(d, "sa.key"),
             "--service-cluster-ip-range=10.96.0.0/16",
             "--disable-admission-plugins=ServiceAccount", "--watch-cache=true",
             "--logtostderr=true", "--v=0"],
            stdout=self.api_log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(self.api)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.api.poll() is not None:
                raise Fail("kube-apiserver exited with %d: %s" % (self.api.returncode,
                                                                 self.log_tail()))
            try:
                if self.request("GET", "/readyz", raw=True) == b"ok":
                    return
            except (OSError, Fail):
                pass
            time.sleep(0.2)
        raise Fail("kube-apiserver not ready in %d s: %s" % (timeout, self.log_tail()))

    def stop_apiserver(self):
        if self.api and self.api.poll() is None:
            self.api.terminate()
            try:
                self.api.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.api.kill()
                self.api.wait()
        if self.api in self.procs:
            self.procs.remove(self.api)
        self.api_log.close()

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, "apiserver.log"), "rb") as f:
                return f.read()[-1500:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- clients ---

    def kubeconfig(self, path=None, **kw):
        """A kubeconfig for this server; with the admin token unless @kw says otherwise
        (token=, token_file=, ca=, ca_data=, insecure=, cert=, key=)."""
        if not kw.get("token_file") and "token" not in kw:
            kw["token"] = self.token
        kw.setdefault("ca", None if kw.get("ca_data") or kw.get("insecure") else self.ca)
        return write_kubeconfig(path or os.path.join(self.dir, "kubeconfig"), self.server, **kw)

    def request(self, method, path, body=None, content_type="application/json", raw=False,
                timeout=30):
        """A REST call with the admin token; the decoded JSON answer."""
        ctx = ssl.create_default_context(cafile=self.ca)
        data = None if body is None else (body if isinstance(body, bytes)
                                          else json.dumps(body).encode())
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=timeout) as r:
                out = r.read()
        except urllib.error.HTTPError as e:
            raise Fail("%s %s: HTTP %d: %s" % (method, path, e.code,
                                              e.read()[:500].decode("utf-8", "replace")))
        return out if raw else json.loads(out)

    def kubectl(self, *args, timeout=60, check=True):
        r = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig()] + list(args),
                           capture_output=True, timeout=timeout)
        if check and r.returncode != 0:
            raise Fail("kubectl %s: %s" % (" ".join(args), r.stderr.decode().strip()))
        return r.stdout.decode()

    # --- objects ---

    def create_namespace(self, name):
        return self.request("POST", "/api/v1/namespaces",
                            {"apiVersion": "v1", "kind": "Namespace",
                             "metadata": {"name": name}})

    def delete_namespace(self, name):
        try:
            self.request("DELETE", "/api/v1/namespaces/" + name)
        except Fail:
            pass

    def create_pod(self, ns, name, node, labels=None, containers=("c1",), owner=None,
                   annotations=None, probes=None, image="docker.io/library/busybox:1.36"):
        """A pod bound to @node. @owner: (kind, name, uid) of its controller.
        @probes: {container: [argv]} exec liveness probes."""
        cs = []
        for c in containers:
            spec = {"name": c, "image": image}
            if probes and c in probes:
                spec["livenessProbe"] = {"exec": {"command": probes[c]}}
            cs.append(spec)
        md = {"name": name, "namespace": ns, "labels": labels or {}}
        if annotations:
            md["annotations"] = annotations
        if owner:
            md["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0],
                                      "name": owner[1], "uid": owner[2], "controller": True}]
        return self.request("POST", "/api/v1/namespaces/%s/pods" % ns,
                            {"apiVersion": "v1", "kind": "Pod", "metadata": md,
                             "spec": {"nodeName": node, "containers": cs}})

    def set_running(self, ns, name, containers, image="docker.io/library/busybox:1.36"):
        """Patches the pod's status as a kubelet would: running, with
        @containers [(name, 64-hex id)] as containerd:// ids."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        st = [{"name": n, "containerID": "containerd://" + cid, "image": image,
               "imageID": "docker.io/library/busybox@sha256:" + "ab" * 32, "ready": True,
               "restartCount": 0, "started": True, "state": {"running": {"startedAt": now}}}
              for n, cid in containers]
        return self.request("PATCH", "/api/v1/namespaces/%s/pods/%s/status" % (ns, name),
                            {"status": {"phase": "Running", "containerStatuses": st}},
                            content_type="application/merge-patch+json")

    def set_labels(self, ns, name, labels):
        """Merge-patches the pod's labels (a None value removes one)."""
        return self.request("PATCH", "/api/v1/namespaces/%s/pods/%s" % (ns, name),
                            {"metadata": {"labels": labels}},
                            content_type="application/merge-patch+json")

    def delete_pod(self, ns, name):
        """Deleted at once: no kubelet will ever confirm a graceful deletion."""
        return self.request("DELETE", "/api/v1/namespaces/%s/pods/%s" % (ns, name),
                            {"apiVersion": "v1", "kind": "DeleteOptions",
                             "gracePeriodSeconds": 0})

    def pods(self, ns=None):
        path = "/api/v1/namespaces/%s/pods" % ns if ns else "/api/v1/pods"
        return self.request("GET", path)["items"]
