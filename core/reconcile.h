/*
 * reconcile.c: compare ShipStation shipments and fulfillments over a
 * period with the X3 deliveries that carry our key and with links; list
 * what is missing, extra, or delivered in other quantities; optionally
 * re-queue the sync of the missing ones. Reports are stored in
 * reconcile_runs / reconcile_items (sql/005). See docs/SYNC.md
 * "Reconciliation".
 */
#ifndef ML_RECONCILE_H
#define ML_RECONCILE_H

#include <stdint.h>

#include "core.h"

/* One run's parameters; all lent. */
struct reconcile_opts {
	const char	*from;		/* YYYY-MM-DD, shipDate, inclusive */
	const char	*to;		/* YYYY-MM-DD, inclusive */
	int		 repair;	/* re-queue the missing ones */
	const char	*trigger;	/* "cli", "schedule" */
};

/*
 * Run one reconciliation and store its report. *run_id (may be NULL)
 * gets the run's id even when the run failed (the row says why).
 * CORE_OK, or the error that stopped it (message in err).
 */
enum core_err	 reconcile_run(const struct jobrun_ctx *,
		    const struct reconcile_opts *, int64_t *run_id,
		    char *err, size_t errsz);
/*
 * A stored run as JSON: {id, from, to, state, counts..., items: [...]}.
 * run_id 0: the latest run. On CORE_OK *out is new (json_decref);
 * CORE_ENOTFOUND when there is none.
 */
enum core_err	 reconcile_report(struct db *, int64_t run_id,
		    struct json_t **out);
/* The "reconcile" job: payload {"from", "to"} or {"days": N}. */
void		 reconcile_job(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);
/*
 * Enqueue the scheduled reconcile job once per interval seconds (keyed
 * by the interval's number, so pollers on several hosts enqueue it
 * once). interval 0: nothing.
 */
enum core_err	 reconcile_schedule(struct db *, int interval, int days);

#endif /* !ML_RECONCILE_H */
