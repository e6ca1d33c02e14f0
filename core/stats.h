/*
 * stats.c: the operational picture in one place (queue, attempts,
 * events, ShipStation quota, X3 token, poll cursors, recent errors,
 * queue age and ETA), read from the database so that every process on
 * every host sees the same. /metrics and `ml-connector-ctl status` both
 * print a struct stats. The admin dashboard runs its own, indexed and
 * paged queries instead (fcgi/uipages.c): some counts here scan whole
 * tables, which is fine for a scrape but not for a page that must render
 * in 20 ms with 100,000 orders (docs/ADMIN-UI.md).
 */
#ifndef ML_STATS_H
#define ML_STATS_H

#include <stdint.h>

#include "core.h"

/* The labelled series; each maps to one Prometheus family. */
enum stats_fam {
	STATS_JOBS,		/* state, class -> jobs */
	STATS_ATTEMPTS,		/* outcome -> job runs, ever (audit) */
	STATS_EVENTS,		/* source, state -> events stored */
	STATS_SS_LEFT,		/* key -> calls left in the window, -1 */
	STATS_SS_RESET,		/* key -> seconds until the window resets */
	STATS_X3_TOKEN,		/* name -> seconds until the token expires */
	STATS_CURSOR_LAG,	/* cursor -> seconds since it last advanced */
	STATS__MAX
};

#define STATS_LABELS_MAX	2

/* Static description of a family; labels[] is NULL-terminated. */
struct stats_desc {
	const char	*metric;	/* Prometheus name, ml_... */
	const char	*type;		/* "gauge" or "counter" */
	const char	*help;		/* one line */
	const char	*title;		/* heading for a person */
	const char	*labels[STATS_LABELS_MAX + 1];
};

/* One value of a family; labels lent from the struct stats. */
struct stats_row {
	const char	*label[STATS_LABELS_MAX];
	int64_t		 value;
};

struct stats_set {
	struct stats_row *rows;
	size_t		  n;
};

struct stats {
	struct stats_set fam[STATS__MAX];
	/* Summary figures, all from the same moment. */
	int64_t		 jobs_open;	/* ready + running + held */
	int64_t		 jobs_ready;	/* ready, due or not */
	int64_t		 jobs_running;
	int64_t		 jobs_held;
	int64_t		 jobs_dead;
	int64_t		 processed;	/* job runs that succeeded, ever */
	int64_t		 failed;	/* job runs that failed, ever */
	int64_t		 errors_24h;	/* job runs that failed, last 24 h */
	int64_t		 done_15m;	/* job runs that succeeded, 15 min */
	int64_t		 oldest_ready_s; /* wait of the oldest due job; -1 */
	int64_t		 eta_s;		/* ready jobs at the 15-min rate; -1 */
	void		*priv;		/* the result sets labels point into */
};

const struct stats_desc *stats_desc(enum stats_fam);
/*
 * Read the picture from the database. On CORE_OK *out is new; free it
 * with stats_free(). Database errors are returned as is (db_error()).
 */
enum core_err	 stats_load(struct db *, struct stats **out);
void		 stats_free(struct stats *);

#endif /* !ML_STATS_H */
