/*
 * application/x-www-form-urlencoded (query strings and admin form
 * bodies) and the Cookie header, both untrusted. Decoded values are
 * NUL-terminated copies; a %00, invalid UTF-8, a malformed escape or
 * too many fields fails the whole parse (the page answers 400).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "text.h"
#include "app.h"

/* Decode s[0..n) into a new string. NULL when malformed or ENOMEM. */
static char *
decode(const char *s, size_t n)
{
	char	*out, *o;
	size_t	 i;
	int	 h, l;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n || (h = text_hexval(s[i + 1])) == -1 ||
			    (l = text_hexval(s[i + 2])) == -1 ||
			    (h == 0 && l == 0))
				goto bad;
			*o++ = (char)(h << 4 | l);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	if (!text_utf8_valid((unsigned char *)out, (size_t)(o - out)))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

int
form_parse(struct form *f, const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *amp, *eq;
	struct form_kv	*kv;

	if (memchr(s, '\0', len) != NULL)
		return -1;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (f->n == FORM_MAX_FIELDS)
			return -1;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((kv = reallocarray(f->kv, f->n + 1, sizeof(*kv))) == NULL)
			return -1;
		f->kv = kv;
		kv = &f->kv[f->n];
		kv->k = decode(p, (size_t)(eq - p));
		kv->v = eq < amp ? decode(eq + 1, (size_t)(amp - eq - 1)) :
		    strdup("");
		if (kv->k == NULL || kv->v == NULL) {
			free(kv->k);
			free(kv->v);
			return -1;
		}
		f->n++;
		p = amp + 1;
	}
	return 0;
}

const char *
form_get(const struct form *f, const char *k)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->kv[i].k, k) == 0)
			return f->kv[i].v;
	return NULL;
}

void
form_free(struct form *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		free(f->kv[i].k);
		free(f->kv[i].v);
	}
	free(f->kv);
	memset(f, 0, sizeof(*f));
}

int
form_cookie(const char *hdr, const char *name, char *out, size_t sz)
{
	const char	*p = hdr, *semi, *eq;
	size_t		 nl = strlen(name), vl;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		semi = strchr(p, ';');
		eq = strchr(p, '=');
		if (eq != NULL && (semi == NULL || eq < semi) &&
		    (size_t)(eq - p) == nl && strncmp(p, name, nl) == 0) {
			vl = semi != NULL ? (size_t)(semi - eq - 1) :
			    strlen(eq + 1);
			if (vl + 1 > sz)
				return -1;
			memcpy(out, eq + 1, vl);
			out[vl] = '\0';
			return 0;
		}
		p = semi;
	}
	return -1;
}

/*
 * multipart/form-data (RFC 7578), as browsers and curl -F send it, and
 * nothing looser: the body starts with the first delimiter (no
 * preamble), each part has a Content-Disposition: form-data with a
 * quoted name, header lines end in CRLF, and after the closing
 * delimiter only a CRLF may follow. Values, files included, are text:
 * no NUL, valid UTF-8.
 */

#define MP_HDR_MAX	1024	/* one part's header block */

/* The boundary of a multipart/form-data Content-Type into out. */
static int
mp_boundary(const char *ct, char *out, size_t sz)
{
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
	const char	*p;
	size_t		 n;
	int		 quoted;

	if (strncasecmp(ct, "multipart/form-data", 19) != 0)
		return -1;
	for (p = ct + 19; *p != '\0'; ) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0)
			break;
		if ((p = strchr(p, ';')) == NULL)
			return -1;
	}
	if (*p == '\0')
		return -1;
	p += 9;
	if ((quoted = *p == '"'))
		p++;
	for (n = 0; p[n] != '\0' && p[n] != '"' && p[n] != ';' &&
	    (quoted || p[n] != ' '); n++)
		if (strchr(bchars, p[n]) == NULL)
			return -1;
	if (n == 0 || n > 70 || n + 1 > sz || (quoted && p[n] != '"') ||
	    p[n - 1] == ' ')
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static const char *
find(const char *h, size_t hl, const char *n, size_t nl)
{
	const char	*p = h, *end = h + hl;

	while (nl <= (size_t)(end - p) &&
	    (p = memchr(p, n[0], (size_t)(end - p) - nl + 1)) != NULL) {
		if (memcmp(p, n, nl) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* The quoted parameter key="..." of a Content-Disposition value, as a
 * new string; NULL when absent, unquoted or ENOMEM (*bad set). */
static char *
mp_param(const char *v, const char *key, int *bad)
{
	const char	*p = v, *q;
	size_t		 kl = strlen(key);
	char		*s;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, key, kl) != 0 || p[kl] != '=')
			continue;
		p += kl + 1;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL) {
			*bad = 1;
			return NULL;
		}
		if ((s = strndup(p + 1, (size_t)(q - p - 1))) == NULL)
			*bad = 1;
		return s;
	}
	return NULL;
}

/* One part's headers h[0..hl) (no final CRLF CRLF): its name, and
 * whether it is a file. -1 when malformed. */
static int
mp_headers(const char *h, size_t hl, char **name, int *isfile)
{
	char		 line[MP_HDR_MAX + 1], *fn;
	const char	*p = h, *end = h + hl, *eol, *v;
	size_t		 n;
	int		 bad = 0, seen = 0;

	*name = NULL;
	*isfile = 0;
	while (p < end) {
		if ((eol = find(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			eol = end;
		n = (size_t)(eol - p);
		memcpy(line, p, n);
		line[n] = '\0';
		if (memchr(line, '\r', n) != NULL ||
		    memchr(line, '\n', n) != NULL)
			goto bad;
		if (strncasecmp(line, "Content-Disposition:", 20) == 0) {
			if (seen++)
				goto bad;
			v = line + 20;
			while (*v == ' ')
				v++;
			if (strncasecmp(v, "form-data", 9) != 0 ||
			    (v[9] != ';' && v[9] != '\0'))
				goto bad;
			*name = mp_param(v, "name", &bad);
			fn = mp_param(v, "filename", &bad);
			*isfile = fn != NULL;
			free(fn);
			if (bad || *name == NULL || **name == '\0')
				goto bad;
		} else if (strchr(line, ':') == NULL)
			goto bad;
		/* Content-Type and others: the value is used as text. */
		p = eol + 2;
	}
	if (!seen)
		goto bad;
	return 0;
bad:
	free(*name);
	*name = NULL;
	return -1;
}

int
form_multipart(struct form *f, const char *ctype, const char *body,
    size_t len, size_t file_max)
{
	char		 b[80], delim[84];
	const char	*p, *end = body + len, *hend, *next;
	struct form_kv	*kv;
	char		*name, *val;
	size_t		 dl, vl;
	int		 isfile, files = 0;

	if (ctype == NULL || mp_boundary(ctype, b, sizeof(b)) == -1)
		return -1;
	/* "\r\n--b" ends a part; the first delimiter lacks the CRLF. */
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	if (len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0)
		return -1;
	p = body + dl - 2;
	for (;;) {
		if ((size_t)(end - p) >= 2 && memcmp(p, "--", 2) == 0) {
			p += 2;
			break;		/* closing delimiter */
		}
		if ((size_t)(end - p) < 2 || memcmp(p, "\r\n", 2) != 0)
			return -1;
		p += 2;
		if ((size_t)(end - p) >= 2 && memcmp(p, "\r\n", 2) == 0)
			return -1;	/* no headers at all */
		if ((hend = find(p, (size_t)(end - p), "\r\n\r\n", 4)) ==
		    NULL || hend - p > MP_HDR_MAX)
			return -1;
		if (mp_headers(p, (size_t)(hend - p), &name, &isfile) == -1)
			return -1;
		p = hend + 4;
		if ((next = find(p, (size_t)(end - p), delim, dl)) == NULL ||
		    f->n == FORM_MAX_FIELDS || (isfile && files++ > 0)) {
			free(name);
			return -1;
		}
		vl = (size_t)(next - p);
		if ((isfile && vl > file_max) || memchr(p, '\0', vl) != NULL ||
		    !text_utf8_valid((const unsigned char *)p, vl) ||
		    (val = strndup(p, vl)) == NULL) {
			free(name);
			return -1;
		}
		if ((kv = reallocarray(f->kv, f->n + 1, sizeof(*kv))) == NULL) {
			free(name);
			free(val);
			return -1;
		}
		f->kv = kv;
		f->kv[f->n].k = name;
		f->kv[f->n].v = val;
		f->n++;
		p = next + dl;
	}
	/* After the closing delimiter: nothing, or one CRLF. */
	if (p == end || (end - p == 2 && memcmp(p, "\r\n", 2) == 0))
		return 0;
	return -1;
}
