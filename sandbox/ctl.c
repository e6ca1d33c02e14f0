/*
 * The sandbox-only control API under /_sandbox (see docs/SANDBOX.md)
 * and the JWKS that V2 webhook receivers fetch. Never rate limited,
 * never faulted, no credentials: it listens on loopback only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static json_t *
clock_json(void)
{
	char	 utc[TZ_BUFSZ], la[TZ_BUFSZ];
	int64_t	 now = sb_now_ms();

	tz_fmt_utc(now, utc, sizeof(utc));
	tz_fmt_v1(now, 7, la, sizeof(la));
	return json_pack("{s:I, s:s, s:s, s:f, s:i}", "now_ms",
	    (json_int_t)now, "utc", utc, "pacific", la, "factor",
	    clk_factor(), "pacific_offset_hours",
	    (int)(tz_la_offset_ms(now) / 3600000));
}

static void
bad(struct sb_resp *resp, const char *msg)
{
	sb_resp_json(resp, 400, json_pack("{s:s}", "error", msg));
}

static void
ok(struct sb_resp *resp, json_t *extra)
{
	json_t	*o = json_pack("{s:b}", "ok", 1);

	if (extra != NULL)
		(void)json_object_update(o, extra);
	json_decref(extra);
	sb_resp_json(resp, 200, o);
}

static void
do_clock(const struct sb_req *req, struct sb_resp *resp)
{
	json_t		*b = ss_json_body(req), *v;
	const char	*set;
	int64_t		 ms;

	if (strcmp(req->method, "GET") == 0) {
		sb_resp_json(resp, 200, clock_json());
		json_decref(b);
		return;
	}
	if (!json_is_object(b)) {
		bad(resp, "body must be a JSON object");
		json_decref(b);
		return;
	}
	if (json_is_true(json_object_get(b, "reset")))
		clk_reset();
	if ((set = ss_str(b, "set")) != NULL) {
		/* An ISO time with Z or offset, or Pacific local time. */
		if (tz_parse_v1(set, &ms) == -1) {
			bad(resp, "set: not a date-time");
			json_decref(b);
			return;
		}
		clk_set(ms);
	}
	if (json_is_integer(v = json_object_get(b, "set_ms")))
		clk_set(json_integer_value(v));
	if (json_is_integer(v = json_object_get(b, "offset_ms")) ||
	    json_is_integer(v = json_object_get(b, "advance_ms")))
		clk_advance(json_integer_value(v));
	if (json_is_number(v = json_object_get(b, "factor"))) {
		if (!(json_number_value(v) >= 0) ||
		    json_number_value(v) > 100000) {
			bad(resp, "factor must be in [0, 100000] (0 freezes)");
			json_decref(b);
			return;
		}
		clk_set_factor(json_number_value(v));
	}
	json_decref(b);
	sb_resp_json(resp, 200, clock_json());
}

static void
do_state(struct sb *sb, struct sb_resp *resp)
{
	json_t	*x3 = x3_dump(sb->x3);

	sb_resp_json(resp, 200, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:b}", "shipstation", ss_dump(sb->ss), "x3", x3 != NULL ? x3 :
	    json_object(), "webhooks", hook_dump(), "requests",
	    route_counts(), "faults", fault_dump(), "clock", clock_json(),
	    "ratelimit", sb->ratelimit));
}

static void
do_fault(struct sb *sb, const struct sb_req *req, struct sb_resp *resp)
{
	json_t		*b;
	char		 err[256];
	const char	*action;

	if (strcmp(req->method, "GET") == 0) {
		sb_resp_json(resp, 200, json_pack("{s:o}", "faults",
		    fault_dump()));
		return;
	}
	if (strcmp(req->method, "DELETE") == 0) {
		fault_clear();
		ok(resp, NULL);
		return;
	}
	b = ss_json_body(req);
	if ((action = ss_str(b, "action")) != NULL) {
		/* X3-side faults: lock a record, expire tokens, ... */
		if (!x3_control(sb->x3, action, b, resp))
			bad(resp, "unknown action");
	} else if (fault_add(b, err, sizeof(err)) == -1)
		bad(resp, err);
	else
		ok(resp, json_pack("{s:o}", "faults", fault_dump()));
	json_decref(b);
}

static void
do_seed(struct sb *sb, const struct sb_req *req, struct sb_resp *resp)
{
	json_t		*b = ss_json_body(req), *sum = NULL, *x3, *args;
	struct sb_resp	 xr;
	int64_t		 n = ss_int(b, "orders", 25), seed = ss_int(b, "seed", 1);
	size_t		 i;

	if (b != NULL && !json_is_object(b)) {
		bad(resp, "body must be a JSON object");
		json_decref(b);
		return;
	}
	if (n < 0 || n > SB_SEED_MAX) {
		bad(resp, "orders out of range");
		json_decref(b);
		return;
	}
	if (seed_run(sb->ss, (uint64_t)seed, (int)n, &sum) == -1) {
		bad(resp, "seeding failed");
		json_decref(b);
		return;
	}
	/* The X3 side seeds its master data too, when it knows how. */
	memset(&xr, 0, sizeof(xr));
	x3 = NULL;
	args = b != NULL ? json_incref(b) : json_object();
	if (x3_control(sb->x3, "seed", args, &xr) && xr.body != NULL)
		x3 = json_loads(xr.body, 0, NULL);
	json_decref(args);
	for (i = 0; i < xr.nheaders; i++) {
		free(xr.headers[i].name);
		free(xr.headers[i].value);
	}
	free(xr.body);
	(void)json_object_set_new(sum, "x3", x3 != NULL ? x3 : json_null());
	json_decref(b);
	sb_resp_json(resp, 200, sum);
}

int
ctl_handle(struct sb *sb, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*p = req->path, *m = req->method;
	json_t		*b;
	struct ss_rec	*o;
	char		 err[256], name[128];
	int		 post = strcmp(m, "POST") == 0;

	if (strcmp(p, "/jwks") == 0 || strcmp(p, "/v2/jwks") == 0) {
		sb_resp_json(resp, 200, hook_jwks());
		return 1;
	}
	if (strcmp(p, "/_sandbox/key.pem") == 0) {
		sb_resp_text(resp, 200, "application/x-pem-file", hook_pem());
		return 1;
	}
	if (strcmp(p, "/_sandbox/health") == 0) {
		sb_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
		return 1;
	}
	if (ss_prefix(p, "/_sandbox/sink/")) {
		hook_sink(p + strlen("/_sandbox/sink/"), req, resp);
		return 1;
	}
	if (strcmp(p, "/_sandbox/sink") == 0) {
		if (post) {
			b = ss_json_body(req);
			if (hook_sink_cfg(b, err, sizeof(err)) == -1)
				bad(resp, err);
			else
				ok(resp, NULL);
			json_decref(b);
		} else
			sb_resp_json(resp, 200, hook_sink_dump(sb_query_get(
			    req->query, "name", name, sizeof(name)) == 1 ?
			    name : NULL));
		return 1;
	}
	if (strcmp(p, "/_sandbox/state") == 0) {
		do_state(sb, resp);
		return 1;
	}
	if (strcmp(p, "/_sandbox/clock") == 0) {
		do_clock(req, resp);
		return 1;
	}
	if (strcmp(p, "/_sandbox/fault") == 0) {
		do_fault(sb, req, resp);
		return 1;
	}
	if (strcmp(p, "/_sandbox/requests") == 0) {
		if (strcmp(m, "DELETE") == 0) {
			route_reset();
			ok(resp, NULL);
		} else
			sb_resp_json(resp, 200, route_counts());
		return 1;
	}
	if (strcmp(p, "/_sandbox/webhooks") == 0) {
		if (!post) {
			sb_resp_json(resp, 200, hook_dump());
			return 1;
		}
		b = ss_json_body(req);
		if (hook_control(b, err, sizeof(err)) == -1)
			bad(resp, err);
		else
			ok(resp, NULL);
		json_decref(b);
		return 1;
	}
	if (!post)
		return 0;
	if (strcmp(p, "/_sandbox/reset") == 0) {
		ss_reset(sb->ss);
		x3_reset(sb->x3);
		hook_reset();
		fault_clear();
		route_reset();
		b = ss_json_body(req);
		if (!json_is_true(json_object_get(b, "keep_clock")))
			clk_reset();
		json_decref(b);
		ok(resp, NULL);
		return 1;
	}
	if (strcmp(p, "/_sandbox/seed") == 0) {
		do_seed(sb, req, resp);
		return 1;
	}
	if (strcmp(p, "/_sandbox/config") == 0) {
		b = ss_json_body(req);
		if (json_is_boolean(json_object_get(b, "ratelimit")))
			sb->ratelimit = json_is_true(json_object_get(b,
			    "ratelimit"));
		if (json_is_boolean(json_object_get(b, "real_limit")))
			sb->real_limit = json_is_true(json_object_get(b,
			    "real_limit"));
		json_decref(b);
		ok(resp, json_pack("{s:b, s:b}", "ratelimit", sb->ratelimit,
		    "real_limit", sb->real_limit));
		return 1;
	}
	if (strcmp(p, "/_sandbox/poison") == 0) {
		b = ss_json_body(req);
		o = ss_tab_get(&sb->ss->orders, ss_int(b, "orderId", 0));
		if (o == NULL)
			bad(resp, "no such orderId");
		else {
			if (json_is_false(json_object_get(b, "poison")))
				o->flags &= ~SS_F_POISON;
			else
				o->flags |= SS_F_POISON;
			ok(resp, NULL);
		}
		json_decref(b);
		return 1;
	}
	if (ss_prefix(p, "/_sandbox/x3/")) {
		b = ss_json_body(req);
		if (b == NULL)
			b = json_object();
		if (!x3_control(sb->x3, p + strlen("/_sandbox/x3/"), b, resp))
			bad(resp, "unknown X3 action");
		json_decref(b);
		return 1;
	}
	return 0;
}
