#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Evasion, execution: a payload (a copy of true, or a #!/bin/sh script) run by every road
there is, against two policies loaded together into a real agent: the default pack's
hornet-fileless-exec (policies/fileless-exec.yaml: exec from memory or /dev/shm), and
attack-exec-watch (tests/attack/policies/exec-watch.yaml: matchBinaries on the payload's
path). For each road, three outcomes: does hornet-fileless-exec report it, does the
matchBinaries policy see the payload, and which binary the process_exec event names.

Each road runs in a process of its own (tests/helpers/attack_exec), and its events are
selected by that process's pid and its children's. The outcomes each road should have on a
kernel come from ROADS below, keyed by the mechanism of the syscall hooks there (kprobes on
6.1, the raw syscall tracepoints on 6.18 here); a road whose outcome differs FAILs, so that
docs/security.md never says what is no longer true. Each road runs once for both policies,
whose tests carry their outcome and the exec event's binary: "PASS exec_shm_by_memfd:
reported (the exec event names /memfd:payload (deleted))", "PASS exec_watched_by_memfd:
missed (...)".
Then each road again against attack-exec-kill (the watch's selector with Sigkill): the
payload must be killed exactly where the watch sees it ("PASS exec_killed_by_copy: ran")."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HELPERS, ROOT, Agent, check, exec_dir, features, run, skip, test  # noqa: E402
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

FILELESS_FILE = os.path.join(ROOT, "policies", "fileless-exec.yaml")
FILELESS = "hornet-fileless-exec"
WATCH_FILE = os.path.join(ROOT, "tests", "attack", "policies", "exec-watch.yaml")
WATCH = "attack-exec-watch"
KILL_FILE = os.path.join(ROOT, "tests", "attack", "policies", "exec-kill.yaml")
KILL = "attack-exec-kill"
HELPER = os.path.join(HELPERS, "attack_exec")
TRUE = os.path.realpath("/bin/true")
LD_SO = "/lib64/ld-linux-x86-64.so.2"
SCRIPT = "#!/bin/sh\n:\n"
EVENT_KINDS = ("process_kprobe", "process_tracepoint", "process_lsm", "process_uprobe")

R, M = "reported", "missed"

# What the process_exec event names as the binary, in the terms of the road: "payload" (its
# path), "copy" (the copy's path), "memfd" (/memfd:payload (deleted)), "ld" (the loader),
# "sh" (the shell).
# road: (what it does, {mechanism: (hornet-fileless-exec, attack-exec-watch, what the
# process_exec event names)}, why missed and what would catch it)
ROADS = {
    "execve": ("execve(2) of the payload",
               {"tracepoint": (R, R, "payload"), "kprobe": (R, R, "payload")}, ""),
    "execveat": ("execveat(fd, \"\", AT_EMPTY_PATH) of a descriptor of the payload",
                 {"tracepoint": (R, R, "payload"), "kprobe": (R, R, "payload")}, ""),
    "memfd": ("memfd_create(2), the payload written into it, fexecve(3)",
              {"tracepoint": (R, M, "memfd"), "kprobe": (R, M, "memfd")},
              "watch: the binary is /memfd:payload, not the payload's path (matchBinaries "
              "matches paths, not contents). Would catch: hornet-fileless-exec (reports "
              "every memfd exec); a hash of the binary"),
    "copy": ("the payload copied to another name beside it, execve(2) of the copy",
             {"tracepoint": (R, M, "copy"), "kprobe": (R, M, "copy")},
             "watch: a copy is another file with another path. Would catch: matching on a "
             "hash of the binary, or on the directory (Prefix)"),
    "symlink": ("a symbolic link to the payload, execve(2) of the link",
                {"tracepoint": (R, R, "payload"), "kprobe": (R, R, "payload")}, ""),
    "ld_so": ("the dynamic loader running it: ld-linux-x86-64.so.2 PAYLOAD",
              {"tracepoint": (R, M, "ld"), "kprobe": (R, M, "ld")},
              "watch: the only exec is that of the loader, which then maps the payload "
              "with mmap(2); the payload's path is only in the exec's arguments "
              "(hornet-fileless-exec reports every exec of the loader as a program). Would "
              "catch: matchArgs on the process_exec arguments, or a hook on mmap(PROT_EXEC) "
              "of a file (LSM mmap_file, 6.1)"),
    "shebang": ("a #!/bin/sh script, execve(2) of it",
                {"tracepoint": (R, R, "payload"), "kprobe": (R, R, "payload")},
                "watch: the exec event names the script (bprm->filename, the absolute path "
                "given to execve(2), as Tetragon), not the interpreter it runs; a script "
                "run by a relative path or by execveat(2) of a descriptor is still named by "
                "its interpreter"),
    "sh_script": ("sh SCRIPT",
                  {"tracepoint": (M, M, "sh"), "kprobe": (M, M, "sh")},
                  "the program executed is the shell; the script is a file it reads. "
                  "Would catch: the process_exec event's arguments; a policy on the open of "
                  "files in /dev/shm by shells"),
    "vfork": ("vfork(2), then execve(2) of the payload in the child",
              {"tracepoint": (R, R, "payload"), "kprobe": (R, R, "payload")}, ""),
    "thread": ("execve(2) of the payload from a thread that is not the main one",
               {"tracepoint": (R, R, "payload"), "kprobe": (R, R, "payload")}, ""),
}
# road: (helper road, payload kind: elf or script, the path the helper gets)
HOW = {
    "execve": ("execve", "elf", "payload"),
    "execveat": ("execveat", "elf", "payload"),
    "memfd": ("memfd", "elf", "payload"),
    "copy": ("execve", "elf", "copy"),
    "symlink": ("execve", "elf", "symlink"),
    "ld_so": ("ld_so", "elf", "payload"),
    "shebang": ("execve", "script", "payload"),
    "sh_script": ("sh", "script", "payload"),
    "vfork": ("vfork", "elf", "payload"),
    "thread": ("thread", "elf", "payload"),
}


def mechanism():
    return "kprobe" if features().get("kprobe") else "tracepoint"


def workdir():
    """The directory named in exec-watch.yaml, with a copy of true(1) as its payload."""
    def runs(d):
        # not named payload: attack-exec-kill would kill it
        probe = os.path.join(d, "probe")
        shutil.copy(TRUE, probe)
        if subprocess.run([probe]).returncode != 0:
            return False
        shutil.copy(TRUE, os.path.join(d, "payload"))
        os.unlink(probe)
        return True
    return exec_dir("hornet-attack-exec", runs)


def agent():
    for f in (FILELESS_FILE, WATCH_FILE):
        if not os.path.exists(f):
            skip("%s does not exist" % f)
    check(os.path.exists(HELPER), "%s is missing: make build-tests (or make static)" % HELPER)
    a = Agent.shared("--policy", FILELESS_FILE, "--policy", WATCH_FILE)
    pols = a.policies()
    for name in (FILELESS, WATCH):
        check(pols.get(name) and pols[name]["state"] == "enabled", "%s: %r" % (name, pols))
    return a


def launch(a, road, want_rc=(0,)):
    """Runs the road in a process of its own, after the payload is in place; returns the
    helper's exit status, the events since, the paths of the payload and the pids of the
    road (the helper's, and its children's: vfork)."""
    how, kind, arg = HOW[road]
    d = workdir()
    try:
        payload = os.path.join(d, "payload")
        if kind == "script":
            with open(payload, "w") as f:
                f.write(SCRIPT)
            os.chmod(payload, 0o755)
        paths = {"payload": payload, "copy": os.path.join(d, "innocent"),
                 "symlink": os.path.join(d, "link")}
        if arg == "copy":
            shutil.copy(payload, paths["copy"])
        elif arg == "symlink":
            os.symlink(payload, paths["symlink"])
        if how == "ld_so" and not os.path.exists(LD_SO):
            skip("no %s" % LD_SO)
        a.skip_past()
        p = subprocess.Popen([HELPER, how, paths[arg]], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        out, err = p.communicate(timeout=60)
        said = (out + err).decode(errors="replace").strip()
        if p.returncode == 3:
            skip("the kernel lacks this road: %s" % said)
        check(p.returncode in want_rc, "%s exited with %d: %s" % (road, p.returncode, said))
        a.settle()
        evs = a.events()
        pids = {p.pid} | {e["process_exec"]["process"]["pid"] for e in evs
                          if "process_exec" in e
                          and e["process_exec"].get("parent", {}).get("pid") == p.pid}
        return p.returncode, evs, paths, pids, said
    finally:
        shutil.rmtree(d, ignore_errors=True)


def reported(evs, policy, pids):
    for e in evs:
        for k in EVENT_KINDS:
            b = e.get(k)
            if b and b.get("policy_name") == policy and b["process"]["pid"] in pids:
                return R
    return M


RUNS = {}


def observe(road):
    """Runs the road once against hornet-fileless-exec and attack-exec-watch (the tests of
    both policies share the run): (fileless, watch, what the exec event names, its binary)."""
    if road not in RUNS:
        a = agent()
        _, evs, paths, pids, said = launch(a, road)
        execs = [e["process_exec"]["process"]["binary"] for e in evs if "process_exec" in e
                 and e["process_exec"]["process"]["pid"] in pids
                 and e["process_exec"]["process"]["binary"] != HELPER]
        binary = execs[-1] if execs else "none"
        names = {paths["payload"]: "payload", paths["copy"]: "copy", LD_SO: "ld",
                 os.path.realpath(LD_SO): "ld", "/bin/sh": "sh",
                 os.path.realpath("/bin/sh"): "sh"}
        sym = names.get(binary, "memfd" if binary.startswith("/memfd:") else binary)
        RUNS[road] = (reported(evs, FILELESS, pids), reported(evs, WATCH, pids), sym, binary)
    return RUNS[road]


def attempt(road, which):
    """The outcome of the road for one policy (0: hornet-fileless-exec, 1: the watch),
    checked against ROADS, with what the exec event names: the note of the PASS line."""
    want = ROADS[road][1][mechanism()]
    got = observe(road)
    check(got[which] == want[which], "%s: expected %s, got %s: update docs/security.md "
          "(exec event: %s)" % (road, want[which], got[which], got[3]))
    check(got[2] == want[2], "%s: exec event: expected %s, got %s: update docs/security.md "
          "(%s)" % (road, want[2], got[2], got[3]))
    return "%s (the exec event names %s)" % (got[which], got[3])


def kill_attempt(road):
    """The road against attack-exec-kill (the watch's selector with Sigkill, in an agent of
    its own): the payload is killed exactly where the watch reports it."""
    for f in (KILL_FILE,):
        if not os.path.exists(f):
            skip("%s does not exist" % f)
    want = "killed" if ROADS[road][1][mechanism()][1] == R else "ran"
    a = Agent.shared("--policy", KILL_FILE)
    pol = a.policies().get(KILL)
    check(pol and pol["state"] == "enabled", "%s: %r" % (KILL, pol))
    rc, evs, _, pids, said = launch(a, road, want_rc=(0, -9, 128 + 9))
    got = "killed" if rc in (-9, 128 + 9) else "ran"
    check(got == want, "%s: expected %s, got %s: update docs/security.md (%s)" %
          (road, want, got, said))
    if got == "killed":
        check(reported(evs, KILL, pids) == R, "%s: killed, but no event of %s" % (road, KILL))
    return got


def case(road):
    @test("exec_shm_by_" + road)
    def _():
        return attempt(road, 0)

    @test("exec_watched_by_" + road)
    def _():
        return attempt(road, 1)


def kill_case(road):
    @test("exec_killed_by_" + road)
    def _():
        return kill_attempt(road)


for _road in ROADS:
    case(_road)
# last: the agent that kills stays up to the end of the file
for _road in ROADS:
    kill_case(_road)


if __name__ == "__main__":
    run()
