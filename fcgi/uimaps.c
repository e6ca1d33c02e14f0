/*
 * Admin UI: mappings (table maps) for SKU -> X3 item, customer -> X3
 * business partner, carrier/service -> X3 carrier and delivery mode,
 * store -> sales site, order type and shipping site. The target is a
 * JSON object of X3 codes as the sync engine reads it (docs/SYNC.md).
 * Codes are checked against X3 where X3 has a node to read them from
 * (product, customer, site); a CSV import is all or nothing.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "app.h"
#include "ui.h"

#define MAP_FIELDS	3
#define MAP_KEY_MAX	191	/* maps.source_key */
#define MAP_CODE_MAX	30	/* X3 codes are short (ITMREF A20, ...) */
#define MAP_ERRORS_MAX	200	/* import errors listed */

struct mfield {
	const char	*name;		/* key in the target JSON */
	const char	*label;
	const char	*x3node;	/* master-data node to read, or NULL */
	int		 optional;
};

struct mtype {
	const char	*type;		/* maps.map_type */
	const char	*label;
	const char	*key_label;
	struct mfield	 f[MAP_FIELDS];
	size_t		 nf;
};

static const struct mtype types[] = {
	{ "sku", "SKU \u2192 X3 item", "ShipStation SKU",
	    { { "item", "X3 item", "product", 0 } }, 1 },
	{ "customer", "Customer \u2192 X3 business partner",
	    "ShipStation customerId or e-mail",
	    { { "customer", "X3 customer", "customer", 0 } }, 1 },
	{ "carrier", "Carrier/service \u2192 X3 carrier and delivery mode",
	    "carrierCode or carrierCode/serviceCode",
	    { { "carrier", "X3 carrier", NULL, 0 },
	      { "deliveryMode", "X3 delivery mode", NULL, 1 } }, 2 },
	{ "store", "Store \u2192 X3 sites and order type",
	    "ShipStation storeId",
	    { { "salesSite", "Sales site", "site", 0 },
	      { "orderType", "Order type", NULL, 0 },
	      { "shippingSite", "Shipping site", "site", 0 } }, 3 },
};

static const struct mtype *
find_type(const char *t)
{
	size_t	 i;

	for (i = 0; t != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].type, t) == 0)
			return &types[i];
	return NULL;
}

static int
valid_key(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return i > 0 && i <= MAP_KEY_MAX;
}

static int
valid_code(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_-.", s[i]) ==
		    NULL)
			return 0;
	return i > 0 && i <= MAP_CODE_MAX;
}

/*
 * Does X3 know code as a node (product, customer, site)? 1 yes, 0 no,
 * -1 X3 could not be asked (msg says why).
 */
static int
x3_knows(struct ui *u, const char *node, const char *code, char *msg,
    size_t sz)
{
	const char	*pkg = u->r->cfg->x3.master_package;
	struct x3	*x;
	json_t		*vars, *data = NULL;
	char		 q[256];
	int		 ret;

	if ((x = ui_x3(u)) == NULL) {
		(void)snprintf(msg, sz, "X3 is not configured");
		return -1;
	}
	(void)snprintf(q, sizeof(q), "query($id: String!) { %s { %s { "
	    "read(_id: $id) { _id } } } }", pkg, node);
	if ((vars = json_pack("{s:s}", "id", code)) == NULL)
		return -1;
	if (x3_graphql(x, q, vars, &data) != CORE_OK) {
		(void)snprintf(msg, sz, "X3 did not answer: %.120s",
		    x3_last(x) != NULL ? x3_last(x)->what : "no client");
		ret = -1;
	} else
		ret = json_is_object(json_object_get(json_object_get(
		    json_object_get(data, pkg), node), "read")) ? 1 : 0;
	json_decref(vars);
	json_decref(data);
	return ret;
}

/*
 * Check one row: key and codes (vals[i] for field i). 0 ok; -1 with
 * msg. With check_x3, codes with a node are read from X3.
 */
static int
check_row(struct ui *u, const struct mtype *t, const char *key,
    const char *const *vals, char *msg, size_t sz)
{
	char	 why[200];
	size_t	 i;
	int	 k;

	if (key == NULL || !valid_key(key)) {
		(void)snprintf(msg, sz, "the %s must be 1 to %d characters "
		    "without control characters", t->key_label, MAP_KEY_MAX);
		return -1;
	}
	for (i = 0; i < t->nf; i++) {
		if ((vals[i] == NULL || *vals[i] == '\0') &&
		    t->f[i].optional)
			continue;
		if (vals[i] == NULL || !valid_code(vals[i])) {
			(void)snprintf(msg, sz, "%s must be an X3 code: 1 to "
			    "%d of A-Z a-z 0-9 _ - .", t->f[i].label,
			    MAP_CODE_MAX);
			return -1;
		}
	}
	for (i = 0; i < t->nf; i++) {
		if (t->f[i].x3node == NULL || vals[i] == NULL ||
		    *vals[i] == '\0')
			continue;
		k = x3_knows(u, t->f[i].x3node, vals[i], why, sizeof(why));
		if (k == 0) {
			(void)snprintf(msg, sz, "X3 has no %s %s", t->f[i].
			    x3node, vals[i]);
			return -1;
		}
		if (k == -1 && u->r->cfg->x3.enabled) {
			(void)snprintf(msg, sz, "cannot check %s in X3 (%s)",
			    vals[i], why);
			return -1;
		}
	}
	return 0;
}

/* The target JSON text for vals. New; free(). */
static char *
target_json(const struct mtype *t, const char *const *vals)
{
	json_t	*o;
	char	*s;
	size_t	 i;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; i < t->nf; i++)
		if (vals[i] != NULL && *vals[i] != '\0')
			(void)json_object_set_new(o, t->f[i].name,
			    json_string(vals[i]));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

static enum core_err
upsert(struct ui *u, const struct mtype *t, const char *key,
    const char *const *vals)
{
	char		*tj;
	enum core_err	 rc;

	if ((tj = target_json(t, vals)) == NULL)
		return CORE_ENOMEM;
	rc = db_exec(u->db, "INSERT INTO maps (map_type, source_key, target, "
	    "created_by) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE target = "
	    "VALUES(target), created_by = VALUES(created_by), updated_at = "
	    "NOW(6)", DB_PARAMS(DB_STR(t->type), DB_STR(key), DB_STR(tj),
	    DB_STR(u->s.user.name)), NULL, NULL);
	free(tj);
	return rc;
}

static void
audit_map(struct ui *u, const char *action, const char *detail)
{
	struct audit_rec a;
	char		 who[96];

	(void)snprintf(who, sizeof(who), "ui:%s", u->s.user.name);
	memset(&a, 0, sizeof(a));
	a.trigger = who;
	a.action = action;
	a.request = detail;
	a.duration_ms = -1;
	a.outcome = "ok";
	(void)audit_add(u->db, &a);
}

/* The page: the type's rows, paged by source_key, and the forms. */
static void
page(struct ui *u, const struct mtype *t, int status)
{
	static const char *const names[] = { "id", "key", "target", "by",
	    "updated", NULL };
	const char	*after = form_get(&u->q, "after");
	struct db_rows	*r = NULL;
	json_t		*rows, *e, *tg, *vals, *fl, *tl;
	size_t		 i, k;

	if (after == NULL || strlen(after) > MAP_KEY_MAX)
		after = "";
	if (db_select(u->db, "SELECT id, source_key, target, created_by, "
	    "updated_at FROM maps WHERE map_type = ? AND source_key > ? "
	    "ORDER BY source_key LIMIT 51", DB_PARAMS(DB_STR(t->type),
	    DB_STR(after)), &r) != CORE_OK) {
		ui_fail(u, 503, "The database did not answer.");
		return;
	}
	if (r->nrows > UI_PAGE_ROWS) {
		ui_set(u, "next", db_rows_get(r, UI_PAGE_ROWS - 1, 1));
		r->nrows = UI_PAGE_ROWS;
	}
	rows = ui_rows(r, names);
	db_rows_free(r);
	/* Each row's codes in field order, from its target JSON. */
	json_array_foreach(rows, i, e) {
		tg = json_loads(json_string_value(json_object_get(e,
		    "target")), 0, NULL);
		vals = json_array();
		for (k = 0; k < t->nf; k++)
			(void)json_array_append_new(vals, json_pack("{s:O?}",
			    "v", json_object_get(tg, t->f[k].name)));
		json_decref(tg);
		(void)json_object_set_new(e, "vals", vals);
	}
	(void)json_object_set_new(u->ctx, "rows", rows);
	fl = json_array();
	for (k = 0; k < t->nf; k++)
		(void)json_array_append_new(fl, json_pack("{s:s, s:s, s:b, "
		    "s:s?}", "name", t->f[k].name, "label", t->f[k].label,
		    "optional", t->f[k].optional, "value", form_get(&u->f,
		    t->f[k].name)));
	(void)json_object_set_new(u->ctx, "fields", fl);
	tl = json_array();
	for (k = 0; k < sizeof(types) / sizeof(types[0]); k++)
		(void)json_array_append_new(tl, json_pack("{s:s, s:s, s:b}",
		    "type", types[k].type, "label", types[k].label, "current",
		    &types[k] == t));
	(void)json_object_set_new(u->ctx, "types", tl);
	ui_set(u, "type", t->type);
	ui_set(u, "type_label", t->label);
	ui_set(u, "key_label", t->key_label);
	ui_set(u, "key", form_get(&u->f, "key"));
	ui_set(u, "csv", form_get(&u->f, "csv"));
	(void)json_object_set_new(u->ctx, "x3_checks",
	    json_boolean(u->r->cfg->x3.enabled));
	ui_render(u, status, "maps", "Mappings");
}

void
ui_maps(struct ui *u)
{
	const struct mtype	*t = find_type(form_get(&u->q, "type"));

	page(u, t != NULL ? t : &types[0], 200);
}

static void
go_back(struct ui *u, const struct mtype *t, const char *ok)
{
	char	 loc[96];

	(void)snprintf(loc, sizeof(loc), "/admin/maps?type=%s&ok=%s",
	    t->type, ok);
	ui_redirect(u, loc);
}

void
ui_maps_save(struct ui *u)
{
	const struct mtype	*t = find_type(form_get(&u->f, "type"));
	const char		*key = form_get(&u->f, "key");
	const char		*vals[MAP_FIELDS] = { NULL };
	char			 msg[300];
	size_t			 i;

	if (t == NULL) {
		ui_fail(u, 400, "No such mapping type.");
		return;
	}
	for (i = 0; i < t->nf; i++)
		vals[i] = form_get(&u->f, t->f[i].name);
	if (check_row(u, t, key, vals, msg, sizeof(msg)) == -1) {
		ui_set(u, "error", msg);
		page(u, t, 422);
		return;
	}
	if (upsert(u, t, key, vals) != CORE_OK) {
		ui_fail(u, 503, "The mapping could not be saved.");
		return;
	}
	audit_map(u, "map.save", key);
	log_info("user %s saved maps %s %s", u->s.user.name, t->type, key);
	go_back(u, t, "saved");
}

void
ui_maps_delete(struct ui *u)
{
	const struct mtype	*t = find_type(form_get(&u->f, "type"));
	int64_t			 id;
	uint64_t		 n = 0;

	if (t == NULL || ui_id(form_get(&u->f, "id"), &id) == -1) {
		ui_fail(u, 400, "Which mapping? (type, id)");
		return;
	}
	if (db_exec(u->db, "DELETE FROM maps WHERE id = ? AND map_type = ?",
	    DB_PARAMS(DB_I64(id), DB_STR(t->type)), &n, NULL) != CORE_OK) {
		ui_fail(u, 503, "The mapping could not be deleted.");
		return;
	}
	if (n == 0) {
		ui_fail(u, 404, "No such mapping.");
		return;
	}
	audit_map(u, "map.delete", form_get(&u->f, "id"));
	go_back(u, t, "deleted");
}

/* ---- CSV (RFC 4180) ----------------------------------------------- */

struct csvbuf {
	char	*p;
	size_t	 len, cap;
};

static int
cput(struct csvbuf *b, const char *s, size_t n)
{
	char	*np;

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((np = realloc(b->p, b->cap)) == NULL)
			return -1;
		b->p = np;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/*
 * One CSV cell. A leading = + - @ (a formula to spreadsheets, OWASP
 * "CSV injection") gets an apostrophe, which the import strips again.
 */
static int
cell(struct csvbuf *b, const char *s, int last)
{
	int	 q = strpbrk(s, ",\"\r\n") != NULL;

	if (q && cput(b, "\"", 1) == -1)
		return -1;
	if (strchr("=+-@", s[0]) != NULL && s[0] != '\0' &&
	    cput(b, "'", 1) == -1)
		return -1;
	for (; *s != '\0'; s++)
		if (cput(b, s, 1) == -1 || (*s == '"' && cput(b, "\"", 1) ==
		    -1))
			return -1;
	if (q && cput(b, "\"", 1) == -1)
		return -1;
	return cput(b, last ? "\r\n" : ",", last ? 2 : 1);
}

void
ui_maps_export(struct ui *u)
{
	const struct mtype	*t = find_type(form_get(&u->q, "type"));
	struct db_rows		*r = NULL;
	struct csvbuf		 b = { NULL, 0, 0 };
	json_t			*tg;
	const char		*v;
	char			 hdr[160];
	size_t			 i, k;
	int			 fail = 0;

	if (t == NULL) {
		ui_fail(u, 400, "No such mapping type.");
		return;
	}
	if (db_select(u->db, "SELECT source_key, target FROM maps WHERE "
	    "map_type = ? ORDER BY source_key", DB_PARAMS(DB_STR(t->type)),
	    &r) != CORE_OK) {
		ui_fail(u, 503, "The database did not answer.");
		return;
	}
	fail |= cell(&b, "source_key", t->nf == 0);
	for (k = 0; k < t->nf; k++)
		fail |= cell(&b, t->f[k].name, k + 1 == t->nf);
	for (i = 0; i < r->nrows && !fail; i++) {
		fail |= cell(&b, db_rows_get(r, i, 0), 0);
		tg = json_loads(db_rows_get(r, i, 1), 0, NULL);
		for (k = 0; k < t->nf; k++) {
			v = json_string_value(json_object_get(tg,
			    t->f[k].name));
			fail |= cell(&b, v != NULL ? v : "", k + 1 == t->nf);
		}
		json_decref(tg);
	}
	db_rows_free(r);
	if (fail) {
		free(b.p);
		ui_fail(u, 500, "Out of memory.");
		return;
	}
	(void)snprintf(hdr, sizeof(hdr), "Content-Disposition: attachment; "
	    "filename=\"maps-%s.csv\"\r\n", t->type);
	req_reply_ext(u->r, 200, "text/csv; charset=utf-8", hdr, b.p, b.len);
	free(b.p);
}

/*
 * Parse the next record of CSV at *pp into cells (new strings, *n of
 * them, at most max). 1 a record, 0 at the end, -1 malformed.
 */
static int
csv_record(const char **pp, char **cells, size_t max, size_t *n)
{
	const char	*p = *pp;
	struct csvbuf	 b;
	int		 quoted;

	*n = 0;
	if (*p == '\0')
		return 0;
	for (;;) {
		memset(&b, 0, sizeof(b));
		if (cput(&b, "", 0) == -1)
			return -1;
		quoted = *p == '"';
		if (quoted) {
			for (p++;; p++) {
				if (*p == '\0') {
					free(b.p);
					return -1;	/* unclosed quote */
				}
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"') {
					p++;
					break;
				}
				if (cput(&b, p, 1) == -1)
					return -1;
			}
		} else
			for (; *p != '\0' && *p != ',' && *p != '\r' &&
			    *p != '\n'; p++) {
				if (*p == '"' || cput(&b, p, 1) == -1) {
					free(b.p);
					return -1;
				}
			}
		if (*n == max) {
			free(b.p);
			return -1;
		}
		cells[(*n)++] = b.p;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
		else if (*p != '\0')
			return -1;		/* text after a closing quote */
		*pp = p;
		return 1;
	}
}

static void
cells_free(char **cells, size_t n)
{
	while (n > 0)
		free(cells[--n]);
}

/* Strip the export's formula guard. */
static const char *
unguard(const char *s)
{
	return s[0] == '\'' && s[1] != '\0' && strchr("=+-@", s[1]) != NULL ?
	    s + 1 : s;
}

void
ui_maps_import(struct ui *u)
{
	const struct mtype	*t = find_type(form_get(&u->f, "type"));
	const char		*csv = form_get(&u->f, "file"), *p;
	const char		*vals[MAP_FIELDS];
	char			*cells[MAP_FIELDS + 2], msg[300], line[400];
	size_t			 n, k, row = 0, nerr = 0, nok = 0;
	json_t			*errs;
	int			 rc;

	if (t == NULL) {
		ui_fail(u, 400, "No such mapping type.");
		return;
	}
	/* The uploaded file, else the pasted text (no file chosen sends
	 * an empty file part). A spreadsheet's UTF-8 BOM is dropped. */
	if (csv == NULL || *csv == '\0')
		csv = form_get(&u->f, "csv");
	if (csv != NULL && strncmp(csv, "\xef\xbb\xbf", 3) == 0)
		csv += 3;
	if (csv == NULL || *csv == '\0') {
		ui_set(u, "error", "Choose a CSV file or paste the text "
		    "first.");
		page(u, t, 422);
		return;
	}
	if ((errs = json_array()) == NULL) {
		ui_fail(u, 500, "Out of memory.");
		return;
	}
	/* Pass 1: every row checked; any error and nothing is written. */
	for (p = csv; (rc = csv_record(&p, cells, t->nf + 1, &n)) != 0;
	    row++) {
		msg[0] = '\0';
		if (rc == -1) {
			(void)snprintf(msg, sizeof(msg), "not CSV (quotes, or "
			    "more than %zu columns)", t->nf + 1);
			n = 0;
		} else if (row == 0) {
			if (n < 1 || strcmp(cells[0], "source_key") != 0)
				(void)snprintf(msg, sizeof(msg), "the first "
				    "line must be the header source_key,...");
		} else if (n == 1 && cells[0][0] == '\0') {
			cells_free(cells, n);
			continue;	/* blank line */
		} else if (n != t->nf + 1)
			(void)snprintf(msg, sizeof(msg), "%zu columns, want "
			    "%zu", n, t->nf + 1);
		else if (row > UI_CSV_ROWS)
			(void)snprintf(msg, sizeof(msg), "more than %d rows",
			    UI_CSV_ROWS);
		else {
			for (k = 0; k < t->nf; k++)
				vals[k] = unguard(cells[k + 1]);
			if (check_row(u, t, unguard(cells[0]), vals, msg,
			    sizeof(msg)) == 0) {
				msg[0] = '\0';
				nok++;
			}
		}
		cells_free(cells, n);
		if (msg[0] != '\0') {
			(void)snprintf(line, sizeof(line), "line %zu: %s",
			    row + 1, msg);
			if (nerr++ < MAP_ERRORS_MAX)
				(void)json_array_append_new(errs,
				    json_string(line));
		}
		if (rc == -1)
			break;		/* cannot resync after bad quoting */
	}
	if (nerr == 0 && nok == 0) {
		(void)snprintf(line, sizeof(line), "line %zu: no rows after "
		    "the header", row + 1);
		(void)json_array_append_new(errs, json_string(line));
		nerr++;
	}
	if (nerr > 0) {
		(void)json_object_set_new(u->ctx, "import_errors", errs);
		(void)snprintf(msg, sizeof(msg), "%zu bad row%s: nothing was "
		    "imported.", nerr, nerr == 1 ? "" : "s");
		ui_set(u, "error", msg);
		page(u, t, 422);
		return;
	}
	json_decref(errs);
	/* Pass 2: one transaction for the lot. */
	if (db_begin(u->db) != CORE_OK) {
		ui_fail(u, 503, "The database did not answer.");
		return;
	}
	for (p = csv, row = 0; (rc = csv_record(&p, cells, t->nf + 1, &n)) ==
	    1; row++) {
		if (row > 0 && !(n == 1 && cells[0][0] == '\0')) {
			for (k = 0; k < t->nf; k++)
				vals[k] = unguard(cells[k + 1]);
			if (upsert(u, t, unguard(cells[0]), vals) != CORE_OK)
				rc = -1;
		}
		cells_free(cells, n);
		if (rc == -1)
			break;
	}
	if (rc == -1 || db_commit(u->db) != CORE_OK) {
		(void)db_rollback(u->db);
		ui_fail(u, 503, "The import failed and was rolled back: "
		    "nothing was imported.");
		return;
	}
	(void)snprintf(msg, sizeof(msg), "%s: %zu rows", t->type, nok);
	audit_map(u, "map.import", msg);
	log_info("user %s imported %zu maps %s", u->s.user.name, nok,
	    t->type);
	go_back(u, t, "imported");
}
