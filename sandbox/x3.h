/*
 * Private header of the Sage X3 stand-in: x3.c (state, seed, business
 * rules, control), x3auth.c (connected-app JWT, Basic), x3gql.c
 * (GraphQL /xtrem/api), x3rest.c (REST api1), x3schema.c (the node and
 * class catalogue both surfaces serve). Field names, menus and
 * envelopes follow ../shared/reference/sage-x3.md (cited as §n).
 */
#ifndef ML_X3_H
#define ML_X3_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox.h"

/* Limits, each with its reason. ---------------------------------------- */

/* api1 $query: default page 20 (§1.3); the server caps it (§7: "e.g. 200"). */
#define X3_REST_COUNT_DEFAULT	20
#define X3_REST_COUNT_MAX	200
/* GraphQL first: default 20 (§4.5, UNVERIFIED); callers use up to 1000. */
#define X3_GQL_FIRST_DEFAULT	20
#define X3_GQL_FIRST_MAX	1000
/* Request bodies we parse (JSON, GraphQL); ours are a few KB. */
#define X3_MAX_BODY		(1024 * 1024)
/* A where= or filter string. */
#define X3_MAX_FILTER		8192
/* A bearer token; connected-app JWTs are ~300 bytes. */
#define X3_MAX_TOKEN		4096
/* Seconds an iat may run ahead of our clock (§5.2: future iat refused). */
#define X3_JWT_SKEW		5
/* Lines per order or delivery; X3 screens allow a few hundred. */
#define X3_MAX_LINES		500
/* seed control: rows one call may add. */
#define X3_SEED_MAX		10000
/* Field lengths from the dictionary (§2.1, §2.4, §2.5). */
#define X3_LEN_CUSORDREF	20
#define X3_LEN_BPCNUM		15
#define X3_LEN_BPCNAM		35
#define X3_LEN_ITMREF		20
#define X3_LEN_ITMDES		30
#define X3_LEN_TEXT		250

/* Tables of the one state both surfaces share. */
enum x3_tab {
	X3_T_SITE,	/* FACILITY: FCY */
	X3_T_ORDTYPE,	/* TABSOHTYP: SOHTYP */
	X3_T_CURRENCY,	/* TABCUR: CUR */
	X3_T_CUSTOMER,	/* BPCUSTOMER: BPCNUM */
	X3_T_ITEM,	/* ITMMASTER: ITMREF */
	X3_T_STOCK,	/* STOCK: STOFCY~ITMREF */
	X3_T_ORDER,	/* SORDER with lines in SOHSOP */
	X3_T_DELIVERY,	/* SDELIVERY with lines in SDHSDD */
	X3_T__MAX
};

/* Line arrays embedded in a header row. */
#define X3_ORDER_LINES		"SOHSOP"
#define X3_DELIVERY_LINES	"SDHSDD"

enum x3_ftype {
	X3_F_STR,
	X3_F_INT,
	X3_F_DEC,	/* decimal quantity or amount */
	X3_F_DATE,	/* YYYY-MM-DD, no zone (§6.2) */
	X3_F_DATETIME,	/* YYYY-MM-DDTHH:MM:SSZ, UTC (§1.4, §2.7) */
	X3_F_MENU,	/* local menu: integer on REST, name on GraphQL */
	X3_F_LINES,	/* embedded child array */
	X3_F__MAX
};

/* One dictionary field of a table. */
struct x3_field {
	const char	*name;		/* SOHNUM */
	enum x3_ftype	 type;
	int		 menu;		/* X3_F_MENU: menu number */
	size_t		 maxlen;	/* X3_F_STR: 0 = X3_LEN_TEXT */
	int		 query;		/* shown on the $query facet */
};

struct x3_table {
	const char		*dumpname;	/* key in x3_dump() */
	const char		*cls;		/* REST class / lock class */
	const char		*key;		/* key field */
	const struct x3_field	*fields;	/* NULL-name terminated */
	const struct x3_field	*lines;		/* line fields or NULL */
};

extern const struct x3_table	x3_tables[X3_T__MAX];

/* A local menu: value n is names[n - 1] (§2 menus). */
struct x3_menu {
	int		 num;
	const char	*gqltype;	/* GraphQL enum type name */
	const char	*names[12];	/* NULL-terminated */
};

/* Name of menu value v, or NULL. */
const char		*x3_menu_name(int menu, int v);
/* Value of a menu name, or 0. */
int			 x3_menu_value(int menu, const char *name);
const struct x3_menu	*x3_menu_get(int menu);
const struct x3_field	*x3_field_get(const struct x3_field *,
			    const char *name);

/* The state. ------------------------------------------------------------ */

struct x3_state {
	const struct sb_config	*cfg;		/* lent */
	json_t			*tab[X3_T__MAX]; /* arrays of rows */
	json_t			*locks;		/* "CLASS~KEY" -> true */
	json_t			*counters;	/* name -> last number */
	json_t			*ops;		/* node -> [operations] */
	json_t			*facets;	/* REPR -> {class, facets[]} */
	json_t			*names;		/* node -> GraphQL name */
	int64_t			 token_nbf;	/* seconds; older iat refused */
	int			 gql_basic;	/* Basic accepted on /xtrem/api */
	int			 allow_negative_stock;
	int			 rest_soft_errors; /* 200/201 + $diagnoses */
	json_t			*schema;	/* introspection cache or NULL */
	json_t			*typemap;	/* type name -> type, lent */
};

/* x3.c ------------------------------------------------------------------ */

/* Now on the sandbox clock as "YYYY-MM-DDTHH:MM:SSZ" / "YYYY-MM-DD". */
void		 x3_now_datetime(char *buf, size_t bufsz);
void		 x3_now_date(char *buf, size_t bufsz);
/* "YYYY-MM-DD[THH:MM:SS[.fff]][Z|±HH:MM]" to UTC ms; 0 or -1. */
int		 x3_parse_datetime(const char *, int64_t *ms);
/* The key of a row ("FR011~ITEM" for STOCK) into buf. */
void		 x3_rowkey(enum x3_tab, const json_t *row, char *buf,
		    size_t bufsz);
/* The row of tab whose key is key; lent, or NULL. */
json_t		*x3_find(struct x3_state *, enum x3_tab, const char *key);
/* Whether class~key is locked. */
int		 x3_locked(const struct x3_state *, const char *cls,
		    const char *key);
/* Number value of a row field (integer, real or numeric string). */
double		 x3_num(const json_t *row, const char *field);
const char	*x3_str(const json_t *row, const char *field);

/*
 * Business operations shared by GraphQL and REST. in holds dictionary
 * fields (lent). On success return 0 and set *out to the stored row
 * (lent; lives in the state). On failure return -1 and append one
 * message string per problem to diags; nothing is changed.
 */
int		 x3_customer_create(struct x3_state *, const json_t *in,
		    json_t **out, json_t *diags);
int		 x3_item_create(struct x3_state *, const json_t *in,
		    json_t **out, json_t *diags);
int		 x3_order_create(struct x3_state *, const json_t *in,
		    json_t **out, json_t *diags);
int		 x3_order_update(struct x3_state *, const char *key,
		    json_t *in, json_t **out, json_t *diags);
int		 x3_delivery_create(struct x3_state *, const json_t *in,
		    json_t **out, json_t *diags);
/* Delete a delivery not yet invoiced: quantities and stock come back. */
int		 x3_delivery_delete(struct x3_state *, const char *key,
		    json_t *diags);
/* Whether the GraphQL operation (node "salesOrder", op "create") is on. */
int		 x3_op_enabled(const struct x3_state *, const char *node,
		    const char *op);

/* x3auth.c -------------------------------------------------------------- */

/*
 * Check a connected-app bearer JWT (§5.2). 0 when valid; else -1 with
 * *code set to the "Error NN" number the 401 body carries.
 */
int		 x3_jwt_check(const struct x3_state *, const char *token,
		    int *code);
/* Check "Basic base64(user:password)" against the configured user. */
int		 x3_basic_check(const struct x3_state *, const char *authz);

/* x3gql.c --------------------------------------------------------------- */

void		 x3_gql_handle(struct x3_state *, const struct sb_req *,
		    struct sb_resp *);
/* Forget the cached introspection schema (operations changed). */
void		 x3_gql_schema_reset(struct x3_state *);
/*
 * Parse a filter string holding a JavaScript object literal (single
 * or double quotes, bare keys) or strict JSON (§4.4). New reference,
 * or NULL with a message in err.
 */
json_t		*x3_jsobj_parse(const char *, char *err, size_t errsz);

/* x3rest.c -------------------------------------------------------------- */

void		 x3_rest_handle(struct x3_state *, const struct sb_req *,
		    struct sb_resp *);
/* Default representations and facets (§1.2, §1.6); new reference. */
json_t		*x3_rest_facets_default(void);

#endif /* !ML_X3_H */
