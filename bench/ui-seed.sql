-- bench/ui.sh: 100,000 orders and what goes with them (@ORDERS@ is
-- replaced by the script). MariaDB's sequence engine makes the rows.
INSERT INTO documents (system, doc_type, doc_id, content_hash, body, fetched_at)
SELECT 'shipstation', 'order', 20000000 + seq, SHA2(seq, 256),
  JSON_OBJECT('orderId', 20000000 + seq,
    'orderNumber', CONCAT('ORD-', LPAD(seq, 7, '0')),
    'orderKey', CONCAT('key-', seq), 'orderStatus', 'awaiting_shipment',
    'orderDate', '2026-11-20T10:00:00.0000000',
    'customerId', 1000 + seq % 5000,
    'customerEmail', CONCAT('buyer', seq % 5000, '@example.com'),
    'billTo', JSON_OBJECT('name', CONCAT('Buyer ', seq % 5000)),
    'shipTo', JSON_OBJECT('name', CONCAT('Buyer ', seq % 5000),
      'street1', '200 N Spring St', 'city', 'Los Angeles', 'state', 'CA',
      'postalCode', '90012', 'country', 'US'),
    'advancedOptions', JSON_OBJECT('storeId', 310001),
    'items', JSON_ARRAY(
      JSON_OBJECT('sku', CONCAT('SKU-', seq % 300), 'name', 'Widget',
        'quantity', 1 + seq % 3, 'unitPrice', 19.99),
      JSON_OBJECT('sku', CONCAT('SKU-', (seq + 7) % 300), 'name', 'Gadget',
        'quantity', 1, 'unitPrice', 5.5)),
    'internalNotes', REPEAT('n', 400)),
  NOW(6) - INTERVAL (@ORDERS@ - seq) MINUTE
FROM seq_1_to_@ORDERS@;
INSERT INTO jobs (kind, job_key, state, error_class, last_error, attempts, updated_at, next_attempt_at)
SELECT 'ss.order', 20000000 + seq,
  CASE WHEN seq % 100 < 90 THEN 'done' WHEN seq % 100 < 95 THEN 'held'
    WHEN seq % 100 < 98 THEN 'dead' ELSE 'ready' END,
  CASE WHEN seq % 100 < 90 THEN 'none' WHEN seq % 100 < 95 THEN 'mapping'
    WHEN seq % 100 < 98 THEN 'transient' ELSE 'none' END,
  IF(seq % 100 >= 90 AND seq % 100 < 98, CONCAT('no X3 item for SKU ''SKU-', seq % 300, ''''), NULL),
  1 + seq % 3, NOW(6) - INTERVAL (@ORDERS@ - seq) MINUTE, NOW(6)
FROM seq_1_to_@ORDERS@;
INSERT INTO jobs (kind, job_key, state, updated_at)
SELECT 'webhook.fetch', seq, 'done', NOW(6) - INTERVAL (@ORDERS@ - seq) MINUTE
FROM seq_1_to_@ORDERS@;
INSERT INTO links (entity, ss_id, ss_key, x3_id, state)
SELECT 'order', 20000000 + seq, CONCAT('key-', seq), CONCAT('SS', 20000000 + seq), 'synced'
FROM seq_1_to_@ORDERS@ WHERE seq % 100 < 90;
INSERT INTO audit (at, job_id, trigger_by, action, target, request, response, http_status, duration_ms, outcome)
SELECT NOW(6) - INTERVAL (@ORDERS@ - j.seq) MINUTE, j.id, 'poll', a.action, 'x3',
  CONCAT('{"query":"mutation","variables":{"data":{"id":"SS', j.job_key, '","lines":[', REPEAT('{"product":"BMSMN0201","qty":1},', 4), '{}]}}}'),
  '{"data":{"x3Sales":{"salesOrder":{"create":{"_id":"SS1"}}}}}', 200, 40, 'ok'
FROM (SELECT id, job_key, CAST(job_key AS UNSIGNED) - 20000000 AS seq FROM jobs WHERE kind = 'ss.order') j
JOIN (SELECT 'x3.salesOrder.read' AS action UNION ALL SELECT 'x3.salesOrder.create') a;
INSERT INTO documents (system, doc_type, doc_id, content_hash, body)
SELECT 'shipstation', 'shipment', 30000000 + seq, SHA2(seq, 256),
  JSON_OBJECT('shipmentId', 30000000 + seq, 'orderId', 20000000 + seq * 2,
    'trackingNumber', CONCAT('1Z', seq), 'carrierCode', 'ups', 'shipDate', '2026-11-21')
FROM seq_1_to_50000;
INSERT INTO maps (map_type, source_key, target)
SELECT 'sku', CONCAT('SKU-', seq), CONCAT('{"item":"ITM', seq, '"}') FROM seq_0_to_299;
INSERT INTO cursors (name, position, last_run_at, last_ok_at) VALUES
  ('ss.orders.modified', '2026-11-28T00:00:00Z', NOW(6), NOW(6)),
  ('ss.shipments', '2026-11-28T00:00:00Z', NOW(6), NOW(6));
INSERT INTO quota (api_key_hash, window_limit, remaining, window_reset_at)
VALUES (REPEAT('a', 64), 40, 31, NOW(6) + INTERVAL 40 SECOND);
INSERT INTO tokens (name, expires_at) VALUES ('x3_jwt', NOW(6) + INTERVAL 5 MINUTE);
ANALYZE TABLE documents, jobs, links, audit, maps;
