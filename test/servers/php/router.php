<?php
// PHP's own sessions (session_start, files storage) behind `php -S`: PHPSESSID cookie mode,
// `?PHPSESSID=` URL mode (session.use_only_cookies=0) and a `session_id` request header.
// Started by ../php.ts, which passes the tmpdir and the code2Session URL in the environment.
$dir = getenv('MPS_DIR');
$wechat = getenv('MPS_WECHAT_API');
$method = $_SERVER['REQUEST_METHOD'];
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/__ready') { echo 'ok'; return true; }

$routes = ['GET /session' => 'warmup', 'POST /login' => 'login', 'POST /redirect/login' => 'login', 'POST /logout' => 'logout',
  'GET /keepalive' => 'keepalive', 'POST /bind' => 'bind'];
$ev = ['at' => (int) round(microtime(true) * 1000), 'method' => $method, 'path' => $path];
if (isset($routes["$method $path"])) $ev['event'] = $routes["$method $path"];
function logEvent() {
  global $ev, $dir;
  static $done = false;
  if ($done) return;
  $done = true;
  $ev['status'] ??= http_response_code();
  file_put_contents("$dir/events.log", json_encode($ev) . "\n", FILE_APPEND | LOCK_EX);
}
register_shutdown_function('logEvent');

function reply($status, $body) {
  global $ev;
  if ($status === 401 || ($body['code'] ?? 0) === -1) $ev['event'] = 'unauthorized';
  http_response_code($status);
  header('Content-Type: application/json');
  if (session_status() === PHP_SESSION_ACTIVE) header('session_id: ' . session_id());
  echo json_encode($body);
  exit;
}

// Fault injection, written by php.ts into faults.json: { "warmup": { "times": 1, "how": … } }.
if (isset($ev['event']) && ($ev['event'] === 'warmup' || $ev['event'] === 'login')) {
  $f = fopen("$dir/faults.json", 'c+');
  flock($f, LOCK_EX);
  $faults = json_decode(stream_get_contents($f) ?: '{}', true) ?: [];
  $fault = $faults[$ev['event']] ?? null;
  if ($fault && $fault['times'] > 0) {
    $faults[$ev['event']]['times']--;
    ftruncate($f, 0);
    rewind($f);
    fwrite($f, json_encode($faults));
  } else {
    $fault = null;
  }
  flock($f, LOCK_UN);
  fclose($f);
  if ($fault) {
    if ($fault['how'] === 'hang') { $ev['status'] = 0; logEvent(); sleep(30); exit; } // logged now: close() kills it
    if ($fault['how'] === 'reset') { header('Content-Length: 1000'); echo 'partial'; flush(); exit; } // connection dies mid-body
    reply($fault['how']['status'], ['code' => $fault['how']['status'], 'message' => 'injected fault']);
  }
}

// GET /slow?ms=N: answers like GET /session, N ms late (the session is opened after the wait).
if ($path === '/slow') usleep(1000 * (int) ($_GET['ms'] ?? 300));

// Where the id came from, in PHP's own order: the explicit header, then the cookie, then the URL.
$incoming = null;
$hdr = $_SERVER['HTTP_SESSION_ID'] ?? '';
if (preg_match('/^[A-Za-z0-9,-]{1,128}$/', $hdr)) {
  session_id($hdr);
  [$incoming, $ev['via']] = [$hdr, 'header'];
} elseif (isset($_COOKIE['PHPSESSID'])) {
  [$incoming, $ev['via']] = [$_COOKIE['PHPSESSID'], 'cookie'];
} elseif (isset($_GET['PHPSESSID'])) {
  [$incoming, $ev['via']] = [$_GET['PHPSESSID'], 'url'];
}
session_start();
// use_strict_mode: an unknown id is replaced by a fresh one, so equality means the session existed.
$existed = $incoming !== null && $incoming === session_id();
// Idle timeout (MPS_IDLE_MS) on the test's clock, which php.ts writes to $dir/now: a session idle
// longer is dropped and a fresh one begins, as session GC would have done before this request.
$idle = (int) getenv('MPS_IDLE_MS');
if ($idle > 0) {
  $now = (int) (@file_get_contents("$dir/now") ?: round(microtime(true) * 1000));
  if ($existed && $now - ($_SESSION['lastSeen'] ?? $now) > $idle) {
    $ev['event'] ??= 'expired';
    $_SESSION = [];
    session_regenerate_id(true);
    $existed = false;
  }
  $_SESSION['lastSeen'] = $now;
}
if ($existed || ($ev['event'] ?? '') === 'warmup') $ev['sid'] = session_id();

$input = json_decode(file_get_contents('php://input') ?: 'null', true);
if (!is_array($input)) $input = $_POST;
$bound = function ($openid) use ($dir) { return file_exists("$dir/bound-" . md5($openid)); };
$openid = $_SESSION['openid'] ?? null;
$needLogin = function ($business = false) use ($openid) {
  if ($openid) return $openid;
  if ($business) reply(200, ['code' => -1, 'message' => 'session expired']);
  reply(401, ['code' => 401, 'message' => 'not logged in']);
};

switch ("$method $path") {
  case 'GET /session':
  case 'GET /slow':
    $_SESSION['warm'] = true;
    reply(200, ['sessionId' => session_id(), 'loggedIn' => (bool) $openid]);
  case 'POST /login':
  case 'POST /redirect/login': // a form login: the same, answered 302 → /me (see below)
    $code = $input['code'] ?? '';
    if (!is_string($code) || $code === '') reply(400, ['errcode' => 41008, 'errmsg' => 'missing code']);
    $raw = @file_get_contents("$wechat/sns/jscode2session?appid=test&secret=test&js_code=" . urlencode($code)
      . '&grant_type=authorization_code');
    $res = json_decode($raw ?: 'null', true);
    if (!is_array($res)) reply(502, ['errcode' => -1, 'errmsg' => 'code2Session unreachable']);
    if (($res['errcode'] ?? 0) !== 0) reply(400, ['errcode' => $res['errcode'], 'errmsg' => $res['errmsg'] ?? '']);
    session_regenerate_id(true); // servers rotate the id on login (session fixation defence)
    $_SESSION['openid'] = $res['openid'];
    if ($path === '/redirect/login') {
      header('session_id: ' . session_id());
      header('Location: /me', true, 302);
      exit;
    }
    reply(200, ['sessionId' => session_id(), 'openid' => $res['openid'], 'bind' => $bound($res['openid'])]);
  case 'POST /bind':
    $id = $needLogin();
    touch("$dir/bound-" . md5($id));
    reply(200, ['sid' => session_id(), 'openid' => $id, 'bind' => true]);
  case 'POST /logout':
    $sid = session_id();
    session_destroy();
    setcookie('PHPSESSID', '', 1, '/');
    reply(200, ['ok' => true, 'sid' => $sid]);
  case 'GET /me':
    $id = $needLogin();
    reply(200, ['sid' => session_id(), 'openid' => $id, 'bind' => $bound($id)]);
  case 'GET /orders':
    $id = $needLogin();
    reply(200, ['sid' => session_id(), 'openid' => $id, 'orders' => [['id' => 1], ['id' => 2]]]);
  case 'POST /orders':
    $id = $needLogin();
    reply(201, ['sid' => session_id(), 'openid' => $id, 'created' => $input]);
  case 'GET /biz/orders':
    $id = $needLogin(true);
    reply(200, ['code' => 0, 'sid' => session_id(), 'openid' => $id, 'orders' => [['id' => 1]]]);
  case 'GET /keepalive':
    if (!$existed) reply(401, ['code' => 401, 'message' => 'no session']);
    reply(200, ['sid' => session_id(), 'loggedIn' => (bool) $openid]);
  default:
    reply(404, ['code' => 404, 'message' => 'not found']);
}
