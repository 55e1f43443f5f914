#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tests `hornet probe`: every feature is reported, each answer agrees with
independent evidence from the kernel (PMUs in sysfs, tracefs events, a ring
buffer map made here with the bpf() syscall, bpftool's own feature probes),
and nothing the probe loads, attaches or creates is left behind.

Prints one line per check: "PASS name", "FAIL name: why" or "SKIP name: why".
Exits 1 if a check failed. The binary is build/hornet of the repository, or
$HORNET_BIN; it is run as `$HORNET_BIN probe ...`.
"""

import ctypes
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HORNET = os.environ.get("HORNET_BIN") or os.path.join(REPO, "build", "hornet")

FEATURES = [
    "tp_btf", "raw_tp", "tracepoint", "kprobe", "kprobe_multi", "fentry", "fmod_ret",
    "lsm", "uprobe", "ringbuf", "send_signal", "cgroup", "bpf_loop", "tracing_cookie",
    "write_user",
]
PROG_PREFIX = "probe_"          # names of the programs in bpf/probe.bpf.c
CGROUP_PREFIX = "hornet-probe."  # the child cgroup the cgroup probe makes
TRACEFS_DIRS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
KPROBE_PMU = "/sys/bus/event_source/devices/kprobe"
UPROBE_PMU = "/sys/bus/event_source/devices/uprobe"
TIMEOUT = 30

failed = False


def report(status, name, why=None):
    global failed
    if status == "FAIL":
        failed = True
    print(f"{status} {name}: {why}" if why else f"{status} {name}", flush=True)


def check(name, ok, why):
    report("PASS" if ok else "FAIL", name, None if ok else why)


def run(args, **kw):
    return subprocess.run([HORNET, "probe"] + args, capture_output=True, text=True,
                          timeout=TIMEOUT, **kw)


def cgroup2_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            if post.split(" ", 1)[0] == "cgroup2":
                return pre.split(" ")[4].encode().decode("unicode_escape")
    return None


def cgroup_dirs(root):
    if not root:
        return set()
    return {d for d in os.listdir(root) if d.startswith(CGROUP_PREFIX)}


def bpftool(*args):
    """bpftool's JSON output, or None when bpftool is missing or fails."""
    tool = shutil.which("bpftool") or shutil.which("bpftool", path="/usr/sbin:/sbin")
    if not tool:
        return None
    res = subprocess.run([tool, "-j"] + list(args), capture_output=True, text=True,
                         timeout=TIMEOUT)
    if res.returncode != 0:
        return None
    return json.loads(res.stdout or "null")


def prog_names():
    progs = bpftool("prog", "show")
    if progs is None:
        return None
    return [p.get("name", "") for p in progs]


def can_create_ringbuf():
    """Creates a BPF ring buffer with the bpf() syscall; None if unknown here."""
    nr = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
    if nr is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    # before 5.11 a map is charged to RLIMIT_MEMLOCK against all that root's processes
    # have locked (the agents of the other lanes too), as the agent itself raises it
    try:
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
    # union bpf_attr for BPF_MAP_CREATE: map_type, key_size, value_size, max_entries
    attr = (ctypes.c_uint32 * 32)()
    attr[0] = 27  # BPF_MAP_TYPE_RINGBUF
    attr[3] = os.sysconf("SC_PAGE_SIZE")
    fd = libc.syscall(nr, 0, ctypes.byref(attr), ctypes.sizeof(attr))
    if fd < 0:
        return False
    os.close(fd)
    return True


def tracefs_file(rel):
    return any(os.path.exists(os.path.join(d, rel)) for d in TRACEFS_DIRS)


def implies(feats, a, b_ok, what):
    if feats[a]:
        return b_ok, f"{a} reported available, but {what}"
    return True, ""


def check_usage():
    res = run(["-o", "xml"])
    check("usage_bad_format", res.returncode == 2 and "-o" in res.stderr,
          f"exit {res.returncode}, stderr {res.stderr.strip()!r}")
    res = run(["-o"])
    check("usage_missing_value", res.returncode == 2 and res.stderr.strip(),
          f"exit {res.returncode}, stderr {res.stderr.strip()!r}")
    res = run(["stray"])
    check("usage_extra_argument", res.returncode == 2 and "stray" in res.stderr,
          f"exit {res.returncode}, stderr {res.stderr.strip()!r}")
    res = run(["--help"])
    ok = res.returncode == 0 and all(s in res.stdout for s in ["-o", "--output", "-h", "json"])
    check("usage_help", ok, f"exit {res.returncode}, help text {res.stdout[:80]!r}...")


def check_not_root():
    def drop():
        os.setgid(65534)
        os.setuid(65534)
    try:
        res = run(["-o", "json"], preexec_fn=drop)
    except PermissionError:
        report("SKIP", "not_root", f"{HORNET} cannot be run by nobody")
        return
    check("not_root", res.returncode == 1 and "root" in res.stderr and not res.stdout,
          f"exit {res.returncode}, stderr {res.stderr.strip()!r}")


def main():
    if os.geteuid() != 0:
        for name in ["run", "features", "evidence", "leftovers"]:
            report("SKIP", name, "needs root (loads and attaches BPF programs)")
        return
    if not os.access(HORNET, os.X_OK):
        report("FAIL", "run", f"{HORNET} is missing; build it with make (or set HORNET_BIN)")
        return

    cg_root = cgroup2_mount()
    kfeat = bpftool("feature", "probe", "kernel")
    progs_before = prog_names()
    cg_before = cgroup_dirs(cg_root)

    res = run(["-o", "json"])
    if res.returncode != 0:
        report("FAIL", "run", f"exit {res.returncode}: {res.stderr.strip()}")
        return
    try:
        out = json.loads(res.stdout)
        feats = {k: v["available"] for k, v in out["features"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        report("FAIL", "run", f"output is not the expected JSON ({e}): {res.stdout[:200]!r}")
        return
    report("PASS", "run")
    check("quiet", res.stderr == "", f"stderr not empty (libbpf log?): {res.stderr[:200]!r}")

    # Leftovers first, right after the run. A tracing program is freed
    # after its trampoline is gone, which the kernel does asynchronously
    # (an RCU tasks grace period: seconds under QEMU's TCG), so a program
    # may outlive the process that loaded it for a while; wait for that.
    left = None
    deadline = time.monotonic() + 30
    while True:
        progs_after = prog_names()
        if progs_before is None or progs_after is None:
            break
        left = [n for n in progs_after if n.startswith(PROG_PREFIX)
                and progs_after.count(n) > progs_before.count(n)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if left is None:
        report("SKIP", "no_programs_left", "bpftool not found or failed")
    else:
        check("no_programs_left", not left, f"still loaded 30 s after exit: {left}")
    if cg_root:
        # named for the pid that made it: one of a process still running is
        # not left over (an agent of a test in the other lane, probing now)
        left = {d for d in cgroup_dirs(cg_root) - cg_before
                if not os.path.exists("/proc/" + d.rsplit(".", 1)[-1])}
        check("no_cgroup_left", not left, f"left in {cg_root}: {sorted(left)}")
    else:
        report("SKIP", "no_cgroup_left", "no cgroup v2 mount")

    # Shape of the answer.
    missing = [f for f in FEATURES if f not in feats]
    extra = [f for f in feats if f not in FEATURES]
    check("all_features", not missing and not extra, f"missing {missing}, unknown {extra}")
    if missing:
        return
    bad = [f for f in FEATURES if not isinstance(feats[f], bool)]
    check("available_is_bool", not bad, f"not a boolean: {bad}")
    bad = [f for f in FEATURES
           if (not feats[f]) != bool(out["features"][f].get("reason"))]
    check("reason_iff_missing", not bad, f"reason wrong for {bad}")
    check("kernel", out.get("kernel") == os.uname().release,
          f"kernel {out.get('kernel')!r}, uname -r {os.uname().release!r}")

    # Independent evidence.
    btf = os.path.exists("/sys/kernel/btf/vmlinux")
    check("tp_btf_iff_btf", feats["tp_btf"] == btf,
          f"tp_btf={feats['tp_btf']} but /sys/kernel/btf/vmlinux exists={btf}")
    pmu = os.path.exists(KPROBE_PMU)
    check("kprobe_iff_pmu", feats["kprobe"] == pmu,
          f"kprobe={feats['kprobe']} but {KPROBE_PMU} exists={pmu}")
    if not pmu:
        reason = out["features"]["kprobe"].get("reason", "")
        check("kprobe_reason", "PMU absent" in reason, f"reason does not say why: {reason!r}")
    pmu = os.path.exists(UPROBE_PMU)
    check("uprobe_iff_pmu", feats["uprobe"] == pmu,
          f"uprobe={feats['uprobe']} but {UPROBE_PMU} exists={pmu}")
    check("tracefs_mounted", tracefs_file("events"),
          "tracefs is not mounted after the probe (it mounts it when missing)")
    event = tracefs_file("events/syscalls/sys_enter_getpid/id")
    check("tracepoint_iff_event", feats["tracepoint"] == event,
          f"tracepoint={feats['tracepoint']} but syscalls:sys_enter_getpid exists={event}")
    if tracefs_file("events/sched/sched_process_exec"):
        check("raw_tp_when_event", feats["raw_tp"],
              "raw_tp unavailable although sched:sched_process_exec exists")
    check("tp_btf_implies_raw_tp", *implies(feats, "tp_btf", feats["raw_tp"], "raw_tp is not"))

    rb = can_create_ringbuf()
    if rb is None:
        report("SKIP", "ringbuf_matches_syscall", f"bpf() number unknown on {platform.machine()}")
    else:
        check("ringbuf_matches_syscall", feats["ringbuf"] == rb,
              f"ringbuf={feats['ringbuf']} but BPF_MAP_CREATE of a ring buffer worked={rb}")

    # fmod_ret and BPF LSM programs run from the same trampolines as fentry.
    check("fmod_ret_implies_fentry", *implies(feats, "fmod_ret", feats["fentry"],
                                               "fentry is not"))
    check("lsm_implies_fentry", *implies(feats, "lsm", feats["fentry"], "fentry is not"))
    try:
        with open("/sys/kernel/security/lsm") as f:
            lsms = f.read().strip().split(",")
        check("lsm_needs_bpf_lsm", *implies(feats, "lsm", "bpf" in lsms,
                                             f"the active LSMs are {lsms}"))
    except OSError:
        report("SKIP", "lsm_needs_bpf_lsm", "securityfs not mounted")
    check("cgroup_iff_cgroup2", feats["cgroup"] == bool(cg_root),
          f"cgroup={feats['cgroup']} but cgroup v2 mount={cg_root}")

    if kfeat is None:
        report("SKIP", "bpftool_agrees", "bpftool feature probe not available")
    else:
        ptypes = kfeat.get("program_types", {})
        helpers = kfeat.get("helpers", {})
        sig = "bpf_send_signal" in helpers.get("tracepoint_available_helpers", [])
        loop = "bpf_loop" in helpers.get("raw_tracepoint_available_helpers", [])
        check("send_signal_matches_bpftool", feats["send_signal"] == sig,
              f"send_signal={feats['send_signal']}, bpftool says {sig}")
        check("bpf_loop_matches_bpftool", feats["bpf_loop"] == loop,
              f"bpf_loop={feats['bpf_loop']}, bpftool says {loop}")
        # bpftool only loads; a feature that attaches needs its program type.
        # Not tp_btf: bpftool loads BPF_PROG_TYPE_TRACING as fentry, and a
        # kernel may refuse trampolines (fentry) but take tp_btf (6.18 here).
        needs = {
            "fentry": "have_tracing_prog_type",
            "fmod_ret": "have_tracing_prog_type", "lsm": "have_lsm_prog_type",
            "raw_tp": "have_raw_tracepoint_prog_type", "tracepoint": "have_tracepoint_prog_type",
            "kprobe": "have_kprobe_prog_type", "kprobe_multi": "have_kprobe_prog_type",
            "uprobe": "have_kprobe_prog_type", "cgroup": "have_cgroup_sock_addr_prog_type",
        }
        bad = [f"{f} (needs {t})" for f, t in needs.items()
               if feats[f] and not ptypes.get(t, False)]
        check("prog_types_match_bpftool", not bad,
              f"available although bpftool cannot load the program type: {bad}")

    # The table shows the same answers.
    # The table shows the same answers, then what hornet does without each missing one.
    res = run([])
    rows, without, section = {}, {}, None
    for line in res.stdout.splitlines():
        if line.startswith("FEATURE"):
            section = "features"
        elif line.startswith("WITHOUT"):
            section = "without"
        cols = line.split(None, 2) if section == "features" else line.split(None, 1)
        if len(cols) >= 2 and cols[0] in FEATURES:
            (rows if section == "features" else without)[cols[0]] = cols[1]
    bad = [f for f in FEATURES if rows.get(f) != ("yes" if feats[f] else "no")]
    check("table", res.returncode == 0 and not bad,
          f"exit {res.returncode}, rows disagree with JSON for {bad}")
    missing = sorted(f for f in FEATURES if not feats[f])
    check("table_says_what_is_lost", sorted(without) == missing and all(without.values()),
          f"'without' rows {sorted(without)}, missing features {missing}")
    with_json = {f: v.get("without") for f, v in out["features"].items() if not v["available"]}
    check("json_says_what_is_lost", all(with_json.values()) and
          all(with_json[f] == without.get(f) for f in with_json),
          f"json 'without' {with_json} against the table {without}")

    check_usage()
    check_not_root()


if __name__ == "__main__":
    main()
    sys.exit(1 if failed else 0)
