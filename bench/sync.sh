#!/bin/bash
# Sync benchmark (issue 5): end-to-end latency from the ShipStation
# webhook to the X3 sales order, and orders per minute, against the
# ShipStation quota ceiling measured in the same run.
#
# A release build (bench/lib.sh), one MariaDB, X3 in one sandbox (real
# clock), ShipStation in another at FACTOR times real time with
# real_limit on (docs/SANDBOX.md), so its 40 calls per minute are
# 40 x FACTOR per real minute and our quota (shipstation.rate_limit)
# paces to that. nginx and the FastCGI program take the webhooks; POLLERS
# pollers run the jobs. BATCHES imports of PER orders are made in
# ShipStation, one every GAP seconds (one ORDER_NOTIFY each, as an
# import does).
#
# Latency of an order = audit row of its X3 create (x3.salesOrder.create,
# ok) - received_at of the webhook event that brought its document.
# Orders per minute = orders / (last create - first webhook).
# Quota ceiling = V1 calls the sandbox answered 200 per real minute
# during a 5 s burst after the run, through the same key.
# Env: FACTOR (60), BATCHES (20), PER (25), GAP (1), POLLERS (2).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/lib/sandbox.sh"
. "$top_srcdir/tests/lib/webhooks.sh"
. "$top_srcdir/tests/lib/x3.sh"
. "$top_srcdir/tests/lib/e2e.sh"

FACTOR=${FACTOR:-60}
BATCHES=${BATCHES:-20}
PER=${PER:-25}
GAP=${GAP:-1}
POLLERS=${POLLERS:-2}
FCGI_VERBOSE=""
N=$((BATCHES * PER))

e2e_stack "$FACTOR"
q "INSERT INTO maps (map_type, source_key, target) VALUES ('store',
    '310001', '{\"salesSite\":\"US011\",\"orderType\":\"SON\",\"shippingSite\":\"US011\"}')"
for i in $(seq 1 "$POLLERS"); do e2e_poller "p$i"; done

echo "# $N orders in $BATCHES imports of $PER, one every $GAP s; ShipStation clock x$FACTOR; $POLLERS pollers"
for b in $(seq 1 "$BATCHES"); do
	jq -nc --argjson b "$b" --argjson per "$PER" '[range(0; $per) | {
	    orderNumber: ("BN-\($b)-\(.)"), orderKey: ("bn-\($b)-\(.)"),
	    orderDate: "2026-11-20T10:00:00", orderStatus: "awaiting_shipment",
	    customerEmail: "ap@acme-outdoor.example", billTo: {name: "Ana Lima"},
	    shipTo: {name: "Ana Lima", street1: "200 N Spring St",
	    city: "Los Angeles", state: "CA", postalCode: "90012", country: "US"},
	    items: [{sku: "BMSMN0201", name: "Mouse", quantity: 1, unitPrice: 22},
	    {sku: "CD100", name: "Café", quantity: 2, unitPrice: 18.75}]}]' >"$ML_TMP/b.json"
	ssv POST /orders/createorders --data-binary "@$ML_TMP/b.json"
	[ "$SB_STATUS" = 200 ] || { echo "createorders: $SB_STATUS"; exit 1; }
	sleep "$GAP"
done
done_all() { [ "$(q "SELECT COUNT(*) FROM links WHERE entity = 'order' AND x3_id IS NOT NULL")" -ge "$N" ]; }
wait_for 300 done_all || { echo "not all orders reached X3 within 300 s"; exit 1; }

# Per order: webhook received -> X3 create recorded, in ms.
q "SELECT ROUND(TIMESTAMPDIFF(MICROSECOND, e.received_at, a.at) / 1000)
    FROM audit a JOIN jobs j ON j.id = a.job_id AND j.kind = 'ss.order'
    JOIN documents d ON d.system = 'shipstation' AND d.doc_type = 'order'
     AND d.doc_id = j.job_key
    JOIN events e ON e.id = d.event_id
    WHERE a.action = 'x3.salesOrder.create' AND a.outcome = 'ok'" |
    sort -n >"$ML_TMP/lat.txt"
n=$(wc -l <"$ML_TMP/lat.txt")
pct() { sed -n "$(( ($n * $1 + 99) / 100 ))p" "$ML_TMP/lat.txt"; }
span=$(q "SELECT TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(received_at) FROM events),
    (SELECT MAX(at) FROM audit WHERE action = 'x3.salesOrder.create')) / 1000000")
opm=$(awk -v n="$n" -v s="$span" 'BEGIN { printf "%.0f", n * 60 / s }')
fetches=$(q "SELECT COUNT(*) FROM jobs WHERE kind = 'webhook.fetch'")

# The ceiling: V1 calls answered 200 in 5 real seconds, per minute,
# asked as fast as one keep-alive connection goes (past the quota).
urls=()
for i in $(seq 1 200); do urls+=(-o /dev/null "$SS_URL/stores"); done
t0=$(date +%s%N)
ok=0
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ]; do
	k=$(curl -s -u "$SB_KEY:$SB_SECRET" -w '%{http_code}\n' "${urls[@]}" | grep -c '^200$')
	ok=$((ok + k))
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ceil=$(awk -v ok="$ok" -v ms="$ms" 'BEGIN { printf "%.0f", ok * 60000 / ms }')

echo "orders synced:            $n of $N (one X3 sales order each)"
echo "latency webhook -> X3 SO: p50 $(pct 50) ms, p99 $(pct 99) ms, max $(tail -n 1 "$ML_TMP/lat.txt") ms"
echo "throughput:               $opm orders/min over $span s"
echo "ShipStation fetches:      $fetches webhook fetches for $N orders"
echo "quota ceiling (measured): $ceil V1 calls/min (= $(awk -v c="$ceil" -v f="$FACTOR" 'BEGIN { printf "%.1f", c / f }') per sandbox minute; ShipStation's 40)"
echo "ratio orders/min : quota calls/min = $(awk -v a="$opm" -v c="$ceil" 'BEGIN { printf "%.2f", a / c }')"
echo "at the real 40 calls/min, the fetches alone would allow $(awk -v n="$N" -v f="$fetches" 'BEGIN { printf "%.0f", 40 * n / f }') orders/min (imports of $PER)"
