/*
 * The job queue: every unit of work is a row in jobs. Workers on any
 * host claim with SELECT ... FOR UPDATE SKIP LOCKED and hold a lease;
 * a crashed worker's lease expires and the job is claimed again. Every
 * state change checks that the caller still owns the lease, so a worker
 * that lost its lease cannot overwrite the new owner's result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core.h"

static const char *const states[JOB__MAX] = {
	"ready",	/* JOB_READY */
	"running",	/* JOB_RUNNING */
	"held",		/* JOB_HELD */
	"done",		/* JOB_DONE */
	"dead",		/* JOB_DEAD */
};

static const char *const classes[JOB_ERR__MAX] = {
	"none",		/* JOB_ERR_NONE */
	"mapping",	/* JOB_ERR_MAPPING */
	"data",		/* JOB_ERR_DATA */
	"auth",		/* JOB_ERR_AUTH */
	"rate",		/* JOB_ERR_RATE */
	"transient",	/* JOB_ERR_TRANSIENT */
};

const char *
job_state_name(enum job_state s)
{
	return (unsigned int)s < JOB__MAX ? states[s] : "unknown";
}

const char *
job_class_name(enum job_class c)
{
	return (unsigned int)c < JOB_ERR__MAX ? classes[c] : "unknown";
}

enum core_err
job_enqueue(struct db *db, const char *kind, const char *key,
    const char *payload, int priority, int64_t *id)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;

	rc = db_exec(db, "INSERT IGNORE INTO jobs (kind, job_key, payload, "
	    "priority, max_attempts) VALUES (?, ?, ?, ?, ?)",
	    DB_PARAMS(DB_STR(kind), DB_STR(key), DB_STR(payload),
	    DB_I64(priority), DB_I64(ML_JOB_MAX_ATTEMPTS)), NULL, NULL);
	if (rc != CORE_OK || id == NULL)
		return rc;
	if ((rc = db_select(db, "SELECT id FROM jobs WHERE kind = ? AND "
	    "job_key = ?", DB_PARAMS(DB_STR(kind), DB_STR(key)), &r)) !=
	    CORE_OK)
		return rc;
	*id = db_rows_i64(r, 0, 0, 0);
	db_rows_free(r);
	return *id > 0 ? CORE_OK : CORE_ENOTFOUND;
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

#define CLAIM_KINDS_MAX	32
#define CLAIM_SQL_MAX	1024

/*
 * Claim the first row of sql (which selects the job columns FOR UPDATE
 * SKIP LOCKED) in a short transaction and lease it to owner.
 */
static enum core_err
claim(struct db *db, const char *sql, const struct db_val *p, size_t n,
    const char *owner, int lease, struct job **out)
{
	struct db_rows	*r = NULL;
	struct job	*j = NULL;
	enum core_err	 rc;

	*out = NULL;
	if ((rc = db_begin(db)) != CORE_OK)
		return rc;
	if ((rc = db_select(db, sql, p, n, &r)) != CORE_OK)
		goto fail;
	if (r->nrows == 0) {
		rc = CORE_ENOTFOUND;
		goto fail;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		rc = CORE_ENOMEM;
		goto fail;
	}
	j->id = db_rows_i64(r, 0, 0, 0);
	j->kind = dup_or_null(db_rows_get(r, 0, 1));
	j->key = dup_or_null(db_rows_get(r, 0, 2));
	j->payload = dup_or_null(db_rows_get(r, 0, 3));
	j->attempts = (int)db_rows_i64(r, 0, 4, 0) + 1;
	j->max_attempts = (int)db_rows_i64(r, 0, 5, ML_JOB_MAX_ATTEMPTS);
	j->trigger = dup_or_null(db_rows_get(r, 0, 6));
	if (j->kind == NULL || j->key == NULL) {
		rc = CORE_ENOMEM;
		goto fail;
	}
	if ((rc = db_exec(db, "UPDATE jobs SET state = 'running', "
	    "attempts = attempts + 1, lease_owner = ?, lease_expires_at = "
	    "NOW(6) + INTERVAL ? SECOND WHERE id = ?", DB_PARAMS(
	    DB_STR(owner), DB_I64(lease), DB_I64(j->id)), NULL, NULL)) !=
	    CORE_OK || (rc = db_commit(db)) != CORE_OK)
		goto fail;
	db_rows_free(r);
	*out = j;
	return CORE_OK;
fail:
	if (rc != CORE_EDBDOWN)
		(void)db_rollback(db);
	db_rows_free(r);
	job_free(j);
	return rc;
}

enum core_err
job_claim(struct db *db, const char *owner, int lease,
    const char *const *kinds, struct job **out)
{
	struct db_val	 p[CLAIM_KINDS_MAX];
	char		 sql[CLAIM_SQL_MAX];
	size_t		 n;

	/* Only kinds this program can run: an older poller leaves newer
	 * kinds to a newer one instead of failing them. */
	for (n = 0; kinds[n] != NULL; n++) {
		if (n == CLAIM_KINDS_MAX)
			return CORE_EINPUT;
		p[n] = DB_STR(kinds[n]);
	}
	if (n == 0)
		return CORE_ENOTFOUND;
	/* Due ready jobs, and running jobs whose owner let the lease lapse. */
	if (db_sql_build(sql, sizeof(sql), "SELECT id, kind, job_key, "
	    "payload, attempts, max_attempts, trigger_by FROM jobs WHERE kind IN (", "?",
	    n, ") AND ((state = 'ready' AND next_attempt_at <= NOW(6)) OR "
	    "(state = 'running' AND lease_expires_at < NOW(6))) "
	    "ORDER BY priority, next_attempt_at LIMIT 1 "
	    "FOR UPDATE SKIP LOCKED") == -1)
		return CORE_EINPUT;
	return claim(db, sql, p, n, owner, lease, out);
}

enum core_err
job_claim_key(struct db *db, const char *kind, const char *key,
    const char *owner, int lease, struct job **out)
{
	return claim(db, "SELECT id, kind, job_key, payload, attempts, "
	    "max_attempts, trigger_by FROM jobs WHERE kind = ? AND job_key = ? AND "
	    "state = 'ready' FOR UPDATE SKIP LOCKED", DB_PARAMS(DB_STR(kind),
	    DB_STR(key)), owner, lease, out);
}

enum core_err
job_done(struct db *db, const struct job *j, const char *owner)
{
	uint64_t	 n = 0;
	enum core_err	 rc;

	rc = db_exec(db, "UPDATE jobs SET state = 'done', lease_owner = NULL, "
	    "lease_expires_at = NULL, error_class = 'none', last_error = NULL, "
	    "trigger_by = NULL WHERE id = ? AND state = 'running' AND lease_owner = ?",
	    DB_PARAMS(DB_I64(j->id), DB_STR(owner)), &n, NULL);
	if (rc == CORE_OK && n != 1)
		return CORE_EBUSY;	/* lease lost to another worker */
	return rc;
}

enum core_err
job_fail(struct db *db, const struct job *j, const char *owner,
    enum job_class cls, const char *error, int retry_base)
{
	const char	*state;
	uint64_t	 n = 0;
	int64_t		 delay;
	enum core_err	 rc;
	int		 i;

	/* Exponential backoff from the base (poller.retry_base), capped. */
	delay = retry_base > 0 ? retry_base : ML_JOB_BACKOFF_BASE;
	for (i = 1; i < j->attempts && delay < ML_JOB_BACKOFF_MAX; i++)
		delay *= 2;
	if (delay > ML_JOB_BACKOFF_MAX)
		delay = ML_JOB_BACKOFF_MAX;
	if (cls == JOB_ERR_MAPPING)
		state = "held";
	else if (cls == JOB_ERR_DATA || j->attempts >= j->max_attempts)
		state = "dead";
	else
		state = "ready";
	rc = db_exec(db, "UPDATE jobs SET state = ?, error_class = ?, "
	    "last_error = ?, lease_owner = NULL, lease_expires_at = NULL, "
	    "next_attempt_at = NOW(6) + INTERVAL ? SECOND "
	    "WHERE id = ? AND state = 'running' AND lease_owner = ?",
	    DB_PARAMS(DB_STR(state), DB_STR(job_class_name(cls)),
	    DB_STR(error), DB_I64(delay), DB_I64(j->id), DB_STR(owner)),
	    &n, NULL);
	if (rc == CORE_OK && n != 1)
		return CORE_EBUSY;
	return rc;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	free(j->kind);
	free(j->key);
	free(j->payload);
	free(j->trigger);
	free(j);
}
