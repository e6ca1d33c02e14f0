/*
 * SData where= parser and evaluator; see sdata.h. Grammar, lowest
 * precedence first (SData 2.0 core 0212 operator table):
 *
 *	expr	:= and { "or" and }
 *	and	:= not { "and" not }
 *	not	:= "not" not | cmp
 *	cmp	:= sum [ relop sum | "like" sum | ["not"] "in" list
 *		   | ["not"] "between" sum "and" sum ]
 *	list	:= "(" sum { "," sum } ")" | sum { "," sum }
 *	sum	:= prod { ("+" | "-") prod }
 *	prod	:= unary { ("mul" | "div" | "mod" | "*" | "/") unary }
 *	unary	:= "-" unary | primary
 *	primary	:= literal | name [ "(" [ expr { "," expr } ] ")" ]
 *		   | "(" expr ")"
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "sdata.h"

enum ekind {
	E_OR,
	E_AND,
	E_NOT,
	E_CMP,		/* op: enum cmpop */
	E_LIKE,
	E_IN,		/* a in list (args) */
	E_BETWEEN,	/* a between b and c */
	E_ARITH,	/* op: + - * / % */
	E_NEG,
	E_FUNC,		/* s: name, args */
	E_PROP,		/* s: name */
	E_STR,
	E_NUM,
	E_DATE,		/* s: literal text, ms */
	E_DATETIME,	/* s: literal text, ms */
	E_NULL,
	E_BOOL,
	E__MAX
};

enum cmpop {
	C_EQ,
	C_NE,
	C_LT,
	C_LE,
	C_GT,
	C_GE,
	C__MAX
};

static const char *const cmpnames[C__MAX] = {
	"eq",	/* C_EQ */
	"ne",	/* C_NE */
	"lt",	/* C_LT */
	"le",	/* C_LE */
	"gt",	/* C_GT */
	"ge",	/* C_GE */
};

struct sdata_expr {
	enum ekind		 kind;
	int			 op;
	int			 negate;	/* not in / not between */
	char			*s;
	double			 num;
	int64_t			 ms;
	struct sdata_expr	*a, *b, *c;
	struct sdata_expr	*args;		/* E_IN, E_FUNC: linked by next */
	struct sdata_expr	*next;
	size_t			 pos;
};

enum tok {
	T_EOF,
	T_LP,
	T_RP,
	T_COMMA,
	T_PLUS,
	T_MINUS,
	T_STAR,
	T_SLASH,
	T_REL,		/* relational symbol; op in tokop */
	T_NAME,
	T_STR,
	T_NUM,
	T_AT,		/* @...@ */
	T__MAX
};

struct parser {
	const char		*src;
	size_t			 pos;
	enum tok		 tok;
	size_t			 tpos;
	int			 tokop;
	char			*text;		/* owned by the parser */
	int			 depth;
	struct sdata_error	*err;
	int			 failed;
};

static void
fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list	ap;

	if (p->failed)
		return;
	p->failed = 1;
	p->err->pos = pos;
	va_start(ap, fmt);
	(void)vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

static void
next(struct parser *p)
{
	const char	*s = p->src;
	size_t		 i, o;
	char		*t;

	free(p->text);
	p->text = NULL;
	if (p->failed)
		return;
	while (isspace((unsigned char)s[p->pos]))
		p->pos++;
	p->tpos = p->pos;
	switch (s[p->pos]) {
	case '\0': p->tok = T_EOF; return;
	case '(': p->tok = T_LP; p->pos++; return;
	case ')': p->tok = T_RP; p->pos++; return;
	case ',': p->tok = T_COMMA; p->pos++; return;
	case '+': p->tok = T_PLUS; p->pos++; return;
	case '-': p->tok = T_MINUS; p->pos++; return;
	case '*': p->tok = T_STAR; p->pos++; return;
	case '/': p->tok = T_SLASH; p->pos++; return;
	case '=':
		p->tok = T_REL;
		p->tokop = C_EQ;
		p->pos++;
		return;
	case '!':
		if (s[p->pos + 1] == '=') {
			p->tok = T_REL;
			p->tokop = C_NE;
			p->pos += 2;
			return;
		}
		break;
	case '<':
		p->tok = T_REL;
		if (s[p->pos + 1] == '>') {
			p->tokop = C_NE;
			p->pos += 2;
		} else if (s[p->pos + 1] == '=') {
			p->tokop = C_LE;
			p->pos += 2;
		} else {
			p->tokop = C_LT;
			p->pos++;
		}
		return;
	case '>':
		p->tok = T_REL;
		if (s[p->pos + 1] == '=') {
			p->tokop = C_GE;
			p->pos += 2;
		} else {
			p->tokop = C_GT;
			p->pos++;
		}
		return;
	case '\'':
	case '"':
		/* Quote doubled inside is a literal quote (SData). */
		if ((t = malloc(strlen(s + p->pos) + 1)) == NULL) {
			fail(p, p->pos, "Out of memory");
			return;
		}
		o = 0;
		for (i = p->pos + 1; ; i++) {
			if (s[i] == '\0') {
				free(t);
				fail(p, p->pos, "Unterminated string");
				return;
			}
			if (s[i] == s[p->pos]) {
				if (s[i + 1] == s[p->pos]) {
					t[o++] = s[i++];
					continue;
				}
				break;
			}
			t[o++] = s[i];
		}
		t[o] = '\0';
		p->text = t;
		p->tok = T_STR;
		p->pos = i + 1;
		return;
	case '@':
		for (i = p->pos + 1; s[i] != '\0' && s[i] != '@'; i++)
			continue;
		if (s[i] != '@') {
			fail(p, p->pos, "Unterminated @ literal");
			return;
		}
		p->text = strndup(s + p->pos + 1, i - p->pos - 1);
		p->tok = T_AT;
		p->pos = i + 1;
		return;
	default:
		break;
	}
	if (isdigit((unsigned char)s[p->pos]) || (s[p->pos] == '.' &&
	    isdigit((unsigned char)s[p->pos + 1]))) {
		for (i = p->pos; isdigit((unsigned char)s[i]); i++)
			continue;
		if (s[i] == '.')
			for (i++; isdigit((unsigned char)s[i]); i++)
				continue;
		if (isalpha((unsigned char)s[i]) || s[i] == '_') {
			fail(p, p->pos, "Invalid number");
			return;
		}
		p->text = strndup(s + p->pos, i - p->pos);
		p->tok = T_NUM;
		p->pos = i;
		return;
	}
	if (isalpha((unsigned char)s[p->pos]) || s[p->pos] == '_' ||
	    s[p->pos] == '$') {
		for (i = p->pos; isalnum((unsigned char)s[i]) || s[i] == '_' ||
		    s[i] == '$' || s[i] == '.'; i++)
			continue;
		if (i - p->pos > SDATA_MAX_NAME) {
			fail(p, p->pos, "Name too long");
			return;
		}
		p->text = strndup(s + p->pos, i - p->pos);
		p->tok = T_NAME;
		p->pos = i;
		return;
	}
	fail(p, p->pos, "Unexpected character '%c'", s[p->pos]);
}

/* Whether the current token is the keyword kw (case-insensitive). */
static int
iskw(const struct parser *p, const char *kw)
{

	return p->tok == T_NAME && strcasecmp(p->text, kw) == 0;
}

static struct sdata_expr *
node(struct parser *p, enum ekind k, size_t pos)
{
	struct sdata_expr	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		fail(p, pos, "Out of memory");
		return NULL;
	}
	e->kind = k;
	e->pos = pos;
	return e;
}

/* Keywords that cannot name a property. */
static int
reserved(const char *s)
{
	static const char *const kw[] = { "and", "or", "not", "eq", "ne",
	    "lt", "le", "gt", "ge", "like", "in", "between", "mul", "div",
	    "mod", NULL };
	size_t	i;

	for (i = 0; kw[i] != NULL; i++)
		if (strcasecmp(s, kw[i]) == 0)
			return 1;
	return 0;
}

static const char *const funcs[] = {
	"left", "right", "upper", "lower", "length", "len", "trim", NULL
};

static struct sdata_expr *expr(struct parser *);
static struct sdata_expr *sum(struct parser *);

/* Days since 1970-01-01 (H. Hinnant's days_from_civil). */
static int64_t
civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+hh:mm]" to UTC ms.
 * Returns 1 for a date, 2 for a datetime, -1 when malformed.
 */
static int
parse_when(const char *s, int64_t *ms)
{
	int	y, mo, d, h = 0, mi = 0, se = 0, frac = 0, n, oh, om, fd = 0;
	int64_t	off = 0;
	int	kind = 1;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		kind = 2;
		s++;
		if (sscanf(s, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 ||
		    h > 23 || mi > 59)
			return -1;
		s += 5;
		if (*s == ':') {
			if (!isdigit((unsigned char)s[1]) ||
			    !isdigit((unsigned char)s[2]))
				return -1;
			se = (s[1] - '0') * 10 + (s[2] - '0');
			s += 3;
		}
		if (*s == '.') {
			for (s++; isdigit((unsigned char)*s); s++, fd++)
				if (fd < 3)
					frac = frac * 10 + (*s - '0');
			for (; fd < 3; fd++)
				frac *= 10;
		}
		if (*s == 'Z')
			s++;
		else if (*s == '+' || *s == '-') {
			if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 ||
			    n != 5)
				return -1;
			off = (int64_t)(oh * 60 + om) * 60000;
			if (*s == '+')
				off = -off;
			s += 6;
		}
	}
	if (*s != '\0')
		return -1;
	*ms = (civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	    mi * 60 + se) * 1000 + frac + off;
	return kind;
}

static struct sdata_expr *
primary(struct parser *p)
{
	struct sdata_expr	*e = NULL, *arg, **tail;
	size_t			 pos = p->tpos, i;
	int			 k;

	if (p->failed)
		return NULL;
	if (++p->depth > SDATA_MAX_DEPTH) {
		fail(p, pos, "Expression nested too deep");
		return NULL;
	}
	switch (p->tok) {
	case T_LP:
		next(p);
		if ((e = expr(p)) == NULL)
			return NULL;
		if (p->tok != T_RP) {
			fail(p, p->tpos, "Expected ')'");
			sdata_free(e);
			return NULL;
		}
		next(p);
		break;
	case T_STR:
		if ((e = node(p, E_STR, pos)) == NULL)
			return NULL;
		e->s = p->text;
		p->text = NULL;
		next(p);
		break;
	case T_NUM:
		if ((e = node(p, E_NUM, pos)) == NULL)
			return NULL;
		e->num = strtod(p->text, NULL);
		e->s = p->text;
		p->text = NULL;
		next(p);
		break;
	case T_AT:
		k = parse_when(p->text, &(int64_t){0});
		if (k == -1) {
			fail(p, pos, "Invalid date literal '@%s@'", p->text);
			return NULL;
		}
		if ((e = node(p, k == 1 ? E_DATE : E_DATETIME, pos)) == NULL)
			return NULL;
		(void)parse_when(p->text, &e->ms);
		e->s = p->text;
		p->text = NULL;
		next(p);
		break;
	case T_NAME:
		if (strcasecmp(p->text, "null") == 0 ||
		    strcasecmp(p->text, "true") == 0 ||
		    strcasecmp(p->text, "false") == 0) {
			if ((e = node(p, p->text[0] == 'n' ||
			    p->text[0] == 'N' ? E_NULL : E_BOOL, pos)) == NULL)
				return NULL;
			e->op = tolower((unsigned char)p->text[0]) == 't';
			next(p);
			break;
		}
		if (reserved(p->text)) {
			fail(p, pos, "Unexpected keyword '%s'", p->text);
			return NULL;
		}
		if (p->src[p->pos + strspn(p->src + p->pos, " \t")] == '(') {
			for (i = 0; funcs[i] != NULL; i++)
				if (strcasecmp(funcs[i], p->text) == 0)
					break;
			if (funcs[i] == NULL) {
				fail(p, pos, "Unknown function '%s'", p->text);
				return NULL;
			}
			if ((e = node(p, E_FUNC, pos)) == NULL)
				return NULL;
			e->s = strdup(funcs[i]);
			next(p);	/* name */
			next(p);	/* ( */
			tail = &e->args;
			if (p->tok != T_RP)
				for (;;) {
					if ((arg = expr(p)) == NULL) {
						sdata_free(e);
						return NULL;
					}
					*tail = arg;
					tail = &arg->next;
					if (p->tok != T_COMMA)
						break;
					next(p);
				}
			if (p->tok != T_RP) {
				fail(p, p->tpos, "Expected ')' after "
				    "arguments of '%s'", e->s);
				sdata_free(e);
				return NULL;
			}
			next(p);
			{
				size_t	n = 0, want;
				for (arg = e->args; arg != NULL;
				    arg = arg->next)
					n++;
				want = strcmp(e->s, "left") == 0 ||
				    strcmp(e->s, "right") == 0 ? 2 : 1;
				if (n != want) {
					fail(p, pos, "Function '%s' takes %zu "
					    "argument%s", e->s, want,
					    want == 1 ? "" : "s");
					sdata_free(e);
					return NULL;
				}
			}
			break;
		}
		if ((e = node(p, E_PROP, pos)) == NULL)
			return NULL;
		e->s = p->text;
		p->text = NULL;
		next(p);
		break;
	case T_EOF:
		fail(p, pos, "Unexpected end of expression");
		return NULL;
	default:
		fail(p, pos, "Unexpected token");
		return NULL;
	}
	p->depth--;
	if (p->failed) {
		sdata_free(e);
		return NULL;
	}
	return e;
}

static struct sdata_expr *
unary(struct parser *p)
{
	struct sdata_expr	*e, *n;
	size_t			 pos = p->tpos;

	if (p->tok == T_MINUS) {
		next(p);
		if (++p->depth > SDATA_MAX_DEPTH) {
			fail(p, pos, "Expression nested too deep");
			return NULL;
		}
		if ((e = unary(p)) == NULL)
			return NULL;
		p->depth--;
		if (e->kind == E_NUM) {
			e->num = -e->num;
			return e;
		}
		if ((n = node(p, E_NEG, pos)) == NULL) {
			sdata_free(e);
			return NULL;
		}
		n->a = e;
		return n;
	}
	return primary(p);
}

static struct sdata_expr *
binary(struct parser *p, enum ekind k, int op, struct sdata_expr *a,
    struct sdata_expr *b, size_t pos)
{
	struct sdata_expr	*e;

	if (b == NULL || (e = node(p, k, pos)) == NULL) {
		sdata_free(a);
		sdata_free(b);
		return NULL;
	}
	e->op = op;
	e->a = a;
	e->b = b;
	return e;
}

static struct sdata_expr *
prod(struct parser *p)
{
	struct sdata_expr	*e;
	size_t			 pos;
	int			 op;

	if ((e = unary(p)) == NULL)
		return NULL;
	for (;;) {
		pos = p->tpos;
		if (p->tok == T_STAR || iskw(p, "mul"))
			op = '*';
		else if (p->tok == T_SLASH || iskw(p, "div"))
			op = '/';
		else if (iskw(p, "mod"))
			op = '%';
		else
			return e;
		next(p);
		if ((e = binary(p, E_ARITH, op, e, unary(p), pos)) == NULL)
			return NULL;
	}
}

static struct sdata_expr *
sum(struct parser *p)
{
	struct sdata_expr	*e;
	size_t			 pos;
	int			 op;

	if ((e = prod(p)) == NULL)
		return NULL;
	while (p->tok == T_PLUS || p->tok == T_MINUS) {
		pos = p->tpos;
		op = p->tok == T_PLUS ? '+' : '-';
		next(p);
		if ((e = binary(p, E_ARITH, op, e, prod(p), pos)) == NULL)
			return NULL;
	}
	return e;
}

static const char *
relword(const struct parser *p, int *op)
{
	int	i;

	if (p->tok == T_REL) {
		*op = p->tokop;
		return cmpnames[*op];
	}
	if (p->tok != T_NAME)
		return NULL;
	for (i = 0; i < C__MAX; i++)
		if (strcasecmp(p->text, cmpnames[i]) == 0) {
			*op = i;
			return cmpnames[i];
		}
	return NULL;
}

static struct sdata_expr *
cmp(struct parser *p)
{
	struct sdata_expr	*e, *n, *it, **tail;
	size_t			 pos;
	int			 op, neg = 0, paren;

	if ((e = sum(p)) == NULL)
		return NULL;
	pos = p->tpos;
	if (relword(p, &op) != NULL) {
		next(p);
		return binary(p, E_CMP, op, e, sum(p), pos);
	}
	if (iskw(p, "like")) {
		next(p);
		return binary(p, E_LIKE, 0, e, sum(p), pos);
	}
	if (iskw(p, "not")) {
		/* "a not in ..." / "a not between ..." */
		next(p);
		neg = 1;
		if (!iskw(p, "in") && !iskw(p, "between") &&
		    !iskw(p, "like")) {
			fail(p, p->tpos, "Expected 'in', 'like' or 'between' "
			    "after 'not'");
			sdata_free(e);
			return NULL;
		}
		if (iskw(p, "like")) {
			next(p);
			if ((e = binary(p, E_LIKE, 0, e, sum(p), pos)) != NULL)
				e->negate = 1;
			return e;
		}
	}
	if (iskw(p, "in")) {
		next(p);
		if ((n = node(p, E_IN, pos)) == NULL) {
			sdata_free(e);
			return NULL;
		}
		n->a = e;
		n->negate = neg;
		/* "in ('A','B')" and X3 toSData's "in 'A','B'" (§1.5). */
		paren = p->tok == T_LP;
		if (paren)
			next(p);
		tail = &n->args;
		for (;;) {
			if ((it = sum(p)) == NULL) {
				sdata_free(n);
				return NULL;
			}
			*tail = it;
			tail = &it->next;
			if (p->tok != T_COMMA)
				break;
			next(p);
		}
		if (paren) {
			if (p->tok != T_RP) {
				fail(p, p->tpos, "Expected ')' after 'in' "
				    "list");
				sdata_free(n);
				return NULL;
			}
			next(p);
		}
		return n;
	}
	if (iskw(p, "between")) {
		next(p);
		if ((n = node(p, E_BETWEEN, pos)) == NULL) {
			sdata_free(e);
			return NULL;
		}
		n->a = e;
		n->negate = neg;
		if ((n->b = sum(p)) == NULL) {
			sdata_free(n);
			return NULL;
		}
		if (!iskw(p, "and")) {
			fail(p, p->tpos, "Expected 'and' in 'between'");
			sdata_free(n);
			return NULL;
		}
		next(p);
		if ((n->c = sum(p)) == NULL) {
			sdata_free(n);
			return NULL;
		}
		return n;
	}
	return e;
}

static struct sdata_expr *
notexpr(struct parser *p)
{
	struct sdata_expr	*e, *n;
	size_t			 pos = p->tpos;

	if (iskw(p, "not")) {
		next(p);
		if (++p->depth > SDATA_MAX_DEPTH) {
			fail(p, pos, "Expression nested too deep");
			return NULL;
		}
		if ((e = notexpr(p)) == NULL)
			return NULL;
		p->depth--;
		if ((n = node(p, E_NOT, pos)) == NULL) {
			sdata_free(e);
			return NULL;
		}
		n->a = e;
		return n;
	}
	return cmp(p);
}

static struct sdata_expr *
andexpr(struct parser *p)
{
	struct sdata_expr	*e;
	size_t			 pos;

	if ((e = notexpr(p)) == NULL)
		return NULL;
	while (iskw(p, "and")) {
		pos = p->tpos;
		next(p);
		if ((e = binary(p, E_AND, 0, e, notexpr(p), pos)) == NULL)
			return NULL;
	}
	return e;
}

static struct sdata_expr *
expr(struct parser *p)
{
	struct sdata_expr	*e;
	size_t			 pos;

	if ((e = andexpr(p)) == NULL)
		return NULL;
	while (iskw(p, "or")) {
		pos = p->tpos;
		next(p);
		if ((e = binary(p, E_OR, 0, e, andexpr(p), pos)) == NULL)
			return NULL;
	}
	return e;
}

struct sdata_expr *
sdata_parse(const char *src, struct sdata_error *err)
{
	struct parser		 p;
	struct sdata_expr	*e;

	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.src = src;
	p.err = err;
	if (strlen(src) > SDATA_MAX_EXPR) {
		fail(&p, 0, "Expression longer than %d bytes", SDATA_MAX_EXPR);
		return NULL;
	}
	next(&p);
	if (p.tok == T_EOF && !p.failed) {
		fail(&p, 0, "Empty expression");
		return NULL;
	}
	e = expr(&p);
	if (e != NULL && !p.failed && p.tok != T_EOF)
		fail(&p, p.tpos, "Unexpected '%s' after expression",
		    p.text != NULL ? p.text : "token");
	free(p.text);
	if (p.failed) {
		sdata_free(e);
		return NULL;
	}
	return e;
}

void
sdata_free(struct sdata_expr *e)
{
	struct sdata_expr	*n;

	while (e != NULL) {
		n = e->next;
		sdata_free(e->a);
		sdata_free(e->b);
		sdata_free(e->c);
		sdata_free(e->args);
		free(e->s);
		free(e);
		e = n;
	}
}

int
sdata_check(const struct sdata_expr *e, int (*known)(const char *, void *),
    void *arg, struct sdata_error *err)
{

	for (; e != NULL; e = e->next) {
		if (e->kind == E_PROP && !known(e->s, arg)) {
			err->pos = e->pos;
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Unknown property '%s'", e->s);
			return -1;
		}
		if (sdata_check(e->a, known, arg, err) == -1 ||
		    sdata_check(e->b, known, arg, err) == -1 ||
		    sdata_check(e->c, known, arg, err) == -1 ||
		    sdata_check(e->args, known, arg, err) == -1)
			return -1;
	}
	return 0;
}

/* --- evaluation ------------------------------------------------------- */

enum vt {
	V_NULL,
	V_BOOL,
	V_NUM,
	V_STR,
	V_DATE,
	V_DT,
	V__MAX
};

struct val {
	enum vt		 t;
	int		 b;
	double		 n;
	const char	*s;
	char		*own;	/* freed by vfree */
	int64_t		 ms;
};

static void
vfree(struct val *v)
{

	free(v->own);
	v->own = NULL;
}

static int eval(const struct sdata_expr *, const json_t *, struct val *,
    struct sdata_error *);

static int
everr(struct sdata_error *err, const struct sdata_expr *e, const char *msg)
{

	err->pos = e->pos;
	(void)snprintf(err->msg, sizeof(err->msg), "%s", msg);
	return -1;
}

static size_t
u8len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Byte offset of character index i. */
static size_t
u8off(const char *s, size_t i)
{
	size_t	o = 0, n = 0;

	while (s[o] != '\0') {
		if (((unsigned char)s[o] & 0xc0) != 0x80) {
			if (n == i)
				return o;
			n++;
		}
		o++;
	}
	return o;
}

static const char *
vstr(struct val *v, char *buf, size_t bufsz)
{

	switch (v->t) {
	case V_STR:
	case V_DATE:
	case V_DT:
		return v->s;
	case V_NUM:
		(void)snprintf(buf, bufsz, "%.15g", v->n);
		return buf;
	case V_BOOL:
		return v->b ? "true" : "false";
	default:
		return NULL;
	}
}

static int
func(const struct sdata_expr *e, const json_t *rec, struct val *out,
    struct sdata_error *err)
{
	struct val	 a, b;
	const char	*s;
	char		 buf[64], *r;
	size_t		 i, n;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (eval(e->args, rec, &a, err) == -1)
		return -1;
	if (e->args->next != NULL && eval(e->args->next, rec, &b, err) == -1) {
		vfree(&a);
		return -1;
	}
	out->t = V_NULL;
	if ((s = vstr(&a, buf, sizeof(buf))) == NULL)
		goto done;
	if (strcmp(e->s, "length") == 0 || strcmp(e->s, "len") == 0) {
		out->t = V_NUM;
		out->n = (double)u8len(s);
		goto done;
	}
	if ((r = strdup(s)) == NULL)
		goto done;
	if (strcmp(e->s, "upper") == 0 || strcmp(e->s, "lower") == 0) {
		for (i = 0; r[i] != '\0'; i++)
			r[i] = (char)(e->s[0] == 'u' ? toupper((unsigned char)
			    r[i]) : tolower((unsigned char)r[i]));
	} else if (strcmp(e->s, "trim") == 0) {
		n = strlen(r);
		while (n > 0 && isspace((unsigned char)r[n - 1]))
			r[--n] = '\0';
		i = strspn(r, " \t");
		memmove(r, r + i, strlen(r + i) + 1);
	} else {
		if (b.t != V_NUM || b.n < 0) {
			free(r);
			vfree(&a);
			vfree(&b);
			return everr(err, e, "left/right need a non-negative "
			    "number");
		}
		n = (size_t)b.n;
		if (strcmp(e->s, "left") == 0)
			r[u8off(r, n)] = '\0';
		else if (u8len(r) > n) {
			i = u8off(r, u8len(r) - n);
			memmove(r, r + i, strlen(r + i) + 1);
		}
	}
	out->t = V_STR;
	out->own = r;
	out->s = r;
done:
	vfree(&a);
	vfree(&b);
	return 0;
}

/* A record value as a typed value. */
static void
fromjson(const json_t *j, struct val *v)
{

	memset(v, 0, sizeof(*v));
	if (json_is_string(j)) {
		v->t = V_STR;
		v->s = json_string_value(j);
	} else if (json_is_number(j)) {
		v->t = V_NUM;
		v->n = json_number_value(j);
	} else if (json_is_boolean(j)) {
		v->t = V_BOOL;
		v->b = json_is_true(j);
	} else
		v->t = V_NULL;
}

static int
eval(const struct sdata_expr *e, const json_t *rec, struct val *out,
    struct sdata_error *err)
{
	struct val	 a, b;
	int		 r;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	switch (e->kind) {
	case E_PROP:
		fromjson(json_object_get(rec, e->s), out);
		return 0;
	case E_STR:
		out->t = V_STR;
		out->s = e->s;
		return 0;
	case E_NUM:
		out->t = V_NUM;
		out->n = e->num;
		return 0;
	case E_DATE:
	case E_DATETIME:
		out->t = e->kind == E_DATE ? V_DATE : V_DT;
		out->s = e->s;
		out->ms = e->ms;
		return 0;
	case E_NULL:
		out->t = V_NULL;
		return 0;
	case E_BOOL:
		out->t = V_BOOL;
		out->b = e->op;
		return 0;
	case E_FUNC:
		return func(e, rec, out, err);
	case E_NEG:
		if (eval(e->a, rec, &a, err) == -1)
			return -1;
		if (a.t == V_NULL) {
			out->t = V_NULL;
			return 0;
		}
		if (a.t != V_NUM) {
			vfree(&a);
			return everr(err, e, "Unary minus needs a number");
		}
		out->t = V_NUM;
		out->n = -a.n;
		return 0;
	case E_ARITH:
		if (eval(e->a, rec, &a, err) == -1)
			return -1;
		if (eval(e->b, rec, &b, err) == -1) {
			vfree(&a);
			return -1;
		}
		if (a.t == V_NULL || b.t == V_NULL) {
			vfree(&a);
			vfree(&b);
			out->t = V_NULL;
			return 0;
		}
		if (a.t == V_STR && a.s != NULL)
			a.n = strtod(a.s, NULL), a.t = V_NUM;
		if (b.t == V_STR && b.s != NULL)
			b.n = strtod(b.s, NULL), b.t = V_NUM;
		vfree(&a);
		vfree(&b);
		if (a.t != V_NUM || b.t != V_NUM)
			return everr(err, e, "Arithmetic needs numbers");
		out->t = V_NUM;
		switch (e->op) {
		case '+': out->n = a.n + b.n; break;
		case '-': out->n = a.n - b.n; break;
		case '*': out->n = a.n * b.n; break;
		case '/':
			if (b.n == 0)
				return everr(err, e, "Division by zero");
			out->n = a.n / b.n;
			break;
		default:
			if (b.n == 0)
				return everr(err, e, "Division by zero");
			out->n = fmod(a.n, b.n);
			break;
		}
		return 0;
	default:
		/* Logical and comparison nodes yield booleans. */
		break;
	}
	r = sdata_eval(e, rec, err);
	if (r == -1)
		return -1;
	out->t = V_BOOL;
	out->b = r;
	return 0;
}

/*
 * Compare two values: sets *c (<0, 0, >0) and returns 0, or returns 1
 * when either is null (SQL: unknown), -1 on a type error.
 */
static int
vcmp(const struct val *a, const struct val *b, int *c)
{
	int64_t	ma, mb;
	double	na, nb;
	char	*end;
	int	ka, kb;

	if (a->t == V_NULL || b->t == V_NULL)
		return 1;
	/* Dates and datetimes compare as instants. */
	if (a->t == V_DATE || a->t == V_DT || b->t == V_DATE || b->t == V_DT) {
		if (a->t == V_STR) {
			if ((ka = parse_when(a->s, &ma)) == -1)
				return -1;
		} else if (a->t == V_DATE || a->t == V_DT)
			ma = a->ms;
		else
			return -1;
		if (b->t == V_STR) {
			if ((kb = parse_when(b->s, &mb)) == -1)
				return -1;
		} else if (b->t == V_DATE || b->t == V_DT)
			mb = b->ms;
		else
			return -1;
		*c = ma < mb ? -1 : ma > mb;
		return 0;
	}
	if (a->t == V_NUM || b->t == V_NUM) {
		if (a->t == V_NUM)
			na = a->n;
		else if (a->t == V_STR) {
			na = strtod(a->s, &end);
			if (*end != '\0' || end == a->s)
				return -1;
		} else
			na = a->b;
		if (b->t == V_NUM)
			nb = b->n;
		else if (b->t == V_STR) {
			nb = strtod(b->s, &end);
			if (*end != '\0' || end == b->s)
				return -1;
		} else
			nb = b->b;
		*c = na < nb ? -1 : na > nb;
		return 0;
	}
	if (a->t == V_BOOL || b->t == V_BOOL) {
		if (a->t != b->t)
			return -1;
		*c = a->b - b->b;
		return 0;
	}
	*c = strcmp(a->s, b->s);
	return 0;
}

/* SQL LIKE: % any run, _ one character (UTF-8 aware). */
static int
like(const char *s, const char *pat)
{

	for (; *pat != '\0'; pat++) {
		if (*pat == '%') {
			while (pat[1] == '%')
				pat++;
			if (pat[1] == '\0')
				return 1;
			for (; *s != '\0'; s++)
				if (like(s, pat + 1))
					return 1;
			return 0;
		}
		if (*s == '\0')
			return 0;
		if (*pat == '_') {
			s++;
			while (((unsigned char)*s & 0xc0) == 0x80)
				s++;
			while (((unsigned char)pat[1] & 0xc0) == 0x80)
				pat++;
			continue;
		}
		if (*s != *pat)
			return 0;
		s++;
	}
	return *s == '\0';
}

static int
truth(const struct val *v)
{

	switch (v->t) {
	case V_BOOL:
		return v->b;
	case V_NUM:
		return v->n != 0;
	default:
		return 0;
	}
}

int
sdata_eval(const struct sdata_expr *e, const json_t *rec,
    struct sdata_error *err)
{
	struct val		 a, b, c;
	int			 r, k, k2, rc = 0;
	const struct sdata_expr	*it;
	char			 buf[64], buf2[64];
	const char		*sa, *sb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	switch (e->kind) {
	case E_OR:
		if ((r = sdata_eval(e->a, rec, err)) != 0)
			return r;
		return sdata_eval(e->b, rec, err);
	case E_AND:
		if ((r = sdata_eval(e->a, rec, err)) != 1)
			return r;
		return sdata_eval(e->b, rec, err);
	case E_NOT:
		if ((r = sdata_eval(e->a, rec, err)) == -1)
			return -1;
		return !r;
	case E_CMP:
		if (eval(e->a, rec, &a, err) == -1)
			return -1;
		if (eval(e->b, rec, &b, err) == -1) {
			rc = -1;
			break;
		}
		r = vcmp(&a, &b, &k);
		if (r == 1) {
			/* "X eq null" tests for null. */
			rc = e->op == C_EQ ? a.t == b.t :
			    e->op == C_NE ? a.t != b.t : 0;
			break;
		}
		if (r == -1) {
			rc = everr(err, e, "Incompatible types in comparison");
			break;
		}
		switch (e->op) {
		case C_EQ: rc = k == 0; break;
		case C_NE: rc = k != 0; break;
		case C_LT: rc = k < 0; break;
		case C_LE: rc = k <= 0; break;
		case C_GT: rc = k > 0; break;
		default: rc = k >= 0; break;
		}
		break;
	case E_LIKE:
		if (eval(e->a, rec, &a, err) == -1)
			return -1;
		if (eval(e->b, rec, &b, err) == -1) {
			rc = -1;
			break;
		}
		sa = vstr(&a, buf, sizeof(buf));
		sb = vstr(&b, buf2, sizeof(buf2));
		rc = sa != NULL && sb != NULL && like(sa, sb);
		if (e->negate && sa != NULL && sb != NULL)
			rc = !rc;
		break;
	case E_IN:
		if (eval(e->a, rec, &a, err) == -1)
			return -1;
		for (it = e->args; it != NULL && rc == 0; it = it->next) {
			if (eval(it, rec, &b, err) == -1) {
				rc = -1;
				break;
			}
			r = vcmp(&a, &b, &k);
			vfree(&b);
			if (r == -1) {
				rc = everr(err, e, "Incompatible types in "
				    "'in'");
				break;
			}
			if (r == 0 && k == 0)
				rc = 1;
		}
		if (rc != -1 && e->negate && a.t != V_NULL)
			rc = !rc;
		break;
	case E_BETWEEN:
		if (eval(e->a, rec, &a, err) == -1)
			return -1;
		if (eval(e->b, rec, &b, err) == -1 ||
		    eval(e->c, rec, &c, err) == -1) {
			rc = -1;
			break;
		}
		r = vcmp(&a, &b, &k);
		if (r == 0)
			r = vcmp(&a, &c, &k2);
		if (r == -1) {
			rc = everr(err, e, "Incompatible types in 'between'");
			break;
		}
		rc = r == 0 && k >= 0 && k2 <= 0;
		if (e->negate && r == 0)
			rc = !rc;
		break;
	default:
		/* A bare value used as a condition. */
		if (eval(e, rec, &a, err) == -1)
			return -1;
		rc = truth(&a);
		break;
	}
	vfree(&a);
	vfree(&b);
	vfree(&c);
	return rc;
}

/* --- dump --------------------------------------------------------------- */

struct buf {
	char	*s;
	size_t	 n, cap;
	int	 oom;
};

static void
bput(struct buf *b, const char *s)
{
	size_t	 l = strlen(s);
	char	*t;

	if (b->oom)
		return;
	if (b->n + l + 1 > b->cap) {
		b->cap = (b->n + l + 1) * 2;
		if ((t = realloc(b->s, b->cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = t;
	}
	memcpy(b->s + b->n, s, l + 1);
	b->n += l;
}

static void
dump(struct buf *b, const struct sdata_expr *e)
{
	char				 tmp[64];
	const struct sdata_expr		*it;
	static const char *const	 kinds[E__MAX] = {
		"or", "and", "not", NULL, "like", "in", "between", NULL,
		"neg", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	};

	switch (e->kind) {
	case E_PROP:
		bput(b, e->s);
		return;
	case E_STR:
		bput(b, "'");
		bput(b, e->s);
		bput(b, "'");
		return;
	case E_NUM:
		(void)snprintf(tmp, sizeof(tmp), "%.15g", e->num);
		bput(b, tmp);
		return;
	case E_DATE:
	case E_DATETIME:
		bput(b, e->kind == E_DATE ? "@date:" : "@datetime:");
		(void)snprintf(tmp, sizeof(tmp), "%lld", (long long)e->ms);
		bput(b, tmp);
		bput(b, "@");
		return;
	case E_NULL:
		bput(b, "null");
		return;
	case E_BOOL:
		bput(b, e->op ? "true" : "false");
		return;
	default:
		break;
	}
	bput(b, "(");
	if (e->negate)
		bput(b, "not-");
	if (e->kind == E_CMP)
		bput(b, cmpnames[e->op]);
	else if (e->kind == E_ARITH) {
		tmp[0] = (char)e->op;
		tmp[1] = '\0';
		bput(b, tmp);
	} else if (e->kind == E_FUNC)
		bput(b, e->s);
	else
		bput(b, kinds[e->kind]);
	if (e->a != NULL) {
		bput(b, " ");
		dump(b, e->a);
	}
	if (e->b != NULL) {
		bput(b, " ");
		dump(b, e->b);
	}
	if (e->c != NULL) {
		bput(b, " ");
		dump(b, e->c);
	}
	for (it = e->args; it != NULL; it = it->next) {
		bput(b, " ");
		dump(b, it);
	}
	bput(b, ")");
}

char *
sdata_dump(const struct sdata_expr *e)
{
	struct buf	b;

	memset(&b, 0, sizeof(b));
	bput(&b, "");
	dump(&b, e);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
