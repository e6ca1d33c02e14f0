/*
 * ml-connector-ctl reconcile [--from D --to D] [--repair] [--json]
 * [--last]: compare ShipStation shipments with X3 deliveries over a
 * period (default: the last 7 days up to yesterday, UTC), store the
 * report and print it. --last prints the latest stored report instead.
 * Exit 0 when nothing was found, 2 when there are findings, 1 on error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "ctl.h"
#include "reconcile.h"

#define RECON_DEFAULT_DAYS	7

/* A YYYY-MM-DD that is a real date. */
static int
date_ok(const char *s)
{
	struct tm	 tm;
	const char	*e;

	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%Y-%m-%d", &tm);
	return e != NULL && *e == '\0' && strlen(s) == 10;
}

static void
print_text(json_t *rep)
{
	json_t		*it;
	size_t		 i;
	const char	*k;

	printf("reconcile run %lld (%s..%s, %s): %lld ShipStation records, "
	    "%lld X3 deliveries\n", (long long)json_integer_value(
	    json_object_get(rep, "id")), json_string_value(json_object_get(rep,
	    "from")), json_string_value(json_object_get(rep, "to")),
	    json_string_value(json_object_get(rep, "state")),
	    (long long)json_integer_value(json_object_get(rep, "shipments")),
	    (long long)json_integer_value(json_object_get(rep, "deliveries")));
	if (json_is_string(json_object_get(rep, "error")))
		printf("error: %s\n", json_string_value(json_object_get(rep,
		    "error")));
	printf("missing %lld, extra %lld, mismatch %lld, re-queued %lld\n",
	    (long long)json_integer_value(json_object_get(rep, "missing")),
	    (long long)json_integer_value(json_object_get(rep, "extra")),
	    (long long)json_integer_value(json_object_get(rep, "mismatch")),
	    (long long)json_integer_value(json_object_get(rep, "repaired")));
	json_array_foreach(json_object_get(rep, "items"), i, it) {
		k = json_string_value(json_object_get(it, "kind"));
		printf("%-8s %-14s %-14s %-14s", k,
		    json_string_value(json_object_get(it, "ss_id")) ?
		    json_string_value(json_object_get(it, "ss_id")) : "-",
		    json_string_value(json_object_get(it, "ref")) ?
		    json_string_value(json_object_get(it, "ref")) : "-",
		    json_string_value(json_object_get(it, "x3_id")) ?
		    json_string_value(json_object_get(it, "x3_id")) : "-");
		if (strcmp(k, "mismatch") == 0)
			printf(" %s shipped %g delivered %g",
			    json_string_value(json_object_get(it, "sku")),
			    json_number_value(json_object_get(it, "ss_qty")),
			    json_number_value(json_object_get(it, "x3_qty")));
		printf(" %s\n", json_string_value(json_object_get(it,
		    "detail")) ? json_string_value(json_object_get(it,
		    "detail")) : "");
	}
}

int
ctl_reconcile(const struct cfg *cfg, struct db *db, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "repair", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "last", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct reconcile_opts	 opt = { NULL, NULL, 0, "cli" };
	struct jobrun_ctx	 ctx = { cfg, db, NULL, NULL };
	json_t			*rep = NULL;
	char			 f[16], t[16], err[256];
	time_t			 now = time(NULL), d;
	struct tm		 tm;
	int64_t			 id = 0;
	int			 ch, json = 0, last = 0, ret = 1;
	enum core_err		 rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			opt.from = optarg;
			break;
		case 'T':
			opt.to = optarg;
			break;
		case 'r':
			opt.repair = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			last = 1;
			break;
		default:
			fprintf(stderr, "usage: ml-connector-ctl reconcile "
			    "[--from YYYY-MM-DD --to YYYY-MM-DD] [--repair] "
			    "[--json] | --last [--json]\n");
			return 1;
		}
	}
	if (optind != argc || (opt.from != NULL && !date_ok(opt.from)) ||
	    (opt.to != NULL && !date_ok(opt.to))) {
		fprintf(stderr, "reconcile: dates are YYYY-MM-DD\n");
		return 1;
	}
	if (!last) {
		d = now - RECON_DEFAULT_DAYS * 86400;
		(void)gmtime_r(&d, &tm);
		(void)strftime(f, sizeof(f), "%Y-%m-%d", &tm);
		d = now - 86400;
		(void)gmtime_r(&d, &tm);
		(void)strftime(t, sizeof(t), "%Y-%m-%d", &tm);
		if (opt.from == NULL)
			opt.from = f;
		if (opt.to == NULL)
			opt.to = t;
		if (strcmp(opt.from, opt.to) > 0) {
			fprintf(stderr, "reconcile: --from is after --to\n");
			return 1;
		}
		if (!cfg->ss.enabled || !cfg->x3.enabled) {
			fprintf(stderr, "reconcile: needs the shipstation "
			    "and x3 groups\n");
			return 1;
		}
		if (ss_new(&cfg->ss, db, &ctx.ss) != CORE_OK ||
		    x3_new(&cfg->x3, db, &ctx.x3) != CORE_OK) {
			fprintf(stderr, "reconcile: cannot start the API "
			    "clients\n");
			goto out;
		}
		if ((rc = reconcile_run(&ctx, &opt, &id, err, sizeof(err))) !=
		    CORE_OK) {
			fprintf(stderr, "reconcile: %s\n", err);
			if (id == 0)
				goto out;
		}
	}
	if ((rc = reconcile_report(db, id, &rep)) != CORE_OK) {
		fprintf(stderr, "reconcile: %s\n", rc == CORE_ENOTFOUND ?
		    "no stored report" : db_error(db));
		goto out;
	}
	if (json) {
		if (json_dumpf(rep, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) ==
		    -1)
			goto out;
		printf("\n");
	} else
		print_text(rep);
	if (strcmp(json_string_value(json_object_get(rep, "state")), "done") !=
	    0)
		ret = 1;
	else
		ret = json_array_size(json_object_get(rep, "items")) > 0 ? 2 :
		    0;
out:
	json_decref(rep);
	x3_free(ctx.x3);
	ss_free(ctx.ss);
	return ret;
}
