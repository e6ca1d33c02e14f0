/*
 * A ShipStation customer's X3 customer, found or created exactly once
 * (sync_customer.h; docs/SYNC.md, Masters). The X3 code is ours:
 * sync.customer_prefix + the ShipStation customerId, so a create that
 * failed or whose answer was lost is settled by reading that code, and
 * X3 refuses a second customer with it (BPCUSTOMER key BPCNUM, X3
 * §2.4). GraphQL customer node (X3 §4.3, §4.6; docs/SANDBOX-X3.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "sync_customer.h"

/* X3 lengths of the customer fields we fill (sandbox schema, X3 §2.4). */
#define LEN_NAME	35	/* BPCNAM */
#define LEN_ADDR	50	/* BPAADDLIG */
#define LEN_POSCOD	10
#define LEN_CITY	40
#define LEN_STATE	35
#define LEN_COUNTRY	3
#define LEN_PHONE	20
#define LEN_EMAIL	80	/* WEB */

static const char *const hows[SYNC_CUST__MAX] = {
	"link",		/* SYNC_CUST_LINK */
	"map",		/* SYNC_CUST_MAP */
	"found",	/* SYNC_CUST_FOUND */
	"email",	/* SYNC_CUST_EMAIL */
	"created",	/* SYNC_CUST_CREATED */
};

const char *
sync_customer_how_name(enum sync_customer_how h)
{
	return (unsigned int)h < SYNC_CUST__MAX ? hows[h] : "unknown";
}

/* What we read from a customer record or an order; all lent. */
struct who {
	char		 id[32];	/* customerId, "" when none */
	const char	*email;
	const char	*name;
	const char	*company;
	const char	*street1, *street2, *city, *state, *postal;
	const char	*country, *phone;
};

static const char *
str(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* A customer record's own fields, else the order's billTo, else shipTo. */
static void
who_read(json_t *c, struct who *w)
{
	json_t		*id = json_object_get(c, "customerId");
	json_t		*a = json_object_get(c, "billTo");

	memset(w, 0, sizeof(*w));
	if (json_is_integer(id) && json_integer_value(id) > 0)
		(void)snprintf(w->id, sizeof(w->id), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
	if ((w->email = str(c, "email")) == NULL)
		w->email = str(c, "customerEmail");
	if (str(c, "name") != NULL || str(c, "street1") != NULL)
		a = c;		/* a customer record carries its address */
	else if (!json_is_object(a) || str(a, "street1") == NULL)
		a = json_object_get(c, "shipTo");
	w->name = str(a, "name");
	if (w->name == NULL)
		w->name = str(c, "name");
	w->company = str(a, "company");
	w->street1 = str(a, "street1");
	w->street2 = str(a, "street2");
	w->city = str(a, "city");
	w->state = str(a, "state");
	w->postal = str(a, "postalCode");
	if ((w->country = str(a, "countryCode")) == NULL)
		w->country = str(a, "country");
	w->phone = str(a, "phone");
}

/* At most max UTF-8 characters of s, as a new JSON string (X3 counts
 * characters, X3 §2.1). NULL s gives NULL. */
static json_t *
cut(const char *s, size_t max)
{
	size_t	 i = 0, n = 0;

	if (s == NULL)
		return NULL;
	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
		i++;
	}
	return json_stringn(s, i);
}

static void
audit(const struct jobrun_ctx *ctx, const struct job *j, const char *action,
    const char *req, const char *resp, long status, int64_t ms,
    const char *outcome)
{
	struct audit_rec	 a = { .job_id = j != NULL ? j->id : 0,
	    .action = action, .target = "x3", .request = req,
	    .response = resp, .http_status = status, .duration_ms = ms,
	    .outcome = outcome };

	(void)audit_add(ctx->db, &a);
}

/* Copy a code into out. 0, or -1 when it does not fit. */
static int
code_copy(const char *s, char *out)
{
	if (s == NULL || *s == '\0' || strlen(s) >= SYNC_CUSTOMER_CODE_MAX)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* links, then maps by customerId and e-mail. 1 found, 0 none, -1 (o). */
static int
local_find(const struct jobrun_ctx *ctx, const struct who *w, char *out,
    enum sync_customer_how *how, struct job_outcome *o)
{
	struct db_rows	*r = NULL;
	json_t		*t;
	const char	*keys[2] = { w->id[0] != '\0' ? w->id : NULL,
			    w->email };
	size_t		 i;
	int		 ret = 0;

	if (keys[0] != NULL) {
		if (db_select(ctx->db, "SELECT x3_id FROM links WHERE "
		    "entity = 'customer' AND ss_id = ? AND x3_id IS NOT NULL",
		    DB_PARAMS(DB_STR(keys[0])), &r) != CORE_OK)
			goto dberr;
		if (r->nrows > 0 && code_copy(db_rows_get(r, 0, 0), out) == 0) {
			*how = SYNC_CUST_LINK;
			db_rows_free(r);
			return 1;
		}
		db_rows_free(r);
		r = NULL;
	}
	for (i = 0; i < 2 && ret == 0; i++) {
		if (keys[i] == NULL)
			continue;
		if (db_select(ctx->db, "SELECT target FROM maps WHERE "
		    "map_type = 'customer' AND source_key = ?",
		    DB_PARAMS(DB_STR(keys[i])), &r) != CORE_OK)
			goto dberr;
		if (r->nrows > 0) {
			t = json_loads(db_rows_get(r, 0, 0),
			    JSON_REJECT_DUPLICATES, NULL);
			if (code_copy(str(t, "customer"), out) == 0) {
				*how = SYNC_CUST_MAP;
				ret = 1;
			} else {
				job_outcome_set(o, JOB_ERR_MAPPING, "maps "
				    "customer '%.40s': target needs a string "
				    "\"customer\"", keys[i]);
				ret = -1;
			}
			json_decref(t);
		}
		db_rows_free(r);
		r = NULL;
	}
	return ret;
dberr:
	job_outcome_set(o, JOB_ERR_TRANSIENT, "customer lookup: %s",
	    db_error(ctx->db));
	return -1;
}

/* Run a query; on 0 *node is the new data at pkg.customer.<op>'s
 * holder (free *data). -1: o set. */
static int
gql(const struct jobrun_ctx *ctx, const char *q, json_t *vars, json_t **data,
    struct job_outcome *o)
{
	*data = NULL;
	if (x3_graphql(ctx->x3, q, vars, data) != CORE_OK) {
		json_decref(*data);
		*data = NULL;
		job_outcome_set(o, x3_fail_class(ctx->x3), "X3: %s",
		    x3_fail_what(ctx->x3));
		return -1;
	}
	return 0;
}

static json_t *
node_at(json_t *d, const char *pkg, const char *op)
{
	return json_object_get(json_object_get(json_object_get(d, pkg),
	    "customer"), op);
}

/* X3 customer by code. 1 found, 0 absent, -1 failed (o). */
static int
x3_read(const struct jobrun_ctx *ctx, const char *code, struct job_outcome *o)
{
	const char	*pkg = ctx->cfg->x3.master_package;
	char		 q[256];
	json_t		*v, *d = NULL;
	int		 ret;

	(void)snprintf(q, sizeof(q), "query($id: String!) { %s { customer { "
	    "read(_id: $id) { _id } } } }", pkg);
	if ((v = json_pack("{s:s}", "id", code)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	ret = gql(ctx, q, v, &d, o);
	json_decref(v);
	if (ret == -1)
		return -1;
	ret = json_is_object(node_at(d, pkg, "read")) ? 1 : 0;
	json_decref(d);
	return ret;
}

/* The one active X3 customer whose e-mail (WEB) is email. 1/0/-1. */
static int
x3_by_email(const struct jobrun_ctx *ctx, const char *email, char *out,
    struct job_outcome *o)
{
	const char	*pkg = ctx->cfg->x3.master_package;
	char		 q[256], *filter;
	json_t		*f, *v, *d = NULL, *edges, *n;
	int		 ret;

	(void)snprintf(q, sizeof(q), "query($f: String) { %s { customer { "
	    "query(first: 2, filter: $f) { edges { node { _id isActive } } "
	    "} } } }", pkg);
	/* Strict JSON built by jansson: the e-mail cannot break out. */
	if ((f = json_pack("{s:s}", "email", email)) == NULL ||
	    (filter = json_dumps(f, JSON_COMPACT)) == NULL) {
		json_decref(f);
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	json_decref(f);
	v = json_pack("{s:s}", "f", filter);
	free(filter);
	if (v == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		return -1;
	}
	ret = gql(ctx, q, v, &d, o);
	json_decref(v);
	if (ret == -1)
		return -1;
	edges = json_object_get(node_at(d, pkg, "query"), "edges");
	n = json_object_get(json_array_get(edges, 0), "node");
	/* Exactly one, and active: two matches are an operator's call. */
	ret = json_array_size(edges) == 1 && json_is_true(json_object_get(n,
	    "isActive")) && code_copy(str(n, "_id"), out) == 0 ? 1 : 0;
	json_decref(d);
	return ret;
}

static int
link_record(const struct jobrun_ctx *ctx, const struct who *w,
    const char *code, struct job_outcome *o)
{
	if (db_exec(ctx->db, "INSERT INTO links (entity, ss_id, ss_key, "
	    "x3_id, state) VALUES ('customer', ?, ?, ?, 'synced') "
	    "ON DUPLICATE KEY UPDATE ss_key = VALUES(ss_key), "
	    "x3_id = VALUES(x3_id), state = VALUES(state)",
	    DB_PARAMS(DB_STR(w->id), DB_STR(w->email), DB_STR(code)), NULL,
	    NULL) != CORE_OK) {
		/* The X3 customer exists; the next attempt finds it. */
		job_outcome_set(o, JOB_ERR_TRANSIENT, "links: %s",
		    db_error(ctx->db));
		return -1;
	}
	return 0;
}

static void
set_cut(json_t *o, const char *k, const char *v, size_t max)
{
	json_t	*s = cut(v, max);

	if (s != NULL)
		(void)json_object_set_new(o, k, s);
}

/* The create input. New, or NULL. */
static json_t *
create_input(const struct who *w, const char *code)
{
	json_t		*d;
	char		 fallback[64];
	const char	*name = w->company != NULL ? w->company : w->name;

	if (name == NULL) {
		/* BPCNAM is mandatory: the e-mail, else the ShipStation id. */
		(void)snprintf(fallback, sizeof(fallback),
		    "ShipStation customer %s", w->id);
		name = w->email != NULL ? w->email : fallback;
	}
	if ((d = json_pack("{s:s}", "code", code)) == NULL)
		return NULL;
	set_cut(d, "companyName", name, LEN_NAME);
	set_cut(d, "addressLine1", w->street1, LEN_ADDR);
	set_cut(d, "addressLine2", w->street2, LEN_ADDR);
	set_cut(d, "postalCode", w->postal, LEN_POSCOD);
	set_cut(d, "city", w->city, LEN_CITY);
	set_cut(d, "state", w->state, LEN_STATE);
	set_cut(d, "country", w->country, LEN_COUNTRY);
	set_cut(d, "phone", w->phone, LEN_PHONE);
	set_cut(d, "email", w->email, LEN_EMAIL);
	return d;
}

/* Create; settle a failure by reading the code. 1 there, -1 (o). */
static int
x3_create(const struct jobrun_ctx *ctx, const struct job *j,
    const struct who *w, const char *code, enum sync_customer_how *how,
    struct job_outcome *o)
{
	const char		*pkg = ctx->cfg->x3.master_package;
	const struct http_resp	*last;
	struct timespec		 t0, t1;
	char			 q[256], *req = NULL, why[256];
	json_t			*in, *v = NULL, *d = NULL;
	enum core_err		 rc;
	enum job_class		 cls;
	int			 ret = -1;

	(void)snprintf(q, sizeof(q), "mutation($data: Customer_Input!) { %s "
	    "{ customer { create(data: $data) { _id } } } }", pkg);
	if ((in = create_input(w, code)) == NULL ||
	    (v = json_pack("{s:o}", "data", in)) == NULL ||
	    (req = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "out of memory");
		goto out;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = x3_graphql(ctx->x3, q, v, &d);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	last = x3_last(ctx->x3);
	audit(ctx, j, "x3.customer.create", req, last != NULL ? last->body :
	    NULL, last != NULL ? last->status : 0,
	    (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, rc == CORE_OK ? "ok" :
	    job_class_name(x3_fail_class(ctx->x3)));
	if (rc == CORE_OK && str(node_at(d, pkg, "create"), "_id") != NULL) {
		log_info("customer %s created in X3 as %s", w->id, code);
		*how = SYNC_CUST_CREATED;
		ret = 1;
		goto out;
	}
	/* Refused or lost: the code decides (an earlier or parallel
	 * create may have made it; X3 keeps the code unique). */
	(void)snprintf(why, sizeof(why), "X3 customer create: %.200s",
	    x3_fail_what(ctx->x3));
	cls = x3_fail_class(ctx->x3);
	if (x3_read(ctx, code, o) == 1) {
		audit(ctx, j, "x3.customer.found", code, NULL, 0, -1, "ok");
		*how = SYNC_CUST_FOUND;
		ret = 1;
		goto out;
	}
	if (o->cls == JOB_ERR_NONE)
		job_outcome_set(o, cls, "%s", why);
out:
	free(req);
	json_decref(v);
	json_decref(d);
	return ret;
}

enum core_err
sync_customer_ensure(const struct jobrun_ctx *ctx, const struct job *j,
    json_t *cust, char x3code[SYNC_CUSTOMER_CODE_MAX],
    enum sync_customer_how *howp, struct job_outcome *o)
{
	struct who		 w;
	enum sync_customer_how	 how = SYNC_CUST__MAX;
	char			 code[64];
	int			 ret;

	x3code[0] = '\0';
	if (!json_is_object(cust)) {
		job_outcome_set(o, JOB_ERR_DATA, "customer is not an object");
		return CORE_EINPUT;
	}
	who_read(cust, &w);
	if ((ret = local_find(ctx, &w, x3code, &how, o)) != 0)
		goto done;
	if (ctx->x3 == NULL) {
		job_outcome_set(o, JOB_ERR_AUTH, "no X3 client configured");
		return CORE_ECONFIG;
	}
	code[0] = '\0';
	if (w.id[0] != '\0' && (size_t)snprintf(code, sizeof(code), "%s%s",
	    ctx->cfg->sync.customer_prefix, w.id) >= SYNC_CUSTOMER_CODE_MAX) {
		job_outcome_set(o, JOB_ERR_DATA, "customerId %s too long for "
		    "an X3 customer code with prefix '%s'", w.id,
		    ctx->cfg->sync.customer_prefix);
		return CORE_EINPUT;
	}
	if (code[0] != '\0') {
		if ((ret = x3_read(ctx, code, o)) == -1)
			goto done;
		if (ret == 1) {
			(void)code_copy(code, x3code);
			how = SYNC_CUST_FOUND;
			audit(ctx, j, "x3.customer.found", code, NULL, 0, -1,
			    "ok");
			goto done;
		}
	}
	if (w.email != NULL && (ret = x3_by_email(ctx, w.email, x3code,
	    o)) != 0) {
		how = SYNC_CUST_EMAIL;
		goto done;
	}
	if (code[0] == '\0' || !ctx->cfg->sync.create_customers) {
		job_outcome_set(o, JOB_ERR_MAPPING, "no X3 customer for "
		    "customerId %s, email '%.60s'%s", w.id[0] != '\0' ? w.id :
		    "(none)", w.email != NULL ? w.email : "",
		    code[0] == '\0' ? " (no customerId to create one by)" :
		    " (sync.create_customers is off; add maps customer -> "
		    "{\"customer\": ...})");
		return CORE_ENOTFOUND;
	}
	if ((ret = x3_create(ctx, j, &w, code, &how, o)) == 1)
		(void)code_copy(code, x3code);
done:
	if (ret == -1)
		return CORE_EIO;
	/* Record what was found in X3 so the next order needs no call. */
	if (how != SYNC_CUST_LINK && w.id[0] != '\0' &&
	    link_record(ctx, &w, x3code, o) == -1)
		return CORE_EDB;
	if (howp != NULL)
		*howp = how;
	return CORE_OK;
}

void
sync_customer(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	struct db_rows		*r = NULL;
	struct audit_rec	 a;
	json_t			*doc = NULL;
	char			 code[SYNC_CUSTOMER_CODE_MAX];
	enum sync_customer_how	 how;
	enum core_err		 rc;

	if (db_select(ctx->db, "SELECT body FROM documents WHERE system = "
	    "'shipstation' AND doc_type = 'customer' AND doc_id = ?",
	    DB_PARAMS(DB_STR(j->key)), &r) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "documents: %s",
		    db_error(ctx->db));
		return;
	}
	if (r->nrows == 0 || (doc = json_loads(db_rows_get(r, 0, 0),
	    JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		job_outcome_set(o, JOB_ERR_DATA, "no stored customer %s",
		    j->key);
		goto out;
	}
	rc = sync_customer_ensure(ctx, j, doc, code, &how, o);
	if (rc == CORE_ENOTFOUND) {
		/* Registration is optional: nothing to do is not an error.
		 * An order of this customer holds on its own if it must. */
		memset(&a, 0, sizeof(a));
		a.job_id = j->id;
		a.action = "customer.skip";
		a.response = o->msg;
		a.outcome = "skipped";
		(void)audit_add(ctx->db, &a);
		log_info("customer %s not registered: %s", j->key, o->msg);
		job_outcome_set(o, JOB_ERR_NONE, "%s", "");
	} else if (rc == CORE_OK)
		log_info("customer %s is X3 %s (%s)", j->key, code,
		    sync_customer_how_name(how));
out:
	json_decref(doc);
	db_rows_free(r);
}
