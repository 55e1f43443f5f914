#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""spec.enforcers and NotifyEnforcer, Tetragon's two-step enforcement, end to end.

A selector of the policy leaves a notification for the thread; the policy's
enforcer, attached to the syscalls that spec.enforcers lists, acts on it at the
thread's next such call: the signal (argSig) on every kernel, the error
(argError) where a kprobe may override the syscall (no kernel of this test
matrix lets it: Debian's cloud kernels leave function error injection out, and
the host has no kprobes; the refusal and its reason are checked there).

The policy and its processes are tests/lib/enforcer.py's.
"""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (HORNET, Agent, check, hornet_progs, program_needs, run, test,  # noqa: E402
                    wait_stats)
from enforcer import PYTHON, Work, check_notify_kills, go, policy  # noqa: E402

program_needs("bpf_loop")


@test("notify_enforcer_kills_at_the_listed_syscall_and_spares_others")
def _():
    a = Agent.shared()
    check_notify_kills(a, "enforcer-kill")
    listed = a.policy("list").stdout.decode()
    check("enforcer dup: tracepoint syscalls/sys_enter_dup, syscalls/sys_exit_dup" in listed,
          "policy list without the enforcer's points: %s" % listed)
    st = wait_stats(a, "enforcer-kill", lambda s: s.get("enforcer_actions", 0) >= 1)
    check(st["enforcer_actions"] >= 1 and st["actions_taken"] >= 1, "stats %r" % st)
    a.policy("delete", "enforcer-kill")
    left = hornet_progs(prefix="hornet_enf")
    check(not left, "enforcer programs left after the policy's delete: %r" % left)


@test("notify_enforcer_waits_for_the_next_listed_call_and_cleanup_drops_it")
def _():
    w = Work()
    try:
        a = Agent.shared()
        # notified at getppid, which the enforcer does not list: it acts at the next dup
        late = w.start(w.python, "getppid", "getppid", "dup", "getppid")
        # notified at getppid, the notification dropped at getpid: dup is let through
        cleaned = w.start(w.python, "getppid", "getpid", "dup")
        a.add_policy(policy("enforcer-late", w.python, notify_on='"sys_getppid"'))
        status, out = go(late)
        check(status == -signal.SIGKILL, "wait status %r, not SIGKILL: %r" % (status, out))
        check(out.count("getppid") == 2 and "dup=" not in out,
              "not killed at the dup() after the notification: %r" % out)
        cstatus, cout = go(cleaned)
        check(cstatus == 0 and "dup=" in cout and "done" in cout,
              "CleanupEnforcerNotification did not drop the notification: %r %r"
              % (cstatus, cout))
        st = wait_stats(a, "enforcer-late", lambda s: s.get("enforcer_missed_no_action", 0) >= 1
                        and s.get("enforcer_missed_overwritten", 0) >= 1)
        # late: the second getppid replaced the first's notification; cleaned: one dropped
        check(st["enforcer_actions"] >= 1 and st["enforcer_missed_overwritten"] >= 1 and
              st["enforcer_missed_no_action"] >= 1, "stats %r" % st)
    finally:
        w.close()


@test("notify_enforcer_arg_error_runs_only_where_a_syscall_can_be_overridden")
def _():
    w = Work()
    try:
        a = Agent.shared()
        text = policy("enforcer-error", w.python, args="        argError: -1\n")
        r = subprocess.run([HORNET, "policy", "check", "-"], input=text.encode(),
                           capture_output=True, timeout=60)
        said = (r.stdout + r.stderr).decode()
        if r.returncode != 0:
            # every kernel of the matrix: no bpf_override_return() on syscalls
            check("spec.enforcers[0].calls[0]: NotifyEnforcer's argError needs "
                  "bpf_override_return() on '" in said and "use argSig alone" in said,
                  "policy check: %s" % said)
            r = a.policy("add", "-", text=text, check_ok=False)
            check(r.returncode != 0 and b"argError needs bpf_override_return()" in r.stderr,
                  "the agent took it: %r" % r.stderr)
            check("enforcer-error" not in a.policies() or
                  a.policies()["enforcer-error"]["state"] != "enabled", "loaded anyway")
            control = w.start(PYTHON, "dup")
            status, out = go(control)
            check(status == 0 and "done" in out, "the agent broke after the refusal: %r" % out)
            return
        # a kernel with error injection: dup() fails with EPERM and the process lives
        check("kprobe+override" in said, "policy check: %s" % said)
        p = w.start(w.python, "dup")
        a.add_policy(text)
        status, out = go(p)
        check(status == 0 and "dup=-1 errno=1" in out, "dup() was not overridden: %r" % out)
    finally:
        w.close()


@test("enforcers_with_bad_calls_are_refused_with_where_and_why")
def _():
    a = Agent.shared()
    base = policy("enforcer-bad", "/nonexistent/python3")
    cases = [
        (base.replace('    - "list:dups"\n', '    - "sys_no_such_call"\n'),
         "spec.enforcers[0].calls[0]: 'sys_no_such_call' is not a syscall of this kernel"),
        (base.replace('    - "list:dups"\n', '    - "list:nodups"\n'),
         "list 'nodups' is not in spec.lists"),
        (base.replace('  enforcers:\n  - calls:\n    - "list:dups"\n',
                      '  enforcers:\n  - calls: ["sys_dup"]\n  - calls: ["sys_dup2"]\n'),
         "more than one enforcer (Tetragon takes one)"),
        (base.replace('        argSig: 9\n', ''),
         "action NotifyEnforcer needs argSig, argError or both"),
    ]
    for text, want in cases:
        r = a.policy("add", "-", text=text, check_ok=False)
        said = r.stderr.decode()
        check(r.returncode != 0 and want in said, "want %r, got %r" % (want, said))
    check(a.proc.poll() is None, "the agent ended on a refused policy")
    left = hornet_progs(prefix="hornet_enf")
    check(not left, "enforcer programs left after refused policies: %r" % left)


if __name__ == "__main__":
    run()
