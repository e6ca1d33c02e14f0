/*
 * tmpl.c: the admin UI's template renderer. Templates are HTML with
 * mustache-like tags; values come from a jansson object. Every value is
 * escaped for the context the template puts it in, decided when the
 * template is compiled:
 *
 *   {{a.b}}        value: HTML text, or a quoted attribute value, or,
 *                  inside href/src/action/formaction, percent-encoded
 *   {{#a}}..{{/a}} section: each element of an array, an object pushed,
 *                  or once for any other truthy value
 *   {{^a}}..{{/a}} inverted section: when a is missing or falsy
 *   {{>name}}      another template of the set
 *   {{&a}}         raw, unescaped: only for our own constant markup,
 *                  never for data from outside (see docs/ADMIN-UI.md)
 *   {{.}}          the current element
 *
 * A value in an unquoted attribute, inside a tag's name list, or inside
 * <script> or <style> is a compile error: there is no safe escape there.
 */
#ifndef ML_TMPL_H
#define ML_TMPL_H

#include <stddef.h>

#include "core.h"

/* Longest template file, and ceiling of one page's output. */
#define TMPL_FILE_MAX		(256 * 1024)
#define TMPL_OUT_MAX		(8 * 1024 * 1024)
/* Partials and sections nest at most this deep (loops in partials). */
#define TMPL_DEPTH_MAX		16

struct tmpl_set;

/* An empty set. New; free with tmpl_set_free(). NULL on ENOMEM. */
struct tmpl_set	*tmpl_set_new(void);
void		 tmpl_set_free(struct tmpl_set *);
/*
 * Compile text as template name into the set. On CORE_EINPUT err holds
 * "name:line: message".
 */
enum core_err	 tmpl_set_add(struct tmpl_set *, const char *name,
		    const char *text, char *err, size_t errsz);
/* Compile every *.html in dir (name = file name less .html). */
enum core_err	 tmpl_set_load_dir(struct tmpl_set *, const char *dir,
		    char *err, size_t errsz);
/*
 * Render template name with ctx (a JSON object; lent). On CORE_OK *out
 * is new (NUL-terminated, *len bytes); free it with free().
 */
enum core_err	 tmpl_render(const struct tmpl_set *, const char *name,
		    const struct json_t *ctx, char **out, size_t *len);

/* Escapers, exposed for tests and for headers built by hand. They
 * append to a buffer of at most sz bytes; -1 when it does not fit. */
int		 tmpl_esc_html(char *out, size_t sz, const char *s);
int		 tmpl_esc_url(char *out, size_t sz, const char *s);

#endif /* !ML_TMPL_H */
