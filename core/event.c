/*
 * Durable webhook events. An event and the job that will fetch its
 * resource are inserted in one transaction, deduplicated on a natural
 * key, and committed before the sender gets its 2xx: nothing is ever
 * acknowledged that is not on disk, and a delivery repeated three times
 * is stored once.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "core.h"

#define EVENT_FETCH_KIND	"webhook.fetch"
#define EVENT_FETCH_PRIORITY	0	/* before every other kind of work */

/*
 * The dedupe key: SHA-256 of kind and resource_url (ShipStation puts a
 * fresh importBatch / batchId in each notification), or of kind and the
 * whole body for events without a URL. 0, or -1 when out of memory.
 */
static int
natural_key(const struct event_in *in, char out[65])
{
	const char	*part = in->resource_url != NULL ? in->resource_url :
			    in->body;
	size_t		 plen = in->resource_url != NULL ?
			    strlen(in->resource_url) : in->bodylen;
	size_t		 klen = strlen(in->kind);
	char		*buf;

	if ((buf = malloc(klen + 1 + plen)) == NULL)
		return -1;
	memcpy(buf, in->kind, klen);
	buf[klen] = '\n';
	memcpy(buf + klen + 1, part, plen);
	hash_sha256_hex(buf, klen + 1 + plen, out);
	free(buf);
	return 0;
}

#define EVENT_ROW_SQL	"(?, ?, ?, ?, ?, ?, ?, ?)"
#define EVENT_COLS	8
#define EVENT_SQL_MAX	(256 + EVENT_BATCH_MAX * 32)
#define EVENT_SWEEP_STEP	5000	/* event ids per sweep statement */

/*
 * Which stored row is whose: an item is new when the stored row carries
 * its own request id (request ids are unique); otherwise an earlier
 * delivery, or an earlier item of this batch, got there first.
 */
static enum core_err
resolve_ids(struct db *db, struct event_item *it, size_t n,
    char keys[][65])
{
	struct db_val	*p;
	struct db_rows	*r = NULL;
	char		 sql[EVENT_SQL_MAX];
	enum core_err	 rc;
	size_t		 i, k;

	if ((p = calloc(n * 2, sizeof(*p))) == NULL)
		return CORE_ENOMEM;
	for (i = 0; i < n; i++) {
		p[2 * i] = DB_STR(it[i].in.source);
		p[2 * i + 1] = DB_STR(keys[i]);
	}
	if (db_sql_build(sql, sizeof(sql), "SELECT id, source, natural_key, "
	    "request_id FROM events WHERE (source, natural_key) IN (",
	    "(?, ?)", n, ")") == -1) {
		free(p);
		return CORE_EINPUT;
	}
	rc = db_select(db, sql, p, n * 2, &r);
	free(p);
	if (rc != CORE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		it[i].id = 0;
		for (k = 0; k < r->nrows; k++) {
			if (strcmp(db_rows_get(r, k, 1), it[i].in.source) != 0 ||
			    strcmp(db_rows_get(r, k, 2), keys[i]) != 0)
				continue;
			it[i].id = db_rows_i64(r, k, 0, 0);
			it[i].duplicate = db_rows_get(r, k, 3) == NULL ||
			    strcmp(db_rows_get(r, k, 3), it[i].in.request_id)
			    != 0;
		}
		if (it[i].id == 0) {
			db_rows_free(r);
			return CORE_EDB;	/* inserted but not found */
		}
	}
	db_rows_free(r);
	return CORE_OK;
}

enum core_err
event_store_many(struct db *db, struct event_item *it, size_t n)
{
	struct db_val	*p = NULL;
	char		 sql[EVENT_SQL_MAX], (*keys)[65] = NULL;
	enum core_err	 rc = CORE_ENOMEM;
	uint64_t	 affected = 0, first = 0;
	size_t		 i;

	if (n == 0 || n > EVENT_BATCH_MAX)
		return CORE_EINPUT;
	if ((keys = calloc(n, sizeof(*keys))) == NULL ||
	    (p = calloc(n * EVENT_COLS, sizeof(*p))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (it[i].in.request_id == NULL ||
		    natural_key(&it[i].in, keys[i]) == -1)
			goto out;
		it[i].id = 0;
		it[i].duplicate = 0;
		p[i * EVENT_COLS + 0] = DB_STR(it[i].in.source);
		p[i * EVENT_COLS + 1] = DB_STR(it[i].in.kind);
		p[i * EVENT_COLS + 2] = DB_STR(keys[i]);
		p[i * EVENT_COLS + 3] = DB_STR(it[i].in.resource_url);
		p[i * EVENT_COLS + 4] = DB_STRN(it[i].in.body,
		    it[i].in.bodylen);
		p[i * EVENT_COLS + 5] = DB_STR(it[i].in.reject_reason != NULL ?
		    "rejected" : "received");
		p[i * EVENT_COLS + 6] = DB_STR(it[i].in.reject_reason);
		p[i * EVENT_COLS + 7] = DB_STR(it[i].in.request_id);
	}
	if (db_sql_build(sql, sizeof(sql), "INSERT IGNORE INTO events (source, "
	    "kind, natural_key, resource_url, body, state, reject_reason, "
	    "request_id) VALUES ", EVENT_ROW_SQL, n, "") == -1) {
		rc = CORE_EINPUT;
		goto out;
	}
	/*
	 * One statement, committed on its own (autocommit): the only round
	 * trip between a batch of webhooks and their acknowledgements. The
	 * fetch jobs come after the answer (event_queue_fetches, or the
	 * poller's event_sweep), not in this commit.
	 */
	if ((rc = db_exec(db, sql, p, n * EVENT_COLS, &affected, &first)) !=
	    CORE_OK)
		goto out;
	/*
	 * All new (the usual case): a multi-row insert of known size gets
	 * consecutive auto-increment values in every InnoDB lock mode, so
	 * the ids are known without asking. Otherwise look them up.
	 */
	if (affected == n && first > 0) {
		for (i = 0; i < n; i++)
			it[i].id = (int64_t)(first + i);
	} else
		rc = resolve_ids(db, it, n, keys);
out:
	if (rc != CORE_OK)
		for (i = 0; i < n; i++)
			it[i].id = 0;
	free(p);
	free(keys);
	return rc;
}

size_t
event_batch_shape(size_t n)
{
	static const size_t	 shapes[] = { 32, 24, 16, 12, 8, 6, 4, 3, 2, 1 };
	size_t			 i;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (shapes[i] <= n && shapes[i] <= EVENT_BATCH_MAX)
			return shapes[i];
	return 1;
}

enum core_err
event_queue_fetches(struct db *db, const int64_t *ids, size_t n)
{
	struct db_val	 p[EVENT_BATCH_MAX * 5];
	char		 sql[EVENT_SQL_MAX], keys[EVENT_BATCH_MAX][24];
	enum core_err	 rc;
	size_t		 i, j, k;

	for (i = 0; i < n; i += k) {
		k = event_batch_shape(n - i);
		for (j = 0; j < k; j++) {
			(void)snprintf(keys[j], sizeof(keys[j]), "%lld",
			    (long long)ids[i + j]);
			p[j * 5 + 0] = DB_STR(EVENT_FETCH_KIND);
			p[j * 5 + 1] = DB_STR(keys[j]);
			p[j * 5 + 2] = DB_I64(EVENT_FETCH_PRIORITY);
			p[j * 5 + 3] = DB_I64(ids[i + j]);
			p[j * 5 + 4] = DB_I64(ML_JOB_MAX_ATTEMPTS);
		}
		if (db_sql_build(sql, sizeof(sql), "INSERT IGNORE INTO jobs "
		    "(kind, job_key, priority, event_id, max_attempts) VALUES ",
		    "(?, ?, ?, ?, ?)", k, "") == -1)
			return CORE_EINPUT;
		if ((rc = db_exec(db, sql, p, k * 5, NULL, NULL)) != CORE_OK)
			return rc;
	}
	return CORE_OK;
}

enum core_err
event_sweep(struct db *db, int grace, int64_t *mark, uint64_t *queued)
{
	struct db_rows	*r = NULL;
	int64_t		 bound, from, to;
	uint64_t	 n;
	enum core_err	 rc;

	*queued = 0;
	/*
	 * Where to start: after the last sweep of this process, or, the
	 * first time, at the oldest event still waiting for its fetch.
	 */
	if (*mark == 0) {
		rc = db_select(db, "SELECT MIN(id) FROM events WHERE state = "
		    "'received'", NULL, 0, &r);
		if (rc != CORE_OK)
			return rc;
		from = r->nrows > 0 ? db_rows_i64(r, 0, 0, 0) : 0;
		db_rows_free(r);
		if (from == 0)
			return CORE_OK;		/* nothing waits at all */
		*mark = from - 1;
	}
	/*
	 * Up to the newest event received `grace` seconds ago: an id is
	 * taken when its insert starts and becomes visible at its commit,
	 * so a lower id may still be uncommitted for a moment. Past the
	 * grace, every lower id has been committed (or never will be).
	 */
	rc = db_select(db, "SELECT id FROM events WHERE received_at < "
	    "NOW(6) - INTERVAL ? SECOND ORDER BY received_at DESC LIMIT 1",
	    DB_PARAMS(DB_I64(grace)), &r);
	if (rc != CORE_OK)
		return rc;
	bound = r->nrows > 0 ? db_rows_i64(r, 0, 0, 0) : 0;
	db_rows_free(r);
	for (from = *mark; from < bound; from = to) {
		to = bound - from > EVENT_SWEEP_STEP ? from + EVENT_SWEEP_STEP :
		    bound;
		/* INSERT IGNORE: an event whose job exists keeps it. */
		rc = db_exec(db, "INSERT IGNORE INTO jobs (kind, job_key, "
		    "priority, event_id, max_attempts) SELECT ?, "
		    "CAST(id AS CHAR), ?, id, ? FROM events WHERE id > ? AND "
		    "id <= ? AND state = 'received' AND source IN ('ss_v1', "
		    "'ss_v2')", DB_PARAMS(DB_STR(EVENT_FETCH_KIND),
		    DB_I64(EVENT_FETCH_PRIORITY), DB_I64(ML_JOB_MAX_ATTEMPTS),
		    DB_I64(from), DB_I64(to)), &n, NULL);
		if (rc != CORE_OK)
			return rc;
		*queued += n;
		*mark = to;
	}
	return CORE_OK;
}

enum core_err
event_store(struct db *db, const struct event_in *in, int64_t *id,
    int *duplicate)
{
	struct event_item	 it;
	enum core_err		 rc;

	memset(&it, 0, sizeof(it));
	it.in = *in;
	rc = event_store_many(db, &it, 1);
	*id = it.id;
	*duplicate = it.duplicate;
	return rc;
}

/* Where a resource_url's records go: by the collection in its path. */
struct doc_route {
	const char	*path;		/* collection path, V1 or V2 */
	const char	*doc_type;	/* documents.doc_type */
	const char	*id_field;	/* the record's id */
};

static const struct doc_route doc_routes[] = {
	{ "/orders", "order", "orderId" },
	{ "/shipments", "shipment", "shipmentId" },
	{ "/fulfillments", "fulfillment", "fulfillmentId" },
	{ "/v2/shipments", "order", "shipment_id" },
	{ "/v2/labels", "shipment", "label_id" },
	{ "/v2/fulfillments", "fulfillment", "fulfillment_id" },
};

static const struct doc_route *
route_of(const char *url)
{
	const char	*p = strstr(url, "://");
	size_t		 i, n;

	if (p == NULL || (p = strchr(p + 3, '/')) == NULL)
		return NULL;
	for (i = 0; i < sizeof(doc_routes) / sizeof(doc_routes[0]); i++) {
		n = strlen(doc_routes[i].path);
		if (strncmp(p, doc_routes[i].path, n) == 0 &&
		    (p[n] == '\0' || p[n] == '?' || p[n] == '/'))
			return &doc_routes[i];
	}
	return NULL;
}

struct fetch {
	struct db		*db;
	int64_t			 event_id;
	const struct doc_route	*route;
	int			 stored;	/* records seen */
	int			 changed;	/* new or changed: job queued */
	enum core_err		 rc;
};

enum core_err
event_store_document(struct db *db, const char *doc_type, const char *doc_id,
    const char *body, int64_t event_id, int *changed)
{
	char		 kind[40];

	(void)snprintf(kind, sizeof(kind), "ss.%s", doc_type);
	return event_store_doc(db, "shipstation", doc_type, doc_id, body,
	    event_id, kind, changed);
}

enum core_err
event_store_doc(struct db *db, const char *system, const char *doc_type,
    const char *doc_id, const char *body, int64_t event_id,
    const char *kind, int *changed)
{
	char		 hash[65];
	uint64_t	 n = 0;
	enum core_err	 rc;

	*changed = 0;
	hash_sha256_hex(body, strlen(body), hash);
	if ((rc = db_begin(db)) != CORE_OK)
		return rc;
	/* Same content: nothing to do (dedupe of overlapping polls too). */
	rc = db_exec(db, "INSERT INTO documents (system, doc_type, doc_id, "
	    "content_hash, body, event_id) VALUES (?, ?, ?, ?, "
	    "?, ?) ON DUPLICATE KEY UPDATE "
	    "body = IF(content_hash = VALUES(content_hash), body, VALUES(body)), "
	    "event_id = IF(content_hash = VALUES(content_hash), event_id, "
	    "VALUES(event_id)), "
	    "content_hash = VALUES(content_hash)", DB_PARAMS(DB_STR(system),
	    DB_STR(doc_type),
	    DB_STR(doc_id), DB_STR(hash), DB_STR(body),
	    event_id > 0 ? DB_I64(event_id) : DB_NULL()), &n, NULL);
	if (rc != CORE_OK)
		goto fail;
	if (n > 0) {
		/* New or changed: (re)queue its sync unless one is running. */
		rc = db_exec(db, "INSERT INTO jobs (kind, job_key, priority, "
		    "max_attempts, event_id) VALUES (?, ?, 3, ?, ?) "
		    "ON DUPLICATE KEY UPDATE "
		    "attempts = IF(state = 'running', attempts, 0), "
		    "next_attempt_at = IF(state = 'running', next_attempt_at, "
		    "NOW(6)), "
		    "event_id = VALUES(event_id), "
		    "state = IF(state = 'running', state, 'ready')",
		    DB_PARAMS(DB_STR(kind), DB_STR(doc_id),
		    DB_I64(ML_JOB_MAX_ATTEMPTS),
		    event_id > 0 ? DB_I64(event_id) : DB_NULL()), NULL, NULL);
		if (rc != CORE_OK)
			goto fail;
		*changed = 1;
	}
	return db_commit(db);
fail:
	if (rc != CORE_EDBDOWN)
		(void)db_rollback(db);
	return rc;
}

enum core_err
event_store_record(struct db *db, const char *system, const char *doc_type,
    const char *id_field, const json_t *rec, int64_t event_id,
    const char *kind, int *changed)
{
	const json_t	*idv = json_object_get(rec, id_field);
	char		 id[64], *text;
	enum core_err	 rc;

	if (json_is_integer(idv))
		(void)snprintf(id, sizeof(id), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(idv));
	else if (json_is_string(idv) && json_string_length(idv) > 0 &&
	    json_string_length(idv) < sizeof(id))
		(void)snprintf(id, sizeof(id), "%s", json_string_value(idv));
	else
		return CORE_EINPUT;
	if ((text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return CORE_ENOMEM;
	rc = event_store_doc(db, system, doc_type, id, text, event_id, kind,
	    changed);
	free(text);
	return rc;
}

static int
store_record(void *arg, json_t *rec)
{
	struct fetch	*f = arg;
	char		 kind[40];
	int		 changed = 0;

	(void)snprintf(kind, sizeof(kind), "ss.%s", f->route->doc_type);
	f->rc = event_store_record(f->db, "shipstation", f->route->doc_type,
	    f->route->id_field, rec, f->event_id, kind, &changed);
	if (f->rc == CORE_EINPUT) {
		log_warnx("record without a usable %s: skipped",
		    f->route->id_field);
		f->rc = CORE_OK;
		return 0;
	}
	if (f->rc != CORE_OK)
		return 1;
	f->stored++;
	f->changed += changed;
	return 0;
}

void
event_fetch(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	struct db_rows		*r = NULL;
	struct fetch		 f;
	struct ss_stats		 st;
	const struct http_resp	*last;
	const char		*url, *state;
	enum core_err		 rc;
	char			*end;
	long long		 id;

	errno = 0;
	id = strtoll(j->key, &end, 10);
	if (errno != 0 || *end != '\0' || id <= 0) {
		job_outcome_set(o, JOB_ERR_DATA, "bad event id %s", j->key);
		return;
	}
	if ((rc = db_select(ctx->db, "SELECT resource_url, state FROM events "
	    "WHERE id = ?", DB_PARAMS(DB_I64(id)), &r)) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "loading event: %s",
		    db_error(ctx->db));
		return;
	}
	if (r->nrows == 0) {
		job_outcome_set(o, JOB_ERR_DATA, "event %lld is gone", id);
		goto out;
	}
	url = db_rows_get(r, 0, 0);
	state = db_rows_get(r, 0, 1);
	if (strcmp(state, "rejected") == 0 || strcmp(state, "fetched") == 0)
		goto out;	/* nothing (more) to fetch */
	memset(&f, 0, sizeof(f));
	f.db = ctx->db;
	f.event_id = id;
	if (url == NULL || (f.route = route_of(url)) == NULL ||
	    ss_resource_url_ok(&ctx->cfg->ss, url) != 0) {
		job_outcome_set(o, JOB_ERR_DATA, "resource_url not fetchable");
		goto out;
	}
	if (ctx->ss == NULL) {
		job_outcome_set(o, JOB_ERR_AUTH, "no ShipStation client "
		    "configured (shipstation group missing)");
		goto out;
	}
	memset(&st, 0, sizeof(st));
	rc = ss_fetch_resource(ctx->ss, url, QUOTA_WEBHOOK, store_record, &f,
	    &st);
	if (f.rc != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "storing records: %s",
		    db_error(ctx->db));
		goto out;
	}
	if (rc != CORE_OK) {
		last = ss_last(ctx->ss);
		job_outcome_set(o, last != NULL && last->class != JOB_ERR_NONE ?
		    last->class : JOB_ERR_TRANSIENT, "fetching %s: %s",
		    f.route->doc_type, last != NULL ? last->what :
		    core_strerror(rc));
		goto out;
	}
	if ((rc = db_exec(ctx->db, "UPDATE events SET state = 'fetched' "
	    "WHERE id = ?", DB_PARAMS(DB_I64(id)), NULL, NULL)) != CORE_OK) {
		job_outcome_set(o, JOB_ERR_TRANSIENT, "marking fetched: %s",
		    db_error(ctx->db));
		goto out;
	}
	log_info("event %lld: %d %s record%s fetched, %d new or changed", id,
	    f.stored, f.route->doc_type, f.stored == 1 ? "" : "s", f.changed);
out:
	db_rows_free(r);
}
