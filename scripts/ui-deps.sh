#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs playwright-core (npm) for the page's browser tests and bench/ui,
# outside the git tree, in /var/cache/hornet/ui (HORNET_UI_MODULES to move
# it). It drives Debian's /usr/bin/chromium and never downloads a browser.
# Prints the node_modules directory.
set -eu

DIR=${HORNET_UI_CACHE:-/var/cache/hornet/ui}
VERSION=1.65.2

if [ -f "$DIR/node_modules/playwright-core/package.json" ]; then
	echo "$DIR/node_modules"
	exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "ui-deps: npm is missing (apt-get install npm)" >&2; exit 1; }
mkdir -p "$DIR"
# no browser download: playwright-core has none, and this says so twice
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$DIR" --no-audit --no-fund \
	--no-save "playwright-core@$VERSION" >&2
echo "$DIR/node_modules"
