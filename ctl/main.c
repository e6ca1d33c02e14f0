/*
 * ml-connector-ctl: the operator's command line.
 *   migrate [--dry-run]	apply (or list) pending schema migrations
 *   check-config		parse the configuration and exit
 *   selftest [hold_ms]		enqueue a job that a running poller completes
 *   jobs			count jobs by state
 *   status [--json]		the operational picture (as /metrics)
 *   purge [--dry-run]		delete (or count) rows past retention
 *   webhooks ...		subscribe, list, remove our ShipStation webhooks
 *   replay ...			run jobs again, or preview what one would send
 *   reconcile ...		ShipStation shipments against X3 deliveries
 *   user ...			admin UI accounts (add, passwd, disable, list)
 *   cursors [list|reset NAME [POSITION]]	the poll cursors
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "purge.h"
#include "extern.h"
#include "ctl.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ml-connector-ctl [-v] [-f file] command [args]\n"
	    "commands:\n"
	    "  check-config          check the configuration file\n"
	    "  migrate [--dry-run]   apply or list pending migrations\n"
	    "  selftest [hold_ms]    enqueue a selftest job for the poller\n"
	    "  jobs                  count jobs by state\n"
	    "  status [--json]       queue, quota, token, cursors, errors\n"
	    "  purge [--dry-run]     delete (or count) rows past retention\n"
	    "  ping                  check config, database, ShipStation and X3\n"
	    "  webhooks subscribe|list|remove ID|--all\n"
	    "                        manage our ShipStation webhooks\n"
	    "  replay JOB_ID | --order REF | --class CLASS [--kind K]\n"
	    "         [--preview] [--json]\n"
	    "                        run jobs again with the current mappings\n"
	    "  reconcile [--from D --to D] [--repair] [--json] | --last\n"
	    "                        shipments against X3 deliveries\n"
	    "  user add NAME [--role admin|operator|viewer] | passwd NAME |\n"
	    "       disable NAME | enable NAME | list\n"
	    "                        admin UI accounts (password on stdin)\n"
	    "  cursors [list|reset NAME [POSITION]]\n"
	    "                        show the poll cursors, or reset one\n");
	exit(1);
}

static void
print_line(const char *line, void *arg)
{
	(void)arg;
	printf("%s\n", line);
}

static int
cmd_migrate(struct db *db, const struct cfg *cfg, int argc, char **argv)
{
	int		 dry = 0, n = 0;
	enum core_err	 rc;

	if (argc == 2 && strcmp(argv[1], "--dry-run") == 0)
		dry = 1;
	else if (argc != 1)
		usage();
	rc = migrate_run(db, cfg->sql_dir, dry, print_line, NULL, &n);
	if (rc != CORE_OK) {
		fprintf(stderr, "migrate: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	if (dry)
		printf("%d migration%s pending\n", n, n == 1 ? "" : "s");
	else
		printf("%d migration%s applied; schema is current\n", n,
		    n == 1 ? "" : "s");
	return 0;
}

static int
cmd_purge(struct db *db, const struct cfg *cfg, int argc, char **argv)
{
	struct purge_result	 res;
	enum core_err		 rc;
	int			 dry = 0;

	if (argc == 2 && strcmp(argv[1], "--dry-run") == 0)
		dry = 1;
	else if (argc != 1)
		usage();
	rc = purge_run(db, &cfg->retention, dry, &res);
	printf("%s%llu events (older than %d days), %llu audit rows (%d days), "
	    "%llu done jobs (%d days)\n", dry ? "would delete " : "deleted ",
	    (unsigned long long)res.events, cfg->retention.events_days,
	    (unsigned long long)res.audit, cfg->retention.audit_days,
	    (unsigned long long)res.jobs, cfg->retention.jobs_days);
	if (rc != CORE_OK) {
		fprintf(stderr, "purge: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	return 0;
}

static int
cmd_selftest(struct db *db, int argc, char **argv)
{
	char		 key[40], payload[64];
	long		 hold = 0;
	char		*end;
	int64_t		 id = 0;
	enum core_err	 rc;

	if (argc > 2)
		usage();
	if (argc == 2) {
		errno = 0;
		hold = strtol(argv[1], &end, 10);
		if (errno != 0 || *end != '\0' || hold < 0 || hold > 60000) {
			fprintf(stderr, "selftest: hold_ms must be 0..60000\n");
			return 1;
		}
	}
	if (rnd_hex(key, 16) == -1) {
		fprintf(stderr, "selftest: no randomness\n");
		return 1;
	}
	(void)snprintf(payload, sizeof(payload), "{\"hold_ms\": %ld}", hold);
	if ((rc = job_enqueue(db, "selftest", key, payload, 0, &id)) !=
	    CORE_OK) {
		fprintf(stderr, "selftest: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

static int
cmd_jobs(struct db *db)
{
	struct db_rows	*r;
	enum core_err	 rc;
	size_t		 i;

	if ((rc = db_select(db, "SELECT state, COUNT(*) FROM jobs "
	    "GROUP BY state ORDER BY state", DB_NOPARAMS, &r)) != CORE_OK) {
		fprintf(stderr, "jobs: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	for (i = 0; i < r->nrows; i++)
		printf("%s\t%s\n", db_rows_get(r, i, 0), db_rows_get(r, i, 1));
	db_rows_free(r);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*file = ML_CONFIG_DEFAULT;
	struct cfg	*cfg;
	struct db	*db;
	int		 ch, verbose = 0, rc;

	while ((ch = getopt(argc, argv, "+f:v")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	log_init("ml-connector-ctl", 1, verbose);
	if (cfg_load(file, &cfg) != CORE_OK)
		return 1;
	if (strcmp(argv[0], "check-config") == 0) {
		printf("configuration OK\n");
		cfg_free(cfg);
		return 0;
	}
	if ((db = db_new(&cfg->db)) == NULL)
		fatalx("out of memory");
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate(db, cfg, argc, argv);
	else if (strcmp(argv[0], "selftest") == 0)
		rc = cmd_selftest(db, argc, argv);
	else if (strcmp(argv[0], "jobs") == 0 && argc == 1)
		rc = cmd_jobs(db);
	else if (strcmp(argv[0], "webhooks") == 0)
		rc = ctl_webhooks(cfg, db, argc, argv);
	else if (strcmp(argv[0], "purge") == 0)
		rc = cmd_purge(db, cfg, argc, argv);
	else if (strcmp(argv[0], "status") == 0)
		rc = ctl_status(cfg, db, argc, argv);
	else if (strcmp(argv[0], "replay") == 0)
		rc = ctl_replay(cfg, db, argc, argv);
	else if (strcmp(argv[0], "reconcile") == 0)
		rc = ctl_reconcile(cfg, db, argc, argv);
	else if (strcmp(argv[0], "user") == 0)
		rc = ctl_user(cfg, db, argc, argv);
	else if (strcmp(argv[0], "cursors") == 0)
		rc = ctl_cursors(db, argc, argv);
	else if (strcmp(argv[0], "ping") == 0 && argc == 1)
		rc = cmd_ping(cfg, db);
	else
		usage();
	db_free(db);
	cfg_free(cfg);
	return rc;
}
