/*
 * user.c: admin UI accounts (table users): roles, yescrypt password
 * hashes from libxcrypt, and sign-in with throttling per account
 * (users.failed_logins, locked_until) and per client address (table
 * login_throttle, sql/009_ui.sql).
 */
#ifndef ML_USER_H
#define ML_USER_H

#include <stdint.h>

#include "core.h"

/* Ordered: a role may do what every lower one may. */
enum user_role {
	USER_VIEWER,		/* reads every page, changes nothing */
	USER_OPERATOR,		/* replays, mappings, cursor resets */
	USER_ADMIN,		/* also users */
	USER__MAX
};

#define USER_NAME_MAX		56	/* "replay:"+name fits jobs.trigger_by
					   (REPLAY_WHO_MAX); column is 64 */
#define USER_PASSWORD_MIN	10	/* characters */
#define USER_PASSWORD_MAX	1024	/* bytes; yescrypt reads it all */

struct user {
	int64_t		 id;
	char		 name[USER_NAME_MAX + 1];
	enum user_role	 role;
};

enum user_login {
	USER_LOGIN_OK,
	USER_LOGIN_BAD,		/* unknown name, wrong password, disabled */
	USER_LOGIN_LOCKED,	/* this account is locked for a while */
	USER_LOGIN_THROTTLED,	/* this address failed too often */
	USER_LOGIN__MAX
};

const char	*user_role_name(enum user_role);
/* 0 and *out, or -1 for an unknown name. */
int		 user_role_parse(const char *, enum user_role *);
/* 1 when s is a valid user name: 1-56 of [A-Za-z0-9._@-]. */
int		 user_valid_name(const char *s);
/* 1 when s is an acceptable password (length only: NIST 800-63B). */
int		 user_valid_password(const char *s);
/* A yescrypt hash of password. On CORE_OK *out is new; free(). */
enum core_err	 user_hash(const char *password, char **out);
/* 1 when password matches hash (constant-time compare), else 0. */
int		 user_hash_check(const char *password, const char *hash);
/* Add a user; CORE_EBUSY when the name is taken. *id may be NULL. */
enum core_err	 user_add(struct db *, const char *name, const char *password,
		    enum user_role, int64_t *id);
enum core_err	 user_set_password(struct db *, int64_t id,
		    const char *password);
enum core_err	 user_set_role(struct db *, int64_t id, enum user_role);
/* Disabling also ends the user's sessions (sess_end_user). */
enum core_err	 user_set_disabled(struct db *, int64_t id, int disabled);
/*
 * Check a sign-in from address ip and record its outcome for the
 * throttles. *res says what happened; *out is set on USER_LOGIN_OK.
 */
enum core_err	 user_login(struct db *, const char *name,
		    const char *password, const char *ip, struct user *out,
		    enum user_login *res);

#endif /* !ML_USER_H */
