#!/bin/bash
# Build and run every test in an ASan+UBSan build, then `make distcheck`
# (which builds the release tarball and runs, from it in a plain build,
# the tests whose outcome can differ between builds: RELEASE_TESTS in
# tests/Makefile.am, valgrind included). Also checks
# `make install DESTDIR=...`. Prints one closing line,
# "N passed, N failed", and exits non-zero on any failure.
# This is the README's test command and what .ci/run calls.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/scripts/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }
PATH=$top/_build/tools/bin:$PATH
export PATH

JOBS=${JOBS:-2}
passed=0
failed=0
skipped=0

# count LOGFILE: add a test-suite.log's totals.
count() {
	local f=$1 p s x e
	if [ ! -f "$f" ]; then
		failed=$((failed + 1))
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$f" | head -n 1)
	s=$(sed -n 's/^# SKIP: *//p' "$f" | head -n 1)
	x=$(sed -n 's/^# FAIL: *//p' "$f" | head -n 1)
	e=$(sed -n 's/^# ERROR: *//p' "$f" | head -n 1)
	passed=$((passed + ${p:-0}))
	skipped=$((skipped + ${s:-0}))
	failed=$((failed + ${x:-0} + ${e:-0}))
}

# build DIR CONFIGURE-ARGS...: out-of-tree build and make check.
build_and_check() {
	local dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$src/configure" "$@" >configure.log 2>&1) ||
	    { echo "configure $* failed:"; tail -n 20 "$dir/configure.log";
	    failed=$((failed + 1)); return; }
	(cd "$dir" && make -j"$JOBS" >make.log 2>&1) ||
	    { echo "make failed ($*):"; grep -E 'error|warning' "$dir/make.log" | head -n 40;
	    failed=$((failed + 1)); return; }
	echo "== make check ($dir: $*)"
	(cd "$dir" && make -j"$JOBS" check 2>&1 |
	    grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS|XFAIL|# )' )
	for log in "$dir"/tests/*/*.log; do
		case $log in */test-suite.log) continue ;; esac
		if grep -qE '^(not ok|Bail out)' "$log" 2>/dev/null; then
			echo "---- $log"
			grep -vE '^ok ' "$log" | head -n 80
		fi
	done
	count "$dir/tests/test-suite.log"
}

# Build from a clean copy of the tracked (and new, unignored) files, so a
# developer's in-tree build never gets in the way of out-of-tree ones.
src=$top/_build/src
rm -rf "$src"
mkdir -p "$src"
git ls-files -co --exclude-standard -z | cpio -0pdm --quiet "$src" ||
    { echo "cannot copy the source tree"; echo "0 passed, 1 failed"; exit 1; }
(cd "$src" && ./autogen.sh >/dev/null 2>&1) ||
    { echo "autogen failed"; echo "0 passed, 1 failed"; exit 1; }

ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build_and_check "$top/_build/sanitizers" --enable-werror --enable-sanitizers

echo "== make install DESTDIR"
stage=$top/_build/stage
rm -rf "$stage"
if (cd "$top/_build/sanitizers" && make install DESTDIR="$stage" >install.log 2>&1) &&
    [ -x "$stage/usr/local/bin/ml-connector.fcgi" ] &&
    [ -x "$stage/usr/local/bin/ml-poller" ] &&
    [ -x "$stage/usr/local/bin/ml-connector-ctl" ] &&
    [ -f "$stage/usr/local/share/ml-connector/sql/001_initial.sql" ] &&
    [ -f "$stage/usr/local/share/ml-connector/sql/010_retention.sql" ] &&
    [ -f "$stage/usr/local/share/doc/ml-connector/examples/htaccess.example" ] &&
    [ -f "$stage/usr/local/share/man/man8/ml-connector.fcgi.8" ] &&
    [ -f "$stage/usr/local/share/man/man8/ml-poller.8" ] &&
    [ -f "$stage/usr/local/share/man/man8/ml-connector-ctl.8" ] &&
    [ -f "$stage/usr/local/share/man/man5/ml-connector.conf.5" ] &&
    [ -f "$stage/usr/local/lib/systemd/system/ml-connector-fcgi.socket" ] &&
    grep -qx 'ExecStart=/usr/local/bin/ml-connector.fcgi -f /usr/local/etc/ml-connector/ml-connector.conf' \
	"$stage/usr/local/lib/systemd/system/ml-connector-fcgi.service" &&
    grep -qx 'ExecStart=/usr/local/bin/ml-poller -f /usr/local/etc/ml-connector/ml-connector.conf' \
	"$stage/usr/local/lib/systemd/system/ml-poller.service" &&
    [ -f "$stage/usr/local/lib/sysusers.d/ml-connector.conf" ] &&
    [ "$(stat -c %a "$stage/usr/local/etc/ml-connector/ml-connector.conf.example")" = 640 ] &&
    ! "$stage/usr/local/bin/ml-connector.fcgi" -n -f /nonexistent 2>/dev/null; then
	echo "PASS: make install DESTDIR lays out binaries, migrations, man pages, units and the 0640 example config"
	passed=$((passed + 1))
else
	echo "FAIL: make install DESTDIR"
	tail -n 20 "$top/_build/sanitizers/install.log"
	failed=$((failed + 1))
fi

echo "== make distcheck (the release tarball, plain -Werror build, RELEASE_TESTS of tests/Makefile.am)"
dc=$top/_build/sanitizers/distcheck.log
if (cd "$top/_build/sanitizers" && make -j"$JOBS" distcheck \
    DISTCHECK_CONFIGURE_FLAGS=--enable-werror \
    TESTS='$(RELEASE_TESTS)' >"$dc" 2>&1); then
	echo "PASS: make distcheck"
	passed=$((passed + 1))
else
	echo "FAIL: make distcheck"
	grep -E '^(FAIL|ERROR):' "$dc" | head -n 40
	tail -n 40 "$dc"
	failed=$((failed + 1))
fi
# Its test results, one per TAP line (the tree is gone once it passes).
grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS|XFAIL)' "$dc" | grep -v '^PASS: make' |
    grep -E '^(FAIL|ERROR|XPASS)' | head -n 40
p=$(grep -cE '^(PASS|XFAIL): ' "$dc")
x=$(grep -cE '^(FAIL|ERROR|XPASS): ' "$dc")
s=$(grep -cE '^SKIP: ' "$dc")
passed=$((passed + p))
failed=$((failed + x))
skipped=$((skipped + s))

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
