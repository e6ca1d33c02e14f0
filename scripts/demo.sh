#!/bin/bash
# The demo: install what is missing, build, start the whole stack on
# loopback (throwaway MariaDB, migrations, the FastCGI program behind
# nginx, the poller, and the sandbox standing in for ShipStation and
# Sage X3), print the URLs and keep running until Ctrl-C, then stop
# every process it started.
#
#   scripts/demo.sh           run until interrupted
#   scripts/demo.sh --check   start, verify /healthz through nginx, stop
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
mode=${1:-run}

"$top/scripts/deps.sh" || exit 1
build=$top/_build/demo
# Build from a clean copy of the source, out of tree.
src=$top/_build/demo-src
rm -rf "$src"
mkdir -p "$src" "$build"
git ls-files -co --exclude-standard -z | cpio -0pdm --quiet "$src" ||
    { echo "cannot copy the source tree"; exit 1; }
(cd "$src" && ./autogen.sh >/dev/null 2>&1) || { echo "autogen failed"; exit 1; }
[ -f "$build/config.status" ] ||
    (cd "$build" && "$src/configure" >configure.log 2>&1) ||
    { echo "configure failed: see $build/configure.log"; exit 1; }
(cd "$build" && make -j2 >make.log 2>&1) ||
    { echo "build failed: see $build/make.log"; exit 1; }

export top_srcdir=$src top_builddir=$build
. "$top/tests/lib/stack.sh"

. "$src/tests/lib/sandbox.sh"
. "$src/tests/lib/webhooks.sh"

echo "starting MariaDB (throwaway datadir in $ML_TMP) ..."
stack_db
write_conf
echo "starting the sandbox (ShipStation + Sage X3 stand-ins) ..."
stack_sandbox
# Our config points at the sandbox as if it were ShipStation.
NGINX_PORT=$(free_port)
mkdir -p "$ML_TMP/nginx"
sed -i 's/^instance = "test";/instance = "demo";/' "$CONF"
sandbox_ss_conf v1
hooks_conf "public_url = \"http://127.0.0.1:$NGINX_PORT\";"
stack_migrate
echo "starting ml-connector.fcgi, nginx and ml-poller ..."
stack_fcgi
free_port() { echo "$NGINX_PORT"; }
stack_nginx
stack_poller
wait_for 20 status_is /healthz 200 || { echo "the stack did not become healthy"; exit 1; }
echo "subscribing our webhooks in the sandbox's ShipStation ..."
"$CTL_BIN" -f "$CONF" webhooks subscribe || { echo "subscribe failed"; exit 1; }
echo "seeding 20 sample orders (their ORDER_NOTIFY webhooks come to us) ..."
ctl /_sandbox/seed '{"orders": 20, "seed": 1}'
[ "$SB_STATUS" = 200 ] || { echo "seeding failed: $SB_BODY"; exit 1; }
some_fetched() {
	[ "$(db_sql "$DB_NAME" -e "SELECT COUNT(*) FROM documents")" -gt 0 ]
}
wait_for 60 some_fetched || { echo "no webhook reached us"; exit 1; }

cat <<INFO

ml-connector demo is up.
  health:        $BASE_URL/healthz
  config:        $CONF
  logs:          $ML_TMP/*.log
  database:      mariadb -S $DB_SOCK -uroot $DB_NAME
INFO
echo "  sandbox:       $SB_URL  (state: $SB_URL/_sandbox/state)"
echo "  events stored: $(db_sql "$DB_NAME" -e "SELECT COUNT(*) FROM events")," \
    "orders fetched: $(db_sql "$DB_NAME" -e "SELECT COUNT(*) FROM documents WHERE doc_type = 'order'")"
echo
http GET /healthz
echo "GET /healthz -> $HTTP_STATUS $HTTP_BODY"

if [ "$mode" = "--check" ]; then
	[ "$HTTP_STATUS" = 200 ] || exit 1
	echo "demo check passed; stopping."
	exit 0
fi
echo "Press Ctrl-C to stop everything."
while :; do sleep 3600 & wait $!; done
