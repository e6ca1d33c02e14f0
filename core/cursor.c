/*
 * Named poll cursors: see cursor.h. Ownership is a server-side lock per
 * cursor; the lock name is 'mlc.' and the SHA-1 of schema and cursor
 * name, because GET_LOCK names are server-wide (two instances on one
 * server must not share them) and limited to 64 characters.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "cursor.h"

#define LOCKNAME	"CONCAT('mlc.', SHA1(CONCAT(DATABASE(), '/', ?)))"

static int
valid_name(const char *name)
{
	size_t	 i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n > CURSOR_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x21 ||
		    (unsigned char)name[i] > 0x7e)
			return 0;
	return 1;
}

enum core_err
cursor_ensure(struct db *db, const char *name)
{
	if (!valid_name(name))
		return CORE_EINPUT;
	return db_exec(db, "INSERT IGNORE INTO cursors (name) VALUES (?)",
	    DB_PARAMS(DB_STR(name)), NULL, NULL);
}

/* On CORE_OK *position is new or NULL; free with free(). */
enum core_err
cursor_get(struct db *db, const char *name, char **position)
{
	struct db_rows	*r = NULL;
	const char	*p;
	enum core_err	 rc;

	*position = NULL;
	if (!valid_name(name))
		return CORE_EINPUT;
	if ((rc = db_select(db, "SELECT position FROM cursors WHERE name = ?",
	    DB_PARAMS(DB_STR(name)), &r)) != CORE_OK)
		return rc;
	if (r->nrows == 0)
		rc = CORE_ENOTFOUND;
	else if ((p = db_rows_get(r, 0, 0)) != NULL &&
	    (*position = strdup(p)) == NULL)
		rc = CORE_ENOMEM;
	db_rows_free(r);
	return rc;
}

enum core_err
cursor_lock(struct db *db, const char *name)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;

	if (!valid_name(name))
		return CORE_EINPUT;
	/* Timeout 0: a poller never waits for another's cursor. */
	if ((rc = db_select(db, "SELECT GET_LOCK(" LOCKNAME ", 0)",
	    DB_PARAMS(DB_STR(name)), &r)) != CORE_OK)
		return rc;
	rc = r->nrows == 1 && db_rows_i64(r, 0, 0, 0) == 1 ? CORE_OK :
	    CORE_EBUSY;
	db_rows_free(r);
	return rc;
}

enum core_err
cursor_unlock(struct db *db, const char *name)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;

	if (!valid_name(name))
		return CORE_EINPUT;
	if ((rc = db_select(db, "SELECT RELEASE_LOCK(" LOCKNAME ")",
	    DB_PARAMS(DB_STR(name)), &r)) != CORE_OK)
		return rc;
	db_rows_free(r);
	return CORE_OK;
}

enum core_err
cursor_advance(struct db *db, const char *name, const char *from,
    const char *to)
{
	uint64_t	 n = 0;
	enum core_err	 rc;

	if (!valid_name(name) || to == NULL)
		return CORE_EINPUT;
	/*
	 * One statement: the lock check, the compare with what this run
	 * started from and the write cannot be separated by a reconnect
	 * or an operator's reset.
	 */
	rc = db_exec(db, "UPDATE cursors SET position = ?, "
	    "last_run_at = UTC_TIMESTAMP(6), last_ok_at = UTC_TIMESTAMP(6), "
	    "last_error = NULL WHERE name = ? AND position <=> ? AND "
	    "IS_USED_LOCK(" LOCKNAME ") = CONNECTION_ID()",
	    DB_PARAMS(DB_STR(to), DB_STR(name), from != NULL ? DB_STR(from) :
	    DB_NULL(), DB_STR(name)), &n, NULL);
	if (rc != CORE_OK)
		return rc;
	if (n == 0) {
		/* Same position again also reads 0 rows changed: look. */
		struct db_rows	*r = NULL;

		if ((rc = db_select(db, "SELECT position <=> ?, "
		    "IS_USED_LOCK(" LOCKNAME ") = CONNECTION_ID() "
		    "FROM cursors WHERE name = ?", DB_PARAMS(DB_STR(to),
		    DB_STR(name), DB_STR(name)), &r)) != CORE_OK)
			return rc;
		rc = r->nrows == 1 && db_rows_i64(r, 0, 0, 0) == 1 &&
		    db_rows_i64(r, 0, 1, 0) == 1 ? CORE_OK : CORE_EBUSY;
		db_rows_free(r);
		if (rc == CORE_OK)
			rc = db_exec(db, "UPDATE cursors SET "
			    "last_run_at = UTC_TIMESTAMP(6), "
			    "last_ok_at = UTC_TIMESTAMP(6), last_error = NULL "
			    "WHERE name = ?", DB_PARAMS(DB_STR(name)), NULL,
			    NULL);
	}
	return rc;
}

enum core_err
cursor_error(struct db *db, const char *name, const char *error)
{
	if (!valid_name(name))
		return CORE_EINPUT;
	return db_exec(db, "UPDATE cursors SET last_run_at = UTC_TIMESTAMP(6), "
	    "last_error = ? WHERE name = ?", DB_PARAMS(DB_STR(error),
	    DB_STR(name)), NULL, NULL);
}

enum core_err
cursor_reset(struct db *db, const char *name, const char *position)
{
	struct db_rows	*r = NULL;
	enum core_err	 rc;
	char		 norm[40];
	int64_t		 us;
	enum sstime_kind k;

	if (!valid_name(name))
		return CORE_EINPUT;
	/* Every poll cursor is a UTC instant, stored in one form. */
	if (position != NULL && (sstime_parse_utc(position, &us, &k) == -1 ||
	    k == SSTIME_NULL || sstime_format_utc(us, norm, sizeof(norm)) ==
	    -1))
		return CORE_EINPUT;
	if ((rc = db_exec(db, "UPDATE cursors SET position = ?, "
	    "last_error = NULL WHERE name = ?", DB_PARAMS(position != NULL ?
	    DB_STR(norm) : DB_NULL(), DB_STR(name)), NULL, NULL)) !=
	    CORE_OK)
		return rc;
	/* 0 rows changed is also "already there": tell it from "no row". */
	if ((rc = db_select(db, "SELECT 1 FROM cursors WHERE name = ?",
	    DB_PARAMS(DB_STR(name)), &r)) != CORE_OK)
		return rc;
	rc = r->nrows == 1 ? CORE_OK : CORE_ENOTFOUND;
	db_rows_free(r);
	return rc;
}

static int
dup_cell(const struct db_rows *r, size_t row, size_t col, char **out)
{
	const char	*s = db_rows_get(r, row, col);

	*out = NULL;
	if (s == NULL)
		return 0;
	return (*out = strdup(s)) == NULL ? -1 : 0;
}

/* On CORE_OK *out is new; free with cursor_list_free(). */
enum core_err
cursor_list(struct db *db, struct cursor_list **out)
{
	struct db_rows		*r = NULL;
	struct cursor_list	*l = NULL;
	struct cursor		*c;
	enum core_err		 rc;
	size_t			 i;

	*out = NULL;
	if ((rc = db_select(db, "SELECT name, position, "
	    "DATE_FORMAT(last_run_at, '%Y-%m-%d %H:%i:%s.%f'), "
	    "DATE_FORMAT(last_ok_at, '%Y-%m-%d %H:%i:%s.%f'), last_error, "
	    "IS_USED_LOCK(CONCAT('mlc.', SHA1(CONCAT(DATABASE(), '/', "
	    "name)))) FROM cursors ORDER BY name", DB_NOPARAMS, &r)) !=
	    CORE_OK)
		return rc;
	rc = CORE_ENOMEM;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		goto out;
	if (r->nrows > 0 && (l->v = calloc(r->nrows, sizeof(*l->v))) == NULL)
		goto out;
	for (i = 0; i < r->nrows; i++) {
		c = &l->v[l->n++];
		if (dup_cell(r, i, 0, &c->name) == -1 ||
		    dup_cell(r, i, 1, &c->position) == -1 ||
		    dup_cell(r, i, 2, &c->last_run_at) == -1 ||
		    dup_cell(r, i, 3, &c->last_ok_at) == -1 ||
		    dup_cell(r, i, 4, &c->last_error) == -1)
			goto out;
		c->holder = (long long)db_rows_i64(r, i, 5, 0);
	}
	*out = l;
	l = NULL;
	rc = CORE_OK;
out:
	cursor_list_free(l);
	db_rows_free(r);
	return rc;
}

void
cursor_list_free(struct cursor_list *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].position);
		free(l->v[i].last_run_at);
		free(l->v[i].last_ok_at);
		free(l->v[i].last_error);
	}
	free(l->v);
	free(l);
}
