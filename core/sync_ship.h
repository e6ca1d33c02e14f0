/*
 * sync_ship.c: the ss.shipment and ss.fulfillment jobs. One ShipStation
 * shipment (label) or fulfillment becomes one X3 delivery of exactly
 * the shipped lines, exactly once; a voided one is reversed when X3
 * allows it. See docs/SYNC.md "Shipments".
 */
#ifndef ML_SYNC_SHIP_H
#define ML_SYNC_SHIP_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* X3 node and the delivery field holding our key (docs/SYNC.md). */
#define SYNC_SHIP_NODE		"salesDelivery"
#define SYNC_SHIP_REF_FIELD	"shipmentReference"	/* YSHIPREF A*20 */
#define SYNC_SHIP_REF_MAX	20

/* What a delivery is built from; all lent. */
struct sync_ship_in {
	const struct json_t	*doc;	/* shipment (with shipmentItems)
					   or fulfillment document */
	const char		*ref;	/* sync_ship_ref() */
	const char		*order;	/* X3 sales order number */
	const struct json_t	*lines;	/* X3 order lines: [{lineNumber,
					   product {code},
					   quantityInSalesUnitOrdered,
					   quantityInSalesUnitDelivered}] */
	const struct json_t	*items;	/* {"<SKU>": "<X3 item>"} */
	const char		*carrier; /* maps carrier: BPTNUM */
	const char		*mode;	/* maps carrier: MDL, or NULL */
};

/*
 * The delivery key of a document: "SHP" + shipmentId, "FUL" +
 * fulfillmentId. 0, or -1 when it does not fit SYNC_SHIP_REF_MAX.
 */
int		 sync_ship_ref(const char *doc_type, const char *id,
		    char *out, size_t sz);
/*
 * The salesDelivery.create variables {"data": {...}} for in: pure, no
 * database or network, so the replay preview can show them. A
 * fulfillment (no shipmentItems) sends no lines: X3 delivers what
 * remains. On 0 *out is new; -1 puts the reason in err.
 */
int		 sync_ship_build(const struct sync_ship_in *,
		    struct json_t **out, char *err, size_t errsz);
/*
 * The variables the ss.shipment / ss.fulfillment job j would send to
 * create its delivery now (the replay preview, like sync_order_build):
 * reads only. 1: *vars new; 0: nothing would be created, o->msg says
 * why; -1: cannot be built now, o says why.
 */
int		 sync_ship_preview(const struct jobrun_ctx *,
		    const struct job *j, struct json_t **vars,
		    struct job_outcome *o);
/* The job handler for kinds ss.shipment and ss.fulfillment. */
void		 sync_ship(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);
/*
 * Ready the shipment jobs held for an order that has since been linked
 * to X3 (or whose document arrived). *n may be NULL.
 */
enum core_err	 sync_ship_resume(struct db *, uint64_t *n);

#endif /* !ML_SYNC_SHIP_H */
