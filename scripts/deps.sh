#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian/Ubuntu packages hornet needs to build and to run its
# tests, only those that are missing (apt-get update runs only then).
#   scripts/deps.sh           build and test packages
#   scripts/deps.sh --check   list what is missing, install nothing
set -eu

BUILD_PKGS="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev libyaml-dev systemtap-sdt-dev
libjansson-dev uthash-dev libcurl4-openssl-dev libmicrohttpd-dev libsqlite3-dev libpq-dev
libpcre2-dev"
# bpftool: its own package on Debian; part of linux-tools on Ubuntu
# libc6-dev-arm64-cross: the aarch64 headers of make check-arm64
# runc, crun: real containers; etcd-server, golang-go, rsync and the reflect2 sources: the real
# kube-apiserver the Kubernetes tests build once (scripts/kube-apiserver.sh); openssl: their certs
# chromium, nodejs, npm: the page's browser tests (playwright-core from npm: scripts/ui-deps.sh)
# postgresql: the server the store's tests start in a temporary directory
TEST_PKGS="python3 util-linux iproute2 procps libcap2-bin qemu-system-x86 busybox-static cpio
libc6-dev-arm64-cross runc crun etcd-server golang-go rsync golang-github-modern-go-reflect2-dev
dpkg-dev openssl chromium nodejs postgresql"
# python3-prometheus-client: its text-format parser reads /metrics in tests/e2e/test_metrics.py
TEST_PKGS="$TEST_PKGS python3-prometheus-client"
# python3-pyflakes: tests/lint/test_pyflakes.py checks the Python of the tests and scripts
TEST_PKGS="$TEST_PKGS python3-pyflakes"
# liburing-dev: the io_uring roads of tests/attack (IORING_OP_OPENAT and OPENAT2)
TEST_PKGS="$TEST_PKGS liburing-dev"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# npm: Debian's package, unless the installed nodejs (NodeSource's) brings its own
if ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi
if ! command -v bpftool >/dev/null 2>&1; then
	if apt-cache show bpftool >/dev/null 2>&1; then
		missing="$missing bpftool"
	else
		missing="$missing linux-tools-common linux-tools-$(uname -r)"
	fi
fi

# libFuzzer and the sanitizer runtimes of the fuzz and asan suites: only
# recommended by clang, so --no-install-recommends would leave them out
if ! dpkg-query -W -f='${Status}' libclang-rt-dev 2>/dev/null | grep -q "install ok installed" &&
	apt-cache show libclang-rt-dev >/dev/null 2>&1; then
	missing="$missing libclang-rt-dev"
fi

if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "missing:$missing"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: these packages are missing:$missing" >&2
	echo "deps: run as root to install them (make run / make test as root, or sudo make run)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
