/*
 * ShipStation V1 orders (reference §2.1-§2.4): list with filters,
 * get, createorder as an upsert on orderKey that replaces the whole
 * order and refuses shipped and cancelled ones, createorders, delete,
 * hold, restore, and the shipping actions that live under /orders.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

static const char *const statuses[] = {
	"awaiting_payment", "awaiting_shipment", "pending_fulfillment",
	"shipped", "on_hold", "cancelled", "rejected_fulfillment",
};

static const char *const addr_keys[] = {
	"name", "company", "street1", "street2", "street3", "city", "state",
	"postalCode", "country", "phone", "residential", "addressVerified",
};

static const char *const adv_keys[] = {
	"warehouseId", "nonMachinable", "saturdayDelivery", "containsAlcohol",
	"mergedOrSplit", "mergedIds", "parentId", "storeId", "customField1",
	"customField2", "customField3", "source", "billToParty",
	"billToAccount", "billToPostalCode", "billToCountryCode",
	"billToMyOtherAccount",
};

/* A rejected field: which ModelState key and what it says. */
struct bad {
	char	 key[64];
	char	 msg[256];
};

static int
status_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(statuses) / sizeof(statuses[0]);
	    i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

static const char *
status_of(const struct ss_rec *o)
{
	const char	*s = ss_str(o->obj, "orderStatus");

	return s != NULL ? s : "";
}

static int
locked(const struct ss_rec *o)
{
	return strcmp(status_of(o), "shipped") == 0 ||
	    strcmp(status_of(o), "cancelled") == 0;
}

struct ss_rec *
ssorder_by_key(struct ss *ss, const char *key)
{
	const char	*k;
	size_t		 i;

	for (i = ss->orders.n; i > 0; i--) {
		k = ss_str(ss->orders.v[i - 1]->obj, "orderKey");
		if (k != NULL && strcmp(k, key) == 0)
			return ss->orders.v[i - 1];
	}
	return NULL;
}

void
ssorder_touch(struct ss_rec *o)
{
	int64_t	 now = sb_now_ms();

	/* modifyDate moves on every mutation, and only forward. */
	if (now <= o->t[SS_T_MODIFY])
		now = o->t[SS_T_MODIFY] + 1;
	o->t[SS_T_MODIFY] = now;
	(void)json_object_set_new(o->obj, "modifyDate", ss_v1_time(now, 7));
	ss_rec_dirty(o);
}

void
ssorder_shipped(struct ss *ss, struct ss_rec *o, int64_t ship)
{
	if (strcmp(status_of(o), "on_hold") == 0 && ss->nheld > 0)
		ss->nheld--;
	(void)json_object_set_new(o->obj, "orderStatus", json_string("shipped"));
	(void)json_object_set_new(o->obj, "shipDate", ss_v1_date(ship));
	(void)json_object_set_new(o->obj, "holdUntilDate", json_null());
	ssorder_touch(o);
}

/* A V1 date-time field: absent/null stays null; a bad one is refused. */
static int
in_time(const json_t *in, const char *key, int64_t *ms, struct bad *bad)
{
	json_t		*v = json_object_get(in, key);

	*ms = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || tz_parse_v1(json_string_value(v), ms) == -1) {
		(void)snprintf(bad->key, sizeof(bad->key), "apiOrder.%s", key);
		(void)snprintf(bad->msg, sizeof(bad->msg), "Could not convert "
		    "string to DateTime: %.100s.", json_is_string(v) ?
		    json_string_value(v) : "(not a string)");
		return -1;
	}
	return 0;
}

static json_t *
address(const json_t *in, int ship)
{
	json_t	*a = json_object(), *v;
	size_t	 i;

	for (i = 0; i < sizeof(addr_keys) / sizeof(addr_keys[0]); i++) {
		v = json_object_get(in, addr_keys[i]);
		(void)json_object_set_new(a, addr_keys[i], v != NULL ?
		    json_deep_copy(v) : json_null());
	}
	if (ship && json_is_null(json_object_get(a, "addressVerified")))
		(void)json_object_set_new(a, "addressVerified",
		    json_string("Address not yet validated"));
	return a;
}

static json_t *
weight(const json_t *in)
{
	const char	*u;
	int		 wu = 1;

	if (!json_is_object(in))
		return json_null();
	u = ss_str(in, "units");
	if (u != NULL && strcasecmp(u, "pounds") == 0)
		wu = 2;
	else if (u != NULL && strcasecmp(u, "grams") == 0)
		wu = 3;
	return json_pack("{s:O?, s:s, s:i}", "value",
	    json_object_get(in, "value"), "units", u != NULL ? u : "ounces",
	    "WeightUnits", wu);
}

static json_t *
num(const json_t *in, const char *key, int nullable)
{
	json_t	*v = json_object_get(in, key);

	if (json_is_number(v))
		return json_deep_copy(v);
	return nullable ? json_null() : json_real(0.0);
}

static json_t *
money(double v)
{
	return json_real(round(v * 100.0) / 100.0);
}

/* Order lines; old is the previous version's items (may be NULL). */
static json_t *
items(struct ss *ss, const json_t *in, const json_t *old, struct bad *bad)
{
	json_t		*out = json_array(), *it, *o, *prev, *pid;
	const char	*lk, *sku, *name;
	size_t		 i, j;
	int64_t		 now = sb_now_ms(), id, created;
	int		 adj;

	if (in == NULL || json_is_null(in))
		return out;
	if (!json_is_array(in)) {
		(void)snprintf(bad->key, sizeof(bad->key), "apiOrder.items");
		(void)snprintf(bad->msg, sizeof(bad->msg), "Cannot deserialize "
		    "the current JSON object into type 'System.Collections."
		    "Generic.List`1[SS.OpenApi.Models.Orders.OrderItem]'.");
		json_decref(out);
		return NULL;
	}
	json_array_foreach(in, i, it) {
		if (!json_is_object(it)) {
			(void)snprintf(bad->key, sizeof(bad->key),
			    "apiOrder.items[%zu]", i);
			(void)snprintf(bad->msg, sizeof(bad->msg),
			    "Cannot deserialize the current JSON value into "
			    "type 'SS.OpenApi.Models.Orders.OrderItem'.");
			json_decref(out);
			return NULL;
		}
		lk = ss_str(it, "lineItemKey");
		id = 0;
		created = now;
		json_array_foreach(old, j, prev) {
			if (lk != NULL && ss_str(prev, "lineItemKey") != NULL &&
			    strcmp(lk, ss_str(prev, "lineItemKey")) == 0) {
				id = ss_int(prev, "orderItemId", 0);
				(void)tz_parse_v1(ss_str(prev, "createDate") ?
				    ss_str(prev, "createDate") : "", &created);
				break;
			}
		}
		if (id == 0)
			id = ss->next_item++;
		sku = ss_str(it, "sku");
		name = ss_str(it, "name");
		adj = json_is_true(json_object_get(it, "adjustment"));
		pid = json_object_get(it, "productId");
		if (json_is_integer(pid))
			pid = json_deep_copy(pid);
		else if (!adj && sku != NULL && *sku != '\0')
			pid = json_integer(ssmisc_product(ss, sku, name,
			    json_number_value(json_object_get(it,
			    "unitPrice"))));
		else
			pid = json_null();
		o = json_object();
		(void)json_object_set_new(o, "orderItemId", json_integer(id));
		(void)json_object_set_new(o, "lineItemKey", ss_copy(it,
		    "lineItemKey"));
		(void)json_object_set_new(o, "sku", ss_copy(it, "sku"));
		(void)json_object_set_new(o, "name", ss_copy(it, "name"));
		(void)json_object_set_new(o, "imageUrl", ss_copy(it,
		    "imageUrl"));
		(void)json_object_set_new(o, "weight",
		    weight(json_object_get(it, "weight")));
		(void)json_object_set_new(o, "quantity", json_integer(
		    ss_int(it, "quantity", 1)));
		(void)json_object_set_new(o, "unitPrice", num(it, "unitPrice",
		    0));
		(void)json_object_set_new(o, "taxAmount", num(it, "taxAmount",
		    1));
		(void)json_object_set_new(o, "shippingAmount", num(it,
		    "shippingAmount", 1));
		(void)json_object_set_new(o, "warehouseLocation", ss_copy(it,
		    "warehouseLocation"));
		(void)json_object_set_new(o, "options",
		    json_is_array(json_object_get(it, "options")) ?
		    json_deep_copy(json_object_get(it, "options")) :
		    json_array());
		(void)json_object_set_new(o, "productId", pid);
		(void)json_object_set_new(o, "fulfillmentSku", ss_copy(it,
		    "fulfillmentSku"));
		(void)json_object_set_new(o, "adjustment", json_boolean(adj));
		(void)json_object_set_new(o, "upc", ss_copy(it, "upc"));
		/* Item dates carry two fractional digits (§1.4). */
		(void)json_object_set_new(o, "createDate",
		    ss_v1_time(created, 2));
		(void)json_object_set_new(o, "modifyDate", ss_v1_time(now, 2));
		(void)json_array_append_new(out, o);
	}
	return out;
}

static double
total_of(const json_t *its, const json_t *in)
{
	json_t	*it;
	size_t	 i;
	double	 t = 0;

	json_array_foreach(its, i, it)
		t += (double)ss_int(it, "quantity", 1) *
		    json_number_value(json_object_get(it, "unitPrice"));
	t += json_number_value(json_object_get(in, "taxAmount"));
	t += json_number_value(json_object_get(in, "shippingAmount"));
	return t;
}

static json_t *
advanced(const json_t *in, int64_t store, const json_t *old)
{
	json_t	*a = json_object(), *v;
	size_t	 i;

	for (i = 0; i < sizeof(adv_keys) / sizeof(adv_keys[0]); i++) {
		v = json_object_get(in, adv_keys[i]);
		(void)json_object_set_new(a, adv_keys[i], v != NULL ?
		    json_deep_copy(v) : json_null());
	}
	if (!json_is_integer(json_object_get(a, "warehouseId")))
		(void)json_object_set_new(a, "warehouseId",
		    json_integer(SS_WAREHOUSE));
	if (!json_is_boolean(json_object_get(a, "nonMachinable")))
		(void)json_object_set_new(a, "nonMachinable", json_false());
	if (!json_is_boolean(json_object_get(a, "saturdayDelivery")))
		(void)json_object_set_new(a, "saturdayDelivery", json_false());
	if (!json_is_boolean(json_object_get(a, "containsAlcohol")))
		(void)json_object_set_new(a, "containsAlcohol", json_false());
	/* Merge/split facts belong to ShipStation, not to the caller. */
	if (old != NULL) {
		(void)json_object_set_new(a, "mergedOrSplit", ss_copy(old,
		    "mergedOrSplit"));
		(void)json_object_set_new(a, "mergedIds", ss_copy(old,
		    "mergedIds"));
		(void)json_object_set_new(a, "parentId", ss_copy(old,
		    "parentId"));
	}
	if (!json_is_boolean(json_object_get(a, "mergedOrSplit")))
		(void)json_object_set_new(a, "mergedOrSplit", json_false());
	if (!json_is_array(json_object_get(a, "mergedIds")))
		(void)json_object_set_new(a, "mergedIds", json_array());
	(void)json_object_set_new(a, "storeId", json_integer(store));
	return a;
}

/* Copy with a default when absent. */
static void
put(json_t *o, const json_t *in, const char *key, json_t *def)
{
	json_t	*v = json_object_get(in, key);

	if (v != NULL && !json_is_null(v)) {
		(void)json_object_set_new(o, key, json_deep_copy(v));
		json_decref(def);
	} else
		(void)json_object_set_new(o, key, def);
}

static int
required(const json_t *in, struct bad *bad)
{
	static const char *const req[] = { "orderNumber", "orderDate",
	    "orderStatus", "billTo", "shipTo" };
	static const char *const names[] = { "OrderNumber", "OrderDate",
	    "OrderStatus", "BillTo", "ShipTo" };
	json_t	*v;
	size_t	 i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		v = json_object_get(in, req[i]);
		if (v == NULL || json_is_null(v) || (json_is_string(v) &&
		    *json_string_value(v) == '\0')) {
			(void)snprintf(bad->key, sizeof(bad->key),
			    "apiOrder.%s", req[i]);
			(void)snprintf(bad->msg, sizeof(bad->msg),
			    "The %s field is required.", names[i]);
			return -1;
		}
	}
	if (!json_is_string(json_object_get(in, "orderNumber"))) {
		(void)snprintf(bad->key, sizeof(bad->key), "apiOrder.orderNumber");
		(void)snprintf(bad->msg, sizeof(bad->msg), "Error converting "
		    "value to type 'System.String'.");
		return -1;
	}
	if (!status_ok(ss_str(in, "orderStatus"))) {
		(void)snprintf(bad->key, sizeof(bad->key), "apiOrder.orderStatus");
		(void)snprintf(bad->msg, sizeof(bad->msg), "Requested value "
		    "'%.64s' was not found.", ss_str(in, "orderStatus") ?
		    ss_str(in, "orderStatus") : "");
		return -1;
	}
	if (!json_is_object(json_object_get(in, "billTo")) ||
	    !json_is_object(json_object_get(in, "shipTo"))) {
		(void)snprintf(bad->key, sizeof(bad->key), "apiOrder.shipTo");
		(void)snprintf(bad->msg, sizeof(bad->msg), "Cannot deserialize "
		    "the current JSON value into type "
		    "'SS.OpenApi.Models.Address'.");
		return -1;
	}
	return 0;
}

struct ss_rec *
ssorder_upsert(struct ss *ss, const json_t *in, const char *batch,
    struct sb_resp *resp, int *notify)
{
	struct ss_rec	*old = NULL, *r;
	struct bad	 bad;
	json_t		*o = NULL, *its, *oldobj;
	const char	*key, *was;
	char		 gen[64], guid[37];
	int64_t		 id, now = sb_now_ms(), tord, tpay, tshipby, tship;
	int64_t		 thold, store;
	char		 msg[256];

	*notify = 0;
	memset(&bad, 0, sizeof(bad));
	if (!json_is_object(in)) {
		ss_v1_invalid(resp, "apiOrder", "Cannot deserialize the current "
		    "JSON array (e.g. [1,2,3]) into type 'SS.OpenApi.Models."
		    "Orders.Order' because the type requires a JSON object "
		    "(e.g. {\"name\":\"value\"}) to deserialize correctly.");
		return NULL;
	}
	key = ss_str(in, "orderKey");
	if (key != NULL && *key == '\0')
		key = NULL;
	id = ss_int(in, "orderId", 0);
	if (key != NULL)
		old = ssorder_by_key(ss, key);
	if (old == NULL && id != 0 && (old = ss_tab_get(&ss->orders, id)) ==
	    NULL && key == NULL) {
		ss_v1_invalid(resp, "apiOrder.orderId", "The order was not "
		    "found.");
		return NULL;
	}
	if (old != NULL && locked(old)) {
		/* §2.3: shipped and cancelled orders are locked. */
		(void)snprintf(msg, sizeof(msg), "The order is %s and can no "
		    "longer be modified. Only orders in awaiting_payment, "
		    "awaiting_shipment or on_hold status can be updated.",
		    status_of(old));
		ss_v1_invalid(resp, "apiOrder.orderStatus", msg);
		return NULL;
	}
	if (required(in, &bad) == -1 ||
	    in_time(in, "orderDate", &tord, &bad) == -1 ||
	    in_time(in, "paymentDate", &tpay, &bad) == -1 ||
	    in_time(in, "shipByDate", &tshipby, &bad) == -1 ||
	    in_time(in, "shipDate", &tship, &bad) == -1 ||
	    in_time(in, "holdUntilDate", &thold, &bad) == -1)
		goto bad;
	oldobj = old != NULL ? old->obj : NULL;
	if ((its = items(ss, json_object_get(in, "items"),
	    json_object_get(oldobj, "items"), &bad)) == NULL)
		goto bad;

	if (old != NULL)
		store = old->store;
	else {
		store = ss_int(json_object_get(in, "advancedOptions"),
		    "storeId", 0);
		if (!ssmisc_store_ok(store))
			store = SS_STORE_MANUAL;
	}
	if (old != NULL)
		(void)snprintf(gen, sizeof(gen), "%s",
		    ss_str(oldobj, "orderKey"));
	else if (key != NULL)
		(void)snprintf(gen, sizeof(gen), "%.63s", key);
	else {
		/* Keys made for the caller look like the UI's (§2.2). */
		ss_guid(guid);
		(void)snprintf(gen, sizeof(gen), "manual-%.8s%.4s%.4s%.4s%.12s",
		    guid, guid + 9, guid + 14, guid + 19, guid + 24);
	}

	o = json_object();
	(void)json_object_set_new(o, "orderId", json_integer(old != NULL ?
	    old->id : ss->orders.next));
	(void)json_object_set_new(o, "orderNumber", ss_copy(in,
	    "orderNumber"));
	(void)json_object_set_new(o, "orderKey", json_string(gen));
	(void)json_object_set_new(o, "orderDate", ss_v1_time(tord, 7));
	(void)json_object_set_new(o, "createDate", ss_v1_time(old != NULL ?
	    old->t[SS_T_CREATE] : now, 7));
	(void)json_object_set_new(o, "modifyDate", ss_v1_time(old != NULL ?
	    old->t[SS_T_MODIFY] : now, 7));
	(void)json_object_set_new(o, "paymentDate", ss_v1_time(tpay, 7));
	(void)json_object_set_new(o, "shipByDate", ss_v1_time(tshipby, 7));
	(void)json_object_set_new(o, "orderStatus", ss_copy(in,
	    "orderStatus"));
	(void)json_object_set_new(o, "customerId", json_null());
	(void)json_object_set_new(o, "customerUsername", ss_copy(in,
	    "customerUsername"));
	(void)json_object_set_new(o, "customerEmail", ss_copy(in,
	    "customerEmail"));
	(void)json_object_set_new(o, "billTo", address(json_object_get(in,
	    "billTo"), 0));
	(void)json_object_set_new(o, "shipTo", address(json_object_get(in,
	    "shipTo"), 1));
	(void)json_object_set_new(o, "orderTotal", money(total_of(its, in)));
	(void)json_object_set_new(o, "items", its);
	put(o, in, "amountPaid", json_real(0.0));
	put(o, in, "taxAmount", json_real(0.0));
	put(o, in, "shippingAmount", json_real(0.0));
	put(o, in, "customerNotes", json_null());
	put(o, in, "internalNotes", json_null());
	put(o, in, "gift", json_false());
	put(o, in, "giftMessage", json_null());
	put(o, in, "paymentMethod", json_null());
	put(o, in, "requestedShippingService", json_null());
	put(o, in, "carrierCode", json_null());
	put(o, in, "serviceCode", json_null());
	put(o, in, "packageCode", json_null());
	put(o, in, "confirmation", json_string("none"));
	(void)json_object_set_new(o, "shipDate", ss_v1_date(tship));
	(void)json_object_set_new(o, "holdUntilDate", ss_v1_date(thold));
	(void)json_object_set_new(o, "weight", json_is_object(
	    json_object_get(in, "weight")) ? weight(json_object_get(in,
	    "weight")) : json_pack("{s:i, s:s, s:i}", "value", 0, "units",
	    "ounces", "WeightUnits", 1));
	put(o, in, "dimensions", json_null());
	put(o, in, "insuranceOptions", json_pack("{s:n, s:b, s:f}",
	    "provider", "insureShipment", 0, "insuredValue", 0.0));
	put(o, in, "internationalOptions", json_pack("{s:n, s:n, s:n}",
	    "contents", "customsItems", "nonDelivery"));
	(void)json_object_set_new(o, "advancedOptions", advanced(
	    json_object_get(in, "advancedOptions"), store,
	    json_object_get(oldobj, "advancedOptions")));
	put(o, in, "tagIds", json_null());
	(void)json_object_set_new(o, "userId", json_null());
	(void)json_object_set_new(o, "externallyFulfilled", json_false());
	(void)json_object_set_new(o, "externallyFulfilledBy", json_null());
	(void)json_object_set_new(o, "externallyFulfilledById", json_null());
	(void)json_object_set_new(o, "externallyFulfilledByName",
	    json_null());
	(void)json_object_set_new(o, "labelMessages", json_null());
	(void)json_object_set_new(o, "customerId", json_integer(
	    ssmisc_customer(ss, o)));
	if (json_integer_value(json_object_get(o, "customerId")) == 0)
		(void)json_object_set_new(o, "customerId", json_null());

	if (old != NULL) {
		was = status_of(old);
		if (strcmp(was, "on_hold") == 0 && ss->nheld > 0)
			ss->nheld--;
		/* §3.2: a paid order leaving awaiting_payment notifies. */
		if (strcmp(was, "awaiting_payment") == 0 &&
		    strcmp(ss_str(o, "orderStatus"), "awaiting_payment") != 0 &&
		    strcmp(ss_str(o, "orderStatus"), "cancelled") != 0) {
			*notify = 1;
			(void)snprintf(old->tag, sizeof(old->tag), "%s", batch);
		}
		json_decref(old->obj);
		old->obj = o;
		r = old;
		r->flags &= ~SS_F_DELETED;
		ssorder_touch(r);
	} else {
		if ((r = ss_tab_add(&ss->orders, o)) == NULL) {
			ss_v1_500(resp, "Out of memory.");
			return NULL;
		}
		r->t[SS_T_CREATE] = r->t[SS_T_MODIFY] = now;
		r->store = store;
		(void)snprintf(r->tag, sizeof(r->tag), "%s", batch);
		*notify = strcmp(ss_str(o, "orderStatus"),
		    "awaiting_payment") != 0;
	}
	r->t[SS_T_ORDER] = tord;
	r->t[SS_T_PAY] = tpay;
	if (strcmp(status_of(r), "on_hold") == 0 && thold != 0) {
		ss->nheld++;
		ss->held_day[0] = '\0';
	}
	return r;
bad:
	ss_v1_invalid(resp, bad.key, bad.msg);
	return NULL;
}

/* §2.3: an order held until a date goes back on that date. */
static void
release_holds(struct ss *ss)
{
	struct ss_rec	*o;
	const char	*h;
	char		 today[TZ_BUFSZ];
	size_t		 i;

	if (ss->nheld == 0)
		return;
	tz_fmt_date(sb_now_ms(), today, sizeof(today));
	/* Once a day is enough, unless a hold was added since. */
	if (strcmp(today, ss->held_day) == 0)
		return;
	(void)snprintf(ss->held_day, sizeof(ss->held_day), "%s", today);
	for (i = 0; i < ss->orders.n; i++) {
		o = ss->orders.v[i];
		if (strcmp(status_of(o), "on_hold") != 0 ||
		    (h = ss_str(o->obj, "holdUntilDate")) == NULL ||
		    strcmp(h, today) > 0)
			continue;
		(void)json_object_set_new(o->obj, "orderStatus",
		    json_string("awaiting_shipment"));
		(void)json_object_set_new(o->obj, "holdUntilDate", json_null());
		ssorder_touch(o);
		ss->nheld--;
	}
}

/* Fire ORDER_NOTIFY once per store of an import batch (§3.2). */
static void
notify(struct ss *ss, const char *batch, const int64_t *stores, size_t n)
{
	char	 q1[256], q2[256];
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && stores[j] != stores[i]; j++)
			continue;
		if (j < i)
			continue;
		(void)snprintf(q1, sizeof(q1), "/orders?storeID=%lld&"
		    "importBatch=%s", (long long)stores[i], batch);
		(void)snprintf(q2, sizeof(q2), "/v2/shipments?"
		    "import_batch_id=%s", batch);
		hook_fire(ss, HOOK_ORDER, stores[i], q1, q2);
	}
}

static int
match_items(const struct ss_rec *o, const char *kw)
{
	json_t	*it, *opt;
	size_t	 i, j;

	json_array_foreach(json_object_get(o->obj, "items"), i, it) {
		if (ss_icontains(ss_str(it, "sku"), kw) ||
		    ss_icontains(ss_str(it, "name"), kw))
			return 1;
		json_array_foreach(json_object_get(it, "options"), j, opt)
			if (ss_icontains(ss_str(opt, "value"), kw))
				return 1;
	}
	return 0;
}

/* {"orders":[...],"total":…} from the cached order texts. */
static void
envelope(struct sb_resp *resp, struct ss_rec **v, size_t n, int64_t total,
    int64_t page, int64_t pages)
{
	char	*buf, tail[128];
	size_t	 len = 16, i, o = 0, l;

	for (i = 0; i < n; i++)
		len += strlen(ss_rec_text(v[i])) + 1;
	(void)snprintf(tail, sizeof(tail), "],\"total\":%lld,\"page\":%lld,"
	    "\"pages\":%lld}", (long long)total, (long long)page,
	    (long long)pages);
	len += strlen(tail);
	if ((buf = malloc(len + 1)) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	memcpy(buf, "{\"orders\":[", 11);
	o = 11;
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf[o++] = ',';
		l = strlen(v[i]->text);
		memcpy(buf + o, v[i]->text, l);
		o += l;
	}
	l = strlen(tail);
	memcpy(buf + o, tail, l + 1);
	sb_resp_text(resp, 200, "application/json; charset=utf-8", NULL);
	free(resp->body);
	resp->body = buf;
	resp->bodylen = o + l;
}

struct range {
	const char	*start;
	const char	*end;
	enum ss_time	 t;
};

static const struct range ranges[] = {
	{ "createDateStart", "createDateEnd", SS_T_CREATE },
	{ "modifyDateStart", "modifyDateEnd", SS_T_MODIFY },
	{ "orderDateStart", "orderDateEnd", SS_T_ORDER },
	{ "paymentDateStart", "paymentDateEnd", SS_T_PAY },
};

static void
list(struct ss *ss, const char *q, int bytag, struct sb_resp *resp)
{
	struct ss_rec	**v = NULL, *o;
	int64_t		  lo[4], hi[4], store = 0, tag = 0, page, size, t;
	int64_t		  pages;
	char		  status[64], num[256], cname[256], kw[256];
	char		  batch[64], sort[32], dir[16], bad[64];
	int		  hs, hn, hc, hk, hb, r, desc = 0, key = -1, hstore;
	int		  htag;
	size_t		  i, k, n = 0, from, to;
	json_t		 *it;

	release_holds(ss);
	for (k = 0; k < 4; k++) {
		lo[k] = INT64_MIN;
		hi[k] = INT64_MAX;
		if ((r = ss_qtime(q, ranges[k].start, 0, &t)) == 1)
			lo[k] = t;
		if (r != -1 && (r = ss_qtime(q, ranges[k].end, 0, &t)) == 1)
			hi[k] = t;
		if (r == -1) {
			(void)snprintf(bad, sizeof(bad), "%s/%s",
			    ranges[k].start, ranges[k].end);
			ss_v1_invalid(resp, bad, "The value is not valid for "
			    "DateTime.");
			return;
		}
	}
	if ((hstore = ss_qint(q, "storeId", &store)) == -1) {
		ss_v1_invalid(resp, "storeId", "The value is not valid for "
		    "Int32.");
		return;
	}
	if ((htag = ss_qint(q, "tagId", &tag)) == -1 || (bytag && htag != 1)) {
		ss_v1_invalid(resp, "tagId", "The tagId field is required.");
		return;
	}
	if ((hs = ss_qstr(q, "orderStatus", status, sizeof(status))) == -1 ||
	    (hs == 1 && !status_ok(status))) {
		ss_v1_invalid(resp, "orderStatus", "The value is not valid.");
		return;
	}
	if (ss_paging(q, 0, &page, &size, resp) == -1)
		return;
	hn = ss_qstr(q, "orderNumber", num, sizeof(num));
	hc = ss_qstr(q, "customerName", cname, sizeof(cname));
	hk = ss_qstr(q, "itemKeyword", kw, sizeof(kw));
	hb = ss_qstr(q, "importBatch", batch, sizeof(batch));
	if (ss_qstr(q, "sortBy", sort, sizeof(sort)) == 1) {
		if (strcasecmp(sort, "OrderDate") == 0)
			key = SS_T_ORDER;
		else if (strcasecmp(sort, "ModifyDate") == 0)
			key = SS_T_MODIFY;
		else if (strcasecmp(sort, "CreateDate") == 0)
			key = SS_T_CREATE;
	}
	if (ss_qstr(q, "sortDir", dir, sizeof(dir)) == 1)
		desc = strcasecmp(dir, "DESC") == 0;

	if (ss->orders.n > 0 &&
	    (v = calloc(ss->orders.n, sizeof(*v))) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	for (i = 0; i < ss->orders.n; i++) {
		o = ss->orders.v[i];
		if (o->flags & SS_F_DELETED)
			continue;
		for (k = 0; k < 4; k++) {
			t = o->t[ranges[k].t];
			if ((lo[k] != INT64_MIN || hi[k] != INT64_MAX) &&
			    (t == 0 || t < lo[k] || t > hi[k]))
				break;
		}
		if (k < 4)
			continue;
		if (hs == 1 && strcmp(status_of(o), status) != 0)
			continue;
		if (hstore == 1 && o->store != store)
			continue;
		/* orderNumber is a "starts with" match (§2.1). */
		if (hn == 1 && strncasecmp(ss_str(o->obj, "orderNumber"), num,
		    strlen(num)) != 0)
			continue;
		if (hc == 1 && !ss_icontains(ss_str(json_object_get(o->obj,
		    "billTo"), "name"), cname) &&
		    !ss_icontains(ss_str(json_object_get(o->obj, "shipTo"),
		    "name"), cname))
			continue;
		if (hk == 1 && !match_items(o, kw))
			continue;
		if (hb == 1 && strcmp(o->tag, batch) != 0)
			continue;
		if (htag == 1) {
			r = 0;
			json_array_foreach(json_object_get(o->obj, "tagIds"),
			    k, it)
				if (json_integer_value(it) == tag)
					r = 1;
			if (!r)
				continue;
		}
		v[n++] = o;
	}
	ss_sort(v, n, key, desc);
	from = (size_t)((page - 1) * size);
	to = from + (size_t)size;
	if (from > n)
		from = n;
	if (to > n)
		to = n;
	r = 0;
	for (i = from; i < to; i++)
		if (v[i]->flags & SS_F_POISON)
			r = 1;
	if (r) {
		/* One corrupt record breaks its whole page (§1.3, §5.4). */
		free(v);
		ss_v1_500(resp, "Object reference not set to an instance of "
		    "an object.");
		return;
	}
	pages = ((int64_t)n + size - 1) / size;
	envelope(resp, v + from, to - from, (int64_t)n, page, pages);
	free(v);
}

/* "/orders/123" -> 123; 0 when the tail is not an id. */
static int64_t
path_id(const char *path, const char *prefix)
{
	const char	*p = path + strlen(prefix);
	char		*end;
	long long	 v;

	if (strncmp(path, prefix, strlen(prefix)) != 0 || *p < '1' ||
	    *p > '9')
		return 0;
	v = strtoll(p, &end, 10);
	return *end == '\0' ? v : 0;
}

static struct ss_rec *
order_arg(struct ss *ss, const json_t *b, struct sb_resp *resp)
{
	struct ss_rec	*o;

	if (!json_is_object(b) || !json_is_integer(json_object_get(b,
	    "orderId"))) {
		ss_v1_invalid(resp, "request.orderId", "The orderId field is "
		    "required.");
		return NULL;
	}
	o = ss_tab_get(&ss->orders, ss_int(b, "orderId", 0));
	if (o == NULL || (o->flags & SS_F_DELETED)) {
		ss_v1_error(resp, 404, "The requested order could not be "
		    "found.");
		return NULL;
	}
	return o;
}

static void
create_many(struct ss *ss, const json_t *b, struct sb_resp *resp)
{
	struct sb_resp	 tmp;
	struct ss_rec	*o;
	json_t		*res, *it, *e;
	char		 batch[37];
	int64_t		*stores;
	size_t		 i, n = 0;
	int		 nt, errors = 0;

	if (!json_is_array(b)) {
		ss_v1_invalid(resp, "apiOrders", "Cannot deserialize the "
		    "current JSON object (e.g. {\"name\":\"value\"}) into type "
		    "'SS.OpenApi.Models.Orders.Order[]' because the type "
		    "requires a JSON array (e.g. [1,2,3]) to deserialize "
		    "correctly.");
		return;
	}
	if ((stores = calloc(json_array_size(b) + 1, sizeof(*stores))) ==
	    NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	ss_guid(batch);
	res = json_array();
	json_array_foreach(b, i, it) {
		memset(&tmp, 0, sizeof(tmp));
		o = ssorder_upsert(ss, it, batch, &tmp, &nt);
		if (o != NULL) {
			if (nt)
				stores[n++] = o->store;
			(void)json_array_append_new(res, json_pack(
			    "{s:I, s:O, s:O, s:b, s:n}", "orderId",
			    (json_int_t)o->id, "orderNumber",
			    json_object_get(o->obj, "orderNumber"),
			    "orderKey", json_object_get(o->obj, "orderKey"),
			    "success", 1, "errorMessage"));
		} else {
			errors = 1;
			e = tmp.body != NULL ? json_loads(tmp.body, 0, NULL) :
			    NULL;
			(void)json_array_append_new(res, json_pack(
			    "{s:n, s:O?, s:O?, s:b, s:s}", "orderId",
			    "orderNumber", json_object_get(it, "orderNumber"),
			    "orderKey", json_object_get(it, "orderKey"),
			    "success", 0, "errorMessage", tmp.body != NULL ?
			    tmp.body : "error"));
			json_decref(e);
		}
		for (size_t h = 0; h < tmp.nheaders; h++) {
			free(tmp.headers[h].name);
			free(tmp.headers[h].value);
		}
		free(tmp.body);
	}
	notify(ss, batch, stores, n);
	free(stores);
	sb_resp_json(resp, 200, json_pack("{s:b, s:o}", "hasErrors", errors,
	    "results", res));
}

int
ssorder_handle(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*p = req->path, *m = req->method;
	struct ss_rec	*o;
	json_t		*b = NULL;
	char		 batch[37], msg[128];
	int64_t		 id, t;
	int		 nt, get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	int		 post = strcmp(m, "POST") == 0;

	if (!ss_prefix(p, "/orders"))
		return 0;
	if (strcmp(p, "/orders/createlabelfororder") == 0 ||
	    strcmp(p, "/orders/markasshipped") == 0)
		return ssship_handle(ss, req, resp);
	if (strcmp(p, "/orders") == 0 || strcmp(p, "/orders/") == 0 ||
	    strcmp(p, "/orders/listbytag") == 0) {
		if (!get)
			goto method;
		list(ss, req->query, strcmp(p, "/orders/listbytag") == 0, resp);
		return 1;
	}
	if ((id = path_id(p, "/orders/")) != 0) {
		release_holds(ss);
		o = ss_tab_get(&ss->orders, id);
		if (o == NULL) {
			ss_v1_error(resp, 404, "The requested order could "
			    "not be found.");
			return 1;
		}
		if (get) {
			if (o->flags & SS_F_POISON)
				ss_v1_500(resp, "Object reference not set to "
				    "an instance of an object.");
			else
				sb_resp_text(resp, 200,
				    "application/json; charset=utf-8",
				    ss_rec_text(o));
		} else if (strcmp(m, "DELETE") == 0) {
			o->flags |= SS_F_DELETED;
			ssorder_touch(o);
			sb_resp_json(resp, 200, json_pack("{s:b, s:s}",
			    "success", 1, "message",
			    "The requested order has been deleted."));
		} else
			goto method;
		return 1;
	}
	if (!post) {
		if (strcmp(p, "/orders/createorder") == 0 ||
		    strcmp(p, "/orders/createorders") == 0 ||
		    strcmp(p, "/orders/holduntil") == 0 ||
		    strcmp(p, "/orders/restorefromhold") == 0)
			goto method;
		return 0;
	}
	b = ss_json_body(req);
	if (strcmp(p, "/orders/createorder") == 0) {
		ss_guid(batch);
		if (b == NULL)
			ss_v1_invalid(resp, "apiOrder", "The request body is "
			    "not valid JSON.");
		else if ((o = ssorder_upsert(ss, b, batch, resp, &nt)) !=
		    NULL) {
			if (nt)
				notify(ss, batch, &o->store, 1);
			sb_resp_json(resp, 200, json_incref(o->obj));
		}
	} else if (strcmp(p, "/orders/createorders") == 0) {
		if (b == NULL)
			ss_v1_invalid(resp, "apiOrders", "The request body "
			    "is not valid JSON.");
		else
			create_many(ss, b, resp);
	} else if (strcmp(p, "/orders/holduntil") == 0) {
		if ((o = order_arg(ss, b, resp)) == NULL)
			goto out;
		if (ss_str(b, "holdUntilDate") == NULL ||
		    tz_parse_v1(ss_str(b, "holdUntilDate"), &t) == -1) {
			ss_v1_invalid(resp, "request.holdUntilDate",
			    "The holdUntilDate field is required.");
			goto out;
		}
		if (locked(o)) {
			(void)snprintf(msg, sizeof(msg), "Order is %s and "
			    "cannot be put on hold.", status_of(o));
			ss_v1_invalid(resp, "request.orderId", msg);
			goto out;
		}
		if (strcmp(status_of(o), "on_hold") != 0)
			ss->nheld++;
		ss->held_day[0] = '\0';
		(void)json_object_set_new(o->obj, "orderStatus",
		    json_string("on_hold"));
		(void)json_object_set_new(o->obj, "holdUntilDate",
		    ss_v1_date(t));
		ssorder_touch(o);
		sb_resp_json(resp, 200, json_pack("{s:b, s:s}", "success", 1,
		    "message", "Order held successfully."));
	} else if (strcmp(p, "/orders/restorefromhold") == 0) {
		if ((o = order_arg(ss, b, resp)) == NULL)
			goto out;
		if (strcmp(status_of(o), "on_hold") == 0) {
			if (ss->nheld > 0)
				ss->nheld--;
			(void)json_object_set_new(o->obj, "orderStatus",
			    json_string("awaiting_shipment"));
			(void)json_object_set_new(o->obj, "holdUntilDate",
			    json_null());
			ssorder_touch(o);
		}
		sb_resp_json(resp, 200, json_pack("{s:b, s:s}", "success", 1,
		    "message", "Order restored successfully."));
	} else {
		json_decref(b);
		return 0;
	}
out:
	json_decref(b);
	return 1;
method:
	(void)snprintf(msg, sizeof(msg), "The requested resource does not "
	    "support http method '%s'.", m);
	ss_v1_error(resp, 405, msg);
	return 1;
}

/* V2 view --------------------------------------------------------------- */

static json_t *
v2addr(const json_t *a, const char *email)
{
	json_t	*res = json_object_get(a, "residential");

	return json_pack("{s:O?, s:O?, s:s?, s:O?, s:O?, s:O?, s:O?, s:O?, "
	    "s:O?, s:O?, s:O?, s:s}",
	    "name", json_object_get(a, "name"),
	    "phone", json_object_get(a, "phone"),
	    "email", email,
	    "company_name", json_object_get(a, "company"),
	    "address_line1", json_object_get(a, "street1"),
	    "address_line2", json_object_get(a, "street2"),
	    "address_line3", json_object_get(a, "street3"),
	    "city_locality", json_object_get(a, "city"),
	    "state_province", json_object_get(a, "state"),
	    "postal_code", json_object_get(a, "postalCode"),
	    "country_code", json_object_get(a, "country"),
	    "address_residential_indicator", json_is_true(res) ? "yes" :
	    json_is_false(res) ? "no" : "unknown");
}

static const char *
v2status(const char *v1)
{
	if (strcmp(v1, "shipped") == 0)
		return "label_purchased";
	if (strcmp(v1, "cancelled") == 0)
		return "cancelled";
	if (strcmp(v1, "awaiting_payment") == 0)
		return "pending";
	return "pending";
}

static json_t *
v2money(double amount)
{
	return json_pack("{s:s, s:f}", "currency", "usd", "amount",
	    round(amount * 100.0) / 100.0);
}

/* A V1 date-only string as V2 writes dates: midnight UTC (§4.1). */
static json_t *
v2date(const char *d)
{
	char	 buf[TZ_BUFSZ];
	int64_t	 ms;

	if (d == NULL || tz_parse_utc(d, &ms) == -1)
		return json_null();
	tz_fmt_utc(ms, buf, sizeof(buf));
	return json_string(buf);
}

json_t *
ssorder_v2(const struct ss *ss, const struct ss_rec *o)
{
	json_t		*v1 = o->obj, *items = json_array(), *it, *s, *w;
	const char	*email = ss_str(v1, "customerEmail");
	char		 id[32], store[32], num[64], wh[32];
	size_t		 i;
	int64_t		 hold = 0, shipby = 0;

	(void)ss;
	json_array_foreach(json_object_get(v1, "items"), i, it) {
		(void)json_array_append_new(items, json_pack(
		    "{s:O?, s:n, s:n, s:I, s:O?, s:n, s:s, s:O?, s:n, s:s, "
		    "s:O?, s:O?}",
		    "name", json_object_get(it, "name"),
		    "sales_order_id", "sales_order_item_id",
		    "quantity", (json_int_t)ss_int(it, "quantity", 1),
		    "sku", json_object_get(it, "sku"),
		    "bundle_sku",
		    "external_order_id", ss_str(v1, "orderKey"),
		    "external_order_item_id", json_object_get(it,
		    "lineItemKey"),
		    "asin",
		    "order_source_code", "manual",
		    "unit_price", json_object_get(it, "unitPrice"),
		    "product_id", json_object_get(it, "productId")));
	}
	(void)snprintf(id, sizeof(id), "se-%lld", (long long)o->id);
	(void)snprintf(store, sizeof(store), "se-%lld", (long long)o->store);
	(void)snprintf(wh, sizeof(wh), "se-%d", SS_WAREHOUSE);
	/* shipment_number is cut at 50 characters (§4.2). */
	(void)snprintf(num, sizeof(num), "%.50s", ss_str(v1, "orderNumber") ?
	    ss_str(v1, "orderNumber") : "");
	if (ss_str(v1, "holdUntilDate") != NULL)
		(void)tz_parse_utc(ss_str(v1, "holdUntilDate"), &hold);
	if (ss_str(v1, "shipByDate") != NULL)
		(void)tz_parse_v1(ss_str(v1, "shipByDate"), &shipby);
	w = json_object_get(v1, "weight");
	s = json_pack("{s:s, s:n, s:O?, s:s, s:O?, s:O?, s:s, s:s, s:o, "
	    "s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:O?, s:o, s:o, "
	    "s:o, s:O?, s:b, s:o, s:o, s:o}",
	    "shipment_id", id,
	    "carrier_id",
	    "service_code", json_object_get(v1, "serviceCode"),
	    "shipping_rule_id", "",
	    "external_order_id", json_object_get(v1, "orderKey"),
	    "external_shipment_id", json_object_get(v1, "orderKey"),
	    "shipment_number", num,
	    "shipment_status", v2status(ss_str(v1, "orderStatus")),
	    "ship_date", v2date(ss_str(v1, "shipDate")),
	    "ship_by_date", ss_v2_time(shipby),
	    "hold_until_date", hold != 0 ? ss_v2_time(hold) : json_null(),
	    "created_at", ss_v2_time(o->t[SS_T_CREATE]),
	    "modified_at", ss_v2_time(o->t[SS_T_MODIFY]),
	    "store_id", store,
	    "ship_to", v2addr(json_object_get(v1, "shipTo"), email),
	    "ship_from", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "name", "Sandbox Warehouse", "company_name", "ML Distribution",
	    "phone", "555-555-0100", "address_line1", "1 Warehouse Way",
	    "city_locality", "Reno", "state_province", "NV",
	    "postal_code", "89502", "country_code", "US"),
	    "items", items,
	    "warehouse_id", wh,
	    "confirmation", json_object_get(v1, "confirmation"),
	    "amount_paid", v2money(json_number_value(json_object_get(v1,
	    "amountPaid"))),
	    "shipping_paid", v2money(json_number_value(json_object_get(v1,
	    "shippingAmount"))),
	    "tax_paid", v2money(json_number_value(json_object_get(v1,
	    "taxAmount"))),
	    "notes_from_buyer", json_object_get(v1, "customerNotes"),
	    "is_gift", json_is_true(json_object_get(v1, "gift")),
	    "notes_for_gift", ss_copy(v1, "giftMessage"),
	    "total_weight", json_pack("{s:O?, s:s}", "value",
	    json_object_get(w, "value"), "unit", "ounce"),
	    "tags", json_array());
	return s;
}
