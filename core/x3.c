/*
 * Sage X3 client: GraphQL at {base}{graphql_path} with the
 * x-xtrem-endpoint header, and REST api1 at
 * {base}/api1/x3/erp/{endpoint}/{CLASS}?representation=R.$facet
 * (reference sage-x3.md 1, 4). Package names are configuration (they
 * changed between releases, reference 4.2) and x3_probe() introspects
 * which package.node.operation triples the server really has.
 *
 * Auth: a bearer from token.c (connected-app JWT or gateway access
 * token) or Basic. A 401 on a bearer is retried exactly once with a
 * fresh token; a second 401 is an auth error for the caller.
 *
 * Errors in a 200: GraphQL errors[] and api1 $diagnoses with severity
 * error become data errors (HTTP_F_DIAG); GraphQL partial data is
 * still handed back.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <jansson.h>

#include "core.h"

#define X3_NREQ	6

struct x3 {
	const struct cfg_x3	*cfg;		/* lent */
	struct http		*http;
	struct token		*tok;		/* NULL for basic */
	struct http_resp	*last;
	char			 gql_url[ML_URL_MAX];
	char			 ep_hdr[256];	/* x-xtrem-endpoint: ... */
	char			 req[X3_NREQ][128];
	const char		*reqp[X3_NREQ + 1];
	struct x3_stats		 st;
};

enum core_err
x3_new(const struct cfg_x3 *cfg, struct db *db, struct x3 **out)
{
	static const char *const ops[X3_NREQ] = {
		"S.salesOrder.query", "S.salesOrder.read",
		"S.salesOrder.create", "M.customer.query",
		"M.product.query", "M.businessPartner.query",
	};
	struct http_opts	 o;
	struct x3		*x;
	int			 i, n;

	*out = NULL;
	if (!cfg->enabled)
		return CORE_ECONFIG;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return CORE_ENOMEM;
	x->cfg = cfg;
	memset(&o, 0, sizeof(o));
	o.connect_timeout = cfg->connect_timeout;
	o.timeout = cfg->timeout;
	o.ca_file = cfg->ca_file;
	o.allow_http = cfg->allow_http;
	o.max_body = cfg->max_body;
	o.retries = cfg->retries;
	if ((x->http = http_new(&o)) == NULL)
		goto nomem;
	if (cfg->auth_kind != CFG_X3_BASIC &&
	    (x->tok = token_new(cfg, db, x->http)) == NULL)
		goto nomem;
	n = snprintf(x->gql_url, sizeof(x->gql_url), "%s%s", cfg->base_url,
	    cfg->graphql_path);
	if (n < 0 || (size_t)n >= sizeof(x->gql_url))
		goto bad;
	n = snprintf(x->ep_hdr, sizeof(x->ep_hdr), "x-xtrem-endpoint: %s",
	    cfg->endpoint);
	if (n < 0 || (size_t)n >= sizeof(x->ep_hdr))
		goto bad;
	for (i = 0; i < X3_NREQ; i++) {
		n = snprintf(x->req[i], sizeof(x->req[i]), "%s%s",
		    ops[i][0] == 'S' ? cfg->sales_package :
		    cfg->master_package, ops[i] + 1);
		if (n < 0 || (size_t)n >= sizeof(x->req[i]))
			goto bad;
		x->reqp[i] = x->req[i];
	}
	x->reqp[X3_NREQ] = NULL;
	*out = x;
	return CORE_OK;
bad:
	x3_free(x);
	return CORE_ECONFIG;
nomem:
	x3_free(x);
	return CORE_ENOMEM;
}

void
x3_free(struct x3 *x)
{
	if (x == NULL)
		return;
	token_free(x->tok);
	http_resp_free(x->last);
	http_free(x->http);
	free(x);
}

const struct http_resp *
x3_last(const struct x3 *x)
{
	return x->last;
}

struct token *
x3_token(struct x3 *x)
{
	return x->tok;
}

void
x3_get_stats(const struct x3 *x, struct x3_stats *st)
{
	*st = x->st;
}

const char *const *
x3_required_ops(const struct x3 *x)
{
	return x->reqp;
}

/*
 * One call with auth. Bearer: one retry with a fresh token on 401.
 * Basic is used when auth is "basic", or for REST when basic
 * credentials are configured (api1 takes Basic on premises).
 */
static enum core_err
x3_call(struct x3 *x, const char *method, const char *url, const char *body,
    int graphql, int once)
{
	struct http_req	 q;
	const char	*hdrs[2], *bearer = NULL;
	char		*auth = NULL, *rejected = NULL;
	size_t		 n;
	int		 attempt, basic;
	enum core_err	 rc = CORE_OK;

	basic = x->tok == NULL || (!graphql && x->cfg->basic_user != NULL &&
	    x->cfg->basic_password != NULL);
	http_resp_free(x->last);
	x->last = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		memset(&q, 0, sizeof(q));
		q.method = method;
		q.url = url;
		q.body = body;
		q.bodylen = body ? strlen(body) : 0;
		q.expect_json = 1;
		/* A lost answer to a write is resolved by a lookup. */
		q.no_resend = once;
		q.headers = hdrs;
		hdrs[q.nheaders++] = x->ep_hdr;
		if (basic) {
			q.user = x->cfg->basic_user;
			q.password = x->cfg->basic_password;
		} else {
			if ((rc = token_get(x->tok, rejected, &bearer)) !=
			    CORE_OK)
				break;
			n = strlen(bearer) + sizeof("Authorization: Bearer ");
			if ((auth = malloc(n)) == NULL) {
				rc = CORE_ENOMEM;
				break;
			}
			(void)snprintf(auth, n, "Authorization: Bearer %s",
			    bearer);
			hdrs[q.nheaders++] = auth;
		}
		http_resp_free(x->last);
		x->last = NULL;
		rc = http_do(x->http, &q, &x->last);
		if (x->last != NULL)
			x->st.calls += x->last->attempts;
		if (auth != NULL) {
			explicit_bzero(auth, strlen(auth));
			free(auth);
			auth = NULL;
		}
		if (basic || rc == CORE_OK || x->last == NULL ||
		    x->last->status != 401 || attempt > 0)
			break;
		/* Expired or revoked: once more with a new token. */
		if ((rejected = strdup(bearer)) == NULL) {
			rc = CORE_ENOMEM;
			break;
		}
		x->st.auth_retries++;
		log_info("x3: 401 with a cached token; retrying once with a "
		    "fresh one");
	}
	if (rejected != NULL) {
		explicit_bzero(rejected, strlen(rejected));
		free(rejected);
	}
	if (rc != CORE_OK && rc != CORE_EIO && x->last == NULL)
		log_warnx("x3: cannot get a token: %s", core_strerror(rc));
	return rc;
}

/* First GraphQL error message, or NULL. */
static const char *
gql_error(json_t *j)
{
	json_t	*e = json_object_get(j, "errors");

	if (!json_is_array(e) || json_array_size(e) == 0)
		return NULL;
	e = json_object_get(json_array_get(e, 0), "message");
	return json_is_string(e) ? json_string_value(e) : "GraphQL error";
}

static enum core_err
gql_post(struct x3 *x, const char *query, json_t *vars, json_t **data,
    int once)
{
	json_t		*b, *d;
	char		*body, what[256];
	const char	*msg;
	enum core_err	 rc;

	*data = NULL;
	if ((b = json_pack("{s:s}", "query", query)) == NULL)
		return CORE_ENOMEM;
	if (vars != NULL && json_object_set(b, "variables", vars) != 0) {
		json_decref(b);
		return CORE_ENOMEM;
	}
	body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	if (body == NULL)
		return CORE_ENOMEM;
	rc = x3_call(x, "POST", x->gql_url, body, 1, once);
	free(body);
	if (x->last == NULL)
		return rc;
	msg = gql_error(x->last->json);
	if (rc != CORE_OK) {
		/* A 400 schema error names what is wrong: keep the text. */
		if (msg != NULL) {
			(void)snprintf(what, sizeof(what), "HTTP %ld: %.200s",
			    x->last->status, msg);
			(void)snprintf(x->last->what, sizeof(x->last->what),
			    "%s", what);
		}
		return rc;
	}
	d = json_object_get(x->last->json, "data");
	if (d != NULL && !json_is_null(d))
		*data = json_incref(d);
	if (msg != NULL) {
		(void)snprintf(what, sizeof(what), "GraphQL error: %.200s",
		    msg);
		http_resp_set_fail(x->last, HTTP_F_DIAG, JOB_ERR_DATA, what);
		return CORE_EIO;
	}
	if (*data == NULL) {
		http_resp_set_fail(x->last, HTTP_F_JSON, JOB_ERR_DATA,
		    "GraphQL answer without data");
		return CORE_EIO;
	}
	return CORE_OK;
}

enum core_err
x3_graphql(struct x3 *x, const char *query, json_t *vars, json_t **data)
{
	return gql_post(x, query, vars, data, 0);
}

enum core_err
x3_mutate(struct x3 *x, const char *query, json_t *vars, json_t **data)
{
	return gql_post(x, query, vars, data, 1);
}

/* ---- schema probe ------------------------------------------------- */

/* The named type of a field's type, through NON_NULL/LIST wrappers. */
static const char *
named_type(json_t *field)
{
	json_t		*t = json_object_get(field, "type");
	const char	*n;
	int		 i;

	for (i = 0; i < 4 && t != NULL; i++) {
		if ((n = json_string_value(json_object_get(t, "name"))) != NULL)
			return n;
		t = json_object_get(t, "ofType");
	}
	return NULL;
}

/* The fields of a type by name, from the introspected type list. */
static json_t *
fields_of(json_t *types, const char *name)
{
	json_t		*t;
	const char	*n;
	size_t		 i;

	if (name == NULL)
		return NULL;
	json_array_foreach(types, i, t)
		if ((n = json_string_value(json_object_get(t, "name"))) !=
		    NULL && strcmp(n, name) == 0)
			return json_is_array(json_object_get(t, "fields")) ?
			    json_object_get(t, "fields") : NULL;
	return NULL;
}

static int
ops_add(struct x3_ops *o, const char *a, const char *b, const char *c)
{
	char	**nv, buf[256];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s.%s.%s", a, b, c);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return 0;		/* absurd names are not ours */
	if ((nv = reallocarray(o->names, o->n + 1, sizeof(*nv))) == NULL)
		return -1;
	o->names = nv;
	if ((o->names[o->n] = strdup(buf)) == NULL)
		return -1;
	o->n++;
	return 0;
}

/* root type -> package fields -> node fields -> operation fields. */
static int
walk_root(struct x3_ops *o, json_t *types, const char *root)
{
	json_t		*pkgs, *p, *nodes, *nd, *ops, *op;
	size_t		 i, j, k;
	const char	*pn, *nn, *on;

	if ((pkgs = fields_of(types, root)) == NULL)
		return 0;
	json_array_foreach(pkgs, i, p) {
		pn = json_string_value(json_object_get(p, "name"));
		if (pn == NULL || (nodes = fields_of(types, named_type(p))) ==
		    NULL)
			continue;
		json_array_foreach(nodes, j, nd) {
			nn = json_string_value(json_object_get(nd, "name"));
			if (nn == NULL || (ops = fields_of(types,
			    named_type(nd))) == NULL)
				continue;
			json_array_foreach(ops, k, op) {
				on = json_string_value(json_object_get(op,
				    "name"));
				if (on != NULL && ops_add(o, pn, nn, on) == -1)
					return -1;
			}
		}
	}
	return 0;
}

/*
 * Standard introspection: the root type names and every type with its
 * fields' type names; the walk goes through names, so it works whether
 * or not a server nests full types inside field types.
 */
enum core_err
x3_probe(struct x3 *x, struct x3_ops **out)
{
	static const char	 q[] = "query Probe{__schema{queryType{name} "
	    "mutationType{name} types{name fields{name type{name kind "
	    "ofType{name kind ofType{name kind ofType{name}}}}}}}}";
	struct x3_ops		*o;
	json_t			*d = NULL, *s, *types;
	enum core_err		 rc;

	*out = NULL;
	if ((rc = x3_graphql(x, q, NULL, &d)) != CORE_OK) {
		json_decref(d);
		return rc;
	}
	s = json_object_get(d, "__schema");
	if (!json_is_array(types = json_object_get(s, "types"))) {
		json_decref(d);
		http_resp_set_fail(x->last, HTTP_F_JSON, JOB_ERR_DATA,
		    "introspection answer without types");
		return CORE_EIO;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		json_decref(d);
		return CORE_ENOMEM;
	}
	if (walk_root(o, types, json_string_value(json_object_get(
	    json_object_get(s, "queryType"), "name"))) == -1 ||
	    walk_root(o, types, json_string_value(json_object_get(
	    json_object_get(s, "mutationType"), "name"))) == -1) {
		json_decref(d);
		x3_ops_free(o);
		return CORE_ENOMEM;
	}
	json_decref(d);
	*out = o;
	return CORE_OK;
}

int
x3_ops_has(const struct x3_ops *o, const char *name)
{
	size_t	 i;

	for (i = 0; o != NULL && i < o->n; i++)
		if (strcmp(o->names[i], name) == 0)
			return 1;
	return 0;
}

void
x3_ops_free(struct x3_ops *o)
{
	size_t	 i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		free(o->names[i]);
	free(o->names);
	free(o);
}

/* ---- REST api1 ---------------------------------------------------- */

/* Class and representation codes: letters, digits, underscore. */
static int
valid_code(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* Keys go inside ('...'): no quotes, no controls, no spaces. */
static int
valid_key(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] == '\0' || strlen(s) > 128)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_~.-", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

/* $diagnoses with severity error (or worse) make a data error. */
static int
diagnoses(struct http_resp *r)
{
	json_t		*d = json_object_get(r->json, "$diagnoses"), *e;
	const char	*sev, *msg;
	char		 what[256];
	size_t		 i;

	if (!json_is_array(d))
		return 0;
	json_array_foreach(d, i, e) {
		sev = json_string_value(json_object_get(e, "$severity"));
		msg = json_string_value(json_object_get(e, "$message"));
		if (sev == NULL || (strcasecmp(sev, "error") != 0 &&
		    strcasecmp(sev, "fatal") != 0))
			continue;
		(void)snprintf(what, sizeof(what), "X3 diagnosis: %.200s",
		    msg ? msg : "(no message)");
		http_resp_set_fail(r, HTTP_F_DIAG, JOB_ERR_DATA, what);
		return 1;
	}
	return 0;
}

static int
rest_url(struct x3 *x, char *url, size_t sz, const char *cls,
    const char *key)
{
	int	 n;

	if (key != NULL)
		n = snprintf(url, sz, "%s/api1/x3/erp/%s/%s('%s')",
		    x->cfg->base_url, x->cfg->endpoint, cls, key);
	else
		n = snprintf(url, sz, "%s/api1/x3/erp/%s/%s",
		    x->cfg->base_url, x->cfg->endpoint, cls);
	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

enum core_err
x3_rest_query(struct x3 *x, const char *cls, const char *repr,
    const char *where, const char *order_by, x3_record_fn cb, void *arg)
{
	char		 url[ML_URL_MAX], rp[96], num[16];
	json_t		*res, *next;
	const char	*nu;
	size_t		 i;
	int		 page;
	enum core_err	 rc;

	if (!valid_code(cls) || !valid_code(repr))
		return CORE_EINPUT;
	(void)snprintf(rp, sizeof(rp), "%s.$query", repr);
	(void)snprintf(num, sizeof(num), "%d", ML_X3_REST_COUNT);
	if (rest_url(x, url, sizeof(url), cls, NULL) == -1 ||
	    http_url_param(url, sizeof(url), "representation", rp) == -1 ||
	    http_url_param(url, sizeof(url), "count", num) == -1 ||
	    (where != NULL && http_url_param(url, sizeof(url), "where",
	    where) == -1) ||
	    (order_by != NULL && http_url_param(url, sizeof(url), "orderBy",
	    order_by) == -1))
		return CORE_EINPUT;
	for (page = 0; page < ML_X3_MAX_PAGES; page++) {
		if ((rc = x3_call(x, "GET", url, NULL, 0, 0)) != CORE_OK)
			return rc;
		if (diagnoses(x->last))
			return CORE_EIO;
		if (!json_is_array(res = json_object_get(x->last->json,
		    "$resources"))) {
			http_resp_set_fail(x->last, HTTP_F_JSON, JOB_ERR_DATA,
			    "api1 feed without $resources");
			return CORE_EIO;
		}
		x->st.pages++;
		for (i = 0; i < json_array_size(res); i++)
			if (cb != NULL && cb(arg, json_array_get(res, i)) != 0)
				return CORE_OK;
		next = json_object_get(json_object_get(json_object_get(
		    x->last->json, "$links"), "$next"), "$url");
		if ((nu = json_string_value(next)) == NULL ||
		    json_array_size(res) == 0)
			return CORE_OK;
		/* Follow $next as given, but never to another origin. */
		if (http_same_origin(nu, x->cfg->base_url, 0) == -1) {
			http_resp_set_fail(x->last, HTTP_F_URL, JOB_ERR_DATA,
			    "$next points outside the configured base_url");
			return CORE_EIO;
		}
		if (snprintf(url, sizeof(url), "%s", nu) >= (int)sizeof(url))
			return CORE_EINPUT;
	}
	return CORE_OK;
}

enum core_err
x3_rest_get(struct x3 *x, const char *cls, const char *key,
    const char *repr, json_t **out)
{
	char		 url[ML_URL_MAX], rp[96];
	enum core_err	 rc;

	*out = NULL;
	if (!valid_code(cls) || !valid_code(repr) || !valid_key(key))
		return CORE_EINPUT;
	(void)snprintf(rp, sizeof(rp), "%s.$details", repr);
	if (rest_url(x, url, sizeof(url), cls, key) == -1 ||
	    http_url_param(url, sizeof(url), "representation", rp) == -1)
		return CORE_EINPUT;
	if ((rc = x3_call(x, "GET", url, NULL, 0, 0)) != CORE_OK)
		return rc;
	if (diagnoses(x->last))
		return CORE_EIO;
	if (!json_is_object(x->last->json)) {
		http_resp_set_fail(x->last, HTTP_F_JSON, JOB_ERR_DATA,
		    "api1 answer is not an object");
		return CORE_EIO;
	}
	*out = json_incref(x->last->json);
	return CORE_OK;
}

enum job_class
x3_fail_class(const struct x3 *c)
{
	return http_resp_class(x3_last(c));
}

const char *
x3_fail_what(const struct x3 *c)
{
	return http_resp_what(x3_last(c));
}
