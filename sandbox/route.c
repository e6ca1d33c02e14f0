/*
 * One request, start to end: which face it is for, the fault rules,
 * the request counts tests read to check quotas, then the handler.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static json_t	*by_endpoint;	/* "GET /orders/{id}" -> count */
static json_t	*by_system;	/* "v1" -> count */
static json_t	*by_status;	/* "429" -> count */
static int64_t	 total;

static const char *const sysnames[SYS__MAX] = {
	"v1",			/* SYS_V1 */
	"v2",			/* SYS_V2 */
	"x3",			/* SYS_X3 */
	"control",		/* SYS_CTL */
};

enum sb_sys
route_system(const char *path)
{
	if (ss_prefix(path, "/_sandbox") || strcmp(path, "/jwks") == 0 ||
	    strcmp(path, "/v2/jwks") == 0)
		return SYS_CTL;
	if (ss_prefix(path, "/xtrem") || ss_prefix(path, "/api1"))
		return SYS_X3;
	if (ss_prefix(path, "/v2"))
		return SYS_V2;
	return SYS_V1;
}

/* "/orders/123/x" -> "/orders/{id}/x"; ids are digits or se-digits. */
static void
template(const char *path, char *out, size_t sz)
{
	size_t		 o = 0, n;
	const char	*seg, *end, *p;
	int		 id;

	out[0] = '\0';
	for (seg = path; *seg == '/' && o + 1 < sz; seg = end) {
		seg++;
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		n = (size_t)(end - seg);
		p = seg;
		if (n > 3 && strncmp(p, "se-", 3) == 0)
			p += 3;
		id = p < end;
		for (; p < end; p++)
			if (*p < '0' || *p > '9')
				id = 0;
		if (id)
			o += (size_t)snprintf(out + o, sz - o, "/{id}");
		else
			o += (size_t)snprintf(out + o, sz - o, "/%.*s",
			    (int)n, seg);
		if (o >= sz) {
			out[sz - 1] = '\0';
			return;
		}
	}
	if (out[0] == '\0')
		(void)snprintf(out, sz, "/");
}

static void
bump(json_t **obj, const char *key)
{
	json_t	*v;

	if (*obj == NULL)
		*obj = json_object();
	v = json_object_get(*obj, key);
	(void)json_object_set_new(*obj, key,
	    json_integer(v == NULL ? 1 : json_integer_value(v) + 1));
}

static void
count(enum sb_sys sys, const struct sb_req *req, int status)
{
	char	 key[300], tmpl[256], st[16];

	template(req->path, tmpl, sizeof(tmpl));
	(void)snprintf(key, sizeof(key), "%s %s", req->method, tmpl);
	bump(&by_endpoint, key);
	bump(&by_system, sysnames[sys]);
	(void)snprintf(st, sizeof(st), "%d", status);
	bump(&by_status, st);
	total++;
}

json_t *
route_counts(void)
{
	return json_pack("{s:I, s:O?, s:O?, s:O?}", "total", (json_int_t)total,
	    "by_endpoint", by_endpoint, "by_system", by_system,
	    "by_status", by_status);
}

void
route_reset(void)
{
	json_decref(by_endpoint);
	json_decref(by_system);
	json_decref(by_status);
	by_endpoint = by_system = by_status = NULL;
	total = 0;
}

/* The answer of an injected error status, in the face's shape. */
static void
fault_answer(struct sb *sb, enum sb_sys sys, int status,
    struct sb_resp *resp)
{
	char	 html[256];

	if (status == 502 || status == 503 || status == 504) {
		/* Gateways in front of both systems answer in HTML. */
		(void)snprintf(html, sizeof(html), "<html><head><title>%d"
		    "</title></head><body><h1>%d</h1></body></html>\n",
		    status, status);
		sb_resp_text(resp, status, "text/html", html);
	} else if (sys == SYS_V1)
		ss_v1_500(resp, "Object reference not set to an instance of "
		    "an object.");
	else if (sys == SYS_V2)
		ss_v2_error(resp, status, "system", "unspecified",
		    "An internal error occurred.");
	else
		sb_resp_json(resp, status, json_pack("{s:s}", "message",
		    "Internal Server Error"));
	resp->status = status;
	if (sys == SYS_V1)
		ss_v1_headers(sb->ss, resp, 0);
}

void
route_dispatch(struct sb *sb, const struct sb_req *req, struct sb_resp *resp)
{
	struct fault_hit	 hit;
	enum sb_sys		 sys = route_system(req->path);
	int			 done;

	if (sys == SYS_CTL) {
		if (!ctl_handle(sb, req, resp))
			sb_resp_json(resp, 404, json_pack("{s:s}", "message",
			    "no such control endpoint"));
		count(sys, req, resp->status);
		return;
	}
	fault_match(sys, req->method, req->path, req->body, req->bodylen,
	    &hit);
	resp->delay_ms = hit.delay_ms;
	if (hit.drop) {
		resp->drop = 1;
		count(sys, req, 0);
		log_debug("fault: dropped %s %s", req->method, req->path);
		return;
	}
	if (hit.rate) {
		if (sys == SYS_X3) {
			sb_resp_json(resp, 429, json_pack("{s:s}", "message",
			    "Too Many Requests"));
			sb_resp_header(resp, "Retry-After", "60");
		} else
			ss_rate_answer(sb->ss, sys, resp);
		count(sys, req, 429);
		return;
	}
	if (hit.status != 0) {
		fault_answer(sb, sys, hit.status, resp);
		count(sys, req, hit.status);
		return;
	}
	if (sys == SYS_X3)
		done = x3_handle(sb->x3, req, resp);
	else
		done = ss_handle(sb->ss, req, resp);
	if (!done || resp->status == 0)
		sb_resp_json(resp, 404, json_pack("{s:s}", "message",
		    "Not Found"));
	count(sys, req, resp->status);
	if (hit.lose) {
		/* The write happened; the client never hears of it. */
		log_debug("fault: lost the answer to %s %s", req->method,
		    req->path);
		resp->drop = 1;
	}
}
