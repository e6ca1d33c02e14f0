/*
 * ShipStation client, V1 (ssapi, Basic key:secret) or V2 (api, API-Key
 * header), chosen by shipstation.api (reference shipstation.md 1-4).
 * Every call goes through the shared quota (quota.c) at the caller's
 * priority and corrects it from the answer's headers.
 *
 * Lists page until an empty page or a page shorter than the page size;
 * `pages` only lets us skip the last, empty fetch when `total` agrees
 * (V1 has answered "pages": 0 with "total": 1, reference 1.5). A page
 * that fails with a 5xx is fetched again at half the size, down to one
 * record; a record that still fails alone is skipped and counted as
 * poison (reference 5.4: one corrupt order can 500 a whole page). The
 * size grows back once the offset is aligned again.
 *
 * A webhook's resource_url is fetched with our credentials only when
 * its scheme, host and port are those of the configured base (V1 also
 * allows the numbered hosts ssapiN of ssapi, reference 1.1).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "core.h"

struct ss {
	const struct cfg_ss	*cfg;		/* lent */
	struct http		*http;
	struct quota		*quota;		/* NULL without a database */
	struct http_resp	*last;
	char			*auth_hdr;	/* V2 "API-Key: ..." */
	enum quota_prio		 prio;		/* of the call in progress */
	int64_t			 max_wait;	/* for a quota slot, clk ms */
	struct ss_stats		*stats;		/* of the call in progress */
};

struct coll {
	const char	*name;
	const char	*v1_path, *v1_key;
	const char	*v2_path, *v2_key;
	int		 v2_max;	/* V2 page_size ceiling */
};

static const struct coll colls[SS__MAX] = {
	{ "orders", "/orders", "orders", "/v2/shipments", "shipments",
	    ML_SS_PAGE_MAX },					/* SS_ORDERS */
	{ "shipments", "/shipments", "shipments", "/v2/labels", "labels",
	    ML_SS_PAGE_MAX },					/* SS_SHIPMENTS */
	{ "fulfillments", "/fulfillments", "fulfillments", "/v2/fulfillments",
	    "fulfillments", ML_SS_PAGE_MAX },			/* SS_FULFILLMENTS */
	{ "products", "/products", "products", "/v2/products", "products",
	    ML_SS_V2_PRODUCTS_PAGE_MAX },			/* SS_PRODUCTS */
	{ "customers", "/customers", "customers", NULL, NULL,
	    ML_SS_PAGE_MAX },					/* SS_CUSTOMERS */
};

const char *
ss_coll_name(enum ss_coll c)
{
	return (unsigned int)c < SS__MAX ? colls[c].name : "unknown";
}

enum core_err
ss_new(const struct cfg_ss *cfg, struct db *db, struct ss **out)
{
	struct http_opts	 o;
	struct ss		*s;
	const char		*key;
	size_t			 n;

	*out = NULL;
	if (!cfg->enabled)
		return CORE_ECONFIG;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return CORE_ENOMEM;
	s->cfg = cfg;
	s->max_wait = ML_QUOTA_WAIT_MS;
	memset(&o, 0, sizeof(o));
	o.connect_timeout = cfg->connect_timeout;
	o.timeout = cfg->timeout;
	o.ca_file = cfg->ca_file;
	o.allow_http = cfg->allow_http;
	o.max_body = cfg->max_body;
	o.retries = cfg->retries;
	if ((s->http = http_new(&o)) == NULL)
		goto nomem;
	key = cfg->v2 ? cfg->v2_key : cfg->key;
	if (db != NULL && (s->quota = quota_new(db, key, cfg->rate_limit,
	    ML_SS_WINDOW_MS)) == NULL)
		goto nomem;
	if (cfg->v2) {
		n = strlen(key) + sizeof("API-Key: ");
		if ((s->auth_hdr = malloc(n)) == NULL)
			goto nomem;
		(void)snprintf(s->auth_hdr, n, "API-Key: %s", key);
	}
	*out = s;
	return CORE_OK;
nomem:
	ss_free(s);
	return CORE_ENOMEM;
}

void
ss_free(struct ss *s)
{
	if (s == NULL)
		return;
	if (s->auth_hdr != NULL) {
		explicit_bzero(s->auth_hdr, strlen(s->auth_hdr));
		free(s->auth_hdr);
	}
	quota_free(s->quota);
	http_resp_free(s->last);
	http_free(s->http);
	free(s);
}

const struct http_resp *
ss_last(const struct ss *s)
{
	return s->last;
}

struct quota *
ss_quota(struct ss *s)
{
	return s->quota;
}

static enum core_err
before(void *arg)
{
	struct ss	*s = arg;

	if (s->quota == NULL)
		return CORE_OK;
	return quota_take(s->quota, s->prio, s->max_wait);
}

static void
after(void *arg, const struct http_resp *r)
{
	struct ss	*s = arg;
	enum core_err	 rc;

	if (s->stats != NULL)
		s->stats->calls++;
	if (s->quota != NULL && (rc = quota_update(s->quota, r)) != CORE_OK)
		log_warnx("quota: cannot record the answer: %s",
		    core_strerror(rc));
}

/* One call with auth and quota; the answer stays in s->last. */
static enum core_err
call(struct ss *s, const char *method, const char *url, const char *body,
    enum quota_prio prio, int no_retry_5xx, struct ss_stats *st)
{
	struct http_req	 q;
	const char	*hdrs[1];

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = url;
	q.body = body;
	q.bodylen = body ? strlen(body) : 0;
	q.expect_json = 1;
	q.no_retry_5xx = no_retry_5xx;
	q.before = before;
	q.after = after;
	q.arg = s;
	if (s->cfg->v2) {
		hdrs[0] = s->auth_hdr;
		q.headers = hdrs;
		q.nheaders = 1;
	} else {
		q.user = s->cfg->key;
		q.password = s->cfg->secret;
	}
	s->prio = prio;
	s->stats = st;
	http_resp_free(s->last);
	s->last = NULL;
	return http_do(s->http, &q, &s->last);
}

static int
mkurl(char *url, size_t sz, const char *base, const char *path)
{
	int	 n = snprintf(url, sz, "%s%s", base, path);

	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

/* An id we put in a path: letters, digits, '-' and '_' only. */
static int
valid_id(const char *id)
{
	size_t	 i;

	if (id == NULL || id[0] == '\0' || strlen(id) > 64)
		return 0;
	for (i = 0; id[i] != '\0'; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' &&
		    id[i] != '_')
			return 0;
	return 1;
}

static void
fail_data(struct ss *s, const char *what)
{
	if (s->last != NULL)
		http_resp_set_fail(s->last, HTTP_F_JSON, JOB_ERR_DATA, what);
}

/* The records array of a list envelope; lent, or NULL. */
static json_t *
records(json_t *env, const char *key)
{
	json_t		*v;
	const char	*k;

	if (json_is_array(env))
		return env;
	if (!json_is_object(env))
		return NULL;
	if (key != NULL)
		return json_is_array(v = json_object_get(env, key)) ? v : NULL;
	json_object_foreach(env, k, v)
		if (json_is_array(v))
			return v;
	return NULL;
}

static long
jlong(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/*
 * Pages are addressed by number, so a page size must divide the offset
 * of the first record we want. The largest such size up to cap: used to
 * halve after a 500 and to grow back to the configured size (cap = the
 * distance to the next multiple of it) after a poison record.
 */
static long
aligned_size(long offset, long cap)
{
	long	 d;

	if (cap < 1)
		return 1;
	if (offset == 0)
		return cap;
	for (d = cap; d > 1; d--)
		if (offset % d == 0)
			return d;
	return 1;
}

enum core_err
ss_list(struct ss *s, enum ss_coll c, const struct ss_param *p, size_t np,
    enum quota_prio prio, ss_record_fn cb, void *arg, struct ss_stats *st)
{
	const struct coll	*cl = &colls[c];
	struct ss_stats		 dummy;
	char			 url[ML_URL_MAX], num[32];
	json_t			*arr;
	long			 size, orig, offset = 0, total, pages, page;
	size_t			 i, n;
	enum core_err		 rc;

	if ((unsigned int)c >= SS__MAX || (s->cfg->v2 && cl->v2_path == NULL))
		return CORE_EINPUT;
	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	orig = size = s->cfg->v2 && s->cfg->page_size > cl->v2_max ?
	    cl->v2_max : s->cfg->page_size;
	for (;;) {
		page = offset / size + 1;
		if (st->pages + st->poison > ML_SS_MAX_PAGES) {
			log_warnx("ss: %s: stopping after %d pages", cl->name,
			    st->pages);
			return CORE_OK;
		}
		if (mkurl(url, sizeof(url), s->cfg->base_url,
		    s->cfg->v2 ? cl->v2_path : cl->v1_path) == -1)
			return CORE_EINPUT;
		for (i = 0; i < np; i++)
			if (http_url_param(url, sizeof(url), p[i].name,
			    p[i].value) == -1)
				return CORE_EINPUT;
		(void)snprintf(num, sizeof(num), "%ld", page);
		if (http_url_param(url, sizeof(url), "page", num) == -1)
			return CORE_EINPUT;
		(void)snprintf(num, sizeof(num), "%ld", size);
		if (http_url_param(url, sizeof(url), s->cfg->v2 ? "page_size" :
		    "pageSize", num) == -1)
			return CORE_EINPUT;
		rc = call(s, "GET", url, NULL, prio, 1, st);
		if (rc != CORE_OK) {
			if (s->last == NULL || s->last->status < 500 ||
			    s->last->status > 599)
				return rc;
			if (size > 1) {
				size = aligned_size(offset, size / 2);
				st->halvings++;
				log_info("ss: %s page at offset %ld failed "
				    "(HTTP %ld); page size now %ld", cl->name,
				    offset, s->last->status, size);
				continue;
			}
			st->poison++;
			log_warnx("ss: %s: record at offset %ld fails alone "
			    "(HTTP %ld); skipped", cl->name, offset,
			    s->last->status);
			offset++;
			continue;
		}
		if ((arr = records(s->last->json, s->cfg->v2 ? cl->v2_key :
		    cl->v1_key)) == NULL) {
			fail_data(s, "list answer has no records array");
			return CORE_EIO;
		}
		n = json_array_size(arr);
		st->pages++;
		for (i = 0; i < n; i++) {
			st->records++;
			if (cb != NULL && cb(arg, json_array_get(arr, i)) != 0)
				return CORE_OK;
		}
		if ((long)n < size)
			return CORE_OK;
		offset += (long)n;
		/* `pages` as a hint: skip the empty last fetch when the
		 * envelope's total agrees (never trust pages: 0). */
		total = jlong(s->last->json, "total");
		pages = jlong(s->last->json, "pages");
		if (size == orig && pages > 0 && page >= pages &&
		    total >= 0 && offset >= total)
			return CORE_OK;
		if (size < orig)
			size = aligned_size(offset, orig - offset % orig);
	}
}

enum core_err
ss_ping(struct ss *s, enum quota_prio prio, int64_t max_wait)
{
	char		 url[ML_URL_MAX];
	enum core_err	 rc;

	if (mkurl(url, sizeof(url), s->cfg->base_url, s->cfg->v2 ?
	    "/v2/shipments?page=1&page_size=1" :
	    "/orders?page=1&pageSize=1") == -1)
		return CORE_EINPUT;
	s->max_wait = max_wait;
	rc = call(s, "GET", url, NULL, prio, 0, NULL);
	s->max_wait = ML_QUOTA_WAIT_MS;
	if (rc == CORE_OK && records(s->last->json, s->cfg->v2 ? "shipments" :
	    "orders") == NULL) {
		fail_data(s, "answer is not a ShipStation list");
		return CORE_EIO;
	}
	return rc;
}

enum core_err
ss_get_order(struct ss *s, const char *id, enum quota_prio prio,
    json_t **out)
{
	char		 url[ML_URL_MAX];
	enum core_err	 rc;

	*out = NULL;
	if (!valid_id(id))
		return CORE_EINPUT;
	if (mkurl(url, sizeof(url), s->cfg->base_url, s->cfg->v2 ?
	    "/v2/shipments/" : "/orders/") == -1 ||
	    strlen(url) + strlen(id) + 1 > sizeof(url))
		return CORE_EINPUT;
	strncat(url, id, sizeof(url) - strlen(url) - 1);
	if ((rc = call(s, "GET", url, NULL, prio, 0, NULL)) != CORE_OK)
		return rc;
	if (!json_is_object(s->last->json)) {
		fail_data(s, "order answer is not an object");
		return CORE_EIO;
	}
	*out = json_incref(s->last->json);
	return CORE_OK;
}

/* POST body (JSON text of v) to path; *out gets the answer (new). */
static enum core_err
post_json(struct ss *s, const char *path, json_t *v, enum quota_prio prio,
    json_t **out)
{
	char		 url[ML_URL_MAX], *body;
	enum core_err	 rc;

	if (out != NULL)
		*out = NULL;
	if (mkurl(url, sizeof(url), s->cfg->base_url, path) == -1)
		return CORE_EINPUT;
	if ((body = json_dumps(v, JSON_COMPACT)) == NULL)
		return CORE_ENOMEM;
	rc = call(s, "POST", url, body, prio, 0, NULL);
	free(body);
	if (rc == CORE_OK && out != NULL && s->last->json != NULL)
		*out = json_incref(s->last->json);
	return rc;
}

enum core_err
ss_update_product(struct ss *s, json_t *product)
{
	char		 url[ML_URL_MAX], id[32], *body;
	json_t		*idv = json_object_get(product, "productId");
	enum core_err	 rc;

	/* V1 only: PUT /products/{id} replaces the whole product (2.8). */
	if (s->cfg->v2 || !json_is_integer(idv) || json_integer_value(idv) <= 0)
		return CORE_EINPUT;
	(void)snprintf(id, sizeof(id), "/products/%" JSON_INTEGER_FORMAT,
	    json_integer_value(idv));
	if (mkurl(url, sizeof(url), s->cfg->base_url, id) == -1)
		return CORE_EINPUT;
	if ((body = json_dumps(product, JSON_COMPACT)) == NULL)
		return CORE_ENOMEM;
	rc = call(s, "PUT", url, body, QUOTA_MASTER, 0, NULL);
	free(body);
	return rc;
}

enum core_err
ss_create_order(struct ss *s, json_t *order, json_t **out)
{
	json_t		*wrap;
	enum core_err	 rc;

	if (!json_is_object(order))
		return CORE_EINPUT;
	if (!s->cfg->v2)
		return post_json(s, "/orders/createorder", order,
		    QUOTA_POLL, out);
	/* V2: an order is a shipment; external_shipment_id is the key. */
	if ((wrap = json_pack("{s:[O]}", "shipments", order)) == NULL)
		return CORE_ENOMEM;
	rc = post_json(s, "/v2/shipments", wrap, QUOTA_POLL, out);
	json_decref(wrap);
	return rc;
}

enum core_err
ss_hold_order(struct ss *s, long long order_id, const char *until,
    json_t **out)
{
	json_t		*b;
	enum core_err	 rc;

	if (out != NULL)
		*out = NULL;
	if (s->cfg->v2 || order_id <= 0)
		return CORE_EINPUT;	/* V1 only: V2 has no order hold */
	if (until != NULL)
		b = json_pack("{s:I, s:s}", "orderId", (json_int_t)order_id,
		    "holdUntilDate", until);
	else
		b = json_pack("{s:I}", "orderId", (json_int_t)order_id);
	if (b == NULL)
		return CORE_ENOMEM;
	rc = post_json(s, until != NULL ? "/orders/holduntil" :
	    "/orders/restorefromhold", b, QUOTA_POLL, out);
	json_decref(b);
	return rc;
}

enum core_err
ss_webhook_subscribe(struct ss *s, const char *target, const char *event,
    const char *store_id, const char *name, char **id)
{
	json_t		*b, *ans = NULL, *v;
	char		*end, buf[32];
	long long	 sid = 0;
	enum core_err	 rc;

	*id = NULL;
	if (target == NULL || event == NULL)
		return CORE_EINPUT;
	if (store_id != NULL) {
		errno = 0;
		sid = strtoll(store_id, &end, 10);
		if (errno != 0 || *end != '\0' || sid <= 0)
			return CORE_EINPUT;
	}
	if (s->cfg->v2)
		b = json_pack("{s:s, s:s, s:s}", "url", target, "event", event,
		    "name", name ? name : "ml-connector");
	else
		b = json_pack("{s:s, s:s, s:s}", "target_url", target,
		    "event", event, "friendly_name",
		    name ? name : "ml-connector");
	if (b == NULL)
		return CORE_ENOMEM;
	if (store_id != NULL)
		(void)json_object_set_new(b, "store_id", json_integer(sid));
	else if (!s->cfg->v2)
		(void)json_object_set_new(b, "store_id", json_null());
	rc = post_json(s, s->cfg->v2 ? "/v2/environment/webhooks" :
	    "/webhooks/subscribe", b, QUOTA_MASTER, &ans);
	json_decref(b);
	if (rc != CORE_OK)
		return rc;
	v = json_object_get(ans, s->cfg->v2 ? "webhook_id" : "id");
	if (json_is_integer(v)) {
		(void)snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		*id = strdup(buf);
	} else if (json_is_string(v))
		*id = strdup(json_string_value(v));
	else {
		fail_data(s, "subscribe answer carries no id");
		json_decref(ans);
		return CORE_EIO;
	}
	json_decref(ans);
	return *id == NULL ? CORE_ENOMEM : CORE_OK;
}

enum core_err
ss_webhook_list(struct ss *s, json_t **out)
{
	char		 url[ML_URL_MAX];
	json_t		*arr;
	enum core_err	 rc;

	*out = NULL;
	if (mkurl(url, sizeof(url), s->cfg->base_url, s->cfg->v2 ?
	    "/v2/environment/webhooks" : "/webhooks") == -1)
		return CORE_EINPUT;
	if ((rc = call(s, "GET", url, NULL, QUOTA_MASTER, 0, NULL)) !=
	    CORE_OK)
		return rc;
	/* V1 wraps in "webhooks" (recorded); one library says bare array. */
	if ((arr = records(s->last->json, NULL)) == NULL) {
		fail_data(s, "webhook list has no array");
		return CORE_EIO;
	}
	*out = json_incref(arr);
	return CORE_OK;
}

enum core_err
ss_webhook_unsubscribe(struct ss *s, const char *id)
{
	char	 url[ML_URL_MAX];

	if (!valid_id(id))
		return CORE_EINPUT;
	if (mkurl(url, sizeof(url), s->cfg->base_url, s->cfg->v2 ?
	    "/v2/environment/webhooks/" : "/webhooks/") == -1 ||
	    strlen(url) + strlen(id) + 1 > sizeof(url))
		return CORE_EINPUT;
	strncat(url, id, sizeof(url) - strlen(url) - 1);
	return call(s, "DELETE", url, NULL, QUOTA_MASTER, 0, NULL);
}

int
ss_resource_url_ok(const struct cfg_ss *cfg, const char *url)
{
	return http_same_origin(url, cfg->base_url, !cfg->v2);
}

enum core_err
ss_fetch_resource(struct ss *s, const char *url, enum quota_prio prio,
    ss_record_fn cb, void *arg, struct ss_stats *st)
{
	struct ss_stats	 dummy;
	char		 u[ML_URL_MAX], num[32];
	json_t		*arr;
	long		 page, pages;
	size_t		 i, n;
	enum core_err	 rc;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (ss_resource_url_ok(s->cfg, url) == -1) {
		log_warnx("ss: refusing resource_url outside %s",
		    s->cfg->base_url);
		return CORE_EINPUT;
	}
	for (page = 1; page <= ML_SS_MAX_PAGES; page++) {
		if (snprintf(u, sizeof(u), "%s", url) >= (int)sizeof(u))
			return CORE_EINPUT;
		(void)snprintf(num, sizeof(num), "%ld", page);
		if (page > 1 && http_url_param(u, sizeof(u), "page", num) == -1)
			return CORE_EINPUT;
		if ((rc = call(s, "GET", u, NULL, prio, 0, st)) != CORE_OK)
			return rc;
		if ((arr = records(s->last->json, NULL)) == NULL) {
			fail_data(s, "resource answer has no records array");
			return CORE_EIO;
		}
		n = json_array_size(arr);
		st->pages++;
		for (i = 0; i < n; i++) {
			st->records++;
			if (cb != NULL && cb(arg, json_array_get(arr, i)) != 0)
				return CORE_OK;
		}
		pages = jlong(s->last->json, "pages");
		/* No further page: empty, or the envelope says so (a
		 * "pages": 0 is read as one page). */
		if (n == 0 || page >= (pages > 0 ? pages : 1))
			return CORE_OK;
	}
	return CORE_OK;
}

enum job_class
ss_fail_class(const struct ss *c)
{
	return http_resp_class(ss_last(c));
}

const char *
ss_fail_what(const struct ss *c)
{
	return http_resp_what(ss_last(c));
}
