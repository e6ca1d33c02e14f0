/*
 * The audit trail: one row per thing a job did or tried (a call to X3
 * or ShipStation, a skip, a lookup), with what was sent and received.
 * Secrets never reach the table: a request or response that is JSON
 * has the value of every key that names a secret replaced before it is
 * stored (tokens travel in headers, which are never recorded anyway).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "core.h"
#include "audit.h"

#define AUDIT_REDACTED	"[redacted]"

/* Key names whose values are secrets, matched without case. */
static const char *const secret_keys[] = {
	"password", "passwd", "secret", "apiSecret", "api_secret",
	"token", "access_token", "refresh_token", "accessToken",
	"refreshToken", "authorization", "apiKey", "api_key",
	"client_secret", "clientSecret", NULL
};

int
audit_secret_key(const char *k)
{
	size_t	 i;

	for (i = 0; secret_keys[i] != NULL; i++)
		if (strcasecmp(k, secret_keys[i]) == 0)
			return 1;
	return 0;
}

/* Replace secret values in place, at any depth; 1 if anything changed. */
static int
scrub(json_t *v, int depth)
{
	const char	*k;
	json_t		*e;
	size_t		 i;
	int		 changed = 0;

	if (depth > 64)
		return 0;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			if (audit_secret_key(k) && !json_is_null(e)) {
				if (json_object_set_new(v, k,
				    json_string(AUDIT_REDACTED)) == 0)
					changed = 1;
			} else
				changed |= scrub(e, depth + 1);
		}
	} else if (json_is_array(v))
		json_array_foreach(v, i, e)
			changed |= scrub(e, depth + 1);
	return changed;
}

char *
audit_redact(const char *text)
{
	json_t	*v;
	char	*out;

	if (text == NULL)
		return NULL;
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	if (v == NULL || !scrub(v, 0)) {
		json_decref(v);
		return strdup(text);
	}
	out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY);
	json_decref(v);
	return out;
}

enum core_err
audit_add(struct db *db, const struct audit_rec *a)
{
	char		*req = NULL, *resp = NULL;
	enum core_err	 rc;

	if ((a->request != NULL && (req = audit_redact(a->request)) == NULL) ||
	    (a->response != NULL &&
	    (resp = audit_redact(a->response)) == NULL)) {
		free(req);
		return CORE_ENOMEM;
	}
	rc = db_exec(db, "INSERT INTO audit (job_id, event_id, trigger_by, "
	    "action, target, request, response, http_status, duration_ms, "
	    "outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DB_PARAMS(a->job_id > 0 ? DB_I64(a->job_id) : DB_NULL(),
	    a->event_id > 0 ? DB_I64(a->event_id) : DB_NULL(),
	    DB_STR(a->trigger != NULL ? a->trigger : "sync"),
	    DB_STR(a->action), DB_STR(a->target), DB_STR(req), DB_STR(resp),
	    a->http_status > 0 ? DB_I64(a->http_status) : DB_NULL(),
	    a->duration_ms >= 0 ? DB_I64(a->duration_ms) : DB_NULL(),
	    DB_STR(a->outcome)), NULL, NULL);
	if (rc != CORE_OK)
		log_warnx("audit %s: %s", a->action, db_error(db));
	free(req);
	free(resp);
	return rc;
}
