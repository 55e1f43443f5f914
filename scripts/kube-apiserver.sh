#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds a real kube-apiserver from Debian's kubernetes source package, once
# per machine, into $HORNET_K8S_CACHE (default /var/cache/hornet/k8s), and
# prints the binary's path. Debian 12 ships etcd and Go but no API server
# binary; ../shared/K8S.md in the project's notes has the measurements. The
# tests start it (with etcd) themselves: tests/lib/kube.py.
#
# The vendored modern-go/reflect2 1.0.1 crashes under Go >= 1.18 on the first
# map it serialises; Debian's golang-github-modern-go-reflect2-dev (1.0.2)
# replaces it before the build.
set -eu

cache=${HORNET_K8S_CACHE:-/var/cache/hornet/k8s}
bin=$cache/kube-apiserver
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "$bin"
	exit 0
fi

need=""
for p in golang-go rsync etcd-server golang-github-modern-go-reflect2-dev dpkg-dev; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	echo "kube-apiserver.sh: installing$need" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2
fi

mkdir -p "$cache"
work=$cache/build
rm -rf "$work"
mkdir -p "$work/lists/partial"

# A private sources list and lists directory: the machine's apt setup stays as it is.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
echo "deb-src [trusted=yes] $mirror bookworm main" > "$work/sources.list"
apt_src() {
	apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$work/lists" "$@"
}
apt_src update >&2
(cd "$work" && apt_src source --download-only kubernetes >&2)
dsc=$(ls "$work"/kubernetes_*.dsc | head -n1)
(cd "$work" && dpkg-source -x "$dsc" src >&2)

src=$work/src
rm -rf "$src/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src/vendor/github.com/modern-go/reflect2"

mkdir -p "$work/.go/src/k8s.io"
ln -s "$src" "$work/.go/src/k8s.io/kubernetes"
(cd "$work/.go/src/k8s.io/kubernetes" &&
	GOPATH=$work/.go GOCACHE=$work/.gocache CGO_ENABLED=0 GOFLAGS=-mod=vendor \
		make WHAT=cmd/kube-apiserver >&2)
install -m 0755 "$src/_output/bin/kube-apiserver" "$bin.tmp"
mv "$bin.tmp" "$bin"
rm -rf "$work"
echo "$bin"
