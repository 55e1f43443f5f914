#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Selectors decided in the kernel: matchParentBinaries, the SubString
operators, matchData, matchReturnActions and isNamespaceCapability. Each
test watches opens under a directory of its own, so it selects its own
events by their path."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (Agent, check, check_cel_lseek, policy_doc, run, skip, test,  # noqa: E402
                    wait_opens)

CAT = os.path.realpath("/bin/cat")
SH = os.path.realpath("/bin/sh")


def openat_policy(name, op, values, extra=""):
    return policy_doc("openat", name=name, operator=op, extra=extra, actions="",
                      values="".join("\n        - \"%s\"" % v for v in values))


def binaries(key, op, values, follow=False):
    return ("      %s:\n      - operator: \"%s\"\n%s        values:\n%s" %
            (key, op, "        followChildren: true\n" if follow else "",
             "".join("        - \"%s\"\n" % v for v in values)))


def expect(a, policy, d, want):
    """@policy reports, of the opens under @d, those of @want and no other."""
    got = {p for p in wait_opens(a, policy, want) if p and p.startswith(d + "/")}
    check(got == set(want), "%s reported %r, want %r" % (policy, sorted(got), sorted(want)))


def workdir(*names):
    d = tempfile.mkdtemp(prefix="hornet-sel-", dir="/var/tmp")
    os.chmod(d, 0o755)
    for n in names:
        with open(os.path.join(d, n), "w") as f:
            f.write("x\n")
    return d


def tool(name):
    """The real path of the program @name, or a skip of the test."""
    path = shutil.which(name)
    if not path:
        skip("needs %s" % name)
    return os.path.realpath(path)


def cat(*argv):
    subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=10)


@test("substring_operators_match_inside_the_path_in_the_kernel")
def _():
    # a value of 3 words, the last one partial: a near miss (first words equal) before the
    # match at the very end of the path, and a near miss alone
    long, near = "long.pattern.value.xyz", "long.pattern.value.xy_"
    names = ("a-Needle-b", "a-needle-b", "plain", near + long, near)
    d = workdir(*names)
    try:
        a = Agent.shared()
        a.add_policy(openat_policy("sel-sub", "SubString", ["-needle-", "zz-never"]))
        a.add_policy(openat_policy("sel-sub-case", "SubStringIgnCase", ["-NEEDLE-"]))
        a.add_policy(openat_policy("sel-sub-long", "SubString", [long]))
        a.settle()
        for n in names:
            cat(CAT, os.path.join(d, n))
        exact = os.path.join(d, "a-needle-b")
        expect(a, "sel-sub", d, [exact])
        expect(a, "sel-sub-case", d, [exact, os.path.join(d, "a-Needle-b")])
        expect(a, "sel-sub-long", d, [os.path.join(d, near + long)])
    finally:
        shutil.rmtree(d)


@test("parent_binaries_match_the_parents_binary_and_its_descendants")
def _():
    d = workdir("by-sh", "by-python", "by-grandchild")
    # a shell of the test's own: the test itself may run below /bin/sh (make's recipes do),
    # and followChildren would then take every process it starts
    sh = os.path.join(d, "sel-sh")
    shutil.copy(SH, sh)
    os.chmod(sh, 0o755)
    try:
        a = Agent.shared()
        a.add_policy(openat_policy("sel-parent", "Prefix", [d + "/"],
                                   extra=binaries("matchParentBinaries", "In", [sh])))
        a.add_policy(openat_policy("sel-parent-not", "Prefix", [d + "/"],
                                   extra=binaries("matchParentBinaries", "NotIn", [sh])))
        a.add_policy(openat_policy("sel-parent-follow", "Prefix", [d + "/"],
                                   extra=binaries("matchParentBinaries", "In", [sh],
                                                  follow=True)))
        a.settle()
        by_sh, by_py, by_gc = (os.path.join(d, n) for n in ("by-sh", "by-python", "by-grandchild"))
        # "; true" keeps sh from exec'ing cat in its own place: sh forks, cat is its child
        cat(sh, "-c", "%s %s; true" % (CAT, by_sh))
        cat(CAT, by_py)
        # cat's parent is a python, whose parent is sh
        cat(sh, "-c", "%s -c 'import subprocess; subprocess.run([\"%s\", \"%s\"])'; true" %
            (os.path.realpath(sys.executable), CAT, by_gc))
        expect(a, "sel-parent", d, [by_sh])
        expect(a, "sel-parent-not", d, [by_py, by_gc])
        expect(a, "sel-parent-follow", d, [by_sh, by_gc])
    finally:
        shutil.rmtree(d)


@test("match_data_filters_on_the_data_entries")
def _():
    d = workdir("read")
    try:
        a = Agent.shared()
        a.add_policy(policy_doc("openat-data", dir=d, mask=os.O_CREAT))
        a.settle()
        read, made = os.path.join(d, "read"), os.path.join(d, "made")
        cat(CAT, read)
        with open(made, "w"):
            pass
        expect(a, "sel-data", d, [made])
    finally:
        shutil.rmtree(d)


@test("data_from_the_current_task_filters_on_its_uid")
def _():
    d = workdir("read")
    try:
        a = Agent.shared()
        a.add_policy(policy_doc("openat-task", dir=d, uid=65534))
        a.settle()
        path = os.path.join(d, "read")
        cat(CAT, path)      # as root: not reported
        p = subprocess.run([CAT, path], stdout=subprocess.DEVNULL, timeout=10,
                           preexec_fn=lambda: os.setuid(65534))
        check(p.returncode == 0, "cat as 65534: %d" % p.returncode)
        expect(a, "sel-task", d, [path])
        evs = [ev["process_kprobe"] for ev in a.events() if "process_kprobe" in ev and
               ev["process_kprobe"].get("policy_name") == "sel-task"]
        check(evs and all(e["process"]["uid"] == 65534 for e in evs),
              "events of other uids: %r" % [e["process"].get("uid") for e in evs])
    finally:
        shutil.rmtree(d)


@test("match_return_actions_act_at_the_return")
def _():
    d = workdir("present")
    try:
        a = Agent.shared()
        a.add_policy(policy_doc("openat-return", dir=d))
        a.settle()
        present, missing = os.path.join(d, "present"), os.path.join(d, "missing")
        ok = subprocess.run([CAT, present], stdout=subprocess.DEVNULL, timeout=10)
        killed = subprocess.run([CAT, missing], stderr=subprocess.DEVNULL, timeout=10)
        check(ok.returncode == 0, "cat of an existing file: %d" % ok.returncode)
        check(killed.returncode == -signal.SIGKILL,
              "cat of a missing file: %d, want killed" % killed.returncode)
        expect(a, "sel-return", d, [missing])
    finally:
        shutil.rmtree(d)


@test("is_namespace_capability_matches_outside_the_host_user_namespace_only")
def _():
    unshare = tool("unshare")
    if subprocess.run([unshare, "-U", "-r", "true"], capture_output=True).returncode:
        skip("no user namespaces here")
    d = workdir("host", "userns")
    caps = ("      matchCapabilities:\n      - type: Effective\n        operator: In\n"
            "%s        values: [CAP_DAC_OVERRIDE]\n")
    try:
        a = Agent.shared()
        a.add_policy(openat_policy("sel-ns-cap", "Prefix", [d + "/"],
                                   extra=caps % "        isNamespaceCapability: true\n"))
        a.add_policy(openat_policy("sel-any-cap", "Prefix", [d + "/"], extra=caps % ""))
        a.settle()
        host, userns = os.path.join(d, "host"), os.path.join(d, "userns")
        cat(CAT, host)
        cat(unshare, "-U", "-r", CAT, userns)
        expect(a, "sel-any-cap", d, [host, userns])
        expect(a, "sel-ns-cap", d, [userns])
    finally:
        shutil.rmtree(d)


@test("celexpr_selects_by_an_expression_over_integer_arguments")
def _():
    """Tetragon's CelExpr example, and a second expression beside it: each value is
    an alternative; the calls each holds for are reported, no other."""
    check_cel_lseek(Agent(), "sel-cel")


if __name__ == "__main__":
    run()
