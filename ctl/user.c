/*
 * ml-connector-ctl user: admin UI accounts from the command line, so
 * that the first admin exists before anyone can sign in.
 *   user add NAME [--role admin|operator|viewer]   password on stdin
 *   user passwd NAME                                password on stdin
 *   user disable NAME | enable NAME
 *   user list
 * The password is read from stdin (one line), never from argv, which
 * other users can read in /proc.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "user.h"
#include "ctl.h"

/* One line from stdin without its newline into buf. 0 or -1. */
static int
read_password(char *buf, size_t sz)
{
	size_t	 n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password: ");
	if (fgets(buf, (int)sz, stdin) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n + 1 == sz && !feof(stdin))
		return -1;	/* longer than the buffer */
	buf[n] = '\0';
	return 0;
}

static int
user_id(struct db *db, const char *name, int64_t *id)
{
	struct db_rows	*r = NULL;
	int		 rc = -1;

	if (db_select(db, "SELECT id FROM users WHERE username = ?",
	    DB_PARAMS(DB_STR(name)), &r) != CORE_OK) {
		fprintf(stderr, "user: %s\n", db_error(db));
		return -1;
	}
	if (r->nrows == 1) {
		*id = db_rows_i64(r, 0, 0, 0);
		rc = 0;
	} else
		fprintf(stderr, "user: no user %s\n", name);
	db_rows_free(r);
	return rc;
}

static int
list(struct db *db)
{
	struct db_rows	*r = NULL;
	size_t		 i;

	if (db_select(db, "SELECT username, role, IF(disabled, 'disabled', "
	    "'active') FROM users ORDER BY username", DB_NOPARAMS, &r) !=
	    CORE_OK) {
		fprintf(stderr, "user: %s\n", db_error(db));
		return 1;
	}
	for (i = 0; i < r->nrows; i++)
		printf("%s\t%s\t%s\n", db_rows_get(r, i, 0),
		    db_rows_get(r, i, 1), db_rows_get(r, i, 2));
	db_rows_free(r);
	return 0;
}

int
ctl_user(const struct cfg *cfg, struct db *db, int argc, char **argv)
{
	char		 pw[USER_PASSWORD_MAX + 2];
	enum user_role	 role = USER_VIEWER;
	enum core_err	 rc;
	int64_t		 id;

	(void)cfg;
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return list(db);
	if (argc < 3 || !user_valid_name(argv[2])) {
		fprintf(stderr, "usage: user add NAME [--role admin|operator|"
		    "viewer] | passwd NAME | disable NAME | enable NAME | "
		    "list\n(NAME: 1-56 of A-Z a-z 0-9 . _ @ -)\n");
		return 1;
	}
	if (strcmp(argv[1], "add") == 0) {
		if (argc == 5 && strcmp(argv[3], "--role") == 0) {
			if (user_role_parse(argv[4], &role) == -1) {
				fprintf(stderr, "user: role must be admin, "
				    "operator or viewer\n");
				return 1;
			}
		} else if (argc != 3) {
			fprintf(stderr, "usage: user add NAME [--role R]\n");
			return 1;
		}
	} else if (argc != 3) {
		fprintf(stderr, "user: too many arguments\n");
		return 1;
	}
	if (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "passwd") == 0) {
		if (read_password(pw, sizeof(pw)) == -1 ||
		    !user_valid_password(pw)) {
			fprintf(stderr, "user: the password (one line on "
			    "stdin) must have %d to %d characters\n",
			    USER_PASSWORD_MIN, USER_PASSWORD_MAX);
			return 1;
		}
		if (strcmp(argv[1], "add") == 0)
			rc = user_add(db, argv[2], pw, role, &id);
		else if (user_id(db, argv[2], &id) == -1)
			return 1;
		else
			rc = user_set_password(db, id, pw);
		explicit_bzero(pw, sizeof(pw));
	} else if (strcmp(argv[1], "disable") == 0 ||
	    strcmp(argv[1], "enable") == 0) {
		if (user_id(db, argv[2], &id) == -1)
			return 1;
		rc = user_set_disabled(db, id, argv[1][0] == 'd');
	} else {
		fprintf(stderr, "user: unknown subcommand %s\n", argv[1]);
		return 1;
	}
	if (rc == CORE_EBUSY) {
		fprintf(stderr, "user: %s exists already\n", argv[2]);
		return 1;
	}
	if (rc != CORE_OK) {
		fprintf(stderr, "user: %s: %s\n", core_strerror(rc),
		    db_error(db));
		return 1;
	}
	printf("user %s: %s%s%s\n", argv[2], argv[1],
	    strcmp(argv[1], "add") == 0 ? " as " : "",
	    strcmp(argv[1], "add") == 0 ? user_role_name(role) : "");
	return 0;
}
