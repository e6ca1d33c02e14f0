# Shared by tests/integration/poll*.test: a database, the sandbox, a
# configuration whose poller polls every second with a 30 s overlap and
# pages of 5, and helpers to make and inspect ShipStation orders.
# Sourced after stack.sh, sandbox.sh and x3.sh.

stack_db
write_conf
stack_migrate
x3_start --no-rate-limit
printf '%s\n' "$SB_KEY" >"$ML_TMP/ss.key"
printf '%s\n' "$SB_SECRET" >"$ML_TMP/ss.secret"
chmod 600 "$ML_TMP/ss.key" "$ML_TMP/ss.secret"
# Polls every second, a 30 s overlap, pages of 5 so that windows and
# pages both matter.
sed -i 's|^  poll_interval = 0;|  poll_interval = 1;\n  poll_overlap = 30;\n  poll_backfill = 3600;\n  poll_ss_customers = false;\n  poll_x3_customers = false;\n  poll_x3_products = false;|' "$CONF"
cat >>"$CONF" <<CONF
shipstation: {
  api = "v1";
  base_url = "$SB_URL";
  allow_http = true;
  key_file = "$ML_TMP/ss.key";
  secret_file = "$ML_TMP/ss.secret";
  page_size = 5;
  retries = 2;
};
CONF
cp "$CONF" "$ML_TMP/ss-only.conf"

q() { db_sql "$DB_NAME" -e "$1"; }
cursor() { q "SELECT IFNULL(position, 'NULL') FROM cursors WHERE name = '$1'"; }
ndocs() { q "SELECT COUNT(*) FROM documents WHERE system = 'shipstation' AND doc_type = 'order'"; }
ndocs_is() { [ "$(ndocs)" -ge "$1" ]; }
advance() { ctl /_sandbox/clock "{\"advance_ms\": $1}" >/dev/null; }

# mkorder NUMBER [STATUS]: create (or, same number, change) an order in
# the sandbox at the sandbox's clock; prints its orderId.
mkorder() {
	local o
	o=$(jq -nc --arg n "$1" --arg s "${2:-awaiting_shipment}" \
	    '{orderNumber: $n, orderKey: ("key-" + $n),
	    orderDate: "2026-11-20T10:00:00", orderStatus: $s,
	    customerEmail: "ap@acme-outdoor.example", billTo: {name: "Ana Lima"},
	    shipTo: {name: "Ana Lima", street1: "1 Main St", city: "Reno",
	    state: "NV", postalCode: "89501", country: "US"},
	    items: [{sku: "CD100", name: "CD", quantity: 1, unitPrice: 12.5}]}')
	v1 POST /orders/createorder --data "$o"
	[ "$SB_STATUS" = 200 ] || diag "createorder $1: $SB_STATUS $SB_BODY" >&2
	jqb .orderId
}
# The UTC time of an order's modifyDate, as our cursors write it.
mod_utc() {
	v1 GET "/orders/$1"
	date -u -d "TZ=\"America/Los_Angeles\" $(jqb .modifyDate |
	    cut -c1-19 | tr T ' ')" +%Y-%m-%dT%H:%M:%S
}
log_has() { grep -q -- "$2" "$ML_TMP/$1"; }


stored() { [ "$(q "SELECT COUNT(*) FROM documents WHERE doc_type = 'order' AND doc_id = '$1'")" = 1 ]; }
