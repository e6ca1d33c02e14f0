/*
 * audit.c: the audit trail (table audit). One row per attempt or step
 * of a job; requests and responses are stored with secrets redacted.
 */
#ifndef ML_AUDIT_H
#define ML_AUDIT_H

#include <stdint.h>

#include "core.h"

/* One audit row; all lent. Numbers <= 0 (duration < 0) store NULL. */
struct audit_rec {
	int64_t		 job_id;
	int64_t		 event_id;
	const char	*trigger;	/* webhook, poll, replay:<user>, cli;
					   NULL: "sync" */
	const char	*action;	/* x3.salesOrder.create, order.skip, ... */
	const char	*target;	/* "x3", "shipstation" or NULL */
	const char	*request;	/* what was sent, or NULL */
	const char	*response;	/* what came back, or NULL */
	long		 http_status;
	int64_t		 duration_ms;
	const char	*outcome;	/* ok, skipped, failed, <error class> */
};

/* Append a row (secrets redacted); failures are logged and returned. */
enum core_err	 audit_add(struct db *, const struct audit_rec *);
/*
 * A copy of text whose JSON values under secret-named keys (password,
 * token, apiSecret, ... at any depth) read "[redacted]"; text that is
 * not JSON is copied as is. Caller frees; NULL on allocation failure.
 */
char		*audit_redact(const char *text);
/* 1 if a JSON key name denotes a secret. */
int		 audit_secret_key(const char *key);

#endif /* !ML_AUDIT_H */
