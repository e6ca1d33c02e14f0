# Shared by the benchmarks: build a release copy out of tree (unless
# top_builddir is given) and load the test stack helpers.
set -u
bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$bench_top/scripts/deps.sh" || exit 1
if [ -z "${top_builddir:-}" ]; then
	src=$bench_top/_build/bench-src
	build=$bench_top/_build/bench
	rm -rf "$src"
	mkdir -p "$src" "$build"
	(cd "$bench_top" && git ls-files -co --exclude-standard -z |
	    cpio -0pdm --quiet "$src") || { echo "cannot copy the tree"; exit 1; }
	(cd "$src" && ./autogen.sh >/dev/null 2>&1) || { echo "autogen failed"; exit 1; }
	[ -f "$build/config.status" ] ||
	    (cd "$build" && "$src/configure" >configure.log 2>&1) ||
	    { echo "configure failed"; exit 1; }
	(cd "$build" && make -j2 >make.log 2>&1) || { echo "build failed"; exit 1; }
	top_srcdir=$src
	top_builddir=$build
fi
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/stack.sh"
