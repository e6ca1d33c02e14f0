/*
 * ml-connector-ctl ping: the checks of core/ping.c, printed one per
 * line ("ok", "WARN", "FAIL", then "     fix: ..."). Exit 0 when
 * nothing failed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core.h"
#include "ping.h"
#include "extern.h"

static void
print(void *arg, const char *tag, const char *text)
{
	(void)arg;
	if (strcmp(tag, "fix") == 0 || strcmp(tag, "found") == 0)
		printf("     %s: %s\n", tag, text);
	else
		printf("%-4s %s\n", tag, text);
}

int
cmd_ping(const struct cfg *cfg, struct db *db)
{
	int	 failed, warned = 0;

	failed = ping_run(cfg, db, print, NULL, &warned);
	printf("%s: %d failed, %d warnings\n", failed ? "FAIL" : "ok",
	    failed, warned);
	return failed ? 1 : 0;
}
