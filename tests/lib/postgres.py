# SPDX-License-Identifier: GPL-2.0
"""A real PostgreSQL server for a test, started by the test itself.

Postgres() runs Debian's PostgreSQL (initdb, postgres and pg_ctl of
/usr/lib/postgresql/VERSION/bin) as the unprivileged `postgres` system user,
with its data directory and unix socket in a temporary directory owned by
that user, listening on a free port of 127.0.0.1 only (password auth there,
trust only on the socket in that directory). The server is a child of the
test, which it does not outlive even when the test is killed. A role `hornet` with
a random password owns a database `hornet`; `url` is the postgres:// URL an
agent is given. restart(), stop() and start() act on the server as a real
outage would; cleanup() (also run at exit, so a failing test leaves nothing)
stops it and removes every file.

    with Postgres() as pg:
        agent = Agent("--store", pg.url)
        ...
        pg.restart()
        rows = pg.sql("SELECT count(*) FROM events")
"""
import atexit
import ctypes
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from hornet import Skip

BIN_GLOB = "/usr/lib/postgresql/*/bin"
PR_SET_PDEATHSIG = 1
USER = "postgres"


def bindir():
    """The newest PostgreSQL's bin directory; raises Skip when there is none."""
    if os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm"):
        # the 6.1 VM's initramfs carries hornet and the tests' tools, not a database server;
        # the store is user space and does not depend on the kernel
        raise Skip("no PostgreSQL in the test VM (user-space store, tested on the host)")
    dirs = [d for d in glob.glob(BIN_GLOB)
            if os.access(os.path.join(d, "initdb"), os.X_OK)
            and os.access(os.path.join(d, "pg_ctl"), os.X_OK)]
    if not dirs:
        raise Skip("PostgreSQL server missing (apt-get install postgresql): no initdb, pg_ctl "
                   "in %s" % BIN_GLOB)
    try:
        pwd.getpwnam(USER)
    except KeyError:
        raise Skip("no '%s' system user to run PostgreSQL as" % USER)
    if os.geteuid() != 0:
        raise Skip("needs root to run PostgreSQL as '%s'" % USER)
    return sorted(dirs, key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit()
                  else 0)[-1]


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0)


def free_port():
    """A TCP port of 127.0.0.1 that nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _remove_stale(age=3600):
    """Data directories of tests killed outright (SIGKILL, where no cleanup
    runs; their server died with them), once they are an hour old."""
    for d in glob.glob(os.path.join(tempfile.gettempdir(), "hornet-pg-*")):
        try:
            if time.time() - os.stat(d).st_mtime < age or \
                    os.path.exists(os.path.join(d, "data", "postmaster.pid")):
                continue
        except OSError:
            continue
        shutil.rmtree(d, ignore_errors=True)


class Postgres:
    running = []

    def __init__(self, fsync=False, settings=(), createdb=False):
        """Starts a server. @fsync=False trades durability for speed (tests);
        @settings are extra "name=value" server settings; @createdb lets the
        role create databases of its own."""
        self.createdb = createdb
        self.bin = bindir()
        _remove_stale()
        pw = pwd.getpwnam(USER)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.dir = tempfile.mkdtemp(prefix="hornet-pg-")
        self.data = os.path.join(self.dir, "data")
        self.sockdir = os.path.join(self.dir, "sock")
        self.log = os.path.join(self.dir, "server.log")
        os.mkdir(self.sockdir, 0o700)
        for d in (self.dir, self.sockdir):
            os.chown(d, self.uid, self.gid)
        os.chmod(self.dir, 0o700)
        self.password = secrets.token_hex(12)
        self.user = "hornet"
        self.dbname = "hornet"
        self.port = None
        self.proc = None    # the postmaster
        self.settings = ["listen_addresses=127.0.0.1", "unix_socket_directories=" + self.sockdir,
                         "max_connections=50", "log_min_messages=warning",
                         "logging_collector=off"]
        if not fsync:
            self.settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        self.settings += list(settings)
        Postgres.running.append(self)
        try:
            self._initdb()
            self.start()
            self._create()
        except BaseException:
            self.cleanup()
            raise

    def _run(self, argv, timeout=120, check=True, input=None):
        """Runs a PostgreSQL program as the postgres user."""
        r = subprocess.run(argv, capture_output=True, timeout=timeout, user=self.uid,
                           group=self.gid, extra_groups=[], cwd=self.dir, input=input,
                           env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": self.dir,
                                "PGHOST": self.sockdir})
        if check and r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s %s" % (
                os.path.basename(argv[0]), r.returncode, r.stdout.decode()[-1000:],
                r.stderr.decode()[-1000:]))
        return r

    def _initdb(self):
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(secrets.token_hex(16) + "\n")   # the superuser's: only its socket is used
        os.chown(pwfile, self.uid, self.gid)
        # trust on the unix socket (owned by the postgres user, mode 0700 directory), passwords
        # on loopback TCP: what the agent uses, as on a cluster
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", USER,
                   "-E", "UTF8", "--locale=C", "--auth-local=trust",
                   "--auth-host=scram-sha-256", "--pwfile", pwfile, "--no-sync"], timeout=300)
        os.unlink(pwfile)
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("local all all trust\n"
                    "host all all 127.0.0.1/32 scram-sha-256\n")

    def start(self, timeout=60):
        """Starts the server (again) on its port; a port taken meanwhile gets
        another. The postmaster is this process's child, not pg_ctl's daemon:
        should the test die without cleaning up (killed by tests/run's
        timeout), the kernel sends it SIGQUIT, PostgreSQL's immediate
        shutdown, and no server outlives its test."""
        for _ in range(5):
            if self.port is None:
                self.port = free_port()
            argv = [os.path.join(self.bin, "postgres"), "-D", self.data]
            for setting in self.settings + ["port=%d" % self.port]:
                argv += ["-c", setting]
            with open(self.log, "ab") as log:
                os.fchown(log.fileno(), self.uid, self.gid)
                self.proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    user=self.uid, group=self.gid, extra_groups=[], cwd=self.dir,
                    env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": self.dir},
                    # after the change of user, which clears the parent-death signal
                    preexec_fn=_die_with_parent)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                r = self._run([os.path.join(self.bin, "pg_isready"), "-q", "-h", self.sockdir,
                               "-p", str(self.port), "-t", "1"], check=False, timeout=30)
                if r.returncode == 0:
                    return
                time.sleep(0.1)
            if self.proc.poll() is None:
                self._kill()
            elif "could not bind" in self.log_text():
                self.port = None
                continue
            break
        raise RuntimeError("PostgreSQL did not start: %s" % self.log_text())

    def stop(self, mode="fast"):
        """Stops the server: "fast" (clients disconnected, as a restart by an
        administrator) or "immediate" (as a crash)."""
        if not self.pid():
            return
        r = self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", mode, "-w",
                       "-t", "60", "stop"], check=False, timeout=90)
        if r.returncode != 0 and self.pid():
            self._kill()
        self._reap()

    def _reap(self):
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def restart(self, mode="fast"):
        self.stop(mode)
        self.start()

    def pid(self):
        """The postmaster's pid while it runs, else None."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def _kill(self):
        pid = self.pid()
        if pid:
            os.kill(pid, signal.SIGQUIT)    # immediate shutdown: the postmaster ends its children
            deadline = time.monotonic() + 10
            while self.pid() and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.pid():
                os.kill(pid, signal.SIGKILL)
        self._reap()

    def _create(self):
        self.sql_admin("CREATE ROLE %s LOGIN %sPASSWORD '%s'" % (
            self.user, "CREATEDB " if self.createdb else "", self.password))
        self.sql_admin("CREATE DATABASE %s OWNER %s" % (self.dbname, self.user))

    @property
    def url(self):
        return "postgres://%s:%s@127.0.0.1:%d/%s" % (self.user, self.password, self.port,
                                                      self.dbname)

    def sql_admin(self, sql, db="postgres"):
        """Runs @sql as the superuser over the unix socket; returns rows of text fields."""
        r = self._run([os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-F", "\t",
                       "-v", "ON_ERROR_STOP=1", "-h", self.sockdir, "-p", str(self.port), "-U",
                       USER, "-d", db, "-c", sql])
        return [line.split("\t") for line in r.stdout.decode().splitlines() if line]

    def sql(self, sql):
        """Runs @sql in the store's database; returns rows of text fields."""
        return self.sql_admin(sql, db=self.dbname)

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def cleanup(self):
        if os.path.isdir(self.data):
            try:
                self.stop("immediate")
            except (OSError, subprocess.SubprocessError):
                self._kill()
            if self.pid():
                self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in Postgres.running:
            Postgres.running.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


@atexit.register
def _cleanup_all():
    for pg in list(Postgres.running):
        pg.cleanup()
