/*
 * One worker process: accept a request, answer it, release everything
 * it owned, repeat. Each worker has its own database connection and no
 * threads, so a crash takes down one request, not the service.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <fcgiapp.h>

#include "core.h"
#include "app.h"

static volatile sig_atomic_t	 stopping;

/* Async-signal-safe: libfcgi's accept loop checks the same flag. */
void
worker_stop(void)
{
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
on_term(int sig)
{
	(void)sig;
	worker_stop();
}

int
worker_run(int listen_fd, const struct cfg *cfg)
{
	struct sigaction	 sa;
	FCGX_Request		 fr;
	struct req		 r;
	struct db		*db;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must interrupt accept(2). */
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction");
	signal(SIGPIPE, SIG_IGN);

	if ((db = db_new(&cfg->db)) == NULL)
		fatalx("out of memory");
	if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		fatalx("FCGX_InitRequest failed");
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		if (req_init(&r, &fr, cfg, db) == 0)
			router_dispatch(&r);
		log_debug("%s %s %d", r.method_name, r.path ? r.path : "-",
		    r.status);
		req_free(&r);
		FCGX_Finish_r(&fr);
		log_set_id(NULL);
	}
	FCGX_Free(&fr, 1);
	db_free(db);
	return 0;
}
