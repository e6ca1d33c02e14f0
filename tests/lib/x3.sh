# Helpers for the X3 sandbox tests (tests/sandbox/x3-*.test): start the
# sandbox with known connected-app credentials, mint JWTs, call GraphQL
# and REST api1. Sourced after tests/lib/sandbox.sh.
X3_CID=test-client-0123456789abcdef
X3_SECRET=test-x3-secret
X3_EP=SEED
x3_start() {
	stack_sandbox --x3-client-id "$X3_CID" --x3-secret "$X3_SECRET" \
	    --x3-user admin --x3-endpoint "$X3_EP" --x3-basic-user admin \
	    --x3-basic-password admin "$@"
}
# x3_conf URL [TIMEOUT]: append to $CONF the x3 group for the sandbox at
# URL, signing in as the connected app (secret in a 0600 file).
x3_conf() {
	umask 077
	printf '%s\n' "$X3_SECRET" >"$ML_TMP/x3.secret"
	umask 022
	cat >>"$CONF" <<CONF
x3: {
  base_url = "$1";
  endpoint = "$X3_EP";
  allow_http = true;
  auth = "jwt";
  client_id = "$X3_CID";
  secret_file = "$ML_TMP/x3.secret";
  user = "admin";
  connect_timeout = 3;
  timeout = ${2:-10};
};
CONF
}
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
# jwt PAYLOAD [SECRET] [HEADER]
jwt() {
	local h p s
	h=$(printf '%s' "${3:-{\"alg\":\"HS256\",\"typ\":\"JWT\"}}" | b64url)
	p=$(printf '%s' "$1" | b64url)
	s=$(printf '%s.%s' "$h" "$p" |
	    openssl dgst -sha256 -hmac "${2:-$X3_SECRET}" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}
# The sandbox clock in seconds (tests may shift it).
sbnow() { curl -s "$SB_URL/_sandbox/clock" | jq -r '.now_ms / 1000 | floor'; }
# claims ISS SUB AUD IAT EXP
claims() {
	jq -nc --arg iss "$1" --arg sub "$2" --arg aud "$3" --argjson iat "$4" \
	    --argjson exp "$5" '{iss:$iss, sub:$sub, aud:$aud, iat:$iat, exp:$exp}'
}
token() { local n; n=$(sbnow); jwt "$(claims "$X3_CID" admin "" $((n - 30)) $((n + 200)))"; }
# gq QUERY [VARIABLES] [TOKEN]: POST /xtrem/api
gq() {
	sbx POST /xtrem/api -H "Authorization: Bearer ${3:-$(token)}" \
	    -H "x-xtrem-endpoint: $X3_EP" -H 'Content-Type: application/json' \
	    --data "$(jq -nc --arg q "$1" --argjson v "${2:-{\}}" \
	    '{query: $q, variables: $v}')"
}
rest() {
	local m=$1 p=$2
	shift 2
	sbx "$m" "/api1/x3/erp/$X3_EP/$p" -g -u admin:admin \
	    -H 'Content-Type: application/json' "$@"
}
