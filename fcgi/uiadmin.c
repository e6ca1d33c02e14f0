/*
 * Admin UI: users (admin only), connection status with ping, and the
 * reconciliation report (tables of sql/005_ship.sql, shown when there).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"
#include "ping.h"
#include "app.h"
#include "ui.h"

/* ---- users -------------------------------------------------------- */

static void
users_page(struct ui *u, int status)
{
	static const char *const names[] = { "id", "name", "role",
	    "disabled", "failed", "locked", "created", NULL };
	struct db_rows	*r = NULL;
	json_t		*a, *e;
	size_t		 i;

	if (db_select(u->db, "SELECT id, username, role, disabled, "
	    "failed_logins, IF(locked_until > NOW(6), locked_until, NULL), "
	    "created_at FROM users ORDER BY username LIMIT 500", DB_NOPARAMS,
	    &r) != CORE_OK) {
		ui_fail(u, 503, "The database did not answer.");
		return;
	}
	a = ui_rows(r, names);
	db_rows_free(r);
	json_array_foreach(a, i, e) {
		const char *role = json_string_value(json_object_get(e,
		    "role"));

		(void)json_object_set_new(e, "is_disabled", json_boolean(
		    strcmp(json_string_value(json_object_get(e, "disabled")),
		    "0") != 0));
		(void)json_object_set_new(e, "r_admin", json_boolean(role &&
		    strcmp(role, "admin") == 0));
		(void)json_object_set_new(e, "r_operator", json_boolean(role &&
		    strcmp(role, "operator") == 0));
		(void)json_object_set_new(e, "r_viewer", json_boolean(role &&
		    strcmp(role, "viewer") == 0));
	}
	(void)json_object_set_new(u->ctx, "users", a);
	ui_set(u, "new_name", form_get(&u->f, "username"));
	ui_render(u, status, "users", "Users");
}

void
ui_users(struct ui *u)
{
	users_page(u, 200);
}

static void
user_error(struct ui *u, const char *msg)
{
	ui_set(u, "error", msg);
	users_page(u, 422);
}

void
ui_users_add(struct ui *u)
{
	const char	*name = form_get(&u->f, "username");
	const char	*pw = form_get(&u->f, "password");
	enum user_role	 role;
	enum core_err	 rc;

	if (name == NULL || !user_valid_name(name)) {
		user_error(u, "A user name is 1 to 56 of A-Z a-z 0-9 . _ @ -.");
		return;
	}
	if (pw == NULL || !user_valid_password(pw)) {
		user_error(u, "A password has 10 to 1024 characters.");
		return;
	}
	if (user_role_parse(form_get(&u->f, "role"), &role) == -1) {
		user_error(u, "Pick a role.");
		return;
	}
	if ((rc = user_add(u->db, name, pw, role, NULL)) == CORE_EBUSY) {
		user_error(u, "That user name is taken.");
		return;
	}
	if (rc != CORE_OK) {
		ui_fail(u, 503, "The user could not be added.");
		return;
	}
	log_info("user %s added user %s as %s", u->s.user.name, name,
	    user_role_name(role));
	ui_redirect(u, "/admin/users?ok=user");
}

void
ui_users_update(struct ui *u)
{
	const char	*op = form_get(&u->f, "op");
	const char	*pw = form_get(&u->f, "password");
	enum user_role	 role;
	enum core_err	 rc;
	int64_t		 id;

	if (ui_id(form_get(&u->f, "id"), &id) == -1 || op == NULL) {
		ui_fail(u, 400, "Which user, and what? (id, op)");
		return;
	}
	if (id == u->s.user.id && strcmp(op, "password") != 0) {
		/* The last admin must not lock everyone out by a click. */
		user_error(u, "Change your own role or access from another "
		    "admin account.");
		return;
	}
	if (strcmp(op, "disable") == 0 || strcmp(op, "enable") == 0)
		rc = user_set_disabled(u->db, id, op[0] == 'd');
	else if (strcmp(op, "role") == 0) {
		if (user_role_parse(form_get(&u->f, "role"), &role) == -1) {
			user_error(u, "Pick a role.");
			return;
		}
		rc = user_set_role(u->db, id, role);
	} else if (strcmp(op, "password") == 0) {
		if (pw == NULL || !user_valid_password(pw)) {
			user_error(u, "A password has 10 to 1024 characters.");
			return;
		}
		rc = user_set_password(u->db, id, pw);
	} else {
		ui_fail(u, 400, "Unknown operation.");
		return;
	}
	if (rc == CORE_ENOTFOUND) {
		ui_fail(u, 404, "No such user.");
		return;
	}
	if (rc != CORE_OK) {
		ui_fail(u, 503, "The change could not be saved.");
		return;
	}
	log_info("user %s: %s on user id %lld", u->s.user.name, op,
	    (long long)id);
	ui_redirect(u, id == u->s.user.id ? "/admin/login?ok=out" :
	    "/admin/users?ok=user");
}

/* ---- connection status -------------------------------------------- */

static void
ping_line(void *arg, const char *tag, const char *text)
{
	json_t	*a = arg;

	(void)json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b}",
	    "tag", tag, "text", text, "bad", strcmp(tag, "FAIL") == 0,
	    "note", strcmp(tag, "fix") == 0 || strcmp(tag, "found") == 0));
}

static void
status_page(struct ui *u, json_t *lines)
{
	static const char *const n_tok[] = { "name", "expires_at", "valid",
	    "updated", NULL };
	static const char *const n_q[] = { "remaining", "limit", "reset_at",
	    "updated", NULL };
	struct db_rows	*r = NULL;

	if (db_select(u->db, "SELECT name, expires_at, IF(expires_at > "
	    "NOW(6), 'valid', 'expired'), updated_at FROM tokens ORDER BY "
	    "name", DB_NOPARAMS, &r) == CORE_OK) {
		(void)json_object_set_new(u->ctx, "tokens", ui_rows(r, n_tok));
		db_rows_free(r);
	}
	if (db_select(u->db, "SELECT remaining, window_limit, "
	    "window_reset_at, updated_at FROM quota", DB_NOPARAMS, &r) ==
	    CORE_OK) {
		(void)json_object_set_new(u->ctx, "quota", ui_rows(r, n_q));
		db_rows_free(r);
	}
	(void)json_object_set_new(u->ctx, "ss_configured",
	    json_boolean(u->r->cfg->ss.enabled));
	(void)json_object_set_new(u->ctx, "x3_configured",
	    json_boolean(u->r->cfg->x3.enabled));
	ui_set(u, "ss_url", u->r->cfg->ss.enabled ? u->r->cfg->ss.base_url :
	    NULL);
	ui_set(u, "x3_url", u->r->cfg->x3.enabled ? u->r->cfg->x3.base_url :
	    NULL);
	if (lines != NULL)
		(void)json_object_set_new(u->ctx, "lines", lines);
	ui_render(u, 200, "status", "Connections");
}

void
ui_status(struct ui *u)
{
	status_page(u, NULL);
}

/*
 * Ping from the page: the same checks as ml-connector-ctl ping. It
 * takes a ShipStation call and some X3 calls, hence POST and operator.
 */
void
ui_status_ping(struct ui *u)
{
	json_t	*lines;
	int	 failed, warned = 0;
	char	 sum[64];

	if ((lines = json_array()) == NULL) {
		ui_fail(u, 500, "Out of memory.");
		return;
	}
	failed = ping_run(u->r->cfg, u->db, ping_line, lines, &warned);
	(void)snprintf(sum, sizeof(sum), "%d failed, %d warnings", failed,
	    warned);
	ui_set(u, "summary", sum);
	(void)json_object_set_new(u->ctx, "ping_ok", json_boolean(failed ==
	    0));
	status_page(u, lines);
}

/* ---- reconciliation ----------------------------------------------- */

void
ui_reconcile(struct ui *u)
{
	static const char *const n_run[] = { "id", "trigger", "from", "to",
	    "started", "finished", "state", "shipments", "deliveries",
	    "missing", "extra", "mismatch", "repaired", "error", NULL };
	static const char *const n_item[] = { "kind", "ss_id", "ref", "x3",
	    "sku", "ss_qty", "x3_qty", "detail", "repaired", NULL };
	struct db_rows	*r = NULL;
	int64_t		 run = 0;

	/* The tables come with sql/005_ship.sql; without them, say so. */
	if (db_select(u->db, "SELECT COUNT(*) FROM information_schema.tables "
	    "WHERE table_schema = DATABASE() AND table_name = "
	    "'reconcile_runs'", DB_NOPARAMS, &r) != CORE_OK) {
		ui_fail(u, 503, "The database did not answer.");
		return;
	}
	if (db_rows_i64(r, 0, 0, 0) == 0) {
		db_rows_free(r);
		ui_set(u, "absent", "yes");
		ui_render(u, 200, "reconcile", "Reconciliation");
		return;
	}
	db_rows_free(r);
	if (ui_id(form_get(&u->q, "run"), &run) == -1)
		run = 0;
	if (db_select(u->db, "SELECT id, trigger_by, period_from, period_to, "
	    "started_at, finished_at, state, shipments, deliveries, missing, "
	    "extra, mismatch, repaired, error FROM reconcile_runs ORDER BY id "
	    "DESC LIMIT 20", DB_NOPARAMS, &r) != CORE_OK) {
		ui_fail(u, 503, "The database did not answer.");
		return;
	}
	if (run == 0 && r->nrows > 0)
		run = db_rows_i64(r, 0, 0, 0);
	(void)json_object_set_new(u->ctx, "runs", ui_rows(r, n_run));
	db_rows_free(r);
	if (run > 0) {
		if (db_select(u->db, "SELECT kind, ss_id, ref, x3_id, sku, "
		    "ss_qty, x3_qty, detail, repaired FROM reconcile_items "
		    "WHERE run_id = ? ORDER BY id LIMIT 500",
		    DB_PARAMS(DB_I64(run)), &r) != CORE_OK) {
			ui_fail(u, 503, "The database did not answer.");
			return;
		}
		(void)json_object_set_new(u->ctx, "items", ui_rows(r,
		    n_item));
		(void)json_object_set_new(u->ctx, "run",
		    json_integer(run));
		db_rows_free(r);
	}
	ui_render(u, 200, "reconcile", "Reconciliation");
}
