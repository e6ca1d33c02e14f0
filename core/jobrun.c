/*
 * Run one claimed job: dispatch to its handler by kind, then record
 * the outcome (done, or a failure of one class) and an audit row. The
 * poller runs jobs from the queue; the FastCGI worker runs the fetch
 * job of a webhook it has just acknowledged. Both come through here.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "sync_customer.h"
#include "reconcile.h"
#include "sync_ship.h"

#define SELFTEST_HOLD_MAX	60000	/* ms */
#define NEED_X3			1	/* kinds[].needs: an X3 client */
#define NEED_SS			2	/* a ShipStation client */

typedef void (*job_fn)(const struct jobrun_ctx *, const struct job *,
    struct job_outcome *);

void
job_outcome_set(struct job_outcome *o, enum job_class cls, const char *fmt,
    ...)
{
	va_list	 ap;

	o->cls = cls;
	va_start(ap, fmt);
	(void)vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	va_end(ap);
}

/*
 * "selftest": proves end to end that a poller is alive and draining the
 * queue (ml-connector-ctl selftest). It may hold for a while so that
 * operators and tests can watch a graceful stop finish it.
 */
static void
run_selftest(const struct jobrun_ctx *ctx, const struct job *j,
    struct job_outcome *o)
{
	json_t		*p;
	json_error_t	 e;
	json_int_t	 hold = 0;
	struct timespec	 ts;

	(void)ctx;
	if (j->payload != NULL) {
		if ((p = json_loads(j->payload, JSON_REJECT_DUPLICATES, &e)) ==
		    NULL || json_unpack_ex(p, &e, JSON_STRICT, "{s?I}",
		    "hold_ms", &hold) != 0) {
			job_outcome_set(o, JOB_ERR_DATA,
			    "bad selftest payload: %s", e.text);
			json_decref(p);
			return;
		}
		json_decref(p);
	}
	if (hold < 0 || hold > SELFTEST_HOLD_MAX) {
		job_outcome_set(o, JOB_ERR_DATA, "hold_ms out of range");
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
	int		 needs;	/* claimed only with these clients (NEED_*) */
} kinds[] = {
	{ "selftest", run_selftest, 0 },
	{ "webhook.fetch", event_fetch, 0 },
	{ "ss.order", sync_order, 1 },
	{ "ss.customer", sync_customer, NEED_X3 },
	{ "x3.product", sync_product, NEED_X3 | NEED_SS },
	{ "ss.shipment", sync_ship, NEED_X3 },
	{ "ss.fulfillment", sync_ship, NEED_X3 },
	{ "reconcile", reconcile_job, NEED_X3 | NEED_SS },
	{ "x3.order", sync_x3_order, NEED_X3 | NEED_SS },
};

#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

const char *const *
jobrun_kinds(void)
{
	static const char	*names[NKINDS + 1];
	size_t			 i;

	for (i = 0; i < NKINDS; i++)
		names[i] = kinds[i].kind;
	names[NKINDS] = NULL;
	return names;
}

const char *const *
jobrun_kinds_ctx(const struct jobrun_ctx *ctx)
{
	static const char	*names[NKINDS + 1];
	size_t			 i, n = 0;

	for (i = 0; i < NKINDS; i++)
		if ((!(kinds[i].needs & NEED_X3) || ctx->x3 != NULL) &&
		    (!(kinds[i].needs & NEED_SS) || ctx->ss != NULL))
			names[n++] = kinds[i].kind;
	names[n] = NULL;
	return names;
}

void
jobrun_run(const struct jobrun_ctx *ctx, const struct job *j,
    const char *owner, const char *trigger)
{
	struct job_outcome	 o = { JOB_ERR_NONE, "" };
	struct job		 run = *j;
	struct timespec		 t0, t1;
	char			 id[32], saved[ML_REQID_LEN], trig[64];
	enum core_err		 rc;
	int64_t			 ms;
	size_t			 i;

	/* A replayed job says who asked for it until it is done. */
	(void)snprintf(trig, sizeof(trig), "%s", j->trigger != NULL ?
	    j->trigger : trigger);
	run.trigger = trig;
	trigger = trig;
	(void)snprintf(saved, sizeof(saved), "%s", log_get_id());
	(void)snprintf(id, sizeof(id), "job-%lld", (long long)j->id);
	log_set_id(id);
	log_info("running %s %s (attempt %d, %s)", j->kind, j->key,
	    j->attempts, trigger);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].kind, j->kind) == 0)
			break;
	if (i == NKINDS)
		job_outcome_set(&o, JOB_ERR_DATA, "unknown job kind %s",
		    j->kind);
	else
		kinds[i].fn(ctx, &run, &o);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;

	if (o.cls == JOB_ERR_NONE)
		rc = job_done(ctx->db, j, owner);
	else
		rc = job_fail(ctx->db, j, owner, o.cls, o.msg,
		    ctx->cfg->poller.retry_base);
	if (rc != CORE_OK)
		log_warnx("recording the outcome: %s (%s)", core_strerror(rc),
		    db_error(ctx->db));
	if (db_exec(ctx->db, "INSERT INTO audit (job_id, trigger_by, action, "
	    "duration_ms, outcome, response) VALUES (?, ?, ?, ?, ?, ?)",
	    DB_PARAMS(DB_I64(j->id), DB_STR(trigger), DB_STR(j->kind),
	    DB_I64(ms), DB_STR(o.cls == JOB_ERR_NONE ? "ok" :
	    job_class_name(o.cls)), DB_STR(o.cls == JOB_ERR_NONE ? NULL :
	    o.msg)), NULL, NULL) != CORE_OK)
		log_warnx("audit: %s", db_error(ctx->db));
	if (o.cls == JOB_ERR_NONE)
		log_info("done in %lld ms", (long long)ms);
	else
		log_warnx("failed (%s): %s", job_class_name(o.cls), o.msg);
	log_set_id(saved[0] != '\0' ? saved : NULL);
}
