/*
 * The polls (poll.h; docs/SYNC.md, Polling).
 *
 * ShipStation orders, shipments and fulfillments are listed oldest
 * first by their stamp (modifyDate or createDate, Pacific wall-clock
 * time, shipstation.md 1.4) from the cursor less poller.poll_overlap.
 * Pages are numbered, and a record changed while we page jumps to the
 * end and shifts the rest one place back, which would skip one. So a
 * window is cut short at the first page boundary where its stamp has
 * moved on, the cursor advances to the newest stamp committed, and the
 * next window starts a new listing there (same second included: the
 * filter is inclusive and has whole seconds). Only when a whole page
 * shares the window's first second does paging go on by number.
 *
 * A record that ss_list had to skip (a page that fails with a 5xx down
 * to one record, shipstation.md 5.4) holds the cursor at the newest
 * stamp before it: the next run reads it again, and an operator can
 * see it in last_error and move past it with ml-connector-ctl cursors
 * reset.
 *
 * ShipStation customers cannot be filtered by date (2.7): they are
 * listed newest first by modifyDate, down to the cursor less the
 * overlap; a record modified while we page moves to the front, so
 * nothing is skipped, and the cursor advances once the listing ends.
 *
 * X3 sales orders, customers and products are read with REST api1
 * `where=UPDDATTIM ge @…@` ordered by UPDDATTIM and key (X3 §1.8),
 * paged by the server's keyset links, so the cursor advances at every
 * page boundary.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "cursor.h"
#include "poll.h"

enum src {
	SRC_SS_ASC,		/* ShipStation, oldest first, date filter */
	SRC_SS_DESC,		/* ShipStation, newest first, no filter */
	SRC_X3,			/* X3 REST api1 $query */
	SRC__MAX
};

struct def {
	const char	*cursor;
	size_t		 enable;	/* offset of the int in cfg_poller */
	enum src	 src;
	enum ss_coll	 coll;
	const char	*since;		/* filter parameter, SRC_SS_ASC */
	const char	*sort;		/* sortBy value */
	const char	*stamp;		/* the record's stamp */
	const char	*stamp2;	/* used when stamp is null */
	const char	*id;		/* the record's id */
	const char	*extra;		/* one more parameter, "name=value" */
	const char	*x3class;	/* REST class and representation */
	const char	*system;	/* documents.system */
	const char	*doc_type;
	const char	*kind;		/* the job it queues */
};

#define EN(f)	offsetof(struct cfg_poller, f)

static const struct def defs[] = {
	{ POLL_SS_ORDERS, EN(poll_ss_orders), SRC_SS_ASC, SS_ORDERS,
	    "modifyDateStart", "ModifyDate", "modifyDate", "createDate",
	    "orderId", NULL, NULL, "shipstation", "order", "ss.order" },
	{ POLL_SS_SHIPMENTS, EN(poll_ss_shipments), SRC_SS_ASC, SS_SHIPMENTS,
	    "createDateStart", "CreateDate", "createDate", NULL,
	    "shipmentId", "includeShipmentItems=true", NULL, "shipstation",
	    "shipment", "ss.shipment" },
	{ POLL_SS_FULFILLMENTS, EN(poll_ss_fulfillments), SRC_SS_ASC,
	    SS_FULFILLMENTS, "createDateStart", "CreateDate", "createDate",
	    NULL, "fulfillmentId", NULL, NULL, "shipstation", "fulfillment",
	    "ss.fulfillment" },
	{ POLL_SS_CUSTOMERS, EN(poll_ss_customers), SRC_SS_DESC,
	    SS_CUSTOMERS, NULL, "ModifyDate", "modifyDate", "createDate",
	    "customerId", NULL, NULL, "shipstation", "customer",
	    "ss.customer" },
	{ POLL_X3_ORDERS, EN(poll_x3_orders), SRC_X3, SS__MAX, NULL, NULL,
	    "UPDDATTIM", "CREDATTIM", "SOHNUM", NULL, "SORDER", "x3",
	    "salesOrder", "x3.order" },
	{ POLL_X3_CUSTOMERS, EN(poll_x3_customers), SRC_X3, SS__MAX, NULL,
	    NULL, "UPDDATTIM", "CREDATTIM", "BPCNUM", NULL, "BPCUSTOMER",
	    "x3", "customer", "x3.customer" },
	{ POLL_X3_PRODUCTS, EN(poll_x3_products), SRC_X3, SS__MAX, NULL, NULL,
	    "UPDDATTIM", "CREDATTIM", "ITMREF", NULL, "ITMMASTER", "x3",
	    "product", "x3.product" },
};

#define NDEFS	(sizeof(defs) / sizeof(defs[0]))

/* One run of one poll. */
struct run {
	const struct jobrun_ctx	*ctx;
	const struct def	*d;
	struct ss_stats		 st;		/* live, filled by ss_list */
	char			 pos[40];	/* the stored position, "" */
	int64_t			 start_us;	/* this window's filter */
	int64_t			 max_us;	/* newest stamp committed */
	int64_t			 held_us;	/* poison: hold here, -1 */
	int			 lastpages;
	int			 lastpoison;
	int			 restart;	/* window cut short */
	int			 lost;		/* cursor lock lost or reset */
	int			 records;
	int			 changed;
	enum core_err		 rc;		/* storing */
};

/* The record's stamp in UTC us; 0 when it has none. -1 unparseable. */
static int
stamp_of(const struct run *r, json_t *rec, int64_t *us)
{
	const char		*s;
	enum sstime_kind	 k;
	int			 rc;

	s = json_string_value(json_object_get(rec, r->d->stamp));
	if ((s == NULL || *s == '\0') && r->d->stamp2 != NULL)
		s = json_string_value(json_object_get(rec, r->d->stamp2));
	*us = 0;
	if (s == NULL || *s == '\0')
		return 0;
	rc = r->d->src == SRC_X3 ? sstime_parse_utc(s, us, &k) :
	    sstime_parse_pacific(s, us, &k);
	return rc == -1 || k == SSTIME_NULL ? -1 : 0;
}

/* Store one record as a document. 0, or -1 (r->rc set). */
static int
store(struct run *r, json_t *rec)
{
	int	 changed = 0;

	r->rc = event_store_record(r->ctx->db, r->d->system, r->d->doc_type,
	    r->d->id, rec, 0, r->d->kind, &changed);
	if (r->rc == CORE_EINPUT) {
		log_warnx("poll %s: record without a usable %s: skipped",
		    r->d->cursor, r->d->id);
		r->rc = CORE_OK;
		return 0;
	}
	if (r->rc != CORE_OK)
		return -1;
	r->records++;
	r->changed += changed;
	return 0;
}

/* Store and track the newest stamp. 0 or -1. */
static int
take(struct run *r, json_t *rec)
{
	int64_t	 t;

	if (stamp_of(r, rec, &t) == -1)
		log_warnx("poll %s: unreadable %s; stored, cursor unaffected",
		    r->d->cursor, r->d->stamp);
	if (store(r, rec) == -1)
		return -1;
	if (t > r->max_us)
		r->max_us = t;
	return 0;
}

static int
ss_asc_cb(void *arg, json_t *rec)
{
	struct run	*r = arg;

	if (r->st.poison != r->lastpoison) {
		/* A record was skipped before this one: hold behind it. */
		r->lastpoison = r->st.poison;
		if (r->held_us < 0)
			r->held_us = r->max_us;
	}
	if (r->st.pages != r->lastpages) {
		/* First record of a new page: the pages before are all
		 * committed. Start a fresh listing if the stamp moved. */
		if (r->lastpages != 0 && r->held_us < 0 &&
		    r->max_us / 1000000 > r->start_us / 1000000) {
			r->restart = 1;
			return 1;
		}
		r->lastpages = r->st.pages;
	}
	return take(r, rec) == -1 ? 1 : 0;
}

static int
ss_desc_cb(void *arg, json_t *rec)
{
	struct run	*r = arg;
	int64_t		 t;

	if (r->st.poison != r->lastpoison) {
		r->lastpoison = r->st.poison;
		r->held_us = 0;
	}
	/* Newest first: the first record older than the window ends it. */
	if (stamp_of(r, rec, &t) == 0 && t > 0 && t < r->start_us)
		return 1;
	return take(r, rec) == -1 ? 1 : 0;
}

/* Move the cursor to us (if it is ahead). 0, or -1 (r->lost set). */
static int
advance(struct run *r, int64_t us)
{
	struct db	*db = r->ctx->db;
	char		 to[40];
	int64_t		 cur;
	enum sstime_kind k;
	enum core_err	 rc;

	if (r->pos[0] != '\0' && sstime_parse_utc(r->pos, &cur, &k) == 0 &&
	    us <= cur)
		us = cur;	/* never backwards; records still the run */
	if (sstime_format_utc(us, to, sizeof(to)) == -1)
		return -1;
	rc = cursor_advance(db, r->d->cursor, r->pos[0] != '\0' ? r->pos :
	    NULL, to);
	if (rc == CORE_EBUSY) {
		log_warnx("poll %s: cursor reset or lock lost meanwhile; "
		    "this run ends without advancing", r->d->cursor);
		r->lost = 1;
		return -1;
	}
	if (rc != CORE_OK) {
		log_warnx("poll %s: advancing the cursor: %s", r->d->cursor,
		    db_error(db));
		r->lost = 1;
		return -1;
	}
	(void)snprintf(r->pos, sizeof(r->pos), "%s", to);
	return 0;
}

/* "X: what" from the last answer of a client, for last_error. */
static void
fail_text(char *buf, size_t sz, const char *who, const struct http_resp *l,
    enum core_err rc)
{
	(void)snprintf(buf, sz, "%s: %s", who, l != NULL && l->what[0] !=
	    '\0' ? l->what : core_strerror(rc));
}

static int
ss_window(struct run *r, char *err, size_t errsz)
{
	struct ss_param	 p[5];
	char		 since[32], extra[64], *eq;
	size_t		 np = 0;
	enum core_err	 rc;

	if (r->d->src == SRC_SS_ASC) {
		if (sstime_format_pacific(r->start_us, since, sizeof(since)) ==
		    -1)
			return -1;
		p[np].name = r->d->since;
		p[np++].value = since;
	}
	p[np].name = "sortBy";
	p[np++].value = r->d->sort;
	p[np].name = "sortDir";
	p[np++].value = r->d->src == SRC_SS_ASC ? "ASC" : "DESC";
	if (r->d->extra != NULL) {
		(void)snprintf(extra, sizeof(extra), "%s", r->d->extra);
		if ((eq = strchr(extra, '=')) != NULL) {
			*eq = '\0';
			p[np].name = extra;
			p[np++].value = eq + 1;
		}
	}
	r->lastpages = r->lastpoison = 0;
	r->restart = 0;
	rc = ss_list(r->ctx->ss, r->d->coll, p, np, QUOTA_POLL,
	    r->d->src == SRC_SS_ASC ? ss_asc_cb : ss_desc_cb, r, &r->st);
	if (r->rc != CORE_OK) {
		(void)snprintf(err, errsz, "storing: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	if (rc != CORE_OK) {
		fail_text(err, errsz, "ShipStation", ss_last(r->ctx->ss), rc);
		return -1;
	}
	return 0;
}

static int
x3_cb(void *arg, json_t *rec)
{
	struct run	*r = arg;
	struct x3_stats	 xs;

	x3_get_stats(r->ctx->x3, &xs);
	if (xs.pages != r->lastpages) {
		/* A new page: every record before it is committed. */
		if (r->lastpages != 0 && r->max_us > 0 &&
		    advance(r, r->max_us) == -1)
			return 1;
		r->lastpages = xs.pages;
	}
	return take(r, rec) == -1 ? 1 : 0;
}

static int
x3_window(struct run *r, char *err, size_t errsz)
{
	char		 where[96], order[64], ts[40], lit[32];
	enum core_err	 rc;

	/* Whole seconds, "Z": the literal form of X3 §1.5 (ge: the
	 * second the cursor is in is read again). */
	if (sstime_format_utc(r->start_us, ts, sizeof(ts)) == -1 ||
	    strlen(ts) < 19)
		return -1;
	(void)snprintf(lit, sizeof(lit), "%.19sZ", ts);
	(void)snprintf(where, sizeof(where), "%s ge @%s@", r->d->stamp, lit);
	(void)snprintf(order, sizeof(order), "%s asc,%s asc", r->d->stamp,
	    r->d->id);
	r->lastpages = 0;
	rc = x3_rest_query(r->ctx->x3, r->d->x3class, r->d->x3class, where,
	    order, x3_cb, r);
	if (r->lost)
		return -1;
	if (r->rc != CORE_OK) {
		(void)snprintf(err, errsz, "storing: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	if (rc != CORE_OK) {
		fail_text(err, errsz, "X3", x3_last(r->ctx->x3), rc);
		return -1;
	}
	return 0;
}

/* One poll, its cursor locked. */
static void
run_one(const struct jobrun_ctx *ctx, const struct def *d, int (*stop)(void),
    struct poll_stats *ps)
{
	struct run	 r;
	struct db	*db = ctx->db;
	char		*pos = NULL, err[300] = "";
	int64_t		 base, overlap;
	enum sstime_kind k;
	int		 w, failed = 0;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.d = d;
	r.held_us = -1;
	if (cursor_get(db, d->cursor, &pos) != CORE_OK) {
		log_warnx("poll %s: reading the cursor: %s", d->cursor,
		    db_error(db));
		return;
	}
	overlap = (int64_t)ctx->cfg->poller.poll_overlap * 1000000;
	if (pos != NULL && sstime_parse_utc(pos, &base, &k) == 0 &&
	    k != SSTIME_NULL)
		(void)snprintf(r.pos, sizeof(r.pos), "%s", pos);
	else {
		if (pos != NULL)
			log_warnx("poll %s: position '%s' is not a UTC time; "
			    "starting from the backfill window", d->cursor,
			    pos);
		base = clk_now_ms() * 1000 -
		    (int64_t)ctx->cfg->poller.poll_backfill * 1000000;
	}
	free(pos);
	ps->polls++;
	r.start_us = base - overlap;
	for (w = 0; w < ML_POLL_WINDOWS_MAX; w++) {
		r.max_us = 0;
		if (d->src == SRC_X3)
			failed = x3_window(&r, err, sizeof(err)) == -1;
		else
			failed = ss_window(&r, err, sizeof(err)) == -1;
		if (r.lost)
			break;
		if (r.held_us >= 0) {
			/* Committed up to the record skipped, no further. */
			if (r.held_us > 0)
				(void)advance(&r, r.held_us);
			if (!failed)
				(void)snprintf(err, sizeof(err), "a record "
				    "after %s fails to list (HTTP 5xx) and "
				    "was skipped; the cursor holds there",
				    r.pos[0] != '\0' ? r.pos : "the start");
			failed = 1;
			break;
		}
		if (failed)
			break;
		if (r.max_us > 0) {
			if (advance(&r, r.max_us) == -1)
				break;
		} else if (r.pos[0] == '\0') {
			/* Nothing yet: the start becomes visible. */
			if (advance(&r, base) == -1)
				break;
		}
		if (!r.restart || (stop != NULL && stop()))
			break;
		/* Next window from the newest stamp committed. */
		r.start_us = r.max_us;
	}
	if (!r.lost && !failed && !r.restart && r.max_us == 0 &&
	    r.pos[0] != '\0')
		(void)advance(&r, 0);	/* a good run: last_ok_at */
	if (failed && !r.lost) {
		log_warnx("poll %s: %s", d->cursor, err);
		if (cursor_error(db, d->cursor, err) != CORE_OK)
			log_warnx("poll %s: recording the error: %s",
			    d->cursor, db_error(db));
		ps->failed++;
	}
	ps->records += r.records;
	ps->changed += r.changed;
	log_info("poll %s: %d record%s, %d new or changed; cursor %s",
	    d->cursor, r.records, r.records == 1 ? "" : "s", r.changed,
	    r.pos[0] != '\0' ? r.pos : "unset");
}

void
poll_run(const struct jobrun_ctx *ctx, int (*stop)(void),
    struct poll_stats *st)
{
	struct poll_stats	 dummy;
	const struct def	*d;
	const int		*on;
	enum core_err		 rc;
	size_t			 i;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (ctx->cfg->poller.poll_interval == 0)
		return;
	for (i = 0; i < NDEFS; i++) {
		d = &defs[i];
		on = (const int *)(const void *)((const char *)
		    &ctx->cfg->poller + d->enable);
		if (!*on)
			continue;
		if (d->src == SRC_X3 ? ctx->x3 == NULL : (ctx->ss == NULL ||
		    ctx->cfg->ss.v2))
			continue;	/* XXX V2 polls: not built */
		if (stop != NULL && stop())
			return;
		if ((rc = cursor_ensure(ctx->db, d->cursor)) != CORE_OK) {
			log_warnx("poll %s: %s", d->cursor, db_error(ctx->db));
			continue;
		}
		if ((rc = cursor_lock(ctx->db, d->cursor)) == CORE_EBUSY) {
			log_debug("poll %s: another poller owns it",
			    d->cursor);
			st->busy++;
			continue;
		}
		if (rc != CORE_OK) {
			log_warnx("poll %s: locking: %s", d->cursor,
			    db_error(ctx->db));
			continue;
		}
		run_one(ctx, d, stop, st);
		if (cursor_unlock(ctx->db, d->cursor) != CORE_OK)
			log_warnx("poll %s: unlocking: %s", d->cursor,
			    db_error(ctx->db));
	}
}
