/*
 * Sage X3 stand-in (GraphQL at /xtrem/api, REST api1 at /api1/x3/erp/).
 * Minimal first cut so the sandbox links; the real one follows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sandbox.h"

struct x3_state {
	const struct sb_config	*cfg;	/* lent by the caller */
};

/* New; free with x3_free(). NULL on memory exhaustion. */
struct x3_state *
x3_new(const struct sb_config *cfg)
{
	struct x3_state	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->cfg = cfg;
	return x;
}

/* Free everything x3_new() made; accepts NULL. */
void
x3_free(struct x3_state *x)
{

	free(x);
}

/* Not yet X3's: nothing handled. */
int
x3_handle(struct x3_state *x, const struct sb_req *req, struct sb_resp *resp)
{

	(void)x;
	(void)req;
	(void)resp;
	return 0;
}

/* Back to the seed data. */
void
x3_reset(struct x3_state *x)
{

	(void)x;
}

/* The X3 state as JSON; new reference. */
json_t *
x3_dump(struct x3_state *x)
{

	(void)x;
	return json_object();
}

/* No control actions yet. */
int
x3_control(struct x3_state *x, const char *action, json_t *args,
    struct sb_resp *resp)
{

	(void)x;
	(void)action;
	(void)args;
	(void)resp;
	return 0;
}
