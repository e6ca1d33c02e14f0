# The sandbox (ShipStation and X3 stand-ins) for tests: start it on a
# free loopback port, wait for it with a deadline, and talk to it.
# Sourced after tests/lib/stack.sh, whose exit trap stops it by PID.
#
#   stack_sandbox [ml-connector-sandbox flags...]
#   v1 METHOD PATH [curl args]	ShipStation V1 with Basic auth
#   v2 METHOD PATH [curl args]	ShipStation V2 with API-Key
#   sbx METHOD PATH [curl args]	no credentials (control API, probes)
# Each sets SB_STATUS, SB_BODY and SB_HDRS (the header block, CRs
# removed); hdr NAME prints one header's value from SB_HDRS.

: "${ML_TMP:?source tests/lib/stack.sh first}"

SANDBOX_BIN=${SANDBOX_BIN:-$top_builddir/sandbox/ml-connector-sandbox}
# Documented defaults (docs/SANDBOX.md).
SB_KEY=ShipStation
SB_SECRET=Rocks
SB_V2_KEY=TEST_sandbox_v2_api_key
SB_PID=
SB_PORT=
SB_URL=
SB_STATUS=
SB_BODY=
SB_HDRS=

sandbox_up() {
	kill -0 "$SB_PID" 2>/dev/null || bail "sandbox exited (see sandbox.log)"
	[ -s "$ML_TMP/sandbox.port" ]
}

stack_sandbox() {
	rm -f "$ML_TMP/sandbox.port"
	"$SANDBOX_BIN" -p 0 -P "$ML_TMP/sandbox.port" "$@" \
	    >>"$ML_TMP/sandbox.log" 2>&1 &
	SB_PID=$!
	track_pid "$SB_PID"
	wait_for 20 sandbox_up || bail "sandbox did not start in 20 s"
	SB_PORT=$(cat "$ML_TMP/sandbox.port")
	SB_URL=http://127.0.0.1:$SB_PORT
}

sbx() {
	local method=$1 path=$2 how
	shift 2
	how="-X $method"
	[ "$method" = HEAD ] && how=--head
	rm -f "$ML_TMP/sb.body" "$ML_TMP/sb.hdrs"
	SB_STATUS=$(curl -sS -o "$ML_TMP/sb.body" -D "$ML_TMP/sb.hdrs" \
	    -w '%{http_code}' $how --max-time 20 "$@" \
	    "$SB_URL$path" 2>"$ML_TMP/sb.err") || true
	SB_BODY=$(cat "$ML_TMP/sb.body" 2>/dev/null)
	SB_HDRS=$(tr -d '\r' <"$ML_TMP/sb.hdrs" 2>/dev/null)
}

v1() {
	local method=$1 path=$2
	shift 2
	sbx "$method" "$path" -u "$SB_KEY:$SB_SECRET" \
	    -H 'Content-Type: application/json' "$@"
}

v2() {
	local method=$1 path=$2
	shift 2
	sbx "$method" "$path" -H "API-Key: $SB_V2_KEY" \
	    -H 'Content-Type: application/json' "$@"
}

# ctl PATH JSON: POST to the control API.
ctl() {
	sbx POST "$1" -H 'Content-Type: application/json' --data "$2"
}

hdr() {
	printf '%s\n' "$SB_HDRS" | sed -n "s/^$1: //Ip" | tail -n 1
}

# jqb FILTER: run jq over the last body.
jqb() {
	printf '%s' "$SB_BODY" | jq -r "$@"
}

# sandbox_ss_conf [v1|v2]: point $CONF's ShipStation client at the
# sandbox, with its documented credentials in mode-0600 files.
sandbox_ss_conf() {
	printf '%s\n' "$SB_KEY" >"$ML_TMP/ss.key"
	printf '%s\n' "$SB_SECRET" >"$ML_TMP/ss.secret"
	printf '%s\n' "$SB_V2_KEY" >"$ML_TMP/ss.v2key"
	chmod 600 "$ML_TMP/ss.key" "$ML_TMP/ss.secret" "$ML_TMP/ss.v2key"
	cat >>"$CONF" <<CONF
shipstation: {
  api = "${1:-v1}";
  base_url = "$SB_URL";
  allow_http = true;
  key_file = "$ML_TMP/ss.key";
  secret_file = "$ML_TMP/ss.secret";
  v2_key_file = "$ML_TMP/ss.v2key";
};
CONF
}
