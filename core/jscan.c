/*
 * A JSON validator that agrees with jansson 2.14's json_loadb() with
 * JSON_REJECT_DUPLICATES (and without JSON_DECODE_ANY), byte for byte
 * in verdict, without building a tree. The nesting is tracked with an
 * explicit bit stack, not recursion, so hostile nesting costs nothing.
 * The only allocation is the table of key spans used to find duplicate
 * keys, and only once an input holds more keys than fit on the stack.
 *
 * The rules mirrored from jansson's load.c and utf.c:
 * - the top level is an object or an array;
 * - the whole input is strict UTF-8 (no overlongs, surrogates or
 *   code points above U+10FFFF);
 * - strings: no raw byte < 0x20, escapes \" \\ \/ \b \f \n \r \t and
 *   \uXXXX; \u0000 refused; a high surrogate escape must be followed
 *   by a low one, a low one alone is refused;
 * - duplicate keys (compared decoded) refused in every object;
 * - integers must fit a long long; reals must not overflow strtod to
 *   +-HUGE_VAL (underflow is fine);
 * - whitespace is space, tab, CR and LF only; nothing may follow the
 *   value; any value more than 2048 levels deep is refused;
 * - a raw NUL byte is refused, except ONE right after a number or
 *   true/false/null, which jansson drops (see below).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "text.h"

#define KEYS_ON_STACK	64

/* Raw span of a key between its quotes; esc: it holds a backslash. */
struct key {
	const unsigned char	*p;
	size_t			 len;
	int			 esc;
};

/* Key spans of every open object, each object's run after a marker. */
struct keys {
	struct key	*v;
	size_t		 n, cap;
	struct key	 stack[KEYS_ON_STACK];
};

/* Decoder over a validated string span, one byte at a time. */
struct dec {
	const unsigned char	*p, *end;
	unsigned char		 buf[4];
	int			 bi, bn;
};

static const char *const names[JSCAN__MAX] = {
	[JSCAN_OK] = "no error",
	[JSCAN_E_EMPTY] = "no JSON value",
	[JSCAN_E_TOP] = "'[' or '{' expected",
	[JSCAN_E_SYNTAX] = "unexpected character",
	[JSCAN_E_EOF] = "premature end of input",
	[JSCAN_E_TRAILING] = "end of input expected",
	[JSCAN_E_UTF8] = "invalid UTF-8",
	[JSCAN_E_CTRL] = "control character in a string",
	[JSCAN_E_ESCAPE] = "invalid escape",
	[JSCAN_E_NUL] = "\\u0000 is not allowed",
	[JSCAN_E_SURROGATE] = "invalid Unicode surrogate",
	[JSCAN_E_NUMBER] = "invalid number",
	[JSCAN_E_RANGE] = "number out of range",
	[JSCAN_E_DEPTH] = "nested too deep",
	[JSCAN_E_DUPKEY] = "duplicate object key",
	[JSCAN_E_NOMEM] = "out of memory",
};

const char *
jscan_strerror(enum jscan_code c)
{
	if ((unsigned)c >= JSCAN__MAX)
		return "unknown error";
	return names[c];
}

/* The 4 hex digits at p (n bytes left), or -1. */
static long
hex4(const unsigned char *p, size_t n)
{
	long	 v = 0;
	int	 i, h;

	if (n < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = text_hexval(p[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static int
utf8enc(unsigned long c, unsigned char *b)
{
	if (c < 0x80) {
		b[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (unsigned char)(0xC0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (unsigned char)(0xE0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
		b[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	b[0] = (unsigned char)(0xF0 | c >> 18);
	b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
	b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
	b[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

/* 8 bytes at once: nonzero if any is '"', '\\', < 0x20 or >= 0x80. */
static uint64_t
special8(const unsigned char *p)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 high = 0x8080808080808080ULL;
	uint64_t	 v, x, t;

	memcpy(&v, p, 8);
	/*
	 * On the low 7 bits of each byte no sum carries into the next byte:
	 * x + 0x60 keeps bit 7 clear iff x < 0x20, (x ^ c) + 0x7F iff x == c.
	 */
	x = v & ~high;
	t = (x + ones * 0x60) & ((x ^ ones * '"') + ones * 0x7F) &
	    ((x ^ ones * '\\') + ones * 0x7F);
	return (~t | v) & high;
}

/*
 * Scan a string whose opening quote is at *ip - 1. On success *ip is
 * just past the closing quote and *esc says if it held escapes.
 */
static enum jscan_code
scan_string(const unsigned char *s, size_t len, size_t *ip, int *esc)
{
	size_t	 i = *ip, k;
	long	 u, u2;
	int	 c;

	*esc = 0;
	for (;;) {
		while (i + 8 <= len && special8(s + i) == 0)
			i += 8;
		if (i >= len) {
			*ip = i;
			return JSCAN_E_EOF;
		}
		c = s[i];
		if (c == '"') {
			*ip = i + 1;
			return JSCAN_OK;
		}
		if (c < 0x20) {
			*ip = i;
			return JSCAN_E_CTRL;
		}
		if (c >= 0x80) {
			if ((k = text_utf8_len(s + i, len - i)) == 0) {
				*ip = i;
				return JSCAN_E_UTF8;
			}
			i += k;
			continue;
		}
		if (c != '\\') {
			i++;
			continue;
		}
		*esc = 1;
		*ip = i;
		if (++i >= len)
			return JSCAN_E_EOF;
		c = s[i++];
		if (strchr("\"\\/bfnrt", c) != NULL && c != '\0')
			continue;
		if (c != 'u')
			return JSCAN_E_ESCAPE;
		if ((u = hex4(s + i, len - i)) < 0)
			return JSCAN_E_ESCAPE;
		i += 4;
		if (u == 0)
			return JSCAN_E_NUL;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return JSCAN_E_SURROGATE;
		if (u < 0xD800 || u > 0xDBFF)
			continue;
		if (i + 1 >= len || s[i] != '\\' || s[i + 1] != 'u')
			return JSCAN_E_SURROGATE;
		if ((u2 = hex4(s + i + 2, len - i - 2)) < 0)
			return JSCAN_E_ESCAPE;
		if (u2 < 0xDC00 || u2 > 0xDFFF)
			return JSCAN_E_SURROGATE;
		i += 6;
	}
}

static void
dec_init(struct dec *d, const unsigned char *p, size_t len)
{
	d->p = p;
	d->end = p + len;
	d->bi = d->bn = 0;
}

/* Next decoded byte of a span scan_string accepted, or -1 at its end. */
static int
dec_next(struct dec *d)
{
	unsigned long	 u, u2;

	if (d->bi < d->bn)
		return d->buf[d->bi++];
	if (d->p >= d->end)
		return -1;
	if (*d->p != '\\')
		return *d->p++;
	d->p++;
	switch (*d->p++) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'u':
		break;
	default:
		return d->p[-1];
	}
	u = (unsigned long)hex4(d->p, 4);
	d->p += 4;
	if (u >= 0xD800 && u <= 0xDBFF) {
		u2 = (unsigned long)hex4(d->p + 2, 4);
		d->p += 6;
		u = ((u - 0xD800) << 10) + (u2 - 0xDC00) + 0x10000;
	}
	d->bn = utf8enc(u, d->buf);
	d->bi = 1;
	return d->buf[0];
}

/* Order of decoded bytes, then length; spans without escapes compare raw. */
static int
keycmp(const void *va, const void *vb)
{
	const struct key	*a = va, *b = vb;
	struct dec		 da, db;
	int			 x, y, c;

	if (!a->esc && !b->esc) {
		c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
		if (c != 0)
			return c;
		return (a->len > b->len) - (a->len < b->len);
	}
	dec_init(&da, a->p, a->len);
	dec_init(&db, b->p, b->len);
	do {
		x = dec_next(&da);
		y = dec_next(&db);
	} while (x == y && x != -1);
	return (x > y) - (x < y);
}

/* 1 if the key span decodes to the NUL-terminated name. */
static int
keyis(const struct key *k, const char *name)
{
	struct dec	 d;
	size_t		 i;
	int		 c;

	if (!k->esc)
		return strlen(name) == k->len && memcmp(k->p, name, k->len) == 0;
	dec_init(&d, k->p, k->len);
	for (i = 0; (c = dec_next(&d)) != -1; i++)
		if (name[i] == '\0' || (unsigned char)name[i] != c)
			return 0;
	return name[i] == '\0';
}

static void
copyout(struct jscan_want *w, const unsigned char *p, size_t len)
{
	struct dec	 d;
	size_t		 n = 0;
	int		 c;

	dec_init(&d, p, len);
	while ((c = dec_next(&d)) != -1) {
		if (n + 1 < w->bufsz)
			w->buf[n] = (char)c;
		n++;
	}
	if (w->bufsz > 0)
		w->buf[n < w->bufsz ? n : w->bufsz - 1] = '\0';
	w->len = n;
	w->is_string = 1;
}

/* Append a key span (or an object's marker); the table may grow. */
static int
keys_push(struct keys *t, const unsigned char *p, size_t len, int esc)
{
	struct key	*v;
	size_t		 cap;

	if (t->n == t->cap) {
		cap = t->cap * 2;
		if (t->v == t->stack) {
			if ((v = malloc(cap * sizeof(*v))) == NULL)
				return -1;
			memcpy(v, t->stack, t->n * sizeof(*v));
		} else if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = realloc(t->v, cap * sizeof(*v))) == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].p = p;
	t->v[t->n].len = len;
	t->v[t->n].esc = esc;
	t->n++;
	return 0;
}

/* Keys of the innermost object, from after its marker at base - 1. */
static int
keys_dup(struct keys *t, size_t base)
{
	size_t	 i, j, n = t->n - base;

	if (n < 2)
		return 0;
	if (n == 2)
		return keycmp(&t->v[base], &t->v[base + 1]) == 0;
	if (n <= 8) {
		/* Few keys (the usual webhook): pairs beat qsort's overhead. */
		for (i = base; i < t->n; i++)
			for (j = i + 1; j < t->n; j++)
				if (keycmp(&t->v[i], &t->v[j]) == 0)
					return 1;
		return 0;
	}
	qsort(t->v + base, n, sizeof(*t->v), keycmp);
	for (i = base + 1; i < t->n; i++)
		if (keycmp(&t->v[i - 1], &t->v[i]) == 0)
			return 1;
	return 0;
}

/*
 * A number at *ip (its first byte is '-' or a digit). jansson's
 * grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, integers
 * within long long, reals not overflowing strtod.
 */
static enum jscan_code
scan_number(const unsigned char *s, size_t len, size_t *ip)
{
	static const char	 llmax[] = "9223372036854775807";
	size_t			 i = *ip, d0, nd;
	int			 neg = 0, real = 0;
	double			 v;
	char			*end;

	if (s[i] == '-') {
		neg = 1;
		i++;
	}
	d0 = i;
	if (i < len && s[i] == '0') {
		i++;
		if (i < len && s[i] >= '0' && s[i] <= '9')
			goto bad;
	} else if (i < len && s[i] >= '1' && s[i] <= '9') {
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	} else
		goto bad;
	nd = i - d0;
	if (i < len && s[i] == '.') {
		real = 1;
		if (++i >= len || s[i] < '0' || s[i] > '9')
			goto bad;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		real = 1;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			goto bad;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i >= len) {
		/* A number cannot end a valid text (the top is [ or {). */
		*ip = i;
		return JSCAN_E_EOF;
	}
	if (!real) {
		if (nd > sizeof(llmax) - 1 || (nd == sizeof(llmax) - 1 &&
		    memcmp(s + d0, llmax, nd) > 0 && !(neg &&
		    memcmp(s + d0, "9223372036854775808", nd) == 0)))
			goto range;
		*ip = i;
		return JSCAN_OK;
	}
	/*
	 * s[i] is in the buffer and ends the number, and strtod reads the
	 * same grammar (no hex or inf can start with a digit or "-d"), so
	 * it stops at s[i] without a NUL-terminated copy. strtod reads
	 * LC_NUMERIC: our programs never call setlocale(), so "." it is.
	 */
	errno = 0;
	v = strtod((const char *)s + *ip, &end);
	if (end != (const char *)s + i)
		goto bad;
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		goto range;
	*ip = i;
	return JSCAN_OK;
range:
	return JSCAN_E_RANGE;
bad:
	*ip = i;
	return JSCAN_E_NUMBER;
}

static int
isws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
fail(struct jscan_err *err, enum jscan_code code, const char *s, size_t pos)
{
	size_t	 i, bol = 0;
	int	 line = 1;

	if (err == NULL)
		return -1;
	for (i = 0; i < pos; i++)
		if (s[i] == '\n') {
			line++;
			bol = i + 1;
		}
	err->code = code;
	err->pos = pos;
	err->line = line;
	err->col = (int)(pos - bol + 1);
	return -1;
}

/* Bit stack of open containers: 1 object, 0 array. */
#define ISOBJ(d)	(stk[((d) - 1) >> 3] >> (((d) - 1) & 7) & 1)

int
jscan_validate(const char *str, size_t len, int max_depth,
    struct jscan_want *want, size_t nwant, struct jscan_err *err)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned char		 stk[JSCAN_JANSSON_DEPTH / 8];
	struct keys		 kt;
	struct key		 key;
	struct jscan_want	*cur = NULL;
	size_t			 i = 0, j, base = 0, start;
	enum jscan_code		 code = JSCAN_OK;
	int			 depth = 0, limit, esc, c;

	kt.v = kt.stack;
	kt.n = 0;
	kt.cap = KEYS_ON_STACK;
	limit = max_depth < JSCAN_JANSSON_DEPTH ? max_depth :
	    JSCAN_JANSSON_DEPTH;
	for (j = 0; j < nwant; j++) {
		want[j].found = want[j].is_string = 0;
		want[j].len = 0;
		if (want[j].bufsz > 0)
			want[j].buf[0] = '\0';
	}
	while (i < len && isws(s[i]))
		i++;
	if (i >= len) {
		code = JSCAN_E_EMPTY;
		goto out;
	}
	if (s[i] != '{' && s[i] != '[') {
		code = s[i] >= 0x80 && text_utf8_len(s + i, len - i) == 0 ?
		    JSCAN_E_UTF8 : JSCAN_E_TOP;
		goto out;
	}

value:
	/* A value is expected at s[i] (whitespace skipped). */
	if (i >= len) {
		code = JSCAN_E_EOF;
		goto out;
	}
	c = s[i];
	if (c == '{' || c == '[') {
		cur = NULL;	/* a wanted key with a non-string value */
		if (depth >= limit) {
			code = JSCAN_E_DEPTH;
			goto out;
		}
		depth++;
		i++;
		if (c == '{') {
			stk[(depth - 1) >> 3] |= 1u << ((depth - 1) & 7);
			/* Marker: the outer object's base, to restore. */
			if (keys_push(&kt, NULL, base, 0) == -1) {
				code = JSCAN_E_NOMEM;
				goto out;
			}
			base = kt.n;
			while (i < len && isws(s[i]))
				i++;
			if (i < len && s[i] == '}') {
				i++;
				goto close_object;
			}
			goto key;
		}
		stk[(depth - 1) >> 3] &= ~(1u << ((depth - 1) & 7));
		while (i < len && isws(s[i]))
			i++;
		if (i < len && s[i] == ']') {
			i++;
			depth--;
			goto next;
		}
		goto value;
	}
	/* jansson counts a scalar as a level of its own. */
	if (depth >= JSCAN_JANSSON_DEPTH) {
		code = JSCAN_E_DEPTH;
		goto out;
	}
	if (c == '"') {
		start = ++i;
		if ((code = scan_string(s, len, &i, &esc)) != JSCAN_OK)
			goto out;
		if (cur != NULL)
			copyout(cur, s + start, i - 1 - start);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if ((code = scan_number(s, len, &i)) != JSCAN_OK)
			goto out;
	} else if (len - i >= 4 && memcmp(s + i, "true", 4) == 0)
		i += 4;
	else if (len - i >= 5 && memcmp(s + i, "false", 5) == 0)
		i += 5;
	else if (len - i >= 4 && memcmp(s + i, "null", 4) == 0)
		i += 4;
	else {
		code = c >= 0x80 && text_utf8_len(s + i, len - i) == 0 ?
		    JSCAN_E_UTF8 : JSCAN_E_SYNTAX;
		goto out;
	}
	/*
	 * jansson quirk: the byte after a number or literal is read and
	 * pushed back, and a pushed-back NUL is lost (stream_get takes a
	 * NUL in its buffer for "empty"), so one NUL there is skipped.
	 */
	if (c != '"' && i < len && s[i] == '\0')
		i++;
	cur = NULL;

next:
	/* After a value: ',' or the close of the container, or the end. */
	while (i < len && isws(s[i]))
		i++;
	if (depth == 0) {
		if (i < len) {
			code = s[i] >= 0x80 && text_utf8_len(s + i, len - i) == 0 ?
			    JSCAN_E_UTF8 : JSCAN_E_TRAILING;
			goto out;
		}
		goto out;
	}
	if (i >= len) {
		code = JSCAN_E_EOF;
		goto out;
	}
	c = s[i++];
	if (ISOBJ(depth)) {
		if (c == '}')
			goto close_object;
		if (c == ',') {
			while (i < len && isws(s[i]))
				i++;
			goto key;
		}
	} else {
		if (c == ']') {
			depth--;
			goto next;
		}
		if (c == ',') {
			while (i < len && isws(s[i]))
				i++;
			goto value;
		}
	}
	i--;
	code = c >= 0x80 && text_utf8_len(s + i, len - i) == 0 ? JSCAN_E_UTF8 :
	    JSCAN_E_SYNTAX;
	goto out;

key:
	/* A key is expected at s[i]. */
	if (i >= len) {
		code = JSCAN_E_EOF;
		goto out;
	}
	if (s[i] != '"') {
		code = s[i] >= 0x80 && text_utf8_len(s + i, len - i) == 0 ?
		    JSCAN_E_UTF8 : JSCAN_E_SYNTAX;
		goto out;
	}
	start = ++i;
	if ((code = scan_string(s, len, &i, &esc)) != JSCAN_OK)
		goto out;
	key.p = s + start;
	key.len = i - 1 - start;
	key.esc = esc;
	if (keys_push(&kt, key.p, key.len, esc) == -1) {
		code = JSCAN_E_NOMEM;
		goto out;
	}
	if (depth == 1)
		for (j = 0; j < nwant; j++)
			if (keyis(&key, want[j].key)) {
				cur = &want[j];
				cur->found = 1;
				break;
			}
	while (i < len && isws(s[i]))
		i++;
	if (i >= len) {
		code = JSCAN_E_EOF;
		goto out;
	}
	if (s[i] != ':') {
		code = s[i] >= 0x80 && text_utf8_len(s + i, len - i) == 0 ?
		    JSCAN_E_UTF8 : JSCAN_E_SYNTAX;
		goto out;
	}
	i++;
	while (i < len && isws(s[i]))
		i++;
	goto value;

close_object:
	if (keys_dup(&kt, base)) {
		code = JSCAN_E_DUPKEY;
		i--;
		goto out;
	}
	kt.n = base - 1;
	base = kt.v[kt.n].len;
	depth--;
	goto next;

out:
	if (kt.v != kt.stack)
		free(kt.v);
	if (code != JSCAN_OK)
		return fail(err, code, str, i < len ? i : len);
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	return 0;
}
