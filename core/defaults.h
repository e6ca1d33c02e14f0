/*
 * Every limit and default in one place, each with its reason.
 * Included by core.h; programs read these through struct cfg where the
 * value is configurable.
 */
#ifndef ML_DEFAULTS_H
#define ML_DEFAULTS_H

/* Webhook bodies are ~200 bytes (V1) to a few KB (V2 with data); 1 MiB
 * leaves room for admin form posts and CSV imports without letting one
 * request pin a worker's memory. */
#define ML_MAX_BODY_DEFAULT	(1024 * 1024)
/* Hard ceiling for the configurable body limit. */
#define ML_MAX_BODY_CEILING	(16 * 1024 * 1024)

/* JSON nesting deeper than this is refused before jansson recurses. */
#define ML_MAX_JSON_DEPTH	32

/* Request ids: 32 hex characters (nginx $request_id) plus NUL. */
#define ML_REQID_LEN		33

/* One log line, after escaping. Longer lines are cut with "...". */
#define ML_LOG_LINE_MAX		2048

/* FastCGI worker processes when the config does not say. One: its
 * request threads share one group commit, so a burst costs MariaDB half
 * the commits that two workers' separate batches would; more workers
 * buy isolation, not speed (threads already use every core). */
#define ML_FCGI_WORKERS_DEFAULT	1
#define ML_FCGI_WORKERS_MAX	64
/* Request threads per worker: enough commits in flight for MariaDB's
 * group commit and for nginx's kept FastCGI connections. */
#define ML_FCGI_THREADS_DEFAULT	16
#define ML_FCGI_THREADS_MAX	256
/* Database connections per worker, shared by its request threads (one
 * leads a group commit, one answers health checks meanwhile). */
#define ML_FCGI_DB_CONNS	2
/* listen(2) backlog for a socket we open ourselves. */
#define ML_FCGI_BACKLOG		128

/* Database: fail fast so /healthz can answer 503 instead of hanging. */
#define ML_DB_CONNECT_TIMEOUT	5	/* seconds */
#define ML_DB_RW_TIMEOUT	30	/* seconds, per read or write */
/* Reconnect backoff: doubles from MIN to MAX while the server is away. */
#define ML_DB_BACKOFF_MIN_MS	100
#define ML_DB_BACKOFF_MAX_MS	5000
/* Prepared statements kept per connection (least recently used out). */
#define ML_DB_STMT_CACHE	64
/* Column values longer than this are refused rather than truncated. */
#define ML_DB_VALUE_MAX		(16 * 1024 * 1024)

/* Poller. */
#define ML_POLL_INTERVAL_DEFAULT	30	/* seconds between poll cycles */
/* Polls (core/poll.c): how often, how far back a run re-reads behind
 * its cursor (late commits, unstable pages), where a new cursor starts. */
#define ML_POLL_EVERY_DEFAULT	60	/* seconds between poll runs */
#define ML_POLL_OVERLAP_DEFAULT	300	/* seconds */
#define ML_POLL_BACKFILL_DEFAULT	86400	/* seconds: one day of history */
#define ML_POLL_BACKFILL_MAX	(366 * 86400)
/* Windows one poll run may take before it yields to the job queue. */
#define ML_POLL_WINDOWS_MAX	50
/* X3 customer code for a ShipStation customer: prefix + customerId. */
#define ML_SYNC_CUSTOMER_PREFIX	"SS"
#define ML_JOB_LEASE_DEFAULT	300	/* seconds a claimed job stays ours */
#define ML_RECONCILE_INTERVAL_DEFAULT 86400 /* a reconcile job a day */
#define ML_RECONCILE_DAYS_DEFAULT 7	/* days (up to yesterday) it covers */
/* ml-poller --once (cron mode) holds this lock so overlapping runs skip;
 * /run/ml-connector is the units' RuntimeDirectory. Cron setups without
 * it set poller.lock_file. */
#define ML_POLL_LOCK_DEFAULT	"/run/ml-connector/ml-poller.lock"
#define ML_JOB_MAX_ATTEMPTS	10	/* then the job parks as dead */
#define ML_JOB_BACKOFF_BASE	30	/* seconds; doubles per attempt */
#define ML_JOB_BACKOFF_MAX	(6 * 3600)

/* Retention (core/purge.c): days kept, and how often the poller purges. */
#define ML_RETENTION_EVENTS_DAYS	30
#define ML_RETENTION_AUDIT_DAYS		90
#define ML_RETENTION_JOBS_DAYS		30
#define ML_RETENTION_INTERVAL		3600	/* seconds; 0: never */
/* Rows per DELETE: short transactions that hold few locks, so webhooks
 * and jobs never wait long behind a purge. */
#define ML_RETENTION_BATCH		500

/* Paths compiled in; overridable in the config. */
#ifndef ML_SYSCONFDIR
#define ML_SYSCONFDIR		"/etc"
#endif
#ifndef ML_DATADIR
#define ML_DATADIR		"/usr/share"
#endif
#define ML_CONFIG_DEFAULT	ML_SYSCONFDIR "/ml-connector/ml-connector.conf"
#define ML_SQL_DIR_DEFAULT	ML_DATADIR "/ml-connector/sql"
#define ML_UI_DIR_DEFAULT	ML_DATADIR "/ml-connector/admin-ui"

/* Webhooks: V1 bodies are ~200 bytes, V2 with tracking data a few KB. */
#define ML_HOOK_MAX_BODY_DEFAULT	(64 * 1024)
/* ShipStation's guidance: refuse V2 timestamps more than ~5 min off. */
#define ML_HOOK_V2_TOLERANCE_DEFAULT	300	/* seconds */
#define ML_HOOK_SWEEP_AFTER_DEFAULT	10	/* s: see event_sweep() */
#define ML_HOOK_JWKS_URL_DEFAULT	"https://api.shipengine.com/jwks"

/* Events committed together by one worker's batcher (one commit). */
#define EVENT_BATCH_MAX			32

/* Admin UI sign-in throttling: an account locks for a quarter of an
 * hour after 5 wrong passwords in a row (OWASP ASVS 2.2.1 asks for a
 * limit far below 100 per hour); an address is refused after 20
 * failures within a quarter of an hour, whatever names it tries. */
#define ML_LOGIN_USER_FAILS	5
#define ML_LOGIN_USER_LOCK_S	900
#define ML_LOGIN_IP_FAILS	20
#define ML_LOGIN_IP_WINDOW_S	900
/* Admin UI sessions end after 12 h, or 1 h without a request. */
#define ML_SESS_MAX_S		(12 * 3600)
#define ML_SESS_IDLE_S		3600
/* A session's last use is written at most this often (a write per
 * page view would cost more than the page). */
#define ML_SESS_TOUCH_S		60

/* Environment variables that may carry secrets instead of files. */
#define ML_ENV_DB_PASSWORD	"ML_CONNECTOR_DB_PASSWORD"

/* ---- API clients (issue 4) ------------------------------------------ */

/* HTTP: fail fast on connect, bound the whole exchange. */
#define ML_HTTP_CONNECT_TIMEOUT	10	/* seconds */
#define ML_HTTP_TIMEOUT		60	/* seconds, whole request */
/* The largest V1 page (500 orders with items) is a few MB; 32 MiB is
 * ten times that, and still bounds what one answer can make us hold. */
#define ML_HTTP_MAX_BODY	(32 * 1024 * 1024)
#define ML_HTTP_MAX_BODY_CEILING (256 * 1024 * 1024)
/* Response headers kept per answer and bytes per header line. */
#define ML_HTTP_MAX_HEADERS	64
#define ML_HTTP_MAX_HEADER_LEN	8192
/* Transient failures: attempts after the first, and the backoff
 * (full jitter: a uniform wait in [0, min(cap, base * 2^n)]). */
#define ML_HTTP_RETRIES		4
#define ML_HTTP_BACKOFF_BASE_MS	500
#define ML_HTTP_BACKOFF_CAP_MS	30000
/* A server asking us to wait longer than this fails the call instead;
 * the job queue retries it later rather than pinning a worker. */
#define ML_HTTP_MAX_WAIT_MS	120000
/* URLs we build or accept from webhooks (V1 caps resource_url at 200). */
#define ML_URL_MAX		2048

/* ShipStation quotas per key: V1 40/min, V2 200/min (reference 1.2, 4.1). */
#define ML_SS_V1_LIMIT		40
#define ML_SS_V2_LIMIT		200
#define ML_SS_WINDOW_MS		60000
/* V1 pageSize maximum; V2 page_size maximum (products: 100). */
#define ML_SS_PAGE_MAX		500
#define ML_SS_V2_PRODUCTS_PAGE_MAX 100
/* A list stops after this many pages whatever `pages` says (a loop
 * guard: 2,000 pages of 500 is a million records). */
#define ML_SS_MAX_PAGES		2000
/* How long a caller may wait for a quota slot, per priority. */
#define ML_QUOTA_WAIT_MS	120000
/* A waiting stamp older than this is a waiter that gave up or died;
 * waiters stamp at least every ML_QUOTA_POLL_MAX_MS. */
#define ML_QUOTA_WAITER_STALE_MS 5000
/* Sleep at most this long between two looks at the shared budget. */
#define ML_QUOTA_POLL_MAX_MS	2000

/* X3. */
#define ML_X3_GRAPHQL_PATH	"/xtrem/api"
#define ML_X3_SALES_PACKAGE	"x3Sales"
#define ML_X3_MASTER_PACKAGE	"x3MasterData"
/* REST api1 default page size is 20; ask for more, trust $itemsPerPage. */
#define ML_X3_REST_COUNT	100
#define ML_X3_MAX_PAGES		10000
/* Connected-app JWT: lifetime (<= the app's token validity), renewal
 * margin before expiry, and how far iat is back-dated for clock skew
 * (X3 rejects an iat in its future, reference 5.2). */
#define ML_X3_TOKEN_VALIDITY	300	/* seconds */
#define ML_X3_RENEW_MARGIN	60	/* seconds */
#define ML_X3_IAT_SKEW		30	/* seconds */
/* Cloud gateway: access 5 min, refresh 30 days (reference 5.3). */
#define ML_X3_GW_ACCESS_TTL	300
#define ML_X3_GW_REFRESH_TTL	(30 * 86400)
/* ping warns when our clock and a server's Date differ by more. */
#define ML_CLOCK_SKEW_WARN	30	/* seconds */

/* Environment variables that may carry API secrets instead of files. */
#define ML_ENV_SS_KEY		"ML_CONNECTOR_SS_KEY"
#define ML_ENV_SS_SECRET	"ML_CONNECTOR_SS_SECRET"
#define ML_ENV_SS_V2_KEY	"ML_CONNECTOR_SS_V2_KEY"
#define ML_ENV_X3_SECRET	"ML_CONNECTOR_X3_SECRET"
#define ML_ENV_X3_PASSWORD	"ML_CONNECTOR_X3_PASSWORD"
#define ML_ENV_X3_GW_SECRET	"ML_CONNECTOR_X3_GATEWAY_SECRET"

#endif /* !ML_DEFAULTS_H */
