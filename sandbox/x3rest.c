/*
 * Sage X3 REST "api1" (sage-x3.md §1): /api1/x3/erp/{EP}/{CLASS}
 * with representation={REPR}.${facet}; Basic auth; $query feeds with
 * $links.$next keyset paging, $details, $create (201 + Location),
 * $edit PUT, $template; where= via sdata.c with HTTP 500 on unknown
 * properties; $diagnoses for business errors.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "sandbox.h"
#include "sdata.h"
#include "x3.h"

/* A query-string value we decode (where=, orderBy=). */
#define QVAL_MAX	(X3_MAX_FILTER + 1)
/* Sort keys in orderBy, plus the class key. */
#define MAX_SORT	8

/* REST classes and the table behind each. */
struct rclass {
	const char	*name;
	enum x3_tab	 tab;
	int		 lines;		/* SORDERQ: order lines flattened */
};

static const struct rclass rclasses[] = {
	{ "BPCUSTOMER", X3_T_CUSTOMER, 0 },
	{ "ITMMASTER", X3_T_ITEM, 0 },
	{ "SORDER", X3_T_ORDER, 0 },
	{ "YSORDER", X3_T_ORDER, 0 },
	{ "SORDERQ", X3_T_ORDER, 1 },
	{ "SDELIVERY", X3_T_DELIVERY, 0 },
	{ "YSDELIVERY", X3_T_DELIVERY, 0 },
	{ "STOCK", X3_T_STOCK, 0 },
	{ "FACILITY", X3_T_SITE, 0 },
	{ "TABCUR", X3_T_CURRENCY, 0 },
	{ NULL, X3_T__MAX, 0 }
};

/* Representations and their facets (§1.2, §1.6, §6.1). */
json_t *
x3_rest_facets_default(void)
{

	return json_pack("{s:{s:s,s:[s,s,s,s,s]},s:{s:s,s:[s,s,s,s,s]},"
	    "s:{s:s,s:[s,s,s]},s:{s:s,s:[s,s,s,s,s]},s:{s:s,s:[s,s]},"
	    "s:{s:s,s:[s,s,s]},s:{s:s,s:[s,s,s,s]},s:{s:s,s:[s,s,s]},"
	    "s:{s:s,s:[s,s,s]},s:{s:s,s:[s,s,s]}}",
	    "BPCUSTOMER", "class", "BPCUSTOMER", "facets", "$query",
	    "$details", "$lookup", "$create", "$template",
	    "ITMMASTER", "class", "ITMMASTER", "facets", "$query", "$details",
	    "$lookup", "$create", "$template",
	    "SORDER", "class", "SORDER", "facets", "$query", "$details",
	    "$lookup",
	    "YSORDER", "class", "YSORDER", "facets", "$query", "$details",
	    "$create", "$edit", "$template",
	    "SORDERQ", "class", "SORDERQ", "facets", "$query", "$details",
	    "SDELIVERY", "class", "SDELIVERY", "facets", "$query", "$details",
	    "$lookup",
	    "YSDELIVERY", "class", "YSDELIVERY", "facets", "$query",
	    "$details", "$create", "$template",
	    "STOCK", "class", "STOCK", "facets", "$query", "$details",
	    "$lookup",
	    "FACILITY", "class", "FACILITY", "facets", "$query", "$details",
	    "$lookup",
	    "TABCUR", "class", "TABCUR", "facets", "$query", "$details",
	    "$lookup");
}

static const struct rclass *
rclass_get(const char *name)
{
	const struct rclass	*c;

	for (c = rclasses; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
diagnoses(struct sb_resp *resp, int status, const char *sev,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
diagnoses(struct sb_resp *resp, int status, const char *sev,
    const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sb_resp_json(resp, status, json_pack("{s:[{s:s,s:s}]}", "$diagnoses",
	    "$severity", sev, "$message", msg));
}

/* The lines of every order as SORDERQ rows (new array). */
static json_t *
order_lines(struct x3_state *x)
{
	json_t	*a = json_array(), *o, *l;
	size_t	 i, k;

	json_array_foreach(x->tab[X3_T_ORDER], i, o)
		json_array_foreach(json_object_get(o, X3_ORDER_LINES), k, l) {
			json_t *r = json_deep_copy(l);
			json_object_set(r, "BPCORD", json_object_get(o,
			    "BPCORD"));
			json_object_set(r, "SALFCY", json_object_get(o,
			    "SALFCY"));
			json_array_append_new(a, r);
		}
	return a;
}

static void
key_of(const struct rclass *c, const json_t *row, char *buf, size_t bufsz)
{
	int	n;

	if (c->lines) {
		n = snprintf(buf, bufsz, "%s~%lld~%lld", x3_str(row, "SOHNUM"),
		    (long long)json_integer_value(json_object_get(row,
		    "SOPLIN")), (long long)json_integer_value(
		    json_object_get(row, "SOQSEQ")));
		if (n < 0 || (size_t)n >= bufsz)
			buf[0] = '\0';
	} else
		x3_rowkey(c->tab, row, buf, bufsz);
}

static const struct x3_field *
class_fields(const struct rclass *c)
{

	return c->lines ? x3_tables[c->tab].lines : x3_tables[c->tab].fields;
}

struct known_arg {
	const struct rclass	*c;
};

static int
known(const char *name, void *arg)
{
	const struct known_arg	*k = arg;
	const struct x3_field	*f;

	f = x3_field_get(class_fields(k->c), name);
	if (f == NULL && k->c->lines && (strcmp(name, "BPCORD") == 0 ||
	    strcmp(name, "SALFCY") == 0 || strcmp(name, "SOHNUM") == 0))
		return 1;
	return f != NULL && f->type != X3_F_LINES;
}

/* Title of a reference for the <FIELD>_REF object (§1.4). */
static void
add_ref(struct x3_state *x, json_t *o, const char *field, enum x3_tab t,
    const char *titlefield)
{
	const json_t	*r;
	char		 k[64];
	const char	*code = x3_str(o, field);

	if (code == NULL || (r = x3_find(x, t, code)) == NULL)
		return;
	(void)snprintf(k, sizeof(k), "%s_REF", field);
	json_object_set_new(o, k, json_pack("{s:s?}", "$title",
	    x3_str(r, titlefield)));
}

/* A resource as the facet shows it; new reference. */
static json_t *
resource(struct x3_state *x, const struct rclass *c, const json_t *row,
    int details)
{
	const struct x3_field	*f;
	json_t			*o, *v, *lines, *l;
	const json_t		*sl;
	size_t			 i;

	o = json_object();
	json_object_set(o, "$uuid", json_object_get(row, "AUUID"));
	if (details)
		json_object_set(o, "$etag", json_object_get(row, "UPDDATTIM"));
	for (f = class_fields(c); f->name != NULL; f++) {
		if (strcmp(f->name, "AUUID") == 0)
			continue;
		if (!details && !f->query)
			continue;
		if (f->type == X3_F_LINES) {
			lines = json_array();
			json_array_foreach(json_object_get(row, f->name), i,
			    sl) {
				l = json_deep_copy(sl);
				json_object_set(l, "$uuid", json_object_get(sl,
				    "AUUID"));
				json_object_del(l, "AUUID");
				add_ref(x, l, "ITMREF", X3_T_ITEM, "ITMDES1");
				json_array_append_new(lines, l);
			}
			json_object_set_new(o, f->name, lines);
			continue;
		}
		v = json_object_get(row, f->name);
		json_object_set(o, f->name, v != NULL ? v : json_null());
	}
	if (c->lines) {
		json_object_set(o, "SOHNUM", json_object_get(row, "SOHNUM"));
		json_object_set(o, "BPCORD", json_object_get(row, "BPCORD"));
	}
	if (details) {
		add_ref(x, o, "BPCORD", X3_T_CUSTOMER, "BPCNAM");
		add_ref(x, o, "SALFCY", X3_T_SITE, "FCYNAM");
		add_ref(x, o, "STOFCY", X3_T_SITE, "FCYNAM");
		add_ref(x, o, "CUR", X3_T_CURRENCY, "DES");
		add_ref(x, o, "SOHTYP", X3_T_ORDTYPE, "DES");
		if (c->tab == X3_T_STOCK)
			add_ref(x, o, "ITMREF", X3_T_ITEM, "ITMDES1");
	}
	return o;
}

/* --- $query ----------------------------------------------------------- */

struct sortkey {
	const char	*field;		/* NULL: the class key */
	int		 desc;
};

static const struct rclass	*g_class;	/* qsort context */
static const struct sortkey	*g_keys;
static size_t			 g_nkeys;

/* JSON value against JSON value: numbers numerically, else strings. */
static int
vcmp(const json_t *a, const json_t *b)
{
	double	da, db;

	if (a == NULL || json_is_null(a))
		return (b == NULL || json_is_null(b)) ? 0 : -1;
	if (b == NULL || json_is_null(b))
		return 1;
	if (json_is_number(a) && json_is_number(b)) {
		da = json_number_value(a);
		db = json_number_value(b);
		return da < db ? -1 : da > db;
	}
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	return json_is_number(a) ? -1 : 1;
}

/* Row value against a key= string part. */
static int
vcmp_str(const json_t *a, const char *s)
{
	double	d;
	char	*end;

	if (json_is_number(a)) {
		d = strtod(s, &end);
		if (*end == '\0' && end != s)
			return json_number_value(a) < d ? -1 :
			    json_number_value(a) > d;
	}
	if (json_is_string(a))
		return strcmp(json_string_value(a), s);
	return *s == '\0' ? 0 : -1;
}

static int
row_cmp(const void *pa, const void *pb)
{
	const json_t	*a = *(const json_t *const *)pa;
	const json_t	*b = *(const json_t *const *)pb;
	char		 ka[128], kb[128];
	size_t		 i;
	int		 c;

	for (i = 0; i < g_nkeys; i++) {
		if (g_keys[i].field == NULL) {
			key_of(g_class, a, ka, sizeof(ka));
			key_of(g_class, b, kb, sizeof(kb));
			c = strcmp(ka, kb);
		} else
			c = vcmp(json_object_get(a, g_keys[i].field),
			    json_object_get(b, g_keys[i].field));
		if (c != 0)
			return g_keys[i].desc ? -c : c;
	}
	return 0;
}

/* Compare a row with the parts of a key= value in sort order. */
static int
row_vs_key(const json_t *row, char *const *parts)
{
	char	 k[128];
	size_t	 i;
	int	 c;

	for (i = 0; i < g_nkeys; i++) {
		if (g_keys[i].field == NULL) {
			key_of(g_class, row, k, sizeof(k));
			c = strcmp(k, parts[i]);
		} else
			c = vcmp_str(json_object_get(row, g_keys[i].field),
			    parts[i]);
		if (c != 0)
			return g_keys[i].desc ? -c : c;
	}
	return 0;
}

/* URL-encode s into the growing string out (RFC 3986 unreserved). */
static void
urlenc(char *out, size_t outsz, const char *s)
{
	size_t		 o = strlen(out);
	const char	 hex[] = "0123456789ABCDEF";

	for (; *s != '\0' && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/* The request URL with key= replaced (for $links). */
static void
link_url(const struct sb_req *req, const char *keyval, char *out,
    size_t outsz)
{
	const char	*host = sb_req_header(req, "Host");
	const char	*q = req->query, *amp;
	size_t		 o;
	int		 n, first = 1;

	n = snprintf(out, outsz, "http://%s%s?", host != NULL ? host :
	    "localhost", req->path);
	if (n < 0 || (size_t)n >= outsz) {
		out[0] = '\0';
		return;
	}
	o = (size_t)n;
	while (*q != '\0') {
		amp = strchr(q, '&');
		n = amp != NULL ? (int)(amp - q) : (int)strlen(q);
		if (n > 0 && strncasecmp(q, "key=", 4) != 0 &&
		    o + (size_t)n + 2 < outsz) {
			if (!first)
				out[o++] = '&';
			memcpy(out + o, q, (size_t)n);
			o += (size_t)n;
			first = 0;
		}
		q += n;
		if (*q == '&')
			q++;
	}
	out[o] = '\0';
	if (o + 8 < outsz) {
		(void)strncat(out, first ? "key=" : "&key=", outsz - o - 1);
		urlenc(out, outsz, keyval);
	}
}

static int
parse_orderby(const struct rclass *c, const char *s, struct sortkey *keys,
    size_t *nkeys, char *bad, size_t badsz)
{
	char			 buf[QVAL_MAX], *tok, *save = NULL, *sp;
	const struct x3_field	*f;
	struct known_arg	 ka;

	ka.c = c;
	*nkeys = 0;
	(void)snprintf(buf, sizeof(buf), "%s", s);
	/* Separators: "," (query guide) or ";" (API page), §1.3. */
	for (tok = strtok_r(buf, ",;", &save); tok != NULL;
	    tok = strtok_r(NULL, ",;", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		if (*nkeys >= MAX_SORT - 1)
			return -1;
		keys[*nkeys].desc = 0;
		if ((sp = strchr(tok, ' ')) != NULL) {
			*sp++ = '\0';
			while (*sp == ' ')
				sp++;
			if (strncasecmp(sp, "desc", 4) == 0)
				keys[*nkeys].desc = 1;
			else if (*sp != '\0' && strncasecmp(sp, "asc", 3) != 0)
				return -1;
		}
		if (!known(tok, &ka)) {
			(void)snprintf(bad, badsz, "%s", tok);
			return -2;
		}
		f = x3_field_get(class_fields(c), tok);
		keys[*nkeys].field = f != NULL ? f->name : (strcmp(tok,
		    "BPCORD") == 0 ? "BPCORD" : strcmp(tok, "SALFCY") == 0 ?
		    "SALFCY" : "SOHNUM");
		(*nkeys)++;
	}
	keys[*nkeys].field = NULL;
	keys[*nkeys].desc = 0;
	(*nkeys)++;
	return 0;
}

static void
feed(struct x3_state *x, const struct sb_req *req, const struct rclass *c,
    struct sb_resp *resp)
{
	char			*where = NULL, *ob = NULL, key[512], url[4096];
	char			 num[32], bad[128], *parts[MAX_SORT];
	struct sdata_expr	*ex = NULL;
	struct sdata_error	 serr;
	struct sortkey		 keys[MAX_SORT];
	size_t			 nkeys = 0, i, n = 0, lo, hi, count;
	json_t			*rows = NULL, *owned = NULL, *res, *links;
	const json_t		**v = NULL, *row;
	struct known_arg	 ka;
	long long		 ll;
	char			*end;
	int			 r, last = 0;

	memset(parts, 0, sizeof(parts));
	ka.c = c;
	count = X3_REST_COUNT_DEFAULT;
	if (sb_query_get(req->query, "count", num, sizeof(num)) == 1) {
		ll = strtoll(num, &end, 10);
		if (*end != '\0' || ll < 1) {
			diagnoses(resp, 400, "error", "Invalid count '%s'",
			    num);
			goto out;
		}
		/* Silently capped: trust $itemsPerPage (§1.3). */
		count = ll > X3_REST_COUNT_MAX ? X3_REST_COUNT_MAX :
		    (size_t)ll;
	}
	if ((where = malloc(QVAL_MAX)) == NULL ||
	    (ob = malloc(QVAL_MAX)) == NULL)
		goto oom;
	r = sb_query_get(req->query, "where", where, QVAL_MAX);
	if (r == -1) {
		diagnoses(resp, 400, "error", "where: expression too long");
		goto out;
	}
	if (r == 1 && *where != '\0') {
		if ((ex = sdata_parse(where, &serr)) == NULL) {
			diagnoses(resp, 400, "error", "where: %s at position "
			    "%zu", serr.msg, serr.pos + 1);
			goto out;
		}
		/* X3 endpoints answer an unknown property with 500 (§1.5). */
		if (sdata_check(ex, known, &ka, &serr) == -1) {
			diagnoses(resp, 500, "error", "%s: %s", c->name,
			    serr.msg);
			goto out;
		}
	}
	r = sb_query_get(req->query, "orderBy", ob, QVAL_MAX);
	if (r != 1)
		*ob = '\0';
	r = parse_orderby(c, ob, keys, &nkeys, bad, sizeof(bad));
	if (r == -2) {
		diagnoses(resp, 500, "error", "%s: Unknown property '%s' in "
		    "orderBy", c->name, bad);
		goto out;
	} else if (r == -1) {
		diagnoses(resp, 400, "error", "Invalid orderBy");
		goto out;
	}
	if (c->lines)
		rows = owned = order_lines(x);
	else
		rows = x->tab[c->tab];
	if ((v = calloc(json_array_size(rows) + 1, sizeof(*v))) == NULL)
		goto oom;
	json_array_foreach(rows, i, row) {
		if (ex != NULL) {
			r = sdata_eval(ex, row, &serr);
			if (r == -1) {
				diagnoses(resp, 400, "error", "where: %s",
				    serr.msg);
				goto out;
			}
			if (r == 0)
				continue;
		}
		v[n++] = row;
	}
	g_class = c;
	g_keys = keys;
	g_nkeys = nkeys;
	qsort(v, n, sizeof(*v), row_cmp);
	lo = 0;
	hi = n;
	/* key=gt.<sort values~key> continues; key=lt asks for the end. */
	if (sb_query_get(req->query, "key", key, sizeof(key)) == 1) {
		if (strcasecmp(key, "lt") == 0)
			last = 1;
		else if (strncasecmp(key, "gt.", 3) == 0 ||
		    strncasecmp(key, "lt.", 3) == 0) {
			char	*s = key + 3, *t;
			size_t	 k;

			for (k = 0; k < nkeys; k++) {
				if (k == nkeys - 1) {
					parts[k] = s;
					break;
				}
				if ((t = strchr(s, '~')) == NULL) {
					diagnoses(resp, 400, "error",
					    "Invalid key '%s'", key);
					goto out;
				}
				*t = '\0';
				parts[k] = s;
				s = t + 1;
			}
			if (key[0] == 'g' || key[0] == 'G') {
				while (lo < hi && row_vs_key(v[lo], parts) <= 0)
					lo++;
			} else {
				while (hi > lo && row_vs_key(v[hi - 1],
				    parts) >= 0)
					hi--;
				if (hi - lo > count)
					lo = hi - count;
			}
		} else {
			diagnoses(resp, 400, "error", "Invalid key '%s'", key);
			goto out;
		}
	}
	if (last && hi - lo > count)
		lo = hi - count;
	res = json_array();
	for (i = lo; i < hi && i - lo < count; i++)
		json_array_append_new(res, resource(x, c, v[i], 0));
	links = json_object();
	if (i < hi) {
		/* The continuation key: sort values then the class key. */
		char	 kv[512] = "gt.", part[128];
		size_t	 k;

		for (k = 0; k < nkeys; k++) {
			const json_t	*fv;

			if (keys[k].field == NULL)
				key_of(c, v[i - 1], part, sizeof(part));
			else {
				fv = json_object_get(v[i - 1], keys[k].field);
				if (json_is_string(fv))
					(void)snprintf(part, sizeof(part), "%s",
					    json_string_value(fv));
				else if (json_is_integer(fv))
					(void)snprintf(part, sizeof(part),
					    "%lld", (long long)
					    json_integer_value(fv));
				else if (json_is_number(fv))
					(void)snprintf(part, sizeof(part),
					    "%.15g", json_number_value(fv));
				else
					part[0] = '\0';
			}
			if (k > 0)
				(void)strncat(kv, "~", sizeof(kv) -
				    strlen(kv) - 1);
			(void)strncat(kv, part, sizeof(kv) - strlen(kv) - 1);
		}
		link_url(req, kv, url, sizeof(url));
		json_object_set_new(links, "$next", json_pack("{s:s,s:s,s:s}",
		    "$url", url, "$type", "application/json", "$method",
		    "GET"));
	}
	link_url(req, "lt", url, sizeof(url));
	json_object_set_new(links, "$last", json_pack("{s:s,s:s,s:s}",
	    "$url", url, "$type", "application/json", "$method", "GET"));
	sb_resp_json(resp, 200, json_pack("{s:I,s:o,s:o}", "$itemsPerPage",
	    (json_int_t)count, "$resources", res, "$links", links));
	goto out;
oom:
	diagnoses(resp, 500, "error", "Out of memory");
out:
	free(v);
	json_decref(owned);
	sdata_free(ex);
	free(where);
	free(ob);
}

/* --- single resources ------------------------------------------------ */

static json_t *
find_row(struct x3_state *x, const struct rclass *c, const char *key,
    json_t **owned)
{
	json_t	*rows, *row;
	size_t	 i;
	char	 k[128];

	*owned = NULL;
	if (!c->lines)
		return x3_find(x, c->tab, key);
	rows = *owned = order_lines(x);
	json_array_foreach(rows, i, row) {
		key_of(c, row, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return row;
	}
	return NULL;
}

/* Write paths: create/update, with $diagnoses on refusal. */
static void
write_resource(struct x3_state *x, const struct sb_req *req,
    const struct rclass *c, const char *repr, const char *key,
    struct sb_resp *resp, int soft)
{
	json_t		*in = NULL, *diags = NULL, *row = NULL, *body, *d;
	json_t		*warn;
	json_error_t	 jerr;
	const char	*k, *cls;
	json_t		*v;
	void		*tmp;
	char		 url[1024], ep[256], *slash;
	size_t		 i;
	int		 rc = -1;

	if (req->bodylen > X3_MAX_BODY) {
		diagnoses(resp, 413, "error", "Request too large");
		return;
	}
	in = json_loadb(req->body, req->bodylen, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (!json_is_object(in)) {
		diagnoses(resp, 400, "error", "Invalid JSON body: %s",
		    in == NULL ? jerr.text : "not an object");
		json_decref(in);
		return;
	}
	/* $-prefixed members and _REF objects are ignored on input (§1.4). */
	json_object_foreach_safe(in, tmp, k, v)
		if (k[0] == '$' || (strlen(k) > 4 &&
		    strcmp(k + strlen(k) - 4, "_REF") == 0))
			json_object_del(in, k);
	json_object_foreach(in, k, v)
		if (x3_field_get(class_fields(c), k) == NULL) {
			diagnoses(resp, 400, "error", "%s: Property '%s' does "
			    "not exist", c->name, k);
			json_decref(in);
			return;
		}
	diags = json_array();
	warn = json_array();
	if (key != NULL) {
		/* REST addresses child lines by $uuid (X3 §1.2), which
		 * the sandbox does not model: refused, never ignored. */
		if (c->tab == X3_T_ORDER && json_object_get(in,
		    X3_ORDER_LINES) != NULL)
			json_array_append_new(diags, json_string(
			    X3_ORDER_LINES ": Field cannot be modified"));
		else if (c->tab == X3_T_ORDER)
			rc = x3_order_update(x, key, in, &row, diags);
		else
			json_array_append_new(diags, json_string("Update not "
			    "supported on this representation"));
	} else switch (c->tab) {
	case X3_T_CUSTOMER:
		rc = x3_customer_create(x, in, &row, diags);
		break;
	case X3_T_ITEM:
		rc = x3_item_create(x, in, &row, diags);
		break;
	case X3_T_ORDER: {
		const char	*ref = x3_str(in, "CUSORDREF");
		const char	*bpc = x3_str(in, "BPCORD");
		json_t		*o;

		/* BPCORD+CUSORDREF allows duplicates: warn only (§6.7). */
		if (ref != NULL && *ref != '\0' && bpc != NULL)
			json_array_foreach(x->tab[X3_T_ORDER], i, o)
				if (strcmp(x3_str(o, "CUSORDREF"), ref) == 0 &&
				    strcmp(x3_str(o, "BPCORD"), bpc) == 0) {
					char	m[256];
					(void)snprintf(m, sizeof(m), "Customer "
					    "order reference %s already used "
					    "on order %s", ref,
					    x3_str(o, "SOHNUM"));
					json_array_append_new(warn,
					    json_string(m));
					break;
				}
		rc = x3_order_create(x, in, &row, diags);
		break;
	}
	case X3_T_DELIVERY:
		rc = x3_delivery_create(x, in, &row, diags);
		break;
	default:
		json_array_append_new(diags, json_string("Creation not "
		    "supported on this class"));
		break;
	}
	if (rc == -1) {
		d = json_array();
		json_array_foreach(diags, i, v)
			json_array_append_new(d, json_pack("{s:s,s:O}",
			    "$severity", "error", "$message", v));
		/* Soft mode: X3's 200/201 carrying only $diagnoses (§1.7). */
		sb_resp_json(resp, soft ? (key != NULL ? 200 : 201) :
		    (json_array_size(diags) > 0 && strstr(json_string_value(
		    json_array_get(diags, 0)), "Locked record") != NULL ?
		    409 : 400), json_pack("{s:o}", "$diagnoses", d));
		goto out;
	}
	body = resource(x, c, row, 1);
	if (json_array_size(warn) > 0) {
		d = json_array();
		json_array_foreach(warn, i, v)
			json_array_append_new(d, json_pack("{s:s,s:O}",
			    "$severity", "warning", "$message", v));
		json_object_set_new(body, "$diagnoses", d);
	}
	/* Location: the new resource's $details URL (§1.2). */
	(void)snprintf(ep, sizeof(ep), "%s", req->path +
	    strlen("/api1/x3/erp/"));
	if ((slash = strchr(ep, '/')) != NULL)
		*slash = '\0';
	cls = c->name;
	{
		char	k2[128];
		x3_rowkey(c->tab, row, k2, sizeof(k2));
		{
			const char *host = sb_req_header(req, "Host");
			char	ek[256] = "";
			urlenc(ek, sizeof(ek), k2);
			(void)snprintf(url, sizeof(url), "http://%s/api1/x3/erp/"
			    "%s/%s('%s')?representation=%s.$details",
			    host != NULL ? host : "localhost", ep, cls, ek,
			    repr);
		}
	}
	if (key == NULL)
		sb_resp_header(resp, "Location", url);
	sb_resp_json(resp, key == NULL ? 201 : 200, body);
out:
	json_decref(in);
	json_decref(diags);
	json_decref(warn);
}

/* --- dispatch ------------------------------------------------------------ */

static int
has_facet(const json_t *rep, const char *facet)
{
	size_t		 i;
	const json_t	*v;

	json_array_foreach(json_object_get(rep, "facets"), i, v)
		if (strcmp(json_string_value(v), facet) == 0)
			return 1;
	return 0;
}

/* Handle /api1/...; see x3.h. */
void
x3_rest_handle(struct x3_state *x, const struct sb_req *req,
    struct sb_resp *resp)
{
	const char		*p, *authz, *facet;
	char			 ep[128], cls[64], key[256], repr[128];
	char			 tail[64], rv[256];
	const struct rclass	*c;
	const json_t		*rep;
	json_t			*owned = NULL, *row;
	size_t			 n;
	int			 code, soft;

	authz = sb_req_header(req, "Authorization");
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		/* Connected-app bearer on api1: UNVERIFIED (§5.2). */
		if (x3_jwt_check(x, authz + 7, &code) == -1) {
			(void)snprintf(rv, sizeof(rv), "Error %d: Invalid "
			    "token", code);
			sb_resp_text(resp, 401, "text/plain; charset=utf-8",
			    rv);
			return;
		}
	} else if (x3_basic_check(x, authz) == -1) {
		sb_resp_header(resp, "WWW-Authenticate",
		    "Basic realm=\"Sage X3\"");
		diagnoses(resp, 401, "error", "Authentication required");
		return;
	}
	if (strncmp(req->path, "/api1/x3/erp/", 13) != 0) {
		diagnoses(resp, 404, "error", "Resource not found");
		return;
	}
	p = req->path + 13;
	n = strcspn(p, "/");
	if (n == 0 || n >= sizeof(ep)) {
		diagnoses(resp, 404, "error", "Endpoint not found");
		return;
	}
	memcpy(ep, p, n);
	ep[n] = '\0';
	p += n;
	if (x->cfg == NULL || x->cfg->x3_endpoint == NULL ||
	    strcmp(ep, x->cfg->x3_endpoint) != 0) {
		diagnoses(resp, 404, "error", "Endpoint '%s' not found", ep);
		return;
	}
	if (*p != '/') {
		diagnoses(resp, 404, "error", "Class missing");
		return;
	}
	p++;
	n = strcspn(p, "(/");
	if (n == 0 || n >= sizeof(cls)) {
		diagnoses(resp, 404, "error", "Class missing");
		return;
	}
	memcpy(cls, p, n);
	cls[n] = '\0';
	p += n;
	key[0] = tail[0] = '\0';
	if (*p == '(') {
		/* ('KEY') documented, ("KEY") works too (§1.1). */
		char	q = p[1];
		const char *e;

		if ((q != '\'' && q != '"') ||
		    (e = strchr(p + 2, q)) == NULL || e[1] != ')' ||
		    (size_t)(e - p - 2) >= sizeof(key)) {
			diagnoses(resp, 400, "error", "Invalid key syntax");
			return;
		}
		memcpy(key, p + 2, (size_t)(e - p - 2));
		key[e - p - 2] = '\0';
		p = e + 2;
	}
	if (*p == '/') {
		(void)snprintf(tail, sizeof(tail), "%s", p + 1);
		p += strlen(p);
	}
	if (*p != '\0') {
		diagnoses(resp, 404, "error", "Resource not found");
		return;
	}
	if ((c = rclass_get(cls)) == NULL) {
		diagnoses(resp, 404, "error", "Class '%s' not found", cls);
		return;
	}
	if (sb_query_get(req->query, "representation", rv, sizeof(rv)) != 1) {
		diagnoses(resp, 400, "error", "The 'representation' parameter "
		    "is mandatory");
		return;
	}
	if ((facet = strchr(rv, '.')) == NULL || facet[1] != '$' ||
	    (size_t)(facet - rv) >= sizeof(repr)) {
		diagnoses(resp, 400, "error", "Invalid representation '%s'",
		    rv);
		return;
	}
	memcpy(repr, rv, (size_t)(facet - rv));
	repr[facet - rv] = '\0';
	facet++;
	rep = json_object_get(x->facets, repr);
	if (rep == NULL || strcmp(json_string_value(json_object_get(rep,
	    "class")), cls) != 0) {
		diagnoses(resp, 400, "error", "Representation '%s' not found "
		    "for class '%s'", repr, cls);
		return;
	}
	soft = x->rest_soft_errors;
	if (!has_facet(rep, facet)) {
		sb_resp_header(resp, "Allow", "GET");
		diagnoses(resp, 405, "error", "Facet '%s' not available on "
		    "representation '%s'", facet, repr);
		return;
	}
	if (strcmp(tail, "$template") == 0) {
		char	today[16];

		if (strcmp(req->method, "GET") != 0 ||
		    strcmp(facet, "$create") != 0) {
			diagnoses(resp, 405, "error", "Method not allowed");
			return;
		}
		x3_now_date(today, sizeof(today));
		if (c->tab == X3_T_ORDER)
			sb_resp_json(resp, 200, json_pack("{s:s,s:s,s:s,s:s,"
			    "s:s,s:[]}", "$uuid", "", "SOHTYP", "SON",
			    "ORDDAT", today, "SALFCY", "", "BPCORD", "",
			    X3_ORDER_LINES));
		else if (c->tab == X3_T_DELIVERY)
			sb_resp_json(resp, 200, json_pack("{s:s,s:s,s:s,s:[]}",
			    "$uuid", "", "SOHNUM", "", "SHIDAT", today,
			    X3_DELIVERY_LINES));
		else
			sb_resp_json(resp, 200, json_pack("{s:s}", "$uuid",
			    ""));
		return;
	}
	if (tail[0] != '\0') {
		diagnoses(resp, 404, "error", "Resource not found");
		return;
	}
	if (strcmp(req->method, "GET") == 0) {
		if (key[0] == '\0') {
			if (strcmp(facet, "$query") != 0 &&
			    strcmp(facet, "$lookup") != 0) {
				diagnoses(resp, 400, "error", "Facet '%s' needs "
				    "a key", facet);
				return;
			}
			feed(x, req, c, resp);
			return;
		}
		if (strcmp(facet, "$details") != 0 &&
		    strcmp(facet, "$edit") != 0) {
			diagnoses(resp, 400, "error", "Facet '%s' does not "
			    "take a key", facet);
			return;
		}
		row = find_row(x, c, key, &owned);
		if (row == NULL)
			diagnoses(resp, soft ? 200 : 404, "error", "721 : "
			    "Record does not exist");
		else
			sb_resp_json(resp, 200, resource(x, c, row, 1));
		json_decref(owned);
		return;
	}
	if (strcmp(req->method, "POST") == 0 && key[0] == '\0' &&
	    strcmp(facet, "$create") == 0) {
		write_resource(x, req, c, repr, NULL, resp, soft);
		return;
	}
	if (strcmp(req->method, "PUT") == 0 && key[0] != '\0' &&
	    strcmp(facet, "$edit") == 0) {
		write_resource(x, req, c, repr, key, resp, soft);
		return;
	}
	sb_resp_header(resp, "Allow", "GET");
	diagnoses(resp, 405, "error", "Method %s not allowed on facet '%s'",
	    req->method, facet);
}
