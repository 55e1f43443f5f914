#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make test: the host suites and, at the same time, the kernel-dependent suites
# in a VM running Debian's 6.1 kernel (make vmtest); then the test x kernel
# matrix, the time of each suite, and one closing line
# "N passed, N failed, N skipped" for both kernels.
#
# The VM starts first: it takes longest, and while it boots and verifies
# programs under TCG the host suites mostly wait on processes and timers, so
# the two share the machine's cores well. Its output is kept in
# build/vmtest.log and shown when it is done, after the host's.
# HORNET_SKIP_VM=1 runs the host suites only (the VM's column is then empty).
set -u
cd "$(dirname "$0")/.."
BUILD=${HORNET_BUILD:-build}
status=0
start=$(date +%s)
rm -f "$BUILD/test-results-host.json" "$BUILD/test-results-vm.json"
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
echo "vmtest: waiting for the VM"
wait "$vm"
case $? in
0) ;;
*) status=1 ;;
esac
cat "$BUILD/vmtest.log"
HORNET_TEST_SECONDS=$(( $(date +%s) - start )) \
	scripts/results.py matrix "$BUILD/test-results-host.json" "$BUILD/test-results-vm.json" ||
	status=1
exit $status
