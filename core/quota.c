/*
 * One ShipStation budget per API key, shared by every process on every
 * host through the quota row named by sha256(key).
 *
 * Pacing is GCRA (virtual scheduling): one timestamp, tat_ms, the
 * earliest moment of the next call. Taking a call at now >= tat moves
 * it to max(tat, now - tau) + T, with T = ceil(window/(limit-1)) and a
 * catch-up tolerance tau = T/2 so that a caller waking a little late
 * does not lose its slot. Calls n apart are then at least n*T - tau
 * apart, and since limit*T - window >= T > tau no window ever holds
 * more than limit calls, however the server aligns it (V1: fixed 60 s,
 * reference 1.2; V2: undocumented). A steady demand uses
 * (limit-1)/limit of the budget: 97.5% of 40/min, 99.5% of 200/min.
 *
 * Corrections from the server: X-Rate-Limit-Remaining 0 (someone else
 * uses the key too) blocks until X-Rate-Limit-Reset has passed, plus a
 * second because Reset is whole seconds; a 429 blocks for its
 * Retry-After or Reset. A smaller X-Rate-Limit-Limit than configured
 * slows the pace to it.
 *
 * Priority: a caller that must wait stamps wait_p<N>_ms (N = its
 * priority) on every look at the row; a caller of lower priority does
 * not take a slot while a higher priority's stamp is fresh (younger
 * than ML_QUOTA_WAITER_STALE_MS; a crashed waiter stops stamping). The
 * stamp is cleared when a caller of that priority takes a slot; others
 * still waiting at that priority stamp it again on their next look.
 *
 * Every decision is made in one transaction under SELECT ... FOR
 * UPDATE on the key's row. Do not call this (or ss_*) inside a caller's
 * transaction: db_begin would commit it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/sha.h>

#include "core.h"

struct quota {
	struct db	*db;		/* lent */
	char		 hash[65];
	int		 limit;
	int		 window_ms;
	int		 have_row;
};

static const char *const prios[QUOTA__MAX] = {
	"webhook",		/* QUOTA_WEBHOOK */
	"poll",			/* QUOTA_POLL */
	"backfill",		/* QUOTA_BACKFILL */
	"master",		/* QUOTA_MASTER */
};

const char *
quota_prio_name(enum quota_prio p)
{
	return (unsigned int)p < QUOTA__MAX ? prios[p] : "unknown";
}

int64_t
quota_interval_ms(int limit, int window_ms)
{
	if (limit < 2)
		return window_ms;
	return ((int64_t)window_ms + limit - 2) / (limit - 1);
}

struct quota *
quota_new(struct db *db, const char *key, int limit, int window_ms)
{
	struct quota	*q;
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	int		 i;

	if (key == NULL || limit < 1 || window_ms < 1000 ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->db = db;
	q->limit = limit;
	q->window_ms = window_ms;
	(void)SHA256((const unsigned char *)key, strlen(key), md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		(void)snprintf(q->hash + 2 * i, 3, "%02x", md[i]);
	return q;
}

void
quota_free(struct quota *q)
{
	free(q);
}

const char *
quota_key_hash(const struct quota *q)
{
	return q->hash;
}

static enum core_err
ensure_row(struct quota *q)
{
	int64_t		 now = clk_now_ms();
	enum core_err	 rc;

	if (q->have_row)
		return CORE_OK;
	rc = db_exec(q->db, "INSERT IGNORE INTO quota (api_key_hash, "
	    "window_limit, remaining, window_reset_at, interval_ms, tat_ms) "
	    "VALUES (?, ?, ?, FROM_UNIXTIME(? / 1000), ?, 0)",
	    DB_PARAMS(DB_STR(q->hash), DB_I64(q->limit), DB_I64(q->limit),
	    DB_I64(now), DB_I64(quota_interval_ms(q->limit, q->window_ms))),
	    NULL, NULL);
	if (rc == CORE_OK)
		q->have_row = 1;
	return rc;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* A few ms of jitter so that waiters do not wake in lockstep. */
static int64_t
jitter(void)
{
	uint8_t	 b = 0;

	(void)rnd_bytes(&b, 1);
	return b % 16;
}

/* Column names of the waiting stamps, by priority. */
static const char *const stamps[QUOTA__MAX] = {
	"wait_p0_ms",		/* QUOTA_WEBHOOK */
	"wait_p1_ms",		/* QUOTA_POLL */
	"wait_p2_ms",		/* QUOTA_BACKFILL */
	"wait_p3_ms",		/* QUOTA_MASTER */
};

enum core_err
quota_take(struct quota *q, enum quota_prio prio, int64_t max_wait)
{
	struct db_rows	*r = NULL;
	int64_t		 now, deadline, tat, iv, blocked, next;
	char		 sql[160];
	enum core_err	 rc;
	int		 i, higher;

	if ((unsigned int)prio >= QUOTA__MAX)
		return CORE_EINPUT;
	if ((rc = ensure_row(q)) != CORE_OK)
		return rc;
	deadline = clk_now_ms() + max_wait;
	for (;;) {
		if ((rc = db_begin(q->db)) != CORE_OK)
			return rc;
		now = clk_now_ms();
		if ((rc = db_select(q->db, "SELECT tat_ms, interval_ms, "
		    "blocked_until_ms, wait_p0_ms, wait_p1_ms, wait_p2_ms, "
		    "wait_p3_ms FROM quota WHERE api_key_hash = ? FOR UPDATE",
		    DB_PARAMS(DB_STR(q->hash)), &r)) != CORE_OK)
			goto fail;
		if (r->nrows != 1) {
			db_rows_free(r);
			q->have_row = 0;
			rc = CORE_ENOTFOUND;
			goto fail;
		}
		tat = db_rows_i64(r, 0, 0, 0);
		iv = db_rows_i64(r, 0, 1, quota_interval_ms(q->limit,
		    q->window_ms));
		blocked = db_rows_i64(r, 0, 2, 0);
		for (higher = 0, i = 0; i < (int)prio; i++)
			if (db_rows_i64(r, 0, 3 + (size_t)i, 0) >
			    now - ML_QUOTA_WAITER_STALE_MS)
				higher = 1;
		db_rows_free(r);

		if (!higher && now >= blocked && now >= tat) {
			(void)snprintf(sql, sizeof(sql), "UPDATE quota SET "
			    "tat_ms = ?, taken = taken + 1, %s = 0 WHERE "
			    "api_key_hash = ?", stamps[prio]);
			if ((rc = db_exec(q->db, sql, DB_PARAMS(DB_I64(
			    max64(tat, now - iv / 2) + iv), DB_STR(q->hash)),
			    NULL, NULL)) != CORE_OK)
				goto fail;
			return db_commit(q->db);
		}
		/* The next slot; behind a higher priority, the one after. */
		next = max64(max64(blocked, tat), now + 1);
		if (higher)
			next = max64(next, tat + iv);
		if (next > deadline) {
			(void)db_commit(q->db);
			return CORE_EBUSY;
		}
		(void)snprintf(sql, sizeof(sql), "UPDATE quota SET %s = ? "
		    "WHERE api_key_hash = ?", stamps[prio]);
		if ((rc = db_exec(q->db, sql, DB_PARAMS(DB_I64(now),
		    DB_STR(q->hash)), NULL, NULL)) != CORE_OK)
			goto fail;
		if ((rc = db_commit(q->db)) != CORE_OK)
			return rc;
		next -= now;
		if (next > ML_QUOTA_POLL_MAX_MS)
			next = ML_QUOTA_POLL_MAX_MS;
		clk_sleep_ms(next + jitter());
	}
fail:
	(void)db_rollback(q->db);
	return rc;
}

/* A header as a non-negative integer; -1 when absent or not a number. */
static long
hdr_long(const struct http_resp *r, const char *name)
{
	const char	*v = http_resp_header(r, name);
	char		*end;
	long		 n;

	if (v == NULL)
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0 || n > INT_MAX)
		return -1;
	return n;
}

enum core_err
quota_update(struct quota *q, const struct http_resp *r)
{
	long		 lim, rem, reset;
	int64_t		 now = clk_now_ms(), until, reset_ms;
	int		 eff;
	enum core_err	 rc;

	if (r == NULL || r->status == 0)
		return CORE_OK;
	if ((rc = ensure_row(q)) != CORE_OK)
		return rc;
	lim = hdr_long(r, "X-Rate-Limit-Limit");
	rem = hdr_long(r, "X-Rate-Limit-Remaining");
	reset = hdr_long(r, "X-Rate-Limit-Reset");
	reset_ms = reset >= 0 ? now + clk_from_real_ms(reset * 1000) : 0;
	if (r->status == 429) {
		until = now + (r->retry_after_ms >= 0 ? r->retry_after_ms :
		    reset >= 0 ? clk_from_real_ms(reset * 1000 + 1000) :
		    q->window_ms);
		log_warnx("quota: 429 for key %.12s; no calls for %lld ms",
		    q->hash, (long long)(until - now));
		return db_exec(q->db, "UPDATE quota SET blocked_until_ms = "
		    "GREATEST(blocked_until_ms, ?), throttled = throttled + 1, "
		    "remaining = 0 WHERE api_key_hash = ?",
		    DB_PARAMS(DB_I64(until), DB_STR(q->hash)), NULL, NULL);
	}
	if (rem < 0)
		return CORE_OK;
	/* The server's limit when it is stricter than ours. */
	eff = lim > 0 && lim < q->limit ? (int)lim : q->limit;
	until = rem == 0 && reset >= 0 ? reset_ms + clk_from_real_ms(1000) :
	    0;
	return db_exec(q->db, "UPDATE quota SET remaining = ?, "
	    "reset_ms = IF(? > 0, ?, reset_ms), "
	    "window_reset_at = IF(? > 0, FROM_UNIXTIME(? / 1000), "
	    "window_reset_at), window_limit = ?, interval_ms = ?, "
	    "blocked_until_ms = GREATEST(blocked_until_ms, ?) "
	    "WHERE api_key_hash = ?", DB_PARAMS(DB_I64(rem), DB_I64(reset_ms),
	    DB_I64(reset_ms), DB_I64(reset_ms), DB_I64(reset_ms),
	    DB_I64(lim > 0 ? lim : q->limit),
	    DB_I64(quota_interval_ms(eff, q->window_ms)), DB_I64(until),
	    DB_STR(q->hash)), NULL, NULL);
}

enum core_err
quota_get(struct quota *q, struct quota_state *st)
{
	struct db_rows	*r;
	enum core_err	 rc;

	memset(st, 0, sizeof(*st));
	st->remaining = -1;
	if ((rc = db_select(q->db, "SELECT window_limit, remaining, "
	    "reset_ms, blocked_until_ms, tat_ms, taken, throttled FROM quota "
	    "WHERE api_key_hash = ?", DB_PARAMS(DB_STR(q->hash)), &r)) !=
	    CORE_OK)
		return rc;
	if (r->nrows == 1) {
		st->limit = (int)db_rows_i64(r, 0, 0, q->limit);
		st->remaining = (int)db_rows_i64(r, 0, 1, -1);
		st->reset_ms = db_rows_i64(r, 0, 2, 0);
		st->blocked_until_ms = db_rows_i64(r, 0, 3, 0);
		st->tat_ms = db_rows_i64(r, 0, 4, 0);
		st->taken = db_rows_i64(r, 0, 5, 0);
		st->throttled = db_rows_i64(r, 0, 6, 0);
	} else
		rc = CORE_ENOTFOUND;
	db_rows_free(r);
	return rc;
}
