/*
 * ping: check, in order, the configuration, the
 * database (and that migrations are applied), ShipStation (credentials,
 * remaining quota) and Sage X3 (credentials, endpoint, clock skew, the
 * GraphQL operations the connector needs, REST api1). Every line starts
 * with "ok", "WARN" or "FAIL" and the check's name; a failure is
 * followed by a "fix" line saying what to do. Shared by
 * ml-connector-ctl ping and the admin UI's connection status page, so
 * lines go to a callback; nothing here prints.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "ping.h"

#define PING_QUOTA_WAIT_MS	10000	/* ping does not queue for long */
#define PING_TIMEOUT		15	/* seconds per request */

struct ping {
	int	 failed;
	int	 warned;
	ping_out_fn out;
	void	*arg;
};

static void ML_PRINTF(3, 4)
line(struct ping *p, const char *tag, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[1024];

	if (strcmp(tag, "FAIL") == 0)
		p->failed++;
	else if (strcmp(tag, "WARN") == 0)
		p->warned++;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->out(p->arg, tag, buf);
}

static void ML_PRINTF(2, 3)
fix(struct ping *p, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[1024];

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->out(p->arg, "fix", buf);
}

/* "host:port" of a base URL for messages. */
static const char *
hostport(const char *url)
{
	static _Thread_local char buf[256];	/* fcgi threads */
	const char	*p = strstr(url, "://");
	size_t		 n;

	p = p ? p + 3 : url;
	n = strcspn(p, "/");
	(void)snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
	return buf;
}

/*
 * Failures below HTTP, the same for both remotes. 1 when r was one of
 * them (and diagnosed), 0 otherwise.
 */
static int
network(struct ping *p, const char *name, const char *group,
    const char *base, const struct http_resp *r)
{
	switch (r->fail) {
	case HTTP_F_DNS:
		line(p, "FAIL", "%s: cannot resolve %s (%s)", name,
		    hostport(base), r->err);
		fix(p, "check %s.base_url, and DNS on this host "
		    "(/etc/resolv.conf, getent hosts NAME)", group);
		return 1;
	case HTTP_F_CONNECT:
		line(p, "FAIL", "%s: connection refused or unreachable: %s (%s)",
		    name, hostport(base), r->err);
		fix(p, "check the port in %s.base_url (Syracuse often listens "
		    "on 8124), that the server runs, and firewalls", group);
		return 1;
	case HTTP_F_TLS:
		line(p, "FAIL", "%s: TLS with %s failed: %s", name,
		    hostport(base), r->err);
		if (r->class == JOB_ERR_AUTH)
			fix(p, "the server certificate is not trusted: set "
			    "%s.ca_file to the CA bundle (PEM) that signed it",
			    group);
		else
			fix(p, "check that %s speaks https on that port (or use "
			    "http:// with allow_http = true for the sandbox)",
			    hostport(base));
		return 1;
	case HTTP_F_TIMEOUT:
		line(p, "FAIL", "%s: no answer from %s in time (%s)", name,
		    hostport(base), r->err);
		fix(p, "a firewall may drop packets; or raise %s.timeout",
		    group);
		return 1;
	case HTTP_F_NETWORK:
		line(p, "FAIL", "%s: transfer from %s failed: %s (%s)", name,
		    hostport(base), r->what, r->err);
		fix(p, "retry; if it persists check proxies between us and %s",
		    hostport(base));
		return 1;
	case HTTP_F_URL:
		line(p, "FAIL", "%s: URL refused: %s", name, r->err);
		fix(p, "%s.base_url must be https:// (http:// only with "
		    "allow_http = true, for the sandbox)", group);
		return 1;
	case HTTP_F_HTML:
		line(p, "FAIL", "%s: an HTML page came back instead of JSON "
		    "(HTTP %ld)", name, r->status);
		fix(p, "a proxy or login page answers for %s: check %s.base_url "
		    "and proxy settings", hostport(base), group);
		return 1;
	case HTTP_F_TOOBIG:
		line(p, "FAIL", "%s: answer larger than %s.max_body", name,
		    group);
		fix(p, "raise %s.max_body", group);
		return 1;
	default:
		return 0;
	}
}

static void
skew(struct ping *p, const char *name, const struct http_resp *r)
{
	int64_t	 d;

	if (r == NULL || r->date_ms == 0)
		return;
	d = (r->date_ms - clk_now_ms()) / 1000;
	if (d > ML_CLOCK_SKEW_WARN || d < -ML_CLOCK_SKEW_WARN) {
		line(p, "WARN", "%s: clock skew: the server's clock is %+lld s "
		    "from ours", name, (long long)d);
		fix(p, "run NTP on this host (and ask for it on the server); "
		    "tokens carry times");
	}
}

static int
ping_db(struct ping *p, const struct cfg *cfg, struct db *db)
{
	struct db_rows	*r;
	enum core_err	 rc;
	int64_t		 v;

	if ((rc = db_ping(db)) != CORE_OK) {
		line(p, "FAIL", "database: %s: %s", core_strerror(rc),
		    db_error(db));
		fix(p, "check database.%s, that MariaDB runs, and the user and "
		    "password (database.password_file)", cfg->db.host ?
		    "host/port" : "socket");
		return 0;
	}
	if (db_select(db, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_version", DB_NOPARAMS, &r) != CORE_OK) {
		line(p, "FAIL", "database: connected, but no schema_version "
		    "table: %s", db_error(db));
		fix(p, "run ml-connector-ctl migrate");
		return 0;
	}
	v = db_rows_i64(r, 0, 0, 0);
	db_rows_free(r);
	if (v < 2) {
		line(p, "FAIL", "database: schema version %lld, the clients "
		    "need 2", (long long)v);
		fix(p, "run ml-connector-ctl migrate");
		return 0;
	}
	line(p, "ok", "database: connected, schema version %lld",
	    (long long)v);
	return 1;
}

static void
ping_ss(struct ping *p, const struct cfg *cfg, struct db *db)
{
	struct cfg_ss		 c = cfg->ss;
	struct ss		*s;
	const struct http_resp	*r;
	struct quota_state	 qs;
	const char		*rem, *lim, *reset;
	enum core_err		 rc;

	if (!c.enabled) {
		line(p, "ok", "shipstation: not configured");
		return;
	}
	c.retries = 0;
	if (c.timeout > PING_TIMEOUT)
		c.timeout = PING_TIMEOUT;
	if ((rc = ss_new(&c, db, &s)) != CORE_OK) {
		line(p, "FAIL", "shipstation: cannot start the client: %s",
		    core_strerror(rc));
		return;
	}
	rc = ss_ping(s, QUOTA_MASTER, PING_QUOTA_WAIT_MS);
	r = ss_last(s);
	if (r == NULL) {
		line(p, "FAIL", "shipstation: %s", core_strerror(rc));
		goto out;
	}
	if (rc != CORE_OK) {
		if (network(p, "shipstation", "shipstation", c.base_url, r))
			goto out;
		if (r->fail == HTTP_F_QUOTA) {
			line(p, "FAIL", "shipstation: no call allowed within "
			    "%d s: the shared budget is used up",
			    PING_QUOTA_WAIT_MS / 1000);
			fix(p, "other processes use this key right now; try again, "
			    "or lower their load");
		} else if (r->status == 401 || r->status == 403) {
			line(p, "FAIL", "shipstation: credentials refused "
			    "(HTTP %ld)", r->status);
			if (c.v2)
				fix(p, "api \"v2\" needs a V2 API key in "
				    "shipstation.v2_key_file (V1 key:secret "
				    "pairs are not accepted)");
			else
				fix(p, "api \"v1\" needs the account's API key and "
				    "secret in shipstation.key_file and "
				    "secret_file (V2 keys are not accepted)");
		} else if (r->status == 429) {
			line(p, "FAIL", "shipstation: rate limited (HTTP 429)");
			fix(p, "another application uses this key: lower "
			    "shipstation.rate_limit to leave it room");
		} else if (r->status == 404) {
			line(p, "FAIL", "shipstation: %s answers 404 for the "
			    "order list", hostport(c.base_url));
			fix(p, "shipstation.base_url does not point at the %s API",
			    c.v2 ? "V2 (https://api.shipstation.com)" :
			    "V1 (https://ssapi.shipstation.com)");
		} else if (r->status >= 500) {
			line(p, "FAIL", "shipstation: server error HTTP %ld",
			    r->status);
			fix(p, "ShipStation is failing; retry later");
		} else {
			line(p, "FAIL", "shipstation: %s", r->what);
			fix(p, "check shipstation.base_url and api (\"%s\")",
			    c.api);
		}
		goto out;
	}
	rem = http_resp_header(r, "X-Rate-Limit-Remaining");
	lim = http_resp_header(r, "X-Rate-Limit-Limit");
	reset = http_resp_header(r, "X-Rate-Limit-Reset");
	if (rem != NULL)
		line(p, "ok", "shipstation: %s credentials accepted; %s of %s "
		    "calls left, window resets in %s s", c.v2 ? "V2" : "V1",
		    rem, lim ? lim : "?", reset ? reset : "?");
	else
		line(p, "ok", "shipstation: %s credentials accepted (no "
		    "X-Rate-Limit headers; pacing at %d/min)", c.v2 ? "V2" :
		    "V1", c.rate_limit);
	if (db != NULL && ss_quota(s) != NULL &&
	    quota_get(ss_quota(s), &qs) == CORE_OK)
		line(p, "ok", "shipstation: shared quota %.12s: limit %d/min, "
		    "%lld calls taken, %lld throttled (429)",
		    quota_key_hash(ss_quota(s)), qs.limit, (long long)qs.taken,
		    (long long)qs.throttled);
	skew(p, "shipstation", r);
out:
	ss_free(s);
}

/* X3's 401 body "Error NN: Invalid token" (sage-x3.md 5.2). */
static void
x3_auth_fix(struct ping *p, const struct cfg_x3 *c, const struct http_resp *r)
{
	int	 code = 0;

	if (r->body != NULL)
		(void)sscanf(r->body, "Error %d", &code);
	switch (code) {
	case 21:
		fix(p, "X3 says the token was issued in its future: our clock is "
		    "ahead of X3's. Fix NTP, or raise x3.iat_skew (now %d s)",
		    c->iat_skew);
		break;
	case 41:
		fix(p, "X3 does not know client id \"%s\" (iss): copy the "
		    "connected application's client id into x3.client_id",
		    c->client_id ? c->client_id : "");
		break;
	case 42:
		fix(p, "\"%s\" (sub) is not the application's allowed user: set "
		    "x3.user to it", c->user ? c->user : "(none)");
		break;
	case 45:
		fix(p, "audience mismatch: set x3.audience to what the server "
		    "expects (\"\" or the GraphQL URL)");
		break;
	case 50:
		fix(p, "signature or lifetime refused: check x3.secret_file "
		    "(regenerating the secret revokes the old one), that "
		    "token_validity (%d s) is not above the application's, "
		    "and the clocks", c->token_validity);
		break;
	default:
		if (c->auth_kind == CFG_X3_BASIC)
			fix(p, "check x3.basic_user and basic_password_file");
		else if (c->auth_kind == CFG_X3_GATEWAY)
			fix(p, "the gateway refused the token: pair again if the "
			    "refresh token expired (30 days)");
		else
			fix(p, "check x3.client_id, secret_file, user, audience "
			    "against the connected application");
	}
}

static void
x3_endpoint_fix(struct ping *p, const struct cfg_x3 *c, const struct http_resp *r)
{
	if (r->body != NULL && strstr(r->body, "ndpoint") != NULL)
		fix(p, "Syracuse does not know endpoint \"%s\": set x3.endpoint "
		    "to the endpoint name (it need not equal the folder name)",
		    c->endpoint);
	else if (r->body != NULL && strstr(r->body, "Cannot query field"))
		fix(p, "the schema has other package names: set "
		    "x3.sales_package / master_package");
	else if (r->status == 404)
		fix(p, "nothing at %s: check x3.graphql_path (GraphQL needs "
		    "X3 2022 R4 or later)", c->graphql_path);
	else
		fix(p, "check x3.base_url, endpoint and graphql_path");
}

static int
first_only(void *arg, json_t *rec)
{
	(void)arg;
	(void)rec;
	return 1;
}

static void
ping_x3(struct ping *p, const struct cfg *cfg, struct db *db)
{
	struct cfg_x3		 c = cfg->x3;
	struct x3		*x;
	struct x3_ops		*ops = NULL;
	const struct http_resp	*r;
	const char *const	*req;
	enum core_err		 rc;
	size_t			 i, len, missing = 0;
	char			 found[1024];

	if (!c.enabled) {
		line(p, "ok", "x3: not configured");
		return;
	}
	c.retries = 0;
	if (c.timeout > PING_TIMEOUT)
		c.timeout = PING_TIMEOUT;
	if ((rc = x3_new(&c, db, &x)) != CORE_OK) {
		line(p, "FAIL", "x3: cannot start the client: %s",
		    core_strerror(rc));
		return;
	}
	rc = x3_probe(x, &ops);
	r = x3_last(x);
	if (r == NULL) {
		line(p, "FAIL", "x3: no token: %s", core_strerror(rc));
		if (c.auth_kind == CFG_X3_GATEWAY)
			fix(p, "pair the connector with the X3 cloud gateway "
			    "first (authorization code), then ping again");
		goto rest;
	}
	skew(p, "x3", r);
	if (rc != CORE_OK) {
		if (network(p, "x3 graphql", "x3", c.base_url, r))
			goto out;
		if (r->status == 401 || r->status == 403) {
			line(p, "FAIL", "x3 graphql: authentication refused: "
			    "%.80s", r->body ? r->body : r->what);
			x3_auth_fix(p, &c, r);
		} else {
			line(p, "FAIL", "x3 graphql: %s", r->what);
			x3_endpoint_fix(p, &c, r);
		}
		goto rest;
	}
	line(p, "ok", "x3 graphql: %s accepted on endpoint %s (%zu "
	    "operations published)", c.auth, c.endpoint, ops->n);
	for (req = x3_required_ops(x); *req != NULL; req++) {
		if (x3_ops_has(ops, *req))
			line(p, "ok", "x3 operation %s", *req);
		else {
			missing++;
			line(p, "FAIL", "x3 operation %s is missing", *req);
		}
	}
	if (missing > 0) {
		found[0] = '\0';
		for (i = 0; i < ops->n && i < 40; i++) {
			len = strlen(found);
			(void)snprintf(found + len, sizeof(found) - len, "%s%s",
			    i ? " " : "", ops->names[i]);
		}
		p->out(p->arg, "found", found);
		fix(p, "activate the missing operations in X3 (API operations, "
		    "GESAPIOPE), or set x3.sales_package / master_package if "
		    "the packages are named differently");
	}
rest:
	if (c.basic_user == NULL || c.basic_password == NULL)
		goto out;
	rc = x3_rest_query(x, "BPCUSTOMER", "BPCUSTOMER", NULL, NULL,
	    first_only, NULL);
	r = x3_last(x);
	if (rc == CORE_OK)
		line(p, "ok", "x3 rest: api1 answers on endpoint %s",
		    c.endpoint);
	else if (r == NULL)
		line(p, "FAIL", "x3 rest: %s", core_strerror(rc));
	else if (!network(p, "x3 rest", "x3", c.base_url, r)) {
		line(p, "FAIL", "x3 rest: %s", r->what);
		if (r->status == 401)
			fix(p, "check x3.basic_user and basic_password_file");
		else if (r->body != NULL && strstr(r->body, "ndpoint") != NULL)
			fix(p, "Syracuse does not know endpoint \"%s\": set "
			    "x3.endpoint to the endpoint name", c.endpoint);
		else
			fix(p, "check x3.base_url and endpoint");
	}
out:
	x3_ops_free(ops);
	x3_free(x);
}

int
ping_run(const struct cfg *cfg, struct db *db, ping_out_fn out, void *arg,
    int *warned)
{
	struct ping	 p;
	int		 dbok;

	memset(&p, 0, sizeof(p));
	p.out = out;
	p.arg = arg;
	line(&p, "ok", "config: %s", cfg->path);
	dbok = ping_db(&p, cfg, db);
	ping_ss(&p, cfg, dbok ? db : NULL);
	ping_x3(&p, cfg, dbok ? db : NULL);
	if (warned != NULL)
		*warned = p.warned;
	return p.failed;
}
