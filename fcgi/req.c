/*
 * One FastCGI request: its parameters, its bounded body and its reply.
 * Parameters come from nginx or Apache and are untrusted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "core.h"
#include "app.h"

static const struct {
	const char	*name;
	enum http_method m;
} methods[] = {
	{ "GET", M_GET },
	{ "HEAD", M_HEAD },
	{ "POST", M_POST },
	{ "PUT", M_PUT },
	{ "DELETE", M_DELETE },
};

const char *
req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

/* Accept nginx's $request_id (32 hex digits) or make our own. */
static void
set_id(struct req *r)
{
	const char	*in = req_param(r, "REQUEST_ID");
	size_t		 i;

	if (in != NULL && strlen(in) == ML_REQID_LEN - 1) {
		for (i = 0; in[i] != '\0'; i++)
			if (!((in[i] >= '0' && in[i] <= '9') ||
			    (in[i] >= 'a' && in[i] <= 'f')))
				break;
		if (in[i] == '\0') {
			memcpy(r->id, in, ML_REQID_LEN);
			return;
		}
	}
	if (rnd_hex(r->id, (ML_REQID_LEN - 1) / 2) == -1)
		(void)snprintf(r->id, sizeof(r->id), "norandom");
}

/*
 * Parse CONTENT_LENGTH strictly: digits only, no sign, no overflow.
 * 1 and *out when present, 0 when absent or empty, -1 when invalid.
 */
int
req_parse_clen(const char *s, size_t *out)
{
	unsigned long long	 v;
	char			*end;

	if (s == NULL || *s == '\0')
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 1;
}

/* Fill r from the FastCGI params. 0, or -1 when already answered. */
int
req_init(struct req *r, FCGX_Request *f, struct app *app)
{
	const char	*uri, *q;
	size_t		 i, plen;
	int		 cl;

	struct timespec	 ts;

	memset(r, 0, sizeof(*r));
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	r->t0_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	r->fcgi = f;
	r->app = app;
	r->cfg = app->cfg;
	set_id(r);
	log_set_id(r->id);

	r->method_name = req_param(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "";
	r->method = M_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, r->method_name) == 0)
			r->method = methods[i].m;
	if ((uri = req_param(r, "REQUEST_URI")) == NULL || uri[0] != '/')
		uri = "/";
	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if ((r->path = strndup(uri, plen)) == NULL) {
		req_error(r, 500, "internal", "out of memory");
		return -1;
	}
	r->query = q != NULL ? q + 1 : "";
	r->ctype = req_param(r, "CONTENT_TYPE");

	if ((cl = req_parse_clen(req_param(r, "CONTENT_LENGTH"),
	    &r->clen)) == -1) {
		req_error(r, 400, "bad_request", "invalid Content-Length");
		return -1;
	}
	r->has_clen = cl;
	/* The limit is checked before a single body byte is read. */
	if (r->clen > r->cfg->fcgi.max_body) {
		req_error(r, 413, "body_too_large",
		    "request body exceeds the configured limit");
		return -1;
	}
	return 0;
}

/* Read exactly CONTENT_LENGTH bytes. 0, or -1 when already answered. */
int
req_read_body(struct req *r)
{
	int	 n;

	if (r->body != NULL)
		return 0;
	if ((r->body = malloc(r->clen + 1)) == NULL) {
		req_error(r, 500, "internal", "out of memory");
		return -1;
	}
	r->bodylen = 0;
	while (r->bodylen < r->clen) {
		n = FCGX_GetStr(r->body + r->bodylen,
		    (int)(r->clen - r->bodylen > 65536 ? 65536 :
		    r->clen - r->bodylen), r->fcgi->in);
		if (n <= 0)
			break;
		r->bodylen += (size_t)n;
	}
	r->body[r->bodylen] = '\0';
	if (r->bodylen != r->clen) {
		req_error(r, 400, "bad_request", "request body shorter than "
		    "Content-Length");
		return -1;
	}
	return 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
req_reply(struct req *r, int status, const char *ctype, const char *body,
    size_t len)
{
	req_reply_ext(r, status, ctype, NULL, body, len);
}

void
req_reply_ext(struct req *r, int status, const char *ctype,
    const char *extra, const char *body, size_t len)
{
	FCGX_Stream	*out = r->fcgi->out;
	char		 head[2048];
	int		 n;

	r->status = status;
	/* snprintf, not FCGX_FPrintF: libfcgi's own printf lacks %zu. */
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Content-Type: %s\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\nX-Request-Id: %s\r\n"
	    "%sContent-Length: %zu\r\n\r\n", status, http_reason(status),
	    ctype, r->id, extra != NULL ? extra : "", len);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		log_warnx("reply header too long");
		return;
	}
	if (FCGX_PutStr(head, n, out) < 0 || (len > 0 &&
	    r->method != M_HEAD && FCGX_PutStr(body, (int)len, out) < 0))
		log_warnx("client went away before the reply was sent");
}

void
req_reply_json(struct req *r, int status, const char *json)
{
	req_reply(r, status, "application/json", json, strlen(json));
}

/* Reply with {"error": {status, code, message, request_id}}, escaped. */
void
req_error(struct req *r, int status, const char *code, const char *message)
{
	json_t	*o;
	char	*s = NULL;

	o = json_pack("{s:{s:i, s:s, s:s, s:s}}", "error", "status", status,
	    "code", code, "message", message, "request_id", r->id);
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		req_reply_json(r, status, "{\"error\":{\"code\":\"internal\"}}");
	else
		req_reply_json(r, status, s);
	free(s);
}

void
req_free(struct req *r)
{
	free(r->path);
	free(r->body);
	r->path = NULL;
	r->body = NULL;
}
