/*
 * replay.c: run a job again from its stored source with the current
 * mappings (docs/SYNC.md "Replay"), and preview what it would send.
 * Used by ml-connector-ctl replay and the admin UI.
 */
#ifndef ML_REPLAY_H
#define ML_REPLAY_H

#include <stdint.h>

#include "core.h"

/* Longest user name in a trigger ("replay:" + who fits jobs.trigger_by). */
#define REPLAY_WHO_MAX	56

/*
 * Put job job_id back to ready now with its attempts reset, whatever
 * its state (done, dead, held, ready), so that a poller runs it again
 * from its stored document; the audit rows of that run carry the
 * trigger "replay:<who>". who: 1..REPLAY_WHO_MAX characters of
 * [A-Za-z0-9._@-]. CORE_ENOTFOUND: no such job; CORE_EBUSY: it is
 * running now (try again when it is done); CORE_EINPUT: bad who.
 */
enum core_err	 replay_job(struct db *, int64_t job_id, const char *who);

/*
 * The same for the job of kind ("ss.order", ...) whose key is ref; for
 * ss.order ref may also be the ShipStation orderNumber of a stored
 * order (CORE_EINPUT when two stored orders share it). A stored
 * document without a job gets one. *job_id (may be NULL) is the job.
 */
enum core_err	 replay_by_ref(struct db *, const char *kind,
		    const char *ref, const char *who, int64_t *job_id);

/*
 * Replay the error queue of one class ("mapping", "data", "auth",
 * "rate", "transient"): every dead or held job of that class, of kind
 * only when kind is not NULL, at most max jobs (0: no limit). Running
 * jobs are left alone. *n (may be NULL) is how many were replayed.
 */
enum core_err	 replay_class(struct db *, const char *cls, const char *kind,
		    const char *who, size_t max, uint64_t *n);

/*
 * What job job_id would send now beside what it sent last, both as
 * indented JSON with sorted keys so that they can be compared line by
 * line. *would_send is the request built with the current mappings (no
 * network write; X3 reads allowed), or, when nothing would be sent,
 * {"not_sent": "reason"}, or {"error": {"class": C, "message": M}}
 * when it cannot be built now (a mapping missing). *sent_before is the
 * request of the last send audited for the job, or NULL when none.
 * Both new (free()). CORE_ENOTFOUND: no such job; CORE_EINPUT: no
 * preview for its kind.
 */
enum core_err	 replay_preview(const struct jobrun_ctx *, int64_t job_id,
		    char **would_send, char **sent_before);

/* 1 if kind has a preview builder. */
int		 replay_has_preview(const char *kind);

#endif /* !ML_REPLAY_H */
