/*
 * ml-connector-ctl status [--json]: the picture /metrics exposes, for a
 * person (or, with --json, for a script). Both come from stats_load().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "stats.h"
#include "ctl.h"

/* "12 s", "3 min 4 s", "2 h 5 min" into buf; "-" for negative. */
static const char *
dur(int64_t s, char *buf, size_t sz)
{
	if (s < 0)
		(void)snprintf(buf, sz, "-");
	else if (s < 60)
		(void)snprintf(buf, sz, "%lld s", (long long)s);
	else if (s < 3600)
		(void)snprintf(buf, sz, "%lld min %lld s", (long long)(s / 60),
		    (long long)(s % 60));
	else
		(void)snprintf(buf, sz, "%lld h %lld min",
		    (long long)(s / 3600), (long long)(s % 3600 / 60));
	return buf;
}

static void
print_text(const struct cfg *cfg, const struct stats *s)
{
	const struct stats_desc	*d;
	const struct stats_row	*row;
	char			 b1[32], b2[32];
	size_t			 f, i, k;

	printf("instance %s\n", cfg->instance != NULL ? cfg->instance : "-");
	printf("queue: %lld open (%lld ready, %lld running, %lld held), "
	    "%lld dead\n", (long long)s->jobs_open, (long long)s->jobs_ready,
	    (long long)s->jobs_running, (long long)s->jobs_held,
	    (long long)s->jobs_dead);
	if (s->oldest_ready_s < 0)
		printf("oldest due job: none\n");
	else
		printf("oldest due job: waiting %s\n",
		    dur(s->oldest_ready_s, b1, sizeof(b1)));
	if (s->eta_s < 0)
		printf("queue ETA: unknown (nothing done in the last "
		    "15 min)\n");
	else
		printf("queue ETA: %s (%lld done in the last 15 min)\n",
		    dur(s->eta_s, b2, sizeof(b2)), (long long)s->done_15m);
	printf("job runs: %lld ok, %lld failed\n", (long long)s->processed,
	    (long long)s->failed);
	printf("errors in the last 24 h: %lld\n", (long long)s->errors_24h);
	for (f = 0; f < STATS__MAX; f++) {
		d = stats_desc((enum stats_fam)f);
		printf("\n%s:%s\n", d->title, s->fam[f].n == 0 ? " none" : "");
		for (i = 0; i < s->fam[f].n; i++) {
			row = &s->fam[f].rows[i];
			printf(" ");
			for (k = 0; d->labels[k] != NULL; k++)
				printf(" %-12s", row->label[k] != NULL ?
				    row->label[k] : "-");
			printf(" %lld\n", (long long)row->value);
		}
	}
}

/* New reference, or NULL when out of memory. */
static json_t *
to_json(const struct stats *s)
{
	const struct stats_desc	*d;
	const struct stats_row	*row;
	json_t			*o, *arr, *e;
	size_t			 f, i, k;

	o = json_pack("{sIsIsIsIsIsIsIsIsIsIsI}",
	    "jobs_open", (json_int_t)s->jobs_open,
	    "jobs_ready", (json_int_t)s->jobs_ready,
	    "jobs_running", (json_int_t)s->jobs_running,
	    "jobs_held", (json_int_t)s->jobs_held,
	    "jobs_dead", (json_int_t)s->jobs_dead,
	    "processed", (json_int_t)s->processed,
	    "failed", (json_int_t)s->failed,
	    "errors_24h", (json_int_t)s->errors_24h,
	    "done_15m", (json_int_t)s->done_15m,
	    "oldest_ready_seconds", (json_int_t)s->oldest_ready_s,
	    "eta_seconds", (json_int_t)s->eta_s);
	if (o == NULL)
		return NULL;
	for (f = 0; f < STATS__MAX; f++) {
		d = stats_desc((enum stats_fam)f);
		if ((arr = json_array()) == NULL ||
		    json_object_set_new(o, d->metric + 3, arr) == -1)
			goto fail;	/* name without "ml_" */
		for (i = 0; i < s->fam[f].n; i++) {
			row = &s->fam[f].rows[i];
			if ((e = json_pack("{sI}", "value",
			    (json_int_t)row->value)) == NULL ||
			    json_array_append_new(arr, e) == -1)
				goto fail;
			for (k = 0; d->labels[k] != NULL; k++)
				if (json_object_set_new(e, d->labels[k],
				    row->label[k] != NULL ?
				    json_string(row->label[k]) :
				    json_null()) == -1)
					goto fail;
		}
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

int
ctl_status(const struct cfg *cfg, struct db *db, int argc, char **argv)
{
	struct stats	*s;
	json_t		*j;
	char		*txt;
	enum core_err	 rc;
	int		 js = 0;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		js = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: ml-connector-ctl status [--json]\n");
		return 1;
	}
	if ((rc = stats_load(db, &s)) != CORE_OK) {
		fprintf(stderr, "status: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	if (!js) {
		print_text(cfg, s);
		stats_free(s);
		return 0;
	}
	j = to_json(s);
	stats_free(s);
	if (j == NULL ||
	    (txt = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL) {
		json_decref(j);
		fprintf(stderr, "status: out of memory\n");
		return 1;
	}
	printf("%s\n", txt);
	free(txt);
	json_decref(j);
	return 0;
}
