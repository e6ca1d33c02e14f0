# Order sync tests (sync-order-change, replay, x3-order): the database,
# the sandbox with X3, a configuration with an x3 { } group (and a
# shipstation { } one pointing at the sandbox), and helpers to create
# ShipStation orders in the sandbox and store them as the fetch does.
# Sourced after stack.sh, sandbox.sh and x3.sh; then call orders_setup
# [extra configuration text] and stack_poller.

q() { db_sql "$DB_NAME" -e "$1"; }

orders_setup() {
	stack_db
	write_conf
	stack_migrate
	# The ShipStation quota is not under test here.
	x3_start --no-rate-limit
	x3_conf "$SB_URL"
	[ -z "${1:-}" ] || printf '%s\n' "$1" >>"$CONF"
	sandbox_ss_conf v1
	# Store 310001 (Manual Orders) -> US011 / SON / US011.
	q "INSERT INTO maps (map_type, source_key, target) VALUES
	    ('store', '310001', '{\"salesSite\":\"US011\",\"orderType\":\"SON\",\"shippingSite\":\"US011\"}')"
}

# mkorder NUMBER EMAIL ITEMS_JSON [EXTRA_JSON]: create a V1 order in the
# sandbox, print its orderId.
mkorder() {
	local o
	o=$(jq -nc --arg n "$1" --arg e "$2" --argjson items "$3" \
	    --argjson x "${4:-{\}}" '{orderNumber: $n, orderKey: ("key-" + $n),
	    orderDate: "2026-11-20T10:00:00", orderStatus: "awaiting_shipment",
	    customerEmail: $e, billTo: {name: "Ana Lima"},
	    shipTo: {name: "Ana Lima", street1: "200 N Spring St",
	    city: "Los Angeles", state: "CA", postalCode: "90012",
	    country: "US"}, items: $items} + $x')
	v1 POST /orders/createorder --data "$o"
	[ "$SB_STATUS" = 200 ] || diag "createorder $1: $SB_STATUS $SB_BODY" >&2
	jqb .orderId
}

# store_body OID BODY: store an order's document body with its ss.order
# job (re-readied), as event_store_document does for new or changed content.
store_body() { store_doc order "$1" "$2"; }

# store OID: fetch the order from the sandbox and store it.
store() {
	v1 GET "/orders/$1"
	[ "$SB_STATUS" = 200 ] || bail "GET /orders/$1: $SB_STATUS"
	store_body "$1" "$(jqb -cS .)"
}

job_state() { q "SELECT state FROM jobs WHERE kind = '${2:-ss.order}' AND job_key = '$1'"; }
state_is() { [ "$(job_state "$1" "${3:-ss.order}")" = "$2" ]; }
job_id() { q "SELECT id FROM jobs WHERE kind = '${2:-ss.order}' AND job_key = '$1'"; }
# The X3 orders numbered NUMBER.
x3_order() {
	sbx GET /_sandbox/state
	jqb --arg n "$1" '[.x3.orders[]? // .orders[]? | select(.SOHNUM == $n)]'
}
x3_count() { x3_order "SS$1" | jq length; }

item() { jq -nc --arg s "$1" --argjson q "$2" --argjson p "$3" \
    '{sku: $s, name: ("Item " + $s), quantity: $q, unitPrice: $p}'; }
items() { jq -sc . ; }
# Nothing ready or running.
idle() { [ "$(q "SELECT COUNT(*) FROM jobs WHERE state IN ('ready', 'running')")" = 0 ]; }
