#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""`hornet policy check --btf`: plan policies for another kernel from its BTF
alone, loading nothing.

On the kernels of the VM matrix (Debian's 6.1 and 5.10) the plan made from the
kernel's own BTF, as if it were another machine's, must say what the plan made
by probing the running kernel says, for every policy of Tetragon's corpus: the
same verdict and, where it runs, the same mechanism for each hook. On the host,
whose kernel refuses BPF trampolines for a reason BTF does not show, the tests
check the command itself: a directory of BTF files, files that are not BTF, the
exit status."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import hornet  # noqa: E402
from hornet import HORNET, ROOT, check, features, policy_doc, run, skip, test  # noqa: E402

# nothing here loads a program: every kernel, the bounded engine's included
hornet.policies_on_every_kernel()

CORPUS = os.path.join(ROOT, "..", "shared", "compat", "tetragon-examples")
VMLINUX = "/sys/kernel/btf/vmlinux"
LINE = re.compile(r"^ *(\S+): (?:policy '[^']*': )?(ok \(.*\)|cannot run on this kernel: .*|"
                  r"refused: .*|invalid: .*)$")


def corpus():
    if not os.path.isdir(CORPUS):
        skip("../shared/compat not found")
    out = []
    for d, _, files in os.walk(CORPUS):
        out += [os.path.join(d, f) for f in files if f.endswith((".yaml", ".yml"))]
    return sorted(out)


def check_run(*args):
    r = subprocess.run([HORNET, "policy", "check"] + list(args), capture_output=True,
                       timeout=900)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def verdicts(text):
    """{file: (verdict, line)} of `policy check` lines; a verdict 'ok (...)' keeps
    its hooks; a refusal's words may differ (a probe's error, or what BTF lacks)."""
    out = {}
    for ln in text.splitlines():
        m = LINE.match(ln)
        if m:
            v = m.group(2)
            out[m.group(1)] = (v.split(";")[0] if v.startswith("ok") else "refused", v)
    return out


def hooks(verdict):
    """{target: mechanism} of an 'ok (N hooks: MECH TARGET, ...' verdict."""
    body = verdict.split(": ", 1)[1] if ": " in verdict else ""
    return dict(reversed(h.strip().split(" ", 1)) for h in body.split(",") if " " in h.strip())


def assumption(probed, from_btf, with_config):
    """Why @probed and @from_btf ((verdict, line) each) may differ: what the check
    says BTF cannot show, and assumes; None for a difference it must not have."""
    if probed[0] == "refused" and "not in available_filter_functions" in probed[1]:
        return "available_filter_functions is not in BTF: fentry assumed on every function"
    if from_btf[0] == "refused" and "(generated_ftrace) needs available_filter_functions" \
            in from_btf[1]:
        return "a generated_ftrace list needs available_filter_functions"
    if probed[0].startswith("ok") and from_btf[0].startswith("ok"):
        # a generated_syscalls list: each syscall's mechanism the same, a few names apart
        a, b = hooks(probed[0]), hooks(from_btf[0])
        apart = set(a) ^ set(b)
        if all("_sys_" in h for h in list(a) + list(b)) and len(apart) * 10 <= len(a) and \
                all(a[h] == b[h] for h in set(a) & set(b)):
            return ("a generated_syscalls list: the syscall table is not in BTF, hornet's "
                    "names stand in (%s)" % ", ".join(sorted(apart)))
    if ": lsm " in from_btf[0] and not features().get("lsm") and not with_config:
        return "BPF LSM built in but not enabled at boot: assumed enabled"
    return None


@test("btf_plan_of_this_kernel_matches_the_probed_plan")
def _():
    if features().get("kprobe") is False and features().get("fentry") is False:
        skip("the host refuses BPF trampolines and has no kprobes, which its BTF does not "
             "show: the VMs' kernels (6.1, 5.10) are compared")
    files = corpus()
    rc1, probed, err1 = check_run(*files)
    # the kernel's BTF and, when the VM has it (scripts/vmtest.sh), its configuration,
    # as a user would copy them from another machine
    release = os.uname().release
    d = tempfile.mkdtemp(prefix="hornet-btf-")
    try:
        shutil.copy(VMLINUX, os.path.join(d, "vmlinux-" + release))
        config = "/boot/config-" + release
        if os.path.exists(config):
            shutil.copy(config, d)
        rc2, from_btf, err2 = check_run("--btf", d, *files)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    with_config = os.path.exists(config)
    check(from_btf.startswith("kernel %s/vmlinux-%s%s (" % (
        d, release, " with %s/config-%s" % (d, release) if with_config else "")),
        "header: %r" % from_btf[:300])
    a, b = verdicts(probed), verdicts(from_btf)
    check(len(a) == len(files) and len(b) == len(files),
          "%d and %d verdicts for %d files: %s %s" % (len(a), len(b), len(files), err1[-300:],
                                                      err2[-300:]))
    diff, assumed = [], []
    for f in files:
        if a[f][0] == b[f][0]:
            continue
        why = assumption(a[f], b[f], with_config)
        line = "%s:\n    probed:   %s\n    from BTF: %s" % (os.path.relpath(f, CORPUS),
                                                         a[f][1][:300], b[f][1][:300])
        (assumed if why else diff).append(line + ("\n    (%s)" % why if why else ""))
    ok = sum(1 for v in a.values() if v[0].startswith("ok"))
    check(not diff, "%d of %d files differ:\n%s" % (len(diff), len(files), "\n".join(diff[:8])))
    for line in assumed:
        print("    " + line.replace("\n", "\n    "))
    return ("%d files%s: the same verdicts and mechanisms (%d run here) but %d where the "
            "kernel differs from what BTF cannot show, as the check says it assumes"
            % (len(files), " (with the kernel's configuration)" if with_config else "", ok,
               len(assumed)))


@test("btf_check_takes_a_directory_names_each_kernel_and_refuses_what_is_not_btf")
def _():
    if not os.path.exists(VMLINUX):
        skip("this kernel has no BTF")
    d = tempfile.mkdtemp(prefix="hornet-btf-")
    try:
        shutil.copy(VMLINUX, os.path.join(d, "a-this-kernel"))
        with open(os.path.join(d, "b-not-btf"), "w") as f:
            f.write("hello\n")
        with open(os.path.join(d, ".hidden"), "w") as f:
            f.write("ignored\n")
        pol = os.path.join(d, "p.yaml")
        with open(pol, "w") as f:
            f.write(policy_doc("lseek-cel", name="btf-check"))
        # the policy file lies beside the BTF files: it is read as a kernel too, and refused
        rc, out, err = check_run("--btf", d, pol)
        lines = out.splitlines()
        check(rc == 1, "exit %d with files that are not BTF: %s" % (rc, out + err))
        check(lines[0].startswith("kernel %s/a-this-kernel (not in BTF, assumed: " % d) and
              lines[1].startswith("  %s: policy 'btf-check': " % pol),
              "output: %s" % out)
        check("kernel %s/b-not-btf: '%s/b-not-btf': not a kernel's BTF (" % (d, d) in out,
              "no word on the file that is not BTF: %s" % out)
        check(".hidden" not in out, "a dot file was read: %s" % out)
        rc, out, err = check_run("--btf", os.path.join(d, "a-this-kernel"), pol)
        check(rc == 0, "exit %d for one good kernel: %s" % (rc, out + err))
        rc, out, err = check_run("--btf", os.path.join(d, "missing"), pol)
        check(rc == 1 and "kernel %s/missing: '%s/missing': not a kernel's BTF (No such file "
              "or directory)" % (d, d) in out, "missing file: %d %s" % (rc, out + err))
        r = subprocess.run([HORNET, "policy", "list", "--btf", d], capture_output=True,
                           timeout=60)
        check(r.returncode == 2 and b"--btf is for 'check'" in r.stderr,
              "--btf with list: %d %r" % (r.returncode, r.stderr))
        check(not [n for n in os.listdir("/tmp") if n.startswith("hornet-btf-kernel-")],
              "temporary directories left in /tmp")
    finally:
        shutil.rmtree(d, ignore_errors=True)


run()
