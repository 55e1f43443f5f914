#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The event history on PostgreSQL, against a real server that each test
starts itself (tests/lib/postgres.py): the database layer (store/db_pg.c),
agents of two nodes writing into one server, `hornet ui` reading it alone,
a server restarted under load, and URLs that lead nowhere."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import BUILD, Fail, check, run, test  # noqa: E402
from postgres import Postgres  # noqa: E402

DB_TEST = os.path.join(BUILD, "tests", "test_db_pg")


@test("pg_db_layer")
def pg_db_layer():
    """store/db_pg.c's own checks (tests/unit/test_db_pg.c) on a real server:
    placeholders, typed results, batched upserts with a key twice, hostile
    text, a connection the server ends."""
    check(os.access(DB_TEST, os.X_OK), "%s missing: make build-tests" % DB_TEST)
    with Postgres() as pg:
        r = subprocess.run([DB_TEST], capture_output=True, timeout=120,
                           env=dict(os.environ, HORNET_PG_URL=pg.url))
        out = r.stdout.decode(errors="replace")
        lines = out.splitlines()
        failed = [ln for ln in lines if ln.startswith(("FAIL", "SKIP"))]
        passed = [ln for ln in lines if ln.startswith("PASS")]
        if r.returncode != 0 or failed or len(passed) < 6:
            raise Fail("test_db_pg: exit %d, %d passed: %s %s" % (
                r.returncode, len(passed), " | ".join(failed) or out[-1500:],
                r.stderr.decode(errors="replace")[-500:]))
        # nothing of the test is left in the database
        check(pg.sql("SELECT count(*) FROM pg_tables WHERE tablename = 't'") == [["0"]],
              "test table left behind")


run()
