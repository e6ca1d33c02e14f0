/*
 * Replay: a job (done, dead, held or waiting) runs again from its
 * stored source with the current mappings, on behalf of a person whose
 * name the audit rows of that run carry ("replay:<who>", through
 * jobs.trigger_by and core/jobrun.c). The handlers are idempotent (they
 * look their key up before any create), so a replay of a job that
 * succeeded sends nothing twice. The preview builds the request the job
 * would send now, without sending it, beside the one it sent last.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "replay.h"
#include "sync_order.h"
#include "sync_ship.h"

/* A pure payload builder of one job kind (see sync_order_build()). */
typedef int	(*replay_build_fn)(const struct jobrun_ctx *,
		    const struct job *, json_t **, struct job_outcome *);

#define REPLAY_SENT_MAX	3

/*
 * One row per kind that sends something: its builder and the audit
 * actions whose request is what it sent. Add a kind with one line.
 */
static const struct {
	const char	*kind;
	replay_build_fn	 build;
	const char	*sent[REPLAY_SENT_MAX];
} builders[] = {
	{ "ss.order", sync_order_build,
	    { "x3.salesOrder.create", "x3.salesOrder.update", NULL } },
	{ "ss.shipment", sync_ship_preview,
	    { "x3.salesDelivery.create", NULL, NULL } },
	{ "ss.fulfillment", sync_ship_preview,
	    { "x3.salesDelivery.create", NULL, NULL } },
};

#define NBUILDERS	(sizeof(builders) / sizeof(builders[0]))

static int
who_ok(const char *who)
{
	size_t	 i;

	if (who == NULL || *who == '\0' || strlen(who) > REPLAY_WHO_MAX)
		return 0;
	for (i = 0; who[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._@-", who[i]) == NULL)
			return 0;
	return 1;
}

enum core_err
replay_job(struct db *db, int64_t job_id, const char *who)
{
	struct audit_rec	 a = { .job_id = job_id, .action = "replay",
	    .outcome = "ok" };
	struct db_rows		*r = NULL;
	char			 trig[8 + REPLAY_WHO_MAX], from[64];
	enum core_err		 rc;

	if (!who_ok(who))
		return CORE_EINPUT;
	(void)snprintf(trig, sizeof(trig), "replay:%s", who);
	if ((rc = db_begin(db)) != CORE_OK)
		return rc;
	/* Under the row lock: a worker cannot claim it between the two. */
	if ((rc = db_select(db, "SELECT state, error_class FROM jobs "
	    "WHERE id = ? FOR UPDATE", DB_PARAMS(DB_I64(job_id)), &r)) !=
	    CORE_OK)
		goto fail;
	if (r->nrows == 0) {
		rc = CORE_ENOTFOUND;
		goto fail;
	}
	/* Its worker would overwrite the state when it finishes. */
	if (strcmp(db_rows_get(r, 0, 0), "running") == 0) {
		rc = CORE_EBUSY;
		goto fail;
	}
	(void)snprintf(from, sizeof(from), "from %s (%s)", db_rows_get(r, 0, 0),
	    db_rows_get(r, 0, 1));
	if ((rc = db_exec(db, "UPDATE jobs SET state = 'ready', attempts = 0, "
	    "next_attempt_at = NOW(6), error_class = 'none', "
	    "last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, "
	    "trigger_by = ? WHERE id = ?", DB_PARAMS(DB_STR(trig),
	    DB_I64(job_id)), NULL, NULL)) != CORE_OK)
		goto fail;
	a.trigger = trig;
	a.response = from;
	if ((rc = audit_add(db, &a)) != CORE_OK)
		goto fail;
	db_rows_free(r);
	return db_commit(db);
fail:
	if (rc != CORE_EDBDOWN)
		(void)db_rollback(db);
	db_rows_free(r);
	return rc;
}

/* The job id of kind/key. CORE_OK, CORE_ENOTFOUND or a db error. */
static enum core_err
job_id_of(struct db *db, const char *kind, const char *key, int64_t *id)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;

	if ((rc = db_select(db, "SELECT id FROM jobs WHERE kind = ? AND "
	    "job_key = ?", DB_PARAMS(DB_STR(kind), DB_STR(key)), &r)) !=
	    CORE_OK)
		return rc;
	*id = db_rows_i64(r, 0, 0, 0);
	db_rows_free(r);
	return *id > 0 ? CORE_OK : CORE_ENOTFOUND;
}

enum core_err
replay_by_ref(struct db *db, const char *kind, const char *ref,
    const char *who, int64_t *job_id)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;
	int64_t		 id = 0;
	char		 key[72];

	if (kind == NULL || ref == NULL || *ref == '\0')
		return CORE_EINPUT;
	if (!who_ok(who))
		return CORE_EINPUT;
	(void)snprintf(key, sizeof(key), "%s", ref);
	rc = job_id_of(db, kind, key, &id);
	if (rc == CORE_ENOTFOUND && strcmp(kind, "ss.order") == 0) {
		/* An orderId with a document but no job, or an orderNumber. */
		if ((rc = db_select(db, "SELECT doc_id FROM documents WHERE "
		    "system = 'shipstation' AND doc_type = 'order' AND "
		    "(doc_id = ? OR JSON_VALUE(body, '$.orderNumber') = ?) "
		    "LIMIT 2", DB_PARAMS(DB_STR(ref), DB_STR(ref)), &r)) !=
		    CORE_OK)
			return rc;
		if (r->nrows != 1) {
			rc = r->nrows == 0 ? CORE_ENOTFOUND : CORE_EINPUT;
			db_rows_free(r);
			return rc;
		}
		(void)snprintf(key, sizeof(key), "%s", db_rows_get(r, 0, 0));
		db_rows_free(r);
		rc = job_id_of(db, kind, key, &id);
		if (rc == CORE_ENOTFOUND)
			rc = job_enqueue(db, kind, key, NULL, 3, &id);
	}
	if (rc != CORE_OK)
		return rc;
	if (job_id != NULL)
		*job_id = id;
	return replay_job(db, id, who);
}

enum core_err
replay_class(struct db *db, const char *cls, const char *kind,
    const char *who, size_t max, uint64_t *n)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;
	size_t		 i;
	int		 c, ok = 0;

	if (n != NULL)
		*n = 0;
	for (c = 1; c < JOB_ERR__MAX; c++)
		if (cls != NULL && strcmp(cls, job_class_name(c)) == 0)
			ok = 1;
	if (!ok || !who_ok(who))
		return CORE_EINPUT;
	if ((rc = db_select(db, "SELECT id FROM jobs WHERE state IN ('dead', "
	    "'held') AND error_class = ? AND (? IS NULL OR kind = ?) "
	    "ORDER BY id LIMIT ?", DB_PARAMS(DB_STR(cls), kind != NULL ?
	    DB_STR(kind) : DB_NULL(), kind != NULL ? DB_STR(kind) : DB_NULL(), DB_I64(max > 0 ? (int64_t)max : INT64_MAX)), &r)) !=
	    CORE_OK)
		return rc;
	for (i = 0; i < r->nrows; i++) {
		rc = replay_job(db, db_rows_i64(r, i, 0, 0), who);
		/* Claimed meanwhile (a held job resumed): leave it. */
		if (rc == CORE_EBUSY || rc == CORE_ENOTFOUND)
			continue;
		if (rc != CORE_OK)
			break;
		if (n != NULL)
			(*n)++;
	}
	db_rows_free(r);
	return rc == CORE_EBUSY || rc == CORE_ENOTFOUND ? CORE_OK : rc;
}

int
replay_has_preview(const char *kind)
{
	size_t	 i;

	for (i = 0; i < NBUILDERS; i++)
		if (strcmp(builders[i].kind, kind) == 0)
			return 1;
	return 0;
}

/* text (JSON or not) re-indented with sorted keys; new or NULL. */
static char *
pretty(const char *text)
{
	json_t	*v;
	char	*s;

	if ((v = json_loads(text, JSON_DECODE_ANY, NULL)) == NULL)
		return strdup(text);
	s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(v);
	return s;
}

/* The request of the last send audited for job id; new, or NULL. */
static enum core_err
last_sent(struct db *db, int64_t id, const char *const *acts, char **out)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;

	*out = NULL;
	if ((rc = db_select(db, "SELECT request FROM audit WHERE job_id = ? "
	    "AND action IN (?, ?, ?) AND request IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1", DB_PARAMS(DB_I64(id), DB_STR(acts[0]),
	    DB_STR(acts[1]), DB_STR(acts[2])), &r)) != CORE_OK)
		return rc;
	if (r->nrows > 0 && (*out = pretty(db_rows_get(r, 0, 0))) == NULL)
		rc = CORE_ENOMEM;
	db_rows_free(r);
	return rc;
}

enum core_err
replay_preview(const struct jobrun_ctx *ctx, int64_t job_id,
    char **would_send, char **sent_before)
{
	struct job_outcome	 o = { JOB_ERR_NONE, "" };
	struct job		 j;
	struct db_rows		*r = NULL;
	json_t			*vars = NULL, *v = NULL;
	const char		*acts[REPLAY_SENT_MAX];
	enum core_err		 rc;
	size_t			 i, k;
	int			 built;

	*would_send = *sent_before = NULL;
	if ((rc = db_select(ctx->db, "SELECT kind, job_key, payload, "
	    "trigger_by FROM jobs WHERE id = ?", DB_PARAMS(DB_I64(job_id)),
	    &r)) != CORE_OK)
		return rc;
	if (r->nrows == 0) {
		db_rows_free(r);
		return CORE_ENOTFOUND;
	}
	for (i = 0; i < NBUILDERS; i++)
		if (strcmp(builders[i].kind, db_rows_get(r, 0, 0)) == 0)
			break;
	if (i == NBUILDERS) {
		db_rows_free(r);
		return CORE_EINPUT;
	}
	/* Lent from the row (row 0): the builder only reads. */
	memset(&j, 0, sizeof(j));
	j.id = job_id;
	j.kind = r->cells[0];
	j.key = r->cells[1];
	j.payload = r->cells[2];
	j.trigger = r->cells[3];
	built = builders[i].build(ctx, &j, &vars, &o);
	if (built == 1)
		v = json_incref(vars);
	else if (built == 0)
		v = json_pack("{s:s}", "not_sent", o.msg);
	else
		v = json_pack("{s:{s:s, s:s}}", "error", "class",
		    job_class_name(o.cls), "message", o.msg);
	if (v == NULL || (*would_send = json_dumps(v, JSON_INDENT(2) |
	    JSON_SORT_KEYS)) == NULL)
		rc = CORE_ENOMEM;
	for (k = 0; k < REPLAY_SENT_MAX; k++)
		acts[k] = builders[i].sent[k] != NULL ? builders[i].sent[k] :
		    "";
	if (rc == CORE_OK)
		rc = last_sent(ctx->db, job_id, acts, sent_before);
	if (rc != CORE_OK) {
		free(*would_send);
		*would_send = NULL;
	}
	json_decref(v);
	json_decref(vars);
	db_rows_free(r);
	return rc;
}
