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
#include <string.h>

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

#define CT	"multipart/form-data; boundary=XyZ"
#define P(n)	"--XyZ\r\nContent-Disposition: form-data; name=\"" n "\"\r\n\r\n"
#define FP(n, fn) "--XyZ\r\nContent-Disposition: form-data; name=\"" n \
	"\"; filename=\"" fn "\"\r\nContent-Type: text/csv\r\n\r\n"

static int
mp(const char *ct, const char *s, size_t max, struct form *f)
{
	memset(f, 0, sizeof(*f));
	return form_multipart(f, ct, s, strlen(s), max);
}

static void
multipart_fields(void **state)
{
	struct form	 f;

	(void)state;
	/* As curl -F and browsers send it: text fields and one file. */
	assert_int_equal(mp(CT, P("csrf") "tok\r\n" P("type") "sku\r\n"
	    FP("file", "m.csv") "source_key,item\r\nA,B\r\n\r\n"
	    "--XyZ--\r\n", 1024, &f), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "csrf"), "tok");
	assert_string_equal(form_get(&f, "type"), "sku");
	assert_string_equal(form_get(&f, "file"), "source_key,item\r\nA,B\r\n");
	form_free(&f);
	/* Quoted boundary, other parameters, no final CRLF, empty file. */
	assert_int_equal(mp("multipart/form-data; charset=utf-8; "
	    "boundary=\"XyZ\"", FP("file", "") "\r\n--XyZ--", 1024, &f), 0);
	assert_string_equal(form_get(&f, "file"), "");
	form_free(&f);
	/* A part body may hold the boundary text without the CRLF--. */
	assert_int_equal(mp(CT, P("a") "x--XyZ y\r\n--XyZ--", 16, &f), 0);
	assert_string_equal(form_get(&f, "a"), "x--XyZ y");
	form_free(&f);
	/* The file cap is inclusive. */
	assert_int_equal(mp(CT, FP("file", "a") "1234\r\n--XyZ--", 4, &f), 0);
	form_free(&f);
}

static void
multipart_refuses(void **state)
{
	static const struct { const char *ct, *body; } bad[] = {
		{ "multipart/form-data", P("a") "1\r\n--XyZ--" },
		{ "multipart/form-data; boundary=", P("a") "1\r\n--XyZ--" },
		{ "multipart/mixed; boundary=XyZ", P("a") "1\r\n--XyZ--" },
		{ "multipart/form-data; boundary=\"XyZ", P("a") "1\r\n--XyZ--" },
		{ "multipart/form-data; boundary=X<Z", "--X<Z--" },
		{ "multipart/form-data; boundary=0123456789012345678901234567890"
		  "12345678901234567890123456789012345678901", "" },
		{ CT, "" },					/* empty */
		{ CT, "preamble\r\n" P("a") "1\r\n--XyZ--" },	/* preamble */
		{ CT, P("a") "1\r\n--XyZ" },			/* no close */
		{ CT, P("a") "1" },				/* truncated */
		{ CT, P("a") "1\r\n--XyZ--\r\nepilogue" },	/* epilogue */
		{ CT, P("a") "1\r\n--Xy" },			/* cut boundary */
		{ CT, "--XyZ\r\n\r\n1\r\n--XyZ--" },		/* no headers */
		{ CT, "--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: attachment; name=\"a\""
		  "\r\n\r\n1\r\n--XyZ--" },
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		  "1\r\n--XyZ--" },				/* unquoted */
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=\"\""
		  "\r\n\r\n1\r\n--XyZ--" },			/* empty name */
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\n"
		  "\r\n1\r\n--XyZ--" },				/* bare LF */
		{ CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\""
		  "\r\nbogus\r\n\r\n1\r\n--XyZ--" },		/* not a header */
		{ CT, P("a") "1\r\n--XyZx" P("b") "2\r\n--XyZ--" }, /* junk */
		{ CT, FP("f", "a") "1\r\n" FP("g", "b") "2\r\n--XyZ--" },
		{ CT, FP("f", "a") "12345\r\n--XyZ--" },	/* over cap */
		{ CT, P("a") "\xc3\r\n--XyZ--" },		/* bad UTF-8 */
		{ CT, P("a") "\xff\r\n--XyZ--" },
	};
	static const char nul[] = P("a") "1\0" "2\r\n--XyZ--";
	struct form	 f;
	size_t		 i;
	char		*big, *o;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mp(bad[i].ct, bad[i].body, 4, &f) != -1)
			fail_msg("accepted case %zu", i);
		form_free(&f);
	}
	assert_int_equal(mp(NULL, P("a") "1\r\n--XyZ--", 4, &f), -1);
	form_free(&f);
	/* A NUL in a value. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(form_multipart(&f, CT, nul, sizeof(nul) - 1, 4), -1);
	form_free(&f);
	/* A header block over its cap. */
	big = malloc(4096);
	assert_non_null(big);
	o = big + sprintf(big, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"a\"\r\nX-Pad: ");
	memset(o, 'p', 2000);
	(void)sprintf(o + 2000, "\r\n\r\n1\r\n--XyZ--");
	assert_int_equal(mp(CT, big, 4, &f), -1);
	form_free(&f);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_fields),
		cmocka_unit_test(refuses_bad_input),
		cmocka_unit_test(cookies),
		cmocka_unit_test(multipart_fields),
		cmocka_unit_test(multipart_refuses),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
