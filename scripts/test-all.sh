#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make test: the host suites, then the same kernel-dependent suites in a VM
# running Debian's 6.1 kernel (make vmtest), then the test x kernel matrix and
# one closing line "N passed, N failed, N skipped" for both.
# HORNET_SKIP_VM=1 runs the host suites only (the VM's column is then empty).
set -u
cd "$(dirname "$0")/.."
BUILD=${HORNET_BUILD:-build}
status=0
rm -f "$BUILD/test-results-host.json" "$BUILD/test-results-vm.json"
tests/run || status=1
if [ "${HORNET_SKIP_VM:-0}" = 1 ]; then
	echo "vmtest: skipped (HORNET_SKIP_VM=1)"
	exec scripts/results.py summary "$BUILD/test-results-host.json"
fi
scripts/vmtest.sh
case $? in
0) ;;
*) status=1 ;;
esac
scripts/results.py matrix "$BUILD/test-results-host.json" "$BUILD/test-results-vm.json" || status=1
exit $status
