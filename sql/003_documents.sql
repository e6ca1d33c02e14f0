-- 003: source documents fetched from ShipStation (behind a webhook or
-- by a poll), one row per record, replaced when its content changes.
-- The sync jobs (kind ss.order / ss.shipment / ss.fulfillment, key =
-- the record's id) read them from here. Re-runnable.

CREATE TABLE IF NOT EXISTS documents (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  system ENUM('shipstation','x3') NOT NULL,
  doc_type VARCHAR(24) NOT NULL COMMENT 'order, shipment, fulfillment, ...',
  doc_id VARCHAR(64) NOT NULL COMMENT 'the record id in its system',
  content_hash CHAR(64) NOT NULL COMMENT 'sha256 of the canonical JSON',
  body MEDIUMTEXT NOT NULL COMMENT 'canonical JSON (sorted keys)',
  event_id BIGINT UNSIGNED NULL COMMENT 'the webhook that brought it, if any',
  fetched_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY documents_id (system, doc_type, doc_id),
  KEY documents_event (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
