/*
 * Realistic sample data, the same for the same seed: three stores,
 * multi-line orders, unicode names, order numbers past 20 characters
 * (X3's CUSORDREF limit), gift, discount and shipping adjustment
 * lines, holds, cancellations, shipped orders and partial shipments
 * as ShipStation records them (a split: a shipped child order with
 * parentId, the parent keeping the rest, both mergedOrSplit, §5.5).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

struct rng {
	uint64_t	 s;
};

/* splitmix64: tiny, good enough, and the same everywhere. */
static uint64_t
next(struct rng *r)
{
	uint64_t	 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
pick(struct rng *r, int n)
{
	return (int)(next(r) % (uint64_t)n);
}

static const struct {
	const char	*sku;
	const char	*name;
	double		 price;
	int		 oz;
} products[] = {
	{ "WID-001", "Widget, small", 9.99, 4 },
	{ "WID-002", "Widget, large", 19.5, 12 },
	{ "GAD-100", "Gadget Pro 100", 149.0, 40 },
	{ "GAD-101", "Gadget Pro 101 (refurbished)", 99.95, 40 },
	{ "CAB-USB-C-2M", "USB-C cable 2 m", 12.49, 3 },
	{ "CAB-HDMI-1M", "HDMI cable 1 m", 8.75, 3 },
	{ "TEE-M-BLK", "T-shirt M black", 24.0, 6 },
	{ "TEE-L-WHT", "T-shirt L white", 24.0, 7 },
	{ "MUG-CRÈME", "Mug crème brûlée", 14.25, 14 },
	{ "CAFÉ-250G", "Café moulu 250 g", 11.9, 9 },
	{ "BOOK-ZH-01", "书法入门 (calligraphy primer)", 32.0, 18 },
	{ "LAMP-DESK", "Desk lamp, ©Lumière", 59.0, 48 },
	{ "SOCK-3PK", "Socks, 3-pack", 15.0, 5 },
	{ "BAG-TOTE", "Tote bag", 18.0, 8 },
	{ "PEN-SET-12", "Pen set (12)", 21.3, 6 },
	{ "KB-DE-QWERTZ", "Tastatur Größe DE", 79.99, 30 },
};
#define NPRODUCTS	(sizeof(products) / sizeof(products[0]))

static const char *const names[] = {
	"José Álvarez", "Zoë Müller", "Søren Kierkegaard", "李小龍",
	"Łukasz Żółć", "François Dupont", "Ana-María O'Neil",
	"Märta Ångström", "Иван Петров", "Nguyễn Văn An", "John Smith",
	"Mary Johnson", "Ζωή Παπαδοπούλου", "Ørjan Bjørnstad",
};
#define NNAMES		(sizeof(names) / sizeof(names[0]))

static const struct {
	const char	*street;
	const char	*city;
	const char	*state;
	const char	*zip;
	const char	*country;
} addrs[] = {
	{ "1600 Pennsylvania Ave NW", "Washington", "DC", "20500-0005", "US" },
	{ "350 5th Ave", "New York", "NY", "10118", "US" },
	{ "1 Infinite Loop", "Cupertino", "CA", "95014", "US" },
	{ "500 S Buena Vista St", "Burbank", "CA", "91521", "US" },
	{ "Friedrichstraße 43", "Berlin", NULL, "10117", "DE" },
	{ "8 Rue de Rivoli", "Paris", NULL, "75004", "FR" },
	{ "Calle de Alcalá 1", "Madrid", NULL, "28014", "ES" },
	{ "123 Queen St W", "Toronto", "ON", "M5H 2M9", "CA" },
};
#define NADDRS		(sizeof(addrs) / sizeof(addrs[0]))

static const int64_t seed_stores[] = { SS_STORE_MANUAL, SS_STORE_SHOPIFY,
    SS_STORE_AMAZON };

static json_t *
address(const char *name, int a, const char *phone)
{
	return json_pack("{s:s, s:n, s:s, s:n, s:n, s:s, s:s?, s:s, s:s, "
	    "s:s, s:b}", "name", name, "company", "street1",
	    addrs[a].street, "street2", "street3", "city", addrs[a].city,
	    "state", addrs[a].state, "postalCode", addrs[a].zip,
	    "country", addrs[a].country, "phone", phone, "residential", 1);
}

static json_t *
line(int p, int qty, const char *key)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:f, s:{s:i, s:s}, "
	    "s:s, s:[{s:s, s:s}], s:b}", "lineItemKey", key,
	    "sku", products[p].sku, "name", products[p].name,
	    "quantity", qty, "unitPrice", products[p].price,
	    "taxAmount", 0.0, "shippingAmount", 0.0,
	    "weight", "value", products[p].oz, "units", "ounces",
	    "warehouseLocation", "Aisle 1, Bin 7",
	    "options", "name", "Gift wrap", "value", "no",
	    "adjustment", 0);
}

static json_t *
adjustment(const char *sku, const char *name, double price)
{
	return json_pack("{s:n, s:s, s:s, s:i, s:f, s:b, s:s}",
	    "lineItemKey", "sku", sku, "name", name, "quantity", 1,
	    "unitPrice", price, "adjustment", 1, "fulfillmentSku", sku);
}

static void
clear_resp(struct sb_resp *r)
{
	size_t	 i;

	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void
set_split(struct ss_rec *o, int64_t parent, int64_t child)
{
	json_t	*adv = json_object_get(o->obj, "advancedOptions");

	(void)json_object_set_new(adv, "mergedOrSplit", json_true());
	if (parent != 0)
		(void)json_object_set_new(adv, "parentId",
		    json_integer(parent));
	if (child != 0)
		(void)json_array_append_new(json_object_get(adv, "mergedIds"),
		    json_integer(child));
	ss_rec_dirty(o);
}

int
seed_run(struct ss *ss, uint64_t seed, int n, json_t **summary)
{
	struct rng	 r = { seed };
	struct sb_resp	 tmp;
	struct ss_rec	*o, *c;
	json_t		*in, *items, *rest, *ship, *lbl;
	char		 num[64], key[64], lk[96], batch[3][37], email[128];
	char		 odate[TZ_BUFSZ], user[64];
	const char	*name, *status;
	int64_t		 now = sb_now_ms(), first = 0, last = 0;
	int		 i, k, nl, s, a, p, roll, nt, cnt[5] = { 0 };
	int		 notify[3] = { 0 };
	size_t		 j;

	*summary = NULL;
	if (n < 0 || n > SB_SEED_MAX)
		return -1;
	for (j = 0; j < NPRODUCTS; j++) {
		if (ssmisc_product_by_sku(ss, products[j].sku) != NULL)
			continue;
		(void)ssmisc_product(ss, products[j].sku, products[j].name,
		    products[j].price);
		/* V2 stock for each (one warehouse, one location). */
		(void)ss_tab_add(&ss->inv, json_pack("{s:s, s:i, s:i, s:i, "
		    "s:{s:s, s:f}, s:s, s:s}", "sku", products[j].sku,
		    "on_hand", 100 + pick(&r, 400), "allocated", 0,
		    "available", 0, "average_cost", "currency", "usd",
		    "amount", products[j].price / 2, "inventory_warehouse_id",
		    "se-1001", "inventory_location_id", "se-2001"));
		c = ss->inv.v[ss->inv.n - 1];
		(void)json_object_set(c->obj, "available",
		    json_object_get(c->obj, "on_hand"));
	}
	for (j = 0; j < 3; j++)
		ss_guid(batch[j]);
	memset(&tmp, 0, sizeof(tmp));
	for (i = 0; i < n; i++) {
		s = pick(&r, 3);
		a = pick(&r, (int)NADDRS);
		name = names[pick(&r, (int)NNAMES)];
		switch (s) {
		case 0:
			(void)snprintf(num, sizeof(num), "M-%06d",
			    100000 + pick(&r, 900000));
			break;
		case 1:
			(void)snprintf(num, sizeof(num), "#%d", 1001 + i);
			break;
		default:
			/* Marketplace numbers run past 20 characters. */
			(void)snprintf(num, sizeof(num), "AMZ-%03d-%07d-%07d",
			    100 + pick(&r, 900), pick(&r, 10000000),
			    pick(&r, 10000000));
			break;
		}
		(void)snprintf(key, sizeof(key), "seed-%llx-%06d",
		    (unsigned long long)seed, i);
		(void)snprintf(user, sizeof(user), "customer%03d",
		    pick(&r, 200));
		(void)snprintf(email, sizeof(email), "%s@example.com", user);
		items = json_array();
		nl = 1 + pick(&r, 4);
		for (k = 0; k < nl; k++) {
			p = pick(&r, (int)NPRODUCTS);
			(void)snprintf(lk, sizeof(lk), "%s-L%d", key, k + 1);
			(void)json_array_append_new(items, line(p,
			    1 + pick(&r, 5), lk));
		}
		roll = pick(&r, 100);
		if (roll < 20)
			(void)json_array_append_new(items, adjustment(
			    "DISCOUNT CODE", "10% OFF", -5.0 - pick(&r, 20)));
		if (pick(&r, 100) < 10)
			(void)json_array_append_new(items, adjustment(
			    "SHIPPING", "Shipping surcharge", 4.95));
		roll = pick(&r, 100);
		status = roll < 10 ? "awaiting_payment" : roll < 15 ?
		    "on_hold" : roll < 20 ? "cancelled" : "awaiting_shipment";
		if (pick(&r, 100) < 15)
			(void)json_array_append_new(items, adjustment(
			    "GIFT-WRAP", "Gift wrap", 4.99));
		tz_fmt_v1(now - (int64_t)pick(&r, 30 * 24 * 3600) * 1000, 7,
		    odate, sizeof(odate));
		in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, "
		    "s:o, s:f, s:f, s:f, s:b, s:s?, s:s, s:s, s:{s:I, s:s}}",
		    "orderNumber", num, "orderKey", key, "orderDate", odate,
		    "paymentDate", odate, "orderStatus", status,
		    "customerUsername", email, "customerEmail", email,
		    "billTo", address(name, a, "555-555-0101"),
		    "shipTo", address(name, a, "555-555-0101"),
		    "items", items,
		    "amountPaid", 0.0, "taxAmount", 2.5,
		    "shippingAmount", 5.0,
		    "gift", roll % 7 == 0,
		    "giftMessage", roll % 7 == 0 ? "Joyeux anniversaire ! 🎂" :
		    NULL,
		    "paymentMethod", "Credit Card",
		    "requestedShippingService", "Priority Mail",
		    "advancedOptions", "storeId", (json_int_t)seed_stores[s],
		    "source", s == 0 ? "Manual" : s == 1 ? "Shopify" : "Amazon");
		if (strcmp(status, "on_hold") == 0)
			(void)json_object_set_new(in, "holdUntilDate",
			    json_string("2099-12-31"));
		o = ssorder_upsert(ss, in, batch[s], &tmp, &nt);
		clear_resp(&tmp);
		notify[s] |= nt;
		if (o == NULL) {
			json_decref(in);
			continue;
		}
		if (first == 0)
			first = o->id;
		last = o->id;
		cnt[0]++;
		roll = pick(&r, 100);
		ship = json_pack("{s:s, s:s}", "carrierCode", "stamps_com",
		    "serviceCode", "usps_priority_mail");
		if (strcmp(status, "awaiting_shipment") == 0 && roll < 15) {
			/* Shipped whole. */
			if (ssship_label(ss, o, ship, 0, &tmp) != NULL)
				cnt[1]++;
			clear_resp(&tmp);
		} else if (strcmp(status, "awaiting_shipment") == 0 &&
		    roll < 22 && nl >= 2) {
			/* Partial: split off the first line and ship it. */
			items = json_object_get(in, "items");
			(void)json_object_set_new(in, "orderKey",
			    json_sprintf("%s-S1", key));
			rest = json_deep_copy(items);
			(void)json_array_remove(rest, 0);
			while (json_array_size(items) > 1)
				(void)json_array_remove(items, 1);
			c = ssorder_upsert(ss, in, batch[s], &tmp, &nt);
			clear_resp(&tmp);
			if (c != NULL) {
				set_split(c, o->id, 0);
				set_split(o, 0, c->id);
				(void)json_object_set_new(in, "orderKey",
				    json_string(key));
				(void)json_object_set_new(in, "items", rest);
				rest = NULL;
				(void)ssorder_upsert(ss, in, batch[s], &tmp,
				    &nt);
				clear_resp(&tmp);
				lbl = ssship_label(ss, c, ship, 0, &tmp) !=
				    NULL ? json_true() : json_false();
				clear_resp(&tmp);
				json_decref(lbl);
				cnt[2]++;
				last = c->id;
			}
			json_decref(rest);
		} else if (strcmp(status, "awaiting_shipment") == 0 &&
		    roll < 26) {
			/* Marked shipped without a label: a fulfillment. */
			json_decref(ship);
			ship = json_pack("{s:s, s:s, s:b}", "carrierCode",
			    "UPS", "trackingNumber", "1Z999AA10123456784",
			    "notifySalesChannel", 1);
			if (ssship_fulfill(ss, o, ship, &tmp) != NULL)
				cnt[3]++;
			clear_resp(&tmp);
		}
		json_decref(ship);
		json_decref(in);
	}
	/* One ORDER_NOTIFY per store batch, as an import does (§3.2). */
	for (j = 0; j < 3; j++) {
		char	 q1[256], q2[256];

		if (!notify[j])
			continue;
		(void)snprintf(q1, sizeof(q1), "/orders?storeID=%lld&"
		    "importBatch=%s", (long long)seed_stores[j], batch[j]);
		(void)snprintf(q2, sizeof(q2), "/v2/shipments?import_batch_id=%s",
		    batch[j]);
		hook_fire(ss, HOOK_ORDER, seed_stores[j], q1, q2);
	}
	*summary = json_pack("{s:I, s:i, s:i, s:i, s:i, s:I, s:I, s:[s, s, s]}",
	    "seed", (json_int_t)seed, "orders", cnt[0], "shipped", cnt[1],
	    "split", cnt[2], "fulfilled", cnt[3], "first_order_id",
	    (json_int_t)first, "last_order_id", (json_int_t)last,
	    "import_batches", batch[0], batch[1], batch[2]);
	return 0;
}
