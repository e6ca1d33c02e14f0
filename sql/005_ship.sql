-- 005: shipments -> X3 deliveries and reconciliation (docs/SYNC.md).
-- Re-runnable.

-- A shipment job held because its order is not in X3 yet names that
-- order here; the poller readies it once the order is linked (or its
-- document arrives), see sync_ship_resume().
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS wait_order VARCHAR(64) NULL
  COMMENT 'ShipStation orderId a held job waits for';
CREATE INDEX IF NOT EXISTS jobs_wait_order ON jobs (wait_order);

-- One reconciliation run (ml-connector-ctl reconcile, job reconcile).
CREATE TABLE IF NOT EXISTS reconcile_runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  trigger_by VARCHAR(64) NOT NULL COMMENT 'cli, schedule',
  period_from DATE NOT NULL COMMENT 'ShipStation shipDate, inclusive',
  period_to DATE NOT NULL COMMENT 'inclusive',
  started_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  finished_at DATETIME(6) NULL,
  state ENUM('running','done','failed') NOT NULL DEFAULT 'running',
  shipments INT NOT NULL DEFAULT 0 COMMENT 'ShipStation records compared',
  deliveries INT NOT NULL DEFAULT 0 COMMENT 'X3 deliveries with our key',
  missing INT NOT NULL DEFAULT 0,
  extra INT NOT NULL DEFAULT 0,
  mismatch INT NOT NULL DEFAULT 0,
  repaired INT NOT NULL DEFAULT 0,
  error TEXT NULL,
  KEY reconcile_runs_started (started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What a run found: one row per finding.
CREATE TABLE IF NOT EXISTS reconcile_items (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('missing','extra','mismatch') NOT NULL,
  ss_id VARCHAR(64) NULL COMMENT 'shipmentId, or F<fulfillmentId>',
  ref VARCHAR(24) NULL COMMENT 'the delivery key (shipmentReference)',
  x3_id VARCHAR(64) NULL COMMENT 'delivery number',
  sku VARCHAR(191) NULL COMMENT 'mismatch: the product',
  ss_qty DECIMAL(18,4) NULL,
  x3_qty DECIMAL(18,4) NULL,
  detail VARCHAR(255) NULL,
  repaired TINYINT NOT NULL DEFAULT 0 COMMENT 'the sync job was re-queued',
  KEY reconcile_items_run (run_id),
  CONSTRAINT reconcile_items_run_fk FOREIGN KEY (run_id)
    REFERENCES reconcile_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
