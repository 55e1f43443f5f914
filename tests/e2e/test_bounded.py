#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The policy engine without bpf_loop() (Linux 5.10 to 5.16): the bounded
build of the generic programs, which the agent loads where the kernel lacks
the helper. Here it runs on every kernel: where bpf_loop() is there, the
agent is told to load the bounded build anyway (HORNET_BOUNDED_LOOPS=1),
so the host checks the same programs the 5.10 VM runs by itself (the 6.1
VM, the longest lane of `make test`, only the tests that need its kprobes or
BPF LSM). Each test watches opens under a directory of its own, with a copy
of cat(1) of its own, and selects its events by their paths."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import hornet  # noqa: E402
from hornet import (HORNET, ROOT, Agent, check, check_cel_lseek, check_iov_iter_sendmsg,  # noqa: E402
                    features, opens_by_path, policy_doc, run, skip, test, wait_opens)
from enforcer import check_notify_kills  # noqa: E402
from shadow import check_shadow_and_promote  # noqa: E402

CAT = os.path.realpath("/bin/cat")

# the policy tests of other programs skip on these kernels (each load takes
# minutes under QEMU's emulation there); these are the engine's own
hornet.policies_on_every_kernel()
NATIVE = not features().get("bpf_loop", True)
if not NATIVE:
    os.environ["HORNET_BOUNDED_LOOPS"] = "1"

OPENS = """apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: %(name)s
spec:
  kprobes:
  - call: sys_openat
    syscall: true
%(ret)s    args:
    - index: 0
      type: int
    - index: 1
      type: string
%(retarg)s    selectors:
%(selectors)s"""


def opens_policy(name, selectors, ret=False):
    return OPENS % {"name": name, "selectors": selectors,
                    "ret": "    return: true\n" if ret else "",
                    "retarg": "    returnArg:\n      index: 0\n      type: int\n" if ret else ""}


def workdir():
    d = tempfile.mkdtemp(prefix="hornet-bounded-", dir="/var/tmp")
    cat = os.path.join(d, "cat")
    shutil.copy(CAT, cat)
    return d, cat


def files(d, *names):
    for n in names:
        with open(os.path.join(d, n), "w") as f:
            f.write("x\n")


def bounded_agent(needs_this_kernel=False):
    """An agent for one test. Forced where bpf_loop() is there, a test whose hooks
    the host has too runs there only: 5.10 runs it natively, and in the 6.1 VM it
    would lengthen the longest lane of `make test`; @needs_this_kernel: it needs
    kprobes or BPF LSM, which the host lacks."""
    if not NATIVE and features().get("kprobe") and not needs_this_kernel:
        skip("the host runs it on the forced bounded build, 5.10 natively")
    return Agent("--log-level", "debug")


@test("bounded_engine_prefix_postfix_binaries_and_sigkill")
def _():
    """Prefix, Postfix (reversed without bpf_loop), Equal with matchBinaries and a
    Sigkill, in one policy: each selector reports its own opens and no other,
    and the kill hits the test's own binary only."""
    d, cat = workdir()
    try:
        tag = os.path.basename(d)
        files(d, "pre-a", "other", "x.%s-post" % tag, "kill-me")
        sels = """    - matchArgs:
      - index: 1
        operator: Prefix
        values: ["%(d)s/pre-"]
    - matchArgs:
      - index: 1
        operator: Postfix
        values: [".%(tag)s-post"]
    - matchArgs:
      - index: 1
        operator: Equal
        values: ["%(d)s/kill-me"]
      matchBinaries:
      - operator: In
        values: ["%(cat)s"]
      matchActions:
      - action: Sigkill
""" % {"d": d, "tag": tag, "cat": cat}
        a = bounded_agent()
        t0 = time.monotonic()
        a.add_policy(opens_policy("bounded-sel", sels))
        print("  the policy loaded in %.1f s" % (time.monotonic() - t0))
        for n in ("pre-a", "other", "x.%s-post" % tag):
            r = subprocess.run([cat, os.path.join(d, n)], capture_output=True, timeout=30)
            check(r.returncode == 0, "cat %s: %d" % (n, r.returncode))
        # the system's cat is not the selector's binary: not killed
        r = subprocess.run([CAT, os.path.join(d, "kill-me")], capture_output=True, timeout=30)
        check(r.returncode == 0, "%s killed: matchBinaries did not hold" % CAT)
        r = subprocess.run([cat, os.path.join(d, "kill-me")], capture_output=True, timeout=30)
        check(r.returncode == -9, "the policy's binary was not killed: %d" % r.returncode)
        want = {os.path.join(d, n) for n in ("pre-a", "x.%s-post" % tag, "kill-me")}
        got = {p for p in wait_opens(a, "bounded-sel", want, timeout=20) if p and p.startswith(d + "/")}
        check(got == want, "reported %r, want %r" % (sorted(got), sorted(want)))
        kills = [b for b in opens_by_path(a, "bounded-sel")[os.path.join(d, "kill-me")]
                 if b["process"]["binary"] == cat]
        check(len(kills) == 1 and kills[0].get("action") == "KPROBE_ACTION_SIGKILL",
              "kill events %r" % kills)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("bounded_engine_return_values_and_return_actions")
def _():
    """return: true with matchReturnArgs and matchReturnActions: a failed open under
    the directory kills the caller, a successful one does not, and the event
    carries the return value."""
    d, cat = workdir()
    try:
        files(d, "here")
        sels = """    - matchArgs:
      - index: 1
        operator: Prefix
        values: ["%s/"]
      matchReturnArgs:
      - index: 0
        operator: LT
        values: [0]
      matchReturnActions:
      - action: Sigkill
""" % d
        a = bounded_agent()
        a.add_policy(opens_policy("bounded-ret", sels, ret=True))
        r = subprocess.run([cat, os.path.join(d, "here")], capture_output=True, timeout=30)
        check(r.returncode == 0, "a successful open was acted on: %d" % r.returncode)
        r = subprocess.run([cat, os.path.join(d, "missing")], capture_output=True, timeout=30)
        check(r.returncode == -9, "the failed open's caller was not killed: %d" % r.returncode)
        got = wait_opens(a, "bounded-ret", [os.path.join(d, "missing")], timeout=20)
        evs = got.get(os.path.join(d, "missing"), [])
        check(evs and evs[0].get("return", {}).get("int_arg") == -2,
              "return of the failed open: %r" % [e.get("return") for e in evs])
        check(os.path.join(d, "here") not in got, "the successful open was reported")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("bounded_engine_runs_celexpr")
def _():
    """CelExpr's evaluator, a loop of its own, on the bounded engine."""
    check_cel_lseek(bounded_agent(), "bounded-cel")


@test("bounded_engine_reads_iov_iter", needs=("kprobe",))
def _():
    """An iov_iter argument, whose layout changed in 5.14 (kind and direction
    apart) and 6.0 (ITER_UBUF): the bytes of a sendmsg() of two buffers and of
    a send() of one."""
    check_iov_iter_sendmsg(bounded_agent(True), "bounded-iov-iter")


@test("bounded_engine_notify_enforcer_kills_at_the_listed_call")
def _():
    """NotifyEnforcer's notification from the bounded engine, and the policy's
    enforcer acting on it at the thread's next dup()."""
    check_notify_kills(bounded_agent(), "bounded-enforcer")


@test("bounded_engine_shadow_reports_differences_and_is_promoted")
def _():
    """A shadow's selectors decide without acting, its differences are compared
    and posted after the walk, and promote puts it in the policy's place."""
    check_shadow_and_promote(bounded_agent())


@test("bounded_engine_override_denies_the_open", needs=("lsm",))
def _():
    """Override on the BPF LSM hook file_open: the open of one file fails with
    EPERM, and the file next to it opens."""
    d, cat = workdir()
    try:
        files(d, "denied", "allowed")
        a = bounded_agent(True)
        a.add_policy(policy_doc("deny-open-lsm", path=os.path.join(d, "denied")))
        r = subprocess.run([cat, os.path.join(d, "denied")], capture_output=True, timeout=30)
        check(r.returncode == 1 and b"Operation not permitted" in r.stderr,
              "the open was not denied: %d %r" % (r.returncode, r.stderr))
        r = subprocess.run([cat, os.path.join(d, "allowed")], capture_output=True, timeout=30)
        check(r.returncode == 0, "the other file did not open: %r" % r.stderr)
        check(a.policies()["deny-open"]["stats"]["actions_taken"] >= 1, "no action counted")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test("bounded_engine_loads_the_default_pack")
def _():
    """The default pack on the bounded engine: every policy loads, but for a hook
    the kernel does not have, which is said."""
    if not NATIVE and features().get("kprobe"):
        skip("the pack's bounded build is loaded natively on 5.10 and forced on the host; "
             "forced here it would lengthen the longest lane")
    t0 = time.monotonic()
    a = Agent("--policy-dir", os.path.join(ROOT, "policies"), ready_timeout=900)
    took = time.monotonic() - t0
    pols = a.policies()
    bad = {n: p.get("error", "") for n, p in pols.items() if p.get("state") != "enabled"}
    allowed = {n: e for n, e in bad.items() if "on this kernel" in e and "no tracepoint" in e}
    check(len(pols) >= 10 and bad == allowed, "policies not loaded: %r" % bad)
    print("  %d policies, %d refused for a missing hook, ready in %.1f s"
          % (len(pols), len(allowed), took))


@test("without_bpf_loop_substring_is_refused_and_probe_says_what_changes")
def _():
    """Where the kernel lacks bpf_loop(), what the bounded engine cannot run is
    refused with its reason, and `hornet probe` says what changes."""
    if not NATIVE:
        skip("this kernel has bpf_loop(): SubString runs here (test_selectors.py)")
    sels = """    - matchArgs:
      - index: 1
        operator: SubString
        values: ["hornet-bounded"]
"""
    a = bounded_agent()
    r = a.policy("add", "-", text=opens_policy("bounded-substr", sels), check_ok=False)
    err = r.stderr.decode()
    check(r.returncode != 0 and "SubString and SubStringIgnCase need bpf_loop()" in err and
          "spec.kprobes[0]" in err, "policy add: %d %s" % (r.returncode, err))
    probe = subprocess.run([HORNET, "probe"], capture_output=True, timeout=60).stdout.decode()
    check("policies run bounded loops" in probe, "hornet probe: %s" % probe)


if __name__ == "__main__":
    run()
