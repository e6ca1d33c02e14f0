/*
 * Group commit for webhook intake. Request threads hand their event to
 * the process's batcher and wait; the batcher commits everything that
 * queued up while it was busy in one transaction (event_store_many),
 * then wakes each waiter with its own result. Under light load a batch
 * is one event and costs what a direct insert costs; under heavy load
 * one commit serves many events, which is what a commit-bound MariaDB
 * needs (docs/ARCHITECTURE.md, "Webhook intake").
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "core.h"
#include "app.h"

struct waiter {
	struct event_item	 item;
	enum core_err		 rc;
	int			 done;
	struct waiter		*next;
};

struct batcher {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* queue not empty, or stop */
	pthread_cond_t		 done;		/* some waiter is done */
	struct waiter		*head;
	struct waiter		**tail;
	int			 stopping;
	struct db		*db;
};

static void *
run(void *arg)
{
	struct batcher		*b = arg;
	struct waiter		*batch[EVENT_BATCH_MAX], *w;
	struct event_item	 items[EVENT_BATCH_MAX];
	enum core_err		 rc;
	size_t			 n, i;

	log_set_id("batcher");
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->head == NULL && !b->stopping)
			pthread_cond_wait(&b->work, &b->mu);
		if (b->head == NULL && b->stopping)
			break;
		for (n = 0; n < EVENT_BATCH_MAX && b->head != NULL; n++) {
			batch[n] = b->head;
			b->head = b->head->next;
		}
		if (b->head == NULL)
			b->tail = &b->head;
		pthread_mutex_unlock(&b->mu);

		for (i = 0; i < n; i++)
			items[i] = batch[i]->item;
		rc = event_store_many(b->db, items, n);
		if (rc != CORE_OK)
			log_warnx("committing %zu event%s: %s (%s)", n,
			    n == 1 ? "" : "s", core_strerror(rc),
			    db_error(b->db));

		pthread_mutex_lock(&b->mu);
		for (i = 0; i < n; i++) {
			w = batch[i];
			w->item.id = items[i].id;
			w->item.duplicate = items[i].duplicate;
			w->rc = rc;
			w->done = 1;
		}
		pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

struct batcher *
batch_start(const struct cfg *cfg)
{
	struct batcher	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->tail = &b->head;
	if ((b->db = db_new(&cfg->db)) == NULL ||
	    pthread_mutex_init(&b->mu, NULL) != 0 ||
	    pthread_cond_init(&b->work, NULL) != 0 ||
	    pthread_cond_init(&b->done, NULL) != 0 ||
	    pthread_create(&b->th, NULL, run, b) != 0) {
		db_free(b->db);
		free(b);
		return NULL;
	}
	return b;
}

/* Finish what is queued, then stop the thread and free everything. */
void
batch_stop(struct batcher *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	b->stopping = 1;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->th, NULL);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->done);
	pthread_mutex_destroy(&b->mu);
	db_free(b->db);
	free(b);
}

enum core_err
batch_store(struct batcher *b, const struct event_in *in, int64_t *id,
    int *duplicate)
{
	struct waiter	 w;

	memset(&w, 0, sizeof(w));
	w.item.in = *in;
	pthread_mutex_lock(&b->mu);
	*b->tail = &w;
	b->tail = &w.next;
	pthread_cond_signal(&b->work);
	while (!w.done)
		pthread_cond_wait(&b->done, &b->mu);
	pthread_mutex_unlock(&b->mu);
	*id = w.item.id;
	*duplicate = w.item.duplicate;
	return w.rc;
}
