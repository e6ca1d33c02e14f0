/*
 * MariaDB/MySQL access through libmariadb. Data statements are prepared
 * with bound parameters, always; only fixed text (session setup,
 * transaction control, migration scripts from sql/) goes through
 * mysql_real_query.
 *
 * Prepared statements are cached per connection (ML_DB_STMT_CACHE,
 * least recently used out), so a hot statement costs one round trip,
 * not three; the cache owns them and drops them with the connection.
 * Callers never close a statement they ran.
 *
 * The handle connects lazily and, when the server goes away, drops the
 * connection and reconnects on a later call with exponential backoff, so
 * a restart of MariaDB never needs a restart of our processes. A
 * statement that fails because the connection was lost is not retried
 * here: it may have committed, and only the caller knows whether
 * repeating it is safe.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "core.h"

struct stmt_slot {
	char			*sql;		/* NULL: free slot */
	MYSQL_STMT		*st;
	uint64_t		 used;		/* tick of the last use */
};

struct db {
	const struct cfg_db	*cfg;		/* lent by the caller */
	MYSQL			*conn;		/* NULL while disconnected */
	struct stmt_slot	 cache[ML_DB_STMT_CACHE];
	uint64_t		 tick;
	uint64_t		 next_try;	/* monotonic ms of next connect */
	unsigned int		 backoff;	/* current backoff in ms */
	int			 in_txn;
	int			 lost;		/* had a connection, lost it */
	char			 err[256];
};

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Is this client or server error a sign that the connection is gone? */
static int
conn_lost(unsigned int e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case 4031:	/* ER_CLIENT_INTERACTION_TIMEOUT */
		return 1;
	default:
		return 0;
	}
}

static void
drop(struct db *db)
{
	size_t	 i;

	for (i = 0; i < ML_DB_STMT_CACHE; i++) {
		if (db->cache[i].sql == NULL)
			continue;
		mysql_stmt_close(db->cache[i].st);
		free(db->cache[i].sql);
		db->cache[i].sql = NULL;
		db->cache[i].st = NULL;
	}
	if (db->conn != NULL) {
		mysql_close(db->conn);
		db->conn = NULL;
	}
	db->in_txn = 0;
}

static void
set_err(struct db *db, unsigned int code, const char *msg)
{
	(void)snprintf(db->err, sizeof(db->err), "%u: %s", code, msg);
}

static enum core_err
session_setup(struct db *db)
{
	static const char	 q[] = "SET time_zone = '+00:00', "
	    "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
	    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

	if (mysql_real_query(db->conn, q, sizeof(q) - 1) != 0) {
		set_err(db, mysql_errno(db->conn), mysql_error(db->conn));
		return CORE_EDB;
	}
	return CORE_OK;
}

/* Make sure we hold a live connection, respecting the backoff. */
static enum core_err
connect_db(struct db *db)
{
	const struct cfg_db	*c = db->cfg;
	unsigned int		 t = (unsigned int)c->connect_timeout;
	unsigned int		 rw = ML_DB_RW_TIMEOUT;
	my_bool			 no = 0;
	uint64_t		 now;
	MYSQL			*m;

	if (db->conn != NULL)
		return CORE_OK;
	now = now_ms();
	if (now < db->next_try)
		return CORE_EDBDOWN;
	if ((m = mysql_init(NULL)) == NULL) {
		set_err(db, 0, "mysql_init: out of memory");
		return CORE_ENOMEM;
	}
	if (mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &t) != 0 ||
	    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw) != 0 ||
	    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw) != 0 ||
	    mysql_options(m, MYSQL_OPT_RECONNECT, &no) != 0 ||
	    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0) {
		set_err(db, mysql_errno(m), mysql_error(m));
		mysql_close(m);
		return CORE_EDB;
	}
	if (mysql_real_connect(m, c->host, c->user, c->password, c->name,
	    c->port, c->host == NULL ? c->socket : NULL, 0) == NULL) {
		set_err(db, mysql_errno(m), mysql_error(m));
		mysql_close(m);
		db->lost = 1;
		db->backoff = db->backoff == 0 ? ML_DB_BACKOFF_MIN_MS :
		    db->backoff * 2;
		if (db->backoff > ML_DB_BACKOFF_MAX_MS)
			db->backoff = ML_DB_BACKOFF_MAX_MS;
		db->next_try = now + db->backoff;
		log_warnx("database connect failed (retry in %u ms): %s",
		    db->backoff, db->err);
		return CORE_EDBDOWN;
	}
	db->conn = m;
	if (session_setup(db) != CORE_OK) {
		drop(db);
		return CORE_EDB;
	}
	if (db->lost)
		log_info("database connection restored");
	db->lost = 0;
	db->backoff = 0;
	db->next_try = 0;
	return CORE_OK;
}

/* Classify a failure on the live connection; drop it if it is gone. */
static enum core_err
fail(struct db *db, unsigned int code, const char *msg)
{
	set_err(db, code, msg);
	if (conn_lost(code)) {
		log_warnx("database connection lost: %s", db->err);
		db->lost = 1;
		drop(db);
		return CORE_EDBDOWN;
	}
	return CORE_EDB;
}

enum core_err
db_global_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? CORE_OK : CORE_ENOMEM;
}

struct db *
db_new(const struct cfg_db *cfg)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = cfg;
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	drop(db);
	free(db);
}

const char *
db_error(const struct db *db)
{
	return db->err;
}

enum core_err
db_ping(struct db *db)
{
	enum core_err	 rc;

	if (db->conn != NULL && mysql_ping(db->conn) != 0) {
		rc = fail(db, mysql_errno(db->conn), mysql_error(db->conn));
		if (rc != CORE_EDBDOWN)
			return rc;
		/* A stale connection after a restart: try a fresh one now. */
		db->next_try = 0;
	}
	return connect_db(db);
}

/* The cached statement for sql, preparing it on first use. */
static enum core_err
stmt_get(struct db *db, const char *sql, MYSQL_STMT **out)
{
	struct stmt_slot	*slot = NULL;
	MYSQL_STMT		*st;
	enum core_err		 rc;
	size_t			 i;

	*out = NULL;
	for (i = 0; i < ML_DB_STMT_CACHE; i++) {
		if (db->cache[i].sql != NULL &&
		    strcmp(db->cache[i].sql, sql) == 0) {
			db->cache[i].used = ++db->tick;
			*out = db->cache[i].st;
			return CORE_OK;
		}
		if (slot == NULL || db->cache[i].sql == NULL ||
		    (slot->sql != NULL && db->cache[i].used < slot->used))
			slot = &db->cache[i];
	}
	if ((st = mysql_stmt_init(db->conn)) == NULL)
		return fail(db, mysql_errno(db->conn), mysql_error(db->conn));
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return rc;
	}
	if (slot->sql != NULL) {
		mysql_stmt_close(slot->st);
		free(slot->sql);
	}
	if ((slot->sql = strdup(sql)) == NULL) {
		mysql_stmt_close(st);
		slot->st = NULL;
		return CORE_ENOMEM;
	}
	slot->st = st;
	slot->used = ++db->tick;
	*out = st;
	return CORE_OK;
}

/*
 * Bind params to the cached statement for sql and execute it. On
 * CORE_OK *out is the executed statement, lent (the cache owns it).
 */
static enum core_err
run(struct db *db, const char *sql, const struct db_val *p, size_t n,
    MYSQL_STMT **out)
{
	MYSQL_STMT	*st;
	MYSQL_BIND	*b = NULL;
	unsigned long	*lens = NULL;
	long long	*ints = NULL;
	enum core_err	 rc;
	size_t		 i;

	*out = NULL;
	if ((rc = connect_db(db)) != CORE_OK)
		return rc;
	if ((rc = stmt_get(db, sql, &st)) != CORE_OK)
		return rc;
	if (mysql_stmt_param_count(st) != n) {
		set_err(db, 0, "parameter count mismatch");
		return CORE_EINPUT;
	}
	if (n > 0) {
		b = calloc(n, sizeof(*b));
		lens = calloc(n, sizeof(*lens));
		ints = calloc(n, sizeof(*ints));
		if (b == NULL || lens == NULL || ints == NULL) {
			rc = CORE_ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++) {
			switch (p[i].type) {
			case DB_T_NULL:
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			case DB_T_I64:
				ints[i] = p[i].i;
				b[i].buffer_type = MYSQL_TYPE_LONGLONG;
				b[i].buffer = &ints[i];
				break;
			case DB_T_STR:
				if (p[i].s == NULL) {
					b[i].buffer_type = MYSQL_TYPE_NULL;
					break;
				}
				lens[i] = (unsigned long)p[i].len;
				b[i].buffer_type = MYSQL_TYPE_STRING;
				b[i].buffer = (void *)(uintptr_t)p[i].s;
				b[i].buffer_length = lens[i];
				b[i].length = &lens[i];
				break;
			default:
				rc = CORE_EINPUT;
				goto out;
			}
		}
		if (mysql_stmt_bind_param(st, b) != 0) {
			rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
			goto out;
		}
	}
	if (mysql_stmt_execute(st) != 0) {
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	*out = st;
	rc = CORE_OK;
out:
	free(b);
	free(lens);
	free(ints);
	return rc;
}

enum core_err
db_exec(struct db *db, const char *sql, const struct db_val *p, size_t n,
    uint64_t *affected, uint64_t *insert_id)
{
	MYSQL_STMT	*st;
	enum core_err	 rc;

	if ((rc = run(db, sql, p, n, &st)) != CORE_OK)
		return rc;
	if (affected != NULL)
		*affected = (uint64_t)mysql_stmt_affected_rows(st);
	if (insert_id != NULL)
		*insert_id = (uint64_t)mysql_stmt_insert_id(st);
	return CORE_OK;
}

/* Append one fetched row of n columns to r, copying each value. */
static enum core_err
take_row(struct db *db, MYSQL_STMT *st, struct db_rows *r, size_t n,
    const unsigned long *len, const my_bool *isnull, size_t *cap)
{
	MYSQL_BIND	 b;
	size_t		 base, i;
	char		**cells;
	size_t		*lens;

	if (r->nrows * n + n > *cap) {
		size_t ncap = *cap == 0 ? n * 16 : *cap * 2;
		if ((cells = reallocarray(r->cells, ncap, sizeof(*cells))) == NULL)
			return CORE_ENOMEM;
		r->cells = cells;
		if ((lens = reallocarray(r->lens, ncap, sizeof(*lens))) == NULL)
			return CORE_ENOMEM;
		r->lens = lens;
		*cap = ncap;
	}
	base = r->nrows * n;
	for (i = 0; i < n; i++) {
		r->cells[base + i] = NULL;
		r->lens[base + i] = 0;
	}
	r->nrows++;
	for (i = 0; i < n; i++) {
		if (isnull[i])
			continue;
		if (len[i] > ML_DB_VALUE_MAX) {
			set_err(db, 0, "column value too large");
			return CORE_EDB;
		}
		if ((r->cells[base + i] = malloc(len[i] + 1)) == NULL)
			return CORE_ENOMEM;
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = r->cells[base + i];
		b.buffer_length = len[i] + 1;
		if (len[i] > 0 &&
		    mysql_stmt_fetch_column(st, &b, (unsigned int)i, 0) != 0)
			return fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		r->cells[base + i][len[i]] = '\0';
		r->lens[base + i] = len[i];
	}
	return CORE_OK;
}

enum core_err
db_select(struct db *db, const char *sql, const struct db_val *p, size_t n,
    struct db_rows **out)
{
	MYSQL_STMT	*st = NULL;
	MYSQL_RES	*meta = NULL;
	MYSQL_BIND	*b = NULL;
	unsigned long	*len = NULL;
	my_bool		*isnull = NULL;
	struct db_rows	*r = NULL;
	enum core_err	 rc;
	size_t		 ncols, i, cap = 0;
	int		 f;

	*out = NULL;
	if ((rc = run(db, sql, p, n, &st)) != CORE_OK)
		return rc;
	rc = CORE_ENOMEM;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	if ((meta = mysql_stmt_result_metadata(st)) == NULL) {
		rc = fail(db, mysql_stmt_errno(st), "statement returns no rows");
		goto out;
	}
	ncols = mysql_num_fields(meta);
	r->ncols = ncols;
	b = calloc(ncols, sizeof(*b));
	len = calloc(ncols, sizeof(*len));
	isnull = calloc(ncols, sizeof(*isnull));
	if (b == NULL || len == NULL || isnull == NULL)
		goto out;
	/* Zero-length buffers: fetch reports lengths, then we copy each. */
	for (i = 0; i < ncols; i++) {
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].length = &len[i];
		b[i].is_null = &isnull[i];
	}
	if (mysql_stmt_bind_result(st, b) != 0 ||
	    mysql_stmt_store_result(st) != 0) {
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED)
		if ((rc = take_row(db, st, r, ncols, len, isnull, &cap)) !=
		    CORE_OK)
			goto out;
	if (f != MYSQL_NO_DATA) {
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	*out = r;
	r = NULL;
	rc = CORE_OK;
out:
	db_rows_free(r);
	free(b);
	free(len);
	free(isnull);
	if (meta != NULL)
		mysql_free_result(meta);
	/* The cache keeps the statement; its result set goes now. A lost
	 * connection has already dropped both. */
	if (db->conn != NULL && mysql_stmt_free_result(st) != 0 &&
	    rc == CORE_OK)
		rc = fail(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	return rc;
}

const char *
db_rows_get(const struct db_rows *r, size_t row, size_t col)
{
	if (r == NULL || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

int64_t
db_rows_i64(const struct db_rows *r, size_t row, size_t col, int64_t def)
{
	const char	*s = db_rows_get(r, row, col);
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return def;
	return (int64_t)v;
}

void
db_rows_free(struct db_rows *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	free(r->lens);
	free(r);
}

static enum core_err
simple(struct db *db, const char *q)
{
	enum core_err	 rc;

	if ((rc = connect_db(db)) != CORE_OK)
		return rc;
	if (mysql_real_query(db->conn, q, (unsigned long)strlen(q)) != 0)
		return fail(db, mysql_errno(db->conn), mysql_error(db->conn));
	return CORE_OK;
}

/* Append s to buf (size sz, NUL-terminated). 0 or -1. */
static int
append(char *buf, size_t sz, const char *s)
{
	size_t	 have = strlen(buf), add = strlen(s);

	if (have + add >= sz)
		return -1;
	memcpy(buf + have, s, add + 1);
	return 0;
}

int
db_sql_build(char *sql, size_t sz, const char *head, const char *item,
    size_t n, const char *tail)
{
	size_t	 i;

	if (sz == 0)
		return -1;
	sql[0] = '\0';
	if (append(sql, sz, head) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if ((i > 0 && append(sql, sz, ", ") == -1) ||
		    append(sql, sz, item) == -1)
			return -1;
	return append(sql, sz, tail);
}

enum core_err
db_begin(struct db *db)
{
	enum core_err	 rc;

	if ((rc = simple(db, "START TRANSACTION")) == CORE_OK)
		db->in_txn = 1;
	return rc;
}

enum core_err
db_commit(struct db *db)
{
	enum core_err	 rc;

	if (db->conn == NULL)
		return CORE_EDBDOWN;
	rc = simple(db, "COMMIT");
	db->in_txn = 0;
	return rc;
}

enum core_err
db_rollback(struct db *db)
{
	enum core_err	 rc;

	if (db->conn == NULL)
		return CORE_EDBDOWN;
	rc = simple(db, "ROLLBACK");
	db->in_txn = 0;
	return rc;
}

enum core_err
db_run_script(struct db *db, const char *sql, size_t len)
{
	MYSQL_RES	*res;
	enum core_err	 rc;
	int		 st;

	if ((rc = connect_db(db)) != CORE_OK)
		return rc;
	if (mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_ON))
		return fail(db, mysql_errno(db->conn), mysql_error(db->conn));
	if (mysql_real_query(db->conn, sql, (unsigned long)len) != 0) {
		rc = fail(db, mysql_errno(db->conn), mysql_error(db->conn));
		goto out;
	}
	do {
		if ((res = mysql_store_result(db->conn)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->conn) != 0) {
			rc = fail(db, mysql_errno(db->conn),
			    mysql_error(db->conn));
			goto out;
		}
	} while ((st = mysql_next_result(db->conn)) == 0);
	if (st > 0) {
		rc = fail(db, mysql_errno(db->conn), mysql_error(db->conn));
		goto out;
	}
	rc = CORE_OK;
out:
	if (db->conn != NULL &&
	    mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF)
	    != 0 && rc == CORE_OK)
		rc = fail(db, mysql_errno(db->conn), mysql_error(db->conn));
	return rc;
}
