# Helpers for webhook tests: a V1 secret, a V2 signing key served as a
# JWKS by nginx, signing and posting.

HOOK_SECRET=
V2_KEY=
JWKS_URL=

# hooks_conf [extra settings]: append a webhooks group to $CONF.
hooks_conf() {
	HOOK_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	umask 077
	printf '%s\n' "$HOOK_SECRET" >"$ML_TMP/hook.secret"
	umask 022
	cat >>"$CONF" <<CONF
webhooks: {
  v1_secret_file = "$ML_TMP/hook.secret";
  max_body = ${HOOKS_MAX_BODY:-65536};
  v2_jwks_url = "${JWKS_URL:-http://127.0.0.1:1/jwks}";
  jwks_allow_http = true;
  v2_tolerance = 300;
  # Tests wait on the sweep: seconds, not the default 10.
  sweep_after = ${HOOKS_SWEEP_AFTER:-1};
  $*
};
CONF
}

# A test RSA key and its JWKS, served by nginx on a second port.
hooks_jwks() {
	local port hex n
	V2_KEY=$ML_TMP/v2-key.pem
	openssl genrsa -out "$V2_KEY" 2048 2>/dev/null || bail "openssl genrsa"
	hex=$(openssl rsa -in "$V2_KEY" -noout -modulus | sed 's/^Modulus=//')
	n=$(printf '%s' "$hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' |
	    base64 -w0 | tr '+/' '-_' | tr -d '=')
	printf '{"keys":[{"kty":"RSA","kid":"test-key-1","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}' \
	    "$n" >"$ML_TMP/jwks.json"
	port=$(free_port) || bail "no free port"
	cat >"$ML_TMP/nginx/extra-jwks.conf" <<NGINX
server {
	listen 127.0.0.1:$port;
	location = /jwks { default_type application/json; alias $ML_TMP/jwks.json; }
}
NGINX
	JWKS_URL=http://127.0.0.1:$port/jwks
}

# v2_post BODY [TIMESTAMP] [KID]: POST a signed V2 webhook.
v2_post() {
	local body=$1 ts=${2:-$(date -u +%Y-%m-%dT%H:%M:%S.000Z)} kid=${3:-test-key-1} sig
	sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -sign "$V2_KEY" | base64 -w0)
	http POST /hooks/shipstation/v2 -H 'Content-Type: application/json' \
	    -H "x-shipengine-rsa-sha256-key-id: $kid" \
	    -H "x-shipengine-rsa-sha256-signature: $sig" \
	    -H "x-shipengine-timestamp: $ts" --data-binary "$body"
}

# v1_post BODY [SECRET] [CONTENT-TYPE]
v1_post() {
	http POST "/hooks/shipstation/v1/${2-$HOOK_SECRET}" \
	    -H "Content-Type: ${3:-application/json}" --data-binary "$1"
}
