/*
 * Test driver for the API clients: runs one client loop against the
 * sandbox so that tests can start several at once (the quota and the
 * token cache are shared through the database).
 *
 *   ml-clients-drv -f conf [-c sandbox_url] [-p prio] command [args]
 *     quota SECONDS	cheap ShipStation calls for SECONDS of clk time
 *     x3loop SECONDS	X3 GraphQL reads for SECONDS of clk time
 *     x3once		one X3 GraphQL read
 *     bench		list every order; calls per 1,000 orders
 *     fetch URL	fetch a webhook resource_url
 *     sscheck		createorder twice (upsert), get it, webhooks round trip
 *     pair CODE	X3 gateway pairing
 *
 * With -c, the clock is warped to the sandbox's (GET /_sandbox/clock:
 * now_ms and factor) so that quota windows and token lifetimes are
 * measured in sandbox time. Results go to stdout as key=value words.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core.h"

static void
usage(void)
{
	fprintf(stderr, "usage: ml-clients-drv -f conf [-c sandbox_url] "
	    "[-p prio] quota|x3loop SECONDS | x3once | bench | fetch URL | "
	    "pair CODE\n");
	exit(2);
}

static void
warp(const char *sb)
{
	struct http_opts	 o;
	struct http_req		 q;
	struct http_resp	*r = NULL;
	struct http		*h;
	char			 url[512];
	json_t			*f;

	memset(&o, 0, sizeof(o));
	o.allow_http = 1;
	o.retries = 2;
	if ((h = http_new(&o)) == NULL)
		fatalx("http_new");
	(void)snprintf(url, sizeof(url), "%s/_sandbox/clock", sb);
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.expect_json = 1;
	if (http_do(h, &q, &r) != CORE_OK)
		fatalx("cannot read the sandbox clock: %s", r ? r->what : "");
	f = json_object_get(r->json, "factor");
	clk_warp(json_integer_value(json_object_get(r->json, "now_ms")),
	    json_is_number(f) && json_number_value(f) > 0 ?
	    json_number_value(f) : 1);
	http_resp_free(r);
	http_free(h);
}

static int
count(void *arg, json_t *rec)
{
	(void)rec;
	(*(int *)arg)++;
	return 0;
}

static enum quota_prio	 prio = QUOTA_POLL;

static int
run_quota(struct db *db, const struct cfg *cfg, double secs)
{
	struct ss		*s;
	const struct http_resp	*r;
	int64_t			 start, end;
	int			 calls = 0, ok = 0, fail = 0, rate = 0;

	if (ss_new(&cfg->ss, db, &s) != CORE_OK)
		fatalx("ss_new");
	start = clk_now_ms();
	end = start + (int64_t)(secs * 1000);
	while (clk_now_ms() < end) {
		if (ss_ping(s, prio, ML_QUOTA_WAIT_MS) == CORE_OK)
			ok++;
		else
			fail++;
		r = ss_last(s);
		if (r != NULL) {
			calls += r->attempts;
			if (r->status == 429 || r->class == JOB_ERR_RATE)
				rate++;
		}
	}
	printf("start_ms=%lld end_ms=%lld calls=%d ok=%d fail=%d rate=%d\n",
	    (long long)start, (long long)clk_now_ms(), calls, ok, fail, rate);
	ss_free(s);
	return fail > 0;
}

static int
run_x3(struct db *db, const struct cfg *cfg, double secs, int once)
{
	static const char	 q[] = "{ x3MasterData { customer { query("
	    "first: 1) { edges { node { code } } } } } }";
	struct x3		*x;
	struct x3_stats		 st;
	struct token_stats	 ts;
	json_t			*d;
	int64_t			 end;
	int			 ok = 0, fail = 0;

	if (x3_new(&cfg->x3, db, &x) != CORE_OK)
		fatalx("x3_new");
	end = clk_now_ms() + (int64_t)(secs * 1000);
	do {
		if (x3_graphql(x, q, NULL, &d) == CORE_OK)
			ok++;
		else {
			fail++;
			if (x3_last(x) != NULL)
				fprintf(stderr, "x3: %s\n", x3_last(x)->what);
		}
		json_decref(d);
	} while (!once && clk_now_ms() < end);
	x3_get_stats(x, &st);
	memset(&ts, 0, sizeof(ts));
	if (x3_token(x) != NULL)
		token_get_stats(x3_token(x), &ts);
	printf("ok=%d fail=%d calls=%d auth_retries=%d minted=%d reused=%d "
	    "forced=%d\n", ok, fail, st.calls, st.auth_retries, ts.minted,
	    ts.reused, ts.forced);
	x3_free(x);
	return fail > 0;
}

static int
run_bench(struct db *db, const struct cfg *cfg)
{
	struct ss	*s;
	struct ss_stats	 st;
	enum core_err	 rc;
	int		 n = 0;

	if (ss_new(&cfg->ss, db, &s) != CORE_OK)
		fatalx("ss_new");
	rc = ss_list(s, SS_ORDERS, NULL, 0, QUOTA_BACKFILL, count, &n, &st);
	printf("rc=%s orders=%d calls=%d pages=%d poison=%d per1000=%.2f\n",
	    core_strerror(rc), n, st.calls, st.pages, st.poison,
	    n > 0 ? 1000.0 * st.calls / n : 0.0);
	ss_free(s);
	return rc != CORE_OK;
}

/* V1 lists WebHookID (integer), V2 webhook_id (string). */
static int
same_hook(json_t *w, const char *id)
{
	const char	*v2 = json_string_value(json_object_get(w, "webhook_id"));
	json_t		*v1 = json_object_get(w, "WebHookID");

	if (v2 != NULL)
		return strcmp(v2, id) == 0;
	return json_is_integer(v1) &&
	    json_integer_value(v1) == strtoll(id, NULL, 10);
}

static int
run_sscheck(struct db *db, const struct cfg *cfg)
{
	struct ss	*s;
	json_t		*o = NULL, *a = NULL, *b = NULL, *g = NULL, *l = NULL;
	json_t		*w;
	char		*id = NULL, oid[32] = "";
	size_t		 i;
	int		 listed = 0, gone = 1, rc = 1;

	if (ss_new(&cfg->ss, db, &s) != CORE_OK)
		fatalx("ss_new");
	/* V2 orders are shipments with their own shape: webhooks only. */
	if (cfg->ss.v2)
		goto hooks;
	o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s}}", "orderNumber",
	    "DRV-1", "orderKey", "drv-key-1", "orderDate", "2021-03-14T02:30:00",
	    "orderStatus", "awaiting_shipment", "billTo", "name", "A",
	    "shipTo", "name", "A");
	if (ss_create_order(s, o, &a) != CORE_OK)
		goto out;
	(void)json_object_set_new(o, "orderStatus", json_string("on_hold"));
	if (ss_create_order(s, o, &b) != CORE_OK)
		goto out;
	(void)snprintf(oid, sizeof(oid), "%lld", (long long)json_integer_value(
	    json_object_get(a, "orderId")));
	if (ss_get_order(s, oid, QUOTA_POLL, &g) != CORE_OK)
		goto out;
hooks:
	if (ss_webhook_subscribe(s, "https://connector.example/hooks/x",
	    cfg->ss.v2 ? "shipment_created_v2" : "ORDER_NOTIFY", NULL,
	    "drv", &id) != CORE_OK)
		goto out;
	if (ss_webhook_list(s, &l) != CORE_OK)
		goto out;
	json_array_foreach(l, i, w)
		if (same_hook(w, id))
			listed = 1;
	json_decref(l);
	l = NULL;
	if (ss_webhook_unsubscribe(s, id) != CORE_OK ||
	    ss_webhook_list(s, &l) != CORE_OK)
		goto out;
	json_array_foreach(l, i, w)
		if (same_hook(w, id))
			gone = 0;
	rc = 0;
out:
	printf("first=%s second=%lld status=%s hook=%s listed=%d gone=%d "
	    "rc=%d what=%s\n", oid, (long long)json_integer_value(
	    json_object_get(b, "orderId")), json_string_value(json_object_get(g,
	    "orderStatus")) ? json_string_value(json_object_get(g,
	    "orderStatus")) : "-", id ? id : "-", listed, gone, rc,
	    ss_last(s) && ss_last(s)->what[0] ? ss_last(s)->what : "-");
	free(id);
	json_decref(o);
	json_decref(a);
	json_decref(b);
	json_decref(g);
	json_decref(l);
	ss_free(s);
	return rc;
}

static int
run_fetch(struct db *db, const struct cfg *cfg, const char *url)
{
	struct ss	*s;
	struct ss_stats	 st;
	enum core_err	 rc;
	int		 n = 0;

	if (ss_new(&cfg->ss, db, &s) != CORE_OK)
		fatalx("ss_new");
	rc = ss_fetch_resource(s, url, QUOTA_WEBHOOK, count, &n, &st);
	printf("rc=%s records=%d calls=%d\n", rc == CORE_EINPUT ? "refused" :
	    core_strerror(rc), n, st.calls);
	ss_free(s);
	return rc != CORE_OK;
}

int
main(int argc, char *argv[])
{
	const char	*file = NULL, *sb = NULL;
	struct cfg	*cfg;
	struct db	*db;
	struct x3	*x;
	char		*end;
	double		 secs = 0;
	int		 ch, rc = 2;

	while ((ch = getopt(argc, argv, "c:f:p:v")) != -1) {
		switch (ch) {
		case 'p':
			for (prio = 0; prio < QUOTA__MAX; prio++)
				if (strcmp(optarg, quota_prio_name(prio)) == 0)
					break;
			if (prio == QUOTA__MAX)
				usage();
			break;
		case 'c':
			sb = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'v':
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (file == NULL || argc < 1)
		usage();
	log_init("ml-clients-drv", 1, 0);
	if (cfg_load(file, &cfg) != CORE_OK)
		return 2;
	if ((db = db_new(&cfg->db)) == NULL)
		fatalx("db_new");
	if (sb != NULL)
		warp(sb);
	if (argc == 2 && (strcmp(argv[0], "quota") == 0 ||
	    strcmp(argv[0], "x3loop") == 0)) {
		errno = 0;
		secs = strtod(argv[1], &end);
		if (errno != 0 || *end != '\0' || secs <= 0 || secs > 86400)
			usage();
	}
	if (strcmp(argv[0], "quota") == 0 && argc == 2)
		rc = run_quota(db, cfg, secs);
	else if (strcmp(argv[0], "x3loop") == 0 && argc == 2)
		rc = run_x3(db, cfg, secs, 0);
	else if (strcmp(argv[0], "x3once") == 0 && argc == 1)
		rc = run_x3(db, cfg, 0, 1);
	else if (strcmp(argv[0], "bench") == 0 && argc == 1)
		rc = run_bench(db, cfg);
	else if (strcmp(argv[0], "sscheck") == 0 && argc == 1)
		rc = run_sscheck(db, cfg);
	else if (strcmp(argv[0], "fetch") == 0 && argc == 2)
		rc = run_fetch(db, cfg, argv[1]);
	else if (strcmp(argv[0], "pair") == 0 && argc == 2) {
		if (x3_new(&cfg->x3, db, &x) != CORE_OK)
			fatalx("x3_new");
		rc = x3_token(x) != NULL &&
		    token_gateway_pair(x3_token(x), argv[1]) == CORE_OK ? 0 : 1;
		printf("pair=%s\n", rc == 0 ? "ok" : "failed");
		x3_free(x);
	} else
		usage();
	db_free(db);
	cfg_free(cfg);
	return rc;
}
