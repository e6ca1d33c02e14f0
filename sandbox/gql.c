/*
 * GraphQL document parser (GraphQL spec, October 2021, section 2 and
 * appendix B). A cursor lexer feeds a recursive-descent parser; every
 * node is allocated from one arena that gql_free() releases at once,
 * so error paths never leak.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gql.h"

/* One arena chunk; big requests get a chunk of their own. */
#define ARENA_CHUNK	8192

struct gql_arena {
	struct gql_arena	*next;
	size_t			 used;
	size_t			 size;
	/* data follows, aligned for any object */
	max_align_t		 data[];
};

enum tok {
	T_EOF,
	T_BANG,		/* ! */
	T_DOLLAR,	/* $ */
	T_AMP,		/* & */
	T_LPAREN,	/* ( */
	T_RPAREN,	/* ) */
	T_SPREAD,	/* ... */
	T_COLON,	/* : */
	T_EQUALS,	/* = */
	T_AT,		/* @ */
	T_LBRACKET,	/* [ */
	T_RBRACKET,	/* ] */
	T_LBRACE,	/* { */
	T_PIPE,		/* | */
	T_RBRACE,	/* } */
	T_NAME,
	T_INT,
	T_FLOAT,
	T_STRING,
	T__MAX
};

static const char *const toknames[T__MAX] = {
	"end of document",	/* T_EOF */
	"\"!\"",		/* T_BANG */
	"\"$\"",		/* T_DOLLAR */
	"\"&\"",		/* T_AMP */
	"\"(\"",		/* T_LPAREN */
	"\")\"",		/* T_RPAREN */
	"\"...\"",		/* T_SPREAD */
	"\":\"",		/* T_COLON */
	"\"=\"",		/* T_EQUALS */
	"\"@\"",		/* T_AT */
	"\"[\"",		/* T_LBRACKET */
	"\"]\"",		/* T_RBRACKET */
	"\"{\"",		/* T_LBRACE */
	"\"|\"",		/* T_PIPE */
	"\"}\"",		/* T_RBRACE */
	"Name",			/* T_NAME */
	"Int",			/* T_INT */
	"Float",		/* T_FLOAT */
	"String",		/* T_STRING */
};

struct parser {
	const char		*src;
	size_t			 len;
	size_t			 pos;
	unsigned int		 line;
	size_t			 linestart;
	/* current token */
	enum tok		 tok;
	char			*text;		/* arena copy, NAME/INT/FLOAT/STRING */
	unsigned int		 tline, tcol;
	int			 depth;
	struct gql_arena	*arena;
	struct gql_error	*err;
	int			 failed;
};

static void *
arena_alloc(struct parser *p, size_t sz)
{
	struct gql_arena	*a = p->arena, *n;
	size_t			 al = sizeof(max_align_t), csz;
	void			*r;

	sz = (sz + al - 1) / al * al;
	if (a == NULL || a->size - a->used < sz) {
		csz = sz > ARENA_CHUNK ? sz : ARENA_CHUNK;
		if ((n = malloc(sizeof(*n) + csz)) == NULL)
			return NULL;
		n->used = 0;
		n->size = csz;
		n->next = a;
		p->arena = a = n;
	}
	r = (char *)a->data + a->used;
	a->used += sz;
	memset(r, 0, sz);
	return r;
}

static void
arena_free(struct gql_arena *a)
{
	struct gql_arena	*n;

	for (; a != NULL; a = n) {
		n = a->next;
		free(a);
	}
}

static void
fail_at(struct parser *p, unsigned int line, unsigned int col,
    const char *fmt, ...)
{
	va_list	 ap;

	if (p->failed)
		return;
	p->failed = 1;
	p->err->line = line;
	p->err->col = col;
	va_start(ap, fmt);
	(void)vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

#define FAIL(p, ...) fail_at((p), (p)->tline, (p)->tcol, __VA_ARGS__)

static void *
palloc(struct parser *p, size_t sz)
{
	void	*r;

	if ((r = arena_alloc(p, sz)) == NULL)
		FAIL(p, "Out of memory");
	return r;
}

static char *
pstrndup(struct parser *p, const char *s, size_t n)
{
	char	*r;

	if ((r = palloc(p, n + 1)) == NULL)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static unsigned int
curcol(const struct parser *p)
{

	return (unsigned int)(p->pos - p->linestart) + 1;
}

/* Skip whitespace, commas, comments and a BOM (spec 2.1.2-2.1.7). */
static void
skip_ignored(struct parser *p)
{
	unsigned char	c;

	while (p->pos < p->len) {
		c = (unsigned char)p->src[p->pos];
		if (c == ' ' || c == '\t' || c == ',')
			p->pos++;
		else if (c == '\n') {
			p->pos++;
			p->line++;
			p->linestart = p->pos;
		} else if (c == '\r') {
			p->pos++;
			if (p->pos < p->len && p->src[p->pos] == '\n')
				p->pos++;
			p->line++;
			p->linestart = p->pos;
		} else if (c == '#') {
			while (p->pos < p->len && p->src[p->pos] != '\n' &&
			    p->src[p->pos] != '\r')
				p->pos++;
		} else if (c == 0xef && p->pos + 2 < p->len &&
		    (unsigned char)p->src[p->pos + 1] == 0xbb &&
		    (unsigned char)p->src[p->pos + 2] == 0xbf)
			p->pos += 3;
		else
			break;
	}
}

/* Append one code point as UTF-8; 0 or -1. */
static int
put_utf8(char *out, size_t *o, unsigned long cp)
{

	if (cp < 0x80)
		out[(*o)++] = (char)cp;
	else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			return -1;
		out[(*o)++] = (char)(0xe0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp <= 0x10ffff) {
		out[(*o)++] = (char)(0xf0 | (cp >> 18));
		out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else
		return -1;
	return 0;
}

static int
hex4(const char *s, unsigned long *out)
{
	int		 i;
	unsigned long	 v = 0;

	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (unsigned long)(isdigit((unsigned char)s[i]) ?
		    s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	*out = v;
	return 0;
}

/* A "..." string (spec 2.9.4); the opening quote is at p->pos. */
static void
lex_string(struct parser *p)
{
	size_t		 start = p->pos + 1, i, o = 0;
	char		*out;
	unsigned long	 cp, lo;
	unsigned char	 c;

	/* The decoded string is never longer than the source. */
	for (i = start; i < p->len && p->src[i] != '"'; i++) {
		if (p->src[i] == '\\' && i + 1 < p->len)
			i++;
		if (p->src[i] == '\n' || p->src[i] == '\r') {
			fail_at(p, p->line, (unsigned int)(i - p->linestart) + 1,
			    "Syntax Error: Unterminated string.");
			return;
		}
	}
	if (i >= p->len) {
		fail_at(p, p->line, (unsigned int)(i - p->linestart) + 1,
		    "Syntax Error: Unterminated string.");
		return;
	}
	if ((out = palloc(p, i - start + 1)) == NULL)
		return;
	for (i = start; p->src[i] != '"'; i++) {
		c = (unsigned char)p->src[i];
		if (c < 0x20 && c != '\t') {
			fail_at(p, p->line, (unsigned int)(i - p->linestart) + 1,
			    "Syntax Error: Invalid character within String: "
			    "\"\\u%04X\".", c);
			return;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		i++;
		switch (p->src[i]) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			if (i + 4 >= p->len || hex4(p->src + i + 1, &cp) == -1)
				goto badesc;
			i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < p->len &&
			    p->src[i + 1] == '\\' && p->src[i + 2] == 'u' &&
			    hex4(p->src + i + 3, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
			if (cp == 0 || put_utf8(out, &o, cp) == -1)
				goto badesc;
			break;
		default:
			goto badesc;
		}
	}
	out[o] = '\0';
	p->text = out;
	p->pos = i + 1;
	p->tok = T_STRING;
	return;
badesc:
	fail_at(p, p->line, (unsigned int)(i - p->linestart) + 1,
	    "Syntax Error: Invalid character escape sequence.");
}

/*
 * A """block string""" (spec 2.9.4, BlockStringValue): raw text with
 * \""" as the only escape, common indentation removed, blank first and
 * last lines dropped.
 */
static void
lex_block(struct parser *p)
{
	size_t		 i = p->pos + 3, o = 0, n, indent = SIZE_MAX, ls, k;
	char		*raw, *out;
	unsigned int	 line = p->line;
	size_t		 lstart = p->linestart;
	int		 first;

	if ((raw = palloc(p, p->len - i + 1)) == NULL)
		return;
	while (i < p->len) {
		if (p->len - i >= 3 && memcmp(p->src + i, "\"\"\"", 3) == 0)
			break;
		if (p->len - i >= 4 && memcmp(p->src + i, "\\\"\"\"", 4) == 0) {
			memcpy(raw + o, "\"\"\"", 3);
			o += 3;
			i += 4;
			continue;
		}
		if (p->src[i] == '\n') {
			line++;
			lstart = i + 1;
		}
		raw[o++] = p->src[i++];
	}
	if (i >= p->len) {
		fail_at(p, p->tline, p->tcol,
		    "Syntax Error: Unterminated string.");
		return;
	}
	raw[o] = '\0';
	p->pos = i + 3;
	p->line = line;
	p->linestart = lstart;
	/* Common indentation of every line but the first. */
	first = 1;
	for (ls = 0; ls <= o; ) {
		for (n = ls; n < o && raw[n] != '\n'; n++)
			continue;
		if (!first) {
			for (k = ls; k < n && (raw[k] == ' ' || raw[k] == '\t');
			    k++)
				continue;
			if (k < n && k - ls < indent)
				indent = k - ls;
		}
		first = 0;
		ls = n + 1;
	}
	if ((out = palloc(p, o + 1)) == NULL)
		return;
	n = 0;
	first = 1;
	for (ls = 0; ls <= o; ) {
		size_t	e, s;
		for (e = ls; e < o && raw[e] != '\n'; e++)
			continue;
		s = ls;
		if (!first && indent != SIZE_MAX)
			s = (e - ls > indent) ? ls + indent : e;
		if (!first)
			out[n++] = '\n';
		memcpy(out + n, raw + s, e - s);
		n += e - s;
		first = 0;
		ls = e + 1;
	}
	out[n] = '\0';
	/* Drop leading and trailing blank lines. */
	for (;;) {
		for (k = 0; out[k] == ' ' || out[k] == '\t'; k++)
			continue;
		if (out[k] != '\n')
			break;
		memmove(out, out + k + 1, strlen(out + k + 1) + 1);
	}
	n = strlen(out);
	for (;;) {
		for (k = n; k > 0 && (out[k - 1] == ' ' || out[k - 1] == '\t');
		    k--)
			continue;
		if (k == 0) {
			out[0] = '\0';
			break;
		}
		if (out[k - 1] != '\n')
			break;
		out[k - 1] = '\0';
		n = k - 1;
	}
	p->text = out;
	p->tok = T_STRING;
}

/* IntValue / FloatValue (spec 2.9.1, 2.9.2). */
static void
lex_number(struct parser *p)
{
	size_t	i = p->pos;
	int	isfloat = 0;

	if (p->src[i] == '-')
		i++;
	if (i >= p->len || !isdigit((unsigned char)p->src[i]))
		goto bad;
	if (p->src[i] == '0' && i + 1 < p->len &&
	    isdigit((unsigned char)p->src[i + 1])) {
		fail_at(p, p->line, (unsigned int)(i + 1 - p->linestart) + 1,
		    "Syntax Error: Invalid number, unexpected digit after 0: "
		    "\"%c\".", p->src[i + 1]);
		return;
	}
	while (i < p->len && isdigit((unsigned char)p->src[i]))
		i++;
	if (i < p->len && p->src[i] == '.') {
		isfloat = 1;
		i++;
		if (i >= p->len || !isdigit((unsigned char)p->src[i]))
			goto bad;
		while (i < p->len && isdigit((unsigned char)p->src[i]))
			i++;
	}
	if (i < p->len && (p->src[i] == 'e' || p->src[i] == 'E')) {
		isfloat = 1;
		i++;
		if (i < p->len && (p->src[i] == '+' || p->src[i] == '-'))
			i++;
		if (i >= p->len || !isdigit((unsigned char)p->src[i]))
			goto bad;
		while (i < p->len && isdigit((unsigned char)p->src[i]))
			i++;
	}
	if (i < p->len && (isalpha((unsigned char)p->src[i]) ||
	    p->src[i] == '_' || p->src[i] == '.'))
		goto bad;
	p->text = pstrndup(p, p->src + p->pos, i - p->pos);
	p->tok = isfloat ? T_FLOAT : T_INT;
	p->pos = i;
	return;
bad:
	fail_at(p, p->line, (unsigned int)(i - p->linestart) + 1,
	    "Syntax Error: Invalid number.");
}

/* Advance to the next token. */
static void
next(struct parser *p)
{
	unsigned char	 c;
	size_t		 i;

	if (p->failed)
		return;
	skip_ignored(p);
	p->tline = p->line;
	p->tcol = curcol(p);
	p->text = NULL;
	if (p->pos >= p->len) {
		p->tok = T_EOF;
		return;
	}
	c = (unsigned char)p->src[p->pos];
	switch (c) {
	case '!': p->tok = T_BANG; p->pos++; return;
	case '$': p->tok = T_DOLLAR; p->pos++; return;
	case '&': p->tok = T_AMP; p->pos++; return;
	case '(': p->tok = T_LPAREN; p->pos++; return;
	case ')': p->tok = T_RPAREN; p->pos++; return;
	case ':': p->tok = T_COLON; p->pos++; return;
	case '=': p->tok = T_EQUALS; p->pos++; return;
	case '@': p->tok = T_AT; p->pos++; return;
	case '[': p->tok = T_LBRACKET; p->pos++; return;
	case ']': p->tok = T_RBRACKET; p->pos++; return;
	case '{': p->tok = T_LBRACE; p->pos++; return;
	case '|': p->tok = T_PIPE; p->pos++; return;
	case '}': p->tok = T_RBRACE; p->pos++; return;
	case '.':
		if (p->len - p->pos >= 3 &&
		    memcmp(p->src + p->pos, "...", 3) == 0) {
			p->tok = T_SPREAD;
			p->pos += 3;
			return;
		}
		FAIL(p, "Syntax Error: Unexpected \".\".");
		return;
	case '"':
		if (p->len - p->pos >= 3 &&
		    memcmp(p->src + p->pos, "\"\"\"", 3) == 0)
			lex_block(p);
		else
			lex_string(p);
		return;
	default:
		break;
	}
	if (c == '-' || isdigit(c)) {
		lex_number(p);
		return;
	}
	if (c == '_' || isalpha(c)) {
		for (i = p->pos; i < p->len && (p->src[i] == '_' ||
		    isalnum((unsigned char)p->src[i])); i++)
			continue;
		if (i - p->pos > GQL_MAX_NAME) {
			FAIL(p, "Syntax Error: Name longer than %d "
			    "characters.", GQL_MAX_NAME);
			return;
		}
		p->text = pstrndup(p, p->src + p->pos, i - p->pos);
		p->tok = T_NAME;
		p->pos = i;
		return;
	}
	if (c < 0x20 || c >= 0x7f)
		FAIL(p, "Syntax Error: Unexpected character: \"\\u%04X\".", c);
	else
		FAIL(p, "Syntax Error: Unexpected character: \"%c\".", c);
}

static void
unexpected(struct parser *p)
{

	if (p->tok == T_NAME || p->tok == T_INT || p->tok == T_FLOAT)
		FAIL(p, "Syntax Error: Unexpected %s \"%s\".",
		    toknames[p->tok], p->text);
	else if (p->tok == T_STRING)
		FAIL(p, "Syntax Error: Unexpected String.");
	else
		FAIL(p, "Syntax Error: Unexpected %s.", toknames[p->tok]);
}

/* Consume token t or fail with "Expected t, found ...". */
static int
expect(struct parser *p, enum tok t)
{

	if (p->failed)
		return -1;
	if (p->tok != t) {
		if (p->tok == T_NAME)
			FAIL(p, "Syntax Error: Expected %s, found Name \"%s\".",
			    toknames[t], p->text);
		else
			FAIL(p, "Syntax Error: Expected %s, found %s.",
			    toknames[t], toknames[p->tok]);
		return -1;
	}
	next(p);
	return p->failed ? -1 : 0;
}

static int
accept(struct parser *p, enum tok t)
{

	if (p->failed || p->tok != t)
		return 0;
	next(p);
	return 1;
}

/* A Name token; returns its text (arena) or NULL. */
static char *
name(struct parser *p)
{
	char	*s;

	if (p->failed)
		return NULL;
	if (p->tok != T_NAME) {
		FAIL(p, "Syntax Error: Expected Name, found %s%s%s%s.",
		    toknames[p->tok], p->text != NULL ? " \"" : "",
		    p->text != NULL && p->tok != T_STRING ? p->text : "",
		    p->text != NULL ? "\"" : "");
		return NULL;
	}
	s = p->text;
	next(p);
	return p->failed ? NULL : s;
}

static int
enter(struct parser *p)
{

	if (++p->depth > GQL_MAX_DEPTH) {
		FAIL(p, "Syntax Error: Document nested deeper than %d.",
		    GQL_MAX_DEPTH);
		return -1;
	}
	return 0;
}

static struct gql_value *value(struct parser *, int);

/* Value[Const] (spec 2.9); isconst refuses variables. */
static struct gql_value *
value(struct parser *p, int isconst)
{
	struct gql_value	*v, *it, **tail;

	if (p->failed || enter(p) == -1)
		return NULL;
	if ((v = palloc(p, sizeof(*v))) == NULL)
		return NULL;
	v->line = p->tline;
	v->col = p->tcol;
	switch (p->tok) {
	case T_DOLLAR:
		if (isconst) {
			FAIL(p, "Syntax Error: Unexpected variable in a "
			    "constant value.");
			return NULL;
		}
		next(p);
		v->kind = GQL_V_VAR;
		if ((v->str = name(p)) == NULL)
			return NULL;
		break;
	case T_INT:
	case T_FLOAT:
		v->kind = p->tok == T_INT ? GQL_V_INT : GQL_V_FLOAT;
		v->str = p->text;
		next(p);
		break;
	case T_STRING:
		v->kind = GQL_V_STRING;
		v->str = p->text;
		next(p);
		break;
	case T_NAME:
		if (strcmp(p->text, "true") == 0 ||
		    strcmp(p->text, "false") == 0) {
			v->kind = GQL_V_BOOL;
			v->boolean = p->text[0] == 't';
		} else if (strcmp(p->text, "null") == 0)
			v->kind = GQL_V_NULL;
		else {
			v->kind = GQL_V_ENUM;
			v->str = p->text;
		}
		next(p);
		break;
	case T_LBRACKET:
		next(p);
		v->kind = GQL_V_LIST;
		tail = &v->items;
		while (!p->failed && p->tok != T_RBRACKET) {
			if (p->tok == T_EOF) {
				unexpected(p);
				return NULL;
			}
			if ((it = value(p, isconst)) == NULL)
				return NULL;
			*tail = it;
			tail = &it->next;
		}
		if (expect(p, T_RBRACKET) == -1)
			return NULL;
		break;
	case T_LBRACE:
		next(p);
		v->kind = GQL_V_OBJECT;
		tail = &v->items;
		while (!p->failed && p->tok != T_RBRACE) {
			unsigned int	 l = p->tline, c = p->tcol;
			char		*k;
			const struct gql_value *o;

			if ((k = name(p)) == NULL ||
			    expect(p, T_COLON) == -1)
				return NULL;
			for (o = v->items; o != NULL; o = o->next)
				if (strcmp(o->key, k) == 0) {
					fail_at(p, l, c, "There can be only "
					    "one input field named \"%s\".", k);
					return NULL;
				}
			if ((it = value(p, isconst)) == NULL)
				return NULL;
			it->key = k;
			*tail = it;
			tail = &it->next;
		}
		if (expect(p, T_RBRACE) == -1)
			return NULL;
		break;
	default:
		unexpected(p);
		return NULL;
	}
	p->depth--;
	return p->failed ? NULL : v;
}

/* Arguments[Const] (spec 2.6); absent is fine. */
static int
arguments(struct parser *p, int isconst, struct gql_arg **out)
{
	struct gql_arg	*a, **tail = out;
	const struct gql_arg *o;

	*out = NULL;
	if (!accept(p, T_LPAREN))
		return p->failed ? -1 : 0;
	if (p->tok == T_RPAREN) {
		FAIL(p, "Syntax Error: Expected Name, found \")\".");
		return -1;
	}
	while (!p->failed && p->tok != T_RPAREN) {
		if ((a = palloc(p, sizeof(*a))) == NULL)
			return -1;
		a->line = p->tline;
		a->col = p->tcol;
		if ((a->name = name(p)) == NULL || expect(p, T_COLON) == -1)
			return -1;
		for (o = *out; o != NULL; o = o->next)
			if (strcmp(o->name, a->name) == 0) {
				fail_at(p, a->line, a->col, "There can be only "
				    "one argument named \"%s\".", a->name);
				return -1;
			}
		if ((a->value = value(p, isconst)) == NULL)
			return -1;
		*tail = a;
		tail = &a->next;
	}
	return expect(p, T_RPAREN);
}

static int
directives(struct parser *p, int isconst, struct gql_directive **out)
{
	struct gql_directive	*d, **tail = out;

	*out = NULL;
	while (!p->failed && p->tok == T_AT) {
		if ((d = palloc(p, sizeof(*d))) == NULL)
			return -1;
		d->line = p->tline;
		d->col = p->tcol;
		next(p);
		if ((d->name = name(p)) == NULL ||
		    arguments(p, isconst, &d->args) == -1)
			return -1;
		*tail = d;
		tail = &d->next;
	}
	return p->failed ? -1 : 0;
}

static int selection_set(struct parser *, struct gql_sel **);

/* Field or fragment (spec 2.4-2.8). */
static struct gql_sel *
selection(struct parser *p)
{
	struct gql_sel	*s;
	char		*n;

	if ((s = palloc(p, sizeof(*s))) == NULL)
		return NULL;
	s->line = p->tline;
	s->col = p->tcol;
	if (accept(p, T_SPREAD)) {
		if (p->tok == T_NAME && strcmp(p->text, "on") != 0) {
			s->kind = GQL_S_SPREAD;
			s->name = name(p);
			if (directives(p, 0, &s->dirs) == -1)
				return NULL;
			return s;
		}
		s->kind = GQL_S_INLINE;
		if (p->tok == T_NAME) {
			next(p);
			if ((s->type_cond = name(p)) == NULL)
				return NULL;
		}
		if (directives(p, 0, &s->dirs) == -1 ||
		    selection_set(p, &s->sels) == -1)
			return NULL;
		return s;
	}
	s->kind = GQL_S_FIELD;
	if ((n = name(p)) == NULL)
		return NULL;
	if (accept(p, T_COLON)) {
		s->alias = n;
		if ((n = name(p)) == NULL)
			return NULL;
	}
	s->name = n;
	if (arguments(p, 0, &s->args) == -1 ||
	    directives(p, 0, &s->dirs) == -1)
		return NULL;
	if (p->tok == T_LBRACE && selection_set(p, &s->sels) == -1)
		return NULL;
	return p->failed ? NULL : s;
}

/* SelectionSet: { Selection+ } */
static int
selection_set(struct parser *p, struct gql_sel **out)
{
	struct gql_sel	*s, **tail = out;

	*out = NULL;
	if (enter(p) == -1 || expect(p, T_LBRACE) == -1)
		return -1;
	if (p->tok == T_RBRACE) {
		FAIL(p, "Syntax Error: Expected Name, found \"}\".");
		return -1;
	}
	while (!p->failed && p->tok != T_RBRACE) {
		if (p->tok == T_EOF) {
			FAIL(p, "Syntax Error: Expected Name, found <EOF>.");
			return -1;
		}
		if ((s = selection(p)) == NULL)
			return -1;
		*tail = s;
		tail = &s->next;
	}
	p->depth--;
	return expect(p, T_RBRACE);
}

/* Type: Name | [Type] | Type! (spec 2.11). */
static struct gql_type *
type(struct parser *p)
{
	struct gql_type	*t, *nn;

	if (enter(p) == -1 || (t = palloc(p, sizeof(*t))) == NULL)
		return NULL;
	if (accept(p, T_LBRACKET)) {
		t->kind = GQL_T_LIST;
		if ((t->of = type(p)) == NULL || expect(p, T_RBRACKET) == -1)
			return NULL;
	} else {
		t->kind = GQL_T_NAMED;
		if ((t->name = name(p)) == NULL)
			return NULL;
	}
	p->depth--;
	if (accept(p, T_BANG)) {
		if ((nn = palloc(p, sizeof(*nn))) == NULL)
			return NULL;
		nn->kind = GQL_T_NONNULL;
		nn->of = t;
		return nn;
	}
	return p->failed ? NULL : t;
}

static int
variable_defs(struct parser *p, struct gql_vardef **out)
{
	struct gql_vardef	*v, **tail = out;
	const struct gql_vardef	*o;
	struct gql_directive	*dirs;

	*out = NULL;
	if (!accept(p, T_LPAREN))
		return p->failed ? -1 : 0;
	while (!p->failed && p->tok != T_RPAREN) {
		if ((v = palloc(p, sizeof(*v))) == NULL)
			return -1;
		v->line = p->tline;
		v->col = p->tcol;
		if (expect(p, T_DOLLAR) == -1 || (v->name = name(p)) == NULL ||
		    expect(p, T_COLON) == -1 || (v->type = type(p)) == NULL)
			return -1;
		for (o = *out; o != NULL; o = o->next)
			if (strcmp(o->name, v->name) == 0) {
				fail_at(p, v->line, v->col, "There can be only "
				    "one variable named \"$%s\".", v->name);
				return -1;
			}
		if (accept(p, T_EQUALS) && (v->defval = value(p, 1)) == NULL)
			return -1;
		if (directives(p, 1, &dirs) == -1)
			return -1;
		*tail = v;
		tail = &v->next;
	}
	return expect(p, T_RPAREN);
}

static int
definition(struct parser *p, struct gql_doc *d, struct gql_op ***optail,
    struct gql_frag ***fragtail)
{
	struct gql_op	*op;
	struct gql_frag	*f;

	if (p->tok == T_NAME && strcmp(p->text, "fragment") == 0) {
		if ((f = palloc(p, sizeof(*f))) == NULL)
			return -1;
		f->line = p->tline;
		f->col = p->tcol;
		next(p);
		if (p->tok == T_NAME && strcmp(p->text, "on") == 0) {
			FAIL(p, "Syntax Error: Unexpected Name \"on\".");
			return -1;
		}
		if ((f->name = name(p)) == NULL)
			return -1;
		if (p->tok != T_NAME || strcmp(p->text, "on") != 0) {
			expect(p, T_NAME);
			if (!p->failed)
				FAIL(p, "Syntax Error: Expected \"on\".");
			return -1;
		}
		next(p);
		if ((f->type_cond = name(p)) == NULL ||
		    directives(p, 0, &f->dirs) == -1 ||
		    selection_set(p, &f->sels) == -1)
			return -1;
		if (gql_frag_get(d, f->name) != NULL) {
			fail_at(p, f->line, f->col, "There can be only one "
			    "fragment named \"%s\".", f->name);
			return -1;
		}
		**fragtail = f;
		*fragtail = &f->next;
		return 0;
	}
	if ((op = palloc(p, sizeof(*op))) == NULL)
		return -1;
	op->line = p->tline;
	op->col = p->tcol;
	if (p->tok == T_LBRACE)
		op->type = GQL_OP_QUERY;
	else if (p->tok == T_NAME) {
		if (strcmp(p->text, "query") == 0)
			op->type = GQL_OP_QUERY;
		else if (strcmp(p->text, "mutation") == 0)
			op->type = GQL_OP_MUTATION;
		else if (strcmp(p->text, "subscription") == 0)
			op->type = GQL_OP_SUBSCRIPTION;
		else {
			unexpected(p);
			return -1;
		}
		next(p);
		if (p->tok == T_NAME && (op->name = name(p)) == NULL)
			return -1;
		if (variable_defs(p, &op->vars) == -1 ||
		    directives(p, 0, &op->dirs) == -1)
			return -1;
	} else {
		unexpected(p);
		return -1;
	}
	if (selection_set(p, &op->sels) == -1)
		return -1;
	**optail = op;
	*optail = &op->next;
	return 0;
}

/* Parse a document; see gql.h. */
struct gql_doc *
gql_parse(const char *src, size_t len, struct gql_error *err)
{
	struct parser	 p;
	struct gql_doc	*d;
	struct gql_op	**optail;
	struct gql_frag	**fragtail;
	const struct gql_op *o, *q;

	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.src = src;
	p.len = len;
	p.line = 1;
	p.err = err;
	if (len > GQL_MAX_DOC) {
		fail_at(&p, 1, 1, "Document larger than %d bytes.",
		    GQL_MAX_DOC);
		return NULL;
	}
	if (memchr(src, '\0', len) != NULL) {
		const char *z = memchr(src, '\0', len);
		p.pos = (size_t)(z - src);
		/* find the line of the NUL for the message */
		p.pos = 0;
		while (p.pos < (size_t)(z - src)) {
			if (src[p.pos] == '\n') {
				p.line++;
				p.linestart = p.pos + 1;
			}
			p.pos++;
		}
		fail_at(&p, p.line, curcol(&p),
		    "Syntax Error: Unexpected character: \"\\u0000\".");
		return NULL;
	}
	if ((d = arena_alloc(&p, sizeof(*d))) == NULL) {
		fail_at(&p, 1, 1, "Out of memory");
		return NULL;
	}
	optail = &d->ops;
	fragtail = &d->frags;
	next(&p);
	if (!p.failed && p.tok == T_EOF)
		FAIL(&p, "Syntax Error: Unexpected <EOF>.");
	while (!p.failed && p.tok != T_EOF)
		if (definition(&p, d, &optail, &fragtail) == -1)
			break;
	/* Operation names are unique; an anonymous one stands alone. */
	for (o = d->ops; !p.failed && o != NULL; o = o->next) {
		if (o->name == NULL && (o != d->ops || o->next != NULL))
			fail_at(&p, o->line, o->col, "This anonymous operation "
			    "must be the only defined operation.");
		for (q = o->next; !p.failed && o->name != NULL && q != NULL;
		    q = q->next)
			if (q->name != NULL && strcmp(q->name, o->name) == 0)
				fail_at(&p, q->line, q->col, "There can be only "
				    "one operation named \"%s\".", o->name);
	}
	if (!p.failed && d->ops == NULL)
		fail_at(&p, 1, 1, "Document contains no operation.");
	if (p.failed) {
		arena_free(p.arena);
		return NULL;
	}
	d->arena = p.arena;
	return d;
}

/* Release a document; accepts NULL. The doc itself sits in its arena. */
void
gql_free(struct gql_doc *d)
{

	if (d != NULL)
		arena_free(d->arena);
}

const struct gql_op *
gql_op_get(const struct gql_doc *d, const char *opname,
    struct gql_error *err)
{
	const struct gql_op	*o;

	memset(err, 0, sizeof(*err));
	if (opname == NULL || *opname == '\0') {
		if (d->ops != NULL && d->ops->next == NULL)
			return d->ops;
		(void)snprintf(err->msg, sizeof(err->msg), "Must provide "
		    "operation name if query contains multiple operations.");
		return NULL;
	}
	for (o = d->ops; o != NULL; o = o->next)
		if (o->name != NULL && strcmp(o->name, opname) == 0)
			return o;
	(void)snprintf(err->msg, sizeof(err->msg),
	    "Unknown operation named \"%s\".", opname);
	return NULL;
}

const struct gql_frag *
gql_frag_get(const struct gql_doc *d, const char *fname)
{
	const struct gql_frag	*f;

	for (f = d->frags; f != NULL; f = f->next)
		if (strcmp(f->name, fname) == 0)
			return f;
	return NULL;
}

const struct gql_arg *
gql_arg_get(const struct gql_arg *a, const char *aname)
{

	for (; a != NULL; a = a->next)
		if (strcmp(a->name, aname) == 0)
			return a;
	return NULL;
}

/* Value as JSON; see gql.h. */
json_t *
gql_value_json(const struct gql_value *v, const json_t *vars,
    struct gql_error *err)
{
	json_t			*j = NULL, *it;
	const struct gql_value	*c;
	char			*end;
	long long		 ll;
	double			 d;

	switch (v->kind) {
	case GQL_V_VAR:
		it = vars != NULL ?
		    json_object_get(vars, v->str) : NULL;
		if (it == NULL) {
			err->line = v->line;
			err->col = v->col;
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Variable \"$%s\" is not defined.", v->str);
			return NULL;
		}
		return json_incref(it);
	case GQL_V_INT:
		ll = strtoll(v->str, &end, 10);
		if (*end == '\0' && ll >= INT32_MIN && ll <= INT32_MAX)
			return json_integer(ll);
		/* Too big for Int: keep it as a float-ish number. */
		return json_real(strtod(v->str, NULL));
	case GQL_V_FLOAT:
		d = strtod(v->str, NULL);
		return json_real(d);
	case GQL_V_STRING:
	case GQL_V_ENUM:
		return json_string(v->str);
	case GQL_V_BOOL:
		return json_boolean(v->boolean);
	case GQL_V_NULL:
		return json_null();
	case GQL_V_LIST:
		if ((j = json_array()) == NULL)
			return NULL;
		for (c = v->items; c != NULL; c = c->next) {
			if ((it = gql_value_json(c, vars, err)) == NULL ||
			    json_array_append_new(j, it) == -1)
				goto fail;
		}
		return j;
	case GQL_V_OBJECT:
		if ((j = json_object()) == NULL)
			return NULL;
		for (c = v->items; c != NULL; c = c->next) {
			if ((it = gql_value_json(c, vars, err)) == NULL ||
			    json_object_set_new(j, c->key, it) == -1)
				goto fail;
		}
		return j;
	default:
		break;
	}
	return NULL;
fail:
	json_decref(j);
	return NULL;
}

int
gql_type_str(const struct gql_type *t, char *buf, size_t bufsz)
{
	char	 inner[256];
	int	 n;

	switch (t->kind) {
	case GQL_T_NAMED:
		n = snprintf(buf, bufsz, "%s", t->name);
		break;
	case GQL_T_LIST:
		if (gql_type_str(t->of, inner, sizeof(inner)) == -1)
			return -1;
		n = snprintf(buf, bufsz, "[%s]", inner);
		break;
	case GQL_T_NONNULL:
		if (gql_type_str(t->of, inner, sizeof(inner)) == -1)
			return -1;
		n = snprintf(buf, bufsz, "%s!", inner);
		break;
	default:
		return -1;
	}
	return (n < 0 || (size_t)n >= bufsz) ? -1 : 0;
}

/* --- AST as JSON (tests) ---------------------------------------------- */

static const char *const vkinds[GQL_V__MAX] = {
	"variable",	/* GQL_V_VAR */
	"int",		/* GQL_V_INT */
	"float",	/* GQL_V_FLOAT */
	"string",	/* GQL_V_STRING */
	"boolean",	/* GQL_V_BOOL */
	"null",		/* GQL_V_NULL */
	"enum",		/* GQL_V_ENUM */
	"list",		/* GQL_V_LIST */
	"object",	/* GQL_V_OBJECT */
};

static const char *const optypes[GQL_OP__MAX] = {
	"query",	/* GQL_OP_QUERY */
	"mutation",	/* GQL_OP_MUTATION */
	"subscription",	/* GQL_OP_SUBSCRIPTION */
};

static json_t *
value_ast(const struct gql_value *v)
{
	json_t			*j, *a;
	const struct gql_value	*c;

	j = json_pack("{s:s}", "kind", vkinds[v->kind]);
	if (j == NULL)
		return NULL;
	switch (v->kind) {
	case GQL_V_BOOL:
		json_object_set_new(j, "value", json_boolean(v->boolean));
		break;
	case GQL_V_NULL:
		break;
	case GQL_V_LIST:
	case GQL_V_OBJECT:
		a = json_array();
		for (c = v->items; c != NULL; c = c->next) {
			json_t *e = value_ast(c);
			if (e != NULL && c->key != NULL)
				json_object_set_new(e, "key",
				    json_string(c->key));
			json_array_append_new(a, e);
		}
		json_object_set_new(j, "items", a);
		break;
	default:
		json_object_set_new(j, "value", json_string(v->str));
		break;
	}
	return j;
}

static json_t *
args_ast(const struct gql_arg *a)
{
	json_t	*j = json_object();

	for (; a != NULL; a = a->next)
		json_object_set_new(j, a->name, value_ast(a->value));
	return j;
}

static json_t *
dirs_ast(const struct gql_directive *d)
{
	json_t	*j = json_array();

	for (; d != NULL; d = d->next)
		json_array_append_new(j, json_pack("{s:s,s:o}", "name",
		    d->name, "args", args_ast(d->args)));
	return j;
}

static json_t *
sels_ast(const struct gql_sel *s)
{
	json_t	*j = json_array(), *e;

	for (; s != NULL; s = s->next) {
		e = json_pack("{s:s,s:[i,i]}", "kind",
		    s->kind == GQL_S_FIELD ? "field" :
		    s->kind == GQL_S_SPREAD ? "spread" : "inline",
		    "at", s->line, s->col);
		if (e == NULL)
			continue;
		if (s->alias != NULL)
			json_object_set_new(e, "alias", json_string(s->alias));
		if (s->name != NULL)
			json_object_set_new(e, "name", json_string(s->name));
		if (s->type_cond != NULL)
			json_object_set_new(e, "on", json_string(s->type_cond));
		if (s->args != NULL)
			json_object_set_new(e, "args", args_ast(s->args));
		if (s->dirs != NULL)
			json_object_set_new(e, "directives", dirs_ast(s->dirs));
		if (s->sels != NULL)
			json_object_set_new(e, "selections", sels_ast(s->sels));
		json_array_append_new(j, e);
	}
	return j;
}

json_t *
gql_doc_json(const struct gql_doc *d)
{
	json_t			*j, *ops, *frags, *o, *vars;
	const struct gql_op	*op;
	const struct gql_frag	*f;
	const struct gql_vardef	*v;
	char			 tbuf[256];

	ops = json_array();
	frags = json_array();
	for (op = d->ops; op != NULL; op = op->next) {
		vars = json_array();
		for (v = op->vars; v != NULL; v = v->next) {
			if (gql_type_str(v->type, tbuf, sizeof(tbuf)) == -1)
				(void)snprintf(tbuf, sizeof(tbuf), "?");
			o = json_pack("{s:s,s:s}", "name", v->name, "type",
			    tbuf);
			if (o != NULL && v->defval != NULL)
				json_object_set_new(o, "default",
				    value_ast(v->defval));
			json_array_append_new(vars, o);
		}
		o = json_pack("{s:s,s:o,s:o}", "operation", optypes[op->type],
		    "variables", vars, "selections", sels_ast(op->sels));
		if (o != NULL && op->name != NULL)
			json_object_set_new(o, "name", json_string(op->name));
		if (o != NULL && op->dirs != NULL)
			json_object_set_new(o, "directives", dirs_ast(op->dirs));
		json_array_append_new(ops, o);
	}
	for (f = d->frags; f != NULL; f = f->next)
		json_array_append_new(frags, json_pack("{s:s,s:s,s:o}",
		    "name", f->name, "on", f->type_cond, "selections",
		    sels_ast(f->sels)));
	j = json_pack("{s:o,s:o}", "operations", ops, "fragments", frags);
	return j;
}
