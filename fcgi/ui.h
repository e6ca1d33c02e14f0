/*
 * The admin UI's pages (ui*.c): what a page handler gets, and the
 * helpers they share. Private to fcgi/.
 */
#ifndef ML_FCGI_UI_H
#define ML_FCGI_UI_H

#include <jansson.h>

#include "user.h"
#include "sess.h"

#define UI_PREFIX	"/admin"
#define UI_PAGE_ROWS	50	/* rows per list page */
#define UI_CSV_ROWS	5000	/* rows per CSV import */
#define UI_CSV_BYTES	(1024 * 1024)	/* an uploaded CSV file */
#define UI_BULK_MAX	500	/* jobs per bulk replay */

/* One admin request: everything here dies with it. */
struct ui {
	struct req	*r;
	struct db	*db;		/* the thread's UI connection; lent */
	struct form	 q;		/* query string */
	struct form	 f;		/* POST body */
	struct sess	 s;		/* valid when authed */
	int		 authed;
	json_t		*ctx;		/* the page's template context */
	char		 hdrs[512];	/* extra headers: Set-Cookie */
};

typedef void	(*ui_page_fn)(struct ui *);

/* ui.c */
/* Render template tmpl with u->ctx (plus user, CSRF token, notices). */
void		 ui_render(struct ui *, int status, const char *tmpl,
		    const char *title);
/* 303 to a path under /admin we built (never from input). */
void		 ui_redirect(struct ui *, const char *path);
/* A page that says what went wrong, with status. */
void		 ui_fail(struct ui *, int status, const char *msg);
/* Rows as an array of objects named by the NULL-terminated names. */
json_t		*ui_rows(const struct db_rows *, const char *const *names);
/* Parse a decimal id in [1, INT64_MAX]. 0 or -1. */
int		 ui_id(const char *, int64_t *);
/* Set key of u->ctx to a new string (NULL: JSON null). */
void		 ui_set(struct ui *, const char *key, const char *val);
/* The X3 client for validation and ping, or NULL if none configured. */
struct x3	*ui_x3(struct ui *);
/* Escape LIKE's % _ and \ in s into out, adding a trailing %. 0/-1. */
int		 ui_like_prefix(char *out, size_t sz, const char *s);

/* uipages.c */
void		 ui_dashboard(struct ui *);
void		 ui_cursor_reset(struct ui *);
void		 ui_orders(struct ui *);
void		 ui_order(struct ui *);
void		 ui_order_preview(struct ui *);
void		 ui_replay(struct ui *);
void		 ui_errors(struct ui *);
void		 ui_errors_replay(struct ui *);

/* uimaps.c */
void		 ui_maps(struct ui *);
void		 ui_maps_save(struct ui *);
void		 ui_maps_delete(struct ui *);
void		 ui_maps_export(struct ui *);
void		 ui_maps_import(struct ui *);

/* uiadmin.c */
void		 ui_users(struct ui *);
void		 ui_users_add(struct ui *);
void		 ui_users_update(struct ui *);
void		 ui_status(struct ui *);
void		 ui_status_ping(struct ui *);
void		 ui_reconcile(struct ui *);

#endif /* !ML_FCGI_UI_H */
