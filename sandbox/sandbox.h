/*
 * ml-connector-sandbox: local stand-ins for ShipStation (V1, V2) and
 * Sage X3 (GraphQL, REST api1). This header is the contract between the
 * HTTP front and the ShipStation side (sandbox.c, http.c, ss*.c) and the
 * X3 side (x3*.c, gql.c, sdata.c).
 */
#ifndef ML_SANDBOX_H
#define ML_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SB_MAX_HEADERS	64

struct sb_header {
	char	*name;
	char	*value;
};

/* One parsed HTTP request; everything is owned by the HTTP front. */
struct sb_req {
	const char		*method;	/* "GET", "POST", ... */
	const char		*path;		/* raw path, no query */
	const char		*query;		/* raw query without '?'; "" if none */
	const struct sb_header	*headers;
	size_t			 nheaders;
	const char		*body;		/* NUL-terminated; "" if none */
	size_t			 bodylen;
};

/* The answer a handler builds; the HTTP front sends and frees it. */
struct sb_resp {
	int			 status;	/* 0: not handled */
	struct sb_header	 headers[SB_MAX_HEADERS];
	size_t			 nheaders;
	char			*body;		/* malloc'd, or NULL */
	size_t			 bodylen;
	int			 drop;		/* close without answering */
	unsigned int		 delay_ms;	/* wait before answering */
};

/* Credentials and knobs shared by both sides (from the command line). */
struct sb_config {
	/* ShipStation V1: Basic key:secret. V2: API-Key header. */
	const char	*ss_key;
	const char	*ss_secret;
	const char	*ss_v2_key;
	/* X3 connected application (GraphQL bearer JWT, HS256). */
	const char	*x3_endpoint;		/* x-xtrem-endpoint / api1 folder */
	const char	*x3_client_id;		/* iss */
	const char	*x3_secret;		/* HMAC key */
	const char	*x3_user;		/* sub */
	const char	*x3_audience;		/* aud; "" accepts "" only */
	int		 x3_token_validity;	/* seconds, default 300 */
	/* X3 REST api1 Basic auth. */
	const char	*x3_basic_user;
	const char	*x3_basic_password;
};

/* Case-insensitive header lookup; NULL when absent. */
const char	*sb_req_header(const struct sb_req *, const char *name);
/*
 * Look up a query parameter by case-insensitive name and URL-decode it
 * into out. 1 when found, 0 when absent, -1 when it does not fit.
 */
int		 sb_query_get(const char *query, const char *name, char *out,
		    size_t outsz);
/* Add a response header (copied). */
void		 sb_resp_header(struct sb_resp *, const char *name,
		    const char *value);
/* Set status and a JSON body; steals the reference to body. */
void		 sb_resp_json(struct sb_resp *, int status, json_t *body);
/* Set status and a body of the given content type (copied). */
void		 sb_resp_text(struct sb_resp *, int status, const char *ctype,
		    const char *text);

/*
 * The sandbox clock, in UTC milliseconds since the epoch. Tests may
 * accelerate it (a rate-limit minute in a second) or shift it; every
 * timestamp either side produces and every token check uses it.
 */
int64_t		 sb_now_ms(void);

/* X3 side -------------------------------------------------------------- */

struct x3_state;

/* New; free with x3_free(). cfg is lent and outlives the state. */
struct x3_state	*x3_new(const struct sb_config *cfg);
void		 x3_free(struct x3_state *);
/* Handle /xtrem/... and /api1/...; returns 1 when the path was X3's. */
int		 x3_handle(struct x3_state *, const struct sb_req *,
		    struct sb_resp *);
/* Forget everything (back to the seed master data). */
void		 x3_reset(struct x3_state *);
/* The whole X3 state as JSON for tests; new reference. */
json_t		*x3_dump(struct x3_state *);
/*
 * Sandbox-only control for X3: action is e.g. "lock", "unlock",
 * "expire_tokens", "seed"; args is the request's JSON body. Returns 1
 * when the action was X3's (and fills resp), 0 otherwise.
 */
int		 x3_control(struct x3_state *, const char *action,
		    json_t *args, struct sb_resp *);

#endif /* !ML_SANDBOX_H */
