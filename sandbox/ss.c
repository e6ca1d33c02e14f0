/*
 * ShipStation state and what every ShipStation handler shares: the
 * collections, authentication, the per-key quota windows, query and
 * paging helpers, the two error shapes and the two list envelopes.
 * V1 and V2 are two faces of one state (reference §4.2): V1 orderId N
 * is V2 shipment_id se-N, V1 shipmentId N is V2 label_id se-N.
 */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

/* First ids after a reset; real accounts have large ones (§2.2). */
#define FIRST_ORDER	21466104
#define FIRST_SHIP	123456789
#define FIRST_FUL	33974374
#define FIRST_CUST	12934379
#define FIRST_PROD	3691668
#define FIRST_HOOK	3189
#define FIRST_HOOK2	1001
#define FIRST_INV	1
#define FIRST_ITEM	32208850
#define FIRST_BATCH	100002

/* The ASP.NET Web API face of V1 (§1.3) on every V1 answer. */
static const char *const v1hdrs[][2] = {
	{ "Server", "Microsoft-IIS/8.0" },
	{ "X-AspNet-Version", "4.0.30319" },
	{ "X-Powered-By", "ASP.NET" },
	{ "Cache-Control", "no-cache" },
	{ "Pragma", "no-cache" },
	{ "Expires", "-1" },
};

static void
tab_init(struct ss_tab *t, int64_t first)
{
	memset(t, 0, sizeof(*t));
	t->first = t->next = first;
}

struct ss_rec *
ss_tab_add(struct ss_tab *t, json_t *obj)
{
	struct ss_rec	**nv, *r;
	size_t		  ncap;

	if (t->n == t->cap) {
		ncap = t->cap == 0 ? 64 : t->cap * 2;
		if ((nv = reallocarray(t->v, ncap, sizeof(*nv))) == NULL) {
			json_decref(obj);
			return NULL;
		}
		t->v = nv;
		t->cap = ncap;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		json_decref(obj);
		return NULL;
	}
	r->id = t->next++;
	r->obj = obj;
	t->v[t->n++] = r;
	return r;
}

struct ss_rec *
ss_tab_get(const struct ss_tab *t, int64_t id)
{
	size_t	 lo = 0, hi = t->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->v[mid]->id == id)
			return t->v[mid];
		if (t->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Serialising an order is most of the cost of a list request (jansson
 * walks ~100 values); the text is kept until the order changes, which
 * is what keeps the sandbox well above 2,000 req/s on lists.
 */
const char *
ss_rec_text(struct ss_rec *r)
{
	if (r->text == NULL)
		r->text = json_dumps(r->obj, JSON_COMPACT |
		    JSON_REAL_PRECISION(15));
	return r->text != NULL ? r->text : "null";
}

void
ss_rec_dirty(struct ss_rec *r)
{
	free(r->text);
	r->text = NULL;
}

void
ss_tab_clear(struct ss_tab *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i]->text);
		json_decref(t->v[i]->obj);
		free(t->v[i]);
	}
	free(t->v);
	tab_init(t, t->first);
}

json_t *
ss_tab_dump(const struct ss_tab *t)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < t->n; i++)
		(void)json_array_append(a, t->v[i]->obj);
	return a;
}

static void
init_all(struct ss *ss)
{
	tab_init(&ss->orders, FIRST_ORDER);
	tab_init(&ss->ships, FIRST_SHIP);
	tab_init(&ss->fuls, FIRST_FUL);
	tab_init(&ss->custs, FIRST_CUST);
	tab_init(&ss->prods, FIRST_PROD);
	tab_init(&ss->hooks, FIRST_HOOK);
	tab_init(&ss->hooks2, FIRST_HOOK2);
	tab_init(&ss->inv, FIRST_INV);
	ss->next_item = FIRST_ITEM;
	ss->next_batch = FIRST_BATCH;
	memset(&ss->r1, 0, sizeof(ss->r1));
	memset(&ss->r2, 0, sizeof(ss->r2));
}

static void
clear_all(struct ss *ss)
{
	ss_tab_clear(&ss->orders);
	ss_tab_clear(&ss->ships);
	ss_tab_clear(&ss->fuls);
	ss_tab_clear(&ss->custs);
	ss_tab_clear(&ss->prods);
	ss_tab_clear(&ss->hooks);
	ss_tab_clear(&ss->hooks2);
	ss_tab_clear(&ss->inv);
}

struct ss *
ss_new(struct sb *sb)
{
	struct ss	*ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		return NULL;
	ss->sb = sb;
	init_all(ss);
	return ss;
}

void
ss_free(struct ss *ss)
{
	if (ss == NULL)
		return;
	clear_all(ss);
	free(ss);
}

void
ss_reset(struct ss *ss)
{
	clear_all(ss);
	init_all(ss);
}

json_t *
ss_dump(const struct ss *ss)
{
	json_t	*orders = json_array(), *o;
	size_t	 i;

	for (i = 0; i < ss->orders.n; i++) {
		const struct ss_rec *r = ss->orders.v[i];

		o = json_deep_copy(r->obj);
		(void)json_object_set_new(o, "_sandbox", json_pack(
		    "{s:s, s:b, s:b}", "importBatch", r->tag,
		    "deleted", (r->flags & SS_F_DELETED) != 0,
		    "poison", (r->flags & SS_F_POISON) != 0));
		(void)json_array_append_new(orders, o);
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:{s:i, s:i}, s:{s:i, s:i}}",
	    "orders", orders,
	    "shipments", ss_tab_dump(&ss->ships),
	    "fulfillments", ss_tab_dump(&ss->fuls),
	    "customers", ss_tab_dump(&ss->custs),
	    "products", ss_tab_dump(&ss->prods),
	    "stores", ssmisc_stores(),
	    "webhooks", ss_tab_dump(&ss->hooks),
	    "webhooks_v2", ss_tab_dump(&ss->hooks2),
	    "inventory", ss_tab_dump(&ss->inv),
	    "rate_v1", "used", ss->r1.used, "limit", SB_V1_PER_MIN,
	    "rate_v2", "used", ss->r2.used, "limit", SB_V2_PER_MIN);
}

/* Small helpers ---------------------------------------------------- */

void
ss_guid(char *out)
{
	unsigned char	 b[16];
	static const char hex[] = "0123456789abcdef";
	size_t		 i, o = 0;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 0x5a, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0xf];
	}
	out[o] = '\0';
}

json_t *
ss_json_body(const struct sb_req *req)
{
	json_error_t	 e;

	if (req->bodylen == 0)
		return NULL;
	return json_loadb(req->body, req->bodylen, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &e);
}

json_t *
ss_v1_time(int64_t ms, int ndigits)
{
	char	 buf[TZ_BUFSZ];

	if (ms == 0)
		return json_null();
	tz_fmt_v1(ms, ndigits, buf, sizeof(buf));
	return json_string(buf);
}

json_t *
ss_v1_date(int64_t ms)
{
	char	 buf[TZ_BUFSZ];

	if (ms == 0)
		return json_null();
	tz_fmt_date(ms, buf, sizeof(buf));
	return json_string(buf);
}

json_t *
ss_v2_time(int64_t ms)
{
	char	 buf[TZ_BUFSZ];

	if (ms == 0)
		return json_null();
	tz_fmt_utc(ms, buf, sizeof(buf));
	return json_string(buf);
}

/* A calendar date as V2 writes it: midnight UTC of the V1 (Pacific)
 * date (§4.1: ship_date's time is forced to 00:00:00 UTC). */
json_t *
ss_v2_date(int64_t ms)
{
	char	 d[TZ_BUFSZ], buf[TZ_BUFSZ + 16];

	if (ms == 0)
		return json_null();
	tz_fmt_date(ms, d, sizeof(d));
	(void)snprintf(buf, sizeof(buf), "%sT00:00:00.000Z", d);
	return json_string(buf);
}

const char *
ss_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int64_t
ss_int(const json_t *obj, const char *key, int64_t def)
{
	json_t	*v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return def;
}

json_t *
ss_copy(const json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key);

	return v != NULL ? json_deep_copy(v) : json_null();
}

int
ss_prefix(const char *s, const char *prefix)
{
	size_t	 n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return 0;
	return n == 0 || prefix[n - 1] == '/' || s[n] == '\0' || s[n] == '/';
}

int
ss_icontains(const char *hay, const char *needle)
{
	size_t	 n = strlen(needle);

	if (hay == NULL)
		return 0;
	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

int
ss_qstr(const char *q, const char *name, char *out, size_t sz)
{
	int	 r = sb_query_get(q, name, out, sz);

	/* An empty value is no filter (orderStatus= means all, §2.1). */
	if (r == 1 && out[0] == '\0')
		return 0;
	return r;
}

int
ss_qint(const char *q, const char *name, int64_t *out)
{
	char		 buf[64], *end;
	long long	 v;
	int		 r;

	if ((r = ss_qstr(q, name, buf, sizeof(buf))) != 1)
		return r;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || end == buf)
		return -1;
	*out = v;
	return 1;
}

int
ss_qbool(const char *q, const char *name, int *out)
{
	char	 buf[16];
	int	 r;

	if ((r = ss_qstr(q, name, buf, sizeof(buf))) != 1)
		return r;
	if (strcasecmp(buf, "true") == 0 || strcmp(buf, "1") == 0)
		*out = 1;
	else if (strcasecmp(buf, "false") == 0 || strcmp(buf, "0") == 0)
		*out = 0;
	else
		return -1;
	return 1;
}

int
ss_qtime(const char *q, const char *name, int v2, int64_t *out)
{
	char	 buf[64];
	int	 r;

	if ((r = ss_qstr(q, name, buf, sizeof(buf))) != 1)
		return r;
	if ((v2 ? tz_parse_utc(buf, out) : tz_parse_v1(buf, out)) == -1)
		return -1;
	return 1;
}

/* Errors -------------------------------------------------------------- */

void
ss_v1_error(struct sb_resp *resp, int status, const char *msg)
{
	sb_resp_json(resp, status, json_pack("{s:s}", "Message", msg));
}

/* ASP.NET Web API model validation failure (§1.3). */
void
ss_v1_invalid(struct sb_resp *resp, const char *key, const char *msg)
{
	sb_resp_json(resp, 400, json_pack("{s:s, s:{s:[s]}}",
	    "Message", "The request is invalid.", "ModelState", key, msg));
}

void
ss_v1_500(struct sb_resp *resp, const char *msg)
{
	sb_resp_json(resp, 500, json_pack("{s:s, s:s, s:s, s:s}",
	    "Message", "An error has occurred.",
	    "ExceptionMessage", msg,
	    "ExceptionType", "System.NullReferenceException",
	    "StackTrace", "   at SS.OpenApi.Controllers.OrdersController."
	    "Get(OrderListRequest request)"));
}

/* V2 error shape (§4.1). */
void
ss_v2_error(struct sb_resp *resp, int status, const char *type,
    const char *code, const char *msg)
{
	char	 rid[37];

	ss_guid(rid);
	sb_resp_json(resp, status, json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}",
	    "request_id", rid, "errors", "error_source", "ShipStation",
	    "error_type", type, "error_code", code, "message", msg));
}

/* Paging and envelopes -------------------------------------------- */

int
ss_paging(const char *q, int v2, int64_t *page, int64_t *size,
    struct sb_resp *resp)
{
	const char	*sname = v2 ? "page_size" : "pageSize";
	int64_t		 max = v2 ? SB_V2_PAGE_MAX : SB_V1_PAGE_MAX;
	char		 msg[128];

	*page = 1;
	*size = v2 ? SB_V2_PAGE_DEFAULT : SB_V1_PAGE_DEFAULT;
	if (ss_qint(q, "page", page) == -1 || *page < 1) {
		if (v2)
			ss_v2_error(resp, 400, "validation", "invalid_field_value",
			    "page must be an integer of at least 1.");
		else
			ss_v1_invalid(resp, "page",
			    "The value is not valid for Int32.");
		return -1;
	}
	if (ss_qint(q, sname, size) == -1 || *size < 1 ||
	    (v2 && *size > max)) {
		(void)snprintf(msg, sizeof(msg), "%s must be an integer "
		    "between 1 and %lld.", sname, (long long)max);
		if (v2)
			ss_v2_error(resp, 400, "validation", "invalid_field_value",
			    msg);
		else
			ss_v1_invalid(resp, sname, msg);
		return -1;
	}
	/* V1 silently caps at 500 (§1.5). */
	if (*size > max)
		*size = max;
	return 0;
}

static int	 sort_key;
static int	 sort_desc;

static int
cmp_rec(const void *a, const void *b)
{
	const struct ss_rec *x = *(struct ss_rec *const *)a;
	const struct ss_rec *y = *(struct ss_rec *const *)b;
	int64_t	 vx = sort_key < 0 ? x->id : x->t[sort_key];
	int64_t	 vy = sort_key < 0 ? y->id : y->t[sort_key];
	int	 r;

	r = vx < vy ? -1 : vx > vy;
	if (r == 0)
		r = x->id < y->id ? -1 : x->id > y->id;
	return sort_desc ? -r : r;
}

void
ss_sort(struct ss_rec **v, size_t n, int key, int desc)
{
	sort_key = key;
	sort_desc = desc;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_rec);
}

json_t *
ss_v1_envelope(const char *coll, json_t *items, int64_t total,
    int64_t page, int64_t pages)
{
	return json_pack("{s:o, s:I, s:I, s:I}", coll, items,
	    "total", (json_int_t)total, "page", (json_int_t)page,
	    "pages", (json_int_t)pages);
}

/* The query without page/page_size, for the link hrefs. */
static void
strip_paging(const char *q, char *out, size_t sz)
{
	const char	*p = q, *amp;
	size_t		 o = 0, n;

	out[0] = '\0';
	while (*p != '\0') {
		if ((amp = strchr(p, '&')) == NULL)
			amp = p + strlen(p);
		n = (size_t)(amp - p);
		if (!(strncasecmp(p, "page=", 5) == 0 ||
		    strncasecmp(p, "page_size=", 10) == 0) && n > 0 &&
		    o + n + 2 < sz) {
			memcpy(out + o, p, n);
			o += n;
			out[o++] = '&';
			out[o] = '\0';
		}
		p = *amp == '&' ? amp + 1 : amp;
	}
}

static json_t *
link(struct ss *ss, const char *path, const char *rest, int64_t page,
    int64_t size)
{
	char	 href[SB_URL_MAX * 2];

	(void)snprintf(href, sizeof(href), "%s%s?%spage=%lld&page_size=%lld",
	    ss->sb->base, path, rest, (long long)page, (long long)size);
	return json_pack("{s:s}", "href", href);
}

json_t *
ss_v2_envelope(struct ss *ss, const char *coll, json_t *items,
    int64_t total, int64_t page, int64_t size, const char *path,
    const char *query)
{
	char	 rest[SB_URL_MAX];
	int64_t	 pages = (total + size - 1) / size;
	json_t	*links;

	strip_paging(query, rest, sizeof(rest));
	links = json_pack("{s:o, s:o, s:o, s:o}",
	    "first", link(ss, path, rest, 1, size),
	    "last", link(ss, path, rest, pages > 0 ? pages : 1, size),
	    "prev", page >= 2 ? link(ss, path, rest, page - 1, size) :
	    json_object(),
	    "next", page < pages ? link(ss, path, rest, page + 1, size) :
	    json_object());
	return json_pack("{s:o, s:I, s:I, s:I, s:o}", coll, items,
	    "total", (json_int_t)total, "page", (json_int_t)page,
	    "pages", (json_int_t)pages, "links", links);
}

/* Authentication and quota ------------------------------------------- */

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode standard base64 into out (NUL-terminated); 0 or -1. */
static int
b64dec(const char *s, char *out, size_t sz)
{
	unsigned int	 acc = 0;
	int		 bits = 0, v;
	size_t		 o = 0;

	for (; *s != '\0' && *s != '='; s++) {
		if ((v = b64val((unsigned char)*s)) < 0)
			return -1;
		acc = acc << 6 | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= sz)
				return -1;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	out[o] = '\0';
	return strlen(out) == o ? 0 : -1;
}

static int
auth_v1(struct ss *ss, const struct sb_req *req)
{
	const char	*h = sb_req_header(req, "Authorization");
	const char	*key = ss->sb->cfg.ss_key, *sec = ss->sb->cfg.ss_secret;
	char		 dec[512], *colon;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	h += 6;
	while (*h == ' ')
		h++;
	if (b64dec(h, dec, sizeof(dec)) == -1 ||
	    (colon = strchr(dec, ':')) == NULL)
		return 0;
	*colon = '\0';
	return strcmp(dec, key) == 0 && strcmp(colon + 1, sec) == 0;
}

static void
roll(struct ss_rate *r, int64_t now)
{
	if (r->start == 0 || now - r->start >= SB_WINDOW_MS || now < r->start) {
		r->start = now;
		r->used = 0;
	}
}

/* Count one request; 1 when it is over the quota. */
static int
take(struct ss *ss, struct ss_rate *r, int limit)
{
	roll(r, sb_now_ms());
	if (!ss->sb->ratelimit)
		return 0;
	if (r->used >= limit)
		return 1;
	r->used++;
	return 0;
}

/* Real seconds until the window turns (a countdown, §1.2). */
static int64_t
reset_secs(const struct ss_rate *r)
{
	int64_t	 left = r->start + SB_WINDOW_MS - sb_now_ms();

	if (left < 1000)
		left = 1000;
	return (clk_real_ms(left) + 999) / 1000;
}

void
ss_v1_headers(struct ss *ss, struct sb_resp *resp, int limited)
{
	char	 buf[32];
	size_t	 i;
	int	 left;

	for (i = 0; i < sizeof(v1hdrs) / sizeof(v1hdrs[0]); i++)
		sb_resp_header(resp, v1hdrs[i][0], v1hdrs[i][1]);
	roll(&ss->r1, sb_now_ms());
	/* A 429 (real or injected) says nothing is left. */
	left = limited ? 0 : SB_V1_PER_MIN - ss->r1.used;
	/*
	 * real_limit: on an accelerated clock, the budget per real minute
	 * (40 per sandbox minute is 40 x factor per real one), as Reset is
	 * already in real seconds, so a client pacing on its own clock
	 * paces to the accelerated window.
	 */
	(void)snprintf(buf, sizeof(buf), "%d", ss->sb->real_limit &&
	    clk_factor() > 1 ? (int)(SB_V1_PER_MIN * clk_factor()) :
	    SB_V1_PER_MIN);
	sb_resp_header(resp, "X-Rate-Limit-Limit", buf);
	(void)snprintf(buf, sizeof(buf), "%d", left < 0 ? 0 : left);
	sb_resp_header(resp, "X-Rate-Limit-Remaining", buf);
	(void)snprintf(buf, sizeof(buf), "%lld",
	    (long long)reset_secs(&ss->r1));
	sb_resp_header(resp, "X-Rate-Limit-Reset", buf);
}

void
ss_rate_answer(struct ss *ss, enum sb_sys sys, struct sb_resp *resp)
{
	char	 buf[32];

	if (sys == SYS_V2) {
		roll(&ss->r2, sb_now_ms());
		ss_v2_error(resp, 429, "system", "rate_limit_exceeded",
		    "You have exceeded the rate limit.");
		(void)snprintf(buf, sizeof(buf), "%lld",
		    (long long)reset_secs(&ss->r2));
		sb_resp_header(resp, "Retry-After", buf);
		return;
	}
	sb_resp_json(resp, 429, json_pack("{s:s}", "message",
	    "Too Many Requests"));
	ss_v1_headers(ss, resp, 1);
}

int
ss_handle(struct ss *ss, const struct sb_req *req, struct sb_resp *resp)
{
	const char	*key;
	char		 msg[SB_URL_MAX + 128];

	if (ss_prefix(req->path, "/v2")) {
		key = sb_req_header(req, "API-Key");
		if (key == NULL || strcmp(key, ss->sb->cfg.ss_v2_key) != 0) {
			ss_v2_error(resp, 401, "security", "unauthorized",
			    "The API key is invalid. Please see "
			    "https://www.shipstation.com/docs/api/ for "
			    "details.");
			return 1;
		}
		if (take(ss, &ss->r2, SB_V2_PER_MIN)) {
			ss_rate_answer(ss, SYS_V2, resp);
			return 1;
		}
		if (!ssv2_handle(ss, req, resp))
			ss_v2_error(resp, 404, "validation", "not_found",
			    "The requested resource was not found.");
		return 1;
	}
	if (!auth_v1(ss, req)) {
		ss_v1_error(resp, 401,
		    "Authorization has been denied for this request.");
		sb_resp_header(resp, "WWW-Authenticate",
		    "Basic realm=\"ssapi.shipstation.com\"");
		ss_v1_headers(ss, resp, 0);
		return 1;
	}
	if (take(ss, &ss->r1, SB_V1_PER_MIN)) {
		ss_rate_answer(ss, SYS_V1, resp);
		return 1;
	}
	if (!ssorder_handle(ss, req, resp) && !ssship_handle(ss, req, resp) &&
	    !ssmisc_handle(ss, req, resp)) {
		(void)snprintf(msg, sizeof(msg), "No HTTP resource was found "
		    "that matches the request URI '%s%s'.", ss->sb->base,
		    req->path);
		ss_v1_error(resp, 404, msg);
	}
	ss_v1_headers(ss, resp, 0);
	return 1;
}
