/*
 * The x3.product job: X3 is the product master (DESIGN.md); its name
 * (ITMDES1), base price (BASPRI) and weight (ITMWEI in WEU) go to the
 * ShipStation product whose SKU is the X3 item code, with V1
 * PUT /products/{id}, which replaces the whole product (shipstation.md
 * 2.8): we send the product as ShipStation listed it with those three
 * fields changed. A PUT is idempotent, so a retry or a replay does no
 * harm; an unchanged product is not written. An SKU ShipStation does
 * not have is nothing to update (audited skip); SKUs are only
 * "suggested" unique there, so every exact match is updated.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"

#define PRODUCTS_MAX	20	/* exact SKU matches we update */

/* X3 weight units to ounces (ShipStation weightOz). */
static const struct {
	const char	*weu;
	double		 oz;
} units[] = {
	{ "KG", 35.27396195 },
	{ "G", 0.03527396195 },
	{ "GR", 0.03527396195 },
	{ "LB", 16.0 },
	{ "OZ", 1.0 },
};

struct item {
	const char	*code;
	const char	*name;		/* ITMDES1, or NULL */
	double		 price;		/* BASPRI, or NAN */
	double		 oz;		/* weight in ounces, or NAN */
};

struct found {
	const char	*sku;
	json_t		*v;		/* exact matches (new array) */
};

/* Two decimals, without libm (the programs do not link it). */
static double
cents(double v)
{
	return (double)(long long)(v * 100 + (v >= 0 ? 0.5 : -0.5)) / 100;
}

static double
dabs(double v)
{
	return v < 0 ? -v : v;
}

static double
num(json_t *v)
{
	char	*end;
	double	 d;

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v)) {
		d = strtod(json_string_value(v), &end);
		if (end != json_string_value(v) && *end == '\0')
			return d;
	}
	return NAN;
}

static int
collect(void *arg, json_t *rec)
{
	struct found	*f = arg;
	const char	*sku = json_string_value(json_object_get(rec, "sku"));

	/* The filter may match without case; we want the exact SKU. */
	if (sku != NULL && strcmp(sku, f->sku) == 0 &&
	    json_array_size(f->v) < PRODUCTS_MAX)
		(void)json_array_append(f->v, rec);
	return 0;
}

static void
audit(const struct jobrun_ctx *ctx, const struct job *j, const char *action,
    const char *target, const char *req, const char *resp, long status,
    int64_t ms, const char *outcome)
{
	struct audit_rec	 a = { .job_id = j->id, .action = action,
	    .target = target, .request = req, .response = resp,
	    .http_status = status, .duration_ms = ms, .outcome = outcome };

	(void)audit_add(ctx->db, &a);
}

static int64_t
since(const struct timespec *t0)
{
	struct timespec	 t1;

	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Apply the X3 values to a copy of p. New, or NULL when unchanged. */
static json_t *
changed_copy(json_t *p, const struct item *it)
{
	const char	*name = json_string_value(json_object_get(p, "name"));
	double		 price = num(json_object_get(p, "price"));
	double		 oz = num(json_object_get(p, "weightOz"));
	int		 same = 1;
	json_t		*c;

	if (it->name != NULL && (name == NULL || strcmp(name, it->name) != 0))
		same = 0;
	if (!isnan(it->price) && (isnan(price) ||
	    dabs(price - it->price) >= 0.005))
		same = 0;
	if (!isnan(it->oz) && (isnan(oz) || dabs(oz - it->oz) >= 0.01))
		same = 0;
	if (same || (c = json_deep_copy(p)) == NULL)
		return NULL;
	if (it->name != NULL)
		(void)json_object_set_new(c, "name", json_string(it->name));
	if (!isnan(it->price))
		(void)json_object_set_new(c, "price",
		    json_real(cents(it->price)));
	if (!isnan(it->oz))
		(void)json_object_set_new(c, "weightOz",
		    json_real(cents(it->oz)));
	return c;
}

void
sync_product(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	const struct http_resp	*last;
	struct timespec		 t0;
	struct found		 f = { NULL, NULL };
	struct ss_param		 p[1];
	struct item		 it;
	json_t			*x = NULL, *c, *prod;
	const char		*weu;
	char			*req, msg[160];
	enum core_err		 rc;
	size_t			 i, k, nput = 0;

	if (ctx->ss == NULL || ctx->x3 == NULL) {
		job_outcome_set(o, JOB_ERR_AUTH, "needs both the shipstation "
		    "and the x3 groups");
		return;
	}
	if (ctx->cfg->ss.v2) {
		/* XXX V2 product updates are not built. */
		job_outcome_set(o, JOB_ERR_DATA, "product push needs the V1 "
		    "API (shipstation.api = \"v1\")");
		return;
	}
	/* The item as X3 has it now ($details: the weight is not on the
	 * query facet the poll stored). */
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = x3_rest_get(ctx->x3, "ITMMASTER", j->key, "ITMMASTER", &x);
	last = x3_last(ctx->x3);
	audit(ctx, j, "x3.product.read", "x3", j->key, NULL, last != NULL ?
	    last->status : 0, since(&t0), rc == CORE_OK ? "ok" : "failed");
	if (rc != CORE_OK) {
		job_outcome_set(o, last != NULL && last->class !=
		    JOB_ERR_NONE ? last->class : JOB_ERR_TRANSIENT,
		    "X3 item %s: %s", j->key, last != NULL ? last->what :
		    core_strerror(rc));
		goto out;
	}
	memset(&it, 0, sizeof(it));
	it.code = j->key;
	it.name = json_string_value(json_object_get(x, "ITMDES1"));
	it.price = num(json_object_get(x, "BASPRI"));
	it.oz = NAN;
	weu = json_string_value(json_object_get(x, "WEU"));
	for (k = 0; weu != NULL && k < sizeof(units) / sizeof(units[0]); k++)
		if (strcmp(weu, units[k].weu) == 0)
			it.oz = num(json_object_get(x, "ITMWEI")) *
			    units[k].oz;
	if (!isnan(it.oz) && it.oz <= 0)
		it.oz = NAN;	/* no weight in X3: leave ShipStation's */

	f.sku = j->key;
	if ((f.v = json_array()) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	p[0].name = "sku";
	p[0].value = j->key;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ss_list(ctx->ss, SS_PRODUCTS, p, 1, QUOTA_MASTER, collect, &f,
	    NULL);
	last = ss_last(ctx->ss);
	audit(ctx, j, "ss.product.find", "shipstation", j->key, NULL,
	    last != NULL ? last->status : 0, since(&t0), rc == CORE_OK ?
	    "ok" : "failed");
	if (rc != CORE_OK) {
		job_outcome_set(o, last != NULL && last->class !=
		    JOB_ERR_NONE ? last->class : JOB_ERR_TRANSIENT,
		    "ShipStation products: %s", last != NULL ? last->what :
		    core_strerror(rc));
		goto out;
	}
	if (json_array_size(f.v) == 0) {
		(void)snprintf(msg, sizeof(msg), "SKU %s is not a ShipStation "
		    "product: nothing to update", j->key);
		audit(ctx, j, "product.skip", NULL, NULL, msg, 0, -1,
		    "skipped");
		goto out;
	}
	json_array_foreach(f.v, i, prod) {
		if ((c = changed_copy(prod, &it)) == NULL) {
			audit(ctx, j, "product.skip", NULL, NULL,
			    "ShipStation product already has the X3 name, "
			    "price and weight", 0, -1, "skipped");
			continue;
		}
		req = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
		(void)clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = ss_update_product(ctx->ss, c);
		last = ss_last(ctx->ss);
		audit(ctx, j, "ss.product.update", "shipstation", req,
		    last != NULL ? last->body : NULL, last != NULL ?
		    last->status : 0, since(&t0), rc == CORE_OK ? "ok" :
		    job_class_name(last != NULL && last->class !=
		    JOB_ERR_NONE ? last->class : JOB_ERR_TRANSIENT));
		free(req);
		json_decref(c);
		if (rc != CORE_OK) {
			job_outcome_set(o, last != NULL && last->class !=
			    JOB_ERR_NONE ? last->class : JOB_ERR_TRANSIENT,
			    "ShipStation product update: %s", last != NULL ?
			    last->what : core_strerror(rc));
			goto out;
		}
		nput++;
	}
	log_info("product %s: %zu ShipStation product%s updated", j->key,
	    nput, nput == 1 ? "" : "s");
out:
	json_decref(f.v);
	json_decref(x);
}
