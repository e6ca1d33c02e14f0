/*
 * The sync engine's queue upkeep. A job held for a missing mapping
 * (class mapping, state held) runs again once a maps row was added or
 * changed after it was held, and at the latest after a fallback period
 * (the mapping may have appeared in X3 itself: an item created with the
 * SKU as its code). See docs/SYNC.md.
 */
#include "config.h"

#include <stdint.h>

#include "core.h"

/*
 * Make held mapping jobs ready again: those held before the newest
 * maps change, and those held longer than fallback seconds.
 * *n (may be NULL) gets how many. CORE_OK or a db error.
 */
enum core_err
sync_resume_held(struct db *db, int fallback, uint64_t *n)
{
	return db_exec(db, "UPDATE jobs SET state = 'ready', "
	    "next_attempt_at = NOW(6) WHERE state = 'held' AND "
	    "error_class = 'mapping' AND (updated_at < "
	    "(SELECT MAX(updated_at) FROM maps) OR "
	    "updated_at < NOW(6) - INTERVAL ? SECOND)",
	    DB_PARAMS(DB_I64(fallback)), n, NULL);
}
