/*
 * The admin UI's template renderer (see tmpl.h for the syntax). The
 * escaping context of each value is decided once, at compile time, by
 * following the HTML around it (a small tokenizer after the HTML5
 * states we need: data, tag, attribute name and value, comment, raw
 * text of <script>/<style>), so a template cannot forget to escape:
 * the default is the escape for where the value lands.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core.h"
#include "tmpl.h"

enum nkind {
	N_TEXT,		/* literal bytes */
	N_VAR,		/* escaped value */
	N_RAW,		/* {{&name}} */
	N_SECT,		/* {{#name}} */
	N_INV,		/* {{^name}} */
	N_PART,		/* {{>name}} */
	N__MAX
};

enum vctx {
	V_HTML,		/* text or quoted attribute: entity-escape */
	V_URL,		/* inside a URL attribute: percent-encode */
	V__MAX
};

struct node {
	enum nkind	 kind;
	char		*s;		/* text, or the tag's name */
	size_t		 len;
	enum vctx	 ctx;
	size_t		 end;		/* sections: index of the close */
};

struct tmpl {
	char		*name;
	struct node	*nodes;
	size_t		 n;
};

struct tmpl_set {
	struct tmpl	*t;
	size_t		 n;
};

/* The HTML tokenizer's states we follow. */
enum hstate {
	H_TEXT,
	H_TAGNAME,
	H_TAG,
	H_ANAME,
	H_AEQ,
	H_AVAL,
	H_ADQ,
	H_ASQ,
	H_AUNQ,
	H_RAWTEXT,
	H_COMMENT,
	H__MAX
};

struct html {
	enum hstate	 st;
	char		 tag[16];	/* current tag name, lowercase */
	char		 raw[16];	/* the raw-text element we are in */
	char		 attr[16];	/* current attribute name */
	int		 endtag;
};

struct buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
	int		 full;		/* over TMPL_OUT_MAX */
};

static int
put(struct buf *b, const char *s, size_t n)
{
	char	*np;
	size_t	 ncap;

	if (b->full)
		return -1;
	if (b->len + n + 1 > TMPL_OUT_MAX) {
		b->full = 1;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->full = 1;
			return -1;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
esc_html(struct buf *b, const char *s)
{
	const char	*rep;
	size_t		 run;

	for (; *s != '\0'; s += run) {
		run = strcspn(s, "&<>\"'");
		if (run > 0 && put(b, s, run) == -1)
			return -1;
		if (s[run] == '\0')
			break;
		switch (s[run]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: rep = "&#39;"; break;
		}
		if (put(b, rep, strlen(rep)) == -1)
			return -1;
		run++;
	}
	return 0;
}

/* RFC 3986 unreserved characters stay; every other byte is %XX. */
static int
esc_url(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 e[3];
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			if (put(b, s, 1) == -1)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (put(b, e, 3) == -1)
			return -1;
	}
	return 0;
}

static int
esc_fixed(char *out, size_t sz, const char *s, int url)
{
	struct buf	 b;
	int		 rc;

	memset(&b, 0, sizeof(b));
	rc = url ? esc_url(&b, s) : esc_html(&b, s);
	if (rc == 0 && b.len + 1 > sz)
		rc = -1;
	if (rc == 0)
		memcpy(out, b.p != NULL ? b.p : "", b.len + 1);
	free(b.p);
	return rc;
}

int
tmpl_esc_html(char *out, size_t sz, const char *s)
{
	return esc_fixed(out, sz, s, 0);
}

int
tmpl_esc_url(char *out, size_t sz, const char *s)
{
	return esc_fixed(out, sz, s, 1);
}

/* ---- compiling ------------------------------------------------------ */

static void
addc(char *s, size_t sz, int c)
{
	size_t	 n = strlen(s);

	if (n + 1 < sz) {
		s[n] = (char)tolower((unsigned char)c);
		s[n + 1] = '\0';
	}
}

static void
tag_end(struct html *h)
{
	if (!h->endtag && (strcmp(h->tag, "script") == 0 ||
	    strcmp(h->tag, "style") == 0)) {
		(void)snprintf(h->raw, sizeof(h->raw), "%s", h->tag);
		h->st = H_RAWTEXT;
	} else
		h->st = H_TEXT;
}

/* Follow the tokenizer over literal text s[0..n); peeks stay in s. */
static void
follow(struct html *h, const char *s, size_t n)
{
	size_t	 i, rl;
	int	 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		switch (h->st) {
		case H_TEXT:
			if (c != '<')
				break;
			if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0) {
				h->st = H_COMMENT;
				i += 3;
			} else if (i + 1 == n || isalpha((unsigned char)s[i + 1])
			    || s[i + 1] == '/' || s[i + 1] == '!') {
				/* A '<' right before a value would let the
				 * value name a tag: treat it as one. */
				h->st = H_TAGNAME;
				h->tag[0] = '\0';
				h->endtag = i + 1 < n && s[i + 1] == '/';
				if (h->endtag || (i + 1 < n && s[i + 1] == '!'))
					i++;
			}
			break;
		case H_TAGNAME:
			if (isspace(c) || c == '/')
				h->st = H_TAG;
			else if (c == '>')
				tag_end(h);
			else
				addc(h->tag, sizeof(h->tag), c);
			break;
		case H_TAG:
			if (c == '>')
				tag_end(h);
			else if (!isspace(c) && c != '/') {
				h->attr[0] = '\0';
				addc(h->attr, sizeof(h->attr), c);
				h->st = H_ANAME;
			}
			break;
		case H_ANAME:
			if (c == '=')
				h->st = H_AVAL;
			else if (isspace(c))
				h->st = H_AEQ;
			else if (c == '>')
				tag_end(h);
			else
				addc(h->attr, sizeof(h->attr), c);
			break;
		case H_AEQ:
			if (c == '=')
				h->st = H_AVAL;
			else if (c == '>')
				tag_end(h);
			else if (!isspace(c)) {
				h->attr[0] = '\0';
				addc(h->attr, sizeof(h->attr), c);
				h->st = H_ANAME;
			}
			break;
		case H_AVAL:
			if (c == '"')
				h->st = H_ADQ;
			else if (c == '\'')
				h->st = H_ASQ;
			else if (c == '>')
				tag_end(h);
			else if (!isspace(c))
				h->st = H_AUNQ;
			break;
		case H_ADQ:
			if (c == '"')
				h->st = H_TAG;
			break;
		case H_ASQ:
			if (c == '\'')
				h->st = H_TAG;
			break;
		case H_AUNQ:
			if (isspace(c))
				h->st = H_TAG;
			else if (c == '>')
				tag_end(h);
			break;
		case H_RAWTEXT:
			rl = strlen(h->raw);
			if (c == '<' && n - i > rl + 1 && s[i + 1] == '/' &&
			    strncasecmp(s + i + 2, h->raw, rl) == 0) {
				h->st = H_TAGNAME;
				h->tag[0] = '\0';
				h->endtag = 1;
				i++;
			}
			break;
		case H_COMMENT:
			if (n - i >= 3 && strncmp(s + i, "-->", 3) == 0) {
				h->st = H_TEXT;
				i += 2;
			}
			break;
		default:
			break;
		}
	}
}

static int
url_attr(const char *a)
{
	return strcmp(a, "href") == 0 || strcmp(a, "src") == 0 ||
	    strcmp(a, "action") == 0 || strcmp(a, "formaction") == 0;
}

/* The context for a value here, or -1 where no escape is safe. */
static int
value_ctx(const struct html *h)
{
	switch (h->st) {
	case H_TEXT:
		return V_HTML;
	case H_ADQ:
	case H_ASQ:
		if (strncmp(h->attr, "on", 2) == 0 ||
		    strcmp(h->attr, "style") == 0)
			return -1;
		return url_attr(h->attr) ? V_URL : V_HTML;
	default:
		return -1;
	}
}

static void
tmpl_clear(struct tmpl *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->nodes[i].s);
	free(t->nodes);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

static int
lineof(const char *text, const char *at)
{
	int	 line = 1;

	for (; text < at; text++)
		if (*text == '\n')
			line++;
	return line;
}

static void
seterr(char *err, size_t sz, const char *name, const char *text,
    const char *at, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (err == NULL || sz == 0)
		return;
	n = snprintf(err, sz, "%s:%d: ", name, lineof(text, at));
	if (n < 0 || (size_t)n >= sz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err + n, sz - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
push(struct tmpl *t, size_t *cap, enum nkind k, const char *s, size_t len,
    enum vctx ctx)
{
	struct node	*np;

	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		if ((np = reallocarray(t->nodes, *cap, sizeof(*np))) == NULL)
			return -1;
		t->nodes = np;
	}
	np = &t->nodes[t->n];
	memset(np, 0, sizeof(*np));
	if ((np->s = strndup(s, len)) == NULL)
		return -1;
	np->kind = k;
	np->len = len;
	np->ctx = ctx;
	t->n++;
	return 0;
}

static int
valid_name(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 64)
		return 0;
	if (n == 1 && s[0] == '.')
		return 1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

static enum core_err
compile(struct tmpl *t, const char *name, const char *text, char *err,
    size_t errsz)
{
	struct html	 h;
	const char	*p = text, *open, *close, *nm;
	size_t		 cap = 0, stack[TMPL_DEPTH_MAX], depth = 0, nlen;
	enum nkind	 k;
	int		 ctx;

	memset(t, 0, sizeof(*t));
	memset(&h, 0, sizeof(h));
	if ((t->name = strdup(name)) == NULL)
		return CORE_ENOMEM;
	while (*p != '\0') {
		if ((open = strstr(p, "{{")) == NULL)
			open = p + strlen(p);
		if (open > p) {
			follow(&h, p, (size_t)(open - p));
			if (push(t, &cap, N_TEXT, p, (size_t)(open - p),
			    V_HTML) == -1)
				return CORE_ENOMEM;
		}
		if (*open == '\0')
			break;
		if ((close = strstr(open + 2, "}}")) == NULL) {
			seterr(err, errsz, name, text, open, "unclosed {{");
			return CORE_EINPUT;
		}
		nm = open + 2;
		k = N_VAR;
		switch (*nm) {
		case '#': k = N_SECT; nm++; break;
		case '^': k = N_INV; nm++; break;
		case '/': k = N__MAX; nm++; break;
		case '>': k = N_PART; nm++; break;
		case '&': k = N_RAW; nm++; break;
		default: break;
		}
		while (nm < close && *nm == ' ')
			nm++;
		nlen = (size_t)(close - nm);
		while (nlen > 0 && nm[nlen - 1] == ' ')
			nlen--;
		if (!valid_name(nm, nlen)) {
			seterr(err, errsz, name, text, open, "bad tag name");
			return CORE_EINPUT;
		}
		if (k == N_VAR || k == N_RAW) {
			if ((ctx = value_ctx(&h)) == -1) {
				seterr(err, errsz, name, text, open, "value "
				    "'%.*s' where no escape is safe (unquoted "
				    "attribute, tag, event handler, script or "
				    "style)", (int)nlen, nm);
				return CORE_EINPUT;
			}
			if (push(t, &cap, k, nm, nlen, (enum vctx)ctx) == -1)
				return CORE_ENOMEM;
		} else if (k == N_SECT || k == N_INV) {
			if (depth == TMPL_DEPTH_MAX) {
				seterr(err, errsz, name, text, open,
				    "sections nested too deep");
				return CORE_EINPUT;
			}
			if (push(t, &cap, k, nm, nlen, V_HTML) == -1)
				return CORE_ENOMEM;
			stack[depth++] = t->n - 1;
		} else if (k == N_PART) {
			if (push(t, &cap, k, nm, nlen, V_HTML) == -1)
				return CORE_ENOMEM;
		} else {
			if (depth == 0 || t->nodes[stack[depth - 1]].len !=
			    nlen || strncmp(t->nodes[stack[depth - 1]].s, nm,
			    nlen) != 0) {
				seterr(err, errsz, name, text, open,
				    "{{/%.*s}} closes nothing open", (int)nlen,
				    nm);
				return CORE_EINPUT;
			}
			t->nodes[stack[--depth]].end = t->n;
		}
		p = close + 2;
	}
	if (depth > 0) {
		seterr(err, errsz, name, text, p, "section '%s' not closed",
		    t->nodes[stack[depth - 1]].s);
		return CORE_EINPUT;
	}
	return CORE_OK;
}

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_clear(&set->t[i]);
	free(set->t);
	free(set);
}

static const struct tmpl *
find(const struct tmpl_set *set, const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		if (strlen(set->t[i].name) == len &&
		    strncmp(set->t[i].name, name, len) == 0)
			return &set->t[i];
	return NULL;
}

enum core_err
tmpl_set_add(struct tmpl_set *set, const char *name, const char *text,
    char *err, size_t errsz)
{
	struct tmpl	 t, *nt;
	enum core_err	 rc;

	if (find(set, name, strlen(name)) != NULL) {
		(void)snprintf(err, errsz, "%s: defined twice", name);
		return CORE_EINPUT;
	}
	if ((rc = compile(&t, name, text, err, errsz)) != CORE_OK) {
		tmpl_clear(&t);
		return rc;
	}
	if ((nt = reallocarray(set->t, set->n + 1, sizeof(*nt))) == NULL) {
		tmpl_clear(&t);
		return CORE_ENOMEM;
	}
	set->t = nt;
	set->t[set->n++] = t;
	return CORE_OK;
}

/* Read a whole small file. New; free(). NULL with errno. */
static char *
slurp(int dfd, const char *name)
{
	struct stat	 st;
	char		*s = NULL;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || st.st_size > TMPL_FILE_MAX) {
		if (errno == 0)
			errno = EFBIG;
		goto out;
	}
	if ((s = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		n = read(fd, s + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(s);
			s = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	s[got] = '\0';
out:
	(void)close(fd);
	return s;
}

enum core_err
tmpl_set_load_dir(struct tmpl_set *set, const char *dir, char *err,
    size_t errsz)
{
	DIR		*d;
	struct dirent	*de;
	char		*text, name[128];
	size_t		 len;
	enum core_err	 rc = CORE_OK;

	if ((d = opendir(dir)) == NULL) {
		(void)snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return CORE_ENOTFOUND;
	}
	while (rc == CORE_OK && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || len - 5 >= sizeof(name) ||
		    strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		if ((text = slurp(dirfd(d), de->d_name)) == NULL) {
			(void)snprintf(err, errsz, "%s/%s: %s", dir,
			    de->d_name, strerror(errno));
			rc = CORE_EIO;
			break;
		}
		rc = tmpl_set_add(set, name, text, err, errsz);
		free(text);
	}
	(void)closedir(d);
	return rc;
}

/* ---- rendering ------------------------------------------------------ */

struct rctx {
	const struct tmpl_set	*set;
	const json_t		*stack[TMPL_DEPTH_MAX * 2 + 1];
	size_t			 depth;
	int			 nest;		/* partials deep */
	struct buf		 out;
	int			 err;		/* CORE_* of the first error */
};

/* Resolve a dotted name through the stack, innermost first. Lent. */
static const json_t *
lookup(const struct rctx *r, const char *name)
{
	const json_t	*v = NULL;
	const char	*dot;
	char		 seg[65];
	size_t		 i, n;

	if (strcmp(name, ".") == 0)
		return r->depth > 0 ? r->stack[r->depth - 1] : NULL;
	dot = strchr(name, '.');
	n = dot != NULL ? (size_t)(dot - name) : strlen(name);
	if (n >= sizeof(seg))
		return NULL;
	memcpy(seg, name, n);
	seg[n] = '\0';
	for (i = r->depth; i > 0 && v == NULL; i--)
		if (json_is_object(r->stack[i - 1]))
			v = json_object_get(r->stack[i - 1], seg);
	while (v != NULL && dot != NULL) {
		name = dot + 1;
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, name, n);
		seg[n] = '\0';
		/* "list.0": the first element, to test a list is not empty
		 * around its heading. */
		if (json_is_array(v) && n > 0 && strspn(seg, "0123456789") ==
		    n && n < 6)
			v = json_array_get(v, (size_t)strtoul(seg, NULL, 10));
		else
			v = json_object_get(v, seg);
	}
	return v;
}

static int
truthy(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

static int
emit_value(struct rctx *r, const struct node *nd, const json_t *v)
{
	char	 num[32], *dump = NULL;
	const char *s = "";
	int	 rc;

	if (v == NULL || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v)) {
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		(void)snprintf(num, sizeof(num), "%g", json_real_value(v));
		s = num;
	} else if (json_is_true(v))
		s = "true";
	else {
		if ((dump = json_dumps(v, JSON_COMPACT)) == NULL)
			return -1;
		s = dump;
	}
	if (nd->kind == N_RAW)
		rc = put(&r->out, s, strlen(s));
	else if (nd->ctx == V_URL)
		rc = esc_url(&r->out, s);
	else
		rc = esc_html(&r->out, s);
	free(dump);
	return rc;
}

static int	 run(struct rctx *, const struct tmpl *, size_t, size_t);

static int
section(struct rctx *r, const struct tmpl *t, size_t i)
{
	const struct node	*nd = &t->nodes[i];
	const json_t		*v = lookup(r, nd->s), *el;
	size_t			 k;

	if (nd->kind == N_INV)
		return truthy(v) ? 0 : run(r, t, i + 1, nd->end);
	if (!truthy(v))
		return 0;
	if (r->depth + 1 >= sizeof(r->stack) / sizeof(r->stack[0])) {
		r->err = CORE_EINPUT;
		return -1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, k, el) {
			r->stack[r->depth++] = el;
			if (run(r, t, i + 1, nd->end) == -1)
				return -1;
			r->depth--;
		}
		return 0;
	}
	r->stack[r->depth++] = v;
	if (run(r, t, i + 1, nd->end) == -1)
		return -1;
	r->depth--;
	return 0;
}

static int
run(struct rctx *r, const struct tmpl *t, size_t from, size_t to)
{
	const struct node	*nd;
	const struct tmpl	*p;
	size_t			 i;

	for (i = from; i < to; i++) {
		nd = &t->nodes[i];
		switch (nd->kind) {
		case N_TEXT:
			if (put(&r->out, nd->s, nd->len) == -1)
				return -1;
			break;
		case N_VAR:
		case N_RAW:
			if (emit_value(r, nd, lookup(r, nd->s)) == -1)
				return -1;
			break;
		case N_SECT:
		case N_INV:
			if (section(r, t, i) == -1)
				return -1;
			i = nd->end;	/* the loop steps past the close */
			i--;
			break;
		case N_PART:
			if ((p = find(r->set, nd->s, nd->len)) == NULL ||
			    r->nest >= TMPL_DEPTH_MAX) {
				log_warnx("template %s: no partial %s (or "
				    "nested too deep)", t->name, nd->s);
				r->err = CORE_ENOTFOUND;
				return -1;
			}
			r->nest++;
			if (run(r, p, 0, p->n) == -1)
				return -1;
			r->nest--;
			break;
		default:
			break;
		}
	}
	return 0;
}

enum core_err
tmpl_render(const struct tmpl_set *set, const char *name,
    const struct json_t *ctx, char **out, size_t *len)
{
	const struct tmpl	*t;
	struct rctx		*r;
	enum core_err		 rc = CORE_OK;

	*out = NULL;
	*len = 0;
	if ((t = find(set, name, strlen(name))) == NULL)
		return CORE_ENOTFOUND;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return CORE_ENOMEM;
	r->set = set;
	r->stack[r->depth++] = ctx;
	if (run(r, t, 0, t->n) == -1)
		rc = r->err != CORE_OK ? (enum core_err)r->err : CORE_ENOMEM;
	else if (put(&r->out, "", 0) == -1)
		rc = CORE_ENOMEM;
	if (rc == CORE_OK) {
		*out = r->out.p;
		*len = r->out.len;
	} else
		free(r->out.p);
	free(r);
	return rc;
}
