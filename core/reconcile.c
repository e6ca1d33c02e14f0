/*
 * Reconciliation: ShipStation shipments and fulfillments shipped in a
 * period (listed with their items) against the X3 deliveries whose
 * shipmentReference is one of our keys (docs/SYNC.md). Findings:
 *
 *   missing   shipped, not voided, no delivery with its key
 *   extra     a delivery with our key whose shipment is voided or not
 *             listed in the period
 *   mismatch  per X3 item, the quantity shipped differs from the
 *             quantity delivered (labels only: a fulfillment carries no
 *             lines)
 *
 * Repair re-stores the missing records as documents and re-queues their
 * sync job, which is idempotent (lookup by key before any create).
 * Extra deliveries and mismatches are left to a human: reversing or
 * changing a delivery is not something to do behind anyone's back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "reconcile.h"
#include "sync_ship.h"

#define RECON_PAGE	200	/* deliveries per GraphQL page */
#define RECON_PAGES_MAX	500	/* 100,000 deliveries per run */

struct recon {
	const struct jobrun_ctx	*ctx;
	const struct reconcile_opts *opt;
	int64_t			 run;
	json_t			*ss;	/* ref -> {type, id, voided, qty{item}, rec} */
	json_t			*x3;	/* ref -> {id, qty{item}} */
	int			 nmiss, nextra, nmis, nrep;
	char			*err;
	size_t			 errsz;
};

/* A decimal (number or string) as a double. */
static double
num(const json_t *v)
{
	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	return 0;
}

/* The X3 item of a SKU: maps sku, else the SKU itself (as sync_ship). */
static void
item_of(struct db *db, const char *sku, char *out, size_t sz)
{
	struct db_rows	*r;
	json_t		*t;
	const char	*s = NULL;

	(void)snprintf(out, sz, "%s", sku);
	if (db_select(db, "SELECT target FROM maps WHERE map_type = 'sku' AND "
	    "source_key = ?", DB_PARAMS(DB_STR(sku)), &r) != CORE_OK)
		return;
	if (r->nrows > 0) {
		t = json_loads(db_rows_get(r, 0, 0), 0, NULL);
		if ((s = json_string_value(json_object_get(t, "item"))) != NULL)
			(void)snprintf(out, sz, "%s", s);
		json_decref(t);
	}
	db_rows_free(r);
}

/* Add q to obj[key]. */
static void
add_qty(json_t *obj, const char *key, double q)
{
	(void)json_object_set_new(obj, key, json_real(q +
	    num(json_object_get(obj, key))));
}

static int
ss_record(struct recon *rc, const char *type, json_t *rec)
{
	const char	*idf = type[0] == 'f' ? "fulfillmentId" : "shipmentId";
	char		 id[32], ref[SYNC_SHIP_REF_MAX + 1], item[64];
	json_t		*e, *qty, *it;
	const char	*sku;
	size_t		 i;

	if (!json_is_integer(json_object_get(rec, idf)) ||
	    json_is_true(json_object_get(rec, "isReturnLabel")))
		return 0;
	(void)snprintf(id, sizeof(id), "%" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(rec, idf)));
	if (sync_ship_ref(type, id, ref, sizeof(ref)) == -1)
		return 0;
	if ((qty = json_object()) == NULL ||
	    (e = json_pack("{s:s, s:s, s:b, s:o, s:O}", "type", type, "id", id,
	    "voided", json_is_true(json_object_get(rec, "voided")), "qty", qty,
	    "rec", rec)) == NULL)
		return -1;
	json_array_foreach(json_object_get(rec, "shipmentItems"), i, it) {
		sku = json_string_value(json_object_get(it, "sku"));
		if (sku == NULL || *sku == '\0' || json_is_true(
		    json_object_get(it, "adjustment")) ||
		    num(json_object_get(it, "quantity")) <= 0)
			continue;
		item_of(rc->ctx->db, sku, item, sizeof(item));
		add_qty(qty, item, num(json_object_get(it, "quantity")));
	}
	if (!json_is_array(json_object_get(rec, "shipmentItems")))
		(void)json_object_set_new(e, "noitems", json_true());
	return json_object_set_new(rc->ss, ref, e) == 0 ? 0 : -1;
}

static int
on_ship(void *arg, json_t *rec)
{
	struct recon	*rc = arg;

	return ss_record(rc, "shipment", rec) == -1 ? 1 : 0;
}

static int
on_ful(void *arg, json_t *rec)
{
	struct recon	*rc = arg;

	return ss_record(rc, "fulfillment", rec) == -1 ? 1 : 0;
}

/* List both ShipStation collections over the period. */
static enum core_err
ss_side(struct recon *rc)
{
	struct ss_param		 p[3];
	struct ss_stats		 st;
	const struct http_resp	*last;
	char			 end[32];
	enum core_err		 e;

	(void)snprintf(end, sizeof(end), "%sT23:59:59", rc->opt->to);
	p[0].name = "shipDateStart";
	p[0].value = rc->opt->from;
	p[1].name = "shipDateEnd";
	p[1].value = end;
	p[2].name = "includeShipmentItems";
	p[2].value = "true";
	memset(&st, 0, sizeof(st));
	e = ss_list(rc->ctx->ss, SS_SHIPMENTS, p, 3, QUOTA_BACKFILL, on_ship,
	    rc, &st);
	if (e == CORE_OK)
		e = ss_list(rc->ctx->ss, SS_FULFILLMENTS, p, 2, QUOTA_BACKFILL,
		    on_ful, rc, &st);
	if (e != CORE_OK) {
		last = ss_last(rc->ctx->ss);
		(void)snprintf(rc->err, rc->errsz, "ShipStation: %s",
		    last != NULL ? last->what : core_strerror(e));
	}
	return e;
}

/* The X3 deliveries with one of our keys, shipped in the period. */
static enum core_err
x3_side(struct recon *rc)
{
	static const char	 head[] = "query($f: String, $a: String) { ";
	static const char	 tail[] = " { " SYNC_SHIP_NODE " { query(first: "
	    "200, after: $a, filter: $f) { edges { node { _id "
	    SYNC_SHIP_REF_FIELD " lines { query(first: 500) { edges { node { "
	    "product { code } quantityInSalesUnitDelivered } } } } } } "
	    "pageInfo { endCursor hasNextPage } } } } }";
	const char	*pkg = rc->ctx->cfg->x3.sales_package, *ref, *code;
	char		 q[700], *filter;
	json_t		*f, *v, *d, *conn, *n, *l, *qty, *e;
	size_t		 i, k;
	int		 page;
	enum core_err	 ec;

	(void)snprintf(q, sizeof(q), "%s%s%s", head, pkg, tail);
	f = json_pack("{s:[{s:{s:s}}, {s:{s:s}}, {s:{s:s}}]}", "_and",
	    SYNC_SHIP_REF_FIELD, "_regex", "^(SHP|FUL)[0-9]+$",
	    "shipmentDate", "_gte", rc->opt->from,
	    "shipmentDate", "_lte", rc->opt->to);
	filter = f != NULL ? json_dumps(f, JSON_COMPACT) : NULL;
	json_decref(f);
	if (filter == NULL)
		return CORE_ENOMEM;
	v = json_pack("{s:s, s:n}", "f", filter, "a");
	free(filter);
	if (v == NULL)
		return CORE_ENOMEM;
	for (page = 0; page < RECON_PAGES_MAX; page++) {
		if ((ec = x3_graphql(rc->ctx->x3, q, v, &d)) != CORE_OK) {
			(void)snprintf(rc->err, rc->errsz, "X3: %s",
			    x3_last(rc->ctx->x3) != NULL ?
			    x3_last(rc->ctx->x3)->what : core_strerror(ec));
			json_decref(d);
			json_decref(v);
			return ec;
		}
		conn = json_object_get(json_object_get(json_object_get(
		    json_object_get(d, pkg), SYNC_SHIP_NODE), "query"), "edges");
		json_array_foreach(conn, i, n) {
			n = json_object_get(n, "node");
			ref = json_string_value(json_object_get(n,
			    SYNC_SHIP_REF_FIELD));
			if (ref == NULL || (qty = json_object()) == NULL)
				continue;
			json_array_foreach(json_object_get(json_object_get(
			    json_object_get(n, "lines"), "query"), "edges"), k,
			    l) {
				l = json_object_get(l, "node");
				code = json_string_value(json_object_get(
				    json_object_get(l, "product"), "code"));
				if (code != NULL)
					add_qty(qty, code, num(json_object_get(
					    l, "quantityInSalesUnitDelivered")));
			}
			e = json_pack("{s:O, s:o}", "id", json_object_get(n,
			    "_id"), "qty", qty);
			/* Two with one key: the second is the extra one. */
			if (e != NULL && json_object_get(rc->x3, ref) != NULL) {
				char dup[64];

				(void)snprintf(dup, sizeof(dup), "%s#%s", ref,
				    json_string_value(json_object_get(n,
				    "_id")));
				(void)json_object_set_new(rc->x3, dup, e);
			} else if (e != NULL)
				(void)json_object_set_new(rc->x3, ref, e);
		}
		conn = json_object_get(json_object_get(json_object_get(
		    json_object_get(json_object_get(d, pkg), SYNC_SHIP_NODE),
		    "query"), "pageInfo"), "endCursor");
		if (!json_is_true(json_object_get(json_object_get(
		    json_object_get(json_object_get(json_object_get(d, pkg),
		    SYNC_SHIP_NODE), "query"), "pageInfo"), "hasNextPage")) ||
		    !json_is_string(conn)) {
			json_decref(d);
			break;
		}
		(void)json_object_set(v, "a", conn);
		json_decref(d);
	}
	json_decref(v);
	return CORE_OK;
}

static void
item_add(struct recon *rc, const char *kind, const char *ssid,
    const char *ref, const char *x3id, const char *sku, const double *ssq,
    const double *x3q, const char *detail, int repaired)
{
	char	 a[32], b[32];

	(void)snprintf(a, sizeof(a), "%.4f", ssq != NULL ? *ssq : 0);
	(void)snprintf(b, sizeof(b), "%.4f", x3q != NULL ? *x3q : 0);
	if (db_exec(rc->ctx->db, "INSERT INTO reconcile_items (run_id, kind, "
	    "ss_id, ref, x3_id, sku, ss_qty, x3_qty, detail, repaired) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, LEFT(?, 255), ?)", DB_PARAMS(DB_I64(
	    rc->run), DB_STR(kind), DB_STR(ssid), DB_STR(ref), DB_STR(x3id),
	    DB_STR(sku), ssq != NULL ? DB_STR(a) : DB_NULL(), x3q != NULL ?
	    DB_STR(b) : DB_NULL(), DB_STR(detail), DB_I64(repaired)), NULL,
	    NULL) != CORE_OK)
		log_warnx("reconcile: storing an item: %s",
		    db_error(rc->ctx->db));
}

/* Store the record and (re)queue its sync job. 0 or -1. */
static int
repair(struct recon *rc, const json_t *e)
{
	const char	*type = json_string_value(json_object_get(e, "type"));
	const char	*id = json_string_value(json_object_get(e, "id"));
	char		*text, kind[32];
	int		 changed;
	enum core_err	 ec;

	if ((text = json_dumps(json_object_get(e, "rec"), JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		return -1;
	ec = event_store_document(rc->ctx->db, type, id, text, 0, &changed);
	free(text);
	if (ec != CORE_OK)
		return -1;
	(void)snprintf(kind, sizeof(kind), "ss.%s", type);
	/* Unchanged content queues nothing: ready the job ourselves. */
	return db_exec(rc->ctx->db, "INSERT INTO jobs (kind, job_key, "
	    "priority, max_attempts) VALUES (?, ?, 3, ?) ON DUPLICATE KEY "
	    "UPDATE attempts = IF(state = 'running', attempts, 0), "
	    "next_attempt_at = IF(state = 'running', next_attempt_at, "
	    "NOW(6)), state = IF(state = 'running', state, 'ready')",
	    DB_PARAMS(DB_STR(kind), DB_STR(id), DB_I64(ML_JOB_MAX_ATTEMPTS)),
	    NULL, NULL) == CORE_OK ? 0 : -1;
}

/* What our links say about a shipment, for the finding's detail. */
static void
link_note(struct recon *rc, const char *ssid, char *out, size_t sz)
{
	struct db_rows	*r;

	(void)snprintf(out, sz, "no link");
	if (db_select(rc->ctx->db, "SELECT CONCAT(state, ' ', IFNULL(x3_id, "
	    "'-')) FROM links WHERE entity = 'shipment' AND ss_id = ?",
	    DB_PARAMS(DB_STR(ssid)), &r) != CORE_OK)
		return;
	if (r->nrows > 0)
		(void)snprintf(out, sz, "link %s", db_rows_get(r, 0, 0));
	db_rows_free(r);
}

static void
compare(struct recon *rc)
{
	const char	*ref, *k, *x3id;
	json_t		*e, *x, *sq, *xq, *v;
	char		 ssid[40], note[96], det[200];
	double		 a, b;
	int		 fixed;

	json_object_foreach(rc->ss, ref, e) {
		(void)snprintf(ssid, sizeof(ssid), "%s%s",
		    json_string_value(json_object_get(e, "type"))[0] == 'f' ?
		    "F" : "", json_string_value(json_object_get(e, "id")));
		x = json_object_get(rc->x3, ref);
		if (json_is_true(json_object_get(e, "voided")))
			continue;
		if (x == NULL) {
			link_note(rc, ssid, note, sizeof(note));
			fixed = rc->opt->repair && repair(rc, e) == 0;
			(void)snprintf(det, sizeof(det), "shipped, no X3 "
			    "delivery (%s)%s", note, fixed ? "; sync re-queued" :
			    "");
			item_add(rc, "missing", ssid, ref, NULL, NULL, NULL,
			    NULL, det, fixed);
			rc->nmiss++;
			rc->nrep += fixed;
			continue;
		}
		if (json_is_true(json_object_get(e, "noitems")))
			continue;
		x3id = json_string_value(json_object_get(x, "id"));
		sq = json_object_get(e, "qty");
		xq = json_object_get(x, "qty");
		json_object_foreach(sq, k, v) {
			a = num(v);
			b = num(json_object_get(xq, k));
			if (a - b > 1e-6 || b - a > 1e-6) {
				item_add(rc, "mismatch", ssid, ref, x3id, k, &a,
				    &b, "shipped and delivered quantities "
				    "differ", 0);
				rc->nmis++;
			}
		}
		json_object_foreach(xq, k, v)
			if (json_object_get(sq, k) == NULL) {
				a = 0;
				b = num(v);
				item_add(rc, "mismatch", ssid, ref, x3id, k, &a,
				    &b, "delivered, not in the shipment", 0);
				rc->nmis++;
			}
	}
	json_object_foreach(rc->x3, ref, x) {
		char	 base[SYNC_SHIP_REF_MAX + 1];

		(void)snprintf(base, sizeof(base), "%.*s",
		    (int)strcspn(ref, "#"), ref);
		e = json_object_get(rc->ss, base);
		x3id = json_string_value(json_object_get(x, "id"));
		ssid[0] = '\0';
		if (e != NULL)
			(void)snprintf(ssid, sizeof(ssid), "%s%s",
			    json_string_value(json_object_get(e, "type"))[0] ==
			    'f' ? "F" : "", json_string_value(json_object_get(e,
			    "id")));
		if (strchr(ref, '#') != NULL)
			(void)snprintf(det, sizeof(det), "a second delivery "
			    "with key %s", base);
		else if (e == NULL)
			(void)snprintf(det, sizeof(det), "no ShipStation "
			    "record shipped in the period");
		else if (json_is_true(json_object_get(e, "voided")))
			(void)snprintf(det, sizeof(det), "the ShipStation "
			    "record is voided");
		else
			continue;
		item_add(rc, "extra", ssid[0] != '\0' ? ssid : NULL, base,
		    x3id, NULL, NULL, NULL, det, 0);
		rc->nextra++;
	}
}

enum core_err
reconcile_run(const struct jobrun_ctx *ctx, const struct reconcile_opts *o,
    int64_t *run_id, char *err, size_t errsz)
{
	struct recon	 rc;
	uint64_t	 id = 0;
	enum core_err	 ec;

	memset(&rc, 0, sizeof(rc));
	rc.ctx = ctx;
	rc.opt = o;
	rc.err = err;
	rc.errsz = errsz;
	err[0] = '\0';
	if (run_id != NULL)
		*run_id = 0;
	if (ctx->ss == NULL || ctx->x3 == NULL) {
		(void)snprintf(err, errsz, "needs both shipstation { } and "
		    "x3 { } configured");
		return CORE_ECONFIG;
	}
	/* V2 labels carry no order lines; the V1 lists are compared. */
	if (ctx->cfg->ss.v2) {
		(void)snprintf(err, errsz, "needs the ShipStation V1 API "
		    "(shipstation.api = \"v1\")");
		return CORE_ECONFIG;
	}
	if ((ec = db_exec(ctx->db, "INSERT INTO reconcile_runs (trigger_by, "
	    "period_from, period_to) VALUES (?, ?, ?)", DB_PARAMS(DB_STR(
	    o->trigger), DB_STR(o->from), DB_STR(o->to)), NULL, &id)) !=
	    CORE_OK) {
		(void)snprintf(err, errsz, "reconcile_runs: %s (bad date?)",
		    db_error(ctx->db));
		return ec;
	}
	rc.run = (int64_t)id;
	if (run_id != NULL)
		*run_id = rc.run;
	if ((rc.ss = json_object()) == NULL || (rc.x3 = json_object()) ==
	    NULL) {
		ec = CORE_ENOMEM;
		(void)snprintf(err, errsz, "out of memory");
	} else if ((ec = ss_side(&rc)) == CORE_OK &&
	    (ec = x3_side(&rc)) == CORE_OK)
		compare(&rc);
	if (db_exec(ctx->db, "UPDATE reconcile_runs SET finished_at = "
	    "NOW(6), state = ?, shipments = ?, deliveries = ?, missing = ?, "
	    "extra = ?, mismatch = ?, repaired = ?, error = ? WHERE id = ?",
	    DB_PARAMS(DB_STR(ec == CORE_OK ? "done" : "failed"),
	    DB_I64((int64_t)json_object_size(rc.ss)),
	    DB_I64((int64_t)json_object_size(rc.x3)), DB_I64(rc.nmiss),
	    DB_I64(rc.nextra), DB_I64(rc.nmis), DB_I64(rc.nrep),
	    ec == CORE_OK ? DB_NULL() : DB_STR(err), DB_I64(rc.run)), NULL,
	    NULL) != CORE_OK && ec == CORE_OK) {
		ec = CORE_EDB;
		(void)snprintf(err, errsz, "reconcile_runs: %s",
		    db_error(ctx->db));
	}
	log_info("reconcile %s..%s: %zu ShipStation, %zu X3; %d missing, "
	    "%d extra, %d mismatches, %d re-queued%s%s", o->from, o->to,
	    json_object_size(rc.ss), json_object_size(rc.x3), rc.nmiss,
	    rc.nextra, rc.nmis, rc.nrep, err[0] != '\0' ? ": " : "", err);
	json_decref(rc.ss);
	json_decref(rc.x3);
	return ec;
}

enum core_err
reconcile_report(struct db *db, int64_t run_id, json_t **out)
{
	struct db_rows	*r, *it;
	json_t		*rep, *items, *row;
	size_t		 i, k;
	enum core_err	 ec;
	static const char *const cols[] = { "kind", "ss_id", "ref", "x3_id",
	    "sku", "ss_qty", "x3_qty", "detail", "repaired" };

	*out = NULL;
	if ((ec = db_select(db, "SELECT id, trigger_by, period_from, "
	    "period_to, state, shipments, deliveries, missing, extra, "
	    "mismatch, repaired, error, started_at, finished_at FROM "
	    "reconcile_runs WHERE id = ? OR (? = 0 AND id = (SELECT MAX(id) "
	    "FROM reconcile_runs))", DB_PARAMS(DB_I64(run_id), DB_I64(run_id)),
	    &r)) != CORE_OK)
		return ec;
	if (r->nrows == 0) {
		db_rows_free(r);
		return CORE_ENOTFOUND;
	}
	rep = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:s?, s:s?, s:s?}",
	    "id", (json_int_t)db_rows_i64(r, 0, 0, 0),
	    "trigger", db_rows_get(r, 0, 1), "from", db_rows_get(r, 0, 2),
	    "to", db_rows_get(r, 0, 3), "state", db_rows_get(r, 0, 4),
	    "shipments", (json_int_t)db_rows_i64(r, 0, 5, 0),
	    "deliveries", (json_int_t)db_rows_i64(r, 0, 6, 0),
	    "missing", (json_int_t)db_rows_i64(r, 0, 7, 0),
	    "extra", (json_int_t)db_rows_i64(r, 0, 8, 0),
	    "mismatch", (json_int_t)db_rows_i64(r, 0, 9, 0),
	    "repaired", (json_int_t)db_rows_i64(r, 0, 10, 0),
	    "error", db_rows_get(r, 0, 11), "started", db_rows_get(r, 0, 12),
	    "finished", db_rows_get(r, 0, 13));
	run_id = db_rows_i64(r, 0, 0, 0);
	db_rows_free(r);
	if (rep == NULL || (items = json_array()) == NULL ||
	    json_object_set_new(rep, "items", items) != 0) {
		json_decref(rep);
		return CORE_ENOMEM;
	}
	if ((ec = db_select(db, "SELECT kind, ss_id, ref, x3_id, sku, "
	    "ss_qty + 0, x3_qty + 0, detail, repaired FROM reconcile_items "
	    "WHERE run_id = ? ORDER BY id", DB_PARAMS(DB_I64(run_id)), &it)) !=
	    CORE_OK) {
		json_decref(rep);
		return ec;
	}
	for (i = 0; i < it->nrows; i++) {
		if ((row = json_object()) == NULL ||
		    json_array_append_new(items, row) != 0)
			break;
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			const char *c = db_rows_get(it, i, k);

			if (c == NULL)
				continue;
			if (k == 5 || k == 6)
				(void)json_object_set_new(row, cols[k],
				    json_real(strtod(c, NULL)));
			else if (k == 8)
				(void)json_object_set_new(row, cols[k],
				    json_boolean(strcmp(c, "0") != 0));
			else
				(void)json_object_set_new(row, cols[k],
				    json_string(c));
		}
	}
	db_rows_free(it);
	*out = rep;
	return CORE_OK;
}

/* Today's date minus back days, UTC, into out (YYYY-MM-DD). */
static void
day(time_t now, int back, char *out, size_t sz)
{
	struct tm	 tm;
	time_t		 t = now - (time_t)back * 86400;

	(void)gmtime_r(&t, &tm);
	(void)strftime(out, sz, "%Y-%m-%d", &tm);
}

void
reconcile_job(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	struct reconcile_opts	 opt = { NULL, NULL, 0, "schedule" };
	json_t			*p = NULL;
	json_int_t		 days = 7;
	const char		*from = NULL, *to = NULL;
	char			 f[16], t[16], err[256];
	int64_t			 id;

	if (j->payload != NULL && ((p = json_loads(j->payload, 0, NULL)) ==
	    NULL || json_unpack(p, "{s?I, s?s, s?s}", "days", &days, "from",
	    &from, "to", &to) != 0 || days < 1 || days > 92)) {
		json_decref(p);
		job_outcome_set(o, JOB_ERR_DATA, "bad reconcile payload");
		return;
	}
	day(time(NULL), (int)days, f, sizeof(f));
	day(time(NULL), 1, t, sizeof(t));
	opt.from = from != NULL ? from : f;
	opt.to = to != NULL ? to : t;
	if (reconcile_run(ctx, &opt, &id, err, sizeof(err)) != CORE_OK)
		job_outcome_set(o, JOB_ERR_TRANSIENT, "run %lld: %s",
		    (long long)id, err);
	json_decref(p);
}

enum core_err
reconcile_schedule(struct db *db, int interval, int days)
{
	char	 key[48], payload[32];

	if (interval <= 0)
		return CORE_OK;
	(void)snprintf(key, sizeof(key), "every-%d-%lld", interval,
	    (long long)(time(NULL) / interval));
	(void)snprintf(payload, sizeof(payload), "{\"days\": %d}", days);
	/* INSERT IGNORE: the first poller of the period enqueues it. */
	return job_enqueue(db, "reconcile", key, payload, 8, NULL);
}
