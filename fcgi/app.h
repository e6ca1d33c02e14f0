/*
 * ml-connector.fcgi internals: one request, the router, the handlers.
 */
#ifndef ML_FCGI_APP_H
#define ML_FCGI_APP_H

#include <time.h>

struct FCGX_Request;

#define HOOK_V1_PREFIX	"/hooks/shipstation/v1/"
#define HOOK_V2_PATH	"/hooks/shipstation/v2"

struct batcher;
struct dbpool;
struct fetcher;

/* What one request thread keeps between requests. */
struct app {
	const struct cfg	*cfg;
	struct db		*db;		/* fetcher only; else NULL */
	struct dbpool		*pool;		/* the process's connections */
	struct batcher		*batch;		/* the process's group commit */
	struct fetcher		*fetch;		/* the process's fetcher */
	struct ss		*ss;		/* NULL: no shipstation group */
	struct http		*http;		/* JWKS fetches */
	struct jwks		*jwks;		/* V2 signing keys, or NULL */
	time_t			 jwks_at;	/* last JWKS fetch attempt */
	int64_t			 quota_busy_until; /* clk ms: no call free before */
	struct db		*uidb;		/* admin UI's own, made on use */
	struct x3		*x3;		/* admin UI's X3 client, on use */
	char			 owner[96];	/* host:pid, for job leases */
};

enum http_method {
	M_GET,
	M_HEAD,
	M_POST,
	M_PUT,
	M_DELETE,
	M_OTHER,
	M__MAX
};

/* Everything one request owns; released by req_free() after the reply. */
struct req {
	struct FCGX_Request	*fcgi;
	const struct cfg	*cfg;		/* lent */
	struct app		*app;		/* lent; the thread's state */
	enum http_method	 method;
	const char		*method_name;	/* lent from the params */
	char			*path;		/* REQUEST_URI without query */
	const char		*query;		/* lent; may be "" */
	const char		*ctype;		/* lent; may be NULL */
	size_t			 clen;		/* CONTENT_LENGTH */
	int			 has_clen;
	char			*body;		/* NUL-terminated; NULL until read */
	size_t			 bodylen;
	char			 id[ML_REQID_LEN];
	int			 status;	/* sent status, for the access log */
	int64_t			 t0_us;		/* arrival, monotonic */
	int64_t			 after_event;	/* fetch this event after the reply */
};

typedef void (*handler_fn)(struct req *);

/* Decoded form fields (query string or urlencoded body). */
#define FORM_MAX_FIELDS	1024	/* bulk replay posts one per job */
struct form_kv {
	char		*k;
	char		*v;
};
struct form {
	struct form_kv	*kv;
	size_t		 n;
};

/* app.c */
int		 app_init(struct app *, const struct cfg *, int with_ss);
void		 app_free(struct app *);
enum core_err	 app_fetch_jwks(struct app *, struct jwks **);
void		 app_after_reply(struct app *, int64_t event_id);

/* batch.c */
struct batcher	*batch_start(const struct cfg *);
void		 batch_stop(struct batcher *);
enum core_err	 batch_store(struct batcher *, struct dbpool *,
		    const struct event_in *, int64_t *, int *);

/* dbpool.c */
struct dbpool	*dbpool_new(const struct cfg *);
void		 dbpool_free(struct dbpool *);
struct db	*dbpool_get(struct dbpool *);
void		 dbpool_put(struct dbpool *, struct db *);

/* fetch.c */
struct fetcher	*fetch_start(const struct cfg *);
void		 fetch_stop(struct fetcher *);
void		 fetch_post(struct fetcher *, int64_t event_id);

/* form.c */
/* Append the fields of s[0..len); -1 on malformed input or ENOMEM. */
int		 form_parse(struct form *, const char *, size_t);
/* The first value of k, lent; NULL when absent. */
const char	*form_get(const struct form *, const char *);
void		 form_free(struct form *);
/*
 * Append the parts of a multipart/form-data body (ctype is its
 * Content-Type, with the boundary): text fields and at most one file,
 * its content (at most file_max bytes of UTF-8 text) as the value of
 * its field name. -1 on malformed input or ENOMEM.
 */
int		 form_multipart(struct form *, const char *ctype,
		    const char *body, size_t len, size_t file_max);
/* Cookie name's value from a Cookie header into out. 0 or -1. */
int		 form_cookie(const char *, const char *, char *, size_t);

/* req.c */
int		 req_init(struct req *, struct FCGX_Request *, struct app *);
void		 req_free(struct req *);
const char	*req_param(const struct req *, const char *);
int		 req_parse_clen(const char *, size_t *);
int		 req_read_body(struct req *);
void		 req_reply(struct req *, int status, const char *ctype,
		    const char *body, size_t len);
void		 req_reply_json(struct req *, int status, const char *json);
/* req_reply with extra header lines, each ending in CRLF (or NULL). */
void		 req_reply_ext(struct req *, int status, const char *ctype,
		    const char *extra, const char *body, size_t len);
void		 req_error(struct req *, int status, const char *code,
		    const char *message);
const char	*http_reason(int status);

/* router.c */
void		 router_dispatch(struct req *);

/* ui.c: the admin UI under /admin (docs/ADMIN-UI.md) */
void		 ui_dispatch(struct req *);

/* health.c */
void		 health_get(struct req *);

/* metrics.c */
int		 metrics_init(void);
void		 metrics_webhook(int v2, int status, int64_t usec);
void		 metrics_get(struct req *);

/* hook.c */
void		 hook_v1(struct req *);
void		 hook_v2(struct req *);
#define HOOK_URL_MAX	1024	/* reference: resource_url <= 200 chars */
#define HOOK_TYPE_MAX	64	/* longest known type is 23 */
int		 hook_parse(const char *, size_t, const char *const *,
		    char *, size_t, char *, size_t, int *, char *, size_t);

/* worker.c */
int		 worker_run(int listen_fd, const struct cfg *);
void		 worker_stop(void);

#endif /* !ML_FCGI_APP_H */
