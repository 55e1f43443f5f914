#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs the tools bench/peers compares hornet with (make bench-peers), only
# those that are missing. Not part of scripts/deps.sh or CI: they are not
# needed to build or test hornet, and auditd is not wanted on every machine
# (bench/peers starts its own auditd and stops it after).
#   scripts/bench-deps.sh           install
#   scripts/bench-deps.sh --check   list what is missing, install nothing
set -eu

PKGS="bpftrace libbpf-tools auditd strace"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "bench/peers: all tools installed ($PKGS)"
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "bench/peers: missing:$missing"
	exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
# the package starts and enables auditd where systemd runs: bench/peers runs its own
case "$missing" in
*auditd*)
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now auditd || true
	fi ;;
esac
