/*
 * ml-connector.fcgi internals: one request, the router, the handlers.
 */
#ifndef ML_FCGI_APP_H
#define ML_FCGI_APP_H

struct FCGX_Request;

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
	struct db		*db;		/* lent; the worker's connection */
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
};

typedef void (*handler_fn)(struct req *);

/* req.c */
int		 req_init(struct req *, struct FCGX_Request *,
		    const struct cfg *, struct db *);
void		 req_free(struct req *);
const char	*req_param(const struct req *, const char *);
int		 req_read_body(struct req *);
void		 req_reply(struct req *, int status, const char *ctype,
		    const char *body, size_t len);
void		 req_reply_json(struct req *, int status, const char *json);
void		 req_error(struct req *, int status, const char *code,
		    const char *message);
const char	*http_reason(int status);

/* router.c */
void		 router_dispatch(struct req *);

/* health.c */
void		 health_get(struct req *);

/* worker.c */
int		 worker_run(int listen_fd, const struct cfg *);
void		 worker_stop(void);

#endif /* !ML_FCGI_APP_H */
