/*
 * poll.c: the polls of the poller. Each poll reads what changed in
 * ShipStation or X3 since its cursor (cursor.h), stores every record as
 * a document (event_store_doc: a job is queued only for new or changed
 * content) and then advances the cursor, never beyond the newest record
 * it has committed. docs/SYNC.md, Polling.
 */
#ifndef ML_POLL_H
#define ML_POLL_H

#include "core.h"

/* The cursor names, as ml-connector-ctl cursors shows them. */
#define POLL_SS_ORDERS		"ss.orders"
#define POLL_SS_SHIPMENTS	"ss.shipments"
#define POLL_SS_FULFILLMENTS	"ss.fulfillments"
#define POLL_SS_CUSTOMERS	"ss.customers"
#define POLL_X3_ORDERS		"x3.salesOrders"
#define POLL_X3_CUSTOMERS	"x3.customers"
#define POLL_X3_PRODUCTS	"x3.products"

/* What one poll run did (for logs and tests). */
struct poll_stats {
	int		 polls;		/* cursors polled */
	int		 busy;		/* skipped: another poller owns them */
	int		 failed;	/* ended with an error (last_error) */
	int		 records;	/* records stored */
	int		 changed;	/* of which new or changed: queued */
};

/*
 * Run every enabled poll once whose client ctx has. stop (may be NULL)
 * is asked between windows; non-zero ends the run early, cursors where
 * they are. st may be NULL.
 */
void		 poll_run(const struct jobrun_ctx *, int (*stop)(void),
		    struct poll_stats *st);

#endif /* !ML_POLL_H */
