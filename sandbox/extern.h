/*
 * Private to the HTTP front and the ShipStation side of the sandbox.
 * The X3 side sees only sandbox.h.
 */
#ifndef ML_SANDBOX_EXTERN_H
#define ML_SANDBOX_EXTERN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox.h"

/* Limits, each with its reason --------------------------------------- */

/* Request line plus headers. IIS refuses a header block past 16 KB per
 * field; 32 KB in all leaves room for long query strings. */
#define SB_HEAD_MAX		(32 * 1024)
/* A createorders batch of 100 full orders is ~300 KB; 8 MiB is ample
 * and still bounds one connection's memory. */
#define SB_BODY_MAX		(8 * 1024 * 1024)
/* Simultaneous client connections; wrk and the tests use a few dozen. */
#define SB_CONN_MAX		512
/* An idle keep-alive connection is closed after this (IIS: 120 s). */
#define SB_IDLE_MS		120000
/* Our own base URL and any URL we keep (webhook targets). */
#define SB_URL_MAX		512
/* One decoded query-string value. */
#define SB_QVAL_MAX		1024
/* ShipStation quotas (reference §1.2, §4.1), per minute of sandbox time. */
#define SB_V1_PER_MIN		40
#define SB_V2_PER_MIN		200
#define SB_WINDOW_MS		60000
/* V1 paging (§1.5): default is unverified, 100 is what clients assume. */
#define SB_V1_PAGE_DEFAULT	100
#define SB_V1_PAGE_MAX		500
/* V2 paging (§4.1, §4.3). */
#define SB_V2_PAGE_DEFAULT	25
#define SB_V2_PAGE_MAX		500
/* One webhook delivery may take this long before it counts as failed. */
#define SB_HOOK_TIMEOUT_MS	5000
/* Deliveries tried this many times in all, then given up. */
#define SB_HOOK_TRIES		6
/* Entries kept in each log (deliveries, sink); older ones fall off. */
#define SB_LOG_MAX		5000
/* Orders one seed call may generate. */
#define SB_SEED_MAX		20000
/* Sockets curl may hold open for deliveries at once. */
#define SB_CURL_FDS		64
/* A formatted timestamp. */
#define TZ_BUFSZ		40

/* The whole sandbox ------------------------------------------------- */

struct ss;

struct sb {
	struct sb_config	 cfg;
	char			 base[SB_URL_MAX]; /* own base URL, no '/' */
	int			 ratelimit;	/* 0: --no-rate-limit */
	int			 real_limit;	/* Limit header per real minute */
	int			 verbose;
	struct ss		*ss;
	struct x3_state		*x3;
};

/* Which face a path belongs to; counts and faults are per system. */
enum sb_sys {
	SYS_V1,		/* ShipStation V1 */
	SYS_V2,		/* ShipStation V2, /v2/... */
	SYS_X3,		/* /xtrem/..., /api1/... */
	SYS_CTL,	/* /_sandbox/..., /jwks: never faulted or limited */
	SYS__MAX
};

/* log.c: stderr, one line per event, UTC time (as core/log.c) ----- */

#if defined(__GNUC__)
#define SB_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define SB_NORETURN	__attribute__((noreturn))
#else
#define SB_PRINTF(a, b)
#define SB_NORETURN
#endif

void		 log_init(const char *ident, int foreground, int verbose);
void		 log_warn(const char *, ...) SB_PRINTF(1, 2);
void		 log_warnx(const char *, ...) SB_PRINTF(1, 2);
void		 log_info(const char *, ...) SB_PRINTF(1, 2);
void		 log_debug(const char *, ...) SB_PRINTF(1, 2);
void		 fatal(const char *, ...) SB_PRINTF(1, 2) SB_NORETURN;
void		 fatalx(const char *, ...) SB_PRINTF(1, 2) SB_NORETURN;

/* clk.c -------------------------------------------------------------- */

/* Monotonic real time in ms, for timers. */
int64_t		 clk_mono_ms(void);
/* Back to real time, factor 1. */
void		 clk_reset(void);
/* Make "now" this sandbox instant (UTC ms). */
void		 clk_set(int64_t);
/* Move the sandbox clock by ms (may be negative). */
void		 clk_advance(int64_t);
/* Run the sandbox clock factor times faster than real time (> 0). */
void		 clk_set_factor(double);
double		 clk_factor(void);
/* Real ms that a sandbox duration takes at the current factor. */
int64_t		 clk_real_ms(int64_t);

/* tz.c --------------------------------------------------------------- */

int64_t		 tz_days_from_civil(int64_t, unsigned int, unsigned int);
int64_t		 tz_la_offset_ms(int64_t);
int64_t		 tz_la_to_utc(int64_t);
void		 tz_fmt_v1(int64_t, int, char *, size_t);
void		 tz_fmt_date(int64_t, char *, size_t);
void		 tz_fmt_utc(int64_t, char *, size_t);
int		 tz_parse_v1(const char *, int64_t *);
int		 tz_parse_utc(const char *, int64_t *);

/* srv.c -------------------------------------------------------------- */

/* Listen on 127.0.0.1:port (0: any free one); *bound gets the port. */
int		 srv_listen(int port, int *bound);
/* Serve until srv_stop(); 0 on a clean stop. */
int		 srv_run(struct sb *, int fd);
/* Ask srv_run() to return; async-signal-safe. */
void		 srv_stop(void);

/* route.c ------------------------------------------------------------ */

enum sb_sys	 route_system(const char *path);
/* Answer one request: faults, counting, control, ShipStation, X3. */
void		 route_dispatch(struct sb *, const struct sb_req *,
		    struct sb_resp *);
/* Request counts per endpoint and system; new reference. */
json_t		*route_counts(void);
void		 route_reset(void);

/* fault.c ------------------------------------------------------------ */

/* What matching fault rules ask of one request. */
struct fault_hit {
	int		 status;	/* answer this instead (0: no) */
	int		 drop;		/* close before running the handler */
	int		 rate;		/* answer 429 */
	int		 lose;		/* run the handler, then drop */
	unsigned int	 delay_ms;	/* added latency */
};

/* Add a rule from a control body; 0, or -1 with err filled. */
int		 fault_add(json_t *, char *err, size_t errsz);
void		 fault_clear(void);
/* The rules still armed; new reference. */
json_t		*fault_dump(void);
void		 fault_match(enum sb_sys, const char *method,
		    const char *path, const char *body, size_t bodylen,
		    struct fault_hit *);

/* ss.c: ShipStation state and helpers ------------------------------ */

enum ss_time {
	SS_T_CREATE,
	SS_T_MODIFY,
	SS_T_ORDER,		/* orders: orderDate */
	SS_T_PAY,		/* orders: paymentDate */
	SS_T_SHIP,		/* shipments, fulfillments: shipDate */
	SS_T_VOID,		/* shipments: voidDate */
	SS_T__MAX
};

#define SS_F_DELETED	0x01	/* orders: soft-deleted (inactive) */
#define SS_F_POISON	0x02	/* orders: any page holding it answers 500 */
#define SS_F_VOIDED	0x04	/* shipments: label voided */

/* One record of any collection; times are UTC ms, 0 when absent. */
struct ss_rec {
	int64_t		 id;
	json_t		*obj;		/* V1 object (or the only one), owned */
	char		*text;		/* obj serialised, or NULL; owned */
	int64_t		 t[SS_T__MAX];
	int64_t		 store;		/* storeId, 0 when none */
	int64_t		 ref;		/* shipments, fulfillments: orderId */
	int64_t		 batch;		/* shipments: batchId */
	char		 tag[48];	/* orders: importBatch guid */
	int		 flags;		/* SS_F_* */
};

/* A collection in id order; ids only grow, so lookup is a bisection. */
struct ss_tab {
	struct ss_rec	**v;
	size_t		  n;
	size_t		  cap;
	int64_t		  next;		/* id of the next record */
	int64_t		  first;	/* id of the first one after reset */
};

struct ss_rate {
	int64_t		 start;		/* sandbox ms the window opened */
	int		 used;
};

struct ss {
	struct sb	*sb;		/* lent */
	struct ss_tab	 orders;
	struct ss_tab	 ships;		/* labels (V1 shipments, V2 labels) */
	struct ss_tab	 fuls;		/* fulfillments */
	struct ss_tab	 custs;
	struct ss_tab	 prods;
	struct ss_tab	 hooks;		/* V1 subscriptions */
	struct ss_tab	 hooks2;	/* V2 subscriptions */
	struct ss_tab	 inv;		/* V2 inventory rows */
	int64_t		 next_item;	/* orderItemId */
	int64_t		 next_batch;	/* label batchId */
	int		 nheld;		/* orders on hold until a date */
	char		 held_day[TZ_BUFSZ]; /* Pacific date of the last check */
	struct ss_rate	 r1;
	struct ss_rate	 r2;
};

/* Stores of the account (reference §2.9); the first is the manual one. */
#define SS_STORE_MANUAL		310001
#define SS_STORE_SHOPIFY	310002
#define SS_STORE_AMAZON		310003
#define SS_WAREHOUSE		37675
#define SS_SELLER		2335513

/* New; free with ss_free(). sb is lent and outlives it. */
struct ss	*ss_new(struct sb *);
void		 ss_free(struct ss *);
void		 ss_reset(struct ss *);
/* Everything as JSON; new reference. */
json_t		*ss_dump(const struct ss *);
/* Answer a ShipStation (V1 or V2) request; 1 when it was one. */
int		 ss_handle(struct ss *, const struct sb_req *,
		    struct sb_resp *);
/* Add V1's headers and the quota headers to a V1 answer. */
void		 ss_v1_headers(struct ss *, struct sb_resp *, int limited);
/* A 429 of the given face with its headers. */
void		 ss_rate_answer(struct ss *, enum sb_sys, struct sb_resp *);

struct ss_rec	*ss_tab_add(struct ss_tab *, json_t *obj);
/* obj as compact JSON, cached until ss_rec_dirty(); lent. */
const char	*ss_rec_text(struct ss_rec *);
/* Forget the cached text after obj changed. */
void		 ss_rec_dirty(struct ss_rec *);
struct ss_rec	*ss_tab_get(const struct ss_tab *, int64_t id);
void		 ss_tab_clear(struct ss_tab *);
json_t		*ss_tab_dump(const struct ss_tab *);

void		 ss_guid(char *out37);
json_t		*ss_json_body(const struct sb_req *);
json_t		*ss_v1_time(int64_t, int digits);
json_t		*ss_v1_date(int64_t);
json_t		*ss_v2_time(int64_t);
json_t		*ss_v2_date(int64_t);
const char	*ss_str(const json_t *obj, const char *key);
int64_t		 ss_int(const json_t *obj, const char *key, int64_t def);
/* Copy a JSON value or null when absent; new reference. */
json_t		*ss_copy(const json_t *obj, const char *key);

/* Query: 1 found, 0 absent, -1 malformed. */
int		 ss_qint(const char *q, const char *name, int64_t *);
int		 ss_qbool(const char *q, const char *name, int *);
int		 ss_qtime(const char *q, const char *name, int v2, int64_t *);
int		 ss_qstr(const char *q, const char *name, char *, size_t);
int		 ss_prefix(const char *s, const char *prefix);
int		 ss_icontains(const char *hay, const char *needle);

void		 ss_v1_error(struct sb_resp *, int status, const char *msg);
void		 ss_v1_invalid(struct sb_resp *, const char *key,
		    const char *msg);
void		 ss_v1_500(struct sb_resp *, const char *msg);
void		 ss_v2_error(struct sb_resp *, int status, const char *type,
		    const char *code, const char *msg);

/* Paging: reads page/pageSize or page/page_size; -1 answered 400. */
int		 ss_paging(const char *q, int v2, int64_t *page,
		    int64_t *size, struct sb_resp *);
/* Sort recs by time key (or id when key < 0). */
void		 ss_sort(struct ss_rec **, size_t, int key, int desc);
/* {coll:[...], total, page, pages}; steals items. */
json_t		*ss_v1_envelope(const char *coll, json_t *items,
		    int64_t total, int64_t page, int64_t pages);
/* The V2 envelope with links; steals items. */
json_t		*ss_v2_envelope(struct ss *, const char *coll,
		    json_t *items, int64_t total, int64_t page, int64_t size,
		    const char *path, const char *query);

/* ssorder.c: V1 orders --------------------------------------------- */

int		 ssorder_handle(struct ss *, const struct sb_req *,
		    struct sb_resp *);
/*
 * Create or replace an order from a V1 order object (createorder
 * semantics, §2.4). batch is the import batch guid for ORDER_NOTIFY.
 * Returns the record, or NULL with *status and resp filled (400).
 */
struct ss_rec	*ssorder_upsert(struct ss *, const json_t *in,
		    const char *batch, struct sb_resp *, int *created);
struct ss_rec	*ssorder_by_key(struct ss *, const char *key);
/* Mark an order shipped and bump it (labels and fulfillments). */
void		 ssorder_shipped(struct ss *, struct ss_rec *, int64_t ship);
void		 ssorder_touch(struct ss_rec *);
/* The V2 shipment view of an order; new reference. */
json_t		*ssorder_v2(const struct ss *, const struct ss_rec *);

/* ssship.c: labels and fulfillments -------------------------------- */

int		 ssship_handle(struct ss *, const struct sb_req *,
		    struct sb_resp *);
/* Create a label for an order (or none); NULL with resp filled. */
struct ss_rec	*ssship_label(struct ss *, struct ss_rec *order,
		    const json_t *args, int64_t batch, struct sb_resp *);
/* Record a fulfillment (markasshipped); NULL with resp filled. */
struct ss_rec	*ssship_fulfill(struct ss *, struct ss_rec *order,
		    const json_t *args, struct sb_resp *);
json_t		*ssship_label_v2(const struct ss_rec *);
json_t		*ssship_ful_v2(const struct ss *, const struct ss_rec *);
json_t		*ssship_v1(const struct ss *, const struct ss_rec *,
		    int items);

/* ssmisc.c: customers, products, stores, V1 webhooks -------------- */

int		 ssmisc_handle(struct ss *, const struct sb_req *,
		    struct sb_resp *);
/* Find or register the order's customer; returns its customerId. */
int64_t		 ssmisc_customer(struct ss *, const json_t *order);
/* Find or register a product for an order line; its productId. */
int64_t		 ssmisc_product(struct ss *, const char *sku,
		    const char *name, double price);
struct ss_rec	*ssmisc_product_by_sku(struct ss *, const char *sku);
json_t		*ssmisc_stores(void);
int		 ssmisc_store_ok(int64_t);

/* ssv2.c: V2 --------------------------------------------------------- */

int		 ssv2_handle(struct ss *, const struct sb_req *,
		    struct sb_resp *);

/* hook.c: webhook delivery, signing, the sink ---------------------- */

enum hook_ev {
	HOOK_ORDER,		/* ORDER_NOTIFY, shipment_created_v2 */
	HOOK_SHIP,		/* SHIP_NOTIFY, label_created_v2 */
	HOOK_FULFILLED,		/* FULFILLMENT_SHIPPED, fulfillment_shipped_v2 */
	HOOK__MAX
};

/* Generate the signing key and the curl handle; 0 or -1. */
int		 hook_init(void);
void		 hook_free(void);
/* Drop the queue, logs and delivery faults. */
void		 hook_reset(void);
/*
 * Fire an event to every matching V1 and V2 subscription. q1 and q2
 * are the resource_url paths with query for V1 and V2.
 */
void		 hook_fire(struct ss *, enum hook_ev, int64_t store,
		    const char *q1, const char *q2);
int		 hook_v1_event_ok(const char *);
int		 hook_v2_event_ok(const char *);
/* Delivery faults: duplicate, delay, reorder, drop; 0 or -1. */
int		 hook_control(json_t *, char *err, size_t errsz);
/* Make every waiting delivery due now. */
void		 hook_flush(void);
json_t		*hook_dump(void);
json_t		*hook_jwks(void);
/* The public key as PEM; lent. */
const char	*hook_pem(void);
/* Record a delivery to our own sink; fills resp. */
void		 hook_sink(const char *name, const struct sb_req *,
		    struct sb_resp *);
int		 hook_sink_cfg(json_t *, char *err, size_t errsz);
json_t		*hook_sink_dump(const char *name);
/* Event-loop glue: sockets curl wants polled, and what happened. */
size_t		 hook_pollfds(struct pollfd *, size_t max);
void		 hook_events(const struct pollfd *, size_t n);
/* ms until hook_run() has work, or -1 for none. */
int64_t		 hook_timeout(void);
void		 hook_run(void);

/* seed.c ------------------------------------------------------------- */

/* Generate n orders (and their masters) from seed; summary is new. */
int		 seed_run(struct ss *, uint64_t seed, int n, json_t **summary);

/* ctl.c -------------------------------------------------------------- */

/* The sandbox-only control API and /jwks; 1 when handled. */
int		 ctl_handle(struct sb *, const struct sb_req *,
		    struct sb_resp *);

#endif /* !ML_SANDBOX_EXTERN_H */
