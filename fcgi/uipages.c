/*
 * Admin UI: the dashboard, orders, one order, the error queue and
 * replays. Every list is keyset-paged or bounded (UI_PAGE_ROWS) and
 * every query is answered from an index (sql/009_ui.sql; bench/ui.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "replay.h"
#include "tmpl.h"
#include "app.h"
#include "ui.h"

#include "cursor.h"

static const char *const states[] = {
	"ready", "running", "held", "done", "dead", NULL
};
static const char *const classes[] = {
	"mapping", "data", "auth", "rate", "transient", NULL
};

static int
in_list(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int
sel(struct ui *u, const char *sql, const struct db_val *p, size_t n,
    struct db_rows **out)
{
	enum core_err	 rc;

	if ((rc = db_select(u->db, sql, p, n, out)) != CORE_OK) {
		log_warnx("admin UI query: %s", db_error(u->db));
		ui_fail(u, 503, "The database did not answer that query.");
		return -1;
	}
	return 0;
}

static void
put_rows(struct ui *u, const char *key, struct db_rows *rows,
    const char *const *names)
{
	(void)json_object_set_new(u->ctx, key, ui_rows(rows, names));
}

/* "/admin/x?..." keyset link for the next page: the last row's key. */
static void
next_page(struct ui *u, struct db_rows *rows, size_t keycol)
{
	if (rows->nrows > UI_PAGE_ROWS) {
		ui_set(u, "next", db_rows_get(rows, UI_PAGE_ROWS - 1, keycol));
		rows->nrows = UI_PAGE_ROWS;
	}
}

/* ---- dashboard ---------------------------------------------------- */

void
ui_dashboard(struct ui *u)
{
	static const char *const n_jobs[] = { "state", "class", "n", NULL };
	static const char *const n_cur[] = { "name", "position", "last_run",
	    "last_ok", "error", NULL };
	static const char *const n_quota[] = { "limit", "remaining",
	    "reset_at", "blocked", NULL };
	static const char *const n_tok[] = { "name", "expires_at", "valid",
	    NULL };
	struct db_rows	*r = NULL;
	int64_t		 ready = 0, per_hour = 0;
	size_t		 i;
	char		 eta[64];

	/* Not done jobs, exactly, from the (state, error_class) index;
	 * done ones only for the last day (the table grows forever). */
	if (sel(u, "SELECT state, error_class, COUNT(*) FROM jobs WHERE "
	    "state IN ('ready', 'running', 'held', 'dead') GROUP BY state, "
	    "error_class ORDER BY state, error_class", DB_NOPARAMS, &r) == -1)
		return;
	for (i = 0; i < r->nrows; i++)
		if (strcmp(db_rows_get(r, i, 0), "ready") == 0)
			ready += db_rows_i64(r, i, 2, 0);
	put_rows(u, "jobs", r, n_jobs);
	db_rows_free(r);
	if (sel(u, "SELECT COUNT(*), SUM(updated_at > NOW(6) - INTERVAL 1 "
	    "HOUR) FROM jobs WHERE state = 'done' AND updated_at > NOW(6) - "
	    "INTERVAL 1 DAY", DB_NOPARAMS, &r) == -1)
		return;
	ui_set(u, "done_24h", db_rows_get(r, 0, 0));
	per_hour = db_rows_i64(r, 0, 1, 0);
	db_rows_free(r);
	if (ready == 0)
		(void)snprintf(eta, sizeof(eta), "queue empty");
	else if (per_hour == 0)
		(void)snprintf(eta, sizeof(eta), "%lld ready; nothing done in "
		    "the last hour", (long long)ready);
	else
		(void)snprintf(eta, sizeof(eta), "%lld ready, about %lld min "
		    "at the last hour's pace", (long long)ready,
		    (long long)((ready * 60 + per_hour - 1) / per_hour));
	ui_set(u, "eta", eta);
	/* The failing outcomes, named, so that (outcome, at) ranges count
	 * only failures however busy the day was. */
	if (sel(u, "SELECT COUNT(*) FROM audit WHERE outcome IN ('failed', "
	    "'mapping', 'data', 'auth', 'rate', 'transient') AND at > NOW(6) "
	    "- INTERVAL 1 DAY", DB_NOPARAMS, &r) == -1)
		return;
	ui_set(u, "errors_24h", db_rows_get(r, 0, 0));
	db_rows_free(r);
	if (sel(u, "SELECT name, position, last_run_at, last_ok_at, "
	    "LEFT(last_error, 200) FROM cursors ORDER BY name", DB_NOPARAMS,
	    &r) == -1)
		return;
	put_rows(u, "cursors", r, n_cur);
	db_rows_free(r);
	if (sel(u, "SELECT window_limit, remaining, IF(reset_ms > 0, "
	    "FROM_UNIXTIME(reset_ms / 1000), window_reset_at), "
	    "IF(blocked_until_ms > UNIX_TIMESTAMP(NOW(3)) * 1000, "
	    "FROM_UNIXTIME(blocked_until_ms / 1000), NULL) FROM quota",
	    DB_NOPARAMS, &r) == -1)
		return;
	put_rows(u, "quota", r, n_quota);
	db_rows_free(r);
	if (sel(u, "SELECT name, expires_at, IF(expires_at > NOW(6), 'valid', "
	    "'expired') FROM tokens ORDER BY name", DB_NOPARAMS, &r) == -1)
		return;
	put_rows(u, "tokens", r, n_tok);
	db_rows_free(r);
	ui_render(u, 200, "dashboard", "Dashboard");
}

void
ui_cursor_reset(struct ui *u)
{
	const char	*name = form_get(&u->f, "name");
	const char	*pos = form_get(&u->f, "position");
	uint64_t	 n = 0;
	enum core_err	 rc;
	struct audit_rec a;
	char		 who[96];

	if (name == NULL || strlen(name) > 64) {
		ui_fail(u, 400, "No such cursor.");
		return;
	}
	if (pos != NULL && (*pos == '\0' || strlen(pos) > 191))
		pos = NULL;
	rc = cursor_reset(u->db, name, pos);
	n = rc == CORE_OK ? 1 : 0;
	if (rc == CORE_ENOTFOUND)
		rc = CORE_OK;
	if (rc == CORE_EINPUT) {
		ui_fail(u, 400, "A position is a UTC time such as "
		    "2025-01-31T10:00:00Z.");
		return;
	}
	if (rc != CORE_OK) {
		ui_fail(u, 503, "The cursor could not be reset.");
		return;
	}
	if (n == 0) {
		ui_fail(u, 404, "No such cursor.");
		return;
	}
	(void)snprintf(who, sizeof(who), "ui:%s", u->s.user.name);
	memset(&a, 0, sizeof(a));
	a.trigger = who;
	a.action = "cursor.reset";
	a.request = name;
	a.response = pos;
	a.duration_ms = -1;
	a.outcome = "ok";
	(void)audit_add(u->db, &a);
	log_info("user %s reset cursor %s", u->s.user.name, name);
	ui_redirect(u, "/admin/?ok=reset");
}

/* ---- orders ------------------------------------------------------- */

#define ORDER_COLS "d.id, d.doc_id, d.order_number, d.customer_name, " \
	"d.customer_email, d.fetched_at, j.state, j.error_class, l.x3_id"
#define ORDER_JOINS "LEFT JOIN jobs j ON j.kind = 'ss.order' AND " \
	"j.job_key = d.doc_id LEFT JOIN links l ON l.entity = 'order' AND " \
	"l.ss_id = d.doc_id"

/* The search by number pages in (order_number, id) order: the next
 * page starts after the last row's pair. */
static void
next_number_page(struct ui *u, struct db_rows *rows)
{
	if (rows->nrows > UI_PAGE_ROWS) {
		ui_set(u, "next_after", db_rows_get(rows, UI_PAGE_ROWS - 1, 2));
		ui_set(u, "next_aid", db_rows_get(rows, UI_PAGE_ROWS - 1, 0));
		rows->nrows = UI_PAGE_ROWS;
	}
}

void
ui_orders(struct ui *u)
{
	static const char *const names[] = { "id", "ss_id", "number",
	    "customer", "email", "fetched", "state", "class", "x3", NULL };
	const char	*q = form_get(&u->q, "q"), *by = form_get(&u->q, "by");
	const char	*st = form_get(&u->q, "state");
	const char	*before = form_get(&u->q, "before");
	const char	*after = form_get(&u->q, "after");
	const char	*aid = form_get(&u->q, "aid");
	struct db_rows	*r = NULL;
	char		 like[256];
	int64_t		 bid = INT64_MAX, aidv = 0;
	int		 rc;

	if (q != NULL && *q == '\0')
		q = NULL;
	if (st != NULL && !in_list(st, states))
		st = NULL;
	if (before != NULL && ui_id(before, &bid) == -1) {
		ui_fail(u, 400, "Bad page cursor.");
		return;
	}
	/* after and aid come together: the last (number, id) shown. */
	if ((after == NULL) != (aid == NULL) || (after != NULL &&
	    (strlen(after) > 64 || ui_id(aid, &aidv) == -1))) {
		ui_fail(u, 400, "Bad page cursor.");
		return;
	}
	if (by == NULL || strcmp(by, "customer") != 0)
		by = "number";
	if (q != NULL && (strlen(q) > 100 ||
	    ui_like_prefix(like, sizeof(like), q) == -1)) {
		ui_fail(u, 400, "The search text is too long.");
		return;
	}
	ui_set(u, "q", q);
	ui_set(u, "by", by);
	ui_set(u, "state", st);
	(void)json_object_set_new(u->ctx, strcmp(by, "customer") == 0 ?
	    "by_customer" : "by_number", json_true());
	/* A search by number pages in number order along its index; by
	 * customer, newest first, each prefix index giving at most a page
	 * of ids below the cursor; the plain and state lists page newest
	 * first by id. */
	if (q != NULL && strcmp(by, "number") == 0 && after == NULL)
		rc = sel(u, "SELECT " ORDER_COLS " FROM documents d FORCE "
		    "INDEX (documents_number) " ORDER_JOINS " WHERE d.system "
		    "= 'shipstation' AND d.doc_type = 'order' AND "
		    "d.order_number LIKE ? AND (? IS NULL OR j.state = ?) "
		    "ORDER BY d.order_number, d.id LIMIT 51",
		    DB_PARAMS(DB_STR(like), st ? DB_STR(st) : DB_NULL(),
		    st ? DB_STR(st) : DB_NULL()), &r);
	else if (q != NULL && strcmp(by, "number") == 0)
		rc = sel(u, "SELECT " ORDER_COLS " FROM documents d FORCE "
		    "INDEX (documents_number) " ORDER_JOINS " WHERE d.system "
		    "= 'shipstation' AND d.doc_type = 'order' AND "
		    "d.order_number LIKE ? AND (d.order_number > ? OR "
		    "(d.order_number = ? AND d.id > ?)) AND (? IS NULL OR "
		    "j.state = ?) ORDER BY d.order_number, d.id LIMIT 51",
		    DB_PARAMS(DB_STR(like), DB_STR(after), DB_STR(after),
		    DB_I64(aidv), st ? DB_STR(st) : DB_NULL(),
		    st ? DB_STR(st) : DB_NULL()), &r);
	else if (q != NULL)
		rc = sel(u, "SELECT " ORDER_COLS " FROM (SELECT id FROM "
		    "(SELECT d.id FROM documents d LEFT JOIN jobs j ON j.kind "
		    "= 'ss.order' AND j.job_key = d.doc_id WHERE d.system = "
		    "'shipstation' AND d.doc_type = 'order' AND "
		    "d.customer_email LIKE ? AND d.id < ? AND (? IS NULL OR "
		    "j.state = ?) ORDER BY d.id DESC LIMIT 51) e UNION SELECT "
		    "id FROM (SELECT d.id FROM documents d LEFT JOIN jobs j ON "
		    "j.kind = 'ss.order' AND j.job_key = d.doc_id WHERE "
		    "d.system = 'shipstation' AND d.doc_type = 'order' AND "
		    "d.customer_name LIKE ? AND d.id < ? AND (? IS NULL OR "
		    "j.state = ?) ORDER BY d.id DESC LIMIT 51) n) x JOIN "
		    "documents d ON d.id = x.id " ORDER_JOINS " ORDER BY d.id "
		    "DESC LIMIT 51", DB_PARAMS(DB_STR(like), DB_I64(bid),
		    st ? DB_STR(st) : DB_NULL(), st ? DB_STR(st) : DB_NULL(),
		    DB_STR(like), DB_I64(bid), st ? DB_STR(st) : DB_NULL(),
		    st ? DB_STR(st) : DB_NULL()), &r);
	else if (st != NULL)
		rc = sel(u, "SELECT " ORDER_COLS ", j.id FROM jobs j FORCE "
		    "INDEX (jobs_kind_state) JOIN "
		    "documents d ON d.system = 'shipstation' AND d.doc_type = "
		    "'order' AND d.doc_id = j.job_key LEFT JOIN links l ON "
		    "l.entity = 'order' AND l.ss_id = d.doc_id WHERE j.kind = "
		    "'ss.order' AND j.state = ? AND j.id < ? ORDER BY j.id DESC "
		    "LIMIT 51", DB_PARAMS(DB_STR(st), DB_I64(bid)), &r);
	else
		/* FORCE: with LIMIT the optimizer likes the primary key,
		 * which walks every newer shipment document first. */
		rc = sel(u, "SELECT " ORDER_COLS " FROM documents d FORCE "
		    "INDEX (documents_list) " ORDER_JOINS " WHERE d.system = "
		    "'shipstation' AND d.doc_type = 'order' AND d.id < ? ORDER "
		    "BY d.id DESC "
		    "LIMIT 51", DB_PARAMS(DB_I64(bid)), &r);
	if (rc == -1)
		return;
	if (q != NULL && strcmp(by, "number") == 0)
		next_number_page(u, r);
	else
		next_page(u, r, st != NULL && q == NULL ? 9 : 0);
	put_rows(u, "orders", r, names);
	db_rows_free(r);
	ui_render(u, 200, "orders", "Orders");
}

/* JSON text pretty-printed (kept as it is when not JSON). New. */
static json_t *
pretty(const char *text)
{
	json_t	*v, *out;
	char	*s = NULL;

	if (text == NULL)
		return json_null();
	if ((v = json_loads(text, JSON_DECODE_ANY, NULL)) != NULL)
		s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY);
	json_decref(v);
	out = json_string(s != NULL ? s : text);
	free(s);
	return out != NULL ? out : json_null();
}

static void
set_pretty(struct ui *u, const char *key, const char *text)
{
	(void)json_object_set_new(u->ctx, key, pretty(text));
}

/* The order's job id, 0 when it has none; -1 after a failed query. */
static int64_t
order_job(struct ui *u, const char *ss_id)
{
	static const char *const names[] = { "id", "state", "class", "error",
	    "attempts", "max_attempts", "next_attempt", "updated", NULL };
	struct db_rows	*r = NULL;
	int64_t		 id = 0;
	json_t		*a;

	if (sel(u, "SELECT id, state, error_class, last_error, attempts, "
	    "max_attempts, next_attempt_at, updated_at FROM jobs WHERE kind = "
	    "'ss.order' AND job_key = ?", DB_PARAMS(DB_STR(ss_id)), &r) == -1)
		return -1;
	if (r->nrows > 0) {
		id = db_rows_i64(r, 0, 0, 0);
		a = ui_rows(r, names);
		(void)json_object_set(u->ctx, "job", json_array_get(a, 0));
		json_decref(a);
	}
	db_rows_free(r);
	return id;
}

void
ui_order(struct ui *u)
{
	static const char *const n_ship[] = { "ss_id", "tracking", "carrier",
	    "ship_date", "x3", NULL };
	static const char *const n_aud[] = { "at", "trigger", "action",
	    "target", "outcome", "status", "ms", "request", "response", NULL };
	const char	*id = form_get(&u->q, "id");
	struct db_rows	*r = NULL;
	int64_t		 job;
	size_t		 i;
	json_t		*a, *e;
	const char	*s;

	if (id == NULL || *id == '\0' || strlen(id) > 64) {
		ui_fail(u, 400, "Which order? (id)");
		return;
	}
	if (sel(u, "SELECT d.doc_id, d.order_number, d.body, d.fetched_at, "
	    "d.customer_name, l.x3_id, l.state FROM documents d LEFT JOIN "
	    "links l ON l.entity = 'order' AND l.ss_id = d.doc_id WHERE "
	    "d.system = 'shipstation' AND d.doc_type = 'order' AND d.doc_id = "
	    "?", DB_PARAMS(DB_STR(id)), &r) == -1)
		return;
	if (r->nrows == 0) {
		db_rows_free(r);
		ui_fail(u, 404, "No such order.");
		return;
	}
	ui_set(u, "ss_id", db_rows_get(r, 0, 0));
	ui_set(u, "number", db_rows_get(r, 0, 1));
	set_pretty(u, "source", db_rows_get(r, 0, 2));
	ui_set(u, "fetched", db_rows_get(r, 0, 3));
	ui_set(u, "customer", db_rows_get(r, 0, 4));
	ui_set(u, "x3_order", db_rows_get(r, 0, 5));
	ui_set(u, "link_state", db_rows_get(r, 0, 6));
	db_rows_free(r);
	if ((job = order_job(u, id)) == -1)
		return;
	if (sel(u, "SELECT s.doc_id, JSON_VALUE(s.body, '$.trackingNumber'), "
	    "JSON_VALUE(s.body, '$.carrierCode'), JSON_VALUE(s.body, "
	    "'$.shipDate'), l.x3_id FROM documents s LEFT JOIN links l ON "
	    "l.entity = 'shipment' AND l.ss_id = s.doc_id WHERE s.system = "
	    "'shipstation' AND s.doc_type = 'shipment' AND s.ss_order_id = ? "
	    "ORDER BY s.id LIMIT 100", DB_PARAMS(DB_STR(id)), &r) == -1)
		return;
	put_rows(u, "shipments", r, n_ship);
	db_rows_free(r);
	if (job > 0) {
		if (sel(u, "SELECT at, trigger_by, action, target, outcome, "
		    "http_status, duration_ms, request, response FROM audit "
		    "WHERE job_id = ? ORDER BY at, id LIMIT 200",
		    DB_PARAMS(DB_I64(job)), &r) == -1)
			return;
		/* The X3 payload: the last create request sent. */
		for (i = r->nrows; i > 0; i--)
			if (strcmp(db_rows_get(r, i - 1, 2),
			    "x3.salesOrder.create") == 0 &&
			    db_rows_get(r, i - 1, 7) != NULL) {
				set_pretty(u, "x3_payload",
				    db_rows_get(r, i - 1, 7));
				break;
			}
		a = ui_rows(r, n_aud);
		/* Bodies pretty-printed for their <pre>. */
		json_array_foreach(a, i, e) {
			if ((s = json_string_value(json_object_get(e,
			    "request"))) != NULL)
				(void)json_object_set_new(e, "request",
				    pretty(s));
			if ((s = json_string_value(json_object_get(e,
			    "response"))) != NULL)
				(void)json_object_set_new(e, "response",
				    pretty(s));
		}
		(void)json_object_set_new(u->ctx, "audit", a);
		db_rows_free(r);
	}
	ui_render(u, 200, "order", "Order");
}

void
ui_order_preview(struct ui *u)
{
	const char	*id = form_get(&u->q, "id");
	struct jobrun_ctx ctx;
	char		*would = NULL, *before = NULL;
	enum core_err	 rc;
	int64_t		 job;

	if (id == NULL || *id == '\0' || strlen(id) > 64) {
		ui_fail(u, 400, "Which order? (id)");
		return;
	}
	if ((job = order_job(u, id)) == -1)
		return;
	if (job == 0) {
		ui_fail(u, 404, "This order has no sync job to replay.");
		return;
	}
	ui_set(u, "ss_id", id);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = u->r->cfg;
	ctx.db = u->db;
	ctx.x3 = ui_x3(u);
	if ((rc = replay_preview(&ctx, job, &would, &before)) != CORE_OK) {
		log_warnx("replay preview of job %lld: %s", (long long)job,
		    core_strerror(rc));
		ui_set(u, "preview_error", rc == CORE_EINPUT ? "This kind of "
		    "job has no preview." : "The preview could not be built "
		    "now.");
	}
	set_pretty(u, "would_send", would);
	set_pretty(u, "sent_before", before);
	free(would);
	free(before);
	ui_render(u, 200, "preview", "Replay preview");
}

/* Put one job back to ready, as the signed-in user (core/replay.c). */
static enum core_err
replay_one(struct ui *u, int64_t job)
{
	return replay_job(u->db, job, u->s.user.name);
}

void
ui_replay(struct ui *u)
{
	const char	*back = form_get(&u->f, "ss_id");
	int64_t		 job;
	enum core_err	 rc;
	char		 loc[512], esc[200];

	if (ui_id(form_get(&u->f, "job"), &job) == -1) {
		ui_fail(u, 400, "Which job? (job)");
		return;
	}
	if ((rc = replay_one(u, job)) == CORE_ENOTFOUND) {
		ui_fail(u, 404, "No such job.");
		return;
	}
	if (rc == CORE_EBUSY) {
		ui_fail(u, 409, "The job is running now: try again when it "
		    "is done.");
		return;
	}
	if (rc != CORE_OK) {
		ui_fail(u, 503, "The replay could not be recorded.");
		return;
	}
	log_info("user %s replayed job %lld", u->s.user.name,
	    (long long)job);
	if (back != NULL && strlen(back) <= 64 &&
	    tmpl_esc_url(esc, sizeof(esc), back) == 0)
		(void)snprintf(loc, sizeof(loc), "/admin/order?id=%s&ok="
		    "replayed", esc);
	else
		(void)snprintf(loc, sizeof(loc), "/admin/errors?ok=replayed");
	ui_redirect(u, loc);
}

/* ---- error queue -------------------------------------------------- */

/*
 * The error queue: held and dead jobs, newest first. One index range
 * per (state, class) pair of jobs_class, each already in id order and
 * cut at a page, merged: no sort of the whole queue.
 */
void
ui_errors(struct ui *u)
{
	static const char *const names[] = { "id", "kind", "key", "state",
	    "class", "attempts", "error", "updated", NULL };
	static const char *const qstates[] = { "held", "dead" };
	const char	*cls = form_get(&u->q, "class");
	const char	*before = form_get(&u->q, "before");
	struct db_rows	*r = NULL;
	struct db_val	 p[2 * 5 * 3];
	char		 sql[4096];
	size_t		 np = 0, i, k, len;
	int64_t		 bid = INT64_MAX, cnt;
	json_t		*cl;
	int		 n;

	if (cls != NULL && !in_list(cls, classes))
		cls = NULL;
	if (before != NULL && ui_id(before, &bid) == -1) {
		ui_fail(u, 400, "Bad page cursor.");
		return;
	}
	ui_set(u, "class", cls);
	/* Grouped in index order (state, class): no temporary table; the
	 * two states are added up here. */
	if (sel(u, "SELECT error_class, COUNT(*) FROM jobs WHERE state IN "
	    "('held', 'dead') AND error_class <> 'none' GROUP BY state, "
	    "error_class", DB_NOPARAMS, &r) == -1)
		return;
	if ((cl = json_array()) == NULL) {
		db_rows_free(r);
		ui_fail(u, 500, "Out of memory.");
		return;
	}
	for (k = 0; classes[k] != NULL; k++) {
		for (i = 0, cnt = 0; i < r->nrows; i++)
			if (strcmp(db_rows_get(r, i, 0), classes[k]) == 0)
				cnt += db_rows_i64(r, i, 1, 0);
		if (cnt > 0)
			(void)json_array_append_new(cl, json_pack("{s:s, s:I}",
			    "class", classes[k], "n", (json_int_t)cnt));
	}
	(void)json_object_set_new(u->ctx, "classes", cl);
	db_rows_free(r);
	/* A join, not "id IN (...)": MariaDB turns that into a semi-join
	 * that scans the table (seconds at 200,000 jobs). */
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT j.id, j.kind, "
	    "j.job_key, j.state, j.error_class, j.attempts, "
	    "LEFT(j.last_error, 300), j.updated_at FROM (");
	for (i = 0; i < 2; i++)
		for (k = 0; classes[k] != NULL; k++) {
			if (cls != NULL && strcmp(cls, classes[k]) != 0)
				continue;
			n = snprintf(sql + len, sizeof(sql) - len, "%sSELECT id "
			    "FROM (SELECT id FROM jobs WHERE state = ? AND "
			    "error_class = ? AND id < ? ORDER BY id DESC LIMIT "
			    "51) t%zu", np > 0 ? " UNION ALL " : "", np / 3);
			if (n < 0 || (size_t)n >= sizeof(sql) - len)
				goto toolong;
			len += (size_t)n;
			p[np++] = DB_STR(qstates[i]);
			p[np++] = DB_STR(classes[k]);
			p[np++] = DB_I64(bid);
		}
	n = snprintf(sql + len, sizeof(sql) - len, ") x JOIN jobs j ON j.id = "
	    "x.id ORDER BY j.id DESC LIMIT 51");
	if (n < 0 || (size_t)n >= sizeof(sql) - len)
		goto toolong;
	if (sel(u, sql, p, np, &r) == -1)
		return;
	next_page(u, r, 0);
	put_rows(u, "errors", r, names);
	db_rows_free(r);
	ui_render(u, 200, "errors", "Error queue");
	return;
toolong:
	ui_fail(u, 500, "Query text too long.");
}

void
ui_errors_replay(struct ui *u)
{
	const char	*cls = form_get(&u->f, "class");
	uint64_t	 k;
	int64_t		 job;
	size_t		 i, n = 0, bad = 0;

	if (form_get(&u->f, "all") != NULL) {
		/* Every dead or held job of one class (or of each), bounded. */
		if (cls != NULL && *cls != '\0' && !in_list(cls, classes)) {
			ui_fail(u, 400, "No such error class.");
			return;
		}
		for (i = 0; classes[i] != NULL; i++) {
			if (cls != NULL && *cls != '\0' && strcmp(cls,
			    classes[i]) != 0)
				continue;
			k = 0;
			if (replay_class(u->db, classes[i], NULL,
			    u->s.user.name, UI_BULK_MAX, &k) != CORE_OK) {
				ui_fail(u, 503, "The replay could not be "
				    "recorded.");
				return;
			}
			n += (size_t)k;
		}
	} else {
		for (i = 0; i < u->f.n && n + bad < UI_BULK_MAX; i++) {
			if (strcmp(u->f.kv[i].k, "job") != 0)
				continue;
			if (ui_id(u->f.kv[i].v, &job) == -1) {
				ui_fail(u, 400, "A job id is malformed; "
				    "nothing was replayed after it.");
				return;
			}
			if (replay_one(u, job) == CORE_OK)
				n++;
			else
				bad++;
		}
		if (n + bad == 0) {
			ui_fail(u, 400, "Select at least one job.");
			return;
		}
	}
	log_info("user %s bulk-replayed %zu jobs", u->s.user.name, n);
	ui_redirect(u, "/admin/errors?ok=bulk");
}
