/*
 * jscan.c: a single-pass JSON validator that accepts exactly what
 * json_loadb(s, len, JSON_REJECT_DUPLICATES, &e) of jansson 2.14
 * accepts (within a nesting limit), builds no tree, and can copy out
 * the decoded values of named top-level string members. For hot paths
 * (webhook intake) where a full parse is wasted work.
 */
#ifndef ML_JSCAN_H
#define ML_JSCAN_H

#include <stddef.h>

/* jansson refuses any value nested deeper than this (parse_value). */
#define JSCAN_JANSSON_DEPTH	2048

enum jscan_code {
	JSCAN_OK = 0,
	JSCAN_E_EMPTY,		/* no value at all */
	JSCAN_E_TOP,		/* top level is not an object or array */
	JSCAN_E_SYNTAX,		/* unexpected byte or token */
	JSCAN_E_EOF,		/* input ends inside a value */
	JSCAN_E_TRAILING,	/* something after the top-level value */
	JSCAN_E_UTF8,		/* invalid UTF-8 */
	JSCAN_E_CTRL,		/* raw control byte (< 0x20) in a string */
	JSCAN_E_ESCAPE,		/* bad backslash escape */
	JSCAN_E_NUL,		/* \u0000 */
	JSCAN_E_SURROGATE,	/* lone or mis-ordered surrogate escape */
	JSCAN_E_NUMBER,		/* number grammar */
	JSCAN_E_RANGE,		/* integer outside long long, real overflow */
	JSCAN_E_DEPTH,		/* nested deeper than allowed */
	JSCAN_E_DUPKEY,		/* duplicate key in an object */
	JSCAN_E_NOMEM,		/* allocation failed (key table) */
	JSCAN__MAX
};

struct jscan_err {
	enum jscan_code	 code;
	size_t		 pos;		/* byte offset of the problem */
	int		 line;		/* 1-based */
	int		 col;		/* 1-based, in bytes */
};

/*
 * A top-level member to copy out. key: wanted (decoded) name. On
 * return found says whether the top-level object has it; is_string
 * whether its value is a string, then buf holds the decoded value
 * NUL-terminated, cut to bufsz - 1 bytes, and len its full length
 * (len >= bufsz means it was cut).
 */
struct jscan_want {
	const char	*key;
	char		*buf;
	size_t		 bufsz;
	size_t		 len;
	int		 found;
	int		 is_string;
};

/*
 * Validate s[0..len). 0: valid, wants filled. -1: invalid, err (if
 * not NULL) says why and where; wants are then unspecified. Values
 * nested deeper than max_depth containers are refused with
 * JSCAN_E_DEPTH (as are those jansson itself refuses for depth).
 */
int		 jscan_validate(const char *s, size_t len, int max_depth,
		    struct jscan_want *want, size_t nwant, struct jscan_err *err);
/* Static description of a code; never NULL. */
const char	*jscan_strerror(enum jscan_code);

#endif /* !ML_JSCAN_H */
