/*
 * Dispatch a claimed job to its handler by kind and record the result:
 * done, or a failure of one class (see enum job_class). Each attempt
 * leaves an audit row.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "poller.h"

#define SELFTEST_HOLD_MAX	60000	/* ms */

struct outcome {
	enum job_class	 cls;		/* JOB_ERR_NONE on success */
	char		 msg[256];
};

typedef void (*job_fn)(struct db *, const struct job *, struct outcome *);

/*
 * "selftest": proves end to end that a poller is alive and draining the
 * queue (ml-connector-ctl selftest). It may hold for a while so that
 * operators and tests can watch a graceful stop finish it.
 */
static void
run_selftest(struct db *db, const struct job *j, struct outcome *o)
{
	json_t		*p;
	json_error_t	 e;
	json_int_t	 hold = 0;
	struct timespec	 ts;

	(void)db;
	if (j->payload != NULL) {
		if ((p = json_loads(j->payload, JSON_REJECT_DUPLICATES, &e)) ==
		    NULL || json_unpack_ex(p, &e, JSON_STRICT, "{s?I}",
		    "hold_ms", &hold) != 0) {
			o->cls = JOB_ERR_DATA;
			(void)snprintf(o->msg, sizeof(o->msg),
			    "bad selftest payload: %s", e.text);
			json_decref(p);
			return;
		}
		json_decref(p);
	}
	if (hold < 0 || hold > SELFTEST_HOLD_MAX) {
		o->cls = JOB_ERR_DATA;
		(void)snprintf(o->msg, sizeof(o->msg), "hold_ms out of range");
		return;
	}
	ts.tv_sec = (time_t)(hold / 1000);
	ts.tv_nsec = (long)(hold % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		continue;
}

static const struct {
	const char	*kind;
	job_fn		 fn;
} kinds[] = {
	{ "selftest", run_selftest },
};

void
runner_run(struct db *db, const struct job *j, const char *owner)
{
	struct outcome	 o = { JOB_ERR_NONE, "" };
	struct timespec	 t0, t1;
	char		 id[32];
	enum core_err	 rc;
	int64_t		 ms;
	size_t		 i;

	(void)snprintf(id, sizeof(id), "job-%lld", (long long)j->id);
	log_set_id(id);
	log_info("running %s %s (attempt %d)", j->kind, j->key, j->attempts);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, j->kind) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		o.cls = JOB_ERR_DATA;
		(void)snprintf(o.msg, sizeof(o.msg), "unknown job kind %s",
		    j->kind);
	} else
		kinds[i].fn(db, j, &o);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;

	if (o.cls == JOB_ERR_NONE)
		rc = job_done(db, j, owner);
	else
		rc = job_fail(db, j, owner, o.cls, o.msg);
	if (rc != CORE_OK)
		log_warnx("recording the outcome: %s (%s)", core_strerror(rc),
		    db_error(db));
	if (db_exec(db, "INSERT INTO audit (job_id, trigger_by, action, "
	    "duration_ms, outcome, response) VALUES (?, 'poller', ?, ?, ?, ?)",
	    DB_PARAMS(DB_I64(j->id), DB_STR(j->kind), DB_I64(ms),
	    DB_STR(o.cls == JOB_ERR_NONE ? "ok" : job_class_name(o.cls)),
	    DB_STR(o.cls == JOB_ERR_NONE ? NULL : o.msg)), NULL, NULL) !=
	    CORE_OK)
		log_warnx("audit: %s", db_error(db));
	if (o.cls == JOB_ERR_NONE)
		log_info("done in %lld ms", (long long)ms);
	else
		log_warnx("failed (%s): %s", job_class_name(o.cls), o.msg);
	log_set_id(NULL);
}
