# Shipment tests (tests/integration/sync-ship.test, reconcile.test):
# a database, the sandbox as ShipStation V1 and X3, a configuration with
# both clients, and helpers that create orders and labels in the sandbox
# and store them as documents with their job, the way the webhook fetch
# does. Sourced after stack.sh, sandbox.sh and x3.sh.

# ship_stack: database, migrations, sandbox, $CONF with both clients.
ship_stack() {
	stack_db
	write_conf
	stack_migrate
	x3_start --no-rate-limit
	sandbox_ss_conf v1
	x3_conf "$SB_URL"
}

q() { db_sql "$DB_NAME" -e "$1"; }

mkorder() {
	local o
	o=$(jq -nc --arg n "$1" --argjson items "$2" --argjson x "${3:-{\}}" \
	    '{orderNumber: $n, orderKey: ("key-" + $n),
	    orderDate: "2026-11-20T10:00:00", orderStatus: "awaiting_shipment",
	    customerEmail: "ap@acme-outdoor.example", billTo: {name: "Ana Lima"},
	    shipTo: {name: "Ana Lima", street1: "200 N Spring St",
	    city: "Los Angeles", state: "CA", postalCode: "90012",
	    country: "US"}, items: $items} + $x')
	v1 POST /orders/createorder --data "$o"
	[ "$SB_STATUS" = 200 ] || diag "createorder $1: $SB_STATUS $SB_BODY" >&2
	jqb .orderId
}
item() { jq -nc --arg s "$1" --argjson q "$2" \
    '{sku: $s, name: ("Item " + $s), quantity: $q, unitPrice: 10}'; }
items() { jq -sc . ; }

store_order() {
	v1 GET "/orders/$1"
	[ "$SB_STATUS" = 200 ] || bail "GET /orders/$1: $SB_STATUS"
	store_doc order "$1" "$(jqb -cS "${2:-.}")"
}
# label OID [ITEMS] [SHIPDATE]: a label for the order (some lines),
# shipped on SHIPDATE (default 2026-11-21); print its shipmentId.
label() {
	local b
	b=$(jq -nc --argjson o "$1" --argjson it "${2:-null}" --arg d "${3:-2026-11-21}" '{orderId: $o,
	    carrierCode: "stamps_com", serviceCode: "usps_priority_mail",
	    packageCode: "package", shipDate: $d} +
	    (if $it == null then {} else {shipmentItems: $it} end)')
	v1 POST /orders/createlabelfororder --data "$b"
	[ "$SB_STATUS" = 200 ] || diag "label $1: $SB_STATUS $SB_BODY" >&2
	jqb .shipmentId
}
# store_ship OID SID: as SHIP_NOTIFY's fetch stores it (no items).
store_ship() {
	v1 GET "/shipments?orderId=$1&includeShipmentItems=False&pageSize=500"
	store_doc shipment "$2" "$(jqb -cS --argjson s "$2" '.shipments[] | select(.shipmentId == $s)')"
}
# oitems OID SKU=QTY...: shipmentItems for createlabelfororder.
oitems() {
	local oid=$1
	shift
	v1 GET "/orders/$oid"
	jqb -c --arg want "$*" '[($want | split(" ") | map(split("=") | {(.[0]): (.[1] | tonumber)}) | add) as $w
	    | .items[] | select($w[.sku] != null) | {orderItemId, quantity: $w[.sku]}]'
}

state_of() { q "SELECT state FROM jobs WHERE kind = 'ss.$1' AND job_key = '$2'"; }
state_is() { [ "$(state_of "$1" "$2")" = "$3" ]; }
# dlv REF: the X3 deliveries carrying our key, as JSON array.
dlv() {
	sbx GET /_sandbox/state
	jqb -c --arg r "$1" '[.x3.deliveries[] | select(.YSHIPREF == $r)]'
}
ndlv() { dlv "$1" | jq length; }
x3order() {
	sbx GET /_sandbox/state
	jqb -c --arg n "SS$1" '.x3.orders[] | select(.SOHNUM == $n)'
}
stock() {
	sbx GET /_sandbox/state
	jqb --arg k "$1" '.x3.stock[] | select("\(.STOFCY)~\(.ITMREF)" == $k) | .QTYSTU | tonumber'
}
synced() { for o in "$@"; do state_is order "$o" done || return 1; done; }
# ship_maps: store 310001 -> US011, the sandbox's label carrier mapped.
ship_maps() {
	q "INSERT INTO maps (map_type, source_key, target) VALUES
	    ('store', '310001', '{\"salesSite\":\"US011\",\"orderType\":\"SON\",\"shippingSite\":\"US011\"}'),
	    ('carrier', 'stamps_com/usps_priority_mail', '{\"carrier\":\"USPS\",\"deliveryMode\":\"PRI\"}')"
}

