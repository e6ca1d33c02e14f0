/*
 * ShipStation V2 (reference §4): shipments (the V2 face of V1
 * orders), fulfillments, labels, products, inventory and environment
 * webhooks; se- ids, UTC timestamps, page/page_size/links paging and
 * the request_id/errors[] error shape.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

#define WAREHOUSE_V2	"se-1001"
#define LOCATION_V2	"se-2001"

/* "se-123" or "123" -> 123; 0 when neither. */
static int64_t
se_id(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL)
		return 0;
	if (strncmp(s, "se-", 3) == 0)
		s += 3;
	if (*s < '0' || *s > '9')
		return 0;
	v = strtoll(s, &end, 10);
	return *end == '\0' ? v : 0;
}

static const char *
status_v2(const struct ss_rec *o)
{
	const char	*s = ss_str(o->obj, "orderStatus");

	if (s == NULL)
		return "pending";
	if (strcmp(s, "shipped") == 0)
		return "label_purchased";
	if (strcmp(s, "cancelled") == 0)
		return "cancelled";
	return "pending";
}

static int
bad_query(struct sb_resp *resp, const char *name)
{
	char	 msg[128];

	(void)snprintf(msg, sizeof(msg), "%s is not valid.", name);
	ss_v2_error(resp, 400, "validation", "invalid_field_value", msg);
	return -1;
}

/* Time range filter pair; -1 answered 400. */
static int
range(const char *q, const char *lo, const char *hi, int64_t *b,
    struct sb_resp *resp)
{
	int64_t	 t;
	int	 h;

	b[0] = INT64_MIN;
	b[1] = INT64_MAX;
	if ((h = ss_qtime(q, lo, 1, &t)) == -1)
		return bad_query(resp, lo);
	if (h == 1)
		b[0] = t;
	if ((h = ss_qtime(q, hi, 1, &t)) == -1)
		return bad_query(resp, hi);
	if (h == 1)
		b[1] = t;
	return 0;
}

static int
in_range(int64_t t, const int64_t *b)
{
	if (b[0] == INT64_MIN && b[1] == INT64_MAX)
		return 1;
	return t != 0 && t >= b[0] && t <= b[1];
}

static int
sort_v2(const char *q, int *desc, int def_desc)
{
	char	 by[32], dir[16];
	int	 key = SS_T_CREATE;

	*desc = def_desc;
	if (ss_qstr(q, "sort_dir", dir, sizeof(dir)) == 1)
		*desc = strcasecmp(dir, "desc") == 0;
	if (ss_qstr(q, "sort_by", by, sizeof(by)) == 1) {
		if (strcasecmp(by, "modified_at") == 0)
			key = SS_T_MODIFY;
		else if (strcasecmp(by, "shipped_at") == 0)
			key = SS_T_SHIP;
	}
	return key;
}

/* Page out of v through a V2 view function. */
static void
page_v2(struct ss *ss, struct ss_rec **v, size_t n, int64_t page,
    int64_t size, const char *coll, json_t *(*view)(const struct ss *,
    const struct ss_rec *), const char *path, const char *q,
    struct sb_resp *resp)
{
	json_t	*out = json_array();
	size_t	 i, from = (size_t)((page - 1) * size), to;

	to = from + (size_t)size;
	if (from > n)
		from = n;
	if (to > n)
		to = n;
	for (i = from; i < to; i++)
		(void)json_array_append_new(out, view(ss, v[i]));
	sb_resp_json(resp, 200, ss_v2_envelope(ss, coll, out, (int64_t)n,
	    page, size, path, q));
}

static struct ss_rec **
vec(size_t n, struct sb_resp *resp)
{
	struct ss_rec	**v;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		ss_v2_error(resp, 500, "system", "unspecified",
		    "Out of memory.");
	return v;
}

/* Shipments ----------------------------------------------------------- */

static int
has_label_batch(struct ss *ss, int64_t order, int64_t batch)
{
	size_t	 i;

	for (i = 0; i < ss->ships.n; i++)
		if (ss->ships.v[i]->ref == order &&
		    ss->ships.v[i]->batch == batch)
			return 1;
	return 0;
}

static int
item_kw(const struct ss_rec *o, const char *kw)
{
	json_t	*it;
	size_t	 i;

	json_array_foreach(json_object_get(o->obj, "items"), i, it)
		if (ss_icontains(ss_str(it, "sku"), kw) ||
		    ss_icontains(ss_str(it, "name"), kw))
			return 1;
	return 0;
}

static void
list_shipments(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v, *o;
	int64_t		  cr[2], md[2], pd[2], page, size, store = 0, batch = 0;
	char		  st[32], num[128], ext[128], name[128], kw[128];
	char		  imp[64], buf[64];
	int		  hst, hnum, hext, hname, hkw, himp, key, desc;
	size_t		  i, n = 0;

	if (range(q, "created_at_start", "created_at_end", cr, resp) == -1 ||
	    range(q, "modified_at_start", "modified_at_end", md, resp) == -1 ||
	    range(q, "payment_date_start", "payment_date_end", pd, resp) ==
	    -1 || ss_paging(q, 1, &page, &size, resp) == -1)
		return;
	if (ss_qstr(q, "store_id", buf, sizeof(buf)) == 1 &&
	    (store = se_id(buf)) == 0) {
		(void)bad_query(resp, "store_id");
		return;
	}
	if (ss_qstr(q, "batch_id", buf, sizeof(buf)) == 1 &&
	    (batch = se_id(buf)) == 0) {
		(void)bad_query(resp, "batch_id");
		return;
	}
	hst = ss_qstr(q, "shipment_status", st, sizeof(st)) == 1;
	hnum = ss_qstr(q, "shipment_number", num, sizeof(num)) == 1;
	hext = ss_qstr(q, "external_shipment_id", ext, sizeof(ext)) == 1;
	hname = ss_qstr(q, "ship_to_name", name, sizeof(name)) == 1;
	hkw = ss_qstr(q, "item_keyword", kw, sizeof(kw)) == 1;
	himp = ss_qstr(q, "import_batch_id", imp, sizeof(imp)) == 1;
	key = sort_v2(q, &desc, 1);
	if ((v = vec(ss->orders.n, resp)) == NULL)
		return;
	for (i = 0; i < ss->orders.n; i++) {
		o = ss->orders.v[i];
		if ((o->flags & SS_F_DELETED) ||
		    !in_range(o->t[SS_T_CREATE], cr) ||
		    !in_range(o->t[SS_T_MODIFY], md) ||
		    !in_range(o->t[SS_T_PAY], pd) ||
		    (store != 0 && o->store != store) ||
		    (hst && strcmp(status_v2(o), st) != 0) ||
		    (hnum && strcmp(ss_str(o->obj, "orderNumber"), num) != 0) ||
		    (hext && strcmp(ss_str(o->obj, "orderKey"), ext) != 0) ||
		    (hname && !ss_icontains(ss_str(json_object_get(o->obj,
		    "shipTo"), "name"), name)) ||
		    (hkw && !item_kw(o, kw)) ||
		    (himp && strcmp(o->tag, imp) != 0) ||
		    (batch != 0 && !has_label_batch(ss, o->id, batch)))
			continue;
		v[n++] = o;
	}
	ss_sort(v, n, key, desc);
	page_v2(ss, v, n, page, size, "shipments", ssorder_v2, "/v2/shipments",
	    q, resp);
	free(v);
}

static json_t *
addr_v1(const json_t *a)
{
	const char	*res = ss_str(a, "address_residential_indicator");

	return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, "
	    "s:O?, s:O?, s:O?}",
	    "name", json_object_get(a, "name"),
	    "company", json_object_get(a, "company_name"),
	    "street1", json_object_get(a, "address_line1"),
	    "street2", json_object_get(a, "address_line2"),
	    "street3", json_object_get(a, "address_line3"),
	    "city", json_object_get(a, "city_locality"),
	    "state", json_object_get(a, "state_province"),
	    "postalCode", json_object_get(a, "postal_code"),
	    "country", json_object_get(a, "country_code"),
	    "phone", json_object_get(a, "phone"),
	    "residential", res != NULL && strcmp(res, "yes") == 0 ?
	    json_true() : res != NULL && strcmp(res, "no") == 0 ?
	    json_false() : NULL);
}

/* A V2 shipment request as a V1 createorder body; new. */
static json_t *
to_v1(const json_t *s, int64_t next_id)
{
	json_t		*items = json_array(), *it, *o;
	const json_t	*to = json_object_get(s, "ship_to");
	char		 key[64], date[TZ_BUFSZ];
	size_t		 i;

	json_array_foreach(json_object_get(s, "items"), i, it)
		(void)json_array_append_new(items, json_pack("{s:O?, s:O?, "
		    "s:I, s:O?, s:O?}", "sku", json_object_get(it, "sku"),
		    "name", json_object_get(it, "name"),
		    "quantity", (json_int_t)ss_int(it, "quantity", 1),
		    "unitPrice", json_object_get(it, "unit_price"),
		    "lineItemKey", json_object_get(it,
		    "external_order_item_id")));
	/* external_shipment_id is auto se-… when omitted (§4.2). */
	if (ss_str(s, "external_shipment_id") != NULL)
		(void)snprintf(key, sizeof(key), "%.50s",
		    ss_str(s, "external_shipment_id"));
	else
		(void)snprintf(key, sizeof(key), "se-%lld",
		    (long long)next_id);
	tz_fmt_v1(sb_now_ms(), 7, date, sizeof(date));
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:O?, s:f, s:f, "
	    "s:f, s:O?, s:b, s:O?, s:{s:I}}",
	    "orderNumber", ss_str(s, "shipment_number") != NULL ?
	    ss_str(s, "shipment_number") : key,
	    "orderKey", key,
	    "orderDate", date,
	    "orderStatus", "awaiting_shipment",
	    "billTo", addr_v1(to),
	    "shipTo", addr_v1(to),
	    "items", items,
	    "customerEmail", json_object_get(to, "email"),
	    "amountPaid", json_number_value(json_object_get(
	    json_object_get(s, "amount_paid"), "amount")),
	    "shippingAmount", json_number_value(json_object_get(
	    json_object_get(s, "shipping_paid"), "amount")),
	    "taxAmount", json_number_value(json_object_get(
	    json_object_get(s, "tax_paid"), "amount")),
	    "customerNotes", json_object_get(s, "notes_from_buyer"),
	    "gift", json_is_true(json_object_get(s, "is_gift")),
	    "giftMessage", json_object_get(s, "notes_for_gift"),
	    "advancedOptions", "storeId", (json_int_t)se_id(ss_str(s,
	    "store_id")));
	return o;
}

static void
create_shipments(struct ss *ss, const struct sb_req *req,
    struct sb_resp *resp)
{
	struct sb_resp	 tmp;
	struct ss_rec	*o;
	json_t		*b = ss_json_body(req), *list, *s, *out, *v1, *r;
	const char	*ext;
	char		 batch[37], q1[256], q2[128];
	int64_t		 stores[64];
	size_t		 i, h, nstores = 0;
	int		 errs = 0, nt;

	list = json_object_get(b, "shipments");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		ss_v2_error(resp, 400, "validation", "field_value_required",
		    "shipments is required and must be a non-empty array.");
		json_decref(b);
		return;
	}
	ss_guid(batch);
	out = json_array();
	json_array_foreach(list, i, s) {
		ext = ss_str(s, "external_shipment_id");
		if (!json_is_object(s) || !json_is_object(json_object_get(s,
		    "ship_to"))) {
			errs = 1;
			(void)json_array_append_new(out, json_pack("{s:[{s:s, "
			    "s:s, s:s, s:s}]}", "errors", "error_source",
			    "ShipStation", "error_type", "validation",
			    "error_code", "field_value_required", "message",
			    "ship_to is required."));
			continue;
		}
		if (ext != NULL && ssorder_by_key(ss, ext) != NULL) {
			/* Unique per account and immutable (§4.2). */
			errs = 1;
			(void)json_array_append_new(out, json_pack("{s:s, "
			    "s:[{s:s, s:s, s:s, s:s}]}",
			    "external_shipment_id", ext, "errors",
			    "error_source", "ShipStation", "error_type",
			    "business_rules", "error_code",
			    "invalid_field_value", "message",
			    "external_shipment_id already exists."));
			continue;
		}
		v1 = to_v1(s, ss->orders.next);
		memset(&tmp, 0, sizeof(tmp));
		o = ssorder_upsert(ss, v1, batch, &tmp, &nt);
		json_decref(v1);
		if (o == NULL) {
			errs = 1;
			(void)json_array_append_new(out, json_pack("{s:[{s:s, "
			    "s:s, s:s, s:s}]}", "errors", "error_source",
			    "ShipStation", "error_type", "validation",
			    "error_code", "invalid_field_value", "message",
			    tmp.body != NULL ? tmp.body : "invalid"));
		} else {
			r = ssorder_v2(ss, o);
			(void)json_object_set_new(r, "errors", json_array());
			(void)json_array_append_new(out, r);
			/* Distinct stores only: there are a handful. */
			for (h = 0; h < nstores && stores[h] != o->store; h++)
				continue;
			if (nt && h == nstores &&
			    nstores < sizeof(stores) / sizeof(stores[0]))
				stores[nstores++] = o->store;
		}
		for (h = 0; h < tmp.nheaders; h++) {
			free(tmp.headers[h].name);
			free(tmp.headers[h].value);
		}
		free(tmp.body);
	}
	/* One notification per store of this import batch (§3.2). */
	for (i = 0; i < nstores; i++) {
		(void)snprintf(q1, sizeof(q1), "/orders?storeID=%lld&"
		    "importBatch=%s", (long long)stores[i], batch);
		(void)snprintf(q2, sizeof(q2), "/v2/shipments?import_batch_id=%s",
		    batch);
		hook_fire(ss, HOOK_ORDER, stores[i], q1, q2);
	}
	json_decref(b);
	sb_resp_json(resp, 200, json_pack("{s:b, s:o}", "has_errors", errs,
	    "shipments", out));
}

static int
shipments(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*p = req->path, *m = req->method, *rest;
	struct ss_rec	*o;
	char		 id[128];
	size_t		 n;

	if (strcmp(p, "/v2/shipments") == 0) {
		if (strcmp(m, "GET") == 0)
			list_shipments(ss, req->query, resp);
		else if (strcmp(m, "POST") == 0)
			create_shipments(ss, req, resp);
		else
			ss_v2_error(resp, 405, "validation", "invalid_method",
			    "Method not allowed.");
		return 1;
	}
	if (ss_prefix(p, "/v2/shipments/external_shipment_id/")) {
		rest = p + strlen("/v2/shipments/external_shipment_id/");
		o = ssorder_by_key(ss, rest);
		if (o == NULL || (o->flags & SS_F_DELETED))
			ss_v2_error(resp, 404, "validation", "not_found",
			    "Shipment not found.");
		else
			sb_resp_json(resp, 200, ssorder_v2(ss, o));
		return 1;
	}
	if (!ss_prefix(p, "/v2/shipments/"))
		return 0;
	rest = p + strlen("/v2/shipments/");
	n = strcspn(rest, "/");
	if (n >= sizeof(id))
		return 0;
	memcpy(id, rest, n);
	id[n] = '\0';
	o = ss_tab_get(&ss->orders, se_id(id));
	if (o == NULL || (o->flags & SS_F_DELETED)) {
		ss_v2_error(resp, 404, "validation", "not_found",
		    "Shipment not found.");
		return 1;
	}
	if (rest[n] == '\0' && strcmp(m, "GET") == 0)
		sb_resp_json(resp, 200, ssorder_v2(ss, o));
	else if (strcmp(rest + n, "/cancel") == 0 && strcmp(m, "PUT") == 0) {
		if (strcmp(status_v2(o), "label_purchased") == 0) {
			ss_v2_error(resp, 400, "business_rules",
			    "invalid_status", "A shipment with a purchased "
			    "label cannot be cancelled.");
			return 1;
		}
		(void)json_object_set_new(o->obj, "orderStatus",
		    json_string("cancelled"));
		ssorder_touch(o);
		sb_resp_text(resp, 204, NULL, "");
	} else
		ss_v2_error(resp, 404, "validation", "not_found",
		    "The requested resource was not found.");
	return 1;
}

/* Fulfillments and labels ------------------------------------------- */

static json_t *
ful_view(const struct ss *ss, const struct ss_rec *r)
{
	return ssship_ful_v2(ss, r);
}

static json_t *
label_view(const struct ss *ss, const struct ss_rec *r)
{
	(void)ss;
	return ssship_label_v2(r);
}

static void
list_fuls(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v, *r;
	int64_t		  sd[2], cd[2], page, size, sid = 0, fid = 0;
	char		  name[128], cc[8], num[128], tn[64], buf[64];
	int		  hname, hcc, hnum, htn, key, desc;
	size_t		  i, n = 0;
	const json_t	 *to;

	if (range(q, "ship_date_start", "ship_date_end", sd, resp) == -1 ||
	    range(q, "create_date_start", "create_date_end", cd, resp) == -1 ||
	    ss_paging(q, 1, &page, &size, resp) == -1)
		return;
	if (ss_qstr(q, "shipment_id", buf, sizeof(buf)) == 1 &&
	    (sid = se_id(buf)) == 0) {
		(void)bad_query(resp, "shipment_id");
		return;
	}
	if (ss_qstr(q, "fulfillment_id", buf, sizeof(buf)) == 1 &&
	    (fid = se_id(buf)) == 0) {
		(void)bad_query(resp, "fulfillment_id");
		return;
	}
	hname = ss_qstr(q, "ship_to_name", name, sizeof(name)) == 1;
	hcc = ss_qstr(q, "ship_to_country_code", cc, sizeof(cc)) == 1;
	hnum = ss_qstr(q, "shipment_number", num, sizeof(num)) == 1;
	htn = ss_qstr(q, "tracking_number", tn, sizeof(tn)) == 1;
	key = sort_v2(q, &desc, 0);
	if ((v = vec(ss->fuls.n, resp)) == NULL)
		return;
	for (i = 0; i < ss->fuls.n; i++) {
		r = ss->fuls.v[i];
		to = json_object_get(r->obj, "shipTo");
		if (!in_range(r->t[SS_T_SHIP], sd) ||
		    !in_range(r->t[SS_T_CREATE], cd) ||
		    (sid != 0 && r->ref != sid) || (fid != 0 && r->id != fid) ||
		    (hname && !ss_icontains(ss_str(to, "name"), name)) ||
		    (hcc && (ss_str(to, "country") == NULL ||
		    strcasecmp(ss_str(to, "country"), cc) != 0)) ||
		    (hnum && strcmp(ss_str(r->obj, "orderNumber"), num) != 0) ||
		    (htn && strcmp(ss_str(r->obj, "trackingNumber"), tn) != 0))
			continue;
		v[n++] = r;
	}
	ss_sort(v, n, key == SS_T_MODIFY ? SS_T_CREATE : key, desc);
	page_v2(ss, v, n, page, size, "fulfillments", ful_view,
	    "/v2/fulfillments", q, resp);
	free(v);
}

static void
create_fuls(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	struct sb_resp	 tmp;
	struct ss_rec	*o, *f;
	json_t		*b = ss_json_body(req), *list, *e, *out, *args;
	char		 fid[32];
	size_t		 i, h;
	int		 errs = 0;

	list = json_object_get(b, "fulfillments");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		ss_v2_error(resp, 400, "validation", "field_value_required",
		    "fulfillments is required and must be a non-empty array.");
		json_decref(b);
		return;
	}
	out = json_array();
	json_array_foreach(list, i, e) {
		o = ss_tab_get(&ss->orders, se_id(ss_str(e, "shipment_id")));
		f = NULL;
		memset(&tmp, 0, sizeof(tmp));
		if (o != NULL && !(o->flags & SS_F_DELETED)) {
			args = json_pack("{s:O?, s:O?, s:O?, s:b}",
			    "trackingNumber", json_object_get(e,
			    "tracking_number"), "carrierCode",
			    json_object_get(e, "carrier_code"), "shipDate",
			    json_object_get(e, "ship_date"),
			    "notifySalesChannel", json_is_true(
			    json_object_get(e, "notify_order_source")));
			f = ssship_fulfill(ss, o, args, &tmp);
			json_decref(args);
		}
		if (f != NULL) {
			(void)snprintf(fid, sizeof(fid), "se-%lld",
			    (long long)f->id);
			(void)json_array_append_new(out, json_pack("{s:O?, "
			    "s:s, s:O?, s:n}", "shipment_id",
			    json_object_get(e, "shipment_id"),
			    "fulfillment_id", fid, "tracking_number",
			    json_object_get(e, "tracking_number"),
			    "error_message"));
		} else {
			errs = 1;
			(void)json_array_append_new(out, json_pack("{s:O?, "
			    "s:n, s:O?, s:s}", "shipment_id",
			    json_object_get(e, "shipment_id"),
			    "fulfillment_id", "tracking_number",
			    json_object_get(e, "tracking_number"),
			    "error_message", o == NULL ?
			    "Shipment not found." : tmp.body != NULL ?
			    tmp.body : "Fulfillment failed."));
		}
		for (h = 0; h < tmp.nheaders; h++) {
			free(tmp.headers[h].name);
			free(tmp.headers[h].value);
		}
		free(tmp.body);
	}
	json_decref(b);
	sb_resp_json(resp, 200, json_pack("{s:b, s:o}", "has_errors", errs,
	    "fulfillments", out));
}

static void
list_labels(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v, *r;
	int64_t		  cd[2], page, size, batch = 0, sid = 0;
	char		  st[32], tn[64], svc[64], buf[64];
	int		  hst, htn, hsvc, key, desc;
	size_t		  i, n = 0;

	if (range(q, "created_at_start", "created_at_end", cd, resp) == -1 ||
	    ss_paging(q, 1, &page, &size, resp) == -1)
		return;
	if (ss_qstr(q, "batch_id", buf, sizeof(buf)) == 1 &&
	    (batch = se_id(buf)) == 0) {
		(void)bad_query(resp, "batch_id");
		return;
	}
	if (ss_qstr(q, "shipment_id", buf, sizeof(buf)) == 1 &&
	    (sid = se_id(buf)) == 0) {
		(void)bad_query(resp, "shipment_id");
		return;
	}
	hst = ss_qstr(q, "label_status", st, sizeof(st)) == 1;
	htn = ss_qstr(q, "tracking_number", tn, sizeof(tn)) == 1;
	hsvc = ss_qstr(q, "service_code", svc, sizeof(svc)) == 1;
	key = sort_v2(q, &desc, 1);
	if ((v = vec(ss->ships.n, resp)) == NULL)
		return;
	for (i = 0; i < ss->ships.n; i++) {
		r = ss->ships.v[i];
		if (!in_range(r->t[SS_T_CREATE], cd) ||
		    (batch != 0 && r->batch != batch) ||
		    (sid != 0 && r->ref != sid) ||
		    (hst && strcmp(st, (r->flags & SS_F_VOIDED) ? "voided" :
		    "completed") != 0) ||
		    (htn && strcmp(ss_str(r->obj, "trackingNumber"), tn) != 0) ||
		    (hsvc && strcmp(ss_str(r->obj, "serviceCode"), svc) != 0))
			continue;
		v[n++] = r;
	}
	ss_sort(v, n, key == SS_T_MODIFY ? SS_T_CREATE : key, desc);
	page_v2(ss, v, n, page, size, "labels", label_view, "/v2/labels", q,
	    resp);
	free(v);
}

/* Products and inventory --------------------------------------------- */

static json_t *
prod_view(const struct ss *ss, const struct ss_rec *p)
{
	json_t	*o = p->obj;

	(void)ss;
	return json_pack("{s:I, s:O, s:O, s:O?, s:O?, s:{s:s, s:f}, "
	    "s:{s:s, s:O?, s:O?, s:O?}, s:{s:O?, s:s}, s:O, s:o, s:o}",
	    "product_id", (json_int_t)p->id,
	    "sku", json_object_get(o, "sku"),
	    "name", json_object_get(o, "name"),
	    "upc", json_object_get(o, "upc"),
	    "thumbnail_url", json_object_get(o, "thumbnailUrl"),
	    "price", "currency", "usd", "amount",
	    json_number_value(json_object_get(o, "price")),
	    "dimensions", "unit", "inch", "length", json_object_get(o,
	    "length"), "width", json_object_get(o, "width"), "height",
	    json_object_get(o, "height"),
	    "weight", "value", json_object_get(o, "weightOz"), "unit",
	    "ounce",
	    "active", json_object_get(o, "active"),
	    "created_at", ss_v2_time(p->t[SS_T_CREATE]),
	    "modified_at", ss_v2_time(p->t[SS_T_MODIFY]));
}

static void
list_prods(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v, *p;
	char		  sku[128], name[128], buf[16];
	int64_t		  page, size;
	int		  hsku, hname, active = 0, hact;
	size_t		  i, n = 0;

	if (ss_paging(q, 1, &page, &size, resp) == -1)
		return;
	/* Products page 1..100, default 100 (§4.3). */
	if (ss_qstr(q, "page_size", buf, sizeof(buf)) != 1)
		size = 100;
	else if (size > 100) {
		(void)bad_query(resp, "page_size");
		return;
	}
	if ((hact = ss_qbool(q, "active", &active)) == -1) {
		(void)bad_query(resp, "active");
		return;
	}
	hsku = ss_qstr(q, "sku", sku, sizeof(sku)) == 1;
	hname = ss_qstr(q, "name", name, sizeof(name)) == 1;
	if ((v = vec(ss->prods.n, resp)) == NULL)
		return;
	for (i = 0; i < ss->prods.n; i++) {
		p = ss->prods.v[i];
		if ((hsku && strcmp(ss_str(p->obj, "sku"), sku) != 0) ||
		    (hname && !ss_icontains(ss_str(p->obj, "name"), name)) ||
		    (hact == 1 && json_is_true(json_object_get(p->obj,
		    "active")) != active))
			continue;
		v[n++] = p;
	}
	page_v2(ss, v, n, page, size, "products", prod_view, "/v2/products",
	    q, resp);
	free(v);
}

static struct ss_rec *
inv_row(struct ss *ss, const char *sku, const char *loc)
{
	size_t	 i;

	for (i = 0; i < ss->inv.n; i++)
		if (strcmp(ss_str(ss->inv.v[i]->obj, "sku"), sku) == 0 &&
		    strcmp(ss_str(ss->inv.v[i]->obj, "inventory_location_id"),
		    loc) == 0)
			return ss->inv.v[i];
	return NULL;
}

static struct ss_rec *
inv_add(struct ss *ss, const char *sku, const char *loc)
{
	return ss_tab_add(&ss->inv, json_pack("{s:s, s:i, s:i, s:i, "
	    "s:{s:s, s:f}, s:s, s:s}", "sku", sku, "on_hand", 0,
	    "allocated", 0, "available", 0, "average_cost", "currency", "usd",
	    "amount", 0.0, "inventory_warehouse_id", WAREHOUSE_V2,
	    "inventory_location_id", loc));
}

static void
inv_set(struct ss_rec *r, int64_t on_hand)
{
	int64_t	 alloc = ss_int(r->obj, "allocated", 0);

	(void)json_object_set_new(r->obj, "on_hand", json_integer(on_hand));
	(void)json_object_set_new(r->obj, "available",
	    json_integer(on_hand - alloc));
	r->t[SS_T_MODIFY] = sb_now_ms();
}

static json_t *
inv_view(const struct ss *ss, const struct ss_rec *r)
{
	(void)ss;
	return json_incref(r->obj);
}

static void
list_inv(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v, *r;
	char		  sku[128], wh[64], loc[64], by[16];
	int64_t		  page, size, lim;
	int		  hsku, hwh, hloc;
	size_t		  i, n = 0;

	if (ss_paging(q, 1, &page, &size, resp) == -1)
		return;
	if (ss_qint(q, "limit", &lim) == 1) {
		if (lim < 1 || lim > SB_V2_PAGE_MAX) {
			(void)bad_query(resp, "limit");
			return;
		}
		size = lim;
	}
	if (ss_qstr(q, "group_by", by, sizeof(by)) == 1 &&
	    strcmp(by, "warehouse") != 0 && strcmp(by, "location") != 0) {
		(void)bad_query(resp, "group_by");
		return;
	}
	hsku = ss_qstr(q, "sku", sku, sizeof(sku)) == 1;
	hwh = ss_qstr(q, "inventory_warehouse_id", wh, sizeof(wh)) == 1;
	hloc = ss_qstr(q, "inventory_location_id", loc, sizeof(loc)) == 1;
	if ((v = vec(ss->inv.n, resp)) == NULL)
		return;
	for (i = 0; i < ss->inv.n; i++) {
		r = ss->inv.v[i];
		if ((hsku && strcmp(ss_str(r->obj, "sku"), sku) != 0) ||
		    (hwh && strcmp(ss_str(r->obj, "inventory_warehouse_id"),
		    wh) != 0) ||
		    (hloc && strcmp(ss_str(r->obj, "inventory_location_id"),
		    loc) != 0))
			continue;
		v[n++] = r;
	}
	/* One warehouse with one location: both groupings are the rows. */
	page_v2(ss, v, n, page, size, "inventory", inv_view, "/v2/inventory",
	    q, resp);
	free(v);
}

static void
post_inv(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	json_t		*b = ss_json_body(req);
	const char	*type = ss_str(b, "transaction_type");
	const char	*sku = ss_str(b, "sku");
	const char	*loc = ss_str(b, "inventory_location_id");
	const char	*nloc = ss_str(b, "new_inventory_location_id");
	int64_t		 qty = ss_int(b, "quantity", -1), on;
	struct ss_rec	*r;

	if (loc == NULL)
		loc = LOCATION_V2;
	if (type == NULL || sku == NULL || qty < 0 ||
	    (strcmp(type, "increment") != 0 && strcmp(type, "decrement") != 0 &&
	    strcmp(type, "adjust") != 0 && strcmp(type, "modify") != 0)) {
		ss_v2_error(resp, 400, "validation", "invalid_field_value",
		    "transaction_type (increment, decrement, adjust, modify), "
		    "sku and a non-negative quantity are required.");
		goto out;
	}
	if ((r = inv_row(ss, sku, loc)) == NULL &&
	    (strcmp(type, "decrement") == 0 || strcmp(type, "modify") == 0)) {
		ss_v2_error(resp, 404, "validation", "not_found",
		    "No inventory for this sku at this location.");
		goto out;
	}
	if (r == NULL && (r = inv_add(ss, sku, loc)) == NULL) {
		ss_v2_error(resp, 500, "system", "unspecified",
		    "Out of memory.");
		goto out;
	}
	on = ss_int(r->obj, "on_hand", 0);
	if (strcmp(type, "increment") == 0)
		inv_set(r, on + qty);
	else if (strcmp(type, "decrement") == 0) {
		if (qty > on) {
			ss_v2_error(resp, 400, "business_rules",
			    "invalid_field_value", "Cannot decrement below "
			    "zero.");
			goto out;
		}
		inv_set(r, on - qty);
	} else if (strcmp(type, "adjust") == 0)
		inv_set(r, qty);
	else if (nloc != NULL)
		(void)json_object_set_new(r->obj, "inventory_location_id",
		    json_string(nloc));
	if (json_is_object(json_object_get(b, "cost")))
		(void)json_object_set_new(r->obj, "average_cost",
		    ss_copy(b, "cost"));
	/* Answer body is not documented in the reference; none. */
	sb_resp_text(resp, 204, NULL, "");
out:
	json_decref(b);
}

/* Environment webhooks ----------------------------------------------- */

static struct ss_rec *
hook2(struct ss *ss, const char *path)
{
	struct ss_rec	*r;

	r = ss_tab_get(&ss->hooks2, se_id(path +
	    strlen("/v2/environment/webhooks/")));
	return r != NULL && !(r->flags & SS_F_DELETED) ? r : NULL;
}

static int
hook2_valid(const json_t *b, int partial, struct sb_resp *resp)
{
	const char	*url = ss_str(b, "url"), *ev = ss_str(b, "event");
	json_t		*h = json_object_get(b, "headers");

	if (!json_is_object(b))
		goto bad;
	if ((!partial || url != NULL) && (url == NULL ||
	    (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) || strlen(url) >= SB_URL_MAX))
		goto bad;
	if ((!partial || ev != NULL) && (ev == NULL || !hook_v2_event_ok(ev)))
		goto bad;
	if (h != NULL && !json_is_array(h) && !json_is_null(h))
		goto bad;
	return 0;
bad:
	ss_v2_error(resp, 400, "validation", "invalid_field_value",
	    "url (absolute http or https), a known event and optional "
	    "headers [{key, value}] are required.");
	return -1;
}

static void
webhooks(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*m = req->method, *p = req->path;
	struct ss_rec	*r;
	json_t		*b = NULL, *a;
	char		 id[32], store[32];
	size_t		 i;

	if (strcmp(p, "/v2/environment/webhooks") == 0) {
		if (strcmp(m, "GET") == 0) {
			a = json_array();
			for (i = 0; i < ss->hooks2.n; i++)
				if (!(ss->hooks2.v[i]->flags & SS_F_DELETED))
					(void)json_array_append(a,
					    ss->hooks2.v[i]->obj);
			sb_resp_json(resp, 200, a);
			return;
		}
		if (strcmp(m, "POST") != 0)
			goto method;
		b = ss_json_body(req);
		if (hook2_valid(b, 0, resp) == -1)
			goto out;
		for (i = 0; i < ss->hooks2.n; i++) {
			r = ss->hooks2.v[i];
			if (!(r->flags & SS_F_DELETED) &&
			    strcmp(ss_str(r->obj, "url"), ss_str(b, "url")) ==
			    0 && strcmp(ss_str(r->obj, "event"),
			    ss_str(b, "event")) == 0) {
				ss_v2_error(resp, 409, "validation",
				    "invalid_field_value", "A webhook for "
				    "this event and url already exists.");
				goto out;
			}
		}
		(void)snprintf(id, sizeof(id), "se-%lld",
		    (long long)ss->hooks2.next);
		store[0] = '\0';
		if (json_is_integer(json_object_get(b, "store_id")))
			(void)snprintf(store, sizeof(store), "se-%lld",
			    (long long)ss_int(b, "store_id", 0));
		else if (ss_str(b, "store_id") != NULL)
			(void)snprintf(store, sizeof(store), "se-%lld",
			    (long long)se_id(ss_str(b, "store_id")));
		r = ss_tab_add(&ss->hooks2, json_pack("{s:s, s:O, s:O, s:o, "
		    "s:O?, s:s?}", "webhook_id", id, "url",
		    json_object_get(b, "url"), "event", json_object_get(b,
		    "event"), "headers", json_is_array(json_object_get(b,
		    "headers")) ? ss_copy(b, "headers") : json_array(),
		    "name", json_object_get(b, "name"), "store_id",
		    store[0] != '\0' ? store : NULL));
		if (r == NULL)
			ss_v2_error(resp, 500, "system", "unspecified",
			    "Out of memory.");
		else
			sb_resp_json(resp, 201, json_incref(r->obj));
		goto out;
	}
	if ((r = hook2(ss, p)) == NULL) {
		ss_v2_error(resp, 404, "validation", "not_found",
		    "Webhook not found.");
		return;
	}
	if (strcmp(m, "GET") == 0)
		sb_resp_json(resp, 200, json_incref(r->obj));
	else if (strcmp(m, "DELETE") == 0) {
		r->flags |= SS_F_DELETED;
		sb_resp_text(resp, 204, NULL, "");
	} else if (strcmp(m, "PUT") == 0) {
		b = ss_json_body(req);
		if (hook2_valid(b, 1, resp) == -1)
			goto out;
		if (ss_str(b, "url") != NULL)
			(void)json_object_set(r->obj, "url",
			    json_object_get(b, "url"));
		if (ss_str(b, "name") != NULL)
			(void)json_object_set(r->obj, "name",
			    json_object_get(b, "name"));
		if (json_is_array(json_object_get(b, "headers")))
			(void)json_object_set_new(r->obj, "headers",
			    ss_copy(b, "headers"));
		sb_resp_text(resp, 204, NULL, "");
	} else
		goto method;
out:
	json_decref(b);
	return;
method:
	ss_v2_error(resp, 405, "validation", "invalid_method",
	    "Method not allowed.");
	json_decref(b);
}

int
ssv2_handle(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*p = req->path, *m = req->method;
	struct ss_rec	*r;
	int		 get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;

	if (ss_prefix(p, "/v2/shipments"))
		return shipments(ss, req, resp);
	if (strcmp(p, "/v2/fulfillments") == 0) {
		if (get)
			list_fuls(ss, req->query, resp);
		else if (strcmp(m, "POST") == 0)
			create_fuls(ss, req, resp);
		else
			return 0;
		return 1;
	}
	if (strcmp(p, "/v2/labels") == 0 && get) {
		list_labels(ss, req->query, resp);
		return 1;
	}
	if (ss_prefix(p, "/v2/labels/") && get) {
		r = ss_tab_get(&ss->ships, se_id(p + strlen("/v2/labels/")));
		if (r == NULL)
			ss_v2_error(resp, 404, "validation", "not_found",
			    "Label not found.");
		else
			sb_resp_json(resp, 200, ssship_label_v2(r));
		return 1;
	}
	if (strcmp(p, "/v2/products") == 0 && get) {
		list_prods(ss, req->query, resp);
		return 1;
	}
	if (ss_prefix(p, "/v2/products/") && get) {
		r = ss_tab_get(&ss->prods, se_id(p + strlen("/v2/products/")));
		if (r == NULL)
			ss_v2_error(resp, 404, "validation", "not_found",
			    "Product not found.");
		else
			sb_resp_json(resp, 200, prod_view(ss, r));
		return 1;
	}
	if (strcmp(p, "/v2/inventory") == 0) {
		if (get)
			list_inv(ss, req->query, resp);
		else if (strcmp(m, "POST") == 0)
			post_inv(ss, req, resp);
		else
			return 0;
		return 1;
	}
	if (ss_prefix(p, "/v2/environment/webhooks")) {
		webhooks(ss, req, resp);
		return 1;
	}
	return 0;
}
