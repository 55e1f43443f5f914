#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make vmtest: runs the bpf, e2e, attack and fault suites on a second kernel, Debian's 6.1
# cloud kernel (kprobes, fentry, BPF LSM), under QEMU with TCG. VMTEST_KERNEL=5.10 boots
# Debian 11's 5.10 cloud kernel instead (its results go to build/*-vm510.json).
#
#   1. downloads the newest linux-image-6.1.0-*-cloud-amd64-unsigned with
#      apt-get download, once, into build/vm/cache/ (5.10: from bullseye, with apt
#      lists of its own in build/vm/cache-5.10/apt/);
#   2. packs an initramfs: hornet with its shared libraries, the test helpers
#      linked statically,
#      busybox for /init, and the tools the tests drive (python3 and its
#      standard library, dash, coreutils, bpftool, setpriv, setcap) with the
#      shared libraries they need, copied from this machine;
#   3. boots it, runs tests/run bpf e2e attack fault inside, and reads the results back
#      from the serial console into build/test-results-vm.json.
#
# Exits 0 when every test passed, 1 when one failed, 2 when the VM did not
# come back (timeout or kernel panic: it says which).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HORNET_BUILD:-$ROOT/build}
VM=$BUILD/vm
# the kernel: Debian 12's 6.1 (the default) or Debian 11's 5.10 cloud kernel
KVER=${VMTEST_KERNEL:-6.1}
# (RUN: the staging trees, the initramfs and the console log, apart for each
# kernel so that make test runs both VMs at once)
case "$KVER" in
6.1) CACHE=$VM/cache TAG=vm RUN=$VM ;;
5.10) CACHE=$VM/cache-5.10 TAG=vm510 RUN=$VM/run-5.10 ;;
*) echo "vmtest: VMTEST_KERNEL=$KVER: 6.1 or 5.10" >&2; exit 2 ;;
esac
STAGE=$RUN/root
TIMEOUT=${VMTEST_TIMEOUT:-2400}
MEM=${VMTEST_MEM:-3072}
SUITES=${VMTEST_SUITES:-bpf e2e attack fault}
# two vCPUs and three lanes of test programs in the VM, to keep them busy
# while a lane waits (timers, idle windows). The vCPUs share one host thread
# (single-threaded TCG): with a thread each, a vCPU could run translated code
# of a kernel function that the other was patching (BPF trampolines attached
# and detached through int3, text_poke_bp) and loop on the breakpoint for
# minutes; measured here, soft lockups in bpf_lsm_file_open ended a run. One
# thread leaves the other host core to the host suites, which run meanwhile.
CPUS=${VMTEST_CPUS:-2}
JOBS=${VMTEST_JOBS:-3}
TCG_THREAD=${VMTEST_TCG_THREAD:-single}

log() { echo "vmtest: $*" >&2; }
die() { log "$*"; exit 2; }

mkdir -p "$CACHE" "$RUN"

# 1. the kernel, downloaded once
kernel=$(ls "$CACHE"/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$kernel" ]; then
	APT=(-o APT::Sandbox::User=root)
	if [ "$KVER" = 5.10 ]; then
		# bullseye's lists of its own, beside the machine's: its sources stay as they are
		mkdir -p "$CACHE/apt/lists/partial"
		printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian%s main\n' \
			" bullseye" "-security bullseye-security" > "$CACHE/apt/sources.list"
		APT+=(-o Dir::Etc::sourcelist="$CACHE/apt/sources.list" -o Dir::Etc::sourceparts=-
			-o Dir::State::Lists="$CACHE/apt/lists")
	fi
	pattern="^linux-image-${KVER//./\\.}\\.0-[0-9]+-cloud-amd64-unsigned\$"
	find_pkgs() {
		apt-cache "${APT[@]}" search --names-only "$pattern" | awk '{print $1}' | sort -rV
	}
	if [ -z "$(find_pkgs)" ]; then
		log "no $KVER cloud kernel in the apt lists: apt-get update"
		apt-get "${APT[@]}" update -qq || true
	fi
	[ -n "$(find_pkgs)" ] || die "no linux-image-$KVER.0-*-cloud-amd64-unsigned in the apt lists (run apt-get update)"
	# the newest that the archive still serves: the lists can name a newer one than the
	# pool holds
	pkg=
	for p in $(find_pkgs); do
		log "downloading $p"
		if (cd "$CACHE" && apt-get "${APT[@]}" download -qq "$p"); then
			pkg=$p
			break
		fi
	done
	[ -n "$pkg" ] || die "apt-get download of a linux-image-$KVER.0-*-cloud-amd64-unsigned failed"
	deb=$(ls "$CACHE"/"$pkg"_*.deb | head -n 1)
	rm -rf "$CACHE/x"
	dpkg-deb -x "$deb" "$CACHE/x"
	cp "$CACHE"/x/boot/vmlinuz-* "$CACHE/"
	# its build configuration, for `policy check --btf` (tests/e2e/test_check_btf.py)
	cp "$CACHE"/x/boot/config-* "$CACHE/" 2>/dev/null || true
	rm -rf "$CACHE/x" "$deb"
	kernel=$(ls "$CACHE"/vmlinuz-* | sort -V | tail -n 1)
fi
log "kernel $(basename "$kernel")"

# 2. the initramfs, in two archives that the kernel unpacks one over the other:
# the host's tools (busybox, python and its standard library, coreutils,
# bpftool, ...) change only with the host's packages, so they are packed once
# into build/vm/cache/base-KEY.cpio.gz; hornet and the tests are packed each run.
py=$(readlink -f /usr/bin/python3)
pyver=$(basename "$py")
base_key=$( {
	sed -n '/^# 2. the initramfs/,/^# hornet with the shared/p' "$0"
	for p in busybox dash cat bpftool python3 setpriv ip getcap runc openssl; do
		stat -L -c '%n %s %Y' "$(type -P "$p")" 2>/dev/null
	done
	stat -c '%n %Y' "/usr/lib/$pyver" "/usr/lib/$pyver/lib-dynload"
} | md5sum | cut -c1-12)
base_cpio=$CACHE/base-$base_key.cpio.gz

# shared libraries, copied to the same paths as on this machine, with the
# directory's real path: ldd names /lib/..., and a /lib directory in the
# per-run archive would replace the base's lib -> usr/lib link when the kernel
# unpacks it, leaving two copies of libc (a uprobe on one misses the other)
copy_libs() {
	local f soname path dest
	for f in "$@"; do
		while read -r soname path; do
			[ -e "$path" ] || continue
			dest=$(readlink -f "$(dirname "$path")")/$(basename "$path")
			mkdir -p "$STAGE$(dirname "$dest")"
			[ -e "$STAGE$dest" ] || cp -L "$path" "$STAGE$dest"
		done < <(ldd "$f" 2>/dev/null | awk '/=>/ && $3 ~ /^\// { print $1, $3 }')
	done
}

if [ ! -s "$base_cpio" ]; then
	log "packing the host's tools once into $(basename "$base_cpio")"
	STAGE=$RUN/base
	rm -rf "$STAGE"
	mkdir -p "$STAGE"/{bin,sbin,bb,dev,proc,sys,tmp,run,etc,var/tmp,var/log,root,usr/bin,usr/sbin,usr/lib}
	chmod 1777 "$STAGE/tmp" "$STAGE/var/tmp"
	ln -s usr/lib "$STAGE/lib"
	ln -s usr/lib "$STAGE/lib64"

	# a host program at its host path, with its libraries
	copy_prog() {
		local p real
		for p in "$@"; do
			real=$(readlink -f "$(type -P "$p")") && [ -n "$(type -P "$p")" ] || die "'$p' is not installed here"
			mkdir -p "$STAGE$(dirname "$real")"
			cp "$real" "$STAGE$real"
			copy_libs "$real"
			# the name the tests call it by, when it is a symlink on the host
			local called
			called=$(type -P "$p")
			if [ "$called" != "$real" ]; then
				mkdir -p "$STAGE$(dirname "$called")"
				ln -sf "$real" "$STAGE$called"
			fi
		done
	}

	cp /bin/busybox "$STAGE/bb/busybox"
	for applet in sh mount umount mkdir poweroff sleep cat echo base64 ls sync dmesg grep \
		      mountpoint ln rm; do
		ln -s busybox "$STAGE/bb/$applet"
	done

	copy_prog dash cat true false sleep id env ls rm mkdir cp ln chmod stat readlink \
		realpath head tail printf uname setpriv unshare bpftool /usr/bin/python3 getcap setcap kill \
		ip runc openssl
	ln -sf /usr/bin/dash "$STAGE/bin/sh"
	# openssl's configuration, for the fake API server's certificates
	mkdir -p "$STAGE/etc/ssl" "$STAGE/usr/lib/ssl"
	cp /etc/ssl/openssl.cnf "$STAGE/etc/ssl/"
	ln -sf /etc/ssl/openssl.cnf "$STAGE/usr/lib/ssl/openssl.cnf"
	for d in "$STAGE"/usr/bin/*; do
		n=$(basename "$d")
		[ -e "$STAGE/bin/$n" ] || ln -s "/usr/bin/$n" "$STAGE/bin/$n"
	done
	# the dynamic loader
	cp -L /lib64/ld-linux-x86-64.so.2 "$STAGE/usr/lib/ld-linux-x86-64.so.2"

	# python's standard library, without what the tests never import
	py=$(readlink -f /usr/bin/python3)
	pyver=$(basename "$py")
	mkdir -p "$STAGE/usr/lib/$pyver"
	(cd "/usr/lib/$pyver" && tar cf - --exclude=test --exclude=idlelib --exclude=tkinter \
		--exclude=turtledemo --exclude=lib2to3 --exclude=ensurepip --exclude=pydoc_data \
		--exclude=distutils --exclude='config-*' --exclude=site-packages --exclude=dist-packages \
		--exclude=sqlite3 --exclude=asyncio --exclude=xml --exclude=unittest \
		--exclude=multiprocessing --exclude=venv --exclude=curses --exclude=dbm . ) |
		tar xf - -C "$STAGE/usr/lib/$pyver"
	for so in "$STAGE/usr/lib/$pyver"/lib-dynload/*.so; do
		copy_libs "$so"
	done
	ln -sf "$pyver" "$STAGE/usr/bin/python3" 2>/dev/null || true
	rm -f "$CACHE"/base-*.cpio.gz
	(cd "$STAGE" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$base_cpio.tmp"
	mv "$base_cpio.tmp" "$base_cpio"
	rm -rf "$STAGE"
	STAGE=$RUN/root
fi

rm -rf "$STAGE"
mkdir -p "$STAGE/etc"

# hornet with the shared libraries the base lacks, and the tests
mkdir -p "$STAGE/hornet/build/tests/helpers"
cp "$BUILD/hornet" "$STAGE/hornet/build/hornet"
copy_libs "$BUILD/hornet"
# and those it loads at their first use (util/dlib.h), which ldd does not name
for so in $(sed -n 's/^HORNET_DLIB_DEFINE([a-z]*, "\([^"]*\)".*/\1/p' $(grep -rl HORNET_DLIB_DEFINE "$ROOT/src")); do
	path=$(ldconfig -p | awk -v so="$so" '!found && $1 == so && /x86-64/ { print $NF; found = 1 }')
	[ -n "$path" ] || die "$so is not installed here (hornet loads it at run time)"
	dest=$(readlink -f "$(dirname "$path")")/$so
	mkdir -p "$STAGE$(dirname "$dest")"
	cp -L "$path" "$STAGE$dest"
	copy_libs "$path"
done
find "$BUILD/static/helpers" -type f ! -name "*.d" -exec cp {} "$STAGE/hornet/build/tests/helpers/" \;
cp -r "$ROOT/tests" "$STAGE/hornet/tests"
cfg=$(ls "$CACHE"/config-* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$cfg" ]; then
	mkdir -p "$STAGE/boot"
	cp "$cfg" "$STAGE/boot/"
fi
cp -r "$ROOT/examples" "$ROOT/policies" "$ROOT/deploy" "$STAGE/hornet/"
mkdir -p "$STAGE/hornet/scripts"
# how long each program took in the last VM run: tests/run starts the longest first
if [ -f "$BUILD/test-durations-$TAG.json" ]; then
	cp "$BUILD/test-durations-$TAG.json" "$STAGE/hornet/build/test-durations.json"
fi
cp "$ROOT/scripts/compat.py" "$STAGE/hornet/scripts/"
find "$STAGE/hornet/tests" -name '__pycache__' -prune -exec rm -rf {} +
if [ -d "$ROOT/../shared/compat" ]; then
	mkdir -p "$STAGE/shared"
	cp -r "$ROOT/../shared/compat" "$STAGE/shared/compat"
fi

echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >> "$STAGE/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$STAGE/etc/group"
echo vm > "$STAGE/etc/hostname"
# a shadow file as every system has one: tests/attack and tests/e2e/test_pack read it
echo 'root:*:20000:0:99999:7:::' > "$STAGE/etc/shadow"
chmod 640 "$STAGE/etc/shadow"

cat > "$STAGE/init" <<EOF
#!/bb/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/bb
/bb/mount -t proc proc /proc
/bb/mount -t sysfs sysfs /sys
/bb/mount -t devtmpfs devtmpfs /dev
/bb/mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
/bb/mount -t tmpfs tmpfs /dev/shm
/bb/mount -t securityfs securityfs /sys/kernel/security
/bb/mount -t tracefs tracefs /sys/kernel/tracing
/bb/mount -t debugfs debugfs /sys/kernel/debug
/bb/mount -t bpf bpf /sys/fs/bpf
/bb/mount -t cgroup2 cgroup2 /sys/fs/cgroup
/usr/sbin/ip link set lo up
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu
echo "HORNET-VM-UP \$(cat /proc/version)"
echo "HORNET-VM-LSM \$(cat /sys/kernel/security/lsm)"
cd /hornet
HORNET_KERNEL_TAG=$TAG HOME=/root PYTHONDONTWRITEBYTECODE=1 HORNET_TEST_TIMES=1 \
	HORNET_TESTS='${HORNET_TESTS:-}' HORNET_PROGRAMS='${HORNET_PROGRAMS:-}' HORNET_JOBS=$JOBS \
	/usr/bin/python3 /hornet/tests/run $SUITES
echo "HORNET-RESULTS-BEGIN"
/bb/base64 /hornet/build/test-results-$TAG.json
echo "HORNET-RESULTS-END"
if [ -f /hornet/build/compat-$TAG.json ]; then
	echo "HORNET-COMPAT-BEGIN"
	/bb/base64 /hornet/build/compat-$TAG.json
	echo "HORNET-COMPAT-END"
fi
/bb/sync
/bb/poweroff -f
EOF
chmod +x "$STAGE/init"

{
	cat "$base_cpio"
	(cd "$STAGE" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1
} > "$RUN/initramfs.cpio.gz"
log "initramfs $(du -h "$RUN/initramfs.cpio.gz" | cut -f1)"

# 3. boot, run, read the results
console=$RUN/console.log
start=$(date +%s)
set +e
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread="$TCG_THREAD" -cpu max -m "$MEM" -smp "$CPUS" \
	-nographic -no-reboot -kernel "$kernel" -initrd "$RUN/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 quiet loglevel=5 oops=panic watchdog_thresh=30 softlockup_panic=1" </dev/null 2>&1 |
	tee "$console" | sed -n -e '/^\(PASS\|FAIL\|SKIP\) /s/^/vm: /p' -e '/^== /s/^/vm: /p' \
	-e '/Kernel panic/p' -e '/HORNET-VM-/p'
rc=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	die "the VM did not come back within ${TIMEOUT}s (timeout; console in $console)"
fi
if grep -q "Kernel panic" "$console"; then
	die "the VM's kernel panicked: $(grep -m1 'Kernel panic' "$console" | tr -d '\r') (console in $console)"
fi
if ! grep -q "HORNET-RESULTS-END" "$console"; then
	die "the VM stopped without reporting results (qemu exit $rc; console in $console)"
fi
sed -n '/HORNET-RESULTS-BEGIN/,/HORNET-RESULTS-END/p' "$console" | tr -d '\r' |
	grep -v HORNET-RESULTS | base64 -d > "$BUILD/test-results-$TAG.json" ||
	die "the VM's results did not decode (console in $console)"
if grep -q "HORNET-COMPAT-END" "$console"; then
	sed -n '/HORNET-COMPAT-BEGIN/,/HORNET-COMPAT-END/p' "$console" | tr -d '\r' |
		grep -v HORNET-COMPAT | base64 -d > "$BUILD/compat-$TAG.json" || true
fi
log "VM boot, tests and shutdown took ${elapsed}s"
# the matrix shows it beside the suites' own times
python3 -c 'import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["vm_seconds"] = int(sys.argv[2])
json.dump(d, open(p, "w"))
json.dump(d.get("durations", {}), open(sys.argv[3], "w"))' \
	"$BUILD/test-results-$TAG.json" "$elapsed" "$BUILD/test-durations-$TAG.json" || true
exec /usr/bin/python3 "$ROOT/scripts/results.py" summary "$BUILD/test-results-$TAG.json"
