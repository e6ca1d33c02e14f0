/*
 * sync_order.c: ShipStation orders -> X3 sales orders (docs/SYNC.md).
 * The job handler sync_order() is declared in core.h with the others.
 */
#ifndef ML_SYNC_ORDER_H
#define ML_SYNC_ORDER_H

#include "core.h"

/*
 * The GraphQL variables ({"data": SalesOrder_Input}) the ss.order job
 * j would send to create its order now: its stored document with the
 * current mappings. Reads only (maps, X3 lookups); writes nothing, so
 * the replay preview can call it. 1: *vars is new (json_decref it);
 * 0: the order is deliberately not sent, o->msg says why (class none);
 * -1: it cannot be built now, o says why (mapping: what is missing).
 */
int	 sync_order_build(const struct jobrun_ctx *, const struct job *j,
	    struct json_t **vars, struct job_outcome *o);

#endif /* !ML_SYNC_ORDER_H */
