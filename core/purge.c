/*
 * Retention: old rows go, in batches of cfg retention.batch, each batch
 * its own short statement so that webhooks and job claims never queue
 * behind a long delete. What stays, whatever its age:
 *
 * - events that an open job (ready, running, held or dead: dead jobs can
 *   be replayed) refers to, directly (jobs.event_id: the webhook.fetch
 *   job, or the event that last changed a sync job's document) or
 *   through a document whose sync job is open;
 * - audit rows of open jobs, and for every record we keep (its source
 *   document is stored, or it is linked) the last audit row of its sync
 *   job that carries a JSON payload: the last thing we sent to X3,
 *   which replay preview compares against;
 * - the done sync jobs of those records (one per record, reused when
 *   the record changes): the way from a record to that audit row.
 *
 * Each batch finds the next ids with the rule, then deletes that id
 * range with the rule checked again, so a row that a job took up in
 * between stays.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core.h"
#include "purge.h"

/*
 * A sync job ("ss.<type>", key = the record's id) of a record we keep:
 * one whose source document we hold (documents are never purged: a
 * replay runs from them), or one that is linked (links.entity, ss_id).
 */
#define KEPT(job) \
	"SELECT 1 FROM documents d WHERE " job ".kind LIKE 'ss.%' AND " \
	"d.system = 'shipstation' AND d.doc_type = SUBSTRING(" job ".kind, " \
	"4) AND d.doc_id = " job ".job_key UNION ALL SELECT 1 FROM links l " \
	"WHERE " job ".kind LIKE 'ss.%' AND l.entity = SUBSTRING(" job \
	".kind, 4) AND l.ss_id = " job ".job_key"

static const char events_rule[] =
    "events.received_at < NOW(6) - INTERVAL ? DAY "
    "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = events.id "
    "AND j.state <> 'done') "
    "AND NOT EXISTS (SELECT 1 FROM documents d JOIN jobs j ON "
    "j.kind = CONCAT('ss.', d.doc_type) AND j.job_key = d.doc_id "
    "WHERE d.event_id = events.id AND j.state <> 'done')";

/* Ordered so the cheap tests decide most rows (OR stops at the first
 * true): only a payload row of a kept record needs the later-payload
 * lookup, on the audit_job index. */
static const char audit_rule[] =
    "audit.at < NOW(6) - INTERVAL ? DAY "
    "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = audit.job_id "
    "AND j.state <> 'done') "
    "AND (audit.job_id IS NULL OR audit.request IS NULL "
    "OR audit.request NOT LIKE '{%' "
    "OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = audit.job_id AND "
    "EXISTS (" KEPT("j") ")) "
    "OR EXISTS (SELECT 1 FROM audit a2 WHERE a2.job_id = audit.job_id "
    "AND a2.id > audit.id AND a2.request LIKE '{%'))";

static const char jobs_rule[] =
    "jobs.state = 'done' AND jobs.updated_at < NOW(6) - INTERVAL ? DAY "
    "AND NOT EXISTS (" KEPT("jobs") ")";

static const struct {
	const char	*table;
	const char	*rule;
} tables[] = {
	{ "events", events_rule },
	{ "audit", audit_rule },
	{ "jobs", jobs_rule },
};

#define NTABLES		(sizeof(tables) / sizeof(tables[0]))
#define SQL_MAX		2048

/* Count, or delete in batches, the rows of one table the rule lets go. */
static enum core_err
purge_table(struct db *db, size_t t, int days, int batch, int dry_run,
    uint64_t *n)
{
	char		 sel[SQL_MAX], del[SQL_MAX];
	struct db_rows	*r;
	enum core_err	 rc;
	int64_t		 from = 0, lo, hi, got;
	uint64_t	 k;
	int		 len;

	*n = 0;
	if (dry_run) {
		len = snprintf(sel, sizeof(sel), "SELECT COUNT(*) FROM %s "
		    "WHERE %s", tables[t].table, tables[t].rule);
		if (len < 0 || (size_t)len >= sizeof(sel))
			return CORE_EINPUT;
		if ((rc = db_select(db, sel, DB_PARAMS(DB_I64(days)), &r)) !=
		    CORE_OK)
			return rc;
		*n = (uint64_t)db_rows_i64(r, 0, 0, 0);
		db_rows_free(r);
		return CORE_OK;
	}
	len = snprintf(sel, sizeof(sel), "SELECT MIN(id), MAX(id), COUNT(*) "
	    "FROM (SELECT id FROM %s WHERE id > ? AND %s ORDER BY id "
	    "LIMIT ?) b", tables[t].table, tables[t].rule);
	if (len < 0 || (size_t)len >= sizeof(sel))
		return CORE_EINPUT;
	len = snprintf(del, sizeof(del), "DELETE FROM %s WHERE id BETWEEN "
	    "? AND ? AND %s", tables[t].table, tables[t].rule);
	if (len < 0 || (size_t)len >= sizeof(del))
		return CORE_EINPUT;
	do {
		if ((rc = db_select(db, sel, DB_PARAMS(DB_I64(from),
		    DB_I64(days), DB_I64(batch)), &r)) != CORE_OK)
			return rc;
		lo = db_rows_i64(r, 0, 0, 0);
		hi = db_rows_i64(r, 0, 1, 0);
		got = db_rows_i64(r, 0, 2, 0);
		db_rows_free(r);
		if (got == 0)
			break;
		k = 0;
		if ((rc = db_exec(db, del, DB_PARAMS(DB_I64(lo), DB_I64(hi),
		    DB_I64(days)), &k, NULL)) != CORE_OK)
			return rc;
		*n += k;
		from = hi;
	} while (got == batch);
	return CORE_OK;
}

enum core_err
purge_run(struct db *db, const struct cfg_retention *c, int dry_run,
    struct purge_result *res)
{
	const int	 days[NTABLES] = { c->events_days, c->audit_days,
			    c->jobs_days };
	uint64_t	*out[NTABLES] = { &res->events, &res->audit,
			    &res->jobs };
	enum core_err	 rc;
	size_t		 t;

	memset(res, 0, sizeof(*res));
	for (t = 0; t < NTABLES; t++)
		if ((rc = purge_table(db, t, days[t], c->batch, dry_run,
		    out[t])) != CORE_OK)
			return rc;
	return CORE_OK;
}

enum core_err
purge_due(struct db *db, const struct cfg_retention *c,
    struct purge_result *res, int *ran)
{
	char		 msg[255];
	uint64_t	 n = 0;
	enum core_err	 rc;

	if (ran != NULL)
		*ran = 0;
	memset(res, 0, sizeof(*res));
	if (c->interval == 0)
		return CORE_OK;
	/*
	 * One turn per interval across every poller on every host: the
	 * row changes (1 inserted, 2 updated) only for the caller whose
	 * turn it is; for everyone else it stays as it is (0).
	 */
	if ((rc = db_exec(db, "INSERT INTO maintenance (name, last_run_at) "
	    "VALUES ('purge', NOW(6)) ON DUPLICATE KEY UPDATE last_run_at = "
	    "IF(last_run_at IS NULL OR last_run_at <= NOW(6) - INTERVAL ? "
	    "SECOND, NOW(6), last_run_at)", DB_PARAMS(DB_I64(c->interval)),
	    &n, NULL)) != CORE_OK || n == 0)
		return rc;
	if (ran != NULL)
		*ran = 1;
	rc = purge_run(db, c, 0, res);
	if (rc == CORE_OK)
		(void)snprintf(msg, sizeof(msg), "deleted %llu events, %llu "
		    "audit rows, %llu jobs", (unsigned long long)res->events,
		    (unsigned long long)res->audit,
		    (unsigned long long)res->jobs);
	else
		(void)snprintf(msg, sizeof(msg), "%s: %.200s",
		    core_strerror(rc), db_error(db));
	if (db_exec(db, "UPDATE maintenance SET last_result = ?, "
	    "last_ok_at = IF(?, NOW(6), last_ok_at) WHERE name = 'purge'",
	    DB_PARAMS(DB_STR(msg), DB_I64(rc == CORE_OK)), NULL, NULL) !=
	    CORE_OK && rc == CORE_OK)
		rc = CORE_EDB;
	return rc;
}
