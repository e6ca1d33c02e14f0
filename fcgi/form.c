/*
 * application/x-www-form-urlencoded (query strings and admin form
 * bodies) and the Cookie header, both untrusted. Decoded values are
 * NUL-terminated copies; a %00, invalid UTF-8, a malformed escape or
 * too many fields fails the whole parse (the page answers 400).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "app.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

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
			if (i + 2 >= n || (h = hexval(s[i + 1])) == -1 ||
			    (l = hexval(s[i + 2])) == -1 || (h == 0 && l == 0))
				goto bad;
			*o++ = (char)(h << 4 | l);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	if (!utf8_ok((unsigned char *)out, (size_t)(o - out)))
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
