/*
 * Sage X3 stand-in: the state both surfaces share (GraphQL at
 * /xtrem/api, REST api1 at /api1/x3/erp/), its seed master data, the
 * business rules (sage-x3.md §2, §6, §7), control actions and dump.
 */
#include "config.h"

#include <sys/random.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "sandbox.h"
#include "x3.h"

/* --- clock and small helpers ------------------------------------------- */

/* The sandbox clock as broken-down UTC time. */
static void
now_tm(struct tm *tm)
{
	int64_t	 ms = sb_now_ms();
	time_t	 t = (time_t)(ms / 1000);

	if (gmtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

void
x3_now_datetime(char *buf, size_t bufsz)
{
	struct tm	tm;

	now_tm(&tm);
	if (strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}

void
x3_now_date(char *buf, size_t bufsz)
{
	struct tm	tm;

	now_tm(&tm);
	if (strftime(buf, bufsz, "%Y-%m-%d", &tm) == 0)
		buf[0] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char *s, int n, int *out)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parse an ISO-8601 date or datetime to UTC ms; see x3.h. */
int
x3_parse_datetime(const char *s, int64_t *ms)
{
	int	y, mo, d, h = 0, mi = 0, se = 0, frac = 0, fd = 0, oh, om;
	int64_t	off = 0;

	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi) ||
		    h > 23 || mi > 59)
			return -1;
		s += 5;
		if (*s == ':') {
			if (digits(s + 1, 2, &se) || se > 60)
				return -1;
			s += 3;
		}
		if (*s == '.') {
			for (s++; isdigit((unsigned char)*s); s++, fd++)
				if (fd < 3)
					frac = frac * 10 + (*s - '0');
			if (fd == 0)
				return -1;
			for (; fd < 3; fd++)
				frac *= 10;
		}
		if (*s == 'Z')
			s++;
		else if (*s == '+' || *s == '-') {
			if (digits(s + 1, 2, &oh) || s[3] != ':' ||
			    digits(s + 4, 2, &om))
				return -1;
			off = (int64_t)(oh * 60 + om) * 60000;
			if (*s == '+')
				off = -off;
			s += 6;
		}
	}
	if (*s != '\0')
		return -1;
	*ms = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se) * 1000 + frac + off;
	return 0;
}

static void
new_uuid(char *buf, size_t bufsz)
{
	unsigned char	 b[16];
	size_t		 i;
	int		 n;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(sb_now_ms() >> (i % 8));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	n = snprintf(buf, bufsz, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	if (n < 0 || (size_t)n >= bufsz)
		buf[0] = '\0';
}

const char *
x3_str(const json_t *row, const char *field)
{
	const json_t	*v = json_object_get(row, field);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

double
x3_num(const json_t *row, const char *field)
{
	const json_t	*v = json_object_get(row, field);

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	return 0;
}

/* A decimal rounded to 6 places (X3 quantities and prices). */
static json_t *
dec(double v)
{
	double	r = round(v * 1e6) / 1e6;

	if (r == floor(r) && fabs(r) < 1e15)
		return json_integer((json_int_t)r);
	return json_real(r);
}

void
x3_rowkey(enum x3_tab t, const json_t *row, char *buf, size_t bufsz)
{
	const char	*a, *b;
	int		 n;

	if (x3_tables[t].key != NULL) {
		a = x3_str(row, x3_tables[t].key);
		n = snprintf(buf, bufsz, "%s", a != NULL ? a : "");
	} else {
		a = x3_str(row, "STOFCY");
		b = x3_str(row, "ITMREF");
		n = snprintf(buf, bufsz, "%s~%s", a != NULL ? a : "",
		    b != NULL ? b : "");
	}
	if (n < 0 || (size_t)n >= bufsz)
		buf[0] = '\0';
}

json_t *
x3_find(struct x3_state *x, enum x3_tab t, const char *key)
{
	size_t	 i;
	json_t	*row;
	char	 k[128];

	if (key == NULL)
		return NULL;
	json_array_foreach(x->tab[t], i, row) {
		x3_rowkey(t, row, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return row;
	}
	return NULL;
}

int
x3_locked(const struct x3_state *x, const char *cls, const char *key)
{
	char	k[256];
	int	n;

	n = snprintf(k, sizeof(k), "%s~%s", cls, key);
	if (n < 0 || (size_t)n >= sizeof(k))
		return 0;
	return json_object_get(x->locks, k) != NULL;
}

/* Set audit columns on a new row: UTC stamps, UPDTICK 1, AUUID. */
static void
stamp_new(const struct x3_state *x, json_t *row)
{
	char	now[32], uuid[40];

	x3_now_datetime(now, sizeof(now));
	new_uuid(uuid, sizeof(uuid));
	json_object_set_new(row, "CREDATTIM", json_string(now));
	json_object_set_new(row, "UPDDATTIM", json_string(now));
	json_object_set_new(row, "UPDTICK", json_integer(1));
	json_object_set_new(row, "CREUSR", json_string(
	    x->cfg != NULL && x->cfg->x3_user != NULL ? x->cfg->x3_user :
	    "ADMIN"));
	json_object_set_new(row, "UPDUSR", json_string(
	    x->cfg != NULL && x->cfg->x3_user != NULL ? x->cfg->x3_user :
	    "ADMIN"));
	json_object_set_new(row, "AUUID", json_string(uuid));
}

/* An update: UPDDATTIM now, UPDTICK + 1 (the DB trigger of §2.7). */
static void
stamp_upd(json_t *row)
{
	char	now[32];

	x3_now_datetime(now, sizeof(now));
	json_object_set_new(row, "UPDDATTIM", json_string(now));
	json_object_set_new(row, "UPDTICK",
	    json_integer(json_integer_value(json_object_get(row,
	    "UPDTICK")) + 1));
}

static void
diag(json_t *diags, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
diag(json_t *diags, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(diags, json_string(buf));
}

/* Next number of the named counter. */
static long long
counter_next(struct x3_state *x, const char *name)
{
	long long	 n;

	n = json_integer_value(json_object_get(x->counters, name)) + 1;
	json_object_set_new(x->counters, name, json_integer(n));
	return n;
}

/*
 * Copy input string field f into row after checking its length
 * against the dictionary. Missing: default (may be NULL: left out).
 */
static void
take_str(json_t *row, const json_t *in, const struct x3_field *fields,
    const char *f, const char *def, json_t *diags)
{
	const json_t		*v = json_object_get(in, f);
	const struct x3_field	*fd = x3_field_get(fields, f);
	size_t			 max = fd != NULL && fd->maxlen > 0 ?
				    fd->maxlen : X3_LEN_TEXT;
	const char		*s;

	if (v == NULL || json_is_null(v)) {
		if (def != NULL)
			json_object_set_new(row, f, json_string(def));
		return;
	}
	if (!json_is_string(v)) {
		diag(diags, "%s: String expected", f);
		return;
	}
	s = json_string_value(v);
	/* X3 lengths count characters, not bytes. */
	{
		size_t		 n = 0;
		const char	*c;

		for (c = s; *c != '\0'; c++)
			if (((unsigned char)*c & 0xc0) != 0x80)
				n++;
		if (n > max) {
			diag(diags, "%s: Field too long (%zu characters, "
			    "maximum %zu)", f, n, max);
			return;
		}
	}
	json_object_set_new(row, f, json_string(s));
}

/* A decimal from a number or numeric string; -1 when not numeric. */
static int
get_dec(const json_t *v, double *out)
{
	char	*end;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_string(v) && *json_string_value(v) != '\0') {
		*out = strtod(json_string_value(v), &end);
		if (*end == '\0' && isfinite(*out))
			return 0;
	}
	return -1;
}

static int
get_menu(const json_t *in, const char *f, int menu, int def, int *out,
    json_t *diags)
{
	const json_t	*v = json_object_get(in, f);
	double		 d;

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (get_dec(v, &d) == 0 && d == floor(d) && x3_menu_name(menu,
	    (int)d) != NULL) {
		*out = (int)d;
		return 0;
	}
	if (json_is_string(v) && (*out = x3_menu_value(menu,
	    json_string_value(v))) != 0)
		return 0;
	diag(diags, "%s: Invalid value for local menu %d", f, menu);
	return -1;
}

static int
get_date(const json_t *in, const char *f, char *buf, size_t bufsz,
    json_t *diags)
{
	const json_t	*v = json_object_get(in, f);
	int64_t		 ms;
	const char	*s;

	if (v == NULL || json_is_null(v))
		return 0;
	s = json_is_string(v) ? json_string_value(v) : "";
	/* SOAP sends YYYYMMDD (§2.3); accept it as well. */
	if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
		(void)snprintf(buf, bufsz, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		s = buf;
	}
	if (strlen(s) != 10 || x3_parse_datetime(s, &ms) == -1) {
		diag(diags, "%s: Incorrect date", f);
		return -1;
	}
	(void)snprintf(buf, bufsz, "%s", s);
	return 1;
}

static void
lock_diag(json_t *diags, const char *cls, const char *key)
{

	diag(diags, "%s %s: Locked record (change in progress on another "
	    "workstation)", cls, key);
}

/* --- master data ---------------------------------------------------------- */

int
x3_customer_create(struct x3_state *x, const json_t *in, json_t **out,
    json_t *diags)
{
	const struct x3_field	*fl = x3_tables[X3_T_CUSTOMER].fields;
	json_t			*row;
	const char		*num, *cur;
	char			 buf[32];
	int			 typ, sta;
	size_t			 before = json_array_size(diags);

	*out = NULL;
	if ((row = json_object()) == NULL)
		return -1;
	num = x3_str(in, "BPCNUM");
	if (num == NULL || *num == '\0') {
		(void)snprintf(buf, sizeof(buf), "C%05lld",
		    counter_next(x, "BPCNUM"));
		json_object_set_new(row, "BPCNUM", json_string(buf));
	} else {
		take_str(row, in, fl, "BPCNUM", NULL, diags);
		if (x3_find(x, X3_T_CUSTOMER, num) != NULL)
			diag(diags, "BPCNUM %s: Record already exists", num);
	}
	if (x3_str(in, "BPCNAM") == NULL || *x3_str(in, "BPCNAM") == '\0')
		diag(diags, "BPCNAM: Mandatory field");
	take_str(row, in, fl, "BPCNAM", NULL, diags);
	take_str(row, in, fl, "BPCSHO", NULL, diags);
	if (x3_str(row, "BPCSHO") == NULL && x3_str(row, "BPCNAM") != NULL) {
		(void)snprintf(buf, sizeof(buf), "%.10s",
		    x3_str(row, "BPCNAM"));
		json_object_set_new(row, "BPCSHO", json_string(buf));
	}
	(void)get_menu(in, "BPCTYP", 401, 1, &typ, diags);
	(void)get_menu(in, "BPCSTA", 1, 2, &sta, diags);
	json_object_set_new(row, "BPCTYP", json_integer(typ));
	json_object_set_new(row, "BPCSTA", json_integer(sta));
	take_str(row, in, fl, "BCGCOD", "WEB", diags);
	take_str(row, in, fl, "CUR", "USD", diags);
	cur = x3_str(row, "CUR");
	if (cur != NULL && x3_find(x, X3_T_CURRENCY, cur) == NULL)
		diag(diags, "CUR %s: Record does not exist", cur);
	take_str(row, in, fl, "PTE", "NET30", diags);
	take_str(row, in, fl, "VACBPR", "TAX", diags);
	take_str(row, in, fl, "BPAADD", "MAIN", diags);
	take_str(row, in, fl, "BPDADD", "MAIN", diags);
	take_str(row, in, fl, "BPAADDLIG1", NULL, diags);
	take_str(row, in, fl, "BPAADDLIG2", NULL, diags);
	take_str(row, in, fl, "POSCOD", NULL, diags);
	take_str(row, in, fl, "CTY", NULL, diags);
	take_str(row, in, fl, "SAT", NULL, diags);
	take_str(row, in, fl, "CRY", "US", diags);
	take_str(row, in, fl, "TEL", NULL, diags);
	take_str(row, in, fl, "WEB", NULL, diags);
	json_object_set(row, "BPCINV", json_object_get(row, "BPCNUM"));
	json_object_set(row, "BPCPYR", json_object_get(row, "BPCNUM"));
	if (json_array_size(diags) > before) {
		json_decref(row);
		return -1;
	}
	stamp_new(x, row);
	json_array_append_new(x->tab[X3_T_CUSTOMER], row);
	*out = row;
	return 0;
}

static void
stock_row(struct x3_state *x, const char *fcy, const char *itm,
    const char *stu, double qty)
{
	json_t	*row;

	row = json_pack("{s:s,s:s,s:o,s:s}", "STOFCY", fcy, "ITMREF", itm,
	    "QTYSTU", dec(qty), "STU", stu);
	if (row == NULL)
		return;
	stamp_new(x, row);
	json_array_append_new(x->tab[X3_T_STOCK], row);
}

int
x3_item_create(struct x3_state *x, const json_t *in, json_t **out,
    json_t *diags)
{
	const struct x3_field	*fl = x3_tables[X3_T_ITEM].fields;
	json_t			*row;
	const char		*ref;
	double			 d;
	int			 sta, mgt;
	size_t			 i, before = json_array_size(diags);
	const json_t		*site;

	*out = NULL;
	if ((row = json_object()) == NULL)
		return -1;
	ref = x3_str(in, "ITMREF");
	if (ref == NULL || *ref == '\0')
		diag(diags, "ITMREF: Mandatory field");
	else if (x3_find(x, X3_T_ITEM, ref) != NULL)
		diag(diags, "ITMREF %s: Record already exists", ref);
	take_str(row, in, fl, "ITMREF", NULL, diags);
	if (x3_str(in, "ITMDES1") == NULL || *x3_str(in, "ITMDES1") == '\0')
		diag(diags, "ITMDES1: Mandatory field");
	take_str(row, in, fl, "ITMDES1", NULL, diags);
	take_str(row, in, fl, "ITMDES2", NULL, diags);
	take_str(row, in, fl, "ITMDES3", NULL, diags);
	take_str(row, in, fl, "TCLCOD", "FG", diags);
	(void)get_menu(in, "ITMSTA", 246, 1, &sta, diags);
	json_object_set_new(row, "ITMSTA", json_integer(sta));
	take_str(row, in, fl, "STU", "UN", diags);
	take_str(row, in, fl, "SAU", x3_str(row, "STU"), diags);
	d = 1;
	if (json_object_get(in, "SAUSTUCOE") != NULL &&
	    (get_dec(json_object_get(in, "SAUSTUCOE"), &d) == -1 || d <= 0))
		diag(diags, "SAUSTUCOE: Incorrect value");
	json_object_set_new(row, "SAUSTUCOE", dec(d));
	take_str(row, in, fl, "EANCOD", NULL, diags);
	d = 0;
	if (json_object_get(in, "ITMWEI") != NULL &&
	    get_dec(json_object_get(in, "ITMWEI"), &d) == -1)
		diag(diags, "ITMWEI: Incorrect value");
	json_object_set_new(row, "ITMWEI", dec(d));
	take_str(row, in, fl, "WEU", "KG", diags);
	(void)get_menu(in, "STOMGTCOD", 2, 2, &mgt, diags);
	json_object_set_new(row, "STOMGTCOD", json_integer(mgt));
	d = 0;
	if (json_object_get(in, "BASPRI") != NULL &&
	    (get_dec(json_object_get(in, "BASPRI"), &d) == -1 || d < 0))
		diag(diags, "BASPRI: Incorrect value");
	json_object_set_new(row, "BASPRI", dec(d));
	if (json_array_size(diags) > before) {
		json_decref(row);
		return -1;
	}
	stamp_new(x, row);
	json_array_append_new(x->tab[X3_T_ITEM], row);
	/* A new stock-managed item starts with an empty stock per site. */
	if (mgt == 2)
		json_array_foreach(x->tab[X3_T_SITE], i, site)
			if (json_integer_value(json_object_get(site,
			    "STOFLG")) == 2)
				stock_row(x, x3_str(site, "FCY"),
				    x3_str(row, "ITMREF"),
				    x3_str(row, "STU"), 0);
	*out = row;
	return 0;
}

/* --- sales orders -------------------------------------------------------- */

static void
order_totals(json_t *o)
{
	json_t	*lines = json_object_get(o, X3_ORDER_LINES), *l;
	size_t	 i;
	double	 tot = 0, q, dq;
	int	 any = 0, all = 1;

	json_array_foreach(lines, i, l) {
		tot += x3_num(l, "QTY") * x3_num(l, "NETPRI");
		q = x3_num(l, "QTY");
		dq = x3_num(l, "DLVQTY");
		if (dq > 0)
			any = 1;
		if (dq < q)
			all = 0;
	}
	json_object_set_new(o, "ORDNOT", dec(tot));
	/* XXX tax rules are not modelled: including-tax equals excluding. */
	json_object_set_new(o, "ORDATI", dec(tot));
	json_object_set_new(o, "DLVSTA", json_integer(all && any ? 3 :
	    any ? 2 : 1));
}

int
x3_order_create(struct x3_state *x, const json_t *in, json_t **out,
    json_t *diags)
{
	const struct x3_field	*fl = x3_tables[X3_T_ORDER].fields;
	const struct x3_field	*ll = x3_tables[X3_T_ORDER].lines;
	json_t			*row, *lines, *l;
	const json_t		*cust = NULL, *site = NULL, *typ = NULL;
	const json_t		*ilines, *il, *item;
	const char		*s, *salfcy, *stofcy;
	char			 buf[64], date[16];
	size_t			 i, before = json_array_size(diags);
	double			 qty, pri, coe;
	int			 cat, lin;

	*out = NULL;
	if ((row = json_object()) == NULL)
		return -1;
	lines = json_array();
	json_object_set_new(row, X3_ORDER_LINES, lines);

	/* Sales site: must exist and be a sales site. */
	if ((salfcy = x3_str(in, "SALFCY")) == NULL || *salfcy == '\0')
		diag(diags, "SALFCY: Mandatory field");
	else if ((site = x3_find(x, X3_T_SITE, salfcy)) == NULL)
		diag(diags, "SALFCY %s: Record does not exist", salfcy);
	else if (json_integer_value(json_object_get(site, "SALFLG")) != 2)
		diag(diags, "SALFCY %s: Not a sales site", salfcy);
	take_str(row, in, fl, "SALFCY", NULL, diags);
	if (site != NULL)
		json_object_set(row, "CPY", json_object_get(site, "CPY"));

	/* Shipment site: defaults to the sales site; must hold stock. */
	stofcy = x3_str(in, "STOFCY");
	if (stofcy == NULL || *stofcy == '\0')
		stofcy = salfcy;
	if (stofcy != NULL && *stofcy != '\0') {
		const json_t *ss = x3_find(x, X3_T_SITE, stofcy);
		if (ss == NULL)
			diag(diags, "STOFCY %s: Record does not exist", stofcy);
		else if (json_integer_value(json_object_get(ss,
		    "STOFLG")) != 2)
			diag(diags, "STOFCY %s: Not a storage site", stofcy);
		json_object_set_new(row, "STOFCY", json_string(stofcy));
	}

	/* Order type. */
	s = x3_str(in, "SOHTYP");
	if (s == NULL || *s == '\0')
		s = "SON";
	if ((typ = x3_find(x, X3_T_ORDTYPE, s)) == NULL)
		diag(diags, "SOHTYP %s: Record does not exist", s);
	json_object_set_new(row, "SOHTYP", json_string(s));
	cat = typ != NULL ? (int)json_integer_value(json_object_get(typ,
	    "SOHCAT")) : 1;
	json_object_set_new(row, "SOHCAT", json_integer(cat));

	/* Sold-to customer: must exist and be active. */
	if ((s = x3_str(in, "BPCORD")) == NULL || *s == '\0')
		diag(diags, "BPCORD: Mandatory field");
	else if ((cust = x3_find(x, X3_T_CUSTOMER, s)) == NULL)
		diag(diags, "BPCORD %s: Record does not exist", s);
	else if (json_integer_value(json_object_get(cust, "BPCSTA")) != 2)
		diag(diags, "BPCORD %s: Inactive customer", s);
	take_str(row, in, fl, "BPCORD", NULL, diags);
	if (cust != NULL) {
		json_object_set(row, "BPCINV", json_object_get(cust,
		    "BPCINV"));
		json_object_set(row, "BPCPYR", json_object_get(cust,
		    "BPCPYR"));
		json_object_set(row, "BPCNAM", json_object_get(cust,
		    "BPCNAM"));
		json_object_set(row, "BPAADD", json_object_get(cust,
		    "BPDADD"));
	}
	/* Ship-to snapshot: given, else the customer's address. */
	take_str(row, in, fl, "BPDNAM", cust != NULL ? x3_str(cust,
	    "BPCNAM") : NULL, diags);
	take_str(row, in, fl, "BPDADDLIG1", cust != NULL ? x3_str(cust,
	    "BPAADDLIG1") : NULL, diags);
	take_str(row, in, fl, "BPDADDLIG2", cust != NULL ? x3_str(cust,
	    "BPAADDLIG2") : NULL, diags);
	take_str(row, in, fl, "BPDCTY", cust != NULL ? x3_str(cust,
	    "CTY") : NULL, diags);
	take_str(row, in, fl, "BPDPOSCOD", cust != NULL ? x3_str(cust,
	    "POSCOD") : NULL, diags);
	take_str(row, in, fl, "BPDSAT", cust != NULL ? x3_str(cust,
	    "SAT") : NULL, diags);
	take_str(row, in, fl, "BPDCRY", cust != NULL ? x3_str(cust,
	    "CRY") : NULL, diags);

	/* CUSORDREF: at most 20 characters, duplicates allowed (§2.1, §6.7). */
	take_str(row, in, fl, "CUSORDREF", "", diags);
	/* YSSKEY: a custom field for an integrator's key; not unique. */
	take_str(row, in, fl, "YSSKEY", NULL, diags);

	/* Dates. */
	x3_now_date(date, sizeof(date));
	if (get_date(in, "ORDDAT", buf, sizeof(buf), diags) == 1)
		json_object_set_new(row, "ORDDAT", json_string(buf));
	else
		json_object_set_new(row, "ORDDAT", json_string(date));
	if (get_date(in, "DEMDLVDAT", buf, sizeof(buf), diags) == 1)
		json_object_set_new(row, "DEMDLVDAT", json_string(buf));
	else
		json_object_set(row, "DEMDLVDAT", json_object_get(row,
		    "ORDDAT"));
	if (get_date(in, "SHIDAT", buf, sizeof(buf), diags) == 1)
		json_object_set_new(row, "SHIDAT", json_string(buf));
	else
		json_object_set(row, "SHIDAT", json_object_get(row,
		    "DEMDLVDAT"));

	/* Currency: given or the customer's. */
	take_str(row, in, fl, "CUR", cust != NULL ? x3_str(cust, "CUR") :
	    "USD", diags);
	if ((s = x3_str(row, "CUR")) != NULL &&
	    x3_find(x, X3_T_CURRENCY, s) == NULL)
		diag(diags, "CUR %s: Record does not exist", s);
	take_str(row, in, fl, "BPTNUM", NULL, diags);
	take_str(row, in, fl, "MDL", NULL, diags);
	json_object_set_new(row, "PRITYP", json_integer(1));
	json_object_set_new(row, "ORDSTA", json_integer(1));
	json_object_set_new(row, "INVSTA", json_integer(1));
	json_object_set_new(row, "ALLSTA", json_integer(1));
	json_object_set_new(row, "HLDSTA", json_integer(1));
	json_object_set_new(row, "CDTSTA", json_integer(1));
	json_object_set_new(row, "APPFLG", json_integer(4));

	/* Lines: existing, sellable items; positive quantities. */
	ilines = json_object_get(in, X3_ORDER_LINES);
	if (!json_is_array(ilines) || json_array_size(ilines) == 0)
		diag(diags, "%s: At least one line is required",
		    X3_ORDER_LINES);
	else if (json_array_size(ilines) > X3_MAX_LINES)
		diag(diags, "%s: More than %d lines", X3_ORDER_LINES,
		    X3_MAX_LINES);
	else json_array_foreach(ilines, i, il) {
		const json_t	*v;

		if ((l = json_object()) == NULL)
			break;
		json_array_append_new(lines, l);
		v = json_object_get(il, "SOPLIN");
		lin = (int)(i + 1) * 1000;
		if (v != NULL && !json_is_null(v)) {
			if (get_dec(v, &qty) == -1 || qty <= 0 ||
			    qty != floor(qty))
				diag(diags, "Line %zu: SOPLIN: Incorrect "
				    "value", i + 1);
			else
				lin = (int)qty;
		}
		json_object_set_new(l, "SOPLIN", json_integer(lin));
		json_object_set_new(l, "SOQSEQ", json_integer(1));
		s = x3_str(il, "ITMREF");
		item = NULL;
		if (s == NULL || *s == '\0')
			diag(diags, "Line %d: ITMREF: Mandatory field", lin);
		else if ((item = x3_find(x, X3_T_ITEM, s)) == NULL)
			diag(diags, "Line %d: ITMREF %s: Record does not "
			    "exist", lin, s);
		else if (json_integer_value(json_object_get(item,
		    "ITMSTA")) != 1)
			diag(diags, "Line %d: ITMREF %s: Product status "
			    "does not allow sales", lin, s);
		json_object_set_new(l, "ITMREF", json_string(s != NULL ?
		    s : ""));
		json_object_set_new(l, "ITMDES", json_string(item != NULL &&
		    x3_str(item, "ITMDES1") != NULL ?
		    x3_str(item, "ITMDES1") : ""));
		if (get_dec(json_object_get(il, "QTY"), &qty) == -1 ||
		    qty <= 0) {
			diag(diags, "Line %d: QTY: Quantity must be greater "
			    "than 0", lin);
			qty = 0;
		}
		pri = item != NULL ? x3_num(item, "BASPRI") : 0;
		v = json_object_get(il, "GROPRI");
		if (v != NULL && !json_is_null(v) &&
		    (get_dec(v, &pri) == -1 || pri < 0))
			diag(diags, "Line %d: GROPRI: Incorrect value", lin);
		coe = item != NULL ? x3_num(item, "SAUSTUCOE") : 1;
		if (coe <= 0)
			coe = 1;
		take_str(l, il, ll, "SAU", item != NULL ? x3_str(item,
		    "SAU") : "UN", diags);
		json_object_set_new(l, "STU", json_string(item != NULL &&
		    x3_str(item, "STU") != NULL ? x3_str(item, "STU") :
		    "UN"));
		json_object_set_new(l, "SAUSTUCOE", dec(coe));
		json_object_set_new(l, "QTY", dec(qty));
		json_object_set_new(l, "QTYSTU", dec(qty * coe));
		json_object_set_new(l, "DLVQTY", json_integer(0));
		json_object_set_new(l, "DLVQTYSTU", json_integer(0));
		json_object_set_new(l, "TDLQTY", dec(qty));
		json_object_set_new(l, "INVQTY", json_integer(0));
		json_object_set_new(l, "GROPRI", dec(pri));
		json_object_set_new(l, "NETPRI", dec(pri));
		json_object_set_new(l, "LINTYP", json_integer(1));
		json_object_set_new(l, "SOQSTA", json_integer(1));
		json_object_set(l, "STOFCY", json_object_get(row, "STOFCY"));
	}
	/* Line numbers are the line key: no duplicates. */
	json_array_foreach(lines, i, l) {
		size_t	 k;
		json_t	*m;

		for (k = i + 1; k < json_array_size(lines); k++) {
			m = json_array_get(lines, k);
			if (json_integer_value(json_object_get(l, "SOPLIN")) ==
			    json_integer_value(json_object_get(m, "SOPLIN")))
				diag(diags, "Line %lld: Duplicate line number",
				    (long long)json_integer_value(
				    json_object_get(m, "SOPLIN")));
		}
	}

	/* Order number: supplied (and unique) or SO + site + counter. */
	s = x3_str(in, "SOHNUM");
	if (s != NULL && *s != '\0') {
		if (x3_find(x, X3_T_ORDER, s) != NULL)
			diag(diags, "SOHNUM %s: Record already exists", s);
		take_str(row, in, fl, "SOHNUM", NULL, diags);
	}
	if (json_array_size(diags) > before) {
		json_decref(row);
		return -1;
	}
	if (x3_str(row, "SOHNUM") == NULL) {
		(void)snprintf(buf, sizeof(buf), "SO%s", salfcy);
		(void)snprintf(buf, sizeof(buf), "SO%s%04lld", salfcy,
		    counter_next(x, buf));
		json_object_set_new(row, "SOHNUM", json_string(buf));
	}
	stamp_new(x, row);
	json_array_foreach(lines, i, l) {
		json_object_set(l, "SOHNUM", json_object_get(row, "SOHNUM"));
		stamp_new(x, l);
	}
	order_totals(row);
	json_array_append_new(x->tab[X3_T_ORDER], row);
	*out = row;
	return 0;
}

/*
 * The lines of an update (GraphQL, X3 §4.6: a child is addressed by its
 * key, lineNumber = SOPLIN). An existing line takes QTY and GROPRI
 * while nothing of it is delivered, invoiced or closed; QTY 0 is
 * allowed (a line no longer wanted: the reference documents no line
 * deletion inside an order update). A line number the order lacks
 * adds a line. Lines not named are untouched. A changed copy of the
 * order's lines, or NULL after a diagnosis.
 */
static json_t *
lines_update(struct x3_state *x, const json_t *o, const json_t *in,
    json_t *diags)
{
	json_t		*lines, *l, *m, *v, *item, *il;
	const char	*k, *s;
	size_t		 i, j, before = json_array_size(diags);
	double		 d, qty, coe;
	int		 lin;

	if (!json_is_array(in)) {
		diag(diags, "%s: Incorrect value", X3_ORDER_LINES);
		return NULL;
	}
	if ((lines = json_deep_copy(json_object_get(o,
	    X3_ORDER_LINES))) == NULL)
		return NULL;
	json_array_foreach(in, i, il) {
		v = json_object_get(il, "SOPLIN");
		if (v == NULL || get_dec(v, &d) == -1 || d <= 0 ||
		    d != floor(d)) {
			diag(diags, "Line %zu: SOPLIN: Mandatory field", i + 1);
			continue;
		}
		lin = (int)d;
		l = NULL;
		json_array_foreach(lines, j, m)
			if (json_integer_value(json_object_get(m, "SOPLIN")) ==
			    lin)
				l = m;
		if (l == NULL) {
			/* A new line: an existing, sellable item. */
			s = x3_str(il, "ITMREF");
			item = s != NULL ? x3_find(x, X3_T_ITEM, s) : NULL;
			if (item == NULL || json_integer_value(
			    json_object_get(item, "ITMSTA")) != 1) {
				diag(diags, "Line %d: ITMREF %s: Record does "
				    "not exist", lin, s != NULL ? s : "");
				continue;
			}
			if (get_dec(json_object_get(il, "QTY"), &qty) == -1 ||
			    qty <= 0) {
				diag(diags, "Line %d: QTY: Quantity must be "
				    "greater than 0", lin);
				continue;
			}
			d = x3_num(item, "BASPRI");
			v = json_object_get(il, "GROPRI");
			if (v != NULL && (get_dec(v, &d) == -1 || d < 0)) {
				diag(diags, "Line %d: GROPRI: Incorrect value",
				    lin);
				continue;
			}
			coe = x3_num(item, "SAUSTUCOE") > 0 ?
			    x3_num(item, "SAUSTUCOE") : 1;
			s = x3_str(il, "SAU") != NULL ? x3_str(il, "SAU") :
			    x3_str(item, "SAU");
			l = json_pack("{s:i,s:i,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:i,"
			    "s:i,s:o,s:i,s:o,s:o,s:i,s:i,s:O,s:O}",
			    "SOPLIN", lin, "SOQSEQ", 1, "ITMREF",
			    x3_str(item, "ITMREF") != NULL ?
			    x3_str(item, "ITMREF") : "",
			    "ITMDES", x3_str(item, "ITMDES1") != NULL ?
			    x3_str(item, "ITMDES1") : "",
			    "SAU", s != NULL ? s : "UN", "STU",
			    x3_str(item, "STU") != NULL ? x3_str(item, "STU") :
			    "UN", "SAUSTUCOE", dec(coe), "QTY", dec(qty),
			    "QTYSTU", dec(qty * coe), "DLVQTY", 0,
			    "DLVQTYSTU", 0, "TDLQTY", dec(qty), "INVQTY", 0,
			    "GROPRI", dec(d), "NETPRI", dec(d), "LINTYP", 1,
			    "SOQSTA", 1, "STOFCY", json_object_get(o, "STOFCY"),
			    "SOHNUM", json_object_get(o, "SOHNUM"));
			if (l == NULL)
				continue;
			stamp_new(x, l);
			json_array_append_new(lines, l);
			continue;
		}
		if (x3_num(l, "DLVQTY") > 0 || x3_num(l, "INVQTY") > 0 ||
		    json_integer_value(json_object_get(l, "SOQSTA")) == 3) {
			diag(diags, "Line %d: Line delivered or closed, "
			    "modification not allowed", lin);
			continue;
		}
		json_object_foreach(il, k, v) {
			if (strcmp(k, "SOPLIN") == 0 ||
			    (strcmp(k, "ITMREF") == 0 && json_is_string(v) &&
			    x3_str(l, "ITMREF") != NULL && strcmp(
			    json_string_value(v), x3_str(l, "ITMREF")) == 0))
				continue;
			if (strcmp(k, "QTY") == 0) {
				if (get_dec(v, &qty) == -1 || qty < 0) {
					diag(diags, "Line %d: QTY: Incorrect "
					    "value", lin);
					continue;
				}
				coe = x3_num(l, "SAUSTUCOE") > 0 ?
				    x3_num(l, "SAUSTUCOE") : 1;
				json_object_set_new(l, "QTY", dec(qty));
				json_object_set_new(l, "QTYSTU", dec(qty * coe));
				json_object_set_new(l, "TDLQTY", dec(qty));
			} else if (strcmp(k, "GROPRI") == 0) {
				if (get_dec(v, &d) == -1 || d < 0) {
					diag(diags, "Line %d: GROPRI: Incorrect "
					    "value", lin);
					continue;
				}
				json_object_set_new(l, "GROPRI", dec(d));
				json_object_set_new(l, "NETPRI", dec(d));
			} else
				diag(diags, "Line %d: %s: Field cannot be "
				    "modified", lin, k);
		}
		stamp_upd(l);
	}
	if (json_array_size(diags) > before) {
		json_decref(lines);
		return NULL;
	}
	return lines;
}

/*
 * Fields of an order a web service may change (§6: cancel and hold are
 * X3-side changes). Everything else is refused, never ignored.
 */
int
x3_order_update(struct x3_state *x, const char *key, json_t *in,
    json_t **out, json_t *diags)
{
	json_t		*o, *upd, *v, *nl;
	const char	*k;
	char		 buf[16];
	size_t		 before = json_array_size(diags);
	int		 sta, hld;

	*out = NULL;
	if ((o = x3_find(x, X3_T_ORDER, key)) == NULL) {
		diag(diags, "SOHNUM %s: Record does not exist", key);
		return -1;
	}
	if (x3_locked(x, "SORDER", key)) {
		lock_diag(diags, "SORDER", key);
		return -1;
	}
	if ((upd = json_object()) == NULL)
		return -1;
	json_object_foreach(in, k, v) {
		if (strcmp(k, "SOHNUM") == 0) {
			if (!json_is_string(v) ||
			    strcmp(json_string_value(v), key) != 0)
				diag(diags, "SOHNUM: Cannot be modified");
		} else if (strcmp(k, "CUSORDREF") == 0 ||
		    strcmp(k, "BPTNUM") == 0 || strcmp(k, "MDL") == 0)
			take_str(upd, in, x3_tables[X3_T_ORDER].fields, k,
			    NULL, diags);
		else if (strcmp(k, "DEMDLVDAT") == 0 ||
		    strcmp(k, "SHIDAT") == 0) {
			if (get_date(in, k, buf, sizeof(buf), diags) == 1)
				json_object_set_new(upd, k, json_string(buf));
		} else if (strcmp(k, "ORDSTA") == 0) {
			if (get_menu(in, k, 415, 1, &sta, diags) == 0)
				json_object_set_new(upd, k, json_integer(sta));
		} else if (strcmp(k, "HLDSTA") == 0) {
			if (get_menu(in, k, 491, 1, &hld, diags) == 0)
				json_object_set_new(upd, k, json_integer(hld));
		} else if (strcmp(k, X3_ORDER_LINES) == 0) {
			if ((nl = lines_update(x, o, v, diags)) != NULL)
				json_object_set_new(upd, k, nl);
		} else
			diag(diags, "%s: Field cannot be modified", k);
	}
	if (json_integer_value(json_object_get(o, "ORDSTA")) == 2 &&
	    json_object_size(upd) > 0)
		diag(diags, "SOHNUM %s: Order closed, modification not "
		    "allowed", key);
	if (json_array_size(diags) > before) {
		json_decref(upd);
		return -1;
	}
	if (json_object_size(upd) > 0) {
		json_object_update(o, upd);
		/* Closing an order closes its open lines. */
		if (json_integer_value(json_object_get(upd, "ORDSTA")) == 2) {
			size_t	 i;
			json_t	*l;

			json_array_foreach(json_object_get(o, X3_ORDER_LINES),
			    i, l)
				if (json_integer_value(json_object_get(l,
				    "SOQSTA")) != 3) {
					json_object_set_new(l, "SOQSTA",
					    json_integer(3));
					stamp_upd(l);
				}
		}
		order_totals(o);
		stamp_upd(o);
	}
	json_decref(upd);
	*out = o;
	return 0;
}

/* --- deliveries ----------------------------------------------------------- */

int
x3_delivery_create(struct x3_state *x, const json_t *in, json_t **out,
    json_t *diags)
{
	const struct x3_field	*fl = x3_tables[X3_T_DELIVERY].fields;
	json_t			*o, *row, *dlines, *ol, *dl, *plan, *st;
	const json_t		*ilines, *il, *item;
	const char		*sohnum, *stofcy, *itm;
	char			 buf[64];
	size_t			 i, k, before = json_array_size(diags);
	double			 q, rem, need;
	int			 lin, n = 0;

	*out = NULL;
	sohnum = x3_str(in, "SOHNUM");
	if (sohnum == NULL || *sohnum == '\0') {
		diag(diags, "SOHNUM: Mandatory field");
		return -1;
	}
	if ((o = x3_find(x, X3_T_ORDER, sohnum)) == NULL) {
		diag(diags, "SOHNUM %s: Record does not exist", sohnum);
		return -1;
	}
	/* A delivery updates the order: a lock on it blocks us. */
	if (x3_locked(x, "SORDER", sohnum)) {
		lock_diag(diags, "SORDER", sohnum);
		return -1;
	}
	if (json_integer_value(json_object_get(o, "ORDSTA")) != 1) {
		diag(diags, "SOHNUM %s: Order closed", sohnum);
		return -1;
	}
	if (json_integer_value(json_object_get(o, "HLDSTA")) != 1) {
		diag(diags, "SOHNUM %s: Order on hold", sohnum);
		return -1;
	}
	stofcy = x3_str(o, "STOFCY");
	if ((plan = json_array()) == NULL)
		return -1;
	ilines = json_object_get(in, X3_DELIVERY_LINES);
	if (ilines == NULL || json_is_null(ilines)) {
		/* No lines given: ship everything still to deliver. */
		json_array_foreach(json_object_get(o, X3_ORDER_LINES), i, ol) {
			rem = x3_num(ol, "QTY") - x3_num(ol, "DLVQTY");
			if (rem > 0 && json_integer_value(json_object_get(ol,
			    "SOQSTA")) != 3)
				json_array_append_new(plan, json_pack(
				    "{s:O,s:o}", "line", ol, "qty", dec(rem)));
		}
		if (json_array_size(plan) == 0)
			diag(diags, "SOHNUM %s: Nothing left to deliver",
			    sohnum);
	} else if (!json_is_array(ilines) || json_array_size(ilines) == 0 ||
	    json_array_size(ilines) > X3_MAX_LINES)
		diag(diags, "%s: Between 1 and %d lines are required",
		    X3_DELIVERY_LINES, X3_MAX_LINES);
	else json_array_foreach(ilines, i, il) {
		if (get_dec(json_object_get(il, "SOPLIN"), &q) == -1) {
			diag(diags, "Line %zu: SOPLIN: Mandatory field", i + 1);
			continue;
		}
		lin = (int)q;
		ol = NULL;
		json_array_foreach(json_object_get(o, X3_ORDER_LINES), k, dl)
			if (json_integer_value(json_object_get(dl,
			    "SOPLIN")) == lin)
				ol = dl;
		if (ol == NULL) {
			diag(diags, "Line %d: Order line does not exist", lin);
			continue;
		}
		if (get_dec(json_object_get(il, "QTY"), &q) == -1 || q <= 0) {
			diag(diags, "Line %d: QTY: Quantity must be greater "
			    "than 0", lin);
			continue;
		}
		/* Several delivery lines may draw on one order line. */
		need = q;
		json_array_foreach(plan, k, dl)
			if (json_object_get(dl, "line") == ol)
				need += x3_num(dl, "qty");
		rem = x3_num(ol, "QTY") - x3_num(ol, "DLVQTY");
		if (json_integer_value(json_object_get(ol, "SOQSTA")) == 3)
			diag(diags, "Line %d: Order line closed", lin);
		else if (need > rem + 1e-9)
			diag(diags, "Line %d: Quantity to deliver %g greater "
			    "than remaining quantity %g", lin, need, rem);
		json_array_append_new(plan, json_pack("{s:O,s:o}", "line", ol,
		    "qty", dec(q)));
	}
	/* Stock: per item and shipment site, in stock units. */
	json_array_foreach(plan, i, dl) {
		ol = json_object_get(dl, "line");
		itm = x3_str(ol, "ITMREF");
		item = x3_find(x, X3_T_ITEM, itm);
		if (item == NULL || json_integer_value(json_object_get(item,
		    "STOMGTCOD")) != 2)
			continue;
		need = 0;
		for (k = 0; k <= i; k++) {
			json_t *p = json_array_get(plan, k);
			json_t *pl = json_object_get(p, "line");
			if (strcmp(x3_str(pl, "ITMREF"), itm) == 0)
				need += x3_num(p, "qty") *
				    x3_num(pl, "SAUSTUCOE");
		}
		(void)snprintf(buf, sizeof(buf), "%s~%s", stofcy, itm);
		st = x3_find(x, X3_T_STOCK, buf);
		if (!x->allow_negative_stock &&
		    (st == NULL || x3_num(st, "QTYSTU") + 1e-9 < need))
			diag(diags, "Line %lld: ITMREF %s: Insufficient stock "
			    "at site %s (%g available, %g required)",
			    (long long)json_integer_value(json_object_get(ol,
			    "SOPLIN")), itm, stofcy,
			    st != NULL ? x3_num(st, "QTYSTU") : 0.0, need);
	}
	if ((row = json_object()) == NULL) {
		json_decref(plan);
		return -1;
	}
	take_str(row, in, fl, "BPTNUM", x3_str(o, "BPTNUM"), diags);
	take_str(row, in, fl, "MDL", x3_str(o, "MDL"), diags);
	take_str(row, in, fl, "YTRKNUM", NULL, diags);
	take_str(row, in, fl, "YSHIPREF", NULL, diags);
	x3_now_date(buf, sizeof(buf));
	json_object_set_new(row, "SHIDAT", json_string(buf));
	json_object_set_new(row, "DLVDAT", json_string(buf));
	if (get_date(in, "SHIDAT", buf, sizeof(buf), diags) == 1)
		json_object_set_new(row, "SHIDAT", json_string(buf));
	if (get_date(in, "DLVDAT", buf, sizeof(buf), diags) == 1)
		json_object_set_new(row, "DLVDAT", json_string(buf));
	if (json_array_size(diags) > before) {
		json_decref(plan);
		json_decref(row);
		return -1;
	}

	/* Everything checked: apply. */
	(void)snprintf(buf, sizeof(buf), "SD%s", stofcy);
	(void)snprintf(buf, sizeof(buf), "SD%s%04lld", stofcy,
	    counter_next(x, buf));
	json_object_set_new(row, "SDHNUM", json_string(buf));
	json_object_set_new(row, "SDHTYP", json_string("SDN"));
	json_object_set_new(row, "SOHNUM", json_string(sohnum));
	json_object_set(row, "SALFCY", json_object_get(o, "SALFCY"));
	json_object_set(row, "STOFCY", json_object_get(o, "STOFCY"));
	json_object_set(row, "CPY", json_object_get(o, "CPY"));
	json_object_set(row, "BPCORD", json_object_get(o, "BPCORD"));
	json_object_set(row, "BPAADD", json_object_get(o, "BPAADD"));
	json_object_set(row, "BPDNAM", json_object_get(o, "BPDNAM"));
	json_object_set_new(row, "PACNBR", json_integer(1));
	json_object_set_new(row, "CFMFLG", json_integer(2));
	json_object_set_new(row, "INVFLG", json_integer(1));
	stamp_new(x, row);
	dlines = json_array();
	json_object_set_new(row, X3_DELIVERY_LINES, dlines);
	json_array_foreach(plan, i, dl) {
		json_t	*nl;

		ol = json_object_get(dl, "line");
		q = x3_num(dl, "qty");
		n++;
		nl = json_pack("{s:s,s:i,s:s,s:O,s:O,s:O,s:o,s:o,s:O,s:O,s:O,"
		    "s:O,s:O}", "SDHNUM", buf, "SDDLIN", n * 1000,
		    "SOHNUM", sohnum,
		    "SOPLIN", json_object_get(ol, "SOPLIN"),
		    "SOQSEQ", json_object_get(ol, "SOQSEQ"),
		    "ITMREF", json_object_get(ol, "ITMREF"),
		    "QTY", dec(q),
		    "QTYSTU", dec(q * x3_num(ol, "SAUSTUCOE")),
		    "SAU", json_object_get(ol, "SAU"),
		    "STU", json_object_get(ol, "STU"),
		    "GROPRI", json_object_get(ol, "GROPRI"),
		    "NETPRI", json_object_get(ol, "NETPRI"),
		    "STOFCY", json_object_get(row, "STOFCY"));
		if (nl == NULL)
			continue;
		stamp_new(x, nl);
		json_array_append_new(dlines, nl);
		/* Order line: delivered and remaining quantities. */
		json_object_set_new(ol, "DLVQTY", dec(x3_num(ol, "DLVQTY") +
		    q));
		json_object_set_new(ol, "DLVQTYSTU", dec(x3_num(ol, "DLVQTY") *
		    x3_num(ol, "SAUSTUCOE")));
		json_object_set_new(ol, "TDLQTY", dec(x3_num(ol, "QTY") -
		    x3_num(ol, "DLVQTY")));
		json_object_set_new(ol, "SDHNUM", json_string(buf));
		if (x3_num(ol, "DLVQTY") + 1e-9 >= x3_num(ol, "QTY"))
			json_object_set_new(ol, "SOQSTA", json_integer(3));
		stamp_upd(ol);
		/* Stock moves out of the shipment site. */
		item = x3_find(x, X3_T_ITEM, x3_str(ol, "ITMREF"));
		if (item != NULL && json_integer_value(json_object_get(item,
		    "STOMGTCOD")) == 2) {
			char	skey[64];

			(void)snprintf(skey, sizeof(skey), "%s~%s", stofcy,
			    x3_str(ol, "ITMREF"));
			if ((st = x3_find(x, X3_T_STOCK, skey)) == NULL) {
				stock_row(x, stofcy, x3_str(ol, "ITMREF"),
				    x3_str(ol, "STU"), 0);
				st = x3_find(x, X3_T_STOCK, skey);
			}
			if (st != NULL) {
				json_object_set_new(st, "QTYSTU",
				    dec(x3_num(st, "QTYSTU") - q *
				    x3_num(ol, "SAUSTUCOE")));
				stamp_upd(st);
			}
		}
	}
	json_decref(plan);
	/* Header: delivery status, last delivery, closed when complete. */
	order_totals(o);
	json_object_set_new(o, "LASDLVNUM", json_string(buf));
	json_object_set(o, "LASDLVDAT", json_object_get(row, "DLVDAT"));
	if (json_integer_value(json_object_get(o, "DLVSTA")) == 3)
		json_object_set_new(o, "ORDSTA", json_integer(2));
	stamp_upd(o);
	json_array_append_new(x->tab[X3_T_DELIVERY], row);
	*out = row;
	return 0;
}

/*
 * Deleting a validated delivery that is not invoiced reverses it (our
 * model of X3's delivery deletion, docs/SANDBOX-X3.md): the order lines
 * get their quantities back, the stock returns to the shipment site and
 * the order reopens. An invoiced delivery needs a customer return.
 */
int
x3_delivery_delete(struct x3_state *x, const char *key, json_t *diags)
{
	json_t		*d, *o, *dl, *ol, *st, *item, *arr;
	const char	*sohnum, *stofcy;
	char		 skey[64];
	size_t		 i, k, at = 0;
	double		 q;

	if ((d = x3_find(x, X3_T_DELIVERY, key)) == NULL) {
		diag(diags, "SDHNUM %s: Record does not exist", key);
		return -1;
	}
	if (x3_locked(x, "SDELIVERY", key)) {
		lock_diag(diags, "SDELIVERY", key);
		return -1;
	}
	if (json_integer_value(json_object_get(d, "INVFLG")) == 2) {
		diag(diags, "SDHNUM %s: Delivery invoiced, deletion not "
		    "allowed (enter a customer return)", key);
		return -1;
	}
	sohnum = x3_str(d, "SOHNUM");
	o = x3_find(x, X3_T_ORDER, sohnum);
	if (o != NULL && x3_locked(x, "SORDER", sohnum)) {
		lock_diag(diags, "SORDER", sohnum);
		return -1;
	}
	stofcy = x3_str(d, "STOFCY");
	json_array_foreach(json_object_get(d, X3_DELIVERY_LINES), i, dl) {
		q = x3_num(dl, "QTY");
		ol = NULL;
		json_array_foreach(json_object_get(o, X3_ORDER_LINES), k, st)
			if (json_integer_value(json_object_get(st, "SOPLIN")) ==
			    json_integer_value(json_object_get(dl, "SOPLIN")))
				ol = st;
		if (ol != NULL) {
			json_object_set_new(ol, "DLVQTY", dec(x3_num(ol,
			    "DLVQTY") - q));
			json_object_set_new(ol, "DLVQTYSTU", dec(x3_num(ol,
			    "DLVQTY") * x3_num(ol, "SAUSTUCOE")));
			json_object_set_new(ol, "TDLQTY", dec(x3_num(ol, "QTY") -
			    x3_num(ol, "DLVQTY")));
			if (x3_num(ol, "DLVQTY") + 1e-9 < x3_num(ol, "QTY"))
				json_object_set_new(ol, "SOQSTA",
				    json_integer(1));
			stamp_upd(ol);
		}
		item = x3_find(x, X3_T_ITEM, x3_str(dl, "ITMREF"));
		if (item == NULL || json_integer_value(json_object_get(item,
		    "STOMGTCOD")) != 2)
			continue;
		(void)snprintf(skey, sizeof(skey), "%s~%s", stofcy,
		    x3_str(dl, "ITMREF"));
		if ((st = x3_find(x, X3_T_STOCK, skey)) != NULL) {
			json_object_set_new(st, "QTYSTU", dec(x3_num(st,
			    "QTYSTU") + x3_num(dl, "QTYSTU")));
			stamp_upd(st);
		}
	}
	arr = x->tab[X3_T_DELIVERY];
	json_array_foreach(arr, i, dl)
		if (dl == d)
			at = i;
	if (o != NULL) {
		/* Closed by its last delivery: open again. */
		if (json_integer_value(json_object_get(o, "DLVSTA")) == 3)
			json_object_set_new(o, "ORDSTA", json_integer(1));
		order_totals(o);
		json_object_set_new(o, "LASDLVNUM", json_string(""));
		json_array_foreach(arr, i, dl)
			if (dl != d && strcmp(x3_str(dl, "SOHNUM"), sohnum) == 0)
				json_object_set(o, "LASDLVNUM",
				    json_object_get(dl, "SDHNUM"));
		stamp_upd(o);
	}
	json_array_remove(arr, at);
	return 0;
}

/* --- operations (GraphQL) ------------------------------------------------- */

static json_t *
ops_default(void)
{

	return json_pack("{s:[s,s,s,s],s:[s,s,s,s],s:[s,s,s],s:[s,s,s],"
	    "s:[s,s,s],s:[s,s],s:[s,s],s:[s,s],s:[s,s]}",
	    "salesOrder", "query", "read", "create", "update",
	    "salesDelivery", "query", "read", "create", "delete",
	    "customer", "query", "read", "create",
	    "businessPartner", "query", "read", "create",
	    "product", "query", "read", "create",
	    "stock", "query", "read",
	    "site", "query", "read",
	    "currency", "query", "read",
	    "salesOrderType", "query", "read");
}

int
x3_op_enabled(const struct x3_state *x, const char *node, const char *op)
{
	const json_t	*a = json_object_get(x->ops, node), *v;
	size_t		 i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), op) == 0)
			return 1;
	return 0;
}

/* --- seed ---------------------------------------------------------------- */

struct seed_customer {
	const char	*num, *nam, *cur, *cry, *cty, *sat, *poscod, *addr;
	const char	*tel, *web;
	int		 typ, sta;
};

static const struct seed_customer seed_customers[] = {
	{ "FR001", "Boulangerie Dupré SARL", "EUR", "FR", "Paris", NULL,
	    "75011", "12 rue Oberkampf", "+33 1 43 55 00 01",
	    "compta@dupre.example", 1, 2 },
	{ "FR002", "Société d'Équipement Lyonnais", "EUR", "FR", "Lyon",
	    NULL, "69002", "4 quai Saint-Antoine", "+33 4 72 00 00 02",
	    "achats@sel.example", 1, 2 },
	{ "AE003", "Al Noor Trading LLC", "USD", "AE", "Dubai", NULL,
	    "00000", "Sheikh Zayed Road, Tower 3", "+971 4 000 0003",
	    "orders@alnoor.example", 1, 2 },
	{ "DE001", "Köhler Werkzeuge GmbH", "EUR", "DE", "München", "BY",
	    "80331", "Marienplatz 8", "+49 89 000001", "einkauf@koehler.example",
	    1, 2 },
	{ "GB001", "Thistle & Rose Ltd", "GBP", "GB", "Edinburgh", NULL,
	    "EH1 1YZ", "21 Royal Mile", "+44 131 000 0001",
	    "buying@thistle.example", 1, 2 },
	{ "JP001", "株式会社さくら商事", "USD", "JP", "東京", NULL,
	    "100-0005", "丸の内1-1-1", "+81 3 0000 0001",
	    "sakura@sakura.example", 1, 2 },
	{ "US001", "Acme Outdoor Supply Inc.", "USD", "US", "Los Angeles",
	    "CA", "90012", "200 N Spring St", "+1 213 555 0101",
	    "ap@acme-outdoor.example", 1, 2 },
	{ "US002", "Blue Ridge Mercantile LLC", "USD", "US", "Asheville",
	    "NC", "28801", "1 Pack Sq", "+1 828 555 0102",
	    "orders@blueridge.example", 1, 2 },
	{ "US003", "Pacific Coast Traders", "USD", "US", "Seattle", "WA",
	    "98101", "400 Pine St", "+1 206 555 0103",
	    "buy@pctraders.example", 1, 2 },
	{ "US004", "Müller & Søn Imports", "USD", "US", "New York", "NY",
	    "10013", "50 Varick St", "+1 212 555 0104",
	    "hello@mullerson.example", 1, 2 },
	{ "US099", "Closed Account Co.", "USD", "US", "Reno", "NV", "89501",
	    "1 Closed Way", "+1 775 555 0199", "closed@closed.example", 1, 1 },
	{ "WEB01", "Web shop customers", "USD", "US", "Los Angeles", "CA",
	    "90012", "200 N Spring St", "+1 213 555 0100",
	    "web@shop.example", 2, 2 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 }
};

struct seed_item {
	const char	*ref, *des, *tcl, *ean, *sau;
	double		 pri, wei, coe;
	int		 mgt, sta;
};

static const struct seed_item seed_items[] = {
	{ "BMSMN0201", "Optical mouse", "FG", "3760000000017", "UN",
	    22.0, 0.12, 1, 2, 1 },
	{ "BMSMN0202", "Wireless keyboard", "FG", "3760000000024", "UN",
	    49.9, 0.65, 1, 2, 1 },
	{ "BMSMN0203", "USB-C hub 7 ports", "FG", "3760000000031", "UN",
	    35.5, 0.2, 1, 2, 1 },
	{ "CD100", "Café en grains 1 kg", "FOOD", "3760000000048", "UN",
	    18.75, 1.0, 1, 2, 1 },
	{ "CD200", "Espresso cups, set of 6", "FG", "3760000000055", "UN",
	    24.0, 0.9, 1, 2, 1 },
	{ "TEA-SENCHA", "Thé vert Sencha 100 g", "FOOD", "3760000000062",
	    "UN", 7.9, 0.1, 1, 2, 1 },
	{ "TS-BLU-M", "T-shirt blue M", "APP", "3760000000079", "UN",
	    15.0, 0.2, 1, 2, 1 },
	{ "TS-BLU-L", "T-shirt blue L", "APP", "3760000000086", "UN",
	    15.0, 0.22, 1, 2, 1 },
	{ "TS-RED-S", "T-shirt red S", "APP", "3760000000093", "UN",
	    15.0, 0.18, 1, 2, 1 },
	{ "SOCKS-6PK", "Socks, pack of 6", "APP", "3760000000109", "PK",
	    12.0, 0.3, 6, 2, 1 },
	{ "OLD-MODEL", "Discontinued model", "FG", "3760000000116", "UN",
	    10.0, 0.5, 1, 2, 5 },
	{ "GIFT-WRAP", "Gift wrapping", "SRV", NULL, "UN", 4.5, 0, 1, 1, 1 },
	{ "SHIP-FEE", "Shipping and handling", "SRV", NULL, "UN", 0, 0, 1,
	    1, 1 },
	{ "DISCOUNT", "Discount", "SRV", NULL, "UN", 0, 0, 1, 1, 1 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0 }
};

static const char *const seed_first[] = {
	"Amélie", "Bjørn", "Chloé", "Dmitri", "Élodie", "Fatima", "Giulia",
	"Hiroshi", "Ingrid", "José", "Kwame", "Łucja", "Mateo", "Nadia",
	"Oğuz", "Priya", "Quentin", "Rosa", "Søren", "Tomás", NULL
};

static const char *const seed_last[] = {
	"Andersen", "Bernard", "Castillo", "Dubois", "Eriksson", "Fernández",
	"García", "Håkansson", "Ivanova", "Jovanović", "Kowalski", "Lefèvre",
	"Müller", "Nakamura", "O'Brien", "Petrović", "Quispe", "Rossi",
	"Schäfer", "Tanaka", NULL
};

static const char *const seed_cities[][4] = {
	{ "US", "Los Angeles", "CA", "90012" },
	{ "US", "Austin", "TX", "78701" },
	{ "US", "Portland", "OR", "97204" },
	{ "FR", "Marseille", NULL, "13001" },
	{ "DE", "Köln", "NW", "50667" },
	{ "GB", "Manchester", NULL, "M1 1AE" },
};

static const char *const seed_goods[] = {
	"Ceramic mug", "Canvas tote", "Notebook A5", "Desk lamp",
	"Water bottle", "Yoga mat", "Phone case", "Scented candle",
	"Bamboo cutting board", "Wool scarf", NULL
};

static size_t
nelem(const char *const *a)
{
	size_t	n = 0;

	while (a[n] != NULL)
		n++;
	return n;
}

/* Add n deterministic generated customers. */
static void
seed_more_customers(struct x3_state *x, long long n)
{
	json_t		*in, *diags = json_array(), *out;
	long long	 i, k;
	char		 num[32], nam[96], mail[96], addr[64];
	const char	*const *c;
	size_t		 nf = nelem(seed_first), nl = nelem(seed_last);

	for (i = 0; i < n; i++) {
		k = counter_next(x, "seed_customers");
		c = seed_cities[k % 6];
		(void)snprintf(num, sizeof(num), "SC%05lld", k);
		(void)snprintf(nam, sizeof(nam), "%s %s",
		    seed_first[k % nf], seed_last[(k / nf + k) % nl]);
		(void)snprintf(mail, sizeof(mail), "customer%lld@example.com",
		    k);
		(void)snprintf(addr, sizeof(addr), "%lld Market Street",
		    100 + k);
		in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:s,s:s}",
		    "BPCNUM", num, "BPCNAM", nam, "CRY", c[0], "CTY", c[1],
		    "POSCOD", c[3], "SAT", c[2], "WEB", mail,
		    "BPAADDLIG1", addr,
		    "CUR", strcmp(c[0], "US") == 0 ? "USD" :
		    strcmp(c[0], "GB") == 0 ? "GBP" : "EUR");
		if (in != NULL)
			(void)x3_customer_create(x, in, &out, diags);
		json_decref(in);
	}
	json_decref(diags);
}

static void
seed_more_items(struct x3_state *x, long long n)
{
	json_t		*in, *diags = json_array(), *out, *st;
	long long	 i, k;
	char		 ref[32], des[64];
	size_t		 j, ng = nelem(seed_goods);

	for (i = 0; i < n; i++) {
		k = counter_next(x, "seed_items");
		(void)snprintf(ref, sizeof(ref), "SI%05lld", k);
		(void)snprintf(des, sizeof(des), "%s #%lld",
		    seed_goods[k % ng], k);
		in = json_pack("{s:s,s:s,s:f,s:f}", "ITMREF", ref, "ITMDES1",
		    des, "BASPRI", 5.0 + (double)(k % 40) * 2.5, "ITMWEI",
		    0.1 + (double)(k % 10) / 10);
		if (in != NULL && x3_item_create(x, in, &out, diags) == 0)
			json_array_foreach(x->tab[X3_T_STOCK], j, st)
				if (strcmp(x3_str(st, "ITMREF"), ref) == 0)
					json_object_set_new(st, "QTYSTU",
					    json_integer(100));
		json_decref(in);
	}
	json_decref(diags);
}

static void
seed(struct x3_state *x)
{
	const struct seed_customer	*c;
	const struct seed_item		*it;
	json_t				*in, *out, *diags, *st;
	size_t				 i, s;

	diags = json_array();
	json_array_append_new(x->tab[X3_T_SITE], json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "FCY", "FR011", "FCYNAM",
	    "Paris sales and warehouse", "CPY", "FR10", "CRY", "FR",
	    "CUR", "EUR", "SALFLG", 2, "STOFLG", 2));
	json_array_append_new(x->tab[X3_T_SITE], json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "FCY", "FR012", "FCYNAM",
	    "Lyon warehouse", "CPY", "FR10", "CRY", "FR", "CUR", "EUR",
	    "SALFLG", 1, "STOFLG", 2));
	json_array_append_new(x->tab[X3_T_SITE], json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "FCY", "US011", "FCYNAM",
	    "Los Angeles sales and warehouse", "CPY", "US10", "CRY", "US",
	    "CUR", "USD", "SALFLG", 2, "STOFLG", 2));
	json_array_append_new(x->tab[X3_T_SITE], json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "FCY", "US012", "FCYNAM",
	    "Newark warehouse", "CPY", "US10", "CRY", "US", "CUR", "USD",
	    "SALFLG", 1, "STOFLG", 2));
	json_array_append_new(x->tab[X3_T_SITE], json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "FCY", "US020", "FCYNAM",
	    "US head office (no stock)", "CPY", "US10", "CRY", "US",
	    "CUR", "USD", "SALFLG", 2, "STOFLG", 1));
	json_array_append_new(x->tab[X3_T_SITE], json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "FCY", "GB011", "FCYNAM",
	    "London sales and warehouse", "CPY", "GB10", "CRY", "GB",
	    "CUR", "GBP", "SALFLG", 2, "STOFLG", 2));
	json_array_append_new(x->tab[X3_T_ORDTYPE], json_pack(
	    "{s:s,s:s,s:i}", "SOHTYP", "SON", "DES", "Normal order",
	    "SOHCAT", 1));
	json_array_append_new(x->tab[X3_T_ORDTYPE], json_pack(
	    "{s:s,s:s,s:i}", "SOHTYP", "SOW", "DES", "Web order",
	    "SOHCAT", 1));
	json_array_append_new(x->tab[X3_T_ORDTYPE], json_pack(
	    "{s:s,s:s,s:i}", "SOHTYP", "SOI", "DES", "Direct invoicing",
	    "SOHCAT", 3));
	json_array_append_new(x->tab[X3_T_ORDTYPE], json_pack(
	    "{s:s,s:s,s:i}", "SOHTYP", "SOL", "DES", "Loan order",
	    "SOHCAT", 2));
	json_array_append_new(x->tab[X3_T_CURRENCY], json_pack(
	    "{s:s,s:s}", "CUR", "EUR", "DES", "Euro"));
	json_array_append_new(x->tab[X3_T_CURRENCY], json_pack(
	    "{s:s,s:s}", "CUR", "USD", "DES", "US Dollar"));
	json_array_append_new(x->tab[X3_T_CURRENCY], json_pack(
	    "{s:s,s:s}", "CUR", "GBP", "DES", "Pound Sterling"));
	json_array_append_new(x->tab[X3_T_CURRENCY], json_pack(
	    "{s:s,s:s}", "CUR", "CAD", "DES", "Canadian Dollar"));
	for (i = 0; i < X3_T_CUSTOMER; i++) {
		json_t	*r;

		json_array_foreach(x->tab[i], s, r)
			stamp_new(x, r);
	}
	for (c = seed_customers; c->num != NULL; c++) {
		in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:s,s:s,s:s,"
		    "s:i,s:i}", "BPCNUM", c->num, "BPCNAM", c->nam,
		    "CUR", c->cur, "CRY", c->cry, "CTY", c->cty, "SAT", c->sat,
		    "POSCOD", c->poscod, "BPAADDLIG1", c->addr, "TEL", c->tel,
		    "WEB", c->web, "BPCTYP", c->typ, "BPCSTA", c->sta);
		if (in != NULL)
			(void)x3_customer_create(x, in, &out, diags);
		json_decref(in);
	}
	for (it = seed_items; it->ref != NULL; it++) {
		in = json_pack("{s:s,s:s,s:s,s:s?,s:s,s:f,s:f,s:f,s:i,s:i}",
		    "ITMREF", it->ref, "ITMDES1", it->des, "TCLCOD", it->tcl,
		    "EANCOD", it->ean, "SAU", it->sau, "BASPRI", it->pri,
		    "ITMWEI", it->wei, "SAUSTUCOE", it->coe,
		    "STOMGTCOD", it->mgt, "ITMSTA", it->sta);
		if (in != NULL)
			(void)x3_item_create(x, in, &out, diags);
		json_decref(in);
	}
	/* Deterministic stock; TS-RED-S is out of stock at US011. */
	json_array_foreach(x->tab[X3_T_STOCK], s, st) {
		const char	*itm = x3_str(st, "ITMREF");
		const char	*fcy = x3_str(st, "STOFCY");
		long		 q = 50 + (long)((s * 37) % 200);

		if (strcmp(itm, "TS-RED-S") == 0 && strcmp(fcy, "US011") == 0)
			q = 0;
		json_object_set_new(st, "QTYSTU", json_integer(q));
	}
	json_decref(diags);
}

/* --- lifecycle ------------------------------------------------------------ */

static void
clear(struct x3_state *x)
{
	size_t	i;

	for (i = 0; i < X3_T__MAX; i++) {
		json_decref(x->tab[i]);
		x->tab[i] = NULL;
	}
	json_decref(x->locks);
	json_decref(x->counters);
	json_decref(x->ops);
	json_decref(x->facets);
	json_decref(x->names);
	x->locks = x->counters = x->ops = x->facets = x->names = NULL;
	x3_gql_schema_reset(x);
}

static int
init(struct x3_state *x)
{
	size_t	i;

	for (i = 0; i < X3_T__MAX; i++)
		if ((x->tab[i] = json_array()) == NULL)
			return -1;
	x->locks = json_object();
	x->counters = json_object();
	x->ops = ops_default();
	x->facets = x3_rest_facets_default();
	x->names = json_object();
	x->token_nbf = 0;
	x->gql_basic = 0;
	x->allow_negative_stock = 0;
	x->rest_soft_errors = 0;
	if (x->locks == NULL || x->counters == NULL || x->ops == NULL ||
	    x->facets == NULL || x->names == NULL)
		return -1;
	seed(x);
	return 0;
}

/* New; free with x3_free(). NULL on memory exhaustion. */
struct x3_state *
x3_new(const struct sb_config *cfg)
{
	struct x3_state	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->cfg = cfg;
	if (init(x) == -1) {
		x3_free(x);
		return NULL;
	}
	return x;
}

/* Free everything x3_new() made; accepts NULL. */
void
x3_free(struct x3_state *x)
{

	if (x == NULL)
		return;
	clear(x);
	free(x);
}

/* Back to the seed data; options and locks are forgotten too. */
void
x3_reset(struct x3_state *x)
{

	clear(x);
	(void)init(x);
}

/* The whole X3 state as JSON; new reference. */
json_t *
x3_dump(struct x3_state *x)
{
	json_t	*j, *locks;
	size_t	 i;
	const char *k;
	json_t	*v;

	if ((j = json_object()) == NULL)
		return NULL;
	for (i = 0; i < X3_T__MAX; i++)
		json_object_set_new(j, x3_tables[i].dumpname,
		    json_deep_copy(x->tab[i]));
	locks = json_array();
	json_object_foreach(x->locks, k, v)
		json_array_append_new(locks, json_string(k));
	json_object_set_new(j, "locks", locks);
	json_object_set_new(j, "counters", json_deep_copy(x->counters));
	json_object_set_new(j, "operations", json_deep_copy(x->ops));
	json_object_set_new(j, "representations", json_deep_copy(x->facets));
	json_object_set_new(j, "nodeNames", json_deep_copy(x->names));
	json_object_set_new(j, "tokensNotBefore", json_integer(x->token_nbf));
	json_object_set_new(j, "graphqlBasicAuth",
	    json_boolean(x->gql_basic));
	return j;
}

/* Handle /xtrem/... and /api1/...; 1 when the path was ours. */
int
x3_handle(struct x3_state *x, const struct sb_req *req, struct sb_resp *resp)
{

	if (strcmp(req->path, "/xtrem/api") == 0 ||
	    strncmp(req->path, "/xtrem/", 7) == 0) {
		x3_gql_handle(x, req, resp);
		return 1;
	}
	if (strncmp(req->path, "/api1/", 6) == 0) {
		x3_rest_handle(x, req, resp);
		return 1;
	}
	return 0;
}

/* --- control --------------------------------------------------------------- */

/* Class names accepted by lock/unlock: REST class or GraphQL node. */
static const char *
lock_class(const char *c)
{
	static const char *const map[][2] = {
		{ "salesOrder", "SORDER" }, { "YSORDER", "SORDER" },
		{ "SORDER", "SORDER" },
		{ "customer", "BPCUSTOMER" }, { "businessPartner",
		    "BPCUSTOMER" }, { "BPCUSTOMER", "BPCUSTOMER" },
		{ "product", "ITMMASTER" }, { "ITMMASTER", "ITMMASTER" },
		{ "salesDelivery", "SDELIVERY" }, { "SDELIVERY", "SDELIVERY" },
		{ "YSDELIVERY", "SDELIVERY" },
	};
	size_t	i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], c) == 0)
			return map[i][1];
	return NULL;
}

static void
ctl_error(struct sb_resp *resp, const char *msg)
{

	sb_resp_json(resp, 400, json_pack("{s:s}", "error", msg));
}

static void
ctl_lock(struct x3_state *x, json_t *args, struct sb_resp *resp, int lock)
{
	const char	*cls = NULL, *key = NULL, *c;
	char		 k[256];
	int		 n;

	if (json_unpack(args, "{s:s,s:s}", "class", &cls, "key", &key) == -1) {
		ctl_error(resp, "expected {\"class\": ..., \"key\": ...}");
		return;
	}
	if ((c = lock_class(cls)) == NULL) {
		ctl_error(resp, "unknown class (SORDER, BPCUSTOMER, ITMMASTER, "
		    "SDELIVERY or a GraphQL node name)");
		return;
	}
	n = snprintf(k, sizeof(k), "%s~%s", c, key);
	if (n < 0 || (size_t)n >= sizeof(k)) {
		ctl_error(resp, "key too long");
		return;
	}
	if (lock)
		json_object_set_new(x->locks, k, json_true());
	else
		json_object_del(x->locks, k);
	sb_resp_json(resp, 200, json_pack("{s:b,s:s,s:s}", "locked", lock,
	    "class", c, "key", key));
}

/* Mark a delivery invoiced (INVFLG 2), as invoicing in X3 would. */
static void
ctl_invoice(struct x3_state *x, json_t *args, struct sb_resp *resp)
{
	const char	*key = NULL;
	json_t		*d;

	if (json_unpack(args, "{s:s}", "key", &key) == -1 ||
	    (d = x3_find(x, X3_T_DELIVERY, key)) == NULL) {
		ctl_error(resp, "expected {\"key\": <existing SDHNUM>}");
		return;
	}
	json_object_set_new(d, "INVFLG", json_integer(2));
	stamp_upd(d);
	sb_resp_json(resp, 200, json_pack("{s:s,s:b}", "key", key,
	    "invoiced", 1));
}

static void
ctl_set_operations(struct x3_state *x, json_t *args, struct sb_resp *resp)
{
	const char	*node = NULL, *k;
	json_t		*ops = NULL, *v, *def;
	size_t		 i;
	int		 reset = 0;

	if (json_unpack(args, "{s?b,s?s,s?o}", "reset", &reset, "node", &node,
	    "operations", &ops) == -1) {
		ctl_error(resp, "expected {\"node\": ..., \"operations\": "
		    "[...]} or {\"reset\": true}");
		return;
	}
	if (reset) {
		json_decref(x->ops);
		x->ops = ops_default();
	}
	if (node != NULL) {
		def = ops_default();
		if (json_object_get(def, node) == NULL || !json_is_array(ops)) {
			json_decref(def);
			ctl_error(resp, "unknown node or operations not an "
			    "array");
			return;
		}
		json_decref(def);
		json_array_foreach(ops, i, v) {
			k = json_string_value(v);
			if (k == NULL || (strcmp(k, "query") != 0 &&
			    strcmp(k, "read") != 0 && strcmp(k, "create") != 0 &&
			    strcmp(k, "update") != 0 && strcmp(k, "delete") !=
			    0)) {
				ctl_error(resp, "operations are query, read, "
				    "create, update, delete");
				return;
			}
		}
		json_object_set(x->ops, node, ops);
	}
	x3_gql_schema_reset(x);
	sb_resp_json(resp, 200, json_pack("{s:O}", "operations", x->ops));
}

static void
ctl_seed(struct x3_state *x, json_t *args, struct sb_resp *resp)
{
	json_int_t	 nc = 0, ni = 0;

	if (json_unpack(args, "{s?I,s?I}", "customers", &nc, "items",
	    &ni) == -1 || nc < 0 || ni < 0 || nc > X3_SEED_MAX ||
	    ni > X3_SEED_MAX) {
		ctl_error(resp, "expected {\"customers\": N, \"items\": N}");
		return;
	}
	seed_more_items(x, ni);
	seed_more_customers(x, nc);
	sb_resp_json(resp, 200, json_pack("{s:I,s:I}", "customers",
	    (json_int_t)json_array_size(x->tab[X3_T_CUSTOMER]), "items",
	    (json_int_t)json_array_size(x->tab[X3_T_ITEM])));
}

static void
ctl_options(struct x3_state *x, json_t *args, struct sb_resp *resp)
{
	int	basic = x->gql_basic, neg = x->allow_negative_stock;
	int	soft = x->rest_soft_errors;

	if (json_unpack(args, "{s?b,s?b,s?b}", "graphql_basic_auth", &basic,
	    "allow_negative_stock", &neg, "rest_soft_errors", &soft) == -1) {
		ctl_error(resp, "expected {\"graphql_basic_auth\": bool, "
		    "\"allow_negative_stock\": bool, \"rest_soft_errors\": "
		    "bool}");
		return;
	}
	x->gql_basic = basic;
	x->allow_negative_stock = neg;
	x->rest_soft_errors = soft;
	sb_resp_json(resp, 200, json_pack("{s:b,s:b,s:b}",
	    "graphql_basic_auth", basic, "allow_negative_stock", neg,
	    "rest_soft_errors", soft));
}

static void
ctl_rename(struct x3_state *x, json_t *args, struct sb_resp *resp)
{
	const char	*node, *name;
	json_t		*def;
	size_t		 i;

	if (json_unpack(args, "{s:s,s:s}", "node", &node, "name", &name) ==
	    -1) {
		ctl_error(resp, "expected {\"node\": ..., \"name\": ...}");
		return;
	}
	def = ops_default();
	if (json_object_get(def, node) == NULL || *name == '\0' ||
	    strlen(name) > 64) {
		json_decref(def);
		ctl_error(resp, "unknown node or bad name");
		return;
	}
	json_decref(def);
	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_') {
			ctl_error(resp, "name must be a GraphQL name");
			return;
		}
	json_object_set_new(x->names, node, json_string(name));
	x3_gql_schema_reset(x);
	sb_resp_json(resp, 200, json_pack("{s:O}", "nodeNames", x->names));
}

static void
ctl_set_facets(struct x3_state *x, json_t *args, struct sb_resp *resp)
{
	const char	*repr, *cls;
	json_t		*facets, *v;
	size_t		 i;

	if (json_unpack(args, "{s:s,s:s,s:o}", "representation", &repr,
	    "class", &cls, "facets", &facets) == -1 ||
	    !json_is_array(facets)) {
		ctl_error(resp, "expected {\"representation\": ..., \"class\": "
		    "..., \"facets\": [\"$query\", ...]}");
		return;
	}
	if (strcmp(cls, "BPCUSTOMER") != 0 && strcmp(cls, "ITMMASTER") != 0 &&
	    strcmp(cls, "SORDER") != 0 && strcmp(cls, "SDELIVERY") != 0 &&
	    strcmp(cls, "STOCK") != 0 && strcmp(cls, "SORDERQ") != 0 &&
	    cls[0] != 'Y') {
		ctl_error(resp, "unknown class");
		return;
	}
	json_array_foreach(facets, i, v)
		if (!json_is_string(v) || json_string_value(v)[0] != '$') {
			ctl_error(resp, "facets are strings like \"$create\"");
			return;
		}
	json_object_set_new(x->facets, repr, json_pack("{s:s,s:O}", "class",
	    cls, "facets", facets));
	sb_resp_json(resp, 200, json_pack("{s:O}", "representations",
	    x->facets));
}

/*
 * Control actions: lock, unlock, expire_tokens, set_operations, seed,
 * x3_options, x3_rename, x3_facets. 1 when the action was X3's.
 */
int
x3_control(struct x3_state *x, const char *action, json_t *args,
    struct sb_resp *resp)
{
	json_t	*empty = NULL;

	if (args == NULL)
		args = empty = json_object();
	if (strcmp(action, "lock") == 0)
		ctl_lock(x, args, resp, 1);
	else if (strcmp(action, "unlock") == 0)
		ctl_lock(x, args, resp, 0);
	else if (strcmp(action, "expire_tokens") == 0) {
		/* Like "Regenerate secret": every earlier token is void. */
		x->token_nbf = sb_now_ms() / 1000;
		sb_resp_json(resp, 200, json_pack("{s:I}", "notBefore",
		    (json_int_t)x->token_nbf));
	} else if (strcmp(action, "set_operations") == 0)
		ctl_set_operations(x, args, resp);
	else if (strcmp(action, "seed") == 0 &&
	    (json_object_get(args, "customers") != NULL ||
	    json_object_get(args, "items") != NULL))
		ctl_seed(x, args, resp);
	else if (strcmp(action, "x3_options") == 0)
		ctl_options(x, args, resp);
	else if (strcmp(action, "x3_rename") == 0)
		ctl_rename(x, args, resp);
	else if (strcmp(action, "x3_facets") == 0)
		ctl_set_facets(x, args, resp);
	else if (strcmp(action, "invoice_delivery") == 0)
		ctl_invoice(x, args, resp);
	else {
		json_decref(empty);
		return 0;
	}
	json_decref(empty);
	return 1;
}
