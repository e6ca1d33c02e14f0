/*
 * HTTP for the API clients, over one libcurl easy handle per client so
 * that connections, TLS sessions and DNS answers are reused across
 * calls (curl_easy_reset keeps them).
 *
 * Every transfer: https only (plain http when the configuration allows
 * it, for the sandbox), TLS peer and host verification on with an
 * optional customer CA file, no redirects, connect and total timeouts,
 * a byte cap enforced twice (CURLOPT_MAXFILESIZE_LARGE for announced
 * lengths, the write callback for the rest, after decompression), and
 * the response headers kept. Bodies, request headers and credentials
 * are never logged: a failure logs method, origin and path, the HTTP
 * status, CURLcode and CURLOPT_ERRORBUFFER text.
 *
 * Transient failures (connect, timeout, transfer errors, 5xx, 429) are
 * retried with exponential backoff and full jitter; a Retry-After (or
 * ShipStation V1's X-Rate-Limit-Reset on a 429) replaces the computed
 * wait. Every answer is classified (auth, rate, transient, data) so the
 * caller can decide what the job queue does with it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core.h"

struct http {
	CURL		*curl;
	struct http_opts o;
	char		*ca_file;	/* our copy */
	char		 errbuf[CURL_ERROR_SIZE];
};

struct sink {
	struct http_resp *r;
	size_t		 cap;		/* byte ceiling */
	size_t		 alloc;
	int		 over;		/* the cap was hit */
};

static const char *const fails[HTTP_F__MAX] = {
	"none",			/* HTTP_F_NONE */
	"dns",			/* HTTP_F_DNS */
	"connect",		/* HTTP_F_CONNECT */
	"tls",			/* HTTP_F_TLS */
	"timeout",		/* HTTP_F_TIMEOUT */
	"network",		/* HTTP_F_NETWORK */
	"too-big",		/* HTTP_F_TOOBIG */
	"url",			/* HTTP_F_URL */
	"status",		/* HTTP_F_STATUS */
	"html",			/* HTTP_F_HTML */
	"content-type",		/* HTTP_F_CTYPE */
	"json",			/* HTTP_F_JSON */
	"diagnoses",		/* HTTP_F_DIAG */
	"quota",		/* HTTP_F_QUOTA */
};

const char *
http_fail_name(enum http_fail f)
{
	return (unsigned int)f < HTTP_F__MAX ? fails[f] : "unknown";
}

enum core_err
http_global_init(void)
{
	static int	 done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return CORE_ENOMEM;
		done = 1;
	}
	return CORE_OK;
}

/* New; free with http_free(). opts is copied. */
struct http *
http_new(const struct http_opts *o)
{
	struct http	*h;

	if (http_global_init() != CORE_OK || (h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->o = *o;
	if (o->ca_file != NULL && (h->ca_file = strdup(o->ca_file)) == NULL) {
		free(h);
		return NULL;
	}
	h->o.ca_file = h->ca_file;
	if (h->o.max_body == 0)
		h->o.max_body = ML_HTTP_MAX_BODY;
	if (h->o.connect_timeout <= 0)
		h->o.connect_timeout = ML_HTTP_CONNECT_TIMEOUT;
	if (h->o.timeout <= 0)
		h->o.timeout = ML_HTTP_TIMEOUT;
	if (h->o.backoff_base_ms <= 0)
		h->o.backoff_base_ms = ML_HTTP_BACKOFF_BASE_MS;
	if (h->o.backoff_cap_ms <= 0)
		h->o.backoff_cap_ms = ML_HTTP_BACKOFF_CAP_MS;
	if (h->o.max_wait_ms <= 0)
		h->o.max_wait_ms = ML_HTTP_MAX_WAIT_MS;
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h->ca_file);
		free(h);
		return NULL;
	}
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h->ca_file);
	free(h);
}

static void
clear_headers(struct http_resp *r)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	r->nhdrs = 0;
}

/* Forget one attempt's answer, keeping the attempt count. */
static void
resp_clear(struct http_resp *r)
{
	int	 attempts = r->attempts;

	clear_headers(r);
	free(r->body);
	if (r->json != NULL)
		json_decref(r->json);
	memset(r, 0, sizeof(*r));
	r->attempts = attempts;
	r->retry_after_ms = -1;
}

void
http_resp_free(struct http_resp *r)
{
	if (r == NULL)
		return;
	resp_clear(r);
	free(r);
}

const char *
http_resp_header(const struct http_resp *r, const char *name)
{
	size_t	 i;

	if (r == NULL)
		return NULL;
	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sink	*s = arg;
	struct http_resp *r = s->r;
	size_t		 len = sz * n, want;
	char		*nb;

	if (len > s->cap - r->len) {
		s->over = 1;
		return 0;		/* CURLE_WRITE_ERROR */
	}
	if (r->len + len + 1 > s->alloc) {
		want = s->alloc == 0 ? 16384 : s->alloc;
		while (want < r->len + len + 1)
			want *= 2;
		if (want > s->cap + 1)
			want = s->cap + 1;
		if ((nb = realloc(r->body, want)) == NULL)
			return 0;
		r->body = nb;
		s->alloc = want;
	}
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct sink	*s = arg;
	struct http_resp *r = s->r;
	size_t		 len = sz * n, nl, vl;
	const char	*colon, *v;

	/* A new status line: an interim 1xx, or a fresh answer. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		clear_headers(r);
		return len;
	}
	if (len > ML_HTTP_MAX_HEADER_LEN || r->nhdrs >= ML_HTTP_MAX_HEADERS)
		return len;		/* kept out, not an error */
	if ((colon = memchr(p, ':', len)) == NULL || colon == p)
		return len;
	nl = (size_t)(colon - p);
	v = colon + 1;
	vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
	    v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if ((r->hdrs[r->nhdrs].name = strndup(p, nl)) == NULL)
		return 0;
	if ((r->hdrs[r->nhdrs].value = strndup(v, vl)) == NULL) {
		free(r->hdrs[r->nhdrs].name);
		return 0;
	}
	r->nhdrs++;
	return len;
}

static int
has_header(const struct http_req *q, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < q->nheaders; i++)
		if (strncasecmp(q->headers[i], name, n) == 0 &&
		    q->headers[i][n] == ':')
			return 1;
	return 0;
}

/* "scheme://host[:port]/path" of url, without query or fragment. */
static void
loggable(const char *url, char *out, size_t sz)
{
	size_t	 n = strcspn(url, "?#");

	if (n >= sz)
		n = sz - 1;
	memcpy(out, url, n);
	out[n] = '\0';
}

#define SET(opt, val) do {						\
	if (curl_easy_setopt(c, (opt), (val)) != CURLE_OK)		\
		bad = 1;						\
} while (0)

/* One transfer into r. Returns 0 when curl ran (see r->curl_code). */
static int
once(struct http *h, const struct http_req *q, struct http_resp *r)
{
	CURL			*c = h->curl;
	struct curl_slist	*hl = NULL, *t;
	struct sink		 s = { r, h->o.max_body, 0, 0 };
	const char		*proto, *m = q->method ? q->method : "GET";
	const char		*date;
	time_t			 dt;
	size_t			 i;
	int			 bad = 0, rc;

	curl_easy_reset(c);
	h->errbuf[0] = '\0';
	proto = h->o.allow_http ? "http,https" : "https";
	for (i = 0; i < q->nheaders && !bad; i++)
		if ((t = curl_slist_append(hl, q->headers[i])) == NULL)
			bad = 1;
		else
			hl = t;
	if (!bad && q->expect_json && !has_header(q, "Accept"))
		bad = (t = curl_slist_append(hl, "Accept: application/json")) ==
		    NULL || (hl = t, 0);
	if (!bad && q->body != NULL && !has_header(q, "Content-Type"))
		bad = (t = curl_slist_append(hl,
		    "Content-Type: application/json")) == NULL || (hl = t, 0);
	if (!bad)
		bad = (t = curl_slist_append(hl, "Expect:")) == NULL ||
		    (hl = t, 0);
	SET(CURLOPT_URL, q->url);
	SET(CURLOPT_PROTOCOLS_STR, proto);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, proto);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)h->o.connect_timeout * 1000L);
	SET(CURLOPT_TIMEOUT_MS, (long)h->o.timeout * 1000L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL)
		SET(CURLOPT_CAINFO, h->ca_file);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_body);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, &s);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, &s);
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	SET(CURLOPT_HTTPHEADER, hl);
	if (q->user != NULL) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, q->user);
		SET(CURLOPT_PASSWORD, q->password ? q->password : "");
	}
	if (q->no_resend)
		SET(CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(m, "POST") == 0)
		SET(CURLOPT_POST, 1L);
	else if (strcmp(m, "GET") != 0)
		SET(CURLOPT_CUSTOMREQUEST, m);
	if (q->body != NULL) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->bodylen);
		SET(CURLOPT_POSTFIELDS, q->body);
	}
	if (bad) {
		curl_slist_free_all(hl);
		r->curl_code = CURLE_OUT_OF_MEMORY;
		(void)snprintf(r->err, sizeof(r->err), "cannot set up the "
		    "transfer");
		return -1;
	}
	rc = (int)curl_easy_perform(c);
	curl_slist_free_all(hl);
	/* The cap, not the network, ended the transfer. */
	if (s.over && rc == CURLE_WRITE_ERROR)
		rc = CURLE_FILESIZE_EXCEEDED;
	r->curl_code = rc;
	(void)snprintf(r->err, sizeof(r->err), "%s", h->errbuf[0] != '\0' ?
	    h->errbuf : curl_easy_strerror((CURLcode)rc));
	if (rc == CURLE_OK || rc == CURLE_FILESIZE_EXCEEDED)
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc != CURLE_OK)
		r->status = rc == CURLE_FILESIZE_EXCEEDED ? r->status : 0;
	if ((date = http_resp_header(r, "Date")) != NULL &&
	    (dt = curl_getdate(date, NULL)) != -1)
		r->date_ms = (int64_t)dt * 1000;
	return 0;
}

/* Does the JSON text nest deeper than the limit? Strings are skipped. */
static int
too_deep(const char *p, size_t len)
{
	size_t	 i;
	int	 depth = 0, in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = 0;
			continue;
		}
		switch (p[i]) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > ML_MAX_JSON_DEPTH)
				return 1;
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return 0;
}

static int
looks_html(const struct http_resp *r, const char *ctype)
{
	const char	*p = r->body;
	size_t		 i = 0;

	if (ctype != NULL && (strcasestr(ctype, "text/html") != NULL ||
	    strcasestr(ctype, "xhtml") != NULL))
		return 1;
	if (p == NULL)
		return 0;
	while (i < r->len && isspace((unsigned char)p[i]))
		i++;
	return i < r->len && p[i] == '<';
}

static int
json_ctype(const char *ctype)
{
	return ctype == NULL || strcasestr(ctype, "json") != NULL;
}

void
http_resp_set_fail(struct http_resp *r, enum http_fail f, enum job_class c,
    const char *what)
{
	r->fail = f;
	r->class = c;
	(void)snprintf(r->what, sizeof(r->what), "%s", what);
}

/* Parse the body as JSON into r->json. 0, or -1 with *truncated set. */
static int
parse_json(struct http_resp *r, int *truncated)
{
	json_error_t	 e;

	*truncated = 0;
	if (too_deep(r->body, r->len))
		return -1;
	r->json = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &e);
	if (r->json != NULL)
		return 0;
	/* Ran out of input: the body was cut short, not malformed. */
	*truncated = e.position >= (int)r->len ||
	    strstr(e.text, "premature end") != NULL ||
	    strstr(e.text, "unexpected end") != NULL;
	return -1;
}

static enum job_class
status_class(long s)
{
	if (s == 401 || s == 403 || s == 407)
		return JOB_ERR_AUTH;
	if (s == 429)
		return JOB_ERR_RATE;
	if (s == 408 || s >= 500)
		return JOB_ERR_TRANSIENT;
	return JOB_ERR_DATA;
}

void
http_classify(struct http_resp *r, int expect_json)
{
	const char	*ctype = http_resp_header(r, "Content-Type");
	int		 trunc, html;

	r->fail = HTTP_F_NONE;
	r->class = JOB_ERR_NONE;
	r->what[0] = '\0';
	switch (r->curl_code) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		http_resp_set_fail(r, HTTP_F_DNS, JOB_ERR_TRANSIENT,
		    "host name does not resolve");
		return;
	case CURLE_COULDNT_CONNECT:
		http_resp_set_fail(r, HTTP_F_CONNECT, JOB_ERR_TRANSIENT,
		    "connection refused or host unreachable");
		return;
	case CURLE_OPERATION_TIMEDOUT:
		/* Stuck in the handshake: often https to a plain port. */
		if (strstr(r->err, "SSL") != NULL || strstr(r->err, "TLS"))
			http_resp_set_fail(r, HTTP_F_TLS, JOB_ERR_TRANSIENT,
			    "TLS handshake timed out");
		else
			http_resp_set_fail(r, HTTP_F_TIMEOUT,
			    JOB_ERR_TRANSIENT, "timed out");
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		/* Trust is configuration: retrying will not fix it. */
		http_resp_set_fail(r, HTTP_F_TLS, JOB_ERR_AUTH,
		    "TLS certificate not trusted");
		return;
	case CURLE_SSL_CONNECT_ERROR:
		http_resp_set_fail(r, HTTP_F_TLS, JOB_ERR_TRANSIENT,
		    "TLS handshake failed");
		return;
	case CURLE_FILESIZE_EXCEEDED:
		http_resp_set_fail(r, HTTP_F_TOOBIG, JOB_ERR_DATA,
		    "response larger than the byte cap");
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		http_resp_set_fail(r, HTTP_F_URL, JOB_ERR_DATA,
		    "URL malformed or its scheme is not allowed");
		return;
	case CURLE_OUT_OF_MEMORY:
		http_resp_set_fail(r, HTTP_F_NETWORK, JOB_ERR_TRANSIENT,
		    "out of memory");
		return;
	default:
		http_resp_set_fail(r, HTTP_F_NETWORK, JOB_ERR_TRANSIENT,
		    r->curl_code == CURLE_PARTIAL_FILE ?
		    "response truncated" : "transfer failed");
		return;
	}

	html = looks_html(r, ctype);
	if (r->status < 200 || r->status > 299) {
		/* Keep a JSON error body for the caller; never fail on it. */
		if (expect_json && !html && r->len > 0 && json_ctype(ctype))
			(void)parse_json(r, &trunc);
		r->fail = HTTP_F_STATUS;
		r->class = r->status >= 300 && r->status < 400 ?
		    JOB_ERR_DATA : status_class(r->status);
		(void)snprintf(r->what, sizeof(r->what), "HTTP %ld%s",
		    r->status, r->status >= 300 && r->status < 400 ?
		    " (redirect not followed)" : html ?
		    " with an HTML page (proxy or gateway error?)" : "");
		return;
	}
	if (!expect_json || r->status == 204 || r->len == 0)
		return;
	if (html) {
		/* A 200 HTML page is a proxy's login or error interstitial. */
		http_resp_set_fail(r, HTTP_F_HTML, JOB_ERR_TRANSIENT,
		    "HTML page instead of JSON (proxy or captive portal?)");
		return;
	}
	if (!json_ctype(ctype)) {
		(void)snprintf(r->what, sizeof(r->what), "content type %.100s "
		    "instead of JSON", ctype);
		r->fail = HTTP_F_CTYPE;
		r->class = JOB_ERR_DATA;
		return;
	}
	if (parse_json(r, &trunc) == -1)
		http_resp_set_fail(r, HTTP_F_JSON, trunc ? JOB_ERR_TRANSIENT :
		    JOB_ERR_DATA, trunc ? "JSON body truncated" :
		    "body is not valid JSON (or nested too deep)");
}

int64_t
http_backoff_ms(int attempt, int base_ms, int cap_ms, int64_t server_ms,
    uint32_t rnd)
{
	int64_t	 ceiling = base_ms > 0 ? base_ms : 1;
	int	 i;

	if (server_ms >= 0)
		return server_ms + (int64_t)(rnd % ((uint32_t)base_ms + 1));
	for (i = 0; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	return (int64_t)(rnd % (uint32_t)(ceiling + 1));
}

int
http_parse_retry_after(const char *v, int64_t now_ms, int64_t *ms)
{
	long long	 secs;
	char		*end;
	time_t		 t;

	if (v == NULL)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v >= '0' && *v <= '9') {
		errno = 0;
		secs = strtoll(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (errno != 0 || *end != '\0' || secs > 86400)
			return -1;
		*ms = secs * 1000;
		return 0;
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	*ms = (int64_t)t * 1000 - now_ms;
	if (*ms < 0)
		*ms = 0;
	if (*ms > 86400000)
		return -1;
	return 0;
}

int64_t
http_server_wait_ms(const struct http_resp *r, int64_t now_ms)
{
	int64_t	 ms;

	const char	*v = http_resp_header(r, "Retry-After");

	/* Seconds are the server's real seconds; a date is a clk instant. */
	if (http_parse_retry_after(v, now_ms, &ms) == 0)
		return v[strspn(v, " \t")] >= '0' && v[strspn(v, " \t")] <= '9' ?
		    clk_from_real_ms(ms) : ms;
	if (r->status == 429 && http_parse_retry_after(http_resp_header(r,
	    "X-Rate-Limit-Reset"), now_ms, &ms) == 0)
		return clk_from_real_ms(ms);
	return -1;
}

static uint32_t
rnd32(void)
{
	uint32_t	 u;
	struct timespec	 ts;

	if (rnd_bytes(&u, sizeof(u)) == 0)
		return u;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec;
}

enum core_err
http_do(struct http *h, const struct http_req *q, struct http_resp **out)
{
	struct http_resp	*r;
	enum core_err		 rc;
	char			 where[256];
	int64_t			 wait;
	int			 attempt, retry;
	const char		*m = q->method ? q->method : "GET";

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return CORE_ENOMEM;
	loggable(q->url, where, sizeof(where));
	for (attempt = 0;; attempt++) {
		resp_clear(r);
		if (q->before != NULL && (rc = q->before(q->arg)) != CORE_OK) {
			if (rc == CORE_EBUSY)
				http_resp_set_fail(r, HTTP_F_QUOTA,
				    JOB_ERR_RATE, "no ShipStation quota within "
				    "the wait limit");
			else
				http_resp_set_fail(r, HTTP_F_QUOTA,
				    JOB_ERR_TRANSIENT, core_strerror(rc));
			break;
		}
		(void)once(h, q, r);
		r->attempts++;
		http_classify(r, q->expect_json);
		r->retry_after_ms = http_server_wait_ms(r, clk_now_ms());
		if (q->after != NULL)
			q->after(q->arg, r);
		if (r->class == JOB_ERR_NONE)
			break;
		if (r->curl_code != CURLE_OK)
			log_warnx("http: %s %s: %s (curl %d: %s)", m, where,
			    r->what, r->curl_code, r->err);
		else
			log_warnx("http: %s %s: %s", m, where, r->what);
		retry = (r->class == JOB_ERR_TRANSIENT &&
		    !(r->status >= 500 && q->no_retry_5xx)) ||
		    r->status == 429;
		if (!retry || q->no_retry || q->no_resend ||
		    attempt >= h->o.retries)
			break;
		wait = http_backoff_ms(attempt, h->o.backoff_base_ms,
		    h->o.backoff_cap_ms, r->retry_after_ms, rnd32());
		if (wait > h->o.max_wait_ms) {
			log_warnx("http: %s %s: server asks to wait %lld ms, "
			    "more than %d; giving up for now", m, where,
			    (long long)wait, h->o.max_wait_ms);
			break;
		}
		log_debug("http: %s %s: retry %d in %lld ms", m, where,
		    attempt + 1, (long long)wait);
		clk_sleep_ms(wait);
	}
	*out = r;
	return r->class == JOB_ERR_NONE ? CORE_OK : CORE_EIO;
}

int
http_url_param(char *url, size_t sz, const char *name, const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = strlen(url);
	const unsigned char	*v;

	if (n + strlen(name) + 2 >= sz)
		return -1;
	url[n++] = strchr(url, '?') != NULL ? '&' : '?';
	memcpy(url + n, name, strlen(name));
	n += strlen(name);
	url[n++] = '=';
	for (v = (const unsigned char *)value; *v != '\0'; v++) {
		if (n + 4 >= sz)
			return -1;
		if (isalnum(*v) || *v == '-' || *v == '.' || *v == '_' ||
		    *v == '~')
			url[n++] = (char)*v;
		else {
			url[n++] = '%';
			url[n++] = hex[*v >> 4];
			url[n++] = hex[*v & 15];
		}
	}
	url[n] = '\0';
	return 0;
}

struct origin {
	char	*scheme, *host, *port;
};

static void
origin_free(struct origin *o)
{
	curl_free(o->scheme);
	curl_free(o->host);
	curl_free(o->port);
}

static int
origin_of(const char *url, struct origin *o)
{
	CURLU	*u;
	char	*user = NULL, *pw = NULL;
	int	 rc = -1;

	memset(o, 0, sizeof(*o));
	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	/* user info in a URL from outside is a trick, never ours. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &o->host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	rc = 0;
out:
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(u);
	if (rc == -1)
		origin_free(o);
	return rc;
}

/* host is base's first label plus one or more digits, same remainder. */
static int
numbered_host(const char *host, const char *base)
{
	const char	*dot = strchr(base, '.');
	size_t		 l;

	if (dot == NULL)
		return 0;
	l = (size_t)(dot - base);
	if (strncasecmp(host, base, l) != 0)
		return 0;
	host += l;
	if (!isdigit((unsigned char)*host))
		return 0;
	while (isdigit((unsigned char)*host))
		host++;
	return strcasecmp(host, dot) == 0;
}

int
http_same_origin(const char *url, const char *base, int host_digits)
{
	struct origin	 a, b;
	int		 rc = -1;

	if (url == NULL || strlen(url) >= ML_URL_MAX)
		return -1;
	if (origin_of(url, &a) == -1)
		return -1;
	if (origin_of(base, &b) == -1) {
		origin_free(&a);
		return -1;
	}
	if (strcasecmp(a.scheme, b.scheme) == 0 &&
	    strcmp(a.port, b.port) == 0 &&
	    (strcasecmp(a.host, b.host) == 0 ||
	    (host_digits && numbered_host(a.host, b.host))))
		rc = 0;
	origin_free(&a);
	origin_free(&b);
	return rc;
}

enum job_class
http_resp_class(const struct http_resp *r)
{
	if (r == NULL || r->class == JOB_ERR_NONE)
		return JOB_ERR_TRANSIENT;
	return r->class;
}

const char *
http_resp_what(const struct http_resp *r)
{
	return r != NULL && r->what[0] != '\0' ? r->what : "no answer";
}
