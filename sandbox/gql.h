/*
 * A parser for the GraphQL subset X3 clients send (GraphQL spec,
 * October 2021, section 2 "Language"): operations with names, variable
 * definitions with types and defaults, selection sets with aliases,
 * arguments, directives, fragments and inline fragments, and every
 * value literal (variables, int, float, string and block string,
 * boolean, null, enum, list, object). Errors carry line and column.
 * No schema knowledge lives here; execution is x3gql.c's job.
 */
#ifndef ML_GQL_H
#define ML_GQL_H

#include <stddef.h>

#include <jansson.h>

/* Documents above this are refused before lexing (ours are < 10 KB). */
#define GQL_MAX_DOC		(256 * 1024)
/* Selection, list and object nesting; deeper input is refused. */
#define GQL_MAX_DEPTH		64
/* Names (fields, arguments, variables, types). */
#define GQL_MAX_NAME		256

enum gql_vkind {
	GQL_V_VAR,	/* $name: str is the name */
	GQL_V_INT,	/* str is the literal text */
	GQL_V_FLOAT,	/* str is the literal text */
	GQL_V_STRING,	/* str is the decoded string */
	GQL_V_BOOL,	/* boolean */
	GQL_V_NULL,
	GQL_V_ENUM,	/* str is the name */
	GQL_V_LIST,	/* items, linked by next */
	GQL_V_OBJECT,	/* items (each with key), linked by next */
	GQL_V__MAX
};

struct gql_value {
	enum gql_vkind		 kind;
	char			*str;		/* see enum gql_vkind */
	int			 boolean;	/* GQL_V_BOOL */
	char			*key;		/* field name inside an object */
	struct gql_value	*items;		/* list or object members */
	struct gql_value	*next;		/* sibling in a list or object */
	unsigned int		 line, col;
};

struct gql_arg {
	char			*name;
	struct gql_value	*value;
	struct gql_arg		*next;
	unsigned int		 line, col;
};

struct gql_directive {
	char			*name;		/* without the @ */
	struct gql_arg		*args;
	struct gql_directive	*next;
	unsigned int		 line, col;
};

enum gql_tkind {
	GQL_T_NAMED,	/* name */
	GQL_T_LIST,	/* [of] */
	GQL_T_NONNULL,	/* of! */
	GQL_T__MAX
};

struct gql_type {
	enum gql_tkind		 kind;
	char			*name;		/* GQL_T_NAMED */
	struct gql_type		*of;		/* GQL_T_LIST, GQL_T_NONNULL */
};

enum gql_skind {
	GQL_S_FIELD,	/* alias? name args? directives? selections? */
	GQL_S_SPREAD,	/* ...name directives? */
	GQL_S_INLINE,	/* ... on type_cond? directives? selections */
	GQL_S__MAX
};

struct gql_sel {
	enum gql_skind		 kind;
	char			*alias;		/* NULL when none */
	char			*name;		/* field or fragment name */
	char			*type_cond;	/* inline fragment; may be NULL */
	struct gql_arg		*args;
	struct gql_directive	*dirs;
	struct gql_sel		*sels;		/* NULL for a leaf */
	struct gql_sel		*next;
	unsigned int		 line, col;
};

struct gql_vardef {
	char			*name;		/* without the $ */
	struct gql_type		*type;
	struct gql_value	*defval;	/* NULL when none */
	struct gql_vardef	*next;
	unsigned int		 line, col;
};

enum gql_optype {
	GQL_OP_QUERY,
	GQL_OP_MUTATION,
	GQL_OP_SUBSCRIPTION,
	GQL_OP__MAX
};

struct gql_op {
	enum gql_optype		 type;
	char			*name;		/* NULL when anonymous */
	struct gql_vardef	*vars;
	struct gql_directive	*dirs;
	struct gql_sel		*sels;
	struct gql_op		*next;
	unsigned int		 line, col;
};

struct gql_frag {
	char			*name;
	char			*type_cond;
	struct gql_directive	*dirs;
	struct gql_sel		*sels;
	struct gql_frag		*next;
	unsigned int		 line, col;
};

struct gql_arena;

struct gql_doc {
	struct gql_op		*ops;
	struct gql_frag		*frags;
	struct gql_arena	*arena;		/* owns every node above */
};

/* What went wrong and where (1-based line and column). */
struct gql_error {
	unsigned int		 line;
	unsigned int		 col;
	char			 msg[256];
};

/*
 * Parse a document of len bytes. On success returns a new document;
 * free it with gql_free(). On failure returns NULL and fills err.
 */
struct gql_doc		*gql_parse(const char *src, size_t len,
			    struct gql_error *err);
void			 gql_free(struct gql_doc *);
/*
 * The operation to run: the one named name, or the only one when name
 * is NULL. NULL (and err filled) when that is ambiguous or absent.
 */
const struct gql_op	*gql_op_get(const struct gql_doc *, const char *name,
			    struct gql_error *err);
const struct gql_frag	*gql_frag_get(const struct gql_doc *,
			    const char *name);
/*
 * A value literal as JSON with $variables replaced from vars (lent;
 * may be NULL). Ints and floats become JSON numbers, enums strings.
 * New reference, or NULL with err filled (undefined variable).
 */
json_t			*gql_value_json(const struct gql_value *,
			    const json_t *vars, struct gql_error *err);
/* The argument named name, or NULL. */
const struct gql_arg	*gql_arg_get(const struct gql_arg *,
			    const char *name);
/* The whole document as JSON, for tests and debugging; new reference. */
json_t			*gql_doc_json(const struct gql_doc *);
/* The type as GraphQL text ("[String!]!") into buf. 0, or -1 if cut. */
int			 gql_type_str(const struct gql_type *, char *buf,
			    size_t bufsz);

#endif /* !ML_GQL_H */
