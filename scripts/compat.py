#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Measures how much of a corpus of Tetragon TracingPolicies hornet takes.

Usage: scripts/compat.py [--hornet PATH] [--corpus DIR] [--json OUT] [--load]
       scripts/compat.py --write-doc FILE RESULTS.json...

Every *.yaml and *.yml file under the corpus (default ../shared/compat/
tetragon-examples next to the repository) goes through `hornet policy check`
(parse, validate, plan for this kernel; no agent needed). With --load, one
real agent is started (root needed) and every policy that planned is added to
it, read back with `hornet policy list -o json` and deleted again.

It prints one row per file:

  parsed     the file could be read as YAML/JSON
  validated  hornet's schema and semantic validation passed
  planned    every hook has a mechanism on this kernel
  loaded     added to the running agent and enabled ("-": not tried)
  reason     the first failure, as hornet words it, on one line

then a summary line. --json writes {"kernel", "files": [{file, parsed,
validated, planned, loaded, reason, ...}]}. Exits 1 when problems() finds
something that is a bug rather than a limit of the kernel (see there).

--write-doc puts the results of earlier runs (the JSON files the e2e test
test_compat writes: build/compat-host.json, build/compat-vm.json,
build/compat-vm510.json) into FILE
as one Markdown table, between its compat-table markers.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_HORNET = os.path.join(ROOT, "build", "hornet")
DEFAULT_CORPUS = os.path.join(ROOT, "..", "shared", "compat", "tetragon-examples")

# `hornet policy check` messages that mean the file was not readable as
# YAML/JSON text at all, as opposed to a policy that failed validation
UNREADABLE = re.compile(r"invalid YAML|invalid JSON|invalid text|cannot open|cannot read|"
                        r"larger than|not valid UTF-8|contains a NUL byte")
CHECK_OK = re.compile(r"^policy '(?P<name>[^']*)': ok \((?P<n>\d+) hooks?(?::\s*(?P<hooks>.*)|;.*)?\)$")
CHECK_NO_PLAN = re.compile(r"^policy '(?P<name>[^']*)': (?:cannot run on this kernel|refused): (?P<why>.*)$")
# reasons that say nothing about what went wrong
GENERIC = re.compile(r"^\W*(error|failed|failure|fail|unknown( error)?|invalid|not ok|no|"
                     r"cannot load|load failed)\W*$", re.I)


def one_line(text):
    return " | ".join(s.strip() for s in text.strip().splitlines() if s.strip())


def find_files(corpus):
    """Every *.yaml/*.yml under @corpus, relative to it, sorted."""
    out = []
    for d, dirs, files in os.walk(corpus):
        dirs.sort()
        for f in files:
            if f.endswith((".yaml", ".yml")):
                out.append(os.path.relpath(os.path.join(d, f), corpus))
    return sorted(out)


def new_result(rel):
    return {"file": rel, "parsed": False, "validated": False, "planned": False,
            "loaded": None, "reason": "", "policy": None, "hooks": [],
            "stage": None, "tool_error": False}


def apply_verdict(r, msg):
    """Fills result @r from the text after "FILE: " in a `hornet policy check` line."""
    if msg.startswith("invalid: "):
        why = msg[len("invalid: "):]
        # "FILE:LINE:COL: msg": the file is in the row already
        if why.startswith(r["file"] + ":"):
            why = why[len(r["file"]) + 1:]
        r["parsed"] = not UNREADABLE.search(why)
        r["stage"] = "validate" if r["parsed"] else "parse"
        r["reason"] = why.strip()
        return
    m = CHECK_NO_PLAN.match(msg)
    if m:
        r.update(parsed=True, validated=True, policy=m["name"], stage="plan",
                 reason=m["why"].strip())
        return
    m = CHECK_OK.match(msg)
    if m:
        hooks = [h.strip() for h in (m["hooks"] or "").split(",") if h.strip()]
        r.update(parsed=True, validated=True, planned=True, policy=m["name"], hooks=hooks,
                 reason="")
        return
    r.update(stage="check", tool_error=True,
             reason="unrecognised output of hornet policy check: %s" % msg)


def run_check(hornet, corpus, files):
    """Runs `hornet policy check` over @files (relative to @corpus, run from
    there so its messages name them as the table does). Returns
    {file: [lines about it]} and the process."""
    p = subprocess.run([hornet, "policy", "check"] + files, cwd=corpus, capture_output=True,
                       timeout=120 + 10 * len(files))
    lines = {}
    last = None
    # longest first: "a.yaml" must not claim the lines of "a.yaml.yaml"
    by_len = sorted(files, key=len, reverse=True)
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        owner = next((f for f in by_len if line.startswith(f + ": ")), None)
        if owner:
            lines.setdefault(owner, []).append(line[len(owner) + 2:])
            last = owner
        elif last and line.strip():  # a message that spans lines
            lines[last][-1] += "\n" + line
    return lines, p


def check_all(hornet, corpus, files):
    """parsed/validated/planned for every file, in one `hornet policy check`
    run (it probes the kernel once); a file it gave no verdict on (a crash)
    is checked again alone so the crash is pinned to it."""
    results = {f: new_result(f) for f in files}
    lines, _ = run_check(hornet, corpus, files)
    for f in files:
        if f not in lines:
            alone, p = run_check(hornet, corpus, [f])
            if f not in alone:
                how = ("killed by signal %d" % -p.returncode if p.returncode < 0
                       else "exited with %d" % p.returncode)
                results[f].update(stage="check", tool_error=True,
                                  reason="hornet policy check %s without a verdict: %s" %
                                  (how, one_line(p.stderr.decode("utf-8", "replace"))[-300:]))
                continue
            lines[f] = alone[f]
        for msg in lines[f][:1]:
            apply_verdict(results[f], one_line(msg))
        if len(lines[f]) > 1:
            results[f]["more"] = [one_line(m) for m in lines[f][1:]]
    return [results[f] for f in files]


class LoadAgent:
    """One real `hornet agent` in a temp dir: no export file, no config file,
    an empty policy directory, its own socket, nothing pinned that would
    outlive it."""

    def __init__(self, hornet):
        self.hornet = hornet
        self.dir = tempfile.mkdtemp(prefix="hornet-compat-")
        self.socket = os.path.join(self.dir, "hornet.sock")
        self.log = os.path.join(self.dir, "agent.log")
        config = os.path.join(self.dir, "hornet.yaml")
        policies = os.path.join(self.dir, "policies.d")
        open(config, "w").close()
        os.mkdir(policies)
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [hornet, "agent", "--config", config, "--node-name", "compat", "--socket",
             self.socket, "--export-file", "", "--policy-dir", policies, "--log-level", "warn",
             "--http-listen", "", "--store", "", "--bpffs-dir", ""],
            stdout=self.logf, stderr=subprocess.STDOUT)
        r = subprocess.run([hornet, "status", "--wait", "30", "--socket", self.socket],
                           capture_output=True, timeout=60)
        if r.returncode != 0:
            tail = self.log_since(0)
            self.stop()
            raise RuntimeError("the agent did not get ready: %s %s" %
                               (one_line(r.stderr.decode("utf-8", "replace")), tail[-1000:]))

    def alive(self):
        return self.proc.poll() is None

    def log_size(self):
        self.logf.flush()
        return os.path.getsize(self.log)

    def log_since(self, offset):
        self.logf.flush()
        with open(self.log, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def policy(self, *args, timeout=120):
        r = subprocess.run([self.hornet, "policy", "--socket", self.socket] + list(args),
                           capture_output=True, timeout=timeout)
        err = r.stderr.decode("utf-8", "replace").strip()
        if err.startswith("hornet policy: "):
            err = err[len("hornet policy: "):]
        return r.returncode, r.stdout.decode("utf-8", "replace"), one_line(err)

    def policies(self):
        rc, out, err = self.policy("list", "-o", "json")
        if rc != 0:
            raise RuntimeError("hornet policy list failed: %s" % err)
        return {p["name"]: p for p in json.loads(out)["policies"]}

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode


def verifier_hint(log):
    """The verifier's last words in an agent log excerpt, if it printed a
    program load log: the line that says why, not the whole trace."""
    m = None
    for m in re.finditer(r"-- BEGIN PROG LOAD LOG --\n(.*?)-- END PROG LOAD LOG --", log, re.S):
        pass
    if not m:
        return ""
    lines = [ln.strip() for ln in m.group(1).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("processed ", "verification time",
                                                      "stack depth"))]
    return lines[-1] if lines else ""


def load_one(agent, corpus, r):
    """Adds @r's file to @agent, records whether it got enabled, deletes it."""
    name = r["policy"]
    offset = agent.log_size()
    t0 = time.monotonic()
    rc, _, err = agent.policy("add", os.path.join(corpus, r["file"]))
    r["load_seconds"] = round(time.monotonic() - t0, 2)
    if not agent.alive():
        r.update(loaded=False, stage="agent", tool_error=True,
                 reason="the agent died (exit %s) while adding the policy: %s" %
                 (agent.proc.returncode, one_line(agent.log_since(offset))[-500:]))
        return
    pol = agent.policies().get(name)
    if rc == 0 and pol and pol.get("state") == "enabled":
        r["loaded"] = True
        r["attached"] = ["%s %s" % (h.get("mechanism"), h.get("attached_to"))
                         for h in pol.get("hooks", [])]
    else:
        r.update(loaded=False, stage="agent")
        if pol and pol.get("error"):
            r["reason"] = one_line(pol["error"])
        elif err:
            r["reason"] = err
        elif pol:
            r["reason"] = "hornet policy add exited %d; the policy's state is %s" % (
                rc, pol.get("state"))
        else:
            r["reason"] = "hornet policy add exited %d and the agent does not list policy '%s'" % (
                rc, name)
        hint = verifier_hint(agent.log_since(offset))
        if hint:
            r["verifier"] = hint
            r["reason"] += " [verifier: %s]" % hint
    if pol:
        drc, _, derr = agent.policy("delete", name)
        if drc != 0:
            r["delete_error"] = derr or "hornet policy delete exited %d" % drc


# Under TCG (the test VMs) a program's verification takes about 2 s: a policy of hundreds of
# hooks (generated_syscalls: one program per syscall) would take many minutes to add there.
# It is planned, and loaded on the host; in a VM it is counted as not tried.
VM_MAX_HOOKS = 64


def load_all(hornet, corpus, results, progress=None):
    """Adds every planned policy to one agent (a new one if it dies)."""
    agent = None
    in_vm = os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm")
    try:
        for r in results:
            if not r["planned"]:
                if r["validated"]:
                    r["loaded"] = False  # cannot run on this kernel: reason from the plan
                continue
            if in_vm and len(r["hooks"]) > VM_MAX_HOOKS:
                r["reason"] = ("not loaded in the emulated VM: %d hooks, one program each, "
                               "take minutes to verify under TCG" % len(r["hooks"]))
                continue
            if agent is None or not agent.alive():
                if agent:
                    agent.stop()
                agent = LoadAgent(hornet)
            load_one(agent, corpus, r)
            if progress:
                progress(r)
    finally:
        if agent:
            code = agent.stop()
            if code not in (0, None):
                results.append(dict(new_result("(agent)"), stage="agent", tool_error=True,
                                    reason="the agent exited with %d on SIGTERM" % code))


def yn(v):
    return "-" if v is None else ("yes" if v else "no")


def table(results):
    """The table's lines: a header, then one row per file."""
    cols = [("file", lambda r: r["file"]), ("parsed", lambda r: yn(r["parsed"])),
            ("validated", lambda r: yn(r["validated"])),
            ("planned", lambda r: yn(r["planned"] if r["validated"] else None)),
            ("loaded", lambda r: yn(r["loaded"]))]
    width = [max([len(c)] + [len(f(r)) for r in results]) for c, f in cols]
    lines = ["  ".join(c.ljust(w) for (c, _), w in zip(cols, width)) + "  reason"]
    for r in results:
        cells = [f(r).ljust(w) for (_, f), w in zip(cols, width)]
        lines.append(("  ".join(cells) + "  " + one_line(r["reason"])).rstrip())
    return lines


def counts(results):
    files = [r for r in results if r["file"] != "(agent)"]
    return {"files": len(files),
            "parsed": sum(r["parsed"] for r in files),
            "validated": sum(r["validated"] for r in files),
            "planned": sum(r["planned"] for r in files),
            "loaded": sum(bool(r["loaded"]) for r in files),
            "tried": sum(r["loaded"] is not None and r["planned"] for r in files)}


def summary(results, kernel=None):
    c = counts(results)
    s = "%d files: %d parsed, %d validated, %d planned for this kernel" % (
        c["files"], c["parsed"], c["validated"], c["planned"])
    if c["tried"]:
        s += ", %d loaded in the agent" % c["loaded"]
    return s + " (kernel %s)" % (kernel or os.uname().release)


def problems(results):
    """What is a bug rather than a limit: a file that does not parse, a
    refusal without a precise reason, a policy that planned but did not load,
    a policy that would not delete, a crash of hornet itself."""
    out = []
    for r in results:
        why = one_line(r["reason"])
        if r["tool_error"]:
            out.append("%s: %s" % (r["file"], why))
            continue
        if not r["parsed"]:
            out.append("%s: does not parse: %s" % (r["file"], why))
        if (r["loaded"] is False or not r["planned"]) and \
                (not why or GENERIC.match(why) or len(why.split()) < 3):
            out.append("%s: refused without a precise reason: %r" % (r["file"], why))
        if r["planned"] and r["loaded"] is False:
            out.append("%s: planned (%s) but failed to load in the agent: %s" %
                       (r["file"], ", ".join(r["hooks"]) or "0 hooks", why))
        if r.get("delete_error"):
            out.append("%s: delete failed: %s" % (r["file"], r["delete_error"]))
    return out


def measure(hornet, corpus, load=False, progress=None):
    files = find_files(corpus)
    results = check_all(hornet, corpus, files)
    if load:
        load_all(hornet, corpus, results, progress)
    return results


def write_json(path, results):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"kernel": os.uname().release, "counts": counts(results), "files": results},
                  f, indent=1)
        f.write("\n")


DOC_BEGIN = "<!-- compat-table:"
DOC_END = "<!-- end compat-table -->"


def cell(r):
    """A file's verdict on one kernel, in a few words."""
    if r is None:
        return "-"
    if r["loaded"]:
        return "loaded"
    if r["planned"]:
        return "planned" if r["loaded"] is None else "load failed"
    return "refused" if r["validated"] else ("invalid" if r["parsed"] else "unreadable")


def doc_table(runs):
    """Markdown lines: a summary per kernel, then a row per file with its verdict on each
    kernel and the reason of the first refusal."""
    kernels = [d["kernel"] for d in runs]
    by_file, most = {}, {}
    for i, d in enumerate(runs):
        for r in d["files"]:
            most[id(r)] = d["counts"]["loaded"]
            if r["file"] != "(agent)":
                by_file.setdefault(r["file"], [None] * len(runs))[i] = r
    lines = []
    for d in runs:
        c = d["counts"]
        lines.append("- kernel %s: %d files, %d parsed, %d validated, %d planned, %d loaded" % (
            d["kernel"], c["files"], c["parsed"], c["validated"], c["planned"], c["loaded"]))
    lines += ["", "| file | " + " | ".join(kernels) + " | reason |",
              "|---|" + "---|" * len(kernels) + "---|"]
    for f in sorted(by_file):
        rs = by_file[f]
        # the reason on the kernel that took most of the corpus: the one that says what
        # hornet lacks rather than what the kernel lacks
        best = sorted((r for r in rs if r and not r["loaded"] and r["reason"]),
                      key=lambda r: -most[id(r)])
        why = one_line(best[0]["reason"]) if best else ""
        why = re.sub(r" \((fentry|program load|kprobe): .*\)$", "", why).replace("|", "\\|")
        lines.append("| `%s` | %s | %s |" % (f, " | ".join(cell(r) for r in rs), why))
    return lines


def write_doc(path, result_files):
    runs = []
    for p in result_files:
        with open(p) as f:
            runs.append(json.load(f))
    with open(path) as f:
        text = f.read()
    begin = text.find(DOC_BEGIN)
    end = text.find(DOC_END)
    if begin < 0 or end < begin:
        raise SystemExit("compat: %s has no %s ... %s markers" % (path, DOC_BEGIN, DOC_END))
    head = text[:text.index("\n", begin) + 1]
    body = "\n".join(doc_table(runs)) + "\n"
    with open(path, "w") as f:
        f.write(head + body + text[end:])


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--write-doc":
        write_doc(sys.argv[2], sys.argv[3:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hornet", default=DEFAULT_HORNET, help="the hornet binary")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="folder of TracingPolicy files")
    ap.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    ap.add_argument("--load", action="store_true",
                    help="start one agent and add every policy that plans (root)")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print("compat: no corpus at %s" % a.corpus, file=sys.stderr)
        return 2
    if not os.access(a.hornet, os.X_OK):
        print("compat: no hornet binary at %s (run make)" % a.hornet, file=sys.stderr)
        return 2
    results = measure(a.hornet, os.path.abspath(a.corpus), a.load)
    for line in table(results):
        print(line)
    print(summary(results))
    if a.json:
        write_json(a.json, results)
    bad = problems(results)
    for p in bad:
        print("problem: " + p)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
