# The integration stack: a throwaway MariaDB, nginx on a free loopback
# port with a config generated from nginx.conf.example, and our programs.
# Every process started here is recorded and stopped by PID on exit,
# whether the test passed, failed or crashed.
#
# Sourced by tests/integration/*.test and by the demo script. Needs
# top_srcdir and top_builddir; leaves its files in $ML_TMP.

set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lib/tap.sh"

ML_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ml-test.XXXXXX")
chmod 755 "$ML_TMP"
ML_PIDS=""
ML_KEEP=${ML_KEEP:-0}

FCGI_BIN=$top_builddir/fcgi/ml-connector.fcgi
POLLER_BIN=$top_builddir/poller/ml-poller
CTL_BIN=$top_builddir/ctl/ml-connector-ctl

# stop_pid PID [GRACE_SECONDS]: TERM, wait, then KILL.
stop_pid() {
	local pid=$1 grace=${2:-10} i=0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((grace * 20)) ]; then
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	return 0
}

track_pid() {
	ML_PIDS="$1 $ML_PIDS"
}

untrack_pid() {
	ML_PIDS=$(echo " $ML_PIDS " | sed "s/ $1 / /")
}

stack_cleanup() {
	local rc=$? pid
	for pid in $ML_PIDS; do
		stop_pid "$pid" 10
	done
	if [ "${TAP_N:-0}" -gt 0 ] || [ $rc -ne 0 ]; then
		if [ $rc -ne 0 ] && [ "$TAP_DONE" = 0 ]; then
			tap_result 1 "test script exited early with status $rc"
		fi
		tap_done
	fi
	if [ "$ML_KEEP" = 1 ] || [ "${TAP_FAILED:-0}" -gt 0 ]; then
		for f in "$ML_TMP"/*.log; do
			[ -f "$f" ] || continue
			echo "# ---- $f (last 30 lines)"
			tail -n 30 "$f" | sed 's/^/# /'
		done
	fi
	[ "$ML_KEEP" = 1 ] || rm -rf "$ML_TMP"
	[ "${TAP_FAILED:-0}" -eq 0 ] || exit 1
	exit $rc
}
trap stack_cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 nobody listens on right now.
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$(( (RANDOM << 1 | RANDOM & 1) % 30000 + 20000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ---- MariaDB ---------------------------------------------------------

DB_DIR=$ML_TMP/mariadb
DB_SOCK=$ML_TMP/mariadb.sock
DB_NAME=ml_connector
DB_USER=ml_connector
DB_PASSWORD=
DB_PID=

db_sql() {
	mariadb --no-defaults -S "$DB_SOCK" -uroot --batch --skip-column-names "$@"
}

db_alive() {
	mariadb-admin --no-defaults -S "$DB_SOCK" -uroot ping >/dev/null 2>&1
}

db_start_server() {
	mariadbd --no-defaults --datadir="$DB_DIR" --socket="$DB_SOCK" \
	    --skip-networking --user="$(id -un)" \
	    --pid-file="$ML_TMP/mariadb.pid" --log-error="$ML_TMP/mariadb.log" \
	    --innodb-buffer-pool-size=${DB_BUFFER_POOL:-64M} --innodb-log-file-size=${DB_LOG_FILE_SIZE:-16M} \
	    ${DB_IO_CAPACITY:+--innodb-io-capacity=$DB_IO_CAPACITY} \
	    --skip-name-resolve --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_bin >/dev/null 2>&1 &
	DB_PID=$!
	track_pid "$DB_PID"
	wait_for 60 db_alive || bail "mariadbd did not start (see mariadb.log)"
}

db_stop_server() {
	stop_pid "$DB_PID" 30
	untrack_pid "$DB_PID"
	DB_PID=
}

# Create the datadir, the schema and an application user with a password
# that our programs read from a mode-0600 file.
stack_db() {
	# mariadb-install-db takes seconds; a pristine datadir made once
	# per build and copied per test takes a fraction of one.
	local tpl=${ML_DB_TEMPLATE:-$top_builddir/tests/mariadb-template}
	if [ ! -d "$tpl/mysql" ]; then
		mkdir -p "$(dirname "$tpl")"
		(
			flock 9
			if [ ! -d "$tpl/mysql" ]; then
				rm -rf "$tpl.tmp"
				mariadb-install-db --no-defaults --datadir="$tpl.tmp" \
				    --user="$(id -un)" \
				    --auth-root-authentication-method=socket \
				    --skip-test-db >"$ML_TMP/mariadb-install.txt" 2>&1 &&
				    mv "$tpl.tmp" "$tpl"
			fi
		) 9>"$tpl.lock"
	fi
	[ -d "$tpl/mysql" ] || bail "mariadb-install-db failed"
	cp -a "$tpl" "$DB_DIR" || bail "cannot copy the datadir template"
	db_start_server
	DB_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	db_sql -e "CREATE DATABASE $DB_NAME;
	    CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
	    GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';" ||
	    bail "cannot create the test database"
	umask 077
	printf '%s\n' "$DB_PASSWORD" >"$ML_TMP/db.password"
	umask 022
}

# ---- configuration ---------------------------------------------------

CONF=$ML_TMP/ml-connector.conf
FCGI_SOCK=$ML_TMP/fcgi.sock
FCGI_MAX_BODY=${FCGI_MAX_BODY:-1048576}

# Extra poller settings for write_conf. Background work a test does not
# ask for stays off: a scheduled reconcile would make X3 and ShipStation
# calls at moments of its own and take the faults a test arms for a job.
POLLER_EXTRA=${POLLER_EXTRA-reconcile_interval = 0;}

write_conf() {
	cat >"$CONF" <<CONF
instance = "test";
paths: {
  sql_dir = "$top_srcdir/sql";
  ui_dir = "$top_srcdir/admin-ui";
};
database: {
  socket = "$DB_SOCK";
  name = "$DB_NAME";
  user = "$DB_USER";
  password_file = "$ML_TMP/db.password";
  connect_timeout = 2;
};
fcgi: {
  listen = "$FCGI_SOCK";
  workers = ${FCGI_WORKERS:-2};
  threads = ${FCGI_THREADS:-16};
  max_body = $FCGI_MAX_BODY;
};
poller: {
  interval = 1;
  lease = 30;
  lock_file = "$ML_TMP/poller.lock";
  $POLLER_EXTRA
  # Polls off: a test that is about them turns them on (tests/lib/poll.sh).
  poll_interval = 0;
};
CONF
}

# store_doc TYPE ID BODY: a record stored and its job re-queued, as the
# fetch and the polls store new or changed content (event.c).
store_doc() {
	local hex hash
	hex=$(printf '%s' "$3" | xxd -p | tr -d '\n')
	hash=$(printf '%s' "$3" | sha256sum | cut -d' ' -f1)
	db_sql "$DB_NAME" -e "INSERT INTO documents
	    (system, doc_type, doc_id, content_hash, body) VALUES ('shipstation', '$1', '$2', '$hash',
	    CONVERT(UNHEX('$hex') USING utf8mb4))
	    ON DUPLICATE KEY UPDATE body = VALUES(body),
	    content_hash = VALUES(content_hash);
	    INSERT INTO jobs (kind, job_key, priority) VALUES ('ss.$1', '$2', 3)
	    ON DUPLICATE KEY UPDATE state = 'ready', attempts = 0,
	    next_attempt_at = NOW(6)"
}

stack_migrate() {
	"$CTL_BIN" -f "$CONF" migrate >"$ML_TMP/migrate.log" 2>&1 ||
	    bail "migrate failed: $(cat "$ML_TMP/migrate.log")"
}

# ---- FastCGI program and poller -------------------------------------

FCGI_PID=

stack_fcgi() {
	"$FCGI_BIN" -d ${FCGI_VERBOSE--v} -f "$CONF" -s "$FCGI_SOCK" "$@" >>"$ML_TMP/fcgi.log" 2>&1 &
	FCGI_PID=$!
	track_pid "$FCGI_PID"
	wait_for 20 test -S "$FCGI_SOCK" || bail "FastCGI socket never appeared"
}

POLLER_PID=

stack_poller() {
	"$POLLER_BIN" -d -v -f "$CONF" "$@" >>"$ML_TMP/poller.log" 2>&1 &
	POLLER_PID=$!
	track_pid "$POLLER_PID"
}

# ---- nginx -----------------------------------------------------------

NGINX_PORT=
NGINX_PID=
BASE_URL=

# The server block comes from nginx.conf.example; only the listen port
# and the FastCGI socket change.
stack_nginx() {
	local try
	mkdir -p "$ML_TMP/nginx"
	for try in 1 2 3 4 5; do
		NGINX_PORT=$(free_port) || bail "no free port"
		sed -e "s|listen 127.0.0.1:8080;|listen 127.0.0.1:$NGINX_PORT;|" \
		    -e "s|unix:/run/ml-connector/fcgi.sock|unix:$FCGI_SOCK|" \
		    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
		    -e "s|client_max_body_size 1m;|client_max_body_size ${NGINX_MAX_BODY:-1m};|" \
		    -e "s|client_max_body_size 64k;|client_max_body_size ${NGINX_HOOKS_MAX_BODY:-64k};|" \
		    -e "s|/var/log/nginx/ml-connector-hooks.log|$ML_TMP/nginx-hooks.log|" \
		    -e "${NGINX_SED:-s|^\$||}" \
		    "$top_srcdir/nginx.conf.example" >"$ML_TMP/nginx/site.conf"
		cat >"$ML_TMP/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $ML_TMP/nginx/nginx.pid;
error_log $ML_TMP/nginx.log info;
daemon off;
user $(id -un);
events { worker_connections 1024; }
http {
	access_log $ML_TMP/nginx-access.log;
	client_body_temp_path $ML_TMP/nginx/body;
	fastcgi_temp_path $ML_TMP/nginx/fastcgi;
	proxy_temp_path $ML_TMP/nginx/proxy;
	uwsgi_temp_path $ML_TMP/nginx/uwsgi;
	scgi_temp_path $ML_TMP/nginx/scgi;
	include $ML_TMP/nginx/site.conf;
	include $ML_TMP/nginx/extra*.conf;
}
NGINX
		rm -f "$ML_TMP/nginx/nginx.pid"
		nginx -p "$ML_TMP/nginx" -c "$ML_TMP/nginx/nginx.conf" \
		    >>"$ML_TMP/nginx.log" 2>&1 &
		NGINX_PID=$!
		track_pid "$NGINX_PID"
		BASE_URL=http://127.0.0.1:$NGINX_PORT
		if wait_for 10 nginx_up; then
			return 0
		fi
		stop_pid "$NGINX_PID"
		untrack_pid "$NGINX_PID"
	done
	bail "nginx did not start"
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# nginx_up: our nginx listens. The port alone is not proof: another
# test may have taken the port free_port picked, and then our nginx
# fails to bind while the port answers. nginx writes its pid file only
# once its listening sockets are bound.
nginx_up() {
	[ -s "$ML_TMP/nginx/nginx.pid" ] && kill -0 "$NGINX_PID" 2>/dev/null &&
	    port_open "$NGINX_PORT"
}

# ---- HTTP helpers ----------------------------------------------------

# http METHOD PATH [curl args...]: sets HTTP_STATUS and HTTP_BODY.
HTTP_STATUS=
HTTP_BODY=
http() {
	local method=$1 path=$2 out
	shift 2
	out=$(curl -sS -o "$ML_TMP/body" -w '%{http_code}' -X "$method" \
	    --max-time 20 "$@" "$BASE_URL$path" 2>"$ML_TMP/curl.err") ||
	    true
	HTTP_STATUS=$out
	HTTP_BODY=$(cat "$ML_TMP/body" 2>/dev/null)
}

# status_is PATH WANT: for wait_for.
status_is() {
	http GET "$1"
	[ "$HTTP_STATUS" = "$2" ]
}

# The whole stack in one call.
stack_up() {
	stack_db
	write_conf
	stack_migrate
	stack_fcgi
	stack_nginx
	wait_for 20 status_is /healthz 200 || bail "stack never became healthy"
}
