/*
 * sync_ship_build(), the pure delivery builder: shipped SKUs drawn on
 * the X3 order lines of their item up to what each has left, exactly
 * the shipped quantities, the key, carrier and tracking; fulfillments
 * send no lines; over-shipping and an unknown item are refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core.h"
#include "sync_ship.h"

/* Two lines of one item (one partly delivered) and one of another. */
static const char x3lines[] = "[{\"lineNumber\": 1000, \"product\": "
    "{\"code\": \"ITEM-A\"}, \"quantityInSalesUnitOrdered\": \"3\", "
    "\"quantityInSalesUnitDelivered\": \"1\"}, {\"lineNumber\": 2000, "
    "\"product\": {\"code\": \"ITEM-B\"}, \"quantityInSalesUnitOrdered\": "
    "\"1\", \"quantityInSalesUnitDelivered\": \"0\"}, {\"lineNumber\": "
    "3000, \"product\": {\"code\": \"ITEM-A\"}, "
    "\"quantityInSalesUnitOrdered\": \"4\", "
    "\"quantityInSalesUnitDelivered\": \"0\"}]";

static json_t *
build(const char *doc, const char *items, char *err, int *rc)
{
	struct sync_ship_in	 in;
	json_t			*d, *l, *it, *out = NULL;

	d = json_loads(doc, 0, NULL);
	l = json_loads(x3lines, 0, NULL);
	it = json_loads(items, 0, NULL);
	assert_non_null(d);
	assert_non_null(l);
	assert_non_null(it);
	in.doc = d;
	in.ref = "SHP77";
	in.order = "SS1001";
	in.lines = l;
	in.items = it;
	in.carrier = "USPS";
	in.mode = "PRI";
	*rc = sync_ship_build(&in, &out, err, 256);
	json_decref(d);
	json_decref(l);
	json_decref(it);
	return out;
}

static char *
lines_of(json_t *v)
{
	return json_dumps(json_object_get(json_object_get(v, "data"),
	    "lines"), JSON_COMPACT | JSON_SORT_KEYS);
}

static void
label_draws_on_lines_in_order(void **state)
{
	char	 err[256], *s;
	json_t	*v;
	int	 rc;

	(void)state;
	/* SKU a: 5 = 2 left on line 1000 + 3 of line 3000; adjustment out. */
	v = build("{\"shipDate\": \"2026-11-21\", \"trackingNumber\": \"9400\","
	    " \"shipmentItems\": [{\"sku\": \"a\", \"quantity\": 5}, "
	    "{\"sku\": \"b\", \"quantity\": 1}, {\"sku\": \"off\", "
	    "\"quantity\": 1, \"adjustment\": true}]}",
	    "{\"a\": \"ITEM-A\", \"b\": \"ITEM-B\"}", err, &rc);
	assert_int_equal(rc, 0);
	s = lines_of(v);
	assert_string_equal(s, "[{\"quantityInSalesUnitDelivered\":\"2\","
	    "\"salesOrderLine\":1000},{\"quantityInSalesUnitDelivered\":\"3\","
	    "\"salesOrderLine\":3000},{\"quantityInSalesUnitDelivered\":\"1\","
	    "\"salesOrderLine\":2000}]");
	free(s);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "data"), "shipmentReference")), "SHP77");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "data"), "salesOrder")), "SS1001");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "data"), "trackingNumber")), "9400");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "data"), "deliveryMode")), "PRI");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "data"), "shipmentDate")), "2026-11-21");
	json_decref(v);
}

static void
fulfillment_sends_no_lines(void **state)
{
	char	 err[256];
	json_t	*v;
	int	 rc;

	(void)state;
	v = build("{\"shipDate\": \"2026-11-21T00:00:00.0000000\", "
	    "\"trackingNumber\": \"\"}", "{}", err, &rc);
	assert_int_equal(rc, 0);
	assert_null(json_object_get(json_object_get(v, "data"), "lines"));
	assert_null(json_object_get(json_object_get(v, "data"),
	    "trackingNumber"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "data"), "shipmentDate")), "2026-11-21");
	json_decref(v);
}

static void
refusals(void **state)
{
	char	 err[256];
	int	 rc;

	(void)state;
	/* 7 of item A: only 6 left (2 on line 1000, 4 on 3000). */
	assert_null(build("{\"shipDate\": \"2026-11-21\", \"shipmentItems\": "
	    "[{\"sku\": \"a\", \"quantity\": 7}]}", "{\"a\": \"ITEM-A\"}", err,
	    &rc));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "more shipped than X3 order SS1001"));
	/* A SKU without an item. */
	assert_null(build("{\"shipDate\": \"2026-11-21\", \"shipmentItems\": "
	    "[{\"sku\": \"zz\", \"quantity\": 1}]}", "{}", err, &rc));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "'zz'"));
	/* An item the X3 order does not have. */
	assert_null(build("{\"shipDate\": \"2026-11-21\", \"shipmentItems\": "
	    "[{\"sku\": \"c\", \"quantity\": 1}]}", "{\"c\": \"ITEM-C\"}", err,
	    &rc));
	assert_int_equal(rc, -1);
	/* Nothing shipped, no date. */
	assert_null(build("{\"shipDate\": \"2026-11-21\", \"shipmentItems\": "
	    "[]}", "{}", err, &rc));
	assert_string_equal(err, "no shipped product lines");
	assert_null(build("{\"shipmentItems\": []}", "{}", err, &rc));
	assert_string_equal(err, "document has no shipDate");
}

static void
keys(void **state)
{
	char	 ref[SYNC_SHIP_REF_MAX + 1];

	(void)state;
	assert_int_equal(sync_ship_ref("shipment", "123", ref, sizeof(ref)), 0);
	assert_string_equal(ref, "SHP123");
	assert_int_equal(sync_ship_ref("fulfillment", "9", ref, sizeof(ref)),
	    0);
	assert_string_equal(ref, "FUL9");
	assert_int_equal(sync_ship_ref("shipment", "12345678901234567890",
	    ref, sizeof(ref)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_draws_on_lines_in_order),
		cmocka_unit_test(fulfillment_sends_no_lines),
		cmocka_unit_test(refusals),
		cmocka_unit_test(keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
