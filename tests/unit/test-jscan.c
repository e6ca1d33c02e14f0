/*
 * core/jscan.c: the validator agrees with json_loadb(JSON_REJECT_
 * DUPLICATES) on every case of a table (each case run through both),
 * refuses what it must with the right code, and copies out top-level
 * strings decoded.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core.h"
#include "jscan.h"

#define S(lit)	lit, sizeof(lit) - 1

struct tcase {
	const char	*s;
	size_t		 len;
	enum jscan_code	 code;	/* JSCAN_OK: valid */
};

static const struct tcase cases[] = {
	/* top level */
	{ S("{}"), JSCAN_OK },
	{ S("[]"), JSCAN_OK },
	{ S(" \t\r\n{ } \t\r\n"), JSCAN_OK },
	{ S(""), JSCAN_E_EMPTY },
	{ S("   "), JSCAN_E_EMPTY },
	{ S("1"), JSCAN_E_TOP },
	{ S("\"a\""), JSCAN_E_TOP },
	{ S("true"), JSCAN_E_TOP },
	{ S("null"), JSCAN_E_TOP },
	{ S("\xef\xbb\xbf{}"), JSCAN_E_TOP },		/* BOM */
	{ S("{}{}"), JSCAN_E_TRAILING },
	{ S("{} x"), JSCAN_E_TRAILING },
	{ S("[]\0"), JSCAN_E_TRAILING },
	{ S("\0[]"), JSCAN_E_TOP },
	{ S("{\f}"), JSCAN_E_SYNTAX },			/* not whitespace */
	{ S("[\v]"), JSCAN_E_SYNTAX },
	{ S("[\xc2\xa0]"), JSCAN_E_SYNTAX },		/* NBSP */
	/* structure */
	{ S("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"),
	    JSCAN_OK },
	{ S("[1,]"), JSCAN_E_SYNTAX },
	{ S("[,1]"), JSCAN_E_SYNTAX },
	{ S("{\"a\":1,}"), JSCAN_E_SYNTAX },
	{ S("{\"a\" 1}"), JSCAN_E_SYNTAX },
	{ S("{a:1}"), JSCAN_E_SYNTAX },
	{ S("{'a':1}"), JSCAN_E_SYNTAX },
	{ S("{1:1}"), JSCAN_E_SYNTAX },
	{ S("[1 2]"), JSCAN_E_SYNTAX },
	{ S("[1}"), JSCAN_E_SYNTAX },
	{ S("{\"a\":1]"), JSCAN_E_SYNTAX },
	{ S("["), JSCAN_E_EOF },
	{ S("{\"a\""), JSCAN_E_EOF },
	{ S("{\"a\":"), JSCAN_E_EOF },
	{ S("[\"abc"), JSCAN_E_EOF },
	{ S("[tru]"), JSCAN_E_SYNTAX },
	{ S("[truex]"), JSCAN_E_SYNTAX },
	{ S("[True]"), JSCAN_E_SYNTAX },
	{ S("[nullnull]"), JSCAN_E_SYNTAX },
	{ S("[NaN]"), JSCAN_E_SYNTAX },
	{ S("[Infinity]"), JSCAN_E_SYNTAX },
	/* numbers */
	{ S("[0,-0,1,-1,10,0.5,-0.5,1e5,1E5,1e+5,1e-5,1.5E-3,0e0]"),
	    JSCAN_OK },
	{ S("[01]"), JSCAN_E_NUMBER },
	{ S("[-01]"), JSCAN_E_NUMBER },
	{ S("[1.]"), JSCAN_E_NUMBER },
	{ S("[.5]"), JSCAN_E_SYNTAX },
	{ S("[+1]"), JSCAN_E_SYNTAX },
	{ S("[-]"), JSCAN_E_NUMBER },
	{ S("[-a]"), JSCAN_E_NUMBER },
	{ S("[1e]"), JSCAN_E_NUMBER },
	{ S("[1e+]"), JSCAN_E_NUMBER },
	{ S("[1.e5]"), JSCAN_E_NUMBER },
	{ S("[0x10]"), JSCAN_E_SYNTAX },
	{ S("[1.5.3]"), JSCAN_E_SYNTAX },
	{ S("[9223372036854775807]"), JSCAN_OK },
	{ S("[-9223372036854775808]"), JSCAN_OK },
	{ S("[9223372036854775808]"), JSCAN_E_RANGE },
	{ S("[-9223372036854775809]"), JSCAN_E_RANGE },
	{ S("[10000000000000000000]"), JSCAN_E_RANGE },
	{ S("[1e309]"), JSCAN_E_RANGE },
	{ S("[-1e309]"), JSCAN_E_RANGE },
	{ S("[1.7976931348623157e308]"), JSCAN_OK },
	{ S("[1e-400]"), JSCAN_OK },			/* underflow is fine */
	{ S("[-1e-400]"), JSCAN_OK },
	{ S("[9223372036854775808.0]"), JSCAN_OK },	/* a real */
	/* strings and escapes */
	{ S("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20AC\"]"),
	    JSCAN_OK },
	{ S("[\"\\a\"]"), JSCAN_E_ESCAPE },
	{ S("[\"\\x41\"]"), JSCAN_E_ESCAPE },
	{ S("[\"\\'\"]"), JSCAN_E_ESCAPE },
	{ S("[\"\\u12\"]"), JSCAN_E_ESCAPE },
	{ S("[\"\\u12g4\"]"), JSCAN_E_ESCAPE },
	{ S("[\"\\U0041\"]"), JSCAN_E_ESCAPE },
	{ S("[\"\\u0000\"]"), JSCAN_E_NUL },
	{ S("{\"\\u0000\":1}"), JSCAN_E_NUL },
	{ S("[\"\\uD83D\\uDE00\"]"), JSCAN_OK },	/* surrogate pair */
	{ S("[\"\\ud83d\\ude00\"]"), JSCAN_OK },
	{ S("[\"\\uD83D\"]"), JSCAN_E_SURROGATE },	/* lone high */
	{ S("[\"\\uDE00\"]"), JSCAN_E_SURROGATE },	/* lone low */
	{ S("[\"\\uDE00\\uD83D\"]"), JSCAN_E_SURROGATE }, /* mis-ordered */
	{ S("[\"\\uD83D\\uD83D\"]"), JSCAN_E_SURROGATE },
	{ S("[\"\\uD83Dx\"]"), JSCAN_E_SURROGATE },
	{ S("[\"\\uD83D\\n\"]"), JSCAN_E_SURROGATE },
	{ S("[\"\\uD83D\\u0041\"]"), JSCAN_E_SURROGATE },
	{ S("[\"\\uD83D\\uDE0\"]"), JSCAN_E_ESCAPE },
	{ S("[\"a\tb\"]"), JSCAN_E_CTRL },
	{ S("[\"a\nb\"]"), JSCAN_E_CTRL },
	{ S("[\"a\x1f\"]"), JSCAN_E_CTRL },
	{ S("[\"a\0b\"]"), JSCAN_E_CTRL },
	{ S("[\"a\x7f\"]"), JSCAN_OK },			/* DEL is allowed */
	/* UTF-8, in strings and out */
	{ S("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]"), JSCAN_OK },
	{ S("[\"\xc3\"]"), JSCAN_E_UTF8 },		/* truncated */
	{ S("[\"\xc3"), JSCAN_E_UTF8 },
	{ S("[\"\xa9\"]"), JSCAN_E_UTF8 },		/* lone continuation */
	{ S("[\"\xc0\xaf\"]"), JSCAN_E_UTF8 },		/* overlong */
	{ S("[\"\xe0\x80\xaf\"]"), JSCAN_E_UTF8 },
	{ S("[\"\xf0\x80\x80\xaf\"]"), JSCAN_E_UTF8 },
	{ S("[\"\xed\xa0\x80\"]"), JSCAN_E_UTF8 },	/* surrogate */
	{ S("[\"\xf4\x90\x80\x80\"]"), JSCAN_E_UTF8 },	/* > U+10FFFF */
	{ S("[\"\xf5\x80\x80\x80\"]"), JSCAN_E_UTF8 },
	{ S("[\"\xff\"]"), JSCAN_E_UTF8 },
	{ S("[\"\xf4\x8f\xbf\xbf\"]"), JSCAN_OK },	/* U+10FFFF */
	{ S("[\"\xef\xbf\xbf\"]"), JSCAN_OK },		/* U+FFFF */
	{ S("[\xff]"), JSCAN_E_UTF8 },
	{ S("{\"a\":1}\xc3"), JSCAN_E_UTF8 },
	/* raw NUL */
	{ S("[\0]"), JSCAN_E_SYNTAX },
	{ S("[1,\0 2]"), JSCAN_E_SYNTAX },
	{ S("{\"a\"\0:1}"), JSCAN_E_SYNTAX },
	{ S("[\"a\"\0]"), JSCAN_E_SYNTAX },
	{ S("[[]\0]"), JSCAN_E_SYNTAX },
	{ S("[1\0\0]"), JSCAN_E_SYNTAX },
	{ S("[tr\0ue]"), JSCAN_E_SYNTAX },
	/* jansson drops one NUL right after a number or literal */
	{ S("[1\0]"), JSCAN_OK },
	{ S("[1.5\0,true\0,null\0,false\0]"), JSCAN_OK },
	{ S("{\"a\":-0\0}"), JSCAN_OK },
	{ S("[1\0"), JSCAN_E_EOF },
	/* duplicate keys, compared decoded, in any object */
	{ S("{\"a\":1,\"a\":2}"), JSCAN_E_DUPKEY },
	{ S("{\"a\":1,\"\\u0061\":2}"), JSCAN_E_DUPKEY },
	{ S("{\"\\u00e9\":1,\"\xc3\xa9\":2}"), JSCAN_E_DUPKEY },
	{ S("{\"\\/\":1,\"/\":2}"), JSCAN_E_DUPKEY },
	{ S("{\"\\uD83D\\uDE00\":1,\"\xf0\x9f\x98\x80\":2}"),
	    JSCAN_E_DUPKEY },
	{ S("{\"x\":{\"b\":1,\"c\":2,\"b\":3}}"), JSCAN_E_DUPKEY },
	{ S("[{},{\"a\":[{\"k\":1,\"k\":1}]}]"), JSCAN_E_DUPKEY },
	{ S("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,"
	    "\"h\":8,\"i\":9,\"j\":10,\"\\u0065\":11}"), JSCAN_E_DUPKEY },
	{ S("{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}"), JSCAN_OK },
	{ S("{\"a\":1,\"A\":2,\"a \":3,\"\":4}"), JSCAN_OK },
	{ S("{\"ab\":1,\"a\":2,\"abc\":3}"), JSCAN_OK },
	{ S("[{\"a\":1},{\"a\":1}]"), JSCAN_OK },
};

/* jscan's verdict and code, and jansson's verdict, for one case. */
static void
table_agrees_with_jansson(void **state)
{
	struct jscan_err	 e;
	json_error_t		 je;
	json_t			*doc;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = jscan_validate(cases[i].s, cases[i].len, 32, NULL, 0,
		    &e);
		doc = json_loadb(cases[i].s, cases[i].len,
		    JSON_REJECT_DUPLICATES, &je);
		if ((rc == 0) != (doc != NULL) || (cases[i].code == JSCAN_OK)
		    != (rc == 0) || (rc == -1 && e.code != cases[i].code))
			fail_msg("case %zu: jscan %d (%s), jansson %s, want %s",
			    i, rc, rc ? jscan_strerror(e.code) : "ok",
			    doc != NULL ? "ok" : je.text,
			    jscan_strerror(cases[i].code));
		json_decref(doc);
	}
}

/* n nested arrays around an optional inner text. */
static char *
nest(int n, const char *inner)
{
	size_t	 il = strlen(inner);
	char	*s;
	int	 i;

	if ((s = malloc(2 * (size_t)n + il + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + il + i] = ']';
	}
	memcpy(s + n, inner, il);
	s[2 * n + il] = '\0';
	return s;
}

static int
verdict(const char *s, int max, enum jscan_code *code)
{
	struct jscan_err	 e;
	int			 rc;

	rc = jscan_validate(s, strlen(s), max, NULL, 0, &e);
	*code = rc == 0 ? JSCAN_OK : e.code;
	return rc;
}

static void
depth_limit(void **state)
{
	enum jscan_code	 c;
	char		*s;

	(void)state;
	s = nest(32, "");
	assert_int_equal(verdict(s, 32, &c), 0);
	free(s);
	s = nest(32, "1,\"x\",{}");	/* a scalar is no extra level here */
	assert_int_equal(verdict(s, 32, &c), -1);
	assert_int_equal(c, JSCAN_E_DEPTH);
	assert_int_equal(verdict(s, 33, &c), 0);
	free(s);
	s = nest(32, "1");
	assert_int_equal(verdict(s, 32, &c), 0);
	free(s);
	s = nest(33, "");
	assert_int_equal(verdict(s, 32, &c), -1);
	assert_int_equal(c, JSCAN_E_DEPTH);
	free(s);
	/* Depth counts objects too; a deep but malformed text is "depth". */
	assert_int_equal(verdict("{\"a\":{\"b\":[{}]}}", 4, &c), 0);
	assert_int_equal(verdict("{\"a\":{\"b\":[{}]}}", 3, &c), -1);
	assert_int_equal(c, JSCAN_E_DEPTH);
	assert_int_equal(verdict("[[[", 2, &c), -1);
	assert_int_equal(c, JSCAN_E_DEPTH);
	/* Brackets inside strings are not nesting. */
	assert_int_equal(verdict("[\"[[[[[[\"]", 1, &c), 0);
}

/* jansson's own limit (2048 levels, a scalar counting as one) holds. */
static void
depth_matches_jansson_limit(void **state)
{
	static const struct {
		int		 n;
		const char	*inner;
		int		 ok;
	} t[] = {
		{ 2048, "", 1 }, { 2049, "", 0 }, { 2047, "1", 1 },
		{ 2048, "1", 0 }, { 2047, "{}", 1 }, { 2047, "{\"a\":1}", 0 },
		{ 2047, "{\"a\":{}}", 0 }, { 2047, "\"s\"", 1 },
	};
	json_error_t	 je;
	json_t		*doc;
	enum jscan_code	 c;
	size_t		 i;
	char		*s;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_non_null(s = nest(t[i].n, t[i].inner));
		doc = json_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, &je);
		assert_int_equal(doc != NULL, t[i].ok);
		json_decref(doc);
		assert_int_equal(verdict(s, 100000, &c) == 0, t[i].ok);
		if (!t[i].ok)
			assert_int_equal(c, JSCAN_E_DEPTH);
		free(s);
	}
}

/* ~10k keys: the key table leaves the stack; one duplicate is found. */
static void
many_keys(void **state)
{
	struct jscan_err	 e;
	json_error_t		 je;
	json_t			*doc;
	size_t			 n = 0, cap = 200000;
	char			*s;
	int			 i;

	(void)state;
	assert_non_null(s = malloc(cap));
	s[n++] = '{';
	for (i = 0; i < 10000; i++)
		n += (size_t)snprintf(s + n, cap - n, "\"k%d\":{\"x\":%d},",
		    (i * 7919) % 10000, i);
	n += (size_t)snprintf(s + n, cap - n, "\"end\":0}");
	assert_int_equal(jscan_validate(s, n, 32, NULL, 0, &e), 0);
	/* Same key again, written with an escape, just before the end. */
	n -= sizeof("\"end\":0}") - 1;
	n += (size_t)snprintf(s + n, cap - n, "\"k\\u0035\":0}");
	assert_int_equal(jscan_validate(s, n, 32, NULL, 0, &e), -1);
	assert_int_equal(e.code, JSCAN_E_DUPKEY);
	doc = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
	assert_null(doc);
	free(s);
}

static void
want_init(struct jscan_want *w, const char *key, char *buf, size_t sz)
{
	memset(w, 0, sizeof(*w));
	w->key = key;
	w->buf = buf;
	w->bufsz = sz;
	w->found = w->is_string = w->len = 77;	/* must be reset */
}

static void
extracts_top_level_strings(void **state)
{
	static const char	 doc[] = "{\"inner\":{\"url\":\"no\"},"
	    "\"u\\u0072l\":\"http://x/\\u00e9?a=\\\"1\\\"\\/\\uD83D\\uDE00\","
	    "\"n\":12,\"arr\":[\"no\"],\"obj\":{\"type\":\"no\"},"
	    "\"nul\":null,\"type\":\"ORDER_NOTIFY\"}";
	struct jscan_want	 w[7];
	struct jscan_err	 e;
	char			 b[7][64];

	(void)state;
	want_init(&w[0], "url", b[0], sizeof(b[0]));
	want_init(&w[1], "type", b[1], sizeof(b[1]));
	want_init(&w[2], "n", b[2], sizeof(b[2]));
	want_init(&w[3], "arr", b[3], sizeof(b[3]));
	want_init(&w[4], "obj", b[4], sizeof(b[4]));
	want_init(&w[5], "nul", b[5], sizeof(b[5]));
	want_init(&w[6], "missing", b[6], sizeof(b[6]));
	assert_int_equal(jscan_validate(doc, sizeof(doc) - 1, 32, w, 7, &e),
	    0);
	assert_true(w[0].found && w[0].is_string);
	assert_string_equal(b[0],
	    "http://x/\xc3\xa9?a=\"1\"/\xf0\x9f\x98\x80");
	assert_int_equal(w[0].len, strlen(b[0]));
	assert_true(w[1].found && w[1].is_string);
	assert_string_equal(b[1], "ORDER_NOTIFY");
	assert_int_equal(w[1].len, 12);
	/* Present but not strings: found, is_string 0, buffer empty. */
	for (int i = 2; i <= 5; i++) {
		assert_true(w[i].found);
		assert_false(w[i].is_string);
		assert_string_equal(b[i], "");
	}
	assert_false(w[6].found);
	assert_false(w[6].is_string);
}

static void
extract_cuts_and_reports_length(void **state)
{
	static const char	 doc[] = "{\"k\":\"0123456789\\n\"}";
	struct jscan_want	 w;
	char			 b[5];

	(void)state;
	want_init(&w, "k", b, sizeof(b));
	assert_int_equal(jscan_validate(doc, sizeof(doc) - 1, 32, &w, 1,
	    NULL), 0);
	assert_int_equal(w.len, 11);
	assert_string_equal(b, "0123");
	/* A top-level array has no members to find. */
	want_init(&w, "k", b, sizeof(b));
	assert_int_equal(jscan_validate("[{\"k\":\"v\"}]", 11, 32, &w, 1,
	    NULL), 0);
	assert_false(w.found);
}

static void
error_position(void **state)
{
	static const char	 doc[] = "{\n  \"a\": 1,\n  \"b\": tru\n}";
	struct jscan_err	 e;

	(void)state;
	assert_int_equal(jscan_validate(doc, sizeof(doc) - 1, 32, NULL, 0,
	    &e), -1);
	assert_int_equal(e.code, JSCAN_E_SYNTAX);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.col, 8);
	assert_string_equal(jscan_strerror(JSCAN_E_DUPKEY),
	    "duplicate object key");
	assert_string_equal(jscan_strerror(JSCAN__MAX), "unknown error");
}

/* The benchmark body: both agree, and the strings come out. */
static void
bench_body(void **state)
{
	struct jscan_want	 w[2];
	char			 doc[2048], pad[1301], u[1025], t[64];
	int			 n;

	(void)state;
	memset(pad, 'x', 1300);
	pad[1300] = '\0';
	n = snprintf(doc, sizeof(doc), "{\"resource_url\":\"https://ssapi."
	    "shipstation.com/orders?storeID=1&importBatch=r-1\",\"resource_"
	    "type\":\"ORDER_NOTIFY\",\"note\":\"%s\"}", pad);
	want_init(&w[0], "resource_url", u, sizeof(u));
	want_init(&w[1], "resource_type", t, sizeof(t));
	assert_int_equal(jscan_validate(doc, (size_t)n, 32, w, 2, NULL), 0);
	assert_string_equal(u, "https://ssapi.shipstation.com/orders?"
	    "storeID=1&importBatch=r-1");
	assert_string_equal(t, "ORDER_NOTIFY");
	/* Every special byte at every offset of the 8-byte scan. */
	for (int k = 0; k < 16; k++) {
		const char	*bad = "\"\\\x01\x80";
		for (int b = 0; b < 4; b++) {
			char	 d[64];

			memset(d, 'x', sizeof(d));
			memcpy(d, "[\"", 2);
			d[2 + k] = bad[b];
			memcpy(d + 40, "\"]", 2);
			assert_int_equal(jscan_validate(d, 42, 32, NULL, 0,
			    NULL), -1);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_agrees_with_jansson),
		cmocka_unit_test(depth_limit),
		cmocka_unit_test(depth_matches_jansson_limit),
		cmocka_unit_test(many_keys),
		cmocka_unit_test(extracts_top_level_strings),
		cmocka_unit_test(extract_cuts_and_reports_length),
		cmocka_unit_test(error_position),
		cmocka_unit_test(bench_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
