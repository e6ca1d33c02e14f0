/*
 * Time for the ShipStation faces: V1 speaks America/Los_Angeles wall
 * clock without an offset (reference §1.4), V2 speaks UTC with a Z
 * (§4.1). The Pacific conversion is self-contained: the US rules of the
 * Energy Policy Act of 2005 (second Sunday of March to first Sunday of
 * November, 02:00 local) from 2007 on, and the 1987-2006 rules (first
 * Sunday of April to last Sunday of October) before that. No TZ
 * variable, no localtime_r, so it is fast and cannot be upset by the
 * host's zone database.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define HOUR_MS		(3600 * (int64_t)1000)
#define DAY_MS		(24 * HOUR_MS)
#define PST_MS		(-8 * HOUR_MS)
#define PDT_MS		(-7 * HOUR_MS)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t
tz_days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t		 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of tz_days_from_civil(). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t		 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 0 = Sunday. */
static int
weekday(int64_t days)
{
	int64_t	 w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

/* Day of month of the n-th (1-based) Sunday, or the last when n is 0. */
static unsigned int
sunday(int64_t y, unsigned int m, int n)
{
	static const unsigned int mdays[] = { 31, 28, 31, 30, 31, 30, 31,
	    31, 30, 31, 30, 31 };
	unsigned int	 last;
	int		 w;

	if (n == 0) {
		last = mdays[m - 1];
		w = weekday(tz_days_from_civil(y, m, last));
		return last - (unsigned int)w;
	}
	w = weekday(tz_days_from_civil(y, m, 1));
	return 1 + (unsigned int)((7 - w) % 7) + 7 * (unsigned int)(n - 1);
}

/* UTC instants at which DST starts and ends in year y. */
static void
dst_bounds(int64_t y, int64_t *start, int64_t *end)
{
	if (y >= 2007) {
		*start = tz_days_from_civil(y, 3, sunday(y, 3, 2)) * DAY_MS +
		    2 * HOUR_MS - PST_MS;
		*end = tz_days_from_civil(y, 11, sunday(y, 11, 1)) * DAY_MS +
		    2 * HOUR_MS - PDT_MS;
	} else {
		*start = tz_days_from_civil(y, 4, sunday(y, 4, 1)) * DAY_MS +
		    2 * HOUR_MS - PST_MS;
		*end = tz_days_from_civil(y, 10, sunday(y, 10, 0)) * DAY_MS +
		    2 * HOUR_MS - PDT_MS;
	}
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && ((a < 0) != (b < 0)));
}

/* Offset of America/Los_Angeles from UTC at a UTC instant, in ms. */
int64_t
tz_la_offset_ms(int64_t utc)
{
	int64_t		 y, start, end;
	unsigned int	 m, d;

	civil_from_days(floordiv(utc + PST_MS, DAY_MS), &y, &m, &d);
	dst_bounds(y, &start, &end);
	return utc >= start && utc < end ? PDT_MS : PST_MS;
}

/*
 * A Pacific wall-clock time (given as ms since the epoch as if it were
 * UTC) to a UTC instant. In the fall-back hour, which happens twice,
 * the first (daylight) one wins; a time in the spring-forward gap,
 * which never happens, is read as standard time, i.e. one hour later
 * in daylight time, as clients that shift such times do (§1.4).
 */
int64_t
tz_la_to_utc(int64_t local)
{
	int64_t	 std = local - PST_MS, dst = local - PDT_MS;

	if (tz_la_offset_ms(dst) == PDT_MS)
		return dst;
	return std;
}

static void
split(int64_t ms, int64_t *y, unsigned int *mo, unsigned int *d,
    int *h, int *mi, int *s, int *frac)
{
	int64_t	 days = floordiv(ms, DAY_MS), rem = ms - days * DAY_MS;

	civil_from_days(days, y, mo, d);
	*h = (int)(rem / HOUR_MS);
	*mi = (int)(rem / 60000 % 60);
	*s = (int)(rem / 1000 % 60);
	*frac = (int)(rem % 1000);
}

/*
 * Pacific wall clock with the given number of fractional digits: 7 for
 * orders (2021-01-23T09:19:48.6130000), 2 for order items, 3 for
 * products, 0 for none. buf has at least TZ_BUFSZ bytes.
 */
void
tz_fmt_v1(int64_t utc, int digits, char *buf, size_t sz)
{
	int64_t		 y;
	unsigned int	 mo, d;
	int		 h, mi, s, f;

	split(utc + tz_la_offset_ms(utc), &y, &mo, &d, &h, &mi, &s, &f);
	switch (digits) {
	case 7:
		(void)snprintf(buf, sz, "%04lld-%02u-%02uT%02d:%02d:%02d.%03d0000",
		    (long long)y, mo, d, h, mi, s, f);
		break;
	case 3:
		(void)snprintf(buf, sz, "%04lld-%02u-%02uT%02d:%02d:%02d.%03d",
		    (long long)y, mo, d, h, mi, s, f);
		break;
	case 2:
		(void)snprintf(buf, sz, "%04lld-%02u-%02uT%02d:%02d:%02d.%02d",
		    (long long)y, mo, d, h, mi, s, f / 10);
		break;
	default:
		(void)snprintf(buf, sz, "%04lld-%02u-%02uT%02d:%02d:%02d",
		    (long long)y, mo, d, h, mi, s);
		break;
	}
}

/* The Pacific calendar date of a UTC instant: 2015-07-02. */
void
tz_fmt_date(int64_t utc, char *buf, size_t sz)
{
	int64_t		 y;
	unsigned int	 mo, d;
	int		 h, mi, s, f;

	split(utc + tz_la_offset_ms(utc), &y, &mo, &d, &h, &mi, &s, &f);
	(void)snprintf(buf, sz, "%04lld-%02u-%02u", (long long)y, mo, d);
}

/* ISO 8601 UTC as V2 writes it: 2018-09-23T15:00:00.000Z. */
void
tz_fmt_utc(int64_t utc, char *buf, size_t sz)
{
	int64_t		 y;
	unsigned int	 mo, d;
	int		 h, mi, s, f;

	split(utc, &y, &mo, &d, &h, &mi, &s, &f);
	(void)snprintf(buf, sz, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
	    (long long)y, mo, d, h, mi, s, f);
}

/* Read exactly n digits at *p; -1 when they are not there. */
static int
digits(const char **p, int n)
{
	int	 v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/*
 * Parse "yyyy-mm-dd", "yyyy-mm-dd hh:mm[:ss[.f…]]" or the same with a
 * 'T', optionally followed by 'Z' or ±hh[:]mm. Without a zone the time
 * is local and *zoned is 0; *out is then ms "as if UTC". 0 or -1.
 */
static int
parse_iso(const char *p, int64_t *out, int *zoned)
{
	int	 y, mo, d, h = 0, mi = 0, s = 0, ms = 0, n, sign, oh, om;
	int64_t	 off = 0;

	*zoned = 0;
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
	    (d = digits(&p, 2)) < 1 || d > 31)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' ||
		    (mi = digits(&p, 2)) < 0 || mi > 59)
			return -1;
		if (*p == ':') {
			p++;
			if ((s = digits(&p, 2)) < 0 || s > 60)
				return -1;
			if (*p == '.') {
				p++;
				for (n = 0; *p >= '0' && *p <= '9'; p++, n++)
					if (n < 3)
						ms = ms * 10 + (*p - '0');
				if (n == 0 || n > 9)
					return -1;
				for (; n < 3; n++)
					ms *= 10;
			}
		}
	}
	if (*p == 'Z') {
		*zoned = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = digits(&p, 2)) < 0 || oh > 14)
			return -1;
		if (*p == ':')
			p++;
		if ((om = digits(&p, 2)) < 0 || om > 59)
			return -1;
		off = sign * ((int64_t)oh * HOUR_MS + (int64_t)om * 60000);
		*zoned = 1;
	}
	if (*p != '\0')
		return -1;
	*out = tz_days_from_civil(y, (unsigned int)mo, (unsigned int)d) *
	    DAY_MS + (int64_t)h * HOUR_MS + (int64_t)mi * 60000 +
	    (int64_t)s * 1000 + ms - off;
	return 0;
}

/*
 * A V1 date or date-time: Pacific local unless it carries Z or an
 * offset, which are honoured (the reference calls that unverified; a
 * strict server would misread them, we read them as written). 0 or -1.
 */
int
tz_parse_v1(const char *s, int64_t *out)
{
	int64_t	 v;
	int	 zoned;

	if (parse_iso(s, &v, &zoned) == -1)
		return -1;
	*out = zoned ? v : tz_la_to_utc(v);
	return 0;
}

/* A V2 date or date-time: UTC unless it carries an offset. 0 or -1. */
int
tz_parse_utc(const char *s, int64_t *out)
{
	int	 zoned;

	return parse_iso(s, out, &zoned);
}
