#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tetragon's example TracingPolicies (../shared/compat/tetragon-examples)
through scripts/compat.py with --load: every file must parse, every refusal
must say precisely why, every policy that plans for this kernel must load in
the agent, and some must load at all."""
import importlib.util
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import (BUILD, HORNET, ROOT, Fail, check, features, hornet_progs, run,  # noqa: E402
                    skip, test)
import hornet  # noqa: E402

# the corpus is measured on every kernel, the bounded engine's included (5.10:
# 95 s under QEMU's emulation, most of it verifying)
hornet.policies_on_every_kernel()

CORPUS = os.path.join(ROOT, "..", "shared", "compat", "tetragon-examples")
COMPAT = os.path.join(ROOT, "scripts", "compat.py")

# policies whose only hooks are syscalls (kprobes with syscall: true, run
# through the syscall tracepoints where there are no kprobes) or syscall
# tracepoints: they load on any kernel with tracefs, this machine's included
SYSCALL_ONLY = ["tracingpolicy/sys_setuid.yaml", "tracingpolicy/sys_mount.yaml",
                "tracingpolicy/raw_syscalls.yaml", "tracingpolicy/openat_write.yaml",
                "tracingpolicy/symlink-observe.yaml", "tracingpolicy/hardlink-observe.yaml"]


def compat_module():
    if not os.path.exists(COMPAT):
        raise Fail("%s is missing: the test drives scripts/compat.py (in the VM, scripts/vmtest.sh "
                   "must copy it next to tests/)" % COMPAT)
    sys.dont_write_bytecode = True  # no __pycache__ in scripts/
    spec = importlib.util.spec_from_file_location("compat", COMPAT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def out(line):
    print("    " + line, flush=True)


@test("compat_corpus")
def _():
    if not os.path.isdir(CORPUS):
        skip("../shared/compat not found")
    compat = compat_module()
    t0 = time.monotonic()
    results = compat.measure(HORNET, os.path.abspath(CORPUS), load=True)
    took = time.monotonic() - t0
    for line in compat.table(results):
        out(line)
    out(compat.summary(results))
    load_time = sum(r.get("load_seconds", 0) for r in results)
    out("compat: %.1f s in all, %.1f s adding policies to the agent" % (took, load_time))
    tag = os.environ.get("HORNET_KERNEL_TAG", "host")
    compat.write_json(os.path.join(BUILD, "compat-%s.json" % tag), results)

    bad = compat.problems(results)
    by_file = {r["file"]: r for r in results}
    c = compat.counts(results)
    # not a pass by refusing everything: some policies load here, the
    # syscall-only ones on every kernel, most of them where kprobes or fentry exist
    if c["loaded"] == 0:
        bad.append("no policy of the corpus loaded: %s" % compat.summary(results))
    for f in SYSCALL_ONLY:
        r = by_file.get(f)
        if r and not r["loaded"]:
            bad.append("%s uses syscalls only but did not load: %s" % (f, r["reason"]))
    if (features().get("kprobe") or features().get("fentry")) and 2 * c["loaded"] <= c["files"]:
        bad.append("only %d of %d policies loaded on a kernel with kprobes or fentry" %
                   (c["loaded"], c["files"]))
    left = hornet_progs()
    if left:
        bad.append("hornet programs left after the agent stopped: %r" % left)
    for p in bad:
        out("problem: " + p)
    check(c["files"] > 0, "no policy files under %s" % CORPUS)
    check(not bad, "%d problem%s: %s" % (len(bad), "" if len(bad) == 1 else "s", "; ".join(bad)))

run()
