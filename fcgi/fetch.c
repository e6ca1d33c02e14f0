/*
 * The fetcher: one thread per worker process that, right after the
 * acknowledgement, queues the fetch job of each event the request
 * threads accepted (one statement for all that arrived meanwhile) and
 * runs the fetches the shared quota allows now. Request threads only
 * post the event id and go back to accepting; they never wait on the
 * database a second time, on ShipStation or on its quota.
 *
 * The queue is a convenience, not a record: an event is durable before
 * it is posted, and whatever this thread never gets to (queue full,
 * quota spent, shutdown, crash) the poller's sweep (event_sweep) queues
 * a few seconds later. While the quota is known to be spent, posting
 * does not even wake this thread: in a burst of webhooks the fetches
 * could not run anyway, and the sweep queues their jobs in bulk.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core.h"
#include "app.h"

#define FETCH_QUEUE	256

struct fetcher {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int64_t			 q[FETCH_QUEUE];
	size_t			 head, len;
	int			 stopping;
	_Atomic int64_t		 busy_until;	/* clk ms: no call free before */
	struct app		 app;		/* the thread's db and client */
};

/* Queue the jobs of ids[0..n), then fetch while the quota lets us. */
static void
handle(struct fetcher *f, const int64_t *ids, size_t n)
{
	enum core_err	 rc;
	size_t		 i;

	rc = event_queue_fetches(f->app.db, ids, n);
	if (rc != CORE_OK) {
		log_warnx("queueing %zu fetch job%s: %s (%s); the poller's "
		    "sweep will", n, n == 1 ? "" : "s", core_strerror(rc),
		    db_error(f->app.db));
		return;
	}
	for (i = 0; i < n; i++) {
		app_after_reply(&f->app, ids[i]);
		log_set_id(NULL);
		atomic_store(&f->busy_until, f->app.quota_busy_until);
		if (clk_now_ms() < f->app.quota_busy_until)
			break;	/* the poller runs the rest when it can */
	}
}

static void *
run(void *arg)
{
	struct fetcher	*f = arg;
	int64_t		 ids[FETCH_QUEUE];
	size_t		 n;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (f->len == 0 && !f->stopping)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stopping)
			break;	/* the rest is the sweep's */
		for (n = 0; f->len > 0; n++) {
			ids[n] = f->q[f->head];
			f->head = (f->head + 1) % FETCH_QUEUE;
			f->len--;
		}
		pthread_mutex_unlock(&f->mu);
		handle(f, ids, n);
		pthread_mutex_lock(&f->mu);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

struct fetcher *
fetch_start(const struct cfg *cfg)
{
	struct fetcher	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	atomic_init(&f->busy_until, 0);
	if (app_init(&f->app, cfg, 1) == -1 ||
	    pthread_mutex_init(&f->mu, NULL) != 0 ||
	    pthread_cond_init(&f->cv, NULL) != 0 ||
	    pthread_create(&f->th, NULL, run, f) != 0) {
		app_free(&f->app);
		free(f);
		return NULL;
	}
	return f;
}

/* Stop after the work in hand; queued ids are left to the sweep. */
void
fetch_stop(struct fetcher *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	f->stopping = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->th, NULL);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	app_free(&f->app);
	free(f);
}

void
fetch_post(struct fetcher *f, int64_t event_id)
{
	if (clk_now_ms() < atomic_load(&f->busy_until))
		return;		/* no call free: the sweep queues it */
	pthread_mutex_lock(&f->mu);
	if (f->len < FETCH_QUEUE) {
		f->q[(f->head + f->len) % FETCH_QUEUE] = event_id;
		/* Already awake with work: no need to signal again. */
		if (f->len++ == 0)
			pthread_cond_signal(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
}
