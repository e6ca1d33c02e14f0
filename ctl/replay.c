/*
 * ml-connector-ctl replay: run jobs again from their stored source with
 * the current mappings (core/replay.c), or preview what one would send.
 *   replay JOB_ID | --order ORDERID|ORDERNUMBER | --class CLASS [--kind K]
 *          [--preview] [--json]
 * The trigger recorded is "replay:<the Unix user>".
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core.h"
#include "ctl.h"
#include "replay.h"

static int
usage_replay(void)
{
	fprintf(stderr, "usage: ml-connector-ctl replay JOB_ID | "
	    "--order ORDERID|ORDERNUMBER | --class CLASS [--kind KIND] "
	    "[--preview] [--json]\n");
	return 1;
}

/* The operator's name for the trigger; lent. */
static const char *
whoami(void)
{
	struct passwd	*pw;

	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL)
		return pw->pw_name;
	return "cli";
}

static int
fail(const char *what, enum core_err rc, struct db *db)
{
	fprintf(stderr, "replay: %s: %s%s%s\n", what, core_strerror(rc),
	    rc == CORE_EDB || rc == CORE_EDBDOWN ? ": " : "",
	    rc == CORE_EDB || rc == CORE_EDBDOWN ? db_error(db) : "");
	return 1;
}

static int
preview(const struct cfg *cfg, struct db *db, int64_t id, int json)
{
	struct jobrun_ctx	 ctx = { cfg, db, NULL, NULL };
	char			*would = NULL, *before = NULL;
	json_t			*out;
	char			*s;
	enum core_err		 rc;
	int			 ret = 1;

	/* Reads only: the builders look items and customers up in X3. */
	if (cfg->x3.enabled && (rc = x3_new(&cfg->x3, db, &ctx.x3)) !=
	    CORE_OK)
		return fail("x3 client", rc, db);
	if (cfg->ss.enabled && (rc = ss_new(&cfg->ss, db, &ctx.ss)) !=
	    CORE_OK) {
		x3_free(ctx.x3);
		return fail("shipstation client", rc, db);
	}
	rc = replay_preview(&ctx, id, &would, &before);
	if (rc == CORE_EINPUT) {
		fprintf(stderr, "replay: job %lld: no preview for its kind\n",
		    (long long)id);
		goto out;
	}
	if (rc != CORE_OK) {
		ret = fail("preview", rc, db);
		goto out;
	}
	if (json) {
		out = json_pack("{s:I, s:o, s:o}", "job", (json_int_t)id,
		    "would_send", json_loads(would, 0, NULL), "sent_before",
		    before != NULL ? json_loads(before, JSON_DECODE_ANY, NULL) :
		    json_null());
		if (out == NULL || (s = json_dumps(out, JSON_INDENT(2) |
		    JSON_SORT_KEYS)) == NULL) {
			json_decref(out);
			fprintf(stderr, "replay: out of memory\n");
			goto out;
		}
		printf("%s\n", s);
		free(s);
		json_decref(out);
	} else
		printf("job %lld would send now:\n%s\nsent before:\n%s\n",
		    (long long)id, would, before != NULL ? before :
		    "(nothing sent yet)");
	ret = 0;
out:
	free(would);
	free(before);
	x3_free(ctx.x3);
	ss_free(ctx.ss);
	return ret;
}

static void
print_replayed(int json, int64_t id, const char *how)
{
	if (json)
		printf("{\"replayed\": [%lld]}\n", (long long)id);
	else
		printf("job %lld replayed%s\n", (long long)id, how);
}

int
ctl_replay(const struct cfg *cfg, struct db *db, int argc, char **argv)
{
	const char	*order = NULL, *cls = NULL, *kind = NULL, *jobarg = NULL;
	char		*end;
	int		 i, pv = 0, json = 0;
	int64_t		 id = 0;
	uint64_t	 n = 0;
	enum core_err	 rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--preview") == 0)
			pv = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--order") == 0 && i + 1 < argc)
			order = argv[++i];
		else if (strcmp(argv[i], "--class") == 0 && i + 1 < argc)
			cls = argv[++i];
		else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc)
			kind = argv[++i];
		else if (argv[i][0] != '-' && jobarg == NULL)
			jobarg = argv[i];
		else
			return usage_replay();
	}
	if ((jobarg != NULL) + (order != NULL) + (cls != NULL) != 1 ||
	    (cls != NULL && pv) || (kind != NULL && cls == NULL))
		return usage_replay();

	if (cls != NULL) {
		if ((rc = replay_class(db, cls, kind, whoami(), 0, &n)) !=
		    CORE_OK)
			return rc == CORE_EINPUT ? (fprintf(stderr, "replay: "
			    "no such class '%s' (mapping, data, auth, rate, "
			    "transient)\n", cls), 1) : fail("class", rc, db);
		if (json)
			printf("{\"class\": \"%s\", \"replayed\": %llu}\n", cls,
			    (unsigned long long)n);
		else
			printf("%llu job%s of class %s replayed\n",
			    (unsigned long long)n, n == 1 ? "" : "s", cls);
		return 0;
	}
	if (jobarg != NULL) {
		errno = 0;
		id = strtoll(jobarg, &end, 10);
		if (errno != 0 || *end != '\0' || id <= 0)
			return usage_replay();
	}
	if (pv) {
		if (order != NULL) {
			struct db_rows	*r = NULL;

			if ((rc = db_select(db, "SELECT j.id FROM jobs j LEFT "
			    "JOIN documents d ON d.system = 'shipstation' AND "
			    "d.doc_type = 'order' AND d.doc_id = j.job_key "
			    "WHERE j.kind = 'ss.order' AND (j.job_key = ? OR "
			    "JSON_VALUE(d.body, '$.orderNumber') = ?) LIMIT 2",
			    DB_PARAMS(DB_STR(order), DB_STR(order)), &r)) !=
			    CORE_OK)
				return fail("order", rc, db);
			id = r->nrows == 1 ? db_rows_i64(r, 0, 0, 0) : 0;
			db_rows_free(r);
			if (id == 0) {
				fprintf(stderr, "replay: no single job for "
				    "order %s\n", order);
				return 1;
			}
		}
		return preview(cfg, db, id, json);
	}
	if (order != NULL)
		rc = replay_by_ref(db, "ss.order", order, whoami(), &id);
	else
		rc = replay_job(db, id, whoami());
	switch (rc) {
	case CORE_OK:
		print_replayed(json, id, "");
		return 0;
	case CORE_ENOTFOUND:
		fprintf(stderr, "replay: no such job or order\n");
		return 1;
	case CORE_EBUSY:
		fprintf(stderr, "replay: job %lld is running; try again when "
		    "it is done\n", (long long)id);
		return 1;
	case CORE_EINPUT:
		fprintf(stderr, "replay: ambiguous order number or bad user "
		    "name\n");
		return 1;
	default:
		return fail("replay", rc, db);
	}
}
