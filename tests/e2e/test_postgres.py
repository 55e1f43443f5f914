#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The event history on PostgreSQL, against a real server that each test
starts itself (tests/lib/postgres.py): the database layer (store/db_pg.c),
agents of two nodes writing into one server, `hornet ui` reading it alone,
a server restarted under load, and URLs that lead nowhere."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import BUILD, HELPERS, HORNET, Agent, Fail, check, run, test  # noqa: E402
from postgres import Postgres, free_port  # noqa: E402

DB_TEST = os.path.join(BUILD, "tests", "test_db_pg")
STORE_TEST = os.path.join(BUILD, "tests", "test_store_pg")
NOP = os.path.join(HELPERS, "nop")
SPAWN = os.path.join(HELPERS, "spawn")


@test("pg_db_layer")
def pg_db_layer():
    """store/db_pg.c's own checks (tests/unit/test_db_pg.c) on a real server:
    placeholders, typed results, batched upserts with a key twice, hostile
    text, a connection the server ends, agents creating the schema at once."""
    with Postgres() as pg:
        passed, failed = run_unit(DB_TEST, pg, 8)
        check(not failed, "test_db_pg: %s" % " | ".join(failed))
        # nothing of the test is left in the database
        check(pg.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [["0"]],
              "test tables left behind: %s" % pg.sql("SELECT tablename FROM pg_tables "
                                                     "WHERE schemaname = 'public'"))


# The checks of test_store.c that look at the SQLite file itself: they cannot hold on a server
SQLITE_FILE_ONLY = [
    ("store_open_creates_file_0600", "stat(path"),
    ("store_stats", "st.backend: got 'postgres', want 'sqlite'"),
    ("store_size_limit", "stat(path"),
    ("store_corrupt_file_moved_aside", ""),
    ("store_corrupted_while_open_recovers", ""),
]


def run_unit(binary, pg, min_passed):
    """Runs a unit-test program against @pg; returns (passed, failed) lines."""
    check(os.access(binary, os.X_OK), "%s missing: make build-tests" % binary)
    r = subprocess.run([binary], capture_output=True, timeout=300,
                       env=dict(os.environ, HORNET_PG_URL=pg.url))
    lines = r.stdout.decode(errors="replace").splitlines()
    passed = [ln for ln in lines if ln.startswith("PASS")]
    failed = [ln for ln in lines if ln.startswith(("FAIL", "SKIP"))]
    check(r.returncode in (0, 1) and len(passed) >= min_passed,
          "%s: exit %d, %d passed: %s %s" % (os.path.basename(binary), r.returncode,
                                             len(passed), " | ".join(lines[-20:]),
                                             r.stderr.decode(errors="replace")[-500:]))
    return passed, failed


@test("pg_store_queries")
def pg_store_queries():
    """The store's own tests (ingest, every API query, bad parameters, SQL
    metacharacters, restart, retention, size limit, threads) on PostgreSQL:
    the same answers as on SQLite, but for the checks of the SQLite file."""
    with Postgres(createdb=True) as pg:
        passed, failed = run_unit(STORE_TEST, pg, 15)
        unexpected = [ln for ln in failed
                      if not any(ln.startswith("FAIL %s:" % case) and what in ln
                                 for case, what in SQLITE_FILE_ONLY)]
        check(not unexpected, "on PostgreSQL: %s" % " | ".join(unexpected))
        # the cases that do run here all ran
        names = {ln.split()[1] for ln in passed}
        for case in ("store_events", "store_files", "store_egress", "store_process_tree",
                     "store_sql_metacharacters_are_data", "store_retention",
                     "store_queries_while_writing",
                     "store_pg_size_limit_keeps_what_fits"):
            check(case in names, "%s did not pass on PostgreSQL" % case)


class Workdir:
    """A temporary directory with a uniquely named copy of the static nop
    helper: the processes of a test are the execs of that binary."""

    def __init__(self, tag):
        self.dir = tempfile.mkdtemp(prefix="hornet-pgtest-")
        self.bin = os.path.join(self.dir, "pg%s-%d-%x" % (tag, os.getpid(),
                                                         int(time.time() * 1000) & 0xffffff))
        shutil.copy(NOP, self.bin)

    def run(self, n=1):
        """Runs the binary @n times (at once, through the spawn helper)."""
        subprocess.run([SPAWN, str(n), self.bin], check=True, capture_output=True, timeout=60)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def store_stats(agent):
    st = agent.status().get("store")
    if st is None:
        raise Fail("agent status has no 'store' object: %s" % sorted(agent.status()))
    return st


def stored_execs(pg, binary):
    """{node: count} of the process_exec events of @binary in the server's store."""
    try:
        rows = pg.sql("SELECT node, count(*) FROM events WHERE type = 'process_exec' AND "
                      "bin = '%s' GROUP BY node" % binary.replace("'", "''"))
    except RuntimeError as e:
        if 'relation "events" does not exist' in str(e):
            return {}   # no agent has reached the server yet
        raise
    return {node: int(n) for node, n in rows}


def exported_execs(agent, binary):
    return [ev for ev in agent.events()
            if ev.get("process_exec", {}).get("process", {}).get("binary") == binary]


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Fail("%s not within %d s" % (what() if callable(what) else what, timeout))
        time.sleep(0.2)


class Ui:
    """`hornet ui --store URL` alone: no BPF, no agent; its API on a loopback port."""

    def __init__(self, url):
        self.dir = tempfile.mkdtemp(prefix="hornet-ui-")
        self.port = free_port()
        self.token = "t" + os.urandom(16).hex()
        tok = os.path.join(self.dir, "token")
        with open(tok, "w") as f:
            f.write(self.token + "\n")
        os.chmod(tok, 0o600)
        self.log = open(os.path.join(self.dir, "ui.log"), "wb")
        self.proc = subprocess.Popen([HORNET, "ui", "--store", url, "--http-listen",
                                      "127.0.0.1:%d" % self.port, "--http-token-file", tok],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise Fail("hornet ui exited with %d: %s" % (self.proc.returncode,
                                                             self.log_text()))
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.port,
                                            timeout=2):
                    break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise Fail("hornet ui not answering: %s" % self.log_text())
                time.sleep(0.1)

    def get(self, path, body=None, method=None, **params):
        """@method (default GET, or POST with a @body) on /api/v1/@path?@params:
        (status, decoded JSON)."""
        url = "http://127.0.0.1:%d/api/v1/%s?%s" % (self.port, path,
                                                     urllib.parse.urlencode(params))
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + self.token,
                                                   "Content-Type": "application/json"},
                                     data=json.dumps(body).encode() if body else None,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def log_text(self):
        self.log.flush()
        with open(os.path.join(self.dir, "ui.log"), "rb") as f:
            return f.read().decode(errors="replace")[-2000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@test("pg_two_nodes_one_server")
def pg_two_nodes_one_server():
    """Agents of two nodes write into one server; `hornet ui --store` alone,
    with a role that may only read (and keep exclusions), shows the events of
    both, with the node in each."""
    w = Workdir("two")
    ui = None
    try:
        with Postgres() as pg:
            # started together: both create the schema at the same moment
            a1 = Agent("--store", pg.url, node="pg-node-1")
            a2 = Agent("--store", pg.url, node="pg-node-2")
            w.run(3)
            for a in (a1, a2):
                a.wait_for(lambda ev: exported_execs(a, w.bin), timeout=20,
                           what="exec of %s" % w.bin)
            # one kernel, two agents: each node exports (and stores) all three
            got = wait_until(lambda: (lambda c: c if c == {"pg-node-1": 3, "pg-node-2": 3}
                                      else None)(stored_execs(pg, w.bin)), 30,
                             lambda: "3 execs per node in the store (%s)" % stored_execs(pg, w.bin))
            for a in (a1, a2):
                st = store_stats(a)
                check(st.get("backend") == "postgres" and st.get("ok") is True,
                      "store status of %s: %s" % (a.node, st))
                check(st.get("written", 0) >= 3, "store status of %s: %s" % (a.node, st))
            a1.stop()
            a2.stop()
            # the page of a cluster's viewers: a role that reads the history and keeps
            # exclusions, but may create nothing
            pg.sql("CREATE ROLE viewer LOGIN PASSWORD 'view-only'; "
                   "GRANT SELECT ON ALL TABLES IN SCHEMA public TO viewer; "
                   "GRANT INSERT, UPDATE, DELETE ON exclusions TO viewer; "
                   "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO viewer")
            ui = Ui(pg.url.replace("%s:%s@" % (pg.user, pg.password), "viewer:view-only@"))
            code, body = ui.get("events", binary=w.bin, type="process_exec", since="-1h")
            check(code == 200, "GET events: %d %s" % (code, body))
            nodes = sorted(ev.get("node_name") for ev in body.get("events", []))
            check(nodes == ["pg-node-1"] * 3 + ["pg-node-2"] * 3,
                  "hornet ui events of %s: nodes %s (%s)" % (w.bin, nodes, got))
            code, body = ui.get("events", binary=w.bin, type="process_exec", node="pg-node-2",
                                since="-1h")
            check(code == 200 and len(body.get("events", [])) == 3 and
                  all(ev.get("node_name") == "pg-node-2" for ev in body["events"]),
                  "GET events node=pg-node-2: %d %s" % (code, str(body)[:500]))
            # the viewer keeps an exclusion: it hides that node's rows, deletes nothing
            code, ex = ui.get("exclusions", body={"field": "binary", "value": w.bin,
                                                  "note": "pg test"})
            check(code in (200, 201) and ex.get("id"), "POST exclusions: %d %s" % (code, ex))
            code, hidden = ui.get("events", binary=w.bin, type="process_exec", since="-1h")
            check(code == 200 and not hidden.get("events"),
                  "events of an excluded binary: %d %s" % (code, str(hidden)[:300]))
            code, _ = ui.get("exclusions/%s" % ex["id"], method="DELETE")
            check(code == 200, "DELETE exclusions/%s: %d" % (ex["id"], code))
            # the process view of one of them, from the other node's rows too
            ex = body["events"][0]["process_exec"]["process"]["exec_id"]
            code, body = ui.get("processes/" + urllib.parse.quote(ex, safe=""))
            check(code == 200 and body.get("process", {}).get("node") == "pg-node-2",
                  "GET processes/%s: %d %s" % (ex, code, str(body)[:500]))
    finally:
        if ui:
            ui.stop()
        w.cleanup()


@test("pg_restart_under_load")
def pg_restart_under_load():
    """The server restarts while the agent writes: the agent goes on
    exporting, the writer reconnects and writes the batch again, and what is
    not stored (if anything) is counted."""
    w = Workdir("load")
    stop = threading.Event()
    runs = [0]

    def load():
        while not stop.is_set():
            w.run(20)
            runs[0] += 20
            time.sleep(0.01)

    try:
        with Postgres() as pg:
            a = Agent("--store", pg.url, node="pg-load")
            t = threading.Thread(target=load, daemon=True)
            t.start()
            try:
                wait_until(lambda: stored_execs(pg, w.bin).get("pg-load", 0) >= 100, 30,
                           "100 execs stored before the restart")
                pg.stop("fast")
                time.sleep(2)   # the writer finds the server gone and retries
                down = store_stats(a)
                pg.start()
                time.sleep(3)
            finally:
                stop.set()
                t.join(60)
            n = runs[0]
            exported = wait_until(lambda: (lambda e: e if len(e) >= n else None)(
                exported_execs(a, w.bin)), 30, "%d execs exported" % n)
            check(len(exported) == n, "%d execs of %s exported, %d run" % (len(exported),
                                                                          w.bin, n))
            def settled():
                # the host's other processes keep the queue busy: wait for ours, each stored
                # or counted as dropped
                st = store_stats(a)
                stored = stored_execs(pg, w.bin).get("pg-load", 0)
                if st.get("ok") and (stored >= n or n - stored <= st.get("dropped", 0)):
                    return st, stored
                return None

            st, stored = wait_until(settled, 60, lambda: "store back, every exec stored or "
                                    "counted (%s, %d of %d stored)" % (store_stats(a), stored_execs(
                                        pg, w.bin).get("pg-load", 0), n))
            check(not down.get("ok") or st.get("retries", 0) > 0 or st.get("write_errors", 0) > 0,
                  "the outage left no trace in the store's status: %s, then %s" % (down, st))
            check(st.get("retries", 0) > 0, "no batch retried: %s" % st)
            # every line not stored is counted as dropped (the exits and others too)
            missing = n - stored
            check(0 <= missing <= st.get("dropped", 0),
                  "%d execs run, %d stored, %d lines dropped: %s" % (n, stored, st.get(
                      "dropped", 0), st))
            check(a.proc.poll() is None, "agent exited: %s" % a.log_text())
            print("pg_restart_under_load: %d execs run and exported, %d stored; store: "
                  "retries %d, write_errors %d, dropped %d, written %d" % (
                      n, stored, st.get("retries", 0), st.get("write_errors", 0),
                      st.get("dropped", 0), st.get("written", 0)), flush=True)
    finally:
        stop.set()
        w.cleanup()


@test("pg_unreachable_and_bad_urls")
def pg_unreachable_and_bad_urls():
    """A server that is not there yet: the agent exports, the store reports
    why it is broken (no password in it), and writes once the server comes.
    A URL that is not one: the agent still runs; `hornet ui` says what is wrong."""
    w = Workdir("late")
    try:
        with Postgres() as pg:
            pg.stop("fast")
            a = Agent("--store", pg.url, node="pg-late")
            w.run(2)
            a.wait_for(lambda ev: len(exported_execs(a, w.bin)) >= 2, timeout=20,
                       what="2 execs of %s" % w.bin)
            st = wait_until(lambda: (lambda s: s if not s.get("ok") and s.get("error")
                                     else None)(store_stats(a)), 20, "store reported broken")
            check("127.0.0.1:%d" % pg.port in st["error"] and pg.password not in st["error"],
                  "store error: %s" % st["error"])
            check(pg.password not in a.log_text(), "the password is in the agent's log")
            pg.start()
            wait_until(lambda: stored_execs(pg, w.bin).get("pg-late", 0) >= 2, 60,
                       lambda: "execs stored once the server is up (%s)" % store_stats(a))
            check(store_stats(a).get("ok") is True, "store status: %s" % store_stats(a))
            a.stop()

            b = Agent("--store", "postgres://nobody@127.0.0.1:%d/db?no_such_option=1" %
                      pg.port, node="pg-bad")
            w.run(1)
            b.wait_for(lambda ev: len(exported_execs(b, w.bin)) >= 1, timeout=20,
                       what="exec of %s" % w.bin)
            st = store_stats(b)
            check(not st.get("ok") and "no_such_option" in st.get("error", ""),
                  "store status with a bad URL: %s" % st)
            b.stop()

            r = subprocess.run([HORNET, "ui", "--store",
                                "postgres://u:hunter2@127.0.0.1:1/db", "--http-listen",
                                "127.0.0.1:%d" % free_port()],
                               capture_output=True, timeout=60)
            err = r.stderr.decode(errors="replace")
            check(r.returncode != 0 and "127.0.0.1:1" in err and "hunter2" not in err,
                  "hornet ui with an unreachable server: exit %d: %s" % (r.returncode, err))
    finally:
        w.cleanup()


run()
