"""A one-file Django app for the CSRF tests: the stock SessionMiddleware (file sessions, so the
test can drop them all) and CsrfViewMiddleware, plain http on 127.0.0.1.

Run with /usr/bin/python3 (Debian's python3-django). Environment: MPS_DIR (a scratch directory:
sessions/, events.log, faults.json), MPS_WECHAT_API (the code2Session endpoint's base URL).
Prints "listening <port>" once it accepts connections; the port is chosen by the OS.

Login does what django.contrib.auth.login does to the session and the token (cycle_key, then
rotate_token) without needing a user table; logout does what auth.logout does (flush).
"""
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request

from django.conf import settings

DIR = os.environ['MPS_DIR']
WECHAT_API = os.environ['MPS_WECHAT_API']
SESSIONS = os.path.join(DIR, 'sessions')
EVENTS = os.path.join(DIR, 'events.log')
FAULTS = os.path.join(DIR, 'faults.json')

settings.configure(
    DEBUG=False,
    SECRET_KEY='miniprogram-session django test secret',
    ALLOWED_HOSTS=['127.0.0.1'],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        'django.contrib.sessions.middleware.SessionMiddleware',
        __name__ + '.events',
        'django.middleware.csrf.CsrfViewMiddleware',
    ],
    INSTALLED_APPS=[],
    SESSION_ENGINE='django.contrib.sessions.backends.file',
    SESSION_FILE_PATH=SESSIONS,
    CSRF_FAILURE_VIEW=__name__ + '.csrf_failure',
    LOGGING_CONFIG=None,
)

import django  # noqa: E402

django.setup()

from django.http import JsonResponse  # noqa: E402
from django.middleware.csrf import get_token, rotate_token  # noqa: E402
from django.urls import path  # noqa: E402
from django.views import csrf as stock_csrf  # noqa: E402
from django.views.decorators.http import require_GET, require_POST  # noqa: E402

log_lock = threading.Lock()
ROUTE_EVENTS = {
    ('GET', '/session'): 'warmup',
    ('POST', '/login'): 'login',
    ('POST', '/logout'): 'logout',
}
SAFE = ('GET', 'HEAD', 'OPTIONS', 'TRACE')


def write_event(event):
    with log_lock, open(EVENTS, 'a') as f:
        f.write(json.dumps(event) + '\n')


def take_fault(route):
    """The fault injected for this route, if any (test/servers/types.ts Fault), used up by one call."""
    with log_lock:
        with open(FAULTS) as f:
            faults = json.load(f)
        fault = faults.get(route)
        if not fault or fault['times'] <= 0:
            return None
        fault['times'] -= 1
        with open(FAULTS, 'w') as f:
            json.dump(faults, f)
        return fault['how']


def csrf_failure(request, reason=''):
    """The stock failure view (403, "CSRF verification failed"), noted in the event log."""
    request.mps_csrf = 'rejected'
    return stock_csrf.csrf_failure(request, reason)


def events(get_response):
    """Records each request (inside SessionMiddleware, so the session is loaded)."""

    def middleware(request):
        event = {
            'at': int(time.time() * 1000),
            'method': request.method,
            'path': request.path,
            'tokenHeaders': {
                name.lower(): value
                for name, value in request.headers.items()
                if 'csrf' in name.lower() or 'xsrf' in name.lower()
            },
        }
        kind = ROUTE_EVENTS.get((request.method, request.path))
        if kind:
            event['event'] = kind
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            event['via'] = 'cookie'
        if 'lastSeen' in request.session:
            event['sid'] = request.session.session_key
        response = get_response(request)
        if request.method not in SAFE and getattr(request, 'csrf_processing_done', False):
            event['csrf'] = 'passed'
        elif getattr(request, 'mps_csrf', None):
            event['csrf'] = request.mps_csrf
        if getattr(request, 'mps_event', None):
            event['event'] = request.mps_event
        if getattr(request, 'mps_sid', None) and 'sid' not in event:
            event['sid'] = request.mps_sid  # a session this request created
        event['status'] = response.status_code
        write_event(event)
        return response

    return middleware


def seen(request):
    request.session['lastSeen'] = int(time.time() * 1000)
    if request.session.session_key is None:
        request.session.save()
    request.mps_sid = request.session.session_key


def logged_in(request):
    openid = request.session.get('openid')
    if not openid:
        request.mps_event = 'unauthorized'
    return openid


def not_logged_in():
    return JsonResponse({'code': 401, 'message': 'not logged in'}, status=401)


@require_GET
def warmup(request):
    get_token(request)  # sets the csrftoken cookie, as {% csrf_token %} or ensure_csrf_cookie would
    seen(request)
    return JsonResponse({'sessionId': request.session.session_key, 'loggedIn': bool(request.session.get('openid'))})


@require_POST
def login(request):
    try:
        code = json.loads(request.body or b'{}').get('code')
    except ValueError:
        code = None
    if not isinstance(code, str) or not code:
        return JsonResponse({'errcode': 41008, 'errmsg': 'missing code'}, status=400)
    query = urllib.parse.urlencode(
        {'appid': 'wxtestappid', 'secret': 's', 'js_code': code, 'grant_type': 'authorization_code'}
    )
    with urllib.request.urlopen(f'{WECHAT_API}/sns/jscode2session?{query}', timeout=5) as answer:
        result = json.load(answer)
    if not result.get('openid'):
        return JsonResponse(result, status=400)
    request.session.cycle_key()  # what auth.login does: a new session id for the same data
    request.session['openid'] = result['openid']
    seen(request)
    rotate_token(request)  # and a new CSRF token
    return JsonResponse({'sessionId': request.session.session_key, 'openid': result['openid']})


@require_POST
def logout(request):
    sid = request.session.session_key
    request.session.flush()  # what auth.logout does
    return JsonResponse({'ok': True, 'sid': sid})


@require_GET
def me(request):
    openid = logged_in(request)
    if not openid:
        return not_logged_in()
    return JsonResponse({'sid': request.session.session_key, 'openid': openid})


@require_POST
def orders(request):
    openid = logged_in(request)
    if not openid:
        return not_logged_in()
    created = json.loads(request.body) if request.body else None
    return JsonResponse({'sid': request.session.session_key, 'openid': openid, 'created': created}, status=201)


def ready(request):
    return JsonResponse({'ok': True})


urlpatterns = [
    path('session', warmup),
    path('login', login),
    path('logout', logout),
    path('me', me),
    path('orders', orders),
    path('__ready', ready),
]


def main():
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Handler(WSGIRequestHandler):
        def parse_request(self):
            """Injected faults (test/servers/types.ts Fault) come before Django sees the request."""
            if not super().parse_request():
                return False
            request_path = urllib.parse.urlsplit(self.path).path
            kind = ROUTE_EVENTS.get((self.command, request_path))
            fault = take_fault(kind) if kind in ('warmup', 'login') else None
            if not fault:
                return True
            event = {'at': int(time.time() * 1000), 'method': self.command, 'path': request_path}
            event.update({'event': kind, 'tokenHeaders': {}})
            self.close_connection = True
            if fault == 'hang':
                write_event(event)
                time.sleep(3600)  # a daemon thread: the server's exit ends it
            elif fault == 'reset':
                write_event(event)
                # SO_LINGER 0 and every file object closed: the kernel answers with a RST.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                self.rfile.close()
                self.wfile.close()
                self.connection.close()
            else:
                body = json.dumps({'code': fault['status'], 'message': 'injected fault'}).encode()
                event['status'] = fault['status']
                write_event(event)
                self.send_response(fault['status'])
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            return False

        def log_message(self, format, *args):
            pass  # the event log is the record; stderr stays for errors

    os.makedirs(SESSIONS, exist_ok=True)
    httpd = ThreadedWSGIServer(('127.0.0.1', 0), Handler)
    httpd.set_app(get_wsgi_application())
    print(f'listening {httpd.server_address[1]}', flush=True)
    httpd.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
