# SPDX-License-Identifier: GPL-2.0
"""What the page's browser tests (tests/e2e/test_ui.py) and bench/ui share:
Node 20+, Debian's Chromium and playwright-core (scripts/ui-deps.sh), an
agent with its HTTP server and store on a free loopback port, and calls to
its API with the token."""
import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request

from hornet import ROOT, Agent, Skip

CHROMIUM = os.environ.get("HORNET_CHROMIUM", "/usr/bin/chromium")
NODE = os.environ.get("HORNET_NODE", "/usr/bin/node")


def in_vm():
    return os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm")


def node_modules():
    """The node_modules holding playwright-core, installed on first use;
    raises Skip, saying what is missing, where the browser tests cannot run."""
    if in_vm():
        raise Skip("the page's browser tests run on the host: the 6.1 VM has no Chromium "
                   "or Node, and the server and page are user space")
    if not os.access(NODE, os.X_OK):
        raise Skip("needs Node 20+ (%s; apt-get install nodejs npm)" % NODE)
    out = subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip()
    m = re.match(r"v(\d+)", out)
    if not m or int(m.group(1)) < 20:
        raise Skip("needs Node 20+, found %r" % out)
    if not os.access(CHROMIUM, os.X_OK):
        raise Skip("needs Chromium (%s; apt-get install chromium)" % CHROMIUM)
    env = os.environ.get("HORNET_UI_MODULES")
    if env:
        return env
    r = subprocess.run([os.path.join(ROOT, "scripts", "ui-deps.sh")], capture_output=True,
                       text=True, timeout=600)
    if r.returncode != 0:
        raise Skip("playwright-core could not be installed: %s" % r.stderr.strip()[-300:])
    return r.stdout.strip().splitlines()[-1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class UiAgent:
    """A real agent with its HTTP server on a free loopback port, its store
    and a token of the test's own in @d."""

    def __init__(self, d, *args):
        self.token = secrets.token_hex(16)
        self.token_file = os.path.join(d, "http.token")
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, self.token.encode() + b"\n")
        os.close(fd)
        self.store = os.path.join(d, "hornet.db")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.agent = Agent("--http-listen", "127.0.0.1:%d" % self.port, "--store", self.store,
                           "--http-token-file", self.token_file, *args)

    def api(self, method, path, body=None, ctype="application/json"):
        """(status, decoded JSON or text) of one API call with the token."""
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/api/v1/" + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw or b"null")
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def wait_api(self, path, pred, timeout=20):
        """The answer of GET @path once pred(answer) holds (the store writes in
        batches), or the last answer."""
        deadline = time.monotonic() + timeout
        while True:
            status, r = self.api("GET", path)
            if status == 200 and pred(r):
                return r
            if time.monotonic() > deadline:
                return r
            time.sleep(0.2)
