#!/bin/bash
# Where a webhook worker's resident memory goes: drives our endpoint for
# a few seconds, then prints the worker's RSS by mapping (largest first).
. "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-3}
FCGI_VERBOSE=""
stack_db
write_conf
mkdir -p "$ML_TMP/nginx"
. "$top_srcdir/tests/lib/webhooks.sh"
. "$top_srcdir/tests/lib/sandbox.sh"
stack_sandbox
hooks_conf
sandbox_ss_conf v1
stack_migrate
stack_fcgi
stack_nginx
wait_for 20 status_is /healthz 200 || bail "stack not healthy"
BENCH_PATH=/hooks/shipstation/v1/$HOOK_SECRET BENCH_BASE=$SB_URL BENCH_RUN=rss-$RANDOM \
    wrk -t1 -c16 -d"${DURATION}s" --latency -s "$bench_top/bench/webhook.lua" \
    "$BASE_URL/hooks/shipstation/v1/$HOOK_SECRET" | grep -E "^(RPS|P99_MS)"
bysize() {
	awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; if(name=="")name="[anon]"} /^Rss:/{rss[name]+=$2} END{for(n in rss) if(rss[n]>=64) printf "%6d kB %s\n", rss[n], n}' "$@" | sort -rn | head -25
}
cc -O2 -o "$ML_TMP/rss-floor" "$bench_top/bench/rss-floor.c" \
    $(pkg-config --cflags --libs libcurl libcrypto libmariadb) || bail "cc"
echo "== floor: RSS $(RSS_FLOOR_SMAPS=1 "$ML_TMP/rss-floor" "$DB_SOCK" "$DB_USER" \
    "$DB_PASSWORD" "$SB_URL/_sandbox/health" 2>"$ML_TMP/floor.smaps") kB"
bysize "$ML_TMP/floor.smaps"
for pid in $(pgrep -P "$FCGI_PID" | head -1); do
	echo "== worker $pid: $(grep -E '^(VmRSS|RssAnon|RssFile|Threads)' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
	bysize /proc/$pid/smaps
done
for pid in $(pgrep -P "$FCGI_PID" | head -1); do
	echo "== anonymous mappings of $pid (size, rss kB)"
	awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; sz=0} /^Size:/{sz=$2} /^Rss:/{ if (name=="" || name ~ /^\[/) printf "%8d %6d %s\n", sz, $2, name }' /proc/$pid/smaps | sort -k2 -rn | head -30
done
