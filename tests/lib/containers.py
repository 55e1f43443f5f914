# SPDX-License-Identifier: GPL-2.0
"""Real containers for hornet's end-to-end tests.

A Container is a busybox container run by Debian's runc (or crun) from a
rootfs the tests build once per test program, with a bundle made by
`runc spec` and edited: kubelet's cgroupfs layout for its cgroup
(/kubepods/besteffort/pod<uid>/<64-hex id>), the CRI annotations containerd
sets (or none: a plain runc container), and optionally an OCI
createRuntime hook. Every container has a unique id, its own runtime root
and bundle; stop() (also run at exit) kills and deletes it and removes the
cgroup directories the runtime leaves behind in every hierarchy (this
machine has v1 controllers plus cgroup2 at /sys/fs/cgroup/unified).

    c = Container(name="web", pod_name="web-0", namespace="shop")
    c.start()                       # detached: `sleep` as pid 1
    out = c.exec(["cat", "/etc/passwd"])
    c.stop()

    Container(pod=False, args=["cat", "/etc/passwd"]).run()   # foreground
"""
import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

CGROUP_ROOT = "/sys/fs/cgroup"
QOS_PARENT = "/kubepods/besteffort"
# the test VM (scripts/vmtest.sh) keeps the host's busybox in /bb
BUSYBOX = next((b for b in ("/bin/busybox", "/bb/busybox") if os.path.exists(b)), "/bin/busybox")
IMAGE = "docker.io/library/busybox:1.36"

_rootfs = None
_live = []


def root_is_initramfs():
    """pivot_root(2) cannot move the initial ramfs, which is the test VM's
    root: the runtime must then chroot (--no-pivot)."""
    fstype = None
    with open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 2 and fields[1] == "/":
                fstype = fields[2]
    return fstype in ("rootfs", "ramfs")


def runtime_available(runtime="runc"):
    """Whether @runtime can run containers here. crun 1.8 refuses hybrid
    cgroups ("cgroups in hybrid mode not supported"), which this machine
    has: tests use runc, and crun where cgroups are v2 only."""
    if shutil.which(runtime) is None or not os.path.exists(BUSYBOX):
        return False
    if runtime == "crun":
        return not any(m != unified_mount() for m in cgroup_hierarchies())
    return True


def rootfs():
    """The busybox rootfs shared (read-only) by this program's containers."""
    global _rootfs
    if _rootfs:
        return _rootfs
    d = tempfile.mkdtemp(prefix="hornet-rootfs-", dir="/var/tmp")
    os.chmod(d, 0o755)
    atexit.register(shutil.rmtree, d, True)
    root = os.path.join(d, "rootfs")
    for sub in ("bin", "etc", "proc", "sys", "dev", "tmp", "root"):
        os.makedirs(os.path.join(root, sub))
    shutil.copy2(BUSYBOX, os.path.join(root, "bin", "busybox"))
    # applet symlinks to /bin/busybox, resolved inside the container's root
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    for name in applets:
        link = os.path.join(root, "bin", name)
        if name != "busybox" and not os.path.lexists(link):
            os.symlink("/bin/busybox", link)
    with open(os.path.join(root, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(os.path.join(root, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    _rootfs = root
    return root


def new_container_id():
    return os.urandom(32).hex()


def cgroup_hierarchies():
    """Mount points of every cgroup hierarchy (v1 controllers and cgroup2)."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fstype in ("cgroup", "cgroup2"):
                out.append(fields[4])
    return out


def unified_mount():
    """Where cgroup2 is mounted: /sys/fs/cgroup/unified on hybrid machines."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[fields.index("-") + 1] == "cgroup2":
                return fields[4]
    return None


class Container:
    """One container; see the module's comment. @pod=False: no Kubernetes
    annotations and a cgroup outside kubepods (a plain runc container).
    @hook: argv of a createRuntime hook (argv[0] is its path), also run at
    poststop with @poststop. @runtime:
    "runc" or "crun"."""

    def __init__(self, name="app", pod_name=None, namespace="default", pod_uid=None,
                 image=IMAGE, args=("sleep", "1000"), pod=True, hook=None, hook_timeout=10,
                 runtime="runc", annotations=None, cgroups_path=None, env=None,
                 poststop=False):
        self.id = new_container_id()
        self.runtime = runtime
        self.pod = pod
        self.name = name
        self.pod_uid = pod_uid or str(uuid.uuid4())
        self.pod_name = pod_name or "pod-%s" % self.id[:8]
        self.namespace = namespace
        self.image = image
        self.args = list(args)
        self.dir = tempfile.mkdtemp(prefix="hornet-ctr-", dir="/var/tmp")
        os.chmod(self.dir, 0o755)
        self.bundle = os.path.join(self.dir, "bundle")
        self.state_root = os.path.join(self.dir, "state")
        os.makedirs(self.bundle)
        os.makedirs(self.state_root)
        if cgroups_path:
            self.cgroups_path = cgroups_path
        elif pod:
            self.cgroups_path = "%s/pod%s/%s" % (QOS_PARENT, self.pod_uid, self.id)
        else:
            self.cgroups_path = "/hornet-test/%s" % self.id
        self.started = False
        self.log = os.path.join(self.dir, "out.log")
        spec = self._spec(hook, hook_timeout, annotations, env, poststop)
        with open(os.path.join(self.bundle, "config.json"), "w") as f:
            json.dump(spec, f, indent=1)
        _live.append(self)

    def annotations(self):
        if not self.pod:
            return {}
        # as containerd's CRI plugin sets them on a workload container
        return {
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": self.name,
            "io.kubernetes.cri.sandbox-id": "%064x" % (int(self.id, 16) ^ 1),
            "io.kubernetes.cri.sandbox-name": self.pod_name,
            "io.kubernetes.cri.sandbox-namespace": self.namespace,
            "io.kubernetes.cri.sandbox-uid": self.pod_uid,
            "io.kubernetes.cri.image-name": self.image,
        }

    def _spec(self, hook, hook_timeout, annotations, env, poststop):
        out = subprocess.run([self.runtime, "spec", "--bundle", self.bundle],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError("%s spec: %s" % (self.runtime, out.stderr.strip()))
        path = os.path.join(self.bundle, "config.json")
        with open(path) as f:
            spec = json.load(f)
        os.unlink(path)
        spec["process"]["terminal"] = False
        spec["process"]["args"] = self.args
        spec["process"]["env"] = ["PATH=/bin", "HOSTNAME=%s" % self.pod_name] + list(env or [])
        spec["root"] = {"path": rootfs(), "readonly": True}
        spec["hostname"] = self.pod_name[:63]
        spec["linux"]["cgroupsPath"] = self.cgroups_path
        ann = self.annotations()
        ann.update(annotations or {})
        if ann:
            spec["annotations"] = ann
        if hook:
            h = {"path": hook[0], "args": list(hook), "timeout": hook_timeout}
            spec["hooks"] = {"createRuntime": [h]}
            if poststop:
                spec["hooks"]["poststop"] = [dict(h)]
        return spec

    @staticmethod
    def _run_flags():
        return ["--no-pivot"] if root_is_initramfs() else []

    def _rt(self, *argv):
        return [self.runtime, "--root", self.state_root] + list(argv)

    def start(self, timeout=30):
        """Runs the container detached; returns the completed `run -d`
        (returncode non-zero when the runtime refused, e.g. a failed hook)."""
        with open(self.log, "ab") as out:
            p = subprocess.run(self._rt("run", *self._run_flags(), "-d", "--bundle", self.bundle,
                                        self.id),
                               stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=timeout)
        self.started = True
        return p

    def run(self, timeout=30):
        """Runs the container in the foreground until its process exits;
        returns the completed process (its output in .stdout, .stderr)."""
        self.started = True
        return subprocess.run(self._rt("run", *self._run_flags(), "--bundle", self.bundle, self.id),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)

    def exec(self, argv, timeout=30):
        """Runs @argv in the running container; returns the completed process."""
        return subprocess.run(self._rt("exec", self.id) + list(argv), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def state(self):
        out = subprocess.run(self._rt("state", self.id), capture_output=True, text=True,
                             timeout=30)
        return json.loads(out.stdout) if out.returncode == 0 else None

    def pid(self):
        """Host pid of the container's first process (0 when not running)."""
        st = self.state()
        return st.get("pid", 0) if st else 0

    def hook_state(self):
        """The OCI state a runtime hands a createRuntime hook, for calling the hook by hand."""
        return json.dumps({"ociVersion": "1.0.2", "id": self.id, "status": "created",
                           "pid": self.pid(), "bundle": self.bundle})

    def output(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def unified_dir(self):
        """The container's cgroup2 directory (its inode number is the cgroup id)."""
        return os.path.join(unified_mount() or CGROUP_ROOT, self.cgroups_path.lstrip("/"))

    def cgroup_id(self):
        return os.stat(self.unified_dir()).st_ino

    def stop(self):
        if self in _live:
            _live.remove(self)
        if self.started:
            subprocess.run(self._rt("kill", self.id, "KILL"), capture_output=True, timeout=30)
            for _ in range(50):
                out = subprocess.run(self._rt("delete", "-f", self.id), capture_output=True,
                                     timeout=30)
                if out.returncode == 0 or self.state() is None:
                    break
                time.sleep(0.1)
        self._remove_cgroups()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _remove_cgroups(self):
        """The runtime removes the container's own directory but leaves its
        parents (pod<uid>, and the QoS parents it created): remove them in
        every hierarchy, the innermost first. Parents other tests use are
        not empty, and rmdir leaves them."""
        parts = self.cgroups_path.strip("/").split("/")
        for mnt in cgroup_hierarchies():
            for n in range(len(parts), 0, -1):
                d = os.path.join(mnt, *parts[:n])
                for _ in range(20):
                    try:
                        os.rmdir(d)
                        break
                    except FileNotFoundError:
                        break
                    except OSError as e:
                        # EBUSY for a moment while the killed processes leave
                        if e.errno == 16 and n == len(parts):
                            time.sleep(0.05)
                            continue
                        break

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def stop_all():
    for c in list(_live):
        try:
            c.stop()
        except Exception:   # at exit, the next one must still be cleaned up
            pass


atexit.register(stop_all)
