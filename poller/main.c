/*
 * ml-poller: runs the job queue (and, as the sync engine grows, the
 * poll loops and token refresh). Stays in the foreground; systemd,
 * cron (--once) or a terminal supervises it.
 *
 * SIGTERM and SIGINT are blocked while work is in hand and read with
 * sigtimedwait(2) between jobs: a job that has started finishes and
 * commits, then the poller exits.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "poll.h"
#include "purge.h"
#include "reconcile.h"
#include "sync_ship.h"

static sigset_t	 stopset;
static int	 stopping;	/* a stop signal was consumed */

static void
usage(void)
{
	fprintf(stderr, "usage: ml-poller [-dnv] [-f file] [--once]\n");
	exit(1);
}

/* Has SIGTERM or SIGINT arrived? Consumes it, and stays true (the
 * polls ask, then the queue asks again). */
static int
stop_pending(void)
{
	struct timespec	 zero = { 0, 0 };
	int		 sig;

	if (stopping)
		return 1;
	sig = sigtimedwait(&stopset, NULL, &zero);
	stopping = sig == SIGTERM || sig == SIGINT;
	return stopping;
}

/* Wait up to secs for a stop signal. 1 if one came. */
static int
wait_stop(int secs)
{
	struct timespec	 t = { secs, 0 };
	int		 sig;

	sig = sigtimedwait(&stopset, NULL, &t);
	return sig == SIGTERM || sig == SIGINT;
}

/*
 * Cron mode: at most one --once run at a time per lock file (per host).
 * flock(2) on poller.lock_file rather than MariaDB's GET_LOCK: the kernel
 * drops the lock when the process ends however it ends (no stale lock
 * after SIGKILL or the OOM killer); it needs no database, so runs do not
 * queue up behind a server that is away; and it cannot vanish mid-run,
 * whereas a GET_LOCK dies silently with its connection when db.c
 * reconnects. Per host on purpose: pollers on other hosts share the queue
 * through SKIP LOCKED leases and need no exclusion from each other.
 * Returns the locked descriptor (kept open until exit), -2 when another
 * run holds the lock, -1 on error (logged).
 */
static int
lock_take(const char *path)
{
	int	 fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		log_warn("cannot open lock file %s (see poller.lock_file)",
		    path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			close(fd);
			return -2;
		}
		log_warn("cannot lock %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Run due jobs until none is left or a stop is requested.
 * Returns 1 when asked to stop, 0 when idle, -1 when the database is away.
 */
static int
drain(const struct jobrun_ctx *ctx, const char *owner)
{
	struct job	*j;
	enum core_err	 rc;

	for (;;) {
		if (stop_pending())
			return 1;
		rc = job_claim(ctx->db, owner, ctx->cfg->poller.lease,
		    jobrun_kinds_ctx(ctx), &j);
		if (rc == CORE_ENOTFOUND)
			return 0;
		if (rc != CORE_OK) {
			log_warnx("claiming a job: %s (%s)", core_strerror(rc),
			    db_error(ctx->db));
			return -1;
		}
		jobrun_run(ctx, j, owner, "poller");
		job_free(j);
	}
}

/*
 * Queue the fetch of webhook events that have none (their worker was
 * busy with a spent quota, or died after the answer). *mark: the last
 * event id this process swept.
 */
static void
sweep(const struct jobrun_ctx *ctx, int64_t *mark)
{
	uint64_t	 n;
	enum core_err	 rc;

	rc = event_sweep(ctx->db, ctx->cfg->hooks.sweep_after, mark, &n);
	if (rc != CORE_OK)
		log_warnx("sweeping webhook events: %s (%s)",
		    core_strerror(rc), db_error(ctx->db));
	else if (n > 0)
		log_info("queued the fetch of %llu webhook event%s",
		    (unsigned long long)n, n == 1 ? "" : "s");
}

/* Purge old rows when it is this poller's turn (any host's). */
static void
retention(const struct jobrun_ctx *ctx)
{
	struct purge_result	 res;
	enum core_err		 rc;
	int			 ran;

	rc = purge_due(ctx->db, &ctx->cfg->retention, &res, &ran);
	if (rc != CORE_OK)
		log_warnx("purge: %s (%s)", core_strerror(rc),
		    db_error(ctx->db));
	else if (ran)
		log_info("purge: deleted %llu events, %llu audit rows, "
		    "%llu jobs", (unsigned long long)res.events,
		    (unsigned long long)res.audit,
		    (unsigned long long)res.jobs);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*file = ML_CONFIG_DEFAULT;
	struct cfg	*cfg;
	struct jobrun_ctx ctx;
	char		 host[64], owner[96];
	int		 ch, checkonly = 0, fg = 0, verbose = 0, once = 0, st;
	int		 lockfd = -1;
	int64_t		 lastpoll = 0, now, swept = 0;

	while ((ch = getopt_long(argc, argv, "df:nv", longopts, NULL)) != -1) {
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
		case 'o':
			once = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("ml-poller", fg || checkonly, verbose);
	if (cfg_load(file, &cfg) != CORE_OK)
		return 1;
	if (checkonly) {
		printf("configuration OK\n");
		cfg_free(cfg);
		return 0;
	}
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stopset, NULL) == -1)
		fatal("sigprocmask");
	signal(SIGPIPE, SIG_IGN);

	if (once && (lockfd = lock_take(cfg->poller.lock_file)) < 0) {
		if (lockfd == -2)
			log_info("another poller run holds the lock; skipping");
		cfg_free(cfg);
		return lockfd == -2 ? 0 : 1;
	}

	if (gethostname(host, sizeof(host)) == -1)
		(void)snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(owner, sizeof(owner), "%s:%ld", host, (long)getpid());
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	if ((ctx.db = db_new(&cfg->db)) == NULL)
		fatalx("out of memory");
	if (cfg->ss.enabled && ss_new(&cfg->ss, ctx.db, &ctx.ss) != CORE_OK)
		fatalx("cannot start the ShipStation client");
	if (cfg->x3.enabled && x3_new(&cfg->x3, ctx.db, &ctx.x3) != CORE_OK)
		fatalx("cannot start the X3 client");
	log_info("started as %s%s", owner, once ? " (once)" : "");

	for (;;) {
		/* Jobs held for a mapping that has since appeared. */
		if (sync_resume_held(ctx.db, SYNC_HELD_FALLBACK, NULL) !=
		    CORE_OK)
			log_warnx("resuming held jobs: %s", db_error(ctx.db));
		/* Polls first: what they queue is drained right after. */
		now = clk_now_ms();
		if (cfg->poller.poll_interval > 0 && (lastpoll == 0 ||
		    now - lastpoll >= (int64_t)cfg->poller.poll_interval *
		    1000)) {
			poll_run(&ctx, stop_pending, NULL);
			lastpoll = now;
		}
		sweep(&ctx, &swept);
		/* Shipments waiting for their order to reach X3. */
		if (sync_ship_resume(ctx.db, NULL) != CORE_OK)
			log_warnx("resuming shipments: %s", db_error(ctx.db));
		/* The scheduled reconciliation, once per period. */
		if (ctx.x3 != NULL && ctx.ss != NULL && reconcile_schedule(
		    ctx.db, cfg->poller.reconcile_interval,
		    cfg->poller.reconcile_days) != CORE_OK)
			log_warnx("scheduling reconcile: %s", db_error(ctx.db));
		st = drain(&ctx, owner);
		if (st == 0)
			retention(&ctx);
		if (st == 1 || once)
			break;
		/* Database away: try again soon, without spinning. */
		if (wait_stop(st == -1 ? 1 : cfg->poller.interval))
			break;
	}
	log_info("stopped");
	x3_free(ctx.x3);
	ss_free(ctx.ss);
	db_free(ctx.db);
	cfg_free(cfg);
	if (lockfd != -1)
		close(lockfd);
	return st == -1 && once ? 1 : 0;
}
