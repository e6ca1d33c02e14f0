/*
 * The ss.shipment and ss.fulfillment jobs: one ShipStation label or
 * fulfillment (the stored document) becomes one X3 delivery
 * (x3Sales.salesDelivery.create) of exactly the shipped lines, against
 * the X3 order of its order (of the parent for a split child). See
 * docs/SYNC.md "Shipments".
 *
 * Exactly once: X3 enforces no key on deliveries, so ours ("SHP" +
 * shipmentId) travels in the delivery's shipmentReference field
 * (YSHIPREF) and is looked up before any create and after a create
 * that failed or whose answer was lost; the create itself is sent once
 * (x3_mutate), and a named database lock keeps two workers from
 * sending the same shipment at the same time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "sync_ship.h"

#define SHIP_LOCK_WAIT	10	/* seconds for the per-shipment lock */
#define SHIP_LINES_MAX	500	/* X3 order lines read */

/* GraphQL documents: head, the configured sales package, tail. */
struct gqdoc {
	const char	*head;
	const char	*tail;
};
static const struct gqdoc q_find = { "query($f: String) { ",
    " { " SYNC_SHIP_NODE " { query(first: 2, filter: $f) "
    "{ edges { node { _id } } } } } }" };
static const struct gqdoc q_order = { "query($id: String!) { ",
    " { salesOrder { read(_id: $id) { _id lines { query(first: 500) { "
    "edges { node { lineNumber product { code } quantityInSalesUnitOrdered "
    "quantityInSalesUnitDelivered } } } } } } } }" };
static const struct gqdoc q_dlines = { "query($id: String!) { ",
    " { " SYNC_SHIP_NODE " { read(_id: $id) { _id lines { query(first: "
    "500) { edges { node { salesOrderLine quantityInSalesUnitDelivered "
    "} } } } } } } }" };
static const struct gqdoc q_create = {
    "mutation($data: SalesDelivery_Input!) { ",
    " { " SYNC_SHIP_NODE " { create(data: $data) { _id } } } }" };
static const struct gqdoc q_delete = { "mutation($id: String!) { ",
    " { " SYNC_SHIP_NODE " { delete(_id: $id) } } }" };

/* What one run works with; freed by ctx_free(). */
struct run {
	const struct jobrun_ctx	*ctx;
	const struct job	*j;
	const char		*type;	/* "shipment" or "fulfillment" */
	const char		*pkg;	/* sales package */
	char			 ref[SYNC_SHIP_REF_MAX + 1];
	char			 ssid[40]; /* links ss_id */
	char			 hash[65];
	char			 wait[32]; /* orderId waited for, or "" */
	char			 self[64]; /* preview: our delivery, if any */
	json_t			*doc;
};

int
sync_ship_ref(const char *doc_type, const char *id, char *out, size_t sz)
{
	int	 n;

	n = snprintf(out, sz, "%s%s", strcmp(doc_type, "fulfillment") == 0 ?
	    "FUL" : "SHP", id);
	return n < 0 || (size_t)n >= sz || n > SYNC_SHIP_REF_MAX ? -1 : 0;
}

static double
num(const json_t *v)
{
	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	return 0;
}

/* A decimal as X3 samples send it: a string, no trailing zeros. */
static json_t *
decstr(double v)
{
	char	 b[32];

	(void)snprintf(b, sizeof(b), "%.4f", v);
	while (strchr(b, '.') != NULL && b[strlen(b) - 1] == '0')
		b[strlen(b) - 1] = '\0';
	if (b[strlen(b) - 1] == '.')
		b[strlen(b) - 1] = '\0';
	return json_string(b);
}

int
sync_ship_build(const struct sync_ship_in *in, json_t **out, char *err,
    size_t errsz)
{
	json_t		*data, *lines = NULL, *it, *l, *used;
	const json_t	*items, *ln;
	const char	*sku, *item, *code, *date, *track;
	char		 key[16];
	double		 qty, rem, take;
	size_t		 i, k;

	*out = NULL;
	date = json_string_value(json_object_get(in->doc, "shipDate"));
	if (date == NULL || strlen(date) < 10) {
		(void)snprintf(err, errsz, "document has no shipDate");
		return -1;
	}
	if ((data = json_object()) == NULL || (used = json_object()) == NULL) {
		json_decref(data);
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	(void)snprintf(key, sizeof(key), "%.10s", date);
	track = json_string_value(json_object_get(in->doc, "trackingNumber"));
	if (json_object_set_new(data, "salesOrder", json_string(in->order)) ||
	    json_object_set_new(data, "shipmentDate", json_string(key)) ||
	    json_object_set_new(data, "carrier", json_string(in->carrier)) ||
	    json_object_set_new(data, SYNC_SHIP_REF_FIELD,
	    json_string(in->ref)) || (in->mode != NULL &&
	    json_object_set_new(data, "deliveryMode", json_string(in->mode))) ||
	    (track != NULL && *track != '\0' && json_object_set_new(data,
	    "trackingNumber", json_string(track))))
		goto nomem;
	items = json_object_get(in->doc, "shipmentItems");
	if (!json_is_array(items)) {
		/* A fulfillment: the whole order was marked shipped. */
		json_decref(used);
		*out = json_pack("{s:o}", "data", data);
		return *out == NULL ? -1 : 0;
	}
	if ((lines = json_array()) == NULL)
		goto nomem;
	/*
	 * Each shipped SKU draws on the X3 lines of its item, in line
	 * order, up to what each still has to deliver: the same SKU on
	 * two lines, or spread over several shipments, adds up.
	 */
	json_array_foreach(items, i, it) {
		if (json_is_true(json_object_get(it, "adjustment")))
			continue;
		qty = num(json_object_get(it, "quantity"));
		if (qty <= 0)
			continue;
		sku = json_string_value(json_object_get(it, "sku"));
		item = json_string_value(json_object_get(in->items,
		    sku != NULL ? sku : ""));
		if (item == NULL) {
			(void)snprintf(err, errsz, "shipment item %zu "
			    "(SKU '%.40s') has no X3 item", i + 1,
			    sku != NULL ? sku : "");
			goto fail;
		}
		json_array_foreach(in->lines, k, ln) {
			code = json_string_value(json_object_get(
			    json_object_get(ln, "product"), "code"));
			if (qty <= 0 || code == NULL || strcmp(code, item) != 0)
				continue;
			(void)snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(ln,
			    "lineNumber")));
			rem = num(json_object_get(ln,
			    "quantityInSalesUnitOrdered")) - num(
			    json_object_get(ln, "quantityInSalesUnitDelivered"))
			    - num(json_object_get(used, key));
			if (rem <= 1e-9)
				continue;
			take = qty < rem ? qty : rem;
			qty -= take;
			if (json_object_set_new(used, key, json_real(take +
			    num(json_object_get(used, key)))) != 0 ||
			    (l = json_pack("{s:O, s:o}", "salesOrderLine",
			    json_object_get(ln, "lineNumber"),
			    "quantityInSalesUnitDelivered", decstr(take))) ==
			    NULL || json_array_append_new(lines, l) != 0)
				goto nomem;
		}
		if (qty > 1e-9) {
			(void)snprintf(err, errsz, "SKU '%.40s' (X3 item "
			    "%.20s): %g more shipped than X3 order %.20s has "
			    "left to deliver", sku, item, qty, in->order);
			goto fail;
		}
	}
	if (json_array_size(lines) == 0) {
		(void)snprintf(err, errsz, "no shipped product lines");
		goto fail;
	}
	if (json_object_set_new(data, "lines", lines) != 0) {
		lines = NULL;
		goto nomem;
	}
	json_decref(used);
	if ((*out = json_pack("{s:o}", "data", data)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
nomem:
	(void)snprintf(err, errsz, "out of memory");
fail:
	json_decref(lines);
	json_decref(used);
	json_decref(data);
	return -1;
}

static void
audit(const struct run *r, const char *action, const char *req,
    const char *resp, long status, int64_t ms, const char *outcome)
{
	struct audit_rec	 a = { .job_id = r->j->id, .action = action,
	    .target = "x3", .request = req, .response = resp,
	    .http_status = status, .duration_ms = ms, .outcome = outcome };

	(void)audit_add(r->ctx->db, &a);
}

/* A GraphQL call with the package spliced in; *data new on 0. */
static int
gql(struct run *r, const struct gqdoc *doc, json_t *vars, int write,
    json_t **data, struct job_outcome *o)
{
	char	 q[640];
	int	 n, rc;

	*data = NULL;
	n = snprintf(q, sizeof(q), "%s%s%s", doc->head, r->pkg, doc->tail);
	if (n < 0 || (size_t)n >= sizeof(q)) {
		job_outcome_set(o, JOB_ERR_DATA, "query does not fit");
		return -1;
	}
	rc = write ? x3_mutate(r->ctx->x3, q, vars, data) :
	    x3_graphql(r->ctx->x3, q, vars, data);
	if (rc != CORE_OK) {
		json_decref(*data);
		*data = NULL;
		job_outcome_set(o, x3_fail_class(r->ctx->x3), "X3: %s",
		    x3_fail_what(r->ctx->x3));
		return -1;
	}
	return 0;
}

/* data.<pkg>.<node>.<op>, lent. */
static json_t *
at(json_t *data, const char *pkg, const char *node, const char *op)
{
	return json_object_get(json_object_get(json_object_get(data, pkg),
	    node), op);
}

/*
 * The delivery whose shipmentReference is ours. 1 found (number in
 * out), 0 none, -1 failed (o set). Two with our key: data error.
 */
static int
delivery_find(struct run *r, char *out, size_t sz, struct job_outcome *o)
{
	json_t		*f, *v, *d, *edges;
	char		*filter;
	const char	*id;
	int		 ret = 0;

	if ((f = json_pack("{s:s}", SYNC_SHIP_REF_FIELD, r->ref)) == NULL ||
	    (filter = json_dumps(f, JSON_COMPACT)) == NULL) {
		json_decref(f);
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	json_decref(f);
	v = json_pack("{s:s}", "f", filter);
	free(filter);
	if (v == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	ret = gql(r, &q_find, v, 0, &d, o);
	json_decref(v);
	if (ret == -1)
		return -1;
	edges = json_object_get(at(d, r->pkg, SYNC_SHIP_NODE, "query"),
	    "edges");
	id = json_string_value(json_object_get(json_object_get(
	    json_array_get(edges, 0), "node"), "_id"));
	if (json_array_size(edges) > 1) {
		job_outcome_set(o, JOB_ERR_DATA, "two X3 deliveries carry "
		    "%s: fix in X3", r->ref);
		ret = -1;
	} else if (id != NULL && strlen(id) < sz) {
		memcpy(out, id, strlen(id) + 1);
		ret = 1;
	}
	json_decref(d);
	return ret;
}

/* Record (or update) the link shipment -> delivery. 0, or -1 (o set). */
static int
link_set(struct run *r, const char *x3id, const char *state,
    struct job_outcome *o)
{
	const char	*key = json_string_value(json_object_get(r->doc,
	    "orderKey"));

	if (db_exec(r->ctx->db, "INSERT INTO links (entity, ss_id, ss_key, "
	    "x3_id, state, content_hash) VALUES ('shipment', ?, ?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE ss_key = VALUES(ss_key), x3_id = "
	    "VALUES(x3_id), state = VALUES(state), content_hash = "
	    "VALUES(content_hash)", DB_PARAMS(DB_STR(r->ssid), DB_STR(key),
	    DB_STR(x3id), DB_STR(state), DB_STR(r->hash)), NULL, NULL) !=
	    CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	return 0;
}

/* Our link: 1 with x3_id (in out) and state, 0 none, -1 failed. */
static int
link_get(struct run *r, char *out, size_t sz, char *state, size_t ssz,
    struct job_outcome *o)
{
	struct db_rows	*rows;
	const char	*v;
	int		 ret = 0;

	if (db_select(r->ctx->db, "SELECT x3_id, state FROM links WHERE "
	    "entity = 'shipment' AND ss_id = ?", DB_PARAMS(DB_STR(r->ssid)),
	    &rows) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	if (rows->nrows > 0) {
		v = db_rows_get(rows, 0, 0);
		(void)snprintf(out, sz, "%s", v != NULL ? v : "");
		v = db_rows_get(rows, 0, 1);
		(void)snprintf(state, ssz, "%s", v != NULL ? v : "");
		ret = 1;
	}
	db_rows_free(rows);
	return ret;
}

/*
 * The string field of a maps row's target. 1 found, 0 no row or no
 * such field when optional, -1 failed or bad target (o set).
 */
static int
map_get(struct db *db, const char *type, const char *key, const char *field,
    int optional, char *out, size_t sz, struct job_outcome *o)
{
	struct db_rows	*rows;
	json_t		*t;
	const char	*s;
	int		 ret = -1;

	if (db_select(db, "SELECT target FROM maps WHERE map_type = ? AND "
	    "source_key = ?", DB_PARAMS(DB_STR(type), DB_STR(key)),
	    &rows) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "maps: %s",
		    db_error(db));
		return -1;
	}
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return 0;
	}
	t = json_loads(db_rows_get(rows, 0, 0), JSON_REJECT_DUPLICATES, NULL);
	db_rows_free(rows);
	s = json_string_value(json_object_get(t, field));
	if (s != NULL && *s != '\0' && strlen(s) < sz) {
		memcpy(out, s, strlen(s) + 1);
		ret = 1;
	} else if (optional && json_is_object(t) &&
	    json_object_get(t, field) == NULL)
		ret = 0;
	else
		job_outcome_set(o, JOB_ERR_MAPPING, "maps %s '%.40s': target "
		    "needs a string \"%s\"", type, key, field);
	json_decref(t);
	return ret;
}

/*
 * The carrier map: "carrierCode/serviceCode", then "carrierCode".
 * 1 found, -1 missing or failed (o set; missing holds the job).
 */
static int
carrier_find(struct run *r, char *car, size_t csz, char *mode, size_t msz,
    struct job_outcome *o)
{
	const char	*c, *s;
	char		 k1[160], k2[80];
	int		 rc;

	c = json_string_value(json_object_get(r->doc, "carrierCode"));
	s = json_string_value(json_object_get(r->doc, "serviceCode"));
	(void)snprintf(k2, sizeof(k2), "%s", c != NULL && *c != '\0' ? c :
	    "none");
	(void)snprintf(k1, sizeof(k1), "%s/%s", k2, s != NULL ? s : "");
	if (s != NULL && *s != '\0' && (rc = map_get(r->ctx->db, "carrier",
	    k1, "carrier", 0, car, csz, o)) != 0) {
		if (rc == 1 && map_get(r->ctx->db, "carrier", k1,
		    "deliveryMode", 1, mode, msz, o) == -1)
			return -1;
		return rc;
	}
	if ((rc = map_get(r->ctx->db, "carrier", k2, "carrier", 0, car, csz,
	    o)) == 1 && map_get(r->ctx->db, "carrier", k2, "deliveryMode", 1,
	    mode, msz, o) == -1)
		return -1;
	if (rc == 0)
		job_outcome_set(o, JOB_ERR_MAPPING, "no maps carrier row for "
		    "'%s'%s%s%s (add maps carrier -> {\"carrier\": …, "
		    "\"deliveryMode\": …})", s != NULL && *s != '\0' ? k1 : k2,
		    s != NULL && *s != '\0' ? " or '" : "",
		    s != NULL && *s != '\0' ? k2 : "",
		    s != NULL && *s != '\0' ? "'" : "");
	return rc == 1 ? 1 : -1;
}

/* Skip a document we deliberately do not deliver; audited. */
static void
skip(struct run *r, const char *why)
{
	log_info("%s %s: no X3 delivery: %s", r->type, r->j->key, why);
	audit(r, "shipment.skip", NULL, why, 0, -1, "skipped");
}

/*
 * The shipment items, fetched when the stored document lacks them
 * (SHIP_NOTIFY's resource_url asks includeShipmentItems=False, §3.3):
 * the label listed by orderId with its items; the document is updated
 * in place (no new job) so a replay sees what was delivered.
 */
struct items_find {
	json_int_t	 id;
	json_t		*items;
};

static int
items_cb(void *arg, json_t *rec)
{
	struct items_find	*f = arg;

	if (json_integer_value(json_object_get(rec, "shipmentId")) != f->id ||
	    !json_is_array(json_object_get(rec, "shipmentItems")))
		return 0;
	f->items = json_incref(json_object_get(rec, "shipmentItems"));
	return 1;
}

static int
items_fetch(struct run *r, int store, struct job_outcome *o)
{
	struct items_find	 f = { 0, NULL };
	struct ss_stats		 st;
	struct timespec		 t0, t1;
	struct ss_param		 p[2];
	const struct http_resp	*last;
	char			 oid[32], *text;
	enum core_err		 rc;

	if (r->ctx->ss == NULL || r->ctx->cfg->ss.v2) {
		job_outcome_set(o, JOB_ERR_DATA, "shipment without items and "
		    "no ShipStation V1 client to fetch them");
		return -1;
	}
	f.id = json_integer_value(json_object_get(r->doc, "shipmentId"));
	(void)snprintf(oid, sizeof(oid), "%" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(r->doc, "orderId")));
	p[0].name = "orderId";
	p[0].value = oid;
	p[1].name = "includeShipmentItems";
	p[1].value = "true";
	memset(&st, 0, sizeof(st));
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ss_list(r->ctx->ss, SS_SHIPMENTS, p, 2, QUOTA_WEBHOOK, items_cb,
	    &f, &st);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		struct audit_rec	 a = { .job_id = r->j->id,
		    .action = "ss.shipments.items", .target = "shipstation",
		    .duration_ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000,
		    .outcome = f.items != NULL ? "ok" : "failed" };
		char			 req[96];

		(void)snprintf(req, sizeof(req), "GET /shipments?orderId=%s&"
		    "includeShipmentItems=true", oid);
		a.request = req;
		a.http_status = ss_last(r->ctx->ss) != NULL ?
		    ss_last(r->ctx->ss)->status : 0;
		(void)audit_add(r->ctx->db, &a);
	}
	if (f.items == NULL) {
		last = ss_last(r->ctx->ss);
		if (rc != CORE_OK)
			job_outcome_set(o, last != NULL && last->class !=
			    JOB_ERR_NONE ? last->class : JOB_ERR_TRANSIENT,
			    "ShipStation: %s", last != NULL ? last->what :
			    core_strerror(rc));
		else
			job_outcome_set(o, JOB_ERR_DATA, "ShipStation lists no "
			    "shipment %s with items", r->j->key);
		return -1;
	}
	(void)json_object_set_new(r->doc, "shipmentItems", f.items);
	if (!store)
		return 0;
	if ((text = json_dumps(r->doc, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	hash_sha256_hex(text, strlen(text), r->hash);
	if (db_exec(r->ctx->db, "UPDATE documents SET body = ?, content_hash "
	    "= ? WHERE system = 'shipstation' AND doc_type = ? AND doc_id = ?",
	    DB_PARAMS(DB_STR(text), DB_STR(r->hash), DB_STR(r->type),
	    DB_STR(r->j->key)), NULL, NULL) != CORE_OK)
		log_warnx("shipment %s: storing its items: %s", r->j->key,
		    db_error(r->ctx->db));
	free(text);
	return 0;
}

/*
 * The X3 order the shipment delivers against: that of its order, or of
 * the parent when the order is a split child. 1 found (number in out),
 * 0 not in X3 yet (r->wait set: the job waits), -1 failed (o set).
 */
static int
order_of(struct run *r, char *out, size_t sz, struct job_outcome *o)
{
	struct db_rows	*rows;
	json_t		*od, *p;
	char		 oid[32];
	int		 ret = 0;

	(void)snprintf(oid, sizeof(oid), "%" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(r->doc, "orderId")));
	if (db_select(r->ctx->db, "SELECT body FROM documents WHERE system = "
	    "'shipstation' AND doc_type = 'order' AND doc_id = ?",
	    DB_PARAMS(DB_STR(oid)), &rows) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "documents: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	if (rows->nrows > 0) {
		od = json_loads(db_rows_get(rows, 0, 0), 0, NULL);
		p = json_object_get(json_object_get(od, "advancedOptions"),
		    "parentId");
		if (json_is_integer(p))
			(void)snprintf(oid, sizeof(oid), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(p));
		json_decref(od);
	}
	db_rows_free(rows);
	if (db_select(r->ctx->db, "SELECT x3_id FROM links WHERE entity = "
	    "'order' AND ss_id = ? AND x3_id IS NOT NULL",
	    DB_PARAMS(DB_STR(oid)), &rows) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	if (rows->nrows > 0 && strlen(db_rows_get(rows, 0, 0)) < sz) {
		memcpy(out, db_rows_get(rows, 0, 0),
		    strlen(db_rows_get(rows, 0, 0)) + 1);
		ret = 1;
	} else {
		(void)snprintf(r->wait, sizeof(r->wait), "%s", oid);
		job_outcome_set(o, JOB_ERR_MAPPING, "waiting for order %s: "
		    "not in X3 yet", oid);
	}
	db_rows_free(rows);
	return ret;
}

/* The X3 item of every SKU shipped: maps sku, else the SKU itself. */
static int
items_map(struct run *r, json_t *out, struct job_outcome *o)
{
	json_t		*it;
	const char	*sku;
	char		 item[64];
	size_t		 i;
	int		 rc;

	json_array_foreach(json_object_get(r->doc, "shipmentItems"), i, it) {
		sku = json_string_value(json_object_get(it, "sku"));
		if (sku == NULL || *sku == '\0' ||
		    json_object_get(out, sku) != NULL)
			continue;
		if ((rc = map_get(r->ctx->db, "sku", sku, "item", 0, item,
		    sizeof(item), o)) == -1)
			return -1;
		if (json_object_set_new(out, sku, json_string(rc == 1 ? item :
		    sku)) != 0) {
			job_outcome_set(o, JOB_ERR_DATA, "SKU is not UTF-8");
			return -1;
		}
	}
	return 0;
}

/* Reverse the delivery of a voided shipment if X3 lets us. */
static void
reverse(struct run *r, const char *sdh, struct job_outcome *o)
{
	json_t		*v, *d = NULL;
	char		 req[96], found[64];
	struct timespec	 t0, t1;
	int		 rc;

	if ((v = json_pack("{s:s}", "id", sdh)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return;
	}
	(void)snprintf(req, sizeof(req), "{\"id\":\"%s\"}", sdh);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = gql(r, &q_delete, v, 1, &d, o);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	json_decref(v);
	audit(r, "x3.salesDelivery.delete", req, x3_last(r->ctx->x3) !=
	    NULL ? x3_last(r->ctx->x3)->body : NULL, x3_last(r->ctx->x3) !=
	    NULL ? x3_last(r->ctx->x3)->status : 0,
	    (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, rc == 0 ? "ok" :
	    job_class_name(o->cls));
	json_decref(d);
	if (rc == 0) {
		log_info("%s %s voided: delivery %s deleted in X3", r->type,
		    r->j->key, sdh);
		(void)link_set(r, sdh, "reversed", o);
		return;
	}
	/* Lost answer: the delivery's absence decides. */
	if (o->cls == JOB_ERR_TRANSIENT) {
		struct job_outcome	 o2 = { JOB_ERR_NONE, "" };

		if (delivery_find(r, found, sizeof(found), &o2) == 0) {
			o->cls = JOB_ERR_NONE;
			(void)link_set(r, sdh, "reversed", o);
		}
		return;
	}
	/* Refused (invoiced, no delete operation): a human's call. */
	(void)snprintf(found, sizeof(found), "%s", sdh);
	job_outcome_set(o, JOB_ERR_DATA, "%s %s was voided in ShipStation "
	    "but X3 delivery %s cannot be reversed (%.120s): reverse it in "
	    "X3 (customer return)", r->type, r->j->key, found,
	    x3_fail_what(r->ctx->x3));
	(void)link_set(r, sdh, "void_pending", &(struct job_outcome){ 0, "" });
}

/* The X3 order lines; *lines new on 0. */
static int
order_lines(struct run *r, const char *sohnum, json_t **lines,
    struct job_outcome *o)
{
	json_t	*v, *d, *e, *n;
	size_t	 i;

	*lines = NULL;
	if ((v = json_pack("{s:s}", "id", sohnum)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	if (gql(r, &q_order, v, 0, &d, o) == -1) {
		json_decref(v);
		return -1;
	}
	json_decref(v);
	e = json_object_get(json_object_get(json_object_get(at(d, r->pkg,
	    "salesOrder", "read"), "lines"), "query"), "edges");
	if (!json_is_object(at(d, r->pkg, "salesOrder", "read"))) {
		json_decref(d);
		job_outcome_set(o, JOB_ERR_DATA, "X3 order %s is linked but "
		    "X3 does not know it", sohnum);
		return -1;
	}
	if ((*lines = json_array()) == NULL) {
		json_decref(d);
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	json_array_foreach(e, i, n)
		if (i < SHIP_LINES_MAX)
			(void)json_array_append(*lines, json_object_get(n,
			    "node"));
	json_decref(d);
	return 0;
}

/*
 * Preview of a delivered record: give the X3 order lines back what our
 * own delivery took, so the preview shows the delivery as it would be
 * created now rather than "nothing left to deliver". 0 or -1 (o set).
 */
static int
unself(struct run *r, json_t *lines, struct job_outcome *o)
{
	json_t		*v, *d, *e, *n, *l;
	char		 b[32];
	size_t		 i, k;

	if ((v = json_pack("{s:s}", "id", r->self)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	if (gql(r, &q_dlines, v, 0, &d, o) == -1) {
		json_decref(v);
		return -1;
	}
	json_decref(v);
	e = json_object_get(json_object_get(json_object_get(at(d, r->pkg,
	    SYNC_SHIP_NODE, "read"), "lines"), "query"), "edges");
	json_array_foreach(e, i, n) {
		n = json_object_get(n, "node");
		json_array_foreach(lines, k, l) {
			if (json_integer_value(json_object_get(l, "lineNumber")) !=
			    json_integer_value(json_object_get(n,
			    "salesOrderLine")))
				continue;
			(void)snprintf(b, sizeof(b), "%.4f", num(json_object_get(
			    l, "quantityInSalesUnitDelivered")) - num(
			    json_object_get(n, "quantityInSalesUnitDelivered")));
			(void)json_object_set_new(l,
			    "quantityInSalesUnitDelivered", json_string(b));
		}
	}
	json_decref(d);
	return 0;
}

/*
 * The create variables for this run's document with the current
 * mappings and X3 order lines. store: keep fetched items in the stored
 * document (not from a preview, which writes nothing). 0 with *vars
 * new, or -1 (o set).
 */
static int
gather(struct run *r, int store, json_t **vars, struct job_outcome *o)
{
	struct sync_ship_in	 in;
	json_t			*lines = NULL, *items = NULL;
	char			 sohnum[64], car[32], mode[16] = "", err[256];
	int			 ret = -1;

	*vars = NULL;
	if (strcmp(r->type, "shipment") == 0 &&
	    !json_is_array(json_object_get(r->doc, "shipmentItems")) &&
	    items_fetch(r, store, o) == -1)
		return -1;
	if (order_of(r, sohnum, sizeof(sohnum), o) != 1)
		return -1;
	if (carrier_find(r, car, sizeof(car), mode, sizeof(mode), o) != 1)
		return -1;
	if ((items = json_object()) == NULL || items_map(r, items, o) == -1 ||
	    order_lines(r, sohnum, &lines, o) == -1 ||
	    (r->self[0] != '\0' && unself(r, lines, o) == -1))
		goto out;
	in.doc = r->doc;
	in.ref = r->ref;
	in.order = sohnum;
	in.lines = lines;
	in.items = items;
	in.carrier = car;
	in.mode = mode[0] != '\0' ? mode : NULL;
	if (sync_ship_build(&in, vars, err, sizeof(err)) == -1) {
		job_outcome_set(o, JOB_ERR_DATA, "%s", err);
		goto out;
	}
	ret = 0;
out:
	json_decref(items);
	json_decref(lines);
	return ret;
}

/* Create the delivery, once. */
static void
deliver(struct run *r, struct job_outcome *o)
{
	json_t			*vars = NULL, *d = NULL;
	char			 x3id[64], *req = NULL;
	const char		*id;
	struct timespec		 t0, t1;
	int			 rc;

	if (gather(r, 1, &vars, o) == -1)
		return;
	if ((req = json_dumps(vars, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = gql(r, &q_create, vars, 1, &d, o);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	audit(r, "x3.salesDelivery.create", req, x3_last(r->ctx->x3) != NULL ?
	    x3_last(r->ctx->x3)->body : NULL, x3_last(r->ctx->x3) != NULL ?
	    x3_last(r->ctx->x3)->status : 0,
	    (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, rc == 0 ? "ok" :
	    job_class_name(o->cls));
	id = json_string_value(json_object_get(at(d, r->pkg, SYNC_SHIP_NODE,
	    "create"), "_id"));
	if (rc == 0 && id != NULL) {
		log_info("%s %s delivered in X3 as %s", r->type, r->j->key, id);
		(void)link_set(r, id, "synced", o);
		goto out;
	}
	/* Refused or lost: our key in X3 decides, never a blind retry. */
	{
		struct job_outcome	 o2 = { JOB_ERR_NONE, "" };

		if (delivery_find(r, x3id, sizeof(x3id), &o2) == 1) {
			log_info("%s %s found in X3 as %s after the create "
			    "failed", r->type, r->j->key, x3id);
			audit(r, "x3.salesDelivery.found", r->ref, x3id, 0, -1,
			    "ok");
			o->cls = JOB_ERR_NONE;
			(void)link_set(r, x3id, "synced", o);
		} else if (o->cls == JOB_ERR_NONE)
			job_outcome_set(o, JOB_ERR_TRANSIENT, "X3 create: no id "
			    "in the answer");
	}
out:
	free(req);
	json_decref(d);
	json_decref(vars);
}

/* Load the stored document. 0, or -1 (o set). */
static int
load(struct run *r, struct job_outcome *o)
{
	struct db_rows	*rows;
	const char	*h;

	if (db_select(r->ctx->db, "SELECT body, content_hash FROM documents "
	    "WHERE system = 'shipstation' AND doc_type = ? AND doc_id = ?",
	    DB_PARAMS(DB_STR(r->type), DB_STR(r->j->key)), &rows) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "documents: %s",
		    db_error(r->ctx->db));
		return -1;
	}
	if (rows->nrows == 0) {
		db_rows_free(rows);
		job_outcome_set(o, JOB_ERR_DATA, "no stored %s %s", r->type,
		    r->j->key);
		return -1;
	}
	h = db_rows_get(rows, 0, 1);
	(void)snprintf(r->hash, sizeof(r->hash), "%s", h != NULL ? h : "");
	r->doc = json_loads(db_rows_get(rows, 0, 0), JSON_REJECT_DUPLICATES,
	    NULL);
	db_rows_free(rows);
	if (!json_is_object(r->doc)) {
		job_outcome_set(o, JOB_ERR_DATA, "stored %s is not JSON",
		    r->type);
		return -1;
	}
	return 0;
}

void
sync_ship(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	struct run	 r;
	struct db_rows	*rows = NULL;
	const char	*idf;
	char		 x3id[64], state[24], lock[64];
	int		 locked = 0, rc;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.j = j;
	r.type = strcmp(j->kind, "ss.fulfillment") == 0 ? "fulfillment" :
	    "shipment";
	idf = r.type[0] == 'f' ? "fulfillmentId" : "shipmentId";
	if (ctx->x3 == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "X3 is not configured");
		return;
	}
	r.pkg = ctx->cfg->x3.sales_package;
	if (load(&r, o) == -1)
		goto out;
	/* V2 labels and fulfillments carry no order lines: not ours. */
	if (!json_is_integer(json_object_get(r.doc, idf))) {
		skip(&r, "not a V1 record (V2 labels are delivered through "
		    "their V1 shipment)");
		goto out;
	}
	if (sync_ship_ref(r.type, j->key, r.ref, sizeof(r.ref)) == -1) {
		job_outcome_set(o, JOB_ERR_DATA, "%s id %s too long for a "
		    "delivery key", r.type, j->key);
		goto out;
	}
	(void)snprintf(r.ssid, sizeof(r.ssid), "%s%s", r.type[0] == 'f' ?
	    "F" : "", j->key);
	if (json_is_true(json_object_get(r.doc, "isReturnLabel"))) {
		skip(&r, "return label");
		goto out;
	}

	/* One worker per shipment between the lookup and the link. */
	(void)snprintf(lock, sizeof(lock), "ml-ship-%s", r.ref);
	if (db_select(ctx->db, "SELECT GET_LOCK(?, ?)", DB_PARAMS(DB_STR(lock),
	    DB_I64(SHIP_LOCK_WAIT)), &rows) != CORE_OK ||
	    db_rows_i64(rows, 0, 0, 0) != 1) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "%s %s is being sent by "
		    "another worker", r.type, j->key);
		goto out;
	}
	locked = 1;

	if ((rc = link_get(&r, x3id, sizeof(x3id), state, sizeof(state),
	    o)) == -1)
		goto out;
	if (rc == 0 || x3id[0] == '\0') {
		/* No link: an earlier attempt may have created it. */
		if ((rc = delivery_find(&r, x3id, sizeof(x3id), o)) == -1)
			goto out;
		if (rc == 1) {
			audit(&r, "x3.salesDelivery.found", r.ref, x3id, 0, -1,
			    "ok");
			if (link_set(&r, x3id, "synced", o) == -1)
				goto out;
			(void)snprintf(state, sizeof(state), "synced");
		} else
			x3id[0] = '\0';
	}
	if (json_is_true(json_object_get(r.doc, "voided"))) {
		if (x3id[0] == '\0') {
			skip(&r, "voided before it reached X3");
			(void)link_set(&r, NULL, "voided", o);
		} else if (strcmp(state, "reversed") == 0)
			log_info("%s %s: delivery %s already reversed", r.type,
			    j->key, x3id);
		else
			reverse(&r, x3id, o);
		goto out;
	}
	if (x3id[0] != '\0' && strcmp(state, "reversed") != 0) {
		log_info("%s %s already delivered as %s", r.type, j->key, x3id);
		goto out;
	}
	deliver(&r, o);
out:
	if (locked)
	{
		struct db_rows	*rl = NULL;

		if (db_select(ctx->db, "SELECT RELEASE_LOCK(?)",
		    DB_PARAMS(DB_STR(lock)), &rl) == CORE_OK)
			db_rows_free(rl);
	}
	/* Which order a held job waits for (none otherwise). */
	(void)db_exec(ctx->db, "UPDATE jobs SET wait_order = ? WHERE id = ?",
	    DB_PARAMS(r.wait[0] != '\0' ? DB_STR(r.wait) : DB_NULL(),
	    DB_I64(j->id)), NULL, NULL);
	db_rows_free(rows);
	json_decref(r.doc);
}

int
sync_ship_preview(const struct jobrun_ctx *ctx, const struct job *j,
    json_t **vars, struct job_outcome *o)
{
	struct run	 r;
	const char	*idf;
	char		 state[24] = "";
	int		 ret = -1;

	*vars = NULL;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.j = j;
	r.type = strcmp(j->kind, "ss.fulfillment") == 0 ? "fulfillment" :
	    "shipment";
	idf = r.type[0] == 'f' ? "fulfillmentId" : "shipmentId";
	if (ctx->x3 == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "X3 is not configured");
		return -1;
	}
	r.pkg = ctx->cfg->x3.sales_package;
	if (load(&r, o) == -1)
		goto out;
	ret = 0;
	if (!json_is_integer(json_object_get(r.doc, idf)))
		job_outcome_set(o, JOB_ERR_NONE, "not a V1 record");
	else if (json_is_true(json_object_get(r.doc, "isReturnLabel")))
		job_outcome_set(o, JOB_ERR_NONE, "return label");
	else if (json_is_true(json_object_get(r.doc, "voided")))
		job_outcome_set(o, JOB_ERR_NONE, "voided: its delivery, if "
		    "any, is reversed, nothing is created");
	else if (sync_ship_ref(r.type, j->key, r.ref, sizeof(r.ref)) == -1) {
		job_outcome_set(o, JOB_ERR_DATA, "id too long for a key");
		ret = -1;
	} else {
		(void)snprintf(r.ssid, sizeof(r.ssid), "%s%s", r.type[0] ==
		    'f' ? "F" : "", j->key);
		if (link_get(&r, r.self, sizeof(r.self), state, sizeof(state),
		    o) == -1) {
			ret = -1;
			goto out;
		}
		if (strcmp(state, "synced") != 0)
			r.self[0] = '\0';
		ret = gather(&r, 0, vars, o) == 0 ? 1 : -1;
	}
out:
	json_decref(r.doc);
	return ret;
}

enum core_err
sync_ship_resume(struct db *db, uint64_t *n)
{
	return db_exec(db, "UPDATE jobs j SET j.state = 'ready', "
	    "j.next_attempt_at = NOW(6) WHERE j.state = 'held' AND "
	    "j.wait_order IS NOT NULL AND (EXISTS (SELECT 1 FROM links l "
	    "WHERE l.entity = 'order' AND l.ss_id = j.wait_order AND "
	    "l.x3_id IS NOT NULL) OR EXISTS (SELECT 1 FROM documents d "
	    "WHERE d.system = 'shipstation' AND d.doc_type = 'order' AND "
	    "d.doc_id = j.wait_order AND d.updated_at > j.updated_at))",
	    DB_NOPARAMS, n, NULL);
}
