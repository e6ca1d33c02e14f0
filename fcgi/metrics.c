/*
 * GET /metrics: Prometheus text format (version 0.0.4). Queue, quota,
 * token and cursor figures come from the database through core/stats.c
 * (the same picture `ml-connector-ctl status` prints), so every worker
 * and host answers alike; webhook counts and the intake latency histogram
 * live in memory shared by the worker processes (mapped before they
 * fork), so a scrape that lands on any worker sees them all.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core.h"
#include "stats.h"
#include "app.h"

#define METRICS_MAX	(64 * 1024)

/* Histogram upper bounds in seconds; the last bucket is +Inf. */
static const double bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
};
#define NBOUNDS	(sizeof(bounds) / sizeof(bounds[0]))

static const int codes[] = { 200, 400, 401, 405, 413, 415, 422, 500, 503 };
#define NCODES	(sizeof(codes) / sizeof(codes[0]))

struct shm {
	atomic_ullong	 requests[2][NCODES + 1];	/* [v1|v2][code|other] */
	atomic_ullong	 bucket[NBOUNDS + 1];		/* cumulative at print */
	atomic_ullong	 count;
	atomic_ullong	 sum_us;
};

static struct shm	*shm;

int
metrics_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(struct shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	shm = p;	/* zero-filled by the kernel */
	return 0;
}

void
metrics_webhook(int v2, int status, int64_t usec)
{
	size_t	 i;

	if (shm == NULL)
		return;
	for (i = 0; i < NCODES && codes[i] != status; i++)
		continue;
	atomic_fetch_add(&shm->requests[v2 != 0][i], 1);
	for (i = 0; i < NBOUNDS && (double)usec / 1e6 > bounds[i]; i++)
		continue;
	atomic_fetch_add(&shm->bucket[i], 1);
	atomic_fetch_add(&shm->count, 1);
	atomic_fetch_add(&shm->sum_us, (unsigned long long)usec);
}

struct out {
	char	*buf;
	size_t	 len;
	int	 full;
};

static void ML_PRINTF(2, 3)
put(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, METRICS_MAX - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= METRICS_MAX - o->len)
		o->full = 1;
	else
		o->len += (size_t)n;
}

/* Label values come from our own enums and tables, but escape anyway. */
static const char *
label(const char *s, char *buf, size_t sz)
{
	size_t	 o = 0;

	for (; s != NULL && *s != '\0' && o + 3 < sz; s++) {
		if (*s == '"' || *s == '\\')
			buf[o++] = '\\';
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
			continue;
		}
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

/* Every family of the shared picture (core/stats.c), one printer. */
static void
from_stats(struct out *o, const struct stats *s)
{
	const struct stats_desc	*d;
	const struct stats_row	*row;
	char			 buf[128];
	size_t			 f, i, k;

	for (f = 0; f < STATS__MAX; f++) {
		d = stats_desc((enum stats_fam)f);
		put(o, "# HELP %s %s\n# TYPE %s %s\n", d->metric, d->help,
		    d->metric, d->type);
		for (i = 0; i < s->fam[f].n; i++) {
			row = &s->fam[f].rows[i];
			put(o, "%s{", d->metric);
			for (k = 0; d->labels[k] != NULL; k++)
				put(o, "%s%s=\"%s\"", k > 0 ? "," : "",
				    d->labels[k], label(row->label[k], buf,
				    sizeof(buf)));
			put(o, "} %lld\n", (long long)row->value);
		}
	}
	put(o, "# HELP ml_jobs_processed_total Job runs that succeeded.\n"
	    "# TYPE ml_jobs_processed_total counter\n"
	    "ml_jobs_processed_total %lld\n", (long long)s->processed);
	put(o, "# HELP ml_jobs_failed_total Job runs that failed.\n"
	    "# TYPE ml_jobs_failed_total counter\n"
	    "ml_jobs_failed_total %lld\n", (long long)s->failed);
	put(o, "# HELP ml_errors_24h Job runs that failed in the last 24 hours.\n"
	    "# TYPE ml_errors_24h gauge\nml_errors_24h %lld\n",
	    (long long)s->errors_24h);
	put(o, "# HELP ml_oldest_ready_job_seconds How long the oldest due "
	    "job has waited (-1: none due).\n"
	    "# TYPE ml_oldest_ready_job_seconds gauge\n"
	    "ml_oldest_ready_job_seconds %lld\n",
	    (long long)s->oldest_ready_s);
	put(o, "# HELP ml_queue_eta_seconds Ready jobs at the last 15 minutes' "
	    "rate (-1: unknown).\n# TYPE ml_queue_eta_seconds gauge\n"
	    "ml_queue_eta_seconds %lld\n", (long long)s->eta_s);
}

static void
from_shm(struct out *o)
{
	unsigned long long	 cum = 0;
	size_t			 i, v;

	if (shm == NULL)
		return;
	put(o, "# HELP ml_webhook_requests_total Webhook requests answered, "
	    "by API version and status code.\n"
	    "# TYPE ml_webhook_requests_total counter\n");
	for (v = 0; v < 2; v++)
		for (i = 0; i <= NCODES; i++) {
			if (i < NCODES)
				put(o, "ml_webhook_requests_total{api=\"v%zu\","
				    "code=\"%d\"} %llu\n", v + 1, codes[i],
				    atomic_load(&shm->requests[v][i]));
			else
				put(o, "ml_webhook_requests_total{api=\"v%zu\","
				    "code=\"other\"} %llu\n", v + 1,
				    atomic_load(&shm->requests[v][i]));
		}
	put(o, "# HELP ml_webhook_duration_seconds Time from a webhook's "
	    "arrival to our answer.\n"
	    "# TYPE ml_webhook_duration_seconds histogram\n");
	for (i = 0; i <= NBOUNDS; i++) {
		cum += atomic_load(&shm->bucket[i]);
		if (i < NBOUNDS)
			put(o, "ml_webhook_duration_seconds_bucket{le=\"%g\"} "
			    "%llu\n", bounds[i], cum);
		else
			put(o, "ml_webhook_duration_seconds_bucket{le=\"+Inf\"} "
			    "%llu\n", cum);
	}
	put(o, "ml_webhook_duration_seconds_sum %.6f\n",
	    (double)atomic_load(&shm->sum_us) / 1e6);
	put(o, "ml_webhook_duration_seconds_count %llu\n",
	    atomic_load(&shm->count));
}

void
metrics_get(struct req *r)
{
	struct out	 o = { NULL, 0, 0 };
	struct db	*db;
	struct stats	*st = NULL;
	enum core_err	 rc;

	if ((o.buf = malloc(METRICS_MAX)) == NULL) {
		req_error(r, 500, "internal", "out of memory");
		return;
	}
	db = dbpool_get(r->app->pool);
	rc = stats_load(db, &st);
	if (rc != CORE_OK)
		log_warnx("metrics: %s: %s", core_strerror(rc), db_error(db));
	dbpool_put(r->app->pool, db);
	if (rc != CORE_OK) {
		free(o.buf);
		req_error(r, 503, "unavailable", "database unavailable");
		return;
	}
	from_stats(&o, st);
	stats_free(st);
	from_shm(&o);
	put(&o, "# HELP ml_up 1 when this worker answers.\n"
	    "# TYPE ml_up gauge\nml_up 1\n");
	if (o.full)
		req_error(r, 500, "internal", "metrics too large");
	else
		req_reply(r, 200, "text/plain; version=0.0.4", o.buf, o.len);
	free(o.buf);
}
