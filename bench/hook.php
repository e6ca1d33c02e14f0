<?php
// The shared-hosting alternative for bench/webhook.sh: PHP-FPM decoding
// the webhook and doing the same durable insert, with a persistent PDO
// connection. Connection settings come from fastcgi_param.
$body = file_get_contents('php://input');
$d = json_decode($body, true, 32);
if (!is_array($d) || !is_string($d['resource_url'] ?? null) ||
    !is_string($d['resource_type'] ?? null)) {
	http_response_code(422);
	exit;
}
$pdo = new PDO('mysql:unix_socket=' . $_SERVER['ML_DB_SOCK'] . ';dbname=' .
    $_SERVER['ML_DB_NAME'], $_SERVER['ML_DB_USER'], $_SERVER['ML_DB_PASS'],
    [PDO::ATTR_PERSISTENT => true, PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$st = $pdo->prepare('INSERT IGNORE INTO events (source, kind, natural_key, ' .
    'resource_url, body, request_id) VALUES (?, ?, ?, ?, ?, ?)');
$st->execute(['php', $d['resource_type'],
    hash('sha256', $d['resource_type'] . "\n" . $d['resource_url']),
    $d['resource_url'], $body, bin2hex(random_bytes(16))]);
header('Content-Type: application/json');
echo '{"status":"accepted"}';
