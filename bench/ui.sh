#!/bin/bash
# Admin UI page render benchmark (issue 7): 100,000 ShipStation orders
# in the database (documents, their ss.order jobs in every state, links,
# two audit rows each, 100,000 done webhook.fetch jobs, 50,000 shipment
# documents), then signed-in GETs through nginx, one at a time on a kept
# connection, of the dashboard, the order list (first and deep keyset
# pages), searches by order number and by customer, and order pages.
# Prints p50/p99/max per page against the target p99 <= 20 ms.
# Env: N (requests per page kind, default 200), DB_BUFFER_POOL (512M).
# Exits 1 if a target fails.
. "$(dirname "$0")/lib.sh"

N=${N:-200}
# A database server's buffer pool holds its working set; the tests'
# 64 MB would make this a disk benchmark.
DB_BUFFER_POOL=${DB_BUFFER_POOL:-512M}
ORDERS=100000
TARGET_MS=20
FCGI_VERBOSE=""		# no per-request debug lines while measuring

stack_db
write_conf
stack_migrate
q() { db_sql "$DB_NAME" -e "$1"; }

t0=$(date +%s)
sed "s/@ORDERS@/$ORDERS/g" "$bench_top/bench/ui-seed.sql" | db_sql "$DB_NAME" >/dev/null ||
    bail "seeding failed"
echo "seeded $ORDERS orders, $(q "SELECT COUNT(*) FROM jobs") jobs, $(q "SELECT COUNT(*) FROM audit") audit rows in $(( $(date +%s) - t0 )) s"

stack_fcgi
stack_nginx
wait_for 20 status_is /healthz 200 || bail "stack never became healthy"
printf 'bench-password-1\n' | "$CTL_BIN" -f "$CONF" user add bench --role viewer >/dev/null ||
    bail "cannot add the user"
JAR=$ML_TMP/jar
curl -s -c "$JAR" -b "$JAR" -o "$ML_TMP/login.html" "$BASE_URL/admin/login"
pre=$(grep -o 'name="pre" value="[0-9a-f]*"' "$ML_TMP/login.html" | sed 's/.*value="//; s/"//')
code=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' \
    --data "pre=$pre&username=bench&password=bench-password-1" "$BASE_URL/admin/login")
[ "$code" = 303 ] || bail "sign-in failed: $code"

# urls KIND: N URLs of that kind, random where it matters.
urls() {
	local i r
	for i in $(seq 1 "$N"); do
		r=$(( (RANDOM << 15 | RANDOM) % ORDERS + 1 ))
		case $1 in
		dashboard) echo "$BASE_URL/admin/" ;;
		list) echo "$BASE_URL/admin/orders" ;;
		list-deep) echo "$BASE_URL/admin/orders?before=$r" ;;
		list-held) echo "$BASE_URL/admin/orders?state=held" ;;
		search-number) printf '%s/admin/orders?q=ORD-%07d\n' "$BASE_URL" "$r" ;;
		search-prefix) printf '%s/admin/orders?q=ORD-%04d\n' "$BASE_URL" $((r / 1000)) ;;
		search-customer) echo "$BASE_URL/admin/orders?by=customer&q=buyer$((r % 5000))%40" ;;
		order) echo "$BASE_URL/admin/order?id=$((20000000 + r))" ;;
		errors) echo "$BASE_URL/admin/errors" ;;
		esac
	done
}

fail=0
printf '%-16s %6s %8s %8s %8s  %s\n' page n p50_ms p99_ms max_ms "target p99 <= $TARGET_MS ms"
for kind in dashboard list list-deep list-held search-number search-prefix \
    search-customer order errors; do
	urls "$kind" | sed 's/^\(.*\)$/output = "\/dev\/null"\nurl = "\1"/' >"$ML_TMP/urls"
	# One curl, one kept connection, the requests one after another;
	# a warm-up pass first so that caches are as in steady use.
	curl -s -b "$JAR" -K "$ML_TMP/urls" >/dev/null
	curl -s -b "$JAR" -K "$ML_TMP/urls" -w '%{http_code} %{time_total}\n' >"$ML_TMP/times"
	bad=$(awk '$1 != 200' "$ML_TMP/times" | wc -l)
	read -r p50 p99 max < <(awk '{ print $2 * 1000 }' "$ML_TMP/times" | sort -n |
	    awk '{ a[NR] = $1 } END { i50 = int(NR * 0.50 + 0.5); i99 = int(NR * 0.99 + 0.5);
	        if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1;
	        printf "%.2f %.2f %.2f\n", a[i50], a[i99], a[NR] }')
	verdict=ok
	if [ "$bad" -gt 0 ] || awk -v p="$p99" -v t="$TARGET_MS" 'BEGIN { exit !(p > t) }'; then
		verdict="FAIL${bad:+ ($bad non-200)}"
		fail=1
	fi
	printf '%-16s %6s %8s %8s %8s  %s\n' "$kind" "$N" "$p50" "$p99" "$max" "$verdict"
done
exit $fail
