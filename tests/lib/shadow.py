# SPDX-License-Identifier: GPL-2.0
"""Shadow policies' common part (tests/e2e/test_shadow.py, and test_bounded.py on
kernels without bpf_loop()): a policy that reports opens, a shadow that would kill
more, the differences it reports, and its promotion. Each run opens files of a
directory of its own, from a process of its own."""
import os
import shutil
import signal
import subprocess
import tempfile

from hornet import check, policy_doc, wait_stats

PYTHON = os.path.realpath("/usr/bin/python3")

# Opens each file of argv[1:] after a line on stdin, printing its name once open.
OPENER = r'''
import sys
sys.stdin.readline()
for path in sys.argv[1:]:
    try:
        open(path).close()
    except OSError:
        pass
    print(path, flush=True)
print("done", flush=True)
'''

KILL = """      matchActions:
      - action: Sigkill
"""


def openat_policy(name, values, actions=""):
    return policy_doc("openat", name=name, operator="Prefix", extra="", actions=actions,
                      values="".join("\n        - \"%s\"" % v for v in values))


def tmpdir():
    d = tempfile.mkdtemp(prefix="hornet-shadow-", dir="/var/tmp")
    os.chmod(d, 0o755)
    return d


def bodies(a, pid, policy=None):
    out = []
    for ev in a.events():
        body = ev.get("process_kprobe")
        if body and body["process"]["pid"] == pid and \
                (policy is None or body.get("policy_name") == policy):
            out.append(body)
    return out


def path_of(body):
    return body["args"][1]["string_arg"]


def open_files(paths):
    """Runs the opener over @paths; returns its pid, wait status and output."""
    p = subprocess.Popen([PYTHON, "-c", OPENER] + paths, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    out, _ = p.communicate(b"go\n", timeout=60)
    return p.pid, p.returncode, out.decode()


def check_shadow_and_promote(a):
    """On agent @a: `guard` reports opens of two files, its shadow would kill at two (one of
    them the same); the shadow acts on nothing and reports each difference; promoted, it
    kills."""
    d = tmpdir()
    try:
        f = {k: os.path.join(d, k) for k in ("both", "new", "none", "old")}
        for path in f.values():
            open(path, "w").close()
        a.add_policy(openat_policy("guard", [f["both"], f["old"]]))
        r = a.policy("add", "--shadow-of", "guard", "-",
                     text=openat_policy("guard", [f["both"], f["new"]], KILL))
        check(b"'guard.shadow' added, shadowing 'guard'" in r.stdout, "add said %r" % r.stdout)
        pols = a.policies()
        check(pols["guard.shadow"].get("shadow_of") == "guard" and
              pols["guard.shadow"]["state"] == "enabled" and
              pols["guard"].get("shadow") == "guard.shadow", "listed as %r" % pols)

        pid, status, out = open_files([f["both"], f["new"], f["none"], f["old"]])
        check(status == 0 and out.endswith("done\n"),
              "the shadow acted: wait status %r, output %r" % (status, out))
        a.settle()
        # the policy running posts as before
        cur = bodies(a, pid, "guard")
        check(sorted(path_of(b) for b in cur) == [f["both"], f["old"]] and
              all("shadow" not in b and b["action"] == "KPROBE_ACTION_POST" for b in cur),
              "the policy's own events: %r" % cur)
        # the shadow: one event per call decided otherwise, none for "none"
        shd = {path_of(b): b for b in bodies(a, pid, "guard.shadow")}
        check(sorted(shd) == [f["both"], f["new"], f["old"]], "shadow events for %r" % list(shd))
        want = {f["both"]: ("KPROBE_ACTION_SIGKILL", "KPROBE_ACTION_POST"),
                f["new"]: ("KPROBE_ACTION_SIGKILL", "none"),
                f["old"]: ("none", "KPROBE_ACTION_POST")}
        for path, (action, current) in want.items():
            b = shd[path]
            check(b.get("policy_mode") == "shadow" and
                  b["shadow"] == {"of": "guard", "action": action, "current_action": current},
                  "shadow event of %s: %r" % (path, b))
            check(b.get("action") == (None if action == "none" else action),
                  "top-level action of %s: %r" % (path, b.get("action")))
        st = wait_stats(a, "guard.shadow",
                        lambda s: sum(s.get("shadow_differences", {}).values()) >= 3)
        check(st["shadow_differences"] == {"shadow_only": 1, "current_only": 1, "changed": 1} and
              st["actions_taken"] == 0, "shadow stats %r" % st)
        listed = a.policy("list").stdout.decode()
        check("shadow of guard, acting on nothing: decided otherwise on 3 calls (1 only it "
              "matched, 1 only guard matched, 1 both with other actions)" in listed, listed)
        # the differences are the shadow's events, not the policy's
        check(a.policies()["guard"]["stats"]["events_posted"] == 2 and
              st["events_posted"] == 3, "events_posted: %r, %r" %
              (a.policies()["guard"]["stats"], st))

        a.policy("promote", "guard.shadow")
        pols = a.policies()
        check("guard.shadow" not in pols and "shadow" not in pols["guard"] and
              pols["guard"]["state"] == "enabled", "after promote: %r" % pols)
        pid, status, out = open_files([f["none"], f["old"], f["new"], f["both"]])
        check(status == -signal.SIGKILL and f["old"] in out and f["new"] not in out,
              "the promoted version did not kill at %s: %r %r" % (f["new"], status, out))
        ev = a.wait_for(lambda e: e.get("process_kprobe", {}).get("process", {}).get("pid") == pid
                        and e["process_kprobe"].get("policy_name") == "guard",
                        what="the promoted policy's event")["process_kprobe"]
        check(path_of(ev) == f["new"] and ev["action"] == "KPROBE_ACTION_SIGKILL" and
              "shadow" not in ev, "event %r" % ev)
    finally:
        for name in ("guard.shadow", "guard"):
            a.policy("delete", name, check_ok=False)
        shutil.rmtree(d)
