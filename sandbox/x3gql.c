/*
 * Sage X3 GraphQL ("Sage X3 Services", Xtrem) at POST /xtrem/api
 * (sage-x3.md §4): bearer JWT, x-xtrem-endpoint, packages x3Sales,
 * x3MasterData, x3Stock with query/read/create/update operations,
 * Relay connections, filter and orderBy strings (§4.4), introspection,
 * and errors shaped as in §4.8. The document is parsed by gql.c; this
 * file validates it against the schema it serves and executes it.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sandbox.h"
#include "gql.h"
#include "x3.h"

/* Fragment spreads nest at most this deep (also stops cycles). */
#define FRAG_DEPTH	16
/* Fields one selection set may hold after fragments are expanded. */
#define MAX_FIELDS	256
/* Sort keys in an orderBy, plus the _id tie-breaker. */
#define MAX_SORT	8

/* --- nodes ---------------------------------------------------------------- */

enum ptype {
	P_ID,		/* _id: the natural key as a string */
	P_STR,
	P_INT,
	P_DEC,		/* Decimal: sent as a string, like Sage samples */
	P_DATE,
	P_DATETIME,
	P_ENUM,		/* local menu by name */
	P_BOOL,		/* menu 1 (no/yes) as a Boolean */
	P_REF,		/* reference: object out, code in */
	P_COLL,		/* child collection: lines { query {...} } */
	P__MAX
};

enum node {
	N_ORDER,
	N_ORDER_LINE,
	N_DELIVERY,
	N_DELIVERY_LINE,
	N_CUSTOMER,
	N_BP,
	N_PRODUCT,
	N_STOCK,
	N_SITE,
	N_CURRENCY,
	N_ORDTYPE,
	N__MAX
};

/* Input flags. */
#define IN_CREATE	0x01
#define IN_UPDATE	0x02
#define IN_BOTH		(IN_CREATE | IN_UPDATE)

struct prop {
	const char	*name;
	enum ptype	 type;
	const char	*field;
	int		 menu;		/* P_ENUM, P_BOOL */
	enum node	 target;	/* P_REF, P_COLL */
	int		 input;		/* IN_* */
};

struct nodedef {
	const char		*key;	/* operations key, default name */
	const char		*pkg;	/* NULL: reachable only from a parent */
	const char		*type;	/* GraphQL type name */
	enum x3_tab		 tab;
	const char		*linekey; /* line nodes: line number field */
	const struct prop	*props;
};

#define STAMPS \
	{ "_createStamp", P_DATETIME, "CREDATTIM", 0, N__MAX, 0 }, \
	{ "_updateStamp", P_DATETIME, "UPDDATTIM", 0, N__MAX, 0 }, \
	{ "_updateTick", P_INT, "UPDTICK", 0, N__MAX, 0 }, \
	{ "_uuid", P_STR, "AUUID", 0, N__MAX, 0 }
#define END { NULL, P_STR, NULL, 0, N__MAX, 0 }

static const struct prop order_props[] = {
	{ "_id", P_ID, "SOHNUM", 0, N__MAX, 0 },
	{ "id", P_STR, "SOHNUM", 0, N__MAX, IN_BOTH },
	{ "salesSite", P_REF, "SALFCY", 0, N_SITE, IN_CREATE },
	{ "shippingSite", P_REF, "STOFCY", 0, N_SITE, IN_CREATE },
	{ "company", P_STR, "CPY", 0, N__MAX, 0 },
	{ "salesOrderType", P_REF, "SOHTYP", 0, N_ORDTYPE, IN_CREATE },
	{ "category", P_ENUM, "SOHCAT", 412, N__MAX, 0 },
	{ "soldToCustomer", P_REF, "BPCORD", 0, N_CUSTOMER, IN_CREATE },
	{ "billToCustomer", P_REF, "BPCINV", 0, N_CUSTOMER, 0 },
	{ "payByBusinessPartner", P_REF, "BPCPYR", 0, N_CUSTOMER, 0 },
	{ "shipToCustomerAddress", P_STR, "BPAADD", 0, N__MAX, 0 },
	{ "soldToCustomerName", P_STR, "BPCNAM", 0, N__MAX, 0 },
	{ "shipToCustomerName", P_STR, "BPDNAM", 0, N__MAX, IN_CREATE },
	{ "shipToAddressLine1", P_STR, "BPDADDLIG1", 0, N__MAX, IN_CREATE },
	{ "shipToAddressLine2", P_STR, "BPDADDLIG2", 0, N__MAX, IN_CREATE },
	{ "shipToCity", P_STR, "BPDCTY", 0, N__MAX, IN_CREATE },
	{ "shipToPostalCode", P_STR, "BPDPOSCOD", 0, N__MAX, IN_CREATE },
	{ "shipToState", P_STR, "BPDSAT", 0, N__MAX, IN_CREATE },
	{ "shipToCountry", P_STR, "BPDCRY", 0, N__MAX, IN_CREATE },
	{ "customerOrderReference", P_STR, "CUSORDREF", 0, N__MAX, IN_BOTH },
	{ "shipStationKey", P_STR, "YSSKEY", 0, N__MAX, IN_CREATE },
	{ "orderDate", P_DATE, "ORDDAT", 0, N__MAX, IN_CREATE },
	{ "requestedDeliveryDate", P_DATE, "DEMDLVDAT", 0, N__MAX, IN_BOTH },
	{ "shipmentDate", P_DATE, "SHIDAT", 0, N__MAX, IN_BOTH },
	{ "currency", P_REF, "CUR", 0, N_CURRENCY, IN_CREATE },
	{ "carrier", P_STR, "BPTNUM", 0, N__MAX, IN_BOTH },
	{ "deliveryMode", P_STR, "MDL", 0, N__MAX, IN_BOTH },
	{ "orderStatus", P_ENUM, "ORDSTA", 415, N__MAX, IN_UPDATE },
	{ "deliveryStatus", P_ENUM, "DLVSTA", 417, N__MAX, 0 },
	{ "invoiceStatus", P_ENUM, "INVSTA", 418, N__MAX, 0 },
	{ "allocationStatus", P_ENUM, "ALLSTA", 416, N__MAX, 0 },
	{ "holdStatus", P_ENUM, "HLDSTA", 491, N__MAX, IN_UPDATE },
	{ "creditStatus", P_ENUM, "CDTSTA", 419, N__MAX, 0 },
	{ "signatureStatus", P_ENUM, "APPFLG", 280, N__MAX, 0 },
	{ "totalAmountExcludingTax", P_DEC, "ORDNOT", 0, N__MAX, 0 },
	{ "totalAmountIncludingTax", P_DEC, "ORDATI", 0, N__MAX, 0 },
	{ "lastDeliveryNumber", P_STR, "LASDLVNUM", 0, N__MAX, 0 },
	{ "lastDeliveryDate", P_DATE, "LASDLVDAT", 0, N__MAX, 0 },
	{ "lines", P_COLL, X3_ORDER_LINES, 0, N_ORDER_LINE, IN_BOTH },
	STAMPS,
	END
};

static const struct prop order_line_props[] = {
	{ "_id", P_ID, "SOPLIN", 0, N__MAX, 0 },
	{ "lineNumber", P_INT, "SOPLIN", 0, N__MAX, IN_CREATE },
	{ "sequenceNumber", P_INT, "SOQSEQ", 0, N__MAX, 0 },
	{ "product", P_REF, "ITMREF", 0, N_PRODUCT, IN_CREATE },
	{ "productDescription", P_STR, "ITMDES", 0, N__MAX, 0 },
	{ "salesUnit", P_STR, "SAU", 0, N__MAX, IN_CREATE },
	{ "stockUnit", P_STR, "STU", 0, N__MAX, 0 },
	{ "salesUnitToStockUnitConversionFactor", P_DEC, "SAUSTUCOE", 0,
	    N__MAX, 0 },
	{ "quantityInSalesUnitOrdered", P_DEC, "QTY", 0, N__MAX, IN_CREATE },
	{ "quantityInStockUnitOrdered", P_DEC, "QTYSTU", 0, N__MAX, 0 },
	{ "quantityInSalesUnitDelivered", P_DEC, "DLVQTY", 0, N__MAX, 0 },
	{ "quantityInStockUnitDelivered", P_DEC, "DLVQTYSTU", 0, N__MAX, 0 },
	{ "quantityInSalesUnitToDeliver", P_DEC, "TDLQTY", 0, N__MAX, 0 },
	{ "grossPrice", P_DEC, "GROPRI", 0, N__MAX, IN_CREATE },
	{ "netPrice", P_DEC, "NETPRI", 0, N__MAX, 0 },
	{ "lineType", P_ENUM, "LINTYP", 423, N__MAX, 0 },
	{ "lineStatus", P_ENUM, "SOQSTA", 279, N__MAX, 0 },
	{ "shippingSite", P_REF, "STOFCY", 0, N_SITE, 0 },
	{ "lastDeliveryNumber", P_STR, "SDHNUM", 0, N__MAX, 0 },
	STAMPS,
	END
};

static const struct prop delivery_props[] = {
	{ "_id", P_ID, "SDHNUM", 0, N__MAX, 0 },
	{ "id", P_STR, "SDHNUM", 0, N__MAX, 0 },
	{ "deliveryType", P_STR, "SDHTYP", 0, N__MAX, 0 },
	{ "salesOrder", P_REF, "SOHNUM", 0, N_ORDER, IN_CREATE },
	{ "salesSite", P_REF, "SALFCY", 0, N_SITE, 0 },
	{ "shippingSite", P_REF, "STOFCY", 0, N_SITE, 0 },
	{ "soldToCustomer", P_REF, "BPCORD", 0, N_CUSTOMER, 0 },
	{ "shipToCustomerAddress", P_STR, "BPAADD", 0, N__MAX, 0 },
	{ "shipToCustomerName", P_STR, "BPDNAM", 0, N__MAX, 0 },
	{ "deliveryDate", P_DATE, "DLVDAT", 0, N__MAX, IN_CREATE },
	{ "shipmentDate", P_DATE, "SHIDAT", 0, N__MAX, IN_CREATE },
	{ "carrier", P_STR, "BPTNUM", 0, N__MAX, IN_CREATE },
	{ "deliveryMode", P_STR, "MDL", 0, N__MAX, IN_CREATE },
	{ "trackingNumber", P_STR, "YTRKNUM", 0, N__MAX, IN_CREATE },
	{ "shipmentReference", P_STR, "YSHIPREF", 0, N__MAX, IN_CREATE },
	{ "numberOfPackages", P_INT, "PACNBR", 0, N__MAX, 0 },
	{ "isValidated", P_BOOL, "CFMFLG", 1, N__MAX, 0 },
	{ "isInvoiced", P_BOOL, "INVFLG", 1, N__MAX, 0 },
	{ "lines", P_COLL, X3_DELIVERY_LINES, 0, N_DELIVERY_LINE,
	    IN_CREATE },
	STAMPS,
	END
};

static const struct prop delivery_line_props[] = {
	{ "_id", P_ID, "SDDLIN", 0, N__MAX, 0 },
	{ "lineNumber", P_INT, "SDDLIN", 0, N__MAX, 0 },
	{ "salesOrder", P_REF, "SOHNUM", 0, N_ORDER, 0 },
	{ "salesOrderLine", P_INT, "SOPLIN", 0, N__MAX, IN_CREATE },
	{ "product", P_REF, "ITMREF", 0, N_PRODUCT, 0 },
	{ "quantityInSalesUnitDelivered", P_DEC, "QTY", 0, N__MAX,
	    IN_CREATE },
	{ "quantityInStockUnitDelivered", P_DEC, "QTYSTU", 0, N__MAX, 0 },
	{ "salesUnit", P_STR, "SAU", 0, N__MAX, 0 },
	{ "stockUnit", P_STR, "STU", 0, N__MAX, 0 },
	{ "grossPrice", P_DEC, "GROPRI", 0, N__MAX, 0 },
	{ "netPrice", P_DEC, "NETPRI", 0, N__MAX, 0 },
	{ "shippingSite", P_REF, "STOFCY", 0, N_SITE, 0 },
	STAMPS,
	END
};

static const struct prop customer_props[] = {
	{ "_id", P_ID, "BPCNUM", 0, N__MAX, 0 },
	{ "code", P_STR, "BPCNUM", 0, N__MAX, IN_CREATE },
	{ "companyName", P_STR, "BPCNAM", 0, N__MAX, IN_CREATE },
	{ "shortCompanyName", P_STR, "BPCSHO", 0, N__MAX, IN_CREATE },
	{ "customerType", P_ENUM, "BPCTYP", 401, N__MAX, IN_CREATE },
	{ "isActive", P_BOOL, "BPCSTA", 1, N__MAX, IN_CREATE },
	{ "category", P_STR, "BCGCOD", 0, N__MAX, IN_CREATE },
	{ "currency", P_REF, "CUR", 0, N_CURRENCY, IN_CREATE },
	{ "paymentTerm", P_STR, "PTE", 0, N__MAX, IN_CREATE },
	{ "taxRule", P_STR, "VACBPR", 0, N__MAX, IN_CREATE },
	{ "billToCustomer", P_STR, "BPCINV", 0, N__MAX, 0 },
	{ "payByCustomer", P_STR, "BPCPYR", 0, N__MAX, 0 },
	{ "defaultAddress", P_STR, "BPAADD", 0, N__MAX, 0 },
	{ "defaultShipToAddress", P_STR, "BPDADD", 0, N__MAX, 0 },
	{ "addressLine1", P_STR, "BPAADDLIG1", 0, N__MAX, IN_CREATE },
	{ "addressLine2", P_STR, "BPAADDLIG2", 0, N__MAX, IN_CREATE },
	{ "postalCode", P_STR, "POSCOD", 0, N__MAX, IN_CREATE },
	{ "city", P_STR, "CTY", 0, N__MAX, IN_CREATE },
	{ "state", P_STR, "SAT", 0, N__MAX, IN_CREATE },
	{ "country", P_STR, "CRY", 0, N__MAX, IN_CREATE },
	{ "phone", P_STR, "TEL", 0, N__MAX, IN_CREATE },
	{ "email", P_STR, "WEB", 0, N__MAX, IN_CREATE },
	STAMPS,
	END
};

static const struct prop product_props[] = {
	{ "_id", P_ID, "ITMREF", 0, N__MAX, 0 },
	{ "code", P_STR, "ITMREF", 0, N__MAX, IN_CREATE },
	{ "description1", P_STR, "ITMDES1", 0, N__MAX, IN_CREATE },
	{ "description2", P_STR, "ITMDES2", 0, N__MAX, IN_CREATE },
	{ "description3", P_STR, "ITMDES3", 0, N__MAX, IN_CREATE },
	{ "productCategory", P_STR, "TCLCOD", 0, N__MAX, IN_CREATE },
	{ "productStatus", P_ENUM, "ITMSTA", 246, N__MAX, IN_CREATE },
	{ "stockUnit", P_STR, "STU", 0, N__MAX, IN_CREATE },
	{ "salesUnit", P_STR, "SAU", 0, N__MAX, IN_CREATE },
	{ "salesUnitToStockUnitConversionFactor", P_DEC, "SAUSTUCOE", 0,
	    N__MAX, IN_CREATE },
	{ "eanCode", P_STR, "EANCOD", 0, N__MAX, IN_CREATE },
	{ "weight", P_DEC, "ITMWEI", 0, N__MAX, IN_CREATE },
	{ "weightUnit", P_STR, "WEU", 0, N__MAX, IN_CREATE },
	{ "stockManagementMode", P_ENUM, "STOMGTCOD", 2, N__MAX, IN_CREATE },
	{ "basePrice", P_DEC, "BASPRI", 0, N__MAX, IN_CREATE },
	STAMPS,
	END
};

static const struct prop stock_props[] = {
	{ "_id", P_ID, NULL, 0, N__MAX, 0 },
	{ "site", P_REF, "STOFCY", 0, N_SITE, 0 },
	{ "product", P_REF, "ITMREF", 0, N_PRODUCT, 0 },
	{ "quantityInStockUnit", P_DEC, "QTYSTU", 0, N__MAX, 0 },
	{ "stockUnit", P_STR, "STU", 0, N__MAX, 0 },
	STAMPS,
	END
};

static const struct prop site_props[] = {
	{ "_id", P_ID, "FCY", 0, N__MAX, 0 },
	{ "code", P_STR, "FCY", 0, N__MAX, 0 },
	{ "name", P_STR, "FCYNAM", 0, N__MAX, 0 },
	{ "company", P_STR, "CPY", 0, N__MAX, 0 },
	{ "country", P_STR, "CRY", 0, N__MAX, 0 },
	{ "currency", P_REF, "CUR", 0, N_CURRENCY, 0 },
	{ "isSalesSite", P_BOOL, "SALFLG", 1, N__MAX, 0 },
	{ "isInventorySite", P_BOOL, "STOFLG", 1, N__MAX, 0 },
	STAMPS,
	END
};

static const struct prop currency_props[] = {
	{ "_id", P_ID, "CUR", 0, N__MAX, 0 },
	{ "code", P_STR, "CUR", 0, N__MAX, 0 },
	{ "name", P_STR, "DES", 0, N__MAX, 0 },
	STAMPS,
	END
};

static const struct prop ordtype_props[] = {
	{ "_id", P_ID, "SOHTYP", 0, N__MAX, 0 },
	{ "code", P_STR, "SOHTYP", 0, N__MAX, 0 },
	{ "description", P_STR, "DES", 0, N__MAX, 0 },
	{ "category", P_ENUM, "SOHCAT", 412, N__MAX, 0 },
	STAMPS,
	END
};

static const struct nodedef nodes[N__MAX] = {
	{ "salesOrder", "x3Sales", "SalesOrder", X3_T_ORDER, NULL,
	    order_props },					/* N_ORDER */
	{ "salesOrderLine", NULL, "SalesOrderLine", X3_T_ORDER, "SOPLIN",
	    order_line_props },					/* N_ORDER_LINE */
	{ "salesDelivery", "x3Sales", "SalesDelivery", X3_T_DELIVERY, NULL,
	    delivery_props },					/* N_DELIVERY */
	{ "salesDeliveryLine", NULL, "SalesDeliveryLine", X3_T_DELIVERY,
	    "SDDLIN", delivery_line_props },			/* N_DELIVERY_LINE */
	{ "customer", "x3MasterData", "Customer", X3_T_CUSTOMER, NULL,
	    customer_props },					/* N_CUSTOMER */
	{ "businessPartner", "x3MasterData", "BusinessPartner",
	    X3_T_CUSTOMER, NULL, customer_props },		/* N_BP */
	{ "product", "x3MasterData", "Product", X3_T_ITEM, NULL,
	    product_props },					/* N_PRODUCT */
	{ "stock", "x3Stock", "Stock", X3_T_STOCK, NULL,
	    stock_props },					/* N_STOCK */
	{ "site", "x3MasterData", "Site", X3_T_SITE, NULL,
	    site_props },					/* N_SITE */
	{ "currency", "x3MasterData", "Currency", X3_T_CURRENCY, NULL,
	    currency_props },					/* N_CURRENCY */
	{ "salesOrderType", "x3Sales", "SalesOrderType", X3_T_ORDTYPE, NULL,
	    ordtype_props },					/* N_ORDTYPE */
};

static const char *const packages[] = {
	"x3Sales", "x3MasterData", "x3Stock", NULL
};

static const char *const optypes_q[] = { "query", "read", NULL };
static const char *const optypes_m[] = { "create", "update", "delete",
    NULL };

/* A jansson iterator over a lent, read-only value needs a plain pointer. */
static json_t *
mut(const json_t *v)
{
	union {
		const json_t	*c;
		json_t		*m;
	} u;

	u.c = v;
	return u.m;
}

static const struct prop *
prop_get(enum node n, const char *name)
{
	const struct prop	*p;

	for (p = nodes[n].props; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The GraphQL field name of a node (renamable by control). */
static const char *
node_name(const struct x3_state *x, enum node n)
{
	const char	*s = json_string_value(json_object_get(x->names,
			    nodes[n].key));

	return s != NULL ? s : nodes[n].key;
}

static int
node_by_name(const struct x3_state *x, const char *pkg, const char *name)
{
	int	i;

	for (i = 0; i < N__MAX; i++)
		if (nodes[i].pkg != NULL && strcmp(nodes[i].pkg, pkg) == 0 &&
		    strcmp(node_name(x, (enum node)i), name) == 0)
			return i;
	return -1;
}

/* The _id of a row: its key, or parent~line for line nodes. */
static void
row_id(enum node n, const json_t *row, char *buf, size_t bufsz)
{
	const char	*parent;
	int		 r;

	if (nodes[n].linekey != NULL) {
		parent = x3_str(row, n == N_ORDER_LINE ? "SOHNUM" : "SDHNUM");
		r = snprintf(buf, bufsz, "%s~%lld", parent != NULL ? parent :
		    "", (long long)json_integer_value(json_object_get(row,
		    nodes[n].linekey)));
		if (r < 0 || (size_t)r >= bufsz)
			buf[0] = '\0';
	} else
		x3_rowkey(nodes[n].tab, row, buf, bufsz);
}

/* --- schema (introspection JSON, also used to validate) ---------------- */

static json_t *
tref(const char *kind, const char *name)
{

	return json_pack("{s:s,s:s,s:n}", "kind", kind, "name", name,
	    "ofType");
}

static json_t *
wrap(const char *kind, json_t *of)
{

	return json_pack("{s:s,s:n,s:o}", "kind", kind, "name", "ofType", of);
}

static json_t *
field_j(const char *name, json_t *type, json_t *args)
{

	return json_pack("{s:s,s:n,s:o,s:o,s:b,s:n}", "name", name,
	    "description", "args", args != NULL ? args : json_array(),
	    "type", type, "isDeprecated", 0, "deprecationReason");
}

static json_t *
arg_j(const char *name, json_t *type)
{

	return json_pack("{s:s,s:n,s:o,s:n}", "name", name, "description",
	    "type", type, "defaultValue");
}

static json_t *
type_j(const char *kind, const char *name)
{
	json_t	*t;

	t = json_pack("{s:s,s:s,s:n,s:n,s:n,s:n,s:n,s:n,s:n}", "kind", kind,
	    "name", name, "description", "fields", "inputFields",
	    "interfaces", "enumValues", "possibleTypes", "specifiedByURL");
	if (t != NULL && strcmp(kind, "OBJECT") == 0) {
		json_object_set_new(t, "fields", json_array());
		json_object_set_new(t, "interfaces", json_array());
	}
	if (t != NULL && strcmp(kind, "INPUT_OBJECT") == 0)
		json_object_set_new(t, "inputFields", json_array());
	return t;
}

static void
add_type(json_t *types, json_t *map, json_t *t)
{

	if (t == NULL)
		return;
	json_object_set(map, json_string_value(json_object_get(t, "name")), t);
	json_array_append_new(types, t);
}

static json_t *
conn_args(void)
{

	return json_pack("[o,o,o,o,o,o]",
	    arg_j("first", tref("SCALAR", "Int")),
	    arg_j("after", tref("SCALAR", "String")),
	    arg_j("last", tref("SCALAR", "Int")),
	    arg_j("before", tref("SCALAR", "String")),
	    arg_j("filter", tref("SCALAR", "String")),
	    arg_j("orderBy", tref("SCALAR", "String")));
}

static json_t *
prop_type(enum ptype t, int menu, enum node target)
{
	char	 buf[128];

	switch (t) {
	case P_ID:
	case P_STR:
		return tref("SCALAR", "String");
	case P_INT:
		return tref("SCALAR", "Int");
	case P_DEC:
		return tref("SCALAR", "Decimal");
	case P_DATE:
		return tref("SCALAR", "Date");
	case P_DATETIME:
		return tref("SCALAR", "Datetime");
	case P_BOOL:
		return tref("SCALAR", "Boolean");
	case P_ENUM:
		return tref("ENUM", x3_menu_get(menu)->gqltype);
	case P_REF:
		return tref("OBJECT", nodes[target].type);
	case P_COLL:
		(void)snprintf(buf, sizeof(buf), "%s_Collection",
		    nodes[target].type);
		return tref("OBJECT", buf);
	default:
		break;
	}
	return tref("SCALAR", "String");
}

/* Input field type: references and enums travel as plain values. */
static json_t *
prop_intype(const struct prop *p)
{
	char	 buf[128];

	switch (p->type) {
	case P_REF:
		return tref("SCALAR", "String");
	case P_COLL:
		(void)snprintf(buf, sizeof(buf), "%s_Input",
		    nodes[p->target].type);
		return wrap("LIST", tref("INPUT_OBJECT", buf));
	default:
		return prop_type(p->type, p->menu, p->target);
	}
}

static int
node_has_op(const struct x3_state *x, enum node n, const char *const *ops)
{

	for (; *ops != NULL; ops++)
		if (x3_op_enabled(x, nodes[n].key, *ops))
			return 1;
	return 0;
}

/* Build the introspection schema from the node tables and operations. */
static void
schema_build(struct x3_state *x)
{
	json_t		*types, *map, *t, *q, *m, *pq, *pm, *f, *ev;
	const char	*const *pkg;
	const char	*scalars[] = { "String", "Int", "Float", "Boolean",
			    "ID", "Decimal", "Date", "Datetime", NULL };
	const struct prop *p;
	char		 b1[128], b2[128];
	int		 i, k, seen[1000];
	const struct x3_menu *mn;

	types = json_array();
	map = json_object();
	q = type_j("OBJECT", "Query");
	m = type_j("OBJECT", "Mutation");
	add_type(types, map, q);
	for (i = 0; scalars[i] != NULL; i++)
		add_type(types, map, type_j("SCALAR", scalars[i]));
	t = type_j("OBJECT", "PageInfo");
	f = json_object_get(t, "fields");
	json_array_append_new(f, field_j("startCursor", tref("SCALAR",
	    "String"), NULL));
	json_array_append_new(f, field_j("endCursor", tref("SCALAR",
	    "String"), NULL));
	json_array_append_new(f, field_j("hasNextPage", wrap("NON_NULL",
	    tref("SCALAR", "Boolean")), NULL));
	json_array_append_new(f, field_j("hasPreviousPage", wrap("NON_NULL",
	    tref("SCALAR", "Boolean")), NULL));
	add_type(types, map, t);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N__MAX; i++)
		for (p = nodes[i].props; p->name != NULL; p++) {
			if (p->type != P_ENUM || p->menu >= 1000 ||
			    seen[p->menu])
				continue;
			seen[p->menu] = 1;
			mn = x3_menu_get(p->menu);
			t = type_j("ENUM", mn->gqltype);
			ev = json_array();
			for (k = 0; mn->names[k] != NULL; k++)
				json_array_append_new(ev, json_pack(
				    "{s:s,s:n,s:b,s:n}", "name", mn->names[k],
				    "description", "isDeprecated", 0,
				    "deprecationReason"));
			json_object_set_new(t, "enumValues", ev);
			add_type(types, map, t);
		}
	/* Node, connection, edge, collection and input types. */
	for (i = 0; i < N__MAX; i++) {
		t = type_j("OBJECT", nodes[i].type);
		f = json_object_get(t, "fields");
		for (p = nodes[i].props; p->name != NULL; p++)
			json_array_append_new(f, field_j(p->name,
			    p->type == P_ID ? wrap("NON_NULL", prop_type(p->type,
			    p->menu, p->target)) : prop_type(p->type, p->menu,
			    p->target), NULL));
		add_type(types, map, t);
		(void)snprintf(b1, sizeof(b1), "%s_Edge", nodes[i].type);
		t = type_j("OBJECT", b1);
		f = json_object_get(t, "fields");
		json_array_append_new(f, field_j("cursor", wrap("NON_NULL",
		    tref("SCALAR", "String")), NULL));
		json_array_append_new(f, field_j("node", wrap("NON_NULL",
		    tref("OBJECT", nodes[i].type)), NULL));
		add_type(types, map, t);
		(void)snprintf(b2, sizeof(b2), "%s_Connection", nodes[i].type);
		t = type_j("OBJECT", b2);
		f = json_object_get(t, "fields");
		json_array_append_new(f, field_j("edges", wrap("NON_NULL",
		    wrap("LIST", wrap("NON_NULL", tref("OBJECT", b1)))),
		    NULL));
		json_array_append_new(f, field_j("pageInfo", wrap("NON_NULL",
		    tref("OBJECT", "PageInfo")), NULL));
		json_array_append_new(f, field_j("totalCount",
		    tref("SCALAR", "Int"), NULL));
		add_type(types, map, t);
		(void)snprintf(b1, sizeof(b1), "%s_Collection", nodes[i].type);
		t = type_j("OBJECT", b1);
		json_array_append_new(json_object_get(t, "fields"),
		    field_j("query", wrap("NON_NULL", tref("OBJECT", b2)),
		    conn_args()));
		add_type(types, map, t);
		(void)snprintf(b1, sizeof(b1), "%s_Input", nodes[i].type);
		t = type_j("INPUT_OBJECT", b1);
		f = json_object_get(t, "inputFields");
		for (p = nodes[i].props; p->name != NULL; p++)
			if (p->input != 0)
				json_array_append_new(f, json_pack(
				    "{s:s,s:n,s:o,s:n}", "name", p->name,
				    "description", "type", prop_intype(p),
				    "defaultValue"));
		if (nodes[i].pkg == NULL || json_array_size(f) > 0)
			add_type(types, map, t);
		else
			json_decref(t);
	}
	/* Packages and operations, as enabled. */
	for (pkg = packages; *pkg != NULL; pkg++) {
		(void)snprintf(b1, sizeof(b1), "%c%s_Query",
		    toupper((unsigned char)(*pkg)[0]), *pkg + 1);
		pq = type_j("OBJECT", b1);
		(void)snprintf(b1, sizeof(b1), "%c%s_Mutation",
		    toupper((unsigned char)(*pkg)[0]), *pkg + 1);
		pm = type_j("OBJECT", b1);
		for (i = 0; i < N__MAX; i++) {
			if (nodes[i].pkg == NULL || strcmp(nodes[i].pkg,
			    *pkg) != 0)
				continue;
			if (node_has_op(x, (enum node)i, optypes_q)) {
				(void)snprintf(b2, sizeof(b2), "%s_Query",
				    nodes[i].type);
				t = type_j("OBJECT", b2);
				f = json_object_get(t, "fields");
				(void)snprintf(b1, sizeof(b1), "%s_Connection",
				    nodes[i].type);
				if (x3_op_enabled(x, nodes[i].key, "query"))
					json_array_append_new(f, field_j(
					    "query", wrap("NON_NULL", tref(
					    "OBJECT", b1)), conn_args()));
				if (x3_op_enabled(x, nodes[i].key, "read"))
					json_array_append_new(f, field_j(
					    "read", tref("OBJECT",
					    nodes[i].type), json_pack("[o]",
					    arg_j("_id", wrap("NON_NULL",
					    tref("SCALAR", "String"))))));
				add_type(types, map, t);
				json_array_append_new(json_object_get(pq,
				    "fields"), field_j(node_name(x,
				    (enum node)i), wrap("NON_NULL",
				    tref("OBJECT", b2)), NULL));
			}
			if (node_has_op(x, (enum node)i, optypes_m)) {
				(void)snprintf(b2, sizeof(b2), "%s_Mutation",
				    nodes[i].type);
				t = type_j("OBJECT", b2);
				f = json_object_get(t, "fields");
				(void)snprintf(b1, sizeof(b1), "%s_Input",
				    nodes[i].type);
				if (x3_op_enabled(x, nodes[i].key, "create"))
					json_array_append_new(f, field_j(
					    "create", tref("OBJECT",
					    nodes[i].type), json_pack("[o]",
					    arg_j("data", wrap("NON_NULL",
					    tref("INPUT_OBJECT", b1))))));
				if (x3_op_enabled(x, nodes[i].key, "update"))
					json_array_append_new(f, field_j(
					    "update", tref("OBJECT",
					    nodes[i].type), json_pack("[o]",
					    arg_j("data", wrap("NON_NULL",
					    tref("INPUT_OBJECT", b1))))));
				/* delete(<key>) (§4.6): Boolean, our pick. */
				if (x3_op_enabled(x, nodes[i].key, "delete"))
					json_array_append_new(f, field_j(
					    "delete", tref("SCALAR",
					    "Boolean"), json_pack("[o]",
					    arg_j("_id", wrap("NON_NULL",
					    tref("SCALAR", "String"))))));
				add_type(types, map, t);
				json_array_append_new(json_object_get(pm,
				    "fields"), field_j(node_name(x,
				    (enum node)i), wrap("NON_NULL",
				    tref("OBJECT", b2)), NULL));
			}
		}
		if (json_array_size(json_object_get(pq, "fields")) > 0) {
			json_array_append_new(json_object_get(q, "fields"),
			    field_j(*pkg, wrap("NON_NULL", tref("OBJECT",
			    json_string_value(json_object_get(pq, "name")))),
			    NULL));
			add_type(types, map, pq);
		} else
			json_decref(pq);
		if (json_array_size(json_object_get(pm, "fields")) > 0) {
			json_array_append_new(json_object_get(m, "fields"),
			    field_j(*pkg, wrap("NON_NULL", tref("OBJECT",
			    json_string_value(json_object_get(pm, "name")))),
			    NULL));
			add_type(types, map, pm);
		} else
			json_decref(pm);
	}
	if (json_array_size(json_object_get(m, "fields")) > 0)
		add_type(types, map, m);
	else {
		json_decref(m);
		m = NULL;
	}
	x->schema = json_pack("{s:{s:s},s:o,s:n,s:o,s:[{s:s,s:n,s:[s,s,s],"
	    "s:[o]},{s:s,s:n,s:[s,s,s],s:[o]}]}",
	    "queryType", "name", "Query",
	    "mutationType", m != NULL ? json_pack("{s:s}", "name",
	    "Mutation") : json_null(),
	    "subscriptionType", "types", types,
	    "directives",
	    "name", "include", "description", "locations", "FIELD",
	    "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "args", arg_j("if",
	    wrap("NON_NULL", tref("SCALAR", "Boolean"))),
	    "name", "skip", "description", "locations", "FIELD",
	    "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "args", arg_j("if",
	    wrap("NON_NULL", tref("SCALAR", "Boolean"))));
	x->typemap = map;
}

void
x3_gql_schema_reset(struct x3_state *x)
{

	json_decref(x->schema);
	json_decref(x->typemap);
	x->schema = x->typemap = NULL;
}

static const json_t *
schema_type(struct x3_state *x, const char *name)
{

	if (x->schema == NULL)
		schema_build(x);
	return json_object_get(x->typemap, name);
}

static const json_t *
type_field(const json_t *t, const char *name)
{
	size_t		 i;
	const json_t	*f;

	json_array_foreach(json_object_get(t, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")),
		    name) == 0)
			return f;
	return NULL;
}

/* Innermost named type of a type reference. */
static const char *
unwrap_name(const json_t *t)
{

	while (t != NULL && json_object_get(t, "ofType") != NULL &&
	    !json_is_null(json_object_get(t, "ofType")))
		t = json_object_get(t, "ofType");
	return json_string_value(json_object_get(t, "name"));
}

/* --- JavaScript object literals (filter, orderBy) ------------------------ */

struct jsp {
	const char	*s;
	size_t		 pos;
	char		*err;
	size_t		 errsz;
	int		 depth;
};

static void
jsws(struct jsp *p)
{

	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static json_t *
jsfail(struct jsp *p, const char *msg)
{

	(void)snprintf(p->err, p->errsz, "%s at position %zu", msg, p->pos);
	return NULL;
}

static json_t *jsval(struct jsp *);

static char *
jsstr(struct jsp *p)
{
	char		 q = p->s[p->pos];
	size_t		 cap = 64, n = 0;
	char		*out, *tmp;
	unsigned int	 cp;
	int		 k;

	if ((out = malloc(cap)) == NULL)
		return NULL;
	p->pos++;
	while (p->s[p->pos] != q) {
		char	c = p->s[p->pos];

		if (c == '\0') {
			free(out);
			(void)jsfail(p, "Unterminated string");
			return NULL;
		}
		if (n + 8 >= cap) {
			cap *= 2;
			if ((tmp = realloc(out, cap)) == NULL) {
				free(out);
				return NULL;
			}
			out = tmp;
		}
		if (c == '\\') {
			p->pos++;
			c = p->s[p->pos];
			switch (c) {
			case 'n': out[n++] = '\n'; break;
			case 't': out[n++] = '\t'; break;
			case 'r': out[n++] = '\r'; break;
			case 'b': out[n++] = '\b'; break;
			case 'f': out[n++] = '\f'; break;
			case 'u':
				cp = 0;
				for (k = 1; k <= 4; k++) {
					char h = p->s[p->pos + (size_t)k];
					if (!isxdigit((unsigned char)h)) {
						free(out);
						(void)jsfail(p, "Bad escape");
						return NULL;
					}
					cp = cp * 16 + (unsigned int)(isdigit(
					    (unsigned char)h) ? h - '0' :
					    tolower((unsigned char)h) - 'a' + 10);
				}
				p->pos += 4;
				if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
					free(out);
					(void)jsfail(p, "Bad escape");
					return NULL;
				}
				if (cp < 0x80)
					out[n++] = (char)cp;
				else if (cp < 0x800) {
					out[n++] = (char)(0xc0 | (cp >> 6));
					out[n++] = (char)(0x80 | (cp & 0x3f));
				} else {
					out[n++] = (char)(0xe0 | (cp >> 12));
					out[n++] = (char)(0x80 |
					    ((cp >> 6) & 0x3f));
					out[n++] = (char)(0x80 | (cp & 0x3f));
				}
				break;
			case '\0':
				free(out);
				(void)jsfail(p, "Unterminated string");
				return NULL;
			default:
				out[n++] = c;
				break;
			}
			p->pos++;
			continue;
		}
		out[n++] = c;
		p->pos++;
	}
	p->pos++;
	out[n] = '\0';
	return out;
}

static json_t *
jsval(struct jsp *p)
{
	json_t	*v, *it;
	char	*k, *end;
	size_t	 st;
	double	 d;
	long long ll;

	jsws(p);
	if (++p->depth > 32)
		return jsfail(p, "Nested too deep");
	switch (p->s[p->pos]) {
	case '{':
		p->pos++;
		v = json_object();
		for (;;) {
			jsws(p);
			if (p->s[p->pos] == '}') {
				p->pos++;
				break;
			}
			if (p->s[p->pos] == '\'' || p->s[p->pos] == '"') {
				if ((k = jsstr(p)) == NULL)
					goto fail;
			} else {
				st = p->pos;
				while (isalnum((unsigned char)p->s[p->pos]) ||
				    p->s[p->pos] == '_' || p->s[p->pos] == '$')
					p->pos++;
				if (st == p->pos) {
					(void)jsfail(p, "Expected a key");
					goto fail;
				}
				if ((k = strndup(p->s + st, p->pos - st)) ==
				    NULL)
					goto fail;
			}
			jsws(p);
			if (p->s[p->pos] != ':') {
				free(k);
				(void)jsfail(p, "Expected ':'");
				goto fail;
			}
			p->pos++;
			if ((it = jsval(p)) == NULL) {
				free(k);
				goto fail;
			}
			if (json_object_get(v, k) != NULL) {
				json_decref(it);
				free(k);
				(void)jsfail(p, "Duplicate key");
				goto fail;
			}
			json_object_set_new(v, k, it);
			free(k);
			jsws(p);
			if (p->s[p->pos] == ',')
				p->pos++;
			else if (p->s[p->pos] != '}') {
				(void)jsfail(p, "Expected ',' or '}'");
				goto fail;
			}
		}
		break;
	case '[':
		p->pos++;
		v = json_array();
		for (;;) {
			jsws(p);
			if (p->s[p->pos] == ']') {
				p->pos++;
				break;
			}
			if ((it = jsval(p)) == NULL)
				goto fail;
			json_array_append_new(v, it);
			jsws(p);
			if (p->s[p->pos] == ',')
				p->pos++;
			else if (p->s[p->pos] != ']') {
				(void)jsfail(p, "Expected ',' or ']'");
				goto fail;
			}
		}
		break;
	case '\'':
	case '"':
		if ((k = jsstr(p)) == NULL)
			return NULL;
		v = json_string(k);
		free(k);
		break;
	default:
		if (strncmp(p->s + p->pos, "true", 4) == 0) {
			p->pos += 4;
			v = json_true();
		} else if (strncmp(p->s + p->pos, "false", 5) == 0) {
			p->pos += 5;
			v = json_false();
		} else if (strncmp(p->s + p->pos, "null", 4) == 0) {
			p->pos += 4;
			v = json_null();
		} else if (p->s[p->pos] == '-' || p->s[p->pos] == '+' ||
		    isdigit((unsigned char)p->s[p->pos])) {
			ll = strtoll(p->s + p->pos, &end, 10);
			if (*end != '.' && *end != 'e' && *end != 'E') {
				v = json_integer(ll);
			} else {
				d = strtod(p->s + p->pos, &end);
				v = json_real(d);
			}
			p->pos = (size_t)(end - p->s);
		} else
			return jsfail(p, "Unexpected character");
		break;
	}
	p->depth--;
	return v;
fail:
	json_decref(v);
	return NULL;
}

/* Parse a JS object literal or JSON; see x3.h. */
json_t *
x3_jsobj_parse(const char *s, char *err, size_t errsz)
{
	struct jsp	 p;
	json_t		*v;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.err = err;
	p.errsz = errsz;
	if (strlen(s) > X3_MAX_FILTER) {
		(void)snprintf(err, errsz, "Filter too long");
		return NULL;
	}
	if ((v = jsval(&p)) == NULL)
		return NULL;
	jsws(&p);
	if (s[p.pos] != '\0') {
		json_decref(v);
		(void)jsfail(&p, "Unexpected trailing characters");
		return NULL;
	}
	return v;
}

/* --- execution context ---------------------------------------------------- */

struct exec {
	struct x3_state		*x;
	const struct gql_doc	*doc;
	json_t			*vars;		/* coerced variables */
	json_t			*errors;	/* array */
	json_t			*path;		/* current response path */
	int			 invalid;	/* validation failed: 400 */
};

struct fields {
	const struct gql_sel	*v[MAX_FIELDS];
	size_t			 n;
};

static void
add_error(struct exec *ex, const struct gql_sel *at, json_t *ext,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_error(struct exec *ex, const struct gql_sel *at, json_t *ext,
    const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;
	json_t	*e;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = json_pack("{s:s}", "message", msg);
	if (e == NULL) {
		json_decref(ext);
		return;
	}
	if (at != NULL)
		json_object_set_new(e, "locations", json_pack("[{s:i,s:i}]",
		    "line", at->line, "column", at->col));
	if (ex->path != NULL && json_array_size(ex->path) > 0)
		json_object_set_new(e, "path", json_deep_copy(ex->path));
	json_object_set_new(e, "extensions", ext != NULL ? ext :
	    json_object());
	json_array_append_new(ex->errors, e);
}

/* @skip(if:) / @include(if:) (spec 3.13). */
static int
skipped(struct exec *ex, const struct gql_directive *d)
{
	const struct gql_arg	*a;
	struct gql_error	 err;
	json_t			*v;
	int			 b;

	for (; d != NULL; d = d->next) {
		if (strcmp(d->name, "skip") != 0 &&
		    strcmp(d->name, "include") != 0)
			continue;
		if ((a = gql_arg_get(d->args, "if")) == NULL)
			continue;
		if ((v = gql_value_json(a->value, ex->vars, &err)) == NULL)
			continue;
		b = json_is_true(v);
		json_decref(v);
		if ((d->name[0] == 's') == b)
			return 1;
	}
	return 0;
}

/* Expand fragments into a flat list of fields (spec 6.3.2). */
static int
flatten(struct exec *ex, const struct gql_sel *s, struct fields *out,
    int depth)
{
	const struct gql_frag	*f;

	if (depth > FRAG_DEPTH) {
		add_error(ex, s, NULL, "Fragments nested too deep or "
		    "cyclic.");
		ex->invalid = 1;
		return -1;
	}
	for (; s != NULL; s = s->next) {
		if (skipped(ex, s->dirs))
			continue;
		switch (s->kind) {
		case GQL_S_FIELD:
			if (out->n >= MAX_FIELDS) {
				add_error(ex, s, NULL, "Too many fields.");
				ex->invalid = 1;
				return -1;
			}
			out->v[out->n++] = s;
			break;
		case GQL_S_SPREAD:
			if ((f = gql_frag_get(ex->doc, s->name)) == NULL) {
				add_error(ex, s, NULL, "Unknown fragment "
				    "\"%s\".", s->name);
				ex->invalid = 1;
				return -1;
			}
			if (flatten(ex, f->sels, out, depth + 1) == -1)
				return -1;
			break;
		case GQL_S_INLINE:
			if (flatten(ex, s->sels, out, depth + 1) == -1)
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

static const char *
rkey(const struct gql_sel *f)
{

	return f->alias != NULL ? f->alias : f->name;
}

/* --- validation (400) ------------------------------------------------------ */

static void
check_value_vars(struct exec *ex, const struct gql_op *op,
    const struct gql_value *v, const struct gql_sel *at)
{
	const struct gql_vardef	*d;
	const struct gql_value	*c;

	if (v->kind == GQL_V_VAR) {
		for (d = op->vars; d != NULL; d = d->next)
			if (strcmp(d->name, v->str) == 0)
				return;
		add_error(ex, at, NULL, "Variable \"$%s\" is not defined%s%s%s.",
		    v->str, op->name != NULL ? " by operation \"" : "",
		    op->name != NULL ? op->name : "",
		    op->name != NULL ? "\"" : "");
		ex->invalid = 1;
		return;
	}
	for (c = v->items; c != NULL; c = c->next)
		check_value_vars(ex, op, c, at);
}

static void
validate(struct exec *ex, const struct gql_op *op,
    const struct gql_sel *sels, const char *tname, int depth)
{
	struct fields		 fl;
	const json_t		*t, *fd, *ft, *a;
	const struct gql_arg	*ga;
	const char		*named, *kind;
	size_t			 i, k;
	int			 found;

	fl.n = 0;
	if (depth > GQL_MAX_DEPTH || flatten(ex, sels, &fl, 0) == -1)
		return;
	t = schema_type(ex->x, tname);
	for (i = 0; i < fl.n; i++) {
		const struct gql_sel *f = fl.v[i];

		for (ga = f->args; ga != NULL; ga = ga->next)
			check_value_vars(ex, op, ga->value, f);
		if (strcmp(f->name, "__typename") == 0)
			continue;
		if (strcmp(tname, "Query") == 0 &&
		    (strcmp(f->name, "__schema") == 0 ||
		    strcmp(f->name, "__type") == 0))
			continue;
		if ((fd = type_field(t, f->name)) == NULL) {
			add_error(ex, f, NULL, "Cannot query field \"%s\" on "
			    "type \"%s\".", f->name, tname);
			ex->invalid = 1;
			continue;
		}
		for (ga = f->args; ga != NULL; ga = ga->next) {
			found = 0;
			json_array_foreach(json_object_get(fd, "args"), k, a)
				if (strcmp(json_string_value(json_object_get(a,
				    "name")), ga->name) == 0)
					found = 1;
			if (!found) {
				add_error(ex, f, NULL, "Unknown argument \"%s\" "
				    "on field \"%s.%s\".", ga->name, tname,
				    f->name);
				ex->invalid = 1;
			}
		}
		/* Required arguments (NON_NULL without default). */
		json_array_foreach(json_object_get(fd, "args"), k, a) {
			ft = json_object_get(a, "type");
			if (strcmp(json_string_value(json_object_get(ft,
			    "kind")), "NON_NULL") == 0 &&
			    gql_arg_get(f->args, json_string_value(
			    json_object_get(a, "name"))) == NULL) {
				add_error(ex, f, NULL, "Field \"%s\" argument "
				    "\"%s\" of type \"%s!\" is required, but "
				    "it was not provided.", f->name,
				    json_string_value(json_object_get(a,
				    "name")), unwrap_name(ft));
				ex->invalid = 1;
			}
		}
		named = unwrap_name(json_object_get(fd, "type"));
		ft = schema_type(ex->x, named);
		kind = json_string_value(json_object_get(ft, "kind"));
		if (kind != NULL && strcmp(kind, "OBJECT") == 0) {
			if (f->sels == NULL) {
				add_error(ex, f, NULL, "Field \"%s\" of type "
				    "\"%s\" must have a selection of "
				    "subfields. Did you mean \"%s { ... }\"?",
				    f->name, named, f->name);
				ex->invalid = 1;
			} else
				validate(ex, op, f->sels, named, depth + 1);
		} else if (f->sels != NULL) {
			add_error(ex, f, NULL, "Field \"%s\" must not have a "
			    "selection since type \"%s\" has no subfields.",
			    f->name, named);
			ex->invalid = 1;
		}
	}
}

/* Coerce the request's variables (spec 6.1.2); -1 on a request error. */
static int
coerce_vars(struct exec *ex, const struct gql_op *op, const json_t *given)
{
	const struct gql_vardef	*d;
	const json_t		*v;
	struct gql_error	 err;
	json_t			*dv;
	char			 tb[256];
	const struct gql_type	*t;
	const char		*base;

	ex->vars = json_object();
	for (d = op->vars; d != NULL; d = d->next) {
		if (gql_type_str(d->type, tb, sizeof(tb)) == -1)
			(void)snprintf(tb, sizeof(tb), "?");
		v = given != NULL ? json_object_get(given, d->name) : NULL;
		if (v == NULL && d->defval != NULL) {
			if ((dv = gql_value_json(d->defval, NULL, &err)) !=
			    NULL)
				json_object_set_new(ex->vars, d->name, dv);
			continue;
		}
		if (d->type->kind == GQL_T_NONNULL &&
		    (v == NULL || json_is_null(v))) {
			add_error(ex, NULL, NULL, v == NULL ?
			    "Variable \"$%s\" of required type \"%s\" was "
			    "not provided." : "Variable \"$%s\" of non-null "
			    "type \"%s\" must not be null.", d->name, tb);
			return -1;
		}
		if (v == NULL)
			continue;
		t = d->type->kind == GQL_T_NONNULL ? d->type->of : d->type;
		base = t->kind == GQL_T_NAMED ? t->name : NULL;
		if (base != NULL && !json_is_null(v) && ((strcmp(base,
		    "Int") == 0 && !json_is_integer(v)) || (strcmp(base,
		    "String") == 0 && !json_is_string(v)) || (strcmp(base,
		    "Boolean") == 0 && !json_is_boolean(v)) || (strcmp(base,
		    "Float") == 0 && !json_is_number(v)))) {
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			add_error(ex, NULL, NULL, "Variable \"$%s\" got invalid "
			    "value %s; %s cannot represent this value.",
			    d->name, s != NULL ? s : "?", base);
			free(s);
			return -1;
		}
		json_object_set(ex->vars, d->name, mut(v));
	}
	return 0;
}

/* --- values ---------------------------------------------------------------- */

static json_t *
dec_out(const json_t *v)
{
	char	 buf[64];
	double	 d;

	if (json_is_integer(v)) {
		(void)snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		return json_string(buf);
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		(void)snprintf(buf, sizeof(buf), "%.6f", d);
		/* Trim trailing zeros: "22.500000" -> "22.5". */
		{
			char *e = buf + strlen(buf) - 1;
			while (*e == '0')
				*e-- = '\0';
			if (*e == '.')
				*e = '\0';
		}
		return json_string(buf);
	}
	if (json_is_string(v))
		return json_incref(mut(v));
	return json_null();
}

/* A property's value for output (scalars only). */
static json_t *
prop_out(enum node n, const struct prop *p, const json_t *row)
{
	const json_t	*v = p->field != NULL ? json_object_get(row, p->field) :
			    NULL;
	const char	*s;
	char		 buf[128];

	switch (p->type) {
	case P_ID:
		row_id(n, row, buf, sizeof(buf));
		return json_string(buf);
	case P_STR:
	case P_DATE:
	case P_DATETIME:
		return json_is_string(v) ? json_incref(mut(v)) :
		    json_null();
	case P_INT:
		return json_is_integer(v) ? json_incref(mut(v)) :
		    json_null();
	case P_DEC:
		return dec_out(v);
	case P_ENUM:
		s = x3_menu_name(p->menu, (int)json_integer_value(v));
		return s != NULL ? json_string(s) : json_null();
	case P_BOOL:
		return json_is_integer(v) ? json_boolean(json_integer_value(v)
		    == 2) : json_null();
	default:
		break;
	}
	return json_null();
}

/*
 * A property's value in the domain filters and sorts compare in:
 * numbers for Int/Decimal, ms for Datetime, names for enums.
 */
static json_t *
prop_cmpval(enum node n, const struct prop *p, const json_t *row)
{
	const json_t	*v;
	int64_t		 ms;
	char		 buf[128];

	if (p->type == P_ID) {
		row_id(n, row, buf, sizeof(buf));
		return json_string(buf);
	}
	v = p->field != NULL ? json_object_get(row, p->field) : NULL;
	switch (p->type) {
	case P_DEC:
	case P_INT:
		return json_is_number(v) ? json_real(json_number_value(v)) :
		    json_null();
	case P_DATETIME:
		if (json_is_string(v) &&
		    x3_parse_datetime(json_string_value(v), &ms) == 0)
			return json_real((double)ms);
		return json_null();
	case P_REF:
		return json_is_string(v) ? json_incref(mut(v)) :
		    json_null();
	default:
		return prop_out(n, p, row);
	}
}

/* A filter literal coerced to the domain of prop_cmpval(); NULL: bad. */
static json_t *
lit_cmpval(const struct prop *p, const json_t *v, char *err, size_t errsz)
{
	int64_t	 ms;
	double	 d;
	char	*end;

	if (json_is_null(v))
		return json_null();
	switch (p->type) {
	case P_DEC:
	case P_INT:
		if (json_is_number(v))
			return json_real(json_number_value(v));
		if (json_is_string(v)) {
			d = strtod(json_string_value(v), &end);
			if (*end == '\0' && end != json_string_value(v))
				return json_real(d);
		}
		break;
	case P_DATETIME:
		if (json_is_string(v) &&
		    x3_parse_datetime(json_string_value(v), &ms) == 0)
			return json_real((double)ms);
		break;
	case P_DATE:
		if (json_is_string(v))
			return json_incref(mut(v));
		break;
	case P_BOOL:
		if (json_is_boolean(v))
			return json_incref(mut(v));
		if (json_is_string(v) && (strcmp(json_string_value(v),
		    "true") == 0 || strcmp(json_string_value(v), "false") == 0))
			return json_boolean(json_string_value(v)[0] == 't');
		break;
	case P_ENUM:
		if (json_is_string(v) &&
		    x3_menu_value(p->menu, json_string_value(v)) != 0)
			return json_incref(mut(v));
		(void)snprintf(err, errsz, "Invalid value for enum "
		    "property '%s'", p->name);
		return NULL;
	default:
		if (json_is_string(v))
			return json_incref(mut(v));
		if (json_is_number(v)) {
			char	buf[64];
			(void)snprintf(buf, sizeof(buf), "%g",
			    json_number_value(v));
			return json_string(buf);
		}
		break;
	}
	(void)snprintf(err, errsz, "Invalid value for property '%s'",
	    p->name);
	return NULL;
}

/* Total order over JSON scalars: null < bool < number < string. */
static int
jcmp(const json_t *a, const json_t *b)
{
	int	ra, rb;
	double	da, db;

#define RANK(v) (json_is_null(v) || (v) == NULL ? 0 : json_is_boolean(v) ? 1 \
	: json_is_number(v) ? 2 : json_is_string(v) ? 3 : 4)
	ra = RANK(a);
	rb = RANK(b);
#undef RANK
	if (ra != rb)
		return ra < rb ? -1 : 1;
	switch (ra) {
	case 1:
		return (int)json_is_true(a) - (int)json_is_true(b);
	case 2:
		da = json_number_value(a);
		db = json_number_value(b);
		return da < db ? -1 : da > db;
	case 3:
		return strcmp(json_string_value(a), json_string_value(b));
	default:
		return 0;
	}
}

/* --- filters (§4.4) ---------------------------------------------------------- */

static int fmatch(struct exec *, enum node, const json_t *, const json_t *,
    char *, size_t);

static int
is_op(const char *k)
{

	return k[0] == '_' && strcmp(k, "_id") != 0 &&
	    strncmp(k, "_create", 7) != 0 && strncmp(k, "_update", 7) != 0 &&
	    strcmp(k, "_uuid") != 0;
}

static const json_t *
ref_row(struct exec *ex, const struct prop *p, const json_t *row)
{
	const char	*code = x3_str(row, p->field);

	return code != NULL ? x3_find(ex->x, nodes[p->target].tab, code) :
	    NULL;
}

/* One operator against one value; 1, 0 or -1 (err filled). */
static int
opmatch(const struct prop *p, const json_t *have, const char *op,
    const json_t *lit, const json_t *opts, char *err, size_t errsz)
{
	json_t		*w;
	size_t		 i;
	const json_t	*it;
	int		 r = 0, c;
	regex_t		 re;

	if (strcmp(op, "_in") == 0 || strcmp(op, "_nin") == 0) {
		if (!json_is_array(lit)) {
			(void)snprintf(err, errsz, "%s expects an array", op);
			return -1;
		}
		json_array_foreach(lit, i, it) {
			if ((w = lit_cmpval(p, it, err, errsz)) == NULL)
				return -1;
			if (jcmp(have, w) == 0)
				r = 1;
			json_decref(w);
		}
		return op[1] == 'i' ? r : !r;
	}
	if (strcmp(op, "_regex") == 0) {
		if (!json_is_string(lit)) {
			(void)snprintf(err, errsz, "_regex expects a string");
			return -1;
		}
		if (regcomp(&re, json_string_value(lit), REG_EXTENDED |
		    REG_NOSUB | (json_is_string(opts) && strchr(
		    json_string_value(opts), 'i') != NULL ? REG_ICASE : 0))
		    != 0) {
			(void)snprintf(err, errsz, "Invalid regular expression");
			return -1;
		}
		r = json_is_string(have) && regexec(&re,
		    json_string_value(have), 0, NULL, 0) == 0;
		regfree(&re);
		return r;
	}
	if ((w = lit_cmpval(p, lit, err, errsz)) == NULL)
		return -1;
	c = jcmp(have, w);
	/* Ordering against null never holds (SQL semantics). */
	if ((json_is_null(have) || json_is_null(w)) &&
	    strcmp(op, "_eq") != 0 && strcmp(op, "_ne") != 0) {
		json_decref(w);
		return 0;
	}
	json_decref(w);
	if (strcmp(op, "_eq") == 0)
		return c == 0;
	if (strcmp(op, "_ne") == 0)
		return c != 0;
	if (strcmp(op, "_gt") == 0)
		return c > 0;
	if (strcmp(op, "_gte") == 0)
		return c >= 0;
	if (strcmp(op, "_lt") == 0)
		return c < 0;
	if (strcmp(op, "_lte") == 0)
		return c <= 0;
	(void)snprintf(err, errsz, "Unsupported filter operator '%s'", op);
	return -1;
}

/* Collection operators _atLeast/_atMost/_every/_none (§4.4). */
static int
collmatch(struct exec *ex, const struct prop *p, const json_t *row,
    const json_t *cond, char *err, size_t errsz)
{
	json_t		*rest;
	const json_t	*lines = json_object_get(row, p->field), *l, *v;
	const char	*k;
	size_t		 i, hits = 0, n = json_array_size(lines);
	int		 r;

	if (!json_is_object(cond)) {
		(void)snprintf(err, errsz, "Collection filter on '%s' must be "
		    "an object", p->name);
		return -1;
	}
	rest = json_object();
	json_object_foreach(mut(cond), k, v)
		if (strcmp(k, "_atLeast") != 0 && strcmp(k, "_atMost") != 0 &&
		    strcmp(k, "_every") != 0 && strcmp(k, "_none") != 0)
			json_object_set(rest, k, mut(v));
	json_array_foreach(lines, i, l) {
		if ((r = fmatch(ex, p->target, l, rest, err, errsz)) == -1) {
			json_decref(rest);
			return -1;
		}
		hits += (size_t)r;
	}
	json_decref(rest);
	if ((v = json_object_get(cond, "_atLeast")) != NULL)
		return (json_int_t)hits >= json_integer_value(v);
	if ((v = json_object_get(cond, "_atMost")) != NULL)
		return (json_int_t)hits <= json_integer_value(v);
	if (json_is_true(json_object_get(cond, "_every")))
		return hits == n;
	if (json_is_true(json_object_get(cond, "_none")))
		return hits == 0;
	return hits > 0;
}

/* Whether row of node n matches filter f; 1, 0 or -1 (err filled). */
static int
fmatch(struct exec *ex, enum node n, const json_t *row, const json_t *f,
    char *err, size_t errsz)
{
	const char		*k, *ok;
	const json_t		*v, *ov, *sub;
	const struct prop	*p;
	json_t			*have;
	size_t			 i;
	int			 r, any;

	if (json_is_array(f)) {
		/* An array of conditions: all must hold (§4.4, UNVERIFIED). */
		json_array_foreach(f, i, v)
			if ((r = fmatch(ex, n, row, v, err, errsz)) != 1)
				return r;
		return 1;
	}
	if (!json_is_object(f)) {
		(void)snprintf(err, errsz, "Filter must be an object");
		return -1;
	}
	json_object_foreach(mut(f), k, v) {
		if (strcmp(k, "_and") == 0 || strcmp(k, "_or") == 0) {
			if (!json_is_array(v)) {
				(void)snprintf(err, errsz, "%s expects an "
				    "array", k);
				return -1;
			}
			any = 0;
			json_array_foreach(v, i, sub) {
				if ((r = fmatch(ex, n, row, sub, err,
				    errsz)) == -1)
					return -1;
				if (k[1] == 'a' && r == 0)
					return 0;
				any |= r;
			}
			if (k[1] == 'o' && !any && json_array_size(v) > 0)
				return 0;
			continue;
		}
		if (strcmp(k, "_not") == 0) {
			if ((r = fmatch(ex, n, row, v, err, errsz)) == -1)
				return -1;
			if (r)
				return 0;
			continue;
		}
		if ((p = prop_get(n, k)) == NULL) {
			(void)snprintf(err, errsz, "Invalid filter: property "
			    "'%s' not found on node '%s'", k, nodes[n].type);
			return -1;
		}
		if (p->type == P_COLL) {
			if ((r = collmatch(ex, p, row, v, err, errsz)) != 1)
				return r;
			continue;
		}
		if (p->type == P_REF && json_is_object(v)) {
			/* Operators on the code, or a nested node filter. */
			int	 ops = 0;

			json_object_foreach(mut(v), ok, ov)
				if (is_op(ok))
					ops = 1;
			if (!ops) {
				const json_t *t = ref_row(ex, p, row);
				if (t == NULL)
					return 0;
				if ((r = fmatch(ex, p->target, t, v, err,
				    errsz)) != 1)
					return r;
				continue;
			}
		}
		if ((have = prop_cmpval(n, p, row)) == NULL)
			return -1;
		if (json_is_object(v)) {
			json_object_foreach(mut(v), ok, ov) {
				if (strcmp(ok, "_options") == 0)
					continue;
				if (!is_op(ok)) {
					(void)snprintf(err, errsz, "Invalid "
					    "filter operator '%s' on '%s'",
					    ok, k);
					json_decref(have);
					return -1;
				}
				r = opmatch(p, have, ok, ov, json_object_get(v,
				    "_options"), err, errsz);
				if (r != 1) {
					json_decref(have);
					return r;
				}
			}
		} else if ((r = opmatch(p, have, "_eq", v, NULL, err,
		    errsz)) != 1) {
			json_decref(have);
			return r;
		}
		json_decref(have);
	}
	return 1;
}

/* --- connections ------------------------------------------------------------ */

struct sortkey {
	const struct prop	*p;
	const struct prop	*sub;	/* nested reference property */
	int			 dir;	/* 1 or -1 */
};

struct sortrow {
	const json_t	*row;
	json_t		*vals;		/* array of compare values */
};

static const struct sortkey	*g_keys;	/* qsort context */
static size_t			 g_nkeys;

static int
tuple_cmp(const json_t *a, const json_t *b, const struct sortkey *keys,
    size_t nkeys)
{
	size_t	i;
	int	c;

	for (i = 0; i < nkeys; i++) {
		c = jcmp(json_array_get(a, i), json_array_get(b, i));
		if (c != 0)
			return c * keys[i].dir;
	}
	return 0;
}

static int
sortrow_cmp(const void *a, const void *b)
{
	const struct sortrow	*ra = a, *rb = b;

	return tuple_cmp(ra->vals, rb->vals, g_keys, g_nkeys);
}

static int
parse_order(enum node n, const json_t *ob, struct sortkey *keys,
    size_t *nkeys, char *err, size_t errsz)
{
	const char		*k, *k2;
	const json_t		*v, *v2;
	const struct prop	*p;

	*nkeys = 0;
	if (ob != NULL && !json_is_object(ob)) {
		(void)snprintf(err, errsz, "orderBy must be an object");
		return -1;
	}
	json_object_foreach(mut(ob), k, v) {
		if (*nkeys >= MAX_SORT - 1) {
			(void)snprintf(err, errsz, "Too many sort keys");
			return -1;
		}
		if ((p = prop_get(n, k)) == NULL || p->type == P_COLL) {
			(void)snprintf(err, errsz, "Invalid orderBy: property "
			    "'%s' not found on node '%s'", k, nodes[n].type);
			return -1;
		}
		keys[*nkeys].p = p;
		keys[*nkeys].sub = NULL;
		if (json_is_object(v) && p->type == P_REF &&
		    json_object_size(v) == 1) {
			json_object_foreach(mut(v), k2, v2) {
				if ((keys[*nkeys].sub = prop_get(p->target,
				    k2)) == NULL) {
					(void)snprintf(err, errsz, "Invalid "
					    "orderBy: property '%s' not found",
					    k2);
					return -1;
				}
				v = v2;
			}
		}
		if (!json_is_integer(v) || (json_integer_value(v) != 1 &&
		    json_integer_value(v) != -1)) {
			(void)snprintf(err, errsz, "orderBy direction of '%s' "
			    "must be 1 or -1", k);
			return -1;
		}
		keys[*nkeys].dir = (int)json_integer_value(v);
		(*nkeys)++;
	}
	/* _id breaks ties so cursors are stable. */
	keys[*nkeys].p = prop_get(n, "_id");
	keys[*nkeys].sub = NULL;
	keys[*nkeys].dir = 1;
	(*nkeys)++;
	return 0;
}

static json_t *
sort_vals(struct exec *ex, enum node n, const json_t *row,
    const struct sortkey *keys, size_t nkeys)
{
	json_t		*a = json_array();
	const json_t	*t;
	size_t		 i;

	for (i = 0; i < nkeys; i++) {
		if (keys[i].sub != NULL) {
			t = ref_row(ex, keys[i].p, row);
			json_array_append_new(a, t != NULL ? prop_cmpval(
			    keys[i].p->target, keys[i].sub, t) : json_null());
		} else
			json_array_append_new(a, prop_cmpval(n, keys[i].p,
			    row));
	}
	return a;
}

/* Cursor: sort-key JSON + "#" + ordinal, like "[\"AE020\"]#73" (§4.5). */
static json_t *
make_cursor(const json_t *vals, size_t ord)
{
	char	*s, buf[2048];
	int	 r;

	if ((s = json_dumps(vals, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return json_null();
	r = snprintf(buf, sizeof(buf), "%s#%zu", s, ord);
	free(s);
	if (r < 0 || (size_t)r >= sizeof(buf))
		return json_null();
	return json_string(buf);
}

static json_t *
parse_cursor(const char *c, size_t nkeys)
{
	const char	*h = strrchr(c, '#');
	json_t		*v;

	if (h == NULL)
		return NULL;
	v = json_loadb(c, (size_t)(h - c), 0, NULL);
	if (!json_is_array(v) || json_array_size(v) != nkeys) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static json_t *node_obj(struct exec *, enum node, const json_t *,
    const struct gql_sel *);

static int
int_arg(struct exec *ex, const struct gql_sel *f, const char *name,
    json_int_t *out, int *given)
{
	const struct gql_arg	*a = gql_arg_get(f->args, name);
	struct gql_error	 err;
	json_t			*v;

	*given = 0;
	if (a == NULL)
		return 0;
	if ((v = gql_value_json(a->value, ex->vars, &err)) == NULL)
		return -1;
	if (json_is_null(v)) {
		json_decref(v);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		json_decref(v);
		add_error(ex, f, NULL, "Argument \"%s\" must be a non-negative "
		    "Int.", name);
		return -1;
	}
	*out = json_integer_value(v);
	*given = 1;
	json_decref(v);
	return 0;
}

/* String or object argument; *out new or NULL when absent. */
static int
obj_arg(struct exec *ex, const struct gql_sel *f, const char *name,
    json_t **out)
{
	const struct gql_arg	*a = gql_arg_get(f->args, name);
	struct gql_error	 err;
	json_t			*v;
	char			 msg[256];

	*out = NULL;
	if (a == NULL)
		return 0;
	if ((v = gql_value_json(a->value, ex->vars, &err)) == NULL)
		return -1;
	if (json_is_null(v) || (json_is_string(v) &&
	    *json_string_value(v) == '\0')) {
		json_decref(v);
		return 0;
	}
	if (json_is_string(v)) {
		*out = x3_jsobj_parse(json_string_value(v), msg, sizeof(msg));
		json_decref(v);
		if (*out == NULL) {
			add_error(ex, f, json_pack("{s:s}", "code",
			    "invalid-argument"), "Invalid %s: %s", name, msg);
			return -1;
		}
		return 0;
	}
	*out = v;
	return 0;
}

/* A Relay connection over rows of node n (§4.3, §4.5). */
static json_t *
connection(struct exec *ex, enum node n, const json_t *rows,
    const struct gql_sel *f)
{
	struct sortkey		 keys[MAX_SORT];
	size_t			 nkeys, i, nrows, cnt = 0, lo, hi, k;
	struct sortrow		*sr = NULL;
	json_t			*filter = NULL, *order = NULL, *res = NULL;
	json_t			*after = NULL, *before = NULL, *v;
	json_int_t		 first = X3_GQL_FIRST_DEFAULT, last = 0;
	int			 gfirst, glast, r;
	char			 err[256];
	const struct gql_arg	*a;
	struct gql_error	 gerr;
	struct fields		 fl, ef, pf;
	const json_t		*row;

	err[0] = '\0';
	if (int_arg(ex, f, "first", &first, &gfirst) == -1 ||
	    int_arg(ex, f, "last", &last, &glast) == -1 ||
	    obj_arg(ex, f, "filter", &filter) == -1 ||
	    obj_arg(ex, f, "orderBy", &order) == -1)
		goto out;
	if (!gfirst)
		first = X3_GQL_FIRST_DEFAULT;
	if (first > X3_GQL_FIRST_MAX)
		first = X3_GQL_FIRST_MAX;
	if (parse_order(n, order, keys, &nkeys, err, sizeof(err)) == -1) {
		add_error(ex, f, json_pack("{s:s}", "code",
		    "invalid-argument"), "%s", err);
		goto out;
	}
	nrows = json_array_size(rows);
	if ((sr = calloc(nrows + 1, sizeof(*sr))) == NULL)
		goto out;
	json_array_foreach(rows, i, row) {
		if (filter != NULL) {
			r = fmatch(ex, n, row, filter, err, sizeof(err));
			if (r == -1) {
				add_error(ex, f, json_pack("{s:s}", "code",
				    "invalid-argument"), "%s", err);
				goto out;
			}
			if (r == 0)
				continue;
		}
		sr[cnt].row = row;
		sr[cnt].vals = sort_vals(ex, n, row, keys, nkeys);
		cnt++;
	}
	g_keys = keys;
	g_nkeys = nkeys;
	qsort(sr, cnt, sizeof(*sr), sortrow_cmp);
	lo = 0;
	hi = cnt;
	if ((a = gql_arg_get(f->args, "after")) != NULL &&
	    (v = gql_value_json(a->value, ex->vars, &gerr)) != NULL) {
		if (json_is_string(v) && *json_string_value(v) != '\0' &&
		    (after = parse_cursor(json_string_value(v), nkeys)) ==
		    NULL) {
			json_decref(v);
			add_error(ex, f, json_pack("{s:s}", "code",
			    "invalid-argument"), "Invalid cursor");
			goto out;
		}
		json_decref(v);
	}
	if ((a = gql_arg_get(f->args, "before")) != NULL &&
	    (v = gql_value_json(a->value, ex->vars, &gerr)) != NULL) {
		if (json_is_string(v) && *json_string_value(v) != '\0' &&
		    (before = parse_cursor(json_string_value(v), nkeys)) ==
		    NULL) {
			json_decref(v);
			add_error(ex, f, json_pack("{s:s}", "code",
			    "invalid-argument"), "Invalid cursor");
			goto out;
		}
		json_decref(v);
	}
	if (after != NULL)
		while (lo < hi && tuple_cmp(sr[lo].vals, after, keys,
		    nkeys) <= 0)
			lo++;
	if (before != NULL)
		while (hi > lo && tuple_cmp(sr[hi - 1].vals, before, keys,
		    nkeys) >= 0)
			hi--;
	{
		size_t	 slo = lo, shi = hi;

		if (glast && hi - lo > (size_t)last)
			lo = hi - (size_t)last;
		if (hi - lo > (size_t)first && !glast)
			hi = lo + (size_t)first;
		else if (glast && gfirst && hi - lo > (size_t)first)
			hi = lo + (size_t)first;
		/* Relay: hasPreviousPage/hasNextPage by rows left out. */
		res = json_object();
		fl.n = 0;
		(void)flatten(ex, f->sels, &fl, 0);
		for (i = 0; i < fl.n; i++) {
			const struct gql_sel *s = fl.v[i];

			if (strcmp(s->name, "__typename") == 0) {
				char tb[128];
				(void)snprintf(tb, sizeof(tb), "%s_Connection",
				    nodes[n].type);
				json_object_set_new(res, rkey(s),
				    json_string(tb));
			} else if (strcmp(s->name, "totalCount") == 0)
				json_object_set_new(res, rkey(s),
				    json_integer((json_int_t)cnt));
			else if (strcmp(s->name, "pageInfo") == 0) {
				json_t *pi = json_object();
				pf.n = 0;
				(void)flatten(ex, s->sels, &pf, 0);
				for (k = 0; k < pf.n; k++) {
					const char *pn = pf.v[k]->name;
					json_t *pv;
					if (strcmp(pn, "hasNextPage") == 0)
						pv = json_boolean(hi < shi ||
						    (before != NULL && hi <
						    cnt));
					else if (strcmp(pn,
					    "hasPreviousPage") == 0)
						pv = json_boolean(lo > slo ||
						    (after != NULL && lo > 0));
					else if (strcmp(pn, "startCursor") == 0)
						pv = hi > lo ? make_cursor(
						    sr[lo].vals, lo + 1) :
						    json_null();
					else if (strcmp(pn, "endCursor") == 0)
						pv = hi > lo ? make_cursor(
						    sr[hi - 1].vals, hi) :
						    json_null();
					else if (strcmp(pn, "__typename") == 0)
						pv = json_string("PageInfo");
					else
						pv = json_null();
					json_object_set_new(pi, rkey(pf.v[k]),
					    pv);
				}
				json_object_set_new(res, rkey(s), pi);
			} else if (strcmp(s->name, "edges") == 0) {
				json_t *edges = json_array();
				ef.n = 0;
				(void)flatten(ex, s->sels, &ef, 0);
				json_array_append_new(ex->path,
				    json_string(rkey(s)));
				for (k = lo; k < hi; k++) {
					json_t *e = json_object();
					size_t	j;

					json_array_append_new(ex->path,
					    json_integer((json_int_t)(k - lo)));
					for (j = 0; j < ef.n; j++) {
						const struct gql_sel *es =
						    ef.v[j];
						json_t *ev;
						if (strcmp(es->name,
						    "cursor") == 0)
							ev = make_cursor(
							    sr[k].vals, k + 1);
						else if (strcmp(es->name,
						    "node") == 0) {
							json_array_append_new(
							    ex->path,
							    json_string(
							    rkey(es)));
							ev = node_obj(ex, n,
							    sr[k].row,
							    es->sels);
							json_array_remove(
							    ex->path,
							    json_array_size(
							    ex->path) - 1);
						} else if (strcmp(es->name,
						    "__typename") == 0) {
							char tb[128];
							(void)snprintf(tb,
							    sizeof(tb),
							    "%s_Edge",
							    nodes[n].type);
							ev = json_string(tb);
						} else
							ev = json_null();
						json_object_set_new(e,
						    rkey(es), ev);
					}
					json_array_remove(ex->path,
					    json_array_size(ex->path) - 1);
					json_array_append_new(edges, e);
				}
				json_array_remove(ex->path,
				    json_array_size(ex->path) - 1);
				json_object_set_new(res, rkey(s), edges);
			}
		}
	}
out:
	if (sr != NULL)
		for (i = 0; i < cnt; i++)
			json_decref(sr[i].vals);
	free(sr);
	json_decref(filter);
	json_decref(order);
	json_decref(after);
	json_decref(before);
	return res != NULL ? res : json_null();
}

/* A node object with the selected fields. */
static json_t *
node_obj(struct exec *ex, enum node n, const json_t *row,
    const struct gql_sel *sels)
{
	struct fields		 fl, cf;
	json_t			*o, *v;
	const struct prop	*p;
	const json_t		*t;
	size_t			 i, k;

	if (row == NULL)
		return json_null();
	o = json_object();
	fl.n = 0;
	(void)flatten(ex, sels, &fl, 0);
	for (i = 0; i < fl.n; i++) {
		const struct gql_sel *f = fl.v[i];

		if (strcmp(f->name, "__typename") == 0) {
			json_object_set_new(o, rkey(f),
			    json_string(nodes[n].type));
			continue;
		}
		if ((p = prop_get(n, f->name)) == NULL) {
			json_object_set_new(o, rkey(f), json_null());
			continue;
		}
		json_array_append_new(ex->path, json_string(rkey(f)));
		if (p->type == P_REF) {
			t = ref_row(ex, p, row);
			v = t != NULL ? node_obj(ex, p->target, t, f->sels) :
			    json_null();
		} else if (p->type == P_COLL) {
			v = json_object();
			cf.n = 0;
			(void)flatten(ex, f->sels, &cf, 0);
			for (k = 0; k < cf.n; k++) {
				if (strcmp(cf.v[k]->name, "query") == 0) {
					json_array_append_new(ex->path,
					    json_string(rkey(cf.v[k])));
					json_object_set_new(v, rkey(cf.v[k]),
					    connection(ex, p->target,
					    json_object_get(row, p->field),
					    cf.v[k]));
					json_array_remove(ex->path,
					    json_array_size(ex->path) - 1);
				} else
					json_object_set_new(v, rkey(cf.v[k]),
					    json_null());
			}
		} else
			v = prop_out(n, p, row);
		json_array_remove(ex->path, json_array_size(ex->path) - 1);
		json_object_set_new(o, rkey(f), v);
	}
	return o;
}

/* --- mutations ----------------------------------------------------------- */

/* Map GraphQL input (camelCase) to dictionary fields; -1 on a bad key. */
static int
map_input(enum node n, const json_t *data, int flag, json_t *out,
    char *err, size_t errsz)
{
	const char		*k;
	const json_t		*v, *it, *cv;
	const struct prop	*p;
	json_t			*arr, *lo;
	size_t			 i;

	if (!json_is_object(data)) {
		(void)snprintf(err, errsz, "%s_Input: an object is expected",
		    nodes[n].type);
		return -1;
	}
	json_object_foreach(mut(data), k, v) {
		p = prop_get(n, k);
		if (p == NULL || p->field == NULL || (flag == IN_CREATE &&
		    !(p->input & IN_CREATE))) {
			(void)snprintf(err, errsz, "Field \"%s\" is not defined "
			    "by type \"%s_Input\".", k, nodes[n].type);
			return -1;
		}
		if (flag == IN_UPDATE && p->type == P_ID)
			continue;
		switch (p->type) {
		case P_REF:
			/* Codes in input; tolerate {_id:} / {code:} objects. */
			if (json_is_object(v)) {
				cv = json_object_get(v, "_id");
				if (cv == NULL)
					cv = json_object_get(v, "code");
				v = cv != NULL ? cv : json_null();
			}
			json_object_set(out, p->field, mut(v));
			break;
		case P_BOOL:
			if (json_is_boolean(v))
				json_object_set_new(out, p->field,
				    json_integer(json_is_true(v) ? 2 : 1));
			else
				json_object_set(out, p->field, mut(v));
			break;
		case P_COLL:
			if (!json_is_array(v)) {
				(void)snprintf(err, errsz, "Field \"%s\" must "
				    "be a list.", k);
				return -1;
			}
			arr = json_array();
			json_object_set_new(out, p->field, arr);
			json_array_foreach(v, i, it) {
				lo = json_object();
				json_array_append_new(arr, lo);
				/* In an update a line keeps its key
				 * (lineNumber, or _id) to be addressed. */
				if (map_input(p->target, it, flag ==
				    IN_UPDATE ? IN_BOTH : IN_CREATE, lo, err,
				    errsz) == -1)
					return -1;
			}
			break;
		default:
			json_object_set(out, p->field, mut(v));
			break;
		}
	}
	return 0;
}

static json_t *
diag_ext(const json_t *diags)
{
	json_t		*d = json_array();
	size_t		 i;
	const json_t	*m;

	json_array_foreach(diags, i, m)
		json_array_append_new(d, json_pack("{s:s,s:O}", "severity",
		    "error", "message", m));
	return json_pack("{s:s,s:o}", "code", "business-rule-error",
	    "diagnoses", d);
}

static json_t *
mutate(struct exec *ex, enum node n, const struct gql_sel *f)
{
	const struct gql_arg	*a = gql_arg_get(f->args, "data");
	struct gql_error	 gerr;
	json_t			*data = NULL, *in = NULL, *diags, *res = NULL;
	json_t			*row = NULL;
	const char		*key = NULL;
	char			 err[512];
	int			 rc = -1;

	diags = json_array();
	if (a == NULL || (data = gql_value_json(a->value, ex->vars,
	    &gerr)) == NULL) {
		add_error(ex, f, NULL, "Argument \"data\" is required.");
		goto out;
	}
	in = json_object();
	if (map_input(n, data, strcmp(f->name, "create") == 0 ? IN_CREATE :
	    IN_UPDATE, in, err, sizeof(err)) == -1) {
		add_error(ex, f, json_pack("{s:s}", "code",
		    "invalid-input"), "%s", err);
		goto out;
	}
	if (strcmp(f->name, "update") == 0) {
		key = json_string_value(json_object_get(data, "_id"));
		if (key == NULL)
			key = json_string_value(json_object_get(data, "id"));
		if (key == NULL) {
			add_error(ex, f, json_pack("{s:s}", "code",
			    "invalid-input"), "update: _id is required.");
			goto out;
		}
		if (n == N_ORDER) {
			json_object_del(in, "SOHNUM");
			rc = x3_order_update(ex->x, key, in, &row, diags);
		}
	} else switch (n) {
	case N_ORDER:
		rc = x3_order_create(ex->x, in, &row, diags);
		break;
	case N_DELIVERY:
		rc = x3_delivery_create(ex->x, in, &row, diags);
		break;
	case N_CUSTOMER:
	case N_BP:
		rc = x3_customer_create(ex->x, in, &row, diags);
		break;
	case N_PRODUCT:
		rc = x3_item_create(ex->x, in, &row, diags);
		break;
	default:
		break;
	}
	if (rc == -1) {
		if (json_array_size(diags) == 0)
			json_array_append_new(diags, json_string("The record "
			    "could not be saved."));
		add_error(ex, f, diag_ext(diags), "%s",
		    json_string_value(json_array_get(diags, 0)));
		goto out;
	}
	res = node_obj(ex, n, row, f->sels);
out:
	json_decref(data);
	json_decref(in);
	json_decref(diags);
	return res != NULL ? res : json_null();
}

/* delete(_id:): only deliveries can be deleted (a reversal). */
static json_t *
mut_delete(struct exec *ex, enum node n, const struct gql_sel *f)
{
	const struct gql_arg	*a = gql_arg_get(f->args, "_id");
	struct gql_error	 gerr;
	json_t			*v = NULL, *diags;
	int			 rc = -1;

	diags = json_array();
	if (a == NULL || (v = gql_value_json(a->value, ex->vars,
	    &gerr)) == NULL || !json_is_string(v)) {
		add_error(ex, f, NULL, "Argument \"_id\" is required.");
		goto out;
	}
	if (n == N_DELIVERY)
		rc = x3_delivery_delete(ex->x, json_string_value(v), diags);
	else
		json_array_append_new(diags, json_string("Deletion is not "
		    "allowed."));
	if (rc == -1)
		add_error(ex, f, diag_ext(diags), "%s",
		    json_string_value(json_array_get(diags, 0)));
out:
	json_decref(v);
	json_decref(diags);
	return rc == 0 ? json_true() : json_null();
}

/* --- introspection ------------------------------------------------------- */

static json_t *
jselect(struct exec *ex, const json_t *v, const struct gql_sel *sels)
{
	struct fields	 fl;
	json_t		*o, *a;
	const json_t	*it;
	size_t		 i;

	if (v == NULL || json_is_null(v))
		return json_null();
	if (json_is_array(v)) {
		a = json_array();
		json_array_foreach(v, i, it)
			json_array_append_new(a, jselect(ex, it, sels));
		return a;
	}
	if (!json_is_object(v) || sels == NULL)
		return json_incref(mut(v));
	o = json_object();
	fl.n = 0;
	(void)flatten(ex, sels, &fl, 0);
	for (i = 0; i < fl.n; i++) {
		const struct gql_sel *f = fl.v[i];

		if (strcmp(f->name, "__typename") == 0) {
			json_object_set_new(o, rkey(f), json_string(
			    json_object_get(v, "queryType") != NULL ?
			    "__Schema" : json_object_get(v, "kind") != NULL ?
			    "__Type" : json_object_get(v, "args") != NULL ?
			    "__Field" : json_object_get(v, "defaultValue") !=
			    NULL ? "__InputValue" : "__EnumValue"));
			continue;
		}
		json_object_set_new(o, rkey(f), jselect(ex,
		    json_object_get(v, f->name), f->sels));
	}
	return o;
}

/* --- operation ------------------------------------------------------------ */

static json_t *
exec_op(struct exec *ex, const struct gql_op *op)
{
	struct fields		 pf, nf, of;
	json_t			*data, *po, *no, *v;
	size_t			 i, j, k;
	int			 n;
	const struct gql_arg	*a;
	struct gql_error	 gerr;
	const char		*id;
	int			 mut = op->type == GQL_OP_MUTATION;

	data = json_object();
	pf.n = 0;
	(void)flatten(ex, op->sels, &pf, 0);
	for (i = 0; i < pf.n; i++) {
		const struct gql_sel *p = pf.v[i];

		if (strcmp(p->name, "__typename") == 0) {
			json_object_set_new(data, rkey(p), json_string(mut ?
			    "Mutation" : "Query"));
			continue;
		}
		if (strcmp(p->name, "__schema") == 0) {
			json_object_set_new(data, rkey(p), jselect(ex,
			    ex->x->schema, p->sels));
			continue;
		}
		if (strcmp(p->name, "__type") == 0) {
			a = gql_arg_get(p->args, "name");
			v = a != NULL ? gql_value_json(a->value, ex->vars,
			    &gerr) : NULL;
			json_object_set_new(data, rkey(p), jselect(ex,
			    json_is_string(v) ? json_object_get(ex->x->typemap,
			    json_string_value(v)) : NULL, p->sels));
			json_decref(v);
			continue;
		}
		po = json_object();
		json_object_set_new(data, rkey(p), po);
		json_array_append_new(ex->path, json_string(rkey(p)));
		nf.n = 0;
		(void)flatten(ex, p->sels, &nf, 0);
		for (j = 0; j < nf.n; j++) {
			const struct gql_sel *ns = nf.v[j];

			if (strcmp(ns->name, "__typename") == 0) {
				char tb[128];
				(void)snprintf(tb, sizeof(tb), "%c%s_%s",
				    toupper((unsigned char)p->name[0]),
				    p->name + 1, mut ? "Mutation" : "Query");
				json_object_set_new(po, rkey(ns),
				    json_string(tb));
				continue;
			}
			n = node_by_name(ex->x, p->name, ns->name);
			if (n < 0)
				continue;
			no = json_object();
			json_object_set_new(po, rkey(ns), no);
			json_array_append_new(ex->path, json_string(rkey(ns)));
			of.n = 0;
			(void)flatten(ex, ns->sels, &of, 0);
			for (k = 0; k < of.n; k++) {
				const struct gql_sel *os = of.v[k];

				json_array_append_new(ex->path,
				    json_string(rkey(os)));
				if (strcmp(os->name, "query") == 0)
					v = connection(ex, (enum node)n,
					    ex->x->tab[nodes[n].tab], os);
				else if (strcmp(os->name, "read") == 0) {
					a = gql_arg_get(os->args, "_id");
					v = a != NULL ? gql_value_json(a->value,
					    ex->vars, &gerr) : NULL;
					id = json_string_value(v);
					{
						json_t *row = id != NULL ?
						    x3_find(ex->x, nodes[n].tab,
						    id) : NULL;
						json_decref(v);
						v = node_obj(ex, (enum node)n,
						    row, os->sels);
					}
				} else if (strcmp(os->name, "create") == 0 ||
				    strcmp(os->name, "update") == 0)
					v = mutate(ex, (enum node)n, os);
				else if (strcmp(os->name, "delete") == 0)
					v = mut_delete(ex, (enum node)n, os);
				else if (strcmp(os->name, "__typename") == 0) {
					char tb[128];
					(void)snprintf(tb, sizeof(tb), "%s_%s",
					    nodes[n].type, mut ? "Mutation" :
					    "Query");
					v = json_string(tb);
				} else
					v = json_null();
				json_array_remove(ex->path,
				    json_array_size(ex->path) - 1);
				json_object_set_new(no, rkey(os), v);
			}
			json_array_remove(ex->path,
			    json_array_size(ex->path) - 1);
		}
		json_array_remove(ex->path, json_array_size(ex->path) - 1);
	}
	return data;
}

/* --- HTTP ------------------------------------------------------------------ */

static void
gql_errors(struct sb_resp *resp, int status, json_t *errors)
{

	sb_resp_json(resp, status, json_pack("{s:o,s:{}}", "errors", errors,
	    "extensions"));
}

static void
gql_error1(struct sb_resp *resp, int status, const char *msg)
{

	gql_errors(resp, status, json_pack("[{s:s}]", "message", msg));
}

static void
unauthorized(struct sb_resp *resp, int code)
{
	char	buf[64];

	(void)snprintf(buf, sizeof(buf), "Error %d: Invalid token", code);
	sb_resp_text(resp, 401, "text/plain; charset=utf-8", buf);
}

/* Handle /xtrem/...; see x3.h. */
void
x3_gql_handle(struct x3_state *x, const struct sb_req *req,
    struct sb_resp *resp)
{
	const char		*authz, *ep, *q = NULL, *opname = NULL;
	json_t			*body = NULL, *vars = NULL, *data;
	struct gql_doc		*doc = NULL;
	const struct gql_op	*op;
	struct gql_error	 gerr;
	struct exec		 ex;
	json_error_t		 jerr;
	int			 code;
	char			*qbuf = NULL, *vbuf = NULL, obuf[256];

	memset(&ex, 0, sizeof(ex));
	if (strcmp(req->path, "/xtrem/api") != 0) {
		sb_resp_text(resp, 404, "text/plain; charset=utf-8",
		    "Not Found");
		return;
	}
	if (strcmp(req->method, "POST") != 0 &&
	    strcmp(req->method, "GET") != 0) {
		sb_resp_header(resp, "Allow", "GET, POST");
		sb_resp_text(resp, 405, "text/plain; charset=utf-8",
		    "Method Not Allowed");
		return;
	}
	/* Authentication first (§5.2), then the endpoint (§4.1). */
	authz = sb_req_header(req, "Authorization");
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		if (x3_jwt_check(x, authz + 7, &code) == -1) {
			unauthorized(resp, code);
			return;
		}
	} else if (authz != NULL && strncasecmp(authz, "Basic ", 6) == 0 &&
	    x->gql_basic) {
		if (x3_basic_check(x, authz) == -1) {
			sb_resp_header(resp, "WWW-Authenticate",
			    "Basic realm=\"Sage X3\"");
			sb_resp_text(resp, 401, "text/plain; charset=utf-8",
			    "Unauthorized");
			return;
		}
	} else {
		sb_resp_header(resp, "WWW-Authenticate", "Bearer");
		sb_resp_text(resp, 401, "text/plain; charset=utf-8",
		    "Unauthorized");
		return;
	}
	ep = sb_req_header(req, "x-xtrem-endpoint");
	if (ep == NULL || *ep == '\0') {
		gql_error1(resp, 400, "Missing x-xtrem-endpoint header.");
		return;
	}
	if (x->cfg == NULL || x->cfg->x3_endpoint == NULL ||
	    strcmp(ep, x->cfg->x3_endpoint) != 0) {
		char	msg[300];
		(void)snprintf(msg, sizeof(msg), "Endpoint '%.200s' not found.",
		    ep);
		gql_error1(resp, 400, msg);
		return;
	}
	if (req->bodylen > X3_MAX_BODY) {
		gql_error1(resp, 413, "Request entity too large.");
		return;
	}
	if (strcmp(req->method, "GET") == 0) {
		if ((qbuf = malloc(X3_MAX_FILTER * 4)) == NULL ||
		    (vbuf = malloc(X3_MAX_FILTER * 4)) == NULL)
			goto oom;
		if (sb_query_get(req->query, "query", qbuf,
		    X3_MAX_FILTER * 4) != 1) {
			gql_error1(resp, 400, "Must provide query string.");
			goto out;
		}
		q = qbuf;
		if (sb_query_get(req->query, "variables", vbuf,
		    X3_MAX_FILTER * 4) == 1 && *vbuf != '\0' &&
		    (vars = json_loads(vbuf, JSON_REJECT_DUPLICATES,
		    NULL)) == NULL) {
			gql_error1(resp, 400, "Variables are invalid JSON.");
			goto out;
		}
		if (sb_query_get(req->query, "operationName", obuf,
		    sizeof(obuf)) == 1)
			opname = obuf;
	} else {
		const char *ct = sb_req_header(req, "Content-Type");

		if (ct != NULL && strncasecmp(ct, "application/graphql",
		    19) == 0)
			q = req->body;
		else {
			body = json_loadb(req->body, req->bodylen,
			    JSON_REJECT_DUPLICATES, &jerr);
			if (!json_is_object(body)) {
				char	msg[300];
				(void)snprintf(msg, sizeof(msg), "Invalid JSON "
				    "body: %s", body == NULL ? jerr.text :
				    "not an object");
				gql_error1(resp, 400, msg);
				goto out;
			}
			q = json_string_value(json_object_get(body, "query"));
			opname = json_string_value(json_object_get(body,
			    "operationName"));
			vars = json_incref(json_object_get(body, "variables"));
			if (vars != NULL && json_is_null(vars)) {
				json_decref(vars);
				vars = NULL;
			}
			if (vars != NULL && !json_is_object(vars)) {
				gql_error1(resp, 400, "Variables must be an "
				    "object.");
				goto out;
			}
		}
		if (q == NULL) {
			gql_error1(resp, 400, "Must provide query string.");
			goto out;
		}
	}
	if ((doc = gql_parse(q, strlen(q), &gerr)) == NULL) {
		gql_errors(resp, 400, json_pack("[{s:s,s:[{s:i,s:i}]}]",
		    "message", gerr.msg, "locations", "line", gerr.line,
		    "column", gerr.col));
		goto out;
	}
	if ((op = gql_op_get(doc, opname, &gerr)) == NULL) {
		gql_error1(resp, 400, gerr.msg);
		goto out;
	}
	if (op->type == GQL_OP_SUBSCRIPTION ||
	    (op->type == GQL_OP_MUTATION &&
	    strcmp(req->method, "GET") == 0)) {
		gql_error1(resp, op->type == GQL_OP_MUTATION ? 405 : 400,
		    op->type == GQL_OP_MUTATION ? "Can only perform a "
		    "mutation operation from a POST request." :
		    "Schema is not configured for subscriptions.");
		goto out;
	}
	ex.x = x;
	ex.doc = doc;
	ex.errors = json_array();
	ex.path = json_array();
	if (x->schema == NULL)
		schema_build(x);
	if (op->type == GQL_OP_MUTATION &&
	    json_is_null(json_object_get(x->schema, "mutationType"))) {
		gql_error1(resp, 400, "Schema is not configured for "
		    "mutations.");
		goto out;
	}
	validate(&ex, op, op->sels, op->type == GQL_OP_MUTATION ?
	    "Mutation" : "Query", 0);
	if (ex.invalid) {
		gql_errors(resp, 400, ex.errors);
		ex.errors = NULL;
		goto out;
	}
	if (coerce_vars(&ex, op, vars) == -1) {
		gql_errors(resp, 400, ex.errors);
		ex.errors = NULL;
		goto out;
	}
	data = exec_op(&ex, op);
	if (json_array_size(ex.errors) > 0) {
		sb_resp_json(resp, 200, json_pack("{s:o,s:o}", "data", data,
		    "errors", ex.errors));
		ex.errors = NULL;
	} else
		sb_resp_json(resp, 200, json_pack("{s:o}", "data", data));
	goto out;
oom:
	sb_resp_text(resp, 500, "text/plain", "Out of memory");
out:
	free(qbuf);
	free(vbuf);
	gql_free(doc);
	json_decref(body);
	json_decref(vars);
	json_decref(ex.vars);
	json_decref(ex.errors);
	json_decref(ex.path);
}
