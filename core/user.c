/*
 * Admin UI accounts. Passwords are hashed with yescrypt through
 * libxcrypt's crypt_gensalt("$y$") and crypt_r (the scheme Debian uses
 * for /etc/shadow: memory-hard, salted, cost in the hash string). The
 * throttles slow guessing without letting a stranger lock an address
 * out for good: both expire.
 */
#include "config.h"

#include <crypt.h>
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "user.h"
#include "sess.h"

static const char *const roles[USER__MAX] = {
	"viewer",	/* USER_VIEWER */
	"operator",	/* USER_OPERATOR */
	"admin",	/* USER_ADMIN */
};

/*
 * A hash checked when the name is unknown, so that the answer takes as
 * long as for a known name with a wrong password. Made once per process
 * (request threads share it read-only afterwards).
 */
static char		 dummy_hash[CRYPT_OUTPUT_SIZE];
static pthread_once_t	 dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	char	*h = NULL;

	if (user_hash("not a password of anyone", &h) == CORE_OK) {
		(void)strncpy(dummy_hash, h, sizeof(dummy_hash) - 1);
		free(h);
	}
}

const char *
user_role_name(enum user_role r)
{
	return r < USER__MAX ? roles[r] : "viewer";
}

int
user_role_parse(const char *s, enum user_role *out)
{
	int	 i;

	for (i = 0; s != NULL && i < USER__MAX; i++)
		if (strcmp(s, roles[i]) == 0) {
			*out = (enum user_role)i;
			return 0;
		}
	return -1;
}

int
user_valid_name(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._@-", s[i]) ==
		    NULL)
			return 0;
	return i > 0 && i <= USER_NAME_MAX;
}

int
user_valid_password(const char *s)
{
	size_t	 n = strlen(s), chars = 0, i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars >= USER_PASSWORD_MIN && n <= USER_PASSWORD_MAX;
}

enum core_err
user_hash(const char *password, char **out)
{
	struct crypt_data	*cd;
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char		*h;
	enum core_err		 rc = CORE_EINPUT;

	*out = NULL;
	if (strlen(password) > USER_PASSWORD_MAX)
		return CORE_EINPUT;
	/* crypt_data is ~32 KiB: too big for a request thread's stack. */
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return CORE_ENOMEM;
	/* NULL entropy: libxcrypt reads getrandom(2) itself. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
		log_warnx("crypt_gensalt: yescrypt unavailable");
		goto out;
	}
	h = crypt_r(password, salt, cd);
	if (h == NULL || h[0] != '$') {
		log_warnx("crypt_r failed");
		goto out;
	}
	rc = (*out = strdup(h)) == NULL ? CORE_ENOMEM : CORE_OK;
out:
	free(cd);
	return rc;
}

int
user_hash_check(const char *password, const char *hash)
{
	struct crypt_data	*cd;
	const char		*h;
	int			 ok = 0;

	if (strlen(password) > USER_PASSWORD_MAX || hash[0] != '$')
		return 0;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	h = crypt_r(password, hash, cd);
	/* A failed crypt_r returns a string starting with '*'. */
	if (h != NULL && h[0] == '$' && strlen(h) == strlen(hash))
		ok = sess_token_eq(h, hash);
	free(cd);
	return ok;
}

enum core_err
user_add(struct db *db, const char *name, const char *password,
    enum user_role role, int64_t *id)
{
	char		*h = NULL;
	uint64_t	 n = 0, iid = 0;
	enum core_err	 rc;

	if (!user_valid_name(name) || !user_valid_password(password) ||
	    role >= USER__MAX)
		return CORE_EINPUT;
	if ((rc = user_hash(password, &h)) != CORE_OK)
		return rc;
	/* IGNORE: a taken name is an answer (EBUSY), not a server error. */
	rc = db_exec(db, "INSERT IGNORE INTO users (username, password_hash, "
	    "role) VALUES (?, ?, ?)", DB_PARAMS(DB_STR(name), DB_STR(h),
	    DB_STR(user_role_name(role))), &n, &iid);
	free(h);
	if (rc == CORE_OK && n == 0)
		rc = CORE_EBUSY;
	if (rc == CORE_OK && id != NULL)
		*id = (int64_t)iid;
	return rc;
}

enum core_err
user_set_password(struct db *db, int64_t id, const char *password)
{
	char		*h = NULL;
	uint64_t	 n = 0;
	enum core_err	 rc;

	if (!user_valid_password(password))
		return CORE_EINPUT;
	if ((rc = user_hash(password, &h)) != CORE_OK)
		return rc;
	rc = db_exec(db, "UPDATE users SET password_hash = ?, failed_logins "
	    "= 0, locked_until = NULL WHERE id = ?", DB_PARAMS(DB_STR(h),
	    DB_I64(id)), &n, NULL);
	free(h);
	if (rc == CORE_OK && n == 0)
		return CORE_ENOTFOUND;
	/* Whoever held the old password is signed out. */
	return rc == CORE_OK ? sess_end_user(db, id) : rc;
}

enum core_err
user_set_role(struct db *db, int64_t id, enum user_role role)
{
	uint64_t	 n = 0;
	enum core_err	 rc;

	if (role >= USER__MAX)
		return CORE_EINPUT;
	rc = db_exec(db, "UPDATE users SET role = ? WHERE id = ?",
	    DB_PARAMS(DB_STR(user_role_name(role)), DB_I64(id)), &n, NULL);
	return rc == CORE_OK && n == 0 ? CORE_ENOTFOUND : rc;
}

enum core_err
user_set_disabled(struct db *db, int64_t id, int disabled)
{
	uint64_t	 n = 0;
	enum core_err	 rc;

	rc = db_exec(db, "UPDATE users SET disabled = ? WHERE id = ?",
	    DB_PARAMS(DB_I64(disabled ? 1 : 0), DB_I64(id)), &n, NULL);
	if (rc == CORE_OK && n == 0)
		return CORE_ENOTFOUND;
	return rc == CORE_OK && disabled ? sess_end_user(db, id) : rc;
}

/* Count a failure against the address (a fresh window when stale). */
static enum core_err
ip_fail(struct db *db, const char *ip)
{
	/* MariaDB applies the assignments left to right: failures reads
	 * the old window_start. */
	return db_exec(db, "INSERT INTO login_throttle (ip, failures, "
	    "window_start) VALUES (?, 1, NOW(6)) ON DUPLICATE KEY UPDATE "
	    "failures = IF(window_start < NOW(6) - INTERVAL ? SECOND, 1, "
	    "failures + 1), window_start = IF(window_start < NOW(6) - "
	    "INTERVAL ? SECOND, NOW(6), window_start)", DB_PARAMS(DB_STR(ip),
	    DB_I64(ML_LOGIN_IP_WINDOW_S), DB_I64(ML_LOGIN_IP_WINDOW_S)),
	    NULL, NULL);
}

static enum core_err
ip_throttled(struct db *db, const char *ip, int *yes)
{
	struct db_rows	*rows = NULL;
	enum core_err	 rc;

	*yes = 0;
	rc = db_select(db, "SELECT failures FROM login_throttle WHERE ip = ? "
	    "AND window_start >= NOW(6) - INTERVAL ? SECOND",
	    DB_PARAMS(DB_STR(ip), DB_I64(ML_LOGIN_IP_WINDOW_S)), &rows);
	if (rc != CORE_OK)
		return rc;
	if (rows->nrows > 0 && db_rows_i64(rows, 0, 0, 0) >=
	    ML_LOGIN_IP_FAILS)
		*yes = 1;
	db_rows_free(rows);
	return CORE_OK;
}

enum core_err
user_login(struct db *db, const char *name, const char *password,
    const char *ip, struct user *out, enum user_login *res)
{
	struct db_rows	*rows = NULL;
	const char	*hash;
	enum core_err	 rc;
	int		 thr, ok, locked, disabled;

	*res = USER_LOGIN_BAD;
	memset(out, 0, sizeof(*out));
	if ((rc = ip_throttled(db, ip, &thr)) != CORE_OK)
		return rc;
	if (thr) {
		*res = USER_LOGIN_THROTTLED;
		return CORE_OK;
	}
	(void)pthread_once(&dummy_once, make_dummy);
	if (!user_valid_name(name) || strlen(password) > USER_PASSWORD_MAX) {
		(void)user_hash_check(password, dummy_hash);
		return ip_fail(db, ip);
	}
	rc = db_select(db, "SELECT id, password_hash, role, disabled, "
	    "IFNULL(locked_until > NOW(6), 0) FROM users WHERE username = ?",
	    DB_PARAMS(DB_STR(name)), &rows);
	if (rc != CORE_OK)
		return rc;
	if (rows->nrows == 0) {
		db_rows_free(rows);
		(void)user_hash_check(password, dummy_hash);
		return ip_fail(db, ip);
	}
	out->id = db_rows_i64(rows, 0, 0, 0);
	hash = db_rows_get(rows, 0, 1);
	(void)user_role_parse(db_rows_get(rows, 0, 2), &out->role);
	disabled = db_rows_i64(rows, 0, 3, 1) != 0;
	locked = db_rows_i64(rows, 0, 4, 0) != 0;
	(void)strncpy(out->name, name, sizeof(out->name) - 1);
	/* A locked account answers without checking: no guess counts. */
	ok = !locked && hash != NULL && user_hash_check(password, hash);
	db_rows_free(rows);
	if (locked) {
		*res = USER_LOGIN_LOCKED;
		return ip_fail(db, ip);
	}
	if (!ok || disabled) {
		/* Left to right: locked_until sees the new count. */
		rc = db_exec(db, "UPDATE users SET failed_logins = "
		    "failed_logins + 1, locked_until = IF(failed_logins >= ?, "
		    "NOW(6) + INTERVAL ? SECOND, locked_until) WHERE id = ?",
		    DB_PARAMS(DB_I64(ML_LOGIN_USER_FAILS),
		    DB_I64(ML_LOGIN_USER_LOCK_S), DB_I64(out->id)), NULL, NULL);
		if (rc == CORE_OK)
			rc = ip_fail(db, ip);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	*res = USER_LOGIN_OK;
	return db_exec(db, "UPDATE users SET failed_logins = 0, locked_until "
	    "= NULL WHERE id = ? AND (failed_logins > 0 OR locked_until IS "
	    "NOT NULL)", DB_PARAMS(DB_I64(out->id)), NULL, NULL);
}
