/*
 * ShipStation V1 timestamps: America/Los_Angeles wall-clock time with
 * no offset (reference shipstation.md 1.4). We convert them to UTC on
 * the way in and UTC to Pacific for V1 filter parameters on the way
 * out, without the process TZ and without tzdata: the US rule is short
 * and stable enough to state here (15 U.S.C. 260a as amended in 2005):
 *
 *   2007-:      PDT from the second Sunday of March, 02:00 PST,
 *               to the first Sunday of November, 02:00 PDT.
 *   1987-2006:  first Sunday of April to last Sunday of October.
 *   before:     last Sunday of April to last Sunday of October
 *               (1974-75 wartime years are not modelled; ShipStation
 *               did not exist).
 *
 * Two local hours a year need a rule (docs/CLIENTS.md):
 *   spring gap, 02:00-02:59 does not exist: read with the PST offset,
 *     which is the local time shifted +1 h (02:30 -> 03:30 PDT), as the
 *     production client in the reference does;
 *   fall overlap, 01:00-01:59 happens twice: read as the first
 *     occurrence (PDT). The earlier instant keeps a modifyDate cursor
 *     from running ahead of the data; at worst a poll re-reads an hour,
 *     and records are de-duplicated by id.
 * An explicit offset or Z in the text (never sent by ShipStation, but
 * harmless) is honoured as written.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core.h"

#define H	3600

struct civil {
	int		 y, m, d, hh, mm, ss;
	long		 us;
	int		 has_time;
	int		 has_off;
	int		 off_min;	/* east of UTC */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t		 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t		 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Sunday. */
static int
weekday(int64_t days)
{
	int64_t	 w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int64_t
nth_sunday(int y, int m, int n)
{
	int64_t	 first = days_from_civil(y, m, 1);

	return first + (7 - weekday(first)) % 7 + 7 * (n - 1);
}

static int64_t
last_sunday(int y, int m)
{
	int64_t	 last = days_from_civil(m == 12 ? y + 1 : y,
	    m == 12 ? 1 : m + 1, 1) - 1;

	return last - weekday(last);
}

/* The local days (since the epoch) on which PDT starts and ends. */
static void
dst_days(int y, int64_t *start, int64_t *end)
{
	if (y >= 2007) {
		*start = nth_sunday(y, 3, 2);
		*end = nth_sunday(y, 11, 1);
	} else if (y >= 1987) {
		*start = nth_sunday(y, 4, 1);
		*end = last_sunday(y, 10);
	} else {
		*start = last_sunday(y, 4);
		*end = last_sunday(y, 10);
	}
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int
sstime_pacific_offset(int64_t utc_us)
{
	int64_t	 t = floor_div(utc_us, 1000000), start, end;
	int	 y, m, d;

	civil_from_days(floor_div(t, 86400), &y, &m, &d);
	dst_days(y, &start, &end);
	/* 02:00 PST = 10:00 UTC; 02:00 PDT = 09:00 UTC. */
	if (t >= start * 86400 + 10 * H && t < end * 86400 + 9 * H)
		return -420;
	return -480;
}

/* Local wall-clock seconds (as if UTC) to the UTC offset, per the rule. */
static int
local_offset(int64_t local_s)
{
	int64_t	 start, end;
	int	 y, m, d;

	civil_from_days(floor_div(local_s, 86400), &y, &m, &d);
	dst_days(y, &start, &end);
	/* PDT without doubt from 03:00 on the start day; the repeated hour
	 * before 02:00 on the end day is PDT too (first occurrence). The
	 * gap 02:00-02:59 falls outside and reads as PST. */
	if (local_s >= start * 86400 + 3 * H && local_s < end * 86400 + 2 * H)
		return -420;
	return -480;
}

static int
digits(const char **p, int n, int *out)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/*
 * YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.f...]], then optionally
 * Z or +HH:MM / -HH:MM / +HHMM. Nothing else.
 */
static int
parse_civil(const char *s, struct civil *c)
{
	const char	*p = s;
	int		 n, oh, om, sign;

	memset(c, 0, sizeof(*c));
	if (digits(&p, 4, &c->y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &c->m) == -1 || *p++ != '-' ||
	    digits(&p, 2, &c->d) == -1)
		return -1;
	if (c->y < 1900 || c->m < 1 || c->m > 12 || c->d < 1 ||
	    c->d > days_in_month(c->y, c->m))
		return -1;
	if (*p == '\0')
		return 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	c->has_time = 1;
	if (digits(&p, 2, &c->hh) == -1 || *p++ != ':' ||
	    digits(&p, 2, &c->mm) == -1)
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &c->ss) == -1)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			for (n = 0; *p >= '0' && *p <= '9'; n++, p++) {
				if (n >= 9)
					return -1;
				if (n < 6)
					c->us = c->us * 10 + (*p - '0');
			}
			if (n == 0)
				return -1;
			for (; n < 6; n++)
				c->us *= 10;
		}
	}
	if (c->hh > 23 || c->mm > 59 || c->ss > 59)
		return -1;
	if (*p == 'Z' || *p == 'z') {
		c->has_off = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) == -1)
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
		c->has_off = 1;
		c->off_min = sign * (oh * 60 + om);
	}
	return *p == '\0' ? 0 : -1;
}

static int
is_null(const char *s)
{
	return s == NULL || s[0] == '\0' || strcmp(s, "null") == 0;
}

static int64_t
civil_seconds(const struct civil *c)
{
	return days_from_civil(c->y, c->m, c->d) * 86400 +
	    (int64_t)c->hh * H + c->mm * 60 + c->ss;
}

int
sstime_parse_pacific(const char *s, int64_t *utc_us, enum sstime_kind *kind)
{
	struct civil	 c;
	int64_t		 local;
	int		 off;

	*utc_us = 0;
	*kind = SSTIME_NULL;
	if (is_null(s))
		return 0;
	if (parse_civil(s, &c) == -1)
		return -1;
	local = civil_seconds(&c);
	off = c.has_off ? c.off_min : local_offset(local);
	*utc_us = (local - (int64_t)off * 60) * 1000000 + c.us;
	*kind = c.has_time ? SSTIME_TIME : SSTIME_DATE;
	return 0;
}

int
sstime_parse_utc(const char *s, int64_t *utc_us, enum sstime_kind *kind)
{
	struct civil	 c;

	*utc_us = 0;
	*kind = SSTIME_NULL;
	if (is_null(s))
		return 0;
	if (parse_civil(s, &c) == -1)
		return -1;
	*utc_us = (civil_seconds(&c) - (int64_t)c.off_min * 60) * 1000000 +
	    c.us;
	*kind = c.has_time ? SSTIME_TIME : SSTIME_DATE;
	return 0;
}

static int
split(int64_t us, struct civil *c)
{
	int64_t	 t = floor_div(us, 1000000), days;

	c->us = (long)(us - t * 1000000);
	days = floor_div(t, 86400);
	t -= days * 86400;
	civil_from_days(days, &c->y, &c->m, &c->d);
	c->hh = (int)(t / H);
	c->mm = (int)(t % H / 60);
	c->ss = (int)(t % 60);
	return c->y < 0 || c->y > 9999 ? -1 : 0;
}

static int
fits(int n, size_t sz)
{
	return n > 0 && (size_t)n < sz ? 0 : -1;
}

int
sstime_format_pacific(int64_t utc_us, char *buf, size_t sz)
{
	struct civil	 c;

	if (split(utc_us + (int64_t)sstime_pacific_offset(utc_us) * 60 *
	    1000000, &c) == -1)
		return -1;
	return fits(snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d:%02d",
	    c.y, c.m, c.d, c.hh, c.mm, c.ss), sz);
}

int
sstime_format_utc(int64_t utc_us, char *buf, size_t sz)
{
	struct civil	 c;

	if (split(utc_us, &c) == -1)
		return -1;
	return fits(snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    c.y, c.m, c.d, c.hh, c.mm, c.ss, c.us / 1000), sz);
}

int
sstime_format_db(int64_t utc_us, char *buf, size_t sz)
{
	struct civil	 c;

	if (split(utc_us, &c) == -1)
		return -1;
	return fits(snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
	    c.y, c.m, c.d, c.hh, c.mm, c.ss, c.us), sz);
}
