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

/* FastCGI worker processes when the config does not say. */
#define ML_FCGI_WORKERS_DEFAULT	2
#define ML_FCGI_WORKERS_MAX	64
/* listen(2) backlog for a socket we open ourselves. */
#define ML_FCGI_BACKLOG		128

/* Database: fail fast so /healthz can answer 503 instead of hanging. */
#define ML_DB_CONNECT_TIMEOUT	5	/* seconds */
#define ML_DB_RW_TIMEOUT	30	/* seconds, per read or write */
/* Reconnect backoff: doubles from MIN to MAX while the server is away. */
#define ML_DB_BACKOFF_MIN_MS	100
#define ML_DB_BACKOFF_MAX_MS	5000
/* Column values longer than this are refused rather than truncated. */
#define ML_DB_VALUE_MAX		(16 * 1024 * 1024)

/* Poller. */
#define ML_POLL_INTERVAL_DEFAULT	30	/* seconds between poll cycles */
#define ML_JOB_LEASE_DEFAULT	300	/* seconds a claimed job stays ours */
#define ML_JOB_MAX_ATTEMPTS	10	/* then the job parks as dead */
#define ML_JOB_BACKOFF_BASE	30	/* seconds; doubles per attempt */
#define ML_JOB_BACKOFF_MAX	(6 * 3600)

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

/* Environment variables that may carry secrets instead of files. */
#define ML_ENV_DB_PASSWORD	"ML_CONNECTOR_DB_PASSWORD"

#endif /* !ML_DEFAULTS_H */
