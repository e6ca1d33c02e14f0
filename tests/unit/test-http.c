/*
 * core/http.c and the parts of ss.c and x3.c that need no database:
 * backoff and jitter bounds, Retry-After parsing, the URL allow-list,
 * error classification, and real transfers against a tiny HTTP server
 * forked here that misbehaves on request (truncated and non-JSON
 * bodies, wrong content types, huge bodies, proxy HTML pages, 4xx/5xx,
 * 429 with Retry-After, redirects, X3 $diagnoses on a 200, a poison
 * record in a ShipStation list, forged webhook resource URLs).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core.h"

#define NORDERS		1234
#define POISON		777	/* 0-based index of the bad order */

struct shared {
	int	 hits;		/* requests served */
	int	 flaky;		/* /flaky answers so far */
	int	 limited;	/* /ratelimited answers so far */
	int	 authed;	/* last request carried Authorization */
	int	 page_sizes[256]; /* pageSize of each /orders request */
	int	 nsizes;
};

static struct shared	*sh;
static pid_t		 srv_pid = -1;
static int		 srv_port;
static char		 base[64];

/* ---- the misbehaving server --------------------------------------- */

static void
put(int fd, const char *s, size_t n)
{
	ssize_t	 w;

	while (n > 0 && (w = write(fd, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

static void
putstr(int fd, const char *s)
{
	put(fd, s, strlen(s));
}

static void
reply(int fd, int status, const char *ctype, const char *extra,
    const char *body)
{
	char	 h[1024];
	int	 n;

	n = snprintf(h, sizeof(h), "HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
	    ctype, strlen(body), extra ? extra : "");
	put(fd, h, (size_t)n);
	put(fd, body, strlen(body));
}

static long
qparam(const char *target, const char *name, long def)
{
	char		 pat[64];
	const char	*p;

	(void)snprintf(pat, sizeof(pat), "%s=", name);
	for (p = strchr(target, '?'); p != NULL; p = strchr(p + 1, '&'))
		if (strncmp(p + 1, pat, strlen(pat)) == 0)
			return strtol(p + 1 + strlen(pat), NULL, 10);
	return def;
}

static void
orders(int fd, const char *target)
{
	long	 page = qparam(target, "page", 1);
	long	 size = qparam(target, "pageSize", 100), i, from, to;
	char	*body, *p;
	size_t	 cap;

	if (sh->nsizes < 256)
		sh->page_sizes[sh->nsizes++] = (int)size;
	from = (page - 1) * size;
	to = from + size < NORDERS ? from + size : NORDERS;
	if (from <= POISON && POISON < to) {
		reply(fd, 500, "application/json", NULL, "{\"Message\":"
		    "\"An error has occurred.\"}");
		return;
	}
	cap = (size_t)(to - from + 1) * 32 + 128;
	body = p = malloc(cap);
	p += sprintf(p, "{\"orders\":[");	/* test-only server */
	for (i = from; i < to; i++)
		p += sprintf(p, "%s{\"orderId\":%ld}", i > from ? "," : "", i);
	(void)sprintf(p, "],\"total\":%d,\"page\":%ld,\"pages\":%ld}", NORDERS,
	    page, (NORDERS + size - 1) / size);
	reply(fd, 200, "application/json", NULL, body);
	free(body);
}

static void
route(int fd, const char *target)
{
	char	 buf[65536];
	int	 i;

	if (strcmp(target, "/json") == 0)
		reply(fd, 200, "application/json; charset=utf-8", NULL,
		    "{\"ok\":true}");
	else if (strcmp(target, "/html") == 0)
		reply(fd, 200, "text/html", NULL, "<html><body>Please log in"
		    "</body></html>");
	else if (strcmp(target, "/text") == 0)
		reply(fd, 200, "text/plain", NULL, "hello");
	else if (strcmp(target, "/notjson") == 0)
		reply(fd, 200, "application/json", NULL, "{\"a\" 1}");
	else if (strcmp(target, "/deep") == 0) {
		for (i = 0; i < 100; i++)
			buf[i] = '[';
		for (; i < 200; i++)
			buf[i] = ']';
		buf[i] = '\0';
		reply(fd, 200, "application/json", NULL, buf);
	} else if (strcmp(target, "/closecut") == 0) {
		putstr(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
		    "\r\nConnection: close\r\n\r\n{\"orders\": [1, 2");
	} else if (strcmp(target, "/short") == 0) {
		putstr(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
		    "\r\nContent-Length: 100\r\n\r\n{\"orders\": [1, 2");
	} else if (strcmp(target, "/huge") == 0) {
		putstr(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
		    "\r\nContent-Length: 10485760\r\n\r\n[");
	} else if (strcmp(target, "/hugeclose") == 0) {
		putstr(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
		    "\r\nConnection: close\r\n\r\n[");
		memset(buf, ' ', sizeof(buf));
		for (i = 0; i < 4; i++)
			put(fd, buf, sizeof(buf));
	} else if (strncmp(target, "/status/", 8) == 0) {
		i = atoi(target + 8);	/* test-only: trusted input */
		if (strstr(target, "html") != NULL)
			reply(fd, i, "text/html", NULL, "<html><h1>502 Bad "
			    "Gateway</h1></html>");
		else
			reply(fd, i, "application/json", NULL,
			    "{\"message\":\"nope\"}");
	} else if (strcmp(target, "/flaky") == 0) {
		if (sh->flaky++ < 2)
			reply(fd, 503, "application/json", NULL, "{}");
		else
			reply(fd, 200, "application/json", NULL, "{\"ok\":1}");
	} else if (strcmp(target, "/ratelimited") == 0) {
		if (sh->limited++ == 0)
			reply(fd, 429, "application/json", "Retry-After: 2\r\n",
			    "{\"message\":\"Too Many Requests\"}");
		else
			reply(fd, 200, "application/json", NULL, "{\"ok\":1}");
	} else if (strcmp(target, "/v1throttle") == 0) {
		if (sh->limited++ == 0)
			reply(fd, 429, "application/json",
			    "X-Rate-Limit-Limit: 40\r\nX-Rate-Limit-Remaining: "
			    "0\r\nX-Rate-Limit-Reset: 3\r\n",
			    "{\"message\":\"Too Many Requests\"}");
		else
			reply(fd, 200, "application/json", NULL, "{\"ok\":1}");
	} else if (strcmp(target, "/redirect") == 0)
		reply(fd, 302, "text/html", "Location: http://127.0.0.1:1/x\r\n",
		    "moved");
	else if (strncmp(target, "/orders", 7) == 0)
		orders(fd, target);
	else if (strncmp(target, "/products", 9) == 0)
		reply(fd, 200, "application/json", NULL, "{\"products\":"
		    "[{\"productId\":1}],\"total\":1,\"page\":1,\"pages\":0}");
	else if (strncmp(target, "/api1/x3/erp/SEED/BPCUSTOMER('C1')", 34) == 0)
		reply(fd, 200, "application/json", NULL, "{\"$diagnoses\":[{"
		    "\"$severity\":\"error\",\"$message\":\"721 : Record does "
		    "not exist\"}]}");
	else if (strncmp(target, "/api1/x3/erp/SEED/BPCUSTOMER('C2')", 34) == 0)
		reply(fd, 200, "application/json", NULL, "{\"$diagnoses\":[{"
		    "\"$severity\":\"warning\",\"$message\":\"w\"}],"
		    "\"BPCNUM\":\"C2\"}");
	else if (strncmp(target, "/api1/x3/erp/SEED/BPCUSTOMER?", 29) == 0) {
		if (strstr(target, "key=gt.C2") != NULL)
			reply(fd, 200, "application/json", NULL,
			    "{\"$resources\":[{\"BPCNUM\":\"C3\"}],\"$links\":{}}");
		else {
			(void)snprintf(buf, sizeof(buf), "{\"$resources\":[{"
			    "\"BPCNUM\":\"C1\"},{\"BPCNUM\":\"C2\"}],\"$links\":"
			    "{\"$next\":{\"$url\":\"%s/api1/x3/erp/SEED/"
			    "BPCUSTOMER?representation=BPCUSTOMER.$query&"
			    "key=gt.C2\"}}}", strstr(target, "evil") ?
			    "http://evil.example:1" : base);
			reply(fd, 200, "application/json", NULL, buf);
		}
	} else
		reply(fd, 404, "application/json", NULL, "{\"message\":"
		    "\"no route\"}");
}

static void
serve(int ls)
{
	char		 req[16384], method[16], target[4096];
	ssize_t		 n;
	size_t		 len;
	int		 fd;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if ((fd = accept(ls, NULL, NULL)) == -1)
			continue;
		len = 0;
		while (len < sizeof(req) - 1 &&
		    (n = read(fd, req + len, sizeof(req) - 1 - len)) > 0) {
			len += (size_t)n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		req[len] = '\0';
		if (sscanf(req, "%15s %4095s", method, target) == 2) {
			sh->hits++;
			sh->authed = strcasestr(req, "\nAuthorization:") != NULL;
			route(fd, target);
		}
		close(fd);
	}
}

static int
setup(void **state)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 ls, one = 1;

	(void)state;
	log_init("test-http", 1, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -1;
	memset(sh, 0, sizeof(*sh));
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	(void)setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(ls, 16) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	srv_port = ntohs(sa.sin_port);
	(void)snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv_port);
	if ((srv_pid = fork()) == -1)
		return -1;
	if (srv_pid == 0) {
		serve(ls);
		_exit(0);
	}
	close(ls);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		(void)waitpid(srv_pid, NULL, 0);
	}
	munmap(sh, sizeof(*sh));
	return 0;
}

/* ---- helpers ------------------------------------------------------ */

static struct http *
client(size_t cap)
{
	struct http_opts	 o;

	memset(&o, 0, sizeof(o));
	o.connect_timeout = 5;
	o.timeout = 10;
	o.allow_http = 1;
	o.max_body = cap;
	o.retries = 3;
	o.backoff_base_ms = 5;
	o.backoff_cap_ms = 50;
	return http_new(&o);
}

/* GET path; returns the answer (free it). */
static struct http_resp *
get(struct http *h, const char *path, enum core_err *rc)
{
	struct http_req		 q;
	struct http_resp	*r = NULL;
	char			 url[256];

	(void)snprintf(url, sizeof(url), "%s%s", base, path);
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.expect_json = 1;
	*rc = http_do(h, &q, &r);
	assert_non_null(r);
	return r;
}

static void
expect(const char *path, size_t cap, enum core_err wrc, long status,
    enum http_fail f, enum job_class c)
{
	struct http		*h = client(cap);
	struct http_resp	*r;
	enum core_err		 rc;

	assert_non_null(h);
	r = get(h, path, &rc);
	if (rc != wrc || r->status != status || r->fail != f || r->class != c)
		fail_msg("%s: rc %d status %ld fail %s class %s (%s); want "
		    "rc %d status %ld fail %s class %s", path, rc, r->status,
		    http_fail_name(r->fail), job_class_name(r->class), r->what,
		    wrc, status, http_fail_name(f), job_class_name(c));
	http_resp_free(r);
	http_free(h);
}

/* ---- pure functions ----------------------------------------------- */

static void
backoff_bounds(void **state)
{
	uint32_t	 rnds[] = { 0, 1, 12345, 0x7fffffff, 0xffffffff };
	int64_t		 d, ceil, sum = 0;
	uint32_t	 u;
	size_t		 i;
	int		 a;

	(void)state;
	for (a = 0; a < 12; a++) {
		ceil = 500LL << a;
		if (ceil > 30000)
			ceil = 30000;
		for (i = 0; i < sizeof(rnds) / sizeof(rnds[0]); i++) {
			d = http_backoff_ms(a, 500, 30000, -1, rnds[i]);
			assert_true(d >= 0 && d <= ceil);
			/* A server wait is honoured, plus at most base. */
			d = http_backoff_ms(a, 500, 30000, 7000, rnds[i]);
			assert_true(d >= 7000 && d <= 7500);
		}
	}
	assert_int_equal(http_backoff_ms(0, 500, 30000, -1, 500), 500);
	assert_int_equal(http_backoff_ms(0, 500, 30000, -1, 501), 0);
	/* Full jitter: uniform over [0, ceiling], mean near half. */
	for (i = 0; i < 20000; i++) {
		assert_int_equal(rnd_bytes(&u, sizeof(u)), 0);
		d = http_backoff_ms(3, 500, 30000, -1, u);
		assert_true(d >= 0 && d <= 4000);
		sum += d;
	}
	assert_true(sum / 20000 > 1800 && sum / 20000 < 2200);
}

static void
retry_after_parsing(void **state)
{
	int64_t	 ms, now;
	time_t	 t;

	(void)state;
	assert_int_equal(http_parse_retry_after("120", 0, &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(http_parse_retry_after(" 5 ", 0, &ms), 0);
	assert_int_equal(ms, 5000);
	assert_int_equal(http_parse_retry_after("0", 0, &ms), 0);
	assert_int_equal(ms, 0);
	t = curl_getdate("Wed, 21 Oct 2015 07:28:00 GMT", NULL);
	now = (int64_t)t * 1000 - 10000;
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    now, &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    now + 60000, &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(http_parse_retry_after("soon", 0, &ms), -1);
	assert_int_equal(http_parse_retry_after("-5", 0, &ms), -1);
	assert_int_equal(http_parse_retry_after("5s", 0, &ms), -1);
	assert_int_equal(http_parse_retry_after("99999999", 0, &ms), -1);
	assert_int_equal(http_parse_retry_after(NULL, 0, &ms), -1);
}

static void
same_origin(void **state)
{
	static const char	 v1[] = "https://ssapi.shipstation.com";
	static const char	 v2[] = "https://api.shipstation.com";

	(void)state;
	assert_int_equal(http_same_origin("https://ssapi.shipstation.com/"
	    "orders?storeID=1&importBatch=x", v1, 1), 0);
	assert_int_equal(http_same_origin("https://SSAPI.ShipStation.com:443/"
	    "orders", v1, 1), 0);
	assert_int_equal(http_same_origin("https://ssapi6.shipstation.com/"
	    "shipments?batchId=9", v1, 1), 0);
	assert_int_equal(http_same_origin("https://ssapi11.shipstation.com/x",
	    v1, 1), 0);
	/* Numbered hosts only when asked (V1), and only digits. */
	assert_int_equal(http_same_origin("https://ssapi6.shipstation.com/x",
	    v1, 0), -1);
	assert_int_equal(http_same_origin("https://ssapiX.shipstation.com/x",
	    v1, 1), -1);
	assert_int_equal(http_same_origin("https://ssapi6x.shipstation.com/x",
	    v1, 1), -1);
	/* Forgeries. */
	assert_int_equal(http_same_origin("https://ssapi.shipstation.com."
	    "evil.com/orders", v1, 1), -1);
	assert_int_equal(http_same_origin("https://evil.com/ssapi.shipstation"
	    ".com", v1, 1), -1);
	assert_int_equal(http_same_origin("https://ssapi.shipstation.com@evil"
	    ".com/orders", v1, 1), -1);
	assert_int_equal(http_same_origin("https://user:pw@ssapi.shipstation."
	    "com/orders", v1, 1), -1);
	assert_int_equal(http_same_origin("http://ssapi.shipstation.com/"
	    "orders", v1, 1), -1);
	assert_int_equal(http_same_origin("https://ssapi.shipstation.com:8443"
	    "/orders", v1, 1), -1);
	assert_int_equal(http_same_origin("https://evilshipstation.com/", v1,
	    1), -1);
	assert_int_equal(http_same_origin("ftp://ssapi.shipstation.com/", v1,
	    1), -1);
	assert_int_equal(http_same_origin("//ssapi.shipstation.com/", v1, 1),
	    -1);
	assert_int_equal(http_same_origin("https://ssapi.shipstation.com/a b",
	    v1, 1), -1);
	assert_int_equal(http_same_origin("", v1, 1), -1);
	assert_int_equal(http_same_origin(NULL, v1, 1), -1);
	assert_int_equal(http_same_origin("https://api.shipstation.com/v2/"
	    "shipments?import_batch_id=1", v2, 0), 0);
	assert_int_equal(http_same_origin("https://api.shipengine.com/v1/"
	    "labels", v2, 0), -1);
	assert_int_equal(http_same_origin("https://api2.shipstation.com/v2/",
	    v2, 0), -1);
}

static void
url_params(void **state)
{
	char	 url[80] = "http://h/orders";

	(void)state;
	assert_int_equal(http_url_param(url, sizeof(url), "a", "b c&d"), 0);
	assert_int_equal(http_url_param(url, sizeof(url), "modifyDateStart",
	    "2021-01-01 10:00"), 0);
	assert_string_equal(url, "http://h/orders?a=b%20c%26d&modifyDateStart="
	    "2021-01-01%2010%3A00");
	assert_int_equal(http_url_param(url, sizeof(url), "x", "yyyyyyyyyyyyyyyyyy"),
	    -1);
}

static struct http_resp *
mkresp(long status, int curl_code, const char *ctype, const char *body)
{
	struct http_resp	*r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->status = status;
	r->curl_code = curl_code;
	if (ctype != NULL) {
		r->hdrs[0].name = strdup("Content-Type");
		r->hdrs[0].value = strdup(ctype);
		r->nhdrs = 1;
	}
	if (body != NULL) {
		r->body = strdup(body);
		r->len = strlen(body);
	}
	return r;
}

static void
classify_case(long status, int cc, const char *ctype, const char *body,
    enum http_fail f, enum job_class c)
{
	struct http_resp	*r = mkresp(status, cc, ctype, body);

	http_classify(r, 1);
	if (r->fail != f || r->class != c)
		fail_msg("status %ld curl %d ctype %s: got %s/%s, want %s/%s",
		    status, cc, ctype ? ctype : "-", http_fail_name(r->fail),
		    job_class_name(r->class), http_fail_name(f),
		    job_class_name(c));
	http_resp_free(r);
}

static void
classification(void **state)
{
	static const char	 j[] = "application/json";

	(void)state;
	classify_case(200, 0, j, "{\"a\":1}", HTTP_F_NONE, JOB_ERR_NONE);
	classify_case(200, 0, NULL, "[]", HTTP_F_NONE, JOB_ERR_NONE);
	classify_case(204, 0, NULL, NULL, HTTP_F_NONE, JOB_ERR_NONE);
	classify_case(200, 0, "application/problem+json", "{}", HTTP_F_NONE,
	    JOB_ERR_NONE);
	classify_case(401, 0, j, "{}", HTTP_F_STATUS, JOB_ERR_AUTH);
	classify_case(403, 0, j, "{}", HTTP_F_STATUS, JOB_ERR_AUTH);
	classify_case(404, 0, j, "{}", HTTP_F_STATUS, JOB_ERR_DATA);
	classify_case(400, 0, j, "{\"Message\":\"The request is invalid.\"}",
	    HTTP_F_STATUS, JOB_ERR_DATA);
	classify_case(409, 0, j, "{}", HTTP_F_STATUS, JOB_ERR_DATA);
	classify_case(408, 0, j, "{}", HTTP_F_STATUS, JOB_ERR_TRANSIENT);
	classify_case(429, 0, j, "{\"message\":\"Too Many Requests\"}",
	    HTTP_F_STATUS, JOB_ERR_RATE);
	classify_case(500, 0, j, "{}", HTTP_F_STATUS, JOB_ERR_TRANSIENT);
	classify_case(502, 0, "text/html", "<html>Bad Gateway</html>",
	    HTTP_F_STATUS, JOB_ERR_TRANSIENT);
	classify_case(503, 0, NULL, "", HTTP_F_STATUS, JOB_ERR_TRANSIENT);
	classify_case(302, 0, "text/html", "moved", HTTP_F_STATUS,
	    JOB_ERR_DATA);
	classify_case(200, 0, "text/html", "<html>login</html>", HTTP_F_HTML,
	    JOB_ERR_TRANSIENT);
	classify_case(200, 0, NULL, "  <!DOCTYPE html><html/>", HTTP_F_HTML,
	    JOB_ERR_TRANSIENT);
	classify_case(200, 0, "text/plain", "hello", HTTP_F_CTYPE,
	    JOB_ERR_DATA);
	classify_case(200, 0, "application/xml", "<a/>", HTTP_F_HTML,
	    JOB_ERR_TRANSIENT);
	classify_case(200, 0, j, "{\"a\" 1}", HTTP_F_JSON, JOB_ERR_DATA);
	classify_case(200, 0, j, "{\"a\": [1, 2", HTTP_F_JSON,
	    JOB_ERR_TRANSIENT);
	classify_case(200, 0, j, "{\"a\":1,\"a\":2}", HTTP_F_JSON,
	    JOB_ERR_DATA);
	classify_case(0, CURLE_COULDNT_RESOLVE_HOST, NULL, NULL, HTTP_F_DNS,
	    JOB_ERR_TRANSIENT);
	classify_case(0, CURLE_COULDNT_CONNECT, NULL, NULL, HTTP_F_CONNECT,
	    JOB_ERR_TRANSIENT);
	classify_case(0, CURLE_OPERATION_TIMEDOUT, NULL, NULL, HTTP_F_TIMEOUT,
	    JOB_ERR_TRANSIENT);
	classify_case(0, CURLE_PEER_FAILED_VERIFICATION, NULL, NULL,
	    HTTP_F_TLS, JOB_ERR_AUTH);
	classify_case(0, CURLE_SSL_CONNECT_ERROR, NULL, NULL, HTTP_F_TLS,
	    JOB_ERR_TRANSIENT);
	classify_case(0, CURLE_PARTIAL_FILE, NULL, NULL, HTTP_F_NETWORK,
	    JOB_ERR_TRANSIENT);
	classify_case(0, CURLE_RECV_ERROR, NULL, NULL, HTTP_F_NETWORK,
	    JOB_ERR_TRANSIENT);
	classify_case(200, CURLE_FILESIZE_EXCEEDED, NULL, NULL, HTTP_F_TOOBIG,
	    JOB_ERR_DATA);
	classify_case(0, CURLE_UNSUPPORTED_PROTOCOL, NULL, NULL, HTTP_F_URL,
	    JOB_ERR_DATA);
}

/* ---- real transfers ----------------------------------------------- */

static void
transfers(void **state)
{
	(void)state;
	expect("/json", 65536, CORE_OK, 200, HTTP_F_NONE, JOB_ERR_NONE);
	expect("/html", 65536, CORE_EIO, 200, HTTP_F_HTML, JOB_ERR_TRANSIENT);
	expect("/text", 65536, CORE_EIO, 200, HTTP_F_CTYPE, JOB_ERR_DATA);
	expect("/notjson", 65536, CORE_EIO, 200, HTTP_F_JSON, JOB_ERR_DATA);
	expect("/deep", 65536, CORE_EIO, 200, HTTP_F_JSON, JOB_ERR_DATA);
	expect("/closecut", 65536, CORE_EIO, 200, HTTP_F_JSON,
	    JOB_ERR_TRANSIENT);
	expect("/short", 65536, CORE_EIO, 0, HTTP_F_NETWORK,
	    JOB_ERR_TRANSIENT);
	expect("/huge", 65536, CORE_EIO, 200, HTTP_F_TOOBIG, JOB_ERR_DATA);
	expect("/hugeclose", 65536, CORE_EIO, 200, HTTP_F_TOOBIG,
	    JOB_ERR_DATA);
	expect("/status/401", 65536, CORE_EIO, 401, HTTP_F_STATUS,
	    JOB_ERR_AUTH);
	expect("/status/403", 65536, CORE_EIO, 403, HTTP_F_STATUS,
	    JOB_ERR_AUTH);
	expect("/status/404", 65536, CORE_EIO, 404, HTTP_F_STATUS,
	    JOB_ERR_DATA);
	expect("/status/500", 65536, CORE_EIO, 500, HTTP_F_STATUS,
	    JOB_ERR_TRANSIENT);
	expect("/status/502html", 65536, CORE_EIO, 502, HTTP_F_STATUS,
	    JOB_ERR_TRANSIENT);
	expect("/redirect", 65536, CORE_EIO, 302, HTTP_F_STATUS, JOB_ERR_DATA);
}

static void
refused_and_retried(void **state)
{
	struct http		*h = client(65536);
	struct http_req		 q;
	struct http_resp	*r = NULL;
	int			 before = sh->hits;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.url = "http://127.0.0.1:1/nothing";
	q.expect_json = 1;
	assert_int_equal(http_do(h, &q, &r), CORE_EIO);
	assert_int_equal(r->fail, HTTP_F_CONNECT);
	assert_int_equal(r->attempts, 4);	/* 1 + retries */
	assert_true(r->err[0] != '\0');
	http_resp_free(r);
	/* https only unless allowed: plain http refused before connecting. */
	http_free(h);
	{
		struct http_opts o;

		memset(&o, 0, sizeof(o));
		o.retries = 2;
		h = http_new(&o);
	}
	q.url = base;
	assert_int_equal(http_do(h, &q, &r), CORE_EIO);
	assert_int_equal(r->fail, HTTP_F_URL);
	assert_int_equal(r->attempts, 1);
	assert_int_equal(sh->hits, before);
	http_resp_free(r);
	http_free(h);
}

static void
retries_5xx_and_429(void **state)
{
	struct http		*h = client(65536);
	struct http_resp	*r;
	enum core_err		 rc;
	int64_t			 t0;

	(void)state;
	sh->flaky = 0;
	r = get(h, "/flaky", &rc);
	assert_int_equal(rc, CORE_OK);
	assert_int_equal(r->attempts, 3);
	http_resp_free(r);
	/* Retry-After: 2 s is honoured (clock warped 20x to keep it fast). */
	clk_warp(clk_now_ms(), 20);
	sh->limited = 0;
	t0 = clk_now_ms();
	r = get(h, "/ratelimited", &rc);
	assert_int_equal(rc, CORE_OK);
	assert_int_equal(r->attempts, 2);
	assert_true(clk_now_ms() - t0 >= 2000);
	http_resp_free(r);
	/* V1: no Retry-After; X-Rate-Limit-Reset on the 429 is the wait. */
	sh->limited = 0;
	t0 = clk_now_ms();
	r = get(h, "/v1throttle", &rc);
	assert_int_equal(rc, CORE_OK);
	assert_true(clk_now_ms() - t0 >= 3000);
	http_resp_free(r);
	clk_warp(0, 0);
	http_free(h);
}

static void
headers_kept(void **state)
{
	struct http		*h = client(65536);
	struct http_resp	*r;
	enum core_err		 rc;

	(void)state;
	sh->limited = 1;	/* past the 429 */
	r = get(h, "/status/429", &rc);
	assert_int_equal(rc, CORE_EIO);
	assert_string_equal(http_resp_header(r, "content-type"),
	    "application/json");
	assert_null(http_resp_header(r, "X-Nothing"));
	http_resp_free(r);
	http_free(h);
}

/* ---- ShipStation without a database (no quota) --------------------- */

static char	 s_v1[] = "v1", s_key[] = "key", s_secret[] = "secret";
static char	 s_seed[] = "SEED", s_gql[] = "/xtrem/api";
static char	 s_sales[] = "x3Sales", s_master[] = "x3MasterData";
static char	 s_u[] = "u", s_p[] = "p";

static struct cfg_ss
ss_cfg(void)
{
	struct cfg_ss	 c;

	memset(&c, 0, sizeof(c));
	c.enabled = 1;
	c.api = s_v1;
	c.base_url = base;
	c.key = s_key;
	c.secret = s_secret;
	c.allow_http = 1;
	c.connect_timeout = 5;
	c.timeout = 10;
	c.retries = 0;
	c.rate_limit = 40;
	c.page_size = 500;
	c.max_body = 1 << 20;
	return c;
}

static int
collect(void *arg, json_t *rec)
{
	int	*seen = arg;
	json_int_t id = json_integer_value(json_object_get(rec, "orderId"));

	if (id >= 0 && id < NORDERS)
		seen[id]++;
	return 0;
}

static void
ss_paging_with_poison(void **state)
{
	struct cfg_ss	 c = ss_cfg();
	struct ss	*s;
	struct ss_stats	 st;
	static int	 seen[NORDERS];
	int		 i, missing = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(ss_new(&c, NULL, &s), CORE_OK);
	sh->nsizes = 0;
	assert_int_equal(ss_list(s, SS_ORDERS, NULL, 0, QUOTA_POLL, collect,
	    seen, &st), CORE_OK);
	for (i = 0; i < NORDERS; i++) {
		if (i == POISON)
			assert_int_equal(seen[i], 0);
		else if (seen[i] != 1) {
			if (missing++ < 5)
				print_message("# order %d seen %d times\n", i,
				    seen[i]);
		}
	}
	assert_int_equal(missing, 0);
	assert_int_equal(st.poison, 1);
	assert_int_equal(st.records, NORDERS - 1);
	assert_true(st.halvings >= 8);		/* 500 -> 1 */
	/* The size grows back to 500 after the poison record. */
	assert_int_equal(sh->page_sizes[sh->nsizes - 1], 500);
	print_message("# %d calls for %d orders (1 poison record)\n",
	    st.calls, st.records);
	ss_free(s);
}

static void
ss_pages_zero_quirk(void **state)
{
	struct cfg_ss	 c = ss_cfg();
	struct ss	*s;
	struct ss_stats	 st;
	int		 before = sh->hits;

	(void)state;
	assert_int_equal(ss_new(&c, NULL, &s), CORE_OK);
	assert_int_equal(ss_list(s, SS_PRODUCTS, NULL, 0, QUOTA_MASTER, NULL,
	    NULL, &st), CORE_OK);
	assert_int_equal(st.records, 1);
	assert_int_equal(sh->hits - before, 1);
	ss_free(s);
}

static void
ss_forged_resource_url(void **state)
{
	struct cfg_ss	 c = ss_cfg();
	struct ss	*s;
	struct ss_stats	 st;
	char		 url[256];
	const char	*forged[][2] = {
		{ "http://evil.example.com/orders?importBatch=1", "" },
		{ "http://127.0.0.2:", "/orders" },
		{ "http://127.0.0.1:1/orders", "" },
		{ "https://127.0.0.1:", "/orders" },
		{ "http://k:s@127.0.0.1:", "/orders" },
		{ "http://127.0.0.1:", ".evil.com/orders" },
		{ "http://127.0.0.1:", "@evil.com/orders" },
	};
	size_t		 i;
	int		 before = sh->hits;

	(void)state;
	assert_int_equal(ss_new(&c, NULL, &s), CORE_OK);
	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		if (forged[i][1][0] == '\0')
			(void)snprintf(url, sizeof(url), "%s", forged[i][0]);
		else
			(void)snprintf(url, sizeof(url), "%s%d%s",
			    forged[i][0], srv_port, forged[i][1]);
		assert_int_equal(ss_resource_url_ok(&c, url), -1);
		assert_int_equal(ss_fetch_resource(s, url, QUOTA_WEBHOOK,
		    NULL, NULL, &st), CORE_EINPUT);
	}
	assert_int_equal(sh->hits, before);	/* nobody was contacted */
	(void)snprintf(url, sizeof(url), "%s/products?importBatch=abc", base);
	assert_int_equal(ss_fetch_resource(s, url, QUOTA_WEBHOOK, NULL, NULL,
	    &st), CORE_OK);
	assert_int_equal(sh->authed, 1);	/* ours: with credentials */
	assert_int_equal(st.records, 1);
	ss_free(s);
}

/* ---- X3 REST without a database ------------------------------------ */

static void
x3_diagnoses_on_200(void **state)
{
	struct cfg_x3	 c;
	struct x3	*x;
	json_t		*o = NULL;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.enabled = 1;
	c.base_url = base;
	c.endpoint = s_seed;
	c.graphql_path = s_gql;
	c.sales_package = s_sales;
	c.master_package = s_master;
	c.auth_kind = CFG_X3_BASIC;
	c.basic_user = s_u;
	c.basic_password = s_p;
	c.allow_http = 1;
	c.connect_timeout = 5;
	c.timeout = 10;
	c.max_body = 1 << 20;
	assert_int_equal(x3_new(&c, NULL, &x), CORE_OK);
	assert_int_equal(x3_rest_get(x, "BPCUSTOMER", "C1", "BPCUSTOMER", &o),
	    CORE_EIO);
	assert_null(o);
	assert_int_equal(x3_last(x)->status, 200);
	assert_int_equal(x3_last(x)->fail, HTTP_F_DIAG);
	assert_int_equal(x3_last(x)->class, JOB_ERR_DATA);
	assert_non_null(strstr(x3_last(x)->what, "Record does not exist"));
	/* A warning is not an error. */
	assert_int_equal(x3_rest_get(x, "BPCUSTOMER", "C2", "BPCUSTOMER", &o),
	    CORE_OK);
	json_decref(o);
	/* Keys that could break out of ('...') are refused. */
	assert_int_equal(x3_rest_get(x, "BPCUSTOMER", "C1')/x", "BPCUSTOMER",
	    &o), CORE_EINPUT);
	/* $links.$next paging. */
	assert_int_equal(x3_rest_query(x, "BPCUSTOMER", "BPCUSTOMER", NULL,
	    NULL, NULL, NULL), CORE_OK);
	x3_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_bounds),
		cmocka_unit_test(retry_after_parsing),
		cmocka_unit_test(same_origin),
		cmocka_unit_test(url_params),
		cmocka_unit_test(classification),
		cmocka_unit_test(transfers),
		cmocka_unit_test(refused_and_retried),
		cmocka_unit_test(retries_5xx_and_429),
		cmocka_unit_test(headers_kept),
		cmocka_unit_test(ss_paging_with_poison),
		cmocka_unit_test(ss_pages_zero_quirk),
		cmocka_unit_test(ss_forged_resource_url),
		cmocka_unit_test(x3_diagnoses_on_200),
	};

	return cmocka_run_group_tests_name("http", tests, setup, teardown);
}
