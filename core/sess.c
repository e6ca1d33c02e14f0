/*
 * Admin UI sessions. The cookie carries 32 random bytes (256 bits) as
 * hex; the table keeps their sha256, so reading the table (a backup, a
 * replica) gives no usable cookie. A session ends at expires_at (set at
 * sign-in: no sliding forever) or after idle seconds without a request.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "user.h"
#include "sess.h"

int
sess_token_eq(const char *a, const char *b)
{
	size_t		 n = strlen(a), i;
	unsigned char	 d = 0;

	if (n != strlen(b))
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int
valid_cookie(const char *c)
{
	size_t	 i;

	for (i = 0; c[i] != '\0'; i++)
		if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' &&
		    c[i] <= 'f')))
			return 0;
	return i == SESS_ID_LEN;
}

enum core_err
sess_new(struct db *db, int64_t user_id, int max_s,
    char cookie[SESS_ID_LEN + 1], char csrf[SESS_ID_LEN + 1])
{
	char		 h[65];
	enum core_err	 rc;

	if (rnd_hex(cookie, SESS_ID_LEN / 2) == -1 ||
	    rnd_hex(csrf, SESS_ID_LEN / 2) == -1)
		return CORE_EIO;
	hash_sha256_hex(cookie, SESS_ID_LEN, h);
	rc = db_exec(db, "INSERT INTO sessions (id_hash, user_id, csrf_token, "
	    "expires_at) VALUES (?, ?, ?, NOW(6) + INTERVAL ? SECOND)",
	    DB_PARAMS(DB_STR(h), DB_I64(user_id), DB_STR(csrf),
	    DB_I64(max_s)), NULL, NULL);
	/* Expired sessions of anyone go now: the table stays small. */
	if (rc == CORE_OK)
		(void)db_exec(db, "DELETE FROM sessions WHERE expires_at < "
		    "NOW(6) LIMIT 100", DB_NOPARAMS, NULL, NULL);
	return rc;
}

enum core_err
sess_get(struct db *db, const char *cookie, int idle_s, struct sess *out)
{
	struct db_rows	*rows = NULL;
	char		 h[65];
	enum core_err	 rc;
	int		 touch;

	memset(out, 0, sizeof(*out));
	if (cookie == NULL || !valid_cookie(cookie))
		return CORE_ENOTFOUND;
	hash_sha256_hex(cookie, SESS_ID_LEN, h);
	rc = db_select(db, "SELECT s.user_id, u.username, u.role, "
	    "s.csrf_token, s.last_seen_at < NOW(6) - INTERVAL ? SECOND "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.id_hash = ? AND s.expires_at > NOW(6) AND "
	    "s.last_seen_at > NOW(6) - INTERVAL ? SECOND AND u.disabled = 0",
	    DB_PARAMS(DB_I64(ML_SESS_TOUCH_S), DB_STR(h), DB_I64(idle_s)),
	    &rows);
	if (rc != CORE_OK)
		return rc;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		return CORE_ENOTFOUND;
	}
	out->user.id = db_rows_i64(rows, 0, 0, 0);
	(void)strncpy(out->user.name, db_rows_get(rows, 0, 1),
	    sizeof(out->user.name) - 1);
	(void)user_role_parse(db_rows_get(rows, 0, 2), &out->user.role);
	(void)strncpy(out->csrf, db_rows_get(rows, 0, 3),
	    sizeof(out->csrf) - 1);
	touch = db_rows_i64(rows, 0, 4, 0) != 0;
	db_rows_free(rows);
	if (touch)
		(void)db_exec(db, "UPDATE sessions SET last_seen_at = NOW(6) "
		    "WHERE id_hash = ?", DB_PARAMS(DB_STR(h)), NULL, NULL);
	return CORE_OK;
}

enum core_err
sess_end(struct db *db, const char *cookie)
{
	char	 h[65];

	if (cookie == NULL || !valid_cookie(cookie))
		return CORE_OK;
	hash_sha256_hex(cookie, SESS_ID_LEN, h);
	return db_exec(db, "DELETE FROM sessions WHERE id_hash = ?",
	    DB_PARAMS(DB_STR(h)), NULL, NULL);
}

enum core_err
sess_end_user(struct db *db, int64_t user_id)
{
	return db_exec(db, "DELETE FROM sessions WHERE user_id = ?",
	    DB_PARAMS(DB_I64(user_id)), NULL, NULL);
}
