/*
 * ping.c: check the configuration, the database, ShipStation and X3,
 * line by line, each with what to fix (ml-connector-ctl ping, and the
 * admin UI's connection status page).
 */
#ifndef ML_PING_H
#define ML_PING_H

#include "core.h"

/* One line: tag is "ok", "WARN", "FAIL", "fix" or "found". */
typedef void	(*ping_out_fn)(void *arg, const char *tag, const char *text);

/* Run every check; returns how many failed. *warned may be NULL. */
int		 ping_run(const struct cfg *, struct db *, ping_out_fn,
		    void *arg, int *warned);

#endif /* !ML_PING_H */
