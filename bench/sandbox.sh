#!/bin/bash
# Benchmark the sandbox: wrk over loopback, rate limits off, against
# the endpoints a connector benchmark hits most. Prints req/s per
# endpoint and exits non-zero if any is below the floor (issue 3:
# 2,000 req/s on a 2-core box). Not part of make check.
#
#   bench/sandbox.sh [-d seconds] [-c connections] [-t threads]
#
# Uses $SANDBOX_BIN, else the build tree's sandbox/ml-connector-sandbox.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SANDBOX_BIN:-$here/sandbox/ml-connector-sandbox}
FLOOR=${FLOOR:-2000}
dur=10 conns=32 threads=2
while getopts d:c:t: o; do
	case $o in
	d) dur=$OPTARG ;;
	c) conns=$OPTARG ;;
	t) threads=$OPTARG ;;
	*) echo "usage: $0 [-d secs] [-c conns] [-t threads]" >&2; exit 2 ;;
	esac
done
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no sandbox binary at $BIN (build first)" >&2; exit 2; }

tmp=$(mktemp -d)
"$BIN" -p 0 -P "$tmp/port" --no-rate-limit >"$tmp/log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
	[ -s "$tmp/port" ] && break
	kill -0 $pid 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
	sleep 0.05
done
[ -s "$tmp/port" ] || { echo "sandbox did not start" >&2; exit 1; }
url=http://127.0.0.1:$(cat "$tmp/port")
curl -sf -X POST "$url/_sandbox/seed" -d '{"seed":1,"orders":500}' >/dev/null ||
    { echo "seeding failed" >&2; exit 1; }
auth="Authorization: Basic $(printf 'ShipStation:Rocks' | base64)"
id=$(curl -sf -H "$auth" "$url/orders?pageSize=1" | jq -r '.orders[0].orderId')

rc=0
run() {	# run NAME PATH [wrk args]
	local name=$1 path=$2 rps
	shift 2
	rps=$(wrk -t"$threads" -c"$conns" -d"${dur}s" "$@" "$url$path" |
	    awk '/^Requests\/sec:/ { printf "%d", $2 }')
	printf '%-40s %8s req/s\n' "$name" "${rps:-0}"
	[ "${rps:-0}" -ge "$FLOOR" ] || rc=1
}
run "GET /orders/{id} (V1, Basic auth)" "/orders/$id" -H "$auth"
run "GET /orders?pageSize=10 (V1 list)" "/orders?pageSize=10&orderStatus=awaiting_shipment" -H "$auth"
run "GET /v2/shipments/{id} (V2, API-Key)" "/v2/shipments/se-$id" -H "API-Key: TEST_sandbox_v2_api_key"
run "GET /_sandbox/health (front only)" "/_sandbox/health"
[ $rc -eq 0 ] && echo "ok: every endpoint at or above $FLOOR req/s" ||
    echo "FAIL: below $FLOOR req/s" >&2
exit $rc
