/*
 * ml-connector.fcgi: takes webhook POSTs and serves the admin UI.
 *
 * Process model: a small supervisor forks N workers, each with T request
 * threads, that all accept on one listening socket (inherited on fd 0
 * from systemd, spawn-fcgi or mod_fcgid, or opened with -s), and
 * replaces a worker that dies. With 0 workers there is no supervisor:
 * this process serves, which is what mod_fcgid (it manages processes
 * itself) and debuggers expect. See docs/ARCHITECTURE.md.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core.h"
#include "app.h"

#define STOP_GRACE	10	/* seconds workers get to finish */

static void
usage(void)
{
	fprintf(stderr, "usage: ml-connector.fcgi [-dnv] [-f file] "
	    "[-s socket] [-w workers]\n");
	exit(1);
}

static pid_t
spawn(int fd, const struct cfg *cfg, const sigset_t *old)
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid == 0) {
		if (sigprocmask(SIG_SETMASK, old, NULL) == -1)
			fatal("sigprocmask");
		exit(worker_run(fd, cfg));
	}
	return pid;
}

/* Keep n workers alive until SIGTERM/SIGINT, then stop them gracefully. */
static int
supervise(int fd, const struct cfg *cfg, int n)
{
	sigset_t	 set, old;
	pid_t		*kids, pid;
	time_t		*born, now;
	struct timespec	 tick = { 1, 0 };
	int		 i, sig, status, alive, stopping = 0;
	time_t		 deadline = 0;

	if ((kids = calloc((size_t)n, sizeof(*kids))) == NULL ||
	    (born = calloc((size_t)n, sizeof(*born))) == NULL)
		fatalx("out of memory");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &old) == -1)
		fatal("sigprocmask");
	for (;;) {
		now = time(NULL);
		alive = 0;
		for (i = 0; i < n; i++) {
			if (kids[i] > 0) {
				alive++;
				continue;
			}
			/* Respawn, but not faster than once a second. */
			if (stopping || now - born[i] < 1)
				continue;
			born[i] = now;
			if ((kids[i] = spawn(fd, cfg, &old)) > 0)
				alive++;
		}
		if (stopping && alive == 0)
			break;
		if (stopping && now >= deadline) {
			log_warnx("workers did not stop in %d s; killing",
			    STOP_GRACE);
			for (i = 0; i < n; i++)
				if (kids[i] > 0)
					(void)kill(kids[i], SIGKILL);
			deadline = now + STOP_GRACE;
		}
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("stopping %d workers", alive);
				stopping = 1;
				deadline = time(NULL) + STOP_GRACE;
				for (i = 0; i < n; i++)
					if (kids[i] > 0)
						(void)kill(kids[i], SIGTERM);
			}
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < n; i++)
				if (kids[i] == pid)
					kids[i] = 0;
			if (!stopping)
				log_warnx("worker %ld exited (status %d); "
				    "restarting", (long)pid, status);
		}
	}
	free(kids);
	free(born);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*file = ML_CONFIG_DEFAULT, *listen = NULL;
	struct cfg	*cfg;
	int		 ch, checkonly = 0, fg = 0, verbose = 0, workers = -1;
	int		 fd = 0, rc;
	char		*end;
	long		 v;

	while ((ch = getopt(argc, argv, "df:ns:vw:")) != -1) {
		switch (ch) {
		case 'd':
			fg = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 's':
			listen = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 0 ||
			    v > ML_FCGI_WORKERS_MAX)
				usage();
			workers = (int)v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("ml-connector.fcgi", fg || checkonly, verbose);
	if (cfg_load(file, &cfg) != CORE_OK)
		return 1;
	if (checkonly) {
		printf("configuration OK\n");
		cfg_free(cfg);
		return 0;
	}
	if (listen == NULL)
		listen = cfg->fcgi.listen;
	if (workers == -1)
		workers = cfg->fcgi.workers;
	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	/* Before the fork, so that every worker shares the counters. */
	if (metrics_init() == -1)
		fatal("mmap for metrics");
	/* Before the fork too: workers share the libraries' set-up pages
	 * (and curl_global_init must run while we have one thread). */
	if (http_global_init() != CORE_OK || db_global_init() != CORE_OK)
		fatalx("cannot initialise libcurl or the MariaDB client");
	hash_warm_up();
	if (listen != NULL) {
		if ((fd = FCGX_OpenSocket(listen, ML_FCGI_BACKLOG)) < 0)
			fatalx("cannot listen on %s", listen);
		/* The web server's user must reach it; protect the dir. */
		if (listen[0] == '/' && chmod(listen, 0666) == -1)
			fatal("chmod %s", listen);
	} else if (FCGX_IsCGI())
		fatalx("fd 0 is not a listening socket: start under a "
		    "FastCGI server (systemd, spawn-fcgi, mod_fcgid) or "
		    "use -s");
	if (workers == 0)
		log_info("serving %s in this process (no supervisor)",
		    listen ? listen : "fd 0");
	else
		log_info("serving %s with %d worker%s", listen ? listen :
		    "fd 0", workers, workers == 1 ? "" : "s");
	rc = workers == 0 ? worker_run(fd, cfg) : supervise(fd, cfg, workers);
	cfg_free(cfg);
	return rc;
}
