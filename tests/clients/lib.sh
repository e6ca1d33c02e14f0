# Shared by tests/clients/*.test: a database, the sandbox with known
# credentials, secret files, and a config with shipstation { } and
# x3 { } groups pointing at the sandbox. Sourced after stack.sh and
# sandbox.sh.

DRV=$top_builddir/tests/clients/ml-clients-drv
X3_CID=client-0123456789abcdef
X3_SECRET=x3-test-secret
X3_EP=SEED

clients_up() {
	stack_db
	write_conf
	stack_migrate
	stack_sandbox --x3-client-id "$X3_CID" --x3-secret "$X3_SECRET" \
	    --x3-user admin --x3-endpoint "$X3_EP" --x3-basic-user admin \
	    --x3-basic-password admin "$@"
	umask 077
	printf '%s\n' "$SB_KEY" >"$ML_TMP/ss.key"
	printf '%s\n' "$SB_SECRET" >"$ML_TMP/ss.secret"
	printf '%s\n' "$SB_V2_KEY" >"$ML_TMP/ss-v2.key"
	printf '%s\n' "$X3_SECRET" >"$ML_TMP/x3.secret"
	printf 'wrong\n' >"$ML_TMP/wrong.secret"
	printf 'admin\n' >"$ML_TMP/x3.password"
	umask 022
	cp "$CONF" "$ML_TMP/base.conf"
}

# client_conf: $CONF = base + groups built from these variables.
SS_API=v1
SS_BASE=
SS_KEYF=
SS_SECRETF=
SS_EXTRA=
SS_TIMEOUT=10
X3_BASE=
X3_ENDPOINT=
X3_SECRETF=
X3_EXTRA=
client_conf() {
	local base=${SS_BASE:-$SB_URL}
	cp "$ML_TMP/base.conf" "$CONF"
	cat >>"$CONF" <<CONF
shipstation: {
  api = "$SS_API";
  base_url = "$base";
  allow_http = true;
  key_file = "${SS_KEYF:-$ML_TMP/ss.key}";
  secret_file = "${SS_SECRETF:-$ML_TMP/ss.secret}";
  v2_key_file = "$ML_TMP/ss-v2.key";
  connect_timeout = 3;
  timeout = $SS_TIMEOUT;
  $SS_EXTRA
};
x3: {
  base_url = "${X3_BASE:-$SB_URL}";
  endpoint = "${X3_ENDPOINT:-$X3_EP}";
  allow_http = true;
  auth = "jwt";
  client_id = "$X3_CID";
  secret_file = "${X3_SECRETF:-$ML_TMP/x3.secret}";
  user = "admin";
  basic_user = "admin";
  basic_password_file = "$ML_TMP/x3.password";
  connect_timeout = 3;
  timeout = 10;
  $X3_EXTRA
};
CONF
}
