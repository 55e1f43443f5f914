#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make soak: the long variants, hours rather than minutes. The fault and attack
# suites with HORNET_SOAK=1 (tests/fault/test_churn.py: 1,000,000 processes
# instead of 80,000; tests/run's timeouts twelve times as long), then the
# fuzzers of the policy input and of the API (fuzz_policy*, fuzz_api*: those
# present at run time) for 10,000,000 executions each.
#
#   SOAK_SUITES="fault"   the suites to run ("" for none; default "fault attack")
#   SOAK_RUNS=N           executions per fuzzer (default 10000000)
#   SOAK_FUZZ=0           no fuzzers
#   HORNET_PROGRAMS=...   keeps only these test programs (tests/run)
#
# Ends with the status of the parts: 0 when every one passed.
set -u
cd "$(dirname "$0")/.." || exit 2
suites=${SOAK_SUITES-fault attack}
runs=${SOAK_RUNS:-10000000}
status=0
start=$(date +%s)
if [ -n "$suites" ]; then
	echo "soak: HORNET_SOAK=1 tests/run $suites"
	# shellcheck disable=SC2086 # one word per suite
	HORNET_SOAK=1 tests/run $suites || status=1
fi
if [ "${SOAK_FUZZ:-1}" = 1 ]; then
	fuzzers=$(cd tests/fuzz && for f in fuzz_policy*.c fuzz_api*.c; do
		[ -e "$f" ] && echo "${f%.c}"
	done | sort -u | tr '\n' ' ')
	echo "soak: tests/fuzz/run --runs $runs $fuzzers"
	# shellcheck disable=SC2086 # one word per fuzzer
	tests/fuzz/run --runs "$runs" $fuzzers || status=1
fi
echo "soak: $([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $status
