/*
 * Group commit for webhook intake, leader style. A request thread
 * queues its event; if no commit is in flight it becomes the leader,
 * takes everything queued (its own event included), commits it in one
 * transaction on a pooled connection (event_store_many), and wakes each
 * waiter on that waiter's own condition variable. Events that arrive
 * while a commit is in flight wait for the next leader: under light
 * load a batch is one event and costs a plain insert; under heavy load
 * one commit serves many events, which is what a commit-bound MariaDB
 * needs. No extra thread, no hand-off, no thundering herd.
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
	pthread_cond_t		 cv;
	struct waiter		*next;
};

struct batcher {
	pthread_mutex_t		 mu;
	struct waiter		*head;
	struct waiter		**tail;
	int			 busy;		/* a leader is committing */
};

struct batcher *
batch_start(const struct cfg *cfg)
{
	struct batcher	*b;

	(void)cfg;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->tail = &b->head;
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		free(b);
		return NULL;
	}
	return b;
}

void
batch_stop(struct batcher *b)
{
	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->mu);
	free(b);
}

/* Called with b->mu held: commit what is queued, then hand over. */
static void
lead(struct batcher *b, struct dbpool *pool)
{
	struct db		*db;
	struct waiter		*batch[EVENT_BATCH_MAX];
	struct event_item	 items[EVENT_BATCH_MAX];
	enum core_err		 rc;
	size_t			 n, i;

	b->busy = 1;
	for (n = 0; n < EVENT_BATCH_MAX && b->head != NULL; n++) {
		batch[n] = b->head;
		b->head = b->head->next;
	}
	if (b->head == NULL)
		b->tail = &b->head;
	pthread_mutex_unlock(&b->mu);

	for (i = 0; i < n; i++)
		items[i] = batch[i]->item;
	db = dbpool_get(pool);
	rc = event_store_many(db, items, n);
	if (rc != CORE_OK)
		log_warnx("committing %zu event%s: %s (%s)", n,
		    n == 1 ? "" : "s", core_strerror(rc), db_error(db));
	dbpool_put(pool, db);

	pthread_mutex_lock(&b->mu);
	for (i = 0; i < n; i++) {
		batch[i]->item.id = items[i].id;
		batch[i]->item.duplicate = items[i].duplicate;
		batch[i]->rc = rc;
		batch[i]->done = 1;
		pthread_cond_signal(&batch[i]->cv);
	}
	b->busy = 0;
	/* Whoever queued meanwhile leads the next commit. */
	if (b->head != NULL)
		pthread_cond_signal(&b->head->cv);
}

enum core_err
batch_store(struct batcher *b, struct dbpool *pool,
    const struct event_in *in, int64_t *id, int *duplicate)
{
	struct waiter	 w;

	memset(&w, 0, sizeof(w));
	w.item.in = *in;
	if (pthread_cond_init(&w.cv, NULL) != 0)
		return CORE_ENOMEM;
	pthread_mutex_lock(&b->mu);
	*b->tail = &w;
	b->tail = &w.next;
	while (!w.done) {
		if (!b->busy)
			lead(b, pool);
		else
			pthread_cond_wait(&w.cv, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	pthread_cond_destroy(&w.cv);
	*id = w.item.id;
	*duplicate = w.item.duplicate;
	return w.rc;
}
