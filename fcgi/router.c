/*
 * The route table: exact paths, each with the methods it accepts.
 * Later subsystems (webhooks, admin pages, metrics) add rows here.
 */
#include "config.h"

#include <stdio.h>

#include "core.h"
#include "app.h"

#define MB(m)	(1u << (m))

struct route {
	const char	*path;
	unsigned int	 methods;	/* MB(M_GET) | ... */
	handler_fn	 fn;
};

static const struct route routes[] = {
	{ "/healthz", MB(M_GET) | MB(M_HEAD), health_get },
};

void
router_dispatch(struct req *r)
{
	char	 msg[128];
	size_t	 i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, r->path) != 0)
			continue;
		if ((routes[i].methods & MB(r->method)) == 0) {
			req_error(r, 405, "method_not_allowed",
			    "method not allowed on this resource");
			return;
		}
		routes[i].fn(r);
		return;
	}
	(void)snprintf(msg, sizeof(msg), "no such resource");
	req_error(r, 404, "not_found", msg);
}
