/*
 * Configuration loading. Fixture cases live in tests/data/cfg/<case>/:
 * "input" is a config file, "expected" what cfg_load prints to stderr
 * (with the file name as @FILE@), or "configuration OK".
 * A new case is two new files, not new code.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "core.h"

#define MAX_CASES	256
#define OUT_MAX		8192

static char	*case_names[MAX_CASES];

static char *
read_all(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, OUT_MAX);
	assert_non_null(buf);
	n = fread(buf, 1, OUT_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Replace every occurrence of path in s with @FILE@. */
static void
normalise(char *s, const char *path)
{
	char	 out[OUT_MAX];
	size_t	 o = 0, plen = strlen(path);
	char	*p = s;

	while (*p != '\0' && o + 8 < sizeof(out)) {
		if (strncmp(p, path, plen) == 0) {
			memcpy(out + o, "@FILE@", 6);
			o += 6;
			p += plen;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
}

/* Run cfg_load on path, capturing stderr; return what it printed. */
static char *
load_capture(const char *path, enum core_err *rc, struct cfg **out)
{
	char	 tmpl[] = "/tmp/test-cfg.XXXXXX";
	int	 fd, saved;
	char	*text;

	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 2) == 2);
	*rc = cfg_load(path, out);
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	close(fd);
	text = read_all(tmpl);
	assert_non_null(text);
	unlink(tmpl);
	return text;
}

static void
fixture_case(void **state)
{
	const char	*name = *state;
	char		 input[1024], expected[1024];
	char		*want, *got;
	struct cfg	*c = NULL;
	enum core_err	 rc;

	(void)snprintf(input, sizeof(input), "%s/%s/input", CFG_DATA_DIR, name);
	(void)snprintf(expected, sizeof(expected), "%s/%s/expected",
	    CFG_DATA_DIR, name);
	want = read_all(expected);
	assert_non_null(want);
	got = load_capture(input, &rc, &c);
	normalise(got, input);
	if (strcmp(want, "configuration OK\n") == 0) {
		assert_int_equal(rc, CORE_OK);
		assert_non_null(c);
		assert_string_equal(got, "");
	} else {
		assert_int_equal(rc, CORE_ECONFIG);
		assert_null(c);
		assert_string_equal(got, want);
	}
	cfg_free(c);
	free(want);
	free(got);
}

static void
values_loaded(void **state)
{
	char		 path[1024];
	struct cfg	*c = NULL;
	enum core_err	 rc;
	char		*out;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/valid-full/input", CFG_DATA_DIR);
	out = load_capture(path, &rc, &c);
	assert_int_equal(rc, CORE_OK);
	assert_string_equal(c->instance, "acme");
	assert_string_equal(c->db.host, "db.internal");
	assert_int_equal(c->db.port, 3307);
	assert_null(c->db.socket);
	assert_int_equal(c->db.connect_timeout, 3);
	assert_int_equal(c->fcgi.workers, 4);
	assert_int_equal(c->fcgi.max_body, 65536);
	assert_string_equal(c->fcgi.listen, "/tmp/x.sock");
	assert_int_equal(c->poller.interval, 10);
	assert_int_equal(c->poller.lease, 60);
	assert_string_equal(c->poller.lock_file, "/tmp/p.lock");
	assert_string_equal(c->sql_dir, "/tmp/sql");
	assert_int_equal(c->retention.events_days, 7);
	assert_int_equal(c->retention.audit_days, 60);
	assert_int_equal(c->retention.jobs_days, 14);
	assert_int_equal(c->retention.interval, 0);
	assert_int_equal(c->retention.batch, 100);
	cfg_free(c);
	free(out);
}

static void
defaults_applied(void **state)
{
	char		 path[1024];
	struct cfg	*c = NULL;
	enum core_err	 rc;
	char		*out;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/valid-minimal/input",
	    CFG_DATA_DIR);
	unsetenv(ML_ENV_DB_PASSWORD);
	out = load_capture(path, &rc, &c);
	assert_int_equal(rc, CORE_OK);
	assert_string_equal(c->instance, "default");
	assert_string_equal(c->db.socket, "/run/mysqld/mysqld.sock");
	assert_null(c->db.password);
	assert_int_equal(c->fcgi.workers, ML_FCGI_WORKERS_DEFAULT);
	assert_int_equal(c->fcgi.max_body, ML_MAX_BODY_DEFAULT);
	assert_int_equal(c->poller.interval, ML_POLL_INTERVAL_DEFAULT);
	assert_string_equal(c->poller.lock_file, ML_POLL_LOCK_DEFAULT);
	assert_int_equal(c->retention.events_days, ML_RETENTION_EVENTS_DAYS);
	assert_int_equal(c->retention.audit_days, ML_RETENTION_AUDIT_DAYS);
	assert_int_equal(c->retention.jobs_days, ML_RETENTION_JOBS_DAYS);
	assert_int_equal(c->retention.interval, ML_RETENTION_INTERVAL);
	assert_int_equal(c->retention.batch, ML_RETENTION_BATCH);
	cfg_free(c);
	free(out);
}

static void
password_from_env(void **state)
{
	char		 path[1024];
	struct cfg	*c = NULL;
	enum core_err	 rc;
	char		*out;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/valid-minimal/input",
	    CFG_DATA_DIR);
	setenv(ML_ENV_DB_PASSWORD, "from-env", 1);
	out = load_capture(path, &rc, &c);
	unsetenv(ML_ENV_DB_PASSWORD);
	assert_int_equal(rc, CORE_OK);
	assert_string_equal(c->db.password, "from-env");
	cfg_free(c);
	free(out);
}

/* Writes a config naming a secret file of the given mode. */
static void
secret_case(mode_t mode, enum core_err want_rc, const char *want_pw,
    const char *want_msg)
{
	char		 dir[] = "/tmp/test-cfg-secret.XXXXXX";
	char		 conf[256], secret[256];
	struct cfg	*c = NULL;
	enum core_err	 rc;
	FILE		*f;
	char		*out;

	assert_non_null(mkdtemp(dir));
	(void)snprintf(secret, sizeof(secret), "%s/pw", dir);
	(void)snprintf(conf, sizeof(conf), "%s/conf", dir);
	f = fopen(secret, "w");
	assert_non_null(f);
	fputs("s3cret\n", f);
	fclose(f);
	assert_int_equal(chmod(secret, mode), 0);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "database: {\n name = \"ml\"; user = \"ml\";\n"
	    " password_file = \"%s\";\n};\n", secret);
	fclose(f);
	out = load_capture(conf, &rc, &c);
	assert_int_equal(rc, want_rc);
	if (want_pw != NULL)
		assert_string_equal(c->db.password, want_pw);
	if (want_msg != NULL)
		assert_non_null(strstr(out, want_msg));
	else
		assert_string_equal(out, "");
	cfg_free(c);
	free(out);
	unlink(secret);
	unlink(conf);
	rmdir(dir);
}

static void
secret_private_file(void **state)
{
	(void)state;
	/* Trailing newline stripped. */
	secret_case(0600, CORE_OK, "s3cret", NULL);
}

static void
secret_world_readable(void **state)
{
	(void)state;
	secret_case(0644, CORE_ECONFIG, NULL, ":3: secret file ");
	secret_case(0640, CORE_ECONFIG, NULL, "chmod 600");
}

static void
missing_file(void **state)
{
	struct cfg	*c = NULL;
	enum core_err	 rc;
	char		*out;

	(void)state;
	out = load_capture("/nonexistent/ml.conf", &rc, &c);
	assert_int_equal(rc, CORE_ECONFIG);
	assert_string_equal(out, "/nonexistent/ml.conf:0: cannot open: "
	    "No such file or directory\n");
	free(out);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(values_loaded),
		cmocka_unit_test(defaults_applied),
		cmocka_unit_test(password_from_env),
		cmocka_unit_test(secret_private_file),
		cmocka_unit_test(secret_world_readable),
		cmocka_unit_test(missing_file),
	};
	struct CMUnitTest	 tests[MAX_CASES + 16];
	size_t			 n = 0, ncases = 0, i;
	DIR			*d;
	struct dirent		*de;

	if ((d = opendir(CFG_DATA_DIR)) == NULL) {
		perror(CFG_DATA_DIR);
		return 1;
	}
	while ((de = readdir(d)) != NULL && ncases < MAX_CASES)
		if (de->d_name[0] != '.')
			case_names[ncases++] = strdup(de->d_name);
	closedir(d);
	qsort(case_names, ncases, sizeof(case_names[0]), cmp_names);
	for (i = 0; i < ncases; i++) {
		memset(&tests[n], 0, sizeof(tests[n]));
		tests[n].name = case_names[i];
		tests[n].test_func = fixture_case;
		tests[n].initial_state = case_names[i];
		n++;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	return _cmocka_run_group_tests("cfg", tests, n, NULL, NULL);
}
