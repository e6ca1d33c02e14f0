#!/bin/bash
# Install, with apt-get, whatever a fresh Debian 12 lacks to build, test
# and demo ml-connector. Installs nothing that is already there.
set -eu

PKGS="autoconf automake libtool pkg-config make gcc
libfcgi-dev libfcgi-bin spawn-fcgi libcurl4-openssl-dev libjansson-dev
libconfig-dev libmariadb-dev libssl-dev libcrypt-dev libcmocka-dev
mariadb-server mariadb-client nginx curl jq wrk procps iproute2 ca-certificates cpio git valgrind binutils openssl clang libclang-rt-14-dev python3
mandoc systemd apache2 libapache2-mod-fcgid"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# Packaged services must not start on their own: ours run on
	# throwaway data directories and loopback ports.
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# promtool (to check /metrics) ships only inside Debian's prometheus
# package, whose install would also start a Prometheus server. Unpack the
# package into _build/tools instead of installing it; scripts/test.sh puts
# _build/tools/bin on PATH.
tools=$(cd "$(dirname "$0")/.." && pwd)/_build/tools
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$tools/bin/promtool" ]; then
	mkdir -p "$tools/deb" "$tools/bin"
	(cd "$tools/deb" && { apt-get download prometheus >/dev/null 2>&1 ||
	    { apt-get update -qq && apt-get download prometheus >/dev/null 2>&1; }; } &&
	    dpkg-deb -x prometheus_*.deb root &&
	    cp root/usr/bin/promtool "$tools/bin/promtool") ||
	    echo "warning: could not unpack promtool; the metrics test will fail"
	rm -rf "$tools/deb"
fi

# The admin UI's browser test (tests/browser/ui.test): Debian's chromium,
# node and npm (installed apart: a node from elsewhere that already
# brings npm must not be replaced), and playwright-core at the version
# tests/browser/package-lock.json pins, installed with npm ci into
# _build/tools/node (found there by the test, also under make distcheck).
need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
	echo "installing:$need"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
src=$(cd "$(dirname "$0")/.." && pwd)/tests/browser
if ! cmp -s "$src/package-lock.json" "$tools/node/package-lock.json" ||
    [ ! -d "$tools/node/node_modules/playwright-core" ]; then
	mkdir -p "$tools/node"
	cp "$src/package.json" "$src/package-lock.json" "$tools/node/"
	(cd "$tools/node" && npm ci --no-audit --no-fund --loglevel=error) ||
	    echo "warning: npm ci failed; the browser test will fail"
fi
