/*
 * GET /healthz: 200 when the database answers, 503 when it does not.
 * Load balancers and the test suite poll it; it must never block for
 * long, so a database in backoff answers 503 at once.
 */
#include "config.h"

#include <stdlib.h>

#include <jansson.h>

#include "core.h"
#include "app.h"

void
health_get(struct req *r)
{
	enum core_err	 rc;
	struct db	*db;
	json_t		*o;
	char		*s;
	int		 ok;

	db = dbpool_get(r->app->pool);
	rc = db_ping(db);
	ok = rc == CORE_OK;
	if (!ok)
		log_warnx("healthz: database: %s (%s)", core_strerror(rc),
		    db_error(db));
	dbpool_put(r->app->pool, db);
	o = json_pack("{s:s, s:s, s:s, s:s}", "status",
	    ok ? "ok" : "unavailable", "database", ok ? "ok" : "down",
	    "instance", r->cfg->instance, "request_id", r->id);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		req_error(r, 500, "internal", "out of memory");
		return;
	}
	json_decref(o);
	req_reply_json(r, ok ? 200 : 503, s);
	free(s);
}
