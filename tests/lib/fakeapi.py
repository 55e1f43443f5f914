# SPDX-License-Identifier: GPL-2.0
"""A fake Kubernetes API server for the faults a real one will not produce on
request: it speaks the real list+watch protocol for pods (paginated lists with
a resourceVersion, chunked watches of JSON lines, bookmarks, 410 Gone for an
expired resourceVersion) over TLS with its own CA and a bearer token, and on
request answers 410, 429 with Retry-After or 500, cuts a watch in the middle
of a line, splits lines across chunks, or stays silent. kubectl can `get` and
`watch` pods from it (tests/e2e/test_k8s.py shows that), which shows the
protocol is the real one.

    api = FakeAPI()                       # serving on a free loopback port
    api.add_pod(make_pod("ns1", "web", "node1", labels={"app": "web"}))
    api.kubeconfig()                      # path of a kubeconfig for it
    api.fail_next(429, retry_after=1)     # the next request gets a 429
    api.stop()
"""
import bisect
import copy
import json
import os
import re
import shutil
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kube import free_port, make_ca, make_cert, write_kubeconfig

RESOURCES = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
             "resources": [{"name": "pods", "singularName": "pod", "namespaced": True,
                            "kind": "Pod", "shortNames": ["po"], "categories": ["all"],
                            "verbs": ["get", "list", "watch"]}]}


def make_pod(ns, name, node, labels=None, containers=None, owner=None, annotations=None,
             uid=None):
    """A Pod object as a kubelet leaves it: running, with containerd ids.
    @containers: [(name, 64-hex id)]; @owner: (kind, name)."""
    containers = containers if containers is not None else [("c1", uuid.uuid4().hex * 2)]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    md = {"name": name, "namespace": ns, "uid": uid or str(uuid.uuid4()),
          "creationTimestamp": now, "labels": dict(labels or {})}
    if annotations:
        md["annotations"] = annotations
    if owner:
        md["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                  "uid": str(uuid.uuid4()), "controller": True,
                                  "blockOwnerDeletion": True}]
    image = "docker.io/library/busybox:1.36"
    return {
        "kind": "Pod", "apiVersion": "v1", "metadata": md,
        "spec": {"nodeName": node, "restartPolicy": "Always",
                 "containers": [{"name": n, "image": image,
                                 "resources": {}, "terminationMessagePath": "/dev/termination-log",
                                 "imagePullPolicy": "IfNotPresent"} for n, _ in containers]},
        "status": {"phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.1.0.7",
                   "startTime": now,
                   "containerStatuses": [
                       {"name": n, "containerID": "containerd://" + cid, "image": image,
                        "imageID": "docker.io/library/busybox@sha256:" + "cd" * 32,
                        "ready": True, "restartCount": 0, "started": True,
                        "state": {"running": {"startedAt": now}}} for n, cid in containers]},
    }


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class FakeAPI:
    def __init__(self, token=None, bookmark_every=1.0, history=200000, port=None):
        self.dir = tempfile.mkdtemp(prefix="hornet-fakeapi-")
        self.ca, self.ca_key = make_ca(self.dir)
        self.cert = make_cert(self.dir, (self.ca, self.ca_key), "server", "fake-apiserver")
        self.token = token or "fake-" + os.urandom(8).hex()
        self.bookmark_every = bookmark_every
        self.history_max = history
        self.lock = threading.Condition()
        self.rv = 1000
        self.pods = {}              # uid -> pod
        self.history = []           # (rv, type, node, line bytes)
        self.oldest = self.rv       # a watch from before this gets 410
        self.faults = []            # (code, retry_after) for the next requests
        self.watch_faults = []      # "gone", "cut", "silent" for the next watches
        self.split = False          # every line in several chunks
        self.requests = []          # (monotonic time, path) of every request
        self.kicks = 0              # kick() ends the watches open now
        self.watches_open = 0
        self.closing = False
        self.port = port or free_port()
        self.server = "https://127.0.0.1:%d" % self.port
        self._serve()

    # --- server life ---

    def _serve(self):
        api = self

        class Handler(_Handler):
            fake = api
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*self.cert)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.closing = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def down(self):
        """Stops listening and ends every watch (the API server went away)."""
        with self.lock:
            self.closing = True
            self.lock.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        deadline = time.monotonic() + 10
        while self.watches_open and time.monotonic() < deadline:
            time.sleep(0.05)

    def up(self):
        self._serve()

    def stop(self):
        self.down()
        shutil.rmtree(self.dir, ignore_errors=True)

    def kubeconfig(self, path=None, **kw):
        if "token" not in kw and "token_file" not in kw:
            kw["token"] = self.token
        if not kw.get("ca_data") and not kw.get("insecure"):
            kw.setdefault("ca", self.ca)
        return write_kubeconfig(path or os.path.join(self.dir, "kubeconfig"), self.server, **kw)

    # --- objects ---

    def _event(self, typ, pod):
        self.rv += 1
        pod["metadata"]["resourceVersion"] = str(self.rv)
        line = (json.dumps({"type": typ, "object": pod}, separators=(",", ":")) + "\n").encode()
        self.history.append((self.rv, typ, pod["spec"].get("nodeName"), line))
        if len(self.history) > self.history_max:
            drop = len(self.history) - self.history_max
            self.oldest = self.history[drop - 1][0]
            del self.history[:drop]
        self.lock.notify_all()

    def add_pod(self, pod):
        with self.lock:
            pod = copy.deepcopy(pod)
            self.pods[pod["metadata"]["uid"]] = pod
            self._event("ADDED", pod)
            return pod

    def modify_pod(self, uid, fn):
        """Applies @fn to a copy of the pod and announces it."""
        with self.lock:
            pod = copy.deepcopy(self.pods[uid])
            fn(pod)
            self.pods[uid] = pod
            self._event("MODIFIED", pod)
            return pod

    def delete_pod(self, uid):
        with self.lock:
            pod = self.pods.pop(uid)
            self._event("DELETED", pod)

    def compact(self):
        """Forgets the history: every watch from an older resourceVersion gets 410."""
        with self.lock:
            self.oldest = self.rv
            self.history = []

    def fail_next(self, code, n=1, retry_after=None):
        with self.lock:
            self.faults += [(code, retry_after)] * n

    def next_watch(self, fault):
        """'gone' (an ERROR event with code 410), 'cut' (the connection closed
        in the middle of a line) or 'silent' (no events, no bookmarks)."""
        with self.lock:
            self.watch_faults.append(fault)

    def kick(self):
        """Ends the watches open now, cleanly (as the server's timeout does)."""
        with self.lock:
            self.kicks += 1
            self.lock.notify_all()

    def watch_times(self):
        """When each watch request came."""
        return [t for t, p in self.requests if "watch=" in p]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake = None

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        f = self.fake
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        with f.lock:
            f.requests.append((time.monotonic(), self.path))
        if self.headers.get("Authorization") != "Bearer " + f.token:
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        if url.path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                        "serverAddressByClientCIDRs": [
                                            {"clientCIDR": "0.0.0.0/0",
                                             "serverAddress": "127.0.0.1:%d" % f.port}]})
        if url.path == "/apis":
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if url.path == "/api/v1":
            return self.send_json(200, RESOURCES)
        if url.path == "/version":
            return self.send_json(200, {"major": "1", "minor": "20", "gitVersion": "v1.20.2-fake"})
        m = re.fullmatch(r"/api/v1(?:/namespaces/([^/]+))?/pods", url.path)
        if not m:
            return self.send_json(404, status(404, "NotFound", "the server could not find the "
                                                               "requested resource"))
        with f.lock:
            fault = f.faults.pop(0) if f.faults else None
        if fault:
            code, retry_after = fault
            hdrs = [("Retry-After", str(retry_after))] if retry_after is not None else []
            reason = {410: "Expired", 429: "TooManyRequests"}.get(code, "InternalError")
            return self.send_json(code, status(code, reason, "fault injected: %d" % code), hdrs)
        sel = {}
        for part in filter(None, q.get("fieldSelector", "").split(",")):
            k, _, v = part.partition("=")
            sel[k] = v
        node = sel.get("spec.nodeName")
        ns = m.group(1)

        def wanted(pod):
            return ((node is None or pod["spec"].get("nodeName") == node)
                    and (ns is None or pod["metadata"]["namespace"] == ns))
        if q.get("watch") in ("1", "true"):
            return self.watch(q, node, ns)
        limit = int(q.get("limit") or 0)
        start = 0
        with f.lock:
            if q.get("continue"):
                start, rv = q["continue"].split(":")
                start = int(start)
            else:
                rv = str(f.rv)
            pods = [p for p in f.pods.values() if wanted(p)]
            pods.sort(key=lambda p: p["metadata"]["uid"])
            page = pods[start:start + limit] if limit else pods[start:]
            body = {"kind": "PodList", "apiVersion": "v1",
                    "metadata": {"resourceVersion": rv}, "items": page}
            if limit and start + limit < len(pods):
                body["metadata"]["continue"] = "%d:%s" % (start + limit, rv)
            data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, q, node, ns):
        f = self.fake
        rv = int(q.get("resourceVersion") or 0)
        bookmarks = q.get("allowWatchBookmarks") == "true"
        deadline = time.monotonic() + float(q.get("timeoutSeconds") or 1800)
        with f.lock:
            fault = f.watch_faults.pop(0) if f.watch_faults else None
            kick = f.kicks
            if rv and rv < f.oldest:
                return self.send_json(410, status(410, "Expired",
                                                  "too old resource version: %d (%d)" %
                                                  (rv, f.oldest)))
            if not rv:
                rv = f.rv
            f.watches_open += 1
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            if fault == "gone":
                self.chunk(json.dumps({"type": "ERROR", "object": status(
                    410, "Expired", "too old resource version")}).encode() + b"\n")
                self.chunk(b"")
                return
            last_bm = time.monotonic()
            while time.monotonic() < deadline:
                with f.lock:
                    if f.closing or f.kicks != kick:
                        break
                    at = bisect.bisect_right(f.history, rv, key=lambda h: h[0])
                    lines = [(r, line) for r, t, n, line in f.history[at:]
                             if node is None or n == node]
                    if ns is not None:
                        lines = [(r, l) for r, l in lines
                                 if b'"namespace":"%s"' % ns.encode() in l]
                    cur = f.rv
                if fault == "silent":
                    time.sleep(0.2)
                    continue
                for r, line in lines:
                    if fault == "cut":
                        # half a line, then the connection dies with no final chunk
                        self.chunk(line[:len(line) // 2])
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if f.split and len(line) > 3:
                        a, b = len(line) // 3, 2 * len(line) // 3
                        for part in (line[:a], line[a:b], line[b:]):
                            self.chunk(part)
                            time.sleep(0.01)
                    else:
                        self.chunk(line)
                # everything up to cur was sent or is not for this watch
                rv = max(rv, cur)
                if bookmarks and time.monotonic() - last_bm >= f.bookmark_every:
                    self.chunk(json.dumps({"type": "BOOKMARK", "object": {
                        "kind": "Pod", "apiVersion": "v1",
                        "metadata": {"resourceVersion": str(rv)}}}).encode() + b"\n")
                    last_bm = time.monotonic()
                if not lines:
                    with f.lock:
                        if f.rv == cur and not f.closing and f.kicks == kick:
                            f.lock.wait(0.2)
            self.chunk(b"")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        finally:
            with f.lock:
                f.watches_open -= 1
            self.close_connection = True
