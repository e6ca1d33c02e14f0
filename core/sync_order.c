/*
 * The ss.order job: one ShipStation order (the stored document) becomes
 * one X3 sales order, exactly once. See docs/SYNC.md for the rules
 * (what is skipped, how store, customer and SKU are mapped, the order
 * number and CUSORDREF) and X3 §2.1, §4.3, §4.6 for the X3 side.
 *
 * Exactly once: the X3 order number (SOHNUM, GraphQL "id") is ours,
 * derived from the ShipStation orderId, so the order is looked up by it
 * before any create, and again after a create that failed or whose
 * answer was lost. X3 refuses a second order with the same number.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "sync_order.h"
#include "sync_customer.h"

#define SYNC_REF_PREFIX		"SS"	/* SOHNUM = prefix + orderId */
#define SYNC_CUSORDREF_MAX	20	/* characters, X3 §2.1 CUSORDREF A*20 */
#define SYNC_LINES_MAX		500	/* lines per order we send */
#define SYNC_MISSING_MAX	160	/* bytes of missing SKUs in a message */
#define SYNC_LOCK_WAIT		10	/* seconds for another worker's create */
/* orderKey of an X3 order pushed to ShipStation: prefix + SOHNUM. */
#define SYNC_X3_KEY_PREFIX	"x3-"

/* GraphQL documents: head, the configured package name, tail. */
struct gqdoc {
	const char	*head;
	const char	*tail;
};
static const struct gqdoc q_read_order = { "query($id: String!) { ",
    " { salesOrder { read(_id: $id) { _id } } } }" };
static const struct gqdoc q_find_order = { "query($f: String) { ",
    " { salesOrder { query(first: 2, filter: $f) "
    "{ edges { node { _id } } } } } }" };
static const struct gqdoc q_read_product = { "query($id: String!) { ",
    " { product { read(_id: $id) { _id } } } }" };
static const struct gqdoc q_find_customer = { "query($f: String) { ",
    " { customer { query(first: 2, filter: $f) "
    "{ edges { node { _id isActive } } } } } }" };
/* What decides whether X3 lets an order change (X3 §2.1, §2.2). */
static const struct gqdoc q_read_state = { "query($id: String!) { ",
    " { salesOrder { read(_id: $id) { _id orderStatus deliveryStatus "
    "invoiceStatus holdStatus customerOrderReference shipToCustomerName "
    "shipToAddressLine1 shipToAddressLine2 shipToCity shipToState "
    "shipToPostalCode shipToCountry lines { query { edges { node { "
    "lineNumber product { code } quantityInSalesUnitOrdered grossPrice "
    "} } } } } } } }" };
static const struct gqdoc q_update_order = {
    "mutation($data: SalesOrder_Input!) { ",
    " { salesOrder { update(data: $data) { _id orderStatus } } } }" };
static const struct gqdoc q_create_order = {
    "mutation($data: SalesOrder_Input!) { ",
    " { salesOrder { create(data: $data) { _id } } } }" };

/* The document text into q. 0, or -1 when it does not fit. */
static int
gqtext(char *q, size_t sz, const struct gqdoc *doc, const char *pkg)
{
	int	 n;

	n = snprintf(q, sz, "%s%s%s", doc->head, pkg, doc->tail);
	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

/* X3 field limits for the ship-to snapshot (X3 §2.1; sandbox schema). */
static const struct {
	const char	*ss;		/* ShipStation shipTo key */
	const char	*x3;		/* SalesOrder_Input property */
	size_t		 max;		/* characters */
} shipto[] = {
	{ "name", "shipToCustomerName", 35 },
	{ "street1", "shipToAddressLine1", 50 },
	{ "street2", "shipToAddressLine2", 50 },
	{ "city", "shipToCity", 40 },
	{ "state", "shipToState", 35 },
	{ "postalCode", "shipToPostalCode", 10 },
	{ "country", "shipToCountry", 3 },
};

/*
 * Copy at most max characters (UTF-8 code points, as X3 counts them)
 * of s into out. Returns out.
 */
static char *
utf8_cut(const char *s, size_t max, char *out, size_t sz)
{
	size_t	 i = 0, n = 0;

	while (s[i] != '\0' && i + 1 < sz) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
		i++;
	}
	/* Do not end inside a sequence when sz, not max, cut it. */
	while (i > 0 && s[i] != '\0' && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	memcpy(out, s, i);
	out[i] = '\0';
	return out;
}

/* data.<pkg>.<node>.<op>, lent. */
static json_t *
gql_at(json_t *data, const char *pkg, const char *node, const char *op)
{
	return json_object_get(json_object_get(json_object_get(data, pkg),
	    node), op);
}

/*
 * Run a query with one string variable. On 0 *data is new; -1 sets o.
 */
static int
gql1(struct x3 *x, const struct gqdoc *doc, const char *pkg, const char *var,
    const char *val, json_t **data, struct job_outcome *o)
{
	char	 q[1024];
	json_t	*v;
	int	 rc;

	if (gqtext(q, sizeof(q), doc, pkg) == -1 ||
	    (v = json_pack("{s:s}", var, val)) == NULL) {
		job_outcome_set(o, JOB_ERR_DATA, "query does not fit");
		return -1;
	}
	rc = x3_graphql(x, q, v, data);
	json_decref(v);
	if (rc != CORE_OK) {
		json_decref(*data);
		*data = NULL;
		job_outcome_set(o, x3_fail_class(x), "X3: %s", x3_fail_what(x));
		return -1;
	}
	return 0;
}

/*
 * The string field of a maps row's target JSON, copied to out.
 * 1 found, 0 no row, -1 database error or bad target (o set).
 */
static int
map_get(struct db *db, const char *type, const char *key, const char *field,
    char *out, size_t sz, struct job_outcome *o)
{
	struct db_rows	*r = NULL;
	json_t		*t = NULL;
	const char	*s;
	int		 ret = -1;

	if (db_select(db, "SELECT target FROM maps WHERE map_type = ? AND "
	    "source_key = ?", DB_PARAMS(DB_STR(type), DB_STR(key)),
	    &r) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "maps: %s",
		    db_error(db));
		return -1;
	}
	if (r->nrows == 0) {
		ret = 0;
		goto out;
	}
	t = json_loads(db_rows_get(r, 0, 0), JSON_REJECT_DUPLICATES, NULL);
	s = json_string_value(json_object_get(t, field));
	if (s == NULL || *s == '\0' || strlen(s) >= sz) {
		/* An operator must fix the row: hold like a missing one. */
		job_outcome_set(o, JOB_ERR_MAPPING, "maps %s '%.40s': target "
		    "needs a string \"%s\"", type, key, field);
		goto out;
	}
	memcpy(out, s, strlen(s) + 1);
	ret = 1;
out:
	json_decref(t);
	db_rows_free(r);
	return ret;
}

static void
audit(const struct jobrun_ctx *ctx, const struct job *j, const char *action,
    const char *req, const char *resp, long status, int64_t ms,
    const char *outcome)
{
	struct audit_rec	 a = { .job_id = j->id, .trigger = j->trigger,
	    .action = action,
	    .target = "x3", .request = req, .response = resp,
	    .http_status = status, .duration_ms = ms, .outcome = outcome };

	(void)audit_add(ctx->db, &a);
}

/* The link's state and hash, e.g. after a change or a cancellation. */
static int
link_state(const struct jobrun_ctx *ctx, const char *ssid, const char *state,
    const char *hash, struct job_outcome *o)
{
	/* A hold X3 put on the ShipStation order stays until X3 lifts it. */
	if (db_exec(ctx->db, "UPDATE links SET state = IF(? = 'synced' AND "
	    "state = 'held_x3', state, ?), content_hash = "
	    "IFNULL(?, content_hash) WHERE entity = 'order' AND ss_id = ?",
	    DB_PARAMS(DB_STR(state), DB_STR(state), DB_STR(hash),
	    DB_STR(ssid)), NULL, NULL) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
		return -1;
	}
	return 0;
}

/* Record the link ss order -> X3 order. 0, or -1 with o set. */
static int
link_record(const struct jobrun_ctx *ctx, const char *ssid,
    const char *sskey, const char *x3id, const char *hash,
    struct job_outcome *o)
{
	if (db_exec(ctx->db, "INSERT INTO links (entity, ss_id, ss_key, "
	    "x3_id, state, content_hash) VALUES ('order', ?, ?, ?, "
	    "'synced', ?) ON DUPLICATE KEY UPDATE ss_key = VALUES(ss_key), "
	    "x3_id = VALUES(x3_id), state = VALUES(state), "
	    "content_hash = VALUES(content_hash)", DB_PARAMS(DB_STR(ssid),
	    DB_STR(sskey), DB_STR(x3id), DB_STR(hash)), NULL, NULL) !=
	    CORE_OK) {
		/* The X3 order exists; the next attempt finds it. */
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
		return -1;
	}
	return 0;
}

/* Link an order pushed from X3 (x3.order). 0, or -1 with o set. */
static int
link_from_x3(const struct jobrun_ctx *ctx, const char *ssid,
    const char *sskey, const char *x3id, struct job_outcome *o)
{
	if (db_exec(ctx->db, "INSERT INTO links (entity, ss_id, ss_key, "
	    "x3_id, state) VALUES ('order', ?, ?, ?, 'from_x3') "
	    "ON DUPLICATE KEY UPDATE ss_key = VALUES(ss_key), "
	    "x3_id = VALUES(x3_id), state = VALUES(state)",
	    DB_PARAMS(DB_STR(ssid), DB_STR(sskey), DB_STR(x3id)), NULL,
	    NULL) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
		return -1;
	}
	return 0;
}

/*
 * Look our order up in X3 by its stable key ref: the order number
 * itself (SOHNUM), or, with sync.order_key_field, that custom field by
 * filter. 1 found (its number in x3id), 0 absent, -1 failed (o set;
 * two orders with one key are a data error for a person).
 */
static int
order_find(const struct jobrun_ctx *ctx, const char *ref, char *x3id,
    size_t sz, struct job_outcome *o)
{
	const char	*pkg = ctx->cfg->x3.sales_package;
	const char	*field = ctx->cfg->sync.order_key_field, *id;
	json_t		*d = NULL, *f, *edges;
	char		*filter;
	int		 ret;

	if (field == NULL) {
		if (gql1(ctx->x3, &q_read_order, pkg, "id", ref, &d, o) == -1)
			return -1;
		ret = json_is_object(gql_at(d, pkg, "salesOrder", "read"));
		if (ret == 1)
			(void)snprintf(x3id, sz, "%s", ref);
		json_decref(d);
		return ret;
	}
	/* Strict JSON built by jansson: the key cannot break out. */
	if ((f = json_pack("{s:s}", field, ref)) == NULL ||
	    (filter = json_dumps(f, JSON_COMPACT)) == NULL) {
		json_decref(f);
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	json_decref(f);
	ret = gql1(ctx->x3, &q_find_order, pkg, "f", filter, &d, o);
	free(filter);
	if (ret == -1)
		return -1;
	edges = json_object_get(gql_at(d, pkg, "salesOrder", "query"),
	    "edges");
	id = json_string_value(json_object_get(json_object_get(
	    json_array_get(edges, 0), "node"), "_id"));
	ret = 0;
	if (json_array_size(edges) > 1) {
		job_outcome_set(o, JOB_ERR_DATA, "conflict: X3 orders %s and "
		    "%s both have %s = %s", id, json_string_value(
		    json_object_get(json_object_get(json_array_get(edges, 1),
		    "node"), "_id")), field, ref);
		ret = -1;
	} else if (id != NULL) {
		(void)snprintf(x3id, sz, "%s", id);
		ret = 1;
	}
	json_decref(d);
	return ret;
}

/*
 * The X3 customer of the order: maps by customerId, then by e-mail,
 * then the one active X3 customer whose email is the order's.
 * 1 found (code in out), 0 none, -1 failed (o set).
 */
static int
customer_find(const struct jobrun_ctx *ctx, json_t *doc, char *out,
    size_t sz, struct job_outcome *o)
{
	const char	*pkg = ctx->cfg->x3.master_package, *email, *code;
	json_t		*cid, *d = NULL, *edges, *f;
	char		 key[32], *filter;
	int		 ret;

	cid = json_object_get(doc, "customerId");
	email = json_string_value(json_object_get(doc, "customerEmail"));
	if (json_is_integer(cid)) {
		(void)snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(cid));
		if ((ret = map_get(ctx->db, "customer", key, "customer", out,
		    sz, o)) != 0)
			return ret;
	}
	if (email == NULL || *email == '\0')
		return 0;
	if ((ret = map_get(ctx->db, "customer", email, "customer", out, sz,
	    o)) != 0)
		return ret;
	/* Strict JSON built by jansson: the e-mail cannot break out. */
	if ((f = json_pack("{s:s}", "email", email)) == NULL ||
	    (filter = json_dumps(f, JSON_COMPACT)) == NULL) {
		json_decref(f);
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	json_decref(f);
	ret = gql1(ctx->x3, &q_find_customer, pkg, "f", filter, &d, o);
	free(filter);
	if (ret == -1)
		return -1;
	edges = json_object_get(gql_at(d, pkg, "customer", "query"), "edges");
	f = json_object_get(json_array_get(edges, 0), "node");
	code = json_string_value(json_object_get(f, "_id"));
	ret = 0;
	/* Exactly one, and active: two matches are an operator's call. */
	if (json_array_size(edges) == 1 && code != NULL &&
	    strlen(code) < sz && json_is_true(json_object_get(f,
	    "isActive"))) {
		memcpy(out, code, strlen(code) + 1);
		ret = 1;
	}
	json_decref(d);
	return ret;
}

/*
 * The X3 item of a SKU: maps, then an X3 product whose code is the SKU.
 * 1 found (code in out), 0 none, -1 failed (o set).
 */
static int
item_find(const struct jobrun_ctx *ctx, const char *sku, char *out,
    size_t sz, struct job_outcome *o)
{
	const char	*pkg = ctx->cfg->x3.master_package;
	json_t		*d = NULL;
	int		 ret;

	if ((ret = map_get(ctx->db, "sku", sku, "item", out, sz, o)) != 0)
		return ret;
	if (strlen(sku) >= sz)
		return 0;
	if (gql1(ctx->x3, &q_read_product, pkg, "id", sku, &d, o) == -1)
		return -1;
	ret = json_is_object(gql_at(d, pkg, "product", "read")) ? 1 : 0;
	if (ret == 1)
		memcpy(out, sku, strlen(sku) + 1);
	json_decref(d);
	return ret;
}

/*
 * An optional string field of a maps row's target into out (the row
 * and field may be absent). 1 found, 0 not.
 */
static int
map_opt(struct db *db, const char *type, const char *key, const char *field,
    char *out, size_t sz)
{
	struct db_rows	*r = NULL;
	json_t		*t;
	const char	*s;
	int		 ret = 0;

	if (db_select(db, "SELECT target FROM maps WHERE map_type = ? AND "
	    "source_key = ?", DB_PARAMS(DB_STR(type), DB_STR(key)),
	    &r) != CORE_OK)
		return 0;
	if (r->nrows > 0 && (t = json_loads(db_rows_get(r, 0, 0), 0,
	    NULL)) != NULL) {
		s = json_string_value(json_object_get(t, field));
		if (s != NULL && *s != '\0' && strlen(s) < sz) {
			memcpy(out, s, strlen(s) + 1);
			ret = 1;
		}
		json_decref(t);
	}
	db_rows_free(r);
	return ret;
}

/* Append a line; 0 or -1 (out of memory, o set). */
static int
line_add(json_t *arr, int no, const char *item, json_int_t qty, double price,
    const char *unit, struct job_outcome *o)
{
	json_t	*l;
	char	 p[32];

	/* Decimals as strings, as Sage's samples send them (§4.6). */
	(void)snprintf(p, sizeof(p), "%.4f", price);
	if ((l = json_pack("{s:I, s:s, s:I, s:s}", "lineNumber",
	    (json_int_t)no * 1000, "product", item,
	    "quantityInSalesUnitOrdered", qty, "grossPrice", p)) == NULL ||
	    (unit != NULL && json_object_set_new(l, "salesUnit",
	    json_string(unit)) != 0) || json_array_append_new(arr, l) != 0) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The sales order lines: one per product item, then, as configured
 * (sync { }), the order's discount folded into their prices, a
 * shipping line and a tax line. On 0 *lines is new. -1: o set (a SKU
 * without an X3 item is a mapping error naming every such SKU).
 */
static int
lines_build(const struct jobrun_ctx *ctx, json_t *doc, json_t **lines,
    struct job_outcome *o)
{
	const struct cfg_sync *y = &ctx->cfg->sync;
	json_t		*items = json_object_get(doc, "items"), *it, *l;
	json_t		*arr;
	const char	*sku;
	char		 item[64], unit[16], missing[SYNC_MISSING_MAX] = "";
	json_int_t	 qty;
	double		 adj = 0, sub = 0, f, v;
	size_t		 i, nmiss = 0, len;
	int		 no = 0, r;

	*lines = NULL;
	if ((arr = json_array()) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	json_array_foreach(items, i, it) {
		qty = json_integer_value(json_object_get(it, "quantity"));
		/* Discounts and coupons: only their amount (below). */
		if (json_is_true(json_object_get(it, "adjustment"))) {
			adj += (double)qty * json_number_value(
			    json_object_get(it, "unitPrice"));
			continue;
		}
		sku = json_string_value(json_object_get(it, "sku"));
		if (qty <= 0)
			continue;
		if (sku == NULL || *sku == '\0') {
			job_outcome_set(o, JOB_ERR_MAPPING, "item %zu (%.40s) "
			    "has no SKU", i + 1, json_string_value(
			    json_object_get(it, "name")));
			goto fail;
		}
		if ((r = item_find(ctx, sku, item, sizeof(item), o)) == -1)
			goto fail;
		if (r == 0) {
			len = strlen(missing);
			(void)snprintf(missing + len, sizeof(missing) - len,
			    "%s'%.40s'", nmiss > 0 ? ", " : "", sku);
			nmiss++;
			continue;
		}
		if (++no > SYNC_LINES_MAX) {
			job_outcome_set(o, JOB_ERR_DATA, "more than %d lines",
			    SYNC_LINES_MAX);
			goto fail;
		}
		v = json_number_value(json_object_get(it, "unitPrice"));
		sub += (double)qty * v;
		if (line_add(arr, no, item, qty, v, map_opt(ctx->db, "sku",
		    sku, "salesUnit", unit, sizeof(unit)) ? unit : NULL,
		    o) == -1)
			goto fail;
	}
	if (nmiss > 0) {
		job_outcome_set(o, JOB_ERR_MAPPING, "no X3 item for SKU %s "
		    "(add maps sku -> {\"item\": …} or the item in X3)",
		    missing);
		goto fail;
	}
	if (no == 0) {
		job_outcome_set(o, JOB_ERR_DATA, "no product lines to send");
		goto fail;
	}
	/*
	 * discount = spread: X3 refuses negative prices and quantities, so
	 * the discount lowers every product line's price by the same
	 * factor; the order total matches ShipStation's to rounding.
	 */
	if (y->discount_spread && adj < 0 && sub > 0) {
		if (sub + adj < 0) {
			job_outcome_set(o, JOB_ERR_DATA, "discount %.2f exceeds "
			    "the products' %.2f", -adj, sub);
			goto fail;
		}
		f = (sub + adj) / sub;
		json_array_foreach(arr, i, l) {
			char	 p[32];

			(void)snprintf(p, sizeof(p), "%.4f", strtod(
			    json_string_value(json_object_get(l,
			    "grossPrice")), NULL) * f);
			(void)json_object_set_new(l, "grossPrice",
			    json_string(p));
		}
	}
	v = json_number_value(json_object_get(doc, "shippingAmount"));
	if (y->shipping_item != NULL && v > 0 &&
	    line_add(arr, ++no, y->shipping_item, 1, v, NULL, o) == -1)
		goto fail;
	v = json_number_value(json_object_get(doc, "taxAmount"));
	if (y->tax_item != NULL && v > 0 &&
	    line_add(arr, ++no, y->tax_item, 1, v, NULL, o) == -1)
		goto fail;
	*lines = arr;
	return 0;
fail:
	json_decref(arr);
	return -1;
}

/* One stored ShipStation order. */
struct ord {
	struct db_rows	*r;		/* the documents row */
	json_t		*doc;
	char		 hash[65];
	const char	*status, *number, *okey, *date;	/* lent from doc */
	json_t		*adv;		/* advancedOptions, lent */
};

static void
ord_free(struct ord *d)
{
	json_decref(d->doc);
	db_rows_free(d->r);
	memset(d, 0, sizeof(*d));
}

/*
 * A split parent (mergedIds) keeps only the lines it did not ship; the
 * lines split off are on its children, whose shipments deliver against
 * the parent's X3 order (docs/SYNC.md). So the order sent (or compared)
 * is the parent's items plus those of each stored child whose parentId
 * is key. A child not stored yet: transient, as the fetch that stored
 * the parent stores it next. 0, or -1 with o set.
 */
static int
split_lines(const struct jobrun_ctx *ctx, const char *key, struct ord *d,
    struct job_outcome *o)
{
	struct db_rows	*r;
	json_t		*ids, *id, *items, *c, *p, *it;
	char		 cid[32];
	size_t		 i, k;
	int		 rc = 0;

	ids = json_object_get(d->adv, "mergedIds");
	p = json_object_get(d->adv, "parentId");
	items = json_object_get(d->doc, "items");
	if (!json_is_array(ids) || (p != NULL && !json_is_null(p)) ||
	    !json_is_array(items))
		return 0;
	json_array_foreach(ids, i, id) {
		if (!json_is_integer(id))
			continue;
		(void)snprintf(cid, sizeof(cid), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
		if (db_select(ctx->db, "SELECT body FROM documents WHERE "
		    "system = 'shipstation' AND doc_type = 'order' AND "
		    "doc_id = ?", DB_PARAMS(DB_STR(cid)), &r) != CORE_OK) {
			job_outcome_set(o, JOB_ERR_TRANSIENT, "documents: %s",
			    db_error(ctx->db));
			return -1;
		}
		if (r->nrows == 0) {
			db_rows_free(r);
			job_outcome_set(o, JOB_ERR_TRANSIENT, "split child %s "
			    "of order %s is not stored yet", cid, key);
			return -1;
		}
		c = json_loads(db_rows_get(r, 0, 0), 0, NULL);
		db_rows_free(r);
		p = json_object_get(json_object_get(c, "advancedOptions"),
		    "parentId");
		if (json_is_integer(p) && strcmp(key, cid) != 0 &&
		    (json_int_t)strtoll(key, NULL, 10) == json_integer_value(p))
			json_array_foreach(json_object_get(c, "items"), k, it)
				if (json_array_append(items, it) == -1)
					rc = -1;
		json_decref(c);
		if (rc == -1) {
			job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Read the stored order of key into d. 0, or -1 with o set. */
static int
ord_load(const struct jobrun_ctx *ctx, const char *key, struct ord *d,
    struct job_outcome *o)
{
	memset(d, 0, sizeof(*d));
	if (db_select(ctx->db, "SELECT body, content_hash FROM documents "
	    "WHERE system = 'shipstation' AND doc_type = 'order' AND "
	    "doc_id = ?", DB_PARAMS(DB_STR(key)), &d->r) != CORE_OK) {
		d->r = NULL;
		job_outcome_set(o, JOB_ERR_TRANSIENT, "documents: %s",
		    db_error(ctx->db));
		return -1;
	}
	if (d->r->nrows == 0) {
		job_outcome_set(o, JOB_ERR_DATA, "no stored order %s", key);
		return -1;
	}
	(void)snprintf(d->hash, sizeof(d->hash), "%s",
	    db_rows_get(d->r, 0, 1) != NULL ? db_rows_get(d->r, 0, 1) : "");
	if ((d->doc = json_loads(db_rows_get(d->r, 0, 0),
	    JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(d->doc)) {
		job_outcome_set(o, JOB_ERR_DATA, "stored order is not JSON");
		return -1;
	}
	d->status = json_string_value(json_object_get(d->doc, "orderStatus"));
	d->number = json_string_value(json_object_get(d->doc, "orderNumber"));
	d->okey = json_string_value(json_object_get(d->doc, "orderKey"));
	d->date = json_string_value(json_object_get(d->doc, "orderDate"));
	d->adv = json_object_get(d->doc, "advancedOptions");
	if (d->status == NULL || d->number == NULL || *d->number == '\0' ||
	    d->date == NULL || strlen(d->date) < 10 || d->date[4] != '-' ||
	    d->date[7] != '-') {
		job_outcome_set(o, JOB_ERR_DATA, "order lacks orderStatus, "
		    "orderNumber or orderDate");
		return -1;
	}
	return split_lines(ctx, key, d, o);
}

/*
 * Why an order that is not linked is not sent (docs/SYNC.md), written
 * to buf; NULL when it is to be sent. A later change re-queues it.
 */
static const char *
ord_skip(const struct ord *d, char *buf, size_t sz)
{
	json_t	*v;

	v = json_object_get(d->adv, "parentId");
	if (v != NULL && !json_is_null(v))
		return "split child: its parent carries the order";
	if (strcmp(d->status, "cancelled") == 0 ||
	    strcmp(d->status, "awaiting_payment") == 0) {
		(void)snprintf(buf, sz, "status %s", d->status);
		return buf;
	}
	return NULL;
}

/* Our X3 order number for orderId key into ref. 0, or -1 with o set. */
static int
ord_ref(const char *key, char *ref, size_t sz, struct job_outcome *o)
{
	int	 n;

	n = snprintf(ref, sz, SYNC_REF_PREFIX "%s", key);
	if (n < 0 || (size_t)n >= sz - 4) {
		job_outcome_set(o, JOB_ERR_DATA, "orderId %s too long for "
		    "an X3 order number", key);
		return -1;
	}
	return 0;
}

/*
 * The SalesOrder_Input of the order with the current mappings, masters
 * first: every mapping before anything is sent. Reads only (maps, X3
 * lookups). On 0 *data is new; -1: o set (mapping: held).
 */
static int
ord_payload(const struct jobrun_ctx *ctx, const struct job *j,
    const struct ord *d, int preview, json_t **data, struct job_outcome *o)
{
	json_t		*lines = NULL, *st, *v;
	const char	*s;
	char		 store[32], site[16], type[16], ship[16];
	char		 cust[SYNC_CUSTOMER_CODE_MAX + 16];
	char		 ref[24], cref[4 * SYNC_CUSORDREF_MAX + 1], buf[256];
	char		 cid[32];
	enum core_err	 ec;
	size_t		 i;
	int		 rc;

	*data = NULL;
	if (ctx->x3 == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "X3 is not configured");
		return -1;
	}
	if (ord_ref(j->key, ref, sizeof(ref), o) == -1)
		return -1;
	v = json_object_get(d->adv, "storeId");
	if (!json_is_integer(v)) {
		job_outcome_set(o, JOB_ERR_DATA, "order has no storeId");
		return -1;
	}
	(void)snprintf(store, sizeof(store), "%" JSON_INTEGER_FORMAT,
	    json_integer_value(v));
	if ((rc = map_get(ctx->db, "store", store, "salesSite", site,
	    sizeof(site), o)) != 1 || (rc = map_get(ctx->db, "store", store,
	    "orderType", type, sizeof(type), o)) != 1 || (rc = map_get(ctx->db,
	    "store", store, "shippingSite", ship, sizeof(ship), o)) != 1) {
		if (rc == 0)
			job_outcome_set(o, JOB_ERR_MAPPING, "no maps store "
			    "row for storeId %s (salesSite, orderType, "
			    "shippingSite)", store);
		return -1;
	}
	/*
	 * Sending: sync_customer_ensure() finds the customer (links, maps,
	 * our code, e-mail) or creates it when sync.create_customers
	 * allows, exactly once. A preview only reads: maps and e-mail.
	 */
	if (!preview) {
		if ((ec = sync_customer_ensure(ctx, j, d->doc, cust, NULL, o)) !=
		    CORE_OK)
			return -1;	/* ENOTFOUND: o holds (mapping) */
		rc = 1;
	} else if ((rc = customer_find(ctx, d->doc, cust, sizeof(cust),
	    o)) == 0 && ctx->cfg->sync.create_customers) {
		(void)snprintf(cust, sizeof(cust), "(created when sent)");
		rc = 1;
	}
	if (rc != 1) {
		v = json_object_get(d->doc, "customerId");
		if (json_is_integer(v))
			(void)snprintf(cid, sizeof(cid), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		else
			(void)snprintf(cid, sizeof(cid), "none");
		s = json_string_value(json_object_get(d->doc, "customerEmail"));
		if (rc == 0)
			job_outcome_set(o, JOB_ERR_MAPPING, "no X3 customer "
			    "for customerId %s, email '%.60s' (add maps "
			    "customer -> {\"customer\": …})", cid,
			    s != NULL ? s : "");
		return -1;
	}
	if (lines_build(ctx, d->doc, &lines, o) == -1)
		return -1;

	(void)utf8_cut(d->number, SYNC_CUSORDREF_MAX, cref, sizeof(cref));
	(void)snprintf(buf, sizeof(buf), "%.10s", d->date);
	if ((*data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
	    ctx->cfg->sync.order_key_field != NULL ?
	    ctx->cfg->sync.order_key_field : "id", ref, "salesSite", site, "shippingSite", ship,
	    "salesOrderType", type, "soldToCustomer", cust,
	    "customerOrderReference", cref, "orderDate", buf,
	    "lines", lines)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	/* ShipStation V1 orders carry no currency: amounts are in the
	 * store's. Unset, X3 takes the customer's (docs/SYNC.md). */
	if (ctx->cfg->sync.currency != NULL && json_object_set_new(*data,
	    "currency", json_string(ctx->cfg->sync.currency)) != 0) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		json_decref(*data);
		*data = NULL;
		return -1;
	}
	st = json_object_get(d->doc, "shipTo");
	for (i = 0; i < sizeof(shipto) / sizeof(shipto[0]); i++) {
		s = json_string_value(json_object_get(st, shipto[i].ss));
		if (s == NULL || *s == '\0')
			continue;
		(void)utf8_cut(s, shipto[i].max, buf, sizeof(buf));
		if (json_object_set_new(*data, shipto[i].x3,
		    json_string(buf)) != 0) {
			job_outcome_set(o, JOB_ERR_DATA, "shipTo.%s is not "
			    "UTF-8", shipto[i].ss);
			json_decref(*data);
			*data = NULL;
			return -1;
		}
	}
	return 0;
}

int
sync_order_build(const struct jobrun_ctx *ctx, const struct job *j,
    json_t **vars, struct job_outcome *o)
{
	struct ord	 d;
	json_t		*data = NULL;
	const char	*why;
	char		 buf[64];
	int		 ret = -1;

	*vars = NULL;
	if (ord_load(ctx, j->key, &d, o) == -1)
		goto out;
	if ((why = ord_skip(&d, buf, sizeof(buf))) != NULL) {
		job_outcome_set(o, JOB_ERR_NONE, "%s", why);
		ret = 0;
		goto out;
	}
	if (ord_payload(ctx, j, &d, 1, &data, o) == -1)
		goto out;
	if ((*vars = json_pack("{s:o}", "data", data)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	ret = 1;
out:
	ord_free(&d);
	return ret;
}

/* Skip a document we deliberately do not send; logs and audits why. */
static void
skip(const struct jobrun_ctx *ctx, const struct job *j, const char *why)
{
	log_info("order %s not sent to X3: %s", j->key, why);
	audit(ctx, j, "order.skip", NULL, why, 0, -1, "skipped");
}

static int64_t
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * A refusal's class: X3's lock messages (X3 §6.6) pass, the rest of a
 * data refusal is X3 saying no.
 */
static enum job_class
refusal_cls(struct x3 *x)
{
	const char	*w = x3_fail_what(x);

	if (strstr(w, "Locked record") != NULL ||
	    strstr(w, "another workstation") != NULL)
		return JOB_ERR_TRANSIENT;
	return x3_fail_class(x);
}

/*
 * The X3 order ref as q_read_state sees it. 1 found (*st new), 0
 * absent, -1 failed (o set).
 */
static int
order_state(const struct jobrun_ctx *ctx, const char *ref, json_t **st,
    struct job_outcome *o)
{
	const char	*pkg = ctx->cfg->x3.sales_package;
	json_t		*d = NULL, *n;

	*st = NULL;
	if (gql1(ctx->x3, &q_read_state, pkg, "id", ref, &d, o) == -1)
		return -1;
	n = gql_at(d, pkg, "salesOrder", "read");
	if (json_is_object(n))
		*st = json_incref(n);
	json_decref(d);
	return *st != NULL ? 1 : 0;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* Why X3 no longer lets the order change (X3 §2.1 statuses), or NULL. */
static const char *
x3_frozen(json_t *st)
{
	if (strcmp(jstr(st, "orderStatus"), "closed") == 0)
		return "closed";
	if (strcmp(jstr(st, "deliveryStatus"), "notDelivered") != 0)
		return jstr(st, "deliveryStatus");
	if (strcmp(jstr(st, "invoiceStatus"), "notInvoiced") != 0)
		return jstr(st, "invoiceStatus");
	return NULL;
}

/* Decimals as X3 writes them ("22", "22.0000") compare as numbers. */
static int
dec_eq(json_t *a, json_t *b)
{
	double	 x, y;

	x = json_is_string(a) ? strtod(json_string_value(a), NULL) :
	    json_number_value(a);
	y = json_is_string(b) ? strtod(json_string_value(b), NULL) :
	    json_number_value(b);
	return x - y < 0.00005 && y - x < 0.00005;
}

/* The lines of the X3 order st (q_read_state), an array or NULL. */
static json_t *
st_lines(json_t *st)
{
	return json_object_get(json_object_get(json_object_get(st, "lines"),
	    "query"), "edges");
}

static json_t *
st_node(json_t *edges, size_t k)
{
	return json_object_get(json_array_get(edges, k), "node");
}

/* 1 when the X3 line h is ordered at quantity 0 (a removed line). */
static int
qty0(json_t *h)
{
	json_t	*q = json_object_get(h, "quantityInSalesUnitOrdered");
	double	 v;

	v = json_is_string(q) ? strtod(json_string_value(q), NULL) :
	    json_number_value(q);
	return v < 0.00005 && v > -0.00005;
}

/*
 * Into upd (an array), the line changes that make the X3 order st hold
 * the lines of want: an existing line addressed by its key, lineNumber
 * (X3 §4.6, update(data: {<key fields>, <changed fields>})), with
 * absolute quantities, so a resent update changes nothing more. X3
 * lines are matched by product, not position: a removed line shifts
 * the numbers we would give at create. A line we no longer send goes
 * to quantity 0 (no line deletion inside an order update is
 * documented); a new line takes the next free thousand. The number of
 * changes, or -1 (out of memory).
 */
static int
lines_diff(json_t *want, json_t *st, json_t *upd)
{
	json_t		*edges = st_lines(st), *w, *h, *ch;
	json_int_t	 next = 0, ln;
	size_t		 i, k, n = json_array_size(edges);
	char		*taken;
	int		 pass, changes = 0;

	if ((taken = calloc(n + 1, 1)) == NULL)
		return -1;
	for (k = 0; k < n; k++)
		if ((ln = json_integer_value(json_object_get(st_node(edges, k),
		    "lineNumber"))) > next)
			next = ln;
	json_array_foreach(want, i, w) {
		h = NULL;
		/* A same-product line still ordered first, then one at 0. */
		for (pass = 0; pass < 2 && h == NULL; pass++)
			for (k = 0; k < n && h == NULL; k++) {
				h = st_node(edges, k);
				if (taken[k] || strcmp(jstr(w, "product"),
				    jstr(json_object_get(h, "product"),
				    "code")) != 0 || (pass == 0 &&
				    qty0(h)))
					h = NULL;
				else
					taken[k] = 1;
			}
		if (h == NULL) {
			next = (next / 1000 + 1) * 1000;
			if ((ch = json_deep_copy(w)) == NULL ||
			    json_object_set_new(ch, "lineNumber",
			    json_integer(next)) != 0)
				goto oom;
		} else if (dec_eq(json_object_get(w,
		    "quantityInSalesUnitOrdered"), json_object_get(h,
		    "quantityInSalesUnitOrdered")) && dec_eq(json_object_get(w,
		    "grossPrice"), json_object_get(h, "grossPrice")))
			continue;
		else if ((ch = json_pack("{s:O, s:O, s:O}", "lineNumber",
		    json_object_get(h, "lineNumber"),
		    "quantityInSalesUnitOrdered", json_object_get(w,
		    "quantityInSalesUnitOrdered"), "grossPrice",
		    json_object_get(w, "grossPrice"))) == NULL)
			goto oom;
		if (json_array_append_new(upd, ch) != 0)
			goto oom;
		changes++;
	}
	for (k = 0; k < n; k++) {
		h = st_node(edges, k);
		if (taken[k] || qty0(h))
			continue;
		if ((ch = json_pack("{s:O, s:I}", "lineNumber",
		    json_object_get(h, "lineNumber"),
		    "quantityInSalesUnitOrdered", (json_int_t)0)) == NULL ||
		    json_array_append_new(upd, ch) != 0)
			goto oom;
		changes++;
	}
	free(taken);
	return changes;
oom:
	free(taken);
	return -1;
}

/*
 * The header fields of want (a SalesOrder_Input) whose value differs
 * in the X3 order st, into upd; their names into names.
 */
static void
header_diff(json_t *want, json_t *st, json_t *upd, char *names, size_t sz)
{
	static const char *const extra[] = { "customerOrderReference" };
	const char	*f;
	size_t		 i, len;

	for (i = 0; i < sizeof(shipto) / sizeof(shipto[0]) + 1; i++) {
		f = i == 0 ? extra[0] : shipto[i - 1].x3;
		/*
		 * A ship-to field the order leaves empty is not sent: X3
		 * fills it in (the state from the customer's address), so
		 * its value there is no change (e2e.test: every foreign
		 * order's CUSORDREF change was a refused shipToState).
		 */
		if (*jstr(want, f) == '\0' && i > 0)
			continue;
		if (strcmp(jstr(want, f), jstr(st, f)) == 0)
			continue;
		(void)json_object_set_new(upd, f, json_string(jstr(want, f)));
		len = strlen(names);
		(void)snprintf(names + len, sz - len, "%s%s",
		    len > 0 ? ", " : "", f);
	}
}

static void	 conflict(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *, const char *, ...) ML_PRINTF(4, 5);

/* A conflict: the job parks (class data) and the link says so. */
static void
conflict(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[200];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_outcome_set(o, JOB_ERR_DATA, "conflict: %s", msg);
	audit(ctx, j, "order.conflict", NULL, o->msg, 0, -1, "data");
	if (db_exec(ctx->db, "UPDATE links SET state = 'conflict' WHERE "
	    "entity = 'order' AND ss_id = ?", DB_PARAMS(DB_STR(j->key)),
	    NULL, NULL) != CORE_OK)
		log_warnx("links: %s", db_error(ctx->db));
	log_warnx("order %s: %s", j->key, o->msg);
}

/*
 * Send salesOrder.update with data (its _id set), audited. CORE_OK, or
 * the X3 failure (o untouched; see x3_last()).
 */
static enum core_err
order_update(const struct jobrun_ctx *ctx, const struct job *j, json_t *data)
{
	const char	*pkg = ctx->cfg->x3.sales_package;
	json_t		*vars, *ans = NULL;
	char		*req = NULL, q[512];
	struct timespec	 t0;
	enum core_err	 rc;

	if (gqtext(q, sizeof(q), &q_update_order, pkg) == -1 ||
	    (vars = json_pack("{s:O}", "data", data)) == NULL)
		return CORE_ENOMEM;
	req = json_dumps(vars, JSON_COMPACT | JSON_SORT_KEYS);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = x3_graphql(ctx->x3, q, vars, &ans);
	audit(ctx, j, "x3.salesOrder.update", req, x3_last(ctx->x3) != NULL ?
	    x3_last(ctx->x3)->body : NULL, x3_last(ctx->x3) != NULL ?
	    x3_last(ctx->x3)->status : 0, ms_since(&t0), rc == CORE_OK ? "ok" :
	    job_class_name(refusal_cls(ctx->x3)));
	free(req);
	json_decref(ans);
	json_decref(vars);
	return rc;
}

/*
 * A linked order whose document changed: the X3 order gets the changed
 * header fields and lines while X3 allows it (open, nothing delivered
 * or invoiced); a frozen order, or X3's refusal, is a conflict.
 */
static void
order_change(const struct jobrun_ctx *ctx, const struct job *j,
    const struct ord *d, const char *ref, struct job_outcome *o)
{
	json_t		*want = NULL, *st = NULL, *upd = NULL, *nl = NULL;
	const char	*why;
	char		 names[256] = "";
	size_t		 len;
	int		 rc, nch;

	if ((rc = order_state(ctx, ref, &st, o)) == -1)
		goto out;
	if (rc == 0) {
		conflict(ctx, j, o, "the linked X3 order %s does not exist",
		    ref);
		goto out;
	}
	if (ord_payload(ctx, j, d, 0, &want, o) == -1)
		goto out;
	if ((upd = json_pack("{s:s}", "_id", ref)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	header_diff(want, st, upd, names, sizeof(names));
	if ((nl = json_array()) == NULL || (nch = lines_diff(
	    json_object_get(want, "lines"), st, nl)) == -1) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	if (names[0] == '\0' && nch == 0) {
		/* Nothing X3 holds changed (status, notes, tags...). */
		audit(ctx, j, "order.change", NULL, "nothing X3 holds changed",
		    0, -1, "skipped");
		(void)link_state(ctx, j->key, "synced", d->hash, o);
		goto out;
	}
	if (nch > 0) {
		len = strlen(names);
		(void)snprintf(names + len, sizeof(names) - len, "%slines",
		    len > 0 ? ", " : "");
		if (json_object_set(upd, "lines", nl) != 0) {
			job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
			goto out;
		}
	}
	/* Read before deciding: a line X3 delivered or invoiced freezes
	 * the order (deliveryStatus), so no line is changed under it. */
	if ((why = x3_frozen(st)) != NULL) {
		conflict(ctx, j, o, "X3 order %s is %s: the ShipStation change "
		    "(%s) cannot be applied", ref, why, names);
		goto out;
	}
	if (order_update(ctx, j, upd) != CORE_OK) {
		if (refusal_cls(ctx->x3) == JOB_ERR_DATA)
			conflict(ctx, j, o, "X3 refused the change (%s): %.150s",
			    names, x3_fail_what(ctx->x3));
		else
			job_outcome_set(o, refusal_cls(ctx->x3), "X3 update: "
			    "%.200s", x3_fail_what(ctx->x3));
		goto out;
	}
	log_info("order %s: X3 order %s updated (%s)", j->key, ref, names);
	(void)link_state(ctx, j->key, "synced", d->hash, o);
out:
	json_decref(nl);
	json_decref(upd);
	json_decref(want);
	json_decref(st);
}

/*
 * A linked order cancelled in ShipStation: X3 has no cancelled status;
 * an order is cancelled by closing it (orderStatus closed, which
 * closes its open lines), allowed while nothing is delivered or
 * invoiced. Otherwise a conflict.
 */
static void
order_cancel(const struct jobrun_ctx *ctx, const struct job *j,
    const struct ord *d, const char *ref, struct job_outcome *o)
{
	json_t		*st = NULL, *upd = NULL;
	const char	*dlv, *inv;
	int		 rc;

	if ((rc = order_state(ctx, ref, &st, o)) == -1)
		goto out;
	if (rc == 0) {
		conflict(ctx, j, o, "cancelled, but the linked X3 order %s "
		    "does not exist", ref);
		goto out;
	}
	dlv = jstr(st, "deliveryStatus");
	inv = jstr(st, "invoiceStatus");
	if (strcmp(dlv, "notDelivered") != 0 ||
	    strcmp(inv, "notInvoiced") != 0) {
		conflict(ctx, j, o, "cancelled in ShipStation, but X3 order %s "
		    "is %s", ref, strcmp(dlv, "notDelivered") != 0 ? dlv : inv);
		goto out;
	}
	if (strcmp(jstr(st, "orderStatus"), "closed") == 0) {
		/* An earlier attempt closed it and its answer was lost. */
		audit(ctx, j, "order.cancel", ref, "already closed", 0, -1,
		    "skipped");
		(void)link_state(ctx, j->key, "cancelled", d->hash, o);
		goto out;
	}
	if ((upd = json_pack("{s:s, s:s}", "_id", ref, "orderStatus",
	    "closed")) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	/* A retry of this update is harmless: closing twice is refused
	 * and the next attempt reads the order closed. */
	if (order_update(ctx, j, upd) != CORE_OK) {
		if (refusal_cls(ctx->x3) == JOB_ERR_DATA)
			conflict(ctx, j, o, "X3 refused to close order %s: "
			    "%.150s", ref, x3_fail_what(ctx->x3));
		else
			job_outcome_set(o, refusal_cls(ctx->x3), "X3 close: "
			    "%.200s", x3_fail_what(ctx->x3));
		goto out;
	}
	log_info("order %s cancelled: X3 order %s closed", j->key, ref);
	(void)link_state(ctx, j->key, "cancelled", d->hash, o);
out:
	json_decref(upd);
	json_decref(st);
}

void
sync_order(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	struct ord	 d;
	struct db_rows	*r = NULL, *lr = NULL;
	json_t		*data = NULL, *vars = NULL, *ans = NULL, *v;
	char		 lock[96], found[64];
	int		 locked = 0;
	const char	*x3id, *why, *pkg;
	char		 ref[24], buf[256];
	char		*req = NULL, *resp = NULL, q[512];
	struct timespec	 t0;
	int		 rc;

	if (ctx->x3 == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "X3 is not configured");
		return;
	}
	pkg = ctx->cfg->x3.sales_package;
	if (ord_load(ctx, j->key, &d, o) == -1)
		goto out;
	v = json_object_get(d.adv, "parentId");
	if (v != NULL && !json_is_null(v)) {
		skip(ctx, j, "split child: its parent carries the order");
		goto out;
	}
	if (db_select(ctx->db, "SELECT x3_id, state, content_hash FROM links "
	    "WHERE entity = 'order' AND ss_id = ? AND x3_id IS NOT NULL",
	    DB_PARAMS(DB_STR(j->key)), &r) != CORE_OK) {
		r = NULL;
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
		goto out;
	}
	if (r->nrows > 0) {
		/* Linked: changes and cancellations, never a create. */
		x3id = db_rows_get(r, 0, 0);
		if (strcmp(db_rows_get(r, 0, 1), "from_x3") == 0) {
			(void)snprintf(buf, sizeof(buf), "order comes from X3 "
			    "order %.40s: X3 is its master", x3id);
			skip(ctx, j, buf);
		} else if (strcmp(d.status, "cancelled") == 0)
			order_cancel(ctx, j, &d, x3id, o);
		else if (db_rows_get(r, 0, 2) != NULL &&
		    strcmp(db_rows_get(r, 0, 2), d.hash) == 0)
			log_info("order %s already linked to %s, unchanged",
			    j->key, x3id);
		else
			order_change(ctx, j, &d, x3id, o);
		goto out;
	}
	/* An X3 order we pushed (x3.order) whose link is not there yet. */
	if (d.okey != NULL && strncmp(d.okey, SYNC_X3_KEY_PREFIX,
	    strlen(SYNC_X3_KEY_PREFIX)) == 0) {
		(void)snprintf(buf, sizeof(buf), "order comes from X3 order "
		    "%.40s: X3 is its master", d.okey +
		    strlen(SYNC_X3_KEY_PREFIX));
		skip(ctx, j, buf);
		(void)link_from_x3(ctx, j->key, d.okey,
		    d.okey + strlen(SYNC_X3_KEY_PREFIX), o);
		goto out;
	}
	if ((why = ord_skip(&d, buf, sizeof(buf))) != NULL) {
		skip(ctx, j, why);
		goto out;
	}
	if (ord_ref(j->key, ref, sizeof(ref), o) == -1)
		goto out;

	/* One worker per order between the lookup and the link: a custom
	 * key field is not unique in X3, so two creates would both work. */
	(void)snprintf(lock, sizeof(lock), "ml-order-%s", j->key);
	if (db_select(ctx->db, "SELECT GET_LOCK(?, ?)", DB_PARAMS(
	    DB_STR(lock), DB_I64(SYNC_LOCK_WAIT)), &lr) != CORE_OK ||
	    db_rows_i64(lr, 0, 0, 0) != 1) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "order %s is being sent "
		    "by another worker", j->key);
		goto out;
	}
	locked = 1;
	/* Exactly once: an order already in X3 (lost answer) is linked. */
	if ((rc = order_find(ctx, ref, found, sizeof(found), o)) == -1)
		goto out;
	if (rc == 1) {
		audit(ctx, j, "x3.salesOrder.found", ref, found, 0, -1, "ok");
		(void)link_record(ctx, j->key, d.okey, found, d.hash, o);
		goto out;
	}
	if (ord_payload(ctx, j, &d, 0, &data, o) == -1)
		goto out;
	if ((vars = json_pack("{s:O}", "data", data)) == NULL ||
	    (req = json_dumps(vars, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	if (gqtext(q, sizeof(q), &q_create_order, pkg) == -1) {
		job_outcome_set(o, JOB_ERR_DATA, "query does not fit");
		goto out;
	}
	/* Sent once: a lost answer is settled by the lookup below. */
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = x3_mutate(ctx->x3, q, vars, &ans);
	if (x3_last(ctx->x3) != NULL && x3_last(ctx->x3)->body != NULL)
		resp = strdup(x3_last(ctx->x3)->body);
	audit(ctx, j, "x3.salesOrder.create", req, resp,
	    x3_last(ctx->x3) != NULL ? x3_last(ctx->x3)->status : 0,
	    ms_since(&t0), rc == CORE_OK ? "ok" :
	    job_class_name(x3_fail_class(ctx->x3)));
	x3id = json_string_value(json_object_get(gql_at(ans, pkg, "salesOrder",
	    "create"), "_id"));
	if (rc == CORE_OK && x3id != NULL) {
		log_info("order %s created in X3 as %s", j->key, x3id);
		(void)link_record(ctx, j->key, d.okey, x3id, d.hash, o);
		goto out;
	}
	/*
	 * Refused or lost: the key decides. Another worker or an earlier
	 * attempt whose answer was lost may have created it.
	 */
	(void)snprintf(buf, sizeof(buf), "X3 create: %.200s",
	    x3_fail_what(ctx->x3));
	rc = x3_fail_class(ctx->x3);
	if (order_find(ctx, ref, found, sizeof(found), o) == 1) {
		log_info("order %s found in X3 as %s after the create failed",
		    j->key, found);
		audit(ctx, j, "x3.salesOrder.found", ref, found, 0, -1, "ok");
		(void)link_record(ctx, j->key, d.okey, found, d.hash, o);
		goto out;
	}
	if (o->cls == JOB_ERR_NONE)
		job_outcome_set(o, (enum job_class)rc, "%s", buf);
out:
	if (locked) {
		db_rows_free(lr);
		lr = NULL;
		if (db_select(ctx->db, "SELECT RELEASE_LOCK(?)",
		    DB_PARAMS(DB_STR(lock)), &lr) != CORE_OK)
			lr = NULL;
	}
	db_rows_free(lr);
	free(req);
	free(resp);
	json_decref(ans);
	json_decref(vars);
	json_decref(data);
	db_rows_free(r);
	ord_free(&d);
}

/* ==================================================================== */
/* x3.order: an X3 sales order -> ShipStation.                           */
/* ==================================================================== */

static const struct gqdoc q_read_full = { "query($id: String!) { ",
    " { salesOrder { read(_id: $id) { _id customerOrderReference "
    "orderDate orderStatus deliveryStatus invoiceStatus holdStatus "
    "soldToCustomer { code } soldToCustomerName shipToCustomerName "
    "shipToAddressLine1 shipToAddressLine2 shipToCity shipToState "
    "shipToPostalCode shipToCountry lines { query { edges { node { "
    "lineNumber product { code } productDescription "
    "quantityInSalesUnitOrdered grossPrice } } } } } } } }" };

static void
audit_ss(const struct jobrun_ctx *ctx, const struct job *j, const char *action,
    const char *req, int64_t ms, const char *outcome)
{
	const struct http_resp	*r = ss_last(ctx->ss);
	struct audit_rec	 a = { .job_id = j->id, .trigger = j->trigger,
	    .action = action, .target = "shipstation", .request = req,
	    .response = r != NULL ? r->body : NULL,
	    .http_status = r != NULL ? r->status : 0, .duration_ms = ms,
	    .outcome = outcome };

	(void)audit_add(ctx->db, &a);
}

static void
skip_x3(const struct jobrun_ctx *ctx, const struct job *j, const char *why)
{
	log_info("X3 order %s not passed on: %s", j->key, why);
	audit(ctx, j, "x3order.skip", NULL, why, 0, -1, "skipped");
}

struct ssfind {
	const char	*key;
	json_t		*found;
};

static int
ssfind_cb(void *arg, json_t *rec)
{
	struct ssfind	*f = arg;
	const char	*k = json_string_value(json_object_get(rec,
			    "orderKey"));

	if (k != NULL && strcmp(k, f->key) == 0) {
		f->found = json_incref(rec);
		return 1;
	}
	return 0;
}

/*
 * The ShipStation order with orderKey key, listed by its orderNumber
 * (a "starts with" filter, ShipStation §2.1; the key decides). 1 found
 * (*out new), 0 none, -1 failed (o set).
 */
static int
ss_find_key(const struct jobrun_ctx *ctx, const char *number,
    const char *key, json_t **out, struct job_outcome *o)
{
	struct ss_param	 p = { "orderNumber", number };
	struct ssfind	 f = { key, NULL };
	enum core_err	 rc;

	*out = NULL;
	rc = ss_list(ctx->ss, SS_ORDERS, &p, 1, QUOTA_POLL, ssfind_cb, &f,
	    NULL);
	if (rc != CORE_OK && f.found == NULL) {
		job_outcome_set(o, ss_fail_class(ctx->ss),
		    "ShipStation orders: %s", ss_fail_what(ctx->ss));
		return -1;
	}
	*out = f.found;
	return f.found != NULL ? 1 : 0;
}

/* The SKU of an X3 item: the sku map pointing at it, else its code. */
static void
sku_of(const struct jobrun_ctx *ctx, const char *item, char *out, size_t sz)
{
	struct db_rows	*r = NULL;

	(void)snprintf(out, sz, "%s", item);
	if (db_select(ctx->db, "SELECT source_key FROM maps WHERE map_type = "
	    "'sku' AND JSON_VALUE(target, '$.item') = ? ORDER BY id LIMIT 1",
	    DB_PARAMS(DB_STR(item)), &r) != CORE_OK)
		return;
	if (r->nrows > 0)
		(void)snprintf(out, sz, "%s", db_rows_get(r, 0, 0));
	db_rows_free(r);
}

/*
 * The ShipStation order (createorder body) for X3 order st: number =
 * SOHNUM, orderKey = prefix + SOHNUM (the upsert key), status as given,
 * orderId of the existing one (found may be NULL). New, or NULL.
 */
static json_t *
ss_order_build(const struct jobrun_ctx *ctx, json_t *st, const char *sohnum,
    const char *key, const char *status, json_t *found)
{
	json_t		*ord, *its, *edges, *n, *it;
	const char	*name, *code;
	char		 date[40], sku[200];
	size_t		 i;

	name = jstr(st, "shipToCustomerName");
	if (*name == '\0')
		name = jstr(st, "soldToCustomerName");
	(void)snprintf(date, sizeof(date), "%.10sT00:00:00.0000000",
	    jstr(st, "orderDate"));
	if ((its = json_array()) == NULL)
		return NULL;
	edges = json_object_get(json_object_get(json_object_get(st, "lines"),
	    "query"), "edges");
	json_array_foreach(edges, i, n) {
		n = json_object_get(n, "node");
		code = jstr(json_object_get(n, "product"), "code");
		sku_of(ctx, code, sku, sizeof(sku));
		it = json_pack("{s:s+, s:s, s:s, s:I, s:f}", "lineItemKey", "",
		    jstr(n, "lineNumber"), "sku", sku, "name",
		    *jstr(n, "productDescription") != '\0' ?
		    jstr(n, "productDescription") : sku, "quantity",
		    (json_int_t)strtod(jstr(n, "quantityInSalesUnitOrdered"),
		    NULL), "unitPrice", strtod(jstr(n, "grossPrice"), NULL));
		if (it == NULL)
			continue;
		(void)json_object_set_new(it, "lineItemKey", json_sprintf(
		    "%" JSON_INTEGER_FORMAT, json_integer_value(
		    json_object_get(n, "lineNumber"))));
		(void)json_array_append_new(its, it);
	}
	ord = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:s}, s:o}", "orderNumber", sohnum,
	    "orderKey", key, "orderDate", date, "orderStatus", status,
	    "customerUsername", jstr(json_object_get(st, "soldToCustomer"),
	    "code"), "billTo", "name", *jstr(st, "soldToCustomerName") !=
	    '\0' ? jstr(st, "soldToCustomerName") : name, "shipTo", "name",
	    name, "street1", jstr(st, "shipToAddressLine1"), "street2",
	    jstr(st, "shipToAddressLine2"), "city", jstr(st, "shipToCity"),
	    "state", jstr(st, "shipToState"), "postalCode",
	    jstr(st, "shipToPostalCode"), "country", jstr(st, "shipToCountry"),
	    "items", its);
	if (ord == NULL)
		return NULL;
	if (found != NULL)
		(void)json_object_set(ord, "orderId",
		    json_object_get(found, "orderId"));
	if (ctx->cfg->sync.x3_store_id > 0)
		(void)json_object_set_new(ord, "advancedOptions", json_pack(
		    "{s:i}", "storeId", ctx->cfg->sync.x3_store_id));
	return ord;
}

/* Send createorder (an upsert on orderKey), audited as action. */
static enum core_err
ss_upsert(const struct jobrun_ctx *ctx, const struct job *j,
    const char *action, json_t *ord, json_t **ans)
{
	struct timespec	 t0;
	enum core_err	 rc;
	char		*req;

	req = json_dumps(ord, JSON_COMPACT | JSON_SORT_KEYS);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ss_create_order(ctx->ss, ord, ans);
	audit_ss(ctx, j, action, req, ms_since(&t0), rc == CORE_OK ? "ok" :
	    job_class_name(ss_fail_class(ctx->ss)));
	free(req);
	return rc;
}

/*
 * An X3 order keyed in X3 (not ours): pushed to ShipStation with
 * createorder, exactly once: looked up by its orderKey first; the
 * createorder upsert on orderKey makes a repeated or retried push
 * update the same order, never a second one.
 */
static void
x3_push(const struct jobrun_ctx *ctx, const struct job *j, json_t *st,
    struct job_outcome *o)
{
	json_t		*found = NULL, *ord = NULL, *ans = NULL, *id;
	const char	*status, *cur;
	char		 key[96], ssid[32], buf[160];
	int		 rc;

	(void)snprintf(key, sizeof(key), SYNC_X3_KEY_PREFIX "%s", j->key);
	if (strcmp(jstr(st, "deliveryStatus"), "notDelivered") != 0)
		status = NULL;		/* X3 ships it: nothing to ship here */
	else if (strcmp(jstr(st, "orderStatus"), "closed") == 0)
		status = "cancelled";
	else if (strcmp(jstr(st, "holdStatus"), "onHold") == 0)
		status = "on_hold";
	else
		status = "awaiting_shipment";
	if ((rc = ss_find_key(ctx, j->key, key, &found, o)) == -1)
		goto out;
	if (found != NULL) {
		(void)snprintf(ssid, sizeof(ssid), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(found, "orderId")));
		if (link_from_x3(ctx, ssid, key, j->key, o) == -1)
			goto out;
		cur = jstr(found, "orderStatus");
		/* Shipped and cancelled orders are locked (ShipStation §2.3). */
		if (strcmp(cur, "shipped") == 0 ||
		    strcmp(cur, "cancelled") == 0) {
			(void)snprintf(buf, sizeof(buf), "ShipStation order %s "
			    "is %s: it can no longer change", ssid, cur);
			skip_x3(ctx, j, buf);
			goto out;
		}
	}
	if (status == NULL || (found == NULL && strcmp(status,
	    "cancelled") == 0)) {
		skip_x3(ctx, j, status == NULL ? "delivered in X3: nothing "
		    "to ship" : "closed in X3 before it reached ShipStation");
		goto out;
	}
	if ((ord = ss_order_build(ctx, st, j->key, key, status, found)) ==
	    NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	if (ss_upsert(ctx, j, found != NULL ? "ss.order.update" :
	    "ss.order.create", ord, &ans) != CORE_OK) {
		/* Lost or refused: the key decides, as before the create. */
		(void)snprintf(buf, sizeof(buf), "ShipStation createorder: "
		    "%.120s", ss_fail_what(ctx->ss));
		rc = ss_fail_class(ctx->ss);
		json_decref(found);
		found = NULL;
		if (ss_find_key(ctx, j->key, key, &found, o) == 1) {
			(void)snprintf(ssid, sizeof(ssid), "%"
			    JSON_INTEGER_FORMAT, json_integer_value(
			    json_object_get(found, "orderId")));
			(void)link_from_x3(ctx, ssid, key, j->key, o);
			/* Created; an update that failed is tried again. */
			if (strcmp(jstr(found, "orderStatus"), status) == 0)
				goto out;
		}
		if (o->cls == JOB_ERR_NONE)
			job_outcome_set(o, (enum job_class)rc, "%s", buf);
		goto out;
	}
	id = json_object_get(ans, "orderId");
	if (!json_is_integer(id)) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "createorder answered "
		    "without an orderId");
		goto out;
	}
	(void)snprintf(ssid, sizeof(ssid), "%" JSON_INTEGER_FORMAT,
	    json_integer_value(id));
	log_info("X3 order %s is ShipStation order %s (%s)", j->key, ssid,
	    status);
	(void)link_from_x3(ctx, ssid, key, j->key, o);
out:
	json_decref(ans);
	json_decref(ord);
	json_decref(found);
}

/*
 * An X3 order we created from ShipStation order ssid: X3 closed it
 * without delivering (cancelled) -> the ShipStation order is
 * cancelled; X3 put it on hold -> on hold in ShipStation until X3
 * releases it. Shipped and cancelled ShipStation orders are immutable:
 * audited skip.
 */
static void
x3_to_ours(const struct jobrun_ctx *ctx, const struct job *j, json_t *st,
    const char *ssid, const char *lstate, struct job_outcome *o)
{
	json_t		*ord = NULL, *ans = NULL;
	const char	*want, *cur, *nstate;
	char		 buf[160], until[16], *req = NULL;
	struct timespec	 t0;
	time_t		 t;
	struct tm	 tm;
	enum core_err	 rc;

	if (strcmp(jstr(st, "orderStatus"), "closed") == 0 &&
	    strcmp(jstr(st, "deliveryStatus"), "notDelivered") == 0)
		want = "cancel";
	else if (strcmp(jstr(st, "holdStatus"), "onHold") == 0)
		want = "hold";
	else if (strcmp(lstate, "held_x3") == 0)
		want = "restore";
	else {
		skip_x3(ctx, j, "nothing to pass on (open, not on hold)");
		return;
	}
	if (ss_get_order(ctx->ss, ssid, QUOTA_POLL, &ord) != CORE_OK) {
		job_outcome_set(o, ss_fail_class(ctx->ss),
		    "ShipStation order %s: %s", ssid, ss_fail_what(ctx->ss));
		return;
	}
	cur = jstr(ord, "orderStatus");
	if (strcmp(cur, "shipped") == 0 || strcmp(cur, "cancelled") == 0) {
		(void)snprintf(buf, sizeof(buf), "X3 wants %s, but ShipStation "
		    "order %s is %s: it can no longer change", want, ssid, cur);
		skip_x3(ctx, j, buf);
		goto out;
	}
	nstate = NULL;
	if (strcmp(want, "cancel") == 0) {
		/* No partial update: the whole order, status cancelled. */
		(void)json_object_set_new(ord, "orderStatus",
		    json_string("cancelled"));
		if (ss_upsert(ctx, j, "ss.order.cancel", ord, &ans) !=
		    CORE_OK) {
			job_outcome_set(o, ss_fail_class(ctx->ss),
			    "ShipStation cancel: %.200s",
			    ss_fail_what(ctx->ss));
			goto out;
		}
		nstate = "cancelled";
	} else if (strcmp(want, "hold") == 0 && strcmp(cur, "on_hold") != 0) {
		t = (time_t)(clk_now_ms() / 1000) +
		    (time_t)ctx->cfg->sync.x3_hold_days * 86400;
		(void)gmtime_r(&t, &tm);
		(void)strftime(until, sizeof(until), "%Y-%m-%d", &tm);
		(void)snprintf(buf, sizeof(buf), "{\"orderId\": %s, "
		    "\"holdUntilDate\": \"%s\"}", ssid, until);
		(void)clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = ss_hold_order(ctx->ss, strtoll(ssid, NULL, 10), until,
		    NULL);
		audit_ss(ctx, j, "ss.order.hold", buf, ms_since(&t0),
		    rc == CORE_OK ? "ok" :
		    job_class_name(ss_fail_class(ctx->ss)));
		if (rc != CORE_OK) {
			job_outcome_set(o, ss_fail_class(ctx->ss),
			    "ShipStation hold: %.200s", ss_fail_what(ctx->ss));
			goto out;
		}
		nstate = "held_x3";
	} else if (strcmp(want, "hold") == 0)
		nstate = "held_x3";
	else {
		if (strcmp(cur, "on_hold") == 0) {
			(void)snprintf(buf, sizeof(buf), "{\"orderId\": %s}",
			    ssid);
			(void)clock_gettime(CLOCK_MONOTONIC, &t0);
			rc = ss_hold_order(ctx->ss, strtoll(ssid, NULL, 10),
			    NULL, NULL);
			audit_ss(ctx, j, "ss.order.restore", buf,
			    ms_since(&t0), rc == CORE_OK ? "ok" :
			    job_class_name(ss_fail_class(ctx->ss)));
			if (rc != CORE_OK) {
				job_outcome_set(o, ss_fail_class(ctx->ss),
				    "ShipStation restore: %.200s",
				    ss_fail_what(ctx->ss));
				goto out;
			}
		}
		nstate = "synced";
	}
	log_info("X3 order %s: ShipStation order %s %s", j->key, ssid, want);
	if (db_exec(ctx->db, "UPDATE links SET state = ? WHERE entity = "
	    "'order' AND ss_id = ?", DB_PARAMS(DB_STR(nstate), DB_STR(ssid)),
	    NULL, NULL) != CORE_OK)
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
out:
	free(req);
	json_decref(ans);
	json_decref(ord);
}

void
sync_x3_order(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	const char	*pkg, *p;
	struct db_rows	*r = NULL;
	json_t		*d = NULL, *st;

	if (ctx->x3 == NULL || ctx->ss == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "X3 and ShipStation "
		    "must both be configured");
		return;
	}
	pkg = ctx->cfg->x3.sales_package;
	/* The state of now, not a polled copy: a hold or a close must not
	 * be undone by an older document (docs/SYNC.md). */
	if (gql1(ctx->x3, &q_read_full, pkg, "id", j->key, &d, o) == -1)
		return;
	st = gql_at(d, pkg, "salesOrder", "read");
	if (!json_is_object(st)) {
		skip_x3(ctx, j, "no such order in X3");
		goto out;
	}
	if (db_select(ctx->db, "SELECT ss_id, state FROM links WHERE entity = "
	    "'order' AND x3_id = ? ORDER BY id LIMIT 1",
	    DB_PARAMS(DB_STR(j->key)), &r) != CORE_OK) {
		r = NULL;
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
		goto out;
	}
	if (r->nrows > 0 && strcmp(db_rows_get(r, 0, 1), "from_x3") != 0) {
		x3_to_ours(ctx, j, st, db_rows_get(r, 0, 0),
		    db_rows_get(r, 0, 1), o);
		goto out;
	}
	/* Ours by its number (SS + orderId) though its link is gone: never
	 * pushed back as a new order; the ss.order job relinks it. */
	p = j->key + strlen(SYNC_REF_PREFIX);
	if (r->nrows == 0 && strncmp(j->key, SYNC_REF_PREFIX,
	    strlen(SYNC_REF_PREFIX)) == 0 && *p != '\0' &&
	    strspn(p, "0123456789") == strlen(p)) {
		skip_x3(ctx, j, "created from ShipStation order, not linked "
		    "(replay its ss.order job)");
		goto out;
	}
	x3_push(ctx, j, st, o);
out:
	db_rows_free(r);
	json_decref(d);
}
