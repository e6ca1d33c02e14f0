/*
 * GraphQL parser (sandbox/gql.c). Fixture cases live in
 * tests/data/gql/<case>/: "input" is a document, "expected" is the AST
 * as JSON (gql_doc_json, sorted keys, indent 2) for a valid document or
 * "error LINE:COL: message" for an invalid one. A new case is two new
 * files; run with GQL_FIXTURE_WRITE=1 to write a missing "expected",
 * then read it before committing.
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

#include "gql.h"

#define MAX_CASES	256
#define FILE_MAX	(64 * 1024)

static char	*case_names[MAX_CASES];

static char *
read_all(const char *path, size_t *len)
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
	if (len != NULL)
		*len = n;
	return buf;
}

/* What a case yields: AST JSON or an error line. New string. */
static char *
render(const char *src, size_t len)
{
	struct gql_doc		*d;
	struct gql_error	 err;
	json_t			*j;
	char			*s, *out;

	if ((d = gql_parse(src, len, &err)) == NULL) {
		out = malloc(512);
		assert_non_null(out);
		(void)snprintf(out, 512, "error %u:%u: %s\n", err.line,
		    err.col, err.msg);
		return out;
	}
	j = gql_doc_json(d);
	assert_non_null(j);
	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	assert_non_null(s);
	out = malloc(strlen(s) + 2);
	assert_non_null(out);
	(void)snprintf(out, strlen(s) + 2, "%s\n", s);
	free(s);
	json_decref(j);
	gql_free(d);
	return out;
}

static void
fixture(void **state)
{
	const char	*name = *state;
	char		 path[1024];
	char		*in, *want, *got;
	size_t		 len;
	FILE		*f;

	(void)snprintf(path, sizeof(path), "%s/%s/input", GQL_DATA_DIR, name);
	in = read_all(path, &len);
	assert_non_null(in);
	got = render(in, len);
	(void)snprintf(path, sizeof(path), "%s/%s/expected", GQL_DATA_DIR,
	    name);
	want = read_all(path, NULL);
	if (want == NULL && getenv("GQL_FIXTURE_WRITE") != NULL &&
	    (f = fopen(path, "w")) != NULL) {
		fputs(got, f);
		fclose(f);
		want = read_all(path, NULL);
	}
	assert_non_null(want);
	/* Cases named invalid-* must fail, valid-* must parse. */
	if (strncmp(name, "invalid-", 8) == 0)
		assert_true(strncmp(got, "error ", 6) == 0);
	else
		assert_true(strncmp(got, "error ", 6) != 0);
	assert_string_equal(got, want);
	free(in);
	free(want);
	free(got);
}

static void
variables_substituted(void **state)
{
	const char		*src = "query Q($d: SalesOrder_Input!, "
				    "$n: Int) { a(data: {x: $d, l: [$n, 2]}) "
				    "{ b } }";
	struct gql_doc		*d;
	struct gql_error	 err;
	const struct gql_op	*op;
	const struct gql_arg	*a;
	json_t			*vars, *v, *want;

	(void)state;
	d = gql_parse(src, strlen(src), &err);
	assert_non_null(d);
	op = gql_op_get(d, NULL, &err);
	assert_non_null(op);
	assert_string_equal(op->name, "Q");
	a = gql_arg_get(op->sels->args, "data");
	assert_non_null(a);
	vars = json_pack("{s:{s:s},s:i}", "d", "soldToCustomer", "FR001",
	    "n", 7);
	v = gql_value_json(a->value, vars, &err);
	assert_non_null(v);
	want = json_pack("{s:{s:s},s:[i,i]}", "x", "soldToCustomer", "FR001",
	    "l", 7, 2);
	assert_true(json_equal(v, want));
	json_decref(v);
	json_decref(want);
	/* An undefined variable is an error with its position. */
	json_object_del(vars, "n");
	v = gql_value_json(a->value, vars, &err);
	assert_null(v);
	assert_string_equal(err.msg, "Variable \"$n\" is not defined.");
	assert_int_equal(err.line, 1);
	json_decref(vars);
	gql_free(d);
}

static void
operation_selection(void **state)
{
	const char		*src = "query A { a } mutation B { b }";
	struct gql_doc		*d;
	struct gql_error	 err;
	const struct gql_op	*op;

	(void)state;
	d = gql_parse(src, strlen(src), &err);
	assert_non_null(d);
	assert_null(gql_op_get(d, NULL, &err));
	assert_string_equal(err.msg, "Must provide operation name if query "
	    "contains multiple operations.");
	op = gql_op_get(d, "B", &err);
	assert_non_null(op);
	assert_int_equal(op->type, GQL_OP_MUTATION);
	assert_null(gql_op_get(d, "C", &err));
	assert_string_equal(err.msg, "Unknown operation named \"C\".");
	gql_free(d);
}

static void
limits_enforced(void **state)
{
	char			*src;
	size_t			 i, n = GQL_MAX_DEPTH + 8;
	struct gql_error	 err;
	const char		 nul[] = "{ a\0 }";

	(void)state;
	/* Nesting deeper than GQL_MAX_DEPTH is refused, not recursed. */
	src = malloc(n * 4 + 8);
	assert_non_null(src);
	src[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(src, "{a");
	for (i = 0; i < n; i++)
		strcat(src, "}");
	assert_null(gql_parse(src, strlen(src), &err));
	assert_non_null(strstr(err.msg, "nested deeper"));
	free(src);
	/* An embedded NUL is refused with its position. */
	assert_null(gql_parse(nul, sizeof(nul) - 1, &err));
	assert_int_equal(err.col, 4);
	/* Oversized documents are refused before lexing. */
	src = calloc(1, GQL_MAX_DOC + 2);
	assert_non_null(src);
	memset(src, ' ', GQL_MAX_DOC + 1);
	assert_null(gql_parse(src, GQL_MAX_DOC + 1, &err));
	free(src);
}

static void
type_strings(void **state)
{
	const char		*src = "query Q($a: [[Int!]]!, $b: String) "
				    "{ a }";
	struct gql_doc		*d;
	struct gql_error	 err;
	char			 buf[64];

	(void)state;
	d = gql_parse(src, strlen(src), &err);
	assert_non_null(d);
	assert_int_equal(gql_type_str(d->ops->vars->type, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "[[Int!]]!");
	assert_int_equal(gql_type_str(d->ops->vars->next->type, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "String");
	assert_int_equal(gql_type_str(d->ops->vars->type, buf, 4), -1);
	gql_free(d);
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

	if ((dir = opendir(GQL_DATA_DIR)) == NULL) {
		perror(GQL_DATA_DIR);
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
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(variables_substituted);
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(operation_selection);
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(limits_enforced);
	tests[t++] = (struct CMUnitTest)cmocka_unit_test(type_strings);
	rc = _cmocka_run_group_tests("gql", tests, t, NULL, NULL);
	for (i = 0; i < n; i++)
		free(case_names[i]);
	return rc;
}
