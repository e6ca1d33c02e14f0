-- 001: the tables named in docs/ARCHITECTURE.md. All times are UTC
-- (every connection sets time_zone = '+00:00'). Re-runnable.

CREATE TABLE IF NOT EXISTS events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  source VARCHAR(16) NOT NULL COMMENT 'ss_v1, ss_v2, poll, x3',
  kind VARCHAR(48) NOT NULL COMMENT 'ORDER_NOTIFY, SHIP_NOTIFY, ...',
  natural_key CHAR(64) NOT NULL COMMENT 'sha256 hex of the dedupe key',
  resource_url VARCHAR(1024) NULL,
  body MEDIUMBLOB NOT NULL,
  state ENUM('received','fetched','rejected','done') NOT NULL DEFAULT 'received',
  reject_reason VARCHAR(255) NULL,
  request_id CHAR(32) NULL,
  received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY events_natural (source, natural_key),
  KEY events_state (state, received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS jobs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(32) NOT NULL,
  job_key VARCHAR(191) NOT NULL,
  state ENUM('ready','running','held','done','dead') NOT NULL DEFAULT 'ready',
  priority TINYINT NOT NULL DEFAULT 5 COMMENT 'lower runs first',
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 10,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  lease_owner VARCHAR(96) NULL,
  lease_expires_at DATETIME(6) NULL,
  error_class ENUM('none','mapping','data','auth','rate','transient') NOT NULL DEFAULT 'none',
  last_error TEXT NULL,
  payload MEDIUMTEXT NULL,
  event_id BIGINT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY jobs_kind_key (kind, job_key),
  KEY jobs_due (state, next_attempt_at, priority),
  KEY jobs_lease (state, lease_expires_at),
  KEY jobs_event (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS links (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity ENUM('order','shipment','customer','product','delivery') NOT NULL,
  ss_id VARCHAR(64) NOT NULL COMMENT 'ShipStation id (orderId, shipmentId, ...)',
  ss_key VARCHAR(191) NULL COMMENT 'orderKey or other stable key',
  x3_id VARCHAR(64) NULL COMMENT 'X3 document or master code',
  state VARCHAR(24) NOT NULL DEFAULT 'pending',
  content_hash CHAR(64) NULL COMMENT 'sha256 of the last synced source',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY links_ss (entity, ss_id),
  KEY links_x3 (entity, x3_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS maps (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  map_type ENUM('sku','customer','carrier','store') NOT NULL,
  source_key VARCHAR(191) NOT NULL,
  target TEXT NOT NULL COMMENT 'JSON object of X3 codes',
  created_by VARCHAR(64) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY maps_source (map_type, source_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  job_id BIGINT UNSIGNED NULL,
  event_id BIGINT UNSIGNED NULL,
  trigger_by VARCHAR(64) NOT NULL COMMENT 'webhook, poll, replay:<user>, cli',
  action VARCHAR(64) NOT NULL,
  target VARCHAR(16) NULL COMMENT 'x3 or shipstation',
  request MEDIUMTEXT NULL COMMENT 'secrets redacted',
  response MEDIUMTEXT NULL,
  http_status SMALLINT NULL,
  duration_ms INT NULL,
  outcome VARCHAR(16) NOT NULL,
  KEY audit_job (job_id, at),
  KEY audit_event (event_id),
  KEY audit_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS cursors (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  position VARCHAR(191) NULL COMMENT 'UTC timestamp or opaque key',
  last_run_at DATETIME(6) NULL,
  last_ok_at DATETIME(6) NULL,
  last_error TEXT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tokens (
  name VARCHAR(64) NOT NULL PRIMARY KEY COMMENT 'x3_jwt, x3_gateway, ...',
  access_token TEXT NULL,
  expires_at DATETIME(6) NULL,
  refresh_token TEXT NULL,
  refresh_expires_at DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS quota (
  api_key_hash CHAR(64) NOT NULL PRIMARY KEY COMMENT 'sha256 of the API key',
  window_limit INT NOT NULL,
  remaining INT NOT NULL,
  window_reset_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  password_hash VARCHAR(255) NOT NULL COMMENT 'yescrypt via libxcrypt',
  role ENUM('admin','operator','viewer') NOT NULL DEFAULT 'viewer',
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  failed_logins INT NOT NULL DEFAULT 0,
  locked_until DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY users_name (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sessions (
  id_hash CHAR(64) NOT NULL PRIMARY KEY COMMENT 'sha256 of the cookie value',
  user_id BIGINT UNSIGNED NOT NULL,
  csrf_token CHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_seen_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at DATETIME(6) NOT NULL,
  KEY sessions_user (user_id),
  KEY sessions_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
