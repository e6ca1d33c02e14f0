/*
 * A worker's database connections, shared by its request threads. A
 * request thread needs a connection only for a moment (a health check,
 * or leading a group commit); the other threads of a batch just wait
 * for the leader. So a couple of connections serve all of them, and the
 * process stays small.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "core.h"
#include "app.h"

struct dbpool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct db		*conns[ML_FCGI_DB_CONNS];
	int			 busy[ML_FCGI_DB_CONNS];
};

struct dbpool *
dbpool_new(const struct cfg *cfg)
{
	struct dbpool	*p;
	size_t		 i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	for (i = 0; i < ML_FCGI_DB_CONNS; i++)
		if ((p->conns[i] = db_new(&cfg->db)) == NULL)
			goto fail;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	return p;
fail:
	for (i = 0; i < ML_FCGI_DB_CONNS; i++)
		db_free(p->conns[i]);
	free(p);
	return NULL;
}

void
dbpool_free(struct dbpool *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < ML_FCGI_DB_CONNS; i++)
		db_free(p->conns[i]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Borrow a connection, waiting for one to be free. Give it back with
 * dbpool_put(). */
struct db *
dbpool_get(struct dbpool *p)
{
	struct db	*db = NULL;
	size_t		 i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		for (i = 0; i < ML_FCGI_DB_CONNS; i++)
			if (!p->busy[i]) {
				p->busy[i] = 1;
				db = p->conns[i];
				break;
			}
		if (db != NULL)
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return db;
}

void
dbpool_put(struct dbpool *p, struct db *db)
{
	size_t	 i;

	pthread_mutex_lock(&p->mu);
	for (i = 0; i < ML_FCGI_DB_CONNS; i++)
		if (p->conns[i] == db)
			p->busy[i] = 0;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
