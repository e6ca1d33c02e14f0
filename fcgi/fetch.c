/*
 * The fetcher: one thread per worker process that fetches, right after
 * the acknowledgement, the resource of each event the request threads
 * accepted. Request threads only post the event id and go back to
 * accepting; they never wait on ShipStation or its quota. The queue is
 * a convenience, not a record: every posted event already has its
 * fetch job committed, so an id dropped here (queue full, shutdown,
 * crash) is fetched by the poller instead.
 */
#include "config.h"

#include <pthread.h>
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
	struct app		 app;		/* the thread's db and client */
};

static void *
run(void *arg)
{
	struct fetcher	*f = arg;
	int64_t		 id;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (f->len == 0 && !f->stopping)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stopping)
			break;	/* the rest is the poller's */
		id = f->q[f->head];
		f->head = (f->head + 1) % FETCH_QUEUE;
		f->len--;
		pthread_mutex_unlock(&f->mu);
		app_after_reply(&f->app, id);
		log_set_id(NULL);
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

/* Stop after the fetch in hand; queued ids are left to the poller. */
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
	pthread_mutex_lock(&f->mu);
	if (f->len < FETCH_QUEUE) {
		f->q[(f->head + f->len) % FETCH_QUEUE] = event_id;
		f->len++;
		pthread_cond_signal(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
}
