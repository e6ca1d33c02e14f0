/*
 * sync_customer.c: a ShipStation customer's X3 customer (BPCUSTOMER),
 * found or created exactly once. Shared by the ss.customer job (new
 * ShipStation customers registered in X3) and the order import (an
 * order whose customer X3 does not know yet). docs/SYNC.md, Masters.
 */
#ifndef ML_SYNC_CUSTOMER_H
#define ML_SYNC_CUSTOMER_H

#include <jansson.h>

#include "core.h"

/* BPCNUM is A*15 (X3 §2.4): 15 characters and the NUL. */
#define SYNC_CUSTOMER_CODE_MAX	16

/* How the X3 customer was found. */
enum sync_customer_how {
	SYNC_CUST_LINK,		/* links row of an earlier run */
	SYNC_CUST_MAP,		/* maps customer row (customerId or e-mail) */
	SYNC_CUST_FOUND,	/* X3 has our code (an earlier create) */
	SYNC_CUST_EMAIL,	/* the one active X3 customer with the e-mail */
	SYNC_CUST_CREATED,	/* created now */
	SYNC_CUST__MAX
};

/*
 * The X3 customer code for a ShipStation customer into x3code. cust is
 * a ShipStation customer record (GET /customers: customerId, name,
 * company, street1, city, state, postalCode, countryCode, phone,
 * email) or an order (customerId, customerEmail, billTo {...}); lent.
 * j (may be NULL) names the job in the audit rows. Looks up, in order:
 * links, maps by customerId then e-mail, X3 by our code (prefix +
 * customerId), X3 by e-mail (exactly one active match); then creates
 * the customer with our code when sync.create_customers is on. X3
 * refuses a second customer with the same code, and a failed or lost
 * create is settled by reading the code again, so at most one customer
 * is ever created per customerId. The link is recorded (links entity
 * customer).
 * CORE_OK: found or created, x3code set, *how (may be NULL) says how.
 * CORE_ENOTFOUND: none and not created (policy off, or no customerId);
 * o says why with class mapping, so an order job holds.
 * Anything else: failed, o set (transient, auth, data).
 */
enum core_err	 sync_customer_ensure(const struct jobrun_ctx *,
		    const struct job *j, json_t *cust,
		    char x3code[SYNC_CUSTOMER_CODE_MAX],
		    enum sync_customer_how *how, struct job_outcome *o);
const char	*sync_customer_how_name(enum sync_customer_how);

/* The ss.customer job handler: register a ShipStation customer in X3. */
void		 sync_customer(const struct jobrun_ctx *, const struct job *,
		    struct job_outcome *);

#endif /* !ML_SYNC_CUSTOMER_H */
