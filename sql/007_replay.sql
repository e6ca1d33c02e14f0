-- 007: replay (docs/SYNC.md "Replay"). A job put back to ready by an
-- operator carries who asked for it; the job runner stamps its audit
-- rows with this trigger ("replay:<user>") instead of the program's own
-- ("poller", "webhook") until the job is done. Re-runnable.

ALTER TABLE jobs
  ADD COLUMN IF NOT EXISTS trigger_by VARCHAR(64) NULL
    COMMENT 'replay:<user> while a replayed job runs; NULL otherwise';
