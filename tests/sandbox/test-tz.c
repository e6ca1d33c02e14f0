/*
 * The sandbox's self-contained Pacific time against the system's tz
 * database: every quarter hour from 1990 to 2040, the UTC offset must
 * match localtime_r() in America/Los_Angeles, and wall clock -> UTC
 * must round-trip outside the DST gap and pick the daylight instant in
 * the fall-back hour. TAP output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

static int	 n, failed;

static void
ok(int cond, const char *what)
{
	n++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n, what);
}

static void
str(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) != 0)
		printf("# got:  '%s'\n# want: '%s'\n", got, want);
	ok(strcmp(got, want) == 0, what);
}

int
main(void)
{
	char		 buf[TZ_BUFSZ], msg[128];
	struct tm	 tm;
	time_t		 t;
	int64_t		 from, to, ms, off, bad_off = 0, bad_rt = 0, u;
	int64_t		 first_bad = 0;

	if (access("/usr/share/zoneinfo/America/Los_Angeles", R_OK) != 0) {
		printf("1..0 # SKIP no tz database\n");
		return 0;
	}
	if (setenv("TZ", "America/Los_Angeles", 1) != 0)
		return 1;
	tzset();

	from = tz_days_from_civil(1990, 1, 1) * 86400000LL;
	to = tz_days_from_civil(2040, 1, 1) * 86400000LL;
	for (ms = from; ms < to; ms += 15 * 60000) {
		t = (time_t)(ms / 1000);
		if (localtime_r(&t, &tm) == NULL)
			return 1;
		off = tz_la_offset_ms(ms);
		if (off != (int64_t)tm.tm_gmtoff * 1000) {
			if (bad_off++ == 0)
				first_bad = ms;
			continue;
		}
		/* Wall clock back to UTC: exact unless the wall time
		 * repeats (fall back), where the first instant wins. */
		u = tz_la_to_utc(ms + off);
		if (u != ms && !(tm.tm_isdst == 0 &&
		    tz_la_offset_ms(ms - 3600000) != off && u == ms - 3600000))
			bad_rt++;
	}
	(void)snprintf(msg, sizeof(msg), "UTC offset matches the tz database "
	    "every 15 min 1990-2040 (%lld mismatches, first at %lld)",
	    (long long)bad_off, (long long)first_bad);
	ok(bad_off == 0, msg);
	(void)snprintf(msg, sizeof(msg), "wall clock round-trips to UTC "
	    "(%lld mismatches)", (long long)bad_rt);
	ok(bad_rt == 0, msg);

	/* The recorded sample (§1.4): Date 17:19:48 GMT in January. */
	(void)tz_parse_utc("2021-01-23T17:19:48.613Z", &ms);
	tz_fmt_v1(ms, 7, buf, sizeof(buf));
	str(buf, "2021-01-23T09:19:48.6130000", "orders: 7 digits, PST");
	tz_fmt_v1(ms, 2, buf, sizeof(buf));
	str(buf, "2021-01-23T09:19:48.61", "items: 2 digits");
	tz_fmt_v1(ms, 3, buf, sizeof(buf));
	str(buf, "2021-01-23T09:19:48.613", "products: 3 digits");
	tz_fmt_date(ms, buf, sizeof(buf));
	str(buf, "2021-01-23", "date only");
	tz_fmt_utc(ms, buf, sizeof(buf));
	str(buf, "2021-01-23T17:19:48.613Z", "V2: UTC with Z");

	/* Spring forward 2026-03-08: 02:30 does not exist. */
	(void)tz_parse_v1("2026-03-08 02:30:00", &ms);
	tz_fmt_utc(ms, buf, sizeof(buf));
	str(buf, "2026-03-08T10:30:00.000Z", "a gap time reads as PST");
	/* Fall back 2026-11-01: 01:30 happens twice. */
	(void)tz_parse_v1("2026-11-01T01:30:00", &ms);
	tz_fmt_utc(ms, buf, sizeof(buf));
	str(buf, "2026-11-01T08:30:00.000Z", "a repeated time is the PDT one");
	(void)tz_parse_v1("2026-11-01T01:30:00-08:00", &ms);
	tz_fmt_utc(ms, buf, sizeof(buf));
	str(buf, "2026-11-01T09:30:00.000Z", "an explicit offset is honoured");
	ok(tz_parse_v1("2026-02-30x", &ms) == -1, "junk is refused");
	ok(tz_parse_v1("2026-13-01", &ms) == -1, "month 13 is refused");
	printf("1..%d\n", n);
	return failed != 0;
}
