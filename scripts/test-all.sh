#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make test: the host suites and, at the same time, the kernel-dependent suites
# in a VM running Debian's 6.1 kernel (make vmtest), then in one running Debian
# 11's 5.10; then the test x kernel matrix, the time of each suite, and one
# closing line "N passed, N failed, N skipped" for the three kernels.
#
# The 6.1 VM starts first: it takes longest, and while it boots and verifies
# programs under TCG the host suites mostly wait on processes and timers, so
# the two share the machine's cores well. The 5.10 VM follows the host suites
# on the core they leave (each VM's TCG runs on one host thread); most of its
# tests skip, for policies need bpf_loop(). The VMs' output is kept in
# build/vmtest.log and build/vmtest-5.10.log and shown at the end.
# HORNET_SKIP_VM=1 runs the host suites only (the VMs' columns are then empty).
set -u
cd "$(dirname "$0")/.."
BUILD=${HORNET_BUILD:-build}
status=0
start=$(date +%s)
rm -f "$BUILD/test-results-host.json" "$BUILD/test-results-vm.json" \
	"$BUILD/test-results-vm510.json"
mkdir -p "$BUILD"
if [ "${HORNET_SKIP_VM:-0}" != 1 ]; then
	scripts/vmtest.sh > "$BUILD/vmtest.log" 2>&1 &
	vm=$!
	echo "vmtest: started in the background (output in $BUILD/vmtest.log)"
fi
tests/run || status=1
if [ "${HORNET_SKIP_VM:-0}" = 1 ]; then
	echo "vmtest: skipped (HORNET_SKIP_VM=1)"
	HORNET_TEST_SECONDS=$(( $(date +%s) - start )) \
		exec scripts/results.py summary "$BUILD/test-results-host.json"
fi
echo "vmtest: the 5.10 VM (output in $BUILD/vmtest-5.10.log)"
VMTEST_KERNEL=5.10 scripts/vmtest.sh > "$BUILD/vmtest-5.10.log" 2>&1 || status=1
echo "vmtest: waiting for the 6.1 VM"
wait "$vm" || status=1
cat "$BUILD/vmtest.log" "$BUILD/vmtest-5.10.log"
HORNET_TEST_SECONDS=$(( $(date +%s) - start )) \
	scripts/results.py matrix "$BUILD/test-results-host.json" "$BUILD/test-results-vm.json" \
	"$BUILD/test-results-vm510.json" || status=1
exit $status
