/*
 * cursor.c: named poll cursors (table cursors). A cursor is the place a
 * poll has reached, stored so that it survives restarts, is visible to
 * operators (ml-connector-ctl cursors, the admin UI) and can be reset.
 *
 * One poller at a time owns a cursor: MariaDB's GET_LOCK, non-blocking,
 * on a name derived from the schema and the cursor name, so pollers on
 * several hosts (or several instances on one server) never poll the same
 * cursor at once. A lock lives as long as its connection: if db.c
 * reconnects, the lock is gone, and cursor_advance() notices (it writes
 * only while this connection still holds the lock).
 */
#ifndef ML_CURSOR_H
#define ML_CURSOR_H

#include <stddef.h>

#include "core.h"

/* Longest cursor name (the lock name is a hash of it, see cursor.c). */
#define CURSOR_NAME_MAX		64

/* One cursor row as the operator sees it; strings NULL when NULL. */
struct cursor {
	char		*name;
	char		*position;	/* UTC timestamp or opaque key */
	char		*last_run_at;	/* UTC "YYYY-MM-DD HH:MM:SS.ffffff" */
	char		*last_ok_at;
	char		*last_error;
	long long	 holder;	/* connection id holding it, 0 none */
};

struct cursor_list {
	size_t		 n;
	struct cursor	*v;
};

/* Create the row (position NULL) unless it exists. */
enum core_err	 cursor_ensure(struct db *, const char *name);
/*
 * The stored position. CORE_ENOTFOUND when there is no such cursor. On
 * CORE_OK *position is new (NULL when the cursor was reset or never
 * advanced); free it with free().
 */
enum core_err	 cursor_get(struct db *, const char *name, char **position);
/*
 * Own the cursor for this connection without waiting: CORE_OK, or
 * CORE_EBUSY when another session holds it.
 */
enum core_err	 cursor_lock(struct db *, const char *name);
/* Let go of the cursor (harmless when not held). */
enum core_err	 cursor_unlock(struct db *, const char *name);
/*
 * Move the cursor from `from` (the position this run read, NULL for
 * none) to `to` and record a good run. Writes only while this
 * connection holds the lock and the position is still `from`:
 * CORE_EBUSY when the lock was lost (reconnect) or an operator reset
 * the cursor meanwhile; the caller stops this run without advancing.
 */
enum core_err	 cursor_advance(struct db *, const char *name,
		    const char *from, const char *to);
/* Record a run that failed (last_run_at, last_error); position stays. */
enum core_err	 cursor_error(struct db *, const char *name,
		    const char *error);
/*
 * Operator: set the position (NULL: start again from the poll's
 * initial window) and clear last_error. CORE_ENOTFOUND for an unknown
 * cursor. A poll running meanwhile does not overwrite it (see
 * cursor_advance).
 */
enum core_err	 cursor_reset(struct db *, const char *name,
		    const char *position);
/* Every cursor, by name. On CORE_OK *out is new; cursor_list_free(). */
enum core_err	 cursor_list(struct db *, struct cursor_list **out);
void		 cursor_list_free(struct cursor_list *);

#endif /* !ML_CURSOR_H */
