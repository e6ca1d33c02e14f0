/*
 * Webhook delivery (reference §3, §4.4): a queue of POSTs run by a curl
 * multi handle inside the front's poll loop, so a slow receiver never
 * holds up request handling. Failed deliveries (non-2xx, timeout) are
 * retried after 10 s, 30 s, 1 min, 5 min, 15 min of sandbox time. V2
 * deliveries are signed RSA-SHA256 (PKCS#1 v1.5) over
 * "<timestamp>.<raw body>" with a key generated at start whose public
 * half is served as a JWKS. On request the next deliveries are
 * duplicated, delayed, reordered or dropped. A sink at
 * /_sandbox/sink/NAME records what it receives, for tests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "extern.h"

#define KEY_BITS	2048
#define REORDER_GAP_MS	100	/* between released reordered deliveries */
#define DUP_GAP_MS	50	/* between a delivery and its duplicate */

/* Sandbox seconds before retry n (1-based). */
static const int64_t retry_after[SB_HOOK_TRIES - 1] = { 10, 30, 60, 300, 900 };

static const char *const v1names[HOOK__MAX][2] = {
	{ "ORDER_NOTIFY", "ITEM_ORDER_NOTIFY" },	/* HOOK_ORDER */
	{ "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY" },		/* HOOK_SHIP */
	{ "FULFILLMENT_SHIPPED", NULL },		/* HOOK_FULFILLED */
};

static const char *const v2names[HOOK__MAX][2] = {
	{ "shipment_created_v2", "SHIPMENT_CREATED_V2" },	/* HOOK_ORDER */
	{ "label_created_v2", "LABEL_CREATED_V2" },		/* HOOK_SHIP */
	{ "fulfillment_shipped_v2", "FULFILLMENT_SHIPPED_V2" },	/* HOOK_FULFILLED */
};

static const char *const v1extra[] = { "FULFILLMENT_REJECTED" };
static const char *const v2extra[] = { "batch_processed_v2",
    "track_event_v2", "fulfillment_rejected_v2", "batch",
    "carrier_connected", "order_source_refresh_complete", "rate",
    "report_complete", "sales_orders_imported", "track" };

struct job {
	int64_t		 id;		/* delivery id, shared by duplicates */
	char		*event;		/* resource_type */
	char		*url;
	char		*body;
	int		 v2;		/* sign it */
	json_t		*headers;	/* V2 subscription's [{key,value}] */
	int		 attempt;	/* tries made so far */
	int64_t		 due;		/* mono ms */
	int		 held;		/* waiting for a reorder release */
	int		 dup;		/* this is an injected duplicate */
	CURL		*easy;		/* in flight */
	struct curl_slist *hl;
	char		 ts[TZ_BUFSZ];
	char		 err[CURL_ERROR_SIZE];
	struct job	*next;
};

struct sock {
	curl_socket_t	 fd;
	int		 what;		/* CURL_POLL_* */
};

static CURLM		*multi;
static struct sock	 socks[SB_CURL_FDS];
static size_t		 nsocks;
static int64_t		 timer_due = -1;	/* mono ms, -1 none */
static struct job	*queue;
static int64_t		 next_id = 1;
static EVP_PKEY		*key;
static char		 kid[40];
static char		*pem;
static json_t		*dlog;		/* delivery attempts */
static json_t		*sinklog;	/* what the sink received */
static json_t		*sinkcfg;	/* name -> {status, count, delay_ms} */

/* Delivery faults armed by POST /_sandbox/webhooks. */
static int		 f_dup, f_drop, f_reorder, f_delay_n;
static int64_t		 f_delay_ms;
static struct job	*held[64];
static size_t		 nheld;

int
hook_v1_event_ok(const char *ev)
{
	size_t	 i;

	for (i = 0; i < HOOK__MAX; i++)
		if (strcmp(ev, v1names[i][0]) == 0 ||
		    (v1names[i][1] != NULL && strcmp(ev, v1names[i][1]) == 0))
			return 1;
	for (i = 0; i < sizeof(v1extra) / sizeof(v1extra[0]); i++)
		if (strcmp(ev, v1extra[i]) == 0)
			return 1;
	return 0;
}

int
hook_v2_event_ok(const char *ev)
{
	size_t	 i;

	for (i = 0; i < HOOK__MAX; i++)
		if (strcmp(ev, v2names[i][0]) == 0)
			return 1;
	for (i = 0; i < sizeof(v2extra) / sizeof(v2extra[0]); i++)
		if (strcmp(ev, v2extra[i]) == 0)
			return 1;
	return 0;
}

/* Keys and encodings ----------------------------------------------- */

static char *
b64(const unsigned char *p, size_t n, int url)
{
	char	*out, *q;
	int	 len;

	if ((out = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	out[len] = '\0';
	if (url) {
		for (q = out; *q != '\0'; q++)
			if (*q == '+')
				*q = '-';
			else if (*q == '/')
				*q = '_';
		while (len > 0 && out[len - 1] == '=')
			out[--len] = '\0';
	}
	return out;
}

static char *
bn_b64url(const char *param)
{
	BIGNUM		*bn = NULL;
	unsigned char	*bin;
	char		*s = NULL;
	int		 n;

	if (EVP_PKEY_get_bn_param(key, param, &bn) != 1)
		return NULL;
	n = BN_num_bytes(bn);
	if ((bin = malloc((size_t)n + 1)) != NULL) {
		(void)BN_bn2bin(bn, bin);
		s = b64(bin, (size_t)n, 1);
		free(bin);
	}
	BN_free(bn);
	return s;
}

json_t *
hook_jwks(void)
{
	char	*n = bn_b64url("n"), *e = bn_b64url("e");
	json_t	*j;

	j = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s?, s:s?}]}", "keys",
	    "kty", "RSA", "kid", kid, "use", "sig", "alg", "RS256",
	    "n", n, "e", e);
	free(n);
	free(e);
	return j;
}

const char *
hook_pem(void)
{
	return pem;
}

/* Base64 RSA-SHA256 PKCS#1 v1.5 signature of ts "." body; new. */
static char *
sign(const char *ts, const char *body)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*sig = NULL;
	size_t		 len = 0;
	char		*out = NULL;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSignUpdate(ctx, ts, strlen(ts)) == 1 &&
	    EVP_DigestSignUpdate(ctx, ".", 1) == 1 &&
	    EVP_DigestSignUpdate(ctx, body, strlen(body)) == 1 &&
	    EVP_DigestSignFinal(ctx, NULL, &len) == 1 &&
	    (sig = malloc(len)) != NULL &&
	    EVP_DigestSignFinal(ctx, sig, &len) == 1)
		out = b64(sig, len, 0);
	free(sig);
	EVP_MD_CTX_free(ctx);
	return out;
}

/* curl glue ----------------------------------------------------------- */

static int
on_socket(CURL *e, curl_socket_t fd, int what, void *u, void *sp)
{
	size_t	 i;

	(void)e;
	(void)u;
	(void)sp;
	for (i = 0; i < nsocks && socks[i].fd != fd; i++)
		continue;
	if (what == CURL_POLL_REMOVE) {
		if (i < nsocks)
			socks[i] = socks[--nsocks];
		return 0;
	}
	if (i == nsocks) {
		if (nsocks == SB_CURL_FDS) {
			log_warnx("webhooks: too many sockets");
			return -1;
		}
		socks[nsocks++].fd = fd;
	}
	socks[i].what = what;
	return 0;
}

static int
on_timer(CURLM *m, long ms, void *u)
{
	(void)m;
	(void)u;
	timer_due = ms < 0 ? -1 : clk_mono_ms() + ms;
	return 0;
}

static size_t
discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

size_t
hook_pollfds(struct pollfd *p, size_t max)
{
	size_t	 i;

	for (i = 0; i < nsocks && i < max; i++) {
		p[i].fd = socks[i].fd;
		p[i].events = 0;
		if (socks[i].what & CURL_POLL_IN)
			p[i].events |= POLLIN;
		if (socks[i].what & CURL_POLL_OUT)
			p[i].events |= POLLOUT;
		p[i].revents = 0;
	}
	return i;
}

void
hook_events(const struct pollfd *p, size_t n)
{
	size_t	 i;
	int	 ev, running;

	for (i = 0; i < n; i++) {
		if (p[i].revents == 0)
			continue;
		ev = 0;
		if (p[i].revents & POLLIN)
			ev |= CURL_CSELECT_IN;
		if (p[i].revents & POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (p[i].revents & (POLLERR | POLLHUP))
			ev |= CURL_CSELECT_ERR;
		(void)curl_multi_socket_action(multi, p[i].fd, ev, &running);
	}
}

int64_t
hook_timeout(void)
{
	struct job	*j;
	int64_t		 now = clk_mono_ms(), t = 0;
	int		 have = 0;
	size_t		 inflight = 0;

	if (timer_due >= 0) {
		t = timer_due - now;
		have = 1;
	}
	for (j = queue; j != NULL; j = j->next)
		if (j->easy != NULL)
			inflight++;
	/* At the cap, a transfer's end (a socket event) wakes us. */
	for (j = queue; j != NULL && inflight < SB_CURL_FDS / 4; j = j->next)
		if (j->easy == NULL && !j->held &&
		    (!have || j->due - now < t)) {
			t = j->due - now;
			have = 1;
		}
	if (!have)
		return -1;
	return t < 0 ? 0 : t;
}

/* The queue ----------------------------------------------------------- */

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	if (j->easy != NULL) {
		(void)curl_multi_remove_handle(multi, j->easy);
		curl_easy_cleanup(j->easy);
	}
	curl_slist_free_all(j->hl);
	json_decref(j->headers);
	free(j->event);
	free(j->url);
	free(j->body);
	free(j);
}

static void
unlink_job(struct job *j)
{
	struct job	**pp;

	for (pp = &queue; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

static void
log_attempt(const struct job *j, long status, const char *outcome,
    const char *sig)
{
	char	 at[TZ_BUFSZ];

	if (dlog == NULL)
		dlog = json_array();
	while (json_array_size(dlog) >= SB_LOG_MAX)
		(void)json_array_remove(dlog, 0);
	tz_fmt_utc(sb_now_ms(), at, sizeof(at));
	(void)json_array_append_new(dlog, json_pack("{s:I, s:i, s:s, s:s, "
	    "s:s, s:b, s:b, s:i, s:s?, s:s, s:s, s:s?, s:s?, s:s?}",
	    "id", (json_int_t)j->id, "attempt", j->attempt,
	    "event", j->event, "url", j->url, "body", j->body,
	    "v2", j->v2, "duplicate", j->dup, "status", (int)status,
	    "error", j->err[0] != '\0' ? j->err : NULL,
	    "outcome", outcome, "at", at,
	    "timestamp", j->ts[0] != '\0' ? j->ts : NULL,
	    "signature", sig, "key_id", j->v2 ? kid : NULL));
}

static struct job *
job_new(const char *event, const char *url, const char *body, int v2,
    const json_t *headers)
{
	struct job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->event = strdup(event);
	j->url = strdup(url);
	j->body = strdup(body);
	j->v2 = v2;
	j->headers = headers != NULL ? json_deep_copy(headers) : NULL;
	if (j->event == NULL || j->url == NULL || j->body == NULL) {
		job_free(j);
		return NULL;
	}
	return j;
}

static void
enqueue(const char *event, const char *url, const char *body, int v2,
    const json_t *headers)
{
	struct job	*j, *d;
	int64_t		 now = clk_mono_ms();
	size_t		 i;

	if ((j = job_new(event, url, body, v2, headers)) == NULL)
		return;
	j->id = next_id++;
	j->due = now;
	if (f_drop > 0) {
		f_drop--;
		log_attempt(j, 0, "dropped", NULL);
		job_free(j);
		return;
	}
	if (f_delay_n > 0) {
		f_delay_n--;
		j->due += f_delay_ms;
	}
	j->next = queue;
	queue = j;
	if (f_dup > 0) {
		f_dup--;
		if ((d = job_new(event, url, body, v2, headers)) != NULL) {
			d->id = j->id;
			d->dup = 1;
			d->due = j->due + DUP_GAP_MS;
			d->next = queue;
			queue = d;
		}
	}
	if (f_reorder > 0 && nheld < sizeof(held) / sizeof(held[0])) {
		j->held = 1;
		held[nheld++] = j;
		if (--f_reorder == 0) {
			/* Release the held ones last first. */
			for (i = 0; i < nheld; i++) {
				held[i]->held = 0;
				held[i]->due = now + (int64_t)(nheld - 1 - i) *
				    REORDER_GAP_MS;
			}
			nheld = 0;
		}
	}
}

void
hook_fire(struct ss *ss, enum hook_ev ev, int64_t store, const char *q1,
    const char *q2)
{
	struct ss_rec	*r;
	const char	*type, *sid;
	char		 url[SB_URL_MAX * 2], ssid[32];
	json_t		*body;
	char		*text;
	size_t		 i;

	for (i = 0; i < ss->hooks.n; i++) {
		r = ss->hooks.v[i];
		type = ss_str(r->obj, "HookType");
		if ((r->flags & SS_F_DELETED) || type == NULL ||
		    !(strcmp(type, v1names[ev][0]) == 0 ||
		    (v1names[ev][1] != NULL &&
		    strcmp(type, v1names[ev][1]) == 0)))
			continue;
		if (r->store != 0 && r->store != store)
			continue;
		(void)snprintf(url, sizeof(url), "%s%s", ss->sb->base, q1);
		/* Exactly two fields, in this order (§3.3). */
		body = json_pack("{s:s, s:s}", "resource_url", url,
		    "resource_type", type);
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (text != NULL)
			enqueue(type, ss_str(r->obj, "Url"), text, 0, NULL);
		free(text);
	}
	(void)snprintf(ssid, sizeof(ssid), "se-%lld", (long long)store);
	for (i = 0; i < ss->hooks2.n; i++) {
		r = ss->hooks2.v[i];
		type = ss_str(r->obj, "event");
		if ((r->flags & SS_F_DELETED) || type == NULL ||
		    strcmp(type, v2names[ev][0]) != 0)
			continue;
		sid = ss_str(r->obj, "store_id");
		if (sid != NULL && *sid != '\0' && strcmp(sid, ssid) != 0)
			continue;
		(void)snprintf(url, sizeof(url), "%s%s", ss->sb->base, q2);
		body = json_pack("{s:s, s:s}", "resource_url", url,
		    "resource_type", v2names[ev][1]);
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (text != NULL)
			enqueue(v2names[ev][1], ss_str(r->obj, "url"), text, 1,
			    json_object_get(r->obj, "headers"));
		free(text);
	}
}

static void
start(struct job *j)
{
	struct curl_slist	*hl = NULL, *t;
	json_t			*h;
	char			 line[1024], *sig = NULL;
	size_t			 i;

	j->err[0] = '\0';
	j->ts[0] = '\0';
	if ((j->easy = curl_easy_init()) == NULL)
		goto fail;
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "Expect:");
	if (j->v2) {
		tz_fmt_utc(sb_now_ms(), j->ts, sizeof(j->ts));
		if ((sig = sign(j->ts, j->body)) == NULL)
			goto fail;
		(void)snprintf(line, sizeof(line),
		    "x-shipengine-rsa-sha256-key-id: %s", kid);
		hl = curl_slist_append(hl, line);
		(void)snprintf(line, sizeof(line),
		    "x-shipengine-rsa-sha256-signature: %s", sig);
		hl = curl_slist_append(hl, line);
		(void)snprintf(line, sizeof(line),
		    "x-shipengine-timestamp: %s", j->ts);
		hl = curl_slist_append(hl, line);
		json_array_foreach(j->headers, i, h) {
			if (ss_str(h, "key") == NULL ||
			    ss_str(h, "value") == NULL ||
			    strpbrk(ss_str(h, "key"), "\r\n:") != NULL ||
			    strpbrk(ss_str(h, "value"), "\r\n") != NULL)
				continue;
			(void)snprintf(line, sizeof(line), "%s: %s",
			    ss_str(h, "key"), ss_str(h, "value"));
			if ((t = curl_slist_append(hl, line)) != NULL)
				hl = t;
		}
	} else
		hl = curl_slist_append(hl,
		    "User-Agent: ShipStation-Webhook/1.0");
	if (hl == NULL)
		goto fail;
	j->hl = hl;
	(void)curl_easy_setopt(j->easy, CURLOPT_URL, j->url);
	(void)curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(j->easy, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
	/*
	 * One connection per delivery: with connections cached in the
	 * multi handle, libcurl 7.88 crashed in curl_multi_socket_action
	 * on an event for a cached connection's socket (a NULL transfer)
	 * under a burst of deliveries (tests/integration/e2e.test).
	 */
	(void)curl_easy_setopt(j->easy, CURLOPT_FORBID_REUSE, 1L);
	(void)curl_easy_setopt(j->easy, CURLOPT_TIMEOUT_MS,
	    (long)SB_HOOK_TIMEOUT_MS);
	(void)curl_easy_setopt(j->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)SB_HOOK_TIMEOUT_MS);
	(void)curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, j->body);
	(void)curl_easy_setopt(j->easy, CURLOPT_POSTFIELDSIZE,
	    (long)strlen(j->body));
	(void)curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->hl);
	(void)curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, j->err);
	(void)curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, discard);
	(void)curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	if (curl_multi_add_handle(multi, j->easy) != CURLM_OK)
		goto fail;
	j->attempt++;
	free(sig);
	/* Remember the signature for the log of this attempt. */
	return;
fail:
	free(sig);
	curl_slist_free_all(hl);
	j->hl = NULL;
	if (j->easy != NULL)
		curl_easy_cleanup(j->easy);
	j->easy = NULL;
	j->due = clk_mono_ms() + 1000;
}

/* A header's value out of a curl_slist. */
static const char *
slist_get(const struct curl_slist *l, const char *name)
{
	size_t	 n = strlen(name);

	for (; l != NULL; l = l->next)
		if (strncasecmp(l->data, name, n) == 0 && l->data[n] == ':')
			return l->data + n + 2;
	return NULL;
}

static void
finish(struct job *j, CURLcode cc)
{
	long		 status = 0;
	const char	*sig = slist_get(j->hl, "x-shipengine-rsa-sha256-signature");
	int		 ok;

	if (cc == CURLE_OK)
		(void)curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE,
		    &status);
	else if (j->err[0] == '\0')
		(void)snprintf(j->err, sizeof(j->err), "%s",
		    curl_easy_strerror(cc));
	ok = cc == CURLE_OK && status >= 200 && status < 300;
	log_attempt(j, status, ok ? "delivered" :
	    j->attempt >= SB_HOOK_TRIES ? "failed" : "retry", sig);
	(void)curl_multi_remove_handle(multi, j->easy);
	curl_easy_cleanup(j->easy);
	j->easy = NULL;
	curl_slist_free_all(j->hl);
	j->hl = NULL;
	if (ok || j->attempt >= SB_HOOK_TRIES) {
		if (!ok)
			log_warnx("webhook %lld to %s given up after %d tries",
			    (long long)j->id, j->url, j->attempt);
		unlink_job(j);
		job_free(j);
		return;
	}
	j->due = clk_mono_ms() + clk_real_ms(retry_after[j->attempt - 1] *
	    1000);
}

void
hook_run(void)
{
	struct job	*j, *next;
	CURLMsg		*m;
	int64_t		 now = clk_mono_ms();
	int		 running, left;
	size_t		 inflight;

	if (timer_due >= 0 && timer_due <= now) {
		timer_due = -1;
		(void)curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0,
		    &running);
	}
	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		j = NULL;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &j);
		if (j != NULL)
			finish(j, m->data.result);
	}
	/*
	 * At most a quarter of the curl sockets in flight: past
	 * SB_CURL_FDS the socket callback must refuse one, and libcurl 7.88
	 * then crashes in curl_multi_socket_action (a burst of 50 deliveries
	 * from a seed did it). The rest wait their turn, as ShipStation's
	 * own delivery queue would.
	 */
	inflight = 0;
	for (j = queue; j != NULL; j = j->next)
		if (j->easy != NULL)
			inflight++;
	for (j = queue; j != NULL && inflight < SB_CURL_FDS / 4; j = next) {
		next = j->next;
		if (j->easy == NULL && !j->held && j->due <= now) {
			start(j);
			if (j->easy != NULL)
				inflight++;
		}
	}
}

void
hook_flush(void)
{
	struct job	*j;
	int64_t		 now = clk_mono_ms();
	size_t		 i;

	for (i = 0; i < nheld; i++)
		held[i]->held = 0;
	nheld = 0;
	f_reorder = 0;
	for (j = queue; j != NULL; j = j->next)
		if (j->easy == NULL && j->due > now)
			j->due = now;
}

int
hook_control(json_t *a, char *err, size_t errsz)
{
	const char	*mode = ss_str(a, "mode");
	int64_t		 n = ss_int(a, "count", 1);

	if (mode == NULL || n < 0 || n > 64) {
		(void)snprintf(err, errsz, "need \"mode\" (duplicate, delay, "
		    "reorder, drop, clear, flush) and a count 0..64");
		return -1;
	}
	if (strcmp(mode, "duplicate") == 0)
		f_dup = (int)n;
	else if (strcmp(mode, "drop") == 0)
		f_drop = (int)n;
	else if (strcmp(mode, "reorder") == 0) {
		if (n < 2) {
			(void)snprintf(err, errsz, "reorder needs count >= 2");
			return -1;
		}
		f_reorder = (int)n;
	} else if (strcmp(mode, "delay") == 0) {
		f_delay_ms = ss_int(a, "delay_ms", 0);
		if (f_delay_ms <= 0 || f_delay_ms > 3600000) {
			(void)snprintf(err, errsz, "delay needs delay_ms");
			return -1;
		}
		f_delay_n = (int)n;
	} else if (strcmp(mode, "clear") == 0) {
		f_dup = f_drop = f_reorder = f_delay_n = 0;
		hook_flush();
	} else if (strcmp(mode, "flush") == 0)
		hook_flush();
	else {
		(void)snprintf(err, errsz, "unknown mode \"%.32s\"", mode);
		return -1;
	}
	return 0;
}

json_t *
hook_dump(void)
{
	json_t		*pending = json_array();
	struct job	*j;

	for (j = queue; j != NULL; j = j->next)
		(void)json_array_append_new(pending, json_pack("{s:I, s:s, "
		    "s:s, s:i, s:b, s:b, s:I}", "id", (json_int_t)j->id,
		    "event", j->event, "url", j->url, "attempts", j->attempt,
		    "in_flight", j->easy != NULL, "held", j->held,
		    "due_in_ms", (json_int_t)(j->due - clk_mono_ms())));
	return json_pack("{s:o, s:o, s:{s:i, s:i, s:i, s:i, s:I}}",
	    "deliveries", dlog != NULL ? json_incref(dlog) : json_array(),
	    "pending", pending,
	    "faults", "duplicate", f_dup, "drop", f_drop, "reorder",
	    f_reorder, "delay", f_delay_n, "delay_ms",
	    (json_int_t)f_delay_ms);
}

/* The sink -------------------------------------------------------------- */

void
hook_sink(const char *name, const struct sb_req *req, struct sb_resp *resp)
{
	json_t	*h = json_object(), *cfg;
	char	 lname[128], at[TZ_BUFSZ];
	size_t	 i, k;
	int	 status = 200;
	int64_t	 count;

	for (i = 0; i < req->nheaders; i++) {
		for (k = 0; k + 1 < sizeof(lname) &&
		    req->headers[i].name[k] != '\0'; k++)
			lname[k] = (char)(req->headers[i].name[k] | 0x20);
		lname[k] = '\0';
		(void)json_object_set_new(h, lname,
		    json_string(req->headers[i].value));
	}
	if (sinklog == NULL)
		sinklog = json_array();
	while (json_array_size(sinklog) >= SB_LOG_MAX)
		(void)json_array_remove(sinklog, 0);
	tz_fmt_utc(sb_now_ms(), at, sizeof(at));
	cfg = json_object_get(sinkcfg, name);
	count = ss_int(cfg, "count", 0);
	if (count > 0) {
		status = (int)ss_int(cfg, "status", 200);
		resp->delay_ms = (unsigned int)ss_int(cfg, "delay_ms", 0);
		(void)json_object_set_new(cfg, "count", json_integer(count - 1));
	}
	(void)json_array_append_new(sinklog, json_pack("{s:s, s:s, s:s, "
	    "s:o, s:s%, s:s, s:i}", "name", name, "method", req->method,
	    "query", req->query, "headers", h, "body", req->body,
	    req->bodylen, "at", at, "answered", status));
	sb_resp_json(resp, status, json_pack("{s:b}", "received", 1));
}

int
hook_sink_cfg(json_t *a, char *err, size_t errsz)
{
	const char	*name = ss_str(a, "name");
	int64_t		 status = ss_int(a, "status", 200);
	int64_t		 count = ss_int(a, "count", 1);
	int64_t		 delay = ss_int(a, "delay_ms", 0);

	if (name == NULL || status < 100 || status > 599 || count < 0 ||
	    delay < 0 || delay > 600000) {
		(void)snprintf(err, errsz, "need name, status 100..599, "
		    "count >= 0, delay_ms 0..600000");
		return -1;
	}
	if (sinkcfg == NULL)
		sinkcfg = json_object();
	(void)json_object_set_new(sinkcfg, name, json_pack("{s:I, s:I, s:I}",
	    "status", (json_int_t)status, "count", (json_int_t)count,
	    "delay_ms", (json_int_t)delay));
	return 0;
}

json_t *
hook_sink_dump(const char *name)
{
	json_t	*a = json_array(), *e;
	size_t	 i;

	json_array_foreach(sinklog, i, e)
		if (name == NULL || strcmp(ss_str(e, "name"), name) == 0)
			(void)json_array_append(a, e);
	return json_pack("{s:o}", "received", a);
}

/* Life cycle ------------------------------------------------------------ */

int
hook_init(void)
{
	unsigned char	 md[32];
	unsigned int	 mdlen = sizeof(md);
	BIGNUM		*n = NULL;
	unsigned char	*bin = NULL;
	BIO		*bio = NULL;
	char		*data;
	long		 len;
	int		 rc = -1, nb;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (multi = curl_multi_init()) == NULL)
		return -1;
	(void)curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	(void)curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEY_BITS)) ==
	    NULL)
		goto out;
	/* kid: the first bytes of SHA-256 over the modulus. */
	if (EVP_PKEY_get_bn_param(key, "n", &n) != 1)
		goto out;
	nb = BN_num_bytes(n);
	if ((bin = malloc((size_t)nb)) == NULL)
		goto out;
	(void)BN_bn2bin(n, bin);
	if (EVP_Digest(bin, (size_t)nb, md, &mdlen, EVP_sha256(), NULL) != 1)
		goto out;
	(void)snprintf(kid, sizeof(kid), "sandbox-%02x%02x%02x%02x%02x%02x"
	    "%02x%02x", md[0], md[1], md[2], md[3], md[4], md[5], md[6],
	    md[7]);
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, key) != 1)
		goto out;
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || (pem = strndup(data, (size_t)len)) == NULL)
		goto out;
	rc = 0;
out:
	BIO_free(bio);
	free(bin);
	BN_free(n);
	return rc;
}

void
hook_reset(void)
{
	struct job	*j;

	while ((j = queue) != NULL) {
		queue = j->next;
		job_free(j);
	}
	nheld = 0;
	f_dup = f_drop = f_reorder = f_delay_n = 0;
	f_delay_ms = 0;
	json_decref(dlog);
	json_decref(sinklog);
	json_decref(sinkcfg);
	dlog = sinklog = sinkcfg = NULL;
}

void
hook_free(void)
{
	hook_reset();
	if (multi != NULL)
		(void)curl_multi_cleanup(multi);
	multi = NULL;
	EVP_PKEY_free(key);
	key = NULL;
	free(pem);
	pem = NULL;
	curl_global_cleanup();
}
