/*
 * One ShipStation budget per API key, shared by every process on every
 * host through the quota row named by sha256(key).
 *
 * Pacing is GCRA (virtual scheduling): one timestamp, tat_ms, the
 * earliest moment of the next call. Taking a call at now >= tat moves
 * it to max(tat, now - tau) + T, with T = ceil(window/(limit-1)) and a
 * catch-up tolerance tau = T/4 so that a caller waking a little late
 * does not lose its slot. Calls n apart are then at least n*T - tau
 * apart, and since limit*T - window >= T, no window ever holds more
 * than limit calls even when arrivals jitter by up to 3T/4 (1.1 s for
 * V1, 0.2 s for V2), however the server aligns its window (V1: fixed
 * 60 s, reference 1.2; V2: undocumented). A steady demand uses
 * (limit-1)/limit of the budget: 97.5% of 40/min, 99.5% of 200/min.
 *
 * Corrections from the server: a 429 blocks for its Retry-After or
 * X-Rate-Limit-Reset. X-Rate-Limit-Remaining 0 blocks until the Reset
 * (plus a second: Reset is whole seconds) only when someone else uses
 * the key too: the server counts more calls in its window than answers
 * we have seen (win_seen, restarted when Remaining jumps up, i.e. a
 * new window), beyond the two of ours that may still be in flight.
 * When all the calls are ours, the pace already keeps the next one out
 * of the full window, and blocking would only waste the rounding of
 * Reset. A smaller X-Rate-Limit-Limit than configured slows the pace.
 *
 * Priority: a caller that must wait stamps wait_p<N>_ms (N = its
 * priority) on every look at the row; a caller of lower priority does
 * not take a slot while a higher priority's stamp is fresh (younger
 * than ML_QUOTA_WAITER_STALE_MS; a crashed waiter stops stamping). The
 * stamp is cleared when a caller of that priority takes a slot; others
 * still waiting at that priority stamp it again on their next look.
 *
 * Within one priority, waiters take turns: a caller that must wait
 * claims the turn when nobody holds it (or the holder stopped looking),
 * and the next slot is the holder's; others of that priority or lower
 * yield to it. Without turns, whoever wakes first wins every time, and
 * a host whose clock lags a few milliseconds would starve.
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
#include <unistd.h>


#include "core.h"

struct quota {
	struct db	*db;		/* lent */
	char		 hash[65];
	int		 limit;
	int		 window_ms;
	int64_t		 id;		/* random, for turns */
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

	if (key == NULL || limit < 1 || window_ms < 1000 ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->db = db;
	q->limit = limit;
	q->window_ms = window_ms;
	hash_sha256_hex(key, strlen(key), q->hash);
	if (rnd_bytes(&q->id, sizeof(q->id)) == -1)
		q->id = (int64_t)getpid();
	q->id &= INT64_MAX;
	if (q->id == 0)
		q->id = 1;
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

/* Our calls that may be in flight when an answer is counted. */
#define QUOTA_INFLIGHT	2

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
	int64_t		 towner, tprio;
	char		 sql[256];
	enum core_err	 rc;
	int		 i, higher, tfresh, claim;

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
		    "wait_p3_ms, turn_owner, turn_prio, turn_ms FROM quota "
		    "WHERE api_key_hash = ? FOR UPDATE",
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
		towner = db_rows_i64(r, 0, 7, 0);
		tprio = db_rows_i64(r, 0, 8, 0);
		tfresh = towner != 0 && db_rows_i64(r, 0, 9, 0) >
		    now - ML_QUOTA_WAITER_STALE_MS;
		db_rows_free(r);
		/* Someone else's turn at our priority or above. */
		if (tfresh && towner != q->id && tprio <= (int64_t)prio)
			higher = 1;

		if (!higher && now >= blocked && now >= tat) {
			(void)snprintf(sql, sizeof(sql), "UPDATE quota SET "
			    "tat_ms = ?, taken = taken + 1, %s = 0, "
			    "turn_owner = IF(turn_owner = ?, 0, turn_owner) "
			    "WHERE api_key_hash = ?", stamps[prio]);
			if ((rc = db_exec(q->db, sql, DB_PARAMS(DB_I64(
			    max64(tat, now - iv / 4) + iv), DB_I64(q->id),
			    DB_STR(q->hash)), NULL, NULL)) != CORE_OK)
				goto fail;
			return db_commit(q->db);
		}
		/* The next slot; behind a higher priority, the one after. */
		next = max64(max64(blocked, tat), now + 1);
		if (higher)
			next = max64(next, tat + iv);
		if (next > deadline) {
			/* Giving up: leave the turn to someone else. */
			(void)db_exec(q->db, "UPDATE quota SET turn_owner = 0 "
			    "WHERE api_key_hash = ? AND turn_owner = ?",
			    DB_PARAMS(DB_STR(q->hash), DB_I64(q->id)), NULL,
			    NULL);
			(void)db_commit(q->db);
			return CORE_EBUSY;
		}
		/* Stamp our priority; hold or claim the turn when it is
		 * ours, free, stale, or held by a lower priority. */
		claim = towner == q->id || !tfresh || tprio > (int64_t)prio;
		(void)snprintf(sql, sizeof(sql), "UPDATE quota SET %s = ?, "
		    "turn_owner = IF(?, ?, turn_owner), "
		    "turn_prio = IF(?, ?, turn_prio), "
		    "turn_ms = IF(?, ?, turn_ms) WHERE api_key_hash = ?",
		    stamps[prio]);
		if ((rc = db_exec(q->db, sql, DB_PARAMS(DB_I64(now),
		    DB_I64(claim), DB_I64(q->id), DB_I64(claim), DB_I64(prio),
		    DB_I64(claim), DB_I64(now), DB_STR(q->hash)), NULL,
		    NULL)) != CORE_OK)
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
	struct db_rows	*rows;
	long		 lim, rem, reset;
	int64_t		 now = clk_now_ms(), until, reset_ms, last, seen;
	int64_t		 foreign;
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
	if ((rc = db_begin(q->db)) != CORE_OK)
		return rc;
	if ((rc = db_select(q->db, "SELECT remaining, win_seen FROM quota "
	    "WHERE api_key_hash = ? FOR UPDATE", DB_PARAMS(DB_STR(q->hash)),
	    &rows)) != CORE_OK)
		goto fail;
	last = db_rows_i64(rows, 0, 0, -1);
	seen = db_rows_i64(rows, 0, 1, 0);
	db_rows_free(rows);
	/* Remaining jumping up is a new server window. */
	seen = last < 0 || rem > last + QUOTA_INFLIGHT ? 1 : seen + 1;
	foreign = (lim > 0 ? lim : q->limit) - rem - seen;
	until = rem == 0 && reset >= 0 && foreign > QUOTA_INFLIGHT ?
	    reset_ms + clk_from_real_ms(1000) : 0;
	if (until > 0)
		log_info("quota: key %.12s is used by someone else too (%lld "
		    "calls not ours); waiting for the window to turn",
		    q->hash, (long long)foreign);
	if ((rc = db_exec(q->db, "UPDATE quota SET remaining = ?, "
	    "win_seen = ?, reset_ms = IF(? > 0, ?, reset_ms), "
	    "window_reset_at = IF(? > 0, FROM_UNIXTIME(? / 1000), "
	    "window_reset_at), window_limit = ?, interval_ms = ?, "
	    "blocked_until_ms = GREATEST(blocked_until_ms, ?) "
	    "WHERE api_key_hash = ?", DB_PARAMS(DB_I64(rem), DB_I64(seen),
	    DB_I64(reset_ms), DB_I64(reset_ms), DB_I64(reset_ms),
	    DB_I64(reset_ms), DB_I64(lim > 0 ? lim : q->limit),
	    DB_I64(quota_interval_ms(eff, q->window_ms)), DB_I64(until),
	    DB_STR(q->hash)), NULL, NULL)) != CORE_OK)
		goto fail;
	return db_commit(q->db);
fail:
	(void)db_rollback(q->db);
	return rc;
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
