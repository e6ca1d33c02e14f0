/*
 * The operational picture, gathered once for /metrics, the status
 * command and the admin dashboard. Everything comes from the database
 * (never from one process's memory) so any worker on any host answers
 * alike; each query is cheap: grouped counts over indexed columns and
 * the small quota, tokens and cursors tables.
 *
 * A "job run" is the row jobrun_run() appends per attempt: its action
 * is the job's kind. The rows a handler adds for each call it makes
 * (x3.salesOrder.create, order.skip, ...) and a replay request are not
 * runs, so they are left out of the counts; the trigger cannot tell
 * them apart (a replay stamps every row of its run "replay:<who>").
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "stats.h"

/* Followed by one placeholder per kind jobrun_kinds() lists. */
#define RUN_ROWS	"job_id IS NOT NULL AND action IN ("
#define KINDS_MAX	32
#define SQL_MAX		1024

static const struct {
	struct stats_desc	 d;
	const char		*sql;	/* label columns, then the value */
	const char		*tail;	/* non-NULL: sql, the kinds, tail */
} fams[STATS__MAX] = {
	{ { "ml_jobs", "gauge", "Jobs in the queue by state and error class.",
	    "Jobs by state and class", { "state", "class", NULL } },
	  "SELECT state, error_class, COUNT(*) FROM jobs "
	  "GROUP BY state, error_class ORDER BY state, error_class", NULL },
	  /* STATS_JOBS */
	{ { "ml_job_attempts_total", "counter",
	    "Job runs by outcome (ok, or the error class).",
	    "Job runs by outcome", { "outcome", NULL } },
	  "SELECT outcome, COUNT(*) FROM audit WHERE " RUN_ROWS,
	  ") GROUP BY outcome ORDER BY outcome" },
	  /* STATS_ATTEMPTS */
	{ { "ml_events", "gauge", "Webhook events stored, by source and state.",
	    "Events by source and state", { "source", "state", NULL } },
	  "SELECT source, state, COUNT(*) FROM events GROUP BY source, state "
	  "ORDER BY source, state", NULL },
	  /* STATS_EVENTS */
	{ { "ml_shipstation_calls_left", "gauge",
	    "Calls left in the current ShipStation window "
	    "(last X-Rate-Limit-Remaining; -1 unknown).",
	    "ShipStation calls left", { "key", NULL } },
	  "SELECT LEFT(api_key_hash, 12), COALESCE(remaining, -1) FROM quota "
	  "ORDER BY api_key_hash", NULL },
	  /* STATS_SS_LEFT */
	{ { "ml_shipstation_window_reset_seconds", "gauge",
	    "Seconds until the ShipStation rate window resets.",
	    "ShipStation window resets in (s)", { "key", NULL } },
	  "SELECT LEFT(api_key_hash, 12), GREATEST(0, CEIL((reset_ms - "
	  "UNIX_TIMESTAMP(NOW(3)) * 1000) / 1000)) FROM quota "
	  "ORDER BY api_key_hash", NULL },
	  /* STATS_SS_RESET */
	{ { "ml_x3_token_seconds_left", "gauge",
	    "Seconds until the cached X3 token expires.",
	    "X3 token expires in (s)", { "name", NULL } },
	  "SELECT name, TIMESTAMPDIFF(SECOND, NOW(6), expires_at) FROM tokens "
	  "WHERE expires_at IS NOT NULL ORDER BY name", NULL },
	  /* STATS_X3_TOKEN */
	{ { "ml_poll_cursor_lag_seconds", "gauge",
	    "Seconds since each poll cursor last advanced.",
	    "Poll cursor lag (s)", { "cursor", NULL } },
	  "SELECT name, TIMESTAMPDIFF(SECOND, COALESCE(last_ok_at, "
	  "'1970-01-01'), NOW(6)) FROM cursors ORDER BY name", NULL },
	  /* STATS_CURSOR_LAG */
};

/* The window the ETA's rate is taken over, in minutes. */
#define ETA_WINDOW_MIN	15

/* Over one day of job runs: those that failed, and those that
 * succeeded within the ETA window. */
static const char summary_head[] =
    "SELECT (SELECT TIMESTAMPDIFF(SECOND, MIN(next_attempt_at), NOW(6)) "
    "FROM jobs WHERE state = 'ready' AND next_attempt_at <= NOW(6)), "
    "e.failed, e.done FROM (SELECT "
    "COALESCE(SUM(outcome NOT IN ('ok', 'skipped')), 0) AS failed, "
    "COALESCE(SUM(outcome = 'ok' AND at >= NOW(6) - INTERVAL ? MINUTE), "
    "0) AS done FROM audit WHERE at >= NOW(6) - INTERVAL 1 DAY AND "
    RUN_ROWS;
static const char summary_tail[] = ")) e";

/* p[0..lead-1] as given, then the kinds; the total count, or 0. */
static size_t
with_kinds(struct db_val *p, size_t lead)
{
	const char *const	*k = jobrun_kinds();
	size_t			 n = lead;

	for (; *k != NULL; k++) {
		if (n == KINDS_MAX)
			return 0;
		p[n++] = DB_STR(*k);
	}
	return n;
}

struct priv {
	struct db_rows	*rows[STATS__MAX];
};

const struct stats_desc *
stats_desc(enum stats_fam f)
{
	return (unsigned int)f < STATS__MAX ? &fams[f].d : NULL;
}

static size_t
nlabels(const struct stats_desc *d)
{
	size_t	 k;

	for (k = 0; k < STATS_LABELS_MAX && d->labels[k] != NULL; k++)
		continue;
	return k;
}

/* Fill one family from its query; the rows stay in p for the labels. */
static enum core_err
load_fam(struct db *db, struct stats *s, struct priv *p, enum stats_fam f)
{
	struct db_rows	*r;
	struct stats_set *set = &s->fam[f];
	struct db_val	 v[KINDS_MAX];
	char		 sql[SQL_MAX];
	size_t		 i, k, nv = 0, nl = nlabels(&fams[f].d);
	enum core_err	 rc;

	if (fams[f].tail != NULL && ((nv = with_kinds(v, 0)) == 0 ||
	    db_sql_build(sql, sizeof(sql), fams[f].sql, "?", nv,
	    fams[f].tail) == -1))
		return CORE_EINPUT;	/* cannot happen: our own SQL */
	if ((rc = db_select(db, fams[f].tail != NULL ? sql : fams[f].sql, v,
	    nv, &r)) != CORE_OK)
		return rc;
	p->rows[f] = r;
	if (r->nrows == 0)
		return CORE_OK;
	if (r->ncols != nl + 1)
		return CORE_EINPUT;	/* cannot happen: our own SQL */
	if ((set->rows = calloc(r->nrows, sizeof(*set->rows))) == NULL)
		return CORE_ENOMEM;
	for (i = 0; i < r->nrows; i++) {
		for (k = 0; k < nl; k++)
			set->rows[i].label[k] = db_rows_get(r, i, k);
		set->rows[i].value = db_rows_i64(r, i, nl, 0);
	}
	set->n = r->nrows;
	return CORE_OK;
}

static void
summarize(struct stats *s)
{
	const struct stats_set	*j = &s->fam[STATS_JOBS];
	const struct stats_set	*a = &s->fam[STATS_ATTEMPTS];
	size_t			 i;

	for (i = 0; i < j->n; i++) {
		const char	*st = j->rows[i].label[0];

		if (st == NULL)
			continue;
		if (strcmp(st, "ready") == 0)
			s->jobs_ready += j->rows[i].value;
		else if (strcmp(st, "running") == 0)
			s->jobs_running += j->rows[i].value;
		else if (strcmp(st, "held") == 0)
			s->jobs_held += j->rows[i].value;
		else if (strcmp(st, "dead") == 0)
			s->jobs_dead += j->rows[i].value;
	}
	s->jobs_open = s->jobs_ready + s->jobs_running + s->jobs_held;
	for (i = 0; i < a->n; i++) {
		if (a->rows[i].label[0] == NULL)
			continue;
		if (strcmp(a->rows[i].label[0], "ok") == 0)
			s->processed += a->rows[i].value;
		else if (strcmp(a->rows[i].label[0], "skipped") != 0)
			s->failed += a->rows[i].value;
	}
	/* What is left divided by what got done lately; none done: unknown. */
	if (s->jobs_ready == 0)
		s->eta_s = 0;
	else if (s->done_15m > 0)
		s->eta_s = (s->jobs_ready * ETA_WINDOW_MIN * 60 +
		    s->done_15m - 1) / s->done_15m;
	else
		s->eta_s = -1;
}

/* New; free with stats_free(). */
enum core_err
stats_load(struct db *db, struct stats **out)
{
	struct stats	*s;
	struct priv	*p;
	struct db_rows	*r = NULL;
	struct db_val	 v[KINDS_MAX];
	char		 sql[SQL_MAX];
	enum core_err	 rc;
	size_t		 f, nv;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return CORE_ENOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		free(s);
		return CORE_ENOMEM;
	}
	s->priv = p;
	for (f = 0; f < STATS__MAX; f++)
		if ((rc = load_fam(db, s, p, (enum stats_fam)f)) != CORE_OK)
			goto fail;
	v[0] = DB_I64(ETA_WINDOW_MIN);
	if ((nv = with_kinds(v, 1)) == 0 || db_sql_build(sql, sizeof(sql),
	    summary_head, "?", nv - 1, summary_tail) == -1) {
		rc = CORE_EINPUT;	/* cannot happen: our own SQL */
		goto fail;
	}
	if ((rc = db_select(db, sql, v, nv, &r)) != CORE_OK)
		goto fail;
	s->oldest_ready_s = db_rows_i64(r, 0, 0, -1);
	s->errors_24h = db_rows_i64(r, 0, 1, 0);
	s->done_15m = db_rows_i64(r, 0, 2, 0);
	db_rows_free(r);
	summarize(s);
	*out = s;
	return CORE_OK;
fail:
	stats_free(s);
	return rc;
}

void
stats_free(struct stats *s)
{
	struct priv	*p;
	size_t		 f;

	if (s == NULL)
		return;
	p = s->priv;
	for (f = 0; f < STATS__MAX; f++) {
		free(s->fam[f].rows);
		if (p != NULL)
			db_rows_free(p->rows[f]);
	}
	free(p);
	free(s);
}
