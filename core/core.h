/*
 * ml-connector core: the one header the programs include.
 * Everything here is shared by ml-connector.fcgi, ml-poller and
 * ml-connector-ctl; nothing here knows about FastCGI or main().
 */
#ifndef ML_CORE_H
#define ML_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "defaults.h"

#if defined(__GNUC__)
#define ML_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define ML_NORETURN	__attribute__((noreturn))
#else
#define ML_PRINTF(a, b)
#define ML_NORETURN
#endif

/* One way to report errors: every core function returns one of these. */
enum core_err {
	CORE_OK = 0,
	CORE_ENOMEM,	/* allocation failed */
	CORE_EINPUT,	/* caller or outside input is invalid */
	CORE_ECONFIG,	/* configuration is invalid */
	CORE_EDB,	/* the database refused a statement */
	CORE_EDBDOWN,	/* the database cannot be reached now */
	CORE_ENOTFOUND,	/* no such row, file or resource */
	CORE_EIO,	/* a file or socket operation failed */
	CORE_EBUSY,	/* someone else holds the lock */
	CORE__MAX
};

/* Static description of an error code; never NULL. */
const char	*core_strerror(enum core_err);

/* cfg.c -------------------------------------------------------------- */

struct cfg_db {
	char		*host;		/* NULL: use socket */
	unsigned int	 port;		/* 0: default 3306 */
	char		*socket;	/* unix socket path, or NULL */
	char		*name;		/* schema name */
	char		*user;
	char		*password;	/* from password_file or environment */
	int		 connect_timeout; /* seconds */
};

struct cfg_fcgi {
	char		*listen;	/* NULL: inherited socket on fd 0 */
	int		 workers;	/* worker processes */
	int		 threads;	/* request threads per worker */
	size_t		 max_body;	/* bytes; larger bodies get 413 */
};

/* Retention (group retention { }), core/purge.c. */
struct cfg_retention {
	int		 events_days;	/* webhook events kept this long */
	int		 audit_days;	/* audit rows kept this long */
	int		 jobs_days;	/* done jobs kept this long */
	int		 interval;	/* seconds between poller purges; 0 off */
	int		 batch;		/* rows per DELETE */
};

struct cfg_poller {
	int		 interval;	/* seconds between poll cycles */
	int		 lease;		/* seconds a claimed job stays ours */
	int		 retry_base;	/* first retry backoff, seconds */
	char		*lock_file;	/* --once: flock(2)ed, see poller/main.c */
	/* Polls (core/poll.c): each a cursor, docs/SYNC.md Polling. */
	int		 poll_interval;	/* seconds between poll runs, 0 off */
	int		 poll_overlap;	/* seconds re-read behind a cursor */
	int		 poll_backfill;	/* seconds a new cursor starts back */
	int		 poll_ss_orders;	/* ShipStation orders, modifyDate */
	int		 poll_ss_shipments;	/* shipments, createDate */
	int		 poll_ss_fulfillments;	/* fulfillments, createDate */
	int		 poll_ss_customers;	/* customers, modifyDate */
	int		 poll_x3_orders;	/* X3 sales orders, UPDDATTIM */
	int		 poll_x3_customers;	/* X3 customers, UPDDATTIM */
	int		 poll_x3_products;	/* X3 products, UPDDATTIM */
	int		 reconcile_interval; /* seconds between reconcile
					   jobs; 0: none scheduled */
	int		 reconcile_days; /* days a scheduled run covers */
};

/* ShipStation API client (group shipstation { }). */
struct cfg_ss {
	int		 enabled;	/* the group is present */
	int		 v2;		/* api = "v2" */
	char		*api;		/* "v1" or "v2" */
	char		*base_url;	/* default per api, no trailing / */
	char		*key;		/* V1 API key (key_file or env) */
	char		*secret;	/* V1 API secret (secret_file or env) */
	char		*v2_key;	/* V2 API-Key (v2_key_file or env) */
	int		 allow_http;	/* plain http (the sandbox only) */
	char		*ca_file;	/* extra CA bundle, or NULL */
	int		 connect_timeout; /* seconds */
	int		 timeout;	/* seconds per request */
	int		 retries;	/* attempts after the first */
	int		 rate_limit;	/* calls per minute for this key */
	int		 page_size;	/* list page size */
	size_t		 max_body;	/* bytes per response */
};

enum cfg_x3_auth {
	CFG_X3_JWT,		/* connected application, HS256 JWT */
	CFG_X3_BASIC,		/* Syracuse basic auth */
	CFG_X3_GATEWAY,		/* cloud gateway OAuth2 pairing */
	CFG_X3__MAX
};

/* Sage X3 client (group x3 { }). */
struct cfg_x3 {
	int		 enabled;	/* the group is present */
	char		*base_url;	/* scheme://host:port, no trailing / */
	char		*endpoint;	/* Syracuse endpoint (folder) name */
	char		*graphql_path;	/* default /xtrem/api */
	char		*sales_package;	/* default x3Sales */
	char		*master_package; /* default x3MasterData */
	char		*auth;		/* "jwt", "basic" or "gateway" */
	enum cfg_x3_auth auth_kind;
	char		*client_id;	/* connected app / gateway client */
	char		*secret;	/* connected app secret */
	char		*user;		/* JWT sub, or NULL */
	char		*audience;	/* JWT aud; "" when not set */
	int		 token_validity; /* seconds, <= the app's setting */
	int		 renew_margin;	/* renew this long before expiry */
	int		 iat_skew;	/* back-date iat by this much */
	char		*basic_user;
	char		*basic_password;
	char		*gateway_url;	/* https://api.<region>-sagex3.com */
	char		*gateway_secret; /* gateway client secret */
	char		*redirect_uri;	/* gateway pairing callback */
	int		 allow_http;	/* plain http (the sandbox only) */
	char		*ca_file;	/* customer CA bundle, or NULL */
	int		 connect_timeout; /* seconds */
	int		 timeout;	/* seconds per request */
	int		 retries;	/* attempts after the first */
	size_t		 max_body;	/* bytes per response */
};

/* Webhook intake (group webhooks { }). */
struct cfg_hooks {
	char		*v1_secret;	/* the V1 URL secret (v1_secret_file) */
	size_t		 max_body;	/* bytes; larger webhooks get 413 */
	char		*v2_jwks_url;	/* ShipStation V2 signing keys */
	int		 jwks_allow_http; /* plain http JWKS (the sandbox) */
	int		 v2_tolerance;	/* seconds of timestamp skew allowed */
	int		 sweep_after;	/* s before the poller queues a fetch */
	char		*public_url;	/* our base URL as ShipStation sees it */
};

/* Order sync choices (group sync { }, docs/SYNC.md). */
struct cfg_sync {
	char		*discount;	/* "none" or "spread" (adjustments) */
	int		 discount_spread; /* discount = "spread" */
	char		*shipping_item;	/* X3 item for shippingAmount */
	char		*tax_item;	/* X3 item for taxAmount */
	char		*currency;	/* sent as the order currency, or NULL:
					   the customer's (X3 default) */
	int		 x3_store_id;	/* ShipStation store of X3-keyed
					   orders; 0: the default store */
	int		 x3_hold_days;	/* holdUntilDate = today + this */
	char		*order_key_field; /* X3 order property holding our
					   key; NULL: the number (SOHNUM) */
	int		 create_customers; /* create unknown customers in X3 */
	char		*customer_prefix; /* X3 code = prefix + customerId */
};

struct cfg {
	char		*path;		/* file this was read from */
	char		*instance;	/* name shown in logs and the UI */
	char		*sql_dir;	/* migrations */
	char		*ui_dir;	/* admin-ui templates and assets */
	struct cfg_db	 db;
	struct cfg_fcgi	 fcgi;
	struct cfg_poller poller;
	struct cfg_ss	 ss;		/* ShipStation (issue 4) */
	struct cfg_x3	 x3;		/* Sage X3 (issue 4) */
	struct cfg_hooks hooks;		/* webhook intake */
	struct cfg_retention retention;	/* purge of old rows */
	struct cfg_sync	 sync;		/* order sync (issue 5) */
};

/*
 * Read and check the configuration file. Every problem is printed to
 * stderr as "file:line: message" before CORE_ECONFIG is returned.
 * On CORE_OK *out is new; free it with cfg_free().
 */
enum core_err	 cfg_load(const char *path, struct cfg **out);
void		 cfg_free(struct cfg *);

/* log.c -------------------------------------------------------------- */

/* Log to stderr when foreground is set, else to syslog as ident. */
void		 log_init(const char *ident, int foreground, int verbose);
/* Lead every following line with this request or job id (NULL clears). */
void		 log_set_id(const char *id);
const char	*log_get_id(void);
void		 log_warn(const char *, ...) ML_PRINTF(1, 2);
void		 log_warnx(const char *, ...) ML_PRINTF(1, 2);
void		 log_info(const char *, ...) ML_PRINTF(1, 2);
void		 log_debug(const char *, ...) ML_PRINTF(1, 2);
void		 fatal(const char *, ...) ML_PRINTF(1, 2) ML_NORETURN;
void		 fatalx(const char *, ...) ML_PRINTF(1, 2) ML_NORETURN;

/* rnd.c -------------------------------------------------------------- */

/* Fill buf with len bytes from the kernel CSPRNG. 0 or -1. */
int		 rnd_bytes(void *buf, size_t len);
/* Write 2*len hex digits and a NUL into out (size 2*len+1). 0 or -1. */
int		 rnd_hex(char *out, size_t len);

/* db.c --------------------------------------------------------------- */

struct db;

enum db_type {
	DB_T_NULL,
	DB_T_I64,
	DB_T_STR,
	DB_T__MAX
};

static inline size_t
db_strlen(const char *s)
{
	return s == NULL ? 0 : strlen(s);
}

/* One bound parameter; strings are lent, not copied. */
struct db_val {
	enum db_type	 type;
	int64_t		 i;
	const char	*s;
	size_t		 len;
};

#define DB_NULL()	((struct db_val){ .type = DB_T_NULL })
#define DB_I64(v)	((struct db_val){ .type = DB_T_I64, .i = (v) })
#define DB_STR(v)	((struct db_val){ .type = DB_T_STR, .s = (v), \
			    .len = db_strlen(v) })
#define DB_STRN(v, n)	((struct db_val){ .type = DB_T_STR, .s = (v), .len = (n) })
/* Expands to "array, count" for the params arguments below. */
#define DB_PARAMS(...)	(const struct db_val[]){ __VA_ARGS__ }, \
	(sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val))
#define DB_NOPARAMS	NULL, 0

/* Result of db_select: every cell as a NUL-terminated string or NULL. */
struct db_rows {
	size_t		  nrows;
	size_t		  ncols;
	char		**cells;	/* nrows * ncols, row-major */
	size_t		 *lens;		/* byte length of each cell */
};

/*
 * Start the MariaDB client library while the process has one thread
 * (mysql_init() does it otherwise, on first use, in each worker).
 */
enum core_err	 db_global_init(void);
/*
 * A handle that connects on first use and reconnects, with backoff,
 * whenever the server went away. New; free with db_free().
 */
struct db	*db_new(const struct cfg_db *);
void		 db_free(struct db *);
/* Connect now if not connected. CORE_OK, CORE_EDBDOWN or CORE_EDB. */
enum core_err	 db_ping(struct db *);
/* Last error text for logs (never contains parameters). */
const char	*db_error(const struct db *);
/* Run one prepared statement; affected/insert_id may be NULL. */
enum core_err	 db_exec(struct db *, const char *sql,
		    const struct db_val *, size_t, uint64_t *affected,
		    uint64_t *insert_id);
/* Run one prepared query. On CORE_OK *out is new; free with db_rows_free(). */
enum core_err	 db_select(struct db *, const char *sql,
		    const struct db_val *, size_t, struct db_rows **out);
const char	*db_rows_get(const struct db_rows *, size_t row, size_t col);
/* Cell as integer; def when NULL or not a number. */
int64_t		 db_rows_i64(const struct db_rows *, size_t row, size_t col,
		    int64_t def);
void		 db_rows_free(struct db_rows *);
/*
 * Statement text for a variable number of placeholders: head, then n
 * copies of item joined by ", ", then tail (our fixed text only; the
 * values are still bound). 0, or -1 when it does not fit in sz.
 */
int		 db_sql_build(char *sql, size_t sz, const char *head,
		    const char *item, size_t n, const char *tail);
enum core_err	 db_begin(struct db *);
enum core_err	 db_commit(struct db *);
enum core_err	 db_rollback(struct db *);
/* Run a trusted multi-statement script (migrations only). */
enum core_err	 db_run_script(struct db *, const char *sql, size_t len);

/* migrate.c ---------------------------------------------------------- */

/*
 * Apply every migration in dir not yet recorded in schema_version, in
 * order, under a server-side lock. With dry_run, only list them.
 * Progress goes to out (may be NULL). *napplied may be NULL.
 */
enum core_err	 migrate_run(struct db *, const char *dir, int dry_run,
		    void (*out)(const char *line, void *arg), void *arg,
		    int *napplied);

/* job.c -------------------------------------------------------------- */

enum job_state {
	JOB_READY,
	JOB_RUNNING,
	JOB_HELD,
	JOB_DONE,
	JOB_DEAD,
	JOB__MAX
};

enum job_class {
	JOB_ERR_NONE,
	JOB_ERR_MAPPING,	/* held until a mapping appears */
	JOB_ERR_DATA,		/* the source document is wrong */
	JOB_ERR_AUTH,		/* credentials refused */
	JOB_ERR_RATE,		/* quota exhausted */
	JOB_ERR_TRANSIENT,	/* network, 5xx, timeouts */
	JOB_ERR__MAX
};

struct job {
	int64_t		 id;
	char		*kind;
	char		*key;
	char		*payload;	/* JSON text, may be NULL */
	int		 attempts;	/* including this one */
	int		 max_attempts;
	char		*trigger;	/* replay:<user> (jobs.trigger_by), or NULL */
};

const char	*job_state_name(enum job_state);
const char	*job_class_name(enum job_class);
/* Insert a job unless one with the same kind and key exists. */
enum core_err	 job_enqueue(struct db *, const char *kind, const char *key,
		    const char *payload, int priority, int64_t *id);
/*
 * Claim the next due job (SKIP LOCKED) of one of the NULL-terminated
 * kinds for owner with a lease.
 * CORE_ENOTFOUND when none is due. On CORE_OK *out is new; free with
 * job_free().
 */
enum core_err	 job_claim(struct db *, const char *owner, int lease,
		    const char *const *kinds, struct job **out);
/* Claim one ready job by kind and key (CORE_ENOTFOUND if not ready). */
enum core_err	 job_claim_key(struct db *, const char *kind,
		    const char *key, const char *owner, int lease,
		    struct job **out);
/* Mark done; only succeeds while owner still holds the lease. */
enum core_err	 job_done(struct db *, const struct job *, const char *owner);
/* Record a failure: retry later with backoff, hold, or park as dead. */
enum core_err	 job_fail(struct db *, const struct job *, const char *owner,
		    enum job_class, const char *error, int retry_base);
void		 job_free(struct job *);

/* ==================================================================== */
/* API clients (issue 4): clock, timestamps, HTTP, quota, tokens,      */
/* ShipStation, Sage X3. See docs/CLIENTS.md.                           */
/* ==================================================================== */

struct json_t;			/* jansson's, for callers that have it */

/* clk.c -------------------------------------------------------------- */

/* UTC milliseconds since the epoch (the real clock unless warped). */
int64_t		 clk_now_ms(void);
/* Sleep ms of clk time (ms / rate real milliseconds when warped). */
void		 clk_sleep_ms(int64_t ms);
/* A wait a server stated in real time, as clk milliseconds. */
int64_t		 clk_from_real_ms(int64_t real_ms);
/*
 * Tests only: from now on clk reads origin_ms and advances rate times
 * faster than real time (the sandbox's accelerated clock). rate <= 0
 * goes back to the real clock.
 */
void		 clk_warp(int64_t origin_ms, double rate);

/* sstime.c ----------------------------------------------------------- */

/*
 * ShipStation V1 speaks America/Los_Angeles wall-clock time without an
 * offset; we keep UTC microseconds since the epoch. The US rule is
 * built in (no TZ, no tzdata): since 2007 PDT runs from the second
 * Sunday of March 02:00 to the first Sunday of November 02:00.
 * Gap (02:00-02:59 on the spring day) reads as PST, i.e. the local time
 * shifted +1 h; the repeated 01:00-01:59 in the fall reads as its first
 * occurrence (PDT), so a cursor never runs ahead. docs/CLIENTS.md.
 */
enum sstime_kind {
	SSTIME_NULL,		/* null, "" or absent */
	SSTIME_DATE,		/* date only, read as local midnight */
	SSTIME_TIME,		/* date and time */
	SSTIME__MAX
};

/* Parse a V1 Pacific time. 0 and *utc_us (0 for NULL), or -1. */
int		 sstime_parse_pacific(const char *s, int64_t *utc_us,
		    enum sstime_kind *kind);
/* Parse an ISO-8601 UTC time ("Z" or "+00:00" or no offset). 0 or -1. */
int		 sstime_parse_utc(const char *s, int64_t *utc_us,
		    enum sstime_kind *kind);
/* "YYYY-MM-DD HH:MM:SS" Pacific, for V1 filter parameters. 0 or -1. */
int		 sstime_format_pacific(int64_t utc_us, char *buf, size_t sz);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ", for V2 filters and X3 literals. 0 or -1. */
int		 sstime_format_utc(int64_t utc_us, char *buf, size_t sz);
/* "YYYY-MM-DD HH:MM:SS.ffffff" UTC, for DATETIME(6) columns. 0 or -1. */
int		 sstime_format_db(int64_t utc_us, char *buf, size_t sz);
/* Pacific offset from UTC in minutes at that instant: -480 or -420. */
int		 sstime_pacific_offset(int64_t utc_us);

/* http.c ------------------------------------------------------------- */

struct http;

struct http_opts {
	int		 connect_timeout; /* seconds */
	int		 timeout;	/* seconds, whole request */
	const char	*ca_file;	/* extra CA bundle or NULL (lent) */
	int		 allow_http;	/* else https only */
	size_t		 max_body;	/* bytes */
	int		 retries;	/* attempts after the first */
	int		 backoff_base_ms;
	int		 backoff_cap_ms;
	int		 max_wait_ms;	/* longest wait we accept */
};

/* What went wrong, finer than the job class; for logs and ping. */
enum http_fail {
	HTTP_F_NONE,
	HTTP_F_DNS,		/* host name does not resolve */
	HTTP_F_CONNECT,		/* refused or unreachable */
	HTTP_F_TLS,		/* handshake or certificate */
	HTTP_F_TIMEOUT,
	HTTP_F_NETWORK,		/* reset, truncated, other transfer error */
	HTTP_F_TOOBIG,		/* body over the byte cap */
	HTTP_F_URL,		/* malformed URL or protocol not allowed */
	HTTP_F_STATUS,		/* a non-2xx status */
	HTTP_F_HTML,		/* an HTML page where JSON was expected */
	HTTP_F_CTYPE,		/* another content type where JSON was expected */
	HTTP_F_JSON,		/* not parseable JSON, or nested too deep */
	HTTP_F_DIAG,		/* X3 $diagnoses error or GraphQL errors */
	HTTP_F_QUOTA,		/* no quota slot within the wait bound */
	HTTP_F__MAX
};

struct http_header {
	char		*name;
	char		*value;
};

/* One answer (of the last attempt). New; free with http_resp_free(). */
struct http_resp {
	long		 status;	/* 0: no HTTP answer */
	char		*body;		/* NUL-terminated, may be NULL */
	size_t		 len;
	struct http_header hdrs[ML_HTTP_MAX_HEADERS];
	size_t		 nhdrs;
	struct json_t	*json;		/* parsed body when JSON was expected */
	int		 curl_code;	/* CURLcode of the transfer */
	char		 err[256];	/* CURLOPT_ERRORBUFFER text */
	enum http_fail	 fail;
	enum job_class	 class;		/* JOB_ERR_NONE on success */
	char		 what[256];	/* one line for logs, no secrets */
	int		 attempts;	/* transfers made */
	int64_t		 retry_after_ms; /* server-requested wait, -1 none */
	int64_t		 date_ms;	/* server Date header, 0 none */
};

/* One request. Everything is lent for the duration of http_do(). */
struct http_req {
	const char	*method;	/* "GET", "POST", "PUT", "DELETE" */
	const char	*url;
	const char *const *headers;	/* "Name: value"; may hold secrets */
	size_t		 nheaders;
	const char	*user;		/* Basic auth, or NULL */
	const char	*password;
	const char	*body;		/* request body or NULL */
	size_t		 bodylen;
	int		 expect_json;	/* a 2xx must carry JSON */
	int		 no_retry_5xx;	/* caller handles 5xx itself */
	int		 no_retry;	/* one attempt only */
	/*
	 * A write whose lost answer the caller resolves by a lookup: one
	 * attempt on a fresh connection, since libcurl itself resends a
	 * request on a reused connection that died before answering.
	 */
	int		 no_resend;
	/* Before each attempt (quota): CORE_OK to go. */
	enum core_err	(*before)(void *arg);
	/* After each attempt (quota corrections). */
	void		(*after)(void *arg, const struct http_resp *);
	void		*arg;
};

/*
 * Start libcurl (and through it OpenSSL) once, while the process has
 * one thread. The FastCGI supervisor calls it before forking, so the
 * workers share those initialised pages instead of each touching its
 * own copy; http_new() calls it too when nobody did.
 */
enum core_err	 http_global_init(void);
/*
 * How a call failed, for a job's outcome: the class of its answer
 * (transient when there was none or it names none), and what went
 * wrong in words (never NULL). r is the client's last answer or NULL.
 */
enum job_class	 http_resp_class(const struct http_resp *r);
const char	*http_resp_what(const struct http_resp *r);
/* New; free with http_free(). NULL if curl cannot start. */
struct http	*http_new(const struct http_opts *);
void		 http_free(struct http *);
/*
 * Run req, retrying transient failures with full-jitter backoff that
 * honours Retry-After and X-Rate-Limit-Reset. *out is always set on
 * return unless CORE_ENOMEM; free it with http_resp_free(). CORE_OK
 * for a usable 2xx answer, CORE_EIO otherwise: see (*out)->class.
 */
enum core_err	 http_do(struct http *, const struct http_req *,
		    struct http_resp **out);
void		 http_resp_free(struct http_resp *);
/* Case-insensitive header lookup in an answer; lent, or NULL. */
const char	*http_resp_header(const struct http_resp *, const char *);
/*
 * Set resp->fail, ->class and ->what from status, curl code, content
 * type and body; with expect_json, parse the body into resp->json.
 * Pure: no network. Called by http_do(); exposed for tests.
 */
void		 http_classify(struct http_resp *, int expect_json);
/* Mark resp as a data error from the payload (X3 $diagnoses...). */
void		 http_resp_set_fail(struct http_resp *, enum http_fail,
		    enum job_class, const char *what);
/*
 * Wait before retry number attempt (0-based): full jitter, a uniform
 * value in [0, min(cap, base * 2^attempt)] from rnd; when the server
 * asked for server_ms (>= 0), at least that plus a jitter of up to
 * base, so that waiters do not all return in the same millisecond.
 */
int64_t		 http_backoff_ms(int attempt, int base_ms, int cap_ms,
		    int64_t server_ms, uint32_t rnd);
/* Retry-After as delta-seconds or HTTP-date into ms from now. 0 or -1. */
int		 http_parse_retry_after(const char *, int64_t now_ms,
		    int64_t *ms);
/* The wait an answer asks for: Retry-After, else X-Rate-Limit-Reset
 * on a 429 (V1 sends no Retry-After); -1 when none. */
int64_t		 http_server_wait_ms(const struct http_resp *, int64_t now_ms);
/* Append "name=value" (URL-encoded) to a URL with ? or &. 0 or -1. */
int		 http_url_param(char *url, size_t sz, const char *name,
		    const char *value);
/*
 * Compare scheme, host (case-insensitive) and port (defaults filled in)
 * of url and base; reject user info. 0 when same origin, -1 otherwise.
 * With host_digits, the host may also be base's first label followed
 * by digits (ShipStation's ssapi6.shipstation.com for ssapi...).
 */
int		 http_same_origin(const char *url, const char *base,
		    int host_digits);
const char	*http_fail_name(enum http_fail);

/* quota.c ------------------------------------------------------------ */

/* Who gets the next ShipStation call when calls are short. */
enum quota_prio {
	QUOTA_WEBHOOK,		/* fetch behind a webhook: freshest data */
	QUOTA_POLL,		/* incremental poll */
	QUOTA_BACKFILL,		/* history */
	QUOTA_MASTER,		/* products, stores, webhooks admin */
	QUOTA__MAX
};

struct quota;

struct quota_state {
	int		 limit;		/* calls per window (from headers) */
	int		 remaining;	/* last X-Rate-Limit-Remaining, -1 */
	int64_t		 reset_ms;	/* when the server window ends */
	int64_t		 blocked_until_ms; /* no calls before this */
	int64_t		 tat_ms;	/* next free slot (GCRA) */
	int64_t		 taken;		/* calls handed out, ever */
	int64_t		 throttled;	/* 429s seen, ever */
};

/*
 * One budget per API key (its sha256 names the row), shared through
 * the database by every process on every host. limit calls per
 * window_ms. New; free with quota_free(); db is lent.
 */
struct quota	*quota_new(struct db *, const char *api_key, int limit,
		    int window_ms);
void		 quota_free(struct quota *);
/*
 * Take one call, waiting up to max_wait_ms (clk time) behind higher
 * priorities and the pace. CORE_OK, CORE_EBUSY when no slot came in
 * time, or a database error.
 */
enum core_err	 quota_take(struct quota *, enum quota_prio,
		    int64_t max_wait_ms);
/* Correct the shared budget from an answer's headers or its 429. */
enum core_err	 quota_update(struct quota *, const struct http_resp *);
enum core_err	 quota_get(struct quota *, struct quota_state *);
/* The sha256 hex of the key (65 bytes with NUL); lent. */
const char	*quota_key_hash(const struct quota *);
/* GCRA spacing: ceil(window / (limit - 1)) ms; with a catch-up
 * tolerance of a quarter of that, no window of window_ms holds more
 * than limit calls. */
int64_t		 quota_interval_ms(int limit, int window_ms);
const char	*quota_prio_name(enum quota_prio);

/* token.c ------------------------------------------------------------ */

/* base64url without padding into out (NUL-terminated). Length or -1. */
int		 token_b64url(const void *in, size_t len, char *out,
		    size_t outsz);
/* HMAC-SHA256 of msg under key into out. 0 or -1. */
int		 token_hs256(const void *key, size_t keylen, const void *msg,
		    size_t len, unsigned char out[32]);
/*
 * Mint a connected-app JWT: header {"alg":"HS256","typ":"JWT"},
 * payload {"iss","sub" (omitted when NULL),"aud","iat","exp"} with
 * iat = now - skew, exp = iat + validity (X3 refuses exp - iat above
 * the application's token validity). On CORE_OK *out is new;
 * free it with free().
 */
enum core_err	 token_jwt_mint(const char *iss, const char *sub,
		    const char *aud, const char *secret, int64_t now_s,
		    int validity, int skew, char **out);

struct token;

struct token_stats {
	int		 minted;	/* JWTs minted or access tokens fetched */
	int		 reused;	/* served from memory or the database */
	int		 forced;	/* renewals after a 401 */
};

/* X3 bearer tokens, cached in the tokens table. New; free with
 * token_free(). cfg, db (NULL: no shared cache) and http are lent. */
struct token	*token_new(const struct cfg_x3 *, struct db *, struct http *);
void		 token_free(struct token *);
/*
 * A bearer token valid for at least the renewal margin. With rejected
 * (the token a server just refused), never that one again. On CORE_OK
 * *out is lent until the next call.
 */
enum core_err	 token_get(struct token *, const char *rejected,
		    const char **out);
/* Gateway: trade an authorization code for the token pair and store it. */
enum core_err	 token_gateway_pair(struct token *, const char *code);
/* The tokens-table row name this client uses; lent. */
const char	*token_name(const struct token *);
void		 token_get_stats(const struct token *, struct token_stats *);
/* Last HTTP answer of a gateway exchange, or NULL; lent. */
const struct http_resp *token_last(const struct token *);

/* ss.c --------------------------------------------------------------- */

enum ss_coll {
	SS_ORDERS,		/* V1 /orders; V2 /v2/shipments */
	SS_SHIPMENTS,		/* V1 /shipments; V2 /v2/labels */
	SS_FULFILLMENTS,	/* /fulfillments; /v2/fulfillments */
	SS_PRODUCTS,		/* /products; /v2/products */
	SS_CUSTOMERS,		/* /customers; V2 has none */
	SS__MAX
};

struct ss_param {
	const char	*name;
	const char	*value;
};

struct ss_stats {
	int		 calls;		/* HTTP transfers */
	int		 pages;		/* good pages */
	int		 records;
	int		 poison;	/* records skipped after page 500s */
	int		 halvings;	/* page size halved */
};

/* Called per record; rec is lent. Non-zero stops the listing. */
typedef int	(*ss_record_fn)(void *arg, struct json_t *rec);

struct ss;

/* New; free with ss_free(). cfg and db are lent. */
enum core_err	 ss_new(const struct cfg_ss *, struct db *, struct ss **);
void		 ss_free(struct ss *);
/*
 * List a collection with every page: page size halves on a 500 down to
 * 1, and a record that still fails alone is skipped (stats->poison).
 * Stops on an empty or short page; `pages` is only a hint.
 */
enum core_err	 ss_list(struct ss *, enum ss_coll, const struct ss_param *,
		    size_t, enum quota_prio, ss_record_fn, void *,
		    struct ss_stats *);
/* One cheap authenticated call (a one-record order list), waiting at
 * most max_wait for a quota slot; for ping and tests. */
enum core_err	 ss_ping(struct ss *, enum quota_prio, int64_t max_wait);
/* One order (V2: shipment). On CORE_OK *out is new; json_decref it. */
enum core_err	 ss_get_order(struct ss *, const char *id, enum quota_prio,
		    struct json_t **out);
/* V1 createorder (upsert on orderKey); V2 POST /v2/shipments. */
enum core_err	 ss_create_order(struct ss *, struct json_t *order,
		    struct json_t **out);
/* V1 PUT /products/{productId}: product is the whole object (lent). */
enum core_err	 ss_update_product(struct ss *, struct json_t *product);
/*
 * V1 holduntil (until "YYYY-MM-DD") or, with until NULL,
 * restorefromhold. *out (may be NULL) gets the answer. V2: CORE_EINPUT.
 */
enum core_err	 ss_hold_order(struct ss *, long long order_id,
		    const char *until, struct json_t **out);
enum core_err	 ss_webhook_subscribe(struct ss *, const char *target_url,
		    const char *event, const char *store_id, const char *name,
		    char **id);
/* Webhooks as a JSON array (V1 envelope unwrapped). New reference. */
enum core_err	 ss_webhook_list(struct ss *, struct json_t **out);
enum core_err	 ss_webhook_unsubscribe(struct ss *, const char *id);
/* Is url safe to fetch with our credentials? 0 yes, -1 no. */
int		 ss_resource_url_ok(const struct cfg_ss *, const char *url);
/* Fetch a webhook resource_url (every page) after ss_resource_url_ok. */
enum core_err	 ss_fetch_resource(struct ss *, const char *url,
		    enum quota_prio, ss_record_fn, void *, struct ss_stats *);
/* Last answer (lent until the next call) and the shared quota. */
const struct http_resp *ss_last(const struct ss *);
/* How the last call failed: http_resp_class/what of ss_last(). */
enum job_class	 ss_fail_class(const struct ss *);
const char	*ss_fail_what(const struct ss *);
struct quota	*ss_quota(struct ss *);
const char	*ss_coll_name(enum ss_coll);

/* x3.c --------------------------------------------------------------- */

struct x3;

struct x3_stats {
	int		 calls;		/* HTTP transfers */
	int		 auth_retries;	/* fresh-token retries after 401 */
	int		 pages;
};

/* Operations found by the schema probe, "package.node.operation". */
struct x3_ops {
	char		**names;
	size_t		  n;
};

typedef int	(*x3_record_fn)(void *arg, struct json_t *rec);

/* New; free with x3_free(). cfg and db are lent. */
enum core_err	 x3_new(const struct cfg_x3 *, struct db *, struct x3 **);
void		 x3_free(struct x3 *);
/*
 * POST a GraphQL document. vars may be NULL (lent). On CORE_OK *data is
 * new. GraphQL errors[] make CORE_EIO with class data; partial data is
 * still returned in *data. A 401 is retried once with a fresh token.
 */
enum core_err	 x3_graphql(struct x3 *, const char *query,
		    struct json_t *vars, struct json_t **data);
/*
 * x3_graphql for a mutation whose key X3 does not enforce: one HTTP
 * attempt, never a blind retry of a lost answer (the caller looks the
 * key up instead). A 401 before the write is still retried once with a
 * fresh token.
 */
enum core_err	 x3_mutate(struct x3 *, const char *query,
		    struct json_t *vars, struct json_t **data);
/* Introspect which package.node.operation exist. *out new; x3_ops_free. */
enum core_err	 x3_probe(struct x3 *, struct x3_ops **out);
int		 x3_ops_has(const struct x3_ops *, const char *name);
void		 x3_ops_free(struct x3_ops *);
/*
 * The operations the connector needs, given the configured package
 * names; NULL-terminated, lent, valid while the x3 lives.
 */
const char *const *x3_required_ops(const struct x3 *);
/* REST api1 $query over every page ($links.$next). where/order may be NULL. */
enum core_err	 x3_rest_query(struct x3 *, const char *cls,
		    const char *repr, const char *where, const char *order_by,
		    x3_record_fn, void *);
/* REST api1 $details of one key. On CORE_OK *out is new. */
enum core_err	 x3_rest_get(struct x3 *, const char *cls, const char *key,
		    const char *repr, struct json_t **out);
const struct http_resp *x3_last(const struct x3 *);
/* How the last call failed: http_resp_class/what of x3_last(). */
enum job_class	 x3_fail_class(const struct x3 *);
const char	*x3_fail_what(const struct x3 *);
struct token	*x3_token(struct x3 *);
void		 x3_get_stats(const struct x3 *, struct x3_stats *);

/* ==================================================================== */
/* Webhook intake and the job runner.                                   */
/* ==================================================================== */

/* hash.c ------------------------------------------------------------- */

/* SHA-256 of data as 64 lowercase hex digits and a NUL. */
void		 hash_sha256_hex(const void *, size_t, char out[65]);
/* Fetch the digest now (before forking workers, which then share it). */
void		 hash_warm_up(void);

/* jwks.c ------------------------------------------------------------- */

struct jwks;

/* Parse a JWKS document's RSA keys. On CORE_OK *out is new; jwks_free(). */
enum core_err	 jwks_parse(const char *, size_t, struct jwks **out);
int		 jwks_has(const struct jwks *, const char *kid);
/*
 * Verify a ShipStation V2 signature (base64 RSA-SHA256 PKCS#1 v1.5 over
 * "<timestamp>.<body>"). CORE_OK, CORE_ENOTFOUND (no such kid) or
 * CORE_EINPUT (does not verify).
 */
enum core_err	 jwks_verify(const struct jwks *, const char *kid,
		    const char *timestamp, const char *body, size_t bodylen,
		    const char *sig_b64);
void		 jwks_free(struct jwks *);

/* jobrun.c ----------------------------------------------------------- */

/*
 * What a job handler needs; all lent. ss and x3 are NULL when not
 * configured (the FastCGI fetcher has no x3).
 */
struct jobrun_ctx {
	const struct cfg	*cfg;
	struct db		*db;
	struct ss		*ss;
	struct x3		*x3;
};

/* A handler's verdict: JOB_ERR_NONE for success. */
struct job_outcome {
	enum job_class	 cls;
	char		 msg[256];
};

void		 job_outcome_set(struct job_outcome *, enum job_class,
		    const char *, ...) ML_PRINTF(3, 4);
/* The kinds this build can run, NULL-terminated (for job_claim). */
const char *const *jobrun_kinds(void);
/*
 * The kinds this ctx can run: jobrun_kinds() less those that need a
 * client ctx lacks (a poller without x3 leaves ss.order to one with it).
 * NULL-terminated, lent, valid until the next call.
 */
const char *const *jobrun_kinds_ctx(const struct jobrun_ctx *);
/* Run a claimed job and record its outcome and an audit row. */
void		 jobrun_run(const struct jobrun_ctx *, const struct job *,
		    const char *owner, const char *trigger);

/* event.c ------------------------------------------------------------ */

/* A webhook as received; all lent. */
struct event_in {
	const char	*source;	/* "ss_v1", "ss_v2" */
	const char	*kind;		/* resource_type */
	const char	*resource_url;	/* NULL when the event has none */
	const char	*body;		/* raw body as received */
	size_t		 bodylen;
	const char	*request_id;
	const char	*reject_reason;	/* non-NULL: store as rejected */
};

/* One event of a batch and what became of it. */
struct event_item {
	struct event_in	 in;
	int64_t		 id;		/* new or existing event id */
	int		 duplicate;	/* stored before: nothing changed */
};

/*
 * Store up to EVENT_BATCH_MAX events in one statement and one commit
 * (the lever on a commit-bound server). A repeat of a stored event,
 * even within the batch, is marked duplicate. The events' fetch jobs
 * are not part of it: event_queue_fetches() after the answer, or
 * event_sweep() for what that missed.
 */
enum core_err	 event_store_many(struct db *, struct event_item *, size_t);
/*
 * How many of n rows (n >= 1) to put in one multi-row statement: one of
 * a few sizes, at most EVENT_BATCH_MAX. Each size is a statement the
 * connection keeps prepared, with bind buffers for all its parameters:
 * every size from 1 to 32 would cost a worker ~1 MB, these ten ~0.1 MB.
 */
size_t		 event_batch_shape(size_t n);
/* Queue the webhook.fetch job of each event id (existing ones stay). */
enum core_err	 event_queue_fetches(struct db *, const int64_t *ids,
		    size_t n);
/*
 * Queue the fetch job of every webhook event still "received" without
 * one (its worker died after the answer, or skipped it while the quota
 * was spent), up to those received `grace` seconds ago. *mark is the
 * last event id swept (0 at first: start at the oldest waiting event);
 * *queued the jobs created.
 */
enum core_err	 event_sweep(struct db *, int grace, int64_t *mark,
		    uint64_t *queued);
/* The same for one event. */
enum core_err	 event_store(struct db *, const struct event_in *,
		    int64_t *id, int *duplicate);
/*
 * Upsert a fetched record into documents and (re)queue its sync job
 * (kind "ss.<doc_type>") when it is new or its content changed.
 */
enum core_err	 event_store_document(struct db *, const char *doc_type,
		    const char *doc_id, const char *body, int64_t event_id,
		    int *changed);
/*
 * The same for any system ("shipstation", "x3") and job kind: upsert
 * documents (system, doc_type, doc_id) and (re)queue kind with key
 * doc_id when the content is new or changed. One transaction, committed
 * on return. event_id <= 0: none (a poll).
 */
enum core_err	 event_store_doc(struct db *, const char *system,
		    const char *doc_type, const char *doc_id,
		    const char *body, int64_t event_id, const char *kind,
		    int *changed);
/*
 * event_store_doc() for one record as received: its id is the value of
 * id_field (an integer or a non-empty string), its body the canonical
 * JSON (compact, sorted keys). CORE_EINPUT: no usable id, nothing stored.
 */
enum core_err	 event_store_record(struct db *, const char *system,
		    const char *doc_type, const char *id_field,
		    const struct json_t *rec, int64_t event_id,
		    const char *kind, int *changed);
/* The webhook.fetch job handler. */
void		 event_fetch(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);

/* ==================================================================== */
/* Sync engine (issue 5). See docs/SYNC.md.                             */
/* ==================================================================== */

/* sync.c ------------------------------------------------------------- */

/* Seconds after which a held mapping job runs again anyway. */
#define SYNC_HELD_FALLBACK	900

/*
 * Ready again the jobs held for a mapping: those held before the newest
 * maps change and those held longer than fallback seconds. *n may be
 * NULL.
 */
enum core_err	 sync_resume_held(struct db *, int fallback, uint64_t *n);

/* sync_order.c ------------------------------------------------------- */

/* sync_product.c ----------------------------------------------------- */

/* The x3.product job handler: X3 name, price and weight -> the
 * ShipStation product with the same SKU. */
void		 sync_product(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);

/* The ss.order job handler: one ShipStation order -> one X3 order. */
void		 sync_order(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);
/* The x3.order job handler (key SOHNUM): an X3 order -> ShipStation. */
void		 sync_x3_order(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);

#endif /* !ML_CORE_H */
