-- 010: retention (core/purge.c, docs/OPERATIONS.md). Pollers on every
-- host may purge; the maintenance row of a task says when it last ran,
-- so that one of them takes each turn (a conditional UPDATE) and the
-- others skip it. The indexes let the purge find old rows by age
-- without a scan, and the job-run counts of /metrics and `status`
-- (core/stats.c: action = the job's kind, grouped by outcome) read an
-- index rather than every audit row with its request and response.
-- Re-runnable.

CREATE TABLE IF NOT EXISTS maintenance (
  name VARCHAR(64) NOT NULL PRIMARY KEY COMMENT 'purge, ...',
  last_run_at DATETIME(6) NULL COMMENT 'the last turn taken',
  last_ok_at DATETIME(6) NULL,
  last_result VARCHAR(255) NULL COMMENT 'what the last run did, or its error',
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE INDEX IF NOT EXISTS jobs_state_updated ON jobs (state, updated_at);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action, outcome, job_id);
