/*
 * Small core pieces that need no database: error names, randomness,
 * job state and class names.
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
#include "audit.h"

static void
strerror_names_every_code(void **state)
{
	int	 e;

	(void)state;
	for (e = 0; e < CORE__MAX; e++) {
		assert_non_null(core_strerror((enum core_err)e));
		assert_string_not_equal(core_strerror((enum core_err)e),
		    "unknown error");
	}
	assert_string_equal(core_strerror(CORE__MAX), "unknown error");
	assert_string_equal(core_strerror(CORE_EDBDOWN), "database unavailable");
}

static void
rnd_hex_is_hex_and_varies(void **state)
{
	char	 a[33], b[33];
	size_t	 i;

	(void)state;
	assert_int_equal(rnd_hex(a, 16), 0);
	assert_int_equal(rnd_hex(b, 16), 0);
	assert_int_equal(strlen(a), 32);
	for (i = 0; i < 32; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	/* 128 random bits: equal twice means the generator is broken. */
	assert_string_not_equal(a, b);
	assert_int_equal(rnd_hex(a, 65), -1);
}

static void
job_names(void **state)
{
	(void)state;
	assert_string_equal(job_state_name(JOB_HELD), "held");
	assert_string_equal(job_state_name(JOB__MAX), "unknown");
	assert_string_equal(job_class_name(JOB_ERR_MAPPING), "mapping");
	assert_string_equal(job_class_name(JOB_ERR_TRANSIENT), "transient");
	assert_string_equal(job_class_name(JOB_ERR__MAX), "unknown");
}

static void
db_rows_accessors(void **state)
{
	char		*cells[4];
	size_t		 lens[4] = { 2, 0, 3, 1 };
	struct db_rows	 r = { 2, 2, cells, lens };

	(void)state;
	cells[0] = (char *)(uintptr_t)"42";
	cells[1] = NULL;
	cells[2] = (char *)(uintptr_t)"abc";
	cells[3] = (char *)(uintptr_t)"7";
	assert_int_equal(db_rows_i64(&r, 0, 0, -1), 42);
	assert_int_equal(db_rows_i64(&r, 0, 1, -1), -1);	/* NULL */
	assert_int_equal(db_rows_i64(&r, 1, 0, -1), -1);	/* not a number */
	assert_int_equal(db_rows_i64(&r, 1, 1, -1), 7);
	assert_null(db_rows_get(&r, 2, 0));			/* out of range */
	assert_null(db_rows_get(&r, 0, 2));
	assert_string_equal(db_rows_get(&r, 1, 0), "abc");
}

static void
audit_redacts_secret_values(void **state)
{
	char	*s;

	(void)state;
	s = audit_redact("{\"user\":\"a\",\"password\":\"hunter2\","
	    "\"nested\":[{\"apiSecret\":\"s3\",\"Token\":\"t\"}],"
	    "\"refresh_token\":null}");
	assert_non_null(s);
	assert_null(strstr(s, "hunter2"));
	assert_null(strstr(s, "s3"));
	assert_null(strstr(s, "\"t\""));
	assert_non_null(strstr(s, "\"user\":\"a\""));
	assert_non_null(strstr(s, "\"refresh_token\":null"));
	free(s);
	/* Not JSON, or JSON without secrets: copied unchanged. */
	s = audit_redact("plain text password=x");
	assert_string_equal(s, "plain text password=x");
	free(s);
	s = audit_redact("{\"b\":1,\"a\":2}");
	assert_string_equal(s, "{\"b\":1,\"a\":2}");
	free(s);
	assert_null(audit_redact(NULL));
	assert_true(audit_secret_key("ACCESS_TOKEN"));
	assert_false(audit_secret_key("orderNumber"));
}

/* Batch shapes: never more than asked or than EVENT_BATCH_MAX, few. */
static void
batch_shapes(void **state)
{
	size_t	 n, s, prev = 0, distinct = 0;

	(void)state;
	for (n = 1; n <= 3 * EVENT_BATCH_MAX; n++) {
		s = event_batch_shape(n);
		assert_true(s >= 1 && s <= n && s <= EVENT_BATCH_MAX);
		/* Never less than two thirds of what is queued (up to the cap). */
		assert_true(3 * s >= 2 * (n < EVENT_BATCH_MAX ? n :
		    EVENT_BATCH_MAX));
		if (s != prev)
			distinct++;
		prev = s;
	}
	assert_int_equal(event_batch_shape(1), 1);
	assert_int_equal(event_batch_shape(7), 6);
	assert_int_equal(event_batch_shape(EVENT_BATCH_MAX), EVENT_BATCH_MAX);
	assert_int_equal(event_batch_shape(1000), EVENT_BATCH_MAX);
	assert_true(distinct <= 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strerror_names_every_code),
		cmocka_unit_test(batch_shapes),
		cmocka_unit_test(rnd_hex_is_hex_and_varies),
		cmocka_unit_test(job_names),
		cmocka_unit_test(db_rows_accessors),
		cmocka_unit_test(audit_redacts_secret_values),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
