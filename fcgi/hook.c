/*
 * Webhook intake from ShipStation.
 *
 *   POST /hooks/shipstation/v1/<secret>	V1: unsigned, so the URL
 *	carries a per-install secret, compared in constant time.
 *   POST /hooks/shipstation/v2		V2: RSA-SHA256 signature over
 *	"<timestamp>.<raw body>", key by id from the JWKS, ±tolerance.
 *
 * Checks run cheapest first and before any database work: method (the
 * router), content type, length, authenticity, JSON shape. A valid
 * event is committed (deduplicated) before the 2xx; its resource is
 * fetched after the response is finished (see worker.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "core.h"
#include "app.h"

#define JWKS_REFRESH_MIN	60	/* s between refetches for an unknown kid */

static const char *const v1_types[] = {
	"ORDER_NOTIFY", "ITEM_ORDER_NOTIFY", "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY",
	"FULFILLMENT_SHIPPED", "FULFILLMENT_REJECTED", NULL,
};

static const char *const v2_types[] = {
	"SHIPMENT_CREATED_V2", "LABEL_CREATED_V2", "FULFILLMENT_SHIPPED_V2",
	"FULFILLMENT_REJECTED_V2", "BATCH_PROCESSED_V2", "TRACK_EVENT_V2",
	NULL,
};

/* application/json, optionally with parameters (charset). */
static int
json_ctype(const char *ct)
{
	size_t	 n = sizeof("application/json") - 1;

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Common tail: parse, SSRF check, durable insert, answer. */
static void
accept_event(struct req *r, const char *source, const char *const *types)
{
	const struct cfg	*cfg = r->cfg;
	struct event_in		 in;
	char			 type[HOOK_TYPE_MAX], url[HOOK_URL_MAX + 1];
	char			 msg[256], reply[160];
	int64_t			 id;
	int			 dup, status, n;
	enum core_err		 rc;

	if (hook_parse(r->body, r->bodylen, types, type, sizeof(type), url,
	    sizeof(url), &status, msg, sizeof(msg)) == -1) {
		log_warnx("%s webhook refused: %s", source, msg);
		req_error(r, status, status == 400 ? "bad_json" :
		    status == 422 ? "invalid_webhook" : "internal", msg);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.source = source;
	in.kind = type;
	in.resource_url = url;
	in.body = r->body;
	in.bodylen = r->bodylen;
	in.request_id = r->id;
	/*
	 * A URL off our ShipStation API is stored, never fetched. With no
	 * API configured yet there is nothing to compare with: keep the
	 * event for when there is (its fetch waits, it is not rejected).
	 */
	if (cfg->ss.enabled && ss_resource_url_ok(&cfg->ss, url) != 0)
		in.reject_reason = "resource_url is not on the configured "
		    "ShipStation API";
	rc = batch_store(r->app->batch, r->app->pool, &in, &id, &dup);
	if (rc != CORE_OK) {
		log_warnx("storing %s event: %s", type, core_strerror(rc));
		req_error(r, rc == CORE_EDBDOWN ? 503 : 500, "unavailable",
		    "the event could not be stored; retry later");
		return;
	}
	/*
	 * The events table is the record of every stored webhook: a log
	 * line for each would be a write (or a syslog send) per request
	 * during a burst. A redelivery (not stored again) and a refused URL
	 * are news, and rare.
	 */
	if (dup || in.reject_reason != NULL)
		log_info("%s %s event %lld%s", source, type, (long long)id,
		    dup ? " (duplicate)" : " (rejected: resource_url off the "
		    "configured API)");
	else
		log_debug("%s %s event %lld", source, type, (long long)id);
	/*
	 * No JSON encoder needed: status is one of three fixed words, the
	 * id an integer and r->id our own hex request id, so none of them
	 * can hold a character that needs escaping.
	 */
	n = snprintf(reply, sizeof(reply), "{\"status\":\"%s\",\"event_id\":"
	    "%lld,\"request_id\":\"%s\"}", dup ? "duplicate" :
	    in.reject_reason ? "rejected" : "accepted", (long long)id, r->id);
	if (n < 0 || (size_t)n >= sizeof(reply)) {
		req_error(r, 500, "internal", "reply too long");
		return;
	}
	req_reply_json(r, 200, reply);
	if (!dup && in.reject_reason == NULL)
		r->after_event = id;
}

/* Content type and declared length, before a byte of the body is read. */
static int
precheck(struct req *r)
{
	if (!json_ctype(r->ctype)) {
		req_error(r, 415, "unsupported_media_type",
		    "webhooks must be application/json");
		return -1;
	}
	if (r->clen > r->cfg->hooks.max_body) {
		req_error(r, 413, "body_too_large",
		    "webhook body exceeds the configured limit");
		return -1;
	}
	return 0;
}

void
hook_v1(struct req *r)
{
	const char	*given = r->path + sizeof(HOOK_V1_PREFIX) - 1;
	const char	*want = r->cfg->hooks.v1_secret;
	size_t		 glen = strlen(given);

	if (precheck(r) == -1)
		return;
	/* Constant time over the secret's length; lengths may differ. */
	if (want == NULL || glen != strlen(want) ||
	    CRYPTO_memcmp(given, want, glen) != 0) {
		log_warnx("v1 webhook refused: wrong or missing secret");
		req_error(r, 401, "unauthorized", "unknown webhook URL");
		return;
	}
	if (req_read_body(r) == -1)
		return;
	accept_event(r, "ss_v1", v1_types);
}

/* Refresh the worker's JWKS copy when kid is unknown (rate-limited). */
static void
jwks_refresh(struct req *r, const char *kid)
{
	struct app	*a = r->app;
	time_t		 now = time(NULL);
	struct jwks	*j = NULL;
	enum core_err	 rc;

	if (jwks_has(a->jwks, kid) ||
	    (a->jwks_at != 0 && now - a->jwks_at < JWKS_REFRESH_MIN))
		return;
	a->jwks_at = now;
	rc = app_fetch_jwks(a, &j);
	if (rc != CORE_OK) {
		log_warnx("fetching the V2 signing keys failed: %s",
		    core_strerror(rc));
		return;
	}
	jwks_free(a->jwks);
	a->jwks = j;
}

void
hook_v2(struct req *r)
{
	const char	*kid, *sig, *ts;
	int64_t		 ts_us, now_us, skew;
	enum sstime_kind k;
	enum core_err	 rc;

	if (precheck(r) == -1)
		return;
	kid = req_param(r, "HTTP_X_SHIPENGINE_RSA_SHA256_KEY_ID");
	sig = req_param(r, "HTTP_X_SHIPENGINE_RSA_SHA256_SIGNATURE");
	ts = req_param(r, "HTTP_X_SHIPENGINE_TIMESTAMP");
	if (kid == NULL || sig == NULL || ts == NULL) {
		log_warnx("v2 webhook refused: signature headers missing");
		req_error(r, 401, "unauthorized", "signature headers missing");
		return;
	}
	if (sstime_parse_utc(ts, &ts_us, &k) == -1 || k != SSTIME_TIME) {
		log_warnx("v2 webhook refused: bad timestamp");
		req_error(r, 401, "unauthorized", "bad signature timestamp");
		return;
	}
	now_us = clk_now_ms() * 1000;
	skew = now_us > ts_us ? now_us - ts_us : ts_us - now_us;
	if (skew > (int64_t)r->cfg->hooks.v2_tolerance * 1000000) {
		log_warnx("v2 webhook refused: timestamp %lld s off",
		    (long long)(skew / 1000000));
		req_error(r, 401, "unauthorized",
		    "signature timestamp outside the allowed window");
		return;
	}
	if (req_read_body(r) == -1)
		return;
	jwks_refresh(r, kid);
	rc = jwks_verify(r->app->jwks, kid, ts, r->body, r->bodylen, sig);
	if (rc != CORE_OK) {
		log_warnx("v2 webhook refused: %s",
		    rc == CORE_ENOTFOUND ? "unknown key id" : "bad signature");
		req_error(r, 401, "unauthorized", "signature does not verify");
		return;
	}
	accept_event(r, "ss_v2", v2_types);
}
