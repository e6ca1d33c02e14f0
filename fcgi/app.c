/*
 * A thread's long-lived state. The fetcher thread has its own database
 * connection and ShipStation client; request threads borrow from the
 * process's connection pool and, on a V2 install, keep an HTTP handle
 * for the signing keys.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "app.h"

int
app_init(struct app *a, const struct cfg *cfg, int with_ss)
{
	char			 host[64];

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	/* Request threads use the process's pool; the fetcher its own. */
	if (with_ss && (a->db = db_new(&cfg->db)) == NULL)
		return -1;
	if (with_ss && cfg->ss.enabled &&
	    ss_new(&cfg->ss, a->db, &a->ss) != CORE_OK) {
		log_warnx("cannot start the ShipStation client");
		return -1;
	}
	if (gethostname(host, sizeof(host)) == -1)
		(void)snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(a->owner, sizeof(a->owner), "%s:%ld", host,
	    (long)getpid());
	return 0;
}

void
app_free(struct app *a)
{
	x3_free(a->x3);
	db_free(a->uidb);
	jwks_free(a->jwks);
	http_free(a->http);
	ss_free(a->ss);
	db_free(a->db);
	memset(a, 0, sizeof(*a));
}

/* GET the configured JWKS. On CORE_OK *out is new; jwks_free() it. */
enum core_err
app_fetch_jwks(struct app *a, struct jwks **out)
{
	struct http_opts	 ho;
	struct http_req		 rq;
	struct http_resp	*rs = NULL;
	enum core_err		 rc;

	*out = NULL;
	if (a->http == NULL) {
		memset(&ho, 0, sizeof(ho));
		ho.connect_timeout = 5;
		ho.timeout = 10;
		ho.allow_http = a->cfg->hooks.jwks_allow_http;
		ho.max_body = 64 * 1024;
		if ((a->http = http_new(&ho)) == NULL)
			return CORE_ENOMEM;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = a->cfg->hooks.v2_jwks_url;
	rq.expect_json = 1;
	rq.no_retry = 1;	/* a request is waiting on this */
	rc = http_do(a->http, &rq, &rs);
	if (rc == CORE_OK)
		rc = jwks_parse(rs->body, rs->len, out);
	else if (rs != NULL)
		log_warnx("JWKS %s", rs->what);
	http_resp_free(rs);
	return rc;
}

/*
 * Fetch the resource of an event just acknowledged, right away, through
 * the same job the poller would run if we crashed first. Claiming the
 * job by key means a poller that got to it first wins and we skip it.
 * Runs in the process's fetcher thread (fetch.c).
 */
void
app_after_reply(struct app *a, int64_t event_id)
{
	struct jobrun_ctx	 ctx;
	struct quota_state	 st;
	struct job		*j = NULL;
	char			 key[24];
	enum core_err		 rc;
	int64_t			 now;

	if (a->ss == NULL)
		return;		/* no API configured: the event waits */
	/*
	 * Never queue behind the quota here: a request thread that waited
	 * would stop taking webhooks. When no call is free now, the poller
	 * fetches it (webhook priority first) as soon as one is.
	 */
	now = clk_now_ms();
	/* Remembered, so a burst of webhooks costs no query per event. */
	if (now < a->quota_busy_until)
		return;
	if (quota_get(ss_quota(a->ss), &st) == CORE_OK &&
	    (st.tat_ms > now || st.blocked_until_ms > now)) {
		a->quota_busy_until = st.tat_ms > st.blocked_until_ms ?
		    st.tat_ms : st.blocked_until_ms;
		log_debug("event %lld: no ShipStation call free now; queued",
		    (long long)event_id);
		return;
	}
	(void)snprintf(key, sizeof(key), "%lld", (long long)event_id);
	rc = job_claim_key(a->db, "webhook.fetch", key, a->owner,
	    a->cfg->poller.lease, &j);
	if (rc == CORE_ENOTFOUND)
		return;
	if (rc != CORE_OK) {
		log_warnx("event %lld: claiming its fetch: %s; the poller "
		    "will retry", (long long)event_id, core_strerror(rc));
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = a->cfg;
	ctx.db = a->db;
	ctx.ss = a->ss;
	jobrun_run(&ctx, j, a->owner, "webhook");
	job_free(j);
}
