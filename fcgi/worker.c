/*
 * One worker process: T request threads accepting on the shared
 * socket, sharing a small pool of database connections (dbpool.c) and
 * a group commit (batch.c); one fetcher thread fetching acknowledged
 * events' resources from ShipStation (fetch.c). Threads share nothing
 * else; a crash still costs only this process, which the supervisor
 * replaces.
 *
 * Shutdown: the main thread waits for SIGTERM/SIGINT, then interrupts
 * every request thread with SIGUSR1 (accept(2) and reads return EINTR;
 * a request in progress is finished first) and joins them.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <malloc.h>

#include <fcgiapp.h>

#include "core.h"
#include "app.h"

#define STOP_POKE_MS	100	/* re-send SIGUSR1 until every thread quits */

static volatile sig_atomic_t	 stopping;

struct rthread {
	pthread_t		 th;
	int			 fd;
	const struct cfg	*cfg;
	struct batcher		*batch;
	struct dbpool		*pool;
	struct fetcher		*fetch;
	int			 running;
	int			 failed;	/* could not initialise */
};

/* Async-signal-safe: libfcgi's accept loop checks the same flag. */
void
worker_stop(void)
{
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
on_poke(int sig)
{
	(void)sig;	/* only here to interrupt a blocking call */
}

static void *
rthread_main(void *arg)
{
	struct rthread	*t = arg;
	FCGX_Request	 fr;
	struct req	 r;
	struct app	 app;
	int64_t		 after;

	if (app_init(&app, t->cfg, 0) == -1) {
		log_warnx("cannot initialise a request thread");
		t->failed = 1;
		return NULL;
	}
	app.batch = t->batch;
	app.pool = t->pool;
	app.fetch = t->fetch;
	if (FCGX_InitRequest(&fr, t->fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		app_free(&app);
		t->failed = 1;
		return NULL;
	}
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		if (req_init(&r, &fr, &app) == 0)
			router_dispatch(&r);
		/* Never the path: a V1 webhook path carries its secret. */
		log_debug("%s %d", r.method_name, r.status);
		after = r.after_event;
		req_free(&r);
		/* The sender has its answer before we fetch anything. */
		FCGX_Finish_r(&fr);
		if (after > 0) {
			if (getenv("ML_FAILPOINT_EXIT_AFTER_ACK") != NULL)
				_exit(3);	/* tests: crash after commit */
			fetch_post(app.fetch, after);
		}
		log_set_id(NULL);
	}
	FCGX_Free(&fr, 1);
	app_free(&app);
	return NULL;
}

int
worker_run(int listen_fd, const struct cfg *cfg)
{
	struct sigaction	 sa;
	sigset_t		 stopset, pokeset;
	struct rthread		*t;
	struct batcher		*b;
	struct dbpool		*pool;
	struct fetcher		*f;
	struct timespec		 ts;
	int			 n = cfg->fcgi.threads, i, left, sig, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	/* One malloc arena per thread would multiply our RSS for nothing:
	 * request threads allocate little and briefly. */
	(void)mallopt(M_ARENA_MAX, 2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_poke;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the poke must interrupt accept(2) and read(2). */
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		fatal("sigaction");
	/* Only the main thread takes SIGTERM/SIGINT (sigwait below). */
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &stopset, NULL) != 0)
		fatalx("pthread_sigmask");

	if ((b = batch_start(cfg)) == NULL)
		fatalx("cannot start the batcher");
	if ((pool = dbpool_new(cfg)) == NULL)
		fatalx("cannot set up database connections");
	if ((f = fetch_start(cfg)) == NULL)
		fatalx("cannot start the fetcher");
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL)
		fatalx("out of memory");
	for (i = 0; i < n; i++) {
		t[i].fd = listen_fd;
		t[i].cfg = cfg;
		t[i].batch = b;
		t[i].pool = pool;
		t[i].fetch = f;
		if (pthread_create(&t[i].th, NULL, rthread_main, &t[i]) != 0)
			fatalx("cannot start request thread %d", i);
		t[i].running = 1;
	}
	/* While waiting, SIGUSR1 stays blocked here: it is for threads. */
	sigemptyset(&pokeset);
	sigaddset(&pokeset, SIGUSR1);
	(void)pthread_sigmask(SIG_BLOCK, &pokeset, NULL);
	for (;;) {
		ts.tv_sec = 1;
		ts.tv_nsec = 0;
		sig = sigtimedwait(&stopset, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		/* Every thread failed to start: exit so we get replaced. */
		for (i = left = 0; i < n; i++)
			left += !t[i].failed;
		if (left == 0) {
			rc = 1;
			break;
		}
	}
	worker_stop();
	for (;;) {
		for (i = left = 0; i < n; i++) {
			if (!t[i].running)
				continue;
			if (pthread_tryjoin_np(t[i].th, NULL) == 0) {
				t[i].running = 0;
				continue;
			}
			(void)pthread_kill(t[i].th, SIGUSR1);
			left++;
		}
		if (left == 0)
			break;
		ts.tv_sec = 0;
		ts.tv_nsec = STOP_POKE_MS * 1000000L;
		(void)nanosleep(&ts, NULL);
	}
	batch_stop(b);
	fetch_stop(f);
	dbpool_free(pool);
	free(t);
	return rc;
}
