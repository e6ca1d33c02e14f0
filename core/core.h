/*
 * ml-connector core: the one header the programs include.
 * Everything here is shared by ml-connector.fcgi, ml-poller and
 * ml-connector-ctl; nothing here knows about FastCGI or main().
 */
#ifndef ML_CORE_H
#define ML_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "defaults.h"

#if defined(__GNUC__)
#define ML_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define ML_NORETURN	__attribute__((noreturn))
#else
#define ML_PRINTF(a, b)
#define ML_NORETURN
#endif

/* One way to report errors: every core function returns one of these. */
enum core_err {
	CORE_OK = 0,
	CORE_ENOMEM,	/* allocation failed */
	CORE_EINPUT,	/* caller or outside input is invalid */
	CORE_ECONFIG,	/* configuration is invalid */
	CORE_EDB,	/* the database refused a statement */
	CORE_EDBDOWN,	/* the database cannot be reached now */
	CORE_ENOTFOUND,	/* no such row, file or resource */
	CORE_EIO,	/* a file or socket operation failed */
	CORE_EBUSY,	/* someone else holds the lock */
	CORE__MAX
};

/* Static description of an error code; never NULL. */
const char	*core_strerror(enum core_err);

/* cfg.c -------------------------------------------------------------- */

struct cfg_db {
	char		*host;		/* NULL: use socket */
	unsigned int	 port;		/* 0: default 3306 */
	char		*socket;	/* unix socket path, or NULL */
	char		*name;		/* schema name */
	char		*user;
	char		*password;	/* from password_file or environment */
	int		 connect_timeout; /* seconds */
};

struct cfg_fcgi {
	char		*listen;	/* NULL: inherited socket on fd 0 */
	int		 workers;	/* worker processes */
	size_t		 max_body;	/* bytes; larger bodies get 413 */
};

struct cfg_poller {
	int		 interval;	/* seconds between poll cycles */
	int		 lease;		/* seconds a claimed job stays ours */
};

struct cfg {
	char		*path;		/* file this was read from */
	char		*instance;	/* name shown in logs and the UI */
	char		*sql_dir;	/* migrations */
	char		*ui_dir;	/* admin-ui templates and assets */
	struct cfg_db	 db;
	struct cfg_fcgi	 fcgi;
	struct cfg_poller poller;
};

/*
 * Read and check the configuration file. Every problem is printed to
 * stderr as "file:line: message" before CORE_ECONFIG is returned.
 * On CORE_OK *out is new; free it with cfg_free().
 */
enum core_err	 cfg_load(const char *path, struct cfg **out);
void		 cfg_free(struct cfg *);

/* log.c -------------------------------------------------------------- */

/* Log to stderr when foreground is set, else to syslog as ident. */
void		 log_init(const char *ident, int foreground, int verbose);
/* Lead every following line with this request or job id (NULL clears). */
void		 log_set_id(const char *id);
const char	*log_get_id(void);
void		 log_warn(const char *, ...) ML_PRINTF(1, 2);
void		 log_warnx(const char *, ...) ML_PRINTF(1, 2);
void		 log_info(const char *, ...) ML_PRINTF(1, 2);
void		 log_debug(const char *, ...) ML_PRINTF(1, 2);
void		 fatal(const char *, ...) ML_PRINTF(1, 2) ML_NORETURN;
void		 fatalx(const char *, ...) ML_PRINTF(1, 2) ML_NORETURN;

/* rnd.c -------------------------------------------------------------- */

/* Fill buf with len bytes from the kernel CSPRNG. 0 or -1. */
int		 rnd_bytes(void *buf, size_t len);
/* Write 2*len hex digits and a NUL into out (size 2*len+1). 0 or -1. */
int		 rnd_hex(char *out, size_t len);

/* db.c --------------------------------------------------------------- */

struct db;

enum db_type {
	DB_T_NULL,
	DB_T_I64,
	DB_T_STR,
	DB_T__MAX
};

static inline size_t
db_strlen(const char *s)
{
	return s == NULL ? 0 : strlen(s);
}

/* One bound parameter; strings are lent, not copied. */
struct db_val {
	enum db_type	 type;
	int64_t		 i;
	const char	*s;
	size_t		 len;
};

#define DB_NULL()	((struct db_val){ .type = DB_T_NULL })
#define DB_I64(v)	((struct db_val){ .type = DB_T_I64, .i = (v) })
#define DB_STR(v)	((struct db_val){ .type = DB_T_STR, .s = (v), \
			    .len = db_strlen(v) })
#define DB_STRN(v, n)	((struct db_val){ .type = DB_T_STR, .s = (v), .len = (n) })
/* Expands to "array, count" for the params arguments below. */
#define DB_PARAMS(...)	(const struct db_val[]){ __VA_ARGS__ }, \
	(sizeof((const struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val))
#define DB_NOPARAMS	NULL, 0

/* Result of db_select: every cell as a NUL-terminated string or NULL. */
struct db_rows {
	size_t		  nrows;
	size_t		  ncols;
	char		**cells;	/* nrows * ncols, row-major */
	size_t		 *lens;		/* byte length of each cell */
};

/*
 * A handle that connects on first use and reconnects, with backoff,
 * whenever the server went away. New; free with db_free().
 */
struct db	*db_new(const struct cfg_db *);
void		 db_free(struct db *);
/* Connect now if not connected. CORE_OK, CORE_EDBDOWN or CORE_EDB. */
enum core_err	 db_ping(struct db *);
/* Last error text for logs (never contains parameters). */
const char	*db_error(const struct db *);
/* Run one prepared statement; affected/insert_id may be NULL. */
enum core_err	 db_exec(struct db *, const char *sql,
		    const struct db_val *, size_t, uint64_t *affected,
		    uint64_t *insert_id);
/* Run one prepared query. On CORE_OK *out is new; free with db_rows_free(). */
enum core_err	 db_select(struct db *, const char *sql,
		    const struct db_val *, size_t, struct db_rows **out);
const char	*db_rows_get(const struct db_rows *, size_t row, size_t col);
/* Cell as integer; def when NULL or not a number. */
int64_t		 db_rows_i64(const struct db_rows *, size_t row, size_t col,
		    int64_t def);
void		 db_rows_free(struct db_rows *);
enum core_err	 db_begin(struct db *);
enum core_err	 db_commit(struct db *);
enum core_err	 db_rollback(struct db *);
/* Run a trusted multi-statement script (migrations only). */
enum core_err	 db_run_script(struct db *, const char *sql, size_t len);

/* migrate.c ---------------------------------------------------------- */

/*
 * Apply every migration in dir not yet recorded in schema_version, in
 * order, under a server-side lock. With dry_run, only list them.
 * Progress goes to out (may be NULL). *napplied may be NULL.
 */
enum core_err	 migrate_run(struct db *, const char *dir, int dry_run,
		    void (*out)(const char *line, void *arg), void *arg,
		    int *napplied);

/* job.c -------------------------------------------------------------- */

enum job_state {
	JOB_READY,
	JOB_RUNNING,
	JOB_HELD,
	JOB_DONE,
	JOB_DEAD,
	JOB__MAX
};

enum job_class {
	JOB_ERR_NONE,
	JOB_ERR_MAPPING,	/* held until a mapping appears */
	JOB_ERR_DATA,		/* the source document is wrong */
	JOB_ERR_AUTH,		/* credentials refused */
	JOB_ERR_RATE,		/* quota exhausted */
	JOB_ERR_TRANSIENT,	/* network, 5xx, timeouts */
	JOB_ERR__MAX
};

struct job {
	int64_t		 id;
	char		*kind;
	char		*key;
	char		*payload;	/* JSON text, may be NULL */
	int		 attempts;	/* including this one */
	int		 max_attempts;
};

const char	*job_state_name(enum job_state);
const char	*job_class_name(enum job_class);
/* Insert a job unless one with the same kind and key exists. */
enum core_err	 job_enqueue(struct db *, const char *kind, const char *key,
		    const char *payload, int priority, int64_t *id);
/*
 * Claim the next due job (SKIP LOCKED) for owner with a lease.
 * CORE_ENOTFOUND when none is due. On CORE_OK *out is new; free with
 * job_free().
 */
enum core_err	 job_claim(struct db *, const char *owner, int lease,
		    struct job **out);
/* Mark done; only succeeds while owner still holds the lease. */
enum core_err	 job_done(struct db *, const struct job *, const char *owner);
/* Record a failure: retry later with backoff, hold, or park as dead. */
enum core_err	 job_fail(struct db *, const struct job *, const char *owner,
		    enum job_class, const char *error);
void		 job_free(struct job *);

#endif /* !ML_CORE_H */
