# The end-to-end stack (tests/integration/e2e.test, bench/sync.sh): a
# database, X3 in one sandbox on the real clock (it checks our JWTs' iat
# and exp against its clock), ShipStation in a second sandbox on an
# accelerated clock, the FastCGI program behind nginx receiving the
# sandbox's webhooks, and pollers. Sourced after stack.sh, sandbox.sh,
# webhooks.sh and x3.sh.
#
#   e2e_stack FACTOR	everything up, webhooks subscribed
#   e2e_poller NAME	start (or restart) poller NAME; pid in $ML_TMP/NAME.pid
#   x3c / ssc PATH JSON	control API of the X3 / ShipStation sandbox
#   ssv METHOD PATH ...	ShipStation V1 call retried through faults

q() { db_sql "$DB_NAME" -e "$1"; }

X3_URL=
SS_URL=

e2e_stack() {
	local factor=${1:-60}
	stack_db
	write_conf
	# A transient failure is retried after 1 s, 2 s, 4 s... instead of
	# 30 s, 60 s...: what a retry does is unchanged, only when. The
	# lease is the shortest allowed, so a killed poller's jobs are taken
	# again after 10 s.
	sed -i -e 's/^  lease = 30;/  lease = 10;\n  retry_base = 1;/' "$CONF"
	stack_migrate
	x3_start --no-rate-limit
	X3_URL=$SB_URL
	stack_sandbox
	SS_URL=$SB_URL
	ssc /_sandbox/clock "{\"factor\":$factor}"
	[ "$SB_STATUS" = 200 ] || bail "cannot accelerate the ShipStation clock"
	ssc /_sandbox/config '{"real_limit":true}'
	sandbox_ss_conf v1
	# Our quota paces on the real clock: 40 calls per sandbox minute
	# are 40 x factor per real one.
	sed -i "s|^  v2_key_file = .*|&\n  rate_limit = $((40 * factor));|" "$CONF"
	NGINX_PORT=$(free_port)
	x3_conf "$X3_URL" 5
	hooks_conf "public_url = \"http://127.0.0.1:$NGINX_PORT\";"
	stack_fcgi
	free_port() { echo "$NGINX_PORT"; }
	stack_nginx
	wait_for 20 status_is /healthz 200 || bail "stack never became healthy"
	"$CTL_BIN" -f "$CONF" webhooks subscribe >"$ML_TMP/subscribe.txt" 2>&1 ||
	    bail "webhooks subscribe: $(cat "$ML_TMP/subscribe.txt")"
}

# e2e_poller NAME: a poller of its own, its pid in a file so that the
# chaos loop (a subshell) can kill and restart it.
e2e_poller() {
	"$POLLER_BIN" -d -v -f "$CONF" >>"$ML_TMP/poller-$1.log" 2>&1 &
	echo $! >"$ML_TMP/poller-$1.pid"
	# Killed on purpose: no job-control notice.
	disown $! 2>/dev/null
}

# Kill the pollers whose pids are in files (the chaos loop's, which
# the stack's trap does not know), then the stack's own cleanup.
e2e_cleanup() {
	local rc=$? f
	for f in "$ML_TMP"/poller-*.pid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	(exit $rc)
	stack_cleanup
}
trap e2e_cleanup EXIT

x3c() { local SB_URL=$X3_URL; ctl "$@"; }
ssc() { local SB_URL=$SS_URL; ctl "$@"; }
x3gq() { local SB_URL=$X3_URL; gq "$@"; }

# ssv METHOD PATH [curl args]: V1 call that retries through the faults
# the test injects (5xx, 429, dropped) for up to 30 s. Our own writes
# go through it: createorder is an upsert on orderKey and labels are
# never under a lose_response rule, so a retry cannot duplicate them.
ssv_try() {
	v1 "$@"
	case $SB_STATUS in 2??|400|404) return 0 ;; esac
	return 1
}
ssv() {
	local SB_URL=$SS_URL
	wait_for 30 ssv_try "$@" || diag "ssv $1 $2: $SB_STATUS $(printf '%s' "$SB_BODY" | head -c 200)" >&2
}

# Sandbox states as files for jq.
ss_state() { curl -sS --max-time 30 "$SS_URL/_sandbox/state" >"$ML_TMP/$1" || bail "ShipStation state"; }
x3_state() { curl -sS --max-time 30 "$X3_URL/_sandbox/state" >"$ML_TMP/$1" || bail "X3 state"; }

# poll_order OID / poll_ship OID SID: what the ShipStation poll does
# for an edited order or a voided label, which notify nobody (§3.2).
poll_order() {
	ssv GET "/orders/$1"
	[ "$SB_STATUS" = 200 ] || return 1
	store_doc order "$1" "$(jqb -cS .)"
}
poll_ship() {
	ssv GET "/shipments?orderId=$1&includeShipmentItems=False&pageSize=500"
	[ "$SB_STATUS" = 200 ] || return 1
	store_doc shipment "$2" "$(jqb -cS --argjson s "$2" '.shipments[] | select(.shipmentId == $s)')"
}

jobs_in() { q "SELECT COUNT(*) FROM jobs WHERE state IN ($1)"; }
