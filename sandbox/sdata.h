/*
 * SData "where" expressions as X3 REST api1 accepts them (sage-x3.md
 * §1.5; SData 2.0 core 0212): comparison eq ne lt le gt ge (and the
 * symbols = <> < <= > >=), like, in (with or without parentheses),
 * between a and b, logical and or not, parentheses, arithmetic
 * + - mul div mod, functions left right upper lower length, string
 * and number literals, @date@ and @datetime@ literals, null, true,
 * false. A recursive-descent parser builds a tree; the evaluator runs
 * it over a JSON object record.
 */
#ifndef ML_SDATA_H
#define ML_SDATA_H

#include <stddef.h>

#include <jansson.h>

/* Expressions above this are refused (URLs are ~8 KB anyway). */
#define SDATA_MAX_EXPR		8192
/* Nesting of parentheses, not and function calls. */
#define SDATA_MAX_DEPTH		64
/* Property names (X3 dictionary codes are <= 12 characters). */
#define SDATA_MAX_NAME		64

struct sdata_expr;

struct sdata_error {
	size_t	pos;		/* 0-based offset in the expression */
	char	msg[256];
};

/* Parse; new tree, free with sdata_free(). NULL with err filled. */
struct sdata_expr	*sdata_parse(const char *src, struct sdata_error *err);
void			 sdata_free(struct sdata_expr *);
/*
 * Call known(name, arg) for each property the expression names; the
 * first name for which it returns 0 is reported in err and -1 is
 * returned (X3 answers HTTP 500 for it, §1.5). 0 when all are known.
 */
int			 sdata_check(const struct sdata_expr *,
			    int (*known)(const char *, void *), void *arg,
			    struct sdata_error *err);
/*
 * Evaluate against a record (JSON object, property -> value). Returns
 * 1 (true), 0 (false or unknown/null), or -1 with err filled (type
 * error at run time, e.g. division by zero).
 */
int			 sdata_eval(const struct sdata_expr *,
			    const json_t *record, struct sdata_error *err);
/* The tree in prefix form ("(and (eq A 'x') ...)"), for tests; new. */
char			*sdata_dump(const struct sdata_expr *);

#endif /* !ML_SDATA_H */
