/*
 * Form and cookie decoding (fcgi/form.c): what the admin UI accepts
 * from query strings, urlencoded bodies and the Cookie header.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core.h"
#include "app.h"

static int
parse(const char *s, struct form *f)
{
	memset(f, 0, sizeof(*f));
	return form_parse(f, s, strlen(s));
}

static void
decodes_fields(void **state)
{
	struct form	 f;

	(void)state;
	assert_int_equal(parse("a=1&b=x+y%20z&&c&d=%3Cscript%3E&a=2", &f), 0);
	assert_int_equal(f.n, 5);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "x y z");
	assert_string_equal(form_get(&f, "c"), "");
	assert_string_equal(form_get(&f, "d"), "<script>");
	assert_null(form_get(&f, "e"));
	form_free(&f);
	assert_int_equal(parse("q=%C3%A9t%C3%A9", &f), 0);
	assert_string_equal(form_get(&f, "q"), "\xc3\xa9t\xc3\xa9");
	form_free(&f);
}

static void
refuses_bad_input(void **state)
{
	static const char *const bad[] = {
		"a=%00",		/* NUL */
		"a=%4",			/* short escape */
		"a=%zz",		/* not hex */
		"a=%",
		"a=%C3",		/* truncated UTF-8 */
		"a=%C0%AF",		/* overlong */
		"a=%ED%A0%80",		/* surrogate */
		"a=%FF",
		"%00=1",
	};
	struct form	 f;
	size_t		 i;
	char		*many;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &f) != -1)
			fail_msg("accepted %s", bad[i]);
		form_free(&f);
	}
	/* Embedded NUL in the raw bytes. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(form_parse(&f, "a=1\0b=2", 7), -1);
	form_free(&f);
	/* More fields than FORM_MAX_FIELDS. */
	many = malloc(4 * (FORM_MAX_FIELDS + 1) + 1);
	assert_non_null(many);
	for (i = 0; i <= FORM_MAX_FIELDS; i++)
		memcpy(many + 4 * i, "a=1&", 4);
	many[4 * (FORM_MAX_FIELDS + 1)] = '\0';
	assert_int_equal(parse(many, &f), -1);
	form_free(&f);
	free(many);
}

static void
cookies(void **state)
{
	char	 v[65];

	(void)state;
	assert_int_equal(form_cookie("a=1; mlsid=abc; mlpre=def", "mlsid", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(form_cookie("xmlsid=1;mlsid=2", "mlsid", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "2");
	assert_int_equal(form_cookie("a=1", "mlsid", v, sizeof(v)), -1);
	assert_int_equal(form_cookie("mlsid=0123456789", "mlsid", v, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_fields),
		cmocka_unit_test(refuses_bad_input),
		cmocka_unit_test(cookies),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
