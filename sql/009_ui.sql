-- 009: the admin UI (docs/ADMIN-UI.md). Sign-in throttling per client
-- address, and what the pages search and page by, indexed so that a
-- page costs a few index lookups with 100,000 orders (bench/ui.sh).
-- Re-runnable.

-- Failed sign-ins per address in the current window (users holds the
-- per-account count).
CREATE TABLE IF NOT EXISTS login_throttle (
  ip VARCHAR(45) NOT NULL PRIMARY KEY COMMENT 'REMOTE_ADDR, v4 or v6',
  failures INT NOT NULL DEFAULT 0,
  window_start DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What the order list searches, lifted out of the JSON documents once
-- at write time (V1 field names first, then V2's). Case-insensitive
-- for people's names and e-mails; prefix searches use the indexes.
ALTER TABLE documents
  ADD COLUMN IF NOT EXISTS order_number VARCHAR(64) AS
    (LEFT(COALESCE(JSON_VALUE(body, '$.orderNumber'),
      JSON_VALUE(body, '$.shipment_number')), 64)) PERSISTENT,
  ADD COLUMN IF NOT EXISTS ss_order_id VARCHAR(64) AS
    (LEFT(COALESCE(JSON_VALUE(body, '$.orderId'),
      JSON_VALUE(body, '$.shipment_id')), 64)) PERSISTENT,
  ADD COLUMN IF NOT EXISTS customer_email VARCHAR(191)
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci AS
    (LEFT(JSON_VALUE(body, '$.customerEmail'), 191)) PERSISTENT,
  ADD COLUMN IF NOT EXISTS customer_name VARCHAR(191)
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci AS
    (LEFT(COALESCE(JSON_VALUE(body, '$.billTo.name'),
      JSON_VALUE(body, '$.shipTo.name'),
      JSON_VALUE(body, '$.ship_to.name')), 191)) PERSISTENT;

-- Newest first, keyset paged by id: id is named in the index so that
-- "id < ?" is a range on it (an implicit primary-key suffix is not).
CREATE INDEX IF NOT EXISTS documents_list ON documents (system, doc_type, id);
CREATE INDEX IF NOT EXISTS documents_number
  ON documents (system, doc_type, order_number);
CREATE INDEX IF NOT EXISTS documents_email
  ON documents (system, doc_type, customer_email);
CREATE INDEX IF NOT EXISTS documents_cname
  ON documents (system, doc_type, customer_name);
-- An order's shipments (V1 shipments carry the orderId).
CREATE INDEX IF NOT EXISTS documents_order
  ON documents (system, doc_type, ss_order_id);

-- Orders by job state and the error queue by class, both newest first;
-- the dashboard's counts; the queue ETA's throughput (jobs done in the
-- last hour).
CREATE INDEX IF NOT EXISTS jobs_kind_state ON jobs (kind, state, id);
CREATE INDEX IF NOT EXISTS jobs_class ON jobs (state, error_class, id);
CREATE INDEX IF NOT EXISTS jobs_state_updated ON jobs (state, updated_at);

-- Errors in the last 24 h: failing outcomes only, by time.
CREATE INDEX IF NOT EXISTS audit_outcome_at ON audit (outcome, at);
