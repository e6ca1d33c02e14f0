/*
 * Webhook body validation, kept free of I/O so that the fuzz driver
 * (tests/fuzz/) can drive it directly.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core.h"
#include "jscan.h"
#include "app.h"

static int
known(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/*
 * Validate a webhook body: well-formed JSON exactly as jansson would
 * accept it (core/jscan.c, no tree built: a jansson parse was about a
 * quarter of the worker's CPU), at most ML_MAX_JSON_DEPTH deep, an
 * object with string resource_url and resource_type. On 0 their
 * decoded values are in type (typesz) and url (urlsz >= HOOK_URL_MAX
 * + 1). On -1, status and msg say why.
 */
int
hook_parse(const char *body, size_t len, const char *const *types,
    char *type, size_t typesz, char *url, size_t urlsz, int *status,
    char *msg, size_t msgsz)
{
	struct jscan_want	 w[2];
	struct jscan_err	 e;
	const struct jscan_want	*bad;
	size_t			 i;

	memset(w, 0, sizeof(w));
	w[0].key = "resource_url";
	w[0].buf = url;
	w[0].bufsz = urlsz;
	w[1].key = "resource_type";
	w[1].buf = type;
	w[1].bufsz = typesz;
	if (jscan_validate(body, len, ML_MAX_JSON_DEPTH, w, 2, &e) == -1) {
		if (e.code == JSCAN_E_NOMEM) {
			*status = 500;
			(void)snprintf(msg, msgsz, "out of memory");
		} else if (e.code == JSCAN_E_DEPTH) {
			*status = 400;
			(void)snprintf(msg, msgsz, "JSON nested deeper than %d",
			    ML_MAX_JSON_DEPTH);
		} else {
			*status = 400;
			(void)snprintf(msg, msgsz, "malformed JSON at line %d "
			    "column %d: %s", e.line, e.col,
			    jscan_strerror(e.code));
		}
		return -1;
	}
	/* Valid, so a '{' or '[' follows the whitespace within len. */
	for (i = 0; body[i] != '{' && body[i] != '['; i++)
		;
	if (body[i] != '{') {
		*status = 422;
		(void)snprintf(msg, msgsz, "body must be a JSON object");
		return -1;
	}
	/* Unknown extra keys are kept (V2 tracking events carry data). */
	bad = !w[0].is_string ? &w[0] : !w[1].is_string ? &w[1] : NULL;
	if (bad != NULL) {
		*status = 422;
		(void)snprintf(msg, msgsz, "resource_url and resource_type "
		    "must be strings: %s %s", bad->key, bad->found ?
		    "is not a string" : "is missing");
		return -1;
	}
	if (w[1].len >= typesz || !known(types, type)) {
		*status = 422;
		(void)snprintf(msg, msgsz, "unknown resource_type");
		return -1;
	}
	if (w[0].len > HOOK_URL_MAX || w[0].len >= urlsz || url[0] == '\0') {
		*status = 422;
		(void)snprintf(msg, msgsz, "resource_url is empty or too long");
		return -1;
	}
	return 0;
}
