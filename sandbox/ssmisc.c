/*
 * ShipStation V1 master data and webhook subscriptions: customers
 * (§2.7), products (§2.8, with the pages:0 quirk), stores (§2.9) and
 * /webhooks (§3.1, PascalCase and wrapped).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

struct store {
	int64_t		 id;
	const char	*name;
	int		 marketplace;
	const char	*mname;
};

static const struct store stores[] = {
	{ SS_STORE_MANUAL, "Manual Orders", 0, "ShipStation" },
	{ SS_STORE_SHOPIFY, "Sandbox Shopify", 26, "Shopify" },
	{ SS_STORE_AMAZON, "Sandbox Amazon US", 2, "Amazon" },
};

static const char *const prod_keys[] = {
	"aliases", "sku", "name", "price", "defaultCost", "length", "width",
	"height", "weightOz", "internalNotes", "fulfillmentSku", "active",
	"productCategory", "productType", "warehouseLocation",
	"defaultCarrierCode", "defaultServiceCode", "defaultPackageCode",
	"defaultIntlCarrierCode", "defaultIntlServiceCode",
	"defaultIntlPackageCode", "defaultConfirmation",
	"defaultIntlConfirmation", "customsDescription", "customsValue",
	"customsTariffNo", "customsCountryCode", "noCustoms", "tags", "upc",
	"thumbnailUrl",
};

static const struct store *
store_get(int64_t id)
{
	size_t	 i;

	for (i = 0; i < sizeof(stores) / sizeof(stores[0]); i++)
		if (stores[i].id == id)
			return &stores[i];
	return NULL;
}

int
ssmisc_store_ok(int64_t id)
{
	return store_get(id) != NULL;
}

static json_t *
store_json(const struct store *s)
{
	/* A fixed creation date: stores predate every sandbox run. */
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:n, s:b, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:n}",
	    "storeId", (json_int_t)s->id, "storeName", s->name,
	    "marketplaceId", s->marketplace, "marketplaceName", s->mname,
	    "accountName", "ml-sandbox", "email", "orders@example.com",
	    "integrationUrl", "active", 1, "companyName", "ML Distribution",
	    "phone", "555-555-0100", "publicEmail", "orders@example.com",
	    "website", "https://shop.example.com",
	    "refreshDate", "2021-01-23T09:09:08.4000000",
	    "lastRefreshAttempt", "2021-01-23T09:09:08.4000000",
	    "createDate", "2019-04-02T10:12:03.1770000",
	    "modifyDate", "2021-01-23T09:09:08.4000000",
	    "autoRefresh", s->marketplace != 0, "statusMappings");
}

json_t *
ssmisc_stores(void)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < sizeof(stores) / sizeof(stores[0]); i++)
		(void)json_array_append_new(a, store_json(&stores[i]));
	return a;
}

/* Customers ----------------------------------------------------------- */

static const char *
cust_username(const struct ss_rec *c)
{
	return ss_str(json_array_get(json_object_get(c->obj,
	    "marketplaceUsernames"), 0), "username");
}

int64_t
ssmisc_customer(struct ss *ss, const json_t *order)
{
	const char		*user = ss_str(order, "customerUsername");
	const json_t		*bt = json_object_get(order, "billTo");
	const json_t		*st = json_object_get(order, "shipTo");
	const struct store	*s;
	struct ss_rec		*c;
	json_t			*o;
	const char		*u;
	size_t			 i;
	int64_t			 now = sb_now_ms(), id;

	/* A profile needs customerUsername (§2.2). */
	if (user == NULL || *user == '\0')
		return 0;
	for (i = 0; i < ss->custs.n; i++)
		if ((u = cust_username(ss->custs.v[i])) != NULL &&
		    strcmp(u, user) == 0)
			return ss->custs.v[i]->id;
	s = store_get(ss_int(json_object_get(order, "advancedOptions"),
	    "storeId", SS_STORE_MANUAL));
	if (s == NULL)
		s = &stores[0];
	id = ss->custs.next;
	o = json_pack("{s:I, s:o, s:o, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, "
	    "s:O?, s:O?, s:O?, s:O?, s:s, s:[{s:I, s:I, s:o, s:o, s:i, s:s, "
	    "s:s}], s:n}",
	    "customerId", (json_int_t)id,
	    "createDate", ss_v1_time(now, 7),
	    "modifyDate", ss_v1_time(now, 7),
	    "name", json_object_get(json_is_string(json_object_get(bt,
	    "name")) ? bt : st, "name"),
	    "company", json_object_get(st, "company"),
	    "street1", json_object_get(st, "street1"),
	    "street2", json_object_get(st, "street2"),
	    "city", json_object_get(st, "city"),
	    "state", json_object_get(st, "state"),
	    "postalCode", json_object_get(st, "postalCode"),
	    "countryCode", json_object_get(st, "country"),
	    "phone", json_object_get(st, "phone"),
	    "email", json_object_get(order, "customerEmail"),
	    "addressVerified", "Unverified",
	    "marketplaceUsernames", "customerUserId", (json_int_t)(id + 5000000),
	    "customerId", (json_int_t)id,
	    "createDate", ss_v1_time(now, 7),
	    "modifyDate", ss_v1_time(now, 7),
	    "marketplaceId", s->marketplace, "marketplace", s->mname,
	    "username", user,
	    "tags");
	if ((c = ss_tab_add(&ss->custs, o)) == NULL)
		return 0;
	c->t[SS_T_CREATE] = c->t[SS_T_MODIFY] = now;
	c->store = s->id;
	return c->id;
}

static int
cmp_name(const void *a, const void *b)
{
	const char *x = ss_str((*(struct ss_rec *const *)a)->obj, "name");
	const char *y = ss_str((*(struct ss_rec *const *)b)->obj, "name");

	return strcmp(x != NULL ? x : "", y != NULL ? y : "");
}

static int
cmp_sku(const void *a, const void *b)
{
	const char *x = ss_str((*(struct ss_rec *const *)a)->obj, "sku");
	const char *y = ss_str((*(struct ss_rec *const *)b)->obj, "sku");

	return strcmp(x != NULL ? x : "", y != NULL ? y : "");
}

static void
reverse(struct ss_rec **v, size_t n)
{
	struct ss_rec	*t;
	size_t		 i;

	for (i = 0; i < n / 2; i++) {
		t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

/* Sort by a time key, or by a string column (cmp), then direction. */
static void
order_by(const char *q, struct ss_rec **v, size_t n, const char *strname,
    int (*cmp)(const void *, const void *))
{
	char	 by[32], dir[16];
	int	 desc = 0;

	if (ss_qstr(q, "sortDir", dir, sizeof(dir)) == 1)
		desc = strcasecmp(dir, "DESC") == 0;
	if (ss_qstr(q, "sortBy", by, sizeof(by)) != 1) {
		ss_sort(v, n, -1, desc);
		return;
	}
	if (strcasecmp(by, strname) == 0) {
		if (n > 1)
			qsort(v, n, sizeof(*v), cmp);
		if (desc)
			reverse(v, n);
	} else if (strcasecmp(by, "ModifyDate") == 0)
		ss_sort(v, n, SS_T_MODIFY, desc);
	else if (strcasecmp(by, "CreateDate") == 0)
		ss_sort(v, n, SS_T_CREATE, desc);
	else
		ss_sort(v, n, -1, desc);
}

static void
page_of(struct ss_rec **v, size_t n, int64_t page, int64_t size,
    const char *coll, int64_t pages, struct sb_resp *resp)
{
	json_t	*out = json_array();
	size_t	 i, from = (size_t)((page - 1) * size), to;

	to = from + (size_t)size;
	if (from > n)
		from = n;
	if (to > n)
		to = n;
	for (i = from; i < to; i++)
		(void)json_array_append(out, v[i]->obj);
	sb_resp_json(resp, 200, ss_v1_envelope(coll, out, (int64_t)n, page,
	    pages));
}

static void
list_custs(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v = NULL, *c;
	char		  st[64], cc[16];
	int64_t		  mid = 0, page, size;
	int		  hst, hcc, hmid;
	size_t		  i, n = 0;
	json_t		 *mu;

	if (ss_paging(q, 0, &page, &size, resp) == -1)
		return;
	hst = ss_qstr(q, "stateCode", st, sizeof(st)) == 1;
	hcc = ss_qstr(q, "countryCode", cc, sizeof(cc)) == 1;
	if ((hmid = ss_qint(q, "marketplaceId", &mid)) == -1) {
		ss_v1_invalid(resp, "marketplaceId", "The value is not valid "
		    "for Int32.");
		return;
	}
	if (ss->custs.n > 0 && (v = calloc(ss->custs.n, sizeof(*v))) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	for (i = 0; i < ss->custs.n; i++) {
		c = ss->custs.v[i];
		mu = json_array_get(json_object_get(c->obj,
		    "marketplaceUsernames"), 0);
		if ((hst && (ss_str(c->obj, "state") == NULL ||
		    strcasecmp(ss_str(c->obj, "state"), st) != 0)) ||
		    (hcc && (ss_str(c->obj, "countryCode") == NULL ||
		    strcasecmp(ss_str(c->obj, "countryCode"), cc) != 0)) ||
		    (hmid == 1 && ss_int(mu, "marketplaceId", -1) != mid))
			continue;
		v[n++] = c;
	}
	order_by(q, v, n, "Name", cmp_name);
	page_of(v, n, page, size, "customers", ((int64_t)n + size - 1) / size,
	    resp);
	free(v);
}

/* Products -------------------------------------------------------------- */

struct ss_rec *
ssmisc_product_by_sku(struct ss *ss, const char *sku)
{
	const char	*s;
	size_t		 i;

	for (i = 0; i < ss->prods.n; i++)
		if ((s = ss_str(ss->prods.v[i]->obj, "sku")) != NULL &&
		    strcmp(s, sku) == 0)
			return ss->prods.v[i];
	return NULL;
}

static json_t *
product_json(int64_t id, const json_t *in, int64_t created, int64_t mod)
{
	json_t	*o = json_object(), *v;
	size_t	 i;

	(void)json_object_set_new(o, "productId", json_integer(id));
	for (i = 0; i < sizeof(prod_keys) / sizeof(prod_keys[0]); i++) {
		v = json_object_get(in, prod_keys[i]);
		(void)json_object_set_new(o, prod_keys[i], v != NULL ?
		    json_deep_copy(v) : json_null());
	}
	if (!json_is_boolean(json_object_get(o, "active")))
		(void)json_object_set_new(o, "active", json_true());
	/* Product dates carry three fractional digits; modifyDate stays
	 * null until the product changes (§2.8). */
	(void)json_object_set_new(o, "createDate", ss_v1_time(created, 3));
	(void)json_object_set_new(o, "modifyDate", ss_v1_time(mod, 3));
	return o;
}

int64_t
ssmisc_product(struct ss *ss, const char *sku, const char *name,
    double price)
{
	struct ss_rec	*p;
	json_t		*in;
	int64_t		 now = sb_now_ms();

	if ((p = ssmisc_product_by_sku(ss, sku)) != NULL)
		return p->id;
	in = json_pack("{s:s, s:s?, s:f}", "sku", sku, "name", name,
	    "price", price);
	p = ss_tab_add(&ss->prods, product_json(ss->prods.next, in, now, 0));
	json_decref(in);
	if (p == NULL)
		return 0;
	p->t[SS_T_CREATE] = now;
	return p->id;
}

static void
list_prods(struct ss *ss, const char *q, struct sb_resp *resp)
{
	struct ss_rec	**v = NULL, *p;
	char		  sku[128], name[128];
	int64_t		  page, size, lo = INT64_MIN, hi = INT64_MAX, t;
	int		  hsku, hname, inactive = 0, h;
	size_t		  i, n = 0;

	if (ss_paging(q, 0, &page, &size, resp) == -1)
		return;
	hsku = ss_qstr(q, "sku", sku, sizeof(sku)) == 1;
	hname = ss_qstr(q, "name", name, sizeof(name)) == 1;
	if (ss_qbool(q, "showInactive", &inactive) == -1 ||
	    (h = ss_qtime(q, "startDate", 0, &t)) == -1) {
		ss_v1_invalid(resp, "request", "The request is invalid.");
		return;
	}
	if (h == 1)
		lo = t;
	if ((h = ss_qtime(q, "endDate", 0, &t)) == -1) {
		ss_v1_invalid(resp, "endDate", "The value is not valid for "
		    "DateTime.");
		return;
	}
	if (h == 1)
		hi = t;
	if (ss->prods.n > 0 && (v = calloc(ss->prods.n, sizeof(*v))) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		return;
	}
	for (i = 0; i < ss->prods.n; i++) {
		p = ss->prods.v[i];
		if ((hsku && strcasecmp(ss_str(p->obj, "sku"), sku) != 0) ||
		    (hname && !ss_icontains(ss_str(p->obj, "name"), name)) ||
		    (!inactive && !json_is_true(json_object_get(p->obj,
		    "active"))) ||
		    p->t[SS_T_CREATE] < lo || p->t[SS_T_CREATE] > hi)
			continue;
		v[n++] = p;
	}
	order_by(q, v, n, "SKU", cmp_sku);
	/* Recorded quirk (§1.5): total 1, page 1, pages 0. The products
	 * list rounds pages down, so a short last page is not counted. */
	page_of(v, n, page, size, "products", (int64_t)n / size, resp);
	free(v);
}

static void
put_prod(struct ss *ss, struct ss_rec *p, const struct sb_req *req,
    struct sb_resp *resp)
{
	json_t	*b = ss_json_body(req), *o;
	int64_t	 now = sb_now_ms();

	if (!json_is_object(b)) {
		ss_v1_invalid(resp, "product", "Cannot deserialize the current "
		    "JSON value into type 'SS.OpenApi.Models.Products.Product'.");
		json_decref(b);
		return;
	}
	if (ss_int(b, "productId", p->id) != p->id) {
		ss_v1_invalid(resp, "product.productId", "The productId in the "
		    "body does not match the URL.");
		json_decref(b);
		return;
	}
	if (ss_str(b, "sku") == NULL || ss_str(b, "name") == NULL) {
		ss_v1_invalid(resp, ss_str(b, "sku") == NULL ? "product.sku" :
		    "product.name", "The field is required.");
		json_decref(b);
		return;
	}
	/* PUT replaces the whole product (§2.8). */
	if (now <= p->t[SS_T_MODIFY])
		now = p->t[SS_T_MODIFY] + 1;
	o = product_json(p->id, b, p->t[SS_T_CREATE], now);
	json_decref(p->obj);
	p->obj = o;
	p->t[SS_T_MODIFY] = now;
	json_decref(b);
	(void)ss;
	sb_resp_json(resp, 200, json_pack("{s:b, s:s}", "success", 1,
	    "message", "The requested product has been updated"));
}

/* Webhooks -------------------------------------------------------------- */

static void
subscribe(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	json_t		*b = ss_json_body(req), *o, *sid;
	const char	*url, *ev, *name;
	struct ss_rec	*r;

	url = ss_str(b, "target_url");
	ev = ss_str(b, "event");
	sid = json_object_get(b, "store_id");
	name = ss_str(b, "friendly_name");
	if (!json_is_object(b) || url == NULL || (strncmp(url, "http://", 7) !=
	    0 && strncmp(url, "https://", 8) != 0) ||
	    strlen(url) >= SB_URL_MAX) {
		ss_v1_invalid(resp, "request.target_url", "The target_url "
		    "field is required and must be an absolute URL.");
		goto out;
	}
	if (ev == NULL || !hook_v1_event_ok(ev)) {
		ss_v1_invalid(resp, "request.event", "The event field must be "
		    "one of ORDER_NOTIFY, ITEM_ORDER_NOTIFY, SHIP_NOTIFY, "
		    "ITEM_SHIP_NOTIFY, FULFILLMENT_SHIPPED, "
		    "FULFILLMENT_REJECTED.");
		goto out;
	}
	if (json_is_integer(sid) && !ssmisc_store_ok(json_integer_value(sid))) {
		ss_v1_invalid(resp, "request.store_id", "The store was not "
		    "found.");
		goto out;
	}
	o = json_pack("{s:b, s:I, s:i, s:O?, s:s, s:s, s:s, s:s?, s:n, s:n, "
	    "s:b, s:[], s:n, s:n}",
	    "IsLabelAPIHook", 0, "WebHookID", (json_int_t)ss->hooks.next,
	    "SellerID", SS_SELLER,
	    "StoreID", json_is_integer(sid) ? sid : NULL,
	    "HookType", ev, "MessageFormat", "Json", "Url", url,
	    "Name", name, "BulkCopyBatchID", "BulkCopyRecordID",
	    "Active", 1, "WebhookLogs", "Seller", "Store");
	if ((r = ss_tab_add(&ss->hooks, o)) == NULL) {
		ss_v1_500(resp, "Out of memory.");
		goto out;
	}
	r->store = json_is_integer(sid) ? json_integer_value(sid) : 0;
	sb_resp_json(resp, 201, json_pack("{s:I}", "id", (json_int_t)r->id));
out:
	json_decref(b);
}

static int64_t
tail_id(const char *path, const char *prefix)
{
	const char	*p = path + strlen(prefix);
	char		*end;
	long long	 v;

	if (strncmp(path, prefix, strlen(prefix)) != 0 || *p < '0' ||
	    *p > '9')
		return 0;
	v = strtoll(p, &end, 10);
	return *end == '\0' ? v : 0;
}

int
ssmisc_handle(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char		*p = req->path, *m = req->method;
	const struct store	*s;
	struct ss_rec		*r;
	json_t			*a;
	int			 get = strcmp(m, "GET") == 0 ||
				    strcmp(m, "HEAD") == 0;
	int64_t			 id;
	size_t			 i;
	char			 msg[128];

	if (strcmp(p, "/customers") == 0) {
		if (!get)
			goto method;
		list_custs(ss, req->query, resp);
	} else if ((id = tail_id(p, "/customers/")) != 0) {
		if (!get)
			goto method;
		if ((r = ss_tab_get(&ss->custs, id)) == NULL)
			ss_v1_error(resp, 404, "The requested customer could "
			    "not be found.");
		else
			sb_resp_json(resp, 200, json_incref(r->obj));
	} else if (strcmp(p, "/products") == 0) {
		if (!get)
			goto method;
		list_prods(ss, req->query, resp);
	} else if ((id = tail_id(p, "/products/")) != 0) {
		if ((r = ss_tab_get(&ss->prods, id)) == NULL)
			ss_v1_error(resp, 404, "The requested product could "
			    "not be found.");
		else if (get)
			sb_resp_json(resp, 200, json_incref(r->obj));
		else if (strcmp(m, "PUT") == 0)
			put_prod(ss, r, req, resp);
		else
			goto method;
	} else if (strcmp(p, "/stores") == 0) {
		if (!get)
			goto method;
		sb_resp_json(resp, 200, ssmisc_stores());
	} else if ((id = tail_id(p, "/stores/")) != 0) {
		if (!get)
			goto method;
		if ((s = store_get(id)) == NULL)
			ss_v1_error(resp, 404, "The requested store could not "
			    "be found.");
		else
			sb_resp_json(resp, 200, store_json(s));
	} else if (strcmp(p, "/webhooks/subscribe") == 0) {
		if (strcmp(m, "POST") != 0)
			goto method;
		subscribe(ss, req, resp);
	} else if (strcmp(p, "/webhooks") == 0) {
		if (!get)
			goto method;
		a = json_array();
		for (i = 0; i < ss->hooks.n; i++)
			if (!(ss->hooks.v[i]->flags & SS_F_DELETED))
				(void)json_array_append(a, ss->hooks.v[i]->obj);
		/* Wrapped, as recorded (§3.1). */
		sb_resp_json(resp, 200, json_pack("{s:o}", "webhooks", a));
	} else if ((id = tail_id(p, "/webhooks/")) != 0) {
		if (strcmp(m, "DELETE") != 0)
			goto method;
		r = ss_tab_get(&ss->hooks, id);
		if (r == NULL || (r->flags & SS_F_DELETED))
			ss_v1_error(resp, 404, "The requested webhook could "
			    "not be found.");
		else {
			r->flags |= SS_F_DELETED;
			(void)json_object_set_new(r->obj, "Active",
			    json_false());
			/* 200 with an empty body (§3.1). */
			sb_resp_text(resp, 200, NULL, "");
		}
	} else
		return 0;
	return 1;
method:
	(void)snprintf(msg, sizeof(msg), "The requested resource does not "
	    "support http method '%s'.", m);
	ss_v1_error(resp, 405, msg);
	return 1;
}
