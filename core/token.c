/*
 * Bearer tokens for Sage X3, shared by every process through the
 * tokens table (reference sage-x3.md 5.2, 5.3).
 *
 * Connected applications have no token endpoint: we mint an HS256 JWT
 * ourselves (claims iss, sub, aud, iat, exp), with iat back-dated a
 * little because X3 rejects an iat in its future when clocks drift, and
 * exp = iat + validity because X3 also rejects exp - iat above the
 * application's token validity (reference 5.2).
 * The cloud gateway pairs once (authorization code) and then lives on
 * its refresh token (30 days) to get 5-minute access tokens.
 *
 * Either way the current token sits in one row; every process reads
 * it before a call, so when one process renews (before expiry, by the
 * configured margin, or after a 401) the others use the new token on
 * their next call. Renewal happens under SELECT ... FOR UPDATE, so only
 * one process refreshes at a time: a gateway refresh token may rotate,
 * and two concurrent refreshes would burn it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core.h"

struct token {
	const struct cfg_x3	*cfg;		/* lent */
	struct db		*db;		/* lent */
	struct http		*http;		/* lent */
	char			 name[64];	/* tokens.name */
	char			*cur;		/* current access token */
	int64_t			 cur_exp;	/* its expiry, clk ms */
	char			*refresh;	/* gateway refresh token */
	int64_t			 refresh_exp;
	struct http_resp	*last;		/* last gateway answer */
	struct token_stats	 st;
};

int
token_b64url(const void *in, size_t len, char *out, size_t outsz)
{
	static const char	 a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*p = in;
	size_t			 i, o = 0;
	uint32_t		 v;

	if ((len + 2) / 3 * 4 + 1 > outsz)
		return -1;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
	}
	out[o] = '\0';
	return (int)o;
}

int
token_hs256(const void *key, size_t keylen, const void *msg, size_t len,
    unsigned char out[32])
{
	unsigned int	 n = 32;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, len, out, &n) == NULL ||
	    n != 32)
		return -1;
	return 0;
}

/* Append the base64url of len bytes at p to buf (size sz) at *o. */
static int
put64(char *buf, size_t sz, size_t *o, const void *p, size_t len)
{
	int	 n;

	if ((n = token_b64url(p, len, buf + *o, sz - *o)) == -1)
		return -1;
	*o += (size_t)n;
	return 0;
}

enum core_err
token_jwt_mint(const char *iss, const char *sub, const char *aud,
    const char *secret, int64_t now_s, int validity, int skew, char **out)
{
	static const char	 hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	json_t			*pl = NULL;
	char			*js = NULL, *buf = NULL;
	unsigned char		 mac[32];
	size_t			 sz, o = 0;
	enum core_err		 rc = CORE_ENOMEM;

	*out = NULL;
	if (iss == NULL || secret == NULL || validity <= 0)
		return CORE_EINPUT;
	if ((pl = json_object()) == NULL ||
	    json_object_set_new(pl, "iss", json_string(iss)) != 0 ||
	    (sub != NULL && json_object_set_new(pl, "sub",
	    json_string(sub)) != 0) ||
	    json_object_set_new(pl, "aud", json_string(aud ? aud : "")) != 0 ||
	    json_object_set_new(pl, "iat", json_integer(now_s - skew)) != 0 ||
	    json_object_set_new(pl, "exp",
	    json_integer(now_s - skew + validity)) != 0)
		goto out;
	if ((js = json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		goto out;
	sz = (sizeof(hdr) + strlen(js)) * 4 / 3 + 64 + 4;
	if ((buf = malloc(sz)) == NULL)
		goto out;
	rc = CORE_EINPUT;
	if (put64(buf, sz, &o, hdr, sizeof(hdr) - 1) == -1)
		goto out;
	buf[o++] = '.';
	if (put64(buf, sz, &o, js, strlen(js)) == -1)
		goto out;
	if (token_hs256(secret, strlen(secret), buf, o, mac) == -1)
		goto out;
	buf[o++] = '.';
	if (put64(buf, sz, &o, mac, sizeof(mac)) == -1)
		goto out;
	*out = buf;
	buf = NULL;
	rc = CORE_OK;
out:
	explicit_bzero(mac, sizeof(mac));
	free(buf);
	free(js);
	json_decref(pl);
	return rc;
}

/* tokens.name: kind plus a hash of what makes the token distinct. */
static void
make_name(struct token *t)
{
	const struct cfg_x3	*c = t->cfg;
	unsigned char		 md[SHA256_DIGEST_LENGTH];
	unsigned char		 sk[SHA256_DIGEST_LENGTH];
	const char		*sec = c->auth_kind == CFG_X3_GATEWAY ?
	    c->gateway_secret : c->secret;
	char			 id[1024];
	int			 i, n;

	/* A new secret means new tokens: its hash is part of the name. */
	(void)SHA256((const unsigned char *)(sec ? sec : ""),
	    sec ? strlen(sec) : 0, sk);
	n = snprintf(id, sizeof(id), "%s\n%s\n%s\n%02x%02x%02x%02x\n%s",
	    c->client_id ? c->client_id : "", c->user ? c->user : "",
	    c->audience ? c->audience : "", sk[0], sk[1], sk[2], sk[3],
	    c->auth_kind == CFG_X3_GATEWAY ? (c->gateway_url ?
	    c->gateway_url : "") : (c->base_url ? c->base_url : ""));
	if (n < 0 || (size_t)n >= sizeof(id))
		n = (int)sizeof(id) - 1;
	(void)SHA256((const unsigned char *)id, (size_t)n, md);
	n = snprintf(t->name, sizeof(t->name), "%s:",
	    c->auth_kind == CFG_X3_GATEWAY ? "x3_gw" : "x3_jwt");
	for (i = 0; i < 16 && (size_t)n + 3 < sizeof(t->name); i++)
		n += snprintf(t->name + n, sizeof(t->name) - (size_t)n,
		    "%02x", md[i]);
}

struct token *
token_new(const struct cfg_x3 *cfg, struct db *db, struct http *http)
{
	struct token	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cfg = cfg;
	t->db = db;
	t->http = http;
	make_name(t);
	return t;
}

static void
zfree(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
token_free(struct token *t)
{
	if (t == NULL)
		return;
	zfree(t->cur);
	zfree(t->refresh);
	http_resp_free(t->last);
	free(t);
}

const char *
token_name(const struct token *t)
{
	return t->name;
}

void
token_get_stats(const struct token *t, struct token_stats *st)
{
	*st = t->st;
}

const struct http_resp *
token_last(const struct token *t)
{
	return t->last;
}

static int
set_str(char **dst, const char *v)
{
	char	*s = NULL;

	if (v != NULL && (s = strdup(v)) == NULL)
		return -1;
	zfree(*dst);
	*dst = s;
	return 0;
}

static int
usable(const struct token *t, const char *tok, int64_t exp,
    const char *rejected)
{
	int64_t	 margin = (int64_t)t->cfg->renew_margin * 1000;

	return tok != NULL && tok[0] != '\0' && exp - margin > clk_now_ms() &&
	    (rejected == NULL || strcmp(tok, rejected) != 0);
}

static const char	 sel[] = "SELECT access_token, "
    "CAST(ROUND(UNIX_TIMESTAMP(expires_at) * 1000) AS SIGNED), "
    "refresh_token, "
    "CAST(ROUND(UNIX_TIMESTAMP(refresh_expires_at) * 1000) AS SIGNED) "
    "FROM tokens WHERE name = ?";

/* Load the row into t (when present). */
static enum core_err
load_row(struct token *t, int for_update)
{
	char		 q[sizeof(sel) + 16];
	struct db_rows	*r;
	enum core_err	 rc;

	if (t->db == NULL)
		return CORE_EDBDOWN;
	(void)snprintf(q, sizeof(q), "%s%s", sel, for_update ?
	    " FOR UPDATE" : "");
	if ((rc = db_select(t->db, q, DB_PARAMS(DB_STR(t->name)), &r)) !=
	    CORE_OK)
		return rc;
	if (r->nrows == 1) {
		if (set_str(&t->cur, db_rows_get(r, 0, 0)) == -1 ||
		    set_str(&t->refresh, db_rows_get(r, 0, 2)) == -1) {
			db_rows_free(r);
			return CORE_ENOMEM;
		}
		t->cur_exp = db_rows_i64(r, 0, 1, 0);
		t->refresh_exp = db_rows_i64(r, 0, 3, 0);
	}
	db_rows_free(r);
	return CORE_OK;
}

static enum core_err
store_row(struct token *t)
{
	return db_exec(t->db, "UPDATE tokens SET access_token = ?, "
	    "expires_at = FROM_UNIXTIME(? / 1000), refresh_token = ?, "
	    "refresh_expires_at = IF(? = 0, NULL, FROM_UNIXTIME(? / 1000)) "
	    "WHERE name = ?", DB_PARAMS(DB_STR(t->cur), DB_I64(t->cur_exp),
	    t->refresh ? DB_STR(t->refresh) : DB_NULL(),
	    DB_I64(t->refresh_exp), DB_I64(t->refresh_exp), DB_STR(t->name)),
	    NULL, NULL);
}

static enum core_err
mint_jwt(struct token *t, const char *rejected)
{
	const struct cfg_x3	*c = t->cfg;
	int64_t			 now = clk_now_ms() / 1000;
	char			*jwt = NULL;
	enum core_err		 rc;
	int			 bump, skew;

	/*
	 * After a 401 the token is not back-dated: a revocation ("regenerate
	 * secret", the sandbox's expire_tokens) voids tokens issued before
	 * an instant, and a back-dated iat would fall before it again.
	 */
	skew = rejected != NULL ? 0 : c->iat_skew;
	/* Two mints in one second are equal; a rejected one must not
	 * come back, so move on a second. */
	for (bump = 0; bump < 3; bump++) {
		free(jwt);
		if ((rc = token_jwt_mint(c->client_id, c->user, c->audience,
		    c->secret, now + bump, c->token_validity, skew, &jwt)) !=
		    CORE_OK)
			return rc;
		if (rejected == NULL || strcmp(jwt, rejected) != 0)
			break;
	}
	zfree(t->cur);
	t->cur = jwt;
	t->cur_exp = (now + bump - skew + c->token_validity) * 1000;
	t->st.minted++;
	return CORE_OK;
}

static const char *
jstr2(json_t *o, const char *a, const char *b)
{
	const char	*s = json_string_value(json_object_get(o, a));

	return s != NULL ? s : json_string_value(json_object_get(o, b));
}

static int64_t
jint2(json_t *o, const char *a, const char *b, int64_t def)
{
	json_t	*v = json_object_get(o, a);

	if (v == NULL)
		v = json_object_get(o, b);
	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    json_integer_value(v) : def;
}

/*
 * POST {gateway}/v1/token with grant (authorization_code with code, or
 * refresh_token). Field names per reference 5.3; the answer's names are
 * not documented there, so both snake and camel case are accepted.
 */
static enum core_err
gateway_exchange(struct token *t, const char *grant, const char *code)
{
	const struct cfg_x3	*c = t->cfg;
	struct http_req		 q;
	json_t			*b = NULL;
	char			 url[ML_URL_MAX], *body = NULL;
	const char		*acc, *ref;
	int64_t			 now;
	enum core_err		 rc = CORE_ENOMEM;
	int			 n;

	n = snprintf(url, sizeof(url), "%s/v1/token", c->gateway_url);
	if (n < 0 || (size_t)n >= sizeof(url))
		return CORE_ECONFIG;
	if ((b = json_object()) == NULL ||
	    json_object_set_new(b, "client_id", json_string(c->client_id)) ||
	    json_object_set_new(b, "client_secret",
	    json_string(c->gateway_secret)) ||
	    json_object_set_new(b, "grant_type", json_string(grant)))
		goto out;
	if (strcmp(grant, "authorization_code") == 0 &&
	    (json_object_set_new(b, "code", json_string(code)) ||
	    json_object_set_new(b, "redirect_uri",
	    json_string(c->redirect_uri ? c->redirect_uri : ""))))
		goto out;
	if (strcmp(grant, "refresh_token") == 0 && json_object_set_new(b,
	    "refresh_token", json_string(t->refresh)))
		goto out;
	if ((body = json_dumps(b, JSON_COMPACT)) == NULL)
		goto out;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.body = body;
	q.bodylen = strlen(body);
	q.expect_json = 1;
	http_resp_free(t->last);
	t->last = NULL;
	if ((rc = http_do(t->http, &q, &t->last)) != CORE_OK)
		goto out;
	rc = CORE_EIO;
	acc = jstr2(t->last->json, "access_token", "accessToken");
	ref = jstr2(t->last->json, "refresh_token", "refreshToken");
	if (acc == NULL) {
		http_resp_set_fail(t->last, HTTP_F_JSON, JOB_ERR_DATA,
		    "gateway answer carries no access_token");
		goto out;
	}
	now = clk_now_ms();
	if (set_str(&t->cur, acc) == -1 ||
	    (ref != NULL && set_str(&t->refresh, ref) == -1)) {
		rc = CORE_ENOMEM;
		goto out;
	}
	t->cur_exp = now + 1000 * jint2(t->last->json, "expires_in",
	    "expiresIn", ML_X3_GW_ACCESS_TTL);
	if (ref != NULL)
		t->refresh_exp = now + 1000 * jint2(t->last->json,
		    "refresh_token_expires_in", "refreshTokenExpiresIn",
		    ML_X3_GW_REFRESH_TTL);
	t->st.minted++;
	rc = CORE_OK;
out:
	if (body != NULL) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	json_decref(b);
	return rc;
}

static enum core_err
renew(struct token *t, const char *rejected)
{
	if (t->cfg->auth_kind == CFG_X3_JWT)
		return mint_jwt(t, rejected);
	if (t->refresh == NULL || t->refresh_exp <= clk_now_ms()) {
		log_warnx("x3: no valid gateway refresh token; pair again "
		    "(ml-connector-ctl ping explains how)");
		return CORE_ENOTFOUND;
	}
	return gateway_exchange(t, "refresh_token", NULL);
}

static enum core_err	 get_once(struct token *, const char *,
			    const char **);

/*
 * Two processes renewing at once can deadlock in InnoDB (one is rolled
 * back); the loser looks again, and usually finds the winner's token.
 * A JWT that cannot be stored is still minted and used locally.
 */
enum core_err
token_get(struct token *t, const char *rejected, const char **out)
{
	enum core_err	 rc;
	int		 i;

	for (i = 0; i < 3; i++) {
		if ((rc = get_once(t, rejected, out)) != CORE_EDB)
			return rc;
		log_info("x3: token cache: %s; looking again", db_error(t->db));
	}
	if (t->cfg->auth_kind != CFG_X3_JWT)
		return rc;
	log_warnx("x3: token cache unavailable; minting locally");
	if ((rc = mint_jwt(t, rejected)) == CORE_OK)
		*out = t->cur;
	return rc;
}

static enum core_err
get_once(struct token *t, const char *rejected, const char **out)
{
	enum core_err	 rc;

	*out = NULL;
	if (t->cfg->auth_kind == CFG_X3_BASIC)
		return CORE_EINPUT;
	/* The shared row first: another process may have renewed. */
	rc = load_row(t, 0);
	if (rc != CORE_OK && rc != CORE_EDBDOWN && rc != CORE_EDB)
		return rc;
	if (rc != CORE_OK) {
		/* No database: a JWT can still be minted locally. */
		if (usable(t, t->cur, t->cur_exp, rejected)) {
			t->st.reused++;
			*out = t->cur;
			return CORE_OK;
		}
		if (t->cfg->auth_kind != CFG_X3_JWT)
			return rc;
		if ((rc = mint_jwt(t, rejected)) == CORE_OK)
			*out = t->cur;
		return rc;
	}
	if (usable(t, t->cur, t->cur_exp, rejected)) {
		t->st.reused++;
		*out = t->cur;
		return CORE_OK;
	}
	if (rejected != NULL)
		t->st.forced++;
	if ((rc = db_begin(t->db)) != CORE_OK)
		return rc;
	if ((rc = db_exec(t->db, "INSERT IGNORE INTO tokens (name) "
	    "VALUES (?)", DB_PARAMS(DB_STR(t->name)), NULL, NULL)) != CORE_OK ||
	    (rc = load_row(t, 1)) != CORE_OK)
		goto fail;
	if (!usable(t, t->cur, t->cur_exp, rejected)) {
		if ((rc = renew(t, rejected)) != CORE_OK ||
		    (rc = store_row(t)) != CORE_OK)
			goto fail;
	} else
		t->st.reused++;
	if ((rc = db_commit(t->db)) != CORE_OK)
		return rc;
	*out = t->cur;
	return CORE_OK;
fail:
	(void)db_rollback(t->db);
	return rc;
}

enum core_err
token_gateway_pair(struct token *t, const char *code)
{
	enum core_err	 rc;

	if (t->cfg->auth_kind != CFG_X3_GATEWAY || code == NULL)
		return CORE_EINPUT;
	if (t->db == NULL)
		return CORE_EDBDOWN;
	if ((rc = db_begin(t->db)) != CORE_OK)
		return rc;
	if ((rc = db_exec(t->db, "INSERT IGNORE INTO tokens (name) "
	    "VALUES (?)", DB_PARAMS(DB_STR(t->name)), NULL, NULL)) != CORE_OK ||
	    (rc = load_row(t, 1)) != CORE_OK ||
	    (rc = gateway_exchange(t, "authorization_code", code)) !=
	    CORE_OK || (rc = store_row(t)) != CORE_OK) {
		(void)db_rollback(t->db);
		return rc;
	}
	return db_commit(t->db);
}
