#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The agent under a flood meant to hide an enforcement: a process (tests/helpers/flood, many
threads) calls write(2) as fast as the machine lets it, and attack-flood-watch reports every
call; the agent's ring buffer is made tiny (--ringbuf-size-kb), so that most of the flood is
lost. While the flood runs, a binary of the test's own is run N times and attack-flood-kill
kills each run (Sigkill at its exit_group). The record of every kill must be exported: the
records of enforcement have a ring of their own (bpf/lib/gen_maps.bpf.h, hornet_enforce) that
the flood cannot fill, and each names the binary killed. The flood's own events must be either exported or counted lost, exactly:
exported + lost.ringbuf.policy_events = the calls the flooder made."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hornet import HELPERS, Agent, check, policy_doc, run, test  # noqa: E402
from hornet import program_needs  # noqa: E402

# every test here loads a TracingPolicy: the policy engine needs bpf_loop() (Linux 5.17)
program_needs("bpf_loop")

FLOOD = os.path.join(HELPERS, "flood")
TRUE = os.path.realpath("/bin/true")
RING_KB = "16"
# under TCG (the VM) a kill takes a quarter of a second, and the flood takes both vCPUs from
# the tests of the other lanes for as long as it lasts: fewer there
VM = os.environ.get("HORNET_KERNEL_TAG", "host").startswith("vm")
THREADS = 2 if VM else 4
KILLS = 25 if VM else 100
# the flood's longest; it is stopped (SIGTERM) once the kills are done: a second here, about
# 6 s under TCG
SECONDS = 300
EVENT_KINDS = ("process_kprobe", "process_tracepoint", "process_lsm", "process_uprobe")


def policy_events(evs, policy):
    """The events of @policy in @evs: (pid, action, binary) each."""
    out = []
    for e in evs:
        for k in EVENT_KINDS:
            b = e.get(k)
            if b and b.get("policy_name") == policy:
                out.append((b["process"]["pid"], b.get("action"), b["process"].get("binary")))
    return out


def victim_dir():
    """A directory where a copy of true can run (not mounted noexec)."""
    for base in ("/var/tmp", "/tmp", "/dev/shm"):
        d = tempfile.mkdtemp(prefix="hornet-flood-", dir=base)
        path = os.path.join(d, "victim")
        shutil.copy(TRUE, path)
        if subprocess.run([path]).returncode == 0:
            return d, path
        shutil.rmtree(d, ignore_errors=True)
    raise RuntimeError("no directory where a copy of true runs")


@test("flood_hides_no_kill")
def flood_hides_no_kill():
    """N kills during a flood of a tiny ring buffer: N kill records, the flood's losses
    counted, exported + lost = offered."""
    d, victim = victim_dir()
    try:
        a = Agent("--ringbuf-size-kb", RING_KB, "--network=false")
        a.add_policy(policy_doc("write-fd100", name="attack-flood-watch", binary=FLOOD))
        a.add_policy(policy_doc("kill-at-exit", name="attack-flood-kill", binary=victim))
        st0 = a.status()
        flood = subprocess.Popen([FLOOD, str(THREADS), str(SECONDS)], stdout=subprocess.PIPE)
        try:
            check(flood.stdout.readline().strip() == b"ready", "the flooder did not start")
            tf = time.monotonic()
            time.sleep(0.5)
            pids, t0 = [], time.monotonic()
            for _ in range(KILLS):
                p = subprocess.Popen([victim])
                p.wait()
                check(p.returncode == -9, "run %d of the victim: exit %d, not killed"
                      % (len(pids) + 1, p.returncode))
                pids.append(p.pid)
            took = time.monotonic() - t0
            check(flood.poll() is None, "the flood ended before the %d kills (%.1f s): "
                  "make it longer" % (KILLS, took))
            time.sleep(0.5)
            flood.terminate()
            out = flood.communicate(timeout=60)[0].decode()
            flooded = time.monotonic() - tf
        finally:
            if flood.poll() is None:
                flood.kill()
                flood.wait()
        check(flood.returncode == 0 and out.startswith("calls "), "flooder: %r" % out)
        offered = int(out.split()[1])
        a.settle()
        evs = a.events()
        st = a.status()
        kills = [(pid, binary) for pid, act, binary in policy_events(evs, "attack-flood-kill")
                 if act == "KPROBE_ACTION_SIGKILL"]
        # each names the binary, even when the flood made the agent lose the exec record of
        # its process: an enforcement record carries the head of the path from the kernel's
        # process table
        named = sum(1 for _, binary in kills if binary == victim)
        kills = [pid for pid, _ in kills]
        floods = [pid for pid, _, _ in policy_events(evs, "attack-flood-watch")
                  if pid == flood.pid]
        lost = st["lost"]["ringbuf"]["policy_events"] - st0["lost"]["ringbuf"]["policy_events"]
        lost_enf = st["lost"]["ringbuf"].get("enforcement_events", 0)
        missing = sorted(set(pids) - set(kills))
        check(not missing, "%d of %d kill records missing (pids %s); %d of %d flood events "
              "lost, enforcement records lost: %d"
              % (len(missing), KILLS, missing[:10], lost, offered, lost_enf))
        check(len(kills) == KILLS, "%d kill records for %d kills" % (len(kills), KILLS))
        check(named == KILLS, "%d of %d kill records name the binary %s (exec records lost: %d)"
              % (named, KILLS, victim, st["lost"]["ringbuf"]["process_exec"]))
        check(lost > 0, "the flood lost nothing (%d calls, %d exported): not a flood"
              % (offered, len(floods)))
        check(len(floods) + lost == offered,
              "%d flood events exported + %d counted lost = %d, the flooder made %d calls"
              % (len(floods), lost, len(floods) + lost, offered))
        return ("%d of %d kill records exported during a flood of %d calls in %.1f s (%d "
                "exported, %d counted lost, %d KiB ring), %d of them name the binary (exec "
                "records lost: %d); %d kills took %.1f s"
                % (len(kills), KILLS, offered, flooded, len(floods), lost, int(RING_KB), named,
                   st["lost"]["ringbuf"]["process_exec"], KILLS, took))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    run()
