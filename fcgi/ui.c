/*
 * The admin UI under /admin: routing, sign-in and sessions, CSRF, roles
 * and rendering (docs/ADMIN-UI.md). Each request is checked in this
 * order before a page handler runs: known page and method, query and
 * body decoded (urlencoded only, within fcgi.max_body), a live session
 * (else the sign-in page), the CSRF token of every POST, the role.
 *
 * Every answer carries a Content-Security-Policy of default-src 'self'
 * (no inline script or style can run, no outside asset loads) and
 * refuses framing; the session cookie is HttpOnly, SameSite=Strict and
 * Secure when nginx says the request came over https.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core.h"
#include "tmpl.h"
#include "app.h"
#include "ui.h"

#define SID_COOKIE	"mlsid"		/* the session */
#define PRE_COOKIE	"mlpre"		/* sign-in form's CSRF token */
#define CSS_MAX		(256 * 1024)

#define SEC_HEADERS \
	"Content-Security-Policy: default-src 'self'; frame-ancestors " \
	"'none'; form-action 'self'; base-uri 'none'\r\n" \
	"X-Frame-Options: DENY\r\nReferrer-Policy: same-origin\r\n"

#define MB(m)	(1u << (m))

struct page {
	const char	*path;
	unsigned int	 methods;
	int		 open;		/* no session needed */
	enum user_role	 post_role;	/* least role that may POST */
	ui_page_fn	 fn;
};

static void	 login(struct ui *);
static void	 logout(struct ui *);
static void	 css(struct ui *);

static const struct page pages[] = {
	{ "/admin/login", MB(M_GET) | MB(M_POST), 1, USER_VIEWER, login },
	{ "/admin/logout", MB(M_POST), 0, USER_VIEWER, logout },
	{ "/admin/static/style.css", MB(M_GET) | MB(M_HEAD), 1, USER_VIEWER,
	    css },
	{ "/admin", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER, ui_dashboard },
	{ "/admin/", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER, ui_dashboard },
	{ "/admin/cursors/reset", MB(M_POST), 0, USER_OPERATOR,
	    ui_cursor_reset },
	{ "/admin/orders", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER,
	    ui_orders },
	{ "/admin/order", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER, ui_order },
	{ "/admin/order/preview", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER,
	    ui_order_preview },
	{ "/admin/replay", MB(M_POST), 0, USER_OPERATOR, ui_replay },
	{ "/admin/errors", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER,
	    ui_errors },
	{ "/admin/errors/replay", MB(M_POST), 0, USER_OPERATOR,
	    ui_errors_replay },
	{ "/admin/maps", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER, ui_maps },
	{ "/admin/maps/save", MB(M_POST), 0, USER_OPERATOR, ui_maps_save },
	{ "/admin/maps/delete", MB(M_POST), 0, USER_OPERATOR,
	    ui_maps_delete },
	{ "/admin/maps/export", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER,
	    ui_maps_export },
	{ "/admin/maps/import", MB(M_POST), 0, USER_OPERATOR,
	    ui_maps_import },
	{ "/admin/reconcile", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER,
	    ui_reconcile },
	{ "/admin/status", MB(M_GET) | MB(M_HEAD), 0, USER_VIEWER,
	    ui_status },
	{ "/admin/status/ping", MB(M_POST), 0, USER_OPERATOR,
	    ui_status_ping },
	{ "/admin/users", MB(M_GET) | MB(M_HEAD), 0, USER_ADMIN, ui_users },
	{ "/admin/users/add", MB(M_POST), 0, USER_ADMIN, ui_users_add },
	{ "/admin/users/update", MB(M_POST), 0, USER_ADMIN,
	    ui_users_update },
};

/* Notices after a redirect: the query names one, the text is ours. */
static const struct {
	const char	*code;
	const char	*text;
} notices[] = {
	{ "replayed", "Queued for replay." },
	{ "bulk", "The selected jobs are queued for replay." },
	{ "reset", "Cursor reset: the next poll starts from there." },
	{ "saved", "Mapping saved." },
	{ "deleted", "Mapping deleted." },
	{ "imported", "CSV imported." },
	{ "user", "User saved." },
	{ "out", "Signed out." },
	{ "expired", "Your session has expired: sign in again." },
};

/* Loaded once per process; read-only afterwards, so threads share. */
static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static struct tmpl_set	*tset;
static char		*css_text;
static size_t		 css_len;
static const struct cfg	*once_cfg;

static void
load_ui(void)
{
	char		 path[1024], err[512];
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if ((tset = tmpl_set_new()) == NULL)
		return;
	(void)snprintf(path, sizeof(path), "%s/templates", once_cfg->ui_dir);
	if (tmpl_set_load_dir(tset, path, err, sizeof(err)) != CORE_OK) {
		log_warnx("admin UI templates: %s", err);
		tmpl_set_free(tset);
		tset = NULL;
	}
	(void)snprintf(path, sizeof(path), "%s/static/style.css",
	    once_cfg->ui_dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size < CSS_MAX &&
	    (css_text = malloc((size_t)st.st_size + 1)) != NULL) {
		n = read(fd, css_text, (size_t)st.st_size);
		css_len = n > 0 ? (size_t)n : 0;
	}
	(void)close(fd);
}

void
ui_set(struct ui *u, const char *key, const char *val)
{
	(void)json_object_set_new(u->ctx, key, val != NULL ?
	    json_string(val) : json_null());
}

json_t *
ui_rows(const struct db_rows *rows, const char *const *names)
{
	json_t		*a, *o;
	const char	*v;
	size_t		 i, c;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < rows->nrows; i++) {
		if ((o = json_object()) == NULL)
			break;
		for (c = 0; c < rows->ncols && names[c] != NULL; c++) {
			v = db_rows_get(rows, i, c);
			/* Bytes that are not UTF-8 get no cell, not a crash. */
			(void)json_object_set_new(o, names[c], v != NULL ?
			    json_string(v) : json_null());
		}
		(void)json_array_append_new(a, o);
	}
	return a;
}

int
ui_id(const char *s, int64_t *out)
{
	long long	 v;
	char		*end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1)
		return -1;
	*out = v;
	return 0;
}

int
ui_like_prefix(char *out, size_t sz, const char *s)
{
	size_t	 o = 0;

	for (; *s != '\0'; s++) {
		if (o + 3 >= sz)
			return -1;
		if (*s == '%' || *s == '_' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
	return 0;
}

struct x3 *
ui_x3(struct ui *u)
{
	struct app	*a = u->r->app;

	if (!u->r->cfg->x3.enabled)
		return NULL;
	if (a->x3 == NULL && x3_new(&u->r->cfg->x3, u->db, &a->x3) !=
	    CORE_OK) {
		log_warnx("admin UI: cannot start the X3 client");
		a->x3 = NULL;
	}
	return a->x3;
}

static void
reply_page(struct ui *u, int status, const char *body, size_t len)
{
	char	 extra[1024];

	(void)snprintf(extra, sizeof(extra), "%s%s", SEC_HEADERS, u->hdrs);
	req_reply_ext(u->r, status, "text/html; charset=utf-8", extra, body,
	    len);
}

void
ui_render(struct ui *u, int status, const char *tmpl, const char *title)
{
	const char	*code;
	char		*out = NULL;
	size_t		 len, i;
	json_t		*me;
	enum core_err	 rc;

	if (tset == NULL) {
		req_error(u->r, 500, "internal", "admin UI templates not "
		    "loaded (see the log)");
		return;
	}
	ui_set(u, "title", title);
	ui_set(u, "instance", u->r->cfg->instance);
	if (u->authed) {
		me = json_pack("{s:s, s:s}", "name", u->s.user.name, "role",
		    user_role_name(u->s.user.role));
		(void)json_object_set_new(u->ctx, "me", me);
		ui_set(u, "csrf", u->s.csrf);
		(void)json_object_set_new(u->ctx, "can_operate",
		    json_boolean(u->s.user.role >= USER_OPERATOR));
		(void)json_object_set_new(u->ctx, "is_admin",
		    json_boolean(u->s.user.role >= USER_ADMIN));
	}
	if ((code = form_get(&u->q, "ok")) != NULL)
		for (i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
			if (strcmp(code, notices[i].code) == 0)
				ui_set(u, "notice", notices[i].text);
	rc = tmpl_render(tset, tmpl, u->ctx, &out, &len);
	if (rc != CORE_OK) {
		log_warnx("template %s: %s", tmpl, core_strerror(rc));
		req_error(u->r, 500, "internal", "page rendering failed");
		return;
	}
	reply_page(u, status, out, len);
	free(out);
}

void
ui_redirect(struct ui *u, const char *path)
{
	char	 extra[1024];

	(void)snprintf(extra, sizeof(extra), "%sLocation: %s\r\n%s",
	    SEC_HEADERS, path, u->hdrs);
	req_reply_ext(u->r, 303, "text/plain; charset=utf-8", extra, "", 0);
}

void
ui_fail(struct ui *u, int status, const char *msg)
{
	ui_set(u, "error", msg);
	ui_render(u, status, "error", http_reason(status));
}

static int
https(const struct ui *u)
{
	const char	*h = req_param(u->r, "HTTPS");

	return h != NULL && strcasecmp(h, "on") == 0;
}

/* Queue a Set-Cookie; max_age 0 deletes. */
static void
set_cookie(struct ui *u, const char *name, const char *val, int max_age)
{
	size_t	 n = strlen(u->hdrs);

	(void)snprintf(u->hdrs + n, sizeof(u->hdrs) - n, "Set-Cookie: %s=%s; "
	    "Path=" UI_PREFIX "; Max-Age=%d; HttpOnly; SameSite=Strict%s\r\n",
	    name, val, max_age, https(u) ? "; Secure" : "");
}

static int
cookie(const struct ui *u, const char *name, char *out, size_t sz)
{
	const char	*h = req_param(u->r, "HTTP_COOKIE");

	return h == NULL ? -1 : form_cookie(h, name, out, sz);
}

static void
css(struct ui *u)
{
	char	 extra[256];

	if (css_text == NULL) {
		req_error(u->r, 404, "not_found", "no style sheet");
		return;
	}
	/* Static: may be cached, unlike the pages. */
	(void)snprintf(extra, sizeof(extra), "%s", SEC_HEADERS);
	req_reply_ext(u->r, 200, "text/css; charset=utf-8", extra, css_text,
	    css_len);
}

static void
login_form(struct ui *u, int status, const char *error)
{
	char	 pre[SESS_ID_LEN + 1];

	/* Login CSRF: the form's token must match this cookie's. */
	if (rnd_hex(pre, SESS_ID_LEN / 2) == -1) {
		req_error(u->r, 500, "internal", "no randomness");
		return;
	}
	set_cookie(u, PRE_COOKIE, pre, 3600);
	ui_set(u, "pre", pre);
	ui_set(u, "error", error);
	ui_set(u, "username", form_get(&u->f, "username"));
	ui_render(u, status, "login", "Sign in");
}

static void
login(struct ui *u)
{
	const char	*name, *pw, *tok, *ip;
	char		 pre[SESS_ID_LEN + 1], old[SESS_ID_LEN + 1];
	char		 sid[SESS_ID_LEN + 1], csrf[SESS_ID_LEN + 1];
	struct user	 usr;
	enum user_login	 res;
	enum core_err	 rc;

	if (u->r->method != M_POST) {
		login_form(u, 200, NULL);
		return;
	}
	tok = form_get(&u->f, "pre");
	if (cookie(u, PRE_COOKIE, pre, sizeof(pre)) == -1 || tok == NULL ||
	    !sess_token_eq(tok, pre)) {
		login_form(u, 403, "The form expired or did not come from "
		    "this site: try again.");
		return;
	}
	name = form_get(&u->f, "username");
	pw = form_get(&u->f, "password");
	if ((ip = req_param(u->r, "REMOTE_ADDR")) == NULL || strlen(ip) > 45)
		ip = "unknown";
	if (name == NULL || pw == NULL) {
		login_form(u, 400, "Enter a user name and a password.");
		return;
	}
	if ((rc = user_login(u->db, name, pw, ip, &usr, &res)) != CORE_OK) {
		login_form(u, 503, "The database is not answering: try again "
		    "shortly.");
		return;
	}
	switch (res) {
	case USER_LOGIN_OK:
		break;
	case USER_LOGIN_LOCKED:
		log_info("sign-in refused: account locked");
		login_form(u, 429, "Too many failed attempts for this "
		    "account: try again in 15 minutes.");
		return;
	case USER_LOGIN_THROTTLED:
		log_info("sign-in refused: address %s throttled", ip);
		login_form(u, 429, "Too many failed attempts from your "
		    "address: try again in 15 minutes.");
		return;
	default:
		log_info("sign-in failed from %s", ip);
		login_form(u, 401, "Wrong user name or password.");
		return;
	}
	/* Rotate: whatever session id the browser had is dropped. */
	if (cookie(u, SID_COOKIE, old, sizeof(old)) == 0)
		(void)sess_end(u->db, old);
	if (sess_new(u->db, usr.id, ML_SESS_MAX_S, sid, csrf) != CORE_OK) {
		login_form(u, 503, "Could not start a session: try again.");
		return;
	}
	log_info("user %s signed in from %s", usr.name, ip);
	set_cookie(u, SID_COOKIE, sid, ML_SESS_MAX_S);
	set_cookie(u, PRE_COOKIE, "", 0);
	ui_redirect(u, "/admin/");
}

static void
logout(struct ui *u)
{
	char	 sid[SESS_ID_LEN + 1];

	if (cookie(u, SID_COOKIE, sid, sizeof(sid)) == 0)
		(void)sess_end(u->db, sid);
	set_cookie(u, SID_COOKIE, "", 0);
	log_info("user %s signed out", u->s.user.name);
	ui_redirect(u, "/admin/login?ok=out");
}

static const struct page *
find_page(const char *path)
{
	size_t	 i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].path, path) == 0)
			return &pages[i];
	return NULL;
}

static int
read_form(struct ui *u)
{
	const char	*ct = u->r->ctype;

	if (form_parse(&u->q, u->r->query, strlen(u->r->query)) == -1) {
		ui_fail(u, 400, "The address has a malformed query.");
		return -1;
	}
	if (u->r->method != M_POST)
		return 0;
	/* multipart only for the CSV file upload; every other form is
	 * urlencoded. */
	if (ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		if (strcmp(u->r->path, "/admin/maps/import") != 0) {
			ui_fail(u, 415, "Only the CSV import takes a file.");
			return -1;
		}
		if (req_read_body(u->r) == -1)
			return -1;
		if (form_multipart(&u->f, ct, u->r->body, u->r->bodylen,
		    UI_CSV_BYTES) == -1) {
			ui_fail(u, 400, "The upload is malformed (multipart "
			    "framing, more than one file, a file over "
			    "1 MiB, or not UTF-8 text).");
			return -1;
		}
		return 0;
	}
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0) {
		ui_fail(u, 415, "Forms are posted as "
		    "application/x-www-form-urlencoded.");
		return -1;
	}
	if (req_read_body(u->r) == -1)
		return -1;
	if (form_parse(&u->f, u->r->body, u->r->bodylen) == -1) {
		ui_fail(u, 400, "The form is malformed (bad encoding, a NUL "
		    "byte, invalid UTF-8 or too many fields).");
		return -1;
	}
	return 0;
}

static void
serve(struct ui *u)
{
	const struct page	*pg;
	const char		*tok;
	char			 sid[SESS_ID_LEN + 1];
	enum core_err		 rc;

	if ((pg = find_page(u->r->path)) == NULL) {
		ui_fail(u, 404, "No such page.");
		return;
	}
	if ((pg->methods & MB(u->r->method)) == 0) {
		ui_fail(u, 405, "Method not allowed here.");
		return;
	}
	if (read_form(u) == -1)
		return;
	if (pg->open) {
		pg->fn(u);
		return;
	}
	rc = cookie(u, SID_COOKIE, sid, sizeof(sid)) == 0 ?
	    sess_get(u->db, sid, ML_SESS_IDLE_S, &u->s) : CORE_ENOTFOUND;
	if (rc == CORE_ENOTFOUND) {
		/* A GET goes to the sign-in page; a POST changed nothing. */
		if (u->r->method == M_POST)
			ui_fail(u, 401, "Your session has expired: sign in "
			    "again. Nothing was changed.");
		else
			ui_redirect(u, "/admin/login");
		return;
	}
	if (rc != CORE_OK) {
		ui_fail(u, 503, "The database is not answering.");
		return;
	}
	u->authed = 1;
	if (u->r->method == M_POST) {
		tok = form_get(&u->f, "csrf");
		if (tok == NULL || !sess_token_eq(tok, u->s.csrf)) {
			log_warnx("user %s: POST %s without a valid CSRF token",
			    u->s.user.name, u->r->path);
			ui_fail(u, 403, "The form's security token does not "
			    "match your session. Nothing was changed.");
			return;
		}
	}
	if ((u->r->method == M_POST || pg->post_role == USER_ADMIN) &&
	    u->s.user.role < pg->post_role) {
		ui_fail(u, 403, "Your role may not do this.");
		return;
	}
	pg->fn(u);
}

void
ui_dispatch(struct req *r)
{
	struct ui	 u;

	once_cfg = r->cfg;
	(void)pthread_once(&once, load_ui);
	memset(&u, 0, sizeof(u));
	u.r = r;
	if (r->app->uidb == NULL && (r->app->uidb = db_new(&r->cfg->db)) ==
	    NULL) {
		req_error(r, 500, "internal", "out of memory");
		return;
	}
	u.db = r->app->uidb;
	if ((u.ctx = json_object()) == NULL) {
		req_error(r, 500, "internal", "out of memory");
		return;
	}
	serve(&u);
	json_decref(u.ctx);
	form_free(&u.q);
	form_free(&u.f);
}
