/*
 * ShipStation V1 Pacific time <-> UTC (core/sstime.c): every accepted
 * shape, nulls, the DST rule before and since 2007, the spring gap and
 * the fall overlap, and independence from the process TZ.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "core.h"

/* Pacific text in, UTC DATETIME(6) text out. */
static void
conv(const char *in, const char *want, enum sstime_kind wkind)
{
	int64_t			 us;
	enum sstime_kind	 k;
	char			 buf[64];

	if (sstime_parse_pacific(in, &us, &k) != 0)
		fail_msg("cannot parse '%s'", in);
	assert_int_equal(k, wkind);
	assert_int_equal(sstime_format_db(us, buf, sizeof(buf)), 0);
	if (strcmp(buf, want) != 0)
		fail_msg("'%s': got %s, want %s", in, buf, want);
}

static void
fraction_digits(void **state)
{
	(void)state;
	/* Recorded response: Date 17:19:48 GMT, modifyDate 09:19:48.613. */
	conv("2021-01-23T09:19:48.6130000", "2021-01-23 17:19:48.613000",
	    SSTIME_TIME);
	conv("2015-06-29T08:46:27.0000000", "2015-06-29 15:46:27.000000",
	    SSTIME_TIME);
	conv("2021-01-23T09:09:25.793", "2021-01-23 17:09:25.793000",
	    SSTIME_TIME);
	conv("2021-01-23T09:09:08.32", "2021-01-23 17:09:08.320000",
	    SSTIME_TIME);
	conv("2021-01-23T09:09:08.4000001", "2021-01-23 17:09:08.400000",
	    SSTIME_TIME);
	conv("2021-01-23T09:09:08", "2021-01-23 17:09:08.000000", SSTIME_TIME);
	conv("2021-01-23 09:09:08", "2021-01-23 17:09:08.000000", SSTIME_TIME);
	conv("2021-07-04 12:00", "2021-07-04 19:00:00.000000", SSTIME_TIME);
}

static void
date_only_and_null(void **state)
{
	int64_t			 us = 42;
	enum sstime_kind	 k = SSTIME_TIME;

	(void)state;
	conv("2015-07-02", "2015-07-02 07:00:00.000000", SSTIME_DATE);
	conv("2015-01-02", "2015-01-02 08:00:00.000000", SSTIME_DATE);
	assert_int_equal(sstime_parse_pacific(NULL, &us, &k), 0);
	assert_int_equal(k, SSTIME_NULL);
	assert_int_equal(us, 0);
	assert_int_equal(sstime_parse_pacific("", &us, &k), 0);
	assert_int_equal(k, SSTIME_NULL);
	assert_int_equal(sstime_parse_pacific("null", &us, &k), 0);
	assert_int_equal(k, SSTIME_NULL);
}

static void
rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"2021-13-01", "2021-02-29", "2020-02-30", "2021-01-01T25:00:00",
		"2021-01-01T10:60:00", "2021-01-01T10:00:61", "2021-01-01X",
		"2021-01-01T10:00:00.", "2021-01-01T10:00:00.1234567890",
		"21-01-01", "2021-1-01", "2021-01-01T10", "2021-01-01T10:00:00 ",
		"2021-01-01T10:00:00+5", "yesterday", "1899-12-31",
		"2021-01-01T10:00:00Zjunk",
	};
	int64_t			 us;
	enum sstime_kind	 k;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sstime_parse_pacific(bad[i], &us, &k) != -1)
			fail_msg("accepted '%s'", bad[i]);
	conv("2020-02-29", "2020-02-29 08:00:00.000000", SSTIME_DATE);
}

static void
spring_gap(void **state)
{
	char	 buf[64];
	int64_t	 us;
	enum sstime_kind k;

	(void)state;
	/* 2021-03-14: 01:59:59 PST is followed by 03:00:00 PDT. */
	conv("2021-03-14 01:59:59", "2021-03-14 09:59:59.000000", SSTIME_TIME);
	conv("2021-03-14 03:00:00", "2021-03-14 10:00:00.000000", SSTIME_TIME);
	/* 02:30 does not exist: read as PST = shifted +1 h to 03:30 PDT. */
	conv("2021-03-14 02:30:00", "2021-03-14 10:30:00.000000", SSTIME_TIME);
	conv("2021-03-14 02:00:00", "2021-03-14 10:00:00.000000", SSTIME_TIME);
	assert_int_equal(sstime_parse_pacific("2021-03-14 02:30:00", &us,
	    &k), 0);
	assert_int_equal(sstime_format_pacific(us, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2021-03-14 03:30:00");
	/* 2024: second Sunday of March is the 10th. */
	conv("2024-03-10 02:15:00", "2024-03-10 10:15:00.000000", SSTIME_TIME);
	conv("2024-03-09 12:00:00", "2024-03-09 20:00:00.000000", SSTIME_TIME);
	conv("2024-03-11 12:00:00", "2024-03-11 19:00:00.000000", SSTIME_TIME);
}

static void
fall_overlap(void **state)
{
	char	 buf[64];
	int64_t	 us;
	enum sstime_kind k;

	(void)state;
	/* 2021-11-07: 01:00-01:59 happens twice; we take the first (PDT). */
	conv("2021-11-07 00:59:59", "2021-11-07 07:59:59.000000", SSTIME_TIME);
	conv("2021-11-07 01:30:00", "2021-11-07 08:30:00.000000", SSTIME_TIME);
	conv("2021-11-07 01:59:59", "2021-11-07 08:59:59.000000", SSTIME_TIME);
	conv("2021-11-07 02:00:00", "2021-11-07 10:00:00.000000", SSTIME_TIME);
	/* Both instants print as the same wall clock. */
	assert_int_equal(sstime_parse_utc("2021-11-07T08:30:00Z", &us, &k), 0);
	assert_int_equal(sstime_format_pacific(us, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2021-11-07 01:30:00");
	assert_int_equal(sstime_pacific_offset(us), -420);
	assert_int_equal(sstime_parse_utc("2021-11-07T09:30:00Z", &us, &k), 0);
	assert_int_equal(sstime_format_pacific(us, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2021-11-07 01:30:00");
	assert_int_equal(sstime_pacific_offset(us), -480);
}

static void
rule_before_2007(void **state)
{
	(void)state;
	/* 1987-2006: first Sunday of April to last Sunday of October. */
	conv("2006-03-12 12:00:00", "2006-03-12 20:00:00.000000", SSTIME_TIME);
	conv("2006-04-02 01:59:59", "2006-04-02 09:59:59.000000", SSTIME_TIME);
	conv("2006-04-02 03:00:00", "2006-04-02 10:00:00.000000", SSTIME_TIME);
	conv("2006-10-29 00:30:00", "2006-10-29 07:30:00.000000", SSTIME_TIME);
	conv("2006-10-29 02:30:00", "2006-10-29 10:30:00.000000", SSTIME_TIME);
	conv("2006-11-03 12:00:00", "2006-11-03 20:00:00.000000", SSTIME_TIME);
	/* Same dates under the 2007 rule are the other way round. */
	conv("2007-03-12 12:00:00", "2007-03-12 19:00:00.000000", SSTIME_TIME);
	conv("2007-11-03 12:00:00", "2007-11-03 19:00:00.000000", SSTIME_TIME);
}

static void
explicit_offset_and_utc(void **state)
{
	int64_t			 us;
	enum sstime_kind	 k;
	char			 buf[64];

	(void)state;
	conv("2020-01-01T10:00:00-00:00", "2020-01-01 10:00:00.000000",
	    SSTIME_TIME);
	conv("2020-01-01T10:00:00Z", "2020-01-01 10:00:00.000000", SSTIME_TIME);
	conv("2020-01-01T10:00:00+0130", "2020-01-01 08:30:00.000000",
	    SSTIME_TIME);
	assert_int_equal(sstime_parse_utc("2018-09-23T15:00:00.000Z", &us, &k),
	    0);
	assert_int_equal(sstime_format_utc(us, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2018-09-23T15:00:00.000Z");
	assert_int_equal(sstime_parse_utc("2019-03-12T19:24:13.657Z", &us, &k),
	    0);
	assert_int_equal(sstime_format_db(us, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2019-03-12 19:24:13.657000");
	assert_int_equal(sstime_format_pacific(us, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2019-03-12 12:24:13");
	assert_int_equal(sstime_format_pacific(us, buf, 10), -1);
}

/* Every hour of two years: UTC -> Pacific text -> UTC is the identity,
 * except the second pass of each repeated fall hour, which comes back
 * one hour early (the documented first-occurrence rule). */
static void
round_trip_two_years(void **state)
{
	int64_t			 us, back, start, end;
	enum sstime_kind	 k;
	char			 buf[64];
	int			 off = 0;

	(void)state;
	assert_int_equal(sstime_parse_utc("2021-01-01T00:00:00Z", &start, &k),
	    0);
	assert_int_equal(sstime_parse_utc("2023-01-01T00:00:00Z", &end, &k), 0);
	for (us = start; us < end; us += 900LL * 1000000) {
		assert_int_equal(sstime_format_pacific(us, buf, sizeof(buf)), 0);
		assert_int_equal(sstime_parse_pacific(buf, &back, &k), 0);
		if (back != us) {
			assert_int_equal(us - back, 3600LL * 1000000);
			off++;
		}
	}
	assert_int_equal(off, 2 * 4);	/* 4 quarter hours, 2 years */
}

static void
ignores_process_tz(void **state)
{
	(void)state;
	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	tzset();
	conv("2021-03-14 02:30:00", "2021-03-14 10:30:00.000000", SSTIME_TIME);
	conv("2021-11-07 01:30:00", "2021-11-07 08:30:00.000000", SSTIME_TIME);
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	conv("2021-07-04 12:00", "2021-07-04 19:00:00.000000", SSTIME_TIME);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fraction_digits),
		cmocka_unit_test(date_only_and_null),
		cmocka_unit_test(rejects_garbage),
		cmocka_unit_test(spring_gap),
		cmocka_unit_test(fall_overlap),
		cmocka_unit_test(rule_before_2007),
		cmocka_unit_test(explicit_offset_and_utc),
		cmocka_unit_test(round_trip_two_years),
		cmocka_unit_test(ignores_process_tz),
	};

	return cmocka_run_group_tests_name("sstime", tests, NULL, NULL);
}
