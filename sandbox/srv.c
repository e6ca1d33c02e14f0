/*
 * The HTTP/1.1 front: one thread, one poll(2) loop, non-blocking
 * sockets, keep-alive and pipelining, Content-Length and chunked
 * request bodies, bounded buffers. A handler's delay is a per
 * connection timer, never a sleep, so one slow answer does not hold up
 * the others; a handler's "drop" closes the connection without a word,
 * which is how the sandbox loses a response on purpose.
 *
 * Standalone rather than behind nginx: see docs/SANDBOX.md.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

#define READ_CHUNK	(64 * 1024)
#define POLL_MAX_MS	1000

enum cstate {
	C_READ,		/* waiting for (the rest of) a request */
	C_WAIT,		/* answer ready, held back by a delay */
	C_WRITE,	/* answer being written */
};

struct conn {
	int		 fd;
	enum cstate	 state;
	char		*in;		/* received, not yet consumed */
	size_t		 inlen;
	size_t		 incap;
	char		*out;		/* answer being written */
	size_t		 outlen;
	size_t		 outoff;
	int64_t		 due;		/* C_WAIT: mono ms to go on */
	int64_t		 seen;		/* mono ms of the last activity */
	int		 close;		/* close once the answer is out */
	int		 drop;		/* C_WAIT: close instead of answering */
	int		 continued;	/* 100 Continue sent for this request */
};

/* Growing output text with a ceiling (curl's dynbuf, in small). */
struct buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
	int		 failed;
};

static struct conn	*conns[SB_CONN_MAX];
static size_t		 nconns;
static volatile sig_atomic_t stopping;

void
srv_stop(void)
{
	stopping = 1;
}

static void
buf_add(struct buf *b, const char *s, size_t len)
{
	size_t	 ncap;
	char	*np;

	if (b->failed)
		return;
	if (b->len + len + 1 > b->cap) {
		ncap = b->cap == 0 ? 1024 : b->cap;
		while (ncap < b->len + len + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static const char *
reason(int status)
{
	static const struct {
		int		 code;
		const char	*text;
	} r[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 204, "No Content" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 409, "Conflict" }, { 411, "Length Required" },
		{ 413, "Request Entity Too Large" },
		{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Entity" },
		{ 423, "Locked" }, { 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i].code == status)
			return r[i].text;
	return "Unknown";
}

static void
resp_clear(struct sb_resp *resp)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

static void
conn_close(size_t idx)
{
	struct conn	*c = conns[idx];

	(void)close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	conns[idx] = conns[--nconns];
}

/* Serialise resp into c->out; 0 or -1 (out of memory). */
static int
render(struct conn *c, const struct sb_resp *resp, int head)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	char		 line[256];
	struct tm	 tm;
	time_t		 t = (time_t)(sb_now_ms() / 1000);
	size_t		 i;
	int		 ctype = 0, status = resp->status;
	int		 nobody = head || status == 204 || status == 304;

	(void)gmtime_r(&t, &tm);
	(void)snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", status,
	    reason(status));
	buf_str(&b, line);
	if (strftime(line, sizeof(line),
	    "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm) > 0)
		buf_str(&b, line);
	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, "Content-Type") == 0)
			ctype = 1;
		buf_str(&b, resp->headers[i].name);
		buf_add(&b, ": ", 2);
		buf_str(&b, resp->headers[i].value);
		buf_add(&b, "\r\n", 2);
	}
	if (!ctype && resp->bodylen > 0)
		buf_str(&b, "Content-Type: text/plain\r\n");
	if (status != 204 && status != 304) {
		(void)snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
		    resp->bodylen);
		buf_str(&b, line);
	}
	if (c->close)
		buf_str(&b, "Connection: close\r\n");
	buf_add(&b, "\r\n", 2);
	if (!nobody && resp->bodylen > 0)
		buf_add(&b, resp->body, resp->bodylen);
	if (b.failed) {
		free(b.p);
		return -1;
	}
	free(c->out);
	c->out = b.p;
	c->outlen = b.len;
	c->outoff = 0;
	return 0;
}

/* Write what we can. 1 done, 0 would block, -1 failed. */
static int
flush(struct conn *c)
{
	ssize_t	 n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->outoff += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	return 1;
}

/* A protocol error of ours: answer and close. */
static void
refuse(struct conn *c, int status, const char *msg)
{
	struct sb_resp	 resp;

	memset(&resp, 0, sizeof(resp));
	sb_resp_text(&resp, status, "text/plain", msg);
	c->close = 1;
	if (render(c, &resp, 0) == 0)
		c->state = C_WRITE;
	resp_clear(&resp);
}

static int
tchar(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/*
 * Decode a chunked body starting at p (len bytes available) into out.
 * Returns the bytes consumed, 0 when incomplete, -1 when malformed,
 * -2 when larger than SB_BODY_MAX.
 */
static ssize_t
dechunk(const char *p, size_t len, struct buf *out)
{
	size_t		 off = 0, sz;
	const char	*eol;
	char		*end;
	unsigned long	 v;

	for (;;) {
		eol = memmem(p + off, len - off, "\r\n", 2);
		if (eol == NULL)
			return len - off > 64 ? -1 : 0;
		errno = 0;
		v = strtoul(p + off, &end, 16);
		if (end == p + off || errno != 0 ||
		    (*end != '\r' && *end != ';'))
			return -1;
		if (v > SB_BODY_MAX || out->len + v > SB_BODY_MAX)
			return -2;
		sz = (size_t)v;
		off = (size_t)(eol - p) + 2;
		if (sz == 0) {
			/* Trailers, then an empty line. */
			for (;;) {
				eol = memmem(p + off, len - off, "\r\n", 2);
				if (eol == NULL)
					return 0;
				if (eol == p + off)
					return (ssize_t)(off + 2);
				off = (size_t)(eol - p) + 2;
			}
		}
		if (len - off < sz + 2)
			return 0;
		buf_add(out, p + off, sz);
		if (out->failed)
			return -1;
		if (p[off + sz] != '\r' || p[off + sz + 1] != '\n')
			return -1;
		off += sz + 2;
	}
}

/*
 * Try to take one complete request off c->in and answer it.
 * 1: answered (or refused), 0: need more bytes, -1: close now.
 */
static int
one_request(struct sb *sb, struct conn *c)
{
	struct sb_header	 hdrs[SB_MAX_HEADERS];
	struct sb_req		 req;
	struct sb_resp		 resp;
	struct buf		 body = { NULL, 0, 0, 0 };
	const char		*eoh, *te = NULL, *cl = NULL, *conn = NULL;
	const char		*expect = NULL;
	char			*head = NULL, *p, *line, *next, *colon, *sp;
	char			*target, *q, *method, *version;
	size_t			 hlen, nh = 0, clen = 0, consumed;
	ssize_t			 n;
	int			 http10, rc = -1, head_req;
	char			*end;
	unsigned long long	 v;

	if ((eoh = memmem(c->in, c->inlen, "\r\n\r\n", 4)) == NULL) {
		if (c->inlen > SB_HEAD_MAX) {
			refuse(c, 431, "request header too large\n");
			return 1;
		}
		return 0;
	}
	hlen = (size_t)(eoh - c->in) + 4;
	if (hlen > SB_HEAD_MAX) {
		refuse(c, 431, "request header too large\n");
		return 1;
	}
	/* A NUL in the header block is never valid and would cut our
	 * string parsing short. */
	if (memchr(c->in, '\0', hlen) != NULL) {
		refuse(c, 400, "bad request\n");
		return 1;
	}
	if ((head = malloc(hlen + 1)) == NULL)
		return -1;
	memcpy(head, c->in, hlen);
	head[hlen] = '\0';

	/* Request line: METHOD SP request-target SP HTTP-version. */
	line = head;
	next = strstr(line, "\r\n");
	*next = '\0';
	next += 2;
	method = line;
	if ((sp = strchr(method, ' ')) == NULL)
		goto bad;
	*sp = '\0';
	target = sp + 1;
	if ((sp = strchr(target, ' ')) == NULL)
		goto bad;
	*sp = '\0';
	version = sp + 1;
	for (p = method; *p != '\0'; p++)
		if (!tchar((unsigned char)*p))
			goto bad;
	if (*method == '\0' || *target == '\0')
		goto bad;
	if (strcmp(version, "HTTP/1.1") == 0)
		http10 = 0;
	else if (strcmp(version, "HTTP/1.0") == 0)
		http10 = 1;
	else {
		refuse(c, 505, "HTTP version not supported\n");
		rc = 1;
		goto out;
	}
	/* Absolute form: keep only the path. */
	if (strncasecmp(target, "http://", 7) == 0) {
		if ((p = strchr(target + 7, '/')) == NULL)
			target = (char *)(uintptr_t)"/";
		else
			target = p;
	}
	if (target[0] != '/')
		goto bad;

	/* Header fields. */
	for (line = next; *line != '\0'; line = next) {
		next = strstr(line, "\r\n");
		*next = '\0';
		next += 2;
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t')
			goto bad;	/* obsolete line folding */
		if ((colon = strchr(line, ':')) == NULL || colon == line)
			goto bad;
		*colon = '\0';
		for (p = line; *p != '\0'; p++)
			if (!tchar((unsigned char)*p))
				goto bad;
		p = colon + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		sp = p + strlen(p);
		while (sp > p && (sp[-1] == ' ' || sp[-1] == '\t'))
			*--sp = '\0';
		if (nh == SB_MAX_HEADERS) {
			refuse(c, 431, "too many header fields\n");
			rc = 1;
			goto out;
		}
		hdrs[nh].name = line;
		hdrs[nh].value = p;
		if (strcasecmp(line, "Content-Length") == 0) {
			if (cl != NULL && strcmp(cl, p) != 0)
				goto bad;
			cl = p;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0)
			te = p;
		else if (strcasecmp(line, "Connection") == 0)
			conn = p;
		else if (strcasecmp(line, "Expect") == 0)
			expect = p;
		nh++;
	}

	if (http10)
		c->close = conn == NULL || strcasecmp(conn, "keep-alive") != 0;
	else
		c->close = conn != NULL && strcasecmp(conn, "close") == 0;

	consumed = hlen;
	if (te != NULL) {
		if (cl != NULL || strcasecmp(te, "chunked") != 0) {
			refuse(c, te != NULL && cl == NULL ? 501 : 400,
			    "unsupported transfer coding\n");
			rc = 1;
			goto out;
		}
	} else if (cl != NULL) {
		if (*cl < '0' || *cl > '9')
			goto bad;
		errno = 0;
		v = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0')
			goto bad;
		if (v > SB_BODY_MAX) {
			refuse(c, 413, "request body too large\n");
			rc = 1;
			goto out;
		}
		clen = (size_t)v;
	}

	if ((te != NULL || clen > 0) && expect != NULL && !c->continued &&
	    strcasecmp(expect, "100-continue") == 0 &&
	    c->inlen == hlen) {
		/* Best effort: it is tiny and the socket is fresh. */
		(void)send(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25,
		    MSG_NOSIGNAL);
		c->continued = 1;
	}

	if (te != NULL) {
		n = dechunk(c->in + hlen, c->inlen - hlen, &body);
		if (n == 0) {
			rc = 0;
			goto out;
		}
		if (n == -2) {
			refuse(c, 413, "request body too large\n");
			rc = 1;
			goto out;
		}
		if (n < 0)
			goto bad;
		consumed += (size_t)n;
	} else {
		if (c->inlen - hlen < clen) {
			rc = 0;
			goto out;
		}
		buf_add(&body, c->in + hlen, clen);
		consumed += clen;
	}
	if (body.failed)
		goto out;

	if ((q = strchr(target, '?')) != NULL)
		*q++ = '\0';
	else
		q = (char *)(uintptr_t)"";
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = target;
	req.query = q;
	req.headers = hdrs;
	req.nheaders = nh;
	req.body = body.p != NULL ? body.p : "";
	req.bodylen = body.len;
	head_req = strcmp(method, "HEAD") == 0;

	memset(&resp, 0, sizeof(resp));
	route_dispatch(sb, &req, &resp);
	if (resp.status == 0)
		sb_resp_text(&resp, 404, "text/plain", "not found\n");

	memmove(c->in, c->in + consumed, c->inlen - consumed);
	c->inlen -= consumed;
	c->continued = 0;

	if (resp.drop && resp.delay_ms == 0) {
		resp_clear(&resp);
		rc = -1;
		goto out;
	}
	if (render(c, &resp, head_req) == -1) {
		resp_clear(&resp);
		goto out;
	}
	if (resp.delay_ms > 0) {
		c->state = C_WAIT;
		c->due = clk_mono_ms() + resp.delay_ms;
		c->drop = resp.drop;
	} else
		c->state = C_WRITE;
	resp_clear(&resp);
	rc = 1;
	goto out;
bad:
	refuse(c, 400, "bad request\n");
	rc = 1;
out:
	free(body.p);
	free(head);
	return rc;
}

/* Answer what is buffered; 0 to keep the connection, -1 to close it. */
static int
serve(struct sb *sb, struct conn *c)
{
	int	 r;

	while (c->state == C_READ && c->inlen > 0) {
		if ((r = one_request(sb, c)) <= 0)
			return r;
		if (c->state == C_WRITE) {
			if ((r = flush(c)) < 0)
				return -1;
			if (r == 0)
				return 0;
			if (c->close)
				return -1;
			c->state = C_READ;
		}
	}
	return 0;
}

static int
do_read(struct sb *sb, struct conn *c)
{
	size_t	 ncap;
	ssize_t	 n;
	char	*np;

	for (;;) {
		if (c->incap - c->inlen < READ_CHUNK) {
			ncap = c->incap == 0 ? READ_CHUNK * 2 : c->incap * 2;
			if (ncap > SB_HEAD_MAX + SB_BODY_MAX + 4 * READ_CHUNK)
				return -1;
			if ((np = realloc(c->in, ncap)) == NULL)
				return -1;
			c->in = np;
			c->incap = ncap;
		}
		n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		if (n == 0)
			return -1;
		c->inlen += (size_t)n;
		if ((size_t)n < READ_CHUNK)
			break;
	}
	return serve(sb, c);
}

static void
do_accept(int lfd)
{
	struct conn	*c;
	int		 fd, one = 1;

	while (nconns < SB_CONN_MAX) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			(void)close(fd);
			return;
		}
		c->fd = fd;
		c->state = C_READ;
		c->seen = clk_mono_ms();
		conns[nconns++] = c;
	}
}

int
srv_listen(int port, int *bound)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 512) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		(void)close(fd);
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	return fd;
}

int
srv_run(struct sb *sb, int lfd)
{
	struct pollfd	 pfd[1 + SB_CONN_MAX + SB_CURL_FDS];
	struct conn	*map[1 + SB_CONN_MAX];
	struct conn	*c;
	size_t		 npfd, i, j, nhook;
	int64_t		 now, wait, t;
	int		 r;

	while (!stopping) {
		now = clk_mono_ms();
		wait = POLL_MAX_MS;
		npfd = 0;
		pfd[npfd].fd = lfd;
		pfd[npfd].events = nconns < SB_CONN_MAX ? POLLIN : 0;
		map[npfd++] = NULL;
		for (i = 0; i < nconns; i++) {
			c = conns[i];
			t = c->seen + SB_IDLE_MS - now;
			if (c->state == C_WAIT)
				t = c->due - now;
			if (t < wait)
				wait = t;
			if (c->state == C_WAIT)
				continue;
			pfd[npfd].fd = c->fd;
			pfd[npfd].events = c->state == C_READ ? POLLIN :
			    POLLOUT;
			map[npfd++] = c;
		}
		nhook = hook_pollfds(pfd + npfd, SB_CURL_FDS);
		t = hook_timeout();
		if (t >= 0 && t < wait)
			wait = t;
		if (wait < 0)
			wait = 0;
		r = poll(pfd, npfd + nhook, (int)wait);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return 1;
		}
		if (nhook > 0)
			hook_events(pfd + npfd, nhook);
		now = clk_mono_ms();
		/* Connections first: conns[] changes as they close. */
		for (j = 1; j < npfd; j++) {
			if (pfd[j].revents == 0)
				continue;
			c = map[j];
			for (i = 0; i < nconns && conns[i] != c; i++)
				continue;
			if (i == nconns)
				continue;
			c->seen = now;
			if (c->state == C_READ)
				r = do_read(sb, c);
			else if ((r = flush(c)) == 1) {
				if (c->close)
					r = -1;
				else {
					c->state = C_READ;
					r = serve(sb, c);
				}
			} else if (r == 0 && (pfd[j].revents &
			    (POLLERR | POLLHUP)))
				r = -1;
			else
				r = r < 0 ? -1 : 0;
			if (r < 0)
				conn_close(i);
		}
		/* Timers: held answers and idle connections. */
		for (i = 0; i < nconns; ) {
			c = conns[i];
			if (c->state == C_WAIT && c->due <= now) {
				if (c->drop) {
					conn_close(i);
					continue;
				}
				c->state = C_WRITE;
				c->seen = now;
				r = flush(c);
				if (r == 1)
					r = c->close ? -1 : (c->state = C_READ,
					    serve(sb, c));
				if (r < 0) {
					conn_close(i);
					continue;
				}
			} else if (c->state != C_WAIT &&
			    now - c->seen >= SB_IDLE_MS) {
				conn_close(i);
				continue;
			}
			i++;
		}
		if (pfd[0].revents & POLLIN)
			do_accept(lfd);
		hook_run();
	}
	while (nconns > 0)
		conn_close(nconns - 1);
	return 0;
}
