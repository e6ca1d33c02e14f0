/*
 * The X3 dictionary the sandbox serves: tables with their fields
 * (sage-x3.md §2) and the local menus whose integer values REST sends
 * and whose names GraphQL sends (§1.4, §4.3).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "sandbox.h"
#include "x3.h"

#define AUDIT \
	{ "CREDATTIM", X3_F_DATETIME, 0, 0, 1 }, \
	{ "UPDDATTIM", X3_F_DATETIME, 0, 0, 1 }, \
	{ "UPDTICK", X3_F_INT, 0, 0, 0 }, \
	{ "CREUSR", X3_F_STR, 0, 0, 0 }, \
	{ "UPDUSR", X3_F_STR, 0, 0, 0 }, \
	{ "AUUID", X3_F_STR, 0, 0, 0 }

static const struct x3_field site_fields[] = {
	{ "FCY", X3_F_STR, 0, 5, 1 },
	{ "FCYNAM", X3_F_STR, 0, 35, 1 },
	{ "CPY", X3_F_STR, 0, 5, 1 },
	{ "CRY", X3_F_STR, 0, 3, 1 },
	{ "CUR", X3_F_STR, 0, 3, 1 },
	{ "SALFLG", X3_F_MENU, 1, 0, 1 },
	{ "STOFLG", X3_F_MENU, 1, 0, 1 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field ordtype_fields[] = {
	{ "SOHTYP", X3_F_STR, 0, 5, 1 },
	{ "DES", X3_F_STR, 0, 30, 1 },
	{ "SOHCAT", X3_F_MENU, 412, 0, 1 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field currency_fields[] = {
	{ "CUR", X3_F_STR, 0, 3, 1 },
	{ "DES", X3_F_STR, 0, 30, 1 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field customer_fields[] = {
	{ "BPCNUM", X3_F_STR, 0, X3_LEN_BPCNUM, 1 },
	{ "BPCNAM", X3_F_STR, 0, X3_LEN_BPCNAM, 1 },
	{ "BPCSHO", X3_F_STR, 0, 10, 1 },
	{ "BPCTYP", X3_F_MENU, 401, 0, 1 },
	{ "BPCSTA", X3_F_MENU, 1, 0, 1 },
	{ "BCGCOD", X3_F_STR, 0, 5, 1 },
	{ "CUR", X3_F_STR, 0, 3, 1 },
	{ "PTE", X3_F_STR, 0, 15, 0 },
	{ "VACBPR", X3_F_STR, 0, 5, 0 },
	{ "BPCINV", X3_F_STR, 0, X3_LEN_BPCNUM, 0 },
	{ "BPCPYR", X3_F_STR, 0, X3_LEN_BPCNUM, 0 },
	{ "BPAADD", X3_F_STR, 0, 5, 0 },
	{ "BPDADD", X3_F_STR, 0, 5, 0 },
	{ "BPAADDLIG1", X3_F_STR, 0, 50, 0 },
	{ "BPAADDLIG2", X3_F_STR, 0, 50, 0 },
	{ "POSCOD", X3_F_STR, 0, 10, 0 },
	{ "CTY", X3_F_STR, 0, 40, 1 },
	{ "SAT", X3_F_STR, 0, 35, 0 },
	{ "CRY", X3_F_STR, 0, 3, 1 },
	{ "TEL", X3_F_STR, 0, 20, 0 },
	{ "WEB", X3_F_STR, 0, 80, 0 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field item_fields[] = {
	{ "ITMREF", X3_F_STR, 0, X3_LEN_ITMREF, 1 },
	{ "ITMDES1", X3_F_STR, 0, X3_LEN_ITMDES, 1 },
	{ "ITMDES2", X3_F_STR, 0, X3_LEN_ITMDES, 0 },
	{ "ITMDES3", X3_F_STR, 0, X3_LEN_ITMDES, 0 },
	{ "TCLCOD", X3_F_STR, 0, 5, 1 },
	{ "ITMSTA", X3_F_MENU, 246, 0, 1 },
	{ "STU", X3_F_STR, 0, 3, 1 },
	{ "SAU", X3_F_STR, 0, 3, 1 },
	{ "SAUSTUCOE", X3_F_DEC, 0, 0, 0 },
	{ "EANCOD", X3_F_STR, 0, 20, 0 },
	{ "ITMWEI", X3_F_DEC, 0, 0, 0 },
	{ "WEU", X3_F_STR, 0, 3, 0 },
	{ "STOMGTCOD", X3_F_MENU, 2, 0, 1 },
	{ "BASPRI", X3_F_DEC, 0, 0, 1 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field stock_fields[] = {
	{ "STOFCY", X3_F_STR, 0, 5, 1 },
	{ "ITMREF", X3_F_STR, 0, X3_LEN_ITMREF, 1 },
	{ "QTYSTU", X3_F_DEC, 0, 0, 1 },
	{ "STU", X3_F_STR, 0, 3, 1 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field order_fields[] = {
	{ "SOHNUM", X3_F_STR, 0, 20, 1 },
	{ "SOHTYP", X3_F_STR, 0, 5, 1 },
	{ "SOHCAT", X3_F_MENU, 412, 0, 1 },
	{ "SALFCY", X3_F_STR, 0, 5, 1 },
	{ "STOFCY", X3_F_STR, 0, 5, 1 },
	{ "CPY", X3_F_STR, 0, 5, 1 },
	{ "BPCORD", X3_F_STR, 0, X3_LEN_BPCNUM, 1 },
	{ "BPCINV", X3_F_STR, 0, X3_LEN_BPCNUM, 0 },
	{ "BPCPYR", X3_F_STR, 0, X3_LEN_BPCNUM, 0 },
	{ "BPAADD", X3_F_STR, 0, 5, 0 },
	{ "BPCNAM", X3_F_STR, 0, X3_LEN_BPCNAM, 1 },
	{ "BPDNAM", X3_F_STR, 0, X3_LEN_BPCNAM, 0 },
	{ "BPDADDLIG1", X3_F_STR, 0, 50, 0 },
	{ "BPDADDLIG2", X3_F_STR, 0, 50, 0 },
	{ "BPDCTY", X3_F_STR, 0, 40, 0 },
	{ "BPDPOSCOD", X3_F_STR, 0, 10, 0 },
	{ "BPDSAT", X3_F_STR, 0, 35, 0 },
	{ "BPDCRY", X3_F_STR, 0, 3, 0 },
	{ "CUSORDREF", X3_F_STR, 0, X3_LEN_CUSORDREF, 1 },
	{ "YSSKEY", X3_F_STR, 0, 30, 0 },	/* custom: a caller's key */
	{ "ORDDAT", X3_F_DATE, 0, 0, 1 },
	{ "DEMDLVDAT", X3_F_DATE, 0, 0, 0 },
	{ "SHIDAT", X3_F_DATE, 0, 0, 0 },
	{ "CUR", X3_F_STR, 0, 3, 1 },
	{ "PRITYP", X3_F_MENU, 243, 0, 0 },
	{ "BPTNUM", X3_F_STR, 0, 15, 0 },
	{ "MDL", X3_F_STR, 0, 5, 0 },
	{ "ORDSTA", X3_F_MENU, 415, 0, 1 },
	{ "DLVSTA", X3_F_MENU, 417, 0, 1 },
	{ "INVSTA", X3_F_MENU, 418, 0, 1 },
	{ "ALLSTA", X3_F_MENU, 416, 0, 0 },
	{ "HLDSTA", X3_F_MENU, 491, 0, 1 },
	{ "CDTSTA", X3_F_MENU, 419, 0, 0 },
	{ "APPFLG", X3_F_MENU, 280, 0, 0 },
	{ "ORDNOT", X3_F_DEC, 0, 0, 1 },
	{ "ORDATI", X3_F_DEC, 0, 0, 1 },
	{ "LASDLVNUM", X3_F_STR, 0, 20, 0 },
	{ "LASDLVDAT", X3_F_DATE, 0, 0, 0 },
	{ X3_ORDER_LINES, X3_F_LINES, 0, 0, 0 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field order_line_fields[] = {
	{ "SOPLIN", X3_F_INT, 0, 0, 1 },
	{ "SOQSEQ", X3_F_INT, 0, 0, 1 },
	{ "ITMREF", X3_F_STR, 0, X3_LEN_ITMREF, 1 },
	{ "ITMDES", X3_F_STR, 0, X3_LEN_ITMDES, 1 },
	{ "SAU", X3_F_STR, 0, 3, 1 },
	{ "STU", X3_F_STR, 0, 3, 1 },
	{ "SAUSTUCOE", X3_F_DEC, 0, 0, 0 },
	{ "QTY", X3_F_DEC, 0, 0, 1 },
	{ "QTYSTU", X3_F_DEC, 0, 0, 1 },
	{ "DLVQTY", X3_F_DEC, 0, 0, 1 },
	{ "DLVQTYSTU", X3_F_DEC, 0, 0, 0 },
	{ "TDLQTY", X3_F_DEC, 0, 0, 1 },
	{ "INVQTY", X3_F_DEC, 0, 0, 0 },
	{ "GROPRI", X3_F_DEC, 0, 0, 1 },
	{ "NETPRI", X3_F_DEC, 0, 0, 1 },
	{ "LINTYP", X3_F_MENU, 423, 0, 0 },
	{ "SOQSTA", X3_F_MENU, 279, 0, 1 },
	{ "STOFCY", X3_F_STR, 0, 5, 0 },
	{ "SDHNUM", X3_F_STR, 0, 20, 0 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field delivery_fields[] = {
	{ "SDHNUM", X3_F_STR, 0, 20, 1 },
	{ "SDHTYP", X3_F_STR, 0, 5, 1 },
	{ "SOHNUM", X3_F_STR, 0, 20, 1 },
	{ "SALFCY", X3_F_STR, 0, 5, 1 },
	{ "STOFCY", X3_F_STR, 0, 5, 1 },
	{ "CPY", X3_F_STR, 0, 5, 0 },
	{ "BPCORD", X3_F_STR, 0, X3_LEN_BPCNUM, 1 },
	{ "BPAADD", X3_F_STR, 0, 5, 0 },
	{ "BPDNAM", X3_F_STR, 0, X3_LEN_BPCNAM, 0 },
	{ "DLVDAT", X3_F_DATE, 0, 0, 1 },
	{ "SHIDAT", X3_F_DATE, 0, 0, 1 },
	{ "BPTNUM", X3_F_STR, 0, 15, 1 },
	{ "MDL", X3_F_STR, 0, 5, 0 },
	{ "YTRKNUM", X3_F_STR, 0, 60, 1 },
	{ "YSHIPREF", X3_F_STR, 0, 20, 0 },
	{ "PACNBR", X3_F_INT, 0, 0, 0 },
	{ "CFMFLG", X3_F_MENU, 1, 0, 1 },
	{ "INVFLG", X3_F_MENU, 1, 0, 0 },
	{ X3_DELIVERY_LINES, X3_F_LINES, 0, 0, 0 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

static const struct x3_field delivery_line_fields[] = {
	{ "SDHNUM", X3_F_STR, 0, 20, 1 },
	{ "SDDLIN", X3_F_INT, 0, 0, 1 },
	{ "SOHNUM", X3_F_STR, 0, 20, 1 },
	{ "SOPLIN", X3_F_INT, 0, 0, 1 },
	{ "SOQSEQ", X3_F_INT, 0, 0, 0 },
	{ "ITMREF", X3_F_STR, 0, X3_LEN_ITMREF, 1 },
	{ "QTY", X3_F_DEC, 0, 0, 1 },
	{ "QTYSTU", X3_F_DEC, 0, 0, 1 },
	{ "SAU", X3_F_STR, 0, 3, 0 },
	{ "STU", X3_F_STR, 0, 3, 0 },
	{ "GROPRI", X3_F_DEC, 0, 0, 0 },
	{ "NETPRI", X3_F_DEC, 0, 0, 0 },
	{ "STOFCY", X3_F_STR, 0, 5, 0 },
	AUDIT,
	{ NULL, X3_F_STR, 0, 0, 0 }
};

const struct x3_table x3_tables[X3_T__MAX] = {
	{ "sites", "FACILITY", "FCY", site_fields, NULL },	/* X3_T_SITE */
	{ "orderTypes", "TABSOHTYP", "SOHTYP", ordtype_fields,
	    NULL },						/* X3_T_ORDTYPE */
	{ "currencies", "TABCUR", "CUR", currency_fields,
	    NULL },						/* X3_T_CURRENCY */
	{ "customers", "BPCUSTOMER", "BPCNUM", customer_fields,
	    NULL },						/* X3_T_CUSTOMER */
	{ "items", "ITMMASTER", "ITMREF", item_fields, NULL },	/* X3_T_ITEM */
	{ "stock", "STOCK", NULL, stock_fields, NULL },		/* X3_T_STOCK */
	{ "orders", "SORDER", "SOHNUM", order_fields,
	    order_line_fields },				/* X3_T_ORDER */
	{ "deliveries", "SDELIVERY", "SDHNUM", delivery_fields,
	    delivery_line_fields },				/* X3_T_DELIVERY */
};

/* Local menus (§2.1, §2.2, §2.4, §2.5); GraphQL names are camelCase. */
static const struct x3_menu menus[] = {
	{ 1, "YesNo", { "no", "yes", NULL } },
	{ 2, "StockManagement", { "notManaged", "managed", NULL } },
	{ 243, "PriceType", { "priceExcludingTax", "priceIncludingTax",
	    NULL } },
	{ 246, "ProductStatus", { "active", "inDevelopment", "onShortage",
	    "notRenewed", "obsolete", "notUsable", NULL } },
	{ 279, "SalesOrderLineStatus", { "pending", "late", "closed", NULL } },
	{ 280, "SignatureStatus", { "no", "inPart", "inFull", "notManaged",
	    "automatic", NULL } },
	{ 401, "CustomerType", { "normal", "miscellaneous", "intraCompany",
	    "prospect", NULL } },
	{ 412, "SalesOrderCategory", { "normal", "loan", "directInvoicing",
	    "contract", NULL } },
	{ 415, "SalesOrderStatus", { "open", "closed", NULL } },
	{ 416, "AllocationStatus", { "notAllocated", "partlyAllocated",
	    "allocated", NULL } },
	{ 417, "DeliveryStatus", { "notDelivered", "partlyDelivered",
	    "delivered", NULL } },
	{ 418, "InvoiceStatus", { "notInvoiced", "partlyInvoiced",
	    "invoiced", NULL } },
	{ 419, "CreditStatus", { "ok", "onHold", "limitExceeded",
	    "prepaymentNotPaid", "creditCard", NULL } },
	{ 423, "LineType", { "normal", "fixedKit", "kitComponent",
	    "variableKit", "variableKitComponent", NULL } },
	{ 491, "BlockStatus", { "ok", "onHold", NULL } },
	{ 0, NULL, { NULL } }
};

const struct x3_menu *
x3_menu_get(int menu)
{
	const struct x3_menu	*m;

	for (m = menus; m->num != 0; m++)
		if (m->num == menu)
			return m;
	return NULL;
}

const char *
x3_menu_name(int menu, int v)
{
	const struct x3_menu	*m;
	int			 i;

	if ((m = x3_menu_get(menu)) == NULL || v < 1)
		return NULL;
	for (i = 0; m->names[i] != NULL; i++)
		if (i == v - 1)
			return m->names[i];
	return NULL;
}

int
x3_menu_value(int menu, const char *name)
{
	const struct x3_menu	*m;
	int			 i;

	if ((m = x3_menu_get(menu)) == NULL || name == NULL)
		return 0;
	for (i = 0; m->names[i] != NULL; i++)
		if (strcmp(m->names[i], name) == 0)
			return i + 1;
	return 0;
}

const struct x3_field *
x3_field_get(const struct x3_field *f, const char *name)
{

	if (f == NULL)
		return NULL;
	for (; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
