/*
 * Group commit for webhook intake, leader style. A request thread
 * queues its event; if no commit is in flight it becomes the leader,
 * takes everything queued (its own event included), stores it with one
 * statement on a pooled connection (event_store_many), and wakes each
 * waiter. Events that arrive while a commit is in flight wait for the
 * next leader: the first of them, woken by the one before. Under light
 * load a batch is one event and costs a plain insert; under heavy load
 * one commit serves many, which is what a commit-bound MariaDB needs.
 *
 * Waiters sleep on their own semaphore, posted after the leader has let
 * go of the queue's mutex: a woken thread goes straight back to work
 * instead of blocking on a mutex its waker still holds (each avoided
 * sleep is a context switch, the largest cost per request here).
 */
#include "config.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

#include "core.h"
#include "app.h"

struct waiter {
	struct event_item	 item;
	enum core_err		 rc;
	int			 lead;		/* woken to lead, not done */
	sem_t			 sem;
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

/*
 * Take queued waiters, as many as event_batch_shape() allows of what is
 * queued (the rest lead off the next commit); called with b->mu held.
 */
static size_t
take(struct batcher *b, struct waiter **batch)
{
	struct waiter	*w;
	size_t		 n, want;

	for (want = 0, w = b->head; w != NULL && want < EVENT_BATCH_MAX;
	    w = w->next)
		want++;
	want = event_batch_shape(want);
	for (n = 0; n < want && b->head != NULL; n++) {
		batch[n] = b->head;
		b->head = b->head->next;
	}
	if (b->head == NULL)
		b->tail = &b->head;
	return n;
}

/*
 * Commit a batch (the leader's own waiter is batch[0]), then wake the
 * others and, if more queued meanwhile, the first of those to lead.
 * Called with b->mu held and b->busy set; returns with b->mu released.
 */
static void
lead(struct batcher *b, struct dbpool *pool)
{
	struct db		*db;
	struct waiter		*batch[EVENT_BATCH_MAX], *next;
	struct event_item	 items[EVENT_BATCH_MAX];
	enum core_err		 rc;
	size_t			 n, i;

	n = take(b, batch);
	pthread_mutex_unlock(&b->mu);

	for (i = 0; i < n; i++)
		items[i] = batch[i]->item;
	db = dbpool_get(pool);
	rc = event_store_many(db, items, n);
	if (rc != CORE_OK)
		log_warnx("committing %zu event%s: %s (%s)", n,
		    n == 1 ? "" : "s", core_strerror(rc), db_error(db));
	dbpool_put(pool, db);

	for (i = 0; i < n; i++) {
		batch[i]->item.id = items[i].id;
		batch[i]->item.duplicate = items[i].duplicate;
		batch[i]->rc = rc;
	}
	pthread_mutex_lock(&b->mu);
	/* Whoever queued meanwhile leads the next commit. */
	if ((next = b->head) != NULL)
		next->lead = 1;
	else
		b->busy = 0;
	pthread_mutex_unlock(&b->mu);
	/* The next commit first: it can start on another CPU while we wake
	 * the others. batch[0] is the caller: it needs no wake-up. */
	if (next != NULL)
		(void)sem_post(&next->sem);
	for (i = 1; i < n; i++)
		(void)sem_post(&batch[i]->sem);
}

enum core_err
batch_store(struct batcher *b, struct dbpool *pool,
    const struct event_in *in, int64_t *id, int *duplicate)
{
	struct waiter	 w;

	memset(&w, 0, sizeof(w));
	w.item.in = *in;
	if (sem_init(&w.sem, 0, 0) != 0)
		return CORE_ENOMEM;
	pthread_mutex_lock(&b->mu);
	*b->tail = &w;
	b->tail = &w.next;
	if (!b->busy) {
		b->busy = 1;
		lead(b, pool);
	} else {
		pthread_mutex_unlock(&b->mu);
		/* Woken once: either done, or to lead (our event included). */
		while (sem_wait(&w.sem) == -1)
			;	/* EINTR: the shutdown poke; we still need our answer */
		if (w.lead) {
			pthread_mutex_lock(&b->mu);
			lead(b, pool);
		}
	}
	(void)sem_destroy(&w.sem);
	*id = w.item.id;
	*duplicate = w.item.duplicate;
	return w.rc;
}
