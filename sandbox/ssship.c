/*
 * Labels (V1 "shipments", V2 "labels", §2.5) and fulfillments (§2.6):
 * createlabelfororder, createlabel, voidlabel, markasshipped and the
 * two lists. A label fires SHIP_NOTIFY and label_created_v2; a
 * fulfillment fires FULFILLMENT_SHIPPED and fulfillment_shipped_v2.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

#define SANDBOX_USER	"3c16cdda-7b3e-4b22-9f4a-5a1cf1e0d001"
/* A tiny PDF, base64: what labelData carries. */
#define LABEL_PDF	"JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9n" \
			"Pj4KZW5kb2JqCnRyYWlsZXIKPDwvUm9vdCAxIDAgUj4+CiUlRU9GCg=="

static json_t *
ship_items(const json_t *order, const json_t *want)
{
	json_t		*out = json_array(), *it, *w, *c;
	size_t		 i, j;
	int64_t		 q;
	int		 found;

	json_array_foreach(json_object_get(order, "items"), i, it) {
		if (json_is_true(json_object_get(it, "adjustment")))
			continue;
		q = ss_int(it, "quantity", 1);
		if (json_is_array(want)) {
			found = 0;
			json_array_foreach(want, j, w)
				if (!found && ss_int(w, "orderItemId", -1) ==
				    ss_int(it, "orderItemId", 0)) {
					found = 1;
					q = ss_int(w, "quantity", q);
				}
			if (!found)
				continue;
		}
		c = json_deep_copy(it);
		(void)json_object_set_new(c, "quantity", json_integer(q));
		(void)json_array_append_new(out, c);
	}
	return out;
}

struct ss_rec *
ssship_label(struct ss *ss, struct ss_rec *order, const json_t *a,
    int64_t batch, struct sb_resp *resp)
{
	struct ss_rec	*r;
	json_t		*o, *oo = order != NULL ? order->obj : NULL;
	const char	*carrier = ss_str(a, "carrierCode");
	const char	*service = ss_str(a, "serviceCode");
	int64_t		 now = sb_now_ms(), ship = now, store;
	char		 track[32], bn[32], q1[256], q2[128];
	int		 ret = json_is_true(json_object_get(a, "isReturnLabel"));

	if (carrier == NULL || service == NULL) {
		ss_v1_invalid(resp, carrier == NULL ? "request.carrierCode" :
		    "request.serviceCode", carrier == NULL ?
		    "The carrierCode field is required." :
		    "The serviceCode field is required.");
		return NULL;
	}
	if (order != NULL && strcmp(ss_str(oo, "orderStatus"),
	    "cancelled") == 0) {
		ss_v1_invalid(resp, "request.orderId", "Cannot create a label "
		    "for a cancelled order.");
		return NULL;
	}
	if (ss_str(a, "shipDate") != NULL &&
	    tz_parse_v1(ss_str(a, "shipDate"), &ship) == -1) {
		ss_v1_invalid(resp, "request.shipDate", "Could not convert "
		    "string to DateTime.");
		return NULL;
	}
	if (batch == 0)
		batch = ss->next_batch++;
	store = order != NULL ? order->store : SS_STORE_MANUAL;
	(void)snprintf(track, sizeof(track), "9400111899%012lld",
	    (long long)(ss->ships.next % 1000000000000LL));
	(void)snprintf(bn, sizeof(bn), "%lld", (long long)batch);
	o = json_object();
	(void)json_object_set_new(o, "shipmentId", json_integer(
	    ss->ships.next));
	(void)json_object_set_new(o, "orderId", order != NULL ?
	    json_integer(order->id) : json_null());
	(void)json_object_set_new(o, "orderKey", ss_copy(oo, "orderKey"));
	(void)json_object_set_new(o, "userId", json_string(SANDBOX_USER));
	(void)json_object_set_new(o, "customerEmail", ss_copy(oo,
	    "customerEmail"));
	(void)json_object_set_new(o, "orderNumber", ss_copy(oo,
	    "orderNumber"));
	(void)json_object_set_new(o, "createDate", ss_v1_time(now, 7));
	(void)json_object_set_new(o, "shipDate", ss_v1_date(ship));
	(void)json_object_set_new(o, "shipmentCost", json_real(7.85));
	(void)json_object_set_new(o, "insuranceCost", json_real(0.0));
	(void)json_object_set_new(o, "trackingNumber", json_string(track));
	(void)json_object_set_new(o, "isReturnLabel", json_boolean(ret));
	(void)json_object_set_new(o, "batchNumber", json_string(bn));
	(void)json_object_set_new(o, "carrierCode", json_string(carrier));
	(void)json_object_set_new(o, "serviceCode", json_string(service));
	(void)json_object_set_new(o, "packageCode", json_string(
	    ss_str(a, "packageCode") ? ss_str(a, "packageCode") : "package"));
	(void)json_object_set_new(o, "confirmation", json_string(
	    ss_str(a, "confirmation") ? ss_str(a, "confirmation") : "none"));
	(void)json_object_set_new(o, "warehouseId", json_integer(
	    SS_WAREHOUSE));
	(void)json_object_set_new(o, "voided", json_false());
	(void)json_object_set_new(o, "voidDate", json_null());
	(void)json_object_set_new(o, "marketplaceNotified", json_true());
	(void)json_object_set_new(o, "notifyErrorMessage", json_null());
	(void)json_object_set_new(o, "shipTo", json_object_get(a, "shipTo") ?
	    ss_copy(a, "shipTo") : ss_copy(oo, "shipTo"));
	(void)json_object_set_new(o, "weight", json_object_get(a, "weight") ?
	    ss_copy(a, "weight") : ss_copy(oo, "weight"));
	(void)json_object_set_new(o, "dimensions", ss_copy(a, "dimensions"));
	(void)json_object_set_new(o, "insuranceOptions", json_pack(
	    "{s:n, s:b, s:f}", "provider", "insureShipment", 0,
	    "insuredValue", 0.0));
	(void)json_object_set_new(o, "advancedOptions", json_pack(
	    "{s:n, s:n, s:n, s:n, s:I}", "billToParty", "billToAccount",
	    "billToPostalCode", "billToCountryCode", "storeId",
	    (json_int_t)store));
	(void)json_object_set_new(o, "shipmentItems", order != NULL ?
	    ship_items(oo, json_object_get(a, "shipmentItems")) :
	    json_array());
	(void)json_object_set_new(o, "labelData", json_null());
	(void)json_object_set_new(o, "formData", json_null());
	if ((r = ss_tab_add(&ss->ships, o)) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return NULL;
	}
	r->t[SS_T_CREATE] = now;
	r->t[SS_T_SHIP] = ship;
	r->ref = order != NULL ? order->id : 0;
	r->batch = batch;
	r->store = store;
	if (order != NULL && !ret)
		ssorder_shipped(ss, order, ship);
	(void)snprintf(q1, sizeof(q1), "/shipments?storeID=%lld&batchId=%lld"
	    "&includeShipmentItems=False", (long long)store, (long long)batch);
	(void)snprintf(q2, sizeof(q2), "/v2/labels?batch_id=se-%lld",
	    (long long)batch);
	hook_fire(ss, HOOK_SHIP, store, q1, q2);
	return r;
}

struct ss_rec *
ssship_fulfill(struct ss *ss, struct ss_rec *order, const json_t *a,
    struct sb_resp *resp)
{
	struct ss_rec	*r;
	json_t		*o, *oo = order->obj;
	int64_t		 now = sb_now_ms(), ship = now;
	char		 q1[256], q2[128];

	if (strcmp(ss_str(oo, "orderStatus"), "cancelled") == 0) {
		ss_v1_invalid(resp, "request.orderId", "Cannot mark a "
		    "cancelled order as shipped.");
		return NULL;
	}
	if (ss_str(a, "shipDate") != NULL &&
	    tz_parse_v1(ss_str(a, "shipDate"), &ship) == -1) {
		ss_v1_invalid(resp, "request.shipDate", "Could not convert "
		    "string to DateTime.");
		return NULL;
	}
	/* A fulfillment's shipDate is a midnight with 7 digits (§2.6). */
	{
		char	 d[TZ_BUFSZ];

		tz_fmt_date(ship, d, sizeof(d));
		(void)tz_parse_v1(d, &ship);
	}
	o = json_object();
	(void)json_object_set_new(o, "fulfillmentId", json_integer(
	    ss->fuls.next));
	(void)json_object_set_new(o, "orderId", json_integer(order->id));
	(void)json_object_set_new(o, "orderNumber", ss_copy(oo,
	    "orderNumber"));
	(void)json_object_set_new(o, "userId", json_string(SANDBOX_USER));
	(void)json_object_set_new(o, "customerEmail", ss_copy(oo,
	    "customerEmail"));
	(void)json_object_set_new(o, "trackingNumber", json_string(
	    ss_str(a, "trackingNumber") ? ss_str(a, "trackingNumber") : ""));
	(void)json_object_set_new(o, "createDate", ss_v1_time(now, 7));
	(void)json_object_set_new(o, "shipDate", ss_v1_time(ship, 7));
	(void)json_object_set_new(o, "voidDate", json_null());
	(void)json_object_set_new(o, "deliveryDate", json_null());
	(void)json_object_set_new(o, "carrierCode", ss_copy(a,
	    "carrierCode"));
	(void)json_object_set_new(o, "sellerFillProviderId", json_null());
	(void)json_object_set_new(o, "sellerFillProviderName", json_null());
	(void)json_object_set_new(o, "fulfillmentServiceCode", json_null());
	(void)json_object_set_new(o, "fulfillmentProviderCode", json_null());
	(void)json_object_set_new(o, "fulfillmentFee", json_real(0.0));
	(void)json_object_set_new(o, "voidRequested", json_false());
	(void)json_object_set_new(o, "voided", json_false());
	(void)json_object_set_new(o, "marketplaceNotified", json_boolean(
	    json_is_true(json_object_get(a, "notifySalesChannel"))));
	(void)json_object_set_new(o, "notifyErrorMessage", json_null());
	(void)json_object_set_new(o, "shipTo", ss_copy(oo, "shipTo"));
	if ((r = ss_tab_add(&ss->fuls, o)) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return NULL;
	}
	r->t[SS_T_CREATE] = now;
	r->t[SS_T_SHIP] = ship;
	r->ref = order->id;
	r->store = order->store;
	ssorder_shipped(ss, order, ship);
	(void)snprintf(q1, sizeof(q1), "/fulfillments?storeID=%lld&"
	    "fulfillmentId=%lld", (long long)r->store, (long long)r->id);
	(void)snprintf(q2, sizeof(q2), "/v2/fulfillments?fulfillment_id=se-%lld",
	    (long long)r->id);
	hook_fire(ss, HOOK_FULFILLED, r->store, q1, q2);
	return r;
}

json_t *
ssship_v1(const struct ss *ss, const struct ss_rec *r, int items)
{
	json_t	*c;

	(void)ss;
	if (items)
		return json_incref(r->obj);
	c = json_copy(r->obj);
	(void)json_object_set_new(c, "shipmentItems", json_null());
	return c;
}

static int
time_ranges(const char *q, const char *const names[][2],
    const enum ss_time *keys, size_t n, const struct ss_rec *r,
    int64_t *bounds, int parse, struct sb_resp *resp)
{
	size_t	 k;
	int64_t	 t;
	int	 h;

	for (k = 0; k < n; k++) {
		if (parse) {
			bounds[2 * k] = INT64_MIN;
			bounds[2 * k + 1] = INT64_MAX;
			if ((h = ss_qtime(q, names[k][0], 0, &t)) == 1)
				bounds[2 * k] = t;
			if (h != -1 && (h = ss_qtime(q, names[k][1], 0,
			    &t)) == 1)
				bounds[2 * k + 1] = t;
			if (h == -1) {
				ss_v1_invalid(resp, names[k][0],
				    "The value is not valid for DateTime.");
				return -1;
			}
			continue;
		}
		t = r->t[keys[k]];
		if ((bounds[2 * k] != INT64_MIN ||
		    bounds[2 * k + 1] != INT64_MAX) &&
		    (t == 0 || t < bounds[2 * k] || t > bounds[2 * k + 1]))
			return 0;
	}
	return 1;
}

static const char *const ship_ranges[][2] = {
	{ "createDateStart", "createDateEnd" },
	{ "shipDateStart", "shipDateEnd" },
	{ "voidDateStart", "voidDateEnd" },
};
static const enum ss_time ship_keys[] = { SS_T_CREATE, SS_T_SHIP, SS_T_VOID };

static int
sq(const char *q, const char *name, char *buf, size_t sz)
{
	return ss_qstr(q, name, buf, sz) == 1;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && strcasecmp(a, b) == 0;
}

static void
sort_of(const char *q, int *key, int *desc, int def)
{
	char	 b[32];

	*key = def;
	*desc = 0;
	if (sq(q, "sortBy", b, sizeof(b))) {
		if (strcasecmp(b, "ShipDate") == 0)
			*key = SS_T_SHIP;
		else if (strcasecmp(b, "CreateDate") == 0)
			*key = SS_T_CREATE;
	}
	if (sq(q, "sortDir", b, sizeof(b)))
		*desc = strcasecmp(b, "DESC") == 0;
}

/* Slice a page out of v and answer it in the V1 envelope. */
static void
page_out(struct ss *ss, struct ss_rec **v, size_t n, int64_t page,
    int64_t size, const char *coll, int items, struct sb_resp *resp)
{
	json_t	*out = json_array();
	size_t	 i, from = (size_t)((page - 1) * size), to;

	to = from + (size_t)size;
	if (from > n)
		from = n;
	if (to > n)
		to = n;
	for (i = from; i < to; i++)
		(void)json_array_append_new(out, strcmp(coll, "shipments") ==
		    0 ? ssship_v1(ss, v[i], items) : json_incref(v[i]->obj));
	sb_resp_json(resp, 200, ss_v1_envelope(coll, out, (int64_t)n, page,
	    ((int64_t)n + size - 1) / size));
}

static void
list_ships(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v = NULL, *r;
	int64_t		  b[6], oid = 0, store = 0, batch = 0, page, size;
	char		  rn[256], cc[16], on[256], car[64], svc[64], tn[64];
	int		  h_oid, h_store, h_batch, items = 0, key, desc;
	int		  hrn, hcc, hon, hcar, hsvc, htn;
	size_t		  i, n = 0;

	if (time_ranges(q, ship_ranges, ship_keys, 3, NULL, b, 1, resp) == -1 ||
	    ss_paging(q, 0, &page, &size, resp) == -1)
		return;
	if ((h_oid = ss_qint(q, "orderId", &oid)) == -1 ||
	    (h_store = ss_qint(q, "storeId", &store)) == -1 ||
	    (h_batch = ss_qint(q, "batchId", &batch)) == -1 ||
	    ss_qbool(q, "includeShipmentItems", &items) == -1) {
		ss_v1_invalid(resp, "request", "The request is invalid.");
		return;
	}
	hrn = sq(q, "recipientName", rn, sizeof(rn));
	hcc = sq(q, "recipientCountryCode", cc, sizeof(cc));
	hon = sq(q, "orderNumber", on, sizeof(on));
	hcar = sq(q, "carrierCode", car, sizeof(car));
	hsvc = sq(q, "serviceCode", svc, sizeof(svc));
	htn = sq(q, "trackingNumber", tn, sizeof(tn));
	sort_of(q, &key, &desc, SS_T_CREATE);
	if (ss->ships.n > 0 && (v = calloc(ss->ships.n, sizeof(*v))) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	for (i = 0; i < ss->ships.n; i++) {
		r = ss->ships.v[i];
		if (!time_ranges(q, ship_ranges, ship_keys, 3, r, b, 0, resp))
			continue;
		if ((h_oid == 1 && r->ref != oid) ||
		    (h_store == 1 && r->store != store) ||
		    (h_batch == 1 && r->batch != batch))
			continue;
		if ((hrn && !ss_icontains(ss_str(json_object_get(r->obj,
		    "shipTo"), "name"), rn)) ||
		    (hcc && !streq(ss_str(json_object_get(r->obj, "shipTo"),
		    "country"), cc)) ||
		    (hon && !streq(ss_str(r->obj, "orderNumber"), on)) ||
		    (hcar && !streq(ss_str(r->obj, "carrierCode"), car)) ||
		    (hsvc && !streq(ss_str(r->obj, "serviceCode"), svc)) ||
		    (htn && !streq(ss_str(r->obj, "trackingNumber"), tn)))
			continue;
		v[n++] = r;
	}
	ss_sort(v, n, key, desc);
	page_out(ss, v, n, page, size, "shipments", items, resp);
	free(v);
}

static const char *const ful_ranges[][2] = {
	{ "createDateStart", "createDateEnd" },
	{ "shipDateStart", "shipDateEnd" },
};
static const enum ss_time ful_keys[] = { SS_T_CREATE, SS_T_SHIP };

static void
list_fuls(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v = NULL, *r;
	int64_t		  b[4], fid = 0, oid = 0, page, size;
	char		  rn[256], on[256], tn[64];
	int		  h_fid, h_oid, hrn, hon, htn, key, desc;
	size_t		  i, n = 0;

	if (time_ranges(q, ful_ranges, ful_keys, 2, NULL, b, 1, resp) == -1 ||
	    ss_paging(q, 0, &page, &size, resp) == -1)
		return;
	if ((h_fid = ss_qint(q, "fulfillmentId", &fid)) == -1 ||
	    (h_oid = ss_qint(q, "orderId", &oid)) == -1) {
		ss_v1_invalid(resp, "request", "The request is invalid.");
		return;
	}
	hrn = sq(q, "recipientName", rn, sizeof(rn));
	hon = sq(q, "orderNumber", on, sizeof(on));
	htn = sq(q, "trackingNumber", tn, sizeof(tn));
	sort_of(q, &key, &desc, SS_T_CREATE);
	if (ss->fuls.n > 0 && (v = calloc(ss->fuls.n, sizeof(*v))) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	for (i = 0; i < ss->fuls.n; i++) {
		r = ss->fuls.v[i];
		if (!time_ranges(q, ful_ranges, ful_keys, 2, r, b, 0, resp))
			continue;
		if ((h_fid == 1 && r->id != fid) || (h_oid == 1 &&
		    r->ref != oid))
			continue;
		if ((hrn && !ss_icontains(ss_str(json_object_get(r->obj,
		    "shipTo"), "name"), rn)) ||
		    (hon && !streq(ss_str(r->obj, "orderNumber"), on)) ||
		    (htn && !streq(ss_str(r->obj, "trackingNumber"), tn)))
			continue;
		v[n++] = r;
	}
	ss_sort(v, n, key, desc);
	page_out(ss, v, n, page, size, "fulfillments", 1, resp);
	free(v);
}

int
ssship_handle(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*p = req->path;
	struct ss_rec	*o = NULL, *r;
	json_t		*b, *out;
	int		 get = strcmp(req->method, "GET") == 0 ||
			    strcmp(req->method, "HEAD") == 0;
	char		 msg[128];

	if (strcmp(p, "/shipments") == 0 || strcmp(p, "/fulfillments") == 0) {
		if (!get)
			goto method;
		if (p[1] == 's')
			list_ships(ss, req->query, resp);
		else
			list_fuls(ss, req->query, resp);
		return 1;
	}
	if (strcmp(p, "/orders/createlabelfororder") != 0 &&
	    strcmp(p, "/orders/markasshipped") != 0 &&
	    strcmp(p, "/shipments/createlabel") != 0 &&
	    strcmp(p, "/shipments/voidlabel") != 0)
		return 0;
	if (strcmp(req->method, "POST") != 0)
		goto method;
	b = ss_json_body(req);
	if (!json_is_object(b)) {
		ss_v1_invalid(resp, "request", "The request body must be a "
		    "JSON object.");
		json_decref(b);
		return 1;
	}
	if (strcmp(p, "/shipments/voidlabel") == 0) {
		r = ss_tab_get(&ss->ships, ss_int(b, "shipmentId", 0));
		if (r == NULL)
			ss_v1_error(resp, 404, "The requested shipment could "
			    "not be found.");
		else if (r->flags & SS_F_VOIDED)
			sb_resp_json(resp, 200, json_pack("{s:b, s:s}",
			    "approved", 0, "message",
			    "Label has already been voided."));
		else {
			r->flags |= SS_F_VOIDED;
			r->t[SS_T_VOID] = sb_now_ms();
			(void)json_object_set_new(r->obj, "voided", json_true());
			(void)json_object_set_new(r->obj, "voidDate",
			    ss_v1_time(r->t[SS_T_VOID], 7));
			sb_resp_json(resp, 200, json_pack("{s:b, s:s}",
			    "approved", 1, "message",
			    "Label voided successfully"));
		}
		json_decref(b);
		return 1;
	}
	if (strcmp(p, "/shipments/createlabel") != 0) {
		o = ss_tab_get(&ss->orders, ss_int(b, "orderId", 0));
		if (o == NULL || (o->flags & SS_F_DELETED)) {
			ss_v1_error(resp, 404, "The requested order could not "
			    "be found.");
			json_decref(b);
			return 1;
		}
	}
	if (strcmp(p, "/orders/markasshipped") == 0) {
		if (ssship_fulfill(ss, o, b, resp) != NULL)
			sb_resp_json(resp, 200, json_pack("{s:I, s:O}",
			    "orderId", (json_int_t)o->id, "orderNumber",
			    json_object_get(o->obj, "orderNumber")));
	} else if ((r = ssship_label(ss, o, b, 0, resp)) != NULL) {
		out = json_deep_copy(r->obj);
		(void)json_object_set_new(out, "labelData",
		    json_string(LABEL_PDF));
		sb_resp_json(resp, 200, out);
	}
	json_decref(b);
	return 1;
method:
	(void)snprintf(msg, sizeof(msg), "The requested resource does not "
	    "support http method '%s'.", req->method);
	ss_v1_error(resp, 405, msg);
	return 1;
}

/* V2 views ---------------------------------------------------------- */

json_t *
ssship_label_v2(const struct ss_rec *r)
{
	json_t	*o = r->obj;
	char	 id[32], sid[32], bid[32], href[128];

	(void)snprintf(id, sizeof(id), "se-%lld", (long long)r->id);
	(void)snprintf(sid, sizeof(sid), "se-%lld", (long long)r->ref);
	(void)snprintf(bid, sizeof(bid), "se-%lld", (long long)r->batch);
	(void)snprintf(href, sizeof(href),
	    "https://api.shipstation.com/v2/downloads/10/%s/label.pdf", id);
	return json_pack("{s:s, s:s, s:s?, s:O?, s:o, s:o, s:{s:s, s:O}, "
	    "s:{s:s, s:f}, s:O, s:O, s:b, s:s, s:s, s:O, s:O, s:b, s:o, "
	    "s:s, s:s, s:s, s:b, s:{s:s, s:s}}",
	    "label_id", id,
	    "status", (r->flags & SS_F_VOIDED) ? "voided" : "completed",
	    "shipment_id", r->ref != 0 ? sid : NULL,
	    "external_shipment_id", json_object_get(o, "orderKey"),
	    "ship_date", ss_v2_date(r->t[SS_T_SHIP]),
	    "created_at", ss_v2_time(r->t[SS_T_CREATE]),
	    "shipment_cost", "currency", "usd", "amount",
	    json_object_get(o, "shipmentCost"),
	    "insurance_cost", "currency", "usd", "amount", 0.0,
	    "tracking_number", json_object_get(o, "trackingNumber"),
	    "is_return_label", json_object_get(o, "isReturnLabel"),
	    "is_international", 0,
	    "batch_id", bid,
	    "carrier_id", "se-100001",
	    "service_code", json_object_get(o, "serviceCode"),
	    "package_code", json_object_get(o, "packageCode"),
	    "voided", (r->flags & SS_F_VOIDED) != 0,
	    "voided_at", ss_v2_time(r->t[SS_T_VOID]),
	    "label_format", "pdf",
	    "display_scheme", "label",
	    "label_layout", "4x6",
	    "trackable", 1,
	    "label_download", "href", href, "pdf", href);
}

json_t *
ssship_ful_v2(const struct ss *ss, const struct ss_rec *r)
{
	json_t		*o = r->obj, *ship, *sv;
	const struct ss_rec *order = ss_tab_get(&ss->orders, r->ref);
	char		 id[32], sid[32];

	(void)snprintf(id, sizeof(id), "se-%lld", (long long)r->id);
	(void)snprintf(sid, sizeof(sid), "se-%lld", (long long)r->ref);
	sv = order != NULL ? ssorder_v2(ss, order) : NULL;
	ship = json_object_get(sv, "ship_to");
	if (ship != NULL)
		ship = json_incref(ship);
	json_decref(sv);
	o = json_pack("{s:s, s:s, s:O?, s:s, s:O, s:o, s:o, s:n, s:n, s:O?, "
	    "s:n, s:n, s:{s:s, s:f}, s:b, s:b, s:O, s:n, s:o}",
	    "fulfillment_id", id,
	    "shipment_id", sid,
	    "shipment_number", json_object_get(o, "orderNumber"),
	    "user_id", SANDBOX_USER,
	    "tracking_number", json_object_get(o, "trackingNumber"),
	    "created_at", ss_v2_time(r->t[SS_T_CREATE]),
	    "ship_date", ss_v2_date(r->t[SS_T_SHIP]),
	    "voided_at",
	    "delivered_at",
	    "carrier_code", json_object_get(o, "carrierCode"),
	    "fulfillment_provider_code",
	    "fulfillment_service_code",
	    "fulfillment_fee", "currency", "usd", "amount", 0.0,
	    "void_requested", 0,
	    "voided", 0,
	    "order_source_notified", json_object_get(o, "marketplaceNotified"),
	    "notification_error_message",
	    "ship_to", ship != NULL ? ship : json_null());
	return o;
}
