/*
 * SData where= parser and evaluator (sandbox/sdata.c). Fixture cases
 * live in tests/data/sdata/<case>/: "input" is one expression, and
 * "expected" the tree in prefix form (sdata_dump) or "error POS: msg"
 * with a 1-based position. GQL_FIXTURE_WRITE=1 writes a missing
 * "expected" (read it before committing). Evaluation cases run over
 * the records below.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sdata.h"

#define MAX_CASES	256
#define FILE_MAX	8192

static char	*case_names[MAX_CASES];

static char *
read_all(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, FILE_MAX);
	assert_non_null(buf);
	n = fread(buf, 1, FILE_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *
render(const char *src)
{
	struct sdata_expr	*e;
	struct sdata_error	 err;
	char			*d, *out;

	out = malloc(FILE_MAX);
	assert_non_null(out);
	if ((e = sdata_parse(src, &err)) == NULL) {
		(void)snprintf(out, FILE_MAX, "error %zu: %s\n", err.pos + 1,
		    err.msg);
		return out;
	}
	d = sdata_dump(e);
	assert_non_null(d);
	(void)snprintf(out, FILE_MAX, "%s\n", d);
	free(d);
	sdata_free(e);
	return out;
}

static void
fixture(void **state)
{
	const char	*name = *state;
	char		 path[1024];
	char		*in, *want, *got;
	FILE		*f;

	(void)snprintf(path, sizeof(path), "%s/%s/input", SDATA_DATA_DIR,
	    name);
	in = read_all(path);
	assert_non_null(in);
	in[strcspn(in, "\n")] = '\0';
	got = render(in);
	(void)snprintf(path, sizeof(path), "%s/%s/expected", SDATA_DATA_DIR,
	    name);
	want = read_all(path);
	if (want == NULL && getenv("GQL_FIXTURE_WRITE") != NULL &&
	    (f = fopen(path, "w")) != NULL) {
		fputs(got, f);
		fclose(f);
		want = read_all(path);
	}
	assert_non_null(want);
	if (strncmp(name, "invalid-", 8) == 0)
		assert_true(strncmp(got, "error ", 6) == 0);
	else
		assert_true(strncmp(got, "error ", 6) != 0);
	assert_string_equal(got, want);
	free(in);
	free(want);
	free(got);
}

struct evcase {
	const char	*expr;
	const char	*want;	/* keys of matching records, in order */
};

/* Records as api1 $query resources carry them (sage-x3.md §1.4). */
static const char *const records =
    "[{\"K\":\"A\",\"BPCNAM\":\"Acme Inc.\",\"CRY\":\"US\",\"QTY\":5,"
    "\"DLVQTY\":5,\"GROPRI\":19.5,\"ORDDAT\":\"2024-01-31\","
    "\"UPDDATTIM\":\"2024-01-04T19:33:03Z\",\"BPDSAT\":\"CA\"},"
    "{\"K\":\"B\",\"BPCNAM\":\"O'Brien & Söhne\",\"CRY\":\"DE\",\"QTY\":2,"
    "\"DLVQTY\":0,\"GROPRI\":22,\"ORDDAT\":\"2024-02-29\","
    "\"UPDDATTIM\":\"2024-01-04T19:33:04Z\",\"BPDSAT\":null},"
    "{\"K\":\"C\",\"BPCNAM\":\"Test shop\",\"CRY\":\"FR\",\"QTY\":10,"
    "\"DLVQTY\":3,\"GROPRI\":0.5,\"ORDDAT\":\"2023-12-31\","
    "\"UPDDATTIM\":\"2025-07-22T10:45:19Z\"}]";

static const struct evcase evcases[] = {
	{ "CRY eq 'US'", "A" },
	{ "CRY ne 'US'", "BC" },
	{ "QTY gt 2", "AC" },
	{ "QTY ge 2 and QTY le 5", "AB" },
	{ "QTY lt 5 or CRY eq 'FR'", "BC" },
	{ "not (CRY eq 'US')", "BC" },
	{ "CRY in ('US','FR')", "AC" },
	{ "(CRY in 'US','DE')", "AB" },
	{ "CRY not in ('US')", "BC" },
	{ "BPCNAM like 'Acme%'", "A" },
	{ "BPCNAM like '%shop'", "C" },
	{ "BPCNAM like 'O''Brien _ S%'", "B" },
	{ "BPCNAM not like 'A%'", "BC" },
	{ "QTY between 2 and 5", "AB" },
	{ "QTY not between 2 and 5", "C" },
	{ "ORDDAT ge @2024-01-01@", "AB" },
	{ "ORDDAT between @2024-01-01@ and @2024-01-31@", "A" },
	{ "UPDDATTIM gt @2024-01-04T19:33:03Z@", "BC" },
	{ "UPDDATTIM ge @2024-01-04T19:33:03Z@", "ABC" },
	{ "UPDDATTIM gt @2024-01-04T21:33:03+02:00@", "BC" },
	{ "UPDDATTIM lt @2024-01-05@", "AB" },
	{ "left(BPCNAM,4) eq 'Test'", "C" },
	{ "upper(CRY) eq 'FR' and lower(BPCNAM) like 'test%'", "C" },
	{ "length(BPCNAM) gt 10", "B" },
	{ "right(BPCNAM, 5) eq 'Söhne'", "B" },
	{ "QTY - DLVQTY gt 0", "BC" },
	{ "QTY mul GROPRI ge 44", "AB" },
	{ "QTY mod 2 eq 0", "BC" },
	{ "GROPRI lt 19.99", "AC" },
	{ "BPDSAT eq null", "BC" },
	{ "BPDSAT ne null", "A" },
	{ "BPDSAT eq 'CA'", "A" },
	{ "NOSUCH eq 'x'", "" },
	{ "K = 'A' or K <> 'A' and QTY < 3", "AB" },
	{ NULL, NULL }
};

static void
evaluation(void **state)
{
	const struct evcase	*c;
	struct sdata_expr	*e;
	struct sdata_error	 err;
	json_t			*recs, *r;
	size_t			 i;
	char			 got[16];
	int			 m;

	(void)state;
	recs = json_loads(records, 0, NULL);
	assert_non_null(recs);
	for (c = evcases; c->expr != NULL; c++) {
		e = sdata_parse(c->expr, &err);
		if (e == NULL)
			fail_msg("%s: %s", c->expr, err.msg);
		got[0] = '\0';
		json_array_foreach(recs, i, r) {
			m = sdata_eval(e, r, &err);
			if (m == -1)
				fail_msg("%s: %s", c->expr, err.msg);
			if (m == 1)
				strncat(got, json_string_value(
				    json_object_get(r, "K")), 1);
		}
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: got '%s', want '%s'", c->expr, got,
			    c->want);
		sdata_free(e);
	}
	json_decref(recs);
}

static void
runtime_errors(void **state)
{
	struct sdata_expr	*e;
	struct sdata_error	 err;
	json_t			*r;

	(void)state;
	r = json_pack("{s:i,s:s}", "QTY", 3, "NAM", "x");
	e = sdata_parse("QTY div 0 eq 1", &err);
	assert_non_null(e);
	assert_int_equal(sdata_eval(e, r, &err), -1);
	assert_string_equal(err.msg, "Division by zero");
	sdata_free(e);
	/* A string that is not a date cannot be compared with one. */
	e = sdata_parse("NAM gt @2024-01-01@", &err);
	assert_non_null(e);
	assert_int_equal(sdata_eval(e, r, &err), -1);
	sdata_free(e);
	json_decref(r);
}

static int
known_upper(const char *name, void *arg)
{
	const char *const	*k;

	for (k = arg; *k != NULL; k++)
		if (strcmp(*k, name) == 0)
			return 1;
	return 0;
}

static void
unknown_property(void **state)
{
	static const char *const known[] = { "BPCNUM", "BPCNAM", NULL };
	struct sdata_expr	*e;
	struct sdata_error	 err;

	(void)state;
	e = sdata_parse("BPCNUM eq 'A' and upper(BPCNAM) eq 'B'", &err);
	assert_non_null(e);
	assert_int_equal(sdata_check(e, known_upper, (void *)(uintptr_t)known,
	    &err), 0);
	sdata_free(e);
	e = sdata_parse("BPCNUM eq 'A' or left(NOPE, 2) eq 'B'", &err);
	assert_non_null(e);
	assert_int_equal(sdata_check(e, known_upper, (void *)(uintptr_t)known,
	    &err), -1);
	assert_string_equal(err.msg, "Unknown property 'NOPE'");
	assert_int_equal(err.pos, 22);
	sdata_free(e);
}

static void
limits(void **state)
{
	char			*s;
	size_t			 i;
	struct sdata_error	 err;

	(void)state;
	s = calloc(1, SDATA_MAX_DEPTH * 2 + 16);
	assert_non_null(s);
	for (i = 0; i < SDATA_MAX_DEPTH + 2; i++)
		strcat(s, "(");
	strcat(s, "A");
	assert_null(sdata_parse(s, &err));
	free(s);
	s = calloc(1, SDATA_MAX_EXPR + 2);
	assert_non_null(s);
	memset(s, 'A', SDATA_MAX_EXPR + 1);
	assert_null(sdata_parse(s, &err));
	free(s);
}

static int
cmp_names(const void *a, const void *b)
{

	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	struct CMUnitTest	 tests[MAX_CASES + 8];
	DIR			*dir;
	struct dirent		*de;
	size_t			 n = 0, i, t = 0;
	int			 rc;

	if ((dir = opendir(SDATA_DATA_DIR)) == NULL) {
		perror(SDATA_DATA_DIR);
		return 1;
	}
	while ((de = readdir(dir)) != NULL && n < MAX_CASES) {
		if (de->d_name[0] == '.')
			continue;
		case_names[n++] = strdup(de->d_name);
	}
	closedir(dir);
	qsort(case_names, n, sizeof(case_names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		tests[t] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    fixture, case_names[i]);
		tests[t].name = case_names[i];
		t++;
	}
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(evaluation);
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(runtime_errors);
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(unknown_property);
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(limits);
	rc = _cmocka_run_group_tests("sdata", tests, t, NULL, NULL);
	for (i = 0; i < n; i++)
		free(case_names[i]);
	return rc;
}
