/*
 * GET /metrics: Prometheus text format (version 0.0.4). Queue, quota,
 * token and cursor figures come from the database, so every worker and
 * host answers alike; webhook counts and the intake latency histogram
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

/*
 * Figures read straight from a query: the leading columns are the label
 * values (names in labels[], NULL-terminated), the last one the value.
 */
static const struct family {
	const char	*name;
	const char	*type;
	const char	*help;
	const char	*sql;
	const char	*labels[3];
} families[] = {
	{ "ml_jobs", "gauge",
	  "Jobs in the queue by state and error class.",
	  "SELECT state, error_class, COUNT(*) FROM jobs "
	  "GROUP BY state, error_class", { "state", "class", NULL } },
	{ "ml_job_attempts_total", "counter",
	  "Job attempts by outcome (ok, or the error class).",
	  "SELECT outcome, COUNT(*) FROM audit WHERE job_id IS NOT NULL "
	  "GROUP BY outcome", { "outcome", NULL } },
	{ "ml_events", "gauge",
	  "Webhook events stored, by source and state.",
	  "SELECT source, state, COUNT(*) FROM events GROUP BY source, state",
	  { "source", "state", NULL } },
	{ "ml_shipstation_calls_left", "gauge",
	  "Calls left in the current ShipStation window "
	  "(last X-Rate-Limit-Remaining; -1 unknown).",
	  "SELECT LEFT(api_key_hash, 12), COALESCE(remaining, -1) FROM quota",
	  { "key", NULL } },
	{ "ml_shipstation_window_reset_seconds", "gauge",
	  "Seconds until the ShipStation rate window resets.",
	  "SELECT LEFT(api_key_hash, 12), GREATEST(0, (reset_ms - "
	  "UNIX_TIMESTAMP(NOW(3)) * 1000) / 1000) FROM quota", { "key", NULL } },
	{ "ml_x3_token_seconds_left", "gauge",
	  "Seconds until the cached X3 token expires.",
	  "SELECT name, TIMESTAMPDIFF(SECOND, NOW(6), expires_at) FROM tokens "
	  "WHERE expires_at IS NOT NULL", { "name", NULL } },
	{ "ml_poll_cursor_lag_seconds", "gauge",
	  "Seconds since each poll cursor last advanced.",
	  "SELECT name, TIMESTAMPDIFF(SECOND, COALESCE(last_ok_at, "
	  "'1970-01-01'), NOW(6)) FROM cursors", { "cursor", NULL } },
};

static int
print_family(struct out *o, struct db *db, const struct family *f)
{
	struct db_rows	*r = NULL;
	char		 buf[128];
	const char	*v;
	size_t		 i, k;

	if (db_select(db, f->sql, DB_NOPARAMS, &r) != CORE_OK)
		return -1;
	put(o, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
	    f->type);
	for (i = 0; i < r->nrows; i++) {
		put(o, "%s{", f->name);
		for (k = 0; f->labels[k] != NULL; k++)
			put(o, "%s%s=\"%s\"", k > 0 ? "," : "", f->labels[k],
			    label(db_rows_get(r, i, k), buf, sizeof(buf)));
		v = db_rows_get(r, i, k);
		put(o, "} %s\n", v != NULL ? v : "0");
	}
	db_rows_free(r);
	return 0;
}

static int
from_db(struct out *o, struct db *db)
{
	size_t	 i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (print_family(o, db, &families[i]) == -1)
			return -1;
	return 0;
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
	int		 rc;

	if ((o.buf = malloc(METRICS_MAX)) == NULL) {
		req_error(r, 500, "internal", "out of memory");
		return;
	}
	db = dbpool_get(r->app->pool);
	rc = from_db(&o, db);
	if (rc == -1)
		log_warnx("metrics: %s", db_error(db));
	dbpool_put(r->app->pool, db);
	if (rc == -1) {
		free(o.buf);
		req_error(r, 503, "unavailable", "database unavailable");
		return;
	}
	from_shm(&o);
	put(&o, "# HELP ml_up 1 when this worker answers.\n"
	    "# TYPE ml_up gauge\nml_up 1\n");
	if (o.full)
		req_error(r, 500, "internal", "metrics too large");
	else
		req_reply(r, 200, "text/plain; version=0.0.4", o.buf, o.len);
	free(o.buf);
}
