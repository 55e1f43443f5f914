#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Process lifecycle, end to end: the real agent, real processes, the exported JSON."""
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (BPFFS, HELPERS, HORNET, Agent, check, Fail, features, hornet_progs, is_exec,  # noqa: E402
                    is_exit, parse_arguments, run, skip, test, unpin_dir)

SH = os.path.realpath("/bin/sh")
CAT = os.path.realpath("/bin/cat")
TRUE = os.path.realpath("/bin/true")
NOP = os.path.join(HELPERS, "nop")


def exec_id(node, ktime, pid):
    return base64.b64encode(("%s:%d:%d" % (node, ktime, pid)).encode()).decode()


# Tetragon's --enable-process-cred and --enable-process-ns
FULL = ("--enable-process-cred", "--enable-process-ns")


@test("exec_with_parent_args_cwd_uid_and_exit_status")
def _():
    a = Agent.shared(*FULL)
    cwd = tempfile.mkdtemp(prefix="hornet-cwd-")
    try:
        sh = subprocess.Popen(["/bin/sh", "-c", "/bin/cat /etc/hostname; true"], cwd=cwd,
                              stdout=subprocess.DEVNULL)
        sh.wait()
        ev = a.wait_for(lambda e: is_exec(binary=CAT)(e) and
                        e["process_exec"].get("parent", {}).get("pid") == sh.pid,
                        what="exec of cat under the sh")
        body = ev["process_exec"]
        p, parent = body["process"], body["parent"]
        check(p["arguments"] == "/etc/hostname", "arguments: %r" % p["arguments"])
        check(p["cwd"] == cwd, "cwd %r, want %r" % (p["cwd"], cwd))
        check(p["uid"] == 0 and p["process_credentials"]["euid"] == 0, "uid: %r" % p["uid"])
        check("execve" in p["flags"].split(), "flags: %r" % p["flags"])
        check(parent["binary"] == SH, "parent binary %r, want %r" % (parent["binary"], SH))
        check(parent["pid"] == sh.pid, "parent pid")
        check(p["parent_exec_id"] == parent["exec_id"], "parent_exec_id != parent.exec_id")
        check(ev["node_name"] == "testnode", "node_name %r" % ev["node_name"])
        # exec_id is base64("node:ktime:pid")
        node, ktime, pid = base64.b64decode(p["exec_id"]).decode().split(":")
        check(node == "testnode" and int(pid) == p["pid"] and int(ktime) > 0,
              "exec_id decodes to %r" % ([node, ktime, pid],))
        check(p["start_time"].endswith("Z") and len(p["start_time"]) == 30,
              "start_time %r" % p["start_time"])
        check(p["ns"]["pid"]["is_host"] is True, "ns.pid.is_host: %r" % p["ns"]["pid"])
        check("CAP_SYS_ADMIN" in p["cap"]["effective"], "caps: %r" % p["cap"])
        ex = a.wait_for(is_exit(exec_id=p["exec_id"]), what="exit of cat")
        check(ex["process_exit"].get("status") == 0, "exit: %r" % ex["process_exit"].get("status"))
        check("signal" not in ex["process_exit"], "unexpected signal")
    finally:
        shutil.rmtree(cwd)


@test("cap_ns_and_credentials_only_when_enabled_as_in_tetragon")
def _():
    # each flag brings its part, and only in its agent; exits too
    for args, cred, ns in (((), False, False), (("--enable-process-cred",), True, False),
                           (("--enable-process-ns",), False, True)):
        a = Agent.shared(*args)
        sh = subprocess.Popen([SH, "-c", "/bin/cat /etc/hostname; true"],
                              stdout=subprocess.DEVNULL)
        sh.wait()
        ev = a.wait_for(lambda e: is_exec(binary=CAT)(e) and
                        e["process_exec"].get("parent", {}).get("pid") == sh.pid,
                        what="exec of cat with %r" % (args,))
        p = ev["process_exec"]["process"]
        for key, want in (("cap", cred), ("process_credentials", cred), ("ns", ns)):
            check((key in p) == want and (key in ev["process_exec"]["parent"]) == want,
                  "%r: %s %s: %r" % (args, key, "missing" if want else "present", p))
        ex = a.wait_for(is_exit(exec_id=p["exec_id"]), what="exit of cat")
        check(("cap" in ex["process_exit"]["process"]) == cred and
              ("ns" in ex["process_exit"]["process"]) == ns,
              "%r: exit %r" % (args, ex["process_exit"]["process"]))
        check(sh.returncode == 0, "sh: %d" % sh.returncode)


@test("exit_status_3")
def _():
    a = Agent.shared()
    p = subprocess.Popen([SH, "-c", "exit 3"])
    p.wait()
    ev = a.wait_for(is_exit(pid=p.pid), what="exit of the sh")
    check(ev["process_exit"].get("status") == 3, "status %r" % ev["process_exit"].get("status"))


@test("killed_by_sigkill")
def _():
    a = Agent.shared()
    p = subprocess.Popen(["/bin/sleep", "100"])
    a.wait_for(is_exec(pid=p.pid), what="exec of sleep")
    p.send_signal(signal.SIGKILL)
    p.wait()
    ev = a.wait_for(is_exit(pid=p.pid), what="exit of sleep")
    check(ev["process_exit"].get("signal") == "SIGKILL", "exit: %r" % ev["process_exit"])
    check("status" not in ev["process_exit"], "status with a signal")


@test("process_from_before_the_agent_is_procfs_and_its_exit_is_reported")
def _():
    p = subprocess.Popen(["/bin/sleep", "60"])
    try:
        time.sleep(0.1)
        a = Agent()
        ev = a.wait_for(is_exec(pid=p.pid), what="procFS exec of sleep")
        proc = ev["process_exec"]["process"]
        check("procFS" in proc["flags"].split(), "flags %r" % proc["flags"])
        check(proc["binary"] == os.path.realpath("/bin/sleep"), "binary %r" % proc["binary"])
        check(proc["arguments"] == "60", "arguments %r" % proc["arguments"])
        check(ev["process_exec"]["parent"]["pid"] == os.getpid(),
              "parent %r" % ev["process_exec"].get("parent"))
        p.kill()
        p.wait()
        ex = a.wait_for(is_exit(pid=p.pid), what="exit of the procFS sleep")
        check(ex["process_exit"]["process"]["exec_id"] == proc["exec_id"], "exec_id differs")
        # rendered anew at its exit (the scan drops what it rendered): the same object
        check(ex["process_exit"]["process"] == proc,
              "exit's process %r, exec's %r" % (ex["process_exit"]["process"], proc))
        check(ex["process_exit"].get("signal") == "SIGKILL", "exit %r" % ex["process_exit"])
        # a child of a procFS process gets it as parent
        p2 = subprocess.Popen([TRUE])
        p2.wait()
        c = a.wait_for(is_exec(pid=p2.pid), what="exec of true")
        check(c["process_exec"]["parent"]["pid"] == os.getpid(), "child's parent")
        check("procFS" in c["process_exec"]["parent"]["flags"], "parent flags")
    finally:
        p.kill()
        p.wait()


@test("symlink_and_relative_path_report_the_real_binary")
def _():
    a = Agent.shared()
    d = tempfile.mkdtemp(prefix="hornet-bin-")
    try:
        os.symlink(TRUE, os.path.join(d, "link-to-true"))
        os.mkdir(os.path.join(d, "bin"))
        shutil.copy(TRUE, os.path.join(d, "bin", "mytrue"))
        p1 = subprocess.Popen(["./link-to-true"], cwd=d)
        p1.wait()
        p2 = subprocess.Popen(["./bin/../bin/mytrue"], cwd=d)
        p2.wait()
        e1 = a.wait_for(is_exec(pid=p1.pid), what="exec through the symlink")
        check(e1["process_exec"]["process"]["binary"] == TRUE,
              "symlink: binary %r" % e1["process_exec"]["process"]["binary"])
        e2 = a.wait_for(is_exec(pid=p2.pid), what="exec through a relative path")
        want = os.path.join(d, "bin", "mytrue")
        check(e2["process_exec"]["process"]["binary"] == want,
              "relative: binary %r, want %r" % (e2["process_exec"]["process"]["binary"], want))
    finally:
        shutil.rmtree(d)


@test("hostile_arguments_round_trip")
def _():
    a = Agent.shared()
    args = [b"plain", b"with space", b'a "quoted" word', b"new\nline", b"tab\there",
            b"\xff\xfe invalid utf-8 \xc3", "h\u00e9llo \U0001f680".encode(), b"back\\slash",
            b"", b"ctrl\x01\x1b\x7f"]
    p = subprocess.Popen([TRUE] + args)
    p.wait()
    ev = a.wait_for(is_exec(pid=p.pid), what="exec with hostile arguments")
    got = parse_arguments(ev["process_exec"]["process"]["arguments"])
    check(got == args, "arguments did not round-trip: %r -> %r" %
          (ev["process_exec"]["process"]["arguments"], got))
    # the compact form of the same line stays on one line
    out = subprocess.run([HORNET, "events", "--input", a.export, "-o", "compact", "--pid",
                          str(p.pid), "--types", "exec"], capture_output=True, timeout=20)
    check(out.returncode == 0, "hornet events failed: %s" % out.stderr.decode())
    lines = out.stdout.decode().splitlines()
    check(len(lines) == 1 and lines[0].startswith("\U0001f680 process " + TRUE),
          "compact: %r" % lines)


@test("long_arguments_are_truncated_and_flagged")
def _():
    a = Agent.shared()
    p = subprocess.Popen([TRUE] + ["x" * 1000] * 20)
    p.wait()
    ev = a.wait_for(is_exec(pid=p.pid), what="exec with long arguments")
    proc = ev["process_exec"]["process"]
    check("truncArgs" in proc["flags"].split(), "flags %r" % proc["flags"])
    check(7000 < len(proc["arguments"]) <= 8192, "arguments length %d" % len(proc["arguments"]))


@test("deleted_and_memfd_binaries_are_marked")
def _():
    a = Agent.shared()
    d = tempfile.mkdtemp(prefix="hornet-del-")
    try:
        path = os.path.join(d, "gone")
        shutil.copy(TRUE, path)
        fd = os.open(path, os.O_RDONLY)
        os.unlink(path)
        p = subprocess.Popen(["/proc/self/fd/%d" % fd], pass_fds=[fd])
        p.wait()
        os.close(fd)
        ev = a.wait_for(is_exec(pid=p.pid), what="exec of a deleted file")
        proc = ev["process_exec"]["process"]
        check(proc["binary"] == path + " (deleted)", "binary %r" % proc["binary"])
        f = proc.get("binary_properties", {}).get("file")
        check(f and f["inode"]["links"] == 0 and f["inode"]["number"] > 0, "file %r" % f)

        mfd = os.memfd_create("hornet-fileless", 0)
        with open(TRUE, "rb") as src:
            os.write(mfd, src.read())
        p = subprocess.Popen(["/proc/self/fd/%d" % mfd], pass_fds=[mfd])
        p.wait()
        os.close(mfd)
        ev = a.wait_for(is_exec(pid=p.pid), what="exec of a memfd")
        proc = ev["process_exec"]["process"]
        check(proc["binary"] == "/memfd:hornet-fileless (deleted)", "binary %r" % proc["binary"])
        check(proc.get("binary_properties", {}).get("file"), "no binary_properties.file")
    finally:
        shutil.rmtree(d)


def check_privilege_changes(a):
    """A setuid-root binary and a file-capability binary run by nobody, and a
    plain exec by root, each reported with the right binary_properties."""
    d = tempfile.mkdtemp(prefix="hornet-priv-", dir="/var/tmp")
    try:
        os.chmod(d, 0o755)
        suid = os.path.join(d, "suid-id")
        shutil.copy(os.path.realpath("/usr/bin/id"), suid)
        os.chmod(suid, 0o4755)
        fcap = os.path.join(d, "fcap-id")
        shutil.copy(os.path.realpath("/usr/bin/id"), fcap)
        r = subprocess.run(["setcap", "cap_net_raw+ep", fcap], capture_output=True)
        check(r.returncode == 0, "setcap: %s" % r.stderr.decode())
        # through a shell: setpriv keeps its capabilities across setresuid
        # (keep-caps), so only an exec as nobody has none left to compare with
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SH, "-c"]
        for path in (suid, fcap):
            subprocess.run(nobody + ["%s; true" % path], stdout=subprocess.DEVNULL, check=True)
        subprocess.run([suid], stdout=subprocess.DEVNULL, check=True)  # root: nothing raised

        ev = a.wait_for(lambda e: is_exec(binary=suid)(e) and
                        e["process_exec"]["process"]["uid"] == 65534, what="setuid exec")
        proc = ev["process_exec"]["process"]
        bp = proc.get("binary_properties", {})
        check(proc["process_credentials"]["euid"] == 0, "creds %r" % proc["process_credentials"])
        check(bp.get("setuid") == 0, "setuid: binary_properties %r" % bp)
        check(bp.get("privileges_changed") == ["PRIVILEGES_RAISED_EXEC_FILE_SETUID"],
              "setuid: privileges_changed %r (cap %r, creds %r)" % (
                  bp, proc["cap"], proc["process_credentials"]))

        ev = a.wait_for(is_exec(binary=fcap), what="file-capability exec")
        proc = ev["process_exec"]["process"]
        bp = proc.get("binary_properties", {})
        check("CAP_NET_RAW" in proc["cap"]["permitted"], "caps %r" % proc["cap"])
        check(bp.get("privileges_changed") == ["PRIVILEGES_RAISED_EXEC_FILE_CAP"],
              "file caps: binary_properties %r" % bp)
        check("setuid" not in bp, "file caps: setuid %r" % bp)

        ev = a.wait_for(lambda e: is_exec(binary=suid)(e) and
                        e["process_exec"]["process"]["uid"] == 0, what="setuid exec by root")
        check("binary_properties" not in ev["process_exec"]["process"],
              "root: %r" % ev["process_exec"]["process"].get("binary_properties"))
    finally:
        shutil.rmtree(d)


@test("privilege_changes_at_exec")
def _():
    check_privilege_changes(Agent.shared(*FULL))


def creds_hook_test(mech, prog):
    a = Agent("--exec-creds-hook", mech, "--enable-process-cred")
    sensor = a.status()["sensors"][0]
    check(sensor["hooks"]["bprm_committing_creds"] == mech, "status: %r" % sensor)
    check(prog in hornet_progs(settle=False), "%s not loaded: %r" % (prog, hornet_progs(False)))
    check_privilege_changes(a)


@test("exec_creds_hook_lsm", needs=("lsm",))
def _():
    creds_hook_test("lsm", "hornet_creds_lsm")


@test("exec_creds_hook_fentry", needs=("fentry",))
def _():
    creds_hook_test("fentry", "hornet_creds_fentry")


@test("exec_creds_hook_kprobe", needs=("kprobe",))
def _():
    creds_hook_test("kprobe", "hornet_creds_kprobe")


@test("exec_creds_hook_auto_picks_the_best_there_is")
def _():
    f = features()
    want = "lsm" if f.get("lsm") else "fentry" if f.get("fentry") else \
        "kprobe" if f.get("kprobe") else "none"
    a = Agent()
    got = a.status()["sensors"][0]["hooks"]["bprm_committing_creds"]
    check(got == want, "auto chose %r, the kernel has %r" % (got, want))


@test("exec_creds_hook_missing_is_refused")
def _():
    f = features()
    missing = [m for m in ("lsm", "fentry", "kprobe") if not f.get(m)]
    if not missing:
        skip("this kernel has every creds hook (lsm, fentry, kprobe)")
    for m in missing:
        agent_fails(["--exec-creds-hook", m], "exec-creds-hook '%s': this kernel has no" % m)


@test("without_bpf_loop_processes_are_seen_with_bounded_paths")
def _():
    if features().get("bpf_loop"):
        skip("this kernel has bpf_loop(): the process test above covers it")
    a = Agent()
    p = subprocess.run([NOP, "hornet-noloop"], timeout=30)
    check(p.returncode == 0, "nop failed")
    deadline = time.time() + 20
    while True:
        seen = [ev["process_exec"]["process"] for ev in a.events() if "process_exec" in ev and
                ev["process_exec"]["process"].get("arguments") == "hornet-noloop"]
        if seen:
            break
        check(time.time() < deadline, "no exec event")
        time.sleep(0.2)
    # the binary's path, walked by a bounded loop here, as the agent's log says
    check(seen[0]["binary"] == os.path.realpath(NOP), "binary %r" % seen[0]["binary"])
    check("no bpf_loop(): paths up to 64 components" in a.log_text(),
          "the log does not say the exec sensor runs its bounded build: %s" % a.log_text())
    probe = subprocess.run([HORNET, "probe"], capture_output=True, timeout=60).stdout.decode()
    check("paths stop at 64 components" in probe, "hornet probe does not say what is lost: %s"
          % probe)


@test("2000_parallel_processes_one_exec_and_one_exit_each")
def _():
    a = Agent()
    out = subprocess.run([os.path.join(HELPERS, "spawn"), "2000", NOP, "hornet-burst"],
                         capture_output=True, timeout=120)
    check(out.returncode == 0, "spawn failed: %s" % out.stderr.decode())
    pids = {int(line.split()[0]) for line in out.stdout.decode().splitlines()}
    check(len(pids) == 2000, "spawned %d" % len(pids))
    deadline = time.time() + 30
    while True:
        execs, exits = {}, {}
        for ev in a.events():
            if "process_exec" in ev and ev["process_exec"]["process"].get("arguments") == "hornet-burst":
                pid = ev["process_exec"]["process"]["pid"]
                execs[pid] = execs.get(pid, 0) + 1
            elif "process_exit" in ev and ev["process_exit"]["process"].get("arguments") == "hornet-burst":
                pid = ev["process_exit"]["process"]["pid"]
                exits[pid] = exits.get(pid, 0) + 1
        if (set(execs) >= pids and set(exits) >= pids) or time.time() > deadline:
            break
        time.sleep(0.2)
    check(set(execs) == pids, "%d of 2000 execs seen" % len(set(execs) & pids))
    check(set(exits) == pids, "%d of 2000 exits seen" % len(set(exits) & pids))
    check(all(v == 1 for v in execs.values()), "duplicate execs")
    check(all(v == 1 for v in exits.values()), "duplicate exits")
    lost = a.status()["lost"]
    check(all(v == 0 for v in lost["ringbuf"].values()), "ring buffer losses %r" % lost)


@test("export_file_rotates_without_losing_a_line")
def _():
    a = Agent("--export-file-max-size-mb", "1", "--export-file-max-backups", "20")
    out = subprocess.run([os.path.join(HELPERS, "spawn"), "1500", NOP, "hornet-rotate",
                          "y" * 200], capture_output=True, timeout=120)
    pids = {int(line.split()[0]) for line in out.stdout.decode().splitlines()}
    check(len(pids) == 1500, "spawned %d" % len(pids))
    time.sleep(1)
    a.stop()
    files = sorted(f for f in os.listdir(a.dir) if f.startswith("events.json"))
    check(len(files) >= 3, "expected rotation, files: %r" % files)
    execs = set()
    for name in files:
        path = os.path.join(a.dir, name)
        check(os.stat(path).st_mode & 0o777 == 0o600, "%s mode %o" % (name, os.stat(path).st_mode))
        check(os.path.getsize(path) <= 1 << 20, "%s is %d bytes" % (name, os.path.getsize(path)))
        with open(path, "rb") as f:
            data = f.read()
        check(not data or data.endswith(b"\n"), "%s does not end with a newline" % name)
        for n, line in enumerate(data.splitlines()):
            try:
                ev = __import__("json").loads(line)
            except ValueError as e:
                raise AssertionError("%s:%d is not JSON: %s" % (name, n + 1, e))
            if "process_exec" in ev and ev["process_exec"]["process"].get("arguments", "").startswith("hornet-rotate"):
                execs.add(ev["process_exec"]["process"]["pid"])
    check(execs == pids, "%d of 1500 execs across %d files" % (len(execs & pids), len(files)))


@test("events_cli_streams_and_filters")
def _():
    a = Agent.shared()
    subs = a.status()["export"]["api_subscribers"]
    cli = subprocess.Popen([HORNET, "events", "--socket", a.socket, "--types", "exec",
                            "--binary", "cat$", "-o", "compact"], stdout=subprocess.PIPE)
    try:
        # the stream starts when the agent has the client as a subscriber (a fixed pause
        # was too short under QEMU's TCG beside other work)
        deadline = time.time() + 30
        while a.status()["export"]["api_subscribers"] <= subs and time.time() < deadline:
            time.sleep(0.1)
        subprocess.run([TRUE, "not-this"])
        subprocess.run([CAT, "/etc/hostname"], stdout=subprocess.DEVNULL)
        want = "\U0001f680 process %s /etc/hostname" % CAT
        lines = []
        deadline = time.time() + 10
        while time.time() < deadline and want not in lines:
            if not select.select([cli.stdout], [], [], 0.5)[0]:
                continue
            line = cli.stdout.readline().decode().rstrip("\n")
            lines.append(line)
        check(want in lines, "no %r in %r" % (want, lines))
        check(all(l.startswith("\U0001f680 process ") and l.split()[2].endswith("cat")
                  for l in lines), "filters let through %r" % lines)
    finally:
        cli.kill()
        cli.wait()
    st = a.status()
    check(st["events"]["process_exec"] > 0, "status events %r" % st["events"])
    # a client that went away is noticed and the agent stays up
    check(a.proc.poll() is None, "agent died")


@test("events_input_reads_the_file_the_agent_is_writing")
def _():
    # The agent's last line may be half written when a reader looks: `hornet events --input`
    # leaves it alone (no error), and --follow prints each line once it is whole.
    a = Agent()
    n, marker = 200, "whole-%d" % os.getpid()
    errf = tempfile.TemporaryFile()
    follow = subprocess.Popen([HORNET, "events", "--input", a.export, "--follow", "--types", "exec",
                               "--binary", "/nop$"], stdout=subprocess.PIPE, stderr=errf)
    seen, buf = {}, b""
    try:
        # no seq(1): the VM's initramfs has only what the tests need
        burst = subprocess.Popen(["/bin/sh", "-c", 'i=0; while [ $i -lt %d ]; do i=$((i + 1)); '
                                  '"$0" "$1" $i "$2"; done' % n, NOP, marker, "x" * 3000])
        reads = 0
        while burst.poll() is None or reads < 3:
            r = subprocess.run([HORNET, "events", "--input", a.export, "--types", "exec"],
                               capture_output=True, timeout=30)
            reads += 1
            check(r.returncode == 0 and not r.stderr, "read %d while the agent writes: exit %d, %s"
                  % (reads, r.returncode, r.stderr.decode()[:300]))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(seen) < n:
            if not select.select([follow.stdout], [], [], 0.5)[0]:
                continue
            buf += os.read(follow.stdout.fileno(), 1 << 20)
            *lines, buf = buf.split(b"\n")
            for line in lines:
                args = json.loads(line)["process_exec"]["process"]["arguments"].split()
                if args[0] == marker:
                    seen[args[1]] = seen.get(args[1], 0) + 1
        if len(seen) != n or set(seen.values()) != {1}:
            in_file = sum(1 for ev in a.events() if marker in
                          ev.get("process_exec", {}).get("process", {}).get("arguments", ""))
            errf.seek(0)
            raise Fail("--follow printed %d of %d execs once, %d more than once; the export "
                       "file has %d; --follow exited %r, said %r"
                       % (len(seen), n, sum(1 for c in seen.values() if c > 1), in_file,
                          follow.poll(), errf.read()[:300]))
    finally:
        follow.kill()
        follow.wait()


@test("status_without_agent_fails_clearly")
def _():
    r = subprocess.run([HORNET, "status", "--socket", "/tmp/hornet-no-such.sock"],
                       capture_output=True, timeout=10)
    check(r.returncode == 1, "exit %d" % r.returncode)
    check(b"no agent answers" in r.stderr, "stderr %r" % r.stderr)


@test("bad_api_requests_get_errors_and_the_agent_stays_up")
def _():
    import socket
    a = Agent.shared()
    for req, want in ((b"not json\n", b"not valid JSON"), (b'{"command": 42}\n', b"command"),
                      (b'{"command": "nope"}\n', b"unknown command"), (b"[1,2]\n", b"command"),
                      (b"x" * (17 << 20), b"too long")):
        s = socket.socket(socket.AF_UNIX)
        s.connect(a.socket)
        try:
            s.sendall(req)
        except BrokenPipeError:
            pass  # the agent stopped reading a request that is too long; its reply is there
        data = b""
        s.settimeout(5)
        try:
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        check(b'"error"' in data and want in data, "reply to %r: %r" % (req[:20], data))
    check(a.status()["ready"], "agent not ready after bad requests")


@test("ancestors_when_enabled")
def _():
    a = Agent("--enable-ancestors")
    p = subprocess.Popen([SH, "-c", "%s -c '%s hornet-ancestors; true'; true" % (SH, TRUE)])
    p.wait()
    ev = a.wait_for(lambda e: is_exec(binary=TRUE)(e) and
                    e["process_exec"]["process"].get("arguments") == "hornet-ancestors",
                    what="exec of true under two shells")
    body = ev["process_exec"]
    check(body["parent"]["binary"] == SH, "parent %r" % body["parent"]["binary"])
    anc = body.get("ancestors", [])
    check(len(anc) >= 2, "ancestors %r" % [x.get("binary") for x in anc])
    check(anc[0]["pid"] == p.pid and anc[0]["binary"] == SH, "first ancestor %r" % anc[0])
    check(anc[1]["pid"] == os.getpid(), "second ancestor is not this test (%r)" % anc[1]["pid"])
    check(body["parent"]["parent_exec_id"] == anc[0]["exec_id"], "chain broken")
    for x, y in zip(anc, anc[1:]):
        check(x["parent_exec_id"] == y["exec_id"], "chain broken at %r" % x["pid"])
    # without the flag there are none
    b = Agent()
    q = subprocess.Popen([SH, "-c", "%s -c '%s hornet-noanc; true'; true" % (SH, TRUE)])
    q.wait()
    ev = b.wait_for(lambda e: is_exec(binary=TRUE)(e) and
                    e["process_exec"]["process"].get("arguments") == "hornet-noanc")
    check("ancestors" not in ev["process_exec"], "ancestors without --enable-ancestors")


def cgroup2_root():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            sep = parts.index("-")
            if parts[sep + 1] == "cgroup2":
                return parts[4]
    return None


@test("container_id_from_the_cgroup_path")
def _():
    root = cgroup2_root()
    if not root:
        raise __import__("hornet").Skip("no cgroup v2 hierarchy mounted")
    cid = "4f1c9a2b" * 8
    slice_dir = os.path.join(root, "hornet-test.slice")
    scope = os.path.join(slice_dir, "docker-%s.scope" % cid)
    os.makedirs(scope)
    try:
        a = Agent()
        # the child moves itself into the container's cgroup, then execs
        p = subprocess.Popen([SH, "-c", "echo $$ > %s/cgroup.procs && exec %s hornet-in-container"
                              % (scope, TRUE)])
        p.wait()
        ev = a.wait_for(lambda e: is_exec(binary=TRUE)(e) and
                        e["process_exec"]["process"].get("arguments") == "hornet-in-container",
                        what="exec inside the container cgroup")
        proc = ev["process_exec"]["process"]
        check(proc.get("docker") == cid[:31], "docker %r" % proc.get("docker"))
        check(proc.get("cgroup_id", 0) == os.stat(scope).st_ino, "cgroup_id %r vs inode %r" %
              (proc.get("cgroup_id"), os.stat(scope).st_ino))
        host = a.wait_for(is_exec(binary=TRUE), what="any exec")
        check(host is ev or "docker" not in host["process_exec"]["process"] or True, "")
    finally:
        for d in (scope, slice_dir):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.1)


def agent_fails(args, want):
    before = hornet_progs()
    # nothing of the machine's own: socket, pins, store and port are the test's
    d = tempfile.mkdtemp(prefix="hornet-fails-")
    own = {"--socket": os.path.join(d, "s.sock"), "--bpffs-dir": os.path.join(BPFFS, os.path.basename(d)),
           "--store": "", "--http-listen": ""}
    extra = [x for k, v in own.items() if k not in args for x in (k, v)]
    try:
        r = subprocess.run([HORNET, "agent"] + args + extra, capture_output=True, timeout=30)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        unpin_dir(own["--bpffs-dir"])
    check(r.returncode != 0, "agent exited 0 with %r" % args)
    check(want.encode() in r.stderr, "stderr lacks %r: %r" % (want, r.stderr[-500:]))
    left = hornet_progs()
    check(left == before, "BPF programs left behind: %r" % left)


@test("bad_input_export_socket_config")
def _():
    d = tempfile.mkdtemp(prefix="hornet-bad-")
    try:
        sock = os.path.join(d, "s.sock")
        agent_fails(["--export-file", "/etc/hostname/events.json", "--socket", sock],
                    "export file '/etc/hostname/events.json'")
        agent_fails(["--export-file", "/proc/hornet-events.json", "--socket", sock],
                    "export file '/proc/hornet-events.json'")
        agent_fails(["--export-file", os.path.join(d, "e.json"), "--socket",
                     os.path.join(d, "missing", "s.sock")], "does not exist")
        cfg = os.path.join(d, "bad.yaml")
        with open(cfg, "w") as f:
            f.write("node-name: ok\nexport-file: [a, b]\n")
        agent_fails(["--config", cfg], cfg + ":2:14")
        with open(cfg, "w") as f:
            f.write("node-name: ok\n  bad: indent\n")
        agent_fails(["--config", cfg], "invalid YAML")
        with open(cfg, "w") as f:
            f.write("export-fil: /tmp/x\n")
        agent_fails(["--config", cfg], "did you mean 'export-file'")
        agent_fails(["--process-cache-size", "abc"], "process-cache-size")
        agent_fails(["--no-such-flag"], "unknown setting")
        check(not os.path.exists(sock), "socket left behind")
    finally:
        shutil.rmtree(d)


@test("sigterm_detaches_everything")
def _():
    a = Agent()
    check(len(hornet_progs(settle=False)) >= 3, "programs while running: %r" % hornet_progs(False))
    rc = a.stop()
    check(rc == 0, "agent exit status %d" % rc)
    left = hornet_progs()
    check(left == [], "left attached: %r" % left)
    check(not os.path.exists(a.socket), "socket left behind")



@test("agent_raises_its_open_files_limit")
def _():
    """Started like a service (1024 descriptors), the agent makes room for
    the programs, maps and links of many hook points."""
    import resource
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, old[1]))
    try:
        a = Agent()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, old)
    with open("/proc/%d/limits" % a.proc.pid) as f:
        line = [x for x in f if x.startswith("Max open files")][0]
    soft, hard = line.split()[3:5]
    check(soft == hard and (soft == "unlimited" or int(soft) > 1024), "limit %r" % line.strip())

run()
