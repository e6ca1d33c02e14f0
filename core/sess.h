/*
 * sess.c: admin UI sessions (table sessions). The cookie value is 256
 * random bits as 64 hex digits; only its sha256 is stored, so a copy of
 * the table signs nobody in. Each session has its own CSRF token.
 */
#ifndef ML_SESS_H
#define ML_SESS_H

#include <stdint.h>

#include "core.h"
#include "user.h"

#define SESS_ID_LEN	64	/* hex digits of the cookie value */

struct sess {
	struct user	 user;
	char		 csrf[SESS_ID_LEN + 1];
};

/*
 * Start a session for user_id, lasting at most max_s seconds and idle
 * at most idle_s. Writes the cookie value and the CSRF token.
 */
enum core_err	 sess_new(struct db *, int64_t user_id, int max_s,
		    char cookie[SESS_ID_LEN + 1], char csrf[SESS_ID_LEN + 1]);
/*
 * The live session of cookie (not expired, not idle longer than idle_s,
 * user not disabled), touching its last use. CORE_ENOTFOUND otherwise.
 */
enum core_err	 sess_get(struct db *, const char *cookie, int idle_s,
		    struct sess *out);
/* End one session (sign out); no session is not an error. */
enum core_err	 sess_end(struct db *, const char *cookie);
/* End every session of a user (disabled, password changed). */
enum core_err	 sess_end_user(struct db *, int64_t user_id);
/* 1 when two tokens are equal, in time independent of their content. */
int		 sess_token_eq(const char *a, const char *b);

#endif /* !ML_SESS_H */
