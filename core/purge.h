/*
 * purge.c: retention. Deletes old webhook events, audit rows and done
 * jobs in small batches, never what an open job or a replay still
 * needs. Run by `ml-connector-ctl purge` and, every retention.interval,
 * by whichever poller takes the turn.
 */
#ifndef ML_PURGE_H
#define ML_PURGE_H

#include <stdint.h>

#include "core.h"

/* Rows deleted (or, dry run, that would be). */
struct purge_result {
	uint64_t	 events;
	uint64_t	 audit;
	uint64_t	 jobs;
};

/*
 * Delete what the retention settings let go; with dry_run, only count
 * it. res is filled as far as the purge got, even on an error.
 */
enum core_err	 purge_run(struct db *, const struct cfg_retention *,
		    int dry_run, struct purge_result *res);
/*
 * The poller's scheduled purge: when interval seconds have passed since
 * the last run by any process on any host, take the turn and purge.
 * *ran (may be NULL) is 1 when this call purged. interval 0: never.
 */
enum core_err	 purge_due(struct db *, const struct cfg_retention *,
		    struct purge_result *res, int *ran);

#endif /* !ML_PURGE_H */
