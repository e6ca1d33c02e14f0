/*
 * ml-connector-ctl cursors: list the poll cursors, or reset one.
 *   cursors [list]			name, position, runs, holder, error
 *   cursors reset NAME [POSITION]	POSITION a UTC time; none: the
 *					poll starts again from its initial
 *					window (poller.poll_backfill)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "cursor.h"
#include "ctl.h"

static const char *
nz(const char *s)
{
	return s != NULL ? s : "-";
}

static int
list(struct db *db)
{
	struct cursor_list	*l;
	const struct cursor	*c;
	enum core_err		 rc;
	size_t			 i;

	if ((rc = cursor_list(db, &l)) != CORE_OK) {
		fprintf(stderr, "cursors: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	printf("name\tposition\tlast_run_at\tlast_ok_at\theld_by\t"
	    "last_error\n");
	for (i = 0; i < l->n; i++) {
		c = &l->v[i];
		printf("%s\t%s\t%s\t%s\t", c->name, nz(c->position),
		    nz(c->last_run_at), nz(c->last_ok_at));
		if (c->holder > 0)
			printf("conn:%lld\t", c->holder);
		else
			printf("-\t");
		/* One line per cursor: an error text ends at its newline. */
		printf("%.*s\n", c->last_error != NULL ?
		    (int)strcspn(c->last_error, "\r\n") : 1, nz(c->last_error));
	}
	cursor_list_free(l);
	return 0;
}

static int
reset(struct db *db, const char *name, const char *pos)
{
	char		*stored = NULL;
	enum core_err	 rc;

	rc = cursor_reset(db, name, pos);
	if (rc == CORE_EINPUT) {
		fprintf(stderr, "cursors: position must be a UTC time, e.g. "
		    "2025-01-31T10:00:00Z\n");
		return 1;
	}
	if (rc == CORE_ENOTFOUND) {
		fprintf(stderr, "cursors: no cursor named %s (see cursors "
		    "list)\n", name);
		return 1;
	}
	if (rc != CORE_OK) {
		fprintf(stderr, "cursors: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	if (pos == NULL) {
		printf("%s reset to its initial window\n", name);
		return 0;
	}
	/* Say the position as stored (normalised to UTC). */
	if (cursor_get(db, name, &stored) == CORE_OK && stored != NULL) {
		printf("%s reset to %s\n", name, stored);
		free(stored);
		return 0;
	}
	printf("%s reset\n", name);
	return 0;
}

int
ctl_cursors(struct db *db, int argc, char **argv)
{
	if (argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0))
		return list(db);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "reset") == 0)
		return reset(db, argv[2], argc == 4 ? argv[3] : NULL);
	fprintf(stderr, "usage: ml-connector-ctl cursors [list | reset NAME "
	    "[POSITION]]\n");
	return 1;
}
