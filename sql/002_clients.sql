-- 002: API clients (issue 4). The ShipStation budget per key is paced
-- with GCRA (tat_ms) and corrected from X-Rate-Limit-* headers and
-- 429s; a caller waiting for a slot stamps wait_pN_ms (N = its
-- priority) on every look, and lower priorities yield while a fresh
-- stamp of a higher one exists. All *_ms columns are milliseconds since
-- the epoch, UTC, of the clients' clock. Re-runnable.

ALTER TABLE quota
  ADD COLUMN IF NOT EXISTS tat_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'GCRA: the earliest moment of the next call',
  ADD COLUMN IF NOT EXISTS interval_ms INT NOT NULL DEFAULT 1539
    COMMENT 'spacing between calls: ceil(window / (limit - 1))',
  ADD COLUMN IF NOT EXISTS blocked_until_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'the server said: no calls before this',
  ADD COLUMN IF NOT EXISTS reset_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'end of the server window (X-Rate-Limit-Reset)',
  ADD COLUMN IF NOT EXISTS taken BIGINT NOT NULL DEFAULT 0
    COMMENT 'calls handed out, ever',
  ADD COLUMN IF NOT EXISTS throttled BIGINT NOT NULL DEFAULT 0
    COMMENT '429 answers seen, ever',
  ADD COLUMN IF NOT EXISTS win_seen INT NOT NULL DEFAULT 0
    COMMENT 'our answers seen in the current server window',
  ADD COLUMN IF NOT EXISTS turn_owner BIGINT NOT NULL DEFAULT 0
    COMMENT 'the waiter whose turn is next (random id per client)',
  ADD COLUMN IF NOT EXISTS turn_prio TINYINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS turn_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'last look of the turn holder; stale turns are void',
  ADD COLUMN IF NOT EXISTS wait_p0_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'last look of a waiting webhook fetch',
  ADD COLUMN IF NOT EXISTS wait_p1_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'last look of a waiting incremental poll',
  ADD COLUMN IF NOT EXISTS wait_p2_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'last look of a waiting backfill',
  ADD COLUMN IF NOT EXISTS wait_p3_ms BIGINT NOT NULL DEFAULT 0
    COMMENT 'last look of a waiting master-data call';
