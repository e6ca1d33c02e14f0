/*
 * The contract functions of sandbox.h that both sides call: request
 * header and query lookups and the response builders.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

const char *
sb_req_header(const struct sb_req *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode len bytes of application/x-www-form-urlencoded text into out
 * ('+' is a space). A malformed escape is kept as written; an escaped
 * NUL is refused. 0, or -1 when it does not fit or holds a NUL.
 */
static int
decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	 i, o = 0;
	int	 hi, lo;
	char	 c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			if (c == '\0')
				return -1;
			i += 2;
		}
		if (o + 1 >= outsz)
			return -1;
		out[o++] = c;
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
sb_query_get(const char *query, const char *name, char *out, size_t outsz)
{
	const char	*p = query, *amp, *eq;
	size_t		 nlen = strlen(name), klen;
	char		 key[128];

	if (query == NULL)
		return 0;
	while (*p != '\0') {
		if ((amp = strchr(p, '&')) == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		klen = (size_t)((eq != NULL ? eq : amp) - p);
		/* Names are compared decoded, ignoring case (storeID). */
		if (klen < sizeof(key) && decode(p, klen, key,
		    sizeof(key)) == 0 && strlen(key) == nlen &&
		    strcasecmp(key, name) == 0) {
			if (eq == NULL)
				return outsz > 0 ? (out[0] = '\0', 1) : -1;
			return decode(eq + 1, (size_t)(amp - eq - 1), out,
			    outsz) == 0 ? 1 : -1;
		}
		p = *amp == '&' ? amp + 1 : amp;
	}
	return 0;
}

void
sb_resp_header(struct sb_resp *resp, const char *name, const char *value)
{
	struct sb_header	*h;
	size_t			 i;

	/* A second Content-Type replaces the first. */
	for (i = 0; i < resp->nheaders; i++) {
		h = &resp->headers[i];
		if (strcasecmp(h->name, "Content-Type") == 0 &&
		    strcasecmp(name, "Content-Type") == 0) {
			free(h->value);
			h->value = strdup(value);
			return;
		}
	}
	if (resp->nheaders >= SB_MAX_HEADERS)
		return;
	h = &resp->headers[resp->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		return;
	}
	resp->nheaders++;
}

void
sb_resp_json(struct sb_resp *resp, int status, json_t *body)
{
	free(resp->body);
	resp->body = NULL;
	resp->bodylen = 0;
	resp->status = status;
	if (body == NULL)
		return;
	resp->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(15));
	json_decref(body);
	resp->bodylen = resp->body != NULL ? strlen(resp->body) : 0;
	sb_resp_header(resp, "Content-Type",
	    "application/json; charset=utf-8");
}

void
sb_resp_text(struct sb_resp *resp, int status, const char *ctype,
    const char *text)
{
	free(resp->body);
	resp->status = status;
	resp->body = strdup(text != NULL ? text : "");
	resp->bodylen = resp->body != NULL ? strlen(resp->body) : 0;
	if (ctype != NULL)
		sb_resp_header(resp, "Content-Type", ctype);
}
