-- 004: the sync engine (docs/SYNC.md). The poller re-readies jobs held
-- for a mapping once a maps row changed after they were held; it asks
-- for MAX(maps.updated_at) every cycle, which this index answers
-- without a scan. Re-runnable.

CREATE INDEX IF NOT EXISTS maps_updated ON maps (updated_at);
