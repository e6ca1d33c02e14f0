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
	int		 prefix;	/* match path as a prefix */
	unsigned int	 methods;	/* MB(M_GET) | ... */
	handler_fn	 fn;
};

static const struct route routes[] = {
	{ "/healthz", 0, MB(M_GET) | MB(M_HEAD), health_get },
	{ "/metrics", 0, MB(M_GET), metrics_get },
	{ HOOK_V1_PREFIX, 1, MB(M_POST), hook_v1 },
	{ HOOK_V2_PATH, 0, MB(M_POST), hook_v2 },
	{ "/admin", 1, MB(M_GET) | MB(M_HEAD) | MB(M_POST), ui_dispatch },
};

static void	 route_once(struct req *);

static int
matches(const struct route *rt, const char *path)
{
	if (rt->prefix)
		return strncmp(rt->path, path, strlen(rt->path)) == 0;
	return strcmp(rt->path, path) == 0;
}

/* Count webhook answers (any route under /hooks/) for /metrics. */
static void
observe(const struct req *r)
{
	struct timespec	 ts;
	int64_t		 now;

	if (strncmp(r->path, "/hooks/", 7) != 0)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	metrics_webhook(strcmp(r->path, HOOK_V2_PATH) == 0, r->status,
	    now - r->t0_us);
}

void
router_dispatch(struct req *r)
{
	route_once(r);
	observe(r);
}

static void
route_once(struct req *r)
{
	char	 msg[128];
	size_t	 i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!matches(&routes[i], r->path))
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
