/*
 * Versioned schema migrations: sql/NNN_name.sql, applied in order and
 * recorded in schema_version. A server-side GET_LOCK keeps two
 * migrators (two hosts upgrading at once) from interleaving. Each file
 * is written to be re-runnable (IF NOT EXISTS), so a crash between a
 * file's DDL and its schema_version row is repaired by running again.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"

#define MIGRATE_LOCK		"ml_connector_migrate"
#define MIGRATE_LOCK_WAIT	30	/* seconds */
#define MIGRATE_FILE_MAX	(1024 * 1024)
#define MIGRATE_MAX		1000

struct mfile {
	int	 version;
	char	 name[128];
};

static const char	 create_version_table[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(128) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/* "NNN_words.sql" -> version NNN; -1 if the name does not fit. */
static int
parse_name(const char *n)
{
	size_t	 i, len = strlen(n);
	int	 v = 0;

	if (len < 9 || len >= sizeof(((struct mfile *)0)->name) ||
	    strcmp(n + len - 4, ".sql") != 0)
		return -1;
	for (i = 0; i < 3; i++) {
		if (n[i] < '0' || n[i] > '9')
			return -1;
		v = v * 10 + (n[i] - '0');
	}
	if (n[3] != '_')
		return -1;
	for (i = 4; i < len - 4; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		    (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return -1;
	return v;
}

static int
cmp_mfile(const void *a, const void *b)
{
	return ((const struct mfile *)a)->version -
	    ((const struct mfile *)b)->version;
}

/* List migration files. On CORE_OK *out is new; free() it. */
static enum core_err
list_files(const char *dir, struct mfile **out, size_t *count)
{
	DIR		*d;
	struct dirent	*de;
	struct mfile	*v = NULL, *nv;
	size_t		 n = 0, i;
	int		 ver;

	*out = NULL;
	*count = 0;
	if ((d = opendir(dir)) == NULL) {
		log_warn("migrations directory %s", dir);
		return CORE_ENOTFOUND;
	}
	while ((de = readdir(d)) != NULL) {
		if ((ver = parse_name(de->d_name)) < 0)
			continue;
		if (n >= MIGRATE_MAX ||
		    (nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			closedir(d);
			free(v);
			return CORE_ENOMEM;
		}
		v = nv;
		v[n].version = ver;
		(void)snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_mfile);
	for (i = 1; i < n; i++)
		if (v[i].version == v[i - 1].version) {
			log_warnx("migrations %s and %s share version %d",
			    v[i - 1].name, v[i].name, v[i].version);
			free(v);
			return CORE_EINPUT;
		}
	*out = v;
	*count = n;
	return CORE_OK;
}

/* Read a whole file. On CORE_OK *out is new; free() it. */
static enum core_err
slurp(const char *path, char **out, size_t *len)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return CORE_EIO;
	}
	if (fstat(fd, &st) == -1 || st.st_size > MIGRATE_FILE_MAX) {
		log_warnx("%s: unreadable or too large", path);
		close(fd);
		return CORE_EIO;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return CORE_ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	    (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got != (size_t)st.st_size) {
		log_warnx("%s: short read", path);
		free(buf);
		return CORE_EIO;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return CORE_OK;
}

static int
applied(const struct db_rows *r, int version)
{
	size_t	 i;

	for (i = 0; i < r->nrows; i++)
		if (db_rows_i64(r, i, 0, -1) == version)
			return 1;
	return 0;
}

enum core_err
migrate_run(struct db *db, const char *dir, int dry_run,
    void (*out)(const char *, void *), void *arg, int *napplied)
{
	struct mfile	*files = NULL;
	struct db_rows	*done = NULL, *lock = NULL;
	char		 path[4096], line[256], *sql = NULL;
	size_t		 nfiles, i, len;
	enum core_err	 rc;
	int		 locked = 0, count = 0;

	if (napplied != NULL)
		*napplied = 0;
	if ((rc = list_files(dir, &files, &nfiles)) != CORE_OK)
		return rc;
	if ((rc = db_select(db, "SELECT GET_LOCK(?, ?)", DB_PARAMS(
	    DB_STR(MIGRATE_LOCK), DB_I64(MIGRATE_LOCK_WAIT)), &lock)) !=
	    CORE_OK)
		goto out;
	if (db_rows_i64(lock, 0, 0, 0) != 1) {
		log_warnx("another migration holds the lock");
		rc = CORE_EBUSY;
		goto out;
	}
	locked = 1;
	if ((rc = db_run_script(db, create_version_table,
	    sizeof(create_version_table) - 1)) != CORE_OK ||
	    (rc = db_select(db, "SELECT version FROM schema_version",
	    DB_NOPARAMS, &done)) != CORE_OK)
		goto out;
	for (i = 0; i < nfiles; i++) {
		if (applied(done, files[i].version))
			continue;
		(void)snprintf(line, sizeof(line), "%s %s",
		    dry_run ? "pending" : "applying", files[i].name);
		if (out != NULL)
			out(line, arg);
		count++;
		if (dry_run)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i].name) >=
		    (int)sizeof(path)) {
			rc = CORE_EINPUT;
			goto out;
		}
		if ((rc = slurp(path, &sql, &len)) != CORE_OK)
			goto out;
		if ((rc = db_run_script(db, sql, len)) != CORE_OK) {
			log_warnx("%s: %s", files[i].name, db_error(db));
			goto out;
		}
		free(sql);
		sql = NULL;
		if ((rc = db_exec(db, "INSERT INTO schema_version "
		    "(version, name) VALUES (?, ?)", DB_PARAMS(
		    DB_I64(files[i].version), DB_STR(files[i].name)),
		    NULL, NULL)) != CORE_OK)
			goto out;
	}
	if (napplied != NULL)
		*napplied = count;
	rc = CORE_OK;
out:
	if (locked) {
		db_rows_free(lock);
		lock = NULL;
		(void)db_select(db, "SELECT RELEASE_LOCK(?)",
		    DB_PARAMS(DB_STR(MIGRATE_LOCK)), &lock);
	}
	db_rows_free(lock);
	db_rows_free(done);
	free(sql);
	free(files);
	return rc;
}
